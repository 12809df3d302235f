//! The corpus. Lists the articles under the inputs, sorted, so that every later
//! stage sees them in the same order whatever the file system or the thread count.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// One article to process.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Article {
    /// Position of its INPUT on the command line (inputs keep their order).
    pub input: usize,
    /// Path relative to that INPUT (its file name when the INPUT is a file); this is what
    /// the log records.
    pub relative: PathBuf,
    /// Path to open.
    pub path: PathBuf,
}

impl Article {
    /// The relative path with `/` separators, as logged: [`escape_name`]d, so that
    /// every file has a name of its own that a spreadsheet keeps.
    pub fn log_name(&self) -> String {
        let mut name = String::new();
        for (i, component) in self.relative.components().enumerate() {
            if i > 0 {
                name.push('/');
            }
            escape_name(component.as_os_str().as_encoded_bytes(), &mut name);
        }
        name
    }
}

/// Appends a file name's bytes to `out` as text: a byte that is not part of valid UTF-8
/// and a control character (U+0000 to U+001F, U+007F) as `\xNN` (two lower-case hex
/// digits), a backslash as `\\`, anything else as it is. Lossy decoding would give two
/// names in Latin-1 the same `�`, and a spreadsheet turns a CR in a cell into a line
/// feed; [`unescape_name`] gives back the bytes.
fn escape_name(bytes: &[u8], out: &mut String) {
    use std::fmt::Write;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_control() => write!(out, "\\x{:02x}", c as u8).unwrap_or(()),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            write!(out, "\\x{b:02x}").unwrap_or(());
        }
    }
}

/// The path a logged file name stands for: [`escape_name`] undone. A backslash not
/// followed by a backslash or by `x` and two hex digits is kept as it is (logs written
/// before the escape).
pub(crate) fn unescape_name(name: &str) -> PathBuf {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], bytes.get(i + 1), hex) {
            (b'\\', Some(b'\\'), _) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', Some(b'x'), Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(out))
}

/// The articles under `inputs` and the errors met while walking (an unreadable folder,
/// a missing input), which do not stop the run.
pub fn list(inputs: &[PathBuf], extensions: &[String], follow: bool) -> (Vec<Article>, Vec<Error>) {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    for entry in walk(inputs, extensions, follow, Arc::default()) {
        match entry {
            Ok(article) => articles.push(article),
            Err(error) => errors.push(error),
        }
    }
    (articles, errors)
}

/// The articles under `inputs`, in order, with the errors met on the way where they
/// come: inputs in command-line order, each folder walked depth first with its entries
/// sorted by name, which is the order of the relative paths (a sorted list), without
/// holding the list. A corpus of millions of files then starts at once and never holds
/// all its paths in memory. Once `stop` is set, the walk ends without reading further
/// folders.
pub(crate) fn walk<'a>(
    inputs: &'a [PathBuf],
    extensions: &'a [String],
    follow: bool,
    stop: Arc<AtomicBool>,
) -> impl Iterator<Item = Result<Article, Error>> + Send + 'a {
    inputs.iter().enumerate().flat_map(move |(input, root)| {
        let articles: Box<dyn Iterator<Item = Result<Article, Error>> + Send> =
            match std::fs::metadata(root) {
                Err(e) => Box::new(std::iter::once(Err(Error::io(root, e)))),
                Ok(meta) if meta.is_dir() => {
                    Box::new(walk_folder(input, root, extensions, follow, stop.clone()))
                }
                Ok(meta) if is_device(&meta) => Box::new(std::iter::once(Err(Error::io(
                    root,
                    std::io::Error::other("a device, not an article (it may never end)"),
                )))),
                Ok(_) => Box::new(std::iter::once(Ok(Article {
                    input,
                    relative: root.file_name().map_or_else(|| root.clone(), PathBuf::from),
                    path: root.clone(),
                }))),
            };
        articles
    })
}

fn walk_folder<'a>(
    input: usize,
    root: &'a Path,
    extensions: &'a [String],
    follow: bool,
    stop: Arc<AtomicBool>,
) -> impl Iterator<Item = Result<Article, Error>> + Send + 'a {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        // Only ignore files inside the input count: a `.gitignore` in a parent folder, or
        // git's global excludes, would hide articles the user named.
        .parents(false)
        .git_global(false)
        .follow_links(follow)
        // Entries of a folder share its path up to their names, so comparing whole paths
        // as bytes orders them by name, without parsing both paths at every comparison
        // as `sort_by_file_name` does.
        .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
        .filter_entry(move |_| !stop.load(Ordering::Relaxed))
        .build();
    walker.filter_map(move |entry| {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return Some(Err(walk_error(root, e))),
        };
        if !entry.file_type().is_some_and(|t| t.is_file())
            || !has_extension(entry.path(), extensions)
        {
            return None;
        }
        let path = entry.into_path();
        Some(Ok(Article {
            input,
            relative: relative_to(root, &path).to_owned(),
            path,
        }))
    })
}

/// Whether the file name of `path` ends with `.` and one of `extensions` (lower case),
/// in any case. Read off the bytes: parsing the path into components for this, and for
/// [`relative_to`], would be a large part of the walk's own work.
/// Whether a file named as an input is a character or block device (`/dev/zero`), which
/// may never end.
fn is_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device() || meta.file_type().is_block_device()
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let name = bytes
        .rsplit(|&b| std::path::is_separator(char::from(b)))
        .next()
        .unwrap_or_default();
    match name.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => extensions
            .iter()
            .any(|e| e.as_bytes().eq_ignore_ascii_case(&name[dot + 1..])),
        _ => false,
    }
}

