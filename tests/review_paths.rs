//! `apply`, `undo` and `revert` on articles held whole and streamed give the same bytes,
//! and a file they fail to write claims none of its rows. Articles past 16 MB are
//! streamed; `MTFIX_REVIEW_HOLD_BYTES=0` and `MTFIX_REVIEW_HOLD_ROWS=0` (hidden knobs for
//! tests, see CONTRIBUTING.md) stream every article and read every file's rows again from
//! the log, so that the streamed paths run on small cases, side by side with the held ones.

use std::path::Path;
use std::process::{Command, Output};

use crate::{snapshot, stderr, write_files};

/// The environment of a run that holds articles and rows as usual, and of one that
/// streams every article and reads every file's rows again from the log.
const HELD: [(&str, &str); 0] = [];
const STREAMED: [(&str, &str); 2] = [
    ("MTFIX_REVIEW_HOLD_BYTES", "0"),
    ("MTFIX_REVIEW_HOLD_ROWS", "0"),
];

/// Runs the built `mtfix` binary in `dir` with `env` set.
fn mtfix_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("mtfix runs")
}

const GLOSSARY: &str = "pattern,replacement,id\nOpenai,OpenAI,openai\nchatppt,ChatGPT,chatgpt\n\
                        l'IA profonde,DeepSeek,deepseek\n";

