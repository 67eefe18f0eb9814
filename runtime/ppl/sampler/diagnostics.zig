//! MCMC convergence diagnostics (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021,
//! "Rank-normalization, folding, and localization: an improved R-hat"), computed the way Stan's
//! `posterior` package and ArviZ 0.23 do, so that sev's summary agrees with what users see there:
//!
//! * rank-normalised split R-hat: the maximum of the bulk R-hat (split chains, pooled ranks with
//!   ties averaged, back-transformed with Blom's offset 3/8 through the normal quantile) and the
//!   tail R-hat (the same on |x - median|);
//! * bulk ESS (ESS of the rank-normalised split chains) and tail ESS (the smaller ESS of the
//!   indicators x <= q05 and x <= q95);
//! * ESS from autocovariances combined across chains with Geyer's initial positive and initial
//!   monotone sequences; autocovariances are direct sums (O(n · lag), stopping at the lag where
//!   Geyer's sequence ends), not an FFT;
//! * MCSE of the mean (sd / sqrt(ESS of the split chains)), quantiles with numpy's default linear
//!   interpolation, and the energy Bayesian fraction of missing information (E-BFMI) per chain.
//!
//! Draws of one quantity are passed as `Draws`: `chains` chains of `draws` values each, chain `c`
//! at `values[c*draws .. (c+1)*draws]`. Functions return NaN where ArviZ does (NaN in the input,
//! fewer than 4 draws), with one deliberate difference: R-hat is also computed for a single chain
//! (split into two halves, as `posterior` does), where ArviZ returns NaN.

const std = @import("std");

/// The draws of one scalar quantity from several chains (chain-major, equal lengths).
pub const Draws = struct {
    values: []const f64,
    chains: usize,
    draws: usize,

    pub fn chain(self: Draws, c: usize) []const f64 {
        return self.values[c * self.draws .. (c + 1) * self.draws];
    }
};

// ---------------------------------------------------------------------------------------------
// Elementary statistics

pub fn mean(xs: []const f64) f64 {
    var s: f64 = 0;
    for (xs) |x| s += x;
    return s / @as(f64, @floatFromInt(xs.len));
}

/// Variance with `ddof` degrees of freedom removed (numpy's `var(ddof=...)`): two-pass.
pub fn variance(xs: []const f64, ddof: usize) f64 {
    const m = mean(xs);
    var s: f64 = 0;
    for (xs) |x| s += (x - m) * (x - m);
    return s / @as(f64, @floatFromInt(xs.len - ddof));
}

/// Quantile of already sorted values, numpy's default ("linear", type 7): the virtual index is
/// (n-1)·p, interpolated the way numpy does it (from the upper neighbour when the fraction ≥ 1/2).
pub fn quantileSorted(sorted: []const f64, p: f64) f64 {
    const n = sorted.len;
    if (n == 0) return std.math.nan(f64);
    const h = @as(f64, @floatFromInt(n - 1)) * p;
    const lo_f = @floor(h);
    const lo: usize = @intFromFloat(lo_f);
    if (lo >= n - 1) return sorted[n - 1];
    const t = h - lo_f;
    const a = sorted[lo];
    const b = sorted[lo + 1];
    const diff = b - a;
    if (t >= 0.5) return b - diff * (1 - t);
    return a + diff * t;
}

test "quantileSorted matches numpy linear interpolation" {
    const xs = [_]f64{ 1, 2, 4, 8, 16 };
    // numpy.quantile([1,2,4,8,16], [0, .05, .5, .95, 1, .3]) = [1, 1.2, 4, 14.4, 16, 2.4]
    try std.testing.expectEqual(@as(f64, 1), quantileSorted(&xs, 0));
    try std.testing.expectApproxEqRel(@as(f64, 1.2), quantileSorted(&xs, 0.05), 1e-15);
    try std.testing.expectEqual(@as(f64, 4), quantileSorted(&xs, 0.5));
    try std.testing.expectApproxEqRel(@as(f64, 14.4), quantileSorted(&xs, 0.95), 1e-15);
    try std.testing.expectEqual(@as(f64, 16), quantileSorted(&xs, 1));
    try std.testing.expectApproxEqRel(@as(f64, 2.4), quantileSorted(&xs, 0.3), 1e-15);
    try std.testing.expect(std.math.isNan(quantileSorted(&[_]f64{}, 0.5)));
}

