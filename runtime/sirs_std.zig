//! The standard-library built-ins under their SIRS names (`json_parse`, `file_read`,
//! `datetime_format`, `regex_find`, `http_get`, `str_format_float`, …), as the code generator
//! calls them: `rt.<name>(args…)`, with the call's location last for the ones that fault. The
//! root re-exports every public declaration flat. Most are the module functions themselves
//! (`fs`, `datetime`, `http`); the rest adapt a module to the SIRS calling contract: arguments
//! borrowed, results owned (the JSON accessors retain what the module lends), and misuse that
//! a program cannot sensibly handle — an invalid regular expression, `json_set` on a number —
//! faulting at the call instead of returning a value every call site would have to unpack.
//! The signatures the checker knows are in `src/check/stdlib.rs`; `docs/stdlib.md` is the
//! reference.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const map_mod = @import("map.zig");
const option = @import("option.zig");
const json = @import("json.zig");
const regex = @import("regex.zig");
const datetime = @import("datetime.zig");
const fs = @import("fs.zig");
const http = @import("http.zig");
const csv = @import("csv.zig");

const Loc = core.Loc;
const Str = str_mod.Str;
const List = list_mod.List;
const Map = map_mod.Map;
const Option = option.Option;
const Result = option.Result;

/// The SIRS prelude enum `Json` (variants Null, Bool, Number, String, Array, Object).
pub const Json = json.Json;
/// The SIRS prelude record `HttpResponse { status: i64, body: str, headers: map<str, str> }`.
pub const HttpResponse = http.Response;

const testing = std.testing;
const tl = Str.lit;
const test_loc: Loc = .{ .func = "t", .line = 1, .col = 2 };

// ---------------------------------------------------------------------------------------------
// Number formatting

/// Largest number of decimals `str_format_float` accepts.
pub const max_float_digits = 100;

/// `x` with exactly `digits` decimals (0 to `max_float_digits`), rounded from the exact binary
/// value with ties to even, as C's `printf("%.*f")` and Python's `format(x, ".Nf")` do:
/// `str_format_float(2.675, 2)` is `2.67` (2.675 is stored as 2.67499999…), `(0.125, 2)` is
/// `0.12`. NaN and infinities print as `nan`, `inf`, `-inf`; negative values that round to
/// zero keep their sign (`-0.00`). Faults for a digit count out of range. Owned.
pub fn str_format_float(x: f64, digits: i64, comptime loc: Loc) Str {
    if (digits < 0 or digits > max_float_digits) {
        core.fault(loc, "str_format_float: digits must be 0 to {d}, got {d}", .{ max_float_digits, digits });
    }
    if (std.math.isNan(x)) return Str.lit("nan");
    if (std.math.isInf(x)) return if (x > 0) Str.lit("inf") else Str.lit("-inf");
    return formatFixed(x, @intCast(digits)) catch core.outOfMemory();
}

