//! Owns the command line: arguments, the run of the pipeline, where output goes, and the
//! exit code. The only module that touches argv, the environment, stdout and stderr.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::{Finding, Severity};
use crate::pipeline::{load_all, run_check, Checked};
use crate::policy::load_policies;
use crate::problem::Problem;
use crate::problem::{sort_problems, suggestion, Code};
use crate::report::human::{self, Style};
use crate::report::rules::{
    render_explain, render_rules_human, render_rules_json, render_rules_markdown,
};
use crate::report::tests::render_test_run;
use crate::report::{render, render_problems, Format};
use crate::source::{display_name, SourceMap};
use crate::testing::run_tests;
use crate::waiver::today;
use crate::yaml::Limits;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold
  1  findings at or above the threshold
  2  could not check: bad register, bad policies, unreadable files, or a rule that failed
     during evaluation";

/// Check a GDPR register of processing activities against Cedar policies.
#[derive(Debug, Parser)]
#[command(name = "ropa", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to use colour in reports.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the register against the policies and report every violation.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// List the rules: id, severity, what each applies to, and its article.
    Rules(RulesArgs),
    /// Explain one rule: its message, what to do, its article and its policy.
    Explain(ExplainArgs),
    /// Load and check the register and the policies without evaluating any rule.
    #[command(after_help = VALIDATE_EXIT_CODES)]
    Validate(ValidateArgs),
    /// Check the whole register, reporting only findings in the changed files (for a
    /// pre-commit hook).
    #[command(name = "pre-commit", after_help = EXIT_CODES)]
    PreCommit(PreCommitArgs),
    /// Run the policy test cases: each rule must fire where expected and nowhere else.
    #[command(after_help = TEST_EXIT_CODES)]
    Test(TestArgs),
}

const VALIDATE_EXIT_CODES: &str = "\
Exit codes:
  0  the register and the policies load: every file parses, every key, word, category and
     reference is known, every policy validates
  2  they do not (each problem is reported at its place)";

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Register files, folders or glob patterns.
    #[arg(default_value = "register")]
    paths: Vec<String>,
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
}

const TEST_EXIT_CODES: &str = "\
Exit codes:
  0  every case passed and every rule has a case where it fires and one where it does not
  1  a case failed, or a rule lacks such a case
  2  could not run: bad policies, a malformed test file, or a case whose register does not load";

#[derive(Debug, clap::Args)]
struct TestArgs {
    /// Folder of test files (*.yaml).
    #[arg(default_value = "policies/tests")]
    dir: PathBuf,
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
}

#[derive(Debug, clap::Args)]
struct RulesArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
    /// Listing format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    format: RulesFormat,
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    /// The rule's id.
    rule: String,
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
}

/// Rule listing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    /// A table.
    Human,
    /// A JSON list of rule objects.
    Json,
    /// The rule reference as Markdown.
    Markdown,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Register files, folders or glob patterns.
    #[arg(default_value = "register")]
    paths: Vec<String>,
    #[command(flatten)]
    report: ReportArgs,
    /// Report only these rules (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Report only these activities (repeatable).
    #[arg(long = "activity", value_name = "ID")]
    activities: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// The policies to check against, and how to report: shared by `check` and `pre-commit`.
#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

/// Where the report goes.
#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Write the report to FILE (atomically: whole or not at all); the summary line still
    /// goes to the terminal.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct PreCommitArgs {
    /// Changed files, as pre-commit passes them. Findings are limited to these register
    /// files; a changed policy file reports all findings. No files: all findings.
    files: Vec<PathBuf>,
    /// The register folder, loaded whole (references cross files).
    #[arg(long, default_value = "register")]
    register: String,
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The threshold for a failing exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Errors fail.
    Error,
    /// Errors and warnings fail.
    Warning,
    /// Nothing fails (exit 0 unless ropa could not run).
    Never,
}

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

/// Parses arguments, runs, and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style {
        color: use_color(cli.color),
        width: terminal_width(),
    };
    match cli.command {
        Command::Check(args) => check(&args, style).into(),
        Command::Rules(args) => rules(&args, style).into(),
        Command::Explain(args) => explain(&args, style).into(),
        Command::Test(args) => test(&args, style).into(),
        Command::PreCommit(args) => pre_commit(&args, style).into(),
        Command::Validate(args) => validate(&args, style).into(),
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}

