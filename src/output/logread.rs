//! The log read back one row at a time, so that a log of any size is read in bounded
//! memory: a CSV log straight from its file, a spreadsheet's first sheet from the CSV it
//! is turned into (a workbook is held whole: it is the reviewer's sheet). Every reader of
//! logs goes through [`LogReader`]; [`super::logfile`] describes the variants it takes.
//!
//! A reader holds one record and the bytes the csv crate read past it (its buffer), never
//! the log: lone `\r` line ends are made `\n` as the bytes pass ([`Feed`]), and lines are
//! counted forward through a window that starts at the current record ([`Window`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::csvlines::{error_message, record_start, sniff_delimiter};
use crate::error::{Error, Result};
use crate::output::atomic::Stamp;
use crate::output::logfile::{Decision, Entry, is_row_hash_of, unescape_cell};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The longest first line read to find the field separator: a header is a line of names.
const HEADER_SNIFF: usize = 1 << 20;

/// Where a log's bytes are.
#[derive(Debug, Clone)]
enum Bytes {
    File(PathBuf),
    Memory(Rc<[u8]>),
}

impl Bytes {
    /// The bytes from `offset` on (counted after the byte-order mark, if any).
    fn open_at(&self, bom: bool, offset: u64) -> std::io::Result<Box<dyn BufRead>> {
        let skip = offset + if bom { BOM.len() as u64 } else { 0 };
        match self {
            Bytes::File(path) => {
                let mut file = std::fs::File::open(path)?;
                file.seek(SeekFrom::Start(skip))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            Bytes::Memory(bytes) => {
                let mut cursor = std::io::Cursor::new(Rc::clone(bytes));
                cursor.set_position(skip.min(bytes.len() as u64));
                Ok(Box::new(cursor))
            }
        }
    }

    fn starts_with_bom(&self) -> std::io::Result<bool> {
        match self {
            Bytes::File(path) => {
                let mut head = Vec::with_capacity(3);
                std::fs::File::open(path)?.take(3).read_to_end(&mut head)?;
                Ok(head == BOM)
            }
            Bytes::Memory(bytes) => Ok(bytes.starts_with(BOM)),
        }
    }

    /// Where the last line end is (after the byte-order mark), and one past it: the end
    /// of the last complete record of a journal.
    fn after_last_line_end(&self, bom: bool) -> std::io::Result<u64> {
        let skip = if bom { BOM.len() as u64 } else { 0 };
        let found = match self {
            Bytes::Memory(bytes) => {
                memchr::memrchr2(b'\n', b'\r', &bytes[skip as usize..]).map(|i| i as u64 + 1)
            }
            Bytes::File(path) => {
                let mut file = std::fs::File::open(path)?;
                let mut end = file.metadata()?.len();
                let mut block = vec![0; 1 << 16];
                loop {
                    if end <= skip {
                        break None;
                    }
                    let start = end.saturating_sub(block.len() as u64).max(skip);
                    let piece = &mut block[..(end - start) as usize];
                    file.seek(SeekFrom::Start(start))?;
                    file.read_exact(piece)?;
                    if let Some(i) = memchr::memrchr2(b'\n', b'\r', piece) {
                        break Some(start - skip + i as u64 + 1);
                    }
                    end = start;
                }
            }
        };
        Ok(found.unwrap_or(0))
    }
}

/// The bytes the csv crate read and the current record has not passed yet, to count the
/// lines before each record.
#[derive(Debug, Default)]
struct Window {
    /// Where `bytes` starts in the log.
    start: u64,
    bytes: Vec<u8>,
    /// Line feeds before `start`.
    breaks: u64,
}

impl Window {
    /// The 1-based line where the record the csv crate places at `position` starts (see
    /// [`crate::csvlines::RecordLines`]); the window then starts there. Records are
    /// asked for in order.
    fn locate(&mut self, position: u64) -> u64 {
        let from = (position.saturating_sub(self.start) as usize).min(self.bytes.len());
        let start = record_start(&self.bytes, from, None);
        self.breaks += memchr::memchr_iter(b'\n', &self.bytes[..start]).count() as u64;
        self.bytes.drain(..start);
        self.start += start as u64;
        self.breaks + 1
    }
}

/// The log's bytes as the csv crate reads them: each lone `\r` made `\n` (see
/// [`crate::csvlines::lone_cr_as_lf`]), cut after `limit` bytes, and kept in the
/// [`Window`] until the record that holds them is passed.
struct Feed {
    inner: Box<dyn BufRead>,
    limit: u64,
    window: Rc<RefCell<Window>>,
}

impl Read for Feed {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buffer = self.inner.fill_buf()?;
        let mut n = buffer.len().min(out.len()).min(self.limit as usize);
        if n == 0 {
            return Ok(0);
        }
        out[..n].copy_from_slice(&buffer[..n]);
        let mut from = 0;
        while let Some(k) = memchr::memchr(b'\r', &out[from..n]) {
            let i = from + k;
            if i + 1 < buffer.len() && buffer[i + 1] != b'\n' {
                out[i] = b'\n';
            }
            from = i + 1;
        }
        if out[n - 1] == b'\r' && n == buffer.len() {
            // Whether this `\r` is alone shows only in the next byte.
            if n > 1 {
                n -= 1;
                self.inner.consume(n);
            } else {
                self.inner.consume(1);
                let next = self.inner.fill_buf()?.first().copied();
                if next != Some(b'\n') {
                    out[0] = b'\n';
                }
            }
        } else {
            self.inner.consume(n);
        }
        self.limit -= n as u64;
        self.window.borrow_mut().bytes.extend_from_slice(&out[..n]);
        Ok(n)
    }
}

