//! The review loop: a reviewer's decisions in the CSV log drive the final articles.
//! `apply` makes exactly the accepted substitutions of a reviewed log in the original
//! articles; `undo` does the same starting from the corrected articles `fix` wrote (publish
//! first, undo what the reviewer rejected); `revert` turns articles back into the
//! originals from the log alone.
//!
//! All three work on bytes, so every byte outside the substituted spans is kept whatever
//! the encoding. Each file is first brought back to the original the log was made from,
//! which its `file_hash` identifies: the file may be that original, the copy `fix` wrote
//! (every row in, as proposed), or what an earlier `apply`/`undo` wrote (the rows its
//! `applied` column, or the sidecar beside a spreadsheet log, or failing that its
//! decisions, say are in). Each way is tried and kept only if it gives back exactly the
//! original's hash, so no flag of an earlier run needs repeating. An article changed
//! since `fix` matches none: `apply` then finds each row again by its matched text and the
//! sentence around it, and applies it only where that is found exactly once. A row that
//! does not fit is reported with its CSV line and skipped.
//!
//! Memory does not grow with the article or the log: each way is a forward pass that
//! copies the article up to each row's place ([`bytes`]), over an article held whole up
//! to 16 MB as `fix` holds it, or read from its file again for each pass past that; the
//! log is read a row at a time, each file's rows again from their place in it
//! ([`rows`]). Only finding rows again in a changed article holds it whole.

mod bytes;
pub(crate) mod decisions;
mod rows;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use crate::article::Destination;
use crate::config::{Direction, ReviewConfig};
use crate::error::{Error, Result};
use crate::input::encoding::{self, TextEncoding};
use crate::input::walk::{self, Article};
use crate::output::logfile::{self, AppliedRows, Entry};
use bytes::{Compare, HashSink, Input, Optional, Original, Source};
use rows::{FileRows, Group, LogRows};

/// A message about one row of the log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RowNote {
    /// The row's file, as the log names it.
    pub file: String,
    pub csv_line: u64,
    /// The row's place in the log for messages (line, and spreadsheet row if it differs).
    pub place: String,
    pub message: String,
}

/// What a review run did.
#[derive(Debug, Default)]
pub(crate) struct ReviewReport {
    /// Rows whose change is in the articles written (`apply`, `undo`), or undone
    /// (`revert`).
    pub applied: usize,
    /// Rows left out: rejected by the reviewer (`revert`: rows that were not in the
    /// articles).
    pub rejected: usize,
    /// Applied rows found again by their text and sentence in an article changed since
    /// `fix`.
    pub reanchored: usize,
    /// Applied rows whose replacement the reviewer edited.
    pub edited: Vec<RowNote>,
    /// Rows skipped because they do not fit the file.
    pub skipped: Vec<RowNote>,
    /// Rows of files that are not among the inputs, left alone: (rows, file names).
    pub elsewhere: (usize, Vec<String>),
    /// `apply` given the corrected copies `fix` wrote instead of the originals.
    pub corrected_copies: Vec<String>,
    /// Files that could not be processed at all.
    pub failures: Vec<Error>,
    pub files_written: usize,
    /// Files not reviewed, left as they are, because a signal stopped the run.
    pub not_reviewed: usize,
}

