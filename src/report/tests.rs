//! Owns the report of `ropa test`: one line per case, the differences of failing cases,
//! coverage gaps, and a closing `N passed, N failed` line.

use crate::report::human::{render_problem_list, Style};
use crate::source::{visible, visible_name, SourceMap};
use crate::testing::{Key, Outcome, TestRun};

fn key_line(kind: &str, (rule, activity, target): &Key) -> String {
    let mut line = format!("        {kind:<10}  {}", visible_name(rule));
    if !activity.is_empty() {
        line.push_str(&format!("  activity {}", visible_name(activity)));
    }
    if !target.is_empty() {
        line.push_str(&format!("  target {}", visible_name(target)));
    }
    line.push('\n');
    line
}

/// Renders a test run.
pub fn render_test_run(run: &TestRun, sources: &SourceMap, style: Style) -> String {
    let mut out = String::new();
    let mut current = None;
    for case in &run.cases {
        if current != Some(case.file) {
            current = Some(case.file);
            out.push_str(&format!(
                "{}\n",
                visible_name(&sources.file(case.file).name)
            ));
        }
        let line = sources.range(case.name.at).0.line;
        let name = visible_name(&case.name.value);
        match &case.outcome {
            Outcome::Pass => out.push_str(&format!("  ok      {name} (line {line})\n")),
            Outcome::Fail {
                missing,
                unexpected,
            } => {
                out.push_str(&format!("  FAIL    {name} (line {line})\n"));
                for k in missing {
                    out.push_str(&key_line("missing", k));
                }
                for k in unexpected {
                    out.push_str(&key_line("unexpected", k));
                }
            }
            Outcome::Broken(problems) => {
                out.push_str(&format!("  BROKEN  {name} (line {line})\n"));
                out.push_str(&render_problem_list(problems, sources, style));
            }
        }
    }
    if !run.gaps.is_empty() {
        out.push_str("\ncoverage:\n");
        for gap in &run.gaps {
            out.push_str(&format!("  {}\n", visible(gap)));
        }
    }
    let failed = run.cases.len() - run.passed();
    out.push_str(&format!(
        "\n{} cases, {} coverage gaps\nropa: {} passed, {failed} failed\n",
        run.cases.len(),
        run.gaps.len(),
        run.passed()
    ));
    out
}
