//! `sev serve` with the real Prometheus, and the examples of docs/service.md run as written:
//! the one-command start (building the detector from SIRS), the curl examples, and the scrape
//! configuration, with which a Prometheus on a loopback port scrapes `/metrics`; its query
//! API must return each series' probability as the service reports it.

mod serve_common;

use serde_json::Value;
use serve_common::{Server, http, root};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The fenced block after `<!-- marker -->` in docs/service.md.
fn doc_block(marker: &str) -> String {
    let text = std::fs::read_to_string(root().join("docs/service.md")).expect("docs/service.md");
    let after = text.split(&format!("<!-- {marker} -->")).nth(1).unwrap_or_else(|| panic!("no {marker} in docs/service.md"));
    let body = after.split_once("```").and_then(|(_, rest)| rest.split_once('\n')).map(|(_, rest)| rest).expect("a fenced block");
    body.split("\n```").next().expect("its end").to_string()
}

struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn poll<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn prometheus_scrapes_the_probabilities_of_every_series() {
    let prometheus = std::path::Path::new("/usr/bin/prometheus");
    assert!(prometheus.exists(), "this test needs Prometheus: apt-get install -y prometheus (./dev setup does)");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(&dir.path().join("db"), &["--token", "admin-token-0003=*"]);
    let values = serve_common::series(16, 320);
    for (name, range) in [("cpu.a", 0..320), ("cpu.b", 0..200)] {
        let (status, body) = server.request("POST", &format!("/v1/series/{name}/points"), Some("admin-token-0003"), Some(serve_common::batch(&values, range).as_bytes()));
        assert_eq!(status, 200, "{body}");
    }
    let config = doc_block("service-prometheus").replace("127.0.0.1:9464", &server.addr);
    std::fs::write(dir.path().join("prometheus.yml"), &config).expect("write config");
    let port = free_port();
    let child = Command::new(prometheus)
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let _prometheus = Reaped(child);
    let api = format!("127.0.0.1:{port}");
    poll("Prometheus to be ready", Duration::from_secs(30), || std::net::TcpStream::connect(&api).ok().and_then(|_| (http(&api, "GET", "/-/ready", None, None).0 == 200).then_some(())));
    for name in ["cpu.a", "cpu.b"] {
        let (_, read) = server.request("GET", &format!("/v1/series/{name}"), Some("admin-token-0003"), None);
        let expected = serde_json::from_str::<Value>(&read).expect("json")["last"]["probability"].as_f64().expect("a probability");
        let query = format!("/api/v1/query?query=sev_anomaly_probability%7Bseries%3D%22{name}%22%7D");
        let sample = poll("the series in Prometheus", Duration::from_secs(30), || {
            let (status, body) = http(&api, "GET", &query, None, None);
            let answer: Value = serde_json::from_str(&body).ok()?;
            let result = &answer["data"]["result"][0];
            (status == 200 && result.is_object()).then(|| result.clone())
        });
        assert_eq!(sample["metric"]["job"], "sev");
        let scraped: f64 = sample["value"][1].as_str().and_then(|v| v.parse().ok()).expect("a value");
        assert_eq!(scraped, expected, "{name}");
    }
    let (_, up) = http(&api, "GET", "/api/v1/query?query=up%7Bjob%3D%22sev%22%7D", None, None);
    assert_eq!(serde_json::from_str::<Value>(&up).expect("json")["data"]["result"][0]["value"][1], "1", "{up}");
}

#[test]
fn the_documented_command_and_curl_examples_work_as_written() {
    let start = doc_block("service-start");
    let command = start.lines().find(|l| l.starts_with("sev serve")).expect("a sev serve line");
    let dir = tempfile::tempdir().expect("temp dir");
    let args: Vec<String> = command.split_whitespace().skip(1).map(|a| if a.starts_with("examples/") { root().join(a).display().to_string() } else { a.to_string() }).collect();
    // The documented command, in a fresh folder (its default store), on a free port.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(&args)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("SEV_CACHE_DIR", root().join("target").join("sev-test-cache"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("sev serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let child = Reaped(child);
    let mut addr = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let addr = addr.expect("the service printed its address");
    let token = args.iter().find_map(|a| a.split_once('=').map(|(t, _)| t.to_string())).expect("the documented token");
    let out = Command::new("sh").arg("-c").arg(doc_block("service-curl")).env("SEV", &addr).env("TOKEN", &token).output().expect("sh runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(answers.len(), 6);
    assert!(answers.iter().all(|a| a.get("error").is_none()), "{answers:?}");
    assert_eq!(answers[1]["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(answers[2]["points"], 3);
    assert_eq!(answers[2]["last"]["value"], 12.4);
    assert_eq!(answers[3]["series"], serde_json::json!(["alpha.latency"]));
    assert_eq!((answers[4]["status"].as_str(), answers[5]["status"].as_str()), (Some("ok"), Some("ready")));
    assert!(dir.path().join("sev-serve.db").exists(), "the embedded default store");
    drop(child);
}
