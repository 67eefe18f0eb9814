//! Discrete distributions: normalised log probability mass functions (`lpmf`) generic over the
//! AD mode, with every real parameter differentiable through ONE node of hand-written partials;
//! samplers returning `i64`; parameter validation. Integer arguments (outcomes, trial counts)
//! may be any integer type or sequences of them, real parameters scalars or sequences; scalars
//! broadcast, so the same functions are the vectorised forms.
//!
//! Outcomes outside the support give -inf. Categorical outcomes are 0-based: categorical(theta)
//! takes values in {0, ..., K-1}. geometric(theta) counts failures before the first success
//! (support {0, 1, ...}).

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const common = @import("common.zig");
const sampling = @import("sampling.zig");
const vmath = @import("vmath.zig");
const math = std.math;

const Error = common.Error;
const at = ad.at;
const intAt = common.intAt;
const inf = math.inf(f64);

inline fn fl(k: i64) f64 {
    return @floatFromInt(k);
}

/// lgamma(n + 1) for a count n >= 0.
inline fn lfact(k: i64) f64 {
    return sp.log_factorial(@intCast(k));
}

fn checkSamplerRate(comptime dist: []const u8, lambda: f64) Error!void {
    if (!(lambda < 0x1p50)) return common.fail("{s}: rate must be below 2^50 to sample, got {}", .{ dist, common.num(lambda) });
}

/// Bernoulli(theta): P(y = 1) = theta in [0, 1]; support {0, 1}.
pub const bernoulli = struct {
    pub const name = "bernoulli";

    pub fn lpmf(comptime S: type, y: anytype, theta: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "theta" }, .{ y, theta });
        try common.checkProbability(name, "theta", theta);
        var g = ad.Grad(S, @TypeOf(.{theta})).init(.{theta});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yi = intAt(y, i);
            const t = at(theta, i);
            if (yi == 1) {
                if (t == 0) return S.lift(-inf);
                lp += @log(t);
                if (comptime G.wants(0)) g.add(0, i, 1.0 / t);
            } else if (yi == 0) {
                if (t == 1) return S.lift(-inf);
                lp += math.log1p(-t);
                if (comptime G.wants(0)) g.add(0, i, -1.0 / (1.0 - t));
            } else return S.lift(-inf);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, theta: f64) Error!i64 {
        try common.checkProbability(name, "theta", theta);
        return if (rng.float(f64) < theta) 1 else 0;
    }
};

/// Bernoulli with logit parameter alpha: P(y = 1) = inv_logit(alpha).
pub const bernoulli_logit = struct {
    pub const name = "bernoulli_logit";

    pub fn lpmf(comptime S: type, y: anytype, alpha: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "alpha" }, .{ y, alpha });
        try common.checkFinite(name, "alpha", alpha);
        var g = ad.Grad(S, @TypeOf(.{alpha})).init(.{alpha});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        var start: usize = 0;
        // Long vectors: W lanes at a time with the SIMD exp/log1p (the scalar library calls
        // would dominate a logistic regression's gradient).
        const W = vmath.width;
        const V = @Vector(W, f64);
        const zero: V = @splat(0.0);
        const one: V = @splat(1.0);
        var acc: V = zero;
        while (start + W <= n) : (start += W) {
            var a: V = undefined;
            var s: V = undefined;
            inline for (0..W) |j| {
                const yi = intAt(y, start + j);
                if (yi != 0 and yi != 1) return S.lift(-inf);
                a[j] = at(alpha, start + j);
                s[j] = if (yi == 1) 1.0 else -1.0;
            }
            // log p(y) = -log1p_exp(-s a) = -(max(-s a, 0) + log1p(exp(-|a|)))
            const e = vmath.exp(W, -@abs(a));
            acc -= @max(-(s * a), zero) + vmath.log1p01(W, e);
            if (comptime G.wants(0)) {
                const inv = @select(f64, a >= zero, one / (one + e), e / (one + e));
                inline for (0..W) |j| g.add(0, start + j, @as(f64, if (s[j] > 0) 1.0 else 0.0) - inv[j]);
            }
        }
        lp += @reduce(.Add, acc);
        for (start..n) |i| {
            const yi = intAt(y, i);
            if (yi != 0 and yi != 1) return S.lift(-inf);
            const a = at(alpha, i);
            // log p(y) = -log1p(exp(-s a)), s = 2y - 1
            const sa = if (yi == 1) a else -a;
            lp -= sp.log1p_exp(-sa);
            if (comptime G.wants(0)) g.add(0, i, fl(yi) - sp.inv_logit(a));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, alpha: f64) Error!i64 {
        try common.checkFinite(name, "alpha", alpha);
        return if (rng.float(f64) < sp.inv_logit(alpha)) 1 else 0;
    }
};

