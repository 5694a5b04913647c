//! Owns the register as a document people read: the organisation and each activity's record
//! in Dutch or English words. The annex, the exports and the HTML report show the register
//! through these records.

pub mod annex;
pub mod dpv;
pub mod ico;
pub mod words;

use serde::Serialize;

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::register::{Activity, Dpo, Register, Transfer};
use crate::source::SourceMap;
use crate::yaml::Located;

pub use words::{Lang, Words};

/// The register as a document.
#[derive(Debug, Serialize)]
pub struct Document {
    /// The language's code.
    pub lang: &'static str,
    /// The labels.
    pub words: &'static Words,
    /// The organisation.
    pub organisation: OrganisationRecord,
    /// The operations every activity shares, said once above the activities (empty when
    /// the activities differ; each record then has its own).
    pub operations: Vec<String>,
    /// Every activity, in register order.
    pub activities: Vec<Record>,
    /// Whether the register is a controller's (fewer than half its activities are done as a
    /// processor): the annex is then the record a board or supervisor reads, not a
    /// processor's list of services.
    pub controller: bool,
    /// The register's version: the last commit that changed it, when it is in git (set by
    /// the command that writes the document: reading git is I/O).
    pub version: Option<RegisterVersion>,
}

/// Which version of the register a document shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegisterVersion {
    /// The last commit that changed it, abbreviated.
    pub commit: String,
    /// That commit's date, `YYYY-MM-DD`.
    pub date: String,
    /// Whether the files differ from that commit.
    pub modified: bool,
}

/// The organisation's part of the record (Art. 30(1)(a), 30(2)(a)).
#[derive(Debug, Serialize)]
pub struct OrganisationRecord {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How to reach it.
    pub contact: Option<String>,
    /// Its data protection officer: name and contact, or that none is designated.
    pub dpo: Option<String>,
}

/// One activity's record.
#[derive(Debug, Serialize)]
pub struct Record {
    /// Its id.
    pub id: String,
    /// Its name (the id when it has none).
    pub name: String,
    /// Its role's id.
    pub role_id: String,
    /// Its role in words.
    pub role: String,
    /// The systems used.
    pub systems: Vec<String>,
    /// Its operations in words, when they differ from the document's.
    pub operations: Vec<String>,
    /// The categories of data subjects, as the taxonomy names them.
    pub subjects: Vec<String>,
    /// The personal data: the register's words in Dutch, the taxonomy's in English.
    pub data: Vec<String>,
    /// The purposes, in the register's words.
    pub purposes: Vec<String>,
    /// The legal bases: as the register wrote them when in Dutch, else by name.
    pub legal_basis: Vec<String>,
    /// The sub-processors engaged, by name.
    pub subprocessors: Vec<String>,
    /// Whether the register states the sub-processors (an empty list says "none").
    pub subprocessors_stated: bool,
    /// The controllers on whose behalf it is done, with their contact.
    pub controllers: Vec<String>,
    /// Categories of recipients.
    pub recipients: Vec<String>,
    /// Transfers outside the EEA: recipient, country and tool.
    pub transfers: Vec<String>,
    /// The retention period and criterion.
    pub retention: Option<String>,
    /// The Art. 32 measures.
    pub security_measures: Option<String>,
    /// The DPIA, or why none is needed.
    pub dpia: Option<String>,
    /// Its processors and sub-processors by name, each with its country.
    pub processors: Vec<String>,
    /// The retention in words: the period ("5 jaar", "4 weeks") and the criterion.
    pub retention_words: Option<String>,
    /// What makes it lawful beyond its basis, each with its name: the Art. 9 condition, the
    /// Art. 10 basis, the BSN statute, the balancing test, consent's proof, the works
    /// council's consent, profiling and automated decisions, the joint arrangement, the
    /// transfer impact assessments, the AI system.
    pub lawfulness: Vec<Lawful>,
}

/// One element of an activity's lawfulness, named in the document's language.
#[derive(Debug, Serialize)]
pub struct Lawful {
    /// What it is ("Art. 9 condition").
    pub name: &'static str,
    /// What the register says.
    pub text: String,
}

