//! Euclidean Hamiltonian dynamics shared by NUTS and static HMC: the metric (diagonal or dense
//! inverse mass matrix), phase-space points, the leapfrog integrator, and Stan's step-size
//! initialisation heuristic.
//!
//! Conventions (as in Stan): potential V(q) = -log p(q), kinetic τ(p) = ½ pᵀ M⁻¹ p, Hamiltonian
//! H = V + τ, "sharp" momentum p♯ = ∂τ/∂p = M⁻¹ p (stored as `v`, also the velocity used by the
//! integrator). Momenta are drawn as p ~ N(0, M): p_i = z_i / sqrt(M⁻¹_ii) for a diagonal metric,
//! p = L⁻ᵀ z with L Lᵀ = M⁻¹ for a dense one.

const std = @import("std");
const model_mod = @import("model.zig");
const adapt = @import("adapt.zig");

pub const Model = model_mod.Model;
pub const Rng = model_mod.Rng;
pub const MetricKind = adapt.MetricKind;

/// The inverse metric M⁻¹ and what is derived from it.
pub const Metric = struct {
    kind: MetricKind,
    d: usize,
    /// diag: d entries; dense: d×d row-major.
    inv: []f64,
    /// diag: 1/sqrt(inv_i); dense: lower Cholesky factor of `inv`.
    factor: []f64,

    pub fn init(allocator: std.mem.Allocator, kind: MetricKind, d: usize) !Metric {
        const n = if (kind == .diag) d else d * d;
        const inv = try allocator.alloc(f64, n);
        errdefer allocator.free(inv);
        const factor = try allocator.alloc(f64, n);
        var m = Metric{ .kind = kind, .d = d, .inv = inv, .factor = factor };
        m.setIdentity();
        return m;
    }

    pub fn deinit(self: *Metric, allocator: std.mem.Allocator) void {
        allocator.free(self.inv);
        allocator.free(self.factor);
    }

    pub fn setIdentity(self: *Metric) void {
        switch (self.kind) {
            .diag => @memset(self.inv, 1),
            .dense => {
                @memset(self.inv, 0);
                for (0..self.d) |i| self.inv[i * self.d + i] = 1;
            },
        }
        self.refresh() catch unreachable;
    }

    /// Recomputes `factor` after `inv` changed.
    pub fn refresh(self: *Metric) error{NotPositiveDefinite}!void {
        switch (self.kind) {
            .diag => for (self.factor, self.inv) |*f, v| {
                if (!(v > 0) or !std.math.isFinite(v)) return error.NotPositiveDefinite;
                f.* = 1 / @sqrt(v);
            },
            .dense => {
                @memcpy(self.factor, self.inv);
                try adapt.cholesky(self.factor, self.d);
            },
        }
    }

    /// v = M⁻¹ p.
    pub fn velocity(self: *const Metric, p: []const f64, v: []f64) void {
        switch (self.kind) {
            .diag => for (v, p, self.inv) |*vi, pi, mi| {
                vi.* = mi * pi;
            },
            .dense => {
                const d = self.d;
                for (0..d) |i| {
                    const row = self.inv[i * d .. (i + 1) * d];
                    var s: f64 = 0;
                    for (row, p) |a, b| s += a * b;
                    v[i] = s;
                }
            },
        }
    }

    /// Draws p ~ N(0, M).
    pub fn sampleMomentum(self: *const Metric, rng: std.Random, p: []f64) void {
        switch (self.kind) {
            .diag => for (p, self.factor) |*pi, f| {
                pi.* = rng.floatNorm(f64) * f;
            },
            .dense => {
                const d = self.d;
                for (p) |*pi| pi.* = rng.floatNorm(f64);
                // solve Lᵀ p = z by back substitution (L lower, row-major)
                var i = d;
                while (i > 0) {
                    i -= 1;
                    var s = p[i];
                    for (i + 1..d) |k| s -= self.factor[k * d + i] * p[k];
                    p[i] = s / self.factor[i * d + i];
                }
            },
        }
    }
};

