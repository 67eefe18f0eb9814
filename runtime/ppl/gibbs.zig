//! Discrete parameters updated by Metropolis-within-Gibbs steps (the compiler's side is
//! `src/cir/enumerate.rs`, which makes a discrete site a Gibbs site when it cannot be summed
//! out: unbounded support, or more values than enumeration allows).
//!
//! Each chain owns a `Values`: the current value of every Gibbs site, in the order a run of the
//! model reaches them (a site in a loop has one value per iteration). The log density reads
//! them (`visit`); a site reached for the first time takes a draw from its prior, made with the
//! chain's own generator (`reset` seeds it), so a chain's start is reproducible. After every
//! continuous transition `Program.gibbsSweep` (modelrt.zig) proposes, for each value in turn, a
//! symmetric integer random-walk move y' = y ± s with s uniform on {1, …, w} and accepts it with
//! probability min(1, p(y', rest) / p(y, rest)), the full log density at the continuous
//! values held fixed. The proposal is symmetric, so no proposal ratio enters; a move outside the
//! support has density 0 and is rejected; steps of 1 are always possible, so every value of an
//! integer interval can be reached. The width w of each value starts at 1 and is adapted during
//! warmup only (doubled while more than 60% of its proposals are accepted, halved below 20%,
//! over batches of `batch` proposals) and then frozen, so the sampling phase is one fixed
//! Metropolis kernel with the posterior as its stationary distribution. Each value's update is
//! followed by a `Ridge` move of the value and the continuous point together.

const std = @import("std");

/// Proposals per adaptation batch of one value's width.
pub const batch: u32 = 20;
/// The largest random-walk width.
pub const max_width: u32 = 1 << 20;

pub const Rng = std.Random.Xoshiro256;

pub const VisitError = error{ OutOfMemory, PriorDraw };

/// The current values of a chain's Gibbs sites, with each value's proposal width.
pub const Values = struct {
    values: std.ArrayListUnmanaged(i64) = .{},
    widths: std.ArrayListUnmanaged(u32) = .{},
    /// Accepted and proposed moves of each value in the current adaptation batch.
    accepted: std.ArrayListUnmanaged(u32) = .{},
    proposed: std.ArrayListUnmanaged(u32) = .{},
    /// The ridge move of each value (see `Ridge`).
    ridge: Ridge = .{},
    /// The next value a run reads.
    cursor: usize = 0,
    /// Draws the first value of a site (from its prior).
    rng: Rng = Rng.init(0),
    /// For each static site of the model: whether it is an enumerated site that the data took
    /// past the enumeration limits, so that it is updated here instead (shared by the chains).
    switched: []const bool = &.{},

    /// Whether enumerated site `site` is updated by Gibbs steps instead (its Gibbs fallback).
    pub fn isSwitched(self: *const Values, site: u32) bool {
        return site < self.switched.len and self.switched[site];
    }

    pub fn deinit(self: *Values, a: std.mem.Allocator) void {
        self.ridge.deinit(a);
        self.values.deinit(a);
        self.widths.deinit(a);
        self.accepted.deinit(a);
        self.proposed.deinit(a);
    }

    /// Forgets every value (the next run draws them from their priors with a generator seeded
    /// by `seed`); `switched` is kept.
    pub fn reset(self: *Values, seed: u64) void {
        self.values.clearRetainingCapacity();
        self.widths.clearRetainingCapacity();
        self.accepted.clearRetainingCapacity();
        self.proposed.clearRetainingCapacity();
        self.ridge.clear();
        self.cursor = 0;
        self.rng = Rng.init(seed);
    }

    /// Starts a run of the model.
    pub fn begin(self: *Values) void {
        self.cursor = 0;
    }

    /// The value of the next site a run reaches; `draw(rng)` gives a prior draw for a site
    /// reached for the first time.
    pub fn visit(self: *Values, a: std.mem.Allocator, draw: anytype) VisitError!i64 {
        const k = self.cursor;
        self.cursor += 1;
        if (k < self.values.items.len) return self.values.items[k];
        const y = draw.get(self.rng.random()) catch return error.PriorDraw;
        try self.values.append(a, y);
        try self.widths.append(a, 1);
        try self.accepted.append(a, 0);
        try self.proposed.append(a, 0);
        return y;
    }

    /// The proposal y ± s, s uniform on {1, …, w}, for value `k`.
    pub fn propose(self: *const Values, k: usize, random: std.Random) i64 {
        const w = self.widths.items[k];
        const s: i64 = 1 + @as(i64, random.uintLessThan(u32, w));
        const y = self.values.items[k];
        return if (random.boolean()) y +| s else y -| s;
    }

    /// Records whether the proposal for value `k` was accepted and, at the end of a batch,
    /// adapts its width (warmup only).
    pub fn learn(self: *Values, k: usize, accepted: bool) void {
        if (accepted) self.accepted.items[k] += 1;
        self.proposed.items[k] += 1;
        if (self.proposed.items[k] < batch) return;
        const rate = @as(f64, @floatFromInt(self.accepted.items[k])) / @as(f64, @floatFromInt(batch));
        const w = &self.widths.items[k];
        if (rate > 0.6 and w.* < max_width) w.* *= 2;
        if (rate < 0.2 and w.* > 1) w.* /= 2;
        self.accepted.items[k] = 0;
        self.proposed.items[k] = 0;
    }
};

