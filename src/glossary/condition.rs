//! Context conditions (`if`, `unless`): case-insensitive regexes, tested on the parts of a
//! sentence around each candidate match.
//!
//! Unicode word boundaries (`\b`) make the `regex` crate leave its fast lazy DFA for a much
//! slower engine on any non-ASCII text, that is on every French sentence. So a condition
//! that has them carries a prefilter: the same regex without its word boundaries, which
//! matches a superset of texts and runs on the DFA. Only when the prefilter matches does
//! the exact regex run. The same stripping gives the prefilter set of regex rules.

use std::sync::Arc;

use regex::RegexBuilder;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, HirKind, Look};

/// A condition regex and its word-boundary-free prefilter. Cloning shares them: the
/// thousands of rules of a large glossary that repeat one condition hold one compiled
/// regex (a `Regex` clone makes a new cache pool, and 20,000 of them would be a fifth of
/// the start-up).
///
/// Built with the regex crate's own engine (`regex_automata`'s meta regex), configured
/// for what a condition does, which the `regex` crate does not let one ask: tell whether
/// it matches (no capture groups), in a sentence (no literal prefilter, which pays on long
/// texts and would be two thirds of the compiling).
#[derive(Debug, Clone)]
pub struct Condition {
    source: Arc<str>,
    regex: Arc<meta::Regex>,
    /// Present when `regex` has Unicode word boundaries.
    prefilter: Option<Arc<meta::Regex>>,
}

impl Condition {
    /// Compiles a case-insensitive condition; the error is the regex crate's message.
    pub fn new(source: &str, size_limit: usize) -> Result<Condition, regex::Error> {
        let regex =
            build(source, true, size_limit).map_err(|e| regex_error(source, size_limit, &e))?;
        let prefilter = has_word_boundaries(source)
            .then(|| build(&without_word_boundaries(source, true), false, size_limit).ok())
            .flatten();
        Ok(Condition {
            source: source.into(),
            regex: Arc::new(regex),
            prefilter: prefilter.map(Arc::new),
        })
    }

    /// Whether the condition matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.prefilter.as_ref().is_none_or(|p| p.is_match(text)) && self.regex.is_match(text)
    }

    /// The condition as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// A regex that only tells whether it matches (see [`Condition`]).
fn build(
    source: &str,
    case_insensitive: bool,
    size_limit: usize,
) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .which_captures(WhichCaptures::None)
                .auto_prefilter(false)
                .nfa_size_limit(Some(size_limit)),
        )
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .build(source)
        .map_err(Box::new)
}

/// The error the regex crate gives for `source`, which shows where the pattern is wrong.
fn regex_error(source: &str, size_limit: usize, error: &meta::BuildError) -> regex::Error {
    if let Some(limit) = error.size_limit() {
        return regex::Error::CompiledTooBig(limit);
    }
    let built = RegexBuilder::new(source)
        .case_insensitive(true)
        .size_limit(size_limit)
        .build();
    built
        .err()
        .unwrap_or_else(|| regex::Error::Syntax(error.to_string()))
}

/// `source` as a regex string with its Unicode word-boundary assertions removed and its
/// case folding expanded.
pub(crate) fn without_word_boundaries(source: &str, case_insensitive: bool) -> String {
    let flags = if case_insensitive { "(?i)" } else { "" };
    let parsed = regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .parse(source);
    match parsed {
        Ok(hir) => strip_word_boundaries(hir).to_string(),
        // Cannot happen for a pattern that compiled; keep the original to be safe.
        Err(_) => format!("{flags}(?:{source})"),
    }
}

/// Whether a regex has Unicode word-boundary assertions.
fn has_word_boundaries(source: &str) -> bool {
    regex_syntax::parse(source).is_ok_and(|hir| hir.properties().look_set().contains_word_unicode())
}

fn strip_word_boundaries(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(look) if is_unicode_word_look(look) => Hir::empty(),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Repetition(mut repetition) => {
            repetition.sub = Box::new(strip_word_boundaries(*repetition.sub));
            Hir::repetition(repetition)
        }
        HirKind::Capture(mut capture) => {
            capture.sub = Box::new(strip_word_boundaries(*capture.sub));
            Hir::capture(capture)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(strip_word_boundaries).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(strip_word_boundaries).collect())
        }
    }
}

fn is_unicode_word_look(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_drops_only_word_boundaries() {
        let stripped = regex::Regex::new(&without_word_boundaries(r"\bv(\d)\b", true)).unwrap();
        assert!(
            stripped.is_match("xV3x"),
            "boundaries gone, case folding kept"
        );
        assert!(!stripped.is_match("v x"));
    }

    #[test]
    fn errors_are_the_regex_crate_s() {
        let too_big = Condition::new(&"ab|".repeat(20_000), 1 << 12).unwrap_err();
        assert!(
            matches!(too_big, regex::Error::CompiledTooBig(_)),
            "{too_big}"
        );
        let unclosed = String::from("(baisse");
        let syntax = Condition::new(&unclosed, 1 << 20).unwrap_err();
        let expected = regex::Regex::new(&unclosed).unwrap_err();
        assert_eq!(syntax.to_string(), expected.to_string());
    }

    #[test]
    fn conditions_keep_their_word_boundaries() {
        let condition = Condition::new(r"\bmal\b", 1 << 20).unwrap();
        assert!(condition.prefilter.is_some());
        assert!(condition.is_match("il a MAL à la tête"));
        assert!(!condition.is_match("c'est normal"));
        assert!(!condition.is_match("malé"));
        assert!(
            Condition::new("baisse|cours", 1 << 20)
                .unwrap()
                .prefilter
                .is_none()
        );
    }
}
