//! Owns the rule pack's proofs (feature `prove`): for every rule and each request kind it
//! applies to, Cedar's symbolic compiler (cedar-policy-symcc) with the cvc5 solver proves,
//! over every input the schema allows, whether the rule can fire (else it is dead), can stay
//! quiet (else it is vacuous) and never errors; and for each pair of rules of a kind,
//! whether one's findings are always the other's too (redundant). The examples the solver
//! gives are rendered in the register's field names. Nothing here runs inside `check`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cedar_policy::{Authorizer, Policy, PolicyId, PolicySet};
use cedar_policy_symcc::solver::LocalSolver;
use cedar_policy_symcc::{CedarSymCompiler, CompiledPolicy, Env};
use serde_json::Value;

use crate::policy::{PolicyPack, RequestKind};
use crate::problem::{Code, Problem};

pub mod fragment;

/// An input the solver built: as a register fragment when a register can say it, and as
/// the entities' attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The entity the rule judges (the resource) and the others it reads, in the register's
    /// field names, as YAML.
    pub yaml: String,
    /// The same as a loadable register fragment, with the finding's activity and target.
    pub fragment: Option<fragment::Fragment>,
}

impl Example {
    /// The example as a person reads it: the register fragment when there is one.
    pub fn shown(&self) -> String {
        match &self.fragment {
            Some(f) => fragment::to_yaml(&f.register, 0),
            None => self.yaml.clone(),
        }
    }
}

/// What the proofs say of one rule on one request kind.
#[derive(Debug, Clone)]
pub struct RuleProof {
    /// The rule's id.
    pub rule: String,
    /// The request kind.
    pub kind: RequestKind,
    /// An input on which it fires; none: it never fires (dead).
    pub fires: Option<Example>,
    /// An input on which it stays quiet; none: it fires on every input (vacuous).
    pub quiet: Option<Example>,
    /// An input on which it errors; none: it never errors.
    pub errors: Option<Example>,
}

/// Two rules of a kind where the first's findings are always the second's too.
#[derive(Debug, Clone)]
pub struct Redundancy {
    /// The rule whose findings are implied.
    pub rule: String,
    /// The rule that fires wherever it does.
    pub implied_by: String,
    /// The request kind.
    pub kind: RequestKind,
    /// Whether the two fire on exactly the same inputs.
    pub equivalent: bool,
    /// An input where `implied_by` fires and `rule` does not (none when equivalent).
    pub example: Option<Example>,
}

/// Every proof about a pack.
#[derive(Debug, Clone, Default)]
pub struct Proofs {
    /// Per rule and kind, in rule-id order.
    pub rules: Vec<RuleProof>,
    /// The redundant pairs.
    pub redundant: Vec<Redundancy>,
}

impl Proofs {
    /// Whether every rule is live, not vacuous, never errors, and no pair is redundant.
    pub fn clean(&self) -> bool {
        self.redundant.is_empty()
            && self
                .rules
                .iter()
                .all(|p| p.fires.is_some() && p.quiet.is_some() && p.errors.is_none())
    }
}

/// The solver program: `$CVC5`, else `cvc5` on the PATH; a problem naming how to install it
/// when there is none.
pub fn solver() -> Result<PathBuf, Problem> {
    let named = std::env::var_os("CVC5").map(PathBuf::from);
    let found = match &named {
        Some(path) => path.is_file().then(|| path.clone()),
        None => std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("cvc5"))
                .find(|p| p.is_file())
        }),
    };
    found.ok_or_else(|| {
        let what = match &named {
            Some(path) => format!("CVC5 names {}, which is not a file", path.display()),
            None => "no cvc5 solver on the PATH".to_string(),
        };
        Problem::general(Code::Io, format!("cannot prove the rules: {what}")).help(
            "install cvc5 (Debian and Ubuntu: `apt-get install cvc5`; or a release from \
             https://github.com/cvc5/cvc5/releases) or name it with CVC5=/path/to/cvc5",
        )
    })
}

fn symcc_problem(what: &str, err: impl std::fmt::Display) -> Problem {
    Problem::general(Code::EvaluationError, format!("cannot prove {what}: {err}"))
}

