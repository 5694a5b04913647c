//! Owns the order of the stages: policies -> register -> entities -> evaluation. Both the
//! CLI and the tests run a check through here.

use std::path::Path;

use crate::baseline::{compare, load_base, Base, BaseFacts, ChangeView, LoadedBase, Unchanged};
use crate::declaration::{self, Declaration};
use crate::entities::Judging;
use crate::finding::{sort_findings, ChangeCounts, Finding, Summary};
use crate::policy::{load_policies, PolicyPack};
use crate::problem::{sort_problems, Code, Problem};
use crate::register::load::{discover, load_register};
use crate::register::Register;
use crate::source::SourceMap;
use crate::waiver::{apply_positions, apply_waivers, Positioned, Waived};
use crate::yaml::Limits;
use crate::{entities, eval};

/// A completed check.
#[derive(Debug)]
pub struct Checked {
    /// The findings, in report order.
    pub findings: Vec<Finding>,
    /// Counts for the closing line.
    pub summary: Summary,
    /// The register that was checked.
    pub register: Register,
    /// The policy pack used.
    pub pack: PolicyPack,
    /// Against a base register: what the change did.
    pub change: Option<ChangeView>,
    /// The findings a live waiver covers, each with the index of its waiver.
    pub waived: Vec<(Finding, usize)>,
    /// The findings a reasoned position answers, each with the index of its position.
    pub positioned: Vec<(Finding, usize)>,
    /// The register's declarations, in report order (what each silences when
    /// [`CheckSettings::silenced`] asked for it).
    pub declarations: Vec<Declaration>,
}

/// A loaded and checked register with its policy pack: what `validate` stops at.
#[derive(Debug)]
pub struct Loaded {
    /// The policy pack.
    pub pack: PolicyPack,
    /// The register.
    pub register: Register,
    /// How many register files were read.
    pub files: usize,
}

fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    sort_problems(&mut problems);
    problems
}

/// Loads the policies and the register, with every check the loaders make, and no rule
/// evaluated. Every file read is in `sources`, for rendering either outcome.
pub fn load_all(
    inputs: &[String],
    policies: &Path,
    limits: &Limits,
    sources: &mut SourceMap,
) -> Result<Loaded, Vec<Problem>> {
    let pack = load_policies(policies, sources, limits).map_err(sorted)?;
    let (register, files) = load_with(inputs, &pack, limits, sources)?;
    Ok(Loaded {
        pack,
        register,
        files,
    })
}

/// Loads the register `inputs` name with a loaded pack's taxonomies and rule ids; the
/// register and how many files were read.
fn load_with(
    inputs: &[String],
    pack: &PolicyPack,
    limits: &Limits,
    sources: &mut SourceMap,
) -> Result<(Register, usize), Vec<Problem>> {
    let paths = discover(inputs).map_err(sorted)?;
    let rule_names = pack.rule_names();
    let register = load_register(
        &paths,
        pack.data_categories.clone(),
        pack.subject_categories.clone(),
        &rule_names,
        sources,
        limits,
    )
    .map_err(sorted)?;
    Ok((register, paths.len()))
}

/// How many activities one part of a register holds: its entities are built, judged and
/// freed before the thread takes the next part, so memory holds a few parts' entities, not
/// the register's.
const ACTIVITIES_PER_PART: usize = 500;

/// Every finding on the organisation and the activities (those at `only`'s indices, when
/// given), the register judged part by part on every core (the findings are the same as
/// judging it whole: activities are independent). Waivers are not applied yet: see [`settle`].
pub fn judge_activities(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    only: Option<&[usize]>,
) -> Result<Vec<Finding>, Vec<Problem>> {
    judge_activities_by(register, pack, judging, only, None, false)
}