/// A joint move of one discrete value y and the continuous point q along their linear ridge:
/// (y, q) → (y + d, q + c·d) with d = ±U{1..w} and c the regression slope of q on y. During
/// warmup c is estimated from the chain's own (y, q) after each sweep and w adapts like a
/// random-walk width; then both are frozen. The map is a translation (Jacobian 1) and d is
/// symmetric, so the move is accepted with probability min(1, p(y', q') / p(y, q)) and leaves
/// the posterior invariant. It lets a count move together with the continuous parameter it
/// trades off against (N and p of a binomial with unknown N), which one-at-a-time updates can
/// only do in tiny steps.
pub const Ridge = struct {
    dim: usize = 0,
    /// Per value: the number of (y, q) seen, the mean of y and Σ(y − ȳ)².
    count: std.ArrayListUnmanaged(f64) = .{},
    mean_y: std.ArrayListUnmanaged(f64) = .{},
    m2_y: std.ArrayListUnmanaged(f64) = .{},
    /// Per value, `dim` each: the mean of q, Σ(y − ȳ)(q − q̄) and the slope c.
    mean_q: std.ArrayListUnmanaged(f64) = .{},
    co: std.ArrayListUnmanaged(f64) = .{},
    slope: std.ArrayListUnmanaged(f64) = .{},
    /// Per value: the width and the current adaptation batch's counts.
    width: std.ArrayListUnmanaged(u32) = .{},
    accepted: std.ArrayListUnmanaged(u32) = .{},
    proposed: std.ArrayListUnmanaged(u32) = .{},
    /// The point before a move (to undo a rejected one exactly).
    saved: std.ArrayListUnmanaged(f64) = .{},

    /// (y, q) pairs seen before a value's ridge move starts.
    pub const min_count: f64 = 50;

    pub fn deinit(self: *Ridge, a: std.mem.Allocator) void {
        inline for (.{ &self.count, &self.mean_y, &self.m2_y, &self.mean_q, &self.co, &self.slope, &self.saved }) |l| l.deinit(a);
        inline for (.{ &self.width, &self.accepted, &self.proposed }) |l| l.deinit(a);
    }

    fn clear(self: *Ridge) void {
        inline for (.{ &self.count, &self.mean_y, &self.m2_y, &self.mean_q, &self.co, &self.slope, &self.saved }) |l| l.clearRetainingCapacity();
        inline for (.{ &self.width, &self.accepted, &self.proposed }) |l| l.clearRetainingCapacity();
    }

    /// Makes room for `n` values of a point of `dim` coordinates.
    pub fn ensure(self: *Ridge, a: std.mem.Allocator, n: usize, dim: usize) !void {
        self.dim = dim;
        while (self.count.items.len < n) {
            inline for (.{ &self.count, &self.mean_y, &self.m2_y }) |l| try l.append(a, 0);
            inline for (.{ &self.mean_q, &self.co, &self.slope }) |l| try l.appendNTimes(a, 0, dim);
            try self.width.append(a, 1);
            try self.accepted.append(a, 0);
            try self.proposed.append(a, 0);
        }
        try self.saved.resize(a, dim);
    }

    /// Adds the chain's (y, q) for value `k` to the estimate of its slope (warmup only).
    pub fn observe(self: *Ridge, k: usize, y: i64, q: []const f64) void {
        const n = &self.count.items[k];
        n.* += 1;
        const yf: f64 = @floatFromInt(y);
        const dy = yf - self.mean_y.items[k];
        self.mean_y.items[k] += dy / n.*;
        self.m2_y.items[k] += dy * (yf - self.mean_y.items[k]);
        const row = k * self.dim;
        for (q, 0..) |x, i| {
            const m = &self.mean_q.items[row + i];
            m.* += (x - m.*) / n.*;
            self.co.items[row + i] += dy * (x - m.*);
            if (self.m2_y.items[k] > 0) self.slope.items[row + i] = self.co.items[row + i] / self.m2_y.items[k];
        }
    }

    /// Whether value `k` has a slope to move along.
    pub fn ready(self: *const Ridge, k: usize) bool {
        return k < self.count.items.len and self.count.items[k] >= min_count and self.m2_y.items[k] > 0;
    }

    /// Proposes a ridge move of value `k`: returns d (the caller adds it to y) and moves `q`
    /// by c·d, keeping the old point for `undo`.
    pub fn propose(self: *Ridge, k: usize, q: []f64, random: std.Random) i64 {
        const w = self.width.items[k];
        const s: i64 = 1 + @as(i64, random.uintLessThan(u32, w));
        const d = if (random.boolean()) s else -s;
        @memcpy(self.saved.items, q);
        const c = self.slope.items[k * self.dim .. (k + 1) * self.dim];
        for (q, c) |*x, ci| x.* += ci * @as(f64, @floatFromInt(d));
        return d;
    }

    /// Puts back the point a rejected move changed.
    pub fn undo(self: *const Ridge, q: []f64) void {
        @memcpy(q, self.saved.items);
    }

    /// Adapts the width of value `k`'s ridge move (warmup only), like `Values.learn`.
    pub fn learn(self: *Ridge, k: usize, was_accepted: bool) void {
        if (was_accepted) self.accepted.items[k] += 1;
        self.proposed.items[k] += 1;
        if (self.proposed.items[k] < batch) return;
        const rate = @as(f64, @floatFromInt(self.accepted.items[k])) / @as(f64, @floatFromInt(batch));
        const w = &self.width.items[k];
        if (rate > 0.6 and w.* < max_width) w.* *= 2;
        if (rate < 0.2 and w.* > 1) w.* /= 2;
        self.accepted.items[k] = 0;
        self.proposed.items[k] = 0;
    }
};

