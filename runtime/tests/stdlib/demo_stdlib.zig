//! Hand-written imitation of a program the sev code generator emits, exercising every standard
//! library module through `rt` the way generated code does (owned results released once,
//! borrowed accessor results not released, errors matched as `Result` values): JSON, regex,
//! datetime, fs (in the directory given as the first argument), tasks and channels, and HTTP
//! against a loopback server that this program starts on a thread (test scaffolding written
//! with std.net, not something generated code would contain). Built and checked by
//! run_stdlib_demos.sh in Debug and ReleaseFast; the Debug build also proves nothing leaks.

const std = @import("std");
const rt = @import("rt/sev_rt.zig");

pub const sev_source_file = "stdlib_demo.sirs.json";
pub const panic = rt.panic;

pub fn main() u8 {
    return rt.runWithArgs(sevMain);
}

const L = rt.Loc;
fn loc(comptime line: u32) L {
    return .{ .func = "main", .line = line, .col = 1 };
}

fn printResultErr(r: anytype) void {
    switch (r) {
        .Ok => rt.std_print(rt.Str.lit("unexpected Ok")),
        .Err => |e| rt.std_print(e),
    }
}

fn jsonPart() void {
    const parsed = rt.json.parse(rt.Str.lit("{\"name\": \"sev\", \"tags\": [\"ppl\", \"zig\"], \"pi\": 3.14159, \"ok\": true}"));
    defer rt.release(parsed);
    switch (parsed) {
        .Ok => |doc| {
            // Accessor results are borrowed: not released.
            switch (rt.json.get(doc, rt.Str.lit("name"))) {
                .Some => |v| switch (rt.json.asString(v)) {
                    .Some => |s| rt.std_print(s),
                    .None => {},
                },
                .None => {},
            }
            rt.std_print_int(rt.json.len(rt.json.get(doc, rt.Str.lit("tags")).unwrap(loc(40))));
            var copy = doc;
            rt.retain(copy);
            defer rt.release(copy);
            const r = rt.json.set(&copy, rt.Str.lit("pi"), rt.json.fromNumber(3));
            defer rt.release(r);
            const a = rt.json.stringify(doc);
            defer rt.release(a);
            const b = rt.json.stringify(copy);
            defer rt.release(b);
            rt.std_print(a);
            rt.std_print(b);
        },
        .Err => |e| rt.std_print(e),
    }
    const bad = rt.json.parse(rt.Str.lit("{\n  \"a\": 1\n  \"b\": 2\n}"));
    defer rt.release(bad);
    printResultErr(bad);
}

fn regexPart() void {
    const re = rt.regex.compile(rt.Str.lit("(\\w+)@(\\w+)\\.com"));
    defer rt.release(re);
    const text = rt.Str.lit("write to ann@example.com or bob@test.com");
    switch (re) {
        .Ok => |r| {
            const all = r.findAll(text);
            defer rt.release(all);
            const joined = rt.str.join(all, rt.Str.lit(" | "));
            defer rt.release(joined);
            rt.std_print(joined);
            const swapped = r.replace(text, rt.Str.lit("$2:$1"));
            defer rt.release(swapped);
            rt.std_print(swapped.Ok);
        },
        .Err => |e| rt.std_print(e),
    }
    const m = rt.regex.isMatch(rt.Str.lit("2024-02-29"), rt.Str.lit("^\\d{4}-\\d{2}-\\d{2}$"));
    defer rt.release(m);
    rt.printBool(m.Ok);
    const bad = rt.regex.compile(rt.Str.lit("abc(def"));
    defer rt.release(bad);
    printResultErr(bad);
}

fn datetimePart() void {
    const ts = rt.datetime.make(2024, 2, 28, 23, 30, 0);
    const next = rt.datetime.addHours(ts.Ok, 1, loc(90));
    const iso = rt.datetime.format(next);
    defer rt.release(iso);
    rt.std_print(iso);
    rt.std_print_int(rt.datetime.dayOfYear(next));
    const back = rt.datetime.parse(rt.Str.lit("2024-02-29T05:00:00+05:30"));
    rt.std_print_int(rt.datetime.diffSeconds(back.Ok, next, loc(95)));
    const bad = rt.datetime.parse(rt.Str.lit("2023-02-29"));
    defer rt.release(bad);
    printResultErr(bad);
}

