//! `ropa pre-commit`: the commit judged as CI judges a pull request. The staged register,
//! policies and `ropa.toml` against `HEAD` (or, when pre-commit runs with `--from-ref` and
//! `--to-ref`, the checkout against where the branch left `--from-ref`), by `ropa check
//! --base ... --fail-on-new`: only the findings the change brings block it, policy and
//! taxonomy changes are judged by their difference, and a weakened gate needs its approval.
//! A judged file whose saved text is not the staged one is refused (the commit would hold
//! another text than the one judged); in CI with nothing staged there is no change to judge,
//! and that is said and fails. With `--all`, or on a first commit, every finding as before.

use std::path::{Path, PathBuf};

use crate::config::in_ci;
use crate::finding::Finding;
use crate::git;
use crate::problem::{Code, Problem};
use crate::source::FileId;

use super::check::{self, CheckArgs};
use super::{
    check_one, deliver, fail, fail_as, units, ChangeArgs, Context, Delivery, Outcome, OutputArgs,
    ReportArgs, ReportView, Selection, Unit,
};

/// Arguments of `ropa pre-commit`.
#[derive(Debug, clap::Args)]
pub struct PreCommitArgs {
    /// Files, as pre-commit passes them: used only with --all (the findings in these register
    /// files; a policy among them: all findings). Without --all the change is read from git.
    pub files: Vec<PathBuf>,
    /// The register: its folder, files or globs [default: every register ropa.toml names;
    /// else register].
    #[arg(long)]
    pub register: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Report and block on every finding in the given register files, not only the new
    /// ones.
    #[arg(long)]
    pub all: bool,
}

/// Where the change starts: pre-commit's `--from-ref` (the merge base with the checkout),
/// else `HEAD`.
fn base_revision() -> Option<(String, bool)> {
    let from = std::env::var("PRE_COMMIT_FROM_REF")
        .ok()
        .filter(|r| !r.is_empty());
    let to = std::env::var("PRE_COMMIT_TO_REF")
        .ok()
        .filter(|r| !r.is_empty());
    if let (Some(from), Some(to)) = (from, to) {
        let base = git::merge_base(&from, &to).unwrap_or(from);
        return Some((base, true));
    }
    git::has_head().then(|| ("HEAD".to_string(), false))
}

/// Runs `ropa pre-commit`.
pub fn run(args: &PreCommitArgs, context: &Context) -> Outcome {
    let paths: Vec<String> = args.register.iter().cloned().collect();
    let units = units(
        &paths,
        args.report.policies.as_deref(),
        context.config.as_ref(),
    );
    let Some((base, from_ref)) = base_revision().filter(|_| !args.all) else {
        return every_finding(args, &units, context);
    };
    if !from_ref {
        // What the commit holds is the index: every file the check reads must be staged as
        // it is saved, or the check would judge a text the commit does not hold.
        let mut named: Vec<PathBuf> = Vec::new();
        for unit in &units {
            named.extend(unit.inputs.iter().map(PathBuf::from));
            named.push(unit.policies.clone());
        }
        if let Some(config) = &context.config {
            named.push(config.file.clone());
        }
        // Paths outside the working directory are not the commit's.
        let judged: Vec<String> = named
            .iter()
            .filter_map(|p| crate::files::below_working_directory(p))
            .collect();
        let style = context.style;
        let unstaged = if judged.is_empty() {
            Ok(Vec::new())
        } else {
            git::not_staged(&judged)
        };
        match unstaged {
            Err(why) => {
                let problem = Problem::general(
                    Code::Io,
                    format!("cannot tell what the commit holds: {why}"),
                );
                return fail(&[problem], &context.sources, style);
            }
            Ok(files) if !files.is_empty() => {
                return fail(&[not_staged_problem(&files)], &context.sources, style);
            }
            Ok(_) => {}
        }
        if in_ci() && (judged.is_empty() || !git::has_staged_changes(&judged).unwrap_or(true)) {
            return fail(&[committed_tree_problem()], &context.sources, style);
        }
    }
    let check_args = CheckArgs {
        paths,
        report: args.report.clone(),
        rules: Vec::new(),
        activities: Vec::new(),
        change: ChangeArgs {
            base: Some(base),
            base_dir: None,
            fail_on_new: true,
            no_fail_on_new: false,
            all: false,
        },
        output: args.output.clone(),
        only_new: true,
    };
    check::run(&check_args, context)
}

/// The judged files whose saved text is not staged.
fn not_staged_problem(files: &[String]) -> Problem {
    let shown: Vec<String> = files.iter().take(5).map(|f| format!("`{f}`")).collect();
    let more = match files.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    Problem::general(
        Code::Io,
        format!(
            "{}{more} not staged as saved: the commit would hold another text than the one ropa reads",
            shown.join(", ")
        ),
    )
    .help(
        "stage them (`git add`), or set the rest aside while committing (`git stash \
        --keep-index`); the pre-commit framework does this itself",
    )
}

/// In CI, a committed tree: nothing is staged, so there is no change to judge.
fn committed_tree_problem() -> Problem {
    Problem::general(
        Code::Io,
        "nothing is staged: in CI on a committed tree `ropa pre-commit` has no change to judge",
    )
    .help(
        "judge the pull request instead: `pre-commit run --from-ref BASE --to-ref HEAD` \
        (the hook then judges the change since BASE), or `ropa check --base BASE \
        --fail-on-new` (the Action and the GitLab job do); see docs/ci.md",
    )
}

/// `--all`, or a first commit: every finding of each register, in the files given (all of
/// them when none, or when a policy file is among them).
fn every_finding(args: &PreCommitArgs, units: &[Unit], context: &Context) -> Outcome {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: Vec<PathBuf> = args.files.iter().map(|f| canonical(f)).collect();
    let several = units.len() > 1;
    let mut worst = Outcome::Clean;
    for unit in units {
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
        worst = worst.max(in_changed_files(
            args,
            unit,
            &changed,
            policy_changed,
            context,
        ));
    }
    worst
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
    if let Some(problem) = delivery.clash() {
        return fail(&[problem], &context.sources, style);
    }
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
