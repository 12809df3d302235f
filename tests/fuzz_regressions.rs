//! Replays the fuzz target's seeds and every input kept in `fuzz/regressions/` (crashes
//! the fuzzer found, once fixed) through the fuzz target's check.

#[test]
fn fuzz_seeds_and_regressions_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for folder in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(input) = std::str::from_utf8(&bytes) {
                mtfix::internals::fuzz_one(input)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                count += 1;
            }
        }
    }
    assert!(count >= 5);
}
