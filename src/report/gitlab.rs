//! Owns the GitLab Code Quality report: a JSON list of issues with a unique, stable
//! fingerprint each, which GitLab shows in merge requests.

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::report::{fingerprints, Place};
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

/// Renders the findings as a Code Quality report.
pub fn render_gitlab(findings: &[Finding], sources: &SourceMap) -> String {
    let prints = fingerprints(findings);
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .zip(&prints)
        .map(|(finding, print)| {
            let place = Place::of(finding.at, sources);
            Issue {
                description: format!("{} ({})", finding.message, finding.label),
                check_name: &finding.rule,
                fingerprint: print,
                severity: match finding.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
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
