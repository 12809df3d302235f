//! One article through the pipeline: read → decode → apply → encode → write. Runs on the
//! worker threads; it returns what happened and never prints.
//!
//! An article is read whole up to [`WHOLE_FILE_LIMIT`]; a larger plain-text article is
//! streamed in chunks of about [`CHUNK_LEN`] cut at blank lines (or, failing that, at line
//! breaks, and in a text without any, at sentence ends: see [`unbroken_end`]), so memory
//! stays bounded whatever the file size. No match and no sentence crosses a blank line,
//! so cutting there changes nothing.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::Metadata;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::config::{Config, Target};
use crate::correct::article_scope::ArticleFacts;
use crate::correct::markup::Format;
use crate::correct::matcher::Rules;
use crate::correct::{Options, Reused, Substitutions, rewrite, substitutions, substitutions_with};
use crate::error::{Error, Result};
use crate::input::encoding::{self, TextEncoding, Undecodable};
use crate::input::walk::Article;
use crate::output::atomic::{AtomicFile, Durability, Prepared, Stamp};
use crate::output::diff;
use crate::output::logfile::{self, FileHasher};
use crate::output::logfile::{Dialect, LogRow};
use crate::review::decisions::Decisions;

/// Articles up to this size are read whole; larger plain-text ones are streamed.
pub const WHOLE_FILE_LIMIT: u64 = 16 << 20;

/// Target size of a streamed chunk.
pub(crate) const CHUNK_LEN: usize = 4 << 20;

/// Processes one article; any error leaves its file untouched.
pub(crate) fn process(article: Article, rules: &Rules, config: &Config) -> FileOutcome {
    let result = process_file(&article, rules, config);
    FileOutcome { article, result }
}

fn process_file(article: &Article, rules: &Rules, config: &Config) -> Result<Processed> {
    let path = &article.path;
    let io = |e| Error::io(path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let format = Format::of(path);
    let options = Options {
        format,
        // Decisions are found again by the sentence of each change.
        context: config.log.is_some() || config.json || !config.decisions.is_empty(),
    };
    // Only a run that writes needs the metadata (a copy takes the article's permissions,
    // an in-place write checks that the file did not change meanwhile); `check` does not
    // ask for it, and learns that a text is too large to read whole by reading past the
    // limit (a system call fewer per article, a sixth of those `check` makes).
    let meta = match config.writes() {
        true => Some(file.metadata().map_err(io)?),
        false => None,
    };
    let streams = |len: u64| len > WHOLE_FILE_LIMIT && format == Format::Text;
    if let Some(meta) = meta.as_ref().filter(|meta| streams(meta.len())) {
        return stream(article, file, rules, config, options, meta);
    }
    let limit = (meta.is_none() && format == Format::Text).then_some(WHOLE_FILE_LIMIT);
    let expected = meta.as_ref().map_or(0, Metadata::len);
    let mut buffer = READ_BUFFER.take();
    let result = match read_all(&mut file, expected, limit, &mut buffer) {
        Ok(read) if limit.is_some() && streams(read as u64) => {
            // Read from the start again, in chunks.
            let restarted = file.seek(SeekFrom::Start(0)).and_then(|_| file.metadata());
            restarted
                .map_err(io)
                .and_then(|meta| stream(article, file, rules, config, options, &meta))
        }
        Ok(read) => {
            drop(file);
            let source = meta.as_ref().map_or(Source::Unwritten, Source::File);
            whole(article, &buffer[..read], rules, config, options, source)
        }
        Err(e) => Err(io(e)),
    };
    if buffer.capacity() <= KEPT_READ_BUFFER {
        READ_BUFFER.set(buffer);
    }
    result
}

thread_local! {
    /// The buffer a worker reads articles into, kept from one to the next: a new one per
    /// article would be a large block to allocate, and with two workers each allocation
    /// could wait for the lock of the heap the other worker's thread is freeing into. Its
    /// length is how much of it was ever written (see [`read_all`]).
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest read buffer a worker keeps (a larger article's is freed after it).
const KEPT_READ_BUFFER: usize = 1 << 20;

/// Reads `file` to its end into `buffer`, from its start, and returns how many bytes it
/// read; `expected` is the size the file had (0 if not known), and with a `limit` the
/// reading stops once past it. The buffer's length is the part of it ever written, which
/// the reads may overwrite as they are: it is zeroed only as it grows, not for every
/// article (`read_to_end` would ask the file for its size and position again, two system
/// calls of the ten an article costs; reading through `take` instead, without zeroing the
/// buffer, went in 8 KB steps: a system call more per article, which costs more than the
/// zeroing).
fn read_all(
    file: &mut std::fs::File,
    expected: u64,
    limit: Option<u64>,
    buffer: &mut Vec<u8>,
) -> std::io::Result<usize> {
    // One byte more than expected: a read finds the end without growing the buffer.
    let wanted = usize::try_from(expected).unwrap_or(0) + 1;
    if buffer.len() < wanted {
        buffer.resize(wanted, 0);
    }
    let past_limit = |filled: usize| limit.is_some_and(|limit| filled as u64 > limit);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize((2 * filled).max(READ_STEP), 0);
        }
        match file.read(&mut buffer[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        if past_limit(filled) {
            return Ok(filled);
        }
    }
}

/// The least a read buffer grows by: most articles then fit the first one.
const READ_STEP: usize = 64 << 10;

/// Corrects the article read from stdin (`-`): written to stdout by `fix -`, reported
/// only by `check -`. Its encoding is detected as a file's would be, and bytes that are
/// not text go through unchanged.
pub(crate) fn process_stdin(rules: &Rules, config: &Config) -> FileOutcome {
    let stdin = PathBuf::from("-");
    let article = Article {
        input: 0,
        relative: stdin.clone(),
        path: stdin,
    };
    let options = Options {
        format: Format::Text,
        context: config.log.is_some() || config.json,
    };
    let mut bytes = Vec::new();
    let result = std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&article.path, e))
        .and_then(|_| whole(&article, &bytes, rules, config, options, Source::Stdin));
    FileOutcome { article, result }
}

/// Where an article's bytes come from.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// A file, with its metadata: a copy under `--out` gets its permissions, and an
    /// in-place write checks that it did not change meanwhile.
    File(&'a Metadata),
    /// Standard input: the result goes to standard output.
    Stdin,
    /// A file the run does not write (`check`), read without its metadata.
    Unwritten,
}

impl<'a> Source<'a> {
    /// The file's metadata, if the run writes it.
    fn metadata(self) -> Option<&'a Metadata> {
        match self {
            Source::File(meta) => Some(meta),
            Source::Stdin | Source::Unwritten => None,
        }
    }
}

