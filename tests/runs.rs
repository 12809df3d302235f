//! Whole runs of the binary: errors leave everything untouched, output does not depend on
//! the thread count, the log points at the original text, and a second run changes nothing.

use std::path::Path;

use crate::{assert_as_in_memory, mtfix, snapshot, write_files};

const GLOSSARY: &str = "pattern,replacement,id\nOpenai,OpenAI,openai\nl'IA profonde,DeepSeek,ia\n";

/// A corpus of many articles mixing the seed text, apostrophes, case and line endings.
fn make_corpus(dir: &Path) {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/deepseek-distillation.fr.txt"),
    )
    .unwrap();
    for i in 0..60 {
        let text = match i % 4 {
            0 => seed.clone(),
            1 => seed.replace('\'', "\u{2019}"),
            2 => seed.replace('\n', "\r\n").replace(". ", ".\n"),
            _ => format!("Article {i} sans artefact.\n"),
        };
        let path = dir.join(format!("articles/{:02}/{i}.txt", i % 7));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn output_and_log_are_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    make_corpus(dir.path());
    let mut results = Vec::new();
    for jobs in ["1", "2", "4"] {
        let out = format!("out{jobs}");
        let log = format!("log{jobs}.csv");
        let run = mtfix(
            dir.path(),
            &[
                "fix", "articles", "--out", &out, "--log", &log, "--jobs", jobs, "--quiet",
            ],
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let log = std::fs::read(dir.path().join(&log)).unwrap();
        results.push((snapshot(&dir.path().join(&out)), log));
    }
    assert_eq!(results[0].0.len(), 60);
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn log_rows_point_at_the_original_text() {
    let dir = tempfile::tempdir().unwrap();
    make_corpus(dir.path());
    let run = mtfix(dir.path(), &["fix", "articles", "--out", "out", "--quiet"]);
    assert!(run.status.success());
    let mut reader = csv::Reader::from_path(dir.path().join("changes.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let columns: Vec<&str> = header.iter().collect();
    assert_eq!(
        columns[..8],
        [
            "file",
            "line",
            "column",
            "byte_offset",
            "rule",
            "matched",
            "replacement",
            "context"
        ]
    );
    let mut rows = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let original = std::fs::read_to_string(dir.path().join("articles").join(&row[0])).unwrap();
        let (line, column, offset): (usize, usize, usize) = (
            row[1].parse().unwrap(),
            row[2].parse().unwrap(),
            row[3].parse().unwrap(),
        );
        let matched = &row[5];
        assert_eq!(&original[offset..offset + matched.len()], matched);
        let at_line_column: String = original
            .split('\n')
            .nth(line - 1)
            .unwrap()
            .chars()
            .skip(column - 1)
            .collect();
        assert!(original[offset..].starts_with(matched));
        assert!(
            at_line_column.starts_with(matched.split('\n').next().unwrap()),
            "{row:?}"
        );
        assert!(row[7].contains(&format!("⟦{matched}⟧")) || matched.contains('\n'));
        rows += 1;
    }
    assert!(rows > 400, "{rows} rows");
}

#[test]
fn a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    make_corpus(dir.path());
    let first = mtfix(dir.path(), &["fix", "articles", "--in-place", "--quiet"]);
    assert!(first.status.success());
    let before = snapshot(&dir.path().join("articles"));
    let check = mtfix(dir.path(), &["check", "articles", "--quiet"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(check.stdout.is_empty());
    let second = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "--in-place",
            "--log",
            "again.csv",
            "--quiet",
        ],
    );
    assert!(second.status.success());
    assert_eq!(snapshot(&dir.path().join("articles")), before);
    let log = std::fs::read_to_string(dir.path().join("again.csv")).unwrap();
    assert_eq!(log.lines().count(), 1, "header only: {log}");
}

#[test]
fn a_large_glossary_goes_through_the_word_index_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    make_corpus(dir.path());
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries");
    let mut args: Vec<String> = Vec::new();
    for name in ["brands.csv", "finance.csv", "senses.csv"] {
        std::fs::copy(shipped.join(name), dir.path().join(name)).unwrap();
        args.extend(["-g".into(), name.into()]);
    }
    // 400 rules that never match: past the word index's threshold of 300 patterns.
    let mut distractors = String::from("pattern,replacement,id\n");
    for i in 0..400 {
        distractors.push_str(&format!("zqx{i} vvk{i},X,d{i}\nqqz{i},Y,s{i}\n"));
    }
    std::fs::write(dir.path().join("distractors.csv"), distractors).unwrap();
    let run = |out: &str, extra: &[&str]| {
        let mut all: Vec<&str> = vec!["fix", "articles", "--out", out, "--log"];
        let log = format!("{out}.csv");
        all.push(&log);
        all.extend(args.iter().map(String::as_str));
        all.extend(extra);
        all.push("--quiet");
        let run = mtfix(dir.path(), &all);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let log = std::fs::read(dir.path().join(&log)).unwrap();
        (snapshot(&dir.path().join(out)), log)
    };
    let (small_out, small_log) = run("small", &[]);
    let (large_out, large_log) = run("large", &["-g", "distractors.csv"]);
    assert_eq!(small_out, large_out);
    assert_eq!(small_log, large_log);
    assert!(small_log.len() > 1000, "the corpus has artifacts");
}

#[test]
fn glossary_errors_write_nothing() {
    let bad = [
        "pattern,replacement,colour\nx,y,z\n",
        "pattern,replacement\nre:(,x\n",
        "pattern,replacement,unless\nx,y,[\n",
        "pattern,replacement\n,x\n",
        "pattern,replacement,id\nx,y,a\nz,w,a\n",
    ];
    for glossary in bad {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[("g.csv", glossary), ("articles/a.txt", "x z Openai\n")],
        );
        let before = snapshot(dir.path());
        for args in [
            &["fix", "articles", "--out", "out", "-g", "g.csv"][..],
            &["fix", "articles", "--in-place", "-g", "g.csv"][..],
        ] {
            let run = mtfix(dir.path(), args);
            assert_eq!(run.status.code(), Some(2), "{glossary}");
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(stderr.starts_with("error: g.csv:"), "{stderr}");
            assert_eq!(
                snapshot(dir.path()),
                before,
                "nothing written for {glossary}"
            );
        }
    }
}

