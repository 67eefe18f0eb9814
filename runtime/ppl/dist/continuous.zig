//! Univariate continuous distributions: normalised log densities generic over the AD mode
//! (every real argument differentiable, partials written by hand and pushed as ONE node, also
//! for the vectorised forms), CDFs in log space (lcdf / lccdf) where truncation needs them,
//! samplers, and parameter validation. Every density accepts scalars or sequences for each
//! argument, broadcasting scalars (so `normal.lpdf(S, ys, mu, sigma)` with a slice `ys` is the
//! vectorised form and is summed over the elements).
//!
//! Parametrisations follow Stan: gamma(shape alpha, RATE beta), inv_gamma(shape, scale),
//! weibull(shape alpha, scale sigma), student_t(nu, mu, sigma), pareto(y_min, alpha), etc.; see
//! docs/distributions.md for the formulas.

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const common = @import("common.zig");
const sampling = @import("sampling.zig");
const math = std.math;

const Error = common.Error;
const at = ad.at;
const isSeq = ad.isSeq;
const inf = math.inf(f64);
const log_pi: f64 = 1.1447298858494002;
const log_two: f64 = 0.6931471805599453;

fn logf(x: f64) f64 {
    return @log(x);
}

/// A per-element function of an operand, computed once when the operand is a scalar.
fn Cached(comptime T: type, comptime f: fn (f64) f64) type {
    return struct {
        c: f64,
        inline fn get(self: @This(), x: T, i: usize) f64 {
            return if (comptime isSeq(T)) f(ad.value(x[i])) else self.c;
        }
    };
}

inline fn cached(x: anytype, comptime f: fn (f64) f64) Cached(@TypeOf(x), f) {
    return .{ .c = if (comptime isSeq(@TypeOf(x))) 0 else f(ad.value(x)) };
}

inline fn nf(n: usize) f64 {
    return @floatFromInt(n);
}

/// (a - 1) log y with the convention 0 * log 0 = 0 (densities at the boundary of the support).
inline fn xlogy(a: f64, y: f64) f64 {
    if (a == 0) return 0;
    return a * @log(y);
}

// ---------------------------------------------------------------------------------------------

/// Normal(mu, sigma): mean mu, standard deviation sigma > 0.
pub const normal = struct {
    pub const name = "normal";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            lp -= 0.5 * z * z + ls.get(sigma, i);
            if (comptime G.wants(0)) g.add(0, i, -z / s);
            if (comptime G.wants(1)) g.add(1, i, z / s);
            if (comptime G.wants(2)) g.add(2, i, (z * z - 1.0) / s);
        }
        return g.finish(lp - nf(n) * sp.log_sqrt_2pi);
    }

    fn cdfImpl(comptime S: type, y: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            const v = if (upper) sp.log_Phi(-z) else sp.log_Phi(z);
            if (v == -inf) return S.lift(-inf);
            lp += v;
            const dz = if (upper) -sp.d_log_Phi(-z) else sp.d_log_Phi(z);
            if (math.isInf(z)) continue;
            if (comptime G.wants(0)) g.add(0, i, dz / s);
            if (comptime G.wants(1)) g.add(1, i, -dz / s);
            if (comptime G.wants(2)) g.add(2, i, -dz * z / s);
        }
        return g.finish(lp);
    }

    /// log P(Y <= y)
    pub fn lcdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, false);
    }
    /// log P(Y > y)
    pub fn lccdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, mu: f64, sigma: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return mu + sigma * rng.floatNorm(f64);
    }
};

/// Normal(0, 1).
pub const std_normal = struct {
    pub const name = "std_normal";

    pub fn lpdf(comptime S: type, y: anytype) Error!S.Real {
        const n = ad.len(y);
        try common.checkNotNan(name, "y", y);
        var g = ad.Grad(S, @TypeOf(.{y})).init(.{y});
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const v = at(y, i);
            lp -= 0.5 * v * v;
            if (comptime G.wants(0)) g.add(0, i, -v);
        }
        return g.finish(lp - nf(n) * sp.log_sqrt_2pi);
    }

    pub fn lcdf(comptime S: type, y: anytype) Error!S.Real {
        return normal.lcdf(S, y, 0.0, 1.0);
    }
    pub fn lccdf(comptime S: type, y: anytype) Error!S.Real {
        return normal.lccdf(S, y, 0.0, 1.0);
    }

    pub fn sample(rng: std.Random) Error!f64 {
        return rng.floatNorm(f64);
    }
};

/// Lognormal(mu, sigma): log(Y) ~ normal(mu, sigma); support y > 0.
pub const lognormal = struct {
    pub const name = "lognormal";

    fn validate(y: anytype, mu: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0) or yv == inf) return S.lift(-inf);
            const s = at(sigma, i);
            const ly = @log(yv);
            const z = (ly - at(mu, i)) / s;
            lp -= 0.5 * z * z + ls.get(sigma, i) + ly;
            if (comptime G.wants(0)) g.add(0, i, -(z / s + 1.0) / yv);
            if (comptime G.wants(1)) g.add(1, i, z / s);
            if (comptime G.wants(2)) g.add(2, i, (z * z - 1.0) / s);
        }
        return g.finish(lp - nf(n) * sp.log_sqrt_2pi);
    }

    fn cdfImpl(comptime S: type, y: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0)) {
                if (upper) continue;
                return S.lift(-inf);
            }
            const s = at(sigma, i);
            const z = (@log(yv) - at(mu, i)) / s;
            const v = if (upper) sp.log_Phi(-z) else sp.log_Phi(z);
            if (v == -inf) return S.lift(-inf);
            lp += v;
            if (math.isInf(z)) continue;
            const dz = if (upper) -sp.d_log_Phi(-z) else sp.d_log_Phi(z);
            if (comptime G.wants(0)) g.add(0, i, dz / (s * yv));
            if (comptime G.wants(1)) g.add(1, i, -dz / s);
            if (comptime G.wants(2)) g.add(2, i, -dz * z / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, mu: f64, sigma: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return @exp(mu + sigma * rng.floatNorm(f64));
    }
};

/// log of the standard Student-t density with nu degrees of freedom at t.
fn studentLogDensity(t: f64, nu: f64) f64 {
    return sp.lgamma(0.5 * (nu + 1.0)) - sp.lgamma(0.5 * nu) - 0.5 * @log(nu * math.pi) - 0.5 * (nu + 1.0) * math.log1p(t * t / nu);
}

const TCdf = struct { v: f64, dt: f64, dnu: f64 };

