//! `mtfix review`: the substitution log as one self-contained HTML page (no server, no
//! network, nothing fetched) on which a reviewer decides every row and saves the reviewed
//! log for `apply`.
//!
//! The page carries the log whole: its header and every field of every row as read, so
//! that the CSV it saves has the same columns and rows, in the same dialect (delimiter,
//! byte-order mark), with only `decision` and `replacement` changed. `row_hash` and
//! `file_hash` go back untouched, which is how `apply` tells an edited replacement.
//!
//! Safety of the embedding: the data is JSON inside `<script type="application/json">`,
//! with `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes, so no article, note or
//! file name can end the script element or start markup; `page.js` builds the DOM with
//! `textContent` only.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::cli::PageArgs;
use crate::config::normalize_extensions;
use crate::error::{Error, Result};
use crate::input::walk;
use crate::output::atomic::{AtomicFile, Durability};
use crate::output::logfile::{self, ContentHashes, Decision, Table};

const HTML: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Columns whose values repeat from row to row (one file, one rule, one note for many
/// rows): the page stores each distinct value once and the rows refer to it by number,
/// which keeps a 100,000-row page about a third smaller.
const INTERNED: [&str; 6] = ["file", "rule", "glossary", "note", "file_hash", "decision"];

/// Writes the review page of `args.log` to `args.out`.
#[allow(clippy::print_stderr)]
pub(crate) fn run(args: &PageArgs) -> Result<()> {
    let bytes = logfile::read_bytes(&args.log)?;
    let table = logfile::parse_table(&bytes, &args.log)?;
    let files = match args.inputs.is_empty() {
        true => None,
        false => Some(check_inputs(&table, args)?),
    };
    let log_name = args.log.file_name().map_or_else(
        || "log.csv".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let page = render(
        &table,
        &log_name,
        &logfile::file_hash(&bytes),
        files.as_ref(),
    );
    let mut out = AtomicFile::create(&args.out)?;
    out.write(page.as_bytes())?;
    out.commit(Durability::Synced, None, None)?;
    if !args.quiet {
        let flagged = files.map_or(0, |f| f.len());
        eprintln!(
            "{}: {} rows to review{}",
            args.out.display(),
            table.entries.len(),
            match flagged {
                0 => String::new(),
                n => format!("; {n} files flagged: missing or changed since the log"),
            }
        );
    }
    Ok(())
}

/// Why a file's rows cannot be applied as they stand: what the page flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileProblem {
    /// No INPUT holds a file of that name.
    Missing,
    /// The file's content no longer has the hash the log recorded.
    Changed,
}

/// The files of the log that `apply` on these INPUTs would skip, by log name.
fn check_inputs(table: &Table, args: &PageArgs) -> Result<HashMap<String, FileProblem>> {
    let extensions = normalize_extensions(&args.input.extensions);
    let (articles, mut errors) = walk::list(&args.inputs, &extensions, args.input.follow);
    if !errors.is_empty() {
        return Err(errors.swap_remove(0));
    }
    let paths: HashMap<String, PathBuf> = articles
        .into_iter()
        .map(|a| (a.log_name(), a.path))
        .collect();
    let mut problems = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for entry in &table.entries {
        if !seen.insert((&entry.file, &entry.file_hash)) {
            continue;
        }
        let problem = match paths.get(&entry.file) {
            None => Some(FileProblem::Missing),
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                let fits = entry.file_hash.is_empty()
                    || ContentHashes::of(&bytes).matches(&entry.file_hash);
                (!fits).then_some(FileProblem::Changed)
            }
        };
        if let Some(problem) = problem {
            problems.insert(entry.file.clone(), problem);
        }
    }
    Ok(problems)
}

