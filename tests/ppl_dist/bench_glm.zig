//! Timing program for the fused logistic-regression GLM (the N = 1000, K = 5 benchmark shape):
//! nanoseconds per log density evaluation (F64) and per gradient (Rev: reset, 6 independents,
//! bernoulli_logit_glm, reverse sweep), plus the same gradient built from the vectorised
//! `bernoulli_logit` (one node) and from the per-element `bernoulli_logit` (N nodes) for
//! comparison. Build in ReleaseFast:
//!
//!   zig build-exe -OReleaseFast --dep ppl -Mroot=tests/ppl_dist/bench_glm.zig \
//!       -Mppl=runtime/ppl/math_root.zig --name bench_glm && ./bench_glm

const std = @import("std");
const ppl = @import("ppl");
const ad = ppl.ad;
const dist = ppl.dist;
const linalg = ppl.linalg;

const n = 1000;
const k = 5;

fn best(comptime f: anytype, ctx: anytype, reps: usize) !f64 {
    var best_ns: f64 = std.math.inf(f64);
    for (0..7) |_| {
        var timer = try std.time.Timer.start();
        for (0..reps) |_| std.mem.doNotOptimizeAway(try f(ctx));
        const ns = @as(f64, @floatFromInt(timer.read())) / @as(f64, @floatFromInt(reps));
        best_ns = @min(best_ns, ns);
    }
    return best_ns;
}

const Ctx = struct {
    x: []const f64,
    y: []const i64,
    beta: [k]f64,
    alpha: f64,
    eta: []f64,
};

fn evalF64(c: *const Ctx) !f64 {
    return dist.bernoulli_logit_glm.lpmf(ad.F64, c.y, .{ .data = c.x, .rows = n, .cols = k }, c.alpha, @as([]const f64, &c.beta));
}

fn gradGlm(c: *const Ctx) !f64 {
    const Rev = ad.Rev;
    Rev.reset();
    var v: [k + 1]ad.Var = undefined;
    v[0] = Rev.independent(c.alpha);
    for (0..k) |j| v[j + 1] = Rev.independent(c.beta[j]);
    const lp = try dist.bernoulli_logit_glm.lpmf(Rev, c.y, .{ .data = c.x, .rows = n, .cols = k }, v[0], @as([]const ad.Var, v[1..]));
    var g: [k + 1]f64 = undefined;
    Rev.gradient(lp, &v, &g);
    return g[0] + g[k];
}

fn gradPerElement(c: *const Ctx) !f64 {
    const Rev = ad.Rev;
    Rev.reset();
    var v: [k + 1]ad.Var = undefined;
    v[0] = Rev.independent(c.alpha);
    for (0..k) |j| v[j + 1] = Rev.independent(c.beta[j]);
    var lp = Rev.lift(0);
    for (0..n) |i| {
        const eta = Rev.add(v[0], Rev.dot(c.x[i * k .. i * k + k], @as([]const ad.Var, v[1..])));
        lp = Rev.add(lp, try dist.bernoulli_logit.lpmf(Rev, c.y[i], eta));
    }
    var g: [k + 1]f64 = undefined;
    Rev.gradient(lp, &v, &g);
    return g[0] + g[k];
}

pub fn main() !void {
    var prng = std.Random.DefaultPrng.init(2024);
    const rng = prng.random();
    var x: [n * k]f64 = undefined;
    var y: [n]i64 = undefined;
    var eta: [n]f64 = undefined;
    const beta = [k]f64{ 0.5, -0.3, 0.2, 0.8, -0.1 };
    for (&x) |*v| v.* = rng.floatNorm(f64);
    for (0..n) |i| {
        var e: f64 = 0.2;
        for (0..k) |j| e += x[i * k + j] * beta[j];
        y[i] = if (rng.float(f64) < 1.0 / (1.0 + @exp(-e))) 1 else 0;
    }
    const ctx = Ctx{ .x = &x, .y = &y, .beta = beta, .alpha = 0.2, .eta = &eta };
    defer ad.Rev.deinit();
    defer linalg.freeScratch();
    const out = std.io.getStdOut().writer();
    try out.print("bernoulli_logit_glm N={d} K={d}, vector width {d}\n", .{ n, k, dist.vmath.width });
    _ = try best(evalF64, &ctx, 20000); // warm-up
    try out.print("  log density (F64):             {d:8.0} ns\n", .{try best(evalF64, &ctx, 20000)});
    try out.print("  gradient (Rev, fused GLM):     {d:8.0} ns\n", .{try best(gradGlm, &ctx, 20000)});
    try out.print("  gradient (Rev, per element):   {d:8.0} ns\n", .{try best(gradPerElement, &ctx, 2000)});
}