/// log P(T <= t) for the standard Student-t with nu degrees of freedom, with derivatives.
/// Uses P(T <= -|t|) = I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2), 1 - x = t^2 / (nu + t^2).
fn studentLogCdf(t: f64, nu: f64) TCdf {
    if (t == -inf) return .{ .v = -inf, .dt = 0, .dnu = 0 };
    if (t == inf) return .{ .v = 0, .dt = 0, .dnu = 0 };
    const log_dens = studentLogDensity(t, nu);
    if (t == 0) return .{ .v = -log_two, .dt = @exp(log_dens + log_two), .dnu = 0 };
    const t2 = t * t;
    const x = nu / (nu + t2);
    const xc = t2 / (nu + t2);
    const a = 0.5 * nu;
    const r = sp.inc_beta(a, 0.5, x, xc);
    const log_tail = r.log_i - log_two;
    // d log I / d nu = (1/2) d log I / d a + (dI/dx / I) dx/dnu, dx/dnu = t^2 / (nu + t^2)^2
    const didx_over_i = @exp((a - 1.0) * @log(x) - 0.5 * @log(xc) - sp.lbeta(a, 0.5) - r.log_i);
    const dtail_dnu = 0.5 * r.dlogi_da + didx_over_i * t2 / ((nu + t2) * (nu + t2));
    if (t < 0) return .{ .v = log_tail, .dt = @exp(log_dens - log_tail), .dnu = dtail_dnu };
    const v = sp.log1m_exp(log_tail);
    return .{ .v = v, .dt = @exp(log_dens - v), .dnu = -@exp(log_tail - v) * dtail_dnu };
}

/// Student-t(nu, mu, sigma): nu > 0 degrees of freedom, location mu, scale sigma > 0.
pub const student_t = struct {
    pub const name = "student_t";

    fn validate(y: anytype, nu: anytype, mu: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "nu", "mu", "sigma" }, .{ y, nu, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "nu", nu);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    fn normConst(nu: f64) f64 {
        return sp.lgamma(0.5 * (nu + 1.0)) - sp.lgamma(0.5 * nu) - 0.5 * @log(nu * math.pi);
    }
    fn dNormConst(nu: f64) f64 {
        return 0.5 * (sp.digamma(0.5 * (nu + 1.0)) - sp.digamma(0.5 * nu)) - 0.5 / nu;
    }

    pub fn lpdf(comptime S: type, y: anytype, nu: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, nu, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, nu, mu, sigma })).init(.{ y, nu, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        const cn = cached(nu, normConst);
        const dcn = if (comptime G.wants(1)) cached(nu, dNormConst) else undefined;
        var lp: f64 = 0;
        for (0..n) |i| {
            const v = at(nu, i);
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            const z2 = z * z;
            const l1p = math.log1p(z2 / v);
            lp += cn.get(nu, i) - ls.get(sigma, i) - 0.5 * (v + 1.0) * l1p;
            const w = (v + 1.0) / (v + z2);
            if (comptime G.wants(0)) g.add(0, i, -w * z / s);
            if (comptime G.wants(1)) g.add(1, i, dcn.get(nu, i) - 0.5 * l1p + 0.5 * w * z2 / v);
            if (comptime G.wants(2)) g.add(2, i, w * z / s);
            if (comptime G.wants(3)) g.add(3, i, (w * z2 - 1.0) / s);
        }
        return g.finish(lp);
    }

    fn cdfImpl(comptime S: type, y: anytype, nu: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, nu, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, nu, mu, sigma })).init(.{ y, nu, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const t = (at(y, i) - at(mu, i)) / s;
            var r = studentLogCdf(if (upper) -t else t, at(nu, i));
            if (upper) r.dt = -r.dt;
            if (r.v == -inf) return S.lift(-inf);
            lp += r.v;
            if (comptime G.wants(0)) g.add(0, i, r.dt / s);
            if (comptime G.wants(1)) g.add(1, i, r.dnu);
            if (comptime G.wants(2)) g.add(2, i, -r.dt / s);
            if (comptime G.wants(3)) g.add(3, i, -r.dt * t / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, nu: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, nu, mu, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, nu: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, nu, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, nu: f64, mu: f64, sigma: f64) Error!f64 {
        try common.checkPositiveFinite(name, "nu", nu);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        const chi2 = 2.0 * sampling.gamma(rng, 0.5 * nu);
        return mu + sigma * rng.floatNorm(f64) / @sqrt(chi2 / nu);
    }
};

/// Cauchy(mu, sigma): location mu, scale sigma > 0.
pub const cauchy = struct {
    pub const name = "cauchy";

    fn validate(y: anytype, mu: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            const q = 1.0 + z * z;
            lp -= ls.get(sigma, i) + math.log1p(z * z);
            if (comptime G.wants(0)) g.add(0, i, -2.0 * z / (s * q));
            if (comptime G.wants(1)) g.add(1, i, 2.0 * z / (s * q));
            if (comptime G.wants(2)) g.add(2, i, (z * z - 1.0) / (s * q));
        }
        return g.finish(lp - nf(n) * log_pi);
    }

    /// log P(Z <= z) for the standard Cauchy, with d/dz; atan(1/z) keeps tails accurate.
    fn logCdf(z: f64) struct { v: f64, dz: f64 } {
        if (z == -inf) return .{ .v = -inf, .dz = 0 };
        const v = if (z < 0) @log(math.atan(-1.0 / z) / math.pi) else math.log1p(-math.atan(1.0 / z) / math.pi);
        if (math.isInf(z)) return .{ .v = v, .dz = 0 };
        return .{ .v = v, .dz = @exp(-log_pi - math.log1p(z * z) - v) };
    }

    fn cdfImpl(comptime S: type, y: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            var r = logCdf(if (upper) -z else z);
            if (upper) r.dz = -r.dz;
            if (r.v == -inf) return S.lift(-inf);
            lp += r.v;
            if (comptime G.wants(0)) g.add(0, i, r.dz / s);
            if (comptime G.wants(1)) g.add(1, i, -r.dz / s);
            if (comptime G.wants(2)) g.add(2, i, if (math.isInf(z)) 0 else -r.dz * z / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, mu: f64, sigma: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return mu + sigma * @tan(math.pi * (sampling.uniformOpen(rng) - 0.5));
    }
};

/// Exponential(lambda): rate lambda > 0; support y >= 0.
pub const exponential = struct {
    pub const name = "exponential";

    fn validate(y: anytype, lambda: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "lambda" }, .{ y, lambda });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "lambda", lambda);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, lambda: anytype) Error!S.Real {
        const n = try validate(y, lambda);
        var g = ad.Grad(S, @TypeOf(.{ y, lambda })).init(.{ y, lambda });
        const G = @TypeOf(g);
        const ll = cached(lambda, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const l = at(lambda, i);
            lp += ll.get(lambda, i) - l * yv;
            if (comptime G.wants(0)) g.add(0, i, -l);
            if (comptime G.wants(1)) g.add(1, i, 1.0 / l - yv);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, lambda: anytype) Error!S.Real {
        const n = try validate(y, lambda);
        var g = ad.Grad(S, @TypeOf(.{ y, lambda })).init(.{ y, lambda });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0)) return S.lift(-inf);
            if (yv == inf) continue;
            const l = at(lambda, i);
            lp += sp.log1m_exp(-l * yv);
            // d/dx log(1 - e^-x) = 1 / expm1(x), x = lambda y
            const d = 1.0 / math.expm1(l * yv);
            if (comptime G.wants(0)) g.add(0, i, d * l);
            if (comptime G.wants(1)) g.add(1, i, d * yv);
        }
        return g.finish(lp);
    }

    pub fn lccdf(comptime S: type, y: anytype, lambda: anytype) Error!S.Real {
        const n = try validate(y, lambda);
        var g = ad.Grad(S, @TypeOf(.{ y, lambda })).init(.{ y, lambda });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0)) continue;
            if (yv == inf) return S.lift(-inf);
            const l = at(lambda, i);
            lp -= l * yv;
            if (comptime G.wants(0)) g.add(0, i, -l);
            if (comptime G.wants(1)) g.add(1, i, -yv);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, lambda: f64) Error!f64 {
        try common.checkPositiveFinite(name, "lambda", lambda);
        return rng.floatExp(f64) / lambda;
    }
};

