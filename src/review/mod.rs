//! The review loop: a reviewer's decisions in the CSV log drive the final articles.
//! `apply` makes exactly the accepted substitutions of a reviewed log in the original
//! articles; `revert` turns corrected articles back into the originals from the log alone.
//!
//! Both work on bytes, so every byte outside the substituted spans is kept whatever the
//! encoding, and both check each row against the file before using it: the file must be
//! the one the log was made from (`file_hash`) and the text the row names must be where
//! the row says. A row that does not fit is reported with its CSV line and skipped.

use std::collections::HashMap;

use crate::config::{Direction, ReviewConfig};
use crate::error::{Error, Result};
use crate::input::encoding::{self, TextEncoding};
use crate::input::walk::{self, Article};
use crate::output::atomic::{AtomicFile, Durability, Stamp};
use crate::output::logfile::{self, Entry};

/// What a review run did.
#[derive(Debug, Default)]
pub(crate) struct ReviewReport {
    /// Rows applied (or undone, for `revert`).
    pub applied: usize,
    /// Rows rejected by the reviewer.
    pub rejected: usize,
    /// Applied rows whose replacement the reviewer edited: (CSV line, message).
    pub edited: Vec<(u64, String)>,
    /// Rows skipped because they do not fit the file: (CSV line, message).
    pub skipped: Vec<(u64, String)>,
    /// Files that could not be processed at all.
    pub failures: Vec<Error>,
    pub files_written: usize,
}

/// Runs `apply` or `revert`.
pub(crate) fn run(config: &ReviewConfig) -> Result<ReviewReport> {
    let entries = logfile::read(&config.log)?;
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
    // Under --out, two inputs holding the same relative path would write the same copy.
    let mut copies = std::collections::HashSet::new();
    for article in &articles {
        if crate::interrupt::requested() {
            break;
        }
        let rows = rows.remove(&article.log_name()).unwrap_or_default();
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
        if let Err(error) = review_file(article, &rows, config, &mut report) {
            report.failures.push(error);
        }
    }
    report.skipped.sort();
    report.edited.sort();
    Ok(report)
}

