//! Context conditions (`if`, `unless`): case-insensitive regexes, tested on the parts of a
//! sentence around each candidate match.
//!
//! Unicode word boundaries (`\b`) make the `regex` crate leave its fast lazy DFA for a much
//! slower engine on any non-ASCII text, that is on every French sentence. So a condition
//! that has them carries a prefilter: the same regex without its word boundaries, which
//! matches a superset of texts and runs on the DFA. Only when the prefilter matches does
//! the exact regex run. The same stripping gives the prefilter set of regex rules.
//!
//! A condition is checked when its glossary is read (its syntax, and its size against the
//! limit) but compiled only when first tested: a process pays for the conditions of the
//! rules that match, not for all of them (the record stream starts one process per
//! partition of articles).

use std::sync::{Arc, OnceLock};

use regex::RegexBuilder;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, HirKind, Look};

use crate::glossary::pattern::{LAZY_SHARE, check};

/// A condition regex and its word-boundary-free prefilter, compiled on first use.
/// Cloning shares them: the thousands of rules of a large glossary that repeat one
/// condition hold one compiled regex (a `Regex` clone makes a new cache pool, and 20,000
/// of them would be a fifth of the start-up).
///
/// Built with the regex crate's own engine (`regex_automata`'s meta regex), configured
/// for what a condition does, which the `regex` crate does not let one ask: tell whether
/// it matches (no capture groups), in a sentence (no literal prefilter, which pays on long
/// texts and would be two thirds of the compiling).
#[derive(Debug, Clone)]
pub struct Condition {
    source: Arc<str>,
    compiled: Arc<OnceLock<Compiled>>,
}

/// The regexes of a condition.
#[derive(Debug)]
struct Compiled {
    regex: meta::Regex,
    /// Present when `regex` has Unicode word boundaries.
    prefilter: Option<meta::Regex>,
}

impl Compiled {
    /// Compiles `source`, whose syntax [`Condition::new`] checked; without `size_limit`
    /// when it measured the NFA well under it. A prefilter that does not compile is left
    /// out (it only saves time).
    fn new(source: &str, size_limit: Option<usize>) -> Result<Compiled, Box<meta::BuildError>> {
        let regex = build(source, true, size_limit)?;
        let prefilter = has_word_boundaries(source)
            .then(|| build(&without_word_boundaries(source, true), false, size_limit).ok())
            .flatten();
        Ok(Compiled { regex, prefilter })
    }
}

impl Condition {
    /// Checks a case-insensitive condition, compiling it now only when it comes near
    /// `size_limit` (see [`LAZY_SHARE`]); the error is the regex crate's message.
    pub fn new(source: &str, size_limit: usize) -> Result<Condition, regex::Error> {
        let error = |e: &dyn std::fmt::Display| regex_error(source, size_limit, e);
        let (_, nfa) = check(source, true, WhichCaptures::None, size_limit, &error)?;
        let compiled = OnceLock::new();
        if nfa.memory_usage() > size_limit / LAZY_SHARE {
            let whole =
                Compiled::new(source, Some(size_limit)).map_err(|e| match e.size_limit() {
                    Some(limit) => regex::Error::CompiledTooBig(limit),
                    None => error(&e),
                })?;
            let _ = compiled.set(whole);
        }
        Ok(Condition {
            source: source.into(),
            compiled: Arc::new(compiled),
        })
    }

    /// A condition whose text a test of this build checked (see
    /// [`crate::glossary::Checks::Proven`]): nothing is checked now, and it compiles when
    /// first tested.
    pub(crate) fn proven(source: &str) -> Condition {
        Condition {
            source: source.into(),
            compiled: Arc::new(OnceLock::new()),
        }
    }

    /// Whether the condition matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let compiled = self.compiled();
        compiled.prefilter.as_ref().is_none_or(|p| p.is_match(text))
            && compiled.regex.is_match(text)
    }

    /// The regexes, compiled on the first call. Its NFA measured under a share of the
    /// limit when read, the condition compiles without one.
    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            Compiled::new(&self.source, None).expect("a condition checked when read compiles")
        })
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
    size_limit: Option<usize>,
) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .which_captures(WhichCaptures::None)
                .auto_prefilter(false)
                .nfa_size_limit(size_limit),
        )
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .build(source)
        .map_err(Box::new)
}

/// The error the regex crate gives for `source`, which shows where the pattern is wrong.
fn regex_error(source: &str, size_limit: usize, error: &dyn std::fmt::Display) -> regex::Error {
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
        assert!(condition.compiled().prefilter.is_some());
        assert!(condition.is_match("il a MAL à la tête"));
        assert!(!condition.is_match("c'est normal"));
        assert!(!condition.is_match("malé"));
        assert!(
            Condition::new("baisse|cours", 1 << 20)
                .unwrap()
                .compiled()
                .prefilter
                .is_none()
        );
    }

    #[test]
    fn conditions_compile_on_first_use_unless_near_the_limit() {
        let small = Condition::new(r"\b(baisse|hausse)\b", 1 << 20).unwrap();
        assert!(small.compiled.get().is_none(), "checked, not compiled");
        let shared = small.clone();
        assert!(small.is_match("une BAISSE des cours"));
        assert!(
            shared.compiled.get().is_some(),
            "clones share the compiled regex"
        );
        // A limit four times the forward NFA: past an eighth of it, whole within it.
        let syntax = |e: &dyn std::fmt::Display| regex::Error::Syntax(e.to_string());
        let (_, nfa) = check(r"\w{3}", true, WhichCaptures::None, 1 << 30, &syntax).unwrap();
        let near = Condition::new(r"\w{3}", 4 * nfa.memory_usage()).unwrap();
        assert!(
            near.compiled.get().is_some(),
            "compiled whole against the limit"
        );
        assert!(near.is_match("été") && !near.is_match("à b"));
    }
}
