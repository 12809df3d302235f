//! Precision on clean French: the shipped glossaries leave alone every sentence of
//! `tests/precision/*.txt`, legitimate French of the news register that uses the rules'
//! words in their ordinary sense ("la vapeur", "au cours de l'automne", "cette
//! réclamation d'Apple"). Each file holds one sentence a line, grouped under `# word`
//! comment lines; blank lines are skipped.
//!
//! `tests/precision/known-changes.tsv` lists the changes the shipped glossaries are known
//! to make on the corpus (`rule id<TAB>sentence`), precision bugs waiting for their rule
//! to be fixed. It only shrinks: a change not listed fails, and so does a listed change
//! that no longer happens (remove its line). The goal is an empty list.

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

/// The known changes, as (rule id, sentence).
fn known_changes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("known-changes.tsv")).unwrap();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (rule, sentence) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("known-changes.tsv: no tab in {line:?}"));
            (rule.to_owned(), sentence.to_owned())
        })
        .collect()
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
    let known = known_changes();
    let mut seen = BTreeSet::new();
    let mut unexpected = Vec::new();
    for (file, line, sentence) in sentences() {
        for (rule, matched, replacement) in changes(&sentence) {
            let key = (rule, sentence.clone());
            if known.contains(&key) {
                seen.insert(key);
            } else {
                let rule = &key.0;
                unexpected.push(format!(
                    "{file}:{line}: [{rule}] {matched:?} -> {replacement:?} in {sentence:?}"
                ));
            }
        }
    }
    let stale: Vec<String> = known
        .difference(&seen)
        .map(|(rule, sentence)| format!("[{rule}] {sentence:?}"))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} changes on clean French (fix the rule, never the sentence):\n{}\n\n\
         {} known changes no longer happen (remove them from known-changes.tsv):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale.join("\n"),
    );
}
