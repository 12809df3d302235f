//! The pure core: text in, corrected text and substitutions out, no I/O. The heart of
//! mtfix, and the part the tests exercise most: [`markup`] finds the spans markup keeps,
//! [`fold`] builds the matching view, [`matcher`] finds every candidate of every rule in
//! one pass ([`anchors`] skips paragraphs that cannot hold one, [`words`] indexes large
//! glossaries), [`protect`], [`sentence`] and [`article_scope`] check each candidate, and
//! this module selects and rewrites. Selection is leftmost-longest over the candidates that
//! passed their checks; a tie goes to the earlier rule (earlier glossary, then earlier row).

pub(crate) mod anchors;
pub(crate) mod article_scope;
pub(crate) mod fold;
pub(crate) mod markup;
pub(crate) mod matcher;
pub(crate) mod protect;
pub(crate) mod seam;
pub(crate) mod sentence;
pub(crate) mod substitutions;
pub(crate) mod words;

use std::borrow::Cow;

use crate::correct::article_scope::ArticleFacts;
use crate::correct::fold::View;
use crate::correct::markup::Format;
use crate::correct::matcher::{Candidate, Rules, Search, selection_order};
use crate::correct::seam::Agreed;
use crate::glossary::template;
use crate::glossary::{Language, Pattern, Rule, Seam};

/// Characters of context kept on each side of a match in the log.
const CONTEXT_CHARS: usize = 160;

pub(crate) use crate::correct::substitutions::{Reused, Substitution, Substitutions};

/// The result of [`apply`].
#[derive(Debug)]
pub struct Applied<'a> {
    /// The corrected text (borrowed when nothing changed).
    pub text: Cow<'a, str>,
    /// Substitutions in text order.
    pub subs: Substitutions,
}

/// How to read and report a text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Plain text, HTML or Markdown.
    pub format: Format,
    /// Fill each substitution's `context`; without it the field is empty, which saves
    /// finding each sentence when no log is written (`check`).
    pub context: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Text,
            context: true,
        }
    }
}

/// Corrects plain `text` with `rules`.
pub fn apply<'a>(rules: &Rules, text: &'a str) -> Applied<'a> {
    apply_with(rules, text, Options::default())
}

/// Corrects `text` with `rules`, as `options` say.
pub(crate) fn apply_with<'a>(rules: &Rules, text: &'a str, options: Options) -> Applied<'a> {
    let subs = substitutions(rules, text, options);
    Applied {
        text: rewrite(text, &subs),
        subs,
    }
}

/// The substitutions [`apply_with`] makes, without the corrected text (which `check`
/// does not need: building it copied every changed article).
pub(crate) fn substitutions(rules: &Rules, text: &str, options: Options) -> Substitutions {
    let article = rules.article_facts(text, options.format);
    substitutions_with(rules, text, options, &article)
}

/// The substitutions of [`substitutions`] in `text`, a whole article or a piece of one,
/// with what the whole `article` says to rules with article scope (see
/// [`Rules::gather_article_facts`]).
pub(crate) fn substitutions_with(
    rules: &Rules,
    text: &str,
    options: Options,
    article: &ArticleFacts,
) -> Substitutions {
    substitutions_over(rules, text, options, article, &[(0, text.len())])
}

/// The substitutions of [`substitutions`] that stand in `paragraphs`, runs of whole
/// paragraphs of plain `text` ([`anchors::Paragraphs`]): the same, found without folding
/// and matching the rest of the text (nor the paragraphs there without an anchor, see
/// [`Rules::paragraphs_to_search`]).
pub(crate) fn substitutions_in_paragraphs(
    rules: &Rules,
    text: &str,
    options: Options,
    paragraphs: &[(usize, usize)],
) -> Substitutions {
    let article = rules.article_facts(text, options.format);
    substitutions_over(rules, text, options, &article, paragraphs)
}

/// The substitutions in `ranges` of `text` (the whole text, or runs of whole
/// paragraphs): of plain text, only in the paragraphs there that hold an anchor
/// ([`Rules::paragraphs_to_search`]), with their lines and columns.
fn substitutions_over(
    rules: &Rules,
    text: &str,
    options: Options,
    article: &ArticleFacts,
    ranges: &[(usize, usize)],
) -> Substitutions {
    let anchored = match options.format {
        Format::Text => rules.paragraphs_to_search(text),
        Format::Html | Format::Markdown => None,
    };
    let mut subs = Substitutions::default();
    let mut search = |(start, end)| {
        substitutions_in(rules, text, start, end, options, article, &mut subs);
    };
    match anchored {
        Some(anchored) => intersect(ranges, &anchored).for_each(&mut search),
        None => ranges.iter().copied().for_each(&mut search),
    }
    locate(text, &mut subs);
    subs
}

/// The non-empty overlaps of two sorted lists of disjoint ranges: of runs of whole
/// paragraphs, the runs of the paragraphs in both (the edges of a run are those of its
/// paragraphs).
fn intersect<'r>(
    a: &'r [(usize, usize)],
    b: &'r [(usize, usize)],
) -> impl Iterator<Item = (usize, usize)> + 'r {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            let (start, end) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
            if a[i].1 <= b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
            if start < end {
                return Some((start, end));
            }
        }
        None
    })
}