/// Binomial(N, theta): N >= 0 trials with success probability theta; support {0, ..., N}.
pub const binomial = struct {
    pub const name = "binomial";

    pub fn lpmf(comptime S: type, y: anytype, trials: anytype, theta: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "N", "theta" }, .{ y, trials, theta });
        try common.checkIntAtLeast(name, "N", trials, 0);
        try common.checkProbability(name, "theta", theta);
        var g = ad.Grad(S, @TypeOf(.{theta})).init(.{theta});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            const nn = intAt(trials, i);
            if (k < 0 or k > nn) return S.lift(-inf);
            const t = at(theta, i);
            const kf = fl(k);
            const rest = fl(nn - k);
            if ((k > 0 and t == 0) or (nn - k > 0 and t == 1)) return S.lift(-inf);
            lp += sp.lchoose(fl(nn), kf);
            if (k > 0) lp += kf * @log(t);
            if (nn - k > 0) lp += rest * math.log1p(-t);
            if (comptime G.wants(0)) g.add(0, i, (if (k > 0) kf / t else 0) - (if (nn - k > 0) rest / (1.0 - t) else 0));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, trials: i64, theta: f64) Error!i64 {
        try common.checkIntAtLeast(name, "N", trials, 0);
        try common.checkProbability(name, "theta", theta);
        return sampling.binomial(rng, trials, theta);
    }
};

/// Binomial with logit success probability: binomial(N, inv_logit(alpha)).
pub const binomial_logit = struct {
    pub const name = "binomial_logit";

    pub fn lpmf(comptime S: type, y: anytype, trials: anytype, alpha: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "N", "alpha" }, .{ y, trials, alpha });
        try common.checkIntAtLeast(name, "N", trials, 0);
        try common.checkFinite(name, "alpha", alpha);
        var g = ad.Grad(S, @TypeOf(.{alpha})).init(.{alpha});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            const nn = intAt(trials, i);
            if (k < 0 or k > nn) return S.lift(-inf);
            const a = at(alpha, i);
            const kf = fl(k);
            lp += sp.lchoose(fl(nn), kf) + kf * sp.log_inv_logit(a) + fl(nn - k) * sp.log1m_inv_logit(a);
            if (comptime G.wants(0)) g.add(0, i, kf - fl(nn) * sp.inv_logit(a));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, trials: i64, alpha: f64) Error!i64 {
        try common.checkIntAtLeast(name, "N", trials, 0);
        try common.checkFinite(name, "alpha", alpha);
        return sampling.binomial(rng, trials, sp.inv_logit(alpha));
    }
};

/// Poisson(lambda): rate lambda >= 0; support {0, 1, ...}.
pub const poisson = struct {
    pub const name = "poisson";

    pub fn lpmf(comptime S: type, y: anytype, lambda: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "lambda" }, .{ y, lambda });
        try common.checkNonNegativeFinite(name, "lambda", lambda);
        var g = ad.Grad(S, @TypeOf(.{lambda})).init(.{lambda});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            if (k < 0) return S.lift(-inf);
            const l = at(lambda, i);
            const kf = fl(k);
            if (l == 0) {
                if (k != 0) return S.lift(-inf);
                if (comptime G.wants(0)) g.add(0, i, -1.0);
                continue;
            }
            lp += if (k < 16) kf * @log(l) - l - lfact(k) else sp.log_poisson_large(kf, @log(l / kf));
            if (comptime G.wants(0)) g.add(0, i, kf / l - 1.0);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, lambda: f64) Error!i64 {
        try common.checkNonNegativeFinite(name, "lambda", lambda);
        try checkSamplerRate(name, lambda);
        return sampling.poisson(rng, lambda);
    }
};

/// Poisson with log rate alpha: poisson(exp(alpha)); alpha = -inf means rate 0.
pub const poisson_log = struct {
    pub const name = "poisson_log";

    pub fn lpmf(comptime S: type, y: anytype, alpha: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "alpha" }, .{ y, alpha });
        try common.checkLogRate(name, "alpha", alpha);
        var g = ad.Grad(S, @TypeOf(.{alpha})).init(.{alpha});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            if (k < 0) return S.lift(-inf);
            const a = at(alpha, i);
            if (a == -inf) {
                if (k != 0) return S.lift(-inf);
                continue;
            }
            const kf = fl(k);
            const e = @exp(a);
            lp += if (k < 16) kf * a - e - lfact(k) else sp.log_poisson_large(kf, a - @log(kf));
            if (comptime G.wants(0)) g.add(0, i, kf - e);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, alpha: f64) Error!i64 {
        try common.checkLogRate(name, "alpha", alpha);
        const l = @exp(alpha);
        try checkSamplerRate(name, l);
        return sampling.poisson(rng, l);
    }
};

