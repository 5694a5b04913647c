//! Owns turning a solver's example (a request and its entities) back into a register
//! fragment a person can paste into a `ropa test` case: the entities' attributes under the
//! register's field names, made loadable (ids in kebab-case, values the loader's closed
//! vocabularies accept, categories the taxonomy has). Where a value has to be replaced, the
//! replacement keeps what rules usually test (`== "yes"`, presence), so the fragment is a
//! starting point; `--write-cases` runs it to say whether it still proves the point.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::policy::{PolicyPack, RequestKind};
use crate::register::vocab;
use crate::register::TEXT_RECORDS;
use crate::taxonomy::Taxonomy;

/// A register fragment and the finding key a firing rule would give on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    /// The fragment: a register file's top-level mapping.
    pub register: Value,
    /// The activity judged.
    pub activity: String,
    /// The target (data item category, subject category, sub-processor id), when the kind
    /// has one.
    pub target: Option<String>,
}

/// The id the fragment gives the activity the rule judges.
pub const ACTIVITY_ID: &str = "example";

/// One entity of the example: its type, id, attributes and parents.
struct Entity<'a> {
    ty: &'a str,
    id: &'a str,
    attrs: &'a Map<String, Value>,
    parents: Vec<(&'a str, &'a str)>,
}

fn entities(json: &Value) -> Vec<Entity<'_>> {
    json.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Entity {
                ty: e.pointer("/uid/type")?.as_str()?,
                id: e.pointer("/uid/id")?.as_str()?,
                attrs: e.get("attrs")?.as_object()?,
                parents: e
                    .get("parents")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get("type")?.as_str()?, p.get("id")?.as_str()?)))
                    .collect(),
            })
        })
        .collect()
}

fn entity_ref(value: &Value) -> Option<(&str, &str)> {
    let e = value.get("__entity")?;
    Some((e.get("type")?.as_str()?, e.get("id")?.as_str()?))
}

