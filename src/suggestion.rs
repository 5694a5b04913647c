//! Owns checking what `explain` suggests before it is shown: one action of [`crate::fix`]
//! applied to a copy of the activity (a field added with the field reference's example
//! value, a value set or changed, an entry added or removed), the changed activity judged by
//! the whole pack, and what that did: whether the finding went, and which findings of
//! other rules came with the change.

use crate::entities::{self, Judging, Subject};
use crate::policy::PolicyPack;
use crate::register::{
    AiSystem, AutomatedDecision, Controller, JointArrangement, Purpose, Recipient, Recipients,
    Register, TextRecord, AI_SYSTEM_FIELDS, ITEM_RECORDS, TEXT_RECORDS,
};
use crate::source::Location;
use crate::yaml::Located;

/// What applying one suggestion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The finding is gone.
    pub clears: bool,
    /// Rules that fire on the activity after the change and did not before.
    pub brings: Vec<String>,
}

/// One activity of a register, judged alone (what the rules say of it and what it holds).
struct Alone {
    register: Register,
}

impl Alone {
    /// The register with only the activity at `index` (and everything it refers to).
    fn of(register: &Register, index: usize) -> Option<Self> {
        let mut register = register.clone();
        let activity = register.activities.get(index)?.clone();
        register.activities = vec![activity];
        register.waivers.clear();
        register.positions.clear();
        Some(Alone { register })
    }

    /// The rule ids and targets that fire on the activity.
    fn findings(&self, pack: &PolicyPack, today: &str) -> Option<Vec<(String, Option<String>)>> {
        let model = entities::build(
            &self.register,
            &pack.vocabulary,
            pack.named.as_ref(),
            &Judging::plain(today),
            None,
        )
        .ok()?;
        let id = &self.register.activities.first()?.id.value;
        let findings = crate::eval::evaluate(&self.register, pack, &model).ok()?;
        Some(
            findings
                .into_iter()
                .filter(|f| f.activity.as_deref() == Some(id.as_str()))
                .map(|f| (f.rule, f.target))
                .collect(),
        )
    }
}

/// What applying `action` (as [`crate::fix`] phrases it) to the activity of `subject` does
/// to the finding of `rule` on it; `None` when the action is not one ropa can apply.
pub fn check(
    register: &Register,
    pack: &PolicyPack,
    today: &str,
    subject: Subject,
    rule: &str,
    action: &str,
) -> Option<Outcome> {
    let index = match subject {
        Subject::Activity(a)
        | Subject::DataItem(a, _)
        | Subject::DataSubject(a, _)
        | Subject::Subprocessor(a, _)
        | Subject::Transfer(a, _) => a,
        _ => return None,
    };
    let before = Alone::of(register, index)?;
    let target = subject.names(register).1.map(str::to_string);
    let was = before.findings(pack, today)?;
    let mut after = Alone::of(register, index)?;
    // In the copy, the activity is the first and only one.
    let subject = match subject {
        Subject::Activity(_) => Subject::Activity(0),
        Subject::DataItem(_, i) => Subject::DataItem(0, i),
        Subject::DataSubject(_, i) => Subject::DataSubject(0, i),
        Subject::Subprocessor(_, r) => Subject::Subprocessor(0, r),
        Subject::Transfer(_, t) => Subject::Transfer(0, t),
        other => other,
    };
    apply(&mut after.register, subject, action)?;
    let now = after.findings(pack, today)?;
    let clears = !now
        .iter()
        .any(|(r, t)| r == rule && t.as_deref() == target.as_deref());
    let mut brings: Vec<String> = now
        .iter()
        .filter(|(r, _)| r != rule && !was.iter().any(|(w, _)| w == r))
        .map(|(r, _)| r.clone())
        .collect();
    brings.sort();
    brings.dedup();
    Some(Outcome { clears, brings })
}

