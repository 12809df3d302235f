//! The command line (clap derive). Each doc comment is also the `--help` text. The rest of
//! the crate never sees these types: [`crate::config::Config`] is built from them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Cleans machine-translation artifacts out of French articles.
///
/// mtfix applies curated glossaries (artifact -> correct term, with context conditions)
/// to a folder of articles, in parallel, and logs every substitution to a CSV file for
/// review. Without --glossary, the glossaries shipped with mtfix (embedded) are used.
///
/// Exit codes: 0 ok; 1 `check` found changes; 2 bad usage or glossary (nothing written);
/// 3 some files could not be processed (the others were).
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
    Check(CommonArgs),
}

/// Options shared by every command that reads articles.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Article files or folders (walked recursively, skipping hidden and git-ignored
    /// files). `-` reads one article from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Glossary CSV file, or a folder meaning its `*.csv` files sorted by name. Repeat to
    /// use several; on overlapping matches of equal length the earlier glossary wins.
    /// Default: the glossaries shipped with mtfix.
    #[arg(short, long = "glossary", value_name = "PATH")]
    pub glossaries: Vec<PathBuf>,

    /// File extensions read when walking folders (files named on the command line are
    /// always read).
    #[arg(
        long = "ext",
        value_name = "EXT",
        value_delimiter = ',',
        default_value = "txt,md,html,htm"
    )]
    pub extensions: Vec<String>,

    /// Worker threads (0 = one per core). Output is identical whatever the number.
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// Read every article in this encoding (`utf-8`, `windows-1252`, `iso-8859-15`, …)
    /// instead of detecting it. Articles are always written back in their own encoding.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// Follow symbolic links when walking folders (not followed by default).
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").args(["out", "in_place"])))]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Write the whole corrected corpus under DIR, with the same relative paths (files
    /// without changes are copied too). DIR may not be inside an input folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Rewrite changed files in place, atomically (temporary file, then rename).
    #[arg(long)]
    pub in_place: bool,

    /// With --in-place, keep each original beside its corrected file as
    /// `<file><SUFFIX>` (for example `--backup .orig`).
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<std::ffi::OsString>,

    /// CSV log of substitutions [default: changes.csv; with `-` as INPUT, no log unless
    /// this is given].
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Start the log with a UTF-8 byte-order mark, so that spreadsheets read it as UTF-8.
    #[arg(long)]
    pub log_bom: bool,

    /// Field separator of the log: `,` (default), `;` (what French-locale spreadsheets
    /// expect) or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",")]
    pub log_delimiter: String,

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