/// A text attribute as the register writes it.
fn text(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => Some(Value::String(s.clone())),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// A closed-vocabulary value: kept when the loader takes it, else the first choice that is
/// not the one rules usually test for.
fn choice(value: &Value, allowed: &[&str], tested: &str) -> Option<Value> {
    let text = value.as_str()?;
    if allowed.contains(&text) {
        return Some(Value::String(text.to_string()));
    }
    allowed
        .iter()
        .find(|a| **a != tested)
        .map(|a| Value::String((*a).to_string()))
}

/// The country code a Country entity stands for: its own when valid, else one in the same
/// regions (EEA, adequate, elsewhere).
fn country(all: &[Entity<'_>], id: &str) -> String {
    if vocab::is_country_code(id) {
        return id.to_string();
    }
    let regions: Vec<&str> = all
        .iter()
        .find(|e| e.ty == "Country" && e.id == id)
        .map(|e| e.parents.iter().map(|(_, r)| *r).collect())
        .unwrap_or_default();
    if regions.contains(&"EEA") {
        "NL".to_string()
    } else if regions.contains(&"ADEQUATE") {
        "CH".to_string()
    } else {
        "US".to_string()
    }
}

/// A category id the register can write for the example's category `id`: itself when the
/// taxonomy has it; else the nearest category the rules name among its ancestors in the
/// example; else one no rule names, inside or above (what rules cannot tell apart).
fn category_for(
    all: &[Entity<'_>],
    ty: &str,
    id: &str,
    taxonomy: &Taxonomy,
    named: &[&str],
) -> Option<String> {
    if taxonomy.contains(id) {
        return Some(id.to_string());
    }
    // Breadth-first through the example's own parents.
    let mut queue = vec![id.to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(current) = queue.first().cloned() {
        queue.remove(0);
        if !seen.insert(current.clone()) {
            continue;
        }
        if current != id && named.contains(&current.as_str()) && taxonomy.contains(&current) {
            return Some(current);
        }
        if let Some(entity) = all.iter().find(|e| e.ty == ty && e.id == current) {
            queue.extend(entity.parents.iter().map(|(_, p)| (*p).to_string()));
        }
    }
    taxonomy
        .categories()
        .iter()
        .map(|c| c.id.value.as_str())
        .find(|c| !named.contains(c) && !taxonomy.ancestors(c).any(|a| named.contains(&a)))
        .map(str::to_string)
}

/// Kebab-case ids for the example's own ids, stable per input.
struct Ids {
    given: BTreeMap<String, String>,
    prefix: &'static str,
}

impl Ids {
    fn new(prefix: &'static str) -> Self {
        Ids {
            given: BTreeMap::new(),
            prefix,
        }
    }

    fn of(&mut self, raw: &str) -> String {
        let next = self.given.len() + 1;
        let prefix = self.prefix;
        self.given
            .entry(raw.to_string())
            .or_insert_with(|| format!("{prefix}-{next}"))
            .clone()
    }
}

/// The activity an Activity entity describes, and the sub-processors it engages.
fn activity(
    all: &[Entity<'_>],
    entity: &Entity<'_>,
    pack: &PolicyPack,
    subprocessor_ids: &mut Ids,
) -> (Map<String, Value>, Vec<Value>) {
    let (named_data, named_subjects) = named(pack);
    let mut out = Map::new();
    out.insert("id".into(), json!(ACTIVITY_ID));
    let mut subprocessors = Vec::new();
    let refs = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(entity_ref)
            .map(|(_, id)| id.to_string())
            .collect()
    };
    for (key, value) in entity.attrs {
        let key = key.as_str();
        let mapped: Option<Value> = match key {
            "name" | "legitimate_interest_assessment" | "security_measures" => text(value),
            "systems" => Some(Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(text)
                    .collect(),
            )),
            "role" => choice(value, &vocab::ROLES, "processor"),
            "operations" => Some(Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|op| vocab::OPERATIONS.contains(op))
                    .map(|op| json!(op))
                    .collect(),
            )),
            "data_subjects" => {
                let mut ids: Vec<String> = refs(value)
                    .into_iter()
                    .filter_map(|id| {
                        category_for(
                            all,
                            "SubjectCategory",
                            &id,
                            &pack.subject_categories,
                            &named_subjects,
                        )
                    })
                    .collect();
                ids.sort();
                ids.dedup();
                Some(Value::Array(ids.into_iter().map(Value::String).collect()))
            }
            "data" => {
                let mut ids: Vec<String> = refs(value)
                    .into_iter()
                    .filter_map(|id| {
                        category_for(all, "DataCategory", &id, &pack.data_categories, &named_data)
                    })
                    .collect();
                ids.sort();
                ids.dedup();
                Some(Value::Array(
                    ids.into_iter()
                        .map(|id| json!({ "category": id }))
                        .collect(),
                ))
            }
            "legal_basis" => Some(Value::Array(
                refs(value).into_iter().map(Value::String).collect(),
            )),
            "purposes" => {
                let text = entity
                    .attrs
                    .get("purposes_text")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let count = value.as_array().map_or(0, Vec::len);
                Some(Value::Array(
                    (1..=count)
                        .map(|i| {
                            json!({ "id": format!("purpose-{i}"), "text": if i == 1 && !text.is_empty() { text.to_string() } else { format!("purpose {i}") } })
                        })
                        .collect(),
                ))
            }
            "controllers" => Some(Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        let mut r = Map::new();
                        r.insert("name".into(), text(c.get("name")?)?);
                        if let Some(contact) = c.get("contact").and_then(text) {
                            r.insert("contact".into(), contact);
                        }
                        Some(Value::Object(r))
                    })
                    .collect(),
            )),
            "expected_special_categories" => {
                choice(value, &vocab::EXPECTED_SPECIAL_CATEGORIES, "yes")
            }
            "large_scale" | "profiling" => choice(value, &vocab::YES_NO, "yes"),
            "retention" => value.as_object().map(|r| {
                let mut out = Map::new();
                if let Some(days) = r.get("period_days").and_then(Value::as_i64) {
                    out.insert("period".into(), json!(format!("P{}D", days.max(0))));
                } else if let Some(period) = r.get("period").and_then(Value::as_str) {
                    let valid = vocab::period_days(period).is_some();
                    out.insert("period".into(), json!(if valid { period } else { "P1Y" }));
                }
                let criterion = r
                    .get("criterion_normalised")
                    .or_else(|| r.get("criterion"))
                    .and_then(text);
                if let Some(criterion) = criterion {
                    out.insert("criterion".into(), criterion);
                }
                if let Some(reference) = r.get("ref").and_then(text) {
                    out.insert("ref".into(), reference);
                }
                Value::Object(out)
            }),
            "special_category_condition" => value.as_object().map(|r| {
                let mut out = Map::new();
                if let Some(article) = r.get("article").and_then(Value::as_str) {
                    out.insert(
                        "article".into(),
                        json!(vocab::art9_point(article).unwrap_or("9(2)(a)")),
                    );
                }
                if let Some(reference) = r.get("ref").and_then(text) {
                    out.insert("ref".into(), reference);
                }
                Value::Object(out)
            }),
            "minimisation" => value.as_object().map(|r| {
                let mut out = Map::new();
                if let Some(j) = r.get("justification").and_then(text) {
                    out.insert("justification".into(), j);
                }
                if let Some(masked) = r.get("bsn_masked") {
                    if let Some(v) = choice(masked, &vocab::YES_NO, "yes") {
                        out.insert("bsn_masked".into(), v);
                    }
                }
                Value::Object(out)
            }),
            "automated_decision" => value.as_object().map(|r| {
                if r.get("declared").and_then(Value::as_bool) == Some(false) {
                    return json!("no");
                }
                let mut out = Map::new();
                if let Some(e) = r.get("exception") {
                    if let Some(v) = choice(e, &vocab::AUTOMATED_DECISION_EXCEPTIONS, "") {
                        out.insert("exception".into(), v);
                    }
                }
                for k in ["safeguards", "ref"] {
                    if let Some(v) = r.get(k).and_then(text) {
                        out.insert(k.into(), v);
                    }
                }
                Value::Object(out)
            }),
            "recipients" => Some(Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        let mut r = Map::new();
                        r.insert("category".into(), text(c.get("category")?)?);
                        if let Some(name) = c.get("name").and_then(text) {
                            r.insert("name".into(), name);
                        }
                        if let Some((_, id)) = c.get("country").and_then(entity_ref) {
                            r.insert("country".into(), json!(country(all, id)));
                        }
                        Some(Value::Object(r))
                    })
                    .collect(),
            )),
            "subprocessors" => {
                let ids: Vec<Value> = refs(value)
                    .into_iter()
                    .map(|raw| {
                        let id = subprocessor_ids.of(&raw);
                        if let Some(sub) =
                            all.iter().find(|e| e.ty == "Subprocessor" && e.id == raw)
                        {
                            subprocessors.push(subprocessor(all, sub, &id));
                        }
                        Value::String(id)
                    })
                    .collect();
                Some(Value::Array(ids))
            }
            record if TEXT_RECORDS.iter().any(|(n, _)| *n == record) => {
                let keys = TEXT_RECORDS
                    .iter()
                    .find(|(n, _)| *n == record)
                    .map_or(&[][..], |(_, k)| *k);
                value.as_object().map(|r| {
                    Value::Object(
                        keys.iter()
                            .filter_map(|k| Some(((*k).to_string(), text(r.get(*k)?)?)))
                            .collect(),
                    )
                })
            }
            // What ropa computes (`purposes_text`, the change's attributes) and what a
            // register does not write.
            _ => None,
        };
        if let Some(mapped) = mapped {
            out.insert(key.to_string(), mapped);
        }
    }
    (out, subprocessors)
}

