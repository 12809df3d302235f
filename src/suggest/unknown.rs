//! Words that are neither French nor English and look like mangled words ("violie"):
//! lower-case words of five letters or more that neither the French word list, the
//! English one, the reference profile nor the known names hold. Needs the French word
//! list: without it nearly every inflected French word would be unknown, so the reason
//! is off and `suggest` says so.

use super::lexicon::Lexicon;
use super::{Doc, Hit, Reason};

pub(crate) fn find(doc: &Doc<'_>, lexicon: &Lexicon, hits: &mut Vec<Hit>) {
    if lexicon.french.is_none() {
        return;
    }
    for (i, &(start, end)) in doc.tokens.iter().enumerate() {
        if doc.claimed[i] || end - start < 5 {
            continue;
        }
        let surface = &doc.cased[start..end];
        let lower = &doc.folded[start..end];
        if surface != lower
            || !lower.chars().all(char::is_alphabetic)
            || lower.chars().count() < 5
            || lexicon.name_words.contains(lower)
            || lexicon.is_word(lower)
            || is_word_stem(lexicon, lower)
            || is_elided(doc, end, lexicon, lower)
        {
            continue;
        }
        hits.push(Hit {
            reason: Reason::Unknown,
            key: lower.to_owned(),
            text: surface.to_owned(),
            replacement: None,
            start,
            end,
            why: "in neither the French nor the English word list".into(),
            confidence: 0.5,
        });
    }
}

/// An elided word before its apostrophe ("lorsqu'il", "puisqu'elle"): a word of the list
/// once its final `e` is back.
fn is_elided(doc: &Doc<'_>, end: usize, lexicon: &Lexicon, lower: &str) -> bool {
    doc.folded[end..].starts_with('\'') && lexicon.is_word(&format!("{lower}e"))
}

/// An English plural or verb form the list lacks ("tweets" for "tweet").
fn is_word_stem(lexicon: &Lexicon, lower: &str) -> bool {
    ["s", "es", "ed", "ing", "er"].iter().any(|suffix| {
        lower
            .strip_suffix(suffix)
            .is_some_and(|stem| lexicon.english.contains(stem))
    })
}
