//! The machine formats: SARIF against its schema, JUnit through an XML parser, GitHub
//! annotations and fingerprints against the JSON report, and atomic `--output`.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs ropa from the repository root; returns stdout and the exit code.
fn ropa(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

const REGISTERS: [&str; 2] = ["tests/fixtures/formats/register", "register"];

/// (file, line, column, end line, end column, rule) of each finding, from the JSON report.
fn json_places(register: &str) -> Vec<(String, u64, u64, u64, u64, String)> {
    let (out, _) = ropa(&["check", register, "--format", "json"]);
    let report = json(&out);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["end_line"].as_u64().unwrap_or(0),
                f["end_column"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn repair_language_patterns(value: &mut Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        Value::String(text) if text == BROKEN => {
            *text = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
            1
        }
        Value::Object(map) => map.values_mut().map(repair_language_patterns).sum(),
        Value::Array(items) => items.iter_mut().map(repair_language_patterns).sum(),
        _ => 0,
    }
}

/// A validator for the vendored SARIF 2.1.0 schema.
fn sarif_validator() -> jsonschema::Validator {
    let mut schema = json(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json"))
            .expect("schema"),
    );
    // The published 2.1.0 schema's `language` patterns have a stray `]`, which a strict
    // validator rejects as a regex; repair them in memory (the file stays as published) and
    // insist they are there, so an updated schema is noticed.
    assert_eq!(repair_language_patterns(&mut schema), 2);
    // This copy keeps the log's own schema under `definitions.Root` and nothing at its top
    // level, which would accept any document: validate against `Root` explicitly.
    assert!(
        schema["definitions"]["Root"].is_object(),
        "the schema defines Root"
    );
    assert!(schema.get("properties").is_none() && schema.get("$ref").is_none());
    schema["$ref"] = Value::from("#/definitions/Root");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    for register in REGISTERS {
        let (out, _) = ropa(&["check", register, "--format", "sarif"]);
        let log = json(&out);
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{register}: {errors:#?}");
        // The regions are the JSON report's positions, in the same order.
        let results = log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .clone();
        let places = json_places(register);
        assert_eq!(results.len(), places.len());
        for (result, (file, line, column, end_line, end_column, rule)) in results.iter().zip(places)
        {
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or_default();
            assert_eq!(
                uri.replace("%20", " ")
                    .replace("%3C", "<")
                    .replace("%3E", ">"),
                file
            );
            assert_eq!(location["region"]["startLine"], line);
            assert_eq!(location["region"]["startColumn"], column);
            assert_eq!(location["region"]["endLine"], end_line);
            assert_eq!(location["region"]["endColumn"], end_column);
            assert_eq!(result["ruleId"], rule.as_str());
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                rule.as_str()
            );
        }
    }
    // Negative control: the validator does reject a broken log.
    let (out, _) = ropa(&["check", REGISTERS[0], "--format", "sarif"]);
    let mut broken = json(&out);
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_for_problems_validates_and_points_at_each_problem() {
    let mut schema = json(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json"))
            .expect("schema"),
    );
    assert_eq!(repair_language_patterns(&mut schema), 2);
    schema["$ref"] = Value::from("#/definitions/Root");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let (out, code) = ropa(&[
        "check",
        "tests/fixtures/broken/register",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 2);
    let log = json(&out);
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let (problems, _) = ropa(&[
        "check",
        "tests/fixtures/broken/register",
        "--format",
        "json",
    ]);
    let problems = json(&problems);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let listed = problems["problems"].as_array().expect("problems");
    assert_eq!(results.len(), listed.len());
    assert!(
        results.len() >= 3,
        "unknown key, unknown legal basis, duplicate id"
    );
    for (result, problem) in results.iter().zip(listed) {
        assert_eq!(
            result["ruleId"],
            format!("ropa/{}", problem["code"].as_str().unwrap_or_default()).as_str()
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], problem["line"]);
        assert_eq!(region["startColumn"], problem["column"]);
    }
}

#[test]
fn junit_parses_and_counts_every_finding() {
    for register in REGISTERS {
        let (out, _) = ropa(&["check", register, "--format", "junit"]);
        let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
        let suites = doc.root_element();
        assert_eq!(suites.tag_name().name(), "testsuites");
        let places = json_places(register);
        let failures: Vec<roxmltree::Node<'_, '_>> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .collect();
        assert_eq!(failures.len(), places.len());
        assert_eq!(
            suites.attribute("failures"),
            Some(places.len().to_string().as_str())
        );
        let cases = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(suites.attribute("tests"), Some(cases.to_string().as_str()));
        // Every failing case names its file and line as the JSON report does.
        let mut lines: Vec<(String, String)> = failures
            .iter()
            .filter_map(|f| f.parent())
            .map(|case| {
                (
                    case.attribute("file").unwrap_or_default().to_string(),
                    case.attribute("line").unwrap_or_default().to_string(),
                )
            })
            .collect();
        let mut want: Vec<(String, String)> = places
            .iter()
            .map(|p| (p.0.clone(), p.1.to_string()))
            .collect();
        lines.sort();
        want.sort();
        assert_eq!(lines, want);
    }
}

#[test]
fn junit_for_problems_parses_with_one_error_per_problem() {
    let (out, code) = ropa(&[
        "check",
        "tests/fixtures/broken/register",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 2);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let errors = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .count();
    assert_eq!(
        doc.root_element().attribute("errors"),
        Some(errors.to_string().as_str())
    );
    assert!(errors >= 3);
}

#[test]
fn github_annotations_point_at_the_json_positions() {
    for register in REGISTERS {
        let (out, _) = ropa(&["check", register, "--format", "github"]);
        let places = json_places(register);
        // A notice first says how many GitHub will not show, when there are more than 10.
        let errors = places.len();
        let lines: Vec<&str> = out
            .lines()
            .filter(|l| !l.starts_with("::notice title=ropa::"))
            .collect();
        assert_eq!(
            out.lines().count() - lines.len(),
            usize::from(errors > 10),
            "{out}"
        );
        assert_eq!(lines.len(), places.len());
        for (line, (file, l, c, el, ec, rule)) in lines.iter().zip(places) {
            let (command, rest) = line.split_once(' ').expect("command");
            assert!(command == "::error" || command == "::warning", "{line}");
            let (props, _message) = rest.split_once("::").expect("message");
            let props: Vec<(&str, &str)> =
                props.split(',').filter_map(|p| p.split_once('=')).collect();
            let get = |k: &str| {
                props
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            };
            let file_prop = get("file")
                .unwrap_or_default()
                .replace("%2C", ",")
                .replace("%3A", ":");
            assert_eq!(file_prop, file);
            assert_eq!(get("line"), Some(l.to_string()));
            assert_eq!(get("col"), Some(c.to_string()));
            assert_eq!(get("endLine"), Some(el.to_string()));
            assert_eq!(get("endColumn"), Some(ec.to_string()));
            assert_eq!(get("title"), Some(rule));
        }
    }
}

/// (rule, activity, target) -> fingerprint, and the lines, from a SARIF run.
fn sarif_prints(register: &Path) -> Vec<(String, String, u64)> {
    let (out, _) = ropa(&["check", &register.to_string_lossy(), "--format", "sarif"]);
    let log = json(&out);
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let key = format!(
                "{} {} {}",
                r["ruleId"].as_str().unwrap_or_default(),
                r["properties"]["activity"].as_str().unwrap_or_default(),
                r["properties"]["target"].as_str().unwrap_or_default()
            );
            let print = r["partialFingerprints"]["ropaFinding/v1"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap_or(0);
            (key, print, line)
        })
        .collect()
}

#[test]
fn fingerprints_survive_unrelated_edits_and_are_unique() {
    let dir = temp("fingerprints");
    let src = root().join("register");
    for entry in std::fs::read_dir(&src).expect("register") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
    }
    let before = sarif_prints(&dir);
    let prints: std::collections::BTreeSet<&String> = before.iter().map(|(_, p, _)| p).collect();
    assert_eq!(
        prints.len(),
        before.len(),
        "fingerprints are unique within a run"
    );

    // An unrelated edit: comment lines at the top of the activities file, and a new,
    // complete activity in a new file.
    let activities = dir.join("diensten.yaml");
    let text = std::fs::read_to_string(&activities).expect("read");
    std::fs::write(&activities, format!("# herzien\n# door de FG\n{text}")).expect("write");
    std::fs::write(
        dir.join("extra.yaml"),
        "activities:\n  - id: nieuw\n    role: controller\n    data_subjects: [customer_contact]\n    purposes: [{ id: p, text: P }]\n    legal_basis: [{ basis: legal_obligation, ref: Wet LB 1964 art. 28 }]\n    retention: { period: P1Y }\n    security_measures: ISMS\n    recipients: none\n    data: [{ category: name }]\n",
    )
    .expect("write");
    let after = sarif_prints(&dir);
    assert_eq!(
        after.len(),
        before.len(),
        "the new activity adds no finding"
    );
    let mut moved = 0;
    for ((key_b, print_b, line_b), (key_a, print_a, line_a)) in before.iter().zip(&after) {
        assert_eq!(key_b, key_a);
        assert_eq!(print_b, print_a, "{key_b}");
        if line_a != line_b {
            moved += 1;
        }
    }
    assert!(
        moved > 0,
        "the edit moved findings, and their fingerprints held"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_is_written_whole_and_the_summary_goes_to_the_terminal() {
    let dir = temp("output");
    let file = dir.join("ropa.sarif");
    let (stdout, code) = ropa(&[
        "check",
        "--format",
        "sarif",
        "--output",
        &file.to_string_lossy(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("ropa: 63 errors, 13 warnings"),
        "{stdout}"
    );
    let (direct, _) = ropa(&["check", "--format", "sarif"]);
    assert_eq!(std::fs::read_to_string(&file).expect("report"), direct);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    // A missing folder is made.
    let nested = dir.join("reports").join("ropa.sarif");
    let (_, code) = ropa(&[
        "check",
        "--format",
        "sarif",
        "--output",
        &nested.to_string_lossy(),
    ]);
    assert_eq!(code, 1);
    assert!(nested.is_file());

    // An unwritable target (its folder is a file): exit 2, and nothing is written or left
    // behind.
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "x").expect("write");
    let missing = blocker.join("ropa.sarif");
    let (_, code) = ropa(&[
        "check",
        "--format",
        "sarif",
        "--output",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(!missing.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn against_a_base_sarif_github_and_markdown_say_what_the_change_did() {
    // The base: the shipped register, where cloud computing still had a retention criterion
    // and Algemeen a transfer to the US without a transfer tool.
    let base = temp("change-base");
    std::fs::create_dir_all(base.join("register")).expect("base dir");
    for entry in std::fs::read_dir(root().join("register")).expect("register") {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("read");
        text = text.replacen(
            "  - id: cloud-computing\n",
            "  - id: cloud-computing\n    retention: { criterion: tot het einde van de overeenkomst }\n",
            1,
        );
        text = text.replacen(
            "  - id: algemeen\n",
            "  - id: algemeen\n    transfers: [{ to: CRM Inc., country: US }]\n",
            1,
        );
        std::fs::write(
            base.join("register").join(path.file_name().expect("name")),
            text,
        )
        .expect("write");
    }
    let base_dir = base.to_string_lossy().into_owned();
    let with_base = |format: &str, extra: &[&str]| {
        let mut args = vec!["check", "--base-dir", base_dir.as_str(), "--format", format];
        args.extend(extra);
        ropa(&args).0
    };

    let log = json(&with_base("sarif", &[]));
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let states = |state: &str| -> Vec<(String, String)> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["baselineState"] == state)
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or("").to_string(),
                    r["properties"]["activity"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        states("new"),
        [(
            "retention-required".to_string(),
            "cloud-computing".to_string()
        )]
    );
    assert_eq!(states("unchanged").len(), 75);
    // The finding the change resolved is counted, not listed: code scanning closes it, and
    // refuses a result without a location. Every result has one.
    assert!(states("absent").is_empty());
    assert_eq!(log["runs"][0]["properties"]["resolvedSinceBase"], 1);
    for result in log["runs"][0]["results"].as_array().expect("results") {
        assert!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string()
                && result["locations"][0]["physicalLocation"]["region"]["startLine"].is_number(),
            "a result without a location: {result}"
        );
    }

    // JUnit: only the change's finding fails; the base's are skipped cases, on the record.
    let junit = with_base("junit", &[]);
    let doc = roxmltree::Document::parse(&junit).expect("JUnit XML");
    let top = doc.root_element();
    assert_eq!(top.attribute("failures"), Some("1"), "{}", &junit[..300]);
    assert_eq!(top.attribute("skipped"), Some("75"));
    assert!(junit.contains("existing before this change"));
    // GitLab Code Quality: the base's findings are `info`, the new one keeps its severity.
    let quality = json(&with_base("gitlab", &[]));
    let issues = quality.as_array().expect("issues");
    let info = issues.iter().filter(|i| i["severity"] == "info").count();
    assert_eq!(info, 75);
    assert_eq!(issues.len() - info, 1);

    let annotations = with_base("github", &[]);
    assert_eq!(annotations.lines().count(), 1, "{annotations}");
    assert!(
        annotations.contains("title=retention-required"),
        "{annotations}"
    );
    let all = with_base("github", &["--all"]);
    assert_eq!(all.lines().count(), 77, "76 annotations and the notice");
    assert!(all.starts_with("::notice title=ropa::"));
    assert!(
        all.lines()
            .nth(1)
            .is_some_and(|l| l.contains("title=retention-required")),
        "the new finding first"
    );

    // JUnit names the new finding's case.
    let junit = with_base("junit", &[]);
    let new_cases: Vec<&str> = junit
        .lines()
        .filter(|l| l.contains("<testcase ") && l.contains(" (new)\""))
        .collect();
    assert_eq!(new_cases.len(), 1, "{new_cases:?}");
    assert!(
        new_cases[0].contains("cloud-computing (new)"),
        "{}",
        new_cases[0]
    );

    let markdown = with_base("markdown", &[]);
    assert!(
        markdown.starts_with("## ropa: this change brings 1 new finding, resolves 1"),
        "{markdown}"
    );
    assert!(markdown.contains("`third-country-transfer-safeguard` activity algemeen"));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn waivers_live_expiring_expired_and_unused_in_every_format() {
    let register = "tests/fixtures/waivers";
    let run = |format: &str, extra: &[&str]| {
        let mut args = vec![
            "check",
            register,
            "--today",
            "2026-11-28",
            "--format",
            format,
        ];
        args.extend(extra);
        ropa(&args).0
    };
    let report = json(&run("json", &[]));
    let rules: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("waiver-") || r == "retention-required")
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or(""),
                f["activity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("retention-required", "web"),
            ("waiver-expiring", "hr"),
            ("waiver-expired", "web"),
            ("waiver-unused", "archive"),
        ]
    );
    let waived: Vec<(&str, &str)> = report["waived"]
        .as_array()
        .expect("waived")
        .iter()
        .map(|w| {
            (
                w["activity"].as_str().unwrap_or(""),
                w["waiver"]["expires"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(waived, [("crm", "2027-06-30"), ("hr", "2026-12-15")]);
    assert_eq!(report["summary"]["waived"], 2);

    let log = json(&run("sarif", &[]));
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let suppressed: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .map(|r| r["suppressions"][0]["justification"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        suppressed,
        [
            "Bewaartermijn in afwachting van selectielijst",
            "HR-bewaarschema volgt"
        ]
    );

    let junit = run("junit", &[]);
    let doc = roxmltree::Document::parse(&junit).expect("JUnit parses");
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!(skipped, 2);
    assert_eq!(doc.root_element().attribute("skipped"), Some("2"));

    let human = run("human", &["--show-waived"]);
    assert!(human.contains("── waived"), "{human}");
    assert!(
        human.contains("until 2026-12-15, approved by FG: HR-bewaarschema volgt"),
        "{human}"
    );
    assert!(!run("human", &[]).contains("── waived"));
    // A day later the expiring waiver is still live; after 2026-12-15 it is expired.
    let later = json(
        &ropa(&[
            "check",
            register,
            "--today",
            "2026-12-16",
            "--format",
            "json",
        ])
        .0,
    );
    assert_eq!(later["summary"]["waived"], 1);
}

/// Two reports in one place are refused before anything is written: two in one file (the
/// second would replace the first, however the path is spelt), two on standard output.
#[test]
fn two_reports_in_one_place_are_refused() {
    let dir = temp("clash");
    let file = dir.join("report.out");
    let again = dir.join(".").join("report.out");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--quiet", "--report"])
        .arg(format!("sarif={}", file.display()))
        .arg("--report")
        .arg(format!("junit={}", again.display()))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the `sarif` and `junit` reports would both be written to"),
        "{stderr}"
    );
    assert!(!file.exists(), "nothing written");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--report", "github", "--report", "markdown"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`github` and `markdown` would both go to standard output"),
        "{stderr}"
    );
}
