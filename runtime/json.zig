//! JSON for the `json_*` built-ins: a `Json` value type that generated code can build, match
//! and pass around like any other sev value, a strict RFC 8259 parser with error messages that
//! name the line and column, and a serialiser (compact and 2-space pretty).
//!
//! `Json` is a tagged union whose strings, arrays and objects are the runtime's counted
//! `Str`, `List(Json)` and `Map(Str, Json)`, so `rc.retain`/`rc.release`, copy-on-write and
//! structural equality work through the generic union walk; objects keep insertion order (a
//! duplicate key in parsed text keeps the first position and the last value). Numbers are f64.
//! The parser rejects what RFC 8259 rejects (trailing commas, comments, single quotes, leading
//! zeros, control characters in strings, lone surrogates, invalid UTF-8, numbers too large for
//! f64) and nests at most `max_depth` arrays/objects, so hostile input cannot overflow the stack.
//! The serialiser writes numbers as the shortest decimal that reads back to the same f64, in
//! JavaScript's layout (`3`, `0.1`, `1e+21`, `1.5e-7`; integral values have no decimal point),
//! writes NaN and ±infinity as `null` (JSON has no spelling for them, as in JavaScript's
//! `JSON.stringify`), escapes `"` `\` and control characters, passes UTF-8 through, and writes
//! invalid UTF-8 bytes in a string as `\ufffd`.
const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const map_mod = @import("map.zig");
const option = @import("option.zig");

const Str = str_mod.Str;
const List = list_mod.List;
const Map = map_mod.Map;
const Option = option.Option;
const Result = option.Result;

/// Deepest nesting of arrays and objects accepted by `parse`.
pub const max_depth = 512;

/// A JSON value. Switch on it directly (`.String => |s|`); the accessors below are shortcuts.
/// The tags are the variant names of the SIRS prelude enum `Json` (src/check/env.rs), so
/// generated code builds and matches this type directly as `rt.Json`.
pub const Json = union(enum) {
    Null,
    Bool: bool,
    Number: f64,
    String: Str,
    Array: List(Json),
    Object: Map(Str, Json),

    /// Printing a Json (`rt.toStr`, `std_print` of a value) writes compact JSON text.
    pub fn sevWrite(self: Json, w: anytype, _: bool) !void {
        try writeJson(w, self, null, 0);
    }
};

// ---------------------------------------------------------------------------------------------
// Parser

const ParseError = error{Syntax};

