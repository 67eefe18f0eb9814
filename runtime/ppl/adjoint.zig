//! The runtime side of compiled gradients (`src/ad/`): the compiler turns a qualifying model's
//! log density into straight-line Zig over plain `f64` values and adjoints (a forward sweep,
//! then a reverse sweep), and that code calls the helpers here.
//!
//! * `Ctx` holds the unconstrained point, the gradient being accumulated, the target and a
//!   scratch allocator for the buffers of real arrays (`Buf`: values and adjoints).
//! * `param`/`paramReverse` apply a constraint transform and give its derivative and the
//!   derivative of its log-Jacobian.
//! * `density` adds a distribution's log density to the target and its partial derivatives to
//!   the adjoints of its operands. It reuses the distribution's own hand-written partials
//!   (`ad.Grad`): the call runs in reverse mode on a fresh thread-local tape, where a
//!   distribution pushes one node for the whole (vectorised) density, and that node's partials
//!   are read back at once. The target's adjoint is always 1, so partials are final when read.
//! * `unary`/`binary` give a math built-in's value and partials through forward mode (the
//!   runtime's dual numbers), so every built-in the tape differentiates is covered once.

const std = @import("std");
const ad = @import("ad.zig");
const dist = @import("dist.zig");
const transform = @import("transform.zig");
const enumerate = @import("enumerate.zig");
const gibbs_mod = @import("gibbs.zig");
const core = @import("../core.zig");
const list_mod = @import("../list.zig");
const direct = @import("direct.zig");

pub const Loc = core.Loc;
pub const Error = error{ InvalidParameter, ModelStructure, OutOfMemory };

/// Where the last evaluation failed (mirrors `modelrt`'s record of a rejection).
pub const Failure = struct {
    message: [256]u8 = undefined,
    len: usize = 0,
    loc: ?Loc = null,
};

/// The state of one gradient evaluation.
pub const Ctx = struct {
    q: []const f64,
    grad: []f64,
    pos: usize = 0,
    target: f64 = 0,
    allocator: std.mem.Allocator,
    failure: Failure = .{},
    /// The values of the enumerated discrete parameters for this run (`enumerate.State`).
    enumeration: ?*enumerate.State = null,
    /// The chain's current values of the Gibbs-updated discrete parameters (`gibbs.zig`).
    gibbs: ?*gibbs_mod.Values = null,
    /// The last log of a scalar density parameter (`direct.LogMemo`).
    log_memo: direct.LogMemo = .{},

    /// The offset of the next `n` unconstrained parameters.
    pub fn take(self: *Ctx, n_in: i64, comptime loc: Loc) Error!usize {
        if (n_in < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{n_in});
        const n: usize = @intCast(n_in);
        if (self.pos + n > self.q.len) return error.ModelStructure;
        const at_pos = self.pos;
        self.pos += n;
        return at_pos;
    }

    fn failWith(self: *Ctx, msg: []const u8, comptime loc: Loc) Error {
        const n = @min(msg.len, self.failure.message.len);
        @memcpy(self.failure.message[0..n], msg[0..n]);
        self.failure.len = n;
        self.failure.loc = loc;
        return error.InvalidParameter;
    }

    fn fail(self: *Ctx, comptime loc: Loc) Error {
        const msg = dist.lastError();
        const n = @min(msg.len, self.failure.message.len);
        @memcpy(self.failure.message[0..n], msg[0..n]);
        self.failure.len = n;
        self.failure.loc = loc;
        return error.InvalidParameter;
    }
};

/// A real array: its values and their adjoints.
pub const Buf = struct {
    val: []f64,
    adj: []f64,

    pub fn len(self: Buf) i64 {
        return @intCast(self.val.len);
    }
};

/// A scalar operand of a density: its value and where its adjoint accumulates.
pub const Active = struct {
    val: f64,
    adj: *f64,
};

/// A fresh array of `n` values (zero) with zero adjoints.
pub fn buffer(ctx: *Ctx, n_in: i64, comptime loc: Loc) Error!Buf {
    if (n_in < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{n_in});
    const n: usize = @intCast(n_in);
    const val = try ctx.allocator.alloc(f64, n);
    const adj = try ctx.allocator.alloc(f64, n);
    @memset(val, 0);
    @memset(adj, 0);
    return .{ .val = val, .adj = adj };
}

