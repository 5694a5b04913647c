//! Owns the Markdown report: a summary for a pull-request comment or a CI job summary, with
//! counts per rule and a table of findings per file.

use crate::finding::{Change, Finding, Summary};
use crate::problem::Problem;
use crate::report::human::summary_line;
use crate::report::{ChangeReport, Place};
use crate::source::{visible, SourceMap};

fn cell(text: &str) -> String {
    visible(text).replace('|', "\\|").replace('\n', " ")
}

/// Renders the problems that stopped a run as a Markdown list.
pub fn render_markdown_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let mut out = format!(
        "## ropa: could not check the register: {} problem{}\n\n| file | line | code | problem |\n|---|---:|---|---|\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        let place = p.at.map(|at| Place::of(at, sources));
        out.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            place.map_or("", |pl| pl.file),
            place.map_or(String::new(), |pl| pl.line.to_string()),
            p.code.name(),
            cell(&p.message)
        ));
    }
    out
}

/// A finding as a table row: its file (when `with_file`), line, activity, target, rule and
/// message.
fn row(f: &Finding, with_file: bool, sources: &SourceMap) -> String {
    let place = Place::of(f.at, sources);
    let file = if with_file {
        format!("| `{}` ", cell(place.file))
    } else {
        String::new()
    };
    format!(
        "{file}| {} | {} | {} | `{}` | {} |\n",
        place.line,
        cell(f.activity.as_deref().unwrap_or("")),
        cell(f.target.as_deref().unwrap_or("")),
        f.rule,
        cell(&f.message)
    )
}

/// What the change did, for the head of a pull-request comment.
fn change_section(
    findings: &[Finding],
    change: &ChangeReport<'_>,
    summary: &Summary,
    sources: &SourceMap,
) -> String {
    let base = cell(change.base);
    let mut out = match (change.base_failed, summary.change) {
        (Some(why), _) => format!(
            "## ropa: the base {base} does not load ({}): every finding counts as new\n\n",
            cell(why)
        ),
        (None, Some(c)) => format!(
            "## ropa: this change brings {} new {}, resolves {} (against {base}; {} existing)\n\n",
            c.new,
            if c.new == 1 { "finding" } else { "findings" },
            c.resolved,
            c.existing
        ),
        (None, None) => String::new(),
    };
    let new: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.change == Some(Change::New))
        .collect();
    if !new.is_empty() {
        out.push_str(
            "| file | line | activity | target | rule | message |\n|---|---:|---|---|---|---|\n",
        );
        for f in new {
            out.push_str(&row(f, true, sources));
        }
        out.push('\n');
    }
    if !change.resolved.is_empty() {
        out.push_str("Resolved:\n\n");
        for f in change.resolved {
            let mut line = format!("- `{}`", f.rule);
            if let Some(activity) = &f.activity {
                line.push_str(&format!(" activity {}", cell(activity)));
            }
            if let Some(target) = &f.target {
                line.push_str(&format!(" target {}", cell(target)));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Renders the findings as Markdown. Against a base it leads with what the change did: the
/// new findings, then what it resolved, then the counts of everything.
pub fn render_markdown(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    summary: &Summary,
    sources: &SourceMap,
) -> String {
    let mut out = String::new();
    if let Some(change) = change {
        out.push_str(&change_section(findings, change, summary, sources));
    }
    let headline = summary_line(summary);
    let headline = headline.trim_end().trim_start_matches("ropa: ");
    out.push_str(&format!("## ropa: {headline}\n\n"));
    if findings.is_empty() {
        return out;
    }
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(rule, _, _)| *rule == f.rule) {
            Some(entry) => entry.2 += 1,
            None => counts.push((&f.rule, f.severity.name(), 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    out.push_str("| rule | severity | findings |\n|---|---|---:|\n");
    for (rule, severity, count) in counts {
        out.push_str(&format!("| `{rule}` | {severity} | {count} |\n"));
    }
    for group in findings.chunk_by(|a, b| a.at.file == b.at.file) {
        let Some(first) = group.first() else {
            continue;
        };
        let name = visible(&sources.file(first.at.file).name);
        out.push_str(&format!(
            "\n<details><summary><code>{name}</code>: {} findings</summary>\n\n",
            group.len()
        ));
        out.push_str("| line | activity | target | rule | message |\n|---:|---|---|---|---|\n");
        for f in group {
            out.push_str(&row(f, false, sources));
        }
        out.push_str("\n</details>\n");
    }
    out
}
