//! Static Hamiltonian Monte Carlo (Stan's `base_static_hmc`): a fixed integration time T, so
//! L = max(1, floor(T / ε)) leapfrog steps per transition, followed by a Metropolis accept/reject
//! of the end point with probability min(1, exp(H0 - H)). The acceptance statistic is that
//! probability. Unlike Stan, the trajectory stops early (and the proposal is rejected, flagged as
//! divergent) as soon as the energy error exceeds 1000, which saves the rest of a hopeless
//! trajectory and makes such transitions visible in the diagnostics.

const std = @import("std");
const ham = @import("hamiltonian.zig");
const model_mod = @import("model.zig");
const nuts = @import("nuts.zig");

const Metric = ham.Metric;
const Phase = ham.Phase;
const Target = ham.Target;
pub const Transition = nuts.Transition;

pub const StaticHmc = struct {
    cur: Phase,
    z: Phase,
    max_delta_h: f64 = 1000,

    pub fn init(allocator: std.mem.Allocator, d: usize) !StaticHmc {
        var cur = try Phase.init(allocator, d);
        errdefer cur.deinit(allocator);
        return .{ .cur = cur, .z = try Phase.init(allocator, d) };
    }

    pub fn deinit(self: *StaticHmc, allocator: std.mem.Allocator) void {
        self.cur.deinit(allocator);
        self.z.deinit(allocator);
    }

    pub fn setPosition(self: *StaticHmc, q: []const f64, g: []const f64, lp: f64) void {
        @memcpy(self.cur.q, q);
        @memcpy(self.cur.g, g);
        self.cur.lp = lp;
    }

    /// Number of leapfrog steps for integration time `int_time` and step size `eps`.
    pub fn numSteps(int_time: f64, eps: f64) u32 {
        const l = int_time / eps;
        if (!(l >= 1)) return 1;
        if (l > 1e9) return 1_000_000_000;
        return @intFromFloat(l);
    }

    pub fn transition(self: *StaticHmc, eps: f64, n_steps: u32, metric: *const Metric, target: *Target, rng: std.Random) Transition {
        const z = &self.z;
        z.copyFrom(&self.cur);
        metric.sampleMomentum(rng, z.p);
        metric.velocity(z.p, z.v);
        const h0 = z.hamiltonian();
        var divergent = false;
        var steps: u32 = 0;
        while (steps < n_steps) {
            ham.leapfrog(metric, target, z, eps);
            steps += 1;
            if (z.hamiltonian() - h0 > self.max_delta_h) {
                divergent = true;
                break;
            }
        }
        const h = z.hamiltonian();
        var accept = @exp(h0 - h);
        if (divergent) accept = 0;
        var energy: f64 = undefined;
        if (accept >= 1 or (accept > 0 and rng.float(f64) < accept)) {
            self.cur.copyFrom(z);
            energy = h;
        } else {
            // keep the old position; its energy with the momentum drawn for this transition
            energy = h0;
        }
        return .{
            .lp = self.cur.lp,
            .accept_stat = @min(accept, 1),
            .stepsize = eps,
            .treedepth = 0,
            .n_leapfrog = steps,
            .divergent = divergent,
            .energy = energy,
        };
    }
};

test "numSteps" {
    try std.testing.expectEqual(@as(u32, 6), StaticHmc.numSteps(2 * std.math.pi, 1));
    try std.testing.expectEqual(@as(u32, 1), StaticHmc.numSteps(1, 5));
    try std.testing.expectEqual(@as(u32, 1), StaticHmc.numSteps(1, std.math.nan(f64)));
}

test "static HMC on a standard normal accepts almost always with a small step" {
    const a = std.testing.allocator;
    const Normal = struct {
        dim: usize = 2,
        names: []const model_mod.Str = &.{},
        pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
            g[0] = -q[0];
            g[1] = -q[1];
            return -0.5 * (q[0] * q[0] + q[1] * q[1]);
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *ham.Rng, _: []f64) void {}
    };
    const inst = Normal{};
    const m = model_mod.fromShared(Normal, &inst);
    var target = Target{ .model = &m, .ctx = m.data };
    var metric = try Metric.init(a, .diag, 2);
    defer metric.deinit(a);
    var hmc = try StaticHmc.init(a, 2);
    defer hmc.deinit(a);
    var g: [2]f64 = undefined;
    const q0 = [_]f64{ 1, 1 };
    hmc.setPosition(&q0, &g, target.eval(&q0, &g));
    var prng = ham.Rng.init(2);
    var acc: f64 = 0;
    for (0..100) |_| {
        const t = hmc.transition(0.1, 15, &metric, &target, prng.random());
        try std.testing.expectEqual(@as(u32, 15), t.n_leapfrog);
        acc += t.accept_stat;
    }
    try std.testing.expect(acc / 100 > 0.99);
    const before = hmc.cur.q[0];
    const t = hmc.transition(100, 3, &metric, &target, prng.random());
    try std.testing.expect(t.divergent);
    try std.testing.expectEqual(@as(f64, 0), t.accept_stat);
    try std.testing.expectEqual(before, hmc.cur.q[0]);
}
