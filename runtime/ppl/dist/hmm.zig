//! The marginal log likelihood of a hidden Markov model (`hmm_marginal`): the forward algorithm
//! over K hidden states and T times, with the states summed out. The "value" is the T x K matrix
//! of log emission densities, log_omega[t][k] = log p(y_t | state k), which the model computes
//! from its own emission distribution; the parameters are the K x K transition matrix Gamma
//! (row i is the distribution of the next state given state i, a simplex) and the initial
//! distribution rho (a K-simplex):
//!
//!     log p(y_1..T) = log sum_{z_1..z_T} rho[z_1] omega[1][z_1] prod_t Gamma[z_{t-1}][z_t] omega[t][z_t]
//!
//! The forward pass runs on probabilities rescaled at every step (each row of log_omega is
//! shifted by its maximum, each forward vector normalised to sum 1, the logs of the scales
//! summed), so it neither underflows nor takes a log-sum-exp per transition. The gradient is a
//! scaled backward pass: with normalised forward vectors a_t, backward vectors b_t and step
//! scales c_t, d/d log_omega[t][k] = a_t[k] b_t[k] (the posterior state marginals),
//! d/d Gamma[i][j] = sum_t a_{t-1}[i] e_t[j] b_t[j] / c_t and d/d rho[i] = e_1[i] b_1[i] / c_1,
//! where e_t[j] = exp(log_omega[t][j] - max_k log_omega[t][k]). It costs O(T K^2) and pushes ONE
//! node (no tape of T K^2 operations). Gamma and rho are checked to be row-stochastic and a
//! simplex (within 1e-8); their partials are the unconstrained ones, as for every density.

const std = @import("std");
const ad = @import("../ad.zig");
const linalg = @import("../linalg.zig");
const common = @import("common.zig");
const math = std.math;

const Error = common.Error;
const inf = math.inf(f64);

pub const hmm_marginal = struct {
    pub const name = "hmm_marginal";

    pub fn lpdf(comptime S: type, log_omega: anytype, gamma: anytype, rho: anytype) Error!S.Real {
        const k = rho.len;
        const t_len = log_omega.rows;
        try validate(log_omega, gamma, rho);
        var g = ad.Grad(S, @TypeOf(.{ log_omega.data, gamma.data, rho })).init(.{ log_omega.data, gamma.data, rho });
        const G = @TypeOf(g);
        if (t_len == 0) return g.finish(0);
        // scratch: a (T x K), e (T x K), c (T), b and next b (K each), Gamma values (K x K)
        const work = linalg.scratch(2 * t_len * k + t_len + 2 * k + k * k);
        const fw = Forward{
            .a = work[0 .. t_len * k],
            .e = work[t_len * k .. 2 * t_len * k],
            .c = work[2 * t_len * k .. 2 * t_len * k + t_len],
            .gam = work[2 * t_len * k + t_len + 2 * k ..],
            .k = k,
        };
        for (fw.gam, 0..) |*v, i| v.* = ad.value(gamma.data[i]);
        const lp = fw.run(log_omega, rho);
        if (lp == -inf) return S.lift(-inf);
        if (comptime G.wants(0) or G.wants(1) or G.wants(2)) {
            const b = work[2 * t_len * k + t_len .. 2 * t_len * k + t_len + k];
            const b_next = work[2 * t_len * k + t_len + k .. 2 * t_len * k + t_len + 2 * k];
            fw.backward(G, &g, b, b_next);
        }
        return g.finish(lp);
    }

    /// Shapes, simplexes, and log emissions that are numbers below +inf (-inf: impossible).
    fn validate(log_omega: anytype, gamma: anytype, rho: anytype) Error!void {
        const k = rho.len;
        try common.checkSimplex(name, "rho", rho);
        if (gamma.rows != k or gamma.cols != k)
            return common.fail("{s}: Gamma must be {d} x {d} (rho has {d} states), got {d} x {d}", .{ name, k, k, k, gamma.rows, gamma.cols });
        for (0..k) |i| {
            if (!common.isSimplex(gamma.row(i))) {
                return common.fail("{s}: row {d} of Gamma must be a simplex (non-negative, summing to 1)", .{ name, i });
            }
        }
        if (log_omega.rows > 0 and log_omega.cols != k)
            return common.fail("{s}: log_omega has {d} columns but rho has {d} states", .{ name, log_omega.cols, k });
        for (0..log_omega.data.len) |i| {
            const v = ad.value(log_omega.data[i]);
            if (math.isNan(v) or v == inf)
                return common.fail("{s}: log_omega[{d}][{d}] must be a number below +inf, got {}", .{ name, i / k, i % k, common.num(v) });
        }
    }
};

