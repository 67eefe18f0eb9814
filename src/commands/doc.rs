//! `sev doc PATHS -o DIR`: checks each program, then writes its documentation page (Markdown,
//! HTML or both) and an index of all of them into DIR. A program with errors gets its
//! diagnostics and no page, and the exit status is 1; an unreadable input or an unwritable
//! output is 3.

use super::{EXIT_ENVIRONMENT, EXIT_ERRORS, EXIT_INTERNAL, report};
use crate::cli::Format;
use crate::cli::doc_args::{DocArgs, DocFormat};
use crate::diagnostic::{Code, Diagnostic};
use crate::doc::{self, Page, Site};
use crate::driver::{self, Compilation};
use crate::span::SourceFile;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &DocArgs) -> ExitCode {
    let mut status = 0u8;
    let mut pages = Vec::new();
    let mut slugs = HashSet::new();
    for (path, relative) in inputs(&args.paths, &mut status) {
        match document(&path) {
            Ok(mut page) => {
                page.slug = unique(slug_of(&relative), &mut slugs);
                page.title = relative.to_string_lossy().replace('\\', "/");
                pages.push(page);
            }
            Err(code) => status = status.max(code),
        }
    }
    if !pages.is_empty() {
        let site = Site { title: site_title(&args.paths), pages };
        if let Err(message) = write_site(&site, &args.output, args.format) {
            eprintln!("error: {message}");
            status = status.max(EXIT_ENVIRONMENT);
        }
    }
    ExitCode::from(status)
}

/// Every SIRS file named by `paths`, with the name its page shows: the path below the folder
/// given, or the file's name.
fn inputs(paths: &[PathBuf], status: &mut u8) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for root in paths {
        match super::sirs_files(std::slice::from_ref(root)) {
            Ok(files) => {
                for file in files {
                    let relative = if root.is_dir() { file.strip_prefix(root).unwrap_or(&file).to_path_buf() } else { file.file_name().map(PathBuf::from).unwrap_or_default() };
                    out.push((file, relative));
                }
            }
            Err(message) => {
                eprintln!("error[{}]: {message}", Code::E0009.as_str());
                *status = (*status).max(EXIT_ENVIRONMENT);
            }
        }
    }
    out
}

/// The output name of a page: its relative path without the SIRS extension, separators
/// turned into dots (`nested/coin.sirs.json` → `nested.coin`).
fn slug_of(relative: &Path) -> String {
    let text = relative.to_string_lossy().replace(['/', '\\'], ".");
    let stem = crate::syntax::EXTENSIONS.iter().find_map(|ext| text.strip_suffix(ext)).unwrap_or(&text);
    let clean: String = stem.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect();
    if clean.is_empty() || clean == "index" { format!("{clean}_program") } else { clean }
}

fn unique(slug: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = slug.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{slug}-{n}");
        n += 1;
    }
    candidate
}

fn site_title(paths: &[PathBuf]) -> String {
    match paths {
        [one] if one.is_dir() => format!("{} — documentation", one.display()),
        _ => "Documentation".to_string(),
    }
}

/// Checks one program and makes its page; `Err` is an exit status already explained.
fn document(path: &Path) -> Result<Page, u8> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let diagnostic = Diagnostic::new(Code::E0009, format!("Cannot read {name}: {e}"));
        report(&Compilation { file: SourceFile::new(&name, ""), diagnostics: vec![diagnostic], cir: None, zig: None }, Format::Human);
        EXIT_ENVIRONMENT
    })?;
    let compilation = driver::compile(&name, &bytes, driver::Options::default());
    report(&compilation, Format::Human);
    if compilation.has_errors() {
        let internal = compilation.diagnostics.iter().any(|d| d.code == Code::E0900);
        return Err(if internal { EXIT_INTERNAL } else { EXIT_ERRORS });
    }
    let read = crate::syntax::read(&name, &bytes);
    let mut program = read.program.ok_or(EXIT_INTERNAL)?;
    // the page shows the program the compiler sees: modelling blocks rewritten into the draws
    // and observations they stand for (their problems were reported with the compilation)
    let _ = crate::blocks::desugar(&mut program);
    Ok(doc::page(&name, "", &program))
}

fn write_site(site: &Site, dir: &Path, format: DocFormat) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    if format != DocFormat::Html {
        files.extend(doc::markdown_files(site));
    }
    if format != DocFormat::Md {
        files.extend(doc::html_files(site));
    }
    for file in &files {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!("wrote {} file{} to {}", files.len(), if files.len() == 1 { "" } else { "s" }, dir.display());
    Ok(())
}
