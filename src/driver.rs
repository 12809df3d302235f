//! The run of `fix` and `check`: the glossaries load and compile while the walk starts,
//! then the articles go through [`crate::article`] in parallel batches, and the
//! outcomes are reported in the order of the articles.
//!
//! Threading: a rayon pool of `--jobs` workers. With two workers or more, the walk runs
//! on the workers themselves ([`Listing::OnWorkers`]); with one, on a thread of its own.
//! Each batch of [`BATCH`] articles is processed in parallel while the batch before is
//! reported by one worker, so no worker waits for the log, and the output never depends
//! on thread timing.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::article::FileOutcome;
use crate::config::{Config, Target};
use crate::correct::matcher::Rules;
use crate::error::{Error, Result};
use crate::input::listing::{Listing, Walk};
use crate::input::walk::{self, Article};
use crate::output::progress;
use crate::output::report::{Reporter, Summary};
use crate::{article, glossary};

/// What a run did; failed files are listed, the others were processed.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub summary: Summary,
    pub failures: Vec<Error>,
}

/// Articles processed in parallel at a time; their outcomes are then reported in order
/// and dropped, so memory does not grow with the corpus.
const BATCH: usize = 512;

/// Runs `fix` or `check` as configured. An `Err` means nothing was processed (bad
/// glossary or usage) or the log could not be written.
pub(crate) fn run(config: &Config) -> Result<Outcome> {
    let started = Instant::now();
    let (_locks, leftovers) = match config.target {
        Target::InPlace => {
            let locks = crate::output::atomic::lock_folders(&config.inputs)?;
            (
                locks,
                crate::output::atomic::remove_leftovers(&config.inputs),
            )
        }
        _ => (Vec::new(), 0),
    };
    let bar = progress::bar(0, config.quiet || config.stdin);
    let stop_walk = Arc::new(AtomicBool::new(false));
    let outcome = std::thread::scope(|scope| {
        let outcome = run_with(config, scope, &bar, stop_walk.clone(), started);
        // The walk stops as soon as the run does (a bad glossary, a log that cannot be
        // written).
        stop_walk.store(true, Ordering::Relaxed);
        outcome
    });
    // Cleared already on success, before the summary; this is for the runs that fail.
    bar.finish_and_clear();
    outcome.map(|mut outcome| {
        outcome.summary.leftovers_removed = leftovers;
        outcome
    })
}

/// [`run`] within the scope of the walk's thread, if it has one.
fn run_with<'s>(
    config: &'s Config,
    scope: &'s std::thread::Scope<'s, '_>,
    bar: &ProgressBar,
    stop_walk: Arc<AtomicBool>,
    started: Instant,
) -> Result<Outcome> {
    // The glossaries load on the worker threads too: with `-j1`, one thread does the work.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let walk = (!config.stdin).then(|| walk_inputs(config, bar, stop_walk));
    let (rules, listing) = match walk {
        // A single worker has no other worker to start the walk on while it compiles:
        // the walk takes the idle CPU on a thread of its own at once, and stays there.
        Some(walk) if pool.current_num_threads() == 1 => {
            let listing = Listing::on_thread(walk, scope);
            (
                pool.install(|| load_rules(&config.glossaries))?,
                Some(listing),
            )
        }
        mut walk => {
            let rules =
                pool.install(|| load_rules_while_walking(&config.glossaries, walk.as_mut()))?;
            (rules, walk.map(Listing::OnWorkers))
        }
    };
    let rules = rules.into_language(config.into);
    let mut reporter = Reporter::new(config, &rules, bar.clone())?;
    match listing {
        None => reporter.add(article::process_stdin(&rules, config))?,
        Some(mut listing) => {
            let mut outputs = OutputPaths::new(config);
            pool.install(|| {
                process_all(&mut listing, &mut outputs, &rules, config, &mut reporter)
            })?;
        }
    }
    bar.finish_and_clear();
    let (summary, failures) = reporter.finish(started.elapsed())?;
    drop_aside(rules);
    Ok(Outcome { summary, failures })
}

