//! The one place that writes files: through a temporary file in the same
//! folder, flushed to disk, then renamed over the target, so a crash or a full disk leaves
//! either the old file or the complete new one, never a half-written one.

use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Whether a write must reach the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// fsync before the rename: replacing a user's file (`--in-place`, the log), where a
    /// crash must leave the old or the new content, never an empty file.
    Synced,
    /// Rename without fsync: a new copy under `--out`, which a rerun regenerates. Readers
    /// still never see a half-written file; fsync per file would cost more than the
    /// whole correction.
    Unsynced,
}

/// What a file looked like when it was read, to notice that it changed before it is
/// replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode: meta.ino(),
        }
    }
}

/// A file being written next to its target, which replaces the target on
/// [`AtomicFile::commit`] and disappears if dropped uncommitted.
pub(crate) struct AtomicFile {
    target: PathBuf,
    writer: BufWriter<NamedTempFile>,
    /// Whether the target may exist and be replaced (in place), rather than being a new
    /// copy (under `--out`), which skips looking at the target before the rename.
    replacing: bool,
}

/// A temporary file's name starts and ends so: hidden, and found again by
/// [`remove_leftovers`].
pub(crate) const TEMP_PREFIX: &str = ".mtfix-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// Writes of at least this many bytes skip the buffer when it is empty.
const DIRECT_WRITE: usize = 4096;

impl AtomicFile {
    /// Starts writing the file that will replace `path` (for a symbolic link, the file it
    /// points to), creating missing parent folders.
    pub(crate) fn create(path: &Path) -> Result<AtomicFile> {
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        AtomicFile::start(target, None, true)
    }

    /// Starts writing a corrected copy at `path` (under `--out`), with the permissions of
    /// the article it copies (`like`); a new file would otherwise be readable by its owner
    /// only.
    pub(crate) fn create_copy(path: &Path, like: &Metadata) -> Result<AtomicFile> {
        AtomicFile::start(path.to_owned(), Some(like.permissions()), false)
    }

    fn start(
        target: PathBuf,
        permissions: Option<std::fs::Permissions>,
        replacing: bool,
    ) -> Result<AtomicFile> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
        if let Some(permissions) = permissions {
            builder.permissions(permissions);
        }
        // The folder usually exists: try first, create it only when missing (a
        // `create_dir_all` for every file of a corpus cost two system calls each).
        let temp = match builder.tempfile_in(&parent) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
                builder.tempfile_in(&parent)
            }
            created => created,
        }
        .map_err(|e| Error::io(&parent, e))?;
        Ok(AtomicFile {
            target,
            writer: BufWriter::with_capacity(1 << 16, temp),
            replacing,
        })
    }

    /// Appends bytes. A whole article goes straight to the file: through the buffer,
    /// every byte of a corpus would be copied once more.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let result = match self.writer.buffer().is_empty() && bytes.len() >= DIRECT_WRITE {
            true => self.writer.get_mut().write_all(bytes),
            false => self.writer.write_all(bytes),
        };
        // The error names the file being written, not its temporary copy.
        result.map_err(|e| Error::io(&self.target, e))
    }

    /// Replaces the target: keeps its permissions, owner and group, keeps the original
    /// as `<target><suffix>` when `backup` is given, and refuses (leaving the target as it
    /// is) when `unchanged` is given and the target no longer matches it.
    pub(crate) fn commit(
        self,
        durability: Durability,
        unchanged: Option<Stamp>,
        backup: Option<&OsStr>,
    ) -> Result<()> {
        self.prepare(durability)?.commit(unchanged, backup)
    }

    /// Writes the content out (and, when synced, to the disk) and closes the file, which
    /// waits beside its target for [`Prepared::commit`]: `--in-place` renames an article
    /// into place only once its log rows are on the disk.
    pub(crate) fn prepare(self, durability: Durability) -> Result<Prepared> {
        let target = self.target;
        let temp = self
            .writer
            .into_inner()
            .map_err(|e| Error::io(&target, e.into_error()))?;
        if durability == Durability::Synced {
            temp.as_file()
                .sync_all()
                .map_err(|e| Error::io(&target, e))?;
        }
        Ok(Prepared {
            target,
            temp: temp.into_temp_path(),
            replacing: self.replacing,
            durability,
        })
    }
}

/// Bytes written as they come, for writers that take a [`Write`] (errors are not named
/// after the target here: the caller names them).
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// The complete new content of a file, on the disk beside its target, not yet renamed
/// over it; removed if dropped uncommitted.
#[derive(Debug)]
pub(crate) struct Prepared {
    target: PathBuf,
    temp: tempfile::TempPath,
    replacing: bool,
    durability: Durability,
}

