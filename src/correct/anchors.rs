//! The anchor shortcut: before folding and matching a plain-text article, a search of
//! its raw bytes (in ASCII lower case) for each pattern's anchor, its longest run of
//! ASCII letters and digits, picks the paragraphs worth searching; the others are
//! skipped. No match and no sentence crosses a paragraph break, so the result is the same
//! as searching the whole text (a property test in `correct` compares both). When the
//! anchors are common words the shortcut only adds a search, and [`AnchorGate`] turns it
//! off for the run.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, MatchKind};

/// Learns, from the first articles of a run, whether the anchor shortcut pays. When the
/// anchors are common words, most paragraphs hold one and the anchor search only adds to
/// the cost (on French prose, one thread, the shipped glossaries run about 40% slower with
/// the shortcut, while ten rules of rare names run a fifth faster with it). The shortcut
/// never changes a match, so turning it off changes the speed only; once off, it stays
/// off for the run.
#[derive(Debug, Default)]
pub(crate) struct AnchorGate {
    /// Articles searched with the shortcut, and those where it skipped most of the text.
    tried: AtomicUsize,
    paid: AtomicUsize,
    off: AtomicBool,
}

/// Articles after which [`AnchorGate`] decides.
pub(crate) const ANCHOR_TRIAL: usize = 64;

impl AnchorGate {
    pub(crate) fn is_open(&self) -> bool {
        !self.off.load(Ordering::Relaxed)
    }

    /// Records whether the shortcut paid on one article; after [`ANCHOR_TRIAL`] of them,
    /// turns it off unless it paid on most.
    pub(crate) fn record(&self, paid: bool) {
        if self.tried.load(Ordering::Relaxed) >= ANCHOR_TRIAL {
            return;
        }
        let paid = self.paid.fetch_add(usize::from(paid), Ordering::Relaxed) + usize::from(paid);
        let tried = self.tried.fetch_add(1, Ordering::Relaxed) + 1;
        if tried == ANCHOR_TRIAL && paid * 2 < tried {
            self.off.store(true, Ordering::Relaxed);
        }
    }
}

/// The paragraphs of `text` where an anchor occurs (see [`Rules::paragraphs_to_search`]).
pub(crate) fn anchored_paragraphs(anchors: &Anchors, text: &str) -> Option<Vec<(usize, usize)>> {
    LOWER_CASE.with_borrow_mut(|lower| {
        lower.clear();
        lower.extend_from_slice(text.as_bytes());
        lower.make_ascii_lowercase();
        let paragraphs = paragraphs_with_hits(anchors, text, lower);
        if lower.capacity() > KEPT_LOWER_CASE {
            *lower = Vec::new();
        }
        paragraphs
    })
}

thread_local! {
    /// The lower-case copy of the text a worker searches for anchors, kept from one
    /// article to the next.
    static LOWER_CASE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest lower-case copy a worker keeps.
const KEPT_LOWER_CASE: usize = 1 << 20;

/// The paragraphs of `text` that hold a hit that counts (see [`Anchors::counts`]), found
/// in `lower`, the text in ASCII lower case.
fn paragraphs_with_hits(
    anchors: &Anchors,
    text: &str,
    lower: &[u8],
) -> Option<Vec<(usize, usize)>> {
    let mut cover = Paragraphs::new(text);
    for hit in anchors.search.find_iter(lower) {
        if cover.holds(hit.start()) || !anchors.counts(lower, hit.start(), hit.end()) {
            continue;
        }
        cover.add(hit.start(), hit.end())?;
        if cover.len() > text.len() / 2 {
            // Most of the text holds anchors: one view of it all is cheaper.
            return None;
        }
    }
    Some(cover.into_ranges())
}

/// The runs of whole paragraphs of a plain text that hold some byte ranges, sorted and
/// apart, as [`crate::correct::substitutions_in_paragraphs`] takes them: no match and no
/// sentence crosses a paragraph break, so matching these runs alone finds, in them, what
/// matching the whole text finds.
pub(crate) struct Paragraphs<'t> {
    text: &'t str,
    ranges: Vec<(usize, usize)>,
    /// Bytes in `ranges`.
    len: usize,
}

