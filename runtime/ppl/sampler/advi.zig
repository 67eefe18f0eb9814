//! Automatic differentiation variational inference (ADVI, Kucukelbir et al. 2017) on the
//! unconstrained space: a Gaussian approximation q(z) = N(mu, L·Lᵀ) — mean-field (L diagonal,
//! parameterised by log standard deviations) or full-rank (L lower triangular) — fitted by
//! maximising the evidence lower bound ELBO = E_q[log p(z)] + H[q]. The gradient of the ELBO is
//! estimated by Monte Carlo with the reparameterisation z = mu + L·eps, eps ~ N(0, I), from the
//! model's own gradient of log p; the entropy term is exact. Parameters move by Adam.
//!
//! As in Stan, the step size is chosen by a short search: each candidate η is run for
//! `adapt_iter` iterations from the initial approximation and the one with the best ELBO is kept.
//! Convergence follows Stan's rule: every `eval_elbo` iterations the ELBO is estimated and its
//! relative change recorded in a circular buffer; the fit stops when the mean or the median of the
//! recorded changes falls below `tol_rel_obj` (or after `max_iter` iterations). The learning rate
//! decays as η/sqrt(1 + t/10), and the approximation returned is the average of the iterates of
//! five more evaluation windows run after that (tail averaging removes most of the optimiser's
//! stochastic jitter around the optimum).

const std = @import("std");
const ham = @import("hamiltonian.zig");

pub const Family = enum { meanfield, fullrank };

/// Settings of a fit. Defaults follow CmdStan's `variational` where they exist.
pub const Settings = struct {
    family: Family = .meanfield,
    /// Relative ELBO change below which the fit has converged.
    tol_rel_obj: f64 = 0.01,
    /// Maximum number of optimisation iterations.
    max_iter: usize = 10_000,
    /// Adam step size; 0 chooses it by the step-size search.
    eta: f64 = 0,
    grad_samples: usize = 1,
    elbo_samples: usize = 100,
    eval_elbo: usize = 100,
    adapt_iter: usize = 50,
};

/// The step sizes tried by the search, largest first.
pub const eta_candidates = [_]f64{ 1, 0.3, 0.1, 0.03, 0.01 };

pub const Error = error{ OutOfMemory, ElboNotFinite, StepsizeSearchFailed, ApproximationDiverged };

/// A Gaussian on the unconstrained space. `scale` holds, for mean-field, the d log standard
/// deviations; for full rank, the d×d lower-triangular factor L (row-major, upper part 0).
pub const Approx = struct {
    family: Family,
    mu: []f64,
    scale: []f64,

    pub fn init(allocator: std.mem.Allocator, family: Family, mu0: []const f64) !Approx {
        const d = mu0.len;
        const mu = try allocator.dupe(f64, mu0);
        errdefer allocator.free(mu);
        const scale = try allocator.alloc(f64, if (family == .meanfield) d else d * d);
        @memset(scale, 0);
        if (family == .fullrank) {
            for (0..d) |i| scale[i * d + i] = 1;
        }
        return .{ .family = family, .mu = mu, .scale = scale };
    }

    pub fn deinit(self: *Approx, allocator: std.mem.Allocator) void {
        allocator.free(self.mu);
        allocator.free(self.scale);
    }

    pub fn dim(self: *const Approx) usize {
        return self.mu.len;
    }

    /// Number of free parameters (mu and scale): the length of a gradient vector.
    pub fn numParams(self: *const Approx) usize {
        return self.mu.len + self.scale.len;
    }

    /// z = mu + L·eps.
    pub fn transform(self: *const Approx, eps: []const f64, z: []f64) void {
        const d = self.dim();
        for (0..d) |i| {
            var s = self.mu[i];
            switch (self.family) {
                .meanfield => s += @exp(self.scale[i]) * eps[i],
                .fullrank => for (0..i + 1) |j| {
                    s += self.scale[i * d + j] * eps[j];
                },
            }
            z[i] = s;
        }
    }

    /// log |det L| = Σ log |L_ii|.
    pub fn logDetScale(self: *const Approx) f64 {
        const d = self.dim();
        var s: f64 = 0;
        for (0..d) |i| s += switch (self.family) {
            .meanfield => self.scale[i],
            .fullrank => @log(@abs(self.scale[i * d + i])),
        };
        return s;
    }

    /// Entropy of q: d/2·(1 + log 2π) + log |det L|.
    pub fn entropy(self: *const Approx) f64 {
        const d: f64 = @floatFromInt(self.dim());
        return 0.5 * d * (1 + @log(2 * std.math.pi)) + self.logDetScale();
    }

    /// log q(z) for z = transform(eps).
    pub fn logDensityAtEps(self: *const Approx, eps: []const f64) f64 {
        var ss: f64 = 0;
        for (eps) |e| ss += e * e;
        const d: f64 = @floatFromInt(self.dim());
        return -0.5 * ss - 0.5 * d * @log(2 * std.math.pi) - self.logDetScale();
    }

    /// Copies mu and scale from `other` (same family and dimension).
    pub fn copyFrom(self: *Approx, other: *const Approx) void {
        @memcpy(self.mu, other.mu);
        @memcpy(self.scale, other.scale);
    }

    /// The parameter vector as one slice view pair: index k < d is mu, the rest is scale.
    fn param(self: *Approx, k: usize) *f64 {
        return if (k < self.mu.len) &self.mu[k] else &self.scale[k - self.mu.len];
    }
};