/// A real array of `n` copies of `x`: an `array_fill(n, x)` of data cast to model reals
/// (`src/ad/fill.rs`), with `array_fill`'s faults and without building the list.
pub fn filled(ctx: *Ctx, n: i64, x: f64, comptime loc: Loc) Error!Buf {
    if (n < 0) core.fault(loc, "array_fill: the length must not be negative, got {d}", .{n});
    _ = std.math.mul(usize, @intCast(n), @sizeOf(f64)) catch
        core.fault(loc, "array_fill: {d} elements do not fit in memory", .{n});
    const b = try buffer(ctx, n, loc);
    @memset(b.val, x);
    return b;
}

/// A real array holding the numbers of a data list (a `cast` to model reals).
pub fn lift(ctx: *Ctx, xs: anytype) Error!Buf {
    const items = xs.items();
    const b = try buffer(ctx, @intCast(items.len), .{ .func = "?", .line = 0, .col = 0 });
    for (b.val, items) |*v, x| v.* = ad.value(x);
    return b;
}

/// A copy of a real array (a `let` of another array's value).
pub fn copy(ctx: *Ctx, src: Buf) Error!Buf {
    const b = try buffer(ctx, src.len(), .{ .func = "?", .line = 0, .col = 0 });
    @memcpy(b.val, src.val);
    return b;
}

/// Adds the adjoints of a copy back to its source.
pub fn copyReverse(src: Buf, dst: Buf) void {
    for (src.adj, dst.adj) |*s, d| s.* += d;
}

/// Element index `i` of an array of `n`, faulting at `loc` when out of range.
pub inline fn at(i: anytype, n: usize, comptime loc: Loc) usize {
    const u = std.math.cast(usize, i) orelse indexFault(i, n, loc);
    if (u >= n) indexFault(i, n, loc);
    return u;
}

fn indexFault(i: anytype, n: usize, comptime loc: Loc) noreturn {
    @branchHint(.cold);
    core.fault(loc, "index out of bounds: index {d}, length {d}", .{ i, n });
}

// ---------------------------------------------------------------------------------------------
// Constraint transforms
// ---------------------------------------------------------------------------------------------

pub const Transform = enum { real, lower, upper, interval, positive, unit };

/// A constrained value `x = f(u)`, `dx/du`, the log-Jacobian and its derivative in `u`.
pub const Constrained = struct {
    x: f64,
    dx: f64,
    lj: f64,
    dlj: f64,
};

/// The transform of an unconstrained `u` (the same formulas as `transform.zig`).
pub fn constrain(comptime tr: Transform, u: f64, lo: f64, hi: f64) Constrained {
    const inf = std.math.inf(f64);
    return switch (tr) {
        .real => .{ .x = u, .dx = 1, .lj = 0, .dlj = 0 },
        .positive => positiveOf(u, 0),
        .lower => if (lo == -inf) constrain(.real, u, lo, hi) else positiveOf(u, lo),
        .upper => if (hi == inf) constrain(.real, u, lo, hi) else blk: {
            const e = @exp(u);
            break :blk .{ .x = hi - e, .dx = -e, .lj = u, .dlj = 1 };
        },
        .interval => if (lo == -inf) constrain(.upper, u, lo, hi) else if (hi == inf) constrain(.lower, u, lo, hi) else intervalOf(u, lo, hi),
        .unit => intervalOf(u, 0, 1),
    };
}

fn positiveOf(u: f64, lo: f64) Constrained {
    const e = @exp(u);
    return .{ .x = lo + e, .dx = e, .lj = u, .dlj = 1 };
}

fn intervalOf(u: f64, lo: f64, hi: f64) Constrained {
    const w = hi - lo;
    const s = ad.F64.inv_logit(u);
    const lj = @log(w) + ad.F64.log_inv_logit(u) + ad.F64.log1m_inv_logit(u);
    return .{ .x = lo + w * s, .dx = w * s * (1 - s), .lj = lj, .dlj = 1 - 2 * s };
}

/// The value of an optional bound operand (`{}` when absent).
pub inline fn bound(x: anytype, comptime default: f64) f64 {
    if (@TypeOf(x) == void) return default;
    return ad.value(x);
}

