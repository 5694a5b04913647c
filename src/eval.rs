//! Owns evaluation: runs every request against the policies that can apply to it and turns
//! each matching `forbid` into a finding. A policy that errors is a failure (fail closed),
//! never a pass.
//!
//! Three things keep it fast, and none changes a result (a test compares them with the
//! plain way on whole registers): a data item is judged only by the item policies whose
//! `resource in DataCategory::"x"` scope can contain its category (computed once per
//! category); a check on an activity or its parts only by the policies whose condition does
//! not start by ruling out the activity's role (`resource.role != "processor" && ...`, which
//! Cedar would stop at, false, before reading anything else); and the requests are split over
//! the machine's cores.

use std::collections::{BTreeSet, HashMap};

use cedar_policy::{Authorizer, EntityUid, PolicySet, ResourceConstraint};

use crate::entities::{Check, Model, Subject};
use crate::finding::{sort_findings, Finding, Label};
use crate::parallel::{available_threads, map_chunks};
use crate::policy::{Guard, PolicyPack, RequestKind, RoleGuard, Rule, Var};
use crate::problem::{Code, Problem};
use crate::register::vocab::ROLES;
use crate::register::{FieldSpans, Register};
use crate::taxonomy::Taxonomy;

/// How to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strategy {
    /// Judge each data item only by the policies that can match its category.
    pub slice_by_category: bool,
    /// Most threads to use (at least 1).
    pub threads: usize,
}

impl Default for Strategy {
    fn default() -> Self {
        Strategy {
            slice_by_category: true,
            threads: available_threads(),
        }
    }
}

/// Fewer requests than this per thread are not worth a thread.
const MIN_CHECKS_PER_THREAD: usize = 2_000;

/// Evaluates every check; returns the findings in report order, or every evaluation error.
pub fn evaluate(
    register: &Register,
    pack: &PolicyPack,
    model: &Model,
) -> Result<Vec<Finding>, Vec<Problem>> {
    evaluate_with(register, pack, model, Strategy::default())
}

/// [`evaluate`] with an explicit strategy.
pub fn evaluate_with(
    register: &Register,
    pack: &PolicyPack,
    model: &Model,
    strategy: Strategy,
) -> Result<Vec<Finding>, Vec<Problem>> {
    let prepared = Prepared::new(register, pack, strategy);
    evaluate_prepared(register, pack, model, &prepared)
}

/// The policy sets of every kind of check, sliced by category and role when the strategy
/// says so: made once for a register, used for each part of it.
pub struct Prepared<'r> {
    slices: HashMap<(&'r str, &'static str), (PolicySet, bool)>,
    by_role: HashMap<(RequestKind, &'static str), PolicySet>,
    /// Each kind's whole set, when only some rules judge (else the pack's own sets).
    by_kind: Option<HashMap<RequestKind, PolicySet>>,
    guards: Guards,
    threads: usize,
    /// Findings as their rule, place, activity and target only (see [`Prepared::bare`]).
    bare: bool,
}

/// The guards of the pack's rules (see [`Guard`]), each a bit: a check is judged only by the
/// policies none of whose guards is false for it.
#[derive(Default)]
struct Guards {
    /// The distinct guards (at most 64).
    atoms: Vec<Guard>,
    /// Each policy's guards, as bits of `atoms`.
    of_policy: HashMap<String, u64>,
}

impl Guards {
    fn new(pack: &PolicyPack) -> Guards {
        let mut guards = Guards::default();
        for rule in &pack.rules {
            let mut bits = 0u64;
            for guard in &rule.guards {
                let index = match guards.atoms.iter().position(|a| a == guard) {
                    Some(i) => i,
                    None if guards.atoms.len() < 64 => {
                        guards.atoms.push(guard.clone());
                        guards.atoms.len() - 1
                    }
                    None => continue,
                };
                bits |= 1u64 << index;
            }
            if bits != 0 {
                guards.of_policy.insert(rule.id.clone(), bits);
            }
        }
        guards
    }

