//! Hostile input that cannot live in the repository as a file: a register file over the
//! size cap. (The other classes are CLI cases under tests/cases/hostile-*.)

use std::process::Command;

#[test]
fn a_file_over_the_size_cap_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("ropa-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_default();
    // 9 MiB of a valid-looking register: over the 8 MiB cap.
    let mut text = String::from("organisation: { id: big, name: Big B.V. }\nactivities:\n");
    let mut i = 0;
    while text.len() < 9 * 1024 * 1024 {
        text.push_str(&format!("  - {{ id: activity-{i}, name: Activity {i} }}\n"));
        i += 1;
    }
    std::fs::write(dir.join("big.yaml"), &text).unwrap_or_default();
    let output = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("check")
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(output) = output else {
        unreachable!("ropa runs")
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("file-too-large"), "{stderr}");
    assert!(stderr.contains("big.yaml"), "{stderr}");
    assert!(stderr.contains("8388608-byte limit"), "{stderr}");
}

/// Runs ropa on `args` from the repository root, without colour.
fn ropa(args: &[&std::ffi::OsStr]) -> std::process::Output {
    match Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
    {
        Ok(output) => output,
        Err(err) => unreachable!("ropa runs: {err}"),
    }
}

#[test]
fn an_ordinary_register_just_under_the_size_cap_loads() {
    let dir = std::env::temp_dir().join(format!("ropa-ordinary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_default();
    // Block-style activities as the README writes them, some sharing fields through an
    // anchor and merge key, until the file is just under 8 MiB: over a million YAML events.
    let mut text = String::from(
        "organisation: { id: big, name: Big B.V. }\nx-common: &common\n  role: processor\n  \
         legal_basis: [contract]\nactivities:\n",
    );
    let mut i = 0;
    loop {
        let shared = if i < 500 {
            "    <<: *common\n"
        } else {
            "    role: processor\n"
        };
        let activity = format!(
            "  - id: a-{i}\n{shared}    name: Dienst {i}\n    data_subjects: [telephony_user, caller]\n    \
             data:\n      - {{ category: name }}\n      - {{ category: phone_number }}\n    \
             purposes:\n      - {{ id: p, text: Bellen }}\n"
        );
        if text.len() + activity.len() > 8 * 1024 * 1024 - 64 {
            break;
        }
        text.push_str(&activity);
        i += 1;
    }
    std::fs::write(dir.join("big.yaml"), &text).unwrap_or_default();
    let output = ropa(&["validate".as_ref(), dir.as_os_str()]);
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains(&format!("{i} activities")),
        "{i} activities: {stdout}"
    );
    assert!(i > 30_000, "{i} activities is not a full file");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_opening_it() {
    let dir = std::env::temp_dir().join(format!("ropa-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("register")).unwrap_or_default();
    std::fs::write(
        dir.join("register/org.yaml"),
        "organisation: { id: o, name: O }\n",
    )
    .unwrap_or_default();
    for fifo in ["register/zz.yaml", "direct.yaml"] {
        let made = Command::new("mkfifo").arg(dir.join(fifo)).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {fifo}");
    }
    // A hang would be a blocked open(2): run each case on a thread and give it 10 s.
    for input in [dir.join("register"), dir.join("direct.yaml")] {
        let (done, wait) = std::sync::mpsc::channel();
        let args = input.clone();
        std::thread::spawn(move || {
            let _ = done.send(ropa(&["validate".as_ref(), args.as_os_str()]));
        });
        let output = wait.recv_timeout(std::time::Duration::from_secs(10));
        let Ok(output) = output else {
            panic!("ropa hung on {}", input.display());
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("not-a-regular-file"), "{stderr}");
        assert!(stderr.contains("named pipe (FIFO)"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether a character may not reach a terminal raw: a control character other than
/// newline and tab, or a bidirectional control.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The places in `text` where a hidden character stands, other than the SGR colour
/// sequences (`ESC [ digits ; ... m`) ropa itself writes when colour is on.
fn raw_controls(text: &str, colour: bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !hidden(c) {
            continue;
        }
        if colour && c == '\u{1b}' && chars.peek().map(|(_, n)| *n) == Some('[') {
            let rest: String = text
                .get(at + 2..)
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .collect();
            if text
                .get(at + 2 + rest.len()..)
                .is_some_and(|r| r.starts_with('m'))
            {
                continue;
            }
        }
        let context: String = text
            .get(at.saturating_sub(30)..)
            .unwrap_or("")
            .chars()
            .take(40)
            .collect();
        found.push(format!("U+{:04X} near {context:?}", u32::from(c)));
    }
    found
}

#[test]
fn no_raw_control_character_reaches_the_terminal_in_the_hostile_cases() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/cases"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("hostile-"))
        })
        .collect();
    cases.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        // Each case in the human format, whatever format it was written for (machine
        // formats escape as their format requires).
        let args: Vec<String> = args
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                *a != "--format"
                    && i.checked_sub(1)
                        .and_then(|j| args.get(j))
                        .map(String::as_str)
                        != Some("--format")
            })
            .map(|(_, a)| a.clone())
            .collect();
        for colour in [false, true] {
            let mut all = args.clone();
            all.push(format!(
                "--color={}",
                if colour { "always" } else { "never" }
            ));
            let all: Vec<&std::ffi::OsStr> = all.iter().map(|a| a.as_ref()).collect();
            let output = ropa(&all);
            for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                for place in raw_controls(&text, colour) {
                    failures.push(format!(
                        "{} {stream} (colour {colour}): {place}",
                        case.display()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(
        cases.len() >= 18 && checked == 2 * cases.len(),
        "{checked} runs"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    assert_eq!(raw_controls("a\u{1b}[31mb", false).len(), 1);
    assert!(raw_controls("a\u{1b}[31mb\u{1b}[0m", true).is_empty());
    assert_eq!(raw_controls("\u{1b}]0;x\u{7}", true).len(), 2);
    assert_eq!(raw_controls("\u{202e}\0\r", false).len(), 3);
    assert!(raw_controls("ok\tok\n", false).is_empty());
}
