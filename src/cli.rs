//! Owns the command line: parses argv, picks the colour and width of the human report, and
//! dispatches to the subcommand in [`crate::commands`]. The only module that reads argv and
//! the environment.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{
    self, check::CheckArgs, explain::ExplainArgs, pre_commit::PreCommitArgs, rules::RulesArgs,
    test::TestArgs, validate::ValidateArgs, EXIT_CODES,
};
use crate::report::human::Style;

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
    #[command(after_help = commands::validate::EXIT_CODES)]
    Validate(ValidateArgs),
    /// Check the whole register, reporting only findings in the changed files (for a
    /// pre-commit hook).
    #[command(name = "pre-commit", after_help = EXIT_CODES)]
    PreCommit(PreCommitArgs),
    /// Run the policy test cases: each rule must fire where expected and nowhere else.
    #[command(after_help = commands::test::EXIT_CODES)]
    Test(TestArgs),
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
    let cli = Cli::parse();
    let style = Style {
        color: use_color(cli.color),
        width: terminal_width(),
    };
    let outcome = match &cli.command {
        Command::Check(args) => commands::check::run(args, style),
        Command::Rules(args) => commands::rules::run(args, style),
        Command::Explain(args) => commands::explain::run(args, style),
        Command::Test(args) => commands::test::run(args, style),
        Command::PreCommit(args) => commands::pre_commit::run(args, style),
        Command::Validate(args) => commands::validate::run(args, style),
    };
    outcome.into()
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
