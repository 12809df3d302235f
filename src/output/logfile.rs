//! The substitution log's format, both ways: the row mtfix writes, and the row it reads
//! back from a log a reviewer edited (in a spreadsheet, with csv tools or Python). Any of
//! the variants reviewers' tools produce is read back: with or without a UTF-8
//! byte-order mark, `,` `;` or tab between fields, CRLF or CR line ends, columns in any
//! order.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use xxhash_rust::xxh3;

use crate::correct::matcher::Rules;
use crate::correct::{Reused, Substitution};
use crate::error::{Error, Result};
use crate::output::logread::{LogReader, Row};

/// The log's columns, in order. The first eight are fixed; `decision` is for the reviewer;
/// `decided_in` names the reviewed log and line a reused decision comes from (`fix
/// --decisions`). Readers take a log without `decided_in` as one without reused decisions.
pub(crate) const COLUMNS: [&str; 14] = [
    "file",
    "line",
    "column",
    "byte_offset",
    "rule",
    "matched",
    "replacement",
    "context",
    "decision",
    "glossary",
    "note",
    "file_hash",
    "row_hash",
    "decided_in",
];

/// How the log is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Field separator: `,` by default; `;` for French-locale spreadsheets.
    pub delimiter: u8,
    /// Start with a UTF-8 byte-order mark (the default): Excel reads a CSV file opened
    /// with a double click in the system's legacy code page (Windows-1252 in France)
    /// unless it starts with one, and LibreOffice's import dialog then proposes UTF-8.
    /// Every reader of mtfix's takes it or leaves it.
    pub bom: bool,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            bom: true,
        }
    }
}

impl Dialect {
    /// A CSV writer of log rows in this dialect (the header is written by hand, once).
    pub(crate) fn rows_writer<W: Write>(self, writer: W) -> csv::Writer<W> {
        csv::WriterBuilder::new()
            .has_headers(false)
            .delimiter(self.delimiter)
            .from_writer(writer)
    }

    /// Writes the byte-order mark (if any) and the header.
    pub(crate) fn write_header<W: Write>(self, mut writer: W) -> std::io::Result<()> {
        if self.bom {
            writer.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut header = self.rows_writer(writer);
        header.write_record(COLUMNS)?;
        header.flush()
    }
}

/// One row of the log as written; the field order is the column order. Text cells are
/// written through [`escape_cell`], so no article text becomes a live formula in a
/// spreadsheet.
#[derive(Debug, Serialize)]
pub(crate) struct LogRow<'a> {
    file: Cow<'a, str>,
    line: u64,
    column: u64,
    byte_offset: usize,
    rule: Cow<'a, str>,
    matched: Cow<'a, str>,
    replacement: Cow<'a, str>,
    context: Cow<'a, str>,
    decision: &'a str,
    glossary: Cow<'a, str>,
    note: Cow<'a, str>,
    file_hash: &'a str,
    row_hash: String,
    decided_in: Cow<'a, str>,
}

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that some spreadsheets strip before doing so), as OWASP's CSV injection page
/// lists them.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as the log writes it: one that a spreadsheet would evaluate (it starts with one
/// of [`FORMULA_STARTS`]) gets a leading `'`, which spreadsheets show as text; so does a
/// cell that already starts with `'`, so that [`unescape_cell`] reads every cell back
/// exactly.
pub(crate) fn escape_cell(text: &str) -> Cow<'_, str> {
    match text.starts_with(FORMULA_STARTS) || text.starts_with('\'') {
        true => Cow::Owned(format!("'{text}")),
        false => Cow::Borrowed(text),
    }
}

/// The text of a cell written by [`escape_cell`].
pub(crate) fn unescape_cell(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Borrowed(cell),
    }
}

/// The `decision` cell of a row whose change was decided by an earlier log
/// (`--decisions`): `accept` for an acceptance or an edit, [`REJECTED`] for a rejection.
pub(crate) fn decision_cell(decided: Option<Reused>) -> &'static str {
    match decided {
        None => "",
        Some(Reused::Accepted | Reused::Edited) => "accept",
        Some(Reused::Rejected) => REJECTED,
    }
}

/// The `decision` cell mtfix writes for a reused rejection: the change is not in the
/// article, so `check` does not list it.
pub(crate) const REJECTED: &str = "reject";