test "mean and variance" {
    const xs = [_]f64{ 1, 2, 3, 4 };
    try std.testing.expectEqual(@as(f64, 2.5), mean(&xs));
    try std.testing.expectApproxEqRel(@as(f64, 1.25), variance(&xs, 0), 1e-15);
    try std.testing.expectApproxEqRel(@as(f64, 5.0 / 3.0), variance(&xs, 1), 1e-15);
}

/// The standard normal quantile function Φ⁻¹(p) (Wichura 1988, algorithm AS 241, PPND16:
/// relative accuracy about 1e-16). Returns -inf at 0, +inf at 1 and NaN outside [0, 1].
pub fn normalQuantile(p: f64) f64 {
    if (!(p >= 0 and p <= 1)) return std.math.nan(f64);
    if (p == 0) return -std.math.inf(f64);
    if (p == 1) return std.math.inf(f64);
    const q = p - 0.5;
    if (@abs(q) <= 0.425) {
        const r = 0.180625 - q * q;
        const num = (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
            45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
            133.14166789178437745) * r + 3.387132872796366608);
        const den = (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
            21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
            42.313330701600911252) * r + 1.0);
        return q * num / den;
    }
    var r = if (q < 0) p else 1 - p;
    r = @sqrt(-@log(r));
    var val: f64 = undefined;
    if (r <= 5) {
        r -= 1.6;
        const num = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
            1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
            4.6303378461565452959) * r + 1.42343711074968357734);
        const den = (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
            0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
            2.05319162663775882187) * r + 1.0);
        val = num / den;
    } else {
        r -= 5;
        const num = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
            0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
            5.4637849111641143699) * r + 6.6579046435011037772);
        const den = (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
            7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
            0.59983220655588793769) * r + 1.0);
        val = num / den;
    }
    return if (q < 0) -val else val;
}

test "normalQuantile agrees with scipy.stats.norm.ppf" {
    // Reference values: scipy 1.17.1 norm.ppf.
    const cases = [_][2]f64{
        .{ 0.5, 0.0 },                    .{ 0.3, -0.5244005127080409 },
        .{ 0.05, -1.6448536269514729 },   .{ 0.975, 1.959963984540054 },
        .{ 0.9, 1.2815515655446004 },     .{ 1e-3, -3.090232306167813 },
        .{ 0.02425, -1.972961051311885 }, .{ 0.075, -1.4395314709384563 },
        .{ 1e-10, -6.361340902404056 },   .{ 1e-20, -9.262340089798409 },
        .{ 1e-300, -37.0470962993612 },   .{ 1 - 1e-12, 7.0344869100478356 },
        .{ 0.999, 3.090232306167813 },    .{ 0.6, 0.2533471031357997 },
    };
    for (cases) |c| {
        const got = normalQuantile(c[0]);
        if (c[1] == 0) try std.testing.expectEqual(@as(f64, 0), got) else try std.testing.expectApproxEqRel(c[1], got, 1e-14);
    }
    try std.testing.expect(std.math.isNan(normalQuantile(1.5)));
    try std.testing.expect(std.math.isInf(normalQuantile(0)));
}

// ---------------------------------------------------------------------------------------------
// Building blocks of the rank-based diagnostics

fn hasNan(xs: []const f64) bool {
    for (xs) |x| if (std.math.isNan(x)) return true;
    return false;
}

/// Split every chain into its first and last halves (the middle draw of an odd-length chain is
/// dropped, as ArviZ does). Caller frees `result.values`.
pub fn splitChains(allocator: std.mem.Allocator, d: Draws) !Draws {
    const half = d.draws / 2;
    const out = try allocator.alloc(f64, 2 * d.chains * half);
    for (0..d.chains) |c| {
        const ch = d.chain(c);
        @memcpy(out[(2 * c) * half .. (2 * c + 1) * half], ch[0..half]);
        @memcpy(out[(2 * c + 1) * half .. (2 * c + 2) * half], ch[d.draws - half ..]);
    }
    return .{ .values = out, .chains = 2 * d.chains, .draws = half };
}