// ---------------------------------------------------------------------------------------------
// Math built-ins through forward mode
// ---------------------------------------------------------------------------------------------

/// `op(x)` and its derivative.
pub inline fn unary(comptime op: []const u8, x: f64) [2]f64 {
    const r = @field(ad.Fwd, op)(ad.Dual{ .val = x, .tan = 1 });
    return .{ r.val, r.tan };
}

/// `op(x, y)` and its partial derivatives in x and y.
pub inline fn binary(comptime op: []const u8, x: f64, y: f64) [3]f64 {
    const dx = @field(ad.Fwd, op)(ad.Dual{ .val = x, .tan = 1 }, ad.Dual{ .val = y, .tan = 0 });
    const dy = @field(ad.Fwd, op)(ad.Dual{ .val = x, .tan = 0 }, ad.Dual{ .val = y, .tan = 1 });
    return .{ dx.val, dx.tan, dy.tan };
}

/// `op(x, y, z)` and its partial derivatives.
pub inline fn ternary(comptime op: []const u8, x: f64, y: f64, z: f64) [4]f64 {
    const f = @field(ad.Fwd, op);
    const dx = f(ad.Dual{ .val = x, .tan = 1 }, ad.Dual{ .val = y }, ad.Dual{ .val = z });
    const dy = f(ad.Dual{ .val = x }, ad.Dual{ .val = y, .tan = 1 }, ad.Dual{ .val = z });
    const dz = f(ad.Dual{ .val = x }, ad.Dual{ .val = y }, ad.Dual{ .val = z, .tan = 1 });
    return .{ dx.val, dx.tan, dy.tan, dz.tan };
}

/// The dot product of a data row and a real array.
pub fn dot(xs: []const f64, b: Buf) f64 {
    var s: f64 = 0;
    for (xs, b.val[0..xs.len]) |x, v| s += x * v;
    return s;
}

/// Adds `adj · xs` to the adjoints of `b` (the reverse of `dot`).
pub fn dotReverse(xs: []const f64, b: Buf, adj: f64) void {
    for (xs, b.adj[0..xs.len]) |x, *a| a.* += adj * x;
}

/// Checks that a dot product's operands have the same length, like `ad`'s `dot`.
pub fn dotLengths(n: usize, m: usize, comptime loc: Loc) void {
    if (n != m) core.fault(loc, "dot: the arrays have lengths {d} and {d}", .{ n, m });
}

// ---------------------------------------------------------------------------------------------
// Densities
// ---------------------------------------------------------------------------------------------

/// The number of differentiable reals in an operand.
fn activeCount(x: anytype) usize {
    const T = @TypeOf(x);
    if (T == Active) return 1;
    if (T == Buf) return x.val.len;
    return 0;
}

/// The operand as the distribution sees it: active values become tape variables (stored from
/// `vars[at.*]` on), data is passed as it is (lists as slices).
fn operand(x: anytype, vars: []ad.Var, next: *usize) OperandOf(@TypeOf(x)) {
    const T = @TypeOf(x);
    if (T == Active) {
        vars[next.*] = ad.Rev.independent(x.val);
        next.* += 1;
        return vars[next.* - 1];
    }
    if (T == Buf) {
        const s = vars[next.* .. next.* + x.val.len];
        for (s, x.val) |*v, val| v.* = ad.Rev.independent(val);
        next.* += x.val.len;
        return s;
    }
    if (comptime isList(T)) return x.items();
    return x;
}

fn OperandOf(comptime T: type) type {
    if (T == Active) return ad.Var;
    if (T == Buf) return []const ad.Var;
    if (isList(T)) return []const T.Elem;
    return T;
}

fn isList(comptime T: type) bool {
    return @typeInfo(T) == .@"struct" and @hasDecl(T, "Elem") and @hasDecl(T, "items");
}

/// Adds the partials to the operand's adjoints.
fn scatter(x: anytype, grads: []const f64, next: *usize) void {
    const T = @TypeOf(x);
    if (T == Active) {
        x.adj.* += grads[next.*];
        next.* += 1;
    } else if (T == Buf) {
        for (x.adj, grads[next.* .. next.* + x.adj.len]) |*a, g| a.* += g;
        next.* += x.adj.len;
    }
}

