//! `sev mcp`: a Model Context Protocol server over stdio, so AI agents can check, build, run,
//! analyse and edit SIRS programs and work with distributions.
//!
//! `protocol` is JSON-RPC framing and the two protocol eras (the 2025-11-25 handshake and the
//! stateless 2026-07-28 form, served side by side); `server` is the reader, the worker pool and
//! the writer; `tools` is the registry and the tools by group; `resources` exposes the
//! documentation; `exec` runs built programs under limits. Like `commands`, this is an I/O
//! shell: it calls the pure pipeline (`driver`) and the `toolchain`, and writes nothing but
//! protocol on stdout. `docs/mcp.md` describes every tool.

pub mod exec;
pub mod protocol;
pub mod resources;
pub mod server;
pub mod tools;

pub use server::serve;
pub use tools::Settings;
