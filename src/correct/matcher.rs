//! Matching. Compiles the rules of all glossaries into [`Rules`], which finds
//! every candidate match of every rule in one pass over an article's [`View`]: literal
//! patterns with one leftmost-longest Aho-Corasick automaton, or, for large glossaries,
//! with the word index of [`crate::correct::words`]; regex patterns triggered by their literal
//! prefixes or found by one `RegexSet` pass (a rule's own regex runs only where it can
//! match).
//!
//! Every candidate is checked on its span: whole words, exact case where asked, protected
//! URLs and addresses, and the `if`/`unless` context. Leftmost-longest selection happens
//! after these checks (in `apply`), so a long candidate that fails its checks never hides
//! a shorter or a later one that passes. To keep the fast, prefiltered leftmost-longest
//! search of the automaton, matches are found one after the other, and only where one
//! fails its checks does an overlapping search look for the others inside it (see
//! [`Rules::candidates`]).

use crate::correct::anchors::{AnchorGate, Anchors, anchored_paragraphs};
use crate::correct::article_scope::{ArticleConditions, ArticleFacts};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use rayon::prelude::*;
use regex::{RegexSet, RegexSetBuilder};

use crate::correct::fold::{self, View};
use crate::correct::markup::Format;
use crate::correct::words::WordIndex;
use crate::correct::{protect, seam, sentence};
use crate::error::{Error, Result};
use crate::glossary::condition::Condition;
use crate::glossary::{Glossary, Language, Pattern, Rule, Scope};

/// Consecutive rejected matches of one regex rule after which its search stops retrying
/// inside rejected matches, so that a hostile regex cannot make a run quadratic.
const MAX_REGEX_RETRIES: usize = 1000;

/// Above this many bytes of literal patterns, no DFA is built (see [`automaton_kind`]).
const MAX_DFA_PATTERN_BYTES: usize = 64 << 10;

/// How far a regex rule's trigger literals are searched (see [`trigger_prefixes`]). The
/// literals expand every small class and alternation of a pattern (`[ -]`, `s?`,
/// `(i|1|2)`), so the shipped regex rules give 1,146 literals of up to 50 characters,
/// whose DFA takes 5 MB and most of the start-up to build; three rules (`bat`, `battu`,
/// `battre` and their objects) give 684 of them. A rule of more than
/// `MAX_WHOLE_TRIGGERS` literals has them cut to the longest starts of which it has at
/// most `MAX_TRIGGER_STARTS`, but never to fewer than `MIN_TRIGGER_CHARS` characters:
/// 423 literals in all, in a DFA of about 0.6 MB. A rule of few literals keeps them
/// whole: its distinctive word may come last (`bibliothèque de la vapeur`), and a start
/// common in prose would run its regex, whose word boundaries take the slow engine on
/// French text, on most articles (measured: cutting every rule's literals so made the
/// matching 4 to 11 % slower). The floor keeps the cut starts rare: eight characters
/// (`bat ains`) would do the same.
const MAX_WHOLE_TRIGGERS: usize = 32;
const MAX_TRIGGER_STARTS: usize = 4;
const MIN_TRIGGER_CHARS: usize = 12;

/// A match in the view, before selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Byte range in the view.
    pub start: usize,
    pub end: usize,
    /// Index of the rule in [`Rules::rules`] (glossary order, then row order).
    pub rule: usize,
}

/// All rules of a run, compiled for one-pass matching.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    /// For each rule with `case=exact` and a literal pattern, the pattern folded with
    /// case kept, to compare with the original text of a match.
    exact_literals: Vec<Option<String>>,
    /// How the distinct folded literal patterns are searched.
    literals: Option<Literals>,
    /// For each distinct literal pattern, its rules in order.
    literal_rules: Vec<Vec<usize>>,
    /// Finds the literals every match of some regex rule starts with (see
    /// [`trigger_literals`]), the longest first where several start at one place.
    triggers: Option<AhoCorasick>,
    /// For each trigger literal, the regex rules it triggers: its own and those of every
    /// trigger that is a prefix of it (which the longest one hides).
    trigger_rules: std::collections::HashMap<String, Vec<usize>>,
    regex_set: Option<RegexSet>,
    /// Set index → rule index.
    regex_rules: Vec<usize>,
    /// Some regex rule has `case=exact`, so regexes need the view's cased copy (otherwise
    /// they run case-insensitively on the folded one, and no cased copy is built).
    needs_cased: bool,
    /// Finds, in raw text, a piece of ASCII every match of every rule contains (see
    /// [`Anchors`]); `None` when some rule has none.
    anchors: Option<Anchors>,
    /// Whether searching for the anchors pays on this run's articles.
    anchor_gate: AnchorGate,
    /// The conditions of the rules whose `if`/`unless` are searched in the whole article.
    article_conditions: Option<ArticleConditions>,
    /// Which correction the rules write (`--into`).
    language: Language,
}

/// How literal patterns are searched (see [`Search`]).
#[derive(Debug)]
enum Literals {
    Automata(Automata),
    Words(Words),
}

/// Which literal search to use: [`Search::Automaton`] up to `WORD_INDEX_MIN_PATTERNS`
/// distinct patterns, [`Search::Words`] beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    Auto,
    /// Aho-Corasick, leftmost-longest (SIMD prefilters for few patterns).
    Automaton,
    /// The word index of [`crate::correct::words`], for many patterns.
    Words,
}

