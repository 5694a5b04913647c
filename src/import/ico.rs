//! Owns reading the ICO's documentation templates as people fill them in, and ropa's own
//! `export --format ico-xlsx|ico-csv`: the header row found by its labels (not its place),
//! the contact block above it, merged cells already filled by [`super::table`], several
//! values a cell (lines, `;`, bullets), and each column to its register field.

use std::collections::BTreeMap;

use super::normalise::{self, Safeguard, YesNo};
use super::table::{column_letters, Table};
use super::{Activity, Basis, Column, Context, Imported, Item, Sourced, Transfer, Unresolved};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    Purposes,
    JointController,
    Subjects,
    Data,
    Recipients,
    ProcessorContracts,
    Countries,
    Safeguards,
    Retention,
    Security,
    LegalBasis,
    Art9,
    LegitimateInterests,
    Lia,
    Automated,
    ConsentRecord,
    Location,
    DpiaRequired,
    DpiaLink,
    RetentionPolicy,
    Controllers,
    Processing,
    Subprocessors,
    ActivityId,
    OpenFindings,
    /// A column no field takes, kept as `x-ico-...` text.
    Extra(&'static str),
    /// A column a mapping file sends to an `x-` key of its own (by its index in the
    /// mapping's keys).
    Own(usize),
    /// A column a mapping file leaves out (`""`): not read, not kept.
    Skip,
}

impl Field {
    /// The register field, for the report.
    fn target(self) -> Option<&'static str> {
        Some(match self {
            Field::Name => "name",
            Field::Purposes => "purposes",
            Field::JointController => "x-ico-joint-controller",
            Field::Subjects => "data_subjects",
            Field::Data => "data",
            Field::Recipients => "recipients",
            Field::ProcessorContracts => "x-ico-processor-contracts",
            Field::Countries | Field::Safeguards => "transfers",
            Field::Retention => "retention",
            Field::Security => "security_measures",
            Field::LegalBasis => "legal_basis",
            Field::Art9 => "special_category_condition",
            Field::LegitimateInterests => "x-ico-legitimate-interests",
            Field::Lia => "legitimate_interest_assessment",
            Field::Automated => "automated_decision, profiling",
            Field::ConsentRecord => "consent.proof",
            Field::Location => "systems",
            Field::DpiaRequired => "dpia",
            Field::DpiaLink => "dpia.ref",
            Field::RetentionPolicy => "retention.ref",
            Field::Controllers => "controllers",
            Field::Processing => "name, data, data_subjects, purposes",
            Field::Subprocessors => "x-ico-subprocessors",
            Field::ActivityId => "id",
            Field::OpenFindings | Field::Skip => return None,
            Field::Extra(key) => key,
            Field::Own(_) => "x- (the mapping's key)",
        })
    }
}

