//! Owns the gate's guard on itself: against a base, what a change did to the gate's own
//! inputs. A rule removed, a severity lowered, `fail-on` raised or
//! `fail-on-new` switched on in `ropa.toml`, a register or one of its paths dropped, the
//! policies folder moved, a waiver added or extended: each is a `gate-weakened` finding
//! (error, new), which reports show first. The rule is built in: it judges the policies, so
//! it is not one of them. Each weakening has an id; an `[[approval]]` in `ropa.toml` that the
//! change adds names it, and takes it out of the gate, shown in every report as approved.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use cedar_policy::PolicySet;

use crate::baseline::{Base, BasePosition, BaseWaiver};
use crate::config::{self, Approval, Config, FILE_NAME};
use crate::finding::{Change, Finding, Severity};
use crate::git;
use crate::pack_change::{Dropped, PackChange};
use crate::policy::{PolicyPack, Rule};
use crate::register::{Position, Waiver};
use crate::source::{visible_name, Location, SourceMap, Span};
use crate::yaml::Located;

/// The rule id of the gate's own findings.
pub const RULE_ID: &str = "gate-weakened";

const MESSAGE: &str = "The change weakens the gate itself";

const HELP: &str = "A change to the rules, their severities, ropa.toml or the waivers decides \
what every later change is judged by: have the owners of policies/, ropa.toml and the waivers \
file approve it (list them in CODEOWNERS). Once the change is on the base branch, the next \
change is judged by it and this finding is gone.";

const FIX: &str = "have the owners of policies/, ropa.toml and the waivers approve the change: \
an `[[approval]]` in ropa.toml naming the weakening's id";

/// The largest base file read for the comparison.
const MAX_BYTES: u64 = 256 * 1024;

/// The deepest nesting of a base policy file parsed (as the pack's own limit).
const MAX_DEPTH: usize = 64;

/// The built-in rule the gate's findings report under, for the reports' rule lists.
pub fn rule(at: Location) -> Rule {
    Rule {
        id: RULE_ID.to_string(),
        severity: Severity::Error,
        message: Arc::from(MESSAGE),
        help: Some(Arc::from(HELP)),
        fix: Some(Arc::from(FIX)),
        article: None,
        label: None,
        area: None,
        house_rule: false,
        accepts_position: false,
        waivable: true,
        kinds: Vec::new(),
        reads: Default::default(),
        names: Default::default(),
        role_guard: None,
        guards: Vec::new(),
        at,
        source: String::new(),
        dutch: Box::default(),
    }
}

/// A finding of the gate, at `at`, saying `what` changed; `key` tells it from the others.
fn finding(at: Location, what: String, key: String) -> Finding {
    Finding {
        rule: RULE_ID.to_string(),
        severity: Severity::Error,
        message: Arc::from(format!("{MESSAGE}: {what}")),
        help: Some(Arc::from(HELP)),
        fix: Some(Arc::from(FIX)),
        article: None,
        at,
        label: Arc::from(what),
        labels: Vec::new(),
        activity: None,
        target: Some(key),
        change: Some(Change::New),
        register: None,
    }
}

/// A file of the base: the name reports give it and its text.
struct BaseText {
    name: PathBuf,
    text: String,
}

