//! Random variate generators shared by the distributions' `sample` functions. All take a
//! `std.Random` and assume validated parameters (the public `sample` functions validate).
//!
//! Algorithms: gamma by Marsaglia & Tsang (2000) with the U^(1/a) boost for shape < 1 (in log
//! space so tiny shapes do not underflow); beta from two gammas in log space; Poisson by
//! sequential inversion for mean < 10 and Hoermann's PTRS transformed rejection (1993) above;
//! binomial by inversion (BINV) for n min(p, 1-p) < 10 and Hoermann's BTRS above; von Mises by
//! Best & Fisher (1979); categorical by inversion of the cumulative weights.
//!
//! The tests check sample moments against the known values with tolerances from the Monte Carlo
//! standard error (fixed seeds), and for the discrete generators the frequency of each value
//! against the probability mass function.

const std = @import("std");
const sp = @import("../special.zig");
const math = std.math;

/// Uniform on the open interval (0, 1).
pub fn uniformOpen(rng: std.Random) f64 {
    while (true) {
        const u = rng.float(f64);
        if (u > 0) return u;
    }
}

test "uniformOpen stays in (0, 1) with mean 1/2" {
    var xs: [20000]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(3);
    for (&xs) |*x| {
        x.* = uniformOpen(prng.random());
        try std.testing.expect(x.* > 0 and x.* < 1);
    }
    try Moments.of(&xs).expect(0.5, 1.0 / 12.0);
}

/// Marsaglia-Tsang for shape >= 1 (rate 1).
fn gammaMT(rng: std.Random, a: f64) f64 {
    const d = a - 1.0 / 3.0;
    const c = 1.0 / @sqrt(9.0 * d);
    while (true) {
        var x: f64 = undefined;
        var v: f64 = undefined;
        while (true) {
            x = rng.floatNorm(f64);
            v = 1.0 + c * x;
            if (v > 0) break;
        }
        v = v * v * v;
        const u = uniformOpen(rng);
        const x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (@log(u) < 0.5 * x2 + d * (1.0 - v + @log(v))) return d * v;
    }
}

/// log of a Gamma(shape, 1) draw; exact in log space for tiny shapes (no underflow).
pub fn logGamma(rng: std.Random, shape: f64) f64 {
    if (shape >= 1) return @log(gammaMT(rng, shape));
    // G(a) = G(a + 1) U^(1/a)
    return @log(gammaMT(rng, shape + 1.0)) + @log(uniformOpen(rng)) / shape;
}

/// Gamma(shape, rate 1).
pub fn gamma(rng: std.Random, shape: f64) f64 {
    if (shape >= 1) return gammaMT(rng, shape);
    return @exp(logGamma(rng, shape));
}

/// Beta(a, b) as X / (X + Y) of gammas, computed from their logs.
pub fn beta(rng: std.Random, a: f64, b: f64) f64 {
    const lx = logGamma(rng, a);
    const ly = logGamma(rng, b);
    // x / (x + y) = 1 / (1 + exp(ly - lx))
    return 1.0 / (1.0 + @exp(ly - lx));
}

/// Poisson(lambda), lambda >= 0 and < 2^52.
pub fn poisson(rng: std.Random, lambda: f64) i64 {
    if (lambda == 0) return 0;
    if (lambda < 10) {
        // Sequential search on the cumulative probabilities.
        var p = @exp(-lambda);
        var s = p;
        const u = rng.float(f64);
        var k: i64 = 0;
        while (u > s) {
            k += 1;
            p *= lambda / @as(f64, @floatFromInt(k));
            s += p;
            if (k > 1000) break; // u beyond the representable tail
        }
        return k;
    }
    // PTRS (Hoermann 1993)
    const slam = @sqrt(lambda);
    const loglam = @log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2.0);
    while (true) {
        const u = rng.float(f64) - 0.5;
        const v = uniformOpen(rng);
        const us = 0.5 - @abs(u);
        const kf = @floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 and v <= vr) return @intFromFloat(kf);
        if (kf < 0 or (us < 0.013 and v > us)) continue;
        if (@log(v) + @log(inv_alpha) - @log(a / (us * us) + b) <= -lambda + kf * loglam - sp.lgamma(kf + 1.0))
            return @intFromFloat(kf);
    }
}

