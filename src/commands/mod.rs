//! Owns what the subcommands share: the report and output flags, the registers a run judges
//! (`ropa.toml`'s units), how a run that cannot finish is reported, and the outcome that
//! becomes the exit code. Where reports go is [`delivery`]'s; each subcommand lives in its
//! own module beside these.

pub mod annex;
pub mod check;
pub mod delivery;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod import;
pub mod init;
pub mod pre_commit;
pub mod rules;
pub mod schema;
pub mod test;
pub mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use crate::baseline::Base;
use crate::config::{Config, RegisterConfig};
use crate::finding::{Finding, Severity};
use crate::lang::Lang;
use crate::pipeline::{run_check_with, CheckSettings, Checked};
use crate::policy::{load_policies, PolicyPack};
use crate::problem::{sort_problems, Code, Problem};
use crate::report::human::{self, Style};
use crate::report::{render_problems, Format};
use crate::source::SourceMap;
use crate::waiver::today;
use crate::yaml::Limits;
use delivery::write_reports;
pub use delivery::{deliver, eea, parse_target, Delivery, ReportTarget, ReportView, Selection};

/// What every subcommand starts from: the human report's style, the configuration file
/// when there is one, and the sources read so far (the configuration file).
#[derive(Debug, Clone)]
pub struct Context {
    /// Colour and width of the human report.
    pub style: Style,
    /// The language asked for: `--lang`, else `lang` in ropa.toml (see [`Context::lang`]).
    pub lang: Option<Lang>,
    /// `ropa.toml`, when one was found.
    pub config: Option<Config>,
    /// The files read before the command ran.
    pub sources: SourceMap,
}

/// A policy pack loaded on its own, with the folder it came from and the files read.
pub struct LoadedPack {
    /// The policies folder.
    pub policies: PathBuf,
    /// The pack.
    pub pack: PolicyPack,
    /// The pack's files, for rendering.
    pub sources: SourceMap,
}

impl Context {
    /// The language a person reads: the one asked for, else English.
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_default()
    }

    /// Loads the policy pack alone (for `rules`, `explain`, `test`, `schema`) from the flag's
    /// folder or the configuration's, or reports why it cannot.
    pub fn load_pack(&self, flag: Option<&Path>) -> Result<LoadedPack, Outcome> {
        let policies = self.policies(flag);
        let mut sources = SourceMap::new();
        let mut pack = load_pack_or_fail(&policies, &mut sources, self.style)?;
        pack.localize(self.lang());
        Ok(LoadedPack {
            policies,
            pack,
            sources,
        })
    }

    /// The policies folder: the flag, else the configuration's (the first register's), else
    /// `policies`.
    pub fn policies(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_path_buf)
            .or_else(|| {
                let register = self.config.as_ref()?.registers.first()?;
                register.policies.as_ref().map(|p| PathBuf::from(&p.value))
            })
            .unwrap_or_else(|| PathBuf::from("policies"))
    }
}

/// One register a command judges: its name (when the configuration names several), its
/// files, folders or globs, and its policies.
pub struct Unit {
    /// `[registers.NAME]`, when the configuration names it.
    pub name: Option<std::sync::Arc<str>>,
    /// Its paths.
    pub inputs: Vec<String>,
    /// Its policies folder.
    pub policies: PathBuf,
}

