//! `ropa test`: the rule pack's own test cases, with rule coverage.

use std::path::PathBuf;

use crate::problem::sort_problems;
use crate::report::tests::render_test_run;
use crate::testing::run_tests;
use crate::waiver::today;
use crate::yaml::Limits;

use super::{emit, fail, Outcome};

/// The exit-code table of `ropa test`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every case passed and every rule has a case where it fires and one where it does not
     (with --scenarios: every case passed)
  1  a case failed, or a rule lacks such a case
  2  could not run: bad policies, a malformed test file, or a case whose register does not load";

/// Arguments of `ropa test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Folder of test files (*.yaml) [default: the policies folder's tests].
    pub dir: Option<PathBuf>,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// The folder holds whole-register scenarios (a sector's register and every finding
    /// expected of it): every case must pass, and no rule needs a case of its own.
    #[arg(long)]
    pub scenarios: bool,
}

/// Runs `ropa test`.
pub fn run(args: &TestArgs, context: &super::Context) -> Outcome {
    let style = context.style;
    let super::LoadedPack {
        policies,
        pack,
        mut sources,
    } = match context.load_pack(args.policies.as_deref()) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let mut run = match run_tests(
        &args.dir.clone().unwrap_or_else(|| policies.join("tests")),
        &pack,
        &mut sources,
        &Limits::default(),
        &today(),
    ) {
        Ok(run) => run,
        Err(mut problems) => {
            sort_problems(&mut problems);
            return fail(&problems, &sources, style);
        }
    };
    if args.scenarios {
        run.gaps.clear();
    }
    if !emit(&render_test_run(&run, &sources, style)) {
        return Outcome::Failed;
    }
    if run.broken() {
        Outcome::Failed
    } else if run.passed() < run.cases.len() || !run.gaps.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
