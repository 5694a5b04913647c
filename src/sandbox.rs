//! Owns running work that content from a pull request can make unbounded in another process:
//! under a memory cap (the shell's `ulimit -v`, so no unsafe code and no extra crate), with
//! a deadline, its output read up to a limit. An organisation's annex template renders
//! here, and the proofs' solver runs under the same cap.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `program` with `args`, to run with at most `memory_kib` KiB of address space where the
/// system has a shell to set it.
pub fn capped(program: &std::ffi::OsStr, args: &[&str], memory_kib: u64) -> Command {
    if cfg!(unix) && std::path::Path::new("/bin/sh").exists() {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(format!("ulimit -v {memory_kib} && exec \"$0\" \"$@\""))
            .arg(program)
            .args(args);
        command
    } else {
        let mut command = Command::new(program);
        command.args(args);
        command
    }
}

/// Why bounded work did not give its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// It ran past the deadline and was killed.
    Deadline,
    /// It wrote more than the output limit and was killed.
    Output,
    /// It ended without success (out of memory, or it failed): its exit status.
    Failed(String),
    /// It could not be started.
    Start(String),
}

/// Runs `command` with `input` on its standard input; its standard output when it ends
/// successfully within `deadline`, having written at most `max_output` bytes.
pub fn run(
    mut command: Command,
    input: Vec<u8>,
    max_output: u64,
    deadline: Duration,
) -> Result<Vec<u8>, Stopped> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| Stopped::Start(err.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // Written on a thread: the child answers while it reads.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let reader = child.stdout.take().map(|stdout| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout
                .take(max_output.saturating_add(1))
                .read_to_end(&mut out);
            out
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() >= deadline => break Err(Stopped::Deadline),
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => break Err(Stopped::Failed(err.to_string())),
        }
    };
    if status.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let status = status?;
    let out = reader
        .and_then(|handle| handle.join().ok())
        .unwrap_or_default();
    if out.len() as u64 > max_output {
        return Err(Stopped::Output);
    }
    if status.success() {
        Ok(out)
    } else {
        Err(Stopped::Failed(status.to_string()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn bounded_work_is_stopped_by_its_deadline_and_output() {
        let sh = std::ffi::OsStr::new("/bin/sh");
        let echo = capped(sh, &["-c", "cat"], 1 << 20);
        assert_eq!(
            run(echo, b"hello".to_vec(), 100, Duration::from_secs(10)),
            Ok(b"hello".to_vec())
        );
        let slow = capped(sh, &["-c", "sleep 5"], 1 << 20);
        let started = Instant::now();
        assert_eq!(
            run(slow, Vec::new(), 100, Duration::from_millis(200)),
            Err(Stopped::Deadline)
        );
        assert!(started.elapsed() < Duration::from_secs(4));
        let loud = capped(sh, &["-c", "yes"], 1 << 20);
        assert_eq!(
            run(loud, Vec::new(), 1000, Duration::from_secs(10)),
            Err(Stopped::Output)
        );
    }
}
