//! Owns the human report: findings and problems rendered through miette's graphical handler,
//! with the source lines they point at, then a one-line summary.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::declaration::Declaration;
use crate::finding::{Change, Finding, Severity, Summary};
use crate::lang::Lang;
use crate::problem::Problem;
use crate::report::{ChangeReport, Covered, PositionedFinding, WaivedFinding};
use crate::source::{visible, visible_name, FileId, Location, SourceFile, SourceMap};

/// How to draw the human report.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use colour.
    pub color: bool,
    /// Line width to wrap at.
    pub width: usize,
    /// The language of the report's own words (the findings bring their rule's).
    pub lang: Lang,
}

/// A file's text under its display name, borrowed for rendering.
///
/// miette's own `read_span` for text scans from the start of the text, which costs the
/// whole file per snippet. This hands it only a window of whole lines around the span, then
/// shifts the result back, so the output is the same and the cost is the snippet's.
#[derive(Debug)]
struct NamedText<'a> {
    file: &'a SourceFile,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.file;
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > file.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = file.line_col(start).line - 1;
        let last_line = file.line_col(end).line - 1;
        // No context: the span's whole lines (miette would show the span's text alone).
        if before == 0 && after == 0 {
            let line_start = file.line_start(first_line);
            let next = file.line_start(last_line + 1);
            let data = file
                .text
                .get(line_start..next)
                .ok_or(MietteError::OutOfBounds)?;
            let data = data.strip_suffix('\n').unwrap_or(data);
            let data = data.strip_suffix('\r').unwrap_or(data);
            return Ok(Box::new(MietteSpanContents::new_named(
                file.name.clone(),
                data.as_bytes(),
                SourceSpan::new(line_start.into(), data.len()),
                first_line,
                // The header shows where the span starts.
                file.line_col(start).column.saturating_sub(1),
                last_line - first_line + 1,
            )));
        }
        let window_line = first_line.saturating_sub(before + 1);
        let window_start = file.line_start(window_line);
        let window_end = file.line_start(last_line + after + 2);
        let window = file
            .text
            .get(window_start..window_end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - window_start).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            file.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + window_start).into(),
                inner.span().len(),
            ),
            inner.line() + window_line,
            inner.column(),
            inner.line_count() + window_line,
        )))
    }
}

/// One diagnostic as miette sees it.
#[derive(Debug)]
struct View<'a> {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedText<'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<View<'a>>,
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for View<'_> {}

impl Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

/// A file as the report shows it: control characters in its text and name made visible.
fn named(sources: &SourceMap, file: FileId) -> NamedText<'_> {
    NamedText {
        file: sources.file(file).for_display(),
    }
}

/// A location's span in the file as [`named`] shows it.
fn span(sources: &SourceMap, at: Location) -> SourceSpan {
    let span = sources.file(at.file).display_span(at.span);
    SourceSpan::new(span.offset.into(), span.len)
}

/// Input text as a label or message may show it: on one line.
fn shown(text: &str) -> String {
    visible_name(text).into_owned()
}

/// Builds a view with a primary place and secondary places; those in other files become
/// related notes with their own source.
fn view<'a>(
    sources: &'a SourceMap,
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    primary: Option<(Location, &str)>,
    secondary: &[(Location, &str)],
) -> View<'a> {
    let mut labels = Vec::new();
    let mut related = Vec::new();
    if let Some((at, text)) = primary {
        let text = (!text.is_empty()).then(|| shown(text));
        labels.push(LabeledSpan::new_primary_with_span(text, span(sources, at)));
    }
    // Places in other files are shown as one related note per file, in file order.
    let mut elsewhere: Vec<(Location, &str)> = Vec::new();
    for (at, text) in secondary {
        if primary.is_some_and(|(p, _)| p.file == at.file) {
            labels.push(LabeledSpan::new_with_span(
                Some(shown(text)),
                span(sources, *at),
            ));
        } else {
            elsewhere.push((*at, text));
        }
    }
    elsewhere.sort_by_key(|(at, _)| *at);
    for group in elsewhere.chunk_by(|a, b| a.0.file == b.0.file) {
        let Some((first, _)) = group.first() else {
            continue;
        };
        related.push(View {
            code: None,
            severity: miette::Severity::Advice,
            message: format!("see {}", shown(&sources.file(first.file).name)),
            help: None,
            source: Some(named(sources, first.file)),
            labels: group
                .iter()
                .map(|(at, text)| LabeledSpan::new_with_span(Some(shown(text)), span(sources, *at)))
                .collect(),
            related: Vec::new(),
        });
    }
    View {
        code,
        severity,
        message: shown(&message),
        help: help.as_deref().map(|h| visible(h).into_owned()),
        source: primary.map(|(at, _)| named(sources, at.file)),
        labels,
        related,
    }
}

