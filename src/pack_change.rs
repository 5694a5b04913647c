//! Owns the second judgement of a change that edits the rule pack: the base's pack, read
//! from the base, judges the current register and the base's register, and every finding
//! it reports that the change's pack does not is evidence that the change weakened a rule,
//! the taxonomy or the regions. Beside the findings, the edits that widen what passes
//! whatever the register holds: a category that loses an ancestor, a country added to a
//! region, another absent-values list, another schema. A pack whose files are byte for byte
//! the base's costs nothing here.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::baseline::{load_base, Base};
use crate::entities::Judging;
use crate::files::below_working_directory;
use crate::finding::{finding_keys, Finding};
use crate::git;
use crate::pipeline::judge;
use crate::policy::{load_policies, PolicyPack, SCHEMA_FILE, TAXONOMY_FILE};
use crate::register::load::load_register_files;
use crate::register::Register;
use crate::source::{read_source, Location, SourceMap};
use crate::taxonomy::Taxonomy;
use crate::yaml::Limits;

/// What the change did to the pack, judged by the base's pack.
#[derive(Debug, Clone, Default)]
pub struct PackChange {
    /// Findings the base's pack reports that the change's pack does not.
    pub dropped: Vec<Dropped>,
    /// Edits that widen what passes, whatever the register holds.
    pub widened: Vec<Widened>,
    /// Why the base's pack could not judge, when it could not (then nothing above is known,
    /// and the gate counts the pack as weakened).
    pub failed: Option<String>,
}

/// A finding the base's pack reports and the change's pack does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Its rule.
    pub rule: String,
    /// Its activity, when on one.
    pub activity: Option<String>,
    /// Its target, when it names one.
    pub target: Option<String>,
}

/// An edit of the taxonomy, a region, the absent values or the schema that widens what
/// passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widened {
    /// What changed, as a sentence's object.
    pub what: String,
    /// What tells it from the others (the gate finding's target).
    pub key: String,
    /// Where the edit is in the current pack, when it can be pointed at.
    pub at: Option<Location>,
}

/// The most bytes of the base's policy files read for the comparison (as the pack's own
/// limits: 256 KB a policy file, 8 MiB the taxonomy).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The current register and its findings, and the base's findings under the current pack
/// (none when the base's register did not load with it).
pub struct Judged<'a> {
    /// The current register.
    pub register: &'a Register,
    /// Its findings (waivers applied).
    pub findings: &'a [Finding],
    /// The base's findings under the current pack.
    pub base_findings: Option<&'a [Finding]>,
    /// What the rules about the change compare with.
    pub judging: &'a Judging<'a>,
}

/// What the change did to `pack` (loaded from `policies`) against the base's pack; `None`
/// when the base's policy files are the current ones, byte for byte.
pub fn judge_with_base_pack(
    base: &Base,
    inputs: &[String],
    policies: &Path,
    pack: &PolicyPack,
    now: &Judged<'_>,
    sources: &SourceMap,
    limits: &Limits,
) -> Option<PackChange> {
    let failed = |why: String| {
        Some(PackChange {
            failed: Some(why),
            ..PackChange::default()
        })
    };
    // Policies outside the working directory are not the change's to make (the command line
    // named them): the base judges with the same pack.
    let below = below_working_directory(policies)?;
    let base_files = match base_pack_files(base, &below) {
        Ok(files) => files,
        Err(why) => return failed(why),
    };
    if base_files == current_pack_files(pack, policies, sources) {
        return None;
    }
    if base_files.is_empty() {
        // A base folder that holds only the register judges with the same pack.
        if matches!(base, Base::Dir(_)) {
            return None;
        }
        return failed("the base has no policies there".to_string());
    }
    // The base's files in a private folder of their own, loaded as any pack is.
    let folder = match materialise(&base_files) {
        Ok(folder) => folder,
        Err(err) => return failed(format!("cannot write the base's policies aside: {err}")),
    };
    let mut scratch = SourceMap::new();
    let base_pack = match load_policies(folder.path(), &mut scratch, limits) {
        Ok(pack) => pack,
        Err(problems) => {
            let first = problems
                .first()
                .map_or(String::new(), |p| p.message.clone());
            return failed(format!("the base's policies do not load here ({first})"));
        }
    };
    let mut change = PackChange {
        widened: widened(&base_pack, pack),
        ..PackChange::default()
    };
    let base_rule_names = base_pack.rule_names();
    // The current register, judged by the base's pack (when its categories are the base's
    // taxonomy's too).
    let files: Vec<_> = now.register.files.iter().map(|f| f.file).collect();
    if let Ok(register) = load_register_files(
        &files,
        true,
        Vec::new(),
        base_pack.data_categories.clone(),
        base_pack.subject_categories.clone(),
        &base_rule_names,
        sources,
        limits,
    ) {
        match judge(&register, &base_pack, now.judging) {
            Ok(judged) => change.dropped.extend(
                missing_from(&judged.findings, now.findings)
                    .into_iter()
                    .map(dropped),
            ),
            Err(problems) => return failed(first_message("judging with them", &problems)),
        }
    }
    // The base's register, judged by the base's pack, against its findings under this one.
    if let Some(base_now) = now.base_findings {
        if let Ok(Ok(loaded)) = load_base(base, inputs, &base_pack, limits) {
            match judge(&loaded.register, &base_pack, &now.judging.without_base()) {
                Ok(judged) => change.dropped.extend(
                    missing_from(&judged.findings, base_now)
                        .into_iter()
                        .map(dropped),
                ),
                Err(problems) => {
                    return failed(first_message("judging the base with them", &problems))
                }
            }
        }
    }
    let mut seen = HashSet::new();
    change
        .dropped
        .retain(|d| seen.insert((d.rule.clone(), d.activity.clone(), d.target.clone())));
    Some(change)
}

