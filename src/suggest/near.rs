//! Near misses of known names: "chatppt", "Chatgtp", "Deepceek". A word that no word
//! list knows, within one edit of a known name (two from nine letters), an adjacent
//! transposition counting as one edit (a keyboard slip). Names are looked up by the
//! word's first two or last two letters and its length, so a word costs a few hash
//! probes, not a comparison with every name. Only words that no word list holds are
//! looked at (`unlisted_words` in the module above).

use rustc_hash::FxHashMap;

use super::lexicon::Lexicon;
use super::{Doc, Hit, Reason, Why};

/// (whether the letters are the last two, the two letters, length).
type Ends = (bool, [char; 2], usize);

/// Names of five letters or more, by their first or last two letters and length.
pub(crate) struct NearIndex {
    /// Each name's squashed letters and its canonical spelling.
    by_ends: FxHashMap<Ends, Vec<(Vec<char>, String)>>,
}

/// Shortest word or name looked at: shorter names have too many neighbours.
const MIN_LEN: usize = 5;

/// Longest word in capitals taken for an acronym rather than a slip: acronyms of
/// five letters are common in technical French (ATAPI, POSIX, ASCII), names of five
/// letters slipped and in capitals are not.
const ACRONYM_MAX: usize = 5;

impl NearIndex {
    pub(crate) fn new(lexicon: &Lexicon) -> NearIndex {
        let mut by_ends: FxHashMap<_, Vec<_>> = FxHashMap::default();
        let mut keys: Vec<_> = lexicon.names.iter().filter(|(_, n)| n.words == 1).collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (key, name) in keys {
            let chars: Vec<char> = key.chars().collect();
            if chars.len() < MIN_LEN {
                continue;
            }
            let n = chars.len();
            for (last, ends) in [
                (false, [chars[0], chars[1]]),
                (true, [chars[n - 2], chars[n - 1]]),
            ] {
                by_ends
                    .entry((last, ends, n))
                    .or_default()
                    .push((chars.clone(), name.canonical.clone()));
            }
        }
        NearIndex { by_ends }
    }

    /// The closest name within reach of `word` (lower case), with its distance.
    fn nearest(&self, word: &[char]) -> Option<(&str, usize)> {
        let n = word.len();
        let reach = if n >= 9 { 2 } else { 1 };
        let mut best: Option<(&str, usize)> = None;
        for len in n.saturating_sub(reach)..=n + reach {
            for (last, ends) in [
                (false, [word[0], word[1]]),
                (true, [word[n - 2], word[n - 1]]),
            ] {
                for (name, canonical) in self.by_ends.get(&(last, ends, len)).into_iter().flatten()
                {
                    // An inflection or a derived word ("iphones"), not a slip.
                    if word.starts_with(name) {
                        continue;
                    }
                    let d = distance(word, name, reach);
                    if d <= reach && best.is_none_or(|(_, b)| d < b) {
                        best = Some((canonical, d));
                    }
                }
            }
        }
        best
    }
}

impl NearIndex {
    /// Whether `word` (lower case) is long enough, holds a letter, and has a known name
    /// within reach: whether [`judge`] finds a near miss in it.
    pub(crate) fn has_near_name(&self, word: &str) -> bool {
        let word: Vec<char> = word.chars().collect();
        word.len() >= MIN_LEN
            && word.iter().any(|c| c.is_alphabetic())
            && self.nearest(&word).is_some()
    }
}

/// Word `i` of `doc`, in no word list, if it is a near miss of a known name.
pub(crate) fn judge<'a, 'c>(
    doc: &Doc<'a>,
    i: usize,
    index: &'c NearIndex,
    hits: &mut Vec<Hit<'a, 'c>>,
) {
    let (start, end) = doc.tokens[i];
    let lower = &doc.folded[start..end];
    let word: Vec<char> = lower.chars().collect();
    if word.len() < MIN_LEN || !word.iter().any(|c| c.is_alphabetic()) {
        return;
    }
    let surface = &doc.cased[start..end];
    // An acronym ("ATAPI", one edit from Atari), not a slip: capitals only, and no
    // longer than [`ACRONYM_MAX`].
    if word.len() <= ACRONYM_MAX && !surface.chars().any(char::is_lowercase) {
        return;
    }
    if let Some((name, edits)) = index.nearest(&word) {
        hits.push(Hit {
            reason: Reason::Near,
            key: lower,
            text: surface,
            replacement: Some(name),
            start,
            end,
            why: Why::Near { name, edits },
            confidence: if edits == 1 { 0.85 } else { 0.6 },
        });
    }
}

/// Optimal string alignment distance (Damerau–Levenshtein without moves across an edit),
/// or `reach + 1` once it is sure to exceed `reach`.
pub(crate) fn distance(a: &[char], b: &[char], reach: usize) -> usize {
    if a.len().abs_diff(b.len()) > reach {
        return reach + 1;
    }
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let mut row_min = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
            row_min = row_min.min(d);
        }
        if row_min > reach {
            return reach + 1;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::distance;

    fn d(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distance(&a, &b, 3)
    }

    #[test]
    fn slips_are_one_edit() {
        assert_eq!(d("chatppt", "chatgpt"), 1);
        assert_eq!(d("chatgtp", "chatgpt"), 1);
        assert_eq!(d("deepceek", "deepseek"), 1);
        assert_eq!(d("openia", "openai"), 1);
        assert_eq!(d("nvidia", "nvidia"), 0);
        assert_eq!(d("abc", "xyz"), 3);
    }
}
