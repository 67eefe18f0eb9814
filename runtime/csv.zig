//! CSV records, metric rows and line-at-a-time standard input, behind the `csv_read`,
//! `csv_parse_row`, `metrics_read`, `metric_parse_row` and `stdin_read_line` built-ins.
//! A record follows RFC 4180: fields are separated by commas; a field that starts with `"` is
//! quoted and may then hold commas, line breaks and doubled quotes (`""`); a record ends at LF,
//! CRLF or the end of the text. A metric row is `timestamp,value[,value…]`: the timestamp is
//! ISO 8601 or `YYYY-MM-DD HH:MM:SS` (read by `datetime.zig`, UTC unless an offset is given)
//! or whole seconds since 1970, the values are decimal numbers. Every problem is an `Err`
//! naming the source, the line, the column (in bytes, from 1) and what was expected —
//! `csv: cpu.csv:4:21: expected a number, found "abc"` — so nothing here faults on bad input.
//! `stdin_read_line` reads standard input through one buffer and flushes standard output
//! before it waits for more, so a program answers each line of a live pipe as it arrives.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");
const datetime = @import("datetime.zig");
const fs = @import("fs.zig");

const Str = str_mod.Str;
const List = list_mod.List;
const Option = option.Option;
const Result = option.Result;
const testing = std.testing;

/// How many bytes of an offending field an error message quotes.
const max_quoted = 40;

/// Where (a byte offset in the text) and why a record or a row could not be read.
const Problem = struct {
    offset: usize = 0,
    buf: [200]u8 = undefined,
    msg: []const u8 = "",

    fn set(p: *Problem, offset: usize, comptime format: []const u8, args: anytype) error{Invalid} {
        p.offset = offset;
        p.msg = std.fmt.bufPrint(&p.buf, format, args) catch "invalid input";
        return error.Invalid;
    }
};

/// The fields of one record (owned) and the byte offset where each starts.
const Record = struct {
    fields: List(Str) = List(Str).empty(),
    starts: std.ArrayListUnmanaged(usize) = .empty,

    fn deinit(r: *Record) void {
        rc.release(r.fields);
        r.starts.deinit(core.gpa());
    }

    fn field(r: *const Record, i: usize) []const u8 {
        return r.fields.items()[i].bytes();
    }
};

/// The length of the line break at `i` (LF, CRLF, or a CR that ends the text), or null.
fn lineBreakAt(text: []const u8, i: usize) ?usize {
    if (i >= text.len) return null;
    if (text[i] == '\n') return 1;
    if (text[i] == '\r') {
        if (i + 1 == text.len) return 1;
        if (text[i + 1] == '\n') return 2;
    }
    return null;
}

/// A byte as an error message shows it: `'x'`, or `byte 0x07` when it is not printable.
fn shown(c: u8, buf: *[16]u8) []const u8 {
    if (std.ascii.isPrint(c)) return std.fmt.bufPrint(buf, "'{c}'", .{c}) catch "a byte";
    return std.fmt.bufPrint(buf, "byte 0x{x:0>2}", .{c}) catch "a byte";
}

/// Reads the record that starts at `pos.*`, leaving `pos.*` after the line break that ends it.
fn readRecord(text: []const u8, pos: *usize, rec: *Record, problem: *Problem) error{Invalid}!void {
    var i = pos.*;
    while (true) {
        rec.starts.append(core.gpa(), i) catch core.outOfMemory();
        if (i < text.len and text[i] == '"') {
            i = try readQuoted(text, i, rec, problem);
        } else {
            const start = i;
            while (i < text.len and text[i] != ',' and lineBreakAt(text, i) == null) : (i += 1) {
                if (text[i] == '"') return problem.set(i, "unexpected '\"' inside an unquoted field (quote the whole field and write a quote as \"\")", .{});
            }
            rec.fields.pushOwned(Str.fromSlice(text[start..i]));
        }
        if (i < text.len and text[i] == ',') {
            i += 1;
            continue;
        }
        pos.* = i + (lineBreakAt(text, i) orelse 0);
        return;
    }
}

