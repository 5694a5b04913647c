//! Owns what the subcommands share: the report and output flags, where output goes (stdout,
//! an atomically written file), how a run that cannot finish is reported, and the outcome
//! that becomes the exit code. Each subcommand lives in its own module beside this one.

pub mod check;
pub mod explain;
pub mod pre_commit;
pub mod rules;
pub mod test;
pub mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use crate::baseline::Base;
use crate::finding::{Change, Finding, Severity};
use crate::pipeline::{run_check_against, Checked};
use crate::policy::{load_policies, PolicyPack};
use crate::problem::{sort_problems, Code, Problem};
use crate::report::human::{self, Style};
use crate::report::{render, render_problems, ChangeReport, Format, WaivedFinding};
use crate::source::{display_name, SourceMap};
use crate::waiver::today;
use crate::yaml::Limits;

/// The exit-code table of `check` and `pre-commit`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold
  1  findings at or above the threshold
  2  could not check: bad register, bad policies, unreadable files, or a rule that failed
     during evaluation";

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// Could not run.
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Clean => ExitCode::from(0),
            Outcome::Findings => ExitCode::from(1),
            Outcome::Failed => ExitCode::from(2),
        }
    }
}

/// The threshold for a failing exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors fail.
    Error,
    /// Errors and warnings fail.
    Warning,
    /// Nothing fails (exit 0 unless ropa could not run).
    Never,
}

/// The policies to check against, and how to report: shared by `check` and `pre-commit`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    pub policies: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Judge as of this day (YYYY-MM-DD) instead of today (UTC): waivers' expiry and
    /// notification dates, for a reproducible run.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<String>,
    /// List the findings live waivers cover, with their waivers, in the human report (the
    /// machine formats always carry them: JSON `waived`, SARIF suppressions, JUnit skipped).
    #[arg(long)]
    pub show_waived: bool,
}

/// A `--today` value: a real `YYYY-MM-DD` date.
fn parse_date(text: &str) -> Result<String, String> {
    if crate::register::vocab::is_date(text) {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a date (YYYY-MM-DD)"))
    }
}

/// What to judge the register against, and what fails the gate then.
#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// Judge the change since git revision REV: the register is also checked as it was there
    /// (same paths, read from git's objects), and every finding is new or existing.
    #[arg(
        long,
        value_name = "REV",
        conflicts_with = "base_dir",
        allow_hyphen_values = true
    )]
    pub base: Option<String>,
    /// As --base, with the register as it was in DIR (the same paths below it), without git.
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<PathBuf>,
    /// Only new findings at or above --fail-on make the exit code 1 (needs --base or
    /// --base-dir): the gate for a register with a backlog.
    #[arg(long)]
    pub fail_on_new: bool,
    /// With a base, GitHub annotations for every finding, not only the new ones.
    #[arg(long)]
    pub all: bool,
}

impl ChangeArgs {
    /// The base, when one is named.
    pub fn base(&self) -> Option<Base> {
        match (&self.base, &self.base_dir) {
            (Some(rev), _) => Some(Base::Rev(rev.clone())),
            (None, Some(dir)) => Some(Base::Dir(dir.clone())),
            (None, None) => None,
        }
    }
}

/// Where the report goes.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Write the report to FILE (atomically: whole or not at all); the summary line still
    /// goes to the terminal.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Writes to stdout; a closed pipe (`ropa check | head`) is not an error.
