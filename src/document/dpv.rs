//! Owns the export as W3C Data Privacy Vocabulary (DPV 2.3) JSON-LD: the record a
//! `dpv:ROPA`, each activity a `dpv:PersonalDataHandling` with its purposes, personal data
//! (`pd:`), data subjects, legal bases (`eu-gdpr:A6-1-*`, Art. 9 conditions `A9-2-*`,
//! transfer tools `A45-3`, `A46-2-*`, `A49-1-*`), processing operations, recipients,
//! third countries (`loc:`), retention, measures, DPIA, and its open findings. The context is
//! inline: the file expands without fetching anything.

use serde_json::{json, Map, Value};

use super::{Document, Record};
use crate::register::{Activity, Register};

/// The DPV release the export targets.
pub const DPV_VERSION: &str = "2.3";

/// The JSON-LD context: DPV's prefixes, Dublin Core, RDF Schema, and ropa's own terms for
/// findings (a URN namespace: ropa publishes no vocabulary of its own).
fn context() -> Value {
    json!({
        "dpv": "https://w3id.org/dpv#",
        "pd": "https://w3id.org/dpv/pd#",
        "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
        "loc": "https://w3id.org/dpv/loc#",
        "dct": "http://purl.org/dc/terms/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "ropa": "urn:ropa:term:"
    })
}

/// A DPV processing operation for a register operation (`encrypt` is a technical measure).
fn operation_term(id: &str) -> Option<&'static str> {
    Some(match id {
        "collect" => "dpv:Collect",
        "record" => "dpv:Record",
        "organise" => "dpv:Organise",
        "structure" => "dpv:Structure",
        "store" => "dpv:Store",
        "adapt" => "dpv:Adapt",
        "retrieve" => "dpv:Retrieve",
        "consult" => "dpv:Consult",
        "use" => "dpv:Use",
        "disclose" => "dpv:Disclose",
        "disseminate" => "dpv:Disseminate",
        "combine" => "dpv:Combine",
        "restrict" => "dpv:Restrict",
        "erase" => "dpv:Erase",
        "destroy" => "dpv:Destruct",
        "anonymise" => "dpv:Anonymise",
        "aggregate" => "dpv:Aggregate",
        _ => return None,
    })
}

/// The GDPR article of a transfer tool, as DPV's `eu-gdpr:` legal basis.
fn transfer_term(mechanism: &str) -> Option<&'static str> {
    Some(match mechanism {
        "adequacy" => "eu-gdpr:A45-3",
        "scc" => "eu-gdpr:A46-2-c",
        "bcr" => "eu-gdpr:A46-2-b",
        "code" => "eu-gdpr:A46-2-e",
        "certification" => "eu-gdpr:A46-2-f",
        // DPV names each Art. 49(1) point; a derogation without one is a transfer basis.
        "derogation" => "dpv:DataTransferLegalBasis",
        _ => return None,
    })
}

fn iri(term: &str) -> Value {
    json!({ "@id": term })
}

fn push_unique(list: &mut Vec<Value>, value: Value) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The register as DPV JSON-LD (pretty-printed, keys in a fixed order).
/// `eea` names the EEA's countries: a processor or recipient elsewhere is a third country.
pub fn render_dpv(
    register: &Register,
    document: &Document,
    open: &std::collections::BTreeMap<Option<&str>, Vec<String>>,
    eea: &[String],
) -> String {
    let organisation = &document.organisation;
    let base = format!("urn:ropa:{}", organisation.id);
    let mut org = Map::new();
    org.insert("@id".into(), json!(format!("{base}:organisation")));
    org.insert("@type".into(), json!("dpv:LegalEntity"));
    org.insert("rdfs:label".into(), json!(organisation.name));
    if let Some(contact) = &organisation.contact {
        org.insert("dct:description".into(), json!(contact));
    }
    let activities: Vec<Value> = register
        .activities
        .iter()
        .zip(&document.activities)
        .map(|(activity, record)| handling(activity, record, register, &base, open, eea))
        .collect();
    let mut root = Map::new();
    root.insert("@context".into(), context());
    root.insert("@id".into(), json!(format!("{base}:ropa")));
    root.insert("@type".into(), json!("dpv:ROPA"));
    root.insert(
        "rdfs:label".into(),
        json!(format!(
            "{} {}",
            document.words.register_of, organisation.name
        )),
    );
    root.insert(
        "dct:conformsTo".into(),
        iri(&format!("https://w3id.org/dpv/{DPV_VERSION}")),
    );
    root.insert("dct:publisher".into(), Value::Object(org));
    if let Some(lines) = open.get(&None) {
        root.insert("ropa:openFinding".into(), json!(lines));
    }
    root.insert("dct:hasPart".into(), Value::Array(activities));
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default();
    text.push('\n');
    text
}

