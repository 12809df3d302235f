//! Nothing lost, whatever happens (issue 16): each test is a way a user's files were
//! lost, corrupted or exposed, tried as an unlucky or hostile user would.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{
    assert_as_in_memory, assert_exit, mtfix, mtfix_peak_memory, snapshot, stderr, write_files,
};

const GLOSSARY: &str = "pattern,replacement,id\nOpenai,OpenAI,openai\n";

/// `dir/g.csv` and `dir/articles/a.txt`, `b.txt` with an artifact each.
fn setup(dir: &Path) {
    write_files(
        dir,
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", "Le modèle d'Openai.\n"),
            ("articles/b.txt", "Openai publie.\n"),
        ],
    );
}

#[test]
fn an_empty_or_slashed_backup_suffix_is_refused() {
    for suffix in ["", "/x", "../b"] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let before = snapshot(&dir.path().join("articles"));
        let args = [
            "fix",
            "articles",
            "-g",
            "g.csv",
            "--in-place",
            "--backup",
            suffix,
            "--log",
            "l.csv",
        ];
        let run = mtfix(dir.path(), &args);
        assert_eq!(run.status.code(), Some(2), "{suffix:?}: {}", stderr(&run));
        assert!(stderr(&run).contains("--backup needs a non-empty suffix"));
        assert_eq!(snapshot(&dir.path().join("articles")), before);
    }
}

#[test]
fn a_backup_never_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    // `--backup .txt` would name a.txt's backup a.txt.txt: another article.
    write_files(dir.path(), &[("articles/a.txt.txt", "Un autre article.\n")]);
    let args = [
        "fix",
        "articles",
        "-g",
        "g.csv",
        "--in-place",
        "--backup",
        ".txt",
        "--log",
        "l.csv",
        "--quiet",
    ];
    let run = mtfix(dir.path(), &args);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    assert!(stderr(&run).contains("already exists and is never replaced"));
    let articles = dir.path().join("articles");
    let read = |name: &str| std::fs::read_to_string(articles.join(name)).unwrap();
    assert_eq!(read("a.txt.txt"), "Un autre article.\n");
    assert_eq!(read("a.txt"), "Le modèle d'Openai.\n", "not rewritten");
    assert_eq!(read("b.txt"), "OpenAI publie.\n");
    assert_eq!(read("b.txt.txt"), "Openai publie.\n");
    // The log holds only the change made, so revert restores b.txt alone.
    let log = std::fs::read_to_string(dir.path().join("l.csv")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.lines().nth(1).unwrap().starts_with("b.txt,"));
}

#[test]
fn a_log_is_never_written_over_an_article_a_glossary_or_a_folder() {
    for log in ["articles/a.txt", "g.csv", "articles", "notes.txt"] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        write_files(dir.path(), &[("notes.txt", "Mes notes.\n")]);
        let before = snapshot(dir.path());
        let args = ["fix", "articles", "-g", "g.csv", "--in-place", "--log", log];
        let run = mtfix(dir.path(), &args);
        assert_eq!(run.status.code(), Some(2), "{log}: {}", stderr(&run));
        assert!(
            stderr(&run).contains(&format!("--log {log}")),
            "{}",
            stderr(&run)
        );
        assert_eq!(snapshot(dir.path()), before, "{log}: nothing changed");
    }
}

#[test]
fn a_reviewed_log_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let first = ["fix", "articles", "-g", "g.csv", "--out", "o1", "--quiet"];
    assert_eq!(mtfix(dir.path(), &first).status.code(), Some(0));
    // A plain log of an earlier run may be replaced by the next.
    let again = ["fix", "articles", "-g", "g.csv", "--out", "o2", "--quiet"];
    assert_eq!(mtfix(dir.path(), &again).status.code(), Some(0));
    // A reviewed one may not.
    let log = dir.path().join("changes.csv");
    let reviewed = std::fs::read_to_string(&log)
        .unwrap()
        .replacen(",,g.csv", ",reject,g.csv", 1);
    std::fs::write(&log, &reviewed).unwrap();
    let third = ["fix", "articles", "-g", "g.csv", "--out", "o3", "--quiet"];
    let run = mtfix(dir.path(), &third);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("holds a reviewer's work"));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), reviewed);
    assert!(!dir.path().join("o3").exists());
}