/// Where the result of an article goes: the one owner of that decision, for articles
/// read whole or streamed, corrected or skipped, by `fix` and by `apply`, `undo` and
/// `revert`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Destination<'a> {
    /// A copy under this `--out` folder, written whether the article changed or not, so
    /// that the folder holds the whole corpus; not fsynced (a rerun regenerates it).
    Copy(&'a Path),
    /// The article itself, only when it changed: written and fsynced beside it, then
    /// renamed over it ([`Pending`]) once its log rows are on the disk.
    InPlace,
    /// Standard output (`fix -`).
    Stdout,
    /// Nowhere (`check`).
    Nowhere,
}

impl<'a> Destination<'a> {
    /// The destination of `fix` and `check`.
    pub(crate) fn of(target: &'a Target) -> Destination<'a> {
        match target {
            Target::Out(dir) => Destination::Copy(dir),
            Target::InPlace => Destination::InPlace,
            Target::Stdout => Destination::Stdout,
            Target::Nowhere => Destination::Nowhere,
        }
    }

    /// The destination of `apply`, `undo` and `revert`: `--out DIR` or in place.
    pub(crate) fn of_review(out: Option<&'a Path>) -> Destination<'a> {
        out.map_or(Destination::InPlace, Destination::Copy)
    }

    /// Opens the file the result of `article` is written to before it is known whether
    /// it changes (a streamed article); `None` when it goes nowhere or to stdout.
    pub(crate) fn open(self, article: &Article, meta: &Metadata) -> Result<Option<AtomicFile>> {
        match self {
            Destination::Copy(dir) => {
                AtomicFile::create_copy(&dir.join(&article.relative), meta).map(Some)
            }
            Destination::InPlace => AtomicFile::create(&article.path).map(Some),
            Destination::Stdout | Destination::Nowhere => Ok(None),
        }
    }

    /// Finishes a file opened by [`Destination::open`]: a copy is put in place at once;
    /// a changed article in place waits, prepared, as a [`Pending`]; an unchanged one is
    /// dropped (its temporary file removed).
    pub(crate) fn finish(
        self,
        file: Option<AtomicFile>,
        meta: &Metadata,
        changed: bool,
    ) -> Result<Option<Pending>> {
        match (file, self) {
            (Some(file), Destination::Copy(_)) => {
                file.commit(Durability::Unsynced, None, None)?;
                Ok(None)
            }
            (Some(file), Destination::InPlace) if changed => Ok(Some(Pending {
                file: file.prepare(Durability::Synced)?,
                stamp: Stamp::of(meta),
            })),
            _ => Ok(None),
        }
    }

    /// Writes a whole result: `bytes` gives the corrected text (or, for an article left
    /// alone, its own bytes), asked for only when something is written. `meta` is the
    /// article's metadata, `None` for stdin or a run that does not write.
    pub(crate) fn write_whole<'b>(
        self,
        article: &Article,
        meta: Option<&Metadata>,
        changed: bool,
        bytes: impl FnOnce() -> Cow<'b, [u8]>,
    ) -> Result<Option<Pending>> {
        match (self, meta) {
            (Destination::Stdout, _) => {
                write_stdout(&bytes())?;
                Ok(None)
            }
            (Destination::Copy(_), Some(meta)) | (Destination::InPlace, Some(meta))
                if changed || matches!(self, Destination::Copy(_)) =>
            {
                let mut file = self.open(article, meta)?;
                if let Some(file) = &mut file {
                    file.write(&bytes())?;
                }
                self.finish(file, meta, changed)
            }
            _ => Ok(None),
        }
    }
}

/// Writes the whole result of an article read from stdin.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// Where a piece of text sits in its file.
#[derive(Debug, Clone, Copy, Default)]
struct Base {
    /// Byte offset of the piece in the file.
    offset: usize,
    /// Lines before the piece.
    lines: u64,
    /// Characters between the start of its first line and the piece: 0 but in a text
    /// cut where no line breaks (see [`unbroken_end`]).
    column: u64,
}

/// Corrects an article read whole.
fn whole(
    article: &Article,
    bytes: &[u8],
    rules: &Rules,
    config: &Config,
    options: Options,
    source: Source<'_>,
) -> Result<Processed> {
    let (encoding, text) = match encoding::decode_whole(bytes, config.encoding) {
        Ok(decoded) => decoded,
        Err(why) => return skip(article, bytes, why, config, source),
    };
    let mut warnings = Vec::new();
    let wanted = config.writes() || config.diff;
    let piece = Piece::whole(&text, encoding);
    let (corrected, subs) = correct(
        piece,
        (rules, &config.decisions),
        (options, None),
        wanted,
        article,
        &mut warnings,
    );
    let changed = subs.iter().any(|sub| sub.changes());
    let hash = match config.log {
        Some(_) if !subs.is_empty() => logfile::file_hash(bytes),
        _ => String::new(),
    };
    let pending =
        Destination::of(&config.target).write_whole(article, source.metadata(), changed, || {
            encode_whole(encoding, &corrected)
        })?;
    let diff = (config.diff && changed)
        .then(|| diff::unified(&article.log_name(), &text, &corrected, config.color));
    Ok(Processed {
        bytes: bytes.len(),
        subs,
        diff,
        warnings,
        spill: None,
        pending,
        hash,
    })
}

/// The bytes of a whole article: `encoding`'s prefix, then `text` encoded.
pub(crate) fn encode_whole(encoding: TextEncoding, text: &str) -> Cow<'_, [u8]> {
    match encoding.prefix() {
        [] => encoding.encode(text),
        prefix => Cow::Owned([prefix, &encoding.encode(text)].concat()),
    }
}

