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
    let mut key = String::new();
    squash_into(&mut key, text);
    key
}

/// Appends the squashed form of `text` to `key`.
pub(crate) fn squash_into(key: &mut String, text: &str) {
    if text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        key.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    key.extend(
        text.chars()
            .filter(|&c| is_word_char(c))
            .flat_map(char::to_lowercase),
    );
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
    /// Every start of a squashed key (at a character boundary, the key included).
    pub name_prefixes: FxHashSet<String>,
    /// The first byte, and the first two bytes, of every squashed key, as bits: most
    /// words start no name, and these tell without hashing.
    name_first_byte: [bool; 256],
    name_first_bytes: Vec<u64>,
    /// Every lower-case word of a known name.
    pub name_words: FxHashSet<String>,
    /// Most words a name has.
    pub max_name_words: usize,
    pub english: WordSet,
    /// `None` when no French word list could be read.
    pub french: Option<WordSet>,
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
            name_prefixes: FxHashSet::default(),
            name_first_byte: [false; 256],
            name_first_bytes: vec![0; (1 << 16) / 64],
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
        for (i, _) in key.char_indices().skip(1) {
            self.name_prefixes.insert(key[..i].to_owned());
        }
        self.name_prefixes.insert(key.clone());
        let bytes = key.as_bytes();
        self.name_first_byte[usize::from(bytes[0])] = true;
        let two = usize::from(bytes[0]) << 8 | usize::from(bytes[1]);
        self.name_first_bytes[two / 64] |= 1 << (two % 64);
        let name = self.names.entry(key).or_insert_with(|| Name {
            canonical: spelling.to_owned(),
            spellings: Vec::new(),
            words,
        });
        if !name.spellings.iter().any(|s| s == spelling) {
            name.spellings.push(spelling.to_owned());
        }
    }

    /// Whether a word may start a run whose squashed form starts a name's key; `false`
    /// is sure, `true` is to be checked in [`Lexicon::name_prefixes`].
    pub(crate) fn may_start_a_name(&self, start: &str) -> bool {
        let lower = |b: &u8| b.to_ascii_lowercase();
        match start.as_bytes() {
            // A word whose first two bytes are ASCII letters or digits squashes to them
            // in lower case (the others are squashed first).
            [first, second, ..]
                if first.is_ascii_alphanumeric() && second.is_ascii_alphanumeric() =>
            {
                let two = usize::from(lower(first)) << 8 | usize::from(lower(second));
                self.name_first_bytes[two / 64] & (1 << (two % 64)) != 0
            }
            [first] if first.is_ascii_alphanumeric() => {
                self.name_first_byte[usize::from(lower(first))]
            }
            _ => {
                let key = squash(start);
                self.may_start_a_name_squashed(&key)
            }
        }
    }

    fn may_start_a_name_squashed(&self, start: &str) -> bool {
        match start.as_bytes() {
            [] => false,
            [first] => self.name_first_byte[usize::from(*first)],
            [first, second, ..] => {
                let two = usize::from(*first) << 8 | usize::from(*second);
                self.name_first_bytes[two / 64] & (1 << (two % 64)) != 0
            }
        }
    }

    /// Whether a lower-case word is French or English, as far as the lists know.
    /// The French list is asked first: most words of a French corpus are in it.
    pub(crate) fn is_word(&self, lower: &str) -> bool {
        self.is_word_hashed(lower, word_hash(lower))
    }

    /// [`Lexicon::is_word`] for a word whose [`word_hash`] is known.
    pub(crate) fn is_word_hashed(&self, lower: &str, hash: u64) -> bool {
        self.french.as_ref().is_some_and(|f| f.contains_hash(hash))
            || self.english.contains_hash(hash)
            || self.reference.count(&[lower]) > 0
    }
}

/// A set of words kept as 64-bit hashes: a look-up costs one probe of a table of 8-byte
/// keys, not a probe and a comparison with a string elsewhere in memory (the French list
/// has 350,000 words, far more than the caches hold; looking words up was a fifth of
/// `suggest`'s time). Two words share a hash with probability 2^-64 per pair: among
/// a corpus of ten million distinct words, about 2 × 10^-7 that one passes for French.
pub(crate) struct WordSet(FxHashSet<u64>);

/// The hash [`WordSet`] keeps of a word.
pub(crate) fn word_hash(word: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word.as_bytes())
}

impl WordSet {
    fn hash(word: &str) -> u64 {
        word_hash(word)
    }

    pub(crate) fn contains(&self, word: &str) -> bool {
        self.0.contains(&Self::hash(word))
    }

    /// [`WordSet::contains`] for a word of hash `hash` ([`word_hash`]).
    fn contains_hash(&self, hash: u64) -> bool {
        self.0.contains(&hash)
    }
}

impl<'w> FromIterator<&'w str> for WordSet {
    fn from_iter<I: IntoIterator<Item = &'w str>>(words: I) -> WordSet {
        WordSet(words.into_iter().map(WordSet::hash).collect())
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
fn read_french() -> (Option<WordSet>, String) {
    let path = std::env::var_os("MTFIX_FRENCH_WORDS")
        .map_or_else(|| PathBuf::from(FRENCH_WORDS), PathBuf::from);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let words = text
                .lines()
                .map(|w| crate::correct::fold::fold_pattern(w.trim(), false))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
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
        // The words, each followed by a space; on the stack when they fit.
        let mut buffer = [0u8; 64];
        let mut heap = Vec::new();
        let length: usize = words.iter().map(|w| w.len() + 1).sum();
        let key: &mut [u8] = if length <= buffer.len() {
            &mut buffer[..length]
        } else {
            heap.resize(length, 0);
            &mut heap
        };
        let mut at = 0;
        for w in words {
            key[at..at + w.len()].copy_from_slice(w.as_bytes());
            key[at + w.len()] = b' ';
            at += w.len() + 1;
        }
        let h = xxhash_rust::xxh3::xxh3_128(key);
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