#[test]
fn a_new_log_gets_the_mode_the_umask_gives() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let runs: [&[&str]; 3] = [
        &["--out", "o", "--log", "out.csv"],
        &["--out", "o", "--log", "out.xlsx"],
        &["--in-place", "--log", "in-place.xlsx"],
    ];
    for run in runs {
        // A scheduled job's umask of 022 must give logs that editors can read.
        let status = Command::new("sh")
            .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_mtfix"))
            .args(["fix", "articles", "-g", "g.csv", "--quiet"])
            .args(run)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "{run:?}");
        let log = dir.path().join(run[run.len() - 1]);
        let mode = std::fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "{run:?}");
    }
}

#[test]
fn out_may_not_reach_an_input_by_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let before = snapshot(&dir.path().join("articles"));
    for args in [
        &["fix", "articles", "-g", "g.csv", "--out", "zz/../articles"][..],
        &["fix", "articles/a.txt", "-g", "g.csv", "--out", "articles"][..],
        &[
            "fix",
            "articles/a.txt",
            "-g",
            "g.csv",
            "--out",
            "zz/../articles/",
        ][..],
    ] {
        let run = mtfix(dir.path(), args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        assert_eq!(snapshot(&dir.path().join("articles")), before, "{args:?}");
    }
}

#[test]
fn an_input_given_twice_is_processed_once() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let mut logs = Vec::new();
    for jobs in ["1", "2"] {
        let log = format!("l{jobs}.csv");
        let args = [
            "fix",
            "articles",
            "./articles",
            "articles/",
            "-g",
            "g.csv",
            "--out",
            "o",
            "--log",
            &log,
            "--jobs",
            jobs,
            "--quiet",
        ];
        let run = mtfix(dir.path(), &args);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        logs.push(std::fs::read(dir.path().join(&log)).unwrap());
        std::fs::remove_dir_all(dir.path().join("o")).unwrap();
    }
    assert_eq!(logs[0], logs[1]);
    let log = String::from_utf8(logs.remove(0)).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    // The same for in place: the log can be reverted.
    let args = [
        "fix",
        "articles/a.txt",
        "articles/a.txt",
        "-g",
        "g.csv",
        "--in-place",
        "--quiet",
    ];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(0));
    let revert = [
        "revert",
        "--log",
        "changes.csv",
        "articles/a.txt",
        "--in-place",
    ];
    let run = mtfix(dir.path(), &revert);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let a = std::fs::read_to_string(dir.path().join("articles/a.txt")).unwrap();
    assert_eq!(a, "Le modèle d'Openai.\n");
}

#[test]
fn revert_reports_overlapping_rows_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let args = ["fix", "articles", "-g", "g.csv", "--in-place", "--quiet"];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(0));
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    let row = log.lines().nth(1).unwrap();
    std::fs::write(dir.path().join("dup.csv"), format!("{log}{row}\n")).unwrap();
    let run = mtfix(
        dir.path(),
        &["revert", "--log", "dup.csv", "articles", "--in-place"],
    );
    assert_exit(&run, 3, "overlaps the row before it");
}

#[test]
fn a_damaged_log_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let args = ["fix", "articles", "-g", "g.csv", "--out", "o", "--quiet"];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(0));
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    let header = log.lines().next().unwrap();
    let second = log.lines().nth(2).unwrap();
    let fields = |row: &str| -> Vec<String> { row.split(',').map(str::to_owned).collect() };
    let with = |index: usize, value: &str| {
        let mut row = fields(second);
        row[index] = value.to_owned();
        format!("{header}\n{}\n", row.join(","))
    };
    let cut = &log[..log.rfind("publie").unwrap() + "pub".len()];
    for (name, damaged, message) in [
        ("truncated", cut.to_owned(), "the log is cut short"),
        ("empty-matched", with(5, ""), "`matched` is empty"),
        ("empty-hash", with(11, ""), "`file_hash` is empty"),
    ] {
        std::fs::write(dir.path().join("bad.csv"), &damaged).unwrap();
        let before = snapshot(&dir.path().join("articles"));
        let apply = ["apply", "--log", "bad.csv", "articles", "--in-place"];
        let run = mtfix(dir.path(), &apply);
        assert_eq!(run.status.code(), Some(2), "{name}: {}", stderr(&run));
        assert!(stderr(&run).contains(message), "{name}: {}", stderr(&run));
        assert_eq!(snapshot(&dir.path().join("articles")), before, "{name}");
    }
}

