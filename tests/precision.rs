//! Precision on clean French: the shipped glossaries leave alone every sentence of
//! `tests/precision/*.txt`, legitimate French of the news register that uses the rules'
//! words in their ordinary sense ("la vapeur", "au cours de l'automne", "cette
//! réclamation d'Apple"). Each file holds one sentence a line, grouped under `# word`
//! comment lines; blank lines are skipped.
//!
//! Any change is a precision bug and fails the test: fix the rule (or drop it), never the
//! sentence.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

// The only lines that name mtfix's library API: adapt them when it moves.
static RULES: LazyLock<mtfix::Rules> =
    LazyLock::new(|| mtfix::load_rules(&[]).expect("the shipped glossaries load"));

/// What the shipped rules change in `text`: (rule id, matched text, replacement).
fn changes(text: &str) -> Vec<(String, String, String)> {
    let applied = mtfix::apply(&RULES, text);
    applied
        .subs
        .iter()
        .map(|sub| {
            let id = RULES.rules()[sub.rule].id.clone();
            (id, sub.matched.to_owned(), sub.replacement.to_owned())
        })
        .collect()
}

const MIN_SENTENCES: usize = 300;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/precision")
}

/// Every sentence of `tests/precision/*.txt`, with its file and line.
fn sentences() -> Vec<(String, usize, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    let mut sentences = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                sentences.push((name.clone(), index + 1, line.to_owned()));
            }
        }
    }
    sentences
}

#[test]
fn the_corpus_is_large_and_has_no_duplicates() {
    let sentences = sentences();
    assert!(
        sentences.len() >= MIN_SENTENCES,
        "{} sentences in tests/precision/*.txt, fewer than {MIN_SENTENCES}",
        sentences.len()
    );
    let mut seen = BTreeSet::new();
    let duplicates: Vec<_> = sentences
        .iter()
        .filter(|(_, _, sentence)| !seen.insert(sentence))
        .map(|(file, line, sentence)| format!("{file}:{line}: {sentence}"))
        .collect();
    assert!(
        duplicates.is_empty(),
        "duplicates:\n{}",
        duplicates.join("\n")
    );
}

#[test]
fn shipped_glossaries_leave_clean_french_alone() {
    let mut changed = Vec::new();
    for (file, line, sentence) in sentences() {
        for (rule, matched, replacement) in changes(&sentence) {
            changed.push(format!(
                "{file}:{line}: [{rule}] {matched:?} -> {replacement:?} in {sentence:?}"
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "{} changes on clean French (fix the rule, never the sentence):\n{}",
        changed.len(),
        changed.join("\n"),
    );
}
