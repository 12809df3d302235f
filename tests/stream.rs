//! The record stream (`mtfix stream`) and its log (`mtfix log`): the same bytes as `fix`
//! on the same articles as files, whatever `--jobs`; one output line per input line, in
//! order, with error records and passthrough fields; a record answered before the next is
//! sent.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use crate::{mtfix, snapshot, write_files};

/// Runs `mtfix` in `dir` with `stdin` as its standard input.
fn mtfix_with_input(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mtfix runs");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let output = child.wait_with_output().unwrap();
    // mtfix may end before reading its input (a bad glossary): the pipe is then closed.
    match writer.join().unwrap() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    output
}

/// A small generator, so that the corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

const SENTENCES: [&str; 8] = [
    "Openai a publié chatppt, et l'IA profonde a répondu.",
    "Le cours a connu l'automne de 3 % en bourse.",
    "L’IA\nprofonde inquiète Meta Plateformes.",
    "Rien à corriger dans cette phrase-là.",
    "La feuille d'automne tombe en saison.",
    "Voir https://openai.com/chatppt pour Openai.",
    "Deepseek et la profondeur-v3 sont cités.",
    "C'est un réveiller pour l'industrie, dit-il.",
];

/// Articles as files: (name, bytes), with plain text, CRLF, Markdown, HTML,
/// Windows-1252, a BOM, damaged UTF-8, a binary file and an empty one.
fn articles(count: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut random = Lcg(seed);
    (0..count)
        .map(|i| {
            let mut text = String::new();
            for _ in 0..1 + random.next(6) {
                text.push_str(SENTENCES[random.next(8) as usize]);
                text.push_str(if random.next(3) == 0 { "\n\n" } else { " " });
            }
            let (name, bytes) = match i % 9 {
                0 => (
                    format!("a/{i:04}.md"),
                    format!("# Titre\n\n{text}`Openai`\n"),
                ),
                1 => (
                    format!("b/{i:04}.html"),
                    format!("<p title=\"Openai\">{text}</p><script>Openai</script>"),
                ),
                2 => (format!("{i:04}.txt"), text.replace('\n', "\r\n")),
                3 => (format!("{i:04}.txt"), format!("\u{feff}{text}")),
                _ => (format!("c/{i:04}.txt"), text),
            };
            let bytes = match i % 23 {
                5 => encoding_rs::WINDOWS_1252.encode(&bytes).0.into_owned(),
                7 => [bytes.as_bytes(), b"caf\xe9".as_slice()].concat(),
                11 => b"PK\x03\x04\x00\x00Openai".to_vec(),
                13 => Vec::new(),
                _ => bytes.into_bytes(),
            };
            (name, bytes)
        })
        .collect()
}

/// The records of `articles`: as `text` when UTF-8 and every third, else as `bytes`.
fn records(articles: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut lines = Vec::new();
    for (i, (id, bytes)) in articles.iter().enumerate() {
        let mut record = match (std::str::from_utf8(bytes), i % 3) {
            (Ok(text), 0) => json!({"id": id, "text": text}),
            _ => json!({"id": id, "bytes": BASE64.encode(bytes)}),
        };
        record["seq"] = json!(i);
        serde_json::to_writer(&mut lines, &record).unwrap();
        lines.push(b'\n');
    }
    lines
}

