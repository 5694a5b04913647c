//! Owns the GitHub Actions report: one workflow command per finding, which GitHub shows as
//! an annotation on the line in the pull request.
//! `::error file=F,line=L,endLine=L,col=C,endColumn=C,title=RULE::MESSAGE`

use crate::finding::Change;
use crate::finding::{Finding, Severity};
use crate::problem::Problem;
use crate::report::{problem_rule, problem_text, Place};
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

/// Renders the findings as workflow commands; against a base, only the new ones unless
/// `all` (existing findings are the backlog, not the pull request's).
pub fn render_github(findings: &[Finding], all: bool, sources: &SourceMap) -> String {
    let mut out = String::new();
    for finding in findings
        .iter()
        .filter(|f| all || f.change != Some(Change::Existing))
    {
        let Place {
            file,
            line,
            column,
            end_line,
            end_column,
        } = Place::of(finding.at, sources);
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
        out.push_str(&format!(
            "::{command} file={},line={line},endLine={end_line},col={column},endColumn={end_column},title={}::{}\n",
            escape_property(file),
            escape_property(&finding.rule),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50%\na"), "50%25%0Aa");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
