//! A small document algebra for generating source text (Lindig's "Strictly Pretty").
//!
//! Code generators build a [`Doc`] tree instead of pushing strings with hand-made
//! indentation: `text` for literal pieces, `line` for a break that becomes a space when its
//! group fits on the line, `hardline` for a break that always happens, `nest` to indent what
//! follows a break, and `group` to try a sub-document flat first. [`Doc::render`] lays it out
//! for a given width.

use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum Doc {
    Nil,
    Text(Rc<str>),
    /// A space when flat, a newline (plus indentation) when broken.
    Line,
    /// Nothing when flat, a newline when broken.
    SoftLine,
    /// Always a newline.
    HardLine,
    Nest(usize, Rc<Doc>),
    Concat(Rc<[Doc]>),
    Group(Rc<Doc>),
}

pub fn text(s: impl Into<String>) -> Doc {
    let s: String = s.into();
    Doc::Text(s.into())
}

pub fn line() -> Doc {
    Doc::Line
}

pub fn softline() -> Doc {
    Doc::SoftLine
}

pub fn hardline() -> Doc {
    Doc::HardLine
}

pub fn concat(docs: impl IntoIterator<Item = Doc>) -> Doc {
    let docs: Vec<Doc> = docs.into_iter().filter(|d| !matches!(d, Doc::Nil)).collect();
    match docs.len() {
        0 => Doc::Nil,
        1 => docs.into_iter().next().unwrap_or(Doc::Nil),
        _ => Doc::Concat(docs.into()),
    }
}

/// `docs` separated by `sep`.
pub fn join(docs: impl IntoIterator<Item = Doc>, sep: Doc) -> Doc {
    let mut out = Vec::new();
    for (i, d) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push(sep.clone());
        }
        out.push(d);
    }
    concat(out)
}

impl Doc {
    pub fn nest(self, indent: usize) -> Doc {
        Doc::Nest(indent, Rc::new(self))
    }

    pub fn group(self) -> Doc {
        Doc::Group(Rc::new(self))
    }

    pub fn append(self, other: Doc) -> Doc {
        concat([self, other])
    }

    /// Lays the document out within `width` columns where groups allow it.
    pub fn render(&self, width: usize) -> String {
        let mut out = String::new();
        let mut column = 0usize;
        let mut stack: Vec<(usize, bool, &Doc)> = vec![(0, false, self)];
        while let Some((indent, flat, doc)) = stack.pop() {
            match doc {
                Doc::Nil => {}
                Doc::Text(s) => {
                    out.push_str(s);
                    column += s.chars().count();
                }
                Doc::Line | Doc::SoftLine if flat => {
                    if matches!(doc, Doc::Line) {
                        out.push(' ');
                        column += 1;
                    }
                }
                Doc::Line | Doc::SoftLine | Doc::HardLine => {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', indent));
                    column = indent;
                }
                Doc::Nest(i, d) => stack.push((indent + i, flat, d)),
                Doc::Concat(ds) => {
                    for d in ds.iter().rev() {
                        stack.push((indent, flat, d));
                    }
                }
                Doc::Group(d) => {
                    let fits = flat || fits(width.saturating_sub(column), d);
                    stack.push((indent, fits, d));
                }
            }
        }
        out
    }
}

/// Whether `doc` laid out flat fits in `remaining` columns (a hard line never fits).
fn fits(remaining: usize, doc: &Doc) -> bool {
    let mut left = remaining as isize;
    let mut stack = vec![doc];
    while let Some(d) = stack.pop() {
        match d {
            Doc::Nil | Doc::SoftLine => {}
            Doc::Text(s) => left -= s.chars().count() as isize,
            Doc::Line => left -= 1,
            Doc::HardLine => return false,
            Doc::Nest(_, d) | Doc::Group(d) => stack.push(d),
            Doc::Concat(ds) => stack.extend(ds.iter().rev()),
        }
        if left < 0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> Doc {
        let args = join(args.iter().map(|a| text(*a)), concat([text(","), line()]));
        concat([text(name), text("("), concat([softline(), args]).nest(4), softline(), text(")")]).group()
    }

    #[test]
    fn group_stays_flat_when_it_fits() {
        assert_eq!(call("f", &["a", "b"]).render(80), "f(a, b)");
    }

    #[test]
    fn group_breaks_when_too_wide() {
        let doc = call("function", &["argument_one", "argument_two"]);
        assert_eq!(doc.render(20), "function(\n    argument_one,\n    argument_two\n)");
    }

    #[test]
    fn hardline_always_breaks_and_nests() {
        let doc = concat([text("{"), concat([hardline(), text("x;")]).nest(4), hardline(), text("}")]);
        assert_eq!(doc.render(80), "{\n    x;\n}");
    }
}
