//! `sev fmt`: the one canonical layout of SIRS JSON.
//!
//! The formatter works on the JSON tree (`syntax::json`), not on the AST, so it keeps
//! everything a file says: unknown keys, numbers exactly as written (`1.0` stays `1.0`), string
//! contents and the order of every map (in SIRS the order of `functions`, `types` and record
//! `fields` is meaning). [`order`] puts the keys of statements, expressions and declarations in
//! one canonical order; [`layout`] lays the tree out: two-space indentation, and a node stays on
//! one line when it fits in [`WIDTH`] columns. A file that is not valid JSON (including comments, trailing
//! commas and repeated keys, which the reader recovers from but a rewrite would lose or
//! silently resolve) is not formatted: the caller gets the same diagnostics `sev check` gives.

pub mod layout;
pub mod order;

use crate::diagnostic::Diagnostic;
use crate::span::SourceFile;
use crate::syntax::error::ParseError;
use crate::syntax::json;

/// The line width the layout aims for.
pub const WIDTH: usize = 100;

/// What formatting one file produced.
pub enum Formatted {
    /// The canonical text (ends with a newline).
    Text(String),
    /// The file is not valid JSON: its diagnostics, and the file to render them against.
    Invalid(SourceFile, Vec<Diagnostic>),
}

/// Formats the bytes of one SIRS file named `name`.
pub fn format(name: &str, bytes: &[u8]) -> Formatted {
    let text = match json::check_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            return Formatted::Invalid(file, vec![ParseError::Json(e).to_diagnostic()]);
        }
    };
    let (tree, errors) = json::parse(text);
    match tree {
        Some(tree) if errors.is_empty() => Formatted::Text(layout::render(&order::canonical(&tree), WIDTH)),
        _ => {
            let diagnostics = errors.into_iter().map(|e| ParseError::Json(e).to_diagnostic()).collect();
            Formatted::Invalid(SourceFile::new(name, text), diagnostics)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(text: &str) -> String {
        match format("t.sirs.json", text.as_bytes()) {
            Formatted::Text(t) => t,
            Formatted::Invalid(_, d) => panic!("unexpected diagnostics: {d:?}"),
        }
    }

    #[test]
    fn short_nodes_stay_on_one_line_and_numbers_keep_their_text() {
        let out = formatted("{\n \"literal\" :\n 1.0e0 }");
        assert_eq!(out, "{\"literal\": 1.0e0}\n");
    }

    #[test]
    fn comments_are_refused_rather_than_dropped() {
        match format("t.sirs.json", b"{\"a\": 1 // note\n}") {
            Formatted::Invalid(_, d) => assert_eq!(d.len(), 1),
            Formatted::Text(t) => panic!("formatted a file with a comment: {t}"),
        }
    }

    #[test]
    fn repeated_keys_are_refused() {
        assert!(matches!(format("t.sirs.json", b"{\"a\": 1, \"a\": 2}"), Formatted::Invalid(..)));
    }
}