/// psi(n + phi) - psi(phi), exactly as a finite sum for small n.
fn digammaDiff(k: i64, phi: f64) f64 {
    if (k < 64) {
        var s: f64 = 0;
        var j: i64 = 0;
        while (j < k) : (j += 1) s += 1.0 / (phi + fl(j));
        return s;
    }
    return sp.digamma(fl(k) + phi) - sp.digamma(phi);
}

/// log C(n + phi - 1, n) = lgamma(n + phi) - lgamma(n + 1) - lgamma(phi), accurate for large phi.
fn nbLogCoef(k: i64, phi: f64) f64 {
    if (k == 0) return 0;
    return -@log(fl(k) + phi) - sp.lbeta(phi, fl(k) + 1.0);
}

/// Negative binomial with mean mu > 0 and dispersion phi > 0 (variance mu + mu^2 / phi);
/// support {0, 1, ...}.
pub const neg_binomial_2 = struct {
    pub const name = "neg_binomial_2";

    pub fn lpmf(comptime S: type, y: anytype, mu: anytype, phi: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "phi" }, .{ y, mu, phi });
        try common.checkPositiveFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "phi", phi);
        var g = ad.Grad(S, @TypeOf(.{ mu, phi })).init(.{ mu, phi });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            if (k < 0) return S.lift(-inf);
            const m = at(mu, i);
            const p = at(phi, i);
            const kf = fl(k);
            const mp = m + p;
            const l1p = math.log1p(m / p); // log((mu + phi) / phi)
            lp += nbLogCoef(k, p) + kf * (@log(m) - @log(mp)) - p * l1p;
            if (comptime G.wants(0)) g.add(0, i, kf / m - (kf + p) / mp);
            if (comptime G.wants(1)) g.add(1, i, digammaDiff(k, p) - l1p + (m - kf) / mp);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, mu: f64, phi: f64) Error!i64 {
        try common.checkPositiveFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "phi", phi);
        const l = mu * sampling.gamma(rng, phi) / phi;
        try checkSamplerRate(name, l);
        return sampling.poisson(rng, l);
    }
};

/// Negative binomial with log mean eta and dispersion phi > 0: neg_binomial_2(exp(eta), phi).
pub const neg_binomial_2_log = struct {
    pub const name = "neg_binomial_2_log";

    pub fn lpmf(comptime S: type, y: anytype, eta: anytype, phi: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "eta", "phi" }, .{ y, eta, phi });
        try common.checkFinite(name, "eta", eta);
        try common.checkPositiveFinite(name, "phi", phi);
        var g = ad.Grad(S, @TypeOf(.{ eta, phi })).init(.{ eta, phi });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            if (k < 0) return S.lift(-inf);
            const e = at(eta, i);
            const p = at(phi, i);
            const kf = fl(k);
            const lphi = @log(p);
            const l1p = sp.log1p_exp(e - lphi); // log((mu + phi) / phi)
            const q = sp.inv_logit(e - lphi); // mu / (mu + phi)
            // n log(mu / (mu + phi)) = n (eta - log phi - l1p)
            lp += nbLogCoef(k, p) + kf * (e - lphi - l1p) - p * l1p;
            if (comptime G.wants(0)) g.add(0, i, kf - (kf + p) * q);
            // (mu - n) / (mu + phi) = q - n (1 - q) / phi
            if (comptime G.wants(1)) g.add(1, i, digammaDiff(k, p) - l1p + q - kf * (1.0 - q) / p);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, eta: f64, phi: f64) Error!i64 {
        try common.checkFinite(name, "eta", eta);
        try common.checkPositiveFinite(name, "phi", phi);
        const l = @exp(eta) * sampling.gamma(rng, phi) / phi;
        try checkSamplerRate(name, l);
        return sampling.poisson(rng, l);
    }
};

fn isOpenClosedUnit(x: f64) bool {
    return x > 0 and x <= 1;
}

/// Geometric(theta): number of failures before the first success, success probability theta in
/// (0, 1]; support {0, 1, ...}; P(y) = theta (1 - theta)^y.
pub const geometric = struct {
    pub const name = "geometric";

    pub fn lpmf(comptime S: type, y: anytype, theta: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "theta" }, .{ y, theta });
        try common.check(name, "theta", theta, isOpenClosedUnit, "in (0, 1]");
        var g = ad.Grad(S, @TypeOf(.{theta})).init(.{theta});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const k = intAt(y, i);
            if (k < 0) return S.lift(-inf);
            const t = at(theta, i);
            if (k > 0 and t == 1) return S.lift(-inf);
            const kf = fl(k);
            lp += @log(t) + (if (k > 0) kf * math.log1p(-t) else 0);
            if (comptime G.wants(0)) g.add(0, i, 1.0 / t - (if (k > 0) kf / (1.0 - t) else 0));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, theta: f64) Error!i64 {
        try common.check(name, "theta", theta, isOpenClosedUnit, "in (0, 1]");
        if (theta == 1) return 0;
        const x = @floor(rng.floatExp(f64) / -math.log1p(-theta));
        if (!(x < 0x1p62)) return common.fail("geometric: theta = {} is too small to sample", .{common.num(theta)});
        return @intFromFloat(x);
    }
};

