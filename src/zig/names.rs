//! Zig identifiers for SIRS names.
//!
//! Zig rejects keywords and primitive type names as identifiers, forbids a local from
//! shadowing another local or a top-level declaration, and rejects unused locals. User names
//! are kept where possible: a reserved word gets a `_` suffix (`type` → `type_`), and a name
//! already taken in scope gets a counter (`x`, `x_2`, `x_3`). [`Namer`] hands out the names.

use std::collections::HashSet;

const KEYWORDS: &[&str] = &[
    "addrspace", "align", "allowzero", "and", "anyframe", "anytype", "asm", "async", "await", "break", "callconv", "catch",
    "comptime", "const", "continue", "defer", "else", "enum", "errdefer", "error", "export", "extern", "fn", "for", "if",
    "inline", "linksection", "noalias", "noinline", "nosuspend", "opaque", "or", "orelse", "packed", "pub", "resume",
    "return", "struct", "suspend", "switch", "test", "threadlocal", "try", "union", "unreachable", "usingnamespace", "var",
    "volatile", "while",
];

const PRIMITIVES: &[&str] = &[
    "anyerror", "anyframe", "anyopaque", "bool", "c_char", "c_int", "c_long", "c_longdouble", "c_longlong", "c_short",
    "c_uint", "c_ulong", "c_ulonglong", "c_ushort", "comptime_float", "comptime_int", "f16", "f32", "f64", "f80", "f128",
    "false", "isize", "noreturn", "null", "true", "type", "undefined", "usize", "void",
];

/// Names the generated file declares at top level; user names must not collide with them.
pub const RESERVED_TOP_LEVEL: &[&str] = &["std", "rt", "main", "panic", "sev_source_file", "sev_main"];

/// Whether `name` can be used as a Zig identifier as it is.
pub fn is_plain_identifier(name: &str) -> bool {
    // `_` is Zig's discard, not a name.
    if KEYWORDS.contains(&name) || PRIMITIVES.contains(&name) || name == "_" {
        return false;
    }
    !looks_like_int_type(name)
}

/// `i7`, `u64`, `u0`, `i999999`, `u8_1`: names Zig reads as an arbitrary-width integer type
/// (digits may be separated by `_`), so that even `i999999_` is an error (too wide) there.
fn looks_like_int_type(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('i' | 'u'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_digit() || c == '_')
}

/// Escapes a reserved identifier: a keyword, primitive or top-level name gets a `_` suffix
/// (`type` → `type_`); a name Zig reads as an integer type is quoted (`@"i999999"`), since
/// no suffix makes it an ordinary identifier.
pub fn escape(name: &str) -> String {
    if looks_like_int_type(name) {
        return format!("@\"{name}\"");
    }
    if is_plain_identifier(name) && !RESERVED_TOP_LEVEL.contains(&name) { name.to_string() } else { format!("{name}_") }
}

/// The name an escaped identifier declares, as a string (for `@field` and the like).
pub fn escaped_string(name: &str) -> String {
    let escaped = escape(name);
    let bare = escaped.strip_prefix("@\"").and_then(|rest| rest.strip_suffix('"')).unwrap_or(&escaped);
    string_literal(bare)
}

/// `base` with a counter: inside the quotes of a quoted identifier.
fn numbered(base: &str, i: usize) -> String {
    match base.strip_suffix('"') {
        Some(open) => format!("{open}_{i}\""),
        None => format!("{base}_{i}"),
    }
}

/// Hands out unique identifiers within one scope of names.
#[derive(Clone, Debug, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn with_taken(names: impl IntoIterator<Item = String>) -> Namer {
        Namer { taken: names.into_iter().collect() }
    }

    /// A fresh identifier based on `base`.
    pub fn fresh(&mut self, base: &str) -> String {
        let base = escape(base);
        if self.taken.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|i| numbered(&base, i))
            .find(|candidate| !self.taken.contains(candidate))
            .inspect(|name| {
                self.taken.insert(name.clone());
            })
            .unwrap_or(base)
    }

    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }
}

/// A Zig string literal for `s` (escaped so that any content is valid).
pub fn string_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_primitives_are_escaped() {
        assert_eq!(escape("type"), "type_");
        assert_eq!(escape("i32"), "@\"i32\"");
        assert_eq!(escape("u0"), "@\"u0\"");
        assert_eq!(escape("i08"), "@\"i08\"");
        assert_eq!(escape("i999999"), "@\"i999999\"");
        assert_eq!(escape("i999999_"), "@\"i999999_\"");
        assert_eq!(escape("u8_2"), "@\"u8_2\"");
        assert_eq!(escape("i_8"), "i_8");
        assert_eq!(escape("int"), "int");
        assert_eq!(escape("main"), "main_");
        assert_eq!(escape("index"), "index");
    }

    #[test]
    fn namer_counts_duplicates() {
        let mut n = Namer::default();
        assert_eq!(n.fresh("x"), "x");
        assert_eq!(n.fresh("x"), "x_2");
        assert_eq!(n.fresh("x"), "x_3");
        assert_eq!(n.fresh("while"), "while_");
        assert_eq!(n.fresh("u0"), "@\"u0\"");
        assert_eq!(n.fresh("u0"), "@\"u0_2\"");
        assert_eq!(escaped_string("u0"), "\"u0\"");
        assert_eq!(escaped_string("type"), "\"type_\"");
    }

    #[test]
    fn string_literals_escape_everything() {
        assert_eq!(string_literal("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
        assert_eq!(string_literal("\\d+"), "\"\\\\d+\"");
    }
}
