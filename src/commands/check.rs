//! `ropa check`: the whole register against the policies, with the `--rule` and
//! `--activity` filters; with a `ropa.toml` naming several registers, each of them in one
//! run, their findings named by register.

use std::sync::Arc;

use crate::config::in_ci;
use crate::declaration::Declaration;
use crate::finding::{ChangeCounts, Finding, Summary};
use crate::gate;
use crate::pipeline::Checked;
use crate::policy::Rule;
use crate::problem::{sort_problems, suggestion, Code, Problem};
use crate::register::{Position, Waiver};
use crate::report::html::RegisterView;
use crate::report::{ChangeReport, PositionedFinding, WaivedFinding};

use super::{
    check_one, config_reports, deliver, eea, fail, fail_as, units, ChangeArgs, Context, Delivery,
    Outcome, OutputArgs, ReportArgs, ReportView,
};

/// Arguments of `ropa check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Register files, folders or glob patterns [default: from ropa.toml, else register].
    pub paths: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Report only these rules (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Report only these activities (repeatable).
    #[arg(long = "activity", value_name = "ID")]
    pub activities: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Against a base, show only the new findings (the existing ones are counted in the
    /// closing line): the pre-commit hook's view.
    #[arg(skip)]
    pub only_new: bool,
}

/// Runs `ropa check`.
pub fn run(args: &CheckArgs, context: &Context) -> Outcome {
    let style = context.style;
    let config = context.config.as_ref();
    let mut sources = context.sources.clone();
    let reports = match config_reports(config) {
        Ok(reports) => reports,
        Err(problems) => return fail(&problems, &sources, style),
    };
    let delivery = Delivery::of(&args.report, &args.output, &reports);
    if let Some(problem) = delivery.clash() {
        return fail(&[problem], &sources, style);
    }
    let base = args.change.base();
    if args.change.fail_on_new && base.is_none() {
        let problem = Problem::general(
            Code::Io,
            "--fail-on-new needs a base to tell new findings from existing ones",
        )
        .help("name it: `--base origin/main` (a git revision) or `--base-dir DIR`");
        return fail(&[problem], &sources, style);
    }
    let fail_on_new = base.is_some() && args.change.fail_on_new(config);
    let units = units(&args.paths, args.report.policies.as_deref(), config);
    let mut runs = Vec::new();
    let mut problems = Vec::new();
    for unit in &units {
        match check_one(
            &unit.inputs,
            &unit.policies,
            base.as_ref(),
            &args.report,
            context,
            delivery.shows_silenced(&args.report),
            &mut sources,
        ) {
            Ok(checked) => runs.push((unit.name.clone(), checked)),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        problems = unknown_filters(args, &runs);
    }
    // Against a base: what the change did to the gate itself, shown first.
    let mut weakened = Vec::new();
    if let (Some(base), true) = (&base, problems.is_empty()) {
        weakened.extend(gate::config_weakened(base, config, in_ci(), &mut sources));
        for (unit, (name, checked)) in units.iter().zip(&runs) {
            let mut found = gate::rules_weakened(base, &unit.policies, &checked.pack, &mut sources);
            if let Some(change) = &checked.change {
                found.extend(gate::waivers_weakened(
                    &checked.register.waivers,
                    &change.waivers,
                ));
                found.extend(gate::positions_weakened(
                    &checked.register.positions,
                    &change.positions,
                ));
                if let Some(pack_change) = &change.pack {
                    found.extend(gate::pack_weakened(
                        pack_change,
                        &base.label(),
                        &checked.pack,
                        &sources,
                    ));
                }
            }
            for finding in &mut found {
                finding.register = name.clone();
            }
            weakened.extend(found);
        }
    }
    // The weakenings an approval this change adds names are out of the gate, shown as
    // approved; every weakening carries its id.
    let fresh = match &base {
        Some(base) => gate::fresh_approvals(base, config, in_ci()),
        None => Vec::new(),
    };
    let approval_positions: Vec<Position> =
        fresh.iter().map(|a| gate::approval_position(a)).collect();
    let (weakened, approved) = gate::approve(
        weakened,
        &fresh,
        &base
            .as_ref()
            .map(crate::baseline::Base::label)
            .unwrap_or_default(),
    );
    let mut weakened = weakened;
    crate::gate_words::in_lang(&mut weakened, style.lang);
    let mut approved = approved;
    for (finding, _) in &mut approved {
        crate::gate_words::in_lang(std::slice::from_mut(finding), style.lang);
    }
    let approved: Vec<(Finding, &Position)> = approved
        .into_iter()
        .filter_map(|(finding, index)| Some((finding, approval_positions.get(index)?)))
        .collect();
    if !problems.is_empty() {
        sort_problems(&mut problems);
        return fail_as(&problems, &sources, style, &delivery);
    }
    // The findings move into the report: no copy of the largest thing a run makes.
    let found: Vec<Vec<Finding>> = runs
        .iter_mut()
        .map(|(_, checked)| std::mem::take(&mut checked.findings))
        .collect();
    let mut merged = Merged::of(&runs, found, weakened, approved, args);
    if args.only_new && merged.summary.change.is_some() {
        let before = merged.findings.len();
        merged
            .findings
            .retain(|f| f.change == Some(crate::finding::Change::New));
        let hidden = before - merged.findings.len();
        merged.summary = merged
            .summary
            .with_findings(&merged.findings, merged.resolved.len());
        if let Some(change) = &mut merged.summary.change {
            change.existing += hidden;
        }
    }
    let waived: Vec<WaivedFinding<'_>> = merged
        .waived
        .iter()
        .map(|(finding, waiver)| WaivedFinding { finding, waiver })
        .collect();
    let positioned: Vec<PositionedFinding<'_>> = merged
        .positioned
        .iter()
        .map(|(finding, position)| PositionedFinding { finding, position })
        .collect();
    let base_label = base.as_ref().map(crate::baseline::Base::label);
    let wants_version = delivery
        .targets
        .iter()
        .any(|t| t.format == crate::report::Format::Html);
    let judged_on = args
        .report
        .today
        .clone()
        .unwrap_or_else(crate::waiver::today);
    let view = ReportView {
        findings: &merged.findings,
        waived,
        positioned,
        declarations: &merged.declarations,
        summary: merged.summary,
        rules: &merged.rules,
        change: base_label.as_deref().map(|label| ChangeReport {
            base: label,
            base_failed: merged.base_failed.as_deref(),
            resolved: &merged.resolved,
            all: args.change.all,
        }),
        fail_on_new,
        registers: runs
            .iter()
            .map(|(name, checked)| RegisterView {
                name: name.as_deref(),
                register: &checked.register,
                eea: eea(&checked.pack),
                // Reading git is for the page that shows it.
                version: wants_version
                    .then(|| units.iter().find(|u| &u.name == name))
                    .flatten()
                    .and_then(|u| crate::git::last_change(&u.inputs)),
                judged_on: Some(judged_on.as_str()),
            })
            .collect(),
    };
    let outcome = deliver(
        &view,
        &delivery,
        &args.report,
        args.report.fail_on(config),
        &sources,
        style,
    );
    // The change cannot lower the threshold that judges it: a weakened gate fails unless
    // the command line itself says otherwise.
    let gate_weakened = merged.findings.iter().any(|f| f.rule == gate::RULE_ID);
    // The registers, their findings and the packs are freed on a thread of their own: the
    // process can end without waiting for tens of thousands of small frees.
    let Merged {
        findings,
        resolved,
        rules,
        ..
    } = merged;
    crate::parallel::drop_later((runs, findings, resolved, rules));
    if outcome == Outcome::Clean && gate_weakened && args.report.fail_on.is_none() {
        Outcome::Findings
    } else {
        outcome
    }
}

/// The registers' findings, filtered and named, as one report's.
struct Merged<'a> {
    findings: Vec<Finding>,
    resolved: Vec<Finding>,
    waived: Vec<(Finding, &'a Waiver)>,
    positioned: Vec<(Finding, &'a Position)>,
    declarations: Vec<Declaration>,
    rules: Vec<Rule>,
    summary: Summary,
    base_failed: Option<String>,
}

impl<'a> Merged<'a> {
    fn of(
        runs: &'a [(Option<Arc<str>>, Checked)],
        found: Vec<Vec<Finding>>,
        weakened: Vec<Finding>,
        approved: Vec<(Finding, &'a Position)>,
        args: &CheckArgs,
    ) -> Self {
        let selected = |f: &Finding| {
            (args.rules.is_empty() || args.rules.contains(&f.rule))
                && (args.activities.is_empty()
                    || f.activity
                        .as_ref()
                        .is_some_and(|a| args.activities.contains(a)))
        };
        let named = |name: &Option<Arc<str>>, f: &Finding| {
            let mut f = f.clone();
            f.register = name.clone();
            f
        };
        let mut merged = Merged {
            findings: weakened.into_iter().filter(|f| selected(f)).collect(),
            resolved: Vec::new(),
            waived: Vec::new(),
            positioned: approved,
            declarations: Vec::new(),
            rules: Vec::new(),
            summary: Summary::default(),
            base_failed: None,
        };
        if let Some(first) = merged
            .findings
            .first()
            .or(merged.positioned.first().map(|(f, _)| f))
        {
            merged.rules.push(gate::rule(first.at));
        }
        let (mut activities, mut files, mut waived) = (0, 0, 0);
        let mut silencing = Some(0);
        for ((name, checked), found) in runs.iter().zip(found) {
            let pick = |list: &[Finding]| -> Vec<Finding> {
                list.iter()
                    .filter(|f| selected(f))
                    .map(|f| named(name, f))
                    .collect()
            };
            merged
                .findings
                .extend(found.into_iter().filter(|f| selected(f)).map(|mut f| {
                    f.register = name.clone();
                    f
                }));
            if let Some(change) = &checked.change {
                merged.resolved.extend(pick(&change.resolved));
                if merged.base_failed.is_none() {
                    merged.base_failed = change.base_failed.as_ref().map(|why| match name {
                        Some(name) => format!("register {name}: {why}"),
                        None => why.clone(),
                    });
                }
            }
            merged.waived.extend(
                checked
                    .waived
                    .iter()
                    .filter(|(f, _)| selected(f))
                    .filter_map(|(f, w)| Some((named(name, f), checked.register.waivers.get(*w)?))),
            );
            merged.positioned.extend(
                checked
                    .positioned
                    .iter()
                    .filter(|(f, _)| selected(f))
                    .filter_map(|(f, p)| {
                        Some((named(name, f), checked.register.positions.get(*p)?))
                    }),
            );
            merged
                .declarations
                .extend(checked.declarations.iter().cloned());
            for rule in &checked.pack.rules {
                if !merged.rules.iter().any(|r| r.id == rule.id) {
                    merged.rules.push(rule.clone());
                }
            }
            activities += checked.summary.activities;
            files += checked.summary.files;
            waived += checked.summary.waived;
            silencing = match (silencing, checked.summary.silencing) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
        // The rules of the packs: the gate's own rule is listed for the reports, not counted.
        let pack_rules = merged
            .rules
            .iter()
            .filter(|r| r.id != gate::RULE_ID)
            .count();
        let mut summary = Summary::new(&merged.findings, activities, files, pack_rules);
        summary.waived = waived;
        summary.approved = merged
            .positioned
            .iter()
            .filter(|(f, _)| f.rule == gate::RULE_ID)
            .count();
        summary.positions = merged.positioned.len() - summary.approved;
        summary.declarations = merged.declarations.len();
        summary.silencing = silencing;
        if runs.iter().any(|(_, c)| c.change.is_some()) {
            summary.change = Some(ChangeCounts::of(&merged.findings, merged.resolved.len()));
        }
        merged.summary = summary;
        merged
    }
}

/// Problems for `--rule` and `--activity` values that name nothing in any register.
fn unknown_filters(args: &CheckArgs, runs: &[(Option<Arc<str>>, Checked)]) -> Vec<Problem> {
    let rule_ids: Vec<&str> = runs
        .iter()
        .flat_map(|(_, c)| c.pack.rules.iter().map(|r| r.id.as_str()))
        .chain([gate::RULE_ID])
        .collect();
    let activity_ids: Vec<&str> = runs
        .iter()
        .flat_map(|(_, c)| c.register.activities.iter().map(|a| a.id.value.as_str()))
        .collect();
    let unknown = |what: &str, value: &String, known: &[&str]| {
        (!known.contains(&value.as_str())).then(|| {
            Problem::general(Code::DanglingReference, format!("no {what} `{value}`"))
                .maybe_help(suggestion(value, known.iter().copied()))
        })
    };
    args.rules
        .iter()
        .filter_map(|r| unknown("rule", r, &rule_ids))
        .chain(
            args.activities
                .iter()
                .filter_map(|a| unknown("activity", a, &activity_ids)),
        )
        .collect()
}
