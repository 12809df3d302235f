//! The editor's loop without traps (issue 20): each test is a way a reviewer's work was
//! lost or a review went wrong, tried as a new user would.
#![allow(clippy::print_stderr)] // a test skipped for want of LibreOffice says so

use std::path::Path;

use crate::{mtfix, snapshot, stderr, write_files};

const GLOSSARY: &str = "pattern,replacement,id\nOpenai,OpenAI,openai\nchatppt,ChatGPT,chatgpt\n\
                        l'IA profonde,DeepSeek,deepseek\n";

const A: &str = "Le modèle d'Openai arrive. Puis chatppt répond.\n\nL'IA profonde et Openai.\n";
const B: &str = "Openai publie chatppt.\n";

/// `dir/g.csv`, `dir/articles/{a,b}.txt` and a copy of the articles in `dir/originals`.
fn setup(dir: &Path) {
    write_files(
        dir,
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", A),
            ("articles/b.txt", B),
            ("originals/a.txt", A),
            ("originals/b.txt", B),
        ],
    );
}

/// Runs `fix` on `articles` (in place, or `--out fixed`) into `changes.csv`.
fn fix(dir: &Path, in_place: bool) {
    let target: &[&str] = if in_place {
        &["--in-place"]
    } else {
        &["--out", "fixed"]
    };
    let mut args = vec![
        "fix",
        "articles",
        "-g",
        "g.csv",
        "--log",
        "changes.csv",
        "-q",
    ];
    args.extend_from_slice(target);
    let run = mtfix(dir, &args);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

/// Writes `reviewed.csv`: `changes.csv` with `decisions` (by data row, 0-based) in the
/// `decision` column and `edits` in the `replacement` one.
pub(crate) fn review(dir: &Path, decisions: &[(usize, &str)], edits: &[(usize, &str)]) {
    crate::review_paths::review(dir, |i, _| {
        let decided = decisions.iter().filter(|(row, _)| *row == i);
        let edited = edits.iter().filter(|(row, _)| *row == i);
        let decided = decided.map(|(_, cell)| ("decision", (*cell).to_owned()));
        let edited = edited.map(|(_, cell)| ("replacement", (*cell).to_owned()));
        decided.chain(edited).collect()
    });
}

/// [`setup`], with `c.txt` holding an artifact across a CRLF line break, then `fix` into
/// `fixed`.
fn setup_with_a_wrapped_artifact(dir: &Path) {
    setup(dir);
    let wrapped = "Les modèles de l'IA\r\nprofonde et d'Openai.\r\n";
    write_files(
        dir,
        &[("articles/c.txt", wrapped), ("originals/c.txt", wrapped)],
    );
    fix(dir, false);
}

/// `apply` of the reviewed log to the originals, into `applied`.
const APPLY_TO_ORIGINALS: [&str; 6] = [
    "apply",
    "--log",
    "reviewed.csv",
    "originals",
    "--out",
    "applied",
];

/// `revert`, without any flag, turns `articles` back into `originals`.
fn revert_gives_the_originals(dir: &Path) {
    let revert = ["revert", "--log", "reviewed.csv", "articles", "--in-place"];
    let run = mtfix(dir, &revert);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        snapshot(&dir.join("articles")),
        snapshot(&dir.join("originals"))
    );
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

// Rows of changes.csv: 0 a.txt Openai, 1 a.txt chatppt, 2 a.txt L'IA profonde,
// 3 a.txt Openai, 4 b.txt Openai, 5 b.txt chatppt.
const EXPECTED_A: &str =
    "Le modèle d'OpenAI arrive. Puis chatppt répond.\n\nDeep Seek et OpenAI.\n";
const EXPECTED_B: &str = "OpenAI publie chatppt.\n";

#[test]
fn publish_first_then_undo_exactly_the_rejected_rows_and_revert_without_flags() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, true);
    review(dir, &[(1, "rejeté"), (5, "✗")], &[(2, "Deep Seek")]);
    let undo = ["undo", "--log", "reviewed.csv", "articles", "--in-place"];
    let run = mtfix(dir, &undo);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(read(dir, "articles/a.txt"), EXPECTED_A);
    assert_eq!(read(dir, "articles/b.txt"), EXPECTED_B);
    assert!(
        stderr(&run).contains("4 rows kept or applied (1 edited by the reviewer), 2 rejected"),
        "{}",
        stderr(&run)
    );
    // What `apply` makes of the originals is what `undo` made of the published articles.
    assert_eq!(mtfix(dir, &APPLY_TO_ORIGINALS).status.code(), Some(0));
    assert_eq!(
        snapshot(&dir.join("applied")),
        snapshot(&dir.join("articles"))
    );
    // Undo again changes nothing: the log records what is in the articles.
    let run = mtfix(dir, &undo);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(read(dir, "articles/a.txt"), EXPECTED_A);
    // `revert` with no flag gives back the originals.
    revert_gives_the_originals(dir);
}

