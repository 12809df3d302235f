//! Article scope: what a whole article says to the rules whose `if`/`unless` are searched
//! in all of it. For each distinct condition of those rules (many rules share one), the
//! paragraphs of the article where it matches are counted, in the matching view (markup
//! left out); a candidate's check then reads the count instead of searching the article.
//!
//! An article held in memory is counted lazily: its view is folded, and a condition
//! counted, only when a candidate's check first asks for it; most articles hold no match
//! of a rule with article scope and pay nothing. A streamed article is counted for every
//! condition in advance, in a pass of its own, since its pieces are corrected one at a
//! time.

use std::sync::{Arc, OnceLock};

use crate::correct::fold::View;
use crate::correct::markup::Format;
use crate::glossary::condition::Condition;
use crate::glossary::{Rule, Scope};

/// Paragraphs past which an article in memory stops counting a condition: a check asks
/// only whether it matches in a paragraph other than the match's own, so in two.
const ENOUGH: u32 = 2;

/// What an article says to the conditions of the rules with article scope: for each, in
/// how many of its paragraphs it matches (an article in memory counts no further than
/// [`ENOUGH`]). Empty when no rule has article scope.
#[derive(Debug, Clone, Default)]
pub struct ArticleFacts {
    /// Condition number → paragraphs where it matches, counted in advance.
    counts: Vec<u32>,
    /// Or the article, whose conditions are counted as checks ask.
    lazy: Option<Arc<LazyArticle>>,
}

/// An article in memory, folded and counted on demand (see [`ArticleFacts`]).
#[derive(Debug)]
struct LazyArticle {
    text: Box<str>,
    format: Format,
    folded: OnceLock<String>,
    /// Condition number → paragraphs where it matches, once asked.
    counts: Box<[OnceLock<u32>]>,
}

impl ArticleFacts {
    /// The facts of `text`, a whole article, counted only as [`ArticleFacts::paragraphs`]
    /// asks for them (a copy of the text is kept, for checks run on views of its parts).
    pub(crate) fn of_article(
        conditions: &ArticleConditions,
        text: &str,
        format: Format,
    ) -> ArticleFacts {
        ArticleFacts {
            counts: Vec::new(),
            lazy: Some(Arc::new(LazyArticle {
                text: text.into(),
                format,
                folded: OnceLock::new(),
                counts: (0..conditions.conditions.len())
                    .map(|_| OnceLock::new())
                    .collect(),
            })),
        }
    }

    /// In how many paragraphs of the article condition number `condition` of
    /// `conditions` matches (no more than [`ENOUGH`] for an article in memory).
    pub(crate) fn paragraphs(&self, conditions: &ArticleConditions, condition: u32) -> u32 {
        let condition = condition as usize;
        match &self.lazy {
            Some(article) => *article.counts[condition].get_or_init(|| {
                let folded = article
                    .folded
                    .get_or_init(|| fold_article(&article.text, article.format));
                count_paragraphs(&conditions.conditions[condition], folded, ENOUGH)
            }),
            None => self.counts.get(condition).copied().unwrap_or(0),
        }
    }
}

/// The distinct `if`/`unless` conditions of the rules with article scope.
#[derive(Debug)]
pub(crate) struct ArticleConditions {
    /// The distinct conditions (by their text), in order of first use.
    conditions: Vec<Condition>,
    /// Rule index → numbers of its `[if, unless]` conditions when it has article scope.
    of_rule: Vec<[Option<u32>; 2]>,
}

impl ArticleConditions {
    /// The conditions of the rules of `rules` with article scope; `None` when no rule
    /// has article scope and a condition.
    pub(crate) fn new(rules: &[Rule]) -> Option<ArticleConditions> {
        let mut conditions: Vec<Condition> = Vec::new();
        let mut numbers = rustc_hash::FxHashMap::<&str, u32>::default();
        let mut of_rule = vec![[None; 2]; rules.len()];
        for (rule, numbered) in rules.iter().zip(&mut of_rule) {
            if rule.scope != Scope::Article {
                continue;
            }
            let both = [&rule.if_context, &rule.unless_context];
            for (slot, condition) in numbered.iter_mut().zip(both) {
                *slot = condition.as_ref().map(|c| {
                    *numbers.entry(c.as_str()).or_insert_with(|| {
                        conditions.push(c.clone());
                        (conditions.len() - 1) as u32
                    })
                });
            }
        }
        (!conditions.is_empty()).then_some(ArticleConditions {
            conditions,
            of_rule,
        })
    }