    fn of(&self, policy: &cedar_policy::Policy) -> u64 {
        let id: &str = policy.id().as_ref();
        self.of_policy.get(id).copied().unwrap_or(0)
    }

    /// Of the guards in `wanted`, those false for `request`: `memo` keeps what the last
    /// principal and resource gave (the checks of one activity follow each other).
    fn failing(
        &self,
        wanted: u64,
        request: &cedar_policy::Request,
        entities: &cedar_policy::Entities,
        memo: &mut [Memo; 2],
    ) -> u64 {
        let mut failing = 0;
        for (i, atom) in self.atoms.iter().enumerate() {
            let bit = 1u64 << i;
            if wanted & bit == 0 {
                continue;
            }
            let (slot, uid) = match atom {
                Guard::Has { var, .. } | Guard::Flag { var, .. } if var == "principal" => {
                    (0, request.principal())
                }
                _ => (1, request.resource()),
            };
            let (Some(uid), Some(memo)) = (uid, memo.get_mut(slot)) else {
                continue;
            };
            if memo.uid.as_ref() != Some(uid) {
                *memo = Memo {
                    uid: Some(uid.clone()),
                    known: 0,
                    failing: 0,
                };
            }
            if memo.known & bit == 0 {
                memo.known |= bit;
                if entities.get(uid).is_some_and(|e| atom_is_false(atom, e)) {
                    memo.failing |= bit;
                }
            }
            failing |= memo.failing & bit;
        }
        failing
    }
}

/// What the guards gave for one entity.
#[derive(Default)]
struct Memo {
    uid: Option<EntityUid>,
    known: u64,
    failing: u64,
}

/// Whether a guard is false for the entity (an attribute that is not a value leaves it
/// undecided: not false).
fn atom_is_false(atom: &Guard, entity: &cedar_policy::Entity) -> bool {
    use cedar_policy::EvalResult;
    match atom {
        Guard::Flag { attr, .. } => matches!(entity.attr(attr), Some(Ok(EvalResult::Bool(false)))),
        Guard::Has { path, .. } => {
            let Some((first, rest)) = path.split_first() else {
                return false;
            };
            let value = match entity.attr(first) {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(value)) => value,
            };
            path_is_absent(&value, rest)
        }
    }
}

/// Whether the record fields `path` are absent below `value` (a value that is not a record
/// where a field is asked for leaves it undecided: not absent).
fn path_is_absent(value: &cedar_policy::EvalResult, path: &[String]) -> bool {
    let Some((field, rest)) = path.split_first() else {
        return false;
    };
    let cedar_policy::EvalResult::Record(record) = value else {
        return false;
    };
    match record.get(field) {
        Some(next) => path_is_absent(next, rest),
        None => true,
    }
}

impl<'r> Prepared<'r> {
    /// The sets for `register` under `strategy`.
    pub fn new(register: &'r Register, pack: &PolicyPack, strategy: Strategy) -> Self {
        Prepared::with_rules(register, pack, strategy, None)
    }

    /// [`Prepared::new`] with only the rules in `only` (every rule when `None`).
    pub fn with_rules(
        register: &'r Register,
        pack: &PolicyPack,
        strategy: Strategy,
        only: Option<&BTreeSet<&str>>,
    ) -> Self {
        let keep = |policy: &cedar_policy::Policy| {
            let id: &str = policy.id().as_ref();
            only.is_none_or(|o| o.contains(id))
        };
        let (slices, by_role) = if strategy.slice_by_category {
            (
                category_slices(register, pack, &keep),
                role_slices(pack, &keep),
            )
        } else {
            (HashMap::new(), HashMap::new())
        };
        let by_kind = only.map(|_| {
            pack.sets
                .iter()
                .map(|(kind, all)| {
                    let mut set = PolicySet::new();
                    for policy in all.policies().filter(|p| keep(p)) {
                        // Ids are unique in the source set, so adding cannot fail.
                        let _ = set.add(policy.clone());
                    }
                    (*kind, set)
                })
                .collect()
        });
        Prepared {
            slices,
            by_role,
            by_kind,
            // Guards narrow the sliced sets; plain evaluation runs every policy.
            guards: if strategy.slice_by_category {
                Guards::new(pack)
            } else {
                Guards::default()
            },
            threads: strategy.threads,
            bare: false,
        }
    }

