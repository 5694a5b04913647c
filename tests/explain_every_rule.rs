//! `ropa explain RULE --activity ID` on a register where the rule fires, for every shipped
//! rule that judges an activity or what it holds: the register of the rule's first firing
//! case in `policies/tests`. The answer is in the register's words (no Cedar), and says what
//! to do: the fields that clear the finding, or the rule's one line of advice. Each suggestion
//! on the activity itself, written into the register as a DPO would, clears the finding.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::collections::BTreeMap;
use std::process::Command;

fn yaml_value(text: &str) -> Option<serde_json::Value> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    };
    serde_saphyr::from_str_with_options::<serde_json::Value>(text, options).ok()
}

/// What the answer may not hold: Cedar's syntax and the entities' derived attributes.
const CEDAR: [&str; 12] = [
    "principal",
    "resource.",
    "context.",
    " && ",
    " || ",
    "::",
    ".contains(",
    "isEmpty",
    "_is_statute",
    "ref_names_uavg",
    "unknown(",
    "!(",
];

#[test]
fn explain_answers_every_rule_in_the_registers_words() {
    let dir = temp("explain");
    let mut explained: BTreeMap<String, String> = BTreeMap::new();
    let mut applied = 0;
    let mut files: Vec<_> = std::fs::read_dir(root().join("policies/tests"))
        .expect("policy tests")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let Some(test) = yaml_value(&text) else {
            continue;
        };
        let shared = test.get("register").cloned().unwrap_or_default();
        let today = test.get("today").and_then(|t| t.as_str());
        for case in test["cases"].as_array().into_iter().flatten() {
            if case.get("base").is_some() || case.get("files").is_some() {
                continue;
            }
            for expected in case["expect"].as_array().into_iter().flatten() {
                let (Some(rule), Some(activity)) =
                    (expected["rule"].as_str(), expected["activity"].as_str())
                else {
                    continue;
                };
                // The rules about the register's own waivers and positions judge those.
                if explained.contains_key(rule)
                    || rule.starts_with("waiver-")
                    || rule == "review-overdue"
                {
                    continue;
                }
                let register = dir.join(rule);
                std::fs::create_dir_all(&register).expect("mkdir");
                if shared.is_object() {
                    std::fs::write(register.join("shared.yaml"), shared.to_string())
                        .expect("write");
                }
                std::fs::write(register.join("case.yaml"), case["register"].to_string())
                    .expect("write");
                let mut args = vec![
                    "--no-config".to_string(),
                    "explain".to_string(),
                    rule.to_string(),
                    "--activity".to_string(),
                    activity.to_string(),
                    "--register".to_string(),
                    register.display().to_string(),
                    "--color".to_string(),
                    "never".to_string(),
                ];
                if let Some(target) = expected["target"].as_str() {
                    args.extend(["--target".to_string(), target.to_string()]);
                }
                if let Some(today) = today {
                    args.extend(["--today".to_string(), today.to_string()]);
                }
                let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
                    .args(&args)
                    .current_dir(root())
                    .env("ROPA_CACHE", "off")
                    .output()
                    .expect("ropa runs");
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{rule}: {stdout}{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                // Each suggestion on the activity itself, written into the register as a DPO
                // would, clears the finding when the register is checked again.
                let on_activity = expected["target"].is_null();
                for action in suggestions(&stdout).into_iter().filter(|_| on_activity) {
                    let mut case_register = case["register"].clone();
                    if !apply_in_yaml(&mut case_register, activity, &action) {
                        continue;
                    }
                    let fixed = dir.join(format!("{rule}-fixed-{applied}"));
                    std::fs::create_dir_all(&fixed).expect("mkdir");
                    if shared.is_object() {
                        std::fs::write(fixed.join("shared.yaml"), shared.to_string())
                            .expect("write");
                    }
                    std::fs::write(fixed.join("case.yaml"), case_register.to_string())
                        .expect("write");
                    let found = findings(&fixed, today);
                    assert!(
                        !found.iter().any(|(r, a, t)| r == rule
                            && a.as_deref() == Some(activity)
                            && t.as_deref() == expected["target"].as_str()),
                        "{rule}: `{action}` written into the register does not clear it"
                    );
                    applied += 1;
                }
                explained.insert(rule.to_string(), stdout);
            }
        }
    }
    assert!(explained.len() >= 65, "{} rules explained", explained.len());
    assert!(
        applied >= 25,
        "{applied} suggestions written into a register and checked"
    );
    for (rule, answer) in &explained {
        // The rule's message aside (it is prose), the answer holds no Cedar.
        for token in CEDAR {
            let body: String = answer.lines().skip(2).collect::<Vec<_>>().join("\n");
            assert!(!body.contains(token), "{rule}: `{token}` in\n{answer}");
        }
        assert!(
            answer.contains("the rule fires") && answer.contains("In short: "),
            "{rule}: no advice in\n{answer}"
        );
        assert!(
            !answer.contains("Nothing to do"),
            "{rule}: quiet in\n{answer}"
        );
    }
}

