//! Sentences. Context conditions (`if`, `unless`) and the log's `context`
//! column look at the sentence around a match. A sentence ends at `.`, `!`, `?` or `…`
//! followed by white space (not after a common abbreviation such as "M." or "etc.", nor
//! after a single letter such as the initial in "Donald J. Trump"), and at a blank line.
//!
//! Sentences are found on the folded view, where a blank line is a `\n` and every other
//! run of white space a single space; the original text tells which letters are capitals.

/// A sentence never reaches further than this from the match (in bytes of the view), so a
/// text without punctuation cannot make each match cost a scan of the whole file.
const MAX_REACH: usize = 2000;

use crate::correct::fold::View;

/// Lower-case words that end with a period without ending a sentence.
pub(crate) const ABBREVIATIONS: &[&str] = &[
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste", "etc", "cf",
    "p", "pp", "av", "apr", "env", "vol", "no", "nos", "art", "chap", "fig", "éd", "ex", "hab",
    "inc", "ltd", "co", "corp", "jr", "sr", "vs", "c.-à-d", "c-à-d", "ibid", "op", "cit", "éds",
    "tél", "min", "max", "approx", "dept", "mrs", "mr", "ms", "bd", "gal", "gén", "lt", "col",
    "cap", "cdt", "sgt", "j.-c",
];

/// The byte range, in the folded view, of the sentence containing `start..end`; `text`
/// is the original the view was made from (to tell capitals, which the view lowered).
pub(crate) fn bounds(view: &View, text: &str, start: usize, end: usize) -> (usize, usize) {
    let sentences = Sentences { view, text };
    (sentences.start(start), sentences.end(end))
}

struct Sentences<'a> {
    view: &'a View,
    text: &'a str,
}

impl Sentences<'_> {
    // Only a space or a line break can end a sentence: both are ASCII, found by `memchr`
    // instead of decoding every character on the way.

    fn start(&self, start: usize) -> usize {
        let folded = self.view.folded.as_str();
        let floor = floor_boundary(folded, start.saturating_sub(MAX_REACH));
        memchr::memrchr2_iter(b' ', b'\n', &folded.as_bytes()[floor..start])
            .map(|i| floor + i)
            .find(|&i| self.is_break(i))
            .map_or(floor, |i| i + 1)
    }

    fn end(&self, end: usize) -> usize {
        let folded = self.view.folded.as_str();
        let ceiling = floor_boundary(folded, (end + MAX_REACH).min(folded.len()));
        memchr::memchr2_iter(b' ', b'\n', &folded.as_bytes()[end..ceiling])
            .map(|i| end + i)
            .find(|&i| self.is_break(i))
            .unwrap_or(ceiling)
    }

    /// Whether the space or line break at `at` ends a sentence.
    fn is_break(&self, at: usize) -> bool {
        self.view.folded.as_bytes()[at] == b'\n' || self.ends_sentence(at)
    }

    /// Whether the text before the space at `at` ends a sentence.
    fn ends_sentence(&self, at: usize) -> bool {
        let before = &self.view.folded[..at];
        // Most spaces follow a letter: only the last byte of a mark, a closing quote or
        // bracket or a no-break space (`.`, `!`, `?`, `"`, `)`, and the last bytes of
        // `»`, `”`, `…`, U+00A0) may end a sentence.
        if !before.as_bytes().last().is_some_and(|b| {
            matches!(
                b,
                b'.' | b'!' | b'?' | b'"' | b')' | 0xbb | 0x9d | 0xa6 | 0xa0
            )
        }) {
            return false;
        }
        let Some(last) = before.chars().next_back() else {
            return false;
        };
        // Closing quotes and brackets after the mark belong to the sentence: «…fin.» Suite
        let trimmed = before.trim_end_matches(['»', '"', '”', ')', '\u{a0}']);
        let Some(mark) = trimmed.chars().next_back() else {
            return false;
        };
        if !matches!(mark, '.' | '!' | '?' | '…') {
            return false;
        }
        if mark == '.' && last != '…' {
            let body = &trimmed[..trimmed.len() - 1];
            let word_start = body.rfind([' ', '\n', '(', '\'']).map_or(0, |i| i + 1);
            let word = &body[word_start..];
            let is_initial = word.chars().count() == 1 && self.is_capital(word_start);
            if is_initial || ABBREVIATIONS.contains(&word) {
                return false;
            }
        }
        true
    }

    /// Whether the view character at `at` is a capital letter in the original.
    fn is_capital(&self, at: usize) -> bool {
        let original = self.view.to_original(at);
        self.text[original..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    }
}

pub(crate) fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentence around `needle` (found in the view), in the original text.
    fn sentence_of<'a>(text: &'a str, needle: &str) -> &'a str {
        let view = View::new(text);
        let start = view.folded.find(&needle.to_lowercase()).unwrap();
        let (s, e) = bounds(&view, text, start, start + needle.len());
        &text[view.to_original(s)..view.to_original(e)]
    }

    #[test]
    fn splits_at_marks_followed_by_space() {
        let text = "Une phrase. Deux ici! Trois? Quatre... Cinq.";
        assert_eq!(sentence_of(text, "Deux"), "Deux ici!");
        assert_eq!(sentence_of(text, "Quatre"), "Quatre...");
        assert_eq!(sentence_of(text, "Cinq"), "Cinq.");
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        let text = "Avant. M. Dupont et Donald J. Trump, etc. ont parle. Apres. Vu le j. Fin.";
        assert_eq!(
            sentence_of(text, "Dupont"),
            "M. Dupont et Donald J. Trump, etc. ont parle."
        );
        assert_eq!(
            sentence_of(text, "Fin"),
            "Fin.",
            "a lower-case letter is no initial"
        );
    }

    #[test]
    fn blank_lines_end_sentences_but_numbers_do_not() {
        let text = "Un titre\n\nLa baisse de 2.5% du cours";
        assert_eq!(sentence_of(text, "cours"), "La baisse de 2.5% du cours");
        let wrapped = "Une ligne\ncoupée. La suite";
        assert_eq!(sentence_of(wrapped, "ligne"), "Une ligne\ncoupée.");
        assert_eq!(sentence_of("a (fin.) b c", "b"), "b c");
    }
}
