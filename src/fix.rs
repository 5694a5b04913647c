//! Owns "what would make it compliant": one rule evaluated on one register node with the
//! fields the rule reads as unknowns (Cedar's partial evaluation). What is left, the
//! residual, is the condition under which the rule fires, in the register's field names;
//! a finding goes away when any one of its parts stops holding, which this module says as
//! fields to add or change.

use std::collections::HashMap;

use cedar_policy::{Authorizer, Context, Entity, PolicySet, RestrictedExpression};

use crate::entities::{Check, Model};
use crate::policy::{PolicyPack, Rule, Var};
use crate::problem::{Code, Problem};
use crate::register::Register;

/// What the partial evaluation of a rule on a node says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// The rule does not fire on the node: nothing to do.
    Quiet,
    /// The rule fires whatever the fields it reads say (it fires on the node's kind alone).
    Always,
    /// The rule fires now; making any one of these conditions false clears it (a missing
    /// field added, a part of the residual changed). Each is Cedar text in field names, with
    /// a plain reading when there is one.
    Conditions(Vec<Condition>),
    /// The rule fires, and every change that clears it would change a fact the register
    /// states (its role, its subjects, a yes/no claim): ropa does not propose those. The
    /// facts involved, by field.
    OnlyFacts(Vec<String>),
}

/// Fields that state a fact or a self-declaration: ropa never proposes to set, add or
/// change them to clear a finding (`large_scale: no` would silence the DPIA rule, not make
/// the processing lawful).
const FACTS: [&str; 19] = [
    "role",
    "annex_iii",
    "art5_exception",
    "public_authority",
    "by_public_authority",
    "participation_body",
    "large_scale",
    "profiling",
    "automated_decision",
    "ai_system",
    "dpf_certified",
    "dpf_hr",
    "expected_special_categories",
    "own_staff",
    "controller_is_self",
    "consent.from",
    "terminal_access.third_party",
    "engaged_by",
    "kind",
];

/// Fields that state a fact ropa may ask to record when it is missing, but never proposes
/// to change or remove (a subject taken out, a basis dropped with no replacement, a
/// country changed, the recipients said to be none).
const FACTS_TO_KEEP: [&str; 9] = [
    "controllers",
    "data_subjects",
    "data",
    "country",
    "transfers",
    "recipients",
    "purposes_text",
    "subprocessors",
    "legal_basis",
];

/// Whether a condition's way out changes a fact (see [`FACTS`], [`FACTS_TO_KEEP`]); the
/// fact's field when it does.
fn changes_fact(condition: &Condition) -> Option<String> {
    // A fact is the field itself (`automated_decision`, `large_scale`), or its `declared`
    // flag; a field recorded inside it (`automated_decision.explanation_ref`) is not.
    let is_fact = |path: &str| {
        let first = path.split('.').next().unwrap_or(path);
        FACTS.contains(&path)
            || (FACTS.contains(&first) && (path == first || path.ends_with(".declared")))
            || FACTS.contains(&path.rsplit('.').next().unwrap_or(path))
    };
    let to_keep = |path: &str| {
        let first = path.split('.').next().unwrap_or(path);
        FACTS_TO_KEEP.contains(&first)
    };
    match &condition.action {
        Some(action) => {
            let path = action.split('`').nth(1).unwrap_or("");
            if is_fact(path) {
                return Some(path.to_string());
            }
            let adds = action.starts_with("add ");
            (to_keep(path) && !adds).then(|| path.to_string())
        }
        // A condition with no plain reading: a fact when it names one.
        None => condition
            .text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .find(|word| is_fact(word))
            .map(str::to_string),
    }
}

/// One part of the residual: its Cedar text and, when it has one, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The condition, in field names (`!(retention has period)`).
    pub text: String,
    /// What makes it false (``add `retention.period` ``), when it is one of the usual shapes.
    pub action: Option<String>,
}

