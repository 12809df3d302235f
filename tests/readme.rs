//! The README names, in brackets, the test that proves each guarantee it states
//! ("[`a_second_in_place_run_on_a_locked_folder_is_refused`]"), and DESIGN.md the test
//! that holds each fast path equal to its twin. A renamed or deleted test would leave a
//! promise with nothing behind it: every name must still be a test.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The names in backticks of each bracketed citation that is not a link: `[`name`, …]`,
/// with the line it starts on.
fn citations(readme: &str) -> Vec<(usize, String)> {
    let mut names = Vec::new();
    let mut rest = readme;
    while let Some(open) = rest.find("[`") {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inside = &after[..close];
        let is_link = after[close + 1..].starts_with('(');
        let line = readme[..readme.len() - rest.len() + open]
            .lines()
            .count()
            .max(1);
        if !is_link {
            for (i, token) in inside.split('`').enumerate() {
                let plain = !token.is_empty()
                    && token.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || "_:/.-".contains(c)
                    });
                if i % 2 == 1 && plain {
                    names.push((line, token.to_owned()));
                }
            }
        }
        rest = &after[close..];
    }
    names
}

/// The text of every Rust source of the crate and its tests.
fn code() -> String {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    sources(&root().join("tests"), &mut files);
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Names in backticks made of four words or more in snake case
/// (`the_word_index_selects_like_the_automaton`): the documents use that form only for
/// tests.
fn test_names(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|token| {
            token.split('_').count() >= 4
                && token.split('_').all(|word| {
                    !word.is_empty()
                        && word
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        })
        .collect()
}

#[test]
fn every_test_the_documents_name_exists() {
    let code = code();
    for document in ["README.md", "DESIGN.md", "CONTRIBUTING.md", "BENCHMARKS.md"] {
        let text = std::fs::read_to_string(root().join(document)).unwrap();
        let missing: Vec<_> = test_names(&text)
            .into_iter()
            .filter(|name| !code.contains(&format!("fn {name}(")))
            .collect();
        assert!(
            missing.is_empty(),
            "{document} names tests that do not exist: {missing:?}"
        );
    }
}

#[test]
fn every_test_the_readme_names_exists() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let code = code();
    let golden = |name: &str| {
        ["toml", "trycmd"]
            .iter()
            .any(|ext| root().join(format!("tests/cmd/{name}.{ext}")).exists())
    };
    let function = |name: &str| code.contains(&format!("fn {name}("));
    let module = |path: &[&str]| {
        let path = path.join("/");
        root().join(format!("src/{path}.rs")).exists()
            || root().join(format!("src/{path}/mod.rs")).exists()
    };
    let cited = citations(&readme);
    assert!(cited.len() > 40, "{} citations found", cited.len());
    let missing: Vec<_> = cited
        .iter()
        .filter(|(_, name)| {
            let found = if name.contains('/') {
                root().join(name).exists() || name.strip_prefix("tests/cmd/").is_some_and(&golden)
            } else if let Some((path, last)) = name.rsplit_once("::") {
                let path: Vec<&str> = path.split("::").filter(|p| *p != "tests").collect();
                module(&path) && (last == "tests" || function(last))
            } else {
                function(name) || golden(name)
            };
            !found
        })
        .collect();
    assert!(
        missing.is_empty(),
        "README.md cites tests that do not exist: {missing:?}"
    );
}
