//! The one neutral diagnostic type, its stable codes, and its two renderings.
//!
//! Phases report problems as their own error enums (data); each enum's `to_diagnostic` turns
//! a value into a [`Diagnostic`] here. This is the only module that knows codespan-reporting:
//! [`Diagnostic::render`] produces the human form, [`Diagnostic::to_json`] the `--format json`
//! form. Every diagnostic has a stable [`Code`], a short title, a primary label at the smallest
//! useful span, optional secondary labels, "expected/found" notes on lines of their own and at
//! most one hint.

mod excerpt;

use crate::span::{SourceFile, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use excerpt::Excerpt;

/// The human rendering shows at most this many diagnostics of a file; `--format json` has all.
pub const MAX_SHOWN: usize = 50;

macro_rules! codes {
    ($($code:ident $severity:ident $desc:literal,)*) => {
        /// Stable diagnostic codes. A code is never reused for a different problem.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// One line saying what the code means (used by `docs/errors.md` and `sev explain`).
            pub fn description(self) -> &'static str {
                match self { $(Code::$code => $desc,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$code => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    // Reading the file and its JSON.
    E0001 Error "the file is not valid JSON",
    E0002 Error "a JSON object has the same key twice",
    E0003 Error "the file contains a comment, which JSON does not allow",
    E0004 Error "the file is not valid UTF-8",
    E0005 Error "the file is empty",
    E0006 Error "the JSON is nested too deeply",
    E0007 Error "a string contains an invalid escape or control character",
    E0008 Error "a number cannot be represented",
    E0009 Error "the file could not be read",
    // The shape of a SIRS program.
    E0101 Error "an object has a key that SIRS does not define here",
    E0102 Error "a required key is missing",
    E0103 Error "a value has the wrong JSON type for its key",
    E0104 Error "a statement object must have exactly one known key",
    E0105 Error "an expression object must have exactly one known key",
    E0106 Error "a type is written in a form SIRS does not know",
    E0107 Error "`null` is not a SIRS value",
    E0108 Error "an operator kind is unknown",
    E0109 Error "an operator has the wrong number of operands",
    E0110 Error "a name is not a valid identifier",
    E0111 Error "a name is defined twice",
    E0112 Error "a pattern is written in a form SIRS does not know",
    E0113 Error "an assignment target is not a variable, field or element",
    E0114 Error "a type string is nested too deeply",
    // Names.
    E0201 Error "a variable is not defined",
    E0202 Error "a function is not defined",
    E0203 Error "a type is not defined",
    E0204 Error "a struct or record has no such field",
    E0205 Error "an enum has no such variant",
    E0206 Error "the entry function is missing or has the wrong signature",
    E0207 Error "a distribution is not defined",
    E0208 Error "a trait is not defined",
    // Types.
    E0301 Error "a value has the wrong type",
    E0302 Error "a call has the wrong number of arguments",
    E0303 Error "an operator cannot be applied to these types",
    E0304 Error "an immutable variable is assigned",
    E0305 Error "a function can finish without returning a value",
    E0306 Error "`break` or `continue` is used outside a loop",
    E0307 Error "a conversion between these types is not allowed",
    E0308 Error "a value cannot be indexed",
    E0309 Error "a value has no fields",
    E0310 Error "a value cannot be iterated over",
    E0311 Error "a struct literal lacks a field",
    E0312 Error "an integer literal does not fit its type",
    E0313 Error "the type of an expression cannot be inferred",
    E0314 Error "a `void` value is used",
    E0315 Error "a `return` does not match the function's return type",
    E0316 Error "a pattern does not match the type of the value",
    E0317 Error "a match does not cover every value",
    E0318 Error "a distribution's parameters are wrong",
    E0319 Error "a probabilistic statement is used where it has no meaning",
    E0320 Error "a generic type has the wrong number of type arguments",
    E0321 Error "a type does not implement a required trait",
    E0322 Error "a trait implementation is incomplete or wrong",
    E0323 Error "a `Result` value is ignored",
    E0324 Error "only error values and strings can be thrown",
    E0325 Error "a constant's value is not a compile-time constant",
    E0326 Error "a type refers to itself without indirection",
    E0327 Error "a method is not defined for this type",
    E0329 Error "control flow cannot leave a `finally` block",
    E0330 Error "an extern function uses a type that cannot cross the C boundary",
    E0331 Error "generic code would need infinitely many instances (polymorphic recursion)",
    E0332 Error "a trait has type parameters, which SIRS does not support",
    E0333 Error "a discrete model parameter can be neither summed out nor updated by Gibbs steps (not one integer from a built-in distribution)",
    E0334 Error "a model samples no parameter",
    // Reported by a model binary (`sample --algorithm advi|pathfinder|smc`), so tests/ppl_gibbs.rs covers it.
    E0338 Error "ADVI, Pathfinder and SMC cannot fit a model with a Gibbs-updated discrete parameter",
    // Modelling building blocks (src/blocks).
    E0340 Error "a `parameterization` cannot be applied to this draw",
    E0341 Error "a declarative `mixture` has wrong weights or components",
    E0342 Error "a declarative `hierarchical` model is malformed",
    E0343 Error "a graphical model's nodes depend on each other in a cycle",
    E0344 Error "a graphical model's node is malformed (undefined parent or plate, unknown kind, missing distribution or value)",
    E0345 Error "a seasonal density's period is a literal below 2",
    E0346 Error "a matrix draw's dimension (`size`) is a literal below 1",
    E0347 Error "a matrix type given as a `constraint`: matrix parameters take their type from their distribution",
    // Compiled gradients (src/ad), reported by `sev build --verbose`.
    E0351 Warning "the model's gradient uses the tape, not compiled adjoint code",
    // `sev debug`: problems with a debugger command (shown in the session, which carries on).
    E0611 Error "debugger: unknown command",
    E0612 Error "debugger: a command has a missing, extra or malformed argument",
    E0613 Error "debugger: a breakpoint names a function the program does not have",
    E0614 Error "debugger: a breakpoint names a statement or line where no statement is",
    E0615 Error "debugger: `print` names a variable the current call has not set",
    E0616 Error "debugger: the command needs a running program",
    E0617 Error "debugger: `delete` names no breakpoint",
    // The REPL (`sev repl`).
    E0601 Error "a REPL input is not valid short syntax",
    E0602 Error "a REPL command is unknown or lacks its argument",
    E0603 Error "a value cannot be kept between REPL inputs",
    E0604 Error "a REPL input stopped with a runtime fault or an uncaught exception",
    E0605 Error "a name starting with `__repl` is reserved by the REPL",
    E0606 Error "a file given to `:load` cannot be read or is not a program",
    E0607 Error "a REPL definition would change a type that bindings hold values of",
    // Detector libraries (`sev build --lib`, `detector_lib`).
    E0701 Error "a detector library lacks one of its functions",
    E0702 Error "a detector library function has the wrong signature",
    E0703 Error "a detector's state type cannot be saved",
    E0704 Error "a detector's result lacks a reported field",
    // Warnings.
    W0001 Warning "a match arm can never be reached",
    W0002 Warning "code after `return`, `break`, `continue` or `throw` never runs",
    W0003 Warning "a variable is never used",
    W0004 Warning "a function named `test_…` is not a test (it takes arguments, is generic or is async)",
    // Lint rules (`sev lint`, `lint::RULES`); the level is configurable.
    L0001 Warning "lint: a local variable is never read",
    L0002 Warning "lint: a function is never called from the entry",
    L0003 Warning "lint: a function parameter is never read",
    L0004 Warning "lint: a variable hides another of the same name",
    L0005 Warning "lint: a statement can never run",
    L0006 Warning "lint: a condition is always true or always false",
    L0007 Warning "lint: floating-point numbers are compared exactly",
    L0008 Warning "lint: a divisor is zero or can be zero",
    L0009 Warning "lint: a `Result` is bound to a variable and never examined",
    L0010 Warning "lint: a variable is assigned to itself",
    L0011 Warning "lint: a value is compared with itself",
    L0101 Warning "lint: a parameter has an improper prior",
    L0102 Warning "lint: a scale parameter's prior allows negative values",
    L0103 Warning "lint: a prior is far wider than the scale of the data",
    L0104 Warning "lint: a hierarchical prior is centred",
    L0105 Warning "lint: nothing observed depends on this parameter",
    // Compiler-internal: a bug in sev, never the user's fault.
    E0900 Error "internal compiler error",
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub title: String,
    pub labels: Vec<Label>,
    /// Lines such as `expected: i32` and `found: str`.
    pub notes: Vec<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Starts a diagnostic whose severity comes from its code.
    pub fn new(code: Code, title: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            title: title.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            hint: None,
        }
    }

    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: true });
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Adds the two lines `expected: …` and `found: …`.
    pub fn expected_found(self, expected: impl std::fmt::Display, found: impl std::fmt::Display) -> Diagnostic {
        self.note(format!("expected: {expected}")).note(format!("   found: {found}"))
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(self, hint: Option<String>) -> Diagnostic {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The span of the primary label (the place the diagnostic is about).
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }

    /// Renders the human-readable form, with ANSI colours when `color` is set. Source lines
    /// are cut to a bounded width around the labels ([`excerpt`]).
    pub fn render(&self, file: &SourceFile, color: bool) -> String {
        let text_len = file.text.len();
        let ranges: Vec<_> = self.labels.iter().map(|l| clamp_range(l.span, text_len)).collect();
        let excerpt = Excerpt::new(file, &ranges);
        let diagnostic = self.to_codespan(&excerpt, &ranges);
        let config = term::Config::default();
        if !color {
            return term::emit_into_string(&config, &excerpt, &diagnostic)
                .unwrap_or_else(|e| format!("{}: {} ({e})\n", self.code.as_str(), self.title));
        }
        let mut buffer = term::termcolor::Buffer::ansi();
        match term::emit_to_write_style(&mut buffer, &config, &excerpt, &diagnostic) {
            Ok(()) => String::from_utf8_lossy(buffer.as_slice()).into_owned(),
            Err(e) => format!("{}: {} ({e})\n", self.code.as_str(), self.title),
        }
    }

    /// The codespan form, with each label's range (`ranges`, in the real file) moved into
    /// the excerpt.
    fn to_codespan(&self, excerpt: &Excerpt, ranges: &[std::ops::Range<usize>]) -> cs::Diagnostic<()> {
        let severity = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let labels = self
            .labels
            .iter()
            .zip(ranges)
            .map(|(l, range)| {
                let style = if l.primary { cs::LabelStyle::Primary } else { cs::LabelStyle::Secondary };
                let shown = excerpt.shown(range.start)..excerpt.shown(range.end);
                cs::Label::new(style, (), shown).with_message(l.message.clone())
            })
            .collect();
        let mut notes = self.notes.clone();
        if let Some(h) = &self.hint {
            notes.push(format!("hint: {h}"));
        }
        cs::Diagnostic::new(severity)
            .with_code(self.code.as_str())
            .with_message(self.title.clone())
            .with_labels(labels)
            .with_notes(notes)
    }

    /// The `--format json` form: one object per diagnostic.
    pub fn to_json(&self, file: &SourceFile) -> serde_json::Value {
        let labels: Vec<serde_json::Value> = self
            .labels
            .iter()
            .map(|l| {
                let (line, column) = file.line_col(l.span.start);
                let (end_line, end_column) = file.line_col(l.span.end);
                serde_json::json!({
                    "primary": l.primary,
                    "message": l.message,
                    "start": l.span.start,
                    "end": l.span.end,
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                })
            })
            .collect();
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "code": self.code.as_str(),
            "title": self.title,
            "file": file.name,
            "labels": labels,
            "notes": self.notes,
            "hint": self.hint,
        })
    }
}

