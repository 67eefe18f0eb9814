//! Fused generalised linear model log densities (like Stan's `*_glm` functions): the linear
//! predictor eta = alpha + X beta, the log density of all N observations, and the gradient with
//! respect to alpha, beta (and y, sigma where real) in one pass, pushed as ONE node. X is data
//! (a row-major N x K `linalg.Matrix(f64)`); alpha is a scalar or an N-vector; beta a K-vector;
//! each may be f64 or `S.Real`.
//!
//! The loops work on blocks of `vmath.width` rows as `@Vector`s: the block's column values are
//! gathered once per column for X beta and again for X^T d (d = d log p / d eta), the
//! transcendental functions use the polynomial kernels of `vmath.zig`, and the per-column
//! gradient sums accumulate in vectors. No per-element tape nodes and no allocation (scratch
//! comes from `linalg.scratch`).

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");
const vmath = @import("vmath.zig");
const math = std.math;

const Error = common.Error;
const inf = math.inf(f64);
const W = vmath.width;
const V = @Vector(W, f64);

/// Shared validation: shapes, finite coefficients. Returns N.
fn validate(comptime dist: []const u8, y: anytype, x: linalg.Matrix(f64), alpha: anytype, beta: anytype) Error!usize {
    const n = x.rows;
    const k = x.cols;
    if (x.data.len != n * k) return common.fail("{s}: x has {d} elements, expected {d} x {d}", .{ dist, x.data.len, n, k });
    if (beta.len != k) return common.fail("{s}: size mismatch: beta has {d} elements but x has {d} columns", .{ dist, beta.len, k });
    if (comptime ad.isSeq(@TypeOf(y))) {
        if (y.len != n) return common.fail("{s}: size mismatch: y has {d} elements but x has {d} rows", .{ dist, y.len, n });
    }
    if (comptime ad.isSeq(@TypeOf(alpha))) {
        if (alpha.len != n) return common.fail("{s}: size mismatch: alpha has {d} elements but x has {d} rows", .{ dist, alpha.len, n });
    }
    try common.checkFinite(dist, "alpha", alpha);
    try common.checkFinite(dist, "beta", beta);
    return n;
}

/// Scratch layout: K accumulator vectors (aligned at the page-aligned base), then beta values.
const Work = struct {
    gacc: [*]V,
    bv: []f64,

    fn init(beta: anytype, k: usize, zero_acc: bool) Work {
        const per = W; // f64s per vector
        const buf = linalg.scratch(k * per + k);
        const gacc: [*]V = @ptrCast(@alignCast(buf.ptr));
        if (zero_acc) @memset(buf[0 .. k * per], 0);
        const bv = buf[k * per .. k * per + k];
        for (0..k) |j| bv[j] = ad.value(beta[j]);
        return .{ .gacc = gacc, .bv = bv };
    }
};

inline fn gatherCol(xd: []const f64, k: usize, r: usize, j: usize) V {
    var c: V = undefined;
    inline for (0..W) |l| c[l] = xd[(r + l) * k + j];
    return c;
}

inline fn blockOf(x: anytype, r: usize) V {
    if (comptime ad.isSeq(@TypeOf(x))) {
        var v: V = undefined;
        inline for (0..W) |l| v[l] = ad.value(x[r + l]);
        return v;
    }
    return @splat(ad.value(x));
}

inline fn intBlockOf(x: anytype, r: usize) V {
    if (comptime ad.isSeq(@TypeOf(x))) {
        var v: V = undefined;
        inline for (0..W) |l| v[l] = @floatFromInt(x[r + l]);
        return v;
    }
    return @splat(@floatFromInt(x));
}

/// eta for rows r..r+W.
inline fn etaBlock(xd: []const f64, k: usize, r: usize, bv: []const f64, alpha: anytype) V {
    var eta = blockOf(alpha, r);
    for (0..k) |j| eta += gatherCol(xd, k, r, j) * @as(V, @splat(bv[j]));
    return eta;
}

/// eta for one row.
inline fn etaRow(xd: []const f64, k: usize, r: usize, bv: []const f64, alpha: anytype) f64 {
    var eta = ad.at(alpha, r);
    const row = xd[r * k .. r * k + k];
    for (row, bv) |xv, b| eta += xv * b;
    return eta;
}

