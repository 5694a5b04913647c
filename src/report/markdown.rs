//! Owns the Markdown report: a summary for a pull-request comment or a CI job summary, with
//! counts per rule and a table of findings per file.

use crate::finding::{Finding, Summary};
use crate::problem::Problem;
use crate::report::human::summary_line;
use crate::report::Place;
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

/// Renders the findings as Markdown.
pub fn render_markdown(findings: &[Finding], summary: &Summary, sources: &SourceMap) -> String {
    let headline = summary_line(summary);
    let headline = headline.trim_end().trim_start_matches("ropa: ");
    let mut out = format!("## ropa: {headline}\n\n");
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
            let place = Place::of(f.at, sources);
            out.push_str(&format!(
                "| {} | {} | {} | `{}` | {} |\n",
                place.line,
                cell(f.activity.as_deref().unwrap_or("")),
                cell(f.target.as_deref().unwrap_or("")),
                f.rule,
                cell(&f.message)
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}