fn parse_lines(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

/// The corrected bytes of an output record.
fn corrected_bytes(record: &Value) -> Option<Vec<u8>> {
    match (&record["text"], &record["bytes"]) {
        (Value::String(text), _) => Some(text.as_bytes().to_vec()),
        (_, Value::String(bytes)) => Some(BASE64.decode(bytes).unwrap()),
        _ => None,
    }
}

#[test]
fn stream_and_log_give_the_bytes_of_fix_on_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let articles = articles(400, 7);
    for (name, bytes) in &articles {
        let path = dir.path().join("articles").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let fix = mtfix(
        dir.path(),
        &[
            "fix", "articles", "--out", "fixed", "--log", "fix.csv", "--quiet",
        ],
    );
    assert_eq!(fix.status.code(), Some(3), "damaged files fail `fix`");
    let stream = mtfix_with_input(dir.path(), &["stream"], &records(&articles));
    assert!(
        stream.status.success(),
        "{}",
        String::from_utf8_lossy(&stream.stderr)
    );
    std::fs::write(dir.path().join("out.jsonl"), &stream.stdout).unwrap();
    let log = mtfix(
        dir.path(),
        &["log", "out.jsonl", "--log", "stream.csv", "--quiet"],
    );
    assert!(
        log.status.success(),
        "{}",
        String::from_utf8_lossy(&log.stderr)
    );
    let fix_log = std::fs::read(dir.path().join("fix.csv")).unwrap();
    assert!(fix_log.len() > 10_000);
    assert_eq!(
        std::fs::read(dir.path().join("stream.csv")).unwrap(),
        fix_log
    );
    // Written as a workbook, the same log reads back as the CSV one.
    let xlsx = ["log", "out.jsonl", "--log", "stream.xlsx", "--quiet"];
    assert!(mtfix(dir.path(), &xlsx).status.success());
    let stats = |log| mtfix(dir.path(), &["glossary", "stats", "--log", log]).stdout;
    assert_eq!(stats("stream.xlsx"), stats("fix.csv"));

    let fixed: std::collections::HashMap<String, Vec<u8>> =
        snapshot(&dir.path().join("fixed")).into_iter().collect();
    let records = parse_lines(&stream.stdout);
    assert_eq!(records.len(), articles.len());
    let mut failed = 0;
    for (record, (name, _)) in records.iter().zip(&articles) {
        assert_eq!(record["id"], json!(name), "in input order");
        match corrected_bytes(record) {
            Some(bytes) => assert_eq!(Some(&bytes), fixed.get(name), "{name}"),
            None => {
                failed += 1;
                let error = record["error"].as_str().unwrap();
                assert!(error.contains("not valid UTF-8"), "{error}");
                assert!(!fixed.contains_key(name), "{name}");
            }
        }
    }
    assert_eq!(
        failed,
        articles
            .iter()
            .filter(|(n, _)| !fixed.contains_key(n))
            .count()
    );
    assert!(failed > 0);
}

#[test]
fn stream_output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = records(&articles(1500, 11));
    input.extend_from_slice(b"not json\n{\"id\": 3}\n\n{\"id\":\"x.txt\",\"bytes\":\"%%\"}\n");
    let outputs: Vec<Vec<u8>> = ["1", "2", "4"]
        .iter()
        .map(|jobs| {
            let run = mtfix_with_input(dir.path(), &["stream", "--jobs", jobs], &input);
            assert!(run.status.success());
            run.stdout
        })
        .collect();
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(bytecount(&outputs[0]), bytecount(&input));
}

