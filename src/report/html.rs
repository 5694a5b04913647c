//! Owns the HTML report: one self-contained page for a DPO (no network, no external script,
//! style or font; it works from a file:// URL and prints to PDF): the summary, a compliance
//! matrix (activities down, the Art. 30 elements and rule areas across), each activity's
//! record with its findings beside it, the waivers with their expiry, and filters by
//! severity, rule and activity that run in the page itself.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::declaration::Declaration;
use crate::document::{Document, Record};
use crate::finding::{Change, Finding, Severity, Summary};
use crate::lang::Lang;
use crate::policy::Rule;
use crate::problem::Problem;
use crate::register::{Activity, Register};
use crate::report::human::summary_line;
use crate::report::{ChangeReport, Covered, Place, PositionedFinding, WaivedFinding};
use crate::source::{visible, SourceMap};

/// One register of the report, with what the matrix needs to judge applicability.
#[derive(Debug, Clone)]
pub struct RegisterView<'a> {
    /// Its name, when the configuration names several.
    pub name: Option<&'a str>,
    /// The register.
    pub register: &'a Register,
    /// The countries of the EEA (a transfer outside them makes `transfers` applicable).
    pub eea: &'a [String],
    /// The register's version (its last commit), when an HTML report asked for it.
    pub version: Option<crate::document::RegisterVersion>,
    /// The day the register was judged as of.
    pub judged_on: Option<&'a str>,
}

/// The columns of the compliance matrix: a rule's `@area`, its heading and what it covers.
/// The Art. 30 elements first, in the article's order, then the other areas.
pub const AREAS: [(&str, &str, &str); 12] = [
    ("controller", "Controller, DPO", "Art. 30(1)(a), 30(2)(a)"),
    ("purposes", "Purposes", "Art. 30(1)(b)"),
    ("data", "Subjects and data", "Art. 30(1)(c)"),
    ("recipients", "Recipients", "Art. 30(1)(d)"),
    ("processors", "Processors", "Art. 28"),
    ("transfers", "Transfers", "Art. 30(1)(e), 44-49"),
    ("retention", "Retention", "Art. 30(1)(f)"),
    ("security", "Security", "Art. 30(1)(g), 32"),
    ("legal-basis", "Legal basis", "Art. 6, 7, 8"),
    ("special-data", "Special data", "Art. 9, 10; UAVG"),
    ("high-risk", "High risk", "Art. 22, 35; WOR"),
    ("waivers", "Waivers", "ropa"),
];

/// What the page says under the counts: "no findings" is not "compliant".
const NOT_COMPLIANCE: &str = "No findings does not mean compliant: ropa checks that the register \
records what the GDPR asks a record to contain and judges the values it can judge. It does not \
check the processing itself, notices, contracts, or whether the register's own claims (its \
declarations) are true.";

/// The legend of the compliance matrix.
const MATRIX_LEGEND: &str =
    "Each cell: <span class=\"open-error\">✗ open</span> (an error is open), \
<span class=\"open-warning\">! open</span> (only warnings), <span class=\"waived\">◐ waived</span> \
(findings accepted by a waiver), <span class=\"met\">✓ met</span> (the rules of the area found \
nothing), <span class=\"na\">– n/a</span> (nothing of the area is in the activity: no transfer, \
no special data, no waiver).";

/// What the declarations section says first.
const DECLARATIONS_NOTE: &str = "Claims in the register that can keep a rule quiet. ropa cannot \
tell whether they are true; <em>silences</em> names the rules that would fire without the claim.";

/// The page's own words in `lang`: each English text, and its Dutch. (Rule texts come with
/// the findings, already in their language.)
fn tr(lang: Lang, en: &str) -> &str {
    if lang == Lang::En {
        return en;
    }
    DUTCH
        .iter()
        .find(|(e, _)| *e == en)
        .map_or(en, |(_, nl)| nl)
}

/// When and of which version the page was made: the day judged as of, and each register's
/// last commit (with a word when its files differ from it).
fn stamp(registers: &[RegisterView<'_>], lang: Lang) -> String {
    let mut out = String::new();
    if let Some(day) = registers.iter().find_map(|r| r.judged_on) {
        let _ = write!(out, "{} {}. ", tr(lang, "Judged as of"), escape(day));
    }
    for view in registers {
        if let Some(version) = &view.version {
            let words = lang.words();
            let _ = write!(
                out,
                "<span class=\"version\">{}{}: {} ({}){}</span>. ",
                view.name
                    .map(|n| format!("{} ", escape(n)))
                    .unwrap_or_default(),
                words.version,
                escape(&version.commit),
                escape(&version.date),
                if version.modified {
                    format!(", {}", words.uncommitted)
                } else {
                    String::new()
                }
            );
        }
    }
    out
}

/// Table headings, each in `lang`.
fn headings(lang: Lang, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("<th scope=\"col\">{}</th>", tr(lang, n)))
        .collect()
}