/// Binomial(n, p), n >= 0, 0 <= p <= 1.
pub fn binomial(rng: std.Random, n: i64, p: f64) i64 {
    if (n == 0 or p == 0) return 0;
    if (p == 1) return n;
    if (p > 0.5) return n - binomial(rng, n, 1.0 - p);
    const nf: f64 = @floatFromInt(n);
    const q = 1.0 - p;
    if (nf * p < 10) {
        // BINV: inversion with the recurrence f(k+1) = f(k) ((n-k)/(k+1)) (p/q).
        const s = p / q;
        const a = (nf + 1.0) * s;
        while (true) {
            var r = @exp(nf * math.log1p(-p));
            var u = rng.float(f64);
            var k: i64 = 0;
            while (u > r) {
                u -= r;
                k += 1;
                if (k > n) break;
                r *= a / @as(f64, @floatFromInt(k)) - s;
            }
            if (k <= n) return k;
        }
    }
    // BTRS (Hoermann 1993)
    const spq = @sqrt(nf * p * q);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = nf * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    const alpha = (2.83 + 5.1 / b) * spq;
    const lpq = @log(p / q);
    const m = @floor((nf + 1.0) * p);
    const h = sp.lgamma(m + 1.0) + sp.lgamma(nf - m + 1.0);
    while (true) {
        const u = rng.float(f64) - 0.5;
        var v = uniformOpen(rng);
        const us = 0.5 - @abs(u);
        const kf = @floor((2.0 * a / us + b) * u + c);
        if (kf < 0 or kf > nf) continue;
        if (us >= 0.07 and v <= vr) return @intFromFloat(kf);
        v = @log(v * alpha / (a / (us * us) + b));
        if (v <= h - sp.lgamma(kf + 1.0) - sp.lgamma(nf - kf + 1.0) + (kf - m) * lpq)
            return @intFromFloat(kf);
    }
}

/// Von Mises(mu, kappa) by Best & Fisher, wrapped into [-pi, pi].
pub fn vonMises(rng: std.Random, mu: f64, kappa: f64) f64 {
    var theta: f64 = undefined;
    if (kappa < 1e-8) {
        theta = (2.0 * rng.float(f64) - 1.0) * math.pi;
    } else {
        // tau = 1 + sqrt(1 + 4k^2); rho = (tau - sqrt(2 tau)) / (2k), written without
        // cancellation for small kappa.
        const s = @sqrt(1.0 + 4.0 * kappa * kappa);
        const tau = 1.0 + s;
        const tau_m2 = 4.0 * kappa * kappa / (s + 1.0); // tau - 2
        const rho = tau * tau_m2 / ((tau + @sqrt(2.0 * tau)) * 2.0 * kappa);
        const r = (1.0 + rho * rho) / (2.0 * rho);
        var f: f64 = undefined;
        while (true) {
            const z = @cos(math.pi * rng.float(f64));
            f = (1.0 + r * z) / (r + z);
            const cc = kappa * (r - f);
            const w = uniformOpen(rng);
            if (cc * (2.0 - cc) - w > 0) break;
            if (@log(cc / w) + 1.0 - cc >= 0) break;
        }
        const ang = math.acos(@max(-1.0, @min(1.0, f)));
        theta = if (rng.boolean()) ang else -ang;
    }
    return wrapAngle(mu + theta);
}

/// Wrap an angle into [-pi, pi].
pub fn wrapAngle(x: f64) f64 {
    if (x >= -math.pi and x <= math.pi) return x;
    const two_pi = 2.0 * math.pi;
    var y = @mod(x + math.pi, two_pi);
    if (y < 0) y += two_pi;
    return y - math.pi;
}

test "wrapAngle" {
    try std.testing.expectApproxEqAbs(@as(f64, 0.5), wrapAngle(0.5 + 4 * math.pi), 1e-12);
    try std.testing.expectApproxEqAbs(@as(f64, -3.0), wrapAngle(-3.0 - 2 * math.pi), 1e-12);
    try std.testing.expectEqual(@as(f64, 1.0), wrapAngle(1.0));
}

