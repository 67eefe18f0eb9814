//! Automatic differentiation for generated model code. A model is written once, generic over a
//! scalar MODE `S` (a namespace type), and instantiated three times:
//!
//! * `F64`: `S.Real = f64`; every op is an inline float operation, so the model compiles to
//!   plain float code (used for plain evaluation and simulation).
//! * `Fwd`: `S.Real = Dual {val, tan}`, forward mode with one tangent (used to cross-check
//!   gradients and for directional derivatives).
//! * `Rev`: `S.Real = Var {val, idx}`, reverse mode on a thread-local tape (one chain per
//!   thread). The tape is a bump-allocated array of 24-byte nodes; each node holds up to two
//!   parent indices with their partial derivatives inline, or a span into a shared
//!   parents/partials buffer for n-ary nodes (sums, dot products, vectorised log densities).
//!   Values live in the `Var` itself, so the forward pass never reads the tape; adjoints live in
//!   a separate array that is zeroed at the start of each reverse sweep. Memory is kept across
//!   evaluations (`reset` only rewinds), so after warm-up a gradient performs no allocation.
//!
//! Every op takes `anytype` operands, each either a plain number (`f64`, comptime or integer) or
//! the mode's `Real`, and returns `S.Real`. Index 0 of the tape is a sink: constants are `Var`s
//! with `idx == 0`, whose adjoint is accumulated but never read or propagated.
//!
//! `Grad(S, Args)` is the builder the distributions use to push ONE node with hand-written
//! partials for a whole (possibly vectorised) log density.

const std = @import("std");
const sp = @import("special.zig");
const math = std.math;

pub const ModeKind = enum { f64, fwd, rev };

/// Forward-mode dual number: value and one tangent.
pub const Dual = struct {
    val: f64,
    tan: f64 = 0,
};

/// Reverse-mode variable: its value and its node index on the current thread's tape
/// (0 for constants).
pub const Var = struct {
    val: f64,
    idx: u32 = 0,
};

// ---------------------------------------------------------------------------------------------
// Operand helpers (shared by all modes and by the distributions)
// ---------------------------------------------------------------------------------------------

/// Whether T is one of the AD scalar types.
pub fn isAdType(comptime T: type) bool {
    return T == Dual or T == Var;
}

/// The f64 value of any scalar operand: a number, a `Dual` or a `Var`.
pub inline fn value(x: anytype) f64 {
    const T = @TypeOf(x);
    if (T == Dual or T == Var) return x.val;
    return switch (@typeInfo(T)) {
        .float => @floatCast(x),
        .comptime_float => @as(f64, x),
        .int, .comptime_int => @floatFromInt(x),
        else => @compileError("expected a number, Dual or Var; got " ++ @typeName(T)),
    };
}

test "value of every operand kind" {
    try std.testing.expectEqual(@as(f64, 2.5), value(@as(f64, 2.5)));
    try std.testing.expectEqual(@as(f64, 2.5), value(2.5));
    try std.testing.expectEqual(@as(f64, 3), value(@as(i64, 3)));
    try std.testing.expectEqual(@as(f64, 1.5), value(@as(f32, 1.5)));
    try std.testing.expectEqual(@as(f64, 4), value(Dual{ .val = 4, .tan = 1 }));
    try std.testing.expectEqual(@as(f64, 5), value(Var{ .val = 5, .idx = 3 }));
}

/// Whether T is a sequence operand: a slice or a pointer to an array.
pub fn isSeq(comptime T: type) bool {
    return switch (@typeInfo(T)) {
        .pointer => |p| p.size == .slice or (p.size == .one and @typeInfo(p.child) == .array),
        .array => true,
        else => false,
    };
}

/// Element type of a sequence operand (T itself for scalars).
pub fn Elem(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .pointer => |p| if (p.size == .slice) p.child else switch (@typeInfo(p.child)) {
            .array => |a| a.child,
            else => T,
        },
        .array => |a| a.child,
        else => T,
    };
}

/// Number of elements of an operand: its length for sequences, 1 for scalars.
pub inline fn len(x: anytype) usize {
    if (comptime isSeq(@TypeOf(x))) return x.len;
    return 1;
}

/// The value of element i of an operand (scalars broadcast: i is ignored).
pub inline fn at(x: anytype, i: usize) f64 {
    if (comptime isSeq(@TypeOf(x))) return value(x[i]);
    return value(x);
}

/// Element i of an operand as stored (scalars broadcast).
pub inline fn elemAt(x: anytype, i: usize) Elem(@TypeOf(x)) {
    if (comptime isSeq(@TypeOf(x))) return x[i];
    return x;
}

test "sequence helpers broadcast scalars" {
    const xs = [_]f64{ 1, 2, 3 };
    const s: []const f64 = &xs;
    try std.testing.expect(isSeq([]const f64));
    try std.testing.expect(isSeq(*const [3]f64));
    try std.testing.expect(!isSeq(f64));
    try std.testing.expectEqual(Var, Elem([]const Var));
    try std.testing.expectEqual(@as(usize, 3), len(s));
    try std.testing.expectEqual(@as(usize, 1), len(@as(f64, 7)));
    try std.testing.expectEqual(@as(f64, 2), at(s, 1));
    try std.testing.expectEqual(@as(f64, 7), at(@as(f64, 7), 2));
    try std.testing.expectEqual(@as(f64, 3), at(&xs, 2));
    try std.testing.expectEqual(@as(f64, 7), elemAt(@as(f64, 7), 5));
}

// ---------------------------------------------------------------------------------------------
// The tape (reverse mode)
// ---------------------------------------------------------------------------------------------

const no_parent: u32 = math.maxInt(u32);
const nary_flag: u32 = 1 << 31;
/// Marks a block node (`pushBlock`): `a` is `block_flag | start` of its span, `b` the span's
/// length and `da` the address of its reverse function. Node indices and span starts stay
/// below this bit.
const block_flag: u32 = 1 << 30;

const Node = struct {
    /// First parent, `no_parent` for a leaf, or `nary_flag | start` of a span in the shared
    /// buffer for an n-ary node.
    a: u32,
    /// Second parent (`no_parent` if none), or the span length for an n-ary node.
    b: u32,
    da: f64,
    db: f64,
};

const Tape = struct {
    nodes: []Node = &.{},
    adj: []f64 = &.{},
    len: u32 = 1,
    par: []u32 = &.{},
    part: []f64 = &.{},
    nlen: u32 = 0,
};

threadlocal var tape: Tape = .{};

const tape_alloc = std.heap.page_allocator;

fn outOfMemory() noreturn {
    @branchHint(.cold);
    @panic("sev: out of memory growing the autodiff tape");
}

fn growNodes() void {
    @branchHint(.cold);
    const t = &tape;
    const cap = @max(4096, t.nodes.len * 2);
    if (cap >= block_flag) outOfMemory();
    const nodes = tape_alloc.alloc(Node, cap) catch outOfMemory();
    const adj = tape_alloc.alloc(f64, cap) catch outOfMemory();
    if (t.nodes.len == 0) {
        nodes[0] = .{ .a = no_parent, .b = no_parent, .da = 0, .db = 0 };
    } else {
        @memcpy(nodes[0..t.len], t.nodes[0..t.len]);
    }
    tape_alloc.free(t.nodes);
    tape_alloc.free(t.adj);
    t.nodes = nodes;
    t.adj = adj;
}

fn growNary(need: usize) void {
    @branchHint(.cold);
    const t = &tape;
    var cap = @max(4096, t.par.len * 2);
    while (cap < need) cap *= 2;
    if (cap >= block_flag) outOfMemory();
    const par = tape_alloc.alloc(u32, cap) catch outOfMemory();
    const part = tape_alloc.alloc(f64, cap) catch outOfMemory();
    @memcpy(par[0..t.nlen], t.par[0..t.nlen]);
    @memcpy(part[0..t.nlen], t.part[0..t.nlen]);
    tape_alloc.free(t.par);
    tape_alloc.free(t.part);
    t.par = par;
    t.part = part;
}

