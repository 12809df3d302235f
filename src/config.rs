//! The resolved configuration of a run. Built from the command line once, checked before
//! any file is read; the pipeline stages see only this.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::cli::{CheckArgs, CommonArgs, FixArgs, ReviewArgs};
use crate::error::{Error, Result};
use crate::input::encoding::TextEncoding;
use crate::output::diff;
use crate::output::logfile::Dialect;

/// Where corrected articles go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Mirror the corpus under this folder.
    Out(PathBuf),
    /// Rewrite changed files where they are.
    InPlace,
    /// Write nothing (`check`).
    Nowhere,
    /// The one input is stdin; write the corrected text to stdout.
    Stdout,
}

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Read one article from stdin (the only input).
    pub stdin: bool,
    /// Files and folders to read, in command-line order (never `-`).
    pub inputs: Vec<PathBuf>,
    /// Glossary files or folders, in order; empty means the embedded glossaries.
    pub glossaries: Vec<PathBuf>,
    /// Extensions (without dot, lower case) read when walking folders.
    pub extensions: Vec<String>,
    pub target: Target,
    /// Where the CSV log goes; `None` for no log.
    pub log: Option<PathBuf>,
    /// Print a unified diff of every change.
    pub diff: bool,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// No progress bar, no summary.
    pub quiet: bool,
    /// Encoding forced by `--encoding`; detected per file when `None`.
    pub encoding: Option<TextEncoding>,
    /// Follow symbolic links when walking folders.
    pub follow: bool,
    /// Suffix of the backup kept beside each file rewritten in place.
    pub backup: Option<OsString>,
    /// How the log is written (delimiter, byte-order mark).
    pub log_dialect: Dialect,
    /// Colour diffs.
    pub color: bool,
}

impl Config {
    /// Resolves and checks the command line of `check`.
    pub(crate) fn for_check(args: CheckArgs) -> Result<Config> {
        Config::new(
            args.common,
            Target::Nowhere,
            None,
            args.diff,
            None,
            Dialect::default(),
        )
    }

    /// Resolves and checks the command line of `fix`.
    pub(crate) fn for_fix(args: FixArgs) -> Result<Config> {
        let reads_stdin = args.common.inputs.iter().any(|p| p == Path::new("-"));
        let target = match (args.out, args.in_place) {
            (Some(dir), false) => Target::Out(dir),
            (None, true) => Target::InPlace,
            (None, false) if reads_stdin => Target::Stdout,
            _ => {
                return Err(Error::Usage(
                    "fix needs --out DIR or --in-place (or `-` to read stdin)".into(),
                ));
            }
        };
        let log = match (&target, args.log) {
            (Target::Stdout, log) => log,
            (_, log) => Some(log.unwrap_or_else(|| PathBuf::from("changes.csv"))),
        };
        if args.backup.is_some() && target != Target::InPlace {
            return Err(Error::Usage("--backup needs --in-place".into()));
        }
        let dialect = Dialect {
            delimiter: log_delimiter(&args.log_delimiter)?,
            bom: args.log_bom,
        };
        Config::new(args.common, target, log, args.diff, args.backup, dialect)
    }

    fn new(
        common: CommonArgs,
        target: Target,
        log: Option<PathBuf>,
        diff: bool,
        backup: Option<OsString>,
        log_dialect: Dialect,
    ) -> Result<Config> {
        let encoding = forced_encoding(common.input.encoding.as_deref())?;
        let stdin = common.inputs.iter().any(|p| p == Path::new("-"));
        let writes_files = matches!(target, Target::Out(_) | Target::InPlace);
        if stdin && (common.inputs.len() > 1 || writes_files) {
            return Err(Error::Usage(
                "`-` (stdin) must be the only INPUT, without --out or --in-place".into(),
            ));
        }
        let config = Config {
            stdin,
            inputs: common
                .inputs
                .into_iter()
                .filter(|p| p != Path::new("-"))
                .collect(),
            glossaries: common.glossaries,
            extensions: normalize_extensions(&common.input.extensions),
            target,
            log,
            diff,
            jobs: common.jobs,
            quiet: common.quiet,
            encoding,
            follow: common.input.follow,
            backup,
            log_dialect,
            color: diff::use_color(common.color, color_stream_is_terminal(stdin)),
        };
        config.check_out_dir()?;
        Ok(config)
    }

