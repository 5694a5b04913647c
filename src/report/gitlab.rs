//! Owns the GitLab Code Quality report: a JSON list of issues with a unique, stable
//! fingerprint each, which GitLab shows in merge requests.

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::problem::Problem;
use crate::report::{fingerprints, problem_fingerprint, problem_rule, Place};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: &'a str,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// Renders the problems that stopped a run as `blocker` issues (a problem that is not in a
/// file is reported on line 1 of `.`).
pub fn render_gitlab_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let rules: Vec<String> = problems.iter().map(problem_rule).collect();
    let prints: Vec<String> = problems.iter().map(problem_fingerprint).collect();
    let issues: Vec<Issue<'_>> = problems
        .iter()
        .zip(rules.iter().zip(&prints))
        .map(|(p, (rule, print))| {
            let place = p.at.map(|at| Place::of(at, sources));
            Issue {
                description: p.message.clone(),
                check_name: rule,
                fingerprint: print,
                severity: "blocker",
                location: IssueLocation {
                    path: place.map_or(".", |pl| pl.file),
                    lines: Lines {
                        begin: place.map_or(1, |pl| pl.line),
                        end: place.map_or(1, |pl| pl.end_line),
                    },
                },
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// Renders the findings as a Code Quality report.
pub fn render_gitlab(findings: &[Finding], sources: &SourceMap) -> String {
    let prints = fingerprints(findings);
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .zip(&prints)
        .map(|(finding, print)| {
            let place = Place::of(finding.at, sources);
            Issue {
                description: match &finding.register {
                    Some(register) => {
                        format!("[{register}] {} ({})", finding.message, finding.label)
                    }
                    None => format!("{} ({})", finding.message, finding.label),
                },
                check_name: &finding.rule,
                fingerprint: print,
                // A finding the base had too is `info`: on the record, not the change's.
                severity: match (finding.change, finding.severity) {
                    (Some(crate::finding::Change::Existing), _) => "info",
                    (_, Severity::Error) => "major",
                    (_, Severity::Warning) => "minor",
                },
                location: IssueLocation {
                    path: place.file,
                    lines: Lines {
                        begin: place.line,
                        end: place.end_line,
                    },
                },
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}
