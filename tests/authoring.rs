//! What helps people write ropa's inputs: `ropa fmt` for the policies, `ropa schema` for the
//! register, `ropa init` for a first register.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ropa-authoring-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs ropa without a configuration file in `dir`; (stdout, stderr, exit).
fn ropa(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("--no-config")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn fmt_rewrites_a_policy_file_and_then_checks_clean() {
    let dir = temp("fmt");
    let policy = "@id(\"x\")\n@severity(\"error\")\n@message(\"m\")\nforbid (principal, action, resource) when { resource has retension };\n";
    std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
    std::fs::write(dir.join("policies/x.cedar"), policy).expect("write");
    let (_, _, code) = ropa(&dir, &["fmt", "--check"]);
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read"),
        policy,
        "--check changes nothing"
    );
    let (out, err, code) = ropa(&dir, &["fmt"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("formatted 1 of 1"), "{out}");
    let formatted = std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read");
    assert_ne!(formatted, policy);
    assert!(formatted.contains("resource has retension"));
    let (_, _, code) = ropa(&dir, &["fmt", "--check"]);
    assert_eq!(code, 0);
    // A file that does not parse: exit 2, and it is left as it was.
    std::fs::write(dir.join("policies/x.cedar"), "forbid (").expect("write");
    let (_, err, code) = ropa(&dir, &["fmt"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read"),
        "forbid ("
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_starts_a_register_that_validates_and_shows_its_first_findings() {
    let dir = temp("init");
    let (out, err, code) = ropa(&dir, &["init", "start", "--with-policies"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ropa check"), "{out}");
    let start = dir.join("start");
    // It finds its own ropa.toml: no flags.
    let (out, err, code) = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("validate")
        .current_dir(&start)
        .env_remove("CI")
        .output()
        .map(|o| {
            (
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
                o.status.code().unwrap_or(-1),
            )
        })
        .expect("ropa runs");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("ropa: valid: 1 activity in 3 files"),
        "{out}"
    );
    let check = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--format", "json"])
        .current_dir(&start)
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"works-council-personnel-data"), "{rules:?}");
    // The pack is the shipped one, byte for byte.
    let shipped = std::fs::read(root().join("policies/rules/retention-required.cedar"));
    let copied = std::fs::read(start.join("policies/rules/retention-required.cedar"));
    assert_eq!(shipped.expect("shipped"), copied.expect("copied"));
    // A second init writes nothing over it.
    let before = std::fs::read(start.join("register/activiteiten.yaml")).expect("read");
    std::fs::write(start.join("register/activiteiten.yaml"), "changed").expect("write");
    let (_, err, code) = ropa(&dir, &["init", "start"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already there"), "{err}");
    assert_eq!(
        std::fs::read_to_string(start.join("register/activiteiten.yaml")).expect("read"),
        "changed"
    );
    assert!(!before.is_empty());
    // Without the pack, it says where to get one.
    let (out, _, code) = ropa(&dir, &["init", "bare"]);
    assert_eq!(code, 0);
    assert!(out.contains("--with-policies"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