inline fn push(v: f64, a: u32, da: f64, b: u32, db: f64) Var {
    const t = &tape;
    const i = t.len;
    if (i >= t.nodes.len) growNodes();
    t.nodes[i] = .{ .a = a, .b = b, .da = da, .db = db };
    t.len = i + 1;
    return .{ .val = v, .idx = i };
}

/// A reserved span of the shared n-ary buffer, to be filled and then closed with `finish`.
pub const NarySpan = struct {
    start: u32,
    n: u32,
    parents: [*]u32,
    partials: [*]f64,

    /// Push the n-ary node with the given value; returns its variable.
    pub fn finish(self: NarySpan, v: f64) Var {
        return push(v, nary_flag | self.start, 0, self.n, 0);
    }
};

/// Reserve room for an n-ary node with `n` parents (partials are zeroed).
pub fn reserveNary(n: usize) NarySpan {
    const span = reserveNaryUndefined(n);
    @memset(span.partials[0..n], 0);
    return span;
}

/// Reserve room for an n-ary node with `n` parents whose parents and partials the caller
/// writes in full (no zeroing).
pub fn reserveNaryUndefined(n: usize) NarySpan {
    const t = &tape;
    const need = @as(usize, t.nlen) + n;
    if (need > t.par.len) growNary(need);
    const start = t.nlen;
    t.nlen = @intCast(need);
    return .{ .start = start, .n = @intCast(n), .parents = t.par.ptr + start, .partials = t.part.ptr + start };
}

/// The reverse pass of a block node: `idx` and `data` are the block's span (its own layout of
/// operand and result indices, sizes and saved values); it reads the adjoints of its results
/// and adds to those of its operands. `adj` holds the adjoints of the nodes up to the sweep's
/// output: an index at or past `adj.len` has adjoint 0.
pub const BlockReverse = *const fn (idx: []const u32, data: []const f64, adj: []f64) void;

/// A block operation (a matrix function) on the tape: ONE node whose reverse pass is
/// `reverse`, followed by `results` leaf nodes for its results, so the reverse sweep reaches the
/// block node after every use of a result and calls `reverse` once. Returns the reserved span
/// (`n_idx` indices, `n_data` values, both written by the caller) and the index of the first
/// result; the caller makes the results with `blockResult`.
pub fn pushBlock(reverse: BlockReverse, n_idx: usize, n_data: usize) struct { span: NarySpan, first: u32 } {
    const n = @max(n_idx, n_data);
    const span = reserveNaryUndefined(n);
    const node = push(0, block_flag | span.start, @bitCast(@as(u64, @intFromPtr(reverse))), @intCast(n), 0);
    return .{ .span = span, .first = node.idx + 1 };
}

/// The next result of the block just pushed (a leaf with value v).
pub fn blockResult(v: f64) Var {
    return push(v, no_parent, 0, no_parent, 0);
}

/// The adjoint of node i during a block's reverse pass (0 past the sweep's output).
pub inline fn blockAdj(adj: []const f64, i: u32) f64 {
    return if (i < adj.len) adj[i] else 0;
}

/// Add d to the adjoint of operand node i (the sink 0 and constants are harmless).
pub inline fn blockAddAdj(adj: []f64, i: u32, d: f64) void {
    adj[i] += d;
}

fn runBlock(nd: Node, adj: []f64) void {
    const t = &tape;
    const s = nd.a & ~block_flag;
    const f: BlockReverse = @ptrFromInt(@as(usize, @intCast(@as(u64, @bitCast(nd.da)))));
    f(t.par[s .. s + nd.b], t.part[s .. s + nd.b], adj);
}

/// The reverse-mode API (part of `Rev`).
const TapeApi = struct {
    /// Rewind the tape (keeps its memory). Call before each evaluation.
    pub fn reset() void {
        tape.len = 1;
        tape.nlen = 0;
    }

    /// Free this thread's tape memory (call when a sampler thread finishes).
    pub fn deinit() void {
        const t = &tape;
        tape_alloc.free(t.nodes);
        tape_alloc.free(t.adj);
        tape_alloc.free(t.par);
        tape_alloc.free(t.part);
        t.* = .{};
    }

    /// Number of nodes on the tape (including the sink at index 0).
    pub fn size() usize {
        return tape.len;
    }

    /// Register an input variable (a leaf) with value x.
    pub fn independent(x: f64) Var {
        return push(x, no_parent, 0, no_parent, 0);
    }

    /// Reverse sweep from `out` (seed 1), then grad[i] = d out / d inputs[i]. Inputs that are
    /// constants, or were created after `out`, get 0.
    pub fn gradient(out: Var, inputs: []const Var, grad: []f64) void {
        std.debug.assert(inputs.len == grad.len);
        const t = &tape;
        if (out.idx == 0) {
            @memset(grad, 0);
            return;
        }
        const n = out.idx + 1;
        const adj = t.adj[0..n];
        const nodes = t.nodes[0..n];
        @memset(adj, 0);
        adj[out.idx] = 1;
        var i = out.idx;
        while (i > 0) : (i -= 1) {
            const g = adj[i];
            const nd = nodes[i];
            if (nd.a != no_parent and nd.a & (nary_flag | block_flag) == block_flag) {
                runBlock(nd, adj);
                continue;
            }
            if (g == 0) continue;
            if (nd.a == no_parent) continue;
            if (nd.a & nary_flag != 0) {
                const s = nd.a & ~nary_flag;
                const ps = t.par[s .. s + nd.b];
                const ds = t.part[s .. s + nd.b];
                for (ps, ds) |p, d| adj[p] += g * d;
            } else {
                adj[nd.a] += g * nd.da;
                if (nd.b != no_parent) adj[nd.b] += g * nd.db;
            }
        }
        for (inputs, grad) |x, *gr| gr.* = if (x.idx == 0 or x.idx > out.idx) 0 else adj[x.idx];
    }
};

// ---------------------------------------------------------------------------------------------
// Derivative rules shared by Fwd and Rev: value and partial(s) at plain f64 arguments.
// ---------------------------------------------------------------------------------------------

const R1 = struct { v: f64, d: f64 };
const R2 = struct { v: f64, da: f64, db: f64 };

