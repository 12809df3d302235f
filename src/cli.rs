//! The command line (clap derive). Each doc comment is also the `--help` text. The rest of
//! the crate never sees these types: `Config` is built from them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Cleans machine-translation artifacts out of French articles.
///
/// mtfix applies curated glossaries (artifact -> correct term, with context conditions)
/// to a folder of articles, in parallel, and logs every substitution to a CSV file for
/// review. Without --glossary, the glossaries shipped with mtfix (embedded) are used.
///
/// Exit codes: 0 ok; 1 `check` found changes or `glossary test` failed; 2 bad usage or
/// glossary (nothing written); 3 some files or log rows could not be processed (the
/// others were).
#[derive(Debug, Parser)]
#[command(name = "mtfix", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Correct articles, write them (to --out DIR or in place) and log every substitution.
    Fix(FixArgs),
    /// Report what `fix` would change, one `file:line:column: matched -> replacement [rule]`
    /// line per substitution, writing nothing. Exits 1 if anything would change.
    Check(CheckArgs),
    /// Apply exactly the accepted rows of a reviewed log to the original articles.
    ///
    /// Each row is checked against its file first (the file's content hash, and the
    /// matched text at its byte offset); a row that does not fit is reported with its CSV
    /// line and skipped (exit 3), the others are applied. A replacement the reviewer
    /// edited is applied as edited, and reported. An article changed since `fix` has each
    /// row found again by its matched text and sentence (the `context` column), applied
    /// only where found exactly once. Rows of files not among the inputs are left alone.
    /// The log's `applied` column records which rows are now in the articles, for
    /// `revert` and `undo` (a spreadsheet log is left as it is: `<log>.applied.csv`
    /// beside it records them).
    ///
    /// Decisions read (any case, accents or not): accept, accepté, accepter, validé,
    /// oui, yes, ok, x (a ticked box), 1, ✓, TRUE/VRAI accept; reject, rejeté, refusé,
    /// non, no, ko, 0, ✗, FALSE/FAUX reject; empty accepts (rejects with
    /// --reject-empty). Every cell that is none of these is reported, nothing applied.
    Apply(ReviewArgs),
    /// Publish first, review after: undo the rejected rows of a reviewed log in the
    /// articles `fix` corrected (and apply the edited replacements).
    ///
    /// Takes what `fix` wrote (or what an earlier `apply` or `undo` wrote, or the
    /// originals) and writes exactly what `apply` would write from the originals: each
    /// file is first brought back to the original the log was made from, checked by its
    /// content hash. Decisions are read as by `apply`.
    Undo(ReviewArgs),
    /// Turn corrected articles back into the originals, from the log alone.
    ///
    /// Undoes the rows that are in each article: what `fix`, `apply` or `undo` wrote
    /// (the log's `applied` column, or its decisions, tell which; no flag of theirs needs
    /// repeating). A file is written only if the result has the content hash the log
    /// recorded for the original.
    ///
    /// For a spreadsheet log (.xlsx, .ods), what `apply` and `undo` wrote is read from
    /// `<log>.applied.csv` beside it. One written for other rows than the log holds now
    /// (a row added, removed or its replacement edited since; a decision changed is
    /// fine) is stale: refused (exit 2), naming it.
    Revert(ReviewArgs),
    /// Write the log as one self-contained HTML page on which to decide every row.
    ///
    /// The page (no server, no network) shows each change in its sentence, filters and
    /// groups by file and rule, takes keyboard shortcuts, and saves the reviewed log
    /// (same columns, `decision` filled, edits in `replacement`) for `apply`. See
    /// docs/review-page.md.
    Review(PageArgs),
    /// List likely artifacts that no loaded rule covers yet, ranked, each with its
    /// evidence and a glossary row to test (see docs/suggest.md).
    Suggest(Box<SuggestArgs>),
    /// Test, lint and measure glossaries.
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// Correct a stream of records: JSON Lines on stdin, one corrected record per line on
    /// stdout, in input order (for Spark and other record pipelines).
    ///
    /// In: `{"id": ..., "text": ...}` or `{"id": ..., "bytes": BASE64}` (encoding detected
    /// as for files), optional `format` (txt, md, html; default from the id's extension),
    /// other fields passed through. Out: the corrected `text` or `bytes`, `changed`, and
    /// `substitutions` with the log's columns; a record that cannot be processed becomes
    /// `{"id": ..., "error": ..., "input_line": N}`. Exits 0 unless the glossaries or the
    /// usage are wrong (2) or stdin/stdout fail (3). See docs/beyond-one-machine.md.
    Stream(StreamArgs),
    /// Write the CSV log of the stream's output: the bytes `fix --log` writes for the same
    /// articles as files named by their ids, so that `apply` and `revert` work on it.
    ///
    /// Reads stream records or substitution rows (JSON objects with the log's columns), in
    /// any order; give it the --glossary the stream was given.
    Log(LogArgs),
    /// Print a shell completion script (generated from this command line), for example
    /// `mtfix completions bash > ~/.local/share/bash-completion/completions/mtfix`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff, generated from this command line), for example
    /// `mtfix man > ~/.local/share/man/man1/mtfix.1`.
    Man,
}

