//! Pathfinder (Zhang, Carpenter, Gelman and Vehtari 2022): a variational approximation built from
//! the path of an optimiser. L-BFGS climbs log p on the unconstrained space from the initial
//! point; at every iterate x_l it has an inverse-Hessian estimate in diagonal-plus-low-rank form,
//! Σ_l = diag(α) + β·γ·βᵀ (α updated by Gilbert and Lemaréchal's diagonal rule, β and γ from the
//! last `history` curvature pairs, the compact form of Byrd, Nocedal and Schnabel), hence a normal
//! approximation N(x_l + Σ_l·∇log p(x_l), Σ_l). The approximation with the highest Monte Carlo
//! ELBO along the path is the path's result.
//!
//! With `num_paths` > 1, independent paths start from independent initial points, each gives
//! draws from its best approximation, and the pooled draws are importance-resampled (weights
//! p/q, truncated at mean·√n as in truncated importance sampling) to the number asked for: the
//! multi-path Pathfinder of the paper (which uses Pareto smoothing instead of truncation).
//!
//! Σ_l is formed as a dense d×d matrix and factorised (O(d³) per iterate), which suits the
//! models this runtime targets (d up to a few hundred); the paper's thin-QR factorisation would
//! make it O(d·history²).

const std = @import("std");
const ham = @import("hamiltonian.zig");
const advi = @import("advi.zig");
const adapt = @import("adapt.zig");

/// Settings of a Pathfinder run.
pub const Settings = struct {
    /// Number of independent paths; 1 is single-path Pathfinder (no importance resampling).
    num_paths: usize = 1,
    /// Curvature pairs kept by L-BFGS and by the inverse-Hessian estimate.
    history: usize = 6,
    /// Maximum L-BFGS iterations per path.
    max_iter: usize = 1000,
    /// Draws of each ELBO estimate along the path.
    elbo_draws: usize = 25,
    /// Initial points of paths after the first: uniform in (-init_radius, init_radius).
    init_radius: f64 = 2,
};

pub const Error = error{ OutOfMemory, PathfinderFailed };

/// L-BFGS stops when the relative change of log p is below this (Stan's 1e4·machine epsilon).
const tol_rel_obj = 1e4 * std.math.floatEps(f64);
/// ... or when the largest gradient component is below this.
const tol_grad = 1e-8;
/// Wolfe line-search constants (sufficient increase, curvature).
const wolfe_c1 = 1e-4;
const wolfe_c2 = 0.9;
const max_line_search = 60;

/// The last `cap` curvature pairs (s = x_new − x_old, y = g_old − g_new for g = ∇log p), oldest
/// first: a ring buffer of d-vectors.
const History = struct {
    d: usize,
    cap: usize,
    s: []f64,
    y: []f64,
    len: usize = 0,
    oldest: usize = 0,

    fn init(allocator: std.mem.Allocator, d: usize, cap: usize) !History {
        const buf = try allocator.alloc(f64, 2 * d * cap);
        return .{ .d = d, .cap = cap, .s = buf[0 .. d * cap], .y = buf[d * cap ..] };
    }

    fn deinit(self: *History, allocator: std.mem.Allocator) void {
        allocator.free(self.s.ptr[0 .. 2 * self.d * self.cap]);
    }

    fn reset(self: *History) void {
        self.len = 0;
        self.oldest = 0;
    }

    fn slot(self: *const History, k: usize) usize {
        return ((self.oldest + k) % self.cap) * self.d;
    }

    /// The k-th oldest s (k < len).
    fn sAt(self: *const History, k: usize) []f64 {
        const o = self.slot(k);
        return self.s[o .. o + self.d];
    }

    fn yAt(self: *const History, k: usize) []f64 {
        const o = self.slot(k);
        return self.y[o .. o + self.d];
    }

    fn push(self: *History, s: []const f64, y: []const f64) void {
        if (self.len == self.cap) {
            self.oldest = (self.oldest + 1) % self.cap;
            self.len -= 1;
        }
        const o = self.slot(self.len);
        @memcpy(self.s[o .. o + self.d], s);
        @memcpy(self.y[o .. o + self.d], y);
        self.len += 1;
    }
};