/// Fills in the line and column of each substitution.
fn locate(text: &str, subs: &mut Substitutions) {
    let mut lines = LineCounter::default();
    for place in subs.places_mut() {
        (place.line, place.column) = lines.locate(text, place.byte_offset);
    }
}

/// Adds to `subs` the substitutions in `text[start..end]`, a whole text or a run of whole
/// paragraphs (no match and no sentence crosses a paragraph break, so both give the same
/// result), with offsets in `text`; lines and columns are left for the caller.
fn substitutions_in(
    rules: &Rules,
    text: &str,
    start: usize,
    end: usize,
    options: Options,
    article: &ArticleFacts,
    subs: &mut Substitutions,
) {
    let part = &text[start..end];
    let mut view = View::with_spans(part, &options.format.spans(part), rules.needs_cased());
    view.article.clone_from(article);
    // Where the last edit ended: a seam never reaches into it.
    let mut floor = 0;
    for candidate in select(rules.candidates(&view, part)) {
        let Some(edit) = edit_for(rules, &view, part, candidate, options.format, floor) else {
            continue;
        };
        floor = edit.end;
        let matched = &part[edit.start..edit.end];
        subs.push(
            candidate.rule,
            start + edit.start,
            matched,
            &edit.replacement,
            |out| {
                if options.context {
                    write_context(out, part, &view, candidate, edit.start, edit.end);
                }
            },
        );
    }
}

/// Leftmost-longest, non-overlapping selection; ties go to the lower rule index.
fn select(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_unstable_by_key(selection_order);
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if chosen.last().is_none_or(|last| candidate.start >= last.end) {
            chosen.push(candidate);
        }
    }
    chosen
}

/// A change to the original text.
struct Edit<'r> {
    start: usize,
    end: usize,
    /// Borrowed from the rule when the match takes it as written.
    replacement: Cow<'r, str>,
}

/// The edit a selected candidate makes, or `None` when the text already reads as the
/// replacement. The edit takes in the word before the match when the French seam
/// changes it (see [`seam`]), but never text before `floor`. Under `--into fr`, a rule
/// with a French correction writes it, its determiner agreed; where that cannot be done
/// with certainty, the rule writes `replacement` as without `--into fr`. A flag-only
/// rule's edit replaces the match with itself: logged, never written.
fn edit_for<'r>(
    rules: &'r Rules,
    view: &View,
    text: &str,
    c: Candidate,
    format: Format,
    floor: usize,
) -> Option<Edit<'r>> {
    let rule = &rules.rules()[c.rule];
    let start = view.to_original(c.start);
    let end = view.to_original(c.end);
    let matched = &text[start..end];
    let french = match rules.language() {
        Language::Fr => rule.french.as_deref(),
        Language::Source => None,
    };
    let proposed = |template: &'r str| {
        let expanded = expand(rule, template, view, text, c);
        format.escape(match_case(expanded, matched))
    };
    if rule.flag {
        let suggestion = proposed(french.map_or(&rule.replacement, |f| &f.replacement));
        return (suggestion != matched).then(|| Edit {
            start,
            end,
            replacement: Cow::Owned(matched.to_owned()),
        });
    }
    let apostrophe = || paragraph_apostrophe(view, text, c);
    if let Some(french) = french {
        let replacement = proposed(&french.replacement);
        if replacement == matched {
            return None;
        }
        let Some(agreement) = french.agreement else {
            // The `seam` column's sound and gender are `replacement`'s, not `fr`'s.
            let seam = Seam {
                onset: None,
                gender: None,
                ..rule.seam
            };
            return Some(seamed(
                view,
                text,
                floor,
                (start, end),
                replacement,
                seam,
                apostrophe,
            ));
        };
        match seam::agree(text, floor, start, &replacement, agreement, apostrophe) {
            Agreed::Kept => {
                return Some(Edit {
                    start,
                    end,
                    replacement,
                });
            }
            Agreed::Changed(w) if !rule.seam.off && !view.touches_markup(w.start, start) => {
                return Some(Edit {
                    start: w.start,
                    end,
                    replacement: Cow::Owned(w.replacement),
                });
            }
            Agreed::Changed(_) | Agreed::Uncertain => {}
        }
    }
    let replacement = proposed(&rule.replacement);
    if replacement == matched {
        return None;
    }
    let apostrophe = || paragraph_apostrophe(view, text, c);
    Some(seamed(
        view,
        text,
        floor,
        (start, end),
        replacement,
        rule.seam,
        apostrophe,
    ))
}

/// `template` (a rule's replacement) for candidate `c`: as written for a literal rule,
/// its groups filled in from the original text for a regex rule.
fn expand<'r>(
    rule: &Rule,
    template: &'r str,
    view: &View,
    text: &str,
    c: Candidate,
) -> Cow<'r, str> {
    match &rule.pattern {
        Pattern::Literal(_) => Cow::Borrowed(template),
        Pattern::Regex(regex) => Cow::Owned({
            let captures = regex
                .regex()
                .captures_at(view.regex_haystack(), c.start)
                .expect("a candidate's regex matches at its start");
            template::expand(template, |name| {
                let group = match name.parse::<usize>() {
                    Ok(n) => captures.get(n),
                    Err(_) => captures.name(name),
                }?;
                Some(&text[view.to_original(group.start())..view.to_original(group.end())])
            })
        }),
    }
}