/// The scaled forward pass and its stored quantities (views into scratch).
const Forward = struct {
    /// normalised forward vectors, row t = a_t
    a: []f64,
    /// emissions relative to each row's maximum, e_t[j] = exp(log_omega[t][j] - m_t)
    e: []f64,
    /// the sums c_t that normalised a_t
    c: []f64,
    /// Gamma's values, row-major
    gam: []f64,
    k: usize,

    /// Fills a, e, c and returns log p(y), or -inf when no state path is possible.
    fn run(self: Forward, log_omega: anytype, rho: anytype) f64 {
        const k = self.k;
        var lp: f64 = 0;
        for (0..self.c.len) |t| {
            const row = log_omega.data[t * k .. (t + 1) * k];
            var m: f64 = -inf;
            for (0..k) |j| m = @max(m, ad.value(row[j]));
            if (m == -inf) return -inf;
            const e = self.e[t * k .. (t + 1) * k];
            for (0..k) |j| e[j] = @exp(ad.value(row[j]) - m);
            const a = self.a[t * k .. (t + 1) * k];
            if (t == 0) {
                for (0..k) |j| a[j] = ad.value(rho[j]) * e[j];
            } else {
                self.propagate(self.a[(t - 1) * k .. t * k], a);
                for (0..k) |j| a[j] *= e[j];
            }
            var c: f64 = 0;
            for (a) |v| c += v;
            if (!(c > 0)) return -inf;
            for (a) |*v| v.* /= c;
            self.c[t] = c;
            lp += m + @log(c);
        }
        return lp;
    }

    /// out[j] = sum_i prev[i] Gamma[i][j]
    fn propagate(self: Forward, prev: []const f64, out: []f64) void {
        @memset(out, 0);
        for (0..self.k) |i| {
            const p = prev[i];
            if (p == 0) continue;
            const gr = self.gam[i * self.k .. (i + 1) * self.k];
            for (out, gr) |*o, gij| o.* += p * gij;
        }
    }

    /// The scaled backward pass, adding the partials of all three operands to `g`.
    fn backward(self: Forward, comptime G: type, g: *G, b: []f64, b_next: []f64) void {
        const k = self.k;
        const t_len = self.c.len;
        @memset(b, 1); // b_T
        var t = t_len;
        while (t > 0) {
            t -= 1;
            const a = self.a[t * k .. (t + 1) * k];
            const e = self.e[t * k .. (t + 1) * k];
            const c = self.c[t];
            if (comptime G.wants(0)) {
                for (0..k) |j| g.add(0, t * k + j, a[j] * b[j]);
            }
            // w[j] = e_t[j] b_t[j] / c_t, shared by the Gamma, rho and b_{t-1} terms
            for (0..k) |j| b_next[j] = e[j] * b[j] / c;
            if (t == 0) {
                if (comptime G.wants(2)) {
                    for (0..k) |i| g.add(2, i, b_next[i]);
                }
                break;
            }
            const a_prev = self.a[(t - 1) * k .. t * k];
            if (comptime G.wants(1)) {
                for (0..k) |i| for (0..k) |j| g.add(1, i * k + j, a_prev[i] * b_next[j]);
            }
            // b_{t-1}[i] = sum_j Gamma[i][j] w[j]
            for (0..k) |i| {
                var s: f64 = 0;
                const gr = self.gam[i * k .. (i + 1) * k];
                for (gr, b_next) |gij, w| s += gij * w;
                b[i] = s;
            }
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const tu = @import("testutil.zig");
const sp = @import("../special.zig");
const F64 = ad.F64;
const Fwd = ad.Fwd;
const Rev = ad.Rev;
const testing = std.testing;

/// The forward algorithm written directly in log space (log-sum-exp per transition).
fn naiveLogForward(lo: []const f64, t_len: usize, k: usize, gam: []const f64, rho: []const f64) f64 {
    var alpha: [8]f64 = undefined;
    var next: [8]f64 = undefined;
    for (0..k) |j| alpha[j] = @log(rho[j]) + lo[j];
    for (1..t_len) |t| {
        for (0..k) |j| {
            var terms: [8]f64 = undefined;
            for (0..k) |i| terms[i] = alpha[i] + @log(gam[i * k + j]);
            next[j] = sp.log_sum_exp_slice(terms[0..k]) + lo[t * k + j];
        }
        @memcpy(alpha[0..k], next[0..k]);
    }
    return sp.log_sum_exp_slice(alpha[0..k]);
}

const lo_3x2 = [_]f64{ -1.2, -0.3, -2.5, -0.7, -0.4, -3.1 };
const gam_2 = [_]f64{ 0.9, 0.1, 0.25, 0.75 };
const rho_2 = [_]f64{ 0.6, 0.4 };

test "hmm_marginal equals the log-space forward algorithm and enumeration of paths" {
    defer linalg.freeScratch();
    const lo = linalg.Matrix(f64){ .data = &lo_3x2, .rows = 3, .cols = 2 };
    const gm = linalg.Matrix(f64){ .data = &gam_2, .rows = 2, .cols = 2 };
    const rho: []const f64 = &rho_2;
    const v = try hmm_marginal.lpdf(F64, lo, gm, rho);
    try tu.expectRel(naiveLogForward(&lo_3x2, 3, 2, &gam_2, &rho_2), v, 1e-14);
    // all 8 state paths
    var total: f64 = 0;
    for (0..8) |path| {
        const z = [_]usize{ path & 1, (path >> 1) & 1, (path >> 2) & 1 };
        var p = rho_2[z[0]] * @exp(lo_3x2[z[0]]);
        for (1..3) |t| p *= gam_2[z[t - 1] * 2 + z[t]] * @exp(lo_3x2[t * 2 + z[t]]);
        total += p;
    }
    try tu.expectRel(@log(total), v, 1e-14);
    // rows far below exp's range do not underflow
    var low: [6]f64 = undefined;
    for (&low, lo_3x2) |*x, y| x.* = y - 2000;
    const v_low = try hmm_marginal.lpdf(F64, linalg.Matrix(f64){ .data = &low, .rows = 3, .cols = 2 }, gm, rho);
    try tu.expectRel(v - 6000, v_low, 1e-14);
    // no observations: log 1
    try testing.expectEqual(@as(f64, 0), try hmm_marginal.lpdf(F64, linalg.Matrix(f64){ .data = &.{}, .rows = 0, .cols = 0 }, gm, rho));
}

test "hmm_marginal gradients: Rev equals Fwd on every input, and finite differences" {
    defer Rev.deinit();
    defer linalg.freeScratch();
    const n = 6 + 4 + 2;
    Rev.reset();
    var vars: [n]ad.Var = undefined;
    for (0..6) |i| vars[i] = Rev.independent(lo_3x2[i]);
    for (0..4) |i| vars[6 + i] = Rev.independent(gam_2[i]);
    for (0..2) |i| vars[10 + i] = Rev.independent(rho_2[i]);
    const out = try hmm_marginal.lpdf(Rev, linalg.Matrix(ad.Var){ .data = vars[0..6], .rows = 3, .cols = 2 }, linalg.Matrix(ad.Var){ .data = vars[6..10], .rows = 2, .cols = 2 }, @as([]const ad.Var, vars[10..12]));
    var grad: [n]f64 = undefined;
    Rev.gradient(out, &vars, &grad);
    var x: [n]f64 = undefined;
    @memcpy(x[0..6], &lo_3x2);
    @memcpy(x[6..10], &gam_2);
    @memcpy(x[10..12], &rho_2);
    for (0..n) |c| {
        var d: [n]ad.Dual = undefined;
        for (0..n) |i| d[i] = Fwd.dual(x[i], if (i == c) 1 else 0);
        const r = try hmm_marginal.lpdf(Fwd, linalg.Matrix(ad.Dual){ .data = d[0..6], .rows = 3, .cols = 2 }, linalg.Matrix(ad.Dual){ .data = d[6..10], .rows = 2, .cols = 2 }, @as([]const ad.Dual, d[10..12]));
        try tu.expectClose(r.tan, grad[c], 1e-13, 1e-14);
        // central difference of the log-space reference (it needs no simplex, unlike lpdf)
        const h = 1e-6;
        var xp = x;
        var xm = x;
        xp[c] += h;
        xm[c] -= h;
        const fd = (naiveLogForward(xp[0..6], 3, 2, xp[6..10], xp[10..12]) - naiveLogForward(xm[0..6], 3, 2, xm[6..10], xm[10..12])) / (2 * h);
        try tu.expectClose(fd, grad[c], 1e-7, 1e-8);
    }
    // the log-emission partials are the posterior state marginals: each row sums to 1
    for (0..3) |t| try tu.expectClose(1, grad[2 * t] + grad[2 * t + 1], 1e-14, 1e-14);
}

test "hmm_marginal rejects bad shapes and non-stochastic matrices; impossible paths give -inf" {
    defer linalg.freeScratch();
    const lo = linalg.Matrix(f64){ .data = &lo_3x2, .rows = 3, .cols = 2 };
    const rho: []const f64 = &rho_2;
    const bad_row = [_]f64{ 0.9, 0.2, 0.25, 0.75 };
    try testing.expectError(error.InvalidParameter, hmm_marginal.lpdf(F64, lo, linalg.Matrix(f64){ .data = &bad_row, .rows = 2, .cols = 2 }, rho));
    try testing.expectEqualStrings("hmm_marginal: row 0 of Gamma must be a simplex (non-negative, summing to 1)", common.lastError());
    try testing.expectError(error.InvalidParameter, hmm_marginal.lpdf(F64, lo, linalg.Matrix(f64){ .data = gam_2[0..2], .rows = 1, .cols = 2 }, rho));
    try testing.expectEqualStrings("hmm_marginal: Gamma must be 2 x 2 (rho has 2 states), got 1 x 2", common.lastError());
    const three = [_]f64{ 0.2, 0.3, 0.5 };
    const gm = linalg.Matrix(f64){ .data = &gam_2, .rows = 2, .cols = 2 };
    try testing.expectError(error.InvalidParameter, hmm_marginal.lpdf(F64, linalg.Matrix(f64){ .data = &lo_3x2, .rows = 2, .cols = 3 }, gm, rho));
    try testing.expectEqualStrings("hmm_marginal: log_omega has 3 columns but rho has 2 states", common.lastError());
    try testing.expectError(error.InvalidParameter, hmm_marginal.lpdf(F64, lo, gm, @as([]const f64, &three)));
    const nan_lo = [_]f64{ -1, math.nan(f64) };
    try testing.expectError(error.InvalidParameter, hmm_marginal.lpdf(F64, linalg.Matrix(f64){ .data = &nan_lo, .rows = 1, .cols = 2 }, gm, rho));
    try testing.expectEqualStrings("hmm_marginal: log_omega[0][1] must be a number below +inf, got nan", common.lastError());
    // state 0 only emits at t = 0, state 1 only at t = 1, but Gamma never leaves state 0
    const stuck = [_]f64{ 1, 0, 0, 1 };
    const only = [_]f64{ 0, -inf, -inf, 0 };
    try testing.expectEqual(-inf, try hmm_marginal.lpdf(F64, linalg.Matrix(f64){ .data = &only, .rows = 2, .cols = 2 }, linalg.Matrix(f64){ .data = &stuck, .rows = 2, .cols = 2 }, @as([]const f64, &.{ 1, 0 })));
}
