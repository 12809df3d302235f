//! The substitutions made in one text, their strings kept in one buffer.
//!
//! An article's substitutions are made on one worker thread and dropped on the one that
//! reports them. glibc's allocator locks the heap of the thread that made a block for
//! every block another thread frees, so three strings per substitution would keep the
//! two workers waiting on each other's heaps. One buffer per text makes that two blocks
//! per article.

use std::ops::Range;

/// One substitution, borrowed from [`Substitutions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Substitution<'a> {
    /// Index of the rule in [`crate::correct::matcher::Rules::rules`].
    pub rule: usize,
    /// Byte offset of `matched` in the original text.
    pub byte_offset: usize,
    /// 1-based line of `byte_offset`.
    pub line: u64,
    /// 1-based column of `byte_offset`, in characters.
    pub column: u64,
    /// The original text replaced (with the white space removed beside an empty
    /// replacement).
    pub matched: &'a str,
    pub replacement: &'a str,
    /// The sentence around the match, with the match marked `⟦…⟧` (empty unless asked
    /// for).
    pub context: &'a str,
    /// The decision a reviewer made earlier for the same change (`fix --decisions`), if
    /// one is reused.
    pub decided: Option<Reused>,
    /// The reviewer's replacement of an [`Reused::Edited`] substitution (else empty).
    pub edit: &'a str,
    /// Where the reused decision was made, `<log>:<line>` (else empty).
    pub decided_in: &'a str,
}

/// A reviewer's earlier decision, reused for a substitution met again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reused {
    /// Accepted as proposed: written, and not to be reviewed again.
    Accepted,
    /// Rejected: the matched text stays, the row is still logged.
    Rejected,
    /// Accepted with the reviewer's replacement, which is written instead.
    Edited,
}

impl<'a> Substitution<'a> {
    /// What the corrected text holds in place of `matched`: the replacement, the
    /// reviewer's edit, or (rejected) the matched text itself.
    pub fn written(&self) -> &'a str {
        match self.decided {
            None | Some(Reused::Accepted) => self.replacement,
            Some(Reused::Edited) => self.edit,
            Some(Reused::Rejected) => self.matched,
        }
    }

    /// Whether the substitution changes the text: a flag-only rule's replaces the match
    /// with itself, and a rejection reused writes the match back.
    pub fn changes(&self) -> bool {
        self.written() != self.matched
    }

    /// Whether its rule proposes a change: a flag-only rule's proposal is the match itself
    /// (the log and the report call it a flag, whatever a reviewer decided).
    pub fn writes(&self) -> bool {
        self.matched != self.replacement
    }
}

/// Where a substitution is: what [`Substitutions::places_mut`] lets a caller move, when
/// the text was part of a larger one or is counted in other units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub byte_offset: usize,
    pub line: u64,
    pub column: u64,
}

/// The substitutions of one text, in text order.
#[derive(Debug, Clone, Default)]
pub struct Substitutions {
    entries: Vec<Entry>,
    /// `matched`, `replacement` and `context` of every entry, one after the other.
    strings: String,
}

#[derive(Debug, Clone)]
struct Entry {
    rule: usize,
    place: Place,
    /// Where `matched` starts in `strings`; `replacement` and `context` follow it.
    start: usize,
    /// Where `matched`, `replacement` and `context` end.
    ends: [usize; 3],
    decided: Option<Reused>,
    /// Where the `edit` of a reused decision starts in `strings`, where it ends and where
    /// its `decided_in` (which follows it) ends; all 0 without one.
    decision: [usize; 3],
}

impl Substitutions {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a substitution of `rule` at `byte_offset`; `write_context` appends its
    /// context to the buffer it is given (or nothing). Lines and columns start at 0.
    pub fn push(
        &mut self,
        rule: usize,
        byte_offset: usize,
        matched: &str,
        replacement: &str,
        write_context: impl FnOnce(&mut String),
    ) {
        let start = self.strings.len();
        self.strings.push_str(matched);
        let matched_end = self.strings.len();
        self.strings.push_str(replacement);
        let replacement_end = self.strings.len();
        write_context(&mut self.strings);
        self.entries.push(Entry {
            rule,
            place: Place {
                byte_offset,
                ..Place::default()
            },
            start,
            ends: [matched_end, replacement_end, self.strings.len()],
            decided: None,
            decision: [0; 3],
        });
    }

