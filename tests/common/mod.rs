//! What the integration tests share: the repository root, a fresh temporary folder, a copied
//! tree, git with a fixed identity, and a git repository holding the shipped register.

#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test crate uses some of these; a failed expectation is a failed test"
)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An empty temporary folder for this test crate and `name`.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ropa-{}-{name}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Copies the tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Runs git in `dir` with a fixed identity and no signing; it must succeed. Its output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A git repository in a fresh temporary folder holding the shipped register, policies and
/// `ropa.toml`, committed once on `main`.
pub fn shipped_repository(name: &str) -> PathBuf {
    let dir = temp(name);
    copy_dir(&root().join("register"), &dir.join("register"));
    copy_dir(&root().join("policies"), &dir.join("policies"));
    std::fs::copy(root().join("ropa.toml"), dir.join("ropa.toml")).expect("config");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(
        &dir,
        &["commit", "-q", "-m", "the shipped register and pack"],
    );
    dir
}