    /// The same sets, judging into bare findings: each only its rule, severity, message,
    /// place, activity and target, with no labels, for a run that only compares which rules
    /// fire where (what a declaration silences).
    pub fn bare(mut self) -> Self {
        self.bare = true;
        self
    }
}

/// Evaluates the checks of `model` with sets made by [`Prepared::new`].
pub fn evaluate_prepared<'r>(
    register: &'r Register,
    pack: &PolicyPack,
    model: &Model,
    prepared: &Prepared<'r>,
) -> Result<Vec<Finding>, Vec<Problem>> {
    let sets = Sets {
        all: prepared.by_kind.as_ref().unwrap_or(&pack.sets),
        slices: &prepared.slices,
        by_role: &prepared.by_role,
        guards: &prepared.guards,
        bare: prepared.bare,
    };
    let strategy = Strategy {
        slice_by_category: true,
        threads: prepared.threads,
    };
    let parts = map_chunks(
        &model.checks,
        strategy.threads,
        MIN_CHECKS_PER_THREAD,
        |checks| evaluate_chunk(register, pack, model, checks, &sets),
        || {
            let problem = Problem::general(Code::EvaluationError, "an evaluation thread failed");
            (Vec::new(), vec![problem])
        },
    );
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    for (f, p) in parts {
        findings.extend(f);
        problems.extend(p);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    sort_findings(&mut findings);
    Ok(findings)
}

/// The policy set for each check.
struct Sets<'a> {
    /// Each kind's whole set.
    all: &'a HashMap<RequestKind, PolicySet>,
    /// Data-item policies per category and role, when sliced, and whether one of them
    /// mentions `context`.
    slices: &'a HashMap<(&'a str, &'static str), (PolicySet, bool)>,
    /// The other kinds' policies per role of the activity, when sliced.
    by_role: &'a HashMap<(RequestKind, &'static str), PolicySet>,
    guards: &'a Guards,
    /// Findings without labels.
    bare: bool,
}

impl<'a> Sets<'a> {
    /// The policies that judge a check, and whether its request needs a context (only a data
    /// item's has one, and only a policy that mentions `context` can read it).
    fn for_check(&self, check: &Check, register: &'a Register) -> Option<(&PolicySet, bool)> {
        let role = |a: usize| {
            register
                .activities
                .get(a)
                .and_then(|x| ROLES.iter().find(|r| **r == x.effective_role()))
                .copied()
        };
        let sliced = match check.subject {
            Subject::DataItem(a, i) => {
                let category = register
                    .activities
                    .get(a)
                    .and_then(|x| x.data.get(i))
                    .map(|d| d.category.value.as_str());
                return category
                    .zip(role(a))
                    .and_then(|key| self.slices.get(&key))
                    .map(|(set, context)| (set, *context))
                    .or_else(|| self.all.get(&check.subject.kind()).map(|set| (set, true)));
            }
            Subject::Activity(a)
            | Subject::DataSubject(a, _)
            | Subject::Subprocessor(a, _)
            | Subject::Transfer(a, _) => {
                role(a).and_then(|r| self.by_role.get(&(check.subject.kind(), r)))
            }
            Subject::Organisation
            | Subject::Waiver(_)
            | Subject::Position(_)
            | Subject::Category { .. } => None,
        };
        sliced
            .or_else(|| self.all.get(&check.subject.kind()))
            .map(|set| (set, true))
    }
}