/// Gamma(alpha, beta): shape alpha > 0, RATE beta > 0 (mean alpha / beta); support y >= 0.
pub const gamma = struct {
    pub const name = "gamma";

    fn validate(y: anytype, alpha: anytype, beta_: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "alpha", "beta" }, .{ y, alpha, beta_ });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "beta", beta_);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        const n = try validate(y, alpha, beta_);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        const lga = cached(alpha, sp.lgamma);
        const dga = if (comptime G.wants(1)) cached(alpha, sp.digamma) else undefined;
        const lb = cached(beta_, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const a = at(alpha, i);
            const b = at(beta_, i);
            const lby = lb.get(beta_, i);
            const ly = @log(yv);
            lp += a * lby - lga.get(alpha, i) + xlogy(a - 1.0, yv) - b * yv;
            if (comptime G.wants(0)) g.add(0, i, (a - 1.0) / yv - b);
            if (comptime G.wants(1)) g.add(1, i, lby - dga.get(alpha, i) + ly);
            if (comptime G.wants(2)) g.add(2, i, a / b - yv);
        }
        return g.finish(lp);
    }

    fn cdfImpl(comptime S: type, y: anytype, alpha: anytype, beta_: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, alpha, beta_);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0)) {
                if (upper) continue;
                return S.lift(-inf);
            }
            const a = at(alpha, i);
            const b = at(beta_, i);
            const x = b * yv;
            const r = sp.inc_gamma(a, x);
            const v = if (upper) r.log_q else r.log_p;
            if (v == -inf) return S.lift(-inf);
            lp += v;
            if (math.isInf(x)) continue;
            // density of x relative to the (upper) probability
            const dens = @exp((a - 1.0) * @log(x) - x - sp.lgamma(a) - v);
            const dx = if (upper) -dens else dens;
            if (comptime G.wants(0)) g.add(0, i, dx * b);
            if (comptime G.wants(1)) g.add(1, i, if (upper) r.dlogq_da else r.dlogp_da);
            if (comptime G.wants(2)) g.add(2, i, dx * yv);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, beta_, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, beta_, true);
    }

    pub fn sample(rng: std.Random, alpha: f64, beta_: f64) Error!f64 {
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "beta", beta_);
        return sampling.gamma(rng, alpha) / beta_;
    }
};

/// Inverse gamma(alpha, beta_): shape alpha > 0, SCALE beta_ > 0 (1/Y ~ gamma(alpha, rate beta_)).
pub const inv_gamma = struct {
    pub const name = "inv_gamma";

    pub fn lpdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "alpha", "beta" }, .{ y, alpha, beta_ });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "beta", beta_);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        const lga = cached(alpha, sp.lgamma);
        const lb = cached(beta_, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0) or yv == inf) return S.lift(-inf);
            const a = at(alpha, i);
            const b = at(beta_, i);
            const ly = @log(yv);
            const lby = lb.get(beta_, i);
            lp += a * lby - lga.get(alpha, i) - (a + 1.0) * ly - b / yv;
            if (comptime G.wants(0)) g.add(0, i, -(a + 1.0) / yv + b / (yv * yv));
            if (comptime G.wants(1)) g.add(1, i, lby - sp.digamma(a) - ly);
            if (comptime G.wants(2)) g.add(2, i, a / b - 1.0 / yv);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, alpha: f64, beta_: f64) Error!f64 {
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "beta", beta_);
        return beta_ / sampling.gamma(rng, alpha);
    }
};

/// Beta(alpha, beta): shapes alpha, beta > 0; support 0 <= y <= 1.
pub const beta = struct {
    pub const name = "beta";

    fn validate(y: anytype, a: anytype, b: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "alpha", "beta" }, .{ y, a, b });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "alpha", a);
        try common.checkPositiveFinite(name, "beta", b);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        const n = try validate(y, alpha, beta_);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0 and yv <= 1)) return S.lift(-inf);
            const a = at(alpha, i);
            const b = at(beta_, i);
            const l1m = math.log1p(-yv);
            lp += xlogy(a - 1.0, yv) + (if (b == 1) 0 else (b - 1.0) * l1m) - sp.lbeta(a, b);
            if (comptime G.wants(0)) g.add(0, i, (a - 1.0) / yv - (b - 1.0) / (1.0 - yv));
            if (comptime G.wants(1) or G.wants(2)) {
                const dab = sp.digamma(a + b);
                if (comptime G.wants(1)) g.add(1, i, @log(yv) - sp.digamma(a) + dab);
                if (comptime G.wants(2)) g.add(2, i, l1m - sp.digamma(b) + dab);
            }
        }
        return g.finish(lp);
    }

    fn cdfImpl(comptime S: type, y: anytype, alpha: anytype, beta_: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, alpha, beta_);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = @max(0.0, @min(1.0, at(y, i)));
            const a = at(alpha, i);
            const b = at(beta_, i);
            const r = sp.inc_beta(a, b, yv, 1.0 - yv);
            const v = if (upper) r.log_1mi else r.log_i;
            if (v == -inf) return S.lift(-inf);
            lp += v;
            if (yv == 0 or yv == 1) continue;
            const dens = @exp((a - 1.0) * @log(yv) + (b - 1.0) * math.log1p(-yv) - sp.lbeta(a, b) - v);
            if (comptime G.wants(0)) g.add(0, i, if (upper) -dens else dens);
            if (comptime G.wants(1)) g.add(1, i, if (upper) r.dlog1mi_da else r.dlogi_da);
            if (comptime G.wants(2)) g.add(2, i, if (upper) r.dlog1mi_db else r.dlogi_db);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, beta_, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, beta_, true);
    }

    pub fn sample(rng: std.Random, alpha: f64, beta_: f64) Error!f64 {
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "beta", beta_);
        return sampling.beta(rng, alpha, beta_);
    }
};

/// Uniform(alpha, beta): alpha < beta, both finite; support alpha <= y <= beta.
pub const uniform = struct {
    pub const name = "uniform";

    pub fn lpdf(comptime S: type, y: anytype, alpha: anytype, beta_: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "alpha", "beta" }, .{ y, alpha, beta_ });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "alpha", alpha);
        try common.checkFinite(name, "beta", beta_);
        for (0..n) |i| {
            const a = at(alpha, i);
            const b = at(beta_, i);
            if (!(a < b)) return common.fail("uniform: beta must be greater than alpha, got alpha = {}, beta = {}", .{ common.num(a), common.num(b) });
        }
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, beta_ })).init(.{ y, alpha, beta_ });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            const a = at(alpha, i);
            const b = at(beta_, i);
            if (!(yv >= a and yv <= b)) return S.lift(-inf);
            lp -= @log(b - a);
            if (comptime G.wants(1)) g.add(1, i, 1.0 / (b - a));
            if (comptime G.wants(2)) g.add(2, i, -1.0 / (b - a));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, alpha: f64, beta_: f64) Error!f64 {
        try common.checkFinite(name, "alpha", alpha);
        try common.checkFinite(name, "beta", beta_);
        if (!(alpha < beta_)) return common.fail("uniform: beta must be greater than alpha, got alpha = {}, beta = {}", .{ common.num(alpha), common.num(beta_) });
        return alpha + (beta_ - alpha) * rng.float(f64);
    }
};

