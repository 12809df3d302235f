//! What a run leaves behind: [`atomic`] is the one writer of files (temporary file,
//! fsync, rename), [`logfile`] the substitution log's format both ways, [`applied`] what
//! `apply` and `undo` recorded beside a spreadsheet log, [`report`] the
//! log writer and everything printed, [`xlsx`] the log as a workbook, [`diff`] the
//! `--diff` output and [`progress`] the progress bar.

pub(crate) mod applied;
pub(crate) mod atomic;
pub(crate) mod diff;
pub(crate) mod logfile;
pub(crate) mod logread;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod xlsx;
