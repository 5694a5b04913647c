//! The HTML report and the HTML annex in a real browser: headless Chromium (Debian's
//! `chromium`), driven by playwright-core from `tests/node`. The DOM is checked against the
//! JSON report, the filters are worked, and screenshots are saved under
//! `target/tmp/browser/` for a person to look at.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failed expectation is a failed test"
)]

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::root;
use serde_json::Value;

fn ropa(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run ropa")
}

#[test]
fn the_report_and_the_annex_in_chromium() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let report = dir.join("report.html");
    let annex = dir.join("annex.html");
    let written = ropa(&[
        "check",
        "--format",
        "html",
        "--output",
        report.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        written.status.code(),
        Some(1),
        "the shipped register has findings: {written:?}"
    );
    let written = ropa(&[
        "annex",
        "--format",
        "html",
        "--output",
        annex.to_str().expect("utf-8"),
    ]);
    assert_eq!(written.status.code(), Some(0), "{written:?}");

    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is not installed at {chromium}: `apt-get install chromium` (.ci/run does)"
    );
    let node = Command::new("node")
        .arg(root().join("tests/node/browser.cjs"))
        .args([&report, &annex, &dir])
        .env("NODE_PATH", root().join("tests/node/node_modules"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node: install Node.js and run `npm ci --prefix tests/node`");
    assert!(
        node.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&node.stderr)
    );
    let seen: Value = serde_json::from_slice(&node.stdout).expect("json");
    assert_eq!(
        seen["external"],
        Value::Array(vec![]),
        "the pages fetched something"
    );
    assert_eq!(seen["errors"], Value::Array(vec![]), "script errors");

    // The matrix's open findings per activity are the JSON report's.
    let json = ropa(&["check", "--format", "json"]);
    let report_json: Value = serde_json::from_slice(&json.stdout).expect("json report");
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for finding in report_json["findings"].as_array().expect("findings") {
        let activity = finding["activity"].as_str().unwrap_or("").to_string();
        *expected.entry(activity).or_default() += 1;
    }
    // The page says what no findings does not mean, where a board reads it.
    assert!(
        seen["notCompliance"]
            .as_str()
            .is_some_and(|t| t.contains("No findings does not mean compliant")),
        "{}",
        seen["notCompliance"]
    );
    let matrix = seen["matrix"].as_array().expect("matrix");
    assert_eq!(matrix.len(), 15, "the organisation and 14 activities");
    let mut got: BTreeMap<String, u64> = BTreeMap::new();
    for row in matrix {
        let activity = row["activity"].as_str().expect("activity").to_string();
        let cells: u64 = row["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .map(|c| c["open"].as_u64().expect("open"))
            .sum();
        assert_eq!(cells, row["total"].as_u64().expect("total"), "{activity}");
        for cell in row["cells"].as_array().expect("cells") {
            let state = cell["state"].as_str().expect("state");
            let text = cell["text"].as_str().expect("text");
            // Colour is never the only carrier: every state has its word.
            let word = match state {
                "open-error" | "open-warning" => "open",
                "waived" => "waived",
                "met" => "met",
                _ => "n/a",
            };
            assert!(
                text.contains(word),
                "{activity}: {state} cell says `{text}`"
            );
            assert_eq!(state.starts_with("open"), cell["open"].as_u64() > Some(0));
        }
        if cells > 0 {
            got.insert(activity, cells);
        }
    }
    assert_eq!(
        got, expected,
        "open findings per activity: matrix vs JSON report"
    );
    let total: u64 = expected.values().sum();
    assert_eq!(seen["all"].as_array().expect("all").len() as u64, total);
    assert_eq!(seen["shown"], format!("{total} of {total} findings shown"));

    // Unticking warnings hides every warning and only them.
    let warnings = report_json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "warning")
        .count() as u64;
    assert!(warnings > 0);
    let without = seen["withoutWarnings"].as_array().expect("filtered");
    assert_eq!(without.len() as u64, total - warnings);
    assert!(without.iter().all(|f| f["severity"] == "error"));

    let one_rule = seen["oneRule"].as_array().expect("one rule");
    assert!(!one_rule.is_empty());
    assert!(one_rule.iter().all(|f| f["rule"] == "retention-required"));
    let one_activity = seen["oneActivity"].as_array().expect("one activity");
    assert_eq!(one_activity.len() as u64, expected["wagenparkbeheer"]);
    assert!(one_activity
        .iter()
        .all(|f| f["activity"] == "wagenparkbeheer"));
    assert_eq!(
        seen["sectionsShown"],
        serde_json::json!(["wagenparkbeheer"])
    );
    assert_eq!(seen["rowsShown"], serde_json::json!(["wagenparkbeheer"]));
    assert_eq!(seen["afterReset"].as_u64(), Some(total));

    assert_eq!(seen["firstTab"], "Skip to the findings");
    assert_eq!(
        seen["fitsAt200"], true,
        "the page scrolls sideways at 200% zoom"
    );
    assert_eq!(seen["filtersInPrint"], "none");

    // The annex: one row per activity, the seed's columns.
    let rows = seen["annexRows"].as_array().expect("annex rows");
    assert_eq!(rows.len(), 14);
    assert_eq!(rows[0]["service"], "Algemeen");
    assert_eq!(rows[0]["items"], 10);
    assert_eq!(
        seen["annexHeadings"],
        serde_json::json!([
            "Dienst",
            "Type persoonsgegevens",
            "Doeleinden",
            "Grondslag voor verwerking",
            "Betrokken (sub)verwerkers"
        ])
    );
    for shot in [
        "report.png",
        "report-filtered.png",
        "report-200.png",
        "annex.png",
    ] {
        let size = std::fs::metadata(dir.join(shot)).expect(shot).len();
        assert!(size > 10_000, "{shot} is {size} bytes");
    }
}