/// Replaces `xs` by the normal scores of their pooled ranks: rank r (1-based, ties get their
/// average rank) becomes Φ⁻¹((r - 3/8) / (n + 1/4)).
pub fn zScaleInPlace(allocator: std.mem.Allocator, xs: []f64) !void {
    return zScaleWith(allocator, xs, null);
}

/// The normal scores Φ⁻¹((r − 3/8) / (n + 1/4)) of the untied ranks r = 1..n, computed once and
/// shared by every column of a summary (all columns have the same number of draws).
pub const NormalScores = struct {
    z: []f64,

    pub fn init(allocator: std.mem.Allocator, n: usize) !NormalScores {
        const z = try allocator.alloc(f64, n);
        const nf: f64 = @floatFromInt(n);
        for (z, 0..) |*v, i| v.* = normalQuantile((@as(f64, @floatFromInt(i + 1)) - 0.375) / (nf + 0.25));
        return .{ .z = z };
    }

    pub fn deinit(self: NormalScores, allocator: std.mem.Allocator) void {
        allocator.free(self.z);
    }
};

/// `zScaleInPlace` taking the scores of untied ranks from `scores` when it is given (and has
/// `xs.len` entries): the same values, without a quantile evaluation per draw.
pub fn zScaleWith(allocator: std.mem.Allocator, xs: []f64, scores: ?*const NormalScores) !void {
    const n = xs.len;
    const table: ?[]const f64 = if (scores) |sc| (if (sc.z.len == n) sc.z else null) else null;
    // sort (value, position) pairs: direct comparisons, no indirection through the values
    const Pair = struct { v: f64, i: usize };
    const pairs = try allocator.alloc(Pair, n);
    defer allocator.free(pairs);
    for (pairs, xs, 0..) |*p, x, i| p.* = .{ .v = x, .i = i };
    std.sort.pdq(Pair, pairs, {}, struct {
        fn lt(_: void, a: Pair, b: Pair) bool {
            return a.v < b.v;
        }
    }.lt);
    const nf: f64 = @floatFromInt(n);
    var i: usize = 0;
    while (i < n) {
        var j = i + 1;
        while (j < n and pairs[j].v == pairs[i].v) j += 1;
        // positions i..j-1 share the average rank ((i+1) + j) / 2
        const r = (@as(f64, @floatFromInt(i + 1)) + @as(f64, @floatFromInt(j))) / 2.0;
        const z = if (j == i + 1 and table != null) table.?[i] else normalQuantile((r - 0.375) / (nf + 0.25));
        for (pairs[i..j]) |p| xs[p.i] = z;
        i = j;
    }
}

/// Classic (non-split) R-hat of the given chains: sqrt(((n-1)/n · W + B/n) / W).
fn rhatBasic(d: Draws) f64 {
    const nf: f64 = @floatFromInt(d.draws);
    var w: f64 = 0;
    var sum_means: f64 = 0;
    var sum_sq: f64 = 0;
    // variance of the chain means (ddof = 1) in two passes, without allocating
    for (0..d.chains) |c| {
        sum_means += mean(d.chain(c));
        w += variance(d.chain(c), 1);
    }
    const grand = sum_means / @as(f64, @floatFromInt(d.chains));
    for (0..d.chains) |c| {
        const m = mean(d.chain(c));
        sum_sq += (m - grand) * (m - grand);
    }
    const var_means = sum_sq / @as(f64, @floatFromInt(d.chains - 1));
    const between = nf * var_means;
    const within = w / @as(f64, @floatFromInt(d.chains));
    return @sqrt((between / within + nf - 1) / nf);
}