/// Scratch space of one fit: draws, gradients and Adam's moments.
const Work = struct {
    eps: []f64,
    z: []f64,
    g: []f64,
    grad: []f64,
    m: []f64,
    v: []f64,
    avg: Approx,

    fn init(allocator: std.mem.Allocator, q: *const Approx) !Work {
        const d = q.dim();
        const p = q.numParams();
        const buf = try allocator.alloc(f64, 3 * d + 3 * p);
        errdefer allocator.free(buf);
        return .{
            .eps = buf[0..d],
            .z = buf[d .. 2 * d],
            .g = buf[2 * d .. 3 * d],
            .grad = buf[3 * d .. 3 * d + p],
            .m = buf[3 * d + p .. 3 * d + 2 * p],
            .v = buf[3 * d + 2 * p .. 3 * d + 3 * p],
            .avg = try Approx.init(allocator, q.family, q.mu),
        };
    }

    fn deinit(self: *Work, allocator: std.mem.Allocator) void {
        allocator.free(self.eps.ptr[0 .. 3 * self.eps.len + 3 * self.grad.len]);
        self.avg.deinit(allocator);
    }

    fn resetAdam(self: *Work) void {
        @memset(self.m, 0);
        @memset(self.v, 0);
    }
};

fn fillNormal(rng: std.Random, eps: []f64) void {
    for (eps) |*e| e.* = rng.floatNorm(f64);
}

/// Monte Carlo estimate of the ELBO with `n` draws. Draws where log p is not finite are
/// skipped; when all are, the ELBO is -inf.
pub fn estimateElbo(q: *const Approx, target: *ham.Target, rng: std.Random, n: usize, eps: []f64, z: []f64, g: []f64) f64 {
    var sum: f64 = 0;
    var used: usize = 0;
    for (0..n) |_| {
        fillNormal(rng, eps);
        q.transform(eps, z);
        const lp = target.eval(z, g);
        if (!std.math.isFinite(lp)) continue;
        sum += lp;
        used += 1;
    }
    if (used * 2 < n) return -std.math.inf(f64);
    return sum / @as(f64, @floatFromInt(used)) + q.entropy();
}

/// Reparameterised gradient of the ELBO with respect to (mu, scale), written to `w.grad`.
/// Returns false when a draw had a non-finite log density or gradient.
fn elboGradient(q: *const Approx, target: *ham.Target, rng: std.Random, n: usize, w: *Work) bool {
    const d = q.dim();
    @memset(w.grad, 0);
    const inv_n = 1 / @as(f64, @floatFromInt(n));
    for (0..n) |_| {
        fillNormal(rng, w.eps);
        q.transform(w.eps, w.z);
        const lp = target.eval(w.z, w.g);
        if (!std.math.isFinite(lp)) return false;
        for (w.g) |x| if (!std.math.isFinite(x)) return false;
        for (0..d) |i| {
            w.grad[i] += w.g[i] * inv_n;
            switch (q.family) {
                .meanfield => w.grad[d + i] += w.g[i] * w.eps[i] * @exp(q.scale[i]) * inv_n,
                .fullrank => for (0..i + 1) |j| {
                    w.grad[d + i * d + j] += w.g[i] * w.eps[j] * inv_n;
                },
            }
        }
    }
    // entropy: d/d omega_i = 1 (mean-field), d/d L_ii = 1/L_ii (full rank)
    for (0..d) |i| switch (q.family) {
        .meanfield => w.grad[d + i] += 1,
        .fullrank => w.grad[d + i * d + i] += 1 / q.scale[i * d + i],
    };
    return true;
}