/// Evaluates `rule` on `check` with fields it reads unknown: first each field the node
/// lacks on its own (what to add), then, when adding nothing helps, every field it reads
/// (what to change).
pub fn fix(
    register: &Register,
    pack: &PolicyPack,
    model: &Model,
    rule: &Rule,
    check: &Check,
) -> Result<Fix, Problem> {
    let kind = check.subject.kind();
    let Some(policy) = pack
        .sets
        .get(&kind)
        .and_then(|set| set.policy(&cedar_policy::PolicyId::new(&rule.id)))
    else {
        return Ok(Fix::Quiet);
    };
    let mut set = PolicySet::new();
    set.add(policy.clone())
        .map_err(|e| Problem::general(Code::EvaluationError, e.to_string()))?;
    let request = model.request(check, register)?;
    let authorizer = Authorizer::new();
    // Does it fire at all?
    let concrete = authorizer.is_authorized(&request, &set, &model.entities);
    if concrete.diagnostics().errors().next().is_some() {
        return Err(Problem::general(
            Code::EvaluationError,
            format!("`{}` fails on this node", rule.id),
        ));
    }
    if concrete.diagnostics().reason().next().is_none() {
        return Ok(Fix::Quiet);
    }
    // First the fields the node lacks, one at a time: adding one may be enough (a field
    // given any value), or its value may matter (the residual says how). Then, when adding
    // nothing helps, every field the rule reads: what to change.
    let present = |var: Var, attr: &str| -> bool {
        match var {
            Var::Resource => request
                .resource()
                .and_then(|uid| model.entities.get(uid))
                .is_some_and(|e| e.attr(attr).is_some()),
            Var::Principal => request
                .principal()
                .and_then(|uid| model.entities.get(uid))
                .is_some_and(|e| e.attr(attr).is_some()),
            Var::Context => request.context().is_some_and(|c| c.get(attr).is_some()),
        }
    };
    let missing: Vec<(Var, String)> = rule
        .reads
        .iter()
        .filter(|(var, attr)| !present(*var, attr))
        .cloned()
        .collect();
    let mut fixes = Vec::new();
    for read in &missing {
        match residual(
            model,
            &request,
            &set,
            std::slice::from_ref(read),
            &authorizer,
        )? {
            Residual::Quiet => fixes.push(Condition {
                text: format!("no `{}`", read.1),
                action: Some(format!("add `{}`", read.1)),
            }),
            Residual::Fires => {}
            Residual::Conditions(conditions) => fixes.extend(conditions),
        }
    }
    if fixes.is_empty() {
        let all: Vec<(Var, String)> = rule.reads.iter().cloned().collect();
        if let Residual::Conditions(conditions) =
            residual(model, &request, &set, &all, &authorizer)?
        {
            fixes = conditions;
        }
    }
    if fixes.is_empty() {
        return Ok(Fix::Always);
    }
    // Never a change of a fact: only what records, assesses or answers.
    let mut facts = Vec::new();
    fixes.retain(|condition| match changes_fact(condition) {
        Some(fact) => {
            if !facts.contains(&fact) {
                facts.push(fact);
            }
            false
        }
        None => true,
    });
    if fixes.is_empty() {
        Ok(Fix::OnlyFacts(facts))
    } else {
        Ok(Fix::Conditions(fixes))
    }
}

/// What a partial evaluation leaves.
enum Residual {
    /// The rule no longer fires, whatever the unknowns are.
    Quiet,
    /// The rule fires whatever the unknowns are.
    Fires,
    /// The rule fires while all of these hold.
    Conditions(Vec<Condition>),
}

/// The rule evaluated with `unknowns` (fields it reads) unknown.
fn residual(
    model: &Model,
    request: &cedar_policy::Request,
    set: &PolicySet,
    unknowns: &[(Var, String)],
    authorizer: &Authorizer,
) -> Result<Residual, Problem> {
    let (entities, context) = with_unknowns(model, request, unknowns)?;
    let partial_request = cedar_policy::Request::new(
        request.principal().cloned().ok_or_else(no_request)?,
        request.action().cloned().ok_or_else(no_request)?,
        request.resource().cloned().ok_or_else(no_request)?,
        context,
        None,
    )
    .map_err(|e| Problem::general(Code::EvaluationError, e.to_string()))?;
    let response = authorizer.is_authorized_partial(&partial_request, set, &entities);
    if let Some(policy) = response.nontrivial_residuals().next() {
        let conditions = conjuncts(&condition_text(&policy.to_string()));
        if conditions.iter().any(|c| c.text == "false") {
            return Ok(Residual::Quiet);
        }
        return Ok(Residual::Conditions(conditions));
    }
    if response.must_be_determining().next().is_some() {
        Ok(Residual::Fires)
    } else {
        Ok(Residual::Quiet)
    }
}