/// Mean over chains of the lag-`k` autocovariance (1/n) Σ_t (x_t - m)(x_{t+k} - m), with `centered`
/// holding chain-centred values.
fn meanAutocov(centered: Draws, k: usize) f64 {
    var s: f64 = 0;
    const n = centered.draws;
    for (0..centered.chains) |c| {
        const x = centered.chain(c);
        var a: f64 = 0;
        var t: usize = 0;
        while (t + k < n) : (t += 1) a += x[t] * x[t + k];
        s += a / @as(f64, @floatFromInt(n));
    }
    return s / @as(f64, @floatFromInt(centered.chains));
}

/// Effective sample size of the given chains (no splitting, no ranking): Geyer's initial positive
/// sequence on the multi-chain autocorrelation estimate, made monotone, as in ArviZ `_ess`.
pub fn essBasic(allocator: std.mem.Allocator, d: Draws) !f64 {
    if (d.draws < 4 or d.chains == 0) return std.math.nan(f64);
    if (hasNan(d.values)) return std.math.nan(f64);
    const size: f64 = @floatFromInt(d.chains * d.draws);
    var lo = d.values[0];
    var hi = d.values[0];
    for (d.values) |x| {
        lo = @min(lo, x);
        hi = @max(hi, x);
    }
    if (hi - lo < 1e-15) return size; // numpy's finfo(float).resolution
    const n = d.draws;
    const nf: f64 = @floatFromInt(n);
    const cen = try allocator.alloc(f64, d.values.len);
    defer allocator.free(cen);
    const chain_means = try allocator.alloc(f64, d.chains);
    defer allocator.free(chain_means);
    for (0..d.chains) |c| {
        const m = mean(d.chain(c));
        chain_means[c] = m;
        for (d.chain(c), cen[c * n .. (c + 1) * n]) |x, *y| y.* = x - m;
    }
    const centered = Draws{ .values = cen, .chains = d.chains, .draws = n };
    const mean_var = meanAutocov(centered, 0) * nf / (nf - 1);
    var var_plus = mean_var * (nf - 1) / nf;
    if (d.chains > 1) var_plus += variance(chain_means, 1);

    const rho = try allocator.alloc(f64, n);
    defer allocator.free(rho);
    @memset(rho, 0);
    var rho_even: f64 = 1;
    rho[0] = rho_even;
    var rho_odd = 1 - (mean_var - meanAutocov(centered, 1)) / var_plus;
    rho[1] = rho_odd;
    var t: usize = 1;
    while (t + 3 < n and rho_even + rho_odd > 0) {
        rho_even = 1 - (mean_var - meanAutocov(centered, t + 1)) / var_plus;
        rho_odd = 1 - (mean_var - meanAutocov(centered, t + 2)) / var_plus;
        if (rho_even + rho_odd >= 0) {
            rho[t + 1] = rho_even;
            rho[t + 2] = rho_odd;
        }
        t += 2;
    }
    const max_t: isize = @as(isize, @intCast(t)) - 2;
    if (rho_even > 0) rho[@intCast(max_t + 1)] = rho_even;
    // initial monotone sequence
    var u: isize = 1;
    while (u <= max_t - 2) : (u += 2) {
        const k: usize = @intCast(u);
        if (rho[k + 1] + rho[k + 2] > rho[k - 1] + rho[k]) {
            rho[k + 1] = (rho[k - 1] + rho[k]) / 2;
            rho[k + 2] = rho[k + 1];
        }
    }
    var tau: f64 = -1;
    var sum: f64 = 0;
    const upto: usize = @intCast(max_t + 1);
    for (rho[0..upto]) |r| sum += r;
    tau += 2 * sum + rho[upto];
    tau = @max(tau, 1 / std.math.log10(size));
    for (rho) |r| if (std.math.isNan(r)) return std.math.nan(f64);
    return size / tau;
}

// ---------------------------------------------------------------------------------------------
// The diagnostics

