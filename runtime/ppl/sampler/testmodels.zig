//! Small target distributions with hand-written gradients, used by the sampler tests and the
//! benchmarks: independent normals with given scales (the standard normal in any dimension, and
//! a badly scaled one that only samples well once the metric is adapted), a correlated 2-D normal,
//! a banana (a normal bent along a parabola), the centred eight-schools funnel (which makes
//! NUTS diverge), and a model with no finite point (for start-up failures). Output columns are the parameters themselves, named "x.1", "x.2", ...

const std = @import("std");
const model_mod = @import("model.zig");

const Str = model_mod.Str;
const Rng = model_mod.Rng;

const names_x = [_]Str{
    Str.from("x.1"), Str.from("x.2"), Str.from("x.3"), Str.from("x.4"), Str.from("x.5"),
    Str.from("x.6"), Str.from("x.7"), Str.from("x.8"), Str.from("x.9"), Str.from("x.10"),
};

/// A one-dimensional model whose log density is -inf everywhere: no chain can start.
pub const Nowhere = struct {
    dim: usize = 1,
    names: []const Str = &.{},
    pub fn logDensityGrad(_: *const Nowhere, _: []const f64, g: []f64) f64 {
        g[0] = 0;
        return -std.math.inf(f64);
    }
    pub fn writeDraw(_: *const Nowhere, _: []const f64, _: *Rng, _: []f64) void {}
};

/// Independent normals N(0, scales[i]²), up to 10 dimensions.
pub const ScaledNormal = struct {
    dim: usize,
    names: []const Str,
    scales: []const f64,

    pub fn init(scales: []const f64) ScaledNormal {
        return .{ .dim = scales.len, .names = names_x[0..scales.len], .scales = scales };
    }

    pub fn logDensityGrad(self: *const ScaledNormal, q: []const f64, g: []f64) f64 {
        var s: f64 = 0;
        for (q, g, self.scales) |x, *gi, sc| {
            const z = x / sc;
            gi.* = -z / sc;
            s -= 0.5 * z * z;
        }
        return s;
    }

    pub fn writeDraw(self: *const ScaledNormal, q: []const f64, rng: *Rng, out: []f64) void {
        _ = self;
        _ = rng;
        @memcpy(out, q);
    }
};

pub const ones10 = [_]f64{1} ** 10;

/// Zero-mean 2-D normal with standard deviations s1, s2 and correlation r.
pub const Correlated2 = struct {
    dim: usize = 2,
    names: []const Str = names_x[0..2],
    s1: f64 = 1,
    s2: f64 = 2,
    r: f64 = 0.9,

    pub fn logDensityGrad(self: *const Correlated2, q: []const f64, g: []f64) f64 {
        const a = q[0] / self.s1;
        const b = q[1] / self.s2;
        const k = 1.0 / (1 - self.r * self.r);
        g[0] = -k * (a - self.r * b) / self.s1;
        g[1] = -k * (b - self.r * a) / self.s2;
        return -0.5 * k * (a * a - 2 * self.r * a * b + b * b);
    }

    pub fn writeDraw(_: *const Correlated2, q: []const f64, _: *Rng, out: []f64) void {
        @memcpy(out, q);
    }
};

/// Banana: x1 ~ N(0, 1), x2 | x1 ~ N(b·(x1² - 1), 1). E[x2] = 0, Var[x2] = 1 + 2b².
pub const Banana = struct {
    dim: usize = 2,
    names: []const Str = names_x[0..2],
    b: f64 = 0.5,

    pub fn logDensityGrad(self: *const Banana, q: []const f64, g: []f64) f64 {
        const m = self.b * (q[0] * q[0] - 1);
        const r = q[1] - m;
        g[0] = -q[0] + r * self.b * 2 * q[0];
        g[1] = -r;
        return -0.5 * q[0] * q[0] - 0.5 * r * r;
    }

    pub fn writeDraw(_: *const Banana, q: []const f64, _: *Rng, out: []f64) void {
        @memcpy(out, q);
    }
};

/// Centred eight schools: mu ~ N(0, 5), tau ~ half-Cauchy(0, 5) (sampled as log tau),
/// theta_j ~ N(mu, tau), y_j ~ N(theta_j, sigma_j). q = (mu, log tau, theta_1..8).
pub const EightSchoolsCentered = struct {
    dim: usize = 10,
    names: []const Str = names_x[0..10],
    y: [8]f64 = .{ 28, 8, -3, 7, -1, 1, 18, 12 },
    sigma: [8]f64 = .{ 15, 10, 16, 11, 9, 11, 10, 18 },

    pub fn logDensityGrad(self: *const EightSchoolsCentered, q: []const f64, g: []f64) f64 {
        const mu = q[0];
        const ltau = q[1];
        const tau = @exp(ltau);
        var lp = -0.5 * mu * mu / 25.0 - @log(1 + tau * tau / 25.0) + ltau;
        g[0] = -mu / 25.0;
        g[1] = -2 * tau * tau / 25.0 / (1 + tau * tau / 25.0) + 1;
        for (0..8) |j| {
            const th = q[2 + j];
            const z = (th - mu) / tau;
            lp += -0.5 * z * z - ltau;
            g[0] += z / tau;
            g[1] += z * z - 1;
            const e = (self.y[j] - th) / self.sigma[j];
            lp += -0.5 * e * e;
            g[2 + j] = -z / tau + e / self.sigma[j];
        }
        return lp;
    }

    pub fn writeDraw(_: *const EightSchoolsCentered, q: []const f64, _: *Rng, out: []f64) void {
        @memcpy(out, q);
        out[1] = @exp(q[1]);
    }
};

/// Checks a model's gradient against central finite differences at `q`.
pub fn checkGradient(comptime T: type, m: *const T, q: []const f64) !void {
    var g: [16]f64 = undefined;
    var g2: [16]f64 = undefined;
    var qq: [16]f64 = undefined;
    const d = q.len;
    _ = m.logDensityGrad(q, g[0..d]);
    for (0..d) |i| {
        @memcpy(qq[0..d], q);
        const h = 1e-6 * @max(1.0, @abs(q[i]));
        qq[i] = q[i] + h;
        const fp = m.logDensityGrad(qq[0..d], g2[0..d]);
        qq[i] = q[i] - h;
        const fm = m.logDensityGrad(qq[0..d], g2[0..d]);
        try std.testing.expectApproxEqAbs((fp - fm) / (2 * h), g[i], 1e-5 * @max(1.0, @abs(g[i])));
    }
}

test "test models have correct gradients" {
    const sn = ScaledNormal.init(&.{ 0.01, 1, 100 });
    try checkGradient(ScaledNormal, &sn, &.{ 0.003, -0.5, 40 });
    try checkGradient(Correlated2, &Correlated2{}, &.{ 0.3, -1.2 });
    try checkGradient(Banana, &Banana{}, &.{ 1.3, 0.2 });
    const es = EightSchoolsCentered{};
    try checkGradient(EightSchoolsCentered, &es, &.{ 4, 1.2, 5, 3, -1, 7, 2, 0, 10, 6 });
}