/// Reads the quoted field whose opening quote is at `open`; returns the offset after it.
fn readQuoted(text: []const u8, open: usize, rec: *Record, problem: *Problem) error{Invalid}!usize {
    var b = str_mod.Builder.init();
    var i = open + 1;
    while (true) {
        if (i >= text.len) {
            b.deinit();
            return problem.set(open, "unterminated quoted field (the closing '\"' is missing)", .{});
        }
        if (text[i] == '"') {
            if (i + 1 < text.len and text[i + 1] == '"') {
                b.appendByte('"');
                i += 2;
                continue;
            }
            i += 1;
            break;
        }
        b.appendByte(text[i]);
        i += 1;
    }
    rec.fields.pushOwned(b.finish());
    if (i < text.len and text[i] != ',' and lineBreakAt(text, i) == null) {
        var buf: [16]u8 = undefined;
        return problem.set(i, "expected ',' or the end of the line after a quoted field, found {s}", .{shown(text[i], &buf)});
    }
    return i;
}

/// Line (from `first_line`) and column (bytes, from 1) of byte `offset` in `text`.
fn lineAndColumn(text: []const u8, offset: usize, first_line: i64) struct { line: i64, col: usize } {
    const before = text[0..@min(offset, text.len)];
    const line_start = if (std.mem.lastIndexOfScalar(u8, before, '\n')) |k| k + 1 else 0;
    const breaks: i64 = @intCast(std.mem.count(u8, before, "\n"));
    return .{ .line = first_line + breaks, .col = offset - line_start + 1 };
}

/// `Err("csv: <source>:<line>:<column>: <problem>")`.
fn located(comptime T: type, source: []const u8, text: []const u8, first_line: i64, problem: *const Problem) Result(T, Str) {
    const at = lineAndColumn(text, problem.offset, first_line);
    var b = str_mod.Builder.init();
    b.print("csv: {s}:{d}:{d}: {s}", .{ source, at.line, at.col, problem.msg });
    return .{ .Err = b.finish() };
}

/// The fields of one CSV line (a final line break is allowed). Err `csv: column C: <problem>`.
/// Backs `csv_parse_row`.
pub fn parseRow(line: Str) Result(List(Str), Str) {
    const text = line.bytes();
    var rec = Record{};
    defer rec.starts.deinit(core.gpa());
    var problem = Problem{};
    var pos: usize = 0;
    readRecord(text, &pos, &rec, &problem) catch return columnError(List(Str), &rec, &problem);
    if (pos < text.len) {
        _ = problem.set(pos, "expected one line, found a second one (a line break outside quotes)", .{}) catch {};
        return columnError(List(Str), &rec, &problem);
    }
    return .{ .Ok = rec.fields };
}

fn columnError(comptime T: type, rec: *Record, problem: *const Problem) Result(T, Str) {
    rc.release(rec.fields);
    rec.fields = List(Str).empty();
    var b = str_mod.Builder.init();
    b.print("csv: column {d}: {s}", .{ problem.offset + 1, problem.msg });
    return .{ .Err = b.finish() };
}

/// The file's text, or its `Err` reworded for the calling built-in.
fn readFile(comptime op: []const u8, path: Str) Result(Str, Str) {
    const r = fs.read(path);
    switch (r) {
        .Ok => return r,
        .Err => |e| {
            defer rc.release(e);
            const prefix = "file_read";
            const rest = if (std.mem.startsWith(u8, e.bytes(), prefix)) e.bytes()[prefix.len..] else e.bytes();
            var b = str_mod.Builder.init();
            b.print(op ++ "{s}", .{rest});
            return .{ .Err = b.finish() };
        },
    }
}

