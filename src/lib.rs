//! mtfix cleans machine-translation artifacts out of French articles.
//!
//! The crate map, in pipeline order (each module's own doc says what holds there):
//!
//! | stage | module | what it does |
//! | --- | --- | --- |
//! | command line | [`cli`] → `config` | parse the arguments; resolve and check them into a `Config` |
//! | run | `driver`, `interrupt` | load the rules while the walk starts; process articles in parallel batches; stop cleanly on Ctrl-C |
//! | input | `input::walk`, `input::listing` | list the articles, sorted; hand them to the workers |
//! | | `input::encoding` | detect and decode an article's encoding; encode it back |
//! | rules | `glossary` (`condition`, `pattern`, `template`, `proofs`) | read the CSV glossaries into validated rules; regexes compiled on first use; a text checked before by this binary not checked again |
//! | | `csvlines` | where a CSV record starts, so glossary and log errors name its line |
//! | correct (pure, no I/O) | `correct::markup`, `correct::fold` | find markup spans; fold the text into the matching view |
//! | | `correct::matcher` (`anchors`, `words`) | compile the rules; find every candidate in one pass |
//! | | `correct::protect`, `correct::sentence`, `correct::seam` | spans never edited; the sentence around a match; French seams |
//! | | `correct::article_scope` | what the whole article says to conditions with article scope |
//! | | `correct` , `correct::substitutions` | select leftmost-longest, rewrite, list the substitutions |
//! | one article | `article` | read → decode → correct → encode → write, streamed past 16 MB |
//! | output | `output::atomic` | the one writer of files: temporary file, fsync, rename |
//! | | `output::logfile` (`logread`), `output::report` | the CSV log both ways, read back a row at a time; the summary and `check` lines |
//! | | `output::applied` | what `apply`/`undo` put in the articles, beside a spreadsheet log |
//! | | `output::xlsx` | the log as an Excel workbook, made from its CSV rows |
//! | | `output::diff`, `output::progress` | `--diff`; the progress bar |
//! | review | `review` (`rows`, `bytes`, `decisions`) | `apply`, `undo` and `revert`: the reviewed log drives the final articles; earlier decisions reused by `fix --decisions` |
//! | suggest | `suggest` (`case`, `near`, `unknown`, `literal`, `ngrams`) | `suggest`: rank likely artifacts no rule covers, with glossary rows |
//! | | `page` | `review`: the log as one self-contained HTML page to decide in a browser |
//! | records | `stream` (`record`, `labels`, `log`) | JSON Lines in, corrected records out (`mtfix stream`); their CSV log (`mtfix log`) |
//! | commands | [`commands`] (`commands::glossary`) | run a command, print its outcome, give the exit code |
//! | | `error`, `exit` | what failed, with file, line and column; the documented exit codes |
//!
//! Only the facade below is public: what the binary, the integration tests, the example
//! and the fuzz target use.
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod article;
pub mod cli;
pub mod commands;
mod config;
mod correct;
mod csvlines;
mod driver;
mod error;
mod exit;
mod glossary;
mod input;
mod interrupt;
mod output;
mod page;
mod review;
mod stream;
mod suggest;

pub use correct::matcher::Rules;
pub use correct::{Applied, apply};
pub use driver::{load_glossaries, load_rules};
pub use error::{Error, Result};
pub use exit::Exit;
pub use glossary::pattern::RegexPattern;
pub use glossary::{EMBEDDED, Glossary, Language, Pattern};

/// Internals exposed for the benchmarks' stage timer (`examples/stages.rs`), the fuzz
/// target and tests that compare a fast path with its plain twin; not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::article::WHOLE_FILE_LIMIT;
    pub use crate::correct::fold::{View, fold_pattern};
    pub use crate::correct::fuzz_one;
    pub use crate::correct::words::{WordIndex, for_each_word};
    pub use crate::input::walk::list;
    pub use crate::output::logfile::file_hash;
}
