//! Stage 2b: the word index, how large glossaries find their literal patterns in a view.
//!
//! A pattern that starts with a word character can only be accepted where a word starts
//! (its match must be a whole word), and there the text from the start of the word to the
//! end of that word, or of the next one, is the pattern's own start. So each such pattern
//! is filed under the hash of its first word, or of its first two words with what
//! separates them, and the view is read word by word: two table look-ups per word, and a
//! byte comparison only where a key matches. With tens of thousands of patterns this
//! beats an automaton walking every byte through a trie too large for the caches (which
//! runs at about 125 MB/s at 20,000 patterns); with few patterns the automaton's SIMD
//! prefilter is faster, and [`crate::matcher`] keeps it.
//!
//! Words are found 64 bytes at a time: a bit mask of the bytes that belong to words (ASCII
//! letters, digits and `_` by bit tricks on 8-byte lanes, non-ASCII characters checked one
//! by one unless they are Latin-1 letters), whose edges are the starts and ends of words.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::fold::is_word_char;

/// Literal patterns that start with a word character, filed by the hash of their key:
/// their first word, or their first two words and the characters between.
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

/// The bit of `hash` in a filter of 2^`bits` bits: its word and its mask.
fn filter_bit(hash: u64, bits: u32) -> (usize, u64) {
    let bit = (hash >> (64 - bits)) as usize;
    (bit / 64, 1 << (bit % 64))
}

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
            let Some(key) = key_of(pattern) else {
                others.push(id);
                continue;
            };
            let table = match key {
                Key::OneWord(_) => &mut index.one_word,
                Key::TwoWords(..) => &mut index.two_words,
            };
            let hash = key.hash(pattern.as_bytes());
            table.entry(mix(hash)).or_default().push(id);
            let (word, bit) = filter_bit(hash, filter_bits);
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
        let mut probe = |table: &Keyed<Vec<usize>>, key: u64, start: usize| {
            let (word, bit) = filter_bit(key, self.filter_bits);
            if self.filter[word] & bit == 0 {
                return;
            }
            for &id in table.get(&mix(key)).into_iter().flatten() {
                let pattern = self.patterns[id].as_bytes();
                if bytes[start..].starts_with(pattern) {
                    found(start, start + pattern.len(), id);
                }
            }
        };
        let (one_word, two_words) = (!self.one_word.is_empty(), !self.two_words.is_empty());
        // Each word is hashed once: as a key alone, and as the second half of the key of
        // the word before it.
        let mut previous: Option<(usize, usize, u64)> = None;
        for_each_word(text, |start, end| {
            let hash = span_hash(bytes, start, end);
            if one_word {
                probe(&self.one_word, hash, start);
            }
            if let (true, Some((s, e, h))) = (two_words, previous) {
                probe(
                    &self.two_words,
                    pair_hash(h, span_hash(bytes, e, start), hash),
                    s,
                );
            }
            previous = Some((start, end, hash));
        });
    }
}

/// Where the words of a pattern's key lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// One word (then, maybe, characters that are not words): its end.
    OneWord(usize),
    /// Two words: the end of the first, the start and the end of the second.
    TwoWords(usize, usize, usize),
}

impl Key {
    /// The key's hash, as [`WordIndex::find`] computes it for the text.
    fn hash(self, pattern: &[u8]) -> u64 {
        match self {
            Key::OneWord(end) => span_hash(pattern, 0, end),
            Key::TwoWords(first_end, second, second_end) => pair_hash(
                span_hash(pattern, 0, first_end),
                span_hash(pattern, first_end, second),
                span_hash(pattern, second, second_end),
            ),
        }
    }
}

/// The key of a pattern, or `None` when it does not start with a word character.
fn key_of(pattern: &str) -> Option<Key> {
    let first_end = word_end(pattern, 0);
    if first_end == 0 {
        return None;
    }
    let second = pattern[first_end..]
        .char_indices()
        .find(|&(_, c)| is_word_char(c))
        .map(|(i, _)| first_end + i);
    Some(match second {
        None => Key::OneWord(first_end),
        Some(second) => Key::TwoWords(first_end, second, word_end(pattern, second)),
    })
}

/// The end of the run of word characters of `text` from `start`.
fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(i, _)| start + i)
}

/// Calls `word(start, end)` for each maximal run of word characters ([`is_word_char`])
/// of `text`, in order.
pub fn for_each_word(text: &str, mut word: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    // Whether the byte before the block belongs to a word (as bit 0), and the bytes of a
    // non-word character that spill over from the block before.
    let mut before = 0u64;
    let mut spill = 0u64;
    let mut at = 0;
    while at < bytes.len() {
        let block = block_at(bytes, at);
        let mut words = word_byte_mask(&block) & !spill;
        spill = 0;
        let mut leads = lane_masks(&block, |x| x & (x << 1) & HIGHS);
        while leads != 0 {
            let k = leads.trailing_zeros() as usize;
            leads &= leads - 1;
            // Latin-1 letters (lead byte C3 but × and ÷) need no decoding.
            if bytes[at + k] == 0xc3 && !matches!(bytes[at + k + 1], 0x97 | 0xb7) {
                continue;
            }
            let c = text[at + k..]
                .chars()
                .next()
                .expect("a lead byte starts a char");
            if !is_word_char(c) {
                let bits = (1u64 << c.len_utf8()) - 1;
                words &= !(bits << k);
                if k + c.len_utf8() > 64 {
                    spill = bits >> (64 - k);
                }
            }
        }
        let shifted = (words << 1) | before;
        let starts = words & !shifted;
        let mut edges = starts | (!words & shifted);
        while edges != 0 {
            let k = edges.trailing_zeros() as usize;
            edges &= edges - 1;
            if starts >> k & 1 == 1 {
                start = at + k;
            } else {
                word(start, at + k);
            }
        }
        before = words >> 63;
        at += 64;
    }
    if before == 1 {
        word(start, bytes.len());
    }
}

