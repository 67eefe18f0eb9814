//! An HTTP/1.1 client for the `http_*` built-ins, written directly on `std.net` sockets. It
//! speaks plain `http://` only: `std.http.Client` would bring in the whole TLS stack, which
//! multiplies the build time of every program that uses HTTP (see docs/stdlib.md), and an
//! `https://` URL is reported as an error value instead.
//!
//! One request per connection (`Connection: close`). The response body is read according to
//! `Transfer-Encoding: chunked`, `Content-Length`, or until the server closes the connection;
//! interim `1xx` responses are skipped; redirects (301, 302, 303, 307, 308) are followed up to
//! `max_redirects` times (303, and 301/302 after a POST, switch to GET without a body, as
//! browsers do). Header names in the response map are lower-cased; repeated headers are joined
//! with ", ". Every failure (bad URL, DNS, refused connection, timeout, malformed response) is
//! an `Err` message such as `http: cannot connect to localhost:9: ConnectionRefused`; any HTTP
//! status, including 404 and 500, is an `Ok` response.
const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const map_mod = @import("map.zig");
const option = @import("option.zig");

const Str = str_mod.Str;
const Map = map_mod.Map;
const Result = option.Result;

/// Redirects followed before giving up.
pub const max_redirects = 5;
/// Socket send/receive timeout.
pub const timeout_seconds = 30;
/// Largest accepted response head (status line and headers).
pub const max_head_bytes = 64 * 1024;

/// An HTTP response. `headers` has lower-cased names.
pub const Response = struct {
    status: i64,
    body: Str,
    headers: Map(Str, Str),
};

const Url = struct {
    host: []const u8,
    port: u16,
    /// Path and query as written (may be empty or start with `?`; see `writeTarget`).
    target: []const u8,
    /// `host` or `host:port` as written, for the Host header.
    authority: []const u8,
};

const Failure = error{Failed};

/// Collects the error message of a failed request.
const Diag = struct {
    b: str_mod.Builder = .{},

    fn fail(d: *Diag, comptime fmt: []const u8, args: anytype) Failure {
        d.b.print("http: " ++ fmt, args);
        return error.Failed;
    }
};

fn parseUrl(url: []const u8, d: *Diag) Failure!Url {
    for (url) |c| if (c <= 0x20 or c == 0x7f) return d.fail("invalid URL '{s}': it contains a space or control character (percent-encode it)", .{url});
    const scheme_end = std.mem.indexOf(u8, url, "://") orelse return d.fail("invalid URL '{s}': expected http://host/path", .{url});
    const scheme = url[0..scheme_end];
    if (std.ascii.eqlIgnoreCase(scheme, "https")) return d.fail("https is not supported (plain http:// only): '{s}'", .{url});
    if (!std.ascii.eqlIgnoreCase(scheme, "http")) return d.fail("unsupported URL scheme '{s}' in '{s}' (plain http:// only)", .{ scheme, url });
    const rest = url[scheme_end + 3 ..];
    const auth_end = std.mem.indexOfAny(u8, rest, "/?#") orelse rest.len;
    const authority = rest[0..auth_end];
    var target = rest[auth_end..];
    if (std.mem.indexOfScalar(u8, target, '#')) |h| target = target[0..h];
    if (std.mem.indexOfScalar(u8, authority, '@') != null) return d.fail("invalid URL '{s}': credentials in URLs are not supported", .{url});
    var host = authority;
    var port: u16 = 80;
    if (authority.len > 0 and authority[0] == '[') {
        const close = std.mem.indexOfScalar(u8, authority, ']') orelse return d.fail("invalid URL '{s}': unclosed '[' in the host", .{url});
        host = authority[1..close];
        const after = authority[close + 1 ..];
        if (after.len > 0) {
            if (after[0] != ':') return d.fail("invalid URL '{s}': unexpected text after the host", .{url});
            port = std.fmt.parseInt(u16, after[1..], 10) catch return d.fail("invalid URL '{s}': bad port", .{url});
        }
    } else if (std.mem.lastIndexOfScalar(u8, authority, ':')) |colon| {
        host = authority[0..colon];
        port = std.fmt.parseInt(u16, authority[colon + 1 ..], 10) catch return d.fail("invalid URL '{s}': bad port", .{url});
    }
    if (host.len == 0) return d.fail("invalid URL '{s}': no host", .{url});
    return .{ .host = host, .port = port, .target = target, .authority = authority };
}

/// The request target: the path and query, with the leading `/` an empty path needs
/// (`http://h` and `http://h?q` request `/` and `/?q`).
fn writeTarget(w: anytype, url: Url) !void {
    if (url.target.len == 0 or url.target[0] == '?') try w.writeByte('/');
    try w.writeAll(url.target);
}

fn validHeaderText(s: []const u8) bool {
    for (s) |c| if (c == '\r' or c == '\n' or c == 0) return false;
    return true;
}

fn isToken(s: []const u8) bool {
    if (s.len == 0) return false;
    for (s) |c| {
        if (c <= 0x20 or c >= 0x7f) return false;
        if (std.mem.indexOfScalar(u8, "()<>@,;:\\\"/[]?={}", c) != null) return false;
    }
    return true;
}