/// Proves every rule of the pack (see the module). Needs [`solver`].
pub fn prove(pack: &PolicyPack) -> Result<Proofs, Vec<Problem>> {
    within_size(pack)?;
    with_solver(|compiler| prove_all(pack, compiler))
}

/// The problem of a pack too large to prove, if it is.
fn within_size(pack: &PolicyPack) -> Result<(), Vec<Problem>> {
    let bytes: usize = pack.rules.iter().map(|r| r.source.len()).sum();
    if bytes <= MAX_PROVED_BYTES {
        return Ok(());
    }
    Err(vec![Problem::general(
        Code::Io,
        format!("the pack's rules are {bytes} bytes: ropa proves packs up to {MAX_PROVED_BYTES}"),
    )
    .help(
        "prove the pack in parts: a folder with some of the rules, `--policies DIR`",
    )])
}

/// The most memory the solver may map.
const SOLVER_MEMORY_KIB: u64 = 4 * 1024 * 1024;

/// The largest pack proved: the policies' text, all files together. A pack past it is
/// refused before the solver starts (each query's cost grows with the rules).
const MAX_PROVED_BYTES: usize = 512 * 1024;

/// How long all the proofs of one run may take: `ROPA_PROVE_DEADLINE` seconds, else five
/// minutes.
fn deadline() -> std::time::Duration {
    let seconds = std::env::var("ROPA_PROVE_DEADLINE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    std::time::Duration::from_secs(seconds)
}

/// Runs `work` with a compiler on a cvc5 process, on a runtime of its own; the problem when
/// there is no solver or it cannot start.
fn with_solver<T, F, W>(work: W) -> Result<T, Vec<Problem>>
where
    W: FnOnce(CedarSymCompiler<LocalSolver>) -> F,
    F: std::future::Future<Output = Result<T, Problem>>,
{
    solver().map_err(|p| vec![p])?;
    let deadline = deadline();
    // The solver is a child process: the runtime needs its I/O and timer drivers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| vec![symcc_problem("the rules", e)])?;
    runtime
        .block_on(async {
            // `like` patterns need cvc5's extended string theory; a minute per query at most.
            // The solver is killed when the work ends or the deadline passes (its process is
            // dropped with the compiler): a valid rule can keep it busy without end.
            // Its memory is capped too: the solver has no limit of its own.
            let program = std::env::var_os("CVC5").unwrap_or_else(|| "cvc5".into());
            let capped = crate::sandbox::capped(
                &program,
                &["--lang", "smt", "--tlimit-per=60000", "--strings-exp"],
                SOLVER_MEMORY_KIB,
            );
            let cvc5 = LocalSolver::from_command(
                tokio::process::Command::from(capped).kill_on_drop(true),
            )
            .map_err(|e| symcc_problem("the rules", e))?;
            let compiler =
                CedarSymCompiler::new(cvc5).map_err(|e| symcc_problem("the rules", e))?;
            match tokio::time::timeout(deadline, work(compiler)).await {
                Ok(done) => done,
                Err(_) => Err(Problem::general(
                    Code::Io,
                    format!(
                        "the proofs did not finish within {} s: the solver was stopped",
                        deadline.as_secs()
                    ),
                )
                .help("a rule's condition may be too hard to decide; ROPA_PROVE_DEADLINE (seconds) sets the limit")),
            }
        })
        .map_err(|p| vec![p])
}

async fn prove_all(
    pack: &PolicyPack,
    mut compiler: CedarSymCompiler<LocalSolver>,
) -> Result<Proofs, Problem> {
    let mut proofs = Proofs::default();
    let schema = pack.schema.get()?;
    for env in schema.request_envs() {
        let action = env.action().id().unescaped().to_string();
        let Some(kind) = RequestKind::ALL.into_iter().find(|k| k.action() == action) else {
            continue;
        };
        let Some(set) = pack.sets.get(&kind) else {
            continue;
        };
        let mut compiled: Vec<(String, Policy, CompiledPolicy)> = Vec::new();
        for policy in set.policies() {
            // The pack names each policy by its rule's id.
            let id = policy.id().to_string();
            let one = CompiledPolicy::compile(policy, &env, schema)
                .map_err(|e| symcc_problem(&format!("`{id}`"), e))?;
            compiled.push((id, policy.clone(), one));
        }
        compiled.sort_by(|a, b| a.0.cmp(&b.0));
        // Each rule's example input on which it fires, kept to rule pairs out cheaply.
        let mut fires_on: Vec<Option<Env>> = Vec::new();
        for (id, _, policy) in &compiled {
            let fail = |e| symcc_problem(&format!("`{id}`"), e);
            let fires = compiler
                .check_never_matches_with_counterexample_opt(policy)
                .await
                .map_err(fail)?;
            let quiet = compiler
                .check_always_matches_with_counterexample_opt(policy)
                .await
                .map_err(fail)?;
            let errors = compiler
                .check_never_errors_with_counterexample_opt(policy)
                .await
                .map_err(fail)?;
            proofs.rules.push(RuleProof {
                rule: id.clone(),
                kind,
                fires: fires.as_ref().map(|e| example(e, kind, pack)),
                quiet: quiet.map(|e| example(&e, kind, pack)),
                errors: errors.map(|e| example(&e, kind, pack)),
            });
            fires_on.push(fires);
        }
        // Pairs of live rules: is one's every finding the other's too? Where the first's
        // example does not make the second fire, evaluating it says no without the solver.
        // A vacuous rule fires wherever any rule does: it is reported as vacuous, not as
        // implied by every other rule.
        let vacuous = |id: &str| {
            proofs
                .rules
                .iter()
                .any(|p| p.rule == id && p.kind == kind && p.quiet.is_none())
        };
        let live: Vec<(&(String, Policy, CompiledPolicy), &Env)> = compiled
            .iter()
            .zip(&fires_on)
            .filter(|(rule, _)| !vacuous(&rule.0))
            .filter_map(|(rule, env)| Some((rule, env.as_ref()?)))
            .collect();
        let live_rules: Vec<&(String, Policy, CompiledPolicy)> =
            live.iter().map(|(r, _)| *r).collect();
        let mut implies: BTreeMap<(usize, usize), bool> = BTreeMap::new();
        for (i, (a, a_fires)) in live.iter().enumerate() {
            for (j, (b, _)) in live.iter().enumerate() {
                if i == j {
                    continue;
                }
                if !matches(&b.1, a_fires) {
                    implies.insert((i, j), false);
                    continue;
                }
                let holds = compiler
                    .check_matches_implies_opt(&a.2, &b.2)
                    .await
                    .map_err(|e| symcc_problem(&format!("`{}` against `{}`", a.0, b.0), e))?;
                implies.insert((i, j), holds);
            }
        }
        for (&(i, j), &holds) in &implies {
            let (Some(a), Some(b)) = (live_rules.get(i), live_rules.get(j)) else {
                continue;
            };
            if !holds {
                continue;
            }
            let equivalent = implies.get(&(j, i)).copied().unwrap_or(false);
            if equivalent && i > j {
                continue; // reported once, from the first of the two
            }
            let example = if equivalent {
                None
            } else {
                compiler
                    .check_matches_implies_with_counterexample_opt(&b.2, &a.2)
                    .await
                    .map_err(|e| symcc_problem(&format!("`{}` against `{}`", b.0, a.0), e))?
                    .map(|e| example(&e, kind, pack))
            };
            proofs.redundant.push(Redundancy {
                rule: a.0.clone(),
                implied_by: b.0.clone(),
                kind,
                equivalent,
                example,
            });
        }
    }
    proofs
        .rules
        .sort_by(|a, b| (&a.rule, a.kind).cmp(&(&b.rule, b.kind)));
    Ok(proofs)
}

/// Whether `policy` matches the example input: evaluated, not solved.
fn matches(policy: &Policy, env: &Env) -> bool {
    let mut set = PolicySet::new();
    if set.add(policy.clone()).is_err() {
        return true; // cannot tell: let the solver decide
    }
    let response = Authorizer::new().is_authorized(&env.request, &set, &env.entities);
    response.diagnostics().reason().next().is_some()
        || response.diagnostics().errors().next().is_some()
}

/// The attributes the register does not write: ropa computes them.
const COMPUTED: [&str; 7] = [
    "purposes_text",
    "criterion_normalised",
    "added_in_change",
    "legal_basis_added",
    "subprocessors_added",
    "notified_days_ago",
    "period_days",
];

/// A solver's example: as a register fragment when a register can say it, and as the
/// request's resource and principal (and the data item's context) with their attributes
/// under the register's field names (the schema names each attribute after its field).
fn example(env: &Env, kind: RequestKind, pack: &PolicyPack) -> Example {
    let uid = |u: Option<&cedar_policy::EntityUid>| {
        u.map(|u| (u.type_name().to_string(), u.id().unescaped().to_string()))
    };
    let principal = uid(env.request.principal());
    let resource = uid(env.request.resource());
    let context: Vec<(&str, Value)> = ["label", "purposes"]
        .into_iter()
        .filter_map(|key| {
            let value = env.request.context()?.get(key)?;
            Some((key, eval_json(&value)))
        })
        .collect();
    let json = env.entities.to_json_value().unwrap_or(Value::Null);
    Example {
        yaml: render_entities(
            as_pair(principal.as_ref()),
            as_pair(resource.as_ref()),
            &context,
            &json,
            kind,
        ),
        fragment: fragment::fragment(
            as_pair(principal.as_ref()),
            as_pair(resource.as_ref()),
            &context,
            &json,
            kind,
            pack,
        ),
    }
}

fn as_pair(pair: Option<&(String, String)>) -> Option<(&str, &str)> {
    pair.map(|(t, i)| (t.as_str(), i.as_str()))
}

/// A context value as JSON: text, and sets of text.
fn eval_json(value: &cedar_policy::EvalResult) -> Value {
    match value {
        cedar_policy::EvalResult::String(s) => Value::String(s.clone()),
        cedar_policy::EvalResult::Set(set) => Value::Array(set.iter().map(eval_json).collect()),
        other => Value::String(other.to_string()),
    }
}

fn render_entities(
    principal: Option<(&str, &str)>,
    resource: Option<(&str, &str)>,
    context: &[(&str, Value)],
    json: &Value,
    kind: RequestKind,
) -> String {
    let attrs = |(ty, id): (&str, &str)| -> Value {
        json.as_array()
            .into_iter()
            .flatten()
            .find(|e| {
                e.pointer("/uid/type").and_then(Value::as_str) == Some(ty)
                    && e.pointer("/uid/id").and_then(Value::as_str) == Some(id)
            })
            .and_then(|e| e.get("attrs"))
            .map_or(Value::Null, plain)
    };
    let mut out = String::new();
    let mut write = |role: &str, entity: Option<(&str, &str)>| {
        if let Some((ty, id)) = entity {
            let shown = serde_json::to_string(id).unwrap_or_default();
            out.push_str(&format!("# {role}: {ty} {shown}\n"));
            out.push_str(&fragment::to_yaml(&attrs((ty, id)), 0));
        }
    };
    match kind {
        RequestKind::Organisation | RequestKind::Activity => {
            write("the activity or organisation judged", resource);
        }
        _ => {
            write("judged", resource);
            write("of", principal);
        }
    }
    // The data item's own fields (the only request kind with a context).
    if !context.is_empty() {
        out.push_str("# the data item's own fields\n");
        let fields: serde_json::Map<String, Value> = context
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        out.push_str(&fragment::to_yaml(&Value::Object(fields), 0));
    }
    out
}

/// Attributes as the register's fields: entity references as their ids, without what ropa
/// computes.
fn plain(value: &Value) -> Value {
    match value {
        Value::Object(map) => match map.get("__entity").and_then(|e| e.get("id")) {
            Some(id) => id.clone(),
            None => Value::Object(
                map.iter()
                    .filter(|(k, _)| !COMPUTED.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), plain(v)))
                    .collect(),
            ),
        },
        Value::Array(items) => Value::Array(items.iter().map(plain).collect()),
        other => other.clone(),
    }
}

