//! Zig identifiers for SIRS names.
//!
//! Zig rejects keywords and primitive type names as identifiers, forbids a local from
//! shadowing another local or a top-level declaration, and rejects unused locals. User names
//! are kept where possible: a reserved word gets a `_` suffix (`type` → `type_`), and a name
//! already taken in scope gets a counter (`x`, `x_2`, `x_3`). [`Namer`] hands out the names.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

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

/// Whether Zig reads `name` as an integer type (`i7`, `u64`, `u0`) or rejects it as one that
/// is malformed: Zig reads the digits after `i`/`u` up to the first other character, and a
/// leading zero (`u0x`) or a width past 65535 (`i999999`, `i999999__Pair`) is an error even
/// when other characters follow. `i12x` and `u8_1` are ordinary identifiers.
fn looks_like_int_type(name: &str) -> bool {
    let b = name.as_bytes();
    if b.len() < 2 || !matches!(b[0], b'i' | b'u') || !b[1].is_ascii_digit() {
        return false;
    }
    if b[1] == b'0' {
        return true;
    }
    let mut bits: u32 = 0;
    for &c in &b[1..] {
        if !c.is_ascii_digit() {
            return false;
        }
        bits = bits * 10 + u32::from(c - b'0');
        if bits > 65535 {
            return true;
        }
    }
    true
}

/// Escapes a reserved identifier: a keyword, primitive or top-level name gets a `_` suffix
/// (`type` → `type_`); a name Zig reads as an integer type is quoted (`@"i999999"`), since
/// no suffix makes it an ordinary identifier. Names the backend makes up (`Tree__i64`, a
/// function instance) pass through here too.
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
fn numbered(base: &str, i: u32) -> String {
    match base.strip_suffix('"') {
        Some(open) => format!("{open}_{i}\""),
        None => format!("{base}_{i}"),
    }
}

/// Hands out unique identifiers within one scope of names.
#[derive(Clone, Debug, Default)]
pub struct Namer {
    /// Names of the enclosing scope, shared by every namer inside it (so giving each function
    /// of a large program its namer does not copy every top-level name again).
    outer: Rc<HashSet<String>>,
    taken: HashSet<String>,
    /// For a base name already handed out, the counter to try next. The first free counter
    /// never decreases (names are only added), so starting there finds the same name as
    /// counting from 2, without going over a thousand `x_…` for the thousandth `x`.
    next_counter: HashMap<String, u32>,
}

impl Namer {
    pub fn with_taken(names: impl IntoIterator<Item = String>) -> Namer {
        Namer { outer: Rc::default(), taken: names.into_iter().collect(), next_counter: HashMap::new() }
    }

    /// A namer for a scope inside one whose names are `outer`.
    pub fn inside(outer: Rc<HashSet<String>>) -> Namer {
        Namer { outer, taken: HashSet::new(), next_counter: HashMap::new() }
    }

    fn is_taken(&self, name: &str) -> bool {
        self.outer.contains(name) || self.taken.contains(name)
    }

    /// A fresh identifier based on `base`.
    pub fn fresh(&mut self, base: &str) -> String {
        let base = escape(base);
        if !self.outer.contains(&base) && self.taken.insert(base.clone()) {
            return base;
        }
        let start = self.next_counter.get(&base).copied().unwrap_or(2);
        let found = (start..).map(|i| (i, numbered(&base, i))).find(|(_, candidate)| !self.is_taken(candidate));
        match found {
            Some((i, name)) => {
                self.taken.insert(name.clone());
                self.next_counter.insert(base, i + 1);
                name
            }
            None => base,
        }
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
        assert_eq!(escape("i999999__Pair__i64"), "@\"i999999__Pair__i64\"");
        assert_eq!(escape("u0abc"), "@\"u0abc\"");
        assert_eq!(escape("u8_2"), "u8_2");
        assert_eq!(escape("i12x"), "i12x");
        assert_eq!(escape("i65535x"), "i65535x");
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
    fn namer_inside_a_scope_avoids_the_outer_names() {
        let outer: HashSet<String> = ["x", "x_3"].iter().map(|s| s.to_string()).collect();
        let mut n = Namer::inside(Rc::new(outer));
        assert_eq!(n.fresh("x"), "x_2");
        assert_eq!(n.fresh("x"), "x_4");
        n.reserve("x_5");
        assert_eq!(n.fresh("x"), "x_6");
        assert_eq!(n.fresh("y"), "y");
    }

    /// The counter memo gives exactly the names of counting from 2 each time, whatever mix of
    /// fresh names and reserved ones comes.
    #[test]
    fn namer_matches_counting_from_two() {
        let mut namer = Namer::default();
        let mut naive: HashSet<String> = HashSet::new();
        let mut state = 12345u64;
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let base = ["a", "b", "a_2", "c"][(state >> 33) as usize % 4];
            if (state >> 40).is_multiple_of(5) {
                let name = format!("{base}_{}", (state >> 45) % 40 + 2);
                namer.reserve(&name);
                naive.insert(name);
                continue;
            }
            let expected = if naive.insert(base.to_string()) {
                base.to_string()
            } else {
                let name = (2..).map(|i| format!("{base}_{i}")).find(|c| !naive.contains(c)).expect("a free name");
                naive.insert(name.clone());
                name
            };
            assert_eq!(namer.fresh(base), expected);
        }
    }

    #[test]
    fn string_literals_escape_everything() {
        assert_eq!(string_literal("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
        assert_eq!(string_literal("\\d+"), "\"\\\\d+\"");
    }
}
