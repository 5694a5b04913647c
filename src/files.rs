//! Owns the door to the file system for everything a pull request can name or plant: which
//! paths stay inside a folder once symbolic links are followed (a [`Fence`]), opening a file
//! that must be a regular file and not a link (the pack cache's records), file names that
//! are data and never lines, and writing a file atomically through a temporary file created
//! exclusively beside it. Reading a source file under its size cap is
//! [`crate::source::read_source`], which every loader and command uses.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::problem::{Code, Problem};
use crate::source::display_name;

/// A folder that a walk, or a path named in `ropa.toml`, must not leave (the repository):
/// its canonical path. A symbolic link below it that leads outside is refused, never
/// followed.
#[derive(Debug, Clone)]
pub struct Fence {
    /// The folder as the user named it, for messages.
    shown: String,
    /// The folder after every symbolic link is resolved.
    canonical: PathBuf,
}

impl Fence {
    /// The fence of `dir` itself; `None` when it does not exist yet.
    pub fn exactly(dir: &Path) -> Option<Fence> {
        Some(Fence {
            shown: display_name(dir),
            canonical: std::fs::canonicalize(dir).ok()?,
        })
    }

    /// The fence of the repository `dir` is in: the nearest folder at or above it that holds
    /// `.git`, else `dir` itself. A link from one folder of a repository to another reads
    /// nothing a pull request could not change anyway; a link out of it is refused.
    pub fn around(dir: &Path) -> Option<Fence> {
        let canonical = std::fs::canonicalize(dir).ok()?;
        let top = canonical
            .ancestors()
            .find(|folder| folder.join(".git").exists())
            .map_or_else(|| canonical.clone(), Path::to_path_buf);
        Some(Fence {
            shown: if top == canonical {
                display_name(dir)
            } else {
                "the repository".to_string()
            },
            canonical: top,
        })
    }

    /// Whether `path`, with every symbolic link resolved, lies inside the folder; a path that
    /// does not exist is judged by the nearest folder above it that does.
    pub fn admits(&self, path: &Path) -> bool {
        let mut candidate = path;
        loop {
            match std::fs::canonicalize(candidate) {
                Ok(resolved) => return resolved.starts_with(&self.canonical),
                Err(_) => match candidate.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => candidate = parent,
                    _ => return true,
                },
            }
        }
    }

    /// The problem of `path`, which leads outside the folder.
    pub fn refusal(&self, path: &Path) -> Problem {
        Problem::general(
            Code::OutsideTree,
            format!(
                "{} leads outside {}: ropa does not follow it",
                display_name(path),
                self.shown
            ),
        )
        .help("a symbolic link in a register or policy folder must stay inside the repository; copy the file in instead")
    }

    /// `Ok` when `path` stays inside the folder, else its [`Fence::refusal`].
    pub fn check(&self, path: &Path) -> Result<(), Problem> {
        if self.admits(path) {
            Ok(())
        } else {
            Err(self.refusal(path))
        }
    }
}

