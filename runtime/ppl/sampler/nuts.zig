//! The No-U-Turn sampler as in Stan's `base_nuts` (Hoffman & Gelman 2014; Betancourt 2017,
//! "A Conceptual Introduction to Hamiltonian Monte Carlo", appendix A):
//!
//! * the trajectory grows by doubling, each new subtree in a random direction;
//! * states are sampled multinomially with weights exp(H0 - H): uniformly (progressively) inside
//!   a subtree, and with a bias towards the new subtree when merging at the top level;
//! * termination uses the generalised no-U-turn criterion p♯₋·ρ > 0 and p♯₊·ρ > 0 on the merged
//!   trajectory, plus Stan's extra checks across the two merged subtrees (each subtree extended by
//!   the neighbouring state of the other), at every level of the recursion;
//! * a leapfrog step whose energy error exceeds 1000 marks the transition divergent and stops the
//!   tree; the depth is limited by `max_depth`;
//! * the acceptance statistic is the mean over all leapfrog steps of min(1, exp(H0 - H)).
//!
//! All vectors are allocated once per chain (one scratch level per tree depth), so a transition
//! allocates nothing.

const std = @import("std");
const ham = @import("hamiltonian.zig");
const model_mod = @import("model.zig");

const Metric = ham.Metric;
const Phase = ham.Phase;
const Target = ham.Target;

/// A candidate sample: position, gradient, log density and the kinetic energy it had.
const Point = struct {
    q: []f64,
    g: []f64,
    lp: f64 = 0,
    kinetic: f64 = 0,

    fn setFrom(self: *Point, z: *const Phase) void {
        @memcpy(self.q, z.q);
        @memcpy(self.g, z.g);
        self.lp = z.lp;
        self.kinetic = z.kinetic();
    }

    fn copyFrom(self: *Point, other: *const Point) void {
        @memcpy(self.q, other.q);
        @memcpy(self.g, other.g);
        self.lp = other.lp;
        self.kinetic = other.kinetic;
    }
};

/// Scratch vectors of one recursion level of `buildTree`.
const Level = struct {
    p_init_end: []f64,
    ps_init_end: []f64,
    rho_init: []f64,
    p_final_beg: []f64,
    ps_final_beg: []f64,
    rho_final: []f64,
    rho_tmp: []f64,
    propose_final: Point,
};

/// Statistics of one transition (the sampler columns of the CSV).
pub const Transition = struct {
    lp: f64,
    accept_stat: f64,
    stepsize: f64,
    treedepth: u32,
    n_leapfrog: u32,
    divergent: bool,
    energy: f64,
};

