//! Diagnostics and runtime faults of a synthetic program, shown against what the user wrote:
//! each span is mapped back through the synthetic program's source map to the input (or the
//! loaded file) it came from; a span in the REPL's own glue points at the whole input.

use super::synth::{Source, Synth, value_end};
use crate::cir;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::interp::{CallStop, Loc, Stop};
use crate::span::{SourceFile, Span};

/// The most diagnostics shown for one input.
const MAX_SHOWN: usize = 10;

/// Renders the diagnostics of the synthetic program: every error, and the warnings about the
/// input itself (those about the REPL's scaffolding mean nothing to the user).
pub fn diagnostics(all: &[Diagnostic], synth: &Synth, sources: &[Source], input: usize, color: bool) -> String {
    let mut out = String::new();
    for d in all.iter().take(MAX_SHOWN * 4) {
        let (source, mapped) = map(d, synth, input, sources[input].text.len());
        if !d.is_error() && source != input {
            continue;
        }
        if !d.is_error() && d.primary_span().and_then(|s| synth.origin(s)).is_none() {
            continue;
        }
        out.push_str(&render(&mapped, &sources[source], color));
    }
    out
}

/// Renders diagnostics whose spans are already in `source`.
pub fn in_source(all: &[Diagnostic], source: &Source, color: bool) -> String {
    all.iter().take(MAX_SHOWN).map(|d| render(d, source, color)).collect()
}

fn render(d: &Diagnostic, source: &Source, color: bool) -> String {
    d.render(&SourceFile::new(source.name.clone(), source.text.clone()), color)
}

/// The diagnostic with its labels moved into the source of its primary label (the input when
/// that label is in the REPL's glue); labels in other places are dropped.
fn map(d: &Diagnostic, synth: &Synth, input: usize, input_len: usize) -> (usize, Diagnostic) {
    let primary = d.primary_span().map(|s| synth.origin(s));
    let source = match &primary {
        Some(Some((source, _))) => *source,
        _ => input,
    };
    let mut mapped = d.clone();
    mapped.labels = d
        .labels
        .iter()
        .filter_map(|label| {
            let span = match synth.origin(label.span) {
                Some((s, range)) if s == source => Span::new(range.start, range.end),
                _ if label.primary => Span::new(0, input_len),
                _ => return None,
            };
            Some(Label { span, message: label.message.clone(), primary: label.primary })
        })
        .collect();
    (source, mapped)
}

/// A runtime fault or uncaught exception, located in what the user wrote.
pub fn fault(program: &cir::Program, synth: &Synth, stop: &CallStop, sources: &[Source], input: usize, color: bool) -> String {
    let (message, loc) = match stop {
        CallStop::Uncaught { kind, message, loc } if message.is_empty() => (format!("uncaught exception {kind}"), loc),
        CallStop::Uncaught { kind, message, loc } => (format!("uncaught exception {kind}: {message}"), loc),
        CallStop::Stop(Stop::Fault { message, loc, .. }) => (message.clone(), loc),
        CallStop::Stop(Stop::Unsupported { construct, loc }) => (format!("the REPL's interpreter does not run {construct} yet"), loc),
        // Only a debugger ends a run this way, and the REPL runs none; kept total all the same.
        CallStop::Stop(Stop::Killed { loc }) => ("the run was ended".to_string(), loc),
    };
    let offset = offset_of(program, loc);
    let span = Span::new(offset, value_end(&synth.text, offset).max(offset + 1));
    let (source, span) = match synth.origin(span) {
        Some((s, range)) => (s, Span::new(range.start, range.end)),
        None => (input, Span::new(0, sources[input].text.len())),
    };
    let label = if loc.func == super::compile::INPUT_FN { "here".to_string() } else { format!("in function `{}`", loc.func) };
    let d = Diagnostic::new(Code::E0604, message).primary(span, label).note("the input's bindings are unchanged");
    render(&d, &sources[source], color)
}

fn offset_of(program: &cir::Program, loc: &Loc) -> usize {
    let line_start = program.line_starts.get((loc.line as usize).saturating_sub(1)).copied().unwrap_or(0);
    line_start + (loc.col as usize).saturating_sub(1)
}
