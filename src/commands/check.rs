//! `ropa check`: the whole register against the policies, with the `--rule` and
//! `--activity` filters.

use crate::finding::Finding;
use crate::pipeline::Checked;
use crate::problem::{suggestion, Code, Problem};
use crate::report::human::Style;

use crate::source::SourceMap;

use super::{
    check_or_fail, deliver, fail, fail_as, ChangeArgs, Outcome, OutputArgs, ReportArgs, Selection,
};

/// Arguments of `ropa check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Register files, folders or glob patterns.
    #[arg(default_value = "register")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Report only these rules (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Report only these activities (repeatable).
    #[arg(long = "activity", value_name = "ID")]
    pub activities: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `ropa check`.
pub fn run(args: &CheckArgs, style: Style) -> Outcome {
    let base = args.change.base();
    if args.change.fail_on_new && base.is_none() {
        let problem = Problem::general(
            Code::Io,
            "--fail-on-new needs a base to tell new findings from existing ones",
        )
        .help("name it: `--base origin/main` (a git revision) or `--base-dir DIR`");
        return fail(&[problem], &SourceMap::new(), style);
    }
    let (checked, sources) = match check_or_fail(
        &args.paths,
        base.as_ref(),
        &args.report,
        &args.output,
        style,
    ) {
        Ok(done) => done,
        Err(outcome) => return outcome,
    };
    let problems = unknown_filters(args, &checked);
    if !problems.is_empty() {
        return fail_as(&problems, &sources, style, args.report.format, &args.output);
    }
    let selected = |f: &&Finding| {
        (args.rules.is_empty() || args.rules.contains(&f.rule))
            && (args.activities.is_empty()
                || f.activity
                    .as_ref()
                    .is_some_and(|a| args.activities.contains(a)))
    };
    let findings: Vec<Finding> = checked.findings.iter().filter(selected).cloned().collect();
    let resolved: Vec<Finding> = checked
        .change
        .iter()
        .flat_map(|c| c.resolved.iter())
        .filter(selected)
        .cloned()
        .collect();
    let waived: Vec<(Finding, usize)> = checked
        .waived
        .iter()
        .filter(|(f, _)| selected(&f))
        .cloned()
        .collect();
    deliver(
        &checked,
        &Selection {
            findings: &findings,
            resolved: &resolved,
            waived: &waived,
            fail_on_new: args.change.fail_on_new,
            hidden_existing: 0,
            all: args.change.all,
        },
        &args.report,
        &args.output,
        &sources,
        style,
    )
}

/// Problems for `--rule` and `--activity` values that name nothing.
fn unknown_filters(args: &CheckArgs, checked: &Checked) -> Vec<Problem> {
    let rule_ids: Vec<&str> = checked.pack.rules.iter().map(|r| r.id.as_str()).collect();
    let activity_ids: Vec<&str> = checked
        .register
        .activities
        .iter()
        .map(|a| a.id.value.as_str())
        .collect();
    let unknown = |what: &str, value: &String, known: &[&str]| {
        (!known.contains(&value.as_str())).then(|| {
            Problem::general(Code::DanglingReference, format!("no {what} `{value}`"))
                .maybe_help(suggestion(value, known.iter().copied()))
        })
    };
    args.rules
        .iter()
        .filter_map(|r| unknown("rule", r, &rule_ids))
        .chain(
            args.activities
                .iter()
                .filter_map(|a| unknown("activity", a, &activity_ids)),
        )
        .collect()
}
