//! The scale benchmark: `cargo bench --bench scale`. For synthetic registers of 100, 1,000,
//! 10,000 and 50,000 activities it times each stage in process (load, entities, evaluation,
//! rendering), then whole processes: `check` and `validate` on the 10,000 register with their
//! peak memory, and `check` on the shipped register. Prints a Markdown table.
//! `ROPA_BENCH_SIZES=100,1000` picks other sizes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark harness: a failure is a failed run"
)]

mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ropa::finding::Summary;
use ropa::pipeline::load_all;
use ropa::report::human::Style;
use ropa::report::{render, Format};
use ropa::source::SourceMap;
use ropa::yaml::Limits;
use ropa::{entities, eval};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Stages {
    load: f64,
    entities: f64,
    evaluate: f64,
    render: f64,
    findings: usize,
}

fn run_stages(dir: &Path) -> Stages {
    let input = vec![dir.to_string_lossy().into_owned()];
    let mut sources = SourceMap::new();
    let t = Instant::now();
    let loaded = load_all(
        &input,
        &root().join("policies"),
        &Limits::default(),
        &mut sources,
    )
    .unwrap_or_else(|p| panic!("{} does not load: {p:?}", dir.display()));
    let load = ms(t.elapsed());
    let t = Instant::now();
    let model = entities::build(
        &loaded.register,
        &loaded.pack.vocabulary,
        loaded.pack.named.as_ref(),
        &ropa::entities::Judging::plain("2026-11-28"),
        None,
    )
    .expect("entities");
    let entities = ms(t.elapsed());
    let t = Instant::now();
    let findings = eval::evaluate(&loaded.register, &loaded.pack, &model).expect("evaluate");
    let evaluate = ms(t.elapsed());
    let t = Instant::now();
    let summary = Summary::new(
        &findings,
        loaded.register.activities.len(),
        loaded.files,
        loaded.pack.rules.len(),
    );
    let style = Style {
        color: false,
        width: 100,
        lang: ropa::lang::Lang::En,
    };
    let text = render(
        Format::Human,
        &findings,
        None,
        &ropa::report::Covered::default(),
        &summary,
        &loaded.pack.rules,
        &[],
        &sources,
        style,
    );
    let render = ms(t.elapsed());
    assert!(text.len() > 100);
    Stages {
        load,
        entities,
        evaluate,
        render,
        findings: findings.len(),
    }
}

/// Wall time (ms) of one process, waited for without polling.
fn wall(args: &[&str]) -> f64 {
    let t = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run ropa");
    assert!(status.code().is_some());
    ms(t.elapsed())
}

/// Wall time (ms) and peak resident memory (MB) of one process, read from /proc as it ends.
fn process(args: &[&str]) -> (f64, f64) {
    let exe = env!("CARGO_BIN_EXE_ropa");
    let t = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn ropa");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0.0_f64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            for line in status.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kb: f64 = v
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .unwrap_or(0.0);
                    peak_kb = peak_kb.max(kb);
                }
            }
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (ms(t.elapsed()), peak_kb / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("ROPA_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 10_000, 50_000]);
    // ROPA_BENCH_GAPS=double: about twice the findings an activity.
    let gaps = match std::env::var("ROPA_BENCH_GAPS").as_deref() {
        Ok("double") => generate::Gaps::Double,
        _ => generate::Gaps::Seed,
    };
    let base = std::env::temp_dir().join(format!("ropa-bench-{}", std::process::id()));
    let mut dirs: Vec<(usize, PathBuf)> = Vec::new();
    for &n in &sizes {
        let dir = base.join(n.to_string());
        generate::generate_with(n, &dir, gaps).expect("generate");
        dirs.push((n, dir));
    }

    println!(
        "| activities | findings | load ms | entities ms | evaluate ms | render ms | total ms |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut totals = Vec::new();
    for (n, dir) in &dirs {
        let runs = if *n >= 10_000 { 3 } else { 7 };
        let all: Vec<Stages> = (0..runs).map(|_| run_stages(dir)).collect();
        let pick = |f: fn(&Stages) -> f64| median(all.iter().map(f).collect());
        let (l, e, v, r) = (
            pick(|s| s.load),
            pick(|s| s.entities),
            pick(|s| s.evaluate),
            pick(|s| s.render),
        );
        let total = l + e + v + r;
        totals.push((*n, total));
        println!(
            "| {n} | {} | {l:.1} | {e:.1} | {v:.1} | {r:.1} | {total:.1} |",
            all[0].findings
        );
    }
    println!();
    for pair in totals.windows(2) {
        let ((a, ta), (b, tb)) = (pair[0], pair[1]);
        println!(
            "- {a} -> {b} activities: time x{:.2} for x{:.0} activities",
            tb / ta,
            b as f64 / a as f64
        );
    }

    if let Some((_, dir)) = dirs.iter().find(|(n, _)| *n == 10_000) {
        let d = dir.to_string_lossy().into_owned();
        let check: Vec<(f64, f64)> = (0..3)
            .map(|_| process(&["check", &d, "--format", "json"]))
            .collect();
        let validate: Vec<(f64, f64)> = (0..3).map(|_| process(&["validate", &d])).collect();
        let (c_ms, c_mb) = (
            median(check.iter().map(|c| c.0).collect()),
            median(check.iter().map(|c| c.1).collect()),
        );
        let (v_ms, v_mb) = (
            median(validate.iter().map(|c| c.0).collect()),
            median(validate.iter().map(|c| c.1).collect()),
        );
        println!("- 10000 activities, whole process: check {c_ms:.0} ms, peak {c_mb:.0} MB; validate {v_ms:.0} ms, peak {v_mb:.0} MB; check/validate x{:.2}", c_ms / v_ms);
    }
    // Plain wall time: the peak-memory poll in `process` would add up to its 2 ms interval.
    let seed: Vec<f64> = (0..30)
        .map(|_| wall(&["check", "--format", "json"]))
        .collect();
    let mut sorted = seed.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "- shipped register, whole process `ropa check --format json`: median {:.1} ms (min {:.1}, max {:.1}, 30 runs)",
        median(seed),
        sorted[0],
        sorted[sorted.len() - 1]
    );
    let _ = std::fs::remove_dir_all(&base);
}
