//! Owns evaluation: runs every request against the policy set of its kind and turns each
//! matching `forbid` into a finding. A policy that errors is a failure (fail closed), never
//! a pass.

use cedar_policy::Authorizer;

use crate::entities::{Check, Model, Subject};
use crate::finding::{sort_findings, Finding, Label};
use crate::policy::{PolicyPack, Rule, Var};
use crate::problem::{Code, Problem};
use crate::register::{FieldSpans, Register};

/// Evaluates every check; returns the findings in report order, or every evaluation error.
pub fn evaluate(
    register: &Register,
    pack: &PolicyPack,
    model: &Model,
) -> Result<Vec<Finding>, Vec<Problem>> {
    let authorizer = Authorizer::new();
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    for check in &model.checks {
        let Some(set) = pack.sets.get(&check.subject.kind()) else {
            continue;
        };
        if set.is_empty() {
            continue;
        }
        let response = authorizer.is_authorized(&check.request, set, &model.entities);
        for error in response.diagnostics().errors() {
            let cedar_policy::AuthorizationError::PolicyEvaluationError(error) = error;
            let policy = error.policy_id().to_string();
            let mut problem = Problem::at(
                Code::EvaluationError,
                check.at,
                format!(
                    "rule `{policy}` failed on this {}: {}",
                    check.subject.kind().noun(),
                    error.inner()
                ),
            )
            .label("while checking this")
            .help(
                "a rule that cannot be evaluated fails the check; fix the policy or the register",
            );
            if let Some(rule) = pack.rule(&policy) {
                problem = problem.note(rule.at, "the rule");
            }
            problems.push(problem);
        }
        let mut matched: Vec<String> = response
            .diagnostics()
            .reason()
            .map(|id| id.to_string())
            .collect();
        matched.sort_unstable();
        for id in matched {
            if let Some(rule) = pack.rule(&id) {
                findings.push(finding(register, rule, check));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    sort_findings(&mut findings);
    Ok(findings)
}

/// The field spans behind each scope variable of a check.
fn scopes(register: &Register, subject: Subject) -> [(Var, Option<&FieldSpans>); 3] {
    let org = Some(&register.organisation.fields);
    let activity = |a: usize| register.activities.get(a).map(|x| &x.fields);
    match subject {
        Subject::Organisation => [
            (Var::Principal, org),
            (Var::Resource, org),
            (Var::Context, None),
        ],
        Subject::Activity(a) => [
            (Var::Principal, org),
            (Var::Resource, activity(a)),
            (Var::Context, None),
        ],
        Subject::DataItem(a, i) => {
            let item = register
                .activities
                .get(a)
                .and_then(|x| x.data.get(i))
                .map(|d| &d.fields);
            [
                (Var::Principal, activity(a)),
                (Var::Resource, None),
                (Var::Context, item),
            ]
        }
        Subject::Subprocessor(a, r) => {
            let sub = register
                .activities
                .get(a)
                .and_then(|x| x.subprocessors.get(r))
                .and_then(|id| register.subprocessor(&id.value))
                .map(|s| &s.fields);
            [
                (Var::Principal, activity(a)),
                (Var::Resource, sub),
                (Var::Context, None),
            ]
        }
        Subject::Transfer(a, t) => {
            let transfer = register
                .activities
                .get(a)
                .and_then(|x| x.transfers.get(t))
                .map(|tr| &tr.fields);
            [
                (Var::Principal, activity(a)),
                (Var::Resource, transfer),
                (Var::Context, None),
            ]
        }
    }
}

fn finding(register: &Register, rule: &Rule, check: &Check) -> Finding {
    let mut labels = Vec::new();
    let scopes = scopes(register, check.subject);
    for (var, attr) in &rule.reads {
        let spans = scopes.iter().find(|(v, _)| v == var).and_then(|(_, s)| *s);
        if let Some(field) = spans.and_then(|s| s.get(attr)) {
            if field.at == check.at {
                continue;
            }
            let text = if field.inherited {
                format!("`{attr}` (from defaults)")
            } else {
                format!("`{attr}`")
            };
            labels.push(Label { at: field.at, text });
        }
    }
    // The definition of an engaged sub-processor, when the rule reads it.
    if let Subject::Subprocessor(a, r) = check.subject {
        let definition = register
            .activities
            .get(a)
            .and_then(|x| x.subprocessors.get(r))
            .and_then(|id| register.subprocessor(&id.value));
        if let Some(sub) = definition {
            if !labels
                .iter()
                .any(|l| l.at.file == sub.id.at.file && l.at.span.offset <= sub.id.at.span.offset)
            {
                labels.insert(
                    0,
                    Label {
                        at: sub.id.at,
                        text: "defined here".to_string(),
                    },
                );
            }
        }
    }
    labels.sort_by_key(|l| l.at);
    labels.dedup_by(|a, b| a.at == b.at);
    let (activity, target) = match check.subject {
        Subject::Organisation => (None, None),
        Subject::Activity(a) => (register.activities.get(a).map(|x| x.id.value.clone()), None),
        Subject::DataItem(a, i) => {
            let activity = register.activities.get(a);
            (
                activity.map(|x| x.id.value.clone()),
                activity
                    .and_then(|x| x.data.get(i))
                    .map(|d| d.category.value.clone()),
            )
        }
        Subject::Subprocessor(a, r) => {
            let activity = register.activities.get(a);
            (
                activity.map(|x| x.id.value.clone()),
                activity
                    .and_then(|x| x.subprocessors.get(r))
                    .map(|s| s.value.clone()),
            )
        }
        Subject::Transfer(a, t) => {
            let activity = register.activities.get(a);
            let transfer = activity.and_then(|x| x.transfers.get(t));
            (
                activity.map(|x| x.id.value.clone()),
                transfer.and_then(|tr| {
                    tr.to
                        .as_ref()
                        .or(tr.country.as_ref())
                        .map(|v| v.value.clone())
                }),
            )
        }
    };
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: rule.message.clone(),
        help: rule.help.clone(),
        article: rule.article.clone(),
        at: check.at,
        label: rule
            .label
            .clone()
            .unwrap_or_else(|| format!("this {}", check.subject.kind().noun())),
        labels,
        activity,
        target,
    }
}