/// The page's words in Dutch, by their English.
const DUTCH: &[(&str, &str)] = &[
    ("ropa report", "ropa-rapport"),
    ("Judged as of", "Beoordeeld per"),
    ("Skip to the findings", "Naar de bevindingen"),
    ("Register of processing activities", "Register van verwerkingsactiviteiten"),
    ("Written by ropa", "Geschreven door ropa"),
    (
        "Every rule and its article: <code>ropa rules</code>; one rule in full: <code>ropa explain RULE</code>.",
        "Elke regel met zijn artikel: <code>ropa rules --lang nl</code>; één regel volledig: <code>ropa explain REGEL --lang nl</code>.",
    ),
    ("Errors", "Fouten"),
    ("Warnings", "Waarschuwingen"),
    ("Waived", "Met een waiver"),
    ("Positions", "Standpunten"),
    ("Declarations", "Verklaringen"),
    ("Activities", "Activiteiten"),
    ("Rules", "Regels"),
    ("New since", "Nieuw sinds"),
    ("Existing", "Bestaand"),
    ("Resolved", "Opgelost"),
    (
        NOT_COMPLIANCE,
        "Geen bevindingen betekent niet dat alles in orde is: ropa controleert of het register \
         vastlegt wat de AVG van een register vraagt, en beoordeelt de waarden die het kan \
         beoordelen. Het controleert niet de verwerking zelf, privacyverklaringen of contracten, \
         en niet of de eigen beweringen van het register (zijn verklaringen) kloppen.",
    ),
    ("Filter the findings", "Filter de bevindingen"),
    ("Show", "Toon"),
    ("errors", "fouten"),
    ("warnings", "waarschuwingen"),
    ("waived", "met een waiver"),
    ("Rule", "Regel"),
    ("all rules", "alle regels"),
    ("Activity", "Activiteit"),
    ("all activities", "alle activiteiten"),
    ("Show all", "Toon alles"),
    ("{count} of {all} findings shown", "{count} van {all} bevindingen getoond"),
    ("Compliance matrix", "Nalevingsmatrix"),
    (
        MATRIX_LEGEND,
        "Elke cel: <span class=\"open-error\">✗ open</span> (een fout staat open), \
         <span class=\"open-warning\">! open</span> (alleen waarschuwingen), <span class=\"waived\">◐ met een waiver</span> \
         (bevindingen aanvaard met een waiver), <span class=\"met\">✓ voldaan</span> (de regels van het onderdeel vonden niets), \
         <span class=\"na\">– n.v.t.</span> (niets van het onderdeel zit in de activiteit: geen doorgifte, geen bijzondere gegevens, geen waiver).",
    ),
    ("Compliance matrix, scrolls sideways", "Nalevingsmatrix, schuift opzij"),
    ("Open findings", "Open bevindingen"),
    ("silencing", "houden een regel stil"),
    ("Organisation", "Organisatie"),
    ("Activities and their findings", "Activiteiten en hun bevindingen"),
    ("Contact", "Contact"),
    ("DPO", "FG"),
    ("Operations", "Verwerkingen"),
    ("Positions taken", "Ingenomen standpunten"),
    (
        "Findings the organisation answers with a reasoned position: out of the counts, on the record.",
        "Bevindingen die de organisatie beantwoordt met een onderbouwd standpunt: buiten de tellingen, wel vastgelegd.",
    ),
    ("Target", "Doel"),
    ("Reasoning", "Onderbouwing"),
    ("Approved by", "Goedgekeurd door"),
    ("Decided", "Besloten"),
    ("Reviewed", "Herzien"),
    ("Reference", "Verwijzing"),
    ("position", "standpunt"),
    ("(organisation)", "(organisatie)"),
    (
        DECLARATIONS_NOTE,
        "Beweringen in het register die een regel stil kunnen houden. ropa kan niet zien of ze \
         kloppen; <em>houdt stil</em> noemt de regels die zonder de bewering zouden aanslaan.",
    ),
    ("Kind", "Soort"),
    ("Place", "Plaats"),
    ("Value or text", "Waarde of tekst"),
    ("Silences", "Houdt stil"),
    ("not computed", "niet berekend"),
    ("Role", "Rol"),
    ("Systems", "Systemen"),
    ("Data subjects", "Betrokkenen"),
    ("Personal data", "Persoonsgegevens"),
    ("Purposes", "Doelen"),
    ("Legal basis", "Grondslag"),
    ("Processors", "Verwerkers"),
    ("Sub-processors", "Subverwerkers"),
    ("Controllers", "Verwerkingsverantwoordelijken"),
    ("Recipients", "Ontvangers"),
    ("Transfers", "Doorgiften"),
    ("Retention", "Bewaartermijn"),
    ("Security measures", "Beveiligingsmaatregelen"),
    ("Findings", "Bevindingen"),
    ("open", "open"),
    ("No findings.", "Geen bevindingen."),
    ("new", "nieuw"),
    ("on", "bij"),
    ("What to do:", "Wat te doen:"),
    ("Why", "Waarom"),
    ("Waived until", "Waiver tot"),
    ("by", "door"),
    ("Waivers", "Waivers"),
    ("Reason", "Reden"),
    ("Expires", "Verloopt"),
    ("Covers", "Dekt"),
    ("finding", "bevinding"),
    ("findings", "bevindingen"),
    ("Resolved since", "Opgelost sinds"),
    ("met", "voldaan"),
    ("n/a", "n.v.t."),
    ("Controller, DPO", "Verantwoordelijke, FG"),
    ("Subjects and data", "Betrokkenen en gegevens"),
    ("Security", "Beveiliging"),
    ("Special data", "Bijzondere gegevens"),
    ("High risk", "Hoog risico"),
    ("Other", "Overig"),
];

/// The column of rules with no known `@area`.
const OTHER: (&str, &str, &str) = ("other", "Other", "");