/// round_half_even(|x| * 10^digits) in decimal, with the point put back `digits` places in.
fn formatFixed(x: f64, digits: u32) !Str {
    const gpa = core.gpa();
    const bits: u64 = @bitCast(x);
    const negative = bits >> 63 != 0;
    const biased: i32 = @intCast((bits >> 52) & 0x7ff);
    const fraction = bits & ((@as(u64, 1) << 52) - 1);
    // |x| = mantissa * 2^exponent exactly.
    const mantissa = if (biased == 0) fraction else fraction | (@as(u64, 1) << 52);
    const exponent: i32 = (if (biased == 0) 1 else biased) - 1075;

    // n = round_half_even(mantissa * 10^digits * 2^exponent); no operand aliases its target.
    const Big = std.math.big.int.Managed;
    var m = try Big.initSet(gpa, mantissa);
    defer m.deinit();
    var ten = try Big.initSet(gpa, 10);
    defer ten.deinit();
    var scale = try Big.init(gpa);
    defer scale.deinit();
    try scale.pow(&ten, digits);
    var scaled = try Big.init(gpa);
    defer scaled.deinit();
    try scaled.mul(&m, &scale);
    var n = try Big.init(gpa);
    defer n.deinit();
    if (exponent >= 0) {
        try n.shiftLeft(&scaled, @intCast(exponent));
    } else {
        const k: usize = @intCast(-exponent);
        var q = try Big.init(gpa);
        defer q.deinit();
        try q.shiftRight(&scaled, k);
        // rem = scaled - q * 2^k, compared with half = 2^(k-1).
        var back = try Big.init(gpa);
        defer back.deinit();
        try back.shiftLeft(&q, k);
        var rem = try Big.init(gpa);
        defer rem.deinit();
        try rem.sub(&scaled, &back);
        var one = try Big.initSet(gpa, 1);
        defer one.deinit();
        var half = try Big.init(gpa);
        defer half.deinit();
        try half.shiftLeft(&one, k - 1);
        const up = switch (rem.order(half)) {
            .gt => true,
            .lt => false,
            .eq => q.isOdd(),
        };
        if (up) try n.addScalar(&q, 1) else try n.copy(q.toConst());
    }
    const decimal = try n.toString(gpa, 10, .lower);
    defer gpa.free(decimal);

    var b = str_mod.Builder.init();
    if (negative) b.appendByte('-');
    const d: usize = digits;
    if (decimal.len <= d) {
        // 0.00ddd: the integer part is zero.
        b.append("0");
        if (d > 0) b.appendByte('.');
        for (0..d - decimal.len) |_| b.appendByte('0');
        b.append(decimal);
    } else {
        b.append(decimal[0 .. decimal.len - d]);
        if (d > 0) {
            b.appendByte('.');
            b.append(decimal[decimal.len - d ..]);
        }
    }
    return b.finish();
}

test str_format_float {
    const cases = [_]struct { x: f64, d: i64, s: []const u8 }{
        // Expected strings are Python's format(x, f".{d}f") (= C printf).
        .{ .x = 2.675, .d = 2, .s = "2.67" },
        .{ .x = 0.125, .d = 2, .s = "0.12" },
        .{ .x = 0.375, .d = 2, .s = "0.38" },
        .{ .x = 2.5, .d = 0, .s = "2" },
        .{ .x = 3.5, .d = 0, .s = "4" },
        .{ .x = 1.5, .d = 0, .s = "2" },
        .{ .x = 123.456, .d = 1, .s = "123.5" },
        .{ .x = 3.14159, .d = 3, .s = "3.142" },
        .{ .x = -1.005, .d = 2, .s = "-1.00" },
        .{ .x = -0.0, .d = 2, .s = "-0.00" },
        .{ .x = -0.001, .d = 2, .s = "-0.00" },
        .{ .x = 0.0, .d = 0, .s = "0" },
        .{ .x = 1e-10, .d = 3, .s = "0.000" },
        .{ .x = 0.0009, .d = 3, .s = "0.001" },
        .{ .x = 5e-324, .d = 0, .s = "0" },
        .{ .x = 0.1, .d = 20, .s = "0.10000000000000000555" },
        .{ .x = 1e22, .d = 0, .s = "10000000000000000000000" },
        .{ .x = 1e23, .d = 1, .s = "99999999999999991611392.0" },
        .{ .x = 42, .d = 3, .s = "42.000" },
        .{ .x = 9.995, .d = 2, .s = "9.99" },
        .{ .x = 99.5, .d = 0, .s = "100" },
    };
    for (cases) |c| {
        const s = str_format_float(c.x, c.d, test_loc);
        defer rc.release(s);
        try testing.expectEqualStrings(c.s, s.bytes());
    }
    const big = str_format_float(std.math.floatMax(f64), 0, test_loc);
    defer rc.release(big);
    try testing.expectEqual(@as(usize, 309), big.len);
    try testing.expect(std.mem.startsWith(u8, big.bytes(), "17976931348623157"));
    const tiny = str_format_float(5e-324, max_float_digits, test_loc);
    defer rc.release(tiny);
    try testing.expectEqual(@as(usize, 102), tiny.len);
    try testing.expectEqualStrings("nan", str_format_float(std.math.nan(f64), 2, test_loc).bytes());
    try testing.expectEqualStrings("-inf", str_format_float(-std.math.inf(f64), 2, test_loc).bytes());
    try core.expectExit(101, "error: str_format_float: digits must be 0 to 100, got -1\n  --> <unknown>:1:2 (in function `t`)\n", str_format_float, .{ 1.0, -1, test_loc });
}