/// Weibull(alpha, sigma): shape alpha > 0, scale sigma > 0; support y >= 0.
pub const weibull = struct {
    pub const name = "weibull";

    fn validate(y: anytype, alpha: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "alpha", "sigma" }, .{ y, alpha, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, alpha: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, alpha, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, sigma })).init(.{ y, alpha, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const a = at(alpha, i);
            const s = at(sigma, i);
            const lr = @log(yv / s);
            const w = @exp(a * lr); // (y / sigma)^alpha
            lp += @log(a) - @log(s) + xlogy(a - 1.0, yv / s) - w;
            if (comptime G.wants(0)) g.add(0, i, ((a - 1.0) - a * w) / yv);
            if (comptime G.wants(1)) g.add(1, i, 1.0 / a + lr * (1.0 - w));
            if (comptime G.wants(2)) g.add(2, i, a * (w - 1.0) / s);
        }
        return g.finish(lp);
    }

    fn cdfImpl(comptime S: type, y: anytype, alpha: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, alpha, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, alpha, sigma })).init(.{ y, alpha, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv > 0)) {
                if (upper) continue;
                return S.lift(-inf);
            }
            const a = at(alpha, i);
            const s = at(sigma, i);
            const lr = @log(yv / s);
            const w = @exp(a * lr);
            // lccdf = -w, lcdf = log(1 - e^-w); derivative with respect to w:
            const v = if (upper) -w else sp.log1m_exp(-w);
            if (v == -inf) return S.lift(-inf);
            lp += v;
            const dw = if (upper) -1.0 else 1.0 / math.expm1(w);
            if (math.isInf(w)) continue;
            if (comptime G.wants(0)) g.add(0, i, dw * a * w / yv);
            if (comptime G.wants(1)) g.add(1, i, dw * w * lr);
            if (comptime G.wants(2)) g.add(2, i, -dw * a * w / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, alpha: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, alpha: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, alpha, sigma, true);
    }

    pub fn sample(rng: std.Random, alpha: f64, sigma: f64) Error!f64 {
        try common.checkPositiveFinite(name, "alpha", alpha);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return sigma * math.pow(f64, rng.floatExp(f64), 1.0 / alpha);
    }
};

/// Double exponential (Laplace)(mu, sigma): location mu, scale sigma > 0.
pub const double_exponential = struct {
    pub const name = "double_exponential";

    fn validate(y: anytype, mu: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const d = at(y, i) - at(mu, i);
            const sgn: f64 = if (d > 0) 1.0 else if (d < 0) -1.0 else 0.0;
            lp -= ls.get(sigma, i) + @abs(d) / s;
            if (comptime G.wants(0)) g.add(0, i, -sgn / s);
            if (comptime G.wants(1)) g.add(1, i, sgn / s);
            if (comptime G.wants(2)) g.add(2, i, -1.0 / s + @abs(d) / (s * s));
        }
        return g.finish(lp - nf(n) * log_two);
    }

    /// log P(Z <= z) for the standard Laplace, with d/dz.
    fn logCdf(z: f64) struct { v: f64, dz: f64 } {
        if (z < 0) return .{ .v = z - log_two, .dz = 1 };
        const h = 0.5 * @exp(-z);
        return .{ .v = math.log1p(-h), .dz = h / (1.0 - h) };
    }

    fn cdfImpl(comptime S: type, y: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            var r = logCdf(if (upper) -z else z);
            if (upper) r.dz = -r.dz;
            if (r.v == -inf) return S.lift(-inf);
            lp += r.v;
            if (math.isInf(z)) continue;
            if (comptime G.wants(0)) g.add(0, i, r.dz / s);
            if (comptime G.wants(1)) g.add(1, i, -r.dz / s);
            if (comptime G.wants(2)) g.add(2, i, -r.dz * z / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, mu: f64, sigma: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return mu + sigma * (rng.floatExp(f64) - rng.floatExp(f64));
    }
};

/// Alias of `double_exponential`.
pub const laplace = double_exponential;

/// Logistic(mu, sigma): location mu, scale sigma > 0.
pub const logistic = struct {
    pub const name = "logistic";

    fn validate(y: anytype, mu: anytype, sigma: anytype) Error!usize {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ y, mu, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        return n;
    }

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            const az = @abs(z);
            // log density (symmetric): -|z| - 2 log1p(e^-|z|) - log s
            lp -= az + 2.0 * math.log1p(@exp(-az)) + ls.get(sigma, i);
            const fz = 1.0 - 2.0 * sp.inv_logit(z); // d/dz of the log density
            if (comptime G.wants(0)) g.add(0, i, fz / s);
            if (comptime G.wants(1)) g.add(1, i, -fz / s);
            if (comptime G.wants(2)) g.add(2, i, -1.0 / s - fz * z / s);
        }
        return g.finish(lp);
    }

    fn cdfImpl(comptime S: type, y: anytype, mu: anytype, sigma: anytype, comptime upper: bool) Error!S.Real {
        const n = try validate(y, mu, sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, sigma })).init(.{ y, mu, sigma });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const s = at(sigma, i);
            const z = (at(y, i) - at(mu, i)) / s;
            // lcdf = log inv_logit(z), lccdf = log inv_logit(-z)
            const zz = if (upper) -z else z;
            const v = sp.log_inv_logit(zz);
            if (v == -inf) return S.lift(-inf);
            lp += v;
            const dz = if (upper) -sp.inv_logit(-zz) else sp.inv_logit(-zz);
            if (math.isInf(z)) continue;
            if (comptime G.wants(0)) g.add(0, i, dz / s);
            if (comptime G.wants(1)) g.add(1, i, -dz / s);
            if (comptime G.wants(2)) g.add(2, i, -dz * z / s);
        }
        return g.finish(lp);
    }

    pub fn lcdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, false);
    }
    pub fn lccdf(comptime S: type, y: anytype, mu: anytype, sigma: anytype) Error!S.Real {
        return cdfImpl(S, y, mu, sigma, true);
    }

    pub fn sample(rng: std.Random, mu: f64, sigma: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkPositiveFinite(name, "sigma", sigma);
        const u = sampling.uniformOpen(rng);
        return mu + sigma * (@log(u) - math.log1p(-u));
    }
};