/// The 64 bytes of `bytes` from `at`, padded with zeros (not word bytes) at the end.
fn block_at(bytes: &[u8], at: usize) -> [u8; 64] {
    match bytes.get(at..at + 64) {
        Some(block) => block.try_into().expect("64 bytes"),
        None => {
            let mut block = [0; 64];
            block[..bytes.len() - at].copy_from_slice(&bytes[at..]);
            block
        }
    }
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGHS: u64 = ONES << 7;

/// One bit per byte of `block` (bit k for byte k): those that belong to words, taking
/// every non-ASCII byte as one (the caller clears the characters that are not).
fn word_byte_mask(block: &[u8; 64]) -> u64 {
    lane_masks(block, |x| {
        let word = between(x, b'0' - 1, b'9' + 1)
            | between(x, b'a' - 1, b'z' + 1)
            | between(x, b'A' - 1, b'Z' + 1)
            | between(x, b'_' - 1, b'_' + 1);
        word | (x & HIGHS)
    })
}

/// Applies `lane` to each 8-byte lane of `block`, which sets the high bit of the bytes it
/// selects, and gathers those bits into one bit per byte.
fn lane_masks(block: &[u8; 64], lane: impl Fn(u64) -> u64) -> u64 {
    let mut mask = 0;
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // The high bit of byte j lands on bit 56 + j (no two partial products meet).
        let bits = ((lane(x) & HIGHS).wrapping_mul(0x0002_0408_1020_4081)) >> 56;
        mask |= bits << (8 * i);
    }
    mask
}

/// The high bit of each byte of `x` that lies strictly between `low` and `high` (ASCII
/// bytes only; `high` at most 128), exactly: no lane borrows from or carries into another
/// ("Bit Twiddling Hacks", "determine if a word has a byte between m and n").
fn between(x: u64, low: u8, high: u8) -> u64 {
    let seven_bits = x & (ONES * 0x7f);
    (ONES * (127 + u64::from(high))).wrapping_sub(seven_bits)
        & !x
        & (seven_bits + ONES * (127 - u64::from(low)))
        & HIGHS
}

/// A hash of the span `start..end` of `bytes`, the key of the index: eight bytes at a
/// time (the last ones zero-padded) through a multiplication, whose top bits, which the
/// filter uses, depend on every byte ([`mix`] spreads them for the hash tables). The last
/// bytes are read as one word with those past the span masked off: copying them into a
/// padded buffer cost a third of the search (the word load then waited for the stores).
#[inline]
fn span_hash(bytes: &[u8], start: usize, end: usize) -> u64 {
    const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let mut hash = (end - start) as u64;
    let mut at = start;
    while at + 8 <= end {
        hash = (hash.rotate_left(5) ^ word(at)).wrapping_mul(MULTIPLIER);
        at += 8;
    }
    if at < end {
        let rest = end - at;
        let last = if at + 8 <= bytes.len() {
            word(at) & (u64::MAX >> (64 - 8 * rest))
        } else {
            let mut last = [0; 8];
            last[..rest].copy_from_slice(&bytes[at..end]);
            u64::from_le_bytes(last)
        };
        hash = (hash.rotate_left(5) ^ last).wrapping_mul(MULTIPLIER);
    }
    hash
}

/// The key of two words from the hashes of the first, of what separates them and of the
/// second: each word of a text is then hashed once.
fn pair_hash(first: u64, between: u64, second: u64) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let hash = (first.rotate_left(23) ^ between).wrapping_mul(MULTIPLIER);
    (hash.rotate_left(23) ^ second).wrapping_mul(MULTIPLIER)
}

/// Spreads the bits of a [`span_hash`] over the low bits the hash tables use.
fn mix(hash: u64) -> u64 {
    let hash = (hash ^ (hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

/// A map keyed by [`span_hash`] values, which need no hashing again.
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
    fn a_span_hashes_the_same_wherever_it_lies() {
        let text = "xx chatgpt et l'ia profonde, fin";
        for (start, end) in [(3, 10), (14, 27), (14, 18), (0, 2), (29, 32)] {
            let alone = &text.as_bytes()[start..end];
            assert_eq!(
                span_hash(text.as_bytes(), start, end),
                span_hash(alone, 0, alone.len())
            );
        }
        assert_ne!(span_hash(b"ab", 0, 2), span_hash(b"ab\0", 0, 3));
    }

    #[test]
    fn keys_end_after_the_first_or_second_word() {
        assert_eq!(key_of("chatgpt"), Some(Key::OneWord(7)));
        assert_eq!(key_of("chat-"), Some(Key::OneWord(4)));
        assert_eq!(key_of("l'ia profonde"), Some(Key::TwoWords(1, 2, 4)));
        assert_eq!(key_of("la profondeur v3"), Some(Key::TwoWords(2, 3, 13)));
        assert_eq!(key_of("«chat"), None);
    }

    #[test]
    fn finds_patterns_at_word_starts_only() {
        let patterns: Vec<String> = ["chat", "l'ia profonde", "ia profonde", "«x"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let (index, others) = WordIndex::build(patterns);
        assert_eq!(others, [3]);
        let mut found = Vec::new();
        index.find("le chat, l'ia profonde et achat chatte", |s, e, id| {
            found.push((s, e, id))
        });
        assert_eq!(found, [(3, 7, 0), (9, 22, 1), (11, 22, 2)]);
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
