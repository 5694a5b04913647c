//! `ropa.toml` and several reports per run: the configuration found from a subfolder, the
//! `[ci]` table, a monorepo's registers named in one run, and SARIF, JUnit and Markdown from
//! one run agreeing on the counts.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::root;

use std::path::PathBuf;
use std::process::Command;

/// A temporary folder holding the shipped register under `register/` and a `ropa.toml`.
struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    fn new(name: &str, config: &str) -> Workspace {
        let dir = std::env::temp_dir().join(format!("ropa-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("register")).expect("temp dir");
        std::fs::create_dir_all(dir.join("docs/deeper")).expect("subfolder");
        for entry in std::fs::read_dir(root().join("register")).expect("register") {
            let path = entry.expect("entry").path();
            std::fs::copy(
                &path,
                dir.join("register").join(path.file_name().expect("name")),
            )
            .expect("copy");
        }
        // The pack inside the workspace: ropa.toml names no path outside its repository.
        common::copy_dir(&root().join("policies"), &dir.join("policies"));
        let config = config.replace("POLICIES", "policies");
        std::fs::write(dir.join("ropa.toml"), config).expect("config");
        Workspace { dir }
    }

    /// Runs ropa in `from` (below the workspace); (stdout, stderr, exit).
    fn ropa(&self, from: &str, args: &[&str], ci: bool) -> (String, String, i32) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ropa"));
        command
            .args(args)
            .current_dir(self.dir.join(from))
            .env("NO_COLOR", "1")
            .env_remove("CI");
        if ci {
            command.env("CI", "true");
        }
        let out = command.output().expect("ropa runs");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).unwrap_or_default()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_nearest_config_is_found_from_a_subfolder_and_paths_stay_relative_to_it() {
    let ws = Workspace::new(
        "walk",
        "paths = [\"register\"]\npolicies = \"POLICIES\"\nfail-on = \"never\"\n",
    );
    let (out, err, code) = ws.ropa("docs/deeper", &["check", "--format", "json"], false);
    assert_eq!(code, 0, "fail-on never from the config: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let files: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| f.starts_with("register/")),
        "file names relative to the config's folder: {files:?}"
    );
    // A flag overrides the file.
    let (_, _, code) = ws.ropa("docs/deeper", &["check", "--fail-on", "error", "-q"], false);
    assert_eq!(code, 1);
    // And --no-config ignores it: from the subfolder there is no register.
    let (_, err, code) = ws.ropa("docs/deeper", &["--no-config", "check"], false);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn one_run_writes_sarif_junit_and_markdown_that_agree_on_the_counts() {
    let ws = Workspace::new(
        "reports",
        "paths = [\"register\"]\npolicies = \"POLICIES\"\n",
    );
    let (out, err, code) = ws.ropa(
        ".",
        &[
            "check",
            "--report",
            "sarif=out/ropa.sarif",
            "--report",
            "junit=ropa.xml",
            "--report",
            "markdown=summary.md",
            "--report",
            "json=ropa.json",
        ],
        false,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("ropa: "),
        "only the verdict on the terminal: {out}"
    );
    assert_eq!(out.lines().count(), 1);
    let json: serde_json::Value = serde_json::from_str(&ws.read("ropa.json")).expect("JSON");
    let errors = json["summary"]["errors"].as_u64().expect("errors");
    let warnings = json["summary"]["warnings"].as_u64().expect("warnings");
    let total = json["findings"].as_array().expect("findings").len() as u64;
    assert_eq!(errors + warnings, total);
    let sarif: serde_json::Value = serde_json::from_str(&ws.read("out/ropa.sarif")).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let level = |l: &str| results.iter().filter(|r| r["level"] == l).count() as u64;
    assert_eq!((level("error"), level("warning")), (errors, warnings));
    let junit = ws.read("ropa.xml");
    let doc = roxmltree::Document::parse(&junit).expect("XML");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count() as u64;
    assert_eq!(failures, total);
    let markdown = ws.read("summary.md");
    assert!(
        markdown.contains(&format!("{errors} errors, {warnings} warnings")),
        "{}",
        markdown.lines().next().unwrap_or_default()
    );
    // --quiet: nothing on the terminal, the reports still written.
    std::fs::remove_file(ws.dir.join("ropa.xml")).expect("remove");
    let (out, _, code) = ws.ropa(".", &["check", "-q", "--report", "junit=ropa.xml"], false);
    assert_eq!((out.as_str(), code), ("", 1));
    assert!(!ws.read("ropa.xml").is_empty());
}

#[test]
fn a_register_that_does_not_load_still_writes_every_report() {
    let ws = Workspace::new(
        "broken",
        "paths = [\"register\"]\npolicies = \"POLICIES\"\n",
    );
    let file = ws.dir.join("register/diensten.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("legal_basis:", "legal_bases:", 1)).expect("write");
    let (_, err, code) = ws.ropa(
        ".",
        &[
            "check",
            "--report",
            "sarif=ropa.sarif",
            "--report",
            "junit=ropa.xml",
            "--report",
            "human=ropa.txt",
        ],
        false,
    );
    assert_eq!(code, 2);
    assert!(err.contains("legal_bases"));
    assert!(ws.read("ropa.sarif").contains("ropa/unknown-key"));
    assert!(ws.read("ropa.xml").contains("unknown-key"));
    assert!(ws.read("ropa.txt").contains("did you mean"));
}

#[test]
fn in_ci_the_ci_table_writes_its_reports() {
    let ws = Workspace::new(
        "ci",
        "paths = [\"register\"]\npolicies = \"POLICIES\"\n[ci]\nreports = [\"sarif=ci.sarif\"]\n",
    );
    let (_, _, code) = ws.ropa(".", &["check"], false);
    assert_eq!(code, 1);
    assert!(ws.read("ci.sarif").is_empty(), "outside CI no report file");
    let (out, _, code) = ws.ropa(".", &["check"], true);
    assert_eq!(code, 1);
    assert!(ws.read("ci.sarif").contains("\"version\": \"2.1.0\""));
    assert_eq!(out.lines().count(), 1, "the verdict: {out}");
}

#[test]
fn a_monorepo_runs_every_register_in_one_run_with_findings_named_by_register() {
    let root_config = root().join("tests/cases/config-monorepo/ropa.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--config", &root_config.to_string_lossy()])
        .args(["check", "--format", "json"])
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let mut named: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["register"].as_str().unwrap_or("?"),
                f["file"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    named.dedup();
    assert!(named.iter().any(|(r, _)| *r == "nl"));
    assert!(named.iter().any(|(r, _)| *r == "be"));
    assert!(named
        .iter()
        .all(|(r, f)| f.starts_with(&format!("privacy/{r}/"))));
    assert_eq!(report["summary"]["activities"], 2);
    // SARIF, JUnit and GitLab name the register too.
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args(["--config", &root_config.to_string_lossy()])
            .args(["check", "--format", format])
            .env_remove("CI")
            .output()
            .expect("ropa runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("SARIF");
    let registers: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["properties"]["register"].as_str())
        .collect();
    assert_eq!(registers.len(), findings.len());
    let junit = run("junit");
    assert!(junit.contains("name=\"nl › fleet\""), "{junit}");
    assert!(run("gitlab").contains("[be] "));
}

#[path = "../benches/generate.rs"]
#[allow(
    dead_code,
    reason = "the benchmark's generator; this test uses part of it"
)]
mod generate;

#[test]
fn the_markdown_summary_of_10000_activities_stays_under_1_mib_and_says_what_it_left_out() {
    let dir = std::env::temp_dir().join(format!("ropa-markdown-10k-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate::generate(10_000, &dir).expect("generate");
    let policies = root().join("policies");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "check", "--format", "markdown", "--policies"])
        .arg(&policies)
        .arg(&dir)
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.len() <= 1_000_000, "{} bytes", text.len());
    assert!(
        text.len() > 900_000,
        "filled up to the limit: {} bytes",
        text.len()
    );
    assert!(text.starts_with("## ropa: "));
    let note = text.lines().last().unwrap_or_default();
    assert!(note.contains("rows left out"), "{note}");
}

