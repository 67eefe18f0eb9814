//! The layout rules of `sev fmt`, as a `pretty::Doc` built from the JSON tree.
//!
//! - An object or array is one group: laid out flat (`{"var": "x"}`, `[1, 2]`, one space after
//!   each `:` and `,`) when it fits the width from where it starts, otherwise one member or
//!   element per line, indented two spaces more than the line that opened it, with the closing
//!   bracket on its own line. The test includes the comma that follows the node, so a flat line
//!   never runs past the width because of it.
//! - Empty objects and arrays are `{}` and `[]`.
//! - Keys keep their order; numbers keep the text they were written with; strings are written
//!   with the shortest JSON escapes (`\"`, `\\`, `\n`, `\t`, …, `\u00XX` for other control
//!   characters) and every other character as itself.
//! - The file ends with one newline.
//!
//! For example, at width 48:
//!
//! ```text
//! {"let": {"name": "x", "value": {"literal": 1}}, "at": 1}
//! ```
//! becomes
//! ```text
//! {
//!   "let": {"name": "x", "value": {"literal": 1}},
//!   "at": 1
//! }
//! ```

use crate::pretty::{Doc, concat, hardline, join, line, softline, text};
use crate::syntax::json::{Json, JsonKind, Member};

/// Indentation of each nesting level.
const INDENT: usize = 2;

/// Lays out `tree` within `width` columns.
pub fn render(tree: &Json, width: usize) -> String {
    let doc = concat([value(tree, Doc::Nil), hardline()]);
    doc.render(width)
}

/// The document of `json` followed by `after` (a comma or nothing), in one group so that the
/// width test counts what follows on the same line.
fn value(json: &Json, after: Doc) -> Doc {
    match &json.kind {
        JsonKind::Null => concat([text("null"), after]),
        JsonKind::Bool(b) => concat([text(if *b { "true" } else { "false" }), after]),
        JsonKind::Number(n) => concat([text(n.clone()), after]),
        JsonKind::Str(s) => concat([text(quoted(s)), after]),
        JsonKind::Array(items) => bracketed("[", "]", items.iter().map(|item| |sep| value(item, sep)).collect(), after),
        JsonKind::Object(members) => bracketed("{", "}", members.iter().map(|m| |sep| member(m, sep)).collect(), after),
    }
}

fn member(m: &Member, after: Doc) -> Doc {
    concat([text(quoted(&m.key)), text(": "), value(&m.value, after)])
}

/// `open` items `close` as a group; each item is built with the separator that follows it.
fn bracketed<F: Fn(Doc) -> Doc>(open: &str, close: &str, items: Vec<F>, after: Doc) -> Doc {
    if items.is_empty() {
        return concat([text(open), text(close), after]);
    }
    let last = items.len() - 1;
    let inner = join(items.iter().enumerate().map(|(i, item)| item(if i < last { text(",") } else { Doc::Nil })), line());
    concat([text(open), concat([softline(), inner]).nest(INDENT), softline(), text(close), after]).group()
}

/// A JSON string literal with the shortest escapes.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json::parse;

    fn at(width: usize, source: &str) -> String {
        let (tree, errors) = parse(source);
        assert!(errors.is_empty(), "{errors:?}");
        render(&tree.expect("a tree"), width)
    }

    #[test]
    fn a_node_that_does_not_fit_breaks_one_member_per_line() {
        let source = r#"{"let": {"name": "x", "value": {"literal": 1}}, "at": 1}"#;
        assert_eq!(at(57, source), format!("{source}\n"));
        let outer_broken = "{\n  \"let\": {\"name\": \"x\", \"value\": {\"literal\": 1}},\n  \"at\": 1\n}\n";
        assert_eq!(at(48, source), outer_broken);
        let both_broken = "{\n  \"let\": {\n    \"name\": \"x\",\n    \"value\": {\"literal\": 1}\n  },\n  \"at\": 1\n}\n";
        assert_eq!(at(47, source), both_broken);
    }

    #[test]
    fn the_comma_after_a_node_counts_toward_the_width() {
        // Flat, `[1, 2],` is 7 columns; at width 6 the inner array must break.
        assert_eq!(at(6, "[[1, 2], 3]"), "[\n  [\n    1,\n    2\n  ],\n  3\n]\n");
        assert_eq!(at(9, "[[1, 2], 3]"), "[\n  [1, 2],\n  3\n]\n");
    }

    #[test]
    fn empty_containers_and_escapes() {
        assert_eq!(at(80, r#"{"a": [], "b": {}, "c": "q\"\\\n\u0001é"}"#), "{\"a\": [], \"b\": {}, \"c\": \"q\\\"\\\\\\n\\u0001é\"}\n");
    }
}
