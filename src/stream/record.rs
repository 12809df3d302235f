//! One record of the stream: a JSON object in, a JSON object out (see
//! `docs/beyond-one-machine.md` for the format). Pure apart from the rules: a record is
//! corrected exactly as a file of the same bytes named by its `id` would be by `fix`.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::article::{Piece, correct, encode_whole, undecodable_whole};
use crate::correct::markup::Format;
use crate::correct::matcher::Rules;
use crate::correct::{Options, Substitutions};
use crate::error::Error;
use crate::input::encoding::{self, TextEncoding, Undecodable};
use crate::input::walk::Article;
use crate::output::logfile::{LogRow, file_hash};
use crate::review::decisions::Decisions;
use crate::stream::labels::Labels;

/// Fields the output sets; an input field of the same name is not passed through.
const RESERVED: [&str; 8] = [
    "id",
    "text",
    "bytes",
    "changed",
    "substitutions",
    "warnings",
    "error",
    "input_line",
];

/// What every record is corrected with.
pub(crate) struct Context {
    pub(crate) rules: Rules,
    pub(crate) labels: Labels,
    /// `--encoding`: how `bytes` records are read (a `text` record is UTF-8).
    pub(crate) forced: Option<TextEncoding>,
    /// Decisions of earlier reviewed logs, reused (`--decisions`).
    pub(crate) decisions: Decisions,
}

/// A corrected record, in the order its fields are written.
#[derive(Serialize)]
struct Corrected<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<String>,
    changed: bool,
    substitutions: Vec<LogRow<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// A record that could not be processed.
#[derive(Serialize)]
struct Failed<'a> {
    /// `null` when the line has no readable id.
    id: Option<&'a str>,
    error: &'a str,
    /// 1-based line of the record in the input.
    input_line: u64,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Processes one input line (without its line end) into one output line (with it).
/// An empty line is the flush marker and is answered by an empty line: a record is
/// never empty, so a client that sends a batch of records and then an empty line knows
/// that the batch's answers are complete when it reads an empty line, without closing
/// stdin (the stream writes and flushes answers in input order).
pub(crate) fn process(line: &[u8], number: u64, context: &Context) -> Vec<u8> {
    if line.is_empty() {
        return b"\n".to_vec();
    }
    let mut out = Vec::with_capacity(line.len() + 256);
    // The same parse either way; from a `str` checked at once with SIMD, serde_json does
    // not check each string's UTF-8 again (that check was a tenth of the stream's time).
    let parsed = match simdutf8::basic::from_utf8(line) {
        Ok(line) => serde_json::from_str::<Value>(line),
        Err(_) => serde_json::from_slice::<Value>(line),
    };
    let mut object = match parsed {
        Ok(Value::Object(object)) => object,
        Ok(_) => return failed(None, "not a JSON object", number, Map::new()),
        Err(e) => return failed(None, &format!("not JSON: {e}"), number, Map::new()),
    };
    let id = match object.remove("id") {
        Some(Value::String(id)) => id,
        Some(_) => return failed(None, "`id` is not a string", number, rest(object)),
        None => return failed(None, "no `id`", number, rest(object)),
    };
    let written = correct_record(&id, &mut object, context).and_then(|outcome| {
        let record = corrected(&id, &outcome, rest(std::mem::take(&mut object)), context)?;
        write_line(&mut out, &record);
        Ok(())
    });
    match written {
        Ok(()) => out,
        Err(why) => failed(Some(&id), &why, number, rest(object)),
    }
}

/// The error record of the input line `number`.
fn failed(id: Option<&str>, error: &str, number: u64, rest: Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::new();
    let record = Failed {
        id,
        error,
        input_line: number,
        rest,
    };
    write_line(&mut out, &record);
    out
}

/// The fields passed through.
fn rest(mut object: Map<String, Value>) -> Map<String, Value> {
    for key in RESERVED {
        object.remove(key);
    }
    object
}

fn write_line(out: &mut Vec<u8>, record: &impl Serialize) {
    // Serialising strings, numbers and maps with string keys into memory cannot fail.
    serde_json::to_writer(&mut *out, record).expect("a record serialises");
    out.push(b'\n');
}

/// The article of a record: its `text` or its `bytes`, and whether it came as text.
fn article_bytes(object: &mut Map<String, Value>) -> Result<(Vec<u8>, bool), String> {
    match (object.remove("text"), object.remove("bytes")) {
        (Some(Value::String(text)), None) => Ok((text.into_bytes(), true)),
        (None, Some(Value::String(bytes))) => BASE64
            .decode(bytes.as_bytes())
            .map(|bytes| (bytes, false))
            .map_err(|e| format!("`bytes` is not base64: {e}")),
        (Some(_), None) => Err("`text` is not a string".into()),
        (None, Some(_)) => Err("`bytes` is not a string".into()),
        (Some(_), Some(_)) => Err("both `text` and `bytes`: give one".into()),
        (None, None) => Err("no `text` nor `bytes`".into()),
    }
}

