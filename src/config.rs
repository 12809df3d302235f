//! The resolved configuration of a run. Built from the command line once, checked before
//! any file is read; the pipeline stages see only this.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::{CheckArgs, CommonArgs, FixArgs, LogFormatArgs, ReviewArgs};
use crate::error::{Error, Result};
use crate::input::encoding::TextEncoding;
use crate::output::diff;
use crate::output::logfile::Dialect;
use crate::output::logread::Row;
use crate::review::decisions::Decisions;

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
    /// `check --json`: one JSON object per change instead of a text line.
    pub json: bool,
    /// Add the rows to an existing log instead of replacing it.
    pub append_log: bool,
    /// Decisions of earlier reviewed logs, reused (`--decisions`).
    pub decisions: Arc<Decisions>,
    /// Which correction the rules write (`--into`).
    pub into: crate::glossary::Language,
}

impl Config {
    /// Resolves and checks the command line of `check`.
    pub(crate) fn for_check(args: CheckArgs) -> Result<Config> {
        let mut config = Config::new(
            args.common,
            Target::Nowhere,
            None,
            args.diff,
            None,
            Dialect::default(),
        )?;
        config.json = args.json;
        Ok(config)
    }

    /// Resolves and checks the command line of `fix`.
    pub(crate) fn for_fix(args: FixArgs) -> Result<Config> {
        let reads_stdin = args.common.inputs.iter().any(|p| p == Path::new("-"));
        let target = match (args.output.out, args.output.in_place) {
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
        if args.output.backup.is_some() && target != Target::InPlace {
            return Err(Error::Usage("--backup needs --in-place".into()));
        }
        let backup = backup_suffix(args.output.backup)?;
        let dialect = args.format.dialect()?;
        let mut config = Config::new(args.common, target, log, args.diff, backup, dialect)?;
        config.append_log = args.append_log;
        if let Some(log) = &config.log {
            check_log_target(log, &config, args.append_log)?;
        }
        Ok(config)
    }

    fn new(
        mut common: CommonArgs,
        target: Target,
        log: Option<PathBuf>,
        diff: bool,
        backup: Option<OsString>,
        log_dialect: Dialect,
    ) -> Result<Config> {
        let encoding = forced_encoding(common.input.encoding.as_deref())?;
        let stdin = common.inputs.iter().any(|p| p == Path::new("-"));
        if let Some(list) = &common.files_from {
            if stdin && list == Path::new("-") {
                return Err(Error::Usage(
                    "`-` (an article on stdin) and `--files-from -` both want stdin".into(),
                ));
            }
            common.inputs.extend(files_from(list)?);
        }
        let writes_files = matches!(target, Target::Out(_) | Target::InPlace);
        if stdin && (common.inputs.len() > 1 || writes_files) {
            return Err(Error::Usage(
                "`-` (stdin) must be the only INPUT, without --out or --in-place".into(),
            ));
        }
        let config = Config {
            stdin,
            inputs: distinct_inputs(common.inputs.into_iter().filter(|p| p != Path::new("-"))),
            glossaries: common.glossaries,
            into: common.into.into,
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
            json: false,
            append_log: false,
            decisions: Arc::new(Decisions::load(&common.decisions)?),
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
    for input in inputs {
        let resolved = resolve(input);
        if input.is_dir() && out.starts_with(&resolved) {
            return Err(Error::Usage(format!(
                "--out {} is inside the input folder {}",
                out.display(),
                input.display()
            )));
        }
        // A file's copy goes to DIR/<its name>: that must not be the file itself.
        if input.is_file()
            && let Some(name) = resolved.file_name()
            && same_file(&out.join(name), input)
        {
            return Err(Error::Usage(format!(
                "--out {} would overwrite the input {}",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Whether two paths name the same existing file (same device and inode), whatever the
/// spelling: links, `..`, a symbolic link on the way.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The inputs in command-line order, each file or folder once: an input given twice
/// would be processed twice, and its log rows would repeat (and overlap).
pub(crate) fn distinct_inputs(inputs: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    inputs
        .into_iter()
        .filter(|input| {
            use std::os::unix::fs::MetadataExt;
            let identity = match std::fs::metadata(input) {
                Ok(meta) => (meta.dev(), meta.ino(), PathBuf::new()),
                Err(_) => (0, 0, resolve(input)),
            };
            seen.insert(identity)
        })
        .collect()
}

/// The suffix of `--backup`: a backup is named `<file><SUFFIX>`, so an empty suffix
/// would name the article itself, and a `/` another folder.
pub(crate) fn backup_suffix(suffix: Option<OsString>) -> Result<Option<OsString>> {
    use std::os::unix::ffi::OsStrExt;
    match suffix {
        Some(s) if s.is_empty() || s.as_bytes().contains(&b'/') || s.as_bytes().contains(&0) => {
            Err(Error::Usage(format!(
                "--backup needs a non-empty suffix without `/` (such as `.orig`), not `{}`",
                s.to_string_lossy()
            )))
        }
        suffix => Ok(suffix),
    }
}

/// Refuses a `--log` path whose file must not be replaced: an article or a glossary of
/// the run, any existing file that is not an mtfix log, or a log a reviewer has worked on
/// (a decision or an edited replacement). A device (`/dev/null`) is written through.
fn check_log_target(log: &Path, config: &Config, append: bool) -> Result<()> {
    let (inputs, extensions, glossaries) = (&config.inputs, &config.extensions, &config.glossaries);
    let refuse = |why: String| Err(Error::Usage(format!("--log {}: {why}", log.display())));
    if crate::output::logfile::is_spreadsheet(log) && !crate::output::xlsx::is_xlsx(log) {
        return refuse(
            "fix writes a log as .csv or .xlsx; name it so (`apply`, `undo` and `revert` \
             also read a reviewed log saved as .ods)"
                .into(),
        );
    }
    let meta = match std::fs::metadata(log) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(log, e)),
    };
    if meta.is_dir() {
        return refuse("is a folder; name a file in it, such as changes.csv".into());
    }
    if !meta.is_file() {
        return Ok(());
    }
    let resolved = resolve(log);
    let walked = |input: &PathBuf| {
        same_file(log, input)
            || (input.is_dir()
                && resolved.starts_with(resolve(input))
                && resolved.extension().is_some_and(|ext| {
                    let ext = ext.to_string_lossy().to_lowercase();
                    extensions.contains(&ext)
                }))
    };
    if let Some(input) = inputs.iter().find(|input| walked(input)) {
        return refuse(format!(
            "is an article of the input {}; the log would replace it",
            input.display()
        ));
    }
    let glossary =
        |g: &PathBuf| same_file(log, g) || (g.is_dir() && resolved.starts_with(resolve(g)));
    if glossaries.iter().any(glossary) {
        return refuse("is a glossary of this run; the log would replace it".into());
    }
    if meta.len() == 0 {
        return Ok(());
    }
    // Read a row at a time, up to the first sign of a reviewer's work: an old log of any
    // size is checked in bounded memory.
    let not_a_log =
        || refuse("exists and is not an mtfix log; move it away or choose another --log".into());
    let Ok(mut rows) = crate::output::logread::LogReader::open(log) else {
        return not_a_log();
    };
    loop {
        match rows.next_row() {
            Ok(None) => break,
            Ok(Some(Row::Entry(row))) if row.reviewed() && !append => {
                // Rows added after a reviewer's leave every decision in place.
                return refuse(format!(
                    "holds a reviewer's work (line {}: a decision or an edited \
                     replacement); apply it first (`mtfix apply`) or choose another --log",
                    row.csv_line
                ));
            }
            Ok(Some(Row::Entry(_))) => {}
            Err(_) | Ok(Some(Row::BadDecision { .. })) => return not_a_log(),
        }
    }
    Ok(())
}

/// Which way to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Originals → corrected, with the accepted rows (`mtfix apply`).
    Apply,
    /// Corrected (by `fix`, or `apply` before) → the accepted rows (`mtfix undo`).
    Undo,
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
        let out = match (args.output.out, args.output.in_place) {
            (Some(dir), false) => Some(dir),
            (None, true) => None,
            _ => return Err(Error::Usage("needs --out DIR or --in-place".into())),
        };
        if args.output.backup.is_some() && out.is_some() {
            return Err(Error::Usage("--backup needs --in-place".into()));
        }
        let mut inputs = args.inputs;
        if let Some(list) = &args.files_from {
            inputs.extend(files_from(list)?);
        }
        let inputs = distinct_inputs(inputs);
        if let Some(out) = &out {
            check_out_dir(out, &inputs)?;
        }
        Ok(ReviewConfig {
            direction,
            log: args.log,
            inputs,
            out,
            reject_empty: args.reject_empty,
            backup: backup_suffix(args.output.backup)?,
            extensions: normalize_extensions(&args.input.extensions),
            follow: args.input.follow,
            encoding: forced_encoding(args.input.encoding.as_deref())?,
        })
    }
}

/// The paths listed in `--files-from FILE` (`-`: stdin): NUL-separated if the list holds
/// a NUL (`find -print0`), else one per line (LF or CRLF); empty entries are skipped.
fn files_from(list: &Path) -> Result<Vec<PathBuf>> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let mut bytes = Vec::new();
    let read = match list == Path::new("-") {
        true => std::io::stdin().lock().read_to_end(&mut bytes),
        false => std::fs::File::open(list).and_then(|mut f| f.read_to_end(&mut bytes)),
    };
    read.map_err(|e| Error::Usage(format!("--files-from {}: {e}", list.display())))?;
    let separator = if bytes.contains(&0) { 0 } else { b'\n' };
    Ok(bytes
        .split(|&b| b == separator)
        .map(|entry| match separator {
            b'\n' => entry.strip_suffix(b"\r").unwrap_or(entry),
            _ => entry,
        })
        .filter(|entry| !entry.is_empty())
        .map(|entry| PathBuf::from(std::ffi::OsStr::from_bytes(entry)))
        .collect())
}

pub(crate) fn normalize_extensions(extensions: &[String]) -> Vec<String> {
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

impl LogFormatArgs {
    /// The CSV dialect the flags ask for; a separator `apply` could not read back is a
    /// usage error.
    pub(crate) fn dialect(&self) -> Result<Dialect> {
        Ok(Dialect {
            delimiter: log_delimiter(&self.log_delimiter)?,
            bom: !self.no_log_bom,
        })
    }
}

/// The one-byte field separator of `--log-delimiter` (`\t` may be written `tab`).
fn log_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," => Ok(b','),
        ";" => Ok(b';'),
        _ => Err(Error::Usage(format!(
            "--log-delimiter must be `,`, `;` or `tab` (what `apply` reads back), not `{text}`"
        ))),
    }
}

/// The absolute, symlink-free form of a path that may not exist yet: its longest existing
/// ancestor canonicalized, plus the rest.
fn resolve(path: &Path) -> PathBuf {
    let absolute = lexical(&std::path::absolute(path).unwrap_or_else(|_| path.to_owned()));
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

/// `path` with its `.` and `..` components resolved as written (`zz/../corpus` is
/// `corpus` even when `zz` does not exist).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
