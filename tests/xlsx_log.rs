//! The log as an Excel workbook (`--log changes.xlsx`): it gives what the CSV log gives
//! to every command that reads a log, keeps the log's safety (journal first, nothing
//! lost when the workbook cannot be made), and survives LibreOffice.

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader};

use crate::review_loop::{review, soffice};
use crate::{assert_exit, mtfix, snapshot, stderr, write_files};

/// Rules whose cells a spreadsheet would change: a replacement that reads as a formula,
/// one that reads as a negative number, a match of digits only.
const GLOSSARY: &str = "pattern,replacement,id\nOpenai,OpenAI,openai\n\
                        chatppt,=ChatGPT(),formula\nl'IA profonde,DeepSeek,deepseek\n\
                        0123,-0123,digits\n";

const A: &str = "Le modèle d'Openai arrive. Puis chatppt répond, code 0123.\n\n\
                 L'IA profonde et Openai.\n";
const B: &str = "Openai publie chatppt.\n";
/// An artifact across a CRLF line break.
const C: &str = "Les modèles de l'IA\r\nprofonde et d'Openai.\r\n";

/// The arguments of `mtfix fix` on `input` with `glossary`, then `args`.
fn fix_args<'a>(input: &'a str, glossary: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    [&["fix", input, "-g", glossary][..], args].concat()
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let run = mtfix(dir, args);
    assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
    run
}

/// `dir/g.csv`, the articles in `dir/articles` and a copy in `dir/originals`.
fn setup(dir: &Path) {
    let mut files = vec![("g.csv", GLOSSARY)];
    for folder in ["articles", "originals"] {
        for (name, text) in [("a.txt", A), ("b.txt", B), ("c.txt", C)] {
            files.push((Box::leak(format!("{folder}/{name}").into_boxed_str()), text));
        }
    }
    write_files(dir, &files);
}

/// The first sheet of a workbook, cell by cell.
fn cells(path: &Path) -> Vec<Vec<Data>> {
    let mut workbook = calamine::open_workbook_auto(path).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    sheet.rows().map(<[Data]>::to_vec).collect()
}

/// Writes `to`: the workbook `from` with `decisions` (data row, 0-based) in the
/// `decision` column and `edits` in the `replacement` one, as a reviewer's spreadsheet
/// saves it (each cell of the same type).
fn review_workbook(from: &Path, to: &Path, decisions: &[(usize, &str)], edits: &[(usize, &str)]) {
    let rows = cells(from);
    let column = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let data_row = r.checked_sub(1);
            let changed = decisions
                .iter()
                .filter(|_| c == column("decision"))
                .chain(edits.iter().filter(|_| c == column("replacement")))
                .find(|(row, _)| Some(*row) == data_row);
            let (r, c) = (r as u32, c as u16);
            match (changed, cell) {
                (Some((_, text)), _) => sheet.write_string(r, c, *text),
                (None, Data::Float(n)) => sheet.write_number(r, c, *n),
                (None, Data::Empty) => continue,
                (None, cell) => sheet.write_string(r, c, cell.to_string()),
            }
            .unwrap();
        }
    }
    workbook.save(to).unwrap();
}

// Rows: 0 a Openai, 1 a chatppt, 2 a 0123, 3 a L'IA profonde, 4 a Openai, 5 b Openai,
// 6 b chatppt, 7 c l'IA\r\nprofonde, 8 c Openai.
const DECISIONS: [(usize, &str); 3] = [(1, "rejeté"), (2, "non"), (7, "x")];
const EDITS: [(usize, &str); 1] = [(3, "Deep Seek")];

