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

/// Finds the encoding of a file from its first bytes, unless one is `forced`.
pub(crate) fn detect(
    head: &[u8],
    forced: Option<TextEncoding>,
) -> Result<TextEncoding, Undecodable> {
    let sniff = &head[..head.len().min(SNIFF_LEN)];
    if sniff.starts_with(b"\xFF\xFE") || sniff.starts_with(b"\xFE\xFF") {
        return Err(Undecodable::Unsupported("UTF-16"));
    }
    if has_nul(sniff) {
        return Err(Undecodable::Binary);
    }
    let bom = head.starts_with(UTF8_BOM);
    if let Some(forced) = forced {
        return Ok(match forced {
            TextEncoding::Utf8 { .. } => TextEncoding::Utf8 { bom },
            legacy => legacy,
        });
    }
    if bom || simdutf8::basic::from_utf8(head).is_ok() || is_utf8_prefix(head) {
        return Ok(TextEncoding::Utf8 { bom });
    }
    if let Err(e) = std::str::from_utf8(head) {
        // UTF-8 accents before the first bad byte: a damaged UTF-8 file, not a legacy
        // one; reading it as Windows-1252 would turn every accent into mojibake.
        if !head[..e.valid_up_to()].is_ascii() {
            return Err(Undecodable::InvalidUtf8(e.valid_up_to()));
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    if guess.is_single_byte() {
        Ok(TextEncoding::Legacy(guess))
    } else {
        Err(Undecodable::Unsupported(guess.name()))
    }
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

/// Whether `bytes` is valid UTF-8, allowing it to end inside a character (a head read
/// from a longer file may cut one).
fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
