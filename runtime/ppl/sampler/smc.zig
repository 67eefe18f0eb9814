//! Tempered sequential Monte Carlo (`--algorithm smc`): one "chain" is one independent SMC run
//! of `draws` particles on the unconstrained scale, which ends with equally weighted draws from
//! the posterior and an estimate of the log evidence (log marginal likelihood).
//!
//! The particles start as independent draws from a reference r = normal(0, s²·I) (s is
//! `--init`, default 2) and move along the geometric path π_β ∝ r^(1-β)·p^β from β = 0 to 1, p
//! being the model's density with its log-Jacobian (normalised, so ∫p = the evidence Z). Each
//! stage picks the next β by bisection so that the effective sample size of the incremental
//! weights w_i = (p/r)(z_i)^(β'-β) is `ess_fraction` of the live particles (β' = 1 when that
//! already holds), adds log mean(w) to log Z, resamples systematically and then moves every
//! particle with random-walk Metropolis steps on π_β' whose proposal is normal with the
//! particles' covariance times scale², the scale following log λ ← log λ + (acceptance − 0.234)
//! from stage to stage; the number of steps is the one after which a particle has stayed put
//! with probability under 1 % at the first step's acceptance rate (at least 3, at most
//! `max_moves`). The product of the stages' mean weights is an unbiased estimate of Z (Del
//! Moral, Doucet & Jasra 2006); its logarithm is biased low by about half its variance.

const std = @import("std");
const model_mod = @import("model.zig");
const ham = @import("hamiltonian.zig");
const adapt = @import("adapt.zig");
const numfmt = @import("numfmt.zig");

const Rng = model_mod.Rng;

pub const Settings = struct {
    /// Standard deviation of the reference normal on the unconstrained scale.
    ref_sd: f64 = 2,
    /// The effective sample size (as a fraction of the live particles) each stage aims at.
    ess_fraction: f64 = 0.5,
    /// Random-walk steps per stage at least and at most.
    min_moves: usize = 3,
    max_moves: usize = 50,
    /// A run that needs more stages stops with `error.SmcStalled`.
    max_stages: usize = 10_000,
};

/// What one run reports for the summary and the CSV comments.
pub const Outcome = struct {
    log_evidence: f64,
    stages: usize,
    /// Random-walk steps per particle, summed over the stages.
    moves: usize,
    /// Acceptance rate of the last stage's steps.
    accept: f64,
    /// Proposal scale λ of the last stage.
    scale: f64,
};

pub const Error = error{ OutOfMemory, SmcNoFiniteParticle, SmcStalled };

/// The particle system: positions (n × d, row-major), the model's log density and the
/// reference's, with spare buffers of the same shape for resampling and proposals.
const Particles = struct {
    n: usize,
    d: usize,
    z: []f64,
    lp: []f64,
    lref: []f64,
    spare_z: []f64,
    spare_lp: []f64,
    spare_lref: []f64,

    fn init(allocator: std.mem.Allocator, n: usize, d: usize) !Particles {
        const buf = try allocator.alloc(f64, 2 * n * d + 4 * n);
        return .{
            .n = n,
            .d = d,
            .z = buf[0 .. n * d],
            .spare_z = buf[n * d .. 2 * n * d],
            .lp = buf[2 * n * d .. 2 * n * d + n],
            .lref = buf[2 * n * d + n .. 2 * n * d + 2 * n],
            .spare_lp = buf[2 * n * d + 2 * n .. 2 * n * d + 3 * n],
            .spare_lref = buf[2 * n * d + 3 * n .. 2 * n * d + 4 * n],
        };
    }

    fn deinit(self: *Particles, allocator: std.mem.Allocator) void {
        allocator.free(self.z.ptr[0 .. 2 * self.n * self.d + 4 * self.n]);
    }

    fn at(self: *const Particles, i: usize) []f64 {
        return self.z[i * self.d .. (i + 1) * self.d];
    }

    /// log(p/r) of particle i: -inf outside the model's support.
    fn logRatio(self: *const Particles, i: usize) f64 {
        if (self.lp[i] == -std.math.inf(f64)) return -std.math.inf(f64);
        return self.lp[i] - self.lref[i];
    }
};

/// The tempered log density (1-β)·log r + β·log p, -inf outside the support once β > 0.
fn tempered(beta: f64, lref: f64, lp: f64) f64 {
    if (beta == 0) return lref;
    if (lp == -std.math.inf(f64)) return lp;
    return (1 - beta) * lref + beta * lp;
}

/// log density of normal(0, sd²·I) at z.
pub fn referenceLogDensity(z: []const f64, sd: f64) f64 {
    var s: f64 = 0;
    for (z) |x| s += (x / sd) * (x / sd);
    const df: f64 = @floatFromInt(z.len);
    return -0.5 * s - df * (@log(sd) + 0.5 * @log(2 * std.math.pi));
}

