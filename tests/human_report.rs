//! The human report reads in one pass: on the shipped register a finding takes at most 12
//! lines on average (its rule, message, the labelled lines, what to do in one line and the
//! article), no line ends in a space, and every rule says in one line what to do.
#![allow(
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::root;

use std::process::Command;

fn human(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("ROPA_CACHE", "off")
        .output()
        .expect("ropa runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_finding_of_the_shipped_register_takes_at_most_twelve_lines_on_average() {
    let report = human(&["check", "--color", "never", "--today", "2026-12-05"]);
    let findings = report
        .lines()
        .filter(|l| l.starts_with("  × ") || l.starts_with("  ⚠ "))
        .count();
    assert!(findings >= 70, "{findings} findings");
    let lines = report.lines().count();
    assert!(
        lines <= findings * 12,
        "{lines} lines for {findings} findings"
    );
    // What to do is one line of the rule's own; the long help is not repeated.
    assert!(!report.contains("This is the controller's duty"));
    assert_eq!(report.matches("help: record the balancing test").count(), 1);
    // `--verbose` gives each finding its rule's whole help.
    let verbose = human(&[
        "check",
        "--color",
        "never",
        "--verbose",
        "--today",
        "2026-12-05",
    ]);
    assert!(verbose.contains("purpose test, necessity test, balancing test"));
    assert!(verbose.lines().count() > lines);
}

#[test]
fn in_dutch_too_a_finding_takes_at_most_twelve_lines_on_average() {
    let report = human(&[
        "check",
        "--lang",
        "nl",
        "--color",
        "never",
        "--today",
        "2026-12-05",
    ]);
    let findings = report
        .lines()
        .filter(|l| l.starts_with("  × ") || l.starts_with("  ⚠ "))
        .count();
    assert!(findings >= 70, "{findings} findings");
    let lines = report.lines().count();
    assert!(
        lines <= findings * 12,
        "{lines} lines for {findings} findings"
    );
}

#[test]
fn no_line_of_the_human_report_ends_in_a_space() {
    for args in [
        &["check", "--color", "never"][..],
        &[
            "check",
            "--color",
            "never",
            "--verbose",
            "--show-declarations",
        ][..],
        &[
            "check",
            "tests/fixtures/sectors/hr-logistiek",
            "--color",
            "never",
        ][..],
    ] {
        let report = human(args);
        assert!(!report.is_empty());
        for (n, line) in report.lines().enumerate() {
            assert!(!line.ends_with(' '), "{args:?} line {}: {line:?}", n + 1);
        }
    }
}

#[test]
fn every_shipped_rule_says_in_one_line_what_to_do() {
    let json = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["rules", "--format", "json"])
        .current_dir(root())
        .output()
        .expect("ropa runs");
    let rules: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let rules = rules.as_array().expect("a list");
    assert!(rules.len() >= 78);
    for rule in rules {
        let fix = rule["fix"].as_str().unwrap_or_default();
        assert!(
            !fix.is_empty() && fix.len() <= 120 && !fix.contains('\n'),
            "{}: {fix:?}",
            rule["id"]
        );
    }
}
