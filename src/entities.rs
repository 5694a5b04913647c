//! Owns the bridge from the typed register to Cedar: the entities (taxonomies as entity
//! hierarchies, the organisation, activities, sub-processors) and one request per thing a
//! rule can judge, each tied to the register node it is about.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Request, RestrictedExpression,
    Schema,
};

use crate::baseline::BaseFacts;
use crate::parallel::{available_threads, map_chunks};
use crate::policy::{NamedCategories, RequestKind, Vocabulary};
use crate::problem::{Code, Problem};
use crate::register::{
    vocab, Activity, AiSystem, AutomatedDecision, Controller, Dpo, Recipients, Register, TextRecord,
};
use crate::source::Location;
use crate::taxonomy::Taxonomy;
use crate::yaml::Located;

/// What a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The organisation.
    Organisation,
    /// `activities[a]`.
    Activity(usize),
    /// `activities[a].data[i]`.
    DataItem(usize, usize),
    /// `activities[a].data_subjects[s]`.
    DataSubject(usize, usize),
    /// `activities[a].subprocessors[r]`.
    Subprocessor(usize, usize),
    /// `activities[a].transfers[t]`.
    Transfer(usize, usize),
    /// `waivers[w]`.
    Waiver(usize),
    /// `positions[p]` (judged as a `Waiver` entity of kind `position`).
    Position(usize),
    /// A category the register defines (index `c` of the data taxonomy when `data`, else of
    /// the subject taxonomy) whose name reads as the category at index `expected` of the
    /// same taxonomy.
    Category {
        /// The data taxonomy (else the subject taxonomy).
        data: bool,
        /// The category's index.
        category: usize,
        /// The index of the category its name reads as.
        expected: usize,
    },
}

impl Subject {
    /// The activity and the target a finding on this subject names: the data item's
    /// category, the subject category, the sub-processor's id, the transfer's recipient (or
    /// country); for a waiver, its activity and rule.
    pub fn names(self, register: &Register) -> (Option<&str>, Option<&str>) {
        let activity = |a: usize| register.activities.get(a);
        let id = |a: usize| activity(a).map(|x| x.id.value.as_str());
        match self {
            Subject::Organisation => (None, None),
            Subject::Activity(a) => (id(a), None),
            Subject::DataItem(a, i) => (
                id(a),
                activity(a)
                    .and_then(|x| x.data.get(i))
                    .map(|d| d.category.value.as_str()),
            ),
            Subject::DataSubject(a, s) => (
                id(a),
                activity(a)
                    .and_then(|x| x.data_subjects.get(s))
                    .map(|s| s.value.as_str()),
            ),
            Subject::Subprocessor(a, r) => (
                id(a),
                activity(a)
                    .and_then(|x| x.subprocessors.get(r))
                    .map(|s| s.value.as_str()),
            ),
            Subject::Transfer(a, t) => (
                id(a),
                activity(a)
                    .and_then(|x| x.transfers.get(t))
                    .and_then(|tr| tr.to.as_ref().or(tr.country.as_ref()))
                    .map(|v| v.value.as_str()),
            ),
            Subject::Waiver(w) => {
                let waiver = register.waivers.get(w);
                (
                    waiver.map(|x| x.activity.value.as_str()),
                    waiver.map(|x| x.rule.value.as_str()),
                )
            }
            Subject::Position(p) => {
                let position = register.positions.get(p);
                (
                    position
                        .and_then(|x| x.activity.as_ref())
                        .map(|a| a.value.as_str()),
                    position.map(|x| x.rule.value.as_str()),
                )
            }
            Subject::Category { data, category, .. } => (
                None,
                category_at(register, data, category).map(|c| c.id.value.as_str()),
            ),
        }
    }

    /// The request kind (Cedar action) for this subject.
    pub fn kind(self) -> RequestKind {
        match self {
            Subject::Organisation => RequestKind::Organisation,
            Subject::Activity(_) => RequestKind::Activity,
            Subject::DataItem(..) => RequestKind::DataItem,
            Subject::DataSubject(..) => RequestKind::DataSubject,
            Subject::Subprocessor(..) => RequestKind::Subprocessor,
            Subject::Transfer(..) => RequestKind::Transfer,
            Subject::Waiver(_) | Subject::Position(_) => RequestKind::Waiver,
            Subject::Category { .. } => RequestKind::Category,
        }
    }
}

/// One thing a rule can judge, and the node it is about.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// What it is about.
    pub subject: Subject,
    /// Where a finding points.
    pub at: Location,
}

/// The entities and every check for one register.
#[derive(Debug)]
pub struct Model {
    /// Every entity.
    pub entities: Entities,
    /// Every check, in register order.
    pub checks: Vec<Check>,
    types: Types,
    organisation: EntityUid,
    /// What a data item's request context reads of the pack's vocabulary (its word lists).
    vocabulary: Vocabulary,
}

/// The entity types ropa builds, parsed once.
#[derive(Debug)]
struct Types {
    data_category: EntityTypeName,
    subject_category: EntityTypeName,
    legal_basis: EntityTypeName,
    organisation: EntityTypeName,
    activity: EntityTypeName,
    subprocessor: EntityTypeName,
    transfer: EntityTypeName,
    country: EntityTypeName,
    region: EntityTypeName,
    waiver: EntityTypeName,
    action: EntityTypeName,
}

impl Types {
    fn new() -> Result<Self, Problem> {
        let name = |n: &str| {
            EntityTypeName::from_str(n)
                .map_err(|e| Problem::general(Code::EntityError, format!("entity type {n}: {e}")))
        };
        Ok(Types {
            data_category: name("DataCategory")?,
            subject_category: name("SubjectCategory")?,
            legal_basis: name("LegalBasis")?,
            organisation: name("Organisation")?,
            activity: name("Activity")?,
            subprocessor: name("Subprocessor")?,
            transfer: name("Transfer")?,
            country: name("Country")?,
            region: name("Region")?,
            waiver: name("Waiver")?,
            action: name("Action")?,
        })
    }
}

/// An error with its sources, so the detail cedar keeps in the chain is not lost.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let detail = inner.to_string();
        if !text.contains(&detail) {
            text.push_str(": ");
            text.push_str(&detail);
        }
        source = inner.source();
    }
    text
}

/// The one place entity UIDs are made.
fn uid(kind: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
}

fn text(value: &Located<String>) -> RestrictedExpression {
    RestrictedExpression::new_string(value.value.clone())
}

fn set_of_text<'a>(values: impl IntoIterator<Item = &'a Located<String>>) -> RestrictedExpression {
    let unique: BTreeSet<&str> = values.into_iter().map(|v| v.value.as_str()).collect();
    RestrictedExpression::new_set(
        unique
            .into_iter()
            .map(|v| RestrictedExpression::new_string(v.to_string())),
    )
}

fn record(
    fields: impl IntoIterator<Item = (String, RestrictedExpression)>,
) -> Result<RestrictedExpression, Problem> {
    RestrictedExpression::new_record(fields)
        .map_err(|e| Problem::general(Code::EntityError, format!("cannot build a record: {e}")))
}

/// What a retention criterion may add to "as long as necessary" and still say no more.
const PURPOSE_TAILS: [&str; 6] = [
    "voor het doel",
    "voor dat doel",
    "voor de doeleinden",
    "for the purpose",
    "for the purposes",
    "for that purpose",
];