/// Distinct literal patterns from which the word index is used. On 100 MB of French
/// prose, one thread, `check` took (automaton / word index): 0.74 / 0.79 s at 100 rules,
/// 0.63 / 0.61 s at 300, 0.67 / 0.61 s at 500, 0.74 / 0.64 s at 1,000 and 1.58 / 0.75 s
/// at 20,000; with ten rules the automaton's SIMD prefilter wins by far.
const WORD_INDEX_MIN_PATTERNS: usize = 300;

/// The word index, and an overlapping automaton for the patterns it cannot hold (those
/// that start with a character that is not a word character).
#[derive(Debug)]
struct Words {
    index: WordIndex,
    others: Option<(AhoCorasick, Vec<usize>)>,
}

impl Words {
    fn build(patterns: Vec<String>) -> Result<Words> {
        let (index, others) = WordIndex::build(patterns);
        let others = (!others.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(others.iter().map(|&i| index.pattern(i)))
                    .map(|automaton| (automaton, others))
                    .map_err(|e| Error::Rules(format!("cannot compile the glossaries: {e}")))
            })
            .transpose()?;
        Ok(Words { index, others })
    }
}

/// The two automata of the literal patterns.
#[derive(Debug)]
struct Automata {
    /// Leftmost-longest: the main search, with a SIMD prefilter when patterns are few.
    leftmost_longest: AhoCorasick,
    /// Every match, for the search inside a rejected match.
    overlapping: AhoCorasick,
    /// Length of the longest pattern, in bytes.
    longest: usize,
}

impl Automata {
    fn build(patterns: &[String]) -> Result<Automata> {
        let build = |match_kind, kind| {
            AhoCorasick::builder()
                .match_kind(match_kind)
                .kind(Some(kind))
                .build(patterns)
                .map_err(|e| Error::Rules(format!("cannot compile the glossaries: {e}")))
        };
        // Built side by side: with 20,000 rules they are a fifth of the start-up.
        let (leftmost_longest, overlapping) = std::thread::scope(|scope| {
            let main = scope.spawn(|| build(MatchKind::LeftmostLongest, automaton_kind(patterns)));
            // Searched only a few bytes at a time: the compact kind, quick to build.
            let overlapping = build(MatchKind::Standard, AhoCorasickKind::ContiguousNFA);
            (
                main.join().expect("the automaton build does not panic"),
                overlapping,
            )
        });
        Ok(Automata {
            leftmost_longest: leftmost_longest?,
            overlapping: overlapping?,
            longest: patterns.iter().map(String::len).max().unwrap_or(0),
        })
    }
}

impl Rules {
    /// Compiles the rules of `glossaries`, in order.
    pub fn compile(glossaries: &[Glossary]) -> Result<Rules> {
        Rules::compile_with(glossaries, Search::Auto)
    }

    /// Compiles the rules of `glossaries` with the literal search `search` (tests compare
    /// them; they find the same).
    pub fn compile_with(glossaries: &[Glossary], search: Search) -> Result<Rules> {
        let rules = glossaries.iter().flat_map(|g| g.rules.clone()).collect();
        Rules::compile_rules(rules, search)
    }

    /// Compiles the rules of `glossaries`, taking them: cloning 20,000 rules (their
    /// condition regexes above all) would be a fifth of the start-up.
    pub fn compile_owned(glossaries: Vec<Glossary>) -> Result<Rules> {
        // The first glossary's rules take the others': a large glossary's are not moved.
        let mut glossaries = glossaries.into_iter();
        let mut rules = glossaries.next().map(|g| g.rules).unwrap_or_default();
        for glossary in glossaries {
            rules.extend(glossary.rules);
        }
        Rules::compile_rules(rules, Search::Auto)
    }

    /// Compiles `rules`, in order, with the literal search `search`.
    fn compile_rules(rules: Vec<Rule>, search: Search) -> Result<Rules> {
        let mut literals = Distinct::with_capacity(rules.len());
        let mut triggers = Distinct::default();
        let mut whole_triggers = Vec::new();
        let mut regex_sources = Vec::new();
        let mut regex_rules = Vec::new();
        let mut exact_literals = Vec::with_capacity(rules.len());
        for (index, pattern) in fold_literals(&rules).into_iter().enumerate() {
            match pattern {
                Folded::Literal { folded, exact } => {
                    literals.add(folded, index);
                    exact_literals.push(exact);
                }
                Folded::Regex(regex) => {
                    match trigger_literals(regex.as_str()) {
                        Some(literals) => {
                            for start in trigger_prefixes(&literals) {
                                triggers.add(start.to_owned(), index);
                            }
                            whole_triggers.extend(literals);
                        }
                        None => {
                            regex_sources.push(regex.as_str().to_owned());
                            regex_rules.push(index);
                        }
                    }
                    exact_literals.push(None);
                }
            }
        }
        let (literal_patterns, literal_rules) = literals.into_parts();
        let trigger_rules = triggers.rules_with_prefixes();
        let (trigger_patterns, _) = triggers.into_parts();
        let triggers = trigger_search(&trigger_patterns)?;
        let regex_set = (!regex_sources.is_empty())
            .then(|| compile_set(&rules, &regex_rules))
            .transpose()?;
        let needs_cased = rules
            .iter()
            .any(|r| r.exact_case && matches!(r.pattern, Pattern::Regex(_)));
        // Anchors come from the whole literals: a match holds all of its literal, and a
        // longer anchor skips more paragraphs.
        whole_triggers.sort_unstable();
        whole_triggers.dedup();
        let anchors = match regex_set {
            Some(_) => None,
            None => Anchors::new(&literal_patterns, &whole_triggers),
        };
        let search = match search {
            Search::Auto if literal_patterns.len() >= WORD_INDEX_MIN_PATTERNS => Search::Words,
            Search::Auto => Search::Automaton,
            chosen => chosen,
        };
        let literals = match (literal_patterns.is_empty(), search) {
            (true, _) => None,
            (false, Search::Words) => Some(Literals::Words(Words::build(literal_patterns)?)),
            (false, _) => Some(Literals::Automata(Automata::build(&literal_patterns)?)),
        };
        let article_conditions = ArticleConditions::new(&rules);
        Ok(Rules {
            language: Language::Source,
            article_conditions,
            anchors,
            anchor_gate: AnchorGate::default(),
            needs_cased,
            rules,
            exact_literals,
            literals,
            literal_rules,
            triggers,
            trigger_rules,
            regex_set,
            regex_rules,
        })
    }

