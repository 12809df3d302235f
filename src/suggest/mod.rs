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
//! Memory is bounded: the reference profile is a fixed-size count-min sketch, and the
//! table of candidates is pruned to the [`MAX_CANDIDATES`] most frequent whenever it
//! grows past twice that many, so it never grows with the corpus without limit.
#![allow(clippy::print_stderr)]

pub(crate) mod case;
#[cfg(test)]
mod eval;
pub(crate) mod lexicon;
pub(crate) mod literal;
pub(crate) mod near;
pub(crate) mod ngrams;
mod output;
pub(crate) mod unknown;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::correct::fold::View;
use crate::correct::markup::Format;
use crate::correct::matcher::Rules;
use crate::correct::{Options, protect, sentence};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::input::encoding::{self, TextEncoding};
use lexicon::Lexicon;

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

/// One occurrence found in one article (view offsets).
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub reason: Reason,
    /// What occurrences are grouped by.
    pub key: String,
    pub text: String,
    pub replacement: Option<String>,
    pub start: usize,
    pub end: usize,
    pub why: String,
    pub confidence: f64,
}

/// An article as the reasons see it.
pub(crate) struct Doc<'a> {
    pub cased: &'a str,
    pub folded: &'a str,
    /// Words, as view offsets.
    pub tokens: Vec<(usize, usize)>,
    /// Words taken by a name (well written or not): other reasons skip them.
    pub claimed: Vec<bool>,
    /// Well-written known names, as token ranges.
    pub names: Vec<(usize, usize)>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(cased: &'a str, folded: &'a str) -> Doc<'a> {
        let mut tokens = Vec::new();
        crate::correct::words::for_each_word(folded, |s, e| tokens.push((s, e)));
        let claimed = vec![false; tokens.len()];
        Doc {
            cased,
            folded,
            tokens,
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
    pub examples: Vec<Example>,
    /// Content words of the sentences it stands in, with their counts (at most 64).
    pub cooccurring: FxHashMap<String, u32>,
}

/// Candidates by (reason, key), and the words read.
#[derive(Default)]
pub(crate) struct Findings {
    pub candidates: FxHashMap<(Reason, String), Candidate>,
    pub words: u64,
}

/// Past twice this many candidates, the table keeps the most frequent ones.
pub(crate) const MAX_CANDIDATES: usize = 200_000;
const MAX_EXAMPLES: usize = 3;
const MAX_COOCCURRING: usize = 64;

