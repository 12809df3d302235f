//! What `suggest` knows before reading the corpus: the known names (the shipped
//! `names.txt` and the replacements of the loaded glossaries), the English word list
//! (embedded), the French word list (read where installed), the bilingual table and the
//! reference profile of French n-gram frequencies (a bounded count-min sketch). Sources
//! and licences: `SOURCES.md`.

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::correct::fold::is_word_char;
use crate::correct::words::for_each_word;
use crate::glossary::{Glossary, Pattern};

/// Curated English names of the field, one spelling a line, sorted, no duplicates.
pub(crate) const NAMES: &str = include_str!("names.txt");
/// English words (Debian `wamerican` ∪ `wbritish`, SCOWL), lower case, sorted.
const ENGLISH: &str = include_str!("english.txt");
/// English word → French translations, for the words of the names.
pub(crate) const BILINGUAL: &str = include_str!("bilingual.txt");
/// The built-in reference French: the precision sentences, written for mtfix.
const REFERENCE_TEXT: &str = include_str!("../../tests/precision/news-register.txt");

/// Where the French word list is read from when `MTFIX_FRENCH_WORDS` does not say.
pub(crate) const FRENCH_WORDS: &str = "/usr/share/dict/french";

/// Lower case, word characters only: "Open AI", "open-ai" and "OpenAI" share a key.
pub(crate) fn squash(text: &str) -> String {
    text.chars()
        .filter(|&c| is_word_char(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A known name and the spellings accepted for it.
#[derive(Debug)]
pub(crate) struct Name {
    /// The spelling suggested as replacement.
    pub canonical: String,
    /// Every accepted spelling (the canonical one included).
    pub spellings: Vec<String>,
    /// Number of words.
    pub words: usize,
}

/// Everything known before the corpus is read.
pub(crate) struct Lexicon {
    /// Squashed key → name.
    pub names: FxHashMap<String, Name>,
    /// Every lower-case word of a known name.
    pub name_words: FxHashSet<String>,
    /// Most words a name has.
    pub max_name_words: usize,
    pub english: FxHashSet<&'static str>,
    /// `None` when no French word list could be read.
    pub french: Option<FxHashSet<String>>,
    /// Where the French list came from, or why there is none.
    pub french_source: String,
    pub reference: Sketch,
    /// Literal patterns of the loaded rules, folded (a candidate equal to one is covered).
    pub rule_patterns: FxHashSet<String>,
}

impl Lexicon {
    pub(crate) fn new(
        glossaries: &[Glossary],
        reference: Option<&Path>,
        read_french_list: bool,
    ) -> std::io::Result<Lexicon> {
        let mut lexicon = Lexicon {
            names: FxHashMap::default(),
            name_words: FxHashSet::default(),
            max_name_words: 1,
            english: ENGLISH.lines().collect(),
            french: None,
            french_source: String::new(),
            reference: Sketch::new(),
            rule_patterns: FxHashSet::default(),
        };
        for glossary in glossaries {
            for rule in &glossary.rules {
                if let Pattern::Literal(_) = rule.pattern {
                    lexicon
                        .rule_patterns
                        .insert(crate::correct::fold::fold_pattern(&rule.source, false));
                }
                if looks_like_a_name(&rule.replacement) {
                    lexicon.add_name(&rule.replacement);
                }
            }
        }
        for name in NAMES.lines() {
            lexicon.add_name(name);
        }
        let (french, source) = if read_french_list {
            read_french()
        } else {
            (None, "not read".to_owned())
        };
        lexicon.french = french;
        lexicon.french_source = source;
        match reference {
            None => lexicon.reference.add_text(REFERENCE_TEXT),
            Some(dir) => {
                for path in text_files(dir)? {
                    let bytes = std::fs::read(&path)?;
                    lexicon.reference.add_text(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        Ok(lexicon)
    }

    fn add_name(&mut self, spelling: &str) {
        let key = squash(spelling);
        if key.chars().count() < 2 {
            return;
        }
        let words = spelling.split([' ', '-']).filter(|w| !w.is_empty()).count();
        self.max_name_words = self.max_name_words.max(words);
        for_each_word(spelling, |s, e| {
            self.name_words.insert(spelling[s..e].to_lowercase());
        });
        let name = self.names.entry(key).or_insert_with(|| Name {
            canonical: spelling.to_owned(),
            spellings: Vec::new(),
            words,
        });
        if !name.spellings.iter().any(|s| s == spelling) {
            name.spellings.push(spelling.to_owned());
        }
    }

    /// Whether a lower-case word is French or English, as far as the lists know.
    pub(crate) fn is_word(&self, lower: &str) -> bool {
        self.english.contains(lower)
            || self.french.as_ref().is_some_and(|f| f.contains(lower))
            || self.reference.count(&[lower]) > 0
    }
}

/// A glossary replacement that names something: a capital somewhere, no template, at
/// most four words, not starting with a lower-case word ("de DeepSeek").
fn looks_like_a_name(replacement: &str) -> bool {
    !replacement.contains('$')
        && replacement.split(' ').count() <= 4
        && replacement
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && replacement.chars().filter(|c| c.is_uppercase()).count() >= 1
        && replacement
            .chars()
            .all(|c| is_word_char(c) || " -.:!&".contains(c))
}

/// The French word list: `MTFIX_FRENCH_WORDS`, else `/usr/share/dict/french` (Debian
/// `wfrench`), lower-cased; none if neither can be read.
fn read_french() -> (Option<FxHashSet<String>>, String) {
    let path = std::env::var_os("MTFIX_FRENCH_WORDS")
        .map_or_else(|| PathBuf::from(FRENCH_WORDS), PathBuf::from);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let words = text
                .lines()
                .map(|w| crate::correct::fold::fold_pattern(w.trim(), false))
                .collect();
            (Some(words), path.display().to_string())
        }
        Err(e) => (None, format!("{}: {e}", path.display())),
    }
}

/// The `.txt .md .html .htm` files under `dir`, sorted.
fn text_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let extensions = ["txt", "md", "html", "htm"].map(String::from);
    let (articles, errors) = crate::input::walk::list(&[dir.to_owned()], &extensions, false);
    if let Some(error) = errors.into_iter().next() {
        return Err(std::io::Error::other(error.to_string()));
    }
    Ok(articles.into_iter().map(|a| a.path).collect())
}

/// Rows and columns of the count-min sketch: 4 × 2^18 counters of 4 bytes, 4 MB
/// whatever the size of the reference.
const ROWS: usize = 4;
const COLUMNS: usize = 1 << 18;

/// Counts of French word n-grams (n = 1 to 3, lower case), in bounded memory: a
/// count-min sketch never under-counts and over-counts by at most a small share of the
/// total with high probability, which only makes a phrase look less over-represented.
pub(crate) struct Sketch {
    counters: Vec<u32>,
    /// Words counted.
    pub total: u64,
}

impl Sketch {
    fn new() -> Sketch {
        Sketch {
            counters: vec![0; ROWS * COLUMNS],
            total: 0,
        }
    }

    fn hashes(words: &[&str]) -> [usize; ROWS] {
        let mut key = String::new();
        for w in words {
            key.push_str(w);
            key.push(' ');
        }
        let h = xxhash_rust::xxh3::xxh3_128(key.as_bytes());
        std::array::from_fn(|row| ((h >> (row * 32)) as u32 as usize) % COLUMNS)
    }

    fn add(&mut self, words: &[&str]) {
        for (row, column) in Self::hashes(words).into_iter().enumerate() {
            let counter = &mut self.counters[row * COLUMNS + column];
            *counter = counter.saturating_add(1);
        }
    }

    /// The (over-)estimated count of a word n-gram.
    pub(crate) fn count(&self, words: &[&str]) -> u32 {
        Self::hashes(words)
            .into_iter()
            .enumerate()
            .map(|(row, column)| self.counters[row * COLUMNS + column])
            .min()
            .unwrap_or(0)
    }

    /// Counts every 1-, 2- and 3-gram of each line of `text` (lines starting with `#` are
    /// comments).
    fn add_text(&mut self, text: &str) {
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let folded = crate::correct::fold::fold_pattern(line, false);
            let mut words = Vec::new();
            for_each_word(&folded, |s, e| words.push(&folded[s..e]));
            self.total += words.len() as u64;
            for n in 1..=3 {
                for gram in words.windows(n) {
                    self.add(gram);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_without_duplicates() {
        let names: Vec<&str> = NAMES.lines().collect();
        for pair in names.windows(2) {
            assert!(
                pair[0] < pair[1],
                "names.txt: {:?} before {:?}",
                pair[0],
                pair[1]
            );
        }
        assert!(names.iter().all(|n| n.trim() == *n && !n.is_empty()));
    }

    #[test]
    fn bilingual_table_is_sorted_and_without_duplicates() {
        let words: Vec<&str> = BILINGUAL
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        for pair in words.windows(2) {
            assert!(
                pair[0] < pair[1],
                "bilingual.txt: {:?} before {:?}",
                pair[0],
                pair[1]
            );
        }
        assert!(
            BILINGUAL
                .lines()
                .filter(|l| !l.starts_with('#'))
                .all(|l| l.split('\t').count() == 2)
        );
    }

    #[test]
    fn the_sketch_counts_what_it_saw() {
        let mut sketch = Sketch::new();
        sketch.add_text("La vapeur monte.\nLa vapeur descend.");
        assert_eq!(sketch.count(&["la", "vapeur"]), 2);
        assert_eq!(sketch.count(&["vapeur"]), 2);
        assert_eq!(sketch.count(&["monte"]), 1);
        assert_eq!(sketch.total, 6);
    }
}
