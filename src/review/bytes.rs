//! An article's bytes as `apply`, `undo` and `revert` go through them: copied up to each
//! row's place, looked at there, and replaced, in one forward pass, so that a file of
//! any size is rewritten holding a block of it ([`Source`]). What a pass writes goes to
//! a [`std::io::Write`]: the new file, a hash ([`HashSink`]), or both, compared with the
//! file as it is ([`Compare`]).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::article::{CHUNK_LEN, WHOLE_FILE_LIMIT};
use crate::error::{Error, Result};
use crate::output::logfile;

/// How much a [`Source`] reads at a time.
const BLOCK: usize = 1 << 16;

/// An article as the review reads it: held whole up to [`WHOLE_FILE_LIMIT`], as `fix`
/// holds it, read from its file again for each pass when larger. Tests lower the limit
/// with `MTFIX_REVIEW_HOLD_BYTES` (see [`super::lowered`]), so that both ways are held
/// to the same result on small articles.
pub(crate) struct Input {
    path: PathBuf,
    held: Option<Vec<u8>>,
}

impl Input {
    /// The article at `path`, whose size is `len`.
    pub(crate) fn open(path: &Path, len: u64) -> Result<Input> {
        static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let limit = super::lowered(&LIMIT, "MTFIX_REVIEW_HOLD_BYTES", WHOLE_FILE_LIMIT);
        let held = match len > limit {
            true => None,
            false => Some(std::fs::read(path).map_err(|e| Error::io(path, e))?),
        };
        Ok(Input {
            path: path.to_owned(),
            held,
        })
    }

    /// Its bytes from the start.
    pub(crate) fn source(&self) -> Result<Source<'_>> {
        let read: Box<dyn Read + '_> = match &self.held {
            Some(bytes) => Box::new(&bytes[..]),
            None => Box::new(std::fs::File::open(&self.path).map_err(|e| self.error(e))?),
        };
        Ok(Source::new(read))
    }

    /// Its first bytes, enough to decide its encoding by (see
    /// [`crate::input::encoding::detect_blocks`]).
    pub(crate) fn head(&self) -> Result<Vec<u8>> {
        let mut head = Vec::new();
        self.source()?
            .read
            .take(CHUNK_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|e| self.error(e))?;
        Ok(head)
    }

    /// The whole article in memory: what finding rows again by their sentence needs.
    pub(crate) fn whole(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match &self.held {
            Some(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            None => std::fs::read(&self.path)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| self.error(e)),
        }
    }

    /// The article's bytes, if it is held whole.
    pub(crate) fn held(&self) -> Option<&[u8]> {
        self.held.as_deref()
    }

    /// The article's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// An I/O error of the article, naming it.
    pub(crate) fn error(&self, e: std::io::Error) -> Error {
        Error::io(&self.path, e)
    }
}

/// Bytes read forward, with a look ahead at the bytes to come.
pub(crate) struct Source<'a> {
    read: Box<dyn Read + 'a>,
    buffer: Vec<u8>,
    /// Where the bytes to come start in `buffer`.
    start: usize,
    /// The offset of `buffer[start]` in the bytes.
    offset: u64,
    eof: bool,
}

