//! Where CSV records really start. The csv crate places a record at the end of the line
//! before it: at its `\n` after a CRLF line end (which Windows editors and Python's csv
//! module write), and before the comment lines that precede it. Glossary errors and log
//! errors name lines, so both readers find each record's first own byte here, in a text
//! whose lone `\r` line ends were first made `\n` ([`lone_cr_as_lf`]).

use std::borrow::Cow;

/// Counts lines forward through a CSV text, once, to number its records.
#[derive(Debug, Default)]
pub(crate) struct RecordLines {
    offset: usize,
    breaks: u64,
}

impl RecordLines {
    /// The byte where the record the csv crate places at `position` starts, and its
    /// 1-based line; `comment` is the byte that starts a comment line, if any. Records
    /// are asked for in order.
    pub(crate) fn locate(
        &mut self,
        text: &[u8],
        position: usize,
        comment: Option<u8>,
    ) -> (usize, u64) {
        let start = record_start(text, position.max(self.offset), comment);
        self.breaks += memchr::memchr_iter(b'\n', &text[self.offset..start]).count() as u64;
        self.offset = start;
        (start, self.breaks + 1)
    }
}

/// The first byte from `position` that is neither a line end nor in a comment line.
pub(crate) fn record_start(text: &[u8], mut position: usize, comment: Option<u8>) -> usize {
    loop {
        while text
            .get(position)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            position += 1;
        }
        match text.get(position) {
            Some(&b) if Some(b) == comment => {
                position = memchr::memchr(b'\n', &text[position..])
                    .map_or(text.len(), |i| position + i + 1);
            }
            _ => return position.min(text.len()),
        }
    }
}

/// The 1-based line of the record a csv `error` is about. The csv crate's own line
/// number counts from where it places the record: in a CRLF file, on the line before.
pub(crate) fn error_line(text: &[u8], error: &csv::Error, comment: Option<u8>) -> u64 {
    let byte = error.position().map_or(0, |p| p.byte() as usize);
    RecordLines::default()
        .locate(text, byte.min(text.len()), comment)
        .1
}

/// What is wrong with the record of a csv `error`, without the csv crate's own line
/// number (see [`error_line`]).
pub(crate) fn error_message(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} field(s), the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not valid UTF-8", err.field() + 1)
        }
        _ => format!("malformed CSV: {error}"),
    }
}

/// `text` with every `\r` that does not start a `\r\n` made a `\n`; the same bytes
/// otherwise, at the same offsets. Files with classic Mac OS line ends (`\r` alone, as
/// some Mac spreadsheet exports still write) end each record there for the csv crate,
/// but its comment lines end only at `\n`: a comment swallowed every row after it. And
/// every line number counts `\n`.
pub(crate) fn lone_cr_as_lf(text: &[u8]) -> Cow<'_, [u8]> {
    let lone = |&i: &usize| text.get(i + 1) != Some(&b'\n');
    let mut lone_crs = memchr::memchr_iter(b'\r', text).filter(lone).peekable();
    if lone_crs.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut owned = text.to_vec();
    for i in lone_crs {
        owned[i] = b'\n';
    }
    Cow::Owned(owned)
}

/// [`lone_cr_as_lf`] for text (an ASCII byte for another keeps it UTF-8).
pub(crate) fn lone_cr_as_lf_text(text: &str) -> Cow<'_, str> {
    match lone_cr_as_lf(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(bytes) => Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// How many records `text` can hold at most: a record ends at a line end (`\n`, `\r` or
/// `\r\n`) or at the end of the text.
pub(crate) fn records_at_most(text: &[u8]) -> usize {
    let line_ends = memchr::memchr2_iter(b'\n', b'\r', text)
        .filter(|&i| !(text[i] == b'\r' && text.get(i + 1) == Some(&b'\n')))
        .count();
    line_ends + 1
}

/// The field separator of a CSV text: whichever of `,` `;` and tab occurs most (outside
/// quotes) in its first line that is not a comment (starting with `comment`); `,` on a
/// tie. Spreadsheets in French and other locales save `;`, some tools tab.
pub(crate) fn sniff_delimiter(text: &[u8], comment: Option<u8>) -> u8 {
    let start = record_start(text, 0, comment);
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    for &b in text[start..].iter().take_while(|&&b| b != b'\n') {
        if b == b'"' {
            in_quotes = !in_quotes;
        }
        for (delimiter, count) in &mut counts {
            if b == *delimiter && !in_quotes {
                *count += 1;
            }
        }
    }
    // The first of the most frequent: `,` wins a tie.
    counts
        .iter()
        .rev()
        .max_by_key(|&&(_, n)| n)
        .map_or(b',', |&(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_end_ends_at_most_one_record() {
        assert_eq!(records_at_most(b""), 1);
        assert_eq!(records_at_most(b"a,b"), 1);
        assert_eq!(records_at_most(b"a,b\nc,d\n"), 3);
        assert_eq!(records_at_most(b"a,b\r\nc,d\r\n"), 3);
        assert_eq!(records_at_most(b"a,b\rc,d\re,f"), 3);
        assert_eq!(records_at_most(b"a\r\nb\rc\nd"), 4);
    }

    #[test]
    fn only_a_lone_carriage_return_becomes_a_line_feed() {
        assert_eq!(
            &*lone_cr_as_lf(b"a\r\nb\rc\r\r\nd\r"),
            b"a\r\nb\nc\n\r\nd\n"
        );
        assert!(matches!(lone_cr_as_lf(b"a\r\nb\n"), Cow::Borrowed(_)));
        assert_eq!(lone_cr_as_lf_text("é\rè"), "é\nè");
    }

    #[test]
    fn records_start_after_line_ends_and_comments() {
        let text = b"a,b\r\nc,d\r\n# note\r\n\r\ne,f\n# end";
        let mut lines = RecordLines::default();
        assert_eq!(lines.locate(text, 0, Some(b'#')), (0, 1));
        // The csv crate places `c,d` at the `\n` of the first line.
        assert_eq!(lines.locate(text, 4, Some(b'#')), (5, 2));
        assert_eq!(lines.locate(text, 9, Some(b'#')), (20, 5));
        assert_eq!(record_start(text, 24, Some(b'#')), text.len());
        assert_eq!(record_start(text, 10, None), 10);
    }
}
