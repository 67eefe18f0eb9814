//! Text formatting of values. Floats print like Python's `repr`: the shortest decimal that
//! reads back to the same value (Zig's Ryu implementation supplies the digits), laid out in
//! fixed notation when the decimal exponent is in [-4, 16) and in exponent notation otherwise,
//! with `.0` appended to integral fixed values:
//!
//!     55.0   0.1   0.0001   1e-05   1e+16   1.5e+300   -0.0   nan   inf   -inf
//!
//! f32 values use the shortest digits that round-trip *as f32* (f32 0.1 prints `0.1`, f32 1/3
//! prints `0.33333334`) with the same layout. `writeValue`/`toStr` render any runtime value
//! (lists, maps, options, generated structs) for messages and string conversion.

const std = @import("std");
const str_mod = @import("str.zig");

const Str = str_mod.Str;

/// A buffer of this many bytes holds any formatted f64 or f32
/// (the longest is like `-2.2250738585072014e-308`, 24 bytes).
pub const float_buf_len = 32;

/// Formats an f64 or f32 (or comptime float, treated as f64) into `buf`, Python-repr style.
pub fn formatFloat(buf: *[float_buf_len]u8, x: anytype) []const u8 {
    const F = if (@TypeOf(x) == comptime_float) f64 else @TypeOf(x);
    const v: F = x;
    if (std.math.isNan(v)) return copyInto(buf, "nan");
    if (std.math.isInf(v)) return copyInto(buf, if (v < 0) "-inf" else "inf");

    // Ryu in scientific mode gives "[-]D[.DDD]e[-]X" with the shortest round-trip digits.
    var sci_buf: [64]u8 = undefined;
    const sci = std.fmt.formatFloat(&sci_buf, v, .{ .mode = .scientific }) catch unreachable;
    var digits_buf: [32]u8 = undefined;
    var n_digits: usize = 0;
    var i: usize = 0;
    const negative = sci[0] == '-';
    if (negative) i = 1;
    while (sci[i] != 'e') : (i += 1) {
        if (sci[i] == '.') continue;
        digits_buf[n_digits] = sci[i];
        n_digits += 1;
    }
    const exp = std.fmt.parseInt(i32, sci[i + 1 ..], 10) catch unreachable;
    return layout(buf, negative, digits_buf[0..n_digits], exp);
}

fn copyInto(buf: *[float_buf_len]u8, s: []const u8) []const u8 {
    @memcpy(buf[0..s.len], s);
    return buf[0..s.len];
}

/// Lays out significant digits `d1 d2 ...` meaning `d1.d2... * 10^exp` the way Python's repr
/// does (`float_repr_style == 'short'`): exponent form when exp < -4 or exp >= 16.
fn layout(buf: *[float_buf_len]u8, negative: bool, digits: []const u8, exp: i32) []const u8 {
    var w = std.io.fixedBufferStream(buf);
    const out = w.writer();
    if (negative) out.writeByte('-') catch unreachable;
    const n: i32 = @intCast(digits.len);
    if (exp < -4 or exp >= 16) {
        out.writeByte(digits[0]) catch unreachable;
        if (digits.len > 1) {
            out.writeByte('.') catch unreachable;
            out.writeAll(digits[1..]) catch unreachable;
        }
        const sign: u8 = if (exp < 0) '-' else '+';
        out.print("e{c}{d:0>2}", .{ sign, @abs(exp) }) catch unreachable;
    } else if (exp < 0) {
        out.writeAll("0.") catch unreachable;
        out.writeByteNTimes('0', @intCast(-exp - 1)) catch unreachable;
        out.writeAll(digits) catch unreachable;
    } else if (exp + 1 >= n) {
        out.writeAll(digits) catch unreachable;
        out.writeByteNTimes('0', @intCast(exp + 1 - n)) catch unreachable;
        out.writeAll(".0") catch unreachable;
    } else {
        const point: usize = @intCast(exp + 1);
        out.writeAll(digits[0..point]) catch unreachable;
        out.writeByte('.') catch unreachable;
        out.writeAll(digits[point..]) catch unreachable;
    }
    return w.getWritten();
}