const rules = struct {
    fn exp(x: f64) R1 {
        const e = @exp(x);
        return .{ .v = e, .d = e };
    }
    fn log(x: f64) R1 {
        return .{ .v = @log(x), .d = 1.0 / x };
    }
    fn log1p(x: f64) R1 {
        return .{ .v = math.log1p(x), .d = 1.0 / (1.0 + x) };
    }
    fn log1m(x: f64) R1 {
        return .{ .v = math.log1p(-x), .d = -1.0 / (1.0 - x) };
    }
    fn expm1(x: f64) R1 {
        return .{ .v = math.expm1(x), .d = @exp(x) };
    }
    fn sqrt(x: f64) R1 {
        const s = @sqrt(x);
        return .{ .v = s, .d = 0.5 / s };
    }
    fn square(x: f64) R1 {
        return .{ .v = x * x, .d = 2.0 * x };
    }
    fn neg(x: f64) R1 {
        return .{ .v = -x, .d = -1 };
    }
    fn abs(x: f64) R1 {
        return .{ .v = @abs(x), .d = if (x > 0) 1.0 else if (x < 0) -1.0 else 0.0 };
    }
    fn sin(x: f64) R1 {
        return .{ .v = @sin(x), .d = @cos(x) };
    }
    fn cos(x: f64) R1 {
        return .{ .v = @cos(x), .d = -@sin(x) };
    }
    fn tan(x: f64) R1 {
        const t = @tan(x);
        return .{ .v = t, .d = 1.0 + t * t };
    }
    fn atan(x: f64) R1 {
        return .{ .v = math.atan(x), .d = 1.0 / (1.0 + x * x) };
    }
    fn tanh(x: f64) R1 {
        const t = math.tanh(x);
        return .{ .v = t, .d = 1.0 - t * t };
    }
    fn inv_logit(x: f64) R1 {
        const p = sp.inv_logit(x);
        return .{ .v = p, .d = p * (1.0 - p) };
    }
    fn logit(x: f64) R1 {
        return .{ .v = sp.logit(x), .d = 1.0 / (x * (1.0 - x)) };
    }
    fn log_inv_logit(x: f64) R1 {
        return .{ .v = sp.log_inv_logit(x), .d = sp.inv_logit(-x) };
    }
    fn log1m_inv_logit(x: f64) R1 {
        return .{ .v = sp.log1m_inv_logit(x), .d = -sp.inv_logit(x) };
    }
    fn log1p_exp(x: f64) R1 {
        return .{ .v = sp.log1p_exp(x), .d = sp.inv_logit(x) };
    }
    fn log1m_exp(x: f64) R1 {
        // d/dx log(1 - e^x) = -e^x / (1 - e^x) = -1 / expm1(-x)
        return .{ .v = sp.log1m_exp(x), .d = -1.0 / math.expm1(-x) };
    }
    fn lgamma(x: f64) R1 {
        return .{ .v = sp.lgamma(x), .d = sp.digamma(x) };
    }
    fn digamma(x: f64) R1 {
        return .{ .v = sp.digamma(x), .d = sp.trigamma(x) };
    }
    fn erf(x: f64) R1 {
        return .{ .v = sp.erf(x), .d = 2.0 * sp.inv_sqrt_pi * @exp(-x * x) };
    }
    fn erfc(x: f64) R1 {
        return .{ .v = sp.erfc(x), .d = -2.0 * sp.inv_sqrt_pi * @exp(-x * x) };
    }
    fn Phi(x: f64) R1 {
        return .{ .v = sp.Phi(x), .d = sp.inv_sqrt_2pi * @exp(-0.5 * x * x) };
    }
    fn log_Phi(x: f64) R1 {
        return .{ .v = sp.log_Phi(x), .d = sp.d_log_Phi(x) };
    }
    fn inv_Phi(p: f64) R1 {
        const x = sp.inv_Phi(p);
        return .{ .v = x, .d = 1.0 / (sp.inv_sqrt_2pi * @exp(-0.5 * x * x)) };
    }

    fn add(a: f64, b: f64) R2 {
        return .{ .v = a + b, .da = 1, .db = 1 };
    }
    fn sub(a: f64, b: f64) R2 {
        return .{ .v = a - b, .da = 1, .db = -1 };
    }
    fn mul(a: f64, b: f64) R2 {
        return .{ .v = a * b, .da = b, .db = a };
    }
    fn div(a: f64, b: f64) R2 {
        const q = a / b;
        return .{ .v = q, .da = 1.0 / b, .db = -q / b };
    }
    fn pow(a: f64, b: f64) R2 {
        const v = math.pow(f64, a, b);
        const da = if (b == 0) 0.0 else b * math.pow(f64, a, b - 1.0);
        const db = if (a == 0) 0.0 else v * @log(a);
        return .{ .v = v, .da = da, .db = db };
    }
    fn log_sum_exp(a: f64, b: f64) R2 {
        const v = sp.log_sum_exp(a, b);
        if (v == -math.inf(f64)) return .{ .v = v, .da = 0, .db = 0 };
        if (v == math.inf(f64)) return .{ .v = v, .da = if (a == v) 1.0 else 0.0, .db = if (a == v) 0.0 else 1.0 };
        return .{ .v = v, .da = @exp(a - v), .db = @exp(b - v) };
    }
    fn log_diff_exp(a: f64, b: f64) R2 {
        const v = sp.log_diff_exp(a, b);
        // d/da = e^a/(e^a - e^b) = 1/(1 - e^(b-a)) = -1/expm1(b-a); d/db = e^b/(e^b - e^a)
        const em = math.expm1(b - a);
        return .{ .v = v, .da = -1.0 / em, .db = 1.0 / em + 1.0 };
    }
    fn lbeta(a: f64, b: f64) R2 {
        const ds = sp.digamma(a + b);
        return .{ .v = sp.lbeta(a, b), .da = sp.digamma(a) - ds, .db = sp.digamma(b) - ds };
    }
    fn fmin(a: f64, b: f64) R2 {
        if (b < a) return .{ .v = b, .da = 0, .db = 1 };
        return .{ .v = a, .da = 1, .db = 0 };
    }
    fn fmax(a: f64, b: f64) R2 {
        if (b > a) return .{ .v = b, .da = 0, .db = 1 };
        return .{ .v = a, .da = 1, .db = 0 };
    }
};

/// log(theta exp(lp1) + (1 - theta) exp(lp2)) with partials in theta, lp1, lp2.
fn logMixRule(theta: f64, lp1: f64, lp2: f64) struct { v: f64, dt: f64, d1: f64, d2: f64 } {
    const a = @log(theta) + lp1;
    const b = math.log1p(-theta) + lp2;
    const v = sp.log_sum_exp(a, b);
    if (v == -math.inf(f64)) return .{ .v = v, .dt = 0, .d1 = 0, .d2 = 0 };
    const e1 = @exp(lp1 - v);
    const e2 = @exp(lp2 - v);
    return .{ .v = v, .dt = e1 - e2, .d1 = theta * e1, .d2 = (1.0 - theta) * e2 };
}

// ---------------------------------------------------------------------------------------------
// The modes
// ---------------------------------------------------------------------------------------------

