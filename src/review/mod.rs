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

pub(crate) mod decisions;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::article::Destination;
use crate::config::{Direction, ReviewConfig};
use crate::error::{Error, Result};
use crate::input::encoding::{self, TextEncoding};
use crate::input::walk::{self, Article};
use crate::output::applied::Sidecar;
use crate::output::logfile::{self, Entry};

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
}

/// Runs `apply`, `undo` or `revert`.
pub(crate) fn run(config: &ReviewConfig) -> Result<ReviewReport> {
    let mut entries = logfile::read(&config.log)?;
    // A spreadsheet log is not rewritten: what was applied is recorded beside it.
    let sidecar = match logfile::is_spreadsheet(&config.log) {
        true => {
            let stale_ok = config.direction == Direction::Apply;
            let sidecar = Sidecar::open(&config.log, &entries, stale_ok)?;
            sidecar.fill(&mut entries);
            Some(sidecar)
        }
        false => None,
    };
    let logged = entries.len();
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
    let mut rows = by_article(&articles, entries, &mut report);
    if logged > 0 && report.elsewhere.0 == logged && !articles.is_empty() {
        report.failures.push(Error::Usage(format!(
            "none of the {} files the log names is among the inputs (the log names each \
             file relative to the folder given to `fix`, such as `{}`): give that folder",
            report.elsewhere.1.len(),
            report.elsewhere.1[0]
        )));
    }
    let mut record = HashMap::new();
    // Under --out, two inputs holding the same relative path would write the same copy.
    let mut copies = std::collections::HashSet::new();
    for (i, article) in articles.iter().enumerate() {
        if crate::interrupt::requested() {
            break;
        }
        let rows = rows.remove(&i).unwrap_or_default();
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
        let mut outcome = Outcome {
            report: &mut report,
            record: &mut record,
        };
        if let Err(error) = review_file(article, &rows, config, &mut outcome) {
            report.failures.push(error);
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
        let recorded = match sidecar {
            Some(sidecar) => sidecar.record(&record),
            None => logfile::record_applied(&config.log, &record),
        };
        if let Err(error) = recorded {
            report.failures.push(error);
        }
    }
    Ok(report)
}

/// Where one file's outcome goes: the report, and the `applied` cell of each row.
struct Outcome<'a> {
    report: &'a mut ReviewReport,
    record: &'a mut HashMap<u64, bool>,
}

