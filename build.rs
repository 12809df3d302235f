//! Embeds every glossary of `glossaries/` in the binary, sorted by file name, so that a
//! glossary added to the folder ships without a list to keep in step.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time, not with `env!`: a build script compiled for one checkout can be
    // reused by another sharing the target folder, and must embed that checkout's files.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let folder = Path::new(&manifest).join("glossaries");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("the glossaries folder is readable")
        .map(|entry| entry.expect("a readable entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.ends_with(".csv"))
        .collect();
    names.sort();
    let mut code = String::from("&[\n");
    for name in &names {
        let path = folder.join(name);
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display()).unwrap();
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_glossaries.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