/// Headers the client computes itself; values the caller gives for them are ignored.
fn isManagedHeader(name: []const u8) bool {
    for ([_][]const u8{ "content-length", "connection", "transfer-encoding", "host" }) |m| {
        if (std.ascii.eqlIgnoreCase(name, m)) return true;
    }
    return false;
}

fn hasHeader(headers: Map(Str, Str), name: []const u8) bool {
    for (headers.keySlice()) |k| if (std.ascii.eqlIgnoreCase(k.bytes(), name)) return true;
    return false;
}

fn writeRequest(w: anytype, method: []const u8, url: Url, headers: Map(Str, Str), body: []const u8) !void {
    try w.print("{s} ", .{method});
    try writeTarget(w, url);
    try w.print(" HTTP/1.1\r\nHost: {s}\r\nConnection: close\r\n", .{url.authority});
    if (!hasHeader(headers, "user-agent")) try w.writeAll("User-Agent: sev\r\n");
    if (!hasHeader(headers, "accept-encoding")) try w.writeAll("Accept-Encoding: identity\r\n");
    if (!hasHeader(headers, "accept")) try w.writeAll("Accept: */*\r\n");
    const sends_body = body.len > 0 or std.mem.eql(u8, method, "POST") or std.mem.eql(u8, method, "PUT") or std.mem.eql(u8, method, "PATCH");
    if (sends_body) {
        try w.print("Content-Length: {d}\r\n", .{body.len});
        if (body.len > 0 and !hasHeader(headers, "content-type")) {
            const t = std.mem.trimLeft(u8, body, " \t\r\n");
            const json_like = t.len > 0 and (t[0] == '{' or t[0] == '[');
            try w.writeAll(if (json_like) "Content-Type: application/json\r\n" else "Content-Type: text/plain; charset=utf-8\r\n");
        }
    }
    for (headers.keySlice(), headers.valueSlice()) |k, v| {
        if (isManagedHeader(k.bytes())) continue;
        try w.print("{s}: {s}\r\n", .{ k.bytes(), v.bytes() });
    }
    try w.writeAll("\r\n");
    try w.writeAll(body);
}

const Head = struct {
    status: u16,
    headers: Map(Str, Str),
    content_length: ?u64 = null,
    chunked: bool = false,
};

/// Reads bytes up to and including the blank line that ends the head.
fn readHead(r: anytype, buf: *std.ArrayListUnmanaged(u8), d: *Diag, where: []const u8) Failure!void {
    buf.clearRetainingCapacity();
    while (true) {
        const c = r.readByte() catch |e| switch (e) {
            error.EndOfStream => return if (buf.items.len == 0)
                d.fail("{s} closed the connection without a response", .{where})
            else
                d.fail("malformed response from {s}: the head ended early", .{where}),
            else => return readFailure(d, where, e),
        };
        buf.append(core.gpa(), c) catch core.outOfMemory();
        if (buf.items.len > max_head_bytes) return d.fail("malformed response from {s}: the head is larger than {d} bytes", .{ where, max_head_bytes });
        if (std.mem.endsWith(u8, buf.items, "\r\n\r\n") or std.mem.endsWith(u8, buf.items, "\n\n")) return;
    }
}

fn readFailure(d: *Diag, where: []const u8, e: anyerror) Failure {
    if (e == error.WouldBlock) return d.fail("timed out after {d} s waiting for {s}", .{ timeout_seconds, where });
    return d.fail("cannot read the response from {s}: {s}", .{ where, @errorName(e) });
}

fn parseHead(text: []const u8, d: *Diag, where: []const u8) Failure!Head {
    var lines = std.mem.splitScalar(u8, text, '\n');
    const status_line = std.mem.trimRight(u8, lines.first(), "\r");
    // "HTTP/1.1 200 OK"
    if (!std.mem.startsWith(u8, status_line, "HTTP/1.") or status_line.len < 12 or status_line[8] != ' ')
        return d.fail("malformed response from {s}: bad status line '{s}'", .{ where, status_line[0..@min(status_line.len, 80)] });
    const status = std.fmt.parseInt(u16, status_line[9..12], 10) catch
        return d.fail("malformed response from {s}: bad status line '{s}'", .{ where, status_line[0..@min(status_line.len, 80)] });
    var head = Head{ .status = status, .headers = Map(Str, Str).empty() };
    errdefer rc.release(head.headers);
    while (lines.next()) |raw| {
        const line = std.mem.trimRight(u8, raw, "\r");
        if (line.len == 0) continue;
        const colon = std.mem.indexOfScalar(u8, line, ':') orelse
            return d.fail("malformed response from {s}: bad header line '{s}'", .{ where, line[0..@min(line.len, 80)] });
        const name_raw = std.mem.trim(u8, line[0..colon], " \t");
        const value = std.mem.trim(u8, line[colon + 1 ..], " \t");
        var name_buf: [256]u8 = undefined;
        if (name_raw.len > name_buf.len) return d.fail("malformed response from {s}: header name too long", .{where});
        const name = std.ascii.lowerString(&name_buf, name_raw);
        if (std.mem.eql(u8, name, "content-length")) {
            head.content_length = std.fmt.parseInt(u64, value, 10) catch
                return d.fail("malformed response from {s}: bad Content-Length '{s}'", .{ where, value[0..@min(value.len, 40)] });
        } else if (std.mem.eql(u8, name, "transfer-encoding")) {
            if (std.ascii.indexOfIgnoreCase(value, "chunked") != null) head.chunked = true;
        }
        const key = Str.fromSlice(name);
        defer rc.release(key);
        const merged = switch (head.headers.get(key)) {
            .Some => |old| blk: {
                var b = str_mod.Builder.init();
                b.print("{s}, {s}", .{ old.bytes(), value });
                break :blk b.finish();
            },
            .None => Str.fromSlice(value),
        };
        defer rc.release(merged);
        head.headers.insert(key, merged);
    }
    return head;
}