impl<'a> LogRow<'a> {
    pub(crate) fn new(
        file: &'a str,
        file_hash: &'a str,
        sub: Substitution<'a>,
        rules: &'a Rules,
    ) -> Self {
        let rule = &rules.rules()[sub.rule];
        LogRow {
            file: escape_cell(file),
            line: sub.line,
            column: sub.column,
            byte_offset: sub.byte_offset,
            rule: escape_cell(&rule.id),
            matched: escape_cell(sub.matched),
            // An edited row holds the reviewer's replacement, and the hash of the
            // proposal: `apply` reads it as edited.
            replacement: escape_cell(match sub.decided {
                Some(Reused::Edited) => sub.edit,
                _ => sub.replacement,
            }),
            context: escape_cell(sub.context),
            decision: decision_cell(sub.decided),
            glossary: match rule.origin.path.to_string_lossy() {
                Cow::Borrowed(path) => escape_cell(path),
                Cow::Owned(path) => Cow::Owned(escape_cell(&path).into_owned()),
            },
            note: match sub.writes() {
                true => escape_cell(&rule.note),
                // A flag-only rule's row changes nothing; its note tells the reviewer why.
                false => Cow::Owned(
                    escape_cell(&flag_note(rules.proposed(rule), &rule.note)).into_owned(),
                ),
            },
            file_hash,
            row_hash: row_hash(sub.byte_offset, sub.matched, sub.replacement),
            decided_in: escape_cell(sub.decided_in),
        }
    }

    /// The row with its glossary named `glossary` rather than by the rule's path (the
    /// record stream's stable labels).
    pub(crate) fn with_glossary(self, glossary: &'a str) -> Self {
        LogRow {
            glossary: glossary.into(),
            ..self
        }
    }
}

/// The note of a flag-only rule's row: what it proposes, then the rule's note.
fn flag_note(proposed: &str, note: &str) -> String {
    match note {
        "" => format!("flag only, not written: proposes `{proposed}`"),
        note => format!("flag only, not written: proposes `{proposed}`. {note}"),
    }
}

/// The hash of a file's content recorded in every row of that file, so that `apply` and
/// `revert` can tell that a file is the one the log was made from: XXH3, 128 bits, in hex.
/// The hash only has to tell an edited file from the original, not resist a forger, and it
/// is computed for every article with a substitution: a cryptographic hash costs several
/// percent of `fix`. Older logs hold BLAKE3 hashes, still recognised when a file is
/// checked against its log.
pub fn file_hash(bytes: &[u8]) -> String {
    format!("{HASH_PREFIX}{}", hex_128(xxh3::xxh3_128(bytes)))
}

/// What every hash mtfix writes starts with. A bare hex hash made of digits only, or of
/// digits and one `e` (about 1 in 750 of them), is read by spreadsheets as a number and
/// saved back changed; a cell starting with letters stays text. Hashes without it (logs
/// written before 2026-12-05) are still read.
const HASH_PREFIX: &str = "xxh3:";

/// A hash read from a log without its [`HASH_PREFIX`], if any.
fn bare(hash: &str) -> &str {
    let hash = hash.trim();
    hash.strip_prefix(HASH_PREFIX).unwrap_or(hash)
}

/// Whether `expected`, read from a log, may be the BLAKE3 hash of a log written before
/// 2026-11-29: only a hash without the [`HASH_PREFIX`], which those logs never wrote.
/// A file is hashed with BLAKE3 too only then.
pub(crate) fn may_be_legacy(expected: &str) -> bool {
    !expected.trim().starts_with(HASH_PREFIX)
}

/// Whether `expected`, read from a log, is the hash of a content: the one place that
/// decides, for a file held ([`ContentHashes`]) or streamed (`review::bytes::HashSink`).
/// `current` gives the content's [`file_hash`]; `legacy` its BLAKE3 hash in hex (logs
/// kept its first 32 digits), asked for only when [`may_be_legacy`] and the XXH3 hash
/// differs.
pub(crate) fn is_hash<C: AsRef<str>, L: AsRef<str>>(
    expected: &str,
    current: impl FnOnce() -> C,
    legacy: impl FnOnce() -> L,
) -> bool {
    let bare_expected = bare(expected);
    bare_expected == bare(current().as_ref())
        || may_be_legacy(expected) && legacy().as_ref().get(..32) == Some(bare_expected)
}