fn dot(a: []const f64, b: []const f64) f64 {
    var s: f64 = 0;
    for (a, b) |x, y| s += x * y;
    return s;
}

/// The L-BFGS ascent direction H·g by the two-loop recursion (scalar initial matrix
/// sᵀy/yᵀy of the newest pair). `alpha_buf` holds `cap` scratch values.
fn lbfgsDirection(h: *const History, g: []const f64, dir: []f64, alpha_buf: []f64) void {
    @memcpy(dir, g);
    var k = h.len;
    while (k > 0) {
        k -= 1;
        const s = h.sAt(k);
        const y = h.yAt(k);
        const a = dot(s, dir) / dot(y, s);
        alpha_buf[k] = a;
        for (dir, y) |*r, yi| r.* -= a * yi;
    }
    if (h.len > 0) {
        const s = h.sAt(h.len - 1);
        const y = h.yAt(h.len - 1);
        const scale = dot(s, y) / dot(y, y);
        for (dir) |*r| r.* *= scale;
    }
    for (0..h.len) |i| {
        const s = h.sAt(i);
        const y = h.yAt(i);
        const b = dot(y, dir) / dot(y, s);
        for (dir, s) |*r, si| r.* += (alpha_buf[i] - b) * si;
    }
}

/// Gilbert and Lemaréchal's update of the diagonal inverse-Hessian estimate α with the pair
/// (s, y) (Zhang et al., Algorithm 3). Leaves α unchanged if the update is not positive.
fn updateDiagonal(alpha: []f64, s: []const f64, y: []const f64, scratch: []f64) void {
    var a: f64 = 0;
    var c: f64 = 0;
    for (alpha, s, y) |al, si, yi| {
        a += al * yi * yi;
        c += si * si / al;
    }
    const b = dot(y, s);
    for (scratch, alpha, s, y) |*n, al, si, yi| {
        n.* = 1 / (a / (b * al) + yi * yi / b - a * si * si / (b * c * al * al));
        if (!(n.* > 0) or !std.math.isFinite(n.*)) return;
    }
    @memcpy(alpha, scratch);
}

/// Scratch matrices of the inverse-Hessian estimate (sizes for `history` pairs in d dimensions).
const HessianWork = struct {
    rinv: []f64, // m×m inverse of R
    mid: []f64, // m×m: E + Yᵀ·diag(α)·Y, then γ22
    tmp: []f64, // m×m
    beta: []f64, // d×2m
    bg: []f64, // d×2m: β·γ

    fn init(allocator: std.mem.Allocator, d: usize, m: usize) !HessianWork {
        const buf = try allocator.alloc(f64, 3 * m * m + 4 * d * m);
        return .{
            .rinv = buf[0 .. m * m],
            .mid = buf[m * m .. 2 * m * m],
            .tmp = buf[2 * m * m .. 3 * m * m],
            .beta = buf[3 * m * m .. 3 * m * m + 2 * d * m],
            .bg = buf[3 * m * m + 2 * d * m ..],
        };
    }

    fn deinit(self: *HessianWork, allocator: std.mem.Allocator) void {
        allocator.free(self.rinv.ptr[0 .. self.rinv.len * 3 + self.beta.len * 2]);
    }
};