/// `target += log D(y | args)`, and the partials of that term added to the adjoints of the
/// active operands (`Active` scalars and `Buf` arrays) among `y` and `args`: directly where
/// `direct.zig` has the density, otherwise on a one-node tape (`tapeDensity`).
pub fn density(ctx: *Ctx, comptime D: type, y: anytype, args: anytype, comptime loc: Loc) Error!void {
    const ops = .{y} ++ args;
    if (comptime direct.hasPath(D, @TypeOf(ops))) {
        ctx.target += direct.normal(ops[0], ops[1], ops[2], &ctx.log_memo) catch return ctx.fail(loc);
        return;
    }
    if (comptime activeCountOf(@TypeOf(ops))) |n| {
        // only scalars are active: the tape's variables and partials fit on the stack
        var vars: [n]ad.Var = undefined;
        var grads: [n]f64 = undefined;
        return tapeDensity(ctx, D, ops, &vars, &grads, loc);
    }
    var n: usize = 0;
    inline for (ops) |x| n += activeCount(x);
    const vars = try ctx.allocator.alloc(ad.Var, n);
    const grads = try ctx.allocator.alloc(f64, n);
    return tapeDensity(ctx, D, ops, vars, grads, loc);
}

/// The number of active reals among operands of types `Ops` when no operand is a `Buf`
/// (known at compile time), else null.
fn activeCountOf(comptime Ops: type) ?usize {
    var n: usize = 0;
    for (@typeInfo(Ops).@"struct".fields) |f| {
        if (f.type == Buf) return null;
        if (f.type == Active) n += 1;
    }
    return n;
}

/// `density` through the distribution's hand-written partials on a fresh one-node tape;
/// `vars` and `grads` have room for every active real of `ops`.
fn tapeDensity(ctx: *Ctx, comptime D: type, ops: anytype, vars: []ad.Var, grads: []f64, comptime loc: Loc) Error!void {
    ad.Rev.reset();
    var next: usize = 0;
    const f = if (@hasDecl(D, "lpdf")) D.lpdf else D.lpmf;
    var call_args: CallArgs(@TypeOf(ops)) = undefined;
    inline for (ops, 0..) |x, i| call_args[i] = operand(x, vars, &next);
    const lp: ad.Var = @call(.auto, f, .{ad.Rev} ++ call_args) catch return ctx.fail(loc);
    ctx.target += lp.val;
    ad.Rev.gradient(lp, vars, grads);
    next = 0;
    inline for (ops) |x| scatter(x, grads, &next);
}

/// The value of an enumerated discrete parameter in this run (its log mass is added by
/// `density` in the reverse sweep): the run's enumeration state picks it from the support of
/// `D` with parameters `args` (`runtime/ppl/enumerate.zig`).
/// A site whose Gibbs fallback was taken with this data is a Gibbs site instead.
pub fn enumerated(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, comptime loc: Loc) Error!i64 {
    if (ctx.gibbs) |values| {
        if (values.isSwitched(site)) return gibbs(ctx, D, args, loc);
    }
    const state = ctx.enumeration orelse return error.ModelStructure;
    const s = enumerate.support(D, args);
    const k = state.visit(s.size) catch |e| return ctx.failWith(enumerate.State.describe(e), loc);
    return s.lo + @as(i64, k);
}

/// The chain's current value of a Gibbs-updated discrete parameter (its log mass is added by
/// `density` in the reverse sweep); a prior draw the first time it is reached (`gibbs.zig`).
pub fn gibbs(ctx: *Ctx, comptime D: type, args: anytype, comptime loc: Loc) Error!i64 {
    const values = ctx.gibbs orelse return error.ModelStructure;
    const plain = plainValues(args);
    const draw = gibbs_mod.PriorDraw(D, @TypeOf(plain)){ .args = plain };
    return values.visit(std.heap.smp_allocator, draw) catch |e| switch (e) {
        error.OutOfMemory => return error.OutOfMemory,
        error.PriorDraw => return ctx.fail(loc),
    };
}

/// The operands of a density call with each active scalar replaced by its value (for the
/// distribution's sampler).
fn plainValues(args: anytype) PlainValues(@TypeOf(args)) {
    var out: PlainValues(@TypeOf(args)) = undefined;
    inline for (@typeInfo(@TypeOf(args)).@"struct".fields, 0..) |f, i| {
        out[i] = if (f.type == Active) @field(args, f.name).val else @field(args, f.name);
    }
    return out;
}