/// The hashes a log may record for one file's content (see [`is_hash`]). Each is
/// computed at most once per file, and the old one only for a log that holds it: a
/// file's rows all carry its hash, and hashing the file again for each row of an old log
/// hashed it twice per row.
pub(crate) struct ContentHashes<'a> {
    bytes: &'a [u8],
    current: OnceCell<String>,
    legacy: OnceCell<String>,
}

impl<'a> ContentHashes<'a> {
    pub(crate) fn of(bytes: &'a [u8]) -> ContentHashes<'a> {
        ContentHashes {
            bytes,
            current: OnceCell::new(),
            legacy: OnceCell::new(),
        }
    }

    /// Whether `expected`, read from a log, is a hash of the content.
    pub(crate) fn matches(&self, expected: &str) -> bool {
        is_hash(
            expected,
            || self.current.get_or_init(|| file_hash(self.bytes)),
            || self.legacy.get_or_init(|| legacy_hash(self.bytes, 32)),
        )
    }
}

/// Incremental [`file_hash`] for a file read in pieces.
#[derive(Default)]
pub(crate) struct FileHasher(xxh3::Xxh3Default);

impl FileHasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub(crate) fn finish(&self) -> String {
        format!("{HASH_PREFIX}{}", hex_128(self.0.digest128()))
    }
}

/// A short hash of what mtfix proposed in a row: a reviewer who changes the replacement
/// changes what the row hashes to, so edited rows are recognised. XXH3, 64 bits, in hex.
pub(crate) fn row_hash(byte_offset: usize, matched: &str, replacement: &str) -> String {
    format!(
        "{HASH_PREFIX}{}",
        hash_of_row(&row_text(byte_offset, matched, replacement))
    )
}

/// Whether `hash`, read from a log, is the hash of the row's proposal: the [`row_hash`],
/// or the BLAKE3 one of logs written before 2026-11-29.
pub(crate) fn is_row_hash_of(
    hash: &str,
    byte_offset: usize,
    matched: &str,
    replacement: &str,
) -> bool {
    let (hash, row) = (bare(hash), row_text(byte_offset, matched, replacement));
    hash == hash_of_row(&row) || hash == legacy_hash(row.as_bytes(), 16)
}

/// What a row's hash is the hash of.
fn row_text(byte_offset: usize, matched: &str, replacement: &str) -> String {
    format!("{byte_offset}\0{matched}\0{replacement}")
}

/// The [`row_hash`] of a row's [`row_text`].
fn hash_of_row(row: &str) -> String {
    hex_64(xxh3::xxh3_64(row.as_bytes()))
}

/// The first `digits` hex digits of the BLAKE3 hash of `bytes`, as logs written before
/// 2026-11-29 recorded.
fn legacy_hash(bytes: &[u8], digits: usize) -> String {
    blake3::hash(bytes).to_hex()[..digits].to_owned()
}

fn hex_64(hash: u64) -> String {
    format!("{hash:016x}")
}

fn hex_128(hash: u128) -> String {
    format!("{hash:032x}")
}

/// What the reviewer decided for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Accept,
    Reject,
    /// Left empty: accepted, unless `--reject-empty`.
    Empty,
}

/// The words and marks read as an accepting decision, after [`decision_key`] (lower
/// case, accents and a trailing `e`/`s`/`.`/`!` dropped): English, French, ticks and the
/// spreadsheet booleans. `x` is a ticked box ("cocher d'une croix"), so it accepts.
const ACCEPT_WORDS: &[&str] = &[
    "accept", "accepted", "accepte", "accepter", "yes", "y", "ok", "oui", "o", "valide", "valider",
    "bon", "x", "1", "true", "vrai", "✓", "✔", "☑", "+1",
];

/// The words and marks read as a rejecting decision (see [`ACCEPT_WORDS`]).
const REJECT_WORDS: &[&str] = &[
    "reject", "rejected", "rejete", "rejeter", "refuse", "refuser", "refus", "no", "n", "non",
    "ko", "0", "false", "faux", "✗", "✘", "×", "☒", "-1",
];

