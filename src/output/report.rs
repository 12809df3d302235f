//! Reporting. Writes the CSV log with one writer, in file order then text order,
//! and prints `check` lines, diffs and the summary. With `main` and `progress`, the only
//! module that speaks.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::article::{FileOutcome, Pending, Processed, Reuses};
use crate::config::Config;
use crate::config::Target;
use crate::config::{Direction, ReviewConfig};
use crate::correct::Substitution;
use crate::correct::matcher::Rules;
use crate::error::{Error, Result};
use crate::input::walk::Article;
use crate::output::atomic;
use crate::output::logfile::{COLUMNS, Dialect, LogRow, REJECTED, decision_cell, unescape_cell};
use crate::review::{ReviewReport, RowNote};
use indicatif::ProgressBar;

/// Takes the outcomes of a run one by one, in article order, and reports each as it
/// comes: log rows, `check` lines, diffs, warnings. Nothing of an article is kept after
/// it is reported but its counts, so memory does not grow with the corpus.
pub(crate) struct Reporter<'r> {
    rules: &'r Rules,
    /// The log being written, and its path for errors.
    log: Option<(PathBuf, atomic::LogFile)>,
    /// The log is fsynced when it records changes made in place (it is then the only
    /// way back); beside an `--out` copy, a rerun regenerates it, and an fsync would make
    /// the file system flush every copy written so far.
    log_durability: atomic::Durability,
    dialect: Dialect,
    /// Print `check` lines.
    check: bool,
    /// `check --json`: the lines are JSON objects.
    json: bool,
    /// An article's log rows, written with one write (the buffer is reused from one
    /// article to the next).
    lines: Vec<u8>,
    /// `check` lines not printed yet. They are printed [`PRINT_AT`] bytes at a time, and
    /// before anything else is printed, so the order of the output stays that of the
    /// articles; a write per article would be a system call per article, a few percent
    /// of `check` on a corpus of small articles.
    unprinted: Vec<u8>,
    /// A person is reading stdout: each article's lines are printed as it is reported.
    stdout_is_terminal: bool,
    /// The reader of stdout has gone (`mtfix check … | head`): nothing more is printed,
    /// and the run starts no more articles (see [`Reporter::wants_more`]).
    stdout_closed: bool,
    /// Diffs go to stderr (stdout carries the corrected article).
    diff_to_stderr: bool,
    bar: ProgressBar,
    summary: Summary,
    rule_counts: HashMap<usize, usize>,
    failures: Vec<Error>,
    /// Articles corrected in place, waiting for their log rows to reach the disk.
    pending: Vec<Waiting>,
    /// Suffix of the backup kept beside each article rewritten in place.
    backup: Option<std::ffi::OsString>,
    /// Log names of articles whose rows were logged but which were not replaced (they
    /// changed on disk meanwhile, or their backup could not be made): their rows leave
    /// the final log.
    not_replaced: std::collections::HashSet<String>,
}

/// An article corrected in place and reported, not renamed into place yet.
struct Waiting {
    name: String,
    pending: Pending,
    /// Its substitutions per rule, taken back from the counts if it is not replaced.
    rule_counts: Vec<(usize, usize)>,
}

