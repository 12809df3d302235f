//! The word index, how large glossaries find their literal patterns in a view.
//!
//! A pattern that starts with a word character can only be accepted where a word starts
//! (its match must be a whole word), and there the text from the start of the word to the
//! end of that word, or of the next one, is the pattern's own start. So each such pattern
//! is filed under the hash of its first word, or of its first two words, and the view is
//! read word by word: a hash of each word, a hash of each pair, two probes of a small bit
//! filter, and a table look-up and byte comparison only where the filter says a key may
//! match. With tens of thousands of patterns this beats an automaton walking every byte
//! through a trie too large for the caches (which runs at about 125 MB/s at 20,000
//! patterns); with few patterns the automaton's SIMD prefilter is faster, and
//! [`crate::correct::matcher`] keeps it.
//!
//! Pairs, not the rarest word of a pattern: a glossary of word pairs (`locales
//! semaines`) filed under single words has every common word of the text pass the
//! filter. To reopen this, compare both filings at 1,000 and 20,000 rules of the
//! benchmark's glossaries, whose distractors are pairs of common words.
//!
//! Words are found 64 bytes at a time: a bit mask of the bytes that belong to words (ASCII
//! letters, digits and `_` by compares the compiler turns into SIMD, non-ASCII characters
//! checked one by one unless they are Latin-1 letters), whose edges are the starts and
//! ends of words.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::correct::fold::{high_bits, is_word_char};

/// Literal patterns that start with a word character, filed by the hash of their key:
/// their first word, or their first two words.
#[derive(Debug)]
pub struct WordIndex {
    /// The patterns the index was built from, all of them (ids are their positions).
    patterns: Vec<String>,
    one_word: Keyed<Vec<usize>>,
    two_words: Keyed<Vec<usize>>,
    /// One bit per hash of every key (its top bits): most words of a text have none, and
    /// this small table, which stays in the processor's cache, says so without a look-up
    /// in the large ones (measured: a third of the search time at 20,000 patterns).
    filter: Vec<u64>,
    /// 2^`filter_bits` bits in `filter`.
    filter_bits: u32,
}

/// Bits of [`WordIndex::filter`] per key, rounded up to a power of two, at most
/// 2^[`MAX_FILTER_BITS`]: few false hits, in as little memory as they allow (at 1,000
/// patterns 4 KB, which stays in the first-level cache).
const FILTER_BITS_PER_KEY: usize = 32;

/// 2^20 bits, 128 KB (measured at 20,000 patterns: 0.81 s against 0.99 s for 8 KB and
/// 0.85 s for 512 KB, one thread).
const MAX_FILTER_BITS: u32 = 20;

impl WordIndex {
    /// Files the `patterns` (folded) that start with a word character; returns the index
    /// and the indices of the others, which need another search.
    pub fn build(patterns: Vec<String>) -> (WordIndex, Vec<usize>) {
        let filter_bits = (patterns.len() * FILTER_BITS_PER_KEY)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(6, MAX_FILTER_BITS);
        let mut index = WordIndex {
            patterns: Vec::new(),
            one_word: Keyed::default(),
            two_words: Keyed::default(),
            filter: vec![0; (1 << filter_bits) / 64],
            filter_bits,
        };
        let mut others = Vec::new();
        for (id, pattern) in patterns.iter().enumerate() {
            let bytes = pattern.as_bytes();
            let (table, hash) = match key_words(pattern) {
                None => {
                    others.push(id);
                    continue;
                }
                Some(((start, end), None)) => (&mut index.one_word, word_hash(bytes, start, end)),
                Some(((start, end), Some((second, second_end)))) => (
                    &mut index.two_words,
                    pair_hash(
                        word_hash(bytes, start, end),
                        word_hash(bytes, second, second_end),
                    ),
                ),
            };
            table.entry(mix(hash)).or_default().push(id);
            let (word, bit) = index.filter_bit(hash);
            index.filter[word] |= bit;
        }
        index.patterns = patterns;
        (index, others)
    }

    /// The pattern with index `id`.
    pub fn pattern(&self, id: usize) -> &str {
        &self.patterns[id]
    }

