//! The `http_*` built-ins with the runtime's client (`runtime/http.zig`), step for step: the
//! same URL checks and messages, the same request bytes (`Host`, `Connection: close`, the
//! default `User-Agent`/`Accept-Encoding`/`Accept`, `Content-Length` and the guessed
//! `Content-Type`), the same response reading (interim `1xx` skipped, chunked, by length or to
//! the end), lower-cased and merged header names, redirects resolved and followed the same
//! way, and the same `Err` texts. A transport failure whose name the interpreter cannot give as
//! Zig's error name (anything but a refused or reset connection, a broken pipe or a timeout), a
//! host name that does not resolve, and a response that is not UTF-8 are refused (exit 3).

use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::rc::Rc;
use std::time::Duration;

const MAX_REDIRECTS: usize = 5;
const TIMEOUT_SECONDS: u64 = 30;
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Why a request stopped: the runtime's `Err` text, or something the interpreter refuses.
enum Failure {
    Err(Vec<u8>),
    Refused(String),
}

type Step<T> = Result<T, Failure>;

fn fail<T>(message: impl AsRef<[u8]>) -> Step<T> {
    let mut text = b"http: ".to_vec();
    text.extend_from_slice(message.as_ref());
    Err(Failure::Err(text))
}

/// `s` cut to at most `n` bytes.
fn cut(s: &[u8], n: usize) -> &[u8] {
    &s[..s.len().min(n)]
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// An unsigned number as Zig's `std.fmt.parseInt` reads it: a `+`, a `-` before zeros only,
/// `_` between digits.
fn zig_uint(text: &[u8], radix: u32, max: u64) -> Option<u64> {
    let (negative, digits) = match text.split_first() {
        Some((b'+', rest)) => (false, rest),
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.first().is_none_or(|&c| c == b'_') || digits.last() == Some(&b'_') {
        return None;
    }
    let mut value: u64 = 0;
    for &c in digits.iter().filter(|&&c| c != b'_') {
        let digit = u64::from((c as char).to_digit(radix)?);
        value = match negative {
            true if digit != 0 => return None,
            true => 0,
            false => value.checked_mul(u64::from(radix))?.checked_add(digit)?,
        };
    }
    (value <= max).then_some(value)
}

// ----- URLs ------------------------------------------------------------------------------------

struct Url {
    host: Vec<u8>,
    port: u16,
    target: Vec<u8>,
    authority: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_url(url: &[u8]) -> Step<Url> {
    if url.iter().any(|&c| c <= 0x20 || c == 0x7f) {
        return fail(cat(&[b"invalid URL '", url, b"': it contains a space or control character (percent-encode it)"]));
    }
    let Some(scheme_end) = find(url, b"://") else { return fail(cat(&[b"invalid URL '", url, b"': expected http://host/path"])) };
    let scheme = &url[..scheme_end];
    if scheme.eq_ignore_ascii_case(b"https") {
        return fail(cat(&[b"https is not supported (plain http:// only): '", url, b"'"]));
    }
    if !scheme.eq_ignore_ascii_case(b"http") {
        return fail(cat(&[b"unsupported URL scheme '", scheme, b"' in '", url, b"' (plain http:// only)"]));
    }
    let rest = &url[scheme_end + 3..];
    let auth_end = rest.iter().position(|c| b"/?#".contains(c)).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let mut target = &rest[auth_end..];
    if let Some(h) = target.iter().position(|&c| c == b'#') {
        target = &target[..h];
    }
    let bad = |what: &[u8]| fail(cat(&[b"invalid URL '", url, b"': ", what]));
    if authority.contains(&b'@') {
        return bad(b"credentials in URLs are not supported");
    }
    let (mut host, mut port) = (authority, 80u16);
    let port_of = |text: &[u8]| zig_uint(text, 10, u64::from(u16::MAX)).map(|p| p as u16);
    if authority.first() == Some(&b'[') {
        let Some(close) = authority.iter().position(|&c| c == b']') else { return bad(b"unclosed '[' in the host") };
        host = &authority[1..close];
        let after = &authority[close + 1..];
        if !after.is_empty() {
            if after[0] != b':' {
                return bad(b"unexpected text after the host");
            }
            let Some(p) = port_of(&after[1..]) else { return bad(b"bad port") };
            port = p;
        }
    } else if let Some(colon) = authority.iter().rposition(|&c| c == b':') {
        host = &authority[..colon];
        let Some(p) = port_of(&authority[colon + 1..]) else { return bad(b"bad port") };
        port = p;
    }
    if host.is_empty() {
        return bad(b"no host");
    }
    Ok(Url { host: host.to_vec(), port, target: target.to_vec(), authority: authority.to_vec() })
}

// ----- Requests --------------------------------------------------------------------------------

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&c| c > 0x20 && c < 0x7f && !b"()<>@,;:\\\"/[]?={}".contains(&c))
}

fn has_header(headers: &[(Vec<u8>, Vec<u8>)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
}

fn request_bytes(method: &[u8], url: &Url, headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) -> Vec<u8> {
    let mut w = cat(&[method, b" "]);
    if url.target.first().is_none_or(|&c| c == b'?') {
        w.push(b'/');
    }
    w.extend_from_slice(&url.target);
    w.extend_from_slice(&cat(&[b" HTTP/1.1\r\nHost: ", &url.authority, b"\r\nConnection: close\r\n"]));
    for (name, default) in [("user-agent", "User-Agent: sev\r\n"), ("accept-encoding", "Accept-Encoding: identity\r\n"), ("accept", "Accept: */*\r\n")] {
        if !has_header(headers, name) {
            w.extend_from_slice(default.as_bytes());
        }
    }
    if !body.is_empty() || matches!(method, b"POST" | b"PUT" | b"PATCH") {
        w.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        if !body.is_empty() && !has_header(headers, "content-type") {
            let json_like = body.iter().find(|c| !b" \t\r\n".contains(c)).is_some_and(|&c| c == b'{' || c == b'[');
            w.extend_from_slice(if json_like { b"Content-Type: application/json\r\n".as_slice() } else { b"Content-Type: text/plain; charset=utf-8\r\n".as_slice() });
        }
    }
    for (k, v) in headers {
        if ["content-length", "connection", "transfer-encoding", "host"].iter().any(|m| k.eq_ignore_ascii_case(m.as_bytes())) {
            continue;
        }
        w.extend_from_slice(&cat(&[k, b": ", v, b"\r\n"]));
    }
    w.extend_from_slice(b"\r\n");
    w.extend_from_slice(body);
    w
}

/// Zig's error name for an I/O failure, or a refusal.
fn zig_error_name(e: &std::io::Error) -> Step<&'static str> {
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => Ok("ConnectionRefused"),
        Some(libc::ECONNRESET) => Ok("ConnectionResetByPeer"),
        Some(libc::EPIPE) => Ok("BrokenPipe"),
        _ => Err(Failure::Refused(format!("an HTTP failure the interpreter cannot name as compiled code does ({e})"))),
    }
}

