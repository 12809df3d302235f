//! The matching view. Before matching, an article is folded into a view where
//! every apostrophe is `'`, every run of white space holding at most one line break is a
//! single space (a run holding a blank line is a single `\n`, a paragraph break), accents
//! written as combining marks (NFD) are composed, and, in the `folded` copy, letters are
//! lower case. Patterns are folded the same way, so one automaton pass finds every variant
//! of an artifact.
//!
//! Markup is folded too (see `markup`): an HTML entity becomes the character it stands
//! for, a block tag a paragraph break, and an inline tag or a code span an opaque
//! [`MARKER`]; such spans are recorded as protected so that no edit touches them.
//!
//! Lower-casing never changes a character's UTF-8 length here (a character whose lower
//! case has another length is left as it is), so the `cased` and `folded` copies share
//! offsets, and an exact map leads from view offsets back to the article's bytes: logged
//! positions never drift.

use std::cell::RefCell;

/// Characters read as the apostrophe `'`.
const APOSTROPHES: [char; 3] = ['\'', '\u{2019}', '\u{02BC}'];

/// Stands in the view for markup that is neither text nor a break (an inline tag, a code
/// span): not a word character, not white space, and never part of a pattern.
pub(crate) const MARKER: char = '\u{FFFC}';

/// What a span of the original text stands for in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A character written another way (an HTML entity).
    Char(char),
    /// A paragraph break (a block tag, a code block). Protected.
    Break,
    /// Markup or code that is not text. Protected.
    Opaque,
}

/// A span of the original text that the view shows as one [`Unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub unit: Unit,
}

/// A folded view of a text and the map back to the original offsets.
#[derive(Debug, Default)]
pub struct View {
    /// Apostrophes, white space and combining marks folded, case kept; built only when
    /// asked for (exact-case regex rules run there).
    pub cased: Option<String>,
    /// `cased` with letters lower-cased (literal rules and contexts run here).
    pub folded: String,
    /// `(view offset, original offset)` after each unit whose length changed, in order.
    shifts: Vec<(usize, usize)>,
    /// Original byte ranges that must not be edited (markup), sorted.
    protected: Vec<(usize, usize)>,
    /// What the whole article says to rules with article scope (empty: nothing known,
    /// or no such rule); set by the caller once the view is built.
    pub article: crate::correct::article_scope::ArticleFacts,
}

impl View {
    /// Folds plain text.
    pub fn new(text: &str) -> View {
        View::with_spans(text, &[], false)
    }

    /// Folds text whose `spans` (sorted, non-overlapping) stand for other units; with
    /// `keep_case`, also builds the `cased` copy.
    pub fn with_spans(text: &str, spans: &[Span], keep_case: bool) -> View {
        View::build(text, spans, keep_case, true)
    }

    /// Folds `text`, with or without the `fast_path` (tests prove both give the same view).
    fn build(text: &str, spans: &[Span], keep_case: bool, fast_path: bool) -> View {
        let mut builder = Builder::new(text.len(), keep_case);
        let bytes = text.as_bytes();
        let mut spans = spans.iter().peekable();
        let next_span = |spans: &mut std::iter::Peekable<std::slice::Iter<'_, Span>>| {
            spans.peek().map_or(bytes.len(), |s| s.start)
        };
        let mut i = 0;
        while i < bytes.len() {
            if let Some(span) = spans.next_if(|s| s.start == i) {
                builder.push_span(*span);
                i = span.end;
                continue;
            }
            if fast_path && builder.pending.is_none() {
                // Fast path: most of any article is runs of ASCII, lower-case Latin-1
                // letters and single spaces, which fold to themselves (ASCII letters to
                // lower case), between runs of ASCII white space (line breaks, double
                // spaces), which fold to one space or paragraph break.
                let end = builder.push_plain_stretch(text, i, next_span(&mut spans));
                if end > i {
                    i = end;
                    continue;
                }
            }
            let c = text[i..].chars().next().expect("char boundary");
            builder.push_char(c, i, i + c.len_utf8());
            i += c.len_utf8();
        }
        builder.finish()
    }

    /// The original byte offset of a view offset (a character boundary of the view).
    pub fn to_original(&self, view_offset: usize) -> usize {
        let i = self.shifts.partition_point(|&(v, _)| v <= view_offset);
        match i {
            0 => view_offset,
            _ => {
                let (v, o) = self.shifts[i - 1];
                o + (view_offset - v)
            }
        }
    }

    /// The text regex rules run on: the cased copy when it was built, else the folded one.
    pub fn regex_haystack(&self) -> &str {
        self.cased.as_deref().unwrap_or(&self.folded)
    }

    /// Whether the original range `start..end` overlaps protected markup.
    pub fn touches_markup(&self, start: usize, end: usize) -> bool {
        let i = self.protected.partition_point(|&(_, e)| e <= start);
        self.protected.get(i).is_some_and(|&(s, _)| s < end)
    }
}

