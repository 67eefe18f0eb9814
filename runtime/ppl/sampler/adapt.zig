//! Warmup adaptation for the samplers, following Stan:
//!
//! * `DualAveraging`: Nesterov dual averaging of log(step size) towards a target acceptance
//!   statistic (Hoffman & Gelman 2014, with Stan's defaults delta 0.8, gamma 0.05, kappa 0.75,
//!   t0 10);
//! * `Windows`: Stan's windowed warmup schedule (initial fast buffer 75, terminal buffer 50, slow
//!   windows starting at 25 and doubling, the last one stretched to the terminal buffer; when the
//!   warmup is too short for 75 + 25 + 50 the stages become 15 % / 75 % / 10 %; no metric
//!   adaptation below 20 warmup iterations);
//! * Welford estimators of the variance and covariance of the draws in a window, regularised as
//!   Stan does: (n/(n+5))·Σ + 1e-3·(5/(n+5))·I;
//! * `MetricAdapter`: the two together, producing a new inverse metric (diagonal or dense) at the
//!   end of every slow window;
//! * `cholesky` for dense metrics.

const std = @import("std");

pub const DualAveraging = struct {
    delta: f64 = 0.8,
    gamma: f64 = 0.05,
    kappa: f64 = 0.75,
    t0: f64 = 10,
    mu: f64 = @log(10.0),
    counter: f64 = 0,
    s_bar: f64 = 0,
    x_bar: f64 = 0,

    pub fn restart(self: *DualAveraging) void {
        self.counter = 0;
        self.s_bar = 0;
        self.x_bar = 0;
    }

    /// One update with the transition's acceptance statistic; returns the next step size.
    pub fn learn(self: *DualAveraging, accept_stat: f64) f64 {
        self.counter += 1;
        const a = if (accept_stat > 1) 1 else accept_stat;
        const eta = 1.0 / (self.counter + self.t0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (self.delta - a);
        const x = self.mu - self.s_bar * @sqrt(self.counter) / self.gamma;
        const x_eta = std.math.pow(f64, self.counter, -self.kappa);
        self.x_bar = (1.0 - x_eta) * self.x_bar + x_eta * x;
        return @exp(x);
    }

    /// The step size to use after warmup: exp of the averaged iterate.
    pub fn final(self: *const DualAveraging) f64 {
        return @exp(self.x_bar);
    }
};

test "DualAveraging drives the acceptance statistic towards delta" {
    // Synthetic problem: acceptance = exp(-eps), so the fixed point is eps = -log(0.8) ≈ 0.2231.
    var da = DualAveraging{ .mu = @log(10.0 * 1.0) };
    var eps: f64 = 1;
    for (0..2000) |_| eps = da.learn(@exp(-eps));
    try std.testing.expectApproxEqAbs(-@log(0.8), da.final(), 0.01);
    // first update by hand: counter 1, eta 1/11, s_bar = (0.8 - a)/11
    var d2 = DualAveraging{};
    const a = 0.3;
    const e1 = d2.learn(a);
    const s_bar = (0.8 - a) / 11.0;
    try std.testing.expectApproxEqRel(@exp(@log(10.0) - s_bar / 0.05), e1, 1e-14);
    try std.testing.expectApproxEqRel(@log(10.0) - s_bar / 0.05, d2.x_bar, 1e-14);
    d2.restart();
    try std.testing.expectEqual(@as(f64, 0), d2.counter);
}

/// Stan's windowed adaptation schedule. `counter` counts warmup iterations seen so far.
pub const Windows = struct {
    num_warmup: usize,
    init_buffer: usize,
    term_buffer: usize,
    base_window: usize,
    counter: usize = 0,
    window_size: usize = 0,
    next_window: usize = 0,
    /// Set when the requested buffers did not fit and were rescaled to 15 % / 75 % / 10 %.
    rescaled: bool = false,

    pub fn init(num_warmup: usize, init_buffer: usize, term_buffer: usize, base_window: usize) Windows {
        var w = Windows{ .num_warmup = num_warmup, .init_buffer = init_buffer, .term_buffer = term_buffer, .base_window = base_window };
        if (num_warmup < 20) {
            // no metric adaptation at all
            w.num_warmup = 0;
            w.init_buffer = 0;
            w.term_buffer = 0;
            w.base_window = 0;
            w.next_window = std.math.maxInt(usize);
            return w;
        }
        if (init_buffer + base_window + term_buffer > num_warmup) {
            const n: f64 = @floatFromInt(num_warmup);
            w.init_buffer = @intFromFloat(0.15 * n);
            w.term_buffer = @intFromFloat(0.10 * n);
            w.base_window = num_warmup - (w.init_buffer + w.term_buffer);
            w.rescaled = true;
        }
        w.restart();
        return w;
    }

    pub fn restart(self: *Windows) void {
        self.counter = 0;
        self.window_size = self.base_window;
        self.next_window = self.init_buffer + self.window_size -% 1;
    }

    /// Whether the current iteration's draw belongs to a slow (metric) window.
    pub fn inWindow(self: *const Windows) bool {
        return self.counter >= self.init_buffer and self.counter + self.term_buffer < self.num_warmup and self.counter != self.num_warmup;
    }

    /// Whether the current iteration closes a slow window.
    pub fn endOfWindow(self: *const Windows) bool {
        return self.counter == self.next_window and self.counter != self.num_warmup;
    }

    fn computeNextWindow(self: *Windows) void {
        const last = self.num_warmup - self.term_buffer - 1;
        if (self.next_window == last) return;
        self.window_size *= 2;
        self.next_window = self.counter + self.window_size;
        if (self.next_window == last) return;
        const boundary = self.next_window + 2 * self.window_size;
        if (boundary >= self.num_warmup - self.term_buffer) self.next_window = last;
    }
};

test "Windows reproduces Stan's default schedule for 1000 warmup iterations" {
    var w = Windows.init(1000, 75, 50, 25);
    var ends = std.ArrayList(usize).init(std.testing.allocator);
    defer ends.deinit();
    var first_in: ?usize = null;
    var last_in: usize = 0;
    for (0..1000) |i| {
        if (w.inWindow()) {
            if (first_in == null) first_in = i;
            last_in = i;
        }
        if (w.endOfWindow()) {
            try ends.append(i);
            w.computeNextWindow();
        }
        w.counter += 1;
    }
    // windows of 25, 50, 100, 200 and a stretched 500: ends at 99, 149, 249, 449, 949
    try std.testing.expectEqualSlices(usize, &.{ 99, 149, 249, 449, 949 }, ends.items);
    try std.testing.expectEqual(@as(?usize, 75), first_in);
    try std.testing.expectEqual(@as(usize, 949), last_in);
}

test "Windows rescales short warmups and disables tiny ones" {
    const w = Windows.init(100, 75, 50, 25);
    try std.testing.expect(w.rescaled);
    try std.testing.expectEqual(@as(usize, 15), w.init_buffer);
    try std.testing.expectEqual(@as(usize, 10), w.term_buffer);
    try std.testing.expectEqual(@as(usize, 75), w.base_window);
    try std.testing.expectEqual(@as(usize, 89), w.next_window);
    var t = Windows.init(10, 75, 50, 25);
    for (0..10) |_| {
        try std.testing.expect(!t.inWindow());
        try std.testing.expect(!t.endOfWindow());
        t.counter += 1;
    }
}

/// Running mean and variance (Welford), one per coordinate.
pub const WelfordVar = struct {
    n: usize = 0,
    m: []f64,
    m2: []f64,

    pub fn init(allocator: std.mem.Allocator, d: usize) !WelfordVar {
        const m = try allocator.alloc(f64, d);
        errdefer allocator.free(m);
        const m2 = try allocator.alloc(f64, d);
        var w = WelfordVar{ .m = m, .m2 = m2 };
        w.restart();
        return w;
    }

    pub fn deinit(self: *WelfordVar, allocator: std.mem.Allocator) void {
        allocator.free(self.m);
        allocator.free(self.m2);
    }

    pub fn restart(self: *WelfordVar) void {
        self.n = 0;
        @memset(self.m, 0);
        @memset(self.m2, 0);
    }

    pub fn add(self: *WelfordVar, x: []const f64) void {
        self.n += 1;
        const nf: f64 = @floatFromInt(self.n);
        for (x, self.m, self.m2) |xi, *mi, *m2i| {
            const delta = xi - mi.*;
            mi.* += delta / nf;
            m2i.* += delta * (xi - mi.*);
        }
    }

    /// Sample variance (divided by n - 1) into `out`.
    pub fn variance(self: *const WelfordVar, out: []f64) void {
        const nf: f64 = @floatFromInt(self.n);
        for (out, self.m2) |*o, m2i| o.* = m2i / (nf - 1);
    }
};

/// Running mean and covariance (Welford), d×d row-major.
pub const WelfordCov = struct {
    n: usize = 0,
    d: usize,
    m: []f64,
    m2: []f64,
    delta: []f64,

    pub fn init(allocator: std.mem.Allocator, d: usize) !WelfordCov {
        const m = try allocator.alloc(f64, d);
        errdefer allocator.free(m);
        const m2 = try allocator.alloc(f64, d * d);
        errdefer allocator.free(m2);
        const delta = try allocator.alloc(f64, d);
        var w = WelfordCov{ .d = d, .m = m, .m2 = m2, .delta = delta };
        w.restart();
        return w;
    }

    pub fn deinit(self: *WelfordCov, allocator: std.mem.Allocator) void {
        allocator.free(self.m);
        allocator.free(self.m2);
        allocator.free(self.delta);
    }

    pub fn restart(self: *WelfordCov) void {
        self.n = 0;
        @memset(self.m, 0);
        @memset(self.m2, 0);
    }

    pub fn add(self: *WelfordCov, x: []const f64) void {
        self.n += 1;
        const nf: f64 = @floatFromInt(self.n);
        for (x, self.m, self.delta) |xi, *mi, *di| {
            di.* = xi - mi.*;
            mi.* += di.* / nf;
        }
        // m2 += delta_old ⊗ (x - m_new), upper triangle mirrored so the result is exactly symmetric
        const d = self.d;
        for (0..d) |i| {
            for (i..d) |j| {
                self.m2[i * d + j] += self.delta[i] * (x[j] - self.m[j]);
                self.m2[j * d + i] = self.m2[i * d + j];
            }
        }
    }

    /// Sample covariance (divided by n - 1) into `out` (d×d).
    pub fn covariance(self: *const WelfordCov, out: []f64) void {
        const nf: f64 = @floatFromInt(self.n);
        for (out, self.m2) |*o, v| o.* = v / (nf - 1);
    }
};

test "Welford estimators match two-pass formulas" {
    const a = std.testing.allocator;
    const xs = [_][2]f64{ .{ 1, 2 }, .{ 2, 1 }, .{ 4, 7 }, .{ -1, 0 }, .{ 3, 3 } };
    var wv = try WelfordVar.init(a, 2);
    defer wv.deinit(a);
    var wc = try WelfordCov.init(a, 2);
    defer wc.deinit(a);
    for (xs) |x| {
        wv.add(&x);
        wc.add(&x);
    }
    var v: [2]f64 = undefined;
    wv.variance(&v);
    var c: [4]f64 = undefined;
    wc.covariance(&c);
    // means 1.8 and 2.6; var(x) = 3.7, var(y) = 7.3, cov = 4.4
    try std.testing.expectApproxEqRel(@as(f64, 3.7), v[0], 1e-14);
    try std.testing.expectApproxEqRel(@as(f64, 7.3), v[1], 1e-14);
    try std.testing.expectApproxEqRel(@as(f64, 3.7), c[0], 1e-14);
    try std.testing.expectApproxEqRel(@as(f64, 4.4), c[1], 1e-14);
    try std.testing.expectApproxEqRel(@as(f64, 4.4), c[2], 1e-14);
    try std.testing.expectApproxEqRel(@as(f64, 7.3), c[3], 1e-14);
}

/// In-place Cholesky factorisation of a symmetric positive definite d×d row-major matrix: on
/// success the lower triangle holds L with L·Lᵀ = A and the strict upper triangle is zeroed.
pub fn cholesky(a: []f64, d: usize) error{NotPositiveDefinite}!void {
    for (0..d) |j| {
        var s = a[j * d + j];
        for (0..j) |k| s -= a[j * d + k] * a[j * d + k];
        if (!(s > 0) or !std.math.isFinite(s)) return error.NotPositiveDefinite;
        const ljj = @sqrt(s);
        a[j * d + j] = ljj;
        for (j + 1..d) |i| {
            var t = a[i * d + j];
            for (0..j) |k| t -= a[i * d + k] * a[j * d + k];
            a[i * d + j] = t / ljj;
        }
        for (j + 1..d) |k| a[j * d + k] = 0;
    }
}

test "cholesky factorises and rejects indefinite matrices" {
    var a = [_]f64{ 4, 2, 2, 2, 5, 1, 2, 1, 3 };
    try cholesky(&a, 3);
    // L = [[2,0,0],[1,2,0],[1,0,sqrt(2)]]
    const expect = [_]f64{ 2, 0, 0, 1, 2, 0, 1, 0, @sqrt(2.0) };
    for (a, expect) |x, e| try std.testing.expectApproxEqAbs(e, x, 1e-15);
    var b = [_]f64{ 1, 2, 2, 1 };
    try std.testing.expectError(error.NotPositiveDefinite, cholesky(&b, 2));
}

pub const MetricKind = enum { diag, dense };

/// Windowed estimation of the inverse metric (Stan's var_adaptation / covar_adaptation).
pub const MetricAdapter = struct {
    kind: MetricKind,
    windows: Windows,
    wvar: ?WelfordVar = null,
    wcov: ?WelfordCov = null,

    pub fn init(allocator: std.mem.Allocator, kind: MetricKind, d: usize, windows: Windows) !MetricAdapter {
        var m = MetricAdapter{ .kind = kind, .windows = windows };
        switch (kind) {
            .diag => m.wvar = try WelfordVar.init(allocator, d),
            .dense => m.wcov = try WelfordCov.init(allocator, d),
        }
        return m;
    }

    pub fn deinit(self: *MetricAdapter, allocator: std.mem.Allocator) void {
        if (self.wvar) |*w| w.deinit(allocator);
        if (self.wcov) |*w| w.deinit(allocator);
    }

    /// Feeds the draw of the current warmup iteration. At the end of a slow window writes the
    /// regularised estimate to `inv_metric` (d entries for diag, d×d for dense) and returns true.
    pub fn learn(self: *MetricAdapter, q: []const f64, inv_metric: []f64) error{MetricOverflow}!bool {
        const w = &self.windows;
        if (w.inWindow()) {
            if (self.wvar) |*e| e.add(q);
            if (self.wcov) |*e| e.add(q);
        }
        if (w.endOfWindow()) {
            w.computeNextWindow();
            switch (self.kind) {
                .diag => {
                    const e = &self.wvar.?;
                    e.variance(inv_metric);
                    const n: f64 = @floatFromInt(e.n);
                    for (inv_metric) |*v| v.* = (n / (n + 5.0)) * v.* + 1e-3 * (5.0 / (n + 5.0));
                    e.restart();
                },
                .dense => {
                    const e = &self.wcov.?;
                    e.covariance(inv_metric);
                    const n: f64 = @floatFromInt(e.n);
                    const d = e.d;
                    for (inv_metric) |*v| v.* *= n / (n + 5.0);
                    for (0..d) |i| inv_metric[i * d + i] += 1e-3 * (5.0 / (n + 5.0));
                    e.restart();
                },
            }
            w.counter += 1;
            for (inv_metric) |v| if (!std.math.isFinite(v)) return error.MetricOverflow;
            return true;
        }
        w.counter += 1;
        return false;
    }
};

test "MetricAdapter regularises the window variance like Stan" {
    const a = std.testing.allocator;
    // 20 warmup iterations, buffers 5/5, window 10: one window covering iterations 5..14
    var ad = try MetricAdapter.init(a, .diag, 1, Windows.init(20, 5, 5, 10));
    defer ad.deinit(a);
    var inv = [_]f64{1};
    var updates: usize = 0;
    for (0..20) |i| {
        const x = [_]f64{@floatFromInt(i)};
        if (try ad.learn(&x, &inv)) {
            updates += 1;
            try std.testing.expectEqual(@as(usize, 14), i);
        }
    }
    try std.testing.expectEqual(@as(usize, 1), updates);
    // window draws 5..14: variance 55/6; n = 10
    const expect = (10.0 / 15.0) * (55.0 / 6.0) + 1e-3 * (5.0 / 15.0);
    try std.testing.expectApproxEqRel(expect, inv[0], 1e-14);

    var dn = try MetricAdapter.init(a, .dense, 2, Windows.init(20, 5, 5, 10));
    defer dn.deinit(a);
    var inv2 = [_]f64{ 1, 0, 0, 1 };
    for (0..20) |i| {
        const t: f64 = @floatFromInt(i);
        _ = try dn.learn(&[_]f64{ t, -t }, &inv2);
    }
    try std.testing.expectApproxEqRel(expect, inv2[0], 1e-14);
    try std.testing.expectApproxEqRel(-(10.0 / 15.0) * (55.0 / 6.0), inv2[1], 1e-14);
}
