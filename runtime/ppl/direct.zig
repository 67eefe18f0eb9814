//! Densities of the compiled adjoint (`adjoint.zig`) with their partials written straight into
//! the operands' adjoints, without the one-node tape that `adjoint.density` otherwise runs the
//! distribution on. Only the most frequent density has this path: `normal`, with each operand
//! an active scalar (`adjoint.Active`), an array of model reals (`adjoint.Buf`), a data number
//! or a data list of f64, in any mix (scalars broadcast, like `dist.normal`).
//!
//! The arithmetic is the same as `dist.normal.lpdf`, in the same order, so the target and the
//! adjoints are bit-identical to the tape path: the partials of an active scalar are summed in a
//! local and added to its adjoint once, those of an array element once per element. The checks
//! and their messages are `dist.normal`'s too. A scalar `sigma` takes its log through
//! `LogMemo`, which keeps the last argument of the gradient evaluation: a loop of T scalar
//! densities sharing `sigma` (an autoregression's likelihood) takes one log, not T.

const std = @import("std");
const ad = @import("ad.zig");
const sp = @import("special.zig");
const common = @import("dist/common.zig");
const dist = @import("dist.zig");
const adjoint = @import("adjoint.zig");
const Active = adjoint.Active;
const Buf = adjoint.Buf;

/// The last `log` taken of a scalar density parameter (NaN never matches, so it starts empty).
pub const LogMemo = struct {
    x: f64 = std.math.nan(f64),
    log: f64 = 0,

    /// `@log(x)`, reusing the previous result when `x` is the previous argument.
    pub inline fn of(self: *LogMemo, x: f64) f64 {
        if (x != self.x) {
            self.x = x;
            self.log = @log(x);
        }
        return self.log;
    }
};

/// Whether `D` with operands `Ops` (a tuple type, the variate first) has a direct path.
pub fn hasPath(comptime D: type, comptime Ops: type) bool {
    const fields = @typeInfo(Ops).@"struct".fields;
    if (D != dist.normal or fields.len != 3) return false;
    for (fields) |f| {
        if (!supports(f.type)) return false;
    }
    return true;
}

/// An active scalar, an array of model reals, an f64 or a list of f64.
fn supports(comptime T: type) bool {
    if (T == Active or T == Buf or T == f64) return true;
    return isList(T) and T.Elem == f64;
}

fn isList(comptime T: type) bool {
    return @typeInfo(T) == .@"struct" and @hasDecl(T, "Elem") and @hasDecl(T, "items");
}

/// The values of an operand as `dist.normal` sees them: an f64 or a slice of f64.
fn Plain(comptime T: type) type {
    return if (T == Active or T == f64) f64 else []const f64;
}

fn plain(x: anytype) Plain(@TypeOf(x)) {
    const T = @TypeOf(x);
    if (T == f64) return x;
    if (comptime isList(T)) return x.items();
    return x.val;
}

/// Partials of one operand: a local sum for an active scalar, element-wise for an array,
/// nothing for data.
fn Partials(comptime T: type) type {
    return struct {
        sum: f64 = 0,

        inline fn add(self: *@This(), x: T, i: usize, d: f64) void {
            if (comptime T == Active) self.sum += d;
            if (comptime T == Buf) x.adj[i] += d;
        }

        inline fn finish(self: @This(), x: T) void {
            if (comptime T == Active) x.adj.* += self.sum;
        }
    };
}

/// `log normal(y | mu, sigma)`, its partials added to the adjoints of the active operands;
/// the failure of a check is `dist.normal`'s (read with `dist.lastError`).
pub fn normal(y: anytype, mu: anytype, sigma: anytype, memo: *LogMemo) common.Error!f64 {
    const name = "normal";
    const py = plain(y);
    const pm = plain(mu);
    const ps = plain(sigma);
    const n = try common.broadcastLen(name, &.{ "y", "mu", "sigma" }, .{ py, pm, ps });
    try common.checkNotNan(name, "y", py);
    try common.checkFinite(name, "mu", pm);
    try common.checkPositiveFinite(name, "sigma", ps);
    const sigma_seq = comptime ad.isSeq(@TypeOf(ps));
    const ls_scalar: f64 = if (sigma_seq) 0 else memo.of(ad.at(ps, 0));
    var gy = Partials(@TypeOf(y)){};
    var gm = Partials(@TypeOf(mu)){};
    var gs = Partials(@TypeOf(sigma)){};
    var lp: f64 = 0;
    for (0..n) |i| {
        const s = ad.at(ps, i);
        const z = (ad.at(py, i) - ad.at(pm, i)) / s;
        lp -= 0.5 * z * z + (if (sigma_seq) @log(s) else ls_scalar);
        gy.add(y, i, -z / s);
        gm.add(mu, i, z / s);
        gs.add(sigma, i, (z * z - 1.0) / s);
    }
    gy.finish(y);
    gm.finish(mu);
    gs.finish(sigma);
    return lp - @as(f64, @floatFromInt(n)) * sp.log_sqrt_2pi;
}

test "LogMemo takes the log once per new argument" {
    var m = LogMemo{};
    var two: f64 = 2.0;
    var three: f64 = 3.0;
    _ = .{ &two, &three };
    try std.testing.expectEqual(@log(two), m.of(two));
    try std.testing.expectEqual(two, m.x);
    try std.testing.expectEqual(@log(three), m.of(three));
    try std.testing.expectEqual(three, m.x);
    m.log = 42; // a repeated argument returns the kept result without taking the log again
    try std.testing.expectEqual(@as(f64, 42), m.of(three));
}