/// The code spans of an action, in order (`add `a` and `b`` gives `a`, `b`).
fn spans(action: &str) -> Vec<&str> {
    action.split('`').skip(1).step_by(2).collect()
}

/// Applies the action to the register; `None` when it cannot.
fn apply(register: &mut Register, subject: Subject, action: &str) -> Option<()> {
    let paths = spans(action);
    if let Some(rest) = action.strip_prefix("add a law and its article in ") {
        let path = spans(rest).into_iter().next()?;
        let (record, field) = path.split_once('.')?;
        let statute = crate::schema::field_example(record, field).unwrap_or("UAVG art. 30");
        return set_field(register, subject, record, field, statute);
    }
    if action.starts_with("add an entry to ") {
        return add_entry(register, subject, paths.first()?);
    }
    if action.starts_with("add ") {
        for path in paths {
            add(register, subject, path)?;
        }
        return Some(());
    }
    if let Some(rest) = action.strip_prefix("set ") {
        let (path, value) = rest.split_once(" to ")?;
        let path = spans(path).into_iter().next()?;
        return set_path(register, subject, path, value.trim_matches('"'));
    }
    if let Some(rest) = action.strip_prefix("change ") {
        let (path, from) = rest.split_once(" from ")?;
        let path = spans(path).into_iter().next()?;
        let to = other_value(path, from.trim_matches('"'))?;
        return set_path(register, subject, path, to);
    }
    if action.starts_with("remove ") && action.contains(" from ") {
        let (value, path) = action.strip_prefix("remove ")?.split_once(" from ")?;
        let path = spans(path).into_iter().next()?;
        return remove_value(register, subject, path, value.trim_matches('"'));
    }
    if action.starts_with("remove ") {
        return remove(register, subject, paths.first()?);
    }
    None
}

/// A value of a closed vocabulary other than `from`, for "change".
fn other_value(path: &str, from: &str) -> Option<&'static str> {
    use crate::register::vocab;
    let field = path.rsplit('.').next().unwrap_or(path);
    let choices: &[&'static str] = match field {
        "authorisation" => &vocab::AUTHORISATIONS,
        "article" => &["9(2)(a)"],
        "transfer_mechanism" | "mechanism" => &["scc"],
        _ => return None,
    };
    choices.iter().copied().find(|c| *c != from)
}

fn located(value: &str, at: Location) -> Located<String> {
    Located {
        value: value.to_string(),
        at,
    }
}

/// The example a field is given when a suggestion adds it.
fn example(record: &str, field: &str) -> &'static str {
    if let Some(example) = crate::schema::field_example(record, field) {
        return example;
    }
    match field {
        "article" => "9(2)(a)",
        "country" => "NL",
        "transfer_mechanism" | "mechanism" => "scc",
        "authorisation" => "specific",
        "notified_on" => "2026-01-05",
        "derogation_point" => "49(1)(a)",
        "kind" => "named",
        _ => "REF-2026-01",
    }
}

/// The static name of a record's field (records keep `&'static str` keys).
fn record_key(record: &str, field: &str) -> Option<&'static str> {
    let keys: &[&'static str] = if record == "ai_system" {
        &AI_SYSTEM_FIELDS
    } else if record == "condition" {
        ITEM_RECORDS.first().map(|(_, keys)| *keys)?
    } else {
        TEXT_RECORDS
            .iter()
            .find(|(n, _)| *n == record)
            .map(|(_, k)| *k)?
    };
    keys.iter().copied().find(|k| *k == field)
}

fn record_name(record: &str) -> Option<&'static str> {
    TEXT_RECORDS.iter().map(|(n, _)| *n).find(|n| *n == record)
}

/// Sets `field` of `record` in a text record to `value` (added when absent).
fn put(text: &mut TextRecord, key: &'static str, value: Located<String>) {
    match text.fields.iter_mut().find(|(k, _)| *k == key) {
        Some((_, existing)) => *existing = value,
        None => text.fields.push((key, value)),
    }
}