/// Every record of the CSV file at `path`, the header first; each record must have as many
/// fields as the first one. Blank lines are skipped. Backs `csv_read`.
pub fn read(path: Str) Result(List(List(Str)), Str) {
    const file = readFile("csv_read", path);
    const content = switch (file) {
        .Ok => |c| c,
        .Err => |e| return .{ .Err = e },
    };
    defer rc.release(content);
    const text = content.bytes();
    var rows = List(List(Str)).empty();
    var problem = Problem{};
    var pos: usize = 0;
    var width: ?usize = null;
    while (pos < text.len) {
        if (lineBreakAt(text, pos)) |n| {
            pos += n;
            continue;
        }
        const start = pos;
        var rec = Record{};
        defer rec.starts.deinit(core.gpa());
        readRecord(text, &pos, &rec, &problem) catch {
            rc.release(rec.fields);
            rc.release(rows);
            return located(List(List(Str)), path.bytes(), text, 1, &problem);
        };
        const n: usize = @intCast(rec.fields.len());
        if (width) |w| if (w != n) {
            rc.release(rec.fields);
            rc.release(rows);
            _ = problem.set(start, "expected {d} fields as in the header, found {d}", .{ w, n }) catch {};
            return located(List(List(Str)), path.bytes(), text, 1, &problem);
        };
        width = n;
        rows.pushOwned(rec.fields);
    }
    return .{ .Ok = rows };
}

/// The offset of the first byte of `field` (which starts at `start`) after leading spaces, and
/// the field without surrounding spaces and tabs.
fn trimmed(field: []const u8, start: usize) struct { at: usize, text: []const u8 } {
    const lead = field.len - std.mem.trimLeft(u8, field, " \t").len;
    return .{ .at = start + lead, .text = std.mem.trim(u8, field, " \t") };
}

/// Seconds since 1970 from an ISO 8601 / `YYYY-MM-DD HH:MM:SS` date-time or an integer.
fn timestamp(field: []const u8, start: usize, problem: *Problem) error{Invalid}!i64 {
    const t = trimmed(field, start);
    if (t.text.len == 0) return problem.set(start, "expected a timestamp (YYYY-MM-DD HH:MM:SS, ISO 8601 or seconds since 1970), found an empty field", .{});
    const digits = if (t.text[0] == '-' or t.text[0] == '+') t.text[1..] else t.text;
    if (digits.len > 0 and std.mem.indexOfNone(u8, digits, "0123456789") == null) {
        return std.fmt.parseInt(i64, t.text, 10) catch problem.set(t.at, "timestamp {s} out of range of i64 seconds", .{t.text[0..@min(t.text.len, max_quoted)]});
    }
    var p = datetime.IsoParser{ .src = t.text };
    return p.run() catch problem.set(t.at + p.err_pos, "expected a timestamp (YYYY-MM-DD HH:MM:SS, ISO 8601 or seconds since 1970): {s}", .{p.msg});
}

/// A decimal number (or `nan`, `inf`), surrounding spaces allowed.
fn number(field: []const u8, start: usize, problem: *Problem) error{Invalid}!f64 {
    const t = trimmed(field, start);
    if (t.text.len == 0) return problem.set(start, "expected a number, found an empty field", .{});
    const borrowed = Str{ .ptr = t.text.ptr, .len = t.text.len, .buf = null };
    return switch (str_mod.parseFloat(borrowed)) {
        .Ok => |v| v,
        .Err => |e| {
            rc.release(e);
            const more = if (t.text.len > max_quoted) "..." else "";
            return problem.set(t.at, "expected a number, found \"{s}{s}\"", .{ t.text[0..@min(t.text.len, max_quoted)], more });
        },
    };
}

/// Reads the metric row at `pos.*`: appends the timestamp and then each value to `out`.
fn metricRow(text: []const u8, pos: *usize, out: *List(f64), problem: *Problem) error{Invalid}!usize {
    var rec = Record{};
    defer rec.deinit();
    try readRecord(text, pos, &rec, problem);
    const n = rec.starts.items.len;
    const starts = rec.starts.items;
    if (n < 2) {
        const end = starts[0] + rec.field(0).len;
        return problem.set(end, "expected ',' and a value after the timestamp (a row is timestamp,value[,value...])", .{});
    }
    out.pushOwned(@floatFromInt(try timestamp(rec.field(0), starts[0], problem)));
    for (1..n) |i| out.pushOwned(try number(rec.field(i), starts[i], problem));
    return n;
}