fn render_view(view: &View<'_>, style: Style) -> String {
    render_view_with(view, style, 1)
}

/// [`render_view`] with `context` source lines around each label.
fn render_view_with(view: &View<'_>, style: Style, context: usize) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(style.width)
        .with_context_lines(context);
    let mut out = String::new();
    if handler.render_report(&mut out, view).is_err() {
        // Rendering into a String cannot fail on I/O; fall back to the bare message.
        out = format!("{}\n", view.message);
    }
    out
}

/// The help text of a finding: what to do (in one line unless `verbose`, when the rule's
/// whole help), then the legal anchor.
fn finding_help(finding: &Finding, verbose: bool) -> Option<String> {
    let what = if verbose {
        finding.help.as_ref()
    } else {
        finding.fix.as_ref().or(finding.help.as_ref())
    };
    match (what, &finding.article) {
        (Some(help), Some(article)) => Some(format!("{help}\n{article}")),
        (Some(help), None) => Some(help.to_string()),
        (None, Some(article)) => Some(article.to_string()),
        (None, None) => None,
    }
}

/// Renders findings grouped by file and activity (in source order), a count per rule, and a
/// closing summary line.
pub fn render_findings(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    registers: &[crate::report::html::RegisterView<'_>],
    sources: &SourceMap,
    style: Style,
) -> String {
    let mut out = String::new();
    let mut group: Option<(FileId, Option<&str>)> = None;
    // Each activity's role, shown once in its heading: the rules judge it in that role.
    let roles: std::collections::HashMap<(Option<&str>, &str), &str> = registers
        .iter()
        .flat_map(|r| {
            r.register
                .activities
                .iter()
                .map(move |a| ((r.name, a.id.value.as_str()), a.effective_role()))
        })
        .collect();
    let role = |finding: &Finding, activity: &str| {
        roles
            .get(&(finding.register.as_deref(), activity))
            .map(|r| match style.lang {
                Lang::En => (*r).to_string(),
                lang => crate::document::words::role(r, lang).to_lowercase(),
            })
    };
    let lang = style.lang;
    for finding in findings {
        let key = (finding.at.file, finding.activity.as_deref());
        if group != Some(key) {
            group = Some(key);
            let place = match key.1 {
                Some(activity) => {
                    let noun = lang.pick("activity", "activiteit");
                    match role(finding, activity) {
                        Some(role) => format!("{noun} {} ({role})", visible_name(activity)),
                        None => format!("{noun} {}", visible_name(activity)),
                    }
                }
                None if finding.rule == crate::gate::RULE_ID => {
                    lang.pick("the gate", "de poort").to_string()
                }
                None => lang.pick("organisation", "organisatie").to_string(),
            };
            let name = visible_name(&sources.file(key.0).name);
            let register = finding
                .register
                .as_deref()
                .map(|r| {
                    format!(
                        "{} {} › ",
                        lang.pick("register", "register"),
                        visible_name(r)
                    )
                })
                .unwrap_or_default();
            out.push_str(&format!("── {register}{name} › {place}\n\n"));
        }
        let severity = match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        // Labels beside the finding's own line are drawn with it; the others are listed
        // below it, one line each (unless `verbose`: all drawn).
        let (primary_line, _) = sources.range(finding.at);
        let (near, far): (Vec<&crate::finding::Label>, Vec<&crate::finding::Label>) =
            finding.labels.iter().partition(|l| {
                covered.verbose
                    || (l.at.file == finding.at.file
                        && sources.range(l.at).0.line.abs_diff(primary_line.line) <= 2)
            });
        let secondary: Vec<(Location, &str)> =
            near.iter().map(|l| (l.at, l.text.as_str())).collect();
        // Against a base, a finding the change brought says so beside its rule.
        let code = match finding.change {
            Some(Change::New) => format!("{} ({})", finding.rule, lang.pick("new", "nieuw")),
            _ => finding.rule.clone(),
        };
        let v = view(
            sources,
            Some(code),
            severity,
            finding.message.to_string(),
            finding_help(finding, covered.verbose),
            Some((finding.at, &*finding.label)),
            &secondary,
        );
        // Only the labelled lines: a finding reads in one pass.
        let context = usize::from(covered.verbose);
        let rendered = render_view_with(&v, style, context);
        // The rule's id, then at once its message (miette puts a blank line between).
        let rendered = match rendered.split_once("\n\n") {
            Some((code, rest)) if !code.contains('\n') => format!("{code}\n{rest}"),
            _ => rendered,
        };
        // The labels elsewhere go with the snippet, before what to do.
        let elsewhere: String = far
            .iter()
            .map(|label| elsewhere_line(label, sources, style))
            .collect();
        match rendered.find("\n  help: ") {
            Some(at) => {
                out.push_str(rendered.get(..=at).unwrap_or(&rendered));
                out.push_str(&elsewhere);
                out.push_str(rendered.get(at + 1..).unwrap_or(""));
            }
            None => {
                out.push_str(&rendered);
                out.push_str(&elsewhere);
            }
        }
        out.push('\n');
    }
    out.push_str(&rule_counts(findings, lang));
    out.push_str(&positions_list(covered.positioned, sources, lang));
    out.push_str(&waived_list(covered.waived, sources, lang));
    if covered.list_declarations {
        out.push_str(&declarations_list(covered.declarations, sources, lang));
    }
    if let Some(change) = change {
        out.push_str(&resolved_list(change, lang));
    }
    out.push_str(&summary_line(summary, lang));
    if !covered.verbose && findings.iter().any(|f| f.help.is_some() && f.fix.is_some()) {
        out.push_str(lang.pick(
            "ropa: `ropa explain RULE` explains a rule; `--verbose` explains each finding\n",
            "ropa: `ropa explain REGEL` legt een regel uit; `--verbose` legt elke bevinding uit\n",
        ));
    }
    out.push_str(&declarations_line(summary, lang));
    if let Some(change) = change {
        out.push_str(&change_line(change, summary, lang));
    }
    without_trailing_spaces(&out)
}

/// The text with no space at the end of a line (miette pads a blank source line's gutter).
fn without_trailing_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(body.trim_end_matches([' ', '\t']));
        out.push_str(end);
    }
    out
}

