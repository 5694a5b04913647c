//! `ropa pre-commit`: the whole register, reporting the findings in the files a commit
//! changes.

use std::path::{Path, PathBuf};

use crate::finding::Finding;
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
}

/// Runs `ropa pre-commit`.
pub fn run(args: &PreCommitArgs, style: Style) -> Outcome {
    let inputs = std::slice::from_ref(&args.register);
    let (checked, sources) = match check_or_fail(inputs, None, &args.report, &args.output, style) {
        Ok(done) => done,
        Err(outcome) => return outcome,
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: Vec<PathBuf> = args.files.iter().map(|f| canonical(f)).collect();
    let policies = canonical(&args.report.policies);
    let policy_changed = changed.iter().any(|f| f.starts_with(&policies));
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
            fail_on_new: false,
        },
        &args.report,
        &args.output,
        &sources,
        style,
    )
}