/// A `timestamp,value[,value…]` row as `[seconds since 1970, value, …]` (timestamps are whole
/// seconds, exact as f64). `source` and `line_no` only place errors:
/// `csv: <source>:<line_no>:<column>: <problem>`. Backs `metric_parse_row`.
pub fn parseMetricRow(line: Str, source: Str, line_no: i64) Result(List(f64), Str) {
    const text = line.bytes();
    var out = List(f64).empty();
    var problem = Problem{};
    var pos: usize = 0;
    _ = metricRow(text, &pos, &out, &problem) catch {
        rc.release(out);
        return located(List(f64), source.bytes(), text, line_no, &problem);
    };
    if (pos < text.len) {
        rc.release(out);
        _ = problem.set(pos, "expected one line, found a second one (a line break outside quotes)", .{}) catch {};
        return located(List(f64), source.bytes(), text, line_no, &problem);
    }
    return .{ .Ok = out };
}

/// The rows of a metrics CSV file at `path`: a header line (`timestamp,value` or more value
/// columns), then rows as `parseMetricRow` reads them, each with the header's field count.
/// Blank lines are skipped. Backs `metrics_read`.
pub fn readMetrics(path: Str) Result(List(List(f64)), Str) {
    const file = readFile("metrics_read", path);
    const content = switch (file) {
        .Ok => |c| c,
        .Err => |e| return .{ .Err = e },
    };
    defer rc.release(content);
    const text = content.bytes();
    var rows = List(List(f64)).empty();
    var problem = Problem{};
    collectMetrics(text, &rows, &problem) catch {
        rc.release(rows);
        return located(List(List(f64)), path.bytes(), text, 1, &problem);
    };
    return .{ .Ok = rows };
}

fn collectMetrics(text: []const u8, rows: *List(List(f64)), problem: *Problem) error{Invalid}!void {
    var pos = skipBlankLines(text, 0);
    if (pos >= text.len) return problem.set(pos, "expected a header line (e.g. timestamp,value), found an empty file", .{});
    const width = try header(text, &pos, problem);
    while (true) {
        pos = skipBlankLines(text, pos);
        if (pos >= text.len) return;
        const start = pos;
        var row = List(f64).withCapacity(width);
        const n = metricRow(text, &pos, &row, problem) catch |e| {
            rc.release(row);
            return e;
        };
        if (n != width) {
            rc.release(row);
            return problem.set(start, "expected {d} fields as in the header, found {d}", .{ width, n });
        }
        rows.pushOwned(row);
    }
}

/// Reads the header record at `pos.*` and returns its field count (at least two, and not a
/// data row: a first field that reads as a timestamp means the header is missing).
fn header(text: []const u8, pos: *usize, problem: *Problem) error{Invalid}!usize {
    var rec = Record{};
    defer rec.deinit();
    const start = pos.*;
    try readRecord(text, pos, &rec, problem);
    const n = rec.starts.items.len;
    var scratch = Problem{};
    if (timestamp(rec.field(0), start, &scratch)) |_| {
        return problem.set(start, "expected a header line (e.g. timestamp,value), found a data row", .{});
    } else |_| {}
    if (n < 2) return problem.set(start, "expected a header with a timestamp column and at least one value column, found 1 field", .{});
    return n;
}

fn skipBlankLines(text: []const u8, from: usize) usize {
    var pos = from;
    while (lineBreakAt(text, pos)) |n| pos += n;
    return pos;
}

// ---------------------------------------------------------------------------------------------
// Standard input, a line at a time

/// A line reader over any `read(buf) !usize` source, with a buffer of `size` bytes.
fn LineReader(comptime size: usize) type {
    return struct {
        buf: [size]u8 = undefined,
        start: usize = 0,
        end: usize = 0,
        done: bool = false,

        const Self = @This();

        /// The next line without its LF or CRLF (owned), or None at the end of the input. A
        /// read error ends the input. `beforeWait` runs before each read of the source.
        fn next(self: *Self, source: anytype, comptime beforeWait: fn () void) Option(Str) {
            var b = str_mod.Builder.init();
            var any = false;
            while (true) {
                if (self.start == self.end) {
                    if (self.done) break;
                    beforeWait();
                    const n = source.read(&self.buf) catch 0;
                    if (n == 0) {
                        self.done = true;
                        break;
                    }
                    self.start = 0;
                    self.end = n;
                }
                any = true;
                const chunk = self.buf[self.start..self.end];
                if (std.mem.indexOfScalar(u8, chunk, '\n')) |k| {
                    b.append(chunk[0..k]);
                    self.start += k + 1;
                    break;
                }
                b.append(chunk);
                self.start = self.end;
            }
            if (!any) {
                b.deinit();
                return .{ .None = {} };
            }
            if (std.mem.endsWith(u8, b.written(), "\r")) _ = b.list.pop();
            return .{ .Some = b.finish() };
        }
    };
}

