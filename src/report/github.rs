//! Owns the GitHub Actions report: one workflow command per finding, which GitHub shows as
//! an annotation on the line in the pull request.
//! `::error file=F,line=L,endLine=L,col=C,endColumn=C,title=RULE::MESSAGE`

use crate::finding::Change;
use crate::finding::{Finding, Severity};
use crate::problem::Problem;
use crate::report::{problem_rule, problem_text, Place, PositionedFinding};
use crate::source::visible;
use crate::source::SourceMap;

/// Escapes a command's message (GitHub's `escapeData`), with control characters made
/// visible first: the log is a terminal too.
fn escape_data(text: &str) -> String {
    visible(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the problems that stopped a run as error commands, on their lines where they
/// have one.
pub fn render_github_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let mut out = String::new();
    for problem in problems {
        let title = escape_property(&problem_rule(problem));
        let message = escape_data(&problem_text(problem));
        match problem.at.map(|at| Place::of(at, sources)) {
            Some(Place {
                file,
                line,
                column,
                end_line,
                end_column,
            }) => out.push_str(&format!(
                "::error file={},line={line},endLine={end_line},col={column},endColumn={end_column},title={title}::{message}\n",
                escape_property(file)
            )),
            None => out.push_str(&format!("::error title={title}::{message}\n")),
        }
    }
    out
}

/// How many annotations of each level GitHub shows for one step; the rest are dropped.
pub const SHOWN_PER_LEVEL: usize = 10;

/// Renders the findings as workflow commands; against a base, only the new ones unless
/// `all` (existing findings are the backlog, not the pull request's). New findings come
/// first, so they are among the ones GitHub shows; when a level has more than GitHub shows,
/// a notice first says how many more there are.
pub fn render_github(
    findings: &[Finding],
    all: bool,
    approvals: &[&PositionedFinding<'_>],
    sources: &SourceMap,
) -> String {
    let mut shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| all || f.change != Some(Change::Existing))
        .collect();
    // Stable: report order within the new ones and within the rest.
    shown.sort_by_key(|f| f.change != Some(Change::New));
    let count = |severity| shown.iter().filter(|f| f.severity == severity).count();
    let hidden = |n: usize| n.saturating_sub(SHOWN_PER_LEVEL);
    let (errors, warnings) = (
        hidden(count(Severity::Error)),
        hidden(count(Severity::Warning)),
    );
    let mut out = String::new();
    if errors + warnings > 0 {
        out.push_str(&format!(
            "::notice title=ropa::GitHub shows {SHOWN_PER_LEVEL} error and {SHOWN_PER_LEVEL} warning annotations per step, new findings first: {errors} more {} and {warnings} more {} are not annotated; the job summary and the SARIF report have them all\n",
            if errors == 1 { "error" } else { "errors" },
            if warnings == 1 { "warning" } else { "warnings" },
        ));
    }
    for finding in shown {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = format!("{} ({})", finding.message, finding.label);
        if let Some(help) = &finding.help {
            message.push_str(&format!("\n{help}"));
        }
        if let Some(article) = &finding.article {
            message.push_str(&format!("\n{article}"));
        }
        let title = match &finding.register {
            Some(register) => format!("{register}: {}", finding.rule),
            None => finding.rule.clone(),
        };
        out.push_str(&annotation(command, finding, &title, &message, sources));
    }
    // Each approved weakening of the gate, as a notice where it is.
    for approval in approvals {
        let finding = approval.finding;
        let message = format!(
            "Approved weakening of the gate: {} (approved by {} on {}: {})",
            finding.label,
            approval.position.approved_by.value,
            approval.position.decided_on.value,
            approval.position.reasoning.value
        );
        out.push_str(&annotation(
            "notice",
            finding,
            &finding.rule,
            &message,
            sources,
        ));
    }
    out
}

/// One workflow command (`error`, `warning`, `notice`) at a finding's place.
fn annotation(
    command: &str,
    finding: &Finding,
    title: &str,
    message: &str,
    sources: &SourceMap,
) -> String {
    let Place {
        file,
        line,
        column,
        end_line,
        end_column,
    } = Place::of(finding.at, sources);
    format!(
        "::{command} file={},line={line},endLine={end_line},col={column},endColumn={end_column},title={}::{}\n",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "test code")]
    use super::*;
    use crate::source::{Location, Span};

    #[test]
    fn new_findings_come_first_and_a_notice_counts_what_github_drops() {
        let mut sources = SourceMap::new();
        let file = sources.add(std::path::Path::new("r.yaml"), "x\n".repeat(20));
        let finding = |i: usize, change| {
            let at = Location {
                file,
                span: Span::new(i * 2, 1),
            };
            Finding {
                change: Some(change),
                ..Finding::for_test(&format!("rule-{i}"), at)
            }
        };
        let mut findings: Vec<Finding> = (0..12).map(|i| finding(i, Change::Existing)).collect();
        findings.push(finding(12, Change::New));
        let out = render_github(&findings, true, &[], &sources);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with("::notice title=ropa::"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains("3 more errors and 0 more warnings"),
            "{}",
            lines[0]
        );
        assert!(lines[1].contains("title=rule-12::"), "{}", lines[1]);
        assert_eq!(lines.len(), 14);
        // Without `all`, only the new one, and nothing to say about the rest.
        assert_eq!(
            render_github(&findings, false, &[], &sources)
                .lines()
                .count(),
            1
        );
    }

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50%\na"), "50%25%0Aa");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
