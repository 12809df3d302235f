//! Hostile glossaries: each gets a clear error or a bounded run, never a hang or a crash.
//! (No timing assertion: a hang would show as a test that never ends.)

use crate::{mtfix, write_files};

fn run_with(glossary: &str, article: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("g.csv", glossary), ("articles/a.txt", article)],
    );
    mtfix(dir.path(), &["check", "articles", "-g", "g.csv", "-q"])
}

#[test]
fn catastrophic_regexes_run_in_linear_time() {
    let text = format!("x{} fin", "a".repeat(50_000));
    for pattern in ["re:(a+)+b", "re:(a|aa)+$", "re:a+", "re:(a*)*c"] {
        let out = run_with(&format!("pattern,replacement\n{pattern},X\n"), &text);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{pattern}: {out:?}"
        );
    }
    let condition = "pattern,replacement,if\nfin,end,\"(a+)+b\"\n";
    assert_eq!(run_with(condition, &text).status.code(), Some(0));
}

#[test]
fn huge_patterns_and_glossaries_are_handled() {
    let long = "mot ".repeat(25_000);
    let out = run_with(&format!("pattern,replacement\n{},X\n", long.trim()), &long);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a 100 KB literal matches: {out:?}"
    );

    let regex = format!(
        "pattern,replacement\nre:({}),X\n",
        "a|".repeat(50_000) + "b"
    );
    let out = run_with(&regex, "b");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(1 | 2)), "{stderr}");

    let mut many = String::from("pattern,replacement\n");
    for i in 0..100_000 {
        many.push_str(&format!("motif{i},remplacement{i}\n"));
    }
    let out = run_with(&many, "Un motif99999 et un motif7 ici.");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
}

#[test]
fn patterns_without_words_are_refused() {
    for pattern in ["\"   \"", "'", "’ ' ʼ", "re:\\s*"] {
        let out = run_with(&format!("pattern,replacement\n{pattern},X\n"), "texte");
        assert_eq!(out.status.code(), Some(2), "{pattern}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("g.csv:2:"));
    }
}

#[test]
fn a_replacement_that_recreates_its_pattern_runs_once() {
    let out = run_with("pattern,replacement\nOpenai,Openai Openai\n", "Openai.");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
