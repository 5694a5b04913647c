//! Owns reading the Dutch central government's AVG register export: a ZIP of JSON files (a
//! UTF-8 BOM dropped), in folders `AVG Verantwoordelijke Verwerkingen` (a controller's
//! records), `AVG Verwerker Verwerkingen` (a processor's) and `WPG Verantwoordelijke
//! Verwerkingen` (under the Police Data Act), each file a list of records. A record with
//! `Status: Vervallen` is left out. The legal basis sits on each purpose (`Doelen[].Rechtsgrond`,
//! `basis: remark`), the retention on each data item (`Gegevens[].Bewaartermijn`), nine
//! special-category flags on each group of data subjects.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use serde_json::Value;

use super::normalise::{self, Safeguard};
use super::{Activity, Basis, Context, Imported, Item, Processor, Sourced, Transfer, Unresolved};
use crate::problem::{Code, Problem};

/// The most JSON files an export may hold.
const MAX_FILES: usize = 500;
/// The most bytes one JSON file may unpack to.
const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The most bytes the export may unpack to.
const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// The kind of register a folder of the export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Controller,
    Processor,
    Wpg,
}

/// The folders of the export and what each holds.
const FOLDERS: [(&str, Kind); 3] = [
    ("AVG Verantwoordelijke Verwerkingen", Kind::Controller),
    ("AVG Verwerker Verwerkingen", Kind::Processor),
    ("WPG Verantwoordelijke Verwerkingen", Kind::Wpg),
];

/// The special-category flags of a group of data subjects and the category each names.
const SPECIAL_FLAGS: [(&str, &str); 9] = [
    ("RasOfEtniciteit", "racial_ethnic_origin"),
    ("PolitiekeGezindheid", "political_opinion"),
    ("GodsdienstOfLevensovertuiging", "religious_belief"),
    ("LidmaatschapVakvereniging", "trade_union_membership"),
    ("Genetisch", "genetic"),
    ("Biometrisch", "biometric_identification"),
    ("Gezondheid", "health"),
    ("SeksueleLeven", "sex_life_orientation"),
    ("Strafrechtelijk", "criminal_data"),
];

/// The Wpg articles a purpose names, and how the statute is written.
const WPG_ARTICLES: [(&str, &str); 9] = [
    ("Artikel8", "Wpg art. 8"),
    ("Artikel9", "Wpg art. 9"),
    ("Artikel10Lid1A", "Wpg art. 10 lid 1 sub a"),
    ("Artikel10Lid1B", "Wpg art. 10 lid 1 sub b"),
    ("Artikel10Lid1C", "Wpg art. 10 lid 1 sub c"),
    ("Artikel12", "Wpg art. 12"),
    ("Artikel13Lid1", "Wpg art. 13 lid 1"),
    ("Artikel13Lid2", "Wpg art. 13 lid 2"),
    ("Artikel13Lid3", "Wpg art. 13 lid 3"),
];

/// Whether the bytes are a ZIP with at least one of the export's folders.
pub fn recognises(bytes: &[u8]) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    (0..archive.len().min(MAX_FILES)).any(|i| {
        archive
            .by_index_raw(i)
            .ok()
            .and_then(|e| e.enclosed_name())
            .and_then(|p| {
                p.components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
            })
            .is_some_and(|first| FOLDERS.iter().any(|(f, _)| *f == first))
    })
}

