//! The stdio server: a reader loop, a pool of workers for tool calls, one writer.
//!
//! The calling thread reads one message per line and answers the quick methods itself
//! (`initialize`, `ping`, `server/discover`, the lists, resources), so they are answered even
//! while workers are busy with a long Zig build. `tools/call` goes to a worker. Each call in
//! flight has a cancellation flag that `notifications/cancelled` sets: the worker stops what it
//! can (a running program is killed) and sends nothing for that id. Responses and progress
//! notifications go through one lock on stdout, a whole line at a time. End of input stops the
//! reader; the workers finish their calls and the server returns.

use super::protocol::{self, Era, Id, Incoming, RpcError};
use super::resources;
use super::tools::{self, Args, Context, Settings};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// The longest message read; a longer line is answered with a parse error and skipped.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;
const WORKERS: usize = 4;
const WORKER_STACK: usize = 256 * 1024 * 1024;

const INSTRUCTIONS: &str = "sev compiles SIRS (the JSON syntax of the Sever language) to native code. Call `check` first: its diagnostics carry codes, byte spans, line/column, notes and hints, so a program can be fixed in one round trip. Then `build` or `run`. The resources hold the language reference and the distribution catalogue.";

type Output = Arc<Mutex<Box<dyn Write + Send>>>;

struct Job {
    id: Id,
    era: Era,
    tool: tools::Tool,
    args: Args,
    progress_token: Option<Value>,
    cancelled: Arc<AtomicBool>,
}

/// Shared by the reader and the workers.
struct Shared {
    out: Output,
    settings: Settings,
    workdir: tempfile::TempDir,
    in_flight: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl Shared {
    fn send(&self, message: &Value) {
        let mut line = message.to_string();
        line.push('\n');
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }

    fn reply(&self, id: &Id, result: Result<Value, RpcError>) {
        match result {
            Ok(value) => self.send(&protocol::response(id, value)),
            Err(error) => self.send(&protocol::error_response(id, &error)),
        }
    }
}

/// Serves MCP on `input`/`output` until `input` ends.
pub fn serve(settings: Settings, input: impl BufRead, output: Box<dyn Write + Send>) -> std::io::Result<()> {
    let workdir = tempfile::Builder::new().prefix("sev-mcp-").tempdir()?;
    let shared = Arc::new(Shared { out: Arc::new(Mutex::new(output)), settings, workdir, in_flight: Mutex::new(HashMap::new()) });
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let shared = Arc::clone(&shared);
        let queue = Arc::clone(&queue);
        // The analyses recurse over call graphs as deep as the program is long.
        workers.push(std::thread::Builder::new().stack_size(WORKER_STACK).spawn(move || work(&shared, &queue))?);
    }
    read_loop(&shared, input, &jobs)?;
    drop(jobs);
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

fn read_loop(shared: &Shared, mut input: impl BufRead, jobs: &Sender<Job>) -> std::io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        match read_line(&mut input, &mut line, MAX_MESSAGE)? {
            Line::End => return Ok(()),
            Line::TooLong => {
                let error = RpcError::new(protocol::PARSE_ERROR, format!("the message is longer than {MAX_MESSAGE} bytes"));
                shared.send(&protocol::error_response(&Value::Null, &error));
            }
            Line::Read => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                handle_message(shared, &line, jobs);
            }
        }
    }
}

enum Line {
    Read,
    TooLong,
    End,
}

/// Reads up to a newline; a line longer than `cap` bytes is skipped to its end.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>, cap: usize) -> std::io::Result<Line> {
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if !any { Line::End } else if too_long { Line::TooLong } else { Line::Read });
        }
        any = true;
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if line.len() + chunk.len() > cap {
            too_long = true;
            line.clear();
        } else if !too_long {
            line.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(available.len());
        input.consume(used);
        if done.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Read });
        }
    }
}

fn handle_message(shared: &Shared, line: &[u8], jobs: &Sender<Job>) {
    match protocol::parse_line(line) {
        Err(rejected) => shared.send(&protocol::error_response(&rejected.0, &rejected.1)),
        Ok(Incoming::Notification { method, params }) => notification(shared, &method, &params),
        Ok(Incoming::Response) => {}
        Ok(Incoming::Request { id, method, params }) => {
            let era = match protocol::era_of(&params) {
                Ok(era) => era,
                Err(error) => return shared.send(&protocol::error_response(&id, &error)),
            };
            if method == "tools/call" {
                if let Err(error) = queue_call(shared, &id, era, &params, jobs) {
                    shared.send(&protocol::error_response(&id, &error));
                }
                return;
            }
            let listing = method.ends_with("/list") || method == "server/discover";
            let result = answer(&method, &params).map(|r| protocol::finish_result(r, era, listing));
            shared.reply(&id, result);
        }
    }
}

