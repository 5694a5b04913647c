//! Owns the Markdown report: a summary for a pull-request comment or a CI job summary, with
//! counts per rule and a table of findings per file.

use crate::finding::{Change, Finding, Summary};
use crate::lang::Lang;
use crate::problem::Problem;
use crate::report::human::{severity_name, summary_line};
use crate::report::{ChangeReport, Place, PositionedFinding};
use crate::source::{visible, visible_name, SourceMap};

fn cell(text: &str) -> String {
    markdown_text(text)
}

/// Text for a Markdown table cell or line: on one line, with every character that Markdown
/// or a renderer's HTML would read as markup escaped, hidden characters made visible, and
/// every `@` kept from mentioning anyone (a zero-width space after it, as an entity).
pub fn markdown_text(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@&#8203;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside an HTML element of the report (a file name in `<code>`): markup escaped,
/// control characters made visible, no `@` mention.
fn html_text(text: &str) -> String {
    crate::report::html::escape(&visible_name(text)).replace('@', "&#64;")
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
            place.map_or(String::new(), |pl| cell(pl.file)),
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
    budget: &mut Budget,
    lang: Lang,
) -> String {
    let base = cell(change.base);
    let mut out =
        match (change.base_failed, summary.change, lang) {
            (Some(why), _, _) => format!(
                "## ropa: the base {base} does not load ({}): {}\n\n",
                cell(why),
                crate::report::FAILED_CLOSED
            ),
            (None, Some(c), Lang::En) => format!(
            "## ropa: this change brings {} new {}, resolves {} (against {base}; {} existing)\n\n",
            c.new,
            if c.new == 1 { "finding" } else { "findings" },
            c.resolved,
            c.existing
        ),
            (None, Some(c), Lang::Nl) => {
                format!(
            "## ropa: deze wijziging brengt {} {}, lost {} op (tegen {base}; {} bestaand)\n\n",
            c.new,
            if c.new == 1 { "nieuwe bevinding" } else { "nieuwe bevindingen" },
            c.resolved,
            c.existing
        )
            }
            (None, None, _) => String::new(),
        };
    let new: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.change == Some(Change::New))
        .collect();
    if !new.is_empty() {
        out.push_str(lang.pick(
            "| file | line | activity | target | rule | message |\n|---|---:|---|---|---|---|\n",
            "| bestand | regelnr. | activiteit | doel | regel | melding |\n|---|---:|---|---|---|---|\n",
        ));
        for f in new {
            budget.push(&mut out, row(f, true, sources));
        }
        out.push('\n');
    }
    if !change.resolved.is_empty() {
        out.push_str(lang.pick("Resolved:\n\n", "Opgelost:\n\n"));
        for f in change.resolved {
            if budget.spent(&out) {
                budget.left_out += 1;
                continue;
            }
            let mut line = format!("- `{}`", visible_name(&f.rule));
            if let Some(activity) = &f.activity {
                line.push_str(&format!(
                    " {} {}",
                    lang.pick("activity", "activiteit"),
                    cell(activity)
                ));
            }
            if let Some(target) = &f.target {
                line.push_str(&format!(
                    " {} {}",
                    lang.pick("target", "doel"),
                    cell(target)
                ));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The largest Markdown report: GitHub refuses a job summary over 1 MiB, and a
/// pull-request comment is limited to 65,536 characters (then post it as a file). Room is
/// left for the closing note.
pub const LIMIT_BYTES: usize = 1_000_000;

/// The bytes a report may still take, and how many findings it left out for want of them.
struct Budget {
    limit: usize,
    /// Bytes already in the report before the part being built.
    before: usize,
    left_out: usize,
}

impl Budget {
    /// Whether `out` (after `before` bytes) has reached the limit.
    fn spent(&self, out: &str) -> bool {
        self.before + out.len() >= self.limit
    }

    /// Adds `row` to `out`, or counts it as left out when it would pass the limit.
    fn push(&mut self, out: &mut String, row: String) {
        if self.before + out.len() + row.len() > self.limit {
            self.left_out += 1;
        } else {
            out.push_str(&row);
        }
    }
}

/// Renders the findings as Markdown. Against a base it leads with what the change did: the
/// new findings, then what it resolved, then the counts of everything. It stays under
/// [`LIMIT_BYTES`]: past it, rows are left out and a closing note says how many.
pub fn render_markdown(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    summary: &Summary,
    approvals: &[&PositionedFinding<'_>],
    sources: &SourceMap,
    lang: Lang,
) -> String {
    let mut out = render_markdown_within(findings, change, summary, sources, LIMIT_BYTES, lang);
    out.push_str(&approvals_section(approvals, sources, lang));
    out
}

/// The weakenings of the gate this change's approvals answer, each with who approved it,
/// when and why.
fn approvals_section(
    approvals: &[&PositionedFinding<'_>],
    sources: &SourceMap,
    lang: Lang,
) -> String {
    if approvals.is_empty() {
        return String::new();
    }
    let mut out = lang
        .pick(
            "\n### Approved weakenings of the gate\n\n| where | weakening | approved by | on | why |\n|---|---|---|---|---|\n",
            "\n### Goedgekeurde verzwakkingen van de poort\n\n| waar | verzwakking | goedgekeurd door | op | waarom |\n|---|---|---|---|---|\n",
        )
        .to_string();
    for p in approvals {
        let (start, _) = sources.range(p.finding.at);
        out.push_str(&format!(
            "| `{}:{}` | {} | {} | {} | {} |\n",
            html_text(&sources.file(p.finding.at.file).name),
            start.line,
            cell(&p.finding.label),
            cell(&p.position.approved_by.value),
            cell(&p.position.decided_on.value),
            cell(&p.position.reasoning.value),
        ));
    }
    out
}

/// [`render_markdown`] within `limit` bytes.
pub fn render_markdown_within(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    summary: &Summary,
    sources: &SourceMap,
    limit: usize,
    lang: Lang,
) -> String {
    // Room for the closing tags and the note, so the whole report stays under `limit`.
    const NOTE_ROOM: usize = 1024;
    let mut budget = Budget {
        limit: limit.saturating_sub(NOTE_ROOM),
        before: 0,
        left_out: 0,
    };
    let mut out = String::new();
    if let Some(change) = change {
        out.push_str(&change_section(
            findings,
            change,
            summary,
            sources,
            &mut budget,
            lang,
        ));
    }
    let headline = summary_line(summary, lang);
    let headline = headline.trim_end().trim_start_matches("ropa: ");
    out.push_str(&format!("## ropa: {headline}\n\n"));
    if findings.is_empty() {
        return out;
    }
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(rule, _, _)| *rule == f.rule) {
            Some(entry) => entry.2 += 1,
            None => counts.push((&f.rule, severity_name(f.severity, lang), 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    out.push_str(lang.pick(
        "| rule | severity | findings |\n|---|---|---:|\n",
        "| regel | ernst | bevindingen |\n|---|---|---:|\n",
    ));
    for (rule, severity, count) in counts {
        out.push_str(&format!("| `{rule}` | {severity} | {count} |\n"));
    }
    for group in findings.chunk_by(|a, b| a.at.file == b.at.file) {
        let Some(first) = group.first() else {
            continue;
        };
        if budget.spent(&out) {
            budget.left_out += group.len();
            continue;
        }
        let name = html_text(&sources.file(first.at.file).name);
        let register = first
            .register
            .as_deref()
            .map(|r| format!("{}: ", cell(r)))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n<details><summary>{register}<code>{name}</code>: {} {}</summary>\n\n",
            group.len(),
            lang.pick("findings", "bevindingen")
        ));
        out.push_str(lang.pick(
            "| line | activity | target | rule | message |\n|---:|---|---|---|---|\n",
            "| regelnr. | activiteit | doel | regel | melding |\n|---:|---|---|---|---|\n",
        ));
        for f in group {
            budget.push(&mut out, row(f, false, sources));
        }
        out.push_str("\n</details>\n");
    }
    if budget.left_out > 0 {
        let note = lang.pick(
            "\n**{left} of {all} rows left out** to keep this summary under {limit} bytes (GitHub's job-summary limit is 1 MiB): new findings and the counts come first. The SARIF, JSON or JUnit report has every finding.\n",
            "\n**{left} van {all} rijen weggelaten** om dit overzicht onder {limit} bytes te houden (GitHub staat voor een job summary hoogstens 1 MiB toe): nieuwe bevindingen en de aantallen komen eerst. Het SARIF-, JSON- of JUnit-rapport heeft elke bevinding.\n",
        );
        out.push_str(
            &note
                .replace("{left}", &budget.left_out.to_string())
                .replace(
                    "{all}",
                    &(findings.len() + change.map_or(0, |c| c.resolved.len())).to_string(),
                )
                .replace("{limit}", &LIMIT_BYTES.min(limit).to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "test code")]
    use std::path::Path;

    use super::*;
    use crate::source::{Location, Span};

    #[test]
    fn markdown_text_escapes_markup_mentions_and_stays_on_one_line() {
        assert_eq!(
            markdown_text("a|b *c* <img src=x>\nnext & [link](u)"),
            "a\\|b \\*c\\* \\<img src=x\\> next \\& \\[link\\](u)"
        );
        assert_eq!(markdown_text("\u{1b}[31m"), "\\\\u{1b}\\[31m");
        assert_eq!(
            markdown_text("@octocat @org/team <details open>"),
            "@&#8203;octocat @&#8203;org/team \\<details open\\>"
        );
        assert_eq!(
            html_text("a\n::warning <b>@x"),
            "a\\u{a}::warning &lt;b&gt;&#64;x"
        );
    }

    #[test]
    fn past_the_limit_rows_are_left_out_and_counted() {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("r.yaml"), "x\n".repeat(2000));
        let findings: Vec<Finding> = (0..500)
            .map(|i| {
                let at = Location {
                    file,
                    span: Span::new(i * 2, 1),
                };
                Finding {
                    message: "The activity has no retention period".into(),
                    activity: Some(format!("activity-{i}")),
                    ..Finding::for_test("retention-required", at)
                }
            })
            .collect();
        let summary = Summary::new(&findings, 500, 1, 44);
        let whole =
            render_markdown_within(&findings, None, &summary, &sources, usize::MAX, Lang::En);
        assert!(!whole.contains("left out"));
        let cut = render_markdown_within(&findings, None, &summary, &sources, 10_000, Lang::En);
        assert!(cut.len() <= 10_000 && cut.len() > 8_000, "{}", cut.len());
        let rows = cut.matches("| `retention-required` | The activity").count();
        assert!(rows > 10 && rows < 500, "{rows}");
        assert!(
            cut.contains(&format!("**{} of 500 rows left out**", 500 - rows)),
            "{}",
            &cut[cut.len().saturating_sub(300)..]
        );
    }
}
