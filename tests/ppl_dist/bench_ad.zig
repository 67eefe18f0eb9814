//! Timing program for the reverse-mode tape on a small hierarchical model: eight schools,
//! non-centred (10 unconstrained parameters: mu, log tau, 8 theta_trans), written the way
//! generated code would write it, once with scalar distribution calls (one node per call) and
//! once with the vectorised normal (one node for the 8 observations). Reports nanoseconds per
//! gradient (reset, independents, model, reverse sweep) and the tape size. Build in
//! ReleaseFast:
//!
//!   zig build-exe -OReleaseFast --dep ppl -Mroot=tests/ppl_dist/bench_ad.zig \
//!       -Mppl=runtime/ppl/math_root.zig --name bench_ad && ./bench_ad

const std = @import("std");
const ppl = @import("ppl");
const ad = ppl.ad;
const dist = ppl.dist;
const transform = ppl.transform;

const y = [8]f64{ 28, 8, -3, 7, -1, 1, 18, 12 };
const sigma = [8]f64{ 15, 10, 16, 11, 9, 11, 10, 18 };

fn modelScalar(comptime S: type, q: []const S.Real) !S.Real {
    var lp = S.lift(0);
    const mu = q[0];
    const tau = transform.lower(S, q[1], 0.0, &lp);
    lp = S.add(lp, try dist.normal.lpdf(S, mu, 0.0, 5.0));
    lp = S.add(lp, try dist.half_cauchy.lpdf(S, tau, 5.0));
    for (0..8) |j| {
        const tt = q[2 + j];
        lp = S.add(lp, try dist.std_normal.lpdf(S, tt));
        const theta = S.add(mu, S.mul(tau, tt));
        lp = S.add(lp, try dist.normal.lpdf(S, y[j], theta, sigma[j]));
    }
    return lp;
}

fn modelVector(comptime S: type, q: []const S.Real) !S.Real {
    var lp = S.lift(0);
    const mu = q[0];
    const tau = transform.lower(S, q[1], 0.0, &lp);
    lp = S.add(lp, try dist.normal.lpdf(S, mu, 0.0, 5.0));
    lp = S.add(lp, try dist.half_cauchy.lpdf(S, tau, 5.0));
    const tt = q[2..10];
    lp = S.add(lp, try dist.std_normal.lpdf(S, tt));
    var theta: [8]S.Real = undefined;
    for (0..8) |j| theta[j] = S.fma(tau, tt[j], mu);
    lp = S.add(lp, try dist.normal.lpdf(S, @as([]const f64, &y), @as([]const S.Real, &theta), @as([]const f64, &sigma)));
    return lp;
}

fn gradient(comptime model: anytype, q: []const f64, g: []f64) !f64 {
    const Rev = ad.Rev;
    Rev.reset();
    var v: [10]ad.Var = undefined;
    for (q, 0..) |x, i| v[i] = Rev.independent(x);
    const lp = try model(Rev, &v);
    Rev.gradient(lp, &v, g);
    return lp.val;
}

fn time(comptime model: anytype, q: []const f64) !f64 {
    var g: [10]f64 = undefined;
    var best: f64 = std.math.inf(f64);
    const reps = 200_000;
    for (0..7) |_| {
        var timer = try std.time.Timer.start();
        for (0..reps) |_| {
            std.mem.doNotOptimizeAway(try gradient(model, q, &g));
        }
        best = @min(best, @as(f64, @floatFromInt(timer.read())) / reps);
    }
    return best;
}

pub fn main() !void {
    defer ad.Rev.deinit();
    const q = [10]f64{ 4.4, 1.2, 0.3, -0.1, 0.5, 0.0, -0.3, 0.2, 0.9, 0.1 };
    var g1: [10]f64 = undefined;
    var g2: [10]f64 = undefined;
    const v1 = try gradient(modelScalar, &q, &g1);
    const n1 = ad.Rev.size();
    const v2 = try gradient(modelVector, &q, &g2);
    const n2 = ad.Rev.size();
    for (g1, g2) |a, b| std.debug.assert(@abs(a - b) <= 1e-12 * @max(1.0, @abs(a)));
    std.debug.assert(@abs(v1 - v2) <= 1e-12 * @abs(v1));
    const out = std.io.getStdOut().writer();
    try out.print("eight schools (non-centred), 10 parameters\n", .{});
    try out.print("  scalar calls:  {d:6.0} ns per gradient, {d} tape nodes\n", .{ try time(modelScalar, &q), n1 });
    try out.print("  vectorised:    {d:6.0} ns per gradient, {d} tape nodes\n", .{ try time(modelVector, &q), n2 });
    var qv = q;
    var ev_timer = try std.time.Timer.start();
    var s: f64 = 0;
    for (0..200_000) |_| {
        // perturb the input so the evaluation cannot be hoisted out of the loop
        qv[0] += 1e-9;
        std.mem.doNotOptimizeAway(&qv);
        s += try modelScalar(ad.F64, &qv);
        std.mem.doNotOptimizeAway(s);
    }
    try out.print("  F64 value:     {d:6.0} ns per evaluation\n", .{@as(f64, @floatFromInt(ev_timer.read())) / 200_000});
}
