//! The pipeline on the shipped register and policies: the seed's expected findings, and the
//! agreement between the Cedar schema and the entities and requests ropa builds.

use std::collections::BTreeSet;
use std::path::Path;

use cedar_policy::Schema;
use ropa::entities::{self, Judging};
use ropa::lang::Lang;
use ropa::pipeline::{run_check, Checked};
use ropa::policy::{load_policies, Vocabulary};
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

/// The seed's acceptance list (rules.md): for each rule, exactly the (activity, target)
/// pairs it must fire on. A rule listed with no pairs must not fire at all.
const SEED_EXPECTED: &[(&str, &[(&str, &str)])] = &[
    (
        "location-purpose-explicit",
        &[
            // Call detail records say "with whom, where, when": location data too.
            ("cloud-voip-telefonie", "call_detail_record"),
            ("mobile-device-management", "gps_position"),
            ("service-onderhoud-telefonie", "call_detail_record"),
            ("zorgalarmering", "gps_position"),
        ],
    ),
    (
        "legitimate-interest-assessment-required",
        &[("algemeen", "")],
    ),
    (
        "communications-content-justified",
        &[
            ("bewakingscamerasystemen", "camera_audio"),
            ("cloud-voip-telefonie", "text_message"),
            ("cloud-voip-telefonie", "voicemail_recording"),
            ("service-onderhoud-telefonie", "call_recording"),
        ],
    ),
    // Controller duties on the processor's activities: the controller's rules stay quiet
    // there, and one warning per activity names what the processor's record lacks.
    (
        "controller-duties-unrecorded",
        &[
            ("bewakingscamerasystemen", ""),
            ("cloud-voip-telefonie", ""),
            ("mobile-device-management", ""),
            ("service-onderhoud-telefonie", ""),
            // Customers' staff with access rights: a works-council trigger (behavioural).
            ("toegangscontrolesystemen", ""),
            ("wagenparkbeheer", ""),
            ("zorgalarmering", ""),
        ],
    ),
    (
        "document-copy-minimisation",
        &[("mobiele-telefonie-serviceportalen", "bank_card_copy")],
    ),
    (
        "device-content-minimisation",
        &[("mobile-device-management", "device_content")],
    ),
    (
        "offence-indicator-declared",
        &[("wagenparkbeheer", "vehicle_speed")],
    ),
    (
        "unspecified-data-scope",
        &[("cloud-computing", "unspecified_customer_data")],
    ),
    (
        "subprocessor-identified",
        &[
            ("cloud-computing", "aanbieders-cloudoplossingen"),
            ("cloud-service-support", "aanbieders-cloudoplossingen"),
            ("cloud-service-support", "aanbieders-cloudtelefonie"),
            ("cloud-service-support", "aanbieders-serviceportalen"),
            ("cloud-voip-telefonie", "aanbieders-cloud-voip-ip"),
            (
                "mobiele-telefonie-serviceportalen",
                "aanbieders-mobiele-telefonie",
            ),
            ("mobile-device-management", "aanbieders-mdm"),
            (
                "service-onderhoud-telefonie",
                "aanbieders-telefonie-platforms",
            ),
            (
                "voip-telefonie-vaste-lijnen",
                "aanbieders-vaste-voip-telefonie",
            ),
            ("wagenparkbeheer", "aanbieders-track-trace"),
            ("zorgalarmering", "aanbieders-zorgalarmering"),
        ],
    ),
    ("organisation-identity-required", &[("", "")]),
    (
        "contract-basis-subject-not-party",
        &[("algemeen", "customer_contact")],
    ),
    ("recipients-required", &[("algemeen", "")]),
    // No DPO, and eight activities with location, camera, behavioural or special-category
    // data that do not state their scale: one finding at the organisation.
    ("large-scale-undeclared", &[("", "")]),
    // Must not fire on the seed. The first three are controller rules, and every activity
    // they would hold for is a processor's.
    ("dpia-required", &[]),
    ("employee-monitoring-works-council", &[]),
    ("special-category-condition-required", &[]),
    ("camera-footage-no-legitimate-interest", &[]),
    ("criminal-data-basis-required", &[]),
    ("bsn-statutory-basis", &[]),
    ("consent-withdrawal-documented", &[]),
    ("third-country-transfer-safeguard", &[]),
    ("purpose-required", &[]),
    ("data-required", &[]),
    ("data-subjects-required", &[]),
    ("legal-basis-required", &[]),
    // The annex states no transfers, countries or authorisations of its sub-processors
    // (every one is a kind of provider), and no children.
    ("subprocessor-authorised", &[]),
    // Algemeen, the one controller activity, names no processor of its own.
    ("processor-identified", &[]),
    // The annex relies on no legal obligation or public task.
    ("statutory-basis-required", &[]),
    // Every processor basis is `Overeenkomst`, read as the processing agreement.
    ("processor-with-legal-basis", &[]),
    ("public-task-not-public-authority", &[]),
    ("vital-interests-basis-implausible", &[]),
    // The customers the annex's services are for are other organisations.
    ("processor-controller-is-self", &[]),
    // The annex records no reviews, and ropa.toml does not require them.
    ("review-overdue", &[]),
    ("waiver-term-too-long", &[]),
    ("category-parent-implausible", &[]),
    ("transfer-mechanism-valid", &[]),
    ("transfer-impact-assessed", &[]),
    ("child-consent-parental", &[]),
    // Part B: the annex states no public authority, scale, automated decisions, profiling,
    // joint control, inference-prone data, long periods, personnel data or consent.
    ("public-authority-no-legitimate-interest", &[]),
    ("dpo-designation-required", &[]),
    ("automated-decision-safeguards", &[]),
    ("automated-decision-undeclared", &[]),
    ("joint-controller-arrangement", &[]),
    ("special-category-inference-assessed", &[]),
    ("retention-period-plausible", &[]),
    ("works-council-personnel-data", &[]),
    ("consent-imbalance", &[]),
    // A rule about the change: with no base nothing is new.
    ("subprocessor-change-notified", &[]),
    // Rule pack v3 part B: the annex states no transfers, recipients abroad, automated
    // decisions, AI systems, device access, bias-prone features, diagnoses, biometrics of
    // its own staff, long periods or children; its one controller activity meets no DPIA
    // criterion.
    ("transfer-country-required", &[]),
    ("recipient-transfer-uncovered", &[]),
    ("human-involvement-undocumented", &[]),
    ("automated-decision-explanation", &[]),
    ("child-automated-decision", &[]),
    ("child-profiling-advertising", &[]),
    ("child-consent-verified", &[]),
    ("bias-assessment-required", &[]),
    ("bias-assessment-advised", &[]),
    ("ai-system-undeclared", &[]),
    ("ai-emotion-recognition-prohibited", &[]),
    ("ai-fria-required", &[]),
    ("ai-registration-required", &[]),
    ("ai-workers-informed", &[]),
    ("ai-transparency-disclosure", &[]),
    ("terminal-access-basis-required", &[]),
    ("tracking-pixel-joint-control", &[]),
    ("dpia-screening-recorded", &[]),
    ("dpia-reason-anonymisation", &[]),
    ("special-category-inferred", &[]),
    ("special-category-manifestly-public", &[]),
    ("sick-leave-diagnosis", &[]),
    ("biometric-employee-necessity", &[]),
    ("retention-period-excessive", &[]),
    // The shipped register has no waivers.
    ("waiver-unused", &[]),
    ("waiver-expiring", &[]),
    ("waiver-expired", &[]),
];

