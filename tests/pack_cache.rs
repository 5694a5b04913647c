//! The record of packs that loaded cleanly: a pack seen before skips the schema's parse and
//! the policies' validation, gives the same output, and any change to the pack is judged
//! afresh.
#![allow(
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, root, temp};

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `ropa check --format json` on the shipped register with `policies`, recording in
/// `cache` (or with the record off): stdout, stderr, exit code.
fn check(policies: &Path, cache: Option<&Path>) -> (String, String, i32) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ropa"));
    command
        .current_dir(root())
        .args(["--no-config", "check", "--format", "json", "--policies"])
        .arg(policies)
        .arg("register");
    match cache {
        Some(dir) => command.env("ROPA_CACHE_DIR", dir).env_remove("ROPA_CACHE"),
        None => command.env("ROPA_CACHE", "off"),
    };
    let out = command.output().expect("ropa runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The markers in a cache folder, by name, each with its text.
fn markers(cache: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(cache.join("packs")) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, String)> = entries
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("marker");
            (p, text)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_pack_seen_before_gives_the_same_output_and_a_changed_one_is_validated_again() {
    let dir = temp("cache");
    let cache = dir.join("cache");
    let policies = dir.join("policies");
    copy_dir(&root().join("policies"), &policies);

    // Without the record: the reference output, and nothing written.
    let reference = check(&policies, None);
    assert_eq!(reference.2, 1, "{}", reference.1);
    assert!(!cache.exists());

    // First run: validated, recorded. Second run: served from the record, same bytes, and
    // the marker is not written again.
    assert_eq!(check(&policies, Some(&cache)), reference);
    let first = markers(&cache);
    assert_eq!(first.len(), 1, "{first:?}");
    let written = std::fs::metadata(&first[0].0)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(check(&policies, Some(&cache)), reference);
    assert_eq!(markers(&cache), first);
    let again = std::fs::metadata(&first[0].0)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(written, again, "a seen pack is not recorded again");

    // A marker that does not say what it should is not trusted: validated and rewritten.
    std::fs::write(&first[0].0, "garbage").expect("write");
    assert_eq!(check(&policies, Some(&cache)), reference);
    assert_eq!(markers(&cache), first);

    // One rule changed so that validation fails: judged afresh, the problem reported, and no
    // marker for it.
    let rule = policies.join("rules/retention-required.cedar");
    let text = std::fs::read_to_string(&rule).expect("rule");
    assert!(text.contains("{ !(resource has retention"), "{text}");
    std::fs::write(
        &rule,
        text.replace("{ !(", "{ resource.retension == \"x\" && !("),
    )
    .expect("write");
    let (out, err, code) = check(&policies, Some(&cache));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("policy-validation") && err.contains("retension"),
        "{err}"
    );
    assert_eq!(markers(&cache), first);

    // The schema too is part of the name: a changed schema is parsed and checked again.
    std::fs::write(&rule, &text).expect("write");
    let schema = policies.join("schema.cedarschema");
    let schema_text = std::fs::read_to_string(&schema).expect("schema");
    std::fs::write(
        &schema,
        format!("{schema_text}\nentity Broken in [Missing];\n"),
    )
    .expect("write");
    let (out, err, code) = check(&policies, Some(&cache));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("Missing"), "{err}");
    assert_eq!(markers(&cache), first);

    // Back as it was: the record serves it again.
    std::fs::write(&schema, &schema_text).expect("write");
    assert_eq!(check(&policies, Some(&cache)), reference);
    assert_eq!(markers(&cache), first);

    // The taxonomy is part of the name too (the record keeps it read): with a category
    // moved, the register is judged with the taxonomy as it is now, the same as without the
    // record, and that pack is recorded on its own and served from its record.
    let taxonomy = policies.join("taxonomy.yaml");
    let taxonomy_text = std::fs::read_to_string(&taxonomy).expect("taxonomy");
    let moved = taxonomy_text.replace(
        "dpv: \"pd:GPSCoordinate\", parents: [location] }",
        "dpv: \"pd:GPSCoordinate\", parents: [sensitive_non_special] }",
    );
    assert_ne!(moved, taxonomy_text);
    std::fs::write(&taxonomy, &moved).expect("write");
    let judged_afresh = check(&policies, None);
    assert_eq!(judged_afresh.2, 1, "{}", judged_afresh.1);
    assert_ne!(judged_afresh, reference, "the move changes the findings");
    assert_eq!(check(&policies, Some(&cache)), judged_afresh);
    assert_eq!(markers(&cache).len(), 2);
    assert_eq!(check(&policies, Some(&cache)), judged_afresh);

    // A taxonomy that does not load is reported and not recorded.
    std::fs::write(
        &taxonomy,
        taxonomy_text.replace("parents: [location] }", "parents: [locatoin] }"),
    )
    .expect("write");
    let (out, err, code) = check(&policies, Some(&cache));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("locatoin"), "{err}");
    assert_eq!(markers(&cache).len(), 2);

    std::fs::write(&taxonomy, &taxonomy_text).expect("write");
    assert_eq!(check(&policies, Some(&cache)), reference);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_planted_record_costs_time_never_a_result() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp("cache-planted");
    let cache = dir.join("cache");
    let policies = dir.join("policies");
    copy_dir(&root().join("policies"), &policies);
    let reference = check(&policies, None);
    assert_eq!(check(&policies, Some(&cache)), reference);
    let recorded = markers(&cache);
    assert_eq!(recorded.len(), 1);
    let record = recorded[0].0.clone();
    // What the record holds is a verdict, no rule: the key, one word, nothing else.
    assert_eq!(recorded[0].1.lines().count(), 1, "{}", recorded[0].1);

    // A FIFO in its place is not waited on; a link to /dev/zero is not read.
    std::fs::remove_file(&record).expect("rm");
    let fifo = Command::new("mkfifo")
        .arg(&record)
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let started = std::time::Instant::now();
    assert_eq!(check(&policies, Some(&cache)), reference);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    std::fs::remove_file(&record).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &record).expect("link");
    assert_eq!(check(&policies, Some(&cache)), reference);
    std::fs::remove_file(&record).expect("rm");

    // A folder others may write to is neither read nor written: its verdicts could be
    // anybody's.
    let packs = cache.join("packs");
    std::fs::set_permissions(&packs, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    assert_eq!(check(&policies, Some(&cache)), reference);
    assert!(
        markers(&cache).is_empty(),
        "nothing recorded in a shared folder"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
