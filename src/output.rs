//! Stage 4: output. The one place that writes files: through a temporary file in the same
//! folder, flushed to disk, then renamed over the target, so a crash or a full disk leaves
//! either the old file or the complete new one, never a half-written one.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Whether a write must reach the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync before the rename: replacing a user's file (`--in-place`, the log), where a
    /// crash must leave the old or the new content, never an empty file.
    Synced,
    /// Rename without fsync: a new copy under `--out`, which a rerun regenerates. Readers
    /// still never see a half-written file; fsync per file would cost more than the
    /// whole correction.
    Unsynced,
}

/// Writes `bytes` to `path` atomically, creating missing parent folders and keeping the
/// permissions of the file it replaces.
///
/// A target that is not a regular file (`/dev/null`, `/dev/stdout`, a pipe) is written to
/// directly, since renaming over it would replace the device itself. A symbolic link is
/// kept: the file it points to is replaced.
pub fn write_atomic(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => write_through(&target, bytes),
        _ => replace(&target, bytes, durability),
    }
}

fn write_through(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| Error::io(path, e))
}

fn replace(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".mtfix-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io(temp.path(), e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(temp.path(), meta.permissions())
            .map_err(|e| Error::io(temp.path(), e))?;
    }
    if durability == Durability::Synced {
        temp.as_file()
            .sync_all()
            .map_err(|e| Error::io(temp.path(), e))?;
    }
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new", Durability::Synced).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn devices_are_written_through_not_replaced() {
        write_atomic(Path::new("/dev/null"), b"x", Durability::Synced).unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn symbolic_links_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new", Durability::Synced).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn creates_parent_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x/y/z.txt");
        write_atomic(&path, b"ok", Durability::Unsynced).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"ok");
    }
}