var stdin_lines: LineReader(64 * 1024) = .{};
var stdin_mutex: std.Thread.Mutex = .{};

/// The next line of standard input without its line break (owned), or None at its end.
/// Standard output is flushed before waiting for input. Backs `stdin_read_line`.
pub fn stdinReadLine() Option(Str) {
    stdin_mutex.lock();
    defer stdin_mutex.unlock();
    return stdin_lines.next(std.io.getStdIn(), core.flushOut);
}

// ---------------------------------------------------------------------------------------------
// Tests

fn noWait() void {}

test LineReader {
    // A 4-byte buffer makes lines cross buffer boundaries.
    var stream = std.io.fixedBufferStream("ab\r\nlonger line\n\nlast");
    var r: LineReader(4) = .{};
    const expected = [_][]const u8{ "ab", "longer line", "", "last" };
    for (expected) |want| {
        const got = r.next(stream.reader(), noWait);
        defer rc.release(got);
        try testing.expectEqualStrings(want, got.Some.bytes());
    }
    try testing.expect(r.next(stream.reader(), noWait) == .None);
    try testing.expect(r.next(stream.reader(), noWait) == .None);
}

fn expectFields(line: []const u8, want: []const []const u8) !void {
    const input = Str.fromSlice(line);
    defer rc.release(input);
    const r = parseRow(input);
    defer rc.release(r);
    try testing.expectEqual(@as(i64, @intCast(want.len)), r.Ok.len());
    for (want, r.Ok.items()) |w, g| try testing.expectEqualStrings(w, g.bytes());
}

fn expectRowError(line: []const u8, want: []const u8) !void {
    const input = Str.fromSlice(line);
    defer rc.release(input);
    const r = parseRow(input);
    defer rc.release(r);
    try testing.expectEqualStrings(want, r.Err.bytes());
}

test parseRow {
    try expectFields("a,b,c", &.{ "a", "b", "c" });
    try expectFields("\"x, y\",\"say \"\"hi\"\"\",,", &.{ "x, y", "say \"hi\"", "", "" });
    try expectFields("\"two\nlines\",z\r\n", &.{ "two\nlines", "z" });
    try expectFields("", &.{""});
    try expectRowError("a,\"open", "csv: column 3: unterminated quoted field (the closing '\"' is missing)");
    try expectRowError("\"q\"x,1", "csv: column 4: expected ',' or the end of the line after a quoted field, found 'x'");
    try expectRowError("ab\"c", "csv: column 3: unexpected '\"' inside an unquoted field (quote the whole field and write a quote as \"\")");
    try expectRowError("a\nb", "csv: column 3: expected one line, found a second one (a line break outside quotes)");
}

fn expectMetric(line: []const u8, want: []const f64) !void {
    const input = Str.fromSlice(line);
    defer rc.release(input);
    const r = parseMetricRow(input, Str.lit("m.csv"), 7);
    defer rc.release(r);
    try testing.expectEqualSlices(f64, want, r.Ok.items());
}

fn expectMetricError(line: []const u8, want: []const u8) !void {
    const input = Str.fromSlice(line);
    defer rc.release(input);
    const r = parseMetricRow(input, Str.lit("m.csv"), 7);
    defer rc.release(r);
    try testing.expectEqualStrings(want, r.Err.bytes());
}

