//! Gradient-free samplers:
//!
//! * `RandomWalk`: random-walk Metropolis–Hastings with isotropic Gaussian proposals
//!   q' = q + s·z. During warmup only, log s follows a Robbins–Monro recursion
//!   log s ← log s + t^(-0.6)·(α_t − 0.234) towards the acceptance rate 0.234 (Roberts, Gelman &
//!   Gilks 1997); the scale used after warmup is the average of log s over the second half of the
//!   warmup (Polyak–Ruppert averaging), which removes most of the recursion's noise.
//! * `AdaptiveMetropolis` (Haario, Saksman & Tamminen 2001): proposals N(q, λ²·Σ̂) where Σ̂ is
//!   the covariance of the warmup draws, regularised like Stan's metric,
//!   (n/(n+5))·Σ + 1e-3·(5/(n+5))·I, and λ starts at Haario's 2.38/sqrt(d). The first 15 % of
//!   the warmup runs the adaptive random walk above to reach the typical set; the covariance is
//!   then accumulated from the remaining warmup draws (its Cholesky factor refreshed every 10
//!   iterations once it has max(20, 2d) draws) and frozen after warmup. Because a covariance
//!   learnt from a slowly moving chain is too small, and a too-small proposal keeps it small,
//!   log λ is also adapted by the Robbins–Monro recursion towards acceptance 0.234 ("AM with
//!   global adaptive scaling", Andrieu & Thoms 2008, algorithm 4) and averaged the same way.
//!
//! Both call `log_density_grad` (the model interface has no value-only entry point) and ignore the
//! gradient. Transitions report the CSV's sampler columns: accept_stat__ is min(1, p(q')/p(q)),
//! stepsize__ the proposal scale (s, or λ for covariance proposals), treedepth__,
//! n_leapfrog__, divergent__ and energy__ are 0.

const std = @import("std");
const ham = @import("hamiltonian.zig");
const adapt = @import("adapt.zig");
const model_mod = @import("model.zig");
const nuts = @import("nuts.zig");

const Target = ham.Target;
pub const Transition = nuts.Transition;

pub const target_accept = 0.234;

pub const RandomWalk = struct {
    d: usize,
    q: []f64,
    qp: []f64,
    g: []f64,
    lp: f64 = 0,
    log_scale: f64,
    /// Robbins–Monro iteration counter and the running sum for averaging.
    t: usize = 0,
    avg_sum: f64 = 0,
    avg_n: usize = 0,

    pub fn init(allocator: std.mem.Allocator, d: usize) !RandomWalk {
        const buf = try allocator.alloc(f64, 3 * d);
        @memset(buf, 0);
        const df: f64 = @floatFromInt(d);
        return .{ .d = d, .q = buf[0..d], .qp = buf[d .. 2 * d], .g = buf[2 * d .. 3 * d], .log_scale = @log(2.38 / @sqrt(df)) };
    }

    pub fn deinit(self: *RandomWalk, allocator: std.mem.Allocator) void {
        allocator.free(self.q.ptr[0 .. 3 * self.d]);
    }

    pub fn setPosition(self: *RandomWalk, q: []const f64, lp: f64) void {
        @memcpy(self.q, q);
        self.lp = lp;
    }

    pub fn scale(self: *const RandomWalk) f64 {
        return @exp(self.log_scale);
    }

    pub fn transition(self: *RandomWalk, target: *Target, rng: std.Random) Transition {
        const s = self.scale();
        for (self.qp, self.q) |*p, x| p.* = x + s * rng.floatNorm(f64);
        return accept(self.q, &self.lp, self.qp, self.g, s, target, rng);
    }

    /// Robbins–Monro update after warmup iteration `iter` (0-based) of `warmup`.
    pub fn adaptScale(self: *RandomWalk, accept_stat: f64, iter: usize, warmup: usize) void {
        self.t += 1;
        const gain = std.math.pow(f64, @floatFromInt(self.t), -0.6);
        self.log_scale += gain * (accept_stat - target_accept);
        if (2 * iter >= warmup) {
            self.avg_sum += self.log_scale;
            self.avg_n += 1;
        }
    }

    pub fn endWarmup(self: *RandomWalk) void {
        if (self.avg_n > 0) self.log_scale = self.avg_sum / @as(f64, @floatFromInt(self.avg_n));
    }
};