/// The JSON files of the export, with their folder's kind, within budgets.
fn files(name: &str, bytes: &[u8]) -> Result<Vec<(String, Kind, Value)>, Problem> {
    let problem = |code, what: String| Problem::general(code, format!("{name}: {what}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| problem(Code::InvalidValue, format!("not a readable ZIP: {e}")))?;
    if archive.len() > MAX_FILES {
        return Err(problem(
            Code::FileTooLarge,
            format!("{} files; ropa reads at most {MAX_FILES}", archive.len()),
        ));
    }
    let mut total: u64 = 0;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| problem(Code::InvalidValue, format!("a broken ZIP entry: {e}")))?;
        let Some(path) = entry.enclosed_name() else {
            continue;
        };
        let path_text = path.to_string_lossy().into_owned();
        let first = path
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((_, kind)) = FOLDERS.iter().find(|(f, _)| *f == first) else {
            continue;
        };
        if !path_text.to_lowercase().ends_with(".json") {
            continue;
        }
        if entry.size() > MAX_FILE_BYTES {
            return Err(problem(
                Code::FileTooLarge,
                format!(
                    "{path_text} unpacks to {} bytes; at most {MAX_FILE_BYTES}",
                    entry.size()
                ),
            ));
        }
        total = total.saturating_add(entry.size());
        if total > MAX_TOTAL_BYTES {
            return Err(problem(
                Code::FileTooLarge,
                format!("the export unpacks to over {MAX_TOTAL_BYTES} bytes"),
            ));
        }
        let mut text = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| problem(Code::InvalidValue, format!("{path_text}: {e}")))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(problem(
                Code::FileTooLarge,
                format!("{path_text} unpacks past {MAX_FILE_BYTES} bytes"),
            ));
        }
        let text = String::from_utf8_lossy(&text);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let value: Value = serde_json::from_str(text)
            .map_err(|e| problem(Code::InvalidValue, format!("{path_text} is not JSON: {e}")))?;
        out.push((path_text, *kind, value));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads the export.
pub fn read(name: &str, bytes: &[u8], context: &Context<'_>) -> Result<Imported, Problem> {
    let mut imported = Imported {
        format: "avg-register-json",
        ..Imported::default()
    };
    let mut reading = Reading {
        context,
        own: BTreeMap::new(),
        counts: BTreeMap::new(),
    };
    for (path, kind, value) in files(name, bytes)? {
        let Some(records) = value.as_array() else {
            imported.unresolved.push(Unresolved {
                at: path.clone(),
                text: String::new(),
                why: "not a list of records".to_string(),
            });
            continue;
        };
        for (i, record) in records.iter().enumerate() {
            let at = format!("{path}#[{i}]");
            if text(record, "Status").is_some_and(|s| s.eq_ignore_ascii_case("Vervallen")) {
                imported.skipped.push(Unresolved {
                    at,
                    text: text(record, "Naam").unwrap_or_default(),
                    why: "Status: Vervallen".to_string(),
                });
                continue;
            }
            let activity = reading.record(&mut imported, record, kind, &at);
            imported.activities.push(activity);
        }
    }
    super::ico::unique_ids(&mut imported);
    imported.columns = reading
        .counts
        .into_iter()
        .map(
            |(field, (target, read, words, text, unmapped))| super::Column {
                name: field,
                field: target,
                read,
                normalised: words,
                text,
                unmapped,
            },
        )
        .collect();
    Ok(imported)
}

/// A field's text: a string, a number, or `ja/true/yes` as is.
fn text(record: &Value, key: &str) -> Option<String> {
    match record.get(key)? {
        Value::String(s) => {
            let s = s.replace("\r\n", "\n").trim().to_string();
            (!s.is_empty() && !normalise::is_placeholder(&s)).then_some(s)
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "ja" } else { "nee" }.to_string()),
        _ => None,
    }
}

/// A flag: `Some(true)` for ja/true/yes, `Some(false)` for nee/false/no, `None` when not
/// known (null, absent, other words): unknown is never no.
fn flag(record: &Value, key: &str) -> Option<bool> {
    match record.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match normalise::yes_no(s) {
            normalise::YesNo::Yes => Some(true),
            normalise::YesNo::No => Some(false),
            normalise::YesNo::Unknown => None,
        },
        _ => None,
    }
}

fn list<'v>(record: &'v Value, key: &str) -> &'v [Value] {
    record
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Per field: (target, read, words, text, unmapped).
type Counts = BTreeMap<String, (Option<&'static str>, usize, usize, usize, usize)>;

struct Reading<'c> {
    context: &'c Context<'c>,
    own: BTreeMap<(bool, String), String>,
    counts: Counts,
}

/// How a value was taken.
#[derive(Clone, Copy)]
enum Took {
    Word,
    Text,
    Not,
}