/// [`judge_activities`] with only the rules in `rules` (every rule when `None`); `bare`:
/// findings without labels (see [`eval::Prepared::bare`]).
pub fn judge_activities_by(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    only: Option<&[usize]>,
    rules: Option<&std::collections::BTreeSet<&str>>,
    bare: bool,
) -> Result<Vec<Finding>, Vec<Problem>> {
    let prepare = |register, pack, strategy, rules| {
        let prepared = eval::Prepared::with_rules(register, pack, strategy, rules);
        if bare {
            prepared.bare()
        } else {
            prepared
        }
    };
    let strategy = eval::Strategy {
        slice_by_category: true,
        threads: 1,
    };
    let indices: Vec<usize> = match only {
        Some(only) => only.to_vec(),
        None => (0..register.activities.len()).collect(),
    };
    // The organisation is judged with the part that starts the list (alone, when it is empty).
    let first = indices.first().copied();
    let build = |common: &entities::Common, part: &[usize]| {
        entities::build_part(
            common,
            register,
            &pack.vocabulary,
            pack.named.as_ref(),
            judging,
            part,
            part.first().copied() == first,
        )
        .map_err(|p| vec![p])
    };
    // One part: its entities are built while another core slices the rule sets.
    if indices.len() <= ACTIVITIES_PER_PART {
        let (model, prepared) = std::thread::scope(|scope| {
            let slicing = scope.spawn(|| prepare(register, pack, strategy, rules));
            let model = entities::common(register, &pack.vocabulary, judging)
                .map_err(|p| vec![p])
                .and_then(|common| build(&common, &indices));
            let prepared = slicing
                .join()
                .unwrap_or_else(|_| prepare(register, pack, strategy, rules));
            (model, prepared)
        });
        let model = model.map_err(sorted)?;
        return eval::evaluate_prepared(register, pack, &model, &prepared).map_err(sorted);
    }
    let common = entities::common(register, &pack.vocabulary, judging).map_err(|p| vec![p])?;
    let prepared = prepare(register, pack, strategy, rules);
    let judge_part = |part: &[usize]| {
        let model = build(&common, part)?;
        eval::evaluate_prepared(register, pack, &model, &prepared)
    };
    let parts = crate::parallel::map_chunks(
        &indices,
        crate::parallel::available_threads(),
        ACTIVITIES_PER_PART,
        |chunk| {
            let mut found = Vec::new();
            let mut problems = Vec::new();
            for part in chunk.chunks(ACTIVITIES_PER_PART) {
                match judge_part(part) {
                    Ok(more) => found.extend(more),
                    Err(more) => problems.extend(more),
                }
            }
            (found, problems)
        },
        || {
            let problem = Problem::general(Code::EvaluationError, "an evaluation thread failed");
            (Vec::new(), vec![problem])
        },
    );
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    for (found, more) in parts {
        findings.extend(found);
        problems.extend(more);
    }
    if !problems.is_empty() {
        return Err(sorted(problems));
    }
    sort_findings(&mut findings);
    Ok(findings)
}

/// Runs a whole check; waivers hold through `today` (`YYYY-MM-DD`). Every file read is in
/// `sources`, for rendering either outcome.
pub fn run_check(
    inputs: &[String],
    policies: &Path,
    today: &str,
    limits: &Limits,
    sources: &mut SourceMap,
) -> Result<Checked, Vec<Problem>> {
    run_check_against(inputs, policies, today, limits, sources, None)
}

/// [`run_check`], and with a base, each finding marked new or existing against the register
/// as it was there (checked with the same policies), and the base's findings that are gone.
pub fn run_check_against(
    inputs: &[String],
    policies: &Path,
    today: &str,
    limits: &Limits,
    sources: &mut SourceMap,
    base: Option<&Base>,
) -> Result<Checked, Vec<Problem>> {
    run_check_with(
        inputs,
        policies,
        today,
        limits,
        sources,
        base,
        CheckSettings::default(),
    )
}

/// What a check is judged with beyond its inputs: how much of the base it judges, and the
/// organisation's accountability settings (`ropa.toml`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckSettings {
    /// How much of the base register is judged.
    pub base_judging: BaseJudging,
    /// Review interval, required reviews, the longest waiver.
    pub accountability: crate::entities::Accountability,
    /// Whether to compute what each declaration silences (the register is judged again
    /// for each claim: only for the reports that show it).
    pub silenced: bool,
    /// Judge each claim again with every rule, not only with the rules that can see it (a
    /// neutral role is seen only by the rules that read a role): the same result, slower;
    /// for the test that holds the two equal.
    pub silence_with_every_rule: bool,
    /// The language the findings speak (their rule's texts and labels).
    pub lang: crate::lang::Lang,
}

/// How much of the base register a check against a base judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BaseJudging {
    /// Every activity.
    Whole,
    /// Only the activities the change touched, when the rest is byte for byte the same (see
    /// [`Unchanged`]); the findings are the same as [`BaseJudging::Whole`]'s.
    #[default]
    SkipUnchanged,
}

