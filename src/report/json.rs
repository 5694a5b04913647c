//! Owns the JSON report: a stable, versioned object for machines.
//!
//! # Format (version 1)
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {
//!       "rule": "location-purpose-explicit",      // the policy's @id
//!       "severity": "error",                      // "error" | "warning"
//!       "message": "...",                         // @message
//!       "help": "...",                            // @help, or null
//!       "article": "...",                         // @article, or null
//!       "file": "register/diensten.yaml",         // relative to the working directory, `/`
//!       "line": 120, "column": 19,                // 1-based start; columns count characters
//!       "end_line": 120, "end_column": 31,        // 1-based, just past the last character
//!       "activity": "mobile-device-management",   // or null (organisation checks)
//!       "target": "gps_position",                 // data category or sub-processor id, or null
//!       "labels": [                               // the fields the rule read, related places
//!         { "message": "`legal_basis`", "file": "...", "line": 1, "column": 1,
//!           "end_line": 1, "end_column": 9 }
//!       ]
//!     }
//!   ],
//!   "summary": { "errors": 1, "warnings": 0, "activities": 14, "files": 3, "rules": 5,
//!                "waived": 0,                  // findings covered by a live waiver
//!                "positions": 0,               // findings a reasoned position answers
//!                "declarations": 0,            // claims that can keep a rule quiet
//!                "silencing": 0 },             // declarations that silence a rule
//!   "declarations": [
//!     { "kind": "role_processor", "field": "role", "value": "processor", "text": null,
//!       "activity": "alarmsystemen", "target": null, "file": "...", "line": 3, ...,
//!       "silenced": ["recipients-required"] }
//!   ]
//! }
//! ```
//!
//! With a base (`--base REV`, `--base-dir DIR`), each finding also has `"change": "new"` or
//! `"existing"`, the summary has `new`, `existing` and `resolved` counts, and the object has
//! `"base": { "name", "loaded", "problem" }` and `"resolved": [{ "rule", "severity",
//! "message", "activity", "target" }]`, the base's findings that are gone (they have no place
//! in the current files). Without a base these fields are absent.
//!
//! Findings a live waiver covers are listed under `"waived"` (when there are any), each as a
//! finding with its `"waiver": { "reason", "approved_by", "expires", "ref", "file", "line",
//! ... }`.
//!
//! Findings a reasoned position answers are listed under `"positions"` (when there are any),
//! each as a finding with its `"position": { "reasoning", "approved_by", "decided_on",
//! "reviewed_on", "ref", "file", "line", ... }`. An approved weakening of the gate is one of
//! them: rule `gate-weakened`, its position's `ref` is `ropa.toml [[approval]]` and points at
//! the approval; the summary then counts them as `"approved_weakenings"` (left out at 0).
//!
//! `"declarations"` lists every claim of the register that can keep a rule quiet (`kind`:
//! `role_processor`, `public_authority_no`, `participation_body_none`, `large_scale_no`,
//! `profiling_no`, `automated_decision_no`, `ai_system_no`, `dpf_certified`, `dpf_hr`,
//! `bsn_masked`, `dpia_screening`, `inference_statement`, `offence_use_statement`,
//! `works_council_not_applicable`, `expected_special_categories_no`, `recipients_none`,
//! `terminal_access`, `occasional_reason`, `consent_from_parent`, `art5_exception`,
//! `position`, `waiver`, `own_category`), sorted like findings. `silenced` lists the rules that fire with the
//! claim at its neutral value and not as written; it is null for `own_category` (not
//! computed), and `summary.silencing` counts the declarations that silence a rule.
//!
//! Findings are sorted by file, position and rule. New fields may be added to objects
//! within a version; a change to existing fields bumps `version`.
//!
//! When ropa could not check (exit 2), `findings` is empty, `summary` is null, and
//! `problems` lists why: `{ "code", "message", "help", "file", "line", "column",
//! "end_line", "end_column", "notes": [...] }`, with null positions for a problem that is
//! not in a file (`code` is one of ropa's own codes, such as `unknown-key`).

use serde::Serialize;

use crate::finding::{Finding, Summary};
use crate::problem::Problem;
use crate::report::{ChangeReport, Covered, Place};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    /// Written empty: [`write_findings`] writes the findings in its place.
    findings: [(); 0],
    summary: JsonSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<JsonBase<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<Vec<JsonResolved<'a>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    waived: Vec<JsonWaived<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    positions: Vec<JsonPositioned<'a>>,
    declarations: Vec<JsonDeclaration<'a>>,
}

#[derive(Serialize)]
struct JsonPositioned<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    position: JsonPosition<'a>,
}

