//! Owns loading a register: finding its files, reading each into typed sections, and the
//! cross-file checks (one organisation, unique ids, defaults, references, categories). The
//! loader rejects only what it cannot understand; policies judge what is missing.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::read::{read_file, Defaults, FileSections};
use super::{Activity, Register, RegisterFile};
use crate::files::{bad_name, hidden_in_name, Fence};
use crate::parallel::{available_threads, map_chunks};
use crate::policy::RuleName;
use crate::problem::{suggestion, Code, Problem};
use crate::source::{display_name, not_a_regular_file, read_source, FileId, Location, SourceMap};
use crate::taxonomy::Taxonomy;
use crate::yaml::{parse, Limits, Located, Node, Reader, Value};

/// Finds the register files named by `inputs` (files, folders, glob patterns): every
/// `*.yaml`/`*.yml` below a folder, sorted by path, each once. A symbolic link that leads
/// out of the repository (see [`Fence::around`]) is refused, never followed, and so is a
/// file whose name holds a control character.
pub fn discover(inputs: &[String]) -> Result<Vec<PathBuf>, Vec<Problem>> {
    let mut found = BTreeSet::new();
    let mut problems = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        let kind = std::fs::metadata(path).map(|m| m.file_type());
        if kind.as_ref().is_ok_and(|k| k.is_dir()) {
            walk(path, &mut found, &mut problems);
        } else if kind.as_ref().is_ok_and(|k| k.is_file()) {
            admit(path.to_path_buf(), &mut found, &mut problems);
        } else if let Ok(kind) = kind {
            problems.push(not_a_regular_file(path, kind));
        } else if input.contains(['*', '?', '[']) {
            let literal: PathBuf = path
                .components()
                .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
                .collect();
            let fence = Fence::around(if literal.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &literal
            });
            match glob::glob(input) {
                Ok(paths) => {
                    let before = found.len();
                    for entry in paths {
                        match entry {
                            Ok(p) if fence.as_ref().is_some_and(|f| !f.admits(&p)) => {
                                if let Some(fence) = &fence {
                                    problems.push(fence.refusal(&p));
                                }
                            }
                            Ok(p) if p.is_dir() => walk(&p, &mut found, &mut problems),
                            Ok(p) if is_yaml(&p) => admit(p, &mut found, &mut problems),
                            Ok(_) => {}
                            Err(err) => problems.push(Problem::general(
                                Code::Io,
                                format!(
                                    "cannot read {}: {}",
                                    display_name(err.path()),
                                    err.error()
                                ),
                            )),
                        }
                    }
                    if found.len() == before && problems.is_empty() {
                        problems.push(Problem::general(
                            Code::NoRegisterFiles,
                            format!("`{}` matches no register file", visible_name(input)),
                        ));
                    }
                }
                Err(err) => problems.push(Problem::general(
                    Code::Io,
                    format!(
                        "`{}` is not a valid glob pattern: {}",
                        visible_name(input),
                        err.msg
                    ),
                )),
            }
        } else {
            problems.push(Problem::general(
                Code::Io,
                format!("{}: no such file or folder", visible_name(input)),
            ));
        }
    }
    if found.is_empty() && problems.is_empty() {
        let named: Vec<String> = inputs.iter().map(|i| visible_name(i)).collect();
        problems.push(
            Problem::general(
                Code::NoRegisterFiles,
                format!("no *.yaml or *.yml file in {}", named.join(", ")),
            )
            .help("name the register folder, e.g. `ropa check register/`"),
        );
    }
    if problems.is_empty() {
        Ok(found.into_iter().collect())
    } else {
        Err(problems)
    }
}