#[test]
fn an_xlsx_log_gives_every_command_what_the_csv_log_gives() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    ok(
        dir,
        &fix_args("articles", "g.csv", &["--out", "fixed", "-q"]),
    );
    let xlsx = fix_args(
        "articles",
        "g.csv",
        &["--out", "fixed-x", "--log", "changes.xlsx"],
    );
    let run = ok(dir, &xlsx);
    assert!(
        stderr(&run).contains("log: changes.xlsx"),
        "{}",
        stderr(&run)
    );
    assert_eq!(snapshot(&dir.join("fixed")), snapshot(&dir.join("fixed-x")));
    assert!(
        std::fs::read(dir.join("changes.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );

    // Numbers are numbers; text is text, hashes and digits included; a cell a
    // spreadsheet would evaluate keeps the `'` the CSV gives it.
    let rows = cells(&dir.join("changes.xlsx"));
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0][0], Data::String("file".into()));
    assert_eq!(rows[1][1], Data::Float(1.0));
    assert_eq!(rows[3][5], Data::String("0123".into()));
    assert_eq!(rows[3][6], Data::String("'-0123".into()));
    assert_eq!(rows[2][6], Data::String("'=ChatGPT()".into()));
    assert_eq!(rows[8][5], Data::String("l'IA\r\nprofonde".into()));
    for row in &rows[1..] {
        assert!(matches!(&row[11], Data::String(h) if h.starts_with("xxh3:")));
        assert!(matches!(&row[12], Data::String(h) if h.starts_with("xxh3:")));
        assert_eq!(row[8], Data::Empty);
    }

    // Reviewed the same way, the workbook and the CSV give the same articles.
    review(dir, &DECISIONS, &EDITS);
    let xlsx_log = dir.join("changes.xlsx");
    review_workbook(&xlsx_log, &dir.join("reviewed.xlsx"), &DECISIONS, &EDITS);
    let from_csv = ok(
        dir,
        &["apply", "--log", "reviewed.csv", "originals", "--out", "ac"],
    );
    let from_xlsx = ok(
        dir,
        &[
            "apply",
            "--log",
            "reviewed.xlsx",
            "originals",
            "--out",
            "ax",
        ],
    );
    assert_eq!(snapshot(&dir.join("ac")), snapshot(&dir.join("ax")));
    let same = |csv: &Output| stderr(csv).replace("reviewed.csv", "reviewed.xlsx");
    assert_eq!(same(&from_csv), stderr(&from_xlsx));
    assert!(
        stderr(&from_xlsx).contains("7 rows applied (1 edited by the reviewer), 2 rejected"),
        "{}",
        stderr(&from_xlsx)
    );
    let applied_a = std::fs::read_to_string(dir.join("ax/a.txt")).unwrap();
    assert_eq!(
        applied_a,
        "Le modèle d'OpenAI arrive. Puis chatppt répond, code 0123.\n\nDeep Seek et OpenAI.\n"
    );
    // undo from what fix wrote, and revert, from the workbook.
    for (command, input) in [("undo", "fixed"), ("revert", "ax")] {
        let args = [command, "--log", "reviewed.xlsx", input, "--out", command];
        let x = ok(dir, &args);
        let csv_args = [command, "--log", "reviewed.csv", input, "--out", "csv-run"];
        let c = ok(dir, &csv_args);
        assert_eq!(snapshot(&dir.join(command)), snapshot(&dir.join("csv-run")));
        assert_eq!(same(&c), stderr(&x));
        std::fs::remove_dir_all(dir.join("csv-run")).unwrap();
    }
    assert_eq!(
        snapshot(&dir.join("revert")),
        snapshot(&dir.join("originals"))
    );
    let stats = |log| ok(dir, &["glossary", "stats", "--log", log]).stdout;
    assert_eq!(stats("reviewed.xlsx"), stats("reviewed.csv"));
    let page = ok(
        dir,
        &[
            "review",
            "--log",
            "changes.xlsx",
            "originals",
            "--out",
            "r.html",
        ],
    );
    assert!(
        stderr(&page).contains("r.html: 9 rows to review"),
        "{}",
        stderr(&page)
    );
}

/// An article in Windows-1252, which cannot hold every replacement a reviewer may type.
const D: &[u8] = b"Selon Openai, l'IA profonde r\xe9pond.\n";

