//! Decisions remembered (`fix --decisions`, `check --decisions`, `stream --decisions`):
//! a reviewer's decisions in earlier logs, reused for the same change met again, so that
//! a nightly run does not propose again what was rejected yesterday.
//!
//! A change is known by its rule id, its matched text and its context (the sentence,
//! the match marked), white space runs compared as one space: not by its file, offset or
//! file hash, so an article changed elsewhere keeps its decisions. A decision is reused
//! only for the replacement the reviewer saw proposed. The log does not keep an edited
//! row's proposal in clear, but its `row_hash` is the hash of (offset, matched,
//! proposal) and the row keeps its offset and matched text: the current proposal is the
//! one the reviewer saw exactly when it hashes to the row's `row_hash`. A log without
//! `row_hash` cannot tell an edit, so its logged replacement must be the current
//! proposal. A rule whose replacement changed therefore reuses nothing, edited rows
//! included.
//!
//! Which rows count: a rejected row (edited or not), an edited row that is not rejected
//! (its empty decision accepts it, as for `apply`), an accepted row. An empty, unedited
//! row is undecided: it is not reused, so the reviewer sees it again.
//!
//! Conflicts: among the `--decisions` logs that hold a decision for a change, the last
//! given wins (give them oldest first; a later review may change its mind). Rows of that
//! one log that decide the same change differently (the same sentence accepted in one
//! article, rejected in another) are not reused: the change goes back to review.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::correct::matcher::Rules;
use crate::correct::{Reused, Substitutions};
use crate::error::{Error, Result};
use crate::output::logfile::{self, Decision, Entry};
use crate::review::collapse_white_space;

/// The decisions of the `--decisions` logs, by change.
#[derive(Default)]
pub(crate) struct Decisions {
    by_change: HashMap<String, Vec<Remembered>>,
}

/// The rows of one `--decisions` log that decide a change alike: the same decision, edit
/// and proposal. A change met in many articles has many such rows, and each lookup goes
/// through the change's groups, not its rows.
struct Remembered {
    /// The position of its log among the `--decisions` logs.
    log: usize,
    reused: Reused,
    /// The reviewer's replacement (for [`Reused::Edited`]; else empty).
    edit: String,
    proposal: Proposal,
    /// `<log>:<line>` of its first row, for the new log's `decided_in`.
    decided_in: String,
}

/// What the reviewer saw proposed.
enum Proposal {
    /// An unedited row's replacement (its `row_hash`, if any, says so: see
    /// [`logfile::Entry::edited`]).
    Known(String),
    /// Edited rows keep only the hash: (offset, matched, `row_hash`) of each row; the
    /// proposal is a text that hashes to one of them, remembered once found.
    Hashed {
        rows: Vec<(usize, String, String)>,
        found: OnceLock<String>,
    },
}

/// A decision found for a substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    pub reused: Reused,
    /// The reviewer's replacement (for [`Reused::Edited`]).
    pub edit: &'a str,
    pub decided_in: &'a str,
}

impl std::fmt::Debug for Decisions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decisions({} changes)", self.by_change.len())
    }
}

impl Decisions {
    /// Reads the decided rows of the logs at `paths` (CSV or spreadsheet, as `apply`
    /// reads them). A log that cannot be read is refused with its path (and line and
    /// column where there is one).
    pub(crate) fn load(paths: &[PathBuf]) -> Result<Decisions> {
        let mut decisions = Decisions::default();
        for (log, path) in paths.iter().enumerate() {
            let entries = logfile::read(path).map_err(|e| match e {
                Error::Io { path, source } => Error::Usage(format!(
                    "cannot read --decisions {}: {source}",
                    path.display()
                )),
                other => other,
            })?;
            if !entries.is_empty() && entries.iter().all(|e| e.context.is_empty()) {
                return Err(Error::Log {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: "no `context` column: decisions are found again by the sentence \
                              of each change"
                        .into(),
                });
            }
            let spreadsheet = logfile::is_spreadsheet(path);
            for entry in entries {
                decisions.add(log, &path.display().to_string(), entry, spreadsheet);
            }
        }
        Ok(decisions)
    }

