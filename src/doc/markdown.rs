//! The Markdown form: one file per program with an anchor (`<a id>`) before every item, so
//! the links in signatures and from the index work in any renderer that keeps inline HTML.

use super::{Item, Kind, Page, Piece, Site, summary};
use std::fmt::Write;

pub fn page(page: &Page) -> String {
    let mut out = format!("# {}\n", escape(&page.title));
    if page.items.is_empty() {
        out.push_str("\nThis program declares nothing to document.\n");
    }
    for kind in Kind::ALL {
        let items: Vec<&Item> = page.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let _ = write!(out, "\n## {}\n", kind.title());
        for item in items {
            item_section(&mut out, item);
        }
    }
    out
}

fn item_section(out: &mut String, item: &Item) {
    let _ = write!(out, "\n<a id=\"{}\"></a>\n### {}\n\n```\n{}\n```\n", item.anchor, escape(&item.name), super::plain(&item.signature));
    let links = links(&item.signature);
    if !links.is_empty() {
        let _ = writeln!(out, "\nUses {}.", links.join(", "));
    }
    if let Some(doc) = &item.doc {
        let _ = write!(out, "\n{}\n", doc.trim());
    }
    let mut group = "";
    for d in &item.details {
        if d.group != group {
            group = d.group;
            let _ = write!(out, "\n**{group}**\n\n");
        }
        let text = pieces(&d.text);
        let separator = if text.is_empty() || d.label.is_empty() { "" } else if text.starts_with("`~") { " " } else { ": " };
        let label = if d.label.is_empty() { String::new() } else { code(&d.label) };
        out.push_str(&format!("- {label}{separator}{text}"));
        if let Some(doc) = &d.doc {
            let _ = write!(out, " — {}", doc.trim());
        }
        out.push('\n');
    }
}

/// The distinct links of a line, as Markdown links.
fn links(line: &[Piece]) -> Vec<String> {
    let mut seen = Vec::new();
    for p in line {
        if let Piece::Link { text, anchor } = p {
            let link = format!("[{}](#{anchor})", escape(text));
            if !seen.contains(&link) {
                seen.push(link);
            }
        }
    }
    seen
}

/// A line as code spans, with links around the linked names (`[`[`Shape`](#type-Shape)`]`).
fn pieces(line: &[Piece]) -> String {
    line.iter()
        .map(|p| match p {
            Piece::Text(t) => code(t),
            Piece::Link { text, anchor } => format!("[{}](#{anchor})", code(text)),
        })
        .collect()
}

/// A code span; one with a backtick inside is fenced with two.
fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

/// Backslash-escapes the characters Markdown would read as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `index.md`: every page with its items and their first sentence.
pub fn index(site: &Site) -> String {
    let mut out = format!("# {}\n", escape(&site.title));
    for page in &site.pages {
        let _ = write!(out, "\n## [{}]({}.md)\n\n", escape(&page.title), page.slug);
        for item in &page.items {
            let doc = summary(item.doc.as_deref());
            let _ = write!(out, "- {} [{}]({}.md#{})", item.kind.word(), escape(&item.name), page.slug, item.anchor);
            if !doc.is_empty() {
                let _ = write!(out, " — {doc}");
            }
            out.push('\n');
        }
    }
    out
}