/// A text record with only its present fields (see [`Vocabulary::is_absent`]). `retention`
/// also gets what rules compare: the period in days and the criterion in lower case.
fn text_record(
    name: &str,
    rec: &TextRecord,
    vocabulary: &Vocabulary,
) -> Result<RestrictedExpression, Problem> {
    // A word from a closed vocabulary (`bsn_masked: no`) is an answer; only free text can
    // be a non-answer.
    let present = rec.fields.iter().filter(|(k, v)| {
        if crate::register::CHOICE_FIELDS.contains(k) {
            true
        } else if is_reference_field(k) {
            !vocabulary.is_absent_reference(&v.value)
        } else if name == "retention" && *k == "criterion" {
            // "As long as necessary" names no period and no ending event.
            !vocabulary.is_absent(&v.value)
                && !vocabulary
                    .words
                    .is_only("as_long_as_necessary", &v.value, &PURPOSE_TAILS)
        } else {
            !vocabulary.is_absent(&v.value)
        }
    });
    let mut fields: Vec<(String, RestrictedExpression)> = present
        .clone()
        .map(|(k, v)| (k.to_string(), text(v)))
        .collect();
    // Whether the statute a basis names is one (see `vocab::is_statute`): policies never
    // parse text.
    if crate::register::STATUTE_RECORDS.contains(&name) {
        if let Some((_, reference)) = present.clone().find(|(k, _)| *k == "ref") {
            fields.push((
                "ref_is_statute".to_string(),
                RestrictedExpression::new_bool(vocab::is_statute(&reference.value)),
            ));
        }
    }
    // A DPIA's statutory assessment (Art. 35(10)) must name the statute.
    if name == "dpia" {
        if let Some((_, assessment)) = present.clone().find(|(k, _)| *k == "statutory_assessment") {
            fields.push((
                "statutory_assessment_is_statute".to_string(),
                RestrictedExpression::new_bool(vocab::is_statute(&assessment.value)),
            ));
        }
    }
    if name == "retention" {
        for (key, value) in present {
            match *key {
                "period" => {
                    if let Some(days) = vocab::period_days(&value.value) {
                        fields.push((
                            "period_days".to_string(),
                            RestrictedExpression::new_long(days),
                        ));
                    }
                }
                "criterion" => {
                    fields.push((
                        "criterion_normalised".to_string(),
                        RestrictedExpression::new_string(value.value.to_lowercase()),
                    ));
                    // The pack's word lists the criterion holds (`forever`).
                    let folded = crate::words::fold(&value.value);
                    fields.push((
                        "criterion_words".to_string(),
                        RestrictedExpression::new_set(
                            vocabulary
                                .words
                                .lists_found(&folded)
                                .into_iter()
                                .map(|w| RestrictedExpression::new_string(w.to_string())),
                        ),
                    ));
                }
                "ref" => fields.push((
                    "ref_is_statute".to_string(),
                    RestrictedExpression::new_bool(vocab::is_statute(&value.value)),
                )),
                _ => {}
            }
        }
    }
    record(fields)
}

/// Controllers as records, those with an absent name left out.
fn controller_records(
    controllers: &[Controller],
    vocabulary: &Vocabulary,
) -> Result<RestrictedExpression, Problem> {
    let records = controllers
        .iter()
        .filter(|c| !vocabulary.is_absent(&c.name.value))
        .map(|c| {
            let mut fields = vec![("name".to_string(), text(&c.name))];
            if let Some(contact) = present(c.contact.as_ref(), vocabulary) {
                fields.push(("contact".to_string(), text(contact)));
            }
            record(fields)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RestrictedExpression::new_set(records))
}

/// An optional text that is present: written and not empty or a placeholder.
fn present<'a>(
    value: Option<&'a Located<String>>,
    vocabulary: &Vocabulary,
) -> Option<&'a Located<String>> {
    value.filter(|v| !vocabulary.is_absent(&v.value))
}

/// An optional reference that is present: as [`present`], and not a bare reference (`wet`,
/// `see DPIA`).
fn present_reference<'a>(
    value: Option<&'a Located<String>>,
    vocabulary: &Vocabulary,
) -> Option<&'a Located<String>> {
    value.filter(|v| !vocabulary.is_absent_reference(&v.value))
}

/// Whether a field holds a reference to a document: `ref`, `*_ref`, and the LIA.
fn is_reference_field(name: &str) -> bool {
    name == "ref" || name.ends_with("_ref") || name == "legitimate_interest_assessment"
}

/// The data whose scale decides whether a DPO is mandatory (Art. 37(1)(b)-(c)).
const DPO_SCALE_DATA: [&str; 7] = [
    "location",
    "camera_footage",
    "behavioural",
    "cookie_identifier",
    "advertising_id",
    "special_category",
    "criminal_data",
];

/// Whether an activity processes data of [`DPO_SCALE_DATA`] and does not say whether it
/// does so at a large scale.
pub fn large_scale_unstated(activity: &Activity, register: &Register) -> bool {
    activity.large_scale.is_none()
        && activity.data.iter().any(|d| {
            DPO_SCALE_DATA
                .iter()
                .any(|n| register.data_categories.is_in(&d.category.value, n))
        })
}

/// Entities for the categories of a taxonomy, each in its parents.
fn taxonomy_entities(taxonomy: &Taxonomy, kind: &EntityTypeName) -> Vec<Entity> {
    taxonomy
        .categories()
        .iter()
        .map(|c| {
            let parents: HashSet<EntityUid> =
                c.parents.iter().map(|p| uid(kind, &p.value)).collect();
            Entity::new_no_attrs(uid(kind, &c.id.value), parents)
        })
        .collect()
}

/// Every category the given ids are in, ancestors included, as a set of entity UIDs.
fn closure<'a>(
    taxonomy: &Taxonomy,
    kind: &EntityTypeName,
    ids: impl IntoIterator<Item = &'a str>,
    named: Option<&BTreeSet<String>>,
) -> RestrictedExpression {
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for id in ids {
        all.insert(id);
        all.extend(
            taxonomy
                .ancestors(id)
                .filter(|a| named.is_none_or(|named| named.contains(*a))),
        );
    }
    RestrictedExpression::new_set(
        all.into_iter()
            .map(|id| RestrictedExpression::new_entity_uid(uid(kind, id))),
    )
}

fn entity(
    uid: EntityUid,
    attrs: HashMap<String, RestrictedExpression>,
    parents: HashSet<EntityUid>,
) -> Result<Entity, Problem> {
    // The name only for the problem: most entities build.
    let name = uid.clone();
    Entity::new(uid, attrs, parents).map_err(|e| {
        Problem::general(
            Code::EntityError,
            format!("cannot build entity {name}: {e}"),
        )
    })
}