/// Where a row starts in its log, to read the log again from there
/// ([`LogReader::resume`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RowStart {
    /// Byte offset of the record (after the byte-order mark).
    offset: u64,
    /// Line feeds before it.
    breaks: u64,
    /// Rows before it.
    rows: u64,
}

/// One row as read: an entry, or a `decision` cell that is not a decision, reported
/// with every other such cell once the log is read.
pub(crate) enum Row {
    Entry(Entry),
    BadDecision { line: u64, row: u64, cell: String },
}

/// Reads a log one row at a time (see the module's documentation).
pub(crate) struct LogReader {
    bytes: Bytes,
    path: PathBuf,
    bom: bool,
    delimiter: u8,
    /// Where the log ends for the reader: a journal's last complete line.
    end: u64,
    journal: bool,
    header: csv::StringRecord,
    index: HashMap<String, usize>,
    reader: csv::Reader<Feed>,
    window: Rc<RefCell<Window>>,
    /// Where the reader started in the log.
    base: u64,
    /// Rows read (entries and bad decisions), for spreadsheet row numbers.
    rows: u64,
    record: csv::StringRecord,
    /// Where the last row read starts.
    last: Option<RowStart>,
    done: bool,
    /// The log file as it was when first opened: a reader resumed later, and the rewrite
    /// of its `applied` column, refuse a log saved meanwhile (a reviewer's spreadsheet),
    /// whose rows would no longer be where they were counted.
    stamp: Option<Stamp>,
}

impl LogReader {
    /// Opens a log: a spreadsheet's first sheet, held as CSV, or a CSV log read from its
    /// file as it goes. Reads its header.
    pub(crate) fn open(path: &Path) -> Result<LogReader> {
        match crate::output::logfile::is_spreadsheet(path) {
            true => LogReader::of_bytes(crate::output::logfile::read_bytes(path)?, path),
            false => LogReader::start(Bytes::File(path.to_owned()), path),
        }
    }

    /// A reader of log bytes held in memory, named `path` in messages.
    pub(crate) fn of_bytes(bytes: Vec<u8>, path: &Path) -> Result<LogReader> {
        LogReader::start(Bytes::Memory(bytes.into()), path)
    }