#[test]
fn reject_empty_is_recorded_so_revert_needs_no_flag() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, true);
    review(dir, &[(0, "oui"), (4, "x")], &[]);
    let undo = [
        "undo",
        "--log",
        "reviewed.csv",
        "articles",
        "--in-place",
        "--reject-empty",
    ];
    let run = mtfix(dir, &undo);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        read(dir, "articles/a.txt"),
        A.replacen("Openai", "OpenAI", 1)
    );
    assert_eq!(read(dir, "articles/b.txt"), "OpenAI publie chatppt.\n");
    let log = read(dir, "reviewed.csv");
    assert!(log.lines().next().unwrap().ends_with(",applied"), "{log}");
    revert_gives_the_originals(dir);
}

#[test]
fn french_decisions_are_read_and_every_bad_cell_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, false);
    let marks = [
        (0, "Accepté"),
        (1, "refusé"),
        (2, "validé"),
        (3, "1"),
        (4, "0"),
    ];
    review(dir, &marks, &[]);
    let apply = [
        "apply",
        "--log",
        "reviewed.csv",
        "articles",
        "--out",
        "applied",
    ];
    let run = mtfix(dir, &apply);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let expected_a = "Le modèle d'OpenAI arrive. Puis chatppt répond.\n\nDeepSeek et OpenAI.\n";
    assert_eq!(read(dir, "applied/a.txt"), expected_a);
    assert_eq!(read(dir, "applied/b.txt"), "Openai publie ChatGPT.\n");

    // A multi-line edit puts the CSV lines one ahead of the spreadsheet rows after it.
    review(dir, &[(1, "peut-être"), (4, "??")], &[(0, "Open\nAI")]);
    let run = mtfix(dir, &apply);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let message = stderr(&run);
    assert!(
        message.contains(
            "reviewed.csv:4:9: `decision` (column I, spreadsheet row 3): `peut-être` is not a \
             decision"
        ),
        "{message}"
    );
    assert!(
        message.contains("reviewed.csv:7:9: `decision` (column I, spreadsheet row 6): `??`"),
        "{message}"
    );
    let help = mtfix(dir, &["apply", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for word in ["accepté", "rejeté", "refusé", "validé", "✓", "✗", "x (a"] {
        assert!(help.contains(word), "{word}: {help}");
    }
}

#[test]
fn a_subset_of_the_files_and_the_corrected_copy_get_one_message_each() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    write_files(dir, &[("articles/sub/c.txt", "chatppt aussi.\n")]);
    write_files(dir, &[("originals/sub/c.txt", "chatppt aussi.\n")]);
    fix(dir, false);
    review(dir, &[], &[]);
    // One file of the log, given on its own or as its subfolder.
    for (input, file) in [("originals/b.txt", "b.txt"), ("originals/sub", "c.txt")] {
        let apply = ["apply", "--log", "reviewed.csv", input, "--out", "one"];
        let run = mtfix(dir, &apply);
        assert_eq!(run.status.code(), Some(0), "{input}: {}", stderr(&run));
        let message = stderr(&run);
        assert_eq!(
            message.matches("not among the inputs").count(),
            1,
            "{message}"
        );
        assert!(!message.contains("error"), "{message}");
        assert_eq!(
            read(dir, &format!("one/{file}")),
            read(
                dir,
                &format!("fixed/{}", if file == "c.txt" { "sub/c.txt" } else { file })
            )
        );
    }
    // The corrected copy instead of the originals: one message, with the way out.
    let before = snapshot(&dir.join("fixed"));
    let apply = ["apply", "--log", "reviewed.csv", "fixed", "--in-place"];
    let run = mtfix(dir, &apply);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let message = stderr(&run);
    assert_eq!(
        message.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{message}"
    );
    assert!(message.contains("corrected copies"), "{message}");
    assert!(
        message.contains("mtfix undo --log reviewed.csv"),
        "{message}"
    );
    assert_eq!(snapshot(&dir.join("fixed")), before);
    // The wrong folder altogether: one error with the hint.
    let apply = [
        "apply",
        "--log",
        "reviewed.csv",
        ".",
        "--out",
        "../elsewhere",
    ];
    let run = mtfix(&dir.join("originals/sub"), &apply);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
}