/// Loads the rules on this worker while another, if there is one, starts the walk.
///
/// The walk starts on a worker, not on a new thread: the kernel often puts a new thread
/// on the CPU of the worker that is compiling and leaves the other CPU idle until its
/// balancing moves one of them, while a waking worker goes to an idle CPU.
fn load_rules_while_walking<I>(
    paths: &[std::path::PathBuf],
    walk: Option<&mut Walk<I>>,
) -> Result<Rules>
where
    I: Iterator<Item = Result<Article>> + Send,
{
    let loaded = AtomicBool::new(false);
    let (rules, ()) = rayon::join(
        || {
            let rules = load_rules(paths);
            loaded.store(true, Ordering::Relaxed);
            rules
        },
        || {
            if let Some(walk) = walk {
                walk.list_until(&loaded);
            }
        },
    );
    rules
}

/// Drops `value` on a thread of its own: freeing 20,000 compiled rules takes longer than
/// the rest of a run's ending, and the process may end meanwhile.
fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The walk of the configured inputs, not started; it stops reading folders once `stop`
/// is set.
fn walk_inputs<'c>(
    config: &'c Config,
    bar: &ProgressBar,
    stop: Arc<AtomicBool>,
) -> Walk<impl Iterator<Item = Result<Article>> + Send + 'c> {
    let entries = walk::walk(&config.inputs, &config.extensions, config.follow, stop);
    Walk::new(entries, bar)
}

/// Articles of the walk taken together, and the errors met while walking to them.
#[derive(Default)]
struct Batch {
    articles: Vec<Article>,
    errors: Vec<Error>,
}

/// Outcomes of a processed batch, waiting to be reported in order.
#[derive(Default)]
struct ToReport {
    errors: Vec<Error>,
    /// In the order of the articles; `None` for those not started once the run stopped.
    outcomes: Vec<Option<FileOutcome>>,
}

/// Processes the articles of the walk in batches, each batch in parallel while the one
/// before is reported (in order) and the next taken from the walk, so that no worker
/// waits for the log; with the walk on the workers, the worker that did that lists
/// ahead until the batch is done ([`Listing::list_ahead`]). A failed report stops the
/// articles not yet started, and so does the reader of stdout going away (the articles
/// processed are still reported).
///
/// Runs inside `pool.install`, on a worker of the `--jobs` pool (`join` and parallel
/// iterators use the pool of the thread they run on; outside any, the global one). The
/// whole loop runs there, so that no batch is handed from the calling thread to the pool
/// and back, which would wake the calling thread and then a worker between batches.
fn process_all<I: Iterator<Item = Result<Article>> + Send>(
    listing: &mut Listing<I>,
    outputs: &mut OutputPaths,
    rules: &Rules,
    config: &Config,
    reporter: &mut Reporter,
) -> Result<()> {
    debug_assert!(rayon::current_thread_index().is_some(), "not on the pool");
    let stopped = AtomicBool::new(false);
    let mut previous = ToReport::default();
    let mut batch = take_batch(listing, outputs);
    while !(batch.articles.is_empty() && batch.errors.is_empty() && previous.outcomes.is_empty()) {
        let batch_done = AtomicBool::new(false);
        let (outcomes, (report, next)) = rayon::join(
            || {
                let mut outcomes = Vec::with_capacity(batch.articles.len());
                std::mem::take(&mut batch.articles)
                    .into_par_iter()
                    // Split down to single articles, so that a worker done with its
                    // share takes the other's last articles. Rayon's default split gives
                    // each worker half the batch in runs of up to 64, and the first to
                    // finish would wait at the end of every batch.
                    .with_max_len(1)
                    .map(|article| {
                        let go_on =
                            !stopped.load(Ordering::Relaxed) && !crate::interrupt::requested();
                        go_on.then(|| article::process(article, rules, config))
                    })
                    // Each outcome goes straight to its place: a plain `collect` makes
                    // a vector and a list node per article, joined and freed across
                    // the workers, whose allocators' locks then meet.
                    .collect_into_vec(&mut outcomes);
                batch_done.store(true, Ordering::Relaxed);
                outcomes
            },
            || {
                let report = report_processed(reporter, std::mem::take(&mut previous));
                let stop = report.is_err() || !reporter.wants_more();
                stopped.store(stop, Ordering::Relaxed);
                let next = take_batch(listing, outputs);
                if !stop {
                    listing.list_ahead(&batch_done);
                }
                (report, next)
            },
        );
        report?;
        previous = ToReport {
            errors: batch.errors,
            outcomes,
        };
        if !reporter.wants_more() {
            break;
        }
        batch = next;
    }
    report_processed(reporter, previous)
}

