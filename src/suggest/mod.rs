//! `mtfix suggest`: mines a corpus for machine-translation artifacts that no loaded rule
//! covers yet, and ranks them, each with its evidence and a glossary row to test.
//!
//! Articles are walked, decoded, folded (markup and protected spans as for `fix`) and
//! scanned in parallel; each reason has its module: [`case`] (lost case or spacing of a
//! known name), [`near`] (near misses), [`unknown`] (neither French nor English),
//! [`literal`] (literal translations of names) and [`ngrams`] (phrases near names).
//! Occurrences that a loaded rule already corrects, or that stand in protected spans,
//! are dropped. What is known beforehand is in [`lexicon`]; docs/suggest.md is the
//! user's guide and tells how the ranking is measured.
//!
//! Two passes ([`run`]): the first counts candidates (counts and the positions of their
//! first occurrences, no text of the corpus), the second reads back only the articles
//! holding the first occurrences of the candidates shown, for their examples. Memory is
//! bounded: the reference profile is a fixed-size count-min sketch, and the table of
//! counts is pruned to the [`MAX_CANDIDATES`] most frequent whenever it grows past twice
//! that many, so it never grows with the corpus without limit.
#![allow(clippy::print_stderr)]

pub(crate) mod case;
#[cfg(test)]
mod eval;
pub(crate) mod lexicon;
pub(crate) mod literal;
mod memo;
pub(crate) mod near;
pub(crate) mod ngrams;
mod output;
pub(crate) mod unknown;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::correct::anchors::Paragraphs;
use crate::correct::fold::View;
use crate::correct::markup::Format;
use crate::correct::matcher::Rules;
use crate::correct::{Options, protect, sentence};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::input::encoding::{self, TextEncoding};
use lexicon::Lexicon;
use memo::{Facts, Memo};

/// Why a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Reason {
    Case,
    Near,
    Literal,
    Unknown,
    Ngram,
}

impl Reason {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Reason::Case => "lost case or spacing",
            Reason::Near => "near miss",
            Reason::Literal => "literal translation",
            Reason::Unknown => "unknown word",
            Reason::Ngram => "phrase near names",
        }
    }
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuggestFormat {
    Text,
    Csv,
}

/// One occurrence found in one article (view offsets), borrowing from the article
/// (`'a`) and from the [`Context`] (`'c`): nothing is allocated per occurrence.
#[derive(Debug, Clone)]
pub(crate) struct Hit<'a, 'c> {
    pub reason: Reason,
    /// What occurrences are grouped by.
    pub key: &'a str,
    pub text: &'a str,
    pub replacement: Option<&'c str>,
    pub start: usize,
    pub end: usize,
    pub why: Why<'c>,
    pub confidence: f64,
}

/// Why an occurrence was found, written out only for the first occurrence of a
/// candidate.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Why<'c> {
    Fixed(&'static str),
    /// A known name written in none of its spellings; `spacing` when the number of
    /// words differs from every spelling's.
    Case {
        name: &'c str,
        spacing: bool,
    },
    Near {
        name: &'c str,
        edits: usize,
    },
    /// A name translated: `how` ends the sentence "\"Name\" ...".
    Literal {
        name: &'c str,
        how: &'static str,
    },
}

impl Why<'_> {
    fn render(self, surface: &str) -> String {
        match self {
            Why::Fixed(why) => why.to_owned(),
            Why::Case { name, spacing } => {
                let what = if spacing { "spacing" } else { "case" };
                format!("the known name {name} written {surface} ({what})")
            }
            Why::Near { name, edits } => format!(
                "{edits} edit{} from the known name {name}; in no word list",
                if edits > 1 { "s" } else { "" }
            ),
            Why::Literal { name, how } => format!("\"{name}\" {how}"),
        }
    }
}

