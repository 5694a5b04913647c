//! Owns reading W3C DPV JSON-LD: ropa's own `export --format dpv-jsonld` (a round trip), and
//! the same shape in the older namespaces (`dpv-gdpr:`, `http://www.w3.org/ns/dpv#`): terms are
//! matched by their local name, whatever their prefix. Each `dpv:PersonalDataHandling` is an
//! activity; its categories come back by their identifiers, else by their DPV class or label.

use std::collections::BTreeMap;

use serde_json::Value;

use super::normalise;
use super::{Activity, Basis, Context, Imported, Item, Processor, Sourced, Transfer};
use crate::problem::{Code, Problem};

/// A term's local name: `dpv:hasPurpose`, `https://w3id.org/dpv#hasPurpose` and
/// `http://www.w3.org/ns/dpv#hasPurpose` are all `hasPurpose`.
fn local(term: &str) -> &str {
    let after_hash = term.rsplit('#').next().unwrap_or(term);
    let after_slash = after_hash.rsplit('/').next().unwrap_or(after_hash);
    after_slash.rsplit(':').next().unwrap_or(after_slash)
}

/// A node's values under the property of this local name (one value or a list).
fn get<'v>(node: &'v Value, name: &str) -> Vec<&'v Value> {
    let Some(map) = node.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| local(k) == name)
        .flat_map(|(_, v)| match v {
            Value::Array(list) => list.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect()
}

/// A node's text under a property: a string, `{ "@value": ... }`, or an `@id`.
fn text(node: &Value, name: &str) -> Option<String> {
    get(node, name).into_iter().find_map(|v| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(o) => o
            .get("@value")
            .or_else(|| o.get("@id"))
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string()),
        _ => None,
    })
}

/// A node's `@id`s under a property.
fn ids(node: &Value, name: &str) -> Vec<String> {
    get(node, name)
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("@id").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect()
}

/// A node's types, by local name.
fn types(node: &Value) -> Vec<String> {
    get(node, "@type")
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Whether the JSON is a DPV record of processing (a `dpv:ROPA` or any node with parts that
/// are `PersonalDataHandling`).
pub fn recognises(value: &Value) -> bool {
    !handlings(value).is_empty()
}

fn handlings(value: &Value) -> Vec<&Value> {
    let mut nodes: Vec<&Value> = get(value, "hasPart");
    nodes.extend(get(value, "@graph"));
    if let Value::Array(list) = value {
        nodes.extend(list.iter());
    }
    nodes
        .into_iter()
        .filter(|n| types(n).iter().any(|t| local(t) == "PersonalDataHandling"))
        .collect()
}

/// The Art. 6(1) basis a GDPR term names (`eu-gdpr:A6-1-b`, `dpv-gdpr:A6-1-b`).
fn basis_of(term: &str) -> Option<&'static str> {
    Some(match local(term) {
        "A6-1-a" => "consent",
        "A6-1-b" => "contract",
        "A6-1-c" => "legal_obligation",
        "A6-1-d" => "vital_interests",
        "A6-1-e" => "public_task",
        "A6-1-f" => "legitimate_interests",
        _ => return None,
    })
}

/// The transfer tool a GDPR term names.
fn mechanism_of(term: &str) -> Option<&'static str> {
    let name = local(term);
    Some(match name {
        "A45-3" => "adequacy",
        "A46-2-c" | "A46-2-d" => "scc",
        "A46-2-b" | "A47" => "bcr",
        "A46-2-e" => "code",
        "A46-2-f" => "certification",
        "DataTransferLegalBasis" => "derogation",
        _ if name.starts_with("A49-1-") => "derogation",
        _ => return None,
    })
}