/// A label away from the finding's line, as one line: where, and what is there (the label,
/// or the source line when the label only names its field).
fn elsewhere_line(label: &crate::finding::Label, sources: &SourceMap, style: Style) -> String {
    let file = sources.file(label.at.file);
    let (start, _) = sources.range(label.at);
    let place = format!(
        "{}:{}:{}",
        visible_name(&file.name),
        start.line,
        start.column
    );
    let line_text = file
        .text
        .get(file.line_start(start.line - 1)..file.line_start(start.line))
        .unwrap_or("");
    let line_text = line_text.split(" #").next().unwrap_or("").trim();
    let line_text = line_text.strip_prefix("- ").unwrap_or(line_text);
    let generic = label.text.starts_with('`')
        && label
            .text
            .trim_end_matches(" (from defaults)")
            .ends_with('`')
        && label.text.matches('`').count() == 2;
    let what = if generic {
        visible_name(line_text).into_owned()
    } else if label.text.contains('`') {
        shown(&label.text)
    } else {
        format!("{}: {}", visible_name(line_text), shown(&label.text))
    };
    let room = style
        .width
        .saturating_sub(place.chars().count() + 8)
        .max(20);
    let what = if what.chars().count() > room {
        let cut: String = what.chars().take(room.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        what
    };
    format!("    ↳ {place}  {what}\n")
}

/// The first line of a text, as one visible line.
fn first_line(text: &str) -> String {
    visible_name(text.lines().next().unwrap_or("").trim()).into_owned()
}

/// The findings reasoned positions answer, one line each with the position: always shown,
/// never counted.
fn positions_list(positioned: &[PositionedFinding<'_>], sources: &SourceMap, lang: Lang) -> String {
    let (approvals, positioned): (Vec<&PositionedFinding<'_>>, Vec<&PositionedFinding<'_>>) =
        positioned
            .iter()
            .partition(|p| p.finding.rule == crate::gate::RULE_ID);
    let mut out = approvals_list(&approvals, sources, lang);
    if !positioned.is_empty() {
        out.push_str(&taken_positions_list(&positioned, sources, lang));
    }
    out
}

/// The weakenings of the gate this change's approvals answer, one line each with the
/// approval.
fn approvals_list(approvals: &[&PositionedFinding<'_>], sources: &SourceMap, lang: Lang) -> String {
    if approvals.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "── {}\n\n",
        lang.pick(
            "approved weakenings of the gate",
            "goedgekeurde verzwakkingen van de poort"
        )
    );
    for p in approvals {
        let f = p.finding;
        let (start, _) = sources.range(f.at);
        let (approved_at, _) = sources.range(p.position.approved_by.at);
        let line = lang
            .pick(
                "approved by {who} on {on} ({file}:{line})",
                "goedgekeurd door {who} op {on} ({file}:{line})",
            )
            .replace("{who}", &visible_name(&p.position.approved_by.value))
            .replace("{on}", &visible_name(&p.position.decided_on.value))
            .replace(
                "{file}",
                &visible_name(&sources.file(p.position.approved_by.at.file).name),
            )
            .replace("{line}", &approved_at.line.to_string());
        out.push_str(&format!(
            "  {}:{}  {}\n      {line}: {}\n",
            visible_name(&sources.file(f.at.file).name),
            start.line,
            visible_name(&f.label),
            first_line(&p.position.reasoning.value)
        ));
    }
    out.push('\n');
    out
}

/// The findings reasoned positions answer, one line each with the position.
fn taken_positions_list(
    positioned: &[&PositionedFinding<'_>],
    sources: &SourceMap,
    lang: Lang,
) -> String {
    let mut out = format!(
        "── {}\n\n",
        lang.pick("positions taken", "ingenomen standpunten")
    );
    for p in positioned {
        let f = p.finding;
        let (start, _) = sources.range(f.at);
        let line = lang.pick(
            "approved by {who} on {on}, reviewed {reviewed}",
            "goedgekeurd door {who} op {on}, herzien {reviewed}",
        );
        let line = line
            .replace("{who}", &visible_name(&p.position.approved_by.value))
            .replace("{on}", &visible_name(&p.position.decided_on.value))
            .replace("{reviewed}", &visible_name(&p.position.reviewed_on.value));
        out.push_str(&format!(
            "  {}:{}  {}\n      {line}: {}\n",
            visible_name(&sources.file(f.at.file).name),
            start.line,
            what(f, lang),
            first_line(&p.position.reasoning.value)
        ));
    }
    out.push('\n');
    out
}

/// The declarations (`--show-declarations`), one line each with what it silences.
fn declarations_list(declarations: &[Declaration], sources: &SourceMap, lang: Lang) -> String {
    if declarations.is_empty() {
        return String::new();
    }
    let mut out = format!("── {}\n\n", lang.pick("declarations", "verklaringen"));
    for d in declarations {
        let (start, _) = sources.range(d.at);
        let mut line = format!(
            "  {}:{}  {}",
            visible_name(&sources.file(d.at.file).name),
            start.line,
            d.kind
        );
        if let Some(activity) = &d.activity {
            line.push_str(&format!(
                "  {} {}",
                lang.pick("activity", "activiteit"),
                visible_name(activity)
            ));
        }
        if let Some(target) = &d.target {
            line.push_str(&format!(
                "  {} {}",
                lang.pick("target", "doel"),
                visible_name(target)
            ));
        }
        match (&d.value, &d.text) {
            (Some(value), _) => line.push_str(&format!("  {}: {}", d.field, visible_name(value))),
            (None, Some(text)) => line.push_str(&format!("  {}: {}", d.field, first_line(text))),
            (None, None) => {}
        }
        match &d.silenced {
            Some(rules) if !rules.is_empty() => {
                line.push_str(&format!(
                    "\n      {} {}",
                    lang.pick("silences", "legt stil:"),
                    rules.join(", ")
                ));
            }
            Some(_) => {
                line.push_str(lang.pick("\n      silences no rule", "\n      legt geen regel stil"))
            }
            None => {}
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The closing line about declarations, when the register makes any.
pub fn declarations_line(summary: &Summary, lang: Lang) -> String {
    if summary.declarations == 0 {
        return String::new();
    }
    let silencing = summary.silencing;
    match lang {
        Lang::En => {
            let count = plural(summary.declarations, "declaration", "declarations");
            match silencing {
                Some(silencing) => format!(
                    "ropa: {count} (claims that can keep a rule quiet), {silencing} silencing a rule\n"
                ),
                None => format!(
                    "ropa: {count} (claims that can keep a rule quiet); --show-declarations lists them and what each silences\n"
                ),
            }
        }
        Lang::Nl => {
            let count = plural(summary.declarations, "verklaring", "verklaringen");
            match silencing {
                Some(silencing) => format!(
                    "ropa: {count} (beweringen die een regel stil kunnen houden), {silencing} houden een regel stil\n"
                ),
                None => format!(
                    "ropa: {count} (beweringen die een regel stil kunnen houden); --show-declarations noemt ze en wat elk stil houdt\n"
                ),
            }
        }
    }
}

/// A finding as one line of text: its rule, activity and target.
fn what(f: &Finding, lang: Lang) -> String {
    let mut line = visible_name(&f.rule).into_owned();
    if let Some(activity) = &f.activity {
        line.push_str(&format!(
            "  {} {}",
            lang.pick("activity", "activiteit"),
            visible_name(activity)
        ));
    }
    if let Some(target) = &f.target {
        line.push_str(&format!(
            "  {} {}",
            lang.pick("target", "doel"),
            visible_name(target)
        ));
    }
    line
}

/// The findings live waivers cover (`--show-waived`), one line each with the waiver.
fn waived_list(waived: &[WaivedFinding<'_>], sources: &SourceMap, lang: Lang) -> String {
    if waived.is_empty() {
        return String::new();
    }
    let mut out = format!("── {}\n\n", lang.pick("waived", "met een waiver"));
    for w in waived {
        let f = w.finding;
        let (start, _) = sources.range(f.at);
        let mut line = format!(
            "  {}:{}  {}",
            visible_name(&sources.file(f.at.file).name),
            start.line,
            what(f, lang)
        );
        line.push_str(&format!(
            "\n      {} {}, {} {}: {}\n",
            lang.pick("until", "tot"),
            visible_name(&w.waiver.expires.value),
            lang.pick("approved by", "goedgekeurd door"),
            visible_name(&w.waiver.approved_by.value),
            visible_name(&w.waiver.reason.value)
        ));
        out.push_str(&line);
    }
    out.push('\n');
    out
}

/// The base's findings that are gone, one line each.
fn resolved_list(change: &ChangeReport<'_>, lang: Lang) -> String {
    if change.resolved.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "── {} {}\n\n",
        lang.pick("resolved since", "opgelost sinds"),
        visible_name(change.base)
    );
    for f in change.resolved {
        out.push_str(&format!(
            "  {:<width$}  {}\n",
            severity_name(f.severity, lang),
            what(f, lang),
            width = lang.pick("warning", "waarschuwing").len(),
        ));
    }
    out.push('\n');
    out
}

/// The closing line against a base: what the change did.
pub fn change_line(change: &ChangeReport<'_>, summary: &Summary, lang: Lang) -> String {
    let base = visible_name(change.base);
    match (change.base_failed, summary.change, lang) {
        (Some(why), _, _) => format!(
            "ropa: the base {base} does not load ({}): {}\n",
            visible_name(why),
            crate::report::FAILED_CLOSED
        ),
        (None, Some(c), Lang::En) => format!(
            "ropa: against {base}: {} new, {} existing, {} resolved\n",
            c.new, c.existing, c.resolved
        ),
        (None, Some(c), Lang::Nl) => format!(
            "ropa: tegen {base}: {} nieuw, {} bestaand, {} opgelost\n",
            c.new, c.existing, c.resolved
        ),
        (None, None, _) => String::new(),
    }
}

/// A severity's name in a language (`error`/`fout`).
pub fn severity_name(severity: Severity, lang: Lang) -> &'static str {
    match (severity, lang) {
        (_, Lang::En) => severity.name(),
        (Severity::Error, Lang::Nl) => "fout",
        (Severity::Warning, Lang::Nl) => "waarschuwing",
    }
}

/// Findings per rule, most first.
fn rule_counts(findings: &[Finding], lang: Lang) -> String {
    let mut counts: Vec<(usize, Severity, &str)> = Vec::new();
    for finding in findings {
        match counts.iter_mut().find(|(_, _, rule)| *rule == finding.rule) {
            Some(entry) => entry.0 += 1,
            None => counts.push((1, finding.severity, &finding.rule)),
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    let mut out = format!(
        "── {}\n\n",
        lang.pick("findings by rule", "bevindingen per regel")
    );
    let width = lang.pick("warning", "waarschuwing").len();
    for (count, severity, rule) in counts {
        out.push_str(&format!(
            "{count:>5}  {:<width$}  {}\n",
            severity_name(severity, lang),
            visible_name(rule)
        ));
    }
    out.push('\n');
    out
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line of a check.
pub fn summary_line(summary: &Summary, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let word = |n: usize, en: (&str, &str), dutch: (&str, &str)| {
        let (one, many) = if nl { dutch } else { en };
        plural(n, one, many)
    };
    let hidden_existing = summary.change.is_some_and(|c| c.existing > 0);
    let found = if summary.errors + summary.warnings == 0 && hidden_existing {
        lang.pick("no new findings", "geen nieuwe bevindingen")
            .to_string()
    } else if summary.errors + summary.warnings == 0 {
        lang.pick("no findings", "geen bevindingen").to_string()
    } else {
        format!(
            "{}, {}",
            word(summary.errors, ("error", "errors"), ("fout", "fouten")),
            word(
                summary.warnings,
                ("warning", "warnings"),
                ("waarschuwing", "waarschuwingen")
            )
        )
    };
    let mut waived = if summary.waived > 0 {
        format!(
            ", {} {}",
            summary.waived,
            lang.pick("waived", "met een waiver")
        )
    } else {
        String::new()
    };
    if summary.positions > 0 {
        waived.push_str(&format!(
            ", {} {}",
            summary.positions,
            lang.pick("answered by a position", "beantwoord door een standpunt")
        ));
    }
    if summary.approved > 0 {
        waived.push_str(&format!(
            ", {}",
            word(
                summary.approved,
                (
                    "weakening of the gate approved",
                    "weakenings of the gate approved"
                ),
                (
                    "verzwakking van de poort goedgekeurd",
                    "verzwakkingen van de poort goedgekeurd"
                )
            )
        ));
    }
    format!(
        "ropa: {found}{waived} {} {} ({}, {})\n",
        lang.pick("in", "in"),
        word(
            summary.activities,
            ("activity", "activities"),
            ("activiteit", "activiteiten")
        ),
        word(summary.files, ("file", "files"), ("bestand", "bestanden")),
        word(summary.rules, ("rule", "rules"), ("regel", "regels")),
    )
}

/// Renders the problems that stopped a run, and a closing line.
pub fn render_problems(problems: &[Problem], sources: &SourceMap, style: Style) -> String {
    let mut out = render_problem_list(problems, sources, style);
    out.push_str(&match style.lang {
        Lang::En => format!(
            "ropa: could not run: {}\n",
            plural(problems.len(), "problem", "problems")
        ),
        Lang::Nl => format!(
            "ropa: kon niet draaien: {}\n",
            plural(problems.len(), "probleem", "problemen")
        ),
    });
    out
}

/// Renders problems, one diagnostic each.
pub fn render_problem_list(problems: &[Problem], sources: &SourceMap, style: Style) -> String {
    let mut out = String::new();
    for problem in problems {
        let problem = &crate::problem_words::in_lang(problem, style.lang);
        let secondary: Vec<(Location, &str)> = problem
            .notes
            .iter()
            .map(|n| (n.at, n.text.as_str()))
            .collect();
        let v = view(
            sources,
            Some(problem.code.name().to_string()),
            miette::Severity::Error,
            problem.message.clone(),
            problem.help.clone(),
            problem.at.map(|at| (at, problem.label.as_str())),
            &secondary,
        );
        out.push_str(&render_view(&v, style));
        out.push('\n');
    }
    out
}