test parseMetricRow {
    // 2014-04-10 00:02:00 UTC is 1397088120 (Python: calendar.timegm).
    try expectMetric("2014-04-10 00:02:00,12.5", &.{ 1397088120, 12.5 });
    try expectMetric("2014-04-10T00:02:00Z, -3e2 ,\"7\"", &.{ 1397088120, -300, 7 });
    try expectMetric("1397088120,0", &.{ 1397088120, 0 });
    try expectMetricError("2014-04-10 00:02:00,abc", "csv: m.csv:7:21: expected a number, found \"abc\"");
    try expectMetricError("2014-04-10 00:02:00,", "csv: m.csv:7:21: expected a number, found an empty field");
    try expectMetricError("2014-13-10 00:02:00,1", "csv: m.csv:7:6: expected a timestamp (YYYY-MM-DD HH:MM:SS, ISO 8601 or seconds since 1970): month 13 out of range");
    try expectMetricError("2014-04-10 00:02:00", "csv: m.csv:7:20: expected ',' and a value after the timestamp (a row is timestamp,value[,value...])");
}

fn writeTemp(tmp: *std.testing.TmpDir, name: []const u8, content: []const u8) !Str {
    try tmp.dir.writeFile(.{ .sub_path = name, .data = content });
    const root = try tmp.dir.realpathAlloc(testing.allocator, ".");
    defer testing.allocator.free(root);
    var b = str_mod.Builder.init();
    b.print("{s}/{s}", .{ root, name });
    return b.finish();
}

test readMetrics {
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const good = try writeTemp(&tmp, "good.csv", "timestamp,value\n2014-04-10 00:00:00,1\n\n2014-04-10 00:05:00,2.5\n");
    defer rc.release(good);
    const rows = readMetrics(good);
    defer rc.release(rows);
    try testing.expectEqual(@as(i64, 2), rows.Ok.len());
    try testing.expectEqualSlices(f64, &.{ 1397088300, 2.5 }, rows.Ok.items()[1].items());

    const bad = try writeTemp(&tmp, "bad.csv", "timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00,x1\n");
    defer rc.release(bad);
    const err = readMetrics(bad);
    defer rc.release(err);
    try testing.expect(std.mem.endsWith(u8, err.Err.bytes(), "bad.csv:3:21: expected a number, found \"x1\""));

    const wide = try writeTemp(&tmp, "wide.csv", "timestamp,value\n2014-04-10 00:00:00,1,2\n");
    defer rc.release(wide);
    const wide_err = readMetrics(wide);
    defer rc.release(wide_err);
    try testing.expect(std.mem.endsWith(u8, wide_err.Err.bytes(), "wide.csv:2:1: expected 2 fields as in the header, found 3"));

    const headless = try writeTemp(&tmp, "headless.csv", "2014-04-10 00:00:00,1\n");
    defer rc.release(headless);
    const headless_err = readMetrics(headless);
    defer rc.release(headless_err);
    try testing.expect(std.mem.endsWith(u8, headless_err.Err.bytes(), "headless.csv:1:1: expected a header line (e.g. timestamp,value), found a data row"));

    const missing = readMetrics(Str.lit("/no/such/file.csv"));
    defer rc.release(missing);
    try testing.expectEqualStrings("metrics_read: cannot open '/no/such/file.csv': no such file or directory", missing.Err.bytes());
}

test read {
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const path = try writeTemp(&tmp, "t.csv", "name,note\r\nann,\"likes \"\"csv\"\", a lot\"\r\nbob,\"two\nlines\"\r\n");
    defer rc.release(path);
    const rows = read(path);
    defer rc.release(rows);
    try testing.expectEqual(@as(i64, 3), rows.Ok.len());
    try testing.expectEqualStrings("likes \"csv\", a lot", rows.Ok.items()[1].items()[1].bytes());
    try testing.expectEqualStrings("two\nlines", rows.Ok.items()[2].items()[1].bytes());

    const short = try writeTemp(&tmp, "s.csv", "a,b\n1,2\n3\n\"4\n");
    defer rc.release(short);
    const err = read(short);
    defer rc.release(err);
    try testing.expect(std.mem.endsWith(u8, err.Err.bytes(), "s.csv:3:1: expected 2 fields as in the header, found 1"));
}