const Parser = struct {
    src: []const u8,
    pos: usize = 0,
    msg_buf: [120]u8 = undefined,
    msg: []const u8 = "",
    err_pos: usize = 0,
    found_buf: [16]u8 = undefined,

    fn fail(p: *Parser, off: usize, comptime fmt: []const u8, args: anytype) ParseError {
        p.msg = std.fmt.bufPrint(&p.msg_buf, fmt, args) catch "invalid JSON";
        p.err_pos = off;
        return error.Syntax;
    }

    /// "found 'x'" / "found end of input" for the byte at `at`.
    fn found(p: *Parser, off: usize) []const u8 {
        if (off >= p.src.len) return "end of input";
        const c = p.src[off];
        var buf: [16]u8 = undefined;
        const s = if (c >= 0x20 and c < 0x7f)
            std.fmt.bufPrint(&buf, "'{c}'", .{c}) catch unreachable
        else
            std.fmt.bufPrint(&buf, "byte 0x{x:0>2}", .{c}) catch unreachable;
        @memcpy(p.found_buf[0..s.len], s);
        return p.found_buf[0..s.len];
    }

    fn skipWs(p: *Parser) void {
        while (p.pos < p.src.len) : (p.pos += 1) {
            switch (p.src[p.pos]) {
                ' ', '\t', '\n', '\r' => {},
                else => return,
            }
        }
    }

    fn value(p: *Parser, depth: usize) ParseError!Json {
        p.skipWs();
        if (p.pos >= p.src.len) return p.fail(p.pos, "expected a value, found end of input", .{});
        const c = p.src[p.pos];
        return switch (c) {
            '{' => p.object(depth + 1),
            '[' => p.array(depth + 1),
            '"' => .{ .String = try p.string() },
            't' => p.literal("true", .{ .Bool = true }),
            'f' => p.literal("false", .{ .Bool = false }),
            'n' => p.literal("null", .Null),
            '-', '0'...'9' => .{ .Number = try p.number() },
            else => p.fail(p.pos, "expected a value, found {s}", .{p.found(p.pos)}),
        };
    }

    fn literal(p: *Parser, comptime word: []const u8, v: Json) ParseError!Json {
        const start = p.pos;
        if (p.src.len - p.pos >= word.len and std.mem.eql(u8, p.src[p.pos..][0..word.len], word)) {
            p.pos += word.len;
            return v;
        }
        return p.fail(start, "invalid literal (expected '" ++ word ++ "')", .{});
    }

    fn number(p: *Parser) ParseError!f64 {
        const start = p.pos;
        const s = p.src;
        var i = p.pos;
        if (s[i] == '-') i += 1;
        if (i >= s.len or !std.ascii.isDigit(s[i])) return p.fail(i, "invalid number: expected a digit, found {s}", .{p.found(i)});
        if (s[i] == '0') {
            i += 1;
            if (i < s.len and std.ascii.isDigit(s[i])) return p.fail(start, "invalid number: leading zero", .{});
        } else {
            while (i < s.len and std.ascii.isDigit(s[i])) i += 1;
        }
        if (i < s.len and s[i] == '.') {
            i += 1;
            if (i >= s.len or !std.ascii.isDigit(s[i])) return p.fail(i, "invalid number: expected a digit after '.', found {s}", .{p.found(i)});
            while (i < s.len and std.ascii.isDigit(s[i])) i += 1;
        }
        if (i < s.len and (s[i] == 'e' or s[i] == 'E')) {
            i += 1;
            if (i < s.len and (s[i] == '+' or s[i] == '-')) i += 1;
            if (i >= s.len or !std.ascii.isDigit(s[i])) return p.fail(i, "invalid number: expected a digit in the exponent, found {s}", .{p.found(i)});
            while (i < s.len and std.ascii.isDigit(s[i])) i += 1;
        }
        const x = std.fmt.parseFloat(f64, s[start..i]) catch unreachable; // grammar checked above
        if (std.math.isInf(x)) return p.fail(start, "number out of range for f64", .{});
        p.pos = i;
        return x;
    }

    fn hex4(p: *Parser, off: usize) ParseError!u16 {
        if (p.src.len - off < 4) return p.fail(off, "invalid \\u escape: expected 4 hex digits", .{});
        return std.fmt.parseInt(u16, p.src[off..][0..4], 16) catch p.fail(off, "invalid \\u escape: expected 4 hex digits", .{});
    }

    fn string(p: *Parser) ParseError!Str {
        const open = p.pos;
        p.pos += 1;
        const s = p.src;
        // Fast path: no escapes — share nothing, copy once.
        var i = p.pos;
        while (i < s.len and s[i] != '"' and s[i] != '\\' and s[i] >= 0x20 and s[i] < 0x80) i += 1;
        if (i < s.len and s[i] == '"') {
            p.pos = i + 1;
            return Str.fromSlice(s[open + 1 .. i]);
        }
        var b = str_mod.Builder.init();
        errdefer b.deinit();
        b.append(s[open + 1 .. i]);
        while (true) {
            if (i >= s.len) return p.fail(open, "unterminated string", .{});
            const c = s[i];
            switch (c) {
                '"' => {
                    p.pos = i + 1;
                    return b.finish();
                },
                '\\' => {
                    if (i + 1 >= s.len) return p.fail(open, "unterminated string", .{});
                    const e = s[i + 1];
                    i += 2;
                    switch (e) {
                        '"' => b.appendByte('"'),
                        '\\' => b.appendByte('\\'),
                        '/' => b.appendByte('/'),
                        'b' => b.appendByte(0x08),
                        'f' => b.appendByte(0x0c),
                        'n' => b.appendByte('\n'),
                        'r' => b.appendByte('\r'),
                        't' => b.appendByte('\t'),
                        'u' => {
                            const esc = i - 2;
                            const hi = try p.hex4(i);
                            i += 4;
                            var cp: u21 = hi;
                            if (hi >= 0xD800 and hi <= 0xDBFF) {
                                if (s.len - i < 6 or s[i] != '\\' or s[i + 1] != 'u')
                                    return p.fail(esc, "unpaired surrogate \\u{X:0>4}", .{hi});
                                const lo = try p.hex4(i + 2);
                                if (lo < 0xDC00 or lo > 0xDFFF) return p.fail(esc, "unpaired surrogate \\u{X:0>4}", .{hi});
                                i += 6;
                                cp = 0x10000 + ((@as(u21, hi) - 0xD800) << 10) + (lo - 0xDC00);
                            } else if (hi >= 0xDC00 and hi <= 0xDFFF) {
                                return p.fail(esc, "unpaired surrogate \\u{X:0>4}", .{hi});
                            }
                            var buf: [4]u8 = undefined;
                            const n = std.unicode.utf8Encode(cp, &buf) catch unreachable;
                            b.append(buf[0..n]);
                        },
                        else => return p.fail(i - 2, "invalid escape '\\{c}'", .{if (e >= 0x20 and e < 0x7f) e else '?'}),
                    }
                },
                0...0x1f => return p.fail(i, "control character (byte 0x{x:0>2}) in string; escape it", .{c}),
                0x20...0x21, 0x23...0x5b, 0x5d...0x7f => {
                    const start = i;
                    while (i < s.len and s[i] >= 0x20 and s[i] < 0x80 and s[i] != '"' and s[i] != '\\') i += 1;
                    b.append(s[start..i]);
                },
                else => {
                    const n = std.unicode.utf8ByteSequenceLength(c) catch return p.fail(i, "invalid UTF-8 in string", .{});
                    if (s.len - i < n) return p.fail(i, "invalid UTF-8 in string", .{});
                    _ = std.unicode.utf8Decode(s[i..][0..n]) catch return p.fail(i, "invalid UTF-8 in string", .{});
                    b.append(s[i..][0..n]);
                    i += n;
                },
            }
        }
    }

    fn array(p: *Parser, depth: usize) ParseError!Json {
        if (depth > max_depth) return p.fail(p.pos, "nesting deeper than {d} levels", .{max_depth});
        p.pos += 1;
        var items = List(Json).empty();
        errdefer rc.release(items);
        p.skipWs();
        if (p.pos < p.src.len and p.src[p.pos] == ']') {
            p.pos += 1;
            return .{ .Array = items };
        }
        while (true) {
            items.pushOwned(try p.value(depth));
            p.skipWs();
            if (p.pos >= p.src.len) return p.fail(p.pos, "expected ',' or ']', found end of input", .{});
            switch (p.src[p.pos]) {
                ',' => p.pos += 1,
                ']' => {
                    p.pos += 1;
                    return .{ .Array = items };
                },
                else => return p.fail(p.pos, "expected ',' or ']', found {s}", .{p.found(p.pos)}),
            }
        }
    }

    fn object(p: *Parser, depth: usize) ParseError!Json {
        if (depth > max_depth) return p.fail(p.pos, "nesting deeper than {d} levels", .{max_depth});
        p.pos += 1;
        var m = Map(Str, Json).empty();
        errdefer rc.release(m);
        p.skipWs();
        if (p.pos < p.src.len and p.src[p.pos] == '}') {
            p.pos += 1;
            return .{ .Object = m };
        }
        while (true) {
            p.skipWs();
            if (p.pos >= p.src.len or p.src[p.pos] != '"')
                return p.fail(p.pos, "expected a string key, found {s}", .{p.found(p.pos)});
            const key = try p.string();
            defer rc.release(key);
            p.skipWs();
            if (p.pos >= p.src.len or p.src[p.pos] != ':')
                return p.fail(p.pos, "expected ':' after an object key, found {s}", .{p.found(p.pos)});
            p.pos += 1;
            const v = try p.value(depth);
            m.insert(key, v);
            rc.release(v);
            p.skipWs();
            if (p.pos >= p.src.len) return p.fail(p.pos, "expected ',' or '}}', found end of input", .{});
            switch (p.src[p.pos]) {
                ',' => p.pos += 1,
                '}' => {
                    p.pos += 1;
                    return .{ .Object = m };
                },
                else => return p.fail(p.pos, "expected ',' or '}}', found {s}", .{p.found(p.pos)}),
            }
        }
    }

    /// 1-based line and column (in characters) of byte offset `at`.
    fn lineCol(p: *const Parser, off: usize) struct { line: usize, col: usize } {
        var line: usize = 1;
        var col: usize = 1;
        for (p.src[0..@min(off, p.src.len)]) |c| {
            if (c == '\n') {
                line += 1;
                col = 1;
            } else if (c & 0xC0 != 0x80) {
                col += 1;
            }
        }
        return .{ .line = line, .col = col };
    }
};