pub const Nuts = struct {
    d: usize,
    max_depth: u32,
    max_delta_h: f64 = 1000,
    buf: []f64,
    /// The current position (q, g, lp valid between transitions).
    cur: Phase,
    z: Phase,
    z_fwd: Phase,
    z_bck: Phase,
    sample: Point,
    propose: Point,
    p_fwd_fwd: []f64,
    ps_fwd_fwd: []f64,
    p_fwd_bck: []f64,
    ps_fwd_bck: []f64,
    p_bck_fwd: []f64,
    ps_bck_fwd: []f64,
    p_bck_bck: []f64,
    ps_bck_bck: []f64,
    rho: []f64,
    rho_fwd: []f64,
    rho_bck: []f64,
    rho_ext: []f64,
    levels: []Level,
    // per-transition accumulators
    n_leapfrog: u32 = 0,
    sum_metro_prob: f64 = 0,
    divergent: bool = false,
    h0: f64 = 0,
    eps: f64 = 0,

    pub fn init(allocator: std.mem.Allocator, d: usize, max_depth: u32) !Nuts {
        const levels = try allocator.alloc(Level, max_depth + 1);
        errdefer allocator.free(levels);
        // 12 top-level vectors + 2 points, and 9 vectors per level
        const total = d * (12 + 4 + 9 * (max_depth + 1));
        const buf = try allocator.alloc(f64, total);
        errdefer allocator.free(buf);
        @memset(buf, 0);
        var off: usize = 0;
        const take = struct {
            fn f(b: []f64, o: *usize, n: usize) []f64 {
                const s = b[o.* .. o.* + n];
                o.* += n;
                return s;
            }
        }.f;
        var self = Nuts{
            .d = d,
            .max_depth = max_depth,
            .buf = buf,
            .cur = try Phase.init(allocator, d),
            .z = undefined,
            .z_fwd = undefined,
            .z_bck = undefined,
            .sample = undefined,
            .propose = undefined,
            .p_fwd_fwd = take(buf, &off, d),
            .ps_fwd_fwd = take(buf, &off, d),
            .p_fwd_bck = take(buf, &off, d),
            .ps_fwd_bck = take(buf, &off, d),
            .p_bck_fwd = take(buf, &off, d),
            .ps_bck_fwd = take(buf, &off, d),
            .p_bck_bck = take(buf, &off, d),
            .ps_bck_bck = take(buf, &off, d),
            .rho = take(buf, &off, d),
            .rho_fwd = take(buf, &off, d),
            .rho_bck = take(buf, &off, d),
            .rho_ext = take(buf, &off, d),
            .levels = levels,
        };
        errdefer self.cur.deinit(allocator);
        self.z = try Phase.init(allocator, d);
        errdefer self.z.deinit(allocator);
        self.z_fwd = try Phase.init(allocator, d);
        errdefer self.z_fwd.deinit(allocator);
        self.z_bck = try Phase.init(allocator, d);
        self.sample = .{ .q = take(buf, &off, d), .g = take(buf, &off, d) };
        self.propose = .{ .q = take(buf, &off, d), .g = take(buf, &off, d) };
        for (levels) |*l| {
            l.* = .{
                .p_init_end = take(buf, &off, d),
                .ps_init_end = take(buf, &off, d),
                .rho_init = take(buf, &off, d),
                .p_final_beg = take(buf, &off, d),
                .ps_final_beg = take(buf, &off, d),
                .rho_final = take(buf, &off, d),
                .rho_tmp = take(buf, &off, d),
                .propose_final = .{ .q = take(buf, &off, d), .g = take(buf, &off, d) },
            };
        }
        std.debug.assert(off == total);
        return self;
    }

    pub fn deinit(self: *Nuts, allocator: std.mem.Allocator) void {
        self.cur.deinit(allocator);
        self.z.deinit(allocator);
        self.z_fwd.deinit(allocator);
        self.z_bck.deinit(allocator);
        allocator.free(self.buf);
        allocator.free(self.levels);
    }

    /// Sets the current position; `g` and `lp` must be the gradient and log density at `q`.
    pub fn setPosition(self: *Nuts, q: []const f64, g: []const f64, lp: f64) void {
        @memcpy(self.cur.q, q);
        @memcpy(self.cur.g, g);
        self.cur.lp = lp;
    }

    /// One NUTS transition with step size `eps` from the current position.
    pub fn transition(self: *Nuts, eps: f64, metric: *const Metric, target: *Target, rng: std.Random) Transition {
        self.eps = eps;
        const z = &self.z;
        z.copyFrom(&self.cur);
        metric.sampleMomentum(rng, z.p);
        metric.velocity(z.p, z.v);
        self.z_fwd.copyFrom(z);
        self.z_bck.copyFrom(z);
        self.sample.setFrom(z);
        self.propose.setFrom(z);
        for ([_][]f64{ self.p_fwd_fwd, self.p_fwd_bck, self.p_bck_fwd, self.p_bck_bck, self.rho }) |dst| @memcpy(dst, z.p);
        for ([_][]f64{ self.ps_fwd_fwd, self.ps_fwd_bck, self.ps_bck_fwd, self.ps_bck_bck }) |dst| @memcpy(dst, z.v);

        var log_sum_weight: f64 = 0;
        self.h0 = z.hamiltonian();
        self.n_leapfrog = 0;
        self.sum_metro_prob = 0;
        self.divergent = false;
        var depth: u32 = 0;

        while (depth < self.max_depth) {
            @memset(self.rho_fwd, 0);
            @memset(self.rho_bck, 0);
            var lsw_subtree = -std.math.inf(f64);
            var valid: bool = undefined;
            if (rng.float(f64) > 0.5) {
                // extend forwards: the old trajectory becomes the backward part
                z.copyFrom(&self.z_fwd);
                @memcpy(self.rho_bck, self.rho);
                @memcpy(self.p_bck_fwd, self.p_fwd_fwd);
                @memcpy(self.ps_bck_fwd, self.ps_fwd_fwd);
                valid = self.buildTree(depth, &self.propose, self.ps_fwd_bck, self.ps_fwd_fwd, self.rho_fwd, self.p_fwd_bck, self.p_fwd_fwd, 1, &lsw_subtree, metric, target, rng);
                self.z_fwd.copyFrom(z);
            } else {
                // extend backwards: the old trajectory becomes the forward part
                z.copyFrom(&self.z_bck);
                @memcpy(self.rho_fwd, self.rho);
                @memcpy(self.p_fwd_bck, self.p_bck_bck);
                @memcpy(self.ps_fwd_bck, self.ps_bck_bck);
                valid = self.buildTree(depth, &self.propose, self.ps_bck_fwd, self.ps_bck_bck, self.rho_bck, self.p_bck_fwd, self.p_bck_bck, -1, &lsw_subtree, metric, target, rng);
                self.z_bck.copyFrom(z);
            }
            if (!valid) break;
            depth += 1;

            // biased progressive sampling between the old trajectory and the new subtree
            if (lsw_subtree > log_sum_weight) {
                self.sample.copyFrom(&self.propose);
            } else {
                const accept = @exp(lsw_subtree - log_sum_weight);
                if (rng.float(f64) < accept) self.sample.copyFrom(&self.propose);
            }
            log_sum_weight = logSumExp(log_sum_weight, lsw_subtree);

            for (self.rho, self.rho_bck, self.rho_fwd) |*r, b, f| r.* = b + f;
            var persist = criterion(self.ps_bck_bck, self.ps_fwd_fwd, self.rho);
            for (self.rho_ext, self.rho_bck, self.p_fwd_bck) |*r, b, p| r.* = b + p;
            persist = persist and criterion(self.ps_bck_bck, self.ps_fwd_bck, self.rho_ext);
            for (self.rho_ext, self.rho_fwd, self.p_bck_fwd) |*r, f, p| r.* = f + p;
            persist = persist and criterion(self.ps_bck_fwd, self.ps_fwd_fwd, self.rho_ext);
            if (!persist) break;
        }

        const accept_stat = self.sum_metro_prob / @as(f64, @floatFromInt(self.n_leapfrog));
        @memcpy(self.cur.q, self.sample.q);
        @memcpy(self.cur.g, self.sample.g);
        self.cur.lp = self.sample.lp;
        return .{
            .lp = self.sample.lp,
            .accept_stat = accept_stat,
            .stepsize = eps,
            .treedepth = depth,
            .n_leapfrog = self.n_leapfrog,
            .divergent = self.divergent,
            .energy = -self.sample.lp + self.sample.kinetic,
        };
    }

    fn buildTree(
        self: *Nuts,
        depth: u32,
        propose: *Point,
        ps_beg: []f64,
        ps_end: []f64,
        rho: []f64,
        p_beg: []f64,
        p_end: []f64,
        sign: f64,
        log_sum_weight: *f64,
        metric: *const Metric,
        target: *Target,
        rng: std.Random,
    ) bool {
        const z = &self.z;
        if (depth == 0) {
            ham.leapfrog(metric, target, z, sign * self.eps);
            self.n_leapfrog += 1;
            const h = z.hamiltonian();
            if (h - self.h0 > self.max_delta_h) self.divergent = true;
            log_sum_weight.* = logSumExp(log_sum_weight.*, self.h0 - h);
            if (self.h0 - h > 0) self.sum_metro_prob += 1 else self.sum_metro_prob += @exp(self.h0 - h);
            propose.setFrom(z);
            @memcpy(ps_beg, z.v);
            @memcpy(ps_end, z.v);
            for (rho, z.p) |*r, p| r.* += p;
            @memcpy(p_beg, z.p);
            @memcpy(p_end, z.p);
            return !self.divergent;
        }
        const l = &self.levels[depth];
        // initial subtree
        var lsw_init = -std.math.inf(f64);
        @memset(l.rho_init, 0);
        if (!self.buildTree(depth - 1, propose, ps_beg, l.ps_init_end, l.rho_init, p_beg, l.p_init_end, sign, &lsw_init, metric, target, rng))
            return false;
        // final subtree
        var lsw_final = -std.math.inf(f64);
        @memset(l.rho_final, 0);
        if (!self.buildTree(depth - 1, &l.propose_final, l.ps_final_beg, ps_end, l.rho_final, l.p_final_beg, p_end, sign, &lsw_final, metric, target, rng))
            return false;
        // uniform progressive sampling inside the subtree
        const lsw_subtree = logSumExp(lsw_init, lsw_final);
        log_sum_weight.* = logSumExp(log_sum_weight.*, lsw_subtree);
        if (lsw_final > lsw_subtree) {
            propose.copyFrom(&l.propose_final);
        } else {
            const accept = @exp(lsw_final - lsw_subtree);
            if (rng.float(f64) < accept) propose.copyFrom(&l.propose_final);
        }
        // rho_tmp = rho_init + rho_final (the subtree's momentum sum)
        for (l.rho_tmp, l.rho_init, l.rho_final, rho) |*t, a, b, *r| {
            t.* = a + b;
            r.* += t.*;
        }
        var persist = criterion(ps_beg, ps_end, l.rho_tmp);
        for (l.rho_tmp, l.rho_init, l.p_final_beg) |*t, a, p| t.* = a + p;
        persist = persist and criterion(ps_beg, l.ps_final_beg, l.rho_tmp);
        for (l.rho_tmp, l.rho_final, l.p_init_end) |*t, b, p| t.* = b + p;
        persist = persist and criterion(l.ps_init_end, ps_end, l.rho_tmp);
        return persist;
    }
};