fn activity_attrs(
    activity: &Activity,
    register: &Register,
    t: &Types,
    vocabulary: &Vocabulary,
    named: Option<&NamedCategories>,
) -> Result<HashMap<String, RestrictedExpression>, Problem> {
    let mut attrs: HashMap<String, RestrictedExpression> = HashMap::new();
    let mut put = |k: &str, v: RestrictedExpression| {
        attrs.insert(k.to_string(), v);
    };
    if let Some(name) = present(activity.name.as_ref(), vocabulary) {
        put("name", text(name));
    }
    put("systems", set_of_text(&activity.systems));
    put(
        "role",
        RestrictedExpression::new_string(activity.effective_role().to_string()),
    );
    put(
        "controllers",
        controller_records(&activity.controllers, vocabulary)?,
    );
    let own = &register.organisation;
    // The body whose consent the works-council rules ask: the activity's, else the
    // organisation's, else a works council.
    let body = activity
        .records
        .get("works_council")
        .and_then(|r| r.get("body"))
        .or(own.participation_body.as_ref())
        .map_or("or", |b| b.value.as_str());
    put(
        "participation_body",
        RestrictedExpression::new_string(body.to_string()),
    );
    let own_staff = activity.data_subjects.iter().any(|s| {
        let subjects = &register.subject_categories;
        subjects.is_in(&s.value, "employee") && !subjects.is_in(&s.value, "customer_employee")
    });
    put("own_staff", RestrictedExpression::new_bool(own_staff));
    let item_conditions: Vec<&Located<String>> = activity
        .data
        .iter()
        .filter_map(|d| d.condition.as_ref()?.get("article"))
        .collect();
    put(
        "item_conditions",
        RestrictedExpression::new_set(item_conditions.into_iter().map(text)),
    );
    put(
        "by_public_authority",
        RestrictedExpression::new_bool(
            own.public_authority
                .as_ref()
                .is_some_and(|p| p.value == "yes"),
        ),
    );
    let controller_is_self = activity.controllers.iter().any(|c| {
        crate::register::names::is_self(
            &c.name.value,
            c.contact.as_ref().map(|x| x.value.as_str()),
            &own.name.value,
            own.contact.as_ref().map(|x| x.value.as_str()),
        )
    });
    put(
        "controller_is_self",
        RestrictedExpression::new_bool(controller_is_self),
    );
    put("operations", set_of_text(&activity.operations));
    put(
        "data_subjects",
        closure(
            &register.subject_categories,
            &t.subject_category,
            activity.data_subjects.iter().map(|s| s.value.as_str()),
            named.map(|n| &n.subjects),
        ),
    );
    put(
        "data",
        closure(
            &register.data_categories,
            &t.data_category,
            activity.data.iter().map(|d| d.category.value.as_str()),
            named.map(|n| &n.data),
        ),
    );
    put(
        "purposes",
        set_of_text(activity.purposes.iter().map(|p| &p.id)),
    );
    let purposes_text: Vec<String> = activity
        .purposes
        .iter()
        .filter_map(|p| p.text.as_ref())
        .map(|t| t.value.to_lowercase())
        .collect();
    put(
        "purposes_text",
        RestrictedExpression::new_string(purposes_text.join("\n")),
    );
    let bases: BTreeSet<&str> = activity
        .legal_basis
        .iter()
        .map(|b| b.value.as_str())
        .collect();
    put(
        "legal_basis",
        RestrictedExpression::new_set(
            bases
                .into_iter()
                .map(|b| RestrictedExpression::new_entity_uid(uid(&t.legal_basis, b))),
        ),
    );
    // The bases whose entry names a statute (Art. 6(3)), and the purposes some basis serves
    // (an entry that names none serves them all).
    let statute_bases: BTreeSet<&str> = activity
        .legal_basis
        .iter()
        .zip(&activity.legal_basis_terms)
        .filter(|(_, terms)| {
            present_reference(terms.reference.as_ref(), vocabulary)
                .is_some_and(|r| vocab::is_statute(&r.value))
        })
        .map(|(basis, _)| basis.value.as_str())
        .collect();
    put(
        "statute_bases",
        RestrictedExpression::new_set(
            statute_bases
                .into_iter()
                .map(|b| RestrictedExpression::new_entity_uid(uid(&t.legal_basis, b))),
        ),
    );
    let every_purpose = activity
        .legal_basis_terms
        .iter()
        .any(|t| t.purposes.is_empty());
    let served: BTreeSet<&str> = if every_purpose {
        activity
            .purposes
            .iter()
            .map(|p| p.id.value.as_str())
            .collect()
    } else {
        activity
            .legal_basis_terms
            .iter()
            .flat_map(|t| &t.purposes)
            .map(|p| p.value.as_str())
            .collect()
    };
    put(
        "purposes_with_basis",
        RestrictedExpression::new_set(
            served
                .into_iter()
                .map(|p| RestrictedExpression::new_string(p.to_string())),
        ),
    );
    if let Some(v) = present_reference(activity.legitimate_interest_assessment.as_ref(), vocabulary)
    {
        put("legitimate_interest_assessment", text(v));
    }
    if let Some(v) = present(activity.security_measures.as_ref(), vocabulary) {
        put("security_measures", text(v));
    }
    if let Some(v) = &activity.expected_special_categories {
        put("expected_special_categories", text(v));
    }
    for (name, rec) in &activity.records {
        put(name, text_record(name, rec, vocabulary)?);
    }
    for (name, value) in [
        ("large_scale", &activity.large_scale),
        ("profiling", &activity.profiling),
    ] {
        if let Some(value) = value {
            put(name, text(value));
        }
    }
    match &activity.automated_decision {
        None => {}
        Some(AutomatedDecision::No(_)) => put(
            "automated_decision",
            record([(
                "declared".to_string(),
                RestrictedExpression::new_bool(false),
            )])?,
        ),
        Some(AutomatedDecision::Declared {
            exception,
            safeguards,
            reference,
            explanation_ref,
        }) => {
            let mut fields = vec![("declared".to_string(), RestrictedExpression::new_bool(true))];
            // Whether `ref` names the authorising statute, and whether that is only UAVG
            // art. 40 (which does not allow profiling, C-634/21).
            if let Some(reference) = present_reference(reference.as_ref(), vocabulary) {
                fields.push((
                    "ref_is_statute".to_string(),
                    RestrictedExpression::new_bool(vocab::is_statute(&reference.value)),
                ));
                fields.push((
                    "ref_only_uavg_40".to_string(),
                    RestrictedExpression::new_bool(vocab::only_uavg_40(&reference.value)),
                ));
            }
            for (key, value) in [
                ("exception", exception),
                ("safeguards", safeguards),
                ("ref", reference),
                ("explanation_ref", explanation_ref),
            ] {
                let kept = if is_reference_field(key) {
                    present_reference(value.as_ref(), vocabulary)
                } else {
                    present(value.as_ref(), vocabulary)
                };
                if let Some(value) = kept {
                    fields.push((key.to_string(), text(value)));
                }
            }
            put("automated_decision", record(fields)?);
        }
    }
    if let Some(arrangement) = &activity.joint_arrangement {
        let mut fields = vec![(
            "controllers".to_string(),
            controller_records(&arrangement.controllers, vocabulary)?,
        )];
        if let Some(reference) = present_reference(arrangement.reference.as_ref(), vocabulary) {
            fields.push(("ref".to_string(), text(reference)));
        }
        put("joint_arrangement", record(fields)?);
    }
    if let Some(v) = present(activity.human_involvement.as_ref(), vocabulary) {
        put("human_involvement", text(v));
    }
    match &activity.ai_system {
        None => {}
        Some(AiSystem::No(_)) => put(
            "ai_system",
            record([(
                "declared".to_string(),
                RestrictedExpression::new_bool(false),
            )])?,
        ),
        Some(AiSystem::Declared(rec)) => {
            let mut fields = vec![("declared".to_string(), RestrictedExpression::new_bool(true))];
            for (key, value) in &rec.fields {
                let kept = if crate::register::AI_SYSTEM_CHOICES.contains(key) {
                    Some(value)
                } else if is_reference_field(key) {
                    present_reference(Some(value), vocabulary)
                } else {
                    present(Some(value), vocabulary)
                };
                if let Some(value) = kept {
                    fields.push((key.to_string(), text(value)));
                }
            }
            // The Annex III area of the point (`5` of `5(b)`).
            if let Some(point) = rec.get("annex_iii").filter(|p| p.value != "none") {
                let area: String = point
                    .value
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                fields.push((
                    "annex_iii_area".to_string(),
                    RestrictedExpression::new_string(area),
                ));
            }
            put("ai_system", record(fields)?);
        }
    }
    // The DPIA definition (src/dpia.rs): its criteria, how many are primary, and whether
    // the DPIA is mandatory.
    let assessment = crate::dpia::assess(activity, register);
    put(
        "dpia_assessment",
        record([
            (
                "criteria".to_string(),
                RestrictedExpression::new_set(
                    assessment
                        .criteria
                        .iter()
                        .map(|c| RestrictedExpression::new_string(c.id().to_string())),
                ),
            ),
            (
                "count".to_string(),
                RestrictedExpression::new_long(assessment.criteria.len() as i64),
            ),
            (
                "primary".to_string(),
                RestrictedExpression::new_long(assessment.primary() as i64),
            ),
            (
                "mandatory".to_string(),
                RestrictedExpression::new_bool(!assessment.mandatory.is_empty()),
            ),
        ])?,
    );
    // The pack's word lists found in the purposes, in the name and systems, and in the
    // reasons given for needing no DPIA or for inferring nothing.
    let words = |texts: Vec<&str>| {
        let folded = crate::words::fold(&texts.join("\n"));
        RestrictedExpression::new_set(
            vocabulary
                .words
                .lists_found(&folded)
                .into_iter()
                .map(|w| RestrictedExpression::new_string(w.to_string())),
        )
    };
    put(
        "purpose_words",
        words(
            activity
                .purposes
                .iter()
                .filter_map(|p| p.text.as_ref())
                .map(|t| t.value.as_str())
                .collect(),
        ),
    );
    put(
        "name_words",
        words(
            activity
                .name
                .iter()
                .chain(&activity.systems)
                .map(|t| t.value.as_str())
                .collect(),
        ),
    );
    let reasons = [("dpia", "not_required_reason"), ("inference", "statement")];
    put(
        "reason_words",
        words(
            reasons
                .iter()
                .filter_map(|(r, f)| activity.records.get(r)?.get(f))
                .filter(|v| !vocabulary.is_absent(&v.value))
                .map(|v| v.value.as_str())
                .collect(),
        ),
    );
    // Recipients in a third country that no transfer of the activity, and no entry it
    // references, covers (same country, and the same name when the recipient has one).
    let uncovered: Vec<&Located<String>> = uncovered_recipients(activity, register, vocabulary)
        .into_iter()
        .map(|r| &r.category)
        .collect();
    put("recipients_uncovered", set_of_text(uncovered));
    let subs: BTreeSet<&str> = activity
        .subprocessors
        .iter()
        .map(|s| s.value.as_str())
        .collect();
    put(
        "subprocessors",
        RestrictedExpression::new_set(
            subs.into_iter()
                .map(|s| RestrictedExpression::new_entity_uid(uid(&t.subprocessor, s))),
        ),
    );
    put(
        "transfers",
        RestrictedExpression::new_set(
            (0..activity.transfers.len()).map(|n| {
                RestrictedExpression::new_entity_uid(transfer_uid(t, &activity.id.value, n))
            }),
        ),
    );
    match &activity.recipients {
        Recipients::Unstated => {}
        Recipients::NoneDeclared(_) => put("recipients", RestrictedExpression::new_set([])),
        Recipients::Listed(list) => {
            let records = list
                .iter()
                .map(|r| {
                    let mut fields = vec![("category".to_string(), text(&r.category))];
                    if let Some(name) = present(r.name.as_ref(), vocabulary) {
                        fields.push(("name".to_string(), text(name)));
                    }
                    if let Some(country) = &r.country {
                        fields.push((
                            "country".to_string(),
                            RestrictedExpression::new_entity_uid(uid(&t.country, &country.value)),
                        ));
                    }
                    record(fields)
                })
                .collect::<Result<Vec<_>, _>>()?;
            put("recipients", RestrictedExpression::new_set(records));
        }
    }
    Ok(attrs)
}

