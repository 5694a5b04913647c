//! `ropa init [DIR]`: a starter register (the organisation, one commented example activity,
//! an empty waivers file) and `ropa.toml`; with `--with-policies`, a copy of the shipped
//! rule pack to customise, and with a pack the register's JSON Schema for editors. Nothing is overwritten: when a file is already there, nothing
//! is written.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::problem::{Code, Problem};
use crate::source::{display_name, SourceMap};

use super::{emit_outcome, fail, Context, Outcome};
use crate::files::write_atomically;

/// The shipped rule pack, built into the binary.
static POLICIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// The starter files, by path below DIR.
const STARTER: [(&str, &str); 4] = [
    ("ropa.toml", include_str!("ropa.toml")),
    (
        "register/organisatie.yaml",
        include_str!("organisatie.yaml"),
    ),
    (
        "register/activiteiten.yaml",
        include_str!("activiteiten.yaml"),
    ),
    ("register/waivers.yaml", include_str!("waivers.yaml")),
];

/// Arguments of `ropa init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to start the register [default: the working directory].
    pub dir: Option<PathBuf>,
    /// Also write the shipped rule pack to DIR/policies, to customise.
    #[arg(long)]
    pub with_policies: bool,
}

/// Every file of the embedded pack, by path below `policies/`.
fn pack_files<'a>(dir: &'a Dir<'a>, out: &mut Vec<(String, &'a [u8])>) {
    for file in dir.files() {
        out.push((
            format!(
                "policies/{}",
                file.path().to_string_lossy().replace('\\', "/")
            ),
            file.contents(),
        ));
    }
    for sub in dir.dirs() {
        pack_files(sub, out);
    }
}

/// Runs `ropa init`.
pub fn run(args: &InitArgs, context: &Context) -> Outcome {
    let style = context.style;
    let sources = SourceMap::new();
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut files: Vec<(String, Vec<u8>)> = STARTER
        .iter()
        .map(|(path, text)| ((*path).to_string(), text.as_bytes().to_vec()))
        .collect();
    if args.with_policies {
        let mut pack = Vec::new();
        pack_files(&POLICIES, &mut pack);
        pack.sort();
        files.extend(pack.into_iter().map(|(p, bytes)| (p, bytes.to_vec())));
    }
    let taken: Vec<Problem> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter(|path| std::fs::symlink_metadata(path).is_ok())
        .map(|path| {
            Problem::general(
                Code::Io,
                format!("{} is already there", display_name(&path)),
            )
            .help("ropa init writes nothing over an existing file: start in an empty folder, or move it away")
        })
        .collect();
    // A folder inside DIR that is a link out of it would take the starter files elsewhere.
    let fence = crate::files::Fence::exactly(&dir);
    let outside: Vec<Problem> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter_map(|path| fence.as_ref()?.check(&path).err())
        .collect();
    let taken: Vec<Problem> = taken.into_iter().chain(outside).collect();
    if !taken.is_empty() {
        return fail(&taken, &sources, style);
    }
    for (path, bytes) in &files {
        let target = dir.join(path);
        let text = String::from_utf8_lossy(bytes);
        if let Err(err) = write_atomically(&target, text.as_bytes()) {
            let problem = Problem::general(
                Code::Io,
                format!("cannot write {}: {err}", display_name(&target)),
            );
            return fail(&[problem], &sources, style);
        }
    }
    // The register's JSON Schema beside it, for editors: the starter files point at it.
    let mut written = files.len();
    let policies = dir.join("policies");
    if has_policies(&dir) {
        let mut scratch = SourceMap::new();
        if let Ok(pack) =
            crate::policy::load_policies(&policies, &mut scratch, &crate::yaml::Limits::default())
        {
            let schema =
                crate::schema::register_schema(&pack.data_categories, &pack.subject_categories);
            let target = dir.join("register.schema.json");
            let text = format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            if std::fs::symlink_metadata(&target).is_err()
                && write_atomically(&target, &text).is_ok()
            {
                written += 1;
            }
        }
    }
    let policies_note = if args.with_policies || has_policies(&dir) {
        String::new()
    } else {
        "\nThere is no policies/ folder yet: run `ropa init --with-policies` in an empty folder\n\
         for a copy of the shipped rule pack, or point `policies` in ropa.toml at yours; then\n\
         `ropa schema > register.schema.json` gives your editor completion for the register.\n"
            .to_string()
    };
    let shown = display_name(&dir);
    emit_outcome(&format!(
        "ropa: started a register in {shown}: {written} files\n\n\
         Next:\n  cd {shown}\n  ropa validate     # does it load?\n  ropa check        # what is missing\n\
         {policies_note}"
    ))
}

fn has_policies(dir: &Path) -> bool {
    dir.join("policies").is_dir()
}