/// Writes to stdout; a closed pipe (`ropa check | head`) is not an error.
fn emit(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(err) => err.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

/// [`fail`], and for a machine format also the problems in that format, where the report
/// would have gone, so CI shows them on their lines.
fn fail_as(
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

fn fail(problems: &[Problem], sources: &SourceMap, style: Style) -> Outcome {
    let text = human::render_problems(problems, sources, style);
    // Nothing useful can be done if stderr is gone.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    Outcome::Failed
}

/// Runs a check; when it cannot run, reports why (in the requested format too) and gives
/// the outcome to return.
fn check_or_fail(
    inputs: &[String],
    report: &ReportArgs,
    output: &OutputArgs,
    style: Style,
) -> Result<(Checked, SourceMap), Outcome> {
    let mut sources = SourceMap::new();
    match run_check(
        inputs,
        &report.policies,
        &today(),
        &Limits::default(),
        &mut sources,
    ) {
        Ok(checked) => Ok((checked, sources)),
        Err(problems) => Err(fail_as(&problems, &sources, style, report.format, output)),
    }
}

fn check(args: &CheckArgs, style: Style) -> Outcome {
    let (checked, sources) = match check_or_fail(&args.paths, &args.report, &args.output, style) {
        Ok(done) => done,
        Err(outcome) => return outcome,
    };
    let problems = unknown_filters(args, &checked);
    if !problems.is_empty() {
        return fail_as(&problems, &sources, style, args.report.format, &args.output);
    }
    let findings: Vec<Finding> = checked
        .findings
        .iter()
        .filter(|f| args.rules.is_empty() || args.rules.contains(&f.rule))
        .filter(|f| {
            args.activities.is_empty()
                || f.activity
                    .as_ref()
                    .is_some_and(|a| args.activities.contains(a))
        })
        .cloned()
        .collect();
    deliver(
        &checked,
        &findings,
        &args.report,
        &args.output,
        &sources,
        style,
    )
}

/// Renders the selected findings, sends them where asked, and gives the outcome.
fn deliver(
    checked: &Checked,
    findings: &[Finding],
    report: &ReportArgs,
    output: &OutputArgs,
    sources: &SourceMap,
    style: Style,
) -> Outcome {
    let ReportArgs {
        format, fail_on, ..
    } = *report;
    let summary = checked.summary.with_findings(findings);
    let text = render(
        format,
        findings,
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
            let _ = emit(&human::summary_line(&summary));
        }
    }
    outcome(findings, fail_on)
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the whole new report or left as it was.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
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

fn validate(args: &ValidateArgs, style: Style) -> Outcome {
    let mut sources = SourceMap::new();
    match load_all(
        &args.paths,
        &args.policies,
        &Limits::default(),
        &mut sources,
    ) {
        Ok(loaded) => {
            let text = format!(
                "ropa: valid: {} in {}, {}\n",
                human::plural(loaded.register.activities.len(), "activity", "activities"),
                human::plural(loaded.files, "file", "files"),
                human::plural(loaded.pack.rules.len(), "rule", "rules"),
            );
            if emit(&text) {
                Outcome::Clean
            } else {
                Outcome::Failed
            }
        }
        Err(problems) => fail(&problems, &sources, style),
    }
}

fn pre_commit(args: &PreCommitArgs, style: Style) -> Outcome {
    let inputs = std::slice::from_ref(&args.register);
    let (checked, sources) = match check_or_fail(inputs, &args.report, &args.output, style) {
        Ok(done) => done,
        Err(outcome) => return outcome,
    };
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: Vec<PathBuf> = args.files.iter().map(|f| canonical(f)).collect();
    let policies = canonical(&args.report.policies);
    let policy_changed = changed.iter().any(|f| f.starts_with(&policies));
    let findings: Vec<Finding> = if changed.is_empty() || policy_changed {
        checked.findings.clone()
    } else {
        // Resolve each file once, not once per finding.
        let mut in_change: Vec<(crate::source::FileId, bool)> = Vec::new();
        let mut selected = Vec::new();
        for finding in &checked.findings {
            let file = finding.at.file;
            let changed_here = match in_change.iter().find(|(f, _)| *f == file) {
                Some((_, c)) => *c,
                None => {
                    let c = changed.contains(&canonical(&sources.file(file).path));
                    in_change.push((file, c));
                    c
                }
            };
            if changed_here {
                selected.push(finding.clone());
            }
        }
        selected
    };
    deliver(
        &checked,
        &findings,
        &args.report,
        &args.output,
        &sources,
        style,
    )
}

/// Problems for `--rule` and `--activity` values that name nothing.
fn unknown_filters(args: &CheckArgs, checked: &Checked) -> Vec<Problem> {
    let rule_ids: Vec<&str> = checked.pack.rules.iter().map(|r| r.id.as_str()).collect();
    let activity_ids: Vec<&str> = checked
        .register
        .activities
        .iter()
        .map(|a| a.id.value.as_str())
        .collect();
    let unknown = |what: &str, value: &String, known: &[&str]| {
        (!known.contains(&value.as_str())).then(|| {
            Problem::general(Code::DanglingReference, format!("no {what} `{value}`"))
                .maybe_help(suggestion(value, known.iter().copied()))
        })
    };
    args.rules
        .iter()
        .filter_map(|r| unknown("rule", r, &rule_ids))
        .chain(
            args.activities
                .iter()
                .filter_map(|a| unknown("activity", a, &activity_ids)),
        )
        .collect()
}

fn rules(args: &RulesArgs, style: Style) -> Outcome {
    let mut sources = SourceMap::new();
    let pack = match load_policies(&args.policies, &mut sources, &Limits::default()) {
        Ok(pack) => pack,
        Err(mut problems) => {
            sort_problems(&mut problems);
            return fail(&problems, &sources, style);
        }
    };
    let text = match args.format {
        RulesFormat::Human => render_rules_human(&pack.rules),
        RulesFormat::Json => render_rules_json(&pack.rules),
        RulesFormat::Markdown => render_rules_markdown(&pack.rules, &sources),
    };
    if emit(&text) {
        Outcome::Clean
    } else {
        Outcome::Failed
    }
}

fn explain(args: &ExplainArgs, style: Style) -> Outcome {
    let mut sources = SourceMap::new();
    let pack = match load_policies(&args.policies, &mut sources, &Limits::default()) {
        Ok(pack) => pack,
        Err(mut problems) => {
            sort_problems(&mut problems);
            return fail(&problems, &sources, style);
        }
    };
    let Some(rule) = pack.rule(&args.rule) else {
        let problem = Problem::general(Code::DanglingReference, format!("no rule `{}`", args.rule))
            .maybe_help(Some(
                suggestion(&args.rule, pack.rules.iter().map(|r| r.id.as_str()))
                    .unwrap_or_else(|| "`ropa rules` lists the rules".to_string()),
            ));
        return fail(&[problem], &sources, style);
    };
    if emit(&render_explain(rule, &sources)) {
        Outcome::Clean
    } else {
        Outcome::Failed
    }
}

fn test(args: &TestArgs, style: Style) -> Outcome {
    let mut sources = SourceMap::new();
    let limits = Limits::default();
    let pack = match load_policies(&args.policies, &mut sources, &limits) {
        Ok(pack) => pack,
        Err(mut problems) => {
            sort_problems(&mut problems);
            return fail(&problems, &sources, style);
        }
    };
    let run = match run_tests(&args.dir, &pack, &mut sources, &limits, &today()) {
        Ok(run) => run,
        Err(mut problems) => {
            sort_problems(&mut problems);
            return fail(&problems, &sources, style);
        }
    };
    if !emit(&render_test_run(&run, &sources, style)) {
        return Outcome::Failed;
    }
    if run.broken() {
        Outcome::Failed
    } else if run.passed() < run.cases.len() || !run.gaps.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn outcome(findings: &[Finding], fail_on: FailOn) -> Outcome {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => Outcome::Findings,
        _ => Outcome::Clean,
    }
}
