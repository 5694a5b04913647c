//! Owns the record of policy packs that loaded cleanly before: one marker file per pack, named
//! by a SHA-256 of everything the schema's parse and the policies' validation depend on (the
//! schema's and every policy file's name and bytes, the depth limit, and the ropa executable
//! itself), so a pack seen before skips both. It cannot serve a stale verdict: a changed byte
//! anywhere in that list is another name. Reading or writing the record never fails a run.

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// The name of one pack's marker: the hex SHA-256 of what its verdict depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackKey(String);

/// What a marker holds, after the key: a marker with anything else is not one.
const MARKER: &str = "validated";

/// The key of a pack with this schema text and these policy files (name and text, in load
/// order), checked to `max_depth`. `None` when the running executable cannot be identified
/// (then nothing is cached).
pub fn key(schema: &str, policies: &[(&str, &str)], max_depth: usize) -> Option<PackKey> {
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
    field(b"ropa pack v1");
    field(env!("CARGO_PKG_VERSION").as_bytes());
    field(cedar_policy::get_sdk_version().to_string().as_bytes());
    field(exe.to_string_lossy().as_bytes());
    field(&meta.len().to_le_bytes());
    field(&modified.as_nanos().to_le_bytes());
    field(&(max_depth as u64).to_le_bytes());
    field(schema.as_bytes());
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

fn content(key: &PackKey) -> String {
    format!("{} {MARKER}\n", key.0)
}

/// Whether a pack with this key loaded cleanly before.
pub fn seen(key: &PackKey) -> bool {
    marker(key)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .is_some_and(|text| text == content(key))
}

/// Records that the pack with this key loaded cleanly. Written to a file of its own and
/// renamed into place, so a reader never sees half a marker; any failure (a read-only home,
/// no space) leaves the record as it was.
pub fn record(key: &PackKey) {
    let Some(path) = marker(key) else {
        return;
    };
    let Some(folder) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let temporary = folder.join(format!(".{}.{}", key.0, std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(content(key).as_bytes()));
    if written.is_err() || std::fs::rename(&temporary, &path).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_changes_the_key() {
        let base = key("schema", &[("a.cedar", "forbid"), ("b.cedar", "x")], 64);
        assert!(base.is_some());
        let others = [
            key("schema ", &[("a.cedar", "forbid"), ("b.cedar", "x")], 64),
            key("schema", &[("a.cedar", "forbid "), ("b.cedar", "x")], 64),
            key("schema", &[("a.cedar", "forbid"), ("c.cedar", "x")], 64),
            key("schema", &[("a.cedar", "forbid")], 64),
            key("schema", &[("a.cedar", "forbidb.cedar"), ("", "x")], 64),
            key("schema", &[("a.cedar", "forbid"), ("b.cedar", "x")], 63),
        ];
        for other in others {
            assert_ne!(other, base);
        }
        assert_eq!(
            key("schema", &[("a.cedar", "forbid"), ("b.cedar", "x")], 64),
            base
        );
    }
}