/// The recipients of an activity in a country outside the EEA that nothing covers: no
/// transfer of the activity and no entry it references has that country (and, when the
/// recipient is named, that name as the transfer's `to` or the entry's `name`).
pub fn uncovered_recipients<'r>(
    activity: &'r Activity,
    register: &'r Register,
    vocabulary: &Vocabulary,
) -> Vec<&'r crate::register::Recipient> {
    let Recipients::Listed(list) = &activity.recipients else {
        return Vec::new();
    };
    let in_eea = |country: &str| {
        vocabulary
            .regions
            .iter()
            .any(|r| r.id == "EEA" && r.countries.iter().any(|c| c == country))
    };
    let same = |a: Option<&Located<String>>, b: &str| {
        a.is_some_and(|a| a.value.trim().to_lowercase() == b.trim().to_lowercase())
    };
    list.iter()
        .filter(|r| {
            let Some(country) = &r.country else {
                return false;
            };
            if in_eea(&country.value) {
                return false;
            }
            let name = present(r.name.as_ref(), vocabulary).map(|n| n.value.as_str());
            let by_transfer = activity.transfers.iter().any(|t| {
                t.country.as_ref().is_some_and(|c| c.value == country.value)
                    && name.is_none_or(|n| same(t.to.as_ref(), n))
            });
            let by_entry = activity
                .subprocessors
                .iter()
                .filter_map(|id| register.subprocessor(&id.value))
                .any(|e| {
                    e.country.as_ref().is_some_and(|c| c.value == country.value)
                        && name.is_none_or(|n| same(e.name.as_ref(), n))
                });
            !by_transfer && !by_entry
        })
        .collect()
}

/// What the entities depend on beyond the register: the day, the base register when the
/// change is judged, and the organisation's accountability settings.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    /// `YYYY-MM-DD`.
    pub today: &'a str,
    /// What the base had; `None` when there is no base (then nothing is new).
    pub base: Option<&'a BaseFacts>,
    /// How often activities are reviewed, and how long a waiver may run.
    pub accountability: Accountability,
}

impl<'a> Judging<'a> {
    /// A check on `today` with no base and the default accountability settings.
    pub fn plain(today: &'a str) -> Self {
        Judging {
            today,
            base: None,
            accountability: Accountability::default(),
        }
    }

    /// The same judging with no base: how the base itself is judged.
    pub fn without_base(&self) -> Self {
        Judging {
            base: None,
            ..*self
        }
    }
}

/// What `ropa.toml` sets for accountability (Art. 5(2)): how often each activity is
/// reviewed, whether every activity must record its review and owner, and the longest term
/// of a waiver, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accountability {
    /// `review-interval` (default `P1Y`).
    pub review_interval_days: i64,
    /// `require-review` (default false).
    pub require_review: bool,
    /// `waiver-max-term` (default `P1Y`, at most `P3Y`).
    pub waiver_max_term_days: i64,
}