/// Builds a [`View`] unit by unit.
struct Builder {
    view: View,
    /// A run of white space not yet emitted: original start, end, line breaks, and
    /// whether its last character was `\r` (so that `\r\n` counts once).
    pending: Option<(usize, usize, usize, bool)>,
    /// The last emitted ordinary character, its view offset and original start: an NFD
    /// combining mark that follows may compose with it.
    last_char: Option<(char, usize, usize)>,
    /// The original offset reached so far, where the next unit starts.
    original: usize,
}

thread_local! {
    /// A dropped view's buffers, for the next view built on the same thread (see
    /// [`View`]'s `Drop`).
    static SPARE: RefCell<Option<View>> = const { RefCell::new(None) };
}

/// The largest buffer a spare view keeps (one folded from a larger text is freed).
const SPARE_CAPACITY: usize = 1 << 20;

/// Gives a view's buffers to the next view built on this thread: a worker builds a view
/// per article, and each allocation of such a large block could wait for the lock of the
/// heap into which the other worker's thread is freeing the outcome of an earlier article
/// (glibc locks the heap a block came from).
impl Drop for View {
    fn drop(&mut self) {
        let capacity = self.folded.capacity();
        if capacity == 0 || capacity > SPARE_CAPACITY {
            return;
        }
        // Fails only while the thread is ending, when no view follows.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut()
                && spare.is_none()
            {
                *spare = Some(std::mem::take(self));
            }
        });
    }
}

/// The spare view of this thread, if any.
fn take_spare() -> Option<View> {
    SPARE
        .try_with(|spare| {
            spare
                .try_borrow_mut()
                .ok()
                .and_then(|mut spare| spare.take())
        })
        .ok()
        .flatten()
}

impl Builder {
    fn new(capacity: usize, keep_case: bool) -> Builder {
        let mut view = take_spare().unwrap_or_default();
        view.folded.clear();
        view.folded.reserve(capacity);
        view.shifts.clear();
        view.protected.clear();
        view.article = Default::default();
        view.cased = keep_case.then(|| {
            let mut cased = view.cased.take().unwrap_or_default();
            cased.clear();
            cased.reserve(capacity);
            cased
        });
        Builder {
            view,
            pending: None,
            last_char: None,
            original: 0,
        }
    }

    /// Appends what the fast path takes from `start` (before `limit`): runs that
    /// [`plain_run_end`] accepts, copied as they are (no UTF-8 to check again), between
    /// runs of white space that [`ascii_space_run`] accepts, each one space or paragraph
    /// break; then lower-cases the ASCII letters in place, the only other change folding
    /// makes to them. Returns where it stopped (`start` if it took nothing). It takes the
    /// whole stretch rather than one run, because going back to the main loop after each
    /// run makes folding about a fifth slower on French prose.
    fn push_plain_stretch(&mut self, text: &str, start: usize, limit: usize) -> usize {
        let bytes = text.as_bytes();
        let begin = self.view.folded.len();
        let mut i = start;
        loop {
            let end = plain_run_end(bytes, i, limit);
            if end > i {
                let run = &text[i..end];
                if let Some(cased) = &mut self.view.cased {
                    cased.push_str(run);
                }
                self.view.folded.push_str(run);
                let last = run.chars().next_back().expect("runs are not empty");
                let last_len = last.len_utf8();
                self.last_char = (last != ' ').then_some((
                    last,
                    self.view.folded.len() - last_len,
                    end - last_len,
                ));
                self.original = end;
                i = end;
            }
            let Some((end, breaks)) = ascii_space_run(bytes, i, limit) else {
                break;
            };
            self.push_unit(if breaks >= 2 { '\n' } else { ' ' }, i, end);
            self.last_char = None;
            i = end;
        }
        self.view.folded[begin..].make_ascii_lowercase();
        i
    }

