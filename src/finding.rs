//! Owns findings: the product of a check. A finding is plain data (rule, severity, where,
//! what the rule read); every report format renders from these and nothing else.

use std::sync::Arc;

use crate::source::Location;

/// How serious a rule's violation is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// Should be fixed, does not fail the default gate.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The name used in annotations and reports.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses an `@severity` value.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

/// A secondary place a finding shows: a field the rule reads, or a related definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub at: Location,
    /// What it is.
    pub text: String,
}

/// One violation of one rule by one register node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's `@id`.
    pub rule: String,
    /// The rule's `@severity`.
    pub severity: Severity,
    /// The rule's `@message` (shared by every finding of the rule).
    pub message: Arc<str>,
    /// The rule's `@help`.
    pub help: Option<Arc<str>>,
    /// The rule's `@fix`: what to do, in one line.
    pub fix: Option<Arc<str>>,
    /// The rule's `@article`.
    pub article: Option<Arc<str>>,
    /// The offending node.
    pub at: Location,
    /// The label on the offending node.
    pub label: Arc<str>,
    /// Fields the rule read and related definitions.
    pub labels: Vec<Label>,
    /// The activity's id, for activity, data item and sub-processor checks.
    pub activity: Option<String>,
    /// The data item's category or the sub-processor's id.
    pub target: Option<String>,
    /// Against a base register: whether the base had this finding too.
    pub change: Option<Change>,
    /// The register's name, when `ropa.toml` names several.
    pub register: Option<Arc<str>>,
}

impl Finding {
    /// A plain error finding of `rule` at `at`, for tests: message `m`, label `l`, no
    /// help, article, labels, activity, target, change or register.
    #[cfg(test)]
    pub fn for_test(rule: &str, at: Location) -> Self {
        Finding {
            rule: rule.to_string(),
            severity: Severity::Error,
            message: "m".into(),
            help: None,
            fix: None,
            article: None,
            at,
            label: "l".into(),
            labels: Vec::new(),
            activity: None,
            target: None,
            change: None,
            register: None,
        }
    }
}

/// A finding against a base register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The base does not have it: the change brought it.
    New,
    /// The base has it too.
    Existing,
}

impl Change {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Existing => "existing",
        }
    }
}

/// What identifies a finding across versions of a register: its rule, activity and target,
/// and its rank among findings with the same three. No file or line: moving, reordering or
/// splitting files keeps it.
pub type FindingKey<'a> = (&'a str, Option<&'a str>, Option<&'a str>, usize);

/// The key of each finding, in order.
pub fn finding_keys(findings: &[Finding]) -> Vec<FindingKey<'_>> {
    let mut seen: std::collections::HashMap<(&str, Option<&str>, Option<&str>), usize> =
        std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let key = (f.rule.as_str(), f.activity.as_deref(), f.target.as_deref());
            let rank = seen.entry(key).or_insert(0);
            let this = *rank;
            *rank += 1;
            (key.0, key.1, key.2, this)
        })
        .collect()
}

/// Counts for a report's closing line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Activities checked.
    pub activities: usize,
    /// Register files read.
    pub files: usize,
    /// Rules evaluated.
    pub rules: usize,
    /// Findings covered by a live waiver (not in the report).
    pub waived: usize,
    /// Findings a reasoned position answers (out of the counts, shown apart).
    pub positions: usize,
    /// Weakenings of the gate an approval in `ropa.toml` answers (out of the counts, shown
    /// apart).
    pub approved: usize,
    /// Declarations: claims that can keep a rule quiet.
    pub declarations: usize,
    /// Declarations that silence at least one rule (`None`: not computed).
    pub silencing: Option<usize>,
    /// Against a base register: how many findings are new, existing and resolved.
    pub change: Option<ChangeCounts>,
}

/// Findings against a base register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    /// Findings the base does not have.
    pub new: usize,
    /// Findings the base has too.
    pub existing: usize,
    /// The base's findings that are gone.
    pub resolved: usize,
}

impl ChangeCounts {
    /// The counts of marked findings, and of `resolved` base findings.
    pub fn of(findings: &[Finding], resolved: usize) -> Self {
        let count = |change| findings.iter().filter(|f| f.change == Some(change)).count();
        ChangeCounts {
            new: count(Change::New),
            existing: count(Change::Existing),
            resolved,
        }
    }
}

impl Summary {
    /// Counts the findings' severities into a summary of a run.
    pub fn new(findings: &[Finding], activities: usize, files: usize, rules: usize) -> Self {
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Summary {
            errors,
            warnings: findings.len() - errors,
            activities,
            files,
            rules,
            waived: 0,
            positions: 0,
            approved: 0,
            declarations: 0,
            silencing: None,
            change: None,
        }
    }
}

impl Summary {
    /// The same run's counts for a selection of its findings, and `resolved` of the base's.
    pub fn with_findings(&self, findings: &[Finding], resolved: usize) -> Self {
        let change = self.change.map(|_| ChangeCounts::of(findings, resolved));
        Summary {
            waived: self.waived,
            positions: self.positions,
            approved: self.approved,
            declarations: self.declarations,
            silencing: self.silencing,
            change,
            ..Summary::new(findings, self.activities, self.files, self.rules)
        }
    }
}

/// Sorts findings into report order: by file, position, rule, target.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.at, &a.rule, &a.target, &a.activity).cmp(&(b.at, &b.rule, &b.target, &b.activity))
    });
}