#[test]
fn errors_are_grouped_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, false);
    review(dir, &[], &[]);
    // a.txt rewritten by a journalist beyond recognition: its rows are one error.
    write_files(dir, &[("originals/a.txt", "Tout a changé.\n")]);
    let run = mtfix(dir, &APPLY_TO_ORIGINALS);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let message = stderr(&run);
    let errors: Vec<&str> = message.lines().filter(|l| l.contains("a.txt")).collect();
    assert_eq!(errors.len(), 5, "{message}");
    assert_eq!(errors[0], "error: a.txt: 4 rows skipped:", "{message}");
}

#[test]
fn rows_of_an_article_changed_since_fix_are_found_again_by_their_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, false);
    review(dir, &[(1, "reject")], &[]);
    // A journalist added a paragraph before, and repeated a sentence of b.txt.
    let changed_a = format!("Un chapeau ajouté.\n\n{A}");
    write_files(
        dir,
        &[
            ("originals/a.txt", &changed_a),
            (
                "originals/b.txt",
                "Openai publie chatppt.\nOpenai publie chatppt.\n",
            ),
        ],
    );
    let run = mtfix(dir, &APPLY_TO_ORIGINALS);
    let message = stderr(&run);
    assert_eq!(run.status.code(), Some(3), "{message}");
    assert_eq!(
        read(dir, "applied/a.txt"),
        "Un chapeau ajouté.\n\nLe modèle d'OpenAI arrive. Puis chatppt répond.\n\nDeepSeek et OpenAI.\n"
    );
    // The repeated sentence is ambiguous: nothing guessed.
    assert_eq!(
        read(dir, "applied/b.txt"),
        "Openai publie chatppt.\nOpenai publie chatppt.\n"
    );
    assert!(
        message.contains("in 2 places with the sentence the log shows"),
        "{message}"
    );
    assert!(
        message.contains("3 re-anchored in articles changed since `fix`"),
        "{message}"
    );
}