/// The files of the base below `inputs` whose names end in one of `endings`. Paths outside
/// the working directory are not the change's to make: none are read for them.
fn read_base(base: &Base, inputs: &[String], endings: &[&str]) -> Vec<BaseText> {
    let inside: Vec<String> = inputs
        .iter()
        .filter_map(|input| crate::files::below_working_directory(Path::new(input)))
        .collect();
    if inside.is_empty() {
        return Vec::new();
    }
    match base {
        Base::Rev(rev) => {
            let Ok(commit) = git::resolve(rev) else {
                return Vec::new();
            };
            git::files_at(rev, &commit, &inside, endings, MAX_BYTES)
                .map(|files| {
                    files
                        .into_iter()
                        .filter_map(|f| {
                            Some(BaseText {
                                name: f.name,
                                text: f.text.ok()?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        Base::Dir(dir) => {
            let mut files = Vec::new();
            for input in &inside {
                walk(&dir.join(input), endings, &mut files);
            }
            files.sort();
            files
                .into_iter()
                .filter_map(|path| {
                    let meta = std::fs::metadata(&path).ok()?;
                    if meta.len() > MAX_BYTES {
                        return None;
                    }
                    Some(BaseText {
                        text: std::fs::read_to_string(&path).ok()?,
                        name: path,
                    })
                })
                .collect()
        }
    }
}

/// Regular files below `path` (or `path` itself) ending in one of `endings`, hidden entries
/// skipped.
fn walk(path: &Path, endings: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_file() {
        let name = path.to_string_lossy();
        if endings.iter().any(|e| name.ends_with(e)) {
            out.push(path.to_path_buf());
        }
    } else if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                walk(&entry.path(), endings, out);
            }
        }
    }
}

/// A base rule: its severity and where its `@id` is.
struct BaseRule {
    severity: Option<Severity>,
    file: usize,
    offset: usize,
}

/// The rules of the base's policy files, by id, but for the files whose text is one of
/// `current` (a file of the current pack, byte for byte: its rules are all there, as they
/// were). A file that does not parse gives none.
fn base_rules(files: &[BaseText], current: &HashSet<&str>) -> BTreeMap<String, BaseRule> {
    let mut rules = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        if current.contains(file.text.as_str()) {
            continue;
        }
        if !matches!(
            crate::cedar_text::scan(&file.text, false, MAX_DEPTH),
            crate::cedar_text::Scan::Fine
        ) {
            continue;
        }
        let Ok(set) = PolicySet::from_str(&file.text) else {
            continue;
        };
        for policy in set.policies() {
            let Some(id) = crate::policy::annotation(policy, "id") else {
                continue;
            };
            let offset = file.text.find(&format!("@id(\"{id}\")")).unwrap_or(0);
            rules.insert(
                id.to_string(),
                BaseRule {
                    severity: crate::policy::annotation(policy, "severity")
                        .and_then(Severity::parse),
                    file: index,
                    offset,
                },
            );
        }
    }
    rules
}

/// What the change did to one register's rules: every rule of the base's `policies` that is
/// gone or lowered to a warning (a rule made impossible does not load at all). Base files a report needs are added to
/// `sources`.
pub fn rules_weakened(
    base: &Base,
    policies: &Path,
    pack: &PolicyPack,
    sources: &mut SourceMap,
) -> Vec<Finding> {
    let inputs = [policies.to_string_lossy().into_owned()];
    let files = read_base(base, &inputs, &[".cedar"]);
    // The current pack loaded: each of its files has every rule it had, so a base file with
    // the same text has no rule removed or lowered, and needs no parse.
    let current: HashSet<&str> = pack
        .rules
        .iter()
        .map(|rule| sources.file(rule.at.file).text.as_str())
        .collect();
    let rules = base_rules(&files, &current);
    let mut added: BTreeMap<usize, crate::source::FileId> = BTreeMap::new();
    let mut findings = Vec::new();
    let label = base.label();
    for (id, old) in &rules {
        let head = pack.rules.iter().find(|r| &r.id == id);
        match head {
            None => {
                let Some(file) = files.get(old.file) else {
                    continue;
                };
                let source = *added
                    .entry(old.file)
                    .or_insert_with(|| sources.add(&file.name, file.text.clone()));
                let at = Location {
                    file: source,
                    span: Span::new(old.offset, format!("@id(\"{id}\")").len()),
                };
                findings.push(finding(
                    at,
                    format!("rule `{id}` is removed (it was in {label})"),
                    format!("rule:{id}"),
                ));
            }
            Some(rule) => {
                if old.severity == Some(Severity::Error) && rule.severity == Severity::Warning {
                    findings.push(finding(
                        annotation_at(sources, rule.at, "@severity("),
                        format!("rule `{id}` is lowered from error to warning"),
                        format!("severity:{id}"),
                    ));
                }
            }
        }
    }
    findings
}

/// Where `marker` (an annotation) starts in the policy at `at`, to the end of its line;
/// the policy's place when it is not there.
fn annotation_at(sources: &SourceMap, at: Location, marker: &str) -> Location {
    let text = &sources.file(at.file).text;
    let policy = text.get(at.span.offset..at.span.end()).unwrap_or_default();
    match policy.find(marker) {
        Some(start) => {
            let len = policy
                .get(start..)
                .and_then(|rest| rest.find('\n'))
                .unwrap_or(0);
            Location {
                file: at.file,
                span: Span::new(at.span.offset + start, len),
            }
        }
        None => at,
    }
}

/// What the change did to the pack, as the base's pack judged it: per rule, the findings
/// it no longer reports; each edit that widens what passes; or, when the base's pack could
/// not judge, that alone (the gate fails closed).
pub fn pack_weakened(
    change: &PackChange,
    label: &str,
    pack: &PolicyPack,
    sources: &SourceMap,
) -> Vec<Finding> {
    // Where a finding without a place of its own points: the taxonomy, else the first rule.
    let fallback = pack
        .data_categories
        .categories()
        .first()
        .map(|c| Location {
            file: c.id.at.file,
            span: Span::new(0, 0),
        })
        .or_else(|| pack.rules.first().map(|r| r.at));
    let Some(fallback) = fallback else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    if let Some(why) = &change.failed {
        findings.push(finding(
            fallback,
            format!("the rule pack changes, and {label}'s pack cannot judge the change: {why}"),
            "pack:unjudged".to_string(),
        ));
        return findings;
    }
    let mut by_rule: BTreeMap<&str, Vec<&Dropped>> = BTreeMap::new();
    for dropped in &change.dropped {
        by_rule
            .entry(dropped.rule.as_str())
            .or_default()
            .push(dropped);
    }
    for (rule, dropped) in by_rule {
        // A rule that is gone is reported as removed (see `rules_weakened`).
        let Some(current) = pack.rule(rule) else {
            continue;
        };
        let at = annotation_at(sources, current.at, "@id(");
        let example = dropped
            .iter()
            .find_map(|d| d.activity.as_deref())
            .map(|a| format!(", e.g. on activity `{}`", visible_name(a)))
            .unwrap_or_default();
        findings.push(finding(
            at,
            format!(
                "rule `{rule}` no longer reports {} that the rules of {label} report{example}",
                crate::report::human::plural(dropped.len(), "finding", "findings"),
            ),
            format!("dropped:{rule}"),
        ));
    }
    for widened in &change.widened {
        findings.push(finding(
            widened.at.unwrap_or(fallback),
            format!("{} (against {label})", widened.what),
            format!("widened:{}", widened.key),
        ));
    }
    findings
}

/// What the change did to the waivers: each waiver the base did not have (for its rule,
/// activity and target) or whose expiry moved later.
pub fn waivers_weakened(head: &[Waiver], base: &[BaseWaiver]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for waiver in head {
        let target = waiver.target.as_ref().map(|t| t.value.as_str());
        let key = format!(
            "waiver:{}/{}/{}",
            waiver.rule.value,
            waiver.activity.value,
            target.unwrap_or("*")
        );
        let covering = format!(
            "`{}` on activity `{}`{}",
            waiver.rule.value,
            waiver.activity.value,
            target.map(|t| format!(" ({t})")).unwrap_or_default()
        );
        let same: Vec<&BaseWaiver> = base
            .iter()
            .filter(|b| {
                b.rule == waiver.rule.value
                    && b.activity == waiver.activity.value
                    && b.target.as_deref() == target
            })
            .collect();
        let latest = same.iter().map(|b| b.expires.as_str()).max();
        match latest {
            None => findings.push(finding(
                waiver.rule.at,
                format!(
                    "a waiver of {covering} until {} is added",
                    waiver.expires.value
                ),
                key,
            )),
            Some(until) if waiver.expires.value.as_str() > until => findings.push(finding(
                waiver.expires.at,
                format!(
                    "the waiver of {covering} is extended from {until} to {}",
                    waiver.expires.value
                ),
                key,
            )),
            Some(_) => {}
        }
    }
    findings
}

/// Each reasoned position the change adds (none in the base answers the same rule, activity
/// and target): a position takes its finding out of the gate, so adding one is as much a
/// loosening as adding a waiver, and needs the same approval.
pub fn positions_weakened(head: &[Position], base: &[BasePosition]) -> Vec<Finding> {
    head.iter()
        .filter_map(|position| {
            let activity = position.activity.as_ref().map(|a| a.value.clone());
            let target = position.target.as_ref().map(|t| t.value.clone());
            let known = base
                .iter()
                .any(|b| b.0 == position.rule.value && b.1 == activity && b.2 == target);
            if known {
                return None;
            }
            let key = format!(
                "position:{}/{}/{}",
                position.rule.value,
                activity.as_deref().unwrap_or("-"),
                target.as_deref().unwrap_or("*")
            );
            let on = match &activity {
                Some(a) => format!(" on activity `{a}`"),
                None => " on the organisation".to_string(),
            };
            let what = format!(
                "a reasoned position answering `{}`{on}{} is added",
                position.rule.value,
                target.map(|t| format!(" ({t})")).unwrap_or_default()
            );
            Some(finding(position.rule.at, what, key))
        })
        .collect()
}

/// The base's `ropa.toml` (where the current one is, else at the top): its file and what it
/// sets; none when the base has none or it does not load.
fn base_config(base: &Base, head: Option<&Config>, ci: bool) -> Option<(BaseText, Config)> {
    let name = head.map_or_else(|| PathBuf::from(FILE_NAME), |c| c.file.clone());
    let files = read_base(base, &[name.to_string_lossy().into_owned()], &[".toml"]);
    let file = files.into_iter().next()?;
    let mut scratch = SourceMap::new();
    let old = config::parse(&file.name, file.text.clone(), ci, &mut scratch).ok()?;
    Some((file, old))
}

/// The approvals the change adds: the current configuration's that the base's does not
/// hold. One already on the base branch approved the change that brought it, and approves
/// nothing more.
pub fn fresh_approvals<'c>(base: &Base, head: Option<&'c Config>, ci: bool) -> Vec<&'c Approval> {
    let Some(head) = head else {
        return Vec::new();
    };
    let spent: HashSet<String> = base_config(base, Some(head), ci)
        .map(|(_, old)| {
            old.approvals
                .into_iter()
                .map(|a| a.weakening.value)
                .collect()
        })
        .unwrap_or_default();
    head.approvals
        .iter()
        .filter(|a| !spent.contains(&a.weakening.value))
        .collect()
}

/// The id an approval names a weakening by: a digest of its register, what kind of
/// weakening it is and what it says, the base's name left out (the id holds while the base
/// branch moves on, and is another when the weakening is).
pub fn weakening_id(finding: &Finding, base_label: &str) -> String {
    use sha2::{Digest, Sha256};
    let what = if base_label.is_empty() {
        finding.label.to_string()
    } else {
        finding.label.replace(base_label, "the base")
    };
    let mut hasher = Sha256::new();
    for part in [
        finding.register.as_deref().unwrap_or(""),
        finding.target.as_deref().unwrap_or(""),
        what.as_str(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("w-{hex}")
}

/// The weakenings no approval names, and those one of `approvals` does, each with that
/// approval's index; every weakening's label and message end with its id, for an approval
/// to quote.
pub fn approve(
    weakened: Vec<Finding>,
    approvals: &[&Approval],
    base_label: &str,
) -> (Vec<Finding>, Vec<(Finding, usize)>) {
    let mut open = Vec::new();
    let mut approved = Vec::new();
    for mut finding in weakened {
        let id = weakening_id(&finding, base_label);
        let label = format!("{} (weakening {id})", finding.label);
        finding.message = Arc::from(format!("{MESSAGE}: {label}"));
        finding.label = Arc::from(label);
        match approvals.iter().position(|a| a.weakening.value == id) {
            Some(index) => approved.push((finding, index)),
            None => open.push(finding),
        }
    }
    (open, approved)
}

/// An approval as the reports show an accepted finding: a position on `gate-weakened`
/// targeting the weakening's id, decided (and reviewed) on the approval's day.
pub fn approval_position(approval: &Approval) -> Position {
    let located = |set: &config::Set<String>| Located {
        value: set.value.clone(),
        at: set.at,
    };
    Position {
        rule: Located {
            value: RULE_ID.to_string(),
            at: approval.weakening.at,
        },
        activity: None,
        target: Some(located(&approval.weakening)),
        reasoning: located(&approval.reason),
        approved_by: located(&approval.by),
        decided_on: located(&approval.on),
        reviewed_on: located(&approval.on),
        reference: Some(Located {
            value: format!("{FILE_NAME} [[approval]]"),
            at: approval.weakening.at,
        }),
    }
}

/// What the change did to `ropa.toml`: `fail-on` raised, `fail-on-new` switched on, a
/// register or one of its paths dropped, a policies folder moved. `head` is the current
/// configuration; the base's is read from the same place. `ci` is whether `[ci]` applies.
pub fn config_weakened(
    base: &Base,
    head: Option<&Config>,
    ci: bool,
    sources: &mut SourceMap,
) -> Vec<Finding> {
    // A base configuration that does not load sets nothing to compare with.
    let Some((file, old)) = base_config(base, head, ci) else {
        return Vec::new();
    };
    // Where a finding points: the setting in the current file, else the file's start, else
    // the base's file (the configuration is deleted).
    let mut base_source = None;
    let mut at_file = |at: Option<Location>, sources: &mut SourceMap| match (at, head) {
        (Some(at), _) => at,
        (None, Some(config)) => Location {
            file: config.source,
            span: Span::new(0, 0),
        },
        (None, None) => Location {
            file: *base_source.get_or_insert_with(|| sources.add(&file.name, file.text.clone())),
            span: Span::new(0, 0),
        },
    };
    let mut findings = Vec::new();
    let rank = |value: Option<&str>| match value.unwrap_or("error") {
        "warning" => 0,
        "error" => 1,
        _ => 2,
    };
    let old_fail_on = old.fail_on.as_ref().map(|s| s.value.as_str());
    let new_fail_on = head.and_then(|c| c.fail_on.as_ref());
    if rank(new_fail_on.map(|s| s.value.as_str())) > rank(old_fail_on) {
        findings.push(finding(
            at_file(new_fail_on.map(|s| s.at), sources),
            format!(
                "`fail-on` is raised from {} to {}",
                old_fail_on.unwrap_or("error"),
                new_fail_on.map_or("error", |s| s.value.as_str())
            ),
            "config:fail-on".to_string(),
        ));
    }
    let old_new_only = old.fail_on_new.as_ref().is_some_and(|s| s.value);
    let new_new_only = head.and_then(|c| c.fail_on_new.as_ref());
    if !old_new_only && new_new_only.is_some_and(|s| s.value) {
        findings.push(finding(
            at_file(new_new_only.map(|s| s.at), sources),
            "`fail-on-new` is switched on: existing findings no longer fail".to_string(),
            "config:fail-on-new".to_string(),
        ));
    }
    // Accountability loosened: a longer review interval or waiver term, reviews no longer
    // required, the approvers emptied.
    let before = old.accountability();
    let now = head.map(Config::accountability).unwrap_or_default();
    let loosened = [
        (
            now.review_interval_days > before.review_interval_days,
            format!(
                "`review-interval` is raised from {} to {} days",
                before.review_interval_days, now.review_interval_days
            ),
            "config:review-interval",
            head.and_then(|c| c.review_interval.as_ref()).map(|s| s.at),
        ),
        (
            before.require_review && !now.require_review,
            "`require-review` is switched off".to_string(),
            "config:require-review",
            head.and_then(|c| c.require_review.as_ref()).map(|s| s.at),
        ),
        (
            now.waiver_max_term_days > before.waiver_max_term_days,
            format!(
                "`waiver-max-term` is raised from {} to {} days",
                before.waiver_max_term_days, now.waiver_max_term_days
            ),
            "config:waiver-max-term",
            head.and_then(|c| c.waiver_max_term.as_ref()).map(|s| s.at),
        ),
        (
            old.approvers.as_ref().is_some_and(|a| !a.value.is_empty())
                && head
                    .and_then(|c| c.approvers.as_ref())
                    .is_none_or(|a| a.value.is_empty()),
            "`approvers` is emptied: anyone may approve a waiver".to_string(),
            "config:approvers",
            head.and_then(|c| c.approvers.as_ref()).map(|s| s.at),
        ),
    ];
    for (weakened, what, key, at) in loosened {
        if weakened {
            findings.push(finding(at_file(at, sources), what, key.to_string()));
        }
    }
    // No configuration, or one without registers: the command line's default register.
    let default = [config::RegisterConfig {
        name: None,
        paths: Vec::new(),
        policies: None,
    }];
    let head_registers = match head.map(|c| c.registers.as_slice()) {
        Some(registers) if !registers.is_empty() => registers,
        _ => &default,
    };
    for register in &old.registers {
        let named = register
            .name
            .as_deref()
            .map(|n| format!("register `{n}`"))
            .unwrap_or_else(|| "the register".to_string());
        let Some(now) = head_registers.iter().find(|r| r.name == register.name) else {
            findings.push(finding(
                at_file(None, sources),
                format!("{named} is no longer checked"),
                format!("config:register:{}", register.name.as_deref().unwrap_or("")),
            ));
            continue;
        };
        // Narrowed: a file the base's paths name (in the tree as it is now) that the current
        // paths leave out. Paths are compared by what they match, not as text.
        let matched = |paths: &[config::Set<String>]| {
            let mut inputs: Vec<String> = paths.iter().map(|p| p.value.clone()).collect();
            if inputs.is_empty() {
                inputs.push("register".to_string());
            }
            crate::register::load::discover(&inputs).unwrap_or_default()
        };
        let now_files: HashSet<PathBuf> = matched(&now.paths).into_iter().collect();
        let dropped: Vec<PathBuf> = matched(&register.paths)
            .into_iter()
            .filter(|f| !now_files.contains(f))
            .collect();
        if let Some(first) = dropped.first() {
            let more = match dropped.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            findings.push(finding(
                at_file(now.paths.first().map(|p| p.at), sources),
                format!(
                    "{named} no longer includes `{}`{more}",
                    crate::source::display_name(first)
                ),
                format!("config:paths:{}", register.name.as_deref().unwrap_or("")),
            ));
        }
        let old_policies = register.policies.as_ref().map(|p| p.value.as_str());
        let new_policies = now.policies.as_ref();
        if old_policies.unwrap_or("policies")
            != new_policies.map_or("policies", |p| p.value.as_str())
        {
            findings.push(finding(
                at_file(new_policies.map(|p| p.at), sources),
                format!(
                    "the policies of {named} move from `{}` to `{}`",
                    old_policies.unwrap_or("policies"),
                    new_policies.map_or("policies", |p| p.value.as_str())
                ),
                format!("config:policies:{}", register.name.as_deref().unwrap_or("")),
            ));
        }
    }
    findings
}
