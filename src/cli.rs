//! Owns the command line: parses argv, picks the colour and width of the human report, and
//! dispatches to the subcommand in [`crate::commands`]. The only module that reads argv and
//! the environment.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{
    self, check::CheckArgs, explain::ExplainArgs, fmt::FmtArgs, init::InitArgs,
    pre_commit::PreCommitArgs, rules::RulesArgs, schema::SchemaArgs, test::TestArgs,
    validate::ValidateArgs, Context, Outcome, OutputArgs, EXIT_CODES,
};
use crate::config;
use crate::lang::Lang;
use crate::problem::{Code, Problem};
use crate::report::human::Style;
use crate::source::{display_name, SourceMap};

/// Check a GDPR register of processing activities against Cedar policies.
#[derive(Debug, Parser)]
#[command(name = "ropa", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to use colour in reports.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// The configuration file [default: the nearest ropa.toml in this folder or above].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Use no configuration file, even when there is a ropa.toml.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
    /// The language of what a person reads (reports, explanations, documents, problems)
    /// [default: `lang` in ropa.toml, else en; `annex`: nl].
    #[arg(long, value_enum, global = true)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the register against the policies and report every violation.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// List the rules: id, severity, what each applies to, and its article; or prove them.
    #[command(after_help = commands::rules::EXIT_CODES)]
    Rules(RulesArgs),
    /// Explain one rule: its message, what to do, its article and its policy; with
    /// --activity, what would make that activity comply.
    Explain(ExplainArgs),
    /// Load and check the register and the policies without evaluating any rule.
    #[command(after_help = commands::validate::EXIT_CODES)]
    Validate(ValidateArgs),
    /// Judge the staged register against HEAD: only the findings the commit brings block it
    /// (for a pre-commit hook).
    #[command(name = "pre-commit", after_help = EXIT_CODES)]
    PreCommit(PreCommitArgs),
    /// Run the policy test cases: each rule must fire where expected and nowhere else.
    #[command(after_help = commands::test::EXIT_CODES)]
    Test(TestArgs),
    /// Print the JSON Schema of a register file, for editors (yaml-language-server).
    Schema(SchemaArgs),
    /// Start a register: ropa.toml, the organisation, one example activity, a waivers file
    /// (and with --with-policies the shipped rule pack).
    Init(InitArgs),
    /// Format the policy files in Cedar's own layout (--check: only say which would change).
    #[command(after_help = commands::fmt::EXIT_CODES)]
    Fmt(FmtArgs),
    /// Write the customer-facing annex (services, personal data, purposes, legal bases,
    /// sub-processors) from the register; --check FILE fails when a published one drifted.
    #[command(after_help = commands::annex::EXIT_CODES)]
    Annex(commands::annex::AnnexArgs),
    /// Export the register as the files DPOs exchange: the ICO documentation templates
    /// (XLSX or CSV) or W3C DPV JSON-LD, each activity with its open findings.
    #[command(after_help = commands::export::EXIT_CODES)]
    Export(commands::export::ExportArgs),
    /// Bring a register the organisation already keeps into ropa's format: the ICO
    /// documentation templates as filled in (XLSX, ODS, CSV), or ropa's own ICO export.
    #[command(after_help = commands::import::EXIT_CODES)]
    Import(commands::import::ImportArgs),
    /// Renders an organisation's annex template in a process of its own (see
    /// `document::annex`): the request on stdin, the answer on stdout.
    #[command(name = "__render-template", hide = true)]
    RenderTemplate,
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

/// Parses arguments, runs, and returns the exit code.
pub fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if matches!(cli.command, Command::RenderTemplate) {
        return commands::annex::render_requested().into();
    }
    let style = Style {
        color: use_color(cli.color),
        width: terminal_width(),
        lang: cli.lang.unwrap_or_default(),
    };
    let mut context = match context(&mut cli, style) {
        Ok(context) => context,
        Err(outcome) => return outcome.into(),
    };
    context.style.lang = context.lang();
    let outcome = match &cli.command {
        Command::Check(args) => commands::check::run(args, &context),
        Command::Rules(args) => commands::rules::run(args, &context),
        Command::Explain(args) => commands::explain::run(args, &context),
        Command::Test(args) => commands::test::run(args, &context),
        Command::PreCommit(args) => commands::pre_commit::run(args, &context),
        Command::Validate(args) => commands::validate::run(args, &context),
        Command::Fmt(args) => commands::fmt::run(args, &context),
        Command::Init(args) => commands::init::run(args, &context),
        Command::Schema(args) => commands::schema::run(args, &context),
        Command::Annex(args) => commands::annex::run(args, &context),
        Command::Export(args) => commands::export::run(args, &context),
        Command::Import(args) => commands::import::run(args, &context),
        Command::RenderTemplate => commands::annex::render_requested(),
    };
    outcome.into()
}

