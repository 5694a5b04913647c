//! Owns the report formats. Each is a pure function of the findings (and the sources, for
//! positions, and the rules, for metadata) in its own file; none prints. This module holds
//! what several formats share: positions and fingerprints.

pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod tests;

use crate::declaration::Declaration;
use crate::finding::{finding_keys, Finding, Summary};
use crate::policy::Rule;
use crate::problem::Problem;
use crate::register::{Position, Waiver};
use crate::source::{Location, SourceMap};

/// The formats of `ropa check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people.
    Human,
    /// A versioned JSON object for machines.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for a CI test tab.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// A Markdown summary for a pull-request comment or a job summary.
    Markdown,
    /// One self-contained HTML page for people: summary, compliance matrix, each activity's
    /// record with its findings, waivers, filters.
    Html,
}

/// What a report says about the change, against a base register.
#[derive(Debug, Clone, Copy)]
pub struct ChangeReport<'a> {
    /// How the base is named (`origin/main`, a folder).
    pub base: &'a str,
    /// Why the base did not load, when it did not (every finding is then new).
    pub base_failed: Option<&'a str>,
    /// The base's findings that are gone (their places are in the base, not in `sources`).
    pub resolved: &'a [Finding],
    /// Annotate existing findings too (GitHub), not only the new ones.
    pub all: bool,
}

/// A finding a live waiver covers, with the waiver: not in the findings, never lost.
#[derive(Debug, Clone, Copy)]
pub struct WaivedFinding<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The waiver that covers it.
    pub waiver: &'a Waiver,
}

/// A finding a reasoned position answers, with the position: out of the counts and the
/// gate, never out of sight.
#[derive(Debug, Clone, Copy)]
pub struct PositionedFinding<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The position that answers it.
    pub position: &'a Position,
}

/// What a report shows beside the open findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Covered<'a> {
    /// The findings live waivers cover (listed by JSON, SARIF as suppressed results, JUnit
    /// as skipped cases, the HTML report, and the human report with `--show-waived`).
    pub waived: &'a [WaivedFinding<'a>],
    /// The findings reasoned positions answer (every report shows them).
    pub positioned: &'a [PositionedFinding<'a>],
    /// The register's declarations (JSON and HTML list them; the human report counts them,
    /// and lists them with `--show-declarations`).
    pub declarations: &'a [Declaration],
    /// The human report lists the declarations.
    pub list_declarations: bool,
    /// The human report gives each finding its rule's whole help (else one line of what to
    /// do, and each rule's help once, after the findings).
    pub verbose: bool,
}

impl Covered<'_> {
    /// The weakenings of the gate an approval in `ropa.toml` answers (kept with the
    /// positions, whose shape they share).
    pub fn approvals(&self) -> Vec<&PositionedFinding<'_>> {
        self.positioned
            .iter()
            .filter(|p| p.finding.rule == crate::gate::RULE_ID)
            .collect()
    }
}

