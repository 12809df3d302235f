//! The report: a ranked text list, or glossary rows (`--format csv`) that `mtfix glossary
//! test` accepts once a person has filled in or checked each replacement.
#![allow(clippy::print_stdout)]

use std::io::Write;

use super::{Ranked, Reason, SuggestFormat};

use crate::glossary::COLUMNS;

/// The glossary columns a proposed row fills: the first ten (`seam`, `gender` and
/// `scope` keep their defaults, which a person may set when checking the row).
const ROW_COLUMNS: usize = 10;

pub(crate) fn print(ranked: &[Ranked], format: SuggestFormat) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match format {
        SuggestFormat::Text => write_text(&mut out, ranked),
        SuggestFormat::Csv => write_csv(&mut out, ranked),
    };
    // A reader that stops early (`head`) is not an error.
    let _ = result.and_then(|()| out.flush());
}

fn write_text(out: &mut impl Write, ranked: &[Ranked]) -> std::io::Result<()> {
    if ranked.is_empty() {
        writeln!(out, "no candidates")?;
    }
    let rows = rows(ranked);
    for (n, r) in ranked.iter().enumerate() {
        let c = &r.candidate;
        let arrow = c
            .replacement
            .as_deref()
            .map_or(String::new(), |to| format!(" -> {to}"));
        writeln!(
            out,
            "{}. {}{arrow}  [{}]  score {:.2}, confidence {:.2}",
            n + 1,
            c.text,
            c.reason.label(),
            r.score,
            r.confidence
        )?;
        writeln!(
            out,
            "   {} time{} in {} file{}; why: {}",
            c.count,
            plural(c.count),
            c.files,
            plural(c.files),
            r.why
        )?;
        for e in &c.examples {
            writeln!(out, "   {}:{}:{}: {}", e.file, e.line, e.column, e.context)?;
        }
        let mut row = csv::WriterBuilder::new().from_writer(Vec::new());
        row.write_record(&rows[n])?;
        let row =
            String::from_utf8_lossy(&row.into_inner().map_err(|e| e.into_error())?).into_owned();
        writeln!(out, "   rule: {}", row.trim_end())?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, ranked: &[Ranked]) -> std::io::Result<()> {
    writeln!(
        out,
        "# Suggested by mtfix suggest: check or fill in each replacement, delete the rows that \
         are not artifacts, then run mtfix glossary test."
    )?;
    let mut writer = csv::WriterBuilder::new().from_writer(out);
    writer.write_record(&COLUMNS[..ROW_COLUMNS])?;
    for row in rows(ranked) {
        writer.write_record(row)?;
    }
    writer.flush()
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The glossary rows proposed, one per candidate. A row whose replacement is not known
/// replaces its text with itself (a rule that changes nothing until a person writes the
/// replacement); `expected` is each example run through all the rows, which is what
/// `glossary test` checks.
pub(crate) fn rows(ranked: &[Ranked]) -> Vec<[String; ROW_COLUMNS]> {
    let mut rows: Vec<[String; ROW_COLUMNS]> = ranked
        .iter()
        .enumerate()
        .map(|(n, r)| glossary_row(n, r))
        .collect();
    let mut csv = csv::WriterBuilder::new().from_writer(Vec::new());
    let written = csv.write_record(&COLUMNS[..ROW_COLUMNS]).is_ok()
        && rows.iter().all(|row| csv.write_record(row).is_ok());
    let text = csv
        .into_inner()
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let rules = text
        .filter(|_| written)
        .and_then(|text| crate::glossary::parse(&text, std::path::Path::new("suggested.csv")).ok())
        .and_then(|glossary| crate::correct::matcher::Rules::compile_owned(vec![glossary]).ok());
    if let Some(rules) = rules {
        for row in &mut rows {
            if !row[7].is_empty() {
                row[8] = crate::correct::apply(&rules, &row[7]).text.into_owned();
            }
        }
    }
    rows
}

/// The glossary row proposed for the `n`th candidate.
fn glossary_row(n: usize, r: &Ranked) -> [String; ROW_COLUMNS] {
    let c = &r.candidate;
    let replacement = c.replacement.clone().unwrap_or_else(|| c.text.clone());
    let example = c.examples.first();
    let sentence = example.map_or("", |e| e.sentence.as_str());
    let folded_sentence = crate::correct::fold::fold_pattern(sentence, false);
    let folded_text = crate::correct::fold::fold_pattern(&c.text, false);
    let mut words: Vec<(&String, &u32)> = c
        .cooccurring
        .iter()
        .filter(|(w, _)| !folded_text.contains(w.as_str()) && contains_word(&folded_sentence, w))
        .collect();
    words.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let condition = words
        .iter()
        .take(3)
        .map(|(w, _)| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|");
    let slug: String = folded_text
        .chars()
        .map(|ch| if ch.is_alphanumeric() { ch } else { '-' })
        .collect();
    [
        c.text.clone(),
        replacement,
        format!("suggest-{}-{}", n + 1, slug.trim_matches('-')),
        if c.reason == Reason::Case {
            "exact".into()
        } else {
            String::new()
        },
        condition,
        String::new(),
        format!(
            "suggest: {} (score {:.2}); {}{}",
            c.reason.label(),
            r.score,
            r.why,
            if c.replacement.is_none() {
                "; write the replacement"
            } else {
                ""
            }
        ),
        sentence.to_owned(),
        String::new(),
        String::new(),
    ]
}

fn contains_word(text: &str, word: &str) -> bool {
    let mut found = false;
    crate::correct::words::for_each_word(text, |s, e| found |= &text[s..e] == word);
    found
}