fn clamp_range(span: Span, len: usize) -> std::ops::Range<usize> {
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    start..end
}

/// Renders many diagnostics, sorted by position, errors and warnings interleaved: the first
/// [`MAX_SHOWN`], then one line counting the rest.
pub fn render_all(diagnostics: &[Diagnostic], file: &SourceFile, color: bool) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.primary_span().map_or(0, |s| s.start), d.code));
    let (shown, hidden) = sorted.split_at(sorted.len().min(MAX_SHOWN));
    let mut text: String = shown.iter().map(|d| d.render(file, color)).collect();
    if !hidden.is_empty() {
        text.push_str(&hidden_summary(hidden));
    }
    text
}

/// `… and 3 more errors and 1 more warning not shown (use --format json to see all)`.
fn hidden_summary(hidden: &[&Diagnostic]) -> String {
    let errors = hidden.iter().filter(|d| d.is_error()).count();
    let warnings = hidden.len() - errors;
    let count = |n: usize, what: &str| format!("{n} more {what}{}", if n == 1 { "" } else { "s" });
    let parts: Vec<String> = [(errors, "error"), (warnings, "warning")].iter().filter(|(n, _)| *n > 0).map(|(n, w)| count(*n, w)).collect();
    format!("… and {} not shown (use --format json to see all)\n", parts.join(" and "))
}