/// Metropolis accept/reject of `qp` against the current (`q`, `lp`).
fn accept(q: []f64, lp: *f64, qp: []const f64, g: []f64, stepsize: f64, target: *Target, rng: std.Random) Transition {
    const lpp = target.eval(qp, g);
    var a: f64 = 0;
    if (lpp != -std.math.inf(f64)) {
        a = if (lpp >= lp.*) 1 else @exp(lpp - lp.*);
    }
    if (a >= 1 or (a > 0 and rng.float(f64) < a)) {
        @memcpy(q, qp);
        lp.* = lpp;
    }
    return .{ .lp = lp.*, .accept_stat = a, .stepsize = stepsize, .treedepth = 0, .n_leapfrog = 0, .divergent = false, .energy = 0 };
}

pub const AdaptiveMetropolis = struct {
    rw: RandomWalk,
    cov: adapt.WelfordCov,
    /// Lower Cholesky factor of the regularised covariance (d×d); valid when `have_chol`.
    chol: []f64,
    have_chol: bool = false,
    z: []f64,
    /// log λ, the multiplier of the covariance factor, with its Robbins–Monro state.
    log_scale: f64,
    t: usize = 0,
    avg_sum: f64 = 0,
    avg_n: usize = 0,

    pub fn init(allocator: std.mem.Allocator, d: usize) !AdaptiveMetropolis {
        var rw = try RandomWalk.init(allocator, d);
        errdefer rw.deinit(allocator);
        var cov = try adapt.WelfordCov.init(allocator, d);
        errdefer cov.deinit(allocator);
        const chol = try allocator.alloc(f64, d * d);
        errdefer allocator.free(chol);
        const z = try allocator.alloc(f64, d);
        return .{ .rw = rw, .cov = cov, .chol = chol, .z = z, .log_scale = @log(2.38 / @sqrt(@as(f64, @floatFromInt(d)))) };
    }

    pub fn deinit(self: *AdaptiveMetropolis, allocator: std.mem.Allocator) void {
        self.rw.deinit(allocator);
        self.cov.deinit(allocator);
        allocator.free(self.chol);
        allocator.free(self.z);
    }

    pub fn setPosition(self: *AdaptiveMetropolis, q: []const f64, lp: f64) void {
        self.rw.setPosition(q, lp);
    }

    /// The proposal scale in use: λ with covariance proposals, the random walk's s before.
    pub fn scale(self: *const AdaptiveMetropolis) f64 {
        return if (self.have_chol) @exp(self.log_scale) else self.rw.scale();
    }

    pub fn transition(self: *AdaptiveMetropolis, target: *Target, rng: std.Random) Transition {
        if (!self.have_chol) return self.rw.transition(target, rng);
        const d = self.rw.d;
        const s = @exp(self.log_scale);
        for (self.z) |*zi| zi.* = rng.floatNorm(f64);
        for (0..d) |i| {
            var acc: f64 = 0;
            for (0..i + 1) |k| acc += self.chol[i * d + k] * self.z[k];
            self.rw.qp[i] = self.rw.q[i] + s * acc;
        }
        return accept(self.rw.q, &self.rw.lp, self.rw.qp, self.rw.g, s, target, rng);
    }

    /// Recomputes the proposal factor from the draws collected so far; keeps the old one if the
    /// estimate is not positive definite.
    fn refreshFactor(self: *AdaptiveMetropolis) void {
        const d = self.rw.d;
        self.cov.covariance(self.chol);
        const n: f64 = @floatFromInt(self.cov.n);
        for (self.chol) |*v| v.* *= n / (n + 5.0);
        for (0..d) |i| self.chol[i * d + i] += 1e-3 * (5.0 / (n + 5.0));
        adapt.cholesky(self.chol, d) catch {
            self.have_chol = false;
            return;
        };
        self.have_chol = true;
    }

    fn minDraws(self: *const AdaptiveMetropolis) usize {
        return @max(20, 2 * self.rw.d);
    }

    /// Called after warmup iteration `iter` (0-based) of `warmup`.
    pub fn adaptStep(self: *AdaptiveMetropolis, accept_stat: f64, iter: usize, warmup: usize) void {
        const first = (warmup * 15) / 100;
        if (iter < first or !self.have_chol) {
            self.rw.adaptScale(accept_stat, iter, warmup);
        } else {
            self.t += 1;
            self.log_scale += std.math.pow(f64, @floatFromInt(self.t), -0.6) * (accept_stat - target_accept);
            if (2 * iter >= warmup) {
                self.avg_sum += self.log_scale;
                self.avg_n += 1;
            }
        }
        if (iter < first) return;
        self.cov.add(self.rw.q);
        if (self.cov.n >= self.minDraws() and (self.cov.n - self.minDraws()) % 10 == 0) self.refreshFactor();
    }

    pub fn endWarmup(self: *AdaptiveMetropolis) void {
        self.rw.endWarmup();
        if (self.avg_n > 0) self.log_scale = self.avg_sum / @as(f64, @floatFromInt(self.avg_n));
        if (self.cov.n >= self.minDraws()) self.refreshFactor();
    }
};