// ---------------------------------------------------------------------------------------------
// Files and directories (fs.zig): Result values whose Err names the built-in, the path and the
// operating system's reason.

pub const file_read = fs.read;
pub const file_write = fs.write;
pub const file_append = fs.append;
pub const file_exists = fs.exists;
pub const file_delete = fs.delete;
pub const file_size = fs.size;
pub const dir_create = fs.mkdir;
pub const dir_exists = fs.isDir;
pub const dir_list = fs.list;
pub const dir_remove = fs.removeDir;

// ---------------------------------------------------------------------------------------------
// CSV, metric streams and standard input (csv.zig)

pub const csv_read = csv.read;
pub const csv_parse_row = csv.parseRow;
pub const metrics_read = csv.readMetrics;
pub const metric_parse_row = csv.parseMetricRow;
pub const stdin_read_line = csv.stdinReadLine;

test "file and dir built-ins" {
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const root = try tmp.dir.realpathAlloc(testing.allocator, ".");
    defer testing.allocator.free(root);
    var pb = str_mod.Builder.init();
    pb.print("{s}/sub/deeper", .{root});
    const dir = pb.finish();
    defer rc.release(dir);
    var fb = str_mod.Builder.init();
    fb.print("{s}/sub/deeper/notes.txt", .{root});
    const file = fb.finish();
    defer rc.release(file);

    try testing.expect(dir_create(dir).Ok);
    try testing.expect(dir_exists(dir));
    try testing.expect(!file_exists(file));
    try testing.expect(file_write(file, tl("one\n")).Ok);
    try testing.expect(file_append(file, tl("two\n")).Ok);
    try testing.expectEqual(@as(i64, 8), file_size(file).Ok);
    const text = file_read(file);
    defer rc.release(text);
    try testing.expectEqualStrings("one\ntwo\n", text.Ok.bytes());
    const names = dir_list(dir);
    defer rc.release(names);
    try testing.expectEqual(@as(i64, 1), names.Ok.len());
    try testing.expectEqualStrings("notes.txt", names.Ok.items()[0].bytes());
    const busy = dir_remove(dir);
    defer rc.release(busy);
    try testing.expect(std.mem.endsWith(u8, busy.Err.bytes(), "': directory not empty"));
    try testing.expect(file_delete(file).Ok);
    const again = file_delete(file);
    defer rc.release(again);
    try testing.expect(std.mem.startsWith(u8, again.Err.bytes(), "file_delete: cannot delete '"));
    try testing.expect(std.mem.endsWith(u8, again.Err.bytes(), "notes.txt': no such file or directory"));
    try testing.expect(dir_remove(dir).Ok);
    try testing.expect(!dir_exists(dir));
}

// ---------------------------------------------------------------------------------------------
// JSON

pub const json_parse = json.parse;
pub const json_stringify = json.stringify;
pub const json_pretty = json.pretty;
pub const json_len = json.len;
pub const json_has_key = json.hasKey;
pub const json_keys = json.keys;
pub const json_as_number = json.asNumber;
pub const json_as_bool = json.asBool;
pub const json_is_null = json.isNull;
pub const json_kind = json.kind;
pub const json_null = json.makeNull;
pub const json_bool = json.fromBool;
pub const json_number = json.fromNumber;
pub const json_string = json.fromString;

/// Member `key` of an object (owned); None for a missing key or a non-object.
pub fn json_get(v: Json, key: Str) Option(Json) {
    const o = json.get(v, key);
    rc.retain(o);
    return o;
}

/// Element `i` of an array (owned); None out of range (negative included) or for a non-array.
pub fn json_at(v: Json, i: i64) Option(Json) {
    const o = json.at(v, i);
    rc.retain(o);
    return o;
}

/// The string of a `String` value (owned), else None.
pub fn json_as_string(v: Json) Option(Str) {
    const o = json.asString(v);
    rc.retain(o);
    return o;
}

/// `Array(items)` (shares `items`; owned).
pub fn json_array(items: List(Json)) Json {
    rc.retain(items);
    return .{ .Array = items };
}

/// `Object(members)` (shares `members`; owned). Members keep the map's insertion order.
pub fn json_object(members: Map(Str, Json)) Json {
    rc.retain(members);
    return .{ .Object = members };
}