fn PlainValues(comptime Args: type) type {
    const fields = @typeInfo(Args).@"struct".fields;
    var types: [fields.len]type = undefined;
    for (fields, 0..) |f, i| types[i] = if (f.type == Active) f64 else f.type;
    return std.meta.Tuple(&types);
}

/// The tuple type of a density call's operands as the distribution sees them.
fn CallArgs(comptime Ops: type) type {
    const fields = @typeInfo(Ops).@"struct".fields;
    var types: [fields.len]type = undefined;
    for (fields, 0..) |fld, i| types[i] = OperandOf(fld.type);
    return std.meta.Tuple(&types);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

test "constrain matches transform.zig and its derivatives match finite differences" {
    const trs = [_]Transform{ .real, .lower, .upper, .interval, .positive, .unit };
    inline for (trs) |tr| {
        for ([_]f64{ -1.3, 0.2, 2.1 }) |u| {
            const c = constrain(tr, u, -0.5, 3.0);
            var lj: f64 = 0;
            const x = switch (tr) {
                .real => u,
                .lower => transform.lower(ad.F64, u, @as(f64, -0.5), &lj),
                .upper => transform.upper(ad.F64, u, @as(f64, 3.0), &lj),
                .interval => transform.lower_upper(ad.F64, u, @as(f64, -0.5), @as(f64, 3.0), &lj),
                .positive => transform.positive(ad.F64, u, &lj),
                .unit => transform.unit(ad.F64, u, &lj),
            };
            try std.testing.expectApproxEqRel(x, c.x, 1e-14);
            try std.testing.expectApproxEqAbs(lj, c.lj, 1e-13);
            const h = 1e-6;
            const up = constrain(tr, u + h, -0.5, 3.0);
            const dn = constrain(tr, u - h, -0.5, 3.0);
            try std.testing.expectApproxEqAbs((up.x - dn.x) / (2 * h), c.dx, 1e-6);
            try std.testing.expectApproxEqAbs((up.lj - dn.lj) / (2 * h), c.dlj, 1e-6);
        }
    }
}

test "density adds the log density and the distribution's partials" {
    defer ad.Rev.deinit();
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .q = &.{}, .grad = &.{}, .allocator = arena.allocator() };
    var mu_adj: f64 = 0;
    const mu = Active{ .val = 0.5, .adj = &mu_adj };
    var ys = [_]f64{ 1.0, -0.25 };
    var ya = [_]f64{ 0, 0 };
    try density(&ctx, dist.normal, Buf{ .val = &ys, .adj = &ya }, .{ mu, @as(f64, 2.0) }, .{ .func = "t", .line = 1, .col = 1 });
    const expected = -0.5 * ((0.5 / 2.0) * (0.5 / 2.0) + (0.75 / 2.0) * (0.75 / 2.0)) - 2 * (@log(2.0) + 0.5 * @log(2 * std.math.pi));
    try std.testing.expectApproxEqRel(expected, ctx.target, 1e-12);
    try std.testing.expectApproxEqRel((0.5 + -0.75) / 4.0, mu_adj, 1e-12);
    try std.testing.expectApproxEqRel(-0.5 / 4.0, ya[0], 1e-12);
    try std.testing.expectApproxEqRel(0.75 / 4.0, ya[1], 1e-12);
}