test "Metric velocity and momentum covariance" {
    const a = std.testing.allocator;
    var m = try Metric.init(a, .dense, 2);
    defer m.deinit(a);
    m.inv[0] = 2;
    m.inv[1] = 0.5;
    m.inv[2] = 0.5;
    m.inv[3] = 1;
    try m.refresh();
    var v: [2]f64 = undefined;
    m.velocity(&[_]f64{ 1, 2 }, &v);
    try std.testing.expectEqual(@as(f64, 3), v[0]);
    try std.testing.expectEqual(@as(f64, 2.5), v[1]);
    // Cov(p) must be M = inv⁻¹ = [[1, -.5], [-.5, 2]] / 1.75
    var prng = Rng.init(11);
    const n = 200000;
    var s00: f64 = 0;
    var s01: f64 = 0;
    var s11: f64 = 0;
    var p: [2]f64 = undefined;
    for (0..n) |_| {
        m.sampleMomentum(prng.random(), &p);
        s00 += p[0] * p[0];
        s01 += p[0] * p[1];
        s11 += p[1] * p[1];
    }
    const nf: f64 = n;
    // sd of a sample second moment of N(0, s²) is s²·sqrt(2/n): 4 of them is ~0.007 relative
    try std.testing.expectApproxEqAbs(1.0 / 1.75, s00 / nf, 0.006);
    try std.testing.expectApproxEqAbs(-0.5 / 1.75, s01 / nf, 0.006);
    try std.testing.expectApproxEqAbs(2.0 / 1.75, s11 / nf, 0.012);

    var dm = try Metric.init(a, .diag, 2);
    defer dm.deinit(a);
    dm.inv[0] = 4;
    try dm.refresh();
    try std.testing.expectEqual(@as(f64, 0.5), dm.factor[0]);
    dm.inv[1] = -1;
    try std.testing.expectError(error.NotPositiveDefinite, dm.refresh());
}

/// The model as seen by one chain: evaluates the log density, maps NaN to -inf and counts
/// gradient evaluations.
pub const Target = struct {
    model: *const Model,
    ctx: ?*anyopaque,
    n_grad: u64 = 0,

    pub fn eval(self: *Target, q: []const f64, grad: []f64) f64 {
        self.n_grad += 1;
        const lp = self.model.log_density_grad(self.ctx, q.ptr, grad.ptr);
        return if (std.math.isNan(lp)) -std.math.inf(f64) else lp;
    }
};

/// A phase-space point: position, momentum, velocity v = M⁻¹p, gradient of log p, log p.
pub const Phase = struct {
    q: []f64,
    p: []f64,
    v: []f64,
    g: []f64,
    lp: f64 = 0,

    pub fn init(allocator: std.mem.Allocator, d: usize) !Phase {
        const buf = try allocator.alloc(f64, 4 * d);
        @memset(buf, 0);
        return .{ .q = buf[0..d], .p = buf[d .. 2 * d], .v = buf[2 * d .. 3 * d], .g = buf[3 * d .. 4 * d] };
    }

    pub fn deinit(self: *Phase, allocator: std.mem.Allocator) void {
        allocator.free(self.q.ptr[0 .. 4 * self.q.len]);
    }

    pub fn copyFrom(self: *Phase, other: *const Phase) void {
        const d = self.q.len;
        @memcpy(self.q.ptr[0 .. 4 * d], other.q.ptr[0 .. 4 * d]);
        self.lp = other.lp;
    }

    pub fn kinetic(self: *const Phase) f64 {
        var s: f64 = 0;
        for (self.p, self.v) |a, b| s += a * b;
        return 0.5 * s;
    }

    /// H = -log p + τ; NaN is reported as +inf.
    pub fn hamiltonian(self: *const Phase) f64 {
        const h = -self.lp + self.kinetic();
        return if (std.math.isNan(h)) std.math.inf(f64) else h;
    }
};

/// One leapfrog step of size `eps` (negative: backwards in time). Updates q, p, v, g, lp.
pub fn leapfrog(metric: *const Metric, target: *Target, z: *Phase, eps: f64) void {
    const half = 0.5 * eps;
    switch (metric.kind) {
        .diag => for (z.q, z.p, z.g, metric.inv) |*q, *p, g, m| {
            p.* += half * g;
            q.* += eps * (m * p.*);
        },
        .dense => {
            for (z.p, z.g) |*p, g| p.* += half * g;
            metric.velocity(z.p, z.v);
            for (z.q, z.v) |*q, v| q.* += eps * v;
        },
    }
    z.lp = target.eval(z.q, z.g);
    for (z.p, z.g) |*p, g| p.* += half * g;
    metric.velocity(z.p, z.v);
}

