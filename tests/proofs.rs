//! The proof cache (`MTFIX_PROOF_CACHE`): a glossary this binary checked is not checked
//! again, with the same result; a changed one is, with its errors in place.

use std::path::Path;
use std::process::{Command, Output};

use crate::{assert_exit, write_files};

const GOOD: &str = "pattern,replacement,id,if\n\
    Openai,OpenAI,ok,\n\
    re:la profondeur[ -]v(\\d)\\b,DeepSeek-V$1,deepseek-v,\\bmodèles?\\b|chatbot\n";

/// `mtfix check articles -g g.csv` in `dir` with the proof cache in `cache`.
fn check(dir: &Path, cache: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(["check", "articles", "-g", "g.csv"])
        .env("MTFIX_PROOF_CACHE", cache)
        .env("HOME", dir.join("home"))
        .env_remove("XDG_CACHE_HOME")
        .current_dir(dir)
        .output()
        .expect("mtfix runs")
}

fn proofs(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(folder)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn a_proven_glossary_gives_the_same_run_and_a_changed_one_is_checked_again() {
    let dir = tempfile::tempdir().unwrap();
    let article = "Le modèle la profondeur v3 d'Openai.\n\nLa profondeur v3 seule.\n";
    write_files(dir.path(), &[("g.csv", GOOD), ("articles/a.txt", article)]);
    let checked = check(dir.path(), "cache");
    assert_eq!(checked.status.code(), Some(1), "{checked:?}");
    let written = proofs(&dir.path().join("cache"));
    assert_eq!(written.len(), 1, "one proof for one glossary");
    let proven = check(dir.path(), "cache");
    assert_eq!(proven.stdout, checked.stdout);
    assert_eq!(proven.status.code(), Some(1));

    // The same folder, a bad regex on line 3: checked again, the error in place.
    let bad = GOOD.replace("v(\\d)", "v(\\d");
    write_files(dir.path(), &[("g.csv", &bad)]);
    let failed = check(dir.path(), "cache");
    assert_exit(
        &failed,
        2,
        "g.csv:3:1: bad regex `la profondeur[ -]v(\\d\\b`",
    );
    let bad_condition = GOOD.replace("chatbot", "(chatbot");
    write_files(dir.path(), &[("g.csv", &bad_condition)]);
    assert_exit(&check(dir.path(), "cache"), 2, "g.csv:3:");
    assert_eq!(
        proofs(&dir.path().join("cache")),
        written,
        "no proof of a bad text"
    );

    // A damaged proof is no proof: the glossary is checked, and proved again.
    write_files(dir.path(), &[("g.csv", GOOD)]);
    std::fs::write(&written[0], "damaged").unwrap();
    let rechecked = check(dir.path(), "cache");
    assert_eq!(rechecked.stdout, checked.stdout);
    assert_ne!(std::fs::read(&written[0]).unwrap(), b"damaged");
}

#[test]
fn the_cache_can_be_turned_off_and_a_test_build_writes_none_by_default() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("g.csv", GOOD), ("articles/a.txt", "Openai\n")],
    );
    assert_eq!(check(dir.path(), "off").status.code(), Some(1));
    assert_eq!(check(dir.path(), "").status.code(), Some(1));
    assert!(!dir.path().join("off").exists());
    assert!(
        !dir.path().join("home").exists(),
        "nothing under the home folder"
    );
    // An unwritable cache (a file where its folder should be) changes nothing.
    write_files(dir.path(), &[("blocked", "")]);
    assert_eq!(check(dir.path(), "blocked").status.code(), Some(1));
}
