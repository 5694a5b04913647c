//! What helps people write ropa's inputs: `ropa fmt` for the policies, `ropa schema` for the
//! register, `ropa init` for a first register.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs ropa without a configuration file in `dir`; (stdout, stderr, exit).
fn ropa(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("--no-config")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn fmt_rewrites_a_policy_file_and_then_checks_clean() {
    let dir = temp("fmt");
    let policy = "@id(\"x\")\n@severity(\"error\")\n@message(\"m\")\nforbid (principal, action, resource) when { resource has retension };\n";
    std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
    std::fs::write(dir.join("policies/x.cedar"), policy).expect("write");
    let (_, _, code) = ropa(&dir, &["fmt", "--check"]);
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read"),
        policy,
        "--check changes nothing"
    );
    let (out, err, code) = ropa(&dir, &["fmt"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("formatted 1 of 1"), "{out}");
    let formatted = std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read");
    assert_ne!(formatted, policy);
    assert!(formatted.contains("resource has retension"));
    let (_, _, code) = ropa(&dir, &["fmt", "--check"]);
    assert_eq!(code, 0);
    // A file that does not parse: exit 2, and it is left as it was.
    std::fs::write(dir.join("policies/x.cedar"), "forbid (").expect("write");
    let (_, err, code) = ropa(&dir, &["fmt"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("policies/x.cedar")).expect("read"),
        "forbid ("
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_starts_a_register_that_validates_and_shows_its_first_findings() {
    let dir = temp("init");
    let (out, err, code) = ropa(&dir, &["init", "start", "--with-policies"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ropa check"), "{out}");
    let start = dir.join("start");
    // It finds its own ropa.toml: no flags.
    let (out, err, code) = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("validate")
        .current_dir(&start)
        .env_remove("CI")
        .output()
        .map(|o| {
            (
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
                o.status.code().unwrap_or(-1),
            )
        })
        .expect("ropa runs");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("ropa: valid: 1 activity in 3 files"),
        "{out}"
    );
    let check = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--format", "json"])
        .current_dir(&start)
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // Exactly the one gap the README shows: the starter teaches a complete record (a basis
    // per purpose, the statute of the legal obligation), not a second gap.
    assert_eq!(rules, ["works-council-personnel-data"]);
    // The schema the starter files point at is there.
    assert!(
        std::fs::read_to_string(start.join("register/activiteiten.yaml"))
            .expect("read")
            .starts_with("# yaml-language-server: $schema=../register.schema.json")
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(start.join("register.schema.json")).expect("schema written"),
    )
    .expect("JSON");
    assert!(schema["properties"]["activities"].is_object());
    // The pack is the shipped one, byte for byte.
    let shipped = std::fs::read(root().join("policies/rules/retention-required.cedar"));
    let copied = std::fs::read(start.join("policies/rules/retention-required.cedar"));
    assert_eq!(shipped.expect("shipped"), copied.expect("copied"));
    // A second init writes nothing over it.
    let before = std::fs::read(start.join("register/activiteiten.yaml")).expect("read");
    std::fs::write(start.join("register/activiteiten.yaml"), "changed").expect("write");
    let (_, err, code) = ropa(&dir, &["init", "start"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already there"), "{err}");
    assert_eq!(
        std::fs::read_to_string(start.join("register/activiteiten.yaml")).expect("read"),
        "changed"
    );
    assert!(!before.is_empty());
    // Without the pack, it says where to get one.
    let (out, _, code) = ropa(&dir, &["init", "bare"]);
    assert_eq!(code, 0);
    assert!(out.contains("--with-policies"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The register schema as `ropa schema --register DIR` prints it (with the register's own
/// categories), compiled.
fn register_validator_for(dir: &Path) -> jsonschema::Validator {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "schema", "--register"])
        .arg(dir)
        .current_dir(root())
        .output()
        .expect("ropa runs");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// The register schema as `ropa schema` prints it.
fn schema_json() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "schema"])
        .current_dir(root())
        .output()
        .expect("ropa runs");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The ids of the categories a policy test file defines, anywhere in it.
fn own_categories(value: &serde_json::Value) -> Vec<String> {
    let mut ids = Vec::new();
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                if key == "data_categories" || key == "subject_categories" {
                    for category in inner.as_array().into_iter().flatten() {
                        if let Some(id) = category["id"].as_str() {
                            ids.push(id.to_string());
                        }
                    }
                } else {
                    ids.extend(own_categories(inner));
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                ids.extend(own_categories(item));
            }
        }
        _ => {}
    }
    ids
}

/// The schema with `ids` among the words every category takes (as `--register` adds a
/// register's own).
fn add_categories(schema: &mut serde_json::Value, ids: &[String]) {
    match schema {
        serde_json::Value::Object(map) => {
            let is_category = map
                .get("description")
                .and_then(|d| d.as_str())
                .is_some_and(|d| d.contains("category of the taxonomy"));
            if is_category {
                if let Some(serde_json::Value::Array(options)) = map.get_mut("anyOf") {
                    for id in ids {
                        options.push(serde_json::json!({ "const": id }));
                    }
                }
            }
            for inner in map.values_mut() {
                add_categories(inner, ids);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                add_categories(item, ids);
            }
        }
        _ => {}
    }
}

/// The register schema as `ropa schema` prints it, compiled.
fn register_validator() -> jsonschema::Validator {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "schema"])
        .current_dir(root())
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// YAML as a YAML 1.2 editor reads it (`no` is text), as JSON.
fn yaml_value(text: &str) -> Option<serde_json::Value> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    };
    serde_saphyr::from_str_with_options::<serde_json::Value>(text, options).ok()
}

/// Every register file below `dir` as JSON (YAML read by the same parser family).
fn yaml_files(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(value) = yaml_value(&text) {
                files.push((path, value));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_register_the_loader_takes_validates_against_the_schema_and_unknown_keys_do_not() {
    let validator = register_validator();
    // The shipped register.
    for (path, value) in yaml_files(&root().join("register")) {
        let found = errors(&validator, &value);
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
    // The starter `ropa init` writes.
    let starter = yaml_files(&root().join("src/commands/init"));
    assert_eq!(starter.len(), 3);
    for (path, value) in starter {
        let found = errors(&validator, &value);
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
    // Every CLI case's register: the loader's verdict and the schema's agree.
    let mut accepted = 0;
    let mut unknown_keys = 0;
    let cases = std::fs::read_dir(root().join("tests/cases")).expect("cases");
    let mut dirs: Vec<PathBuf> = cases
        .flatten()
        .map(|e| e.path().join("register"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args(["--no-config", "validate"])
            .arg(&dir)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .expect("ropa runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let files = yaml_files(&dir);
        if out.status.code() == Some(0) {
            accepted += 1;
            let validator = register_validator_for(&dir);
            for (path, value) in &files {
                let found = errors(&validator, value);
                assert!(found.is_empty(), "{}: {found:?}", path.display());
            }
        } else if stderr.starts_with("unknown-key") && !stderr.contains("\n\nunknown-") {
            // One problem, an unknown key: some file fails the schema too.
            unknown_keys += 1;
            assert!(
                files.iter().any(|(_, v)| !errors(&validator, v).is_empty()),
                "{}: the loader refuses an unknown key the schema accepts",
                dir.display()
            );
        }
    }
    assert!(accepted >= 10, "{accepted} registers loaded");
    assert!(
        unknown_keys >= 2,
        "{unknown_keys} registers with an unknown key"
    );
    // The rule pack's test cases: every register fragment (shared, per case, and bases),
    // with the categories the test file defines.
    let mut fragments = 0;
    let pack_schema = schema_json();
    for (path, test) in yaml_files(&root().join("policies/tests")) {
        let own = own_categories(&test);
        let validator = if own.is_empty() {
            jsonschema::validator_for(&pack_schema).expect("the schema compiles")
        } else {
            let mut schema = pack_schema.clone();
            add_categories(&mut schema, &own);
            jsonschema::validator_for(&schema).expect("the schema compiles")
        };
        let mut check = |value: &serde_json::Value, what: &str| {
            if value.is_object() {
                fragments += 1;
                let found = errors(&validator, value);
                assert!(found.is_empty(), "{} {what}: {found:?}", path.display());
            }
        };
        check(&test["register"], "register");
        check(&test["base"], "base");
        for case in test["cases"].as_array().into_iter().flatten() {
            check(&case["register"], "case register");
            check(&case["base"], "case base");
        }
    }
    assert!(fragments >= 300, "{fragments} fragments");
    // A misspelt key fails.
    let misspelt =
        yaml_value("activities:\n  - id: crm\n    retension: { period: P1Y }\n").expect("YAML");
    assert!(!errors(&validator, &misspelt).is_empty());
    // So do a misspelt category, a country that is no ISO code, a period in words and a
    // legal basis that is no word of the loader's; Dutch words in any case pass.
    for (bad, why) in [
        (
            "activities:\n  - id: crm\n    data: [{ category: gps_positon }]\n",
            "category",
        ),
        (
            "activities:\n  - id: crm\n    transfers: [{ to: X, country: UK }]\n",
            "UK",
        ),
        (
            "activities:\n  - id: crm\n    retention: { period: 5 jaar }\n",
            "period",
        ),
        (
            "activities:\n  - id: crm\n    retention: { period: P1YT }\n",
            "period T",
        ),
        (
            "activities:\n  - id: crm\n    legal_basis: [overeenkomt]\n",
            "basis",
        ),
    ] {
        let value = yaml_value(bad).expect("YAML");
        assert!(!errors(&validator, &value).is_empty(), "{why} passes");
    }
    let good = yaml_value(
        "activities:\n  - id: crm\n    legal_basis: [Gerechtvaardigd Belang, OVEREENKOMST, legal_obligation]\n    retention: { period: P1Y6M }\n    transfers: [{ to: X, country: GB }]\n",
    )
    .expect("YAML");
    assert_eq!(errors(&validator, &good), Vec::<String>::new());
}

/// `--write-cases` writes the solver's examples as test files that `ropa test` runs.
#[cfg(feature = "prove")]
#[test]
fn the_solvers_examples_become_test_cases_that_pass() {
    let dir = temp("write-cases");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "rules", "--prove", "--policies"])
        .arg(root().join("tests/cases/prove-planted/policies"))
        .arg("--write-cases")
        .arg(&dir)
        .output()
        .expect("ropa runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the planted faults: {stdout}");
    assert!(
        stdout.contains("wrote 4 test files") && stdout.contains("6 pass as written"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(dir.join("retention-required.yaml")).expect("written");
    assert!(written.contains("expect:\n      - { rule: retention-required, activity: example }"));
    // And they run on their own.
    let test = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "test"])
        .arg(&dir)
        .arg("--policies")
        .arg(root().join("tests/cases/prove-planted/policies"))
        .output()
        .expect("ropa runs");
    let report = String::from_utf8_lossy(&test.stdout);
    assert!(report.contains("6 passed, 0 failed"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// No solver: a clear error naming how to get one, exit 2; never a silent pass.
#[cfg(feature = "prove")]
#[test]
fn without_a_solver_the_proofs_stop_and_say_how_to_install_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "rules", "--prove"])
        .current_dir(root())
        .env("CVC5", "/nonexistent/cvc5")
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("apt-get install cvc5"), "{stderr}");
    assert!(out.stdout.is_empty());
}
