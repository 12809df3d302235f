//! One article through the pipeline: read → decode → apply → write. Runs on the worker
//! threads; it returns what happened and never prints.

use std::path::Path;

use similar::TextDiff;

use crate::apply::{Options, apply_with};
use crate::config::{Config, Target};
use crate::corpus::Article;
use crate::error::{Error, Result};
use crate::markup::Format;
use crate::matcher::Rules;
use crate::output::{Durability, write_atomic};
use crate::report::{FileOutcome, Processed};

/// Processes one article; any error leaves its file untouched.
pub fn process(article: Article, rules: &Rules, config: &Config) -> FileOutcome {
    let result = process_file(&article, rules, config);
    FileOutcome { article, result }
}

fn process_file(article: &Article, rules: &Rules, config: &Config) -> Result<Processed> {
    let bytes = std::fs::read(&article.path).map_err(|e| Error::io(&article.path, e))?;
    let text = decode(&bytes, &article.path)?;
    let options = Options {
        format: Format::of(&article.path),
        context: config.log.is_some(),
    };
    let applied = apply_with(rules, text, options);
    let changed = !applied.subs.is_empty();
    match &config.target {
        Target::Out(dir) => write_atomic(
            &dir.join(&article.relative),
            applied.text.as_bytes(),
            Durability::Unsynced,
        )?,
        Target::InPlace if changed => {
            write_atomic(&article.path, applied.text.as_bytes(), Durability::Synced)?
        }
        Target::InPlace | Target::Nowhere | Target::Stdout => {}
    }
    let diff =
        (config.diff && changed).then(|| unified_diff(&article.log_name(), text, &applied.text));
    Ok(Processed {
        bytes: bytes.len(),
        subs: applied.subs,
        diff,
    })
}

/// Decodes an article as UTF-8; an invalid byte is an error naming its line and column.
pub fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid prefix");
        let (line, column) = crate::glossary::line_column(valid);
        Error::Article {
            path: path.to_owned(),
            line,
            column,
            message: format!(
                "not valid UTF-8 (byte 0x{:02x} at offset {}); file left untouched",
                bytes[e.valid_up_to()],
                e.valid_up_to()
            ),
        }
    })
}

/// A unified diff of one article, with a few lines of context.
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .missing_newline_hint(false)
        .to_string()
}