fn subprocessor(all: &[Entity<'_>], entity: &Entity<'_>, id: &str) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    for (key, value) in entity.attrs {
        let mapped = match key.as_str() {
            "name" | "dpa_ref" | "tia_ref" => text(value),
            "kind" => choice(value, &vocab::SUBPROCESSOR_KINDS, "category"),
            "country" => entity_ref(value).map(|(_, c)| json!(country(all, c))),
            "authorisation" => choice(value, &vocab::AUTHORISATIONS, ""),
            "transfer_mechanism" => choice(value, &vocab::TRANSFER_MECHANISMS, ""),
            "dpf_certified" => choice(value, &vocab::YES_NO, "yes"),
            "notified_on" => value
                .as_str()
                .filter(|d| vocab::is_date(d))
                .map(|d| json!(d))
                .or(Some(json!("2026-01-01"))),
            _ => None,
        };
        if let Some(mapped) = mapped {
            out.insert(key.clone(), mapped);
        }
    }
    out.entry("kind").or_insert(json!("named"));
    Value::Object(out)
}

/// The organisation an Organisation entity describes.
fn organisation(entity: Option<&Entity<'_>>) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!("example-org"));
    out.insert("name".into(), json!("Example B.V."));
    let Some(entity) = entity else {
        return Value::Object(out);
    };
    for (key, value) in entity.attrs {
        let mapped = match key.as_str() {
            "name" | "contact" => text(value).filter(|v| v != &json!("")),
            "public_authority" => value.as_bool().map(|b| json!(if b { "yes" } else { "no" })),
            "dpo" => value.as_object().map(|d| {
                if d.get("designated").and_then(Value::as_bool) == Some(false) {
                    return json!(vocab::NO_DPO);
                }
                let mut out = Map::new();
                for k in ["name", "contact"] {
                    if let Some(v) = d.get(k).and_then(text) {
                        out.insert(k.into(), v);
                    }
                }
                Value::Object(out)
            }),
            _ => None,
        };
        if let Some(mapped) = mapped {
            out.insert(key.clone(), mapped);
        }
    }
    Value::Object(out)
}

