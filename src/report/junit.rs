//! Owns the JUnit XML report, for a CI test tab: one test suite per rule, one failing test
//! case per finding (named by activity and target), and a passing case for a rule with no
//! findings, so the tab shows what was checked as well as what failed.

use crate::finding::{Change, Finding};
use crate::policy::Rule;
use crate::problem::Problem;
use crate::report::Covered;
use crate::report::{problem_rule, problem_text, Place};
use crate::source::SourceMap;

/// Escapes text for an XML attribute or element; drops characters XML 1.0 cannot carry.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            // Not characters XML 1.0 allows: a parser refuses the whole report for one.
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn case_name(finding: &Finding) -> String {
    let name = match (&finding.activity, &finding.target) {
        (Some(a), Some(t)) => format!("{a} › {t}"),
        (Some(a), None) => a.clone(),
        (None, Some(t)) if finding.rule == crate::gate::RULE_ID => t.clone(),
        (None, _) => "organisation".to_string(),
    };
    let name = match &finding.register {
        Some(register) => format!("{register} › {name}"),
        None => name,
    };
    // Against a base, the tests tab tells what the change brought.
    match finding.change {
        Some(Change::New) => format!("{name} (new)"),
        _ => name,
    }
}

/// Renders the problems that stopped a run: one suite `ropa` with an erroring case each.
pub fn render_junit_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let n = problems.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"ropa\" tests=\"{n}\" failures=\"0\" errors=\"{n}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"ropa\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">\n"
    ));
    for problem in problems {
        let place = problem.at.map(|at| Place::of(at, sources));
        let prefix = place
            .map(|p| format!("{}:{}:{}: ", p.file, p.line, p.column))
            .unwrap_or_default();
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"ropa\">\n      <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>\n",
            escape(&problem_rule(problem)),
            problem.code.name(),
            escape(&problem.message),
            escape(&format!("{prefix}{}", problem_text(problem)))
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Renders the findings as JUnit XML.
pub fn render_junit(
    findings: &[Finding],
    covered: &Covered<'_>,
    rules: &[Rule],
    sources: &SourceMap,
) -> String {
    // Waived and positioned findings, each with why it is accepted.
    let waived: Vec<(&Finding, String)> = covered
        .waived
        .iter()
        .map(|w| {
            let why = format!(
                "waived until {} ({}): {}",
                w.waiver.expires.value, w.waiver.approved_by.value, w.waiver.reason.value
            );
            (w.finding, why)
        })
        .chain(covered.positioned.iter().map(|p| {
            let why = format!(
                "reasoned position ({}, {}): {}",
                p.position.approved_by.value,
                p.position.decided_on.value,
                p.position.reasoning.value
            );
            (p.finding, why)
        }))
        .collect();
    // Against a base, a finding the base had too is a skipped case: on the record, not the
    // change's to fix (only the new ones fail).
    let mut waived = waived;
    let findings: Vec<&Finding> = {
        let mut failing = Vec::new();
        for finding in findings {
            if finding.change == Some(Change::Existing) {
                waived.push((
                    finding,
                    "existing before this change: not the change's to fix".to_string(),
                ));
            } else {
                failing.push(finding);
            }
        }
        failing
    };
    let waived_of = |rule: &str| -> Vec<&(&Finding, String)> {
        waived.iter().filter(|w| w.0.rule == rule).collect()
    };
    let total: usize = rules
        .iter()
        .map(|r| {
            (findings.iter().filter(|f| f.rule == r.id).count() + waived_of(&r.id).len()).max(1)
        })
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"ropa\" tests=\"{total}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
        findings.len(),
        waived.len()
    ));
    for rule in rules {
        let own: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|f| f.rule == rule.id)
            .collect();
        let own_waived = waived_of(&rule.id);
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
            escape(&rule.id),
            (own.len() + own_waived.len()).max(1),
            own.len(),
            own_waived.len()
        ));
        // A waived finding is a skipped case: accepted on purpose, on the record.
        for (finding, why) in &own_waived {
            let place = Place::of(finding.at, sources);
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                escape(&case_name(finding)),
                escape(&rule.id),
                escape(place.file),
                place.line,
                escape(why)
            ));
        }
        if own.is_empty() && own_waived.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"no findings\" classname=\"{}\"/>\n",
                escape(&rule.id)
            ));
        }
        for finding in own {
            let place = Place::of(finding.at, sources);
            let mut body = format!(
                "{}:{}:{}: {}",
                place.file, place.line, place.column, finding.message
            );
            if let Some(help) = &finding.help {
                body.push_str(&format!("\n{help}"));
            }
            if let Some(article) = &finding.article {
                body.push_str(&format!("\n{article}"));
            }
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n",
                escape(&case_name(finding)),
                escape(&rule.id),
                escape(place.file),
                place.line
            ));
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                finding.severity.name(),
                escape(&finding.message),
                escape(&body)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_covers_markup_and_control_characters() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(escape("bad\u{fffe}\u{ffff} end\u{fffd}"), "bad end\u{fffd}");
    }
}
