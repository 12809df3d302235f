//! Literal translations of English names: a name made of ordinary English words ("Steam
//! Deck", "Valve", "Discord", "Wired") translated word by word with the bilingual table
//! ("pont à vapeur", "la vanne", "querelle", "câblé"), found in the corpus. Two-word
//! names give both French orders, with and without "de"/"à" between. A one-word
//! translation is an ordinary French word, so it counts only where it stands for a
//! name: capitalised inside a sentence, or in a sentence that names a known name. The
//! ranking then weighs how much more frequent the phrase is in the corpus than in the
//! reference French.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;

use super::lexicon::{BILINGUAL, Lexicon, NAMES};
use super::{Doc, Hit, Reason, Why};
use crate::correct::fold::is_word_char;

/// The French phrases (folded) and the name each translates.
pub(crate) struct Literals {
    searcher: Option<AhoCorasick>,
    /// Per pattern: the name, and the number of words of the phrase.
    names: Vec<(String, usize)>,
}

/// Most variants made from one name.
const MAX_VARIANTS: usize = 64;

impl Literals {
    pub(crate) fn new(lexicon: &Lexicon) -> Literals {
        let table: FxHashMap<&str, Vec<&str>> = BILINGUAL
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(en, fr)| (en, fr.split('|').collect()))
            .collect();
        let mut phrases: FxHashMap<String, (String, usize)> = FxHashMap::default();
        let mut names: Vec<&str> = NAMES.lines().collect();
        names.extend(lexicon.names.values().map(|n| n.canonical.as_str()));
        names.sort_unstable();
        names.dedup();
        for name in names {
            let words: Vec<String> = name.split(' ').map(str::to_lowercase).collect();
            let Some(choices) = words
                .iter()
                .map(|w| {
                    table
                        .get(w.as_str())
                        .map(|t| t.iter().filter(|f| *f != w).copied().collect::<Vec<_>>())
                })
                .collect::<Option<Vec<Vec<&str>>>>()
            else {
                continue;
            };
            for phrase in variants(&choices) {
                let count = phrase.split(' ').count();
                phrases
                    .entry(phrase)
                    .or_insert_with(|| (name.to_owned(), count));
            }
        }
        let mut list: Vec<(String, (String, usize))> = phrases.into_iter().collect();
        list.sort();
        let searcher = (!list.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(list.iter().map(|(p, _)| p))
                .expect("literal phrases compile")
        });
        Literals {
            searcher,
            names: list.into_iter().map(|(_, n)| n).collect(),
        }
    }
}

/// Word-by-word translations: same order, and for two words the French order too
/// ("deck steam" → "pont à vapeur", "pont de vapeur", "pont vapeur").
fn variants(choices: &[Vec<&str>]) -> Vec<String> {
    let mut same: Vec<String> = vec![String::new()];
    for options in choices {
        same = same
            .iter()
            .flat_map(|p| {
                options.iter().map(move |o| {
                    if p.is_empty() {
                        (*o).to_owned()
                    } else {
                        format!("{p} {o}")
                    }
                })
            })
            .take(MAX_VARIANTS)
            .collect();
    }
    let mut all = same;
    let function = |options: &[&str]| options.iter().any(|o| ["de", "le"].contains(o));
    if let [first, second] = choices
        && !function(first)
        && !function(second)
    {
        for a in first {
            for b in second {
                for glue in [" ", " de ", " à ", " du "] {
                    all.push(format!("{b}{glue}{a}"));
                }
            }
        }
    }
    all.retain(|p| !p.is_empty());
    all
}

pub(crate) fn find<'a, 'c>(doc: &Doc<'a>, literals: &'c Literals, hits: &mut Vec<Hit<'a, 'c>>) {
    let Some(searcher) = &literals.searcher else {
        return;
    };
    let folded = doc.folded;
    for m in searcher.find_iter(folded) {
        let (start, end) = (m.start(), m.end());
        let before = folded[..start].chars().next_back();
        let after = folded[end..].chars().next();
        if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
            continue;
        }
        let Some(i) = doc.token_at(start) else {
            continue;
        };
        let j = doc.token_at(end - 1).unwrap_or(i);
        if (i..=j).any(|k| doc.claimed[k]) {
            continue;
        }
        let (name, words) = &literals.names[m.pattern().as_usize()];
        let surface = &doc.cased[start..end];
        let capitalised =
            surface.chars().next().is_some_and(char::is_uppercase) && !doc.starts_sentence(i);
        let named = doc.sentence_names_a_name(i);
        let (how, confidence) = if *words > 1 {
            ("translated word by word", 0.7)
        } else if capitalised {
            ("translated, capitalised inside a sentence like a name", 0.7)
        } else if named {
            ("translated, in a sentence that names a known name", 0.45)
        } else {
            continue;
        };
        hits.push(Hit {
            reason: Reason::Literal,
            key: &folded[start..end],
            text: surface,
            replacement: Some(name),
            start,
            end,
            why: Why::Literal { name, how },
            confidence,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::variants;

    #[test]
    fn two_words_give_both_orders() {
        let v = variants(&[vec!["vapeur"], vec!["pont"]]);
        assert!(v.contains(&"vapeur pont".to_owned()));
        assert!(v.contains(&"pont à vapeur".to_owned()));
        assert!(v.contains(&"pont de vapeur".to_owned()));
    }
}