/// Corrects a large article chunk by chunk, writing as it goes.
fn stream(
    article: &Article,
    mut file: std::fs::File,
    rules: &Rules,
    config: &Config,
    options: Options,
    meta: &Metadata,
) -> Result<Processed> {
    let path = &article.path;
    let read_error = |e| Error::io(path, e);
    let mut pending = Vec::with_capacity(CHUNK_LEN + (CHUNK_LEN >> 2));
    let mut eof = fill(&mut file, &mut pending, CHUNK_LEN).map_err(read_error)?;
    let encoding = match detect_streamed(path, &pending, config.encoding)? {
        Ok(encoding) => encoding,
        // Read as UTF-8, the chunk that holds the first bad byte reports it with its
        // line and column, as the whole file would.
        Err(Undecodable::InvalidUtf8(_)) => TextEncoding::Utf8 { bom: false },
        Err(why) => return skip_streamed(article, file, pending, why, config, meta),
    };
    let destination = Destination::of(&config.target);
    let mut out = destination.open(article, meta)?;
    let prefix = encoding.prefix();
    if let Some(out) = &mut out {
        out.write(prefix)?;
    }
    pending.drain(..prefix.len());
    let article_facts =
        streamed_article_facts(path, prefix.len(), encoding, rules, options.format)?;
    let mut base = Base {
        offset: prefix.len(),
        ..Base::default()
    };
    let mut processed = Processed::default();
    let spill_error = |e| Error::io(std::env::temp_dir(), e);
    let hash = match config.log {
        Some(_) => hash_file(path)?,
        None => String::new(),
    };
    let mut spill = SpillWriter::new(config.log_dialect, hash.clone()).map_err(spill_error)?;
    loop {
        if crate::interrupt::requested() {
            // A large article is abandoned between chunks: its temporary copy is removed.
            return Err(Error::io(
                path,
                std::io::Error::from(std::io::ErrorKind::Interrupted),
            ));
        }
        if !eof && pending.len() < CHUNK_LEN {
            eof = fill(&mut file, &mut pending, CHUNK_LEN).map_err(read_error)?;
        }
        let cut = chunk_end(&pending, eof);
        let chunk = &pending[..cut];
        let text = encoding
            .decode(chunk, base.offset)
            .map_err(|why| undecodable_error(path, why, &pending, base))?;
        let piece = Piece {
            text: &text,
            encoding,
            base,
        };
        let wanted = out.is_some();
        let (corrected, subs) = correct(
            piece,
            (rules, &config.decisions),
            (options, Some(&article_facts)),
            wanted,
            article,
            &mut processed.warnings,
        );
        if let Some(out) = &mut out {
            out.write(&encoding.encode(&corrected))?;
        }
        spill.add(article, &subs, rules).map_err(spill_error)?;
        base.lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        base.column = match text.rfind('\n') {
            Some(i) => text[i + 1..].chars().count() as u64,
            None => base.column + text.chars().count() as u64,
        };
        base.offset += cut;
        pending.drain(..cut);
        if eof && pending.is_empty() {
            break;
        }
    }
    processed.bytes = base.offset;
    processed.hash = hash;
    processed.spill = Some(spill.finish().map_err(spill_error)?);
    let changed = processed.changes_text();
    if config.diff && changed {
        processed.warnings.push(format!(
            "{}: too large for --diff; see the log",
            path.display()
        ));
    }
    processed.pending = destination.finish(out, meta, changed)?;
    Ok(processed)
}

