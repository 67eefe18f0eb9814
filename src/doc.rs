//! `sev doc`: documentation of SIRS programs as Markdown and as a static HTML site.
//!
//! `extract` turns a parsed program into a [`Page`] of [`Item`]s — models (with their data,
//! parameters and priors, and what they observe), types, traits, implementations, functions and
//! C functions (externs), constants and declared distributions — each with a signature, its `doc` string and details. Names of the
//! program's types and traits inside signatures are [`Piece::Link`]s to their sections.
//! `markdown` and `html` render pages and the index of a [`Site`] (every page of one run); the
//! HTML is self-contained (inline CSS and JavaScript, no external assets) and carries a search
//! index of every item of the site. Everything here is pure; `commands::doc` reads and writes.

mod extract;
pub(crate) mod html;
mod markdown;
mod text;

pub use extract::page;

/// Part of a line of documentation: text, or a name linking to an item on the same page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Link { text: String, anchor: String },
}

/// The sections of a page, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Model,
    Type,
    Trait,
    Impl,
    Function,
    Extern,
    Constant,
    Distribution,
}

impl Kind {
    pub const ALL: [Kind; 8] = [Kind::Model, Kind::Type, Kind::Trait, Kind::Impl, Kind::Function, Kind::Extern, Kind::Constant, Kind::Distribution];

    /// The heading of the section.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Model => "Models",
            Kind::Type => "Types",
            Kind::Trait => "Traits",
            Kind::Impl => "Implementations",
            Kind::Function => "Functions",
            Kind::Extern => "C functions",
            Kind::Constant => "Constants",
            Kind::Distribution => "Distributions",
        }
    }

    /// The short word shown beside a search result.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Model => "model",
            Kind::Type => "type",
            Kind::Trait => "trait",
            Kind::Impl => "impl",
            Kind::Function => "fn",
            Kind::Extern => "extern",
            Kind::Constant => "const",
            Kind::Distribution => "distribution",
        }
    }
}

/// A row under an item: a field, a variant, a method, a datum, a parameter, an observation.
#[derive(Clone, Debug)]
pub struct Detail {
    /// The heading the row is listed under ("Fields", "Parameters", …).
    pub group: &'static str,
    pub label: String,
    pub text: Vec<Piece>,
    pub doc: Option<String>,
}

/// One documented declaration.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    pub name: String,
    /// Its id on the page (`fn-area`, `type-Point`, …), unique within the page.
    pub anchor: String,
    pub signature: Vec<Piece>,
    pub doc: Option<String>,
    pub details: Vec<Detail>,
}

/// The documentation of one program file.
#[derive(Clone, Debug)]
pub struct Page {
    /// The file's name as given.
    pub title: String,
    /// The output file name without extension (unique within the site).
    pub slug: String,
    pub items: Vec<Item>,
}

/// Every page of one `sev doc` run.
#[derive(Clone, Debug)]
pub struct Site {
    pub title: String,
    pub pages: Vec<Page>,
}

/// The text of pieces without links.
pub fn plain(pieces: &[Piece]) -> String {
    pieces.iter().map(|p| match p { Piece::Text(t) => t.as_str(), Piece::Link { text, .. } => text.as_str() }).collect()
}

/// The first sentence of a doc string (what a search result and the index show).
pub fn summary(doc: Option<&str>) -> String {
    let doc = doc.unwrap_or("").trim();
    let end = doc.find(". ").map_or(doc.len(), |i| i + 1);
    doc[..end].to_string()
}

/// One output file: its name in the output folder and its contents.
pub struct Output {
    pub name: String,
    pub contents: String,
}

/// The Markdown files of a site: one per page and `index.md`.
pub fn markdown_files(site: &Site) -> Vec<Output> {
    let mut out: Vec<Output> = site.pages.iter().map(|p| Output { name: format!("{}.md", p.slug), contents: markdown::page(p) }).collect();
    out.push(Output { name: "index.md".into(), contents: markdown::index(site) });
    out
}

/// The HTML files of a site: one per page and `index.html`.
pub fn html_files(site: &Site) -> Vec<Output> {
    let mut out: Vec<Output> = site.pages.iter().map(|p| Output { name: format!("{}.html", p.slug), contents: html::page(p, site) }).collect();
    out.push(Output { name: "index.html".into(), contents: html::index(site) });
    out
}

/// Renders one page as Markdown (what the snapshot tests look at).
pub fn page_markdown(page: &Page) -> String {
    markdown::page(page)
}
