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
    let (articles, walk_errors) = walk::list(&config.inputs, &config.extensions, config.follow);
    let mut report = ReviewReport {
        failures: walk_errors,
        ..ReviewReport::default()
    };
    let mut rows = by_article(&articles, entries, &mut report);
    for article in &articles {
        let rows = rows.remove(&article.log_name()).unwrap_or_default();
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
    let splices = if rows.is_empty() {
        Some(Vec::new())
    } else {
        match config.direction {
            Direction::Apply => apply_rows(&bytes, rows, config, report),
            Direction::Revert => revert_rows(&bytes, rows, config, report),
        }
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

/// The splices that apply the accepted rows to an original, or `None` when the file is
/// not the one the log was made from.
fn apply_rows(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    report: &mut ReviewReport,
) -> Option<Vec<Splice>> {
    let encoding = check_file(bytes, rows, config, report)?;
    let mut splices: Vec<Splice> = Vec::new();
    for row in rows {
        if !row.decision.accepts(config.reject_empty) {
            report.rejected += 1;
            continue;
        }
        let at = row.byte_offset;
        let Some((matched, replacement)) = encode_row(row, encoding, report) else {
            continue;
        };
        if bytes.get(at..at + matched.len()) != Some(&matched[..]) {
            let message = format!(
                "`{}` is not at byte offset {at} of {}; row skipped",
                row.matched, row.file
            );
            report.skipped.push((row.csv_line, message));
            continue;
        }
        if splices.last().is_some_and(|s| at < s.at + s.len) {
            let message = "overlaps the row before it; row skipped".to_owned();
            report.skipped.push((row.csv_line, message));
            continue;
        }
        note_edit(row, report);
        splices.push(Splice {
            at,
            len: matched.len(),
            with: replacement,
        });
        report.applied += 1;
    }
    Some(splices)
}

/// The splices that undo the accepted rows in a corrected file. Each row's position in
/// the corrected file is its original offset moved by the rows before it.
fn revert_rows(
    bytes: &[u8],
    rows: &[Entry],
    config: &ReviewConfig,
    report: &mut ReviewReport,
) -> Option<Vec<Splice>> {
    let encoding = match encoding::detect(bytes, config.encoding) {
        Ok(encoding) => encoding,
        Err(why) => {
            skip_all(rows, &format!("{}: {why}", rows[0].file), report);
            return None;
        }
    };
    let mut splices = Vec::new();
    let mut shift: isize = 0;
    for row in rows {
        if !row.decision.accepts(config.reject_empty) {
            report.rejected += 1;
            continue;
        }
        let Some((matched, replacement)) = encode_row(row, encoding, report) else {
            continue;
        };
        let at = row.byte_offset.checked_add_signed(shift);
        shift += replacement.len() as isize - matched.len() as isize;
        let found = at.and_then(|at| bytes.get(at..at + replacement.len()));
        match (at, found) {
            (Some(at), Some(found)) if found == replacement => {
                splices.push(Splice {
                    at,
                    len: replacement.len(),
                    with: matched,
                });
                report.applied += 1;
            }
            _ => {
                let message = format!(
                    "`{}` is not where the log puts it in {}; row skipped",
                    row.replacement, row.file
                );
                report.skipped.push((row.csv_line, message));
            }
        }
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

fn note_edit(row: &Entry, report: &mut ReviewReport) {
    if row.edited {
        let message = format!(
            "replacement edited by the reviewer: `{}` -> `{}` (applied as edited)",
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