const beta1 = 0.9;
const beta2 = 0.999;

/// The learning rate of iteration t
/// is η / sqrt(1 + t / decay_iters), so the stochastic jitter around the optimum shrinks.
const decay_iters = 10.0;

/// One Adam ascent step (iteration `t`, 1-based) along `w.grad`, with the decaying rate.
fn adamStep(q: *Approx, w: *Work, eta0: f64, t: usize) void {
    const tf: f64 = @floatFromInt(t);
    const eta = eta0 / @sqrt(1 + tf / decay_iters);
    const c1 = 1 - std.math.pow(f64, beta1, tf);
    const c2 = 1 - std.math.pow(f64, beta2, tf);
    for (w.grad, w.m, w.v, 0..) |gk, *mk, *vk, k| {
        mk.* = beta1 * mk.* + (1 - beta1) * gk;
        vk.* = beta2 * vk.* + (1 - beta2) * gk * gk;
        q.param(k).* += eta * (mk.* / c1) / (@sqrt(vk.* / c2) + 1e-8);
    }
}

/// Runs `iters` Adam iterations; a step whose gradient is not finite is skipped (up to a
/// limit). Returns false when too many steps failed.
fn optimise(q: *Approx, target: *ham.Target, rng: std.Random, s: Settings, eta: f64, iters: usize, w: *Work, t0: usize) bool {
    var failures: usize = 0;
    var t = t0;
    for (0..iters) |_| {
        if (!elboGradient(q, target, rng, s.grad_samples, w)) {
            failures += 1;
            if (failures > 10 + iters / 2) return false;
            continue;
        }
        t += 1;
        adamStep(q, w, eta, t);
    }
    return true;
}

/// The step-size search: each candidate runs `adapt_iter` iterations from `start`; the one with
/// the highest ELBO afterwards wins. Like Stan, the search stops once a candidate is worse than
/// the best so far after a better one was found.
fn searchEta(allocator: std.mem.Allocator, start: *const Approx, target: *ham.Target, rng: std.Random, s: Settings, w: *Work) Error!f64 {
    var trial = try Approx.init(allocator, start.family, start.mu);
    defer trial.deinit(allocator);
    var best_eta: f64 = 0;
    var best_elbo = -std.math.inf(f64);
    for (eta_candidates) |eta| {
        trial.copyFrom(start);
        w.resetAdam();
        const ok = optimise(&trial, target, rng, s, eta, s.adapt_iter, w, 0);
        const elbo = if (ok) estimateElbo(&trial, target, rng, s.elbo_samples, w.eps, w.z, w.g) else -std.math.inf(f64);
        if (std.math.isFinite(elbo) and elbo > best_elbo) {
            best_elbo = elbo;
            best_eta = eta;
        } else if (best_eta > 0) break;
    }
    if (best_eta == 0) return error.StepsizeSearchFailed;
    return best_eta;
}

/// What a fit reports besides the approximation.
pub const FitInfo = struct {
    eta: f64 = 0,
    iterations: usize = 0,
    elbo: f64 = std.math.nan(f64),
    converged: bool = false,
};

/// Stan's relative change |(cur - prev) / prev|.
fn relDifference(cur: f64, prev: f64) f64 {
    return @abs((cur - prev) / prev);
}