/// Parses a complete JSON document (whitespace around it allowed). Err is a message naming the
/// problem and where it is: `json: expected ',' or '}', found '"' at line 3, column 7`. Backs
/// `json_parse`. The result is owned.
pub fn parse(text: Str) Result(Json, Str) {
    var p = Parser{ .src = text.bytes() };
    const v = p.value(0) catch return .{ .Err = parseError(&p) };
    p.skipWs();
    if (p.pos < p.src.len) {
        rc.release(v);
        _ = p.fail(p.pos, "unexpected {s} after the document", .{p.found(p.pos)}) catch {};
        return .{ .Err = parseError(&p) };
    }
    return .{ .Ok = v };
}

fn parseError(p: *const Parser) Str {
    const lc = p.lineCol(p.err_pos);
    var b = str_mod.Builder.init();
    b.print("json: {s} at line {d}, column {d}", .{ p.msg, lc.line, lc.col });
    return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Serialiser

/// Writes `x` as the shortest round-trip decimal in JavaScript's layout; non-finite as `null`.
pub fn writeNumber(w: anytype, x: f64) !void {
    if (!std.math.isFinite(x)) return w.writeAll("null");
    if (x == 0) return w.writeAll(if (std.math.signbit(x)) "-0" else "0");
    var sci_buf: [64]u8 = undefined;
    const sci = std.fmt.formatFloat(&sci_buf, x, .{ .mode = .scientific }) catch unreachable;
    // sci is "[-]D[.DDD]e[-]X" with the shortest round-trip digits.
    var digits: [32]u8 = undefined;
    var k: usize = 0;
    var i: usize = 0;
    if (sci[0] == '-') {
        try w.writeByte('-');
        i = 1;
    }
    while (sci[i] != 'e') : (i += 1) {
        if (sci[i] == '.') continue;
        digits[k] = sci[i];
        k += 1;
    }
    const e = std.fmt.parseInt(i32, sci[i + 1 ..], 10) catch unreachable;
    const d = digits[0..k];
    const n: i32 = e + 1; // position of the decimal point relative to the digits
    const ki: i32 = @intCast(k);
    if (ki <= n and n <= 21) {
        try w.writeAll(d);
        try w.writeByteNTimes('0', @intCast(n - ki));
    } else if (0 < n and n <= 21) {
        const nu: usize = @intCast(n);
        try w.writeAll(d[0..nu]);
        try w.writeByte('.');
        try w.writeAll(d[nu..]);
    } else if (-6 < n and n <= 0) {
        try w.writeAll("0.");
        try w.writeByteNTimes('0', @intCast(-n));
        try w.writeAll(d);
    } else {
        try w.writeByte(d[0]);
        if (k > 1) {
            try w.writeByte('.');
            try w.writeAll(d[1..]);
        }
        try w.print("e{c}{d}", .{ @as(u8, if (n - 1 < 0) '-' else '+'), @abs(n - 1) });
    }
}

/// Writes `s` as a JSON string literal.
pub fn writeString(w: anytype, s: []const u8) !void {
    try w.writeByte('"');
    var i: usize = 0;
    var run: usize = 0; // start of the pending run of bytes that need no escaping
    while (i < s.len) {
        const c = s[i];
        if (c >= 0x20 and c != '"' and c != '\\' and c < 0x80) {
            i += 1;
            continue;
        }
        if (c >= 0x80) {
            const n = std.unicode.utf8ByteSequenceLength(c) catch 0;
            if (n != 0 and s.len - i >= n) {
                if (std.unicode.utf8Decode(s[i..][0..n])) |_| {
                    i += n;
                    continue;
                } else |_| {}
            }
        }
        try w.writeAll(s[run..i]);
        switch (c) {
            '"' => try w.writeAll("\\\""),
            '\\' => try w.writeAll("\\\\"),
            '\n' => try w.writeAll("\\n"),
            '\r' => try w.writeAll("\\r"),
            '\t' => try w.writeAll("\\t"),
            0x08 => try w.writeAll("\\b"),
            0x0c => try w.writeAll("\\f"),
            0...0x07, 0x0b, 0x0e...0x1f => try w.print("\\u{x:0>4}", .{c}),
            else => try w.writeAll("\\ufffd"), // an invalid UTF-8 byte
        }
        i += 1;
        run = i;
    }
    try w.writeAll(s[run..]);
    try w.writeByte('"');
}

/// Writes `v`; `indent` null means compact, otherwise the number of spaces per level.
fn writeJson(w: anytype, v: Json, indent: ?usize, level: usize) !void {
    switch (v) {
        .Null => try w.writeAll("null"),
        .Bool => |b| try w.writeAll(if (b) "true" else "false"),
        .Number => |x| try writeNumber(w, x),
        .String => |s| try writeString(w, s.bytes()),
        .Array => |l| {
            const items = l.items();
            if (items.len == 0) return w.writeAll("[]");
            try w.writeByte('[');
            for (items, 0..) |e, i| {
                if (i > 0) try w.writeByte(',');
                try newline(w, indent, level + 1);
                try writeJson(w, e, indent, level + 1);
            }
            try newline(w, indent, level);
            try w.writeByte(']');
        },
        .Object => |m| {
            const ks = m.keySlice();
            if (ks.len == 0) return w.writeAll("{}");
            try w.writeByte('{');
            for (ks, m.valueSlice(), 0..) |k, e, i| {
                if (i > 0) try w.writeByte(',');
                try newline(w, indent, level + 1);
                try writeString(w, k.bytes());
                try w.writeAll(if (indent != null) ": " else ":");
                try writeJson(w, e, indent, level + 1);
            }
            try newline(w, indent, level);
            try w.writeByte('}');
        },
    }
}

fn newline(w: anytype, indent: ?usize, level: usize) !void {
    const n = indent orelse return;
    try w.writeByte('\n');
    try w.writeByteNTimes(' ', n * level);
}

/// Compact JSON text (no spaces). Backs `json_stringify`. Owned.
pub fn stringify(v: Json) Str {
    var b = str_mod.Builder.init();
    writeJson(b.writer(), v, null, 0) catch |e| switch (e) {};
    return b.finish();
}

/// JSON text indented by two spaces per level, `"key": value`. Backs `json_pretty`. Owned.
pub fn pretty(v: Json) Str {
    var b = str_mod.Builder.init();
    writeJson(b.writer(), v, 2, 0) catch |e| switch (e) {};
    return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Accessors (results borrowed) and builders (results owned)

/// The member `key` of an object (borrowed); None for a missing key or a non-object.
/// `json_get` (sirs_std.zig) retains it.
pub fn get(v: Json, key: Str) Option(Json) {
    return switch (v) {
        .Object => |m| m.get(key),
        else => .None,
    };
}

/// Element `i` of an array (borrowed); None when out of range or not an array. `json_at`
/// (sirs_std.zig) retains it.
pub fn at(v: Json, i: i64) Option(Json) {
    return switch (v) {
        .Array => |l| if (i >= 0 and i < l.len()) .{ .Some = l.items()[@intCast(i)] } else .None,
        else => .None,
    };
}

/// Number of elements of an array or members of an object; bytes of a string; 0 otherwise.
/// Backs `json_len`.
pub fn len(v: Json) i64 {
    return switch (v) {
        .Array => |l| l.len(),
        .Object => |m| m.len(),
        .String => |s| @intCast(s.len),
        else => 0,
    };
}

/// Whether an object has member `key`. Backs `json_has_key`.
pub fn hasKey(v: Json, key: Str) bool {
    return get(v, key) == .Some;
}

/// The keys of an object in order (owned); empty for other values. Backs `json_keys`.
pub fn keys(v: Json) List(Str) {
    return switch (v) {
        .Object => |m| m.keys(),
        else => List(Str).empty(),
    };
}

/// The number, or None. Backs `json_as_number`.
pub fn asNumber(v: Json) Option(f64) {
    return switch (v) {
        .Number => |x| .{ .Some = x },
        else => .None,
    };
}

/// The string (borrowed), or None. `json_as_string` (sirs_std.zig) retains it.
pub fn asString(v: Json) Option(Str) {
    return switch (v) {
        .String => |s| .{ .Some = s },
        else => .None,
    };
}

/// The boolean, or None. Backs `json_as_bool`.
pub fn asBool(v: Json) Option(bool) {
    return switch (v) {
        .Bool => |b| .{ .Some = b },
        else => .None,
    };
}

/// Whether the value is `null`. Backs `json_is_null`.
pub fn isNull(v: Json) bool {
    return v == .Null;
}

/// `"null"`, `"bool"`, `"number"`, `"string"`, `"array"` or `"object"` (static). Backs
/// `json_kind`.
pub fn kind(v: Json) Str {
    return switch (v) {
        .Null => Str.lit("null"),
        .Bool => Str.lit("bool"),
        .Number => Str.lit("number"),
        .String => Str.lit("string"),
        .Array => Str.lit("array"),
        .Object => Str.lit("object"),
    };
}

/// An empty object (SIRS builds objects with `json_object(members)`, in sirs_std.zig).
pub fn object() Json {
    return .{ .Object = Map(Str, Json).empty() };
}

/// An empty array (SIRS builds arrays with `json_array(items)`, in sirs_std.zig).
pub fn array() Json {
    return .{ .Array = List(Json).empty() };
}

/// A number value. Backs `json_number`.
pub fn fromNumber(x: f64) Json {
    return .{ .Number = x };
}

/// A string value (retains `s`; owned). Backs `json_string`.
pub fn fromString(s: Str) Json {
    rc.retain(s);
    return .{ .String = s };
}

/// A boolean value. Backs `json_bool`.
pub fn fromBool(b: bool) Json {
    return .{ .Bool = b };
}

/// The null value. Backs `json_null`.
pub fn makeNull() Json {
    return .Null;
}

fn wrongKind(comptime op: []const u8, comptime want: []const u8, v: Json) Result(bool, Str) {
    var b = str_mod.Builder.init();
    b.print("json: " ++ op ++ " needs " ++ want ++ ", got {s}", .{kind(v).bytes()});
    return .{ .Err = b.finish() };
}

/// Sets member `key` of the object `obj` to `value` (both retained; a present key keeps its
/// position). Ok(true), or Err when `obj` is not an object. `json_set` (sirs_std.zig) applies
/// it to a copy.
pub fn set(obj: *Json, key: Str, value: Json) Result(bool, Str) {
    switch (obj.*) {
        .Object => |*m| m.insert(key, value),
        else => return wrongKind("set", "an object", obj.*),
    }
    return .{ .Ok = true };
}

/// Appends `value` (retained) to the array `arr`. Ok(true), or Err when `arr` is not an array.
/// `json_push` (sirs_std.zig) applies it to a copy.
pub fn push(arr: *Json, value: Json) Result(bool, Str) {
    switch (arr.*) {
        .Array => |*l| l.push(value),
        else => return wrongKind("push", "an array", arr.*),
    }
    return .{ .Ok = true };
}

// ---------------------------------------------------------------------------------------------
// Tests

const testing = std.testing;
const tl = Str.lit;

fn expectRoundTrip(text: []const u8, compact: []const u8) !void {
    const src = Str.fromSlice(text);
    defer rc.release(src);
    const r = parse(src);
    defer rc.release(r);
    if (r == .Err) {
        std.debug.print("unexpected error: {s}\n", .{r.Err.bytes()});
        return error.TestUnexpectedResult;
    }
    const s = stringify(r.Ok);
    defer rc.release(s);
    try testing.expectEqualStrings(compact, s.bytes());
    // Parsing the output again gives an equal value and the same text.
    const again = parse(s);
    defer rc.release(again);
    try testing.expect(rc.eql(r.Ok, again.Ok));
}

test parse {
    const doc =
        \\{
        \\  "name": "sev",
        \\  "version": 1.5,
        \\  "tags": ["ppl", "zig", ""],
        \\  "nested": {"a": {"b": {"c": [1, [2, [3, null]]]}}},
        \\  "ok": true, "bad": false, "nothing": null
        \\}
    ;
    const r = parse(tl(doc));
    defer rc.release(r);
    const v = r.Ok;
    try testing.expectEqualStrings("sev", asString(get(v, tl("name")).Some).Some.bytes());
    try testing.expectEqual(@as(f64, 1.5), asNumber(get(v, tl("version")).Some).Some);
    const tags = get(v, tl("tags")).Some;
    try testing.expectEqual(@as(i64, 3), len(tags));
    try testing.expectEqualStrings("zig", asString(at(tags, 1).Some).Some.bytes());
    try testing.expect(at(tags, 3) == .None);
    try testing.expect(at(tags, -1) == .None);
    const c = get(get(get(get(v, tl("nested")).Some, tl("a")).Some, tl("b")).Some, tl("c")).Some;
    try testing.expectEqual(@as(f64, 3), asNumber(at(at(at(c, 1).Some, 1).Some, 0).Some).Some);
    try testing.expect(isNull(at(at(at(c, 1).Some, 1).Some, 1).Some));
    try testing.expect(asBool(get(v, tl("ok")).Some).Some);
    try testing.expect(!asBool(get(v, tl("bad")).Some).Some);
    try testing.expect(isNull(get(v, tl("nothing")).Some));
    try testing.expect(get(v, tl("missing")) == .None);
    try testing.expect(hasKey(v, tl("ok")));
    try testing.expect(!hasKey(v, tl("missing")));
    // Insertion order is kept.
    const ks = keys(v);
    defer rc.release(ks);
    const want = [_][]const u8{ "name", "version", "tags", "nested", "ok", "bad", "nothing" };
    for (want, ks.items()) |w, k| try testing.expectEqualStrings(w, k.bytes());
    // Scalars at top level, surrounding whitespace.
    const n = parse(tl(" \n-12.5e2\t"));
    try testing.expectEqual(@as(f64, -1250), n.Ok.Number);
    const s = parse(tl("\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\""));
    defer rc.release(s);
    try testing.expectEqualStrings("a\"b\\c/d\né😀", s.Ok.String.bytes());
    // Duplicate keys: first position, last value.
    const dup = parse(tl("{\"a\":1,\"b\":2,\"a\":3}"));
    defer rc.release(dup);
    try testing.expectEqual(@as(i64, 2), len(dup.Ok));
    try testing.expectEqual(@as(f64, 3), get(dup.Ok, tl("a")).Some.Number);
    const dup_text = stringify(dup.Ok);
    defer rc.release(dup_text);
    try testing.expectEqualStrings("{\"a\":3,\"b\":2}", dup_text.bytes());
}

test "parse rejects invalid documents with line and column" {
    const Case = struct { text: []const u8, msg: []const u8 };
    inline for ([_]Case{
        .{ .text = "", .msg = "expected a value, found end of input at line 1, column 1" },
        .{ .text = "   ", .msg = "expected a value, found end of input at line 1, column 4" },
        .{ .text = "{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3\n}", .msg = "expected ',' or '}', found '\"' at line 4, column 3" },
        .{ .text = "[1, 2,]", .msg = "expected a value, found ']' at line 1, column 7" },
        .{ .text = "{\"a\": 1,}", .msg = "expected a string key, found '}' at line 1, column 9" },
        .{ .text = "{'a': 1}", .msg = "expected a string key, found ''' at line 1, column 2" },
        .{ .text = "{\"a\" 1}", .msg = "expected ':' after an object key, found '1' at line 1, column 6" },
        .{ .text = "[1 2]", .msg = "expected ',' or ']', found '2' at line 1, column 4" },
        .{ .text = "[1, 2", .msg = "expected ',' or ']', found end of input at line 1, column 6" },
        .{ .text = "{\"a\": [1, {\"b\": 2}", .msg = "expected ',' or ']', found end of input at line 1, column 19" },
        .{ .text = "\"abc", .msg = "unterminated string at line 1, column 1" },
        .{ .text = "\"a\\qb\"", .msg = "invalid escape '\\q' at line 1, column 3" },
        .{ .text = "\"\\u12g4\"", .msg = "invalid \\u escape: expected 4 hex digits at line 1, column 4" },
        .{ .text = "\"\\ud83d\"", .msg = "unpaired surrogate \\uD83D at line 1, column 2" },
        .{ .text = "\"\\ude00x\"", .msg = "unpaired surrogate \\uDE00 at line 1, column 2" },
        .{ .text = "\"tab\there\"", .msg = "control character (byte 0x09) in string; escape it at line 1, column 5" },
        .{ .text = "\"bad \xff utf8\"", .msg = "invalid UTF-8 in string at line 1, column 6" },
        .{ .text = "01", .msg = "invalid number: leading zero at line 1, column 1" },
        .{ .text = "1.", .msg = "invalid number: expected a digit after '.', found end of input at line 1, column 3" },
        .{ .text = ".5", .msg = "expected a value, found '.' at line 1, column 1" },
        .{ .text = "-", .msg = "invalid number: expected a digit, found end of input at line 1, column 2" },
        .{ .text = "1e+", .msg = "invalid number: expected a digit in the exponent, found end of input at line 1, column 4" },
        .{ .text = "1e400", .msg = "number out of range for f64 at line 1, column 1" },
        .{ .text = "NaN", .msg = "expected a value, found 'N' at line 1, column 1" },
        .{ .text = "tru", .msg = "invalid literal (expected 'true') at line 1, column 1" },
        .{ .text = "nul", .msg = "invalid literal (expected 'null') at line 1, column 1" },
        .{ .text = "{} {}", .msg = "unexpected '{' after the document at line 1, column 4" },
        .{ .text = "[1] // comment", .msg = "unexpected '/' after the document at line 1, column 5" },
        .{ .text = "[\"é\", x]", .msg = "expected a value, found 'x' at line 1, column 7" },
        .{ .text = "\xef\xbb\xbf{}", .msg = "expected a value, found byte 0xef at line 1, column 1" },
    }) |c| {
        const r = parse(tl(c.text));
        defer rc.release(r);
        if (r == .Ok) {
            std.debug.print("accepted: {s}\n", .{c.text});
            return error.TestUnexpectedResult;
        }
        try testing.expectEqualStrings("json: " ++ c.msg, r.Err.bytes());
    }
}

test "parse limits nesting depth" {
    const gpa = testing.allocator;
    for ([_]usize{ max_depth, max_depth + 1, 100_000 }) |depth| {
        const text = try gpa.alloc(u8, 2 * depth);
        defer gpa.free(text);
        @memset(text[0..depth], '[');
        @memset(text[depth..], ']');
        const s = Str.fromSlice(text);
        defer rc.release(s);
        const r = parse(s);
        defer rc.release(r);
        if (depth <= max_depth) {
            try testing.expectEqual(@as(i64, 1), len(r.Ok));
        } else {
            var want: [128]u8 = undefined;
            try testing.expectEqualStrings(try std.fmt.bufPrint(&want, "json: nesting deeper than 512 levels at line 1, column {d}", .{max_depth + 1}), r.Err.bytes());
        }
    }
    // Objects count too, mixed with arrays.
    var b = str_mod.Builder.init();
    defer b.deinit();
    for (0..300) |_| b.append("{\"k\":[");
    const src = Str.fromSlice(b.written());
    defer rc.release(src);
    const r = parse(src);
    defer rc.release(r);
    try testing.expect(std.mem.startsWith(u8, r.Err.bytes(), "json: nesting deeper than 512 levels"));
}

test writeNumber {
    const Case = struct { x: f64, s: []const u8 };
    // Expected strings are JavaScript's `String(x)` (= JSON.stringify) for these values.
    for ([_]Case{
        .{ .x = 0, .s = "0" },
        .{ .x = -0.0, .s = "-0" },
        .{ .x = 1, .s = "1" },
        .{ .x = -42, .s = "-42" },
        .{ .x = 3.0e15, .s = "3000000000000000" },
        .{ .x = 123456789012345680000, .s = "123456789012345680000" },
        .{ .x = 1e21, .s = "1e+21" },
        .{ .x = 1.5e300, .s = "1.5e+300" },
        .{ .x = 0.1, .s = "0.1" },
        .{ .x = 0.30000000000000004, .s = "0.30000000000000004" },
        .{ .x = 1.5, .s = "1.5" },
        .{ .x = -2.25, .s = "-2.25" },
        .{ .x = 0.000001, .s = "0.000001" },
        .{ .x = 1.5e-7, .s = "1.5e-7" },
        .{ .x = 1e-7, .s = "1e-7" },
        .{ .x = 5e-324, .s = "5e-324" },
        .{ .x = 1.7976931348623157e308, .s = "1.7976931348623157e+308" },
        .{ .x = 123.456, .s = "123.456" },
        .{ .x = 9007199254740993, .s = "9007199254740992" },
        .{ .x = std.math.nan(f64), .s = "null" },
        .{ .x = std.math.inf(f64), .s = "null" },
        .{ .x = -std.math.inf(f64), .s = "null" },
    }) |c| {
        var buf: [64]u8 = undefined;
        var fbs = std.io.fixedBufferStream(&buf);
        try writeNumber(fbs.writer(), c.x);
        try testing.expectEqualStrings(c.s, fbs.getWritten());
        if (std.math.isFinite(c.x)) {
            // Shortest round trip: reading the text back gives the same bits.
            const back = try std.fmt.parseFloat(f64, fbs.getWritten());
            try testing.expectEqual(@as(u64, @bitCast(c.x)), @as(u64, @bitCast(back)));
        }
    }
}

test writeString {
    var buf: [128]u8 = undefined;
    var fbs = std.io.fixedBufferStream(&buf);
    try writeString(fbs.writer(), "q\"b\\s/n\nr\rt\tb\x08f\x0c\x01\x1f\x7fé😀\xffend");
    try testing.expectEqualStrings("\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\x7fé😀\\ufffdend\"", fbs.getWritten());
}

test stringify {
    try expectRoundTrip("{ \"a\" : [1, 2.5, -3e-2, true, false, null], \"b\": {}, \"c\": [], \"d\": \"x\\ty\" }", "{\"a\":[1,2.5,-0.03,true,false,null],\"b\":{},\"c\":[],\"d\":\"x\\ty\"}");
    try expectRoundTrip("[[[[]]], {\"\": {\"\": \"\"}}]", "[[[[]]],{\"\":{\"\":\"\"}}]");
    try expectRoundTrip("\"\\u0000\\u001F\\u00e9\"", "\"\\u0000\\u001fé\"");
    try expectRoundTrip("1E3", "1000");
    try expectRoundTrip("123456789.125", "123456789.125");
    try expectRoundTrip("{\"unicode\": \"日本語 ✓\"}", "{\"unicode\":\"日本語 ✓\"}");
    // Printing a Json value through the runtime's formatter gives compact JSON.
    const r = parse(tl("{\"k\": [1, \"two\"]}"));
    defer rc.release(r);
    const shown = @import("fmt.zig").toStr(r.Ok);
    defer rc.release(shown);
    try testing.expectEqualStrings("{\"k\":[1,\"two\"]}", shown.bytes());
}

test pretty {
    const r = parse(tl("{\"a\":[1,{\"b\":null}],\"e\":{},\"f\":[],\"s\":\"x\"}"));
    defer rc.release(r);
    const p = pretty(r.Ok);
    defer rc.release(p);
    try testing.expectEqualStrings(
        \\{
        \\  "a": [
        \\    1,
        \\    {
        \\      "b": null
        \\    }
        \\  ],
        \\  "e": {},
        \\  "f": [],
        \\  "s": "x"
        \\}
    , p.bytes());
    const scalar = pretty(.{ .Number = 2 });
    defer rc.release(scalar);
    try testing.expectEqualStrings("2", scalar.bytes());
    const back = parse(p);
    defer rc.release(back);
    try testing.expect(rc.eql(r.Ok, back.Ok));
}

test "builders, accessors and value semantics" {
    var doc = object();
    defer rc.release(doc);
    var list = array();
    defer rc.release(list);
    const name = Str.fromSlice("Ada");
    defer rc.release(name);
    const name_json = fromString(name);
    defer rc.release(name_json);
    try testing.expect(push(&list, fromNumber(1)).Ok);
    try testing.expect(push(&list, fromBool(true)).Ok);
    try testing.expect(push(&list, makeNull()).Ok);
    try testing.expect(set(&doc, tl("name"), name_json).Ok);
    try testing.expect(set(&doc, tl("list"), list).Ok);
    try testing.expect(set(&doc, tl("n"), fromNumber(0.5)).Ok);
    // `list` was copied into doc: pushing to it now does not change doc's copy.
    try testing.expect(push(&list, fromNumber(99)).Ok);
    try testing.expectEqual(@as(i64, 4), len(list));
    try testing.expectEqual(@as(i64, 3), len(get(doc, tl("list")).Some));
    // Replacing a member keeps its position.
    try testing.expect(set(&doc, tl("name"), fromNumber(7)).Ok);
    const s = stringify(doc);
    defer rc.release(s);
    try testing.expectEqualStrings("{\"name\":7,\"list\":[1,true,null],\"n\":0.5}", s.bytes());
    try testing.expectEqualStrings("object", kind(doc).bytes());
    try testing.expectEqualStrings("array", kind(list).bytes());
    try testing.expectEqualStrings("string", kind(name_json).bytes());
    try testing.expectEqualStrings("null", kind(.Null).bytes());
    try testing.expectEqualStrings("number", kind(fromNumber(1)).bytes());
    try testing.expectEqualStrings("bool", kind(fromBool(false)).bytes());
    try testing.expectEqual(@as(i64, 3), len(name_json));
    try testing.expectEqual(@as(i64, 0), len(fromNumber(3)));
    try testing.expect(asNumber(name_json) == .None);
    try testing.expect(asString(fromNumber(1)) == .None);
    try testing.expect(asBool(makeNull()) == .None);
    try testing.expect(get(list, tl("x")) == .None);
    try testing.expect(at(doc, 0) == .None);
    const no_keys = keys(list);
    try testing.expectEqual(@as(i64, 0), no_keys.len());
    // Wrong kinds are error values.
    var num = fromNumber(1);
    const e1 = set(&num, tl("k"), makeNull());
    defer rc.release(e1);
    try testing.expectEqualStrings("json: set needs an object, got number", e1.Err.bytes());
    const e2 = push(&doc, makeNull());
    defer rc.release(e2);
    try testing.expectEqualStrings("json: push needs an array, got object", e2.Err.bytes());
}

test "parsed values are independent of the input and leak-free" {
    const text = Str.fromSlice("{\"k\": \"value\", \"arr\": [\"x\", {\"y\": \"z\"}]}");
    const r = parse(text);
    rc.release(text); // the parsed value does not borrow from the text
    defer rc.release(r);
    const arr = get(r.Ok, tl("arr")).Some;
    try testing.expectEqualStrings("z", get(at(arr, 1).Some, tl("y")).Some.String.bytes());
    // Copies share, and releasing one copy leaves the other intact.
    const copy = r.Ok;
    rc.retain(copy);
    rc.release(copy);
    try testing.expectEqualStrings("value", get(r.Ok, tl("k")).Some.String.bytes());
    // Errors part-way through free everything built so far (leak-checked).
    const bad = parse(tl("{\"a\": [\"s\", {\"b\": [1, 2, \"t\"]}], \"c\": ["));
    defer rc.release(bad);
    try testing.expect(bad == .Err);
}