    /// The rules, in the order that breaks ties (glossary order, then row order).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules writing the corrections of `language` (`--into`).
    pub fn into_language(self, language: Language) -> Rules {
        Rules { language, ..self }
    }

    /// Which correction the rules write.
    pub(crate) fn language(&self) -> Language {
        self.language
    }

    /// The correction `rule` proposes in this run's language, as the glossary writes it
    /// (a regex rule's groups not filled in).
    pub(crate) fn proposed<'r>(&self, rule: &'r Rule) -> &'r str {
        match (self.language, &rule.french) {
            (Language::Fr, Some(french)) => &french.replacement,
            _ => &rule.replacement,
        }
    }

    /// The paragraphs of plain `text` worth matching: those where an anchor occurs, as
    /// sorted, non-overlapping byte ranges (empty: nothing can match). `None` when the
    /// whole text must be searched: some rule has no anchor, a paragraph with an anchor
    /// is longer than `MAX_PARAGRAPH`, or anchored paragraphs make up most of the text.
    ///
    /// Building the folded view costs more than the rest of the matching; most
    /// paragraphs hold no artifact, and a raw-byte search for the anchors is much
    /// cheaper than folding them.
    pub fn paragraphs_to_search(&self, text: &str) -> Option<Vec<(usize, usize)>> {
        let anchors = self
            .anchors
            .as_ref()
            .filter(|_| self.anchor_gate.is_open())?;
        let paragraphs = anchored_paragraphs(anchors, text);
        self.anchor_gate.record(paragraphs.is_some());
        paragraphs
    }

    /// Whether some rule searches its `if`/`unless` in the whole article, which then
    /// needs [`Rules::gather_article_facts`] before it is corrected.
    pub(crate) fn has_article_scope(&self) -> bool {
        self.article_conditions.is_some()
    }

    /// What `text`, a whole article in memory, says to rules with article scope,
    /// worked out only as their checks ask (see [`ArticleFacts::of_article`]).
    pub(crate) fn article_facts(&self, text: &str, format: Format) -> ArticleFacts {
        self.article_conditions
            .as_ref()
            .map_or_else(ArticleFacts::default, |conditions| {
                ArticleFacts::of_article(conditions, text, format)
            })
    }

    /// Adds to `facts` what `text` (one of the pieces of whole paragraphs an article is
    /// streamed in) says to rules with article scope (see [`ArticleConditions::gather`]).
    pub(crate) fn gather_article_facts(
        &self,
        facts: &mut ArticleFacts,
        text: &str,
        format: Format,
    ) {
        if let Some(conditions) = &self.article_conditions {
            conditions.gather(facts, text, format);
        }
    }

    /// Whether views for these rules need their cased copy.
    pub fn needs_cased(&self) -> bool {
        self.needs_cased
    }

    /// The leftmost-longest selection of the candidates that pass their checks, in text
    /// order (ties go to the earlier rule); `text` is the original the view was made from.
    ///
    /// The automaton's own leftmost-longest search finds each next literal choice, and
    /// only where its match fails the checks does an overlapping search look inside it
    /// for the candidates it hid (shorter ones at the same start, ones starting inside
    /// it). Regex candidates, all found first, join the chain where they come first.
    /// [`Rules::all_candidates`] gives the same selection the slow way. With the word
    /// index, the candidates are all of them, for selection to choose from.
    pub fn candidates(&self, view: &View, text: &str) -> Vec<Candidate> {
        let mut regex = self.regex_candidates(view, text);
        let automata = match &self.literals {
            None => return regex,
            Some(Literals::Words(words)) => {
                self.word_literals(words, view, text, &mut regex);
                return regex;
            }
            Some(Literals::Automata(automata)) => automata,
        };
        regex.sort_unstable_by_key(selection_order);
        let mut regex = regex.into_iter().peekable();
        let mut chosen = Vec::new();
        let mut at = 0;
        loop {
            while regex.next_if(|r| r.start < at).is_some() {}
            let literal = self.next_literal(automata, view, text, at);
            let next = match (literal, regex.peek()) {
                (Some(l), Some(r)) if selection_order(r) < selection_order(&l) => regex.next(),
                (Some(l), _) => Some(l),
                (None, _) => regex.next(),
            };
            let Some(next) = next else {
                return chosen;
            };
            chosen.push(next);
            at = next.end;
        }
    }

    /// Every match of every rule that passes its checks (for a literal match of several
    /// rules, the first that does), in no particular order.
    pub fn all_candidates(&self, view: &View, text: &str) -> Vec<Candidate> {
        let mut found = self.regex_candidates(view, text);
        match &self.literals {
            Some(Literals::Automata(automata)) => {
                for m in automata.overlapping.find_overlapping_iter(&view.folded) {
                    let pattern = m.pattern().as_usize();
                    found.extend(self.accepted_literal(view, text, m.start(), m.end(), pattern));
                }
            }
            Some(Literals::Words(words)) => self.word_literals(words, view, text, &mut found),
            None => {}
        }
        found
    }

    /// Every accepted literal candidate, from the word index and the automaton of the
    /// patterns it does not hold.
    fn word_literals(&self, words: &Words, view: &View, text: &str, found: &mut Vec<Candidate>) {
        let folded = view.folded.as_str();
        words.index.find(folded, |start, end, pattern| {
            found.extend(self.accepted_literal(view, text, start, end, pattern));
        });
        if let Some((automaton, patterns)) = &words.others {
            for m in automaton.find_overlapping_iter(folded) {
                let pattern = patterns[m.pattern().as_usize()];
                found.extend(self.accepted_literal(view, text, m.start(), m.end(), pattern));
            }
        }
    }

    /// The first literal candidate from view offset `at` that selection would choose
    /// (see [`Rules::candidates`]).
    fn next_literal(
        &self,
        automata: &Automata,
        view: &View,
        text: &str,
        mut at: usize,
    ) -> Option<Candidate> {
        let hay = view.folded.as_str();
        while let Some(m) = automata
            .leftmost_longest
            .find(Input::new(hay).span(at..hay.len()))
        {
            let accepted =
                self.accepted_literal(view, text, m.start(), m.end(), m.pattern().as_usize());
            if accepted.is_some() {
                return accepted;
            }
            // Rejected: the first choice among the candidates starting inside it, if
            // any, comes before every later one; else the search goes on after it.
            let end = (m.end() + automata.longest).min(hay.len());
            let inside = automata
                .overlapping
                .find_overlapping_iter(Input::new(hay).span(m.start()..end))
                .filter(|o| o.start() < m.end() && o.span() != m.span())
                .filter_map(|o| {
                    let pattern = o.pattern().as_usize();
                    self.accepted_literal(view, text, o.start(), o.end(), pattern)
                })
                .min_by_key(selection_order);
            if inside.is_some() {
                return inside;
            }
            at = m.end();
        }
        None
    }

    /// The first rule of literal pattern `pattern` whose checks the match `start..end`
    /// passes, as a candidate.
    fn accepted_literal(
        &self,
        view: &View,
        text: &str,
        start: usize,
        end: usize,
        pattern: usize,
    ) -> Option<Candidate> {
        self.literal_rules[pattern]
            .iter()
            .map(|&rule| Candidate { start, end, rule })
            .find(|&candidate| self.accepts(view, text, candidate))
    }

    /// The accepted candidates of the regex rules: those whose trigger literal occurs,
    /// and those the `RegexSet` says match.
    fn regex_candidates(&self, view: &View, text: &str) -> Vec<Candidate> {
        let mut found = Vec::new();
        for rule in self.triggered_rules(&view.folded) {
            self.regex_rule_candidates(view, text, rule, &mut found);
        }
        if let Some(set) = &self.regex_set {
            for set_index in set.matches(view.regex_haystack()).iter() {
                let rule = self.regex_rules[set_index];
                self.regex_rule_candidates(view, text, rule, &mut found);
            }
        }
        found
    }

    /// The regex rules whose trigger literals occur in `folded`, in order. The search
    /// resumes just after the start of each match, so that every position where some
    /// trigger starts is seen (with its longest trigger, which stands for its prefixes).
    fn triggered_rules(&self, folded: &str) -> Vec<usize> {
        let Some(triggers) = &self.triggers else {
            return Vec::new();
        };
        let mut rules = Vec::new();
        let mut at = 0;
        while let Some(m) = triggers.find(Input::new(folded).range(at..)) {
            rules.extend(&self.trigger_rules[&folded[m.range()]]);
            at = next_char(folded, m.start());
            if at > folded.len() {
                break;
            }
        }
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// All accepted matches of one regex rule. After a rejected match the search goes on
    /// from the next character, since a valid match may start inside the rejected one.
    fn regex_rule_candidates(
        &self,
        view: &View,
        text: &str,
        rule: usize,
        found: &mut Vec<Candidate>,
    ) {
        let Pattern::Regex(regex) = &self.rules[rule].pattern else {
            return;
        };
        let hay = view.regex_haystack();
        let mut at = 0;
        let mut retries = 0;
        let regex = regex.regex();
        while let Some(m) = regex.find_at(hay, at) {
            let candidate = Candidate {
                start: m.start(),
                end: m.end(),
                rule,
            };
            if !m.is_empty() && self.accepts(view, text, candidate) {
                found.push(candidate);
                at = m.end();
                retries = 0;
            } else if retries < MAX_REGEX_RETRIES && !m.is_empty() {
                at = next_char(hay, m.start());
                retries += 1;
            } else {
                at = next_char(hay, m.end().max(m.start()));
            }
            if at > hay.len() {
                break;
            }
        }
    }

    /// Whether a raw match passes the checks of its rule.
    fn accepts(&self, view: &View, text: &str, c: Candidate) -> bool {
        let (start, end) = (view.to_original(c.start), view.to_original(c.end));
        // No match crosses a paragraph break (a regex's `\s` could): streaming and the
        // anchored-paragraph shortcut cut texts there.
        is_whole_word(&view.folded, c.start, c.end)
            && !view.folded[c.start..c.end].contains('\n')
            && self.exact_literals[c.rule]
                .as_ref()
                .is_none_or(|exact| fold::fold_pattern(&text[start..end], true) == *exact)
            && !protect::is_protected(&view.folded, c.start, c.end, text, (start, end))
            && !view.touches_markup(start, end)
            && context_allows(self, c, view, text)
    }
}

