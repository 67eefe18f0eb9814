//! Helpers for the `sev serve` tests: the bocpd detector built as a library once per test
//! binary, a server process on a free loopback port (killed and reaped on drop), a raw
//! HTTP/1.1 client and the seeded series of the detector tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `examples/anomaly/bocpd.sirs.json` built with `sev build --lib` (Debug), once.
pub fn bocpd_lib() -> PathBuf {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let lib = dir.path().join("libbocpd.so");
        let out = Command::new(env!("CARGO_BIN_EXE_sev"))
            .env("SEV_CACHE_DIR", root().join("target").join("sev-test-cache"))
            .args(["build", "--lib"])
            .arg(root().join("examples/anomaly/bocpd.sirs.json"))
            .arg("-o")
            .arg(&lib)
            .output()
            .expect("sev runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (dir, lib)
    });
    path.clone()
}

/// A running `sev serve`.
pub struct Server {
    child: Child,
    pub addr: String,
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `sev serve --detector LIB --db DB --listen 127.0.0.1:0 EXTRA…` and waits for its
    /// address.
    pub fn start(db: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
            .arg("serve")
            .arg("--detector")
            .arg(bocpd_lib())
            .arg("--db")
            .arg(db)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sev serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            // The line goes into the log before its address is handed over, so a test that
            // reads the log once the server is up sees the listening line too.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push_str(&format!("{line}\n"));
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("sev serve did not start: {}", log.lock().expect("log")));
        Server { child, addr, log }
    }

    /// SIGKILL, then reap.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (a graceful stop), then reap; the exit status.
    pub fn stop(mut self) -> Option<i32> {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().ok().and_then(|s| s.code())
    }

    pub fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> (u16, String) {
        http(&self.addr, method, path, token, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request (`Connection: close`): the status and the body.
pub fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or_default();
    head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).expect("write");
    // A server may answer (413) before reading a huge body and close: ignore a failed write.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// SplitMix64 and Box–Muller, the same values on every machine: 10 + standard normal noise,
/// +6 from three quarters on.
pub fn shifted_normals(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let noise = (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos();
            if i >= n * 3 / 4 { 16.0 + noise } else { 10.0 + noise }
        })
        .collect()
}

/// [`shifted_normals`] rounded to 4 decimals, as a CSV file would hold them, so a program
/// reading the CSV and the library see the same numbers.
pub fn series(seed: u64, n: usize) -> Vec<f64> {
    shifted_normals(seed, n).into_iter().map(|v| format!("{v:.4}").parse().expect("a number")).collect()
}

pub const START_MS: i64 = 1_704_067_200_000;

pub fn ts(i: usize) -> i64 {
    START_MS + 300_000 * i as i64
}

/// `{"points": [...]}` for rows `range` of `values`.
pub fn batch(values: &[f64], range: std::ops::Range<usize>) -> String {
    let points: Vec<serde_json::Value> = range.map(|i| serde_json::json!({"timestamp_ms": ts(i), "value": values[i]})).collect();
    serde_json::json!({"points": points}).to_string()
}
