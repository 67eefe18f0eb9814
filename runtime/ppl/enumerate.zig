//! Discrete parameters summed out of the log density (enumeration; the compiler's side is
//! `src/cir/enumerate.rs`).
//!
//! A model with enumerated sites is run once per combination of their values: `State` is the
//! odometer that chooses the value of each site as the run reaches it (site positions are
//! numbered in the order a run visits them, and a site's support is read when it is reached,
//! so a support or a branch that depends on an earlier site's value is enumerated correctly),
//! and `advance` moves to the next combination. `Sum` adds the runs up: the log density is the
//! log-sum-exp of the runs' log densities and its gradient (or tangent) the runs' gradients
//! weighted by their posterior probabilities. `support` gives the finite support of each
//! distribution the compiler enumerates.

const std = @import("std");

/// The most values one site may take and the most combinations a log density may be
/// evaluated at (as `MAX_SUPPORT`/`MAX_COMBINATIONS` in `src/cir/enumerate.rs`).
pub const max_support: u64 = 1000;
pub const max_combinations: u64 = 10_000;
/// The most enumerated sites one run may reach.
pub const max_sites: usize = 64;

pub const VisitError = error{ EmptySupport, TooManyValues, TooManyCombinations, TooManySites };

/// The values `lo, lo + 1, …, lo + size - 1` of a site.
pub const Support = struct { lo: i64, size: i64 };

/// The odometer over the combinations of the enumerated sites' values.
pub const State = struct {
    assign: [max_sites]u32 = [_]u32{0} ** max_sites,
    sizes: [max_sites]u32 = [_]u32{0} ** max_sites,
    /// Sites reached by the current run.
    visited: usize = 0,
    /// The product of the supports reached by the current run.
    combinations: u64 = 1,

    /// Starts a run (the assignment is kept).
    pub fn begin(self: *State) void {
        self.visited = 0;
        self.combinations = 1;
    }

    /// The index (from 0) of the value the next site takes, whose support has `size` values.
    pub fn visit(self: *State, size: i64) VisitError!u32 {
        if (size < 1) return error.EmptySupport;
        const n: u64 = @intCast(size);
        if (n > max_support) return error.TooManyValues;
        if (self.visited == max_sites) return error.TooManySites;
        self.combinations *|= n;
        if (self.combinations > max_combinations) return error.TooManyCombinations;
        const i = self.visited;
        self.visited += 1;
        self.sizes[i] = @intCast(n);
        if (self.assign[i] >= n) self.assign[i] = 0;
        return self.assign[i];
    }

    /// Moves to the next combination after the current run; false when every one was run.
    pub fn advance(self: *State) bool {
        var i = self.visited;
        while (i > 0) {
            i -= 1;
            self.assign[i] += 1;
            if (self.assign[i] < self.sizes[i]) return true;
            self.assign[i] = 0;
        }
        return false;
    }

    /// Words for a `visit` error (the located message of the run that met it).
    pub fn describe(e: VisitError) []const u8 {
        return switch (e) {
            error.EmptySupport => "the support of this discrete parameter is empty",
            error.TooManyValues => std.fmt.comptimePrint("this discrete parameter takes more than {d} values, too many to sum out (E0333)", .{max_support}),
            error.TooManyCombinations => std.fmt.comptimePrint("with this discrete parameter the log density would be evaluated at more than {d} combinations of values, too many to sum out (E0333)", .{max_combinations}),
            error.TooManySites => std.fmt.comptimePrint("a run reaches more than {d} discrete parameters, too many to sum out (E0333)", .{max_sites}),
        };
    }
};

/// An integer parameter, or the length of a vector parameter (a slice, a list, or the
/// compiled gradient's `Buf` of values and adjoints).
fn count(x: anytype) i64 {
    const T = @TypeOf(x);
    return switch (@typeInfo(T)) {
        .int, .comptime_int => @intCast(x),
        .pointer => @intCast(x.len),
        .@"struct" => if (@hasField(T, "val")) @intCast(x.val.len) else @intCast(x.len()),
        else => @compileError("not a count or a vector: " ++ @typeName(T)),
    };
}

