//! `ropa fmt`: the policy files in Cedar's own layout (cedar-policy-formatter, as `cedar
//! format`), rewritten atomically; `--check` lists the files that would change, for CI.

use std::path::{Path, PathBuf};

use cedar_policy_formatter::{policies_str_to_pretty, Config};

use crate::cedar_text;
use crate::policy::collect_cedar_files;
use crate::problem::{sort_problems, Code, Problem};
use crate::source::{display_name, read_source, Location, SourceMap, Span};
use crate::yaml::Limits;

use super::{emit_outcome, fail, Context, Outcome};
use crate::files::write_atomically;

/// The exit-code table of `ropa fmt`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every policy file is formatted (or, without --check, now is)
  1  with --check: some files would change
  2  a policy file does not parse, or cannot be read or written";

/// The formatter's layout: `cedar format`'s defaults.
const LAYOUT: Config = Config {
    line_width: 80,
    indent_width: 2,
};

/// Arguments of `ropa fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Folder with the *.cedar rules [default: from ropa.toml, else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// Change nothing: list the files that are not formatted, exit 1 when there are any.
    #[arg(long)]
    pub check: bool,
}

/// Runs `ropa fmt`.
pub fn run(args: &FmtArgs, context: &Context) -> Outcome {
    let style = context.style;
    let policies = context.policies(args.policies.as_deref());
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect_cedar_files(&policies, &mut files, &mut problems);
    files.sort();
    let mut changed: Vec<(PathBuf, String)> = Vec::new();
    for path in &files {
        match formatted(path, &mut sources) {
            Ok(Some(text)) => changed.push((path.clone(), text)),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        sort_problems(&mut problems);
        return fail(&problems, &sources, style);
    }
    let names: String = changed
        .iter()
        .map(|(path, _)| format!("  {}\n", display_name(path)))
        .collect();
    if args.check {
        if changed.is_empty() {
            return emit_outcome(&format!(
                "ropa fmt: {} policy files formatted\n",
                files.len()
            ));
        }
        let outcome = emit_outcome(&format!(
            "ropa fmt: {} of {} policy files would change (run `ropa fmt`):\n{names}",
            changed.len(),
            files.len()
        ));
        return if outcome == Outcome::Clean {
            Outcome::Findings
        } else {
            outcome
        };
    }
    for (path, text) in &changed {
        if let Err(err) = write_atomically(path, text) {
            let problem = Problem::general(
                Code::Io,
                format!("cannot write {}: {err}", display_name(path)),
            )
            .help("the file is as it was");
            return fail(&[problem], &sources, style);
        }
    }
    emit_outcome(&format!(
        "ropa fmt: formatted {} of {} policy files\n{names}",
        changed.len(),
        files.len()
    ))
}

/// The file's formatted text when it differs from what is there; a problem when it cannot
/// be read or parsed.
fn formatted(path: &Path, sources: &mut SourceMap) -> Result<Option<String>, Problem> {
    let limits = Limits::default();
    let file = read_source(sources, path, limits.max_policy_bytes)?;
    let text = sources.file(file).text.clone();
    if let Some(problem) = cedar_text::check(
        file,
        "the policy file",
        &text,
        false,
        limits.max_policy_depth,
    ) {
        return Err(problem);
    }
    let pretty = policies_str_to_pretty(&text, &LAYOUT).map_err(|err| {
        Problem::at(
            Code::PolicyParse,
            Location {
                file,
                span: Span::new(0, 0),
            },
            format!("cannot format: {err}"),
        )
    })?;
    let pretty = if pretty.ends_with('\n') {
        pretty
    } else {
        format!("{pretty}\n")
    };
    Ok((pretty != text).then_some(pretty))
}
