//! Golden command-line cases: each `tests/cmd/<case>.toml` runs `mtfix` in a sandbox made
//! from `<case>.in/` and compares stdout, stderr and the files of `<case>.out/`.
//! `TRYCMD=overwrite cargo test` rewrites the expected files (review the diff!).

#[test]
fn golden_cases() {
    trycmd::TestCases::new()
        .case("tests/cmd/*.toml")
        .case("tests/cmd/*.trycmd");
}
