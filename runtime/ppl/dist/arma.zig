//! The general ARMA(p, q) conditional log likelihood `arma(y | mu, phi, theta, sigma)`, one
//! density over the vector y with a hand-written reverse pass (ONE tape node, O(N (p + q))
//! work):
//!
//!   y[t] - mu = sum_k phi[k] (y[t-1-k] - mu) + sum_j theta[j] eps[t-1-j] + eps[t],
//!   eps ~ normal(0, sigma), p = len(phi), q = len(theta) (either may be 0).
//!
//! It conditions on the first p values y[0 .. p-1] and sets their innovations to zero
//! (eps[t] = 0 for t < p), so the terms are t = p .. N-1 and each innovation comes from the
//! recursion above (the conditional sum of squares likelihood). With p = q = 1 this is
//! `arma11`; with q = 0 it is `ar`. Fewer values than p is an error, as for `ar`.
//!
//! The reverse pass runs the innovations recursion backwards: e_bar[t], the derivative of the
//! log density with respect to eps[t] through eps[t] itself and every later innovation, is
//! -eps[t] / sigma^2 - sum_j theta[j] e_bar[t+1+j].

const std = @import("std");
const ad = @import("../ad.zig");
const sp = @import("../special.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");

const Error = common.Error;

pub const arma = struct {
    pub const name = "arma";

    pub fn lpdf(comptime S: type, y: anytype, mu: anytype, phi: anytype, theta: anytype, sigma: anytype) Error!S.Real {
        const n = y.len;
        const p = phi.len;
        if (n < p) return common.fail("{s}: y has {d} values, fewer than the order p = {d} (the length of phi)", .{ name, n, p });
        try common.checkFinite(name, "y", y);
        try common.checkFinite(name, "mu", mu);
        try common.checkFinite(name, "phi", phi);
        try common.checkFinite(name, "theta", theta);
        try common.checkPositiveFinite(name, "sigma", sigma);
        const args = .{ y, mu, phi, theta, sigma };
        var g = ad.Grad(S, @TypeOf(args)).init(args);
        const G = @TypeOf(g);
        const work = linalg.scratch(2 * n);
        const eps = work[0..n];
        const s = ad.value(sigma);
        const q = innovations(y, ad.value(mu), phi, theta, eps);
        const terms: f64 = @floatFromInt(n - p);
        const lp = -0.5 * q / (s * s) - terms * (@log(s) + sp.log_sqrt_2pi);
        if (comptime G.wants(0) or G.wants(1) or G.wants(2) or G.wants(3) or G.wants(4)) {
            reverse(G, &g, y, ad.value(mu), phi, theta, s, eps, work[n .. 2 * n]);
            g.add(4, 0, q / (s * s * s) - terms / s);
        }
        return g.finish(lp);
    }

    /// Fills eps (zero before p) and returns the sum of the squared innovations.
    fn innovations(y: anytype, m: f64, phi: anytype, theta: anytype, eps: []f64) f64 {
        const p = phi.len;
        @memset(eps[0..p], 0);
        var q: f64 = 0;
        for (p..y.len) |t| {
            var e = ad.value(y[t]) - m;
            for (0..p) |k| e -= ad.value(phi[k]) * (ad.value(y[t - 1 - k]) - m);
            for (0..@min(theta.len, t)) |j| e -= ad.value(theta[j]) * eps[t - 1 - j];
            eps[t] = e;
            q += e * e;
        }
        return q;
    }

    /// The adjoint of `innovations` (and of the sum of squares over sigma^2): adds the partials
    /// of y, mu, phi and theta; `e_bar` is scratch of y.len.
    fn reverse(comptime G: type, g: *G, y: anytype, m: f64, phi: anytype, theta: anytype, s: f64, eps: []const f64, e_bar: []f64) void {
        const n = y.len;
        const p = phi.len;
        var phi_sum: f64 = 0;
        for (0..p) |k| phi_sum += ad.value(phi[k]);
        var d_mu: f64 = 0;
        var t = n;
        while (t > p) {
            t -= 1;
            var eb = -eps[t] / (s * s);
            for (0..theta.len) |j| {
                if (t + 1 + j < n) eb -= ad.value(theta[j]) * e_bar[t + 1 + j];
            }
            e_bar[t] = eb;
            if (comptime G.wants(0)) {
                g.add(0, t, eb);
                for (0..p) |k| g.add(0, t - 1 - k, -eb * ad.value(phi[k]));
            }
            d_mu += eb * (phi_sum - 1);
            if (comptime G.wants(2)) {
                for (0..p) |k| g.add(2, k, -eb * (ad.value(y[t - 1 - k]) - m));
            }
            if (comptime G.wants(3)) {
                for (0..@min(theta.len, t)) |j| g.add(3, j, -eb * eps[t - 1 - j]);
            }
        }
        if (comptime G.wants(1)) g.add(1, 0, d_mu);
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const continuous = @import("continuous.zig");
const tseries = @import("tseries.zig");
const F64 = ad.F64;
const testing = std.testing;

const series = [_]f64{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, -0.5, 0.7 };

test "arma(2, 2) equals the sum of normal innovations given the first two values" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    const phi = [_]f64{ 0.5, -0.2 };
    const theta = [_]f64{ 0.3, 0.1 };
    var ref: f64 = 0;
    var e = [_]f64{0} ** series.len;
    for (2..series.len) |t| {
        const mean = 0.1 + phi[0] * (series[t - 1] - 0.1) + phi[1] * (series[t - 2] - 0.1) + theta[0] * e[t - 1] + theta[1] * e[t - 2];
        ref += try continuous.normal.lpdf(F64, series[t], mean, 0.8);
        e[t] = series[t] - mean;
    }
    try tu.expectRel(ref, try arma.lpdf(F64, y, 0.1, @as([]const f64, &phi), @as([]const f64, &theta), 0.8), 1e-14);
}

test "arma with p = q = 1 is arma11, with q = 0 it is ar" {
    defer linalg.freeScratch();
    const y: []const f64 = &series;
    const one = [_]f64{0.5};
    const th = [_]f64{0.3};
    const none = [_]f64{};
    try tu.expectRel(try tseries.arma11.lpdf(F64, y, 0.1, 0.5, 0.3, 0.8), try arma.lpdf(F64, y, 0.1, @as([]const f64, &one), @as([]const f64, &th), 0.8), 1e-15);
    const phi = [_]f64{ 0.5, -0.2, 0.1 };
    try tu.expectRel(try tseries.ar.lpdf(F64, y, 0.1, @as([]const f64, &phi), 0.8), try arma.lpdf(F64, y, 0.1, @as([]const f64, &phi), @as([]const f64, &none), 0.8), 1e-15);
    try testing.expectError(error.InvalidParameter, arma.lpdf(F64, y[0..1], 0.1, @as([]const f64, &phi), @as([]const f64, &none), 0.8));
    try testing.expectEqualStrings("arma: y has 1 values, fewer than the order p = 3 (the length of phi)", common.lastError());
    try testing.expectError(error.InvalidParameter, arma.lpdf(F64, y, 0.1, @as([]const f64, &one), @as([]const f64, &th), -1.0));
}

test "arma gradients against forward mode and finite differences (p = 2, q = 3 and p = 0, q = 2)" {
    defer linalg.freeScratch();
    const F = struct {
        pub const n = 7 + 1 + 2 + 3 + 1;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return arma.lpdf(S, @as([]const S.Real, x[0..7]), x[7], @as([]const S.Real, x[8..10]), @as([]const S.Real, x[10..13]), x[13]);
        }
    };
    try tu.checkGradients(F, &.{ .{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, -0.5, 0.1, 0.5, -0.2, 0.3, 0.2, -0.1, 0.8 }, .{ -1, 0.5, 2, 0, 0.1, -0.7, 1.2, -0.2, -0.4, 0.3, 0.7, -0.3, 0.25, 1.5 } });
    const M = struct {
        pub const n = 5 + 1 + 2 + 1;
        pub fn eval(comptime S: type, x: [n]S.Real) !S.Real {
            return arma.lpdf(S, @as([]const S.Real, x[0..5]), x[5], @as([]const S.Real, x[5..5]), @as([]const S.Real, x[6..8]), x[8]);
        }
    };
    try tu.checkGradients(M, &.{.{ 0.3, -0.8, 1.1, 0.4, 1.9, 0.2, 0.6, -0.3, 0.9 }});
}