    fn start(bytes: Bytes, path: &Path) -> Result<LogReader> {
        let io = |e| Error::io(path, e);
        let stamp = match &bytes {
            Bytes::File(file) => Some(Stamp::of(&std::fs::metadata(file).map_err(io)?)),
            Bytes::Memory(_) => None,
        };
        let bom = bytes.starts_with_bom().map_err(io)?;
        let journal = path.extension().is_some_and(|ext| ext == "partial");
        // The journal of a killed in-place run may end inside the row being written
        // then; that row's article was not replaced (rows reach the disk first), so it
        // is left out, with everything after the last complete line.
        let end = match journal {
            true => bytes.after_last_line_end(bom).map_err(io)?,
            false => u64::MAX,
        };
        let delimiter = {
            let window = Rc::new(RefCell::new(Window::default()));
            let mut feed = Feed {
                inner: bytes.open_at(bom, 0).map_err(io)?,
                limit: end,
                window: Rc::clone(&window),
            };
            let mut head = Vec::new();
            let mut block = [0; 8192];
            while head.len() < HEADER_SNIFF {
                let n = feed.read(&mut block).map_err(io)?;
                head.extend_from_slice(&block[..n]);
                let start = record_start(&head, 0, None);
                if n == 0 || memchr::memchr(b'\n', &head[start..]).is_some() {
                    break;
                }
            }
            sniff_delimiter(&head, None)
        };
        let mut log = LogReader::at(bytes, path, (bom, delimiter, end, journal), None)?;
        log.stamp = stamp;
        let header = log.reader.headers().cloned();
        log.header = header.map_err(|e| log.error(1, format!("malformed CSV: {e}")))?;
        if journal && end == 0 {
            // A run killed before its journal's first sync leaves it without a complete
            // line, not even the header; since rows reach the disk before the articles
            // they list, that journal lists no article: a log of no row, so that the
            // `revert` its message advises undoes nothing and succeeds.
            log.header = csv::StringRecord::from(crate::output::logfile::COLUMNS.to_vec());
        }
        log.index = log
            .header
            .iter()
            .enumerate()
            .map(|(i, n)| (n.trim().to_owned(), i))
            .collect();
        for required in ["file", "byte_offset", "matched", "replacement"] {
            if !log.index.contains_key(required) {
                return Err(log.error(1, format!("not an mtfix log: no `{required}` column")));
            }
        }
        Ok(log)
    }

    /// A reader of the same log from the row that starts at `from` (its header already
    /// read).
    pub(crate) fn resume(&self, from: RowStart) -> Result<LogReader> {
        self.check_unchanged()?;
        let mut log = LogReader::at(
            self.bytes.clone(),
            &self.path,
            (self.bom, self.delimiter, self.end, self.journal),
            Some(from),
        )?;
        log.header = self.header.clone();
        log.index = self.index.clone();
        log.stamp = self.stamp;
        Ok(log)
    }

    /// The log file's stamp when this reader (or the one it resumes) first opened it;
    /// `None` for a log held in memory.
    pub(crate) fn stamp(&self) -> Option<Stamp> {
        self.stamp
    }

    /// An error if the log file is no longer what it was when first opened.
    pub(crate) fn check_unchanged(&self) -> Result<()> {
        let Some(stamp) = self.stamp else {
            return Ok(());
        };
        let now = std::fs::metadata(&self.path).map_err(|e| Error::io(&self.path, e))?;
        match Stamp::of(&now) == stamp {
            true => Ok(()),
            false => Err(self.changed()),
        }
    }

    /// The error for a log that is no longer the file it was when first read.
    pub(crate) fn changed(&self) -> Error {
        self.error(
            1,
            "changed on disk while mtfix used it (saved meanwhile?); nothing more is read \
             from it or written to it: run again"
                .into(),
        )
    }

    /// A reader of the same log from its first row.
    pub(crate) fn resume_from_start(&self) -> Result<LogReader> {
        self.resume(RowStart::default())
    }

