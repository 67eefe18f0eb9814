//! Running a built program under the server's limits: a time limit, a cap on the bytes kept of
//! its output, and cancellation. The program's output is always captured (never inherited:
//! the server's stdout carries only protocol).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Limits<'a> {
    pub time: Duration,
    pub output_cap: usize,
    pub cancelled: &'a AtomicBool,
}

#[derive(Debug)]
pub struct Finished {
    /// `None` when the program was stopped (time limit, cancellation) or killed by a signal.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Output beyond the cap was dropped.
    pub truncated: bool,
    pub timed_out: bool,
    pub cancelled: bool,
    pub elapsed: Duration,
}

/// Runs `exe` with `args` in `dir`, feeding it `stdin`.
pub fn run(exe: &Path, args: &[String], dir: &Path, stdin: &str, limits: &Limits) -> std::io::Result<Finished> {
    let started = Instant::now();
    let mut child = Command::new(exe).args(args).current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let feeder = child.stdin.take().map(|mut pipe| {
        let input = stdin.as_bytes().to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        })
    });
    let out = child.stdout.take().map(|pipe| capture(pipe, limits.output_cap));
    let err = child.stderr.take().map(|pipe| capture(pipe, limits.output_cap));
    let (status, timed_out, cancelled) = wait(&mut child, limits, started)?;
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let (stdout, out_cut) = collect(out);
    let (stderr, err_cut) = collect(err);
    Ok(Finished { exit_code: status, stdout, stderr, truncated: out_cut || err_cut, timed_out, cancelled, elapsed: started.elapsed() })
}

fn wait(child: &mut Child, limits: &Limits, started: Instant) -> std::io::Result<(Option<i32>, bool, bool)> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status.code(), false, false));
        }
        let timed_out = started.elapsed() >= limits.time;
        let cancelled = limits.cancelled.load(Ordering::SeqCst);
        if timed_out || cancelled {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((None, timed_out, cancelled));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads a pipe to its end, keeping at most `cap` bytes.
fn capture(mut pipe: impl Read + Send + 'static, cap: usize) -> JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut chunk = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..n.min(room)]);
            truncated |= n > room;
        }
        (kept, truncated)
    })
}

fn collect(handle: Option<JoinHandle<(Vec<u8>, bool)>>) -> (String, bool) {
    match handle.map(JoinHandle::join) {
        Some(Ok((bytes, truncated))) => (String::from_utf8_lossy(&bytes).into_owned(), truncated),
        _ => (String::new(), false),
    }
}