// Rows: 0 a Openai, 1 a chatppt, 2 a 0123, 3 a L'IA profonde, 4 a Openai, 5 d Openai,
// 6 d l'IA profonde. Empty decisions are rejected (--reject-empty); row 6, accepted, is
// edited to a non-breaking hyphen that Windows-1252 lacks, so it is skipped: the
// decisions alone no longer tell what is in d.txt.
const PUBLISHED: [(usize, &str); 4] = [(0, "oui"), (1, "non"), (5, "x"), (6, "oui")];
const UNWRITABLE: [(usize, &str); 1] = [(6, "DeepSeek\u{2011}R1")];

#[test]
fn what_was_applied_is_recorded_beside_a_workbook_so_revert_needs_no_flag() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write_files(
        dir,
        &[
            ("g.csv", GLOSSARY),
            ("articles/a.txt", A),
            ("originals/a.txt", A),
        ],
    );
    std::fs::write(dir.join("articles/d.txt"), D).unwrap();
    std::fs::write(dir.join("originals/d.txt"), D).unwrap();
    // Publish first: the articles are corrected in place, the log is a workbook.
    let fix = fix_args(
        "articles",
        "g.csv",
        &["--in-place", "--log", "changes.xlsx", "-q"],
    );
    ok(dir, &fix);
    let (changes, reviewed) = (dir.join("changes.xlsx"), dir.join("reviewed.xlsx"));
    review_workbook(&changes, &reviewed, &PUBLISHED, &UNWRITABLE);
    let reviewed_bytes = std::fs::read(&reviewed).unwrap();
    let sidecar = dir.join("reviewed.xlsx.applied.csv");
    let undo = [
        "undo",
        "--log",
        "reviewed.xlsx",
        "articles",
        "--in-place",
        "--reject-empty",
    ];
    let run = mtfix(dir, &undo);
    assert_exit(&run, 3, "cannot be written in windows-1252");
    let expected_a = A.replacen("Openai", "OpenAI", 1);
    let read = |path: &str| std::fs::read(dir.join(path)).unwrap();
    assert_eq!(read("articles/a.txt"), expected_a.as_bytes());
    assert_eq!(
        read("articles/d.txt"),
        b"Selon OpenAI, l'IA profonde r\xe9pond.\n"
    );
    // The reviewer's workbook is left as it is; what was applied is beside it.
    assert_eq!(std::fs::read(&reviewed).unwrap(), reviewed_bytes);
    let recorded = std::fs::read_to_string(&sidecar).unwrap();
    assert!(
        recorded.starts_with("file,byte_offset,matched,row_hash,applied,"),
        "{recorded}"
    );
    assert_eq!(recorded.lines().count(), 8, "{recorded}");

    // `revert` without --reject-empty gives back the originals exactly.
    let revert = [
        "revert",
        "--log",
        "reviewed.xlsx",
        "articles",
        "--out",
        "reverted",
    ];
    let run = ok(dir, &revert);
    assert!(stderr(&run).contains("2 rows reverted"), "{}", stderr(&run));
    assert_eq!(
        snapshot(&dir.join("reverted")),
        snapshot(&dir.join("originals"))
    );
    // `apply --reject-empty` to the originals records the same, and `revert` of what it
    // wrote needs no flag either.
    let apply = [
        "apply",
        "--log",
        "reviewed.xlsx",
        "originals",
        "--out",
        "applied",
        "--reject-empty",
    ];
    assert_eq!(mtfix(dir, &apply).status.code(), Some(3));
    assert_eq!(
        snapshot(&dir.join("applied")),
        snapshot(&dir.join("articles"))
    );
    assert_eq!(std::fs::read_to_string(&sidecar).unwrap(), recorded);
    let revert = ["revert", "--log", "reviewed.xlsx", "applied", "--in-place"];
    ok(dir, &revert);
    assert_eq!(
        snapshot(&dir.join("applied")),
        snapshot(&dir.join("originals"))
    );

    // A decision changed since leaves the record good: `undo` runs again.
    let changed = dir.join("changed.xlsx");
    review_workbook(&reviewed, &changed, &[(1, "oui")], &[]);
    std::fs::rename(&changed, &reviewed).unwrap();
    let run = mtfix(dir, &undo);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let with_chatgpt = expected_a.replacen("chatppt", "=ChatGPT()", 1);
    assert_eq!(read("articles/a.txt"), with_chatgpt.as_bytes());
    // A replacement edited since makes the record stale: refused, naming it.
    review_workbook(&reviewed, &changed, &[], &[(0, "Open AI")]);
    std::fs::rename(&changed, &reviewed).unwrap();
    let run = mtfix(
        dir,
        &["revert", "--log", "reviewed.xlsx", "articles", "--in-place"],
    );
    assert_exit(
        &run,
        2,
        "reviewed.xlsx.applied.csv:2:6: stale: it records what `apply` or `undo` put in the articles from other rows than reviewed.xlsx holds now",
    );
    assert_eq!(read("articles/a.txt"), with_chatgpt.as_bytes());
}