/// The whole page: the template with its style, script and data in place.
fn render(
    table: &Table,
    log_name: &str,
    log_hash: &str,
    files: Option<&HashMap<String, FileProblem>>,
) -> String {
    let data = data_json(table, log_name, log_hash, files);
    let mut page = String::with_capacity(HTML.len() + CSS.len() + JS.len() + data.len());
    // The template has each slot once; the data goes last so that no text in it is ever
    // searched for a slot.
    let (head, rest) = HTML.split_once("/*STYLE*/").expect("style slot");
    let (middle, rest) = rest.split_once("/*DATA*/").expect("data slot");
    let (script_head, tail) = rest.split_once("/*SCRIPT*/").expect("script slot");
    page.push_str(head);
    page.push_str(CSS);
    page.push_str(middle);
    page.push_str(&data);
    page.push_str(script_head);
    page.push_str(JS);
    page.push_str(tail);
    page
}

/// The log as the page's JSON (see the module doc for how it is escaped). Rows are
/// arrays of fields in the header's order; a field of an [`INTERNED`] column is a number,
/// the index of its value in `dict`.
fn data_json(
    table: &Table,
    log_name: &str,
    log_hash: &str,
    files: Option<&HashMap<String, FileProblem>>,
) -> String {
    let mut json = String::with_capacity(table.records.len() * 400 + 4096);
    json.push_str("{\"log\":");
    push_json_string(&mut json, log_name);
    json.push_str(",\"hash\":");
    push_json_string(&mut json, log_hash);
    json.push_str(",\"delimiter\":");
    push_json_string(&mut json, &char::from(table.delimiter).to_string());
    let _ = write!(json, ",\"bom\":{}", table.bom);
    json.push_str(",\"header\":[");
    push_list(&mut json, &table.header);
    json.push(']');

    let interned: Vec<bool> = (table.header.iter())
        .map(|name| INTERNED.contains(&name.trim()))
        .collect();
    let mut dict: Vec<&str> = Vec::new();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    json.push_str(",\"rows\":[");
    for (i, record) in table.records.iter().enumerate() {
        json.push_str(if i == 0 { "[" } else { ",[" });
        for (j, field) in record.iter().enumerate() {
            if j > 0 {
                json.push(',');
            }
            if interned.get(j) == Some(&true) {
                let number = *numbers.entry(field).or_insert_with(|| {
                    dict.push(field);
                    dict.len() - 1
                });
                let _ = write!(json, "{number}");
            } else {
                push_json_string(&mut json, field);
            }
        }
        json.push(']');
    }
    json.push_str("],\"dict\":[");
    push_list(&mut json, &dict);
    // Each row's decision as read (0 none, 1 accept, 2 reject) and whether its
    // replacement was already edited (per `row_hash`), one character per row.
    json.push_str("],\"decisions\":\"");
    for entry in &table.entries {
        json.push(match entry.decision {
            Decision::Empty => '0',
            Decision::Accept => '1',
            Decision::Reject => '2',
        });
    }
    json.push_str("\",\"edited\":\"");
    for entry in &table.entries {
        json.push(if entry.edited { '1' } else { '0' });
    }
    json.push_str("\",\"problems\":");
    match files {
        None => json.push_str("null"),
        Some(files) => {
            let mut files: Vec<_> = files.iter().collect();
            files.sort_by_key(|(name, _)| *name);
            json.push('{');
            for (i, (name, problem)) in files.into_iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                push_json_string(&mut json, name);
                json.push(':');
                json.push_str(match problem {
                    FileProblem::Missing => "\"missing\"",
                    FileProblem::Changed => "\"changed\"",
                });
            }
            json.push('}');
        }
    }
    json.push('}');
    json
}

fn push_list<S: AsRef<str>>(json: &mut String, items: &[S]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_string(json, item.as_ref());
    }
}

/// Appends `text` as a JSON string that is also safe inside an HTML `<script>` element:
/// besides what JSON requires, `<`, `>` and `&` are `\u` escapes (no `</script>`, no
/// `<!--`), and so are U+2028 and U+2029 (line ends to older JavaScript parsers).
fn push_json_string(json: &mut String, text: &str) {
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                let _ = write!(json, "\\u{:04x}", c as u32);
            }
            c => json.push(c),
        }
    }
    json.push('"');
}