inline fn accBeta(xd: []const f64, k: usize, r: usize, d: V, gacc: [*]V) void {
    for (0..k) |j| gacc[j] += gatherCol(xd, k, r, j) * d;
}

fn notFinite(comptime dist: []const u8, row: usize) Error {
    return common.fail("{s}: the linear predictor is not finite at row {d}", .{ dist, row });
}

inline fn allFinite(v: V) bool {
    return @reduce(.And, @abs(v) < @as(V, @splat(inf)));
}

/// Logistic regression: y_i ~ bernoulli_logit(alpha + x_i . beta), y in {0, 1}.
pub const bernoulli_logit_glm = struct {
    pub const name = "bernoulli_logit_glm";

    pub fn lpmf(comptime S: type, y: anytype, x: linalg.Matrix(f64), alpha: anytype, beta: anytype) Error!S.Real {
        const n = try validate(name, y, x, alpha, beta);
        const k = x.cols;
        const xd = x.data;
        var g = ad.Grad(S, @TypeOf(.{ alpha, beta })).init(.{ alpha, beta });
        const G = @TypeOf(g);
        const want_a = comptime G.wants(0);
        const want_b = comptime G.wants(1);
        const a_seq = comptime ad.isSeq(@TypeOf(alpha));
        const work = Work.init(beta, k, want_b);
        const one: V = @splat(1.0);
        const zero: V = @splat(0.0);
        var lp_v: V = zero;
        var da_v: V = zero;
        var r: usize = 0;
        while (r + W <= n) : (r += W) {
            const eta = etaBlock(xd, k, r, work.bv, alpha);
            if (!allFinite(eta)) return notFinite(name, r);
            const yv = intBlockOf(y, r);
            if (!@reduce(.And, yv * (one - yv) == zero)) return S.lift(-inf); // y in {0, 1}
            // log p(y) = -log1p(exp(-t)), t = (2y - 1) eta;
            // log1p(exp(-t)) = max(-t, 0) + log1p(exp(-|eta|))
            const e = vmath.exp(W, -@abs(eta));
            const l1 = vmath.log1p01(W, e);
            const t = (yv + yv - one) * eta;
            lp_v -= @max(-t, zero) + l1;
            if (want_a or want_b) {
                const inv = one / (one + e);
                const p = @select(f64, eta >= zero, inv, e * inv); // inv_logit(eta)
                const d = yv - p;
                if (want_a) {
                    if (a_seq) {
                        inline for (0..W) |l| g.add(0, r + l, d[l]);
                    } else da_v += d;
                }
                if (want_b) accBeta(xd, k, r, d, work.gacc);
            }
        }
        var lp = @reduce(.Add, lp_v);
        var da = @reduce(.Add, da_v);
        var gtail: [8]f64 = [_]f64{0} ** 8; // only used when K <= 8 for the tail rows
        const tail_small = k <= 8;
        while (r < n) : (r += 1) {
            const eta = etaRow(xd, k, r, work.bv, alpha);
            if (!math.isFinite(eta)) return notFinite(name, r);
            const yi = common.intAt(y, r);
            if (yi != 0 and yi != 1) return S.lift(-inf);
            lp -= sp.log1p_exp(if (yi == 1) -eta else eta);
            const d = @as(f64, @floatFromInt(yi)) - sp.inv_logit(eta);
            if (want_a) {
                if (a_seq) g.add(0, r, d) else da += d;
            }
            if (want_b) {
                for (0..k) |j| {
                    if (tail_small) gtail[j] += d * xd[r * k + j] else g.add(1, j, d * xd[r * k + j]);
                }
            }
        }
        if (want_a and !a_seq) g.add(0, 0, da);
        if (want_b) {
            for (0..k) |j| g.add(1, j, @reduce(.Add, work.gacc[j]) + (if (tail_small) gtail[j] else 0));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, out: []i64, x: linalg.Matrix(f64), alpha: anytype, beta: []const f64) Error!void {
        _ = try validate(name, out, x, alpha, beta);
        for (out, 0..) |*o, r| {
            const eta = etaRow(x.data, x.cols, r, beta, alpha);
            if (!math.isFinite(eta)) return notFinite(name, r);
            o.* = if (rng.float(f64) < sp.inv_logit(eta)) 1 else 0;
        }
    }
};

/// Poisson regression with log link: y_i ~ poisson_log(alpha + x_i . beta), y >= 0.
pub const poisson_log_glm = struct {
    pub const name = "poisson_log_glm";

    pub fn lpmf(comptime S: type, y: anytype, x: linalg.Matrix(f64), alpha: anytype, beta: anytype) Error!S.Real {
        const n = try validate(name, y, x, alpha, beta);
        const k = x.cols;
        const xd = x.data;
        var g = ad.Grad(S, @TypeOf(.{ alpha, beta })).init(.{ alpha, beta });
        const G = @TypeOf(g);
        const want_a = comptime G.wants(0);
        const want_b = comptime G.wants(1);
        const a_seq = comptime ad.isSeq(@TypeOf(alpha));
        const work = Work.init(beta, k, want_b);
        const zero: V = @splat(0.0);
        var lp_v: V = zero;
        var da_v: V = zero;
        var lfact: f64 = 0;
        var r: usize = 0;
        while (r + W <= n) : (r += W) {
            const eta = etaBlock(xd, k, r, work.bv, alpha);
            if (!allFinite(eta) or @reduce(.Or, eta > @as(V, @splat(709.0)))) return notFinite(name, r);
            const yv = intBlockOf(y, r);
            if (@reduce(.Or, yv < zero)) return S.lift(-inf);
            inline for (0..W) |l| lfact += sp.log_factorial(@intFromFloat(yv[l]));
            const e = vmath.exp(W, eta);
            lp_v += yv * eta - e;
            if (want_a or want_b) {
                const d = yv - e;
                if (want_a) {
                    if (a_seq) {
                        inline for (0..W) |l| g.add(0, r + l, d[l]);
                    } else da_v += d;
                }
                if (want_b) accBeta(xd, k, r, d, work.gacc);
            }
        }
        var lp = @reduce(.Add, lp_v) - lfact;
        var da = @reduce(.Add, da_v);
        while (r < n) : (r += 1) {
            const eta = etaRow(xd, k, r, work.bv, alpha);
            if (!math.isFinite(eta) or eta > 709.0) return notFinite(name, r);
            const yi = common.intAt(y, r);
            if (yi < 0) return S.lift(-inf);
            const yf: f64 = @floatFromInt(yi);
            const e = @exp(eta);
            lp += yf * eta - e - sp.log_factorial(@intCast(yi));
            const d = yf - e;
            if (want_a) {
                if (a_seq) g.add(0, r, d) else da += d;
            }
            if (want_b) for (0..k) |j| g.add(1, j, d * xd[r * k + j]);
        }
        if (want_a and !a_seq) g.add(0, 0, da);
        if (want_b) for (0..k) |j| g.add(1, j, @reduce(.Add, work.gacc[j]));
        return g.finish(lp);
    }
};

/// Linear regression: y_i ~ normal(alpha + x_i . beta, sigma); y, alpha and sigma scalars or
/// N-vectors, all differentiable.
pub const normal_id_glm = struct {
    pub const name = "normal_id_glm";

    pub fn lpdf(comptime S: type, y: anytype, x: linalg.Matrix(f64), alpha: anytype, beta: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(name, y, x, alpha, beta);
        if (comptime ad.isSeq(@TypeOf(sigma))) {
            if (sigma.len != n) return common.fail("{s}: size mismatch: sigma has {d} elements but x has {d} rows", .{ name, sigma.len, n });
        }
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "sigma", sigma);
        const k = x.cols;
        const xd = x.data;
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta, sigma })).init(.{ y, alpha, beta, sigma });
        const G = @TypeOf(g);
        const want_y = comptime G.wants(0);
        const want_a = comptime G.wants(1);
        const want_b = comptime G.wants(2);
        const want_s = comptime G.wants(3);
        const a_seq = comptime ad.isSeq(@TypeOf(alpha));
        const s_seq = comptime ad.isSeq(@TypeOf(sigma));
        const work = Work.init(beta, k, want_b);
        const zero: V = @splat(0.0);
        const one: V = @splat(1.0);
        var q_v: V = zero; // sum z^2
        var da_v: V = zero;
        var ds_v: V = zero;
        var logsig: f64 = if (s_seq) 0 else @as(f64, @floatFromInt(n)) * @log(ad.value(sigma));
        var r: usize = 0;
        while (r + W <= n) : (r += W) {
            const eta = etaBlock(xd, k, r, work.bv, alpha);
            if (!allFinite(eta)) return notFinite(name, r);
            const sv = blockOf(sigma, r);
            const inv_s = one / sv;
            const z = (blockOf(y, r) - eta) * inv_s;
            q_v += z * z;
            if (s_seq) inline for (0..W) |l| {
                logsig += @log(sv[l]);
            };
            const de = z * inv_s; // d lp / d eta
            if (want_y) inline for (0..W) |l| g.add(0, r + l, -de[l]);
            if (want_a) {
                if (a_seq) {
                    inline for (0..W) |l| g.add(1, r + l, de[l]);
                } else da_v += de;
            }
            if (want_b) accBeta(xd, k, r, de, work.gacc);
            if (want_s) {
                const dsv = (z * z - one) * inv_s;
                if (s_seq) {
                    inline for (0..W) |l| g.add(3, r + l, dsv[l]);
                } else ds_v += dsv;
            }
        }
        var q = @reduce(.Add, q_v);
        var da = @reduce(.Add, da_v);
        var ds = @reduce(.Add, ds_v);
        while (r < n) : (r += 1) {
            const eta = etaRow(xd, k, r, work.bv, alpha);
            if (!math.isFinite(eta)) return notFinite(name, r);
            const s = ad.at(sigma, r);
            const z = (ad.at(y, r) - eta) / s;
            q += z * z;
            if (s_seq) logsig += @log(s);
            const de = z / s;
            if (want_y) g.add(0, r, -de);
            if (want_a) {
                if (a_seq) g.add(1, r, de) else da += de;
            }
            if (want_b) for (0..k) |j| g.add(2, j, de * xd[r * k + j]);
            if (want_s) {
                if (s_seq) g.add(3, r, (z * z - 1.0) / s) else ds += (z * z - 1.0) / s;
            }
        }
        if (want_a and !a_seq) g.add(1, 0, da);
        if (want_b) for (0..k) |j| g.add(2, j, @reduce(.Add, work.gacc[j]));
        if (want_s and !s_seq) g.add(3, 0, ds);
        const lp = -0.5 * q - logsig - @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
        return g.finish(lp);
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const discrete = @import("discrete.zig");
const continuous = @import("continuous.zig");
const F64 = ad.F64;
const Fwd = ad.Fwd;
const Rev = ad.Rev;
const testing = std.testing;