fn no_request() -> Problem {
    Problem::general(
        Code::EvaluationError,
        "the request has no principal, action or resource",
    )
}

/// The entities and context with `unknowns` (fields the rule reads) as unknowns named after
/// them (`resource.retention` as `retention`, a context field as itself).
fn with_unknowns(
    model: &Model,
    request: &cedar_policy::Request,
    unknowns: &[(Var, String)],
) -> Result<(cedar_policy::Entities, Context), Problem> {
    let mut changed: Vec<Entity> = Vec::new();
    for (var, uid) in [
        (Var::Resource, request.resource()),
        (Var::Principal, request.principal()),
    ] {
        let Some(uid) = uid else {
            continue;
        };
        let Some(entity) = model.entities.get(uid) else {
            continue;
        };
        let reads: Vec<&String> = unknowns
            .iter()
            .filter(|(v, _)| *v == var)
            .map(|(_, a)| a)
            .collect();
        if reads.is_empty() {
            continue;
        }
        let (uid, mut attrs, parents) = entity.clone().into_inner();
        for attr in reads {
            attrs.insert(attr.clone(), RestrictedExpression::new_unknown(attr));
        }
        let entity = Entity::new(uid, attrs, parents)
            .map_err(|e| Problem::general(Code::EntityError, e.to_string()))?;
        changed.push(entity);
    }
    let entities = model
        .entities
        .clone()
        .upsert_entities(changed, None)
        .map_err(|e| Problem::general(Code::EntityError, e.to_string()))?;
    // The data item's own fields: `label` and `purposes`.
    let mut fields: HashMap<String, RestrictedExpression> = HashMap::new();
    if let Some(context) = request.context() {
        for key in ["label", "purposes"] {
            if let Some(value) = context.get(key) {
                let expr = RestrictedExpression::from_str(&value.to_string())
                    .unwrap_or_else(|_| RestrictedExpression::new_string(value.to_string()));
                fields.insert(key.to_string(), expr);
            }
        }
    }
    for (_, key) in unknowns.iter().filter(|(v, _)| *v == Var::Context) {
        fields.insert(key.clone(), RestrictedExpression::new_unknown(key));
    }
    let context = Context::from_pairs(fields)
        .map_err(|e| Problem::general(Code::EntityError, e.to_string()))?;
    Ok((entities, context))
}

use std::str::FromStr;

/// The condition of a residual policy, `unknown("x")` written as `x`.
fn condition_text(policy: &str) -> String {
    let body = policy
        .find("when")
        .and_then(|start| {
            let rest = policy.get(start..)?;
            let open = rest.find('{')?;
            let close = rest.rfind('}')?;
            rest.get(open + 1..close)
        })
        .unwrap_or(policy)
        .trim();
    let mut text = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("unknown(\"") {
        text.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + "unknown(\"".len()..).unwrap_or_default();
        match after.find("\")") {
            Some(end) => {
                text.push_str(after.get(..end).unwrap_or_default());
                rest = after.get(end + 2..).unwrap_or_default();
            }
            None => {
                rest = after;
            }
        }
    }
    text.push_str(rest);
    strip_true(&text)
}

/// Cedar's residuals keep `true &&` from the scope: drop it.
fn strip_true(text: &str) -> String {
    let mut text = text.trim();
    loop {
        let inner = unwrap_parens(text);
        match inner.strip_prefix("true && ") {
            Some(rest) => text = rest.trim(),
            None => return inner.to_string(),
        }
    }
}

