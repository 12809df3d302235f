//! Spans that are never edited: URLs, e-mail addresses, bare domain names
//! (`openai.com`) and @handles. Rather than scanning every article for them, a candidate
//! match is checked against the white-space-delimited token around it, which is where
//! such a span would have to be, and only a token that could hold one is searched.

use std::sync::LazyLock;

use regex::Regex;

/// URLs, e-mail addresses, @handles and bare domains with a common top-level domain. The
/// list of domains is closed on purpose: "fin.Le" (a missing space) is not a domain.
///
/// Case is ignored only where it changes something (`\w` and `\S` hold both cases): a
/// regex ignoring case as a whole takes half again as long to compile, on a worker in
/// the middle of a run.
static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
          \b(?i:https?|ftp)://\S+
        | \b(?i:www)\.\S+
        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
        | @\w[\w.]*
        | \b(?:[\w-]+\.)+
          (?i:com|org|net|edu|gov|int|fr|eu|be|ch|ca|de|uk|us|io|ai|co|app|dev|tech|info|news|tv|me|ly|gl|cn|jp|ru|it|es|nl)
          \b(?:/\S*)?
        ",
    )
    .expect("valid protection regex")
});

/// Whether `token` could hold a protected span: every match of [`PROTECTED`] holds an
/// `@`, a `://`, a `www.` in any case, or a `.` followed by an ASCII letter (its
/// top-level domain; no letter that begins one has a non-ASCII case variant). Most
/// tokens with a `.` around a candidate end a sentence ("… DeepSeek."): they need no
/// search, and a run whose candidates all stand in such tokens never compiles the regex
/// (about a millisecond, on the worker of the first candidate that needs it, while the
/// other worker may be waiting for that one).
fn could_be_protected(token: &str) -> bool {
    let bytes = token.as_bytes();
    bytes.contains(&b'@')
        || token.contains("://")
        || bytes
            .windows(2)
            .any(|pair| pair[0] == b'.' && pair[1].is_ascii_alphabetic())
        || bytes
            .windows(4)
            .any(|four| four.eq_ignore_ascii_case(b"www."))
}

/// Whether the match `start..end` of `view` touches a protected span.
pub(crate) fn is_protected(view: &str, start: usize, end: usize) -> bool {
    let token_start = view[..start]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let token_end = view[end..]
        .find(|c: char| c.is_whitespace())
        .map_or(view.len(), |i| end + i);
    let token = &view[token_start..token_end];
    if !could_be_protected(token) {
        return false;
    }
    let (start, end) = (start - token_start, end - token_start);
    PROTECTED
        .find_iter(token)
        .any(|m| m.start() < end && start < m.end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn protected(text: &str, word: &str) -> bool {
        let start = text.find(word).unwrap();
        is_protected(text, start, start + word.len())
    }

    #[test]
    fn protects_urls_mails_domains_and_handles() {
        assert!(protected("voir https://openai.com/chatgpt ici", "chatgpt"));
        assert!(protected("voir (openai.com).", "openai"));
        assert!(protected("écrire à press@openai.com.", "openai"));
        assert!(protected("suivez @openai sur X", "openai"));
        assert!(protected("www.deepseek.ai/r1", "deepseek"));
    }

    #[test]
    fn protects_spans_in_any_case() {
        assert!(protected("voir HTTPS://OpenAI.COM/ChatGPT", "ChatGPT"));
        assert!(protected("site WWW.Deepseek.AI", "Deepseek"));
        assert!(protected("voir WWW.openai/chatgpt", "chatgpt"));
        assert!(protected("(Openai.Com)", "Openai"));
        assert!(protected("voir http://127.0.0.1/chatgpt", "chatgpt"));
    }

    #[test]
    fn a_token_that_only_ends_a_sentence_is_not_searched() {
        assert!(!could_be_protected("DeepSeek."));
        assert!(!could_be_protected("«Openai»..."));
        assert!(!could_be_protected("v3:"));
        assert!(could_be_protected("fin.Le"));
        assert!(could_be_protected("wWw.)"));
    }

    /// Tokens made of the pieces protected spans are made of, and of characters around
    /// them: ASCII and accented letters, letters whose case variants are not ASCII (ſ,
    /// the Kelvin sign), digits and punctuation.
    fn tokens() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "http", "HTTPS", "ftp", "://", "www", "WwW", ".", "@", "com", "Co", "uK", "fr",
            "openai", "ſ", "\u{212A}", "é", "É", "-", "_", "+", "/", ")", "»", "’", "1", "x", ":",
        ]);
        proptest::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
    }

    /// The plain twin: [`PROTECTED`] ignoring case as a whole; compiled once,
    /// not for every generated token.
    static FOLDING_EVERYTHING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("(?i){}", PROTECTED.as_str())).unwrap());

    proptest::proptest! {
        /// The shortcut never skips a token the regex would find a span in.
        #[test]
        fn the_shortcut_never_skips_a_protected_span(token in tokens()) {
            proptest::prop_assert!(could_be_protected(&token) || !PROTECTED.is_match(&token));
        }

        /// Ignoring case only where it matters finds the same spans as ignoring it all.
        #[test]
        fn local_case_folding_finds_what_folding_everything_found(token in tokens()) {
            let spans = |regex: &Regex| regex.find_iter(&token).map(|m| m.range()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(spans(&PROTECTED), spans(&FOLDING_EVERYTHING));
        }
    }

    #[test]
    fn leaves_ordinary_words_alone() {
        assert!(!protected("selon openai. puis", "openai"));
        assert!(!protected("d'openai, et", "openai"));
        assert!(!protected("fin.le openai", "openai"));
    }
}