/// The next articles of the walk, at most [`BATCH`], and the errors before them. From a
/// walk on its own thread, it waits for one, then takes those the walk has listed: to
/// wait for a full batch while the walk is behind (at the start of a run) would leave a
/// worker idle.
fn take_batch<I: Iterator<Item = Result<Article>> + Send>(
    listing: &mut Listing<I>,
    outputs: &mut OutputPaths,
) -> Batch {
    let mut batch = Batch::default();
    while batch.articles.len() < BATCH {
        let Some(chunk) = listing.next_chunk(batch.articles.is_empty()) else {
            break;
        };
        for entry in chunk {
            match entry.and_then(|article| outputs.claim(&article).map(|()| article)) {
                Ok(article) => batch.articles.push(article),
                Err(error) => batch.errors.push(error),
            }
        }
    }
    batch
}

/// Reports a processed batch: its walk errors, then its outcomes in order.
fn report_processed(reporter: &mut Reporter, processed: ToReport) -> Result<()> {
    for error in processed.errors {
        reporter.fail(error);
    }
    processed
        .outcomes
        .into_iter()
        .flatten()
        .try_for_each(|outcome| reporter.add(outcome))?;
    // Articles corrected in place replace their originals only now, once the batch's log
    // rows are on the disk.
    reporter.commit_pending()
}

/// Loads and compiles the glossaries (the embedded ones when none is given).
pub fn load_rules(paths: &[std::path::PathBuf]) -> Result<Rules> {
    Rules::compile_owned(load_glossaries(paths)?)
}

/// Loads the glossaries (the embedded ones when none is given, and where a path is
/// `glossary::SHIPPED`) and checks that rule ids are unique across them and that there
/// is a rule at all.
pub fn load_glossaries(paths: &[std::path::PathBuf]) -> Result<Vec<glossary::Glossary>> {
    let glossaries = if paths.is_empty() {
        glossary::embedded()?
    } else {
        let mut all = Vec::new();
        for path in paths {
            if path.as_os_str() == glossary::SHIPPED {
                all.extend(glossary::embedded()?);
                continue;
            }
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
    glossary::check_limits(&glossaries)?;
    if glossaries.iter().all(|g| g.rules.is_empty()) {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no rule in the glossaries {}: nothing would ever be corrected",
            names.join(", ")
        )));
    }
    Ok(glossaries)
}

/// The relative paths given to corrected copies under `--out`, when several inputs could
/// give two articles the same one.
struct OutputPaths {
    seen: Option<HashSet<std::path::PathBuf>>,
}

impl OutputPaths {
    fn new(config: &Config) -> OutputPaths {
        let several = matches!(config.target, Target::Out(_)) && config.inputs.len() > 1;
        OutputPaths {
            seen: several.then(HashSet::new),
        }
    }

    /// Refuses an article whose copy would overwrite the copy of an article of an
    /// earlier input: it is reported as failed and left unwritten.
    fn claim(&mut self, article: &Article) -> Result<()> {
        let Some(seen) = &mut self.seen else {
            return Ok(());
        };
        if seen.insert(article.relative.clone()) {
            return Ok(());
        }
        let why = format!(
            "an earlier input holds `{}` too; its corrected copy under --out would be \
             overwritten, so this one is not written",
            article.log_name()
        );
        Err(Error::io(
            &article.path,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, why),
        ))
    }
}