/// The edit of `text[start..end]` into `replacement`, with the French seam of
/// section 2 at its left (elision, restoration, contraction).
fn seamed<'r>(
    view: &View,
    text: &str,
    floor: usize,
    (start, end): (usize, usize),
    replacement: Cow<'r, str>,
    seam: Seam,
    apostrophe: impl FnOnce() -> char,
) -> Edit<'r> {
    let (start, end) = if replacement.is_empty() {
        widen_over_one_space(text, start, end)
    } else {
        (start, end)
    };
    let widened = seam::widen(text, floor, start, &replacement, seam, apostrophe)
        .filter(|w| !view.touches_markup(w.start, start));
    let (start, replacement) = match widened {
        Some(w) => (w.start, Cow::Owned(w.replacement)),
        None => (start, replacement),
    };
    Edit {
        start,
        end,
        replacement,
    }
}

/// How far from a match its paragraph is read for its apostrophes, each way, in bytes.
const APOSTROPHE_REACH: usize = 2000;

/// The apostrophe the paragraph of candidate `c` uses most, for a new elision: `’` where
/// it outnumbers `'`, else `'`. The paragraph, not the text: it is the same whether the
/// text is searched whole, by anchored paragraphs or streamed.
fn paragraph_apostrophe(view: &View, text: &str, c: Candidate) -> char {
    let folded = view.folded.as_bytes();
    let floor = c.start.saturating_sub(APOSTROPHE_REACH);
    let ceiling = (c.end + APOSTROPHE_REACH).min(folded.len());
    let start = memchr::memrchr(b'\n', &folded[floor..c.start]).map_or(floor, |i| floor + i);
    let end = memchr::memchr(b'\n', &folded[c.end..ceiling]).map_or(ceiling, |i| c.end + i);
    let (start, end) = (
        view.to_original(sentence::floor_boundary(&view.folded, start)),
        view.to_original(sentence::floor_boundary(&view.folded, end)),
    );
    let paragraph = &text[start..end];
    let straight = memchr::memchr_iter(b'\'', paragraph.as_bytes()).count();
    let curly = paragraph.matches(['\u{2019}', '\u{2bc}']).count();
    if curly > straight { '\u{2019}' } else { '\'' }
}

/// An all-lowercase replacement follows the case of the match: capitalised after a
/// capital, upper case after an all-capitals match of two letters or more. Any other
/// replacement ("DeepSeek") is written as given.
pub(crate) fn match_case<'r>(replacement: Cow<'r, str>, matched: &str) -> Cow<'r, str> {
    if replacement.chars().any(char::is_uppercase) {
        return replacement;
    }
    let mut letters = matched.chars().filter(|c| c.is_alphabetic());
    let all_capitals = matched.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && letters.all(char::is_uppercase);
    if all_capitals {
        return Cow::Owned(replacement.to_uppercase());
    }
    if matched.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = replacement.chars();
        if let Some(first) = chars.next() {
            return Cow::Owned(first.to_uppercase().chain(chars).collect());
        }
    }
    replacement
}

/// Extends a span that is being deleted over one white-space character beside it (the one
/// before if any, else the one after), so that no double space is left behind.
fn widen_over_one_space(text: &str, start: usize, end: usize) -> (usize, usize) {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    match (before, after) {
        (Some(b), Some(a)) if b.is_whitespace() && (a.is_whitespace() || !a.is_alphanumeric()) => {
            (start - b.len_utf8(), end)
        }
        (_, Some(a)) if a.is_whitespace() => (start, end + a.len_utf8()),
        (Some(b), None) if b.is_whitespace() => (start - b.len_utf8(), end),
        _ => (start, end),
    }
}

/// Writes the sentence around a match, in the original text with white space runs
/// collapsed, the match marked `⟦…⟧`, and each side cut to [`CONTEXT_CHARS`] characters.
fn write_context(
    out: &mut String,
    text: &str,
    view: &View,
    c: Candidate,
    start: usize,
    end: usize,
) {
    let (s, e) = sentence::bounds(view, text, c.start, c.end);
    let (s, e) = (view.to_original(s).min(start), view.to_original(e).max(end));
    // White space at the sentence's edges (before a paragraph, at the end of the text)
    // is not part of it.
    let (before, after) = (text[s..start].trim_start(), text[end..e].trim_end());
    push_context(out, before, &text[start..end], after, CONTEXT_CHARS);
}

/// Appends `matched` marked `⟦…⟧` between what comes `before` and `after` it, white space
/// runs collapsed and each side cut to `limit` characters (marked `…`).
fn push_context(out: &mut String, before: &str, matched: &str, after: &str, limit: usize) {
    let (from, cut) = last_collapsed_chars(before, limit);
    if cut {
        out.push('…');
    }
    push_collapsed(out, &before[from..], usize::MAX);
    out.push('⟦');
    out.push_str(matched);
    out.push('⟧');
    if push_collapsed(out, after, limit) {
        out.push('…');
    }
}

