//! Shared by the MCP tests: the official clients (the Python SDK in a venv under `target/`,
//! installed on first use with the version pinned in `tests/requirements.txt`; the MCP
//! Inspector CLI through `npx`), and a raw line-level client for hostile input.

#![allow(dead_code)]

use super::support;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

pub const INSPECTOR: &str = "@modelcontextprotocol/inspector@2.12.0";

pub fn sev_exe() -> String {
    env!("CARGO_BIN_EXE_sev").to_string()
}

/// The environment the server gets: the shared test cache and the tests' Zig.
pub fn server_env() -> Value {
    json!({
        "PATH": std::env::var("PATH").unwrap_or_default(),
        "HOME": std::env::var("HOME").unwrap_or_default(),
        "SEV_CACHE_DIR": support::cache_dir().display().to_string(),
        "SEV_ZIG": support::zig().exe.display().to_string(),
    })
}

/// The pinned `mcp==X` line of tests/requirements.txt.
fn mcp_requirement() -> String {
    let text = std::fs::read_to_string(support::root().join("tests/requirements.txt")).expect("tests/requirements.txt");
    text.lines().map(str::trim).find(|l| l.starts_with("mcp==")).expect("tests/requirements.txt pins mcp").to_string()
}

/// The venv's Python with the pinned SDK, created and installed on first use.
pub fn sdk_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = support::root().join("target/mcp-venv");
            let python = venv.join("bin/python");
            let requirement = mcp_requirement();
            let stamp = venv.join(".installed");
            if std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirement.as_str()) {
                return python;
            }
            if !python.exists() {
                let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
                assert!(made.success(), "python3 -m venv {} failed", venv.display());
            }
            let pip = Command::new(&python).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", &requirement]).status().expect("pip runs");
            assert!(pip.success(), "pip install {requirement} failed");
            std::fs::write(&stamp, &requirement).expect("write the venv stamp");
            python
        })
        .clone()
}

/// Runs tests/mcp/sdk_client.py in `mode` with these calls; returns its report.
pub fn sdk_session(mode: &str, server_args: &[&str], calls: &[Value]) -> Value {
    let mut server = vec![sev_exe()];
    server.extend(server_args.iter().map(|s| s.to_string()));
    let job = json!({ "server": server, "env": server_env(), "mode": mode, "calls": calls });
    let script = support::root().join("tests/mcp/sdk_client.py");
    let mut child = Command::new(sdk_python()).arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the SDK client starts");
    child.stdin.take().expect("stdin").write_all(job.to_string().as_bytes()).expect("write the job");
    let out = child.wait_with_output().expect("the SDK client finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK client failed in mode {mode}:\n{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("the SDK client printed no JSON ({e}):\n{}\n{stderr}", String::from_utf8_lossy(&out.stdout)))
}

/// Runs the Inspector CLI against `sev mcp` (configured in a file, so the era and the
/// environment can be set) with `args` after `--cli`; returns its exit code and stdout.
pub fn inspector(era: &str, args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = json!({ "mcpServers": { "sev": { "type": "stdio", "command": sev_exe(), "args": ["mcp", "--allow-run"], "env": server_env(), "protocolEra": era } } });
    let path = dir.path().join("inspector.json");
    std::fs::write(&path, config.to_string()).expect("write the config");
    let out = Command::new("npx")
        .args(["-y", INSPECTOR, "--cli", "--config"])
        .arg(&path)
        .args(["--server", "sev"])
        .args(args)
        .env("MCP_INSPECTOR_SECRET_STORE", "memory")
        .output()
        .expect("npx runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A program from `examples/`, as text.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(support::root().join("examples").join(name)).expect("example exists")
}

/// `sev mcp` with raw stdin and a thread collecting its stdout lines.
pub struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Raw {
    pub fn start(args: &[&str]) -> Raw {
        let mut cmd = Command::new(sev_exe());
        cmd.arg("mcp").args(args).env("SEV_CACHE_DIR", support::cache_dir()).env("SEV_ZIG", &support::zig().exe);
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("sev mcp starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Raw { child, stdin, lines }
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to the server");
        stdin.write_all(b"\n").expect("write to the server");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        self.send_bytes(message.to_string().as_bytes());
    }

    /// The next message from the server (every line must be JSON).
    pub fn next(&self, timeout: Duration) -> Option<Value> {
        let line = self.lines.recv_timeout(timeout).ok()?;
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("the server wrote a line that is not JSON ({e}): {line}")))
    }

    /// Waits for the response with this id, skipping notifications and other responses.
    pub fn response(&self, id: &Value, timeout: Duration) -> Value {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let message = self.next(left).unwrap_or_else(|| panic!("no response to id {id} within {timeout:?}"));
            if message.get("id") == Some(id) {
                return message;
            }
        }
    }

    /// Calls a tool and waits for its response.
    pub fn call(&mut self, id: i64, tool: &str, arguments: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}));
        self.response(&json!(id), Duration::from_secs(120))
    }

    /// Closes stdin and waits for the server to exit; returns its exit status.
    pub fn finish(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        self.child.wait().expect("the server exits")
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
