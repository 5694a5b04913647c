//! What a declaration silences is computed by judging its activity again with the claim
//! neutral, and a neutral role only by the rules that read a role. That shortcut must give
//! what judging with every rule gives: on the shipped register, the sector registers, the
//! README's examples and a generated register, the two agree claim by claim.
#![allow(
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use ropa::pipeline::{run_check_with, CheckSettings};
use ropa::source::SourceMap;
use ropa::yaml::Limits;

#[path = "../benches/generate.rs"]
#[allow(
    dead_code,
    clippy::indexing_slicing,
    reason = "shared with the benchmark; only `generate` is used here"
)]
mod generate;

type Silenced = Vec<(String, Option<String>, Option<String>, Option<Vec<String>>)>;

fn silenced(input: &str, every_rule: bool) -> Silenced {
    let mut sources = SourceMap::new();
    let checked = run_check_with(
        &[input.to_string()],
        &root().join("policies"),
        "2026-12-05",
        &Limits::default(),
        &mut sources,
        None,
        CheckSettings {
            silenced: true,
            silence_with_every_rule: every_rule,
            ..CheckSettings::default()
        },
    )
    .unwrap_or_else(|problems| unreachable!("{input}: {problems:?}"));
    checked
        .declarations
        .into_iter()
        .map(|d| (d.kind.to_string(), d.activity, d.target, d.silenced))
        .collect()
}

#[test]
fn judging_a_neutral_role_with_the_rules_that_read_a_role_gives_what_every_rule_gives() {
    let mut inputs = vec![root().join("register").display().to_string()];
    for dir in ["tests/fixtures/sectors", "tests/cases"] {
        let mut found: Vec<String> = std::fs::read_dir(root().join(dir))
            .expect("folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                dir.ends_with("sectors")
                    || p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("example-"))
            })
            .map(|p| p.display().to_string())
            .collect();
        found.sort();
        inputs.extend(found);
    }
    let generated = temp("generated").join("register");
    generate::generate(300, &generated).expect("generate");
    inputs.push(generated.display().to_string());
    let mut roles = 0;
    for input in &inputs {
        let fast = silenced(input, false);
        let slow = silenced(input, true);
        roles += fast.iter().filter(|d| d.0 == "role_processor").count();
        assert_eq!(fast, slow, "{input}");
    }
    // The shortcut was taken: the shipped and the generated registers hold processor roles,
    // and what they silence is not nothing.
    assert!(roles > 100, "{roles} role claims");
}
