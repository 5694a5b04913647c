//! Dutch everywhere a person reads: every shipped rule has its message, label, what to do,
//! help and article in Dutch (the same code spans as the English), and a `--lang nl` report,
//! explanation or rule list of the shipped register says none of a rule's English texts and
//! none of the report's own English words.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::root;

use std::collections::BTreeSet;
use std::process::Command;

use ropa::policy::{load_policies, Rule};
use ropa::source::SourceMap;
use ropa::yaml::Limits;

fn rules() -> Vec<Rule> {
    let mut sources = SourceMap::new();
    load_policies(&root().join("policies"), &mut sources, &Limits::default())
        .expect("the shipped pack loads")
        .rules
}

fn ropa(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The code spans of a text: what a translation must keep as written.
fn code_spans(text: &str) -> BTreeSet<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The English texts of every rule that its Dutch does not repeat (a label that is only a
/// field name, `{dpia}`, is the same in both).
fn english_texts(rules: &[Rule]) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for rule in rules {
        let dutch = &rule.dutch;
        for (english, translated) in [
            (Some(&rule.message), dutch.message.as_ref()),
            (rule.label.as_ref(), dutch.label.as_ref()),
            (rule.fix.as_ref(), dutch.fix.as_ref()),
            (rule.help.as_ref(), dutch.help.as_ref()),
            (rule.article.as_ref(), dutch.article.as_ref()),
        ] {
            if let (Some(english), Some(translated)) = (english, translated) {
                let english = english.trim_start_matches("[house rule] ");
                if english != translated.as_ref() && !english.starts_with('{') {
                    texts.push((rule.id.clone(), english.to_string()));
                }
            }
        }
    }
    texts
}

#[test]
fn every_shipped_rule_speaks_dutch_with_the_same_code() {
    let rules = rules();
    assert!(rules.len() >= 78, "{} rules", rules.len());
    // Code spans a translation may write in its own words (an example id or date).
    let own_words = [
        "purposes: [doel-id]",
        "purposes: [purpose-id]",
        "notified_on: JJJJ-MM-DD",
        "notified_on: YYYY-MM-DD",
    ];
    for rule in &rules {
        let dutch = &rule.dutch;
        let pairs = [
            ("message", Some(&rule.message), dutch.message.as_ref()),
            ("label", rule.label.as_ref(), dutch.label.as_ref()),
            ("fix", rule.fix.as_ref(), dutch.fix.as_ref()),
            ("help", rule.help.as_ref(), dutch.help.as_ref()),
            ("article", rule.article.as_ref(), dutch.article.as_ref()),
        ];
        for (what, english, translated) in pairs {
            let english = english.unwrap_or_else(|| panic!("{}: no @{what}", rule.id));
            let translated = translated.unwrap_or_else(|| panic!("{}: no @{what}_nl", rule.id));
            let keep = |spans: BTreeSet<&str>| -> BTreeSet<String> {
                spans
                    .into_iter()
                    .filter(|s| !own_words.contains(s))
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(
                keep(code_spans(english)),
                keep(code_spans(translated)),
                "{}: @{what}_nl writes other code than @{what}",
                rule.id
            );
        }
        // An article in Dutch names the AVG, not the GDPR.
        let article = dutch.article.as_deref().unwrap_or("");
        assert!(!article.contains("GDPR"), "{}: {article}", rule.id);
    }
}

#[test]
fn a_dutch_report_of_the_shipped_register_has_no_english_rule_text() {
    let rules = rules();
    let english = english_texts(&rules);
    let report = ropa(&[
        "check",
        "--lang",
        "nl",
        "--color",
        "never",
        "--verbose",
        "--today",
        "2026-12-05",
    ]);
    // Wrapped lines joined, so a text broken over two lines is still found.
    let flat = report
        .lines()
        .map(|l| l.trim_start_matches([' ', '│', '·']).trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("[huisregel] De activiteit heeft geen bewaartermijn"));
    for (rule, text) in &english {
        // Only texts long enough to be more than a shared word.
        if text.len() > 12 {
            assert!(
                !flat.contains(text.as_str()),
                "{rule}: `{text}` in the report"
            );
        }
    }
    for word in [
        "activity ",
        "errors",
        "warnings",
        "findings by rule",
        "explains a rule",
        "(controller)",
        "(processor)",
        "defined here",
        "claims that can keep",
        "[house rule]",
        " GDPR",
    ] {
        assert!(!report.contains(word), "`{word}` in the Dutch report");
    }
    assert!(report.contains("activiteit "));
    assert!(report.contains("fouten"));
}

#[test]
fn the_dutch_html_and_markdown_reports_say_their_own_words_in_dutch() {
    let html = ropa(&["check", "--lang", "nl", "--format", "html"]);
    assert!(html.contains("<html lang=\"nl\""));
    for word in [
        "What to do:",
        "Compliance matrix",
        "Findings:",
        "No findings does not mean compliant",
        "Activities and their findings",
        "Skip to the findings",
        ">Why<",
        "findings shown",
        "Legal basis",
    ] {
        assert!(!html.contains(word), "`{word}` in the Dutch HTML report");
    }
    for word in [
        "Wat te doen:",
        "Nalevingsmatrix",
        "Geen bevindingen betekent niet dat alles in orde is",
        "Grondslag",
    ] {
        assert!(html.contains(word), "no `{word}` in the Dutch HTML report");
    }
    let markdown = ropa(&["check", "--lang", "nl", "--format", "markdown"]);
    assert!(markdown.contains("| regel | ernst | bevindingen |"));
    assert!(!markdown.contains("| rule | severity"));
    assert!(markdown.contains("De activiteit heeft geen bewaartermijn"));
}

#[test]
fn explain_and_rules_speak_dutch() {
    let rules = rules();
    for rule in rules.iter().filter(|r| !r.id.starts_with("waiver-")) {
        let text = ropa(&["explain", &rule.id, "--lang", "nl"]);
        let message = rule.message.trim_start_matches("[house rule] ");
        assert!(
            !text.contains(message),
            "{}: the English message in `explain --lang nl`",
            rule.id
        );
        assert!(text.contains("Wat te doen:"), "{}", rule.id);
        // The policy is shown without its texts (they are above, in Dutch).
        assert!(!text.contains("@help("), "{}", rule.id);
    }
    let fix = ropa(&[
        "explain",
        "retention-required",
        "--activity",
        "algemeen",
        "--lang",
        "nl",
    ]);
    assert!(fix.contains("de regel slaat aan"), "{fix}");
    assert!(fix.contains("voeg `retention.period` toe"), "{fix}");
    assert!(!fix.contains("the rule fires"), "{fix}");
    let list = ropa(&["rules", "--lang", "nl"]);
    assert!(
        list.contains("ERNST") && list.contains("78 regels"),
        "{list}"
    );
    assert!(!list.contains(" GDPR"), "{list}");
}

#[test]
fn ropa_toml_sets_the_language() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dutch-config");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("ropa.toml"), "lang = \"nl\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--config"])
        .arg(dir.join("ropa.toml"))
        .args([
            root().join("register").to_str().expect("utf-8"),
            "--policies",
            root().join("policies").to_str().expect("utf-8"),
        ])
        .env("NO_COLOR", "1")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fouten"), "{text}");
    // A language ropa does not speak is refused at its place.
    std::fs::write(dir.join("ropa.toml"), "lang = \"fr\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["rules", "--config"])
        .arg(dir.join("ropa.toml"))
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown lang `fr`"));
}

