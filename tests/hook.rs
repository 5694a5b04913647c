//! The pre-commit hook agrees with CI: in real git repositories, `ropa pre-commit` judges
//! what the commit holds against `HEAD` as `check --base HEAD --fail-on-new` does (policy
//! edits by their difference, a waiver by its approval), reads the registers `ropa.toml`
//! names, refuses a judged file whose saved text is not staged, and in CI on a committed tree
//! says there is nothing to judge. The pre-commit framework itself runs the hook as
//! `.pre-commit-hooks.yaml` declares it: `--all-files` on a clean tree passes, and a harmful
//! change staged but not saved is judged by the index.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, git, root, shipped_repository as repository, temp};

use std::path::Path;
use std::process::{Command, Output};

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// `ropa pre-commit` in `dir` with `env` set (and `CI` unset unless given).
fn hook(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ropa"));
    command
        .arg("pre-commit")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("ropa runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The file saved as `HEAD` has it (the index keeps what was staged).
fn saved_as_in_head(dir: &Path, file: &str) {
    let text = git(dir, &["show", &format!("HEAD:{file}")]);
    std::fs::write(dir.join(file), format!("{text}\n")).expect("write");
}

const TO_THE_US: (&str, &str) = (
    "    kind: category\n",
    "    kind: category\n    country: US\n",
);

#[test]
fn the_hook_judges_the_index_and_refuses_what_is_not_staged() {
    let dir = repository("hook-index");
    // A clean tree: nothing new.
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("no new findings"), "{}", text(&out));
    // Saved, not staged: refused, whatever it brings.
    edit(
        &dir,
        "register/subverwerkers.yaml",
        TO_THE_US.0,
        TO_THE_US.1,
    );
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`register/subverwerkers.yaml` not staged as saved"),
        "{}",
        text(&out)
    );
    // Staged, then the saved file put back: the commit would hold the harmful text, so it is
    // refused too, never passed.
    git(&dir, &["add", "register/subverwerkers.yaml"]);
    saved_as_in_head(&dir, "register/subverwerkers.yaml");
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // A new file not added is not in the commit either.
    git(&dir, &["reset", "-q", "--hard"]);
    std::fs::write(dir.join("register/extra.yaml"), "activities: []\n").expect("write");
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("register/extra.yaml"), "{}", text(&out));
    std::fs::remove_file(dir.join("register/extra.yaml")).expect("rm");
    // Staged as saved: judged, and blocked by the finding it brings in another file.
    edit(
        &dir,
        "register/subverwerkers.yaml",
        TO_THE_US.0,
        TO_THE_US.1,
    );
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("third-country-transfer-safeguard (new)"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains("retention-required"),
        "the backlog is counted, not listed: {}",
        text(&out)
    );
}

#[test]
fn policy_edits_are_judged_by_their_difference_and_waivers_by_their_approval() {
    let dir = repository("hook-policy");
    // A one-word message edit blocks nothing.
    edit(
        &dir,
        "policies/rules/retention-required.cedar",
        "@message(\"The activity has no retention period or criterion\")",
        "@message(\"The activity has no retention period or retention criterion\")",
    );
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    git(&dir, &["commit", "-q", "-m", "wording"]);
    // Lowering a severity is a weakening, as in CI.
    edit(
        &dir,
        "policies/rules/retention-required.cedar",
        "@severity(\"error\")",
        "@severity(\"warning\")",
    );
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("gate-weakened"), "{}", text(&out));
    git(&dir, &["reset", "-q", "--hard"]);
    // A waiver without its approval is blocked; with it, the commit passes.
    std::fs::write(
        dir.join("register/waivers.yaml"),
        "waivers:\n  - rule: retention-required\n    activity: algemeen\n    reason: Schedule being drafted\n    approved_by: DPO\n    expires: 2027-03-31\n",
    )
    .expect("write");
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    let at = report.find("(weakening w-").expect("an id") + "(weakening ".len();
    let id = report[at..at + 14].to_string();
    let config = std::fs::read_to_string(dir.join("ropa.toml")).expect("read");
    std::fs::write(
        dir.join("ropa.toml"),
        format!("{config}\n[[approval]]\nweakening = \"{id}\"\nby = \"DPO\"\non = \"2026-12-05\"\nreason = \"Schedule being drafted\"\n"),
    )
    .expect("write");
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("approved weakenings of the gate"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_registers_come_from_ropa_toml_wherever_they_are() {
    let dir = temp("hook-layout");
    copy_dir(&root().join("register"), &dir.join("privacy/be"));
    copy_dir(&root().join("policies"), &dir.join("policies"));
    std::fs::write(
        dir.join("ropa.toml"),
        "paths = [\"privacy/be/*.yaml\"]\npolicies = \"policies\"\n",
    )
    .expect("write");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "a register elsewhere"]);
    edit(
        &dir,
        "privacy/be/subverwerkers.yaml",
        TO_THE_US.0,
        TO_THE_US.1,
    );
    git(&dir, &["add", "-A"]);
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("privacy/be/diensten.yaml"),
        "{}",
        text(&out)
    );
}