/// Text for HTML: markup characters escaped, hidden characters made visible.
pub fn escape(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML as [`escape`] makes it, with each `code span` between backticks shown as
/// code (rule texts write field names and YAML that way); an unpaired backtick stays as it is.
pub fn escape_with_code(text: &str) -> String {
    let escaped = escape(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + parts.len() * 6);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A value for an `id` attribute and a URL fragment: letters, digits, `-` and `_` kept,
/// anything else as `_`.
fn anchor(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A finding's place in the matrix: its activity (none: the organisation row) and area.
fn area_of<'r>(finding: &Finding, areas: &BTreeMap<&str, &'r str>) -> &'r str {
    areas
        .get(finding.rule.as_str())
        .copied()
        .filter(|area| AREAS.iter().any(|(id, _, _)| id == area))
        .unwrap_or(OTHER.0)
}

/// What one cell of the matrix counts.
#[derive(Debug, Default, Clone, Copy)]
struct Cell {
    errors: usize,
    warnings: usize,
    waived: usize,
    applicable: bool,
}

impl Cell {
    fn open(&self) -> usize {
        self.errors + self.warnings
    }

    /// The state's name (a class and a `data-state`), and its text: a symbol and a word, so
    /// colour is never the only carrier.
    fn state(&self, lang: Lang) -> (&'static str, String) {
        if self.errors > 0 {
            (
                "open-error",
                format!("✗ {} {}", self.open(), tr(lang, "open")),
            )
        } else if self.warnings > 0 {
            (
                "open-warning",
                format!("! {} {}", self.open(), tr(lang, "open")),
            )
        } else if self.waived > 0 {
            (
                "waived",
                format!("◐ {} {}", self.waived, tr(lang, "waived")),
            )
        } else if self.applicable {
            ("met", format!("✓ {}", tr(lang, "met")))
        } else {
            ("na", format!("– {}", tr(lang, "n/a")))
        }
    }
}

/// Whether an area concerns an activity at all, when nothing was found in it: transfers
/// without a transfer or a sub-processor abroad, special data without such an item, waivers
/// without a waiver are "not applicable"; every other area applies to every activity.
fn applicable(area: &str, activity: &Activity, view: &RegisterView<'_>) -> bool {
    let register = view.register;
    match area {
        "transfers" => {
            !activity.transfers.is_empty()
                || activity.subprocessors.iter().any(|id| {
                    register
                        .subprocessor(&id.value)
                        .and_then(|s| s.country.as_ref())
                        .is_some_and(|c| !view.eea.contains(&c.value))
                })
        }
        "special-data" => activity.data.iter().any(|item| {
            [
                "special_category",
                "criminal_data",
                "national_identifier",
                "inference_prone",
            ]
            .iter()
            .any(|a| register.data_categories.is_in(&item.category.value, a))
        }),
        "waivers" => register
            .waivers
            .iter()
            .any(|w| w.activity.value == activity.id.value),
        _ => true,
    }
}

/// Renders the HTML report.
#[expect(clippy::too_many_arguments, reason = "what a report is made of")]
pub fn render_html(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    rules: &[Rule],
    registers: &[RegisterView<'_>],
    sources: &SourceMap,
    lang: Lang,
) -> String {
    let waived = covered.waived;
    let areas: BTreeMap<&str, &str> = rules
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.area.as_deref()?)))
        .collect();
    let organisation = registers
        .first()
        .map(|r| r.register.organisation.name.value.as_str())
        .unwrap_or("register");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\" class=\"no-js\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ropa {}\">\n<title>{}: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#findings\">{}</a>\n<header>\n<h1>{}: {}</h1>\n",
        lang.code(),
        env!("CARGO_PKG_VERSION"),
        tr(lang, "ropa report"),
        escape(organisation),
        tr(lang, "Skip to the findings"),
        tr(lang, "Register of processing activities"),
        escape(organisation),
    );
    summary_section(&mut out, summary, change, lang);
    out.push_str("</header>\n<main>\n");
    filters(&mut out, findings, waived, registers, lang);
    let columns: Vec<(&str, &str, &str)> = {
        let mut columns = AREAS.to_vec();
        let other = findings
            .iter()
            .chain(waived.iter().map(|w| w.finding))
            .any(|f| area_of(f, &areas) == OTHER.0);
        if other {
            columns.push(OTHER);
        }
        columns
    };
    for view in registers {
        let mine = |f: &&Finding| f.register.as_deref() == view.name;
        let open: Vec<&Finding> = findings.iter().filter(mine).collect();
        let own_waived: Vec<&WaivedFinding<'_>> =
            waived.iter().filter(|w| mine(&w.finding)).collect();
        let positioned: Vec<&PositionedFinding<'_>> = covered
            .positioned
            .iter()
            .filter(|p| mine(&p.finding))
            .collect();
        // A register's declarations are in its own files.
        let files: Vec<crate::source::FileId> =
            view.register.files.iter().map(|f| f.file).collect();
        let declarations: Vec<&Declaration> = covered
            .declarations
            .iter()
            .filter(|d| files.contains(&d.at.file))
            .collect();
        register_section(
            &mut out,
            view,
            &Shown {
                findings: &open,
                waived: &own_waived,
                positioned: &positioned,
                declarations: &declarations,
            },
            &columns,
            &areas,
            registers.len() > 1,
            sources,
            lang,
        );
    }
    if let Some(change) = change {
        resolved_section(&mut out, change, lang);
    }
    let _ = writeln!(
        out,
        "</main>\n<footer><p>{}{} {}. {}</p></footer>",
        stamp(registers, lang),
        tr(lang, "Written by ropa"),
        env!("CARGO_PKG_VERSION"),
        tr(
            lang,
            "Every rule and its article: <code>ropa rules</code>; one rule in full: <code>ropa explain RULE</code>."
        )
    );
    let _ = write!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn summary_section(
    out: &mut String,
    summary: &Summary,
    change: Option<&ChangeReport<'_>>,
    lang: Lang,
) {
    let line = summary_line(summary, lang);
    let line = line.trim_end().trim_start_matches("ropa: ");
    let _ = write!(
        out,
        "<p class=\"summary\">{}</p>\n<dl class=\"counts\">\n<div><dt>{}</dt><dd id=\"count-errors\">{}</dd></div>\n\
         <div><dt>{}</dt><dd id=\"count-warnings\">{}</dd></div>\n<div><dt>{}</dt><dd id=\"count-waived\">{}</dd></div>\n\
         <div><dt>{}</dt><dd id=\"count-positions\">{}</dd></div>\n<div><dt>{}</dt><dd id=\"count-declarations\">{}</dd></div>\n\
         <div><dt>{}</dt><dd>{}</dd></div>\n<div><dt>{}</dt><dd>{}</dd></div>\n",
        escape(line),
        tr(lang, "Errors"),
        summary.errors,
        tr(lang, "Warnings"),
        summary.warnings,
        tr(lang, "Waived"),
        summary.waived,
        tr(lang, "Positions"),
        summary.positions,
        tr(lang, "Declarations"),
        summary.declarations,
        tr(lang, "Activities"),
        summary.activities,
        tr(lang, "Rules"),
        summary.rules
    );
    if let (Some(counts), Some(change)) = (summary.change, change) {
        let _ = write!(
            out,
            "<div><dt>{} {}</dt><dd>{}</dd></div>\n<div><dt>{}</dt><dd>{}</dd></div>\n<div><dt>{}</dt><dd>{}</dd></div>\n",
            tr(lang, "New since"),
            escape(change.base),
            counts.new,
            tr(lang, "Existing"),
            counts.existing,
            tr(lang, "Resolved"),
            counts.resolved
        );
    }
    out.push_str("</dl>\n");
    // What the matrix's "met" means, on the page a board reads.
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"not-compliance\">{}</p>",
        tr(lang, NOT_COMPLIANCE)
    );
    if let Some(why) = change.and_then(|c| c.base_failed) {
        let _ = writeln!(
            out,
            "<p class=\"note\">The base did not load ({}): {}.</p>",
            escape(why),
            crate::report::FAILED_CLOSED
        );
    }
}