#[derive(Serialize)]
struct JsonPosition<'a> {
    reasoning: &'a str,
    approved_by: &'a str,
    decided_on: &'a str,
    reviewed_on: &'a str,
    #[serde(rename = "ref")]
    reference: Option<&'a str>,
    #[serde(flatten)]
    position: Place<'a>,
}

#[derive(Serialize)]
struct JsonDeclaration<'a> {
    kind: &'a str,
    field: &'a str,
    value: Option<&'a str>,
    text: Option<&'a str>,
    activity: Option<&'a str>,
    target: Option<&'a str>,
    #[serde(flatten)]
    position: Place<'a>,
    silenced: Option<&'a [String]>,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    waiver: JsonWaiver<'a>,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    reason: &'a str,
    approved_by: &'a str,
    expires: &'a str,
    #[serde(rename = "ref")]
    reference: Option<&'a str>,
    #[serde(flatten)]
    position: Place<'a>,
}

#[derive(Serialize)]
struct JsonBase<'a> {
    name: &'a str,
    loaded: bool,
    problem: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonResolved<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    activity: Option<&'a str>,
    target: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    #[serde(flatten)]
    position: Place<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    article: Option<&'a str>,
    #[serde(flatten)]
    position: Place<'a>,
    activity: Option<&'a str>,
    target: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    register: Option<&'a str>,
}

/// Whether a count is zero (left out of the summary).
#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    activities: usize,
    files: usize,
    rules: usize,
    waived: usize,
    positions: usize,
    #[serde(skip_serializing_if = "is_zero")]
    approved_weakenings: usize,
    declarations: usize,
    silencing: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    existing: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<usize>,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    message: &'a str,
    #[serde(flatten)]
    position: Place<'a>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    notes: Vec<JsonNote<'a>>,
}

#[derive(Serialize)]
struct ProblemReport<'a> {
    version: u32,
    findings: [(); 0],
    problems: Vec<JsonProblem<'a>>,
    summary: Option<()>,
}

/// Renders the problems that stopped a run: the version-1 object with no findings, a
/// `problems` list (code, message, help, file and position, or nulls when the problem is
/// not in a file, and notes), and a null summary.
pub fn render_json_problems(problems: &[Problem], sources: &SourceMap) -> String {
    let report = ProblemReport {
        version: 1,
        findings: [],
        problems: problems
            .iter()
            .map(|p| {
                let place = p.at.map(|at| Place::of(at, sources));
                JsonProblem {
                    code: p.code.name(),
                    message: &p.message,
                    help: p.help.as_deref(),
                    file: place.map(|pl| pl.file),
                    line: place.map(|pl| pl.line),
                    column: place.map(|pl| pl.column),
                    end_line: place.map(|pl| pl.end_line),
                    end_column: place.map(|pl| pl.end_column),
                    notes: p
                        .notes
                        .iter()
                        .map(|n| JsonNote {
                            message: &n.text,
                            position: Place::of(n.at, sources),
                        })
                        .collect(),
                }
            })
            .collect(),
        summary: None,
    };
    let mut text =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// One finding as the report writes it.
fn json_finding<'a>(f: &'a Finding, sources: &'a SourceMap) -> JsonFinding<'a> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.name(),
        message: &f.message,
        help: f.help.as_deref(),
        article: f.article.as_deref(),
        position: Place::of(f.at, sources),
        activity: f.activity.as_deref(),
        target: f.target.as_deref(),
        labels: f
            .labels
            .iter()
            .map(|l| JsonLabel {
                message: &l.text,
                position: Place::of(l.at, sources),
            })
            .collect(),
        change: f.change.map(|c| c.name()),
        register: f.register.as_deref(),
    }
}