/// Splits `text` at a top-level binary operator (`&&` or `||`), outside strings and
/// brackets.
fn split_top(text: &str, op: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_string = false;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth -= 1,
            _ if !in_string && depth == 0 && text.get(i..).is_some_and(|r| r.starts_with(op)) => {
                parts.push(text.get(start..i).unwrap_or_default().trim().to_string());
                start = i + op.len();
                for _ in 1..op.len() {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default().trim().to_string());
    parts
}

/// The condition with the `true` and `false` Cedar leaves in a residual folded away.
fn simplify(text: &str) -> String {
    let text = unwrap_parens(text.trim());
    let ors = split_top(text, "||");
    if ors.len() > 1 {
        let parts: Vec<String> = ors.iter().map(|p| simplify(p)).collect();
        if parts.iter().any(|p| p == "true") {
            return "true".to_string();
        }
        let kept: Vec<String> = parts.into_iter().filter(|p| p != "false").collect();
        return match kept.len() {
            0 => "false".to_string(),
            1 => kept.into_iter().next().unwrap_or_default(),
            _ => kept
                .iter()
                .map(|p| wrap(p))
                .collect::<Vec<_>>()
                .join(" || "),
        };
    }
    let ands = split_top(text, "&&");
    if ands.len() > 1 {
        let parts: Vec<String> = ands.iter().map(|p| simplify(p)).collect();
        if parts.iter().any(|p| p == "false") {
            return "false".to_string();
        }
        let kept: Vec<String> = parts.into_iter().filter(|p| p != "true").collect();
        return match kept.len() {
            0 => "true".to_string(),
            1 => kept.into_iter().next().unwrap_or_default(),
            _ => kept
                .iter()
                .map(|p| wrap(p))
                .collect::<Vec<_>>()
                .join(" && "),
        };
    }
    if let Some(inner) = text.strip_prefix('!') {
        let inner = simplify(inner);
        return match inner.as_str() {
            "true" => "false".to_string(),
            "false" => "true".to_string(),
            _ if is_path(&inner) => format!("!{inner}"),
            _ => format!("!({inner})"),
        };
    }
    text.to_string()
}

/// `x` in parentheses when it has a top-level operator.
fn wrap(text: &str) -> String {
    if split_top(text, "||").len() > 1 || split_top(text, "&&").len() > 1 {
        format!("({text})")
    } else {
        text.to_string()
    }
}

/// The top-level `&&` parts of a condition, each with its plain reading.
fn conjuncts(text: &str) -> Vec<Condition> {
    let simplified = simplify(text);
    let text = unwrap_parens(simplified.trim());
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut in_string = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'"') => in_string = !in_string,
            Some(b'(' | b'[' | b'{') if !in_string => depth += 1,
            Some(b')' | b']' | b'}') if !in_string => depth -= 1,
            Some(b'&') if !in_string && depth == 0 && bytes.get(i + 1) == Some(&b'&') => {
                parts.push(text.get(start..i).unwrap_or_default().trim().to_string());
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text.get(start..).unwrap_or_default().trim().to_string());
    parts
        .into_iter()
        .filter(|p| !p.is_empty() && p != "true")
        .map(|p| {
            let p = unwrap_parens(&p).to_string();
            Condition {
                action: action(&p),
                text: p,
            }
        })
        .collect()
}

/// `(x)` as `x`, when the parentheses hold the whole text.
fn unwrap_parens(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        // Only when the first `(` closes at the end.
        let mut depth = 0i32;
        let closes_at_end = text.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == text.len() - 1
        });
        if !closes_at_end {
            break;
        }
        text = inner.trim();
    }
    text
}

/// What to add for one part of a negated conjunction: `X has f` (add `X.f`), `X.f_is_statute`
/// (a law and its article in `X.f`), `X.ref_names_uavg_N` (UAVG art. N in `X.ref`); `None`
/// for any other part.
fn needed(part: &str) -> Option<String> {
    let part = unwrap_parens(part.trim());
    if let Some((record, field)) = part.split_once(" has ") {
        if is_path(record) && is_path(field) {
            // Testing that a derived flag exists says nothing of its own.
            if field.ends_with("_is_statute") || field.contains("ref_names_uavg_") {
                return Some(String::new());
            }
            return Some(format!("`{record}.{field}`"));
        }
    }
    if is_path(part) {
        if let Some(field) = part.strip_suffix("_is_statute") {
            return Some(format!("a law and its article in `{field}`"));
        }
        if let Some((record, n)) = part.split_once(".ref_names_uavg_") {
            return Some(format!("UAVG art. {n} in `{record}.ref`"));
        }
    }
    None
}

