//! Encodings. Articles collected from the web come in UTF-8 (with or without a
//! byte-order mark) or in a legacy single-byte encoding (Windows-1252, ISO-8859-1/-15).
//! An article is decoded for matching and written back in its own encoding, byte for byte
//! identical outside the substituted spans: a legacy encoding is used only when decoding
//! and re-encoding the file gives back exactly its bytes.

use std::borrow::Cow;

use encoding_rs::Encoding;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes looked at to tell a binary file from text.
const SNIFF_LEN: usize = 8192;

/// How an article's bytes map to text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8 {
        bom: bool,
    },
    /// A single-byte legacy encoding.
    Legacy(&'static Encoding),
}

/// Why a file is skipped rather than decoded; none of these is the user's mistake to fix
/// in a glossary, so they are warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Undecodable {
    /// A NUL byte near the start: not a text article.
    Binary,
    /// Not valid UTF-8 when UTF-8 was forced (or the encoding cannot be guessed); with
    /// the offset of the first bad byte.
    InvalidUtf8(usize),
    /// An encoding that mtfix cannot write back byte for byte (UTF-16, multi-byte).
    Unsupported(&'static str),
    /// Decoding then encoding does not give the same bytes back.
    NotLossless(&'static str),
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undecodable::Binary => write!(f, "binary file (NUL byte); skipped"),
            Undecodable::InvalidUtf8(at) => write!(f, "not valid UTF-8 (byte offset {at})"),
            Undecodable::Unsupported(name) => {
                write!(f, "encoding {name} is not supported; skipped")
            }
            Undecodable::NotLossless(name) => {
                write!(f, "cannot be read as {name} without loss; skipped")
            }
        }
    }
}

impl TextEncoding {
    /// The encoding for a `--encoding` label (`utf-8`, `windows-1252`, `latin1`,
    /// `iso-8859-15`, …); `None` for an unknown or unsupported one.
    pub(crate) fn for_label(label: &str) -> Option<TextEncoding> {
        let encoding = Encoding::for_label(label.trim().as_bytes())?;
        if encoding == encoding_rs::UTF_8 {
            Some(TextEncoding::Utf8 { bom: false })
        } else if encoding.is_single_byte() {
            Some(TextEncoding::Legacy(encoding))
        } else {
            None
        }
    }

    /// The name written in messages and the summary.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 { bom: true } => "UTF-8 with BOM",
            TextEncoding::Utf8 { bom: false } => "UTF-8",
            TextEncoding::Legacy(encoding) => encoding.name(),
        }
    }

    /// Bytes before the text (the byte-order mark).
    pub(crate) fn prefix(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 { bom: true } => UTF8_BOM,
            _ => b"",
        }
    }

    /// Decodes `bytes` (without the prefix). `start` is the offset of `bytes` in the
    /// file, for the position of a bad byte.
    pub(crate) fn decode(self, bytes: &[u8], start: usize) -> Result<Cow<'_, str>, Undecodable> {
        match self {
            // SIMD validation first (the common, valid case); the standard library's only
            // to find where invalid input goes wrong.
            TextEncoding::Utf8 { .. } => match simdutf8::basic::from_utf8(bytes) {
                Ok(text) => Ok(Cow::Borrowed(text)),
                Err(_) => std::str::from_utf8(bytes)
                    .map(Cow::Borrowed)
                    .map_err(|e| Undecodable::InvalidUtf8(start + e.valid_up_to())),
            },
            TextEncoding::Legacy(encoding) => {
                let text = encoding
                    .decode_without_bom_handling_and_without_replacement(bytes)
                    .ok_or(Undecodable::NotLossless(encoding.name()))?;
                if self.encode(&text).as_ref() != bytes {
                    return Err(Undecodable::NotLossless(encoding.name()));
                }
                Ok(text)
            }
        }
    }

    /// Encodes text (without the prefix). Call [`TextEncoding::can_encode`] first for
    /// text that did not come from the file.
    pub(crate) fn encode(self, text: &str) -> Cow<'_, [u8]> {
        match self {
            TextEncoding::Utf8 { .. } => Cow::Borrowed(text.as_bytes()),
            TextEncoding::Legacy(encoding) => match encoding.encode(text).0 {
                Cow::Borrowed(bytes) => Cow::Owned(bytes.to_vec()),
                Cow::Owned(bytes) => Cow::Owned(bytes),
            },
        }
    }

    /// Whether `text` can be written in this encoding.
    pub(crate) fn can_encode(self, text: &str) -> bool {
        match self {
            TextEncoding::Utf8 { .. } => true,
            TextEncoding::Legacy(encoding) => !encoding.encode(text).2,
        }
    }

    /// The length in encoded bytes of `text` (which came from the file).
    pub(crate) fn encoded_len(self, text: &str) -> usize {
        match self {
            TextEncoding::Utf8 { .. } => text.len(),
            // Single-byte: one byte per character.
            TextEncoding::Legacy(_) => text.chars().count(),
        }
    }
}

