//! Source excerpts of bounded width for the human rendering of a diagnostic.
//!
//! codespan-reporting prints every labelled line whole, so one error in a minified file would
//! print the entire file. [`Excerpt`] is the file as codespan sees it instead: only the lines a
//! diagnostic shows, and a line longer than [`MAX_LINE_CHARS`] cut down to windows of
//! [`CONTEXT_CHARS`] around each label end, the cuts marked with `…`. Line numbers and the
//! `file:line:column` locus stay those of the real file; label ranges are moved into the cut text
//! with [`Excerpt::shown`]. The work is proportional to the lines shown, not to the file.

use crate::span::SourceFile;
use codespan_reporting::files::{Error, Files, Location};
use std::ops::Range;

/// Lines up to this many characters are shown whole.
pub const MAX_LINE_CHARS: usize = 200;

/// Characters kept on each side of a label end in a longer line.
pub const CONTEXT_CHARS: usize = 60;

/// Lines codespan renders after the first line of a multi-line label (its `start_context_lines`).
const START_CONTEXT_LINES: usize = 3;

const ELLIPSIS: &str = "…";

/// The shown lines of one file, cut to a bounded width.
pub struct Excerpt<'a> {
    file: &'a SourceFile,
    /// The shown lines one after the other, each ending in `\n`.
    text: String,
    /// Sorted by line index.
    lines: Vec<ShownLine>,
}

struct ShownLine {
    /// 0-based index of the line in the real file.
    index: usize,
    /// Where the line starts in `Excerpt::text`.
    start: usize,
    /// Where its `\n` is in `Excerpt::text`.
    end: usize,
    /// Byte offset of the line in the real file.
    original_start: usize,
    pieces: Vec<Piece>,
}

/// A run of the real line kept in the shown one (byte offsets relative to each line).
struct Piece {
    shown: usize,
    original: usize,
    len: usize,
}

impl<'a> Excerpt<'a> {
    /// The excerpt showing the given byte ranges of `file` (already clamped to its length).
    pub fn new(file: &'a SourceFile, ranges: &[Range<usize>]) -> Excerpt<'a> {
        let mut points: Vec<(usize, Option<usize>)> = Vec::new();
        for range in ranges {
            let first = line_of(file, range.start);
            let last = line_of(file, range.end);
            points.push((first, Some(range.start)));
            points.push((last, Some(range.end)));
            // The lines codespan renders inside a multi-line label: a few after its start and
            // the one before its end.
            let inside = (first + 1..=first + START_CONTEXT_LINES).chain([last.saturating_sub(1)]);
            points.extend(inside.filter(|&l| l > first && l < last).map(|l| (l, None)));
        }
        points.sort_unstable();
        points.dedup();
        fill_single_gaps(&mut points);
        let line_count = file.line_starts().len();
        let mut excerpt = Excerpt { file, text: String::new(), lines: Vec::new() };
        let mut i = 0;
        while i < points.len() {
            let index = points[i].0;
            let mut ends = Vec::new();
            while i < points.len() && points[i].0 == index {
                ends.extend(points[i].1);
                i += 1;
            }
            if index < line_count {
                excerpt.push_line(index, &ends);
            }
        }
        excerpt
    }

    fn push_line(&mut self, index: usize, ends: &[usize]) {
        let original_start = self.file.line_starts()[index];
        let content = line_content(&self.file.text, original_start);
        let relative: Vec<usize> = ends.iter().map(|&e| e.saturating_sub(original_start).min(content.len())).collect();
        let start = self.text.len();
        let pieces = cut(content, &relative);
        let mut shown_pieces = Vec::with_capacity(pieces.len());
        for (n, window) in pieces.iter().enumerate() {
            if n > 0 || window.start > 0 {
                self.text.push_str(ELLIPSIS);
            }
            shown_pieces.push(Piece { shown: self.text.len() - start, original: window.start, len: window.len() });
            self.text.push_str(&content[window.clone()]);
        }
        if pieces.last().is_some_and(|w| w.end < content.len()) {
            self.text.push_str(ELLIPSIS);
        }
        let end = self.text.len();
        self.text.push('\n');
        self.lines.push(ShownLine { index, start, end, original_start, pieces: shown_pieces });
    }

    /// Where a byte offset of the real file is in the excerpt.
    pub fn shown(&self, offset: usize) -> usize {
        let index = line_of(self.file, offset);
        let Ok(at) = self.lines.binary_search_by_key(&index, |l| l.index) else { return self.text.len() };
        let line = &self.lines[at];
        let relative = offset - line.original_start;
        let piece = line.pieces.iter().rev().find(|p| p.original <= relative).or(line.pieces.first());
        match piece {
            Some(p) => line.start + p.shown + relative.saturating_sub(p.original).min(p.len),
            None => line.end,
        }
    }

    /// Where a byte offset of the excerpt is in the real file.
    fn original(&self, shown: usize) -> usize {
        let at = self.lines.partition_point(|l| l.start <= shown).saturating_sub(1);
        let Some(line) = self.lines.get(at) else { return 0 };
        let relative = shown.saturating_sub(line.start);
        let piece = line.pieces.iter().rev().find(|p| p.shown <= relative).or(line.pieces.first());
        line.original_start + piece.map_or(0, |p| p.original + relative.saturating_sub(p.shown).min(p.len))
    }

    /// The excerpt's text, for tests.
    #[cfg(test)]
    fn text(&self) -> &str {
        &self.text
    }
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.file.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, Error> {
        let at = self.lines.partition_point(|l| l.start <= byte_index).saturating_sub(1);
        self.lines.get(at).map(|l| l.index).ok_or(Error::IndexTooLarge { given: byte_index, max: self.text.len() })
    }

    /// The real file's line and column, so the locus reads as usual.
    fn location(&'a self, (): (), byte_index: usize) -> Result<Location, Error> {
        let offset = u32::try_from(self.original(byte_index)).unwrap_or(u32::MAX);
        let (line, column) = self.file.line_col(offset);
        Ok(Location { line_number: line as usize, column_number: column as usize })
    }

    /// A line not shown is empty: codespan only asks for such lines as optional context.
    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        let max = self.file.line_starts().len().saturating_sub(1);
        if line_index > max {
            return Err(Error::LineTooLarge { given: line_index, max });
        }
        Ok(match self.lines.binary_search_by_key(&line_index, |l| l.index) {
            Ok(at) => self.lines[at].start..self.lines[at].end + 1,
            Err(_) => self.text.len()..self.text.len(),
        })
    }
}

