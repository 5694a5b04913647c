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
use crate::suggestion;
use crate::waiver::today;
use crate::yaml::Limits;

use super::{emit_outcome, fail, Context, Outcome};
use crate::lang::Lang;

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
    emit_outcome(&render_explain(rule, &sources, context.lang()))
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
    let mut loaded = match load_all(&paths, policies, &Limits::default(), sources) {
        Ok(loaded) => loaded,
        Err(problems) => return fail(&problems, sources, style),
    };
    let lang = context.lang();
    loaded.pack.localize(lang);
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
        "{} {} {}\n  {}\n\n",
        rule.id,
        lang.pick("on activity", "bij activiteit"),
        visible(activity),
        visible(&rule.message)
    );
    if checks.is_empty() {
        let named = args
            .target
            .as_deref()
            .map(|t| format!(" {} {}", lang.pick("named", "met de naam"), visible(t)))
            .unwrap_or_default();
        let kinds = rule
            .kinds
            .first()
            .map_or("activities".to_string(), |k| match k.noun() {
                "activity" => "activities".to_string(),
                noun => format!("{noun}s"),
            });
        out.push_str(&match lang {
            Lang::En => format!(
                "  The rule judges {kinds}; activity {} has none{named}.\n",
                visible(activity)
            ),
            Lang::Nl => format!(
                "  De regel beoordeelt {}; activiteit {} heeft er geen{named}.\n",
                kind_words_nl(&kinds),
                visible(activity)
            ),
        });
        return emit_outcome(&out);
    }
    let mut firing = 0;
    for check in checks {
        let what = target_of(register, check.subject)
            .map(|t| {
                let noun = check.subject.kind().noun();
                let noun = match lang {
                    Lang::En => noun,
                    Lang::Nl => kind_words_nl(noun),
                };
                format!("{noun} {}", visible(t))
            })
            .unwrap_or_else(|| lang.pick("the activity", "de activiteit").to_string());
        match fix(register, pack, &model, rule, check) {
            Ok(Fix::Quiet) => out.push_str(&format!(
                "  {what}: {}\n",
                lang.pick("complies (the rule is quiet)", "voldoet (de regel zwijgt)")
            )),
            Ok(Fix::Always) => {
                firing += 1;
                out.push_str(&format!(
                    "  {what}: {} `ropa explain {}`\n",
                    lang.pick(
                        "the rule fires whatever the fields it reads say; see",
                        "de regel slaat aan, wat de velden die zij leest ook zeggen; zie"
                    ),
                    rule.id
                ));
            }
            Ok(Fix::OnlyFacts(facts)) => {
                firing += 1;
                let facts: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
                let position = if rule.accepts_position {
                    lang.pick(
                        ", or record a reasoned position (`positions:`) with the legal reading",
                        ", of leg een onderbouwd standpunt vast (`positions:`) met de juridische lezing",
                    )
                } else {
                    ""
                };
                out.push_str(&match lang {
                    Lang::En => format!(
                        "  {what}: the rule fires on what the register states ({}); ropa does not propose changing a fact. \
                         If it is wrong, correct it; if it is right, do what the rule asks (`ropa explain {}`){position}.\n",
                        facts.join(", "),
                        rule.id,
                    ),
                    Lang::Nl => format!(
                        "  {what}: de regel slaat aan op wat het register vaststelt ({}); ropa stelt niet voor een feit te wijzigen. \
                         Klopt het niet, verbeter het dan; klopt het wel, doe dan wat de regel vraagt (`ropa explain {}`){position}.\n",
                        facts.join(", "),
                        rule.id,
                    ),
                });
            }
            Ok(Fix::Conditions(conditions)) => {
                firing += 1;
                // Only what to do, in the register's words: a condition with no plain
                // reading is left to the rule's own advice below.
                // Each checked first: applied to a copy of the activity and judged by the
                // whole pack. One that does not clear the finding is not shown; one that
                // brings another rule's finding says so.
                let mut actions: Vec<String> = Vec::new();
                for c in &conditions {
                    let Some(action) = &c.action else {
                        continue;
                    };
                    let Some(outcome) =
                        suggestion::check(register, pack, &today, check.subject, &rule.id, action)
                            .filter(|o| o.clears)
                    else {
                        continue;
                    };
                    let mut shown = action_in(&with_choices(action), lang);
                    if !outcome.brings.is_empty() {
                        let rules: Vec<String> =
                            outcome.brings.iter().map(|r| format!("`{r}`")).collect();
                        shown.push_str(&format!(
                            " ({} {})",
                            lang.pick("then this fires:", "dan slaat aan:"),
                            rules.join(", ")
                        ));
                    }
                    if !actions.contains(&shown) {
                        actions.push(shown);
                    }
                }
                if actions.is_empty() {
                    out.push_str(&format!(
                        "  {what}: {}\n",
                        lang.pick("the rule fires.", "de regel slaat aan.")
                    ));
                } else {
                    out.push_str(&format!(
                        "  {what}: {}\n",
                        lang.pick(
                            "the rule fires; any one of these clears it:",
                            "de regel slaat aan; elk van deze lost het op:"
                        )
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
        out.push_str(lang.pick("\nNothing to do.\n", "\nNiets te doen.\n"));
    } else if let Some(fix) = &rule.fix {
        out.push_str(&format!(
            "\n  {}: {}.\n  {}: `ropa explain {}`.\n",
            lang.pick("In short", "Kort gezegd"),
            visible(fix),
            lang.pick("The whole explanation", "De hele uitleg"),
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

/// A kind of thing a rule judges, in Dutch (singular or plural as given in English).
fn kind_words_nl(noun: &str) -> &str {
    match noun {
        "organisation" => "organisatie",
        "activity" => "activiteit",
        "activities" => "activiteiten",
        "data item" => "gegeven",
        "data items" => "gegevens",
        "data subject" => "betrokkene",
        "data subjects" => "betrokkenen",
        "sub-processor" => "subverwerker",
        "sub-processors" => "subverwerkers",
        "transfer" => "doorgifte",
        "transfers" => "doorgiften",
        "waiver" => "waiver",
        "waivers" => "waivers",
        "register category" => "registercategorie",
        "register categorys" => "registercategorieën",
        other => other,
    }
}

/// An action (as [`crate::fix`] phrases it, in English) in `lang`. The phrases are a closed
/// list: `add X`, `add A and B`, `write X`, `make X true`, `set F to V`, `remove X`,
/// `remove V from F`, `add an entry to F`, `change F from V`, and `(one of: ...)` after them.
fn action_in(action: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return action.to_string();
    }
    // The words outside code spans are translated; the code stays as written.
    let (action, choices) = match action.split_once(" (one of: ") {
        Some((action, rest)) => (action, Some(rest.trim_end_matches(')'))),
        None => (action, None),
    };
    let and = |text: &str| -> String {
        text.split('`')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 0 {
                    part.replace(" and ", " en ")
                } else {
                    part.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("`")
    };
    let dutch = if let Some(rest) = action.strip_prefix("add an entry to ") {
        format!("voeg een vermelding toe aan {rest}")
    } else if let Some(rest) = action.strip_prefix("add ") {
        format!("voeg {} toe", and(rest))
    } else if let Some(rest) = action.strip_prefix("write ") {
        format!("schrijf {}", and(rest))
    } else if let Some(rest) = action
        .strip_prefix("make ")
        .and_then(|r| r.strip_suffix(" true"))
    {
        format!("maak {rest} waar")
    } else if let Some((field, value)) = action
        .strip_prefix("set ")
        .and_then(|r| r.split_once(" to "))
    {
        format!("zet {field} op {value}")
    } else if let Some((value, field)) = action
        .strip_prefix("remove ")
        .and_then(|r| r.split_once(" from "))
    {
        format!("haal {value} uit {field}")
    } else if let Some(rest) = action.strip_prefix("remove ") {
        format!("verwijder {rest}")
    } else if let Some((field, value)) = action
        .strip_prefix("change ")
        .and_then(|r| r.split_once(" from "))
    {
        format!("wijzig {field} (nu {value})")
    } else {
        action.to_string()
    };
    match choices {
        Some(choices) => format!("{dutch} (een van: {choices})"),
        None => dutch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_of_an_action_has_its_dutch() {
        for (en, nl) in [
            ("add `retention`", "voeg `retention` toe"),
            (
                "add `consent.proof` and `consent.withdrawal`",
                "voeg `consent.proof` en `consent.withdrawal` toe",
            ),
            ("write `a and b`", "schrijf `a and b`"),
            ("make `x` true", "maak `x` waar"),
            ("set `large_scale` to no", "zet `large_scale` op no"),
            ("remove `dpia.screening`", "verwijder `dpia.screening`"),
            (
                "remove \"consent\" from `legal_basis`",
                "haal \"consent\" uit `legal_basis`",
            ),
            (
                "add an entry to `purposes`",
                "voeg een vermelding toe aan `purposes`",
            ),
            (
                "change `authorisation` from general",
                "wijzig `authorisation` (nu general)",
            ),
            (
                "add `kind` (one of: named, category)",
                "voeg `kind` toe (een van: named, category)",
            ),
        ] {
            assert_eq!(action_in(en, Lang::Nl), nl, "{en}");
            assert_eq!(action_in(en, Lang::En), en);
        }
    }
}