fn first_message(doing: &str, problems: &[crate::problem::Problem]) -> String {
    let first = problems
        .first()
        .map_or(String::new(), |p| p.message.clone());
    format!("the base's policies fail {doing} ({first})")
}

fn dropped(finding: &Finding) -> Dropped {
    Dropped {
        rule: finding.rule.clone(),
        activity: finding.activity.clone(),
        target: finding.target.clone(),
    }
}

/// The findings of `then` that `now` does not have (matched as the change view matches
/// findings: rule, activity, target, and rank among equals).
pub fn missing_from<'a>(then: &'a [Finding], now: &[Finding]) -> Vec<&'a Finding> {
    let present: HashSet<_> = finding_keys(now).into_iter().collect();
    then.iter()
        .zip(finding_keys(then))
        .filter(|(_, key)| !present.contains(key))
        .map(|(finding, _)| finding)
        .collect()
}

/// A pack's files, by their path below its folder: the schema, the taxonomy and every
/// policy file, with their texts.
type PackFiles = BTreeMap<String, String>;

/// The files of the current pack, from the sources it was loaded into.
fn current_pack_files(pack: &PolicyPack, policies: &Path, sources: &SourceMap) -> PackFiles {
    let mut files = PackFiles::new();
    let mut ids: Vec<_> = pack.rules.iter().map(|r| r.at.file).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let file = sources.file(id);
        if let Ok(below) = file.path.strip_prefix(policies) {
            files.insert(key(below), file.text.clone());
        }
    }
    files.insert(SCHEMA_FILE.to_string(), pack.schema.text().to_string());
    for file in sources.ids().map(|id| sources.file(id)) {
        if file.path == policies.join(TAXONOMY_FILE) {
            files.insert(TAXONOMY_FILE.to_string(), file.text.clone());
        }
    }
    files
}

fn key(path: &Path) -> String {
    crate::baseline::file_key(path)
}

/// The base's pack files: from git's objects at the base's commit, or below the base's
/// folder.
fn base_pack_files(base: &Base, below: &str) -> Result<PackFiles, String> {
    let mut files = PackFiles::new();
    match base {
        Base::Rev(rev) => {
            let commit = git::resolve(rev).map_err(|p| p.message)?;
            let found = git::files_at(
                rev,
                &commit,
                &[below.to_string()],
                &[".cedar", ".cedarschema", ".yaml"],
                MAX_FILE_BYTES,
            )
            .map_err(|p| p.message)?;
            let prefix = format!("{}/", below.trim_end_matches('/'));
            for file in found {
                let inside = file.path.strip_prefix(&prefix).unwrap_or(&file.path);
                let wanted =
                    inside.ends_with(".cedar") || inside == SCHEMA_FILE || inside == TAXONOMY_FILE;
                if wanted {
                    let text = file.text.map_err(|why| format!("{inside} {why}"))?;
                    files.insert(inside.to_string(), text);
                }
            }
        }
        Base::Dir(dir) => {
            let folder = dir.join(below);
            if !folder.is_dir() {
                return Ok(files);
            }
            let mut paths = Vec::new();
            let mut problems = Vec::new();
            crate::policy::collect_cedar_files(&folder, &mut paths, &mut problems);
            if let Some(problem) = problems.first() {
                return Err(problem.message.clone());
            }
            for name in [SCHEMA_FILE, TAXONOMY_FILE] {
                if folder.join(name).is_file() {
                    paths.push(folder.join(name));
                }
            }
            let mut scratch = SourceMap::new();
            for path in paths {
                let id = read_source(&mut scratch, &path, MAX_FILE_BYTES).map_err(|p| p.message)?;
                let inside = path.strip_prefix(&folder).unwrap_or(&path);
                files.insert(key(inside), scratch.file(id).text.clone());
            }
        }
    }
    Ok(files)
}

