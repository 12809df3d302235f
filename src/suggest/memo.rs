//! What the word lists and the known names say of a word, worked out once per word and
//! remembered: a word's [`Facts`] depend on the word alone (its folded form), never on
//! its article, so every reason reads them from one look-up of one hash per word.
//!
//! Most words of a text are a few thousand frequent ones, answered from a table of 256 KB
//! ([`Memo`]) instead of the word lists' tables of megabytes and the known names' string
//! sets. Only what [`Lexicon`] and [`NearIndex`] answer is remembered, so the answers are
//! the same whatever the order of the articles and the number of workers.

use super::lexicon::{self, Lexicon, squash};
use super::near::NearIndex;

/// What is known of a folded word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Facts(u8);

impl Facts {
    /// In a word list, or a word of a known name.
    const KNOWN: u8 = 1;
    /// Its squashed form starts a known name's key ([`Lexicon::name_prefixes`]).
    const NAME_START: u8 = 2;
    /// In no word list, and within reach of a known name ([`NearIndex::nearest`]).
    const NEAR: u8 = 4;
    /// In no word list, and shaped like a mangled word ([`super::unknown::may_be_mangled`]).
    const UNKNOWN: u8 = 8;
    /// Bits taken by the facts in a [`Memo`] slot.
    const BITS: u64 = 0xf;

    /// Works the facts of `word` (folded) out.
    pub(crate) fn of(word: &str, hash: u64, lexicon: &Lexicon, near: &NearIndex) -> Facts {
        let mut facts = 0;
        let known = lexicon.name_words.contains(word) || lexicon.is_word_hashed(word, hash);
        if known {
            facts |= Facts::KNOWN;
        } else {
            if near.has_near_name(word) {
                facts |= Facts::NEAR;
            }
            if super::unknown::may_be_mangled(word, lexicon) {
                facts |= Facts::UNKNOWN;
            }
        }
        if lexicon.may_start_a_name(word) && lexicon.name_prefixes.contains(squash(word).as_str()) {
            facts |= Facts::NAME_START;
        }
        Facts(facts)
    }

    pub(crate) fn known(self) -> bool {
        self.0 & Facts::KNOWN != 0
    }

    pub(crate) fn starts_a_name(self) -> bool {
        self.0 & Facts::NAME_START != 0
    }

    pub(crate) fn near_a_name(self) -> bool {
        self.0 & Facts::NEAR != 0
    }

    pub(crate) fn may_be_mangled(self) -> bool {
        self.0 & Facts::UNKNOWN != 0
    }
}

/// The facts of the last words seen, by their hash: a direct-mapped table, each slot the
/// word's hash with its low [`Facts::BITS`] replaced by the facts (0 when empty). Two
/// words share the other 60 bits with probability 2^-60 per pair.
pub(crate) struct Memo {
    slots: Vec<u64>,
}

/// Slots of [`Memo`]: 32,768 of 8 bytes, 256 KB, which the processor's second-level
/// cache holds.
const SLOTS: usize = 1 << 15;

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            slots: vec![0; SLOTS],
        }
    }
}

impl Memo {
    /// The facts of `word` (folded).
    pub(crate) fn facts(&mut self, word: &str, lexicon: &Lexicon, near: &NearIndex) -> Facts {
        let hash = lexicon::word_hash(word);
        let slot = &mut self.slots[(hash >> 32) as usize % SLOTS];
        if *slot != 0 && *slot & !Facts::BITS == hash & !Facts::BITS {
            return Facts((*slot & Facts::BITS) as u8);
        }
        let facts = Facts::of(word, hash, lexicon, near);
        *slot = (hash & !Facts::BITS) | u64::from(facts.0);
        facts
    }
}
