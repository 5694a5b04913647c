//! An activity renamed with `previous_ids` keeps its findings across the change: against the
//! base they are existing, not resolved and new again.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{git, root, temp};

use std::process::Command;

fn change(dir: &std::path::Path) -> serde_json::Value {
    report(dir)["summary"].clone()
}

/// The JSON report of `check --base HEAD` in `dir`.
fn report(dir: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args([
            "--no-config",
            "check",
            "register",
            "--base",
            "HEAD",
            "--format",
            "json",
        ])
        .arg("--policies")
        .arg(root().join("policies"))
        .current_dir(dir)
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_renamed_activity_with_its_previous_id_brings_no_new_finding() {
    let dir = temp("rename");
    common::copy_dir(&root().join("register"), &dir.join("register"));
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "register"]);
    git(&dir, &["commit", "-q", "-m", "register"]);
    let file = dir.join("register/diensten.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("  - id: algemeen\n"));
    // Renamed without saying so: its findings are new, and the old ones resolved.
    std::fs::write(
        &file,
        text.replacen("  - id: algemeen\n", "  - id: klantcontacten\n", 1),
    )
    .expect("write");
    let bare = change(&dir);
    assert!(bare["new"].as_u64() > Some(0), "{bare}");
    // Renamed with its previous id: nothing new, nothing resolved.
    std::fs::write(
        &file,
        text.replacen(
            "  - id: algemeen\n",
            "  - id: klantcontacten\n    previous_ids: [algemeen]\n",
            1,
        ),
    )
    .expect("write");
    let kept = change(&dir);
    assert_eq!(kept["new"], 0, "{kept}");
    assert_eq!(kept["resolved"], 0, "{kept}");
}

/// The `gate-weakened` findings' messages of a report.
fn weakened(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "gate-weakened")
        .filter_map(|f| f["message"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_waiver_moves_with_its_renamed_activity_and_adds_nothing() {
    let dir = temp("rename-waiver");
    common::copy_dir(&root().join("register"), &dir.join("register"));
    let waivers = dir.join("register/waivers.yaml");
    let waiver = |activity: &str| {
        format!(
            "waivers:\n  - rule: retention-required\n    activity: {activity}\n    reason: Schedule being drafted\n    approved_by: DPO\n    expires: 2027-03-31\n"
        )
    };
    std::fs::write(&waivers, waiver("algemeen")).expect("write");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "register"]);
    git(&dir, &["commit", "-q", "-m", "register"]);
    let file = dir.join("register/diensten.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&waivers, waiver("klantcontacten")).expect("write");
    // Renamed without saying so: the waiver on the new id is a waiver added.
    std::fs::write(
        &file,
        text.replacen("  - id: algemeen\n", "  - id: klantcontacten\n", 1),
    )
    .expect("write");
    let bare = weakened(&report(&dir));
    assert_eq!(bare.len(), 1, "{bare:?}");
    assert!(bare[0].contains("on activity `klantcontacten`"), "{bare:?}");
    // Renamed with its previous id: the waiver moved with it, nothing weakened.
    std::fs::write(
        &file,
        text.replacen(
            "  - id: algemeen\n",
            "  - id: klantcontacten\n    previous_ids: [algemeen]\n",
            1,
        ),
    )
    .expect("write");
    let kept = report(&dir);
    assert!(weakened(&kept).is_empty(), "{kept}");
    assert_eq!(kept["summary"]["new"], 0, "{kept}");
    // A waiver left on an activity that is gone stops the run at the waiver.
    std::fs::write(&waivers, waiver("algemeen")).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "check", "register", "--base", "HEAD"])
        .arg("--policies")
        .arg(root().join("policies"))
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown activity"), "{stderr}");
    assert!(stderr.contains("waivers.yaml:3"), "{stderr}");
}