/// Runs `apply`, `undo` or `revert`.
pub(crate) fn run(config: &ReviewConfig) -> Result<ReviewReport> {
    let stale_ok = config.direction == Direction::Apply;
    let log = LogRows::read(&config.log, stale_ok)?;
    let logged = log.logged;
    let _locks = match config.out {
        None => {
            let locks = crate::output::atomic::lock_folders(&config.inputs)?;
            crate::output::atomic::remove_leftovers(&config.inputs);
            locks
        }
        Some(_) => Vec::new(),
    };
    let (articles, walk_errors) = walk::list(&config.inputs, &config.extensions, config.follow);
    let mut report = ReviewReport {
        failures: walk_errors,
        ..ReviewReport::default()
    };
    let groups = by_article(&articles, &log.groups, &mut report);
    if logged > 0 && report.elsewhere.0 == logged && !articles.is_empty() {
        report.failures.push(Error::Usage(format!(
            "none of the {} files the log names is among the inputs (the log names each \
             file relative to the folder given to `fix`, such as `{}`): give that folder",
            report.elsewhere.1.len(),
            report.elsewhere.1[0]
        )));
    }
    let mut record = AppliedRows::default();
    // Under --out, two inputs holding the same relative path would write the same copy.
    let mut copies = std::collections::HashSet::new();
    for (i, article) in articles.iter().enumerate() {
        if crate::interrupt::requested() {
            report.not_reviewed = articles.len() - i;
            break;
        }
        if config.out.is_some() && !copies.insert(&article.relative) {
            report.failures.push(Error::Article {
                path: article.path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "an earlier input holds `{}` too; its result under --out would be \
                     overwritten, so this one is not written",
                    article.log_name()
                ),
            });
            continue;
        }
        let mut outcome = Outcome::default();
        let rows = groups.get(&i).map(|&g| log.of(&log.groups[g])).transpose();
        let reviewed =
            rows.and_then(|rows| review_file(article, rows.as_ref(), config, &mut outcome));
        match reviewed {
            Ok(()) => outcome.merge_into(&mut report, &mut record),
            Err(error) => report.failures.push(error),
        }
    }
    report.skipped.sort();
    report.edited.sort();
    let journal = config.log.extension().is_some_and(|ext| ext == "partial");
    // What `apply` or `undo` put in the articles they wrote, so that a later `revert` or
    // `undo` needs no flag: in the log's `applied` column, or beside a spreadsheet log.
    // `revert` leaves them: what it writes is the original, which the content hash
    // recognises.
    if !record.is_empty() && !journal && config.direction != Direction::Revert {
        let recorded = match log.sidecar {
            Some(sidecar) => sidecar.record(&record),
            None => logfile::record_applied(&config.log, &record, log.stamp()),
        };
        if let Err(error) = recorded {
            report.failures.push(error);
        }
    }
    Ok(report)
}

/// `limit`, or the number in the environment variable `var` when it is lower: a hidden
/// knob for tests, which run the streamed paths on small articles and logs (see
/// CONTRIBUTING.md). It can only make a run hold less; a value that is not a number is
/// ignored. Read once per run, in `cell`.
fn lowered(cell: &std::sync::OnceLock<u64>, var: &str, limit: u64) -> u64 {
    *cell.get_or_init(|| {
        let set = std::env::var(var).ok().and_then(|v| v.trim().parse().ok());
        set.map_or(limit, |set: u64| set.min(limit))
    })
}

/// Why a row that overlaps the one kept before it is skipped.
const OVERLAP: &str = "overlaps the row before it; row skipped";

/// One file's outcome: what it adds to the report, and the `applied` cell of each of its
/// rows. It is merged into the run's only once the file is written (or left as it is),
/// so a file that fails at any step, reading the log again included, claims no row, no
/// count and no mark: its rows keep the marks an earlier run gave them, which still
/// describe the file left as it was.
#[derive(Default)]
struct Outcome {
    report: ReviewReport,
    /// `(row, applied)`, in the order decided: a later mark of a row replaces an earlier.
    marks: Vec<(u64, bool)>,
}

impl Outcome {
    fn skip(&mut self, row: &Entry, message: String) {
        self.report.skipped.push(note(row, message));
        self.mark(row, false);
    }

    fn mark(&mut self, row: &Entry, applied: bool) {
        self.marks.push((row.row, applied));
    }