const TestGauss = struct {
    dim: usize = 2,
    names: []const model_mod.Str = &.{},
    /// N(0, [[1, .9·2], [.9·2, 4]])
    pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
        const s1 = 1.0;
        const s2 = 2.0;
        const r = 0.9;
        const a = q[0] / s1;
        const b = q[1] / s2;
        const k = 1.0 / (1 - r * r);
        g[0] = -k * (a - r * b) / s1;
        g[1] = -k * (b - r * a) / s2;
        return -0.5 * k * (a * a - 2 * r * a * b + b * b);
    }
    pub fn writeDraw(_: *const @This(), _: []const f64, _: *ham.Rng, _: []f64) void {}
};

test "random-walk scale adaptation approaches acceptance 0.234" {
    const a = std.testing.allocator;
    const inst = TestGauss{};
    const m = model_mod.fromShared(TestGauss, &inst);
    var target = Target{ .model = &m, .ctx = m.data };
    var rw = try RandomWalk.init(a, 2);
    defer rw.deinit(a);
    var g: [2]f64 = undefined;
    const q0 = [_]f64{ 0, 0 };
    rw.setPosition(&q0, target.eval(&q0, &g));
    var prng = ham.Rng.init(3);
    const warmup = 3000;
    for (0..warmup) |i| {
        const t = rw.transition(&target, prng.random());
        rw.adaptScale(t.accept_stat, i, warmup);
    }
    rw.endWarmup();
    var acc: f64 = 0;
    const n = 20000;
    for (0..n) |_| acc += rw.transition(&target, prng.random()).accept_stat;
    // mean acceptance over 20000 correlated draws: sd ~ 0.01
    try std.testing.expectApproxEqAbs(@as(f64, 0.234), acc / n, 0.05);
}

test "adaptive Metropolis learns the target covariance" {
    const a = std.testing.allocator;
    const inst = TestGauss{};
    const m = model_mod.fromShared(TestGauss, &inst);
    var target = Target{ .model = &m, .ctx = m.data };
    var am = try AdaptiveMetropolis.init(a, 2);
    defer am.deinit(a);
    var g: [2]f64 = undefined;
    const q0 = [_]f64{ 0.5, -0.5 };
    am.setPosition(&q0, target.eval(&q0, &g));
    var prng = ham.Rng.init(4);
    const warmup = 4000;
    for (0..warmup) |i| {
        const t = am.transition(&target, prng.random());
        am.adaptStep(t.accept_stat, i, warmup);
    }
    am.endWarmup();
    try std.testing.expect(am.have_chol);
    // L Lᵀ ≈ (n/(n+5))·Σ + small; Σ = [[1, 1.8], [1.8, 4]]: L00 ≈ 1, L10 ≈ 1.8, L11 ≈ sqrt(0.76)
    try std.testing.expectApproxEqAbs(@as(f64, 1), am.chol[0], 0.25);
    try std.testing.expectApproxEqAbs(@as(f64, 1.8), am.chol[2], 0.45);
    try std.testing.expectApproxEqAbs(@sqrt(0.76), am.chol[3], 0.2);
    // the global scale brings the acceptance rate to the 0.234 target (sd of the mean of 5000
    // correlated acceptance probabilities ≈ 0.01)
    var acc: f64 = 0;
    for (0..5000) |_| acc += am.transition(&target, prng.random()).accept_stat;
    try std.testing.expectApproxEqAbs(@as(f64, 0.234), acc / 5000, 0.05);
    try std.testing.expect(am.scale() > 0.5 and am.scale() < 4);
}
