//! The walk of the corpus ([`crate::input::walk::walk`]) handed to the processing, a chunk of
//! entries at a time, at most [`WALK_AHEAD`] articles ahead of it.
//!
//! With one worker, the walk runs on a thread of its own and takes the CPU the worker
//! leaves idle ([`Listing::on_thread`]). With more, it runs on the workers themselves
//! ([`Listing::OnWorkers`]): first on one while another compiles the rules, then between
//! batches, beside the articles being processed ([`Listing::list_ahead`]). A third
//! thread would share two CPUs with two workers: the kernel can let it run for a whole
//! time slice while a preempted worker holds the last article of a batch and the other
//! worker waits for it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};

use indicatif::ProgressBar;

use crate::error::Result;
use crate::input::walk::Article;

/// Entries of the walk, handed over [`WALK_CHUNK`] at a time.
pub(crate) type Walked = Vec<Result<Article>>;

/// Entries handed over together: sent one by one over a channel, each could wake a
/// waiting worker, and each was counted in the progress bar (a lock).
pub(crate) const WALK_CHUNK: usize = 64;

/// Articles the walk may list ahead of the processing: enough to know the size of most
/// corpora at once (for the progress bar), few enough to bound memory on millions (a
/// channel holds this many slots from the start: 100,000 took 8 MB).
pub(crate) const WALK_AHEAD: usize = 16_384;

/// The walk of the corpus: its entries, listed into chunks.
pub(crate) struct Walk<I> {
    /// Fused: asked for more after it may have ended.
    entries: std::iter::Fuse<I>,
    /// Entries listed into no full chunk yet.
    chunk: Walked,
    /// Chunks listed and not handed over yet; the last one of the walk may be short.
    ahead: VecDeque<Walked>,
    bar: ProgressBar,
}

impl<I: Iterator<Item = Result<Article>>> Walk<I> {
    /// A walk through `entries`, not started; `bar` counts the articles listed.
    pub(crate) fn new(entries: I, bar: &ProgressBar) -> Walk<I> {
        Walk {
            entries: entries.fuse(),
            chunk: Vec::with_capacity(WALK_CHUNK),
            ahead: VecDeque::new(),
            bar: bar.clone(),
        }
    }

    /// Lists entries until `done` is set, the walk ends, or it is [`WALK_AHEAD`] ahead.
    /// `done` is read at every entry, so the caller waits at most for one folder read.
    ///
    /// On a worker, it runs the pool's waiting jobs between chunks ([`rayon::yield_now`]):
    /// the rows of a large glossary are built in parallel while the walk is listed on
    /// the worker that would build half of them, and so are a batch's articles.
    pub(crate) fn list_until(&mut self, done: &AtomicBool) {
        while self.ahead.len() < WALK_AHEAD / WALK_CHUNK && !done.load(Ordering::Relaxed) {
            if self.chunk.is_empty() {
                rayon::yield_now();
            }
            if !self.list_one() {
                return;
            }
        }
    }

    /// The next chunk: listed already, or listed now; `None` at the end of the walk.
    fn next_chunk(&mut self) -> Option<Walked> {
        loop {
            if let Some(chunk) = self.ahead.pop_front() {
                return Some(chunk);
            }
            if !self.list_one() {
                return self.ahead.pop_front();
            }
        }
    }

    /// Lists one more entry; `false` once the walk has ended. A chunk goes ahead when it
    /// is full, and the last one when the walk ends.
    fn list_one(&mut self) -> bool {
        let entry = self.entries.next();
        let ended = entry.is_none();
        self.chunk.extend(entry);
        if self.chunk.len() == WALK_CHUNK || (ended && !self.chunk.is_empty()) {
            let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(WALK_CHUNK));
            self.bar
                .inc_length(chunk.iter().filter(|entry| entry.is_ok()).count() as u64);
            self.ahead.push_back(chunk);
        }
        !ended
    }
}

/// Where the processing takes its articles from.
pub(crate) enum Listing<I> {
    /// The walk, listed by the workers themselves.
    OnWorkers(Walk<I>),
    /// The receiving end of a walk on a thread of its own; it stops when this is dropped.
    OnThread(Receiver<Walked>),
}

