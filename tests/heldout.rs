//! Held-out recall: the shipped glossaries on sentences adapted from stories that no rule
//! was written from (`tests/heldout/heldout.tsv`, split recorded in
//! `glossaries/EVIDENCE.md`). Recall = artifacts corrected exactly / artifacts present; it
//! must not fall below the floor recorded in the data file, and no sentence may get a
//! change other than its expected one (a control sentence no change at all).

#![allow(clippy::print_stderr)] // the recall figure is printed for the person running the tests

use std::sync::LazyLock;

use mtfix::{Rules, apply};

static RULES: LazyLock<Rules> = LazyLock::new(|| mtfix::load_rules(&[]).unwrap());

const DATA: &str = include_str!("heldout/heldout.tsv");

struct Row<'a> {
    line: usize,
    story: &'a str,
    artifact: bool,
    input: &'a str,
    expected: &'a str,
}

fn floor() -> f64 {
    DATA.lines()
        .find_map(|l| l.strip_prefix("# recall_floor:"))
        .expect("the data file records recall_floor")
        .trim()
        .parse()
        .expect("recall_floor is a number")
}

fn rows() -> Vec<Row<'static>> {
    let mut rows = Vec::new();
    let mut header = false;
    for (i, line) in DATA.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !header {
            assert_eq!(line, "story\taddress\tkind\tinput\texpected");
            header = true;
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 5, "line {}: five tab-separated fields", i + 1);
        assert!(
            fields[1].starts_with("https://"),
            "line {}: an address",
            i + 1
        );
        let artifact = match fields[2] {
            "artifact" => true,
            "control" => false,
            other => panic!("line {}: unknown kind {other:?}", i + 1),
        };
        assert_eq!(
            artifact,
            !fields[4].is_empty(),
            "line {}: expected iff artifact",
            i + 1
        );
        rows.push(Row {
            line: i + 1,
            story: fields[0],
            artifact,
            input: fields[3],
            expected: fields[4],
        });
    }
    rows
}

#[test]
fn heldout_recall_holds_and_nothing_changes_wrongly() {
    let rows = rows();
    let (mut present, mut corrected, mut wrong) = (0usize, 0usize, Vec::new());
    for row in &rows {
        let out = apply(&RULES, row.input).text.into_owned();
        if row.artifact {
            present += 1;
            if out == row.expected {
                corrected += 1;
            } else if out != row.input {
                wrong.push(format!(
                    "line {} ({}): {:?} -> {out:?}",
                    row.line, row.story, row.input
                ));
            }
        } else if out != row.input {
            wrong.push(format!(
                "line {} ({}): {:?} -> {out:?}",
                row.line, row.story, row.input
            ));
        }
    }
    assert!(
        present > 0 && rows.len() > present,
        "artifacts and controls"
    );
    assert!(wrong.is_empty(), "wrong changes:\n{}", wrong.join("\n"));
    let recall = corrected as f64 / present as f64;
    eprintln!(
        "held-out recall {corrected}/{present} = {recall:.2} over {} sentences",
        rows.len()
    );
    assert!(
        recall + 1e-9 >= floor(),
        "held-out recall {recall:.2} ({corrected}/{present}) fell below the recorded floor {}",
        floor()
    );
}
