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
    /// With --activity: judge as of this day (YYYY-MM-DD) instead of today (UTC), for the
    /// rules that apply from a date.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date, requires = "activity")]
    pub today: Option<String>,
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
    let today = args.today.clone().unwrap_or_else(today);
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
            "  The rule judges {}; activity {} has none{}.\n",
            rule.kinds.first().map_or("activities".to_string(), |k| {
                match k.noun() {
                    "activity" => "activities".to_string(),
                    noun => format!("{noun}s"),
                }
            }),
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
                // Only what to do, in the register's words: a condition with no plain
                // reading is left to the rule's own advice below.
                let mut actions: Vec<String> = Vec::new();
                for c in &conditions {
                    if let Some(action) = &c.action {
                        let action = with_choices(action);
                        if !actions.contains(&action) {
                            actions.push(action);
                        }
                    }
                }
                if actions.is_empty() {
                    out.push_str(&format!("  {what}: the rule fires.\n"));
                } else {
                    out.push_str(&format!(
                        "  {what}: the rule fires; any one of these clears it:\n"
                    ));
                    for action in &actions {
                        out.push_str(&format!("    {}\n", visible(action)));
                    }
                }
            }
            Err(problem) => return fail(&[problem], sources, style),
        }
    }
    if firing == 0 {
        out.push_str("\nNothing to do.\n");
    } else if let Some(fix) = &rule.fix {
        out.push_str(&format!(
            "\n  In short: {}.\n  The whole explanation: `ropa explain {}`.\n",
            visible(fix),
            rule.id
        ));
    }
    emit_outcome(&out)
}

/// An action on a field of a closed vocabulary, with the words it takes.
fn with_choices(action: &str) -> String {
    use crate::register::vocab;
    let Some(field) = action.split('`').nth(1) else {
        return action.to_string();
    };
    let last = field.rsplit('.').next().unwrap_or(field);
    let choices: &[&str] = match last {
        "authorisation" => &vocab::AUTHORISATIONS,
        "transfer_mechanism" | "mechanism" => &vocab::TRANSFER_MECHANISMS,
        "kind" => &vocab::SUBPROCESSOR_KINDS,
        "exception" => &vocab::AUTOMATED_DECISION_EXCEPTIONS,
        "expected_special_categories" => &vocab::EXPECTED_SPECIAL_CATEGORIES,
        "derogation_point" => &vocab::DEROGATION_POINTS,
        "basis" if field.starts_with("terminal_access") => &vocab::TERMINAL_ACCESS_BASES,
        "body" => &vocab::PARTICIPATION_BODIES,
        "dpf_certified" | "dpf_hr" | "bsn_masked" | "interacts_with_people" => &vocab::YES_NO,
        _ => &[],
    };
    if choices.is_empty() || !action.starts_with("add ") || action.contains(" and ") {
        action.to_string()
    } else {
        format!("{action} (one of: {})", choices.join(", "))
    }
}
