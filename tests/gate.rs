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
        messages[0].contains(
            "a waiver of `retention-required` on activity `algemeen` until 2999-01-01 is added"
        ),
        "{messages:?}"
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
fn adding_a_reasoned_position_weakens_the_gate() {
    let repo = Repo::new("position");
    let positions = "\npositions:\n  - { rule: contract-basis-subject-not-party, activity: algemeen, reasoning: r, approved_by: DPO, decided_on: 2026-01-05, reviewed_on: 2026-06-01 }\n";
    let file = repo.dir.join("register/organisatie.yaml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str(positions);
    std::fs::write(&file, &text).expect("write");
    repo.commit("add a position");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains(
        "a reasoned position answering `contract-basis-subject-not-party` on activity `algemeen` is added"
    ));
    // Once on main, the same position is not a change.
    repo.edit(
        "register/organisatie.yaml",
        "reasoning: r",
        "reasoning: reviewed",
    );
    repo.commit("reword it");
    let (messages, _) = repo.weakened();
    assert_eq!(messages, Vec::<String>::new());
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

/// An activity that the shipped pack reports (`special-category-condition-required`): a
/// controller's sick-leave records with no Art. 9(2) condition.
const NEW_ERROR: &str = "activities:
  - id: verzuim
    name: Verzuimregistratie
    role: controller
    data_subjects: [employee]
    data:
      - { category: sick_leave, label: Ziekteverzuim }
    purposes:
      - { id: verzuim, text: Verzuimbegeleiding }
    legal_basis: [legal_obligation]
";

impl Repo {
    /// A pull request on a branch of its own: the new error and `change`, committed.
    fn pull_request(&self, change: impl FnOnce(&Repo)) {
        self.git(&["checkout", "-q", "-b", "pr"]);
        std::fs::write(self.dir.join("register/verzuim.yaml"), NEW_ERROR).expect("write");
        change(self);
        self.commit("the pull request");
    }

    /// `ropa check --base BASE --fail-on-new --format json` as the Action runs it: the
    /// report and the exit code.
    fn report(&self, base: &str) -> (serde_json::Value, i32) {
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args(["check", "--base", base, "--fail-on-new", "--format", "json"])
            .current_dir(&self.dir)
            .env("CI", "true")
            .env("ROPA_CACHE", "off")
            .output()
            .expect("ropa runs");
        let report = serde_json::from_slice(&out.stdout)
            .map_err(|_| String::from_utf8_lossy(&out.stderr).into_owned())
            .expect("a JSON report");
        (report, out.status.code().unwrap_or(-1))
    }

    /// Against `main`: the `gate-weakened` messages, the new findings' rules, and the exit
    /// code.
    fn gate(&self) -> (Vec<String>, Vec<String>, i32) {
        let (report, code) = self.report("main");
        (
            new_findings(&report, true, "message"),
            new_findings(&report, false, "rule"),
            code,
        )
    }

    /// Renames the category `gps_position` in the taxonomy and the register: the base's
    /// register no longer loads with the change's taxonomy.
    fn rename_category(&self) {
        for file in ["policies/taxonomy.yaml", "register/diensten.yaml"] {
            let path = self.dir.join(file);
            let text = std::fs::read_to_string(&path).expect("read");
            std::fs::write(&path, text.replace("gps_position", "gps_positie")).expect("write");
        }
    }
}

/// `field` of each new finding of the report that is (`weakened`) or is not a
/// `gate-weakened` finding.
fn new_findings(report: &serde_json::Value, weakened: bool, field: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| (f["rule"] == "gate-weakened") == weakened && f["change"] == "new")
        .map(|f| f[field].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn without_a_weakening_the_new_error_fails_the_gate() {
    let repo = Repo::new("pr-plain");
    repo.pull_request(|_| {});
    let (weakened, new, code) = repo.gate();
    assert_eq!((weakened.len(), code), (0, 1), "{weakened:?}");
    assert!(new.contains(&"special-category-condition-required".to_string()));
}

#[test]
fn a_condition_that_can_never_hold_is_caught_by_the_bases_pack() {
    let repo = Repo::new("pr-condition");
    repo.pull_request(|repo| {
        repo.edit(
            "policies/rules/special-category-condition-required.cedar",
            "principal.role != \"processor\" &&",
            "principal.role != \"processor\" && 1 > 2 &&",
        );
    });
    let (weakened, new, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(!new.contains(&"special-category-condition-required".to_string()));
    assert_eq!(weakened.len(), 1, "{weakened:?}");
    assert!(
        weakened[0].contains("rule `special-category-condition-required` no longer reports 1 finding that the rules of main report, e.g. on activity `verzuim`"),
        "{weakened:?}"
    );
}

#[test]
fn a_category_moved_out_of_special_category_is_caught() {
    let repo = Repo::new("pr-taxonomy");
    repo.pull_request(|repo| {
        repo.edit(
            "policies/taxonomy.yaml",
            "dpv: \"pd:Health\", parents: [special_category] }",
            "dpv: \"pd:Health\", parents: [personal_data] }",
        );
    });
    let (weakened, _, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(
        weakened
            .iter()
            .any(|m| m.contains("category `health` no longer falls under `special_category`")),
        "{weakened:?}"
    );
    assert!(
        weakened
            .iter()
            .any(|m| m.contains("`special-category-condition-required` no longer reports")),
        "{weakened:?}"
    );
}

#[test]
fn a_country_added_to_the_eea_is_caught() {
    let repo = Repo::new("pr-region");
    repo.pull_request(|repo| {
        let path = repo.dir.join("policies/taxonomy.yaml");
        let text = std::fs::read_to_string(&path).expect("taxonomy");
        let at = text.find("  - id: EEA").expect("the EEA region");
        let list = at + text[at..].find('[').expect("its countries") + 1;
        let text = format!("{}US, {}", &text[..list], &text[list..]);
        std::fs::write(&path, text).expect("write");
    });
    let (weakened, _, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(
        weakened
            .iter()
            .any(|m| m.contains("`US` is added to region `EEA`")),
        "{weakened:?}"
    );
}

#[test]
fn a_prohibition_made_waivable_and_a_date_moved_later_are_caught() {
    let repo = Repo::new("pr-prohibition");
    repo.pull_request(|repo| {
        repo.edit(
            "policies/rules/ai-emotion-recognition-prohibited.cedar",
            "@waivable(\"false\")\n",
            "",
        );
        repo.edit(
            "policies/rules/ai-fria-required.cedar",
            "@severity(",
            "@accepts_position\n@severity(",
        );
        repo.edit(
            "policies/taxonomy.yaml",
            "annex_iii_from: 2027-12-02",
            "annex_iii_from: 2030-01-01",
        );
    });
    let (weakened, _, code) = repo.gate();
    assert_eq!(code, 1);
    for expected in [
        "rule `ai-emotion-recognition-prohibited` may now be waived",
        "rule `ai-fria-required` now accepts a reasoned position",
        "`dates.annex_iii_from` moves later (2027-12-02 to 2030-01-01)",
    ] {
        assert!(
            weakened.iter().any(|m| m.contains(expected)),
            "{expected}: {weakened:?}"
        );
    }
}

#[test]
fn a_rule_in_a_hidden_folder_is_neither_loaded_nor_a_way_around_the_gate() {
    let repo = Repo::new("pr-hidden");
    // On main, a rule kept in a hidden folder: not part of the pack.
    let hidden = repo.dir.join("policies/.house");
    std::fs::create_dir_all(&hidden).expect("folder");
    std::fs::rename(
        repo.dir
            .join("policies/rules/special-category-condition-required.cedar"),
        hidden.join("special-category-condition-required.cedar"),
    )
    .expect("move");
    repo.commit("a rule in a hidden folder");
    repo.pull_request(|repo| {
        std::fs::remove_dir_all(repo.dir.join("policies/.house")).expect("rm");
    });
    // The pack loads no hidden file, so the rule was never part of it on either side:
    // nothing about the gate changed, and the rule judged nothing.
    let (weakened, new, _) = repo.gate();
    assert!(weakened.is_empty(), "{weakened:?}");
    assert!(!new.contains(&"special-category-condition-required".to_string()));
}

#[test]
fn a_base_that_does_not_load_counts_every_waiver_as_added() {
    let waiver = "\nwaivers:\n  - { rule: special-category-condition-required, activity: verzuim, reason: r, approved_by: DPO, expires: 2099-12-31 }\n";
    // Case A1: the register moved to another folder.
    let repo = Repo::new("pr-moved");
    repo.pull_request(|repo| {
        let file = repo.dir.join("register/verzuim.yaml");
        std::fs::write(&file, format!("{NEW_ERROR}{waiver}")).expect("write");
        std::fs::rename(repo.dir.join("register"), repo.dir.join("reg2")).expect("move");
        repo.edit("ropa.toml", "paths = [\"register\"]", "paths = [\"reg2\"]");
    });
    let (weakened, _, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(
        weakened.iter().any(|m| m.contains(
            "a waiver of `special-category-condition-required` on activity `verzuim` until"
        )),
        "{weakened:?}"
    );
    // Case A2: a taxonomy category renamed, so the base's register no longer loads.
    let repo = Repo::new("pr-renamed");
    repo.pull_request(|repo| {
        let file = repo.dir.join("register/verzuim.yaml");
        std::fs::write(&file, format!("{NEW_ERROR}{waiver}")).expect("write");
        repo.rename_category();
    });
    let (weakened, _, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(
        weakened
            .iter()
            .any(|m| m.contains("on activity `verzuim` until 2099-12-31 is added")),
        "{weakened:?}"
    );
}

#[test]
fn a_base_that_does_not_load_runs_the_change_rules_as_if_everything_were_added() {
    // B1: a sub-processor engaged on one more activity (nobody told), and a category
    // renamed so that the base's register no longer loads.
    let repo = Repo::new("pr-subprocessor");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    repo.edit(
        "register/diensten.yaml",
        "subprocessors: []   # Geen",
        "subprocessors: [aanbieders-cloud-voip-ip]",
    );
    repo.rename_category();
    repo.commit("engage a sub-processor, rename a category");
    let (_, new, code) = repo.gate();
    assert_eq!(code, 1);
    assert!(
        new.contains(&"subprocessor-change-notified".to_string()),
        "{new:?}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--base", "main", "--fail-on-new"])
        .current_dir(&repo.dir)
        .env("ROPA_CACHE", "off")
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("unknown data category") && stdout.contains("every waiver as added"),
        "the report says why and what failing closed means: {stdout}"
    );
}

#[test]
fn a_tag_that_shadows_the_base_branch_is_refused_with_the_names_to_choose_from() {
    let repo = Repo::new("pr-shadow");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.pull_request(|_| {});
    // The pull request tags itself with the base branch's short name.
    repo.git(&["tag", "origin/main"]);
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--base", "origin/main", "--fail-on-new"])
        .current_dir(&repo.dir)
        .env("ROPA_CACHE", "off")
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the base `origin/main` is ambiguous"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`refs/remotes/origin/main`") && stderr.contains("`refs/tags/origin/main`"),
        "{stderr}"
    );
    // Named in full, the base is the branch: the new error is new.
    let (report, code) = repo.report("refs/remotes/origin/main");
    let new = new_findings(&report, false, "rule");
    assert_eq!(code, 1);
    assert!(new.contains(&"special-category-condition-required".to_string()));
}

#[test]
fn a_base_file_whose_name_holds_a_newline_is_read_by_its_id() {
    let repo = Repo::new("pr-newline");
    std::fs::write(repo.dir.join("register/a\nb.yaml"), NEW_ERROR).expect("write");
    repo.commit("a file whose name holds a newline");
    // The pull request gives it a plain name: the base still loads, and nothing is new.
    repo.git(&["checkout", "-q", "-b", "pr"]);
    std::fs::rename(
        repo.dir.join("register/a\nb.yaml"),
        repo.dir.join("register/ab.yaml"),
    )
    .expect("rename");
    repo.commit("rename it");
    let (report, code) = repo.report("main");
    assert_eq!(report["base"]["loaded"], true, "{}", report["base"]);
    assert_eq!(report["summary"]["new"], 0, "{}", report["summary"]);
    assert_eq!(code, 0);
}

#[test]
fn loosening_the_accountability_settings_weakens_the_gate() {
    let repo = Repo::new("accountability");
    let config = repo.dir.join("ropa.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        // Top-level keys, before the `[ci]` table.
        format!("require-review = true\nwaiver-max-term = \"P6M\"\napprovers = [\"FG\"]\n{text}"),
    )
    .expect("write");
    repo.commit("strict accountability");
    std::fs::write(&config, format!("waiver-max-term = \"P1Y\"\n{text}")).expect("write");
    repo.commit("loosen it");
    let (messages, code) = repo.weakened();
    assert_eq!(code, 1);
    for expected in [
        "`require-review` is switched off",
        "`waiver-max-term` is raised from 180 to 365 days",
        "`approvers` is emptied",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {messages:?}"
        );
    }
}