/// `path` without the `root` it was walked from: the walk joins names to the root as
/// given, so the root is a prefix of the text; components are compared only when that
/// fails (a path that is not UTF-8).
fn relative_to<'p>(root: &Path, path: &'p Path) -> &'p Path {
    let by_text = root.to_str().zip(path.to_str()).and_then(|(root, path)| {
        let rest = path.strip_prefix(root)?;
        let relative = rest.trim_start_matches(std::path::is_separator);
        (relative.len() < rest.len() || root.ends_with(std::path::is_separator)).then_some(relative)
    });
    by_text.map_or_else(|| path.strip_prefix(root).unwrap_or(path), Path::new)
}

fn walk_error(root: &Path, error: ignore::Error) -> Error {
    if let Some((ancestor, child)) = walk_loop(&error) {
        let message = format!(
            "a symbolic link loop: it leads back to `{}`, a folder above it; not walked again",
            ancestor.display()
        );
        return Error::io(child, std::io::Error::other(message));
    }
    let path = walk_error_path(&error).unwrap_or(root).to_owned();
    let source = match error.into_io_error() {
        Some(io) => io,
        None => std::io::Error::other("cannot walk this folder"),
    };
    Error::io(path, source)
}

/// The folder a link loop leads back to, and the link.
fn walk_loop(error: &ignore::Error) -> Option<(&Path, &Path)> {
    match error {
        ignore::Error::Loop { ancestor, child } => Some((ancestor, child)),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_loop(err),
        _ => None,
    }
}

fn walk_error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_names_are_escaped_and_read_back() {
        use std::os::unix::ffi::OsStrExt;
        let cases: [(&[u8], &str); 4] = [
            (b"d/\xe9t\xe9.txt", "d/\\xe9t\\xe9.txt"),
            ("d/été.txt".as_bytes(), "d/été.txt"),
            (b"a\rb\n\x7f.txt", "a\\x0db\\x0a\\x7f.txt"),
            (b"a\\xe9.txt", "a\\\\xe9.txt"),
        ];
        for (bytes, logged) in cases {
            let relative = PathBuf::from(std::ffi::OsStr::from_bytes(bytes));
            let article = Article {
                input: 0,
                path: relative.clone(),
                relative: relative.clone(),
            };
            assert_eq!(article.log_name(), logged);
            assert_eq!(unescape_name(logged), relative);
        }
        // A backslash that escapes nothing (a log written before the escape).
        assert_eq!(unescape_name("a\\b\\xz"), Path::new("a\\b\\xz"));
    }

    #[test]
    fn extensions_and_relative_paths_are_read_off_the_text() {
        let txt = ["txt".to_string(), "md".to_string()];
        for (path, expected) in [
            ("a/b.txt", true),
            ("a/b.TXT", true),
            ("a.md/b.Md", true),
            ("a/b.txt.bak", false),
            ("a.txt/b", false),
            ("a/.txt", false),
            ("b.", false),
            ("a/b.html", false),
        ] {
            assert_eq!(has_extension(Path::new(path), &txt), expected, "{path}");
        }
        for (root, path, relative) in [
            ("corpus", "corpus/a/b.txt", "a/b.txt"),
            ("corpus/", "corpus/a.txt", "a.txt"),
            (".", "./a.txt", "a.txt"),
            ("/abs/c", "/abs/c/x/y.md", "x/y.md"),
        ] {
            assert_eq!(
                relative_to(Path::new(root), Path::new(path)),
                Path::new(relative)
            );
        }
    }

    /// A temporary folder holding a file `x` at each of `names`.
    fn tree(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        dir
    }

    #[test]
    fn lists_sorted_articles_skipping_hidden_ignored_and_other_extensions() {
        let dir = tree(&[
            "b.txt",
            "a/z.md",
            "a/y.TXT",
            ".hidden.txt",
            "skip.txt",
            "data.csv",
        ]);
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "skip.txt\n").unwrap();
        let exts = vec!["txt".to_owned(), "md".to_owned()];
        let (articles, errors) = list(&[root.to_owned()], &exts, false);
        assert!(errors.is_empty());
        let names: Vec<_> = articles.iter().map(Article::log_name).collect();
        assert_eq!(names, ["a/y.TXT", "a/z.md", "b.txt"]);
    }

    #[test]
    fn the_walk_gives_the_order_of_sorted_relative_paths() {
        // Names whose byte order differs from the order of paths: `a/x` comes before
        // `a.txt` and `a-b` (component by component), `B` before `a`.
        let dir = tree(&[
            "a.txt",
            "a-b.txt",
            "a/x.txt",
            "a/b/c.txt",
            "B.txt",
            "ab/é.txt",
            "a0.txt",
        ]);
        let root = dir.path();
        let exts = vec!["txt".to_owned()];
        let (articles, errors) = list(&[root.to_owned(), root.join("a")], &exts, false);
        assert!(errors.is_empty());
        let mut sorted = articles.clone();
        sorted.sort();
        assert_eq!(articles, sorted);
        assert_eq!(articles.len(), 9);
    }

    #[test]
    fn a_missing_input_is_an_error_not_a_stop() {
        let (articles, errors) = list(&[PathBuf::from("no/such/dir")], &[], false);
        assert!(articles.is_empty());
        assert!(errors[0].to_string().starts_with("no/such/dir: "));
    }
}