/// The registers to judge: the paths on the command line (one register), else those the
/// configuration names, else `register`. Each register's policies: the flag, else the
/// configuration's for it, else `policies`.
pub fn units(paths: &[String], policies: Option<&Path>, config: Option<&Config>) -> Vec<Unit> {
    let policies_for = |register: Option<&RegisterConfig>| {
        policies
            .map(Path::to_path_buf)
            .or_else(|| {
                register
                    .and_then(|r| r.policies.as_ref())
                    .map(|p| PathBuf::from(&p.value))
            })
            .unwrap_or_else(|| PathBuf::from("policies"))
    };
    let configured: Vec<&RegisterConfig> = config
        .map(|c| c.registers.iter().filter(|r| !r.paths.is_empty()).collect())
        .unwrap_or_default();
    if !paths.is_empty() || configured.is_empty() {
        let inputs = if paths.is_empty() {
            vec!["register".to_string()]
        } else {
            paths.to_vec()
        };
        return vec![Unit {
            name: None,
            inputs,
            policies: policies_for(config.and_then(|c| c.registers.first())),
        }];
    }
    configured
        .into_iter()
        .map(|register| Unit {
            name: register.name.as_deref().map(std::sync::Arc::from),
            inputs: register.paths.iter().map(|p| p.value.clone()).collect(),
            policies: policies_for(Some(register)),
        })
        .collect()
}

/// The one register a document command (`annex`, `export`) writes: the paths on the command
/// line, else the configuration's only register. Several registers and no paths fail with a
/// problem that lists each one's paths.
pub fn one_unit(
    paths: &[String],
    policies: Option<&Path>,
    context: &Context,
) -> Result<Unit, Outcome> {
    let problem = |problem: Problem| fail(&[problem], &context.sources, context.style);
    let mut all = units(paths, policies, context.config.as_ref());
    if all.len() > 1 {
        let listed: Vec<String> = all
            .iter()
            .map(|u| {
                format!(
                    "`{}`: {}",
                    u.name.as_deref().unwrap_or("?"),
                    u.inputs.join(" ")
                )
            })
            .collect();
        return Err(problem(
            Problem::general(
                Code::Config,
                "ropa.toml names several registers; this command writes one",
            )
            .help(format!("give its paths: {}", listed.join("; "))),
        ));
    }
    all.pop().ok_or_else(|| {
        problem(Problem::general(
            Code::NoRegisterFiles,
            "no register to write",
        ))
    })
}