/// The particles' log weights `delta·log(p/r)` in `lw`; returns how many are finite.
fn incrementalWeights(p: *const Particles, delta: f64, lw: []f64) usize {
    var live: usize = 0;
    for (lw, 0..) |*w, i| {
        const r = p.logRatio(i);
        w.* = if (r == -std.math.inf(f64)) r else delta * r;
        if (w.* != -std.math.inf(f64)) live += 1;
    }
    return live;
}

/// log Σ exp(lw).
fn logSumExp(lw: []const f64) f64 {
    var m = -std.math.inf(f64);
    for (lw) |x| m = @max(m, x);
    if (m == -std.math.inf(f64)) return m;
    var s: f64 = 0;
    for (lw) |x| s += @exp(x - m);
    return m + @log(s);
}

/// Effective sample size (Σw)²/Σw² of the weights exp(lw).
pub fn essOfLogWeights(lw: []const f64) f64 {
    var m = -std.math.inf(f64);
    for (lw) |x| m = @max(m, x);
    if (m == -std.math.inf(f64)) return 0;
    var s: f64 = 0;
    var s2: f64 = 0;
    for (lw) |x| {
        const w = @exp(x - m);
        s += w;
        s2 += w * w;
    }
    return s * s / s2;
}

/// The next temperature increment in (0, 1 - beta]: the largest whose weights keep an ESS of
/// `fraction` of the live particles (found by bisection), or all of what remains.
fn nextIncrement(p: *const Particles, beta: f64, fraction: f64, lw: []f64) f64 {
    const remaining = 1 - beta;
    const live = incrementalWeights(p, remaining, lw);
    const goal = fraction * @as(f64, @floatFromInt(live));
    if (essOfLogWeights(lw) >= goal) return remaining;
    var lo: f64 = 0;
    var hi: f64 = remaining;
    for (0..60) |_| {
        const mid = 0.5 * (lo + hi);
        _ = incrementalWeights(p, mid, lw);
        if (essOfLogWeights(lw) >= goal) lo = mid else hi = mid;
    }
    return if (lo > 0) lo else hi;
}

/// Systematic resampling: `ancestors[k]` is the particle copied into slot k, for the normalised
/// weights exp(lw - lse).
pub fn systematic(lw: []const f64, lse: f64, u: f64, ancestors: []usize) void {
    const n = ancestors.len;
    const nf: f64 = @floatFromInt(n);
    var cumulative: f64 = 0;
    var i: usize = 0;
    for (ancestors, 0..) |*a, k| {
        const point = (u + @as(f64, @floatFromInt(k))) / nf;
        while (i + 1 < lw.len and cumulative + @exp(lw[i] - lse) <= point) {
            cumulative += @exp(lw[i] - lse);
            i += 1;
        }
        // never pick a particle of weight zero (rounding at the end of the cumulative sum)
        while (i > 0 and lw[i] == -std.math.inf(f64)) i -= 1;
        a.* = i;
    }
}

/// Copies the ancestors into place.
fn resample(p: *Particles, ancestors: []const usize) void {
    const d = p.d;
    for (ancestors, 0..) |a, k| {
        @memcpy(p.spare_z[k * d .. (k + 1) * d], p.z[a * d .. (a + 1) * d]);
        p.spare_lp[k] = p.lp[a];
        p.spare_lref[k] = p.lref[a];
    }
    std.mem.swap([]f64, &p.z, &p.spare_z);
    std.mem.swap([]f64, &p.lp, &p.spare_lp);
    std.mem.swap([]f64, &p.lref, &p.spare_lref);
}

/// The lower Cholesky factor of the particles' covariance (slightly regularised) in `chol`
/// (d × d); falls back to the diagonal when the covariance is singular.
fn proposalFactor(p: *const Particles, mean: []f64, chol: []f64) void {
    const d = p.d;
    const nf: f64 = @floatFromInt(p.n);
    @memset(mean, 0);
    for (0..p.n) |i| for (mean, p.at(i)) |*m, x| {
        m.* += x / nf;
    };
    @memset(chol, 0);
    for (0..p.n) |i| {
        const z = p.at(i);
        for (0..d) |a| for (0..a + 1) |b| {
            chol[a * d + b] += (z[a] - mean[a]) * (z[b] - mean[b]) / nf;
        };
    }
    for (0..d) |a| {
        for (0..a) |b| chol[b * d + a] = chol[a * d + b];
        chol[a * d + a] += 1e-9;
    }
    const diag = mean; // reuse: the variances, in case the factorisation fails
    for (0..d) |a| diag[a] = chol[a * d + a];
    adapt.cholesky(chol, d) catch {
        @memset(chol, 0);
        for (0..d) |a| chol[a * d + a] = @sqrt(diag[a]);
    };
}