#[test]
fn glossaries_as_spreadsheets_save_them_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write_files(
        dir,
        &[("articles/a.txt", "Selon Openai, la baisse de l'automne.\n")],
    );
    // `;`-separated, Windows-1252 (`é` is byte E9), in a folder as `*.CSV`.
    let mut bytes =
        b"pattern;replacement;id;if\nOpenai;OpenAI;openai;\nl'automne;la chute;chute;baisse de $\n"
            .to_vec();
    bytes.extend_from_slice(b"r\xE9clamation;claim;claim;\n");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/FINANCE.CSV"), &bytes).unwrap();
    let check = ["check", "articles", "-g", "mine"];
    let run = mtfix(dir, &check);
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stdout.contains("Openai -> OpenAI [openai]"), "{stdout}");
    assert!(stdout.contains("l'automne -> la chute [chute]"), "{stdout}");

    // A typographic apostrophe in a condition folds like the text.
    write_files(
        dir,
        &[
            (
                "typo.csv",
                "pattern,replacement,id,if\nOpenai,OpenAI,openai,l’IA\n",
            ),
            ("articles/b.txt", "L'IA d'Openai.\n"),
        ],
    );
    let run = mtfix(dir, &["check", "articles/b.txt", "-g", "typo.csv"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));

    // No rule at all is an error, not a silent success.
    write_files(
        dir,
        &[
            ("empty/notes.txt", "x"),
            ("none.csv", "pattern,replacement\n"),
        ],
    );
    for glossary in ["empty", "none.csv"] {
        let run = mtfix(dir, &["check", "articles", "-g", glossary]);
        assert_eq!(run.status.code(), Some(2), "{glossary}: {}", stderr(&run));
    }

    // `+` adds the shipped glossaries to the user's.
    write_files(
        dir,
        &[("extra.csv", "pattern,replacement,id\nbaisse,chute,mine\n")],
    );
    let run = mtfix(
        dir,
        &["check", "articles/a.txt", "-g", "+", "-g", "extra.csv"],
    );
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(stdout.contains("[openai-case]"), "{stdout}{}", stderr(&run));
    assert!(stdout.contains("[mine]"), "{stdout}");

    // The shipped glossaries, listed and exported.
    let run = mtfix(dir, &["glossary", "list"]);
    let listed = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(listed.contains("glossaries/brands.csv"), "{listed}");
    let run = mtfix(dir, &["glossary", "export", "shipped"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let run = mtfix(dir, &["check", "articles/a.txt", "-g", "shipped"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let run = mtfix(dir, &["glossary", "export", "shipped"]);
    assert_eq!(
        run.status.code(),
        Some(3),
        "never replaces: {}",
        stderr(&run)
    );
}

#[test]
fn files_from_a_list_and_batches_appended_to_one_log() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    // NUL-separated on stdin (`find -print0`), as xargs would split it in two batches.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args([
            "fix",
            "--files-from",
            "-",
            "-g",
            "g.csv",
            "--out",
            "fixed",
            "-q",
        ])
        .args(["--log", "batches.csv", "--append-log"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"articles/a.txt\0")
        .unwrap();
    assert!(child.wait().unwrap().success());
    // The second batch from a file, one path per line (CRLF too).
    write_files(dir, &[("list.txt", "articles/b.txt\r\n\r\n")]);
    let args = [
        "fix",
        "--files-from",
        "list.txt",
        "-g",
        "g.csv",
        "--out",
        "fixed",
    ];
    let run = mtfix(
        dir,
        &[&args[..], &["--log", "batches.csv", "--append-log"]].concat(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // The end summary says where everything went and what waits for review.
    assert!(
        stderr(&run).contains(
            "corrected articles under fixed; log: batches.csv, 2 rows waiting for review"
        ),
        "{}",
        stderr(&run)
    );
    let log = read(dir, "batches.csv");
    assert_eq!(log.lines().count(), 1 + 6, "{log}");
    // One header, after the one byte-order mark the log starts with.
    assert!(log.starts_with("\u{feff}file,"), "{log}");
    assert_eq!(
        log.lines()
            .filter(|l| l.trim_start_matches('\u{feff}').starts_with("file,"))
            .count(),
        1,
        "{log}"
    );
    let apply = [
        "apply",
        "--log",
        "batches.csv",
        "originals",
        "--out",
        "applied",
    ];
    let run = mtfix(dir, &apply);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(snapshot(&dir.join("applied")), snapshot(&dir.join("fixed")));
    // Without --append-log the same command would refuse a reviewed log; with it, a file
    // that is not an mtfix log is refused.
    write_files(dir, &[("other.csv", "a,b\n1,2\n")]);
    let args = ["fix", "articles", "-g", "g.csv", "--out", "fixed2"];
    let run = mtfix(
        dir,
        &[&args[..], &["--log", "other.csv", "--append-log"]].concat(),
    );
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(read(dir, "other.csv"), "a,b\n1,2\n");
}

#[test]
fn check_json_completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let run = mtfix(dir, &["check", "articles", "-g", "g.csv", "--json"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let changes: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(changes.len(), 6, "{stdout}");
    let first = &changes[0];
    assert_eq!(first["type"], "change");
    assert_eq!(first["path"], "articles/a.txt");
    assert_eq!(first["line"], 1);
    assert_eq!(first["column"], 13);
    assert_eq!(first["matched"], "Openai");
    assert_eq!(first["replacement"], "OpenAI");
    assert_eq!(first["rule"], "openai");
    assert_eq!(first["context"], "Le modèle d'⟦Openai⟧ arrive.");

    for shell in ["bash", "zsh", "fish"] {
        let run = mtfix(dir, &["completions", shell]);
        assert_eq!(run.status.code(), Some(0), "{shell}");
        assert!(
            String::from_utf8_lossy(&run.stdout).contains("undo"),
            "{shell}"
        );
    }
    let run = mtfix(dir, &["man"]);
    let page = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        page.starts_with(".ie") && page.contains(".TH mtfix 1"),
        "{page}"
    );
    assert!(
        page.contains("MTFIX UNDO") && page.contains("reject\\-empty"),
        "{page}"
    );
}

#[test]
fn a_log_survives_a_spreadsheet_s_line_breaks_and_number_reading() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup_with_a_wrapped_artifact(dir);
    let log = read(dir, "changes.csv");
    // No hash a spreadsheet could read as a number: each starts with letters.
    let mut reader = csv::Reader::from_reader(log.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        for hash in [&record[11], &record[12]] {
            assert!(hash.starts_with("xxh3:"), "{hash}");
        }
    }
    // Through a spreadsheet, the CRLF inside the matched cell comes back as LF.
    assert!(log.contains("l'IA\r\nprofonde"), "{log}");
    std::fs::write(dir.join("reviewed.csv"), log.replace("\r\n", "\n")).unwrap();
    let run = mtfix(dir, &APPLY_TO_ORIGINALS);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        !stderr(&run).contains("replacement edited"),
        "{}",
        stderr(&run)
    );
    assert_eq!(snapshot(&dir.join("applied")), snapshot(&dir.join("fixed")));
}

/// Converts `from` in `dir` with LibreOffice headless (`soffice --convert-to`), with a
/// profile of its own (parallel tests, or a user's open LibreOffice, would share one);
/// `None` when LibreOffice is not installed, which fails the test under CI (`CI` set).
pub(crate) fn soffice(dir: &Path, from: &str, filter: &str, infilter: &str) -> Option<()> {
    let profile = dir.join("lo-profile");
    let run = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", &format!("--infilter={infilter}")])
        .args(["--convert-to", filter])
        .args(["--outdir", "converted", from])
        .current_dir(dir)
        .output();
    match run {
        Ok(run) if run.status.success() => Some(()),
        Ok(run) => panic!("soffice failed: {}", stderr(&run)),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED a LibreOffice round trip: soffice: {e}");
            None
        }
        Err(e) => panic!("CI is set but soffice cannot run (see .ci/run): {e}"),
    }
}

