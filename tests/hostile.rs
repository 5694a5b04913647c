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
