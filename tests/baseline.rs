//! The change-aware gate in real, temporary git repositories: `--base REV` reads the register
//! at a revision from git's objects, and each finding is new or existing against it.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::root;

use std::path::PathBuf;
use std::process::Command;

/// A git repository holding a copy of the shipped register, committed once.
struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("ropa-base-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("register")).expect("temp dir");
        for entry in std::fs::read_dir(root().join("register")).expect("register") {
            let path = entry.expect("entry").path();
            std::fs::copy(
                &path,
                dir.join("register").join(path.file_name().expect("name")),
            )
            .expect("copy");
        }
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("the shipped register");
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(file)).expect("read");
        assert!(text.contains(from), "{file} has {from:?}");
        std::fs::write(self.path(file), text.replacen(from, to, 1)).expect("write");
    }

    /// `ropa check` in the repository with the shipped policies; (JSON report, stderr, exit).
    fn check(&self, args: &[&str]) -> (serde_json::Value, String, i32) {
        let policies = root().join("policies");
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .arg("check")
            .args([
                "--policies",
                &policies.to_string_lossy(),
                "--format",
                "json",
            ])
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("ropa runs");
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count(report: &serde_json::Value, key: &str) -> u64 {
    report["summary"][key].as_u64().unwrap_or(u64::MAX)
}

/// (rule, activity, target) of the findings marked `change`.
fn marked(report: &serde_json::Value, change: &str) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["change"] == change)
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("activity"), s("target"))
        })
        .collect()
}

#[test]
fn renaming_an_activity_gives_no_new_finding_and_passes_the_gate() {
    let repo = Repo::new("rename");
    repo.edit(
        "register/diensten.yaml",
        "name: Algemeen",
        "name: Algemeen (CRM en ERP)",
    );
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&report, "new"), 0);
    assert_eq!(count(&report, "existing"), 76);
    assert_eq!(count(&report, "resolved"), 0);
    assert_eq!(report["base"]["name"], "HEAD");
    assert_eq!(report["base"]["loaded"], true);
    // Without --fail-on-new the backlog still fails the gate.
    let (_, _, code) = repo.check(&["--base", "HEAD"]);
    assert_eq!(code, 1);
}

#[test]
fn splitting_a_file_in_two_changes_nothing() {
    let repo = Repo::new("split");
    let text = std::fs::read_to_string(repo.path("register/diensten.yaml")).expect("read");
    // Every activity from `- id: voip-telefonie-vaste-lijnen` on moves to a second file.
    let at = text
        .find("  - id: voip-telefonie-vaste-lijnen")
        .expect("the shipped register has this activity");
    let (first, second) = text.split_at(at);
    std::fs::write(repo.path("register/diensten.yaml"), first).expect("write");
    std::fs::write(
        repo.path("register/diensten-2.yaml"),
        format!("activities:\n{second}"),
    )
    .expect("write");
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&report, "files"), 4, "the split is read");
    assert_eq!(count(&report, "new"), 0);
    assert_eq!(count(&report, "resolved"), 0);
}

#[test]
fn removing_a_retention_period_makes_one_new_finding_and_adding_one_resolves_one() {
    let repo = Repo::new("retention");
    repo.edit(
        "register/diensten.yaml",
        "  - id: algemeen\n",
        "  - id: algemeen\n    retention: { period: P7Y, ref: AWR art. 52 }\n",
    );
    repo.commit("Algemeen keeps its data seven years");
    // Adding a period to another activity resolves its finding...
    repo.edit(
        "register/diensten.yaml",
        "  - id: cloud-computing\n",
        "  - id: cloud-computing\n    retention: { criterion: tot het einde van de overeenkomst }\n",
    );
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&report, "new"), 0);
    assert_eq!(count(&report, "resolved"), 1);
    assert_eq!(report["resolved"][0]["rule"], "retention-required");
    assert_eq!(report["resolved"][0]["activity"], "cloud-computing");
    repo.commit("cloud computing keeps data until the contract ends");
    // ...and removing Algemeen's makes one new finding, which fails the gate.
    repo.edit(
        "register/diensten.yaml",
        "    retention: { period: P7Y, ref: AWR art. 52 }\n",
        "",
    );
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        marked(&report, "new"),
        [(
            "retention-required".to_string(),
            "algemeen".to_string(),
            String::new()
        )]
    );
    assert_eq!(count(&report, "resolved"), 0);
}