/// Sets `record.field` on the activity (or its data item) to `value`.
fn set_field(
    register: &mut Register,
    subject: Subject,
    record: &str,
    field: &str,
    value: &str,
) -> Option<()> {
    let key = record_key(record, field)?;
    let activity = register.activities.first_mut()?;
    let at = activity.id.at;
    let value = located(value, at);
    match record {
        "ai_system" => match &mut activity.ai_system {
            Some(AiSystem::Declared(text)) => put(text, key, value),
            _ => {
                activity.ai_system = Some(AiSystem::Declared(TextRecord {
                    fields: vec![(key, value)],
                }))
            }
        },
        "condition" => {
            let Subject::DataItem(_, i) = subject else {
                return None;
            };
            let item = activity.data.get_mut(i)?;
            match &mut item.condition {
                Some(text) => put(text, key, value),
                None => {
                    item.condition = Some(TextRecord {
                        fields: vec![(key, value)],
                    })
                }
            }
        }
        _ => {
            let name = record_name(record)?;
            put(activity.records.entry(name).or_default(), key, value);
        }
    }
    Some(())
}

/// Adds the field a path names, with an example value.
fn add(register: &mut Register, subject: Subject, path: &str) -> Option<()> {
    if let Some((record, field)) = path.split_once('.') {
        return match (record, field) {
            ("automated_decision", "explanation_ref") => {
                let activity = register.activities.first_mut()?;
                let at = activity.id.at;
                match &mut activity.automated_decision {
                    Some(AutomatedDecision::Declared {
                        explanation_ref, ..
                    }) => *explanation_ref = Some(located("Uitleg-2026-01", at)),
                    _ => return None,
                }
                Some(())
            }
            ("joint_arrangement", "ref") => add(register, subject, "joint_arrangement"),
            _ => set_field(register, subject, record, field, example(record, field)),
        };
    }
    let activity = register.activities.first_mut()?;
    let at = activity.id.at;
    match path {
        "legitimate_interest_assessment" => {
            activity.legitimate_interest_assessment = Some(located("LIA-2026-01", at));
        }
        "security_measures" => activity.security_measures = Some(located("ISMS-2026", at)),
        "human_involvement" => {
            activity.human_involvement =
                Some(located("een medewerker beoordeelt elke uitkomst", at));
        }
        "recipients" => {
            activity.recipients = Recipients::Listed(vec![Recipient {
                category: located("accountant", at),
                name: None,
                country: None,
            }]);
        }
        "joint_arrangement" => {
            activity.joint_arrangement = Some(JointArrangement {
                reference: Some(located("GV-2026-01", at)),
                controllers: vec![Controller {
                    name: located("Partner B.V.", at),
                    contact: None,
                }],
            });
        }
        "special_category_condition" => {
            return set_field(register, subject, path, "article", "9(2)(a)");
        }
        "condition" => return set_field(register, subject, path, "article", "9(2)(a)"),
        field => return set_on_target(register, subject, field, example("", field)),
    }
    Some(())
}

/// Sets a field of the sub-processor entry or transfer a check is about.
fn set_on_target(
    register: &mut Register,
    subject: Subject,
    field: &str,
    value: &str,
) -> Option<()> {
    match subject {
        Subject::Subprocessor(_, r) => {
            let id = register
                .activities
                .first()?
                .subprocessors
                .get(r)?
                .value
                .clone();
            let entry = register
                .subprocessors
                .iter_mut()
                .find(|s| s.id.value == id)?;
            let value = located(value, entry.id.at);
            let slot = match field {
                "tia_ref" => &mut entry.tia_ref,
                "dpa_ref" => &mut entry.dpa_ref,
                "country" => &mut entry.country,
                "transfer_mechanism" => &mut entry.transfer_mechanism,
                "authorisation" => &mut entry.authorisation,
                "notified_on" => &mut entry.notified_on,
                "approval_ref" => &mut entry.approval_ref,
                _ => return None,
            };
            *slot = Some(value);
        }
        Subject::Transfer(_, t) => {
            let activity = register.activities.first_mut()?;
            let transfer = activity.transfers.get_mut(t)?;
            let value = located(value, transfer.at);
            let slot = match field {
                "tia_ref" => &mut transfer.tia_ref,
                "country" => &mut transfer.country,
                "mechanism" => &mut transfer.mechanism,
                "to" => &mut transfer.to,
                "derogation_point" => &mut transfer.derogation_point,
                "occasional_reason" => &mut transfer.occasional_reason,
                "approval_ref" => &mut transfer.approval_ref,
                _ => return None,
            };
            *slot = Some(value);
        }
        _ => return None,
    }
    Some(())
}

