//! Against a base, the base judges only the activities the change touched when the rest is
//! byte for byte the same: on a generated register with each kind of change, the findings,
//! their marks and the resolved findings are exactly those of judging the whole base.
//!
//! The base and the current register pair their files by path below the working directory,
//! so this test binary works in a folder of its own and holds one test.
#![allow(
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{copy_dir, root, temp};

use std::path::{Path, PathBuf};

use ropa::baseline::{load_base, Base, Unchanged};
use ropa::pipeline::{load_all, run_check_with, BaseJudging, Checked};
use ropa::source::SourceMap;
use ropa::yaml::Limits;

#[path = "../benches/generate.rs"]
#[allow(
    dead_code,
    clippy::indexing_slicing,
    reason = "shared with the benchmark; only `generate` is used here"
)]
mod generate;

const TODAY: &str = "2026-11-29";

/// Replaces the first `from` in a register file with `to`; the text must hold `from`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("register file");
    assert!(text.contains(from), "{} lacks {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).expect("write");
}

const WAIVERS: &str = "waivers:
  - rule: retention-required
    activity: activiteit-1
    reason: accepted
    approved_by: DPO
    expires: 2999-12-31
  - rule: retention-required
    activity: activiteit-205
    reason: accepted
    approved_by: DPO
    expires: 2999-12-31
  - rule: retention-required
    activity: activiteit-3
    reason: lapsed
    approved_by: DPO
    expires: 2020-01-31
";

/// A change: what it does to the base folder and the current one (both `register/` below
/// them hold the generated register when it starts), and how many current activities the
/// base then shares (`None`: it must be judged whole).
struct Scenario {
    name: &'static str,
    change: fn(base: &Path, head: &Path),
    unchanged: Option<usize>,
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "nothing changed",
            change: |_, _| {},
            unchanged: Some(600),
        },
        Scenario {
            name: "a line removed from an activity",
            change: |_, head| {
                edit(
                    &head.join("register/diensten-0000.yaml"),
                    "    security_measures: ISMS-0\n",
                    "",
                );
            },
            unchanged: Some(400),
        },
        Scenario {
            name: "a sub-processor engaged (a rule about the change)",
            change: |_, head| {
                // Under a processor activity: a sub-processor (under a controller's, the
                // organisation's own processor, which no controller need be told of).
                edit(
                    &head.join("register/diensten-0001.yaml"),
                    "  - id: activiteit-200\n",
                    "  - id: activiteit-200\n    subprocessors: [sub-1]\n",
                );
            },
            unchanged: Some(400),
        },
        Scenario {
            name: "a file removed",
            change: |_, head| {
                std::fs::remove_file(head.join("register/diensten-0002.yaml")).expect("remove");
            },
            unchanged: Some(400),
        },
        Scenario {
            name: "a file added",
            change: |_, head| {
                let text = std::fs::read_to_string(head.join("register/diensten-0002.yaml"))
                    .expect("read");
                std::fs::write(
                    head.join("register/diensten-nieuw.yaml"),
                    text.replace("id: activiteit-", "id: nieuw-"),
                )
                .expect("write");
            },
            unchanged: Some(600),
        },
        Scenario {
            name: "an activity moved to another file",
            change: |_, head| {
                let first = head.join("register/diensten-0000.yaml");
                let text = std::fs::read_to_string(&first).expect("read");
                let cut = text
                    .find("  - id: activiteit-1\n")
                    .expect("second activity");
                let (moved, rest) = text
                    .strip_prefix("activities:\n")
                    .expect("activities")
                    .split_at(cut - "activities:\n".len());
                std::fs::write(&first, format!("activities:\n{rest}")).expect("write");
                let second = head.join("register/diensten-0001.yaml");
                let mut text = std::fs::read_to_string(&second).expect("read");
                text.push_str(moved);
                std::fs::write(&second, text).expect("write");
            },
            unchanged: Some(200),
        },
        Scenario {
            name: "waivers on both sides, a waived activity changed",
            change: |base, head| {
                for side in [base, head] {
                    std::fs::write(side.join("register/waivers.yaml"), WAIVERS).expect("write");
                }
                edit(
                    &head.join("register/diensten-0000.yaml"),
                    "    name: Dienst 1\n",
                    "    name: Dienst een\n",
                );
            },
            unchanged: Some(400),
        },
        Scenario {
            name: "a waiver added",
            change: |_, head| {
                std::fs::write(head.join("register/waivers.yaml"), WAIVERS).expect("write");
            },
            unchanged: None,
        },
        Scenario {
            name: "the organisation's file changed",
            change: |_, head| {
                edit(
                    &head.join("register/organisatie.yaml"),
                    "privacy@synthetic.example",
                    "dpo@synthetic.example",
                );
            },
            unchanged: None,
        },
    ]
}

