//! Phrases over-represented near brand names: word n-grams (one to three words) within
//! [`WINDOW`] words of a well-written known name, in the same paragraph, that hold a
//! content word. Every one is counted; the ranking keeps those far more frequent in the
//! corpus than in the reference French (the shape of "la profondeur" next to "OpenAI").
//! The least precise reason: its confidence stays low.

use super::{Doc, Hit, Reason, Why};

/// Words on each side of a name.
pub(crate) const WINDOW: usize = 4;

/// French function words: an n-gram of these alone, or ending with one, is not a phrase.
pub(crate) const STOPWORDS: &[&str] = &[
    "a", "à", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du",
    "elle", "en", "est", "et", "il", "ils", "l", "la", "le", "les", "leur", "leurs", "lui", "mais",
    "n", "ne", "nous", "on", "ou", "où", "par", "pas", "plus", "pour", "qu", "que", "qui", "s",
    "sa", "se", "ses", "son", "sont", "sur", "un", "une", "été", "être", "a-t-il", "y", "ont",
    "été", "comme", "selon", "après", "avant", "depuis", "entre", "sans", "sous", "vers", "très",
    "aussi", "fait", "ainsi", "dont", "tout", "tous", "the", "of", "and",
];

pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

pub(crate) fn find<'a>(doc: &Doc<'a>, hits: &mut Vec<Hit<'a, '_>>) {
    let n = doc.tokens.len();
    let mut seen = rustc_hash::FxHashSet::default();
    for &(i, j) in &doc.names {
        let from = i.saturating_sub(WINDOW);
        let to = (j + WINDOW).min(n - 1);
        for a in from..=to {
            for len in 1..=3 {
                let b = a + len - 1;
                if b > to || (a <= j && b >= i) || !seen.insert((a, b)) {
                    continue;
                }
                if (a.min(i)..b.max(j)).any(|k| doc.separator(k).contains('\n')) {
                    continue;
                }
                if (a..=b).any(|k| doc.claimed[k]) {
                    continue;
                }
                let words: Vec<&str> = (a..=b).map(|k| doc.token_folded(k)).collect();
                let last = words[len - 1];
                if is_stopword(last)
                    || last.chars().count() < 4
                    || words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
                    || (a..=b).any(|k| {
                        doc.token_cased(k)
                            .chars()
                            .next()
                            .is_some_and(char::is_uppercase)
                    })
                {
                    continue;
                }
                if (a..b).any(|k| !matches!(doc.separator(k), " " | "'")) {
                    continue;
                }
                let (start, end) = (doc.tokens[a].0, doc.tokens[b].1);
                hits.push(Hit {
                    reason: Reason::Ngram,
                    key: &doc.folded[start..end],
                    text: &doc.cased[start..end],
                    replacement: None,
                    start,
                    end,
                    why: Why::Fixed("near known names, rarer in reference French"),
                    confidence: 0.3,
                });
            }
        }
    }
}