fn handling(
    activity: &Activity,
    record: &Record,
    register: &Register,
    base: &str,
    open: &std::collections::BTreeMap<Option<&str>, Vec<String>>,
    eea: &[String],
) -> Value {
    let organisation = iri(&format!("{base}:organisation"));
    let mut node = Map::new();
    node.insert(
        "@id".into(),
        json!(format!("{base}:activity:{}", record.id)),
    );
    node.insert("@type".into(), json!("dpv:PersonalDataHandling"));
    node.insert("dct:identifier".into(), json!(record.id));
    node.insert("rdfs:label".into(), json!(record.name));
    match record.role_id.as_str() {
        "processor" => {
            node.insert("dpv:hasDataProcessor".into(), organisation);
            let controllers: Vec<Value> = record
                .controllers
                .iter()
                .map(|c| json!({ "@type": "dpv:DataController", "rdfs:label": c }))
                .collect();
            if !controllers.is_empty() {
                node.insert("dpv:hasDataController".into(), Value::Array(controllers));
            }
        }
        "joint_controller" => {
            let mut joint = vec![organisation];
            joint.extend(
                record
                    .controllers
                    .iter()
                    .map(|c| json!({ "@type": "dpv:DataController", "rdfs:label": c })),
            );
            node.insert("dpv:hasJointDataControllers".into(), Value::Array(joint));
        }
        _ => {
            node.insert("dpv:hasDataController".into(), organisation);
        }
    }
    let purposes: Vec<Value> = record
        .purposes
        .iter()
        .map(|p| json!({ "@type": "dpv:Purpose", "dct:description": p }))
        .collect();
    node.insert("dpv:hasPurpose".into(), Value::Array(purposes));
    // Each item as the category's concept, with the register's own words when it has them.
    let mut data = Vec::new();
    for item in &activity.data {
        let term = register
            .data_categories
            .dpv_term(&item.category.value)
            .unwrap_or("dpv:PersonalData");
        let label = item.label.as_ref().map_or_else(
            || register.data_categories.label(&item.category.value, false),
            |l| l.value.clone(),
        );
        push_unique(
            &mut data,
            json!({ "@type": term, "dct:identifier": item.category.value, "rdfs:label": label }),
        );
    }
    node.insert("dpv:hasPersonalData".into(), Value::Array(data));
    let mut subjects = Vec::new();
    for subject in &activity.data_subjects {
        let term = register
            .subject_categories
            .dpv_term(&subject.value)
            .unwrap_or("dpv:DataSubject");
        let label = register.subject_categories.label(&subject.value, false);
        push_unique(
            &mut subjects,
            json!({ "@type": term, "dct:identifier": subject.value, "rdfs:label": label }),
        );
    }
    node.insert("dpv:hasDataSubject".into(), Value::Array(subjects));
    let mut bases = Vec::new();
    for basis in &activity.legal_basis {
        let (_, point) = super::words::legal_basis(&basis.value, super::Lang::En);
        if !point.is_empty() {
            push_unique(&mut bases, iri(&format!("eu-gdpr:A6-1-{point}")));
        }
    }
    if let Some(article) = activity
        .records
        .get("special_category_condition")
        .and_then(|r| r.get("article"))
        .and_then(|a| crate::register::vocab::art9_point(&a.value))
    {
        // `9(2)(h)` -> `A9-2-h`.
        let term = article.replace("9(2)(", "A9-2-").replace(')', "");
        push_unique(&mut bases, iri(&format!("eu-gdpr:{term}")));
    }
    let mut countries = Vec::new();
    let mut recipients = Vec::new();
    for transfer in &activity.transfers {
        // A derogation with its point is that point's class (`49(1)(a)` -> `A49-1-a`).
        let point = transfer
            .derogation_point
            .as_ref()
            .and_then(|p| p.value.strip_prefix("49(1)("))
            .and_then(|p| p.strip_suffix(')'))
            .filter(|p| p.len() == 1);
        let derogation = transfer
            .mechanism
            .as_ref()
            .is_some_and(|m| m.value == "derogation");
        if let (true, Some(point)) = (derogation, point) {
            push_unique(&mut bases, iri(&format!("eu-gdpr:A49-1-{point}")));
        } else if let Some(term) = transfer
            .mechanism
            .as_ref()
            .and_then(|m| transfer_term(&m.value))
        {
            push_unique(&mut bases, iri(term));
        }
        if let Some(country) = &transfer.country {
            push_unique(&mut countries, iri(&format!("loc:{}", country.value)));
        }
        if let Some(to) = &transfer.to {
            push_unique(
                &mut recipients,
                json!({ "@type": "dpv:Recipient", "rdfs:label": to.value }),
            );
        }
    }
    for id in &activity.subprocessors {
        let Some(sub) = register.subprocessor(&id.value) else {
            continue;
        };
        let mut processor = Map::new();
        processor.insert(
            "@id".into(),
            json!(format!("{base}:subprocessor:{}", sub.id.value)),
        );
        // A sub-processor under a processor's activity or engaged by another processor;
        // otherwise the organisation's own processor.
        let sub_processor = record.role_id == "processor" || sub.engaged_by.is_some();
        processor.insert(
            "@type".into(),
            json!(if sub_processor {
                "dpv:DataSubProcessor"
            } else {
                "dpv:DataProcessor"
            }),
        );
        processor.insert(
            "rdfs:label".into(),
            json!(sub.name.as_ref().unwrap_or(&sub.id).value),
        );
        if let Some(country) = &sub.country {
            processor.insert(
                "dpv:hasCountry".into(),
                iri(&format!("loc:{}", country.value)),
            );
            if !eea.is_empty() && !eea.contains(&country.value) {
                push_unique(&mut countries, iri(&format!("loc:{}", country.value)));
            }
        }
        if let Some(term) = sub
            .transfer_mechanism
            .as_ref()
            .and_then(|m| transfer_term(&m.value))
        {
            push_unique(&mut bases, iri(term));
        }
        push_unique(&mut recipients, Value::Object(processor));
    }
    // The Art. 30(1)(d) recipients, by category (and name), with their country.
    if let crate::register::Recipients::Listed(listed) = &activity.recipients {
        for recipient in listed {
            let mut node = Map::new();
            node.insert("@type".into(), json!("dpv:Recipient"));
            node.insert(
                "rdfs:label".into(),
                json!(recipient.name.as_ref().map_or_else(
                    || recipient.category.value.clone(),
                    |n| format!("{} ({})", n.value, recipient.category.value)
                )),
            );
            if let Some(country) = &recipient.country {
                node.insert(
                    "dpv:hasCountry".into(),
                    iri(&format!("loc:{}", country.value)),
                );
                if !eea.is_empty() && !eea.contains(&country.value) {
                    push_unique(&mut countries, iri(&format!("loc:{}", country.value)));
                }
            }
            push_unique(&mut recipients, Value::Object(node));
        }
    }
    node.insert("dpv:hasLegalBasis".into(), Value::Array(bases));
    let mut operations: Vec<Value> = activity
        .operations
        .iter()
        .filter_map(|o| operation_term(&o.value))
        .map(iri)
        .collect();
    if activity
        .profiling
        .as_ref()
        .is_some_and(|p| p.value == "yes")
    {
        push_unique(&mut operations, iri("dpv:Profiling"));
    }
    if matches!(
        activity.automated_decision,
        Some(crate::register::AutomatedDecision::Declared { .. })
    ) {
        push_unique(&mut operations, iri("dpv:AutomatedDecisionMaking"));
    }
    if !operations.is_empty() {
        node.insert("dpv:hasProcessing".into(), Value::Array(operations));
    }
    if !recipients.is_empty() {
        node.insert("dpv:hasRecipient".into(), Value::Array(recipients));
    }
    if !countries.is_empty() {
        node.insert("dpv:hasThirdCountry".into(), Value::Array(countries));
    }
    if let Some(retention) = activity.records.get("retention") {
        let mut storage = Map::new();
        storage.insert("@type".into(), json!("dpv:StorageDuration"));
        if let Some(period) = retention.get("period") {
            storage.insert(
                "dpv:hasDuration".into(),
                json!({ "@value": period.value, "@type": "xsd:duration" }),
            );
        }
        if let Some(criterion) = retention.get("criterion") {
            storage.insert("dct:description".into(), json!(criterion.value));
        }
        node.insert("dpv:hasStorageCondition".into(), Value::Object(storage));
    }
    let mut measures = Vec::new();
    if let Some(security) = &record.security_measures {
        measures.push(
            json!({ "@type": "dpv:TechnicalOrganisationalMeasure", "dct:description": security }),
        );
    }
    if activity.operations.iter().any(|o| o.value == "encrypt") {
        measures.push(iri("dpv:Encryption"));
    }
    if let Some(dpia) = &record.dpia {
        measures.push(json!({ "@type": "dpv:DPIA", "dct:description": dpia }));
    }
    if let Some(lia) = &activity.legitimate_interest_assessment {
        measures.push(
            json!({ "@type": "dpv:LegitimateInterestAssessment", "dct:identifier": lia.value }),
        );
    }
    if !measures.is_empty() {
        node.insert(
            "dpv:hasTechnicalOrganisationalMeasure".into(),
            Value::Array(measures),
        );
    }
    match open.get(&Some(record.id.as_str())) {
        Some(lines) => {
            // Open findings: the record is not compliant with the rules that judged it.
            node.insert("dpv:hasComplianceStatus".into(), iri("dpv:NonCompliant"));
            node.insert("ropa:openFinding".into(), json!(lines));
        }
        None => {
            node.insert("ropa:openFinding".into(), json!([]));
        }
    }
    Value::Object(node)
}
