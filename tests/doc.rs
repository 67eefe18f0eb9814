//! `sev doc`: the Markdown of a program with generics, traits and a model (snapshot), the HTML
//! site's links and search index, a folder run, bad input, and the HTML rendered by headless
//! Chromium (installed with apt-get when missing) to a screenshot.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn case(name: &str) -> PathBuf {
    root().join("tests").join("cases").join("doc").join(name)
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev")).args(args).output().expect("sev runs")
}

fn doc_into(input: &Path, format: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = sev(&["doc", &input.display().to_string(), "-o", &dir.path().display().to_string(), "--format", format]);
    (dir, out)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn markdown_of_a_program_with_generics_traits_and_a_model() {
    let bytes = std::fs::read(case("heights.sirs.json")).expect("case readable");
    let read = sev::syntax::read("heights.sirs.json", &bytes);
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let program = read.program.expect("parsed");
    let page = sev::doc::page("heights.sirs.json", "heights", &program);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("cases/doc/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("heights_markdown", sev::doc::page_markdown(&page)));
}

/// Every `id="…"` of an HTML file.
fn ids(html: &str) -> BTreeSet<String> {
    html.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

/// Every `href="…"` of an HTML file.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

/// The search index embedded in a page.
fn search_index(html: &str) -> Vec<serde_json::Value> {
    let start = html.find("id=\"search-index\">").expect("a search index") + "id=\"search-index\">".len();
    let end = start + html[start..].find("</script>").expect("closed");
    serde_json::from_str::<Vec<serde_json::Value>>(&html[start..end].replace("<\\/", "</")).expect("the index is JSON")
}

/// Checks that every link of every HTML file in `dir` reaches an existing file and id, and
/// that the search index of each page lists exactly the items (sections) of the site.
fn check_site(dir: &Path) -> usize {
    let files: HashMap<String, String> = std::fs::read_dir(dir)
        .expect("output folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), read(&p)))
        .collect();
    assert!(files.contains_key("index.html"), "no index.html in {files:?}");
    let mut items = BTreeSet::new();
    for (name, html) in &files {
        for id in ids(html) {
            if html.contains(&format!("<section class=\"item\" id=\"{id}\">")) {
                items.insert(format!("{name}#{id}"));
            }
        }
    }
    for (name, html) in &files {
        for href in hrefs(html) {
            let (file, id) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() { name.as_str() } else { file };
            let target_html = files.get(target).unwrap_or_else(|| panic!("{name}: link {href} to a missing file"));
            assert!(id.is_empty() || ids(target_html).contains(id), "{name}: link {href} to a missing id");
        }
        let indexed: BTreeSet<String> = search_index(html).iter().map(|e| e["url"].as_str().expect("url").to_string()).collect();
        assert_eq!(indexed, items, "{name}: the search index does not list exactly the documented items");
    }
    items.len()
}

#[test]
fn html_links_resolve_and_search_lists_every_item() {
    let (dir, out) = doc_into(&case("heights.sirs.json"), "html");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let items = check_site(dir.path());
    // main (model), Pair, Shape, Summary, Negative, Describe, the impl, first, label.
    assert_eq!(items, 9);
    let page = read(&dir.path().join("heights.html"));
    assert!(page.contains("<a href=\"#type-Shape\">Shape</a>"), "a type in a signature links to its section");
    assert!(page.contains("~ normal(prior_mean, 20.0)"), "the prior of mu is shown");
    assert!(!page.contains("http://") && !page.contains("https://"), "the page refers to nothing outside itself");
    assert!(!dir.path().join("heights.md").exists(), "--format html writes no Markdown");
}

#[test]
fn a_folder_gets_a_page_per_program_and_an_index() {
    let (dir, out) = doc_into(&case("folder"), "both");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["index.md", "index.html", "counter.md", "counter.html", "nested.coin.md", "nested.coin.html"] {
        assert!(dir.path().join(name).exists(), "{name} missing");
    }
    assert_eq!(check_site(dir.path()), 3);
    let index = read(&dir.path().join("index.md"));
    assert!(index.contains("- fn [square](counter.md#fn-square) — The square of a number."), "{index}");
    assert!(index.contains("- model [main](nested.coin.md#model-main) — The bias of a coin from its flips."), "{index}");
    let coin = read(&dir.path().join("nested.coin.md"));
    assert!(coin.contains("- `bias` `~ beta(2.0, 2.0)`") && coin.contains("- `f` `~ bernoulli(bias)`"), "{coin}");
}

#[test]
fn a_program_with_errors_is_reported_with_its_location_and_exit_1() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let bad = dir.path().join("bad.sirs.json");
    let text = "{\"program\": {\"functions\": {\"main\": {\"body\": [\n  {\"return\": {\"var\": \"missing\"}}]}}}}\n";
    std::fs::write(&bad, text).expect("written");
    let out_dir = dir.path().join("out");
    let out = sev(&["doc", &bad.display().to_string(), "-o", &out_dir.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[E0") && stderr.contains("bad.sirs.json:2:"), "no located diagnostic: {stderr}");
    assert!(!out_dir.exists(), "nothing is written for a program with errors");

    let counter = case("folder").join("counter.sirs.json");
    let out = sev(&["doc", &bad.display().to_string(), &counter.display().to_string(), "-o", &out_dir.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out_dir.join("counter.md").exists() && !out_dir.join("bad.md").exists(), "the good program is still documented");
}

#[test]
fn a_missing_input_exits_3_and_the_other_programs_are_still_documented() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let missing = dir.path().join("nope.sirs.json");
    let out_dir = dir.path().join("out");
    let counter = case("folder").join("counter.sirs.json");
    let out = sev(&["doc", &missing.display().to_string(), &counter.display().to_string(), "-o", &out_dir.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("nope.sirs.json does not exist"), "{stderr}");
    assert!(out_dir.join("counter.html").exists());
}

fn chromium() -> PathBuf {
    let found = Command::new("sh").args(["-c", "command -v chromium"]).output().expect("sh runs");
    if !found.status.success() {
        let install = Command::new("sh").args(["-c", "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"]).status().expect("apt-get runs");
        assert!(install.success(), "installing chromium failed");
    }
    PathBuf::from("chromium")
}

/// Runs headless Chromium on `url` with `action` (`--screenshot=…` or `--dump-dom`).
fn headless(url: &str, action: &str) -> Output {
    let profile = tempfile::tempdir().expect("profile folder");
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(action)
        .arg("--window-size=1200,900")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn screenshot(page: &Path, png: &Path) {
    headless(&format!("file://{}", page.display()), &format!("--screenshot={}", png.display()));
}

#[test]
fn the_search_box_finds_items_of_other_pages_in_chromium() {
    let (dir, out) = doc_into(&case("folder"), "html");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = format!("file://{}?q=coin", dir.path().join("counter.html").display());
    let dom = String::from_utf8_lossy(&headless(&url, "--dump-dom").stdout).into_owned();
    let results = &dom[dom.find("<ul id=\"results\">").expect("a result list")..];
    let results = &results[..results.find("</ul>").expect("closed")];
    assert!(results.contains("href=\"nested.coin.html#model-main\""), "searching `coin` finds the coin model: {results}");
    assert!(!results.contains("square"), "and nothing else: {results}");
}

#[test]
fn the_html_renders_in_headless_chromium() {
    let (dir, out) = doc_into(&case("heights.sirs.json"), "html");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["heights.html", "index.html"] {
        let png = dir.path().join(format!("{name}.png"));
        screenshot(&dir.path().join(name), &png);
        let bytes = std::fs::read(&png).expect("a screenshot");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}: not a PNG");
        let width = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
        let height = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
        assert_eq!((width, height), (1200, 900), "{name}: the screenshot has the window's size");
        // A blank 1200×900 page compresses to a few kilobytes; text and boxes make it far larger.
        assert!(bytes.len() > 20_000, "{name}: the screenshot looks empty ({} bytes)", bytes.len());
    }
}

/// The fenced block that follows `<!-- doc-example: WHICH -->` in `docs/cli.md`.
fn cli_doc_example(which: &str, fence: &str) -> String {
    let doc = read(&root().join("docs").join("cli.md"));
    let marker = format!("<!-- doc-example: {which} -->\n");
    let start = doc.find(&marker).unwrap_or_else(|| panic!("docs/cli.md has no doc {which} example")) + marker.len();
    let body = doc[start..].split_once('\n').expect("a fence line").1;
    let end = body.find(&format!("\n{fence}\n")).expect("the block closes") + 1;
    body[..end].to_string()
}

#[test]
fn the_example_in_the_cli_documentation_is_what_doc_writes() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("model.sirs.json");
    std::fs::write(&input, cli_doc_example("input", "```")).expect("written");
    let site = dir.path().join("site");
    let out = sev(&["doc", &input.display().to_string(), "-o", &site.display().to_string(), "--format", "md"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(read(&site.join("model.md")), cli_doc_example("output", "````"));
    assert!(site.join("index.md").exists() && !site.join("model.html").exists());
}

#[test]
fn every_example_is_documented_and_every_link_resolves() {
    let (dir, out) = doc_into(&root().join("examples"), "html");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let programs = sev::commands::sirs_files(&[root().join("examples")]).expect("examples readable").len();
    let pages = std::fs::read_dir(dir.path()).expect("output").filter(|e| e.as_ref().is_ok_and(|e| e.file_name() != "index.html")).count();
    assert_eq!(pages, programs, "one page per example");
    assert!(check_site(dir.path()) > programs, "every example documents at least one item");
    let eight = read(&dir.path().join("posteriordb.eight_schools_centered.html"));
    assert!(eight.contains("~ normal(mu, tau), size J"), "the centred prior of theta is shown");
    let fitted = read(&dir.path().join("infer_posterior.html"));
    assert!(fitted.contains("id=\"model-coin\"") && fitted.contains("id=\"fn-main\""), "an infer target is a model, its caller a function");
    let ffi = read(&dir.path().join("ffi_cbrt.html"));
    assert!(ffi.contains("extern fn cbrt(x: f64) -&gt; f64 from &quot;m&quot;"), "the C function is shown");
    let constants = read(&dir.path().join("constants.html"));
    assert!(constants.contains("const MAX_ITEMS: i64 = 3"), "constants are shown");
}

/// `sev doc` documents the program the compiler sees: a function whose body is a declarative
/// `hierarchical` block is a model, with the block's draws as parameters and its likelihood as
/// an observation (before, the page showed a plain function).
#[test]
fn a_hierarchical_block_is_documented_as_the_model_it_stands_for() {
    let (dir, out) = doc_into(&root().join("tests/cases/blocks/eight_schools_hierarchical.sirs.json"), "md");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = read(&dir.path().join("eight_schools_hierarchical.md"));
    assert!(page.contains("## Models") && page.contains("<a id=\"model-main\"></a>"), "{page}");
    for line in ["- `mu` `~ normal(0, 5)`", "- `tau` `~ cauchy(0, 5), lower 0`", "- `theta__raw` `~ normal(0.0, 1.0), size J`", "- `y` `~ normal(theta, sigma)`"] {
        assert!(page.contains(line), "missing {line} in\n{page}");
    }
}