#[test]
fn a_missing_glossary_or_bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("articles/a.txt", "Openai\n")]);
    let run = mtfix(
        dir.path(),
        &["fix", "articles", "--out", "out", "-g", "none.csv"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("none.csv"));
    let run = mtfix(dir.path(), &["fix", "articles"]);
    assert_eq!(run.status.code(), Some(2));
    let run = mtfix(dir.path(), &["fix", "articles", "--out", "articles/out"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("inside the input folder"));
    assert!(!dir.path().join("articles/out").exists());
}

#[test]
fn unreadable_files_are_reported_and_the_others_processed() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            ("articles/good.txt", "Selon Openai.\n"),
        ],
    );
    // Damaged UTF-8: valid accents, then a Latin-1 byte.
    let damaged = b"D\xc3\xa9j\xc3\xa0 Openai, caf\xe9.\n";
    std::fs::write(dir.path().join("articles/bad.txt"), damaged).unwrap();
    let run = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "missing",
            "--in-place",
            "-g",
            "g.csv",
            "-q",
        ],
    );
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("articles/bad.txt:1:17: not valid UTF-8"),
        "{stderr}"
    );
    assert!(stderr.contains("missing: "), "{stderr}");
    let good = std::fs::read_to_string(dir.path().join("articles/good.txt")).unwrap();
    assert_eq!(good, "Selon OpenAI.\n");
    let bad = std::fs::read(dir.path().join("articles/bad.txt")).unwrap();
    assert_eq!(bad, damaged);
}

#[test]
fn a_copy_that_would_overwrite_another_input_s_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            ("one/a.txt", "Selon Openai.\n"),
            ("one/b.txt", "Openai encore.\n"),
            ("two/a.txt", "Autre Openai.\n"),
            ("two/c.txt", "Et Openai.\n"),
        ],
    );
    let run = mtfix(
        dir.path(),
        &["fix", "one", "two", "--out", "out", "-g", "g.csv", "-q"],
    );
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("two/a.txt: an earlier input holds `a.txt` too"),
        "{stderr}"
    );
    let copies = snapshot(&dir.path().join("out"));
    let copies: Vec<_> = copies
        .iter()
        .map(|(name, bytes)| (name.as_str(), String::from_utf8_lossy(bytes)))
        .collect();
    assert_eq!(
        copies,
        [
            ("a.txt", "Selon OpenAI.\n".into()),
            ("b.txt", "OpenAI encore.\n".into()),
            ("c.txt", "Et OpenAI.\n".into()),
        ]
    );
}