fn Ops(comptime k: ModeKind) type {
    return struct {
        /// Which mode this is (F64, Fwd or Rev).
        pub const kind = k;
        /// The scalar type of the mode.
        pub const Real = switch (k) {
            .f64 => f64,
            .fwd => Dual,
            .rev => Var,
        };
        /// Whether values of this mode carry derivatives.
        pub const differentiable = k != .f64;

        /// A constant of the mode.
        pub inline fn lift(x: f64) Real {
            return switch (k) {
                .f64 => x,
                .fwd => .{ .val = x, .tan = 0 },
                .rev => .{ .val = x, .idx = 0 },
            };
        }

        /// The f64 value of an operand.
        pub inline fn val(x: anytype) f64 {
            return value(x);
        }

        /// Whether T is this mode's differentiable scalar (false for every type in F64 mode).
        pub fn isVar(comptime T: type) bool {
            return k != .f64 and T == Real;
        }

        /// Reject an AD scalar of another mode at compile time (it would otherwise be read as
        /// a constant).
        fn checkOperand(comptime T: type) void {
            const E = Elem(T);
            if (isAdType(E) and E != Real)
                @compileError("operand of type " ++ @typeName(E) ++ " used in mode " ++ @tagName(k));
        }

        inline fn un(x: anytype, comptime rule: fn (f64) R1) Real {
            const T = @TypeOf(x);
            comptime checkOperand(T);
            if (k == .f64) return rule(value(x)).v;
            if (T != Real) return lift(rule(value(x)).v);
            const r = rule(x.val);
            if (k == .fwd) return .{ .val = r.v, .tan = r.d * x.tan };
            return push(r.v, x.idx, r.d, no_parent, 0);
        }

        inline fn bin(a: anytype, b: anytype, comptime rule: fn (f64, f64) R2) Real {
            const A = @TypeOf(a);
            const B = @TypeOf(b);
            comptime checkOperand(A);
            comptime checkOperand(B);
            const r = rule(value(a), value(b));
            if (k == .f64) return r.v;
            if (A == Real and B == Real) {
                if (k == .fwd) return .{ .val = r.v, .tan = r.da * a.tan + r.db * b.tan };
                return push(r.v, a.idx, r.da, b.idx, r.db);
            }
            if (A == Real) {
                if (k == .fwd) return .{ .val = r.v, .tan = r.da * a.tan };
                return push(r.v, a.idx, r.da, no_parent, 0);
            }
            if (B == Real) {
                if (k == .fwd) return .{ .val = r.v, .tan = r.db * b.tan };
                return push(r.v, b.idx, r.db, no_parent, 0);
            }
            return lift(r.v);
        }

        /// A value with hand-written partials: the result depends on each element of
        /// `operands` (a tuple of numbers and Reals) with the given partial derivative.
        pub inline fn with_partials(v: f64, operands: anytype, partials: [operandCount(@TypeOf(operands))]f64) Real {
            const fields = @typeInfo(@TypeOf(operands)).@"struct".fields;
            inline for (fields) |f| comptime checkOperand(f.type);
            if (k == .f64) return v;
            if (k == .fwd) {
                var t: f64 = 0;
                inline for (fields, 0..) |f, i| {
                    if (f.type == Real) t += partials[i] * @field(operands, f.name).tan;
                }
                return .{ .val = v, .tan = t };
            }
            comptime var nv: usize = 0;
            inline for (fields) |f| {
                if (f.type == Real) nv += 1;
            }
            if (nv == 0) return lift(v);
            var ps: [nv]u32 = undefined;
            var ds: [nv]f64 = undefined;
            comptime var j: usize = 0;
            inline for (fields, 0..) |f, i| {
                if (f.type == Real) {
                    ps[j] = @field(operands, f.name).idx;
                    ds[j] = partials[i];
                    j += 1;
                }
            }
            if (nv == 1) return push(v, ps[0], ds[0], no_parent, 0);
            if (nv == 2) return push(v, ps[0], ds[0], ps[1], ds[1]);
            const span = reserveNaryUndefined(nv);
            for (0..nv) |i| {
                span.parents[i] = ps[i];
                span.partials[i] = ds[i];
            }
            return span.finish(v);
        }

        /// A value computed by a function with a hand-written gradient: `partials[i]` is the
        /// derivative with respect to `parents[i]`.
        pub fn precomputed(v: f64, parents: []const Real, partials: []const f64) Real {
            std.debug.assert(parents.len == partials.len);
            switch (k) {
                .f64 => return v,
                .fwd => {
                    var t: f64 = 0;
                    for (parents, partials) |p, d| t += d * p.tan;
                    return .{ .val = v, .tan = t };
                },
                .rev => {
                    switch (parents.len) {
                        0 => return lift(v),
                        1 => return push(v, parents[0].idx, partials[0], no_parent, 0),
                        2 => return push(v, parents[0].idx, partials[0], parents[1].idx, partials[1]),
                        else => {
                            const span = reserveNaryUndefined(parents.len);
                            for (parents, partials, 0..) |p, d, i| {
                                span.parents[i] = p.idx;
                                span.partials[i] = d;
                            }
                            return span.finish(v);
                        },
                    }
                },
            }
        }

        pub inline fn add(a: anytype, b: anytype) Real {
            if (k == .f64) return value(a) + value(b);
            return bin(a, b, rules.add);
        }
        pub inline fn sub(a: anytype, b: anytype) Real {
            if (k == .f64) return value(a) - value(b);
            return bin(a, b, rules.sub);
        }
        pub inline fn mul(a: anytype, b: anytype) Real {
            if (k == .f64) return value(a) * value(b);
            return bin(a, b, rules.mul);
        }
        pub inline fn div(a: anytype, b: anytype) Real {
            if (k == .f64) return value(a) / value(b);
            return bin(a, b, rules.div);
        }
        pub inline fn neg(x: anytype) Real {
            if (k == .f64) return -value(x);
            return un(x, rules.neg);
        }
        pub inline fn exp(x: anytype) Real {
            if (k == .f64) return @exp(value(x));
            return un(x, rules.exp);
        }
        pub inline fn log(x: anytype) Real {
            if (k == .f64) return @log(value(x));
            return un(x, rules.log);
        }
        pub inline fn log1p(x: anytype) Real {
            if (k == .f64) return math.log1p(value(x));
            return un(x, rules.log1p);
        }
        /// log(1 - x)
        pub inline fn log1m(x: anytype) Real {
            if (k == .f64) return math.log1p(-value(x));
            return un(x, rules.log1m);
        }
        pub inline fn expm1(x: anytype) Real {
            if (k == .f64) return math.expm1(value(x));
            return un(x, rules.expm1);
        }
        pub inline fn sqrt(x: anytype) Real {
            if (k == .f64) return @sqrt(value(x));
            return un(x, rules.sqrt);
        }
        pub inline fn square(x: anytype) Real {
            if (k == .f64) {
                const v = value(x);
                return v * v;
            }
            return un(x, rules.square);
        }
        pub inline fn pow(a: anytype, b: anytype) Real {
            if (k == .f64) return math.pow(f64, value(a), value(b));
            return bin(a, b, rules.pow);
        }
        pub inline fn abs(x: anytype) Real {
            if (k == .f64) return @abs(value(x));
            return un(x, rules.abs);
        }
        pub inline fn sin(x: anytype) Real {
            if (k == .f64) return @sin(value(x));
            return un(x, rules.sin);
        }
        pub inline fn cos(x: anytype) Real {
            if (k == .f64) return @cos(value(x));
            return un(x, rules.cos);
        }
        pub inline fn tan(x: anytype) Real {
            if (k == .f64) return @tan(value(x));
            return un(x, rules.tan);
        }
        pub inline fn atan(x: anytype) Real {
            if (k == .f64) return math.atan(value(x));
            return un(x, rules.atan);
        }
        pub inline fn tanh(x: anytype) Real {
            if (k == .f64) return math.tanh(value(x));
            return un(x, rules.tanh);
        }
        /// 1 / (1 + exp(-x))
        pub inline fn inv_logit(x: anytype) Real {
            if (k == .f64) return sp.inv_logit(value(x));
            return un(x, rules.inv_logit);
        }
        /// Alias of `inv_logit`.
        pub inline fn logistic(x: anytype) Real {
            return inv_logit(x);
        }
        /// log(p / (1 - p))
        pub inline fn logit(x: anytype) Real {
            if (k == .f64) return sp.logit(value(x));
            return un(x, rules.logit);
        }
        pub inline fn log_inv_logit(x: anytype) Real {
            if (k == .f64) return sp.log_inv_logit(value(x));
            return un(x, rules.log_inv_logit);
        }
        pub inline fn log1m_inv_logit(x: anytype) Real {
            if (k == .f64) return sp.log1m_inv_logit(value(x));
            return un(x, rules.log1m_inv_logit);
        }
        pub inline fn log1p_exp(x: anytype) Real {
            if (k == .f64) return sp.log1p_exp(value(x));
            return un(x, rules.log1p_exp);
        }
        /// log(1 - exp(x)), x < 0
        pub inline fn log1m_exp(x: anytype) Real {
            if (k == .f64) return sp.log1m_exp(value(x));
            return un(x, rules.log1m_exp);
        }
        pub inline fn lgamma(x: anytype) Real {
            if (k == .f64) return sp.lgamma(value(x));
            return un(x, rules.lgamma);
        }
        /// digamma, differentiable (its derivative is trigamma).
        pub inline fn digamma(x: anytype) Real {
            if (k == .f64) return sp.digamma(value(x));
            return un(x, rules.digamma);
        }
        pub inline fn erf(x: anytype) Real {
            if (k == .f64) return sp.erf(value(x));
            return un(x, rules.erf);
        }
        pub inline fn erfc(x: anytype) Real {
            if (k == .f64) return sp.erfc(value(x));
            return un(x, rules.erfc);
        }
        /// Standard normal CDF.
        pub inline fn Phi(x: anytype) Real {
            if (k == .f64) return sp.Phi(value(x));
            return un(x, rules.Phi);
        }
        /// log of the standard normal CDF, accurate in both tails.
        pub inline fn log_Phi(x: anytype) Real {
            if (k == .f64) return sp.log_Phi(value(x));
            return un(x, rules.log_Phi);
        }
        /// Standard normal quantile function.
        pub inline fn inv_Phi(x: anytype) Real {
            if (k == .f64) return sp.inv_Phi(value(x));
            return un(x, rules.inv_Phi);
        }
        pub inline fn log_sum_exp(a: anytype, b: anytype) Real {
            if (k == .f64) return sp.log_sum_exp(value(a), value(b));
            return bin(a, b, rules.log_sum_exp);
        }
        /// log(exp(a) - exp(b)), a > b
        pub inline fn log_diff_exp(a: anytype, b: anytype) Real {
            if (k == .f64) return sp.log_diff_exp(value(a), value(b));
            return bin(a, b, rules.log_diff_exp);
        }
        pub inline fn lbeta(a: anytype, b: anytype) Real {
            if (k == .f64) return sp.lbeta(value(a), value(b));
            return bin(a, b, rules.lbeta);
        }
        pub inline fn fmin(a: anytype, b: anytype) Real {
            if (k == .f64) return @min(value(a), value(b));
            return bin(a, b, rules.fmin);
        }
        pub inline fn fmax(a: anytype, b: anytype) Real {
            if (k == .f64) return @max(value(a), value(b));
            return bin(a, b, rules.fmax);
        }
        /// a * b + c
        pub inline fn fma(a: anytype, b: anytype, c: anytype) Real {
            const av = value(a);
            const bv = value(b);
            const v = @mulAdd(f64, av, bv, value(c));
            if (k == .f64) return v;
            return with_partials(v, .{ a, b, c }, .{ bv, av, 1.0 });
        }
        /// log(theta exp(lp1) + (1 - theta) exp(lp2)), theta in [0, 1].
        pub inline fn log_mix(theta: anytype, lp1: anytype, lp2: anytype) Real {
            const r = logMixRule(value(theta), value(lp1), value(lp2));
            if (k == .f64) return r.v;
            return with_partials(r.v, .{ theta, lp1, lp2 }, .{ r.dt, r.d1, r.d2 });
        }

        /// Sum of a sequence of numbers or Reals (one n-ary node in reverse mode).
        pub fn sum(xs: anytype) Real {
            const E = Elem(@TypeOf(xs));
            comptime checkOperand(E);
            var s: f64 = 0;
            for (xs) |x| s += value(x);
            if (k == .f64 or E != Real) return lift(s);
            if (k == .fwd) {
                var t: f64 = 0;
                for (xs) |x| t += x.tan;
                return .{ .val = s, .tan = t };
            }
            if (xs.len == 0) return lift(0);
            const span = reserveNaryUndefined(xs.len);
            for (xs, 0..) |x, i| {
                span.parents[i] = x.idx;
                span.partials[i] = 1;
            }
            return span.finish(s);
        }

        /// Dot product of two sequences of equal length, each of numbers or Reals.
        pub fn dot(a: anytype, b: anytype) Real {
            std.debug.assert(a.len == b.len);
            const EA = Elem(@TypeOf(a));
            const EB = Elem(@TypeOf(b));
            comptime checkOperand(EA);
            comptime checkOperand(EB);
            var s: f64 = 0;
            for (0..a.len) |i| s += value(a[i]) * value(b[i]);
            if (k == .f64 or (EA != Real and EB != Real)) return lift(s);
            if (k == .fwd) {
                var t: f64 = 0;
                for (0..a.len) |i| {
                    if (EA == Real) t += a[i].tan * value(b[i]);
                    if (EB == Real) t += value(a[i]) * b[i].tan;
                }
                return .{ .val = s, .tan = t };
            }
            if (a.len == 0) return lift(0);
            const na: usize = if (EA == Real) a.len else 0;
            const nb: usize = if (EB == Real) b.len else 0;
            const span = reserveNaryUndefined(na + nb);
            if (EA == Real) for (0..a.len) |i| {
                span.parents[i] = a[i].idx;
                span.partials[i] = value(b[i]);
            };
            if (EB == Real) for (0..b.len) |i| {
                span.parents[na + i] = b[i].idx;
                span.partials[na + i] = value(a[i]);
            };
            return span.finish(s);
        }

        /// log(sum(exp(xs))) over a sequence (one n-ary node with softmax partials).
        pub fn log_sum_exp_slice(xs: anytype) Real {
            const E = Elem(@TypeOf(xs));
            comptime checkOperand(E);
            var m: f64 = -math.inf(f64);
            for (xs) |x| m = @max(m, value(x));
            if (m == -math.inf(f64) or m == math.inf(f64)) return lift(m);
            var s: f64 = 0;
            for (xs) |x| s += @exp(value(x) - m);
            const v = m + @log(s);
            if (k == .f64 or E != Real) return lift(v);
            if (k == .fwd) {
                var t: f64 = 0;
                for (xs) |x| t += @exp(x.val - v) * x.tan;
                return .{ .val = v, .tan = t };
            }
            const span = reserveNaryUndefined(xs.len);
            for (xs, 0..) |x, i| {
                span.parents[i] = x.idx;
                span.partials[i] = @exp(x.val - v);
            }
            return span.finish(v);
        }
    };
}

