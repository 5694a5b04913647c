//! `ropa pre-commit`: the staged register judged against `HEAD`: the commit is blocked only
//! by the findings it brings, wherever they point. With `--all`, a first commit, or a changed
//! policy, the findings in the changed files (or all, for a policy) as before.

use std::path::{Path, PathBuf};

use crate::baseline::Base;
use crate::finding::{Change, Finding};
use crate::git;
use crate::report::human::Style;
use crate::source::FileId;

use super::{check_or_fail, deliver, Outcome, OutputArgs, ReportArgs, Selection};

/// Arguments of `ropa pre-commit`.
#[derive(Debug, clap::Args)]
pub struct PreCommitArgs {
    /// Changed files, as pre-commit passes them. Findings are limited to these register
    /// files; a changed policy file reports all findings. No files: all findings.
    pub files: Vec<PathBuf>,
    /// The register folder, loaded whole (references cross files).
    #[arg(long, default_value = "register")]
    pub register: String,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Report and block on every finding in the changed register files, not only the new
    /// ones.
    #[arg(long)]
    pub all: bool,
}

/// Runs `ropa pre-commit`.
pub fn run(args: &PreCommitArgs, style: Style) -> Outcome {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: Vec<PathBuf> = args.files.iter().map(|f| canonical(f)).collect();
    let policies = canonical(&args.report.policies);
    let policy_changed = changed.iter().any(|f| f.starts_with(&policies));
    if !args.all && !policy_changed && git::has_head() {
        judge_the_commit(args, style)
    } else {
        in_changed_files(args, &changed, policy_changed, style)
    }
}

/// The register as staged against `HEAD`: the new findings, wherever they point (a changed
/// sub-processor can bring a finding in the file of an activity that engages it).
fn judge_the_commit(args: &PreCommitArgs, style: Style) -> Outcome {
    let inputs = std::slice::from_ref(&args.register);
    let head = Base::Rev("HEAD".to_string());
    let (checked, sources) =
        match check_or_fail(inputs, Some(&head), &args.report, &args.output, style) {
            Ok(done) => done,
            Err(outcome) => return outcome,
        };
    let new: Vec<Finding> = checked
        .findings
        .iter()
        .filter(|f| f.change == Some(Change::New))
        .cloned()
        .collect();
    let resolved = checked.change.as_ref().map_or(&[][..], |c| &c.resolved);
    deliver(
        &checked,
        &Selection {
            findings: &new,
            resolved,
            waived: &[],
            fail_on_new: true,
            hidden_existing: checked.findings.len() - new.len(),
            all: false,
        },
        &args.report,
        &args.output,
        &sources,
        style,
    )
}

/// The findings in the changed register files, or all of them when a policy changed.
fn in_changed_files(
    args: &PreCommitArgs,
    changed: &[PathBuf],
    policy_changed: bool,
    style: Style,
) -> Outcome {
    let inputs = std::slice::from_ref(&args.register);
    let (checked, sources) = match check_or_fail(inputs, None, &args.report, &args.output, style) {
        Ok(done) => done,
        Err(outcome) => return outcome,
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let findings: Vec<Finding> = if changed.is_empty() || policy_changed {
        checked.findings.clone()
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
                selected.push(finding.clone());
            }
        }
        selected
    };
    deliver(
        &checked,
        &Selection {
            findings: &findings,
            resolved: &[],
            waived: &[],
            fail_on_new: false,
            hidden_existing: 0,
            all: false,
        },
        &args.report,
        &args.output,
        &sources,
        style,
    )
}