test formatFloat {
    // Expected strings are Python 3.11 `repr(x)` of the same double.
    const cases = [_]struct { f64, []const u8 }{
        .{ 0.0, "0.0" },
        .{ -0.0, "-0.0" },
        .{ 1.0, "1.0" },
        .{ 55.0, "55.0" },
        .{ 0.1, "0.1" },
        .{ @as(f64, 0.1) + @as(f64, 0.2), "0.30000000000000004" },
        .{ 1e16, "1e+16" },
        .{ 1e-5, "1e-05" },
        .{ 1e-4, "0.0001" },
        .{ 1.5e300, "1.5e+300" },
        .{ 9999999999999998.0, "9999999999999998.0" },
        .{ 123456789012345678.0, "1.2345678901234568e+17" },
        .{ 2.5e-7, "2.5e-07" },
        .{ @as(f64, 1.0) / @as(f64, 3.0), "0.3333333333333333" },
        .{ @as(f64, 2.0) / @as(f64, 3.0), "0.6666666666666666" },
        .{ @as(f64, 100.0) / @as(f64, 7.0), "14.285714285714286" },
        .{ -1e22, "-1e+22" },
        .{ 1e23, "1e+23" },
        .{ 5e-324, "5e-324" },
        .{ 1.5e-323, "1.5e-323" },
        .{ 1.7976931348623157e308, "1.7976931348623157e+308" },
        .{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
        .{ 100.0, "100.0" },
        .{ 1234.5, "1234.5" },
        .{ 0.001, "0.001" },
        .{ 3.14159, "3.14159" },
        .{ 1e15, "1000000000000000.0" },
        .{ 1e17, "1e+17" },
        .{ 12345678901234567890.0, "1.2345678901234567e+19" },
        .{ 0.3, "0.3" },
        .{ 9007199254740992.0, "9007199254740992.0" },
        .{ 9223372036854775808.0, "9.223372036854776e+18" },
        .{ -123.456, "-123.456" },
        .{ 1e-7, "1e-07" },
        .{ 6.02214076e23, "6.02214076e+23" },
        .{ 0.00012345, "0.00012345" },
        .{ -1.5e-10, "-1.5e-10" },
        .{ 7e22, "7e+22" },
        .{ std.math.nan(f64), "nan" },
        .{ std.math.inf(f64), "inf" },
        .{ -std.math.inf(f64), "-inf" },
    };
    var buf: [float_buf_len]u8 = undefined;
    for (cases) |c| try std.testing.expectEqualStrings(c[1], formatFloat(&buf, c[0]));
}

test "formatFloat f32 uses f32 shortest digits" {
    // Expected digits are numpy's float32 shortest repr, laid out by the rule above.
    const cases = [_]struct { f32, []const u8 }{
        .{ 0.1, "0.1" },
        .{ @as(f32, 1.0) / @as(f32, 3.0), "0.33333334" },
        .{ 16777216.0, "16777216.0" },
        .{ 1e10, "10000000000.0" },
        .{ 3.4028235e38, "3.4028235e+38" },
        .{ 1e-5, "1e-05" },
        .{ 2.5, "2.5" },
        .{ 1e16, "1e+16" },
        .{ 1.17549435e-38, "1.1754944e-38" },
        .{ 1e-45, "1e-45" },
        .{ 123456.79, "123456.79" },
        .{ -0.0, "-0.0" },
    };
    var buf: [float_buf_len]u8 = undefined;
    for (cases) |c| try std.testing.expectEqualStrings(c[1], formatFloat(&buf, c[0]));
}

/// A `std.fmt` formatter printing a float in the repr style: `print("{}", .{fmt.float(x)})`.
pub fn float(x: anytype) Float(if (@TypeOf(x) == comptime_float) f64 else @TypeOf(x)) {
    return .{ .value = x };
}

/// The type returned by `float`.
pub fn Float(comptime F: type) type {
    return struct {
        value: F,
        pub fn format(self: @This(), comptime _: []const u8, _: std.fmt.FormatOptions, writer: anytype) !void {
            var buf: [float_buf_len]u8 = undefined;
            try writer.writeAll(formatFloat(&buf, self.value));
        }
    };
}

test float {
    var buf: [64]u8 = undefined;
    const s = try std.fmt.bufPrint(&buf, "[{}] [{}]", .{ float(@as(f64, 2.0)), float(@as(f32, 1e-7)) });
    try std.testing.expectEqualStrings("[2.0] [1e-07]", s);
}

/// Writes any runtime value as text. Strings are written raw at the top level and quoted (JSON
/// escapes) inside containers; lists are `[1, 2]`, maps `{"a": 1}`, sets `{1, 2}`, options
/// `Some(1)` / `None`, results `Ok(1)` / `Err("x")`, structs `Point { x: 1, y: 2 }`, enums
/// and payload-free variants by name, tagged unions `Circle(1.5)`.
pub fn writeValue(w: anytype, x: anytype) !void {
    try writeValueNested(w, x, false);
}

/// `writeValue` with control over string quoting; containers call this with `nested = true`.
pub fn writeValueNested(w: anytype, x: anytype, nested: bool) !void {
    const T = @TypeOf(x);
    switch (@typeInfo(T)) {
        .int, .comptime_int => try w.print("{d}", .{x}),
        .float, .comptime_float => try w.print("{}", .{float(x)}),
        .bool => try w.writeAll(if (x) "true" else "false"),
        .void => try w.writeAll("()"),
        .optional => if (x) |p| try writeValueNested(w, p, nested) else try w.writeAll("null"),
        .@"enum" => try w.writeAll(@tagName(x)),
        .array => {
            try w.writeByte('[');
            for (x, 0..) |e, i| {
                if (i > 0) try w.writeAll(", ");
                try writeValueNested(w, e, true);
            }
            try w.writeByte(']');
        },
        .@"struct" => |info| {
            if (@hasDecl(T, "sevWrite")) return x.sevWrite(w, nested);
            if (info.is_tuple) {
                try w.writeByte('(');
                inline for (info.fields, 0..) |f, i| {
                    if (i > 0) try w.writeAll(", ");
                    try writeValueNested(w, @field(x, f.name), true);
                }
                return w.writeByte(')');
            }
            try w.writeAll(shortTypeName(T));
            try w.writeAll(" {");
            inline for (info.fields, 0..) |f, i| {
                try w.writeAll(if (i > 0) ", " else " ");
                try w.writeAll(f.name ++ ": ");
                try writeValueNested(w, @field(x, f.name), true);
            }
            try w.writeAll(if (info.fields.len > 0) " }" else "}");
        },
        .@"union" => |info| {
            if (@hasDecl(T, "sevWrite")) return x.sevWrite(w, nested);
            if (info.tag_type == null) @compileError("cannot format untagged union " ++ @typeName(T));
            switch (x) {
                inline else => |payload, tag| {
                    try w.writeAll(@tagName(tag));
                    if (@TypeOf(payload) != void) {
                        try w.writeByte('(');
                        try writeValueNested(w, payload, true);
                        try w.writeByte(')');
                    }
                },
            }
        },
        else => @compileError("cannot format a value of type " ++ @typeName(T)),
    }
}

/// The last component of a type name (`demo.Point` -> `Point`), without generic arguments.
fn shortTypeName(comptime T: type) []const u8 {
    const full = @typeName(T);
    const generic_start = std.mem.indexOfScalar(u8, full, '(') orelse full.len;
    const dot = std.mem.lastIndexOfScalar(u8, full[0..generic_start], '.');
    return if (dot) |d| full[d + 1 ..] else full;
}

test writeValue {
    const Point = struct { x: i64, y: f64 };
    const Shape = union(enum) { Circle: f64, Empty };
    const Color = enum { Red, Green };
    var buf: [256]u8 = undefined;
    var s = std.io.fixedBufferStream(&buf);
    try writeValue(s.writer(), Point{ .x = 1, .y = 2.5 });
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), Shape{ .Circle = 1.5 });
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), Shape.Empty);
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), Color.Green);
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), .{ @as(i32, 1), true });
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), [2]f64{ 0.5, 1e20 });
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), Str.lit("top"));
    try s.writer().writeAll(" | ");
    try writeValue(s.writer(), .{Str.lit("a\"b")});
    try std.testing.expectEqualStrings(
        "Point { x: 1, y: 2.5 } | Circle(1.5) | Empty | Green | (1, true) | [0.5, 1e+20] | top | (\"a\\\"b\")",
        s.getWritten(),
    );
}

