//! Markup. In HTML only text content is edited, never tags, attributes,
//! comments, `<script>` or `<style>`; entities such as `&rsquo;` and `&nbsp;` are read as
//! the characters they stand for, so an artifact written with them still matches. In
//! Markdown nothing inside code spans, code blocks, link destinations, autolinks or raw
//! HTML is edited. This module only finds those spans; [`crate::correct::fold::View`] folds them.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use crate::correct::fold::{Span, Unit};

/// How an article is written, from its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Html,
    Markdown,
}

impl Format {
    /// `.html`/`.htm` are HTML, `.md`/`.markdown` Markdown, anything else plain text.
    pub(crate) fn of(path: &Path) -> Format {
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        match extension.as_deref() {
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("md" | "markdown") => Format::Markdown,
            _ => Format::Text,
        }
    }

    /// The spans of `text` that the matching view shows differently, sorted.
    pub(crate) fn spans(self, text: &str) -> Vec<Span> {
        match self {
            Format::Text => Vec::new(),
            Format::Html => html_spans(text),
            Format::Markdown => markdown_spans(text),
        }
    }

    /// A replacement as it must be written in this format (`&`, `<`, `>` escaped in HTML).
    pub(crate) fn escape(self, replacement: Cow<'_, str>) -> Cow<'_, str> {
        match self {
            Format::Html => match html_escape::encode_text(&replacement) {
                Cow::Borrowed(_) => replacement,
                Cow::Owned(escaped) => Cow::Owned(escaped),
            },
            Format::Text | Format::Markdown => replacement,
        }
    }
}

/// Elements whose tags end a paragraph: the view shows them as a blank line, so no match
/// and no sentence runs across them.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
];

/// Elements whose content is not text.
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "template", "textarea", "svg", "math"];

fn html_spans(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => match html_markup_end(text, i) {
                Some((end, unit)) => {
                    spans.push(Span {
                        start: i,
                        end,
                        unit,
                    });
                    i = end;
                }
                None => i += 1,
            },
            b'&' => match entity_at(text, i) {
                Some(span) => {
                    i = span.end;
                    spans.push(span);
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    spans
}

/// The end of the comment, declaration or tag starting at `start` (a `<`), and how the
/// view shows it; `None` when this `<` is text.
fn html_markup_end(text: &str, start: usize) -> Option<(usize, Unit)> {
    let rest = &text[start..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = comment
            .find("-->")
            .map_or(text.len(), |i| start + 4 + i + 3);
        return Some((end, Unit::Opaque));
    }
    let after = rest.as_bytes().get(1).copied()?;
    if after == b'!' || after == b'?' {
        return Some((
            rest.find('>').map_or(text.len(), |i| start + i + 1),
            Unit::Break,
        ));
    }
    let closing = after == b'/';
    let name_start = start + 1 + usize::from(closing);
    let name_len = text[name_start..]
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .unwrap_or(text.len() - name_start);
    if name_len == 0 || !text.as_bytes()[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = text[name_start..name_start + name_len].to_ascii_lowercase();
    let mut end = tag_end(text, name_start + name_len);
    if !closing && RAW_TEXT_ELEMENTS.contains(&name.as_str()) {
        end = raw_text_end(text, end, &name);
        return Some((end, Unit::Break));
    }
    let unit = if BLOCK_ELEMENTS.contains(&name.as_str()) {
        Unit::Break
    } else {
        Unit::Opaque
    };
    Some((end, unit))
}

/// The offset after the `>` closing a tag, skipping quoted attribute values.
fn tag_end(text: &str, from: usize) -> usize {
    let mut quote = None;
    for (i, c) in text[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return from + i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The offset after the closing tag of a raw-text element, or the end of the text.
fn raw_text_end(text: &str, from: usize, name: &str) -> usize {
    let closing = format!("</{name}");
    let lower = text[from..].to_ascii_lowercase();
    match lower.find(&closing) {
        Some(i) => tag_end(text, from + i + closing.len()),
        None => text.len(),
    }
}

/// An HTML character reference at `start` (`&name;`, `&#233;`, `&#xE9;`) standing for
/// one character.
fn entity_at(text: &str, start: usize) -> Option<Span> {
    let rest = &text[start..];
    let end = rest[1..]
        .find(';')
        .map(|i| i + 2)
        .filter(|&end| end <= 34)?;
    let body = &rest[1..end - 1];
    let well_formed = match body.strip_prefix('#') {
        Some(number) => match number.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
        },
        None => !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric()),
    };
    if !well_formed {
        return None;
    }
    let decoded = html_escape::decode_html_entities(&rest[..end]);
    let mut chars = decoded.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if decoded != rest[..end] => Some(Span {
            start,
            end: start + end,
            unit: Unit::Char(c),
        }),
        _ => None,
    }
}

fn markdown_spans(text: &str) -> Vec<Span> {
    let mut protected: Vec<Range<usize>> = Vec::new();
    let mut breaks: Vec<Range<usize>> = Vec::new();
    let mut links: Vec<Range<usize>> = Vec::new();
    let mut link_texts: Vec<Range<usize>> = Vec::new();
    let mut link_depth = 0;
    for (event, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)) => {
                breaks.push(range)
            }
            Event::Code(_)
            | Event::InlineHtml(_)
            | Event::Html(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => protected.push(range),
            Event::Start(Tag::Link { link_type, .. } | Tag::Image { link_type, .. }) => {
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    protected.push(range);
                } else {
                    links.push(range);
                }
                link_depth += 1;
            }
            Event::End(pulldown_cmark::TagEnd::Link | pulldown_cmark::TagEnd::Image) => {
                link_depth -= 1
            }
            Event::Text(_) if link_depth > 0 => link_texts.push(range),
            _ => {}
        }
    }
    // A link is protected except for the text it shows.
    for link in links {
        let mut at = link.start;
        for text_range in link_texts
            .iter()
            .filter(|t| t.start >= link.start && t.end <= link.end)
        {
            if text_range.start > at {
                protected.push(at..text_range.start);
            }
            at = at.max(text_range.end);
        }
        if at < link.end {
            protected.push(at..link.end);
        }
    }
    let mut spans: Vec<Span> = protected
        .into_iter()
        .map(|r| (r, Unit::Opaque))
        .chain(breaks.into_iter().map(|r| (r, Unit::Break)))
        .filter(|(r, _)| r.start < r.end)
        .map(|(r, unit)| Span {
            start: r.start,
            end: r.end,
            unit,
        })
        .collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let spans = merge_overlapping(spans);
    with_entities(text, spans)
}

