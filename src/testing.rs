//! Owns `ropa test`: policy test cases. A test file lists the rules it is about, an optional
//! register shared by its cases, and cases; each case adds a small register (inline, or
//! files beside the test file) and the exact findings of those rules it expects.
//!
//! ```yaml
//! rules: [location-purpose-explicit]
//! register:                       # shared by every case, read like one more register file
//!   organisation: { id: test-org, name: Test B.V. }
//! cases:
//!   - name: GPS with no purpose fires
//!     register:
//!       activities:
//!         - { id: fleet, data: [{ category: gps_position }] }
//!     expect:
//!       - { rule: location-purpose-explicit, activity: fleet, target: gps_position }
//! ```
//!
//! `rules: all` judges with every rule of the pack: a scenario file that holds a whole
//! register and each finding it must give (`ropa test --scenarios`).
//!
//! A file may fix the day it is judged on (`today: 2026-11-28`), for rules about dates
//! (waivers, notifications). A case may also have a `base:` register (read with the shared one): the rules then judge
//! the change from the base to the case's register, as `ropa check --base` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::baseline::BaseFacts;
use crate::finding::Finding;
use crate::policy::PolicyPack;
use crate::problem::{suggestion, Code, Problem};
use crate::register::load::{assemble, discover, read_roots};
use crate::source::{FileId, SourceMap};
use crate::yaml::{Limits, Located, Node, Reader, Value};

/// What a finding is, for comparing: rule, activity, target (empty when none).
pub type Key = (String, String, String);

/// How one case ended.
#[derive(Debug)]
pub enum Outcome {
    /// Exactly the expected findings.
    Pass,
    /// Findings differ.
    Fail {
        /// Expected but not found.
        missing: Vec<Key>,
        /// Found but not expected.
        unexpected: Vec<Key>,
    },
    /// The case's register did not load, or a rule failed to evaluate.
    Broken(Vec<Problem>),
}

/// One case's result.
#[derive(Debug)]
pub struct CaseResult {
    /// The test file.
    pub file: FileId,
    /// The case's name.
    pub name: Located<String>,
    /// The rules the case is about.
    pub rules: Vec<String>,
    /// The findings it expects.
    pub expected: Vec<Key>,
    /// Data and subject categories its register uses, each with every category it is in
    /// (itself included), by the case's own taxonomy.
    pub categories: BTreeMap<String, BTreeSet<String>>,
    /// How it ended.
    pub outcome: Outcome,
}

/// A whole test run.
#[derive(Debug)]
pub struct TestRun {
    /// Every case, in file and source order.
    pub cases: Vec<CaseResult>,
    /// Rules with no case where they fire, or none where they stay quiet.
    pub gaps: Vec<String>,
}

impl TestRun {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Pass))
            .count()
    }

    /// Whether any case could not run.
    pub fn broken(&self) -> bool {
        self.cases
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Broken(_)))
    }
}

fn key(finding: &Finding) -> Key {
    (
        finding.rule.clone(),
        finding.activity.clone().unwrap_or_default(),
        finding.target.clone().unwrap_or_default(),
    )
}

/// Items of `a` not matched one-for-one in `b`.
fn difference(a: &[Key], b: &[Key]) -> Vec<Key> {
    let mut left: Vec<&Key> = b.iter().collect();
    let mut out = Vec::new();
    for item in a {
        match left.iter().position(|x| *x == item) {
            Some(i) => {
                left.swap_remove(i);
            }
            None => out.push(item.clone()),
        }
    }
    out
}

/// One parsed case, before it runs.
struct Case<'n> {
    name: Located<String>,
    register: Option<&'n Node>,
    /// The register before the change, when the case judges a change.
    base: Option<&'n Node>,
    files: Vec<PathBuf>,
    expected: Vec<Key>,
}