impl Prepared {
    /// Renames the new content over the target (see [`AtomicFile::commit`]). The target
    /// is looked at right before the rename, so a change made while the article was being
    /// corrected is seen; one made in the microseconds between that look and the rename
    /// is not (no portable way closes that window).
    pub(crate) fn commit(self, unchanged: Option<Stamp>, backup: Option<&OsStr>) -> Result<()> {
        let Prepared {
            target,
            temp,
            replacing,
            durability,
        } = self;
        // Errors name the article, not the temporary file, which is removed.
        let io = |e| Error::io(&target, e);
        let current = replacing.then(|| std::fs::metadata(&target).ok()).flatten();
        if let Some(meta) = &current {
            use std::os::unix::fs::MetadataExt;
            std::fs::set_permissions(&temp, meta.permissions()).map_err(io)?;
            let ours = std::fs::metadata(&temp).map_err(io)?;
            if (ours.uid(), ours.gid()) != (meta.uid(), meta.gid()) {
                // Only root (or the owner, for its groups) may: elsewhere the file keeps
                // the owner of whoever runs mtfix, as any editor would leave it.
                let _ = std::os::unix::fs::chown(&temp, Some(meta.uid()), Some(meta.gid()));
            }
        }
        if let Some(expected) = unchanged
            && current.as_ref().map(Stamp::of) != Some(expected)
        {
            return Err(Error::Article {
                path: target,
                line: 1,
                column: 1,
                message: "changed on disk while mtfix was processing it; not overwritten".into(),
            });
        }
        if let (Some(suffix), Some(_)) = (backup, &current) {
            keep_backup(&target, suffix)?;
        }
        temp.persist(&target).map_err(|e| io(e.error))?;
        if durability == Durability::Synced {
            sync_folder(&target);
        }
        Ok(())
    }
}

/// Keeps the file about to be replaced as `<path><suffix>`. A hard link costs nothing and
/// keeps the original inode intact, since the replacement is renamed over the path.
///
/// A backup never replaces an existing file (an earlier backup, or another article whose
/// name the suffix happens to give): the article is then not rewritten, and the error
/// says why.
fn keep_backup(path: &Path, suffix: &OsStr) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    let backup = PathBuf::from(name);
    let exists = |backup: &Path| Error::Article {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: format!(
            "its backup {} already exists and is never replaced; not rewritten",
            backup.display()
        ),
    };
    match std::fs::hard_link(path, &backup) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists(&backup)),
        // A file system without hard links: a copy, created only if the name is free.
        Err(_) => {
            let copy = match File::create_new(&backup) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(exists(&backup));
                }
                created => created.map_err(|e| Error::io(&backup, e))?,
            };
            copy_backup(path, copy, &backup)
        }
    }
}

/// Copies the article at `path` into `copy`, its backup just created at `backup`. A copy
/// that fails is removed: left empty or cut, it would pass for a backup, and the next run
/// would refuse to replace it.
fn copy_backup(path: &Path, mut copy: File, backup: &Path) -> Result<()> {
    let copied = File::open(path)
        .map_err(|e| Error::io(path, e))
        .and_then(|mut original| {
            std::io::copy(&mut original, &mut copy)
                .and_then(|_| copy.sync_all())
                .map_err(|e| Error::io(backup, e))
        });
    if copied.is_err() {
        drop(copy);
        let _ = std::fs::remove_file(backup);
    }
    copied
}

/// The log file: written as it goes through an [`AtomicFile`]; as a journal beside its
/// final name (`--in-place`, [`LogFile::create_journal`]); or straight through when the
/// path is not a regular file (`/dev/null`, `/dev/stdout`).
pub(crate) enum LogFile {
    Atomic(AtomicFile),
    Journal(Journal),
    Through(File),
}

/// The log of an in-place run while it runs: `<log>.partial`, a visible name, synced
/// before any article it lists is renamed into place. A run that ends renames it to the
/// log's name; a run killed leaves it, and it lists every article that run rewrote.
pub(crate) struct Journal {
    path: PathBuf,
    target: PathBuf,
    writer: BufWriter<File>,
    /// Whether an article was renamed into place after rows of this journal were synced:
    /// then the journal is the only record of the change and is never removed.
    needed: bool,
}