impl<'a> Source<'a> {
    pub(crate) fn new(read: Box<dyn Read + 'a>) -> Source<'a> {
        Source {
            read,
            buffer: Vec::new(),
            start: 0,
            offset: 0,
            eof: false,
        }
    }

    /// How far the bytes were read (copied or skipped).
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads until `want` bytes are ahead or the bytes end.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while self.buffer.len() - self.start < want && !self.eof {
            if self.start > 0 {
                self.buffer.drain(..self.start);
                self.start = 0;
            }
            let len = self.buffer.len();
            self.buffer.resize(len + BLOCK.max(want - len), 0);
            let read = loop {
                match self.read.read(&mut self.buffer[len..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    read => break read,
                }
            };
            let n = read.inspect_err(|_| self.buffer.truncate(len))?;
            self.buffer.truncate(len + n);
            self.eof = n == 0;
        }
        Ok(())
    }

    /// The next `len` bytes, fewer where the bytes end.
    pub(crate) fn peek(&mut self, len: usize) -> std::io::Result<&[u8]> {
        self.fill(len)?;
        let end = (self.start + len).min(self.buffer.len());
        Ok(&self.buffer[self.start..end])
    }

    /// Passes `len` bytes that [`Source::peek`] showed.
    pub(crate) fn skip(&mut self, len: usize) {
        self.start += len;
        self.offset += len as u64;
    }

    /// Copies the bytes up to offset `at` to `sink`; tells whether there were that many.
    pub(crate) fn copy_to(&mut self, at: u64, sink: &mut dyn Write) -> std::io::Result<bool> {
        while self.offset < at {
            if self.start == self.buffer.len() {
                self.fill(1)?;
                if self.start == self.buffer.len() {
                    return Ok(false);
                }
            }
            let ahead = self.buffer.len() - self.start;
            let n = ahead.min(usize::try_from(at - self.offset).unwrap_or(usize::MAX));
            sink.write_all(&self.buffer[self.start..self.start + n])?;
            self.skip(n);
        }
        Ok(true)
    }

    /// Copies the rest of the bytes to `sink`.
    pub(crate) fn copy_rest(&mut self, sink: &mut dyn Write) -> std::io::Result<()> {
        self.copy_to(u64::MAX, sink).map(|_| ())
    }
}

/// A sink that hashes what it is given, to tell whether it has the content hash a log
/// recorded ([`logfile::is_hash`] decides, as for an article held whole): the BLAKE3 hash
/// is computed too only when the log's hash may be one ([`logfile::may_be_legacy`]).
pub(crate) struct HashSink {
    expected: String,
    current: logfile::FileHasher,
    legacy: Option<blake3::Hasher>,
}

impl HashSink {
    pub(crate) fn new(expected: &str) -> HashSink {
        HashSink {
            expected: expected.to_owned(),
            current: logfile::FileHasher::default(),
            legacy: logfile::may_be_legacy(expected).then(blake3::Hasher::new),
        }
    }

    /// Whether what it was given has the hash expected.
    pub(crate) fn matches(&self) -> bool {
        let legacy = || match &self.legacy {
            Some(hasher) => hasher.finalize().to_hex().to_string(),
            None => String::new(),
        };
        logfile::is_hash(&self.expected, || self.current.finish(), legacy)
    }
}

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.current.update(buf);
        if let Some(legacy) = &mut self.legacy {
            legacy.update(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A sink that passes what it is given on, and tells whether it differs from the bytes
/// of `original`.
pub(crate) struct Compare<'a, W: Write> {
    pub(crate) inner: W,
    original: Source<'a>,
    differs: bool,
}

impl<'a, W: Write> Compare<'a, W> {
    pub(crate) fn new(inner: W, original: Source<'a>) -> Self {
        Compare {
            inner,
            original,
            differs: false,
        }
    }

    /// Whether what it was given differs from the original, whole.
    pub(crate) fn differs(&mut self) -> std::io::Result<bool> {
        Ok(self.differs || !self.original.peek(1)?.is_empty())
    }
}

impl<W: Write> Write for Compare<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.differs {
            if self.original.peek(buf.len())? == buf {
                self.original.skip(buf.len());
            } else {
                self.differs = true;
            }
        }
        self.inner.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The original the log was made from, made from a file in another state before the
/// accepted rows are applied to it: held for an article held whole, else in a temporary
/// file. In place, beside the article (named as [`crate::output::atomic`] names them, so
/// that a killed run's is found and removed by the next in-place run); under `--out`, in
/// the system's temporary folder, since the input folder may be read-only and no later
/// run would clean it.
pub(crate) enum Original {
    Held(Vec<u8>),
    Spilled(std::io::BufWriter<tempfile::NamedTempFile>),
}

impl Original {
    pub(crate) fn new(input: &Input, in_place: bool) -> Result<Original> {
        if let Some(bytes) = input.held() {
            return Ok(Original::Held(Vec::with_capacity(bytes.len())));
        }
        let temp_dir = std::env::temp_dir();
        let folder = match input.path.parent() {
            _ if !in_place => temp_dir.as_path(),
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(crate::output::atomic::TEMP_PREFIX)
            .suffix(crate::output::atomic::TEMP_SUFFIX)
            .tempfile_in(folder)
            .map_err(|e| input.error(e))?;
        Ok(Original::Spilled(std::io::BufWriter::with_capacity(
            BLOCK, temp,
        )))
    }

    /// What was written, from the start.
    pub(crate) fn source(&mut self) -> std::io::Result<Source<'_>> {
        match self {
            Original::Held(bytes) => Ok(Source::new(Box::new(&bytes[..]))),
            Original::Spilled(writer) => {
                writer.flush()?;
                Ok(Source::new(Box::new(writer.get_ref().reopen()?)))
            }
        }
    }
}

impl Write for Original {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Original::Held(bytes) => bytes.write(buf),
            Original::Spilled(writer) => writer.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Original::Held(_) => Ok(()),
            Original::Spilled(writer) => writer.flush(),
        }
    }
}