/// Appends `text` with each run of white space as one space, up to `limit` characters;
/// true if it was cut there (sentences can be paragraphs long, and only their part near
/// the match is shown). Text goes out in runs copied whole, not character by character
/// (a tenth of writing the log).
fn push_collapsed(out: &mut String, text: &str, limit: usize) -> bool {
    let mut pushed = 0;
    let mut in_space = false;
    // The start of the run of characters kept as they are, not yet copied.
    let mut run = 0;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if space && in_space {
            out.push_str(&text[run..i]);
            run = i + c.len_utf8();
            continue;
        }
        if pushed == limit {
            out.push_str(&text[run..i]);
            return true;
        }
        if space && c != ' ' {
            out.push_str(&text[run..i]);
            out.push(' ');
            run = i + c.len_utf8();
        }
        in_space = space;
        pushed += 1;
    }
    out.push_str(&text[run..]);
    false
}

/// Where the last `limit` characters of `text` start once [`push_collapsed`] collapses
/// its white space, and whether any come before them.
fn last_collapsed_chars(text: &str, limit: usize) -> (usize, bool) {
    let mut counted = 0;
    let mut from = text.len();
    let mut in_space = false;
    for (i, c) in text.char_indices().rev() {
        let space = c.is_whitespace();
        if space && in_space {
            // Still the run already counted as one space.
            from = i;
            continue;
        }
        in_space = space;
        if counted == limit {
            return (from, true);
        }
        counted += 1;
        from = i;
    }
    (from, false)
}

/// Checks that substitutions describe `applied` exactly: in order, without overlap, each
/// `matched` found at its offset in `original`, and replaying them on `original` gives
/// the corrected text. Used by property tests, the fuzz target and its regressions.
pub(crate) fn check_log(original: &str, applied: &Applied<'_>) -> Result<(), String> {
    let mut at = 0;
    for sub in &applied.subs {
        if sub.byte_offset < at {
            return Err(format!(
                "substitution at {} overlaps the previous one",
                sub.byte_offset
            ));
        }
        if original.get(sub.byte_offset..sub.byte_offset + sub.matched.len()) != Some(sub.matched) {
            return Err(format!(
                "`{}` is not at offset {}",
                sub.matched, sub.byte_offset
            ));
        }
        at = sub.byte_offset + sub.matched.len();
    }
    if rewrite(original, &applied.subs) != applied.text {
        return Err("replaying the log does not give the corrected text".into());
    }
    Ok(())
}

/// One fuzzing input: a glossary, a line `---`, then an article. A refused glossary is
/// fine; an accepted one must pass `check_log` on the article in every format, and the
/// automaton and the word index must select the same matches in it.
pub fn fuzz_one(input: &str) -> Result<(), String> {
    let (glossary, article) = input
        .split_once("\n---\n")
        .unwrap_or((input, "l'IA profonde"));
    let path = std::path::Path::new("fuzz.csv");
    let Ok(glossary) = crate::glossary::parse(glossary, path) else {
        return Ok(());
    };
    let glossaries = std::slice::from_ref(&glossary);
    let (Ok(automaton), Ok(words)) = (
        Rules::compile_with(glossaries, Search::Automaton),
        Rules::compile_with(glossaries, Search::Words),
    ) else {
        return Ok(());
    };
    for (rules, search) in [(&automaton, "automaton"), (&words, "word index")] {
        for format in [Format::Text, Format::Html, Format::Markdown] {
            let options = Options {
                format,
                context: true,
            };
            check_log(article, &apply_with(rules, article, options))
                .map_err(|e| format!("{format:?}, {search}: {e}"))?;
        }
    }
    // The two literal searches select the same matches.
    let view = View::new(article);
    let (by_automaton, by_words) = (
        select(automaton.candidates(&view, article)),
        select(words.candidates(&view, article)),
    );
    if by_automaton != by_words {
        return Err(format!(
            "automaton {by_automaton:?} != word index {by_words:?}"
        ));
    }
    Ok(())
}