/// A rule of the old pack that the new one no longer enforces everywhere it did.
#[derive(Debug, Clone)]
pub struct Loosened {
    /// The rule id.
    pub rule: String,
    /// The request kind.
    pub kind: RequestKind,
    /// What happened: removed, or an input where the old rule fires and the new does not.
    pub example: Option<Example>,
    /// Why the two could not be compared, when they could not.
    pub incomparable: Option<String>,
}

/// Proves, per rule id and request kind, that wherever a rule of `old` fires the same rule
/// of `new` fires too (both compiled against `new`'s schema). The rules that do not: removed,
/// loosened (with an input that shows it), or no longer comparable.
pub fn tightens(old: &PolicyPack, new: &PolicyPack) -> Result<Vec<Loosened>, Vec<Problem>> {
    within_size(old)?;
    within_size(new)?;
    with_solver(|compiler| tightens_all(old, new, compiler))
}

async fn tightens_all(
    old: &PolicyPack,
    new: &PolicyPack,
    mut compiler: CedarSymCompiler<LocalSolver>,
) -> Result<Vec<Loosened>, Problem> {
    let mut loosened = Vec::new();
    let schema = new.schema.get()?;
    for env in schema.request_envs() {
        let action = env.action().id().unescaped().to_string();
        let Some(kind) = RequestKind::ALL.into_iter().find(|k| k.action() == action) else {
            continue;
        };
        let Some(old_set) = old.sets.get(&kind) else {
            continue;
        };
        let mut olds: Vec<(&str, &Policy)> = old_set
            .policies()
            .map(|p| (AsRef::<str>::as_ref(p.id()), p))
            .collect();
        olds.sort_by(|a, b| a.0.cmp(b.0));
        for (id, old_policy) in olds {
            let new_policy = new
                .sets
                .get(&kind)
                .and_then(|set| set.policy(&PolicyId::new(id)));
            let Some(new_policy) = new_policy else {
                loosened.push(Loosened {
                    rule: id.to_string(),
                    kind,
                    example: None,
                    incomparable: None,
                });
                continue;
            };
            let compiled = CompiledPolicy::compile(old_policy, &env, schema)
                .and_then(|o| CompiledPolicy::compile(new_policy, &env, schema).map(|n| (o, n)));
            let (old_compiled, new_compiled) = match compiled {
                Ok(pair) => pair,
                Err(err) => {
                    loosened.push(Loosened {
                        rule: id.to_string(),
                        kind,
                        example: None,
                        incomparable: Some(err.to_string()),
                    });
                    continue;
                }
            };
            let gap = compiler
                .check_matches_implies_with_counterexample_opt(&old_compiled, &new_compiled)
                .await
                .map_err(|e| symcc_problem(&format!("`{id}`"), e))?;
            if let Some(env) = gap {
                loosened.push(Loosened {
                    rule: id.to_string(),
                    kind,
                    example: Some(example(&env, kind, new)),
                    incomparable: None,
                });
            }
        }
    }
    Ok(loosened)
}