/// An article as the reasons see it.
pub(crate) struct Doc<'a> {
    pub cased: &'a str,
    pub folded: &'a str,
    /// Words, as view offsets.
    pub tokens: Vec<(usize, usize)>,
    /// What the word lists and the names say of each word: for words of five bytes or
    /// more, and words that may start a name ([`Lexicon::may_start_a_name`]); the
    /// default for the others.
    pub facts: Vec<Facts>,
    /// Words taken by a name (well written or not): other reasons skip them.
    pub claimed: Vec<bool>,
    /// Well-written known names, as token ranges.
    pub names: Vec<(usize, usize)>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(
        cased: &'a str,
        folded: &'a str,
        context: &Context,
        memo: &mut Memo,
    ) -> Doc<'a> {
        let mut tokens = Vec::new();
        let mut facts = Vec::new();
        crate::correct::words::for_each_word(folded, |s, e| {
            tokens.push((s, e));
            let word = &folded[s..e];
            facts.push(
                if e - s >= UNLISTED_MIN_LEN || context.lexicon.may_start_a_name(word) {
                    memo.facts(word, &context.lexicon, &context.near)
                } else {
                    Facts::default()
                },
            );
        });
        let claimed = vec![false; tokens.len()];
        Doc {
            cased,
            folded,
            tokens,
            facts,
            claimed,
            names: Vec::new(),
        }
    }

    /// The view between word `i` and the next.
    pub(crate) fn separator(&self, i: usize) -> &'a str {
        let end = self.tokens.get(i + 1).map_or(self.folded.len(), |t| t.0);
        &self.folded[self.tokens[i].1..end]
    }

    pub(crate) fn token_cased(&self, i: usize) -> &'a str {
        &self.cased[self.tokens[i].0..self.tokens[i].1]
    }

    pub(crate) fn token_folded(&self, i: usize) -> &'a str {
        &self.folded[self.tokens[i].0..self.tokens[i].1]
    }

    /// The word holding view offset `at`.
    pub(crate) fn token_at(&self, at: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| t.1 <= at);
        (i < self.tokens.len() && self.tokens[i].0 <= at).then_some(i)
    }

    /// Whether word `i` starts a sentence (or a paragraph, or a heading line).
    pub(crate) fn starts_sentence(&self, i: usize) -> bool {
        if i == 0 {
            return true;
        }
        let before = self.separator(i - 1);
        before.contains('\n')
            || before
                .trim()
                .ends_with(['.', '!', '?', ':', '…', '»', '"', '('])
    }

    /// Whether the sentence of word `i` names a well-written known name.
    pub(crate) fn sentence_names_a_name(&self, i: usize) -> bool {
        let mut start = i;
        while start > 0 && !self.starts_sentence(start) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < self.tokens.len() && !self.starts_sentence(end) {
            end += 1;
        }
        self.names.iter().any(|&(a, _)| a >= start && a < end)
    }
}

/// Everything the reasons need, built once.
pub(crate) struct Context {
    pub lexicon: Lexicon,
    pub near: near::NearIndex,
    pub literals: literal::Literals,
    pub rules: Rules,
}

impl Context {
    pub(crate) fn new(glossaries: &[PathBuf], reference: Option<&Path>) -> Result<Context> {
        Context::build(glossaries, reference, true)
    }

    /// With `french` false, the French word list is not read (tests that must not depend
    /// on what the machine has installed).
    pub(crate) fn build(
        glossaries: &[PathBuf],
        reference: Option<&Path>,
        french: bool,
    ) -> Result<Context> {
        let loaded = crate::driver::load_glossaries(glossaries)?;
        let lexicon = Lexicon::new(&loaded, reference, french)
            .map_err(|e| Error::Usage(format!("cannot read the reference French: {e}")))?;
        let near = near::NearIndex::new(&lexicon);
        let literals = literal::Literals::new(&lexicon);
        let rules = Rules::compile_owned(loaded)?;
        Ok(Context {
            lexicon,
            near,
            literals,
            rules,
        })
    }
}

/// One example of a candidate.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    /// Article index and byte offset: examples are kept in corpus order.
    pub order: (usize, usize),
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// The sentence with the occurrence marked `⟦…⟧`.
    pub context: String,
    /// The sentence as written (folded white space).
    pub sentence: String,
}

/// A candidate, summed over the articles seen so far.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub reason: Reason,
    pub text: String,
    pub replacement: Option<String>,
    pub why: String,
    pub confidence: f64,
    pub count: u64,
    pub files: u64,
    /// The article last counted in `files` (the articles of one table are scanned one
    /// after the other, and no article is scanned into two tables).
    last_article: usize,
    /// Where its first [`MAX_WITNESSES`] occurrences stand, in corpus order: article
    /// index and byte offset. The text, replacement and why are the first one's.
    pub firsts: Vec<(usize, usize)>,
    /// Whether one of its occurrences is written as code ([`written_as_code`]): then
    /// the word is an identifier of the text, not a mangled word or name.
    pub code: bool,
    /// The first [`MAX_EXAMPLES`] occurrences, read back for the candidates shown.
    pub examples: Vec<Example>,
    /// Content words of the sentences of its first [`MAX_WITNESSES`] occurrences, with
    /// the number of those sentences holding each; read back for the candidates shown.
    pub cooccurring: FxHashMap<String, u32>,
}