#[test]
fn apply_refuses_a_second_input_with_the_same_path_under_out() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    write_files(dir.path(), &[("other/a.txt", "Openai encore.\n")]);
    let args = [
        "fix", "articles", "other", "-g", "g.csv", "--out", "o", "--quiet",
    ];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(3));
    let apply = [
        "apply",
        "--log",
        "changes.csv",
        "articles",
        "other",
        "--out",
        "p",
    ];
    let run = mtfix(dir.path(), &apply);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let a = std::fs::read_to_string(dir.path().join("p/a.txt")).unwrap();
    assert_eq!(a, "Le modèle d'OpenAI.\n", "the first input's result stays");
}

#[test]
fn log_cells_never_become_spreadsheet_formulas_and_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let glossary = "pattern,replacement,id\nre:[-=+@]Openai,OpenAI,dash\n";
    let article = "=HYPERLINK(\"http://x\") -Openai\n+Openai @SUM(1) 'Openai\n";
    write_files(
        dir.path(),
        &[("g.csv", glossary), ("articles/a.txt", article)],
    );
    let args = ["fix", "articles", "-g", "g.csv", "--out", "o", "--quiet"];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(0));
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(log.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "live formula: {cell}"
            );
        }
    }
    // apply reads the quoted cells back as the text they stand for.
    let apply = ["apply", "--log", "changes.csv", "articles", "--out", "p"];
    let run = mtfix(dir.path(), &apply);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        std::fs::read(dir.path().join("p/a.txt")).unwrap(),
        std::fs::read(dir.path().join("o/a.txt")).unwrap()
    );
    let revert = ["revert", "--log", "changes.csv", "o", "--out", "r"];
    assert_eq!(mtfix(dir.path(), &revert).status.code(), Some(0));
    let reverted = std::fs::read_to_string(dir.path().join("r/a.txt")).unwrap();
    assert_eq!(reverted, article);
}

#[test]
fn only_delimiters_apply_reads_back_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    for delimiter in ["|", "\"", "a", " "] {
        let args = [
            "fix",
            "articles",
            "-g",
            "g.csv",
            "--out",
            "o",
            "--log-delimiter",
            delimiter,
        ];
        let run = mtfix(dir.path(), &args);
        assert_eq!(run.status.code(), Some(2), "{delimiter:?}");
        assert!(!dir.path().join("o").exists());
    }
}

#[test]
fn in_place_keeps_the_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let a = dir.path().join("articles/a.txt");
    // Only root can give a file away; elsewhere there is nothing to test.
    if std::os::unix::fs::chown(&a, Some(65534), Some(65534)).is_err() {
        return;
    }
    let args = ["fix", "articles", "-g", "g.csv", "--in-place", "--quiet"];
    assert_eq!(mtfix(dir.path(), &args).status.code(), Some(0));
    let meta = std::fs::metadata(&a).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "Le modèle d'OpenAI.\n"
    );
}

#[test]
fn a_second_in_place_run_on_a_locked_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let lock = std::fs::File::open(dir.path().join("articles")).unwrap();
    lock.try_lock().unwrap();
    let before = snapshot(&dir.path().join("articles"));
    let args = ["fix", "articles", "-g", "g.csv", "--in-place"];
    let run = mtfix(dir.path(), &args);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("another mtfix is rewriting articles here"));
    assert_eq!(snapshot(&dir.path().join("articles")), before);
    assert!(!dir.path().join("changes.csv.partial").exists());
}

/// Many small articles with an artifact each, and what `fix` makes of them.
fn crash_corpus(dir: &Path, articles: usize) -> Vec<(String, Vec<u8>)> {
    std::fs::write(dir.join("g.csv"), GLOSSARY).unwrap();
    for i in 0..articles {
        let text = format!("Article {i} : le modèle d'Openai et Openai encore.\n");
        write_files(dir, &[(&format!("articles/{:02}/{i}.txt", i % 13), &text)]);
    }
    let args = [
        "fix", "articles", "-g", "g.csv", "--out", "expected", "--log", "x.csv",
    ];
    assert_eq!(mtfix(dir, &args).status.code(), Some(0));
    snapshot(&dir.join("expected"))
}