/// The configuration's reports, parsed; a bad one is a problem at its place.
pub fn config_reports(config: Option<&Config>) -> Result<Vec<ReportTarget>, Vec<Problem>> {
    let Some(config) = config else {
        return Ok(Vec::new());
    };
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    for report in &config.reports {
        match parse_target(&report.value) {
            Ok(target) => targets.push(target),
            Err(why) => problems.push(
                Problem::at(Code::UnknownValue, report.at, why)
                    .help("a report is `FORMAT=FILE`, or `FORMAT` for stdout"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(problems)
    }
}

/// The exit-code table of `check` and `pre-commit`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold
  1  findings at or above the threshold
  2  could not check: bad register, bad policies, unreadable files, or a rule that failed
     during evaluation";

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// Report format on the terminal (or in --output) [default: human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Lowest severity that makes the exit code 1 [default: from ropa.toml, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Judge as of this day (YYYY-MM-DD) instead of today (UTC): waivers' expiry and
    /// notification dates, for a reproducible run.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<String>,
    /// List the findings live waivers cover, with their waivers, in the human report (the
    /// machine formats always carry them: JSON `waived`, SARIF suppressions, JUnit skipped).
    #[arg(long)]
    pub show_waived: bool,
    /// List the register's declarations (claims that can keep a rule quiet, such as a
    /// processor role or `large_scale: no`) and the rules each silences, in the human
    /// report (JSON `declarations` and the HTML report always carry them).
    #[arg(long)]
    pub show_declarations: bool,
    /// Give each finding its rule's whole explanation in the human report (by default a
    /// finding says in one line what to do, and each rule is explained once, after the
    /// findings).
    #[arg(long)]
    pub verbose: bool,
}

impl ReportArgs {
    /// The failing threshold: the flag, else the configuration's, else `error`.
    pub fn fail_on(&self, config: Option<&Config>) -> FailOn {
        self.fail_on
            .or_else(|| {
                let value = &config?.fail_on.as_ref()?.value;
                FailOn::from_str(value, false).ok()
            })
            .unwrap_or(FailOn::Error)
    }
}

/// A `--today` value: a real `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<String, String> {
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
    /// --base-dir): the gate for a register with a backlog. ropa.toml can make it the
    /// default (`fail-on-new = true`, or in `[ci]`).
    #[arg(long)]
    pub fail_on_new: bool,
    /// Every finding at or above --fail-on counts, whatever ropa.toml says.
    #[arg(long, conflicts_with = "fail_on_new")]
    pub no_fail_on_new: bool,
    /// With a base, GitHub annotations for every finding, not only the new ones.
    #[arg(long)]
    pub all: bool,
}

impl ChangeArgs {
    /// Whether only new findings fail: the flags, else the configuration.
    pub fn fail_on_new(&self, config: Option<&Config>) -> bool {
        self.fail_on_new
            || (!self.no_fail_on_new
                && config
                    .and_then(|c| c.fail_on_new.as_ref())
                    .is_some_and(|s| s.value))
    }

    /// The base, when one is named.
    pub fn base(&self) -> Option<Base> {
        match (&self.base, &self.base_dir) {
            (Some(rev), _) => Some(Base::Rev(rev.clone())),
            (None, Some(dir)) => Some(Base::Dir(dir.clone())),
            (None, None) => None,
        }
    }
}

/// Where the reports go.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Write the --format report to FILE (atomically: whole or not at all); the summary line
    /// still goes to the terminal.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report in FORMAT to FILE, atomically; FORMAT alone means stdout
    /// (repeatable: one run, several reports, e.g. `--report sarif=ropa.sarif --report
    /// junit=ropa.xml`).
    #[arg(long = "report", value_name = "FORMAT[=FILE]", value_parser = parse_target)]
    pub reports: Vec<ReportTarget>,
    /// Print nothing on the terminal but problems (and a report asked for on stdout).
    #[arg(long, short = 'q')]
    pub quiet: bool,
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

/// [`fail`], and every report also carries the problems in its format, where the report
/// would have gone, so CI shows them on their lines (a human report in a file gets them as
/// text; on the terminal they go to stderr only).
pub fn fail_as(
    problems: &[Problem],
    sources: &SourceMap,
    style: Style,
    delivery: &Delivery,
) -> Outcome {
    let plain = Style {
        color: false,
        ..style
    };
    let problems: Vec<Problem> = problems
        .iter()
        .map(|p| crate::problem_words::in_lang(p, style.lang))
        .collect();
    let problems = problems.as_slice();
    let texts = delivery.targets.iter().filter_map(|target| {
        let text = match (target.format, &target.file) {
            (Format::Human, None) => None,
            (Format::Human, Some(_)) => Some(human::render_problems(problems, sources, plain)),
            (format, _) => render_problems(format, problems, sources),
        };
        text.map(|t| (target, t))
    });
    let mut all = problems.to_vec();
    all.extend(write_reports(texts));
    fail(&all, sources, style)
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

/// Runs a check of one register into `sources`, with the configuration's accountability
/// settings, in the context's language; the problems when it cannot run (a waiver approved by someone `approvers` does
/// not name among them).
pub fn check_one(
    inputs: &[String],
    policies: &Path,
    base: Option<&Base>,
    report: &ReportArgs,
    context: &Context,
    silenced: bool,
    sources: &mut SourceMap,
) -> Result<Checked, Vec<Problem>> {
    let config = context.config.as_ref();
    let today = report.today.clone().unwrap_or_else(today);
    let settings = CheckSettings {
        accountability: config.map(Config::accountability).unwrap_or_default(),
        lang: context.lang(),
        silenced,
        ..CheckSettings::default()
    };
    let checked = run_check_with(
        inputs,
        policies,
        &today,
        &Limits::default(),
        sources,
        base,
        settings,
    )?;
    let unapproved = config.map(|c| c.unapproved(&checked.register));
    match unapproved {
        Some(problems) if !problems.is_empty() => Err(problems),
        _ => Ok(checked),
    }
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
