//! `ropa explain RULE`: one rule in full, with its policy; with `--activity`, what would
//! make that activity (or one of its items, `--target`) comply, by partial evaluation.

use std::path::PathBuf;

use crate::entities::{self, Judging, Subject};
use crate::fix::{fix, Fix};
use crate::pipeline::load_all;
use crate::policy::Rule;
use crate::problem::{suggestion, Code, Problem};
use crate::register::Register;
use crate::report::rules::render_explain;
use crate::source::{visible, SourceMap};
use crate::waiver::today;
use crate::yaml::Limits;

use super::{emit_outcome, fail, Context, Outcome};

/// Arguments of `ropa explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule's id.
    pub rule: String,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// Say what would make this activity comply with the rule: the fields to add or change.
    #[arg(long, value_name = "ID")]
    pub activity: Option<String>,
    /// With --activity: only this data item's category, subject category, sub-processor or
    /// transfer recipient.
    #[arg(long, value_name = "TARGET", requires = "activity")]
    pub target: Option<String>,
    /// With --activity: the register's files, folders or globs [default: from ropa.toml, else
    /// register].
    #[arg(long = "register", value_name = "PATH", requires = "activity")]
    pub register: Vec<String>,
}

/// Runs `ropa explain`.
pub fn run(args: &ExplainArgs, context: &Context) -> Outcome {
    let style = context.style;
    if let Some(activity) = &args.activity {
        let policies = context.policies(args.policies.as_deref());
        let mut sources = context.sources.clone();
        return explain_fix(args, activity, &policies, context, &mut sources);
    }
    let (pack, sources) = match context.load_pack(args.policies.as_deref()) {
        Ok(loaded) => (loaded.pack, loaded.sources),
        Err(outcome) => return outcome,
    };
    let Some(rule) = pack.rule(&args.rule) else {
        return fail(&[unknown_rule(&args.rule, &pack.rules)], &sources, style);
    };
    emit_outcome(&render_explain(rule, &sources))
}

fn unknown_rule(id: &str, rules: &[Rule]) -> Problem {
    Problem::general(Code::DanglingReference, format!("no rule `{id}`")).maybe_help(Some(
        suggestion(id, rules.iter().map(|r| r.id.as_str()))
            .unwrap_or_else(|| "`ropa rules` lists the rules".to_string()),
    ))
}

/// The target a check is about, for `--target` (none for the activity itself).
fn target_of(register: &Register, subject: Subject) -> Option<&str> {
    match subject {
        Subject::Activity(_)
        | Subject::Organisation
        | Subject::Waiver(_)
        | Subject::Position(_) => None,
        _ => subject.names(register).1,
    }
}