impl<'r> Reporter<'r> {
    /// Starts the report; creates the log (it replaces any old one only at the end).
    pub(crate) fn new(config: &Config, rules: &'r Rules, bar: ProgressBar) -> Result<Self> {
        let mut dialect = config.log_dialect;
        let log = match &config.log {
            Some(path) => {
                let mut file = match config.target {
                    Target::InPlace => atomic::LogFile::create_journal(path)?,
                    _ => atomic::LogFile::create(path)?,
                };
                let io = |e| Error::io(path, e);
                match appended_to(config, path)? {
                    Some((rows, existing)) => {
                        dialect = existing;
                        file.write_all(&rows).map_err(io)?;
                    }
                    None => dialect.write_header(&mut file).map_err(io)?,
                }
                Some((path.clone(), file))
            }
            None => None,
        };
        Ok(Reporter {
            rules,
            log,
            dialect,
            log_durability: match config.target {
                crate::config::Target::InPlace => atomic::Durability::Synced,
                _ => atomic::Durability::Unsynced,
            },
            check: !config.writes(),
            json: config.json,
            lines: Vec::new(),
            unprinted: Vec::new(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            stdout_closed: false,
            diff_to_stderr: config.stdin,
            bar,
            summary: Summary::default(),
            rule_counts: HashMap::new(),
            failures: Vec::new(),
            pending: Vec::new(),
            backup: config.backup.clone(),
            not_replaced: std::collections::HashSet::new(),
        })
    }

    /// Reports a failure of the walk: a missing input, an unreadable folder, an article
    /// whose copy would overwrite another's under `--out`.
    pub(crate) fn fail(&mut self, error: Error) {
        self.failures.push(error);
    }

    /// Reports the next article.
    pub(crate) fn add(&mut self, outcome: FileOutcome) -> Result<()> {
        self.bar.inc(1);
        let mut processed = match outcome.result {
            Ok(processed) => processed,
            Err(error) => {
                self.failures.push(error);
                return Ok(());
            }
        };
        self.write_log_rows(&outcome.article, &processed)?;
        if self.check {
            self.write_check_lines(&outcome.article, &processed)?;
            if self.stdout_is_terminal || self.unprinted.len() >= PRINT_AT {
                self.print_unprinted()?;
            }
        }
        if let Some(diff) = &processed.diff {
            self.print_unprinted()?;
            self.print_diff(diff)?;
        }
        for warning in &processed.warnings {
            self.print_unprinted()?;
            self.bar.suspend(|| eprintln!("warning: {warning}"));
        }
        self.count(&processed);
        if let Some(pending) = processed.pending.take() {
            let mut rule_counts: HashMap<usize, usize> = HashMap::new();
            for sub in &processed.subs {
                *rule_counts.entry(sub.rule).or_default() += 1;
            }
            for (&rule, &n) in processed.spill.iter().flat_map(|s| &s.rule_counts) {
                *rule_counts.entry(rule).or_default() += n;
            }
            self.pending.push(Waiting {
                name: outcome.article.log_name(),
                pending,
                rule_counts: rule_counts.into_iter().collect(),
            });
        }
        Ok(())
    }

    /// Renames the articles corrected in place into place, once the log rows of every one
    /// of them are on the disk: the log is the journal of the run. An article that
    /// cannot be replaced is reported as failed and its rows leave the final log.
    pub(crate) fn commit_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Some((_, file)) = &mut self.log {
            file.sync()?;
        }
        for waiting in std::mem::take(&mut self.pending) {
            if let Err(error) = waiting.pending.commit(self.backup.as_deref()) {
                self.failures.push(error);
                let substitutions: usize = waiting.rule_counts.iter().map(|&(_, n)| n).sum();
                self.summary.files_changed -= 1;
                self.summary.substitutions -= substitutions;
                for (rule, n) in waiting.rule_counts {
                    *self.rule_counts.entry(rule).or_default() -= n;
                }
                self.not_replaced.insert(waiting.name);
            }
        }
        Ok(())
    }

    /// Whether the run should go on starting articles: not once the reader of stdout has
    /// gone, as `grep` and `ripgrep` stop under `head` (the articles already processed
    /// are still logged, so the log matches what was written).
    pub(crate) fn wants_more(&self) -> bool {
        !self.stdout_closed && !crate::interrupt::requested()
    }

    /// Prints the pending `check` lines with one write, and empties the buffer.
    fn print_unprinted(&mut self) -> Result<()> {
        let printed = self.print(&self.unprinted);
        self.unprinted.clear();
        self.printed(printed)
    }

    /// Writes `bytes` to stdout, unless its reader has gone.
    fn print(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self.stdout_closed || bytes.is_empty() {
            true => Ok(()),
            // The bar is cleared first (and drawn again after) when stdout and stderr
            // share a terminal: a line printed under it would be glued to its remains.
            false => self
                .bar
                .suspend(|| std::io::stdout().lock().write_all(bytes)),
        }
    }