/// What `apply --help` and the error for a bad `decision` cell say is read.
pub(crate) const DECISIONS_HELP: &str = "accept, accepté, accepter, validé, oui, yes, ok, x, 1, \
     ✓, TRUE/VRAI accept; reject, rejeté, refusé, non, no, ko, 0, ✗, FALSE/FAUX reject \
     (any case, with or without accents); empty is empty";

/// A decision cell reduced to what [`ACCEPT_WORDS`] and [`REJECT_WORDS`] list.
fn decision_key(text: &str) -> String {
    let unaccented: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect();
    let word = unaccented.trim_end_matches(['.', '!']);
    // `acceptées`, `refusés`: the agreement of the past participle (plural, feminine).
    let word = match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 5 && stem.ends_with('e') => stem,
        _ => word,
    };
    word.strip_suffix('e')
        .filter(|stem| stem.ends_with('e'))
        .unwrap_or(word)
        .to_owned()
}

impl Decision {
    pub(crate) fn parse(text: &str) -> Option<Decision> {
        let key = decision_key(text);
        if key.is_empty() {
            Some(Decision::Empty)
        } else if ACCEPT_WORDS.contains(&key.as_str()) {
            Some(Decision::Accept)
        } else if REJECT_WORDS.contains(&key.as_str()) {
            Some(Decision::Reject)
        } else {
            None
        }
    }

    /// Whether the row is applied, given how empty decisions are read.
    pub(crate) fn accepts(self, reject_empty: bool) -> bool {
        match self {
            Decision::Accept => true,
            Decision::Reject => false,
            Decision::Empty => !reject_empty,
        }
    }
}

/// One row of a log read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// 1-based line of the row in the CSV file, for messages.
    pub csv_line: u64,
    /// The row's number in a spreadsheet (the header is row 1); it differs from
    /// `csv_line` once a cell before holds a line break.
    pub row: u64,
    pub file: String,
    pub byte_offset: usize,
    pub rule: String,
    pub matched: String,
    pub replacement: String,
    pub decision: Decision,
    /// Empty when the log has no `file_hash` column.
    pub file_hash: String,
    /// The `row_hash` as read (empty when the log has none).
    pub row_hash: String,
    /// The sentence around the match, `⟦matched⟧` marked (empty when the log has none).
    pub context: String,
    /// What `apply`, `undo` or `revert` last recorded in the `applied` column: whether
    /// the row's change is in the articles they wrote (`None`: not recorded).
    pub applied: Option<bool>,
    /// Whether the reviewer changed the replacement (per `row_hash`).
    pub edited: bool,
}

impl Entry {
    /// Where the row is in the log, for messages: its CSV line, and its spreadsheet row
    /// when that differs.
    pub(crate) fn place(&self) -> String {
        match self.row == self.csv_line {
            true => self.csv_line.to_string(),
            false => format!("{} (spreadsheet row {})", self.csv_line, self.row),
        }
    }
}

impl Entry {
    /// Whether a reviewer worked on the row: a decision, or an edited replacement.
    pub(crate) fn reviewed(&self) -> bool {
        self.decision != Decision::Empty || self.edited
    }
}

/// Reads a log in any of the variants described above; a malformed row is an error that
/// names the log's line.
pub(crate) fn read(path: &Path) -> Result<Vec<Entry>> {
    collect(LogReader::open(path)?, |_| ()).map(|(_, entries)| entries)
}

/// The bytes of a log as CSV: the file's own, or a spreadsheet's first sheet as CSV.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    match is_spreadsheet(path) {
        true => spreadsheet_as_csv(path),
        false => std::fs::read(path).map_err(|e| Error::io(path, e)),
    }
}

/// Whether `path` names a spreadsheet file (`.xlsx`, `.xlsm`, `.xls`, `.ods`, any case)
/// rather than a CSV log: what a reviewer's spreadsheet saves by default.
pub(crate) fn is_spreadsheet(path: &Path) -> bool {
    path.extension().is_some_and(|ext| {
        ["xlsx", "xlsm", "xls", "ods"]
            .iter()
            .any(|known| ext.eq_ignore_ascii_case(known))
    })
}

