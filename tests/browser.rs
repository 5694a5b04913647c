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

/// Runs ropa in `dir`; it must exit with `code`.
fn ropa_in(dir: &std::path::Path, args: &[&str], code: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run ropa");
    assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
}

/// A school board (a public authority and controller, pupils, parents and staff, processors
/// in the US and India) reads its register in Dutch: the HTML report with what makes each
/// activity lawful, the annex a parent council gets, the JSON-LD and the workbook. The pages
/// are read in Chromium; full-page screenshots are saved under `target/tmp/browser-school/`.
#[test]
fn a_school_boards_dutch_documents_in_chromium() {
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-school");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("mkdir");
    let repo = common::temp("school-repo");
    common::copy_dir(
        &root().join("tests/fixtures/school-board/register"),
        &repo.join("register"),
    );
    common::copy_dir(&root().join("policies"), &repo.join("policies"));
    common::git(&repo, &["init", "-q"]);
    common::git(&repo, &["add", "register", "policies"]);
    common::git(&repo, &["commit", "-q", "-m", "register"]);
    let commit = Command::new("git")
        .args(["log", "-1", "--format=%h"])
        .current_dir(&repo)
        .output()
        .expect("git log");
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_string();

    let path = |name: &str| shots.join(name).to_str().expect("utf-8").to_string();
    let (report, annex, jsonld, xlsx) = (
        path("school-report.html"),
        path("school-annex.html"),
        path("school.jsonld"),
        path("school.xlsx"),
    );
    let nl = ["--no-config", "--lang", "nl", "--today", "2026-12-05"];
    let with = |args: &[&'static str], more: &[&str]| -> Vec<String> {
        args.iter()
            .map(|s| s.to_string())
            .chain(more.iter().map(|s| s.to_string()))
            .chain(nl.iter().map(|s| s.to_string()))
            .collect()
    };
    let run = |args: Vec<String>, code| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ropa_in(&repo, &args, code);
    };
    run(
        with(&["check", "--format", "html", "--output"], &[&report]),
        1,
    );
    run(
        with(&["annex", "--format", "html", "--output"], &[&annex])
            .into_iter()
            .filter(|a| a != "--today" && a != "2026-12-05")
            .collect(),
        0,
    );
    run(
        with(
            &["export", "--format", "dpv-jsonld", "--output"],
            &[&jsonld],
        ),
        0,
    );
    run(
        with(&["export", "--format", "ico-xlsx", "--output"], &[&xlsx]),
        0,
    );

    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is not installed at {chromium}: `apt-get install chromium` (.ci/run does)"
    );
    let node = Command::new("node")
        .arg(root().join("tests/node/school.cjs"))
        .args([&report, &annex, shots.to_str().expect("utf-8")])
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

    // The report: Dutch, saying what no findings does not mean.
    assert_eq!(seen["lang"], "nl");
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    assert!(
        text(&seen["notCompliance"]).starts_with("Geen bevindingen betekent niet"),
        "{}",
        seen["notCompliance"]
    );
    assert!(text(&seen["shown"]).contains("bevindingen getoond"));
    let headings: Vec<String> = seen["matrixHeadings"]
        .as_array()
        .expect("headings")
        .iter()
        .map(text)
        .collect();
    for heading in [
        "Activiteit",
        "Doelen",
        "Ontvangers",
        "Bewaartermijn",
        "Grondslag",
    ] {
        assert!(
            headings.iter().any(|h| h == heading),
            "{heading}: {headings:?}"
        );
    }
    assert!(text(&seen["footer"]).contains(&format!("Versie: {commit}")));
    assert!(text(&seen["footer"]).contains("Beoordeeld per 2026-12-05"));
    // Each record shows what makes the activity lawful.
    let records = seen["records"].as_array().expect("records");
    assert_eq!(records.len(), 10);
    let field = |activity: &str, name: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r["activity"] == activity)
            .flat_map(|r| r["fields"].as_array().expect("fields").iter())
            .filter(|f| f[0] == name)
            .map(|f| text(&f[1]))
            .collect()
    };
    let sick = "verzuim";
    assert_eq!(
        field(sick, "Voorwaarde art. 9 lid 2"),
        vec!["article: 9(2)(b); ref: UAVG art. 30".to_string()]
    );
    assert_eq!(
        field(sick, "Medezeggenschap"),
        vec!["consent_ref: GMR-2024-04".to_string()]
    );
    assert!(field(sick, "Verwerkers")[0].contains("Google LLC (US)"));
    assert_eq!(
        field(sick, "Rol"),
        vec!["verwerkingsverantwoordelijke".to_string()]
    );
    assert_eq!(
        field("schoolfotos", "Bewaartermijn"),
        vec!["2 jaar".to_string()]
    );
    assert!(field("schoolfotos", "Doorgiften")[0].contains("Retouch Services Pvt Ltd (IN"));
    assert!(field("schoolfotos", "Doorgiftetoets (TIA)")[0].contains("TIA-FOTO-01"));
    // What to do, in Dutch, on every finding.
    let helps: Vec<String> = records
        .iter()
        .flat_map(|r| r["help"].as_array().expect("help").iter().map(text))
        .collect();
    assert!(!helps.is_empty());
    assert!(
        helps.iter().all(|h| h.starts_with("Wat te doen:")),
        "{helps:?}"
    );

    // The annex a parent council reads.
    assert_eq!(seen["annexLang"], "nl");
    assert_eq!(seen["annexTitle"], "Register van verwerkingsactiviteiten");
    assert!(text(&seen["annexContact"]).contains("Functionaris gegevensbescherming: FG De Linde"));
    assert!(text(&seen["annexVersion"]).contains(&commit));
    assert_eq!(
        seen["annexHeadings"],
        serde_json::json!([
            "Verwerking",
            "Doeleinden",
            "Grondslag voor verwerking",
            "Betrokkenen",
            "Type persoonsgegevens",
            "Bewaartermijn",
            "Ontvangers",
            "Verwerkers (land)",
            "Doorgiften buiten de EER"
        ])
    );
    let rows = seen["annexRows"].as_array().expect("rows");
    assert_eq!(rows.len(), 10);
    let row = |activity: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r["activity"] == activity)
            .map(|r| {
                r["cells"]
                    .as_array()
                    .expect("cells")
                    .iter()
                    .map(text)
                    .collect()
            })
            .unwrap_or_default()
    };
    let photos = row("schoolfotos");
    assert!(photos[2].contains("Leerling"), "{photos:?}");
    assert_eq!(photos[4], "2 jaar");
    assert!(
        photos[6].contains("Retouch Services Pvt Ltd (IN)"),
        "{photos:?}"
    );
    assert!(photos[7].contains("modelcontractbepalingen"), "{photos:?}");
    let parents = row("ouderapp");
    assert!(parents[2].contains("Ouder of voogd"), "{parents:?}");
    assert!(parents[6].contains("Zendesk Inc. (US)"), "{parents:?}");

    // The JSON-LD: every processor a recipient, the third countries named.
    let graph: Value =
        serde_json::from_str(&std::fs::read_to_string(&jsonld).expect("jsonld")).expect("json");
    let parts = graph["dct:hasPart"].as_array().expect("activities");
    let countries: std::collections::BTreeSet<String> = parts
        .iter()
        .flat_map(|a| {
            a["dpv:hasThirdCountry"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|c| c.to_string())
        .collect();
    for code in ["US", "IN"] {
        assert!(
            countries.iter().any(|c| c.contains(code)),
            "{code}: {countries:?}"
        );
    }
    assert!(parts.iter().all(|a| a["dpv:hasRecipient"].is_array()));

    // The workbook: no bare "None", the register's own labels.
    use calamine::{open_workbook, Reader, Xlsx};
    let mut workbook: Xlsx<_> = open_workbook(&xlsx).expect("open xlsx");
    let mut labels = false;
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("sheet");
        for cell in range.cells() {
            let value = cell.2.to_string();
            assert!(
                !value.lines().any(|l| l.trim() == "None"),
                "{name}: a bare None in {value:?}"
            );
            labels |= value.contains("Leerlingadministratie");
        }
    }
    assert!(labels, "the activities by their names");
    for shot in ["school-report.png", "school-annex.png"] {
        let size = std::fs::metadata(shots.join(shot)).expect(shot).len();
        assert!(size > 20_000, "{shot} is {size} bytes");
    }
}