/// Index in [0, weights.len) with probability proportional to the (non-negative) weights.
pub fn categorical(rng: std.Random, weights: []const f64) usize {
    var total: f64 = 0;
    for (weights) |w| total += w;
    const u = rng.float(f64) * total;
    var acc: f64 = 0;
    for (weights, 0..) |w, i| {
        acc += w;
        if (u < acc) return i;
    }
    // rounding: return the last index with positive weight
    var i = weights.len;
    while (i > 0) {
        i -= 1;
        if (weights[i] > 0) return i;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Test helpers (also used by the distributions' sampler tests)
// ---------------------------------------------------------------------------------------------

/// Moments of a sample: mean, variance and the Monte Carlo standard errors of both.
pub const Moments = struct {
    mean: f64,
    variance: f64,
    se_mean: f64,
    se_var: f64,

    pub fn of(xs: []const f64) Moments {
        const n: f64 = @floatFromInt(xs.len);
        var m: f64 = 0;
        for (xs) |x| m += x;
        m /= n;
        var m2: f64 = 0;
        var m4: f64 = 0;
        for (xs) |x| {
            const d = (x - m) * (x - m);
            m2 += d;
            m4 += d * d;
        }
        m2 /= n;
        m4 /= n;
        return .{
            .mean = m,
            .variance = m2 * n / (n - 1),
            .se_mean = @sqrt(m2 / n),
            .se_var = @sqrt(@max(m4 - m2 * m2, 0) / n),
        };
    }

    /// |mean - mu| < 5 se_mean and |var - v| < 5 se_var (fixed seeds make this deterministic;
    /// 5 standard errors keeps the chance of a false alarm per check below 1e-6).
    pub fn expect(self: Moments, mu: f64, v: f64) !void {
        if (!(@abs(self.mean - mu) < 5 * self.se_mean + 1e-12)) {
            std.debug.print("mean {d} vs {d} (se {d})\n", .{ self.mean, mu, self.se_mean });
            return error.TestMomentMismatch;
        }
        if (!(@abs(self.variance - v) < 5 * self.se_var + 1e-12)) {
            std.debug.print("variance {d} vs {d} (se {d})\n", .{ self.variance, v, self.se_var });
            return error.TestMomentMismatch;
        }
    }
};

/// Draws `xs.len` values of `f(rng)` (f64 results) with a fixed seed.
pub fn drawMany(seed: u64, xs: []f64, ctx: anytype, comptime f: anytype) void {
    var prng = std.Random.DefaultPrng.init(seed);
    const rng = prng.random();
    for (xs) |*x| x.* = f(ctx, rng);
}

/// Checks the empirical frequency of each integer in [lo, hi] against `pmf` (|freq - p| < 5
/// binomial standard errors) for integer draws.
pub fn expectPmf(draws: []const i64, lo: i64, hi: i64, pmf: anytype) !void {
    const n: f64 = @floatFromInt(draws.len);
    var k = lo;
    while (k <= hi) : (k += 1) {
        var c: usize = 0;
        for (draws) |d| {
            if (d == k) c += 1;
        }
        const freq = @as(f64, @floatFromInt(c)) / n;
        const p = pmf.at(k);
        const se = @sqrt(p * (1 - p) / n);
        if (!(@abs(freq - p) < 5 * se + 1.0 / n)) {
            std.debug.print("value {d}: frequency {d} vs pmf {d} (se {d})\n", .{ k, freq, p, se });
            return error.TestPmfMismatch;
        }
    }
}

test "gamma sampler moments (shape >= 1, < 1, tiny)" {
    var xs: [40000]f64 = undefined;
    for ([_]f64{ 0.3, 1.0, 2.5, 40.0 }, 0..) |a, s| {
        drawMany(100 + s, &xs, a, struct {
            fn f(shape: f64, rng: std.Random) f64 {
                return gamma(rng, shape);
            }
        }.f);
        try Moments.of(&xs).expect(a, a);
    }
    // tiny shape: log draws are finite and E[G] = a still holds
    var prng = std.Random.DefaultPrng.init(7);
    for (0..1000) |_| try std.testing.expect(math.isFinite(logGamma(prng.random(), 1e-3)));
}

test "beta sampler moments" {
    var xs: [40000]f64 = undefined;
    const cases = [_][2]f64{ .{ 2, 3 }, .{ 0.5, 0.5 }, .{ 0.05, 0.2 }, .{ 30, 5 } };
    for (cases, 0..) |c, s| {
        drawMany(200 + s, &xs, c, struct {
            fn f(ab: [2]f64, rng: std.Random) f64 {
                return beta(rng, ab[0], ab[1]);
            }
        }.f);
        const a = c[0];
        const b = c[1];
        try Moments.of(&xs).expect(a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));
    }
}

const PoissonPmf = struct {
    lambda: f64,
    fn at(self: PoissonPmf, k: i64) f64 {
        const kf: f64 = @floatFromInt(k);
        return @exp(kf * @log(self.lambda) - self.lambda - sp.lgamma(kf + 1));
    }
};

test "poisson sampler: moments and pmf (inversion and PTRS)" {
    var draws: [60000]i64 = undefined;
    var xs: [60000]f64 = undefined;
    for ([_]f64{ 0.7, 4.0, 9.99, 10.0, 35.0, 1500.0 }, 0..) |lam, s| {
        var prng = std.Random.DefaultPrng.init(300 + s);
        for (&draws, &xs) |*d, *x| {
            d.* = poisson(prng.random(), lam);
            x.* = @floatFromInt(d.*);
        }
        try Moments.of(&xs).expect(lam, lam);
        const sd = @sqrt(lam);
        const lo: i64 = @intFromFloat(@max(0, @floor(lam - 3 * sd)));
        const hi: i64 = @intFromFloat(@ceil(lam + 3 * sd));
        try expectPmf(&draws, lo, hi, PoissonPmf{ .lambda = lam });
    }
}

const BinomialPmf = struct {
    n: i64,
    p: f64,
    fn at(self: BinomialPmf, k: i64) f64 {
        const nf: f64 = @floatFromInt(self.n);
        const kf: f64 = @floatFromInt(k);
        return @exp(sp.lchoose(nf, kf) + kf * @log(self.p) + (nf - kf) * math.log1p(-self.p));
    }
};

test "binomial sampler: moments and pmf (inversion and BTRS, both tails)" {
    var draws: [60000]i64 = undefined;
    var xs: [60000]f64 = undefined;
    const cases = [_]struct { n: i64, p: f64 }{
        .{ .n = 10, .p = 0.3 },  .{ .n = 20, .p = 0.9 },    .{ .n = 100, .p = 0.05 },
        .{ .n = 200, .p = 0.4 }, .{ .n = 5000, .p = 0.73 }, .{ .n = 1, .p = 0.5 },
    };
    for (cases, 0..) |c, s| {
        var prng = std.Random.DefaultPrng.init(400 + s);
        for (&draws, &xs) |*d, *x| {
            d.* = binomial(prng.random(), c.n, c.p);
            try std.testing.expect(d.* >= 0 and d.* <= c.n);
            x.* = @floatFromInt(d.*);
        }
        const nf: f64 = @floatFromInt(c.n);
        try Moments.of(&xs).expect(nf * c.p, nf * c.p * (1 - c.p));
        const sd = @sqrt(nf * c.p * (1 - c.p));
        const lo: i64 = @intFromFloat(@max(0, @floor(nf * c.p - 3 * sd)));
        const hi: i64 = @intFromFloat(@min(nf, @ceil(nf * c.p + 3 * sd)));
        try expectPmf(&draws, lo, hi, BinomialPmf{ .n = c.n, .p = c.p });
    }
}

test "von Mises sampler: circular moments" {
    var xs: [40000]f64 = undefined;
    for ([_]f64{ 1e-9, 0.5, 2.0, 50.0 }, 0..) |kappa, s| {
        const mu = 1.0;
        drawMany(500 + s, &xs, kappa, struct {
            fn f(k: f64, rng: std.Random) f64 {
                return vonMises(rng, 1.0, k);
            }
        }.f);
        // E[cos(y - mu)] = I1(k)/I0(k), E[sin(y - mu)] = 0
        var cs: [40000]f64 = undefined;
        var sn: [40000]f64 = undefined;
        for (xs, 0..) |x, i| {
            try std.testing.expect(x >= -math.pi and x <= math.pi);
            cs[i] = @cos(x - mu);
            sn[i] = @sin(x - mu);
        }
        const a = sp.bessel_i1_over_i0(kappa);
        const mc = Moments.of(&cs);
        const ms = Moments.of(&sn);
        try std.testing.expect(@abs(mc.mean - a) < 5 * mc.se_mean + 1e-12);
        try std.testing.expect(@abs(ms.mean) < 5 * ms.se_mean + 1e-12);
    }
}

test "categorical sampler frequencies" {
    const w = [_]f64{ 0.1, 0.0, 0.6, 0.3 };
    var draws: [40000]i64 = undefined;
    var prng = std.Random.DefaultPrng.init(600);
    for (&draws) |*d| d.* = @intCast(categorical(prng.random(), &w));
    try expectPmf(&draws, 0, 3, struct {
        fn at(_: @This(), k: i64) f64 {
            return w[@intCast(k)];
        }
    }{});
}
