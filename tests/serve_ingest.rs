//! Ingestion for the anomaly service against the real servers (Debian packages `redis-server`
//! and `prometheus`, started on free loopback ports in temporary folders and stopped at the
//! end): three `sev worker` processes over Redis Streams, one killed with SIGKILL mid-stream,
//! give for every point exactly the output that one process gives over the same points, each
//! point applied once; a dead consumer's pending entries are claimed and processed in order.

mod support;

use sev::serve::detector::DetectorLib;
use sev::serve::remote_write;
use sev::serve::streams::{self, Applied, Layout, PointIn};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn sev() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.env("SEV_CACHE_DIR", support::cache_dir());
    cmd
}

/// Detector 1 (bocpd) built once as a library for every test of this file.
fn detector() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = support::root().join("target").join("serve-ingest");
        std::fs::create_dir_all(&dir).expect("create the library folder");
        let out = dir.join("libbocpd.so");
        let source = support::root().join("examples/anomaly/bocpd.sirs.json");
        let result = sev().arg("build").arg("--lib").arg(&source).arg("-o").arg(&out).output().expect("sev runs");
        assert!(result.status.success(), "sev build --lib failed: {}", String::from_utf8_lossy(&result.stderr));
        out
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("a local address").port()
}

/// A child process stopped with SIGTERM and reaped when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().expect("wait for the child")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

struct Redis {
    _server: Server,
    url: String,
    _dir: tempfile::TempDir,
}

fn start_redis() -> Redis {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--daemonize", "no", "--logfile", ""])
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is installed (./dev setup installs it)");
    let url = format!("redis://127.0.0.1:{port}/");
    let deadline = Instant::now() + Duration::from_secs(10);
    while streams::connect(&url).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Redis { _server: Server { child }, url, _dir: dir }
}

fn start_worker(redis: &Redis, name: &str, prefix: &str) -> Server {
    let child = sev()
        .args(["worker", "--redis", &redis.url, "--prefix", prefix, "--partitions", "8", "--lease-ms", "600"])
        .args(["--batch", "16", "--name", name])
        .arg("--detector")
        .arg(detector())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev worker starts");
    Server { child }
}

