//! Stage 5: reporting. Writes the CSV log with one writer, in file order then text order,
//! and prints `check` lines, diffs and the summary. With `main` and `progress`, the only
//! module that speaks.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::apply::Substitution;
use crate::corpus::Article;
use crate::error::{Error, Result};
use crate::matcher::Rules;
use crate::output;

/// What happened to one article.
#[derive(Debug)]
pub struct FileOutcome {
    pub article: Article,
    pub result: Result<Processed>,
}

/// A processed article.
#[derive(Debug, Default)]
pub struct Processed {
    /// Bytes read.
    pub bytes: usize,
    /// Substitutions, in text order.
    pub subs: Vec<Substitution>,
    /// Unified diff of the change, when asked for and the article changed.
    pub diff: Option<String>,
    /// Things the user should know that did not stop the article (skipped as binary,
    /// a replacement the encoding cannot represent).
    pub warnings: Vec<String>,
}

/// One row of the substitution log; the field order is the column order.
#[derive(Debug, Serialize)]
struct LogRow<'a> {
    file: &'a str,
    line: u64,
    column: u64,
    byte_offset: usize,
    rule: &'a str,
    matched: &'a str,
    replacement: &'a str,
    context: &'a str,
    glossary: String,
    note: &'a str,
}

/// Writes the log of all substitutions to `path` (atomically).
pub fn write_log(path: &Path, outcomes: &[FileOutcome], rules: &Rules) -> Result<()> {
    let bytes = log_bytes(outcomes, rules).map_err(|e| Error::io(path, e))?;
    output::write_atomic(path, &bytes, output::Durability::Synced)
}

fn log_bytes(outcomes: &[FileOutcome], rules: &Rules) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for outcome in outcomes {
        let Ok(processed) = &outcome.result else {
            continue;
        };
        let file = outcome.article.log_name();
        for sub in &processed.subs {
            let rule = &rules.rules()[sub.rule];
            writer.serialize(LogRow {
                file: &file,
                line: sub.line,
                column: sub.column,
                byte_offset: sub.byte_offset,
                rule: &rule.id,
                matched: &sub.matched,
                replacement: &sub.replacement,
                context: &sub.context,
                glossary: rule.origin.path.display().to_string(),
                note: &rule.note,
            })?;
        }
    }
    if outcomes
        .iter()
        .all(|o| o.result.as_ref().map_or(true, |p| p.subs.is_empty()))
    {
        // Even an empty log has its header, so that tools reading it see the columns.
        writer.write_record(LOG_COLUMNS)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// The log's columns, in order.
pub const LOG_COLUMNS: [&str; 10] = [
    "file",
    "line",
    "column",
    "byte_offset",
    "rule",
    "matched",
    "replacement",
    "context",
    "glossary",
    "note",
];

/// Prints one `file:line:column: matched -> replacement [rule]` line per substitution.
pub fn print_check_lines(outcomes: &[FileOutcome], rules: &Rules) {
    let mut out = std::io::stdout().lock();
    for outcome in outcomes {
        let Ok(processed) = &outcome.result else {
            continue;
        };
        for sub in &processed.subs {
            let _ = writeln!(
                out,
                "{}:{}:{}: {} -> {} [{}]",
                outcome.article.path.display(),
                sub.line,
                sub.column,
                one_line(&sub.matched),
                sub.replacement,
                rules.rules()[sub.rule].id
            );
        }
    }
}

/// Shows line breaks inside a match as `\n` so that each change stays on one line.
fn one_line(text: &str) -> String {
    text.replace('\r', "\\r").replace('\n', "\\n")
}

/// Prints the diffs, in file order, to stdout (or stderr when stdout carries an article).
pub fn print_diffs(outcomes: &[FileOutcome], to_stderr: bool) {
    for diff in outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok()?.diff.as_deref())
    {
        if to_stderr {
            eprint!("{diff}");
        } else {
            print!("{diff}");
        }
    }
}

/// Prints the warnings of every article, in file order, on stderr.
pub fn print_warnings(outcomes: &[FileOutcome]) {
    for processed in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
        for warning in &processed.warnings {
            eprintln!("warning: {warning}");
        }
    }
}

/// Prints each failure, one per line, on stderr.
pub fn print_failures(failures: &[Error]) {
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

/// Totals of a run, printed at the end.
#[derive(Debug, Default)]
pub struct Summary {
    pub files_read: usize,
    pub files_changed: usize,
    pub substitutions: usize,
    pub bytes: usize,
    /// Rule ids with how often each fired, most used first.
    pub top_rules: Vec<(String, usize)>,
    pub failed: usize,
    pub elapsed: Duration,
}

impl Summary {
    /// Totals the outcomes of a run.
    pub fn of(outcomes: &[FileOutcome], rules: &Rules, failed: usize, elapsed: Duration) -> Self {
        let mut summary = Summary {
            failed,
            elapsed,
            ..Summary::default()
        };
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for processed in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
            summary.files_read += 1;
            summary.bytes += processed.bytes;
            summary.substitutions += processed.subs.len();
            summary.files_changed += usize::from(!processed.subs.is_empty());
            for sub in &processed.subs {
                *counts.entry(sub.rule).or_default() += 1;
            }
        }
        let mut top: Vec<(usize, usize)> = counts.into_iter().collect();
        top.sort_by_key(|&(rule, count)| (std::cmp::Reverse(count), rule));
        summary.top_rules = top
            .into_iter()
            .take(5)
            .map(|(rule, count)| (rules.rules()[rule].id.clone(), count))
            .collect();
        summary
    }

    /// Prints the summary on stderr.
    pub fn print(&self) {
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
    }
}