/// Buffers of one random-walk step.
const Scratch = struct {
    proposal: []f64,
    eps: []f64,
    grad: []f64,
};

/// One random-walk Metropolis step of every particle on π_beta; returns the acceptance rate.
fn moveAll(p: *Particles, beta: f64, chol: []const f64, scale: f64, ref_sd: f64, target: *ham.Target, rng: std.Random, s: Scratch) f64 {
    const d = p.d;
    var accepted: usize = 0;
    for (0..p.n) |i| {
        const z = p.at(i);
        for (s.eps) |*e| e.* = rng.floatNorm(f64);
        for (0..d) |a| {
            var step: f64 = 0;
            for (0..a + 1) |b| step += chol[a * d + b] * s.eps[b];
            s.proposal[a] = z[a] + scale * step;
        }
        const lp_new = target.eval(s.proposal, s.grad);
        const lref_new = referenceLogDensity(s.proposal, ref_sd);
        const log_ratio = tempered(beta, lref_new, lp_new) - tempered(beta, p.lref[i], p.lp[i]);
        if (log_ratio >= 0 or (!std.math.isNan(log_ratio) and @log(rng.float(f64)) < log_ratio)) {
            @memcpy(z, s.proposal);
            p.lp[i] = lp_new;
            p.lref[i] = lref_new;
            accepted += 1;
        }
    }
    return @as(f64, @floatFromInt(accepted)) / @as(f64, @floatFromInt(p.n));
}

/// Steps after which a particle has not moved with probability under 1 % at acceptance `a`.
fn movesFor(a: f64, settings: Settings) usize {
    if (a <= 0) return settings.max_moves;
    if (a >= 1) return settings.min_moves;
    const k = @ceil(@log(0.01) / @log(1 - a));
    const lo: f64 = @floatFromInt(settings.min_moves);
    const hi: f64 = @floatFromInt(settings.max_moves);
    return @intFromFloat(std.math.clamp(k, lo, hi));
}

/// The result of a run: the final particles (n × d, owned), their log densities, and the outcome.
pub const Result = struct {
    z: []f64,
    lp: []f64,
    outcome: Outcome,

    pub fn deinit(self: *Result, allocator: std.mem.Allocator) void {
        allocator.free(self.z);
        allocator.free(self.lp);
    }
};

/// Runs tempered SMC with `n` particles on `target` (dimension `d`).
pub fn run(allocator: std.mem.Allocator, target: *ham.Target, d: usize, n: usize, rng: std.Random, settings: Settings) Error!Result {
    var p = try Particles.init(allocator, n, d);
    defer p.deinit(allocator);
    const work = try allocator.alloc(f64, n + 3 * d + d * d);
    defer allocator.free(work);
    const lw = work[0..n];
    const scratch = Scratch{ .proposal = work[n .. n + d], .eps = work[n + d .. n + 2 * d], .grad = work[n + 2 * d .. n + 3 * d] };
    const chol = work[n + 3 * d ..];
    const mean = try allocator.alloc(f64, d);
    defer allocator.free(mean);
    const ancestors = try allocator.alloc(usize, n);
    defer allocator.free(ancestors);

    for (0..n) |i| {
        const z = p.at(i);
        for (z) |*x| x.* = settings.ref_sd * rng.floatNorm(f64);
        p.lp[i] = target.eval(z, scratch.grad);
        p.lref[i] = referenceLogDensity(z, settings.ref_sd);
    }

    const df: f64 = @floatFromInt(@max(d, 1));
    var out = Outcome{ .log_evidence = 0, .stages = 0, .moves = 0, .accept = std.math.nan(f64), .scale = 2.38 / @sqrt(df) };
    var beta: f64 = 0;
    const log_n = @log(@as(f64, @floatFromInt(n)));
    while (beta < 1) {
        if (out.stages == settings.max_stages) return error.SmcStalled;
        const delta = nextIncrement(&p, beta, settings.ess_fraction, lw);
        if (incrementalWeights(&p, delta, lw) == 0) return error.SmcNoFiniteParticle;
        const lse = logSumExp(lw);
        out.log_evidence += lse - log_n;
        beta = if (delta >= 1 - beta) 1 else beta + delta;
        systematic(lw, lse, rng.float(f64), ancestors);
        resample(&p, ancestors);
        out.stages += 1;
        if (d == 0) continue;
        proposalFactor(&p, mean, chol);
        const first = moveAll(&p, beta, chol, out.scale, settings.ref_sd, target, rng, scratch);
        var sum = first;
        const k = movesFor(first, settings);
        for (1..k) |_| sum += moveAll(&p, beta, chol, out.scale, settings.ref_sd, target, rng, scratch);
        out.moves += k;
        out.accept = sum / @as(f64, @floatFromInt(k));
        out.scale = std.math.clamp(out.scale * @exp(out.accept - 0.234), 1e-3, 10);
    }
    const z = try allocator.dupe(f64, p.z);
    errdefer allocator.free(z);
    return .{ .z = z, .lp = try allocator.dupe(f64, p.lp), .outcome = out };
}