/// Σ = diag(α) + β·γ·βᵀ with β = [diag(α)·Y, S] and
/// γ = [[0, −R⁻¹], [−R⁻ᵀ, R⁻ᵀ(E + Yᵀdiag(α)Y)R⁻¹]], R = upper triangle of SᵀY, E = diag(sᵢᵀyᵢ).
/// Writes the dense d×d Σ (row-major) to `out`.
fn inverseHessian(h: *const History, alpha: []const f64, w: *HessianWork, out: []f64) void {
    const d = h.d;
    const m = h.len;
    @memset(out, 0);
    for (0..d) |i| out[i * d + i] = alpha[i];
    if (m == 0) return;
    // R⁻¹ by back substitution (R upper triangular, R_ij = s_iᵀy_j for i ≤ j).
    @memset(w.rinv[0 .. m * m], 0);
    for (0..m) |j| {
        var i = j + 1;
        while (i > 0) {
            i -= 1;
            var v: f64 = if (i == j) 1 else 0;
            for (i + 1..j + 1) |k| v -= dot(h.sAt(i), h.yAt(k)) * w.rinv[k * m + j];
            w.rinv[i * m + j] = v / dot(h.sAt(i), h.yAt(i));
        }
    }
    // mid = E + Yᵀdiag(α)Y
    for (0..m) |i| for (0..m) |j| {
        var v: f64 = if (i == j) dot(h.sAt(i), h.yAt(i)) else 0;
        for (h.yAt(i), h.yAt(j), alpha) |a, b, al| v += a * al * b;
        w.mid[i * m + j] = v;
    };
    // tmp = mid·R⁻¹, then mid = R⁻ᵀ·tmp (= γ22)
    for (0..m) |i| for (0..m) |j| {
        var v: f64 = 0;
        for (0..m) |k| v += w.mid[i * m + k] * w.rinv[k * m + j];
        w.tmp[i * m + j] = v;
    };
    for (0..m) |i| for (0..m) |j| {
        var v: f64 = 0;
        for (0..m) |k| v += w.rinv[k * m + i] * w.tmp[k * m + j];
        w.mid[i * m + j] = v;
    };
    // β (d×2m)
    const cols = 2 * m;
    for (0..d) |r| for (0..m) |j| {
        w.beta[r * cols + j] = alpha[r] * h.yAt(j)[r];
        w.beta[r * cols + m + j] = h.sAt(j)[r];
    };
    // bg = β·γ: first block = −(S·R⁻ᵀ), second = −(αY)·R⁻¹ + S·γ22
    for (0..d) |r| for (0..m) |j| {
        var first: f64 = 0;
        var second: f64 = 0;
        for (0..m) |k| {
            first -= w.beta[r * cols + m + k] * w.rinv[j * m + k];
            second -= w.beta[r * cols + k] * w.rinv[k * m + j];
            second += w.beta[r * cols + m + k] * w.mid[k * m + j];
        }
        w.bg[r * cols + j] = first;
        w.bg[r * cols + m + j] = second;
    };
    for (0..d) |a| for (0..d) |b| {
        var v: f64 = 0;
        for (0..cols) |k| v += w.bg[a * cols + k] * w.beta[b * cols + k];
        out[a * d + b] += v;
    };
}

/// What one path reports: its best approximation's ELBO, L-BFGS iterations, whether L-BFGS
/// met its tolerance (false: it hit `max_iter` or its line search failed).
pub const PathInfo = struct {
    elbo: f64 = -std.math.inf(f64),
    iterations: usize = 0,
    converged: bool = false,
};

/// Scratch space of one path.
const PathWork = struct {
    x: []f64,
    g: []f64,
    x_new: []f64,
    g_new: []f64,
    dir: []f64,
    s: []f64,
    y: []f64,
    alpha: []f64,
    scratch: []f64,
    loop_buf: []f64,
    sigma: []f64,
    hist: History,
    hw: HessianWork,
    trial: advi.Approx,

    fn init(allocator: std.mem.Allocator, d: usize, m: usize) !PathWork {
        const buf = try allocator.alloc(f64, 9 * d + m + d * d);
        errdefer allocator.free(buf);
        var hist = try History.init(allocator, d, m);
        errdefer hist.deinit(allocator);
        var hw = try HessianWork.init(allocator, d, m);
        errdefer hw.deinit(allocator);
        return .{
            .x = buf[0..d],
            .g = buf[d .. 2 * d],
            .x_new = buf[2 * d .. 3 * d],
            .g_new = buf[3 * d .. 4 * d],
            .dir = buf[4 * d .. 5 * d],
            .s = buf[5 * d .. 6 * d],
            .y = buf[6 * d .. 7 * d],
            .alpha = buf[7 * d .. 8 * d],
            .scratch = buf[8 * d .. 9 * d],
            .loop_buf = buf[9 * d .. 9 * d + m],
            .sigma = buf[9 * d + m ..],
            .hist = hist,
            .hw = hw,
            .trial = try advi.Approx.init(allocator, .fullrank, buf[0..d]),
        };
    }

    fn deinit(self: *PathWork, allocator: std.mem.Allocator) void {
        allocator.free(self.x.ptr[0 .. 9 * self.x.len + self.loop_buf.len + self.sigma.len]);
        self.hist.deinit(allocator);
        self.hw.deinit(allocator);
        self.trial.deinit(allocator);
    }
};