/// The first sheet of a spreadsheet as CSV text, each cell as the spreadsheet shows it
/// (a whole number without a decimal point), so that it is read as a CSV log is.
fn spreadsheet_as_csv(path: &Path) -> Result<Vec<u8>> {
    use calamine::Reader;
    let error = |message: String| Error::Log {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message,
    };
    let mut workbook = calamine::open_workbook_auto(path)
        .map_err(|e| error(format!("not a readable spreadsheet: {e}")))?;
    let sheet = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| error("the spreadsheet has no sheet".into()))?
        .map_err(|e| error(format!("not a readable spreadsheet: {e}")))?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in sheet.rows() {
        let cells = row.iter().map(|cell| match cell {
            calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                format!("{}", *f as i64)
            }
            cell => cell.to_string(),
        });
        writer
            .write_record(cells)
            .map_err(|e| error(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| error(e.into_error().to_string()))
}

/// Reads log bytes (see [`read`]).
#[cfg(test)]
pub(crate) fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Entry>> {
    let log = LogReader::of_bytes(bytes.to_vec(), path)?;
    collect(log, |_| ()).map(|(_, entries)| entries)
}

/// A log read back whole, every field kept as read: what `mtfix review` needs to write
/// the same log again with the reviewer's decisions in it.
pub(crate) struct Table {
    /// The header's column names, in the log's order.
    pub header: Vec<String>,
    /// Each row's fields as read, in the header's order (row `i` is `entries[i]`).
    pub records: Vec<Vec<String>>,
    pub entries: Vec<Entry>,
    pub delimiter: u8,
    pub bom: bool,
}

/// Reads log bytes (see [`read`]) keeping every field.
pub(crate) fn parse_table(bytes: &[u8], path: &Path) -> Result<Table> {
    let log = LogReader::of_bytes(bytes.to_vec(), path)?;
    let (delimiter, bom) = (log.delimiter(), log.bom());
    let mut records = Vec::new();
    let (header, entries) = collect(log, |record| {
        records.push(record.iter().map(str::to_owned).collect())
    })?;
    Ok(Table {
        header,
        records,
        entries,
        delimiter,
        bom,
    })
}

/// Reads every row of `log`, showing each record to `each` as it is read; returns the
/// header too. The `decision` cells that are not decisions are all named in one error.
fn collect(
    mut log: LogReader,
    mut each: impl FnMut(&csv::StringRecord),
) -> Result<(Vec<String>, Vec<Entry>)> {
    let mut entries = Vec::new();
    // (CSV line, spreadsheet row, cell) of each `decision` that is not one.
    let mut bad_decisions: Vec<(u64, u64, String)> = Vec::new();
    while let Some(row) = log.next_row()? {
        match row {
            Row::Entry(entry) => {
                entries.push(entry);
                each(log.record());
            }
            Row::BadDecision { line, row, cell } => bad_decisions.push((line, row, cell)),
        }
    }
    if !bad_decisions.is_empty() {
        return Err(bad_decisions_error(&log, &bad_decisions));
    }
    Ok((log.header().iter().map(str::to_owned).collect(), entries))
}

/// One error naming every `decision` cell that is not a decision, each with its CSV line,
/// column and spreadsheet row (they differ once a cell holds a line break).
pub(crate) fn bad_decisions_error(log: &LogReader, cells: &[(u64, u64, String)]) -> Error {
    let path = log.path();
    let column = log.column("decision").map_or(1, |i| i as u64 + 1);
    let letter = column_letter(column);
    let mut message = String::new();
    for (i, (line, row, cell)) in cells.iter().enumerate() {
        if i > 0 {
            message.push_str(&format!("\n{}:{line}:{column}: ", path.display()));
        }
        message.push_str(&format!(
            "`decision` (column {letter}, spreadsheet row {row}): `{cell}` is not a decision"
        ));
    }
    if cells.len() > 1 {
        message.push_str(&format!("\n{} cells are not decisions", cells.len()));
    }
    message.push_str(&format!("; read: {DECISIONS_HELP}; nothing was applied"));
    Error::Log {
        path: path.to_owned(),
        line: cells[0].0,
        column,
        message,
    }
}