/// The category ids the rules name: data, then subjects.
fn named(pack: &PolicyPack) -> (Vec<&str>, Vec<&str>) {
    match &pack.named {
        Some(named) => (
            named.data.iter().map(String::as_str).collect(),
            named.subjects.iter().map(String::as_str).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// The register fragment of an example, for the kinds a register can say (not waivers).
pub fn fragment(
    request_principal: Option<(&str, &str)>,
    request_resource: Option<(&str, &str)>,
    context: &[(&str, Value)],
    entities_json: &Value,
    kind: RequestKind,
    pack: &PolicyPack,
) -> Option<Fragment> {
    let all = entities(entities_json);
    let find = |uid: Option<(&str, &str)>| {
        let (ty, id) = uid?;
        all.iter().find(|e| e.ty == ty && e.id == id)
    };
    let principal = find(request_principal);
    let resource = find(request_resource);
    let organisation_entity = all.iter().find(|e| e.ty == "Organisation");
    let mut register = Map::new();
    register.insert("organisation".into(), organisation(organisation_entity));
    let mut subprocessor_ids = Ids::new("subprocessor");
    let (activity_entity, target) = match kind {
        RequestKind::Organisation => {
            return Some(Fragment {
                register: Value::Object(register),
                activity: String::new(),
                target: None,
            });
        }
        RequestKind::Activity => (resource?, None),
        RequestKind::DataItem => {
            let (named_data, _) = named(pack);
            let category = request_resource.and_then(|(ty, id)| {
                category_for(&all, ty, id, &pack.data_categories, &named_data)
            });
            (principal?, category)
        }
        RequestKind::DataSubject => {
            let (_, named_subjects) = named(pack);
            let category = request_resource.and_then(|(ty, id)| {
                category_for(&all, ty, id, &pack.subject_categories, &named_subjects)
            });
            (principal?, category)
        }
        RequestKind::Subprocessor => (principal?, request_resource.map(|(_, id)| id.to_string())),
        RequestKind::Transfer | RequestKind::Waiver | RequestKind::Category => return None,
    };
    let (mut activity, mut subprocessors) =
        activity(&all, activity_entity, pack, &mut subprocessor_ids);
    let target = match (kind, target) {
        (RequestKind::DataItem, Some(category)) => {
            // The judged item, with its own fields from the context.
            let mut item = Map::new();
            item.insert("category".into(), json!(category));
            for (key, value) in context {
                match (*key, value) {
                    ("label", v) => {
                        if let Some(t) = text(v) {
                            item.insert("label".into(), t);
                        }
                    }
                    ("purposes", Value::Array(p)) if !p.is_empty() => {
                        let ids: Vec<Value> = activity
                            .get("purposes")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(|p| p.get("id").cloned())
                            .take(p.len())
                            .collect();
                        item.insert("purposes".into(), Value::Array(ids));
                    }
                    _ => {}
                }
            }
            let data = activity
                .entry("data")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = data {
                items.retain(|i| i.get("category") != Some(&json!(category)));
                items.push(Value::Object(item));
            }
            Some(category)
        }
        (RequestKind::DataSubject, Some(category)) => {
            let subjects = activity
                .entry("data_subjects")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = subjects {
                if !items.contains(&json!(category)) {
                    items.push(json!(category));
                }
            }
            Some(category)
        }
        (RequestKind::Subprocessor, Some(raw)) => {
            let id = subprocessor_ids.of(&raw);
            if let Some(sub) = resource {
                if !subprocessors
                    .iter()
                    .any(|s| s.get("id") == Some(&json!(id)))
                {
                    subprocessors.push(subprocessor(&all, sub, &id));
                }
            }
            let engaged = activity
                .entry("subprocessors")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = engaged {
                if !items.contains(&json!(id)) {
                    items.push(json!(id));
                }
            }
            Some(id)
        }
        _ => None,
    };
    register.insert("activities".into(), json!([Value::Object(activity)]));
    if !subprocessors.is_empty() {
        register.insert("subprocessors".into(), Value::Array(subprocessors));
    }
    Some(Fragment {
        register: Value::Object(register),
        activity: ACTIVITY_ID.to_string(),
        target,
    })
}

/// YAML for a JSON value, block style for mappings, flow style for lists of scalars.
pub fn to_yaml(value: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) if map.is_empty() => format!("{pad}{{}}\n"),
        Value::Object(map) => {
            let mut out = String::new();
            for (key, v) in map {
                match v {
                    Value::Object(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n{}", to_yaml(v, indent + 1)));
                    }
                    Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        for item in items {
                            let body = to_yaml(item, indent + 2);
                            let body = body.trim_start();
                            out.push_str(&format!("{pad}  - {body}"));
                        }
                    }
                    _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(v))),
                }
            }
            out
        }
        other => format!("{pad}{}\n", scalar(other)),
    }
}

/// A value on one line: plain text when YAML reads it back as the same text, else quoted.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '(' | ')'))
                && !s.starts_with([' ', '-'])
                && !s.ends_with(' ')
                && !matches!(s.as_str(), "true" | "false" | "null" | "~")
                && s.parse::<f64>().is_err();
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", scalar(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        other => other.to_string(),
    }
}
