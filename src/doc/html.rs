//! The HTML form: a page per program and `index.html`, each self-contained — inline CSS, a
//! sidebar with the page's items and a search box, and the search index of the whole site as a
//! JSON array inside the page (no external assets, no network). A `?q=WORDS` in the address
//! fills the search box, so a link can open a search.

use super::{Item, Kind, Page, Piece, Site, summary};
use std::fmt::Write;

const STYLE: &str = "
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d232b;background:#fafbfc;display:flex}
nav{width:260px;flex:none;height:100vh;position:sticky;top:0;overflow:auto;background:#eef1f5;border-right:1px solid #d5dbe3;padding:16px;box-sizing:border-box}
nav h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:#5a6675;margin:16px 0 4px}
nav a{display:block;color:#1f4f8f;text-decoration:none;padding:1px 0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
nav a:hover{text-decoration:underline}
nav label{display:block;font-weight:600;margin-bottom:4px}#search{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid #b8c2cf;border-radius:4px;font:inherit}
#results{list-style:none;padding:0;margin:6px 0}
#results li{padding:2px 0}
#results small{color:#5a6675}
main{flex:1;max-width:920px;padding:24px 40px}
h1{font-size:26px;margin:0 0 8px}
h2.section{border-bottom:2px solid #d5dbe3;padding-bottom:4px;margin-top:32px}
h2.section a{color:inherit;text-decoration:none}
section.item{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:12px 16px;margin:14px 0}
section.item h3{margin:0 0 6px;font-size:17px}
.kind{font-size:12px;color:#fff;background:#5a6675;border-radius:3px;padding:1px 6px;margin-right:6px;vertical-align:2px}
.kind.model{background:#8a3ea8}.kind.type{background:#2f7d4f}.kind.trait{background:#b0641c}.kind.impl{background:#7a6a2a}.kind.fn{background:#1f5fa8}.kind.extern{background:#4a5a6a}.kind.const{background:#2a7a7a}
pre.sig{background:#f2f4f7;border-radius:4px;padding:8px 10px;margin:6px 0;white-space:pre-wrap;font:14px/1.4 ui-monospace,monospace}
pre.sig a,td a{color:#1f5fa8}
table{border-collapse:collapse;margin:4px 0 8px}
td{padding:2px 12px 2px 0;vertical-align:baseline}
td code,td.sig{font:13.5px ui-monospace,monospace}
h4{margin:10px 0 2px;font-size:14px;color:#3a4654}
p.doc{margin:6px 0}
";

const SCRIPT: &str = "
(function(){
  var index = JSON.parse(document.getElementById('search-index').textContent);
  var input = document.getElementById('search'), list = document.getElementById('results');
  input.addEventListener('input', function(){
    var q = input.value.trim().toLowerCase();
    list.innerHTML = '';
    if (!q) return;
    index.filter(function(e){ return e.name.toLowerCase().indexOf(q) >= 0 || e.summary.toLowerCase().indexOf(q) >= 0; })
      .slice(0, 50).forEach(function(e){
        var li = document.createElement('li'), a = document.createElement('a'), s = document.createElement('small');
        a.href = e.url; a.textContent = e.name; s.textContent = ' ' + e.kind + ' · ' + e.page;
        li.appendChild(a); li.appendChild(s); list.appendChild(li);
      });
  });
  var preset = new URLSearchParams(location.search).get('q');
  if (preset) { input.value = preset; input.dispatchEvent(new Event('input')); }
})();
";

/// One program's page.
pub fn page(page: &Page, site: &Site) -> String {
    let mut body = format!("<h1>{}</h1>\n", escape(&page.title));
    if page.items.is_empty() {
        body.push_str("<p>This program declares nothing to document.</p>\n");
    }
    for kind in Kind::ALL {
        let items: Vec<&Item> = page.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(body, "<h2 class=\"section\">{}</h2>", kind.title());
        for item in items {
            item_section(&mut body, item);
        }
    }
    document(&page.title, &sidebar(page), &body, site)
}

fn item_section(out: &mut String, item: &Item) {
    let word = item.kind.word();
    let _ = writeln!(out, "<section class=\"item\" id=\"{}\">", item.anchor);
    let _ = writeln!(out, "<h3><span class=\"kind {word}\">{word}</span>{}</h3>", escape(&item.name));
    let _ = writeln!(out, "<pre class=\"sig\">{}</pre>", pieces(&item.signature));
    if let Some(doc) = &item.doc {
        let _ = writeln!(out, "<p class=\"doc\">{}</p>", escape(doc.trim()));
    }
    let mut group = "";
    for d in &item.details {
        if d.group != group {
            if !group.is_empty() {
                out.push_str("</table>\n");
            }
            group = d.group;
            let _ = writeln!(out, "<h4>{group}</h4>\n<table>");
        }
        let doc = d.doc.as_deref().map(|t| format!("<td>{}</td>", escape(t))).unwrap_or_default();
        let _ = writeln!(out, "<tr><td><code>{}</code></td><td class=\"sig\">{}</td>{doc}</tr>", escape(&d.label), pieces(&d.text));
    }
    if !group.is_empty() {
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

fn pieces(line: &[Piece]) -> String {
    line.iter()
        .map(|p| match p {
            Piece::Text(t) => escape(t),
            Piece::Link { text, anchor } => format!("<a href=\"#{anchor}\">{}</a>", escape(text)),
        })
        .collect()
}

fn sidebar(page: &Page) -> String {
    let mut out = String::from("<a href=\"index.html\">← Index</a>\n");
    for kind in Kind::ALL {
        let items: Vec<&Item> = page.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h2>{}</h2>", kind.title());
        for item in items {
            let _ = writeln!(out, "<a href=\"#{}\">{}</a>", item.anchor, escape(&item.name));
        }
    }
    out
}

/// `index.html`: every page with its items and their first sentence.
pub fn index(site: &Site) -> String {
    let mut body = format!("<h1>{}</h1>\n", escape(&site.title));
    let mut nav = String::new();
    for page in &site.pages {
        let _ = writeln!(nav, "<a href=\"{}.html\">{}</a>", page.slug, escape(&page.title));
        let _ = writeln!(body, "<h2 class=\"section\"><a href=\"{}.html\">{}</a></h2>\n<table>", page.slug, escape(&page.title));
        for item in &page.items {
            let word = item.kind.word();
            let _ = writeln!(
                body,
                "<tr><td><span class=\"kind {word}\">{word}</span></td><td><a href=\"{}.html#{}\">{}</a></td><td>{}</td></tr>",
                page.slug,
                item.anchor,
                escape(&item.name),
                escape(&summary(item.doc.as_deref()))
            );
        }
        body.push_str("</table>\n");
    }
    document(&site.title, &format!("<h2>Programs</h2>\n{nav}"), &body, site)
}

fn document(title: &str, nav: &str, body: &str, site: &Site) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<nav>\n<label for=\"search\">Search</label>\n<input id=\"search\" type=\"search\">\n<ul id=\"results\"></ul>\n{nav}</nav>\n<main>\n{body}</main>\n<script type=\"application/json\" id=\"search-index\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title),
        search_index(site)
    )
}

/// The site's search index: one entry per item with its name, kind, page, URL and summary.
fn search_index(site: &Site) -> String {
    let entries: Vec<serde_json::Value> = site
        .pages
        .iter()
        .flat_map(|page| {
            page.items.iter().map(move |item| {
                serde_json::json!({
                    "name": item.name,
                    "kind": item.kind.word(),
                    "page": page.title,
                    "url": format!("{}.html#{}", page.slug, item.anchor),
                    "summary": summary(item.doc.as_deref()),
                })
            })
        })
        .collect();
    serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into()).replace("</", "<\\/")
}

/// Text escaped for HTML and XML attributes and content; the control characters XML 1.0
/// forbids are dropped (also the JUnit writer of `sev test`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