/// [`run_check_against`], with the settings given (see [`CheckSettings`]).
pub fn run_check_with(
    inputs: &[String],
    policies: &Path,
    today: &str,
    limits: &Limits,
    sources: &mut SourceMap,
    base: Option<&Base>,
    settings: CheckSettings,
) -> Result<Checked, Vec<Problem>> {
    let base_judging = settings.base_judging;
    // Cedar sets up its extension functions on first use, about a millisecond: on a core that
    // is idle while this one reads the pack's files, not later on the way to the findings.
    std::thread::spawn(cedar_policy::Authorizer::new);
    let mut pack = load_policies(policies, sources, limits).map_err(sorted)?;
    pack.localize(settings.lang);
    // The base is read and loaded on a thread of its own while this one loads the current
    // register.
    let (current, base_loaded) = std::thread::scope(|scope| {
        let pack = &pack;
        let base_side = base.map(|base| scope.spawn(move || load_base(base, inputs, pack, limits)));
        let current = load_with(inputs, pack, limits, sources);
        let base_loaded = base_side.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                Err(vec![Problem::general(
                    Code::Io,
                    "the thread reading the base failed",
                )])
            })
        });
        (current, base_loaded)
    });
    let (mut register, files) = current?;
    let base_loaded = base_loaded.transpose()?;
    // What the base had, for the rules about the change: nothing when there is no base;
    // when it does not load, nothing either, so that everything counts as added (the gate
    // fails closed: a base the change can break must not switch the change rules off).
    let base_facts = match &base_loaded {
        Some(Ok(loaded)) => Some(BaseFacts::of(&loaded.register)),
        Some(Err(_)) => Some(BaseFacts::default()),
        None => None,
    };
    let judging = Judging {
        today,
        base: base_facts.as_ref(),
        accountability: settings.accountability,
    };
    let (judged, base_findings) = match base_loaded {
        None => (judge(&register, &pack, &judging)?, None),
        Some(Err(problems)) => (judge(&register, &pack, &judging)?, Some(Err(problems))),
        Some(Ok(loaded)) => {
            let unchanged = match base_judging {
                BaseJudging::SkipUnchanged => Unchanged::find(&register, sources, &loaded),
                BaseJudging::Whole => None,
            };
            let (judged, base_findings) = match unchanged {
                Some(unchanged) => judge_sharing(&register, &pack, &judging, &loaded, &unchanged)?,
                None => judge_beside(&register, &pack, &judging, &loaded.register),
            };
            (judged?, Some(base_findings))
        }
    };
    let Judged {
        mut findings,
        waived,
        positioned,
    } = judged;
    let mut declarations = declaration::find(&register, &pack);
    declarations.extend(declaration::waivers(&register, &waived, today));
    if settings.silenced && !declarations.is_empty() {
        let now: Vec<&Finding> = findings
            .iter()
            .chain(waived.iter().map(|(f, _)| f))
            .chain(positioned.iter().map(|(f, _)| f))
            .collect();
        declaration::silence(
            &mut declarations,
            &mut register,
            &pack,
            &judging,
            &now,
            &positioned,
            settings.silence_with_every_rule,
        )?;
    }
    declaration::sort(&mut declarations);
    let change = match (base, base_findings) {
        (Some(base), Some(base_findings)) => {
            let now = crate::pack_change::Judged {
                register: &register,
                findings: &findings,
                base_findings: base_findings.as_deref().ok(),
                judging: &judging,
            };
            let pack_change = crate::pack_change::judge_with_base_pack(
                base, inputs, policies, &pack, &now, sources, limits,
            );
            let renamed: Vec<(String, String)> = register
                .activities
                .iter()
                .flat_map(|a| {
                    a.previous_ids
                        .iter()
                        .map(move |old| (old.value.clone(), a.id.value.clone()))
                })
                .collect();
            let mut view = compare(base, base_findings, &mut findings, &renamed);
            // A finding the change waives or answers with a position is not resolved: it is
            // still there, listed as waived or answered.
            let covered = |r: &Finding| {
                waived.iter().chain(positioned.iter()).any(|(f, _)| {
                    f.rule == r.rule && f.activity == r.activity && f.target == r.target
                })
            };
            view.resolved.retain(|r| !covered(r));
            if let Some(facts) = base_facts {
                // A base waiver or position on an activity renamed since is the renamed
                // one's: moving it along with the rename adds nothing.
                let now = |activity: &str| {
                    renamed
                        .iter()
                        .find(|(old, _)| old == activity)
                        .map(|(_, new)| new.clone())
                };
                view.waivers = facts.waivers;
                for waiver in &mut view.waivers {
                    if let Some(new) = now(&waiver.activity) {
                        waiver.activity = new;
                    }
                }
                view.positions = facts.positions;
                for position in &mut view.positions {
                    if let Some(new) = position.1.as_deref().and_then(now) {
                        position.1 = Some(new);
                    }
                }
            }
            view.pack = pack_change;
            Some(view)
        }
        _ => None,
    };
    let mut summary = Summary::new(
        &findings,
        register.activities.len(),
        files,
        pack.rules.len(),
    );
    summary.waived = waived.len();
    summary.positions = positioned.len();
    summary.declarations = declarations.len();
    summary.silencing = settings.silenced.then(|| {
        declarations
            .iter()
            .filter(|d| d.silenced.as_ref().is_some_and(|s| !s.is_empty()))
            .count()
    });
    summary.change = change
        .as_ref()
        .map(|c| ChangeCounts::of(&findings, c.resolved.len()));
    Ok(Checked {
        findings,
        summary,
        register,
        pack,
        change,
        waived,
        positioned,
        declarations,
    })
}

