//! Owns `ropa.toml`: finding it (named with `--config`, or the nearest one walking up from
//! the working directory, like `.editorconfig`), reading it with spans, refusing unknown keys
//! with a suggestion, and what it sets: the registers and their policies, `fail-on`,
//! `fail-on-new` and the reports, with the `[ci]` table on top when the `CI` environment
//! variable is set, and the approvals of the gate's weakenings (`[[approval]]`). Paths in it
//! are relative to its folder.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::files::{is_plainly_inside, Fence};
use crate::problem::{suggestion, Code, Problem};
use crate::source::{FileId, Location, SourceMap, Span};

/// The configuration file's name.
pub const FILE_NAME: &str = "ropa.toml";

/// The largest configuration file read.
const MAX_BYTES: u64 = 256 * 1024;

/// The keys of the top level, of `[ci]` and of a `[registers.NAME]` table: what a misspelt
/// key is matched against.
const TOP_KEYS: [&str; 13] = [
    "paths",
    "lang",
    "policies",
    "fail-on",
    "fail-on-new",
    "reports",
    "ci",
    "registers",
    "review-interval",
    "require-review",
    "waiver-max-term",
    "approvers",
    "approval",
];
const CI_KEYS: [&str; 3] = ["fail-on", "fail-on-new", "reports"];
const REGISTER_KEYS: [&str; 2] = ["paths", "policies"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    paths: Option<Spanned<Vec<Spanned<String>>>>,
    policies: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    fail_on_new: Option<Spanned<bool>>,
    reports: Option<Vec<Spanned<String>>>,
    ci: Option<RawCi>,
    registers: Option<Spanned<BTreeMap<String, RawRegister>>>,
    review_interval: Option<Spanned<String>>,
    require_review: Option<Spanned<bool>>,
    waiver_max_term: Option<Spanned<String>>,
    approvers: Option<Spanned<Vec<Spanned<String>>>>,
    lang: Option<Spanned<String>>,
    approval: Option<Vec<RawApproval>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApproval {
    weakening: Spanned<String>,
    by: Spanned<String>,
    on: Spanned<String>,
    reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCi {
    fail_on: Option<Spanned<String>>,
    fail_on_new: Option<Spanned<bool>>,
    reports: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRegister {
    paths: Spanned<Vec<Spanned<String>>>,
    policies: Option<Spanned<String>>,
}

/// A value from the configuration file, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set<T> {
    /// The value.
    pub value: T,
    /// Where the file sets it.
    pub at: Location,
}

/// One register the configuration names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterConfig {
    /// Its name (`[registers.NAME]`), or none for the top-level `paths`.
    pub name: Option<String>,
    /// Its files, folders or globs, relative to the configuration's folder.
    pub paths: Vec<Set<String>>,
    /// Its policies folder, relative to the configuration's folder.
    pub policies: Option<Set<String>>,
}

/// The approval of one weakening of the gate (`[[approval]]`): the id the `gate-weakened`
/// finding names it by, who approved it, on which day, and why. It approves that weakening
/// in the change that adds it, and nothing once it is on the base branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The weakening's id (`w-` and 12 hexadecimal digits).
    pub weakening: Set<String>,
    /// Who approved it.
    pub by: Set<String>,
    /// When, `YYYY-MM-DD`.
    pub on: Set<String>,
    /// Why.
    pub reason: Set<String>,
}

/// What a configuration file sets, with `[ci]` applied when asked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file, as found.
    pub file: PathBuf,
    /// The folder paths in it are relative to.
    pub root: PathBuf,
    /// The file in the source map.
    pub source: FileId,
    /// The registers: one without a name, or the named ones in name order.
    pub registers: Vec<RegisterConfig>,
    /// The lowest failing severity (`error`, `warning`, `never`).
    pub fail_on: Option<Set<String>>,
    /// With a base, only new findings fail.
    pub fail_on_new: Option<Set<bool>>,
    /// Reports to write, as `FORMAT=FILE` or `FORMAT`.
    pub reports: Vec<Set<String>>,
    /// `review-interval`, in days, where it is set.
    pub review_interval: Option<Set<i64>>,
    /// `require-review`.
    pub require_review: Option<Set<bool>>,
    /// `waiver-max-term`, in days, where it is set.
    pub waiver_max_term: Option<Set<i64>>,
    /// `approvers`: who may approve a waiver (none set: anyone).
    pub approvers: Option<Set<Vec<String>>>,
    /// `lang`: the language reports, explanations and documents are written in.
    pub lang: Option<Set<crate::lang::Lang>>,
    /// The approvals of the gate's weakenings, in file order.
    pub approvals: Vec<Approval>,
}