fn read_failure<T>(where_: &[u8], e: &std::io::Error) -> Step<T> {
    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
        return fail(cat(&[format!("timed out after {TIMEOUT_SECONDS} s waiting for ").as_bytes(), where_]));
    }
    let name = zig_error_name(e)?;
    fail(cat(&[b"cannot read the response from ", where_, b": ", name.as_bytes()]))
}

/// Connects as `std.net.tcpConnectToHost` does: each address in turn, past refusals.
fn connect(url: &Url, where_: &[u8]) -> Step<TcpStream> {
    let host = String::from_utf8_lossy(&url.host).into_owned();
    let addrs: Vec<_> = match (host.as_str(), url.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => return Err(Failure::Refused(format!("an HTTP host name that does not resolve ({e})"))),
    };
    for addr in addrs {
        match TcpStream::connect(addr) {
            Ok(s) => return Ok(s),
            Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => continue,
            Err(e) => {
                let name = zig_error_name(&e)?;
                return fail(cat(&[b"cannot connect to ", where_, b": ", name.as_bytes()]));
            }
        }
    }
    fail(cat(&[b"cannot connect to ", where_, b": ConnectionRefused"]))
}

// ----- Responses -------------------------------------------------------------------------------

struct Head {
    status: u16,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    content_length: Option<u64>,
    chunked: bool,
}