impl Outcome<'_> {
    fn skip(&mut self, row: &Entry, message: String) {
        self.report.skipped.push(note(row, message));
        self.record.insert(row.csv_line, false);
    }

    /// Skips every row of a file whose articles were left as they are.
    fn skip_all(&mut self, rows: &[Entry], message: &str) {
        for row in rows {
            self.report.skipped.push(note(row, message.to_owned()));
        }
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

/// The rows of each article (by its index), each file of the log matched by the path
/// relative to its input (as logged), or else by the end of its path, when only one
/// article's path ends so (`apply` on a subfolder of what `fix` was given). Rows of files
/// not among the inputs are counted in `report.elsewhere`.
fn by_article(
    articles: &[Article],
    entries: Vec<Entry>,
    report: &mut ReviewReport,
) -> HashMap<usize, Vec<Entry>> {
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
    for (file, entries) in logfile::by_file(entries) {
        let name = entries[0].file.clone();
        let by_suffix = || {
            let candidates = by_file_name.get(file.file_name()?)?;
            let mut matching = candidates
                .iter()
                .filter(|&&i| articles[i].path.ends_with(&file));
            let first = *matching.next()?;
            matching.next().is_none().then_some(first)
        };
        match names.get(&name).copied().or_else(by_suffix) {
            Some(i) if !rows.contains_key(&i) => {
                rows.insert(i, entries);
            }
            _ => {
                report.elsewhere.0 += entries.len();
                report.elsewhere.1.push(name);
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
    rows: &[Entry],
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Result<()> {
    let path = &article.path;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let report = &outcome.report;
    let counted = (report.applied, report.reanchored, report.edited.len());
    let result = match rows.is_empty() {
        true => Some(bytes.clone()),
        false => reconcile(&bytes, rows, config, outcome),
    };
    let Some(result) = result else {
        return Ok(());
    };
    let changed = result != bytes;
    if let Err(error) = write(article, &result, changed, &meta, config) {
        // Nothing of this file was written: none of its rows is applied (or reverted).
        let report = &mut outcome.report;
        (report.applied, report.reanchored) = (counted.0, counted.1);
        report.edited.truncate(counted.2);
        for row in rows {
            outcome.record.remove(&row.csv_line);
        }
        return Err(error);
    }
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

/// What `config.direction` makes of one file, or `None` when it is left as it is.
fn reconcile(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Option<Vec<u8>> {
    let file = &rows[0].file;
    let encoding = match encoding::detect(bytes, config.encoding) {
        Ok(encoding) => encoding,
        Err(why) => {
            outcome.skip_all(rows, &format!("{file}: {why}"));
            return None;
        }
    };
    // A row that overlaps the one before it in the original cannot be undone or applied
    // beside it: reported, and left out of everything below.
    let mut kept: Vec<Entry> = Vec::with_capacity(rows.len());
    for row in rows {
        match kept.last() {
            Some(last) if row.byte_offset < last.byte_offset + last.matched.len() => {
                outcome.skip(row, "overlaps the row before it; row skipped".to_owned());
            }
            _ => kept.push(row.clone()),
        }
    }
    let rows = &kept[..];
    let unhashed = rows[0].file_hash.is_empty();
    let found = original(bytes, rows, encoding);
    match (config.direction, found) {
        (Direction::Apply, Some((None, _))) => target(bytes, rows, encoding, config, outcome),
        (Direction::Apply, None) if unhashed => target(bytes, rows, encoding, config, outcome),
        (Direction::Apply, Some(_)) => {
            outcome.report.corrected_copies.push(file.clone());
            None
        }
        (Direction::Apply, None) => reanchor(bytes, rows, config, outcome),
        (Direction::Undo, Some((_, original))) => {
            target(&original, rows, encoding, config, outcome)
        }
        (Direction::Revert, Some((state, original))) => {
            if state.is_none() {
                // Already the original (a killed in-place run logs an article just
                // before renaming it): nothing to undo.
                for row in rows {
                    outcome.record.insert(row.csv_line, false);
                }
                return Some(original);
            }
            for (row, &was_in) in rows.iter().zip(&state_rows(rows, state)) {
                outcome.record.insert(row.csv_line, false);
                if !was_in {
                    outcome.report.rejected += 1;
                    continue;
                }
                if state != Some(State::Corrected) {
                    note_edit(row, config.direction, outcome.report);
                }
                outcome.report.applied += 1;
            }
            Some(original)
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
            outcome.skip_all(rows, &message);
            None
        }
    }
}

/// The original the log was made from, and how the rows stood in `bytes` (`None`: it is
/// the original), if any way gives back exactly the content hash the log recorded.
fn original(
    bytes: &[u8],
    rows: &[Entry],
    encoding: TextEncoding,
) -> Option<(Option<State>, Vec<u8>)> {
    let expected = &rows[0].file_hash;
    if expected.is_empty() {
        return None;
    }
    if logfile::is_file_hash_of(expected, bytes) {
        return Some((None, bytes.to_vec()));
    }
    let recorded = rows.iter().any(|row| row.applied.is_some());
    let states = [
        State::Recorded,
        State::Corrected,
        State::Accepted {
            reject_empty: false,
        },
        State::Accepted { reject_empty: true },
    ];
    states
        .into_iter()
        .filter(|&state| recorded || state != State::Recorded)
        .find_map(|state| {
            let original = undo_rows(bytes, rows, encoding, state)?;
            logfile::is_file_hash_of(expected, &original).then_some((Some(state), original))
        })
}

/// Which rows are in a file in `state`.
fn state_rows(rows: &[Entry], state: Option<State>) -> Vec<bool> {
    rows.iter()
        .map(|row| match state {
            None => false,
            Some(State::Recorded) => row.applied == Some(true),
            Some(State::Corrected) => true,
            Some(State::Accepted { reject_empty }) => row.decision.accepts(reject_empty),
        })
        .collect()
}

/// `bytes` with the rows that are in it in `state` undone, or `None` if one is not where
/// the rows before it put it.
fn undo_rows(
    bytes: &[u8],
    rows: &[Entry],
    encoding: TextEncoding,
    state: State,
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut copied = 0;
    // How far the rows before moved the text.
    let mut shift: isize = 0;
    for (row, is_in) in rows.iter().zip(state_rows(rows, Some(state))) {
        if !is_in {
            continue;
        }
        let at = row.byte_offset.checked_add_signed(shift)?;
        if at < copied || !encoding.can_encode(&row.matched) {
            return None;
        }
        let text = match state == State::Corrected && row.edited {
            true => proposed(bytes, at, row, encoding)?,
            false if encoding.can_encode(&row.replacement) => {
                encoding.encode(&row.replacement).into_owned()
            }
            false => return None,
        };
        if bytes.get(at..at + text.len())? != text {
            return None;
        }
        let matched = encoding.encode(&row.matched);
        out.extend_from_slice(&bytes[copied..at]);
        out.extend_from_slice(&matched);
        copied = at + text.len();
        shift += text.len() as isize - matched.len() as isize;
    }
    out.extend_from_slice(&bytes[copied..]);
    Some(out)
}

/// The longest replacement `proposed` looks for.
const MAX_PROPOSED: usize = 4096;

/// What `fix` proposed for a row the reviewer edited, as it stands at `at` in the file
/// `fix` wrote: the text there whose hash, with the row's offset and matched text, is
/// the row's `row_hash`.
fn proposed(bytes: &[u8], at: usize, row: &Entry, encoding: TextEncoding) -> Option<Vec<u8>> {
    if row.row_hash.is_empty() {
        return None;
    }
    let rest = bytes.get(at..)?;
    (0..=rest.len().min(MAX_PROPOSED)).find_map(|len| {
        let text = encoding.decode(&rest[..len], 0).ok()?;
        logfile::is_row_hash_of(&row.row_hash, row.byte_offset, &row.matched, &text)
            .then(|| rest[..len].to_vec())
    })
}

/// The original with the rows the reviewer accepts, as they stand in the log (edited
/// replacements included). Rows that overlap or do not fit are reported and skipped.
fn target(
    original: &[u8],
    rows: &[Entry],
    encoding: TextEncoding,
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Option<Vec<u8>> {
    let mut splices: Vec<Splice> = Vec::new();
    for row in rows {
        if !row.decision.accepts(config.reject_empty) {
            outcome.report.rejected += 1;
            outcome.record.insert(row.csv_line, false);
            continue;
        }
        let Some((matched, replacement)) = encode_row(row, encoding, outcome) else {
            continue;
        };
        let at = row.byte_offset;
        let found = original.get(at..at.saturating_add(matched.len()));
        if found != Some(&matched[..]) {
            let message = format!(
                "`{}` is not where the log puts it in {} (byte offset {at}); row skipped",
                row.matched, row.file
            );
            outcome.skip(row, message);
            continue;
        }
        push_splice(&mut splices, row, at, matched.len(), replacement, outcome);
    }
    Some(splice(original, &splices))
}

/// `apply` on an article changed since `fix`: each accepted row is found again by its
/// matched text in the sentence the log's `context` shows, and applied only where that
/// is found exactly once.
fn reanchor(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    outcome: &mut Outcome,
) -> Option<Vec<u8>> {
    let file = &rows[0].file;
    let (encoding, text) = match encoding::decode_whole(bytes, config.encoding) {
        Ok(decoded) => decoded,
        Err(why) => {
            outcome.skip_all(rows, &format!("{file}: {why}"));
            return None;
        }
    };
    let mut found: Vec<(usize, &Entry)> = Vec::new();
    for row in rows {
        if !row.decision.accepts(config.reject_empty) {
            outcome.report.rejected += 1;
            outcome.record.insert(row.csv_line, false);
            continue;
        }
        match locate(&text, row) {
            Ok(at) => found.push((at, row)),
            Err(why) => outcome.skip(
                row,
                format!("{file} changed since `fix`: {why}; row skipped"),
            ),
        }
    }
    found.sort_by_key(|&(at, row)| (at, row.csv_line));
    let prefix = encoding.prefix().len();
    let mut splices: Vec<Splice> = Vec::new();
    for (at, row) in found {
        let Some((matched, replacement)) = encode_row(row, encoding, outcome) else {
            continue;
        };
        let at = prefix + encoding.encoded_len(&text[..at]);
        if push_splice(&mut splices, row, at, matched.len(), replacement, outcome) {
            outcome.report.reanchored += 1;
        }
    }
    Some(splice(bytes, &splices))
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
        outcome.skip(row, "overlaps the row before it; row skipped".to_owned());
        return false;
    }
    note_edit(row, Direction::Apply, outcome.report);
    splices.push(Splice { at, len, with });
    outcome.report.applied += 1;
    outcome.record.insert(row.csv_line, true);
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

/// Writes the result of one article where the command writes (see [`Destination`]); in
/// place, the article is replaced at once, keeping its backup if asked.
fn write(
    article: &Article,
    bytes: &[u8],
    changed: bool,
    meta: &std::fs::Metadata,
    config: &ReviewConfig,
) -> Result<()> {
    let destination = Destination::of_review(config.out.as_deref());
    let pending = destination.write_whole(article, Some(meta), changed, || {
        std::borrow::Cow::Borrowed(bytes)
    })?;
    match pending {
        Some(pending) => pending.commit(config.backup.as_deref()),
        None => Ok(()),
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
