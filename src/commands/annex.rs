//! `ropa annex`: the customer-facing annex generated from the register (Markdown, HTML or
//! CSV; Dutch or English; the built-in layout or the organisation's own template), and
//! `--check FILE`, the gate that fails when a published annex has drifted from the register.

use std::path::{Path, PathBuf};

use crate::document::annex::{
    render_annex, render_template, AnnexFormat, RenderAnswer, RenderRequest, TemplateError,
};
use crate::document::{Document, Lang};
use crate::pipeline::load_all;
use crate::problem::{Code, Problem};
use crate::source::{display_name, read_source, visible, Location, SourceMap, Span};
use crate::yaml::Limits;

use super::{emit_outcome, fail, one_unit, Context, Outcome};
use crate::files::write_atomically;

/// The exit-code table of `ropa annex`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the annex was written (with --check: the file matches the register)
  1  with --check: the file differs from what the register generates (the difference is shown)
  2  the register, the policies or the template cannot be read, or the file cannot be written";

/// Arguments of `ropa annex`.
#[derive(Debug, clap::Args)]
pub struct AnnexArgs {
    /// Register files, folders or glob patterns [default: from ropa.toml, else register].
    pub paths: Vec<String>,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// The format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: AnnexFormat,
    /// The organisation's own layout: a minijinja template (what it sees is in
    /// docs/documents.md). Values are HTML-escaped with --format html.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Write the annex to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write nothing: compare FILE with what the register generates; exit 1 and show the
    /// difference when they differ.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub check: Option<PathBuf>,
}

/// Runs `ropa annex`.
pub fn run(args: &AnnexArgs, context: &Context) -> Outcome {
    let style = context.style;
    let mut sources = context.sources.clone();
    let unit = match one_unit(&args.paths, args.policies.as_deref(), context) {
        Ok(unit) => unit,
        Err(outcome) => return outcome,
    };
    let limits = Limits::default();
    let loaded = match load_all(&unit.inputs, &unit.policies, &limits, &mut sources) {
        Ok(loaded) => loaded,
        Err(problems) => return fail(&problems, &sources, style),
    };
    let template = match &args.template {
        Some(path) => match read_source(&mut sources, path, limits.max_file_bytes) {
            Ok(file) => Some((file, sources.file(file).text.clone())),
            Err(problem) => return fail(&[problem], &sources, style),
        },
        None => None,
    };
    let mut document = Document::of(&loaded.register, context.lang.unwrap_or(Lang::Nl), &sources);
    document.version = crate::git::last_change(&unit.inputs);
    let text = match render_annex(
        &document,
        args.format,
        template.as_ref().map(|(_, text)| text.as_str()),
    ) {
        Ok(text) => text,
        Err(err) => {
            let at = template.as_ref().map(|(file, _)| (*file, &err));
            return fail(&[template_problem(&err, at, &sources)], &sources, style);
        }
    };
    if let Some(published) = &args.check {
        return check_drift(published, &text, &sources, context);
    }
    match &args.output {
        Some(path) => match write_atomically(path, &text) {
            Ok(()) => Outcome::Clean,
            Err(err) => fail(&[cannot_write(path, &err)], &sources, style),
        },
        None => emit_outcome(&text),
    }
}

/// The text without the line that names the register's version (the built-in layouts'
/// `Versie: ...`/`Version: ...` line, or `<p class="version">`).
fn without_version(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|line| {
            !(line.starts_with("Versie: ")
                || line.starts_with("Version: ")
                || line.starts_with("<p class=\"version\">"))
        })
        .collect()
}

/// The problem of a template that does not render, at its line when known.
fn template_problem(
    err: &TemplateError,
    at: Option<(crate::source::FileId, &TemplateError)>,
    sources: &SourceMap,
) -> Problem {
    let place = at.and_then(|(file, err)| {
        let line = err.line?;
        let source = sources.file(file);
        let start = source.offset_of(line, 1);
        let end = source
            .text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(source.text.len(), |n| start + n);
        Some(Location {
            file,
            span: Span::new(start, end - start),
        })
    });
    let message = format!("the template does not render: {}", err.message);
    match place {
        Some(at) => Problem::at(Code::Template, at, message).label("here"),
        None => Problem::general(Code::Template, message),
    }
    .help("the template sees `organisation`, `operations`, `activities` and `words`; docs/documents.md lists their fields")
}

/// The largest published annex compared (the register's own cap).
const MAX_PUBLISHED_BYTES: u64 = 8 * 1024 * 1024;

/// How long the line diff of a drifted annex may search for the smallest difference.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// `--check`: the published file against the generated text.
fn check_drift(
    published: &Path,
    generated: &str,
    sources: &SourceMap,
    context: &Context,
) -> Outcome {
    let name = display_name(published);
    // The published file is repository content: read as any source (a regular file, under
    // the size cap), never waited on or read without end.
    let mut scratch = sources.clone();
    let current = match read_source(&mut scratch, published, MAX_PUBLISHED_BYTES) {
        Ok(file) => scratch.file(file).text.clone(),
        Err(problem) => {
            let problem = problem.help("write it first: `ropa annex --output FILE`");
            return fail(&[problem], &scratch, context.style);
        }
    };
    // The version line names the commit the register was at: the published annex and the
    // register are committed together, so it is not compared.
    let (current, generated) = (&without_version(&current), &without_version(generated));
    if current == generated {
        return emit_outcome(&format!("ropa annex: {name} matches the register\n"));
    }
    // The difference is found within a deadline: past it, a coarser one is shown.
    let diff = similar::TextDiff::configure()
        .deadline(std::time::Instant::now() + DIFF_DEADLINE)
        .diff_lines(current.as_str(), generated);
    let body = diff
        .unified_diff()
        .context_radius(2)
        .header(&name, "generated from the register")
        .to_string();
    let outcome = emit_outcome(&format!(
        "ropa annex: {name} differs from what the register generates (regenerate it with `ropa annex --output {name}`):\n{}",
        visible(&body)
    ));
    if outcome == Outcome::Clean {
        Outcome::Findings
    } else {
        outcome
    }
}

/// The largest rendering request read (the register's JSON as the template sees it).
const MAX_REQUEST_BYTES: u64 = 256 * 1024 * 1024;

/// `__render-template`: the process an organisation's template renders in. Reads a
/// [`RenderRequest`] on stdin, writes a [`RenderAnswer`] on stdout.
pub fn render_requested() -> Outcome {
    use std::io::Read;
    let mut input = Vec::new();
    if std::io::stdin()
        .take(MAX_REQUEST_BYTES)
        .read_to_end(&mut input)
        .is_err()
    {
        return Outcome::Failed;
    }
    let Ok(request) = serde_json::from_slice::<RenderRequest<serde_json::Value>>(&input) else {
        return Outcome::Failed;
    };
    let answer = match render_template(&request.document, &request.source, request.html) {
        Ok(text) => RenderAnswer::Rendered(text),
        Err(err) => RenderAnswer::Failed(err.message, err.line),
    };
    match serde_json::to_string(&answer) {
        Ok(json) => emit_outcome(&json),
        Err(_) => Outcome::Failed,
    }
}

fn cannot_write(path: &Path, err: &std::io::Error) -> Problem {
    Problem::general(
        Code::Io,
        format!("cannot write {}: {err}", display_name(path)),
    )
    .help("nothing was written")
}
