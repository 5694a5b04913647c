//! Fuzzes the register loader end to end: arbitrary bytes as one register file, through
//! parsing, reading, the cross-file checks, entities, evaluation with the shipped rules, and
//! the human and JSON reports of whatever comes out (problems or findings).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ropa::entities::Judging;
use ropa::finding::Summary;
use ropa::pipeline::judge;
use ropa::policy::{load_policies, PolicyPack};
use ropa::register::load::assemble;
use ropa::report::human::{render_findings, render_problem_list, Style};
use ropa::report::json::render_json;
use ropa::source::SourceMap;
use ropa::yaml::{parse, Limits};

/// The shipped pack and the source map holding its files: every input starts from a copy
/// of that map, as in the CLI, where policies and register share one map.
fn pack() -> &'static (PolicyPack, SourceMap) {
    static PACK: OnceLock<(PolicyPack, SourceMap)> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let mut sources = SourceMap::new();
        match load_policies(&dir, &mut sources, &Limits::default()) {
            Ok(pack) => (pack, sources),
            Err(problems) => panic!("the shipped policies must load: {problems:?}"),
        }
    })
}

const STYLE: Style = Style {
    color: false,
    width: 80,
    lang: ropa::lang::Lang::En,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pack, pack_sources) = pack();
    let limits = Limits::default();
    let mut sources = pack_sources.clone();
    let file = sources.add(Path::new("fuzz.yaml"), text.to_string());
    let root = match parse(file, sources.file(file), &limits) {
        Ok(root) => root,
        Err(problem) => {
            let _ = render_problem_list(&[problem], &sources, STYLE);
            return;
        }
    };
    let rule_names = pack.rule_names();
    let mut problems = Vec::new();
    let register = assemble(
        &[(file, &root)],
        &sources,
        pack.data_categories.clone(),
        pack.subject_categories.clone(),
        &rule_names,
        true,
        &mut problems,
    );
    let register = match register {
        Some(register) if problems.is_empty() => register,
        _ => {
            let _ = render_problem_list(&problems, &sources, STYLE);
            return;
        }
    };
    match judge(&register, pack, &Judging::plain("2026-11-28")) {
        Ok(judged) => {
            let findings = judged.findings;
            let summary = Summary::new(&findings, register.activities.len(), 1, pack.rules.len());
            let covered = ropa::report::Covered::default();
            let _ = render_findings(&findings, None, &covered, &summary, &[], &sources, STYLE);
            let _ = render_json(&findings, None, &covered, &summary, &sources);
        }
        Err(problems) => {
            // Only a rule failing is a bug; an entity problem a loaded register must not have.
            panic!("a loaded register must be judged: {problems:?}")
        }
    }
});
