//! Owns the change view: the register as it was at a base (a git revision or a folder),
//! checked with the same policy pack, and each finding of the current register matched to
//! the base's: new (the base lacks it), existing, or, for a base finding that is gone,
//! resolved. Findings match by [`FindingKey`], so moving, reordering or splitting files
//! changes nothing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::finding::{finding_keys, Change, Finding, FindingKey};
use crate::git;
use crate::policy::PolicyPack;
use crate::problem::{Code, Problem};
use crate::register::load::{discover, load_register, load_register_files};
use crate::register::Register;
use crate::source::{FileId, Location, SourceMap};
use crate::yaml::Limits;

/// Where the base register is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A git revision: the same paths, read from git's objects.
    Rev(String),
    /// A folder holding the register as it was, the same paths below it.
    Dir(PathBuf),
}

impl Base {
    /// How reports name the base.
    pub fn label(&self) -> String {
        match self {
            Base::Rev(rev) => rev.clone(),
            Base::Dir(dir) => crate::source::display_name(dir),
        }
    }
}

/// What the base register had that a rule about the change compares with: each activity's
/// legal bases and engaged sub-processors, by activity id.
#[derive(Debug, Clone, Default)]
pub struct BaseFacts {
    activities: HashMap<String, ActivityFacts>,
    /// The base's waivers: what each covers and until when.
    pub waivers: Vec<BaseWaiver>,
    /// The base's reasoned positions: what each answers (rule, activity, target).
    pub positions: Vec<BasePosition>,
}

/// A reasoned position of the base: its rule, activity and target.
pub type BasePosition = (String, Option<String>, Option<String>);

/// A waiver of the base: its rule, activity and target, and its last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseWaiver {
    /// Rule id.
    pub rule: String,
    /// Activity id.
    pub activity: String,
    /// Target, when it names one (none covers every target).
    pub target: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub expires: String,
}

/// One base activity's legal bases and sub-processors.
#[derive(Debug, Clone, Default)]
pub struct ActivityFacts {
    /// Canonical legal-basis ids.
    pub legal_bases: BTreeSet<String>,
    /// Engaged sub-processor ids.
    pub subprocessors: BTreeSet<String>,
}

impl BaseFacts {
    /// The facts of a loaded base register.
    pub fn of(register: &Register) -> Self {
        let activities = register
            .activities
            .iter()
            .map(|a| {
                let facts = ActivityFacts {
                    legal_bases: a.legal_basis.iter().map(|b| b.value.clone()).collect(),
                    subprocessors: a.subprocessors.iter().map(|s| s.value.clone()).collect(),
                };
                (a.id.value.clone(), facts)
            })
            .collect();
        let waivers = register
            .waivers
            .iter()
            .map(|w| BaseWaiver {
                rule: w.rule.value.clone(),
                activity: w.activity.value.clone(),
                target: w.target.as_ref().map(|t| t.value.clone()),
                expires: w.expires.value.clone(),
            })
            .collect();
        let positions = register
            .positions
            .iter()
            .map(|p| {
                (
                    p.rule.value.clone(),
                    p.activity.as_ref().map(|a| a.value.clone()),
                    p.target.as_ref().map(|t| t.value.clone()),
                )
            })
            .collect();
        BaseFacts {
            activities,
            waivers,
            positions,
        }
    }

    /// The base's facts of an activity, when the base had it.
    pub fn activity(&self, id: &str) -> Option<&ActivityFacts> {
        self.activities.get(id)
    }
}

/// The current register's findings against the base.
#[derive(Debug, Clone)]
pub struct ChangeView {
    /// How reports name the base.
    pub base: String,
    /// Why the base register did not load, when it did not (then every finding is new).
    pub base_failed: Option<String>,
    /// The base's findings that the current register no longer has.
    pub resolved: Vec<Finding>,
    /// The base's waivers: none when it did not load, so that every waiver counts as added.
    pub waivers: Vec<BaseWaiver>,
    /// The base's positions: none when it did not load, so that every position counts as
    /// added.
    pub positions: Vec<BasePosition>,
    /// What the change did to the rule pack, judged by the base's pack; `None` when the
    /// pack is the base's, byte for byte.
    pub pack: Option<crate::pack_change::PackChange>,
}

/// The base register, loaded: the register, its files' texts, and each file's path below
/// the working directory (below the base folder for a folder), which pairs a base file with
/// the current register's file of the same path.
#[derive(Debug)]
pub struct LoadedBase {
    /// The register as it was.
    pub register: Register,
    /// Its files.
    pub sources: SourceMap,
    /// Each file's path, as [`file_key`] writes it.
    pub paths: HashMap<FileId, String>,
}

/// A base as [`load_base`] reads it: the outer error a base that cannot be read at all, the
/// inner one a base that is read but does not load.
pub type BaseLoad = Result<Result<LoadedBase, Vec<Problem>>, Vec<Problem>>;