/// Runs `mtfix args` in `dir` with `input` on stdin.
fn mtfix_stdin(dir: &Path, args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_is_read_like_a_file_whatever_its_encoding() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("g.csv", GLOSSARY)]);
    let fix = |input: &[u8]| mtfix_stdin(dir.path(), &["fix", "-", "-g", "g.csv", "-q"], input);
    let utf8 = fix("Déjà Openai.\n".as_bytes());
    assert!(utf8.status.success());
    assert_eq!(utf8.stdout, "Déjà OpenAI.\n".as_bytes());
    // Latin-1 in, Latin-1 out.
    let latin1 = fix(b"D\xe9j\xe0 Openai, caf\xe9 et cr\xe8me br\xfbl\xe9e.\n");
    assert!(
        latin1.status.success(),
        "{}",
        String::from_utf8_lossy(&latin1.stderr)
    );
    assert_eq!(
        latin1.stdout,
        b"D\xe9j\xe0 OpenAI, caf\xe9 et cr\xe8me br\xfbl\xe9e.\n"
    );
    // Bytes that are not text go through unchanged, with a warning.
    let binary = [0u8, 159, 146, 150, 0, 1, 2];
    let passed = fix(&binary);
    assert_eq!(passed.stdout, binary);
    // Damaged UTF-8: nothing written, the position reported.
    let damaged = mtfix_stdin(
        dir.path(),
        &["fix", "-", "-g", "g.csv", "-q"],
        "Déjà Openai, café"
            .as_bytes()
            .iter()
            .chain(b"\xe9 \xc3\xa9 Openai.\n")
            .copied()
            .collect::<Vec<_>>()
            .as_slice(),
    );
    assert_eq!(damaged.status.code(), Some(3));
    assert!(damaged.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&damaged.stderr);
    assert!(stderr.contains("-:1:18: not valid UTF-8"), "{stderr}");
}

/// A temporary folder holding `g.csv` ([`GLOSSARY`]) and an empty `articles` folder,
/// whose path comes second.
fn glossary_and_articles_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("g.csv", GLOSSARY)]);
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    (dir, articles)
}

/// `check` holds its lines and prints them 64 KB at a time; a warning on stderr must still
/// come between the lines of the articles before and after it when both streams go to
/// one place, whatever the thread count.
#[test]
fn check_lines_and_warnings_come_in_the_order_of_the_articles() {
    let (dir, articles) = glossary_and_articles_folder();
    // 1,300 articles of six substitutions, over three batches and many chunks of the
    // walk (see `lib.rs` and `listing.rs`): about 360 KB of lines.
    for i in 0..1300 {
        let text = match i {
            700 => "binaire\0 Openai\n".to_owned(),
            _ => "Selon Openai et Openai.\n".repeat(3),
        };
        std::fs::write(articles.join(format!("{i:04}.txt")), text).unwrap();
    }
    let mut expected = String::new();
    for i in 0..1300 {
        if i == 700 {
            expected += "warning: articles/0700.txt: binary file (NUL byte); skipped\n";
            continue;
        }
        for line in 1..=3 {
            expected += &format!("articles/{i:04}.txt:{line}:7: Openai -> OpenAI [openai]\n");
            expected += &format!("articles/{i:04}.txt:{line}:17: Openai -> OpenAI [openai]\n");
        }
    }
    for jobs in ["1", "2", "4"] {
        let run = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' check articles -g g.csv -q -j {jobs} 2>&1",
                env!("CARGO_BIN_EXE_mtfix")
            ))
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&run.stdout) == expected,
            "-j {jobs}: the output differs from the articles' order"
        );
    }
}

/// `mtfix check … | head`: once the reader of stdout has gone the run starts no more
/// articles and ends quietly, with or without diffs (which made it panic); any other
/// failure to print, such as a full disk, is an error rather than lost output.
#[test]
fn a_closed_stdout_stops_the_run_and_a_full_one_is_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let (dir, articles) = glossary_and_articles_folder();
    // 3,000 articles of 40 substitutions: 5 MB of lines, far more than a pipe holds.
    let text = "Selon Openai et Openai.\n".repeat(20);
    for i in 0..3000 {
        std::fs::write(articles.join(format!("{i:04}.txt")), &text).unwrap();
    }
    let check = |extra: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mtfix"));
        command
            .args(["check", "articles", "-g", "g.csv", "-j", "2"])
            .args(extra)
            .current_dir(dir.path())
            .stderr(Stdio::piped());
        command
    };
    for extra in [&[][..], &["--diff"][..]] {
        let mut child = check(extra).stdout(Stdio::piped()).spawn().unwrap();
        let mut first_line = [0u8; 40];
        // Read a little, then close the pipe, as `head` does.
        child
            .stdout
            .take()
            .unwrap()
            .read_exact(&mut first_line)
            .unwrap();
        let run = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{extra:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let read: usize = stderr.split(" files read").next().unwrap().parse().unwrap();
        assert!(read < 3000, "{extra:?}: did not stop: {stderr}");
        assert!(stderr.ends_with("stopped early: the reader of the output has gone\n"));
    }
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let run = check(&[]).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(3), "{stderr}");
        assert!(stderr.starts_with("error: <stdout>: "), "{stderr}");
    }
}