    /// Adds the outcome of a file done to the run's report and marks.
    fn merge_into(self, report: &mut ReviewReport, record: &mut AppliedRows) {
        let file = self.report;
        report.applied += file.applied;
        report.rejected += file.rejected;
        report.reanchored += file.reanchored;
        report.edited.extend(file.edited);
        report.skipped.extend(file.skipped);
        report.corrected_copies.extend(file.corrected_copies);
        report.files_written += file.files_written;
        for (row, applied) in self.marks {
            record.insert(row, applied);
        }
    }

    /// Skips every row of a file whose articles were left as they are.
    fn skip_all<'r>(
        &mut self,
        rows: impl Iterator<Item = Result<Cow<'r, Entry>>>,
        message: &str,
    ) -> Result<()> {
        for row in rows {
            let row = row?;
            self.report.skipped.push(note(&row, message.to_owned()));
        }
        Ok(())
    }
}

fn note(row: &Entry, message: String) -> RowNote {
    RowNote {
        file: row.file.clone(),
        csv_line: row.csv_line,
        place: row.place(),
        message,
    }
}

/// The group of rows of each article (by its index), each file of the log matched by
/// the path relative to its input (as logged), or else by the end of its path, when only
/// one article's path ends so (`apply` on a subfolder of what `fix` was given). Rows of
/// files not among the inputs are counted in `report.elsewhere`.
fn by_article(
    articles: &[Article],
    groups: &[Group],
    report: &mut ReviewReport,
) -> HashMap<usize, usize> {
    // The first input holding a path wins, as under `fix --out`.
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, article) in articles.iter().enumerate() {
        names.entry(article.log_name()).or_insert(i);
    }
    let mut by_file_name: HashMap<&std::ffi::OsStr, Vec<usize>> = HashMap::new();
    for (i, article) in articles.iter().enumerate() {
        if let Some(name) = article.path.file_name() {
            by_file_name.entry(name).or_default().push(i);
        }
    }
    let mut rows = HashMap::new();
    for (g, group) in groups.iter().enumerate() {
        let file = &group.path;
        let by_suffix = || {
            let candidates = by_file_name.get(file.file_name()?)?;
            let mut matching = candidates
                .iter()
                .filter(|&&i| articles[i].path.ends_with(file));
            let first = *matching.next()?;
            matching.next().is_none().then_some(first)
        };
        match names.get(&group.name).copied().or_else(by_suffix) {
            Some(i) if !rows.contains_key(&i) => {
                rows.insert(i, g);
            }
            _ => {
                report.elsewhere.0 += group.count;
                report.elsewhere.1.push(group.name.clone());
            }
        }
    }
    rows
}

/// One byte-level change.
struct Splice {
    at: usize,
    len: usize,
    with: Vec<u8>,
}

fn review_file(
    article: &Article,
    rows: Option<&FileRows>,
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Result<()> {
    let path = &article.path;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let input = Input::open(path, meta.len())?;
    let plan = match rows {
        None => Some(Plan::AsIs),
        Some(rows) => reconcile(&input, rows, config, outcome)?,
    };
    let Some(plan) = plan else {
        return Ok(());
    };
    let changed = write(article, &input, rows, &plan, &meta, config, outcome)?;
    outcome.report.files_written += usize::from(config.out.is_some() || changed);
    Ok(())
}

/// How the rows stand in a file that is not the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// What an earlier `apply`, `undo` or `revert` recorded in the `applied` column.
    Recorded,
    /// Every row in, as proposed: what `fix` wrote.
    Corrected,
    /// The rows the decisions accept (reading empty ones as given): what `apply` of an
    /// mtfix that did not record them wrote.
    Accepted { reject_empty: bool },
}

impl State {
    /// Whether `row` is in a file in this state.
    fn has(self, row: &Entry) -> bool {
        match self {
            State::Recorded => row.applied == Some(true),
            State::Corrected => true,
            State::Accepted { reject_empty } => row.decision.accepts(reject_empty),
        }
    }
}