/// What makes one condition false, for the usual shapes: a missing field to add, a field to
/// remove, a value to change.
fn action(condition: &str) -> Option<String> {
    if let Some(inner) = condition.strip_prefix('!') {
        let inner = unwrap_parens(inner);
        // `!(a has x && a has y)`: add both.
        let parts = split_top(inner, "&&");
        if parts.len() > 1 {
            let needs: Option<Vec<String>> = parts.iter().map(|p| needed(p)).collect();
            let needs: Vec<String> = needs?.into_iter().filter(|n| !n.is_empty()).collect();
            return (!needs.is_empty()).then(|| format!("add {}", needs.join(" and ")));
        }
        if let Some(need) =
            needed(inner).filter(|n| n.starts_with("a law") || n.starts_with("UAVG"))
        {
            return Some(format!("write {need}"));
        }
        if let Some((record, field)) = inner.split_once(" has ") {
            if is_path(record) && is_path(field) {
                return Some(format!("add `{record}.{field}`"));
            }
        }
        if is_path(inner) {
            return Some(format!("make `{inner}` true"));
        }
        if let Some((field, value)) = inner.split_once(" == ") {
            if is_path(field) {
                return Some(format!("set `{field}` to {value}"));
            }
        }
        return None;
    }
    if let Some((record, field)) = condition.split_once(" has ") {
        if is_path(record) && is_path(field) {
            return Some(format!("remove `{record}.{field}`"));
        }
    }
    if let Some((field, value)) = condition
        .strip_suffix(')')
        .and_then(|c| c.split_once(".contains("))
    {
        if is_path(field) {
            return Some(format!("remove {} from `{field}`", entity_id(value)));
        }
    }
    if let Some(field) = condition.strip_suffix(".isEmpty()") {
        if is_path(field) {
            return Some(format!("add an entry to `{field}`"));
        }
    }
    if let Some((field, value)) = condition.split_once(" == ") {
        if is_path(field) {
            return Some(format!("change `{field}` from {value}"));
        }
    }
    if let Some((field, value)) = condition.split_once(" != ") {
        if is_path(field) {
            return Some(format!("set `{field}` to {value}"));
        }
    }
    None
}

/// `Type::"id"` as `"id"`: the register writes the id.
fn entity_id(value: &str) -> &str {
    match value.split_once("::") {
        Some((ty, id)) if is_path(ty) && id.starts_with('"') => id,
        _ => value,
    }
}

fn is_path(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_residual_reads_as_fields_to_add() {
        let policy = "@id(\"retention-required\")\nforbid(principal, action, resource) when { true && (true && (true && ((!(unknown(\"retention\") has period)) && (!(unknown(\"retention\") has criterion))))) };";
        let text = condition_text(policy);
        assert_eq!(
            text,
            "(!(retention has period)) && (!(retention has criterion))"
        );
        let parts = conjuncts(&text);
        let actions: Vec<Option<String>> = parts.iter().map(|c| c.action.clone()).collect();
        assert_eq!(
            actions,
            [
                Some("add `retention.period`".to_string()),
                Some("add `retention.criterion`".to_string())
            ]
        );
    }

    #[test]
    fn a_fact_is_never_the_way_out() {
        let condition = |text: &str| Condition {
            text: text.to_string(),
            action: action(text),
        };
        // A yes/no claim, the role, a subject removed, a basis dropped: facts.
        for text in [
            "role != \"processor\"",
            "!(large_scale == \"yes\")",
            "data_subjects.contains(SubjectCategory::\"child\")",
            "legal_basis.contains(LegalBasis::\"consent\")",
            "own_staff",
        ] {
            assert!(changes_fact(&condition(text)).is_some(), "{text}");
        }
        // Recording what is missing: not a fact changed.
        for text in [
            "!(dpia has ref)",
            "recipients.isEmpty()",
            "!(consent has proof)",
        ] {
            assert_eq!(changes_fact(&condition(text)), None, "{text}");
        }
    }

    #[test]
    fn literals_fold_away() {
        assert_eq!(simplify("(true && (a == 1)) || false"), "a == 1");
        assert_eq!(simplify("(x || true) && y"), "y");
        assert_eq!(simplify("a && (b || c) && true"), "a && (b || c)");
        assert_eq!(simplify("!(true)"), "false");
    }

    #[test]
    fn parentheses_are_unwrapped_only_around_the_whole() {
        assert_eq!(unwrap_parens("(a) && (b)"), "(a) && (b)");
        assert_eq!(unwrap_parens("((a && b))"), "a && b");
    }
}