fn check(base: &Base, judging: BaseJudging, policies: &Path) -> Checked {
    let mut sources = SourceMap::new();
    match run_check_with(
        &["register".to_string()],
        policies,
        TODAY,
        &Limits::default(),
        &mut sources,
        Some(base),
        ropa::pipeline::CheckSettings {
            base_judging: judging,
            ..Default::default()
        },
    ) {
        Ok(checked) => checked,
        Err(problems) => unreachable!("{problems:?}"),
    }
}

/// How many current activities the base shares byte for byte (`None`: none can be).
fn unchanged(base: &Base, policies: &Path) -> Option<usize> {
    let mut sources = SourceMap::new();
    let inputs = ["register".to_string()];
    let limits = Limits::default();
    let loaded = load_all(&inputs, policies, &limits, &mut sources).expect("current register");
    let Ok(Ok(base)) = load_base(base, &inputs, &loaded.pack, &limits) else {
        unreachable!("the base does not load");
    };
    Unchanged::find(&loaded.register, &sources, &base).map(|u| u.len())
}

#[test]
fn judging_only_what_changed_in_the_base_gives_what_judging_it_whole_gives() {
    let dir = temp("sharing");
    let pristine = dir.join("pristine");
    generate::generate(600, &pristine.join("register")).expect("generate");
    let policies = root().join("policies");
    let (base_dir, head_dir) = (dir.join("base"), dir.join("head"));
    std::env::set_current_dir(&dir).expect("cd");
    let base = Base::Dir(PathBuf::from("../base"));
    for scenario in scenarios() {
        for side in [&base_dir, &head_dir] {
            let _ = std::fs::remove_dir_all(side);
            copy_dir(&pristine, side);
        }
        (scenario.change)(&base_dir, &head_dir);
        std::env::set_current_dir(&head_dir).expect("cd");
        let name = scenario.name;
        assert_eq!(unchanged(&base, &policies), scenario.unchanged, "{name}");
        let whole = check(&base, BaseJudging::Whole, &policies);
        let skipping = check(&base, BaseJudging::SkipUnchanged, &policies);
        assert!(whole.findings.len() > 1_000, "{name}");
        assert_eq!(whole.findings, skipping.findings, "{name}");
        assert_eq!(whole.waived, skipping.waived, "{name}");
        assert_eq!(whole.summary, skipping.summary, "{name}");
        let (Some(a), Some(b)) = (&whole.change, &skipping.change) else {
            unreachable!("{name}: no change view");
        };
        assert_eq!(a.base_failed, None, "{name}");
        assert_eq!(a.resolved, b.resolved, "{name}");
        assert_eq!(a.waivers, b.waivers, "{name}");
        // The changes this scenario makes are visible: new or resolved findings where the
        // change touched a judged field.
        let counts = whole.summary.change.expect("counts");
        match name {
            "a line removed from an activity" | "a file added" => assert!(counts.new > 0),
            "a sub-processor engaged (a rule about the change)" => assert!(whole
                .findings
                .iter()
                .any(|f| f.rule == "subprocessor-change-notified")),
            "a file removed" => assert!(counts.resolved >= 200 && counts.new == 0),
            "nothing changed" => assert_eq!((counts.new, counts.resolved), (0, 0)),
            _ => {}
        }
    }
    std::env::set_current_dir(root()).expect("cd");
    let _ = std::fs::remove_dir_all(&dir);
}