/// Sets a path (a record's field, or a target's field) to `value`.
fn set_path(register: &mut Register, subject: Subject, path: &str, value: &str) -> Option<()> {
    match path.split_once('.') {
        Some((record, field)) => set_field(register, subject, record, field, value),
        None => set_on_target(register, subject, path, value),
    }
}

/// Adds an entry to a list field.
fn add_entry(register: &mut Register, subject: Subject, path: &str) -> Option<()> {
    let activity = register.activities.first_mut()?;
    let at = activity.id.at;
    match path {
        "purposes" => match subject {
            // A data item's purposes name its activity's: the first that is not there yet.
            Subject::DataItem(_, i) => {
                let ids: Vec<String> = activity
                    .purposes
                    .iter()
                    .map(|p| p.id.value.clone())
                    .collect();
                let item = activity.data.get_mut(i)?;
                let id = ids
                    .into_iter()
                    .find(|id| !item.purposes.iter().any(|p| &p.value == id))?;
                item.purposes.push(located(&id, at));
            }
            _ => activity.purposes.push(Purpose {
                id: located("doel", at),
                text: Some(located("Dienstverlening aan klanten", at)),
            }),
        },
        "controllers" => activity.controllers.push(Controller {
            name: located("Klant B.V.", at),
            contact: Some(located("privacy@klant.example", at)),
        }),
        "data_subjects" => activity.data_subjects.push(located("customer", at)),
        "data" => activity.data.push(crate::register::DataItem {
            category: located("name", at),
            label: None,
            purposes: Vec::new(),
            condition: None,
            fields: Default::default(),
        }),
        _ => return None,
    }
    Some(())
}

/// Removes a field.
fn remove(register: &mut Register, subject: Subject, path: &str) -> Option<()> {
    let activity = register.activities.first_mut()?;
    match path.split_once('.') {
        Some((record, field)) => {
            let text = match record {
                "condition" => match subject {
                    Subject::DataItem(_, i) => activity.data.get_mut(i)?.condition.as_mut()?,
                    _ => return None,
                },
                "ai_system" => match &mut activity.ai_system {
                    Some(AiSystem::Declared(text)) => text,
                    _ => return None,
                },
                _ => activity.records.get_mut(record)?,
            };
            let before = text.fields.len();
            text.fields.retain(|(k, _)| *k != field);
            (text.fields.len() < before).then_some(())
        }
        None => None,
    }
}

/// Removes an entry from a list field.
fn remove_value(register: &mut Register, _subject: Subject, path: &str, value: &str) -> Option<()> {
    let activity = register.activities.first_mut()?;
    if path == "legal_basis" {
        // A basis and its terms (statute, purposes) go together.
        let at = activity.legal_basis.iter().position(|b| b.value == value)?;
        activity.legal_basis.remove(at);
        if at < activity.legal_basis_terms.len() {
            activity.legal_basis_terms.remove(at);
        }
        return Some(());
    }
    let list = match path {
        "data_subjects" => &mut activity.data_subjects,
        "systems" => &mut activity.systems,
        _ => return None,
    };
    let before = list.len();
    list.retain(|v| v.value != value);
    (list.len() < before).then_some(())
}