/// Builds the normal approximation at the current iterate into `w.trial`; false when Σ is not
/// positive definite.
fn approximationAt(w: *PathWork) bool {
    const d = w.x.len;
    inverseHessian(&w.hist, w.alpha, &w.hw, w.sigma);
    for (0..d) |i| {
        var v = w.x[i];
        for (0..d) |j| v += w.sigma[i * d + j] * w.g[j];
        w.trial.mu[i] = v;
    }
    @memcpy(w.trial.scale, w.sigma);
    adapt.cholesky(w.trial.scale, d) catch return false;
    for (w.trial.mu) |v| if (!std.math.isFinite(v)) return false;
    return true;
}

/// A weak-Wolfe line search along `w.dir` from (w.x, w.g, lp) by bracketing and bisection; on
/// success `w.x_new`/`w.g_new` hold the accepted point and its log density is returned.
fn lineSearch(target: *ham.Target, w: *PathWork, lp: f64, t0: f64) ?f64 {
    const slope0 = dot(w.g, w.dir);
    if (!(slope0 > 0)) return null;
    var lo: f64 = 0;
    var hi = std.math.inf(f64);
    var t = t0;
    for (0..max_line_search) |_| {
        for (w.x_new, w.x, w.dir) |*n, x, p| n.* = x + t * p;
        const lp_new = target.eval(w.x_new, w.g_new);
        var finite = std.math.isFinite(lp_new);
        for (w.g_new) |v| finite = finite and std.math.isFinite(v);
        if (!finite or lp_new < lp + wolfe_c1 * t * slope0) {
            hi = t;
        } else if (dot(w.g_new, w.dir) > wolfe_c2 * slope0) {
            lo = t;
        } else return lp_new;
        t = if (std.math.isInf(hi)) 2 * t else 0.5 * (lo + hi);
    }
    return null;
}

/// One path from `x0`: L-BFGS iterations, the approximation at every iterate, the best (highest
/// ELBO) kept in `best`.
fn runPath(target: *ham.Target, x0: []const f64, rng: std.Random, s: Settings, w: *PathWork, best: *advi.Approx, elbo_buf: []f64) PathInfo {
    var info = PathInfo{};
    const d = x0.len;
    @memcpy(w.x, x0);
    var lp = target.eval(w.x, w.g);
    if (!std.math.isFinite(lp)) return info;
    @memset(w.alpha, 1);
    w.hist.reset();
    const eps = elbo_buf[0..d];
    const z = elbo_buf[d .. 2 * d];
    const gz = elbo_buf[2 * d .. 3 * d];
    while (info.iterations < s.max_iter) {
        lbfgsDirection(&w.hist, w.g, w.dir, w.loop_buf);
        const gnorm = @sqrt(dot(w.g, w.g));
        const t0: f64 = if (w.hist.len == 0 and gnorm > 1) 1 / gnorm else 1;
        const lp_new = lineSearch(target, w, lp, t0) orelse break;
        info.iterations += 1;
        for (w.s, w.x_new, w.x) |*si, a, b| si.* = a - b;
        for (w.y, w.g, w.g_new) |*yi, a, b| yi.* = a - b;
        if (dot(w.s, w.y) > std.math.floatEps(f64) * dot(w.y, w.y)) {
            updateDiagonal(w.alpha, w.s, w.y, w.scratch);
            w.hist.push(w.s, w.y);
        }
        const rel = @abs(lp_new - lp) / @max(@max(@abs(lp_new), @abs(lp)), 1);
        @memcpy(w.x, w.x_new);
        @memcpy(w.g, w.g_new);
        lp = lp_new;
        if (approximationAt(w)) {
            const elbo = advi.estimateElbo(&w.trial, target, rng, s.elbo_draws, eps, z, gz);
            if (std.math.isFinite(elbo) and elbo > info.elbo) {
                info.elbo = elbo;
                best.copyFrom(&w.trial);
            }
        }
        var gmax: f64 = 0;
        for (w.g) |v| gmax = @max(gmax, @abs(v));
        if (rel < tol_rel_obj or gmax < tol_grad) {
            info.converged = true;
            break;
        }
    }
    return info;
}