/// A deterministic test design: N x K matrix, coefficients, and outcomes.
fn Design(comptime n: usize, comptime k: usize) type {
    return struct {
        x: [n * k]f64,
        beta: [k]f64,
        alpha_vec: [n]f64,
        y01: [n]i64,
        ycount: [n]i64,
        yreal: [n]f64,
        sig_vec: [n]f64,

        fn make(seed: u64) @This() {
            var d: @This() = undefined;
            var prng = std.Random.DefaultPrng.init(seed);
            const rng = prng.random();
            for (&d.x) |*v| v.* = rng.floatNorm(f64);
            for (&d.beta, 0..) |*b, j| b.* = 0.4 * rng.floatNorm(f64) + 0.1 * @as(f64, @floatFromInt(j));
            for (0..n) |i| {
                d.alpha_vec[i] = 0.3 * rng.floatNorm(f64);
                d.y01[i] = if (rng.boolean()) 1 else 0;
                d.ycount[i] = rng.intRangeAtMost(i64, 0, 6);
                d.yreal[i] = rng.floatNorm(f64);
                d.sig_vec[i] = 0.5 + rng.float(f64);
            }
            return d;
        }
    };
}

test "bernoulli_logit_glm equals the sum of bernoulli_logit terms; gradients match Fwd" {
    defer Rev.deinit();
    defer linalg.freeScratch();
    // sizes around the vector width to exercise the block and tail paths
    inline for (.{ 1, W - 1, W, 2 * W + 3, 37 }) |n| {
        const k = 3;
        const d = Design(n, k).make(70 + n);
        const xm = linalg.Matrix(f64){ .data = &d.x, .rows = n, .cols = k };
        const alpha: f64 = -0.2;
        var ref: f64 = 0;
        for (0..n) |i| {
            var eta = alpha;
            for (0..k) |j| eta += d.x[i * k + j] * d.beta[j];
            ref += try discrete.bernoulli_logit.lpmf(F64, d.y01[i], eta);
        }
        const y: []const i64 = &d.y01;
        try tu.expectRel(ref, try bernoulli_logit_glm.lpmf(F64, y, xm, alpha, @as([]const f64, &d.beta)), 1e-14);
        // Rev gradient in (alpha, beta) vs Fwd directional derivatives
        Rev.reset();
        const av = Rev.independent(alpha);
        var bv: [k]ad.Var = undefined;
        for (&bv, d.beta) |*b, x| b.* = Rev.independent(x);
        const out = try bernoulli_logit_glm.lpmf(Rev, y, xm, av, @as([]const ad.Var, &bv));
        try tu.expectRel(ref, out.val, 1e-14);
        var g: [k + 1]f64 = undefined;
        Rev.gradient(out, &.{ av, bv[0], bv[1], bv[2] }, &g);
        for (0..k + 1) |j| {
            var bd: [k]ad.Dual = undefined;
            for (0..k) |i| bd[i] = Fwd.dual(d.beta[i], if (j == i + 1) 1 else 0);
            const r = try bernoulli_logit_glm.lpmf(Fwd, y, xm, Fwd.dual(alpha, if (j == 0) 1 else 0), @as([]const ad.Dual, &bd));
            try tu.expectRel(r.tan, g[j], 1e-12);
            // and against the scalar bernoulli_logit chain: sum_i (y_i - p_i) x_ij
            var s: f64 = 0;
            for (0..n) |i| {
                var eta = alpha;
                for (0..k) |jj| eta += d.x[i * k + jj] * d.beta[jj];
                const xi = if (j == 0) 1.0 else d.x[i * k + j - 1];
                s += (@as(f64, @floatFromInt(d.y01[i])) - sp.inv_logit(eta)) * xi;
            }
            try tu.expectClose(s, g[j], 1e-12, 1e-13);
        }
        // vector alpha
        Rev.reset();
        var avv: [n]ad.Var = undefined;
        for (&avv, d.alpha_vec) |*a, x| a.* = Rev.independent(x);
        const out2 = try bernoulli_logit_glm.lpmf(Rev, y, xm, @as([]const ad.Var, &avv), @as([]const f64, &d.beta));
        var g2: [n]f64 = undefined;
        Rev.gradient(out2, &avv, &g2);
        for (0..n) |i| {
            var eta = d.alpha_vec[i];
            for (0..k) |j| eta += d.x[i * k + j] * d.beta[j];
            try tu.expectClose(@as(f64, @floatFromInt(d.y01[i])) - sp.inv_logit(eta), g2[i], 1e-14, 1e-15);
        }
    }
    // a scalar outcome broadcasts over the rows
    {
        const d = Design(2 * W + 1, 2).make(77);
        const xm = linalg.Matrix(f64){ .data = &d.x, .rows = 2 * W + 1, .cols = 2 };
        var ref: f64 = 0;
        for (0..2 * W + 1) |i| ref += try discrete.bernoulli_logit.lpmf(F64, 1, 0.1 + d.x[2 * i] * d.beta[0] + d.x[2 * i + 1] * d.beta[1]);
        try tu.expectRel(ref, try bernoulli_logit_glm.lpmf(F64, @as(i64, 1), xm, 0.1, @as([]const f64, &d.beta)), 1e-14);
    }
    // errors and support
    const x1 = [_]f64{ 1, 2 };
    const m1 = linalg.Matrix(f64){ .data = &x1, .rows = 1, .cols = 2 };
    try testing.expectError(error.InvalidParameter, bernoulli_logit_glm.lpmf(F64, @as(i64, 1), m1, 0.0, @as([]const f64, &.{1.0})));
    try testing.expectEqualStrings("bernoulli_logit_glm: size mismatch: beta has 1 elements but x has 2 columns", common.lastError());
    try testing.expectEqual(-inf, try bernoulli_logit_glm.lpmf(F64, @as(i64, 2), m1, 0.0, @as([]const f64, &.{ 1.0, 0.5 })));
    try testing.expectError(error.InvalidParameter, bernoulli_logit_glm.lpmf(F64, @as(i64, 1), m1, 0.0, @as([]const f64, &.{ math.nan(f64), 0.5 })));
}

