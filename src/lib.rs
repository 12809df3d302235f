//! mtfix cleans machine-translation artifacts out of French articles.
//!
//! The pipeline, one module per stage: [`corpus`] lists the articles, [`glossary`] reads
//! the rules, [`matcher`] compiles them for one-pass matching over a folded [`fold::View`],
//! [`apply`] corrects one text (pure), [`process`] runs one article from disk to disk,
//! [`output`] writes atomically and [`report`] writes the CSV log and prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod apply;
pub mod cli;
pub mod commands;
pub mod condition;
pub mod config;
pub mod corpus;
pub mod diff;
pub mod encoding;
pub mod error;
pub mod fold;
pub mod glossary;
pub mod glossary_tools;
pub mod logfile;
pub mod markup;
pub mod matcher;
pub mod output;
pub mod process;
pub mod progress;
pub mod protect;
pub mod report;
pub mod review;
pub mod sentence;
pub mod template;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use config::{Config, Target};
use corpus::Article;
use error::{Error, Result};
use matcher::Rules;
use report::{FileOutcome, Reporter, Summary};

/// What a run did; failed files are listed, the others were processed.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    pub failures: Vec<Error>,
}

/// Articles processed in parallel at a time; their outcomes are then reported in order
/// and dropped, so memory does not grow with the corpus.
const BATCH: usize = 512;

/// Runs `fix` or `check` as configured. An `Err` means nothing was processed (bad
/// glossary or usage) or the log could not be written.
pub fn run(config: &Config) -> Result<Outcome> {
    let started = Instant::now();
    let rules = load_rules(&config.glossaries)?;
    let (articles, walk_errors) = if config.stdin {
        (Vec::new(), Vec::new())
    } else {
        corpus::list(&config.inputs, &config.extensions, config.follow)
    };
    if let Target::Out(_) = config.target {
        check_distinct_outputs(&articles)?;
    }
    let bar = progress::bar(articles.len(), config.quiet || config.stdin);
    let mut reporter = Reporter::new(config, &rules, bar.clone())?;
    for error in walk_errors {
        reporter.fail(error);
    }
    if config.stdin {
        reporter.add(process_stdin(&rules, config)?)?;
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.jobs)
            .build()
            .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
        let failed = AtomicBool::new(false);
        let mut reported = Vec::new();
        for batch in articles.chunks(BATCH) {
            // Each batch is processed while the one before is reported, so that no worker
            // waits for the log; a failed report stops the articles not yet started.
            let (outcomes, report) = pool.install(|| {
                rayon::join(
                    || {
                        batch
                            .par_iter()
                            .filter(|_| !failed.load(Ordering::Relaxed))
                            .map(|article| {
                                let outcome = process::process(article.clone(), &rules, config);
                                bar.inc(1);
                                outcome
                            })
                            .collect::<Vec<FileOutcome>>()
                    },
                    || {
                        let report = report_all(&mut reporter, &mut reported);
                        failed.store(report.is_err(), Ordering::Relaxed);
                        report
                    },
                )
            });
            report?;
            reported = outcomes;
        }
        report_all(&mut reporter, &mut reported)?;
    }
    bar.finish_and_clear();
    let (summary, failures) = reporter.finish(started.elapsed())?;
    Ok(Outcome { summary, failures })
}

/// Reports `outcomes` in order, leaving the vector empty.
fn report_all(reporter: &mut Reporter, outcomes: &mut Vec<FileOutcome>) -> Result<()> {
    outcomes
        .drain(..)
        .try_for_each(|outcome| reporter.add(outcome))
}

/// Loads and compiles the glossaries (the embedded ones when none is given).
pub fn load_rules(paths: &[std::path::PathBuf]) -> Result<Rules> {
    Rules::compile(&load_glossaries(paths)?)
}

/// Loads the glossaries (the embedded ones when none is given) and checks that rule ids
/// are unique across them.
pub fn load_glossaries(paths: &[std::path::PathBuf]) -> Result<Vec<glossary::Glossary>> {
    let glossaries = if paths.is_empty() {
        glossary::embedded()?
    } else {
        let mut all = Vec::new();
        for path in paths {
            all.extend(glossary::load(path).map_err(|e| match e {
                Error::Io { path, source } => {
                    Error::Usage(format!("cannot read glossary {}: {source}", path.display()))
                }
                other => other,
            })?);
        }
        all
    };
    glossary::check_unique_ids(&glossaries)?;
    Ok(glossaries)
}

/// Corrects the article read from stdin and writes it to stdout (`fix -`), or only
/// reports (`check -`).
fn process_stdin(rules: &Rules, config: &Config) -> Result<FileOutcome> {
    let stdin = Path::new("-");
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(stdin, e))?;
    let text = process::decode_utf8(&bytes, stdin)?;
    let applied = apply::apply(rules, text);
    if config.target == Target::Stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(applied.text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
    }
    let changed = !applied.subs.is_empty();
    let diff =
        (config.diff && changed).then(|| diff::unified("-", text, &applied.text, config.color));
    Ok(FileOutcome {
        article: Article {
            input: 0,
            relative: stdin.to_owned(),
            path: stdin.to_owned(),
        },
        result: Ok(report::Processed {
            bytes: bytes.len(),
            subs: applied.subs,
            diff,
            warnings: Vec::new(),
            spill: None,
            hash: logfile::file_hash(&bytes),
        }),
    })
}

/// With `--out`, two inputs must not map two articles to the same output path.
fn check_distinct_outputs(articles: &[Article]) -> Result<()> {
    let mut seen = HashSet::new();
    for article in articles {
        if !seen.insert(&article.relative) {
            return Err(Error::Usage(format!(
                "two inputs hold `{}`; with --out their corrected copies would collide",
                article.relative.display()
            )));
        }
    }
    Ok(())
}
