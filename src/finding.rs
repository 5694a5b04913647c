//! Owns findings: the product of a check. A finding is plain data (rule, severity, where,
//! what the rule read); every report format renders from these and nothing else.

use std::sync::Arc;

use crate::source::Location;

/// How serious a rule's violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
        }
    }
}

impl Summary {
    /// The same run's counts for a selection of its findings.
    pub fn with_findings(&self, findings: &[Finding]) -> Self {
        Summary {
            waived: self.waived,
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
