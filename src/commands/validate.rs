//! `ropa validate`: load and check the register and the policies, evaluating no rule.

use std::path::PathBuf;

use crate::pipeline::load_all;
use crate::report::human;
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
    /// Register files, folders or glob patterns [default: from ropa.toml, else register].
    pub paths: Vec<String>,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
}

/// Runs `ropa validate`: every register the command line or ropa.toml names.
pub fn run(args: &ValidateArgs, context: &super::Context) -> Outcome {
    let style = context.style;
    let mut sources = context.sources.clone();
    let units = super::units(
        &args.paths,
        args.policies.as_deref(),
        context.config.as_ref(),
    );
    let mut lines = String::new();
    let mut problems = Vec::new();
    for unit in &units {
        let name = unit.name.as_deref();
        match load_all(
            &unit.inputs,
            &unit.policies,
            &Limits::default(),
            &mut sources,
        ) {
            Ok(loaded) => lines.push_str(&format!(
                "ropa: valid{}: {} in {}, {}\n",
                name.map(|n| format!(" ({n})")).unwrap_or_default(),
                human::plural(loaded.register.activities.len(), "activity", "activities"),
                human::plural(loaded.files, "file", "files"),
                human::plural(loaded.pack.rules.len(), "rule", "rules"),
            )),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        emit_outcome(&lines)
    } else {
        fail(&problems, &sources, style)
    }
}
