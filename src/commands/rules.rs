//! `ropa rules`: the rule pack as a table, JSON or the Markdown reference.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::report::human::Style;
use crate::report::rules::{render_rules_human, render_rules_json, render_rules_markdown};
use crate::source::SourceMap;

use super::{emit_outcome, load_pack_or_fail, Outcome};

/// Arguments of `ropa rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// Listing format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
    /// Prove, for every input the schema allows, that each rule can fire, can stay quiet and
    /// never errors, and that no rule's findings are always another's (needs the cvc5 solver
    /// and a build with the `prove` feature).
    #[arg(long, conflicts_with = "diff")]
    pub prove: bool,
    /// Prove that the policies only tighten the pack in BASE_POLICIES: wherever one of its
    /// rules fired, the same rule still fires (needs cvc5 and the `prove` feature).
    #[arg(long, value_name = "BASE_POLICIES")]
    pub diff: Option<PathBuf>,
    /// With --prove: write the solver's examples as `ropa test` cases in DIR (one file per
    /// rule: where it fires, where it stays quiet), and run them.
    #[arg(long, value_name = "DIR", requires = "prove")]
    pub write_cases: Option<PathBuf>,
}

/// The exit-code table of `ropa rules`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the rules are listed; with --prove, every proof holds
  1  with --prove: a rule is dead, vacuous, can error, or is redundant; with --diff: a rule
     of the base pack is removed or loosened
  2  the policies do not load, or (--prove) there is no solver or the proofs cannot run";

/// Rule listing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Human,
    /// A JSON list of rule objects.
    Json,
    /// The rule reference as Markdown.
    Markdown,
}

/// Runs `ropa rules`.
pub fn run(args: &RulesArgs, context: &super::Context) -> Outcome {
    let style = context.style;
    let (pack, mut sources) = match context.load_pack(args.policies.as_deref()) {
        Ok(loaded) => (loaded.pack, loaded.sources),
        Err(outcome) => return outcome,
    };
    if args.prove {
        return prove(&pack, args.write_cases.as_deref(), &mut sources, style);
    }
    if let Some(base) = &args.diff {
        let old = match load_pack_or_fail(base, &mut sources, style) {
            Ok(pack) => pack,
            Err(outcome) => return outcome,
        };
        return diff(&old, &pack, base, &mut sources, style);
    }
    emit_outcome(&match args.format {
        RulesFormat::Human => render_rules_human(&pack.rules, context.lang()),
        RulesFormat::Json => render_rules_json(&pack.rules),
        RulesFormat::Markdown => render_rules_markdown(&pack.rules, &sources, context.lang()),
    })
}

/// `--prove` in a build without the `prove` feature: says how to get one.
#[cfg(not(feature = "prove"))]
fn prove(
    _pack: &crate::policy::PolicyPack,
    _write_cases: Option<&std::path::Path>,
    sources: &mut SourceMap,
    style: Style,
) -> Outcome {
    let problem = crate::problem::Problem::general(
        crate::problem::Code::Io,
        "this ropa is built without the proofs (the `prove` feature)",
    )
    .help("build it with them: `cargo install --locked --features prove --path .` (or `cargo run --features prove -- rules --prove`), and install the cvc5 solver");
    super::fail(&[problem], sources, style)
}

/// `--diff` in a build without the `prove` feature: says how to get one.
#[cfg(not(feature = "prove"))]
fn diff(
    _old: &crate::policy::PolicyPack,
    new: &crate::policy::PolicyPack,
    _base: &std::path::Path,
    sources: &mut SourceMap,
    style: Style,
) -> Outcome {
    prove(new, None, sources, style)
}

/// `--diff`: every rule of the base pack that the current one loosens, with an example.
#[cfg(feature = "prove")]
fn diff(
    old: &crate::policy::PolicyPack,
    new: &crate::policy::PolicyPack,
    base: &std::path::Path,
    sources: &mut SourceMap,
    style: Style,
) -> Outcome {
    let loosened = match crate::prove::tightens(old, new) {
        Ok(loosened) => loosened,
        Err(problems) => return super::fail(&problems, sources, style),
    };
    let base = crate::source::display_name(base);
    let text = crate::report::rules::render_loosened(&loosened, &base, old.rules.len());
    let outcome = emit_outcome(&text);
    if outcome == Outcome::Clean && !loosened.is_empty() {
        Outcome::Findings
    } else {
        outcome
    }
}

/// `--prove`: every proof, with the solver's examples, and exit 1 when one fails.
#[cfg(feature = "prove")]
fn prove(
    pack: &crate::policy::PolicyPack,
    write_cases: Option<&std::path::Path>,
    sources: &mut SourceMap,
    style: Style,
) -> Outcome {
    let proofs = match crate::prove::prove(pack) {
        Ok(proofs) => proofs,
        Err(problems) => return super::fail(&problems, sources, style),
    };
    let mut text = crate::report::rules::render_proofs(&proofs, pack.rules.len());
    if let Some(dir) = write_cases {
        match write_test_cases(&proofs, pack, dir, sources) {
            Ok(summary) => text.push_str(&summary),
            Err(problems) => return super::fail(&problems, sources, style),
        }
    }
    let outcome = emit_outcome(&text);
    if outcome == Outcome::Clean && !proofs.clean() {
        Outcome::Findings
    } else {
        outcome
    }
}

/// Writes the solver's examples as test files in `dir`, runs them, and says how many behave
/// as the proofs say.
#[cfg(feature = "prove")]
fn write_test_cases(
    proofs: &crate::prove::Proofs,
    pack: &crate::policy::PolicyPack,
    dir: &std::path::Path,
    sources: &mut SourceMap,
) -> Result<String, Vec<crate::problem::Problem>> {
    use crate::problem::{Code, Problem};
    let files = crate::prove::test_cases(proofs);
    for (name, text) in &files {
        let path = dir.join(name);
        crate::files::write_atomically(&path, text).map_err(|err| {
            vec![Problem::general(
                Code::Io,
                format!("cannot write {}: {err}", crate::source::display_name(&path)),
            )]
        })?;
    }
    let run = crate::testing::run_tests(
        dir,
        pack,
        sources,
        &crate::yaml::Limits::default(),
        &crate::waiver::today(),
    )?;
    let failing: Vec<String> = run
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, crate::testing::Outcome::Pass))
        .map(|c| format!("  {}: {}\n", sources.file(c.file).name, c.name.value))
        .collect();
    let mut out = format!(
        "\nropa: wrote {} test files to {} ({} cases); {} pass as written",
        files.len(),
        crate::source::display_name(dir),
        run.cases.len(),
        run.passed()
    );
    if failing.is_empty() {
        out.push('\n');
    } else {
        out.push_str("; these need editing (the example uses a value the register cannot say):\n");
        out.extend(failing);
    }
    Ok(out)
}
