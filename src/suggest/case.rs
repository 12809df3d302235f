//! Lost case or spacing of a known name: "Deepseek", "Gamestop", "Open AI", "DEEPSEEK"
//! in running text. A run of one to [`Lexicon::max_name_words`] words joined by single
//! spaces or hyphens whose squashed form (lower case, word characters only) is a known
//! name's, written in none of the name's accepted spellings.

use super::lexicon::{Lexicon, squash};
use super::{Doc, Hit, Reason};

/// Finds the known names of `doc`, well written or not: well written ones go to
/// `doc.names` (for the n-gram reason and the literal reason's cue), others are hits.
pub(crate) fn find(doc: &mut Doc<'_>, lexicon: &Lexicon, hits: &mut Vec<Hit>) {
    let n = doc.tokens.len();
    let mut i = 0;
    while i < n {
        let mut matched = 0;
        for len in (1..=lexicon.max_name_words.min(n - i)).rev() {
            let j = i + len - 1;
            if (i..j).any(|k| !matches!(doc.separator(k), " " | "-")) {
                continue;
            }
            let (start, end) = (doc.tokens[i].0, doc.tokens[j].1);
            let key = squash(&doc.folded[start..end]);
            if key.chars().count() < 3 {
                continue;
            }
            let Some(name) = lexicon.names.get(&key) else {
                continue;
            };
            let surface = &doc.cased[start..end];
            if accepted(surface, &name.spellings, doc, i, j) {
                doc.names.push((i, j));
            } else if let Some((why, confidence)) = judge(surface, name, lexicon, len) {
                hits.push(Hit {
                    reason: Reason::Case,
                    key: surface.to_owned(),
                    text: surface.to_owned(),
                    replacement: Some(name.canonical.clone()),
                    start,
                    end,
                    why,
                    confidence,
                });
            }
            matched = len;
            break;
        }
        for k in i..i + matched {
            doc.claimed[k] = true;
        }
        i += matched.max(1);
    }
}

/// Whether `surface` is a good spelling: an accepted one, one with its first letter
/// upper-cased at the start of a sentence ("IPhone"), or capitals in a line of capitals.
fn accepted(surface: &str, spellings: &[String], doc: &Doc<'_>, i: usize, j: usize) -> bool {
    if spellings.iter().any(|s| s == surface) {
        return true;
    }
    if doc.starts_sentence(i)
        && spellings.iter().any(|s| {
            let mut chars = s.chars();
            chars.next().is_some_and(|c| {
                c.is_lowercase() && surface == format!("{}{}", c.to_uppercase(), chars.as_str())
            })
        })
    {
        return true;
    }
    let all_caps = |text: &str| !text.chars().any(char::is_lowercase);
    all_caps(surface)
        && i > 0
        && j + 1 < doc.tokens.len()
        && all_caps(doc.token_cased(i - 1))
        && all_caps(doc.token_cased(j + 1))
}

/// Why `surface` is a lost spelling of `name`, and how sure that is; `None` for a
/// lower-case ordinary French word ("valve", "halo").
fn judge(
    surface: &str,
    name: &super::lexicon::Name,
    lexicon: &Lexicon,
    words: usize,
) -> Option<(String, f64)> {
    let spacing = name
        .spellings
        .iter()
        .all(|s| s.split([' ', '-']).filter(|w| !w.is_empty()).count() != words);
    let lower = surface.to_lowercase();
    let lower_case = surface == lower;
    if lower_case && words == 1 && lexicon.french.as_ref().is_some_and(|f| f.contains(&lower)) {
        return None;
    }
    if lower_case && words == 1 && lexicon.reference.count(&[&lower]) > 0 {
        return None;
    }
    let what = if spacing { "spacing" } else { "case" };
    let why = format!(
        "the known name {} written {surface} ({what})",
        name.canonical
    );
    // A lower-case English word ("steam", "edge") may be the word, not the name.
    let confidence = if lower_case && words == 1 && lexicon.english.contains(lower.as_str()) {
        0.5
    } else {
        0.9
    };
    Some((why, confidence))
}