/// Builds the corrected text from non-overlapping substitutions in text order (each
/// writes [`Substitution::written`]).
pub(crate) fn rewrite<'a>(text: &'a str, subs: &Substitutions) -> Cow<'a, str> {
    if !subs.iter().any(|sub| sub.changes()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for sub in subs {
        out.push_str(&text[at..sub.byte_offset]);
        out.push_str(sub.written());
        at = sub.byte_offset + sub.matched.len();
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Turns byte offsets, visited in increasing order, into 1-based lines and character
/// columns without rescanning the text for each one: the characters of the current line
/// before the last offset are counted once, so a single 16 MB line with many matches
/// costs one pass, not one pass per match.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
    /// Characters between the start of the current line and `offset`.
    column: u64,
}

impl LineCounter {
    fn locate(&mut self, text: &str, offset: usize) -> (u64, u64) {
        // memchr's vector search: a byte loop here would be a tenth of `check` at ten rules.
        let skipped = &text[self.offset..offset];
        self.line += memchr::memchr_iter(b'\n', skipped.as_bytes()).count() as u64;
        let since_line_start = match memchr::memrchr(b'\n', skipped.as_bytes()) {
            Some(last) => {
                self.column = 0;
                &skipped[last + 1..]
            }
            None => skipped,
        };
        self.column += since_line_start.chars().count() as u64;
        self.offset = offset;
        (self.line + 1, self.column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn rules(csv: &str) -> Rules {
        let glossary = crate::glossary::parse(csv, Path::new("t.csv")).unwrap();
        Rules::compile(&[glossary]).unwrap()
    }

    fn fix(csv: &str, text: &str) -> String {
        apply(&rules(csv), text).text.into_owned()
    }

    #[test]
    fn replacement_case_follows_the_match() {
        let csv = "pattern,replacement\nl'automne,drop\nchatppt,ChatGPT\n";
        assert_eq!(fix(csv, "l'automne"), "drop");
        assert_eq!(fix(csv, "L'automne"), "Drop");
        assert_eq!(fix(csv, "L'AUTOMNE"), "DROP");
        assert_eq!(fix(csv, "CHATPPT et Chatppt"), "ChatGPT et ChatGPT");
    }

    #[test]
    fn apostrophes_and_line_breaks_match() {
        let csv = "pattern,replacement\nl'IA profonde,DeepSeek\n";
        assert_eq!(fix(csv, "de l\u{2019}IA\nprofonde."), "de DeepSeek.");
        assert_eq!(fix(csv, "de l\u{2bc}IA\u{a0}profonde."), "de DeepSeek.");
        assert_eq!(fix(csv, "de l'IA\n\nprofonde."), "de l'IA\n\nprofonde.");
    }

    #[test]
    fn equal_matches_are_not_logged() {
        let applied = apply(
            &rules("pattern,replacement\nOpenai,OpenAI\n"),
            "OpenAI et Openai",
        );
        assert_eq!(applied.subs.len(), 1);
        assert_eq!(applied.subs.first().unwrap().byte_offset, 10);
    }

    #[test]
    fn empty_replacement_leaves_no_double_space() {
        let csv = "pattern,replacement\ntrès,\n";
        assert_eq!(fix(csv, "un très bon jour"), "un bon jour");
        assert_eq!(fix(csv, "très bon."), "bon.");
        assert_eq!(fix(csv, "pas très."), "pas.");
    }

    #[test]
    fn longest_wins_and_ties_go_to_the_first_rule() {
        let csv = "pattern,replacement\nla profondeur,A\nla profondeur open-source-v3,B\nla profondeur,C\n";
        assert_eq!(
            fix(csv, "sur la profondeur open-source-v3, et la profondeur"),
            "sur B, et A"
        );
    }

    #[test]
    fn a_rejected_long_match_does_not_hide_a_shorter_one() {
        let csv = "pattern,replacement\nchat gpt,ChatGPT\nchat gptx,NO\n";
        assert_eq!(
            fix(csv, "le chat gptxy et chat gpt"),
            "le chat gptxy et ChatGPT"
        );
        let csv = "pattern,replacement\nab cd,X\ncd ef,Y\n";
        assert_eq!(fix(csv, "abab cd ef"), "abab Y");
    }

    #[test]
    fn regex_groups_copy_the_original_text() {
        let csv = "pattern,replacement\nre:la profondeur[ -](v\\d),DeepSeek-$1\n";
        assert_eq!(fix(csv, "La profondeur-V3 sort"), "DeepSeek-V3 sort");
    }

    #[test]
    fn contexts_in_a_sentence_a_paragraph_or_the_article() {
        let csv = "pattern,replacement,if,unless,scope\n\
                   l'IA profonde,DeepSeek,r1|chatbot,philosoph,sentence\n\
                   l'IA rapide,FastAI,r1|chatbot,philosoph,paragraph\n\
                   l'IA lente,SlowAI,r1|chatbot,philosoph,article\n";
        let about_r1 = "Le chatbot R1 sort.\n\nSes ingénieurs de l'IA profonde, l'IA rapide \
                        et l'IA lente.\n\nFin. Le R1 aussi.";
        assert_eq!(
            fix(csv, about_r1),
            "Le chatbot R1 sort.\n\nSes ingénieurs de l'IA profonde, l'IA rapide \
             et SlowAI.\n\nFin. Le R1 aussi."
        );
        let same_paragraph = "Le chatbot R1 sort. Ses ingénieurs de l'IA rapide.";
        assert_eq!(
            fix(csv, same_paragraph),
            "Le chatbot R1 sort. Ses ingénieurs de FastAI."
        );
        let philosophy = "Le chatbot R1.\n\nDe l'IA lente.\n\nUne philosophie.";
        assert_eq!(fix(csv, philosophy), philosophy);
        // The artifact itself never satisfies its own condition, in any scope.
        let csv = "pattern,replacement,if,scope\nl'IA lente,SlowAI,lente,article\n";
        assert_eq!(fix(csv, "De l'IA lente.\n\nFin."), "De l'IA lente.\n\nFin.");
        assert_eq!(
            fix(csv, "De l'IA lente.\n\nTrès lente."),
            "De SlowAI.\n\nTrès lente."
        );
    }

    #[test]
    fn logs_positions_and_context() {
        let text = "Première ligne.\nIci, Openai\u{2019}s.\r\nEt Chatgpt. Fin.";
        let csv = "pattern,replacement\nOpenai,OpenAI\nChatgpt,ChatGPT\n";
        let applied = apply(&rules(csv), text);
        let found: Vec<_> = applied
            .subs
            .iter()
            .map(|s| (s.line, s.column, s.byte_offset, s.context))
            .collect();
        assert_eq!(
            found,
            vec![(2, 6, 22, "Ici, ⟦Openai⟧’s."), (3, 4, 38, "Et ⟦Chatgpt⟧."),]
        );
        for sub in &applied.subs {
            assert_eq!(&text[sub.byte_offset..][..sub.matched.len()], sub.matched);
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The plain twin of [`push_context`]: each side collapsed into a vector of
        /// characters (the one before the match in reverse), then cut and reversed back.
        fn context_by_vectors(before: &str, matched: &str, after: &str, limit: usize) -> String {
            fn collapse(chars: impl Iterator<Item = char>, limit: usize) -> Vec<char> {
                let mut out = Vec::new();
                let mut in_space = false;
                for c in chars {
                    if c.is_whitespace() {
                        if !in_space {
                            out.push(' ');
                        }
                        in_space = true;
                    } else {
                        out.push(c);
                        in_space = false;
                    }
                    if out.len() > limit {
                        break;
                    }
                }
                out
            }
            let before = collapse(before.chars().rev(), limit);
            let after = collapse(after.chars(), limit);
            let mut out = String::new();
            if before.len() > limit {
                out.push('…');
            }
            out.extend(before.iter().take(limit).rev());
            out.push('⟦');
            out.push_str(matched);
            out.push('⟧');
            out.extend(after.iter().take(limit));
            if after.len() > limit {
                out.push('…');
            }
            out
        }

        /// Where a streamed article may be cut: a printable ASCII character after a run of
        /// white space that holds at least two line breaks (a CR LF is one).
        fn paragraph_starts(text: &str) -> Vec<usize> {
            let bytes = text.as_bytes();
            let is_space = |b: u8| b.is_ascii_whitespace() || b == 0x0b;
            (1..bytes.len())
                .filter(|&p| bytes[p].is_ascii_graphic() && is_space(bytes[p - 1]))
                .filter(|&p| {
                    let start = (0..p)
                        .rev()
                        .find(|&k| !is_space(bytes[k]))
                        .map_or(0, |k| k + 1);
                    text[start..p]
                        .replace("\r\n", "\n")
                        .matches(['\n', '\r'])
                        .count()
                        >= 2
                })
                .collect()
        }

        /// Text built from words that patterns use, accents, apostrophes, spaces and
        /// line breaks, so that matches, near-misses and wrapped matches are frequent.
        fn text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("ab"),
                Just("Ab"),
                Just("AB"),
                Just("cd"),
                Just("é"),
                Just("É"),
                Just("'"),
                Just("\u{2019}"),
                Just(" "),
                Just("  "),
                Just("\n"),
                Just("\r\n"),
                Just("\n\n"),
                Just("\u{a0}"),
                Just("."),
                Just("x"),
                Just("q"),
                Just("-"),
                Just("e\u{301}"),
                Just("http://ab.com"),
                Just("İ"),
                Just("_"),
                Just("abcd"),
                Just("2"),
                Just("de "),
                Just("De "),
                Just("d'"),
                Just("qu\u{2019}"),
                Just("l'"),
                Just("à "),
                Just("« "),
            ];
            proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
        }

        fn glossary() -> impl Strategy<Value = String> {
            glossary_with(vec!["", "", "x", "é", "^ cd", "ab $", "2"])
        }

        /// Rules whose contexts share no letter with any pattern or replacement. A context
        /// is tested on the text around a match, and that text may hold another rule's
        /// match: once a run replaces it, an `unless` that blocked the first run no longer
        /// blocks (`ab` unless `ab $` in "de ab'de ab"), so only with such contexts does a
        /// second run have nothing to do.
        fn glossary_without_shared_context() -> impl Strategy<Value = String> {
            glossary_with(vec!["", "", "q", "^ q", "q $", "w"])
        }

        fn glossary_with(contexts: Vec<&'static str>) -> impl Strategy<Value = String> {
            let pattern = prop_oneof![
                Just("ab"),
                Just("ab cd"),
                Just("cd'ab"),
                Just("é ab"),
                Just("ab-cd"),
                Just("re:ab+"),
                Just("re:(cd) ?é"),
                Just("ÉAB"),
                Just("x"),
                Just("ab_cd"),
                Just("re:cd_?ab"),
            ];
            // Replacements hold no pattern, so a second run has nothing to do; they start
            // with a consonant, a vowel or an article, for every French seam.
            let replacement =
                prop_oneof![Just("1"), Just("22"), Just("Eu"), Just("Le 1"), Just("zu")];
            let seam = prop::sample::select(vec!["", "", "off", "contract", "vowel", "consonant"]);
            let gender = prop::sample::select(vec!["", "m", "f"]);
            let context = prop::sample::select(contexts);
            let scope = prop::sample::select(vec!["", "paragraph", "article", "article"]);
            // French corrections (written under `--into fr`), with every agreement, and
            // flag-only rules.
            let french = prop::sample::select(vec![
                ",,", ",,", "zu,f,", "Eu,m,", "1,m pl,", "22,,", "zu,,flag", ",,flag",
            ]);
            let row = (
                (pattern, replacement, any::<bool>()),
                (seam, gender, french),
                (context.clone(), context, scope),
            )
                .prop_map(
                    |((p, r, exact), (seam, gender, fr), (if_, unless, scope))| {
                        let case = if exact { "exact" } else { "" };
                        format!("{p},{r},{case},{seam},{gender},{if_},{unless},{scope},{fr}\n")
                    },
                );
            proptest::collection::vec(row, 0..6).prop_map(|rows| {
                format!(
                    "pattern,replacement,case,seam,gender,if,unless,scope,fr,fr_gender,action\n{}",
                    rows.concat()
                )
            })
        }

        /// Text made of the words of [`overlapping_glossary`] and what separates them, so
        /// that its patterns match, overlap and fail their checks often.
        fn word_text() -> impl Strategy<Value = String> {
            let piece = prop::sample::select(vec![
                "ab", "cd", "AB", "é", "ab cd", "cd ab", " ", " ", "-", "'", "\u{2019}", "  ",
                "\n", "x", "abab", ".",
            ]);
            proptest::collection::vec(piece, 0..30).prop_map(|p| p.concat())
        }

        /// Overlapping patterns, some shared by two rules, with contexts and exact case, so
        /// that long matches are often rejected over shorter or later ones.
        fn overlapping_glossary() -> impl Strategy<Value = String> {
            let pattern = prop::sample::select(vec![
                "ab",
                "ab cd",
                "cd ab",
                "ab cd ab",
                "cd",
                "ab-cd",
                "é ab",
                "AB",
                "cd'ab",
                "re:cd ?é",
                "-cd",
                "ab-",
                "'ab",
                "ab  cd",
                "cd ab-cd é",
            ]);
            let context = prop::sample::select(vec!["", "", "x", "é", "^ cd", "ab $"]);
            let row = (pattern, any::<bool>(), context.clone(), context).prop_map(
                |(p, exact, if_, unless)| {
                    format!(
                        "{p},1,{},{if_},{unless}\n",
                        if exact { "exact" } else { "" }
                    )
                },
            );
            proptest::collection::vec(row, 0..8)
                .prop_map(|rows| format!("pattern,replacement,case,if,unless\n{}", rows.concat()))
        }

        proptest! {
            /// The running line counter against counting from the start for each offset.
            #[test]
            fn lines_and_columns_are_counted_as_from_the_start(
                text in "[a\\né€ \\r]{0,64}",
                picks in proptest::collection::vec(0usize..64, 0..8),
            ) {
                let mut offsets: Vec<usize> = picks
                    .into_iter()
                    .map(|p| p.min(text.len()))
                    .filter(|&p| text.is_char_boundary(p))
                    .collect();
                offsets.sort_unstable();
                let mut counter = LineCounter::default();
                for offset in offsets {
                    let before = &text[..offset];
                    let line = before.matches('\n').count() as u64 + 1;
                    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                    let column = text[line_start..offset].chars().count() as u64 + 1;
                    prop_assert_eq!(counter.locate(&text, offset), (line, column));
                }
            }

            #[test]
            fn the_word_index_selects_like_the_automaton(
                text in word_text(),
                csv in overlapping_glossary(),
            ) {
                let glossary = crate::glossary::parse(&csv, Path::new("t.csv")).unwrap();
                let compile = |search| Rules::compile_with(std::slice::from_ref(&glossary), search).unwrap();
                let (automaton, words) = (compile(Search::Automaton), compile(Search::Words));
                let view = View::new(&text);
                prop_assert_eq!(
                    select(automaton.candidates(&view, &text)),
                    select(words.candidates(&view, &text))
                );
            }

            #[test]
            fn the_leftmost_longest_chain_selects_like_all_candidates(
                text in word_text(),
                csv in overlapping_glossary(),
            ) {
                let rules = rules(&csv);
                let view = View::new(&text);
                let chain = select(rules.candidates(&view, &text));
                let all = select(rules.all_candidates(&view, &text));
                prop_assert_eq!(chain, all);
            }

            #[test]
            fn the_log_reproduces_the_output(text in text(), csv in glossary()) {
                let applied = apply(&rules(&csv), &text);
                prop_assert_eq!(check_log(&text, &applied), Ok(()));
            }

            /// Under `--into fr` too, the output differs from the input only in logged
            /// spans, replaying the log gives it, and a second run changes nothing.
            #[test]
            fn french_replacements_keep_the_log_exact_and_are_idempotent(
                text in text(),
                csv in glossary_without_shared_context(),
            ) {
                let rules = rules(&csv).into_language(crate::glossary::Language::Fr);
                let applied = apply(&rules, &text);
                prop_assert_eq!(check_log(&text, &applied), Ok(()));
                let again = apply(&rules, &applied.text);
                prop_assert!(
                    again.subs.iter().all(|s| !s.writes()),
                    "second run changed {:?}",
                    again.subs
                );
            }

            #[test]
            fn a_second_run_changes_nothing(
                text in text(),
                csv in glossary_without_shared_context(),
            ) {
                let rules = rules(&csv);
                let applied = apply(&rules, &text);
                let again = apply(&rules, &applied.text);
                // Flag-only rules report again; they never change the text.
                prop_assert!(
                    again.subs.iter().all(|s| !s.writes()),
                    "second run changed {:?}",
                    again.subs
                );
            }

            #[test]
            fn searching_only_anchored_paragraphs_changes_nothing(
                text in text(),
                csv in glossary(),
            ) {
                let rules = rules(&csv);
                let windowed = apply(&rules, &text);
                let mut whole = Substitutions::default();
                let mut article = ArticleFacts::default();
                rules.gather_article_facts(&mut article, &text, Format::Text);
                substitutions_in(&rules, &text, 0, text.len(), Options::default(), &article, &mut whole);
                let key = |s: Substitution<'_>| {
                    (s.byte_offset, s.matched.to_owned(), s.replacement.to_owned(), s.context.to_owned())
                };
                let windowed: Vec<_> = windowed.subs.iter().map(key).collect();
                let whole: Vec<_> = whole.iter().map(key).collect();
                prop_assert_eq!(windowed, whole);
            }

            /// Matching only the paragraphs that hold some ranges (as `suggest` does, to
            /// tell which of its findings a rule corrects) finds there what matching the
            /// whole text finds.
            #[test]
            fn substitutions_in_paragraphs_are_those_of_the_whole_text_there(
                text in text(),
                csv in glossary(),
                at in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
            ) {
                let rules = rules(&csv);
                let whole = apply(&rules, &text);
                let mut starts: Vec<usize> = at
                    .iter()
                    .map(|i| i.index(text.len() + 1))
                    .filter(|&p| text.is_char_boundary(p))
                    .collect();
                starts.sort_unstable();
                let mut cover = anchors::Paragraphs::new(&text);
                let mut whole_text = false;
                for &p in &starts {
                    if !cover.holds(p) && cover.add(p, p).is_none() {
                        whole_text = true;
                    }
                }
                let paragraphs = if whole_text { vec![(0, text.len())] } else { cover.into_ranges() };
                let found = substitutions_in_paragraphs(&rules, &text, Options::default(), &paragraphs);
                let key = |s: Substitution<'_>| {
                    (s.byte_offset, s.line, s.column, s.matched.to_owned(), s.replacement.to_owned(), s.context.to_owned())
                };
                let inside = |s: &Substitution<'_>| {
                    paragraphs.iter().any(|&(a, b)| a <= s.byte_offset && s.byte_offset + s.matched.len() <= b)
                };
                let expected: Vec<_> = whole.subs.iter().filter(inside).map(key).collect();
                let found: Vec<_> = found.iter().map(key).collect();
                prop_assert_eq!(found, expected);
            }

            /// A text corrected in pieces of whole paragraphs, as a streamed article is,
            /// with the article's facts gathered from every piece first, gives the
            /// substitutions of the text corrected whole.
            #[test]
            fn pieces_of_whole_paragraphs_give_the_result_of_the_whole(
                text in text(),
                csv in glossary(),
                cut in any::<prop::sample::Index>(),
            ) {
                let rules = rules(&csv);
                let whole = apply(&rules, &text);
                let breaks = paragraph_starts(&text);
                let at = if breaks.is_empty() { text.len() } else { *cut.get(&breaks) };
                let pieces = [&text[..at], &text[at..]];
                let mut article = ArticleFacts::default();
                for piece in pieces {
                    rules.gather_article_facts(&mut article, piece, Format::Text);
                }
                let key = |base: usize, s: Substitution<'_>| {
                    (base + s.byte_offset, s.matched.to_owned(), s.replacement.to_owned())
                };
                let mut streamed = Vec::new();
                let mut base = 0;
                for piece in pieces {
                    let subs = substitutions_with(&rules, piece, Options::default(), &article);
                    streamed.extend(subs.iter().map(|s| key(base, s)));
                    base += piece.len();
                }
                let whole: Vec<_> = whole.subs.iter().map(|s| key(0, s)).collect();
                prop_assert_eq!(streamed, whole);
            }

            #[test]
            fn context_sides_are_cut_like_collapsed_vectors(
                before in text(),
                after in text(),
                limit in 0usize..12,
            ) {
                let before = before.trim_start();
                let mut written = String::new();
                push_context(&mut written, before, "m", &after, limit);
                prop_assert_eq!(written, context_by_vectors(before, "m", &after, limit));
            }

            #[test]
            fn an_empty_glossary_changes_nothing(text in text()) {
                let applied = apply(&rules("pattern,replacement\n"), &text);
                prop_assert!(applied.subs.is_empty());
                prop_assert_eq!(applied.text.as_ref(), text.as_str());
            }
        }
    }
}
