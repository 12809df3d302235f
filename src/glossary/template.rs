//! Replacement templates of regex rules (`$1`, `${name}`, `$$`), with the syntax of the
//! `regex` crate. mtfix expands them itself because the regex runs over the matching view
//! (folded apostrophes and white space) while captured text must be copied from the
//! original article, byte for byte.

/// One piece of a parsed template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Group(&'a str),
}

/// Splits a template into literal text and group references.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push(Piece::Text(&rest[..dollar]));
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push(Piece::Text("$"));
            rest = tail;
        } else if let Some((name, tail)) = after
            .strip_prefix('{')
            .and_then(|braced| braced.split_once('}'))
            .filter(|(name, _)| !name.is_empty())
        {
            out.push(Piece::Group(name));
            rest = tail;
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push(Piece::Text("$"));
            } else {
                out.push(Piece::Group(&after[..len]));
            }
            rest = &after[len..];
        }
    }
    out.push(Piece::Text(rest));
    out.retain(|p| *p != Piece::Text(""));
    out
}

/// The group names and numbers a template refers to.
pub(crate) fn group_references(template: &str) -> Vec<&str> {
    pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Group(name) => Some(name),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Expands a template; `group` gives the text of a group by name or number (an unmatched
/// group expands to nothing, as in the `regex` crate).
pub(crate) fn expand<'t>(template: &str, group: impl Fn(&str) -> Option<&'t str>) -> String {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Group(name) => out.push_str(group(name).unwrap_or("")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_with(template: &str) -> String {
        expand(template, |name| match name {
            "1" => Some("V3"),
            "model" => Some("R1"),
            _ => None,
        })
    }

    #[test]
    fn expands_like_the_regex_crate() {
        assert_eq!(expand_with("DeepSeek-$1"), "DeepSeek-V3");
        assert_eq!(expand_with("${model}x"), "R1x");
        assert_eq!(expand_with("$modelx"), "");
        assert_eq!(expand_with("cost: $$5 and $"), "cost: $5 and $");
        assert_eq!(expand_with("no groups"), "no groups");
    }

    #[test]
    fn lists_references() {
        assert_eq!(group_references("a $1 ${b} $$ $c_d"), vec!["1", "b", "c_d"]);
    }
}