fn filters(
    out: &mut String,
    findings: &[Finding],
    waived: &[WaivedFinding<'_>],
    registers: &[RegisterView<'_>],
    lang: Lang,
) {
    let mut rules: Vec<&str> = findings
        .iter()
        .chain(waived.iter().map(|w| w.finding))
        .map(|f| f.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let _ = writeln!(
        out,
        "<form id=\"filters\" class=\"filters\" role=\"search\" aria-label=\"{}\">\n\
         <fieldset><legend>{}</legend>\n\
         <label><input type=\"checkbox\" name=\"severity\" value=\"error\" checked> {}</label>\n\
         <label><input type=\"checkbox\" name=\"severity\" value=\"warning\" checked> {}</label>\n\
         <label><input type=\"checkbox\" name=\"severity\" value=\"waived\" checked> {}</label>\n\
         </fieldset>\n<label>{} <select name=\"rule\" id=\"filter-rule\"><option value=\"\">{}</option>",
        tr(lang, "Filter the findings"),
        tr(lang, "Show"),
        tr(lang, "errors"),
        tr(lang, "warnings"),
        tr(lang, "waived"),
        tr(lang, "Rule"),
        tr(lang, "all rules"),
    );
    for rule in rules {
        let _ = writeln!(out, "<option value=\"{0}\">{0}</option>", escape(rule));
    }
    let _ = writeln!(
        out,
        "</select></label>\n<label>{} <select name=\"activity\" id=\"filter-activity\"><option value=\"\">{}</option>",
        tr(lang, "Activity"),
        tr(lang, "all activities")
    );
    for view in registers {
        for activity in &view.register.activities {
            let _ = writeln!(
                out,
                "<option value=\"{}\">{}</option>",
                escape(&activity.id.value),
                escape(
                    activity
                        .name
                        .as_ref()
                        .unwrap_or(&activity.id)
                        .value
                        .as_str()
                )
            );
        }
    }
    let _ = writeln!(
        out,
        "</select></label>\n<button type=\"reset\">{}</button>\n\
         <p id=\"shown\" role=\"status\" aria-live=\"polite\" data-template=\"{}\"></p>\n</form>",
        tr(lang, "Show all"),
        tr(lang, "{count} of {all} findings shown")
    );
}

/// What one register's part of the page shows.
struct Shown<'s, 'a> {
    findings: &'s [&'a Finding],
    waived: &'s [&'a WaivedFinding<'a>],
    positioned: &'s [&'a PositionedFinding<'a>],
    declarations: &'s [&'a Declaration],
}

#[expect(clippy::too_many_arguments, reason = "one register's part of the page")]
fn register_section(
    out: &mut String,
    view: &RegisterView<'_>,
    shown: &Shown<'_, '_>,
    columns: &[(&str, &str, &str)],
    areas: &BTreeMap<&str, &str>,
    named: bool,
    sources: &SourceMap,
    lang: Lang,
) {
    let findings = shown.findings;
    let waived = shown.waived;
    let register = view.register;
    // Declarations per activity (none: the organisation's, an entry's, a category's), and
    // how many of them silence a rule.
    let mut declared: BTreeMap<Option<&str>, (usize, usize)> = BTreeMap::new();
    for d in shown.declarations {
        let entry = declared.entry(d.activity.as_deref()).or_default();
        entry.0 += 1;
        if d.silenced.as_ref().is_some_and(|s| !s.is_empty()) {
            entry.1 += 1;
        }
    }
    if named {
        let _ = writeln!(
            out,
            "<h2 class=\"register\">Register {}</h2>",
            escape(view.name.unwrap_or("?"))
        );
    }
    let document = Document::of(register, lang, sources);
    // The matrix: one row per activity, and the organisation's row.
    let mut cells: BTreeMap<(Option<&str>, &str), Cell> = BTreeMap::new();
    for finding in findings {
        let cell = cells
            .entry((finding.activity.as_deref(), area_of(finding, areas)))
            .or_default();
        match finding.severity {
            Severity::Error => cell.errors += 1,
            Severity::Warning => cell.warnings += 1,
        }
    }
    for covered in waived {
        cells
            .entry((
                covered.finding.activity.as_deref(),
                area_of(covered.finding, areas),
            ))
            .or_default()
            .waived += 1;
    }
    let _ = write!(
        out,
        "<section class=\"matrix\" aria-labelledby=\"matrix-{0}\">\n<h2 id=\"matrix-{0}\">{1}</h2>\n\
         <p class=\"legend\">{2}</p>\n\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{3}\">\n<table class=\"matrix-table\">\n<thead><tr><th scope=\"col\">{4}</th>",
        anchor(view.name.unwrap_or("register")),
        tr(lang, "Compliance matrix"),
        tr(lang, MATRIX_LEGEND),
        tr(lang, "Compliance matrix, scrolls sideways"),
        tr(lang, "Activity"),
    );
    for (_, heading, article) in columns {
        let _ = write!(
            out,
            "<th scope=\"col\">{}<br><small>{}</small></th>",
            escape(tr(lang, heading)),
            escape(article)
        );
    }
    let _ = writeln!(
        out,
        "<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        tr(lang, "Open findings"),
        tr(lang, "Declarations")
    );
    let row = |out: &mut String, id: Option<&str>, name: &str, activity: Option<&Activity>| {
        let _ = write!(
            out,
            "<tr data-activity=\"{}\"><th scope=\"row\"><a href=\"#{}\">{}</a></th>",
            escape(id.unwrap_or("")),
            id.map_or_else(
                || "organisation".to_string(),
                |id| format!("activity-{}", anchor(id))
            ),
            escape(name)
        );
        let mut total = 0;
        for (area, heading, _) in columns {
            let mut cell = cells.get(&(id, *area)).copied().unwrap_or_default();
            cell.applicable = match activity {
                Some(activity) => applicable(area, activity, view),
                None => *area == "controller",
            };
            total += cell.open();
            let (state, text) = cell.state(lang);
            let _ = write!(
                out,
                "<td class=\"{state}\" data-area=\"{area}\" data-state=\"{state}\" data-open=\"{}\" data-waived=\"{}\" title=\"{}: {}\">{}</td>",
                cell.open(),
                cell.waived,
                escape(tr(lang, heading)),
                escape(&text),
                escape(&text)
            );
        }
        let (count, silencing) = declared.get(&id).copied().unwrap_or_default();
        let text = match (count, silencing) {
            (0, _) => "–".to_string(),
            (n, 0) => n.to_string(),
            (n, s) => format!("{n} ({s} {})", tr(lang, "silencing")),
        };
        let _ = writeln!(
            out,
            "<td class=\"total\" data-total=\"{total}\">{total}</td><td class=\"declarations{}\" data-declarations=\"{count}\" data-silencing=\"{silencing}\">{}</td></tr>",
            if silencing > 0 { " silencing" } else { "" },
            escape(&text)
        );
    };
    row(out, None, tr(lang, "Organisation"), None);
    for (activity, record) in register.activities.iter().zip(&document.activities) {
        row(out, Some(&record.id), &record.name, Some(activity));
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");

    // The records with their findings.
    let _ = writeln!(
        out,
        "<h2 id=\"findings\">{}</h2>",
        tr(lang, "Activities and their findings")
    );
    // Each activity's findings, grouped once (not a scan of every finding per activity).
    let mut by_activity: BTreeMap<Option<&str>, (Vec<&Finding>, Vec<&WaivedFinding<'_>>)> =
        BTreeMap::new();
    for finding in findings {
        by_activity
            .entry(finding.activity.as_deref())
            .or_default()
            .0
            .push(finding);
    }
    for covered in waived {
        by_activity
            .entry(covered.finding.activity.as_deref())
            .or_default()
            .1
            .push(covered);
    }
    let on = |id: Option<&str>| by_activity.get(&id).cloned().unwrap_or_default();
    let (org_open, org_waived) = on(None);
    let _ = write!(
        out,
        "<section class=\"activity\" id=\"organisation\" data-activity=\"\">\n<h3>{}: {}</h3>\n<div class=\"columns\">\n<dl class=\"record\">",
        tr(lang, "Organisation"),
        escape(&document.organisation.name)
    );
    field(out, "Id", Some(&document.organisation.id));
    field(
        out,
        tr(lang, "Contact"),
        document.organisation.contact.as_deref(),
    );
    field(out, tr(lang, "DPO"), document.organisation.dpo.as_deref());
    if !document.operations.is_empty() {
        field(
            out,
            tr(lang, "Operations"),
            Some(&document.operations.join(", ")),
        );
    }
    out.push_str("</dl>\n");
    finding_list(out, &org_open, &org_waived, sources, lang);
    out.push_str("</div>\n</section>\n");
    for record in &document.activities {
        let (open, covered) = on(Some(&record.id));
        let _ = write!(
            out,
            "<section class=\"activity\" id=\"activity-{}\" data-activity=\"{}\">\n<h3>{} <code class=\"id\">{}</code></h3>\n<div class=\"columns\">\n",
            anchor(&record.id),
            escape(&record.id),
            escape(&record.name),
            escape(&record.id)
        );
        record_list(out, record, lang);
        finding_list(out, &open, &covered, sources, lang);
        out.push_str("</div>\n</section>\n");
    }
    waivers_section(out, register, waived, lang);
    positions_section(out, shown.positioned, lang);
    declarations_section(out, shown.declarations, sources, lang);
}

fn positions_section(out: &mut String, positioned: &[&PositionedFinding<'_>], lang: Lang) {
    if positioned.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"positions\">\n<h2>{0}</h2>\n<p>{1}</p>\n\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{0}\">\n<table>\n<thead><tr>{2}</tr></thead>\n<tbody>",
        tr(lang, "Positions taken"),
        tr(
            lang,
            "Findings the organisation answers with a reasoned position: out of the counts, on the record."
        ),
        headings(
            lang,
            &["Rule", "Activity", "Target", "Reasoning", "Approved by", "Decided", "Reviewed", "Reference"]
        ),
    );
    for p in positioned {
        let (f, position) = (p.finding, p.position);
        let _ = writeln!(
            out,
            "<tr><td><span class=\"badge position\">{}</span> <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            tr(lang, "position"),
            escape(&f.rule),
            escape(f.activity.as_deref().unwrap_or(tr(lang, "(organisation)"))),
            escape(f.target.as_deref().unwrap_or("")),
            escape(&position.reasoning.value),
            escape(&position.approved_by.value),
            escape(&position.decided_on.value),
            escape(&position.reviewed_on.value),
            escape(position.reference.as_ref().map_or("", |r| r.value.as_str())),
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn declarations_section(
    out: &mut String,
    declarations: &[&Declaration],
    sources: &SourceMap,
    lang: Lang,
) {
    if declarations.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"declarations\">\n<h2>{0}</h2>\n<p>{1}</p>\n\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{0}\">\n<table>\n<thead><tr>{2}</tr></thead>\n<tbody>",
        tr(lang, "Declarations"),
        tr(lang, DECLARATIONS_NOTE),
        headings(lang, &["Kind", "Place", "Value or text", "Silences"]),
    );
    for d in declarations {
        let place = Place::of(d.at, sources);
        let mut what = d.activity.clone().unwrap_or_default();
        if let Some(target) = &d.target {
            if !what.is_empty() {
                what.push_str(" › ");
            }
            what.push_str(target);
        }
        let value = d.value.as_deref().or(d.text.as_deref()).unwrap_or("");
        let silenced = match &d.silenced {
            None => format!("<td>{}</td>", tr(lang, "not computed")),
            Some(rules) if rules.is_empty() => "<td>–</td>".to_string(),
            Some(rules) => format!(
                "<td class=\"silencing\">{}</td>",
                rules
                    .iter()
                    .map(|r| format!("<code>{}</code>", escape(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{} <code>{}:{}</code> <code>{}</code></td><td>{}</td>{silenced}</tr>",
            escape(d.kind),
            escape(&what),
            escape(place.file),
            place.line,
            escape(&d.field),
            escape(value),
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn field(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
    }
}

fn list_field(out: &mut String, name: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let _ = write!(out, "<dt>{}</dt><dd><ul>", escape(name));
    for value in values {
        let _ = write!(out, "<li>{}</li>", escape(value));
    }
    out.push_str("</ul></dd>");
}

/// An activity's record as the annex shows it, and the rest of its Art. 30 elements.
fn record_list(out: &mut String, record: &Record, lang: Lang) {
    out.push_str("<dl class=\"record\">");
    field(out, tr(lang, "Role"), Some(&record.role));
    list_field(out, tr(lang, "Systems"), &record.systems);
    list_field(out, tr(lang, "Operations"), &record.operations);
    list_field(out, tr(lang, "Data subjects"), &record.subjects);
    list_field(out, tr(lang, "Personal data"), &record.data);
    list_field(out, tr(lang, "Purposes"), &record.purposes);
    list_field(out, tr(lang, "Legal basis"), &record.legal_basis);
    // A controller's processors, a processor's sub-processors: each with its country.
    let processors = tr(
        lang,
        if record.role_id == "processor" {
            "Sub-processors"
        } else {
            "Processors"
        },
    );
    if record.processors.is_empty() && record.subprocessors_stated {
        field(out, processors, Some(lang.words().none));
    } else {
        list_field(out, processors, &record.processors);
    }
    list_field(out, tr(lang, "Controllers"), &record.controllers);
    list_field(out, tr(lang, "Recipients"), &record.recipients);
    list_field(out, tr(lang, "Transfers"), &record.transfers);
    field(
        out,
        tr(lang, "Retention"),
        record
            .retention_words
            .as_deref()
            .or(record.retention.as_deref()),
    );
    field(
        out,
        tr(lang, "Security measures"),
        record.security_measures.as_deref(),
    );
    field(out, "DPIA", record.dpia.as_deref());
    for lawful in &record.lawfulness {
        field(out, lawful.name, Some(&lawful.text));
    }
    out.push_str("</dl>\n");
}

fn finding_list(
    out: &mut String,
    open: &[&Finding],
    waived: &[&WaivedFinding<'_>],
    sources: &SourceMap,
    lang: Lang,
) {
    let total = open.len() + waived.len();
    let _ = writeln!(
        out,
        "<div class=\"findings\"><h4>{}: {} {}{}</h4>",
        tr(lang, "Findings"),
        open.len(),
        tr(lang, "open"),
        if waived.is_empty() {
            String::new()
        } else {
            format!(", {} {}", waived.len(), tr(lang, "waived"))
        }
    );
    if total == 0 {
        let _ = writeln!(
            out,
            "<p class=\"none\">{}</p></div>",
            tr(lang, "No findings.")
        );
        return;
    }
    out.push_str("<ol class=\"finding-list\">\n");
    for finding in open {
        finding_item(out, finding, None, sources, lang);
    }
    for covered in waived {
        finding_item(out, covered.finding, Some(covered), sources, lang);
    }
    out.push_str("</ol></div>\n");
}

fn finding_item(
    out: &mut String,
    finding: &Finding,
    waiver: Option<&WaivedFinding<'_>>,
    sources: &SourceMap,
    lang: Lang,
) {
    let severity = finding.severity.name();
    let severity_word = crate::report::human::severity_name(finding.severity, lang);
    let state = if waiver.is_some() { "waived" } else { "open" };
    let _ = write!(
        out,
        "<li class=\"finding {severity} {state}\" data-severity=\"{severity}\" data-rule=\"{}\" data-activity=\"{}\" data-state=\"{state}\">\n<p class=\"head\"><span class=\"badge {severity}\">{severity_word}</span>",
        escape(&finding.rule),
        escape(finding.activity.as_deref().unwrap_or(""))
    );
    if waiver.is_some() {
        let _ = write!(
            out,
            " <span class=\"badge waived\">{}</span>",
            tr(lang, "waived")
        );
    }
    if finding.change == Some(Change::New) {
        let _ = write!(out, " <span class=\"badge new\">{}</span>", tr(lang, "new"));
    }
    let _ = write!(out, " <code>{}</code>", escape(&finding.rule));
    if let Some(target) = &finding.target {
        let _ = write!(out, " {} <code>{}</code>", tr(lang, "on"), escape(target));
    }
    let _ = write!(
        out,
        "</p>\n<p class=\"message\">{}</p>\n<p class=\"label\">{}</p>\n",
        escape_with_code(&finding.message),
        escape_with_code(&finding.label)
    );
    // What to do in one line, and the rule's whole explanation under it.
    match (&finding.fix, &finding.help) {
        (Some(fix), Some(help)) => {
            let _ = writeln!(
                out,
                "<p class=\"help\"><strong>{}</strong> {}</p>\n<details class=\"explanation\"><summary>{}</summary><p>{}</p></details>",
                tr(lang, "What to do:"),
                escape_with_code(fix),
                tr(lang, "Why"),
                escape_with_code(help)
            );
        }
        (None, Some(text)) | (Some(text), None) => {
            let _ = writeln!(
                out,
                "<p class=\"help\"><strong>{}</strong> {}</p>",
                tr(lang, "What to do:"),
                escape_with_code(text)
            );
        }
        (None, None) => {}
    }
    if let Some(article) = &finding.article {
        let _ = writeln!(out, "<p class=\"article\">{}</p>", escape(article));
    }
    if let Some(covered) = waiver {
        let w = covered.waiver;
        let _ = writeln!(
            out,
            "<p class=\"waiver\">{} {} {} {}: {}</p>",
            tr(lang, "Waived until"),
            escape(&w.expires.value),
            tr(lang, "by"),
            escape(&w.approved_by.value),
            escape(&w.reason.value)
        );
    }
    let place = Place::of(finding.at, sources);
    let _ = writeln!(
        out,
        "<p class=\"place\"><code>{}:{}</code></p>",
        escape(place.file),
        place.line
    );
    snippet(out, finding, sources);
    out.push_str("</li>\n");
}

/// The YAML lines of a finding: its own lines and one either side, numbered, its own marked.
fn snippet(out: &mut String, finding: &Finding, sources: &SourceMap) {
    let file = sources.file(finding.at.file);
    let (start, end) = sources.range(finding.at);
    let first = start.line.saturating_sub(1).max(1);
    let last = (end.line + 1).min(start.line + 8);
    out.push_str("<pre class=\"source\"><code>");
    for number in first..=last {
        // The line's text from the file's line index (not a scan of the whole file).
        let from = file.line_start(number - 1);
        if from >= file.text.len() {
            break;
        }
        let to = file.line_start(number).min(file.text.len());
        let text = file
            .text
            .get(from..to)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r']);
        let own = number >= start.line && number <= end.line.max(start.line);
        let _ = writeln!(
            out,
            "{}<span class=\"number\">{number:>4}</span> {}{}",
            if own { "<mark>" } else { "" },
            escape(text),
            if own { "</mark>" } else { "" },
        );
    }
    out.push_str("</code></pre>\n");
}

fn waivers_section(
    out: &mut String,
    register: &Register,
    waived: &[&WaivedFinding<'_>],
    lang: Lang,
) {
    if register.waivers.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"waivers\">\n<h2>{0}</h2>\n<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{0}\">\n<table>\n<thead><tr>{1}</tr></thead>\n<tbody>",
        tr(lang, "Waivers"),
        headings(
            lang,
            &["Rule", "Activity", "Target", "Reason", "Approved by", "Expires", "Reference", "Covers"]
        ),
    );
    for waiver in &register.waivers {
        let covers = waived
            .iter()
            .filter(|w| std::ptr::eq(w.waiver, waiver))
            .count();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{covers} {}</td></tr>",
            escape(&waiver.rule.value),
            escape(&waiver.activity.value),
            escape(waiver.target.as_ref().map_or("", |t| t.value.as_str())),
            escape(&waiver.reason.value),
            escape(&waiver.approved_by.value),
            escape(&waiver.expires.value),
            escape(waiver.reference.as_ref().map_or("", |r| r.value.as_str())),
            tr(lang, if covers == 1 { "finding" } else { "findings" })
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn resolved_section(out: &mut String, change: &ChangeReport<'_>, lang: Lang) {
    if change.resolved.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"resolved\">\n<h2>{} {}</h2>\n<ul>\n",
        tr(lang, "Resolved since"),
        escape(change.base)
    );
    for finding in change.resolved {
        let _ = writeln!(
            out,
            "<li><code>{}</code> {} {}</li>",
            escape(&finding.rule),
            escape(
                finding
                    .activity
                    .as_deref()
                    .unwrap_or(tr(lang, "(organisation)"))
            ),
            escape(finding.target.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// Renders the problems that stopped a run as an HTML page.
pub fn render_html_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>ropa: could not check the register</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>ropa could not check the register: {} problem{}</h1>\n<ol class=\"finding-list\">\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for problem in problems {
        let place = problem.at.map(|at| Place::of(at, sources));
        let _ = writeln!(
            out,
            "<li class=\"finding error\"><p class=\"head\"><span class=\"badge error\">{}</span> {}</p>{}{}</li>",
            problem.code.name(),
            escape(&problem.message),
            place.map_or_else(String::new, |p| format!(
                "<p class=\"place\"><code>{}:{}</code></p>",
                escape(p.file),
                p.line
            )),
            problem.help.as_ref().map_or_else(String::new, |h| format!(
                "<p class=\"help\">{}</p>",
                escape(h)
            ))
        );
    }
    out.push_str("</ol>\n</main>\n</body>\n</html>\n");
    out
}

/// The page's style: system fonts, contrast above 4.5:1, visible focus, a one-column layout
/// when narrow (200% zoom) and in print.
const STYLE: &str = r#":root { --error: #a4001d; --warning: #7a4d00; --met: #0b6b2d; --waived: #4b3f8f; --na: #555; --line: #8a8a8a; }
* { box-sizing: border-box; }
body { font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 1rem 1.5rem; color: #1a1a1a; background: #fff; max-width: 90rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
a { color: #0645ad; } a:focus, button:focus, select:focus, input:focus, [tabindex]:focus { outline: 3px solid #1a5fd0; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: .5rem 0; } .counts div { border: 1px solid var(--line); padding: .25rem .75rem; border-radius: 4px; }
.counts dt { font-size: .85rem; } .counts dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center; border: 1px solid var(--line); padding: .75rem; border-radius: 4px; margin: 1rem 0; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; } .filters legend { float: left; margin-right: .5rem; font-weight: 600; }
.filters select, .filters button { font: inherit; padding: .2rem .4rem; } .filters label { max-width: 100%; } .filters select { max-width: 100%; } #shown { margin: 0; font-weight: 600; }
.no-js .filters { display: none; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
.matrix-table th[scope=row] { position: sticky; left: 0; background: #fff; min-width: 12rem; }
.matrix-table td { white-space: nowrap; font-size: .9rem; } thead th { background: #eef0f4; font-size: .85rem; }
.open-error { color: var(--error); font-weight: 600; } .open-warning { color: var(--warning); font-weight: 600; } .waived { color: var(--waived); } .met { color: var(--met); } .na { color: var(--na); }
td.open-error { background: #fde8ec; } td.open-warning { background: #fff4de; } td.waived { background: #efedfa; } td.silencing { background: #fff4de; } td.met { background: #e6f4ea; }
.total { font-weight: 600; text-align: right; }
.activity { border-top: 2px solid var(--line); padding-top: 1rem; margin-top: 1.5rem; }
.columns { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1.5rem; }
.record { margin: 0; } .record dt { font-weight: 600; font-size: .9rem; margin-top: .4rem; } .record dd { margin: 0 0 0 .75rem; } .record ul { margin: 0; padding-left: 1.1rem; }
.id { font-size: .85rem; color: #444; }
.finding-list { padding-left: 1.2rem; } .finding { margin-bottom: 1rem; padding: .5rem .75rem; border-left: 4px solid var(--line); background: #fafafa; }
.finding.error { border-left-color: var(--error); } .finding.warning { border-left-color: var(--warning); } .finding.waived { border-left-color: var(--waived); }
.finding p { margin: .2rem 0; } .message { font-weight: 600; } .label { font-style: italic; }
.badge { display: inline-block; font-size: .8rem; font-weight: 700; padding: 0 .4rem; border-radius: 3px; border: 1px solid currentColor; text-transform: uppercase; }
.badge.error { color: var(--error); } .badge.warning { color: var(--warning); } .badge.waived { color: var(--waived); } .badge.new { color: #0645ad; }
.source { background: #f2f2f2; padding: .4rem; overflow-x: auto; font-size: .85rem; margin: .3rem 0 0; } .source mark { background: #ffe58a; color: inherit; } .number { color: #555; }
[hidden] { display: none !important; }
@media (max-width: 60rem) { .columns { grid-template-columns: minmax(0, 1fr); } }
@media print { .filters, .skip { display: none; } body { max-width: none; padding: 0; } .activity, tr { break-inside: avoid; } .columns { grid-template-columns: 1fr 1fr; } .scroll { overflow: visible; } a { color: inherit; text-decoration: none; } }
"#;

/// The filters: severity (with waived), rule and activity; the count of findings shown.
const SCRIPT: &str = r#"(function () {
  document.documentElement.classList.remove("no-js");
  var form = document.getElementById("filters");
  if (!form) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.activity"));
  var rows = Array.prototype.slice.call(document.querySelectorAll(".matrix-table tbody tr"));
  var shown = document.getElementById("shown");
  function apply() {
    var kinds = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=severity]"), function (box) { kinds[box.value] = box.checked; });
    var rule = form.elements.rule.value;
    var activity = form.elements.activity.value;
    var count = 0;
    items.forEach(function (item) {
      var kind = item.dataset.state === "waived" ? "waived" : item.dataset.severity;
      var visible = kinds[kind] && (!rule || item.dataset.rule === rule) && (!activity || item.dataset.activity === activity);
      item.hidden = !visible;
      if (visible) { count += 1; }
    });
    sections.forEach(function (section) { section.hidden = activity !== "" && section.dataset.activity !== activity; });
    rows.forEach(function (row) { row.hidden = activity !== "" && row.dataset.activity !== activity; });
    shown.textContent = shown.dataset.template.replace("{count}", count).replace("{all}", items.length);
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_become_code_after_escaping() {
        assert_eq!(
            escape_with_code("add `retention: { period: P1Y }` or `<b>`"),
            "add <code>retention: { period: P1Y }</code> or <code>&lt;b&gt;</code>"
        );
        // An unpaired backtick is left as written.
        assert_eq!(escape_with_code("a ` b"), "a ` b");
    }

    #[test]
    fn escape_covers_markup_quotes_and_hidden_characters() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&\u{1b}[2J\u{202e}</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;\\u{1b}[2J\\u{202e}&lt;/a&gt;"
        );
        assert_eq!(anchor("a b/ü-c_d"), "a_b__-c_d");
    }

    #[test]
    fn a_cell_says_its_state_in_words() {
        let cell = |errors, warnings, waived, applicable| {
            Cell {
                errors,
                warnings,
                waived,
                applicable,
            }
            .state(Lang::En)
        };
        assert_eq!(cell(1, 1, 1, true), ("open-error", "✗ 2 open".to_string()));
        assert_eq!(
            cell(0, 1, 0, false),
            ("open-warning", "! 1 open".to_string())
        );
        assert_eq!(cell(0, 0, 2, true), ("waived", "◐ 2 waived".to_string()));
        assert_eq!(cell(0, 0, 0, true), ("met", "✓ met".to_string()));
        assert_eq!(cell(0, 0, 0, false), ("na", "– n/a".to_string()));
    }
}