fn notification(shared: &Shared, method: &str, params: &Value) {
    if method == "notifications/cancelled"
        && let Some(id) = params.get("requestId")
    {
        let flights = shared.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(flag) = flights.get(&id.to_string()) {
            flag.store(true, Ordering::SeqCst);
        }
    }
    // `notifications/initialized` and any other notification need no answer.
}

/// The methods answered on the reader thread.
fn answer(method: &str, params: &Value) -> Result<Value, RpcError> {
    match method {
        "initialize" => Ok(initialize(params)),
        "ping" => Ok(json!({})),
        "server/discover" => Ok(json!({
            "supportedVersions": protocol::supported_versions(),
            "capabilities": capabilities(),
            "instructions": INSTRUCTIONS,
        })),
        "tools/list" => Ok(json!({ "tools": tools::all().iter().map(tools::Tool::to_json).collect::<Vec<_>>() })),
        "resources/list" => Ok(json!({ "resources": resources::list() })),
        "resources/templates/list" => Ok(json!({ "resourceTemplates": [] })),
        "resources/read" => resources::read(params),
        "prompts/list" => Ok(json!({ "prompts": [] })),
        _ => Err(RpcError::new(protocol::METHOD_NOT_FOUND, format!("method not found: {method}"))),
    }
}

fn capabilities() -> Value {
    json!({ "tools": { "listChanged": false }, "resources": { "listChanged": false, "subscribe": false } })
}

fn initialize(params: &Value) -> Value {
    let requested = params.get("protocolVersion").and_then(Value::as_str);
    json!({
        "protocolVersion": protocol::negotiate_legacy(requested),
        "capabilities": capabilities(),
        "serverInfo": protocol::server_info(),
        "instructions": INSTRUCTIONS,
    })
}

fn queue_call(shared: &Shared, id: &Id, era: Era, params: &Value, jobs: &Sender<Job>) -> Result<(), RpcError> {
    let name = params.get("name").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("tools/call needs a \"name\" string"))?;
    let tool = tools::find(name).ok_or_else(|| RpcError::invalid_params(format!("unknown tool: {name}")))?;
    let args = Args::new(params.get("arguments"))?;
    args.check_names(&tool)?;
    let progress_token = params.get("_meta").and_then(|m| m.get("progressToken")).filter(|t| t.is_string() || t.is_number()).cloned();
    let cancelled = Arc::new(AtomicBool::new(false));
    shared.in_flight.lock().unwrap_or_else(|e| e.into_inner()).insert(id.to_string(), Arc::clone(&cancelled));
    let job = Job { id: id.clone(), era, tool, args, progress_token, cancelled };
    jobs.send(job).map_err(|_| RpcError::new(protocol::INTERNAL_ERROR, "the server is shutting down"))
}

fn work(shared: &Shared, queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let result = run_job(shared, &job);
        shared.in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&job.id.to_string());
        if !job.cancelled.load(Ordering::SeqCst) {
            shared.reply(&job.id, result);
        }
    }
}

fn run_job(shared: &Shared, job: &Job) -> Result<Value, RpcError> {
    let progress = |done: u32, total: u32, message: &str| {
        if let Some(token) = &job.progress_token
            && !job.cancelled.load(Ordering::SeqCst)
        {
            shared.send(&protocol::notification("notifications/progress", json!({ "progressToken": token, "progress": done, "total": total, "message": message })));
        }
    };
    let ctx = Context { settings: &shared.settings, cancelled: &job.cancelled, progress: &progress, workdir: shared.workdir.path() };
    let call = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.tool.call)(&job.args, &ctx)));
    match call {
        Ok(result) => result.map(|outcome| protocol::finish_result(outcome.to_result(), job.era, false)),
        Err(_) => Err(RpcError::new(protocol::INTERNAL_ERROR, format!("internal error in tool {}: this is a bug in sev", job.tool.name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_over_the_cap_is_skipped_and_the_next_one_is_read() {
        let mut input = std::io::BufReader::with_capacity(4, &b"0123456789abc\nshort\nlast"[..]);
        let mut line = Vec::new();
        assert!(matches!(read_line(&mut input, &mut line, 8).expect("read"), Line::TooLong));
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 8).expect("read"), Line::Read));
        assert_eq!(line, b"short");
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 8).expect("read"), Line::Read));
        assert_eq!(line, b"last");
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 8).expect("read"), Line::End));
    }
}