/// What a streamed article says to rules with article scope (see
/// `Rules::gather_article_facts`): one more pass over the file before any of it is
/// corrected, cut in the chunks the correcting pass cuts (whole paragraphs, so that
/// the result is the one in memory). Only when some rule has article scope.
fn streamed_article_facts(
    path: &Path,
    prefix: usize,
    encoding: TextEncoding,
    rules: &Rules,
    format: Format,
) -> Result<ArticleFacts> {
    let mut facts = ArticleFacts::default();
    if !rules.has_article_scope() {
        return Ok(facts);
    }
    let read_error = |e| Error::io(path, e);
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut pending = Vec::with_capacity(CHUNK_LEN + (CHUNK_LEN >> 2));
    let mut eof = fill(&mut file, &mut pending, CHUNK_LEN).map_err(read_error)?;
    pending.drain(..prefix);
    let mut offset = prefix;
    loop {
        if !eof && pending.len() < CHUNK_LEN {
            eof = fill(&mut file, &mut pending, CHUNK_LEN).map_err(read_error)?;
        }
        let cut = chunk_end(&pending, eof);
        // A chunk that does not decode stops the correcting pass, which reports it.
        if let Ok(text) = encoding.decode(&pending[..cut], offset) {
            rules.gather_article_facts(&mut facts, &text, format);
        }
        offset += cut;
        pending.drain(..cut);
        if eof && pending.is_empty() {
            return Ok(facts);
        }
    }
}

/// The encoding of a file too large to hold, whose first bytes are `head`: decided on
/// all of its bytes, read again once or twice unless `head` decides, as it is for a
/// file read whole (see [`encoding::detect_blocks`]).
pub(crate) fn detect_streamed(
    path: &Path,
    head: &[u8],
    forced: Option<TextEncoding>,
) -> Result<std::result::Result<TextEncoding, Undecodable>> {
    let blocks = |feed: &mut dyn FnMut(&[u8])| {
        let mut file = std::fs::File::open(path)?;
        let mut buffer = vec![0; 1 << 20];
        loop {
            match file.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(n) => feed(&buffer[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    };
    encoding::detect_blocks(head, forced, blocks).map_err(|e| Error::io(path, e))
}

/// The [`logfile::file_hash`] of a file too large to hold: read once more, before it is
/// corrected, since every log row carries it.
fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = FileHasher::default();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buffer[..n]);
    }
}

/// Reads until `pending` holds `target` bytes or the file ends; returns whether it ended.
pub(crate) fn fill(
    file: &mut std::fs::File,
    pending: &mut Vec<u8>,
    target: usize,
) -> std::io::Result<bool> {
    let want = target.saturating_sub(pending.len()) as u64;
    let read = Read::by_ref(file).take(want).read_to_end(pending)?;
    Ok((read as u64) < want)
}

