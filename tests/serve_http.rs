//! `sev serve` over HTTP, as a separate process on a loopback port: the API round trip,
//! tenants confined to their prefix, 1,000 malformed requests answered with 4xx while the
//! service stays healthy, alerts delivered as Alertmanager webhooks with hysteresis, and the
//! crash test: `kill -9` in the middle of a stream, restart, continue, and every output equals
//! an uninterrupted run's.

mod serve_common;

use serde_json::Value;
use serve_common::{Server, batch, bocpd_lib, series, ts};
use sev::serve::detector::DetectorLib;

const ALPHA: &str = "alpha-token-0001";
const BETA: &str = "beta-token-0002";
const ADMIN: &str = "admin-token-0003";

fn tenants(dir: &std::path::Path) -> Server {
    let tokens = dir.join("tokens");
    std::fs::write(&tokens, format!("# tenants\n{ALPHA} alpha.\n{BETA} beta.\n{ADMIN} *\n")).expect("write tokens");
    Server::start(&dir.join("db.sqlite"), &["--tokens", tokens.to_str().expect("utf-8"), "--max-body-bytes", "65536", "--max-series", "50"])
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[test]
fn points_go_in_and_probabilities_come_out_per_tenant() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = tenants(dir.path());
    let values = series(3, 40);
    let (status, body) = server.request("POST", "/v1/series/alpha.latency/points", Some(ALPHA), Some(batch(&values, 0..39).as_bytes()));
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["results"].as_array().map(Vec::len), Some(39));
    let single = format!(r#"{{"timestamp_ms": {}, "value": {}}}"#, ts(39), values[39]);
    let (status, body) = server.request("POST", "/v1/series/alpha.latency/points", Some(ALPHA), Some(single.as_bytes()));
    assert_eq!(status, 200, "{body}");
    let pushed = json(&body)["results"][0].clone();

    // The latest reading is the last point's, as the detector computed it in-process.
    let lib = DetectorLib::open(&bocpd_lib()).expect("opens");
    let mut state = lib.new_state().expect("state");
    let mut expected = None;
    for (i, v) in values.iter().enumerate() {
        expected = Some(state.update(ts(i), *v).expect("update"));
    }
    let expected = expected.expect("40 points");
    let (status, body) = server.request("GET", "/v1/series/alpha.latency", Some(ALPHA), None);
    assert_eq!(status, 200, "{body}");
    let read = json(&body);
    assert_eq!(read["points"], 40);
    assert_eq!(read["last"], pushed);
    assert_eq!(read["last"]["probability"].as_f64(), Some(expected.probability));
    assert_eq!(read["last"]["lower"].as_f64(), Some(expected.lower));
    assert_eq!(read["last"]["upper"].as_f64(), Some(expected.upper));

    // Beta's series are beta's alone, and the reverse.
    let (status, _) = server.request("POST", "/v1/series/beta.errors/points", Some(BETA), Some(br#"{"timestamp_ms": 1, "value": 3}"#));
    assert_eq!(status, 200);
    for (method, path, body) in [("GET", "/v1/series/alpha.latency", None), ("POST", "/v1/series/alpha.latency/points", Some(&br#"{"timestamp_ms": 9e15, "value": 1}"#[..]))] {
        let (status, answer) = server.request(method, path, Some(BETA), body);
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert_eq!(json(&answer)["error"]["code"], "forbidden");
    }
    let (_, list) = server.request("GET", "/v1/series", Some(ALPHA), None);
    assert_eq!(json(&list)["series"], serde_json::json!(["alpha.latency"]));
    let (_, list) = server.request("GET", "/v1/series", Some(ADMIN), None);
    assert_eq!(json(&list)["series"], serde_json::json!(["alpha.latency", "beta.errors"]));
    let (_, metrics) = server.request("GET", "/metrics", Some(BETA), None);
    assert!(metrics.contains("sev_anomaly_probability{series=\"beta.errors\"}") && !metrics.contains("alpha.latency"), "{metrics}");
    let (_, metrics) = server.request("GET", "/metrics", Some(ADMIN), None);
    assert!(metrics.contains("sev_points_ingested_total 41\n") && metrics.contains("sev_series 2\n"), "{metrics}");
    assert!(metrics.contains("sev_push_duration_seconds_count 3\n"), "{metrics}");

    assert_eq!(server.request("GET", "/healthz", None, None).0, 200);
    assert_eq!(server.request("GET", "/readyz", None, None).0, 200);
    assert_eq!(server.stop(), Some(0), "a SIGTERM stops the service cleanly");
}

/// The kinds of bad request, by index: (method, path, token, body, expected status).
fn malformed(i: usize) -> (&'static str, String, Option<&'static str>, Vec<u8>, u16) {
    let push = "/v1/series/alpha.m/points".to_string();
    let point = |body: &str| body.as_bytes().to_vec();
    match i % 20 {
        0 => ("POST", push, Some(ALPHA), point("{not json"), 400),
        1 => ("POST", push, Some(ALPHA), point(r#"{"timestamp_ms": "soon", "value": 1}"#), 400),
        2 => ("POST", push, Some(ALPHA), point(r#"{"timestamp_ms": 1, "value": "high"}"#), 400),
        3 => ("POST", push, Some(ALPHA), point(r#"{"timestamp_ms": 1.5, "value": 1}"#), 400),
        4 => ("POST", push, Some(ALPHA), point(r#"{"points": []}"#), 400),
        5 => ("POST", push, Some(ALPHA), point(r#"{"points": {"timestamp_ms": 1}}"#), 400),
        6 => ("POST", push, Some(ALPHA), point(r#"{"points": [{"timestamp_ms": 1, "value": 2, "extra": 3}]}"#), 400),
        7 => ("POST", push, Some(ALPHA), point("[1, 2, 3]"), 400),
        8 => ("POST", push, Some(ALPHA), vec![b' '; 70_000 + i], 413),
        9 => ("POST", push, Some(ALPHA), point(r#"{"value": 1}"#), 400),
        10 => ("GET", format!("/v1/series/alpha.unknown{i}"), Some(ALPHA), Vec::new(), 404),
        11 => ("POST", push, Some("wrong-token-0000"), point(r#"{"timestamp_ms": 1, "value": 1}"#), 401),
        12 => ("POST", push, None, point(r#"{"timestamp_ms": 1, "value": 1}"#), 401),
        13 => ("GET", "/v1/series/alpha.m".to_string(), Some(BETA), Vec::new(), 403),
        14 => ("POST", "/v1/series/alpha.bad%20name/points".to_string(), Some(ALPHA), point(r#"{"timestamp_ms": 1, "value": 1}"#), 400),
        15 => ("DELETE", "/v1/series/alpha.m".to_string(), Some(ALPHA), Vec::new(), 405),
        16 => ("GET", "/v2/anything".to_string(), Some(ALPHA), Vec::new(), 404),
        17 => ("POST", push, Some(ALPHA), point(r#"{"timestamp_ms": 1, "value": 1}"#), 409),
        18 => ("POST", push, Some(ALPHA), point(r#"{"timestamp_ms": 99999999999999999999, "value": 1}"#), 400),
        _ => ("POST", push, Some(ALPHA), point("\u{0}\u{1}\u{2}"), 400),
    }
}

#[test]
fn a_thousand_malformed_requests_get_4xx_with_a_reason_and_the_service_stays_healthy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = tenants(dir.path());
    // One good point first, so that a point at timestamp 1 is out of order (409).
    let (status, body) = server.request("POST", "/v1/series/alpha.m/points", Some(ALPHA), Some(br#"{"timestamp_ms": 1000, "value": 1}"#));
    assert_eq!(status, 200, "{body}");
    for i in 0..1000 {
        let (method, path, token, body, expected) = malformed(i);
        let (status, answer) = server.request(method, &path, token, Some(&body));
        assert_eq!(status, expected, "request {i} ({method} {path}): {answer}");
        let error = json(&answer);
        assert!(error["error"]["code"].is_string() && error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "request {i}: {answer}");
    }
    assert_eq!(server.request("GET", "/healthz", None, None).0, 200);
    let (status, body) = server.request("POST", "/v1/series/alpha.m/points", Some(ALPHA), Some(br#"{"timestamp_ms": 2000, "value": 1.5}"#));
    assert_eq!(status, 200, "still serving: {body}");
    let (_, read) = server.request("GET", "/v1/series/alpha.m", Some(ALPHA), None);
    assert_eq!(json(&read)["points"], 2, "no malformed request changed the series");
}

/// The outputs of a whole run, series by series, as the JSON results the service returns.
fn push_all(server: &Server, values: &[f64], batches: &[(usize, std::ops::Range<usize>)]) -> Vec<Value> {
    batches
        .iter()
        .flat_map(|(s, range)| {
            let path = format!("/v1/series/crash.s{s}/points");
            let (status, body) = server.request("POST", &path, None, Some(batch(values, range.clone()).as_bytes()));
            assert_eq!(status, 200, "{body}");
            json(&body)["results"].as_array().expect("results").clone()
        })
        .collect()
}

#[test]
fn kill_9_mid_stream_then_restart_gives_the_outputs_of_an_uninterrupted_run() {
    let values = series(16, 400);
    // Two series, batches of 1 to 9 points, interleaved.
    let mut batches = Vec::new();
    let mut next = [0usize; 2];
    let mut k = 0;
    while next.iter().any(|n| *n < values.len()) {
        let s = k % 2;
        let size = 1 + (k * 7) % 9;
        let end = (next[s] + size).min(values.len());
        if next[s] < end {
            batches.push((s, next[s]..end));
        }
        next[s] = end;
        k += 1;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let checkpointing = ["--checkpoint-every", "25"];
    let straight = Server::start(&dir.path().join("straight.db"), &checkpointing);
    let expected = push_all(&straight, &values, &batches);
    straight.kill();

    let db = dir.path().join("crash.db");
    let cut = batches.len() / 2 + 3;
    let first = Server::start(&db, &checkpointing);
    let mut got = push_all(&first, &values, &batches[..cut]);
    first.kill(); // SIGKILL: no checkpoint at exit, the log since the last one is replayed
    let second = Server::start(&db, &checkpointing);
    assert!(second.log.lock().expect("log").contains("(2 series recovered)"), "{}", second.log.lock().expect("log"));
    got.extend(push_all(&second, &values, &batches[cut..]));
    assert_eq!(got.len(), 800);
    assert_eq!(got, expected, "outputs after the crash equal the uninterrupted run's");
    let flagged = got.iter().filter(|r| r["probability"].as_f64().is_some_and(|p| p > 0.5)).count();
    let top = got.iter().filter_map(|r| r["probability"].as_f64()).fold(0.0, f64::max);
    assert!(flagged >= 2, "the shifts are flagged in both series: {flagged} (max {top}) {}", got[600]);
}

/// A receiver of webhooks: answers 200 to every POST and hands its body over.
fn receiver() -> (String, std::sync::mpsc::Receiver<Value>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ = reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if let Ok(v) = serde_json::from_slice(&body) {
                let _ = tx.send(v);
            }
        }
    });
    (addr, rx)
}

#[test]
fn an_anomaly_fires_one_alert_and_resolves_it_after_the_calm_run() {
    let (addr, alerts) = receiver();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("http://{addr}/hooks/alertmanager");
    let server = Server::start(&dir.path().join("db"), &["--alert-url", &url, "--alert-calm", "5"]);
    let values = series(5, 400);
    let (status, body) = server.request("POST", "/v1/series/web.latency/points", None, Some(batch(&values, 0..400).as_bytes()));
    assert_eq!(status, 200, "{body}");
    let results = json(&body)["results"].as_array().expect("results").clone();
    let first_alert = results.iter().position(|r| r["probability"].as_f64().is_some_and(|p| p >= 0.5)).expect("the shift is flagged");
    assert!((300..=302).contains(&first_alert), "{first_alert}");

    let firing = alerts.recv_timeout(std::time::Duration::from_secs(20)).expect("a firing webhook");
    assert_eq!((firing["version"].as_str(), firing["status"].as_str()), (Some("4"), Some("firing")), "{firing}");
    let alert = &firing["alerts"][0];
    assert_eq!(alert["labels"], serde_json::json!({"alertname": "SevAnomaly", "series": "web.latency"}));
    assert_eq!(alert["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(alert["startsAt"].as_str(), Some(sev::serve::alerts::rfc3339(ts(first_alert)).as_str()));
    let probability: f64 = alert["annotations"]["probability"].as_str().and_then(|p| p.parse().ok()).expect("a probability");
    assert_eq!(Some(probability), results[first_alert]["probability"].as_f64());
    assert!(alert["annotations"]["confidence"].as_str().and_then(|c| c.parse::<f64>().ok()).is_some_and(|c| c >= probability));
    assert_eq!(alert["fingerprint"].as_str().map(str::len), Some(16));

    // The new level is learnt within a few rows, so five calm rows resolve the alert.
    let resolved = alerts.recv_timeout(std::time::Duration::from_secs(20)).expect("a resolved webhook");
    assert_eq!(resolved["status"], "resolved", "{resolved}");
    assert_eq!(resolved["alerts"][0]["fingerprint"], alert["fingerprint"]);
    assert_eq!(resolved["alerts"][0]["startsAt"], alert["startsAt"]);
    let (_, read) = server.request("GET", "/v1/series/web.latency", None, None);
    assert_eq!(json(&read)["alert"]["firing"], false);
    assert!(alerts.recv_timeout(std::time::Duration::from_millis(500)).is_err(), "exactly one alert, no flapping");
}

/// `docs/openapi.yaml` is a valid OpenAPI 3.0 document (`openapi-spec-validator`, pinned in
/// tests/requirements.txt) and lists every route the service answers.
#[test]
fn the_openapi_file_is_valid_and_lists_every_route() {
    let spec = serve_common::root().join("docs").join("openapi.yaml");
    let script = r#"
import sys
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename(sys.argv[1])
validate(spec)
print(" ".join(sorted(spec["paths"])))
"#;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python).arg("-c").arg(script).arg(&spec).output().expect("python runs");
    let paths = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(paths, "/api/v1/write /healthz /metrics /readyz /v1/series /v1/series/{name} /v1/series/{name}/points");
}