/// The comment block that replaces MCMC's adaptation report.
pub fn writeFit(w: std.io.AnyWriter, n: usize, settings: Settings, o: Outcome) !void {
    var b: [numfmt.max_len]u8 = undefined;
    try w.print("# Sequential Monte Carlo: {d} particles tempered from normal(0, {s}^2) on the unconstrained scale\n", .{ n, numfmt.formatShortest(&b, settings.ref_sd) });
    try w.print("# Stages = {d}\n# Random-walk steps per particle = {d}\n", .{ o.stages, o.moves });
    try w.print("# Last stage: acceptance = {s}, ", .{numfmt.formatShortest(&b, o.accept)});
    try w.print("proposal scale = {s}\n", .{numfmt.formatShortest(&b, o.scale)});
    try w.print("# Log evidence = {s}\n", .{numfmt.formatShortest(&b, o.log_evidence)});
}

/// log((1/k)·Σ exp(x)) over the runs' log evidences and the standard error of that estimate
/// from their spread (delta method: sd of the Z_k / mean Z / sqrt(k)); NaN with one run.
pub fn poolEvidence(log_z: []const f64) struct { log_evidence: f64, se: f64 } {
    const kf: f64 = @floatFromInt(log_z.len);
    const pooled = logSumExp(log_z) - @log(kf);
    if (log_z.len < 2 or !std.math.isFinite(pooled)) return .{ .log_evidence = pooled, .se = std.math.nan(f64) };
    var ss: f64 = 0;
    for (log_z) |x| {
        const r = @exp(x - pooled) - 1;
        ss += r * r;
    }
    return .{ .log_evidence = pooled, .se = @sqrt(ss / (kf - 1)) / @sqrt(kf) };
}

/// A normal N(mu, sd²) in one dimension times a constant exp(log_c): its evidence is exp(log_c).
const ScaledGaussian = struct {
    dim: usize = 1,
    names: []const model_mod.Str = &.{},
    mu: f64,
    sd: f64,
    log_c: f64,
    pub fn logDensityGrad(self: *const ScaledGaussian, q: []const f64, g: []f64) f64 {
        const u = (q[0] - self.mu) / self.sd;
        g[0] = -u / self.sd;
        return self.log_c - 0.5 * u * u - @log(self.sd) - 0.5 * @log(2 * std.math.pi);
    }
    pub fn writeDraw(_: *const ScaledGaussian, q: []const f64, _: *Rng, out: []f64) void {
        out[0] = q[0];
    }
};

test "tempered SMC recovers the normalising constant and the moments of a shifted normal" {
    const a = std.testing.allocator;
    const inst = ScaledGaussian{ .mu = 6, .sd = 0.3, .log_c = -3.5 };
    const m = model_mod.fromShared(ScaledGaussian, &inst);
    var target = ham.Target{ .model = &m, .ctx = m.data };
    var log_z: [8]f64 = undefined;
    for (&log_z, 0..) |*lz, k| {
        var prng = Rng.init(100 + k);
        var r = try run(a, &target, 1, 1000, prng.random(), .{});
        defer r.deinit(a);
        lz.* = r.outcome.log_evidence;
        var mean: f64 = 0;
        for (r.z) |x| mean += x / 1000;
        // the mean of 1000 roughly independent draws: sd 0.3 / sqrt(1000) ≈ 0.01
        try std.testing.expectApproxEqAbs(@as(f64, 6), mean, 0.05);
        try std.testing.expect(r.outcome.stages > 1);
    }
    const pooled = poolEvidence(&log_z);
    try std.testing.expect(pooled.se > 0 and pooled.se < 0.2);
    try std.testing.expectApproxEqAbs(@as(f64, -3.5), pooled.log_evidence, 4 * pooled.se);
}

test "systematic resampling copies particles in proportion to their weights and skips zero weights" {
    const lw = [_]f64{ @log(0.5), -std.math.inf(f64), @log(0.25), @log(0.25) };
    var anc: [8]usize = undefined;
    systematic(&lw, 0, 0.5, &anc);
    try std.testing.expectEqualSlices(usize, &.{ 0, 0, 0, 0, 2, 2, 3, 3 }, &anc);
}

test "the effective sample size of equal weights is their number, of one weight one" {
    try std.testing.expectApproxEqAbs(@as(f64, 4), essOfLogWeights(&.{ 1, 1, 1, 1 }), 1e-12);
    try std.testing.expectApproxEqAbs(@as(f64, 1), essOfLogWeights(&.{ 0, -std.math.inf(f64), -std.math.inf(f64) }), 1e-12);
}
