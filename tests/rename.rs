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
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    report["summary"].clone()
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
