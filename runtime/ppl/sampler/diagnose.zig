//! Gradient checks for a compiled model: the `diagnose` command of a model binary, in the spirit
//! of CmdStan's `diagnose` method. A wrong gradient does not make NUTS crash — it makes it sample
//! the wrong distribution or adapt a tiny step size — so every model can be checked directly.
//!
//! At one or more points on the unconstrained scale (random like the sampler's initial points,
//! uniform in (-init, init), or given with `--point`), it evaluates
//!
//! * the log density and its reverse-mode gradient (`Model.log_density_grad`);
//! * a finite-difference gradient from log densities alone, with the fourth-order central
//!   stencil f'(x) ≈ (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / (12h), h = ε·max(1, |x|): its
//!   truncation error is O(h⁴) and its rounding error ≈ |f|·2⁻⁵²/h, so with the default ε = 10⁻³
//!   it is accurate to ~10⁻¹¹·max(1, |f|) — far better than the two-point difference with ε =
//!   10⁻⁶ that CmdStan uses;
//! * when the model provides `log_density_tangent` (forward mode with dual numbers), the
//!   directional derivative along every unit vector, i.e. a forward-mode gradient.
//!
//! The error of a coordinate is |a − b| / max(1, |b|) (relative for large derivatives, absolute
//! below 1) between reverse mode and each reference. The check fails when any error exceeds the
//! tolerance (default 10⁻⁶), when no point with a finite log density and gradient can be found,
//! or when a finite-difference stencil leaves the region where the density is finite.

const std = @import("std");
const model_mod = @import("model.zig");

const Model = model_mod.Model;
const Rng = model_mod.Rng;

pub const Options = struct {
    seed: u64 = 0,
    /// Random points uniform in (-init_radius, init_radius); 0 = the origin.
    init_radius: f64 = 2,
    /// Relative step of the finite differences.
    epsilon: f64 = 1e-3,
    /// Largest accepted error per coordinate.
    tolerance: f64 = 1e-6,
    /// Number of random points (ignored when `point` is given).
    points: usize = 1,
    /// An explicit unconstrained point (`dim` values).
    point: ?[]const f64 = null,
};

/// One coordinate of a checked point.
pub const Coordinate = struct {
    value: f64,
    reverse: f64,
    finite_diff: f64,
    /// Forward-mode derivative, null when the model has no forward mode.
    forward: ?f64,
    err_fd: f64,
    err_fwd: ?f64,
};

/// The check at one point.
pub const PointCheck = struct {
    lp: f64,
    coords: []Coordinate,
    /// Largest error over coordinates and references (NaN counts as a failure).
    max_err: f64,

    pub fn deinit(self: *PointCheck, allocator: std.mem.Allocator) void {
        allocator.free(self.coords);
    }

    pub fn passes(self: *const PointCheck, tolerance: f64) bool {
        return self.max_err <= tolerance;
    }
};

/// |a − b| / max(1, |b|); NaN when either is not finite.
pub fn relError(a: f64, b: f64) f64 {
    if (!std.math.isFinite(a) or !std.math.isFinite(b)) return std.math.nan(f64);
    return @abs(a - b) / @max(1.0, @abs(b));
}

test "relError is relative above 1 and absolute below" {
    try std.testing.expectApproxEqRel(@as(f64, 1e-3), relError(1001, 1000), 1e-9);
    try std.testing.expectApproxEqRel(@as(f64, 1e-3), relError(0.002, 0.001), 1e-9);
    try std.testing.expect(std.math.isNan(relError(std.math.inf(f64), 1)));
}

fn maxErr(current: f64, e: f64) f64 {
    if (std.math.isNan(e) or std.math.isNan(current)) return std.math.nan(f64);
    return @max(current, e);
}

/// Checks the gradient at `q` with the chain context `ctx` (from `model.init_chain`).
pub fn checkPoint(allocator: std.mem.Allocator, model: *const Model, ctx: ?*anyopaque, q: []const f64, epsilon: f64) !PointCheck {
    const d = model.dim;
    const grad = try allocator.alloc(f64, d);
    defer allocator.free(grad);
    const scratch = try allocator.alloc(f64, d);
    defer allocator.free(scratch);
    const x = try allocator.alloc(f64, d);
    defer allocator.free(x);
    const coords = try allocator.alloc(Coordinate, d);
    errdefer allocator.free(coords);

    const lp = model.log_density_grad(ctx, q.ptr, grad.ptr);
    var worst: f64 = if (std.math.isFinite(lp)) 0 else std.math.nan(f64);
    @memcpy(x, q);
    const tangent = try allocator.alloc(f64, d);
    defer allocator.free(tangent);
    @memset(tangent, 0);
    for (0..d) |i| {
        const h = epsilon * @max(1.0, @abs(q[i]));
        var f: [4]f64 = undefined;
        for ([_]f64{ -2, -1, 1, 2 }, 0..) |k, j| {
            x[i] = q[i] + k * h;
            f[j] = model.log_density_grad(ctx, x.ptr, scratch.ptr);
        }
        x[i] = q[i];
        const fd = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
        var fwd: ?f64 = null;
        if (model.log_density_tangent) |tan_fn| {
            tangent[i] = 1;
            var deriv: f64 = std.math.nan(f64);
            _ = tan_fn(ctx, q.ptr, tangent.ptr, &deriv);
            tangent[i] = 0;
            fwd = deriv;
        }
        const e_fd = relError(grad[i], fd);
        const e_fwd: ?f64 = if (fwd) |v| relError(grad[i], v) else null;
        worst = maxErr(worst, e_fd);
        if (e_fwd) |e| worst = maxErr(worst, e);
        coords[i] = .{ .value = q[i], .reverse = grad[i], .finite_diff = fd, .forward = fwd, .err_fd = e_fd, .err_fwd = e_fwd };
    }
    return .{ .lp = lp, .coords = coords, .max_err = worst };
}