#[test]
fn diff_shows_each_change() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", "un\nSelon Openai.\ndeux\n"),
        ],
    );
    let run = mtfix(
        dir.path(),
        &[
            "fix", "articles", "--out", "out", "-g", "g.csv", "--diff", "-q",
        ],
    );
    assert!(run.status.success());
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n un\n-Selon Openai.\n+Selon OpenAI.\n deux\n"
    );
}

#[test]
fn a_large_file_is_streamed_with_the_same_result_as_in_memory() {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/deepseek-distillation.fr.txt"),
    )
    .unwrap();
    // Paragraphs separated by blank lines, some CRLF, past the streaming threshold.
    let mut text = String::new();
    let mut i = 0;
    while text.len() as u64 <= mtfix::internals::WHOLE_FILE_LIMIT + 1_000_000 {
        let paragraph = if i % 3 == 0 {
            seed.replace('\n', "\r\n")
        } else {
            seed.clone()
        };
        text.push_str(&paragraph);
        text.push_str(if i % 5 == 0 { "\n" } else { "\n\n" });
        i += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    std::fs::write(dir.path().join("articles/big.txt"), &text).unwrap();
    let run = mtfix(dir.path(), &["fix", "articles", "--out", "out", "--quiet"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let expected = assert_as_in_memory(dir.path(), "out/big.txt", &text);

    // `check` does not ask for the file's size: it finds the file too large to read
    // whole by reading past the limit, then streams it from the start.
    let run = mtfix(dir.path(), &["check", "articles", "--quiet"]);
    let places: Vec<(u64, u64)> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|line| {
            let mut fields = line.split(':').skip(1);
            let mut number = || fields.next().unwrap().parse().unwrap();
            (number(), number())
        })
        .collect();
    let expected_places: Vec<(u64, u64)> = expected.iter().map(|e| (e.0, e.1)).collect();
    assert!(places == expected_places, "checked positions differ");
}

#[test]
fn symbolic_links_are_followed_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("elsewhere/linked.txt", "Selon Openai.\n"),
            ("articles/a.txt", "Openai.\n"),
        ],
    );
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere"),
        dir.path().join("articles/link"),
    )
    .unwrap();
    let run = mtfix(dir.path(), &["check", "articles", "-q"]);
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().count(), 1);
    let run = mtfix(dir.path(), &["check", "articles", "--follow", "-q"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("articles/link/linked.txt:1:7: Openai -> OpenAI"));
}

#[test]
fn backup_keeps_each_original_beside_its_corrected_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("articles/a.txt", "Selon Openai.\n"),
            ("articles/b.txt", "Rien.\n"),
        ],
    );
    let run = mtfix(
        dir.path(),
        &["fix", "articles", "--in-place", "--backup", ".orig", "-q"],
    );
    assert!(run.status.success());
    let read = |name: &str| std::fs::read_to_string(dir.path().join("articles").join(name)).ok();
    assert_eq!(read("a.txt").as_deref(), Some("Selon OpenAI.\n"));
    assert_eq!(read("a.txt.orig").as_deref(), Some("Selon Openai.\n"));
    assert_eq!(
        read("b.txt.orig"),
        None,
        "unchanged files are not rewritten"
    );
    let run = mtfix(
        dir.path(),
        &["fix", "articles", "--out", "o", "--backup", ".orig"],
    );
    assert_eq!(run.status.code(), Some(2), "--backup needs --in-place");
}

#[test]
fn an_unknown_encoding_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("articles/a.txt", "Openai\n")]);
    let run = mtfix(dir.path(), &["check", "articles", "--encoding", "klingon"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("unknown or unsupported encoding `klingon`")
    );
}

