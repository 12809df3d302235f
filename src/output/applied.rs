//! What `apply` and `undo` put in the articles, recorded beside a spreadsheet log in
//! `<log>.applied.csv`: the CSV log records it in its own `applied` column, but a
//! reviewer's workbook is not rewritten, since its formatting and notes would be lost.
//! `revert` and `undo` read it, so that no flag of the run that wrote the articles needs
//! repeating.
//!
//! Each row of the sidecar names a row of the log by its file, byte offset, matched text
//! and `row_hash`, which stay whatever the order of the sheet, and carries the hash of the
//! log's rows it was written for ([`rows_hash`]). A sidecar whose hash is not that of the
//! log read now is stale: the log's rows changed since, so what it records may no longer
//! be what the articles hold.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::atomic::{Durability, LogFile};
use crate::output::logfile::{self, AppliedRows, Entry};

/// The sidecar's columns, in order; [`LOG_ROWS`] is the last.
const HEADER: [&str; 6] = [
    "file",
    "byte_offset",
    "matched",
    "row_hash",
    "applied",
    LOG_ROWS,
];

/// The column holding the [`rows_hash`] of the log the sidecar was written for.
const LOG_ROWS: &str = "log_rows_hash";

/// What names a row of the log whatever its place in the sheet: file, byte offset,
/// matched text and `row_hash`.
type RowKey = (String, usize, String, String);

fn key(entry: &Entry) -> RowKey {
    (
        entry.file.clone(),
        entry.byte_offset,
        entry.matched.clone(),
        entry.row_hash.clone(),
    )
}

/// The sidecar of the spreadsheet log `log`: `<log>.applied.csv`.
pub(crate) fn path_of(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".applied.csv");
    PathBuf::from(name)
}

/// The hash of what a sidecar depends on in the log: each row's file, byte offset,
/// matched text, replacement, `row_hash` and `file_hash`, in any order. A decision
/// changed, the sheet sorted, or the workbook saved again with formatting and notes leave
/// it as it is; a row added or removed, or a replacement edited, change it.
pub(crate) fn rows_hash(entries: &[Entry]) -> String {
    let mut rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                e.file.clone(),
                e.byte_offset.to_string(),
                e.matched.clone(),
                e.replacement.clone(),
                e.row_hash.clone(),
                e.file_hash.clone(),
            ]
        })
        .collect();
    rows.sort();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    logfile::file_hash(&writer.into_inner().unwrap_or_default())
}

/// The sidecar of a spreadsheet log, read against the log's rows.
pub(crate) struct Sidecar {
    path: PathBuf,
    rows_hash: String,
    /// Each row's key, by its row number in the log read, and in the log's order.
    keys: Vec<(u64, RowKey)>,
    /// What the sidecar records, when it is not stale.
    recorded: HashMap<RowKey, bool>,
    /// Whether the sidecar on disk is one of this log (missing or stale: not).
    fresh: bool,
}

impl Sidecar {
    /// Reads the sidecar of `log` (none yet: nothing recorded). A stale one is an error
    /// naming it, unless `stale_ok` (`apply`, which starts from the originals and records
    /// afresh); a malformed one is an error naming its line.
    pub(crate) fn open(log: &Path, entries: &[Entry], stale_ok: bool) -> Result<Sidecar> {
        let path = path_of(log);
        let mut sidecar = Sidecar {
            rows_hash: rows_hash(entries),
            keys: entries.iter().map(|e| (e.row, key(e))).collect(),
            recorded: HashMap::new(),
            fresh: false,
            path,
        };
        let bytes = match std::fs::read(&sidecar.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(sidecar),
            Err(e) => return Err(Error::io(&sidecar.path, e)),
        };
        match sidecar.parse(&bytes) {
            Ok(recorded) => {
                sidecar.recorded = recorded;
                sidecar.fresh = true;
            }
            Err(Stale { line }) if !stale_ok => {
                return Err(Error::Log {
                    path: sidecar.path.clone(),
                    line,
                    column: HEADER.len() as u64,
                    message: format!(
                        "stale: it records what `apply` or `undo` put in the articles from \
                         other rows than {} holds now (a row added, removed or its \
                         replacement edited since); nothing was done. Give the log as it \
                         was then, or delete {} to go by the log's decisions",
                        log.display(),
                        sidecar.path.display()
                    ),
                });
            }
            Err(Stale { .. }) => {}
        }
        Ok(sidecar)
    }

    /// What the sidecar `bytes` records, or where it shows it is stale. A malformed
    /// sidecar is stale too: nothing in it can be trusted.
    fn parse(&self, bytes: &[u8]) -> std::result::Result<HashMap<RowKey, bool>, Stale> {
        let mut reader = csv::Reader::from_reader(bytes);
        let header_ok = reader
            .headers()
            .is_ok_and(|header| header.iter().eq(HEADER.iter().copied()));
        if !header_ok {
            return Err(Stale { line: 1 });
        }
        let mut recorded = HashMap::new();
        for record in reader.records() {
            let line = record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(2, |p| p.line());
            let record = record.map_err(|_| Stale { line })?;
            let field = |i: usize| record.get(i).unwrap_or("");
            let applied = match field(4) {
                "yes" => true,
                "no" => false,
                _ => return Err(Stale { line }),
            };
            let offset = field(1).parse().map_err(|_| Stale { line })?;
            if field(5) != self.rows_hash {
                return Err(Stale { line });
            }
            let key = (
                field(0).to_owned(),
                offset,
                field(2).to_owned(),
                field(3).to_owned(),
            );
            recorded.insert(key, applied);
        }
        Ok(recorded)
    }