/// The templates' headings (folded, the ICO's "(if applicable)" and the like left out) and
/// what each holds. Several spellings of one heading may be listed.
const HEADINGS: [(&str, Field); 36] = [
    ("business function", Field::Name),
    ("purpose of processing", Field::Purposes),
    ("purposes of processing", Field::Purposes),
    ("name and contact details of joint controller", Field::JointController),
    ("categories of individuals", Field::Subjects),
    ("categories of personal data", Field::Data),
    ("categories of recipients", Field::Recipients),
    ("link to contract with processor", Field::ProcessorContracts),
    ("names of third countries or international organisations that personal data are transferred to", Field::Countries),
    ("safeguards for exceptional transfers of personal data to third countries or international organisations", Field::Safeguards),
    ("retention schedule", Field::Retention),
    ("general description of technical and organisational security measures", Field::Security),
    ("article 6 lawful basis for processing personal data", Field::LegalBasis),
    ("gdpr article 6 lawful basis for processing", Field::LegalBasis),
    ("article 9 condition for processing special category data", Field::Art9),
    ("legitimate interests for the processing", Field::LegitimateInterests),
    ("link to record of legitimate interests assessment", Field::Lia),
    ("rights available to individuals", Field::Extra("x-ico-rights")),
    ("existence of automated decision-making, including profiling", Field::Automated),
    ("the source of the personal data", Field::Extra("x-ico-source")),
    ("link to record of consent", Field::ConsentRecord),
    ("location of personal data", Field::Location),
    ("data protection impact assessment required", Field::DpiaRequired),
    ("data protection impact assessment progress", Field::Extra("x-ico-dpia-progress")),
    ("link to data protection impact assessment", Field::DpiaLink),
    ("has a personal data breach occurred", Field::Extra("x-ico-breach")),
    ("link to record of personal data breach", Field::Extra("x-ico-breach-record")),
    ("data protection act 2018 schedule 1 condition for processing", Field::Extra("x-ico-schedule-1")),
    ("link to retention and erasure policy document", Field::RetentionPolicy),
    ("is personal data retained and erased in accordance with the policy document", Field::Extra("x-ico-retention-adhered")),
    ("reasons for not adhering to policy document", Field::Extra("x-ico-retention-deviation")),
    ("name and contact details of controller", Field::Controllers),
    ("categories of processing carried out on behalf of the controller", Field::Processing),
    ("sub-processors engaged", Field::Subprocessors),
    ("activity id", Field::ActivityId),
    ("open findings", Field::OpenFindings),
];

/// A heading folded for matching: lower case, single spaces, "(if applicable)", "(if
/// possible)" and a trailing `?` or `*` left out.
pub(super) fn heading_key(text: &str) -> String {
    let f = normalise::folded(text);
    let f = f
        .replace("(if applicable)", "")
        .replace("(if possible)", "")
        .replace("(required)", "");
    f.trim()
        .trim_end_matches(['?', '*', ':'])
        .trim()
        .to_string()
}

pub(super) fn field_of(heading: &str) -> Option<Field> {
    let key = heading_key(heading);
    if key.is_empty() {
        return None;
    }
    HEADINGS
        .iter()
        .find(|(h, _)| *h == key)
        .or_else(|| {
            // A heading shortened or lengthened by a person: the longer one starts with the
            // other, and the shared part is long enough to tell them apart.
            HEADINGS.iter().find(|(h, _)| {
                let (short, long) = if h.len() < key.len() {
                    (*h, key.as_str())
                } else {
                    (key.as_str(), *h)
                };
                short.len() >= 20 && long.starts_with(short)
            })
        })
        .map(|(_, f)| *f)
}

/// The header row of a table: the first of its first 40 rows where at least three cells are
/// the templates' headings.
fn header_row(table: &Table) -> Option<usize> {
    (0..table.rows.len().min(40)).find(|&r| {
        table
            .rows
            .get(r)
            .is_some_and(|row| row.iter().filter(|c| field_of(c).is_some()).count() >= 3)
    })
}

/// Whether any table is laid out as an ICO template.
pub fn recognises(tables: &[Table]) -> bool {
    tables.iter().any(|t| header_row(t).is_some())
}

/// Reads every table laid out as an ICO template (the controller's and the processor's).
pub fn read(tables: &[Table], context: &Context<'_>, format: &'static str) -> Imported {
    let mut imported = Imported {
        format,
        ..Imported::default()
    };
    let mut reader = Reading {
        context,
        imported: &mut imported,
        mapping: None,
        own: BTreeMap::new(),
    };
    for table in tables {
        if let Some(header) = header_row(table) {
            reader.table(table, header);
        }
    }
    unique_ids(&mut imported);
    imported
}

/// Reads the tables with a mapping file's columns (see [`super::mapping`]).
pub fn read_mapped(
    tables: &[Table],
    context: &Context<'_>,
    mapping: &super::mapping::Mapping,
) -> Imported {
    let mut imported = Imported {
        format: "mapped",
        ..Imported::default()
    };
    let mut reader = Reading {
        context,
        imported: &mut imported,
        mapping: Some(mapping),
        own: BTreeMap::new(),
    };
    for table in tables {
        if mapping.sheet.as_ref().is_some_and(|s| *s != table.sheet) {
            continue;
        }
        if let Some(header) = mapping.header_row(table) {
            reader.table(table, header);
        }
    }
    unique_ids(&mut imported);
    imported
}