/// Candidates by reason and key, and the words read.
#[derive(Default)]
pub(crate) struct Findings {
    /// One table per [`Reason`] (indexed by `reason as usize`), so that an occurrence
    /// is looked up by its borrowed key.
    pub candidates: [FxHashMap<String, Candidate>; REASONS],
    pub words: u64,
    /// The worker's memory of words.
    memo: Memo,
}

const REASONS: usize = 5;

/// Past twice this many candidates, the table keeps the most frequent ones.
pub(crate) const MAX_CANDIDATES: usize = 200_000;
const MAX_EXAMPLES: usize = 3;
/// Occurrences whose sentences give a candidate's co-occurring words (the `if` column).
const MAX_WITNESSES: usize = 8;

/// Inserts `at` into `firsts` (sorted), keeping the [`MAX_WITNESSES`] first; whether
/// it became the first.
fn insert_first(firsts: &mut Vec<(usize, usize)>, at: (usize, usize)) -> bool {
    let i = firsts.partition_point(|&f| f < at);
    if i >= MAX_WITNESSES || firsts.get(i) == Some(&at) {
        return false;
    }
    firsts.insert(i, at);
    firsts.truncate(MAX_WITNESSES);
    i == 0
}

impl Findings {
    fn len(&self) -> usize {
        self.candidates.iter().map(FxHashMap::len).sum()
    }

    /// Counts one occurrence, at `at` (article index and original byte offset), `code`
    /// when it is written as code.
    fn add(&mut self, hit: &Hit<'_, '_>, at: (usize, usize), code: bool) {
        let table = &mut self.candidates[hit.reason as usize];
        if let Some(candidate) = table.get_mut(hit.key) {
            candidate.count += 1;
            candidate.code |= code;
            candidate.confidence = candidate.confidence.max(hit.confidence);
            if candidate.last_article != at.0 {
                candidate.last_article = at.0;
                candidate.files += 1;
            }
            if insert_first(&mut candidate.firsts, at) {
                candidate.text = hit.text.to_owned();
                candidate.replacement = hit.replacement.map(str::to_owned);
                candidate.why = hit.why.render(hit.text);
            }
            return;
        }
        table.insert(
            hit.key.to_owned(),
            Candidate {
                reason: hit.reason,
                text: hit.text.to_owned(),
                replacement: hit.replacement.map(str::to_owned),
                why: hit.why.render(hit.text),
                confidence: hit.confidence,
                count: 1,
                files: 1,
                last_article: at.0,
                firsts: vec![at],
                code,
                examples: Vec::new(),
                cooccurring: FxHashMap::default(),
            },
        );
    }

    fn merge(mut self, mut other: Findings) -> Findings {
        if self.len() < other.len() {
            std::mem::swap(&mut self, &mut other);
        }
        self.words += other.words;
        for (big, small) in self.candidates.iter_mut().zip(other.candidates) {
            for (key, candidate) in small {
                match big.entry(key) {
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(candidate);
                    }
                    std::collections::hash_map::Entry::Occupied(mut slot) => {
                        let into = slot.get_mut();
                        if candidate.firsts.first() < into.firsts.first() {
                            into.text = candidate.text;
                            into.replacement = candidate.replacement;
                            into.why = candidate.why;
                        }
                        into.count += candidate.count;
                        into.code |= candidate.code;
                        into.files += candidate.files;
                        into.confidence = into.confidence.max(candidate.confidence);
                        for at in candidate.firsts {
                            insert_first(&mut into.firsts, at);
                        }
                    }
                }
            }
        }
        if self.len() > 2 * MAX_CANDIDATES {
            self.prune();
        }
        self
    }

    /// Keeps the [`MAX_CANDIDATES`] most frequent candidates.
    fn prune(&mut self) {
        let mut counts: Vec<u64> = self
            .candidates
            .iter()
            .flat_map(|t| t.values().map(|c| c.count))
            .collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let floor = counts[MAX_CANDIDATES];
        for table in &mut self.candidates {
            table.retain(|_, c| c.count > floor);
        }
    }
}