test "the direct normal density equals the one-node tape bit for bit" {
    defer ad.Rev.deinit();
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    const loc: Loc = .{ .func = "t", .line = 1, .col = 1 };
    var ys = [_]f64{ 1.25, -0.5, 3.0 };
    var ms = [_]f64{ 0.1, 0.7, -2.2 };
    var adjs: [2][4][3]f64 = undefined; // [path][operand][element]: y, mu, sigma (scalar in [0])
    var targets: [2]f64 = undefined;
    for (0..2) |path| {
        for (&adjs[path]) |*a| a.* = .{ 0.5, 0.5, 0.5 };
        var ctx = Ctx{ .q = &.{}, .grad = &.{}, .allocator = arena.allocator() };
        ctx.target = 0.125;
        const y = Buf{ .val = &ys, .adj = &adjs[path][0] };
        const mu = Buf{ .val = &ms, .adj = &adjs[path][1] };
        const sigma = Active{ .val = 1.7, .adj = &adjs[path][2][0] };
        const scalar_mu = Active{ .val = 0.3, .adj = &adjs[path][3][0] };
        if (path == 0) {
            try density(&ctx, dist.normal, y, .{ mu, sigma }, loc);
            try density(&ctx, dist.normal, @as(f64, 0.9), .{ scalar_mu, sigma }, loc);
        } else {
            var vars: [7]ad.Var = undefined;
            var grads: [7]f64 = undefined;
            try tapeDensity(&ctx, dist.normal, .{ y, mu, sigma }, &vars, &grads, loc);
            try tapeDensity(&ctx, dist.normal, .{ @as(f64, 0.9), scalar_mu, sigma }, vars[0..2], grads[0..2], loc);
        }
        targets[path] = ctx.target;
    }
    try std.testing.expectEqual(targets[1], targets[0]);
    for (0..4) |k| try std.testing.expectEqualSlices(f64, &adjs[1][k], &adjs[0][k]);
    try std.testing.expect(adjs[0][2][0] != 0.5);
}

test "the direct normal density reports dist.normal's failures" {
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .q = &.{}, .grad = &.{}, .allocator = arena.allocator() };
    var ys = [_]f64{ 1.0, 2.0 };
    var ya = [_]f64{ 0, 0 };
    var ms = [_]f64{ 1.0, 2.0, 3.0 };
    var ma = [_]f64{ 0, 0, 0 };
    const r = density(&ctx, dist.normal, Buf{ .val = &ys, .adj = &ya }, .{ Buf{ .val = &ms, .adj = &ma }, @as(f64, 1) }, .{ .func = "t", .line = 7, .col = 3 });
    try std.testing.expectError(error.InvalidParameter, r);
    try std.testing.expectEqualStrings("normal: size mismatch: y has 2 elements but mu has 3", ctx.failure.message[0..ctx.failure.len]);
    try std.testing.expectEqual(@as(u32, 7), ctx.failure.loc.?.line);
}

test "a density with an invalid parameter fails with its location" {
    defer ad.Rev.deinit();
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .q = &.{}, .grad = &.{}, .allocator = arena.allocator() };
    var a: f64 = 0;
    const r = density(&ctx, dist.normal, @as(f64, 1), .{ Active{ .val = 0, .adj = &a }, @as(f64, -1) }, .{ .func = "t", .line = 4, .col = 2 });
    try std.testing.expectError(error.InvalidParameter, r);
    try std.testing.expectEqual(@as(u32, 4), ctx.failure.loc.?.line);
}

test "unary and binary give forward-mode partials" {
    const e = unary("exp", 0.3);
    try std.testing.expectApproxEqRel(@exp(0.3), e[0], 1e-15);
    try std.testing.expectApproxEqRel(@exp(0.3), e[1], 1e-15);
    const p = binary("pow", 2.0, 3.0);
    try std.testing.expectApproxEqRel(8.0, p[0], 1e-15);
    try std.testing.expectApproxEqRel(12.0, p[1], 1e-14);
    try std.testing.expectApproxEqRel(8.0 * @log(2.0), p[2], 1e-14);
}

test "list_mod is the runtime's list" {
    const L = list_mod.List(f64);
    try std.testing.expect(isList(L));
}

test "filled equals an array_fill lifted into a buffer" {
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .q = &.{}, .grad = &.{}, .allocator = arena.allocator() };
    const loc: Loc = .{ .func = "t", .line = 1, .col = 1 };
    const list = @import("../builtins.zig").array_fill(3, @as(f64, -0.5), loc);
    defer @import("../rc.zig").release(list);
    const lifted = try lift(&ctx, list);
    const b = try filled(&ctx, 3, -0.5, loc);
    try std.testing.expectEqualSlices(f64, lifted.val, b.val);
    try std.testing.expectEqualSlices(f64, &[_]f64{ 0, 0, 0 }, b.adj);
    try std.testing.expectEqual(@as(usize, 0), (try filled(&ctx, 0, 1.0, loc)).val.len);
}