impl Document {
    /// The register in `lang`; `sources` gives the words the register wrote (a legal basis
    /// as the annex spells it).
    pub fn of(register: &Register, lang: Lang, sources: &SourceMap) -> Self {
        let organisation = &register.organisation;
        let dpo = organisation.dpo.as_ref().and_then(|dpo| match dpo {
            Dpo::NoneDesignated(_) => Some(match lang {
                Lang::Nl => "geen functionaris aangewezen".to_string(),
                Lang::En => "none designated".to_string(),
            }),
            Dpo::Designated { name, contact } => {
                joined(&[text(name.as_ref()), text(contact.as_ref())], ", ")
            }
        });
        let shared = shared_operations(&register.activities);
        Document {
            lang: lang.code(),
            words: lang.words(),
            organisation: OrganisationRecord {
                id: organisation.id.value.clone(),
                name: organisation.name.value.clone(),
                contact: text(organisation.contact.as_ref()),
                dpo,
            },
            operations: shared
                .map(|ops| operation_words(ops, lang))
                .unwrap_or_default(),
            activities: register
                .activities
                .iter()
                .map(|a| Record::of(a, register, lang, sources, shared.is_none()))
                .collect(),
            controller: register
                .activities
                .iter()
                .filter(|a| a.effective_role() == "processor")
                .count()
                * 2
                < register.activities.len(),
            version: None,
        }
    }
}

impl Record {
    fn of(
        activity: &Activity,
        register: &Register,
        lang: Lang,
        sources: &SourceMap,
        own_operations: bool,
    ) -> Self {
        let english = lang == Lang::En;
        let mut data: Vec<String> = Vec::new();
        for item in &activity.data {
            // Dutch: the register's words; English: the taxonomy's, with the register's words
            // beside them (a label says what exactly: "Zorgnotities, ..., diagnoses").
            let word = match (&item.label, english) {
                (Some(label), false) => label.value.clone(),
                (Some(label), true) => format!(
                    "{} ({})",
                    capitalised(&register.data_categories.label(&item.category.value, true)),
                    label.value
                ),
                (None, _) => register
                    .data_categories
                    .label(&item.category.value, english),
            };
            let word = if english { capitalised(&word) } else { word };
            if !data.contains(&word) {
                data.push(word);
            }
        }
        let mut subjects: Vec<String> = Vec::new();
        for subject in &activity.data_subjects {
            let word = capitalised(&register.subject_categories.label(&subject.value, english));
            if !subjects.contains(&word) {
                subjects.push(word);
            }
        }
        let records = |name: &str, fields: &[&str]| {
            activity.records.get(name).and_then(|record| {
                joined(
                    &fields
                        .iter()
                        .map(|f| text(record.get(f)))
                        .collect::<Vec<_>>(),
                    "; ",
                )
            })
        };
        Record {
            id: activity.id.value.clone(),
            name: activity
                .name
                .as_ref()
                .map_or_else(|| activity.id.value.clone(), |n| n.value.clone()),
            role_id: activity.effective_role().to_string(),
            role: words::role(activity.effective_role(), lang),
            systems: values(&activity.systems),
            operations: if own_operations {
                operation_words(&activity.operations, lang)
            } else {
                Vec::new()
            },
            subjects,
            data,
            purposes: activity
                .purposes
                .iter()
                .map(|p| p.text.as_ref().unwrap_or(&p.id).value.clone())
                .collect(),
            // Each basis with the statute it names (Art. 6(3)), when it names one.
            legal_basis: activity
                .legal_basis
                .iter()
                .enumerate()
                .map(|(i, basis)| {
                    let word = basis_word(basis, lang, sources);
                    match activity
                        .legal_basis_terms
                        .get(i)
                        .and_then(|t| t.reference.as_ref())
                    {
                        Some(reference) => format!("{word} ({})", reference.value),
                        None => word,
                    }
                })
                .collect(),
            subprocessors: activity
                .subprocessors
                .iter()
                .map(|id| {
                    register
                        .subprocessor(&id.value)
                        .and_then(|s| s.name.as_ref())
                        .map_or_else(|| id.value.clone(), |n| n.value.clone())
                })
                .collect(),
            subprocessors_stated: activity.fields.get("subprocessors").is_some(),
            controllers: activity
                .controllers
                .iter()
                .filter_map(|c| {
                    joined(
                        &[Some(c.name.value.clone()), text(c.contact.as_ref())],
                        ", ",
                    )
                })
                .collect(),
            recipients: match &activity.recipients {
                crate::register::Recipients::Listed(list) => list
                    .iter()
                    .map(|r| {
                        joined(
                            &[
                                Some(r.category.value.clone()),
                                text(r.name.as_ref()),
                                text(r.country.as_ref()),
                            ],
                            ", ",
                        )
                        .unwrap_or_default()
                    })
                    .collect(),
                crate::register::Recipients::NoneDeclared(_) => {
                    vec![lang.words().none.to_string()]
                }
                crate::register::Recipients::Unstated => Vec::new(),
            },
            // The transfers the activity lists, and those its processors make (an entry
            // with a transfer tool is one outside the EEA).
            transfers: activity
                .transfers
                .iter()
                .map(|t| transfer_words(t, lang))
                .chain(activity.subprocessors.iter().filter_map(|id| {
                    let entry = register.subprocessor(&id.value)?;
                    let mechanism = entry.transfer_mechanism.as_ref()?;
                    let name = entry.name.as_ref().unwrap_or(&entry.id).value.clone();
                    let tool = words::transfer_mechanism(&mechanism.value, lang).to_string();
                    let place = joined(&[text(entry.country.as_ref()), Some(tool)], "; ");
                    Some(match place {
                        Some(place) => format!("{name} ({place})"),
                        None => name,
                    })
                }))
                .collect(),
            retention: records("retention", &["period", "criterion", "ref"]),
            processors: activity
                .subprocessors
                .iter()
                .map(|id| match register.subprocessor(&id.value) {
                    Some(entry) => {
                        let name = entry.name.as_ref().unwrap_or(&entry.id).value.clone();
                        match &entry.country {
                            Some(country) => format!("{name} ({})", country.value),
                            None => name,
                        }
                    }
                    None => id.value.clone(),
                })
                .collect(),
            retention_words: activity.records.get("retention").and_then(|r| {
                joined(
                    &[
                        r.get("period").and_then(|p| words::period(&p.value, lang)),
                        text(r.get("criterion")),
                    ],
                    "; ",
                )
            }),
            security_measures: text(activity.security_measures.as_ref()),
            dpia: records("dpia", &["ref", "screening", "not_required_reason"]),
            lawfulness: lawfulness(activity, register, lang),
        }
    }
}