fn readChunked(r: anytype, out: *str_mod.Builder, d: *Diag, where: []const u8) Failure!void {
    var line: std.ArrayListUnmanaged(u8) = .empty;
    defer line.deinit(core.gpa());
    while (true) {
        line.clearRetainingCapacity();
        try readLine(r, &line, d, where);
        const ext = std.mem.indexOfScalar(u8, line.items, ';') orelse line.items.len;
        const size_text = std.mem.trim(u8, line.items[0..ext], " \t\r");
        const size = std.fmt.parseInt(u64, size_text, 16) catch
            return d.fail("malformed chunked body from {s}: bad chunk size '{s}'", .{ where, size_text[0..@min(size_text.len, 40)] });
        if (size == 0) {
            // Trailer headers until a blank line.
            while (true) {
                line.clearRetainingCapacity();
                try readLine(r, &line, d, where);
                if (std.mem.trim(u8, line.items, "\r").len == 0) return;
            }
        }
        try readExact(r, out, size, d, where);
        line.clearRetainingCapacity();
        try readLine(r, &line, d, where);
    }
}

fn readLine(r: anytype, line: *std.ArrayListUnmanaged(u8), d: *Diag, where: []const u8) Failure!void {
    while (true) {
        const c = r.readByte() catch |e| switch (e) {
            error.EndOfStream => return d.fail("malformed chunked body from {s}: the connection closed early", .{where}),
            else => return readFailure(d, where, e),
        };
        if (c == '\n') return;
        line.append(core.gpa(), c) catch core.outOfMemory();
        if (line.items.len > 4096) return d.fail("malformed chunked body from {s}: line too long", .{where});
    }
}

fn readExact(r: anytype, out: *str_mod.Builder, n: u64, d: *Diag, where: []const u8) Failure!void {
    var left = n;
    var buf: [16 * 1024]u8 = undefined;
    while (left > 0) {
        const want: usize = @intCast(@min(left, buf.len));
        const got = r.read(buf[0..want]) catch |e| return readFailure(d, where, e);
        if (got == 0) return d.fail("response from {s} ended after {d} of {d} body bytes", .{ where, n - left, n });
        out.append(buf[0..got]);
        left -= got;
    }
}

fn readToEnd(r: anytype, out: *str_mod.Builder, d: *Diag, where: []const u8) Failure!void {
    var buf: [16 * 1024]u8 = undefined;
    while (true) {
        const got = r.read(&buf) catch |e| return readFailure(d, where, e);
        if (got == 0) return;
        out.append(buf[0..got]);
    }
}

fn setTimeouts(fd: std.posix.socket_t) void {
    const tv = std.posix.timeval{ .sec = timeout_seconds, .usec = 0 };
    // Best effort: without timeouts a request can only hang, not misbehave.
    std.posix.setsockopt(fd, std.posix.SOL.SOCKET, std.posix.SO.RCVTIMEO, std.mem.asBytes(&tv)) catch {};
    std.posix.setsockopt(fd, std.posix.SOL.SOCKET, std.posix.SO.SNDTIMEO, std.mem.asBytes(&tv)) catch {};
}