pub fn emit(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(err) => err.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

/// [`emit`], as an outcome.
pub fn emit_outcome(text: &str) -> Outcome {
    if emit(text) {
        Outcome::Clean
    } else {
        Outcome::Failed
    }
}

/// [`fail`], and for a machine format also the problems in that format, where the report
/// would have gone, so CI shows them on their lines.
pub fn fail_as(
    problems: &[Problem],
    sources: &SourceMap,
    style: Style,
    format: Format,
    output: &OutputArgs,
) -> Outcome {
    if let Some(text) = render_problems(format, problems, sources) {
        match &output.output {
            None => {
                emit(&text);
            }
            Some(path) => {
                if let Err(err) = write_atomically(path, &text) {
                    let problem = Problem::general(
                        Code::Io,
                        format!("cannot write {}: {err}", display_name(path)),
                    );
                    let mut all = problems.to_vec();
                    all.push(problem);
                    return fail(&all, sources, style);
                }
            }
        }
    }
    fail(problems, sources, style)
}

/// Reports the problems that stopped a run on stderr; the run failed.
pub fn fail(problems: &[Problem], sources: &SourceMap, style: Style) -> Outcome {
    let text = human::render_problems(problems, sources, style);
    // Nothing useful can be done if stderr is gone.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    Outcome::Failed
}

/// Loads the policy pack alone (for `rules`, `explain`, `test`), or reports why it cannot.
pub fn load_pack_or_fail(
    policies: &Path,
    sources: &mut SourceMap,
    style: Style,
) -> Result<PolicyPack, Outcome> {
    load_policies(policies, sources, &Limits::default()).map_err(|mut problems| {
        sort_problems(&mut problems);
        fail(&problems, sources, style)
    })
}

/// Runs a check; when it cannot run, reports why (in the requested format too) and gives
/// the outcome to return.
pub fn check_or_fail(
    inputs: &[String],
    base: Option<&Base>,
    report: &ReportArgs,
    output: &OutputArgs,
    style: Style,
) -> Result<(Checked, SourceMap), Outcome> {
    let mut sources = SourceMap::new();
    let today = report.today.clone().unwrap_or_else(today);
    match run_check_against(
        inputs,
        &report.policies,
        &today,
        &Limits::default(),
        &mut sources,
        base,
    ) {
        Ok(checked) => Ok((checked, sources)),
        Err(problems) => Err(fail_as(&problems, &sources, style, report.format, output)),
    }
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
}

/// Renders the selected findings, sends them where asked, and gives the outcome.
pub fn deliver(
    checked: &Checked,
    selection: &Selection<'_>,
    report: &ReportArgs,
    output: &OutputArgs,
    sources: &SourceMap,
    style: Style,
) -> Outcome {
    let ReportArgs {
        format,
        fail_on,
        show_waived,
        ..
    } = *report;
    let findings = selection.findings;
    let mut summary = checked
        .summary
        .with_findings(findings, selection.resolved.len());
    if let Some(change) = &mut summary.change {
        change.existing += selection.hidden_existing;
    }
    let change = checked.change.as_ref().map(|c| ChangeReport {
        base: &c.base,
        base_failed: c.base_failed.as_deref(),
        resolved: selection.resolved,
        all: selection.all,
    });
    let waived: Vec<WaivedFinding<'_>> = if format == Format::Human && !show_waived {
        Vec::new()
    } else {
        selection
            .waived
            .iter()
            .filter_map(|(finding, w)| {
                let waiver = checked.register.waivers.get(*w)?;
                Some(WaivedFinding { finding, waiver })
            })
            .collect()
    };
    let text = render(
        format,
        findings,
        change.as_ref(),
        &waived,
        &summary,
        &checked.pack.rules,
        sources,
        style,
    );
    match &output.output {
        None => {
            if !emit(&text) {
                return Outcome::Failed;
            }
        }
        Some(path) => {
            if let Err(err) = write_atomically(path, &text) {
                let problem = Problem::general(
                    Code::Io,
                    format!("cannot write {}: {err}", display_name(path)),
                )
                .help("nothing was written; the previous file, if any, is unchanged");
                return fail(&[problem], sources, style);
            }
            // The report went to the file; the terminal still gets the verdict.
            let mut verdict = human::summary_line(&summary);
            if let Some(change) = &change {
                verdict.push_str(&human::change_line(change, &summary));
            }
            let _ = emit(&verdict);
        }
    }
    let counted = findings
        .iter()
        .filter(|f| !selection.fail_on_new || f.change == Some(Change::New));
    outcome(counted, fail_on)
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the whole new report or left as it was.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// The outcome of a run with these findings under this threshold.
pub fn outcome<'a>(findings: impl IntoIterator<Item = &'a Finding>, fail_on: FailOn) -> Outcome {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.into_iter().any(|f| f.severity >= t) => Outcome::Findings,
        _ => Outcome::Clean,
    }
}