/// The record's `format`, or the one its id's extension gives (as for a file).
fn format_of(id: &str, object: &Map<String, Value>) -> Result<Format, String> {
    match object.get("format") {
        None | Some(Value::Null) => Ok(Format::of(Path::new(id))),
        Some(Value::String(name)) => match name.to_ascii_lowercase().as_str() {
            "txt" | "text" => Ok(Format::Text),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(format!("unknown `format` `{name}` (txt, md or html)")),
        },
        Some(_) => Err("`format` is not a string".into()),
    }
}

/// A record's article once corrected.
struct Outcome {
    /// The corrected bytes (the input's when nothing changed).
    output: Vec<u8>,
    /// Whether the record came as `text` (else as `bytes`).
    as_text: bool,
    subs: Substitutions,
    /// The [`file_hash`] of the input; empty without substitutions (only rows record it).
    hash: String,
    warnings: Vec<String>,
}

/// Corrects the article of a record as `fix` corrects a file of the same bytes named
/// `id`; the passthrough fields are left in `object`.
fn correct_record(
    id: &str,
    object: &mut Map<String, Value>,
    context: &Context,
) -> Result<Outcome, String> {
    let format = format_of(id, object)?;
    let (bytes, as_text) = article_bytes(object)?;
    let article = Article {
        input: 0,
        relative: PathBuf::from(id),
        path: PathBuf::from(id),
    };
    // A text record is UTF-8 whatever `--encoding` says.
    let forced = if as_text { None } else { context.forced };
    let mut warnings = Vec::new();
    let (encoding, text) = match encoding::decode_whole(&bytes, forced) {
        Ok(decoded) => decoded,
        Err(why @ Undecodable::InvalidUtf8(_)) => {
            return Err(match undecodable_whole(&article.path, why, &bytes) {
                Error::Article {
                    line,
                    column,
                    message,
                    ..
                } => format!(
                    "{id}:{line}:{column}: {}",
                    message.trim_end_matches("; file left untouched")
                ),
                other => other.to_string(),
            });
        }
        Err(why) => {
            // Binary, UTF-16, not lossless: passed through unchanged, as `fix` copies it.
            warnings.push(format!("{id}: {why}"));
            return Ok(Outcome {
                output: bytes,
                as_text,
                subs: Substitutions::default(),
                hash: String::new(),
                warnings,
            });
        }
    };
    let options = Options {
        format,
        context: true,
    };
    let (output, subs) = {
        let piece = Piece::whole(&text, encoding);
        let (corrected, subs) = correct(
            piece,
            (&context.rules, &context.decisions),
            (options, None),
            true,
            &article,
            &mut warnings,
        );
        let changed = subs.iter().any(|sub| sub.changes());
        let output = changed.then(|| encode_whole(encoding, &corrected).into_owned());
        (output, subs)
    };
    drop(text);
    // Rows record the hash, rows of rejections reused too.
    let hash = match subs.is_empty() {
        true => String::new(),
        false => file_hash(&bytes),
    };
    let output = output.unwrap_or(bytes);
    Ok(Outcome {
        output,
        as_text,
        subs,
        hash,
        warnings,
    })
}

/// The output record of a corrected article.
fn corrected<'a>(
    id: &'a str,
    outcome: &'a Outcome,
    rest: Map<String, Value>,
    context: &'a Context,
) -> Result<Corrected<'a>, String> {
    let (text, bytes) = match outcome.as_text {
        // Checked again (SIMD: the standard library's check took an eighth of the
        // stream's time), though it cannot fail: UTF-8 in, UTF-8 replacements out.
        true => match simdutf8::basic::from_utf8(&outcome.output) {
            Ok(text) => (Some(text), None),
            Err(_) => return Err("corrected text is not UTF-8".into()),
        },
        false => (None, Some(BASE64.encode(&outcome.output))),
    };
    let rules = &context.rules;
    let substitutions = outcome
        .subs
        .iter()
        .map(|sub| {
            let origin = &rules.rules()[sub.rule].origin.path;
            LogRow::new(id, &outcome.hash, sub, rules).with_glossary(context.labels.label(origin))
        })
        .collect();
    Ok(Corrected {
        id,
        text,
        bytes,
        changed: outcome.subs.iter().any(|sub| sub.changes()),
        substitutions,
        warnings: outcome.warnings.clone(),
        rest,
    })
}
