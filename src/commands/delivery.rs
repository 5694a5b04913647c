//! Owns where reports go and what they are made of: the report targets (`FORMAT=FILE`), the
//! delivery of a run's reports (stdout, or files written atomically), and the view every
//! report of a run is rendered from.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{emit, fail, outcome, FailOn, Outcome, OutputArgs, ReportArgs};
use crate::declaration::Declaration;
use crate::files::{write_atomically, write_atomically_with};
use crate::finding::Summary;
use crate::finding::{Change, Finding};
use crate::pipeline::Checked;
use crate::policy::{PolicyPack, Rule};
use crate::problem::{suggestion, Code, Problem};
use crate::report::html::RegisterView;
use crate::report::human::{self, Style};
use crate::report::{render_to, ChangeReport, Covered, Format, PositionedFinding, WaivedFinding};
use crate::source::{display_name, SourceMap};

/// One report to write: its format and its file (stdout when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: Format,
    /// The file, or stdout.
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=FILE`.
pub fn parse_target(text: &str) -> Result<ReportTarget, String> {
    let (name, file) = match text.split_once('=') {
        Some((name, file)) => (name, Some(file)),
        None => (text, None),
    };
    let format = Format::from_str(name, false).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        let mut message = format!("unknown report format `{name}`");
        if let Some(hint) = suggestion(name, names.iter().map(String::as_str)) {
            message.push_str(&format!("; {hint}"));
        }
        format!("{message} (one of {})", names.join(", "))
    })?;
    match file {
        Some("") => Err(format!("no file after `{name}=`")),
        file => Ok(ReportTarget {
            format,
            file: file.map(PathBuf::from),
        }),
    }
}

/// Every report a run writes, and whether the terminal gets the closing verdict line.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The reports, in the order given.
    pub targets: Vec<ReportTarget>,
    /// Print the summary line on stdout (no report goes there and --quiet is not set).
    pub verdict: bool,
}

impl Delivery {
    /// The reports the flags ask for, else the configuration's (`config_reports`), and the
    /// terminal report unless --quiet or a report already goes to stdout.
    pub fn of(report: &ReportArgs, output: &OutputArgs, config_reports: &[ReportTarget]) -> Self {
        let mut targets = if output.reports.is_empty() && output.output.is_none() {
            config_reports.to_vec()
        } else {
            output.reports.clone()
        };
        let format = report.format.unwrap_or(Format::Human);
        if let Some(file) = &output.output {
            targets.push(ReportTarget {
                format,
                file: Some(file.clone()),
            });
        }
        let to_stdout = targets.iter().any(|t| t.file.is_none());
        let files_only = !targets.is_empty();
        let asked = report.format.is_some() || (!files_only && !output.quiet);
        if output.output.is_none() && !to_stdout && asked {
            targets.push(ReportTarget { format, file: None });
        }
        let verdict = !output.quiet && !targets.iter().any(|t| t.file.is_none());
        Delivery { targets, verdict }
    }

    /// A problem when two reports would land in one place: two in the same file (the
    /// second would replace the first), or two on standard output (run together, neither
    /// readable).
    pub fn clash(&self) -> Option<Problem> {
        let on_stdout: Vec<&ReportTarget> =
            self.targets.iter().filter(|t| t.file.is_none()).collect();
        if on_stdout.len() > 1 {
            let formats: Vec<String> = on_stdout
                .iter()
                .map(|t| format!("`{}`", format_name(t.format)))
                .collect();
            return Some(
                Problem::general(
                    Code::InvalidValue,
                    format!(
                        "{} would {} go to standard output",
                        formats.join(" and "),
                        if formats.len() == 2 { "both" } else { "all" }
                    ),
                )
                .help("give all but one a file: `--report FORMAT=FILE`"),
            );
        }
        // Where a file lands: its folder as the file system resolves it, then its name.
        let place = |t: &ReportTarget| {
            t.file.as_ref().map(|f| {
                let absolute = std::path::absolute(f).unwrap_or_else(|_| f.clone());
                match (absolute.parent(), absolute.file_name()) {
                    (Some(folder), Some(name)) => std::fs::canonicalize(folder)
                        .map_or_else(|_| absolute.clone(), |folder| folder.join(name)),
                    _ => absolute,
                }
            })
        };
        for (i, target) in self.targets.iter().enumerate() {
            let Some(file) = place(target) else {
                continue;
            };
            if let Some(other) = self
                .targets
                .iter()
                .skip(i + 1)
                .find(|t| place(t).as_ref() == Some(&file))
            {
                return Some(
                    Problem::general(
                        Code::InvalidValue,
                        format!(
                            "the `{}` and `{}` reports would both be written to {}",
                            format_name(target.format),
                            format_name(other.format),
                            display_name(target.file.as_deref().unwrap_or(&file))
                        ),
                    )
                    .help("give each report a file of its own"),
                );
            }
        }
        None
    }

    /// Whether a report of the delivery shows what each declaration silences (JSON, HTML,
    /// or the human report with `--show-declarations`): only then is it computed.
    pub fn shows_silenced(&self, report: &ReportArgs) -> bool {
        report.show_declarations
            || self
                .targets
                .iter()
                .any(|t| matches!(t.format, Format::Json | Format::Html))
    }
}

/// Writes each report's text: to stdout, or atomically to its file. The problems of the
/// files that could not be written (the others are written).
pub(super) fn write_reports<'a>(
    reports: impl IntoIterator<Item = (&'a ReportTarget, String)>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (target, text) in reports {
        match &target.file {
            None => {
                if !emit(&text) {
                    problems.push(Problem::general(Code::Io, "cannot write to stdout"));
                }
            }
            Some(path) => {
                if let Err(err) = write_atomically(path, &text) {
                    problems.push(
                        Problem::general(
                            Code::Io,
                            format!("cannot write {}: {err}", display_name(path)),
                        )
                        .help("nothing was written there; the previous file, if any, is unchanged"),
                    );
                }
            }
        }
    }
    problems
}

/// The findings a report shows: the current ones, and against a base the base's that are
/// gone; `fail_on_new` makes only new findings fail the gate.
pub struct Selection<'a> {
    /// The findings to report.
    pub findings: &'a [Finding],
    /// The base's findings that are gone.
    pub resolved: &'a [Finding],
    /// Only new findings count for the exit code.
    pub fail_on_new: bool,
    /// Existing findings left out of `findings` (counted in the closing line).
    pub hidden_existing: usize,
    /// Annotate existing findings too (GitHub).
    pub all: bool,
    /// The findings live waivers cover, with the index of their waiver.
    pub waived: &'a [(Finding, usize)],
    /// The findings positions answer, with the index of their position.
    pub positioned: &'a [(Finding, usize)],
}

/// Everything the reports of a run are rendered from: one register's check, or several
/// registers' merged.
pub struct ReportView<'a> {
    /// The findings to report.
    pub findings: &'a [Finding],
    /// The findings live waivers cover, with their waivers.
    pub waived: Vec<WaivedFinding<'a>>,
    /// The findings reasoned positions answer, with their positions.
    pub positioned: Vec<PositionedFinding<'a>>,
    /// The registers' declarations.
    pub declarations: &'a [Declaration],
    /// The counts.
    pub summary: Summary,
    /// The rules of the packs used.
    pub rules: &'a [Rule],
    /// Against a base: what the change did.
    pub change: Option<ChangeReport<'a>>,
    /// Only new findings count for the exit code.
    pub fail_on_new: bool,
    /// The registers judged, for the reports that show their records.
    pub registers: Vec<RegisterView<'a>>,
}

/// The EEA's countries in a pack's regions (empty when the pack names no `EEA`).
pub fn eea(pack: &PolicyPack) -> &[String] {
    pack.eea()
}

impl<'a> ReportView<'a> {
    /// The view of one register's check.
    pub fn of(checked: &'a Checked, selection: &Selection<'a>) -> Self {
        let mut summary = checked
            .summary
            .with_findings(selection.findings, selection.resolved.len());
        if let Some(change) = &mut summary.change {
            change.existing += selection.hidden_existing;
        }
        ReportView {
            findings: selection.findings,
            waived: selection
                .waived
                .iter()
                .filter_map(|(finding, w)| {
                    let waiver = checked.register.waivers.get(*w)?;
                    Some(WaivedFinding { finding, waiver })
                })
                .collect(),
            positioned: selection
                .positioned
                .iter()
                .filter_map(|(finding, p)| {
                    let position = checked.register.positions.get(*p)?;
                    Some(PositionedFinding { finding, position })
                })
                .collect(),
            declarations: &checked.declarations,
            summary,
            rules: &checked.pack.rules,
            change: checked.change.as_ref().map(|c| ChangeReport {
                base: &c.base,
                base_failed: c.base_failed.as_deref(),
                resolved: selection.resolved,
                all: selection.all,
            }),
            fail_on_new: selection.fail_on_new,
            registers: vec![RegisterView {
                name: None,
                register: &checked.register,
                eea: eea(&checked.pack),
                version: None,
                judged_on: None,
            }],
        }
    }
}

/// Renders the view in every report of the delivery, writes them, prints the verdict when
/// asked, and gives the outcome.
pub fn deliver(
    view: &ReportView<'_>,
    delivery: &Delivery,
    report: &ReportArgs,
    fail_on: FailOn,
    sources: &SourceMap,
    style: Style,
) -> Outcome {
    let plain = Style {
        color: false,
        ..style
    };
    let mut problems = Vec::new();
    for target in &delivery.targets {
        let human = target.format == Format::Human;
        let covered = Covered {
            waived: if human && !report.show_waived {
                &[]
            } else {
                &view.waived
            },
            positioned: &view.positioned,
            declarations: view.declarations,
            list_declarations: human && report.show_declarations,
            verbose: report.verbose,
        };
        let write = |out: &mut dyn Write| {
            render_to(
                out,
                target.format,
                view.findings,
                view.change.as_ref(),
                &covered,
                &view.summary,
                view.rules,
                &view.registers,
                sources,
                if target.file.is_some() { plain } else { style },
            )
        };
        problems.extend(write_report(target, write));
    }
    if !problems.is_empty() {
        return fail(&problems, sources, style);
    }
    if delivery.verdict {
        // The reports went to files; the terminal still gets the verdict.
        let mut verdict = human::summary_line(&view.summary, style.lang);
        if let Some(change) = &view.change {
            verdict.push_str(&human::change_line(change, &view.summary, style.lang));
        }
        let _ = emit(&verdict);
    }
    let counted = view
        .findings
        .iter()
        .filter(|f| !view.fail_on_new || f.change == Some(Change::New));
    outcome(counted, fail_on)
}

/// Writes one report where its target says, as `write` produces it (through a buffer: a
/// report is never held whole); the problem when it cannot.
fn write_report(
    target: &ReportTarget,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Option<Problem> {
    match &target.file {
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Ok(()) => None,
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => None,
                Err(_) => Some(Problem::general(Code::Io, "cannot write to stdout")),
            }
        }
        Some(path) => write_atomically_with(path, write).err().map(|err| {
            Problem::general(
                Code::Io,
                format!("cannot write {}: {err}", display_name(path)),
            )
            .help("nothing was written there; the previous file, if any, is unchanged")
        }),
    }
}

/// A format as the command line names it (`sarif`).
fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map_or_else(|| format!("{format:?}"), |v| v.get_name().to_string())
}
