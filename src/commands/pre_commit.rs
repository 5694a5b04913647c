//! `ropa pre-commit`: the staged register judged against `HEAD`: the commit is blocked only
//! by the findings it brings, wherever they point. With `--all`, a first commit, or a changed
//! policy, the findings in the changed files (or all, for a policy) as before.

use std::path::{Path, PathBuf};

use crate::baseline::Base;
use crate::finding::{Change, Finding};
use crate::git;
use crate::source::FileId;

use super::{
    check_one, deliver, fail_as, units, Context, Delivery, Outcome, OutputArgs, ReportArgs,
    ReportView, Selection, Unit,
};

/// Arguments of `ropa pre-commit`.
#[derive(Debug, clap::Args)]
pub struct PreCommitArgs {
    /// Changed files, as pre-commit passes them. Findings are limited to these register
    /// files; a changed policy file reports all findings. No files: all findings.
    pub files: Vec<PathBuf>,
    /// The register folder, loaded whole (references cross files) [default: from ropa.toml,
    /// every register it names whose files or policies changed; else register].
    #[arg(long)]
    pub register: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Report and block on every finding in the changed register files, not only the new
    /// ones.
    #[arg(long)]
    pub all: bool,
}

/// Runs `ropa pre-commit`: each register (one, or each one ropa.toml names whose files or
/// policies changed) in turn.
pub fn run(args: &PreCommitArgs, context: &Context) -> Outcome {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: Vec<PathBuf> = args.files.iter().map(|f| canonical(f)).collect();
    let paths: Vec<String> = args.register.iter().cloned().collect();
    let units = units(
        &paths,
        args.report.policies.as_deref(),
        context.config.as_ref(),
    );
    let several = units.len() > 1;
    let mut worst = Outcome::Clean;
    for unit in &units {
        let policies = canonical(&unit.policies);
        let policy_changed = changed.iter().any(|f| f.starts_with(&policies));
        let register_changed = changed.iter().any(|f| {
            unit.inputs
                .iter()
                .any(|i| f.starts_with(canonical(Path::new(i))))
        });
        if several && !changed.is_empty() && !policy_changed && !register_changed {
            continue;
        }
        let outcome = if !args.all && !policy_changed && git::has_head() {
            judge_the_commit(args, unit, context)
        } else {
            in_changed_files(args, unit, &changed, policy_changed, context)
        };
        worst = worst.max(outcome);
    }
    worst
}

/// The register as staged against `HEAD`: the new findings, wherever they point (a changed
/// sub-processor can bring a finding in the file of an activity that engages it).
fn judge_the_commit(args: &PreCommitArgs, unit: &Unit, context: &Context) -> Outcome {
    let style = context.style;
    let delivery = Delivery::of(&args.report, &args.output, &[]);
    let mut sources = context.sources.clone();
    let head = Base::Rev("HEAD".to_string());
    let checked = match check_one(
        &unit.inputs,
        &unit.policies,
        Some(&head),
        &args.report,
        context,
        delivery.shows_silenced(&args.report),
        &mut sources,
    ) {
        Ok(checked) => checked,
        Err(problems) => return fail_as(&problems, &sources, style, &delivery),
    };
    let new: Vec<Finding> = checked
        .findings
        .iter()
        .filter(|f| f.change == Some(Change::New))
        .map(|f| named(f, unit))
        .collect();
    let resolved = checked.change.as_ref().map_or(&[][..], |c| &c.resolved);
    let view = ReportView::of(
        &checked,
        &Selection {
            findings: &new,
            resolved,
            waived: &[],
            positioned: &[],
            fail_on_new: true,
            hidden_existing: checked.findings.len() - new.len(),
            all: false,
        },
    );
    let fail_on = args.report.fail_on(context.config.as_ref());
    deliver(&view, &delivery, &args.report, fail_on, &sources, style)
}

/// A finding with its register's name, when the hook judges several.
fn named(finding: &Finding, unit: &Unit) -> Finding {
    let mut finding = finding.clone();
    finding.register = unit.name.clone();
    finding
}

/// The findings in the changed register files, or all of them when a policy changed.
fn in_changed_files(
    args: &PreCommitArgs,
    unit: &Unit,
    changed: &[PathBuf],
    policy_changed: bool,
    context: &Context,
) -> Outcome {
    let style = context.style;
    let delivery = Delivery::of(&args.report, &args.output, &[]);
    let mut sources = context.sources.clone();
    let checked = match check_one(
        &unit.inputs,
        &unit.policies,
        None,
        &args.report,
        context,
        delivery.shows_silenced(&args.report),
        &mut sources,
    ) {
        Ok(checked) => checked,
        Err(problems) => return fail_as(&problems, &sources, style, &delivery),
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let findings: Vec<Finding> = if changed.is_empty() || policy_changed {
        checked.findings.iter().map(|f| named(f, unit)).collect()
    } else {
        // Resolve each file once, not once per finding.
        let mut in_change: Vec<(FileId, bool)> = Vec::new();
        let mut selected = Vec::new();
        for finding in &checked.findings {
            let file = finding.at.file;
            let changed_here = match in_change.iter().find(|(f, _)| *f == file) {
                Some((_, c)) => *c,
                None => {
                    let c = changed.contains(&canonical(&sources.file(file).path));
                    in_change.push((file, c));
                    c
                }
            };
            if changed_here {
                selected.push(named(finding, unit));
            }
        }
        selected
    };
    let view = ReportView::of(
        &checked,
        &Selection {
            findings: &findings,
            resolved: &[],
            waived: &[],
            positioned: &[],
            fail_on_new: false,
            hidden_existing: 0,
            all: false,
        },
    );
    let fail_on = args.report.fail_on(context.config.as_ref());
    deliver(&view, &delivery, &args.report, fail_on, &sources, style)
}