    /// The numbers of the `[if, unless]` conditions of rule number `rule`, when it has
    /// article scope.
    pub(crate) fn of_rule(&self, rule: usize) -> [Option<u32>; 2] {
        self.of_rule[rule]
    }

    /// Adds to `facts` what `text` (one of the pieces of whole paragraphs an article is
    /// streamed in) says to every condition: in how many paragraphs it matches.
    pub(crate) fn gather(&self, facts: &mut ArticleFacts, text: &str, format: Format) {
        if facts.counts.is_empty() {
            facts.counts = vec![0; self.conditions.len()];
        }
        let folded = fold_article(text, format);
        for (count, condition) in facts.counts.iter_mut().zip(&self.conditions) {
            *count += count_paragraphs(condition, &folded, u32::MAX);
        }
    }
}

/// The matching view of `text`, folded.
fn fold_article(text: &str, format: Format) -> String {
    let mut view = View::with_spans(text, &format.spans(text), false);
    std::mem::take(&mut view.folded)
}

/// The paragraphs of `folded`, a view, where a paragraph break is a `\n`. A view that
/// ends with a blank line ends with a break, as does each piece but the last of a
/// streamed article: what follows it is no paragraph (a condition that matches empty text
/// would otherwise count one more in a streamed article than in memory).
fn paragraphs(folded: &str) -> impl Iterator<Item = &str> {
    folded.split('\n').filter(|p| !p.is_empty())
}

