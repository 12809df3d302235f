//! The reviewed log's rows, grouped by file, each file's rows in offset order and read
//! as often as a file needs them, so that `apply`, `undo` and `revert` hold one row at a
//! time rather than the log.
//!
//! The log is read once whole first, a row at a time: every row is checked (a malformed
//! one stops the run before any article changes) and each file's rows are located. In
//! the order mtfix writes a log (by file, then by offset) each file's rows are one run of
//! the log, read again from its start whenever the file needs them. The rows of a file
//! that a reviewer's sort scattered, or put out of offset order, are gathered and sorted
//! in memory; so are a spreadsheet's, whose workbook is held whole anyway.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::applied::Sidecar;
use crate::output::logfile::{self, Entry};
use crate::output::logread::{LogReader, Row, RowStart};

/// The rows of one file of the log.
pub(crate) struct Group {
    /// The file as the log names it.
    pub name: String,
    /// The path that name stands for.
    pub path: PathBuf,
    /// How many rows the log has for it.
    pub count: usize,
    rows: GroupRows,
}

enum GroupRows {
    /// Held, in offset order.
    Held(Vec<Entry>),
    /// One run of the log, in offset order, read again from where it starts.
    Run { start: RowStart },
    /// Scattered over the log: gathered before the files are reviewed.
    Scattered,
}

/// The reviewed log, read once, its rows grouped by file, files in the log's order.
pub(crate) struct LogRows {
    log: Option<LogReader>,
    pub groups: Vec<Group>,
    /// Rows in the log.
    pub logged: usize,
    /// What `apply` and `undo` recorded beside a spreadsheet log.
    pub sidecar: Option<Sidecar>,
}

impl LogRows {
    /// The log file's stamp when it was read (`None` for a spreadsheet, held whole).
    pub(crate) fn stamp(&self) -> Option<crate::output::atomic::Stamp> {
        self.log.as_ref().and_then(LogReader::stamp)
    }

    /// Reads the log at `path`; `stale_ok` is for its sidecar, if it is a spreadsheet
    /// (see [`Sidecar::open`]).
    pub(crate) fn read(path: &Path, stale_ok: bool) -> Result<LogRows> {
        if logfile::is_spreadsheet(path) {
            let mut entries = logfile::read(path)?;
            // A spreadsheet log is not rewritten: what was applied is recorded beside it.
            let sidecar = Sidecar::open(path, &entries, stale_ok)?;
            sidecar.fill(&mut entries);
            let logged = entries.len();
            let groups = logfile::by_file(entries)
                .into_iter()
                .map(|(path, rows)| Group {
                    name: rows[0].file.clone(),
                    path,
                    count: rows.len(),
                    rows: GroupRows::Held(rows),
                })
                .collect();
            return Ok(LogRows {
                log: None,
                groups,
                logged,
                sidecar: Some(sidecar),
            });
        }
        let mut log = LogReader::open(path)?;
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        // The group of the last row, and that row's offset.
        let mut last: Option<(usize, usize)> = None;
        let mut bad_decisions = Vec::new();
        let mut logged = 0;
        while let Some(row) = log.next_row()? {
            let entry = match row {
                Row::Entry(entry) => entry,
                Row::BadDecision { line, row, cell } => {
                    bad_decisions.push((line, row, cell));
                    continue;
                }
            };
            logged += 1;
            let start = log.row_start().expect("a row was read");
            match index.get(&entry.file) {
                None => {
                    index.insert(entry.file.clone(), groups.len());
                    last = Some((groups.len(), entry.byte_offset));
                    groups.push(Group {
                        path: crate::input::walk::unescape_name(&entry.file),
                        name: entry.file,
                        count: 1,
                        rows: GroupRows::Run { start },
                    });
                }
                Some(&i) => {
                    let in_run =
                        last.is_some_and(|(g, offset)| g == i && offset <= entry.byte_offset);
                    if !in_run {
                        groups[i].rows = GroupRows::Scattered;
                    }
                    groups[i].count += 1;
                    last = Some((i, entry.byte_offset));
                }
            }
        }
        if !bad_decisions.is_empty() {
            return Err(logfile::bad_decisions_error(&log, &bad_decisions));
        }
        let mut rows = LogRows {
            log: Some(log),
            groups,
            logged,
            sidecar: None,
        };
        rows.gather_scattered()?;
        Ok(rows)
    }