#[test]
fn in_ci_a_committed_tree_is_said_to_have_no_change_unless_a_range_is_given() {
    let dir = repository("hook-ci");
    git(&dir, &["checkout", "-q", "-b", "harm"]);
    edit(
        &dir,
        "register/subverwerkers.yaml",
        TO_THE_US.0,
        TO_THE_US.1,
    );
    git(&dir, &["commit", "-q", "-am", "to the US"]);
    // Nothing staged, in CI: not a pass.
    let out = hook(&dir, &[("CI", "true")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("nothing is staged: in CI on a committed tree"),
        "{}",
        text(&out)
    );
    // pre-commit run --from-ref main --to-ref HEAD: the change since main.
    let out = hook(
        &dir,
        &[
            ("CI", "true"),
            ("PRE_COMMIT_FROM_REF", "main"),
            ("PRE_COMMIT_TO_REF", "HEAD"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("against "), "{}", text(&out));
    assert!(
        text(&out).contains("third-country-transfer-safeguard (new)"),
        "{}",
        text(&out)
    );
    // On a laptop a clean tree passes.
    let out = hook(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Runs the pre-commit framework in `dir`; its output and exit code.
fn pre_commit(dir: &Path, args: &[&str], home: &Path) -> (String, i32) {
    let out = Command::new("pre-commit")
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("pre-commit must be installed (scripts/test-setup.sh installs it)");
    (text(&out), out.status.code().unwrap_or(-1))
}

#[test]
fn the_pre_commit_framework_runs_the_hook_as_declared() {
    // The hook as `.pre-commit-hooks.yaml` declares it, with this build as its entry.
    let declared = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("read");
    let ropa_hook = declared
        .split("\n- id: ")
        .find(|h| h.starts_with("ropa\n"))
        .expect("the ropa hook");
    assert!(ropa_hook.contains("always_run: true"), "{ropa_hook}");
    assert!(ropa_hook.contains("pass_filenames: false"), "{ropa_hook}");
    let dir = repository("hook-framework");
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: ropa\n        name: ropa\n        entry: {} pre-commit\n        language: system\n        always_run: true\n        pass_filenames: false\n        require_serial: true\n",
            env!("CARGO_BIN_EXE_ropa")
        ),
    )
    .expect("write");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "the hook"]);
    let home = temp("hook-framework-home");
    // A clean tree, every file: passes.
    let (output, code) = pre_commit(&dir, &["run", "--all-files"], &home);
    assert_eq!(code, 0, "{output}");
    // Staged but not saved: pre-commit sets the saved text aside, and the index is judged.
    edit(
        &dir,
        "register/subverwerkers.yaml",
        TO_THE_US.0,
        TO_THE_US.1,
    );
    git(&dir, &["add", "register/subverwerkers.yaml"]);
    saved_as_in_head(&dir, "register/subverwerkers.yaml");
    let (output, code) = pre_commit(&dir, &["run"], &home);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("third-country-transfer-safeguard (new)"),
        "{output}"
    );
    // The saved text is back where it was.
    let saved = std::fs::read_to_string(dir.join("register/subverwerkers.yaml")).expect("read");
    assert!(!saved.contains("country: US"), "{saved}");
}
