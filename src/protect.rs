//! Spans that are never edited: URLs, e-mail addresses, bare domain names
//! (`openai.com`) and @handles. Rather than scanning every article for them, a candidate
//! match is checked against the white-space-delimited token around it, which is where
//! such a span would have to be.

use std::sync::LazyLock;

use regex::Regex;

/// URLs, e-mail addresses, @handles and bare domains with a common top-level domain. The
/// list of domains is closed on purpose: "fin.Le" (a missing space) is not a domain.
static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
          \b(?:https?|ftp)://\S+
        | \bwww\.\S+
        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
        | @\w[\w.]*
        | \b(?:[\w-]+\.)+
          (?:com|org|net|edu|gov|int|fr|eu|be|ch|ca|de|uk|us|io|ai|co|app|dev|tech|info|news|tv|me|ly|gl|cn|jp|ru|it|es|nl)
          \b(?:/\S*)?
        ",
    )
    .expect("valid protection regex")
});

/// Whether the match `start..end` of `view` touches a protected span.
pub fn is_protected(view: &str, start: usize, end: usize) -> bool {
    let token_start = view[..start]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let token_end = view[end..]
        .find(|c: char| c.is_whitespace())
        .map_or(view.len(), |i| end + i);
    let token = &view[token_start..token_end];
    if !token.contains(['.', '@', ':']) {
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
    fn leaves_ordinary_words_alone() {
        assert!(!protected("selon openai. puis", "openai"));
        assert!(!protected("d'openai, et", "openai"));
        assert!(!protected("fin.le openai", "openai"));
    }
}