/// SplitMix64 and Box–Muller: the same values on every machine; a level shift at 3/4.
fn values(seed: u64, n: usize) -> Vec<f64> {
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

const START_MS: i64 = 1_704_067_200_000;

/// `series` names and, interleaved in arrival order, their points.
fn workload(series: usize, per_series: usize) -> Vec<(String, i64, f64)> {
    let names: Vec<String> = (0..series).map(|s| format!("latency{{host=\"h{s}\"}}")).collect();
    let columns: Vec<Vec<f64>> = (0..series).map(|s| values(s as u64 + 1, per_series)).collect();
    let mut points = Vec::new();
    for i in 0..per_series {
        for (name, column) in names.iter().zip(&columns) {
            points.push((name.clone(), START_MS + 60_000 * i as i64, column[i]));
        }
    }
    points
}

/// One process over the same points: each series' outputs in order, as workers write them.
fn reference(points: &[(String, i64, f64)]) -> BTreeMap<String, Vec<(i64, String)>> {
    let lib = DetectorLib::open(detector()).expect("the detector loads");
    let mut states = BTreeMap::new();
    let mut outputs: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for (series, ts, value) in points {
        let state = states.entry(series.clone()).or_insert_with(|| lib.new_state().expect("a state"));
        let o = state.update(*ts, *value).expect("the detector accepts the point");
        let text = format!("{} {} {} {} {}", o.probability, o.lower, o.upper, o.expected, o.confidence);
        outputs.entry(series.clone()).or_default().push((*ts, text));
    }
    outputs
}

fn push_all(redis: &Redis, layout: &Layout, points: &[(String, i64, f64)]) -> Vec<String> {
    let mut con = streams::connect(&redis.url).expect("connect");
    streams::prepare(&mut con, layout).expect("prepare the streams");
    let batch: Vec<PointIn<'_>> =
        points.iter().map(|(series, ts, value)| PointIn { series, timestamp_ms: *ts, value: *value }).collect();
    streams::push(&mut con, layout, &batch).expect("push")
}

fn outputs(redis: &Redis, layout: &Layout) -> Vec<Applied> {
    let mut con = streams::connect(&redis.url).expect("connect");
    streams::read_outputs(&mut con, layout).expect("read the outputs")
}

fn wait_for_outputs(redis: &Redis, layout: &Layout, at_least: usize, limit: Duration) -> Vec<Applied> {
    let deadline = Instant::now() + limit;
    loop {
        let found = outputs(redis, layout);
        if found.len() >= at_least || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn by_series(applied: &[Applied]) -> BTreeMap<String, Vec<(i64, String)>> {
    let mut map: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for a in applied {
        let text = a.result.clone().unwrap_or_else(|e| format!("fault: {e}"));
        map.entry(a.series.clone()).or_default().push((a.timestamp_ms, text));
    }
    map
}

fn stderr_of(mut server: Server) -> String {
    server.terminate();
    let mut text = String::new();
    if let Some(mut err) = server.child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut text);
    }
    text
}

/// How many entries of the group `consumer` holds unacknowledged, over all partitions.
fn pending_of(redis: &Redis, layout: &Layout, consumer: &str) -> u64 {
    let mut con = streams::connect(&redis.url).expect("connect");
    (0..layout.partitions)
        .map(|p| {
            let entries: Vec<(String, String, u64, u64)> = redis::cmd("XPENDING")
                .arg(layout.input(p))
                .arg(streams::GROUP)
                .arg("-")
                .arg("+")
                .arg(100_000)
                .arg(consumer)
                .query(&mut con)
                .expect("xpending");
            entries.len() as u64
        })
        .sum()
}

/// The number just before `marker` in a worker's closing line.
fn number_before(log: &str, marker: &str) -> u64 {
    let Some(end) = log.find(marker) else { return 0 };
    let start = log[..end].rfind(' ').map_or(0, |i| i + 1);
    log[start..end].parse().unwrap_or(0)
}

#[test]
fn three_workers_with_one_killed_give_the_outputs_of_one_process() {
    let redis = start_redis();
    let layout = Layout::new("kill", 8);
    let points = workload(12, 100);
    let expected = reference(&points);
    // Half the points before the kill and half after, so the kill is always mid-stream.
    let (first, rest) = points.split_at(points.len() / 2);
    let mut ids = push_all(&redis, &layout, first);
    let workers = ["w1", "w2", "w3"].map(|name| start_worker(&redis, name, "kill"));
    let [mut doomed, w2, w3] = workers;
    let before_kill = wait_for_outputs(&redis, &layout, points.len() / 4, Duration::from_secs(120)).len();
    // Killed while it holds unacknowledged entries, if it can be caught with some.
    let deadline = Instant::now() + Duration::from_secs(5);
    while pending_of(&redis, &layout, "w1") == 0 && Instant::now() < deadline {}
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(doomed.child.id() as i32, libc::SIGKILL) };
    doomed.child.wait().expect("reap the killed worker");
    let orphaned = pending_of(&redis, &layout, "w1");
    ids.extend(push_all(&redis, &layout, rest));
    let applied = wait_for_outputs(&redis, &layout, points.len(), Duration::from_secs(120));
    let logs = [stderr_of(w2), stderr_of(w3)];
    assert!(before_kill < points.len(), "the kill came after the end ({before_kill} outputs)");
    assert_eq!(applied.len(), points.len(), "outputs; survivors said: {logs:?}");
    let mut seen: Vec<&str> = applied.iter().map(|a| a.id.as_str()).collect();
    seen.sort_unstable();
    ids.sort_unstable();
    assert_eq!(seen, ids.iter().map(String::as_str).collect::<Vec<_>>(), "each input applied exactly once");
    assert_eq!(by_series(&applied), expected);
    let claimed: u64 = logs.iter().map(|log| number_before(log, " entries claimed")).sum();
    assert!(claimed >= orphaned, "{orphaned} entries left by the killed worker, {claimed} claimed");
    eprintln!("outputs before the kill: {before_kill} of {}; left pending by it: {orphaned}; survivors: {logs:?}", points.len());
}