/// Renders findings in a format; `change` when they were judged against a base; `covered`
/// what waivers and positions cover, and the declarations; `registers` the registers
/// judged (the HTML report shows their records).
#[expect(clippy::too_many_arguments, reason = "what a report is made of")]
pub fn render(
    format: Format,
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    rules: &[Rule],
    registers: &[html::RegisterView<'_>],
    sources: &SourceMap,
    style: human::Style,
) -> String {
    match format {
        Format::Human => human::render_findings(
            findings, change, covered, summary, registers, sources, style,
        ),
        Format::Json => json::render_json(findings, change, covered, summary, sources),
        Format::Sarif => sarif::render_sarif(findings, change, covered, rules, sources),
        Format::Junit => junit::render_junit(findings, covered, rules, sources),
        Format::Github => github::render_github(
            findings,
            change.is_none_or(|c| c.all),
            &covered.approvals(),
            sources,
        ),
        Format::Gitlab => gitlab::render_gitlab(findings, sources),
        Format::Markdown => markdown::render_markdown(
            findings,
            change,
            summary,
            &covered.approvals(),
            sources,
            style.lang,
        ),
        Format::Html => html::render_html(
            findings, change, covered, summary, rules, registers, sources, style.lang,
        ),
    }
}

/// [`render`] into `out`; the JSON report is written as it is shaped, never held whole.
#[expect(clippy::too_many_arguments, reason = "what a report is made of")]
pub fn render_to(
    out: &mut dyn std::io::Write,
    format: Format,
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    rules: &[Rule],
    registers: &[html::RegisterView<'_>],
    sources: &SourceMap,
    style: human::Style,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_json(out, findings, change, covered, summary, sources),
        _ => out.write_all(
            render(
                format, findings, change, covered, summary, rules, registers, sources, style,
            )
            .as_bytes(),
        ),
    }
}

/// Renders the problems that stopped a run in a machine format, so CI shows where the
/// register or a policy is broken; `None` for the human format (problems go to stderr).
pub fn render_problems(
    format: Format,
    problems: &[Problem],
    sources: &SourceMap,
) -> Option<String> {
    match format {
        Format::Human => None,
        Format::Json => Some(json::render_json_problems(problems, sources)),
        Format::Sarif => Some(sarif::render_sarif_problems(problems, sources)),
        Format::Junit => Some(junit::render_junit_problems(problems, sources)),
        Format::Github => Some(github::render_github_problems(problems, sources)),
        Format::Gitlab => Some(gitlab::render_gitlab_problems(problems, sources)),
        Format::Markdown => Some(markdown::render_markdown_problems(problems, sources)),
        Format::Html => Some(html::render_html_problems(problems, sources)),
    }
}

/// The rule id a problem carries in machine formats: `ropa/<code>`, apart from policy ids.
pub fn problem_rule(problem: &Problem) -> String {
    format!("ropa/{}", problem.code.name())
}

/// A problem's message with its help on the next line.
pub fn problem_text(problem: &Problem) -> String {
    match &problem.help {
        Some(help) => format!("{}\n{help}", problem.message),
        None => problem.message.clone(),
    }
}

/// A stable fingerprint of a problem: its code, message and place.
pub fn problem_fingerprint(problem: &Problem) -> String {
    let at = problem
        .at
        .map(|at| format!("{}:{}", at.span.offset, at.span.len))
        .unwrap_or_default();
    let text = format!("{}\0{}\0{at}", problem.code.name(), problem.message);
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// Where a location is, in the terms every format uses: the file's display name, and 1-based
/// start and end (just past the last character) lines and columns, columns in characters.
/// It serialises as the JSON report's position fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Place<'a> {
    /// File name relative to the working directory, with `/`.
    pub file: &'a str,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (just past the last character).
    pub end_column: usize,
}

impl<'a> Place<'a> {
    /// The place of a location.
    pub fn of(at: Location, sources: &'a SourceMap) -> Self {
        let (start, end) = sources.range(at);
        Place {
            file: &sources.file(at.file).name,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and Rust version.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A stable fingerprint per finding, in the same order: it hashes the rule, activity and
/// target (not the file or line, so unrelated edits and moves keep it), plus the finding's
/// rank among findings with the same three, so every fingerprint in a run is unique.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    finding_keys(findings)
        .into_iter()
        .map(|(rule, activity, target, rank)| {
            let text = format!(
                "{rule}\0{}\0{}\0{rank}",
                activity.unwrap_or(""),
                target.unwrap_or("")
            );
            format!("{:016x}", fnv1a(text.as_bytes()))
        })
        .collect()
}

/// What a base that does not load means for the gate, as every report says it.
pub const FAILED_CLOSED: &str = "every finding counts as new, every waiver as added, and the \
rules about the change run as if everything were added";

#[cfg(test)]
mod fingerprint_tests {
    use super::fnv1a;

    #[test]
    fn fnv1a_matches_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
