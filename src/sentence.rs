//! Stage 2b: sentences. Context conditions (`if`, `unless`) and the log's `context`
//! column look at the sentence around a match. A sentence ends at `.`, `!`, `?` or `…`
//! followed by white space (not after a common abbreviation such as "M." or "etc.", nor
//! after a single letter such as the initial in "Donald J. Trump"), and at a blank line.
//!
//! Sentences are found on the cased view (initials are capitals), where a blank line is a
//! `\n` and every other run of white space a single space.

/// A sentence never reaches further than this from the match (in bytes of the view), so a
/// text without punctuation cannot make each match cost a scan of the whole file.
const MAX_REACH: usize = 2000;

/// Lower-case words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste", "etc", "cf",
    "p", "pp", "av", "apr", "env", "vol", "no", "nos", "art", "chap", "fig", "éd", "ex", "hab",
    "inc", "ltd", "co", "corp", "jr", "sr", "vs", "c.-à-d", "c-à-d", "ibid", "op", "cit", "éds",
    "tél", "min", "max", "approx", "dept", "mrs", "mr", "ms", "bd", "gal", "gén", "lt", "col",
    "cap", "cdt", "sgt", "j.-c",
];

/// The byte range of the sentence containing `start..end` in the cased view.
pub fn bounds(view: &str, start: usize, end: usize) -> (usize, usize) {
    (sentence_start(view, start), sentence_end(view, end))
}

fn sentence_start(view: &str, start: usize) -> usize {
    let floor = floor_boundary(view, start.saturating_sub(MAX_REACH));
    let before = &view[floor..start];
    for (i, c) in before.char_indices().rev() {
        if c == '\n' {
            return floor + i + 1;
        }
        if c == ' ' && ends_sentence(&view[..floor + i]) {
            return floor + i + 1;
        }
    }
    floor
}

fn sentence_end(view: &str, end: usize) -> usize {
    let ceiling = floor_boundary(view, (end + MAX_REACH).min(view.len()));
    for (i, c) in view[end..ceiling].char_indices() {
        let at = end + i;
        if c == '\n' {
            return at;
        }
        if c == ' ' && ends_sentence(&view[..at]) {
            return at;
        }
    }
    ceiling
}

/// Whether the text before a space ends a sentence.
fn ends_sentence(before: &str) -> bool {
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
        let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
        if is_initial || ABBREVIATIONS.contains(&word.to_lowercase().as_str()) {
            return false;
        }
    }
    true
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence_of<'a>(text: &'a str, needle: &str) -> &'a str {
        let start = text.find(needle).unwrap();
        let (s, e) = bounds(text, start, start + needle.len());
        &text[s..e]
    }

    #[test]
    fn splits_at_marks_followed_by_space() {
        let text = "Une phrase. Deux ici! Trois? Quatre… Cinq.";
        assert_eq!(sentence_of(text, "Deux"), "Deux ici!");
        assert_eq!(sentence_of(text, "Quatre"), "Quatre…");
        assert_eq!(sentence_of(text, "Cinq"), "Cinq.");
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        let text = "Avant. M. Dupont et Donald J. Trump, etc. ont parlé. Après.";
        assert_eq!(
            sentence_of(text, "Dupont"),
            "M. Dupont et Donald J. Trump, etc. ont parlé."
        );
    }

    #[test]
    fn blank_lines_end_sentences_but_numbers_do_not() {
        let text = "Un titre\nLa baisse de 2.5% du cours";
        assert_eq!(sentence_of(text, "cours"), "La baisse de 2.5% du cours");
        assert_eq!(sentence_of("a «fin.» b c", "b"), "b c");
    }
}
