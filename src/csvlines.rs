//! Where CSV records really start. The csv crate places a record at the end of the line
//! before it: at its `\n` after a CRLF line end (which Windows editors and Python's csv
//! module write), and before the comment lines that precede it. Glossary errors and log
//! errors name lines, so both readers find each record's first own byte here.

/// Counts lines forward through a CSV text, once, to number its records.
#[derive(Debug, Default)]
pub struct RecordLines {
    offset: usize,
    breaks: u64,
}

impl RecordLines {
    /// The byte where the record the csv crate places at `position` starts, and its
    /// 1-based line; `comment` is the byte that starts a comment line, if any. Records
    /// are asked for in order.
    pub fn locate(&mut self, text: &[u8], position: usize, comment: Option<u8>) -> (usize, u64) {
        let start = record_start(text, position.max(self.offset), comment);
        self.breaks += memchr::memchr_iter(b'\n', &text[self.offset..start]).count() as u64;
        self.offset = start;
        (start, self.breaks + 1)
    }
}

/// The first byte from `position` that is neither a line end nor in a comment line.
pub fn record_start(text: &[u8], mut position: usize, comment: Option<u8>) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

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