/// Chi-square(nu): degrees of freedom nu > 0; support y >= 0.
pub const chi_square = struct {
    pub const name = "chi_square";

    pub fn lpdf(comptime S: type, y: anytype, nu: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "nu" }, .{ y, nu });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "nu", nu);
        var g = ad.Grad(S, @TypeOf(.{ y, nu })).init(.{ y, nu });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const h = 0.5 * at(nu, i);
            lp += -h * log_two - sp.lgamma(h) + xlogy(h - 1.0, yv) - 0.5 * yv;
            if (comptime G.wants(0)) g.add(0, i, (h - 1.0) / yv - 0.5);
            if (comptime G.wants(1)) g.add(1, i, 0.5 * (-log_two - sp.digamma(h) + @log(yv)));
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, nu: f64) Error!f64 {
        try common.checkPositiveFinite(name, "nu", nu);
        return 2.0 * sampling.gamma(rng, 0.5 * nu);
    }
};

/// Pareto(y_min, alpha): scale y_min > 0, shape alpha > 0; support y >= y_min.
pub const pareto = struct {
    pub const name = "pareto";

    pub fn lpdf(comptime S: type, y: anytype, y_min: anytype, alpha: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "y_min", "alpha" }, .{ y, y_min, alpha });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "y_min", y_min);
        try common.checkPositiveFinite(name, "alpha", alpha);
        var g = ad.Grad(S, @TypeOf(.{ y, y_min, alpha })).init(.{ y, y_min, alpha });
        const G = @TypeOf(g);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            const m = at(y_min, i);
            if (!(yv >= m) or yv == inf) return S.lift(-inf);
            const a = at(alpha, i);
            const ly = @log(yv);
            const lm = @log(m);
            lp += @log(a) + a * lm - (a + 1.0) * ly;
            if (comptime G.wants(0)) g.add(0, i, -(a + 1.0) / yv);
            if (comptime G.wants(1)) g.add(1, i, a / m);
            if (comptime G.wants(2)) g.add(2, i, 1.0 / a + lm - ly);
        }
        return g.finish(lp);
    }

    pub fn sample(rng: std.Random, y_min: f64, alpha: f64) Error!f64 {
        try common.checkPositiveFinite(name, "y_min", y_min);
        try common.checkPositiveFinite(name, "alpha", alpha);
        return y_min * @exp(rng.floatExp(f64) / alpha);
    }
};

/// von Mises(mu, kappa): location mu, concentration kappa >= 0; density 2 pi-periodic in y
/// (normalised over any interval of length 2 pi); samples are wrapped into [-pi, pi].
pub const von_mises = struct {
    pub const name = "von_mises";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, kappa: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "mu", "kappa" }, .{ y, mu, kappa });
        try common.checkNotNan(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkNonNegativeFinite(name, "kappa", kappa);
        var g = ad.Grad(S, @TypeOf(.{ y, mu, kappa })).init(.{ y, mu, kappa });
        const G = @TypeOf(g);
        const li0 = cached(kappa, logI0Scaled);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (math.isInf(yv)) return S.lift(-inf);
            const k = at(kappa, i);
            const d = yv - at(mu, i);
            const h = @sin(0.5 * d);
            // kappa cos d - log I0(kappa) = kappa (cos d - 1) - (log I0(kappa) - kappa)
            lp += -2.0 * k * h * h - li0.get(kappa, i);
            const sd = @sin(d);
            if (comptime G.wants(0)) g.add(0, i, -k * sd);
            if (comptime G.wants(1)) g.add(1, i, k * sd);
            if (comptime G.wants(2)) g.add(2, i, @cos(d) - sp.bessel_i1_over_i0(k));
        }
        return g.finish(lp - nf(n) * sp.log_2pi);
    }

    fn logI0Scaled(k: f64) f64 {
        return sp.log_bessel_i0(k) - k;
    }

    pub fn sample(rng: std.Random, mu: f64, kappa: f64) Error!f64 {
        try common.checkFinite(name, "mu", mu);
        try common.checkNonNegativeFinite(name, "kappa", kappa);
        return sampling.vonMises(rng, mu, kappa);
    }
};

/// Half-normal(sigma): |X| for X ~ normal(0, sigma); support y >= 0.
pub const half_normal = struct {
    pub const name = "half_normal";

    pub fn lpdf(comptime S: type, y: anytype, sigma: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "sigma" }, .{ y, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, sigma })).init(.{ y, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const s = at(sigma, i);
            const z = yv / s;
            lp -= 0.5 * z * z + ls.get(sigma, i);
            if (comptime G.wants(0)) g.add(0, i, -z / s);
            if (comptime G.wants(1)) g.add(1, i, (z * z - 1.0) / s);
        }
        return g.finish(lp + nf(n) * (log_two - sp.log_sqrt_2pi));
    }

    pub fn sample(rng: std.Random, sigma: f64) Error!f64 {
        try common.checkPositiveFinite(name, "sigma", sigma);
        return sigma * @abs(rng.floatNorm(f64));
    }
};