/// Where to cut the next chunk: at the start of the last paragraph that begins in the
/// second half of `pending`, else at the start of the last line that begins with a
/// printable ASCII byte, else after the last line break, else (no line break at all) where
/// [`unbroken_end`] says; never at 0 unless `pending` is empty.
///
/// A paragraph starts at a printable ASCII byte after a run of white space that holds a
/// blank line, the run the folded view makes a paragraph break. Cutting anywhere else in
/// that run would start the next chunk with white space, which its own view reads as the
/// start of a sentence (a pattern `^ cd` in a condition then sees " cd" where the whole
/// text has "cd"); cutting at a run that reaches the end of `pending` would not know
/// whether more white space follows. Both bytes tested are ASCII, the same in every
/// encoding read.
fn chunk_end(pending: &[u8], eof: bool) -> usize {
    if eof {
        return pending.len();
    }
    let base = pending.len() / 2;
    let mut upto = pending.len();
    // Each run of white space is looked at once: the search goes on before its start.
    while let Some(newline) = memchr::memrchr(b'\n', &pending[..upto]) {
        let start = pending[..newline]
            .iter()
            .rposition(|b| !is_space(b))
            .map_or(0, |i| i + 1);
        let end = pending[newline..]
            .iter()
            .position(|b| !is_space(b))
            .map_or(pending.len(), |i| newline + i);
        if end <= base {
            break;
        }
        if line_breaks(&pending[start..end]) >= 2
            && pending.get(end).is_some_and(u8::is_ascii_graphic)
        {
            return end;
        }
        upto = start;
    }
    pending
        .windows(2)
        .rposition(|w| w[0] == b'\n' && w[1].is_ascii_graphic())
        .or_else(|| pending.iter().rposition(|&b| b == b'\n'))
        .map_or_else(|| unbroken_end(pending), |i| i + 1)
}

/// White space as the folded view reads it (all ASCII).
fn is_space(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The line breaks in a run of white space (CRLF, LF or CR each count once).
fn line_breaks(run: &[u8]) -> usize {
    run.iter()
        .enumerate()
        .filter(|&(k, &b)| b == b'\r' || (b == b'\n' && (k == 0 || run[k - 1] != b'\r')))
        .count()
}

/// Where to cut a `pending` that holds no line feed, so that a text without any (a
/// whole article on one line, classic Mac CR line ends) is streamed in bounded chunks
/// too: at the start of a word after a run of white space, the last such run in the
/// second half of `pending` of the first kind found among: one holding two CRs (a blank
/// line), one after a sentence end, any; else after the last such run before the second
/// half; else, when `pending` has no white space followed by a printable ASCII byte,
/// before its last byte that cannot continue a UTF-8 character (any byte of a
/// single-byte encoding), else at its end. The result is never 0.
///
/// A cut at a blank line or at a sentence end changes no sentence: a sentence ends at a
/// `.`, `!` or `?` followed by white space, which is decided by the text before it alone
/// (see `correct::sentence`), so it ends there in the chunk as in the whole text; the
/// next chunk starts with the printable byte that starts the next sentence. Here only a
/// `.` after a word of two or more ASCII letters that is not a known abbreviation counts,
/// and `!`, `?`. What a cut there can change is what spans it: a match of a pattern
/// that itself holds a sentence end, and a `paragraph` or `article` scope condition,
/// which sees the paragraph of a match only up to the cut. The cuts at any white space
/// or inside a word, taken only when 2 MB of text hold no sentence end or no space, can
/// also cut a sentence or a match in two.
fn unbroken_end(pending: &[u8]) -> usize {
    let half = pending.len() / 2;
    // The last cut of each kind in the second half: blank line, sentence end, any.
    let mut found: [Option<usize>; 3] = [None; 3];
    let mut upto = pending.len();
    while let Some(last) = pending[..upto].iter().rposition(is_space) {
        let start = pending[..last]
            .iter()
            .rposition(|b| !is_space(b))
            .map_or(0, |i| i + 1);
        let end = last + 1;
        upto = start;
        if start == 0 || !pending.get(end).is_some_and(u8::is_ascii_graphic) {
            continue;
        }
        if end < half {
            return found.into_iter().flatten().next().unwrap_or(end);
        }
        let kind = match () {
            _ if line_breaks(&pending[start..end]) >= 2 => 0,
            _ if ends_sentence(&pending[..start]) => 1,
            _ => 2,
        };
        found[kind].get_or_insert(end);
        if kind == 0 {
            break;
        }
    }
    found.into_iter().flatten().next().unwrap_or_else(|| {
        pending
            .iter()
            .skip(1)
            .rposition(|b| !(0x80..=0xbf).contains(b))
            .map_or(pending.len(), |i| i + 1)
    })
}

/// Whether `before` ends with a mark that surely ends a sentence when white space follows
/// it (see [`unbroken_end`]).
fn ends_sentence(before: &[u8]) -> bool {
    match before.split_last() {
        Some((b'!' | b'?', _)) => true,
        Some((b'.', body)) => {
            let word_start = body
                .iter()
                .rposition(|b| !b.is_ascii_alphabetic())
                .map_or(0, |i| i + 1);
            let word = body[word_start..].to_ascii_lowercase();
            // "2.5.", "c.-à-d.", "l'ex.": a word not after white space may go on.
            let attached = word_start > 0 && !is_space(&body[word_start - 1]);
            word.len() >= 2
                && !attached
                && !crate::correct::sentence::ABBREVIATIONS
                    .contains(&std::str::from_utf8(&word).unwrap_or(""))
        }
        _ => false,
    }
}

/// A piece of decoded text: a whole article or a chunk of a streamed one.
#[derive(Clone, Copy)]
pub(crate) struct Piece<'t> {
    text: &'t str,
    /// The encoding of its file.
    encoding: TextEncoding,
    /// Where it sits in its file.
    base: Base,
}