    fn at(
        bytes: Bytes,
        path: &Path,
        (bom, delimiter, end, journal): (bool, u8, u64, bool),
        from: Option<RowStart>,
    ) -> Result<LogReader> {
        let from = from.unwrap_or_default();
        let window = Rc::new(RefCell::new(Window {
            start: from.offset,
            bytes: Vec::new(),
            breaks: from.breaks,
        }));
        let feed = Feed {
            inner: bytes
                .open_at(bom, from.offset)
                .map_err(|e| Error::io(path, e))?,
            limit: end.saturating_sub(from.offset),
            window: Rc::clone(&window),
        };
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(from.offset == 0)
            .from_reader(feed);
        Ok(LogReader {
            bytes,
            path: path.to_owned(),
            bom,
            delimiter,
            end,
            journal,
            header: csv::StringRecord::new(),
            index: HashMap::new(),
            reader,
            window,
            base: from.offset,
            rows: from.rows,
            stamp: None,
            record: csv::StringRecord::new(),
            last: None,
            done: false,
        })
    }

    fn error(&self, line: u64, message: String) -> Error {
        Error::Log {
            path: self.path.clone(),
            line,
            column: 1,
            message,
        }
    }

    /// The log's path, for messages.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The header's column names, as read.
    pub(crate) fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    /// The 0-based column named `name`, if the log has one.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The field separator.
    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Whether the log starts with a byte-order mark.
    pub(crate) fn bom(&self) -> bool {
        self.bom
    }

    /// The record of the last row read, its fields as read.
    pub(crate) fn record(&self) -> &csv::StringRecord {
        &self.record
    }

    /// Where the last row read starts.
    pub(crate) fn row_start(&self) -> Option<RowStart> {
        self.last
    }