/// A copy of the object `obj` with member `key` set to `value` (a present key keeps its
/// position). Faults when `obj` is not an object. Owned.
pub fn json_set(obj: Json, key: Str, value: Json, comptime loc: Loc) Json {
    if (obj != .Object) core.fault(loc, "json_set needs an object, got {s}", .{json.kind(obj).bytes()});
    var copy = obj;
    rc.retain(copy);
    _ = json.set(&copy, key, value);
    return copy;
}

/// A copy of the array `arr` with `value` appended. Faults when `arr` is not an array. Owned.
pub fn json_push(arr: Json, value: Json, comptime loc: Loc) Json {
    if (arr != .Array) core.fault(loc, "json_push needs an array, got {s}", .{json.kind(arr).bytes()});
    var copy = arr;
    rc.retain(copy);
    _ = json.push(&copy, value);
    return copy;
}

test "json accessors return owned values" {
    const r = json_parse(tl("{\"name\": \"sev\", \"tags\": [\"a\", 2, null], \"ok\": true}"));
    defer rc.release(r);
    const doc = r.Ok;
    const name = json_get(doc, tl("name"));
    defer rc.release(name);
    const s = json_as_string(name.Some);
    defer rc.release(s);
    try testing.expectEqualStrings("sev", s.Some.bytes());
    try testing.expect(json_get(doc, tl("missing")) == .None);
    const tags = json_get(doc, tl("tags"));
    defer rc.release(tags);
    try testing.expectEqual(@as(i64, 3), json_len(tags.Some));
    const second = json_at(tags.Some, 1);
    defer rc.release(second);
    try testing.expectEqual(@as(f64, 2), json_as_number(second.Some).Some);
    try testing.expect(json_at(tags.Some, 3) == .None);
    try testing.expect(json_at(tags.Some, -1) == .None);
    try testing.expect(json_as_string(json_number(1)) == .None);
}

test "a member outlives its document" {
    var member: Option(Json) = undefined;
    {
        const r = json_parse(tl("{\"k\": [\"long string value\"]}"));
        defer rc.release(r);
        member = json_get(r.Ok, tl("k"));
    }
    defer rc.release(member);
    const first = json_at(member.Some, 0);
    defer rc.release(first);
    try testing.expectEqualStrings("long string value", first.Some.String.bytes());
}

test "json builders" {
    var items = List(Json).empty();
    defer rc.release(items);
    items.pushOwned(json_number(1.5));
    const x = Str.fromSlice("x");
    defer rc.release(x);
    items.pushOwned(json_string(x));
    items.pushOwned(json_null());
    const arr = json_array(items);
    defer rc.release(arr);
    var members = Map(Str, Json).empty();
    defer rc.release(members);
    members.insert(tl("b"), json_bool(true));
    members.insert(tl("list"), arr);
    const obj = json_object(members);
    defer rc.release(obj);
    const text = json_stringify(obj);
    defer rc.release(text);
    try testing.expectEqualStrings("{\"b\":true,\"list\":[1.5,\"x\",null]}", text.bytes());

    const more = json_set(obj, tl("n"), json_number(2), test_loc);
    defer rc.release(more);
    const pushed = json_push(arr, json_bool(false), test_loc);
    defer rc.release(pushed);
    const t2 = json_stringify(more);
    defer rc.release(t2);
    try testing.expectEqualStrings("{\"b\":true,\"list\":[1.5,\"x\",null],\"n\":2}", t2.bytes());
    // The originals are unchanged (value semantics).
    try testing.expectEqual(@as(i64, 2), json_len(obj));
    try testing.expectEqual(@as(i64, 3), json_len(arr));
    try testing.expectEqual(@as(i64, 4), json_len(pushed));
    try testing.expectEqualStrings("object", json_kind(obj).bytes());
    try core.expectExit(101, "error: json_set needs an object, got number\n  --> <unknown>:1:2 (in function `t`)\n", json_set, .{ json_number(1), tl("k"), json_null(), test_loc });
    try core.expectExit(101, "error: json_push needs an array, got object\n  --> <unknown>:1:2 (in function `t`)\n", json_push, .{ obj, json_null(), test_loc });
}