fn dot(a: []const f64, b: []const f64) f64 {
    var s: f64 = 0;
    for (a, b) |x, y| s += x * y;
    return s;
}

/// Generalised no-U-turn criterion: both ends still move along the summed momentum.
fn criterion(ps_minus: []const f64, ps_plus: []const f64, rho: []const f64) bool {
    return dot(ps_plus, rho) > 0 and dot(ps_minus, rho) > 0;
}

pub fn logSumExp(a: f64, b: f64) f64 {
    if (a == -std.math.inf(f64)) return b;
    if (b == -std.math.inf(f64)) return a;
    const m = @max(a, b);
    return m + @log(@exp(a - m) + @exp(b - m));
}

test "logSumExp" {
    try std.testing.expectApproxEqRel(@log(@exp(1.0) + @exp(2.0)), logSumExp(1, 2), 1e-15);
    try std.testing.expectEqual(@as(f64, 3), logSumExp(-std.math.inf(f64), 3));
    try std.testing.expectApproxEqRel(@as(f64, 1000 + @log(2.0)), logSumExp(1000, 1000), 1e-15);
}

test "NUTS transitions on a standard normal: valid statistics, divergence on a wall" {
    const a = std.testing.allocator;
    const Normal = struct {
        dim: usize = 3,
        names: []const model_mod.Str = &.{},
        pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
            var s: f64 = 0;
            for (q, g) |x, *gi| {
                gi.* = -x;
                s -= 0.5 * x * x;
            }
            return s;
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *ham.Rng, _: []f64) void {}
    };
    const inst = Normal{};
    const m = model_mod.fromShared(Normal, &inst);
    var target = Target{ .model = &m, .ctx = m.data };
    var metric = try Metric.init(a, .diag, 3);
    defer metric.deinit(a);
    var nuts = try Nuts.init(a, 3, 10);
    defer nuts.deinit(a);
    var g: [3]f64 = undefined;
    const q0 = [_]f64{ 0.1, -0.2, 0.3 };
    nuts.setPosition(&q0, &g, target.eval(&q0, &g));
    var prng = ham.Rng.init(1);
    var sum_depth: u32 = 0;
    for (0..200) |_| {
        const t = nuts.transition(0.8, &metric, &target, prng.random());
        try std.testing.expect(t.accept_stat >= 0 and t.accept_stat <= 1);
        try std.testing.expect(t.treedepth >= 1 and t.treedepth <= 10);
        // completed doublings give 2^depth - 1 steps; a rejected last subtree adds < 2^depth more
        const full = (@as(u32, 1) << @intCast(t.treedepth)) - 1;
        try std.testing.expect(t.n_leapfrog >= full and t.n_leapfrog <= 2 * full + 1);
        try std.testing.expect(!t.divergent);
        try std.testing.expectEqual(t.lp, nuts.cur.lp);
        // energy ≥ potential
        try std.testing.expect(t.energy >= -t.lp);
        sum_depth += t.treedepth;
    }
    // a step of 0.8 on N(0, I) needs trees of depth 2-3
    try std.testing.expect(sum_depth > 200 and sum_depth < 800);
    // a huge step size diverges at once
    const t = nuts.transition(50, &metric, &target, prng.random());
    try std.testing.expect(t.divergent);
    try std.testing.expectEqual(@as(u32, 0), t.treedepth);
    try std.testing.expectEqual(@as(u32, 1), t.n_leapfrog);
}