/// What a Pathfinder run reports besides its draws.
pub const FitInfo = struct {
    /// The best ELBO over all paths.
    elbo: f64 = -std.math.inf(f64),
    /// L-BFGS iterations summed over paths.
    iterations: usize = 0,
    /// Whether every path's L-BFGS met its tolerance.
    converged: bool = true,
    /// Paths that produced an approximation.
    paths_ok: usize = 0,
};

/// Draws from the run's approximation: `z` (n×d), their log p and log q.
pub const Draws = struct {
    z: []f64,
    lp: []f64,
    lq: []f64,

    pub fn deinit(self: *Draws, allocator: std.mem.Allocator) void {
        allocator.free(self.z);
        allocator.free(self.lp);
        allocator.free(self.lq);
    }
};

/// Initial point of path `p`: `q0` for the first, uniform draws with finite log density after.
fn pathStart(target: *ham.Target, q0: []const f64, p: usize, rng: std.Random, radius: f64, x: []f64, g: []f64) bool {
    if (p == 0) {
        @memcpy(x, q0);
        return true;
    }
    for (0..100) |_| {
        for (x) |*v| v.* = radius * (2 * rng.float(f64) - 1);
        if (std.math.isFinite(target.eval(x, g))) return true;
    }
    return false;
}

/// Runs `s.num_paths` paths and returns `n` draws: from the best approximation of the single
/// path, or importance-resampled from the pooled draws of several paths.
pub fn run(allocator: std.mem.Allocator, target: *ham.Target, q0: []const f64, rng: std.Random, s: Settings, n: usize) Error!struct { info: FitInfo, draws: Draws } {
    const d = q0.len;
    const paths = @max(s.num_paths, 1);
    var w = try PathWork.init(allocator, d, s.history);
    defer w.deinit(allocator);
    var best = try advi.Approx.init(allocator, .fullrank, q0);
    defer best.deinit(allocator);
    const buf = try allocator.alloc(f64, 4 * d);
    defer allocator.free(buf);
    const start = buf[3 * d ..];

    const pool = try allocator.alloc(f64, paths * n * d);
    defer allocator.free(pool);
    const pool_lp = try allocator.alloc(f64, paths * n);
    defer allocator.free(pool_lp);
    const pool_lq = try allocator.alloc(f64, paths * n);
    defer allocator.free(pool_lq);

    var info = FitInfo{};
    for (0..paths) |p| {
        if (!pathStart(target, q0, p, rng, s.init_radius, start, buf[0..d])) continue;
        const path = runPath(target, start, rng, s, &w, &best, buf[0 .. 3 * d]);
        info.iterations += path.iterations;
        info.converged = info.converged and path.converged;
        if (!std.math.isFinite(path.elbo)) continue;
        info.elbo = @max(info.elbo, path.elbo);
        const k = info.paths_ok;
        drawFrom(&best, target, rng, pool[k * n * d .. (k + 1) * n * d], pool_lp[k * n .. (k + 1) * n], pool_lq[k * n .. (k + 1) * n], buf[0 .. 2 * d]);
        info.paths_ok += 1;
    }
    if (info.paths_ok == 0) return error.PathfinderFailed;
    const total = info.paths_ok * n;
    var out = Draws{ .z = try allocator.alloc(f64, n * d), .lp = try allocator.alloc(f64, n), .lq = try allocator.alloc(f64, n) };
    errdefer out.deinit(allocator);
    if (info.paths_ok == 1) {
        @memcpy(out.z, pool[0 .. n * d]);
        @memcpy(out.lp, pool_lp[0..n]);
        @memcpy(out.lq, pool_lq[0..n]);
        return .{ .info = info, .draws = out };
    }
    const weights = try allocator.alloc(f64, total);
    defer allocator.free(weights);
    importanceWeights(pool_lp[0..total], pool_lq[0..total], weights);
    for (0..n) |i| {
        const j = rng.weightedIndex(f64, weights);
        @memcpy(out.z[i * d .. (i + 1) * d], pool[j * d .. (j + 1) * d]);
        out.lp[i] = pool_lp[j];
        out.lq[i] = pool_lq[j];
    }
    return .{ .info = info, .draws = out };
}