/// In how many paragraphs of `folded` (see [`paragraphs`]) `condition` matches, counting
/// no further than `limit`.
fn count_paragraphs(condition: &Condition, folded: &str, limit: u32) -> u32 {
    let found = paragraphs(folded).filter(|p| condition.is_match(p));
    found.take(limit as usize).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;

    fn parse(csv: &str) -> Vec<Rule> {
        crate::glossary::parse(csv, Path::new("t.csv"))
            .unwrap()
            .rules
    }

    /// The plain twin of the counts: every rule's conditions searched in every
    /// paragraph, one after the other, as `[if, unless]` counts by rule.
    fn gather_plainly(rules: &[Rule], text: &str, format: Format) -> Vec<[u32; 2]> {
        let view = View::with_spans(text, &format.spans(text), false);
        let mut counts = vec![[0; 2]; rules.len()];
        for paragraph in view.folded.split('\n').filter(|p| !p.is_empty()) {
            for (rule, count) in rules.iter().zip(&mut counts) {
                let both = [&rule.if_context, &rule.unless_context];
                for (k, condition) in both.into_iter().enumerate() {
                    let found = condition.as_ref().is_some_and(|c| c.is_match(paragraph));
                    count[k] += u32::from(rule.scope == Scope::Article && found);
                }
            }
        }
        counts
    }

    /// The counts of `facts` read back by rule, up to [`ENOUGH`].
    fn by_rule(conditions: &ArticleConditions, facts: &ArticleFacts) -> Vec<[u32; 2]> {
        (0..conditions.of_rule.len())
            .map(|rule| {
                let numbers = conditions.of_rule(rule);
                numbers.map(|c| c.map_or(0, |c| facts.paragraphs(conditions, c).min(ENOUGH)))
            })
            .collect()
    }

    /// Counts up to [`ENOUGH`].
    fn capped(counts: Vec<[u32; 2]>) -> Vec<[u32; 2]> {
        counts
            .into_iter()
            .map(|c| c.map(|n| n.min(ENOUGH)))
            .collect()
    }

    #[test]
    fn rules_sharing_a_condition_share_its_count() {
        let rules = parse(
            "pattern,replacement,if,unless,scope\n\
             a,A,r1|chatbot,philosoph,article\n\
             b,B,r1|chatbot,,article\n\
             c,C,\\bmal\\b,r1|chatbot,article\n\
             d,D,r1|chatbot,,sentence\n",
        );
        let conditions = ArticleConditions::new(&rules).unwrap();
        assert_eq!(conditions.conditions.len(), 3);
        assert_eq!(conditions.of_rule(3), [None, None]);
        let text = "Le Chatbot R1.\n\nC'est normal.\n\nJ'ai mal.\n\nLa philosophie du R1.\n\nR1.";
        let lazy = ArticleFacts::of_article(&conditions, text, Format::Text);
        // Three paragraphs name R1; two are enough to know.
        assert_eq!(
            by_rule(&conditions, &lazy),
            [[2, 1], [2, 0], [1, 2], [0, 0]]
        );
        assert_eq!(lazy.paragraphs(&conditions, 0), ENOUGH);
        let mut eager = ArticleFacts::default();
        conditions.gather(&mut eager, text, Format::Text);
        assert_eq!(eager.paragraphs(&conditions, 0), 3);
        assert_eq!(by_rule(&conditions, &eager), by_rule(&conditions, &lazy));
    }

    #[test]
    fn markup_is_not_text() {
        let rules = parse("pattern,replacement,if,scope\na,A,chatbot,article\n");
        let conditions = ArticleConditions::new(&rules).unwrap();
        let html = "<p class=\"chatbot\">Rien.</p>\n\n<p>Un chatbot.</p>";
        let lazy = ArticleFacts::of_article(&conditions, html, Format::Html);
        assert_eq!(lazy.paragraphs(&conditions, 0), 1);
    }

    #[test]
    fn no_rule_in_article_scope_needs_no_facts() {
        let rules = parse("pattern,replacement,if,scope\na,A,chatbot,paragraph\nb,B,,article\n");
        assert!(ArticleConditions::new(&rules).is_none());
    }

    proptest! {
        /// Counting the distinct conditions, in advance (a streamed article, in pieces of
        /// whole paragraphs) or on demand (an article in memory), gives the counts of
        /// every rule's conditions searched one by one.
        #[test]
        fn distinct_conditions_count_what_each_rule_finds(
            text in "([a-zéèàA-Z' ’.]|mal|ia|r1|bourse|<b>|\n\n){0,60}",
            picks in prop::collection::vec((0usize..7, 0usize..7, 0usize..3), 1..6),
            html in any::<bool>(),
            cut in any::<prop::sample::Index>(),
        ) {
            const CONDITIONS: [&str; 7] =
                ["", "\\bmal\\b", "r1|ia", "bourse", "^l'", "a$", "\\bia\\b|\\bl'é|^\\W*$"];
            const SCOPES: [&str; 3] = ["article", "sentence", "article"];
            let mut csv = String::from("pattern,replacement,if,unless,scope\n");
            for (i, (if_, unless, scope)) in picks.iter().enumerate() {
                let (if_, unless) = (CONDITIONS[*if_], CONDITIONS[*unless]);
                csv.push_str(&format!("p{i},P,{if_},{unless},{}\n", SCOPES[*scope]));
            }
            let rules = parse(&csv);
            let format = if html { Format::Html } else { Format::Text };
            let plain = capped(gather_plainly(&rules, &text, format));
            let Some(conditions) = ArticleConditions::new(&rules) else {
                prop_assert!(plain.iter().all(|c| *c == [0, 0]));
                return Ok(());
            };
            let lazy = ArticleFacts::of_article(&conditions, &text, format);
            prop_assert_eq!(by_rule(&conditions, &lazy), plain.clone());
            // Where streaming cuts: a paragraph's first character, after a blank line.
            let breaks: Vec<usize> = (1..text.len())
                .filter(|&p| text.as_bytes()[p].is_ascii_graphic())
                .filter(|&p| {
                    let run = &text[text[..p].trim_end().len()..p];
                    run.matches('\n').count() >= 2
                })
                .collect();
            let at = if breaks.is_empty() { text.len() } else { *cut.get(&breaks) };
            let mut eager = ArticleFacts::default();
            for piece in [&text[..at], &text[at..]] {
                conditions.gather(&mut eager, piece, format);
            }
            prop_assert_eq!(by_rule(&conditions, &eager), plain);
        }
    }
}