// ---------------------------------------------------------------------------------------------
// Date and time (datetime.zig): i64 seconds since 1970-01-01T00:00:00Z, proleptic Gregorian.

pub const datetime_now = datetime.now;
pub const datetime_now_millis = datetime.nowMillis;
pub const datetime_now_micros = datetime.nowMicros;
pub const datetime_year = datetime.year;
pub const datetime_month = datetime.month;
pub const datetime_day = datetime.day;
pub const datetime_hour = datetime.hour;
pub const datetime_minute = datetime.minute;
pub const datetime_second = datetime.second;
pub const datetime_weekday = datetime.weekday;
pub const datetime_day_of_year = datetime.dayOfYear;
pub const datetime_add_seconds = datetime.addSeconds;
pub const datetime_add_minutes = datetime.addMinutes;
pub const datetime_add_hours = datetime.addHours;
pub const datetime_add_days = datetime.addDays;
pub const datetime_diff_seconds = datetime.diffSeconds;
pub const datetime_make = datetime.make;
pub const datetime_format = datetime.format;
pub const datetime_format_with = datetime.formatWith;
pub const datetime_parse = datetime.parse;
pub const datetime_is_leap_year = datetime.isLeapYear;
pub const sleep_seconds = datetime.sleepSeconds;
pub const sleep_millis = datetime.sleepMillis;

/// Days in month `m` (1-12) of year `y`; faults for a month out of range.
pub fn datetime_days_in_month(y: i64, m: i64, comptime loc: Loc) i64 {
    if (m < 1 or m > 12) core.fault(loc, "datetime_days_in_month: month {d} out of range (1-12)", .{m});
    return datetime.daysInMonth(y, @intCast(m));
}