/// The fields of a record that are present, as `field: value` joined by `; `.
fn record_text(record: Option<&crate::register::TextRecord>) -> Option<String> {
    let record = record?;
    joined(
        &record
            .fields
            .iter()
            .map(|(name, value)| Some(format!("{name}: {}", value.value)))
            .collect::<Vec<_>>(),
        "; ",
    )
}

/// What makes an activity lawful beyond its basis, as the register records it.
fn lawfulness(activity: &Activity, register: &Register, lang: Lang) -> Vec<Lawful> {
    let mut out = Vec::new();
    let mut add = |name: &'static str, text: Option<String>| {
        if let Some(text) = text {
            out.push(Lawful { name, text });
        }
    };
    let record = |name: &str| record_text(activity.records.get(name));
    add(
        lang.pick("Art. 9(2) condition", "Voorwaarde art. 9 lid 2"),
        record("special_category_condition"),
    );
    for item in &activity.data {
        let label = item.label.as_ref().unwrap_or(&item.category).value.clone();
        add(
            lang.pick("Art. 9(2) condition", "Voorwaarde art. 9 lid 2"),
            record_text(item.condition.as_ref()).map(|c| format!("{label}: {c}")),
        );
    }
    add(
        lang.pick(
            "Art. 10 basis (criminal data)",
            "Grondslag art. 10 (strafrechtelijk)",
        ),
        record("criminal_data_basis"),
    );
    add(
        lang.pick("BSN statute", "Wettelijke grondslag BSN"),
        record("national_id_basis"),
    );
    add(
        lang.pick("Balancing test", "Belangenafweging"),
        text(activity.legitimate_interest_assessment.as_ref()),
    );
    add(lang.pick("Consent", "Toestemming"), record("consent"));
    add(
        lang.pick("Works council", "Medezeggenschap"),
        record("works_council"),
    );
    add(
        lang.pick("Profiling", "Profilering"),
        text(activity.profiling.as_ref()),
    );
    let decisions = match &activity.automated_decision {
        Some(crate::register::AutomatedDecision::No(_)) => {
            Some(match &activity.human_involvement {
                Some(human) => format!("{}; human_involvement: {}", lang.words().none, human.value),
                None => lang.words().none.to_string(),
            })
        }
        Some(crate::register::AutomatedDecision::Declared {
            exception,
            safeguards,
            reference,
            explanation_ref,
        }) => joined(
            &[
                exception
                    .as_ref()
                    .map(|v| format!("exception: {}", v.value)),
                safeguards
                    .as_ref()
                    .map(|v| format!("safeguards: {}", v.value)),
                reference.as_ref().map(|v| format!("ref: {}", v.value)),
                explanation_ref
                    .as_ref()
                    .map(|v| format!("explanation_ref: {}", v.value)),
            ],
            "; ",
        ),
        None => None,
    };
    add(
        lang.pick("Automated decisions", "Geautomatiseerde besluiten"),
        decisions,
    );
    add(
        lang.pick(
            "Joint-controller arrangement",
            "Regeling gezamenlijk verantwoordelijken",
        ),
        activity
            .joint_arrangement
            .as_ref()
            .and_then(|j| text(j.reference.as_ref())),
    );
    let tia = lang.pick("Transfer impact assessment", "Doorgiftetoets (TIA)");
    for transfer in &activity.transfers {
        let to = transfer
            .to
            .as_ref()
            .or(transfer.country.as_ref())
            .map_or(String::new(), |t| format!("{}: ", t.value));
        add(
            tia,
            transfer
                .tia_ref
                .as_ref()
                .map(|r| format!("{to}{}", r.value)),
        );
    }
    for id in &activity.subprocessors {
        if let Some(entry) = register.subprocessor(&id.value) {
            let name = entry.name.as_ref().unwrap_or(&entry.id).value.clone();
            add(
                tia,
                entry
                    .tia_ref
                    .as_ref()
                    .map(|r| format!("{name}: {}", r.value)),
            );
        }
    }
    add(
        lang.pick("AI system", "AI-systeem"),
        match &activity.ai_system {
            Some(crate::register::AiSystem::No(_)) => Some(lang.words().none.to_string()),
            Some(crate::register::AiSystem::Declared(record)) => record_text(Some(record)),
            None => None,
        },
    );
    out
}