/// Adds a register file, unless its name holds a control character.
fn admit(path: PathBuf, found: &mut BTreeSet<PathBuf>, problems: &mut Vec<Problem>) {
    match hidden_in_name(&path) {
        Some(c) => problems.push(bad_name(&path, c)),
        None => {
            found.insert(path);
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Walks a register folder: every `*.yaml`/`*.yml` below it, hidden entries skipped.
fn walk(dir: &Path, found: &mut BTreeSet<PathBuf>, problems: &mut Vec<Problem>) {
    let Some(fence) = Fence::around(dir) else {
        problems.push(Problem::general(
            Code::Io,
            format!("cannot read folder {}", display_name(dir)),
        ));
        return;
    };
    walk_below(dir, &fence, found, &mut Seen::default(), problems);
}

/// The canonical folders a walk has read, and those on its way down now.
#[derive(Default)]
struct Seen {
    read: HashSet<PathBuf>,
    ancestors: Vec<PathBuf>,
}

/// Walks a folder. A symbolic link that leads out of the fence is refused; a link back to a
/// folder on the way down is a loop and a problem; a second way into a folder already read
/// is skipped, so no file is read twice.
fn walk_below(
    dir: &Path,
    fence: &Fence,
    found: &mut BTreeSet<PathBuf>,
    seen: &mut Seen,
    problems: &mut Vec<Problem>,
) {
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if seen.ancestors.contains(&key) {
        problems.push(
            Problem::general(
                Code::Io,
                format!(
                    "{} is a symbolic link loop: it leads back to a folder above it",
                    display_name(dir)
                ),
            )
            .help("remove the link"),
        );
        return;
    }
    if !seen.read.insert(key.clone()) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            problems.push(Problem::general(
                Code::Io,
                format!("cannot read folder {}: {err}", display_name(dir)),
            ));
            return;
        }
    };
    let mut listed: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let link = e.file_type().is_ok_and(|t| t.is_symlink());
            Some((e.path(), link))
        })
        .collect();
    listed.sort();
    seen.ancestors.push(key);
    for (path, link) in listed {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if link && !fence.admits(&path) {
            problems.push(fence.refusal(&path));
            continue;
        }
        if path.is_dir() {
            walk_below(&path, fence, found, seen, problems);
        } else if is_yaml(&path) {
            admit(path, found, problems);
        }
    }
    seen.ancestors.pop();
}

/// A name given on the command line or in ropa.toml, as it may be printed.
fn visible_name(name: &str) -> String {
    crate::source::visible_name(name).into_owned()
}