fn bytecount(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[test]
fn bad_records_become_error_records_in_place_and_fields_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let input = concat!(
        "{\"id\":\"a.txt\",\"text\":\"Openai.\",\"lang\":\"fr\",\"n\":{\"x\":[1,2]}}\n",
        "not json\n",
        "[1,2]\n",
        "{\"text\":\"Openai.\"}\n",
        "{\"id\":7,\"text\":\"Openai.\"}\n",
        "{\"id\":\"b.txt\",\"bytes\":\"@@@\",\"lang\":\"de\"}\n",
        "{\"id\":\"c.txt\",\"bytes\":\"Y2Fm6SBPcGVuYWk=\",\"format\":\"md\"}\n",
        "{\"id\":\"d.txt\",\"bytes\":\"Y2Fmw6kg6SBPcGVuYWk=\"}\n",
        "{\"id\":\"e.txt\",\"text\":\"x\",\"bytes\":\"eA==\"}\n",
        "{\"id\":\"f.txt\",\"text\":\"x\",\"format\":\"pdf\"}\n",
        "\n",
        "{\"id\":\"g.html\",\"text\":\"<b title=\\\"Openai\\\">Openai</b>\",\"changed\":\"no\"}\r\n",
        "{\"id\":\"h.txt\",\"text\":\"Openai sans fin de ligne\"}",
    );
    let run = mtfix_with_input(dir.path(), &["stream"], input.as_bytes());
    assert!(run.status.success());
    assert_eq!(bytecount(&run.stdout), 13, "one line per input line");
    assert!(
        run.stdout.windows(2).filter(|w| *w == b"\n\n").count() == 1,
        "the empty line is answered by an empty line"
    );
    let records = parse_lines(&run.stdout);
    let summary: Vec<String> = records
        .iter()
        .map(|r| match &r["error"] {
            Value::String(error) => format!("{} {} error: {error}", r["input_line"], r["id"]),
            _ => format!("{} changed={} {}", r["id"], r["changed"], corrected_text(r)),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "\"a.txt\" changed=true OpenAI.",
            "2 null error: not JSON: expected ident at line 1 column 2",
            "3 null error: not a JSON object",
            "4 null error: no `id`",
            "5 null error: `id` is not a string",
            "6 \"b.txt\" error: `bytes` is not base64: Invalid symbol 64, offset 0.",
            "\"c.txt\" changed=true caf\u{e9} OpenAI",
            "8 \"d.txt\" error: d.txt:1:6: not valid UTF-8 (byte 0xe9 at offset 6)",
            "9 \"e.txt\" error: both `text` and `bytes`: give one",
            "10 \"f.txt\" error: unknown `format` `pdf` (txt, md or html)",
            "\"g.html\" changed=true <b title=\"Openai\">OpenAI</b>",
            "\"h.txt\" changed=true OpenAI sans fin de ligne",
        ]
    );
    assert_eq!(records[0]["lang"], "fr");
    assert_eq!(records[0]["n"], json!({"x": [1, 2]}));
    assert_eq!(
        records[5]["lang"], "de",
        "error records pass fields through"
    );
    assert_eq!(records[6]["format"], "md");
    assert_eq!(
        records[10]["changed"],
        json!(true),
        "a reserved field is the output's"
    );
    // The log's columns, in the log's order.
    let first = String::from_utf8_lossy(&run.stdout);
    assert!(
        first.starts_with(
            "{\"id\":\"a.txt\",\"text\":\"OpenAI.\",\"changed\":true,\"substitutions\":\
             [{\"file\":\"a.txt\",\"line\":1,\"column\":1,\"byte_offset\":0,\"rule\":\"openai-case\",\
             \"matched\":\"Openai\",\"replacement\":\"OpenAI\",\"context\":\"⟦Openai⟧.\",\"decision\":\"\",\
             \"glossary\":\"brands.csv@"
        ),
        "{first}"
    );
    let sub = &records[0]["substitutions"][0];
    let glossary = sub["glossary"].as_str().unwrap();
    assert!(
        glossary.starts_with("brands.csv@") && glossary.len() == 27,
        "{glossary}"
    );
}

/// The corrected text of a record, decoded from Windows-1252 when given as bytes.
fn corrected_text(record: &Value) -> String {
    let bytes = corrected_bytes(record).unwrap();
    match String::from_utf8(bytes.clone()) {
        Ok(text) => text,
        Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
    }
}

#[test]
fn a_line_of_damaged_utf_8_is_an_error_record_that_says_where() {
    let dir = tempfile::tempdir().unwrap();
    // A record line is checked as a whole before it is parsed; a damaged one is parsed
    // byte by byte, so that the error names the place.
    let input =
        b"{\"id\":\"a.txt\",\"text\":\"caf\xe9 Openai\"}\n{\"id\":\"b.txt\",\"text\":\"Openai\"}\n";
    let run = mtfix_with_input(dir.path(), &["stream"], input);
    assert!(run.status.success());
    let records = parse_lines(&run.stdout);
    assert_eq!(
        records[0]["error"],
        "not JSON: invalid unicode code point at line 1 column 26"
    );
    assert_eq!(records[0]["input_line"], 1);
    assert_eq!(corrected_text(&records[1]), "OpenAI");
}