/// Suggests the candidate closest to `name`: a case-insensitive match first, then the nearest
/// by edit distance within a third of the name's length.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        if candidate.to_lowercase() == lower {
            return Some(candidate.to_string());
        }
        let distance = edit_distance(name, candidate);
        // One edit per three characters; names of one or two characters are too short for any
        // edit to point at a likely intent.
        let allowed = match name.chars().count() {
            0..=2 => 0,
            n => (n / 3).max(1),
        };
        if distance > 0 && distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// adjacent characters each count as one edit (a typo like `cuont` is one edit from `count`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapped_letters_are_one_edit() {
        assert_eq!(did_you_mean("cuont", ["count", "amount"]), Some("count".into()));
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn short_names_get_no_guess() {
        assert_eq!(did_you_mean("z", ["x", "y"]), None);
        assert_eq!(did_you_mean("X", ["x"]), Some("x".into()));
    }

    #[test]
    fn suggestion_prefers_case_insensitive_match() {
        assert_eq!(did_you_mean("Body", ["args", "body"]), Some("body".into()));
    }

    #[test]
    fn suggestion_uses_edit_distance_threshold() {
        assert_eq!(did_you_mean("conditon", ["condition", "then"]), Some("condition".into()));
        assert_eq!(did_you_mean("xyz", ["condition"]), None);
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()));
            assert_eq!(code.as_str().len(), 5);
        }
    }

    #[test]
    fn render_all_shows_the_first_diagnostics_and_counts_the_rest() {
        let text = format!("[{}]", "1,".repeat(MAX_SHOWN + 9) + "1");
        let file = SourceFile::new("t.sirs.json", text);
        let at = |i: usize| Span::new(1 + 2 * i, 2 + 2 * i);
        let mut all: Vec<Diagnostic> = (0..MAX_SHOWN + 7).map(|i| Diagnostic::new(Code::E0301, "Type mismatch").primary(at(i), "here")).collect();
        all.extend((0..3).map(|i| Diagnostic::new(Code::W0003, "Unused").primary(at(MAX_SHOWN + 7 + i), "here")));
        let rendered = render_all(&all, &file, false);
        assert_eq!(rendered.matches("error[E0301]").count(), MAX_SHOWN);
        assert!(!rendered.contains("warning[W0003]"));
        assert!(rendered.ends_with("… and 7 more errors and 3 more warnings not shown (use --format json to see all)\n"), "{rendered}");
        assert!(!render_all(&all[..MAX_SHOWN], &file, false).contains("not shown"));
    }

    #[test]
    fn render_shows_code_title_label_and_notes() {
        let file = SourceFile::new("t.sirs.json", "{\"a\": 1}\n");
        let d = Diagnostic::new(Code::E0301, "Type mismatch")
            .primary(Span::new(6, 7), "this is an integer")
            .expected_found("str", "i64")
            .hint("convert it");
        let text = d.render(&file, false);
        assert!(text.contains("error[E0301]: Type mismatch"), "{text}");
        assert!(text.contains("this is an integer"));
        assert!(text.contains("expected: str"));
        assert!(text.contains("hint: convert it"));
    }
}