    /// The outcome of a print: a closed pipe ends the printing (and the run, see
    /// [`Reporter::wants_more`]) quietly; any other failure (a full disk under `>`) is
    /// an error, not lost output.
    fn printed(&mut self, printed: std::io::Result<()>) -> Result<()> {
        match printed {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.stdout_closed = true;
                Ok(())
            }
            printed => printed.map_err(|e| Error::io("<stdout>", e)),
        }
    }

    /// Adds one `file:line:column: matched -> replacement [rule]` line per substitution
    /// to the pending lines.
    fn write_check_lines(&mut self, article: &Article, processed: &Processed) -> Result<()> {
        let path = article.path.display().to_string();
        // A rejection reused changes nothing; an edit reused changes to the edit; a
        // flag-only rule's match is reported, though nothing is written.
        let rejected = |sub: &Substitution| decision_cell(sub.decided) == REJECTED;
        for sub in processed.subs.iter().filter(|sub| !rejected(sub)) {
            let change = Change {
                kind: if sub.writes() { "change" } else { "flag" },
                path: &path,
                line: sub.line,
                column: sub.column,
                byte_offset: sub.byte_offset as u64,
                matched: sub.matched,
                replacement: sub.written(),
                rule: &self.rules.rules()[sub.rule].id,
                context: sub.context,
            };
            change.push(&mut self.unprinted, self.json);
        }
        let Some(Ok(file)) = processed.spill.as_ref().map(|s| s.file.reopen()) else {
            return Ok(());
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(file);
        let decision = COLUMNS.iter().position(|&c| c == "decision");
        for row in reader.records().map_while(std::result::Result::ok) {
            if decision.and_then(|i| row.get(i)) == Some(REJECTED) {
                continue;
            }
            let number = |i: usize| row[i].parse().unwrap_or(0);
            let [matched, replacement, rule, context] =
                [&row[5], &row[6], &row[4], &row[7]].map(unescape_cell);
            let change = Change {
                kind: if matched != replacement {
                    "change"
                } else {
                    "flag"
                },
                path: &path,
                line: number(1),
                column: number(2),
                byte_offset: number(3),
                matched: &matched,
                replacement: &replacement,
                rule: &rule,
                context: &context,
            };
            change.push(&mut self.unprinted, self.json);
            // A streamed article can have more rows than memory should hold.
            if self.unprinted.len() >= PRINT_AT {
                self.print_unprinted()?;
            }
        }
        Ok(())
    }

    fn write_log_rows(&mut self, article: &Article, processed: &Processed) -> Result<()> {
        let Some((path, file)) = &mut self.log else {
            return Ok(());
        };
        let io = |e| Error::io(&*path, e);
        let name = article.log_name();
        // The rows go through a buffer of their own: a CSV writer on the log file would
        // flush it, one system call per article, when done.
        let rows = &mut self.lines;
        rows.clear();
        let mut writer = self.dialect.rows_writer(&mut *rows);
        for sub in &processed.subs {
            let row = LogRow::new(&name, &processed.hash, sub, self.rules);
            writer.serialize(row).map_err(|e| io(e.into()))?;
        }
        writer.flush().map_err(io)?;
        drop(writer);
        file.write_all(rows).map_err(io)?;
        if let Some(spill) = &processed.spill {
            let mut rows = spill.file.reopen().map_err(io)?;
            std::io::copy(&mut rows, file).map_err(io)?;
        }
        Ok(())
    }

    fn print_diff(&mut self, diff: &str) -> Result<()> {
        if self.diff_to_stderr {
            self.bar.suspend(|| eprint!("{diff}"));
            return Ok(());
        }
        let printed = self.print(diff.as_bytes());
        self.printed(printed)
    }

    fn count(&mut self, processed: &Processed) {
        let summary = &mut self.summary;
        summary.files_read += 1;
        summary.bytes += processed.bytes;
        summary.substitutions += processed.substitution_count();
        summary.files_changed += usize::from(processed.changes_text());
        summary.reused.add(processed.reused());
        for sub in &processed.subs {
            *self.rule_counts.entry(sub.rule).or_default() += 1;
        }
        for (&rule, &n) in processed.spill.iter().flat_map(|s| &s.rule_counts) {
            *self.rule_counts.entry(rule).or_default() += n;
        }
    }

    /// Puts the complete log in place and returns the totals and the failures.
    pub(crate) fn finish(mut self, elapsed: Duration) -> Result<(Summary, Vec<Error>)> {
        self.commit_pending()?;
        self.print_unprinted()?;
        if let Some((path, mut file)) = self.log.take() {
            file.flush().map_err(|e| Error::io(&path, e))?;
            match self.not_replaced.is_empty() {
                true => file.commit(self.log_durability)?,
                false => self.commit_without_not_replaced(&path, file)?,
            }
        }
        let mut top: Vec<(usize, usize)> =
            std::mem::take(&mut self.rule_counts).into_iter().collect();
        top.sort_by_key(|&(rule, count)| (std::cmp::Reverse(count), rule));
        self.summary.top_rules = top
            .into_iter()
            .take(5)
            .map(|(rule, count)| (self.rules.rules()[rule].id.clone(), count))
            .collect();
        self.summary.failed = self.failures.len();
        self.summary.elapsed = elapsed;
        self.summary.stopped_early = self.stdout_closed;
        self.summary.interrupted = crate::interrupt::requested();
        Ok((
            std::mem::take(&mut self.summary),
            std::mem::take(&mut self.failures),
        ))
    }
}