test "poisson_log_glm equals the sum of poisson_log terms; gradients match Fwd" {
    defer Rev.deinit();
    defer linalg.freeScratch();
    inline for (.{ 2, W + 1, 29 }) |n| {
        const k = 2;
        const d = Design(n, k).make(80 + n);
        const xm = linalg.Matrix(f64){ .data = &d.x, .rows = n, .cols = k };
        const alpha: f64 = 0.4;
        var ref: f64 = 0;
        for (0..n) |i| {
            var eta = alpha;
            for (0..k) |j| eta += d.x[i * k + j] * d.beta[j];
            ref += try discrete.poisson_log.lpmf(F64, d.ycount[i], eta);
        }
        const y: []const i64 = &d.ycount;
        try tu.expectRel(ref, try poisson_log_glm.lpmf(F64, y, xm, alpha, @as([]const f64, &d.beta)), 1e-13);
        Rev.reset();
        const av = Rev.independent(alpha);
        const b0 = Rev.independent(d.beta[0]);
        const b1 = Rev.independent(d.beta[1]);
        const out = try poisson_log_glm.lpmf(Rev, y, xm, av, @as([]const ad.Var, &.{ b0, b1 }));
        var g: [3]f64 = undefined;
        Rev.gradient(out, &.{ av, b0, b1 }, &g);
        for (0..3) |j| {
            const r = try poisson_log_glm.lpmf(Fwd, y, xm, Fwd.dual(alpha, if (j == 0) 1 else 0), @as([]const ad.Dual, &.{ Fwd.dual(d.beta[0], if (j == 1) 1 else 0), Fwd.dual(d.beta[1], if (j == 2) 1 else 0) }));
            try tu.expectRel(r.tan, g[j], 1e-12);
        }
        // finite difference in beta[0]
        const h = 1e-6;
        const fp = try poisson_log_glm.lpmf(F64, y, xm, alpha, @as([]const f64, &.{ d.beta[0] + h, d.beta[1] }));
        const fm = try poisson_log_glm.lpmf(F64, y, xm, alpha, @as([]const f64, &.{ d.beta[0] - h, d.beta[1] }));
        try tu.expectClose((fp - fm) / (2 * h), g[1], 1e-6, 1e-7);
    }
}