/// Writes the files into a new private folder (removed when dropped).
fn materialise(files: &PackFiles) -> std::io::Result<tempfile::TempDir> {
    let folder = tempfile::Builder::new()
        .prefix("ropa-base-pack.")
        .tempdir()?;
    for (name, text) in files {
        if !crate::files::is_plainly_inside(name) {
            continue;
        }
        let path = folder.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    Ok(folder)
}

/// The edits of the base's pack to `pack` that widen what passes, whatever the register.
pub fn widened(base: &PolicyPack, pack: &PolicyPack) -> Vec<Widened> {
    let mut out = Vec::new();
    // A rule that a waiver or a position may now answer, where it could not.
    for rule in &pack.rules {
        let Some(before) = base.rule(&rule.id) else {
            continue;
        };
        if rule.waivable && !before.waivable {
            out.push(Widened {
                what: format!(
                    "rule `{}` may now be waived (it was a prohibition)",
                    rule.id
                ),
                key: format!("waivable-{}", rule.id),
                at: Some(rule.at),
            });
        }
        if rule.accepts_position && !before.accepts_position {
            out.push(Widened {
                what: format!("rule `{}` now accepts a reasoned position", rule.id),
                key: format!("accepts-position-{}", rule.id),
                at: Some(rule.at),
            });
        }
    }
    for (old, new) in [
        (&base.data_categories, &pack.data_categories),
        (&base.subject_categories, &pack.subject_categories),
    ] {
        out.extend(lost_ancestors(old, new));
    }
    for region in &pack.vocabulary.regions {
        let before = base.vocabulary.regions.iter().find(|r| r.id == region.id);
        let Some(before) = before else {
            continue;
        };
        for country in &region.countries {
            if !before.countries.contains(country) {
                out.push(Widened {
                    what: format!("`{country}` is added to region `{}`", region.id),
                    key: format!("region:{}:{country}", region.id),
                    at: Some(region.at),
                });
            }
        }
    }
    for region in &base.vocabulary.regions {
        if !pack.vocabulary.regions.iter().any(|r| r.id == region.id) {
            out.push(Widened {
                what: format!("region `{}` is removed", region.id),
                key: format!("region:{}", region.id),
                at: None,
            });
        }
    }
    for (name, old, new) in [
        (
            "absent_values",
            &base.vocabulary.absent_values,
            &pack.vocabulary.absent_values,
        ),
        (
            "bare_references",
            &base.vocabulary.bare_references,
            &pack.vocabulary.bare_references,
        ),
    ] {
        let mut old = old.clone();
        let mut new = new.clone();
        old.sort();
        new.sort();
        if old != new {
            out.push(Widened {
                what: format!("the taxonomy's `{name}` change"),
                key: name.replace('_', "-"),
                at: None,
            });
        }
    }
    if base.vocabulary.words != pack.vocabulary.words
        || base.vocabulary.category_words != pack.vocabulary.category_words
    {
        out.push(Widened {
            what: "the taxonomy's `words` change".to_string(),
            key: "words".to_string(),
            at: None,
        });
    }
    // A dated duty moved later is quiet for longer.
    for (name, old, new) in [
        (
            "annex_iii_from",
            &base.vocabulary.dates.annex_iii_from,
            &pack.vocabulary.dates.annex_iii_from,
        ),
        (
            "transparency_from",
            &base.vocabulary.dates.transparency_from,
            &pack.vocabulary.dates.transparency_from,
        ),
    ] {
        if new > old {
            out.push(Widened {
                what: format!("the taxonomy's `dates.{name}` moves later ({old} to {new})"),
                key: format!("dates-{}", name.replace('_', "-")),
                at: None,
            });
        }
    }
    if schema_words(base.schema.text()) != schema_words(pack.schema.text()) {
        out.push(Widened {
            what: "the schema changes".to_string(),
            key: "schema".to_string(),
            at: None,
        });
    }
    out
}

/// Each category of `old` that, in `new`, no longer falls under one of its ancestors (or is
/// gone): a rule that tests the ancestor no longer sees it.
fn lost_ancestors(old: &Taxonomy, new: &Taxonomy) -> Vec<Widened> {
    let mut out = Vec::new();
    for category in old.categories() {
        let id = category.id.value.as_str();
        let Some(now) = new.get(id) else {
            continue;
        };
        let kept: HashSet<&str> = new.ancestors(id).collect();
        let mut lost: Vec<&str> = old.ancestors(id).filter(|a| !kept.contains(a)).collect();
        lost.sort_unstable();
        lost.dedup();
        for ancestor in lost {
            out.push(Widened {
                what: format!("category `{id}` no longer falls under `{ancestor}`"),
                key: format!("category:{id}:{ancestor}"),
                at: Some(now.id.at),
            });
        }
    }
    out
}

/// The schema's words: its text without comments and with white space folded, so that a
/// comment or layout edit is not a change.
fn schema_words(text: &str) -> Vec<&str> {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .collect()
}