/// The longest `waiver-max-term`: three years.
const LONGEST_WAIVER_TERM: &str = "P3Y";

impl Config {
    /// The accountability settings: the configuration's, else the defaults.
    pub fn accountability(&self) -> crate::entities::Accountability {
        let defaults = crate::entities::Accountability::default();
        crate::entities::Accountability {
            review_interval_days: self
                .review_interval
                .as_ref()
                .map_or(defaults.review_interval_days, |s| s.value),
            require_review: self
                .require_review
                .as_ref()
                .map_or(defaults.require_review, |s| s.value),
            waiver_max_term_days: self
                .waiver_max_term
                .as_ref()
                .map_or(defaults.waiver_max_term_days, |s| s.value),
        }
    }

    /// A problem for each waiver and position approved by someone `approvers` does not
    /// name (none when `approvers` is not set).
    pub fn unapproved(&self, register: &crate::register::Register) -> Vec<Problem> {
        let Some(approvers) = &self.approvers else {
            return Vec::new();
        };
        register
            .waivers
            .iter()
            .map(|w| &w.approved_by)
            .chain(register.positions.iter().map(|p| &p.approved_by))
            .filter(|approved_by| !approvers.value.contains(&approved_by.value))
            .map(|approved_by| {
                Problem::at(
                    Code::UnknownValue,
                    approved_by.at,
                    format!(
                        "`{}` is not one of the approvers ropa.toml names",
                        crate::source::visible_name(&approved_by.value)
                    ),
                )
                .label("not an approver")
                .note(approvers.at, "the approvers")
                .maybe_help(suggestion(
                    &approved_by.value,
                    approvers.value.iter().map(String::as_str),
                ))
            })
            .collect()
    }
}