#[test]
fn a_log_survives_a_libreoffice_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup_with_a_wrapped_artifact(dir);
    review(dir, &[(1, "rejeté"), (3, "✗")], &[(2, "Deep Seek")]);
    let expected = mtfix(dir, &APPLY_TO_ORIGINALS);
    assert_eq!(expected.status.code(), Some(0), "{}", stderr(&expected));
    std::fs::rename(dir.join("applied"), dir.join("expected")).unwrap();
    // CSV (UTF-8, `,`) → xlsx, then xlsx → CSV as a French-locale LibreOffice saves it
    // (`;` between fields, UTF-8), then applied as the reviewer would.
    let utf8_comma = "CSV:44,34,76,1";
    if soffice(dir, "reviewed.csv", "xlsx", utf8_comma).is_none() {
        return;
    }
    std::fs::rename(
        dir.join("converted/reviewed.xlsx"),
        dir.join("reviewed.xlsx"),
    )
    .unwrap();
    // The spreadsheet as saved, .xlsx and .ods, is read by apply itself.
    soffice(dir, "reviewed.csv", "ods", utf8_comma).unwrap();
    std::fs::rename(dir.join("converted/reviewed.ods"), dir.join("reviewed.ods")).unwrap();
    for log in ["reviewed.xlsx", "reviewed.ods"] {
        let apply = ["apply", "--log", log, "originals", "--out", "from-sheet"];
        let run = mtfix(dir, &apply);
        assert_eq!(run.status.code(), Some(0), "{log}: {}", stderr(&run));
        assert_eq!(
            snapshot(&dir.join("from-sheet")),
            snapshot(&dir.join("expected")),
            "{log}"
        );
        std::fs::remove_dir_all(dir.join("from-sheet")).unwrap();
    }
    std::fs::remove_file(dir.join("reviewed.csv")).unwrap();
    let to_csv = "csv:Text - txt - csv (StarCalc):59,34,76,1";
    soffice(dir, "reviewed.xlsx", to_csv, "Calc MS Excel 2007 XML").unwrap();
    std::fs::rename(dir.join("converted/reviewed.csv"), dir.join("reviewed.csv")).unwrap();
    assert!(read(dir, "reviewed.csv").starts_with("\"file\";"));
    let run = mtfix(dir, &APPLY_TO_ORIGINALS);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        snapshot(&dir.join("applied")),
        snapshot(&dir.join("expected"))
    );
    assert!(
        stderr(&run).contains("6 rows applied (1 edited by the reviewer), 2 rejected"),
        "{}",
        stderr(&run)
    );
}