/// A sink that may be none: what it is given then goes nowhere.
pub(crate) struct Optional<W: Write>(pub(crate) Option<W>);

impl<W: Write> Write for Optional<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            Some(inner) => inner.write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.0 {
            Some(inner) => inner.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_copies_looks_ahead_and_skips_across_blocks() {
        let bytes: Vec<u8> = (0..3 * BLOCK + 7).map(|i| (i % 251) as u8).collect();
        let mut source = Source::new(Box::new(&bytes[..]));
        let mut out = Vec::new();
        assert!(source.copy_to(BLOCK as u64 - 3, &mut out).unwrap());
        let ahead = source.peek(10).unwrap().to_vec();
        assert_eq!(ahead, bytes[BLOCK - 3..BLOCK + 7]);
        out.extend_from_slice(b"XY");
        source.skip(10);
        source.copy_rest(&mut out).unwrap();
        let mut expected = bytes[..BLOCK - 3].to_vec();
        expected.extend_from_slice(b"XY");
        expected.extend_from_slice(&bytes[BLOCK + 7..]);
        assert_eq!(out, expected);
        assert!(!source.copy_to(u64::MAX, &mut out).unwrap());
        assert!(source.peek(5).unwrap().is_empty());
    }

    #[test]
    fn compare_tells_a_copy_from_a_change_and_a_cut() {
        let original = b"L'IA profonde".repeat(10_000);
        for (given, differs) in [
            (original.clone(), false),
            (original[..original.len() - 1].to_vec(), true),
            ([&original[..], b"!"].concat(), true),
        ] {
            let mut sink = Compare::new(Vec::new(), Source::new(Box::new(&original[..])));
            for piece in given.chunks(4099) {
                sink.write_all(piece).unwrap();
            }
            assert_eq!(sink.differs().unwrap(), differs);
            assert_eq!(sink.inner, given);
        }
    }

    #[test]
    fn a_hash_sink_recognises_both_hashes() {
        let article = "Openai a publié chatppt.".as_bytes();
        for expected in [
            logfile::file_hash(article),
            blake3::hash(article).to_hex()[..32].to_owned(),
        ] {
            let mut sink = HashSink::new(&expected);
            sink.write_all(article).unwrap();
            assert!(sink.matches(), "{expected}");
            let mut other = HashSink::new(&expected);
            other.write_all(b"Openai").unwrap();
            assert!(!other.matches(), "{expected}");
        }
    }

    /// A log's hash is checked alike for an article held whole and one streamed: the
    /// current hash with or without its prefix, the BLAKE3 one of old logs only without
    /// it, nothing else.
    #[test]
    fn a_hash_sink_and_content_hashes_agree() {
        let article = "Openai a publié chatppt.".as_bytes();
        let current = logfile::file_hash(article);
        let blake3 = blake3::hash(article).to_hex()[..32].to_owned();
        let cases = [
            (current.clone(), true),
            (format!(" {current} "), true),
            (current.replace("xxh3:", ""), true),
            (blake3.clone(), true),
            (format!("xxh3:{blake3}"), false),
            (blake3[..31].to_owned(), false),
            (logfile::file_hash(b"Openai"), false),
            (String::new(), false),
        ];
        for (expected, matches) in cases {
            let mut sink = HashSink::new(&expected);
            sink.write_all(article).unwrap();
            let held = logfile::ContentHashes::of(article).matches(&expected);
            assert_eq!((sink.matches(), held), (matches, matches), "{expected:?}");
        }
    }
}