    /// Reads the log again for the rows of the files whose rows are scattered, and
    /// holds them in offset order.
    fn gather_scattered(&mut self) -> Result<()> {
        let scattered: HashMap<&str, usize> = (self.groups.iter().enumerate())
            .filter(|(_, g)| matches!(g.rows, GroupRows::Scattered))
            .map(|(i, g)| (g.name.as_str(), i))
            .collect();
        if scattered.is_empty() {
            return Ok(());
        }
        let Some(log) = &self.log else {
            return Ok(());
        };
        let mut held: HashMap<usize, Vec<Entry>> = HashMap::new();
        let mut again = log.resume_from_start()?;
        while let Some(row) = again.next_row()? {
            if let Row::Entry(entry) = row
                && let Some(&i) = scattered.get(entry.file.as_str())
            {
                held.entry(i).or_default().push(entry);
            }
        }
        for (i, mut rows) in held {
            rows.sort_by_key(|e| (e.byte_offset, e.csv_line));
            self.groups[i].rows = GroupRows::Held(rows);
        }
        Ok(())
    }

    /// The rows of `group`, ready to be read as often as its file needs: a run of
    /// up to [`HELD_ROWS`] rows is read once and held, a longer one read again each time.
    pub(crate) fn of<'a>(&'a self, group: &'a Group) -> Result<FileRows<'a>> {
        let mut rows = FileRows {
            log: self,
            group,
            held: None,
        };
        static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let held_rows = super::lowered(&LIMIT, "MTFIX_REVIEW_HOLD_ROWS", HELD_ROWS as u64);
        if matches!(group.rows, GroupRows::Run { .. }) && group.count as u64 <= held_rows {
            rows.held = Some(
                rows.iter()?
                    .map(|row| row.map(Cow::into_owned))
                    .collect::<Result<_>>()?,
            );
        }
        Ok(rows)
    }
}

/// The most rows of a file held in memory while it is reviewed, when the log is read
/// from its file: reading them again for each look would open the log a few times per
/// article. Tests lower it with `MTFIX_REVIEW_HOLD_ROWS` (see [`super::lowered`]).
const HELD_ROWS: usize = 1024;

/// The rows of one file of the log.
pub(crate) struct FileRows<'a> {
    log: &'a LogRows,
    group: &'a Group,
    held: Option<Vec<Entry>>,
}

impl FileRows<'_> {
    /// The rows, in offset order; an error if the log changed since it was read first.
    pub(crate) fn iter(&self) -> Result<GroupIter<'_>> {
        match (&self.held, &self.group.rows, &self.log.log) {
            (Some(rows), _, _) | (None, GroupRows::Held(rows), _) => {
                Ok(GroupIter::Held(rows.iter()))
            }
            (None, GroupRows::Run { start }, Some(log)) => Ok(GroupIter::Run {
                log: Box::new(log.resume(*start)?),
                group: self.group,
                left: self.group.count,
            }),
            _ => Err(changed(self.group)),
        }
    }

    /// The rows that can be undone or applied side by side (see [`kept`]).
    pub(crate) fn kept(&self) -> Result<impl Iterator<Item = Result<(Cow<'_, Entry>, bool)>>> {
        Ok(kept(self.iter()?))
    }

    /// The file as the log names it.
    pub(crate) fn name(&self) -> &str {
        &self.group.name
    }
}

fn changed(group: &Group) -> Error {
    Error::Usage(format!(
        "the log changed while mtfix read it (the rows of {}); run again",
        group.name
    ))
}

/// The rows of one file, in offset order.
pub(crate) enum GroupIter<'a> {
    Held(std::slice::Iter<'a, Entry>),
    Run {
        log: Box<LogReader>,
        group: &'a Group,
        left: usize,
    },
}

impl<'a> Iterator for GroupIter<'a> {
    type Item = Result<Cow<'a, Entry>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            GroupIter::Held(rows) => rows.next().map(|row| Ok(Cow::Borrowed(row))),
            GroupIter::Run { log, group, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                match log.next_row() {
                    Ok(Some(Row::Entry(entry))) if entry.file == group.name => {
                        Some(Ok(Cow::Owned(entry)))
                    }
                    Err(error) => Some(Err(error)),
                    Ok(_) => {
                        *left = 0;
                        Some(Err(changed(group)))
                    }
                }
            }
        }
    }
}

/// The rows of one file that can be undone or applied side by side: each row that
/// overlaps the one kept before it in the original comes with `true`, and is left out
/// of everything but its report.
pub(crate) fn kept<'a>(
    rows: GroupIter<'a>,
) -> impl Iterator<Item = Result<(Cow<'a, Entry>, bool)>> + 'a {
    let mut end: Option<usize> = None;
    rows.map(move |row| {
        let row = row?;
        let overlaps = end.is_some_and(|end| row.byte_offset < end);
        if !overlaps {
            end = Some(row.byte_offset + row.matched.len());
        }
        Ok((row, overlaps))
    })
}