/// The operations, when every activity has the same ones.
fn shared_operations(activities: &[Activity]) -> Option<&[Located<String>]> {
    let first = activities.first()?;
    let same = activities.iter().all(|a| {
        a.operations.len() == first.operations.len()
            && a.operations
                .iter()
                .zip(&first.operations)
                .all(|(x, y)| x.value == y.value)
    });
    same.then_some(first.operations.as_slice())
}

fn operation_words(operations: &[Located<String>], lang: Lang) -> Vec<String> {
    operations
        .iter()
        .map(|o| words::operation(&o.value, lang).to_string())
        .collect()
}

/// A legal basis in words: in Dutch as the register wrote it when it wrote a Dutch word
/// (the annex's own "Gerechtigd belang"), else the basis's name.
fn basis_word(basis: &Located<String>, lang: Lang, sources: &SourceMap) -> String {
    let (name, _) = words::legal_basis(&basis.value, lang);
    if lang == Lang::Nl {
        let written = sources.file(basis.at.file).slice(basis.at.span);
        let written = written
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .trim();
        let lower = written.to_lowercase();
        let dutch = crate::register::vocab::legal_basis(written) == Some(basis.value.as_str())
            && lower.replace('_', " ") != basis.value.replace('_', " ")
            && !["legal ", "vital ", "public ", "legitimate"]
                .iter()
                .any(|english| lower.starts_with(english));
        if dutch {
            return capitalised(written);
        }
    }
    name.to_string()
}

fn transfer_words(transfer: &Transfer, lang: Lang) -> String {
    let mechanism = transfer
        .mechanism
        .as_ref()
        .map(|m| words::transfer_mechanism(&m.value, lang).to_string());
    let place = joined(&[text(transfer.country.as_ref()), mechanism], "; ");
    match (text(transfer.to.as_ref()), place) {
        (Some(to), Some(place)) => format!("{to} ({place})"),
        (Some(to), None) => to,
        (None, Some(place)) => place,
        (None, None) => lang.words().not_stated.to_string(),
    }
}

/// The text with its first letter in upper case (a taxonomy label starting a list item).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn text(value: Option<&Located<String>>) -> Option<String> {
    value.map(|v| v.value.clone())
}

fn values(list: &[Located<String>]) -> Vec<String> {
    list.iter().map(|v| v.value.clone()).collect()
}

/// The present parts joined, `None` when none is.
fn joined(parts: &[Option<String>], separator: &str) -> Option<String> {
    let present: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!present.is_empty()).then(|| present.join(separator))
}

/// The findings still open (not waived), as lines `severity rule-id (target): message`, by
/// activity id; findings on no activity (the organisation, a waiver) under `None`. An export
/// carries them so the record does not look cleaner than it is.
pub fn open_findings(findings: &[Finding]) -> BTreeMap<Option<&str>, Vec<String>> {
    let mut open: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
    for finding in findings {
        let target = finding
            .target
            .as_ref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        open.entry(finding.activity.as_deref())
            .or_default()
            .push(format!(
                "{} {}{target}: {}",
                finding.severity.name(),
                finding.rule,
                finding.message
            ));
    }
    open
}