/// Whether this run is in CI: the `CI` variable, set by GitHub Actions, GitLab CI and most
/// others, is set and neither empty nor `false`/`0`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The configuration file to use: `named` when given, else the nearest `ropa.toml` in the
/// working directory or a folder above it; none when there is none.
pub fn find(named: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = named {
        return Some(path.to_path_buf());
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and checks the configuration file at `path` (added to `sources`); `ci` applies its
/// `[ci]` table.
pub fn load(path: &Path, ci: bool, sources: &mut SourceMap) -> Result<Config, Vec<Problem>> {
    let io = |err: std::io::Error| {
        vec![Problem::general(
            Code::Io,
            format!("cannot read {}: {err}", crate::source::display_name(path)),
        )]
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(vec![Problem::general(
            Code::NotARegularFile,
            format!(
                "{} is not a regular file",
                crate::source::display_name(path)
            ),
        )]);
    }
    if metadata.len() > MAX_BYTES {
        return Err(vec![Problem::general(
            Code::FileTooLarge,
            format!(
                "{} is larger than {MAX_BYTES} bytes",
                crate::source::display_name(path)
            ),
        )]);
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        vec![Problem::general(
            Code::InvalidUtf8,
            format!("{} is not UTF-8", crate::source::display_name(path)),
        )]
    })?;
    let config = parse(path, text, ci, sources)?;
    let problems = config.leaving_its_folder();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

impl Config {
    /// Every path the configuration names (a register's paths and policies, a report's
    /// file) that leads outside the repository (the configuration's folder outside one) once
    /// symbolic links are followed: a problem at the value. A glob is judged by its literal folder; each file it matches is judged
    /// again when the register is read.
    pub fn leaving_its_folder(&self) -> Vec<Problem> {
        let Some(fence) = Fence::around(&self.root) else {
            return Vec::new();
        };
        let registers = self
            .registers
            .iter()
            .flat_map(|r| r.paths.iter().chain(&r.policies));
        let reports = self.reports.iter().filter_map(|r| {
            let (_, file) = r.value.split_once('=')?;
            Some((file, r.at))
        });
        registers
            .map(|set| (literal_part(&set.value), set.at))
            .chain(reports.map(|(file, at)| (file.to_string(), at)))
            .filter(|(path, _)| !fence.admits(&self.root.join(path)))
            .map(|(path, at)| {
                Problem::at(
                    Code::OutsideTree,
                    at,
                    format!("`{path}` leads outside the repository"),
                )
                .label("outside the repository, or a symbolic link out of it")
                .help(OUTSIDE_HELP)
            })
            .collect()
    }
}

/// What a path outside the configuration's folder is told.
const OUTSIDE_HELP: &str =
    "ropa.toml is part of the repository, and a pull request can change it: \
    its paths stay inside its folder. Name a file elsewhere on the command line instead \
    (`--report FORMAT=FILE`, `--policies DIR`)";

/// The folders of a path before its first glob character.
fn literal_part(path: &str) -> String {
    if !path.contains(['*', '?', '[']) {
        return path.to_string();
    }
    path.split('/')
        .take_while(|part| !part.contains(['*', '?', '[']))
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks the configuration text of the file `path` (added to `sources` under that name);
/// `ci` applies its `[ci]` table.
pub fn parse(
    path: &Path,
    text: String,
    ci: bool,
    sources: &mut SourceMap,
) -> Result<Config, Vec<Problem>> {
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let source = sources.add(path, text.clone());
    let at = |range: Range<usize>| Location {
        file: source,
        span: Span::new(range.start, range.end.saturating_sub(range.start)),
    };
    let raw: RawConfig = toml::from_str(&text).map_err(|err| vec![parse_problem(&err, &at)])?;
    let mut problems = Vec::new();
    let set = |s: &Spanned<String>| Set {
        value: s.get_ref().clone(),
        at: at(s.span()),
    };
    let paths_of = |paths: &Spanned<Vec<Spanned<String>>>, problems: &mut Vec<Problem>| {
        if paths.get_ref().is_empty() {
            problems.push(
                Problem::at(Code::InvalidValue, at(paths.span()), "no register paths")
                    .help("name the register's folders, files or globs, e.g. `[\"register\"]`"),
            );
        }
        paths.get_ref().iter().map(set).collect::<Vec<_>>()
    };
    let registers = match (&raw.paths, &raw.registers) {
        (Some(_), Some(named)) => {
            problems.push(
                Problem::at(
                    Code::InvalidValue,
                    at(named.span()),
                    "both top-level `paths` and `[registers]`",
                )
                .help("name every register under `[registers.NAME]`, or use `paths` alone"),
            );
            Vec::new()
        }
        (Some(paths), None) => vec![RegisterConfig {
            name: None,
            paths: paths_of(paths, &mut problems),
            policies: raw.policies.as_ref().map(set),
        }],
        (None, Some(named)) => named
            .get_ref()
            .iter()
            .map(|(name, register)| RegisterConfig {
                name: Some(name.clone()),
                paths: paths_of(&register.paths, &mut problems),
                policies: register
                    .policies
                    .as_ref()
                    .or(raw.policies.as_ref())
                    .map(set),
            })
            .collect(),
        (None, None) => vec![RegisterConfig {
            name: None,
            paths: Vec::new(),
            policies: raw.policies.as_ref().map(set),
        }],
    };
    let ci_table = raw.ci.as_ref().filter(|_| ci);
    let fail_on = ci_table
        .and_then(|c| c.fail_on.as_ref())
        .or(raw.fail_on.as_ref())
        .map(set);
    if let Some(fail_on) = &fail_on {
        const KNOWN: [&str; 3] = ["error", "warning", "never"];
        if !KNOWN.contains(&fail_on.value.as_str()) {
            problems.push(
                Problem::at(
                    Code::UnknownValue,
                    fail_on.at,
                    format!("unknown fail-on `{}`", fail_on.value),
                )
                .help(
                    suggestion(&fail_on.value, KNOWN)
                        .unwrap_or_else(|| "one of `error`, `warning`, `never`".to_string()),
                ),
            );
        }
    }
    let fail_on_new = match ci_table.and_then(|c| c.fail_on_new.as_ref()) {
        Some(v) => Some(Set {
            value: *v.get_ref(),
            at: at(v.span()),
        }),
        None => raw.fail_on_new.as_ref().map(|v| Set {
            value: *v.get_ref(),
            at: at(v.span()),
        }),
    };
    let reports: Vec<Set<String>> = ci_table
        .and_then(|c| c.reports.as_ref())
        .or(raw.reports.as_ref())
        .map(|r| r.iter().map(set).collect())
        .unwrap_or_default();
    // Every path is the repository's: none absolute; a report's file, which ropa writes,
    // not climbing out with `..` either (where a register's paths lead is judged after
    // symbolic links, by `leaving_its_folder`).
    let named = registers
        .iter()
        .flat_map(|r| r.paths.iter().chain(&r.policies))
        .map(|s| (s.value.as_str(), s.at, !Path::new(&s.value).has_root()))
        .chain(reports.iter().filter_map(|r| {
            let file = r.value.split_once('=')?.1;
            Some((file, r.at, is_plainly_inside(file)))
        }));
    for (path, place, inside) in named {
        if !inside {
            problems.push(
                Problem::at(
                    Code::OutsideTree,
                    place,
                    format!("`{path}` is not a path inside the repository"),
                )
                .label("absolute, or climbing out with `..`")
                .help(OUTSIDE_HELP),
            );
        }
    }
    // A period in days, or a problem at its place.
    let mut period = |value: &Spanned<String>, longest: Option<&str>| -> Option<Set<i64>> {
        let place = at(value.span());
        let days = crate::register::vocab::period_days(value.get_ref());
        let limit = longest.and_then(crate::register::vocab::period_days);
        match (days, limit) {
            (Some(days), Some(limit)) if days > limit => {
                problems.push(
                    Problem::at(
                        Code::InvalidValue,
                        place,
                        format!("`{}` is longer than {}", value.get_ref(), longest.unwrap_or("")),
                    )
                    .help("a waiver runs at most three years; a lasting decision is a reasoned position"),
                );
                None
            }
            (Some(days), _) => Some(Set {
                value: days,
                at: place,
            }),
            (None, _) => {
                problems.push(
                    Problem::at(
                        Code::InvalidValue,
                        place,
                        format!("`{}` is not an ISO 8601 period", value.get_ref()),
                    )
                    .help("for example `P1Y` (a year) or `P6M` (six months)"),
                );
                None
            }
        }
    };
    let review_interval = raw.review_interval.as_ref().and_then(|v| period(v, None));
    let waiver_max_term = raw
        .waiver_max_term
        .as_ref()
        .and_then(|v| period(v, Some(LONGEST_WAIVER_TERM)));
    let require_review = raw.require_review.as_ref().map(|v| Set {
        value: *v.get_ref(),
        at: at(v.span()),
    });
    let approvers = raw.approvers.as_ref().map(|list| Set {
        value: list.get_ref().iter().map(|a| a.get_ref().clone()).collect(),
        at: at(list.span()),
    });
    let lang = raw.lang.as_ref().and_then(|v| {
        let place = at(v.span());
        match crate::lang::Lang::parse(v.get_ref()) {
            Some(lang) => Some(Set {
                value: lang,
                at: place,
            }),
            None => {
                problems.push(
                    Problem::at(
                        Code::UnknownValue,
                        place,
                        format!("unknown lang `{}`", v.get_ref()),
                    )
                    .help("`en` (English) or `nl` (Dutch)"),
                );
                None
            }
        }
    });
    let approvals: Vec<Approval> = raw
        .approval
        .iter()
        .flatten()
        .map(|raw| Approval {
            weakening: set(&raw.weakening),
            by: set(&raw.by),
            on: set(&raw.on),
            reason: set(&raw.reason),
        })
        .collect();
    for approval in &approvals {
        problems.extend(approval_problems(approval));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        file: path.to_path_buf(),
        root,
        source,
        registers,
        fail_on,
        fail_on_new,
        reports,
        review_interval,
        require_review,
        waiver_max_term,
        approvers,
        lang,
        approvals,
    })
}

/// What is wrong with an approval's values: an id that is not one, a date that is not one,
/// an empty approver or reason.
fn approval_problems(approval: &Approval) -> Vec<Problem> {
    let mut problems = Vec::new();
    let id = approval.weakening.value.as_str();
    let is_id = id.len() == 14
        && id.starts_with("w-")
        && id
            .bytes()
            .skip(2)
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !is_id {
        problems.push(
            Problem::at(
                Code::InvalidValue,
                approval.weakening.at,
                format!("`{id}` is not a weakening's id"),
            )
            .help("copy the id the `gate-weakened` finding shows, e.g. `w-3f9c2d1a7b04`"),
        );
    }
    if !crate::register::vocab::is_date(&approval.on.value) {
        problems.push(
            Problem::at(
                Code::InvalidValue,
                approval.on.at,
                format!("`{}` is not a date (YYYY-MM-DD)", approval.on.value),
            )
            .help("the day the approval was given, e.g. `2026-12-05`"),
        );
    }
    for (field, value) in [("by", &approval.by), ("reason", &approval.reason)] {
        if value.value.trim().is_empty() {
            problems.push(
                Problem::at(
                    Code::InvalidValue,
                    value.at,
                    format!("an approval's `{field}` is empty"),
                )
                .help("an approval names who gave it and why"),
            );
        }
    }
    problems
}

/// A TOML error as a problem at its place; an unknown key gets a did-you-mean.
fn parse_problem(err: &toml::de::Error, at: &impl Fn(Range<usize>) -> Location) -> Problem {
    let message = err.message().trim_end().to_string();
    let place = err.span().map(at);
    // serde's message for an unknown key: "unknown field `x`, expected one of `a`, `b`".
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key.to_string());
    let problem = |code, text: String| match place {
        Some(place) => Problem::at(code, place, text),
        None => Problem::general(code, text),
    };
    match unknown {
        // A key of the top level, written inside a table: in TOML every key after `[ci]`
        // or `[registers.NAME]` belongs to that table.
        Some(key) if TOP_KEYS.contains(&key.as_str()) => problem(
            Code::UnknownKey,
            format!("`{key}` is a top-level key of {FILE_NAME}, not one of this table"),
        )
        .help(format!(
            "move `{key}` above the first table (`[ci]`, `[registers.NAME]`): every key after a table's heading belongs to that table"
        )),
        Some(key) => {
            let known: Vec<&str> = TOP_KEYS
                .iter()
                .chain(CI_KEYS.iter())
                .chain(REGISTER_KEYS.iter())
                .copied()
                .collect();
            let help = suggestion(&key, known).unwrap_or_else(|| {
                format!(
                    "{FILE_NAME} knows {}",
                    TOP_KEYS
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            problem(
                Code::UnknownKey,
                format!("unknown key `{key}` in {FILE_NAME}"),
            )
            .help(help)
        }
        None => problem(Code::Config, format!("{FILE_NAME}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    fn load_text(text: &str, ci: bool) -> Result<Config, Vec<Problem>> {
        // One folder per call: tests run in parallel, and two texts may have one length.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ropa-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join(FILE_NAME);
        std::fs::write(&file, text).expect("write");
        let loaded = load(&file, ci, &mut SourceMap::new());
        let _ = std::fs::remove_dir_all(&dir);
        loaded
    }

    #[test]
    fn every_documented_key_is_read() {
        let config = load_text(
            "paths = [\"register\"]\npolicies = \"policies\"\nfail-on = \"warning\"\n\
             fail-on-new = false\nreports = [\"json=a.json\"]\n\
             [ci]\nfail-on = \"error\"\nfail-on-new = true\nreports = [\"sarif=b.sarif\"]\n",
            true,
        )
        .expect("loads");
        assert_eq!(config.registers.len(), 1);
        assert_eq!(config.fail_on.map(|s| s.value).as_deref(), Some("error"));
        assert_eq!(config.fail_on_new.map(|s| s.value), Some(true));
        assert_eq!(config.reports[0].value, "sarif=b.sarif");
        let named = load_text(
            "policies = \"p\"\n[registers.nl]\npaths = [\"nl\"]\n\
             [registers.be]\npaths = [\"be\"]\npolicies = \"bp\"\n",
            false,
        )
        .expect("loads");
        let names: Vec<_> = named.registers.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, [Some("be".into()), Some("nl".into())]);
        assert_eq!(
            named.registers[0].policies.as_ref().expect("set").value,
            "bp"
        );
        assert_eq!(
            named.registers[1].policies.as_ref().expect("set").value,
            "p"
        );
    }

    #[test]
    fn outside_ci_the_ci_table_is_ignored() {
        let config =
            load_text("fail-on = \"warning\"\n[ci]\nfail-on = \"error\"\n", false).expect("loads");
        assert_eq!(config.fail_on.map(|s| s.value).as_deref(), Some("warning"));
    }

    #[test]
    fn a_misspelt_key_is_refused_with_a_suggestion() {
        let problems = load_text("fail_on = \"error\"\n", false).expect_err("refused");
        assert_eq!(problems[0].code, Code::UnknownKey);
        assert!(problems[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("fail-on")));
        let problems = load_text("[ci]\nfail-on-new = true\napprovers = [\"FG\"]\n", true)
            .expect_err("refused");
        assert!(problems[0]
            .message
            .contains("`approvers` is a top-level key of ropa.toml"));
        assert!(problems[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("move `approvers` above the first table")));
        let problems = load_text("[registers.nl]\npath = [\"nl\"]\n", false).expect_err("refused");
        assert!(problems[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("paths")));
    }
}
