//! Reading SIRS: bytes → JSON tree with spans → AST.
//!
//! [`read`] is the entry point. It never fails outright: it returns the source file (for
//! rendering diagnostics), the AST when one could be built, and every problem found.

pub mod error;
pub mod json;
pub mod parse;
mod type_string;

use crate::ast::Program;
use crate::diagnostic::Diagnostic;
use crate::span::SourceFile;
use error::ParseError;

/// File name suffixes that mark SIRS files (all are JSON).
pub const EXTENSIONS: &[&str] = &[".sirs.json", ".sirs.l", ".sirs"];

pub struct Read {
    pub file: SourceFile,
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a SIRS program from raw bytes.
pub fn read(name: &str, bytes: &[u8]) -> Read {
    let text = match json::check_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            return Read { file, program: None, diagnostics: vec![ParseError::Json(e).to_diagnostic()] };
        }
    };
    let file = SourceFile::new(name, text);
    let (tree, json_errors) = json::parse(text);
    let mut diagnostics: Vec<Diagnostic> = json_errors.into_iter().map(|e| ParseError::Json(e).to_diagnostic()).collect();
    let Some(tree) = tree else {
        return Read { file, program: None, diagnostics };
    };
    let (program, errors) = parse::program(&tree);
    diagnostics.extend(errors.iter().map(ParseError::to_diagnostic));
    Read { file, program: Some(program), diagnostics }
}
