//! `mtfix log`: the canonical CSV log from the record stream's output, the same bytes
//! `fix --log` writes for the same articles given as files named by their ids, so that
//! `apply`, `revert` and `glossary stats` work on it as after `fix`, and no other CSV
//! writer (Spark's trims and re-escapes fields) touches the log.
//!
//! It reads stream records (their `substitutions`) or substitution rows alone (one JSON
//! object per line with the log's columns, as a table of substitutions exports them), in
//! any order and from any number of files: rows are sorted as `fix` writes them, by file
//! (the order of sorted relative paths) then position. All rows are held in memory until
//! the log is written (the log's size, without the articles' text).

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::cli::LogArgs;
use crate::driver::load_glossaries;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::output::atomic::{Durability, LogFile};
use crate::output::logfile::{COLUMNS, Dialect};
use crate::stream::labels::Labels;

/// Columns holding numbers.
const NUMBERS: [&str; 3] = ["line", "column", "byte_offset"];

/// One log row read back: its place in the log and its fields in column order.
struct Row {
    file: PathBuf,
    byte_offset: u64,
    fields: Vec<String>,
}

/// What the inputs held, for the summary.
#[derive(Default)]
struct Counts {
    records: usize,
    failed: usize,
}

/// Runs `mtfix log`: exit 2 (nothing written) for a line that is neither a record nor a
/// row, or a glossary label that none of `--glossary` has.
#[allow(clippy::print_stderr)]
pub(crate) fn run(args: LogArgs) -> Result<Exit> {
    let dialect = args.format.dialect()?;
    let glossaries = load_glossaries(&args.glossaries)?;
    let labels = Labels::of(&glossaries, args.glossaries.is_empty())?;
    let paths = labels.paths();
    let mut rows = Vec::new();
    let mut counts = Counts::default();
    let inputs = match args.records.is_empty() {
        true => vec![PathBuf::from("-")],
        false => args.records,
    };
    for input in &inputs {
        let mut read =
            |reader: &mut dyn BufRead| read_rows(reader, input, &paths, &mut rows, &mut counts);
        if input == Path::new("-") {
            read(&mut std::io::stdin().lock())?;
        } else {
            let file = std::fs::File::open(input).map_err(|e| Error::io(input, e))?;
            read(&mut std::io::BufReader::new(file))?;
        }
    }
    // Stable: rows of one file at one offset (a file given twice) keep their input order.
    rows.sort_by(|a, b| (&a.file, a.byte_offset).cmp(&(&b.file, b.byte_offset)));
    write(&args.log, dialect, &rows)?;
    if !args.quiet {
        eprintln!(
            "{} rows from {} records written to {}{}",
            rows.len(),
            counts.records,
            args.log.display(),
            match counts.failed {
                0 => String::new(),
                n => format!("; {n} error records have no rows"),
            }
        );
    }
    Ok(Exit::Success)
}

/// Reads the rows of one input.
fn read_rows(
    reader: &mut dyn BufRead,
    input: &Path,
    paths: &HashMap<&str, String>,
    rows: &mut Vec<Row>,
    counts: &mut Counts,
) -> Result<()> {
    let mut number = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(input, e))?
            == 0
        {
            return Ok(());
        }
        number += 1;
        let error = |message: String| Error::Log {
            path: input.to_owned(),
            line: number,
            column: 1,
            message,
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object = match serde_json::from_slice::<Value>(&line) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Err(error("not a JSON object".into())),
            Err(e) => return Err(error(format!("not JSON: {e}"))),
        };
        if object.contains_key("byte_offset") {
            rows.push(row(&object, paths).map_err(error)?);
            continue;
        }
        counts.records += 1;
        match object.get("substitutions") {
            Some(Value::Array(subs)) => {
                for sub in subs {
                    let sub = sub
                        .as_object()
                        .ok_or_else(|| error("a substitution is not an object".into()))?;
                    rows.push(row(sub, paths).map_err(error)?);
                }
            }
            _ if object.contains_key("error") => counts.failed += 1,
            _ => {
                return Err(error(
                    "neither a stream record (`substitutions`) nor a log row (`byte_offset`)"
                        .into(),
                ));
            }
        }
    }
}

/// A log row from its JSON object, the glossary's label turned into its path.
fn row(object: &Map<String, Value>, paths: &HashMap<&str, String>) -> Result<Row, String> {
    let mut fields = Vec::with_capacity(COLUMNS.len());
    for column in COLUMNS {
        let field = match (object.get(column), NUMBERS.contains(&column)) {
            (Some(Value::Number(n)), true) if n.is_u64() => n.to_string(),
            (Some(Value::String(text)), false) => text.clone(),
            // Rows of streams before `decided_in` existed lack it.
            (None | Some(Value::Null), false) if ["decision", "decided_in"].contains(&column) => {
                String::new()
            }
            (_, true) => return Err(format!("`{column}` is not a whole number")),
            (_, false) => return Err(format!("`{column}` is not a string")),
        };
        fields.push(field);
    }
    let glossary = &mut fields[COLUMNS.iter().position(|&c| c == "glossary").unwrap_or(0)];
    *glossary = paths.get(glossary.as_str()).cloned().ok_or_else(|| {
        format!(
            "glossary `{glossary}` is none of this log's glossaries (give `mtfix log` the \
             --glossary the stream was given)"
        )
    })?;
    let byte_offset = object
        .get("byte_offset")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok(Row {
        file: PathBuf::from(&fields[0]),
        byte_offset,
        fields,
    })
}

/// Writes the log (atomically, as `fix` does).
fn write(path: &Path, dialect: Dialect, rows: &[Row]) -> Result<()> {
    let io = |e| Error::io(path, e);
    let mut file = LogFile::create(path)?;
    dialect.write_header(&mut file).map_err(io)?;
    let mut writer = dialect.rows_writer(std::io::BufWriter::new(&mut file));
    for row in rows {
        writer.write_record(&row.fields).map_err(|e| io(e.into()))?;
    }
    writer.flush().map_err(io)?;
    drop(writer);
    file.flush().map_err(io)?;
    file.commit(Durability::Unsynced)
}