    /// Calls `found(start, end, pattern)` for every occurrence in `text` of an indexed
    /// pattern (by its index in the list the index was built from) that starts a word and
    /// does not end inside one: every occurrence that can be a whole word.
    pub fn find(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let bytes = text.as_bytes();
        let mut previous: Option<(usize, u64)> = None;
        for (start, end) in Words::new(text) {
            let hash = word_hash(bytes, start, end);
            if self.may_hold(hash) {
                self.find_filed(&self.one_word, bytes, start, hash, &mut found);
            }
            if let Some((previous_start, previous_hash)) = previous {
                let pair = pair_hash(previous_hash, hash);
                if self.may_hold(pair) {
                    self.find_filed(&self.two_words, bytes, previous_start, pair, &mut found);
                }
            }
            previous = Some((start, hash));
        }
    }

    /// Whether the filter holds `hash` (false hits are rare).
    #[inline]
    fn may_hold(&self, hash: u64) -> bool {
        let (word, bit) = self.filter_bit(hash);
        self.filter[word] & bit != 0
    }

    /// The bit of `hash` in the filter (from its top bits): its word and its mask.
    #[inline]
    fn filter_bit(&self, hash: u64) -> (usize, u64) {
        let bit = (hash >> (64 - self.filter_bits)) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    /// The occurrences at `start` of the patterns of `table` filed under `hash`.
    #[cold]
    fn find_filed(
        &self,
        table: &Keyed<Vec<usize>>,
        bytes: &[u8],
        start: usize,
        hash: u64,
        found: &mut impl FnMut(usize, usize, usize),
    ) {
        for &id in table.get(&mix(hash)).into_iter().flatten() {
            let pattern = self.patterns[id].as_bytes();
            if bytes[start..].starts_with(pattern) {
                found(start, start + pattern.len(), id);
            }
        }
    }
}

/// Where a word lies: its start and end, in bytes.
type WordSpan = (usize, usize);

/// The spans of the first word of a pattern and of its second word if it has one, or
/// `None` when it does not start with a word character.
fn key_words(pattern: &str) -> Option<(WordSpan, Option<WordSpan>)> {
    if !pattern.chars().next().is_some_and(is_word_char) {
        return None;
    }
    let mut words = Words::new(pattern);
    Some((words.next()?, words.next()))
}

/// Calls `word(start, end)` for each maximal run of word characters (`is_word_char`)
/// of `text`, in order.
pub fn for_each_word(text: &str, mut word: impl FnMut(usize, usize)) {
    for (start, end) in Words::new(text) {
        word(start, end);
    }
}

/// The maximal runs of word characters ([`is_word_char`]) of a text, in order, as
/// `(start, end)`. An iterator, not a function taking a closure: the search's loop body
/// then stays in the search, where a closure called per word costs a few percent.
#[derive(Default)]
struct Words<'a> {
    text: &'a str,
    /// Where the next block starts.
    at: usize,
    /// Where the current block started.
    block: usize,
    /// The start of the word open at the end of the blocks classified so far.
    start: usize,
    /// Whether a word is open before the next end of the current block: at the block's
    /// start, whether one was open at the end of the block before.
    open: bool,
    /// Whether the last byte of the current block belongs to a word (as bit 0).
    before: u64,
    /// The bytes of a non-word character that spill over from the current block.
    spill: u64,
    /// Starts and ends of words in the current block not yet given.
    starts: u64,
    ends: u64,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words {
            text,
            ..Words::default()
        }
    }

    /// Classifies the next block: its starts and ends of words.
    fn classify_next_block(&mut self) {
        let (text, bytes, at) = (self.text, self.text.as_bytes(), self.at);
        let (mut words, mut leads) = match bytes.get(at..at + BLOCK + 1) {
            Some(run) => classify(
                run[..BLOCK].try_into().expect("a block"),
                run[1..].try_into().expect("a block"),
            ),
            None => {
                let (block, next) = (padded_block(bytes, at), padded_block(bytes, at + 1));
                classify(&block, &next)
            }
        };
        words &= !self.spill;
        self.spill = 0;
        while leads != 0 {
            let k = leads.trailing_zeros() as usize;
            leads &= leads - 1;
            let c = text[at + k..]
                .chars()
                .next()
                .expect("a lead byte starts a char");
            if !is_word_char(c) {
                let bits = (1u64 << c.len_utf8()) - 1;
                words &= !(bits << k);
                if k + c.len_utf8() > 64 {
                    self.spill = bits >> (64 - k);
                }
            }
        }
        let shifted = (words << 1) | self.before;
        self.starts = words & !shifted;
        self.ends = !words & shifted;
        self.open = self.before == 1;
        self.before = words >> 63;
        self.block = at;
        self.at = at + BLOCK;
    }
}

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        while self.ends == 0 {
            // The block is done; a start left is that of a word open at its end.
            if self.starts != 0 {
                self.start = self.block + self.starts.trailing_zeros() as usize;
                self.starts = 0;
            }
            if self.at >= self.text.len() {
                let last_open = self.before == 1;
                self.before = 0;
                return last_open.then_some((self.start, self.text.len()));
            }
            self.classify_next_block();
        }
        // Starts and ends alternate: the first end closes the word open before the block,
        // if any, and every other end the lowest start left.
        if !self.open {
            self.start = self.block + self.starts.trailing_zeros() as usize;
            self.starts &= self.starts - 1;
        }
        self.open = false;
        let end = self.block + self.ends.trailing_zeros() as usize;
        self.ends &= self.ends - 1;
        Some((self.start, end))
    }
}

