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
    let mut text = serde_json::to_string_pretty(&sarif_run(rules, results, succeeded, None))
        .unwrap_or_default();
    text.push('\n');
    text
}

/// [`sarif_log`] as a value, with a warning notification when results were left out.
fn sarif_run(
    rules: Vec<Value>,
    results: Vec<Value>,
    succeeded: bool,
    notice: Option<String>,
) -> Value {
    let mut run = serde_json::Map::new();
    let driver = json!({ "name": "ropa", "version": env!("CARGO_PKG_VERSION"), "rules": rules });
    run.insert("tool".to_string(), json!({ "driver": driver }));
    match (succeeded, notice) {
        (false, _) => {
            run.insert(
                "invocations".to_string(),
                json!([{ "executionSuccessful": false }]),
            );
        }
        (true, Some(notice)) => {
            run.insert(
                "invocations".to_string(),
                json!([{
                    "executionSuccessful": true,
                    "toolExecutionNotifications": [{
                        "level": "warning",
                        "message": { "text": notice },
                    }],
                }]),
            );
        }
        (true, None) => {}
    }
    run.insert("columnKind".to_string(), json!("unicodeCodePoints"));
    run.insert("results".to_string(), Value::Array(results));
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Renders the findings as a SARIF 2.1.0 log with one run. Against a base, each result has
/// its `baselineState` (`new` or `unchanged`); the base's findings that are gone are counted
/// in the run's `properties.resolvedSinceBase`, not listed (every result has a location).
/// The results stay within code scanning's limits (see [`within_limits`]).
pub fn render_sarif(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    rules: &[Rule],
    sources: &SourceMap,
) -> String {
    // Waived findings stay in the log, suppressed, with the waiver's reason; a finding a
    // reasoned position answers likewise, with the reasoning.
    let waived: Vec<(&Finding, String, Location)> = covered
        .waived
        .iter()
        .map(|w| (w.finding, w.waiver.reason.value.clone(), w.waiver.rule.at))
        .chain(covered.positioned.iter().map(|p| {
            let why = format!("reasoned position: {}", p.position.reasoning.value);
            (p.finding, why, p.position.rule.at)
        }))
        .collect();
    // Past the count limit only the results that can be kept are built, chosen as
    // `within_limits` chooses: the new findings first, then the others in report order, the
    // suppressed last.
    let total = findings.len() + waived.len();
    let chosen: Vec<bool> = if total > MAX_RESULTS {
        let rank = |i: usize| match findings.get(i) {
            None => 2,
            Some(f) if f.change == Some(Change::New) => 0,
            Some(_) => 1,
        };
        let mut order: Vec<usize> = (0..total).collect();
        order.sort_by_key(|&i| rank(i));
        let mut chosen = vec![false; total];
        for &i in order.iter().take(MAX_RESULTS) {
            if let Some(slot) = chosen.get_mut(i) {
                *slot = true;
            }
        }
        chosen
    } else {
        vec![true; total]
    };
    let is_chosen = |i: usize| chosen.get(i).copied().unwrap_or(false);
    let prints = fingerprints(findings);
    let mut results: Vec<Value> = findings
        .iter()
        .zip(&prints)
        .enumerate()
        .filter(|(i, _)| is_chosen(*i))
        .map(|(_, (finding, print))| result(finding, print, rules, sources))
        .collect();
    let accepted: Vec<Finding> = waived.iter().map(|(f, _, _)| (*f).clone()).collect();
    for (i, ((finding, justification, at), print)) in
        waived.iter().zip(&fingerprints(&accepted)).enumerate()
    {
        if !is_chosen(findings.len() + i) {
            continue;
        }
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
    let left_out = total - results.len();
    // The base's findings that are gone are not results: code scanning closes an alert
    // itself when a later analysis no longer reports it, and rejects a result without a
    // location. How many there are is said in the run's properties.
    let resolved = change.map(|c| c.resolved.len());
    let entries: Vec<Value> = rules.iter().map(rule_entry).collect();
    let render = |results: Vec<Value>, notice: Option<String>| {
        let mut log = sarif_run(entries.clone(), results, true, notice);
        let run = log
            .get_mut("runs")
            .and_then(|runs| runs.get_mut(0))
            .and_then(Value::as_object_mut);
        if let (Some(resolved), Some(run)) = (resolved, run) {
            run.insert(
                "properties".to_string(),
                json!({ "resolvedSinceBase": resolved }),
            );
        }
        let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
        text.push('\n');
        text
    };
    // Within the limits as it is (its text no larger than the compressed limit): as it is,
    // with no compressing to measure.
    if left_out == 0 {
        let text = render(results.clone(), None);
        if text.len() <= MAX_GZIP_BYTES {
            return text;
        }
    }
    let (results, notice) = within_limits(results, left_out, MAX_RESULTS, MAX_GZIP_BYTES);
    render(results, notice)
}

/// The most results a run may have for GitHub code scanning to accept it.
pub const MAX_RESULTS: usize = 25_000;

/// The largest gzip-compressed SARIF file GitHub code scanning accepts.
pub const MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;

/// The results within `max_results` and, compressed with gzip, `max_gzip` bytes: the new
/// findings first, then the others in report order, the suppressed last; and the notice of
/// how many were left out, when any were (`left_out` of them before these results came).
pub fn within_limits(
    results: Vec<Value>,
    left_out: usize,
    max_results: usize,
    max_gzip: usize,
) -> (Vec<Value>, Option<String>) {
    let count = results.len();
    let total = count + left_out;
    let notice = |kept: usize| {
        format!(
            "{} of {total} results left out to stay within code scanning's limits ({max_results} \
             results a run, {} MB compressed): new findings first, then the others in report \
             order; the JSON report has every finding",
            total - kept,
            max_gzip / (1024 * 1024)
        )
    };
    let small_enough = |kept: &[Value]| gzip_len(kept) <= max_gzip;
    if count <= max_results && small_enough(&results) {
        let said = (left_out > 0).then(|| notice(count));
        return (results, said);
    }
    // Priority: new, then the rest, suppressed last; the kept ones stay in report order.
    let rank = |r: &Value| {
        if r.get("suppressions").is_some() {
            2
        } else if r["baselineState"] == "new" {
            0
        } else {
            1
        }
    };
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| results.get(i).map_or(3, rank));
    let keep = |n: usize| -> Vec<Value> {
        let mut chosen: Vec<usize> = order.iter().copied().take(n).collect();
        chosen.sort_unstable();
        chosen
            .into_iter()
            .filter_map(|i| results.get(i).cloned())
            .collect()
    };
    // The count limit first: that many results usually compress well within the size
    // limit, and are then compressed once. Else the most that fit, by bisection.
    let (mut low, mut high) = (0, count.min(max_results));
    if small_enough(&keep(high)) {
        low = high;
    } else {
        high = high.saturating_sub(1);
    }
    while low < high {
        let middle = (low + high).div_ceil(2);
        if small_enough(&keep(middle)) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    let kept = keep(low);
    let said = notice(kept.len());
    (kept, Some(said))
}

/// The size of a list of results as JSON, compressed with gzip (written straight into the
/// compressor: no copy of the text).
fn gzip_len(results: &[Value]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if serde_json::to_writer(&mut encoder, results).is_err() {
        return usize::MAX;
    }
    encoder.finish().map_or(usize::MAX, |bytes| bytes.len())
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
    #![allow(clippy::indexing_slicing, reason = "test code")]
    use super::*;

    fn results(n: usize, new_every: usize) -> Vec<Value> {
        (0..n)
            .map(|i| {
                json!({
                    "ruleId": format!("rule-{}", i % 7),
                    "message": { "text": format!("finding {i} of a register, with its words {}", i * 31 % 997) },
                    "baselineState": if i % new_every == 0 { "new" } else { "unchanged" },
                })
            })
            .collect()
    }

    #[test]
    fn past_code_scannings_limits_results_are_left_out_new_ones_last_and_said() {
        let (kept, notice) = within_limits(results(100, 10), 0, MAX_RESULTS, MAX_GZIP_BYTES);
        assert_eq!(kept.len(), 100);
        assert!(notice.is_none());
        // The count limit.
        let (kept, notice) = within_limits(results(30_000, 1000), 0, MAX_RESULTS, MAX_GZIP_BYTES);
        assert_eq!(kept.len(), MAX_RESULTS);
        assert!(notice.is_some_and(|n| n.starts_with("5000 of 30000 results left out")));
        // The size limit: fewer kept, every new one among them, in report order.
        let all = results(2_000, 100);
        let (kept, notice) = within_limits(all.clone(), 0, MAX_RESULTS, 4_000);
        assert!(kept.len() < 2_000 && !kept.is_empty(), "{}", kept.len());
        assert!(gzip_len(&kept) <= 4_000);
        let new = all.iter().filter(|r| r["baselineState"] == "new").count();
        assert_eq!(
            kept.iter().filter(|r| r["baselineState"] == "new").count(),
            new
        );
        let numbers: Vec<usize> = kept
            .iter()
            .filter_map(|r| r["message"]["text"].as_str())
            .filter_map(|t| t.split(' ').nth(1).and_then(|n| n.parse().ok()))
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "report order kept");
        assert!(notice.is_some());
    }

    #[test]
    fn uris_keep_slashes_and_encode_the_rest() {
        assert_eq!(uri("register/diensten.yaml"), "register/diensten.yaml");
        assert_eq!(uri("my register/ü.yaml"), "my%20register/%C3%BC.yaml");
    }

    #[test]
    fn past_the_count_limit_the_new_findings_are_kept_and_the_rest_counted() {
        let mut sources = SourceMap::new();
        let file = sources.add(std::path::Path::new("r.yaml"), "x\n".repeat(10));
        let at = Location {
            file,
            span: crate::source::Span::new(0, 1),
        };
        let total = MAX_RESULTS + 10;
        let findings: Vec<Finding> = (0..total)
            .map(|i| {
                let mut f = Finding::for_test("r", at);
                f.activity = Some(format!("a{i}"));
                f.change = Some(if i >= total - 5 {
                    Change::New
                } else {
                    Change::Existing
                });
                f
            })
            .collect();
        let text = render_sarif(&findings, None, &Covered::default(), &[], &sources);
        let log: Value = serde_json::from_str(&text).expect("json");
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), MAX_RESULTS);
        let new = results
            .iter()
            .filter(|r| r["baselineState"] == "new")
            .count();
        assert_eq!(new, 5, "every new finding kept");
        // Report order kept: the new ones, last in the report, are last.
        assert_eq!(
            results[MAX_RESULTS - 1]["properties"]["activity"],
            format!("a{}", total - 1)
        );
        assert_eq!(results[0]["properties"]["activity"], "a0");
        let notice = log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .expect("a notice");
        assert!(
            notice.starts_with(&format!("10 of {total} results left out")),
            "{notice}"
        );
    }
}