/// The current register judged, and the base's findings (each side may fail on its own).
type BothJudged = (
    Result<Judged, Vec<Problem>>,
    Result<Vec<Finding>, Vec<Problem>>,
);

/// The current register judged, and the base judged whole beside it on a thread of its own.
fn judge_beside(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    base: &Register,
) -> BothJudged {
    std::thread::scope(|scope| {
        let base_side = scope
            .spawn(|| judge(base, pack, &judging.without_base()).map(|judged| judged.findings));
        let current = judge(register, pack, judging);
        let base_findings = base_side.join().unwrap_or_else(|_| {
            Err(vec![Problem::general(
                Code::EvaluationError,
                "the thread judging the base failed",
            )])
        });
        (current, base_findings)
    })
}

/// The current register judged, and the base judged only where it differs: the findings of
/// the unchanged activities are the current register's, carried over to the base's files.
/// The outer error is the current register's.
fn judge_sharing(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    base: &LoadedBase,
    unchanged: &Unchanged,
) -> Result<BothJudged, Vec<Problem>> {
    let current = judge_activities(register, pack, judging, None)?;
    let base_judging = judging.without_base();
    let base_findings = match unchanged.carry(&current) {
        Some(carried) => judge_activities(
            &base.register,
            pack,
            &base_judging,
            Some(&unchanged.changed_in_base),
        )
        .and_then(|mut own| {
            own.retain(|f| !unchanged.covers(f));
            own.extend(carried);
            sort_findings(&mut own);
            settle(&base.register, pack, &base_judging, own)
        }),
        // A finding points where the base differs: judge the base whole.
        None => judge(&base.register, pack, &base_judging),
    }
    .map(|judged| judged.findings);
    Ok((settle(register, pack, judging, current), base_findings))
}

/// A judged register: the findings in report order, and the findings live waivers and
/// positions cover.
#[derive(Debug, Default)]
pub struct Judged {
    /// The findings no live waiver or position covers, in report order.
    pub findings: Vec<Finding>,
    /// The findings a live waiver covers, each with the index of its waiver.
    pub waived: Vec<(Finding, usize)>,
    /// The findings a position answers, each with the index of its position.
    pub positioned: Vec<(Finding, usize)>,
}

/// Evaluates a loaded register against the pack and applies its positions and waivers.
pub fn judge(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
) -> Result<Judged, Vec<Problem>> {
    settle(
        register,
        pack,
        judging,
        judge_activities(register, pack, judging, None)?,
    )
}

/// The findings of a model judged beside the activities (waivers, positions, categories):
/// a handful of checks, so no per-category slicing of the data-item policies.
fn judge_side_model(
    register: &Register,
    pack: &PolicyPack,
    model: &entities::Model,
) -> Result<Vec<Finding>, Vec<Problem>> {
    let strategy = eval::Strategy {
        slice_by_category: false,
        ..eval::Strategy::default()
    };
    eval::evaluate_with(register, pack, model, strategy).map_err(sorted)
}

/// Applies the register's positions and waivers to its findings (in report order) and
/// judges the waivers and positions themselves.
pub fn settle(
    register: &Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    mut findings: Vec<Finding>,
) -> Result<Judged, Vec<Problem>> {
    // The register's own categories whose names read as a category of the pack.
    let categories = entities::category_model(
        register,
        &pack.vocabulary,
        &pack.data_categories,
        &pack.subject_categories,
        None,
    )
    .map_err(|p| vec![p])?;
    if !categories.checks.is_empty() {
        findings.extend(judge_side_model(register, pack, &categories)?);
        sort_findings(&mut findings);
    }
    let Positioned {
        findings,
        positioned,
        matches: position_matches,
    } = apply_positions(findings, &register.positions);
    let Waived {
        mut findings,
        waived,
        matches,
    } = apply_waivers(findings, &register.waivers, judging.today);
    // The waivers and positions themselves, now that what each matches is known.
    if !register.waivers.is_empty() || !register.positions.is_empty() {
        let model = entities::waiver_model(register, &matches, &position_matches, judging, None)
            .map_err(|p| vec![p])?;
        findings.extend(judge_side_model(register, pack, &model)?);
        sort_findings(&mut findings);
    }
    Ok(Judged {
        findings,
        waived,
        positioned,
    })
}
