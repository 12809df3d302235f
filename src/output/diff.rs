//! Unified diffs for review in a terminal (`fix --diff`, `check --diff`). Articles are
//! wrapped in long lines, so a coloured diff also marks the changed words inside each
//! line, not only the lines.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff, udiff::UnifiedHunkHeader};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";

/// A unified diff of one article with one line of context; `color` adds ANSI colours and
/// marks changed words in reverse video.
pub(crate) fn unified(name: &str, before: &str, after: &str, color: bool) -> String {
    // On a terminal, an escape sequence in an article or its name would drive it: control
    // characters other than line breaks and tabs are shown escaped.
    let shown = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {
                    out.extend(c.escape_unicode());
                }
                c => out.push(c),
            }
        }
        out
    };
    let (name, before, after) = match color {
        true => (shown(name), shown(before), shown(after)),
        false => (name.to_owned(), before.to_owned(), after.to_owned()),
    };
    let (name, before, after) = (name.as_str(), before.as_str(), after.as_str());
    let diff = TextDiff::from_lines(before, after);
    if !color {
        return diff
            .unified_diff()
            .context_radius(1)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .missing_newline_hint(false)
            .to_string();
    }
    let mut out = format!("{BOLD}--- a/{name}\n+++ b/{name}{RESET}\n");
    for group in diff.grouped_ops(1) {
        let _ = writeln!(out, "{CYAN}{}{RESET}", UnifiedHunkHeader::new(&group));
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let (sign, colour) = match change.tag() {
                    ChangeTag::Delete => ('-', "\x1b[31m"),
                    ChangeTag::Insert => ('+', "\x1b[32m"),
                    ChangeTag::Equal => (' ', ""),
                };
                out.push_str(colour);
                out.push(sign);
                for (emphasized, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches(['\n', '\r']);
                    if emphasized {
                        let _ = write!(out, "\x1b[7m{text}\x1b[27m");
                    } else {
                        out.push_str(text);
                    }
                }
                let _ = writeln!(out, "{RESET}");
            }
        }
    }
    out
}

/// Whether to colour output for a stream: `--color` decides, and `auto` means only on a
/// terminal and when `NO_COLOR` is not set (<https://no-color.org>).
pub(crate) fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_diff_is_a_unified_diff() {
        let diff = unified(
            "a.txt",
            "un\nSelon Openai.\ndeux\n",
            "un\nSelon OpenAI.\ndeux\n",
            false,
        );
        assert_eq!(
            diff,
            "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n un\n-Selon Openai.\n+Selon OpenAI.\n deux\n"
        );
    }

    #[test]
    fn coloured_diff_marks_the_changed_words() {
        let diff = unified(
            "a.txt",
            "Selon Openai, oui.\n",
            "Selon OpenAI, oui.\n",
            true,
        );
        assert!(
            diff.contains("\x1b[31m-Selon \x1b[7mOpenai,\x1b[27m oui.\x1b[0m"),
            "{diff:?}"
        );
        assert!(
            diff.contains("\x1b[32m+Selon \x1b[7mOpenAI,\x1b[27m oui.\x1b[0m"),
            "{diff:?}"
        );
    }

    #[test]
    fn no_color_and_non_terminals_get_plain_output() {
        assert!(!use_color(ColorChoice::Auto, false));
        assert!(use_color(ColorChoice::Always, false));
        assert!(!use_color(ColorChoice::Never, true));
    }
}