#[test]
fn an_in_place_run_keeps_its_journal_as_csv_until_the_workbook_is_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let fix = fix_args(
        "articles",
        "g.csv",
        &["--in-place", "--log", "changes.xlsx", "-q"],
    );
    ok(dir, &fix);
    assert!(dir.join("changes.xlsx").exists());
    assert!(!dir.join("changes.xlsx.partial").exists());
    ok(
        dir,
        &[
            "revert",
            "--log",
            "changes.xlsx",
            "articles",
            "--in-place",
            "-q",
        ],
    );
    assert_eq!(
        snapshot(&dir.join("articles")),
        snapshot(&dir.join("originals"))
    );

    // A match longer than a spreadsheet cell holds: the workbook cannot be made. The
    // articles are rewritten, and their rows stay in the journal, which reverts them.
    let long = format!("Début {} fin.\n", "mot ".repeat(9000));
    let glossary = "pattern,replacement,id\nre:Début[^.]*fin,Fin,long\nOpenai,OpenAI,openai\n";
    write_files(dir, &[("long.csv", glossary), ("articles/long.txt", &long)]);
    write_files(dir, &[("originals/long.txt", &long)]);
    std::fs::remove_file(dir.join("changes.xlsx")).unwrap();
    let fix = fix_args(
        "articles",
        "long.csv",
        &["--in-place", "--log", "changes.xlsx"],
    );
    let run = mtfix(dir, &fix);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "changes.xlsx: row 6: a cell holds more than the 32,767 characters a spreadsheet \
             cell holds; write this log as .csv; its rows are kept as CSV in "
        ),
        "{}",
        stderr(&run)
    );
    assert!(!dir.join("changes.xlsx").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("articles/long.txt")).unwrap(),
        "Fin.\n"
    );
    let revert = [
        "revert",
        "--log",
        "changes.xlsx.partial",
        "articles",
        "--in-place",
        "-q",
    ];
    ok(dir, &revert);
    assert_eq!(
        snapshot(&dir.join("articles")),
        snapshot(&dir.join("originals"))
    );
    // The journal is in the way of the next in-place run, which says what it is.
    let run = mtfix(dir, &fix);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("an earlier in-place run was interrupted"));

    // Under --out too, the rows are kept rather than lost.
    std::fs::remove_file(dir.join("changes.xlsx.partial")).unwrap();
    let fix = fix_args(
        "articles",
        "long.csv",
        &["--out", "o", "--log", "changes.xlsx"],
    );
    assert_eq!(mtfix(dir, &fix).status.code(), Some(3));
    let kept = std::fs::read_to_string(dir.join("changes.xlsx.partial")).unwrap();
    assert!(kept.starts_with("\u{feff}file,line,column,"), "{kept:.60}");
    ok(
        dir,
        &[
            "revert",
            "--log",
            "changes.xlsx.partial",
            "o",
            "--out",
            "r",
            "-q",
        ],
    );
    assert_eq!(snapshot(&dir.join("r")), snapshot(&dir.join("originals")));
}

