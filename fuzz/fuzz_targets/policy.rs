//! Fuzzes the policy loader: arbitrary bytes as one `*.cedar` file, parsed, re-identified,
//! its annotations read and strictly validated against the shipped schema, and every problem
//! rendered at its span.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use cedar_policy::{Schema, Validator};
use libfuzzer_sys::fuzz_target;
use ropa::policy::load_policy_file;
use ropa::report::human::{render_problem_list, Style};
use ropa::source::SourceMap;

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/schema.cedarschema");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match Schema::from_cedarschema_str(&text) {
            Ok((schema, _)) => Validator::new(schema),
            Err(err) => panic!("the shipped schema must parse: {err}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add(Path::new("fuzz.cedar"), text.to_string());
    let mut rules = Vec::new();
    let mut policies = Vec::new();
    let mut problems = Vec::new();
    let set = load_policy_file(
        file,
        &sources,
        ropa::yaml::Limits::default().max_policy_depth,
        &mut rules,
        &mut policies,
        &mut problems,
    );
    // Strict validation against the shipped schema, as the pack's loader does.
    let _ = validator().validate(&set, cedar_policy::ValidationMode::Strict);
    let style = Style {
        color: false,
        width: 80,
        lang: ropa::lang::Lang::En,
    };
    let _ = render_problem_list(&problems, &sources, style);
});