#[test]
fn seed_acceptance_list_holds() {
    let checked = check_seed();
    let mut failures = Vec::new();
    for (rule, pairs) in SEED_EXPECTED {
        assert!(
            checked.pack.rule(rule).is_some(),
            "rule {rule} is not shipped"
        );
        let want: BTreeSet<(String, String)> = pairs
            .iter()
            .map(|(a, t)| (a.to_string(), t.to_string()))
            .collect();
        let got = fired(&checked, rule);
        if got != want {
            failures.push(format!("{rule}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_processor_rules_fire_on_every_processor_activity() {
    let checked = check_seed();
    assert_eq!(checked.register.activities.len(), 14);
    let all: BTreeSet<String> = checked
        .register
        .activities
        .iter()
        .map(|a| a.id.value.clone())
        .collect();
    let processors: BTreeSet<String> = all.iter().filter(|a| *a != "algemeen").cloned().collect();
    assert_eq!(processors.len(), 13);
    assert_eq!(activities(&checked, "retention-required"), all);
    assert_eq!(activities(&checked, "security-measures-required"), all);
    assert_eq!(
        activities(&checked, "processor-names-controller"),
        processors
    );
}

#[test]
fn every_shipped_rule_is_in_the_acceptance_list() {
    let checked = check_seed();
    let listed: BTreeSet<&str> = SEED_EXPECTED
        .iter()
        .map(|(r, _)| *r)
        .chain([
            "retention-required",
            "security-measures-required",
            "processor-names-controller",
        ])
        .collect();
    let shipped: BTreeSet<&str> = checked.pack.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(listed, shipped);
}

#[test]
fn findings_are_deterministic() {
    let a = check_seed();
    let b = check_seed();
    assert_eq!(a.findings, b.findings);
}

fn load(dir: &Path) -> (Register, Schema, Vocabulary) {
    let mut sources = SourceMap::new();
    let limits = Limits::default();
    let pack = match load_policies(&root().join("policies"), &mut sources, &limits) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("the shipped policies must load: {problems:#?}"),
    };
    let input = vec![dir.to_string_lossy().into_owned()];
    let paths = discover(&input).unwrap_or_default();
    let rule_names = pack.rule_names();
    match load_register(
        &paths,
        pack.data_categories.clone(),
        pack.subject_categories.clone(),
        &rule_names,
        &mut sources,
        &limits,
    ) {
        Ok(register) => match pack.schema.get() {
            Ok(schema) => (register, schema.clone(), pack.vocabulary),
            Err(problem) => unreachable!("{}", problem.message),
        },
        Err(problems) => unreachable!("{} must load: {problems:#?}", dir.display()),
    }
}

#[test]
fn entities_and_requests_conform_to_the_schema() {
    for dir in [root().join("register"), root().join("tests/fixtures/full")] {
        let (register, schema, regions) = load(&dir);
        if let Err(problem) = entities::build(
            &register,
            &regions,
            None,
            &Judging::plain("2026-11-28"),
            Some(&schema),
        ) {
            panic!("{}: {}", dir.display(), problem.message);
        }
    }
}

#[test]
fn waiver_position_and_category_requests_conform_to_the_schema() {
    let (register, schema, vocabulary) = load(&root().join("tests/fixtures/claims"));
    let judging = Judging::plain("2026-11-28");
    let matches = vec![0; register.waivers.len()];
    let position_matches = vec![1; register.positions.len()];
    let waivers = entities::waiver_model(
        &register,
        &matches,
        &position_matches,
        &judging,
        Some(&schema),
    );
    assert_eq!(
        waivers.map(|m| m.checks.len()).map_err(|p| p.message),
        Ok(3),
        "a check per waiver and position"
    );
    let mut sources = SourceMap::new();
    let pack = load_policies(&root().join("policies"), &mut sources, &Limits::default())
        .unwrap_or_else(|_| unreachable!("the shipped policies load"));
    let categories = entities::category_model(
        &register,
        &vocabulary,
        &pack.data_categories,
        &pack.subject_categories,
        Some(&schema),
    );
    assert_eq!(
        categories.map(|m| m.checks.len()).map_err(|p| p.message),
        Ok(2),
        "a check per own category whose name reads as a pack category"
    );
}

#[test]
fn schema_check_catches_an_attribute_the_schema_lacks() {
    let (register, schema, regions) = load(&root().join("tests/fixtures/full"));
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
    assert!(entities::build(
        &register,
        &regions,
        None,
        &Judging::plain("2026-11-28"),
        Some(&schema)
    )
    .is_ok());
    let err = entities::build(
        &register,
        &regions,
        None,
        &Judging::plain("2026-11-28"),
        Some(&narrower),
    )
    .err()
    .map(|p| p.message)
    .unwrap_or_default();
    assert!(err.contains("legitimate_interest_assessment"), "{err}");
}

#[test]
fn rule_reference_is_up_to_date() {
    let mut sources = SourceMap::new();
    let pack = match load_policies(&root().join("policies"), &mut sources, &Limits::default()) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("the shipped policies must load: {problems:#?}"),
    };
    let generated = ropa::report::rules::render_rules_markdown(&pack.rules, &sources, Lang::En);
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is out of date: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
    // The Dutch reference, from the same annotations.
    let mut pack = pack;
    pack.localize(Lang::Nl);
    let generated = ropa::report::rules::render_rules_markdown(&pack.rules, &sources, Lang::Nl);
    let committed = std::fs::read_to_string(root().join("docs/rules.nl.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.nl.md is out of date: run \
         `cargo run -- rules --format markdown --lang nl > docs/rules.nl.md`"
    );
}

/// The categories a rule names (`DataCategory::"x"`, `SubjectCategory::"x"`), each with
/// whether it is negated (its line starts with `!`).
fn named_categories(source: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for line in source.lines() {
        let negated = line.trim_start().starts_with('!');
        for prefix in ["DataCategory::\"", "SubjectCategory::\""] {
            let mut rest = line;
            while let Some(i) = rest.find(prefix) {
                rest = &rest[i + prefix.len()..];
                if let Some(end) = rest.find('"') {
                    found.push((rest[..end].to_string(), negated));
                }
            }
        }
    }
    found
}

/// Every rule that matches through the taxonomy has a passing case that uses a strict child
/// of a category it names: firing where the category is required, quiet where it is negated.
#[test]
fn taxonomy_rules_have_a_case_through_a_child_category() {
    let mut sources = SourceMap::new();
    let limits = Limits::default();
    let pack = match load_policies(&root().join("policies"), &mut sources, &limits) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("the shipped policies must load: {problems:#?}"),
    };
    let run = match ropa::testing::run_tests(
        &root().join("policies/tests"),
        &pack,
        &mut sources,
        &limits,
        "2026-11-28",
    ) {
        Ok(run) => run,
        Err(problems) => unreachable!("the shipped tests must run: {problems:#?}"),
    };
    assert_eq!(run.passed(), run.cases.len(), "every shipped case passes");
    assert!(run.gaps.is_empty(), "{:?}", run.gaps);
    let mut missing = Vec::new();
    for rule in &pack.rules {
        let named = named_categories(&rule.source);
        if named.is_empty() {
            continue;
        }
        let through_child = run.cases.iter().any(|case| {
            let fires = case.expected.iter().any(|(r, _, _)| *r == rule.id);
            matches!(case.outcome, ropa::testing::Outcome::Pass)
                && case.rules.contains(&rule.id)
                && case.categories.iter().any(|(c, ancestors)| {
                    named
                        .iter()
                        .any(|(x, negated)| c != x && ancestors.contains(x) && fires != *negated)
                })
        });
        if !through_child {
            missing.push(rule.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "no case goes through a child category: {missing:?}"
    );
}

#[test]
fn every_shipped_rule_has_help_and_article_and_house_rules_say_so() {
    let mut sources = SourceMap::new();
    let pack = match load_policies(&root().join("policies"), &mut sources, &Limits::default()) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("the shipped policies must load: {problems:#?}"),
    };
    for rule in &pack.rules {
        assert!(rule.help.is_some(), "{} has no @help", rule.id);
        assert!(rule.article.is_some(), "{} has no @article", rule.id);
    }
    // Stricter than the law (rules.md): the help must say so.
    for id in [
        "retention-required",
        "security-measures-required",
        "camera-footage-no-legitimate-interest",
    ] {
        let help = pack
            .rule(id)
            .and_then(|r| r.help.clone())
            .unwrap_or_default();
        assert!(help.contains("House rule"), "{id}: {help}");
    }
}

#[path = "../benches/generate.rs"]
#[allow(
    dead_code,
    clippy::indexing_slicing,
    reason = "shared with the benchmark; only `generate` is used here"
)]
mod generate;

/// Named-only category sets, category and role slicing, threads and judging in parts are
/// optimisations only: on the seed and on a generated register large enough for several
/// threads and parts, they give exactly the plain evaluation.
#[test]
fn sliced_parallel_evaluation_equals_plain_evaluation() {
    use ropa::eval::{evaluate_with, Strategy};
    let generated = std::env::temp_dir().join(format!("ropa-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&generated);
    generate::generate(3_000, &generated).unwrap_or_default();
    let mut dirs = vec![root().join("register"), generated.clone()];
    // Registers that write what the guarded rules read (`ai_system`, `automated_decision`,
    // `terminal_access`, a public authority): the guards must keep those rules.
    for sector in [
        "ziekenhuis",
        "hr-logistiek",
        "marketing-mode",
        "gemeente-sociaal-domein",
    ] {
        dirs.push(root().join("tests/fixtures/sectors").join(sector));
    }
    for dir in dirs {
        let (register, _schema, regions) = load(&dir);
        let mut sources = SourceMap::new();
        let pack = match load_policies(&root().join("policies"), &mut sources, &Limits::default()) {
            Ok(pack) => pack,
            Err(problems) => unreachable!("{problems:?}"),
        };
        assert!(
            pack.named.is_some(),
            "the shipped rules name their categories plainly"
        );
        let build = |named| match entities::build(
            &register,
            &regions,
            named,
            &Judging::plain("2026-11-28"),
            None,
        ) {
            Ok(model) => model,
            Err(problem) => unreachable!("{}", problem.message),
        };
        // Plain: every ancestor in the category sets, every item policy, one thread.
        let full = build(None);
        // Fast: only named ancestors, sliced item policies, two threads.
        let narrow = build(pack.named.as_ref());
        let plain = Strategy {
            slice_by_category: false,
            threads: 1,
        };
        let fast = Strategy {
            slice_by_category: true,
            threads: 2,
        };
        let a = evaluate_with(&register, &pack, &full, plain).unwrap_or_default();
        let b = evaluate_with(&register, &pack, &narrow, fast).unwrap_or_default();
        assert!(!a.is_empty());
        let key = |f: &ropa::finding::Finding| {
            (f.rule.clone(), f.activity.clone(), f.target.clone(), f.at)
        };
        assert_eq!(
            a.iter().map(key).collect::<Vec<_>>(),
            b.iter().map(key).collect::<Vec<_>>(),
            "{}",
            dir.display()
        );
        // The register judged part by part (entities built and freed per 500 activities),
        // as a check runs it.
        // (With the findings that waivers and positions answered put back.)
        let judged = ropa::pipeline::judge(&register, &pack, &Judging::plain("2026-11-28"))
            .unwrap_or_default();
        let mut c = judged.findings;
        c.extend(judged.waived.into_iter().map(|(f, _)| f));
        c.extend(judged.positioned.into_iter().map(|(f, _)| f));
        ropa::finding::sort_findings(&mut c);
        assert_eq!(
            a.iter().map(key).collect::<Vec<_>>(),
            c.iter().map(key).collect::<Vec<_>>(),
            "{} judged in parts",
            dir.display()
        );
    }
    let _ = std::fs::remove_dir_all(&generated);
}

#[test]
fn every_pack_category_has_a_dutch_and_an_english_label() {
    let mut sources = SourceMap::new();
    let pack = match load_policies(&root().join("policies"), &mut sources, &Limits::default()) {
        Ok(pack) => pack,
        Err(problems) => unreachable!("{problems:?}"),
    };
    let mut missing = Vec::new();
    for taxonomy in [&pack.data_categories, &pack.subject_categories] {
        for category in taxonomy.categories() {
            let filled = |l: &Option<ropa::yaml::Located<String>>| {
                l.as_ref().is_some_and(|l| !l.value.trim().is_empty())
            };
            if !filled(&category.label) || !filled(&category.label_en) {
                missing.push(category.id.value.clone());
            }
        }
    }
    assert!(pack.data_categories.categories().len() > 100);
    assert!(missing.is_empty(), "without both labels: {missing:?}");
}

#[test]
fn a_pack_category_a_register_also_defines_merges_its_parents() {
    let dir = std::env::temp_dir().join(format!("ropa-merge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_default();
    // `salary` is in the pack (under payroll); this register had it first, under health.
    std::fs::write(
        dir.join("r.yaml"),
        "organisation: { id: o, name: O, contact: c, dpo: none-designated }\n\
         data_categories: [{ id: salary, label: loon, parents: [health] }]\n\
         activities: [{ id: hr, data: [{ category: salary }] }]\n",
    )
    .unwrap_or_default();
    let mut sources = SourceMap::new();
    let checked = run_check(
        &[dir.to_string_lossy().into_owned()],
        &root().join("policies"),
        "2026-11-28",
        &Limits::default(),
        &mut sources,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let checked = match checked {
        Ok(checked) => checked,
        Err(problems) => unreachable!("the register loads: {problems:#?}"),
    };
    let taxonomy = &checked.register.data_categories;
    assert!(
        taxonomy.is_in("salary", "payroll"),
        "the pack's parent stays"
    );
    assert!(
        taxonomy.is_in("salary", "health"),
        "the register's parent joins"
    );
}