    /// Sets each entry's `applied` to what the sidecar records for its row.
    pub(crate) fn fill(&self, entries: &mut [Entry]) {
        for entry in entries {
            if let Some(&applied) = self.recorded.get(&key(entry)) {
                entry.applied = Some(applied);
            }
        }
    }

    /// Records whether each row named in `applied` (by row number in the log) is now in the
    /// articles, keeping what a sidecar of the same log recorded for the others. Written
    /// atomically with the log's mode, and only if something changes; returns whether
    /// it was written.
    ///
    /// The sidecar is read again first: another run may have recorded in it since this
    /// one opened it (two `--out` runs over parts of one corpus, say), and what it
    /// recorded for the rows this run leaves is kept rather than written over with what
    /// the sidecar held before.
    pub(crate) fn record(mut self, applied: &AppliedRows) -> Result<bool> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                if let Ok(recorded) = self.parse(&bytes) {
                    (self.recorded, self.fresh) = (recorded, true);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&self.path, e)),
        }
        let mut changed = !self.fresh;
        for (row, key) in &self.keys {
            if let Some(now) = applied.get(*row) {
                changed |= self.recorded.insert(key.clone(), now) != Some(now);
            }
        }
        if !changed {
            return Ok(false);
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Error::io(&self.path, e.into());
        writer.write_record(HEADER).map_err(io)?;
        let mut written = HashSet::new();
        for (_, key) in &self.keys {
            let Some(&now) = self.recorded.get(key) else {
                continue;
            };
            if !written.insert(key) {
                continue;
            }
            let (file, offset, matched, row_hash) = key;
            let applied = if now { "yes" } else { "no" };
            let offset = offset.to_string();
            let row = [file, &offset, matched, row_hash, applied, &self.rows_hash];
            writer.write_record(row).map_err(io)?;
        }
        let body = writer
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        let mut file = LogFile::create(&self.path)?;
        file.write_all(&body)
            .map_err(|e| Error::io(&self.path, e))?;
        file.commit(Durability::Synced)?;
        Ok(true)
    }
}

/// Where a sidecar shows that it is not one of the log read now: its line.
struct Stale {
    line: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::logfile::Decision;

    fn entry(line: u64, offset: usize, replacement: &str) -> Entry {
        Entry {
            csv_line: line,
            row: line,
            file: "a.txt".into(),
            byte_offset: offset,
            rule: "r".into(),
            matched: "Openai".into(),
            replacement: replacement.into(),
            decision: Decision::Empty,
            file_hash: "xxh3:00".into(),
            row_hash: format!("xxh3:{offset}"),
            context: String::new(),
            applied: None,
            edited: false,
        }
    }

    #[test]
    fn the_rows_hash_ignores_order_and_decisions_not_replacements() {
        let rows = [entry(2, 0, "OpenAI"), entry(3, 20, "OpenAI")];
        let mut sorted = [rows[1].clone(), rows[0].clone()];
        sorted[0].decision = Decision::Reject;
        assert_eq!(rows_hash(&rows), rows_hash(&sorted));
        sorted[1].replacement = "Open AI".into();
        assert_ne!(rows_hash(&rows), rows_hash(&sorted));
        assert_ne!(rows_hash(&rows), rows_hash(&rows[..1]));
    }

    #[test]
    fn a_sidecar_is_read_back_for_its_log_and_refused_for_another() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("reviewed.xlsx");
        let mut rows = vec![entry(2, 0, "OpenAI"), entry(3, 20, "OpenAI")];
        let sidecar = Sidecar::open(&log, &rows, false).unwrap();
        let mut applied = AppliedRows::default();
        applied.insert(3, true);
        let written = sidecar.record(&applied).unwrap();
        assert!(written);
        // The sheet sorted: the same rows, recorded as they were.
        rows.reverse();
        let sidecar = Sidecar::open(&log, &rows, false).unwrap();
        sidecar.fill(&mut rows);
        assert_eq!(rows[0].applied, Some(true));
        assert_eq!(rows[1].applied, None);
        // Recording the same again writes nothing.
        assert!(!sidecar.record(&applied).unwrap());
        rows[0].replacement = "Open AI".into();
        let error = Sidecar::open(&log, &rows, false).err().unwrap().to_string();
        let path = path_of(&log);
        assert!(
            error.starts_with(&format!("{}:2:6: stale", path.display())),
            "{error}"
        );
        assert!(Sidecar::open(&log, &rows, true).is_ok());
    }

    /// Two runs that opened the sidecar before either recorded (each over its own
    /// files): the second keeps what the first recorded.
    #[test]
    fn a_run_recording_after_another_keeps_what_the_other_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("reviewed.xlsx");
        let mut rows = vec![entry(2, 0, "OpenAI"), entry(3, 20, "OpenAI")];
        rows[1].file = "b.txt".into();
        let first = Sidecar::open(&log, &rows, false).unwrap();
        let second = Sidecar::open(&log, &rows, false).unwrap();
        for (sidecar, row) in [(first, 2), (second, 3)] {
            let mut applied = AppliedRows::default();
            applied.insert(row, true);
            assert!(sidecar.record(&applied).unwrap());
        }
        Sidecar::open(&log, &rows, false).unwrap().fill(&mut rows);
        let recorded: Vec<_> = rows.iter().map(|row| row.applied).collect();
        assert_eq!(recorded, [Some(true), Some(true)]);
    }
}