/// A random point where the log density and its gradient are finite (up to 100 attempts, as
/// the sampler's initialisation), or null.
pub fn randomPoint(model: *const Model, ctx: ?*anyopaque, rng: *Rng, radius: f64, q: []f64, grad: []f64) ?f64 {
    var attempt: usize = 0;
    while (attempt < 100) : (attempt += 1) {
        for (q) |*v| v.* = if (radius == 0) 0 else (rng.random().float(f64) * 2 - 1) * radius;
        const lp = model.log_density_grad(ctx, q.ptr, grad.ptr);
        var ok = std.math.isFinite(lp);
        for (grad) |g| ok = ok and std.math.isFinite(g);
        if (ok) return lp;
        if (radius == 0) return null;
    }
    return null;
}

/// Runs the whole check, printing a report to `out`. Returns the exit status: 0 when every
/// coordinate is within the tolerance, 1 otherwise (or when no valid point is found).
pub fn run(allocator: std.mem.Allocator, model: *const Model, name: []const u8, opts: Options, out: anytype) !u8 {
    const d = model.dim;
    const has_fwd = model.log_density_tangent != null;
    try out.print("{s}: gradient check, {d} unconstrained parameter{s}, seed {d}\n", .{ name, d, if (d == 1) "" else "s", opts.seed });
    try out.print("finite differences: fourth-order central stencil, h = {e} * max(1, |x|); tolerance {e} (error = |reverse - reference| / max(1, |reference|))\n", .{ opts.epsilon, opts.tolerance });
    if (has_fwd) {
        try out.writeAll("forward mode: dual numbers, one evaluation per parameter\n");
    } else try out.writeAll("forward mode: not available for this model (no dual-number evaluation)\n");
    if (d == 0) {
        try out.writeAll("the model has no parameters: nothing to check\n");
        return 0;
    }
    var ctx: ?*anyopaque = null;
    if (!model.init_chain(model.data, &ctx)) {
        try out.writeAll("error: cannot set up the model (out of memory)\n");
        return 1;
    }
    defer model.deinit_chain(model.data, ctx);
    const q = try allocator.alloc(f64, d);
    defer allocator.free(q);
    const grad = try allocator.alloc(f64, d);
    defer allocator.free(grad);
    var rng = Rng.init(opts.seed);
    const n_points = if (opts.point != null) 1 else opts.points;
    var failed: usize = 0;
    var overall: f64 = 0;
    for (0..n_points) |p| {
        if (opts.point) |given| {
            @memcpy(q, given);
        } else if (randomPoint(model, ctx, &rng, opts.init_radius, q, grad) == null) {
            try out.print("error: no point with a finite log density and gradient found in 100 attempts (radius {d})\n", .{opts.init_radius});
            return 1;
        }
        var check = try checkPoint(allocator, model, ctx, q, opts.epsilon);
        defer check.deinit(allocator);
        try out.print("\npoint {d}: log density = {e}\n", .{ p + 1, check.lp });
        try out.print("{s:>6} {s:>14} {s:>22} {s:>22} {s:>10}", .{ "param", "value", "reverse mode", "finite diff", "error" });
        if (has_fwd) try out.print(" {s:>22} {s:>10}", .{ "forward mode", "error" });
        try out.writeAll("\n");
        for (check.coords, 0..) |c, i| {
            try out.print("{d:>6} {e:>14.6} {e:>22.15} {e:>22.15} {e:>10.2}", .{ i, c.value, c.reverse, c.finite_diff, c.err_fd });
            if (c.forward) |f| try out.print(" {e:>22.15} {e:>10.2}", .{ f, c.err_fwd.? });
            try out.writeAll(if (c.err_fd <= opts.tolerance and (c.err_fwd orelse 0) <= opts.tolerance) "\n" else "  <-- exceeds the tolerance\n");
        }
        overall = maxErr(overall, check.max_err);
        if (!check.passes(opts.tolerance)) failed += 1;
    }
    try out.print("\nlargest error: {e}\n", .{overall});
    if (failed > 0) {
        try out.print("FAILED: the gradient disagrees with its reference at {d} of {d} point(s)\n", .{ failed, n_points });
        return 1;
    }
    try out.print("ok: the gradient agrees at {d} point(s)\n", .{n_points});
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Tests

const testmodels = @import("testmodels.zig");

test "a correct gradient passes: finite differences match to 1e-9" {
    const a = std.testing.allocator;
    const inst = testmodels.Correlated2{};
    const m = model_mod.fromShared(testmodels.Correlated2, &inst);
    var check = try checkPoint(a, &m, m.data, &.{ 0.7, -1.3 }, 1e-3);
    defer check.deinit(a);
    try std.testing.expect(check.max_err < 1e-9);
    try std.testing.expect(check.coords[0].forward == null);
    // the analytic gradient of the correlated normal at this point
    const k = 1.0 / (1 - 0.81);
    const ga = -k * (0.7 - 0.9 * (-1.3 / 2.0));
    try std.testing.expectApproxEqRel(ga, check.coords[0].finite_diff, 1e-9);

    var buf = std.ArrayList(u8).init(a);
    defer buf.deinit();
    try std.testing.expectEqual(@as(u8, 0), try run(a, &m, "corr", .{ .seed = 3, .points = 3 }, buf.writer()));
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "ok: the gradient agrees at 3 point(s)") != null);
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "forward mode: not available") != null);
}