/// Rank-normalised split R-hat: max(bulk, tail). NaN with fewer than 4 draws per chain or NaN
/// values.
pub fn rhat(allocator: std.mem.Allocator, d: Draws) !f64 {
    if (d.draws < 4 or d.chains == 0 or hasNan(d.values)) return std.math.nan(f64);
    const split = try splitChains(allocator, d);
    defer allocator.free(split.values);
    const work = try allocator.alloc(f64, split.values.len);
    defer allocator.free(work);
    @memcpy(work, split.values);
    try zScaleInPlace(allocator, work);
    const bulk = rhatBasic(.{ .values = work, .chains = split.chains, .draws = split.draws });
    // folded: |x - median(split)|
    @memcpy(work, split.values);
    std.sort.pdq(f64, work, {}, std.sort.asc(f64));
    const med = quantileSorted(work, 0.5);
    for (work, split.values) |*w, x| w.* = @abs(x - med);
    try zScaleInPlace(allocator, work);
    const tail = rhatBasic(.{ .values = work, .chains = split.chains, .draws = split.draws });
    if (std.math.isNan(bulk) or std.math.isNan(tail)) return std.math.nan(f64);
    return @max(bulk, tail);
}

/// Bulk effective sample size: ESS of the rank-normalised split chains.
pub fn essBulk(allocator: std.mem.Allocator, d: Draws) !f64 {
    if (d.draws < 4 or d.chains == 0 or hasNan(d.values)) return std.math.nan(f64);
    const split = try splitChains(allocator, d);
    defer allocator.free(split.values);
    const work: []f64 = @constCast(split.values);
    try zScaleInPlace(allocator, work);
    return essBasic(allocator, split);
}

/// ESS of the indicator x <= quantile(x, p) on split chains.
pub fn essQuantile(allocator: std.mem.Allocator, d: Draws, p: f64) !f64 {
    if (d.draws < 4 or d.chains == 0 or hasNan(d.values)) return std.math.nan(f64);
    const sorted = try allocator.dupe(f64, d.values);
    defer allocator.free(sorted);
    std.sort.pdq(f64, sorted, {}, std.sort.asc(f64));
    return essIndicator(allocator, d, quantileSorted(sorted, p));
}

/// ESS of the indicator x <= q on split chains.
fn essIndicator(allocator: std.mem.Allocator, d: Draws, q: f64) !f64 {
    const ind = try allocator.alloc(f64, d.values.len);
    defer allocator.free(ind);
    for (ind, d.values) |*y, x| y.* = if (x <= q) 1 else 0;
    const split = try splitChains(allocator, .{ .values = ind, .chains = d.chains, .draws = d.draws });
    defer allocator.free(split.values);
    return essBasic(allocator, split);
}

/// Tail effective sample size: min of the 5 % and 95 % quantile ESS.
pub fn essTail(allocator: std.mem.Allocator, d: Draws) !f64 {
    const lo = try essQuantile(allocator, d, 0.05);
    const hi = try essQuantile(allocator, d, 0.95);
    if (std.math.isNan(lo) or std.math.isNan(hi)) return std.math.nan(f64);
    return @min(lo, hi);
}

/// ESS for the mean: ESS of the split chains without rank normalisation.
pub fn essMean(allocator: std.mem.Allocator, d: Draws) !f64 {
    if (d.draws < 4 or d.chains == 0 or hasNan(d.values)) return std.math.nan(f64);
    const split = try splitChains(allocator, d);
    defer allocator.free(split.values);
    return essBasic(allocator, split);
}

/// Monte Carlo standard error of the mean: sd(all draws, ddof 1) / sqrt(essMean).
pub fn mcseMean(allocator: std.mem.Allocator, d: Draws) !f64 {
    const ess = try essMean(allocator, d);
    if (std.math.isNan(ess)) return ess;
    return @sqrt(variance(d.values, 1)) / @sqrt(ess);
}

/// Energy Bayesian fraction of missing information of one chain:
/// Σ (E_t - E_{t-1})² / Σ (E_t - mean E)². NaN for fewer than 2 values or constant energy.
pub fn ebfmi(energy: []const f64) f64 {
    if (energy.len < 2) return std.math.nan(f64);
    var num: f64 = 0;
    for (1..energy.len) |t| num += (energy[t] - energy[t - 1]) * (energy[t] - energy[t - 1]);
    const m = mean(energy);
    var den: f64 = 0;
    for (energy) |e| den += (e - m) * (e - m);
    if (den == 0) return std.math.nan(f64);
    return num / den;
}

