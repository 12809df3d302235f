//! The record stream (`mtfix stream`): JSON Lines on stdin, one corrected record per line
//! on stdout, in input order; and its way back to the canonical CSV log ([`log`],
//! `mtfix log`). What a cluster (Spark) drives: no files, no paths, one process per
//! worker serving batch after batch. The format is documented in
//! `docs/beyond-one-machine.md`.
//!
//! Threading: a reader thread splits stdin into lines and hands them over a bounded
//! channel; the `--jobs` workers correct a batch of lines in parallel while the batch
//! before is written and flushed, so the output never depends on thread timing and memory
//! holds at most [`READ_AHEAD`] + 2 × [`BATCH`] records whatever the stream's length. A
//! batch takes the lines that have arrived, waiting only when nothing is in flight, so a
//! client that writes a record and waits for its answer gets it. An empty line is the
//! flush marker: it is answered by an empty line once every earlier answer is written,
//! so a long-lived process serves batch after batch (the Spark job keeps one per
//! Python worker).

pub(crate) mod labels;
pub(crate) mod log;
mod record;

use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use rayon::prelude::*;

use crate::cli::StreamArgs;
use crate::config::forced_encoding;
use crate::correct::matcher::Rules;
use crate::driver::load_glossaries;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::review::decisions::Decisions;
use crate::stream::labels::Labels;
use crate::stream::record::Context;

/// Records corrected in parallel at a time, at most.
const BATCH: usize = 512;

/// Bytes of records in a batch, at most (a single larger record is a batch of its own).
const BATCH_BYTES: usize = 16 << 20;

/// Records read ahead of the batch being corrected, at most.
const READ_AHEAD: usize = 1024;

/// Bytes read from stdin at a time: records of articles are 2–20 KB, and stdin's own
/// buffer of 8 KB takes two or three reads for each.
const STDIN_BUFFER: usize = 1 << 20;

/// One line of input: its 1-based number and its bytes, without the line end.
type Line = (u64, Vec<u8>);

/// Runs `mtfix stream`. Only bad usage or glossaries are errors before any output
/// (exit 2); a failure to read stdin or write stdout stops the stream (exit 3).
pub(crate) fn run(args: StreamArgs) -> Result<Exit> {
    let forced = forced_encoding(args.encoding.as_deref())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let context = pool.install(|| -> Result<Context> {
        let glossaries = load_glossaries(&args.glossaries)?;
        let labels = Labels::of(&glossaries, args.glossaries.is_empty())?;
        let rules = Rules::compile_owned(glossaries)?.into_language(args.into.into);
        Ok(Context {
            rules,
            labels,
            forced,
            decisions: Decisions::load(&args.decisions)?,
        })
    })?;
    let (sender, mut receiver) = sync_channel(READ_AHEAD);
    // Not joined: a reader blocked on a stdin that never ends must not keep the process.
    std::thread::spawn(move || {
        let stdin = std::io::stdin().lock();
        read_lines(
            std::io::BufReader::with_capacity(STDIN_BUFFER, stdin),
            sender,
        )
    });
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    pool.install(|| correct_all(&mut receiver, &mut out, &context))?;
    Ok(Exit::Success)
}

/// Sends the lines of `input` until it ends (or the receiver has gone); a read error is
/// sent as the last item.
fn read_lines(mut input: impl BufRead, sender: SyncSender<std::io::Result<Line>>) {
    let mut number = 0;
    // Sized as the line before: records of one stream are alike, and growing a line from
    // nothing copies it several times.
    let mut capacity = 0;
    loop {
        let mut line = Vec::with_capacity(capacity);
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return,
            Ok(_) => {
                number += 1;
                capacity = line.len();
                if line.last() == Some(&b'\n') {
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                }
                if sender.send(Ok((number, line))).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = sender.send(Err(e));
                return;
            }
        }
    }
}

/// Corrects the lines of `receiver` batch by batch and writes each batch's records in
/// order, flushed, while the next batch is corrected.
fn correct_all(
    receiver: &mut Receiver<std::io::Result<Line>>,
    out: &mut (impl Write + Send),
    context: &Context,
) -> Result<()> {
    let stdout_error = |e| Error::io("<stdout>", e);
    let mut batch = take_batch(receiver, true)?;
    let mut done: Vec<Vec<u8>> = Vec::new();
    while !(batch.is_empty() && done.is_empty()) {
        let (corrected, (written, next)) = rayon::join(
            || {
                let mut corrected = Vec::with_capacity(batch.len());
                batch
                    .par_iter()
                    .with_max_len(1)
                    .map(|(number, line)| record::process(line, *number, context))
                    .collect_into_vec(&mut corrected);
                corrected
            },
            || {
                let written = done
                    .iter()
                    .try_for_each(|line| out.write_all(line))
                    .and_then(|()| out.flush());
                // Without waiting: the client may be waiting for the records written
                // just now before it sends more.
                (written, take_batch(receiver, false))
            },
        );
        written.map_err(stdout_error)?;
        done = corrected;
        batch = match next? {
            next if next.is_empty() && done.is_empty() => take_batch(receiver, true)?,
            next => next,
        };
    }
    out.flush().map_err(stdout_error)
}

/// The lines that have arrived, up to a batch; with `wait`, waits for the first (an empty
/// batch then means the input has ended).
fn take_batch(receiver: &mut Receiver<std::io::Result<Line>>, wait: bool) -> Result<Vec<Line>> {
    let stdin_error = |e| Error::io("<stdin>", e);
    let mut batch = Vec::new();
    let mut bytes = 0;
    if wait {
        match receiver.recv() {
            Ok(line) => {
                let line = line.map_err(stdin_error)?;
                bytes += line.1.len();
                batch.push(line);
            }
            Err(_) => return Ok(batch),
        }
    }
    while batch.len() < BATCH && bytes < BATCH_BYTES {
        match receiver.try_recv() {
            Ok(line) => {
                let line = line.map_err(stdin_error)?;
                bytes += line.1.len();
                batch.push(line);
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
    Ok(batch)
}