/// Half-Cauchy(sigma): |X| for X ~ cauchy(0, sigma); support y >= 0.
pub const half_cauchy = struct {
    pub const name = "half_cauchy";

    pub fn lpdf(comptime S: type, y: anytype, sigma: anytype) Error!S.Real {
        const n = try common.broadcastLen(name, &.{ "y", "sigma" }, .{ y, sigma });
        try common.checkNotNan(name, "y", y);
        try common.checkPositiveFinite(name, "sigma", sigma);
        var g = ad.Grad(S, @TypeOf(.{ y, sigma })).init(.{ y, sigma });
        const G = @TypeOf(g);
        const ls = cached(sigma, logf);
        var lp: f64 = 0;
        for (0..n) |i| {
            const yv = at(y, i);
            if (!(yv >= 0) or yv == inf) return S.lift(-inf);
            const s = at(sigma, i);
            const z = yv / s;
            const q = 1.0 + z * z;
            lp -= ls.get(sigma, i) + math.log1p(z * z);
            if (comptime G.wants(0)) g.add(0, i, -2.0 * z / (s * q));
            if (comptime G.wants(1)) g.add(1, i, (z * z - 1.0) / (s * q));
        }
        return g.finish(lp + nf(n) * (log_two - log_pi));
    }

    pub fn sample(rng: std.Random, sigma: f64) Error!f64 {
        try common.checkPositiveFinite(name, "sigma", sigma);
        return sigma * @abs(@tan(math.pi * (sampling.uniformOpen(rng) - 0.5)));
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

/// Wraps `D.<f>(S, x...)` with n real arguments as a gradient-check function.
fn Fn(comptime D: type, comptime f: []const u8, comptime n_: usize) type {
    return struct {
        pub const n = n_;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            const func = @field(D, f);
            return switch (n) {
                1 => func(S, x[0]),
                2 => func(S, x[0], x[1]),
                3 => func(S, x[0], x[1], x[2]),
                4 => func(S, x[0], x[1], x[2], x[3]),
                else => @compileError("arity"),
            };
        }
    };
}

fn callSeq(comptime D: type, comptime f: []const u8, comptime S: type, comptime n: usize, args: [n][]const S.Real) !S.Real {
    const func = @field(D, f);
    return switch (n) {
        1 => func(S, args[0]),
        2 => func(S, args[0], args[1]),
        3 => func(S, args[0], args[1], args[2]),
        4 => func(S, args[0], args[1], args[2], args[3]),
        else => @compileError("arity"),
    };
}

/// Values against SciPy (columns: the n arguments, lpdf, then lcdf and lccdf if has_cdf),
/// gradients of every function at every point, and the vectorised form (all arguments as
/// sequences) against the sum of the scalar calls, value and reverse-mode gradient.
fn runReference(comptime D: type, comptime n: usize, comptime has_cdf: bool, comptime width: usize, ref: []const [width]f64, tol: f64) !void {
    const fns = if (has_cdf) [_][]const u8{ "lpdf", "lcdf", "lccdf" } else [_][]const u8{"lpdf"};
    const max_pts = 8;
    std.debug.assert(ref.len <= max_pts);
    inline for (fns, 0..) |f, c| {
        var pts: [max_pts][n]f64 = undefined;
        var total: f64 = 0;
        for (ref, 0..) |r, k| {
            pts[k] = r[0..n].*;
            const v = try Fn(D, f, n).eval(F64, pts[k]);
            tu.expectRel(r[n + c], v, tol) catch |e| {
                std.debug.print("{s}.{s} at {any}\n", .{ D.name, f, pts[k] });
                return e;
            };
            total += v;
        }
        try tu.checkGradients(Fn(D, f, n), pts[0..ref.len]);
        // Vectorised: every argument a sequence of Vars.
        defer Rev.deinit();
        Rev.reset();
        var vars: [n][max_pts]ad.Var = undefined;
        var seqs: [n][]const ad.Var = undefined;
        for (0..n) |j| {
            for (ref, 0..) |r, k| vars[j][k] = Rev.independent(r[j]);
            seqs[j] = vars[j][0..ref.len];
        }
        const before = Rev.size();
        const out = try callSeq(D, f, Rev, n, seqs);
        try testing.expectEqual(before + 1, Rev.size()); // one node for the whole vector
        try tu.expectClose(total, out.val, 1e-14, 1e-14);
        var g: [n * max_pts]f64 = undefined;
        var flat: [n * max_pts]ad.Var = undefined;
        for (0..n) |j| for (0..ref.len) |k| {
            flat[j * ref.len + k] = vars[j][k];
        };
        Rev.gradient(out, flat[0 .. n * ref.len], g[0 .. n * ref.len]);
        for (ref, 0..) |r, k| {
            var d: [n]ad.Dual = undefined;
            for (0..n) |j| {
                for (0..n) |i| d[i] = Fwd.dual(r[i], if (i == j) 1 else 0);
                const fr = try Fn(D, f, n).eval(Fwd, d);
                try tu.expectClose(fr.tan, g[j * ref.len + k], 1e-12, 1e-300);
            }
        }
    }
}

/// KS check of D.sample against exp(D.lcdf) for the given parameters.
fn ksAgainstCdf(comptime D: type, params: anytype, seed: u64) !void {
    var xs: [4000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(seed);
    for (&xs) |*x| x.* = try @call(.auto, D.sample, .{prng.random()} ++ params);
    const C = struct {
        p: @TypeOf(params),
        pub fn at(self: @This(), x: f64) f64 {
            return @exp(@call(.auto, D.lcdf, .{ F64, x } ++ self.p) catch unreachable);
        }
    };
    try tu.expectKs(&xs, C{ .p = params });
}

fn sampleMoments(comptime D: type, params: anytype, seed: u64, mean: f64, variance: f64) !void {
    var xs: [40000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(seed);
    for (&xs) |*x| x.* = try @call(.auto, D.sample, .{prng.random()} ++ params);
    try sampling.Moments.of(&xs).expect(mean, variance);
}

// Reference values: scipy.stats 1.17 logpdf / logcdf / logsf.

test "normal: SciPy values, gradients, vectorised, sampler, errors" {
    try runReference(normal, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -1.6920857137646181, -0.42247637022777607, -1.0654340491895766 },
        .{ -3.0, 0.2, 0.7, -11.011243181102678, -12.930895417119105, -2.4220549963523567e-06 },
        .{ 12.0, -1.0, 1.5, -38.87995919686839, -2.224775978510436e-18, -40.64687544715911 },
    }, 1e-13);
    try ksAgainstCdf(normal, .{ 1.0, 2.0 }, 11);
    try sampleMoments(normal, .{ -1.0, 3.0 }, 12, -1.0, 9.0);
    try testing.expectError(error.InvalidParameter, normal.lpdf(F64, 1.0, 0.0, -1.0));
    try testing.expectEqualStrings("normal: sigma must be positive and finite, got -1", common.lastError());
    try testing.expectError(error.InvalidParameter, normal.lpdf(F64, math.nan(f64), 0.0, 1.0));
    var prng = std.Random.DefaultPrng.init(0);
    try testing.expectError(error.InvalidParameter, normal.sample(prng.random(), math.inf(f64), 1.0));
    // broadcasting: y vector, scalar parameters
    const ys = [_]f64{ 0.5, -1.0, 2.0 };
    var s: f64 = 0;
    for (ys) |y| s += try normal.lpdf(F64, y, 0.3, 1.7);
    try tu.expectRel(s, try normal.lpdf(F64, @as([]const f64, &ys), 0.3, 1.7), 1e-15);
    try testing.expectEqual(@as(f64, 0), try normal.lpdf(F64, @as([]const f64, &.{}), 0.3, 1.7));
}

test "std_normal: SciPy values, gradients, vectorised, sampler" {
    try runReference(std_normal, 1, true, 4, &.{
        .{ 0.3, -0.9639385332046727, -0.4814101615884813, -0.9621028181688505 },
        .{ -2.5, -4.043938533204672, -5.081648277278691, -0.00622902548586 },
        .{ 9.0, -41.418938533204674, -1.1285884059538324e-19, -43.62814911333212 },
    }, 1e-13);
    try ksAgainstCdf(std_normal, .{}, 13);
}

test "lognormal: SciPy values, gradients, vectorised, sampler, support" {
    try runReference(lognormal, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -1.8815088210823687, -0.7925039188618258, -0.6027761350721059 },
        .{ 0.05, 0.2, 0.7, -7.987658626155381, -12.901813435230277, -2.493527487232398e-06 },
        .{ 40.0, -1.0, 1.5, -9.898969881029396, -0.0008866428635702296, -7.028511579490612 },
    }, 1e-12);
    try ksAgainstCdf(lognormal, .{ 0.3, 0.8 }, 14);
    try testing.expectEqual(-inf, try lognormal.lpdf(F64, -1.0, 0.0, 1.0));
    try testing.expectEqual(-inf, try lognormal.lcdf(F64, 0.0, 0.0, 1.0));
    try testing.expectEqual(@as(f64, 0), try lognormal.lccdf(F64, -2.0, 0.0, 1.0));
}