test "the ridge slope is the regression slope of q on y, and a move is undone exactly" {
    const a = std.testing.allocator;
    var r = Ridge{};
    defer r.deinit(a);
    try r.ensure(a, 1, 2);
    for (0..100) |i| {
        const y: i64 = @intCast(i % 10);
        const yf: f64 = @floatFromInt(y);
        r.observe(0, y, &.{ 3 - 0.5 * yf, 2 * yf + 1 });
    }
    try std.testing.expect(r.ready(0));
    try std.testing.expectApproxEqAbs(@as(f64, -0.5), r.slope.items[0], 1e-12);
    try std.testing.expectApproxEqAbs(@as(f64, 2), r.slope.items[1], 1e-12);
    var q = [_]f64{ 0.25, -1.5 };
    var prng = Rng.init(3);
    const d = r.propose(0, &q, prng.random());
    try std.testing.expectApproxEqAbs(0.25 - 0.5 * @as(f64, @floatFromInt(d)), q[0], 1e-12);
    r.undo(&q);
    try std.testing.expectEqual([_]f64{ 0.25, -1.5 }, q);
}

/// A prior draw of distribution `D` with plain parameters `args` (the first value of a site);
/// a list of numbers (the probabilities of a `categorical` read from the data) is passed to
/// the sampler as its slice, and the compiled gradient's buffer as its values.
pub fn PriorDraw(comptime D: type, comptime Args: type) type {
    return struct {
        args: Args,

        pub fn get(self: @This(), random: std.Random) !i64 {
            var plain: SamplerArgs(Args) = undefined;
            inline for (@typeInfo(Args).@"struct".fields, 0..) |f, i| plain[i] = samplerArg(@field(self.args, f.name));
            return @call(.auto, D.sample, .{random} ++ plain);
        }
    };
}