/// What a run needs from the command line.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub inputs: Vec<PathBuf>,
    pub glossaries: Vec<PathBuf>,
    pub extensions: Vec<String>,
    pub encoding: Option<TextEncoding>,
    pub follow: bool,
    pub reference: Option<PathBuf>,
    pub top: usize,
    pub format: SuggestFormat,
    pub jobs: usize,
    pub quiet: bool,
}

impl Settings {
    fn from_args(args: crate::cli::SuggestArgs) -> Result<Settings> {
        let encoding = match args.input.encoding.as_deref() {
            None => None,
            Some(label) => Some(TextEncoding::for_label(label).ok_or_else(|| {
                Error::Usage(format!("unknown or unsupported encoding `{label}`"))
            })?),
        };
        Ok(Settings {
            inputs: args.inputs,
            glossaries: args.glossaries,
            extensions: args
                .input
                .extensions
                .iter()
                .map(|e| e.trim_start_matches('.').to_lowercase())
                .collect(),
            encoding,
            follow: args.input.follow,
            reference: args.reference,
            top: args.top,
            format: args.format,
            jobs: args.jobs,
            quiet: args.quiet,
        })
    }
}

/// Runs `mtfix suggest`.
///
/// Two passes over the articles. The first counts every candidate (a table of counts
/// and first positions, bounded by [`MAX_CANDIDATES`]); the ranking then keeps the
/// `--top` best, and the second pass reads back only the articles that hold their first
/// occurrences, for the examples and co-occurring words.
pub(crate) fn run(args: crate::cli::SuggestArgs) -> Result<Exit> {
    let settings = Settings::from_args(args)?;
    let context = Context::new(&settings.glossaries, settings.reference.as_deref())?;
    if context.lexicon.french.is_none() && !settings.quiet {
        eprintln!(
            "note: no French word list ({}); the unknown-word reason is off. Install Debian's \
             wfrench or set MTFIX_FRENCH_WORDS to a list, one word a line.",
            context.lexicon.french_source
        );
    }
    let (articles, mut failures) =
        crate::input::walk::list(&settings.inputs, &settings.extensions, settings.follow);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the workers: {e}")))?;
    let bar = crate::output::progress::bar(articles.len(), settings.quiet);
    let read = |index: usize| -> Result<(String, Format)> {
        let path = &articles[index].path;
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let (_, text) = encoding::decode_whole(&bytes, settings.encoding)
            .map_err(|why| Error::Usage(format!("{}: {why}", path.display())))?;
        Ok((text.into_owned(), Format::of(path)))
    };
    let (findings, errors) = pool.install(|| {
        (0..articles.len())
            .into_par_iter()
            .map(|index| {
                let result = read(index);
                bar.inc(1);
                (index, result)
            })
            .fold(
                || (Findings::default(), Vec::new()),
                |(mut findings, mut errors), (index, result)| {
                    match result {
                        Ok((text, format)) => count(&context, index, &text, format, &mut findings),
                        Err(e) => errors.push(e),
                    }
                    (findings, errors)
                },
            )
            .reduce(
                || (Findings::default(), Vec::new()),
                |(a, mut ea), (b, eb)| {
                    ea.extend(eb);
                    (a.merge(b), ea)
                },
            )
    });
    bar.finish_and_clear();
    failures.extend(errors);
    let mut ranked = rank(findings, &context.lexicon, settings.top);
    pool.install(|| {
        read_back(&context, &mut ranked, |index| {
            let (text, format) = read(index).ok()?;
            Some((articles[index].log_name(), text, format))
        });
    });
    output::print(&ranked, settings.format);
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    if !settings.quiet {
        eprintln!(
            "suggest: {} articles read, {} candidates shown",
            articles.len(),
            ranked.len()
        );
    }
    Ok(if failures.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// Calls `found` with each occurrence of an article that no loaded rule corrects and
/// that stands outside markup, with its original byte range and whether it is written
/// as code ([`written_as_code`]); an occurrence in a protected span only when it is (a
/// path or an identifier is evidence that the word is one).
fn for_each_hit(
    context: &Context,
    memo: &mut Memo,
    text: &str,
    format: Format,
    mut found: impl FnMut(&Hit<'_, '_>, (usize, usize), &View, &str, bool),
) -> u64 {
    let spans = format.spans(text);
    let view = View::with_spans(text, &spans, true);
    let cased = view.cased.as_deref().unwrap_or(&view.folded);
    let mut doc = Doc::new(cased, &view.folded, context, memo);
    let mut hits = Vec::new();
    case::find(&mut doc, &context.lexicon, &mut hits);
    unlisted_words(&doc, context, &mut hits);
    literal::find(&doc, &context.literals, &mut hits);
    ngrams::find(&doc, &mut hits);
    let words = doc.tokens.len() as u64;
    if hits.is_empty() {
        return words;
    }
    let covered = corrected(context, text, format, &view, &hits);
    for hit in &hits {
        let (start, end) = (view.to_original(hit.start), view.to_original(hit.end));
        let i = covered.partition_point(|&(_, e)| e <= start);
        if covered.get(i).is_some_and(|&(s, _)| s < end)
            || view.touches_markup(start, end)
            || context.lexicon.rule_patterns.contains(hit.key)
        {
            continue;
        }
        let code = written_as_code(hit, &view.folded);
        if !code && protect::is_protected(&view.folded, hit.start, hit.end, text, (start, end)) {
            continue;
        }
        found(hit, (start, end), &view, cased, code);
    }
    words
}

/// The original byte ranges that the loaded rules correct in the paragraphs holding
/// `hits` (of plain text; in the whole of a marked-up one), sorted: no match crosses a
/// paragraph break, so these are the corrections of the whole text there, and the
/// paragraphs without a finding are neither folded again nor matched.
fn corrected(
    context: &Context,
    text: &str,
    format: Format,
    view: &View,
    hits: &[Hit<'_, '_>],
) -> Vec<(usize, usize)> {
    let options = Options {
        format,
        context: false,
    };
    let mut ranges: Vec<(usize, usize)> = hits
        .iter()
        .map(|h| (view.to_original(h.start), view.to_original(h.end)))
        .collect();
    ranges.sort_unstable();
    let mut cover = Paragraphs::new(text);
    let paragraphs = match format {
        Format::Text => ranges
            .into_iter()
            .try_for_each(|(start, end)| match cover.holds(end.max(start + 1) - 1) {
                true => Some(()),
                false => cover.add(start, end),
            })
            .map(|()| cover.into_ranges()),
        Format::Html | Format::Markdown => None,
    };
    let subs = match paragraphs {
        Some(paragraphs) => {
            crate::correct::substitutions_in_paragraphs(&context.rules, text, options, &paragraphs)
        }
        None => crate::correct::substitutions(&context.rules, text, options),
    };
    subs.iter()
        .map(|s| (s.byte_offset, s.byte_offset + s.matched.len()))
        .collect()
}

/// Shortest word, in bytes, that near misses and unknown words look at.
const UNLISTED_MIN_LEN: usize = 5;

/// Near misses ([`near`]) and unknown words ([`unknown`]): words of five bytes or more,
/// not taken by a name, that no word list holds; their [`Facts`] tell which may be
/// either before either looks.
fn unlisted_words<'a, 'c>(doc: &Doc<'a>, context: &'c Context, hits: &mut Vec<Hit<'a, 'c>>) {
    for (i, &(start, end)) in doc.tokens.iter().enumerate() {
        let facts = doc.facts[i];
        if doc.claimed[i] || end - start < UNLISTED_MIN_LEN || facts.known() {
            continue;
        }
        if facts.near_a_name() {
            near::judge(doc, i, &context.near, hits);
        }
        if facts.may_be_mangled() {
            unknown::judge(doc, i, &context.lexicon, hits);
        }
    }
}

/// Whether `hit`, a single word found by [`case`], [`near`] or [`unknown`], is written
/// as code in `folded` (the view it was found in): glued to an option's dashes
/// ("--dired", "-D"), standing in a path ([`in_a_path`]: "linux/vt.h"), glued to a
/// file's dot ("bash.bashrc"), a variable's sign ("$shopt", "x=atime"), or followed by a call's or a manual
/// section's parentheses ("openat()", "openat(2)"), or holding an underscore
/// ("st_size"). Machine translation mangles names and words of running text, not
/// identifiers, and an identifier is written as code at least somewhere in a text
/// that explains it: on Debian's manual pages, the near misses "dired" (Wired) and
/// "openat" (OpenAI) are options and functions. Spaces and hyphens between words
/// ("util-linux", "Jean-Luc") and web addresses are not code.
fn written_as_code(hit: &Hit<'_, '_>, folded: &str) -> bool {
    if !matches!(hit.reason, Reason::Case | Reason::Near | Reason::Unknown)
        || hit.text.contains([' ', '-'])
    {
        return false;
    }
    if hit.key.contains('_') {
        return true;
    }
    let before = &folded[..hit.start];
    let after = &folded[hit.end..];
    let head = &before[before.rfind(char::is_whitespace).map_or(0, |i| i + 1)..];
    let tail = &after[..after.find(char::is_whitespace).unwrap_or(after.len())];
    // A web address names a page or a site, not an identifier.
    if head.contains("://") || head.starts_with("www.") || head.contains('@') {
        return false;
    }
    let option = before.strip_suffix('-').is_some_and(|b| {
        b.ends_with('-')
            || b.is_empty()
            || b.ends_with(char::is_whitespace)
            || b.ends_with(['[', '('])
    });
    let glued_before = before.ends_with(['$', '=', '\\', '~', '<']);
    // A dot glued on both sides: a file name or a member, not the end of a sentence.
    let dotted = |s: &str| s.chars().next().is_some_and(|c| c.is_alphanumeric());
    let glued_after = after.starts_with(['=', '['])
        || in_a_path(head, tail)
        || after.strip_prefix('.').is_some_and(dotted)
        || before
            .strip_suffix('.')
            .is_some_and(|b| b.ends_with(|c: char| c.is_alphanumeric()))
        || after
            .strip_prefix('(')
            .is_some_and(|a| a.starts_with(|c: char| c == ')' || c.is_ascii_digit()));
    option || glued_before || glued_after
}

/// Whether the word between `head` and `tail` (the text around it up to white space)
/// stands in a path: that run, without its final punctuation, holds a slash and starts
/// with one, holds two, or has a dot after one ("/usr/bin/dired", "linux/vt.h"). One
/// slash between words is prose ("Gamestop/AMC", "et/ou").
fn in_a_path(head: &str, tail: &str) -> bool {
    let tail = tail.trim_end_matches(|c: char| !c.is_alphanumeric());
    let slashes = head.matches('/').count() + tail.matches('/').count();
    slashes > 0
        && (head.starts_with(['/', '~'])
            || slashes >= 2
            || format!("{head}{tail}")
                .split_once('/')
                .is_some_and(|(_, rest)| rest.contains('.')))
}

/// The first pass over one article (its `index` orders occurrences): counts its
/// occurrences into `findings`.
pub(crate) fn count(
    context: &Context,
    index: usize,
    text: &str,
    format: Format,
    findings: &mut Findings,
) {
    let mut memo = std::mem::take(&mut findings.memo);
    findings.words += for_each_hit(
        context,
        &mut memo,
        text,
        format,
        |hit, (start, _), _, _, code| {
            findings.add(hit, (index, start), code);
        },
    );
    findings.memo = memo;
}

/// The second pass: reads back the articles holding the first occurrences of the
/// `ranked` candidates (`article(index)` gives an article's logged name, text and
/// format, `None` if it cannot be read any more) and fills their examples and
/// co-occurring words.
pub(crate) fn read_back(
    context: &Context,
    ranked: &mut [Ranked],
    article: impl Fn(usize) -> Option<(String, String, Format)> + Sync,
) {
    // (reason, key) -> ranked index, and the articles to read.
    let mut wanted: FxHashMap<(Reason, &str), usize> = FxHashMap::default();
    let mut indices: Vec<usize> = Vec::new();
    for (n, r) in ranked.iter().enumerate() {
        wanted.insert((r.candidate.reason, r.key.as_str()), n);
        indices.extend(r.candidate.firsts.iter().map(|f| f.0));
    }
    indices.sort_unstable();
    indices.dedup();
    let witnesses: Vec<(usize, Example, Vec<String>)> = indices
        .par_iter()
        .map_init(Memo::default, |memo, &index| {
            let mut found = Vec::new();
            if let Some((name, text, format)) = article(index) {
                let mut lines: Option<Vec<usize>> = None;
                for_each_hit(
                    context,
                    memo,
                    &text,
                    format,
                    |hit, (start, _), view, cased, code| {
                        let Some(&n) = wanted.get(&(hit.reason, hit.key)).filter(|_| !code) else {
                            return;
                        };
                        if !ranked[n].candidate.firsts.contains(&(index, start)) {
                            return;
                        }
                        let lines = lines.get_or_insert_with(|| {
                            std::iter::once(0)
                                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                                .collect()
                        });
                        found.push(witness(
                            hit,
                            view,
                            cased,
                            &text,
                            &name,
                            (index, start),
                            lines,
                            n,
                        ));
                    },
                );
            }
            found
        })
        .flatten_iter()
        .collect();
    for (n, example, words) in witnesses {
        let candidate = &mut ranked[n].candidate;
        for word in words {
            *candidate.cooccurring.entry(word).or_default() += 1;
        }
        candidate.examples.push(example);
    }
    for r in ranked.iter_mut() {
        r.candidate.examples.sort_by_key(|e| e.order);
        r.candidate.examples.truncate(MAX_EXAMPLES);
    }
}

/// An occurrence's example and the content words of its sentence (each once).
#[allow(clippy::too_many_arguments)]
fn witness(
    hit: &Hit<'_, '_>,
    view: &View,
    cased: &str,
    text: &str,
    name: &str,
    order: (usize, usize),
    lines: &[usize],
    n: usize,
) -> (usize, Example, Vec<String>) {
    let (s, e) = sentence::bounds(view, text, hit.start, hit.end);
    let folded_sentence = &view.folded[s..e];
    let mut words: Vec<String> = Vec::new();
    crate::correct::words::for_each_word(folded_sentence, |ws, we| {
        let word = &folded_sentence[ws..we];
        let inside = s + ws >= hit.start && s + we <= hit.end;
        if !inside
            && word.chars().count() >= 4
            && word.chars().all(char::is_alphabetic)
            && !ngrams::is_stopword(word)
            && !words.iter().any(|w| w == word)
        {
            words.push(word.to_owned());
        }
    });
    let start = order.1;
    let line = lines.partition_point(|&l| l <= start);
    let column = text[lines[line - 1]..start].chars().count() + 1;
    let example = Example {
        order,
        file: name.to_owned(),
        line: line as u64,
        column: column as u64,
        context: format!(
            "{}⟦{}⟧{}",
            &cased[s..hit.start],
            &cased[hit.start..hit.end],
            &cased[hit.end..e]
        ),
        sentence: cased[s..e].to_owned(),
    };
    (n, example, words)
}

/// A candidate with its score, ready to print.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    /// What its occurrences are grouped by.
    pub key: String,
    pub candidate: Candidate,
    pub score: f64,
    pub confidence: f64,
    pub why: String,
}

/// Whether a ranked candidate counts as confident.
#[cfg(test)]
pub(crate) const CONFIDENT: f64 = 0.6;

/// Scores every candidate and keeps the `top` best.
///
/// An unknown word is kept only when it looks like a mangled French word: one edit
/// (a letter dropped, added, changed, or two swapped) from a word of the French list
/// ("violie", from "viole"). The others are terms of the text that no list holds
/// ("readline", "struct", "superutilisateur"), not artifacts: on manual pages they
/// filled the whole top 50. The check costs up to a few hundred look-ups a word, so it
/// is made in score order, only until the `top` best are sure: it can only lower a
/// score, so a candidate whose score is below the `top`th kept one is not looked at.
pub(crate) fn rank(findings: Findings, lexicon: &Lexicon, top: usize) -> Vec<Ranked> {
    let words = findings.words.max(1) as f64;
    let reference_words = lexicon.reference.total.max(1) as f64;
    let mut ranked: Vec<Ranked> = findings
        .candidates
        .into_iter()
        .flatten()
        .filter_map(|(key, candidate)| {
            // A word the text also writes as code is one of its identifiers.
            if candidate.code {
                return None;
            }
            let mut confidence = candidate.confidence;
            let mut why = candidate.why.clone();
            if matches!(candidate.reason, Reason::Literal | Reason::Ngram) {
                let key = crate::correct::fold::fold_pattern(&candidate.text, false);
                let mut grams = Vec::new();
                crate::correct::words::for_each_word(&key, |s, e| grams.push(&key[s..e]));
                let reference = f64::from(lexicon.reference.count(&grams));
                let ratio =
                    (candidate.count as f64 / words) / ((reference + 0.5) / reference_words);
                why.push_str(&format!(
                    "; {ratio:.0}× its rate in reference French ({reference} there)"
                ));
                // A phrase near names is kept only when it recurs, in several files, far
                // more often than in reference French.
                if candidate.reason == Reason::Ngram
                    && (candidate.count < 3 || candidate.files < 2 || ratio < 10.0)
                {
                    return None;
                }
                if ratio < 3.0 {
                    confidence *= 0.5;
                } else if ratio > 30.0 && candidate.files > 1 {
                    confidence = (confidence + 0.1).min(0.9);
                }
            }
            let score = confidence
                * (1.0 + (candidate.count as f64).ln())
                * (1.0 + 0.5 * (candidate.files as f64).ln());
            Some(Ranked {
                key,
                candidate,
                score,
                confidence,
                why,
            })
        })
        .collect();
    ranked.sort_by(order);
    let mut kept: Vec<Ranked> = Vec::new();
    // The `top`th best score kept so far, once `top` are kept.
    let mut floor = f64::NEG_INFINITY;
    for mut r in ranked {
        if kept.len() >= top && r.score < floor {
            break;
        }
        if r.candidate.reason == Reason::Unknown {
            let Some(word) = unknown::mangled(&r.key, lexicon) else {
                continue;
            };
            r.why
                .push_str(&format!("; one edit from the French word {word}"));
        }
        kept.push(r);
        if kept.len() >= top {
            let mut scores: Vec<f64> = kept.iter().map(|k| k.score).collect();
            scores.sort_by(|a, b| b.total_cmp(a));
            floor = scores[top - 1];
        }
    }
    kept.sort_by(order);
    kept.truncate(top);
    kept
}

/// Best first; ties by reason, text and key, so the order never depends on the tables'.
fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.candidate.reason.cmp(&b.candidate.reason))
        .then_with(|| a.candidate.text.cmp(&b.candidate.text))
        .then_with(|| a.key.cmp(&b.key))
}