/// Writes `bytes` as a double-quoted string with JSON escapes.
pub fn writeQuoted(w: anytype, bytes: []const u8) !void {
    try w.writeByte('"');
    for (bytes) |c| switch (c) {
        '"' => try w.writeAll("\\\""),
        '\\' => try w.writeAll("\\\\"),
        '\n' => try w.writeAll("\\n"),
        '\r' => try w.writeAll("\\r"),
        '\t' => try w.writeAll("\\t"),
        0...8, 11, 12, 14...0x1f, 0x7f => try w.print("\\u{x:0>4}", .{c}),
        else => try w.writeByte(c),
    };
    try w.writeByte('"');
}

test writeQuoted {
    var buf: [64]u8 = undefined;
    var s = std.io.fixedBufferStream(&buf);
    try writeQuoted(s.writer(), "a\"\\\n\x01é");
    try std.testing.expectEqualStrings("\"a\\\"\\\\\\n\\u0001é\"", s.getWritten());
}

/// Converts any value to an owned Str using `writeValue` (a Str converts to itself, retained).
pub fn toStr(x: anytype) Str {
    if (@TypeOf(x) == Str) {
        x.sevRetain();
        return x;
    }
    switch (@typeInfo(@TypeOf(x))) {
        // A number or bool fits a small stack buffer: the result is then the only allocation
        // (the growing builder costs several, a quarter of a CSV printer's time).
        .int, .comptime_int, .float, .comptime_float, .bool => {
            var buf: [64]u8 = undefined;
            var stream = std.io.fixedBufferStream(&buf);
            if (writeValue(stream.writer(), x)) |_| return Str.fromSlice(stream.getWritten()) else |_| {}
        },
        else => {},
    }
    var b = str_mod.Builder.init();
    writeValue(b.writer(), x) catch |e| switch (e) {};
    return b.finish();
}

test toStr {
    const a = toStr(@as(f64, 0.5));
    defer a.sevRelease();
    try std.testing.expectEqualStrings("0.5", a.bytes());
    const b = toStr(Str.lit("same"));
    defer b.sevRelease();
    try std.testing.expectEqualStrings("same", b.bytes());
    const big = toStr(@as(f64, -2.2250738585072014e-308));
    defer big.sevRelease();
    try std.testing.expectEqualStrings("-2.2250738585072014e-308", big.bytes());
    const wide = toStr(@as(i128, std.math.minInt(i128)));
    defer wide.sevRelease();
    try std.testing.expectEqualStrings("-170141183460469231731687303715884105728", wide.bytes());
    const c = toStr(@as(?i32, null));
    defer c.sevRelease();
    try std.testing.expectEqualStrings("null", c.bytes());
}
