//! `sev`: the compiler for the Sever probabilistic programming language.
//!
//! The pipeline (see `docs/architecture.md`): `syntax` reads SIRS JSON into an `ast`, `check`
//! type-checks it into a typed program, `cir::lower` builds the mid-level IR, `opt` runs passes,
//! `zig` emits Zig source that `toolchain` builds with the embedded `runtime`. `driver` strings
//! the phases together; `cli` and `commands` are the I/O shell around it.

#![deny(clippy::unwrap_used)]
#![warn(clippy::todo, clippy::dbg_macro)]

pub mod ad;
pub mod ast;
pub mod blocks;
pub mod cli;
pub mod commands;
pub mod debugger;
pub mod check;
pub mod cir;
pub mod decision;
pub mod detector_lib;
pub mod diagnostic;
pub mod doc;
pub mod driver;
pub mod fmt;
pub mod graph;
pub mod interp;
pub mod lint;
pub mod mcp;
pub mod opt;
pub mod pretty;
pub mod repl;
pub mod runtime;
pub mod sample_options;
pub mod serve;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod toolchain;
pub mod typed;
pub mod types;
pub mod zig;