/// Loads the register from `paths` into `sources`, extending the given taxonomies with the
/// register's own categories; waivers and positions may name the `rules`. Returns every
/// problem found when it cannot be loaded.
pub fn load_register(
    paths: &[PathBuf],
    data_categories: Taxonomy,
    subject_categories: Taxonomy,
    rules: &[RuleName<'_>],
    sources: &mut SourceMap,
    limits: &Limits,
) -> Result<Register, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        match read_source(sources, path, limits.max_file_bytes) {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    let all_read = files.len() == paths.len();
    load_register_files(
        &files,
        all_read,
        problems,
        data_categories,
        subject_categories,
        rules,
        sources,
        limits,
    )
}

/// [`load_register`] for files already in `sources` (read from disk or from elsewhere, such
/// as a git revision); `all_read` says that no file failed to read, with `problems` the
/// problems so far.
#[expect(
    clippy::too_many_arguments,
    reason = "the loader's inputs, passed through"
)]
pub fn load_register_files(
    files: &[FileId],
    all_read: bool,
    mut problems: Vec<Problem>,
    data_categories: Taxonomy,
    subject_categories: Taxonomy,
    rules: &[RuleName<'_>],
    sources: &SourceMap,
    limits: &Limits,
) -> Result<Register, Vec<Problem>> {
    // Parsing and reading files are independent: spread them over the cores, keep the order.
    let read = map_chunks(
        files,
        available_threads(),
        FILES_PER_THREAD,
        |chunk| {
            chunk
                .iter()
                .map(|&file| read_one(file, sources, limits))
                .collect::<Vec<_>>()
        },
        || {
            vec![(
                None,
                vec![Problem::general(Code::Io, "a reading thread failed")],
            )]
        },
    );
    let mut sections = Vec::new();
    for (file_sections, file_problems) in read.into_iter().flatten() {
        sections.extend(file_sections);
        problems.extend(file_problems);
    }
    let all_read = all_read && sections.len() == files.len();
    let register = resolve(
        sections,
        data_categories,
        subject_categories,
        rules,
        all_read,
        &mut problems,
    );
    match register {
        Some(register) if problems.is_empty() => Ok(register),
        _ => Err(problems),
    }
}

/// Fewer files than this per thread are not worth a thread.
const FILES_PER_THREAD: usize = 4;

/// Parses one file and reads its sections.
fn read_one(
    file: FileId,
    sources: &SourceMap,
    limits: &Limits,
) -> (Option<(FileId, FileSections)>, Vec<Problem>) {
    let source = sources.file(file);
    let root = match parse(file, source, limits) {
        Ok(root) => root,
        Err(problem) => return (None, vec![problem]),
    };
    if let Some(problem) = empty_file(file, source, &root) {
        return (None, vec![problem]);
    }
    let mut problems = Vec::new();
    let mut reader = Reader::new(file, source, &mut problems);
    let sections = read_file(&mut reader, &root);
    (Some((file, sections)), problems)
}

/// The problem of a file with no content.
fn empty_file(file: FileId, source: &crate::source::SourceFile, root: &Node) -> Option<Problem> {
    (root.value == Value::Null).then(|| {
        Problem::at(
            Code::EmptyFile,
            Location {
                file,
                span: root.span,
            },
            format!("{} is empty", source.name),
        )
        .label("no content")
        .help("delete the file, or give it a section such as `activities:`")
    })
}

/// Reads and parses each file; an empty file is a problem.
pub fn read_roots(
    paths: &[PathBuf],
    sources: &mut SourceMap,
    limits: &Limits,
) -> (Vec<(FileId, Node)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        let file = match read_source(sources, path, limits.max_file_bytes) {
            Ok(file) => file,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let source = sources.file(file);
        let root = match parse(file, source, limits) {
            Ok(root) => root,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if let Some(problem) = empty_file(file, source, &root) {
            problems.push(problem);
            continue;
        }
        roots.push((file, root));
    }
    (roots, problems)
}

/// Builds a register from mapping nodes, each read like one register file. `complete` says
/// that nothing failed to read (so a missing organisation is the register's own gap).
pub fn assemble(
    parts: &[(FileId, &Node)],
    sources: &SourceMap,
    data_categories: Taxonomy,
    subject_categories: Taxonomy,
    rules: &[RuleName<'_>],
    complete: bool,
    problems: &mut Vec<Problem>,
) -> Option<Register> {
    let mut files = Vec::new();
    for (file, node) in parts {
        let mut reader = Reader::new(*file, sources.file(*file), problems);
        files.push((*file, read_file(&mut reader, node)));
    }
    resolve(
        files,
        data_categories,
        subject_categories,
        rules,
        complete,
        problems,
    )
}

/// Reports a second definition of an id, pointing at both.
fn duplicate(what: &str, id: &Located<String>, first: Location) -> Problem {
    Problem::at(
        Code::DuplicateId,
        id.at,
        format!("{what} `{}` is defined twice", id.value),
    )
    .label("defined again here")
    .note(first, "first defined here")
    .help("ids are unique across the whole register; rename or remove one")
}

fn resolve(
    files: Vec<(FileId, FileSections)>,
    mut data_categories: Taxonomy,
    mut subject_categories: Taxonomy,
    rules: &[RuleName<'_>],
    all_read: bool,
    problems: &mut Vec<Problem>,
) -> Option<Register> {
    let mut organisation: Option<(Location, super::Organisation)> = None;
    let mut defaults: Option<(Location, Defaults)> = None;
    let mut activities = Vec::new();
    let mut subprocessors = Vec::new();
    let mut waivers = Vec::new();
    let mut positions = Vec::new();
    let mut own_data = Vec::new();
    let mut own_subjects = Vec::new();
    let mut read: Vec<RegisterFile> = Vec::new();
    for (id, file) in files {
        // Every section named, so that a new one must be counted as shared or not.
        let FileSections {
            organisation: file_organisation,
            defaults: file_defaults,
            activities: file_activities,
            subprocessors: file_subprocessors,
            data_categories: file_data,
            subject_categories: file_subjects,
            waivers: file_waivers,
            positions: file_positions,
        } = file;
        let shared = file_organisation.is_some()
            || file_defaults.is_some()
            || !file_subprocessors.is_empty()
            || !file_data.is_empty()
            || !file_subjects.is_empty()
            || !file_waivers.is_empty()
            || !file_positions.is_empty();
        match read.iter_mut().find(|f| f.file == id) {
            Some(known) => known.shared |= shared,
            None => read.push(RegisterFile { file: id, shared }),
        }
        if let Some((at, org)) = file_organisation {
            match &organisation {
                Some((first, _)) => problems.push(
                    Problem::at(Code::DuplicateSection, at, "`organisation` appears twice")
                        .label("second `organisation`")
                        .note(*first, "first `organisation` here")
                        .help("a register describes one organisation"),
                ),
                None => organisation = Some((at, org)),
            }
        }
        if let Some((at, d)) = file_defaults {
            match &defaults {
                Some((first, _)) => problems.push(
                    Problem::at(Code::DuplicateSection, at, "`defaults` appears twice")
                        .label("second `defaults`")
                        .note(*first, "first `defaults` here")
                        .help("merge the two `defaults` sections"),
                ),
                None => defaults = Some((at, d)),
            }
        }
        activities.extend(file_activities);
        subprocessors.extend(file_subprocessors);
        waivers.extend(file_waivers);
        positions.extend(file_positions);
        own_data.extend(file_data);
        own_subjects.extend(file_subjects);
    }

    data_categories.extend(own_data, true, problems);
    data_categories.finish(problems);
    subject_categories.extend(own_subjects, true, problems);
    subject_categories.finish(problems);

    let mut subprocessor_ids: HashMap<String, Location> = HashMap::new();
    subprocessors.retain(|s: &super::Subprocessor| {
        if let Some(first) = subprocessor_ids.get(&s.id.value) {
            problems.push(duplicate("sub-processor", &s.id, *first));
            return false;
        }
        subprocessor_ids.insert(s.id.value.clone(), s.id.at);
        true
    });

    check_engagement(&subprocessors, &subprocessor_ids, problems);

    let mut activity_ids: HashMap<String, Location> = HashMap::new();
    for activity in &mut activities {
        if let Some(first) = activity_ids.get(&activity.id.value) {
            problems.push(duplicate("activity", &activity.id, *first));
        } else {
            activity_ids.insert(activity.id.value.clone(), activity.id.at);
        }
        if let Some((_, d)) = &defaults {
            inherit(activity, d);
        }
        check_activity(
            activity,
            &data_categories,
            &subject_categories,
            &subprocessor_ids,
            problems,
        );
    }

    let rule_ids = || rules.iter().map(|r| r.id);
    let dangling_activity = |activity: &Located<String>| {
        (!activity_ids.contains_key(&activity.value)).then(|| {
            dangling(
                "activity",
                activity,
                activity_ids.keys().map(String::as_str),
            )
        })
    };
    let unwaivable = |rule: &Located<String>, what: &str| {
        Problem::at(
            Code::InvalidValue,
            rule.at,
            format!("rule `{}` cannot be answered by a {what}", rule.value),
        )
        .label("a prohibition")
        .help(
            "the rule names a prohibition (`ropa rules` marks it POS `never`): no waiver and \
             no position can keep it quiet; stop the processing, or record the exception the \
             law allows",
        )
    };
    for waiver in &waivers {
        match rules.iter().find(|r| r.id == waiver.rule.value) {
            None => problems.push(dangling("rule", &waiver.rule, rule_ids())),
            Some(rule) if !rule.waivable => problems.push(unwaivable(&waiver.rule, "waiver")),
            Some(_) => {}
        }
        problems.extend(dangling_activity(&waiver.activity));
    }
    for position in &positions {
        match rules.iter().find(|r| r.id == position.rule.value) {
            None => problems.push(dangling("rule", &position.rule, rule_ids())),
            Some(rule) if !rule.waivable => problems.push(unwaivable(&position.rule, "position")),
            Some(rule) if !rule.accepts_position => problems.push(
                Problem::at(
                    Code::InvalidValue,
                    position.rule.at,
                    format!(
                        "rule `{}` does not accept a reasoned position",
                        position.rule.value
                    ),
                )
                .label("takes no position")
                .help(
                    "a position answers only the rules whose finding a legal reading can settle \
                     for good (`ropa rules` marks them POS); for this one, fix the record or use \
                     a waiver with an expiry",
                ),
            ),
            Some(_) => {}
        }
        problems.extend(position.activity.as_ref().and_then(dangling_activity));
    }

    let Some((_, organisation)) = organisation else {
        // Another problem (an unreadable file, a misspelt `organisation:`) may be the cause.
        if !all_read || !problems.is_empty() {
            return None;
        }
        problems.push(
            Problem::general(Code::MissingKey, "the register has no `organisation`")
                .help("add `organisation: { id: ..., name: ... }` to one register file"),
        );
        return None;
    };
    Some(Register {
        organisation,
        activities,
        subprocessors,
        data_categories,
        subject_categories,
        waivers,
        positions,
        files: read,
    })
}

/// Each `engaged_by` names another processor, and following them never comes back.
fn check_engagement(
    entries: &[super::Subprocessor],
    ids: &HashMap<String, Location>,
    problems: &mut Vec<Problem>,
) {
    let engaged_by: HashMap<&str, &Located<String>> = entries
        .iter()
        .filter_map(|e| Some((e.id.value.as_str(), e.engaged_by.as_ref()?)))
        .collect();
    for entry in entries {
        let Some(by) = &entry.engaged_by else {
            continue;
        };
        if !ids.contains_key(&by.value) {
            problems.push(dangling("processor", by, ids.keys().map(String::as_str)));
            continue;
        }
        // Follow the chain; it may be as long as the list, no longer.
        let mut at = by.value.as_str();
        for _ in 0..entries.len() {
            if at == entry.id.value {
                problems.push(
                    Problem::at(
                        Code::InvalidValue,
                        by.at,
                        format!(
                            "`{}` is engaged, through `engaged_by`, by itself",
                            entry.id.value
                        ),
                    )
                    .label("the chain of `engaged_by` comes back here")
                    .help(
                        "`engaged_by` names the processor that engaged this one; remove the loop",
                    ),
                );
                break;
            }
            match engaged_by.get(at) {
                Some(next) => at = next.value.as_str(),
                None => break,
            }
        }
    }
}

fn dangling<'a>(what: &str, id: &Located<String>, known: impl Iterator<Item = &'a str>) -> Problem {
    let known: Vec<&str> = known.collect();
    let help = suggestion(&id.value, known.iter().copied()).unwrap_or_else(|| {
        if known.is_empty() {
            format!("no {what} is defined")
        } else {
            let mut sorted = known.clone();
            sorted.sort_unstable();
            format!("known {what} ids: {}", sorted.join(", "))
        }
    });
    Problem::at(
        Code::DanglingReference,
        id.at,
        format!("no {what} `{}`", id.value),
    )
    .label(format!("unknown {what}"))
    .help(help)
}

fn inherit(activity: &mut Activity, defaults: &Defaults) {
    let take = |name: &'static str, fields: &mut super::FieldSpans| -> bool {
        if fields.get(name).is_some() {
            return false;
        }
        match defaults.fields.get(name) {
            Some(span) => {
                fields.insert(name, span.at, true);
                true
            }
            None => false,
        }
    };
    if take("role", &mut activity.fields) {
        activity.role = defaults.role.clone();
    }
    if take("controllers", &mut activity.fields) {
        activity.controllers = defaults.controllers.clone().unwrap_or_default();
    }
    if take("security_measures", &mut activity.fields) {
        activity.security_measures = defaults.security_measures.clone();
    }
    if take("operations", &mut activity.fields) {
        activity.operations = defaults.operations.clone().unwrap_or_default();
    }
    if take("retention", &mut activity.fields) {
        if let Some(retention) = &defaults.retention {
            activity.records.insert("retention", retention.clone());
        }
    }
}

fn check_activity(
    activity: &Activity,
    data_categories: &Taxonomy,
    subject_categories: &Taxonomy,
    subprocessors: &HashMap<String, Location>,
    problems: &mut Vec<Problem>,
) {
    for subject in &activity.data_subjects {
        if !subject_categories.contains(&subject.value) {
            problems.push(subject_categories.unknown(subject));
        }
    }
    let mut purpose_ids: HashMap<&str, Location> = HashMap::new();
    for purpose in &activity.purposes {
        if let Some(first) = purpose_ids.get(purpose.id.value.as_str()) {
            problems.push(duplicate("purpose", &purpose.id, *first));
        } else {
            purpose_ids.insert(&purpose.id.value, purpose.id.at);
        }
    }
    for item in &activity.data {
        if !data_categories.contains(&item.category.value) {
            problems.push(data_categories.unknown(&item.category));
        }
        for purpose in &item.purposes {
            if !purpose_ids.contains_key(purpose.value.as_str()) {
                let mut problem = dangling("purpose", purpose, purpose_ids.keys().copied());
                problem.help = Some(format!(
                    "{} (a data item's purposes are ids from its own activity's `purposes`)",
                    problem.help.unwrap_or_default()
                ));
                problems.push(problem);
            }
        }
    }
    for purpose in activity.legal_basis_terms.iter().flat_map(|t| &t.purposes) {
        if !purpose_ids.contains_key(purpose.value.as_str()) {
            let mut problem = dangling("purpose", purpose, purpose_ids.keys().copied());
            problem.help = Some(format!(
                "{} (a legal basis serves purposes of its own activity's `purposes`)",
                problem.help.unwrap_or_default()
            ));
            problems.push(problem);
        }
    }
    for sub in &activity.subprocessors {
        if !subprocessors.contains_key(&sub.value) {
            problems.push(dangling(
                "processor",
                sub,
                subprocessors.keys().map(String::as_str),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_input_is_an_io_problem() {
        let problems = discover(&["/definitely/not/here".to_string()])
            .err()
            .unwrap_or_default();
        assert_eq!(problems.first().map(|p| p.code), Some(Code::Io));
    }
}