test "normal_id_glm equals the sum of normal terms; gradients in y, alpha, beta, sigma" {
    defer Rev.deinit();
    defer linalg.freeScratch();
    inline for (.{ 3, 2 * W + 1 }) |n| {
        const k = 2;
        const d = Design(n, k).make(90 + n);
        const xm = linalg.Matrix(f64){ .data = &d.x, .rows = n, .cols = k };
        // scalar sigma
        var ref: f64 = 0;
        for (0..n) |i| {
            var eta: f64 = 0.1;
            for (0..k) |j| eta += d.x[i * k + j] * d.beta[j];
            ref += try continuous.normal.lpdf(F64, d.yreal[i], eta, 1.3);
        }
        try tu.expectRel(ref, try normal_id_glm.lpdf(F64, @as([]const f64, &d.yreal), xm, 0.1, @as([]const f64, &d.beta), 1.3), 1e-14);
        // all differentiable with vector sigma: Rev vs Fwd on every coordinate
        Rev.reset();
        var yv: [n]ad.Var = undefined;
        var sv: [n]ad.Var = undefined;
        for (0..n) |i| {
            yv[i] = Rev.independent(d.yreal[i]);
            sv[i] = Rev.independent(d.sig_vec[i]);
        }
        const av = Rev.independent(0.1);
        var bv: [k]ad.Var = undefined;
        for (&bv, d.beta) |*b, x| b.* = Rev.independent(x);
        const out = try normal_id_glm.lpdf(Rev, @as([]const ad.Var, &yv), xm, av, @as([]const ad.Var, &bv), @as([]const ad.Var, &sv));
        var inputs: [2 * n + 1 + k]ad.Var = undefined;
        for (0..n) |i| {
            inputs[i] = yv[i];
            inputs[n + i] = sv[i];
        }
        inputs[2 * n] = av;
        for (0..k) |j| inputs[2 * n + 1 + j] = bv[j];
        var g: [2 * n + 1 + k]f64 = undefined;
        Rev.gradient(out, &inputs, &g);
        var ref2: f64 = 0;
        for (0..n) |i| {
            var eta: f64 = 0.1;
            for (0..k) |j| eta += d.x[i * k + j] * d.beta[j];
            ref2 += try continuous.normal.lpdf(F64, d.yreal[i], eta, d.sig_vec[i]);
        }
        try tu.expectRel(ref2, out.val, 1e-14);
        for (0..inputs.len) |c| {
            var yd: [n]ad.Dual = undefined;
            var sd: [n]ad.Dual = undefined;
            for (0..n) |i| {
                yd[i] = Fwd.dual(d.yreal[i], if (c == i) 1 else 0);
                sd[i] = Fwd.dual(d.sig_vec[i], if (c == n + i) 1 else 0);
            }
            var bd: [k]ad.Dual = undefined;
            for (0..k) |j| bd[j] = Fwd.dual(d.beta[j], if (c == 2 * n + 1 + j) 1 else 0);
            const r = try normal_id_glm.lpdf(Fwd, @as([]const ad.Dual, &yd), xm, Fwd.dual(0.1, if (c == 2 * n) 1 else 0), @as([]const ad.Dual, &bd), @as([]const ad.Dual, &sd));
            try tu.expectClose(r.tan, g[c], 1e-12, 1e-14);
        }
        // sigma derivative against a finite difference with scalar sigma
        const h = 1e-6;
        const fp = try normal_id_glm.lpdf(F64, @as([]const f64, &d.yreal), xm, 0.1, @as([]const f64, &d.beta), 1.3 + h);
        const fm = try normal_id_glm.lpdf(F64, @as([]const f64, &d.yreal), xm, 0.1, @as([]const f64, &d.beta), 1.3 - h);
        const fs = try normal_id_glm.lpdf(Fwd, @as([]const f64, &d.yreal), xm, 0.1, @as([]const f64, &d.beta), Fwd.dual(1.3, 1));
        try tu.expectClose((fp - fm) / (2 * h), fs.tan, 1e-7, 1e-7);
    }
    const x1 = [_]f64{ 1, 2 };
    const m1 = linalg.Matrix(f64){ .data = &x1, .rows = 1, .cols = 2 };
    try testing.expectError(error.InvalidParameter, normal_id_glm.lpdf(F64, 0.5, m1, 0.0, @as([]const f64, &.{ 1.0, 0.5 }), -1.0));
    try testing.expectEqualStrings("normal_id_glm: sigma must be positive and finite, got -1", common.lastError());
}

test "bernoulli_logit_glm sampler frequencies" {
    defer linalg.freeScratch();
    const x = [_]f64{ 0.5, -1.0, 2.0, 0.0 };
    const m = linalg.Matrix(f64){ .data = &x, .rows = 2, .cols = 2 };
    var prng = std.Random.DefaultPrng.init(95);
    var c: [2]f64 = .{ 0, 0 };
    var out: [2]i64 = undefined;
    const reps = 20000;
    for (0..reps) |_| {
        try bernoulli_logit_glm.sample(prng.random(), &out, m, 0.2, &.{ 0.3, -0.4 });
        c[0] += @floatFromInt(out[0]);
        c[1] += @floatFromInt(out[1]);
    }
    const p0 = sp.inv_logit(0.2 + 0.5 * 0.3 + 0.4);
    const p1 = sp.inv_logit(0.2 + 2.0 * 0.3);
    try testing.expect(@abs(c[0] / reps - p0) < 5 * @sqrt(p0 * (1 - p0) / reps));
    try testing.expect(@abs(c[1] / reps - p1) < 5 * @sqrt(p1 * (1 - p1) / reps));
}