impl<'t> Piece<'t> {
    /// The whole decoded text of an article, which follows `encoding`'s prefix in its
    /// bytes (shared by files read whole and the record stream).
    pub(crate) fn whole(text: &'t str, encoding: TextEncoding) -> Piece<'t> {
        let base = Base {
            offset: encoding.prefix().len(),
            ..Base::default()
        };
        Piece {
            text,
            encoding,
            base,
        }
    }
}

/// Applies the rules to a piece of text, marks the substitutions decided before with
/// their `decisions`, and turns the substitutions' positions into positions in the file;
/// the corrected text is built only if `corrected_text` is asked for (else the piece is
/// returned as it is). A substitution whose replacement the file's encoding cannot
/// represent is dropped with a warning rather than written mangled.
pub(crate) fn correct<'t>(
    piece: Piece<'t>,
    (rules, decisions): (&Rules, &Decisions),
    (options, article_facts): (Options, Option<&ArticleFacts>),
    corrected_text: bool,
    article: &Article,
    warnings: &mut Vec<String>,
) -> (Cow<'t, str>, Substitutions) {
    let Piece {
        text,
        encoding,
        base,
    } = piece;
    let mut subs = match article_facts {
        Some(facts) => substitutions_with(rules, text, options, facts),
        None => substitutions(rules, text, options),
    };
    decisions.apply(&mut subs, rules);
    subs.retain(|sub| {
        let fits = encoding.can_encode(sub.written());
        if !fits {
            warnings.push(format!(
                "{}:{}:{}: `{}` cannot be written in {}; substitution skipped",
                article.path.display(),
                sub.line + base.lines,
                sub.column + if sub.line == 1 { base.column } else { 0 },
                sub.written(),
                encoding.name()
            ));
        }
        fits
    });
    let corrected = match corrected_text {
        true => rewrite(text, &subs),
        false => Cow::Borrowed(text),
    };
    let mut offsets = OffsetCounter::default();
    for place in subs.places_mut() {
        place.byte_offset = base.offset + offsets.encoded(text, place.byte_offset, encoding);
        if place.line == 1 {
            place.column += base.column;
        }
        place.line += base.lines;
    }
    (corrected, subs)
}

/// Turns increasing offsets in decoded text into offsets in encoded bytes with one
/// forward pass.
#[derive(Default)]
struct OffsetCounter {
    text: usize,
    encoded: usize,
}

impl OffsetCounter {
    fn encoded(&mut self, text: &str, offset: usize, encoding: TextEncoding) -> usize {
        self.encoded += encoding.encoded_len(&text[self.text..offset]);
        self.text = offset;
        self.encoded
    }
}

/// A file that cannot be decoded is left alone (and copied as it is under `--out`, so the
/// corrected corpus stays complete). Damaged UTF-8 is an error with its position; the
/// other cases are warnings.
fn skip(
    article: &Article,
    bytes: &[u8],
    why: Undecodable,
    config: &Config,
    source: Source<'_>,
) -> Result<Processed> {
    if let Undecodable::InvalidUtf8(_) = why {
        return Err(undecodable_error(
            &article.path,
            why,
            bytes,
            Base::default(),
        ));
    }
    Destination::of(&config.target)
        .write_whole(article, source.metadata(), false, || Cow::Borrowed(bytes))?;
    Ok(Processed {
        bytes: bytes.len(),
        warnings: vec![format!("{}: {why}", article.path.display())],
        ..Processed::default()
    })
}

fn skip_streamed(
    article: &Article,
    mut file: std::fs::File,
    mut head: Vec<u8>,
    why: Undecodable,
    config: &Config,
    meta: &Metadata,
) -> Result<Processed> {
    if let Undecodable::InvalidUtf8(_) = why {
        return skip(article, &head, why, config, Source::File(meta));
    }
    let destination = Destination::of(&config.target);
    if let (Destination::Copy(_), Some(mut out)) = (destination, destination.open(article, meta)?) {
        loop {
            out.write(&head)?;
            head.clear();
            if fill(&mut file, &mut head, CHUNK_LEN).map_err(|e| Error::io(&article.path, e))?
                && head.is_empty()
            {
                break;
            }
        }
        destination.finish(Some(out), meta, false)?;
    }
    let bytes = meta.len() as usize;
    Ok(Processed {
        bytes,
        warnings: vec![format!("{}: {why}", article.path.display())],
        ..Processed::default()
    })
}