/// A deterministic pseudo-random number from a seed (SplitMix64).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Kills an in-place run logging to `log` at a moment drawn from `seed` (signal 9, or
/// SIGTERM) and checks that every article is its original or its complete correction,
/// that the log found after the kill lists every rewritten article, and that `revert`
/// from it gives back every original.
fn kill_and_check(seed: u64, signal: &str, log: &str) {
    let dir = tempfile::tempdir().unwrap();
    let originals_dir = dir.path().join("articles");
    let expected = crash_corpus(dir.path(), 400);
    let originals = snapshot(&originals_dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args([
            "fix",
            "articles",
            "-g",
            "g.csv",
            "--in-place",
            "--quiet",
            "--jobs",
            "2",
            "--log",
            log,
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let delay = splitmix(seed) % 400_000;
    std::thread::sleep(std::time::Duration::from_micros(delay));
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut now = snapshot(&originals_dir);
    if signal == "-9" {
        // Killed, the run leaves its unrenamed copies; the next in-place run removes them.
        assert!(
            now.iter()
                .all(|(name, _)| !name.contains(".mtfix-") || name.ends_with(".tmp"))
        );
        now.retain(|(name, _)| !name.contains("/.mtfix-"));
    }
    let names: Vec<&String> = originals.iter().map(|(n, _)| n).collect();
    assert_eq!(
        now.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        names,
        "seed {seed}: no file added or lost"
    );
    let mut changed = 0;
    for ((name, bytes), ((_, old), (_, new))) in now.iter().zip(originals.iter().zip(&expected)) {
        assert!(
            bytes == old || bytes == new,
            "seed {seed}: {name} is neither"
        );
        changed += usize::from(bytes == new);
    }
    let journal = format!("{log}.partial");
    let log = match (
        dir.path().join(&journal).exists(),
        dir.path().join(log).exists(),
    ) {
        (true, false) => journal.as_str(),
        (false, true) => log,
        // A workbook is put in place before its journal is removed: a kill in between
        // leaves both, the journal complete.
        (true, true) if log.ends_with(".xlsx") => journal.as_str(),
        (false, false) => {
            assert_eq!(
                changed, 0,
                "seed {seed}: articles changed and no log ({status})"
            );
            return;
        }
        (true, true) => panic!("seed {seed}: both a journal and a log"),
    };
    let revert = ["revert", "--log", log, "articles", "--in-place", "--quiet"];
    let run = mtfix(dir.path(), &revert);
    assert!(
        run.status.code() == Some(0),
        "seed {seed}: revert from {log} ({changed} changed): {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let restored = snapshot(&originals_dir);
    let differ: Vec<&String> = restored
        .iter()
        .zip(&originals)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a.0)
        .collect();
    assert_eq!(
        restored.len(),
        originals.len(),
        "seed {seed}: files after revert"
    );
    assert!(differ.is_empty(), "seed {seed}: not restored: {differ:?}");
}

/// A run killed before its journal's first sync leaves it empty or cut inside the header
/// (the header reaches the disk with the first rows, before any article is renamed): the
/// journal lists no article, and the `revert` its message advises succeeds and changes
/// nothing.
#[test]
fn a_journal_cut_before_its_header_reverts_nothing_and_succeeds() {
    for journal in [
        "",
        "\u{feff}",
        "file,line,col",
        "\u{feff}file,line,column,byte_off",
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[
                ("g.csv", GLOSSARY),
                ("articles/a.txt", "Openai.\n"),
                ("changes.csv.partial", journal),
            ],
        );
        let run = mtfix(
            dir.path(),
            &["fix", "articles", "-g", "g.csv", "--in-place"],
        );
        assert_exit(&run, 2, "an earlier in-place run was interrupted");
        let revert = [
            "revert",
            "--log",
            "changes.csv.partial",
            "articles",
            "--in-place",
        ];
        let run = mtfix(dir.path(), &revert);
        assert_eq!(run.status.code(), Some(0), "{journal:?}: {}", stderr(&run));
        let article = std::fs::read_to_string(dir.path().join("articles/a.txt")).unwrap();
        assert_eq!(article, "Openai.\n", "{journal:?}");
    }
}

#[test]
fn a_killed_in_place_run_leaves_a_log_that_reverts_everything() {
    // A few seeds in CI; `MTFIX_CRASH_SEEDS=200 cargo test --test integration killed`
    // tries more.
    let seeds: u64 = std::env::var("MTFIX_CRASH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    for seed in 0..seeds {
        kill_and_check(seed, "-9", "changes.csv");
    }
}

#[test]
fn a_killed_in_place_run_with_an_xlsx_log_leaves_a_journal_that_reverts_everything() {
    for seed in 200..203 {
        kill_and_check(seed, "-9", "changes.xlsx");
    }
    kill_and_check(203, "-TERM", "changes.xlsx");
}

#[test]
fn sigterm_stops_an_in_place_run_cleanly() {
    for seed in 100..103 {
        kill_and_check(seed, "-TERM", "changes.csv");
    }
}

#[test]
fn a_device_is_refused_and_parent_ignore_files_hide_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("g.csv", GLOSSARY),
            (".gitignore", "*.txt\n"),
            ("in/a.txt", "Openai.\n"),
            ("empty/notes.doc", "Openai.\n"),
        ],
    );
    let run = mtfix(dir.path(), &["check", "in", "-g", "g.csv"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let run = mtfix(dir.path(), &["check", "/dev/zero", "-g", "g.csv"]);
    assert_exit(&run, 3, "/dev/zero: a device");
    let run = mtfix(dir.path(), &["check", "empty", "-g", "g.csv"]);
    assert_exit(&run, 0, "warning: no article was read");
}

#[test]
fn escape_sequences_from_articles_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let glossary = "pattern,replacement,id\nre:Openai\\x1b?\\[?3?1?m?,OpenAI,esc\n";
    write_files(
        dir.path(),
        &[("g.csv", glossary), ("a.txt", "Openai\u{1b}[31m rouge.\n")],
    );
    let run = mtfix(dir.path(), &["check", "a.txt", "-g", "g.csv"]);
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}"), "{stdout:?}");
}