/// Builds the page of a log given as text, for tests.
#[cfg(test)]
fn page_of(log: &str) -> String {
    let table = logfile::parse_table(log.as_bytes(), std::path::Path::new("changes.csv")).unwrap();
    render(&table, "changes.csv", "h", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE_SCRIPT: &str = "</script><script>alert(1)</script>";
    const HOSTILE_ATTRIBUTE: &str = "\"><img src=x onerror=alert(1)>";

    fn hostile_log() -> String {
        let header = logfile::COLUMNS.join(",");
        let context = format!("Il a écrit {HOSTILE_SCRIPT} puis ⟦Openai⟧ {HOSTILE_ATTRIBUTE}.");
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        format!(
            "{header}\n{}\n",
            [
                "a<b>.txt",
                "1",
                "12",
                "40",
                "openai-case",
                "Openai",
                &quote(HOSTILE_ATTRIBUTE),
                &quote(&context),
                "",
                "x&y.csv",
                &quote(&format!("note {HOSTILE_SCRIPT} \u{2028}")),
                "0123",
                "4567",
                "",
            ]
            .join(",")
        )
    }

    #[test]
    fn json_strings_cannot_close_the_script_or_open_markup() {
        let mut json = String::new();
        push_json_string(
            &mut json,
            "</script><!-- a&b \"q\" \\ \u{2028}\u{2029}\n\u{1}é⟦",
        );
        assert_eq!(
            json,
            r#""\u003c/script\u003e\u003c!-- a\u0026b \"q\" \\ \u2028\u2029\n\u0001é⟦""#
        );
    }

    #[test]
    fn hostile_article_and_note_text_stays_data() {
        let page = page_of(&hostile_log());
        // The only script elements are the page's own two, and nothing of the hostile
        // text survives as markup anywhere in the page.
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert_eq!(page.matches("</script>").count(), 2);
        assert!(!page.contains("<img"));
        assert!(!page.contains("alert(1)</"));
        assert!(!page.contains('\u{2028}'));
        let (_, data) = page.split_once(r#"type="application/json""#).unwrap();
        let (data, _) = data.split_once("</script>").unwrap();
        let data = data.trim_start_matches([' ', 'i', 'd', '=', '"', 'a', 't', '>']);
        assert!(!data.contains(['<', '>', '&']), "{data}");
        assert!(data.contains(r#"\u003c/script\u003e\u003cscript\u003ealert(1)"#));
        assert!(data.contains(r#"\"\u003e\u003cimg src=x onerror=alert(1)\u003e"#));
    }

    #[test]
    fn the_script_builds_the_page_from_text_only() {
        // page.js must never hand data to the HTML parser.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
        ] {
            assert!(!JS.contains(sink), "page.js uses {sink}");
        }
        assert!(!HTML.contains("http://") && !HTML.contains("https://"));
        assert!(!JS.contains("fetch(") && !JS.contains("XMLHttpRequest"));
    }

    #[test]
    fn rows_keep_every_field_and_repeated_values_are_stored_once() {
        let log = format!(
            "{}\n{}\n{}\n",
            logfile::COLUMNS.join(";"),
            "a.txt;1;1;0;r1;Openai;OpenAI;⟦Openai⟧ dit;oui;g.csv;n;h;x;old.csv:4",
            "a.txt;1;9;8;r1;Openai;OpenAI;⟦Openai⟧ fait;;g.csv;n;h;y;",
        );
        let page = page_of(&log);
        assert!(page.contains(r#""delimiter":";","bom":false"#));
        assert!(page.contains(
            r#""rows":[[0,"1","1","0",1,"Openai","OpenAI","⟦Openai⟧ dit",2,3,4,5,"x","old.csv:4"],[0,"1","9","8",1,"Openai","OpenAI","⟦Openai⟧ fait",6,3,4,5,"y",""]]"#
        ));
        assert!(page.contains(r#""dict":["a.txt","r1","oui","g.csv","n","h",""]"#));
        // The row whose decision `fix --decisions` reused is decided: the page's
        // "undecided" filter leaves it out.
        assert!(page.contains(r#""decisions":"10""#));
    }
}
