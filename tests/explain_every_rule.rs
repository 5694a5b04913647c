//! `ropa explain RULE --activity ID` on a register where the rule fires, for every shipped
//! rule that judges an activity or what it holds: the register of the rule's first firing
//! case in `policies/tests`. The answer is in the register's words (no Cedar), and says what
//! to do: the fields that clear the finding, or the rule's one line of advice.
#![allow(
    clippy::expect_used,
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
                explained.insert(rule.to_string(), stdout);
            }
        }
    }
    assert!(explained.len() >= 65, "{} rules explained", explained.len());
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