/// A spreadsheet's name for the 1-based column `n`: A … Z, AA …
fn column_letter(mut n: u64) -> String {
    let mut letters = Vec::new();
    while n > 0 {
        let digit = (n - 1) % 26;
        letters.push(b'A' + digit as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Whether each row's change is in the articles now, by the row's number
/// ([`Entry::row`], dense in a log read whole): what `apply`, `undo` and `revert` record.
/// One byte a row, so a log of any length is recorded in little memory.
#[derive(Debug, Default)]
pub(crate) struct AppliedRows {
    by_row: Vec<Option<bool>>,
    count: usize,
}

impl AppliedRows {
    pub(crate) fn insert(&mut self, row: u64, applied: bool) {
        let i = row.saturating_sub(2) as usize;
        if self.by_row.len() <= i {
            self.by_row.resize(i + 1, None);
        }
        self.count += usize::from(self.by_row[i].is_none());
        self.by_row[i] = Some(applied);
    }

    pub(crate) fn get(&self, row: u64) -> Option<bool> {
        let i = row.saturating_sub(2) as usize;
        self.by_row.get(i).copied().flatten()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Records in the log's `applied` column (added after the others if missing) whether
/// each row's change is now in the articles: `yes` or `no` for the rows named in
/// `applied`, the others kept as they are. The log keeps its delimiter, byte-order mark,
/// line ends and every other cell; it is read and rewritten a row at a time, atomically,
/// and put in place only if a cell changes. Returns whether it was rewritten. `read` is
/// the log's stamp when its rows were first read: rows are known by their number, so a
/// log saved since then (rows sorted, added) is refused, and it is checked again right
/// before the rewrite is put in place.
pub(crate) fn record_applied(
    path: &Path,
    applied: &AppliedRows,
    read: Option<crate::output::atomic::Stamp>,
) -> Result<bool> {
    let crlf = has_crlf(path)?;
    let mut log = LogReader::open(path)?;
    if read.is_some() && log.stamp() != read {
        return Err(log.changed());
    }
    let mut header: Vec<String> = log.header().iter().map(str::to_owned).collect();
    let found = header.iter().position(|name| name.trim() == "applied");
    let mut changed = found.is_none();
    let column = found.unwrap_or_else(|| {
        header.push("applied".to_owned());
        header.len() - 1
    });
    let mut file = crate::output::atomic::AtomicFile::create(path)?;
    if log.bom() {
        file.write(b"\xEF\xBB\xBF")?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(log.delimiter())
        .terminator(match crlf {
            true => csv::Terminator::CRLF,
            false => csv::Terminator::Any(b'\n'),
        })
        .from_writer(&mut file);
    let io = |e: csv::Error| Error::io(path, e.into());
    writer.write_record(&header).map_err(io)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    while let Some(row) = log.next_row()? {
        let entry = match row {
            Row::Entry(entry) => entry,
            Row::BadDecision { line, row, cell } => {
                return Err(bad_decisions_error(&log, &[(line, row, cell)]));
            }
        };
        record.clear();
        record.extend(log.record().iter().map(str::to_owned));
        record.resize(record.len().max(header.len()), String::new());
        if let Some(now) = applied.get(entry.row) {
            let cell = if now { "yes" } else { "no" };
            changed |= record[column] != cell;
            record[column] = cell.to_owned();
        }
        writer.write_record(&record).map_err(io)?;
    }
    writer.flush().map_err(|e| Error::io(path, e))?;
    drop(writer);
    if !changed {
        // Dropped uncommitted: the temporary copy is removed, the log left as it is.
        return Ok(false);
    }
    file.commit(crate::output::atomic::Durability::Synced, read, None)?;
    Ok(true)
}

/// Whether the file holds a CRLF line end anywhere.
fn has_crlf(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut block = vec![0; 1 << 16];
    let mut last = 0;
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        if last == b'\r' && block[0] == b'\n'
            || memchr::memmem::find(&block[..n], b"\r\n").is_some()
        {
            return Ok(true);
        }
        last = block[n - 1];
    }
}

/// Log entries grouped by file (with the path each logged name stands for), each group
/// in offset order, files in log order.
pub(crate) fn by_file(entries: Vec<Entry>) -> Vec<(PathBuf, Vec<Entry>)> {
    let mut groups: Vec<(PathBuf, Vec<Entry>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let i = *index.entry(entry.file.clone()).or_insert_with(|| {
            groups.push((crate::input::walk::unescape_name(&entry.file), Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(entry);
    }
    for (_, entries) in &mut groups {
        entries.sort_by_key(|e| (e.byte_offset, e.csv_line));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "file,line,column,byte_offset,rule,matched,replacement,context,decision,glossary,note,file_hash,row_hash\n";

    fn row(
        offset: usize,
        matched: &str,
        replacement: &str,
        decision: &str,
        hash_of: &str,
    ) -> String {
        format!(
            "a.txt,1,1,{offset},r,{matched},{replacement},ctx,{decision},g.csv,,h,{}\n",
            row_hash(offset, matched, hash_of)
        )
    }

    #[test]
    fn reads_decisions_and_edits() {
        let text = format!(
            "{LOG}{}{}{}",
            row(3, "Openai", "OpenAI", "", "OpenAI"),
            row(20, "chatppt", "ChatGPT", "Reject", "ChatGPT"),
            row(40, "l'automne", "la chute", "accept", "drop"),
        );
        let entries = parse(text.as_bytes(), Path::new("log.csv")).unwrap();
        let seen: Vec<_> = entries
            .iter()
            .map(|e| (e.csv_line, e.byte_offset, e.decision, e.edited))
            .collect();
        assert_eq!(
            seen,
            [
                (2, 3, Decision::Empty, false),
                (3, 20, Decision::Reject, false),
                (4, 40, Decision::Accept, true),
            ]
        );
    }

    #[test]
    fn french_decisions_and_the_usual_marks_are_read() {
        let accept = [
            "accept",
            "Accepté",
            "acceptée",
            "ACCEPTÉES",
            "accepter",
            "validé",
            "Validée",
            "oui",
            "OK",
            "x",
            "X",
            "1",
            "✓",
            "✔",
            "TRUE",
            "vrai",
            "yes",
        ];
        let reject = [
            "reject", "rejeté", "Rejetée", "refusé", "refusés", "refuser", "non", "no", "KO", "0",
            "✗", "✘", "FALSE", "Faux",
        ];
        for cell in accept {
            assert_eq!(Decision::parse(cell), Some(Decision::Accept), "{cell}");
        }
        for cell in reject {
            assert_eq!(Decision::parse(cell), Some(Decision::Reject), "{cell}");
        }
        for cell in ["", "  "] {
            assert_eq!(Decision::parse(cell), Some(Decision::Empty), "{cell:?}");
        }
        for cell in ["peut-être", "?", "xx", "2", "acceptable", "yess"] {
            assert_eq!(Decision::parse(cell), None, "{cell}");
        }
        assert_eq!(column_letter(9), "I");
        assert_eq!(column_letter(28), "AB");
    }

    #[test]
    fn hashes_of_logs_written_with_blake3_are_still_recognised() {
        let article = "Openai a publié chatppt.".as_bytes();
        let blake3_file = blake3::hash(article).to_hex()[..32].to_owned();
        assert_ne!(file_hash(article), blake3_file);
        // Hashes written without the prefix (before 2026-12-05) are read too.
        let unprefixed = file_hash(article).replace(HASH_PREFIX, "");
        assert!(is_file_hash_of(&unprefixed, article));
        let row = row_hash(3, "Openai", "OpenAI").replace(HASH_PREFIX, "");
        assert!(is_row_hash_of(&row, 3, "Openai", "OpenAI"));
        assert!(is_file_hash_of(&file_hash(article), article));
        assert!(is_file_hash_of(&blake3_file, article));
        assert!(!is_file_hash_of(&blake3_file, b"Openai a publie chatppt."));

        let blake3_row = blake3::hash("3\0Openai\0OpenAI".as_bytes()).to_hex()[..16].to_owned();
        assert!(is_row_hash_of(&blake3_row, 3, "Openai", "OpenAI"));
        assert!(!is_row_hash_of(&blake3_row, 3, "Openai", "Open AI"));
        assert!(!is_row_hash_of(&blake3_row, 4, "Openai", "OpenAI"));
        let text = format!(
            "{LOG}a.txt,1,1,3,r,Openai,OpenAI,ctx,,g.csv,,h,{blake3_row}\n\
             a.txt,1,1,3,r,Openai,Open AI,ctx,,g.csv,,h,{blake3_row}\n"
        );
        let entries = parse(text.as_bytes(), Path::new("log.csv")).unwrap();
        let edited: Vec<bool> = entries.iter().map(|e| e.edited).collect();
        assert_eq!(edited, [false, true]);
    }

    /// Whether `expected`, read from a log, is the hash of `bytes`.
    fn is_file_hash_of(expected: &str, bytes: &[u8]) -> bool {
        ContentHashes::of(bytes).matches(expected)
    }

    #[test]
    fn a_file_hashed_in_pieces_has_the_hash_of_the_whole() {
        let article = "L'IA profonde a publié chatppt. ".repeat(10_000);
        let mut hasher = FileHasher::default();
        for piece in article.as_bytes().chunks(4099) {
            hasher.update(piece);
        }
        assert_eq!(hasher.finish(), file_hash(article.as_bytes()));
        assert_eq!(FileHasher::default().finish(), file_hash(b""));
    }

    #[test]
    fn reads_semicolons_bom_and_crlf() {
        let text = format!("\u{feff}{LOG}{}", row(3, "Openai", "OpenAI", "", "OpenAI"))
            .replace(',', ";")
            .replace('\n', "\r\n");
        let entries = parse(text.as_bytes(), Path::new("log.csv")).unwrap();
        assert_eq!(entries[0].csv_line, 2);
        assert_eq!(entries[0].file, "a.txt");
        assert_eq!(entries[0].replacement, "OpenAI");
        assert!(!entries[0].edited);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let text = format!(
            "{LOG}{}{}{}",
            row(3, "a", "b", "maybe", "b"),
            row(5, "a", "b", "accepté", "b"),
            row(7, "a\nb", "b", "peut-être", "b").replace("a\nb", "\"a\nb\""),
        );
        let error = parse(text.as_bytes(), Path::new("log.csv"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "log.csv:2:9: `decision` (column I, spreadsheet row 2): `maybe` is not a decision\n\
                 log.csv:4:9: `decision` (column I, spreadsheet row 4): `peut-être` is not a decision\n\
                 2 cells are not decisions; read: {DECISIONS_HELP}; nothing was applied"
            )
        );
        let error = parse(b"a,b\n1,2\n", Path::new("x.csv"))
            .unwrap_err()
            .to_string();
        assert_eq!(error, "x.csv:1:1: not an mtfix log: no `file` column");
        // A row that is not UTF-8, in a CRLF log (the csv crate counts it from the line
        // before) and in one with classic Mac line ends (all on line 1 for the csv crate).
        for end in ["\r\n", "\r"] {
            let mut bytes = format!("{LOG}{}", row(3, "a", "b", "", "b"))
                .replace('\n', end)
                .into_bytes();
            bytes.extend_from_slice(b"a.txt,1,1,7,caf\xE9,x,y");
            bytes.extend_from_slice(end.as_bytes());
            let error = parse(&bytes, Path::new("log.csv")).unwrap_err().to_string();
            assert_eq!(error, "log.csv:3:1: field 5 is not valid UTF-8", "{end:?}");
        }
    }

    /// A log saved after mtfix read its rows (a reviewer's spreadsheet, rows sorted) is
    /// not rewritten with `applied` cells placed by the old row numbers.
    #[test]
    fn a_log_saved_since_it_was_read_gets_no_applied_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        let row = row(0, "Openai", "OpenAI", "", "Openai");
        let log = format!("{LOG}{row}");
        std::fs::write(&path, &log).unwrap();
        let read = crate::output::atomic::Stamp::of(&std::fs::metadata(&path).unwrap());
        let saved = format!("{log}{}", row.replacen("a.txt", "b.txt", 1));
        std::fs::write(&path, &saved).unwrap();
        let mut applied = AppliedRows::default();
        applied.insert(0, true);
        let error = record_applied(&path, &applied, Some(read)).unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);
        let read = crate::output::atomic::Stamp::of(&std::fs::metadata(&path).unwrap());
        assert!(record_applied(&path, &applied, Some(read)).unwrap());
        assert!(std::fs::read_to_string(&path).unwrap().contains(",yes"));
    }
}