    fn add(&mut self, log: usize, name: &str, entry: Entry, spreadsheet: bool) {
        let reused = match (entry.decision, entry.edited) {
            (Decision::Reject, _) => Reused::Rejected,
            (_, true) => Reused::Edited,
            (Decision::Accept, false) => Reused::Accepted,
            (Decision::Empty, false) => return,
        };
        if entry.context.is_empty() {
            return;
        }
        let line = match spreadsheet {
            true => entry.row,
            false => entry.csv_line,
        };
        let key = change_key(&entry.rule, &entry.matched, &entry.context);
        let edit = match reused {
            Reused::Edited => entry.replacement.clone(),
            _ => String::new(),
        };
        let group = self.by_change.entry(key).or_default();
        let alike = |g: &&mut Remembered| {
            g.log == log
                && g.reused == reused
                && g.edit == edit
                && match &g.proposal {
                    Proposal::Known(proposal) => !entry.edited && *proposal == entry.replacement,
                    Proposal::Hashed { .. } => entry.edited,
                }
        };
        match group.iter_mut().find(alike) {
            Some(Remembered {
                proposal: Proposal::Hashed { rows, .. },
                ..
            }) => {
                rows.push((entry.byte_offset, entry.matched, entry.row_hash));
                return;
            }
            Some(_) => return,
            None => {}
        }
        let proposal = match entry.edited {
            true => Proposal::Hashed {
                rows: vec![(entry.byte_offset, entry.matched, entry.row_hash)],
                found: OnceLock::new(),
            },
            false => Proposal::Known(entry.replacement),
        };
        group.push(Remembered {
            log,
            reused,
            edit,
            proposal,
            decided_in: format!("{name}:{line}"),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_change.is_empty()
    }

    /// The decision to reuse for a change of `rule` on `matched` in `context` whose
    /// replacement is `proposal`, if any (see the module doc for which).
    pub(crate) fn find(
        &self,
        rule: &str,
        matched: &str,
        context: &str,
        proposal: &str,
    ) -> Option<Found<'_>> {
        let rows = self.by_change.get(&change_key(rule, matched, context))?;
        let seen: Vec<&Remembered> = rows
            .iter()
            .filter(|row| row.saw(matched, proposal))
            .collect();
        let last_log = seen.iter().map(|row| row.log).max()?;
        let mut in_last = seen.into_iter().filter(|row| row.log == last_log);
        let first = in_last.next()?;
        let agree = in_last.all(|row| row.reused == first.reused && row.edit == first.edit);
        agree.then(|| Found {
            reused: first.reused,
            edit: &first.edit,
            decided_in: &first.decided_in,
        })
    }

    /// Marks each substitution of `subs` whose change was decided before with that
    /// decision.
    pub(crate) fn apply(&self, subs: &mut Substitutions, rules: &Rules) {
        if self.is_empty() {
            return;
        }
        let found: Vec<(usize, Found<'_>)> = subs
            .iter()
            .enumerate()
            .filter_map(|(i, sub)| {
                let rule = &rules.rules()[sub.rule].id;
                let found = self.find(rule, sub.matched, sub.context, sub.replacement)?;
                Some((i, found))
            })
            .collect();
        for (i, found) in found {
            subs.decide(i, found.reused, found.edit, found.decided_in);
        }
    }
}

/// What identifies a change: its rule, matched text and context, white space collapsed.
fn change_key(rule: &str, matched: &str, context: &str) -> String {
    let (matched, context) = (collapse_white_space(matched), collapse_white_space(context));
    let mut key = String::with_capacity(rule.len() + matched.len() + context.len() + 2);
    for part in [rule, &matched, &context] {
        key.push_str(part);
        key.push('\0');
    }
    key
}

impl Remembered {
    /// Whether the reviewer saw `proposal` proposed for `matched` (see the module doc).
    /// An edited row's matched text is tried first, then the new one, which differs only
    /// in white space (a spreadsheet saves a CRLF in a cell as LF).
    fn saw(&self, matched: &str, proposal: &str) -> bool {
        match &self.proposal {
            Proposal::Known(known) => known == proposal,
            Proposal::Hashed { found, .. } if found.get().is_some_and(|f| f == proposal) => true,
            Proposal::Hashed { rows, found } => {
                let seen = rows.iter().any(|(offset, row_matched, hash)| {
                    [row_matched.as_str(), matched]
                        .iter()
                        .any(|m| logfile::is_row_hash_of(hash, *offset, m, proposal))
                });
                if seen {
                    let _ = found.set(proposal.to_owned());
                }
                seen
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HEADER: &str = "file,line,column,byte_offset,rule,matched,replacement,context,decision,glossary,note,file_hash,row_hash\n";

    /// A log row of `rule` at `offset`, proposing `proposal`, logged with `replacement`.
    fn row(
        offset: usize,
        rule: &str,
        (matched, proposal, replacement): (&str, &str, &str),
        context: &str,
        decision: &str,
    ) -> String {
        let hash = logfile::row_hash(offset, matched, proposal);
        format!(
            "a.txt,1,1,{offset},{rule},{matched},{replacement},{context},{decision},g.csv,,h,{hash}\n"
        )
    }

    fn decisions(logs: &[String]) -> Decisions {
        let mut decisions = Decisions::default();
        for (log, text) in logs.iter().enumerate() {
            let name = format!("log{log}.csv");
            let entries = logfile::parse(text.as_bytes(), Path::new(&name)).unwrap();
            for entry in entries {
                decisions.add(log, &name, entry, false);
            }
        }
        decisions
    }

    const SENTENCE: &str = "Le cours de ⟦l'automne⟧ inquiète.";

    #[test]
    fn rejected_edited_and_accepted_rows_are_reused_empty_ones_are_not() {
        let log = format!(
            "{HEADER}{}{}{}{}",
            row(
                3,
                "r",
                ("l'automne", "la chute", "la chute"),
                SENTENCE,
                "non"
            ),
            row(
                90,
                "s",
                ("chatppt", "ChatGPT", "ChatGPT"),
                "⟦chatppt⟧ dit",
                "oui"
            ),
            row(
                120,
                "t",
                ("Openai", "OpenAI", "Open AI"),
                "⟦Openai⟧ dit",
                ""
            ),
            row(
                150,
                "u",
                ("Deepseek", "DeepSeek", "DeepSeek"),
                "⟦Deepseek⟧ dit",
                ""
            ),
        );
        let decisions = decisions(&[log]);
        let found = |rule, matched, context, proposal| {
            decisions
                .find(rule, matched, context, proposal)
                .map(|f| (f.reused, f.edit, f.decided_in))
        };
        // The sentence's white space may differ: runs compare as one space.
        let spaced = "Le cours  de\n⟦l'automne⟧ inquiète.";
        assert_eq!(
            found("r", "l'automne", spaced, "la chute"),
            Some((Reused::Rejected, "", "log0.csv:2"))
        );
        assert_eq!(
            found("s", "chatppt", "⟦chatppt⟧ dit", "ChatGPT"),
            Some((Reused::Accepted, "", "log0.csv:3"))
        );
        assert_eq!(
            found("t", "Openai", "⟦Openai⟧ dit", "OpenAI"),
            Some((Reused::Edited, "Open AI", "log0.csv:4"))
        );
        assert_eq!(found("u", "Deepseek", "⟦Deepseek⟧ dit", "DeepSeek"), None);
        // Another sentence, another rule, another proposal: not the change decided.
        assert_eq!(
            found("r", "l'automne", "⟦l'automne⟧ vient.", "la chute"),
            None
        );
        assert_eq!(found("x", "l'automne", SENTENCE, "la chute"), None);
        assert_eq!(found("r", "l'automne", SENTENCE, "la baisse"), None);
        // An edited row's proposal is told by its row hash, not by its replacement.
        assert_eq!(found("t", "Openai", "⟦Openai⟧ dit", "Open AI"), None);
    }

    #[test]
    fn the_last_log_wins_and_a_log_at_odds_with_itself_decides_nothing() {
        let reject = row(
            3,
            "r",
            ("l'automne", "la chute", "la chute"),
            SENTENCE,
            "reject",
        );
        let accept = row(
            7,
            "r",
            ("l'automne", "la chute", "la chute"),
            SENTENCE,
            "accept",
        );
        let undecided = row(9, "r", ("l'automne", "la chute", "la chute"), SENTENCE, "");
        let reused = |logs: &[String]| {
            decisions(logs)
                .find("r", "l'automne", SENTENCE, "la chute")
                .map(|f| (f.reused, f.decided_in.to_owned()))
        };
        let one = format!("{HEADER}{reject}");
        let two = format!("{HEADER}{accept}");
        let none = format!("{HEADER}{undecided}");
        assert_eq!(
            reused(&[one.clone(), two.clone()]),
            Some((Reused::Accepted, "log1.csv:2".into()))
        );
        assert_eq!(
            reused(&[two.clone(), one.clone()]),
            Some((Reused::Rejected, "log1.csv:2".into()))
        );
        // An undecided row decides nothing: the earlier decision stands.
        assert_eq!(
            reused(&[one.clone(), none]),
            Some((Reused::Rejected, "log0.csv:2".into()))
        );
        assert_eq!(reused(&[format!("{HEADER}{reject}{accept}")]), None);
        assert_eq!(
            reused(&[format!("{HEADER}{reject}{reject}")]),
            Some((Reused::Rejected, "log0.csv:2".into()))
        );
    }

    #[test]
    fn a_log_without_row_hashes_needs_the_same_replacement() {
        let log = "file,byte_offset,rule,matched,replacement,context,decision\n\
                   a.txt,3,r,l'automne,la chute,Le cours de ⟦l'automne⟧ inquiète.,non\n";
        let decisions = decisions(&[log.to_owned()]);
        let found = |proposal| decisions.find("r", "l'automne", SENTENCE, proposal);
        assert_eq!(found("la chute").map(|f| f.reused), Some(Reused::Rejected));
        assert_eq!(found("la baisse"), None);
    }
}