/// Adds the line between two shown lines one apart: codespan prints such a line rather than a
/// break. `points` is sorted by line.
fn fill_single_gaps(points: &mut Vec<(usize, Option<usize>)>) {
    let gaps: Vec<usize> = points.windows(2).filter(|w| w[1].0 == w[0].0 + 2).map(|w| w[0].0 + 1).collect();
    points.extend(gaps.into_iter().map(|l| (l, None)));
    points.sort_unstable();
}

fn line_of(file: &SourceFile, offset: usize) -> usize {
    file.line_starts().partition_point(|&s| s <= offset).saturating_sub(1)
}

/// The text of the line starting at `start`, without its line break.
fn line_content(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

/// The parts of `line` to keep: all of it when it is short, otherwise a window of
/// [`CONTEXT_CHARS`] on each side of every point (or the start, without points), merged where
/// they touch.
#[allow(clippy::single_range_in_vec_init, reason = "a list of one window, not the numbers in it")]
fn cut(line: &str, points: &[usize]) -> Vec<Range<usize>> {
    if line.chars().take(MAX_LINE_CHARS + 1).count() <= MAX_LINE_CHARS {
        return vec![0..line.len()];
    }
    if points.is_empty() {
        return vec![0..forward(line, 0, MAX_LINE_CHARS)];
    }
    let mut sorted = points.to_vec();
    sorted.sort_unstable();
    let mut windows: Vec<Range<usize>> = Vec::new();
    for point in sorted {
        let point = floor_boundary(line, point);
        let window = backward(line, point, CONTEXT_CHARS)..forward(line, point, CONTEXT_CHARS);
        match windows.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => windows.push(window),
        }
    }
    windows
}

fn floor_boundary(line: &str, mut at: usize) -> usize {
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte offset `n` characters after `at` (or the end).
fn forward(line: &str, at: usize, n: usize) -> usize {
    line[at..].char_indices().nth(n).map_or(line.len(), |(i, _)| at + i)
}

/// The byte offset `n` characters before `at` (or the start).
fn backward(line: &str, at: usize, n: usize) -> usize {
    line[..at].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init, reason = "a list of one label range")]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_whole() {
        let file = SourceFile::new("t", "ab\ncd\n");
        let excerpt = Excerpt::new(&file, &[4..5]);
        assert_eq!(excerpt.text(), "cd\n");
        assert_eq!(excerpt.shown(4), 1);
        assert_eq!(excerpt.original(1), 4);
    }

    #[test]
    fn a_long_line_is_cut_around_the_label() {
        let line = "x".repeat(1000) + "HERE" + &"y".repeat(1000);
        let file = SourceFile::new("t", line);
        let excerpt = Excerpt::new(&file, &[1000..1004]);
        let shown = excerpt.text().trim_end();
        // Context on both sides of the four-character label, and two ellipses.
        assert_eq!(shown.chars().count(), CONTEXT_CHARS + 4 + CONTEXT_CHARS + 2);
        assert!(shown.starts_with(ELLIPSIS) && shown.ends_with(ELLIPSIS), "{shown}");
        let start = excerpt.shown(1000);
        assert_eq!(&excerpt.text()[start..excerpt.shown(1004)], "HERE");
        assert_eq!(excerpt.original(start), 1000);
    }

    #[test]
    fn distant_label_ends_get_separate_windows() {
        let line = "é".repeat(5000);
        let file = SourceFile::new("t", line);
        let excerpt = Excerpt::new(&file, &[400..402, 8000..8002]);
        let shown = excerpt.text().trim_end();
        assert_eq!(shown.matches(ELLIPSIS).count(), 3, "{shown}");
        // Two windows around one-character labels, and three ellipses.
        assert_eq!(shown.chars().count(), 2 * (CONTEXT_CHARS + 1 + CONTEXT_CHARS) + 3);
        assert_eq!(excerpt.original(excerpt.shown(8000)), 8000);
    }

    #[test]
    fn the_locus_names_the_real_line_and_column() {
        let text = format!("{{\n{}\"bad\"\n}}\n", " ".repeat(500));
        let file = SourceFile::new("t", text);
        let excerpt = Excerpt::new(&file, &[502..507]);
        let location = excerpt.location((), excerpt.shown(502)).expect("location");
        assert_eq!((location.line_number, location.column_number), (2, 501));
        assert_eq!(excerpt.line_index((), excerpt.shown(502)).expect("line"), 1);
    }
}