/// One request/response exchange (no redirects).
fn exchange(method: []const u8, url: Url, headers: Map(Str, Str), body: []const u8, d: *Diag) Failure!Response {
    var where_buf: [300]u8 = undefined;
    const where = std.fmt.bufPrint(&where_buf, "{s}:{d}", .{ url.host[0..@min(url.host.len, 250)], url.port }) catch unreachable;
    const stream = std.net.tcpConnectToHost(core.gpa(), url.host, url.port) catch |e| switch (e) {
        error.OutOfMemory => core.outOfMemory(),
        else => return d.fail("cannot connect to {s}: {s}", .{ where, @errorName(e) }),
    };
    defer stream.close();
    setTimeouts(stream.handle);

    var bw = std.io.bufferedWriter(stream.writer());
    writeRequest(bw.writer(), method, url, headers, body) catch |e| return d.fail("cannot send the request to {s}: {s}", .{ where, @errorName(e) });
    bw.flush() catch |e| return d.fail("cannot send the request to {s}: {s}", .{ where, @errorName(e) });

    var br = std.io.bufferedReader(stream.reader());
    const r = br.reader();
    var head_buf: std.ArrayListUnmanaged(u8) = .empty;
    defer head_buf.deinit(core.gpa());
    var head: Head = undefined;
    while (true) {
        try readHead(r, &head_buf, d, where);
        head = try parseHead(head_buf.items, d, where);
        if (head.status >= 100 and head.status < 200 and head.status != 101) {
            rc.release(head.headers);
            continue;
        }
        break;
    }
    errdefer rc.release(head.headers);
    var out = str_mod.Builder.init();
    errdefer out.deinit();
    const no_body = std.mem.eql(u8, method, "HEAD") or head.status == 204 or head.status == 304 or (head.status >= 100 and head.status < 200);
    if (!no_body) {
        if (head.chunked) {
            try readChunked(r, &out, d, where);
        } else if (head.content_length) |n| {
            try readExact(r, &out, n, d, where);
        } else {
            try readToEnd(r, &out, d, where);
        }
    }
    return .{ .status = head.status, .body = out.finish(), .headers = head.headers };
}

/// Sends `method` to `url` with the extra `headers` and `body` (empty for none) and returns
/// the response (owned), following redirects. Header names and values must not contain line
/// breaks; `Host`, `Connection`, `Content-Length` and `Transfer-Encoding` are set by the
/// client. Without a `Content-Type` header a non-empty body is sent as `application/json` if
/// it starts with `{` or `[`, else as `text/plain; charset=utf-8`. Backs `http_request`.
pub fn request(method: Str, url: Str, headers: Map(Str, Str), body: Str) Result(Response, Str) {
    var d = Diag{};
    if (requestInner(method.bytes(), url.bytes(), headers, body.bytes(), &d)) |resp| {
        d.b.deinit();
        return .{ .Ok = resp };
    } else |_| return .{ .Err = d.b.finish() };
}

fn requestInner(method_in: []const u8, url_in: []const u8, headers: Map(Str, Str), body_in: []const u8, d: *Diag) Failure!Response {
    if (!isToken(method_in)) return d.fail("invalid method '{s}'", .{method_in[0..@min(method_in.len, 40)]});
    for (headers.keySlice(), headers.valueSlice()) |k, v| {
        if (!isToken(k.bytes())) return d.fail("invalid header name '{s}'", .{k.bytes()[0..@min(k.len, 80)]});
        if (!validHeaderText(v.bytes())) return d.fail("invalid value for header '{s}': line breaks are not allowed", .{k.bytes()});
    }
    var method = method_in;
    var body = body_in;
    // The current URL; after a redirect it lives in `url_buf`.
    var url_buf: std.ArrayListUnmanaged(u8) = .empty;
    defer url_buf.deinit(core.gpa());
    var current: []const u8 = url_in;
    var redirects: usize = 0;
    while (true) {
        const url = try parseUrl(current, d);
        const resp = try exchange(method, url, headers, body, d);
        const s = resp.status;
        const is_redirect = s == 301 or s == 302 or s == 303 or s == 307 or s == 308;
        const location = if (is_redirect) switch (resp.headers.get(Str.lit("location"))) {
            .Some => |l| l,
            .None => null,
        } else null;
        if (location == null) return resp;
        defer rc.release(resp);
        if (redirects == max_redirects) return d.fail("too many redirects (more than {d}) starting from '{s}'", .{ max_redirects, url_in });
        redirects += 1;
        // Resolve the Location against the current URL.
        var next: std.ArrayListUnmanaged(u8) = .empty;
        const loc = location.?.bytes();
        if (std.mem.indexOf(u8, loc, "://") != null) {
            next.appendSlice(core.gpa(), loc) catch core.outOfMemory();
        } else if (std.mem.startsWith(u8, loc, "//")) {
            next.appendSlice(core.gpa(), "http:") catch core.outOfMemory();
            next.appendSlice(core.gpa(), loc) catch core.outOfMemory();
        } else {
            next.writer(core.gpa()).print("http://{s}", .{url.authority}) catch core.outOfMemory();
            if (loc.len == 0 or loc[0] != '/') {
                const path_end = std.mem.indexOfScalar(u8, url.target, '?') orelse url.target.len;
                const path = url.target[0..path_end];
                if (std.mem.lastIndexOfScalar(u8, path, '/')) |slash| {
                    next.appendSlice(core.gpa(), path[0 .. slash + 1]) catch core.outOfMemory();
                } else next.append(core.gpa(), '/') catch core.outOfMemory();
            }
            next.appendSlice(core.gpa(), loc) catch core.outOfMemory();
        }
        normalizeDots(&next);
        url_buf.deinit(core.gpa());
        url_buf = next;
        current = url_buf.items;
        if (s == 303 or ((s == 301 or s == 302) and std.mem.eql(u8, method, "POST"))) {
            method = "GET";
            body = "";
        }
    }
}