#[test]
fn batches_append_to_a_workbook_until_it_is_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    for log in ["all.csv", "all.xlsx"] {
        for article in ["articles/a.txt", "articles/b.txt", "articles/c.txt"] {
            let args = fix_args(
                article,
                "g.csv",
                &["--out", "o", "--log", log, "--append-log"],
            );
            ok(dir, &args);
        }
    }
    let rows = cells(&dir.join("all.xlsx"));
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[9][0], Data::String("c.txt".into()));
    assert_eq!(rows[9][3], Data::Float(36.0));
    let stats = |log| ok(dir, &["glossary", "stats", "--log", log]).stdout;
    assert_eq!(stats("all.xlsx"), stats("all.csv"));

    // A reviewed workbook is not written again: the reviewer's formatting would go.
    review_workbook(
        &dir.join("all.xlsx"),
        &dir.join("reviewed.xlsx"),
        &DECISIONS,
        &[],
    );
    let before = std::fs::read(dir.join("reviewed.xlsx")).unwrap();
    let args = fix_args(
        "articles/a.txt",
        "g.csv",
        &["--out", "o", "--log", "reviewed.xlsx"],
    );
    for append in [true, false] {
        let mut args = args.to_vec();
        if append {
            args.push("--append-log");
        }
        let run = mtfix(dir, &args);
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        let expected = match append {
            true => "a reviewer has worked on it (row 3: a decision or an edited replacement)",
            false => "holds a reviewer's work",
        };
        assert!(stderr(&run).contains(expected), "{}", stderr(&run));
        assert_eq!(std::fs::read(dir.join("reviewed.xlsx")).unwrap(), before);
    }
    let ods = fix_args("articles", "g.csv", &["--out", "o", "--log", "changes.ods"]);
    let run = mtfix(dir, &ods);
    assert_exit(&run, 2, "fix writes a log as .csv or .xlsx");
}

#[test]
fn an_xlsx_log_survives_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let fix = fix_args(
        "articles",
        "g.csv",
        &["--out", "fixed", "--log", "changes.xlsx", "-q"],
    );
    ok(dir, &fix);
    review_workbook(
        &dir.join("changes.xlsx"),
        &dir.join("reviewed.xlsx"),
        &DECISIONS,
        &EDITS,
    );
    ok(
        dir,
        &[
            "apply",
            "--log",
            "reviewed.xlsx",
            "originals",
            "--out",
            "expected",
            "-q",
        ],
    );
    let xlsx = "Calc MS Excel 2007 XML";
    // mtfix's own workbook, opened and saved by LibreOffice as ods, `;` CSV (UTF-8) and
    // xlsx, then the reviewed one as xlsx: each applies as the original did.
    std::fs::create_dir(dir.join("lo")).unwrap();
    std::fs::copy(dir.join("changes.xlsx"), dir.join("lo/changes.xlsx")).unwrap();
    std::fs::copy(dir.join("reviewed.xlsx"), dir.join("lo/reviewed.xlsx")).unwrap();
    let to_csv = "csv:Text - txt - csv (StarCalc):59,34,76,1";
    for (ext, filter) in [("ods", "ods"), ("csv", to_csv), ("xlsx", "xlsx")] {
        if soffice(dir, "lo/changes.xlsx", filter, xlsx).is_none() {
            return;
        }
        let log = format!("converted/changes.{ext}");
        let out = format!("from-{ext}");
        ok(
            dir,
            &["apply", "--log", &log, "originals", "--out", &out, "-q"],
        );
        assert_eq!(
            snapshot(&dir.join(&out)),
            snapshot(&dir.join("fixed")),
            "{ext}"
        );
    }
    let csv = std::fs::read_to_string(dir.join("converted/changes.csv")).unwrap();
    assert!(csv.contains(";'=ChatGPT();"), "{csv}");
    soffice(dir, "lo/reviewed.xlsx", "xlsx", xlsx).unwrap();
    let apply = [
        "apply",
        "--log",
        "converted/reviewed.xlsx",
        "originals",
        "--out",
        "from-lo",
    ];
    ok(dir, &apply);
    assert_eq!(
        snapshot(&dir.join("from-lo")),
        snapshot(&dir.join("expected"))
    );
}