    fn push_char(&mut self, c: char, start: usize, end: usize) {
        if c.is_whitespace() {
            self.extend_whitespace(c, start, end);
            return;
        }
        self.flush_whitespace();
        if APOSTROPHES.contains(&c) {
            self.push_unit('\'', start, end);
            self.last_char = None;
        } else if let Some(composed) = self.compose_with_last(c) {
            let (_, view_start, original_start) = self.last_char.expect("composed with it");
            if let Some(cased) = &mut self.view.cased {
                cased.truncate(view_start);
            }
            self.view.folded.truncate(view_start);
            while self
                .view
                .shifts
                .last()
                .is_some_and(|&(v, _)| v > view_start)
            {
                self.view.shifts.pop();
            }
            self.push_unit(composed, original_start, end);
            self.last_char = Some((composed, view_start, original_start));
        } else {
            let view_start = self.view.folded.len();
            self.push_unit(c, start, end);
            self.last_char = Some((c, view_start, start));
        }
    }

    /// The character an NFD combining mark forms with the last one, if any.
    fn compose_with_last(&self, mark: char) -> Option<char> {
        if mark < '\u{300}' || !unicode_normalization::char::is_combining_mark(mark) {
            return None;
        }
        let (base, _, _) = self.last_char?;
        unicode_normalization::char::compose(base, mark)
    }

    fn push_span(&mut self, span: Span) {
        match span.unit {
            Unit::Char(c) => self.push_char(c, span.start, span.end),
            Unit::Break => {
                self.extend_whitespace('\n', span.start, span.end);
                self.extend_whitespace('\n', span.end, span.end);
                self.view.protected.push((span.start, span.end));
            }
            Unit::Opaque => {
                self.flush_whitespace();
                self.push_unit(MARKER, span.start, span.end);
                self.last_char = None;
                self.view.protected.push((span.start, span.end));
            }
        }
    }

    fn extend_whitespace(&mut self, c: char, start: usize, end: usize) {
        let (run_start, _, breaks, after_cr) = self.pending.unwrap_or((start, end, 0, false));
        let is_break = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
        let counts = is_break && !(c == '\n' && after_cr);
        self.pending = Some((run_start, end, breaks + usize::from(counts), c == '\r'));
        self.last_char = None;
    }

    fn flush_whitespace(&mut self) {
        if let Some((start, end, breaks, _)) = self.pending.take() {
            self.push_unit(if breaks >= 2 { '\n' } else { ' ' }, start, end);
        }
    }

    fn push_unit(&mut self, c: char, start: usize, end: usize) {
        debug_assert!(start <= self.original, "units are contiguous");
        if let Some(cased) = &mut self.view.cased {
            cased.push(c);
        }
        self.view.folded.push(fold_case(c));
        if c.len_utf8() != end - start {
            self.view.shifts.push((self.view.folded.len(), end));
        }
        self.original = end;
    }

    fn finish(mut self) -> View {
        self.flush_whitespace();
        std::mem::take(&mut self.view)
    }
}

/// Folds a pattern the way [`View::new`] folds text, keeping case when `keep_case`.
pub fn fold_pattern(pattern: &str, keep_case: bool) -> String {
    let mut view = View::with_spans(pattern.trim(), &[], keep_case);
    match view.cased.take() {
        Some(cased) => cased,
        None => std::mem::take(&mut view.folded),
    }
}

/// Lower case of `c` when it is one character of the same UTF-8 length, else `c`.
pub(crate) fn fold_case(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // Latin-1 capitals (À to Þ but ×), the accents of French, without a table look-up.
    if ('\u{c0}'..='\u{de}').contains(&c) && c != '\u{d7}' {
        return char::from_u32(c as u32 + 0x20).unwrap_or(c);
    }
    if c < '\u{100}' {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
        _ => c,
    }
}

/// Whether `c` belongs to a word: letters, digits, `_` and combining marks (so that an
/// accent written as a separate mark, as in NFD text, stays inside its word).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
}

/// The end of the run of bytes from `start` (before `limit`) that folds byte for byte
/// to itself but for ASCII case: ASCII but white space, Latin-1 signs and lower-case
/// letters, and single spaces between them.
///
/// French is accented throughout: a fast path that stopped at every `é` left folding at
/// a third of its speed, and one that classified every byte through a table spent its
/// time in mispredicted jumps. Here a block scan finds the few bytes worth a look.
fn plain_run_end(bytes: &[u8], start: usize, limit: usize) -> usize {
    let j = next_irregular(bytes, start, limit);
    // A space just before white space, a character of the slow path or a span (which
    // may be a break) joins what follows; one at the end of the text does not.
    let space_before = j > start && bytes[j - 1] == b' ';
    if space_before && j < bytes.len() {
        j - 1
    } else {
        j
    }
}