fn explain_fix(
    args: &ExplainArgs,
    activity: &str,
    policies: &std::path::Path,
    context: &Context,
    sources: &mut SourceMap,
) -> Outcome {
    let style = context.style;
    let paths: Vec<String> = if args.register.is_empty() {
        context
            .config
            .as_ref()
            .and_then(|c| c.registers.first())
            .map(|r| r.paths.iter().map(|p| p.value.clone()).collect::<Vec<_>>())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| vec!["register".to_string()])
    } else {
        args.register.clone()
    };
    let loaded = match load_all(&paths, policies, &Limits::default(), sources) {
        Ok(loaded) => loaded,
        Err(problems) => return fail(&problems, sources, style),
    };
    let (pack, register) = (&loaded.pack, &loaded.register);
    let Some(rule) = pack.rule(&args.rule) else {
        return fail(&[unknown_rule(&args.rule, &pack.rules)], sources, style);
    };
    let ids: Vec<&str> = register
        .activities
        .iter()
        .map(|a| a.id.value.as_str())
        .collect();
    let Some(index) = ids.iter().position(|id| *id == activity) else {
        let problem =
            Problem::general(Code::DanglingReference, format!("no activity `{activity}`"))
                .maybe_help(suggestion(activity, ids.iter().copied()));
        return fail(&[problem], sources, style);
    };
    let today = today();
    let model = match entities::build(
        register,
        &pack.vocabulary,
        pack.named.as_ref(),
        &Judging::plain(&today),
        None,
    ) {
        Ok(model) => model,
        Err(problem) => return fail(&[problem], sources, style),
    };
    let on_activity = |subject: Subject| match subject {
        Subject::Activity(a)
        | Subject::DataItem(a, _)
        | Subject::DataSubject(a, _)
        | Subject::Subprocessor(a, _)
        | Subject::Transfer(a, _) => a == index,
        _ => false,
    };
    let checks: Vec<&entities::Check> = model
        .checks
        .iter()
        .filter(|c| on_activity(c.subject) && rule.kinds.contains(&c.subject.kind()))
        .filter(|c| {
            args.target
                .as_deref()
                .is_none_or(|t| target_of(register, c.subject) == Some(t))
        })
        .collect();
    let mut out = format!(
        "{} on activity {}\n  {}\n\n",
        rule.id,
        visible(activity),
        visible(&rule.message)
    );
    if checks.is_empty() {
        out.push_str(&format!(
            "  The rule judges {}s; activity {} has none{}.\n",
            rule.kinds.first().map_or("activitie", |k| k.noun()),
            visible(activity),
            args.target
                .as_deref()
                .map(|t| format!(" named {}", visible(t)))
                .unwrap_or_default()
        ));
        return emit_outcome(&out);
    }
    let mut firing = 0;
    for check in checks {
        let what = target_of(register, check.subject)
            .map(|t| format!("{} {}", check.subject.kind().noun(), visible(t)))
            .unwrap_or_else(|| "the activity".to_string());
        match fix(register, pack, &model, rule, check) {
            Ok(Fix::Quiet) => out.push_str(&format!("  {what}: complies (the rule is quiet)\n")),
            Ok(Fix::Always) => {
                firing += 1;
                out.push_str(&format!(
                    "  {what}: the rule fires whatever the fields it reads say; see `ropa explain {}`\n",
                    rule.id
                ));
            }
            Ok(Fix::OnlyFacts(facts)) => {
                firing += 1;
                let facts: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
                out.push_str(&format!(
                    "  {what}: the rule fires on what the register states ({}); ropa does not propose changing a fact. \
                     If it is wrong, correct it; if it is right, do what the rule asks (`ropa explain {}`){}.\n",
                    facts.join(", "),
                    rule.id,
                    if rule.accepts_position {
                        ", or record a reasoned position (`positions:`) with the legal reading"
                    } else {
                        ""
                    }
                ));
            }
            Ok(Fix::Conditions(conditions)) => {
                firing += 1;
                out.push_str(&format!(
                    "  {what}: the rule fires; any one of these changes clears it:\n"
                ));
                // Conditions side by side with what to do, up to a readable width.
                let width = conditions
                    .iter()
                    .map(|c| c.text.chars().count())
                    .filter(|&w| w <= 48)
                    .max()
                    .unwrap_or(0);
                for c in &conditions {
                    let text = visible(&c.text);
                    match &c.action {
                        Some(action) if text.chars().count() <= width => {
                            out.push_str(&format!("    {text:width$}   {action}\n"));
                        }
                        Some(action) => {
                            out.push_str(&format!("    {text}\n      {action}\n"));
                        }
                        None => out.push_str(&format!("    {text}\n")),
                    }
                }
                let actions: Vec<&str> = conditions
                    .iter()
                    .filter_map(|c| c.action.as_deref())
                    .collect();
                if !actions.is_empty() && actions.len() == conditions.len() {
                    out.push_str(&format!("  So: {}.\n", actions.join(", or ")));
                }
            }
            Err(problem) => return fail(&[problem], sources, style),
        }
    }
    if firing == 0 {
        out.push_str("\nNothing to do.\n");
    }
    emit_outcome(&out)
}