fn read_byte(r: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    let mut b = [0u8; 1];
    loop {
        match r.read(&mut b) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(b[0])),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

fn read_head(r: &mut impl BufRead, where_: &[u8]) -> Step<Vec<u8>> {
    let mut buf = Vec::new();
    loop {
        let c = match read_byte(r) {
            Ok(Some(c)) => c,
            Ok(None) if buf.is_empty() => return fail(cat(&[where_, b" closed the connection without a response"])),
            Ok(None) => return fail(cat(&[b"malformed response from ", where_, b": the head ended early"])),
            Err(e) => return read_failure(where_, &e),
        };
        buf.push(c);
        if buf.len() > MAX_HEAD_BYTES {
            return fail(cat(&[b"malformed response from ", where_, format!(": the head is larger than {MAX_HEAD_BYTES} bytes").as_bytes()]));
        }
        if buf.ends_with(b"\r\n\r\n") || buf.ends_with(b"\n\n") {
            return Ok(buf);
        }
    }
}

fn trim_with<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !set.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !set.contains(c)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

fn trim_right<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let end = s.iter().rposition(|c| !set.contains(c)).map_or(0, |e| e + 1);
    &s[..end]
}

fn parse_head(text: &[u8], where_: &[u8]) -> Step<Head> {
    let mut lines = text.split(|&c| c == b'\n');
    let status_line = trim_right(lines.next().unwrap_or_default(), b"\r");
    let bad_status = || fail(cat(&[b"malformed response from ", where_, b": bad status line '", cut(status_line, 80), b"'"]));
    if !status_line.starts_with(b"HTTP/1.") || status_line.len() < 12 || status_line[8] != b' ' {
        return bad_status();
    }
    let Some(status) = zig_uint(&status_line[9..12], 10, u64::from(u16::MAX)) else { return bad_status() };
    let mut head = Head { status: status as u16, headers: Vec::new(), content_length: None, chunked: false };
    for raw in lines {
        let line = trim_right(raw, b"\r");
        if line.is_empty() {
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return fail(cat(&[b"malformed response from ", where_, b": bad header line '", cut(line, 80), b"'"]));
        };
        let name_raw = trim_with(&line[..colon], b" \t");
        let value = trim_with(&line[colon + 1..], b" \t");
        if name_raw.len() > 256 {
            return fail(cat(&[b"malformed response from ", where_, b": header name too long"]));
        }
        let name = name_raw.to_ascii_lowercase();
        if name == b"content-length" {
            let Some(n) = zig_uint(value, 10, u64::MAX) else {
                return fail(cat(&[b"malformed response from ", where_, b": bad Content-Length '", cut(value, 40), b"'"]));
            };
            head.content_length = Some(n);
        } else if name == b"transfer-encoding" && value.to_ascii_lowercase().windows(7).any(|w| w == b"chunked") {
            head.chunked = true;
        }
        match head.headers.iter_mut().find(|(k, _)| *k == name) {
            Some((_, old)) => *old = cat(&[old, b", ", value]),
            None => head.headers.push((name, value.to_vec())),
        }
    }
    Ok(head)
}

fn read_line(r: &mut impl BufRead, where_: &[u8]) -> Step<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        match read_byte(r) {
            Ok(Some(b'\n')) => return Ok(line),
            Ok(Some(c)) => line.push(c),
            Ok(None) => return fail(cat(&[b"malformed chunked body from ", where_, b": the connection closed early"])),
            Err(e) => return read_failure(where_, &e),
        }
        if line.len() > 4096 {
            return fail(cat(&[b"malformed chunked body from ", where_, b": line too long"]));
        }
    }
}

fn read_exact(r: &mut impl BufRead, out: &mut Vec<u8>, n: u64, where_: &[u8]) -> Step<()> {
    let mut left = n;
    let mut buf = [0u8; 16 * 1024];
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let got = match r.read(&mut buf[..want]) {
            Ok(g) => g,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return read_failure(where_, &e),
        };
        if got == 0 {
            return fail(cat(&[b"response from ", where_, format!(" ended after {} of {n} body bytes", n - left).as_bytes()]));
        }
        out.extend_from_slice(&buf[..got]);
        left -= got as u64;
    }
    Ok(())
}