test "student_t: SciPy values, gradients (incl. nu in the CDFs), vectorised, sampler" {
    try runReference(student_t, 4, true, 7, &.{
        .{ 1.3, 3.0, 0.5, 2.0, -1.7979555080448772, -0.4431164734321905, -1.027312863757784 },
        .{ -3.0, 0.7, 0.2, 0.7, -3.7802213438233334, -2.239669821169481, -0.11260184930689111 },
        .{ 25.0, 12.5, -1.0, 1.5, -23.081387466405154, -2.043659897227859e-10, -22.311108662334384 },
    }, 1e-12);
    try ksAgainstCdf(student_t, .{ 4.5, 1.0, 2.0 }, 15);
    try ksAgainstCdf(student_t, .{ 0.8, 0.0, 1.0 }, 16);
    try testing.expectError(error.InvalidParameter, student_t.lpdf(F64, 1.0, 0.0, 0.0, 1.0));
    try testing.expectEqualStrings("student_t: nu must be positive and finite, got 0", common.lastError());
    try tu.expectRel(-log_two, try student_t.lcdf(F64, 2.0, 3.0, 2.0, 1.5), 1e-15);
}

test "cauchy: SciPy values, gradients, vectorised, sampler" {
    try runReference(cauchy, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -1.986297071527619, -0.4762326830362327, -0.9705329532096636 },
        .{ -300.0, 0.2, 0.7, -12.91030810536451, -7.205855561380703, -0.0007425024904833539 },
        .{ 12.0, -1.0, 1.5, -5.88238925488357, -0.037251666561778064, -3.308626608915807 },
    }, 1e-13);
    try ksAgainstCdf(cauchy, .{ 1.0, 2.0 }, 17);
}

test "exponential: SciPy values, gradients, vectorised, sampler, support" {
    try runReference(exponential, 2, true, 5, &.{
        .{ 1.3, 0.5, -1.3431471805599453, -0.7382403183591204, -0.65 },
        .{ 0.01, 2.0, 0.6731471805599453, -3.9220063388170345, -0.02 },
        .{ 30.0, 1.5, -44.59453489189183, -2.8625185805493937e-20, -45.0 },
    }, 1e-13);
    try ksAgainstCdf(exponential, .{1.7}, 18);
    try sampleMoments(exponential, .{2.0}, 19, 0.5, 0.25);
    try testing.expectEqual(-inf, try exponential.lpdf(F64, -0.1, 1.0));
    try testing.expectEqual(-inf, try exponential.lcdf(F64, 0.0, 1.0));
    try testing.expectEqual(@as(f64, 0), try exponential.lccdf(F64, -1.0, 1.0));
}

test "gamma: SciPy values, gradients (incl. shape in the CDFs), vectorised, sampler" {
    try runReference(gamma, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -2.956973484878473, -0.02284587922090008, -3.7903857107940397 },
        .{ 0.01, 2.5, 0.7, -8.091125509301886, -13.610585315649029, -1.227434054758269e-06 },
        .{ 30.0, 7.0, 0.5, -6.024097185956787, -0.007661171612511887, -4.875418495143403 },
    }, 1e-12);
    try ksAgainstCdf(gamma, .{ 2.5, 0.5 }, 20);
    try ksAgainstCdf(gamma, .{ 0.3, 2.0 }, 21);
    try sampleMoments(gamma, .{ 3.0, 2.0 }, 22, 1.5, 0.75);
    // density at 0: finite for shape 1, +inf below, -inf above
    try tu.expectRel(@log(2.0), try gamma.lpdf(F64, 0.0, 1.0, 2.0), 1e-15);
    try testing.expectEqual(-inf, try gamma.lpdf(F64, 0.0, 2.0, 2.0));
    try testing.expectEqual(inf, try gamma.lpdf(F64, 0.0, 0.5, 2.0));
    var prng = std.Random.DefaultPrng.init(0);
    try testing.expectError(error.InvalidParameter, gamma.sample(prng.random(), 1.0, 0.0));
    try testing.expectEqualStrings("gamma: beta must be positive and finite, got 0", common.lastError());
}

test "inv_gamma: SciPy values, gradients, vectorised, sampler" {
    try runReference(inv_gamma, 3, false, 4, &.{
        .{ 1.3, 0.5, 2.0, -2.157799287807502 },
        .{ 0.2, 2.5, 0.7, 0.9566624631996006 },
        .{ 30.0, 7.0, 0.5, -38.65752719589362 },
    }, 1e-13);
    // mean beta/(alpha-1), variance beta^2/((alpha-1)^2 (alpha-2)), alpha = 6, beta = 2
    try sampleMoments(inv_gamma, .{ 6.0, 2.0 }, 23, 0.4, 0.04);
}

test "beta: SciPy values, gradients (incl. shapes in the CDFs), vectorised, sampler, support" {
    try runReference(beta, 3, true, 6, &.{
        .{ 0.3, 0.5, 2.0, -0.042370614227545234, -0.30188180971262996, -1.344866288408914 },
        .{ 0.01, 2.5, 0.7, -6.564885468075763, -12.087210043799276, -5.631091692780514e-06 },
        .{ 0.97, 7.0, 1.5, 1.1547640893579, -0.07084132019697534, -2.6825243949025928 },
    }, 1e-12);
    // large shapes take the Stirling form of the incomplete beta prefactor
    try tu.checkGradients(Fn(beta, "lcdf", 3), &.{ .{ 0.4, 30.0, 45.0 }, .{ 0.7, 120.0, 40.0 } });
    try tu.checkGradients(Fn(beta, "lccdf", 3), &.{ .{ 0.4, 30.0, 45.0 }, .{ 0.7, 120.0, 40.0 } });
    try tu.checkGradients(Fn(student_t, "lcdf", 4), &.{ .{ -2.5, 45.0, 0.3, 1.2 }, .{ 0.7, 300.0, -0.2, 2.0 } });
    try ksAgainstCdf(beta, .{ 2.0, 5.0 }, 24);
    try ksAgainstCdf(beta, .{ 0.4, 0.6 }, 25);
    try testing.expectEqual(-inf, try beta.lpdf(F64, 1.5, 2.0, 2.0));
    try tu.expectRel(@log(3.0), try beta.lpdf(F64, 0.0, 1.0, 3.0), 1e-15);
}

test "uniform: SciPy values, gradients, vectorised, sampler, errors" {
    try runReference(uniform, 3, false, 4, &.{
        .{ 0.3, -0.5, 2.0, -0.9162907318741551 },
        .{ 1.01, 1.0, 3.5, -0.9162907318741551 },
    }, 1e-15);
    try sampleMoments(uniform, .{ -1.0, 3.0 }, 26, 1.0, 16.0 / 12.0);
    try testing.expectEqual(-inf, try uniform.lpdf(F64, 3.5, 1.0, 3.0));
    try testing.expectError(error.InvalidParameter, uniform.lpdf(F64, 1.0, 2.0, 1.0));
    try testing.expectEqualStrings("uniform: beta must be greater than alpha, got alpha = 2, beta = 1", common.lastError());
}

test "weibull: SciPy values, gradients, vectorised, sampler" {
    try runReference(weibull, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -1.9771286779035186, -0.5915662181388219, -0.806225774829855 },
        .{ 0.01, 2.5, 0.7, -5.099801579681749, -10.621250301308905, -2.43924205986611e-05 },
        .{ 3.0, 7.0, 1.5, -122.30067187569317, -2.572209372642415e-56, -128.0 },
    }, 1e-12);
    try ksAgainstCdf(weibull, .{ 1.5, 2.0 }, 27);
}