#[test]
fn an_unknown_revision_and_a_revision_that_looks_like_an_option_stop_with_exit_2() {
    let repo = Repo::new("unknown");
    // A revision is never read as an option, of ropa or of git.
    for rev in ["no-such-branch", "--output=written-by-git", "-h"] {
        let (_, stderr, code) = repo.check(&["--base", rev]);
        assert_eq!(code, 2, "{rev}: {stderr}");
        assert!(
            stderr.contains(&format!("no commit `{rev}`")),
            "{rev}: {stderr}"
        );
        assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    }
    // Nor is it git's option: nothing was written where `--output=` pointed.
    assert!(!repo.path("written-by-git").exists());
    let (_, stderr, code) = repo.check(&["--base=--output=written-by-git"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!repo.path("written-by-git").exists());
}

#[test]
fn a_shallow_clone_without_the_base_says_so() {
    let repo = Repo::new("origin");
    repo.edit(
        "register/diensten.yaml",
        "name: Algemeen",
        "name: Algemeen 2",
    );
    repo.commit("second");
    let clone = std::env::temp_dir().join(format!("ropa-base-shallow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&clone);
    let url = format!("file://{}", repo.dir.display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&clone)
        .output()
        .expect("git clone runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shallow = Repo { dir: clone };
    let (_, stderr, code) = shallow.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("it is shallow"), "{stderr}");
    assert!(stderr.contains("git fetch --deepen"), "{stderr}");
}

#[test]
fn outside_a_repository_and_with_a_folder_as_base() {
    let repo = Repo::new("folder");
    std::fs::remove_dir_all(repo.path(".git")).expect("remove .git");
    let (_, stderr, code) = repo.check(&["--base", "HEAD"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
    assert!(stderr.contains("--base-dir"), "{stderr}");
    // The same register in a folder: everything existing.
    let (report, stderr, code) =
        repo.check(&["--base-dir", &root().to_string_lossy(), "--fail-on-new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&report, "new"), 0);
    assert_eq!(count(&report, "existing"), 76);
}

#[test]
fn a_base_that_does_not_load_is_reported_and_the_check_still_runs() {
    let repo = Repo::new("broken-base");
    repo.edit("register/diensten.yaml", "activities:", "activitiez:");
    repo.commit("a broken register");
    repo.edit("register/diensten.yaml", "activitiez:", "activities:");
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 1, "every finding counts as new: {stderr}");
    assert_eq!(report["base"]["loaded"], false);
    assert!(
        report["base"]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("unknown key `activitiez`")),
        "{}",
        report["base"]
    );
    // The 76 findings, all new, and the rules about the change run as if everything were
    // added (fail closed): each engaged sub-processor is one nobody was told of.
    let new = marked(&report, "new");
    let change_rule = new
        .iter()
        .filter(|(rule, _, _)| rule == "subprocessor-change-notified")
        .count();
    assert!(change_rule > 0, "{new:?}");
    assert_eq!(count(&report, "new"), 76 + change_rule as u64);
}

#[test]
fn fail_on_new_without_a_base_is_refused() {
    let repo = Repo::new("no-base");
    let (_, stderr, code) = repo.check(&["--fail-on-new"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--fail-on-new needs a base"), "{stderr}");
}

#[test]
fn the_human_report_marks_new_findings_and_says_what_the_change_did() {
    let repo = Repo::new("human");
    repo.edit(
        "register/diensten.yaml",
        "  - id: cloud-computing\n",
        "  - id: cloud-computing\n    retention: { criterion: tot het einde van de overeenkomst }\n",
    );
    repo.commit("cloud computing keeps data until the contract ends");
    repo.edit(
        "register/diensten.yaml",
        "    retention: { criterion: tot het einde van de overeenkomst }\n",
        "",
    );
    repo.edit(
        "register/organisatie.yaml",
        "organisation:",
        "organisation:\n  public_authority: \"no\"",
    );
    let policies = root().join("policies");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args([
            "check",
            "--policies",
            &policies.to_string_lossy(),
            "--base",
            "HEAD",
        ])
        .current_dir(&repo.dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("retention-required (new)").count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains("ropa: against HEAD: 1 new, 75 existing, 0 resolved"),
        "{stdout}"
    );
}

/// `ropa pre-commit FILES` in the repository with the shipped policies, everything staged
/// first; (stdout, exit).
fn pre_commit(repo: &Repo, files: &[&str]) -> (String, i32) {
    repo.git(&["add", "-A"]);
    let policies = root().join("policies");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["pre-commit", "--policies", &policies.to_string_lossy()])
        .args(files)
        .current_dir(&repo.dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_hook_blocks_a_staged_change_by_the_findings_it_brings_wherever_they_point() {
    let repo = Repo::new("hook");
    // A typo fix passes, with the backlog counted, not shown.
    repo.edit(
        "register/diensten.yaml",
        "name: Algemeen",
        "name: Algemeen (CRM)",
    );
    let (stdout, code) = pre_commit(&repo, &["register/diensten.yaml"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("against HEAD: 0 new, 76 existing, 0 resolved"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("retention-required"),
        "the backlog is not listed: {stdout}"
    );
    repo.commit("typo");
    // Moving a sub-processor to the US without a transfer tool, in subverwerkers.yaml, brings
    // a finding at the engagement in diensten.yaml, which the commit does not touch.
    repo.edit(
        "register/subverwerkers.yaml",
        "    kind: category\n",
        "    kind: category\n    country: US\n",
    );
    let (stdout, code) = pre_commit(&repo, &["register/subverwerkers.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("third-country-transfer-safeguard (new)"),
        "{stdout}"
    );
    assert!(stdout.contains("register/diensten.yaml"), "{stdout}");
    // --all restores the check of the changed files alone, where this finding is not.
    let policies = root().join("policies");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args([
            "pre-commit",
            "--all",
            "--policies",
            &policies.to_string_lossy(),
        ])
        .arg("register/subverwerkers.yaml")
        .current_dir(&repo.dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("ropa runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("third-country-transfer-safeguard"),
        "{stdout}"
    );
}

#[test]
fn a_first_commit_is_judged_whole() {
    let repo = Repo::new("first");
    // A repository whose first commit is being made: no HEAD.
    std::fs::remove_dir_all(repo.path(".git")).expect("remove .git");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["add", "-A"]);
    let (stdout, code) = pre_commit(&repo, &["register/diensten.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("retention-required"), "{stdout}");
    assert!(!stdout.contains("against HEAD"), "{stdout}");
}

#[test]
fn engaging_a_sub_processor_without_notice_is_the_change_rule_at_the_reference() {
    let repo = Repo::new("engage");
    let text = std::fs::read_to_string(repo.path("register/subverwerkers.yaml")).expect("read");
    std::fs::write(
        repo.path("register/subverwerkers.yaml"),
        format!(
            "{text}  - id: hoster-nl\n    name: Hoster B.V.\n    kind: named\n    country: NL\n    \
             dpa_ref: SUB-2026-07\n    authorisation: general\n"
        ),
    )
    .expect("write");
    repo.commit("a sub-processor is identified");
    // Engaged for a processing the organisation does as processor (mobiele telefonie
    // inventaris; under its own controller activity `algemeen` the entry would be its own
    // processor, which no controller need be told of).
    let text = std::fs::read_to_string(repo.path("register/diensten.yaml")).expect("read");
    let at = text
        .find("  - id: mobiele-telefonie-inventaris")
        .expect("the activity");
    let reference = at
        + text[at..]
            .find("    subprocessors: []   # Geen\n")
            .expect("its list");
    std::fs::write(
        repo.path("register/diensten.yaml"),
        format!(
            "{}    subprocessors: [hoster-nl]\n{}",
            &text[..reference],
            &text[reference + "    subprocessors: []   # Geen\n".len()..]
        ),
    )
    .expect("write");
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 1, "{stderr}");
    // The change rule, and the rule the reference also triggers (a general authorisation
    // not notified), both new and nothing else.
    let engaged = |rule: &str| {
        (
            rule.to_string(),
            "mobiele-telefonie-inventaris".to_string(),
            "hoster-nl".to_string(),
        )
    };
    assert_eq!(
        marked(&report, "new"),
        [
            engaged("subprocessor-authorised"),
            engaged("subprocessor-change-notified")
        ]
    );
    let finding = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "subprocessor-change-notified")
        .expect("the finding");
    let line = std::fs::read_to_string(repo.path("register/diensten.yaml"))
        .expect("read")
        .lines()
        .position(|l| l.contains("subprocessors: [hoster-nl]"))
        .expect("the reference")
        + 1;
    assert_eq!(finding["file"], "register/diensten.yaml");
    assert_eq!(finding["line"], line as u64);
    // Once the controllers were told, it is quiet.
    repo.edit(
        "register/subverwerkers.yaml",
        "    authorisation: general\n",
        "    authorisation: general\n    notified_on: 2026-01-05\n",
    );
    let (report, stderr, code) = repo.check(&["--base", "HEAD", "--fail-on-new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&report, "new"), 0);
}