fn read_chunked(r: &mut impl BufRead, out: &mut Vec<u8>, where_: &[u8]) -> Step<()> {
    loop {
        let line = read_line(r, where_)?;
        let ext = line.iter().position(|&c| c == b';').unwrap_or(line.len());
        let size_text = trim_with(&line[..ext], b" \t\r");
        let Some(size) = zig_uint(size_text, 16, u64::MAX) else {
            return fail(cat(&[b"malformed chunked body from ", where_, b": bad chunk size '", cut(size_text, 40), b"'"]));
        };
        if size == 0 {
            while !trim_with(&read_line(r, where_)?, b"\r").is_empty() {}
            return Ok(());
        }
        read_exact(r, out, size, where_)?;
        read_line(r, where_)?;
    }
}

fn read_to_end(r: &mut impl BufRead, out: &mut Vec<u8>, where_: &[u8]) -> Step<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(got) => out.extend_from_slice(&buf[..got]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return read_failure(where_, &e),
        }
    }
}

/// A response: status, body, headers (lower-cased names, in arrival order).
struct Response {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
}

/// One request/response exchange (no redirects).
fn exchange(method: &[u8], url: &Url, headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) -> Step<Response> {
    let where_ = cat(&[cut(&url.host, 250), format!(":{}", url.port).as_bytes()]);
    let mut stream = connect(url, &where_)?;
    // Best effort, as in the runtime.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(TIMEOUT_SECONDS)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(TIMEOUT_SECONDS)));
    if let Err(e) = stream.write_all(&request_bytes(method, url, headers, body)).and_then(|()| stream.flush()) {
        let name = zig_error_name(&e)?;
        return fail(cat(&[b"cannot send the request to ", &where_, b": ", name.as_bytes()]));
    }
    let mut r = BufReader::new(stream);
    let head = loop {
        let text = read_head(&mut r, &where_)?;
        let head = parse_head(&text, &where_)?;
        if !((100..200).contains(&head.status) && head.status != 101) {
            break head;
        }
    };
    let mut out = Vec::new();
    let no_body = method == b"HEAD" || head.status == 204 || head.status == 304 || (100..200).contains(&head.status);
    if !no_body {
        if head.chunked {
            read_chunked(&mut r, &mut out, &where_)?;
        } else if let Some(n) = head.content_length {
            read_exact(&mut r, &mut out, n, &where_)?;
        } else {
            read_to_end(&mut r, &mut out, &where_)?;
        }
    }
    Ok(Response { status: head.status, body: out, headers: head.headers })
}

/// The request with its redirects followed, as `http.requestInner`.
fn request(method_in: &[u8], url_in: &[u8], headers: &[(Vec<u8>, Vec<u8>)], body_in: &[u8]) -> Step<Response> {
    if !is_token(method_in) {
        return fail(cat(&[b"invalid method '", cut(method_in, 40), b"'"]));
    }
    for (k, v) in headers {
        if !is_token(k) {
            return fail(cat(&[b"invalid header name '", cut(k, 80), b"'"]));
        }
        if v.iter().any(|&c| c == b'\r' || c == b'\n' || c == 0) {
            return fail(cat(&[b"invalid value for header '", k, b"': line breaks are not allowed"]));
        }
    }
    let (mut method, mut body) = (method_in.to_vec(), body_in.to_vec());
    let mut current = url_in.to_vec();
    let mut redirects = 0;
    loop {
        let url = parse_url(&current)?;
        let resp = exchange(&method, &url, headers, &body)?;
        let s = resp.status;
        let location = match s {
            301 | 302 | 303 | 307 | 308 => resp.headers.iter().find(|(k, _)| k == b"location").map(|(_, v)| v.clone()),
            _ => None,
        };
        let Some(loc) = location else { return Ok(resp) };
        if redirects == MAX_REDIRECTS {
            return fail(cat(&[format!("too many redirects (more than {MAX_REDIRECTS}) starting from '").as_bytes(), url_in, b"'"]));
        }
        redirects += 1;
        current = normalize_dots(resolve(&loc, &url));
        if s == 303 || (matches!(s, 301 | 302) && method == b"POST") {
            method = b"GET".to_vec();
            body.clear();
        }
    }
}