impl Reading<'_> {
    fn count(&mut self, field: &str, target: Option<&'static str>, took: Took) {
        let entry = self
            .counts
            .entry(field.to_string())
            .or_insert((target, 0, 0, 0, 0));
        entry.1 += 1;
        match took {
            Took::Word => entry.2 += 1,
            Took::Text => entry.3 += 1,
            Took::Not => entry.4 += 1,
        }
    }

    fn record(
        &mut self,
        imported: &mut Imported,
        record: &Value,
        kind: Kind,
        at: &str,
    ) -> Activity {
        let mut activity = Activity {
            at: at.to_string(),
            ..Activity::default()
        };
        let here = |field: &str| format!("{at}.{field}");
        if let Some(name) = text(record, "Naam") {
            activity.id = normalise::kebab_id(&name);
            activity.name = Some(Sourced::at(name, &here("Naam")));
            self.count("Naam", Some("name"), Took::Text);
        }
        if activity.id.is_empty() {
            activity.id = "verwerking".to_string();
        }
        if let Some(id) = text(record, "Id") {
            activity.source_id = Some(Sourced::at(id, &here("Id")));
            self.count("Id", Some("x-source-id"), Took::Text);
        }
        for (key, x) in [
            ("Nummer", "x-avg-nummer"),
            ("Dienst", "x-avg-dienst"),
            ("Versie", "x-avg-versie"),
        ] {
            if let Some(value) = text(record, key) {
                activity
                    .extra
                    .push((x.to_string(), Sourced::at(value, &here(key))));
                self.count(key, Some(x), Took::Text);
            }
        }
        if kind == Kind::Processor {
            activity.role = Some(Sourced::at("processor", at));
        }
        // The organisation: a public body's register; its name from the first record's
        // responsible party.
        if imported.organisation.public_authority.is_none() {
            imported.organisation.public_authority = Some(Sourced::at((), at));
        }
        for (i, responsible) in list(record, "Verantwoordelijken").iter().enumerate() {
            if let Some(name) = text(responsible, "Naam") {
                let place = format!("{}[{i}].Naam", here("Verantwoordelijken"));
                if kind == Kind::Processor {
                    activity.controllers.push(Sourced::at(name, &place));
                    self.count("Verantwoordelijken[].Naam", Some("controllers"), Took::Text);
                } else if imported.organisation.name.is_none() {
                    imported.organisation.name = Some(Sourced::at(name, &place));
                    self.count(
                        "Verantwoordelijken[].Naam",
                        Some("organisation.name"),
                        Took::Text,
                    );
                }
            }
        }
        match kind {
            Kind::Wpg => self.wpg(imported, &mut activity, record, at),
            _ => self.avg(imported, &mut activity, record, at),
        }
        for (i, system) in list(record, "Systemen").iter().enumerate() {
            if let Some(name) = text(system, "Omschrijving").or_else(|| text(system, "Naam")) {
                activity
                    .systems
                    .push(Sourced::at(name, &format!("{}[{i}]", here("Systemen"))));
                self.count("Systemen[]", Some("systems"), Took::Text);
            }
        }
        for (i, receiver) in list(record, "Ontvangers").iter().enumerate() {
            if let Some(name) = text(receiver, "Omschrijving") {
                activity.recipients.push(Sourced::at(
                    name,
                    &format!("{}[{i}].Omschrijving", here("Ontvangers")),
                ));
                self.count("Ontvangers[].Omschrijving", Some("recipients"), Took::Text);
            }
        }
        for (i, processor) in list(record, "Verwerkers").iter().enumerate() {
            let Some(name) = text(processor, "Naam") else {
                continue;
            };
            let place = format!("{}[{i}]", here("Verwerkers"));
            let country = text(processor, "Land").and_then(|l| normalise::country(&l));
            self.count(
                "Verwerkers[]",
                Some("processors"),
                if country.is_some() {
                    Took::Word
                } else {
                    Took::Text
                },
            );
            let id = normalise::kebab_id(&name);
            if !imported.processors.iter().any(|p| p.id == id) {
                imported.processors.push(Processor {
                    id: id.clone(),
                    name,
                    country: country.map(str::to_string),
                    at: place.clone(),
                });
            }
            if !activity.processors.iter().any(|p| p.value == id) {
                activity.processors.push(Sourced::at(id, &place));
            }
        }
        // Security: the measures, in the register's words.
        if let Some(security) = record.get("Beveiliging") {
            let measures: Vec<String> = list(security, "Maatregelen")
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect();
            if !measures.is_empty() {
                activity.security_measures = Some(Sourced::at(
                    measures.join("; "),
                    &here("Beveiliging.Maatregelen"),
                ));
                self.count(
                    "Beveiliging.Maatregelen",
                    Some("security_measures"),
                    Took::Text,
                );
            }
        }
        // Automated decisions: none is a statement; any is for a person to record.
        if let Some(decisions) = record.get("Besluitvorming") {
            match flag(decisions, "HasBesluitvorming") {
                Some(false) => {
                    activity.no_automated_decisions =
                        Some(Sourced::at((), &here("Besluitvorming.HasBesluitvorming")));
                    self.count(
                        "Besluitvorming.HasBesluitvorming",
                        Some("automated_decision"),
                        Took::Word,
                    );
                }
                Some(true) => {
                    let logic = text(decisions, "Logica").unwrap_or_default();
                    activity.extra.push((
                        "x-avg-besluitvorming".to_string(),
                        Sourced::at(logic, &here("Besluitvorming.Logica")),
                    ));
                    activity.review.push(format!(
                        "automated decisions ({}): record the Art. 22 exception and safeguards with `automated_decision`",
                        here("Besluitvorming")
                    ));
                    self.count(
                        "Besluitvorming.HasBesluitvorming",
                        Some("x-avg-besluitvorming"),
                        Took::Text,
                    );
                }
                None => {}
            }
        }
        // Transfers outside the EU: the country and its safeguard.
        if let Some(transfer) = record.get("Doorgifte") {
            let description = text(transfer, "BuitenEuOmschrijving");
            if flag(transfer, "BuitenEu") == Some(true) {
                let country = description.as_deref().and_then(normalise::country);
                let tool = text(transfer, "BuitenEuPassendBeschermingsniveauOmschrijving");
                let mechanism = match tool.as_deref().map(normalise::safeguard) {
                    Some(Safeguard::Mechanism(m)) => Some(m),
                    Some(Safeguard::Stale) => {
                        activity.review.push(format!(
                            "`{}` ({}) no longer holds as a transfer tool: kept as text",
                            tool.clone().unwrap_or_default(),
                            here("Doorgifte")
                        ));
                        None
                    }
                    _ => None,
                };
                match country {
                    Some(code) if !self.context.eea.iter().any(|e| e == code) => {
                        activity.transfers.push(Sourced::at(
                            Transfer {
                                country: code.to_string(),
                                mechanism,
                            },
                            &here("Doorgifte.BuitenEuOmschrijving"),
                        ));
                        self.count("Doorgifte", Some("transfers"), Took::Word);
                    }
                    Some(_) => self.count("Doorgifte", Some("transfers"), Took::Word),
                    None => {
                        self.count("Doorgifte", Some("x-avg-doorgifte"), Took::Text);
                        activity.extra.push((
                            "x-avg-doorgifte".to_string(),
                            Sourced::at(description.unwrap_or_default(), &here("Doorgifte")),
                        ));
                        activity.review.push(format!(
                            "a transfer outside the EU ({}) without a country ropa reads: add it under `transfers`",
                            here("Doorgifte")
                        ));
                    }
                }
                if let Some(tool) = tool {
                    if mechanism.is_none() {
                        activity.extra.push((
                            "x-avg-doorgifte-waarborg".to_string(),
                            Sourced::at(
                                tool,
                                &here("Doorgifte.BuitenEuPassendBeschermingsniveauOmschrijving"),
                            ),
                        ));
                    }
                }
            }
        }
        // Attachments: a DPIA by its file name.
        for (i, attachment) in list(record, "Bijlagen").iter().enumerate() {
            let name = text(attachment, "Naam").or_else(|| text(attachment, "Bestandsnaam"));
            if let Some(name) = name.filter(|n| {
                n.to_lowercase().contains("dpia")
                    || n.to_lowercase().contains("gegevensbeschermingseffect")
            }) {
                activity.dpia = Some(Sourced::at(name, &format!("{}[{i}]", here("Bijlagen"))));
                self.count("Bijlagen[]", Some("dpia.ref"), Took::Text);
            }
        }
        activity
    }

    /// A controller's or processor's record: purposes with their bases, subjects with their
    /// data and its retention.
    fn avg(&mut self, imported: &mut Imported, activity: &mut Activity, record: &Value, at: &str) {
        for (i, goal) in list(record, "Doelen").iter().enumerate() {
            let place = format!("{at}.Doelen[{i}]");
            let Some(purpose) = text(goal, "Doel").or_else(|| text(goal, "Omschrijving")) else {
                continue;
            };
            let index = activity.purposes.len();
            activity
                .purposes
                .push(Sourced::at(purpose, &format!("{place}.Doel")));
            self.count("Doelen[].Doel", Some("purposes"), Took::Text);
            if let Some(ground) = text(goal, "Rechtsgrond") {
                // `basis:remark`, as the register writes it (a colon, space or not).
                let spaced = match ground.split_once(':') {
                    Some((head, tail)) if !tail.starts_with(' ') => format!("{head}: {tail}"),
                    _ => ground.clone(),
                };
                match normalise::legal_basis(&spaced) {
                    Some(b) => {
                        self.count("Doelen[].Rechtsgrond", Some("legal_basis"), Took::Word);
                        serves(
                            activity,
                            b.basis,
                            b.reference,
                            index,
                            &format!("{place}.Rechtsgrond"),
                        );
                    }
                    None => {
                        self.count("Doelen[].Rechtsgrond", Some("legal_basis"), Took::Not);
                        activity.extra.push((
                            "x-avg-rechtsgrond".to_string(),
                            Sourced::at(ground.clone(), &format!("{place}.Rechtsgrond")),
                        ));
                        imported.unresolved.push(Unresolved {
                            at: format!("{place}.Rechtsgrond"),
                            text: ground,
                            why: "not one Art. 6(1) basis".to_string(),
                        });
                    }
                }
            }
        }
        every_purpose(activity);
        let mut terms: Vec<(String, String)> = Vec::new();
        for (i, group) in list(record, "Betrokkenen").iter().enumerate() {
            let place = format!("{at}.Betrokkenen[{i}]");
            if let Some(word) = text(group, "Omschrijving") {
                let (taxonomy, synonyms) = (self.context.subjects, &self.context.synonyms.subjects);
                let (id, known) = super::category(
                    &mut self.own,
                    imported,
                    (taxonomy, synonyms),
                    false,
                    &word,
                    &format!("{place}.Omschrijving"),
                    &mut activity.review,
                );
                self.count(
                    "Betrokkenen[].Omschrijving",
                    Some("data_subjects"),
                    if known { Took::Word } else { Took::Text },
                );
                if !activity.data_subjects.iter().any(|s| s.value == id) {
                    activity
                        .data_subjects
                        .push(Sourced::at(id, &format!("{place}.Omschrijving")));
                }
            }
            for (flag_name, category) in SPECIAL_FLAGS {
                if flag(group, flag_name) == Some(true) {
                    self.count(
                        &format!("Betrokkenen[].{flag_name}"),
                        Some("data"),
                        Took::Word,
                    );
                    if !activity.data.iter().any(|d| d.value.category == category) {
                        activity.data.push(Sourced::at(
                            Item {
                                category: category.to_string(),
                                label: None,
                            },
                            &format!("{place}.{flag_name}"),
                        ));
                    }
                }
            }
            for (j, item) in list(group, "Gegevens").iter().enumerate() {
                let item_place = format!("{place}.Gegevens[{j}]");
                let Some(word) = text(item, "Omschrijving") else {
                    continue;
                };
                let (taxonomy, synonyms) = (self.context.data, &self.context.synonyms.data);
                let (category, known) = super::category(
                    &mut self.own,
                    imported,
                    (taxonomy, synonyms),
                    true,
                    &word,
                    &format!("{item_place}.Omschrijving"),
                    &mut activity.review,
                );
                self.count(
                    "Betrokkenen[].Gegevens[].Omschrijving",
                    Some("data"),
                    if known { Took::Word } else { Took::Text },
                );
                let label = (normalise::folded(&word) != normalise::folded(&category))
                    .then(|| word.clone());
                activity.data.push(Sourced::at(
                    Item { category, label },
                    &format!("{item_place}.Omschrijving"),
                ));
                if let Some(term) = text(item, "Bewaartermijn") {
                    self.count(
                        "Betrokkenen[].Gegevens[].Bewaartermijn",
                        Some("retention"),
                        Took::Text,
                    );
                    terms.push((word, term));
                }
            }
        }
        // Retention is the activity's: one term for all items is its retention; different
        // terms are kept item by item in the criterion, for a person to settle.
        if let Some((_, first)) = terms.first() {
            let same = terms.iter().all(|(_, t)| t == first);
            let place = format!("{at}.Betrokkenen[].Gegevens[].Bewaartermijn");
            if same {
                let (period, criterion) = normalise::retention(first);
                activity.retention = Some(Sourced::at((period, criterion), &place));
            } else {
                let text = terms
                    .iter()
                    .map(|(item, term)| format!("{item}: {term}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                activity.retention = Some(Sourced::at((None, Some(text)), &place));
                activity.review.push(
                    "the data items have different retention terms (kept in the criterion): give the activity its period, or split it"
                        .to_string(),
                );
            }
        }
    }

    /// A record under the Police Data Act: its purposes with the articles they name, its
    /// groups of subjects.
    fn wpg(&mut self, imported: &mut Imported, activity: &mut Activity, record: &Value, at: &str) {
        activity.review.push(
            "processed under the Wpg (the Police Data Act), not the GDPR: ropa's rules judge it as a GDPR record"
                .to_string(),
        );
        activity
            .extra
            .push(("x-wpg".to_string(), Sourced::at("ja".to_string(), at)));
        for (i, goal) in list(record, "Doelen").iter().enumerate() {
            let place = format!("{at}.Doelen[{i}]");
            let Some(purpose) = text(goal, "Omschrijving").or_else(|| text(goal, "Doel")) else {
                continue;
            };
            let index = activity.purposes.len();
            activity
                .purposes
                .push(Sourced::at(purpose, &format!("{place}.Omschrijving")));
            self.count("Doelen[].Omschrijving", Some("purposes"), Took::Text);
            for (flag_name, statute) in WPG_ARTICLES {
                if flag(goal, flag_name) == Some(true) {
                    self.count(
                        &format!("Doelen[].{flag_name}"),
                        Some("legal_basis"),
                        Took::Word,
                    );
                    serves(
                        activity,
                        "legal_obligation",
                        Some(statute.to_string()),
                        index,
                        &format!("{place}.{flag_name}"),
                    );
                }
            }
        }
        every_purpose(activity);
        if let Some(subjects) = record.get("Betrokkenen") {
            for (flag_name, word) in [
                ("Verdachten", "verdachte"),
                ("Slachtoffers", "slachtoffer"),
                ("Veroordeelden", "veroordeelde"),
                ("Derden", "derde"),
            ] {
                if flag(subjects, flag_name) == Some(true) {
                    self.count(
                        &format!("Betrokkenen.{flag_name}"),
                        Some("data_subjects"),
                        Took::Word,
                    );
                    let place = format!("{at}.Betrokkenen.{flag_name}");
                    let (id, _) = super::category(
                        &mut self.own,
                        imported,
                        (self.context.subjects, &self.context.synonyms.subjects),
                        false,
                        word,
                        &place,
                        &mut activity.review,
                    );
                    activity.data_subjects.push(Sourced::at(id, &place));
                }
            }
        }
        // Police data are criminal data in ropa's taxonomy.
        activity.data.push(Sourced::at(
            Item {
                category: "criminal_data".to_string(),
                label: Some("politiegegevens (Wpg)".to_string()),
            },
            at,
        ));
    }
}

/// Records that the purpose at `index` rests on `basis` (with its statute): the purpose is
/// added to that basis's entry, or the entry made.
fn serves(
    activity: &mut Activity,
    basis: &'static str,
    reference: Option<String>,
    index: usize,
    at: &str,
) {
    match activity
        .legal_basis
        .iter_mut()
        .find(|b| b.value.basis == basis && b.value.reference == reference)
    {
        Some(existing) => existing.value.purposes.push(index),
        None => activity.legal_basis.push(Sourced::at(
            Basis {
                basis,
                reference,
                purposes: vec![index],
            },
            at,
        )),
    }
}

/// A basis that serves every purpose needs no list of them.
fn every_purpose(activity: &mut Activity) {
    let all = activity.purposes.len();
    for basis in &mut activity.legal_basis {
        basis.value.purposes.sort_unstable();
        basis.value.purposes.dedup();
        if basis.value.purposes.len() == all {
            basis.value.purposes.clear();
        }
    }
}