/// A running `mtfix stream --jobs 2`, its stdin and its stdout.
fn stream_process() -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(["stream", "--jobs", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    let output = BufReader::new(child.stdout.take().unwrap());
    (child, input, output)
}

#[test]
fn each_record_is_answered_before_the_next_is_sent() {
    let (mut child, mut input, mut output) = stream_process();
    for i in 0..5 {
        writeln!(input, "{{\"id\":\"{i}.txt\",\"text\":\"Openai {i}\"}}").unwrap();
        input.flush().unwrap();
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        let record: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(record["text"], format!("OpenAI {i}"));
    }
    drop(input);
    assert!(child.wait().unwrap().success());
}

#[test]
fn an_empty_line_is_answered_by_an_empty_line_after_the_answers_before_it() {
    let (mut child, mut input, mut output) = stream_process();
    // Batches of 0, 1 and 700 records (more than the stream corrects at a time), each
    // read up to its marker while stdin stays open.
    for (batch, count) in [0, 1, 700].into_iter().enumerate() {
        let mut records = String::new();
        for i in 0..count {
            records += &format!("{{\"id\":\"{batch}-{i}.txt\",\"text\":\"Openai {i}\"}}\n");
        }
        // The writer runs beside the reader: 700 answers do not fit a pipe's buffer.
        let writer = std::thread::spawn(move || {
            input.write_all(records.as_bytes()).unwrap();
            input.write_all(b"\n").unwrap();
            input.flush().unwrap();
            input
        });
        for i in 0..count {
            let mut line = String::new();
            output.read_line(&mut line).unwrap();
            let record: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(record["id"], format!("{batch}-{i}.txt"));
            assert_eq!(record["text"], format!("OpenAI {i}"));
        }
        let mut marker = String::new();
        output.read_line(&mut marker).unwrap();
        assert_eq!(marker, "\n", "batch {batch}");
        input = writer.join().unwrap();
    }
    drop(input);
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut output, &mut rest).unwrap();
    assert!(rest.is_empty());
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_log_names_glossaries_by_the_paths_log_is_given_and_apply_revert_work() {
    let dir = tempfile::tempdir().unwrap();
    let glossary = "pattern,replacement,id\nOpenai,OpenAI,openai\nchatppt,ChatGPT,chatgpt\n";
    write_files(
        dir.path(),
        &[
            ("exec1/g/mine.csv", glossary),
            ("exec2/elsewhere/mine.csv", glossary),
            ("rules/mine.csv", glossary),
            (
                "other/mine.csv",
                "pattern,replacement,id\nOpenai,Open AI,openai\n",
            ),
            ("articles/1.txt", "Openai a publié chatppt.\n"),
            ("articles/2.txt", "Rien.\n"),
            ("articles/3.txt", "Et chatppt encore, Openai.\n"),
        ],
    );
    let run = |exec: &str, records: &str| {
        let out = mtfix_with_input(
            dir.path(),
            &["stream", "--glossary", &format!("{exec}/mine.csv")],
            records.as_bytes(),
        );
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // Two executors, each with its own part, the parts in the wrong order.
    let first = run(
        "exec2/elsewhere",
        "{\"id\":\"3.txt\",\"text\":\"Et chatppt encore, Openai.\\n\"}\n",
    );
    let second = run(
        "exec1/g",
        "{\"id\":\"1.txt\",\"text\":\"Openai a publié chatppt.\\n\"}\n{\"id\":\"2.txt\",\"text\":\"Rien.\\n\"}\n",
    );
    assert!(first.contains("\"glossary\":\"mine.csv@"));
    write_files(
        dir.path(),
        &[("part-0.jsonl", &first), ("part-1.jsonl", &second)],
    );
    let log = mtfix(
        dir.path(),
        &[
            "log",
            "part-0.jsonl",
            "part-1.jsonl",
            "-g",
            "rules/mine.csv",
            "--log",
            "s.csv",
        ],
    );
    assert!(
        log.status.success(),
        "{}",
        String::from_utf8_lossy(&log.stderr)
    );
    let fix = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "-g",
            "rules/mine.csv",
            "--out",
            "fixed",
            "--log",
            "f.csv",
            "-q",
        ],
    );
    assert!(fix.status.success());
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(read("s.csv"), read("f.csv"));

    // A glossary with other content is refused, and nothing is written.
    let refused = mtfix(
        dir.path(),
        &[
            "log",
            "part-0.jsonl",
            "-g",
            "other/mine.csv",
            "--log",
            "x.csv",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is none of this log's glossaries"));
    assert!(!dir.path().join("x.csv").exists());

    let revert = mtfix(
        dir.path(),
        &[
            "revert", "--log", "s.csv", "fixed", "--out", "reverted", "--quiet",
        ],
    );
    assert!(
        revert.status.success(),
        "{}",
        String::from_utf8_lossy(&revert.stderr)
    );
    assert_eq!(
        snapshot(&dir.path().join("reverted")),
        snapshot(&dir.path().join("articles"))
    );
    let apply = mtfix(
        dir.path(),
        &[
            "apply", "--log", "s.csv", "articles", "--out", "applied", "--quiet",
        ],
    );
    assert!(apply.status.success());
    assert_eq!(
        snapshot(&dir.path().join("applied")),
        snapshot(&dir.path().join("fixed"))
    );
}

#[test]
fn a_bad_glossary_or_encoding_exits_2_before_any_record() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("bad.csv", "pattern,replacement\nre:(,x\n")]);
    let input = b"{\"id\":\"a.txt\",\"text\":\"Openai\"}\n";
    for args in [
        &["stream", "--glossary", "bad.csv"][..],
        &["stream", "--glossary", "missing.csv"],
        &["stream", "--encoding", "utf-16"],
    ] {
        let run = mtfix_with_input(dir.path(), args, input);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(run.stdout.is_empty());
    }
}