/// The first byte from `i` (before `limit`) that [`plain_run_end`] must look at (see
/// [`is_irregular`]), or `limit`.
fn next_irregular(bytes: &[u8], mut i: usize, limit: usize) -> usize {
    while i + BLOCK < limit {
        let block: &[u8; BLOCK] = bytes[i..i + BLOCK].try_into().expect("a block");
        let next: &[u8; BLOCK] = bytes[i + 1..i + 1 + BLOCK].try_into().expect("a block");
        let found = irregular_mask(block, next);
        if found != 0 {
            return i + found.trailing_zeros() as usize;
        }
        i += BLOCK;
    }
    while i < limit {
        if is_irregular(bytes[i], bytes.get(i + 1).copied().unwrap_or(0)) {
            return i;
        }
        i += 1;
    }
    limit
}

/// Bytes [`next_irregular`] classifies at a time. In French prose a stop comes every 30
/// bytes or so, and a longer block classifies bytes past it for nothing (folding 100 MB:
/// 0.121 s with 16, 0.127 s with 32, 0.144 s with 64).
const BLOCK: usize = 16;

/// One bit per byte of `block` that [`is_irregular`] picks, given the bytes that follow
/// each (`next`). The classification, without branches over fixed-size arrays, compiles
/// to SIMD compares; [`high_bits`] gathers the bits (the compiler's own gathering is
/// slow). On French prose this is faster than bit tricks on 8-byte words (by about a
/// fifth), and gathering with `movemask` faster than a multiplication per eight bytes.
#[inline]
fn irregular_mask(block: &[u8; BLOCK], next: &[u8; BLOCK]) -> u64 {
    let mut flags = [0u8; BLOCK];
    for ((flag, &b), &next) in flags.iter_mut().zip(block).zip(next) {
        *flag = u8::from(is_irregular(b, next)) << 7;
    }
    high_bits(&flags)
}

/// The high bit of each byte (at most 64, a multiple of 16), as bit k for byte k: SSE2's
/// `movemask`, which every x86-64 processor has, 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn high_bits(bytes: &[u8]) -> u64 {
    use std::arch::x86_64::{_mm_movemask_epi8, _mm_set_epi64x};
    let mut mask = 0;
    for (i, lane) in bytes.chunks_exact(16).enumerate() {
        let half = |k: usize| i64::from_le_bytes(lane[k..k + 8].try_into().expect("8 bytes"));
        // SAFETY: SSE2 is part of the x86-64 baseline, so the target has it.
        let bits = unsafe { _mm_movemask_epi8(_mm_set_epi64x(half(8), half(0))) };
        mask |= u64::from(bits as u16) << (16 * i);
    }
    mask
}

/// The high bit of each byte (at most 64), as bit k for byte k, gathered eight bytes at a
/// time by a multiplication (the compiler's own gathering is slow).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn high_bits(bytes: &[u8]) -> u64 {
    let mut mask = 0;
    for (i, lane) in bytes.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(lane.try_into().expect("8 bytes")) & HIGHS;
        // The high bit of byte j lands on bit 56 + j (no two partial products meet).
        mask |= (x.wrapping_mul(0x0002_0408_1020_4081) >> 56) << (8 * i);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// Whether byte `b`, followed by `next`, needs a look: a control character (line breaks,
/// tabs), a lead byte of a non-ASCII character but those of Latin-1 characters that fold
/// to themselves (`é`, `«`, not `É` nor the no-break space), or the first of two spaces.
#[inline]
fn is_irregular(b: u8, next: u8) -> bool {
    let plain_latin = (b == 0xc3) & !is_latin_capital(next) | (b == 0xc2) & !is_latin_space(next);
    (b < 0x20) | ((b >= 0xc0) & !plain_latin) | ((b == b' ') & (next == b' '))
}

