//! Number formatting for the sampler's outputs (CSV draws, summary tables, CSV comments).
//!
//! Zig's `{}`/`{e}` print `1e0` and `{d}` prints 1e-300 as three hundred digits, neither of which
//! suits a CSV that other tools read. This module takes the shortest round-trip digits from
//! `std.fmt.formatFloat` (Ryu) and lays them out itself: plain decimal notation for moderate
//! exponents (`0.25`, `-3`, `12345.5`), scientific notation with a signed two-digit exponent
//! otherwise (`1e-05`, `2.5e+20`), and `nan`/`inf`/`-inf` for non-finite values. `formatShortest`
//! always reads back (with `std.fmt.parseFloat`, numpy, pandas) to the identical `f64`.
//! `formatSig` rounds to a number of significant digits for human-readable tables.

const std = @import("std");

/// Large enough for any output of this module (sign, 17 digits, point, up to 16 padding zeros,
/// exponent).
pub const max_len = 48;

/// Writes the shortest decimal representation of `x` that parses back to exactly `x`.
/// Integral values print without a fraction (`3`, `-0`), like CmdStan.
pub fn formatShortest(buf: *[max_len]u8, x: f64) []const u8 {
    if (special(x)) |s| return s;
    var sci: [64]u8 = undefined;
    const s = std.fmt.formatFloat(&sci, x, .{ .mode = .scientific }) catch unreachable;
    return layout(buf, s);
}

/// Writes `x` rounded to `sig` significant digits (1..17), trailing zeros removed; decimal
/// notation when the decimal exponent is in [-4, sig + 2), scientific otherwise.
pub fn formatSig(buf: *[max_len]u8, x: f64, sig: u8) []const u8 {
    if (special(x)) |s| return s;
    std.debug.assert(sig >= 1 and sig <= 17);
    var sci: [64]u8 = undefined;
    const s = std.fmt.formatFloat(&sci, x, .{ .mode = .scientific, .precision = sig - 1 }) catch unreachable;
    return layoutLimit(buf, s, @as(i32, sig) + 2);
}

/// Writes `x` as parameter messages show it ("sigma must be positive, got -1"): std's shortest
/// round-trip digits in plain decimal for 0 and magnitudes in [1e-4, 1e15), std's `{e}` form
/// otherwise, `nan`/`inf`/`-inf` for non-finite values. A model object calls this through the
/// sampler's `sev_format_message_number` export, so that it does not compile the float
/// formatter itself (about 0.3 s of every model's build).
pub fn formatMessage(buf: *[max_len]u8, x: f64) []const u8 {
    if (special(x)) |s| return s;
    var fbs = std.io.fixedBufferStream(buf);
    const a = @abs(x);
    if (x == 0 or (a >= 1e-4 and a < 1e15)) {
        fbs.writer().print("{d}", .{x}) catch {};
    } else {
        fbs.writer().print("{e}", .{x}) catch {};
    }
    return fbs.getWritten();
}

test formatMessage {
    var buf: [max_len]u8 = undefined;
    try std.testing.expectEqualStrings("-1", formatMessage(&buf, -1));
    try std.testing.expectEqualStrings("0.25", formatMessage(&buf, 0.25));
    try std.testing.expectEqualStrings("1e300", formatMessage(&buf, 1e300));
    try std.testing.expectEqualStrings("-1.5e-300", formatMessage(&buf, -1.5e-300));
    try std.testing.expectEqualStrings("0.00012345678901234567", formatMessage(&buf, 0.00012345678901234567));
    try std.testing.expectEqualStrings("-inf", formatMessage(&buf, -std.math.inf(f64)));
}

/// `x` in plain decimal like `{d}` (shortest round trip) or `{d:.N}` (`decimals` digits after
/// the point); `nan`, `inf`, `-inf` for non-finite values. `buf` must be long enough for the
/// digits (64 bytes covers magnitudes below 1e40 with 17 decimals); "?" if it is not.
pub fn formatDecimal(buf: []u8, x: f64, decimals: ?usize) []const u8 {
    if (special(x)) |s| return s;
    return std.fmt.formatFloat(buf, x, .{ .mode = .decimal, .precision = decimals }) catch "?";
}

test formatDecimal {
    var buf: [64]u8 = undefined;
    try std.testing.expectEqualStrings("0.1235", formatDecimal(&buf, 0.123456, 4));
    try std.testing.expectEqualStrings("0.9", formatDecimal(&buf, 0.9, null));
    try std.testing.expectEqualStrings("-2.0000", formatDecimal(&buf, -2, 4));
    try std.testing.expectEqualStrings("nan", formatDecimal(&buf, std.math.nan(f64), 4));
}

fn special(x: f64) ?[]const u8 {
    if (std.math.isNan(x)) return "nan";
    if (std.math.isInf(x)) return if (x > 0) "inf" else "-inf";
    return null;
}

fn layout(buf: *[max_len]u8, sci: []const u8) []const u8 {
    return layoutLimit(buf, sci, 16);
}