/// Whether a relative path written in a repository file stays below the folder it is
/// relative to, as text: not absolute, no `..` part, no drive or root.
pub fn is_plainly_inside(path: &str) -> bool {
    let path = Path::new(path);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// A path relative to the working directory, when it is inside it, with `/`.
pub fn below_working_directory(path: &Path) -> Option<String> {
    let relative: PathBuf = if path.is_absolute() {
        let cwd = std::env::current_dir().ok()?;
        let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        path.strip_prefix(cwd).ok()?.to_path_buf()
    } else {
        path.to_path_buf()
    };
    let text = crate::baseline::file_key(&relative);
    (!text.split('/').any(|p| p == "..")).then_some(text)
}

/// The first character of a file name that must not be in one (a control character: a
/// newline would start a line of its own in a log), when there is one.
pub fn hidden_in_name(path: &Path) -> Option<char> {
    path.file_name()?
        .to_string_lossy()
        .chars()
        .find(|c| c.is_control())
}

/// The problem of a file whose name holds a control character.
pub fn bad_name(path: &Path, c: char) -> Problem {
    Problem::general(
        Code::FileName,
        format!(
            "the file name {} holds the control character U+{:04X}",
            display_name(path),
            u32::from(c)
        ),
    )
    .help("rename the file: ropa reads no file whose name holds a newline, a tab or another control character")
}

/// Reads a file that must be a regular file and not a symbolic link, of at most `max_bytes`:
/// a FIFO is not waited on, a device not read, a link not followed.
pub fn read_unlinked(path: &Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symbolic link"));
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > max_bytes {
        return Err(std::io::Error::other("over the size limit"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(std::io::Error::other("over the size limit"));
    }
    Ok(bytes)
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the whole new content or left as it was; a missing folder is made.
pub fn write_atomically(path: &Path, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    write_atomically_with(path, |out| out.write_all(text.as_ref()))
}

/// [`write_atomically`], the content written by `write` (through a buffer). The temporary
/// file is created exclusively under a random name: a file or link planted in the folder
/// is never written through.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    // A report's folder is made when missing, as CI tools do (`out/ropa.sarif`).
    std::fs::create_dir_all(dir)?;
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, temp);
    write(&mut out)?;
    let temp = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    temp.as_file().sync_all()?;
    // On failure the temporary file is removed when dropped.
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "test code")]
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ropa-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    #[test]
    fn plain_paths_stay_inside_and_others_do_not() {
        for inside in ["register", "./register/a.yaml", "out/ropa.sarif", "a/./b"] {
            assert!(is_plainly_inside(inside), "{inside}");
        }
        for outside in [
            "/etc/passwd",
            "../x.json",
            "a/../../b",
            "register/../..",
            "/",
        ] {
            assert!(!is_plainly_inside(outside), "{outside}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fence_refuses_links_out_and_admits_links_in() {
        let dir = scratch("fence");
        let inner = dir.join("register");
        std::fs::create_dir_all(inner.join("sub")).expect("folders");
        std::fs::write(inner.join("sub/a.yaml"), "a: 1\n").expect("file");
        std::os::unix::fs::symlink("/etc", inner.join("out")).expect("link");
        std::os::unix::fs::symlink("sub/a.yaml", inner.join("in.yaml")).expect("link");
        std::os::unix::fs::symlink("../../", inner.join("up")).expect("link");
        // No `.git` above a temporary folder: the fence is the folder itself.
        let fence = Fence::around(&inner).expect("fence");
        assert!(fence.admits(&inner.join("in.yaml")));
        assert!(fence.admits(&inner.join("sub/not-yet/x.json")));
        assert!(!fence.admits(&inner.join("out")));
        assert!(!fence.admits(&inner.join("out/passwd")));
        assert!(!fence.admits(&inner.join("up")));
        assert_eq!(
            fence.check(&inner.join("up")).map_err(|p| p.code),
            Err(Code::OutsideTree)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn an_unlinked_read_refuses_links_pipes_and_size() {
        let dir = scratch("unlinked");
        let file = dir.join("record");
        std::fs::write(&file, "0123456789").expect("file");
        assert_eq!(read_unlinked(&file, 10).expect("read"), b"0123456789");
        assert!(read_unlinked(&file, 9).is_err());
        std::os::unix::fs::symlink(&file, dir.join("link")).expect("link");
        assert!(read_unlinked(&dir.join("link"), 100).is_err());
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero")).expect("link");
        assert!(read_unlinked(&dir.join("zero"), 100).is_err());
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status();
        assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
        // Returns at once: the pipe is opened without waiting for a writer, then refused.
        assert!(read_unlinked(&dir.join("fifo"), 100).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_never_writes_through_a_planted_link() {
        let dir = scratch("atomic");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").expect("victim");
        // The names a writer with a predictable temporary name would use.
        for pid in [std::process::id(), 1, 2] {
            std::os::unix::fs::symlink(&victim, dir.join(format!(".out.json.{pid}.tmp")))
                .expect("planted link");
        }
        write_atomically(&dir.join("out.json"), "{}").expect("written");
        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
        assert_eq!(
            std::fs::read_to_string(dir.join("out.json")).expect("out"),
            "{}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn control_characters_in_names_are_found() {
        assert_eq!(hidden_in_name(Path::new("register/a\nb.yaml")), Some('\n'));
        assert_eq!(hidden_in_name(Path::new("register/a\tb.yaml")), Some('\t'));
        assert_eq!(hidden_in_name(Path::new("register/äb c.yaml")), None);
    }
}
