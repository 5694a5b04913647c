//! Approving a weakening of the gate: a pull-request flow in a real git repository. A waiver
//! fails the gate with the weakening's id; an `[[approval]]` in `ropa.toml` naming that id
//! passes it, shown as approved; another weakening under the same approval fails; once merged
//! the approval is spent.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{git, shipped_repository as repository};

use std::path::Path;
use std::process::Command;

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// `ropa check --base BASE --fail-on-new` with the reports named; (JSON report, exit).
fn gate(dir: &Path, base: &str, more: &[&str]) -> (serde_json::Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--base", base, "--fail-on-new", "--format", "json"])
        .args(more)
        .current_dir(dir)
        .env_remove("CI")
        .env("ROPA_CACHE", "off")
        .output()
        .expect("ropa runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| serde_json::json!({ "stderr": String::from_utf8_lossy(&out.stderr) }));
    (report, out.status.code().unwrap_or(-1))
}

/// The ids of the report's `gate-weakened` findings.
fn weakening_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "gate-weakened")
        .filter_map(|f| {
            let message = f["message"].as_str()?;
            let at = message.find("(weakening w-")? + "(weakening ".len();
            message.get(at..at + 14).map(str::to_string)
        })
        .collect()
}

fn add_waiver(dir: &Path, activity: &str, expires: &str) {
    let file = dir.join("register/waivers.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|_| "waivers:\n".to_string());
    text.push_str(&format!(
        "  - rule: retention-required\n    activity: {activity}\n    reason: Retention schedule being drafted\n    approved_by: DPO\n    expires: {expires}\n"
    ));
    std::fs::write(file, text).expect("write");
}

fn approve(dir: &Path, id: &str) {
    let file = dir.join("ropa.toml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str(&format!(
        "\n[[approval]]\nweakening = \"{id}\"\nby = \"J. de Vries (DPO)\"\non = \"2026-12-05\"\nreason = \"Retention schedule being drafted\"\n"
    ));
    std::fs::write(file, text).expect("write");
}