/// Merges overlapping spans (a span inside another disappears into it).
fn merge_overlapping(spans: Vec<Span>) -> Vec<Span> {
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Adds the entities found outside `spans`, keeping the list sorted.
fn with_entities(text: &str, spans: Vec<Span>) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    let mut at = 0;
    for span in spans.into_iter().chain(std::iter::once(Span {
        start: text.len(),
        end: text.len(),
        unit: Unit::Opaque,
    })) {
        let mut i = at;
        while let Some(found) = text[i..span.start].find('&') {
            let start = i + found;
            match entity_at(&text[..span.start], start) {
                Some(entity) => {
                    i = entity.end;
                    out.push(entity);
                }
                None => i = start + 1,
            }
        }
        if span.start < span.end {
            at = span.end;
            out.push(span);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, format: Format) -> Vec<(&str, Unit)> {
        format
            .spans(text)
            .into_iter()
            .map(|s| (&text[s.start..s.end], s.unit))
            .collect()
    }

    #[test]
    fn html_tags_comments_scripts_and_entities() {
        let text = "<p class=\"a>b\">l&rsquo;IA <!-- Openai --><script>Openai()</script>A&amp;B &bogus; &#233;</p>";
        assert_eq!(
            shown(text, Format::Html),
            vec![
                ("<p class=\"a>b\">", Unit::Break),
                ("&rsquo;", Unit::Char('\u{2019}')),
                ("<!-- Openai -->", Unit::Opaque),
                ("<script>Openai()</script>", Unit::Break),
                ("&amp;", Unit::Char('&')),
                ("&#233;", Unit::Char('é')),
                ("</p>", Unit::Break),
            ]
        );
        assert!(shown("a < b et c<3", Format::Html).is_empty());
    }

    #[test]
    fn markdown_code_links_and_autolinks() {
        let text = "Voir `Openai` et [Openai](https://openai.com \"Openai\") ou <https://openai.com>.\n\n```\nOpenai\n```\n";
        let shown = shown(text, Format::Markdown);
        assert_eq!(
            shown,
            vec![
                ("`Openai`", Unit::Opaque),
                ("[", Unit::Opaque),
                ("](https://openai.com \"Openai\")", Unit::Opaque),
                ("<https://openai.com>", Unit::Opaque),
                ("```\nOpenai\n```", Unit::Break),
            ]
        );
    }

    #[test]
    fn html_replacements_are_escaped() {
        assert_eq!(Format::Html.escape("AT&T <x>".into()), "AT&amp;T &lt;x&gt;");
        assert_eq!(Format::Text.escape("AT&T".into()), "AT&T");
    }
}
