//! Fuzzes the glossary parser and the matcher together: the input is a glossary, a line
//! `---`, then an article. Any glossary may be refused, but never with a panic; an
//! accepted one must correct the article in every format with a log that reproduces the
//! output exactly. `tests/fuzz_regressions.rs` replays the seeds and any crash kept in
//! `fuzz/regressions/` through the same check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = std::str::from_utf8(data) {
        mtfix::internals::fuzz_one(input).unwrap();
    }
});