    /// The next row, `None` at the end; a malformed row is an error naming its line.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row>> {
        if self.done {
            return Ok(None);
        }
        let read = self.reader.read_record(&mut self.record);
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                let line = match e.position() {
                    Some(p) => self.window.borrow_mut().locate(self.base + p.byte()),
                    None => 1,
                };
                return Err(self.error(line, error_message(&e)));
            }
        };
        if !read {
            self.done = true;
            return Ok(None);
        }
        let position = self.base + self.record.position().map_or(0, |p| p.byte());
        let line = self.window.borrow_mut().locate(position);
        let header_len = self.header.len();
        // Cut at a line break inside a quoted field, the torn row of a journal is the
        // last record, and short.
        if self.record.len() < header_len && self.journal {
            self.done = true;
            return Ok(None);
        }
        if self.record.len() < header_len {
            return Err(self.error(
                line,
                format!(
                    "the row has {} of the header's {} fields: the log is cut short or \
                     damaged (an interrupted copy?); nothing was applied",
                    self.record.len(),
                    header_len
                ),
            ));
        }
        let window = self.window.borrow();
        self.last = Some(RowStart {
            offset: window.start,
            breaks: window.breaks,
            rows: self.rows,
        });
        drop(window);
        let row = self.rows + 2;
        self.rows += 1;
        self.entry(line, row).map(Some)
    }

    /// The entry of the record just read, on `line`, spreadsheet row `row`.
    fn entry(&self, line: u64, row: u64) -> Result<Row> {
        let field = |name: &str| {
            let cell = self
                .index
                .get(name)
                .and_then(|&i| self.record.get(i))
                .unwrap_or("");
            unescape_cell(cell)
        };
        let byte_offset = field("byte_offset").trim().parse().map_err(|_| {
            self.error(
                line,
                format!("`byte_offset` is not a number: `{}`", field("byte_offset")),
            )
        })?;
        let Some(decision) = Decision::parse(&field("decision")) else {
            return Ok(Row::BadDecision {
                line,
                row,
                cell: field("decision").into_owned(),
            });
        };
        let (matched, replacement) = (
            field("matched").into_owned(),
            field("replacement").into_owned(),
        );
        if matched.is_empty() {
            return Err(self.error(
                line,
                "`matched` is empty: a row must name the text it replaces".into(),
            ));
        }
        for hash in ["file_hash", "row_hash"] {
            if self.index.contains_key(hash) && field(hash).trim().is_empty() {
                return Err(self.error(
                    line,
                    format!(
                        "`{hash}` is empty: without it the row cannot be checked against its file"
                    ),
                ));
            }
        }
        let hash = field("row_hash");
        let (mut matched, mut replacement) = (matched, replacement);
        let mut edited =
            !hash.is_empty() && !is_row_hash_of(&hash, byte_offset, &matched, &replacement);
        // A spreadsheet saves a cell's CRLF line break as LF: the row hash tells a match
        // that spanned one, and gives it back its CRLF.
        if edited && matched.contains('\n') && !matched.contains('\r') {
            let crlf = matched.replace('\n', "\r\n");
            let crlf_replacement = replacement.replace('\n', "\r\n");
            let restored = [&replacement, &crlf_replacement]
                .into_iter()
                .find(|r| is_row_hash_of(&hash, byte_offset, &crlf, r))
                .cloned();
            if let Some(restored) = restored {
                (matched, replacement, edited) = (crlf, restored, false);
            }
        }
        Ok(Row::Entry(Entry {
            csv_line: line,
            row,
            file: field("file").into_owned(),
            byte_offset,
            rule: field("rule").into_owned(),
            matched,
            replacement,
            decision,
            file_hash: field("file_hash").into_owned(),
            row_hash: hash.into_owned(),
            context: field("context").into_owned(),
            applied: match field("applied").trim() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            edited,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(mut log: LogReader) -> Vec<(Entry, RowStart)> {
        let mut rows = Vec::new();
        while let Some(row) = log.next_row().unwrap() {
            if let Row::Entry(entry) = row {
                rows.push((entry, log.row_start().unwrap()));
            }
        }
        rows
    }

    /// The line of each record, counted in the whole text.
    fn lines_counted_whole(bytes: &[u8]) -> Vec<u64> {
        let text = crate::csvlines::lone_cr_as_lf(bytes.strip_prefix(BOM).unwrap_or(bytes));
        let mut reader = csv::ReaderBuilder::new().from_reader(&text[..]);
        let mut lines = crate::csvlines::RecordLines::default();
        (reader.records())
            .map(|record| {
                let position = record.unwrap().position().unwrap().byte() as usize;
                lines.locate(&text, position, None).1
            })
            .collect()
    }

    /// A log read from its file, in blocks, gives the rows, lines and spreadsheet rows
    /// the same log held in memory gives, whatever its line ends and however long its
    /// cells; and a reader resumed at any row goes on as the first one did.
    #[test]
    fn a_log_read_from_its_file_or_resumed_reads_as_held_whole() {
        let long = "x".repeat(20_000);
        let header = "file,line,column,byte_offset,rule,matched,replacement,context,decision\n";
        let mut text = String::from(header);
        for i in 0..40 {
            let context = match i % 3 {
                0 => format!("\"{long}\""),
                1 => "\"a\nb\r\nc\"".to_owned(),
                _ => "ctx".to_owned(),
            };
            text.push_str(&format!("a.txt,1,1,{i},r,Openai,OpenAI,{context},\n"));
        }
        for end in ["\n", "\r\n", "\r"] {
            let bytes = [b"\xEF\xBB\xBF", text.replace('\n', end).as_bytes()].concat();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("log.csv");
            std::fs::write(&path, &bytes).unwrap();
            let held = entries(LogReader::of_bytes(bytes.clone(), &path).unwrap());
            let log = LogReader::open(&path).unwrap();
            let read = entries(LogReader::open(&path).unwrap());
            assert_eq!(read.len(), 40, "{end:?}");
            assert!(read == held, "{end:?}");
            let lines: Vec<u64> = read.iter().map(|(e, _)| e.csv_line).collect();
            assert_eq!(lines, lines_counted_whole(&bytes), "{end:?}");
            for (entry, start) in read.iter().skip(5).step_by(7) {
                let resumed = entries(log.resume(*start).unwrap());
                assert_eq!(&resumed[0].0, entry, "{end:?}");
                assert!(resumed[..] == read[entry.row as usize - 2..], "{end:?}");
            }
        }
    }

    /// A journal cut inside a row is read up to its last complete line, from its file as
    /// held whole.
    #[test]
    fn a_journal_is_read_up_to_its_last_complete_line() {
        let text = "file,byte_offset,matched,replacement\na.txt,1,Openai,OpenAI\na.txt,9,Chat";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("changes.csv.partial");
        std::fs::write(&path, text).unwrap();
        let read = entries(LogReader::open(&path).unwrap());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].0.byte_offset, 1);
    }
}