/// Everything the summary table shows for one quantity: mean, sd, MCSE of the mean, 5/50/95 %
/// quantiles, R-hat, bulk and tail ESS. The same C-ABI struct is handed to a model's `report`
/// hook.
pub const Summary = @import("model.zig").ColumnReport;

/// All the statistics of one quantity. The same numbers as `rhat`, `essBulk`, `essTail` and
/// `mcseMean`, computed with shared work: one sort of the draws (quantiles, the tail ESS
/// thresholds and, for even chain lengths, the median used for folding), one split, one rank
/// normalisation shared by the bulk R-hat and the bulk ESS.
pub fn summarize(allocator: std.mem.Allocator, d: Draws) !Summary {
    return summarizeWith(allocator, d, null);
}

/// `summarize` with precomputed normal scores for `2·chains·⌊draws/2⌋` values (see
/// `NormalScores`); the results are identical.
pub fn summarizeWith(allocator: std.mem.Allocator, d: Draws, scores: ?*const NormalScores) !Summary {
    const sorted = try allocator.dupe(f64, d.values);
    defer allocator.free(sorted);
    std.sort.pdq(f64, sorted, {}, std.sort.asc(f64));
    const nan = std.math.nan(f64);
    const many = d.values.len >= 2;
    var s = Summary{
        .mean = if (d.values.len > 0) mean(d.values) else nan,
        .sd = if (many) @sqrt(variance(d.values, 1)) else nan,
        .mcse_mean = nan,
        .q5 = quantileSorted(sorted, 0.05),
        .q50 = quantileSorted(sorted, 0.5),
        .q95 = quantileSorted(sorted, 0.95),
        .rhat = nan,
        .ess_bulk = nan,
        .ess_tail = nan,
    };
    if (d.draws < 4 or d.chains == 0 or hasNan(d.values)) return s;
    const split = try splitChains(allocator, d);
    defer allocator.free(split.values);
    // mean: ESS of the split chains as they are
    const ess_mean = try essBasic(allocator, split);
    s.mcse_mean = if (std.math.isNan(ess_mean)) ess_mean else @sqrt(variance(d.values, 1)) / @sqrt(ess_mean);
    // bulk: rank-normalised split chains
    const work = try allocator.alloc(f64, split.values.len);
    defer allocator.free(work);
    @memcpy(work, split.values);
    try zScaleWith(allocator, work, scores);
    const zs = Draws{ .values = work, .chains = split.chains, .draws = split.draws };
    const bulk = rhatBasic(zs);
    s.ess_bulk = try essBasic(allocator, zs);
    // tail R-hat: |x - median(split)|, rank-normalised
    const med = if (split.values.len == d.values.len) s.q50 else blk: {
        @memcpy(work, split.values);
        std.sort.pdq(f64, work, {}, std.sort.asc(f64));
        break :blk quantileSorted(work, 0.5);
    };
    for (work, split.values) |*w, x| w.* = @abs(x - med);
    try zScaleWith(allocator, work, scores);
    const tail = rhatBasic(zs);
    s.rhat = if (std.math.isNan(bulk) or std.math.isNan(tail)) nan else @max(bulk, tail);
    // tail ESS: indicators of the 5 % and 95 % quantiles of all draws
    const lo = try essIndicator(allocator, d, s.q5);
    const hi = try essIndicator(allocator, d, s.q95);
    s.ess_tail = if (std.math.isNan(lo) or std.math.isNan(hi)) nan else @min(lo, hi);
    return s;
}

