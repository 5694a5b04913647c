//! Registers rebuilt from trials of ropa by the people it is for. A primary-school board (a
//! public authority, a controller) keeps nine processors of its own and five that those
//! processors engaged: Art. 28(2) (authorisation, notice) binds only the latter.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, root, temp};

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The entries engaged by the board's processors, not by the board.
const ENGAGED: [(&str, &str); 5] = [
    ("aws", "social-schools"),
    ("zendesk", "social-schools"),
    ("google-llc", "google-ireland"),
    ("retoucher", "schoolfotograaf"),
    ("azure", "snappet"),
];

/// `(rule, activity, target)` of every finding of `register` under the shipped pack.
fn findings(register: &Path) -> Vec<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args([
            "--no-config",
            "check",
            "--format",
            "json",
            "--today",
            "2026-12-04",
        ])
        .arg("--policies")
        .arg(root().join("policies"))
        .arg(register)
        .env("ROPA_CACHE", "off")
        .output()
        .expect("ropa runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| String::from_utf8_lossy(&out.stderr).into_owned())
        .expect("a JSON report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (field("rule"), field("activity"), field("target"))
        })
        .collect()
}

fn targets(found: &[(String, String, String)], rule: &str) -> BTreeSet<String> {
    found
        .iter()
        .filter(|(r, _, _)| r == rule)
        .map(|(_, _, t)| t.clone())
        .collect()
}

#[test]
fn a_school_boards_own_processors_are_not_asked_for_an_authorisation() {
    let fixture = root().join("tests/fixtures/school-board/register");
    // As written for v2: one flat list, no `engaged_by`. No Art. 28(2) finding at all: the
    // board engaged them, or, for the five its processors engaged, the register does not
    // say so.
    let flat = findings(&fixture);
    for rule in [
        "subprocessor-authorised",
        "subprocessor-change-notified",
        "subprocessor-identified",
        "processor-identified",
    ] {
        assert!(targets(&flat, rule).is_empty(), "{rule}: {flat:?}");
    }

    // The same register saying who engaged the five: each is a sub-processor, and
    // authorisation is asked for those five only, on every activity that uses one.
    let dir = temp("school-board");
    copy_dir(&fixture, &dir);
    let file = dir.join("verwerkers.yaml");
    let mut text = std::fs::read_to_string(&file).expect("processors");
    for (id, by) in ENGAGED {
        let entry = format!("{{ id: {id}, ");
        assert!(text.contains(&entry), "{id}");
        text = text.replace(&entry, &format!("{{ id: {id}, engaged_by: {by}, "));
    }
    std::fs::write(&file, text).expect("write");
    let engaged = findings(&dir);
    let expected: BTreeSet<String> = ENGAGED.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(targets(&engaged, "subprocessor-authorised"), expected);
    // aws 4, azure 3, google-llc 2, zendesk 1, retoucher 1: one finding per reference.
    let references = engaged
        .iter()
        .filter(|(r, _, _)| r == "subprocessor-authorised")
        .count();
    assert_eq!(references, 11);
    assert!(targets(&engaged, "processor-identified").is_empty());
}

#[test]
fn a_processor_named_only_as_a_kind_of_provider_is_asked_for_by_name() {
    let fixture = root().join("tests/fixtures/school-board/register");
    let dir = temp("school-board-category");
    copy_dir(&fixture, &dir);
    let file = dir.join("verwerkers.yaml");
    let text = std::fs::read_to_string(&file).expect("processors");
    std::fs::write(
        &file,
        text.replace(
            "{ id: arbodienst, name: Arbodienst Noord B.V., kind: named, country: NL, dpa_ref: VWO-2024-09 }",
            "{ id: arbodienst, name: Arbodiensten, kind: category }",
        ),
    )
    .expect("write");
    let found = findings(&dir);
    assert_eq!(
        targets(&found, "processor-identified"),
        BTreeSet::from(["arbodienst".to_string()])
    );
    assert!(targets(&found, "subprocessor-identified").is_empty());
}