    /// Whether this run writes articles and a log (`fix`), rather than reporting (`check`).
    pub(crate) fn writes(&self) -> bool {
        self.target != Target::Nowhere
    }

    /// Refuses an output folder inside (or equal to) an input folder: the next run would
    /// read the corrected copies as articles.
    fn check_out_dir(&self) -> Result<()> {
        match &self.target {
            Target::Out(out) => check_out_dir(out, &self.inputs),
            _ => Ok(()),
        }
    }
}

/// Refuses an output folder inside (or equal to) an input folder: the next run would
/// read the corrected copies as articles.
pub(crate) fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let out = resolve(out);
    for input in inputs.iter().filter(|p| p.is_dir()) {
        if out.starts_with(resolve(input)) {
            return Err(Error::Usage(format!(
                "--out {} is inside the input folder {}",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Which way to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Originals → corrected, with the accepted rows (`mtfix apply`).
    Apply,
    /// Corrected → originals (`mtfix revert`).
    Revert,
}

/// Everything `apply` and `revert` need.
#[derive(Debug, Clone)]
pub(crate) struct ReviewConfig {
    pub direction: Direction,
    pub log: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// `Some(dir)` for `--out DIR`, `None` for `--in-place`.
    pub out: Option<PathBuf>,
    /// An empty decision rejects the row (default: accepts it).
    pub reject_empty: bool,
    pub backup: Option<OsString>,
    pub extensions: Vec<String>,
    pub follow: bool,
    pub encoding: Option<TextEncoding>,
}

impl ReviewConfig {
    /// Resolves the command line of `apply` or `revert`.
    pub(crate) fn from_args(args: ReviewArgs, direction: Direction) -> Result<ReviewConfig> {
        let out = match (args.out, args.in_place) {
            (Some(dir), false) => Some(dir),
            (None, true) => None,
            _ => return Err(Error::Usage("needs --out DIR or --in-place".into())),
        };
        if args.backup.is_some() && out.is_some() {
            return Err(Error::Usage("--backup needs --in-place".into()));
        }
        if let Some(out) = &out {
            check_out_dir(out, &args.inputs)?;
        }
        Ok(ReviewConfig {
            direction,
            log: args.log,
            inputs: args.inputs,
            out,
            reject_empty: args.reject_empty,
            backup: args.backup,
            extensions: normalize_extensions(&args.input.extensions),
            follow: args.input.follow,
            encoding: forced_encoding(args.input.encoding.as_deref())?,
        })
    }
}

fn normalize_extensions(extensions: &[String]) -> Vec<String> {
    extensions
        .iter()
        .map(|e| e.trim_start_matches('.').to_lowercase())
        .collect()
}

/// The encoding named by `--encoding`, if any.
pub(crate) fn forced_encoding(label: Option<&str>) -> Result<Option<TextEncoding>> {
    label
        .map(|label| {
            TextEncoding::for_label(label).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown or unsupported encoding `{label}` (use UTF-8 or a single-byte \
                     encoding such as windows-1252 or iso-8859-15)"
                ))
            })
        })
        .transpose()
}

/// Whether the stream diffs go to is a terminal: stderr when stdout carries the article.
fn color_stream_is_terminal(stdin: bool) -> bool {
    use std::io::IsTerminal;
    if stdin {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    }
}

/// The one-byte field separator of `--log-delimiter` (`\t` may be written `tab`).
pub(crate) fn log_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(Error::Usage(format!(
            "--log-delimiter must be one ASCII character (`,`, `;` or `tab`), not `{text}`"
        ))),
    }
}

/// The absolute, symlink-free form of a path that may not exist yet: its longest existing
/// ancestor canonicalized, plus the rest.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}
