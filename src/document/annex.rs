//! Owns the customer-facing annex (the processor's "Omschrijving Diensten, Persoonsgegevens,
//! doeleinden en betrokken sub-verwerkers"): the document rendered through a template, the
//! built-in Markdown and HTML layouts or an organisation's own, or as CSV.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::Document;

/// The built-in Markdown layout: the seed annex's table.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/annex.md.j2");
/// The built-in HTML layout: the same table, one self-contained page.
pub const HTML_TEMPLATE: &str = include_str!("templates/annex.html.j2");

/// How much work a template may do before it is stopped (a loop that never ends).
const TEMPLATE_FUEL: u64 = 50_000_000;

/// The formats of `ropa annex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnnexFormat {
    /// Markdown (a table, as the annex lays it out).
    Md,
    /// One self-contained HTML page.
    Html,
    /// CSV, one row per activity.
    Csv,
}

/// Why a template did not render: the message and, when known, the template's line.
#[derive(Debug)]
pub struct TemplateError {
    /// What went wrong.
    pub message: String,
    /// The 1-based line in the template.
    pub line: Option<usize>,
}

/// Renders the annex: through `template` when given (HTML-escaped when `format` is HTML),
/// else the built-in layout of `format`.
pub fn render_annex(
    document: &Document,
    format: AnnexFormat,
    template: Option<&str>,
) -> Result<String, TemplateError> {
    let source = match (template, format) {
        // An organisation's template is repository content: rendered in a process of its own.
        (Some(source), _) => return render_isolated(document, source, format == AnnexFormat::Html),
        (None, AnnexFormat::Md) => MARKDOWN_TEMPLATE,
        (None, AnnexFormat::Html) => HTML_TEMPLATE,
        (None, AnnexFormat::Csv) => return Ok(render_csv(document)),
    };
    render_template(document, source, format == AnnexFormat::Html)
}

/// The most memory a template's process may map: a string doubled forty times is stopped
/// here, not by the machine.
const TEMPLATE_MEMORY_KIB: u64 = 1024 * 1024;

/// How long a template may render.
const TEMPLATE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// What the process that renders a template is given on its standard input.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct RenderRequest<D> {
    /// The template's text.
    pub source: String,
    /// Whether values are HTML-escaped.
    pub html: bool,
    /// The document.
    pub document: D,
}

/// What that process answers on its standard output.
#[derive(serde::Serialize, serde::Deserialize)]
pub enum RenderAnswer {
    /// The annex.
    Rendered(String),
    /// Why it did not render, and the template's line.
    Failed(String, Option<usize>),
}

/// Renders a document through an organisation's template in a process of its own (ropa's
/// hidden `__render-template`), under a memory cap and a deadline, its output limited.
fn render_isolated(document: &Document, source: &str, html: bool) -> Result<String, TemplateError> {
    let failed = |message: String| TemplateError {
        message,
        line: None,
    };
    let request = RenderRequest {
        source: source.to_string(),
        html,
        document,
    };
    let input = serde_json::to_vec(&request).map_err(|e| failed(e.to_string()))?;
    let exe = std::env::current_exe().map_err(|e| failed(format!("cannot find ropa: {e}")))?;
    let command =
        crate::sandbox::capped(exe.as_os_str(), &["__render-template"], TEMPLATE_MEMORY_KIB);
    // Room for the annex and its escaping as JSON.
    let max_output = (MAX_ANNEX_BYTES as u64).saturating_mul(2);
    let out =
        crate::sandbox::run(command, input, max_output, TEMPLATE_DEADLINE).map_err(|stopped| {
            failed(match stopped {
                crate::sandbox::Stopped::Deadline => {
                    format!("it ran longer than {} s", TEMPLATE_DEADLINE.as_secs())
                }
                crate::sandbox::Stopped::Output => {
                    format!("the annex grows past {MAX_ANNEX_BYTES} bytes")
                }
                crate::sandbox::Stopped::Failed(status) => format!(
                    "it needed more than {} MiB of memory, or failed ({status})",
                    TEMPLATE_MEMORY_KIB / 1024
                ),
                crate::sandbox::Stopped::Start(why) => format!("cannot start ropa: {why}"),
            })
        })?;
    match serde_json::from_slice(&out) {
        Ok(RenderAnswer::Rendered(text)) => Ok(text),
        Ok(RenderAnswer::Failed(message, line)) => Err(TemplateError { message, line }),
        Err(err) => Err(failed(format!(
            "no answer from the rendering process: {err}"
        ))),
    }
}

