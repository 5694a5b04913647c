//! A change-aware check where git cannot help says why: git not installed (the image of a CI
//! job without it) is "git not found" with how to install it, not "not a git repository".
#![allow(
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::process::Command;

#[test]
fn without_git_the_base_says_git_is_not_found_and_how_to_install_it() {
    let dir = temp("no-git");
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["--no-config", "check", "--base", "HEAD"])
        .arg(root().join("register"))
        .arg("--policies")
        .arg(root().join("policies"))
        .current_dir(&dir)
        .env("PATH", dir.join("no-such-folder"))
        .env("NO_COLOR", "1")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("ropa runs");
    assert_eq!(out.status.code(), Some(2));
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(told.contains("git not found"), "{told}");
    assert!(told.contains("apt-get install -y git"), "{told}");
}