impl Reporter<'_> {
    /// Writes the final log without the rows of the articles that were not replaced,
    /// then lets the log written so far go (a journal is removed only once the final log
    /// is on the disk).
    fn commit_without_not_replaced(&self, path: &Path, file: atomic::LogFile) -> Result<()> {
        let io = |e| Error::io(path, e);
        let written = file
            .written_path()
            .ok_or_else(|| io(std::io::Error::other("the log cannot be read back")))?;
        let bytes = std::fs::read(written).map_err(io)?;
        let header_end = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut out = atomic::LogFile::create(path)?;
        out.write_all(&bytes[..header_end]).map_err(io)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.dialect.delimiter)
            .from_reader(&bytes[header_end..]);
        let mut rows = self.dialect.rows_writer(Vec::new());
        for record in reader.records() {
            let record = record.map_err(|e| io(e.into()))?;
            let file = unescape_cell(&record[0]);
            if !self.not_replaced.contains(&*file) {
                rows.write_record(&record).map_err(|e| io(e.into()))?;
            }
        }
        out.write_all(&rows.into_inner().map_err(|e| io(e.into_error()))?)
            .map_err(io)?;
        out.commit(self.log_durability)?;
        file.discard();
        Ok(())
    }
}

/// A run that stops early (the log could not be written) still prints the `check` lines
/// of the articles it reported.
impl Drop for Reporter<'_> {
    fn drop(&mut self) {
        let _ = self.print_unprinted();
    }
}

/// With `--append-log` and an existing non-empty log: its bytes (ending with a line
/// end) and its dialect, which the new rows keep. A file that is not an mtfix log with
/// exactly the columns `fix` writes is refused: rows of other columns would be misread.
/// An `.xlsx` log is made again from its cells (as CSV, `,` between fields), so one
/// that a reviewer has worked on is refused: the formatting and notes they may have
/// added would be lost.
fn appended_to(config: &Config, path: &Path) -> Result<Option<(Vec<u8>, Dialect)>> {
    if !config.append_log {
        return Ok(None);
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > 0 => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    }
    let bytes = crate::output::logfile::read_bytes(path)?;
    let table = crate::output::logfile::parse_table(&bytes, path)?;
    if table.header != crate::output::logfile::COLUMNS {
        return Err(Error::Usage(format!(
            "--append-log {}: its columns are not those `fix` writes ({}); \
             choose another --log",
            path.display(),
            table.header.join(",")
        )));
    }
    let workbook = crate::output::xlsx::is_xlsx(path);
    if let Some(row) = table.entries.iter().find(|e| workbook && e.reviewed()) {
        return Err(Error::Usage(format!(
            "--append-log {}: a reviewer has worked on it (row {}: a decision or an edited \
             replacement), and adding to a .xlsx log writes the workbook again from its \
             cells, losing any formatting or note added to it; apply it first, or add to \
             a .csv log",
            path.display(),
            row.row
        )));
    }
    let mut rows = bytes;
    if !rows.ends_with(b"\n") {
        rows.push(b'\n');
    }
    let dialect = Dialect {
        delimiter: table.delimiter,
        bom: table.bom,
    };
    Ok(Some((rows, dialect)))
}

/// One substitution as `check` prints it (and, with `--json`, its JSON object).
#[derive(serde::Serialize)]
struct Change<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    line: u64,
    column: u64,
    byte_offset: u64,
    matched: &'a str,
    replacement: &'a str,
    rule: &'a str,
    context: &'a str,
}