impl LogFile {
    pub(crate) fn create(path: &Path) -> Result<LogFile> {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(LogFile::Through)
                .map_err(|e| Error::io(path, e)),
            _ => {
                let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
                // A new log is created with the umask's mode, like any file a user makes.
                let mode = std::os::unix::fs::PermissionsExt::from_mode(0o666);
                AtomicFile::start(target, Some(mode), true).map(LogFile::Atomic)
            }
        }
    }

    /// The log of an in-place run, written as a journal (see [`Journal`]). A journal left
    /// by an interrupted run is never overwritten: the user is told what it is.
    pub(crate) fn create_journal(path: &Path) -> Result<LogFile> {
        if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir()) {
            return LogFile::create(path);
        }
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let mut name = target.as_os_str().to_owned();
        name.push(".partial");
        let journal = PathBuf::from(name);
        let file = match File::create_new(&journal) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::Usage(format!(
                    "{} exists: an earlier in-place run was interrupted, and it lists every \
                     article that run rewrote (`mtfix revert --log {} INPUT... --in-place` \
                     undoes them). Move it away to run again.",
                    journal.display(),
                    journal.display()
                )));
            }
            created => created.map_err(|e| Error::io(&journal, e))?,
        };
        sync_folder(&journal);
        Ok(LogFile::Journal(Journal {
            path: journal,
            target,
            writer: BufWriter::with_capacity(1 << 16, file),
            needed: false,
        }))
    }

    /// Puts what was written on the disk, before the articles it lists are renamed into
    /// place. Only a journal does anything.
    pub(crate) fn sync(&mut self) -> Result<()> {
        match self {
            LogFile::Journal(journal) => {
                let io = |e| Error::io(&journal.path, e);
                journal.writer.flush().map_err(io)?;
                journal.writer.get_ref().sync_data().map_err(io)?;
                journal.needed = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Puts the complete log in place: as written, or, for an `.xlsx` log, as the
    /// workbook of the CSV rows written (see [`LogFile::commit_workbook`]).
    pub(crate) fn commit(self, durability: Durability) -> Result<()> {
        if self.target().is_some_and(crate::output::xlsx::is_xlsx) {
            return self.commit_workbook(durability);
        }
        match self {
            LogFile::Atomic(file) => file.commit(durability, None, None),
            LogFile::Journal(mut journal) => {
                let io = |e| Error::io(&journal.path, e);
                journal.writer.flush().map_err(io)?;
                journal.writer.get_ref().sync_all().map_err(io)?;
                std::fs::rename(&journal.path, &journal.target).map_err(io)?;
                sync_folder(&journal.target);
                journal.needed = false;
                Ok(())
            }
            LogFile::Through(_) => Ok(()),
        }
    }

    /// The file the complete log replaces.
    fn target(&self) -> Option<&Path> {
        match self {
            LogFile::Atomic(file) => Some(&file.target),
            LogFile::Journal(journal) => Some(&journal.target),
            LogFile::Through(_) => None,
        }
    }

    /// Puts an `.xlsx` log in place: the workbook is made from the CSV rows written (the
    /// journal, or the temporary file), put in place as any file is, and only then is
    /// the CSV let go. A workbook that cannot be made (a cell or a sheet too large for a
    /// spreadsheet, a full disk) leaves the rows as CSV in `<log>.partial`, which the
    /// error names: a journal stays where it is, a temporary file is renamed so.
    fn commit_workbook(mut self, durability: Durability) -> Result<()> {
        let (Some(target), Some(csv)) = (self.target(), self.written_path()) else {
            return Ok(());
        };
        let (target, csv) = (target.to_owned(), csv.to_owned());
        self.flush().map_err(|e| Error::io(&csv, e))?;
        let made = crate::output::xlsx::workbook_of_csv(&csv, &target).and_then(|bytes| {
            let mode = std::os::unix::fs::PermissionsExt::from_mode(0o666);
            let mut file = AtomicFile::start(target.clone(), Some(mode), true)?;
            file.write(&bytes)?;
            file.commit(durability, None, None)
        });
        let Err(error) = made else {
            self.discard();
            return Ok(());
        };
        let mut kept = target.as_os_str().to_owned();
        kept.push(".partial");
        let kept = PathBuf::from(kept);
        let kept_as = match self {
            LogFile::Journal(mut journal) => {
                journal.needed = true;
                Ok(())
            }
            LogFile::Atomic(file) => file
                .writer
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|temp| temp.persist_noclobber(&kept).map(drop).map_err(|e| e.error)),
            LogFile::Through(_) => Ok(()),
        };
        let kept = match kept_as {
            Ok(()) => format!(
                "; its rows are kept as CSV in {} (`apply`, `undo`, `revert` and `review` \
                 read it; rename it .csv to open it in a spreadsheet)",
                kept.display()
            ),
            Err(e) => format!("; its rows could not be kept in {}: {e}", kept.display()),
        };
        let error = match error {
            Error::Io { path, source } if path == target => source.to_string(),
            error => error.to_string(),
        };
        Err(Error::io(
            target,
            std::io::Error::other(format!("{error}{kept}")),
        ))
    }

    /// Lets go of a log replaced by another: its temporary file or journal is removed.
    pub(crate) fn discard(self) {
        if let LogFile::Journal(mut journal) = self {
            journal.needed = false;
        }
    }

    /// Where the rows written so far are, to read them back.
    pub(crate) fn written_path(&self) -> Option<&Path> {
        match self {
            LogFile::Atomic(file) => Some(file.writer.get_ref().path()),
            LogFile::Journal(journal) => Some(&journal.path),
            LogFile::Through(_) => None,
        }
    }
}

/// A journal no article depends on (the run failed before renaming one) is removed; one
/// that lists renamed articles stays, under its visible name.
impl Drop for Journal {
    fn drop(&mut self) {
        if !self.needed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            LogFile::Atomic(file) => file.writer.write(buf),
            LogFile::Journal(journal) => journal.writer.write(buf),
            LogFile::Through(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            LogFile::Atomic(file) => file.writer.flush(),
            LogFile::Journal(journal) => journal.writer.flush(),
            LogFile::Through(file) => file.flush(),
        }
    }
}

/// Locks the folders an in-place run rewrites (each input folder, or a file input's
/// folder) against a second mtfix doing the same: two runs that read one article would
/// each rewrite it from the original, and the second rename would drop the first's
/// corrections (the on-disk check catches most of these, the lock all of them). The locks
/// are advisory (`flock`): an editor saving an article meanwhile is caught by the on-disk
/// check only. They are released when the returned files are dropped.
pub(crate) fn lock_folders(inputs: &[PathBuf]) -> Result<Vec<File>> {
    let mut locks = Vec::new();
    for input in inputs {
        let folder = match input.is_dir() {
            true => input.clone(),
            false => match input.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            },
        };
        let file = File::open(&folder).map_err(|e| Error::io(&folder, e))?;
        match file.try_lock() {
            Ok(()) => locks.push(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Usage(format!(
                    "{}: another mtfix is rewriting articles here; wait for it to end",
                    folder.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&folder, e)),
        }
    }
    Ok(locks)
}

/// Removes the temporary files an interrupted run left in the input folders (a killed
/// in-place run leaves each corrected article it had not renamed yet as
/// `.mtfix-XXXXXX.tmp` beside its original), and returns how many. Run under the locks
/// of [`lock_folders`], so no other mtfix is writing there. Hidden folders are not
/// entered, nor symbolic links followed, as the walk does not.
pub(crate) fn remove_leftovers(inputs: &[PathBuf]) -> usize {
    let mut removed = 0;
    let mut folders: Vec<PathBuf> = inputs.iter().filter(|p| p.is_dir()).cloned().collect();
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.as_encoded_bytes();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && !name.starts_with(b".") {
                folders.push(entry.path());
            } else if kind.is_file()
                && name.starts_with(TEMP_PREFIX.as_bytes())
                && name.ends_with(TEMP_SUFFIX.as_bytes())
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

/// Makes a rename durable; failure only weakens durability, so it is not an error.
fn sync_folder(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(parent).and_then(|f| f.sync_all());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole write of one file, as `--in-place` does it.
    fn write(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
        let mut file = AtomicFile::create(path)?;
        file.write(bytes)?;
        file.commit(durability, None, None)
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The copy that stands in for a hard link on a file system without them: a copy
    /// that fails (here, of a folder, which opens but cannot be read) leaves no backup
    /// behind; one that succeeds holds the article.
    #[test]
    fn a_backup_copy_that_fails_leaves_no_backup() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("a.txt~");
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        let copy = File::create_new(&backup).unwrap();
        assert!(copy_backup(&folder, copy, &backup).is_err());
        assert!(!backup.exists(), "a failed copy is removed");
        let article = dir.path().join("a.txt");
        std::fs::write(&article, "original").unwrap();
        let copy = File::create_new(&backup).unwrap();
        copy_backup(&article, copy, &backup).unwrap();
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), "original");
    }

    #[test]
    fn replaces_content_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new", Durability::Synced).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(entries(dir.path()), ["a.txt"], "no temp file left");
    }

    #[test]
    fn a_failed_write_leaves_the_original_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "original").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write(b"half of the new ").unwrap();
        // A full disk or a crash before the commit: the temp file is dropped.
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "original");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "original").unwrap();
        let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
        std::fs::write(&path, "edited by someone else").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write(b"corrected").unwrap();
        let error = file
            .commit(Durability::Synced, Some(stamp), None)
            .unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "edited by someone else"
        );
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn backup_keeps_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "original").unwrap();
        let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
        let mut file = AtomicFile::create(&path).unwrap();
        file.write(b"corrected").unwrap();
        file.commit(Durability::Synced, Some(stamp), Some(OsStr::new(".orig")))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "corrected");
        let backup = dir.path().join("a.txt.orig");
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "original");
    }

    #[test]
    fn a_log_on_a_device_is_written_through_not_replaced() {
        let mut log = LogFile::create(Path::new("/dev/null")).unwrap();
        log.write_all(b"x").unwrap();
        log.commit(Durability::Synced).unwrap();
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
        write(&link, b"new", Durability::Synced).unwrap();
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
        write(&path, b"ok", Durability::Unsynced).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"ok");
    }
}