/// `sci` is std's scientific form: `[-]D[.DDD]e[-]X`. Decimal notation is used when the
/// exponent lies in [-4, upper) (Python's `repr` rule for upper = 16).
fn layoutLimit(buf: *[max_len]u8, sci: []const u8, upper: i32) []const u8 {
    var i: usize = 0;
    var neg = false;
    if (sci[0] == '-') {
        neg = true;
        i = 1;
    }
    var digits: [20]u8 = undefined;
    var nd: usize = 0;
    while (i < sci.len and sci[i] != 'e') : (i += 1) {
        if (sci[i] != '.') {
            digits[nd] = sci[i];
            nd += 1;
        }
    }
    const exp = std.fmt.parseInt(i32, sci[i + 1 ..], 10) catch unreachable;
    while (nd > 1 and digits[nd - 1] == '0') nd -= 1; // strip trailing zeros
    var w: usize = 0;
    if (neg) {
        buf[0] = '-';
        w = 1;
    }
    if (nd == 1 and digits[0] == '0') { // zero
        buf[w] = '0';
        return buf[0 .. w + 1];
    }
    if (exp >= -4 and exp < upper) {
        if (exp < 0) {
            buf[w] = '0';
            buf[w + 1] = '.';
            w += 2;
            var z: i32 = -1;
            while (z > exp) : (z -= 1) {
                buf[w] = '0';
                w += 1;
            }
            @memcpy(buf[w .. w + nd], digits[0..nd]);
            w += nd;
        } else {
            const int_digits: usize = @intCast(exp + 1);
            if (nd <= int_digits) {
                @memcpy(buf[w .. w + nd], digits[0..nd]);
                w += nd;
                @memset(buf[w .. w + (int_digits - nd)], '0');
                w += int_digits - nd;
            } else {
                @memcpy(buf[w .. w + int_digits], digits[0..int_digits]);
                w += int_digits;
                buf[w] = '.';
                w += 1;
                @memcpy(buf[w .. w + (nd - int_digits)], digits[int_digits..nd]);
                w += nd - int_digits;
            }
        }
        return buf[0..w];
    }
    buf[w] = digits[0];
    w += 1;
    if (nd > 1) {
        buf[w] = '.';
        w += 1;
        @memcpy(buf[w .. w + nd - 1], digits[1..nd]);
        w += nd - 1;
    }
    buf[w] = 'e';
    buf[w + 1] = if (exp < 0) '-' else '+';
    w += 2;
    const ae: u32 = @abs(exp);
    if (ae < 10) {
        buf[w] = '0';
        w += 1;
    }
    const es = std.fmt.bufPrint(buf[w..], "{d}", .{ae}) catch unreachable;
    w += es.len;
    return buf[0..w];
}

/// Writes `x` with `formatShortest` to `writer`.
pub fn writeShortest(writer: anytype, x: f64) !void {
    var buf: [max_len]u8 = undefined;
    try writer.writeAll(formatShortest(&buf, x));
}

test "formatShortest lays out shortest round-trip digits" {
    var buf: [max_len]u8 = undefined;
    const cases = [_]struct { x: f64, s: []const u8 }{
        .{ .x = 0, .s = "0" },
        .{ .x = -0.0, .s = "-0" },
        .{ .x = 1, .s = "1" },
        .{ .x = -3, .s = "-3" },
        .{ .x = 0.1, .s = "0.1" },
        .{ .x = 0.25, .s = "0.25" },
        .{ .x = 12345.5, .s = "12345.5" },
        .{ .x = 100, .s = "100" },
        .{ .x = 1e15, .s = "1000000000000000" },
        .{ .x = 1e16, .s = "1e+16" },
        .{ .x = 1.5e-5, .s = "1.5e-05" },
        .{ .x = 0.00015, .s = "0.00015" },
        .{ .x = 1e-6, .s = "1e-06" },
        .{ .x = 1e-300, .s = "1e-300" },
        .{ .x = -2.5e+20, .s = "-2.5e+20" },
        .{ .x = 0.30000000000000004, .s = "0.30000000000000004" },
        .{ .x = std.math.nan(f64), .s = "nan" },
        .{ .x = std.math.inf(f64), .s = "inf" },
        .{ .x = -std.math.inf(f64), .s = "-inf" },
        .{ .x = 5e-324, .s = "5e-324" },
        .{ .x = std.math.floatMax(f64), .s = "1.7976931348623157e+308" },
    };
    for (cases) |c| try std.testing.expectEqualStrings(c.s, formatShortest(&buf, c.x));
}

test "formatShortest round-trips random doubles" {
    var prng = std.Random.DefaultPrng.init(7);
    const r = prng.random();
    var buf: [max_len]u8 = undefined;
    for (0..20000) |k| {
        const bits = r.int(u64);
        var x: f64 = @bitCast(bits);
        if (!std.math.isFinite(x)) continue;
        if (k % 3 == 0) x = (r.float(f64) - 0.5) * 1000; // moderate values too
        const s = formatShortest(&buf, x);
        const y = try std.fmt.parseFloat(f64, s);
        try std.testing.expectEqual(@as(u64, @bitCast(x)), @as(u64, @bitCast(y)));
    }
}

test "formatSig rounds to significant digits" {
    var buf: [max_len]u8 = undefined;
    try std.testing.expectEqualStrings("4.412", formatSig(&buf, 4.41234, 4));
    try std.testing.expectEqualStrings("-4.4", formatSig(&buf, -4.40001, 4));
    try std.testing.expectEqualStrings("12350", formatSig(&buf, 12345.678, 4));
    try std.testing.expectEqualStrings("1.235e+06", formatSig(&buf, 1234567.0, 4));
    try std.testing.expectEqualStrings("0.0001234", formatSig(&buf, 0.00012344, 4));
    try std.testing.expectEqualStrings("1e-07", formatSig(&buf, 1e-7, 3));
    try std.testing.expectEqualStrings("0", formatSig(&buf, 0, 3));
    try std.testing.expectEqualStrings("nan", formatSig(&buf, std.math.nan(f64), 3));
}

test "writeShortest writes to a writer" {
    var list = std.ArrayList(u8).init(std.testing.allocator);
    defer list.deinit();
    try writeShortest(list.writer(), 2.5e-7);
    try std.testing.expectEqualStrings("2.5e-07", list.items);
}
