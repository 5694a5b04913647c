//! `ropa rules`: the rule pack as a table, JSON or the Markdown reference.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::report::rules::{render_rules_human, render_rules_json, render_rules_markdown};
use crate::source::SourceMap;

use super::{emit_outcome, load_pack_or_fail, Outcome};

/// Arguments of `ropa rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// Listing format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

/// Rule listing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Human,
    /// A JSON list of rule objects.
    Json,
    /// The rule reference as Markdown.
    Markdown,
}

/// Runs `ropa rules`.
pub fn run(args: &RulesArgs, context: &super::Context) -> Outcome {
    let style = context.style;
    let policies = context.policies(args.policies.as_deref());
    let mut sources = SourceMap::new();
    let pack = match load_pack_or_fail(&policies, &mut sources, style) {
        Ok(pack) => pack,
        Err(outcome) => return outcome,
    };
    emit_outcome(&match args.format {
        RulesFormat::Human => render_rules_human(&pack.rules),
        RulesFormat::Json => render_rules_json(&pack.rules),
        RulesFormat::Markdown => render_rules_markdown(&pack.rules, &sources),
    })
}
