//! Words that are neither French nor English and look like mangled words ("violie"):
//! lower-case words of five letters or more that neither the French word list, the
//! English one, the reference profile nor the known names hold. Needs the French word
//! list: without it nearly every inflected French word would be unknown, so the reason
//! is off and `suggest` says so. The ranking then keeps only the words one edit from a
//! French word ([`mangled`]): the others are terms of the text, not artifacts.

use super::lexicon::Lexicon;
use super::{Doc, Hit, Reason, Why};

/// Word `i` of `doc`, in no word list, if it looks like a mangled word.
pub(crate) fn judge<'a>(doc: &Doc<'a>, i: usize, lexicon: &Lexicon, hits: &mut Vec<Hit<'a, '_>>) {
    let (start, end) = doc.tokens[i];
    let surface = &doc.cased[start..end];
    let lower = &doc.folded[start..end];
    if surface != lower || !may_be_mangled(lower, lexicon) || is_elided(doc, end, lexicon, lower) {
        return;
    }
    hits.push(Hit {
        reason: Reason::Unknown,
        key: lower,
        text: surface,
        replacement: None,
        start,
        end,
        why: Why::Fixed("in neither the French nor the English word list"),
        confidence: 0.5,
    });
}

/// Whether `lower`, a word in no list, may be a mangled word whatever its place: the
/// French list is read, and the word is of five letters or more and no English form the
/// list lacks.
pub(crate) fn may_be_mangled(lower: &str, lexicon: &Lexicon) -> bool {
    lexicon.french.is_some()
        && lower.chars().all(char::is_alphabetic)
        && lower.chars().count() >= 5
        && !is_word_stem(lexicon, lower)
}

/// Letters tried in place of, or beside, the letters of an unknown word.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzàâæçéèêëîïôœùûüÿ";

/// A word of the French list one edit from `word` (a letter dropped, added, changed, or
/// two adjacent letters swapped), if any: what makes an unknown word look mangled.
pub(crate) fn mangled(word: &str, lexicon: &Lexicon) -> Option<String> {
    let french = lexicon.french.as_ref()?;
    let chars: Vec<char> = word.chars().collect();
    let mut probe = String::with_capacity(word.len() + 4);
    let mut check = |parts: &mut dyn Iterator<Item = char>| {
        probe.clear();
        probe.extend(parts);
        (probe != word && french.contains(&probe)).then(|| probe.clone())
    };
    for i in 0..chars.len() {
        let dropped = chars[..i].iter().chain(&chars[i + 1..]).copied();
        if let Some(found) = check(&mut dropped.into_iter()) {
            return Some(found);
        }
        if i + 1 < chars.len() {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            if let Some(found) = check(&mut swapped.into_iter()) {
                return Some(found);
            }
        }
    }
    for i in 0..=chars.len() {
        for letter in LETTERS.chars() {
            let changed = (i < chars.len()).then(|| {
                chars[..i]
                    .iter()
                    .copied()
                    .chain(std::iter::once(letter))
                    .chain(chars[i + 1..].iter().copied())
            });
            if let Some(mut changed) = changed
                && let Some(found) = check(&mut changed)
            {
                return Some(found);
            }
            let mut added = chars[..i]
                .iter()
                .copied()
                .chain(std::iter::once(letter))
                .chain(chars[i..].iter().copied());
            if let Some(found) = check(&mut added) {
                return Some(found);
            }
        }
    }
    None
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