/// Categorical(theta): theta a simplex of K probabilities; support {0, ..., K-1} (0-based).
pub const categorical = struct {
    pub const name = "categorical";

    pub fn lpmf(comptime S: type, y: anytype, theta: anytype) Error!S.Real {
        try common.checkSimplex(name, "theta", theta);
        var g = ad.Grad(S, @TypeOf(.{theta})).init(.{theta});
        const G = @TypeOf(g);
        const k = theta.len;
        var lp: f64 = 0;
        for (0..ad.len(y)) |i| {
            const c = intAt(y, i);
            if (c < 0 or c >= k) return S.lift(-inf);
            const idx: usize = @intCast(c);
            const t = ad.value(theta[idx]);
            if (t == 0) return S.lift(-inf);
            lp += @log(t);
            if (comptime G.wants(0)) g.add(0, idx, 1.0 / t);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, theta: []const f64) Error!i64 {
        try common.checkSimplex(name, "theta", theta);
        return @intCast(sampling.categorical(rng, theta));
    }
};

/// Categorical with unnormalised log probabilities beta: P(y = k) = softmax(beta)_k, 0-based.
pub const categorical_logit = struct {
    pub const name = "categorical_logit";

    pub fn lpmf(comptime S: type, y: anytype, beta: anytype) Error!S.Real {
        if (beta.len == 0) return common.fail("categorical_logit: beta must not be empty", .{});
        try common.checkFinite(name, "beta", beta);
        var g = ad.Grad(S, @TypeOf(.{beta})).init(.{beta});
        const G = @TypeOf(g);
        const k = beta.len;
        var m: f64 = -inf;
        for (0..k) |j| m = @max(m, ad.value(beta[j]));
        var s: f64 = 0;
        for (0..k) |j| s += @exp(ad.value(beta[j]) - m);
        const lse = m + @log(s);
        const n = ad.len(y);
        var lp: f64 = 0;
        for (0..n) |i| {
            const c = intAt(y, i);
            if (c < 0 or c >= k) return S.lift(-inf);
            const idx: usize = @intCast(c);
            lp += ad.value(beta[idx]) - lse;
            if (comptime G.wants(0)) g.add(0, idx, 1.0);
        }
        if (comptime G.wants(0)) {
            const nn: f64 = @floatFromInt(n);
            for (0..k) |j| g.add(0, j, -nn * @exp(ad.value(beta[j]) - lse));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, beta: []const f64) Error!i64 {
        if (beta.len == 0) return common.fail("categorical_logit: beta must not be empty", .{});
        try common.checkFinite(name, "beta", beta);
        // Gumbel-max: argmax(beta_k - log(E_k)), E_k ~ Exp(1).
        var best: usize = 0;
        var best_v: f64 = -inf;
        for (beta, 0..) |b, j| {
            const v = b - @log(rng.floatExp(f64));
            if (v > best_v) {
                best_v = v;
                best = j;
            }
        }
        return @intCast(best);
    }
};

/// Discrete uniform on the integers lower..upper (inclusive), lower <= upper.
pub const discrete_uniform = struct {
    pub const name = "discrete_uniform";

    pub fn lpmf(comptime S: type, y: anytype, lower: anytype, upper: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "lower", "upper" }, .{ y, lower, upper });
        var lp: f64 = 0;
        for (0..n) |i| {
            const lo = intAt(lower, i);
            const hi = intAt(upper, i);
            if (lo > hi) return common.fail("discrete_uniform: upper must be >= lower, got lower = {d}, upper = {d}", .{ lo, hi });
        }
        for (0..n) |i| {
            const v = intAt(y, i);
            const lo = intAt(lower, i);
            const hi = intAt(upper, i);
            if (v < lo or v > hi) return S.lift(-inf);
            lp -= @log(fl(hi) - fl(lo) + 1.0);
        }
        return S.lift(lp);
    }

    pub fn sample(rng: std.Random, lower: i64, upper: i64) Error!i64 {
        if (lower > upper) return common.fail("discrete_uniform: upper must be >= lower, got lower = {d}, upper = {d}", .{ lower, upper });
        return rng.intRangeAtMost(i64, lower, upper);
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const F64 = ad.F64;
const Fwd = ad.Fwd;
const Rev = ad.Rev;
const testing = std.testing;

/// Gradient-check wrapper: D.lpmf(S, y, ints..., reals...) with the integer data fixed.
fn Pmf(comptime D: type, comptime n_: usize, comptime ints: anytype) type {
    return struct {
        pub const n = n_;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return switch (n) {
                1 => @call(.auto, D.lpmf, .{S} ++ ints ++ .{x[0]}),
                2 => @call(.auto, D.lpmf, .{S} ++ ints ++ .{ x[0], x[1] }),
                else => @compileError("arity"),
            };
        }
    };
}

fn drawInts(comptime D: type, params: anytype, seed: u64, out: []i64) !void {
    var prng = std.Random.DefaultPrng.init(seed);
    for (out) |*d| d.* = try @call(.auto, D.sample, .{prng.random()} ++ params);
}

fn intMoments(draws: []const i64, mean: f64, variance: f64) !void {
    var xs: [40000]f64 = undefined;
    for (draws, 0..) |d, i| xs[i] = @floatFromInt(d);
    try sampling.Moments.of(xs[0..draws.len]).expect(mean, variance);
}

/// pmf from the distribution's own lpmf (for frequency checks of the samplers).
fn PmfOf(comptime D: type, comptime P: type) type {
    return struct {
        p: P,
        pub fn at(self: @This(), k: i64) f64 {
            return @exp(@call(.auto, D.lpmf, .{ F64, k } ++ self.p) catch unreachable);
        }
    };
}

fn pmfOf(comptime D: type, params: anytype) PmfOf(D, @TypeOf(params)) {
    return .{ .p = params };
}

// Reference values: scipy.stats 1.17 logpmf, replaced by mpmath (40 digits) where SciPy itself
// is off by more than 1e-15 (the negative binomials at large phi lose ~1e-10 in SciPy; a few
// binomial values ~2e-14).

test "bernoulli: SciPy values, gradient, vectorised, sampler, support, errors" {
    try tu.expectRel(-1.2039728043259361, try bernoulli.lpmf(F64, 1, 0.3), 1e-15);
    try tu.expectRel(-0.35667494393873245, try bernoulli.lpmf(F64, 0, 0.3), 1e-15);
    try tu.expectRel(-0.0010005003335835344, try bernoulli.lpmf(F64, 1, 0.999), 1e-15);
    try tu.checkGradients(Pmf(bernoulli, 1, .{@as(i64, 1)}), &.{ .{0.3}, .{0.9} });
    try tu.checkGradients(Pmf(bernoulli, 1, .{@as(i64, 0)}), &.{ .{0.3}, .{0.9} });
    const ys = [_]i64{ 1, 0, 1, 1 };
    try tu.expectRel(3 * @log(0.3) + @log(0.7), try bernoulli.lpmf(F64, @as([]const i64, &ys), 0.3), 1e-15);
    try testing.expectEqual(-inf, try bernoulli.lpmf(F64, 2, 0.3));
    try testing.expectEqual(-inf, try bernoulli.lpmf(F64, 1, 0.0));
    try testing.expectEqual(@as(f64, 0), try bernoulli.lpmf(F64, 0, 0.0));
    try testing.expectError(error.InvalidParameter, bernoulli.lpmf(F64, 1, 1.2));
    try testing.expectEqualStrings("bernoulli: theta must be in [0, 1], got 1.2", common.lastError());
    var d: [40000]i64 = undefined;
    try drawInts(bernoulli, .{0.3}, 41, &d);
    try intMoments(&d, 0.3, 0.21);
}

test "bernoulli_logit: SciPy values, gradient, vectorised, sampler" {
    const ref = [_]struct { y: i64, a: f64, v: f64 }{
        .{ .y = 1, .a = 0.4, .v = -0.5130152523999526 },   .{ .y = 0, .a = -2.5, .v = -0.07888973429254961 },
        .{ .y = 1, .a = -30.0, .v = -30.000000000000092 }, .{ .y = 0, .a = 3.0, .v = -3.048587351573742 },
    };
    for (ref) |r| try tu.expectRel(r.v, try bernoulli_logit.lpmf(F64, r.y, r.a), 1e-15);
    try tu.checkGradients(Pmf(bernoulli_logit, 1, .{@as(i64, 1)}), &.{ .{0.4}, .{-30.0} });
    try tu.checkGradients(Pmf(bernoulli_logit, 1, .{@as(i64, 0)}), &.{ .{-2.5}, .{3.0} });
    // vectorised with a vector of Var logits: one node, gradient y - inv_logit(alpha)
    defer Rev.deinit();
    Rev.reset();
    const ys = [_]i64{ 1, 0, 1, 0 };
    var av: [4]ad.Var = undefined;
    for (ref, 0..) |r, i| av[i] = Rev.independent(r.a);
    const out = try bernoulli_logit.lpmf(Rev, @as([]const i64, &ys), @as([]const ad.Var, &av));
    var g: [4]f64 = undefined;
    Rev.gradient(out, &av, &g);
    var total: f64 = 0;
    for (ref, ys, 0..) |r, y, i| {
        total += try bernoulli_logit.lpmf(F64, y, r.a);
        try tu.expectRel(@as(f64, @floatFromInt(y)) - sp.inv_logit(r.a), g[i], 1e-15);
    }
    try tu.expectRel(total, out.val, 1e-15);
    var d: [40000]i64 = undefined;
    try drawInts(bernoulli_logit, .{-0.5}, 42, &d);
    const p = sp.inv_logit(-0.5);
    try intMoments(&d, p, p * (1 - p));
}

test "binomial: SciPy values, gradient, vectorised, sampler, support, errors" {
    try tu.expectRel(-1.321151277766889, try binomial.lpmf(F64, 3, 10, 0.3), 1e-14);
    try tu.expectRel(-1.1157177565710488, try binomial.lpmf(F64, 0, 5, 0.2), 1e-14);
    try tu.expectRel(-1.9691483306891784, try binomial.lpmf(F64, 97, 100, 0.95), 1e-14);
    try tu.expectRel(-24.090916252221692, try binomial.lpmf(F64, 500, 1000, 0.4), 1e-14);
    try tu.checkGradients(Pmf(binomial, 1, .{ @as(i64, 3), @as(i64, 10) }), &.{ .{0.3}, .{0.05} });
    try tu.checkGradients(Pmf(binomial, 1, .{ @as(i64, 0), @as(i64, 5) }), &.{.{0.2}});
    try testing.expectEqual(-inf, try binomial.lpmf(F64, 11, 10, 0.3));
    try testing.expectEqual(-inf, try binomial.lpmf(F64, -1, 10, 0.3));
    try testing.expectEqual(@as(f64, 0), try binomial.lpmf(F64, 10, 10, 1.0));
    try testing.expectError(error.InvalidParameter, binomial.lpmf(F64, 1, -3, 0.3));
    try testing.expectEqualStrings("binomial: N must be >= 0, got -3", common.lastError());
    const ks = [_]i64{ 3, 0, 97 };
    const ns = [_]i64{ 10, 5, 100 };
    const ts = [_]f64{ 0.3, 0.2, 0.95 };
    try tu.expectRel(-1.321151277766889 - 1.1157177565710488 - 1.9691483306892144, try binomial.lpmf(F64, @as([]const i64, &ks), @as([]const i64, &ns), @as([]const f64, &ts)), 1e-14);
    var d: [40000]i64 = undefined;
    try drawInts(binomial, .{ @as(i64, 40), 0.35 }, 43, &d);
    try intMoments(&d, 14, 40 * 0.35 * 0.65);
    try sampling.expectPmf(&d, 8, 20, pmfOf(binomial, .{ @as(i64, 40), 0.35 }));
}

test "binomial_logit: SciPy values, gradient, sampler" {
    try tu.expectRel(-1.3235149166957303, try binomial_logit.lpmf(F64, 3, 10, -0.8), 1e-14);
    try tu.expectRel(-7.316412336690154, try binomial_logit.lpmf(F64, 0, 5, 1.2), 1e-14);
    try tu.expectRel(-2.062779576231119, try binomial_logit.lpmf(F64, 97, 100, 2.9), 1e-14);
    try tu.checkGradients(Pmf(binomial_logit, 1, .{ @as(i64, 3), @as(i64, 10) }), &.{ .{-0.8}, .{4.0} });
    var d: [40000]i64 = undefined;
    try drawInts(binomial_logit, .{ @as(i64, 25), 0.3 }, 44, &d);
    const p = sp.inv_logit(0.3);
    try intMoments(&d, 25 * p, 25 * p * (1 - p));
}

test "poisson: SciPy values, gradient, vectorised, sampler, support" {
    const ref = [_]struct { k: i64, l: f64, v: f64 }{
        .{ .k = 0, .l = 0.5, .v = -0.5 },                  .{ .k = 3, .l = 2.5, .v = -1.5428872736055896 },
        .{ .k = 40, .l = 31.7, .v = -3.7679724794279927 }, .{ .k = 2, .l = 0.001, .v = -14.509657738524218 },
    };
    var ks: [4]i64 = undefined;
    var ls: [4]f64 = undefined;
    var total: f64 = 0;
    for (ref, 0..) |r, i| {
        try tu.expectRel(r.v, try poisson.lpmf(F64, r.k, r.l), 1e-14);
        ks[i] = r.k;
        ls[i] = r.l;
        total += r.v;
    }
    try tu.expectRel(total, try poisson.lpmf(F64, @as([]const i64, &ks), @as([]const f64, &ls)), 1e-14);
    try tu.checkGradients(Pmf(poisson, 1, .{@as(i64, 40)}), &.{ .{31.7}, .{0.2} });
    try testing.expectEqual(@as(f64, 0), try poisson.lpmf(F64, 0, 0.0));
    try testing.expectEqual(-inf, try poisson.lpmf(F64, 1, 0.0));
    try testing.expectEqual(-inf, try poisson.lpmf(F64, -1, 2.0));
    var d: [40000]i64 = undefined;
    try drawInts(poisson, .{23.5}, 45, &d);
    try intMoments(&d, 23.5, 23.5);
    var prng = std.Random.DefaultPrng.init(0);
    try testing.expectError(error.InvalidParameter, poisson.sample(prng.random(), 1e300));
}

test "poisson_log: SciPy values, gradient, sampler" {
    try tu.expectRel(-0.4965853037914095, try poisson_log.lpmf(F64, 0, -0.7), 1e-14);
    try tu.expectRel(-1.5513625803850046, try poisson_log.lpmf(F64, 3, 0.9), 1e-14);
    try tu.expectRel(-3.821032023505328, try poisson_log.lpmf(F64, 40, 3.45), 1e-14);
    try tu.checkGradients(Pmf(poisson_log, 1, .{@as(i64, 3)}), &.{ .{0.9}, .{-2.0} });
    try testing.expectEqual(@as(f64, 0), try poisson_log.lpmf(F64, 0, -inf));
    var d: [40000]i64 = undefined;
    try drawInts(poisson_log, .{1.2}, 46, &d);
    try intMoments(&d, @exp(1.2), @exp(1.2));
}

test "neg_binomial_2: reference values, gradients, vectorised, sampler" {
    try tu.expectRel(-1.2709467905808054, try neg_binomial_2.lpmf(F64, 0, 2.0, 1.5), 1e-14);
    try tu.expectRel(-3.4537384568025793, try neg_binomial_2.lpmf(F64, 7, 3.0, 0.8), 1e-14);
    try tu.expectRel(-2.5348825706204687, try neg_binomial_2.lpmf(F64, 15, 12.5, 200.0), 1e-14);
    try tu.expectRel(-1.7403036806102108, try neg_binomial_2.lpmf(F64, 4, 5.0, 1e6), 1e-13);
    try tu.checkGradients(Pmf(neg_binomial_2, 2, .{@as(i64, 7)}), &.{ .{ 3.0, 0.8 }, .{ 12.5, 200.0 } });
    try tu.checkGradients(Pmf(neg_binomial_2, 2, .{@as(i64, 100)}), &.{.{ 80.0, 3.5 }});
    const ks = [_]i64{ 0, 7, 15 };
    const ms = [_]f64{ 2.0, 3.0, 12.5 };
    var total: f64 = 0;
    for (ks, ms) |k, m| total += try neg_binomial_2.lpmf(F64, k, m, 1.5);
    try tu.expectRel(total, try neg_binomial_2.lpmf(F64, @as([]const i64, &ks), @as([]const f64, &ms), 1.5), 1e-15);
    var d: [40000]i64 = undefined;
    try drawInts(neg_binomial_2, .{ 4.0, 2.5 }, 47, &d);
    try intMoments(&d, 4.0, 4.0 + 16.0 / 2.5);
}

test "neg_binomial_2_log: reference values, gradients, sampler" {
    try tu.expectRel(-1.276829258499047, try neg_binomial_2_log.lpmf(F64, 0, 0.7, 1.5), 1e-14);
    try tu.expectRel(-3.4525711057173383, try neg_binomial_2_log.lpmf(F64, 7, 1.1, 0.8), 1e-14);
    try tu.expectRel(-2.5993306006666113, try neg_binomial_2_log.lpmf(F64, 15, 2.5, 200.0), 1e-14);
    try tu.checkGradients(Pmf(neg_binomial_2_log, 2, .{@as(i64, 7)}), &.{ .{ 1.1, 0.8 }, .{ 2.5, 200.0 }, .{ -3.0, 1e4 } });
    var d: [40000]i64 = undefined;
    try drawInts(neg_binomial_2_log, .{ 1.0, 3.0 }, 48, &d);
    const m = @exp(1.0);
    try intMoments(&d, m, m + m * m / 3.0);
}

test "geometric: SciPy values, gradient, sampler" {
    try tu.expectRel(-1.2039728043259361, try geometric.lpmf(F64, 0, 0.3), 1e-15);
    try tu.expectRel(-2.987347524019598, try geometric.lpmf(F64, 5, 0.3), 1e-14);
    try tu.expectRel(-6.04275784149553, try geometric.lpmf(F64, 2, 0.95), 1e-14);
    try tu.checkGradients(Pmf(geometric, 1, .{@as(i64, 5)}), &.{ .{0.3}, .{0.85} });
    try testing.expectError(error.InvalidParameter, geometric.lpmf(F64, 1, 0.0));
    try testing.expectEqualStrings("geometric: theta must be in (0, 1], got 0", common.lastError());
    var d: [40000]i64 = undefined;
    try drawInts(geometric, .{0.25}, 49, &d);
    try intMoments(&d, 0.75 / 0.25, 0.75 / (0.25 * 0.25));
}

test "categorical: values, gradient, vectorised, sampler, support" {
    const th = [_]f64{ 0.2, 0.5, 0.3 };
    const ts: []const f64 = &th;
    try tu.expectRel(@log(0.5), try categorical.lpmf(F64, 1, ts), 1e-15);
    const ys = [_]i64{ 0, 2, 2, 1 };
    try tu.expectRel(@log(0.2) + 2 * @log(0.3) + @log(0.5), try categorical.lpmf(F64, @as([]const i64, &ys), ts), 1e-15);
    try testing.expectEqual(-inf, try categorical.lpmf(F64, 3, ts));
    try testing.expectEqual(-inf, try categorical.lpmf(F64, -1, ts));
    const bad = [_]f64{ 0.2, 0.5, 0.4 };
    try testing.expectError(error.InvalidParameter, categorical.lpmf(F64, 1, @as([]const f64, &bad)));
    defer Rev.deinit();
    Rev.reset();
    var tv: [3]ad.Var = undefined;
    for (th, 0..) |t, i| tv[i] = Rev.independent(t);
    const out = try categorical.lpmf(Rev, @as([]const i64, &ys), @as([]const ad.Var, &tv));
    var g: [3]f64 = undefined;
    Rev.gradient(out, &tv, &g);
    try tu.expectRel(1.0 / 0.2, g[0], 1e-15);
    try tu.expectRel(1.0 / 0.5, g[1], 1e-15);
    try tu.expectRel(2.0 / 0.3, g[2], 1e-15);
    var d: [40000]i64 = undefined;
    try drawInts(categorical, .{ts}, 50, &d);
    try sampling.expectPmf(&d, 0, 2, pmfOf(categorical, .{ts}));
}

test "categorical_logit: SciPy-checked values, gradient against Fwd, sampler" {
    const b = [_]f64{ 0.5, -1.0, 2.0 };
    const bs: []const f64 = &b;
    try tu.expectRel(-1.7413112966571571, try categorical_logit.lpmf(F64, 0, bs), 1e-15);
    try tu.expectRel(-3.241311296657157, try categorical_logit.lpmf(F64, 1, bs), 1e-15);
    try tu.expectRel(-0.24131129665715711, try categorical_logit.lpmf(F64, 2, bs), 1e-14);
    const ys = [_]i64{ 2, 0, 2 };
    defer Rev.deinit();
    Rev.reset();
    var bv: [3]ad.Var = undefined;
    for (b, 0..) |x, i| bv[i] = Rev.independent(x);
    const out = try categorical_logit.lpmf(Rev, @as([]const i64, &ys), @as([]const ad.Var, &bv));
    var g: [3]f64 = undefined;
    Rev.gradient(out, &bv, &g);
    for (0..3) |j| {
        var bd: [3]ad.Dual = undefined;
        for (b, 0..) |x, i| bd[i] = Fwd.dual(x, if (i == j) 1 else 0);
        const r = try categorical_logit.lpmf(Fwd, @as([]const i64, &ys), @as([]const ad.Dual, &bd));
        try tu.expectRel(r.tan, g[j], 1e-14);
        // finite difference
        var bp = b;
        var bm = b;
        bp[j] += 1e-6;
        bm[j] -= 1e-6;
        const fd = ((try categorical_logit.lpmf(F64, @as([]const i64, &ys), @as([]const f64, &bp))) - (try categorical_logit.lpmf(F64, @as([]const i64, &ys), @as([]const f64, &bm)))) / 2e-6;
        try tu.expectClose(fd, r.tan, 1e-7, 1e-8);
    }
    var d: [40000]i64 = undefined;
    try drawInts(categorical_logit, .{bs}, 51, &d);
    try sampling.expectPmf(&d, 0, 2, pmfOf(categorical_logit, .{bs}));
}

test "discrete_uniform: SciPy value, support, sampler, errors" {
    try tu.expectRel(-2.0794415416798357, try discrete_uniform.lpmf(F64, 3, -2, 5), 1e-15);
    try testing.expectEqual(-inf, try discrete_uniform.lpmf(F64, 6, -2, 5));
    try testing.expectError(error.InvalidParameter, discrete_uniform.lpmf(F64, 3, 5, 2));
    try testing.expectEqualStrings("discrete_uniform: upper must be >= lower, got lower = 5, upper = 2", common.lastError());
    const r = try discrete_uniform.lpmf(Rev, 3, -2, 5);
    try testing.expectEqual(@as(u32, 0), r.idx);
    var d: [40000]i64 = undefined;
    try drawInts(discrete_uniform, .{ @as(i64, -2), @as(i64, 5) }, 52, &d);
    try sampling.expectPmf(&d, -2, 5, pmfOf(discrete_uniform, .{ @as(i64, -2), @as(i64, 5) }));
}
