//! Test helpers for the distributions: gradient checks (forward mode against finite
//! differences of the F64 evaluation, reverse mode against forward mode, at given points),
//! reference-value checks, and a Kolmogorov-Smirnov check of samplers against their CDF.
//! Used only from test blocks.

const std = @import("std");
const ad = @import("../ad.zig");
const F64 = ad.F64;
const Fwd = ad.Fwd;
const Rev = ad.Rev;

/// Set by tests that expect a check to fail, to keep the failure report off stderr.
pub var quiet = false;

fn report(comptime fmt: []const u8, args: anytype) void {
    if (!quiet) std.debug.print(fmt, args);
}

pub fn expectRel(expected: f64, actual: f64, tol: f64) !void {
    if (expected == actual) return;
    const err = @abs(actual - expected) / @max(@abs(expected), 1e-300);
    if (!(err <= tol)) {
        report("expected {e}, got {e} (rel err {e} > {e})\n", .{ expected, actual, err, tol });
        return error.TestExpectedApproxEqRel;
    }
}

pub fn expectClose(expected: f64, actual: f64, rtol: f64, atol: f64) !void {
    if (expected == actual) return;
    const err = @abs(expected - actual);
    if (!(err <= atol + rtol * @abs(expected))) {
        report("expected {e}, got {e} (err {e})\n", .{ expected, actual, err });
        return error.TestExpectedApproxEq;
    }
}

/// F must declare `const n: usize` and `fn eval(comptime S: type, x: [n]S.Real) !S.Real`.
/// At each point: Fwd derivative j matches a 4th-order central difference of the F64 value
/// (relative 1e-6, absolute 1e-8: the stencil's truncation error with h = 1e-4 |x| is ~1e-10),
/// Rev gradient matches Fwd to 1e-12, and all three modes give the same value.
pub fn checkGradients(comptime F: type, points: []const [F.n]f64) !void {
    defer Rev.deinit();
    for (points) |p| {
        const v = try F.eval(F64, p);
        var fwd: [F.n]f64 = undefined;
        for (0..F.n) |j| {
            var d: [F.n]ad.Dual = undefined;
            for (0..F.n) |i| d[i] = Fwd.dual(p[i], if (i == j) 1 else 0);
            const r = try F.eval(Fwd, d);
            try expectClose(v, r.val, 1e-15, 0);
            fwd[j] = r.tan;
            const h = 1e-4 * @max(0.05, @abs(p[j]));
            var q = p;
            var s: f64 = 0;
            const ws = [_]f64{ 1, -8, 8, -1 };
            const hs = [_]f64{ -2, -1, 1, 2 };
            for (ws, hs) |w, hh| {
                q[j] = p[j] + hh * h;
                s += w * try F.eval(F64, q);
            }
            const fd = s / (12 * h);
            expectClose(fd, r.tan, 1e-6, 1e-8) catch |e| {
                report("derivative {d} at {any}: finite difference {e}, forward {e}\n", .{ j, p, fd, r.tan });
                return e;
            };
        }
        Rev.reset();
        var vs: [F.n]ad.Var = undefined;
        for (0..F.n) |i| vs[i] = Rev.independent(p[i]);
        const out = try F.eval(Rev, vs);
        try expectClose(v, out.val, 1e-15, 0);
        var g: [F.n]f64 = undefined;
        Rev.gradient(out, &vs, &g);
        for (0..F.n) |j| {
            expectClose(fwd[j], g[j], 1e-12, 1e-300) catch |e| {
                report("reverse derivative {d} at {any}\n", .{ j, p });
                return e;
            };
        }
    }
}

/// Kolmogorov-Smirnov check: the sup distance between the empirical CDF of `xs` (sorted in
/// place) and `cdf` is below 1.95 / sqrt(n) (the 0.1% critical value), fixed seeds.
pub fn expectKs(xs: []f64, cdf: anytype) !void {
    std.mem.sort(f64, xs, {}, std.sort.asc(f64));
    const n: f64 = @floatFromInt(xs.len);
    var d: f64 = 0;
    for (xs, 0..) |x, i| {
        const c = cdf.at(x);
        const lo = @as(f64, @floatFromInt(i)) / n;
        const hi = @as(f64, @floatFromInt(i + 1)) / n;
        d = @max(d, @max(@abs(c - lo), @abs(hi - c)));
    }
    if (!(d < 1.95 / @sqrt(n))) {
        report("KS distance {d} >= {d}\n", .{ d, 1.95 / @sqrt(n) });
        return error.TestKsMismatch;
    }
}

test "checkGradients accepts a correct gradient and rejects a wrong one" {
    const Good = struct {
        pub const n = 2;
        pub fn eval(comptime S: type, x: [2]S.Real) !S.Real {
            return S.mul(S.exp(x[0]), x[1]);
        }
    };
    try checkGradients(Good, &.{ .{ 0.3, 2.0 }, .{ -1.0, 0.5 } });
    const Bad = struct {
        pub const n = 1;
        pub fn eval(comptime S: type, x: [1]S.Real) !S.Real {
            // value x^2 but claims derivative x
            return S.with_partials(S.val(x[0]) * S.val(x[0]), .{x[0]}, .{S.val(x[0])});
        }
    };
    quiet = true;
    defer quiet = false;
    try std.testing.expectError(error.TestExpectedApproxEq, checkGradients(Bad, &.{.{1.5}}));
}

test "expectKs" {
    var xs: [2000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(1);
    for (&xs) |*x| x.* = prng.random().float(f64);
    const U = struct {
        fn at(_: @This(), x: f64) f64 {
            return x;
        }
    };
    try expectKs(&xs, U{});
    for (&xs) |*x| x.* = x.* * x.*;
    quiet = true;
    defer quiet = false;
    try std.testing.expectError(error.TestKsMismatch, expectKs(&xs, U{}));
}