/// The lines a terminal shows after `bytes`, as `script` recorded them: enough of a
/// VT100 for a progress bar (carriage return, line feed, erase in line, cursor up, erase
/// below; other sequences, such as colours, change no character).
fn screen(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0, 0);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                if row == lines.len() {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                let mut parameters = String::new();
                let end = chars.by_ref().find(|&c| {
                    let end = c.is_ascii_alphabetic();
                    if !end && c != '[' {
                        parameters.push(c);
                    }
                    end
                });
                let n: usize = parameters.trim_start_matches('?').parse().unwrap_or(0);
                match end {
                    Some('K') if n == 2 => lines[row].clear(),
                    Some('K') => lines[row].truncate(col),
                    Some('A') => row = row.saturating_sub(n.max(1)),
                    Some('J') => {
                        lines.truncate(row + 1);
                        lines[row].truncate(col);
                    }
                    _ => {}
                }
            }
            c => {
                let line: &mut Vec<char> = &mut lines[row];
                if line.len() < col {
                    line.resize(col, ' ');
                }
                match col < line.len() {
                    true => line[col] = c,
                    false => line.push(c),
                }
                col += 1;
            }
        }
    }
    lines.into_iter().map(|l| l.into_iter().collect()).collect()
}

#[test]
fn on_a_terminal_no_line_of_check_or_diff_shares_the_progress_bar_s_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut files = vec![("g.csv".to_owned(), GLOSSARY.to_owned())];
    for i in 0..3000 {
        let text = format!("Article {i} : Openai et Openai.\n");
        files.push((format!("articles/{i:04}.txt"), text));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (&**p, &**t)).collect();
    write_files(dir, &files);
    // `script` runs mtfix on a terminal (stdout and stderr both), so the bar is drawn.
    let runs = [
        ("check articles -g g.csv --jobs 1", " -> ", 6000),
        (
            "fix articles -g g.csv --jobs 1 --out o --diff --color never",
            "+Article ",
            3000,
        ),
    ];
    for (args, marker, expected) in runs {
        let command = format!("{} {args}", env!("CARGO_BIN_EXE_mtfix"));
        let run = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir)
            .output()
            .expect("script (util-linux) runs");
        let shown = screen(&run.stdout);
        assert!(
            String::from_utf8_lossy(&run.stdout).contains(" files ("),
            "the bar was never drawn: {args}"
        );
        let lines: Vec<&String> = shown.iter().filter(|l| l.contains(marker)).collect();
        assert_eq!(lines.len(), expected, "{args}");
        for line in lines {
            assert!(
                (line.starts_with("articles/") || line.starts_with("+Article "))
                    && !line.contains(" files ("),
                "{args}: a line glued to the bar: {line}"
            );
        }
    }
}