/// `stream --decisions` reuses a review as `fix --decisions` does: the same corrected
/// bytes, and `mtfix log` gives the bytes of `fix`'s log, `decided_in` included.
#[test]
fn stream_with_decisions_gives_the_bytes_of_fix_with_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let articles = articles(120, 11);
    for (name, bytes) in &articles {
        let path = dir.join("articles").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let fix = [
        "fix",
        "articles",
        "--out",
        "fixed",
        "--log",
        "first.csv",
        "-q",
    ];
    assert_eq!(
        mtfix(dir, &fix).status.code(),
        Some(3),
        "damaged files fail `fix`"
    );
    // The reviewer rejects every row of the first rule met, accepts the second's and
    // edits the third's.
    let mut reader = csv::Reader::from_path(dir.join("first.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut writer = csv::Writer::from_path(dir.join("reviewed.csv")).unwrap();
    writer.write_record(&header).unwrap();
    let mut rules: Vec<String> = Vec::new();
    for record in reader.records() {
        let mut record: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        let rule = record[column("rule")].clone();
        if !rules.contains(&rule) {
            rules.push(rule.clone());
        }
        match rules.iter().position(|r| *r == rule) {
            Some(0) => record[column("decision")] = "reject".into(),
            Some(1) => record[column("decision")] = "accept".into(),
            Some(2) => record[column("replacement")] = "Éditée".into(),
            _ => {}
        }
        writer.write_record(&record).unwrap();
    }
    writer.flush().unwrap();
    let decisions = ["--decisions", "reviewed.csv"];
    let fix = [
        &["fix", "articles", "--out", "fixed2", "--log", "fix.csv"][..],
        &decisions,
    ]
    .concat();
    let fix = mtfix(dir, &fix);
    assert!(String::from_utf8_lossy(&fix.stderr).contains("decisions reused: "));
    let stream = [&["stream"][..], &decisions].concat();
    let stream = mtfix_with_input(dir, &stream, &records(&articles));
    assert!(
        stream.status.success(),
        "{}",
        String::from_utf8_lossy(&stream.stderr)
    );
    std::fs::write(dir.join("out.jsonl"), &stream.stdout).unwrap();
    let log = mtfix(dir, &["log", "out.jsonl", "--log", "stream.csv", "--quiet"]);
    assert!(
        log.status.success(),
        "{}",
        String::from_utf8_lossy(&log.stderr)
    );
    let fix_log = std::fs::read_to_string(dir.join("fix.csv")).unwrap();
    assert!(fix_log.contains(",reject,") && fix_log.contains(",reviewed.csv:"));
    assert!(fix_log.contains(",Éditée,"), "the edited rule is reused");
    assert_eq!(
        std::fs::read_to_string(dir.join("stream.csv")).unwrap(),
        fix_log
    );
    let fixed: std::collections::HashMap<String, Vec<u8>> =
        snapshot(&dir.join("fixed2")).into_iter().collect();
    for (record, (name, _)) in parse_lines(&stream.stdout).iter().zip(&articles) {
        if let Some(bytes) = corrected_bytes(record) {
            assert_eq!(Some(&bytes), fixed.get(name), "{name}");
        }
    }
}