/// A register file's path as the change view pairs files: `/`-separated, without `./`
/// parts.
pub fn file_key(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The problem of a base that has no register file where the register is now.
fn moved(base: &str, inputs: &[String]) -> Problem {
    let named: Vec<String> = inputs
        .iter()
        .map(|i| crate::source::visible_name(i).into_owned())
        .collect();
    Problem::general(
        Code::NoRegisterFiles,
        format!(
            "register moved: {base} has no register file at {}",
            named.join(", ")
        ),
    )
}

/// Reads the base register and loads it with `pack`'s taxonomies and rule ids (see
/// [`BaseLoad`]).
pub fn load_base(base: &Base, inputs: &[String], pack: &PolicyPack, limits: &Limits) -> BaseLoad {
    let mut sources = SourceMap::new();
    let mut paths = HashMap::new();
    let rule_names = pack.rule_names();
    let loaded = match base {
        Base::Rev(rev) => {
            let commit = git::resolve(rev).map_err(|p| vec![p])?;
            let files = git::register_files(rev, &commit, inputs, limits.max_file_bytes)
                .map_err(|p| vec![p])?;
            if files.is_empty() {
                return Ok(Err(vec![moved(rev, inputs)]));
            }
            let mut problems = Vec::new();
            let mut ids = Vec::new();
            for file in files {
                match file.text {
                    Ok(text) => {
                        let id = sources.add(&file.name, text);
                        paths.insert(id, file_key(Path::new(&file.path)));
                        ids.push(id);
                    }
                    Err(why) => problems.push(Problem::general(
                        Code::Io,
                        format!("{} {why}", file.name.display()),
                    )),
                }
            }
            let all_read = problems.is_empty();
            load_register_files(
                &ids,
                all_read,
                problems,
                pack.data_categories.clone(),
                pack.subject_categories.clone(),
                &rule_names,
                &sources,
                limits,
            )
        }
        Base::Dir(dir) => {
            let under: Vec<String> = inputs
                .iter()
                .map(|i| dir.join(Path::new(i)).to_string_lossy().into_owned())
                .collect();
            discover(&under).and_then(|found| {
                let register = load_register(
                    &found,
                    pack.data_categories.clone(),
                    pack.subject_categories.clone(),
                    &rule_names,
                    &mut sources,
                    limits,
                )?;
                for file in &register.files {
                    let path = &sources.file(file.file).path;
                    paths.insert(file.file, file_key(path.strip_prefix(dir).unwrap_or(path)));
                }
                Ok(register)
            })
        }
    };
    Ok(loaded.map(|register| LoadedBase {
        register,
        sources,
        paths,
    }))
}

/// The current register's activities that the base holds byte for byte: each lies in a file
/// whose text is the base's file of the same path, and every file holding more than
/// activities (organisation, defaults, sub-processors, categories, waivers) is the same on
/// both sides. With the same pack and day, such an activity has the same findings in the base
/// as now: its entities are the same, and what the change did to it (nothing) reads the same
/// as no base at all. So the base need judge only its other activities.
#[derive(Debug)]
pub struct Unchanged {
    /// A current file and the base's copy of it.
    files: HashMap<FileId, FileId>,
    /// The ids of the current register's activities in those files.
    activities: std::collections::HashSet<String>,
    /// The base's activities outside those files (indices into its register): the ones the
    /// base must judge itself.
    pub changed_in_base: Vec<usize>,
}

impl Unchanged {
    /// What the base shares with the current register, when it shares anything: `None` when
    /// no activity is unchanged, or a file with more than activities differs.
    pub fn find(register: &Register, sources: &SourceMap, base: &LoadedBase) -> Option<Self> {
        let base_files: HashMap<&str, FileId> = base
            .register
            .files
            .iter()
            .filter_map(|f| Some((base.paths.get(&f.file)?.as_str(), f.file)))
            .collect();
        let mut files = HashMap::new();
        for file in &register.files {
            let current = sources.file(file.file);
            let same = base_files
                .get(file_key(&current.path).as_str())
                .copied()
                .filter(|&b| base.sources.file(b).text == current.text);
            match same {
                Some(b) => {
                    files.insert(file.file, b);
                }
                None if file.shared => return None,
                None => {}
            }
        }
        let kept: std::collections::HashSet<FileId> = files.values().copied().collect();
        if base
            .register
            .files
            .iter()
            .any(|f| f.shared && !kept.contains(&f.file))
        {
            return None;
        }
        let activities: std::collections::HashSet<String> = register
            .activities
            .iter()
            .filter(|a| files.contains_key(&a.id.at.file))
            .map(|a| a.id.value.clone())
            .collect();
        if activities.is_empty() {
            return None;
        }
        let changed_in_base = base
            .register
            .activities
            .iter()
            .enumerate()
            .filter(|(_, a)| !kept.contains(&a.id.at.file))
            .map(|(i, _)| i)
            .collect();
        Some(Unchanged {
            files,
            activities,
            changed_in_base,
        })
    }

    /// How many of the current register's activities are unchanged.
    pub fn len(&self) -> usize {
        self.activities.len()
    }

    /// Whether no activity is unchanged (never, for a found [`Unchanged`]).
    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
    }

    /// The current register's findings on unchanged activities, as the base has them: each
    /// place moved to the base's copy of its file. `None` when one points into a file the
    /// base does not hold byte for byte (then the base must be judged whole).
    pub fn carry(&self, findings: &[Finding]) -> Option<Vec<Finding>> {
        let moved = |at: Location| -> Option<Location> {
            Some(Location {
                file: *self.files.get(&at.file)?,
                span: at.span,
            })
        };
        let mut carried = Vec::new();
        for finding in findings {
            if !self.covers(finding) {
                continue;
            }
            let mut finding = finding.clone();
            finding.at = moved(finding.at)?;
            for label in &mut finding.labels {
                label.at = moved(label.at)?;
            }
            carried.push(finding);
        }
        Some(carried)
    }

    /// Whether a finding is on an unchanged activity.
    pub fn covers(&self, finding: &Finding) -> bool {
        finding
            .activity
            .as_ref()
            .is_some_and(|a| self.activities.contains(a))
    }
}