/// `mtfix stream` options.
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// Glossary CSV file or folder, as for `fix` (default: the shipped glossaries). The
    /// records name each glossary `<file name>@<content hash>`, not by its path.
    #[arg(short, long = "glossary", value_name = "PATH")]
    pub glossaries: Vec<PathBuf>,

    /// Read every `bytes` record in this encoding instead of detecting it (`text` records
    /// are UTF-8).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// A reviewed log whose decisions are reused, as by `fix --decisions` (repeatable).
    #[arg(long, value_name = "LOG")]
    pub decisions: Vec<PathBuf>,

    /// Worker threads (0 = one per core). Output is identical whatever the number.
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    #[command(flatten)]
    pub into: IntoArgs,
}

/// `--into`, for the commands that correct.
#[derive(Debug, Args)]
pub struct IntoArgs {
    /// Which correction to write: `source` (the glossaries' `replacement`, the English
    /// source term) or `fr` (a rule's French correction, its `fr` column, with the
    /// determiner before it agreed; names and rules without one keep `replacement`).
    #[arg(
        long,
        value_name = "LANG",
        default_value = "source",
        hide_possible_values = true
    )]
    pub into: crate::glossary::Language,
}

/// `mtfix log` options.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Files of stream output (JSON Lines); none or `-`: stdin.
    #[arg(value_name = "RECORDS")]
    pub records: Vec<PathBuf>,

    /// The glossaries the stream was given (default: the shipped ones); the log names
    /// them by these paths, as `fix` would.
    #[arg(short, long = "glossary", value_name = "PATH")]
    pub glossaries: Vec<PathBuf>,

    /// The log to write (atomically): CSV, or an Excel workbook when FILE ends in `.xlsx`.
    #[arg(long, value_name = "FILE", default_value = "changes.csv")]
    pub log: PathBuf,

    #[command(flatten)]
    pub format: LogFormatArgs,

    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `mtfix completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `mtfix check` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Print a unified diff of every change too.
    #[arg(long)]
    pub diff: bool,

    /// Print one JSON object per change, one per line (as `rg --json`): `type` ("change"),
    /// `path`, `line`, `column`, `byte_offset`, `matched`, `replacement`, `rule`, `context`.
    #[arg(long, conflicts_with = "diff")]
    pub json: bool,
}

/// Where the articles go: the one set of output options of `fix`, `apply`, `undo` and
/// `revert` (each command says whether one of --out and --in-place is required).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the whole result under DIR, with the same relative paths (files without
    /// changes are copied too). DIR may not be inside an input folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Rewrite changed files in place, atomically (temporary file, then rename).
    #[arg(long)]
    pub in_place: bool,

    /// With --in-place, keep each original beside its corrected file as
    /// `<file><SUFFIX>` (for example `--backup .orig`); an existing file is never
    /// replaced by a backup.
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<std::ffi::OsString>,
}

/// Options of `apply` and `revert`.
/// How a CSV log is written: shared by every command that writes one (`fix`, `log`).
#[derive(Debug, Args)]
pub struct LogFormatArgs {
    /// Write the CSV log without the UTF-8 byte-order mark it starts with by default. The
    /// mark is what makes a spreadsheet opened with a double click (Excel, LibreOffice's
    /// import dialog) read the log as UTF-8, accents included; leave it out for tools
    /// that do not expect one.
    #[arg(long)]
    pub no_log_bom: bool,

    /// The default (kept for the command lines that give it).
    #[arg(long, hide = true, overrides_with = "no_log_bom")]
    pub log_bom: bool,

    /// Field separator of the log: `,` (default), `;` (what French-locale spreadsheets
    /// expect) or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",")]
    pub log_delimiter: String,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").args(["out", "in_place"]).required(true)))]
pub struct ReviewArgs {
    /// The log (reviewed: a `decision` column of accept, reject or empty). Read in any
    /// variant: with or without byte-order mark, `,` `;` or tab between fields.
    #[arg(long, value_name = "FILE")]
    pub log: PathBuf,

    /// The articles the log names (files or folders, walked as by `fix`).
    #[arg(required_unless_present = "files_from", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read more INPUTs from FILE (`-`: stdin), one per line or NUL-separated (`find
    /// -print0`).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// An empty decision rejects the row (by default it accepts it). `revert` needs
    /// not be given it: it finds what is in the articles.
    #[arg(long)]
    pub reject_empty: bool,

    #[command(flatten)]
    pub input: InputArgs,

    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `review`.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// The log to review, as written by `fix` (or partly reviewed already).
    #[arg(long, value_name = "FILE")]
    pub log: PathBuf,

    /// The articles the log was made from (optional): each file whose content no longer
    /// has the hash the log recorded, or that is missing, is flagged on the page, since
    /// `apply` would skip its rows.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The HTML file to write.
    #[arg(long, value_name = "FILE", default_value = "review.html")]
    pub out: PathBuf,

    #[command(flatten)]
    pub input: InputArgs,

    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `mtfix glossary` subcommands.