/// Runs both passes on in-memory articles (tests and the labelled-set measurement).
#[cfg(test)]
pub(crate) fn suggest_texts(context: &Context, texts: &[(&str, &str)], top: usize) -> Vec<Ranked> {
    let findings = texts
        .par_iter()
        .enumerate()
        .fold(Findings::default, |mut findings, (i, (_, text))| {
            count(context, i, text, Format::Text, &mut findings);
            findings
        })
        .reduce(Findings::default, Findings::merge);
    let mut ranked = rank(findings, &context.lexicon, top);
    read_back(context, &mut ranked, |i| {
        Some((texts[i].0.to_owned(), texts[i].1.to_owned(), Format::Text))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::{Context, suggest_texts};

    /// The texts of the candidates found in `texts` (one article each), without the
    /// French list.
    fn found(texts: &[&str]) -> Vec<String> {
        let context = Context::build(&[], None, false).unwrap();
        let articles: Vec<(&str, &str)> = texts.iter().map(|t| ("a.txt", *t)).collect();
        suggest_texts(&context, &articles, 50)
            .into_iter()
            .map(|r| r.candidate.text)
            .collect()
    }

    #[test]
    fn a_word_written_as_code_somewhere_is_an_identifier() {
        // Sentences of Debian's French manual pages (ls.1, feature_test_macros.7).
        let manual = [
            "-D, --dired créer une sortie adaptée au mode « dired » d'Emacs.",
            "Des fonctions avec le suffixe « at » ; consultez openat(2).",
            "Les appels open() et openat() sont concernés.",
            "Voir /usr/share/antrophic/ et linux/deepceek.h ; le paquet antrophic fournit deepceek.",
        ];
        let found = found(&manual);
        for word in ["dired", "openat", "antrophic", "deepceek"] {
            assert!(!found.iter().any(|f| f == word), "{word} in {found:?}");
        }
    }

    #[test]
    fn a_word_of_running_text_only_is_still_a_near_miss() {
        // The same words, never written as code: near misses of Wired and OpenAI.
        let found = found(&[
            "Le mode « dired » d'Emacs est décrit ici.",
            "Selon openat, le modèle est prêt ; le modèle de Deepceek(s) aussi.",
            "Le duel Antrophic/Bard continue : Antrophic répond.",
        ]);
        for word in ["dired", "openat", "Deepceek", "Antrophic"] {
            assert!(found.iter().any(|f| f == word), "{word} not in {found:?}");
        }
    }

    #[test]
    fn five_capitals_are_an_acronym() {
        // ATAPI is one edit from Atari; DEEPCEEK, longer, is still a slip.
        let found = found(&["Les disques ATAPI et SCSI ; le modèle de DEEPCEEK."]);
        assert_eq!(found, ["DEEPCEEK"]);
    }

    #[test]
    fn a_capital_added_to_a_lower_case_name_is_a_spelling() {
        let found = found(&[
            "Les vieilles versions de MacOS et l'IPhone de 2007 ; les actions de Gamestop.",
        ]);
        assert_eq!(found, ["Gamestop"]);
    }
}
