//! `ropa schema`: the register's JSON Schema (draft 2020-12), with the pack's taxonomies (and,
//! with `--register`, the register's own categories), for editors that speak
//! yaml-language-server.

use std::path::PathBuf;

use super::{emit_outcome, fail, Context, Outcome};
use crate::pipeline::load_all;
use crate::schema::register_schema;
use crate::source::SourceMap;
use crate::yaml::Limits;

/// Arguments of `ropa schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// The register's files, folders or globs: its own data and subject categories join the
    /// pack's as the words a `category` or a subject takes (else only the pack's).
    #[arg(long = "register", value_name = "PATH")]
    pub register: Vec<String>,
}

/// Runs `ropa schema`.
pub fn run(args: &SchemaArgs, context: &Context) -> Outcome {
    if !args.register.is_empty() {
        let policies = context.policies(args.policies.as_deref());
        let mut sources = SourceMap::new();
        let loaded = match load_all(&args.register, &policies, &Limits::default(), &mut sources) {
            Ok(loaded) => loaded,
            Err(problems) => return fail(&problems, &sources, context.style),
        };
        let register = &loaded.register;
        return emit_schema(register_schema(
            &register.data_categories,
            &register.subject_categories,
        ));
    }
    let pack = match context.load_pack(args.policies.as_deref()) {
        Ok(loaded) => loaded.pack,
        Err(outcome) => return outcome,
    };
    emit_schema(register_schema(
        &pack.data_categories,
        &pack.subject_categories,
    ))
}

fn emit_schema(schema: serde_json::Value) -> Outcome {
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    emit_outcome(&text)
}