/// [`undecodable_error`] for a whole article's bytes.
pub(crate) fn undecodable_whole(path: &Path, why: Undecodable, bytes: &[u8]) -> Error {
    undecodable_error(path, why, bytes, Base::default())
}

/// The error for undecodable bytes, with the line and column of the first bad byte when
/// the file is damaged UTF-8. `bytes` starts at `base` in the file.
fn undecodable_error(path: &Path, why: Undecodable, bytes: &[u8], base: Base) -> Error {
    let Undecodable::InvalidUtf8(at) = why else {
        return Error::Article {
            path: path.to_owned(),
            line: base.lines + 1,
            column: 1,
            message: format!("{why}; file left untouched"),
        };
    };
    let valid = &bytes[..at.saturating_sub(base.offset).min(bytes.len())];
    let valid = String::from_utf8_lossy(valid);
    let (line, column) = crate::glossary::line_column(&valid);
    Error::Article {
        path: path.to_owned(),
        line: base.lines + line,
        column: column + if line == 1 { base.column } else { 0 },
        message: format!(
            "not valid UTF-8 (byte 0x{:02x} at offset {at}); file left untouched",
            bytes.get(at - base.offset).copied().unwrap_or(0)
        ),
    }
}

/// What happened to one article.
#[derive(Debug)]
pub(crate) struct FileOutcome {
    pub article: Article,
    pub result: Result<Processed>,
}

/// A processed article.
#[derive(Debug, Default)]
pub(crate) struct Processed {
    /// Bytes read.
    pub bytes: usize,
    /// Substitutions, in text order (those of a streamed article are in `spill`).
    pub subs: Substitutions,
    /// The log rows of a streamed article, written to a temporary file as it went, so
    /// that memory stays bounded however many substitutions a huge file has.
    pub spill: Option<Spill>,
    /// Unified diff of the change, when asked for and the article changed.
    pub diff: Option<String>,
    /// [`crate::output::logfile::file_hash`] of the article as read: empty without a log, and for
    /// an article read whole without substitutions (only log rows record it; a streamed
    /// article is hashed before its rows are known).
    pub hash: String,
    /// Things the user should know that did not stop the article (skipped as binary,
    /// a replacement the encoding cannot represent).
    pub warnings: Vec<String>,
    /// With `--in-place`, the corrected article on the disk beside the original, renamed
    /// over it only once its log rows are on the disk ([`Pending::commit`]).
    pub pending: Option<Pending>,
}

/// A corrected article waiting for its log rows to reach the disk before it replaces the
/// original: the log is the journal of an in-place run, so an interrupted run leaves a
/// log that covers every article it rewrote.
#[derive(Debug)]
pub(crate) struct Pending {
    file: Prepared,
    /// The original as it was read: if it changed since, it is not replaced.
    stamp: Stamp,
}

impl Pending {
    /// Replaces the original (keeping it as `<file><backup>` if asked).
    pub(crate) fn commit(self, backup: Option<&std::ffi::OsStr>) -> Result<()> {
        self.file.commit(Some(self.stamp), backup)
    }
}

impl Processed {
    /// Substitutions made, in memory or spilled.
    pub(crate) fn substitution_count(&self) -> usize {
        self.subs.len() + self.spill.as_ref().map_or(0, |s| s.count)
    }

    /// Whether the article's text changed: some substitution is not a rejection reused.
    pub(crate) fn changes_text(&self) -> bool {
        self.subs.iter().any(|sub| sub.changes()) || self.spill.as_ref().is_some_and(|s| s.changes)
    }

    /// Substitutions that reused an earlier decision, by kind, in memory or spilled.
    pub(crate) fn reused(&self) -> Reuses {
        let mut reused = self
            .spill
            .as_ref()
            .map_or_else(Reuses::default, |s| s.reused);
        reused.count(&self.subs);
        reused
    }
}

/// How many substitutions reused an earlier decision, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reuses {
    pub accepted: usize,
    pub rejected: usize,
    pub edited: usize,
}

impl Reuses {
    fn count(&mut self, subs: &Substitutions) {
        for sub in subs {
            match sub.decided {
                None => {}
                Some(Reused::Accepted) => self.accepted += 1,
                Some(Reused::Rejected) => self.rejected += 1,
                Some(Reused::Edited) => self.edited += 1,
            }
        }
    }