#[derive(Debug, Subcommand)]
pub enum GlossaryCommand {
    /// Run every rule's `example` (must give `expected`) and `counterexample` (must stay
    /// unchanged) through the whole rule set. Exits 1 on any failure.
    Test(GlossaryPaths),
    /// Find rules that can never win, conflicting or non-idempotent rules, conditions that
    /// can never match, and case or apostrophe variants. Exits 2 on errors; warnings alone
    /// exit 0.
    Lint(GlossaryPaths),
    /// Per rule, how often it fired and how often a reviewer rejected or edited it, worst
    /// rules first.
    Stats(StatsArgs),
    /// List the glossaries shipped with mtfix (embedded in the binary), with their rules.
    List,
    /// Write the shipped glossaries into DIR, to read or to start a glossary of your own
    /// from; an existing file is never replaced.
    Export(ExportArgs),
}

/// `mtfix glossary export` options.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write them into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Glossaries to test or lint.
#[derive(Debug, Args)]
pub struct GlossaryPaths {
    /// Glossary files or folders; default: the glossaries shipped with mtfix.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `mtfix glossary stats` options.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// A log written by `fix`, reviewed or not.
    #[arg(long, value_name = "FILE")]
    pub log: PathBuf,
}

/// `mtfix suggest` options.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Article files or folders (walked as by `fix`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Glossary CSV file or folder; what its rules already correct is not suggested.
    /// Default: the glossaries shipped with mtfix.
    #[arg(short, long = "glossary", value_name = "PATH")]
    pub glossaries: Vec<PathBuf>,

    /// A folder of clean French text to compare phrase frequencies with (default: a
    /// small built-in profile).
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,

    /// How many candidates to show, best first.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,

    /// `text` (ranked list with evidence) or `csv` (glossary rows to review and test).
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: crate::suggest::SuggestFormat,

    #[command(flatten)]
    pub input: InputArgs,

    /// Worker threads (0 = one per core).
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// How articles are found and read, for every command that reads them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// File extensions read when walking folders (files named on the command line are
    /// always read).
    #[arg(
        long = "ext",
        value_name = "EXT",
        value_delimiter = ',',
        default_value = "txt,md,html,htm"
    )]
    pub extensions: Vec<String>,

    /// Read every article in this encoding (`utf-8`, `windows-1252`, `iso-8859-15`, …)
    /// instead of detecting it. Articles are always written back in their own encoding.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// Follow symbolic links when walking folders (not followed by default).
    #[arg(long)]
    pub follow: bool,
}

/// Options shared by `fix` and `check`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Article files or folders (walked recursively, skipping hidden and git-ignored
    /// files). `-` reads one article from stdin.
    #[arg(required_unless_present = "files_from", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read more INPUTs from FILE (`-`: stdin), one per line or NUL-separated (`find
    /// -print0`), instead of a command line too long for `xargs` to keep in one run.
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,

    /// Glossary CSV file, or a folder meaning its `*.csv` files (any case) sorted by name.
    /// Repeat to use several; on overlapping matches of equal length the earlier glossary
    /// wins. `+` stands for the glossaries shipped with mtfix, so `-g + -g mine.csv` adds
    /// yours to them. Default: the shipped glossaries. `,` `;` or tab between fields,
    /// UTF-8 or Windows-1252 (detected).
    #[arg(short, long = "glossary", value_name = "PATH")]
    pub glossaries: Vec<PathBuf>,

    /// A reviewed log (CSV, .xlsx or .ods, as `apply` reads it) whose decisions are
    /// reused: a change with the same rule, matched text and sentence (white space runs
    /// as one space), and the replacement the reviewer saw, is left out if rejected,
    /// written as edited if edited, and logged with its `decision` and `decided_in` (the
    /// log and line it comes from) filled, so only what is new waits for review. Rows
    /// left undecided are not reused. Repeat for several logs, oldest first: the last
    /// that decides a change wins; one log that decides it both ways decides nothing.
    #[arg(long, value_name = "LOG")]
    pub decisions: Vec<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    /// Worker threads (0 = one per core). Output is identical whatever the number.
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    #[command(flatten)]
    pub into: IntoArgs,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// Colour diffs: `auto` (on a terminal, unless NO_COLOR is set), `always` or `never`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: crate::output::diff::ColorChoice,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").args(["out", "in_place"])))]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Log of substitutions [default: changes.csv; with `-` as INPUT, no log unless
    /// this is given]. A FILE ending in `.xlsx` is written as an Excel workbook (header
    /// frozen and filtered, every cell text but the numbers, a list of decisions), which
    /// opens with a double click; an in-place run keeps its journal as CSV in
    /// `FILE.partial` until the workbook is in place.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Add the rows to the end of an existing log (written by `fix`, in its own delimiter
    /// and byte-order mark) instead of replacing it: for a corpus fixed in several runs
    /// (`xargs`). A log that is not an mtfix log of the same columns is refused.
    #[arg(long)]
    pub append_log: bool,

    #[command(flatten)]
    pub format: LogFormatArgs,

    /// Also print a unified diff of every change (to stdout; to stderr with `-`).
    #[arg(long)]
    pub diff: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