test "summarize gives exactly the separate statistics" {
    const a = std.testing.allocator;
    for ([_]usize{ 100, 101 }) |n| {
        const xs = try a.alloc(f64, 3 * n);
        defer a.free(xs);
        var rng = std.Random.DefaultPrng.init(n);
        var prev: f64 = 0;
        for (xs, 0..) |*x, i| {
            prev = 0.7 * prev + rng.random().floatNorm(f64) + @as(f64, @floatFromInt(i / n)) * 0.1;
            x.* = @round(prev * 100) / 100; // ties
        }
        const d = Draws{ .values = xs, .chains = 3, .draws = n };
        const s = try summarize(a, d);
        const scores = try NormalScores.init(a, 3 * (n / 2) * 2);
        defer scores.deinit(a);
        const s2 = try summarizeWith(a, d, &scores);
        try std.testing.expectEqual(s, s2);
        try std.testing.expectEqual(try rhat(a, d), s.rhat);
        try std.testing.expectEqual(try essBulk(a, d), s.ess_bulk);
        try std.testing.expectEqual(try essTail(a, d), s.ess_tail);
        try std.testing.expectEqual(try mcseMean(a, d), s.mcse_mean);
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-check against ArviZ 0.23.4.
//
// The draw sets are AR(1) series driven by a 64-bit LCG (exact integer arithmetic, then only
// IEEE +, *, floor), so the identical values are generated in Python. The expected numbers were
// computed with ArviZ 0.23.4 / numpy 2.4.6 / scipy 1.17.1 (`arviz.stats.diagnostics._rhat_rank`,
// `_ess_bulk`, `_ess_tail`, `_mcse_mean`, `_bfmi`, `numpy.quantile`; the script is described in
// docs/inference.md) and typed in here. Set E has one chain: ArviZ returns NaN for its R-hat, the
// value below is ArviZ's `_rhat` applied to the split halves (what `rhat` computes).

const TestSet = struct {
    chains: usize,
    n: usize,
    phi: f64,
    seed: u64,
    offsets: []const f64,
    step: f64,
    // rhat, ess_bulk, ess_tail, mcse_mean, mean, sd, q5, q50, q95, bfmi(chain 0)
    expect: [10]f64,
};

fn generateTestDraws(allocator: std.mem.Allocator, s: TestSet) ![]f64 {
    const out = try allocator.alloc(f64, s.chains * s.n);
    var x: u64 = s.seed;
    for (0..s.chains) |c| {
        var y: f64 = 0;
        for (0..s.n) |t| {
            var e: f64 = 0;
            for (0..3) |_| {
                x = x *% 6364136223846793005 +% 1442695040888963407;
                e += @as(f64, @floatFromInt(x >> 11)) * (1.0 / 9007199254740992.0);
            }
            e -= 1.5;
            y = s.phi * y + e;
            var v = y + s.offsets[c];
            if (s.step > 0) v = @floor(v / s.step) * s.step;
            out[c * s.n + t] = v;
        }
    }
    return out;
}

const arviz_sets = [_]TestSet{
    .{ .chains = 4, .n = 200, .phi = 0.6, .seed = 1, .offsets = &.{ 0, 0, 0, 0 }, .step = 0, .expect = .{ 1.0097801203403975, 249.94148757127846, 454.0579598180408, 0.03902400387058982, 0.03906946811168646, 0.6106290074078818, -0.9602455431167601, 0.011650863140552505, 1.0939105375390485, 0.9282921647243494 } },
    .{ .chains = 3, .n = 101, .phi = 0.9, .seed = 2, .offsets = &.{ 0, 0.8, 0 }, .step = 0, .expect = .{ 1.2395559270745586, 10.532742443332314, 29.681561198604317, 0.4051515670478109, 0.6013610125553177, 1.2769409681575263, -1.4442720319415292, 0.48313595695097006, 2.618179719571783, 0.14180930553967755 } },
    .{ .chains = 2, .n = 60, .phi = 0.3, .seed = 3, .offsets = &.{ 0, 0 }, .step = 0.5, .expect = .{ 0.9990937358570412, 67.02059570610892, 130.5759162303666, 0.07222349750753289, -0.23333333333333334, 0.5938527295767616, -1.025, 0.0, 0.5, 1.3077699293642786 } },
    .{ .chains = 4, .n = 100, .phi = -0.5, .seed = 4, .offsets = &.{ 0, 0, 0, 0 }, .step = 0, .expect = .{ 0.9965277445518523, 1040.823996531185, 314.5664568478657, 0.01823138161017009, -0.002795577542428249, 0.5866038068238288, -0.9685519652014034, 0.00507677757170627, 0.9154450479188735, 3.094900970802374 } },
    .{ .chains = 1, .n = 50, .phi = 0.2, .seed = 5, .offsets = &.{0}, .step = 0, .expect = .{ 0.9928694960656689, 49.828036550043535, 46.044098573281445, 0.06872407535994578, -0.14255183327684307, 0.4800007791557624, -0.9899617685268318, -0.1246622077378339, 0.547457511569197, 1.8189608512283453 } },
};

test "diagnostics agree with ArviZ 0.23.4 on fixed draw sets" {
    const a = std.testing.allocator;
    for (arviz_sets) |set| {
        const vals = try generateTestDraws(a, set);
        defer a.free(vals);
        const d = Draws{ .values = vals, .chains = set.chains, .draws = set.n };
        const s = try summarize(a, d);
        const got = [10]f64{ s.rhat, s.ess_bulk, s.ess_tail, s.mcse_mean, s.mean, s.sd, s.q5, s.q50, s.q95, ebfmi(d.chain(0)) };
        for (got, set.expect) |g, e| {
            if (e == 0) {
                try std.testing.expectApproxEqAbs(e, g, 1e-12);
            } else {
                // ArviZ's autocovariances come from an FFT, ours are direct sums: agreement to
                // ~1e-12 relative is expected, 1e-9 is asserted.
                try std.testing.expectApproxEqRel(e, g, 1e-9);
            }
        }
    }
}

test "diagnostics on degenerate input" {
    const a = std.testing.allocator;
    const constant = [_]f64{3} ** 40;
    const d = Draws{ .values = &constant, .chains = 2, .draws = 20 };
    // ArviZ: ESS of a constant is the number of draws; R-hat is NaN (0/0).
    try std.testing.expectEqual(@as(f64, 40), try essBulk(a, d));
    try std.testing.expect(std.math.isNan(try rhat(a, d)));
    const short = [_]f64{ 1, 2, 3, 4, 5, 6 };
    try std.testing.expect(std.math.isNan(try essBulk(a, .{ .values = &short, .chains = 2, .draws = 3 })));
    var with_nan = [_]f64{ 1, 2, 3, 4, 5, 6, 7, 8 };
    with_nan[3] = std.math.nan(f64);
    try std.testing.expect(std.math.isNan(try rhat(a, .{ .values = &with_nan, .chains = 2, .draws = 4 })));
    try std.testing.expect(std.math.isNan(ebfmi(&[_]f64{ 1, 1, 1 })));
    try std.testing.expectApproxEqRel(@as(f64, 3.0), ebfmi(&[_]f64{ 0, 1, 0, 1 }), 1e-15);
}

test "splitChains drops the middle draw of odd chains" {
    const a = std.testing.allocator;
    const v = [_]f64{ 1, 2, 3, 4, 5, 10, 20, 30, 40, 50 };
    const s = try splitChains(a, .{ .values = &v, .chains = 2, .draws = 5 });
    defer a.free(s.values);
    try std.testing.expectEqual(@as(usize, 4), s.chains);
    try std.testing.expectEqual(@as(usize, 2), s.draws);
    try std.testing.expectEqualSlices(f64, &.{ 1, 2, 4, 5, 10, 20, 40, 50 }, s.values);
}

test "zScaleInPlace averages tied ranks" {
    const a = std.testing.allocator;
    var v = [_]f64{ 5, 1, 5, 3 };
    try zScaleInPlace(a, &v);
    // ranks 3.5, 1, 3.5, 2 -> Φ⁻¹((r - .375) / 4.25)
    try std.testing.expectApproxEqRel(normalQuantile(3.125 / 4.25), v[0], 1e-15);
    try std.testing.expectEqual(v[0], v[2]);
    try std.testing.expectApproxEqRel(normalQuantile(0.625 / 4.25), v[1], 1e-15);
    try std.testing.expectApproxEqRel(normalQuantile(1.625 / 4.25), v[3], 1e-15);
}
