//! The proof cache: a user's glossary whose text passed every regex check in this very
//! binary is not checked again. The checks (parsing every regex and condition and
//! compiling its NFA against the size limit) are most of the start-up with a large
//! glossary, and the record stream starts one process per partition of articles, each
//! reading the same glossary.
//!
//! A proof is a file named after the BLAKE3 hash of the binary's identity, the size
//! limit and the glossary's text, holding that hash: present and whole, the text is read
//! as the shipped glossaries are ([`Checks::Proven`](super::Checks::Proven)). The
//! binary's identity is its version, size, modification time and inode (what ccache's
//! default `compiler_check` trusts): a rebuilt or replaced binary proves again. The
//! cache is never required: a proof that cannot be read, or is not whole, is no proof,
//! and one that cannot be written is not written. A file whose text changed has another
//! hash, and is checked in full (with its errors' lines and columns) before any proof
//! of it is written.
//!
//! Where: `$MTFIX_PROOF_CACHE` if it names a folder (`off` turns the cache off), else
//! `$XDG_CACHE_HOME/mtfix/proofs`, else `~/.cache/mtfix/proofs`. A debug build uses
//! only a folder the variable names, so that tests never write under the home folder.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::output::atomic::{AtomicFile, Durability};

/// The variable that moves the cache to another folder, or turns it off (`off`).
pub(crate) const PROOF_CACHE_VAR: &str = "MTFIX_PROOF_CACHE";

/// Where proofs are kept, and what they are proofs for.
#[derive(Debug)]
pub(crate) struct Proofs {
    folder: PathBuf,
    /// The binary's identity and the checks' size limit, hashed first into every key.
    binary: String,
}

impl Proofs {
    /// The cache of this process, if it has one (see the module's documentation).
    pub(crate) fn get() -> Option<&'static Proofs> {
        static PROOFS: LazyLock<Option<Proofs>> = LazyLock::new(|| {
            let var = std::env::var_os(PROOF_CACHE_VAR).filter(|v| !v.is_empty());
            let folder = match var {
                Some(v) if v == "off" => return None,
                Some(v) => PathBuf::from(v),
                None if cfg!(debug_assertions) => return None,
                None => default_folder()?,
            };
            Proofs::new(folder, &std::env::current_exe().ok()?)
        });
        PROOFS.as_ref()
    }

    /// A cache in `folder` for the binary at `exe` (`None` if it cannot be looked at).
    fn new(folder: PathBuf, exe: &Path) -> Option<Proofs> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(exe).ok()?;
        let binary = format!(
            "mtfix {} {} {}.{:09} {}:{} {}",
            env!("CARGO_PKG_VERSION"),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.dev(),
            meta.ino(),
            super::REGEX_SIZE_LIMIT,
        );
        Some(Proofs { folder, binary })
    }

    /// The proof's name and content for `text`.
    fn key(&self, text: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.binary.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.finalize().to_hex().to_string()
    }

    /// Whether this binary proved `text` before.
    pub(crate) fn holds(&self, text: &str) -> bool {
        let key = self.key(text);
        std::fs::read(self.folder.join(&key)).is_ok_and(|content| content == key.as_bytes())
    }

    /// Records that `text` passed every check; silently does nothing if it cannot.
    pub(crate) fn record(&self, text: &str) {
        let key = self.key(text);
        let _ = AtomicFile::create(&self.folder.join(&key)).and_then(|mut file| {
            file.write(key.as_bytes())?;
            file.commit(Durability::Unsynced, None, None)
        });
    }
}

/// `$XDG_CACHE_HOME/mtfix/proofs` (an absolute path only, as the XDG specification
/// says), else `$HOME/.cache/mtfix/proofs`.
fn default_folder() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let cache = match xdg {
        Some(cache) => cache,
        None => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?).join(".cache"),
    };
    Some(cache.join("mtfix").join("proofs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proofs_in(folder: &Path) -> Proofs {
        Proofs::new(folder.to_owned(), &std::env::current_exe().unwrap()).unwrap()
    }

    #[test]
    fn a_proof_holds_for_the_same_text_only() {
        let dir = tempfile::tempdir().unwrap();
        let proofs = proofs_in(&dir.path().join("proofs"));
        let text = "pattern,replacement\nre:ab(c),x$1\n";
        assert!(!proofs.holds(text));
        proofs.record(text);
        assert!(proofs.holds(text));
        assert!(!proofs.holds("pattern,replacement\nre:ab(d),x$1\n"));
    }

    #[test]
    fn a_damaged_proof_is_none_and_an_unwritable_cache_no_error() {
        let dir = tempfile::tempdir().unwrap();
        let proofs = proofs_in(dir.path());
        let text = "pattern,replacement\nabc,x\n";
        proofs.record(text);
        let proof = dir.path().join(proofs.key(text));
        std::fs::write(&proof, &proofs.key(text)[..10]).unwrap();
        assert!(!proofs.holds(text), "a truncated proof");
        // A file where the folder should be: nothing is written, nothing fails.
        let blocked = proofs_in(&proof);
        blocked.record(text);
        assert!(!blocked.holds(text));
    }

    #[test]
    fn another_binary_proves_again() {
        let dir = tempfile::tempdir().unwrap();
        let text = "pattern,replacement\nabc,x\n";
        proofs_in(dir.path()).record(text);
        let other_exe = dir.path().join("other");
        std::fs::write(&other_exe, "another binary").unwrap();
        let other = Proofs::new(dir.path().to_owned(), &other_exe).unwrap();
        assert!(!other.holds(text));
    }
}