fn median(allocator: std.mem.Allocator, xs: []const f64) !f64 {
    const tmp = try allocator.dupe(f64, xs);
    defer allocator.free(tmp);
    std.mem.sort(f64, tmp, {}, std.sort.asc(f64));
    const n = tmp.len;
    return if (n % 2 == 1) tmp[n / 2] else 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/// Evaluation windows of iterates averaged after the convergence rule stopped the fit.
const averaging_windows = 5;

/// Fits `q` (initialised by the caller, e.g. at the initial point with unit scale) in place.
pub fn fit(allocator: std.mem.Allocator, q: *Approx, target: *ham.Target, rng: std.Random, s: Settings) Error!FitInfo {
    var w = try Work.init(allocator, q);
    defer w.deinit(allocator);
    var info = FitInfo{};
    info.eta = if (s.eta > 0) s.eta else try searchEta(allocator, q, target, rng, s, &w);
    w.resetAdam();

    const cb_size = @max(2, s.max_iter / s.eval_elbo / 10);
    const changes = try allocator.alloc(f64, cb_size);
    defer allocator.free(changes);
    var n_changes: usize = 0;
    var prev_elbo = estimateElbo(q, target, rng, s.elbo_samples, w.eps, w.z, w.g);
    var t: usize = 0;
    while (t < s.max_iter) {
        const window = @min(s.eval_elbo, s.max_iter - t);
        try optimiseAveraged(q, target, rng, s, info.eta, window, &w, t);
        t += window;
        const elbo = estimateElbo(&w.avg, target, rng, s.elbo_samples, w.eps, w.z, w.g);
        if (!std.math.isFinite(elbo)) return error.ElboNotFinite;
        info.elbo = elbo;
        if (std.math.isFinite(prev_elbo)) {
            changes[n_changes % cb_size] = relDifference(elbo, prev_elbo);
            n_changes += 1;
        }
        prev_elbo = elbo;
        const recorded = changes[0..@min(n_changes, cb_size)];
        if (recorded.len > 0) {
            var mean: f64 = 0;
            for (recorded) |c| mean += c;
            mean /= @floatFromInt(recorded.len);
            if (mean < s.tol_rel_obj or try median(allocator, recorded) < s.tol_rel_obj) {
                info.converged = true;
                break;
            }
        }
    }
    // Polyak-Ruppert tail averaging: the approximation is the mean of the next
    // `averaging_windows` windows of iterates, which removes most of the optimiser's jitter.
    const tail = averaging_windows * s.eval_elbo;
    try optimiseAveraged(q, target, rng, s, info.eta, tail, &w, t);
    info.iterations = t + tail;
    q.copyFrom(&w.avg);
    if (!isBounded(q)) return error.ApproximationDiverged;
    return info;
}

/// Largest standard deviation (unconstrained scale) an approximation may have: beyond it the
/// fit has been running off along a direction where log p does not decrease (an improper
/// posterior, e.g. a flat prior without data), and its draws would be meaningless.
pub const max_sd = 1e30;

/// Whether every mean is finite and every marginal sd of q is at most `max_sd`.
fn isBounded(q: *const Approx) bool {
    const d = q.dim();
    for (q.mu) |m| if (!std.math.isFinite(m)) return false;
    for (0..d) |i| {
        const variance = switch (q.family) {
            .meanfield => @exp(2 * q.scale[i]),
            .fullrank => blk: {
                var v: f64 = 0;
                for (0..i + 1) |j| v += q.scale[i * d + j] * q.scale[i * d + j];
                break :blk v;
            },
        };
        if (!(variance <= max_sd * max_sd)) return false;
    }
    return true;
}

/// Runs `iters` iterations and leaves the average of their iterates in `w.avg`.
fn optimiseAveraged(q: *Approx, target: *ham.Target, rng: std.Random, s: Settings, eta: f64, iters: usize, w: *Work, t0: usize) Error!void {
    @memset(w.avg.mu, 0);
    @memset(w.avg.scale, 0);
    var kept: usize = 0;
    for (0..iters) |i| {
        if (!optimise(q, target, rng, s, eta, 1, w, t0 + i)) continue;
        for (w.avg.mu, q.mu) |*a, x| a.* += x;
        for (w.avg.scale, q.scale) |*a, x| a.* += x;
        kept += 1;
    }
    if (kept == 0) return error.ElboNotFinite;
    const inv = 1 / @as(f64, @floatFromInt(kept));
    for (w.avg.mu) |*a| a.* *= inv;
    for (w.avg.scale) |*a| a.* *= inv;
}

// ---------------------------------------------------------------------------------------------
// Tests

const model_mod = @import("model.zig");

/// A correlated 2-D Gaussian target N(m, S) with S = [[1, 0.8·2], [0.8·2, 4]].
const Gauss2 = struct {
    dim: usize = 2,
    names: []const model_mod.Str = &.{},
    const m = [2]f64{ 1, -2 };
    // precision of S
    const det = 4.0 - 1.6 * 1.6;
    const p = [4]f64{ 4.0 / det, -1.6 / det, -1.6 / det, 1.0 / det };
    pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
        const a = q[0] - m[0];
        const b = q[1] - m[1];
        g[0] = -(p[0] * a + p[1] * b);
        g[1] = -(p[2] * a + p[3] * b);
        return 0.5 * (a * g[0] + b * g[1]);
    }
    pub fn writeDraw(_: *const @This(), q: []const f64, _: *model_mod.Rng, out: []f64) void {
        @memcpy(out[0..2], q[0..2]);
    }
};