/// Bytes [`for_each_word`] classifies at a time, one bit each in a `u64`.
const BLOCK: usize = 64;

/// The [`BLOCK`] bytes of `bytes` from `at`, padded with zeros (not word bytes) at the end.
fn padded_block(bytes: &[u8], at: usize) -> [u8; BLOCK] {
    let mut block = [0; BLOCK];
    let rest = bytes.get(at..).unwrap_or_default();
    let n = rest.len().min(BLOCK);
    block[..n].copy_from_slice(&rest[..n]);
    block
}

/// One bit per byte of `block` (bit k for byte k), given the byte after each (`next`):
/// those that belong to words, taking every non-ASCII byte as one, and the lead bytes of
/// the characters that must be decoded to know (all but the Latin-1 letters: `C3` but
/// before `97` and `B7`, × and ÷). Branch-free over fixed-size arrays, the classification
/// compiles to SIMD compares (as in [`crate::correct::fold`]).
#[inline]
fn classify(block: &[u8; BLOCK], next: &[u8; BLOCK]) -> (u64, u64) {
    let mut words = [0u8; BLOCK];
    let mut leads = [0u8; BLOCK];
    for (((word, lead), &b), &next) in words.iter_mut().zip(&mut leads).zip(block).zip(next) {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        *word = u8::from(letter | digit | (b == b'_') | (b >= 0x80)) << 7;
        let latin_letter = (b == 0xc3) & (next != 0x97) & (next != 0xb7);
        *lead = u8::from((b >= 0xc0) & !latin_letter) << 7;
    }
    (high_bits(&words), high_bits(&leads))
}

/// The hash of the word `start..end` of `bytes`, the key of the index: its first eight
/// bytes (fewer when it is shorter) and its length, through one multiplication whose top
/// bits, which the filter uses, depend on every bit ([`mix`] spreads them for the hash
/// table). Longer words that share their first eight bytes and length share a key, and
/// the byte comparison tells their patterns apart. One load and no loop: hashing whole
/// words cost a third more per word.
#[inline]
fn word_hash(bytes: &[u8], start: usize, end: usize) -> u64 {
    const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;
    let len = end - start;
    let first = match bytes.get(start..start + 8) {
        Some(first) => u64::from_le_bytes(first.try_into().expect("8 bytes")),
        None => {
            let mut first = [0; 8];
            first[..bytes.len() - start].copy_from_slice(&bytes[start..]);
            u64::from_le_bytes(first)
        }
    };
    let kept = first & (u64::MAX >> (64 - 8 * len.clamp(1, 8)));
    (kept.rotate_left(5) ^ len as u64).wrapping_mul(MULTIPLIER)
}

