//! CLI cases as files. Each folder under `tests/cases/` holds `args` (one argument per line,
//! run from the repository root) and the expected `stdout`, `stderr` and `status`, next to
//! any input files the arguments name. `BLESS=1 cargo test --test cli` rewrites the
//! expectations from the current output; review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

fn run_case(root: &Path, case: &Path, bless: bool) -> Vec<String> {
    let args: Vec<String> = read(&case.join("args"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    assert!(!args.is_empty(), "{} has no args", case.display());
    let output = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(&args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        // Packs seen before are recorded here, not in the user's cache: the cases run both
        // ways (the first to load a pack records it, the rest find it recorded).
        .env(
            "ROPA_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        )
        .env_remove("ROPA_CACHE")
        // A case judges as outside CI: `[ci]` tables in configuration files stay off.
        .env_remove("CI")
        // A document does not name the commit its register was last changed in: the
        // expected output would depend on the repository's history.
        .env("ROPA_VERSION_STAMP", "off")
        .output();
    let Ok(output) = output else {
        return vec![format!("{}: could not run ropa", case.display())];
    };
    let got = [
        (
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
        (
            "status",
            format!("{}\n", output.status.code().unwrap_or(-1)),
        ),
    ];
    let mut failures = Vec::new();
    for (name, actual) in got {
        let path = case.join(name);
        if bless {
            if fs::write(&path, &actual).is_err() {
                failures.push(format!("cannot write {}", path.display()));
            }
            continue;
        }
        let expected = read(&path);
        if expected != actual {
            let first_diff = expected
                .lines()
                .zip(actual.lines())
                .position(|(e, a)| e != a)
                .unwrap_or(expected.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{}/{name} differs from line {}:\n--- expected\n{}\n--- actual\n{}",
                case.display(),
                first_diff + 1,
                expected
                    .lines()
                    .skip(first_diff)
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n"),
                actual
                    .lines()
                    .skip(first_diff)
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
    }
    failures
}

#[test]
fn cli_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("BLESS").is_some();
    let mut cases: Vec<PathBuf> = fs::read_dir(root.join("tests/cases"))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected the CLI cases, found {}",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|c| run_case(&root, c, bless))
        .collect();
    assert!(
        failures.is_empty(),
        "{} mismatches:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