test "leapfrog conserves energy on a Gaussian to second order" {
    const a = std.testing.allocator;
    const Gauss = struct {
        dim: usize = 2,
        names: []const model_mod.Str = &.{},
        pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
            g[0] = -q[0];
            g[1] = -q[1] / 4;
            return -0.5 * q[0] * q[0] - q[1] * q[1] / 8;
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *Rng, _: []f64) void {}
    };
    const inst = Gauss{};
    const m = model_mod.fromShared(Gauss, &inst);
    var target = Target{ .model = &m, .ctx = m.data };
    var metric = try Metric.init(a, .diag, 2);
    defer metric.deinit(a);
    var z = try Phase.init(a, 2);
    defer z.deinit(a);
    z.q[0] = 1;
    z.q[1] = -1;
    z.lp = target.eval(z.q, z.g);
    z.p[0] = 0.5;
    z.p[1] = 1;
    metric.velocity(z.p, z.v);
    const h0 = z.hamiltonian();
    var errs: [2]f64 = undefined;
    for ([_]f64{ 0.1, 0.05 }, 0..) |eps, k| {
        var w = try Phase.init(a, 2);
        defer w.deinit(a);
        w.copyFrom(&z);
        const steps: usize = @intFromFloat(1.0 / eps);
        var max_err: f64 = 0;
        for (0..steps) |_| {
            leapfrog(&metric, &target, &w, eps);
            max_err = @max(max_err, @abs(w.hamiltonian() - h0));
        }
        errs[k] = max_err;
        // reversibility: integrate back
        for (0..steps) |_| leapfrog(&metric, &target, &w, -eps);
        try std.testing.expectApproxEqAbs(z.q[0], w.q[0], 1e-12);
        try std.testing.expectApproxEqAbs(z.p[1], w.p[1], 1e-12);
    }
    // halving eps divides the energy error by ~4
    try std.testing.expect(errs[0] / errs[1] > 3.5 and errs[0] / errs[1] < 4.5);
    try std.testing.expectEqual(@as(u64, 1 + 2 * 10 + 2 * 20), target.n_grad);
}

pub const StepsizeError = error{ ImproperPosterior, NoStepsize };

/// Stan's step-size initialisation: starting from `eps`, double (or halve) it until one leapfrog
/// step from `z0` with fresh momentum crosses an acceptance probability of 0.8. `z0` must hold a
/// valid position (q, g, lp); it is left unchanged. `scratch` is overwritten.
pub fn initStepsize(eps_in: f64, z0: *const Phase, scratch: *Phase, metric: *const Metric, target: *Target, rng: std.Random) StepsizeError!f64 {
    var eps = eps_in;
    if (eps == 0 or eps > 1e7 or std.math.isNan(eps)) return eps;
    const log08 = @log(0.8);
    var direction: i32 = 0;
    var first = true;
    while (true) {
        scratch.copyFrom(z0);
        metric.sampleMomentum(rng, scratch.p);
        metric.velocity(scratch.p, scratch.v);
        const h0 = scratch.hamiltonian();
        leapfrog(metric, target, scratch, eps);
        const delta_h = h0 - scratch.hamiltonian();
        if (first) {
            direction = if (delta_h > log08) 1 else -1;
            first = false;
            continue;
        }
        if (direction == 1 and !(delta_h > log08)) break;
        if (direction == -1 and !(delta_h < log08)) break;
        eps = if (direction == 1) 2 * eps else 0.5 * eps;
        if (eps > 1e7) return error.ImproperPosterior;
        if (eps == 0) return error.NoStepsize;
    }
    return eps;
}

test "initStepsize finds a step near acceptance 0.8 and detects improper targets" {
    const a = std.testing.allocator;
    const Scaled = struct {
        dim: usize = 1,
        names: []const model_mod.Str = &.{},
        s: f64,
        pub fn logDensityGrad(self: *const @This(), q: []const f64, g: []f64) f64 {
            g[0] = -q[0] / (self.s * self.s);
            return -0.5 * q[0] * q[0] / (self.s * self.s);
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *Rng, _: []f64) void {}
    };
    var metric = try Metric.init(a, .diag, 1);
    defer metric.deinit(a);
    var z = try Phase.init(a, 1);
    defer z.deinit(a);
    var scratch = try Phase.init(a, 1);
    defer scratch.deinit(a);
    var prng = Rng.init(5);
    // narrow target (sd 0.01): the step must shrink from 1 by powers of two
    const narrow = Scaled{ .s = 0.01 };
    const mn = model_mod.fromShared(Scaled, &narrow);
    var tn = Target{ .model = &mn, .ctx = mn.data };
    z.q[0] = 0.005;
    z.lp = tn.eval(z.q, z.g);
    const eps = try initStepsize(1, &z, &scratch, &metric, &tn, prng.random());
    try std.testing.expect(eps < 0.1 and eps > 1e-4);
    try std.testing.expect(@log2(eps) == @round(@log2(eps)));
    try std.testing.expectEqual(@as(f64, 0.005), z.q[0]);
    // flat target: the step grows without bound
    const flat = Scaled{ .s = 1e30 };
    const mf = model_mod.fromShared(Scaled, &flat);
    var tf = Target{ .model = &mf, .ctx = mf.data };
    z.lp = tf.eval(z.q, z.g);
    try std.testing.expectError(error.ImproperPosterior, initStepsize(1, &z, &scratch, &metric, &tf, prng.random()));
}