impl<'t> Paragraphs<'t> {
    pub(crate) fn new(text: &'t str) -> Paragraphs<'t> {
        Paragraphs {
            text,
            ranges: Vec::new(),
            len: 0,
        }
    }

    /// Whether byte `at` is in the last run added.
    pub(crate) fn holds(&self, at: usize) -> bool {
        self.ranges.last().is_some_and(|&(_, end)| at < end)
    }

    /// Adds the paragraphs holding `text[start..end]`, which starts no earlier than the
    /// ranges added before; `None` when a paragraph is longer than [`MAX_PARAGRAPH`] (the
    /// whole text is then to be searched).
    pub(crate) fn add(&mut self, start: usize, end: usize) -> Option<()> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let start = paragraph_start(bytes, start)?;
        let end = paragraph_end(bytes, end)?;
        // White space at the edges belongs to the break between paragraphs, which the
        // view of the whole text folds into one `\n`; at the start or the end of the text
        // it is no break, and the view keeps it (as a space).
        let inner = &text[start..end];
        let start = match start {
            0 => 0,
            _ => start + (inner.len() - inner.trim_start().len()),
        };
        let end = match end == text.len() {
            true => end,
            false => end - (inner.len() - inner.trim_end().len()),
        };
        self.len += end.saturating_sub(start);
        match self.ranges.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => self.ranges.push((start, end.max(start))),
        }
        Some(())
    }

    /// Bytes of the paragraphs added, summed range by range.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn into_ranges(self) -> Vec<(usize, usize)> {
        self.ranges
    }
}

/// Above this many anchors, some are common words and nearly every paragraph has one:
/// the anchor pass would then only add to the cost (measured: +15% at 1,000 rules).
const MAX_ANCHORS: usize = 256;

/// Longest paragraph searched on its own; beyond, the whole text is (the result is the
/// same, only the shortcut is lost).
const MAX_PARAGRAPH: usize = 64 << 10;

/// A search over raw text for the longest run of ASCII letters and digits of each folded
/// pattern (and of each literal that triggers a regex rule), and what a hit must be to
/// count. Every variant of a match contains its pattern's anchor byte for byte but for
/// ASCII case: folding changes apostrophes, white space, combining marks and the case of
/// letters, never an ASCII letter or digit into anything else, and no non-ASCII character
/// folds to ASCII.
///
/// A literal pattern's anchor is moreover a whole ASCII word there (a run of ASCII letters
/// and digits): beside it in a match is what is beside it in the pattern (neither a letter
/// nor a digit of ASCII, or a non-ASCII character, whose bytes are not either), or the
/// match's edge, past which the text does not go on with a word character. So a hit
/// counts only inside an ASCII word that is an anchor: on the benchmark's prose, a third of
/// the hits (`chat` in `achat`, `profonde` in `profondeur`), each a paragraph to fold. A
/// trigger is only the start of a regex's match: a hit counts inside any ASCII word that
/// holds a trigger's anchor.
///
/// The search runs on a copy of the text in ASCII lower case (anchors are, as folded
/// patterns are), with an Aho-Corasick automaton, whose SIMD prefilter (Teddy) then looks
/// for the anchors themselves. Slower on French prose, copy included: a case-insensitive
/// byte regex (the regex crate expands the case variants of each anchor's first four
/// bytes into fingerprints that common words such as `professeur` share, each a
/// candidate to verify), an `ascii_case_insensitive` automaton (no SIMD prefilter), and
/// word boundaries in a regex (`\b`: no anchor can then stand for a longer one that
/// contains it, and Teddy falls back to shorter fingerprints). To reopen this, time
/// `check` at ten rules on the benchmark corpus with each search.
#[derive(Debug)]
pub(crate) struct Anchors {
    /// Finds the anchors, leftmost first, in text in ASCII lower case.
    search: AhoCorasick,
    /// The anchors of literal patterns (lower case, as patterns are folded).
    words: rustc_hash::FxHashSet<Vec<u8>>,
    /// The anchors of regex triggers.
    triggers: Vec<Vec<u8>>,
    /// The length of the longest anchor.
    longest: usize,
}