impl<I: Iterator<Item = Result<Article>> + Send> Listing<I> {
    /// The walk going on on a thread of `scope`, from where it is.
    pub(crate) fn on_thread<'s>(walk: Walk<I>, scope: &'s std::thread::Scope<'s, '_>) -> Listing<I>
    where
        I: 's,
    {
        let (sender, receiver) = std::sync::mpsc::sync_channel(WALK_AHEAD / WALK_CHUNK);
        scope.spawn(move || send_all(walk, &sender));
        Listing::OnThread(receiver)
    }

    /// The next chunk of the walk. On the workers it is listed if need be; from a
    /// thread, it is waited for if `wait`, and otherwise only taken if already there.
    /// `None` at the end of the walk (or, without `wait`, when none is there yet).
    pub(crate) fn next_chunk(&mut self, wait: bool) -> Option<Walked> {
        match self {
            Listing::OnWorkers(walk) => walk.next_chunk(),
            Listing::OnThread(receiver) if wait => receiver.recv().ok(),
            Listing::OnThread(receiver) => receiver.try_recv().ok(),
        }
    }

    /// Lists ahead on this worker until `done` is set (the batch is processed), taking
    /// articles of the batch between chunks: walking is a tenth of the work per article
    /// that processing is, so the walk gets far ahead, and the worker is back for the
    /// next batch at once.
    pub(crate) fn list_ahead(&mut self, done: &AtomicBool) {
        if let Listing::OnWorkers(walk) = self {
            walk.list_until(done);
        }
    }
}

/// Sends the walk's chunks, waiting while the channel is full, until it ends or the
/// receiving end is dropped.
fn send_all<I: Iterator<Item = Result<Article>>>(mut walk: Walk<I>, sender: &SyncSender<Walked>) {
    while let Some(chunk) = walk.next_chunk() {
        if sender.send(chunk).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn articles(n: usize) -> impl Iterator<Item = Result<Article>> + Send {
        (0..n).map(|i| {
            Ok(Article {
                input: 0,
                relative: PathBuf::from(format!("{i}.txt")),
                path: PathBuf::from(format!("{i}.txt")),
            })
        })
    }

    fn names(n: usize) -> Vec<PathBuf> {
        (0..n).map(|i| PathBuf::from(format!("{i}.txt"))).collect()
    }

    fn hidden_bar() -> ProgressBar {
        ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::hidden())
    }

    fn drain<I: Iterator<Item = Result<Article>> + Send>(listing: &mut Listing<I>) -> Vec<PathBuf> {
        let chunks = std::iter::from_fn(|| listing.next_chunk(true));
        chunks
            .flatten()
            .map(|entry| entry.unwrap().relative)
            .collect()
    }

    /// Listed while the rules load, the walk stops at [`WALK_AHEAD`]; every entry then
    /// comes once and in order, in chunks of [`WALK_CHUNK`] but the last, and the bar
    /// counts them all.
    #[test]
    fn a_walk_listed_ahead_on_the_workers_hands_over_every_entry_in_order() {
        let total = WALK_AHEAD + 3 * WALK_CHUNK + 5;
        let bar = hidden_bar();
        let mut walk = Walk::new(articles(total), &bar);
        walk.list_until(&AtomicBool::new(false));
        assert_eq!(
            walk.ahead.len() * WALK_CHUNK,
            WALK_AHEAD,
            "stops that far ahead"
        );
        let mut listing = Listing::OnWorkers(walk);
        let first = listing.next_chunk(false).unwrap();
        assert_eq!(first.len(), WALK_CHUNK);
        listing.list_ahead(&AtomicBool::new(false));
        let mut rest = drain(&mut listing);
        rest.splice(0..0, first.into_iter().map(|entry| entry.unwrap().relative));
        assert_eq!(rest, names(total));
        assert_eq!(bar.length(), Some(total as u64));
        assert!(listing.next_chunk(true).is_none(), "the walk stays ended");
    }

    /// A worker listing ahead stops as soon as the other workers are done.
    #[test]
    fn listing_ahead_stops_when_the_batch_is_done() {
        let bar = hidden_bar();
        let mut listing = Listing::OnWorkers(Walk::new(articles(10 * WALK_CHUNK), &bar));
        listing.list_ahead(&AtomicBool::new(true));
        assert_eq!(bar.length(), Some(0), "nothing listed");
        assert_eq!(drain(&mut listing), names(10 * WALK_CHUNK));
    }

    /// On its own thread, the walk goes on from where the workers left it, waits while
    /// the channel is full, and loses nothing.
    #[test]
    fn a_walk_handed_to_a_thread_goes_on_from_where_it_was() {
        let total = 2 * WALK_AHEAD + 7;
        let bar = hidden_bar();
        let mut walk = Walk::new(articles(total), &bar);
        walk.list_until(&AtomicBool::new(false));
        std::thread::scope(|scope| {
            let mut listing = Listing::on_thread(walk, scope);
            assert_eq!(drain(&mut listing), names(total));
        });
        assert_eq!(bar.length(), Some(total as u64));
    }
}