/// A model whose gradient is wrong in the second coordinate (factor 1.01), with a forward mode.
const Wrong = struct {
    dim: usize = 2,
    names: []const model_mod.Str = &.{},

    pub fn logDensityGrad(_: *const Wrong, q: []const f64, g: []f64) f64 {
        g[0] = -q[0];
        g[1] = -1.01 * 3 * q[1] * q[1];
        return -0.5 * q[0] * q[0] - q[1] * q[1] * q[1];
    }

    pub fn writeDraw(_: *const Wrong, q: []const f64, _: *Rng, out: []f64) void {
        _ = q;
        _ = out;
    }

    fn tangent(_: ?*anyopaque, q: [*]const f64, v: [*]const f64, deriv: *f64) callconv(.C) f64 {
        deriv.* = -q[0] * v[0] - 3 * q[1] * q[1] * v[1];
        return -0.5 * q[0] * q[0] - q[1] * q[1] * q[1];
    }
};

test "a wrong gradient fails, and forward mode is reported when present" {
    const a = std.testing.allocator;
    const inst = Wrong{};
    var m = model_mod.fromShared(Wrong, &inst);
    m.log_density_tangent = &Wrong.tangent;
    var check = try checkPoint(a, &m, m.data, &.{ 0.5, 1.0 }, 1e-3);
    defer check.deinit(a);
    // coordinate 0 is right (both references agree), coordinate 1 is 1 % off
    try std.testing.expect(check.coords[0].err_fd < 1e-9 and check.coords[0].err_fwd.? < 1e-12);
    try std.testing.expectApproxEqRel(@as(f64, -3), check.coords[1].finite_diff, 1e-9);
    try std.testing.expectEqual(@as(f64, -3), check.coords[1].forward.?);
    try std.testing.expectApproxEqRel(@as(f64, 0.01), check.coords[1].err_fwd.?, 1e-9);
    try std.testing.expect(!check.passes(1e-6));

    var buf = std.ArrayList(u8).init(a);
    defer buf.deinit();
    try std.testing.expectEqual(@as(u8, 1), try run(a, &m, "wrong", .{ .seed = 1, .point = &.{ 0.5, 1.0 } }, buf.writer()));
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "<-- exceeds the tolerance") != null);
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "FAILED") != null);
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "forward mode: dual numbers") != null);
}

test "no valid point: status 1 with a message; no parameters: nothing to check" {
    const a = std.testing.allocator;
    const inst = testmodels.Nowhere{};
    const m = model_mod.fromShared(testmodels.Nowhere, &inst);
    var buf = std.ArrayList(u8).init(a);
    defer buf.deinit();
    try std.testing.expectEqual(@as(u8, 1), try run(a, &m, "never", .{}, buf.writer()));
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "no point with a finite log density") != null);

    const Empty = struct {
        dim: usize = 0,
        names: []const model_mod.Str = &.{},
        pub fn logDensityGrad(_: *const @This(), _: []const f64, _: []f64) f64 {
            return 0;
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *Rng, _: []f64) void {}
    };
    const e = Empty{};
    const me = model_mod.fromShared(Empty, &e);
    buf.clearRetainingCapacity();
    try std.testing.expectEqual(@as(u8, 0), try run(a, &me, "empty", .{}, buf.writer()));
    try std.testing.expect(std.mem.indexOf(u8, buf.items, "no parameters") != null);
}