/// The solver's examples as `ropa test` cases, one file per rule: where it fires and where
/// it stays quiet, for every kind a register can say. The files' paths and contents.
pub fn test_cases(proofs: &Proofs) -> Vec<(String, String)> {
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for proof in &proofs.rules {
        let rule = proof.rule.as_str();
        let mut cases = String::new();
        for (example, fires) in [(&proof.fires, true), (&proof.quiet, false)] {
            let Some(fragment) = example.as_ref().and_then(|e| e.fragment.as_ref()) else {
                continue;
            };
            let name = format!(
                "the solver's {} where it {} ({})",
                proof.kind.noun(),
                if fires { "fires" } else { "stays quiet" },
                proof.kind.action()
            );
            cases.push_str(&format!("  - name: {name}\n    register:\n"));
            cases.push_str(&fragment::to_yaml(&fragment.register, 3));
            if fires {
                let mut key = format!("rule: {rule}");
                if !fragment.activity.is_empty() {
                    key.push_str(&format!(", activity: {}", fragment.activity));
                }
                if let Some(target) = &fragment.target {
                    key.push_str(&format!(", target: {target}"));
                }
                cases.push_str(&format!("    expect:\n      - {{ {key} }}\n"));
            } else {
                cases.push_str("    expect: []\n");
            }
        }
        if cases.is_empty() {
            continue;
        }
        files
            .entry(rule)
            .or_insert_with(|| {
                format!(
                    "# The cvc5 solver's examples for {rule}, from `ropa rules --prove --write-cases`:\n\
                     # a register where the rule fires and one where it stays quiet. Rename, trim\n\
                     # and keep the ones that say something.\nrules: [{rule}]\ncases:\n"
                )
            })
            .push_str(&cases);
    }
    files
        .into_iter()
        .map(|(rule, text)| (format!("{rule}.yaml"), text))
        .collect()
}
