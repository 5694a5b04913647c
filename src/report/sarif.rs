//! Owns the SARIF 2.1.0 report, for code scanning (GitHub, Azure DevOps, IDE viewers): one
//! rule entry per policy with its help and article, one result per finding with its region,
//! the fields the rule read as related locations, and a stable fingerprint.

use serde_json::{json, Value};

use crate::finding::Change;
use crate::finding::{Finding, Severity};
use crate::policy::Rule;
use crate::problem::{Code, Problem};
use crate::report::{fingerprints, problem_rule, problem_text, ChangeReport, Covered, Place};
use crate::source::{Location, SourceMap};

/// A relative path as a URI reference: `/` kept, everything outside the unreserved set
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn physical(at: Location, sources: &SourceMap) -> Value {
    let Place {
        file,
        line,
        column,
        end_line,
        end_column,
    } = Place::of(at, sources);
    json!({
        "artifactLocation": { "uri": uri(file) },
        "region": {
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column,
        }
    })
}

fn rule_entry(rule: &Rule) -> Value {
    let help = match (&rule.help, &rule.article) {
        (Some(help), Some(article)) => format!("{help}\n\n{article}"),
        (Some(help), None) => help.to_string(),
        (None, Some(article)) => article.to_string(),
        (None, None) => rule.message.to_string(),
    };
    let tags: &[&str] = if rule.house_rule {
        &["gdpr", "privacy", "house-rule"]
    } else {
        &["gdpr", "privacy"]
    };
    let mut properties = json!({
        "tags": tags,
        "appliesTo": rule.kinds.iter().map(|k| crate::report::rules::kind_id(*k)).collect::<Vec<_>>(),
    });
    if let (Some(article), Some(map)) = (&rule.article, properties.as_object_mut()) {
        map.insert("article".to_string(), json!(article));
    }
    json!({
        "id": rule.id,
        "shortDescription": { "text": rule.message },
        "fullDescription": { "text": rule.message },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": properties,
    })
}

/// Renders the problems that stopped a run as a SARIF 2.1.0 log: one result per problem
/// (rule `ropa/<code>`), and an invocation that did not succeed.
pub fn render_sarif_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let mut codes: Vec<Code> = problems.iter().map(|p| p.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": format!("ropa/{}", c.name()),
                "shortDescription": { "text": c.description() },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = problems
        .iter()
        .map(|p| {
            let mut result = json!({
                "ruleId": problem_rule(p),
                "level": "error",
                "message": { "text": problem_text(p) },
            });
            if let Some(map) = result.as_object_mut() {
                if let Some(index) = codes.iter().position(|c| *c == p.code) {
                    map.insert("ruleIndex".to_string(), json!(index));
                }
                if let Some(at) = p.at {
                    map.insert(
                        "locations".to_string(),
                        json!([{ "physicalLocation": physical(at, sources) }]),
                    );
                }
            }
            result
        })
        .collect();
    sarif_log(rules, results, false)
}

/// The SARIF log around one run's rules and results; a run that could not check says so
/// in an unsuccessful invocation.
fn sarif_log(rules: Vec<Value>, results: Vec<Value>, succeeded: bool) -> String {
    let mut run = serde_json::Map::new();
    let driver = json!({ "name": "ropa", "version": env!("CARGO_PKG_VERSION"), "rules": rules });
    run.insert("tool".to_string(), json!({ "driver": driver }));
    if !succeeded {
        run.insert(
            "invocations".to_string(),
            json!([{ "executionSuccessful": false }]),
        );
    }
    run.insert("columnKind".to_string(), json!("unicodeCodePoints"));
    run.insert("results".to_string(), Value::Array(results));
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// Renders the findings as a SARIF 2.1.0 log with one run. Against a base, each result has
/// its `baselineState` (`new` or `unchanged`), and the base's findings that are gone follow
/// as results in state `absent` (with no location: their places are in the base).
pub fn render_sarif(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    rules: &[Rule],
    sources: &SourceMap,
) -> String {
    let waived = covered.waived;
    let prints = fingerprints(findings);
    let mut results: Vec<Value> = findings
        .iter()
        .zip(&prints)
        .map(|(finding, print)| result(finding, print, rules, sources))
        .collect();
    // Waived findings stay in the log, suppressed, with the waiver's reason; a finding a
    // reasoned position answers likewise, with the reasoning.
    let waived: Vec<(&Finding, String, Location)> = waived
        .iter()
        .map(|w| (w.finding, w.waiver.reason.value.clone(), w.waiver.rule.at))
        .chain(covered.positioned.iter().map(|p| {
            let why = format!("reasoned position: {}", p.position.reasoning.value);
            (p.finding, why, p.position.rule.at)
        }))
        .collect();
    let accepted: Vec<Finding> = waived.iter().map(|(f, _, _)| (*f).clone()).collect();
    for ((finding, justification, at), print) in waived.iter().zip(&fingerprints(&accepted)) {
        let mut result = result(finding, print, rules, sources);
        if let Some(map) = result.as_object_mut() {
            map.insert(
                "suppressions".to_string(),
                json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": justification,
                    "location": { "physicalLocation": physical(*at, sources) },
                }]),
            );
        }
        results.push(result);
    }
    if let Some(change) = change {
        let gone = fingerprints(change.resolved);
        for (finding, print) in change.resolved.iter().zip(&gone) {
            let mut result = json!({
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": { "text": format!("{} ({})", finding.message, finding.label) },
                "partialFingerprints": { "ropaFinding/v1": print },
                "baselineState": "absent",
                "properties": {
                    "activity": finding.activity,
                    "target": finding.target,
                },
            });
            if let (Some(map), Some(index)) = (
                result.as_object_mut(),
                rules.iter().position(|r| r.id == finding.rule),
            ) {
                map.insert("ruleIndex".to_string(), json!(index));
            }
            results.push(result);
        }
    }
    sarif_log(rules.iter().map(rule_entry).collect(), results, true)
}

/// One finding as a SARIF result.
fn result(finding: &Finding, print: &str, rules: &[Rule], sources: &SourceMap) -> Value {
    let related: Vec<Value> = finding
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            json!({
                "id": i + 1,
                "physicalLocation": physical(label.at, sources),
                "message": { "text": label.text },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": format!("{} ({})", finding.message, finding.label) },
        "locations": [{ "physicalLocation": physical(finding.at, sources) }],
        "partialFingerprints": { "ropaFinding/v1": print },
        "properties": {
            "activity": finding.activity,
            "target": finding.target,
        },
    });
    if let Some(map) = result.as_object_mut() {
        if let Some(index) = rules.iter().position(|r| r.id == finding.rule) {
            map.insert("ruleIndex".to_string(), json!(index));
        }
        if !related.is_empty() {
            map.insert("relatedLocations".to_string(), json!(related));
        }
        if let Some(state) = finding.change.map(baseline_state) {
            map.insert("baselineState".to_string(), json!(state));
        }
        if let Some(register) = &finding.register {
            if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
                properties.insert("register".to_string(), json!(register.as_ref()));
            }
        }
    }
    result
}

/// SARIF's name for a finding's state against the base.
fn baseline_state(change: Change) -> &'static str {
    match change {
        Change::New => "new",
        Change::Existing => "unchanged",
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_keep_slashes_and_encode_the_rest() {
        assert_eq!(uri("register/diensten.yaml"), "register/diensten.yaml");
        assert_eq!(uri("my register/ü.yaml"), "my%20register/%C3%BC.yaml");
    }
}