/// The rows of each article, by log name; rows naming no article are reported.
fn by_article(
    articles: &[Article],
    entries: Vec<Entry>,
    report: &mut ReviewReport,
) -> HashMap<String, Vec<Entry>> {
    let names: std::collections::HashSet<String> = articles.iter().map(Article::log_name).collect();
    let mut rows = HashMap::new();
    for (file, entries) in logfile::by_file(entries) {
        let name = file.to_string_lossy().into_owned();
        if names.contains(&name) {
            rows.insert(name, entries);
        } else {
            for entry in entries {
                let message = format!("`{name}` is not among the inputs; row skipped");
                report.skipped.push((entry.csv_line, message));
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
    report: &mut ReviewReport,
) -> Result<()> {
    let path = &article.path;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // Reverting a file that is already the original the log was made from (a killed
    // in-place run logs an article just before renaming it): nothing to undo.
    let original = config.direction == Direction::Revert
        && rows
            .first()
            .is_some_and(|row| logfile::is_file_hash_of(&row.file_hash, &bytes));
    let splices = if rows.is_empty() || original {
        Some(Vec::new())
    } else {
        splices(&bytes, rows, config, report)
    };
    let Some(splices) = splices else {
        return Ok(());
    };
    let result = splice(&bytes, &splices);
    if config.direction == Direction::Revert && !splices.is_empty() {
        let expected = &rows[0].file_hash;
        if !expected.is_empty() && !logfile::is_file_hash_of(expected, &result) {
            let message = format!(
                "{}: reverting does not give back the original the log was made from; not written",
                path.display()
            );
            report.skipped.push((rows[0].csv_line, message));
            return Ok(());
        }
    }
    write(article, &result, !splices.is_empty(), &meta, config)?;
    report.files_written += usize::from(config.out.is_some() || !splices.is_empty());
    Ok(())
}

/// The splices that make the accepted rows' changes in `bytes`, in `direction`, or
/// `None` when the file is not one the rows fit. Applying, the file must be the original
/// the log was made from (its content hash), and each row's `matched` text must be at its
/// offset; reverting, each row's `replacement` must be where the rows before it moved it.
/// A row that does not fit, or overlaps the row before it, is reported and skipped.
fn splices(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    report: &mut ReviewReport,
) -> Option<Vec<Splice>> {
    let direction = config.direction;
    let encoding = match direction {
        Direction::Apply => check_file(bytes, rows, config, report)?,
        Direction::Revert => match encoding::detect(bytes, config.encoding) {
            Ok(encoding) => encoding,
            Err(why) => {
                skip_all(rows, &format!("{}: {why}", rows[0].file), report);
                return None;
            }
        },
    };
    let mut splices: Vec<Splice> = Vec::new();
    // How far the rows before moved the text, in the corrected file (reverting).
    let mut shift: isize = 0;
    for row in rows {
        if !row.decision.accepts(config.reject_empty) {
            report.rejected += 1;
            continue;
        }
        let Some((matched, replacement)) = encode_row(row, encoding, report) else {
            continue;
        };
        let (at, find, put) = match direction {
            Direction::Apply => (Some(row.byte_offset), matched, replacement),
            Direction::Revert => {
                let at = row.byte_offset.checked_add_signed(shift);
                shift += replacement.len() as isize - matched.len() as isize;
                (at, replacement, matched)
            }
        };
        let found = at.and_then(|at| bytes.get(at..at.checked_add(find.len())?));
        let (Some(at), Some(true)) = (at, found.map(|found| found == find)) else {
            let text = match direction {
                Direction::Apply => &row.matched,
                Direction::Revert => &row.replacement,
            };
            let message = format!(
                "`{text}` is not where the log puts it in {} (byte offset {}); row skipped",
                row.file, row.byte_offset
            );
            report.skipped.push((row.csv_line, message));
            continue;
        };
        if splices.last().is_some_and(|s| at < s.at + s.len) {
            let message = "overlaps the row before it; row skipped".to_owned();
            report.skipped.push((row.csv_line, message));
            continue;
        }
        note_edit(row, direction, report);
        splices.push(Splice {
            at,
            len: find.len(),
            with: put,
        });
        report.applied += 1;
    }
    Some(splices)
}

/// Checks that `bytes` is the file the rows were made from and finds its encoding.
fn check_file(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    report: &mut ReviewReport,
) -> Option<TextEncoding> {
    let hashes = logfile::ContentHashes::of(bytes);
    let other_file = |row: &&Entry| !row.file_hash.is_empty() && !hashes.matches(&row.file_hash);
    if let Some(row) = rows.iter().find(other_file) {
        let message = format!(
            "{} is not the file the log was made from (content hash differs); its rows are skipped",
            row.file
        );
        skip_all(rows, &message, report);
        return None;
    }
    match encoding::detect(bytes, config.encoding) {
        Ok(encoding) => Some(encoding),
        Err(why) => {
            skip_all(rows, &format!("{}: {why}", rows[0].file), report);
            None
        }
    }
}

fn skip_all(rows: &[Entry], message: &str, report: &mut ReviewReport) {
    for row in rows {
        report.skipped.push((row.csv_line, message.to_owned()));
    }
}

/// A row's matched text and replacement as bytes of the file's encoding.
fn encode_row(
    row: &Entry,
    encoding: TextEncoding,
    report: &mut ReviewReport,
) -> Option<(Vec<u8>, Vec<u8>)> {
    if !encoding.can_encode(&row.replacement) || !encoding.can_encode(&row.matched) {
        let message = format!(
            "`{}` cannot be written in {}; row skipped",
            row.replacement,
            encoding.name()
        );
        report.skipped.push((row.csv_line, message));
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
            Direction::Apply => "applied as edited",
            Direction::Revert => "reverted as edited",
        };
        let message = format!(
            "replacement edited by the reviewer: `{}` -> `{}` ({done})",
            row.matched, row.replacement
        );
        report.edited.push((row.csv_line, message));
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

fn write(
    article: &Article,
    bytes: &[u8],
    changed: bool,
    meta: &std::fs::Metadata,
    config: &ReviewConfig,
) -> Result<()> {
    match &config.out {
        Some(dir) => {
            let mut file = AtomicFile::create_copy(&dir.join(&article.relative), meta)?;
            file.write(bytes)?;
            file.commit(Durability::Unsynced, None, None)
        }
        None if changed => {
            let mut file = AtomicFile::create(&article.path)?;
            file.write(bytes)?;
            file.commit(
                Durability::Synced,
                Some(Stamp::of(meta)),
                config.backup.as_deref(),
            )
        }
        None => Ok(()),
    }
}