/// The rules a JSON report's findings are from, with how often each fires.
fn fired(json: &str) -> std::collections::BTreeMap<String, usize> {
    let report: serde_json::Value = serde_json::from_str(json).expect("JSON");
    let mut counts = std::collections::BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        *counts
            .entry(finding["rule"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn accountability_settings_reach_the_rules() {
    let check = ["check", "--format", "json", "--today", "2026-11-28"];
    // Defaults: no review recorded is fine; a waiver to 2099 is too long.
    let ws = Workspace::new(
        "accountability",
        "paths = [\"register\"]\npolicies = \"POLICIES\"\n",
    );
    let file = ws.dir.join("register/diensten.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        format!("{text}\nwaivers:\n  - {{ rule: retention-required, activity: algemeen, reason: r, approved_by: FG, expires: 2099-12-31 }}\n"),
    )
    .expect("write");
    let (out, _, _) = ws.ropa(".", &check, false);
    let counts = fired(&out);
    assert_eq!(counts.get("waiver-term-too-long"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("review-overdue"), None, "{counts:?}");

    // require-review: every activity without `reviewed_on` and `owner` is overdue; a term of
    // three years still does not cover 2099.
    std::fs::write(
        ws.dir.join("ropa.toml"),
        "paths = [\"register\"]\npolicies = \"policies\"\nrequire-review = true\nwaiver-max-term = \"P3Y\"\n",
    )
    .expect("config");
    let (out, _, _) = ws.ropa(".", &check, false);
    let counts = fired(&out);
    assert_eq!(counts.get("review-overdue"), Some(&14), "{counts:?}");
    assert_eq!(counts.get("waiver-term-too-long"), Some(&1), "{counts:?}");

    // A term over three years is refused, as is an approver the list does not name.
    std::fs::write(
        ws.dir.join("ropa.toml"),
        "paths = [\"register\"]\npolicies = \"policies\"\nwaiver-max-term = \"P5Y\"\n",
    )
    .expect("config");
    let (_, err, code) = ws.ropa(".", &check, false);
    assert_eq!(code, 2);
    assert!(err.contains("`P5Y` is longer than P3Y"), "{err}");
    std::fs::write(
        ws.dir.join("ropa.toml"),
        "paths = [\"register\"]\npolicies = \"policies\"\napprovers = [\"FG De Linde\", \"Bestuur\"]\n",
    )
    .expect("config");
    let (_, err, code) = ws.ropa(".", &check, false);
    assert_eq!(code, 2);
    assert!(err.contains("`FG` is not one of the approvers"), "{err}");
}