#[test]
fn a_register_that_does_not_load_is_told_so_in_dutch() {
    let cases = root().join("tests/cases");
    let mut seen = 0;
    for case in [
        "unknown-key",
        "unknown-category",
        "unknown-vocabulary",
        "wrong-type",
        "comma-in-flow-mapping",
        "spreadsheet-given",
        "invalid-value",
        "yaml-syntax",
        "dangling-purpose",
        "dangling-subprocessor",
        "duplicate-id",
        "empty-file",
        "invalid-utf8",
        "missing-path",
    ] {
        let args = std::fs::read_to_string(cases.join(case).join("args")).expect("args");
        let args: Vec<&str> = args
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args(&args)
            .args(["--lang", "nl"])
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env("ROPA_CACHE", "off")
            .env_remove("CI")
            .output()
            .expect("ropa runs");
        assert_eq!(out.status.code(), Some(2), "{case}");
        let told = String::from_utf8_lossy(&out.stderr);
        assert!(told.contains("ropa: kon niet draaien"), "{case}: {told}");
        for english in [
            "unknown ",
            " is not ",
            " must be ",
            "did you mean",
            "expected ",
            "could not run",
            "invalid YAML",
            "no such file",
            "defined twice",
            "read as a key",
            "or add it under",
            "delete the file",
        ] {
            assert!(!told.contains(english), "{case}: `{english}` in\n{told}");
        }
        seen += 1;
    }
    assert_eq!(seen, 14);
}