#[test]
fn a_dead_consumers_pending_entries_are_claimed_and_applied_in_order() {
    let redis = start_redis();
    let layout = Layout::new("ghost", 8);
    let points = workload(4, 30);
    let expected = reference(&points);
    push_all(&redis, &layout, &points);
    // A consumer that read every entry and died before acknowledging any of them.
    let mut con = streams::connect(&redis.url).expect("connect");
    for partition in 0..layout.partitions {
        let _: redis::Value = redis::cmd("XREADGROUP")
            .arg("GROUP").arg(streams::GROUP).arg("ghost").arg("STREAMS")
            .arg(layout.input(partition))
            .arg(">")
            .query(&mut con)
            .expect("read as the ghost");
    }
    let written: u64 = (0..layout.partitions)
        .map(|p| redis::cmd("XLEN").arg(layout.input(p)).query::<u64>(&mut con).expect("xlen"))
        .sum();
    assert_eq!(written, points.len() as u64);
    let worker = start_worker(&redis, "heir", "ghost");
    let applied = wait_for_outputs(&redis, &layout, points.len(), Duration::from_secs(60));
    let log = stderr_of(worker);
    assert_eq!(by_series(&applied), expected, "worker said: {log}");
    assert!(log.contains(&format!("{} entries claimed", points.len())), "{log}");
    let left: (u64, redis::Value, redis::Value, redis::Value) =
        redis::cmd("XPENDING").arg(layout.input(layout.partition_of("latency{host=\"h0\"}"))).arg(streams::GROUP).query(&mut con).expect("xpending");
    assert_eq!(left.0, 0, "every entry acknowledged");
    // Applied entries are trimmed: each input stream keeps at most its last entry.
    for partition in 0..layout.partitions {
        let length: u64 = redis::cmd("XLEN").arg(layout.input(partition)).query(&mut con).expect("xlen");
        assert!(length <= 1, "partition {partition} still holds {length} entries");
    }
}

/// What a loopback remote-write receiver saw: decoded points, and the error of each refused
/// request.
#[derive(Default)]
struct Received {
    points: Vec<remote_write::Point>,
    refused: Vec<String>,
    requests: usize,
}

/// Header lines of a request, names lower-cased.
type HeaderLines = Vec<(String, String)>;

/// Reads one HTTP/1.1 request: its header lines and its body.
fn read_request(stream: &mut std::net::TcpStream) -> Option<(HeaderLines, Vec<u8>)> {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers.iter().find(|(n, _)| n == "content-length")?.1.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((headers, body))
}

/// Answers remote-write requests on `listener` with `remote_write::decode_request`.
fn receive(listener: TcpListener, received: std::sync::Arc<std::sync::Mutex<Received>>) {
    use std::io::Write;
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Some((headers, body)) = read_request(&mut stream) else { continue };
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let decoded = remote_write::decode_request(
            remote_write::Headers {
                content_encoding: header("content-encoding"),
                content_type: header("content-type"),
                version: header("x-prometheus-remote-write-version"),
            },
            &body,
        );
        let status = {
            let mut seen = received.lock().expect("lock");
            seen.requests += 1;
            match decoded {
                Ok(d) => {
                    seen.points.extend(d.points);
                    "204 No Content"
                }
                Err(e) => {
                    seen.refused.push(format!("{}: {e}", e.code()));
                    "400 Bad Request"
                }
            }
        };
        let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
}

#[test]
fn real_prometheus_remote_writes_series_named_by_their_labels() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
    let receiver_port = listener.local_addr().expect("address").port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Received::default()));
    let sink = std::sync::Arc::clone(&received);
    std::thread::spawn(move || receive(listener, sink));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let prometheus_port = free_port();
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    scrape_interval: 1s\n    scrape_timeout: 1s\n    static_configs:\n      - targets: [\"127.0.0.1:{prometheus_port}\"]\nremote_write:\n  - url: http://127.0.0.1:{receiver_port}/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).expect("write the config");
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus is installed (./dev setup installs it)");
    let mut prometheus = Server { child };
    let up = format!("up:instance:127.0.0.1-3a{prometheus_port}:job:self");
    let deadline = Instant::now() + Duration::from_secs(60);
    let count_up = |r: &Received| r.points.iter().filter(|p| p.series == up).count();
    while count_up(&received.lock().expect("lock")) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    prometheus.terminate();
    let seen = received.lock().expect("lock");
    assert!(seen.refused.is_empty(), "refused: {:?}", seen.refused);
    let ups: Vec<&remote_write::Point> = seen.points.iter().filter(|p| p.series == up).collect();
    assert!(ups.len() >= 5, "{} requests, {} points, none of {up}", seen.requests, seen.points.len());
    assert!(ups.iter().all(|p| p.value == 1.0));
    assert!(ups.windows(2).all(|w| w[0].timestamp_ms < w[1].timestamp_ms), "in time order");
    // Another series of the same scrape, named with the same canonical label order.
    let duration = format!("scrape_duration_seconds:instance:127.0.0.1-3a{prometheus_port}:job:self");
    let durations: Vec<&remote_write::Point> = seen.points.iter().filter(|p| p.series == duration).collect();
    assert!(!durations.is_empty());
    // The series go through detector 1 and come out with probabilities.
    let lib = DetectorLib::open(detector()).expect("the detector loads");
    let mut state = lib.new_state().expect("a state");
    for point in &durations {
        let output = state.update(point.timestamp_ms, point.value).expect("the detector takes the point");
        assert!((0.0..=1.0).contains(&output.probability), "{output:?}");
    }
}