/// What a file becomes.
enum Plan {
    /// The file as it is.
    AsIs,
    /// The original the log was made from, which the file gives back with the rows in
    /// it in this state undone.
    Original(State, TextEncoding),
    /// The original with the rows the reviewer accepts; the file is the original
    /// (`None`) or gives it back in the state.
    Target(Option<State>, TextEncoding),
    /// Made in memory: rows found again in an article changed since `fix`.
    Made(Vec<u8>),
}

/// What `config.direction` makes of one file, or `None` when it is left as it is.
fn reconcile(
    input: &Input,
    rows: &FileRows,
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Result<Option<Plan>> {
    let file = rows.name();
    let detected = match input.held() {
        Some(bytes) => encoding::detect(bytes, config.encoding),
        None => crate::article::detect_streamed(input.path(), &input.head()?, config.encoding)?,
    };
    let encoding = match detected {
        Ok(encoding) => encoding,
        Err(why) => {
            outcome.skip_all(rows.iter()?, &format!("{file}: {why}"))?;
            return Ok(None);
        }
    };
    // A row that overlaps the one before it in the original cannot be undone or applied
    // beside it: reported, and left out of everything below.
    let mut first = None;
    for row in rows.kept()? {
        let (row, overlaps) = row?;
        if overlaps {
            outcome.skip(&row, OVERLAP.to_owned());
        }
        first.get_or_insert_with(|| row.file_hash.clone());
    }
    let expected = first.unwrap_or_default();
    let unhashed = expected.is_empty();
    let found = original(input, rows, &expected, encoding)?;
    let plan = match (config.direction, found) {
        (Direction::Apply, Some(None)) => Plan::Target(None, encoding),
        (Direction::Apply, None) if unhashed => Plan::Target(None, encoding),
        (Direction::Apply, Some(_)) => {
            outcome.report.corrected_copies.push(file.to_owned());
            return Ok(None);
        }
        (Direction::Apply, None) => match reanchor(&input.whole()?, rows, config, outcome)? {
            Some(made) => Plan::Made(made),
            None => return Ok(None),
        },
        (Direction::Undo, Some(state)) => Plan::Target(state, encoding),
        (Direction::Revert, Some(None)) => {
            // Already the original (a killed in-place run logs an article just before
            // renaming it): nothing to undo.
            for row in rows.kept()? {
                let (row, overlaps) = row?;
                if !overlaps {
                    outcome.mark(&row, false);
                }
            }
            Plan::AsIs
        }
        (Direction::Revert, Some(Some(state))) => {
            for row in rows.kept()? {
                let (row, overlaps) = row?;
                if overlaps {
                    continue;
                }
                outcome.mark(&row, false);
                if !state.has(&row) {
                    outcome.report.rejected += 1;
                    continue;
                }
                if state != State::Corrected {
                    note_edit(&row, config.direction, &mut outcome.report);
                }
                outcome.report.applied += 1;
            }
            Plan::Original(state, encoding)
        }
        (Direction::Undo | Direction::Revert, None) => {
            let message = match unhashed {
                true => format!(
                    "{file}: the log has no `file_hash` to tell what the file holds; \
                     its rows are skipped"
                ),
                false => format!(
                    "{file} is neither the original the log was made from, nor what `fix` \
                     or `apply` wrote from it (changed since?); its rows are skipped"
                ),
            };
            let kept = rows.kept()?.filter_map(|row| match row {
                Ok((_, true)) => None,
                Ok((row, false)) => Some(Ok(row)),
                Err(error) => Some(Err(error)),
            });
            outcome.skip_all(kept, &message)?;
            return Ok(None);
        }
    };
    Ok(Some(plan))
}

/// How the rows stand in the file when it gives back exactly the content hash the log
/// recorded, `expected`: `Some(None)` when it is the original, `Some(Some(state))` when
/// undoing the rows in it in `state` gives the original back, `None` when no way does.
fn original(
    input: &Input,
    rows: &FileRows,
    expected: &str,
    encoding: TextEncoding,
) -> Result<Option<Option<State>>> {
    if expected.is_empty() {
        return Ok(None);
    }
    let mut hash = HashSink::new(expected);
    input
        .source()?
        .copy_rest(&mut hash)
        .map_err(|e| input.error(e))?;
    if hash.matches() {
        return Ok(Some(None));
    }
    let mut recorded = false;
    for row in rows.kept()? {
        let (row, overlaps) = row?;
        recorded |= !overlaps && row.applied.is_some();
    }
    let states = [
        State::Recorded,
        State::Corrected,
        State::Accepted {
            reject_empty: false,
        },
        State::Accepted { reject_empty: true },
    ];
    for state in states {
        if state == State::Recorded && !recorded {
            continue;
        }
        let mut hash = HashSink::new(expected);
        if undo_rows(input, rows, encoding, state, &mut hash)? && hash.matches() {
            return Ok(Some(Some(state)));
        }
    }
    Ok(None)
}

/// Writes to `sink` the file with the rows that are in it in `state` undone; tells
/// whether that could be done (`false`: a row is not where the rows before it put it,
/// and `sink` holds part of the file).
fn undo_rows(
    input: &Input,
    rows: &FileRows,
    encoding: TextEncoding,
    state: State,
    sink: &mut dyn Write,
) -> Result<bool> {
    let mut source = input.source()?;
    let io = |e| input.error(e);
    // How far the rows before moved the text.
    let mut shift: isize = 0;
    for row in rows.kept()? {
        let (row, overlaps) = row?;
        if overlaps || !state.has(&row) {
            continue;
        }
        let Some(at) = row.byte_offset.checked_add_signed(shift) else {
            return Ok(false);
        };
        let at = at as u64;
        if at < source.offset() || !encoding.can_encode(&row.matched) {
            return Ok(false);
        }
        if !source.copy_to(at, sink).map_err(io)? {
            return Ok(false);
        }
        let text = match state == State::Corrected && row.edited {
            true => match proposed(source.peek(MAX_PROPOSED).map_err(io)?, &row, encoding) {
                Some(text) => text,
                None => return Ok(false),
            },
            false if encoding.can_encode(&row.replacement) => {
                encoding.encode(&row.replacement).into_owned()
            }
            false => return Ok(false),
        };
        if source.peek(text.len()).map_err(io)? != text {
            return Ok(false);
        }
        let matched = encoding.encode(&row.matched);
        sink.write_all(&matched).map_err(io)?;
        source.skip(text.len());
        shift += text.len() as isize - matched.len() as isize;
    }
    source.copy_rest(sink).map_err(io)?;
    Ok(true)
}

/// The longest replacement `proposed` looks for.
const MAX_PROPOSED: usize = 4096;

/// What `fix` proposed for a row the reviewer edited, as it stands at the start of
/// `rest` (up to [`MAX_PROPOSED`] bytes of the file `fix` wrote): the text there whose
/// hash, with the row's offset and matched text, is the row's `row_hash`.
fn proposed(rest: &[u8], row: &Entry, encoding: TextEncoding) -> Option<Vec<u8>> {
    if row.row_hash.is_empty() {
        return None;
    }
    (0..=rest.len().min(MAX_PROPOSED)).find_map(|len| {
        let text = encoding.decode(&rest[..len], 0).ok()?;
        logfile::is_row_hash_of(&row.row_hash, row.byte_offset, &row.matched, &text)
            .then(|| rest[..len].to_vec())
    })
}

/// Writes to `sink` the original in `source` with the rows the reviewer accepts, as
/// they stand in the log (edited replacements included). Rows that overlap or do not
/// fit are reported and skipped. An I/O error names the article `input`, which `source`
/// is made from.
fn target(
    input: &Input,
    source: &mut Source,
    rows: &FileRows,
    encoding: TextEncoding,
    config: &ReviewConfig,
    outcome: &mut Outcome,
    sink: &mut dyn Write,
) -> Result<()> {
    let io = |e| input.error(e);
    // Where the last row applied ends.
    let mut end = 0;
    for row in rows.kept()? {
        let (row, overlaps) = row?;
        if overlaps {
            continue;
        }
        if !row.decision.accepts(config.reject_empty) {
            outcome.report.rejected += 1;
            outcome.mark(&row, false);
            continue;
        }
        let Some((matched, replacement)) = encode_row(&row, encoding, outcome) else {
            continue;
        };
        let at = row.byte_offset;
        if (at as u64) < source.offset() || at < end {
            outcome.skip(&row, OVERLAP.to_owned());
            continue;
        }
        let found = source.copy_to(at as u64, sink).map_err(io)?
            && source.peek(matched.len()).map_err(io)? == matched;
        if !found {
            let message = format!(
                "`{}` is not where the log puts it in {} (byte offset {at}); row skipped",
                row.matched, row.file
            );
            outcome.skip(&row, message);
            continue;
        }
        note_edit(&row, Direction::Apply, &mut outcome.report);
        sink.write_all(&replacement).map_err(io)?;
        source.skip(matched.len());
        end = at + matched.len();
        outcome.report.applied += 1;
        outcome.mark(&row, true);
    }
    source.copy_rest(sink).map_err(io)
}

/// `apply` on an article changed since `fix`: each accepted row is found again by its
/// matched text in the sentence the log's `context` shows, and applied only where that
/// is found exactly once. The article is held whole to be searched.
fn reanchor(
    bytes: &[u8],
    rows: &FileRows,
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Result<Option<Vec<u8>>> {
    let file = rows.name();
    let (encoding, text) = match encoding::decode_whole(bytes, config.encoding) {
        Ok(decoded) => decoded,
        Err(why) => {
            let kept = rows.kept()?.filter_map(|row| match row {
                Ok((_, true)) => None,
                Ok((row, false)) => Some(Ok(row)),
                Err(error) => Some(Err(error)),
            });
            outcome.skip_all(kept, &format!("{file}: {why}"))?;
            return Ok(None);
        }
    };
    let mut found: Vec<(usize, Cow<Entry>)> = Vec::new();
    for row in rows.kept()? {
        let (row, overlaps) = row?;
        if overlaps {
            continue;
        }
        if !row.decision.accepts(config.reject_empty) {
            outcome.report.rejected += 1;
            outcome.mark(&row, false);
            continue;
        }
        match locate(&text, &row) {
            Ok(at) => found.push((at, row)),
            Err(why) => outcome.skip(
                &row,
                format!("{file} changed since `fix`: {why}; row skipped"),
            ),
        }
    }
    found.sort_by_key(|(at, row)| (*at, row.csv_line));
    let prefix = encoding.prefix().len();
    let mut splices: Vec<Splice> = Vec::new();
    for (at, row) in found {
        let Some((matched, replacement)) = encode_row(&row, encoding, outcome) else {
            continue;
        };
        let at = prefix + encoding.encoded_len(&text[..at]);
        if push_splice(&mut splices, &row, at, matched.len(), replacement, outcome) {
            outcome.report.reanchored += 1;
        }
    }
    Ok(Some(splice(bytes, &splices)))
}

/// Adds the splice that applies `row` at `at` (over `len` bytes), unless it overlaps the
/// one before, which is reported; tells whether it was added.
fn push_splice(
    splices: &mut Vec<Splice>,
    row: &Entry,
    at: usize,
    len: usize,
    with: Vec<u8>,
    outcome: &mut Outcome,
) -> bool {
    if splices.last().is_some_and(|s| at < s.at + s.len) {
        outcome.skip(row, OVERLAP.to_owned());
        return false;
    }
    note_edit(row, Direction::Apply, &mut outcome.report);
    splices.push(Splice { at, len, with });
    outcome.report.applied += 1;
    outcome.mark(row, true);
    true
}

/// Where `row`'s matched text is in `text` with the sentence around it that the log's
/// `context` shows (white space runs compared as one space; a side cut at `…` compared
/// up to the cut), if exactly one place fits.
fn locate(text: &str, row: &Entry) -> std::result::Result<usize, String> {
    let context = &row.context;
    let (Some(open), Some(close)) = (context.find('⟦'), context.rfind('⟧')) else {
        return Err("the log has no context to find the row by".to_owned());
    };
    let before = &context[..open];
    let before = before.strip_prefix('…').unwrap_or(before);
    let after = &context[close + '⟧'.len_utf8()..];
    let after = after.strip_suffix('…').unwrap_or(after);
    let matched = &row.matched;
    let places: Vec<usize> = text
        .match_indices(matched.as_str())
        .map(|(at, _)| at)
        .filter(|&at| {
            collapsed_starts_with(text[..at].chars().rev(), before.chars().rev())
                && collapsed_starts_with(text[at + matched.len()..].chars(), after.chars())
        })
        .collect();
    match places[..] {
        [at] => Ok(at),
        [] => Err(format!(
            "`{matched}` is no longer in the sentence the log shows"
        )),
        _ => Err(format!(
            "`{matched}` is in {} places with the sentence the log shows; which one is \
             meant is unclear",
            places.len()
        )),
    }
}

/// Whether `text`, each run of white space read as one space, starts with `prefix`.
fn collapsed_starts_with(
    mut text: impl Iterator<Item = char>,
    prefix: impl Iterator<Item = char>,
) -> bool {
    let mut pending = None;
    for want in prefix {
        let next = pending.take().or_else(|| text.next());
        let Some(c) = next else {
            return false;
        };
        let got = match c.is_whitespace() {
            true => {
                pending = text.by_ref().find(|c| !c.is_whitespace());
                ' '
            }
            false => c,
        };
        if got != want {
            return false;
        }
    }
    true
}

/// `text` with each run of white space as one space and none at its ends: what
/// [`collapsed_starts_with`] compares, as a string to compare or hash whole.
pub(crate) fn collapse_white_space(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    let mut last_white = false;
    let clean = text.chars().all(|c| {
        let fine = c == ' ' && !last_white || !c.is_whitespace();
        last_white = c.is_whitespace();
        fine
    });
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// A row's matched text and replacement as bytes of the file's encoding.
fn encode_row(
    row: &Entry,
    encoding: TextEncoding,
    outcome: &mut Outcome,
) -> Option<(Vec<u8>, Vec<u8>)> {
    if !encoding.can_encode(&row.replacement) || !encoding.can_encode(&row.matched) {
        let message = format!(
            "`{}` cannot be written in {}; row skipped",
            row.replacement,
            encoding.name()
        );
        outcome.skip(row, message);
        return None;
    }
    Some((
        encoding.encode(&row.matched).into_owned(),
        encoding.encode(&row.replacement).into_owned(),
    ))
}

fn note_edit(row: &Entry, direction: Direction, report: &mut ReviewReport) {
    if row.edited {
        let done = match direction {
            Direction::Apply | Direction::Undo => "applied as edited",
            Direction::Revert => "reverted as edited",
        };
        let message = format!(
            "replacement edited by the reviewer: `{}` -> `{}` ({done})",
            row.matched, row.replacement
        );
        report.edited.push(note(row, message));
    }
}

fn splice(bytes: &[u8], splices: &[Splice]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut at = 0;
    for s in splices {
        out.extend_from_slice(&bytes[at..s.at]);
        out.extend_from_slice(&s.with);
        at = s.at + s.len;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// Writes what `plan` makes of one article where the command writes (see
/// [`Destination`]): made in memory and written whole for an article held whole,
/// streamed into the new file for a larger one. In place, the article is replaced at
/// once (keeping its backup if asked), and only if it changes. Tells whether it changed.
fn write(
    article: &Article,
    input: &Input,
    rows: Option<&FileRows>,
    plan: &Plan,
    meta: &std::fs::Metadata,
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Result<bool> {
    let destination = Destination::of_review(config.out.as_deref());
    let (pending, changed) = match input.held() {
        Some(bytes) => {
            let made = match plan {
                Plan::AsIs => Cow::Borrowed(bytes),
                Plan::Made(made) => Cow::Borrowed(&made[..]),
                _ => {
                    let mut made = Vec::with_capacity(bytes.len() + 64);
                    make(input, rows, plan, config, outcome, &mut made)?;
                    Cow::Owned(made)
                }
            };
            let changed = *made != *bytes;
            let pending = destination.write_whole(article, Some(meta), changed, || made)?;
            (pending, changed)
        }
        None if config.out.is_none() && matches!(plan, Plan::AsIs) => (None, false),
        None => {
            let file = destination.open(article, meta)?;
            let mut sink = Compare::new(Optional(file), input.source()?);
            make(input, rows, plan, config, outcome, &mut sink)?;
            let changed = sink.differs().map_err(|e| input.error(e))?;
            (destination.finish(sink.inner.0, meta, changed)?, changed)
        }
    };
    if let Some(pending) = pending {
        pending.commit(config.backup.as_deref())?;
    }
    Ok(changed)
}

/// Writes what `plan` makes of the article `input` to `sink`.
fn make(
    input: &Input,
    rows: Option<&FileRows>,
    plan: &Plan,
    config: &ReviewConfig,
    outcome: &mut Outcome,
    sink: &mut dyn Write,
) -> Result<()> {
    let io = |e| Error::io(input.path(), e);
    let changed = || Error::Article {
        path: input.path().to_owned(),
        line: 1,
        column: 1,
        message: "changed on disk while mtfix was processing it; not overwritten".into(),
    };
    match (plan, rows) {
        (Plan::AsIs, _) => input.source()?.copy_rest(sink).map_err(io),
        (Plan::Made(made), _) => sink.write_all(made).map_err(io),
        (Plan::Original(state, encoding), Some(rows)) => {
            match undo_rows(input, rows, *encoding, *state, sink)? {
                true => Ok(()),
                false => Err(changed()),
            }
        }
        (Plan::Target(None, encoding), Some(rows)) => {
            let mut source = input.source()?;
            target(input, &mut source, rows, *encoding, config, outcome, sink)
        }
        (Plan::Target(Some(state), encoding), Some(rows)) => {
            // The original is made first, in a temporary file when it is large.
            let mut original = Original::new(input, config.out.is_none())?;
            if !undo_rows(input, rows, *encoding, *state, &mut original)? {
                return Err(changed());
            }
            let mut source = original.source().map_err(io)?;
            target(input, &mut source, rows, *encoding, config, outcome, sink)
        }
        // Rows are what these plans are made from: writing nothing would empty the article.
        (Plan::Original(..) | Plan::Target(..), None) => {
            unreachable!("a plan to undo or apply rows is only made for a file with rows")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_runs_compare_as_one_space() {
        let yes = |text: &str, prefix: &str| collapsed_starts_with(text.chars(), prefix.chars());
        assert!(yes("a \n\u{a0} b c", "a b"));
        assert!(yes("a b", ""));
        assert!(!yes("a", "a b"));
        assert!(!yes("ab", "a b"));
        assert!(!yes("a  b", "a b c"));
    }

    #[test]
    fn collapsing_white_space_compares_as_the_prefix_test_does() {
        for (text, collapsed) in [
            ("a \n\u{a0} b c", "a b c"),
            ("  a b ", "a b"),
            ("a b", "a b"),
            ("a\tb", "a b"),
            ("", ""),
        ] {
            assert_eq!(collapse_white_space(text), collapsed, "{text:?}");
            assert!(collapsed_starts_with(
                text.trim().chars(),
                collapsed.chars()
            ));
        }
        assert!(matches!(collapse_white_space("a b"), Cow::Borrowed(_)));
    }
}