/// The variable that holds the activity in a request of this kind, if any.
fn activity_var(kind: RequestKind) -> Option<&'static str> {
    match kind {
        RequestKind::Activity => Some("resource"),
        RequestKind::DataItem
        | RequestKind::DataSubject
        | RequestKind::Subprocessor
        | RequestKind::Transfer => Some("principal"),
        RequestKind::Organisation | RequestKind::Waiver | RequestKind::Category => None,
    }
}

/// Whether a rule can fire on a check of `kind` about an activity in `role`.
fn admits_role(guard: Option<&RoleGuard>, kind: RequestKind, role: &str) -> bool {
    match (guard, activity_var(kind)) {
        (Some(guard), Some(activity)) if guard.var == activity => {
            (role == guard.role) == guard.equal
        }
        _ => true,
    }
}

/// The role test a policy starts with, from its rule.
fn guard_of<'p>(pack: &'p PolicyPack, policy: &cedar_policy::Policy) -> Option<&'p RoleGuard> {
    pack.rule(policy.id().as_ref())?.role_guard.as_ref()
}

/// For every kind about an activity but data items, and every role, the policies that can
/// fire.
fn role_slices(
    pack: &PolicyPack,
    keep: &dyn Fn(&cedar_policy::Policy) -> bool,
) -> HashMap<(RequestKind, &'static str), PolicySet> {
    let mut slices = HashMap::new();
    for kind in RequestKind::ALL {
        if kind == RequestKind::DataItem || activity_var(kind).is_none() {
            continue;
        }
        let Some(all) = pack.sets.get(&kind) else {
            continue;
        };
        for role in ROLES {
            let mut set = PolicySet::new();
            for policy in all
                .policies()
                .filter(|p| keep(p) && admits_role(guard_of(pack, p), kind, role))
            {
                // Ids are unique in the source set, so adding cannot fail.
                let _ = set.add(policy.clone());
            }
            slices.insert((kind, role), set);
        }
    }
    slices
}

/// Whether a policy's resource scope can hold a data item of `category`.
fn scope_admits(constraint: &ResourceConstraint, category: &str, taxonomy: &Taxonomy) -> bool {
    let id = |uid: &EntityUid| uid.id().unescaped().to_string();
    let is_category = |uid: &EntityUid| uid.type_name().to_string() == "DataCategory";
    match constraint {
        ResourceConstraint::Any | ResourceConstraint::Is(_) => true,
        ResourceConstraint::Eq(uid) => !is_category(uid) || id(uid) == category,
        ResourceConstraint::In(uid) | ResourceConstraint::IsIn(_, uid) => {
            !is_category(uid) || taxonomy.is_in(category, &id(uid))
        }
    }
}

/// For every category a data item uses and every role of its activity, the item policies
/// whose scope can contain the category and whose condition admits the role.
fn category_slices<'r>(
    register: &'r Register,
    pack: &PolicyPack,
    keep: &dyn Fn(&cedar_policy::Policy) -> bool,
) -> HashMap<(&'r str, &'static str), (PolicySet, bool)> {
    let mut slices = HashMap::new();
    let Some(items) = pack.sets.get(&RequestKind::DataItem) else {
        return slices;
    };
    let roles: Vec<(&cedar_policy::Policy, [bool; 3])> = items
        .policies()
        .filter(|p| keep(p))
        .map(|p| {
            let admits =
                ROLES.map(|role| admits_role(guard_of(pack, p), RequestKind::DataItem, role));
            (p, admits)
        })
        .collect();
    for activity in &register.activities {
        for item in &activity.data {
            let category = item.category.value.as_str();
            if slices.contains_key(&(category, ROLES[0])) {
                continue;
            }
            let admitted: Vec<(&cedar_policy::Policy, [bool; 3])> = roles
                .iter()
                .filter(|(policy, _)| {
                    scope_admits(
                        &policy.resource_constraint(),
                        category,
                        &register.data_categories,
                    )
                })
                .copied()
                .collect();
            for (r, role) in ROLES.iter().enumerate() {
                let mut set = PolicySet::new();
                let mut context = false;
                for (policy, admits) in &admitted {
                    if admits.get(r).copied().unwrap_or(true) {
                        // Ids are unique in the source set, so adding cannot fail.
                        let _ = set.add((*policy).clone());
                        // In its source, comments included: when in doubt, build it.
                        context |= pack
                            .rule(policy.id().as_ref())
                            .is_none_or(|rule| rule.source.contains("context"));
                    }
                }
                slices.insert((category, *role), (set, context));
            }
        }
    }
    slices
}