    /// Records that the substitution at `index` (in text order) takes a decision made
    /// earlier: `edit` is the reviewer's replacement (for [`Reused::Edited`]),
    /// `decided_in` where the decision was made.
    pub fn decide(&mut self, index: usize, reused: Reused, edit: &str, decided_in: &str) {
        let start = self.strings.len();
        self.strings.push_str(edit);
        let edit_end = self.strings.len();
        self.strings.push_str(decided_in);
        let entry = &mut self.entries[index];
        entry.decided = Some(reused);
        entry.decision = [start, edit_end, self.strings.len()];
    }

    /// The substitutions, in text order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            strings: &self.strings,
            entries: self.entries.iter(),
        }
    }

    pub fn first(&self) -> Option<Substitution<'_>> {
        self.iter().next()
    }

    /// The places of the substitutions, in text order, to be changed.
    pub fn places_mut(&mut self) -> impl Iterator<Item = &mut Place> {
        self.entries.iter_mut().map(|entry| &mut entry.place)
    }

    /// Keeps the substitutions for which `keep` is true (their strings stay in the
    /// buffer until it is dropped).
    pub fn retain(&mut self, mut keep: impl FnMut(Substitution<'_>) -> bool) {
        let strings = &self.strings;
        self.entries.retain(|entry| keep(view(strings, entry)));
    }
}

/// Equal when they list the same substitutions (whatever [`Substitutions::retain`] left
/// in the buffer).
impl PartialEq for Substitutions {
    fn eq(&self, other: &Substitutions) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Substitutions {}

fn view<'a>(strings: &'a str, entry: &Entry) -> Substitution<'a> {
    let [matched, replacement, context] = spans(entry);
    Substitution {
        rule: entry.rule,
        byte_offset: entry.place.byte_offset,
        line: entry.place.line,
        column: entry.place.column,
        matched: &strings[matched],
        replacement: &strings[replacement],
        context: &strings[context],
        decided: entry.decided,
        edit: &strings[entry.decision[0]..entry.decision[1]],
        decided_in: &strings[entry.decision[1]..entry.decision[2]],
    }
}

/// The ranges of an entry's `matched`, `replacement` and `context` in the buffer.
fn spans(entry: &Entry) -> [Range<usize>; 3] {
    let [matched, replacement, context] = entry.ends;
    [
        entry.start..matched,
        matched..replacement,
        replacement..context,
    ]
}

/// The substitutions of [`Substitutions::iter`].
pub struct Iter<'a> {
    strings: &'a str,
    entries: std::slice::Iter<'a, Entry>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Substitution<'a>;

    fn next(&mut self) -> Option<Substitution<'a>> {
        self.entries.next().map(|entry| view(self.strings, entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Substitutions {
    type Item = Substitution<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Substitutions {
        let mut subs = Substitutions::default();
        subs.push(0, 3, "Openai", "OpenAI", |out| out.push_str("⟦Openai⟧"));
        subs.push(1, 20, "chatppt", "ChatGPT", |_| {});
        subs
    }

    #[test]
    fn keeps_each_substitution_apart() {
        let subs = two();
        let found: Vec<_> = subs
            .iter()
            .map(|s| (s.rule, s.byte_offset, s.matched, s.replacement, s.context))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, 3, "Openai", "OpenAI", "⟦Openai⟧"),
                (1, 20, "chatppt", "ChatGPT", ""),
            ]
        );
    }

    #[test]
    fn places_move_and_retain_keeps_the_others_whole() {
        let mut subs = two();
        for place in subs.places_mut() {
            place.byte_offset += 100;
            place.line = 2;
        }
        subs.retain(|s| s.rule == 1);
        assert_eq!(subs.len(), 1);
        let only = subs.first().unwrap();
        assert_eq!(
            (only.byte_offset, only.line, only.matched),
            (120, 2, "chatppt")
        );
        assert_eq!(only.replacement, "ChatGPT");
    }

    #[test]
    fn a_reused_decision_says_what_is_written() {
        let mut subs = two();
        subs.push(2, 40, "l'automne", "la chute", |_| {});
        subs.decide(0, Reused::Rejected, "", "old.csv:2");
        subs.decide(2, Reused::Edited, "la baisse", "old.csv:9");
        let seen: Vec<_> = subs
            .iter()
            .map(|s| (s.written(), s.changes(), s.decided_in, s.replacement))
            .collect();
        assert_eq!(
            seen,
            [
                ("Openai", false, "old.csv:2", "OpenAI"),
                ("ChatGPT", true, "", "ChatGPT"),
                ("la baisse", true, "old.csv:9", "la chute"),
            ]
        );
    }
}