fn operandCount(comptime T: type) usize {
    return @typeInfo(T).@"struct".fields.len;
}

/// Plain float evaluation: `Real = f64`, every op inlines to float code.
pub const F64 = Ops(.f64);

/// Forward mode with one tangent: `Real = Dual`.
pub const Fwd = struct {
    pub usingnamespace Ops(.fwd);
    /// A dual number with the given value and tangent (seed an input with tan = 1).
    pub fn dual(v: f64, t: f64) Dual {
        return .{ .val = v, .tan = t };
    }
};

/// Reverse mode on the thread-local tape: `Real = Var`.
pub const Rev = struct {
    pub usingnamespace Ops(.rev);
    pub usingnamespace TapeApi;
};

// ---------------------------------------------------------------------------------------------
// Gradient builder for hand-written partials of (vectorised) functions
// ---------------------------------------------------------------------------------------------

/// Builds ONE result node for a function of the operands in the tuple `Args` (scalars or
/// sequences, of numbers or `S.Real`), given partial derivatives added element by element:
///
///     var g = ad.Grad(S, @TypeOf(args)).init(args);
///     if (comptime g.wants(1)) g.add(1, i, d_mu_i);   // partial w.r.t. element i of operand 1
///     return g.finish(value);
///
/// Partials of a scalar operand accumulate (add with any i). Operands that are not `S.Real`
/// (data) are ignored; in F64 mode nothing is recorded and `wants` is false for every operand,
/// so the partial computations are compiled out.
pub fn Grad(comptime S: type, comptime Args: type) type {
    const fields = @typeInfo(Args).@"struct".fields;
    const n = fields.len;
    const info = comptime blk: {
        var w: [n]bool = undefined;
        var seq: [n]bool = undefined;
        var any_seq_var = false;
        var n_scalar_var: usize = 0;
        for (fields, 0..) |f, i| {
            const E = Elem(f.type);
            if (isAdType(E) and E != S.Real)
                @compileError("operand of type " ++ @typeName(E) ++ " used in mode " ++ @tagName(S.kind));
            seq[i] = isSeq(f.type);
            w[i] = S.kind != .f64 and Elem(f.type) == S.Real;
            if (w[i] and seq[i]) any_seq_var = true;
            if (w[i] and !seq[i]) n_scalar_var += 1;
        }
        break :blk .{ .wants = w, .seq = seq, .any_seq_var = any_seq_var, .n_scalar_var = n_scalar_var };
    };
    const use_span = S.kind == .rev and info.any_seq_var;
    // Scalar operands accumulate in locals (registers) in reverse mode, also when sequences use
    // the shared span; they are written out once in `finish`.
    const n_local = if (S.kind == .rev) info.n_scalar_var else 0;

    return struct {
        const Self = @This();

        args: Args,
        tan: f64 = 0,
        /// Rev with sequences: base of the reserved partials and each operand's offset.
        span: if (use_span) NarySpan else void = undefined,
        off: if (use_span) [n]usize else void = undefined,
        /// Rev: partials of scalar operands kept locally (one slot per differentiable scalar).
        local: [n_local]f64 = [_]f64{0} ** n_local,

        /// Whether operand k is differentiable in this mode (comptime).
        pub fn wants(comptime kk: usize) bool {
            return info.wants[kk];
        }

        pub fn init(args: Args) Self {
            var self = Self{ .args = args };
            if (use_span) {
                var total: usize = 0;
                inline for (0..n) |i| {
                    if (info.wants[i]) total += len(args[i]);
                }
                self.span = reserveNary(total);
                var o: usize = 0;
                inline for (0..n) |i| {
                    if (info.wants[i]) {
                        self.off[i] = o;
                        if (info.seq[i]) {
                            for (args[i], 0..) |x, j| self.span.parents[o + j] = x.idx;
                        } else {
                            self.span.parents[o] = args[i].idx;
                        }
                        o += len(args[i]);
                    }
                }
            }
            return self;
        }

        fn localSlot(comptime kk: usize) usize {
            var s: usize = 0;
            for (0..kk) |i| {
                if (info.wants[i] and !info.seq[i]) s += 1;
            }
            return s;
        }

        /// Add d to the partial derivative with respect to element i of operand kk (i is
        /// ignored for scalar operands). A no-op for non-differentiable operands.
        pub inline fn add(self: *Self, comptime kk: usize, i: usize, d: f64) void {
            if (!info.wants[kk]) return;
            switch (S.kind) {
                .f64 => unreachable,
                .fwd => {
                    const t = if (info.seq[kk]) self.args[kk][i].tan else self.args[kk].tan;
                    self.tan += d * t;
                },
                .rev => {
                    if (info.seq[kk]) {
                        self.span.partials[self.off[kk] + i] += d;
                    } else {
                        self.local[comptime localSlot(kk)] += d;
                    }
                },
            }
        }

        /// Create the result with the given value and the accumulated partials.
        pub fn finish(self: *Self, v: f64) S.Real {
            switch (S.kind) {
                .f64 => return v,
                .fwd => return .{ .val = v, .tan = self.tan },
                .rev => {
                    if (use_span) {
                        inline for (0..n) |i| {
                            if (info.wants[i] and !info.seq[i])
                                self.span.partials[self.off[i]] = self.local[comptime localSlot(i)];
                        }
                        return self.span.finish(v);
                    }
                    var ps: [n_local]u32 = undefined;
                    comptime var j: usize = 0;
                    inline for (0..n) |i| {
                        if (info.wants[i]) {
                            ps[j] = self.args[i].idx;
                            j += 1;
                        }
                    }
                    switch (n_local) {
                        0 => return .{ .val = v, .idx = 0 },
                        1 => return push(v, ps[0], self.local[0], no_parent, 0),
                        2 => return push(v, ps[0], self.local[0], ps[1], self.local[1]),
                        else => {
                            const span = reserveNary(n_local);
                            for (0..n_local) |i| {
                                span.parents[i] = ps[i];
                                span.partials[i] = self.local[i];
                            }
                            return span.finish(v);
                        },
                    }
                },
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const testing = std.testing;

fn expectClose(expected: f64, actual: f64, rtol: f64, atol: f64) !void {
    if (expected == actual) return;
    const err = @abs(expected - actual);
    if (!(err <= atol + rtol * @abs(expected))) {
        std.debug.print("expected {e}, got {e} (err {e})\n", .{ expected, actual, err });
        return error.TestExpectedApproxEq;
    }
}

/// Fourth-order central difference of f at x (step h scaled to x): error ~ h^4 f^(5) / 30 plus
/// rounding ~ eps |f| / h, below 1e-9 relative for the functions and points tested.
fn finiteDiff(f: anytype, x: f64) f64 {
    const h = 2e-4 * @max(0.05, @abs(x));
    return (-f.call(x + 2 * h) + 8 * f.call(x + h) - 8 * f.call(x - h) + f.call(x - 2 * h)) / (12 * h);
}

fn UnaryCase(comptime name: []const u8, comptime op: anytype) type {
    return struct {
        const label = name;
        fn eval(comptime S: type, x: anytype) S.Real {
            return @call(.auto, @field(S, op), .{x});
        }
        const F = struct {
            pub fn call(_: @This(), x: f64) f64 {
                return eval(F64, x);
            }
        };
    };
}

fn checkUnary(comptime C: type, points: []const f64) !void {
    for (points) |x| {
        const fd = finiteDiff(C.F{}, x);
        const fv = C.eval(F64, x);
        const d = C.eval(Fwd, Dual{ .val = x, .tan = 1 });
        try expectClose(fv, d.val, 0, 0);
        expectClose(fd, d.tan, 1e-7, 1e-9) catch |e| {
            std.debug.print("op {s} at {d}: fd {e} fwd {e}\n", .{ C.label, x, fd, d.tan });
            return e;
        };
        Rev.reset();
        const v = Rev.independent(x);
        const y = C.eval(Rev, v);
        try expectClose(fv, y.val, 0, 0);
        var g: [1]f64 = undefined;
        Rev.gradient(y, &.{v}, &g);
        expectClose(d.tan, g[0], 1e-15, 1e-300) catch |e| {
            std.debug.print("op {s} at {d}: fwd {e} rev {e}\n", .{ C.label, x, d.tan, g[0] });
            return e;
        };
        // Constant operands give constants.
        const c = C.eval(Rev, x);
        try testing.expectEqual(@as(u32, 0), c.idx);
        try testing.expectEqual(fv, C.eval(Fwd, x).val);
    }
}

test "unary ops: Fwd matches finite differences, Rev matches Fwd" {
    defer Rev.deinit();
    const gen = [_]f64{ -2.3, -0.7, 0.1, 0.9, 3.1 };
    const pos = [_]f64{ 0.05, 0.4, 1.0, 2.7, 14.2 };
    const unit = [_]f64{ 0.02, 0.3, 0.5, 0.77, 0.95 };
    const neg = [_]f64{ -7.5, -2.0, -0.6931, -0.3, -0.01 };
    try checkUnary(UnaryCase("neg", "neg"), &gen);
    try checkUnary(UnaryCase("exp", "exp"), &gen);
    try checkUnary(UnaryCase("log", "log"), &pos);
    try checkUnary(UnaryCase("log1p", "log1p"), &pos);
    try checkUnary(UnaryCase("log1m", "log1m"), &unit);
    try checkUnary(UnaryCase("expm1", "expm1"), &gen);
    try checkUnary(UnaryCase("sqrt", "sqrt"), &pos);
    try checkUnary(UnaryCase("square", "square"), &gen);
    try checkUnary(UnaryCase("abs", "abs"), &gen);
    try checkUnary(UnaryCase("sin", "sin"), &gen);
    try checkUnary(UnaryCase("cos", "cos"), &gen);
    try checkUnary(UnaryCase("tan", "tan"), &[_]f64{ -1.2, -0.3, 0.2, 0.8, 1.3 });
    try checkUnary(UnaryCase("atan", "atan"), &gen);
    try checkUnary(UnaryCase("tanh", "tanh"), &gen);
    try checkUnary(UnaryCase("inv_logit", "inv_logit"), &gen);
    try checkUnary(UnaryCase("logistic", "logistic"), &gen);
    try checkUnary(UnaryCase("logit", "logit"), &unit);
    try checkUnary(UnaryCase("log_inv_logit", "log_inv_logit"), &gen);
    try checkUnary(UnaryCase("log1m_inv_logit", "log1m_inv_logit"), &gen);
    try checkUnary(UnaryCase("log1p_exp", "log1p_exp"), &gen);
    try checkUnary(UnaryCase("log1m_exp", "log1m_exp"), &neg);
    try checkUnary(UnaryCase("lgamma", "lgamma"), &pos);
    try checkUnary(UnaryCase("digamma", "digamma"), &[_]f64{ 0.3, 1.0, 2.7, 14.2 });
    try checkUnary(UnaryCase("erf", "erf"), &gen);
    try checkUnary(UnaryCase("erfc", "erfc"), &gen);
    try checkUnary(UnaryCase("Phi", "Phi"), &gen);
    try checkUnary(UnaryCase("log_Phi", "log_Phi"), &gen);
    try checkUnary(UnaryCase("inv_Phi", "inv_Phi"), &unit);
}

fn BinaryCase(comptime name: []const u8, comptime op: []const u8) type {
    return struct {
        const label = name;
        fn eval(comptime S: type, a: anytype, b: anytype) S.Real {
            return @call(.auto, @field(S, op), .{ a, b });
        }
        const Fa = struct {
            b: f64,
            pub fn call(self: @This(), x: f64) f64 {
                return eval(F64, x, self.b);
            }
        };
        const Fb = struct {
            a: f64,
            pub fn call(self: @This(), x: f64) f64 {
                return eval(F64, self.a, x);
            }
        };
    };
}

fn checkBinary(comptime C: type, points: []const [2]f64) !void {
    for (points) |p| {
        const a = p[0];
        const b = p[1];
        const fv = C.eval(F64, a, b);
        const fda = finiteDiff(C.Fa{ .b = b }, a);
        const fdb = finiteDiff(C.Fb{ .a = a }, b);
        // Fwd: tangent along each argument, and mixed f64/Dual operands.
        const da = C.eval(Fwd, Fwd.dual(a, 1), Fwd.dual(b, 0)).tan;
        const db = C.eval(Fwd, Fwd.dual(a, 0), Fwd.dual(b, 1)).tan;
        try expectClose(da, C.eval(Fwd, Fwd.dual(a, 1), b).tan, 0, 0);
        try expectClose(db, C.eval(Fwd, a, Fwd.dual(b, 1)).tan, 0, 0);
        try expectClose(fv, C.eval(Fwd, a, b).val, 0, 0);
        expectClose(fda, da, 1e-7, 1e-9) catch |e| {
            std.debug.print("op {s} d/da at ({d}, {d})\n", .{ C.label, a, b });
            return e;
        };
        expectClose(fdb, db, 1e-7, 1e-9) catch |e| {
            std.debug.print("op {s} d/db at ({d}, {d})\n", .{ C.label, a, b });
            return e;
        };
        // Rev with both, and with each operand constant.
        Rev.reset();
        const va = Rev.independent(a);
        const vb = Rev.independent(b);
        var g: [2]f64 = undefined;
        const y = C.eval(Rev, va, vb);
        try expectClose(fv, y.val, 0, 0);
        Rev.gradient(y, &.{ va, vb }, &g);
        try expectClose(da, g[0], 1e-15, 1e-300);
        try expectClose(db, g[1], 1e-15, 1e-300);
        Rev.gradient(C.eval(Rev, va, b), &.{ va, vb }, &g);
        try expectClose(da, g[0], 1e-15, 1e-300);
        try testing.expectEqual(@as(f64, 0), g[1]);
        Rev.gradient(C.eval(Rev, a, vb), &.{ va, vb }, &g);
        try testing.expectEqual(@as(f64, 0), g[0]);
        try expectClose(db, g[1], 1e-15, 1e-300);
    }
}

test "binary ops: Fwd matches finite differences, Rev matches Fwd" {
    defer Rev.deinit();
    const gen = [_][2]f64{ .{ 0.3, 1.7 }, .{ -2.1, 0.4 }, .{ 3.3, -1.2 }, .{ 1.1, 1.05 } };
    const pos = [_][2]f64{ .{ 0.3, 1.7 }, .{ 2.1, 0.4 }, .{ 3.3, 1.2 }, .{ 11.0, 25.5 } };
    const ordered = [_][2]f64{ .{ 0.3, -1.7 }, .{ 2.1, 0.4 }, .{ -3.3, -5.2 }, .{ 1.0, 0.9 } };
    try checkBinary(BinaryCase("add", "add"), &gen);
    try checkBinary(BinaryCase("sub", "sub"), &gen);
    try checkBinary(BinaryCase("mul", "mul"), &gen);
    try checkBinary(BinaryCase("div", "div"), &gen);
    try checkBinary(BinaryCase("pow", "pow"), &pos);
    try checkBinary(BinaryCase("log_sum_exp", "log_sum_exp"), &gen);
    try checkBinary(BinaryCase("log_diff_exp", "log_diff_exp"), &ordered);
    try checkBinary(BinaryCase("lbeta", "lbeta"), &pos);
    try checkBinary(BinaryCase("fmin", "fmin"), &gen);
    try checkBinary(BinaryCase("fmax", "fmax"), &gen);
}

test "ternary ops fma and log_mix" {
    defer Rev.deinit();
    const pts = [_][3]f64{ .{ 0.3, -1.2, 2.5 }, .{ 0.8, -10.0, -3.0 }, .{ 0.05, 2.0, 1.9 } };
    for (pts) |p| {
        inline for (.{ "fma", "log_mix" }) |name| {
            const f = @field(F64, name);
            const fv = f(p[0], p[1], p[2]);
            var fwd: [3]f64 = undefined;
            inline for (0..3) |j| {
                var args = .{ Fwd.dual(p[0], 0), Fwd.dual(p[1], 0), Fwd.dual(p[2], 0) };
                args[j].tan = 1;
                const r = @call(.auto, @field(Fwd, name), args);
                try expectClose(fv, r.val, 0, 0);
                fwd[j] = r.tan;
                // finite difference in argument j
                const h = 2e-4 * @max(0.05, @abs(p[j]));
                var q = p;
                var s: f64 = 0;
                const ws = [_]f64{ 1, -8, 8, -1 };
                const hs = [_]f64{ -2, -1, 1, 2 };
                for (ws, hs) |w, hh| {
                    q[j] = p[j] + hh * h;
                    s += w * f(q[0], q[1], q[2]);
                }
                try expectClose(s / (12 * h), fwd[j], 1e-7, 1e-9);
            }
            Rev.reset();
            const vs = [_]Var{ Rev.independent(p[0]), Rev.independent(p[1]), Rev.independent(p[2]) };
            const y = @call(.auto, @field(Rev, name), .{ vs[0], vs[1], vs[2] });
            var g: [3]f64 = undefined;
            Rev.gradient(y, &vs, &g);
            for (0..3) |j| try expectClose(fwd[j], g[j], 1e-15, 1e-300);
            // Mixed constant operand.
            const y2 = @call(.auto, @field(Rev, name), .{ p[0], vs[1], vs[2] });
            Rev.gradient(y2, &vs, &g);
            try testing.expectEqual(@as(f64, 0), g[0]);
            try expectClose(fwd[1], g[1], 1e-15, 1e-300);
        }
    }
}

test "sum, dot and log_sum_exp_slice: n-ary nodes" {
    defer Rev.deinit();
    const xs = [_]f64{ 0.5, -1.25, 2.0, 3.5 };
    const ws = [_]f64{ 2.0, 0.5, -1.0, 0.25 };
    try expectClose(4.75, F64.sum(&xs), 0, 1e-15);
    try expectClose(-0.75, F64.dot(&xs, &ws), 0, 1e-15);
    try expectClose(sp.log_sum_exp_slice(&xs), F64.log_sum_exp_slice(&xs), 0, 0);
    Rev.reset();
    var vs: [4]Var = undefined;
    for (xs, 0..) |x, i| vs[i] = Rev.independent(x);
    var g: [4]f64 = undefined;
    // sum
    Rev.gradient(Rev.sum(@as([]const Var, &vs)), &vs, &g);
    for (g) |gi| try testing.expectEqual(@as(f64, 1), gi);
    // dot with data weights, and dot of a vector with itself
    Rev.gradient(Rev.dot(@as([]const Var, &vs), @as([]const f64, &ws)), &vs, &g);
    for (g, ws) |gi, w| try testing.expectEqual(w, gi);
    Rev.gradient(Rev.dot(@as([]const Var, &vs), @as([]const Var, &vs)), &vs, &g);
    for (g, xs) |gi, x| try expectClose(2 * x, gi, 1e-15, 0);
    // log_sum_exp: softmax partials, checked against Fwd per coordinate
    const lse = Rev.log_sum_exp_slice(@as([]const Var, &vs));
    try expectClose(sp.log_sum_exp_slice(&xs), lse.val, 0, 0);
    Rev.gradient(lse, &vs, &g);
    var total: f64 = 0;
    for (0..4) |j| {
        var ds: [4]Dual = undefined;
        for (xs, 0..) |x, i| ds[i] = Fwd.dual(x, if (i == j) 1 else 0);
        const r = Fwd.log_sum_exp_slice(@as([]const Dual, &ds));
        try expectClose(r.tan, g[j], 1e-15, 0);
        try expectClose(@exp(xs[j] - lse.val), g[j], 1e-15, 0);
        total += g[j];
        const rs = Fwd.sum(@as([]const Dual, &ds));
        try testing.expectEqual(@as(f64, 1), rs.tan);
        const rd = Fwd.dot(@as([]const Dual, &ds), @as([]const f64, &ws));
        try testing.expectEqual(ws[j], rd.tan);
    }
    try expectClose(1.0, total, 1e-15, 0);
}

test "precomputed and with_partials in every mode" {
    defer Rev.deinit();
    // f(a, b, c) = a*b + c^2 at (2, 3, 4): partials (3, 2, 8)
    try testing.expectEqual(@as(f64, 22), F64.precomputed(22, &.{ 2, 3, 4 }, &.{ 3, 2, 8 }));
    const d = Fwd.precomputed(22, &.{ Fwd.dual(2, 1), Fwd.dual(3, 0.5), Fwd.dual(4, -1) }, &.{ 3, 2, 8 });
    try testing.expectEqual(@as(f64, 3 + 1 - 8), d.tan);
    for ([_]usize{ 0, 1, 2, 3 }) |np| {
        Rev.reset();
        const vs = [_]Var{ Rev.independent(2), Rev.independent(3), Rev.independent(4) };
        const parts = [_]f64{ 3, 2, 8 };
        const y = Rev.precomputed(22, vs[0..np], parts[0..np]);
        try testing.expectEqual(@as(f64, 22), y.val);
        var g: [3]f64 = undefined;
        Rev.gradient(y, &vs, &g);
        for (0..3) |i| try testing.expectEqual(if (i < np) parts[i] else 0, g[i]);
    }
    Rev.reset();
    const a = Rev.independent(2);
    const c = Rev.independent(4);
    const y = Rev.with_partials(22, .{ a, 3.0, c }, .{ 3, 2, 8 });
    var g: [2]f64 = undefined;
    Rev.gradient(y, &.{ a, c }, &g);
    try testing.expectEqual(@as(f64, 3), g[0]);
    try testing.expectEqual(@as(f64, 8), g[1]);
    const dy = Fwd.with_partials(22, .{ Fwd.dual(2, 1), 3.0, Fwd.dual(4, 1) }, .{ 3, 2, 8 });
    try testing.expectEqual(@as(f64, 11), dy.tan);
    try testing.expectEqual(@as(f64, 22), F64.with_partials(22, .{ 2.0, 3.0, 4.0 }, .{ 3, 2, 8 }));
}

test "Rev: chain through many nodes, reuse without growth, gradient twice" {
    defer Rev.deinit();
    // f(x, y) = sum_{i<50} log(1 + (x*y + i)^2) ; compare with Fwd.
    const f = struct {
        fn eval(comptime S: type, x: S.Real, y: S.Real) S.Real {
            var acc = S.lift(0);
            for (0..50) |i| {
                const t = S.add(S.mul(x, y), @as(f64, @floatFromInt(i)) * 0.01);
                acc = S.add(acc, S.log1p(S.square(t)));
            }
            return acc;
        }
    };
    var g: [2]f64 = undefined;
    for (0..3) |round| {
        Rev.reset();
        const x = Rev.independent(0.3);
        const y = Rev.independent(-1.1);
        const out = f.eval(Rev, x, y);
        if (round == 2) try testing.expectEqual(@as(usize, 1 + 2 + 50 * 5), Rev.size());
        Rev.gradient(out, &.{ x, y }, &g);
        // A second sweep from the same output gives the same answer.
        var g2: [2]f64 = undefined;
        Rev.gradient(out, &.{ x, y }, &g2);
        try testing.expectEqual(g[0], g2[0]);
        try testing.expectEqual(g[1], g2[1]);
    }
    const gx = f.eval(Fwd, Fwd.dual(0.3, 1), Fwd.dual(-1.1, 0)).tan;
    const gy = f.eval(Fwd, Fwd.dual(0.3, 0), Fwd.dual(-1.1, 1)).tan;
    try expectClose(gx, g[0], 1e-14, 0);
    try expectClose(gy, g[1], 1e-14, 0);
    try expectClose(f.eval(F64, 0.3, -1.1), f.eval(Fwd, Fwd.dual(0.3, 0), Fwd.dual(-1.1, 0)).val, 0, 0);
}

test "Rev: tape grows past its initial capacity" {
    defer Rev.deinit();
    Rev.reset();
    const x = Rev.independent(1.0);
    var acc = Rev.lift(0);
    var n: usize = 0;
    while (n < 20_000) : (n += 1) acc = Rev.add(acc, Rev.mul(x, 0.5));
    // n-ary spans larger than the initial buffer
    var big: [10_000]Var = undefined;
    for (&big) |*b| b.* = Rev.mul(x, 2.0);
    const s = Rev.add(acc, Rev.sum(@as([]const Var, &big)));
    var g: [1]f64 = undefined;
    Rev.gradient(s, &.{x}, &g);
    try expectClose(20_000 * 0.5 + 10_000 * 2.0, g[0], 1e-15, 0);
}

test "Grad builder: scalar and vector operands in each mode" {
    defer Rev.deinit();
    // f(y, mu, s) = sum_i (y_i - mu_i)^2 / s, vectors y (data) and mu, scalar s.
    const F = struct {
        fn eval(comptime S: type, y: []const f64, mu: anytype, s: anytype) S.Real {
            var g = Grad(S, @TypeOf(.{ mu, s })).init(.{ mu, s });
            var v: f64 = 0;
            const sv = value(s);
            var ds: f64 = 0;
            for (y, 0..) |yi, i| {
                const r = yi - at(mu, i);
                v += r * r / sv;
                if (comptime @TypeOf(g).wants(0)) g.add(0, i, -2 * r / sv);
                ds -= r * r / (sv * sv);
            }
            if (comptime @TypeOf(g).wants(1)) g.add(1, 0, ds);
            return g.finish(v);
        }
    };
    const y = [_]f64{ 1.0, 2.5, -0.5 };
    const mu = [_]f64{ 0.5, 2.0, 0.0 };
    const s: f64 = 2.0;
    const expect_v: f64 = (0.25 + 0.25 + 0.25) / 2.0;
    try testing.expectEqual(expect_v, F.eval(F64, &y, @as([]const f64, &mu), s));
    Rev.reset();
    var mv: [3]Var = undefined;
    for (mu, 0..) |m, i| mv[i] = Rev.independent(m);
    const sv = Rev.independent(s);
    const out = F.eval(Rev, &y, @as([]const Var, &mv), sv);
    try testing.expectEqual(expect_v, out.val);
    var g: [4]f64 = undefined;
    Rev.gradient(out, &.{ mv[0], mv[1], mv[2], sv }, &g);
    for (0..3) |i| try expectClose(-2 * (y[i] - mu[i]) / s, g[i], 1e-15, 0);
    try expectClose(-0.75 / 4.0, g[3], 1e-15, 0);
    // scalar-only Var operands use inline nodes (one node, no n-ary span)
    Rev.reset();
    const m0 = Rev.independent(0.5);
    const s0 = Rev.independent(s);
    const before = Rev.size();
    const o2 = F.eval(Rev, y[0..1], m0, s0);
    try testing.expectEqual(before + 1, Rev.size());
    Rev.gradient(o2, &.{ m0, s0 }, g[0..2]);
    try expectClose(-2 * 0.5 / 2.0, g[0], 1e-15, 0);
    try expectClose(-0.25 / 4.0, g[1], 1e-15, 0);
    // Fwd: tangent along mu[1] only
    var md: [3]Dual = undefined;
    for (mu, 0..) |m, i| md[i] = Fwd.dual(m, if (i == 1) 1 else 0);
    const fo = F.eval(Fwd, &y, @as([]const Dual, &md), Fwd.dual(s, 0));
    try expectClose(-2 * (y[1] - mu[1]) / s, fo.tan, 1e-15, 0);
}

test "F64 mode is plain floats" {
    try testing.expectEqual(f64, F64.Real);
    try testing.expect(!F64.differentiable);
    try testing.expect(Rev.differentiable);
    try testing.expect(Rev.isVar(Var));
    try testing.expect(!F64.isVar(f64));
    try testing.expectEqual(@as(f64, 7), F64.add(3, @as(f64, 4)));
    try testing.expectEqual(@as(f64, 2), F64.val(F64.lift(2)));
    try testing.expectEqual(@as(f64, 3), Rev.val(Rev.lift(3)));
    try testing.expectEqual(@as(f64, 1), Fwd.val(Fwd.dual(1, 5)));
}