/// Renders a document through a template; `html` escapes every value for HTML.
pub fn render_template(
    document: &impl serde::Serialize,
    source: &str,
    html: bool,
) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_auto_escape_callback(move |_| {
        if html {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("md", crate::report::markdown::markdown_text);
    // Every value printed has its hidden characters (terminal escapes, bidirectional
    // controls) made visible, then is escaped as the format needs.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if text.chars().any(crate::source::is_hidden) => {
            let shown = Value::from(crate::source::visible(text).into_owned());
            minijinja::escape_formatter(out, state, &shown)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    let error = |err: minijinja::Error| TemplateError {
        message: describe(&err),
        line: err.line(),
    };
    env.add_template("annex", source).map_err(error)?;
    let template = env.get_template("annex").map_err(error)?;
    // Rendered into a writer that refuses bytes past the limit: fuel counts steps, and a
    // short loop can print gigabytes.
    let mut limited = Limited {
        bytes: Vec::new(),
        left: MAX_ANNEX_BYTES,
    };
    template
        .render_captured_to(Value::from_serialize(document), &mut limited)
        .map(|_| ())
        .map_err(|err| {
            if limited.left == 0 {
                TemplateError {
                    message: format!("the annex grows past {MAX_ANNEX_BYTES} bytes"),
                    line: err.line(),
                }
            } else {
                error(err)
            }
        })?;
    let mut out = String::from_utf8_lossy(&limited.bytes).into_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The largest annex a template may render.
const MAX_ANNEX_BYTES: usize = 64 * 1024 * 1024;

/// A writer that keeps what it is given up to a limit, and fails past it.
struct Limited {
    bytes: Vec<u8>,
    left: usize,
}

impl std::io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            self.left = 0;
            return Err(std::io::Error::other("the annex is too large"));
        }
        self.left -= buf.len();
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An error with its causes, on one line.
fn describe(err: &minijinja::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The annex as CSV: one row per activity, the annex's columns, list items on lines of
/// their own within a cell.
fn render_csv(document: &Document) -> String {
    let words = document.words;
    let mut header = vec![
        "id",
        words.service,
        words.systems,
        words.personal_data,
        words.purposes,
        words.legal_basis,
        words.subprocessors,
    ];
    let own_operations = document.operations.is_empty();
    if own_operations {
        header.push(words.operations);
    }
    let mut rows = vec![header.iter().map(|h| (*h).to_string()).collect::<Vec<_>>()];
    for record in &document.activities {
        let subprocessors = match (record.subprocessors_stated, record.subprocessors.is_empty()) {
            (_, false) => record.subprocessors.join("\n"),
            (true, true) => words.none.to_string(),
            (false, true) => words.not_stated.to_string(),
        };
        let mut row = vec![
            record.id.clone(),
            record.name.clone(),
            record.systems.join("\n"),
            record.data.join("\n"),
            record.purposes.join("\n"),
            record.legal_basis.join("\n"),
            subprocessors,
        ];
        if own_operations {
            row.push(record.operations.join(", "));
        }
        rows.push(row);
    }
    write_csv(&rows)
}

/// Rows as CSV (RFC 4180, CRLF line ends as spreadsheets expect). A cell that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
pub fn write_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        let cells = row.iter().map(|cell| inert(cell).into_owned());
        // Writing to memory cannot fail.
        let _ = writer.write_record(cells);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell a spreadsheet will show as text, never run as a formula.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_cell_is_made_text() {
        let csv = write_csv(&[vec!["=1+1".into(), "@SUM(A1)".into(), "plain".into()]]);
        assert_eq!(csv, "'=1+1,'@SUM(A1),plain\r\n");
    }
}