/// The suggestions an answer lists (the lines under "any one of these clears it").
fn suggestions(answer: &str) -> Vec<String> {
    answer
        .lines()
        .filter(|l| l.starts_with("    ") && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

/// Writes a suggestion on the activity itself into the register's YAML (as JSON), the way a
/// DPO would: a field added with a plausible value, an entry added. `false` for one on a
/// data item, a sub-processor or a transfer (those are left to the product's own check).
fn apply_in_yaml(register: &mut serde_json::Value, activity: &str, action: &str) -> bool {
    use serde_json::json;
    let action = action.split(" (").next().unwrap_or(action);
    let Some(entry) = register["activities"]
        .as_array_mut()
        .and_then(|list| list.iter_mut().find(|a| a["id"] == activity))
    else {
        return false;
    };
    let paths: Vec<&str> = action.split('`').skip(1).step_by(2).collect();
    let value = |record: &str, field: &str| -> serde_json::Value {
        match (record, field) {
            (_, "ref") => json!("UAVG art. 33"),
            (_, "period") => json!("P1Y"),
            (_, "article") => json!("9(2)(a)"),
            ("terminal_access", "basis") => json!("consent"),
            _ => json!("vastgelegd in REF-2026-01"),
        }
    };
    if action.starts_with("add an entry to ") {
        let item = match paths.first().copied() {
            Some("purposes") => json!({ "id": "dienst", "text": "Dienstverlening" }),
            Some("controllers") => {
                json!({ "name": "Klant B.V.", "contact": "privacy@klant.example" })
            }
            Some("data_subjects") => json!("customer"),
            Some("data") => json!({ "category": "name" }),
            _ => return false,
        };
        let Some(field) = paths.first() else {
            return false;
        };
        if !entry[*field].is_array() {
            entry[*field] = json!([]);
        }
        if let Some(list) = entry[*field].as_array_mut() {
            list.push(item);
        }
        return true;
    }
    if !action.starts_with("add ") {
        return false;
    }
    for path in paths {
        match path.split_once('.') {
            Some((record, field)) => {
                if !entry[record].is_object() {
                    entry[record] = json!({});
                }
                entry[record][field] = value(record, field);
            }
            None => {
                entry[path] = match path {
                    "recipients" => json!([{ "category": "accountant" }]),
                    "joint_arrangement" => {
                        json!({ "ref": "GV-2026-01", "controllers": [{ "name": "Partner B.V." }] })
                    }
                    "special_category_condition" => json!({ "article": "9(2)(a)" }),
                    "legitimate_interest_assessment"
                    | "security_measures"
                    | "human_involvement" => {
                        json!("vastgelegd in REF-2026-01")
                    }
                    _ => return false,
                };
            }
        }
    }
    true
}

/// The findings of `ropa check --format json` on a register: rule, activity, target.
fn findings(
    register: &std::path::Path,
    today: Option<&str>,
) -> Vec<(String, Option<String>, Option<String>)> {
    let mut args = vec![
        "--no-config".to_string(),
        "check".to_string(),
        register.display().to_string(),
        "--format".to_string(),
        "json".to_string(),
    ];
    if let Some(today) = today {
        args.extend(["--today".to_string(), today.to_string()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(&args)
        .current_dir(root())
        .env("ROPA_CACHE", "off")
        .output()
        .expect("ropa runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{}: {}",
            register.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["activity"].as_str().map(str::to_string),
                f["target"].as_str().map(str::to_string),
            )
        })
        .collect()
}