/// `loc` (a redirect's Location) against the URL it came from.
fn resolve(loc: &[u8], url: &Url) -> Vec<u8> {
    if find(loc, b"://").is_some() {
        return loc.to_vec();
    }
    if loc.starts_with(b"//") {
        return cat(&[b"http:", loc]);
    }
    let mut next = cat(&[b"http://", &url.authority]);
    if loc.first() != Some(&b'/') {
        let path_end = url.target.iter().position(|&c| c == b'?').unwrap_or(url.target.len());
        let path = &url.target[..path_end];
        match path.iter().rposition(|&c| c == b'/') {
            Some(slash) => next.extend_from_slice(&path[..=slash]),
            None => next.push(b'/'),
        }
    }
    next.extend_from_slice(loc);
    next
}

/// Removes `.` and `..` segments from the path of an absolute URL (RFC 3986 §5.2.4).
fn normalize_dots(text: Vec<u8>) -> Vec<u8> {
    let Some(scheme_end) = find(&text, b"://").map(|i| i + 3) else { return text };
    let Some(path_start) = text[scheme_end..].iter().position(|&c| c == b'/').map(|i| i + scheme_end) else { return text };
    let path_end = text[path_start..].iter().position(|&c| c == b'?' || c == b'#').map_or(text.len(), |i| i + path_start);
    let mut stack: Vec<&[u8]> = Vec::new();
    let mut trailing_slash = false;
    for seg in text[path_start + 1..path_end].split(|&c| c == b'/') {
        trailing_slash = false;
        match seg {
            b"." => trailing_slash = true,
            b".." => {
                stack.pop();
                trailing_slash = true;
            }
            _ => stack.push(seg),
        }
    }
    let mut out = Vec::new();
    for seg in &stack {
        out.push(b'/');
        out.extend_from_slice(seg);
    }
    if trailing_slash || out.is_empty() {
        out.push(b'/');
    }
    cat(&[&text[..path_start], &out, &text[path_end..]])
}

// ----- The built-ins ---------------------------------------------------------------------------

fn text(bytes: Vec<u8>, loc: &Loc) -> Result<Value, Stop> {
    String::from_utf8(bytes).map(|s| Value::str(&s)).map_err(|_| Stop::unsupported("an HTTP response that is not UTF-8", loc))
}

/// Runs HTTP built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let s = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    };
    let none: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let outcome = match name {
        "http_get" => request(b"GET", &s(0), &none, b""),
        "http_delete" => request(b"DELETE", &s(0), &none, b""),
        "http_post" => request(b"POST", &s(0), &none, &s(1)),
        "http_put" => request(b"PUT", &s(0), &none, &s(1)),
        "http_request" => {
            let headers: Vec<(Vec<u8>, Vec<u8>)> = match args.get(2) {
                Some(Value::Map(m)) => m
                    .iter()
                    .map(|(k, v)| match (k, v) {
                        (Value::Str(k), Value::Str(v)) => (k.as_bytes().to_vec(), v.as_bytes().to_vec()),
                        _ => (Vec::new(), Vec::new()),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            request(&s(0), &s(1), &headers, &s(3))
        }
        _ => return None,
    };
    Some(match outcome {
        Ok(resp) => response_value(resp, loc).map(|v| Reply::Result(Ok(v))),
        Err(Failure::Err(message)) => text(message, loc).map(|m| match m {
            Value::Str(m) => Reply::Result(Err(m.to_string())),
            _ => Reply::Result(Err(String::new())),
        }),
        Err(Failure::Refused(what)) => Err(Stop::unsupported(what, loc)),
    })
}

/// The `HttpResponse` record: status, body, headers (field order of the prelude record).
fn response_value(resp: Response, loc: &Loc) -> Result<Value, Stop> {
    let mut headers = Vec::new();
    for (k, v) in resp.headers {
        headers.push((text(k, loc)?, text(v, loc)?));
    }
    Ok(Value::Fields(Rc::new(vec![Value::Int(i128::from(resp.status)), text(resp.body, loc)?, Value::Map(Rc::new(headers))])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_removed_like_the_runtime() {
        for (input, want) in [
            ("http://h/a/b/../c?x=/../", "http://h/a/c?x=/../"),
            ("http://h/a/./b/", "http://h/a/b/"),
            ("http://h/../../x", "http://h/x"),
            ("http://h/a/b/..", "http://h/a/"),
            ("http://h:1", "http://h:1"),
        ] {
            assert_eq!(String::from_utf8_lossy(&normalize_dots(input.as_bytes().to_vec())), want);
        }
    }
}