/// Selection order: leftmost, then longest, then the earlier rule.
pub(crate) fn selection_order(c: &Candidate) -> (usize, std::cmp::Reverse<usize>, usize) {
    (c.start, std::cmp::Reverse(c.end), c.rule)
}

/// A rule's pattern as compiling takes it.
enum Folded<'r> {
    /// A literal, folded, and folded keeping its case when its case is exact.
    Literal {
        folded: String,
        exact: Option<String>,
    },
    Regex(&'r crate::glossary::pattern::RegexPattern),
}

/// The patterns of `rules`, literals folded on the worker threads (a tenth of the
/// start-up).
fn fold_literals(rules: &[Rule]) -> Vec<Folded<'_>> {
    rules
        .par_iter()
        .map(|rule| match &rule.pattern {
            Pattern::Literal(text) => Folded::Literal {
                folded: fold::fold_pattern(text, false),
                exact: rule.exact_case.then(|| fold::fold_pattern(text, true)),
            },
            Pattern::Regex(regex) => Folded::Regex(regex),
        })
        .collect()
}

/// Distinct folded patterns and, for each, the rules that have it, in order: two rules
/// with the same pattern (different contexts) share one automaton pattern. Patterns are
/// numbered in order of first appearance.
#[derive(Default)]
struct Distinct {
    /// Pattern number → its rules.
    rules: Vec<Vec<usize>>,
    /// Pattern → its number. Fx hashing: with SipHash this map is a tenth of the start-up
    /// at 20,000 rules. The map holds the patterns (a copy of each beside it would be a
    /// tenth of the compiling).
    index: rustc_hash::FxHashMap<String, usize>,
}