impl Default for Accountability {
    fn default() -> Self {
        Accountability {
            review_interval_days: 365,
            require_review: false,
            waiver_max_term_days: 365,
        }
    }
}

/// Builds the entities and requests for a register. With a schema, entities and requests are
/// checked against it (slower; used by tests and `--strict` checks).
///
/// `named` narrows the activity's `data` and `data_subjects` sets to its own categories and
/// the ancestors the rules name ([`PolicyPack::named`](crate::policy::PolicyPack)): a rule can
/// only test a category it names, so this changes no result and saves most of the memory of
/// those sets. `None` keeps every ancestor.
pub fn build(
    register: &Register,
    vocabulary: &Vocabulary,
    named: Option<&NamedCategories>,
    judging: &Judging<'_>,
    schema: Option<&Schema>,
) -> Result<Model, Problem> {
    let common = common(register, vocabulary, judging)?;
    let indices: Vec<usize> = (0..register.activities.len()).collect();
    let model = build_part(
        &common, register, vocabulary, named, judging, &indices, true,
    )?;
    // With a schema (tests), the entities and every request are checked against it too.
    if let Some(schema) = schema {
        let checked = Entities::from_entities(model.entities.iter().cloned(), Some(schema))
            .map_err(|e| {
                Problem::general(
                    Code::EntityError,
                    format!("cannot build the entities: {}", chain(&e)),
                )
            })?;
        drop(checked);
        for check in &model.checks {
            model.request_checked(check, register, Some(schema), true)?;
        }
    }
    Ok(model)
}

/// What every part of the register's entities shares: the taxonomies, regions and countries,
/// the organisation and the sub-processors, and the organisation's own check.
pub struct Common {
    entities: Vec<Entity>,
    organisation: EntityUid,
    organisation_check: Check,
}

/// The entities every activity's checks refer to (see [`Common`]).
pub fn common(
    register: &Register,
    vocabulary: &Vocabulary,
    judging: &Judging<'_>,
) -> Result<Common, Problem> {
    let t = Types::new()?;
    let regions = &vocabulary.regions;
    let mut entities = taxonomy_entities(&register.data_categories, &t.data_category);
    entities.extend(
        regions
            .iter()
            .map(|r| Entity::new_no_attrs(uid(&t.region, &r.id), HashSet::new())),
    );
    let countries: BTreeSet<&str> = register
        .subprocessors
        .iter()
        .filter_map(|s| s.country.as_ref())
        .chain(
            register
                .activities
                .iter()
                .flat_map(|a| a.transfers.iter().filter_map(|tr| tr.country.as_ref())),
        )
        .chain(
            register
                .activities
                .iter()
                .flat_map(|a| match &a.recipients {
                    Recipients::Listed(list) => {
                        list.iter().filter_map(|r| r.country.as_ref()).collect()
                    }
                    _ => Vec::new(),
                }),
        )
        .map(|c| c.value.as_str())
        .collect();
    for country in countries {
        let parents = regions
            .iter()
            .filter(|r| r.countries.iter().any(|c| c == country))
            .map(|r| uid(&t.region, &r.id))
            .collect();
        entities.push(Entity::new_no_attrs(uid(&t.country, country), parents));
    }
    entities.extend(taxonomy_entities(
        &register.subject_categories,
        &t.subject_category,
    ));

    let org = &register.organisation;
    let org_uid = uid(&t.organisation, &org.id.value);
    let mut org_attrs = HashMap::new();
    org_attrs.insert("name".to_string(), text(&org.name));
    org_attrs.insert(
        "public_authority".to_string(),
        RestrictedExpression::new_bool(
            org.public_authority
                .as_ref()
                .is_some_and(|p| p.value == "yes"),
        ),
    );
    org_attrs.insert(
        "public_service".to_string(),
        RestrictedExpression::new_bool(
            org.public_service
                .as_ref()
                .is_some_and(|p| p.value == "yes"),
        ),
    );
    // The AI Act's dated duties (pack data): whether they apply on the day of the check.
    let today = vocab::day_number(judging.today);
    let from = |date: &str| match (today, vocab::day_number(date)) {
        (Some(today), Some(from)) => today >= from,
        _ => false,
    };
    org_attrs.insert(
        "annex_iii_in_force".to_string(),
        RestrictedExpression::new_bool(from(&vocabulary.dates.annex_iii_from)),
    );
    org_attrs.insert(
        "transparency_in_force".to_string(),
        RestrictedExpression::new_bool(from(&vocabulary.dates.transparency_from)),
    );
    // Activities of any role with data whose scale decides on a DPO that do not say
    // whether they are large scale (`large-scale-undeclared`).
    let unstated = register
        .activities
        .iter()
        .filter(|a| large_scale_unstated(a, register))
        .map(|a| &a.id);
    org_attrs.insert("large_scale_unstated".to_string(), set_of_text(unstated));
    // A contact that gives no way to reach anyone ("de FG") counts as absent.
    fn reachable<'c>(
        contact: Option<&'c Located<String>>,
        vocabulary: &Vocabulary,
    ) -> Option<&'c Located<String>> {
        present(contact, vocabulary).filter(|c| vocab::is_contact(&c.value))
    }
    if let Some(contact) = reachable(org.contact.as_ref(), vocabulary) {
        org_attrs.insert("contact".to_string(), text(contact));
    }
    match &org.dpo {
        Some(Dpo::NoneDesignated(_)) => {
            org_attrs.insert(
                "dpo".to_string(),
                record([(
                    "designated".to_string(),
                    RestrictedExpression::new_bool(false),
                )])?,
            );
        }
        Some(Dpo::Designated { name, contact }) => {
            let mut fields = vec![(
                "designated".to_string(),
                RestrictedExpression::new_bool(true),
            )];
            fields
                .extend(present(name.as_ref(), vocabulary).map(|n| ("name".to_string(), text(n))));
            fields.extend(
                reachable(contact.as_ref(), vocabulary).map(|c| ("contact".to_string(), text(c))),
            );
            org_attrs.insert("dpo".to_string(), record(fields)?);
        }
        None => {}
    }
    entities.push(entity(org_uid.clone(), org_attrs, HashSet::new())?);

    for sub in &register.subprocessors {
        let mut attrs = HashMap::new();
        attrs.insert("kind".to_string(), text(&sub.kind));
        if let Some(country) = &sub.country {
            attrs.insert(
                "country".to_string(),
                RestrictedExpression::new_entity_uid(uid(&t.country, &country.value)),
            );
        }
        // Free text: a non-answer counts as absent.
        let optional = [
            ("name", &sub.name),
            ("dpa_ref", &sub.dpa_ref),
            ("notified_on", &sub.notified_on),
            ("tia_ref", &sub.tia_ref),
            ("engaged_by", &sub.engaged_by),
            ("approval_ref", &sub.approval_ref),
        ];
        for (k, v) in optional {
            let kept = if is_reference_field(k) {
                present_reference(v.as_ref(), vocabulary)
            } else {
                present(v.as_ref(), vocabulary)
            };
            if let Some(v) = kept {
                attrs.insert(k.to_string(), text(v));
            }
        }
        // Words of closed vocabularies: `dpf_certified: no` is an answer.
        let chosen = [
            ("authorisation", &sub.authorisation),
            ("transfer_mechanism", &sub.transfer_mechanism),
            ("dpf_certified", &sub.dpf_certified),
            ("dpf_hr", &sub.dpf_hr),
        ];
        for (k, v) in chosen {
            if let Some(v) = v {
                attrs.insert(k.to_string(), text(v));
            }
        }
        let notified = sub
            .notified_on
            .as_ref()
            .and_then(|d| vocab::day_number(&d.value));
        if let (Some(notified), Some(today)) = (notified, vocab::day_number(judging.today)) {
            attrs.insert(
                "notified_days_ago".to_string(),
                RestrictedExpression::new_long(today - notified),
            );
        }
        entities.push(entity(
            uid(&t.subprocessor, &sub.id.value),
            attrs,
            HashSet::new(),
        )?);
    }

    Ok(Common {
        entities,
        organisation: org_uid,
        organisation_check: Check {
            subject: Subject::Organisation,
            at: org.id.at,
        },
    })
}