/// Removes `.` and `..` segments from the path of the absolute URL in `u` (RFC 3986 §5.2.4),
/// in place.
fn normalizeDots(u: *std.ArrayListUnmanaged(u8)) void {
    const text = u.items;
    const scheme_end = (std.mem.indexOf(u8, text, "://") orelse return) + 3;
    const path_start = std.mem.indexOfScalarPos(u8, text, scheme_end, '/') orelse return;
    const path_end = std.mem.indexOfAnyPos(u8, text, path_start, "?#") orelse text.len;
    var out: std.ArrayListUnmanaged(u8) = .empty;
    defer out.deinit(core.gpa());
    var segs = std.mem.splitScalar(u8, text[path_start + 1 .. path_end], '/');
    var stack: std.ArrayListUnmanaged([]const u8) = .empty;
    defer stack.deinit(core.gpa());
    var trailing_slash = false;
    while (segs.next()) |seg| {
        trailing_slash = false;
        if (std.mem.eql(u8, seg, ".")) {
            trailing_slash = true;
        } else if (std.mem.eql(u8, seg, "..")) {
            _ = stack.pop();
            trailing_slash = true;
        } else stack.append(core.gpa(), seg) catch core.outOfMemory();
    }
    for (stack.items) |seg| {
        out.append(core.gpa(), '/') catch core.outOfMemory();
        out.appendSlice(core.gpa(), seg) catch core.outOfMemory();
    }
    if (trailing_slash or out.items.len == 0) out.append(core.gpa(), '/') catch core.outOfMemory();
    u.replaceRange(core.gpa(), path_start, path_end - path_start, out.items) catch core.outOfMemory();
}

test normalizeDots {
    const Case = struct { in: []const u8, out: []const u8 };
    for ([_]Case{
        .{ .in = "http://h/a/b/../c?x=/../", .out = "http://h/a/c?x=/../" },
        .{ .in = "http://h/a/./b/", .out = "http://h/a/b/" },
        .{ .in = "http://h/../../x", .out = "http://h/x" },
        .{ .in = "http://h/a/b/..", .out = "http://h/a/" },
        .{ .in = "http://h:1", .out = "http://h:1" },
    }) |c| {
        var u: std.ArrayListUnmanaged(u8) = .empty;
        defer u.deinit(testing.allocator);
        try u.appendSlice(testing.allocator, c.in);
        normalizeDots(&u);
        try testing.expectEqualStrings(c.out, u.items);
    }
}

/// GET `url`. Backs `http_get`.
pub fn get(url: Str) Result(Response, Str) {
    return request(Str.lit("GET"), url, Map(Str, Str).empty(), Str.empty);
}

/// DELETE `url`. Backs `http_delete`.
pub fn delete(url: Str) Result(Response, Str) {
    return request(Str.lit("DELETE"), url, Map(Str, Str).empty(), Str.empty);
}

/// POST `body` to `url`. Backs `http_post`.
pub fn post(url: Str, body: Str) Result(Response, Str) {
    return request(Str.lit("POST"), url, Map(Str, Str).empty(), body);
}

/// PUT `body` to `url`. Backs `http_put`.
pub fn put(url: Str, body: Str) Result(Response, Str) {
    return request(Str.lit("PUT"), url, Map(Str, Str).empty(), body);
}

// ---------------------------------------------------------------------------------------------
// Tests against a loopback server run by the test itself.

const testing = std.testing;