impl Distinct {
    fn with_capacity(patterns: usize) -> Distinct {
        Distinct {
            rules: Vec::with_capacity(patterns),
            index: rustc_hash::FxHashMap::with_capacity_and_hasher(patterns, Default::default()),
        }
    }

    fn add(&mut self, pattern: String, rule: usize) {
        let next = self.rules.len();
        let i = *self.index.entry(pattern).or_insert(next);
        if i == next {
            self.rules.push(Vec::new());
        }
        if self.rules[i].last() != Some(&rule) {
            self.rules[i].push(rule);
        }
    }

    /// For each pattern, its rules and those of every pattern that is a prefix of it.
    fn rules_with_prefixes(&self) -> std::collections::HashMap<String, Vec<usize>> {
        self.index
            .keys()
            .map(|pattern| {
                let mut rules: Vec<usize> = (1..=pattern.len())
                    .filter(|&end| pattern.is_char_boundary(end))
                    .filter_map(|end| self.index.get(&pattern[..end]))
                    .flat_map(|&i| self.rules[i].iter().copied())
                    .collect();
                rules.sort_unstable();
                rules.dedup();
                (pattern.clone(), rules)
            })
            .collect()
    }

    /// The patterns by number, and the rules of each.
    fn into_parts(self) -> (Vec<String>, Vec<Vec<usize>>) {
        let mut patterns = vec![String::new(); self.rules.len()];
        for (pattern, i) in self.index {
            patterns[i] = pattern;
        }
        (patterns, self.rules)
    }
}

/// One search for all trigger literals, longest first and leftmost-first, so that at any
/// place it matches the longest trigger that starts there (two triggers of one length
/// cannot both start at one place): the alternation of the literals, without building a
/// regex. A DFA (it searches every byte of every article) without prefilter (the
/// triggers start with common French letters, which defeat a rare-byte prefilter).
fn trigger_search(triggers: &[String]) -> Result<Option<AhoCorasick>> {
    if triggers.is_empty() {
        return Ok(None);
    }
    let mut longest_first: Vec<&String> = triggers.iter().collect();
    longest_first.sort_by_key(|t| std::cmp::Reverse(t.len()));
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::DFA))
        .prefilter(false)
        .build(longest_first)
        .map(Some)
        .map_err(|e| Error::Rules(format!("cannot compile the regex rules' literals: {e}")))
}

