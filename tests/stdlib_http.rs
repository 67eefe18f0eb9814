//! The HTTP built-ins end to end: `examples/http_client.sirs.json` is built with Zig and run
//! against a small HTTP/1.1 server that this test starts on a loopback port (127.0.0.1:0, so
//! nothing outside the machine is ever contacted). The program gets the server's port and a
//! port that was bound and closed again (for a refused connection) as its two arguments. The
//! test checks the program's stdout against `examples/expected/http_client.stdout` and the
//! requests the server received: methods, paths, headers and bodies. The server handles a
//! bounded number of connections and stops by itself after a deadline. A second test runs the
//! same example through the CIR interpreter and expects the same output and requests.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The requests the example makes.
const EXPECTED_REQUESTS: usize = 6;

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    /// Lower-cased names, in the order received.
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads one request (head, then a Content-Length body).
fn read_request(stream: &mut TcpStream) -> Result<Request, String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed before the end of the head".into());
        }
        data.extend_from_slice(&buf[..n]);
        if data.len() > 64 * 1024 {
            return Err("head too large".into());
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    if parts.next() != Some("HTTP/1.1") {
        return Err(format!("bad request line {request_line:?}"));
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(Ok(0), |(_, v)| v.parse()).map_err(|e| format!("content-length: {e}"))?;
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).map_err(|e| format!("read body: {e}"))?;
        if n == 0 {
            return Err("connection closed inside the body".into());
        }
        body.extend_from_slice(&buf[..n]);
    }
    Ok(Request { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// The server's answer: status line, content type and body.
fn respond(req: &Request) -> (u16, &'static str, Option<&'static str>, String) {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/hello") => (200, "OK", Some("text/plain"), "hello from the test server".into()),
        ("GET", "/echo-headers") => {
            let token = req.header("x-token").unwrap_or("-");
            let accept = req.header("accept").unwrap_or("-");
            (200, "OK", Some("application/json"), format!("{{\"x-token\":\"{token}\",\"accept\":\"{accept}\"}}"))
        }
        ("POST", "/items") => (201, "Created", Some("application/json"), format!("{{\"id\":42,\"received\":{}}}", req.body)),
        ("PUT", "/items/7") => (200, "OK", Some("text/plain"), format!("updated 7 with {}", req.body)),
        ("DELETE", "/items/7") => (204, "No Content", None, String::new()),
        _ => (404, "Not Found", Some("text/plain"), format!("not found: {}", req.path)),
    }
}

fn serve_one(mut stream: TcpStream) -> Result<Request, String> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let req = read_request(&mut stream)?;
    let (status, reason, content_type, body) = respond(&req);
    let mut out = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        out.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if status != 204 {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    stream.write_all(out.as_bytes()).map_err(|e| format!("write: {e}"))?;
    Ok(req)
}

/// Accepts connections until `count` requests were served or `deadline` passed; sends each
/// request (or the error reading it) to `tx`.
fn serve(listener: TcpListener, count: usize, deadline: Instant, tx: mpsc::Sender<Result<Request, String>>) {
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    let mut served = 0;
    while served < count && Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                served += 1;
                if tx.send(serve_one(stream)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                let _ = tx.send(Err(format!("accept: {e}")));
                return;
            }
        }
    }
}

#[test]
fn http_client_example_talks_to_a_loopback_server() {
    let name = "examples/http_client.sirs.json";
    let source = std::fs::read_to_string(support::root().join(name)).expect("the example exists");
    let expected = std::fs::read_to_string(support::root().join("examples/expected/http_client.stdout")).expect("expected output exists");
    let c = support::compile(name, &source);
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("program");
    support::build_zig(c.zig.as_deref().unwrap_or_default(), &[], false, &exe).expect("the example builds");

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("address").port();
    let closed_port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind a second loopback port");
        l.local_addr().expect("address").port()
    };
    let (tx, rx) = mpsc::channel();
    let deadline = Instant::now() + Duration::from_secs(60);
    let server = std::thread::spawn(move || serve(listener, EXPECTED_REQUESTS, deadline, tx));

    let out = support::run_exe(&exe, &[port.to_string(), closed_port.to_string()], None).expect("the example runs");
    server.join().expect("the server thread ends");
    let requests: Vec<Request> = rx.try_iter().map(|r| r.expect("a well-formed request")).collect();

    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert_eq!(out.stdout, expected, "stderr:\n{}", out.stderr);

    let summary: Vec<(&str, &str)> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(
        summary,
        [("GET", "/hello"), ("GET", "/echo-headers"), ("POST", "/items"), ("PUT", "/items/7"), ("DELETE", "/items/7"), ("GET", "/missing")]
    );
    let host = format!("127.0.0.1:{port}");
    for r in &requests {
        assert_eq!(r.header("host"), Some(host.as_str()), "{r:?}");
        assert_eq!(r.header("connection"), Some("close"), "{r:?}");
    }
    // Caller headers are sent as given; the client's default Accept is replaced, not doubled.
    let echo = &requests[1];
    assert_eq!(echo.header("x-token"), Some("secret-123"));
    assert_eq!(echo.header("accept"), Some("application/json"));
    assert_eq!(echo.headers.iter().filter(|(n, _)| n == "accept").count(), 1);
    assert_eq!(echo.body, "");
    let post = &requests[2];
    assert_eq!(post.body, r#"{"name":"widget","qty":3}"#);
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.header("content-length"), Some("25"));
    let put = &requests[3];
    assert_eq!(put.body, "qty=5");
    assert_eq!(put.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(requests[4].body, "");
}

/// The same example through the CIR interpreter (`sev run --interp`'s engine): the same output
/// and the same requests, method by method.
#[test]
fn http_client_example_runs_interpreted_with_the_same_output_and_requests() {
    let name = "examples/http_client.sirs.json";
    let source = std::fs::read_to_string(support::root().join(name)).expect("the example exists");
    let expected = std::fs::read_to_string(support::root().join("examples/expected/http_client.stdout")).expect("expected output exists");
    let c = sev::driver::compile_with(name, source.as_bytes(), sev::driver::Options { emit_zig: false }, sev::opt::Level::O2);
    let program = c.cir.expect("the example compiles to CIR");

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("address").port();
    let closed_port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a second loopback port").port();
    let (tx, rx) = mpsc::channel();
    let deadline = Instant::now() + Duration::from_secs(60);
    let server = std::thread::spawn(move || serve(listener, EXPECTED_REQUESTS, deadline, tx));

    let out = sev::interp::run_on_own_thread_with_stdin(program, vec![port.to_string(), closed_port.to_string()], Vec::new()).expect("the interpreter runs");
    server.join().expect("the server thread ends");
    let requests: Vec<Request> = rx.try_iter().map(|r| r.expect("a well-formed request")).collect();

    assert_eq!(out.status, 0, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    let summary: Vec<(&str, &str)> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(
        summary,
        [("GET", "/hello"), ("GET", "/echo-headers"), ("POST", "/items"), ("PUT", "/items/7"), ("DELETE", "/items/7"), ("GET", "/missing")]
    );
    assert_eq!(requests[2].header("content-type"), Some("application/json"));
    assert_eq!(requests[1].header("x-token"), Some("secret-123"));
}
