//! A regex rule's pattern (`re:`), checked when its glossary is read and compiled when
//! first searched: a process pays for the regexes of the rules that can match, not for
//! all of them (the record stream starts one process per partition of articles). What
//! reading checks is what compiling would refuse: its syntax, its size, its groups.

use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};
use regex_automata::nfa::thompson::{self, NFA, WhichCaptures};
use regex_automata::util::primitives::PatternID;
use regex_automata::util::syntax;
use regex_syntax::hir::Hir;

/// Share of the size limit below which a regex (a pattern or a condition) is left to be
/// compiled on first use, without the limit. Only the forward NFA is measured when the
/// glossary is read; the engine builds a reverse one as well, which for the same regex
/// can be a few times larger, so a regex near the limit is compiled at once, against the
/// limit, and refused as the `regex` crate would refuse it.
pub(crate) const LAZY_SHARE: usize = 8;

/// Parses `source` and compiles its forward NFA against `size_limit`, which is what the
/// regex crate compiles first and measures against the limit; `error` gives the regex
/// crate's own message for any other failure (the syntax, where it is wrong).
pub(crate) fn check(
    source: &str,
    case_insensitive: bool,
    captures: WhichCaptures,
    size_limit: usize,
    error: &dyn Fn(&dyn std::fmt::Display) -> regex::Error,
) -> Result<(Hir, NFA), regex::Error> {
    let config = syntax::Config::new().case_insensitive(case_insensitive);
    let hir = syntax::parse_with(source, &config).map_err(|e| error(&e))?;
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(captures)
                .nfa_size_limit(Some(size_limit)),
        )
        .build_from_hir(&hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => regex::Error::CompiledTooBig(limit),
            None => error(&e),
        })?;
    Ok((hir, nfa))
}

/// A regex rule's pattern. Cloning shares the compiled regex.
#[derive(Debug, Clone)]
pub struct RegexPattern {
    source: Arc<str>,
    case_insensitive: bool,
    /// Group names by index (group 0, the whole match, has none); `None` for a proven
    /// pattern, whose compiled regex tells them.
    groups: Option<Arc<[Option<Box<str>>]>>,
    compiled: Arc<OnceLock<Regex>>,
}

impl RegexPattern {
    /// Checks `source` as `RegexBuilder` with `size_limit` would compile it, compiling it
    /// now only when its NFA comes near the limit or it may match empty text (which is
    /// then tested); the error is the regex crate's.
    pub(crate) fn new(
        source: &str,
        case_insensitive: bool,
        size_limit: usize,
    ) -> Result<RegexPattern, regex::Error> {
        let builder = || {
            let mut builder = RegexBuilder::new(source);
            builder.case_insensitive(case_insensitive);
            builder
        };
        let (hir, nfa) = check(
            source,
            case_insensitive,
            WhichCaptures::All,
            size_limit,
            &|e| {
                let exact = builder().size_limit(size_limit).build().err();
                exact.unwrap_or_else(|| regex::Error::Syntax(e.to_string()))
            },
        )?;
        let groups = nfa
            .group_info()
            .pattern_names(PatternID::ZERO)
            .map(|name| name.map(Box::from))
            .collect();
        let compiled = OnceLock::new();
        let may_match_empty = hir.properties().minimum_len() == Some(0);
        if may_match_empty || nfa.memory_usage() > size_limit / LAZY_SHARE {
            let _ = compiled.set(builder().size_limit(size_limit).build()?);
        }
        Ok(RegexPattern {
            source: source.into(),
            case_insensitive,
            groups: Some(groups),
            compiled: Arc::new(compiled),
        })
    }

    /// A pattern whose text a test of this build checked (see
    /// [`crate::glossary::Checks::Proven`]): nothing is checked now, and it compiles on
    /// first use.
    pub(crate) fn proven(source: &str, case_insensitive: bool) -> RegexPattern {
        RegexPattern {
            source: source.into(),
            case_insensitive,
            groups: None,
            compiled: Arc::new(OnceLock::new()),
        }
    }

    /// The regex, compiled on the first call. Measured under a share of the limit when
    /// read, it compiles without one.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            RegexBuilder::new(&self.source)
                .case_insensitive(self.case_insensitive)
                .size_limit(usize::MAX)
                .build()
                .expect("a pattern checked when read compiles")
        })
    }

    /// Whether the regex matches empty text (compiled already when it may).
    pub(crate) fn matches_empty(&self) -> bool {
        self.compiled.get().is_some_and(|regex| regex.is_match(""))
    }

    /// The pattern as written (after `re:`).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Groups, the whole match (group 0) included.
    pub(crate) fn captures_len(&self) -> usize {
        match &self.groups {
            Some(groups) => groups.len(),
            None => self.regex().captures_len(),
        }
    }

    /// The names of the groups, by index.
    pub(crate) fn capture_names(&self) -> Box<dyn Iterator<Item = Option<&str>> + '_> {
        match &self.groups {
            Some(groups) => Box::new(groups.iter().map(|name| name.as_deref())),
            None => Box::new(self.regex().capture_names()),
        }
    }

    #[cfg(test)]
    fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_on_first_use() {
        let pattern = RegexPattern::new(r"\bv(?<n>\d+)\b", true, 1 << 20).unwrap();
        assert!(!pattern.is_compiled());
        assert_eq!(pattern.captures_len(), 2);
        assert_eq!(
            pattern.capture_names().collect::<Vec<_>>(),
            [None, Some("n")]
        );
        let shared = pattern.clone();
        assert_eq!(pattern.regex().find("la V12").map(|m| m.start()), Some(3));
        assert!(shared.is_compiled());
    }

    #[test]
    fn checks_are_the_regex_crate_s() {
        let compiled = |source: &str, limit| RegexBuilder::new(source).size_limit(limit).build();
        for (source, limit) in [
            ("(baisse", 1 << 20),
            (r"\w{50}", 1 << 20),
            (r"\w{9}", 1 << 16),
        ] {
            let expected = compiled(source, limit).unwrap_err().to_string();
            let error = RegexPattern::new(source, false, limit).unwrap_err();
            assert_eq!(error.to_string(), expected, "{source}");
        }
        assert!(
            RegexPattern::new("x*", true, 1 << 20)
                .unwrap()
                .matches_empty()
        );
        assert!(
            !RegexPattern::new(r"\bx*\b", true, 1 << 20)
                .unwrap()
                .matches_empty()
        );
        assert!(
            !RegexPattern::new("x+", true, 1 << 20)
                .unwrap()
                .matches_empty()
        );
    }
}