/// Literals that every match of a regex starts with, folded like the view, so that the
/// literal automaton's one pass tells whether the regex can match at all: a regex rule
/// then costs nothing on the (many) articles where its trigger does not occur. `None`
/// when the regex has no such finite set of literals of two characters or more; the rule
/// then goes to the `RegexSet` pass.
///
/// The regex is read case-sensitively and its literals folded: for a case-insensitive
/// rule, every match folds to a text that starts with a folded literal.
fn trigger_literals(source: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(source).ok()?;
    let seq = regex_syntax::hir::literal::Extractor::new().extract(&hir);
    let mut triggers = Vec::new();
    for literal in seq.literals()? {
        let text = std::str::from_utf8(literal.as_bytes()).ok()?;
        let folded = fold::fold_pattern(text, false);
        if folded.chars().count() < 2 {
            return None;
        }
        triggers.push(folded);
    }
    triggers.sort();
    triggers.dedup();
    (!triggers.is_empty()).then_some(triggers)
}

/// The starts of a regex rule's trigger literals that the trigger search looks for: all
/// of them whole, up to [`MAX_WHOLE_TRIGGERS`]; beyond, the literals cut to the most
/// characters at which they have at most [`MAX_TRIGGER_STARTS`] distinct starts, and to
/// no fewer than [`MIN_TRIGGER_CHARS`]. Every match of the regex
/// starts with one of its literals, hence with one of these; a start found where the
/// rest of its literal is not only runs the regex, which finds nothing there.
fn trigger_prefixes(literals: &[String]) -> Vec<&str> {
    if literals.len() <= MAX_WHOLE_TRIGGERS {
        return literals.iter().map(String::as_str).collect();
    }
    let starts = |chars: usize| {
        let mut starts: Vec<&str> = literals
            .iter()
            .map(|literal| match literal.char_indices().nth(chars) {
                Some((end, _)) => &literal[..end],
                None => literal,
            })
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    };
    let longest = literals
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut chars = MIN_TRIGGER_CHARS.min(longest);
    while chars < longest && starts(chars + 1).len() <= MAX_TRIGGER_STARTS {
        chars += 1;
    }
    starts(chars)
}

/// The automaton to build: a DFA, the fastest to search, while the patterns total
/// [`MAX_DFA_PATTERN_BYTES`] (measured: 25% faster than a contiguous NFA at 1,000 rules);
/// beyond, a contiguous NFA, since a DFA's memory and build time grow with the patterns'
/// length (minutes for a single 100 KB pattern) and its search is then no faster.
fn automaton_kind(patterns: &[String]) -> AhoCorasickKind {
    let total: usize = patterns.iter().map(String::len).sum();
    if total <= MAX_DFA_PATTERN_BYTES {
        AhoCorasickKind::DFA
    } else {
        AhoCorasickKind::ContiguousNFA
    }
}

/// Compiles the regex rules into one set, used as a prefilter: it says which rules match
/// an article at all, and only those rules' own regexes then run on it.
///
/// Unicode word boundaries (`\b`) would make the set fall back from its lazy DFA to a much
/// slower engine on any non-ASCII text, that is on every French article. They are removed
/// from the set's copy of each pattern: that copy matches a superset of texts, so the set
/// never misses a rule, and the rule's own regex (with its `\b`) decides.
fn compile_set(rules: &[Rule], regex_rules: &[usize]) -> Result<RegexSet> {
    let sources = regex_rules.iter().map(|&i| {
        let rule = &rules[i];
        let Pattern::Regex(regex) = &rule.pattern else {
            unreachable!("regex_rules only holds regex rules")
        };
        crate::glossary::condition::without_word_boundaries(regex.as_str(), !rule.exact_case)
    });
    RegexSetBuilder::new(sources)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| Error::Rules(format!("cannot compile the regex rules together: {e}")))
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(at + 1, |c| at + c.len_utf8())
}

/// A match is a whole word when a word character at either of its edges does not touch
/// another word character outside it.
pub(crate) fn is_whole_word(view: &str, start: usize, end: usize) -> bool {
    let first = view[start..].chars().next();
    let last = view[..end].chars().next_back();
    let before = view[..start].chars().next_back();
    let after = view[end..].chars().next();
    let touches = |edge: Option<char>, outside: Option<char>| {
        edge.is_some_and(fold::is_word_char) && outside.is_some_and(fold::is_word_char)
    };
    !touches(first, before) && !touches(last, after) && !inside_an_apostrophe_word(view, start)
}