#[test]
fn glossaries_that_would_exhaust_memory_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let many_groups = format!("pattern,replacement\nre:(a+),{}\n", "$1".repeat(17));
    let mut many_regexes = String::from("pattern,replacement\n");
    for i in 0..5_001 {
        many_regexes.push_str(&format!("re:mot{i}x(\\d+),R$1\n"));
    }
    write_files(
        dir.path(),
        &[
            ("groups.csv", &many_groups),
            ("regexes.csv", &many_regexes),
            ("a.txt", "aaaa\n"),
        ],
    );
    let run = mtfix(dir.path(), &["check", "a.txt", "-g", "groups.csv"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).starts_with("error: groups.csv:2:"),
        "{}",
        stderr(&run)
    );
    assert!(
        stderr(&run).contains("at most 16 are allowed"),
        "{}",
        stderr(&run)
    );
    let run = mtfix(dir.path(), &["check", "a.txt", "-g", "regexes.csv"]);
    assert_exit(&run, 2, "regexes.csv:5002:1: more than 5000 regex rules");
}

/// A text without a single line feed (a whole article on one line) is streamed past
/// 16 MB like any other, cut at sentence ends: memory stays bounded, and the text and the
/// log's positions (columns go on across the cuts) are those of the same text corrected
/// in memory.
#[test]
fn a_text_without_line_breaks_is_streamed_in_bounded_memory() {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/deepseek-distillation.fr.txt"),
    )
    .unwrap()
    .replace('\n', " ");
    let mut text = String::new();
    while text.len() as u64 <= mtfix::internals::WHOLE_FILE_LIMIT + 1_000_000 {
        text.push_str(&seed);
        text.push(' ');
    }
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("articles/line.txt", &text)]);
    let (status, peak_kb) = mtfix_peak_memory(dir.path(), &["fix", "articles", "--out", "out"]);
    assert!(status.success());
    // Read whole, this text took 116 MB; streamed, 45 MB (as a text with line breaks).
    assert!(peak_kb < 80_000, "peak resident memory {peak_kb} KB");

    assert_as_in_memory(dir.path(), "out/line.txt", &text);
}

/// Two names in Latin-1 (not UTF-8) and names with control characters each get a
/// logged name of their own, escaped, and `revert` gives back every original from it.
#[test]
fn file_names_that_are_not_plain_text_are_logged_apart_and_reverted() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let names: [&[u8]; 4] = [b"\xe9t\xe9.txt", b"\xe8re.txt", b"c\rr.txt", b"l\\x0dn.txt"];
    for (i, name) in names.iter().enumerate() {
        let path = dir
            .path()
            .join("articles")
            .join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, format!("Selon Openai, {i}.\n")).unwrap();
    }
    let before = snapshot(&dir.path().join("articles"));
    let fix = ["fix", "articles", "-g", "g.csv", "--in-place", "--quiet"];
    let run = mtfix(dir.path(), &fix);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    let logged: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        logged,
        [
            "a.txt",
            "b.txt",
            "c\\x0dr.txt",
            "l\\\\x0dn.txt",
            "\\xe8re.txt",
            "\\xe9t\\xe9.txt"
        ]
    );
    let revert = ["revert", "--log", "changes.csv", "articles", "--in-place"];
    let run = mtfix(dir.path(), &revert);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(snapshot(&dir.path().join("articles")), before);
}