/// The model of some activities (`activities`, indices into the register) with the common
/// entities, and with the organisation's check when `with_organisation`. Activities are
/// independent: a register's checks can be judged part by part, each part's entities freed
/// before the next is built, and the findings are the same.
pub fn build_part(
    common: &Common,
    register: &Register,
    vocabulary: &Vocabulary,
    named: Option<&NamedCategories>,
    judging: &Judging<'_>,
    activities: &[usize],
    with_organisation: bool,
) -> Result<Model, Problem> {
    let t = Types::new()?;
    let org_uid = common.organisation.clone();
    let mut entities = common.entities.clone();
    let mut checks = Vec::new();
    if with_organisation {
        checks.push(common.organisation_check);
    }
    // Activities are independent: build their entities and checks on every core.
    let parts = map_chunks(
        activities,
        available_threads(),
        ACTIVITIES_PER_THREAD,
        |chunk| {
            let mut part = (Vec::new(), Vec::new());
            for &a in chunk {
                build_activity(
                    a,
                    register,
                    &t,
                    (vocabulary, judging),
                    named,
                    &org_uid,
                    &mut part.0,
                    &mut part.1,
                )?;
            }
            Ok(part)
        },
        || {
            Err(Problem::general(
                Code::EntityError,
                "an entity-building thread failed",
            ))
        },
    );
    for part in parts {
        let (more_entities, more_checks) = part?;
        entities.extend(more_entities);
        checks.extend(more_checks);
    }
    let entities = Entities::from_entities(entities, None).map_err(|e| {
        Problem::general(
            Code::EntityError,
            format!("cannot build the entities: {}", chain(&e)),
        )
    })?;
    Ok(Model {
        entities,
        checks,
        types: t,
        organisation: org_uid,
        vocabulary: vocabulary.clone(),
    })
}

/// Fewer activities than this per thread are not worth a thread.
const ACTIVITIES_PER_THREAD: usize = 500;

impl Model {
    /// The Cedar request of a check. Requests are built when evaluated, not kept: at scale
    /// they would hold more memory than the entities.
    pub fn request(&self, check: &Check, register: &Register) -> Result<Request, Problem> {
        self.request_checked(check, register, None, true)
    }

    /// [`Model::request`]; without `context`, a data item's request has an empty context
    /// (for policies none of which mentions `context`, which then cannot tell).
    pub fn request_with(
        &self,
        check: &Check,
        register: &Register,
        context: bool,
    ) -> Result<Request, Problem> {
        self.request_checked(check, register, None, context)
    }