fn SamplerArgs(comptime Args: type) type {
    const fields = @typeInfo(Args).@"struct".fields;
    var types: [fields.len]type = undefined;
    for (fields, 0..) |f, i| types[i] = SamplerArg(f.type);
    return std.meta.Tuple(&types);
}

fn SamplerArg(comptime T: type) type {
    if (@typeInfo(T) != .@"struct") return T;
    if (@hasDecl(T, "Elem") and @hasDecl(T, "items")) return []const T.Elem;
    if (@hasField(T, "val") and @hasField(T, "adj")) return []const f64;
    return T;
}

fn samplerArg(x: anytype) SamplerArg(@TypeOf(x)) {
    const T = @TypeOf(x);
    if (@typeInfo(T) != .@"struct") return x;
    if (@hasDecl(T, "Elem") and @hasDecl(T, "items")) return x.items();
    if (@hasField(T, "val") and @hasField(T, "adj")) return x.val;
    return x;
}

/// Whether a Metropolis proposal with log density `proposed` replaces the current value with
/// log density `current` (one uniform is drawn only when the ratio is below 1).
pub fn accept(current: f64, proposed: f64, random: std.Random) bool {
    if (std.math.isNan(proposed) or proposed == -std.math.inf(f64)) return false;
    if (proposed >= current) return true;
    return random.float(f64) < @exp(proposed - current);
}

test "values are drawn once, then read in order; reset forgets them" {
    const Fixed = struct {
        y: i64,
        fn get(self: @This(), _: std.Random) !i64 {
            return self.y;
        }
    };
    const a = std.testing.allocator;
    var v = Values{};
    defer v.deinit(a);
    v.begin();
    try std.testing.expectEqual(@as(i64, 3), try v.visit(a, Fixed{ .y = 3 }));
    try std.testing.expectEqual(@as(i64, 7), try v.visit(a, Fixed{ .y = 7 }));
    v.begin();
    try std.testing.expectEqual(@as(i64, 3), try v.visit(a, Fixed{ .y = 100 }));
    v.reset(1);
    v.begin();
    try std.testing.expectEqual(@as(i64, 100), try v.visit(a, Fixed{ .y = 100 }));
}

test "proposals are symmetric steps within the width, and the width adapts" {
    const Fixed = struct {
        fn get(_: @This(), _: std.Random) !i64 {
            return 10;
        }
    };
    const a = std.testing.allocator;
    var v = Values{};
    defer v.deinit(a);
    _ = try v.visit(a, Fixed{});
    var prng = Rng.init(5);
    var up: usize = 0;
    for (0..2000) |_| {
        const y = v.propose(0, prng.random());
        try std.testing.expect(y == 9 or y == 11);
        if (y == 11) up += 1;
    }
    try std.testing.expect(up > 900 and up < 1100);
    for (0..batch) |_| v.learn(0, true);
    try std.testing.expectEqual(@as(u32, 2), v.widths.items[0]);
    for (0..batch) |_| v.learn(0, false);
    try std.testing.expectEqual(@as(u32, 1), v.widths.items[0]);
}

test "accept: a better or equal density always, -inf and NaN never" {
    var prng = Rng.init(1);
    try std.testing.expect(accept(-3, -2, prng.random()));
    try std.testing.expect(!accept(-3, -std.math.inf(f64), prng.random()));
    try std.testing.expect(!accept(-3, std.math.nan(f64), prng.random()));
    var n: usize = 0;
    for (0..4000) |_| n += @intFromBool(accept(0, @log(0.25), prng.random()));
    try std.testing.expect(n > 900 and n < 1100);
}