fn evaluate_chunk(
    register: &Register,
    pack: &PolicyPack,
    model: &Model,
    checks: &[Check],
    sets: &Sets<'_>,
) -> (Vec<Finding>, Vec<Problem>) {
    let authorizer = Authorizer::new();
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    // Per set (by address): the guards its policies have, and the set without the policies
    // a combination of false guards rules out.
    let mut guarded: HashMap<usize, u64> = HashMap::new();
    let mut narrowed: HashMap<(usize, u64), PolicySet> = HashMap::new();
    let mut memo: [Memo; 2] = Default::default();
    for check in checks {
        let Some((set, context)) = sets.for_check(check, register) else {
            continue;
        };
        if set.is_empty() {
            continue;
        }
        let request = match model.request_with(check, register, context) {
            Ok(request) => request,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let address = std::ptr::from_ref(set) as usize;
        let wanted = *guarded
            .entry(address)
            .or_insert_with(|| set.policies().fold(0, |bits, p| bits | sets.guards.of(p)));
        let failing = if wanted == 0 {
            0
        } else {
            sets.guards
                .failing(wanted, &request, &model.entities, &mut memo)
        };
        let set = if failing == 0 {
            set
        } else {
            narrowed.entry((address, failing)).or_insert_with(|| {
                let mut kept = PolicySet::new();
                for policy in set.policies().filter(|p| sets.guards.of(p) & failing == 0) {
                    // Ids are unique in the source set, so adding cannot fail.
                    let _ = kept.add(policy.clone());
                }
                kept
            })
        };
        if set.is_empty() {
            continue;
        }
        let response = authorizer.is_authorized(&request, set, &model.entities);
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
        let mut matched: Vec<&str> = response.diagnostics().reason().map(AsRef::as_ref).collect();
        matched.sort_unstable();
        for id in matched {
            if let Some(rule) = pack.rule(id) {
                findings.push(if sets.bare {
                    bare_finding(register, rule, check)
                } else {
                    finding(register, pack, rule, check)
                });
            }
        }
    }
    (findings, problems)
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
        Subject::DataSubject(a, _) => [
            (Var::Principal, activity(a)),
            (Var::Resource, None),
            (Var::Context, None),
        ],
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
        Subject::Waiver(_) | Subject::Position(_) | Subject::Category { .. } => [
            (Var::Principal, None),
            (Var::Resource, None),
            (Var::Context, None),
        ],
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

/// A label on each entry whose category is, or is under, a category in `named`.
fn triggers<'a>(
    entries: impl Iterator<Item = &'a crate::yaml::Located<String>> + 'a,
    named: &'a std::collections::BTreeSet<String>,
    taxonomy: &'a Taxonomy,
    lang: crate::lang::Lang,
) -> impl Iterator<Item = Label> + 'a {
    entries.filter_map(move |entry| {
        let category = entry.value.as_str();
        let holds = |n: &&String| *n == category || taxonomy.is_in(category, n);
        // The most specific named category it is in (`driving_behaviour`, not `behavioural`).
        let under = named.iter().filter(holds).find(|n| {
            !named
                .iter()
                .filter(holds)
                .any(|m| m != *n && taxonomy.is_in(m, n))
        })?;
        let text = if under == category {
            format!("`{category}`")
        } else {
            format!(
                "`{category}` {} {}",
                lang.pick("is", "valt"),
                taxonomy.noun_phrase(under, lang)
            )
        };
        Some(Label { at: entry.at, text })
    })
}

