//! Lost case or spacing of a known name: "Deepseek", "Gamestop", "Open AI", "DEEPSEEK"
//! in running text. A run of one to [`Lexicon::max_name_words`] words joined by single
//! spaces or hyphens whose squashed form (lower case, word characters only) is a known
//! name's, written in none of the name's accepted spellings.

use super::lexicon::{Lexicon, Name, squash_into};
use super::{Doc, Hit, Reason, Why};

/// Finds the known names of `doc`, well written or not: well written ones go to
/// `doc.names` (for the n-gram reason and the literal reason's cue), others are hits.
/// At each word, the longest run that squashes to a name wins; a run grows only while
/// its squashed form is the start of some name's ([`Lexicon::name_prefixes`]), so most
/// words cost one look-up.
pub(crate) fn find<'a, 'c>(doc: &mut Doc<'a>, lexicon: &'c Lexicon, hits: &mut Vec<Hit<'a, 'c>>) {
    let n = doc.tokens.len();
    let mut key = String::new();
    let mut i = 0;
    while i < n {
        key.clear();
        // The longest run found, and its name.
        let mut best: Option<(usize, &Name)> = None;
        for len in 1..=lexicon.max_name_words.min(n - i) {
            let j = i + len - 1;
            if j > i && !matches!(doc.separator(j - 1), " " | "-") {
                break;
            }
            if len == 1 && !doc.facts[j].starts_a_name() {
                break;
            }
            squash_into(&mut key, doc.token_folded(j));
            if !lexicon.name_prefixes.contains(key.as_str()) {
                break;
            }
            if let Some(name) = lexicon.names.get(key.as_str())
                && key.chars().count() >= 3
            {
                best = Some((len, name));
            }
        }
        let Some((len, name)) = best else {
            i += 1;
            continue;
        };
        let j = i + len - 1;
        let (start, end) = (doc.tokens[i].0, doc.tokens[j].1);
        let surface = &doc.cased[start..end];
        if accepted(surface, &name.spellings, doc, i, j) {
            doc.names.push((i, j));
        } else if let Some((why, confidence)) = judge(surface, name, lexicon, len) {
            hits.push(Hit {
                reason: Reason::Case,
                key: surface,
                text: surface,
                replacement: Some(&name.canonical),
                start,
                end,
                why,
                confidence,
            });
        }
        for k in i..=j {
            doc.claimed[k] = true;
        }
        i = j + 1;
    }
}

/// Whether `surface` is a good spelling: an accepted one, one with its first letter
/// upper-cased ("MacOS", "IPhone"), capitals beside a word in capitals of the same
/// sentence ("MICROSOFT, META ET ALPHABET"), or an acronym of at most three capitals
/// ("adresse MAC").
///
/// A name that starts with a lower-case letter (macOS, iPhone, eBay) is written with a
/// capital at the start of a sentence or a title, and anywhere by writers who treat it
/// as a proper noun: "MacOS" (Apple wrote "Mac OS" until 2012) is how Debian's French
/// manual pages name the old system, 3 times against 1 "macOS". Machine translation
/// loses capitals ("Gamestop", "Darwinai"); it does not add one to a name it copies.
fn accepted(surface: &str, spellings: &[String], doc: &Doc<'_>, i: usize, j: usize) -> bool {
    if spellings.iter().any(|s| s == surface) {
        return true;
    }
    if spellings.iter().any(|s| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| {
            c.is_lowercase() && surface == format!("{}{}", c.to_uppercase(), chars.as_str())
        })
    }) {
        return true;
    }
    let all_caps = |text: &str| !text.chars().any(char::is_lowercase);
    let capitals =
        |text: &str| all_caps(text) && text.chars().filter(|c| c.is_uppercase()).count() >= 2;
    if !all_caps(surface) {
        return false;
    }
    // An acronym ("une adresse MAC"), not the name (Mac).
    if surface.chars().filter(|c| c.is_alphabetic()).count() <= 3 {
        return true;
    }
    // A line or a phrase in capitals: a neighbour in the same sentence in capitals too.
    (i > 0 && !doc.starts_sentence(i) && capitals(doc.token_cased(i - 1)))
        || (j + 1 < doc.tokens.len()
            && !doc.starts_sentence(j + 1)
            && capitals(doc.token_cased(j + 1)))
}

/// Why `surface` is a lost spelling of `name`, and how sure that is; `None` for a
/// lower-case ordinary French word ("valve", "halo").
fn judge<'c>(
    surface: &str,
    name: &'c Name,
    lexicon: &Lexicon,
    words: usize,
) -> Option<(Why<'c>, f64)> {
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
    let why = Why::Case {
        name: &name.canonical,
        spacing,
    };
    // A lower-case English word ("steam", "edge") may be the word, not the name.
    let confidence = if lower_case && words == 1 && lexicon.english.contains(&lower) {
        0.5
    } else {
        0.9
    };
    Some((why, confidence))
}
