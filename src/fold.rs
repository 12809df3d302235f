//! Stage 2a: the matching view. Before matching, an article is folded into a view where
//! every apostrophe is `'`, every run of white space holding at most one line break is a
//! single space (a run holding a blank line is a single `\n`, a paragraph break), and, in
//! the `folded` copy, letters are lower case. Patterns are folded the same way, so one
//! automaton pass finds every variant of an artifact.
//!
//! Lower-casing never changes a character's UTF-8 length here (a character whose lower
//! case has another length is left as it is), so the `cased` and `folded` copies share
//! offsets, and an exact map leads from view offsets back to the article's bytes: logged
//! positions never drift.

/// Characters read as the apostrophe `'`.
const APOSTROPHES: [char; 3] = ['\'', '\u{2019}', '\u{02BC}'];

/// A folded view of a text and the map back to the original offsets.
#[derive(Debug, Default)]
pub struct View {
    /// Apostrophes and white space folded, case kept (regex rules run here).
    pub cased: String,
    /// `cased` with letters lower-cased (literal rules and contexts run here).
    pub folded: String,
    /// `(view offset, original offset)` after each unit whose length changed, in order.
    shifts: Vec<(usize, usize)>,
}

impl View {
    /// Folds `text`.
    pub fn new(text: &str) -> View {
        let mut view = View {
            cased: String::with_capacity(text.len()),
            folded: String::with_capacity(text.len()),
            shifts: Vec::new(),
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if is_plain_ascii(b)
                || (b == b' ' && bytes.get(i + 1).is_none_or(|&n| is_plain_ascii(n)))
            {
                // Fast path: most of any article is ASCII letters, punctuation and single
                // spaces, which fold to themselves (letters to lower case).
                view.cased.push(b as char);
                view.folded.push(b.to_ascii_lowercase() as char);
                i += 1;
                continue;
            }
            let c = text[i..].chars().next().expect("char boundary");
            if c.is_whitespace() {
                let end = whitespace_run_end(text, i);
                let breaks = line_breaks(&text[i..end]);
                let unit = if breaks >= 2 { '\n' } else { ' ' };
                view.push_unit(unit, unit, end - i, end);
                i = end;
            } else if APOSTROPHES.contains(&c) {
                view.push_unit('\'', '\'', c.len_utf8(), i + c.len_utf8());
                i += c.len_utf8();
            } else {
                view.cased.push(c);
                view.folded.push(fold_case(c));
                i += c.len_utf8();
            }
        }
        view
    }

    fn push_unit(&mut self, cased: char, folded: char, original_len: usize, original_end: usize) {
        self.cased.push(cased);
        self.folded.push(folded);
        if cased.len_utf8() != original_len {
            self.shifts.push((self.cased.len(), original_end));
        }
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
}

/// Folds a pattern the way [`View::new`] folds text, keeping case when `keep_case`.
pub fn fold_pattern(pattern: &str, keep_case: bool) -> String {
    let view = View::new(pattern.trim());
    if keep_case { view.cased } else { view.folded }
}

/// Lower case of `c` when it is one character of the same UTF-8 length, else `c`.
pub fn fold_case(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
        _ => c,
    }
}

/// Whether `c` belongs to a word: letters, digits, `_` and combining marks (so that an
/// accent written as a separate mark, as in NFD text, stays inside its word).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
}

/// An ASCII byte that is not white space (those take the slow path).
fn is_plain_ascii(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b
}

fn whitespace_run_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|&(_, c)| !c.is_whitespace())
        .map_or(text.len(), |(i, _)| start + i)
}

/// Line breaks in a run of white space: `\r\n`, `\n`, a lone `\r`, and the Unicode line
/// and paragraph separators each count as one.
fn line_breaks(run: &str) -> usize {
    let mut count = 0;
    let mut previous = ' ';
    for c in run.chars() {
        match c {
            '\n' if previous == '\r' => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => count += 1,
            _ => {}
        }
        previous = c;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_apostrophes_space_and_case() {
        let view = View::new("L\u{2019}IA\u{a0}\u{a0}Profonde\r\nde   la\n\nChine");
        assert_eq!(view.cased, "L'IA Profonde de la\nChine");
        assert_eq!(view.folded, "l'ia profonde de la\nchine");
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
    }
}