    fn request_checked(
        &self,
        check: &Check,
        register: &Register,
        schema: Option<&Schema>,
        with_context: bool,
    ) -> Result<Request, Problem> {
        let t = &self.types;
        let activity = |a: usize| {
            register.activities.get(a).ok_or_else(|| {
                Problem::general(
                    Code::EntityError,
                    "a check names an activity that does not exist",
                )
            })
        };
        let kind = check.subject.kind();
        let (principal, resource, context) = match check.subject {
            Subject::Organisation => (
                self.organisation.clone(),
                self.organisation.clone(),
                Context::empty(),
            ),
            Subject::Activity(a) => (
                self.organisation.clone(),
                uid(&t.activity, &activity(a)?.id.value),
                Context::empty(),
            ),
            Subject::DataItem(a, i) => {
                let activity = activity(a)?;
                let item = activity.data.get(i).ok_or_else(|| {
                    Problem::general(
                        Code::EntityError,
                        "a check names a data item that does not exist",
                    )
                })?;
                let context = if with_context {
                    let mut pairs = vec![("purposes".to_string(), set_of_text(&item.purposes))];
                    if let Some(label) = &item.label {
                        pairs.push(("label".to_string(), text(label)));
                    }
                    // The pack's word lists the item's label holds (`special`, `diagnosis`).
                    let found: Vec<String> = item
                        .label
                        .as_ref()
                        .map(|l| {
                            let folded = crate::words::fold(&l.value);
                            self.vocabulary
                                .words
                                .lists_found(&folded)
                                .into_iter()
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    pairs.push((
                        "label_words".to_string(),
                        RestrictedExpression::new_set(
                            found.into_iter().map(RestrictedExpression::new_string),
                        ),
                    ));
                    // The item's own Art. 9(2) condition: its point (normalised on load) and
                    // whether its `ref` names a statute.
                    if let Some(condition) = &item.condition {
                        let mut fields = vec![(
                            "ref_is_statute".to_string(),
                            RestrictedExpression::new_bool(
                                condition
                                    .get("ref")
                                    .is_some_and(|r| vocab::is_statute(&r.value)),
                            ),
                        )];
                        if let Some(article) = condition.get("article") {
                            fields.push(("article".to_string(), text(article)));
                        }
                        // Whether `ref` names UAVG art. 29 (biometrics for identification).
                        fields.push((
                            "ref_names_uavg_29".to_string(),
                            RestrictedExpression::new_bool(
                                condition
                                    .get("ref")
                                    .is_some_and(|r| vocab::names_uavg_article(&r.value, 29)),
                            ),
                        ));
                        if let Some(necessity) = condition
                            .get("necessity")
                            .filter(|n| !self.vocabulary.is_absent(&n.value))
                        {
                            fields.push(("necessity".to_string(), text(necessity)));
                        }
                        pairs.push(("condition".to_string(), record(fields)?));
                    }
                    Context::from_pairs(pairs).map_err(|e| {
                        Problem::general(
                            Code::EntityError,
                            format!("invalid data item context: {e}"),
                        )
                    })?
                } else {
                    Context::empty()
                };
                (
                    uid(&t.activity, &activity.id.value),
                    uid(&t.data_category, &item.category.value),
                    context,
                )
            }
            Subject::DataSubject(a, s) => {
                let activity = activity(a)?;
                let subject = activity
                    .data_subjects
                    .get(s)
                    .map_or("", |s| s.value.as_str());
                (
                    uid(&t.activity, &activity.id.value),
                    uid(&t.subject_category, subject),
                    Context::empty(),
                )
            }
            Subject::Subprocessor(a, r) => {
                let activity = activity(a)?;
                let sub = activity
                    .subprocessors
                    .get(r)
                    .map_or("", |s| s.value.as_str());
                (
                    uid(&t.activity, &activity.id.value),
                    uid(&t.subprocessor, sub),
                    Context::empty(),
                )
            }
            Subject::Transfer(a, n) => {
                let activity = activity(a)?;
                (
                    uid(&t.activity, &activity.id.value),
                    transfer_uid(t, &activity.id.value, n),
                    Context::empty(),
                )
            }
            Subject::Waiver(w) => (waiver_uid(t, w), waiver_uid(t, w), Context::empty()),
            Subject::Position(p) => (position_uid(t, p), position_uid(t, p), Context::empty()),
            Subject::Category {
                data,
                category,
                expected,
            } => {
                let missing = || {
                    Problem::general(
                        Code::EntityError,
                        "a check names a category that does not exist",
                    )
                };
                let ty = if data {
                    &t.data_category
                } else {
                    &t.subject_category
                };
                let own = category_at(register, data, category).ok_or_else(missing)?;
                let reads_as = category_at(register, data, expected).ok_or_else(missing)?;
                let key = if data {
                    "expected_data"
                } else {
                    "expected_subject"
                };
                let context = Context::from_pairs([(
                    key.to_string(),
                    RestrictedExpression::new_entity_uid(uid(ty, &reads_as.id.value)),
                )])
                .map_err(|e| {
                    Problem::general(
                        Code::EntityError,
                        format!("cannot build a category's context: {}", chain(&e)),
                    )
                })?;
                (self.organisation.clone(), uid(ty, &own.id.value), context)
            }
        };
        Request::new(
            principal,
            uid(&t.action, kind.action()),
            resource,
            context,
            schema,
        )
        .map_err(|e| {
            Problem::general(
                Code::EntityError,
                format!("invalid {} request: {}", kind.noun(), chain(&e)),
            )
        })
    }
}

/// Who answers for an activity and when it was last reviewed, with the organisation's
/// review settings: `owner`, `reviewed_days_ago` (days from `reviewed_on` to the day of the
/// check), `review_interval_days` and `require_review`.
fn accountability_attrs(
    activity: &Activity,
    judging: &Judging<'_>,
    vocabulary: &Vocabulary,
    attrs: &mut HashMap<String, RestrictedExpression>,
) {
    if let Some(owner) = present(activity.owner.as_ref(), vocabulary) {
        attrs.insert("owner".to_string(), text(owner));
    }
    let reviewed = activity
        .reviewed_on
        .as_ref()
        .and_then(|d| vocab::day_number(&d.value));
    if let (Some(reviewed), Some(today)) = (reviewed, vocab::day_number(judging.today)) {
        attrs.insert(
            "reviewed_days_ago".to_string(),
            RestrictedExpression::new_long(today - reviewed),
        );
    }
    attrs.insert(
        "review_interval_days".to_string(),
        RestrictedExpression::new_long(judging.accountability.review_interval_days),
    );
    attrs.insert(
        "require_review".to_string(),
        RestrictedExpression::new_bool(judging.accountability.require_review),
    );
}

/// What the change did to an activity, against the base: whether the activity is new, and
/// the legal bases and sub-processors it gained (all of them, for a new activity). With no
/// base nothing is new.
fn change_attrs(
    activity: &Activity,
    base: Option<&BaseFacts>,
    t: &Types,
    attrs: &mut HashMap<String, RestrictedExpression>,
) {
    let before = base.map(|b| b.activity(&activity.id.value));
    let added_in_change = matches!(before, Some(None));
    let gained = |now: BTreeSet<&str>, had: Option<&BTreeSet<String>>| -> BTreeSet<String> {
        match (base, had) {
            (None, _) => BTreeSet::new(),
            (Some(_), None) => now.into_iter().map(str::to_string).collect(),
            (Some(_), Some(had)) => now
                .into_iter()
                .filter(|x| !had.contains(*x))
                .map(str::to_string)
                .collect(),
        }
    };
    let facts = before.flatten();
    let bases = gained(
        activity
            .legal_basis
            .iter()
            .map(|b| b.value.as_str())
            .collect(),
        facts.map(|f| &f.legal_bases),
    );
    let subs = gained(
        activity
            .subprocessors
            .iter()
            .map(|s| s.value.as_str())
            .collect(),
        facts.map(|f| &f.subprocessors),
    );
    attrs.insert(
        "added_in_change".to_string(),
        RestrictedExpression::new_bool(added_in_change),
    );
    attrs.insert(
        "legal_basis_added".to_string(),
        RestrictedExpression::new_set(
            bases
                .iter()
                .map(|b| RestrictedExpression::new_entity_uid(uid(&t.legal_basis, b))),
        ),
    );
    attrs.insert(
        "subprocessors_added".to_string(),
        RestrictedExpression::new_set(
            subs.iter()
                .map(|s| RestrictedExpression::new_entity_uid(uid(&t.subprocessor, s))),
        ),
    );
}

/// The entity of the `w`th waiver.
fn waiver_uid(t: &Types, w: usize) -> EntityUid {
    uid(&t.waiver, &format!("waiver/{w}"))
}

/// The category at `index` of the register's data (or subject) taxonomy.
pub fn category_at(
    register: &Register,
    data: bool,
    index: usize,
) -> Option<&crate::taxonomy::Category> {
    let taxonomy = if data {
        &register.data_categories
    } else {
        &register.subject_categories
    };
    taxonomy.categories().get(index)
}

/// The model of the categories the register defines whose id or label holds a word of one
/// of the pack's `category_words` lists: one check each, against the first such list (its
/// category is what the name reads as). `pack_data` and `pack_subjects` are the pack's own
/// taxonomies, to tell the register's categories from them.
pub fn category_model(
    register: &Register,
    vocabulary: &Vocabulary,
    pack_data: &Taxonomy,
    pack_subjects: &Taxonomy,
    schema: Option<&Schema>,
) -> Result<Model, Problem> {
    let t = Types::new()?;
    let mut checks = Vec::new();
    for (data, own, theirs) in [
        (true, &register.data_categories, pack_data),
        (false, &register.subject_categories, pack_subjects),
    ] {
        let index = |id: &str| own.categories().iter().position(|c| c.id.value == id);
        for (c, category) in own.categories().iter().enumerate() {
            if theirs.contains(&category.id.value) {
                continue;
            }
            let mut name = crate::words::fold(&category.id.value);
            for label in [&category.label, &category.label_en].into_iter().flatten() {
                name.push_str(&crate::words::fold(&label.value));
            }
            let reads_as = vocabulary
                .category_words
                .iter()
                .filter(|entry| entry.data == data)
                .find(|entry| vocabulary.words.find_folded(&entry.words, &name).is_some())
                .and_then(|entry| index(&entry.category));
            if let Some(expected) = reads_as {
                checks.push(Check {
                    subject: Subject::Category {
                        data,
                        category: c,
                        expected,
                    },
                    at: category.id.at,
                });
            }
        }
    }
    // No category to judge (most registers): no entities to build either.
    let mut entities = Vec::new();
    if !checks.is_empty() {
        entities = taxonomy_entities(&register.data_categories, &t.data_category);
        entities.extend(taxonomy_entities(
            &register.subject_categories,
            &t.subject_category,
        ));
    }
    side_model(register, entities, checks, t, schema, "category")
}

/// A model of checks judged beside the activities (waivers, positions, categories): its
/// entities, and with a schema (tests) every request checked against it. `what` names the
/// entities in a problem.
fn side_model(
    register: &Register,
    entities: Vec<Entity>,
    checks: Vec<Check>,
    types: Types,
    schema: Option<&Schema>,
    what: &str,
) -> Result<Model, Problem> {
    let entities = Entities::from_entities(entities, schema).map_err(|e| {
        Problem::general(
            Code::EntityError,
            format!("cannot build the {what} entities: {}", chain(&e)),
        )
    })?;
    let organisation = uid(&types.organisation, &register.organisation.id.value);
    let model = Model {
        entities,
        checks,
        types,
        organisation,
        vocabulary: Vocabulary::default(),
    };
    if let Some(schema) = schema {
        for check in &model.checks {
            model.request_checked(check, register, Some(schema), true)?;
        }
    }
    Ok(model)
}

/// The entity of the `p`th position.
fn position_uid(t: &Types, p: usize) -> EntityUid {
    uid(&t.waiver, &format!("position/{p}"))
}

/// The model of the register's waivers and positions, judged once its findings are known:
/// `waiver_matches` and `position_matches` are how many findings each matches.
pub fn waiver_model(
    register: &Register,
    waiver_matches: &[usize],
    position_matches: &[usize],
    judging: &Judging<'_>,
    schema: Option<&Schema>,
) -> Result<Model, Problem> {
    let accountability = judging.accountability;
    let t = Types::new()?;
    let today = vocab::day_number(judging.today);
    let count = |n: usize| RestrictedExpression::new_long(i64::try_from(n).unwrap_or(i64::MAX));
    let common = |kind: &str, rule: &Located<String>, matched: usize| {
        HashMap::from([
            (
                "kind".to_string(),
                RestrictedExpression::new_string(kind.to_string()),
            ),
            ("rule".to_string(), text(rule)),
            ("matched".to_string(), count(matched)),
            (
                "max_term_days".to_string(),
                RestrictedExpression::new_long(accountability.waiver_max_term_days),
            ),
            (
                "review_interval_days".to_string(),
                RestrictedExpression::new_long(accountability.review_interval_days),
            ),
            // A position must record its review (the loader asks for `reviewed_on`).
            (
                "require_review".to_string(),
                RestrictedExpression::new_bool(false),
            ),
        ])
    };
    let mut entities = Vec::new();
    let mut checks = Vec::new();
    for (w, waiver) in register.waivers.iter().enumerate() {
        let expires = vocab::day_number(&waiver.expires.value);
        let (Some(today), Some(expires)) = (today, expires) else {
            continue;
        };
        let mut attrs = common(
            "waiver",
            &waiver.rule,
            waiver_matches.get(w).copied().unwrap_or(0),
        );
        attrs.insert("activity".to_string(), text(&waiver.activity));
        attrs.insert(
            "expires_in_days".to_string(),
            RestrictedExpression::new_long(expires - today),
        );
        if let Some(target) = &waiver.target {
            attrs.insert("target".to_string(), text(target));
        }
        entities.push(entity(waiver_uid(&t, w), attrs, HashSet::new())?);
        checks.push(Check {
            subject: Subject::Waiver(w),
            at: waiver.rule.at,
        });
    }
    for (p, position) in register.positions.iter().enumerate() {
        let reviewed = vocab::day_number(&position.reviewed_on.value);
        let (Some(today), Some(reviewed)) = (today, reviewed) else {
            continue;
        };
        let matched = position_matches.get(p).copied().unwrap_or(0);
        let mut attrs = common("position", &position.rule, matched);
        attrs.insert(
            "reviewed_days_ago".to_string(),
            RestrictedExpression::new_long(today - reviewed),
        );
        if let Some(activity) = &position.activity {
            attrs.insert("activity".to_string(), text(activity));
        }
        if let Some(target) = &position.target {
            attrs.insert("target".to_string(), text(target));
        }
        entities.push(entity(position_uid(&t, p), attrs, HashSet::new())?);
        checks.push(Check {
            subject: Subject::Position(p),
            at: position.rule.at,
        });
    }
    side_model(register, entities, checks, t, schema, "waiver")
}

/// The entity of an activity's `n`th transfer.
fn transfer_uid(t: &Types, activity: &str, n: usize) -> EntityUid {
    uid(&t.transfer, &format!("{activity}/{n}"))
}

/// The entities (the activity, its transfers) and the checks of `activities[a]`.
#[expect(
    clippy::too_many_arguments,
    reason = "one activity's share of the model's inputs"
)]
fn build_activity(
    a: usize,
    register: &Register,
    t: &Types,
    (vocabulary, judging): (&Vocabulary, &Judging<'_>),
    named: Option<&NamedCategories>,
    org_uid: &EntityUid,
    entities: &mut Vec<Entity>,
    checks: &mut Vec<Check>,
) -> Result<(), Problem> {
    let Some(activity) = register.activities.get(a) else {
        return Ok(());
    };
    let activity_uid = uid(&t.activity, &activity.id.value);
    let mut attrs = activity_attrs(activity, register, t, vocabulary, named)?;
    change_attrs(activity, judging.base, t, &mut attrs);
    accountability_attrs(activity, judging, vocabulary, &mut attrs);
    entities.push(entity(
        activity_uid,
        attrs,
        HashSet::from([org_uid.clone()]),
    )?);
    checks.push(Check {
        subject: Subject::Activity(a),
        at: activity.id.at,
    });
    for (i, item) in activity.data.iter().enumerate() {
        checks.push(Check {
            subject: Subject::DataItem(a, i),
            at: item.category.at,
        });
    }
    for (s, subject) in activity.data_subjects.iter().enumerate() {
        checks.push(Check {
            subject: Subject::DataSubject(a, s),
            at: subject.at,
        });
    }
    for (n, transfer) in activity.transfers.iter().enumerate() {
        let mut attrs = HashMap::new();
        if let Some(to) = present(transfer.to.as_ref(), vocabulary) {
            attrs.insert("to".to_string(), text(to));
        }
        if let Some(country) = &transfer.country {
            attrs.insert(
                "country".to_string(),
                RestrictedExpression::new_entity_uid(uid(&t.country, &country.value)),
            );
        }
        if let Some(mechanism) = &transfer.mechanism {
            attrs.insert("mechanism".to_string(), text(mechanism));
        }
        if let Some(tia) = present_reference(transfer.tia_ref.as_ref(), vocabulary) {
            attrs.insert("tia_ref".to_string(), text(tia));
        }
        for (key, value) in [
            ("dpf_certified", &transfer.dpf_certified),
            ("dpf_hr", &transfer.dpf_hr),
            ("derogation_point", &transfer.derogation_point),
        ] {
            if let Some(value) = value {
                attrs.insert(key.to_string(), text(value));
            }
        }
        if let Some(v) = present_reference(transfer.approval_ref.as_ref(), vocabulary) {
            attrs.insert("approval_ref".to_string(), text(v));
        }
        if let Some(v) = present(transfer.occasional_reason.as_ref(), vocabulary) {
            attrs.insert("occasional_reason".to_string(), text(v));
        }
        entities.push(entity(
            transfer_uid(t, &activity.id.value, n),
            attrs,
            HashSet::new(),
        )?);
        checks.push(Check {
            subject: Subject::Transfer(a, n),
            at: transfer.country.as_ref().map_or(transfer.at, |c| c.at),
        });
    }
    for (r, sub) in activity.subprocessors.iter().enumerate() {
        checks.push(Check {
            subject: Subject::Subprocessor(a, r),
            at: sub.at,
        });
    }
    Ok(())
}
