//! Integration tests, in one binary (see `autotests = false` in Cargo.toml).

mod cli;
mod fuzz_regressions;
mod heldout;
mod hostile;
mod precision;
mod review_loop;
mod review_page;
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
