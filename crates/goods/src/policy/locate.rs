//! Turning a byte span of the policy text into what a person looks for: the line, the column
//! and the key path (`rules[3].verdict`).
//!
//! toml reports errors with byte offsets. The key path is found by walking the parsed
//! document (which keeps the span of every key and value) down to the deepest entry whose key
//! or value holds the offset.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::PolicyError;

/// Deepest nesting followed when looking for a key path; deeper documents get a shorter path.
const KEY_DEPTH_MAX: usize = 32;

/// An error at `span` of `text`, with the key path found in `document` (if it parsed).
pub(crate) fn error_at(
    text: &str,
    document: Option<&Spanned<DeTable<'_>>>,
    span: Option<Range<usize>>,
    message: impl Into<String>,
) -> PolicyError {
    // toml quotes names with backticks; the rest of our messages use double quotes.
    let message = message.into().replace('`', "\"");
    // An empty span at the very start is toml's way of saying "the whole document" (a
    // missing top-level key): there is no line to point at.
    let span = span.filter(|span| !(span.is_empty() && span.start == 0 && !text.is_empty()));
    let Some(span) = span else {
        return PolicyError {
            line: None,
            column: None,
            key: None,
            message,
        };
    };
    let (line, column) = line_column(text, span.start);
    let key = document.and_then(|doc| key_path(doc.get_ref(), span.start));
    PolicyError {
        line: Some(line),
        column: Some(column),
        key,
        message,
    }
}

/// The line and column (both from 1; the column in characters) of byte `offset`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The path of the deepest key whose key or value holds `offset`, such as `rules[3].verdict`.
///
/// Every entry is searched: the span of a table written with a `[header]` covers the header
/// only, not the keys below it.
fn key_path(table: &DeTable<'_>, offset: usize) -> Option<String> {
    search_table(table, offset, "", 0)
}

fn search_table(table: &DeTable<'_>, offset: usize, path: &str, depth: usize) -> Option<String> {
    if depth >= KEY_DEPTH_MAX {
        return None;
    }
    table.iter().find_map(|(key, value)| {
        let mut child = path.to_owned();
        if !child.is_empty() {
            child.push('.');
        }
        push_key(&mut child, key.get_ref());
        search_value(value, offset, &child, depth + 1).or_else(|| {
            (contains(&key.span(), offset) || contains(&value.span(), offset)).then_some(child)
        })
    })
}

/// The deepest path below `value` (whose own path is `path`) that holds `offset`.
fn search_value(
    value: &Spanned<DeValue<'_>>,
    offset: usize,
    path: &str,
    depth: usize,
) -> Option<String> {
    match value.get_ref() {
        DeValue::Table(table) => search_table(table, offset, path, depth),
        DeValue::Array(items) if depth < KEY_DEPTH_MAX => {
            items.iter().enumerate().find_map(|(index, item)| {
                let child = format!("{path}[{index}]");
                search_value(item, offset, &child, depth + 1)
                    .or_else(|| contains(&item.span(), offset).then_some(child))
            })
        }
        _ => None,
    }
}

/// Whether `span` holds `offset`; an empty span holds its start (errors at the end of input).
fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

/// Appends a key, quoted if it is not a bare TOML key.
fn push_key(path: &mut String, key: &str) {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        path.push_str(key);
    } else {
        path.push_str(&format!("{key:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "a = 1\nb = \"é\"x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 12), (2, 6));
        assert_eq!(line_column(text, 11), (2, 6), "inside a character");
        assert_eq!(line_column(text, 1000), (3, 1));
    }
}
