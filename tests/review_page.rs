//! `mtfix review`: the page it writes, and the end-to-end test in headless Chromium
//! (`tests/browser/review_page.py`), which is skipped when chromium or chromedriver is
//! not installed, except under CI (`CI` set), where it must run.
// A skipped test says so on stderr: cargo shows no "skipped" status of its own.
#![allow(clippy::print_stderr)]

use std::process::Command;

use crate::{mtfix, write_files};

#[test]
fn review_writes_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("articles/a.txt", "Openai a publié chatgpt.\n")],
    );
    let fix = mtfix(
        dir.path(),
        &[
            "fix",
            "articles",
            "--out",
            "fixed",
            "--log",
            "changes.csv",
            "--quiet",
        ],
    );
    assert!(fix.status.success(), "{fix:?}");
    std::fs::write(dir.path().join("articles/a.txt"), "changed since").unwrap();
    let review = mtfix(
        dir.path(),
        &[
            "review",
            "--log",
            "changes.csv",
            "articles",
            "--out",
            "review.html",
        ],
    );
    assert!(review.status.success(), "{review:?}");
    let stderr = String::from_utf8_lossy(&review.stderr);
    assert!(
        stderr.contains("rows to review; 1 files flagged"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(dir.path().join("review.html")).unwrap();
    assert!(page.contains(r#""problems":{"a.txt":"changed"}"#));
    // Nothing is loaded from elsewhere: no URL but the data's own, no external script.
    assert!(!page.contains("<script src") && !page.contains("<link"));
}

#[test]
fn review_page_in_headless_chromium() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/review_page.py");
    let python = std::env::var("MTFIX_PYTHON").unwrap_or_else(|_| "python3".into());
    let ci = std::env::var_os("CI").is_some();
    let run = Command::new(&python)
        .args([script, "--mtfix", env!("CARGO_BIN_EXE_mtfix")])
        .output();
    let run = match run {
        Ok(run) => run,
        Err(e) if !ci => {
            eprintln!("SKIPPED review_page_in_headless_chromium: cannot run {python}: {e}");
            return;
        }
        Err(e) => panic!("cannot run {python} (CI is set, so the browser test must run): {e}"),
    };
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.code() == Some(77) {
        assert!(
            !ci,
            "CI is set but the browser test cannot run: {stdout}{stderr}"
        );
        eprintln!("SKIPPED review_page_in_headless_chromium: {stdout}");
        return;
    }
    assert!(
        run.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
}
