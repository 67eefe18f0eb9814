//! Run-time support for distributions declared in SIRS (`"distributions"`) and for mixtures.
//!
//! A declared distribution's log density and sampler are SIRS functions compiled with the
//! program; what the runtime adds are the checks around them, with the same conventions as the
//! built-in distributions (`common.zig`): a parameter that violates its declared constraint is
//! `error.InvalidParameter` with a precise message ("lap: b must be > 0, got -1"), a value
//! outside the support has log density -inf (the function is then not called), and a NaN
//! returned by the user's log density is an error rather than a silent NaN. For mixtures:
//! the weights (any non-negative finite numbers, not all zero) are normalised, and a component
//! is drawn by inversion. The callers (`forward.zig`, `modelrt.zig`) turn the errors into a
//! located fault outside a model or a rejected proposal inside one.

const std = @import("std");
const ad = @import("../ad.zig");
const common = @import("common.zig");

const Error = common.Error;
const num = common.num;

/// Bits of the `code` of a parameter check.
pub const check_lower: u8 = 1;
pub const check_upper: u8 = 2;
pub const check_strict: u8 = 4;
pub const check_nan: u8 = 8;

fn valid(v: f64, lo: f64, hi: f64, code: u8) bool {
    if (code & check_nan != 0 and std.math.isNan(v)) return false;
    const strict = code & check_strict != 0;
    if (code & check_lower != 0 and !(if (strict) v > lo else v >= lo)) return false;
    if (code & check_upper != 0 and !(if (strict) v < hi else v <= hi)) return false;
    return true;
}

fn invalid(label: []const u8, index: ?usize, v: f64, lo: f64, hi: f64, code: u8) Error {
    var name_buf: [96]u8 = undefined;
    const name = if (index) |i| std.fmt.bufPrint(&name_buf, "{s}[{d}]", .{ label, i }) catch label else label;
    const strict = code & check_strict != 0;
    const has_lo = code & check_lower != 0;
    const has_hi = code & check_upper != 0;
    if (has_lo and has_hi) {
        const open: []const u8 = if (strict) "(" else "[";
        const close: []const u8 = if (strict) ")" else "]";
        return common.fail("{s} must be in {s}{}, {}{s}, got {}", .{ name, open, num(lo), num(hi), close, num(v) });
    }
    if (has_lo) return common.fail("{s} must be {s} {}, got {}", .{ name, if (strict) ">" else ">=", num(lo), num(v) });
    if (has_hi) return common.fail("{s} must be {s} {}, got {}", .{ name, if (strict) "<" else "<=", num(hi), num(v) });
    return common.fail("{s} must be a number (not NaN), got {}", .{ name, num(v) });
}

/// Checks a declared parameter (a number, an AD scalar, or a slice of them) against its
/// constraint: `code` says which of `lo`/`hi` apply, whether they are strict, and whether NaN is
/// rejected (real parameters). `label` is "distribution: parameter".
pub fn checkParam(x: anytype, lo: f64, hi: f64, comptime code: u8, label: []const u8) Error!void {
    if (comptime ad.isSeq(@TypeOf(x))) {
        for (x, 0..) |e, i| {
            const v = ad.value(e);
            if (!valid(v, lo, hi, code)) return invalid(label, i, v, lo, hi, code);
        }
    } else {
        const v = ad.value(x);
        if (!valid(v, lo, hi, code)) return invalid(label, null, v, lo, hi, code);
    }
}

test "checkParam accepts valid values and words the violated constraint" {
    try checkParam(@as(f64, 2), 0, 0, check_lower | check_strict | check_nan, "lap: b");
    try checkParam(@as(i64, 0), 0, 3, check_lower | check_upper, "d: n");
    try std.testing.expectError(error.InvalidParameter, checkParam(@as(f64, 0), 0, 0, check_lower | check_strict | check_nan, "lap: b"));
    try std.testing.expectEqualStrings("lap: b must be > 0, got 0", common.lastError());
    try std.testing.expectError(error.InvalidParameter, checkParam(std.math.nan(f64), 0, 0, check_nan, "lap: mu"));
    try std.testing.expectEqualStrings("lap: mu must be a number (not NaN), got nan", common.lastError());
    const xs = [_]f64{ 0.5, 1.5, -0.25 };
    try std.testing.expectError(error.InvalidParameter, checkParam(@as([]const f64, &xs), 0, 1, check_lower | check_upper | check_nan, "d: w"));
    try std.testing.expectEqualStrings("d: w[1] must be in [0, 1], got 1.5", common.lastError());
    try std.testing.expectError(error.InvalidParameter, checkParam(@as(i64, 7), 0, 5, check_upper, "d: n"));
    try std.testing.expectEqualStrings("d: n must be <= 5, got 7", common.lastError());
    // an AD scalar is checked by its value
    try checkParam(ad.Dual{ .val = 0.5, .tan = 1 }, 0, 1, check_lower | check_upper | check_strict, "d: p");
}

/// Whether `y` lies in the closed support [lo, hi] (`code`: bit 1 a lower bound applies, bit
/// 2 an upper bound). NaN lies in no bounded support.
pub fn inSupport(y: anytype, lo: anytype, hi: anytype, comptime code: u8) bool {
    const v = ad.value(y);
    if (code & check_lower != 0 and !(v >= ad.value(lo))) return false;
    if (code & check_upper != 0 and !(v <= ad.value(hi))) return false;
    return true;
}