/// Runs every test file under `dir` against the pack.
pub fn run_tests(
    dir: &Path,
    pack: &PolicyPack,
    sources: &mut SourceMap,
    limits: &Limits,
    today: &str,
) -> Result<TestRun, Vec<Problem>> {
    let paths = discover(&[dir.to_string_lossy().into_owned()])?;
    let (roots, mut problems) = read_roots(&paths, sources, limits);
    let rule_ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
    let mut cases = Vec::new();
    for (file, root) in &roots {
        let base = sources
            .file(*file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let Some((rules, shared, parsed, own_day)) =
            read_test_file(*file, root, sources, &rule_ids, &base, &mut problems)
        else {
            continue;
        };
        // A file that fixes its day is judged as of that day, so its cases never age.
        let day = own_day.as_deref().unwrap_or(today);
        for case in parsed {
            let result = run_case(*file, &rules, shared, case, pack, sources, limits, day);
            cases.push(result);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let gaps = coverage_gaps(&cases, &rule_ids);
    Ok(TestRun { cases, gaps })
}

/// A test file read: its rules, shared register, cases, and its own day, if it fixes one.
type TestFile<'n> = (Vec<String>, Option<&'n Node>, Vec<Case<'n>>, Option<String>);

fn read_test_file<'n>(
    file: FileId,
    root: &'n Node,
    sources: &SourceMap,
    rule_ids: &[&str],
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<TestFile<'n>> {
    let mut reader = Reader::new(file, sources.file(file), problems);
    let mut fields = reader.fields(root, "a test file")?;
    let rules_node = fields.require(&mut reader, "rules");
    let shared = fields.get("register");
    let cases_node = fields.require(&mut reader, "cases");
    let today = fields
        .get("today")
        .and_then(|n| reader.text(n, "`today`"))
        .and_then(|d| {
            if crate::register::vocab::is_date(&d.value) {
                Some(d.value)
            } else {
                reader.report(
                    Problem::at(
                        Code::InvalidValue,
                        d.at,
                        format!("`{}` is not a date", d.value),
                    )
                    .label("expected YYYY-MM-DD"),
                );
                None
            }
        });
    fields.finish(&mut reader);
    let mut rules = Vec::new();
    // `rules: all`: every rule of the pack (a whole-register scenario), whatever it gains.
    let all = rules_node.is_some_and(|n| matches!(&n.value, Value::Text(t) if t == "all"));
    if all {
        rules.extend(rule_ids.iter().map(|id| (*id).to_string()));
    }
    for rule in rules_node
        .filter(|_| !all)
        .map(|n| reader.text_list(n, "`rules`"))
        .unwrap_or_default()
    {
        if rule_ids.contains(&rule.value.as_str()) {
            rules.push(rule.value);
        } else {
            let help = suggestion(&rule.value, rule_ids.iter().copied());
            reader.report(
                Problem::at(
                    Code::DanglingReference,
                    rule.at,
                    format!("no rule `{}`", rule.value),
                )
                .label("unknown rule")
                .maybe_help(help),
            );
        }
    }
    let mut cases = Vec::new();
    let items = match cases_node {
        Some(node) => reader.list(node, "`cases`"),
        None => &[],
    };
    for item in items {
        let Some(mut fields) = reader.fields(item, "a test case") else {
            continue;
        };
        let name = fields
            .require(&mut reader, "name")
            .and_then(|n| reader.text(n, "`name`"));
        let register = fields.get("register");
        let base_register = fields.get("base");
        let files: Vec<PathBuf> = fields
            .get("files")
            .map(|n| reader.text_list(n, "`files`"))
            .unwrap_or_default()
            .into_iter()
            .map(|f| base.join(f.value))
            .collect();
        let expect_node = fields.require(&mut reader, "expect");
        fields.finish(&mut reader);
        let mut expected = Vec::new();
        let expect_items = match expect_node {
            Some(node) => reader.list(node, "`expect`"),
            None => &[],
        };
        for e in expect_items {
            let Some(mut f) = reader.fields(e, "an expected finding") else {
                continue;
            };
            let rule = f
                .require(&mut reader, "rule")
                .and_then(|n| reader.text(n, "`rule`"));
            let activity = f.get("activity").and_then(|n| reader.text(n, "`activity`"));
            let target = f.get("target").and_then(|n| reader.text(n, "`target`"));
            f.finish(&mut reader);
            let Some(rule) = rule else { continue };
            if !rules.contains(&rule.value) {
                reader.report(
                    Problem::at(
                        Code::DanglingReference,
                        rule.at,
                        format!("`{}` is not among the test file's `rules`", rule.value),
                    )
                    .label("not listed in `rules`")
                    .help("only findings of the rules listed at the top of the file are compared"),
                );
                continue;
            }
            expected.push((
                rule.value,
                activity.map(|a| a.value).unwrap_or_default(),
                target.map(|t| t.value).unwrap_or_default(),
            ));
        }
        expected.sort();
        if let Some(name) = name {
            cases.push(Case {
                name,
                register,
                base: base_register,
                files,
                expected,
            });
        }
    }
    Some((rules, shared, cases, today))
}

#[expect(
    clippy::too_many_arguments,
    reason = "one case needs the whole run's context"
)]
fn run_case(
    file: FileId,
    rules: &[String],
    shared: Option<&Node>,
    case: Case<'_>,
    pack: &PolicyPack,
    sources: &mut SourceMap,
    limits: &Limits,
    today: &str,
) -> CaseResult {
    let (roots, mut problems) = read_roots(&case.files, sources, limits);
    let mut parts: Vec<(FileId, &Node)> = Vec::new();
    parts.extend(shared.map(|n| (file, n)));
    parts.extend(case.register.map(|n| (file, n)));
    parts.extend(roots.iter().map(|(f, n)| (*f, n)));
    let rule_names = pack.rule_names();
    let read = |parts: &[(FileId, &Node)], problems: &mut Vec<Problem>| {
        assemble(
            parts,
            sources,
            pack.data_categories.clone(),
            pack.subject_categories.clone(),
            &rule_names,
            problems.is_empty(),
            problems,
        )
    };
    let register = read(&parts, &mut problems);
    // The base, when the case has one: the shared register and the case's `base:`, read like
    // the register itself; the rules then judge the change from it to the case's register.
    let base_facts = case.base.map(|base| {
        let parts: Vec<(FileId, &Node)> = shared
            .map(|n| (file, n))
            .into_iter()
            .chain([(file, base)])
            .collect();
        read(&parts, &mut problems).map(|register| BaseFacts::of(&register))
    });
    let mut result = CaseResult {
        file,
        name: case.name,
        rules: rules.to_vec(),
        expected: case.expected,
        categories: BTreeMap::new(),
        outcome: Outcome::Pass,
    };
    let (register, base_facts) = match (register, base_facts) {
        (Some(register), None) if problems.is_empty() => (register, None),
        (Some(register), Some(Some(facts))) if problems.is_empty() => (register, Some(facts)),
        _ => {
            result.outcome = Outcome::Broken(problems);
            return result;
        }
    };
    for activity in &register.activities {
        for item in &activity.data {
            let ancestors = register.data_categories.ancestors(&item.category.value);
            result.categories.insert(
                item.category.value.clone(),
                ancestors.map(str::to_string).collect(),
            );
        }
        for subject in &activity.data_subjects {
            let ancestors = register.subject_categories.ancestors(&subject.value);
            result.categories.insert(
                subject.value.clone(),
                ancestors.map(str::to_string).collect(),
            );
        }
    }
    let judging = crate::entities::Judging {
        today,
        base: base_facts.as_ref(),
        accountability: crate::entities::Accountability::default(),
    };
    let findings = match crate::pipeline::judge(&register, pack, &judging) {
        Ok(judged) => judged.findings,
        Err(problems) => {
            result.outcome = Outcome::Broken(problems);
            return result;
        }
    };
    let mut got: Vec<Key> = findings
        .iter()
        .filter(|f| rules.contains(&f.rule))
        .map(key)
        .collect();
    got.sort();
    if got != result.expected {
        result.outcome = Outcome::Fail {
            missing: difference(&result.expected, &got),
            unexpected: difference(&got, &result.expected),
        };
    }
    result
}

/// Rules with no passing case where they fire, or none where they are listed and stay quiet.
fn coverage_gaps(cases: &[CaseResult], rule_ids: &[&str]) -> Vec<String> {
    let mut fires: BTreeMap<&str, bool> = BTreeMap::new();
    let mut quiet: BTreeMap<&str, bool> = BTreeMap::new();
    for case in cases.iter().filter(|c| matches!(c.outcome, Outcome::Pass)) {
        for rule in &case.rules {
            if case.expected.iter().any(|(r, _, _)| r == rule) {
                fires.insert(rule, true);
            } else {
                quiet.insert(rule, true);
            }
        }
    }
    let mut gaps = Vec::new();
    for rule in rule_ids {
        if !fires.contains_key(rule) {
            gaps.push(format!("`{rule}` has no passing case where it fires"));
        }
        if !quiet.contains_key(rule) {
            gaps.push(format!("`{rule}` has no passing case where it stays quiet"));
        }
    }
    gaps
}