/// The column `name` of every row of the log at `path`.
fn log_column(dir: &Path, path: &str, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(dir.join(path)).unwrap();
    let column = reader.headers().unwrap().iter().position(|h| h == name);
    let column = column.unwrap_or_else(|| panic!("{path} has no `{name}`"));
    (reader.records())
        .map(|record| record.unwrap()[column].to_owned())
        .collect()
}

/// The next night (issue 22): `fix --decisions` reuses yesterday's review on articles
/// that changed elsewhere, and its log drives `apply`, `undo` and `revert` unchanged.
#[test]
fn decisions_reused_by_fix_go_through_apply_undo_and_revert() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    fix(dir, false);
    // a.txt: accept its first Openai, reject its chatppt, edit its DeepSeek, leave its
    // last Openai undecided; b.txt: accept its Openai.
    review(
        dir,
        &[(0, "oui"), (1, "non"), (4, "x")],
        &[(2, "Deep Seek")],
    );
    // The next night a.txt has a new first paragraph: every offset moved.
    let changed_a = format!("Mise à jour du matin.\n\n{A}");
    write_files(dir, &[("originals/a.txt", &changed_a)]);
    let night = [
        "fix",
        "originals",
        "-g",
        "g.csv",
        "--decisions",
        "reviewed.csv",
        "--out",
        "fixed",
        "--log",
        "night.csv",
    ];
    std::fs::remove_dir_all(dir.join("fixed")).unwrap();
    let run = mtfix(dir, &night);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "decisions reused: 1 rejected (left out), 1 edited (written as edited), 2 accepted"
        ),
        "{}",
        stderr(&run)
    );
    // b.txt's chatppt is in another sentence than the one rejected: not decided.
    assert_eq!(
        read(dir, "fixed/a.txt"),
        "Mise à jour du matin.\n\nLe modèle d'OpenAI arrive. Puis chatppt répond.\n\n\
         Deep Seek et OpenAI.\n"
    );
    assert_eq!(read(dir, "fixed/b.txt"), "OpenAI publie ChatGPT.\n");
    assert_eq!(
        log_column(dir, "night.csv", "decision"),
        ["accept", "reject", "accept", "", "accept", ""]
    );
    assert_eq!(
        log_column(dir, "night.csv", "decided_in"),
        [
            "reviewed.csv:2",
            "reviewed.csv:3",
            "reviewed.csv:4",
            "",
            "reviewed.csv:6",
            ""
        ]
    );
    assert!(stderr(&run).contains("2 rows waiting for review"));

    // `apply` of the new log to the originals writes what `fix` wrote.
    let apply = [
        "apply",
        "--log",
        "night.csv",
        "originals",
        "--out",
        "applied",
    ];
    let run = mtfix(dir, &apply);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stderr(&run).contains("5 rows applied (1 edited by the reviewer), 1 rejected"));
    assert_eq!(snapshot(&dir.join("applied")), snapshot(&dir.join("fixed")));
    // Published first, `undo` finds the original and writes the same; `revert` gives
    // back the originals.
    let (originals, fixed) = (
        snapshot(&dir.join("originals")),
        snapshot(&dir.join("fixed")),
    );
    for (name, text) in &fixed {
        write_files(
            dir,
            &[(
                &format!("published/{name}"),
                std::str::from_utf8(text).unwrap(),
            )],
        );
    }
    let undo = [
        "undo",
        "--log",
        "night.csv",
        "published",
        "--in-place",
        "-q",
    ];
    let run = mtfix(dir, &undo);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(snapshot(&dir.join("published")), fixed);
    let revert = ["revert", "--log", "night.csv", "fixed", "--in-place", "-q"];
    let run = mtfix(dir, &revert);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(snapshot(&dir.join("fixed")), originals);
}

