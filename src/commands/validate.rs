//! `ropa validate`: load and check the register and the policies, evaluating no rule.

use std::path::PathBuf;

use crate::pipeline::load_all;
use crate::report::human::{self, Style};
use crate::source::SourceMap;
use crate::yaml::Limits;

use super::{emit_outcome, fail, Outcome};

/// The exit-code table of `ropa validate`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the register and the policies load: every file parses, every key, word, category and
     reference is known, every policy validates
  2  they do not (each problem is reported at its place)";

/// Arguments of `ropa validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Register files, folders or glob patterns.
    #[arg(default_value = "register")]
    pub paths: Vec<String>,
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    pub policies: PathBuf,
}

/// Runs `ropa validate`.
pub fn run(args: &ValidateArgs, style: Style) -> Outcome {
    let mut sources = SourceMap::new();
    match load_all(
        &args.paths,
        &args.policies,
        &Limits::default(),
        &mut sources,
    ) {
        Ok(loaded) => emit_outcome(&format!(
            "ropa: valid: {} in {}, {}\n",
            human::plural(loaded.register.activities.len(), "activity", "activities"),
            human::plural(loaded.files, "file", "files"),
            human::plural(loaded.pack.rules.len(), "rule", "rules"),
        )),
        Err(problems) => fail(&problems, &sources, style),
    }
}
