//! Pull-request content that tries to leave the repository, print what is outside it, or
//! make ropa hang or abort (the third security review): each case rebuilt in a temporary
//! folder that holds the shipped register, pack and `ropa.toml`.
#![cfg(unix)]
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, root, temp};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A copy of the shipped repository (register, pack, configuration), with `.git` so that it
/// is a repository's top.
fn repository(name: &str) -> PathBuf {
    let dir = temp(name).join("repo");
    copy_dir(&root().join("register"), &dir.join("register"));
    copy_dir(&root().join("policies"), &dir.join("policies"));
    std::fs::copy(root().join("ropa.toml"), dir.join("ropa.toml")).expect("config");
    std::fs::create_dir_all(dir.join(".git")).expect(".git");
    dir
}

/// Runs ropa in `dir` with `args` and the environment a CI job has, within a deadline.
fn ropa(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .env("ROPA_CACHE", "off")
        .env("MY_SECRET", "s3cr3t-value-123")
        .output()
        .expect("ropa runs");
    (out, started.elapsed())
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn append(path: &Path, more: &str) {
    let mut text = std::fs::read_to_string(path).expect("read");
    text.push_str(more);
    std::fs::write(path, text).expect("write");
}

#[test]
fn reports_from_ropa_toml_are_never_written_outside_the_repository() {
    let dir = repository("reports");
    let outside = dir
        .parent()
        .expect("parent")
        .join("site-packages/zz-ropa.pth");
    append(
        &dir.join("ropa.toml"),
        &format!(
            "reports = [\"human={}\", \"json=../outside-the-repo.json\"]\n",
            outside.display()
        ),
    );
    let (out, _) = ropa(&dir, &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("outside-tree"), "{said}");
    assert!(!outside.exists());
    assert!(!dir
        .parent()
        .expect("parent")
        .join("outside-the-repo.json")
        .exists());
    // A folder inside the repository that is a link out of it is refused too.
    std::os::unix::fs::symlink(dir.parent().expect("parent"), dir.join("out")).expect("link");
    std::fs::copy(root().join("ropa.toml"), dir.join("ropa.toml")).expect("config");
    append(&dir.join("ropa.toml"), "reports = [\"json=out/x.json\"]\n");
    let (out, _) = ropa(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!dir.parent().expect("parent").join("x.json").exists());
    // The command line may name any file: it is not the pull request's.
    let chosen = dir.parent().expect("parent").join("chosen.json");
    let flag = format!("json={}", chosen.display());
    std::fs::copy(root().join("ropa.toml"), dir.join("ropa.toml")).expect("config");
    let (out, _) = ropa(&dir, &["check", "--report", &flag]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(chosen.exists());
}

#[test]
fn no_file_outside_the_repository_is_read_or_printed() {
    let dir = repository("read");
    append(&dir.join("ropa.toml"), "");
    let config = std::fs::read_to_string(dir.join("ropa.toml")).expect("config");
    std::fs::write(
        dir.join("ropa.toml"),
        config.replace(
            "paths = [\"register\"]",
            "paths = [\"register\", \"/proc/self/environ\"]",
        ),
    )
    .expect("write");
    let (out, _) = ropa(&dir, &["check", "--report", "sarif=ropa.sarif"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(!said.contains("s3cr3t"), "{said}");
    assert!(said.contains("outside-tree"), "{said}");

    std::fs::write(dir.join("ropa.toml"), &config).expect("write");
    // A link to a file, to the file system's root (refused, not walked), and out of the
    // policy folder: each is one problem naming the link, and nothing of the target shows.
    for (link, target) in [
        ("register/leak.yaml", "/etc/passwd"),
        ("register/sub", "/"),
        ("policies/rules/etc", "/etc"),
    ] {
        std::os::unix::fs::symlink(target, dir.join(link)).expect("link");
        let (out, took) = ropa(&dir, &["check"]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(!said.contains("root:"), "{said}");
        assert!(
            said.contains(&format!("{link} leads outside the repository")),
            "{said}"
        );
        assert!(said.lines().count() < 40, "one problem, not a walk: {said}");
        assert!(took < Duration::from_secs(10));
        std::fs::remove_file(dir.join(link)).expect("rm");
    }
}

#[test]
fn the_markdown_summary_and_junit_carry_hostile_values_as_text() {
    let dir = repository("markdown");
    let hostile = "Evil <img src=https://attacker.example/p.png> @octocat @org/privacy-team [click](https://attacker.example) **bold** <details open> bad\u{fffe}\u{ffff} end";
    let activity = format!(
        "activities:\n  - id: export\n    name: Export\n    role: controller\n    data_subjects: [customer_contact]\n    data:\n      - {{ category: name, label: Naam }}\n    purposes:\n      - {{ id: export, text: Export }}\n    legal_basis: [contract]\n    transfers:\n      - {{ to: \"{}\", country: US }}\n",
        hostile.replace('\u{fffe}', "\\uFFFE").replace('\u{ffff}', "\\uFFFF")
    );
    std::fs::write(dir.join("register/export.yaml"), activity).expect("write");
    let (out, _) = ropa(
        &dir,
        &[
            "check",
            "--report",
            "markdown=summary.md",
            "--report",
            "junit=junit.xml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let markdown = std::fs::read_to_string(dir.join("summary.md")).expect("markdown");
    // Markup is escaped, mentions broken: nothing renders as an image, a link, bold text,
    // an open <details> or a notification.
    for raw in ["@octocat", "@org/"] {
        assert!(!markdown.contains(raw), "{raw} in {markdown}");
    }
    for escaped in [
        "\\<img src=https://attacker.example/p.png\\>",
        "@&#8203;octocat",
        "\\[click\\]",
        "\\*\\*bold\\*\\*",
        "\\<details open\\>",
    ] {
        assert!(markdown.contains(escaped), "{escaped} not in {markdown}");
    }
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit");
    roxmltree::Document::parse(&junit).expect("well-formed XML");
}

#[test]
fn annex_check_neither_hangs_nor_reads_without_end() {
    let dir = repository("annex");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.md")).expect("link");
    let fifo = Command::new("mkfifo").arg(dir.join("fifo.md")).status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    for file in ["zero.md", "fifo.md"] {
        let (out, took) = ropa(&dir, &["annex", "--check", file]);
        assert_eq!(out.status.code(), Some(2), "{file}: {}", text(&out));
        assert!(took < Duration::from_secs(10), "{file}: {took:?}");
    }
}

#[test]
fn fmt_has_the_loaders_limits() {
    let dir = repository("fmt");
    // A rule whose condition chains `terms` trues with `&&`.
    let long_rule = |terms: usize| {
        let chain = vec!["true"; terms].join(" && ");
        std::fs::write(
            dir.join("policies/rules/long.cedar"),
            format!("@id(\"long\")\nforbid (principal, action, resource) when {{ {chain} }};\n"),
        )
        .expect("write");
    };
    long_rule(45_000);
    let (out, _) = ropa(&dir, &["fmt", "--check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("file-too-large"), "{said}");
    // Under the size cap, a chain past the operator limit is refused, not formatted.
    long_rule(2_000);
    let (out, _) = ropa(&dir, &["fmt", "--check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("chains more than 1000 operators"), "{said}");
    std::fs::remove_file(dir.join("policies/rules/long.cedar")).expect("rm");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("policies/rules/x.cedar"))
        .status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    let (out, took) = ropa(&dir, &["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(took < Duration::from_secs(10));
}

#[cfg(feature = "prove")]
#[test]
fn the_proofs_stop_at_their_deadline() {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["rules", "--prove"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("ROPA_PROVE_DEADLINE", "0")
        .output()
        .expect("ropa runs");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("the proofs did not finish within 0 s"),
        "{said}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_template_that_prints_without_end_is_stopped_at_the_limit() {
    let dir = repository("template");
    std::fs::write(
        dir.join("loop.j2"),
        "{% set s = \"y\" * 1000000 %}{% for i in range(100000) %}{{ s }}{% endfor %}",
    )
    .expect("write");
    let (out, _) = ropa(&dir, &["annex", "--template", "loop.j2"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("the annex grows past 67108864 bytes"),
        "{said}"
    );
}

#[test]
fn a_template_that_doubles_a_string_is_stopped_by_its_memory_cap() {
    let dir = repository("doubling");
    let doubling = format!(
        "{{% set s = \"y\" * 1000000 %}}{}{{{{ s|length }}}}",
        "{% set s = s ~ s %}".repeat(40)
    );
    std::fs::write(dir.join("doubling.j2"), doubling).expect("write");
    let (out, took) = ropa(&dir, &["annex", "--template", "doubling.j2"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("it needed more than 1024 MiB of memory"),
        "{said}"
    );
    assert!(took < Duration::from_secs(30));
}

#[test]
fn init_writes_nothing_through_a_folder_that_leads_elsewhere() {
    let scratch = temp("init");
    let dir = scratch.join("new");
    let outside = scratch.join("outside");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::create_dir_all(&outside).expect("outside");
    std::os::unix::fs::symlink(&outside, dir.join("register")).expect("link");
    let (out, _) = ropa(&scratch, &["init", "new"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("leads outside new"), "{said}");
    assert_eq!(std::fs::read_dir(&outside).expect("outside").count(), 0);
}

#[cfg(feature = "prove")]
#[test]
fn a_pack_too_large_to_prove_is_refused_before_the_solver_starts() {
    let dir = repository("prove-size");
    let rule =
        std::fs::read_to_string(dir.join("policies/rules/retention-required.cedar")).expect("rule");
    // Copies of one rule under other ids, three files under the loader's 256 KB each.
    for file in 0..3 {
        let mut text = String::new();
        let mut copy = 0;
        while text.len() < 200 * 1024 {
            text.push_str(&rule.replace(
                "@id(\"retention-required\")",
                &format!("@id(\"retention-copy-{file}-{copy}\")"),
            ));
            text.push('\n');
            copy += 1;
        }
        std::fs::write(
            dir.join(format!("policies/rules/copies-{file}.cedar")),
            text,
        )
        .expect("write");
    }
    let (out, took) = ropa(&dir, &["rules", "--prove"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("ropa proves packs up to 524288"), "{said}");
    assert!(took < Duration::from_secs(60));
}
