//! Owns the record of policy packs that validated cleanly before: one small file per pack,
//! named by a SHA-256 of everything loading it depends on (the schema's, the taxonomy's and
//! every policy file's name and bytes, the depth limit, and the ropa executable itself), so a
//! pack seen before skips the schema's parse and the policies' validation. It holds that
//! verdict and nothing else: the rules, their kinds and the taxonomy are read from the text on
//! every run, so a planted record cannot change what a rule says. It cannot serve a stale
//! verdict: a changed byte anywhere in that list is another name. A record is opened without
//! following a link, only as a regular file, and only when the folder is not writable by
//! others; reading or writing it never fails a run.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The name of one pack's marker: the hex SHA-256 of what its verdict depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackKey(String);

/// How many records are kept: writing one more removes the oldest written beyond this.
const KEPT_RECORDS: usize = 64;

/// What a record holds after the key. A record with anything else is not one.
const MARKER: &str = "validated";

/// The key of a pack with this schema text, this taxonomy text and these policy files (name
/// and text, in load order), checked to `max_depth`. `None` when the running executable
/// cannot be identified (then nothing is cached).
pub fn key(
    schema: &str,
    taxonomy: &str,
    policies: &[(&str, &str)],
    max_depth: usize,
) -> Option<PackKey> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        // Each field with its length first, so that no two lists hash alike.
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    field(b"ropa pack v3");
    field(env!("CARGO_PKG_VERSION").as_bytes());
    field(cedar_policy::get_sdk_version().to_string().as_bytes());
    field(exe.to_string_lossy().as_bytes());
    field(&meta.len().to_le_bytes());
    field(&modified.as_nanos().to_le_bytes());
    field(&(max_depth as u64).to_le_bytes());
    field(schema.as_bytes());
    field(taxonomy.as_bytes());
    field(&(policies.len() as u64).to_le_bytes());
    for (name, text) in policies {
        field(name.as_bytes());
        field(text.as_bytes());
    }
    let digest = hash.finalize();
    Some(PackKey(digest.iter().map(|b| format!("{b:02x}")).collect()))
}

/// The folder of markers: `$ROPA_CACHE_DIR`, else `$XDG_CACHE_HOME/ropa`, else
/// `$HOME/.cache/ropa`; none when `ROPA_CACHE=off` or no such variable is set.
pub fn dir() -> Option<PathBuf> {
    if std::env::var_os("ROPA_CACHE").is_some_and(|v| v == "off") {
        return None;
    }
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("ROPA_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(cache) = non_empty("XDG_CACHE_HOME") {
        return Some(PathBuf::from(cache).join("ropa"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".cache").join("ropa"))
}

fn marker(key: &PackKey) -> Option<PathBuf> {
    Some(dir()?.join("packs").join(&key.0))
}

fn first_line(key: &PackKey) -> String {
    format!("{} {MARKER}\n", key.0)
}

/// Whether the pack with this key validated cleanly before.
pub fn seen(key: &PackKey) -> bool {
    let Some(path) = marker(key) else {
        return false;
    };
    if !private(path.parent()) {
        return false;
    }
    let expected = first_line(key);
    crate::files::read_unlinked(&path, expected.len() as u64)
        .is_ok_and(|bytes| bytes == expected.as_bytes())
}

/// Whether a folder of records is the user's alone: a folder others may write to (a shared
/// `ROPA_CACHE_DIR`) could hold a verdict nobody reached here.
fn private(folder: Option<&Path>) -> bool {
    let Some(folder) = folder else {
        return false;
    };
    let Ok(meta) = std::fs::symlink_metadata(folder) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_dir() && meta.permissions().mode() & 0o022 == 0
    }
    #[cfg(not(unix))]
    {
        meta.is_dir()
    }
}

/// Records that the pack with this key validated cleanly: written to a temporary file created
/// exclusively and renamed into place, so a reader never sees half a record and a planted
/// link is never written through; any failure (a read-only home, no space) leaves things as
/// they were.
pub fn record(key: &PackKey) {
    let Some(path) = marker(key) else {
        return;
    };
    let Some(folder) = path.parent() else {
        return;
    };
    if create_private(folder).is_err() || !private(Some(folder)) {
        return;
    }
    if crate::files::write_atomically(&path, first_line(key)).is_ok() {
        prune(folder, KEPT_RECORDS);
    }
}

/// Makes the folder, readable and writable by the user alone where it is new.
fn create_private(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder)
}

/// Removes the records in `folder` written longest ago beyond the `keep` newest (a record is
/// about 100 KB, and every edit of a pack makes another). Only records are touched: files
/// named by a key, not another writer's temporary file.
fn prune(folder: &std::path::Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let is_key = |name: &str| name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let mut records: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|entry| entry.file_name().to_str().is_some_and(is_key))
        .filter_map(|entry| {
            let written = entry.metadata().and_then(|m| m.modified()).ok()?;
            Some((written, entry.path()))
        })
        .collect();
    if records.len() <= keep {
        return;
    }
    records.sort();
    let excess = records.len() - keep;
    for (_, path) in records.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [(&str, &str); 2] = [("a.cedar", "forbid"), ("b.cedar", "x")];

    #[test]
    fn every_input_changes_the_key() {
        let base = key("schema", "taxonomy", &FILES, 64);
        assert!(base.is_some());
        let others = [
            key("schema ", "taxonomy", &FILES, 64),
            key("schema", "taxonomy ", &FILES, 64),
            key("schemataxonomy", "", &FILES, 64),
            key(
                "schema",
                "taxonomy",
                &[("a.cedar", "forbid "), ("b.cedar", "x")],
                64,
            ),
            key(
                "schema",
                "taxonomy",
                &[("a.cedar", "forbid"), ("c.cedar", "x")],
                64,
            ),
            key("schema", "taxonomy", &[("a.cedar", "forbid")], 64),
            key(
                "schema",
                "taxonomy",
                &[("a.cedar", "forbidb.cedar"), ("", "x")],
                64,
            ),
            key("schema", "taxonomy", &FILES, 63),
        ];
        for other in others {
            assert_ne!(other, base);
        }
        assert_eq!(key("schema", "taxonomy", &FILES, 64), base);
    }

    #[test]
    fn only_the_newest_records_are_kept() {
        let folder = std::env::temp_dir().join(format!("ropa-pack-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap_or_default();
        let start = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let name = |i: u64| format!("{i:064x}");
        for i in 0..10u64 {
            let path = folder.join(name(i));
            std::fs::write(&path, "record").unwrap_or_default();
            let file = std::fs::File::options().write(true).open(&path);
            // Written in the order of their names, a minute apart.
            let set =
                file.and_then(|f| f.set_modified(start + std::time::Duration::from_secs(60 * i)));
            assert!(set.is_ok(), "{set:?}");
        }
        std::fs::write(folder.join(".temporary.1"), "").unwrap_or_default();
        std::fs::write(folder.join("notes.txt"), "").unwrap_or_default();
        prune(&folder, 10);
        prune(&folder, 4);
        let mut left: Vec<String> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        left.sort();
        let mut expected: Vec<String> = (6..10).map(name).collect();
        expected.extend([".temporary.1".to_string(), "notes.txt".to_string()]);
        expected.sort();
        assert_eq!(left, expected);
        let _ = std::fs::remove_dir_all(&folder);
    }
}