const TestServer = struct {
    server: std.net.Server,
    thread: std.Thread,
    port: u16,

    fn start() !*TestServer {
        const addr = try std.net.Address.parseIp("127.0.0.1", 0);
        const ts = try testing.allocator.create(TestServer);
        errdefer testing.allocator.destroy(ts);
        ts.server = try addr.listen(.{ .reuse_address = true });
        ts.port = ts.server.listen_address.getPort();
        ts.thread = try std.Thread.spawn(.{}, serve, .{ts});
        return ts;
    }

    /// Asks the server to stop (GET /quit) and waits for it.
    fn stop(ts: *TestServer) void {
        const quit = ts.url("/quit");
        defer rc.release(quit);
        const r = get(quit);
        rc.release(r);
        ts.thread.join();
        ts.server.deinit();
        testing.allocator.destroy(ts);
    }

    fn url(ts: *const TestServer, path: []const u8) Str {
        var b = str_mod.Builder.init();
        b.print("http://127.0.0.1:{d}{s}", .{ ts.port, path });
        return b.finish();
    }

    fn serve(ts: *TestServer) void {
        while (true) {
            const conn = ts.server.accept() catch return;
            defer conn.stream.close();
            const quit = handle(conn.stream) catch false;
            if (quit) return;
        }
    }

    fn header(head: []const u8, name: []const u8) []const u8 {
        var lines = std.mem.splitSequence(u8, head, "\r\n");
        while (lines.next()) |line| {
            const colon = std.mem.indexOfScalar(u8, line, ':') orelse continue;
            if (std.ascii.eqlIgnoreCase(line[0..colon], name)) return std.mem.trim(u8, line[colon + 1 ..], " ");
        }
        return "-";
    }

    /// Serves one request; returns true for /quit.
    fn handle(stream: std.net.Stream) !bool {
        var buf: [8192]u8 = undefined;
        var n: usize = 0;
        const head_end = while (true) {
            const got = try stream.read(buf[n..]);
            if (got == 0) return false;
            n += got;
            if (std.mem.indexOf(u8, buf[0..n], "\r\n\r\n")) |i| break i + 4;
        };
        const head = buf[0..head_end];
        const clen = std.fmt.parseInt(usize, header(head, "content-length"), 10) catch 0;
        while (n < head_end + clen) n += try stream.read(buf[n..]);
        const body = buf[head_end .. head_end + clen];
        const first = head[0..std.mem.indexOf(u8, head, "\r\n").?];
        var parts = std.mem.splitScalar(u8, first, ' ');
        const method = parts.next().?;
        const target = parts.next().?;
        const path = target[0 .. std.mem.indexOfScalar(u8, target, '?') orelse target.len];
        const w = stream.writer();
        if (std.mem.eql(u8, path, "/quit")) {
            try w.writeAll("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            return true;
        } else if (std.mem.eql(u8, path, "/echo")) {
            try w.print("HTTP/1.1 200 OK\r\nX-Method: {s}\r\nX-Target: {s}\r\nX-Custom: {s}\r\nX-Content-Type: {s}\r\n" ++
                "X-Host: {s}\r\nX-Connection: {s}\r\nX-User-Agent: {s}\r\nContent-Length: {d}\r\n\r\n{s}", .{
                method,                       target,               header(head, "x-custom"),
                header(head, "content-type"), header(head, "host"), header(head, "connection"),
                header(head, "user-agent"),   body.len,             body,
            });
        } else if (std.mem.eql(u8, path, "/missing")) {
            try w.writeAll("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nno such page");
        } else if (std.mem.eql(u8, path, "/error")) {
            try w.writeAll("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom");
        } else if (std.mem.eql(u8, path, "/chunked")) {
            try w.writeAll("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nHello, \r\n8;ext=1\r\nchunked \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/redirect")) {
            try w.writeAll("HTTP/1.1 302 Found\r\nLocation: /echo?from=redirect\r\nContent-Length: 0\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/dir/see-other")) {
            try w.writeAll("HTTP/1.1 303 See Other\r\nLocation: ../echo?from=303\r\nContent-Length: 3\r\n\r\nbye");
        } else if (std.mem.eql(u8, path, "/keep")) {
            try w.writeAll("HTTP/1.1 307 Temporary Redirect\r\nLocation: /echo?from=307\r\nContent-Length: 0\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/loop")) {
            try w.writeAll("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/noclen")) {
            try w.writeAll("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close");
        } else if (std.mem.eql(u8, path, "/interim")) {
            try w.writeAll("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
        } else if (std.mem.eql(u8, path, "/dup")) {
            try w.writeAll("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\nContent-Length: 0\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/short")) {
            try w.writeAll("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        } else if (std.mem.eql(u8, path, "/garbage")) {
            try w.writeAll("NOT HTTP AT ALL\r\n\r\n");
        } else if (std.mem.eql(u8, path, "/empty")) {
            // close without answering
        } else {
            try w.writeAll("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
        return false;
    }
};

fn hdr(r: Response, name: []const u8) []const u8 {
    const k = Str.fromSlice(name);
    defer rc.release(k);
    return switch (r.headers.get(k)) {
        .Some => |v| v.bytes(),
        .None => "<absent>",
    };
}

fn fetch(comptime f: anytype, args: anytype) !Result(Response, Str) {
    const r = @call(.auto, f, args);
    if (r == .Err) std.debug.print("request failed: {s}\n", .{r.Err.bytes()});
    return r;
}

test request {
    const ts = try TestServer.start();
    defer ts.stop();
    const url = ts.url("/echo?q=1&r=two");
    defer rc.release(url);
    var headers = Map(Str, Str).empty();
    defer rc.release(headers);
    headers.insert(Str.lit("X-Custom"), Str.lit("custom value"));
    headers.insert(Str.lit("Content-Type"), Str.lit("application/x-www-form-urlencoded"));
    headers.insert(Str.lit("Connection"), Str.lit("keep-alive")); // managed by the client: ignored
    const r = try fetch(request, .{ Str.lit("PATCH"), url, headers, Str.lit("a=1&b=2") });
    defer rc.release(r);
    try testing.expectEqual(@as(i64, 200), r.Ok.status);
    try testing.expectEqualStrings("a=1&b=2", r.Ok.body.bytes());
    try testing.expectEqualStrings("PATCH", hdr(r.Ok, "x-method"));
    try testing.expectEqualStrings("/echo?q=1&r=two", hdr(r.Ok, "x-target"));
    try testing.expectEqualStrings("custom value", hdr(r.Ok, "x-custom"));
    try testing.expectEqualStrings("application/x-www-form-urlencoded", hdr(r.Ok, "x-content-type"));
    try testing.expectEqualStrings("close", hdr(r.Ok, "x-connection"));
    try testing.expectEqualStrings("sev", hdr(r.Ok, "x-user-agent"));
    var host_buf: [32]u8 = undefined;
    try testing.expectEqualStrings(try std.fmt.bufPrint(&host_buf, "127.0.0.1:{d}", .{ts.port}), hdr(r.Ok, "x-host"));
    try testing.expectEqualStrings("7", hdr(r.Ok, "content-length")); // names are lower-cased

    var bad = Map(Str, Str).empty();
    defer rc.release(bad);
    bad.insert(Str.lit("X-Evil"), Str.lit("a\r\nInjected: 1"));
    const e = request(Str.lit("GET"), url, bad, Str.empty);
    defer rc.release(e);
    try testing.expectEqualStrings("http: invalid value for header 'X-Evil': line breaks are not allowed", e.Err.bytes());
    const m = request(Str.lit("GE T"), url, Map(Str, Str).empty(), Str.empty);
    defer rc.release(m);
    try testing.expectEqualStrings("http: invalid method 'GE T'", m.Err.bytes());
}

test get {
    const ts = try TestServer.start();
    defer ts.stop();
    const Case = struct { path: []const u8, status: i64, body: []const u8 };
    for ([_]Case{
        .{ .path = "/echo", .status = 200, .body = "" },
        .{ .path = "/missing", .status = 404, .body = "no such page" },
        .{ .path = "/error", .status = 500, .body = "boom" },
        .{ .path = "/chunked", .status = 200, .body = "Hello, chunked world" },
        .{ .path = "/noclen", .status = 200, .body = "until close" },
        .{ .path = "/interim", .status = 201, .body = "ok" },
    }) |c| {
        const url = ts.url(c.path);
        defer rc.release(url);
        const r = try fetch(get, .{url});
        defer rc.release(r);
        try testing.expectEqual(c.status, r.Ok.status);
        try testing.expectEqualStrings(c.body, r.Ok.body.bytes());
    }
    const url = ts.url("/echo");
    defer rc.release(url);
    const r = try fetch(get, .{url});
    defer rc.release(r);
    try testing.expectEqualStrings("GET", hdr(r.Ok, "x-method"));
    try testing.expectEqualStrings("-", hdr(r.Ok, "x-content-type"));
    const missing = ts.url("/missing");
    defer rc.release(missing);
    const nf = try fetch(get, .{missing});
    defer rc.release(nf);
    try testing.expectEqualStrings("text/plain", hdr(nf.Ok, "content-type"));
    const dup_url = ts.url("/dup");
    defer rc.release(dup_url);
    const dup = try fetch(get, .{dup_url});
    defer rc.release(dup);
    try testing.expectEqualStrings("a=1, b=2", hdr(dup.Ok, "set-cookie"));
}

test post {
    const ts = try TestServer.start();
    defer ts.stop();
    const url = ts.url("/echo");
    defer rc.release(url);
    const r = try fetch(post, .{ url, Str.lit("{\"x\": 1}") });
    defer rc.release(r);
    try testing.expectEqual(@as(i64, 200), r.Ok.status);
    try testing.expectEqualStrings("POST", hdr(r.Ok, "x-method"));
    try testing.expectEqualStrings("{\"x\": 1}", r.Ok.body.bytes());
    try testing.expectEqualStrings("application/json", hdr(r.Ok, "x-content-type"));
    const t = try fetch(post, .{ url, Str.lit("plain words") });
    defer rc.release(t);
    try testing.expectEqualStrings("text/plain; charset=utf-8", hdr(t.Ok, "x-content-type"));
}

test put {
    const ts = try TestServer.start();
    defer ts.stop();
    const url = ts.url("/echo");
    defer rc.release(url);
    const r = try fetch(put, .{ url, Str.lit("new contents") });
    defer rc.release(r);
    try testing.expectEqualStrings("PUT", hdr(r.Ok, "x-method"));
    try testing.expectEqualStrings("new contents", r.Ok.body.bytes());
    const e = try fetch(put, .{ url, Str.empty });
    defer rc.release(e);
    try testing.expectEqualStrings("", e.Ok.body.bytes());
}

test delete {
    const ts = try TestServer.start();
    defer ts.stop();
    const url = ts.url("/echo?id=7");
    defer rc.release(url);
    const r = try fetch(delete, .{url});
    defer rc.release(r);
    try testing.expectEqualStrings("DELETE", hdr(r.Ok, "x-method"));
    try testing.expectEqualStrings("/echo?id=7", hdr(r.Ok, "x-target"));
}

test "redirects" {
    const ts = try TestServer.start();
    defer ts.stop();
    const url302 = ts.url("/redirect");
    defer rc.release(url302);
    const a = try fetch(get, .{url302});
    defer rc.release(a);
    try testing.expectEqual(@as(i64, 200), a.Ok.status);
    try testing.expectEqualStrings("/echo?from=redirect", hdr(a.Ok, "x-target"));
    // 303 after POST: GET without the body, relative location resolved against /dir/.
    const url303 = ts.url("/dir/see-other");
    defer rc.release(url303);
    const b = try fetch(post, .{ url303, Str.lit("data") });
    defer rc.release(b);
    try testing.expectEqualStrings("GET", hdr(b.Ok, "x-method"));
    try testing.expectEqualStrings("/echo?from=303", hdr(b.Ok, "x-target"));
    try testing.expectEqualStrings("", b.Ok.body.bytes());
    // 307 keeps the method and the body.
    const url307 = ts.url("/keep");
    defer rc.release(url307);
    const c = try fetch(put, .{ url307, Str.lit("kept") });
    defer rc.release(c);
    try testing.expectEqualStrings("PUT", hdr(c.Ok, "x-method"));
    try testing.expectEqualStrings("kept", c.Ok.body.bytes());
    const uloop = ts.url("/loop");
    defer rc.release(uloop);
    const d = get(uloop);
    defer rc.release(d);
    var want = str_mod.Builder.init();
    defer want.deinit();
    want.print("http: too many redirects (more than 5) starting from '{s}'", .{uloop.bytes()});
    try testing.expectEqualStrings(want.written(), d.Err.bytes());
}

test "errors are values" {
    const ts = try TestServer.start();
    defer ts.stop();
    const Case = struct { path: []const u8, msg: []const u8 };
    for ([_]Case{
        .{ .path = "/short", .msg = "response from 127.0.0.1:{d} ended after 3 of 10 body bytes" },
        .{ .path = "/garbage", .msg = "malformed response from 127.0.0.1:{d}: bad status line 'NOT HTTP AT ALL'" },
        .{ .path = "/empty", .msg = "127.0.0.1:{d} closed the connection without a response" },
    }) |c| {
        const url = ts.url(c.path);
        defer rc.release(url);
        const r = get(url);
        defer rc.release(r);
        var want = str_mod.Builder.init();
        defer want.deinit();
        want.append("http: ");
        // The messages name the port, which is only known at run time.
        const at = std.mem.indexOf(u8, c.msg, "{d}").?;
        want.append(c.msg[0..at]);
        want.print("{d}", .{ts.port});
        want.append(c.msg[at + 3 ..]);
        try testing.expectEqualStrings(want.written(), r.Err.bytes());
    }

    // A port with no listener.
    const addr = try std.net.Address.parseIp("127.0.0.1", 0);
    var s = try addr.listen(.{});
    const closed_port = s.listen_address.getPort();
    s.deinit();
    var buf: [64]u8 = undefined;
    const refused_url = Str.fromSlice(try std.fmt.bufPrint(&buf, "http://127.0.0.1:{d}/", .{closed_port}));
    defer rc.release(refused_url);
    const refused = get(refused_url);
    defer rc.release(refused);
    var want = str_mod.Builder.init();
    defer want.deinit();
    want.print("http: cannot connect to 127.0.0.1:{d}: ConnectionRefused", .{closed_port});
    try testing.expectEqualStrings(want.written(), refused.Err.bytes());

    const UrlCase = struct { url: []const u8, msg: []const u8 };
    for ([_]UrlCase{
        .{ .url = "https://example.com/", .msg = "http: https is not supported (plain http:// only): 'https://example.com/'" },
        .{ .url = "ftp://example.com/", .msg = "http: unsupported URL scheme 'ftp' in 'ftp://example.com/' (plain http:// only)" },
        .{ .url = "example.com", .msg = "http: invalid URL 'example.com': expected http://host/path" },
        .{ .url = "http://exa mple.com/", .msg = "http: invalid URL 'http://exa mple.com/': it contains a space or control character (percent-encode it)" },
        .{ .url = "http://:80/", .msg = "http: invalid URL 'http://:80/': no host" },
        .{ .url = "http://host:99999/", .msg = "http: invalid URL 'http://host:99999/': bad port" },
        .{ .url = "http://user:pw@host/", .msg = "http: invalid URL 'http://user:pw@host/': credentials in URLs are not supported" },
        .{ .url = "http://[::1/", .msg = "http: invalid URL 'http://[::1/': unclosed '[' in the host" },
    }) |c| {
        const u = Str.fromSlice(c.url);
        defer rc.release(u);
        const r = get(u);
        defer rc.release(r);
        try testing.expectEqualStrings(c.msg, r.Err.bytes());
    }
}

test parseUrl {
    var d = Diag{};
    defer d.b.deinit();
    const a = try parseUrl("http://example.com", &d);
    try testing.expectEqualStrings("example.com", a.host);
    try testing.expectEqual(@as(u16, 80), a.port);
    const b = try parseUrl("HTTP://h:8080/p/q?x=1#frag", &d);
    try testing.expectEqualStrings("h", b.host);
    try testing.expectEqual(@as(u16, 8080), b.port);
    try testing.expectEqualStrings("/p/q?x=1", b.target);
    try testing.expectEqualStrings("h:8080", b.authority);
    const c = try parseUrl("http://[::1]:9/x", &d);
    try testing.expectEqualStrings("::1", c.host);
    try testing.expectEqual(@as(u16, 9), c.port);
    var buf: [32]u8 = undefined;
    var fbs = std.io.fixedBufferStream(&buf);
    try writeTarget(fbs.writer(), try parseUrl("http://h?q=1", &d));
    try testing.expectEqualStrings("/?q=1", fbs.getWritten());
}