/// A review saved as a spreadsheet is reused as its CSV is, a decision on a match across
/// a CRLF line break (which a spreadsheet keeps as LF) included.
#[test]
fn decisions_are_read_from_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup_with_a_wrapped_artifact(dir);
    // Rows 6 and 7 are c.txt's wrapped "l'IA\r\nprofonde" and its Openai.
    review(dir, &[(6, "rejeté"), (1, "✗")], &[(7, "Open AI")]);
    let night = |log: &str, out: &str| {
        let args = [
            "fix",
            "originals",
            "-g",
            "g.csv",
            "--decisions",
            log,
            "--out",
            out,
            "--log",
            &format!("{out}.csv"),
            "-q",
        ];
        let run = mtfix(dir, &args);
        assert_eq!(run.status.code(), Some(0), "{log}: {}", stderr(&run));
    };
    night("reviewed.csv", "from-csv");
    assert_eq!(
        read(dir, "from-csv/c.txt"),
        "Les modèles de l'IA\r\nprofonde et d'Open AI.\r\n"
    );
    if soffice(dir, "reviewed.csv", "xlsx", "CSV:44,34,76,1").is_none() {
        return;
    }
    std::fs::rename(
        dir.join("converted/reviewed.xlsx"),
        dir.join("reviewed.xlsx"),
    )
    .unwrap();
    night("reviewed.xlsx", "from-sheet");
    assert_eq!(
        snapshot(&dir.join("from-sheet")),
        snapshot(&dir.join("from-csv"))
    );
    assert_eq!(
        log_column(dir, "from-sheet.csv", "decision"),
        log_column(dir, "from-csv.csv", "decision"),
    );
}

/// Article text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) stays
/// text through LibreOffice: its cells come back as mtfix wrote them, and `apply` from
/// the spreadsheet, and from the CSV it saves, makes what `fix` made.
#[test]
fn formula_like_cells_stay_text_through_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let glossary = "pattern,replacement,id\nre:[-=+@]Openai,OpenAI,dash\n";
    let article = "=HYPERLINK(\"http://x\") -Openai\n+Openai @SUM(1) 'Openai\n";
    write_files(dir, &[("g.csv", glossary), ("articles/a.txt", article)]);
    let args = ["fix", "articles", "-g", "g.csv", "--out", "o", "--quiet"];
    assert_eq!(mtfix(dir, &args).status.code(), Some(0));
    if soffice(dir, "changes.csv", "xlsx", "CSV:44,34,76,1").is_none() {
        return;
    }
    std::fs::rename(dir.join("converted/changes.xlsx"), dir.join("sheet.xlsx")).unwrap();
    let to_csv = "csv:Text - txt - csv (StarCalc):59,34,76,1";
    soffice(dir, "sheet.xlsx", to_csv, "Calc MS Excel 2007 XML").unwrap();
    std::fs::rename(dir.join("converted/sheet.csv"), dir.join("sheet.csv")).unwrap();
    let cells = |path: &str, delimiter: u8| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_path(dir.join(path))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let written = cells("changes.csv", b',');
    assert!(written.len() == 2, "{written:?}");
    assert_eq!(cells("sheet.csv", b';'), written, "a cell became a formula");
    for log in ["sheet.xlsx", "sheet.csv"] {
        let out = format!("from-{log}");
        let apply = ["apply", "--log", log, "articles", "--out", &out];
        let run = mtfix(dir, &apply);
        assert_eq!(run.status.code(), Some(0), "{log}: {}", stderr(&run));
        assert_eq!(
            read(dir, &format!("{out}/a.txt")),
            read(dir, "o/a.txt"),
            "{log}"
        );
    }
}