test "datetime built-ins" {
    const leap = datetime_make(2024, 2, 29, 23, 59, 30).Ok;
    try testing.expectEqual(@as(i64, 1709251170), leap);
    const next = datetime_add_seconds(leap, 45, test_loc);
    const s = datetime_format(next);
    defer rc.release(s);
    try testing.expectEqualStrings("2024-03-01T00:00:15Z", s.bytes());
    try testing.expectEqual(@as(i64, 29), datetime_days_in_month(2000, 2, test_loc));
    try testing.expectEqual(@as(i64, 28), datetime_days_in_month(1900, 2, test_loc));
    try testing.expectEqual(@as(i64, 30), datetime_days_in_month(2023, 11, test_loc));
    try testing.expect(datetime_is_leap_year(2000) and !datetime_is_leap_year(2100));
    try testing.expect(datetime_year(datetime_now()) >= 2024);
    try core.expectExit(101, "error: datetime_days_in_month: month 13 out of range (1-12)\n  --> <unknown>:1:2 (in function `t`)\n", datetime_days_in_month, .{ 2024, 13, test_loc });
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: text first, then pattern (as `str_*` take their subject first). An
// invalid pattern (or a replacement naming a missing group) faults at the call.

/// Ok(true) when `pattern` compiles, else Err with the problem and its byte offset
/// (`regex: unclosed group at offset 4`).
pub fn regex_check(pattern: Str) Result(bool, Str) {
    switch (regex.compile(pattern)) {
        .Ok => |re| {
            rc.release(re);
            return .{ .Ok = true };
        },
        .Err => |e| return .{ .Err = e },
    }
}

fn orFault(comptime T: type, r: Result(T, Str), pattern: Str, comptime loc: Loc) T {
    return switch (r) {
        .Ok => |v| v,
        .Err => |e| core.fault(loc, "{s} (pattern \"{s}\")", .{ e.bytes(), pattern.bytes() }),
    };
}

/// Whether `pattern` matches somewhere in `text` (anchor with `^…$` for a whole match).
pub fn regex_match(text: Str, pattern: Str, comptime loc: Loc) bool {
    return orFault(bool, regex.isMatch(text, pattern), pattern, loc);
}

/// The leftmost match (owned), or None.
pub fn regex_find(text: Str, pattern: Str, comptime loc: Loc) Option(Str) {
    return orFault(Option(Str), regex.find(text, pattern), pattern, loc);
}

/// Every non-overlapping match, left to right (owned).
pub fn regex_find_all(text: Str, pattern: Str, comptime loc: Loc) List(Str) {
    return orFault(List(Str), regex.findAll(text, pattern), pattern, loc);
}

/// `[whole, group1, …]` for the leftmost match (a group that did not take part is `""`), or
/// None (owned).
pub fn regex_captures(text: Str, pattern: Str, comptime loc: Loc) Option(List(Str)) {
    return orFault(Option(List(Str)), regex.captures(text, pattern), pattern, loc);
}

/// The pieces of `text` between matches (owned).
pub fn regex_split(text: Str, pattern: Str, comptime loc: Loc) List(Str) {
    return orFault(List(Str), regex.split(text, pattern), pattern, loc);
}

/// `text` with every match replaced; `$0`…`$n`/`${n}` insert groups, `$$` is `$` (owned).
pub fn regex_replace(text: Str, pattern: Str, replacement: Str, comptime loc: Loc) Str {
    return orFault(Str, regex.replace(text, pattern, replacement), pattern, loc);
}

test "regex built-ins" {
    try testing.expect(regex_check(tl("^\\d{4}-\\d{2}$")).Ok);
    const bad = regex_check(tl("a(b"));
    defer rc.release(bad);
    try testing.expectEqualStrings("regex: unclosed group at offset 1", bad.Err.bytes());
    try testing.expect(regex_match(tl("order 66"), tl("\\d+"), test_loc));
    try testing.expect(!regex_match(tl("order"), tl("\\d+"), test_loc));
    const f = regex_find(tl("a1b22c333"), tl("\\d{2,}"), test_loc);
    defer rc.release(f);
    try testing.expectEqualStrings("22", f.Some.bytes());
    const all = regex_find_all(tl("a1b22c333"), tl("\\d+"), test_loc);
    defer rc.release(all);
    try testing.expectEqual(@as(i64, 3), all.len());
    try testing.expectEqualStrings("333", all.items()[2].bytes());
    const caps = regex_captures(tl("key=value"), tl("(\\w+)=(\\w+)"), test_loc);
    defer rc.release(caps);
    try testing.expectEqualStrings("value", caps.Some.items()[2].bytes());
    const parts = regex_split(tl("a, b;c"), tl("[,;]\\s*"), test_loc);
    defer rc.release(parts);
    try testing.expectEqual(@as(i64, 3), parts.len());
    try testing.expectEqualStrings("c", parts.items()[2].bytes());
    const swapped = regex_replace(tl("2024-02-29"), tl("(\\d+)-(\\d+)-(\\d+)"), tl("$3/$2/$1"), test_loc);
    defer rc.release(swapped);
    try testing.expectEqualStrings("29/02/2024", swapped.bytes());
    try core.expectExit(101, "error: regex: nothing to repeat at offset 0 (pattern \"*a\")\n  --> <unknown>:1:2 (in function `t`)\n", regex_match, .{ tl("x"), tl("*a"), test_loc });
}

// ---------------------------------------------------------------------------------------------
// HTTP client (http.zig): every status is Ok; Err is a transport failure.

pub const http_get = http.get;
pub const http_delete = http.delete;
pub const http_post = http.post;
pub const http_put = http.put;
pub const http_request = http.request;

test "http built-ins report transport errors as values" {
    // Bind a loopback port, then close it: connecting to it is refused.
    const addr = try std.net.Address.parseIp("127.0.0.1", 0);
    var server = try addr.listen(.{});
    const port = server.listen_address.getPort();
    server.deinit();
    var ub = str_mod.Builder.init();
    ub.print("http://127.0.0.1:{d}/x", .{port});
    const url = ub.finish();
    defer rc.release(url);
    const r = http_get(url);
    defer rc.release(r);
    var want = str_mod.Builder.init();
    defer want.deinit();
    want.print("http: cannot connect to 127.0.0.1:{d}: ConnectionRefused", .{port});
    try testing.expectEqualStrings(want.written(), r.Err.bytes());
    const https = http_post(tl("https://example.invalid/"), tl("{}"));
    defer rc.release(https);
    try testing.expect(std.mem.startsWith(u8, https.Err.bytes(), "http: https is not supported"));
}

test {
    std.testing.refAllDecls(@This());
}
