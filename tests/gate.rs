//! `gate-weakened`: in a real git repository holding the shipped register, policies and
//! `ropa.toml`, each commit that weakens the gate itself is a finding of its own against the
//! commit before (a rule made impossible does not even load), and a change to the register
//! alone is not.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, root};

use std::path::PathBuf;
use std::process::Command;

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("ropa-gate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&root().join("register"), &dir.join("register"));
        copy_dir(&root().join("policies"), &dir.join("policies"));
        std::fs::copy(root().join("ropa.toml"), dir.join("ropa.toml")).expect("config");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("the shipped register and pack");
        repo
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} has {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }

    /// The `gate-weakened` findings' messages against the commit before, and the exit code.
    fn weakened(&self) -> (Vec<String>, i32) {
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args([
                "check",
                "--base",
                "HEAD~1",
                "--fail-on-new",
                "--format",
                "json",
            ])
            .current_dir(&self.dir)
            .env_remove("CI")
            .output()
            .expect("ropa runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let findings = report["findings"].as_array().expect("findings");
        // Shown first: no other finding comes before the last of them.
        let first_other = findings
            .iter()
            .position(|f| f["rule"] != "gate-weakened")
            .unwrap_or(findings.len());
        let messages: Vec<String> = findings
            .iter()
            .filter(|f| f["rule"] == "gate-weakened")
            .map(|f| {
                assert_eq!(f["change"], "new");
                assert_eq!(f["severity"], "error");
                f["message"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(first_other, messages.len(), "gate findings come first");
        (messages, out.status.code().unwrap_or(-1))
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn deleting_a_rule_file_weakens_the_gate() {
    let repo = Repo::new("delete");
    std::fs::remove_file(repo.dir.join("policies/rules/retention-required.cedar")).expect("rm");
    repo.commit("drop a rule");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`retention-required` is removed"));
}

#[test]
fn lowering_a_severity_weakens_the_gate() {
    let repo = Repo::new("severity");
    repo.edit(
        "policies/rules/dpia-required.cedar",
        "@severity(\"error\")",
        "@severity(\"warning\")",
    );
    repo.commit("lower a severity");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`dpia-required` is lowered from error to warning"));
}

#[test]
fn a_rule_made_impossible_stops_the_run() {
    let repo = Repo::new("impossible");
    repo.edit(
        "policies/rules/dpia-required.cedar",
        "resource.role != \"processor\" &&",
        "false && resource.role != \"processor\" &&",
    );
    repo.commit("make a rule impossible");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--base", "HEAD~1", "--fail-on-new"])
        .current_dir(&repo.dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("impossible-policy"), "{stderr}");
}

#[test]
fn adding_and_extending_a_waiver_weaken_the_gate() {
    let repo = Repo::new("waiver");
    let waivers = "\nwaivers:\n  - { rule: retention-required, activity: algemeen, reason: r, approved_by: DPO, expires: 2999-01-01 }\n";
    let file = repo.dir.join("register/organisatie.yaml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str(waivers);
    std::fs::write(&file, &text).expect("write");
    repo.commit("add a waiver");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("a waiver of `retention-required` on activity `algemeen` is added")
    );
    repo.edit("register/organisatie.yaml", "2999-01-01", "3000-01-01");
    repo.commit("extend it");
    let (messages, _) = repo.weakened();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("extended from 2999-01-01 to 3000-01-01"));
    // Shortening it tightens the gate: nothing to say.
    repo.edit("register/organisatie.yaml", "3000-01-01", "2998-01-01");
    repo.commit("shorten it");
    assert_eq!(repo.weakened().0, Vec::<String>::new());
}

#[test]
fn loosening_ropa_toml_weakens_the_gate_and_cannot_lower_its_own_threshold() {
    let repo = Repo::new("config");
    std::fs::write(repo.dir.join("register/extra.yaml"), "activities: []\n").expect("write");
    repo.commit("a file of its own");
    repo.edit("ropa.toml", "fail-on = \"error\"", "fail-on = \"never\"");
    // The same files as a glob are not a narrowing; leaving one out is.
    repo.edit(
        "ropa.toml",
        "paths = [\"register\"]",
        "paths = [\"register/[dos]*.yaml\"]",
    );
    repo.commit("loosen the gate");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1, "fail-on = never in the change does not pass it");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.contains("`fail-on` is raised from error to never")));
    assert!(messages
        .iter()
        .any(|m| m.contains("no longer includes `register/extra.yaml`")));
}

#[test]
fn moving_rules_between_files_is_not_a_weakening_but_lowering_one_still_is() {
    let repo = Repo::new("moved");
    let rules = repo.dir.join("policies/rules");
    // One file renamed (same text), two joined into one (new text), one lowered.
    std::fs::rename(
        rules.join("retention-required.cedar"),
        rules.join("retention.cedar"),
    )
    .expect("rename");
    let joined: Vec<String> = ["data-required.cedar", "purpose-required.cedar"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(rules.join(name)).expect("rule");
            std::fs::remove_file(rules.join(name)).expect("rm");
            text
        })
        .collect();
    std::fs::write(rules.join("basics.cedar"), joined.join("\n")).expect("write");
    repo.edit(
        "policies/rules/dpia-required.cedar",
        "@severity(\"error\")",
        "@severity(\"warning\")",
    );
    repo.commit("reorganise the rules");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`dpia-required` is lowered from error to warning"));
}

#[test]
fn a_change_to_the_register_alone_leaves_the_gate_as_it_was() {
    let repo = Repo::new("register");
    repo.edit(
        "register/diensten.yaml",
        "cloud computing diensten",
        "cloudcomputingdiensten",
    );
    repo.commit("a typo");
    let (messages, code) = repo.weakened();
    assert_eq!((messages, code), (Vec::new(), 0));
    // Tightening a rule (warning to error) is not a weakening either.
    repo.edit(
        "policies/rules/controller-duties-unrecorded.cedar",
        "@severity(\"warning\")",
        "@severity(\"error\")",
    );
    repo.commit("tighten");
    assert_eq!(repo.weakened().0, Vec::<String>::new());
}
