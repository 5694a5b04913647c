//! The pipeline on the shipped register and policies: the seed's expected findings, and the
//! agreement between the Cedar schema and the entities and requests ropa builds.

use std::collections::BTreeSet;
use std::path::Path;

use cedar_policy::Schema;
use ropa::entities;
use ropa::pipeline::{run_check, Checked};
use ropa::policy::load_policies;
use ropa::register::load::{discover, load_register};
use ropa::register::Register;
use ropa::source::SourceMap;
use ropa::yaml::Limits;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check_seed() -> Checked {
    let mut sources = SourceMap::new();
    let register = root().join("register").to_string_lossy().into_owned();
    match run_check(
        &[register],
        &root().join("policies"),
        "2026-11-28",
        &Limits::default(),
        &mut sources,
    ) {
        Ok(checked) => checked,
        Err(problems) => unreachable!("the seed must load: {problems:#?}"),
    }
}

/// (activity, target) of every finding of a rule.
fn fired(checked: &Checked, rule: &str) -> BTreeSet<(String, String)> {
    checked
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            (
                f.activity.clone().unwrap_or_default(),
                f.target.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn activities(checked: &Checked, rule: &str) -> BTreeSet<String> {
    fired(checked, rule).into_iter().map(|(a, _)| a).collect()
}

#[test]
fn seed_location_purpose_fires_on_mdm_and_care_alarm_gps_only() {
    let checked = check_seed();
    let got = fired(&checked, "location-purpose-explicit");
    let want: BTreeSet<(String, String)> = [
        ("mobile-device-management", "gps_position"),
        ("zorgalarmering", "gps_position"),
    ]
    .into_iter()
    .map(|(a, t)| (a.to_string(), t.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(!activities(&checked, "location-purpose-explicit").contains("wagenparkbeheer"));
}

#[test]
fn seed_retention_fires_on_all_fourteen_activities() {
    let checked = check_seed();
    assert_eq!(checked.register.activities.len(), 14);
    let all: BTreeSet<String> = checked
        .register
        .activities
        .iter()
        .map(|a| a.id.value.clone())
        .collect();
    assert_eq!(activities(&checked, "retention-required"), all);
}

#[test]
fn seed_subprocessor_identified_fires_on_every_category_reference() {
    let checked = check_seed();
    let references: usize = checked
        .register
        .activities
        .iter()
        .map(|a| a.subprocessors.len())
        .sum();
    let findings = checked
        .findings
        .iter()
        .filter(|f| f.rule == "subprocessor-identified")
        .count();
    assert_eq!(
        references, 11,
        "the annex names 11 sub-processor references"
    );
    assert_eq!(findings, references);
}

#[test]
fn seed_organisation_identity_fires_once_and_camera_rule_not_at_all() {
    let checked = check_seed();
    let org = checked
        .findings
        .iter()
        .filter(|f| f.rule == "organisation-identity-required")
        .count();
    assert_eq!(org, 1);
    assert!(fired(&checked, "camera-footage-no-legitimate-interest").is_empty());
}

#[test]
fn findings_are_deterministic() {
    let a = check_seed();
    let b = check_seed();
    assert_eq!(a.findings, b.findings);
}

fn load(dir: &Path) -> (Register, Schema) {
    let mut sources = SourceMap::new();
    let limits = Limits::default();
    let pack = match load_policies(&root().join("policies"), &mut sources, &limits) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("the shipped policies must load: {problems:#?}"),
    };
    let input = vec![dir.to_string_lossy().into_owned()];
    let paths = discover(&input).unwrap_or_default();
    let rule_ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
    match load_register(
        &paths,
        pack.data_categories.clone(),
        pack.subject_categories.clone(),
        &rule_ids,
        &mut sources,
        &limits,
    ) {
        Ok(register) => (register, pack.schema),
        Err(problems) => unreachable!("{} must load: {problems:#?}", dir.display()),
    }
}

#[test]
fn entities_and_requests_conform_to_the_schema() {
    for dir in [root().join("register"), root().join("tests/fixtures/full")] {
        let (register, schema) = load(&dir);
        if let Err(problem) = entities::build(&register, Some(&schema)) {
            panic!("{}: {}", dir.display(), problem.message);
        }
    }
}

#[test]
fn schema_check_catches_an_attribute_the_schema_lacks() {
    let (register, schema) = load(&root().join("tests/fixtures/full"));
    let text =
        std::fs::read_to_string(root().join("policies/schema.cedarschema")).unwrap_or_default();
    let without = text.replace("  legitimate_interest_assessment?: String,\n", "");
    assert_ne!(
        text, without,
        "the schema declares legitimate_interest_assessment"
    );
    let Ok((narrower, _)) = Schema::from_cedarschema_str(&without) else {
        unreachable!("the edited schema parses")
    };
    assert!(entities::build(&register, Some(&schema)).is_ok());
    let err = entities::build(&register, Some(&narrower))
        .err()
        .map(|p| p.message)
        .unwrap_or_default();
    assert!(err.contains("legitimate_interest_assessment"), "{err}");
}