/// A finding of `rule` at `check` as its rule, severity, message, place, activity and target.
fn bare_finding(register: &Register, rule: &Rule, check: &Check) -> Finding {
    let (activity, target) = check.subject.names(register);
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: rule.message.clone(),
        help: None,
        fix: None,
        article: None,
        at: check.at,
        label: "".into(),
        labels: Vec::new(),
        activity: activity.map(str::to_string),
        target: target.map(str::to_string),
        change: None,
        register: None,
    }
}

fn finding(register: &Register, pack: &PolicyPack, rule: &Rule, check: &Check) -> Finding {
    let lang = pack.lang;
    let mut labels = Vec::new();
    let reads = |attr: &str| rule.reads.iter().any(|(_, a)| a == attr);
    // A label with `{dpia}` names the DPIA criteria met and whether the DPIA is mandatory.
    let mut primary_label = None;
    let scopes = scopes(register, check.subject);
    // The fields labelled, by attribute.
    let mut field_labels: Vec<(&str, crate::source::Location)> = Vec::new();
    for (var, attr) in &rule.reads {
        // A role read only by the role test a rule starts with says which rules apply, not
        // what is wrong: the human report names the role in the activity's heading.
        if attr == "role" {
            continue;
        }
        let spans = scopes.iter().find(|(v, _)| v == var).and_then(|(_, s)| *s);
        if let Some(field) = spans.and_then(|s| s.get(attr)) {
            if field.at == check.at {
                continue;
            }
            let key = field.key;
            let text = if field.inherited {
                format!("`{key}` {}", lang.pick("(from defaults)", "(uit defaults)"))
            } else {
                format!("`{key}`")
            };
            labels.push(Label { at: field.at, text });
            field_labels.push((attr.as_str(), field.at));
        }
    }
    // On an activity: the data items and subject categories under a category the rule
    // names, which are what made it fire; they say more than the field's own label, which
    // then goes.
    if let Subject::Activity(a) = check.subject {
        if let Some(activity) = register.activities.get(a) {
            let data = triggers(
                activity.data.iter().map(|d| &d.category),
                &rule.names.data,
                &register.data_categories,
                lang,
            )
            .collect::<Vec<_>>();
            let subjects = triggers(
                activity.data_subjects.iter(),
                &rule.names.subjects,
                &register.subject_categories,
                lang,
            )
            .collect::<Vec<_>>();
            for (attr, found) in [
                ("data", !data.is_empty()),
                ("data_subjects", !subjects.is_empty()),
            ] {
                if found {
                    for (_, at) in field_labels.iter().filter(|(a, _)| *a == attr) {
                        labels.retain(|l| l.at != *at);
                    }
                }
            }
            labels.extend(data);
            labels.extend(subjects);
            if let Some(label) = rule.label.as_deref().filter(|l| l.contains("{dpia}")) {
                let dpia = crate::dpia::assess(activity, register);
                let named = crate::dpia::in_lang(&dpia.label(), lang);
                primary_label = Some(label.replace("{dpia}", &named));
                labels.extend(dpia.triggers.into_iter().map(|(at, text)| Label {
                    at,
                    text: crate::dpia::in_lang(&text, lang),
                }));
            }
            if reads("recipients_uncovered") {
                for recipient in
                    crate::entities::uncovered_recipients(activity, register, &pack.vocabulary)
                {
                    let country = recipient.country.as_ref().map_or("", |c| c.value.as_str());
                    labels.push(Label {
                        at: recipient.category.at,
                        text: match lang {
                            crate::lang::Lang::En => {
                                format!("in {country}: no transfer or processor covers it")
                            }
                            crate::lang::Lang::Nl => format!(
                                "in {country}: geen doorgifte of verwerker dekt deze ontvanger"
                            ),
                        },
                    });
                }
            }
        }
    }
    // The organisation: the activities that do not state their scale.
    if matches!(check.subject, Subject::Organisation) && reads("large_scale_unstated") {
        for activity in &register.activities {
            if crate::entities::large_scale_unstated(activity, register) {
                labels.push(Label {
                    at: activity.id.at,
                    text: format!(
                        "`{}` {} `large_scale`",
                        activity.id.value,
                        lang.pick("does not state", "geeft geen")
                    ),
                });
            }
        }
    }
    // A register category: what its name reads as.
    if let Subject::Category { data, expected, .. } = check.subject {
        if let Some(reads_as) = crate::entities::category_at(register, data, expected) {
            labels.push(Label {
                at: check.at,
                text: format!(
                    "{} {}, {} `{}`",
                    lang.pick("its name reads as", "haar naam leest als"),
                    reads_as
                        .label
                        .as_ref()
                        .map_or(reads_as.id.value.as_str(), |l| l.value.as_str()),
                    lang.pick("but it is not under", "maar zij valt niet onder"),
                    reads_as.id.value
                ),
            });
        }
    }
    // A position's `reviewed_on`, when the rule reads how long ago that was.
    if let Subject::Position(p) = check.subject {
        let reads_review = rule
            .reads
            .iter()
            .any(|(_, attr)| attr == "reviewed_days_ago");
        if let Some(position) = register.positions.get(p).filter(|_| reads_review) {
            labels.push(Label {
                at: position.reviewed_on.at,
                text: format!(
                    "{} {}",
                    lang.pick("reviewed", "herzien"),
                    position.reviewed_on.value
                ),
            });
        }
    }
    // A waiver's `expires`, when the rule reads how long it has left.
    if let Subject::Waiver(w) = check.subject {
        let reads_expiry = rule.reads.iter().any(|(_, attr)| attr == "expires_in_days");
        if let Some(waiver) = register.waivers.get(w).filter(|_| reads_expiry) {
            labels.push(Label {
                at: waiver.expires.at,
                text: format!(
                    "{} {}",
                    lang.pick("expires", "verloopt"),
                    waiver.expires.value
                ),
            });
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
                        text: lang.pick("defined here", "hier gedefinieerd").to_string(),
                    },
                );
            }
        }
    }
    labels.sort_by_key(|l| l.at);
    labels.dedup_by(|a, b| a.at == b.at);
    let (activity, target) = check.subject.names(register);
    let (activity, target) = (activity.map(str::to_string), target.map(str::to_string));
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: rule.message.clone(),
        help: rule.help.clone(),
        fix: rule.fix.clone(),
        article: rule.article.clone(),
        at: check.at,
        label: match primary_label {
            Some(label) => label.into(),
            None => rule.label.clone().unwrap_or_else(|| match lang {
                crate::lang::Lang::En => format!("this {}", check.subject.kind().noun()).into(),
                crate::lang::Lang::Nl => "hier".into(),
            }),
        },
        labels,
        activity,
        target,
        change: None,
        register: None,
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;

    #[test]
    fn a_rule_with_a_role_test_skips_only_the_roles_it_rules_out() {
        let guard = RoleGuard {
            var: "resource".into(),
            equal: false,
            role: "processor".into(),
        };
        assert!(!admits_role(
            Some(&guard),
            RequestKind::Activity,
            "processor"
        ));
        assert!(admits_role(
            Some(&guard),
            RequestKind::Activity,
            "controller"
        ));
        // On a data item the activity is the principal: a test of the resource is not one.
        assert!(admits_role(
            Some(&guard),
            RequestKind::DataItem,
            "processor"
        ));
        assert!(admits_role(
            Some(&guard),
            RequestKind::Organisation,
            "processor"
        ));
        assert!(admits_role(None, RequestKind::Activity, "processor"));
        let only_joint = RoleGuard {
            var: "principal".into(),
            equal: true,
            role: "joint_controller".into(),
        };
        assert!(admits_role(
            Some(&only_joint),
            RequestKind::DataSubject,
            "joint_controller"
        ));
        assert!(!admits_role(
            Some(&only_joint),
            RequestKind::DataSubject,
            "controller"
        ));
    }
}