impl Findings {
    fn merge(mut self, other: Findings) -> Findings {
        let (mut big, small) = if self.candidates.len() >= other.candidates.len() {
            (std::mem::take(&mut self), other)
        } else {
            (other, self)
        };
        big.words += small.words;
        for (key, candidate) in small.candidates {
            match big.candidates.entry(key) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(candidate);
                }
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    let into = slot.get_mut();
                    let first =
                        |c: &Candidate| c.examples.first().map_or((usize::MAX, 0), |e| e.order);
                    if first(&candidate) < first(into) {
                        into.text.clone_from(&candidate.text);
                        into.replacement.clone_from(&candidate.replacement);
                        into.why.clone_from(&candidate.why);
                    }
                    into.count += candidate.count;
                    into.files += candidate.files;
                    into.confidence = into.confidence.max(candidate.confidence);
                    into.examples.extend(candidate.examples);
                    into.examples.sort_by_key(|e| e.order);
                    into.examples.truncate(MAX_EXAMPLES);
                    for (word, n) in candidate.cooccurring {
                        if into.cooccurring.len() < MAX_COOCCURRING
                            || into.cooccurring.contains_key(&word)
                        {
                            *into.cooccurring.entry(word).or_default() += n;
                        }
                    }
                }
            }
        }
        if big.candidates.len() > 2 * MAX_CANDIDATES {
            big.prune();
        }
        big
    }

    /// Keeps the [`MAX_CANDIDATES`] most frequent candidates.
    fn prune(&mut self) {
        let mut counts: Vec<u64> = self.candidates.values().map(|c| c.count).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let floor = counts[MAX_CANDIDATES];
        self.candidates.retain(|_, c| c.count > floor);
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
    let (findings, errors) = pool.install(|| {
        articles
            .par_iter()
            .enumerate()
            .map(|(index, article)| {
                let result = scan_file(
                    &context,
                    index,
                    &article.path,
                    &article.log_name(),
                    settings.encoding,
                );
                bar.inc(1);
                result
            })
            .fold(
                || (Findings::default(), Vec::new()),
                |(findings, mut errors), result| match result {
                    Ok(found) => (findings.merge(found), errors),
                    Err(e) => {
                        errors.push(e);
                        (findings, errors)
                    }
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
    let ranked = rank(findings, &context.lexicon, settings.top);
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

fn scan_file(
    context: &Context,
    index: usize,
    path: &Path,
    name: &str,
    forced: Option<TextEncoding>,
) -> Result<Findings> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (_, text) = encoding::decode_whole(&bytes, forced)
        .map_err(|why| Error::Usage(format!("{}: {why}", path.display())))?;
    Ok(scan(context, index, name, &text, Format::of(path)))
}

/// The findings of one article: `index` orders its examples, `name` is logged.
pub(crate) fn scan(
    context: &Context,
    index: usize,
    name: &str,
    text: &str,
    format: Format,
) -> Findings {
    let spans = format.spans(text);
    let view = View::with_spans(text, &spans, true);
    let cased = view.cased.as_deref().unwrap_or(&view.folded);
    let mut doc = Doc::new(cased, &view.folded);
    let mut hits = Vec::new();
    case::find(&mut doc, &context.lexicon, &mut hits);
    near::find(&doc, &context.lexicon, &context.near, &mut hits);
    unknown::find(&doc, &context.lexicon, &mut hits);
    literal::find(&doc, &context.literals, &mut hits);
    ngrams::find(&doc, &mut hits);
    let mut findings = Findings {
        words: doc.tokens.len() as u64,
        ..Findings::default()
    };
    if hits.is_empty() {
        return findings;
    }
    let covered: Vec<(usize, usize)> = crate::correct::substitutions(
        &context.rules,
        text,
        Options {
            format,
            context: false,
        },
    )
    .iter()
    .map(|s| (s.byte_offset, s.byte_offset + s.matched.len()))
    .collect();
    let mut lines: Option<Vec<usize>> = None;
    for hit in hits {
        let (start, end) = (view.to_original(hit.start), view.to_original(hit.end));
        let i = covered.partition_point(|&(_, e)| e <= start);
        if covered.get(i).is_some_and(|&(s, _)| s < end)
            || view.touches_markup(start, end)
            || protect::is_protected(&view.folded, hit.start, hit.end, text, (start, end))
            || context.lexicon.rule_patterns.contains(&hit.key)
        {
            continue;
        }
        let (s, e) = sentence::bounds(&view, text, hit.start, hit.end);
        let sentence_text = &cased[s..e];
        let candidate = findings
            .candidates
            .entry((hit.reason, hit.key.clone()))
            .or_insert_with(|| Candidate {
                reason: hit.reason,
                text: hit.text.clone(),
                replacement: hit.replacement.clone(),
                why: hit.why.clone(),
                confidence: hit.confidence,
                count: 0,
                files: 1,
                examples: Vec::new(),
                cooccurring: FxHashMap::default(),
            });
        candidate.count += 1;
        candidate.confidence = candidate.confidence.max(hit.confidence);
        if candidate.count <= 8 {
            let folded_sentence = &view.folded[s..e];
            crate::correct::words::for_each_word(folded_sentence, |ws, we| {
                let word = &folded_sentence[ws..we];
                let inside = s + ws >= hit.start && s + we <= hit.end;
                if !inside
                    && word.chars().count() >= 4
                    && word.chars().all(char::is_alphabetic)
                    && !ngrams::is_stopword(word)
                    && (candidate.cooccurring.len() < MAX_COOCCURRING
                        || candidate.cooccurring.contains_key(word))
                {
                    *candidate.cooccurring.entry(word.to_owned()).or_default() += 1;
                }
            });
        }
        if candidate.examples.len() < MAX_EXAMPLES {
            let lines = lines.get_or_insert_with(|| {
                std::iter::once(0)
                    .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                    .collect()
            });
            let line = lines.partition_point(|&l| l <= start);
            let column = text[lines[line - 1]..start].chars().count() + 1;
            candidate.examples.push(Example {
                order: (index, start),
                file: name.to_owned(),
                line: line as u64,
                column: column as u64,
                context: format!(
                    "{}⟦{}⟧{}",
                    &cased[s..hit.start],
                    &cased[hit.start..hit.end],
                    &cased[hit.end..e]
                ),
                sentence: sentence_text.to_owned(),
            });
        }
    }
    findings
}

/// A candidate with its score, ready to print.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    pub candidate: Candidate,
    pub score: f64,
    pub confidence: f64,
    pub why: String,
}

/// Whether a ranked candidate counts as confident.
#[cfg(test)]
pub(crate) const CONFIDENT: f64 = 0.6;

/// Scores every candidate and keeps the `top` best.
pub(crate) fn rank(findings: Findings, lexicon: &Lexicon, top: usize) -> Vec<Ranked> {
    let words = findings.words.max(1) as f64;
    let reference_words = lexicon.reference.total.max(1) as f64;
    let mut ranked: Vec<Ranked> = findings
        .candidates
        .into_values()
        .filter_map(|candidate| {
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
                candidate,
                score,
                confidence,
                why,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.candidate.reason.cmp(&b.candidate.reason))
            .then_with(|| a.candidate.text.cmp(&b.candidate.text))
    });
    ranked.truncate(top);
    ranked
}

/// Runs the scan on in-memory articles (tests and the labelled-set measurement).
#[cfg(test)]
pub(crate) fn suggest_texts(context: &Context, texts: &[(&str, &str)], top: usize) -> Vec<Ranked> {
    let findings = texts
        .par_iter()
        .enumerate()
        .map(|(i, (name, text))| scan(context, i, name, text, Format::Text))
        .reduce(Findings::default, Findings::merge);
    rank(findings, &context.lexicon, top)
}