/// Finds and loads the configuration file. Its folder becomes the working directory, so its
/// paths and every report's file names are relative to it; the paths on the command line
/// are made absolute first, so they still mean what they meant where ropa was started.
fn context(cli: &mut Cli, style: Style) -> Result<Context, Outcome> {
    let mut sources = SourceMap::new();
    // `init` starts a register of its own: a configuration above it is not its.
    let found = if cli.no_config || matches!(cli.command, Command::Init(_)) {
        None
    } else {
        config::find(cli.config.as_deref())
    };
    let Some(file) = found else {
        return Ok(Context {
            style,
            lang: cli.lang,
            config: None,
            sources,
        });
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let file = cwd.join(file);
    let root = file.parent().map_or_else(|| cwd.clone(), Path::to_path_buf);
    if !same_dir(&root, &cwd) {
        rebase(&mut cli.command, &cwd);
        if let Err(err) = std::env::set_current_dir(&root) {
            let problem = Problem::general(
                Code::Io,
                format!("cannot enter {}: {err}", display_name(&root)),
            );
            return Err(commands::fail(&[problem], &sources, style));
        }
    }
    let file = file
        .strip_prefix(&root)
        .map_or_else(|_| file.clone(), Path::to_path_buf);
    match config::load(&file, config::in_ci(), &mut sources) {
        Ok(config) => Ok(Context {
            style,
            lang: cli.lang.or(config.lang.as_ref().map(|l| l.value)),
            config: Some(config),
            sources,
        }),
        Err(problems) => Err(commands::fail(&problems, &sources, style)),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Makes every relative path on the command line absolute against `cwd`.
fn rebase(command: &mut Command, cwd: &Path) {
    let path = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = cwd.join(&*p);
        }
    };
    let text = |t: &mut String| {
        if Path::new(t.as_str()).is_relative() {
            *t = cwd.join(t.as_str()).to_string_lossy().into_owned();
        }
    };
    let output = |o: &mut OutputArgs| {
        o.output.iter_mut().for_each(path);
        o.reports
            .iter_mut()
            .filter_map(|r| r.file.as_mut())
            .for_each(path);
    };
    match command {
        Command::Check(args) => {
            args.paths.iter_mut().for_each(text);
            args.report.policies.iter_mut().for_each(path);
            args.change.base_dir.iter_mut().for_each(path);
            output(&mut args.output);
        }
        Command::PreCommit(args) => {
            args.files.iter_mut().for_each(path);
            args.register.iter_mut().for_each(text);
            args.report.policies.iter_mut().for_each(path);
            output(&mut args.output);
        }
        Command::Validate(args) => {
            args.paths.iter_mut().for_each(text);
            args.policies.iter_mut().for_each(path);
        }
        Command::Rules(args) => args.policies.iter_mut().for_each(path),
        Command::Fmt(args) => args.policies.iter_mut().for_each(path),
        Command::Schema(args) => args.policies.iter_mut().for_each(path),
        Command::Init(args) => {
            // The default, the working directory, is where ropa was started.
            let dir = args.dir.get_or_insert_with(|| PathBuf::from("."));
            path(dir);
        }
        Command::Explain(args) => {
            args.policies.iter_mut().for_each(path);
            args.register.iter_mut().for_each(text);
        }
        Command::Test(args) => {
            args.dir.iter_mut().for_each(path);
            args.policies.iter_mut().for_each(path);
        }
        Command::Annex(args) => {
            args.paths.iter_mut().for_each(text);
            args.policies.iter_mut().for_each(path);
            args.template.iter_mut().for_each(path);
            args.output.iter_mut().for_each(path);
            args.check.iter_mut().for_each(path);
        }
        Command::Export(args) => {
            args.paths.iter_mut().for_each(text);
            args.policies.iter_mut().for_each(path);
            path(&mut args.output);
        }
        Command::Import(args) => {
            path(&mut args.source);
            path(&mut args.output);
            args.policies.iter_mut().for_each(path);
        }
        Command::RenderTemplate => {}
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