/// `z.len / d` draws from `q` with their log p (−inf where not finite) and log q.
fn drawFrom(q: *const advi.Approx, target: *ham.Target, rng: std.Random, z: []f64, lp: []f64, lq: []f64, buf: []f64) void {
    const d = q.dim();
    const eps = buf[0..d];
    const g = buf[d .. 2 * d];
    for (lp, lq, 0..) |*p, *l, i| {
        for (eps) |*e| e.* = rng.floatNorm(f64);
        const zi = z[i * d .. (i + 1) * d];
        q.transform(eps, zi);
        p.* = target.eval(zi, g);
        l.* = q.logDensityAtEps(eps);
    }
}

/// Importance weights p/q (normalised, truncated at mean·√n; draws with log p = −inf get 0).
fn importanceWeights(lp: []const f64, lq: []const f64, w: []f64) void {
    var top = -std.math.inf(f64);
    for (lp, lq) |p, q| top = @max(top, p - q);
    var sum: f64 = 0;
    for (w, lp, lq) |*wi, p, q| {
        wi.* = if (std.math.isFinite(p)) @exp(p - q - top) else 0;
        sum += wi.*;
    }
    const cap = sum / @as(f64, @floatFromInt(w.len)) * @sqrt(@as(f64, @floatFromInt(w.len)));
    for (w) |*wi| wi.* = @min(wi.*, cap);
}

// ---------------------------------------------------------------------------------------------
// Tests

const model_mod = @import("model.zig");

/// N(m, S) in 3-D with S = [[1, 0.8·2, 0], [0.8·2, 4, 0], [0, 0, 0.25]].
const Gauss3 = struct {
    dim: usize = 3,
    names: []const model_mod.Str = &.{},
    const m = [3]f64{ 1, -2, 0.5 };
    const det2 = 4.0 - 1.6 * 1.6;
    const p = [4]f64{ 4.0 / det2, -1.6 / det2, -1.6 / det2, 1.0 / det2 };
    pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
        const a = q[0] - m[0];
        const b = q[1] - m[1];
        const c = q[2] - m[2];
        g[0] = -(p[0] * a + p[1] * b);
        g[1] = -(p[2] * a + p[3] * b);
        g[2] = -4 * c;
        return 0.5 * (a * g[0] + b * g[1] + c * g[2]);
    }
    pub fn writeDraw(_: *const @This(), q: []const f64, _: *model_mod.Rng, out: []f64) void {
        @memcpy(out[0..3], q[0..3]);
    }
};

fn gaussTarget(inst: *const Gauss3) struct { m: model_mod.Model } {
    return .{ .m = model_mod.fromShared(Gauss3, inst) };
}

test "the compact inverse-Hessian form equals the dense BFGS update" {
    const a = std.testing.allocator;
    var h = try History.init(a, 2, 3);
    defer h.deinit(a);
    var hw = try HessianWork.init(a, 2, 3);
    defer hw.deinit(a);
    const alpha = [_]f64{ 0.5, 2 };
    const pairs = [_][2][2]f64{ .{ .{ 1, 0.2 }, .{ 1.5, 0.1 } }, .{ .{ -0.3, 1 }, .{ 0.2, 0.7 } } };
    // dense: H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, starting from diag(α)
    var dense = [4]f64{ alpha[0], 0, 0, alpha[1] };
    for (pairs) |pr| {
        h.push(&pr[0], &pr[1]);
        const s = pr[0];
        const y = pr[1];
        const rho = 1 / (s[0] * y[0] + s[1] * y[1]);
        const v = [4]f64{ 1 - rho * y[0] * s[0], -rho * y[0] * s[1], -rho * y[1] * s[0], 1 - rho * y[1] * s[1] }; // I − ρ y sᵀ
        var hv: [4]f64 = undefined;
        for (0..2) |i| for (0..2) |j| {
            hv[i * 2 + j] = dense[i * 2] * v[j] + dense[i * 2 + 1] * v[2 + j];
        };
        for (0..2) |i| for (0..2) |j| {
            dense[i * 2 + j] = v[i] * hv[j] + v[2 + i] * hv[2 + j] + rho * s[i] * s[j];
        };
    }
    var got: [4]f64 = undefined;
    inverseHessian(&h, &alpha, &hw, &got);
    for (dense, got) |e, g| try std.testing.expectApproxEqAbs(e, g, 1e-12);
}