/// A file too large to hold is given the encoding the same text held whole gets (read
/// from stdin, which is never streamed): decided on all of its bytes, not on its first
/// 4 MB, which here are plain ASCII before Windows-1252 text.
#[test]
fn a_streamed_file_gets_the_encoding_of_the_same_text_held_whole() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let mut text = b"Du texte sans accent.\n\n".repeat(5 << 20 >> 4);
    while text.len() as u64 <= mtfix::internals::WHOLE_FILE_LIMIT {
        text.extend_from_slice(b"Le mod\xe8le d'Openai, caf\xe9.\n\n");
    }
    std::fs::write(dir.path().join("articles/big.txt"), &text).unwrap();
    let fix = ["fix", "articles/big.txt", "-g", "g.csv", "--out", "o", "-q"];
    let run = mtfix(dir.path(), &fix);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let whole = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(["fix", "-", "-g", "g.csv", "--quiet"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path().join("articles/big.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let streamed = std::fs::read(dir.path().join("o/big.txt")).unwrap();
    assert!(
        streamed == whole.stdout,
        "streamed and whole results differ"
    );
    assert!(streamed.ends_with(b"Le mod\xe8le d'OpenAI, caf\xe9.\n\n"));
}

/// The summary counts as applied only rows whose article was written, and a link loop
/// is named as one.
#[test]
fn summaries_say_what_was_written_and_loops_are_named() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    // A backup in the way: `a.txt` cannot be rewritten.
    std::fs::write(dir.path().join("articles/a.txt.bak"), "keep").unwrap();
    let fix = ["fix", "articles", "-g", "g.csv", "--out", "o", "-q"];
    assert_eq!(mtfix(dir.path(), &fix).status.code(), Some(0));
    let apply = "apply --log changes.csv articles --in-place --backup .bak";
    let run = mtfix(dir.path(), &apply.split(' ').collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(3));
    let summary = stderr(&run);
    assert!(
        summary.contains(
            "1 row applied (0 edited by the reviewer), 0 rejected, 0 skipped; 1 file written"
        ),
        "{summary}"
    );
    // The row of the article left alone is not recorded as applied either.
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    assert!(log.lines().nth(1).unwrap().starts_with("a.txt,"), "{log}");
    assert!(!log.lines().nth(1).unwrap().ends_with(",yes"), "{log}");

    std::os::unix::fs::symlink(".", dir.path().join("articles/loop")).unwrap();
    let run = mtfix(
        dir.path(),
        &["check", "articles", "--follow", "-g", "g.csv"],
    );
    assert_eq!(run.status.code(), Some(3));
    assert!(
        stderr(&run).contains(
            "error: articles/loop: a symbolic link loop: it leads back to `articles`, a folder \
             above it; not walked again"
        ),
        "{}",
        stderr(&run)
    );
}

const LOG_HEADER: &str =
    "file,line,column,byte_offset,rule,matched,replacement,context,decision,file_hash\n";

/// An article `a.txt` of paragraphs of about 1 KB with one `Openai` each, `size` bytes at
/// least, and a log row for each, whose context is as long (a log about as large).
fn article_and_rows(size: usize) -> (String, Vec<String>) {
    let filler = "Le modèle progresse encore dans les tests publiés cette semaine. ".repeat(15);
    let paragraph = format!("Selon Openai, {filler}\n\n");
    let context = format!("Selon ⟦Openai⟧, {}", filler.trim_end());
    let count = size / paragraph.len() + 1;
    let article = paragraph.repeat(count);
    let hash = mtfix::internals::file_hash(article.as_bytes());
    let rows = (0..count)
        .map(|i| {
            let offset = i * paragraph.len() + "Selon ".len();
            let line = 2 * i + 1;
            format!("a.txt,{line},7,{offset},openai,Openai,OpenAI,\"{context}\",,{hash}\n")
        })
        .collect();
    (article, rows)
}

/// A log whose rows a reviewer sorted otherwise (here: backwards, and a small article's
/// rows between a large one's) is applied to a streamed article as the log in mtfix's
/// order is, and `revert` goes back from it.
#[test]
fn a_log_in_any_order_is_applied_to_a_streamed_article() {
    let dir = tempfile::tempdir().unwrap();
    let size = mtfix::internals::WHOLE_FILE_LIMIT as usize + (1 << 20);
    let (article, mut rows) = article_and_rows(size);
    let small = "Openai publie.\n";
    let small_hash = mtfix::internals::file_hash(small.as_bytes());
    let small_row = format!("b.txt,1,1,0,openai,Openai,OpenAI,⟦Openai⟧ publie.,,{small_hash}\n");
    rows.reverse();
    rows.insert(rows.len() / 2, small_row);
    let log = [LOG_HEADER.to_owned(), rows.concat()].concat();
    write_files(
        dir.path(),
        &[
            ("articles/a.txt", &article),
            ("articles/b.txt", small),
            ("changes.csv", &log),
        ],
    );
    let apply = [
        "apply",
        "--log",
        "changes.csv",
        "articles",
        "--out",
        "applied",
    ];
    let run = mtfix(dir.path(), &apply);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let applied = std::fs::read_to_string(dir.path().join("applied/a.txt")).unwrap();
    assert!(applied == article.replace("Openai", "OpenAI"));
    let applied = std::fs::read_to_string(dir.path().join("applied/b.txt")).unwrap();
    assert_eq!(applied, "OpenAI publie.\n");
    let revert = ["revert", "--log", "changes.csv", "applied", "--in-place"];
    let run = mtfix(dir.path(), &revert);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(snapshot(&dir.path().join("applied")) == snapshot(&dir.path().join("articles")));
}

/// `apply`, `undo` and `revert` stream a large article and a large log as `fix` streams an
/// article, and `fix` reads an old log it would replace a row at a time: with an article
/// of 100 MB and a log of 100 MB, no run holds either. Each result is also checked: the
/// applied article has every row in, `revert` gives back the original, and `apply`
/// recorded every row in the log's `applied` column.
#[test]
fn apply_undo_revert_and_an_old_log_stay_in_bounded_memory() {
    const SIZE: usize = 100 << 20;
    let dir = tempfile::tempdir().unwrap();
    let (article, rows) = article_and_rows(SIZE);
    let count = rows.len();
    write_files(dir.path(), &[("articles/a.txt", &article)]);
    let log = [LOG_HEADER.to_owned(), rows.concat()].concat();
    drop(rows);
    assert!(log.len() > SIZE, "{}", log.len());
    std::fs::write(dir.path().join("changes.csv"), &log).unwrap();
    drop(log);
    // Holding the article alone would take 100 MB; streamed, each run peaks near 13 MB
    // (release build).
    let bound_kb = 80_000;
    let in_bounded_memory = |args: &[&str]| {
        let (status, peak_kb) = mtfix_peak_memory(dir.path(), args);
        assert!(status.success(), "{args:?}");
        assert!(
            peak_kb < bound_kb,
            "{args:?}: peak resident memory {peak_kb} KB"
        );
    };
    let corrected = article.replace("Openai", "OpenAI");
    let runs = [
        ("apply", "articles", "applied", &corrected),
        // From what `apply` wrote: the original is made beside it first.
        ("undo", "applied", "undone", &corrected),
        ("revert", "applied", "reverted", &article),
    ];
    for (command, from, to, expected) in runs {
        in_bounded_memory(&[command, "--log", "changes.csv", from, "--out", to]);
        let written = std::fs::read(dir.path().join(to).join("a.txt")).unwrap();
        assert!(written == expected.as_bytes(), "{command}");
    }
    drop(corrected);
    // `apply` recorded every row in the log's `applied` column.
    let recorded = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    assert_eq!(recorded.matches(",yes\n").count(), count);
    drop(recorded);

    // `fix` about to replace the log reads it whole to make sure no reviewer's work is
    // lost: a row at a time. Its `applied` cells are no decision.
    write_files(dir.path(), &[("small/b.txt", "Openai publie.\n")]);
    in_bounded_memory(&["fix", "small", "--out", "fixed", "--log", "changes.csv"]);
    let log = std::fs::read_to_string(dir.path().join("changes.csv")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
}