/// Whether the text at `start` continues a word joined by an apostrophe that is no
/// elision ("prud'⟦hommes⟧", "presqu'⟦île⟧", "aujourd'⟦hui⟧"): the match would be half
/// of a word. After an elided word ("d'", "l'", "qu'"…) it is a word of its own.
fn inside_an_apostrophe_word(view: &str, start: usize) -> bool {
    let Some(before) = view[..start].strip_suffix('\'') else {
        return false;
    };
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| fold::is_word_char(c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let word = &before[word_start..];
    !word.is_empty() && !seam::is_elided(&word.to_lowercase())
}

/// Checks the `if` and `unless` conditions of the candidate's rule. Each is searched in
/// the text of its scope (sentence or paragraph) before the match and in the text after
/// it, separately: so `de $` means "right after `de `" and `^ pour` means "right before
/// ` pour`". With article scope, a condition also holds when it matches in another
/// paragraph of the article (the view's [`ArticleFacts`] count the paragraphs where it
/// matches; the match's own one counts only through its parts before and after the match).
fn context_allows(rules: &Rules, candidate: Candidate, view: &View, text: &str) -> bool {
    let rule = &rules.rules[candidate.rule];
    let (start, end) = (candidate.start, candidate.end);
    if rule.if_context.is_none() && rule.unless_context.is_none() {
        return true;
    }
    let (scope_start, scope_end) = match rule.scope {
        Scope::Sentence => sentence::bounds(view, text, start, end),
        Scope::Paragraph | Scope::Article => paragraph_bounds(&view.folded, start, end),
    };
    let before = &view.folded[scope_start..start];
    let after = &view.folded[end..scope_end];
    let found = |k: usize, condition: &Condition| {
        condition.is_match(before)
            || condition.is_match(after)
            || rules.article_conditions.as_ref().is_some_and(|article| {
                let Some(number) = article.of_rule(candidate.rule)[k] else {
                    return false;
                };
                let paragraphs = view.article.paragraphs(article, number);
                paragraphs > 0 && {
                    let own = condition.is_match(&view.folded[scope_start..scope_end]);
                    paragraphs > u32::from(own)
                }
            })
    };
    rule.if_context.as_ref().is_none_or(|c| found(0, c))
        && !rule.unless_context.as_ref().is_some_and(|c| found(1, c))
}

/// How far from a match its paragraph is read, each way, in bytes of the view.
const PARAGRAPH_REACH: usize = 20_000;

/// The byte range, in the folded view, of the paragraph around `start..end` (a blank line
/// is a `\n` there), cut [`PARAGRAPH_REACH`] bytes from the match.
fn paragraph_bounds(folded: &str, start: usize, end: usize) -> (usize, usize) {
    let floor = sentence::floor_boundary(folded, start.saturating_sub(PARAGRAPH_REACH));
    let ceiling = sentence::floor_boundary(folded, (end + PARAGRAPH_REACH).min(folded.len()));
    let bytes = folded.as_bytes();
    (
        memchr::memrchr(b'\n', &bytes[floor..start]).map_or(floor, |i| floor + i + 1),
        memchr::memchr(b'\n', &bytes[end..ceiling]).map_or(ceiling, |i| end + i),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::anchors::ANCHOR_TRIAL;
    use std::path::Path;

    fn rules(csv: &str) -> Rules {
        let glossary = crate::glossary::parse(csv, Path::new("t.csv")).unwrap();
        Rules::compile(&[glossary]).unwrap()
    }

    fn spans(rules: &Rules, text: &str) -> Vec<(String, usize)> {
        let view = View::with_spans(text, &[], rules.needs_cased());
        let mut found: Vec<_> = rules
            .candidates(&view, text)
            .into_iter()
            .map(|c| {
                (
                    text[view.to_original(c.start)..view.to_original(c.end)].to_owned(),
                    c.rule,
                )
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn whole_words_only_with_unicode_letters() {
        let r = rules("pattern,replacement\nOpenai,OpenAI\nl'automne,drop\n");
        assert_eq!(
            spans(&r, "d'Openai et OpenaiX et àOpenai"),
            vec![("Openai".into(), 0)]
        );
        assert!(spans(&r, "l'automnal").is_empty());
    }

    #[test]
    fn exact_case_rules_compare_case() {
        let r = rules("pattern,replacement,case\nMeta Plateformes,Meta Platforms,exact\n");
        assert_eq!(spans(&r, "Meta\nPlateformes").len(), 1);
        assert!(spans(&r, "méta plateformes").is_empty());
    }

    #[test]
    fn regex_rules_retry_inside_rejected_matches() {
        let r = rules("pattern,replacement\nre:a+b,x\n");
        // "aab" at the start touches the letter before it only from "xaab"; the inner
        // match must still be found after the rejected one.
        assert_eq!(spans(&r, "xaab ab"), vec![("ab".into(), 0)]);
    }

    #[test]
    fn the_anchor_shortcut_turns_itself_off_when_it_does_not_pay() {
        let csv = "pattern,replacement\nchatgpt,ChatGPT\n";
        let dense = "Le chatgpt ici.\n\nEt chatgpt là.";
        let sparse = "Rien.\n\nRien encore.\n\nRien toujours.\n\nUn chatgpt.";
        let paying = rules(csv);
        for _ in 0..2 * ANCHOR_TRIAL {
            assert!(paying.paragraphs_to_search(sparse).is_some());
        }
        let wasted = rules(csv);
        assert!(wasted.paragraphs_to_search(sparse).is_some());
        for _ in 0..ANCHOR_TRIAL {
            assert_eq!(wasted.paragraphs_to_search(dense), None);
        }
        assert_eq!(wasted.paragraphs_to_search(sparse), None);
    }

    #[test]
    fn overlapping_and_nested_triggers_all_run_their_rules() {
        let csv = "pattern,replacement\nre:ab c[d],1\nre:cd e[f],2\nre:ab,3\n";
        let rules = rules(csv);
        assert_eq!(
            rules.triggered_rules(&View::new("xx ab cd ef").folded),
            [0, 1, 2]
        );
        assert_eq!(
            spans(&rules, "ab cd ef"),
            [("ab".into(), 2), ("ab cd".into(), 0), ("cd ef".into(), 1)]
        );
    }

    #[test]
    fn regex_rules_are_triggered_by_their_literal_prefixes() {
        assert_eq!(
            trigger_literals(r"Meta [Pp]lates?-?formes").unwrap(),
            [
                "meta plate-formes",
                "meta plateformes",
                "meta plates-formes",
                "meta platesformes"
            ]
        );
        assert_eq!(
            trigger_literals(r"la profondeur[ -]v(\d)\b").unwrap(),
            ["la profondeur v", "la profondeur-v"]
        );
        assert_eq!(trigger_literals(r"\w+ment"), None);
        let csv = "pattern,replacement,case\nre:Meta [Pp]lates?-?formes,Meta Platforms,exact\n";
        assert_eq!(
            spans(&rules(csv), "Meta plates-formes et META PLATEFORMES").len(),
            1
        );
    }

    #[test]
    fn long_triggers_are_searched_by_their_start() {
        let few = rules("pattern,replacement\nre:(bibliothèque|boutique) (?:de )?la vapeur,1\n");
        assert_eq!(
            few.triggered_rules(&View::new("la bibliothèque de la ville").folded),
            [] as [usize; 0],
            "a rule of few literals is triggered by a whole one"
        );
        let regex = "appel du devoir (black ops|ghosts|mobile|ww2|wwii|vanguard|warzone)( [1-6])?";
        let literals = trigger_literals(regex).unwrap();
        assert!(literals.len() > MAX_WHOLE_TRIGGERS, "{literals:?}");
        let rules = rules(&format!("pattern,replacement\nre:{regex},1\n"));
        assert_eq!(
            rules.triggered_rules(&View::new("l'appel du devoir d'un élu").folded),
            [0],
            "the literals' one start triggers the rule"
        );
        assert_eq!(spans(&rules, "l'appel du devoir d'un élu"), []);
        assert_eq!(spans(&rules, "Appel du devoir Ghosts 2").len(), 1);
    }

    #[test]
    fn the_shipped_regex_rules_build_a_small_trigger_automaton() {
        let rules = Rules::compile(&crate::glossary::embedded().unwrap()).unwrap();
        let triggers = rules.triggers.as_ref().unwrap();
        assert!(triggers.patterns_len() < 512, "{}", triggers.patterns_len());
        assert!(
            triggers.memory_usage() < 1 << 20,
            "{}",
            triggers.memory_usage()
        );
    }

    #[test]
    fn anchors_pick_the_paragraphs_worth_searching() {
        let r = rules("pattern,replacement\nl'IA profonde,DeepSeek\nOpenai,OpenAI\n");
        let text = "Rien ici. Rien ici.\n\nSelon OPENAI et\nla suite.\n \r\nRien.\n\n Rien, rien, rien, rien, rien, rien, rien.\n\n L’IA\nProFONde.  ";
        let found: Vec<&str> = r
            .paragraphs_to_search(text)
            .unwrap()
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        // The text's own trailing white space is no paragraph break: the window keeps it.
        assert_eq!(found, ["Selon OPENAI et\nla suite.", "L’IA\nProFONde.  "]);
        let no_anchor = rules("pattern,replacement\nà,a\n");
        assert_eq!(no_anchor.paragraphs_to_search("à"), None);
    }

    #[test]
    fn a_long_run_of_letters_is_no_word_anchor() {
        // 200,000 hits in one 800 KB word: each looks no further than the longest anchor
        // (looking for the whole word at each hit would take minutes).
        let r = rules("pattern,replacement\nChat GPT,ChatGPT\n");
        let text = format!("{}\n\nLe chat GPT.", "chat".repeat(200_000));
        let found = r.paragraphs_to_search(&text).unwrap();
        let found: Vec<&str> = found.into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["Le chat GPT."]);
    }

    #[test]
    fn an_anchor_counts_as_a_whole_word_unless_it_triggers_a_regex() {
        let filler = "Rien ici. ".repeat(20);
        let text = &format!(
            "Un achat.\n\nLe Chat GPT.\n\nDes rachats, chats.\n\nTrès profondeurs.\n\n{filler}"
        );
        let paragraphs = |r: &Rules| -> Vec<&str> {
            let found = r.paragraphs_to_search(text).unwrap();
            found.into_iter().map(|(s, e)| &text[s..e]).collect()
        };
        let literal = rules("pattern,replacement\nChat GPT,ChatGPT\nchatgpt,ChatGPT\n");
        assert_eq!(paragraphs(&literal), ["Le Chat GPT."]);
        let regex =
            rules("pattern,replacement\nre:profondeurs? v(\\d),DeepSeek-V$1\nre:chats?,x\n");
        assert_eq!(
            paragraphs(&regex),
            [
                "Un achat.",
                "Le Chat GPT.",
                "Des rachats, chats.",
                "Très profondeurs."
            ]
        );
    }

    #[test]
    fn word_boundaries_in_regex_rules_still_hold() {
        let r = rules("pattern,replacement\nre:\\bab\\b,x\n");
        assert_eq!(spans(&r, "éab ab"), vec![("ab".into(), 0)]);
    }

    #[test]
    fn contexts_look_before_and_after_the_match() {
        let r =
            rules("pattern,replacement,if,unless\nréveiller,wake-up call,qualifi\\w* .* de $,\n");
        assert_eq!(spans(&r, "Il a qualifié X de réveiller pour.").len(), 1);
        assert!(spans(&r, "Il faut se réveiller tôt. Il a qualifié X.").is_empty());
    }
}