test "single-path Pathfinder on a Gaussian finds its mean and covariance" {
    const a = std.testing.allocator;
    const inst = Gauss3{};
    var t = gaussTarget(&inst);
    var target = ham.Target{ .model = &t.m, .ctx = t.m.data };
    var prng = model_mod.Rng.init(5);
    const r = try run(a, &target, &.{ 3, 3, -3 }, prng.random(), .{}, 4000);
    var draws = r.draws;
    defer draws.deinit(a);
    try std.testing.expect(r.info.converged);
    var mean = [3]f64{ 0, 0, 0 };
    for (0..4000) |i| for (0..3) |k| {
        mean[k] += draws.z[i * 3 + k] / 4000;
    };
    var cov01: f64 = 0;
    var var1: f64 = 0;
    for (0..4000) |i| {
        cov01 += (draws.z[i * 3] - mean[0]) * (draws.z[i * 3 + 1] - mean[1]) / 4000;
        var1 += (draws.z[i * 3 + 1] - mean[1]) * (draws.z[i * 3 + 1] - mean[1]) / 4000;
    }
    // Monte Carlo error of 4000 draws: sd/63 for means, ≈ 2-3 % for second moments
    try std.testing.expectApproxEqAbs(@as(f64, 1), mean[0], 0.05);
    try std.testing.expectApproxEqAbs(@as(f64, -2), mean[1], 0.1);
    try std.testing.expectApproxEqAbs(@as(f64, 0.5), mean[2], 0.025);
    try std.testing.expectApproxEqAbs(@as(f64, 4), var1, 0.4);
    try std.testing.expectApproxEqAbs(@as(f64, 1.6), cov01, 0.2);
    // a near-exact approximation has log p − log q nearly constant (for q = N(m, 1.2²·S) its sd
    // would be ½·(1.2² − 1)·√6 ≈ 0.54)
    var lr_mean: f64 = 0;
    for (draws.lp, draws.lq) |p, q| lr_mean += (p - q) / 4000;
    var lr_var: f64 = 0;
    for (draws.lp, draws.lq) |p, q| lr_var += (p - q - lr_mean) * (p - q - lr_mean) / 4000;
    try std.testing.expect(@sqrt(lr_var) < 0.05);
}

test "multi-path Pathfinder resamples pooled draws and is deterministic" {
    const a = std.testing.allocator;
    const inst = Gauss3{};
    var t = gaussTarget(&inst);
    var target = ham.Target{ .model = &t.m, .ctx = t.m.data };
    var z1: [300]f64 = undefined;
    for (0..2) |rep| {
        var prng = model_mod.Rng.init(8);
        const r = try run(a, &target, &.{ 0, 0, 0 }, prng.random(), .{ .num_paths = 3 }, 100);
        var draws = r.draws;
        defer draws.deinit(a);
        try std.testing.expectEqual(@as(usize, 3), r.info.paths_ok);
        if (rep == 0) @memcpy(&z1, draws.z) else try std.testing.expectEqualSlices(f64, &z1, draws.z);
    }
}

test "importance weights are normalised to the best draw and truncated" {
    var w: [4]f64 = undefined;
    importanceWeights(&.{ 0, 0, -std.math.inf(f64), 5 }, &.{ 0, 0, 0, 0 }, &w);
    try std.testing.expectEqual(@as(f64, 0), w[2]);
    // mean·√4 = 2·(1 + 2e^-5)/4 caps the largest weight
    try std.testing.expect(w[3] < 1 and w[3] > 0.5);
    try std.testing.expectApproxEqAbs(@exp(@as(f64, -5)), w[0], 1e-15);
}
