//! Mechanical repairs (`sev lint --fix`) as text edits on the SIRS source.
//!
//! Edits keep the author's layout: a rename replaces one string, a deleted statement takes
//! the comma that separated it from its neighbour with it, an added key goes before a closing
//! brace. [`apply`] resolves the edits against the text, drops any that overlap one already
//! taken, and applies them from the end so earlier offsets stay valid.

use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Replace the text at `span`.
    Replace { span: Span, text: String },
    /// Insert text at a byte offset.
    Insert { at: usize, text: String },
    /// Delete an element of a JSON array, with the comma that separates it.
    DeleteElement { span: Span },
}

impl Edit {
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit::Replace { span, text: text.into() }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::Insert { at, text: text.into() }
    }

    pub fn delete_element(span: Span) -> Edit {
        Edit::DeleteElement { span }
    }

    /// The byte range replaced and its new text.
    fn resolve(&self, source: &str) -> (usize, usize, String) {
        match self {
            Edit::Replace { span, text } => (span.start as usize, span.end as usize, text.clone()),
            Edit::Insert { at, text } => (*at, *at, text.clone()),
            Edit::DeleteElement { span } => {
                let (start, end) = element_with_comma(source, span.start as usize, span.end as usize);
                (start, end, String::new())
            }
        }
    }
}

/// The range of an array element and one adjacent comma: the comma before it when there is
/// one, otherwise the comma after it and the space up to the next element.
fn element_with_comma(source: &str, start: usize, end: usize) -> (usize, usize) {
    let before = source.get(..start).unwrap_or("").trim_end();
    if before.ends_with(',') {
        return (before.len() - 1, end);
    }
    let after = source.get(end..).unwrap_or("");
    let trimmed = after.trim_start();
    if let Some(rest) = trimmed.strip_prefix(',') {
        let next = rest.len() - rest.trim_start().len();
        return (start, end + (after.len() - trimmed.len()) + 1 + next);
    }
    (start, end)
}

/// Applies `edits` to `source`; returns the new text and how many edits were applied.
pub fn apply(source: &str, edits: &[Edit]) -> (String, usize) {
    let mut ranges: Vec<(usize, usize, String)> = edits.iter().map(|e| e.resolve(source)).collect();
    ranges.sort_by_key(|(start, end, _)| (*start, *end));
    let mut taken: Vec<(usize, usize, String)> = Vec::new();
    for r in ranges {
        let overlaps = taken.last().is_some_and(|(_, end, _)| r.0 < *end || (r.0 == *end && r.0 == r.1));
        if !overlaps && r.1 <= source.len() && source.is_char_boundary(r.0) && source.is_char_boundary(r.1) {
            taken.push(r);
        }
    }
    let mut out = source.to_string();
    for (start, end, text) in taken.iter().rev() {
        out.replace_range(*start..*end, text);
    }
    (out, taken.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_elements_takes_the_right_comma() {
        let source = "[1, 2, 3]";
        assert_eq!(apply(source, &[Edit::delete_element(Span::new(4, 5))]).0, "[1, 3]");
        assert_eq!(apply(source, &[Edit::delete_element(Span::new(1, 2))]).0, "[2, 3]");
        assert_eq!(apply(source, &[Edit::delete_element(Span::new(7, 8))]).0, "[1, 2]");
        assert_eq!(apply("[1]", &[Edit::delete_element(Span::new(1, 2))]).0, "[]");
    }

    #[test]
    fn overlapping_edits_are_dropped_and_counted() {
        let edits = [Edit::replace(Span::new(1, 4), "\"_x\""), Edit::replace(Span::new(2, 3), "y")];
        assert_eq!(apply("[\"x\"]", &edits), ("[\"_x\"]".to_string(), 1));
    }
}
