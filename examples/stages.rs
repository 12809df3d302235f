//! Times the hot stages of mtfix one by one on a corpus, one thread, best of five: the
//! walk, folding, the word tokenizer and the word index search. For profiling a change to
//! one stage without the noise of a whole run (`bench/run.py` times whole runs).
//!
//! ```sh
//! cargo run --release --example stages -- bench/.cache/corpus-100mb-seed1 \
//!     bench/.cache/glossaries-seed1/glossary-1000.csv
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use mtfix::internals::{View, WordIndex, fold_pattern, for_each_word};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(corpus), Some(glossary)) = (args.next(), args.next()) else {
        return Err(std::io::Error::other(
            "usage: stages CORPUS_FOLDER GLOSSARY.csv",
        ));
    };
    let extensions = ["txt".to_string(), "md".to_string()];
    let (articles, _) = mtfix::internals::list(std::slice::from_ref(&corpus), &extensions, false);
    let texts: Vec<String> = articles
        .iter()
        .filter_map(|a| std::fs::read_to_string(&a.path).ok())
        .collect();
    let views: Vec<String> = texts
        .iter()
        .map(|t| std::mem::take(&mut View::new(t).folded))
        .collect();
    let patterns: Vec<String> = mtfix::load_glossaries(&[glossary])
        .map_err(std::io::Error::other)?
        .iter()
        .flat_map(|g| &g.rules)
        .filter_map(|r| match &r.pattern {
            mtfix::Pattern::Literal(p) => Some(fold_pattern(p, false)),
            mtfix::Pattern::Regex(_) => None,
        })
        .collect();
    let (index, _) = WordIndex::build(patterns);
    let megabytes = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;

    let mut out = std::io::stdout().lock();
    writeln!(out, "{} articles, {megabytes:.1} MB", texts.len())?;
    let mut sink = 0usize;
    let stages: [(&str, &mut dyn FnMut() -> usize); 4] = [
        ("walk", &mut || {
            mtfix::internals::list(std::slice::from_ref(&corpus), &extensions, false)
                .0
                .len()
        }),
        ("fold", &mut || {
            texts.iter().map(|t| View::new(t).folded.len()).sum()
        }),
        ("tokenize", &mut || {
            let mut n = 0;
            views
                .iter()
                .for_each(|v| for_each_word(v, |s, e| n += e - s));
            n
        }),
        ("word index", &mut || {
            let mut n = 0;
            views
                .iter()
                .for_each(|v| index.find(v, |s, _, id| n += s ^ id));
            n
        }),
    ];
    for (name, stage) in stages {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            sink = sink.wrapping_add(stage());
            best = best.min(started.elapsed().as_secs_f64());
        }
        writeln!(
            out,
            "{name:>10}: {:.1} ms ({:.0} MB/s)",
            best * 1e3,
            megabytes / best
        )?;
    }
    writeln!(out, "(checksum {})", sink % 1000)
}