#[test]
fn a_weakening_passes_with_its_approval_and_no_other() {
    let dir = repository("approval");
    git(&dir, &["checkout", "-q", "-b", "waiver"]);
    add_waiver(&dir, "algemeen", "2027-03-31");
    commit(&dir, "waive retention for algemeen");
    // Without an approval: red, with the weakening's id.
    let (report, code) = gate(&dir, "main", &[]);
    assert_eq!(code, 1, "{report}");
    let ids = weakening_ids(&report);
    assert_eq!(ids.len(), 1, "{report}");
    let id = ids[0].clone();
    // In Dutch, the same weakening with the same id.
    let (dutch, code) = gate(&dir, "main", &["--lang", "nl"]);
    assert_eq!(code, 1, "{dutch}");
    let message = dutch["findings"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(
        message,
        format!(
            "De wijziging verzwakt de poort zelf: een waiver voor `retention-required` bij activiteit `algemeen` tot 2027-03-31 is toegevoegd (verzwakking {id})"
        ),
        "{dutch}"
    );
    // The gate's own rule is not counted among the pack's rules.
    let (plain, _) = gate(&dir, "HEAD", &[]);
    assert_eq!(
        report["summary"]["rules"], plain["summary"]["rules"],
        "{report}"
    );
    // The id holds while the base is named otherwise (a commit instead of a branch).
    let main = git(&dir, &["rev-parse", "main"]);
    let (by_commit, _) = gate(&dir, &main, &[]);
    assert_eq!(weakening_ids(&by_commit), ids);

    // The privacy office approves it in ropa.toml: green, and the approval is in the reports.
    approve(&dir, &id);
    commit(&dir, "approve the waiver");
    let (report, code) = gate(
        &dir,
        "main",
        &[
            "--report",
            "sarif=r.sarif",
            "--report",
            "markdown=r.md",
            "--report",
            "human=r.txt",
        ],
    );
    assert_eq!(code, 0, "{report}");
    assert!(weakening_ids(&report).is_empty(), "{report}");
    assert_eq!(report["summary"]["approved_weakenings"], 1, "{report}");
    let approved: Vec<&serde_json::Value> = report["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .filter(|p| p["rule"] == "gate-weakened")
        .collect();
    assert_eq!(approved.len(), 1, "{report}");
    assert_eq!(approved[0]["position"]["approved_by"], "J. de Vries (DPO)");
    assert_eq!(approved[0]["position"]["file"], "ropa.toml");
    let human = std::fs::read_to_string(dir.join("r.txt")).expect("human");
    assert!(human.contains("approved weakenings of the gate"), "{human}");
    assert!(human.contains(&id), "{human}");
    assert!(
        human.contains("1 weakening of the gate approved"),
        "{human}"
    );
    let markdown = std::fs::read_to_string(dir.join("r.md")).expect("markdown");
    assert!(
        markdown.contains("### Approved weakenings of the gate"),
        "{markdown}"
    );
    assert!(markdown.contains("J. de Vries (DPO)"), "{markdown}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.sarif")).expect("sarif"))
            .expect("json");
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == "gate-weakened")
        .filter(|r| r["suppressions"].as_array().is_some_and(|s| !s.is_empty()))
        .count();
    assert_eq!(
        suppressed, 1,
        "the approved weakening is a suppressed result"
    );
    // The waived finding is waived, not resolved.
    assert_eq!(report["summary"]["resolved"], 0, "{report}");

    // A second weakening under the same approval fails: another waiver...
    add_waiver(&dir, "cloud-computing", "2027-03-31");
    commit(&dir, "a second waiver");
    let (report, code) = gate(&dir, "main", &[]);
    assert_eq!(code, 1, "{report}");
    let ids = weakening_ids(&report);
    assert_eq!(ids.len(), 1, "{report}");
    assert_ne!(ids[0], id);
    git(&dir, &["reset", "-q", "--hard", "HEAD~1"]);
    // ... or the approved one made wider afterwards.
    let waivers = dir.join("register/waivers.yaml");
    let text = std::fs::read_to_string(&waivers).expect("read");
    std::fs::write(&waivers, text.replace("2027-03-31", "2029-03-31")).expect("write");
    commit(&dir, "a longer waiver");
    let (report, code) = gate(&dir, "main", &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(weakening_ids(&report).len(), 1, "{report}");
    git(&dir, &["reset", "-q", "--hard", "HEAD~1"]);

    // Merged, the approval is spent: the same waiver removed and added back needs a new one.
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["merge", "-q", "--ff-only", "waiver"]);
    git(&dir, &["checkout", "-q", "-b", "again"]);
    std::fs::remove_file(&waivers).expect("rm");
    commit(&dir, "the schedule is there: no waiver");
    let (report, code) = gate(&dir, "HEAD~1", &[]);
    assert_eq!(
        code, 1,
        "removing a waiver weakens nothing, the backlog is back: {report}"
    );
    assert!(weakening_ids(&report).is_empty(), "{report}");
    add_waiver(&dir, "algemeen", "2027-03-31");
    commit(&dir, "and back");
    let (report, code) = gate(&dir, "HEAD~1", &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        weakening_ids(&report),
        vec![id],
        "the spent approval approves nothing"
    );
}

#[test]
fn a_malformed_approval_stops_the_run_at_its_place() {
    let dir = repository("approval-malformed");
    let file = dir.join("ropa.toml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str("\n[[approval]]\nweakening = \"retention waiver\"\nby = \"\"\non = \"5 december\"\nreason = \"ok\"\n");
    std::fs::write(&file, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--base", "HEAD"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`retention waiver` is not a weakening's id"),
        "{stderr}"
    );
    assert!(stderr.contains("`5 december` is not a date"), "{stderr}");
    assert!(stderr.contains("an approval's `by` is empty"), "{stderr}");
    assert!(stderr.contains("ropa.toml:"), "at its place: {stderr}");
}
