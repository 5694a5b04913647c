//! `ropa schema`: the register's JSON Schema (draft 2020-12), with the pack's taxonomies, for
//! editors that speak yaml-language-server.

use std::path::PathBuf;

use super::{emit_outcome, Context, Outcome};
use crate::schema::register_schema;

/// Arguments of `ropa schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
}

/// Runs `ropa schema`.
pub fn run(args: &SchemaArgs, context: &Context) -> Outcome {
    let pack = match context.load_pack(args.policies.as_deref()) {
        Ok(loaded) => loaded.pack,
        Err(outcome) => return outcome,
    };
    let schema = register_schema(&pack.data_categories, &pack.subject_categories);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    emit_outcome(&text)
}
