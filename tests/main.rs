//! Integration tests, in one binary (see `autotests = false` in Cargo.toml).

mod cli;
mod fuzz_regressions;
mod heldout;
mod hostile;
mod precision;
mod proofs;
mod readme;
mod review_loop;
mod review_page;
mod review_paths;
mod runs;
mod safety;
mod shipped_glossaries;
mod spark;
mod stream;
mod xlsx_log;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the built `mtfix` binary in `dir`.
pub fn mtfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("mtfix runs")
}

/// What `run` wrote on stderr.
pub fn stderr(run: &Output) -> String {
    String::from_utf8_lossy(&run.stderr).into_owned()
}

/// Asserts that `run` exited with `code` and said `needle` on stderr.
#[track_caller]
pub fn assert_exit(run: &Output, code: i32, needle: &str) {
    let stderr = stderr(run);
    assert_eq!(run.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
}

/// Writes `files` (path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// Every file under `dir`, relative path → content, sorted.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Runs the built `mtfix` binary in `dir` and returns its exit status and its peak
/// resident memory in KB, the `VmHWM` of its `/proc` status read every few milliseconds
/// until it ends (a peak in its last milliseconds could be missed). `wait4`'s count would
/// include the memory of the test process it was spawned from, which other tests fill.
pub fn mtfix_peak_memory(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtfix"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mtfix runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse().ok());
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Checks that `fix` run in `dir` wrote `copy` and `changes.csv` as the embedded
/// glossaries correct `text` in memory; returns the `line`, `column`, `byte_offset` and
/// `matched` of each substitution.
pub fn assert_as_in_memory(dir: &Path, copy: &str, text: &str) -> Vec<(u64, u64, usize, String)> {
    let rules = mtfix::load_rules(&[]).unwrap();
    let in_memory = mtfix::apply(&rules, text);
    assert!(!in_memory.subs.is_empty());
    let streamed = std::fs::read_to_string(dir.join(copy)).unwrap();
    assert!(streamed == in_memory.text, "streamed output differs");
    let mut log = csv::Reader::from_path(dir.join("changes.csv")).unwrap();
    let rows: Vec<(u64, u64, usize, String)> = log
        .records()
        .map(|r| {
            let r = r.unwrap();
            let number = |i: usize| r[i].parse::<u64>().unwrap();
            (number(1), number(2), number(3) as usize, r[5].to_owned())
        })
        .collect();
    let expected: Vec<(u64, u64, usize, String)> = in_memory
        .subs
        .iter()
        .map(|s| (s.line, s.column, s.byte_offset, s.matched.to_owned()))
        .collect();
    assert_eq!(rows.len(), expected.len());
    assert!(rows == expected, "streamed positions differ");
    expected
}
