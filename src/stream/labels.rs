//! Stable names for glossaries in the record stream: `<file name>@<content hash>`.
//!
//! A log written by `fix` names each rule's glossary by the path given on the command line
//! (`glossaries/<name>` for the embedded ones). Executors of a cluster each see the
//! glossaries at a path of their own (a temporary folder per container), so the stream
//! names them by what does not depend on the machine: the file name and the first 64 bits
//! of the content's [`file_hash`]. `mtfix log` turns the labels back into the paths of its
//! own `--glossary` arguments, checking the content on the way.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::glossary::{EMBEDDED, Glossary};
use crate::output::logfile::file_hash;

/// Hex digits of the content hash kept in a label.
const HASH_DIGITS: usize = 16;

/// The label of each glossary, by the path its rules record as their origin.
pub(crate) struct Labels {
    by_origin: HashMap<Arc<Path>, String>,
}

impl Labels {
    /// Labels the `glossaries` loaded for `--glossary` arguments (`embedded` when none was
    /// given: their content is the binary's, not a file's).
    pub(crate) fn of(glossaries: &[Glossary], embedded: bool) -> Result<Labels> {
        let mut by_origin = HashMap::new();
        for rule in glossaries.iter().flat_map(|g| &g.rules) {
            let origin = &rule.origin.path;
            if by_origin.contains_key(origin) {
                continue;
            }
            let name = origin
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let content = match embedded {
                true => EMBEDDED
                    .iter()
                    .find(|(embedded, _)| *embedded == name)
                    .map(|(_, text)| text.as_bytes().to_vec())
                    .unwrap_or_default(),
                false => std::fs::read(origin).map_err(|e| {
                    Error::Usage(format!("cannot read glossary {}: {e}", origin.display()))
                })?,
            };
            let label = format!("{name}@{}", &file_hash(&content)[..HASH_DIGITS]);
            by_origin.insert(origin.clone(), label);
        }
        Ok(Labels { by_origin })
    }

    /// The label of the glossary at `origin` (a rule's origin path).
    pub(crate) fn label(&self, origin: &Path) -> &str {
        self.by_origin.get(origin).map_or("", String::as_str)
    }

    /// Label → the origin path as `fix` logs it.
    pub(crate) fn paths(&self) -> HashMap<&str, String> {
        self.by_origin
            .iter()
            .map(|(origin, label)| (label.as_str(), origin.to_string_lossy().into_owned()))
            .collect()
    }
}
