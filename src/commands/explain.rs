//! `ropa explain RULE`: one rule in full, with its policy.

use std::path::PathBuf;

use crate::problem::{suggestion, Code, Problem};
use crate::report::rules::render_explain;
use crate::source::SourceMap;

use super::{emit_outcome, fail, load_pack_or_fail, Outcome};

/// Arguments of `ropa explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule's id.
    pub rule: String,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
}

/// Runs `ropa explain`.
pub fn run(args: &ExplainArgs, context: &super::Context) -> Outcome {
    let style = context.style;
    let policies = context.policies(args.policies.as_deref());
    let mut sources = SourceMap::new();
    let pack = match load_pack_or_fail(&policies, &mut sources, style) {
        Ok(pack) => pack,
        Err(outcome) => return outcome,
    };
    let Some(rule) = pack.rule(&args.rule) else {
        let problem = Problem::general(Code::DanglingReference, format!("no rule `{}`", args.rule))
            .maybe_help(Some(
                suggestion(&args.rule, pack.rules.iter().map(|r| r.id.as_str()))
                    .unwrap_or_else(|| "`ropa rules` lists the rules".to_string()),
            ));
        return fail(&[problem], &sources, style);
    };
    emit_outcome(&render_explain(rule, &sources))
}