impl Change<'_> {
    /// Adds to `out` the `check` line of the change: `path:line:column: matched ->
    /// replacement [rule]`, or with `json` one JSON object on a line of its own.
    fn push(&self, out: &mut Vec<u8>, json: bool) {
        if json {
            // Writing to a vector cannot fail.
            let _ = serde_json::to_writer(&mut *out, self);
            out.push(b'\n');
            return;
        }
        let [path, matched, replacement, rule] =
            [self.path, self.matched, self.replacement, self.rule].map(one_line);
        // A flag-only rule's row replaces the match with itself (its note says why).
        let _ = match matched == replacement {
            true => writeln!(
                out,
                "{path}:{}:{}: {matched} (flag) [{rule}]",
                self.line, self.column
            ),
            false => writeln!(
                out,
                "{path}:{}:{}: {matched} -> {replacement} [{rule}]",
                self.line, self.column
            ),
        };
    }
}

/// `check` lines held before they are printed: one write per 64 KB (the size of a pipe's
/// buffer).
const PRINT_AT: usize = 1 << 16;

/// A piece of a `check` line as printed: line breaks as `\n` and `\r`, so that each change
/// stays on one line, and every other control character (an escape sequence in an article
/// or a file name could drive the terminal) as `\u{1b}`.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Prints what `apply`, `undo` or `revert` did: edited rows, skipped rows grouped by
/// file (one line for a file whose rows all failed the same way), the files not among
/// the inputs and the corrected copies given to `apply` in one line each, failures, and
/// a summary line.
pub(crate) fn print_review(report: &ReviewReport, config: &ReviewConfig, quiet: bool) {
    let log = config.log.display();
    for note in &report.edited {
        eprintln!("note: {log}:{}: {}", note.place, note.message);
    }
    let mut files: Vec<&str> = report.skipped.iter().map(|n| n.file.as_str()).collect();
    files.dedup();
    for file in files {
        let rows: Vec<&RowNote> = report.skipped.iter().filter(|n| n.file == file).collect();
        if rows.len() > 1 && rows.iter().all(|n| n.message == rows[0].message) {
            let lines: Vec<&str> = rows.iter().map(|n| n.place.as_str()).collect();
            eprintln!(
                "error: {log}:{}: {} ({} rows: lines {})",
                rows[0].place,
                rows[0].message,
                rows.len(),
                lines.join(", ")
            );
            continue;
        }
        match rows[..] {
            [note] => eprintln!("error: {log}:{}: {}", note.place, note.message),
            _ => {
                eprintln!("error: {file}: {} rows skipped:", rows.len());
                for note in rows {
                    eprintln!("  {log}:{}: {}", note.place, note.message);
                }
            }
        }
    }
    let (rows, elsewhere) = &report.elsewhere;
    if *rows > 0 {
        eprintln!(
            "note: {} of {} not among the inputs left alone ({}{})",
            plural(*rows, "row"),
            plural(elsewhere.len(), "file"),
            elsewhere
                .iter()
                .take(3)
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if elsewhere.len() > 3 { ", …" } else { "" }
        );
    }
    if !report.corrected_copies.is_empty() {
        let copies = &report.corrected_copies;
        eprintln!(
            "error: {} the corrected {} `fix` (or `apply`) wrote, not the {} the log was made \
             from: nothing applied to {} ({}{}). To publish first and undo what the reviewer \
             rejected, run `mtfix undo --log {log}` on them; to apply the log, give `apply` \
             the originals",
            if copies.len() == 1 {
                "1 file is"
            } else {
                "these files are"
            },
            if copies.len() == 1 { "copy" } else { "copies" },
            if copies.len() == 1 {
                "original"
            } else {
                "originals"
            },
            if copies.len() == 1 { "it" } else { "them" },
            copies
                .iter()
                .take(3)
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if copies.len() > 3 {
                format!(" and {} more", copies.len() - 3)
            } else {
                String::new()
            }
        );
    }
    print_failures(&report.failures);
    if report.not_reviewed > 0 {
        eprintln!(
            "error: interrupted: {} not reviewed, left as they are",
            plural(report.not_reviewed, "file")
        );
    }
    if !quiet {
        let (verb, left_out) = match config.direction {
            Direction::Apply => ("applied", "rejected"),
            Direction::Undo => ("kept or applied", "rejected (undone)"),
            Direction::Revert => ("reverted", "not in the articles"),
        };
        let reanchored = match report.reanchored {
            0 => String::new(),
            n => format!(", {n} re-anchored in articles changed since `fix`"),
        };
        eprintln!(
            "{} {verb} ({} edited by the reviewer{reanchored}), {} {left_out}, {} skipped; {} written",
            plural(report.applied, "row"),
            report.edited.len(),
            report.rejected,
            report.skipped.len(),
            plural(report.files_written, "file"),
        );
    }
}