/// Finds the encoding of a text held whole, unless one is `forced`.
pub(crate) fn detect(
    bytes: &[u8],
    forced: Option<TextEncoding>,
) -> Result<TextEncoding, Undecodable> {
    let whole = |feed: &mut dyn FnMut(&[u8])| {
        feed(bytes);
        Ok::<(), std::convert::Infallible>(())
    };
    match detect_blocks(bytes, forced, whole) {
        Ok(found) => found,
        Err(never) => match never {},
    }
}

/// Finds the encoding of a text, unless one is `forced`, from its `head` (at least its
/// first [`SNIFF_LEN`] bytes, or all of it) and, where needed, all of its bytes, which
/// `blocks` gives from the start to the end to the function it is passed (once or
/// twice). A file too large to hold is so decided as it would be held whole: on all of
/// its bytes, not on its head.
pub(crate) fn detect_blocks<E>(
    head: &[u8],
    forced: Option<TextEncoding>,
    mut blocks: impl FnMut(&mut dyn FnMut(&[u8])) -> Result<(), E>,
) -> Result<Result<TextEncoding, Undecodable>, E> {
    let sniff = &head[..head.len().min(SNIFF_LEN)];
    if sniff.starts_with(b"\xFF\xFE") || sniff.starts_with(b"\xFE\xFF") {
        return Ok(Err(Undecodable::Unsupported("UTF-16")));
    }
    if has_nul(sniff) {
        return Ok(Err(Undecodable::Binary));
    }
    let bom = head.starts_with(UTF8_BOM);
    if let Some(forced) = forced {
        return Ok(Ok(match forced {
            TextEncoding::Utf8 { .. } => TextEncoding::Utf8 { bom },
            legacy => legacy,
        }));
    }
    if bom {
        return Ok(Ok(TextEncoding::Utf8 { bom }));
    }
    let mut scan = Utf8Scan::default();
    blocks(&mut |block| scan.feed(block))?;
    let Some(first_bad) = scan.first_bad else {
        // Valid, or cut inside its last character.
        return Ok(Ok(TextEncoding::Utf8 { bom }));
    };
    // UTF-8 accents anywhere, before or after the first bad byte: a damaged UTF-8
    // file, not a legacy one (in Windows-1252 such a pair reads as mojibake, "Ã©",
    // which a legacy article does not hold); reading it as Windows-1252 would write
    // a legacy byte into a UTF-8 file and turn every accent into mojibake.
    if scan.accents {
        return Ok(Err(Undecodable::InvalidUtf8(first_bad)));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    blocks(&mut |block| {
        detector.feed(block, false);
    })?;
    detector.feed(b"", true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    Ok(match guess.is_single_byte() {
        true => Ok(TextEncoding::Legacy(guess)),
        false => Err(Undecodable::Unsupported(guess.name())),
    })
}

/// What UTF-8 validation finds in a text given in blocks: a character cut between two
/// blocks is read whole, as in the text held whole.
#[derive(Default)]
struct Utf8Scan {
    /// Bytes of the text before `carry`.
    offset: usize,
    /// The start of a character the last block cut.
    carry: Vec<u8>,
    /// The offset of the first byte that is not UTF-8.
    first_bad: Option<usize>,
    /// Whether a valid character that is not ASCII was seen.
    accents: bool,
}

impl Utf8Scan {
    fn feed(&mut self, block: &[u8]) {
        let joined;
        let bytes = match self.carry.is_empty() {
            true => block,
            false => {
                joined = [std::mem::take(&mut self.carry).as_slice(), block].concat();
                &joined[..]
            }
        };
        // Valid UTF-8 and no accent to find: nothing to look at byte by byte.
        if simdutf8::basic::from_utf8(bytes).is_ok() && (self.accents || bytes.is_ascii()) {
            self.offset += bytes.len();
            return;
        }
        let body = &bytes[..bytes.len() - cut_character(bytes)];
        let mut at = self.offset;
        for chunk in body.utf8_chunks() {
            self.accents |= !chunk.valid().is_ascii();
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                self.first_bad.get_or_insert(at);
            }
            at += chunk.invalid().len();
        }
        self.offset = at;
        self.carry = bytes[body.len()..].to_vec();
    }
}

/// How many bytes at the end of `bytes` start a character that more bytes could end.
fn cut_character(bytes: &[u8]) -> usize {
    for k in 1..=bytes.len().min(3) {
        let needs = match bytes[bytes.len() - k] {
            0x80..=0xbf => continue,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        return if needs > k { k } else { 0 };
    }
    0
}

/// Detects the encoding of a whole file and decodes it. Valid UTF-8, the common case, is
/// validated once here rather than once by [`detect`] and again by
/// [`TextEncoding::decode`]; any other file goes through both, with the same result.
pub(crate) fn decode_whole(
    bytes: &[u8],
    forced: Option<TextEncoding>,
) -> Result<(TextEncoding, Cow<'_, str>), Undecodable> {
    let sniff = &bytes[..bytes.len().min(SNIFF_LEN)];
    let plain_text =
        !has_nul(sniff) && !sniff.starts_with(b"\xFF\xFE") && !sniff.starts_with(b"\xFE\xFF");
    if forced.is_none() && plain_text {
        let bom = bytes.starts_with(UTF8_BOM);
        let body = &bytes[if bom { UTF8_BOM.len() } else { 0 }..];
        if let Ok(text) = simdutf8::basic::from_utf8(body) {
            return Ok((TextEncoding::Utf8 { bom }, Cow::Borrowed(text)));
        }
    }
    let encoding = detect(bytes, forced)?;
    let prefix = encoding.prefix().len();
    Ok((encoding, encoding.decode(&bytes[prefix..], prefix)?))
}

/// Whether `bytes` holds a NUL byte (a binary file), with `memchr`'s vector search: this
/// runs on the start of every article, and a byte-by-byte `contains` shows in `check`.
fn has_nul(bytes: &[u8]) -> bool {
    memchr::memchr(0, bytes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_given_in_blocks_is_decided_as_held_whole() {
        let texts: [&[u8]; 5] = [
            "Le café, l'été.".as_bytes(),
            b"Le caf\xe9, l'\xe9t\xe9.",
            b"Le mod\xE8le, caf\xC3\xA9.",
            b"fin coup\xc3",
            b"\xe0\x80 puis \xf0\x9f\x98\x80.",
        ];
        for text in texts {
            let whole = detect(text, None);
            for size in 1..4 {
                let blocks = |feed: &mut dyn FnMut(&[u8])| {
                    text.chunks(size).for_each(&mut *feed);
                    Ok::<(), ()>(())
                };
                let head = &text[..text.len().min(2)];
                assert_eq!(
                    detect_blocks(head, None, blocks),
                    Ok(whole.clone()),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn damaged_utf8_is_not_read_as_legacy_wherever_its_first_bad_byte() {
        // The stray Windows-1252 byte comes before any UTF-8 accent.
        let damaged = b"Le mod\xE8le d'Openai, caf\xC3\xA9 et th\xC3\xA9.";
        assert_eq!(detect(damaged, None), Err(Undecodable::InvalidUtf8(6)));
        // A real Windows-1252 text has no UTF-8 pair.
        let legacy = b"Le mod\xE8le d'Openai, caf\xE9.";
        assert!(matches!(detect(legacy, None), Ok(TextEncoding::Legacy(_))));
    }

    #[test]
    fn detects_utf8_bom_and_legacy() {
        assert_eq!(
            detect("café".as_bytes(), None),
            Ok(TextEncoding::Utf8 { bom: false })
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBFcaf\xC3\xA9", None),
            Ok(TextEncoding::Utf8 { bom: true })
        );
        let latin =
            b"Le caf\xe9 de l'\xe9t\xe9 \xe0 c\xf4t\xe9 de la for\xeat, o\xf9 l'on m\xe8ne.";
        let found = detect(latin, None).unwrap();
        assert_eq!(found, TextEncoding::Legacy(encoding_rs::WINDOWS_1252));
        assert_eq!(
            found.decode(latin, 0).unwrap(),
            "Le café de l'été à côté de la forêt, où l'on mène."
        );
    }

    #[test]
    fn damaged_utf8_is_not_taken_for_legacy() {
        assert_eq!(
            detect(b"caf\xc3\xa9 puis \xe9 fin", None),
            Err(Undecodable::InvalidUtf8(11))
        );
    }

    #[test]
    fn decoding_a_whole_file_agrees_with_detect_then_decode() {
        let files: [&[u8]; 5] = [
            "café".as_bytes(),
            b"\xEF\xBB\xBFcaf\xC3\xA9",
            b"Le caf\xe9 de l'\xe9t\xe9 \xe0 c\xf4t\xe9 de la for\xeat.",
            b"caf\xc3\xa9 puis \xe9 fin",
            b"PK\x03\x04\x00\x00",
        ];
        for bytes in files {
            let separately = detect(bytes, None).and_then(|encoding| {
                let prefix = encoding.prefix().len();
                Ok((encoding, encoding.decode(&bytes[prefix..], prefix)?))
            });
            assert_eq!(decode_whole(bytes, None), separately);
        }
    }

    #[test]
    fn refuses_binary_and_utf16() {
        assert_eq!(
            detect(b"PK\x03\x04\x00\x00", None),
            Err(Undecodable::Binary)
        );
        assert_eq!(
            detect(b"\xFF\xFEa\x00", None),
            Err(Undecodable::Unsupported("UTF-16"))
        );
    }

    #[test]
    fn legacy_round_trips_and_refuses_unencodable_text() {
        let cp1252 = TextEncoding::for_label("windows-1252").unwrap();
        let bytes: Vec<u8> = (0x20..=0xFF).collect();
        let text = cp1252.decode(&bytes, 0).unwrap();
        assert_eq!(cp1252.encode(&text).as_ref(), &bytes[..]);
        assert_eq!(cp1252.encoded_len(&text), bytes.len());
        assert!(cp1252.can_encode("€ œ É"));
        assert!(!cp1252.can_encode("DeepSeek ✓"));
        let latin9 = TextEncoding::for_label("iso-8859-15").unwrap();
        assert_eq!(latin9.encode("€").as_ref(), b"\xA4");
        assert!(TextEncoding::for_label("utf-16le").is_none());
    }

    #[test]
    fn forced_utf8_reports_the_bad_byte() {
        let utf8 = detect(b"caf\xe9", TextEncoding::for_label("utf-8")).unwrap();
        assert_eq!(
            utf8.decode(b"caf\xe9", 10),
            Err(Undecodable::InvalidUtf8(13))
        );
    }
}