fn fitGauss(family: Family, seed: u64) !struct { mu: [2]f64, scale: [4]f64, info: FitInfo } {
    const a = std.testing.allocator;
    const inst = Gauss2{};
    const m = model_mod.fromShared(Gauss2, &inst);
    var target = ham.Target{ .model = &m, .ctx = m.data };
    var prng = model_mod.Rng.init(seed);
    var q = try Approx.init(a, family, &.{ 0, 0 });
    defer q.deinit(a);
    const info = try fit(a, &q, &target, prng.random(), .{ .family = family, .tol_rel_obj = 0.001, .max_iter = 5000 });
    var out: [4]f64 = .{ 0, 0, 0, 0 };
    @memcpy(out[0..q.scale.len], q.scale);
    return .{ .mu = .{ q.mu[0], q.mu[1] }, .scale = out, .info = info };
}

test "full-rank ADVI recovers a correlated Gaussian exactly (mean and Cholesky factor)" {
    const r = try fitGauss(.fullrank, 3);
    try std.testing.expectApproxEqAbs(@as(f64, 1), r.mu[0], 0.1);
    try std.testing.expectApproxEqAbs(@as(f64, -2), r.mu[1], 0.2);
    // chol(S) = [[1, 0], [1.6, 1.2]] (signs of the columns are free)
    try std.testing.expectApproxEqAbs(@as(f64, 1), @abs(r.scale[0]), 0.1);
    try std.testing.expectApproxEqAbs(@as(f64, 1.6), @abs(r.scale[2]), 0.2);
    try std.testing.expectApproxEqAbs(@as(f64, 1.2), @abs(r.scale[3]), 0.15);
}

test "mean-field ADVI finds the mean and under-estimates the marginal sds as theory says" {
    const r = try fitGauss(.meanfield, 4);
    try std.testing.expectApproxEqAbs(@as(f64, 1), r.mu[0], 0.1);
    try std.testing.expectApproxEqAbs(@as(f64, -2), r.mu[1], 0.2);
    // the KL(q||p) optimum has sd_i = 1/sqrt(P_ii): 0.6 and 1.2 instead of 1 and 2
    try std.testing.expectApproxEqAbs(@as(f64, 0.6), @exp(r.scale[0]), 0.06);
    try std.testing.expectApproxEqAbs(@as(f64, 1.2), @exp(r.scale[1]), 0.12);
}

test "the same seed gives the same fit" {
    const r1 = try fitGauss(.fullrank, 9);
    const r2 = try fitGauss(.fullrank, 9);
    try std.testing.expectEqual(r1.mu, r2.mu);
    try std.testing.expectEqual(r1.scale, r2.scale);
    try std.testing.expectEqual(r1.info.eta, r2.info.eta);
}

/// log p = 0 in one coordinate (a flat, improper direction) and a standard normal in the other.
const HalfFlat = struct {
    dim: usize = 2,
    names: []const model_mod.Str = &.{},
    pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
        g[0] = 0;
        g[1] = -q[1];
        return -0.5 * q[1] * q[1];
    }
    pub fn writeDraw(_: *const @This(), q: []const f64, _: *model_mod.Rng, out: []f64) void {
        @memcpy(out[0..2], q[0..2]);
    }
};

test "mean-field ADVI on an improper posterior reports that the approximation diverged" {
    const a = std.testing.allocator;
    const inst = HalfFlat{};
    const m = model_mod.fromShared(HalfFlat, &inst);
    var target = ham.Target{ .model = &m, .ctx = m.data };
    var prng = model_mod.Rng.init(1);
    var q = try Approx.init(a, .meanfield, &.{ 0, 0 });
    defer q.deinit(a);
    try std.testing.expectError(error.ApproximationDiverged, fit(a, &q, &target, prng.random(), .{}));
}

test "entropy and log q of a Gaussian" {
    const a = std.testing.allocator;
    var q = try Approx.init(a, .fullrank, &.{ 0, 0 });
    defer q.deinit(a);
    q.scale[0] = 2;
    q.scale[3] = 3;
    // H = 1 + log 2π + log 6
    try std.testing.expectApproxEqAbs(1 + @log(2 * std.math.pi) + @log(6.0), q.entropy(), 1e-12);
    try std.testing.expectApproxEqAbs(-@log(2 * std.math.pi) - @log(6.0), q.logDensityAtEps(&.{ 0, 0 }), 1e-12);
}