/// Prints each failure, one per line, on stderr.
pub(crate) fn print_failures(failures: &[Error]) {
    for failure in failures {
        eprintln!("error: {failure}");
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints, after the summary of `fix`, where the corrected articles and the log went and
/// what to do next: how many rows wait for review, and the command that takes them.
pub(crate) fn print_destinations(summary: &Summary, config: &Config) {
    let articles = match &config.target {
        Target::Out(dir) => format!("corrected articles under {}", dir.display()),
        Target::InPlace => format!(
            "{} rewritten in place",
            plural(summary.files_changed, "article")
        ),
        Target::Nowhere | Target::Stdout => return,
    };
    let Some(log) = &config.log else {
        eprintln!("{articles}");
        return;
    };
    let log = log.display();
    let waiting = summary.substitutions - summary.reused.total();
    let next = match (&config.target, waiting) {
        (_, 0) => String::new(),
        (Target::InPlace, _) => {
            format!(" (decide them, then `mtfix undo --log {log}` undoes the rejected ones)")
        }
        _ => format!(" (decide them, then `mtfix apply --log {log}` on the originals)"),
    };
    eprintln!(
        "{articles}; log: {log}, {} waiting for review{next}",
        plural(waiting, "row")
    );
}

/// Totals of a run, printed at the end.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub files_read: usize,
    pub files_changed: usize,
    pub substitutions: usize,
    pub bytes: usize,
    /// Rule ids with how often each fired, most used first.
    pub top_rules: Vec<(String, usize)>,
    pub failed: usize,
    pub elapsed: Duration,
    /// The run stopped early, its stdout closed (`| head`): the counts are of the
    /// articles done by then.
    pub stopped_early: bool,
    /// The run stopped on Ctrl-C or SIGTERM: the counts are of the articles done by then.
    pub interrupted: bool,
    /// Temporary files of an interrupted run found in the input folders and removed.
    pub leftovers_removed: usize,
    /// Substitutions that took a decision of `--decisions`, by kind.
    pub reused: Reuses,
}

impl Summary {
    /// Prints the summary on stderr.
    pub(crate) fn print(&self) {
        let seconds = self.elapsed.as_secs_f64();
        let mb = self.bytes as f64 / 1e6;
        eprintln!(
            "{} read, {} changed, {}, {} failed in {:.2} s ({:.1} MB/s)",
            plural(self.files_read, "file"),
            self.files_changed,
            plural(self.substitutions, "substitution"),
            self.failed,
            seconds,
            if seconds > 0.0 { mb / seconds } else { 0.0 }
        );
        if !self.top_rules.is_empty() {
            let top: Vec<String> = self
                .top_rules
                .iter()
                .map(|(id, n)| format!("{id} ({n})"))
                .collect();
            eprintln!("most used rules: {}", top.join(", "));
        }
        let reused = &self.reused;
        if reused.total() > 0 {
            eprintln!(
                "decisions reused: {} rejected (left out), {} edited (written as edited), {} \
                 accepted",
                reused.rejected, reused.edited, reused.accepted
            );
        }
        if self.stopped_early {
            eprintln!("stopped early: the reader of the output has gone");
        }
        if self.files_read == 0 && self.failed == 0 && !self.interrupted {
            eprintln!(
                "warning: no article was read: the inputs hold no file with a read extension \
                 (--ext), or ignore files hide them"
            );
        }
        if self.leftovers_removed > 0 {
            eprintln!(
                "removed {} left in the input folders by an interrupted run",
                plural(self.leftovers_removed, "temporary file")
            );
        }
        if self.interrupted {
            eprintln!(
                "interrupted: the articles not listed in the log were not touched; \
                 run again to finish"
            );
        }
    }
}