/// Reads a DPV document.
pub fn read(name: &str, value: &Value, context: &Context<'_>) -> Result<Imported, Problem> {
    let parts = handlings(value);
    if parts.is_empty() {
        return Err(Problem::general(
            Code::InvalidValue,
            format!("{name} holds no dpv:PersonalDataHandling"),
        ));
    }
    let mut imported = Imported {
        format: "dpv-jsonld",
        ..Imported::default()
    };
    if let Some(publisher) = get(value, "publisher").first() {
        let at = format!("{name}#publisher");
        imported.organisation.name = text(publisher, "label").map(|n| Sourced::at(n, &at));
        imported.organisation.contact = text(publisher, "description").map(|c| Sourced::at(c, &at));
    }
    let organisation_id = get(value, "publisher")
        .first()
        .and_then(|p| p.get("@id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut own: BTreeMap<(bool, String), String> = BTreeMap::new();
    let mut counts: BTreeMap<&'static str, (usize, usize, usize)> = BTreeMap::new();
    let mut count = |field: &'static str, word: bool| {
        let entry = counts.entry(field).or_insert((0, 0, 0));
        entry.0 += 1;
        if word {
            entry.1 += 1;
        } else {
            entry.2 += 1;
        }
    };
    for (i, part) in parts.into_iter().enumerate() {
        let at = format!("{name}#hasPart[{i}]");
        let mut activity = Activity {
            at: at.clone(),
            ..Activity::default()
        };
        let label = text(part, "label");
        activity.id = text(part, "identifier")
            .filter(|id| crate::register::vocab::is_kebab_case(id))
            .or_else(|| label.as_deref().map(normalise::kebab_id))
            .unwrap_or_else(|| format!("verwerking-{}", i + 1));
        count("identifier", true);
        if let Some(label) = label {
            activity.name = Some(Sourced::at(label, &format!("{at}.label")));
            count("label", false);
        }
        let processor_of = ids(part, "hasDataProcessor");
        let ours = |id: &String| organisation_id.as_ref().is_none_or(|o| o == id);
        if processor_of.iter().any(ours) {
            activity.role = Some(Sourced::at("processor", &at));
            for controller in get(part, "hasDataController") {
                if let Some(label) = text(controller, "label") {
                    activity
                        .controllers
                        .push(Sourced::at(label, &format!("{at}.hasDataController")));
                    count("hasDataController", false);
                }
            }
        }
        for (j, purpose) in get(part, "hasPurpose").into_iter().enumerate() {
            if let Some(description) =
                text(purpose, "description").or_else(|| text(purpose, "label"))
            {
                activity
                    .purposes
                    .push(Sourced::at(description, &format!("{at}.hasPurpose[{j}]")));
                count("hasPurpose", false);
            }
        }
        for (data, property) in [(true, "hasPersonalData"), (false, "hasDataSubject")] {
            let (taxonomy, synonyms) = if data {
                (context.data, &context.synonyms.data)
            } else {
                (context.subjects, &context.synonyms.subjects)
            };
            for (j, node) in get(part, property).into_iter().enumerate() {
                let place = format!("{at}.{property}[{j}]");
                let identifier = text(node, "identifier");
                let label = text(node, "label");
                let class = types(node).into_iter().next();
                // Its identifier, when the taxonomy has it; else its DPV class; else its words.
                let known = identifier
                    .clone()
                    .filter(|id| taxonomy.contains(id))
                    .or_else(|| {
                        // Without an identifier, its DPV class.
                        identifier
                            .is_none()
                            .then(|| class.as_deref().and_then(|c| taxonomy.id_of_dpv(c)))
                            .flatten()
                            .map(str::to_string)
                    });
                let own_id = identifier
                    .clone()
                    .filter(|id| !taxonomy.contains(id) && crate::taxonomy::is_snake_case(id));
                let by_class = class
                    .as_deref()
                    .and_then(|c| taxonomy.id_of_dpv(c))
                    .map(str::to_string);
                let (category, word) = match (known, own_id) {
                    (Some(id), _) => (id, true),
                    // One of the register's own, by its identifier, under the category its
                    // class names (else the safe parent), with its label.
                    (None, Some(id)) => {
                        let list = if data {
                            &mut imported.data_categories
                        } else {
                            &mut imported.subject_categories
                        };
                        if !list.iter().any(|c| c.id == id) {
                            let parent = by_class
                                .clone()
                                .filter(|p| p != "personal_data" && p != "data_subject")
                                .unwrap_or_else(|| {
                                    if data {
                                        "personal_data"
                                    } else {
                                        "data_subject"
                                    }
                                    .to_string()
                                });
                            activity.review.push(format!(
                                "`{id}` ({place}) is the register's own category: placed under `{parent}`; check its parent"
                            ));
                            list.push(super::OwnCategory {
                                id: id.clone(),
                                label: label.clone().unwrap_or_else(|| id.clone()),
                                parent,
                                at: place.clone(),
                            });
                        }
                        (id, false)
                    }
                    (None, None) => {
                        let word = label.clone().unwrap_or_else(|| "onbekend".to_string());
                        super::category(
                            &mut own,
                            &mut imported,
                            (taxonomy, synonyms),
                            data,
                            &word,
                            &place,
                            &mut activity.review,
                        )
                    }
                };
                count(property, word);
                if data {
                    let item_label =
                        label.filter(|l| normalise::folded(l) != normalise::folded(&category));
                    activity.data.push(Sourced::at(
                        Item {
                            category,
                            label: item_label,
                        },
                        &place,
                    ));
                } else if !activity.data_subjects.iter().any(|s| s.value == category) {
                    activity.data_subjects.push(Sourced::at(category, &place));
                }
            }
        }
        let mut mechanisms: Vec<&'static str> = Vec::new();
        for term in ids(part, "hasLegalBasis") {
            let place = format!("{at}.hasLegalBasis");
            if let Some(basis) = basis_of(&term) {
                count("hasLegalBasis", true);
                if !activity.legal_basis.iter().any(|b| b.value.basis == basis) {
                    activity.legal_basis.push(Sourced::at(
                        Basis {
                            basis,
                            reference: None,
                            purposes: Vec::new(),
                        },
                        &place,
                    ));
                }
            } else if let Some(point) = local(&term).strip_prefix("A9-2-") {
                count("hasLegalBasis", true);
                let article: &'static str = crate::register::vocab::ART9_POINTS
                    .iter()
                    .copied()
                    .find(|p| p.ends_with(&format!("({point})")))
                    .unwrap_or("9(2)(a)");
                activity.art9 = Some(Sourced::at((article, None), &place));
            } else if let Some(mechanism) = mechanism_of(&term) {
                count("hasLegalBasis", true);
                if !mechanisms.contains(&mechanism) {
                    mechanisms.push(mechanism);
                }
            }
        }
        // Processors: the recipients that are data processors, with their country.
        let mut processor_countries: Vec<String> = Vec::new();
        for (j, recipient) in get(part, "hasRecipient").into_iter().enumerate() {
            let place = format!("{at}.hasRecipient[{j}]");
            let kinds = types(recipient);
            let label = text(recipient, "label");
            let country = ids(recipient, "hasCountry")
                .first()
                .map(|c| local(c).to_string())
                .filter(|c| normalise::country(c).is_some());
            if kinds
                .iter()
                .any(|t| matches!(local(t), "DataProcessor" | "DataSubProcessor"))
            {
                let node_id = recipient.get("@id").and_then(Value::as_str).unwrap_or("");
                let id = node_id
                    .rsplit(':')
                    .next()
                    .filter(|id| crate::register::vocab::is_kebab_case(id))
                    .map(str::to_string)
                    .or_else(|| label.as_deref().map(normalise::kebab_id))
                    .unwrap_or_else(|| format!("verwerker-{}", j + 1));
                if !imported.processors.iter().any(|p| p.id == id) {
                    imported.processors.push(Processor {
                        id: id.clone(),
                        name: label.clone().unwrap_or_else(|| id.clone()),
                        country: country.clone(),
                        at: place.clone(),
                    });
                }
                activity.processors.push(Sourced::at(id, &place));
                processor_countries.extend(country);
                count("hasRecipient", true);
            } else if let Some(label) = label {
                if let Some(country) = &country {
                    activity
                        .recipient_countries
                        .insert(activity.recipients.len(), country.clone());
                }
                activity.recipients.push(Sourced::at(label, &place));
                count("hasRecipient", false);
            }
        }
        for term in ids(part, "hasThirdCountry") {
            let code = local(&term).to_string();
            if normalise::country(&code).is_none() || context.eea.contains(&code) {
                continue;
            }
            count("hasThirdCountry", true);
            // A country a processor or a recipient is in is theirs, not a transfer of its own.
            if processor_countries.contains(&code)
                || activity.recipient_countries.values().any(|c| *c == code)
            {
                continue;
            }
            activity.transfers.push(Sourced::at(
                Transfer {
                    country: code,
                    mechanism: match mechanisms.as_slice() {
                        [one] => Some(one),
                        _ => None,
                    },
                },
                &format!("{at}.hasThirdCountry"),
            ));
        }
        if let Some(storage) = get(part, "hasStorageCondition").first() {
            let period = text(storage, "hasDuration");
            let criterion = text(storage, "description");
            if period.is_some() || criterion.is_some() {
                count("hasStorageCondition", period.is_some());
                activity.retention = Some(Sourced::at(
                    (period, criterion),
                    &format!("{at}.hasStorageCondition"),
                ));
            }
        }
        for measure in get(part, "hasTechnicalOrganisationalMeasure") {
            let kinds: Vec<String> = types(measure)
                .iter()
                .map(|t| local(t).to_string())
                .collect();
            let place = format!("{at}.hasTechnicalOrganisationalMeasure");
            if kinds.iter().any(|k| k == "DPIA") {
                activity.dpia = text(measure, "description").map(|d| Sourced::at(d, &place));
            } else if kinds.iter().any(|k| k == "LegitimateInterestAssessment") {
                activity.lia = text(measure, "identifier")
                    .or_else(|| text(measure, "description"))
                    .map(|d| Sourced::at(d, &place));
            } else if let Some(description) = text(measure, "description") {
                activity.security_measures = Some(Sourced::at(description, &place));
            }
        }
        if ids(part, "hasProcessing")
            .iter()
            .any(|t| local(t) == "Profiling")
        {
            activity.profiling = Some(Sourced::at("yes", &format!("{at}.hasProcessing")));
        }
        imported.activities.push(activity);
    }
    imported.columns = counts
        .into_iter()
        .map(|(field, (read, words, text))| super::Column {
            name: field.to_string(),
            field: Some(match field {
                "identifier" => "id",
                "label" => "name",
                "hasDataController" => "controllers",
                "hasPurpose" => "purposes",
                "hasPersonalData" => "data",
                "hasDataSubject" => "data_subjects",
                "hasLegalBasis" => "legal_basis, special_category_condition, transfers",
                "hasRecipient" => "recipients, processors",
                "hasThirdCountry" => "transfers",
                "hasStorageCondition" => "retention",
                _ => "?",
            }),
            read,
            normalised: words,
            text,
            unmapped: 0,
        })
        .collect();
    super::ico::unique_ids(&mut imported);
    Ok(imported)
}