    pub(crate) fn add(&mut self, other: Reuses) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.edited += other.edited;
    }

    pub(crate) fn total(&self) -> usize {
        self.accepted + self.rejected + self.edited
    }
}

/// Log rows of one article kept in a temporary file, in log format without header.
#[derive(Debug)]
pub(crate) struct Spill {
    pub(crate) file: tempfile::NamedTempFile,
    pub(crate) count: usize,
    /// Substitutions per rule index.
    pub(crate) rule_counts: HashMap<usize, usize>,
    /// Whether some substitution changes the text (a flag-only rule's or a rejection
    /// reused does not).
    pub(crate) changes: bool,
    pub(crate) reused: Reuses,
}

/// Writes the log rows of a streamed article to a [`Spill`].
pub(crate) struct SpillWriter {
    writer: csv::Writer<std::io::BufWriter<tempfile::NamedTempFile>>,
    /// Recorded in every row.
    file_hash: String,
    count: usize,
    rule_counts: HashMap<usize, usize>,
    changes: bool,
    reused: Reuses,
}

impl SpillWriter {
    pub(crate) fn new(dialect: Dialect, file_hash: String) -> std::io::Result<SpillWriter> {
        let file = tempfile::Builder::new().prefix("mtfix-log-").tempfile()?;
        Ok(SpillWriter {
            writer: dialect.rows_writer(std::io::BufWriter::new(file)),
            file_hash,
            count: 0,
            rule_counts: HashMap::new(),
            changes: false,
            reused: Reuses::default(),
        })
    }

    /// Appends the rows of some substitutions of `article`.
    pub(crate) fn add(
        &mut self,
        article: &Article,
        subs: &Substitutions,
        rules: &Rules,
    ) -> std::io::Result<()> {
        let file = article.log_name();
        for sub in subs {
            self.writer
                .serialize(LogRow::new(&file, &self.file_hash, sub, rules))?;
            *self.rule_counts.entry(sub.rule).or_default() += 1;
            self.changes |= sub.changes();
        }
        self.reused.count(subs);
        self.count += subs.len();
        Ok(())
    }

    pub(crate) fn finish(self) -> std::io::Result<Spill> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())?
            .into_inner()
            .map_err(|e| e.into_error())?;
        Ok(Spill {
            file,
            count: self.count,
            rule_counts: self.rule_counts,
            changes: self.changes,
            reused: self.reused,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_blank_lines_then_line_breaks() {
        let cases: [(&[u8], bool, usize); 8] = [
            (b"aaaa\n\nbbbb\ncccc\n\ndd\nee", false, 17),
            (b"aaaa\nbbbb\ncc", false, 10),
            (b"aaaa bbbb", true, 9),
            (b"aaaa\r\n\r\nbbbbbbbb", false, 8),
            // After the whole paragraph break.
            (b"aaaa\n\n\ncd'ab'", false, 7),
            (b"aaaa\n \n  cd'ab'", false, 9),
            (b"aa\n\nbbbb\n\n\n", false, 4),
            // A paragraph that starts with a byte read differently in other encodings.
            (b"aa\n\nbb\n\n\xa0cd", false, 4),
        ];
        for (text, eof, cut) in cases {
            let shown = String::from_utf8_lossy(text);
            assert_eq!(chunk_end(text, eof), cut, "{shown:?}");
        }
    }

    #[test]
    fn a_text_without_line_feeds_is_cut_at_a_sentence_end() {
        // A blank line of classic Mac line ends first, then a sentence end, then a word.
        assert_eq!(chunk_end(b"Un deux trois. Quatre\r\rCinq six", false), 23);
        assert_eq!(
            chunk_end(b"Un deux. Trois quatre. Cinq six sept", false),
            23
        );
        assert_eq!(chunk_end(b"Un deux trois quatre cinq six sept", false), 30);
        // Not after an abbreviation, an initial, a number or a half-word.
        assert!(ends_sentence(b"deux.") && ends_sentence(b"a!") && ends_sentence(b"Oui?"));
        for before in [
            "trois etc.",
            "Donald J.",
            "de 2.5.",
            "c.-d.",
            "l'ex.",
            "le j.",
            "fin,",
        ] {
            assert!(!ends_sentence(before.as_bytes()), "{before}");
        }
        // Without a sentence end in the second half, the last word there; without a
        // word there, the last before it.
        assert_eq!(chunk_end(b"Un deux. Trois quatre cinq six sept", false), 31);
        assert_eq!(chunk_end(b"Un deux. Trois quatre-cinq-six-sept", false), 15);
        // No white space: before a byte that starts a character.
        assert_eq!(chunk_end("aaaaaaaéé".as_bytes(), false), 9);
        assert_eq!(chunk_end(b"\x80\x80\x80", false), 3);
    }
}