/// The finite support of distribution `D` with parameters `args` (as the model passes them).
pub fn support(comptime D: type, args: anytype) Support {
    const name = D.name;
    if (comptime eql(name, "bernoulli") or eql(name, "bernoulli_logit")) return .{ .lo = 0, .size = 2 };
    if (comptime eql(name, "binomial") or eql(name, "binomial_logit")) return .{ .lo = 0, .size = count(args[0]) + 1 };
    if (comptime eql(name, "categorical") or eql(name, "categorical_logit")) return .{ .lo = 0, .size = count(args[0]) };
    if (comptime eql(name, "discrete_uniform")) {
        const lo = count(args[0]);
        return .{ .lo = lo, .size = count(args[1]) -| lo +| 1 };
    }
    @compileError("no finite support to enumerate for " ++ name);
}

fn eql(comptime a: []const u8, comptime b: []const u8) bool {
    return std.mem.eql(u8, a, b);
}

/// The running log-sum-exp of the runs' log densities with the correspondingly weighted sum of
/// their gradients (`dim` values; 1 for a tangent). Rescaled whenever a larger log density
/// arrives, so nothing overflows.
pub const Sum = struct {
    max: f64 = -std.math.inf(f64),
    /// Σ exp(lp_k - max).
    total: f64 = 0,
    nan: bool = false,

    /// Adds a run with log density `lp` and gradient `g` into `acc` (zeroed by the caller).
    pub fn add(self: *Sum, lp: f64, g: []const f64, acc: []f64) void {
        if (std.math.isNan(lp)) self.nan = true;
        if (self.nan or lp == -std.math.inf(f64)) return;
        if (lp > self.max) {
            const scale = if (self.max == -std.math.inf(f64)) 0 else @exp(self.max - lp);
            self.total = self.total * scale + 1;
            for (acc, g) |*a, x| a.* = a.* * scale + x;
            self.max = lp;
        } else {
            const w = @exp(lp - self.max);
            self.total += w;
            for (acc, g) |*a, x| a.* += w * x;
        }
    }

    /// The log density of the sum; `acc` becomes its gradient.
    pub fn finish(self: *const Sum, acc: []f64) f64 {
        if (self.nan) return std.math.nan(f64);
        if (self.total == 0) {
            @memset(acc, 0);
            return -std.math.inf(f64);
        }
        for (acc) |*a| a.* /= self.total;
        return self.max + @log(self.total);
    }
};

test "the odometer visits every combination once, with supports read as sites are reached" {
    // site 0 has 2 values; site 1 has (value of site 0) + 2 values: 2 + 3 = 5 combinations
    var s = State{};
    var seen: usize = 0;
    var sum: u32 = 0;
    while (true) {
        s.begin();
        const a = try s.visit(2);
        const b = try s.visit(@as(i64, a) + 2);
        seen += 1;
        sum += a * 10 + b;
        if (!s.advance()) break;
    }
    try std.testing.expectEqual(@as(usize, 5), seen);
    try std.testing.expectEqual(@as(u32, 0 + 1 + 10 + 11 + 12), sum);
}

test "limits: too many values, too many combinations" {
    var s = State{};
    try std.testing.expectError(error.TooManyValues, s.visit(1001));
    s.begin();
    _ = try s.visit(1000);
    try std.testing.expectError(error.TooManyCombinations, s.visit(11));
    s.begin();
    try std.testing.expectError(error.EmptySupport, s.visit(0));
}

test "Sum is log-sum-exp with softmax-weighted gradients" {
    var sum = Sum{};
    var acc = [_]f64{0};
    sum.add(-1.0, &.{2.0}, &acc);
    sum.add(-std.math.inf(f64), &.{100.0}, &acc);
    sum.add(-3.0, &.{4.0}, &acc);
    const lp = sum.finish(&acc);
    const expect = @log(@exp(-1.0) + @exp(-3.0));
    try std.testing.expectApproxEqRel(expect, lp, 1e-15);
    const w1 = @exp(-1.0 - expect);
    try std.testing.expectApproxEqRel(w1 * 2.0 + (1 - w1) * 4.0, acc[0], 1e-14);
}
