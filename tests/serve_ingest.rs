//! Ingestion for the anomaly service against the real servers (Debian packages `redis-server`
//! and `prometheus`, started on free loopback ports in temporary folders and stopped at the
//! end): `sev serve` applies remote-write requests once under canonical series names and
//! refuses bad ones with their codes; a real Prometheus remote-writes to `sev serve`; three
//! `sev worker` processes over Redis Streams, one killed with SIGKILL mid-stream, give for
//! every point exactly the output that one process gives over the same points, each point
//! applied once; a dead consumer's pending entries are claimed and processed in order.

mod serve_common;
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


/// `series` names and, interleaved in arrival order, their points.
fn workload(series: usize, per_series: usize) -> Vec<(String, i64, f64)> {
    let names: Vec<String> = (0..series).map(|s| format!("latency{{host=\"h{s}\"}}")).collect();
    let columns: Vec<Vec<f64>> = (0..series).map(|s| serve_common::shifted_normals(s as u64 + 1, per_series)).collect();
    let mut points = Vec::new();
    for i in 0..per_series {
        for (name, column) in names.iter().zip(&columns) {
            points.push((name.clone(), serve_common::START_MS + 60_000 * i as i64, column[i]));
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
    push_to(&redis.url, layout, points)
}

fn push_to(url: &str, layout: &Layout, points: &[(String, i64, f64)]) -> Vec<String> {
    let mut con = streams::connect(url).expect("connect");
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

/// How many partitions' leases `worker` holds.
fn leases_of(redis: &Redis, layout: &Layout, worker: &str) -> usize {
    let mut con = streams::connect(&redis.url).expect("connect");
    (0..layout.partitions)
        .filter(|&p| redis::cmd("GET").arg(layout.lease(p)).query::<Option<String>>(&mut con).expect("get").as_deref() == Some(worker))
        .count()
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
    // A third before the workers start, a third trickling in while one of them is killed, a
    // third after the kill: the kill is always mid-stream.
    let third = points.len() / 3;
    let (first, middle, last) = (&points[..third], points[third..2 * third].to_vec(), &points[2 * third..]);
    let mut ids = push_all(&redis, &layout, first);
    let workers = ["w1", "w2", "w3"].map(|name| start_worker(&redis, name, "kill"));
    let [mut doomed, w2, w3] = workers;
    let (url, trickle_layout) = (redis.url.clone(), layout.clone());
    let trickle = std::thread::spawn(move || {
        let mut ids = Vec::new();
        for chunk in middle.chunks(4) {
            ids.extend(push_to(&url, &trickle_layout, chunk));
            std::thread::sleep(Duration::from_millis(10));
        }
        ids
    });
    let before_kill = wait_for_outputs(&redis, &layout, third / 2, Duration::from_secs(120)).len();
    // Killed while it owns partitions and, if it can be caught so, holds unacknowledged entries.
    let deadline = Instant::now() + Duration::from_secs(10);
    while (leases_of(&redis, &layout, "w1") == 0 || pending_of(&redis, &layout, "w1") == 0) && Instant::now() < deadline {}
    let owned = leases_of(&redis, &layout, "w1");
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(doomed.child.id() as i32, libc::SIGKILL) };
    doomed.child.wait().expect("reap the killed worker");
    let orphaned = pending_of(&redis, &layout, "w1");
    ids.extend(trickle.join().expect("the trickle of points"));
    ids.extend(push_all(&redis, &layout, last));
    let applied = wait_for_outputs(&redis, &layout, points.len(), Duration::from_secs(120));
    let logs = [stderr_of(w2), stderr_of(w3)];
    assert!(before_kill < points.len(), "the kill came after the end ({before_kill} outputs)");
    assert!(owned > 0, "the killed worker owned no partition");
    assert_eq!(applied.len(), points.len(), "outputs; survivors said: {logs:?}");
    let mut seen: Vec<&str> = applied.iter().map(|a| a.id.as_str()).collect();
    seen.sort_unstable();
    ids.sort_unstable();
    assert_eq!(seen, ids.iter().map(String::as_str).collect::<Vec<_>>(), "each input applied exactly once");
    assert_eq!(by_series(&applied), expected);
    let claimed: u64 = logs.iter().map(|log| number_before(log, " entries claimed")).sum();
    assert!(claimed >= orphaned, "{orphaned} entries left by the killed worker, {claimed} claimed");
    eprintln!("outputs before the kill: {before_kill} of {}; partitions it owned: {owned}; left pending by it: {orphaned}; survivors: {logs:?}", points.len());
}

#[test]
fn a_worker_paused_past_its_lease_loses_its_partitions_and_nothing_else() {
    let redis = start_redis();
    let layout = Layout::new("pause", 8);
    let points = workload(8, 60);
    let expected = reference(&points);
    let third = points.len() / 3;
    let mut ids = push_all(&redis, &layout, &points[..third]);
    let [mut paused, other] = ["p1", "p2"].map(|name| start_worker(&redis, name, "pause"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while leases_of(&redis, &layout, "p1") == 0 && Instant::now() < deadline {}
    let owned = leases_of(&redis, &layout, "p1");
    let pid = paused.child.id() as i32;
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    ids.extend(push_all(&redis, &layout, &points[third..2 * third]));
    // Past its lease (600 ms) the other worker owns every partition.
    let deadline = Instant::now() + Duration::from_secs(20);
    while leases_of(&redis, &layout, "p2") < layout.partitions as usize && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let taken = leases_of(&redis, &layout, "p2");
    ids.extend(push_all(&redis, &layout, &points[2 * third..]));
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let applied = wait_for_outputs(&redis, &layout, points.len(), Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(1500));
    let settled = outputs(&redis, &layout);
    let logs = [stderr_of(other), { paused.terminate(); String::new() }];
    assert!(owned > 0, "the paused worker owned no partition");
    assert_eq!(taken, layout.partitions as usize, "the other worker took every partition over");
    assert_eq!(settled.len(), applied.len(), "nothing applied twice after the pause ended; {logs:?}");
    let mut seen: Vec<&str> = settled.iter().map(|a| a.id.as_str()).collect();
    seen.sort_unstable();
    ids.sort_unstable();
    assert_eq!(seen, ids.iter().map(String::as_str).collect::<Vec<_>>(), "each input applied exactly once; {logs:?}");
    assert_eq!(by_series(&settled), expected);
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

/// A remote-write request of one series, compressed as Prometheus sends it.
fn write_body(labels: &[(&str, &str)], samples: &[(i64, f64)]) -> Vec<u8> {
    let labels = labels.iter().map(|(n, v)| remote_write::Label { name: n.to_string(), value: v.to_string() }).collect();
    let samples = samples.iter().map(|&(timestamp, value)| remote_write::Sample { value, timestamp }).collect();
    let request = remote_write::WriteRequest { timeseries: vec![remote_write::TimeSeries { labels, samples }] };
    remote_write::encode_request(&request).expect("snappy compresses")
}

const PROMETHEUS_HEADERS: [(&str, &str); 3] =
    [("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"), ("X-Prometheus-Remote-Write-Version", "0.1.0")];

/// `POST /api/v1/write` with exactly these headers (and `Content-Length`): status and body.
fn post_write(addr: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("POST /api/v1/write HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write the head");
    stream.write_all(body).expect("write the body");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn with_token<'a>(token: &'a str, headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = headers.to_vec();
    all.push(("Authorization", token));
    all
}

/// `GET /v1/series/NAME` as JSON, or `None` while the series does not exist.
fn read_series(server: &serve_common::Server, name: &str, token: Option<&str>) -> Option<serde_json::Value> {
    let (status, body) = server.request("GET", &format!("/v1/series/{name}"), token, None);
    (status == 200).then(|| serde_json::from_str(&body).expect("the answer is JSON"))
}

#[test]
fn sev_serve_applies_remote_write_once_and_refuses_bad_requests() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let server = serve_common::Server::start(&dir.path().join("sev.db"), &["--token", "cpu-token-0001=cpu"]);
    let bearer = "Bearer cpu-token-0001";
    let samples: Vec<(i64, f64)> = serve_common::shifted_normals(7, 20).into_iter().enumerate().map(|(i, v)| (serve_common::START_MS + 60_000 * i as i64, v)).collect();
    let body = write_body(&[("job", "api"), ("__name__", "cpu"), ("instance", "10.0.0.1:9100")], &samples);
    let name = "cpu:instance:10.0.0.1-3a9100:job:api";
    assert_eq!(post_write(&server.addr, &with_token(bearer, &PROMETHEUS_HEADERS), &body).0, 204);
    let read = read_series(&server, name, Some("cpu-token-0001")).expect("the series exists under its canonical name");
    assert_eq!(read["points"], 20);
    // The same probabilities as the library fed the same points in order.
    let lib = DetectorLib::open(&serve_common::bocpd_lib()).expect("the detector loads");
    let mut state = lib.new_state().expect("a state");
    let last = samples.iter().map(|&(ts, v)| state.update(ts, v).expect("the detector takes the point")).last().expect("points");
    let served = read["last"]["probability"].as_f64().expect("a probability");
    assert!((served - last.probability).abs() <= 1e-12 * last.probability.abs().max(1e-300), "{served} vs {}", last.probability);
    // A resent batch (Prometheus retries after a 5xx or a timeout) is not applied again.
    assert_eq!(post_write(&server.addr, &with_token(bearer, &PROMETHEUS_HEADERS), &body).0, 204);
    assert_eq!(read_series(&server, name, Some("cpu-token-0001")).expect("still there")["points"], 20);
    // Refusals: status and stable code in the service's JSON error shape.
    let code = |(status, body): (u16, String)| (status, serde_json::from_str::<serde_json::Value>(&body).map(|v| v["error"]["code"].clone()).unwrap_or_default());
    let no_encoding = with_token(bearer, &PROMETHEUS_HEADERS[1..]);
    assert_eq!(code(post_write(&server.addr, &no_encoding, &body)), (415, "E0721".into()));
    assert_eq!(code(post_write(&server.addr, &with_token(bearer, &PROMETHEUS_HEADERS), b"not snappy")), (400, "E0724".into()));
    let other = write_body(&[("__name__", "mem")], &[(serve_common::START_MS, 1.0)]);
    assert_eq!(code(post_write(&server.addr, &with_token(bearer, &PROMETHEUS_HEADERS), &other)), (403, "E0737".into()));
    assert_eq!(code(post_write(&server.addr, &PROMETHEUS_HEADERS, &body)), (401, "unauthorized".into()));
    assert!(read_series(&server, "mem", Some("cpu-token-0001")).is_none());
}

#[test]
fn concurrent_overlapping_remote_writes_lose_no_point() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let server = serve_common::Server::start(&dir.path().join("sev.db"), &["--sync", "normal"]);
    let samples: Vec<(i64, f64)> = serve_common::shifted_normals(5, 60).into_iter().enumerate().map(|(i, v)| (serve_common::START_MS + 1_000 * i as i64, v)).collect();
    // Per series a resent prefix and the whole batch race each other.
    let names: Vec<String> = (0..12).map(|s| format!("race{s}")).collect();
    let senders: Vec<std::thread::JoinHandle<u16>> = names
        .iter()
        .flat_map(|name| [write_body(&[("__name__", name)], &samples[..40]), write_body(&[("__name__", name)], &samples)])
        .map(|body| {
            let addr = server.addr.clone();
            std::thread::spawn(move || post_write(&addr, &PROMETHEUS_HEADERS, &body).0)
        })
        .collect();
    let statuses: Vec<u16> = senders.into_iter().map(|s| s.join().expect("a sender")).collect();
    assert!(statuses.iter().all(|&s| s == 204), "{statuses:?}");
    for name in &names {
        assert_eq!(read_series(&server, name, None).expect("the series")["points"], 60, "{name}");
    }
}

/// The sum over label sets of a metric in the text exposition format (`None` if absent).
fn metric(text: &str, name: &str) -> Option<f64> {
    let samples = text.lines().filter(|line| line.strip_prefix(name).is_some_and(|rest| rest.starts_with([' ', '{'])));
    samples.map(|line| line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN)).reduce(|a, b| a + b)
}

#[test]
fn real_prometheus_remote_writes_to_sev_serve() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let server = serve_common::Server::start(&dir.path().join("sev.db"), &[]);
    let prometheus_port = free_port();
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    scrape_interval: 1s\n    scrape_timeout: 1s\n    static_configs:\n      - targets: [\"127.0.0.1:{prometheus_port}\"]\nremote_write:\n  - url: http://{}/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n",
        server.addr
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
    let points = |name: &str| read_series(&server, name, None).and_then(|v| v["points"].as_u64()).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(90);
    while points(&up) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
    }
    let own = serve_common::http(&format!("127.0.0.1:{prometheus_port}"), "GET", "/metrics", None, None).1;
    prometheus.terminate();
    let read = read_series(&server, &up, None).unwrap_or_else(|| panic!("no series {up}: {}", server.log.lock().expect("log")));
    assert!(read["points"].as_u64().expect("a count") >= 5, "{read}");
    assert_eq!(read["last"]["value"], 1.0);
    let probability = read["last"]["probability"].as_f64().expect("a probability");
    assert!((0.0..=1.0).contains(&probability), "{read}");
    // Another series of the same scrape, named with the same label order.
    let duration = format!("scrape_duration_seconds:instance:127.0.0.1-3a{prometheus_port}:job:self");
    assert!(points(&duration) >= 1, "no {duration}");
    // Prometheus' own account: samples sent, none failed or dropped for a 4xx.
    let sent = metric(&own, "prometheus_remote_storage_samples_total").expect("Prometheus counts the samples it sends");
    assert!(sent >= 5.0, "{sent} samples sent");
    assert_eq!(metric(&own, "prometheus_remote_storage_samples_failed_total"), Some(0.0), "{own}");
}

/// `sev serve --redis URL --prefix PREFIX --partitions 8 --listen 127.0.0.1:0 EXTRA…` and its
/// address.
fn start_front(redis: &Redis, prefix: &str, extra: &[&str]) -> (Server, String) {
    use std::io::BufRead;
    let mut child = sev()
        .args(["serve", "--redis", &redis.url, "--prefix", prefix, "--partitions", "8", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("sev serve --redis prints its address");
    (Server { child }, addr)
}

fn rounded(values: Vec<f64>) -> Vec<f64> {
    values.into_iter().map(|v| format!("{v:.4}").parse().expect("a number")).collect()
}

#[test]
fn sev_serve_with_redis_queues_points_for_the_workers_once_and_in_order() {
    let redis = start_redis();
    let layout = Layout::new("front", 8);
    let (_front, addr) = start_front(&redis, "front", &["--token", "lat-token-0001=lat"]);
    let bearer = "Bearer lat-token-0001";
    let token = Some("lat-token-0001");
    let worker = start_worker(&redis, "w1", "front");
    // JSON pushes of `lat.a` (values with 4 decimals, which JSON carries exactly).
    let a: Vec<(i64, f64)> = rounded(serve_common::shifted_normals(11, 40)).into_iter().enumerate().map(|(i, v)| (serve_common::START_MS + 60_000 * i as i64, v)).collect();
    let batch = |range: std::ops::Range<usize>| {
        let points: Vec<serde_json::Value> = a[range].iter().map(|(ts, v)| serde_json::json!({"timestamp_ms": ts, "value": v})).collect();
        serde_json::json!({ "points": points }).to_string()
    };
    for range in [0..20, 20..40] {
        let (status, body) = serve_common::http(&addr, "POST", "/v1/series/lat.a/points", token, Some(batch(range).as_bytes()));
        assert_eq!(status, 202, "{body}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).expect("JSON")["queued"], 20);
    }
    let (status, body) = serve_common::http(&addr, "POST", "/v1/series/lat.a/points", token, Some(batch(10..12).as_bytes()));
    assert_eq!((status, body.contains("out_of_order")), (409, true), "{body}");
    // Remote-write of `lat_b{host="x"}`, sent twice as Prometheus resends a batch.
    let b: Vec<(i64, f64)> = serve_common::shifted_normals(12, 30).into_iter().enumerate().map(|(i, v)| (serve_common::START_MS + 15_000 * i as i64, v)).collect();
    let body_b = write_body(&[("__name__", "lat_b"), ("host", "x")], &b);
    for _ in 0..2 {
        assert_eq!(post_write(&addr, &with_token(bearer, &PROMETHEUS_HEADERS), &body_b).0, 204);
    }
    let other = write_body(&[("__name__", "mem")], &[(serve_common::START_MS, 1.0)]);
    assert_eq!(post_write(&addr, &with_token(bearer, &PROMETHEUS_HEADERS), &other).0, 403);
    assert_eq!(post_write(&addr, &PROMETHEUS_HEADERS, &body_b).0, 401);
    assert_eq!(serve_common::http(&addr, "GET", "/readyz", None, None).0, 200);
    assert_eq!(serve_common::http(&addr, "GET", "/v1/series/lat.a", token, None).0, 404);
    // The worker applies each queued point once, as one process would.
    let mut points: Vec<(String, i64, f64)> = a.iter().map(|&(ts, v)| ("lat.a".to_string(), ts, v)).collect();
    points.extend(b.iter().map(|&(ts, v)| ("lat_b:host:x".to_string(), ts, v)));
    let applied = wait_for_outputs(&redis, &layout, points.len(), Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    let applied_after = outputs(&redis, &layout);
    let log = stderr_of(worker);
    assert_eq!(applied_after.len(), applied.len(), "nothing more than the points queued once; worker said: {log}");
    assert_eq!(by_series(&applied), reference(&points), "worker said: {log}");
    // Without Redis the front says so and is not ready; nothing is lost silently.
    let mut redis = redis;
    redis._server.terminate();
    let (status, body) = serve_common::http(&addr, "POST", "/v1/series/lat.a/points", token, Some(batch(39..40).as_bytes()));
    assert_eq!((status, body.contains("unavailable")), (503, true), "{body}");
    assert_eq!(post_write(&addr, &with_token(bearer, &PROMETHEUS_HEADERS), &body_b).0, 503);
    assert_eq!(serve_common::http(&addr, "GET", "/readyz", None, None).0, 503);
}