/// `changes.csv` with each data row (0-based) given by `edit` the cells it returns, by
/// column name, written back as `reviewed.csv`.
pub(crate) fn review(dir: &Path, edit: impl Fn(usize, &str) -> Vec<(&'static str, String)>) {
    let mut reader = csv::Reader::from_path(dir.join("changes.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut writer = csv::Writer::from_path(dir.join("reviewed.csv")).unwrap();
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let mut record: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        for (name, cell) in edit(i, &record[column("file")]) {
            record[column(name)] = cell;
        }
        writer.write_record(&record).unwrap();
    }
    writer.flush().unwrap();
}

/// Runs `fix` on `dir/articles` with `dir/g.csv`, into `fixed` and `changes.csv`.
fn fix_into_fixed(dir: &Path) {
    let fix = "fix articles -g g.csv --log changes.csv --out fixed -q";
    let run = crate::mtfix(dir, &fix.split(' ').collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

/// The cells of column `name` in the log at `path`.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let Some(at) = header.iter().position(|h| h == name) else {
        return Vec::new();
    };
    (reader.records())
        .map(|r| r.unwrap()[at].to_owned())
        .collect()
}

/// A file whose write fails (its backup name is taken) is left as it was and claims
/// nothing: none of its rows counted applied, rejected or skipped, none marked in the
/// log's `applied` column; the other file is written and recorded.
#[test]
fn a_file_not_written_claims_none_of_its_rows() {
    for env in [&HELD[..], &STREAMED[..]] {
        let dir = tempfile::tempdir().unwrap();
        let a = "Le modèle d'Openai et Openai. Puis chatppt répond.\n";
        write_files(
            dir.path(),
            &[
                ("g.csv", GLOSSARY),
                ("articles/a.txt", a),
                ("articles/b.txt", "Openai publie.\n"),
                ("articles/a.txt.bak", "an earlier backup\n"),
            ],
        );
        fix_into_fixed(dir.path());
        // a.txt: its first row put where its text is not (skipped), its second rejected,
        // its third accepted.
        review(dir.path(), |i, _| match i {
            0 => vec![("byte_offset", "14".to_owned())],
            1 => vec![("decision", "no".to_owned())],
            _ => Vec::new(),
        });
        let apply = ["apply", "--log", "reviewed.csv", "articles", "--in-place"];
        let run = mtfix_with(
            dir.path(),
            env,
            &[&apply[..], &["--backup", ".bak"]].concat(),
        );
        let said = stderr(&run);
        assert_eq!(run.status.code(), Some(3), "{env:?}: {said}");
        assert!(said.contains("a.txt.bak already exists"), "{env:?}");
        let summary = "1 row applied (0 edited by the reviewer), 0 rejected, 0 skipped; \
                       1 file written";
        assert!(said.contains(summary), "{env:?}: {said}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("articles/a.txt")).unwrap(),
            a
        );
        let marks = column(&dir.path().join("reviewed.csv"), "applied");
        assert_eq!(marks, ["", "", "", "yes"], "{env:?}");
    }
}

/// Each step of a review, run in turn in the same folder.
const STEPS: [&str; 8] = [
    "apply --log reviewed.csv articles --out applied",
    "undo --log reviewed.csv fixed --out undone",
    "revert --log reviewed.csv applied --out reverted",
    "revert --log reviewed.csv fixed --out fixed-reverted",
    "apply --log reviewed.csv articles --in-place --backup .orig",
    "undo --log reviewed.csv fixed --in-place --backup .orig",
    "revert --log reviewed.csv articles --in-place",
    "revert --log reviewed.csv fixed --in-place",
];

/// A corpus to review: `a.txt` longer than a block of the streamed reader (64 KB) with
/// rows throughout, `b.txt` in Latin-1 with CRLF line ends, `c.txt` that a backup name
/// already taken keeps from being replaced in place, and `d.txt` changed since `fix`
/// (its rows found again by their sentence).
fn review_corpus(dir: &Path) {
    let paragraph = "Le modèle d'Openai arrive. Puis chatppt répond à l'IA profonde.\n\n";
    let a = paragraph.repeat(1_500);
    write_files(
        dir,
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", &a),
            ("articles/c.txt", "Openai publie chatppt.\n"),
            ("articles/d.txt", "Selon Openai, chatppt progresse.\n"),
        ],
    );
    let b = b"L'\xe9t\xe9 d'Openai.\r\nPuis chatppt r\xe9pond.\r\n";
    std::fs::write(dir.join("articles/b.txt"), b).unwrap();
    fix_into_fixed(dir);
    // Every third row rejected, every fifth left to the default, one replacement edited.
    review(dir, |i, file| {
        let mut cells = match i % 15 {
            0 => vec![("decision", String::new())],
            _ if i % 3 == 0 => vec![("decision", "non".to_owned())],
            _ => vec![("decision", "oui".to_owned())],
        };
        if i == 4 || file == "b.txt" && i % 2 == 1 {
            cells.push(("replacement", "Open AI".to_owned()));
        }
        cells
    });
    write_files(
        dir,
        &[
            ("articles/c.txt.orig", "an earlier backup\n"),
            (
                "articles/d.txt",
                "Un ajout. Selon Openai, chatppt progresse.\n",
            ),
        ],
    );
}

/// Every step of a review writes the same articles, copies, backups and log, and says
/// the same, whether the articles are held whole or streamed and each file's rows held
/// or read again from the log.
#[test]
fn streamed_and_held_reviews_write_the_same_bytes() {
    let template = tempfile::tempdir().unwrap();
    review_corpus(template.path());
    let held = tempfile::tempdir().unwrap();
    let streamed = tempfile::tempdir().unwrap();
    for dir in [held.path(), streamed.path()] {
        for (name, bytes) in snapshot(template.path()) {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    let said = |dir: &Path, run: &Output| {
        let text = [&run.stdout[..], &run.stderr[..]].concat();
        let text = String::from_utf8_lossy(&text);
        (
            run.status.code(),
            text.replace(&dir.display().to_string(), "[ROOT]"),
        )
    };
    for step in STEPS {
        let step: Vec<&str> = step.split(' ').collect();
        let step = &step[..];
        let by_held = mtfix_with(held.path(), &HELD, step);
        let by_streamed = mtfix_with(streamed.path(), &STREAMED, step);
        let (code, message) = said(held.path(), &by_held);
        assert!(code == Some(0) || code == Some(3), "{step:?}: {message}");
        assert_eq!(
            said(streamed.path(), &by_streamed),
            (code, message),
            "{step:?}"
        );
        let files = snapshot(held.path());
        assert!(
            files == snapshot(streamed.path()),
            "{step:?}: the files differ"
        );
    }
    // The review did something: the last `revert` gave back the original of each file
    // that `fix` wrote, and the backup of `c.txt` is still the earlier one.
    for name in ["a.txt", "b.txt", "c.txt", "d.txt"] {
        let fixed = std::fs::read(held.path().join("fixed").join(name)).unwrap();
        let original = std::fs::read(template.path().join("articles").join(name)).unwrap();
        assert_eq!(fixed == original, name != "d.txt", "{name}");
    }
    let applied = std::fs::read_to_string(held.path().join("applied/a.txt")).unwrap();
    assert!(
        ["OpenAI", "Openai", "ChatGPT"]
            .iter()
            .all(|w| applied.contains(w))
    );
    let backup = std::fs::read_to_string(held.path().join("articles/c.txt.orig")).unwrap();
    assert_eq!(backup, "an earlier backup\n");
}

/// SIGTERM stops an in-place `apply` between articles: the run exits 130 and says how
/// many articles it left; each article is either applied, its row marked `yes` in the
/// log, or left as it was, its row unmarked.
#[test]
fn an_interrupted_review_exits_130_and_marks_only_what_it_applied() {
    const ARTICLES: usize = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..ARTICLES)
        .map(|i| format!("articles/{i:04}.txt"))
        .collect();
    let mut files = vec![("g.csv", GLOSSARY)];
    files.extend(names.iter().map(|name| (name.as_str(), "Openai publie.\n")));
    write_files(dir.path(), &files);
    fix_into_fixed(dir.path());
    let child = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(["apply", "--log", "changes.csv", "articles", "--in-place"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first article is applied, the run is under way: stop it.
    let first = dir.path().join(&names[0]);
    while std::fs::read_to_string(&first).unwrap() == "Openai publie.\n" {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let pid = child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let run = child.wait_with_output().unwrap();
    let said = stderr(&run);
    assert_eq!(run.status.code(), Some(130), "{said}");
    let marks = column(&dir.path().join("changes.csv"), "applied");
    let mut left = 0;
    for (name, mark) in names.iter().zip(&marks) {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        match text.as_str() {
            "OpenAI publie.\n" => assert_eq!(mark, "yes", "{name}"),
            _ => {
                assert_eq!((text.as_str(), mark.as_str()), ("Openai publie.\n", ""));
                left += 1;
            }
        }
    }
    assert!(left > 0);
    let message = format!("interrupted: {left} files not reviewed, left as they are");
    assert!(said.contains(&message), "{said}");
}
