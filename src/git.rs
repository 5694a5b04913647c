//! Owns reading a register as it was at a git revision: resolving the revision, listing the
//! register files the inputs name in it, and reading their text from git's objects, never
//! the working tree. Git runs without a shell, and a revision is never read as an option.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::problem::{Code, Problem};

/// The help for a revision a clone does not have.
const FETCH_HELP: &str = "fetch the history it needs (`git fetch --deepen=50`, or \
    `git fetch origin REV`); in GitHub Actions check out with `fetch-depth: 0`, in GitLab CI \
    set `GIT_DEPTH: 0`";

/// Runs git with `args` in the working directory; its stdout, or its stderr as the error.
fn git(args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    git_with_warnings(args, stdin).map(|(stdout, _)| stdout)
}

/// [`git`], with what git wrote on stderr beside its output (its warnings, in English).
fn git_with_warnings(args: &[&str], stdin: Option<&[u8]>) -> Result<(Vec<u8>, String), String> {
    let mut command = Command::new("git");
    command
        .env("LC_ALL", "C")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written on a thread: git answers while it reads, and a full pipe would block both.
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let output = child
        .wait_with_output()
        .map_err(|err| format!("git failed: {err}"))?;
    if output.status.success() {
        Ok((
            output.stdout,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// Whether the working directory is in a git repository with a commit at `HEAD` (not a
/// first commit in the making).
pub fn has_head() -> bool {
    git(
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            "HEAD^{commit}",
        ],
        None,
    )
    .is_ok()
}

/// The merge base of two revisions, when git finds one.
pub fn merge_base(a: &str, b: &str) -> Option<String> {
    git(&["merge-base", "--end-of-options", a, b], None)
        .ok()
        .map(text)
        .filter(|base| !base.is_empty())
}

/// The files below `paths` (pathspecs, globs allowed) whose saved text is not what the index
/// holds: changed and not staged, or unknown to git and not ignored.
pub fn not_staged(paths: &[String]) -> Result<Vec<String>, String> {
    let mut changed = lines(git(
        &with_paths(
            &["diff", "--relative", "--name-only", "--no-ext-diff"],
            paths,
        ),
        None,
    )?);
    changed.extend(lines(git(
        &with_paths(&["ls-files", "--others", "--exclude-standard"], paths),
        None,
    )?));
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// Whether the index differs from `HEAD` below `paths`.
pub fn has_staged_changes(paths: &[String]) -> Result<bool, String> {
    let names = git(
        &with_paths(
            &["diff", "--cached", "--name-only", "--no-ext-diff", "HEAD"],
            paths,
        ),
        None,
    )?;
    Ok(!lines(names).is_empty())
}

/// `args`, then `--` and `paths`: a path is never read as an option.
fn with_paths<'a>(args: &[&'a str], paths: &'a [String]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.push("--");
    all.extend(paths.iter().map(String::as_str));
    all
}

/// Output lines, the empty ones left out.
fn lines(bytes: Vec<u8>) -> Vec<String> {
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The commits revisions were resolved to in this run: the register, the configuration and
/// the policies at a base are read from the same commit, and git is asked once.
static RESOLVED: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// The commit a revision names, or why there is none. A revision is resolved once per run.
pub fn resolve(rev: &str) -> Result<String, Problem> {
    let known = |resolved: &Vec<(String, String)>| {
        resolved
            .iter()
            .find(|(r, _)| r == rev)
            .map(|(_, commit)| commit.clone())
    };
    if let Some(commit) = RESOLVED.lock().ok().and_then(|r| known(&r)) {
        return Ok(commit);
    }
    let commit = resolve_now(rev)?;
    if let Ok(mut resolved) = RESOLVED.lock() {
        if known(&resolved).is_none() {
            resolved.push((rev.to_string(), commit.clone()));
        }
    }
    Ok(commit)
}

fn resolve_now(rev: &str) -> Result<String, Problem> {
    let inside = git(&["rev-parse", "--is-inside-work-tree"], None);
    match inside.map(text) {
        Ok(answer) if answer == "true" => {}
        Ok(_) => return Err(not_a_repository(rev, None)),
        Err(error) => return Err(not_a_repository(rev, Some(&error))),
    }
    let spec = format!("{rev}^{{commit}}");
    // Not `--quiet`: git warns of a name that several refs answer to (a tag `origin/main`
    // beside the remote branch), and picks one by its own order. The gate must not.
    match git_with_warnings(&["rev-parse", "--verify", "--end-of-options", &spec], None) {
        Ok((_, warnings)) if warnings.contains("is ambiguous") => Err(ambiguous(rev)),
        Ok((sha, _)) => Ok(text(sha)),
        Err(_) => {
            let shallow = git(&["rev-parse", "--is-shallow-repository"], None)
                .map(text)
                .is_ok_and(|s| s == "true");
            let message = if shallow {
                format!(
                    "no commit `{rev}` in this clone: it is shallow, and the base is not in its \
                     history"
                )
            } else {
                format!("no commit `{rev}` in this repository")
            };
            Err(Problem::general(Code::Io, message).help(FETCH_HELP.replace("REV", rev)))
        }
    }
}

/// The problem of a revision name that several refs answer to, with their full names.
/// Why git cannot read the base: git is not installed, git refuses the repository (owned by
/// another user: "dubious ownership"), or this is no repository; git's own words kept.
fn not_a_repository(rev: &str, error: Option<&str>) -> Problem {
    let error = error.unwrap_or("");
    if error.starts_with("cannot run git") {
        return Problem::general(
            Code::Io,
            format!("cannot read the base `{rev}`: git not found ({error})"),
        )
        .help(
            "install git where ropa runs (a Debian or Ubuntu image: `apt-get install -y git`; \
             Alpine: `apk add git`), or compare with a folder: `--base-dir DIR`",
        );
    }
    if error.contains("dubious ownership") {
        let first = error.lines().next().unwrap_or(error);
        return Problem::general(
            Code::Io,
            format!("cannot read the base `{rev}`: git refuses this repository: {first}"),
        )
        .help(
            "the checkout belongs to another user than the one ropa runs as (a container, a \
             CI runner): trust it with `git config --global --add safe.directory \"$PWD\"` \
             before ropa runs",
        );
    }
    let mut problem = Problem::general(
        Code::Io,
        format!("cannot read the base `{rev}`: this is not inside a git repository"),
    )
    .help("run ropa inside the repository, or compare with a folder: `--base-dir DIR`");
    if !error.is_empty() {
        problem = problem.help(format!(
            "git says: {}; run ropa inside the repository, or compare with a folder: `--base-dir DIR`",
            error.lines().next().unwrap_or(error)
        ));
    }
    problem
}

fn ambiguous(rev: &str) -> Problem {
    let candidates = [
        format!("refs/{rev}"),
        format!("refs/tags/{rev}"),
        format!("refs/heads/{rev}"),
        format!("refs/remotes/{rev}"),
        format!("refs/remotes/{rev}/HEAD"),
    ];
    let mut args = vec!["for-each-ref", "--format=%(refname)"];
    args.extend(candidates.iter().map(String::as_str));
    let listed = git(&args, None).map(text).unwrap_or_default();
    let names: Vec<String> = listed
        .lines()
        .filter(|name| candidates.iter().any(|c| c == name))
        .map(|name| format!("`{}`", crate::source::visible_name(name)))
        .collect();
    Problem::general(
        Code::Io,
        format!(
            "the base `{}` is ambiguous: several refs have that name",
            crate::source::visible_name(rev)
        ),
    )
    .help(format!(
        "name the one you mean in full: {} (a tag can shadow a branch)",
        if names.is_empty() {
            "`refs/remotes/...` or `refs/heads/...`".to_string()
        } else {
            names.join(" or ")
        }
    ))
}

/// The working directory's path from the repository's top, with `/` and a trailing `/`
/// (empty at the top).
fn prefix() -> Result<String, Problem> {
    // Asked once per run: the working directory does not change.
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(prefix) = PREFIX.get() {
        return Ok(prefix.clone());
    }
    let prefix = git(&["rev-parse", "--show-prefix"], None)
        .map(text)
        .map_err(|err| Problem::general(Code::Io, format!("git: {err}")))?;
    Ok(PREFIX.get_or_init(|| prefix).clone())
}

/// A register file of the base: the name a user sees (`REV:path`) and its text.
pub struct BaseFile {
    /// `REV:path`, the path as given below the working directory.
    pub name: PathBuf,
    /// The path below the working directory.
    pub path: String,
    /// Its text, or why it cannot be read (too large, not UTF-8 text).
    pub text: Result<String, String>,
}

/// The register files at `commit` that `inputs` (files, folders, glob patterns, relative to
/// the working directory) name: `*.yaml`/`*.yml`, hidden entries skipped, in path order.
pub fn register_files(
    rev: &str,
    commit: &str,
    inputs: &[String],
    max_bytes: u64,
) -> Result<Vec<BaseFile>, Problem> {
    files_at(rev, commit, inputs, &[".yaml", ".yml"], max_bytes)
}

/// The files at `commit` that `inputs` name (as [`register_files`]) whose names end in one
/// of `endings`.
pub fn files_at(
    rev: &str,
    commit: &str,
    inputs: &[String],
    endings: &[&str],
    max_bytes: u64,
) -> Result<Vec<BaseFile>, Problem> {
    let prefix = prefix()?;
    let mut specs: Vec<String> = Vec::new();
    // What each input matches: a literal path (itself or below it), or a glob pattern.
    let mut literals: Vec<String> = Vec::new();
    let mut patterns: Vec<glob::Pattern> = Vec::new();
    let options = glob::MatchOptions {
        require_literal_separator: true,
        ..glob::MatchOptions::new()
    };
    for input in inputs {
        let input = input.trim_start_matches("./").trim_end_matches('/');
        if Path::new(input).is_absolute() || input.split('/').any(|p| p == "..") {
            return Err(Problem::general(
                Code::Io,
                format!("`{input}` is not below the working directory: the base cannot be read"),
            )
            .help("name the register with a path relative to the working directory"));
        }
        let path = if input.is_empty() || input == "." {
            prefix.clone()
        } else {
            format!("{prefix}{input}")
        };
        if input.contains(['*', '?', '[']) {
            // `ls-tree` takes no glob pathspecs: list below the pattern's literal folder,
            // then match the pattern here.
            let literal: Vec<&str> = path
                .split('/')
                .take_while(|part| !part.contains(['*', '?', '[']))
                .collect();
            let folder = literal.join("/");
            specs.push(if folder.is_empty() {
                ":(top)".to_string()
            } else {
                format!(":(literal){folder}")
            });
            match glob::Pattern::new(&path) {
                Ok(pattern) => patterns.push(pattern),
                Err(err) => {
                    return Err(Problem::general(
                        Code::Io,
                        format!("`{input}` is not a valid glob pattern: {err}"),
                    ))
                }
            }
        } else {
            specs.push(format!(":(literal){path}"));
            literals.push(path);
        }
    }
    let mut args = vec!["ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--"];
    args.extend(specs.iter().map(String::as_str));
    let listed = git(&args, None)
        .map_err(|err| Problem::general(Code::Io, format!("cannot list `{rev}`: {err}")))?;
    let mut entries: Vec<TreeEntry> = listed
        .split(|b| *b == 0)
        .filter_map(TreeEntry::parse)
        .filter(|entry| {
            let p = &entry.path;
            let below = p.strip_prefix(&prefix).unwrap_or(p);
            let named = literals.iter().any(|l| {
                l.is_empty() || p == l || p.starts_with(&format!("{}/", l.trim_end_matches('/')))
            }) || patterns.iter().any(|g| g.matches_with(p, options));
            named
                && endings.iter().any(|e| below.ends_with(e))
                && !below.split('/').any(|part| part.starts_with('.'))
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let blobs = read_blobs(rev, &entries, max_bytes)?;
    Ok(entries
        .iter()
        .zip(blobs)
        .map(|(entry, bytes)| {
            let path = entry.path.strip_prefix(&prefix).unwrap_or(&entry.path);
            BaseFile {
                name: PathBuf::from(format!("{rev}:{path}")),
                path: path.to_string(),
                text: bytes.and_then(|b| {
                    String::from_utf8(b).map_err(|_| "is not valid UTF-8 text".to_string())
                }),
            }
        })
        .collect())
}

/// One entry of `git ls-tree -r -z --long`: `MODE TYPE ID SIZE\tPATH`.
struct TreeEntry {
    /// `blob` for a file (and a symbolic link, whose content is its target), `commit` for a
    /// submodule.
    kind: String,
    /// The object's id.
    id: String,
    /// Its size in bytes (none for a submodule).
    size: Option<u64>,
    /// A symbolic link: read as its link text, never followed.
    link: bool,
    path: String,
}

impl TreeEntry {
    fn parse(record: &[u8]) -> Option<TreeEntry> {
        let tab = record.iter().position(|b| *b == b'\t')?;
        let (head, path) = (record.get(..tab)?, record.get(tab + 1..)?);
        let head = std::str::from_utf8(head).ok()?;
        let mut fields = head.split_whitespace();
        let mode = fields.next()?;
        let kind = fields.next()?.to_string();
        let id = fields.next()?.to_string();
        let size = fields.next().and_then(|s| s.parse().ok());
        Some(TreeEntry {
            kind,
            id,
            size,
            link: mode == "120000",
            path: String::from_utf8_lossy(path).into_owned(),
        })
    }
}

/// The contents of the entries, in order, through one `git cat-file --batch` asked by object
/// id (no path is parsed again, and a name with a newline cannot split a request); a file
/// over `max_bytes`, a link or a submodule is refused unread.
fn read_blobs(
    rev: &str,
    entries: &[TreeEntry],
    max_bytes: u64,
) -> Result<Vec<Result<Vec<u8>, String>>, Problem> {
    let fail = |err: String| Problem::general(Code::Io, format!("cannot read `{rev}`: {err}"));
    let readable = |entry: &TreeEntry| {
        entry.kind == "blob" && !entry.link && entry.size.is_some_and(|s| s <= max_bytes)
    };
    let request: String = entries
        .iter()
        .filter(|e| readable(e))
        .map(|e| format!("{}\n", e.id))
        .collect();
    let out = if request.is_empty() {
        Vec::new()
    } else {
        git(&["cat-file", "--batch"], Some(request.as_bytes())).map_err(fail)?
    };
    let mut rest: &[u8] = &out;
    let mut blobs = Vec::with_capacity(entries.len());
    for entry in entries {
        let shown = crate::source::visible_name(&entry.path);
        if entry.link {
            blobs.push(Err(format!("is a symbolic link at `{rev}`: {shown}")));
            continue;
        }
        if entry.kind != "blob" {
            blobs.push(Err(format!("is not a file at `{rev}`: {shown}")));
            continue;
        }
        match entry.size {
            Some(size) if size <= max_bytes => {
                // `ID blob SIZE\n`, the content, `\n`.
                let header_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
                let start = header_end + 1;
                let len = usize::try_from(size).unwrap_or(usize::MAX);
                let blob = rest
                    .get(start..start.saturating_add(len))
                    .unwrap_or_default();
                blobs.push(Ok(blob.to_vec()));
                rest = rest
                    .get(start.saturating_add(len).saturating_add(1)..)
                    .unwrap_or_default();
            }
            Some(size) => blobs.push(Err(format!(
                "is {size} bytes, over the {max_bytes}-byte limit"
            ))),
            None => blobs.push(Err(format!("is not a file at `{rev}`: {shown}"))),
        }
    }
    Ok(blobs)
}

/// The last commit that changed any of `paths` (files or folders of the working tree): its
/// short hash, its date (`YYYY-MM-DD`), and whether the working tree or the index differs
/// from it there. `None` outside a repository or for files never committed.
///
/// `ROPA_VERSION_STAMP=off` leaves the version out (for output that must not depend on the
/// repository's history, as `SOURCE_DATE_EPOCH` does for a date).
pub fn last_change(paths: &[String]) -> Option<crate::document::RegisterVersion> {
    if std::env::var_os("ROPA_VERSION_STAMP").is_some_and(|v| v == "off") || !has_head() {
        return None;
    }
    let mut args = vec![
        "log",
        "-1",
        "--format=%h %cs",
        "--end-of-options",
        "HEAD",
        "--",
    ];
    args.extend(paths.iter().map(String::as_str));
    let line = git(&args, None).ok().map(text)?;
    let (commit, date) = line.split_once(' ')?;
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend(paths.iter().map(String::as_str));
    let modified = git(&status, None).map(text).is_ok_and(|s| !s.is_empty());
    Some(crate::document::RegisterVersion {
        commit: commit.to_string(),
        date: date.to_string(),
        modified,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn git_missing_or_refusing_the_repository_is_said_with_its_fix() {
        let missing = super::not_a_repository(
            "HEAD",
            Some("cannot run git: No such file or directory (os error 2)"),
        );
        assert!(
            missing.message.contains("git not found"),
            "{}",
            missing.message
        );
        assert!(missing
            .help
            .as_deref()
            .is_some_and(|h| h.contains("apt-get install -y git")));
        let refused = super::not_a_repository(
            "HEAD",
            Some("fatal: detected dubious ownership in repository at '/builds/x'\nTo add an exception ..."),
        );
        assert!(
            refused.message.contains("detected dubious ownership"),
            "{}",
            refused.message
        );
        assert!(refused
            .help
            .as_deref()
            .is_some_and(|h| h.contains("safe.directory")));
        let outside = super::not_a_repository("HEAD", Some("fatal: not a git repository"));
        assert!(outside.message.contains("not inside a git repository"));
        assert!(outside
            .help
            .as_deref()
            .is_some_and(|h| h.contains("fatal: not a git repository")));
    }
}