/// The key of two words from their hashes: each word of a text is then hashed once.
/// What separates them is left out (`l'ia` and `l ia` share a key; the byte comparison
/// tells them apart).
#[inline]
fn pair_hash(first: u64, second: u64) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    (first.rotate_left(23) ^ second).wrapping_mul(MULTIPLIER)
}

/// Spreads the bits of a [`word_hash`] over the low bits the hash tables use.
fn mix(hash: u64) -> u64 {
    let hash = (hash ^ (hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

/// A map keyed by [`word_hash`] values, which need no hashing again.
type Keyed<V> = HashMap<u64, V, BuildHasherDefault<AlreadyHashed>>;

/// The hasher of [`Keyed`]: the key is the hash.
#[derive(Debug, Default)]
struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Keys are u64, written with `write_u64`; anything else still hashes.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The words of `text`, one character at a time.
    fn words_by_chars(text: &str) -> Vec<(usize, usize)> {
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push((s, text.len()));
        }
        words
    }

    fn words(text: &str) -> Vec<(usize, usize)> {
        let mut words = Vec::new();
        for_each_word(text, |s, e| words.push((s, e)));
        words
    }

    #[test]
    fn finds_words_across_blocks_and_characters() {
        let text = format!(
            "{}l'ia «profonde» × ÷ œuvre_2 e\u{301} —\u{fffc}fin",
            "a ".repeat(31)
        );
        assert_eq!(words(&text), words_by_chars(&text));
        assert_eq!(words(""), []);
        assert_eq!(words("mot"), [(0, 3)]);
        assert_eq!(words(&"x".repeat(64)), [(0, 64)]);
    }

    #[test]
    fn a_word_hashes_the_same_wherever_it_lies() {
        let text = "xx chatgpt et l'ia profondeur, fin";
        for (start, end) in [(3, 10), (14, 15), (16, 18), (19, 29), (0, 2), (31, 34)] {
            let alone = &text.as_bytes()[start..end];
            assert_eq!(
                word_hash(text.as_bytes(), start, end),
                word_hash(alone, 0, alone.len())
            );
        }
        assert_ne!(word_hash(b"ab", 0, 2), word_hash(b"ab\0", 0, 3));
        assert_ne!(
            word_hash(b"profonde", 0, 8),
            word_hash(b"profondeur", 0, 10)
        );
    }

    #[test]
    fn keys_are_the_first_word_or_the_first_two() {
        assert_eq!(key_words("chatgpt"), Some(((0, 7), None)));
        assert_eq!(key_words("chat-"), Some(((0, 4), None)));
        assert_eq!(key_words("l'ia profonde"), Some(((0, 1), Some((2, 4)))));
        assert_eq!(key_words("la profondeur v3"), Some(((0, 2), Some((3, 13)))));
        assert_eq!(key_words("«chat"), None);
    }

    #[test]
    fn finds_patterns_at_word_starts_only() {
        let patterns: Vec<String> = ["chat", "l'ia profonde", "ia profonde", "«x", "é ia"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let (index, others) = WordIndex::build(patterns);
        assert_eq!(others, [3]);
        let mut found = Vec::new();
        let text = "le chat, l'ia profonde et achat chatte, xl'ia profonde, é ia, ré ia";
        index.find(text, |s, e, id| found.push((s, e, id)));
        found.sort_unstable();
        assert_eq!(
            found,
            [(3, 7, 0), (9, 22, 1), (11, 22, 2), (43, 54, 2), (56, 61, 4)]
        );
    }

    proptest! {
        #[test]
        fn finds_the_words_a_char_by_char_scan_finds(
            pieces in proptest::collection::vec(prop::sample::select(vec![
                "a", "z", "Z", "0", "_", " ", "'", "-", "é", "É", "×", "÷", "«", "\u{a0}",
                "œ", "\u{301}", "\u{2019}", "—", "\u{fffc}", "日本", "\u{1f600}", "²", "\n",
                "ab cd ", "ééééééé",
            ]), 0..120)
        ) {
            let text = pieces.concat();
            prop_assert_eq!(words(&text), words_by_chars(&text));
        }
    }
}
