//! The text of the synthetic program each REPL input is checked as, and the map from its bytes
//! back to where they came from: a loaded file, the JSON typed at the prompt, or the short
//! syntax that was translated to JSON. Diagnostics and runtime faults of the synthetic program
//! are shown against those texts, never against the synthetic one.

use crate::span::Span;
use std::ops::Range;
use std::rc::Rc;

/// A text the user wrote: a loaded file or one input at the prompt.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// JSON text that pieces of the synthetic program are copied from: a source itself, or the
/// JSON translation of a source's short syntax with its [`Node`]s.
#[derive(Clone, Debug)]
pub struct Json {
    pub source: usize,
    pub text: Rc<str>,
    pub nodes: Option<Rc<Vec<Node>>>,
}

/// A node of a translation: its JSON range and the range of the short syntax it came from.
/// A verbatim node is JSON written inside the short syntax, copied byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub json: Range<usize>,
    pub src: Range<usize>,
    pub verbatim: bool,
}

impl Json {
    /// The JSON is the source's own text.
    pub fn verbatim(source: usize, text: &str) -> Json {
        Json { source, text: Rc::from(text), nodes: None }
    }

    /// Where the JSON range `at` came from in the source.
    fn origin(&self, at: Range<usize>) -> Option<Range<usize>> {
        let Some(nodes) = &self.nodes else { return Some(at) };
        let node = nodes.iter().filter(|n| n.json.start <= at.start && at.end <= n.json.end).min_by_key(|n| n.json.len())?;
        if node.verbatim {
            let shift = |x: usize| x - node.json.start + node.src.start;
            return Some(shift(at.start)..shift(at.end));
        }
        Some(node.src.clone())
    }
}

struct Segment {
    at: Range<usize>,
    from: Option<(Json, usize)>,
}

/// The synthetic program's text, built piece by piece.
#[derive(Default)]
pub struct Synth {
    pub text: String,
    segments: Vec<Segment>,
}

impl Synth {
    /// Appends text the REPL wrote itself.
    pub fn glue(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends the bytes `span` of `json`, remembering where they came from.
    pub fn copy(&mut self, json: &Json, span: Span) {
        let start = self.text.len();
        self.text.push_str(&json.text[span.range()]);
        self.segments.push(Segment { at: start..self.text.len(), from: Some((json.clone(), span.start as usize)) });
    }

    /// The source and the range in it that the synthetic bytes `span` came from; `None` for
    /// text the REPL wrote itself.
    pub fn origin(&self, span: Span) -> Option<(usize, Range<usize>)> {
        let (start, end) = (span.start as usize, span.end as usize);
        let segment = self.segments.iter().find(|s| s.at.start <= start && start < s.at.end.max(s.at.start + 1))?;
        let (json, base) = segment.from.as_ref()?;
        let rel = |x: usize| x.min(segment.at.end) - segment.at.start + base;
        let range = json.origin(rel(start)..rel(end.max(start)))?;
        Some((json.source, range))
    }
}

/// Appends `text` to `out` as a JSON string literal.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::Value::String(text.to_string()).to_string());
}

/// The end of the JSON value that starts at byte `start` of `text` (an object, array or string
/// is followed to its closing bracket or quote; anything else ends at the next delimiter).
pub fn value_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth <= 1 => return if depth == 1 { i + 1 } else { i },
            b'}' | b']' => depth -= 1,
            b',' | b'\n' if depth == 0 => return i,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_bytes_map_back_to_their_source() {
        let mut synth = Synth::default();
        synth.glue("{\"a\": ");
        let json = Json::verbatim(3, "  {\"literal\": 1}");
        synth.copy(&json, Span::new(2, 16));
        synth.glue("}");
        assert_eq!(synth.text, "{\"a\": {\"literal\": 1}}");
        assert_eq!(synth.origin(Span::new(6, 20)), Some((3, 2..16)));
        assert_eq!(synth.origin(Span::new(0, 3)), None);
    }

    #[test]
    fn translated_bytes_map_to_the_smallest_node() {
        let node = |json: Range<usize>, src: Range<usize>, verbatim| Node { json, src, verbatim };
        let nodes = vec![node(0..40, 0..5, false), node(10..20, 4..5, false), node(30..38, 20..28, true)];
        let json = Json { source: 1, text: Rc::from("x".repeat(40)), nodes: Some(Rc::new(nodes)) };
        let mut synth = Synth::default();
        synth.copy(&json, Span::new(0, 40));
        assert_eq!(synth.origin(Span::new(12, 14)), Some((1, 4..5)));
        assert_eq!(synth.origin(Span::new(5, 30)), Some((1, 0..5)));
        assert_eq!(synth.origin(Span::new(32, 34)), Some((1, 22..24)));
    }

    #[test]
    fn a_value_ends_at_its_closing_bracket() {
        let text = r#"{"a": {"b": "}"}, "c": 1}"#;
        assert_eq!(value_end(text, 6), 16);
        assert_eq!(value_end(text, 23), 24);
        assert_eq!(value_end(text, 0), text.len());
    }
}