fn fsPart(dir: rt.Str) void {
    const sub = rt.str.concat(dir, rt.Str.lit("/data/nested"));
    defer rt.release(sub);
    const made = rt.fs.mkdir(sub);
    defer rt.release(made);
    const file = rt.str.concat(sub, rt.Str.lit("/notes.txt"));
    defer rt.release(file);
    const w = rt.fs.write(file, rt.Str.lit("line 1\n"));
    defer rt.release(w);
    const a = rt.fs.append(file, rt.Str.lit("line 2\n"));
    defer rt.release(a);
    const content = rt.fs.read(file);
    defer rt.release(content);
    const trimmed = rt.str_trim(content.Ok);
    defer rt.release(trimmed);
    rt.std_print(trimmed);
    rt.std_print_int(rt.fs.size(file).Ok);
    const names = rt.fs.list(sub);
    defer rt.release(names);
    rt.std_print(names.Ok.get(0, loc(120)));
    const d = rt.fs.delete(file);
    defer rt.release(d);
    rt.printBool(rt.fs.exists(file));
    const missing = rt.fs.read(file);
    defer rt.release(missing);
    switch (missing) {
        .Ok => {},
        .Err => |e| rt.printBool(rt.str_ends_with(e, rt.Str.lit("/data/nested/notes.txt': no such file or directory"))),
    }
}

fn square(x: i64) i64 {
    return x * x;
}

fn worker(jobs: rt.task.Channel(i64), results: rt.task.Channel(i64)) void {
    while (true) switch (jobs.recv()) {
        .Some => |n| _ = results.send(square(n)),
        .None => return,
    };
}

fn shout(s: rt.Str) rt.Str {
    return rt.str_to_upper(s);
}

fn taskPart() void {
    const jobs = rt.task.Channel(i64).init(4);
    defer rt.release(jobs);
    const results = rt.task.Channel(i64).unbounded();
    defer rt.release(results);
    var workers: [3]rt.task.Task(void) = undefined;
    for (&workers) |*w| w.* = rt.task.spawn(worker, .{ jobs, results });
    var i: i64 = 1;
    while (i <= 100) : (i += 1) _ = jobs.send(i);
    jobs.close();
    for (workers) |w| {
        rt.task.join(w, loc(160));
        rt.release(w);
    }
    results.close();
    var total: i64 = 0;
    while (true) switch (results.recv()) {
        .Some => |v| total += v,
        .None => break,
    };
    rt.std_print_int(total);
    const t = rt.task.spawn(shout, .{rt.Str.lit("done")});
    defer rt.release(t);
    const s = rt.task.join(t, loc(172));
    defer rt.release(s);
    rt.std_print(s);
}

// ----- loopback server scaffolding -----

fn serveOnce(server: *std.net.Server) void {
    const conn = server.accept() catch return;
    defer conn.stream.close();
    var buf: [4096]u8 = undefined;
    var n: usize = 0;
    while (std.mem.indexOf(u8, buf[0..n], "\r\n\r\n") == null) {
        const got = conn.stream.read(buf[n..]) catch return;
        if (got == 0) return;
        n += got;
    }
    const body = "{\"status\": \"fine\"}";
    conn.stream.writer().print("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {d}\r\n\r\n{s}", .{ body.len, body }) catch {};
}

fn httpPart() void {
    const addr = std.net.Address.parseIp("127.0.0.1", 0) catch unreachable;
    var server = addr.listen(.{ .reuse_address = true }) catch {
        rt.std_print(rt.Str.lit("cannot listen"));
        return;
    };
    defer server.deinit();
    const thread = std.Thread.spawn(.{}, serveOnce, .{&server}) catch return;
    var b = rt.str.Builder.init();
    b.print("http://127.0.0.1:{d}/health", .{server.listen_address.getPort()});
    const url = b.finish();
    defer rt.release(url);
    const r = rt.http.get(url);
    defer rt.release(r);
    thread.join();
    switch (r) {
        .Ok => |resp| {
            rt.std_print_int(resp.status);
            rt.std_print(resp.headers.get(rt.Str.lit("content-type")).unwrap(loc(210)));
            const doc = rt.json.parse(resp.body);
            defer rt.release(doc);
            rt.std_print(rt.json.asString(rt.json.get(doc.Ok, rt.Str.lit("status")).unwrap(loc(213))).unwrap(loc(213)));
        },
        .Err => |e| rt.std_print(e),
    }
    const tls = rt.http.get(rt.Str.lit("https://example.com/"));
    defer rt.release(tls);
    printResultErr(tls);
}

fn sevMain(argv: rt.List(rt.Str)) void {
    jsonPart();
    regexPart();
    datetimePart();
    fsPart(argv.get(0, loc(230)));
    taskPart();
    httpPart();
}