/// Whether the character at `i` is not white space and is one [`plain_run_end`] takes,
/// or `i` is the end of the text; not at `limit`, where a span may start a break.
fn starts_plain(bytes: &[u8], i: usize, limit: usize) -> bool {
    if i == bytes.len() {
        return true;
    }
    i < limit
        && match bytes[i] {
            b @ 0..=0x7f => !b.is_ascii_whitespace() && b != 0x0b,
            0xc3 => true,
            0xc2 => !is_latin_space(bytes[i + 1]),
            _ => false,
        }
}

/// Whether the second byte of a character led by `C2` makes it white space (U+0085, the
/// no-break space U+00A0), which the slow path folds.
fn is_latin_space(second: u8) -> bool {
    matches!(second, 0x85 | 0xa0)
}

/// Whether the second byte of a character led by `C3` makes it a capital (À to Þ but
/// ×), which [`fold_case`] lower-cases.
fn is_latin_capital(second: u8) -> bool {
    (0x80..=0x9e).contains(&second) && second != 0x97
}

/// The end of the run of ASCII white space at `i` and the line breaks it holds (`\r\n`
/// counts once), when the run is followed by a character [`plain_run_end`] takes or by
/// the end of the text (not by other white space, which the slow path folds); `None`
/// when `i` is not ASCII white space. Line breaks and double spaces are most of the
/// stops of the fast path, which the slow path would take char by char.
fn ascii_space_run(bytes: &[u8], i: usize, limit: usize) -> Option<(usize, usize)> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let end = i + bytes[i..limit].iter().take_while(|&&b| is_space(b)).count();
    if end == i || !starts_plain(bytes, end, limit) {
        return None;
    }
    let breaks = bytes[i..end]
        .iter()
        .enumerate()
        .filter(|&(k, &b)| b == b'\r' || (b == b'\n' && (k == 0 || bytes[i + k - 1] != b'\r')))
        .count();
    Some((end, breaks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_built_on_a_spare_is_the_view_built_fresh() {
        let long = "L\u{2019}IA  Profonde, ÉTÉ\r\n\r\n".repeat(50);
        let short = "Chatppt  d\u{2019}Openai";
        drop(View::with_spans(&long, &[], true));
        let reused = View::with_spans(short, &[], false);
        assert!(take_spare().is_none(), "the spare was taken");
        let fresh = View::build(short, &[], false, true);
        assert_eq!(reused.folded, fresh.folded);
        assert_eq!(reused.cased, None);
        assert_eq!(reused.shifts, fresh.shifts);
        assert_eq!(reused.protected, fresh.protected);
        drop(reused);
        let cased = View::with_spans(&long, &[], true);
        assert_eq!(
            cased.cased,
            View::build(&long, &[], true, true).cased.take()
        );
    }

    #[test]
    fn high_bits_gives_one_bit_per_byte_in_order() {
        let mut bytes = [0u8; 64];
        for k in [0, 7, 8, 15, 16, 33, 62, 63] {
            bytes[k] = 0x80 | (k as u8);
        }
        bytes[40] = 0x7f;
        let expected = [0, 7, 8, 15, 16, 33, 62, 63]
            .iter()
            .fold(0u64, |mask, k| mask | 1 << k);
        assert_eq!(high_bits(&bytes), expected);
        assert_eq!(high_bits(&bytes[..16]), expected & 0xffff);
    }

    #[test]
    fn folds_apostrophes_space_and_case() {
        let view = View::with_spans(
            "L\u{2019}IA\u{a0}\u{a0}Profonde\r\nde   la\n\nChine\r\n\r\nfin",
            &[],
            true,
        );
        assert_eq!(
            view.cased.as_deref(),
            Some("L'IA Profonde de la\nChine\nfin")
        );
        assert_eq!(view.folded, "l'ia profonde de la\nchine\nfin");
    }

    #[test]
    fn maps_view_offsets_back_to_the_original() {
        let text = "a\u{2019}b  c\r\nd é";
        let view = View::new(text);
        assert_eq!(view.folded, "a'b c d é");
        for (v, c) in view.folded.char_indices() {
            let o = view.to_original(v);
            let original = text[o..].chars().next().unwrap();
            if c.is_alphanumeric() {
                assert_eq!(original, c, "view offset {v}");
            }
        }
        assert_eq!(view.to_original(view.folded.len()), text.len());
    }

    #[test]
    fn composes_nfd_accents() {
        let text = "Re\u{301}clamation E\u{301}te\u{301}";
        let view = View::with_spans(text, &[], true);
        assert_eq!(view.cased.as_deref(), Some("Réclamation Été"));
        assert_eq!(view.folded, "réclamation été");
        let start = view.folded.find("été").unwrap();
        assert_eq!(&text[view.to_original(start)..], "E\u{301}te\u{301}");
        assert_eq!(view.to_original(view.folded.len()), text.len());
    }

    #[test]
    fn spans_stand_for_entities_breaks_and_markup() {
        let text = "<p>l&rsquo;IA&nbsp; <b>profonde</b></p>";
        let spans = [
            Span {
                start: 0,
                end: 3,
                unit: Unit::Break,
            },
            Span {
                start: 4,
                end: 11,
                unit: Unit::Char('\u{2019}'),
            },
            Span {
                start: 13,
                end: 19,
                unit: Unit::Char('\u{a0}'),
            },
            Span {
                start: 20,
                end: 23,
                unit: Unit::Opaque,
            },
            Span {
                start: 31,
                end: 35,
                unit: Unit::Opaque,
            },
            Span {
                start: 35,
                end: 39,
                unit: Unit::Break,
            },
        ];
        let view = View::with_spans(text, &spans, false);
        assert_eq!(view.folded, "\nl'ia \u{FFFC}profonde\u{FFFC}\n");
        let start = view.folded.find("profonde").unwrap();
        assert_eq!(view.to_original(start), 23);
        assert!(view.touches_markup(20, 24));
        assert!(!view.touches_markup(23, 31));
    }

    #[test]
    fn case_folding_keeps_lengths() {
        assert_eq!(fold_case('É'), 'é');
        // KELVIN SIGN lower-cases to a one-byte `k`: kept, so offsets stay exact.
        assert_eq!(fold_case('\u{212a}'), '\u{212a}');
        assert_eq!(View::new("İstanbul").folded.len(), "İstanbul".len());
    }

    #[test]
    fn word_chars_are_unicode() {
        assert!(is_word_char('é'));
        assert!(is_word_char('\u{301}'));
        assert!(!is_word_char('\''));
        assert!(!is_word_char('-'));
        assert!(!is_word_char(MARKER));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Pieces that exercise every branch of the fast path and its edges.
        fn text() -> impl Strategy<Value = String> {
            let piece = prop::sample::select(vec![
                "a",
                "Z",
                "é",
                "É",
                "×",
                "«",
                "µ",
                " ",
                "  ",
                "\n",
                "\t",
                "\r\n",
                "\n\n",
                "\u{a0}",
                "\u{85}",
                "\u{2019}",
                "e\u{301}",
                "\u{301}",
                "\u{202f}",
                "ß",
                "İ",
                "Ω",
                "\u{b}",
                "\u{1}",
                "œ",
                "Œ",
                "mot",
                "MOT",
                "l'IA ",
                "x\u{2028}",
            ]);
            proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
        }

        proptest! {
            #[test]
            fn fast_path_folds_like_the_slow_path(text in text(), keep_case: bool) {
                let fast = View::build(&text, &[], keep_case, true);
                let slow = View::build(&text, &[], keep_case, false);
                prop_assert_eq!(&fast.folded, &slow.folded);
                prop_assert_eq!(&fast.cased, &slow.cased);
                for (offset, _) in fast.folded.char_indices() {
                    prop_assert_eq!(fast.to_original(offset), slow.to_original(offset));
                }
                prop_assert_eq!(fast.to_original(fast.folded.len()), slow.to_original(slow.folded.len()));
            }

            #[test]
            fn fast_path_folds_like_the_slow_path_around_spans(text in text(), cut: usize) {
                // A span where a tag would be: the fast path stops before it.
                let at = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).nth(cut % (text.chars().count() + 1)).unwrap_or(0);
                let text = format!("{}<b>{}", &text[..at], &text[at..]);
                for unit in [Unit::Break, Unit::Opaque] {
                    let spans = [Span { start: at, end: at + 3, unit }];
                    let fast = View::build(&text, &spans, true, true);
                    let slow = View::build(&text, &spans, true, false);
                    prop_assert_eq!(&fast.folded, &slow.folded);
                    prop_assert_eq!(&fast.cased, &slow.cased);
                    prop_assert_eq!(&fast.protected, &slow.protected);
                    for (offset, _) in fast.folded.char_indices() {
                        prop_assert_eq!(fast.to_original(offset), slow.to_original(offset));
                    }
                }
            }
        }
    }
}