test "inSupport is closed and rejects NaN" {
    try std.testing.expect(inSupport(@as(f64, 0), 0.0, 0.0, check_lower));
    try std.testing.expect(!inSupport(@as(f64, -1e-300), 0.0, 0.0, check_lower));
    try std.testing.expect(inSupport(@as(f64, 1), @as(f64, 0), ad.Var{ .val = 1, .idx = 0 }, check_lower | check_upper));
    try std.testing.expect(!inSupport(@as(f64, 1.5), 0.0, 1.0, check_lower | check_upper));
    try std.testing.expect(!inSupport(std.math.nan(f64), 0.0, 0.0, check_lower));
    try std.testing.expect(inSupport(@as(i64, 3), 0.0, 0.0, check_lower));
    try std.testing.expect(!inSupport(@as(i64, -1), 0.0, 0.0, check_lower));
}

/// Passes a log density through, failing when it is NaN (`label` names the distribution and
/// its function).
pub fn checkDensity(lp: anytype, label: []const u8) Error!@TypeOf(lp) {
    if (std.math.isNan(ad.value(lp))) return common.fail("{s} returned NaN", .{label});
    return lp;
}

test "checkDensity lets -inf through and rejects NaN" {
    try std.testing.expectEqual(-std.math.inf(f64), try checkDensity(-std.math.inf(f64), "d"));
    try std.testing.expectEqual(@as(f64, -1.5), try checkDensity(@as(f64, -1.5), "d"));
    try std.testing.expectError(error.InvalidParameter, checkDensity(std.math.nan(f64), "lap: the log density `f`"));
    try std.testing.expectEqualStrings("lap: the log density `f` returned NaN", common.lastError());
}

/// Checks mixture weights (k of them, each finite and non-negative, not all zero) and returns
/// their sum.
pub fn checkWeights(w: anytype, k: usize) Error!f64 {
    if (w.len != k) return common.fail("mixture: {d} weights for {d} components", .{ w.len, k });
    var total: f64 = 0;
    for (w, 0..) |e, i| {
        const v = ad.value(e);
        if (!(v >= 0 and v < std.math.inf(f64))) return common.fail("mixture: weights[{d}] must be non-negative and finite, got {}", .{ i, num(v) });
        total += v;
    }
    if (!(total > 0)) return common.fail("mixture: the weights must not all be zero", .{});
    return total;
}

test "checkWeights" {
    const w = [_]f64{ 1, 3 };
    try std.testing.expectEqual(@as(f64, 4), try checkWeights(@as([]const f64, &w), 2));
    try std.testing.expectError(error.InvalidParameter, checkWeights(@as([]const f64, &w), 3));
    try std.testing.expectEqualStrings("mixture: 2 weights for 3 components", common.lastError());
    const bad = [_]f64{ 0.5, -0.1 };
    try std.testing.expectError(error.InvalidParameter, checkWeights(@as([]const f64, &bad), 2));
    try std.testing.expectEqualStrings("mixture: weights[1] must be non-negative and finite, got -0.1", common.lastError());
    const zero = [_]f64{ 0, 0 };
    try std.testing.expectError(error.InvalidParameter, checkWeights(@as([]const f64, &zero), 2));
}

/// log(w_i / Σw) for each weight, written to `out`, in AD mode `R` (`R.Real` is the weights'
/// element type, so the result is differentiable in the weights when they are parameters).
pub fn logWeights(comptime R: type, w: []const R.Real, out: []R.Real) void {
    const log_total = R.log(R.sum(w));
    for (w, out) |x, *o| o.* = R.sub(R.log(x), log_total);
}

test "logWeights normalises on the log scale" {
    const w = [_]f64{ 1, 3 };
    var out: [2]f64 = undefined;
    logWeights(ad.F64, &w, &out);
    try std.testing.expectApproxEqAbs(@log(0.25), out[0], 1e-15);
    try std.testing.expectApproxEqAbs(@log(0.75), out[1], 1e-15);
    // derivative of log(w0 / (w0 + w1)) in w0 is 1/w0 - 1/(w0 + w1) = 0.75
    const d = [_]ad.Dual{ .{ .val = 1, .tan = 1 }, .{ .val = 3, .tan = 0 } };
    var dout: [2]ad.Dual = undefined;
    logWeights(ad.Fwd, &d, &dout);
    try std.testing.expectApproxEqAbs(@as(f64, 0.75), dout[0].tan, 1e-15);
    try std.testing.expectApproxEqAbs(@as(f64, -0.25), dout[1].tan, 1e-15);
}

/// Draws a component index with probability w_i / Σw (inversion of the cumulative weights).
pub fn pickComponent(rng: std.Random, w: []const f64, k: usize) Error!i64 {
    const total = try checkWeights(w, k);
    const u = rng.float(f64) * total;
    var acc: f64 = 0;
    var last: usize = 0;
    for (w, 0..) |x, i| {
        if (x <= 0) continue;
        last = i;
        acc += x;
        if (u < acc) return @intCast(i);
    }
    return @intCast(last);
}

test "pickComponent frequencies follow the weights" {
    var prng = std.Random.DefaultPrng.init(42);
    const w = [_]f64{ 1, 0, 3 };
    var counts = [_]usize{ 0, 0, 0 };
    const n = 40000;
    for (0..n) |_| counts[@intCast(try pickComponent(prng.random(), &w, 3))] += 1;
    try std.testing.expectEqual(@as(usize, 0), counts[1]);
    // P(0) = 0.25; sd of the frequency sqrt(0.25 * 0.75 / n) = 0.00217; 4 sd
    const p0 = @as(f64, @floatFromInt(counts[0])) / n;
    try std.testing.expect(@abs(p0 - 0.25) < 4 * 0.00217);
    try std.testing.expectError(error.InvalidParameter, pickComponent(prng.random(), &w, 2));
}