/// Marks each of `findings` new or existing against the base's. A base that did not load
/// is reported in the view, and every finding then counts as new.
pub fn compare(
    base: &Base,
    base_findings: Result<Vec<Finding>, Vec<Problem>>,
    findings: &mut [Finding],
    renamed: &[(String, String)],
) -> ChangeView {
    let label = base.label();
    // A base finding on an activity renamed since (`previous_ids`) is the renamed one's.
    let base_findings = base_findings.map(|mut base| {
        for finding in &mut base {
            if let Some((_, new)) = renamed
                .iter()
                .find(|(old, _)| finding.activity.as_deref() == Some(old.as_str()))
            {
                finding.activity = Some(new.clone());
            }
        }
        base
    });
    match base_findings {
        Ok(base_findings) => ChangeView {
            base: label,
            base_failed: None,
            resolved: mark(findings, base_findings),
            waivers: Vec::new(),
            positions: Vec::new(),
            pack: None,
        },
        Err(problems) => {
            for finding in findings.iter_mut() {
                finding.change = Some(Change::New);
            }
            let first = problems
                .first()
                .map_or(String::new(), |p| p.message.clone());
            ChangeView {
                base: label,
                base_failed: Some(format!(
                    "{} ({first})",
                    crate::report::human::plural(problems.len(), "problem", "problems")
                )),
                resolved: Vec::new(),
                waivers: Vec::new(),
                positions: Vec::new(),
                pack: None,
            }
        }
    }
}

/// Marks each finding new or existing against the base's, and returns the base's findings
/// that are gone. One pass over each side: no quadratic matching.
pub fn mark(findings: &mut [Finding], base: Vec<Finding>) -> Vec<Finding> {
    // Keys borrow from both sides: decide first, then write the marks.
    let matches: Vec<Option<usize>> = {
        let in_base: HashMap<FindingKey<'_>, usize> = finding_keys(&base)
            .into_iter()
            .enumerate()
            .map(|(i, key)| (key, i))
            .collect();
        finding_keys(findings)
            .into_iter()
            .map(|key| in_base.get(&key).copied())
            .collect()
    };
    let mut matched = vec![false; base.len()];
    for (finding, found) in findings.iter_mut().zip(matches) {
        if let Some(m) = found.and_then(|i| matched.get_mut(i)) {
            *m = true;
        }
        finding.change = Some(if found.is_some() {
            Change::Existing
        } else {
            Change::New
        });
    }
    base.into_iter()
        .zip(matched)
        .filter(|(_, m)| !m)
        .map(|(f, _)| f)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Location, Span};

    fn finding(rule: &str, activity: &str, target: Option<&str>, line: usize) -> Finding {
        let mut map = SourceMap::new();
        let file: FileId = map.add(Path::new("f"), "x\n".repeat(50));
        let at = Location {
            file,
            span: Span::new(line, 1),
        };
        Finding {
            activity: Some(activity.to_string()),
            target: target.map(str::to_string),
            ..Finding::for_test(rule, at)
        }
    }

    #[test]
    fn matching_ignores_places_and_counts_equals_by_rank() {
        let base = vec![
            finding("retention-required", "crm", None, 1),
            finding("location-purpose-explicit", "mdm", Some("gps_position"), 2),
            finding("location-purpose-explicit", "mdm", Some("gps_position"), 3),
            finding("security-measures-required", "crm", None, 4),
        ];
        // Moved to other lines, one of the two equal findings gone, one new.
        let mut head = vec![
            finding("location-purpose-explicit", "mdm", Some("gps_position"), 20),
            finding("retention-required", "crm", None, 30),
            finding("recipients-required", "crm", None, 31),
        ];
        let resolved = mark(&mut head, base);
        let changes: Vec<_> = head.iter().map(|f| f.change).collect();
        assert_eq!(
            changes,
            [
                Some(Change::Existing),
                Some(Change::Existing),
                Some(Change::New)
            ]
        );
        let gone: Vec<_> = resolved
            .iter()
            .map(|f| (f.rule.as_str(), f.at.span.offset))
            .collect();
        assert_eq!(
            gone,
            [
                ("location-purpose-explicit", 3),
                ("security-measures-required", 4)
            ]
        );
    }
}
