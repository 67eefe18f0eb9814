//! Compiled gradients: source-to-source reverse-mode AD of a model's log density.
//!
//! `plan` decides, once per compilation and before any optimisation pass (so the choice never
//! depends on `-O`), how the gradient of a model program's log density is computed:
//!
//! * [`Strategy::Adjoint`]: the entry qualifies (`analysis`), and `emit` turns its CIR into a
//!   forward sweep (values into plain `f64` slots and buffers) followed by a reverse sweep
//!   (adjoints), straight-line Zig with no tape, that `runtime/ppl/adjoint.zig` supports. The
//!   backend puts it in the model's spec as `adjoint`, which `modelrt` calls for every gradient.
//! * [`Strategy::Tape`]: the entry uses something the transformation does not cover; the
//!   reason and its location are kept, and the gradient walks the runtime's tape as before.
//!
//! `--emit cir` ends with the strategy (`listing`); `--verbose` reports a fallback as E0351.

pub mod analysis;
pub mod emit;
mod fill;
mod live;

use crate::cir::{Function, Program};
use crate::span::Span;

/// How a model's gradient is computed.
#[derive(Clone, Debug)]
pub enum Strategy {
    /// Adjoint code generated from this (pre-optimisation) copy of the entry function.
    Adjoint(Box<Function>),
    /// The tape, because of `reason` at `span`.
    Tape { reason: String, span: Span },
}

/// Why a log density does not qualify for compiled gradients.
#[derive(Clone, Debug, PartialEq)]
pub struct Unsupported {
    pub reason: String,
    pub span: Span,
}

impl Unsupported {
    pub fn new(reason: impl Into<String>, span: Span) -> Unsupported {
        Unsupported {
            reason: reason.into(),
            span,
        }
    }
}

/// How many calls `plan` inlines into the entry before it gives up (a call left over is a
/// reason to use the tape).
const MAX_INLINED_CALLS: usize = 64;

/// The gradient strategy of a model program (`None` for a program that is not a model).
pub fn plan(p: &Program) -> Option<Strategy> {
    p.model.as_ref()?;
    // helpers are inlined (in a copy) so that the adjoint is one call-free function
    let f = crate::opt::inline::inline_all_calls(p, p.entry?, MAX_INLINED_CALLS);
    let names = emit::param_names(&f);
    let checked =
        analysis::qualifies(&f).and_then(|()| emit::adjoint_body(p, &f, &names).map(|_| ()));
    Some(match checked {
        Ok(()) => Strategy::Adjoint(Box::new(f)),
        Err(u) => Strategy::Tape {
            reason: u.reason,
            span: u.span,
        },
    })
}

/// The strategy as the end of `--emit cir` shows it: the adjoint program, or the fallback and
/// its reason.
pub fn listing(p: &Program) -> String {
    match &p.ad {
        None => String::new(),
        Some(Strategy::Tape { reason, span }) => {
            let (line, col) = p.line_col(*span);
            format!("\n; gradient: tape ({reason}, at {line}:{col})\n")
        }
        Some(Strategy::Adjoint(f)) => {
            let names = emit::param_names(f);
            let body = emit::adjoint_body(p, f, &names).unwrap_or_default();
            let mut out = format!(
                "\n; gradient: compiled adjoint of `{}` (forward sweep, then reverse sweep)\nadjoint {}(ctx, data) {{\n",
                f.name, f.name
            );
            for line in body {
                out.push_str("  ");
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str("}\n");
            out
        }
    }
}

/// A one-line description of the strategy, for `--verbose`.
pub fn describe(p: &Program) -> Option<String> {
    Some(match p.ad.as_ref()? {
        Strategy::Adjoint(f) => format!(
            "the gradient of `{}` is compiled adjoint code",
            f.source_name
        ),
        Strategy::Tape { reason, .. } => format!("the gradient uses the tape: {reason}"),
    })
}