/// Ids unique: a second activity of the same id gets its number.
pub(super) fn unique_ids(imported: &mut Imported) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for activity in &mut imported.activities {
        let count = seen.entry(activity.id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            activity.review.push(format!(
                "its id `{}` was taken by an earlier activity: renamed `{}-{count}`",
                activity.id, activity.id
            ));
            activity.id = format!("{}-{count}", activity.id);
        }
    }
}

struct Reading<'c, 'i> {
    context: &'c Context<'c>,
    imported: &'i mut Imported,
    /// A mapping file's columns, when one is given (else the ICO templates' headings).
    mapping: Option<&'c super::mapping::Mapping>,
    /// Own categories by (data?, folded word).
    own: BTreeMap<(bool, String), String>,
}

impl Reading<'_, '_> {
    /// What a column holds: the mapping file's field for its heading, else the templates'.
    fn field(&self, heading: &str) -> Option<Field> {
        match self.mapping {
            Some(mapping) => mapping.field(heading),
            None => field_of(heading),
        }
    }

    fn table(&mut self, table: &Table, header: usize) {
        // The contact block above the header: label in one cell, value in the next.
        for row in 0..header {
            let label = normalise::folded(table.cell(row, 0));
            let value = table.cell(row, 1);
            if value.is_empty() || normalise::is_placeholder(value) {
                continue;
            }
            let at = table.place(row, 1);
            let organisation = &mut self.imported.organisation;
            if label.contains("data protection officer") || label.contains("functionaris") {
                organisation
                    .dpo
                    .get_or_insert(Sourced::at(value.to_string(), &at));
            } else if organisation.name.is_none()
                && (label.starts_with("name and contact details of the controller")
                    || label.starts_with("name and contact details of the processor")
                    || label.starts_with("name and contact details of the organisation"))
            {
                let (name, contact) = match value.split_once(',') {
                    Some((name, contact)) => (name.trim(), Some(contact.trim())),
                    None => (value, None),
                };
                organisation.name = Some(Sourced::at(name.to_string(), &at));
                organisation.contact = contact
                    .filter(|c| !c.is_empty())
                    .map(|c| Sourced::at(c.to_string(), &at));
            }
        }
        let headings: Vec<(usize, Field, String)> = table
            .rows
            .get(header)
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, h)| !h.is_empty())
                    .map(|(c, h)| (c, self.field(h).unwrap_or(Field::Extra("")), h.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let start = self.imported.columns.len();
        for (column, field, heading) in &headings {
            let known = self.field(heading).is_some();
            self.imported.columns.push(Column {
                name: format!("{}: {heading} ({})", table.sheet, column_letters(*column)),
                field: if known { field.target() } else { None },
                ..Column::default()
            });
        }
        let processor_sheet = headings.iter().any(|(_, f, _)| *f == Field::Processing);
        for row in header + 1..table.rows.len() {
            let filled = headings
                .iter()
                .any(|(c, f, _)| *f != Field::OpenFindings && !table.cell(row, *c).is_empty());
            if !filled {
                continue;
            }
            let mut activity = Activity {
                at: table.place(row, 0),
                ..Activity::default()
            };
            if processor_sheet {
                activity.role = Some(Sourced::at("processor", &table.place(row, 0)));
            }
            for (i, (column, field, heading)) in headings.iter().enumerate() {
                let cell = table.cell(row, *column);
                if cell.is_empty() || normalise::is_placeholder(cell) {
                    continue;
                }
                let at = table.place(row, *column);
                let known = self.field(heading).is_some();
                let outcome = if known {
                    self.cell(&mut activity, *field, cell, &at)
                } else {
                    activity.extra.push((
                        format!("x-{}", normalise::kebab_id(heading)),
                        Sourced::at(cell.to_string(), &at),
                    ));
                    Outcome::unmapped()
                };
                if let Some(column) = self.imported.columns.get_mut(start + i) {
                    column.read += 1;
                    column.normalised += outcome.normalised;
                    column.text += outcome.text;
                    column.unmapped += outcome.unmapped;
                }
            }
            if activity.id.is_empty() {
                let base = activity
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .or_else(|| activity.purposes.first().map(|p| p.value.clone()))
                    .unwrap_or_else(|| format!("activiteit-{}", row + 1));
                activity.id = normalise::kebab_id(&base);
            }
            self.imported.activities.push(activity);
        }
    }

    /// Reads one cell into the activity.
    fn cell(&mut self, activity: &mut Activity, field: Field, cell: &str, at: &str) -> Outcome {
        let mut outcome = Outcome::default();
        let text = |value: &str| Sourced::at(value.to_string(), at);
        match field {
            Field::Name => {
                activity.name = Some(text(cell));
                outcome.text += 1;
            }
            Field::ActivityId => {
                if crate::register::vocab::is_kebab_case(cell) {
                    activity.id = cell.to_string();
                    outcome.normalised += 1;
                } else {
                    activity.source_id = Some(text(cell));
                    activity.id = normalise::kebab_id(cell);
                    outcome.text += 1;
                }
            }
            Field::Purposes => {
                for value in normalise::values(cell) {
                    activity.purposes.push(text(&value));
                    outcome.text += 1;
                }
            }
            Field::Subjects => {
                for value in normalise::values(cell) {
                    let id = self.category(false, &value, at, activity, &mut outcome);
                    activity.data_subjects.push(text(&id));
                }
            }
            Field::Data => {
                for value in normalise::values(cell) {
                    // ropa's own export writes "Taxonomy label (the register's words)".
                    let (word, label) = match value.split_once(" (") {
                        Some((word, rest)) if rest.ends_with(')') => {
                            (word.to_string(), rest.strip_suffix(')').map(str::to_string))
                        }
                        _ => (value.clone(), None),
                    };
                    let known =
                        normalise::category(&word, self.context.data, &self.context.synonyms.data)
                            .or_else(|| {
                                normalise::category(
                                    &value,
                                    self.context.data,
                                    &self.context.synonyms.data,
                                )
                            });
                    let (category, label) = match known {
                        Some(id) => {
                            outcome.normalised += 1;
                            let label = label.or_else(|| {
                                (normalise::folded(&value) != normalise::folded(&id))
                                    .then(|| value.clone())
                            });
                            (id, label)
                        }
                        // A word in no list: the register's own category, named after the
                        // word (the words in brackets stay its label).
                        None => (
                            self.category(true, &word, at, activity, &mut outcome),
                            label,
                        ),
                    };
                    activity
                        .data
                        .push(Sourced::at(Item { category, label }, at));
                }
            }
            Field::Recipients => {
                for value in normalise::values(cell) {
                    activity.recipients.push(text(&value));
                    outcome.text += 1;
                }
            }
            Field::Countries => {
                for value in normalise::values(cell) {
                    for part in value.split(',') {
                        match normalise::country(part) {
                            Some(code) if self.context.eea.iter().any(|e| e == code) => {
                                outcome.normalised += 1;
                            }
                            Some(code) => {
                                outcome.normalised += 1;
                                if !activity.transfers.iter().any(|t| t.value.country == code) {
                                    activity.transfers.push(Sourced::at(
                                        Transfer {
                                            country: code.to_string(),
                                            mechanism: None,
                                        },
                                        at,
                                    ));
                                }
                            }
                            None => {
                                outcome.unmapped += 1;
                                self.unresolved(at, part, "not a country ropa knows by that name");
                            }
                        }
                    }
                }
            }
            Field::Safeguards => {
                let mut mechanisms = Vec::new();
                for value in normalise::values(cell) {
                    match normalise::safeguard(&value) {
                        Safeguard::Mechanism(m) => {
                            outcome.normalised += 1;
                            mechanisms.push(m);
                        }
                        Safeguard::Stale => {
                            outcome.text += 1;
                            activity.review.push(format!(
                                "`{value}` ({at}) no longer holds as a transfer tool (the Privacy Shield was annulled in 2020): kept as text"
                            ));
                            activity
                                .extra
                                .push(("x-ico-safeguards".to_string(), text(&value)));
                        }
                        Safeguard::Unknown => {
                            outcome.text += 1;
                            activity
                                .extra
                                .push(("x-ico-safeguards".to_string(), text(&value)));
                            self.unresolved(at, &value, "not a transfer tool ropa knows");
                        }
                    }
                }
                // One tool for every transfer of the row; several are left to a person.
                if let [mechanism] = mechanisms.as_slice() {
                    for transfer in &mut activity.transfers {
                        transfer.value.mechanism = Some(mechanism);
                    }
                    if activity.transfers.is_empty() {
                        activity
                            .extra
                            .push(("x-ico-safeguards".to_string(), text(cell)));
                    }
                } else if mechanisms.len() > 1 {
                    activity.review.push(format!(
                        "several transfer tools in {at}: give each transfer its own"
                    ));
                    activity
                        .extra
                        .push(("x-ico-safeguards".to_string(), text(cell)));
                }
            }
            Field::Retention => {
                // ropa's export writes "period; criterion; ref".
                let (first, rest) = match cell.split_once("; ") {
                    Some((first, rest)) if first.starts_with('P') => (first, Some(rest)),
                    _ => (cell, None),
                };
                let (period, criterion) = normalise::retention(first);
                let criterion = match (criterion, rest) {
                    (None, Some(rest)) => Some(rest.to_string()),
                    (c, _) => c,
                };
                if period.is_some() {
                    outcome.normalised += 1;
                } else {
                    outcome.text += 1;
                }
                activity.retention = Some(Sourced::at((period, criterion), at));
            }
            Field::Security => {
                activity.security_measures = Some(text(cell));
                outcome.text += 1;
            }
            Field::LegalBasis => {
                for value in normalise::values(cell) {
                    match normalise::legal_basis(&value) {
                        Some(b) => {
                            outcome.normalised += 1;
                            if !activity
                                .legal_basis
                                .iter()
                                .any(|x| x.value.basis == b.basis)
                            {
                                activity.legal_basis.push(Sourced::at(
                                    Basis {
                                        basis: b.basis,
                                        reference: b.reference,
                                        purposes: Vec::new(),
                                    },
                                    at,
                                ));
                            }
                        }
                        None => {
                            outcome.unmapped += 1;
                            activity
                                .extra
                                .push(("x-ico-legal-basis".to_string(), text(&value)));
                            self.unresolved(at, &value, "not one Art. 6(1) basis");
                        }
                    }
                }
            }
            Field::Art9 => match normalise::art9(cell) {
                Some(point) => {
                    outcome.normalised += 1;
                    activity.art9 = Some(Sourced::at(point, at));
                }
                None => {
                    outcome.unmapped += 1;
                    activity
                        .extra
                        .push(("x-ico-article-9".to_string(), text(cell)));
                    self.unresolved(at, cell, "not an Art. 9(2) point");
                }
            },
            Field::Lia => {
                activity.lia = Some(text(cell));
                outcome.text += 1;
            }
            Field::Automated => {
                for value in normalise::values(cell) {
                    let f = normalise::folded(&value);
                    if f.starts_with("no automated") || f == "no" || f == "nee" || f == "none" {
                        activity.no_automated_decisions = Some(Sourced::at((), at));
                        outcome.normalised += 1;
                    } else if let Some(rest) = f.strip_prefix("profiling:") {
                        match normalise::yes_no(rest) {
                            YesNo::Yes => activity.profiling = Some(Sourced::at("yes", at)),
                            YesNo::No => activity.profiling = Some(Sourced::at("no", at)),
                            YesNo::Unknown => {}
                        }
                        outcome.normalised += 1;
                    } else {
                        outcome.text += 1;
                        activity
                            .extra
                            .push(("x-ico-automated-decisions".to_string(), text(&value)));
                        activity.review.push(format!(
                            "automated decisions or profiling ({at}): say which with `automated_decision` and `profiling`"
                        ));
                    }
                }
            }
            Field::ConsentRecord => {
                activity.consent_proof = Some(text(cell));
                outcome.text += 1;
            }
            Field::Location => {
                for value in normalise::values(cell) {
                    activity.systems.push(text(&value));
                    outcome.text += 1;
                }
            }
            Field::DpiaLink => {
                activity.dpia = Some(text(cell));
                outcome.text += 1;
            }
            Field::DpiaRequired => {
                outcome.text += 1;
                activity
                    .extra
                    .push(("x-ico-dpia-required".to_string(), text(cell)));
            }
            Field::RetentionPolicy => {
                outcome.text += 1;
                activity
                    .extra
                    .push(("x-ico-retention-policy".to_string(), text(cell)));
            }
            Field::Controllers => {
                for value in normalise::values(cell) {
                    activity.controllers.push(text(&value));
                    outcome.text += 1;
                }
            }
            Field::Processing => {
                // ropa's processor sheet: the name, then "Personal data:", "Data subjects:"
                // and "Purposes:", each followed by its values, one a line.
                let mut under: Option<Field> = None;
                for (n, line) in cell.lines().enumerate() {
                    let line = line.trim();
                    let value = line.trim_start_matches("- ").trim();
                    match line {
                        "Personal data:" => under = Some(Field::Data),
                        "Data subjects:" => under = Some(Field::Subjects),
                        "Purposes:" => under = Some(Field::Purposes),
                        _ if value.is_empty() => {}
                        _ => match under {
                            Some(field) => {
                                let _ = self.cell(activity, field, value, at);
                            }
                            None if n == 0 => activity.name = Some(text(value)),
                            None => activity.purposes.push(text(value)),
                        },
                    }
                }
                outcome.text += 1;
            }
            Field::JointController
            | Field::LegitimateInterests
            | Field::ProcessorContracts
            | Field::Subprocessors => {
                let key = field.target().unwrap_or("x-ico");
                activity.extra.push((key.to_string(), text(cell)));
                outcome.text += 1;
            }
            Field::Extra(key) => {
                activity.extra.push((key.to_string(), text(cell)));
                outcome.text += 1;
            }
            Field::Own(index) => {
                let key = self
                    .mapping
                    .and_then(|m| m.own_keys.get(index))
                    .cloned()
                    .unwrap_or_else(|| "x-column".to_string());
                activity.extra.push((key, text(cell)));
                outcome.text += 1;
            }
            Field::OpenFindings | Field::Skip => {
                outcome.unmapped += 1;
            }
        }
        outcome
    }

    /// The category a word means, or one of the register's own (see [`super::category`]).
    fn category(
        &mut self,
        data: bool,
        word: &str,
        at: &str,
        activity: &mut Activity,
        outcome: &mut Outcome,
    ) -> String {
        let (taxonomy, synonyms) = if data {
            (self.context.data, &self.context.synonyms.data)
        } else {
            (self.context.subjects, &self.context.synonyms.subjects)
        };
        let (id, known) = super::category(
            &mut self.own,
            self.imported,
            (taxonomy, synonyms),
            data,
            word,
            at,
            &mut activity.review,
        );
        if known {
            outcome.normalised += 1;
        } else {
            outcome.text += 1;
        }
        id
    }

    fn unresolved(&mut self, at: &str, text: &str, why: &str) {
        self.imported.unresolved.push(Unresolved {
            at: at.to_string(),
            text: text.to_string(),
            why: why.to_string(),
        });
    }
}

/// What reading one cell did, for the column's counts.
#[derive(Debug, Default, Clone, Copy)]
struct Outcome {
    normalised: usize,
    text: usize,
    unmapped: usize,
}

impl Outcome {
    fn unmapped() -> Self {
        Outcome {
            unmapped: 1,
            ..Outcome::default()
        }
    }
}