/// Renders the findings as the version-1 JSON report.
pub fn render_json(
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    sources: &SourceMap,
) -> String {
    let mut buffer = Vec::with_capacity(estimate(findings));
    match write_json(&mut buffer, findings, change, covered, summary, sources) {
        Ok(()) => String::from_utf8(buffer).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// About how many bytes the report of these findings takes: about 1,100 a finding with its
/// labels, pretty-printed.
fn estimate(findings: &[Finding]) -> usize {
    4096 + 1200 * findings.len()
}

/// Writes the JSON report to `out` as it is shaped, finding by finding: a report of tens of
/// megabytes is never held in memory (the same bytes as [`render_json`]).
pub fn write_json(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    change: Option<&ChangeReport<'_>>,
    covered: &Covered<'_>,
    summary: &Summary,
    sources: &SourceMap,
) -> std::io::Result<()> {
    let report = Report {
        version: 1,
        // The findings are written apart, on every core (below); the rest of the report is
        // small.
        findings: [],
        waived: covered
            .waived
            .iter()
            .map(|w| JsonWaived {
                finding: json_finding(w.finding, sources),
                waiver: JsonWaiver {
                    reason: &w.waiver.reason.value,
                    approved_by: &w.waiver.approved_by.value,
                    expires: &w.waiver.expires.value,
                    reference: w.waiver.reference.as_ref().map(|r| r.value.as_str()),
                    position: Place::of(w.waiver.rule.at, sources),
                },
            })
            .collect(),
        positions: covered
            .positioned
            .iter()
            .map(|p| JsonPositioned {
                finding: json_finding(p.finding, sources),
                position: JsonPosition {
                    reasoning: &p.position.reasoning.value,
                    approved_by: &p.position.approved_by.value,
                    decided_on: &p.position.decided_on.value,
                    reviewed_on: &p.position.reviewed_on.value,
                    reference: p.position.reference.as_ref().map(|r| r.value.as_str()),
                    position: Place::of(p.position.rule.at, sources),
                },
            })
            .collect(),
        declarations: covered
            .declarations
            .iter()
            .map(|d| JsonDeclaration {
                kind: d.kind,
                field: &d.field,
                value: d.value.as_deref(),
                text: d.text.as_deref(),
                activity: d.activity.as_deref(),
                target: d.target.as_deref(),
                position: Place::of(d.at, sources),
                silenced: d.silenced.as_deref(),
            })
            .collect(),
        summary: JsonSummary {
            errors: summary.errors,
            warnings: summary.warnings,
            activities: summary.activities,
            files: summary.files,
            rules: summary.rules,
            waived: summary.waived,
            positions: summary.positions,
            approved_weakenings: summary.approved,
            declarations: summary.declarations,
            silencing: summary.silencing,
            new: summary.change.map(|c| c.new),
            existing: summary.change.map(|c| c.existing),
            resolved: summary.change.map(|c| c.resolved),
        },
        base: change.map(|c| JsonBase {
            name: c.base,
            loaded: c.base_failed.is_none(),
            problem: c.base_failed,
        }),
        resolved: change.map(|c| {
            c.resolved
                .iter()
                .map(|f| JsonResolved {
                    rule: &f.rule,
                    severity: f.severity.name(),
                    message: &f.message,
                    activity: f.activity.as_deref(),
                    target: f.target.as_deref(),
                })
                .collect()
        }),
    };
    let skeleton = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
    // The key appears once, unescaped, at the top level: a string value cannot hold it.
    let (head, tail) = skeleton
        .split_once(FINDINGS_KEY)
        .ok_or_else(|| std::io::Error::other("the report has no findings key"))?;
    out.write_all(head.as_bytes())?;
    write_findings(out, findings, sources)?;
    out.write_all(tail.as_bytes())?;
    out.write_all(b"\n")
}

/// The findings key as the pretty printer writes it with no findings.
const FINDINGS_KEY: &str = "\"findings\": []";

/// Findings shaped per batch, each batch on every core.
const FINDINGS_PER_BATCH: usize = 8192;

/// Writes `"findings": [...]` exactly as the pretty printer would inside the report: each
/// finding pretty-printed alone, its lines indented to the array's depth (a JSON string holds
/// no raw line break, so lines are the printer's own). Batches bound the memory; within a
/// batch, chunks are shaped on every core and written in order.
fn write_findings(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    sources: &SourceMap,
) -> std::io::Result<()> {
    if findings.is_empty() {
        return out.write_all(FINDINGS_KEY.as_bytes());
    }
    out.write_all(b"\"findings\": [\n")?;
    for (b, batch) in findings.chunks(FINDINGS_PER_BATCH).enumerate() {
        let parts = crate::parallel::map_chunks(
            batch,
            crate::parallel::available_threads(),
            1024,
            |chunk| shape_findings(chunk, sources),
            || Err(std::io::Error::other("a thread shaping the report failed")),
        );
        for (p, part) in parts.into_iter().enumerate() {
            if b > 0 || p > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(&part?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// Findings as the report's array holds them, joined by `,\n`, with no line break after the
/// last.
fn shape_findings(findings: &[Finding], sources: &SourceMap) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 1200);
    let mut one = Vec::with_capacity(4096);
    for (i, finding) in findings.iter().enumerate() {
        one.clear();
        serde_json::to_writer_pretty(&mut one, &json_finding(finding, sources))
            .map_err(std::io::Error::other)?;
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        for (l, line) in one.split(|&c| c == b'\n').enumerate() {
            if l > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(b"    ");
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}