test "double_exponential (laplace): SciPy values, gradients, vectorised, sampler" {
    try runReference(double_exponential, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -1.7862943611198907, -0.40820890340082094, -1.0931471805599453 },
        .{ -3.0, 0.2, 0.7, -4.907900808049785, -5.2645757519885175, -0.005185005537077339 },
        .{ 12.0, -1.0, 1.5, -9.765278955334775, -8.61198361870467e-05, -9.359813847226611 },
    }, 1e-13);
    try ksAgainstCdf(laplace, .{ 1.0, 0.5 }, 28);
    try sampleMoments(laplace, .{ 1.0, 0.5 }, 29, 1.0, 0.5);
}

test "logistic: SciPy values, gradients, vectorised, sampler" {
    try runReference(logistic, 3, true, 6, &.{
        .{ 1.3, 0.5, 2.0, -2.1191776853598507, -0.5130152523999526, -0.9130152523999526 },
        .{ -3.0, 0.2, 0.7, -4.235333724659362, -4.581718620013333, -0.010290048584760863 },
        .{ 40.0, -1.0, 1.5, -27.73879844144419, -1.346741246175047e-12, -27.33333333333468 },
    }, 1e-13);
    try ksAgainstCdf(logistic, .{ -1.0, 0.7 }, 30);
}

test "chi_square: SciPy values, gradients, vectorised, sampler" {
    try runReference(chi_square, 2, false, 3, &.{
        .{ 1.3, 3.0, -1.4377564009709272 },
        .{ 0.05, 0.7, 0.745043237467881 },
        .{ 30.0, 12.5, -6.69548761176357 },
    }, 1e-13);
    try sampleMoments(chi_square, .{3.5}, 31, 3.5, 7.0);
}

test "pareto: SciPy values, gradients, vectorised, sampler, support" {
    try runReference(pareto, 3, false, 4, &.{
        .{ 1.3, 0.5, 2.0, -1.4802399739624184 },
        .{ 2.0, 1.5, 0.7, -1.2511995752149243 },
        .{ 30.0, 3.0, 1.5, -6.44960991304506 },
    }, 1e-13);
    var xs: [4000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(32);
    for (&xs) |*x| x.* = try pareto.sample(prng.random(), 1.5, 2.5);
    try tu.expectKs(&xs, struct {
        pub fn at(_: @This(), x: f64) f64 {
            return 1.0 - math.pow(f64, 1.5 / x, 2.5);
        }
    }{});
    try testing.expectEqual(-inf, try pareto.lpdf(F64, 1.0, 1.5, 2.0));
}

test "von_mises: SciPy values, gradients, vectorised, sampler" {
    try runReference(von_mises, 3, false, 4, &.{
        .{ 1.3, 0.5, 2.0, -1.268457189197971 },
        .{ -3.0, 0.2, 0.7, -2.655624013376274 },
        .{ 0.1, -1.0, 150.0, -80.37503880292462 },
        .{ 2.0, 1.0, 1e-3, -1.8373370141034617 },
    }, 1e-12);
    try tu.expectRel(-sp.log_2pi, try von_mises.lpdf(F64, 2.0, 1.0, 0.0), 1e-15);
    // periodic
    try tu.expectRel(try von_mises.lpdf(F64, 0.4, 1.0, 2.0), try von_mises.lpdf(F64, 0.4 + 2 * math.pi, 1.0, 2.0), 1e-13);
    var prng = std.Random.DefaultPrng.init(33);
    for (0..100) |_| {
        const x = try von_mises.sample(prng.random(), 3.0, 5.0);
        try testing.expect(x >= -math.pi and x <= math.pi);
    }
}

test "half_normal: SciPy values, gradients, vectorised, sampler" {
    try runReference(half_normal, 2, false, 3, &.{
        .{ 1.3, 2.0, -1.1301885332046728 },
        .{ 0.01, 0.7, 0.1307815504776785 },
        .{ 12.0, 1.5, -32.631256460752894 },
    }, 1e-13);
    var xs: [4000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(34);
    for (&xs) |*x| x.* = try half_normal.sample(prng.random(), 1.5);
    try tu.expectKs(&xs, struct {
        pub fn at(_: @This(), x: f64) f64 {
            return sp.erf(x / (1.5 * sp.sqrt_2));
        }
    }{});
    try testing.expectEqual(-inf, try half_normal.lpdf(F64, -0.1, 1.0));
}

test "half_cauchy: SciPy values, gradients, vectorised, sampler" {
    try runReference(half_cauchy, 2, false, 3, &.{
        .{ 1.3, 2.0, -1.497145772867749 },
        .{ 0.01, 0.7, -0.0951118221615519 },
        .{ 120.0, 1.5, -9.621257320539623 },
    }, 1e-13);
    var xs: [4000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(35);
    for (&xs) |*x| x.* = try half_cauchy.sample(prng.random(), 1.5);
    try tu.expectKs(&xs, struct {
        pub fn at(_: @This(), x: f64) f64 {
            return 2.0 / math.pi * math.atan(x / 1.5);
        }
    }{});
}

test "mixed operand kinds: data y with Var parameters and broadcasting in every mode" {
    defer Rev.deinit();
    const ys = [_]f64{ 0.5, 1.5, -0.25, 2.0 };
    const mus = [_]f64{ 0.0, 1.0, 0.5, 1.5 };
    // Rev: vector of Var means, scalar Var sigma, data y.
    Rev.reset();
    var mv: [4]ad.Var = undefined;
    for (mus, 0..) |m, i| mv[i] = Rev.independent(m);
    const sv = Rev.independent(1.3);
    const out = try normal.lpdf(Rev, @as([]const f64, &ys), @as([]const ad.Var, &mv), sv);
    var g: [5]f64 = undefined;
    Rev.gradient(out, &.{ mv[0], mv[1], mv[2], mv[3], sv }, &g);
    var expect_v: f64 = 0;
    var dsig: f64 = 0;
    for (ys, mus, 0..) |y, m, i| {
        const z = (y - m) / 1.3;
        expect_v += try normal.lpdf(F64, y, m, 1.3);
        try tu.expectRel(z / 1.3, g[i], 1e-14);
        dsig += (z * z - 1) / 1.3;
    }
    try tu.expectRel(expect_v, out.val, 1e-15);
    try tu.expectRel(dsig, g[4], 1e-14);
    // Fwd with data means and a Dual sigma
    const fo = try normal.lpdf(Fwd, @as([]const f64, &ys), @as([]const f64, &mus), Fwd.dual(1.3, 1));
    try tu.expectRel(dsig, fo.tan, 1e-14);
    // Data everywhere in Rev mode: a constant, no tape node
    Rev.reset();
    const c = try normal.lpdf(Rev, 0.5, 0.0, 1.0);
    try testing.expectEqual(@as(u32, 0), c.idx);
    try testing.expectEqual(@as(usize, 1), Rev.size());
}
