//! `sev mcp [--allow-run] [--time-limit SECONDS] [--output-cap BYTES]`: the MCP server on
//! stdin/stdout until stdin ends (see `docs/mcp.md`).

use crate::mcp::{self, Settings};
use std::process::ExitCode;

pub fn run(settings: Settings) -> ExitCode {
    let stdin = std::io::stdin().lock();
    match mcp::serve(settings, stdin, Box::new(std::io::stdout())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the MCP server stopped: {e}");
            ExitCode::from(super::EXIT_ENVIRONMENT)
        }
    }
}