/// The log as French-locale spreadsheets want it (`;`, byte-order mark), read and
/// reviewed by Python's csv module, then applied; and the csv crate reads it the same.
#[test]
fn review_round_trip_through_python_csv_and_the_csv_crate() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            (
                "articles/a.txt",
                "Selon Openai, l'IA profonde.\nEt Openai encore.\n",
            ),
        ],
    );
    let run = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "--out",
            "fixed",
            "-g",
            "g.csv",
            "--log-delimiter",
            ";",
            "-q",
        ],
    );
    assert!(run.status.success());
    let log = std::fs::read(dir.path().join("changes.csv")).unwrap();
    assert!(log.starts_with(b"\xEF\xBB\xBFfile;line;column;byte_offset;"));

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&log[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][5], "l'IA profonde");

    let script = r#"
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    rows = list(csv.DictReader(f, delimiter=';'))
rows[0]['decision'] = 'reject'
rows[2]['replacement'] = 'Open AI'
with open(sys.argv[2], 'w', newline='', encoding='utf-8-sig') as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=';')
    writer.writeheader()
    writer.writerows(rows)
"#;
    let python = std::process::Command::new("python3")
        .args(["-c", script, "changes.csv", "reviewed.csv"])
        .current_dir(dir.path())
        .status()
        .expect("python3 runs");
    assert!(python.success());
    let run = mtfix(
        dir.path(),
        &[
            "apply",
            "--log",
            "reviewed.csv",
            "articles",
            "--out",
            "applied",
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr
            .contains("reviewed.csv:4: replacement edited by the reviewer: `Openai` -> `Open AI`"),
        "{stderr}"
    );
    let applied = std::fs::read_to_string(dir.path().join("applied/a.txt")).unwrap();
    assert_eq!(applied, "Selon Openai, DeepSeek.\nEt Open AI encore.\n");
}

#[test]
fn apply_skips_rows_that_do_not_fit_and_files_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", "Openai et Openai.\n"),
            ("articles/b.txt", "Openai.\n"),
        ],
    );
    let run = mtfix(
        dir.path(),
        &["fix", "articles", "--out", "fixed", "-g", "g.csv", "-q"],
    );
    assert!(run.status.success());
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    // The reviewer's row for the second "Openai" of a.txt points one byte off.
    let mut lines: Vec<String> = log.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen(",10,", ",11,", 1);
    std::fs::write(dir.path().join("reviewed.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("articles/b.txt"), "Openai !\n").unwrap();
    let run = mtfix(
        dir.path(),
        &["apply", "--log", "reviewed.csv", "articles", "--in-place"],
    );
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "reviewed.csv:3: `Openai` is not where the log puts it in a.txt (byte offset 11); row skipped"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "reviewed.csv:4: b.txt changed since `fix`: `Openai` is no longer in the sentence \
             the log shows; row skipped"
        ),
        "{stderr}"
    );
    let read =
        |name: &str| std::fs::read_to_string(dir.path().join("articles").join(name)).unwrap();
    assert_eq!(read("a.txt"), "OpenAI et Openai.\n");
    assert_eq!(read("b.txt"), "Openai !\n");
}

/// A rule with article scope sees the whole article when it is streamed: its condition
/// stands only in the last paragraph, chunks away from the artifacts, and the streamed
/// result is the one in memory.
#[test]
fn article_scope_holds_across_the_chunks_of_a_streamed_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    let glossary = dir.path().join("scope.csv");
    std::fs::write(
        &glossary,
        "pattern,replacement,if,unless,scope\n\
         l'IA lente,SlowAI,chatbot r1,philosophie,article\n",
    )
    .unwrap();
    let paragraph = "Les ingénieurs de l'IA lente ont réduit les coûts de calcul.\n\n";
    let mut text = String::new();
    while text.len() as u64 <= mtfix::internals::WHOLE_FILE_LIMIT + 1_000_000 {
        text.push_str(paragraph);
    }
    text.push_str("Le chatbot R1 en est la preuve.\n");
    std::fs::write(dir.path().join("articles/big.txt"), &text).unwrap();
    let run = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "--out",
            "out",
            "--quiet",
            "--glossary",
            "scope.csv",
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let rules = mtfix::load_rules(&[glossary]).unwrap();
    let in_memory = mtfix::apply(&rules, &text);
    assert!(in_memory.subs.len() > 1000);
    let streamed = std::fs::read_to_string(dir.path().join("out/big.txt")).unwrap();
    assert!(streamed == in_memory.text, "streamed output differs");
}