impl Anchors {
    /// `None` if a pattern or trigger has no run of two ASCII letters or digits, or there
    /// are more than [`MAX_ANCHORS`].
    pub(crate) fn new(literals: &[String], triggers: &[String]) -> Option<Anchors> {
        // Large glossaries have too many: stop counting as soon as that is known (taking
        // the anchors of 20,000 patterns to sort them costs about 1 ms of the start-up).
        let mut distinct = rustc_hash::FxHashSet::default();
        for pattern in literals.iter().chain(triggers) {
            distinct.insert(anchor_of(pattern)?);
            if distinct.len() > MAX_ANCHORS {
                return None;
            }
        }
        // Every pattern has an anchor (checked above).
        let words: Vec<&str> = literals.iter().filter_map(|p| anchor_of(p)).collect();
        let triggers: Vec<&str> = triggers.iter().filter_map(|p| anchor_of(p)).collect();
        let mut anchors: Vec<&str> = distinct.into_iter().collect();
        anchors.sort_unstable();
        // An anchor holding another is found wherever it occurs by the shorter one: fewer
        // literals make a faster SIMD search.
        let all = anchors.clone();
        anchors.retain(|a| !all.iter().any(|b| b.len() < a.len() && a.contains(b)));
        let search = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&anchors)
            .ok()?;
        Some(Anchors {
            search,
            longest: words
                .iter()
                .chain(&triggers)
                .map(|a| a.len())
                .max()
                .unwrap_or(0),
            words: words.iter().map(|w| w.as_bytes().to_vec()).collect(),
            triggers: triggers.iter().map(|t| t.as_bytes().to_vec()).collect(),
        })
    }

    /// Whether the hit `lower[start..end]` counts: the ASCII word around it is a word
    /// anchor, or holds a trigger's anchor (`lower` is the text in ASCII lower case, as
    /// anchors are). The word is looked for only as far as the longest anchor reaches: a
    /// longer word is no word anchor, and is taken to hold a trigger's (so that a long run
    /// of letters costs no more per hit).
    fn counts(&self, lower: &[u8], start: usize, end: usize) -> bool {
        let from = start.saturating_sub(self.longest);
        let word_start = match lower[from..start]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
        {
            Some(i) => from + i + 1,
            None if from == 0 => 0,
            None => return !self.triggers.is_empty(),
        };
        let to = (end + self.longest).min(lower.len());
        let word_end = match lower[end..to]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
        {
            Some(i) => end + i,
            None if to == lower.len() => to,
            None => return !self.triggers.is_empty(),
        };
        let word = &lower[word_start..word_end];
        let holds = |anchor: &Vec<u8>| word.windows(anchor.len()).any(|w| w == anchor);
        self.words.contains(word) || self.triggers.iter().any(holds)
    }
}

/// The longest run of ASCII letters and digits of a folded pattern, if it has one of two
/// or more.
fn anchor_of(pattern: &str) -> Option<&str> {
    pattern
        .split(|c: char| !c.is_ascii_alphanumeric())
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= 2)
}

/// The start of the paragraph holding byte `at`: just after a blank line (two line
/// breaks with only spaces, tabs or `\r` between them), or the start of the text. Line
/// breaks are found with `memchr`'s vector search.
fn paragraph_start(bytes: &[u8], at: usize) -> Option<usize> {
    let floor = at.saturating_sub(MAX_PARAGRAPH);
    for i in memchr::memrchr_iter(b'\n', &bytes[floor..at]).map(|i| floor + i) {
        let before = bytes[..i]
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r'));
        if before.is_some_and(|j| bytes[j] == b'\n') {
            return Some(i + 1);
        }
    }
    (floor == 0).then_some(0)
}

/// The end of the paragraph holding byte `at - 1`: at the first line break of the next
/// blank line, or the end of the text.
fn paragraph_end(bytes: &[u8], at: usize) -> Option<usize> {
    let ceiling = (at + MAX_PARAGRAPH).min(bytes.len());
    for i in memchr::memchr_iter(b'\n', &bytes[at..ceiling]).map(|i| at + i) {
        let after = bytes[i + 1..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r'));
        if after.is_some_and(|j| bytes[i + 1 + j] == b'\n') {
            return Some(i);
        }
    }
    (ceiling == bytes.len()).then_some(ceiling)
}
