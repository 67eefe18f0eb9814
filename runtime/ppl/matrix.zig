//! Matrix and vector functions on `[[f64]]` / `[f64]` values (lists of rows), in plain programs
//! and on model reals: `multiply`, `transpose`, `cholesky_decompose`, `mdivide_left_tri_low`,
//! `log_determinant`, `inverse`, `diag_matrix`, `add_diag`, `rep_matrix`, the Gaussian-process
//! kernels `gp_exp_quad_cov`, `gp_matern32_cov` and `gp_periodic_cov`, and `softmax` /
//! `log_softmax`.
//!
//! Every function takes the AD mode `S` (see ad.zig) first. Its values come from one kernel,
//! written over row-major slices of `S.Real` and run on f64 values in plain and reverse mode and
//! on dual numbers in forward mode (so forward mode is the plain algorithm differentiated op by
//! op, an independent check of the reverse passes). In reverse mode an operation with a model
//! real among its operands is ONE block node on the tape (`ad.pushBlock`) whose hand-written
//! reverse pass costs what the forward pass costs: a product's adjoint is two products,
//! Cholesky's the formula of Murray (2016), a triangular solve's one more solve and one product.
//!
//! A bad shape is a fault at the call's location. A matrix that is not positive definite (or a
//! singular one, for `log_determinant` and `inverse`) is a fault in a plain program; in a model
//! (`S` is a model mode) the result is NaN, so the density that uses it rejects the proposal,
//! as Stan does (the sampler's note then names the density whose operand was not finite).

const std = @import("std");
const core = @import("../core.zig");
const list_mod = @import("../list.zig");
const ad = @import("ad.zig");

const Loc = core.Loc;
const List = list_mod.List;
const Var = ad.Var;
const Dual = ad.Dual;

// ---------------------------------------------------------------------------------------------
// Operands: element types, reading lists into row-major slices, building result lists
// ---------------------------------------------------------------------------------------------

/// The element type of a list value (`List(T)` gives T).
pub fn ItemOf(comptime L: type) type {
    return @typeInfo(@TypeOf(@as(L, undefined).items())).pointer.child;
}

/// Whether T is a list type (has `items`).
fn isList(comptime T: type) bool {
    if (@typeInfo(T) != .@"struct") return false;
    return @hasDecl(T, "items");
}

/// The scalar type of a matrix (`List(List(T))`) or vector (`List(T)`) or scalar operand.
fn ScalarOf(comptime T: type) type {
    if (comptime isList(T)) return ScalarOf(ItemOf(T));
    return T;
}

/// Whether an operand of type T holds model reals of mode S (reverse or forward mode).
fn isActive(comptime S: type, comptime T: type) bool {
    return S.kind != .f64 and ScalarOf(T) == S.Real;
}

/// The element type of a result computed from operands of the given types.
fn ResultScalar(comptime S: type, comptime types: []const type) type {
    inline for (types) |T| {
        if (isActive(S, T)) return S.Real;
    }
    return f64;
}

/// Per-thread scratch memory of element type T, one buffer per `slot` (reused between calls).
fn Scratch(comptime T: type, comptime slot: usize) type {
    return struct {
        const position = slot;
        threadlocal var buf: []T = &.{};

        fn get(n: usize) []T {
            if (buf.len < n) {
                std.heap.page_allocator.free(buf);
                buf = std.heap.page_allocator.alloc(T, @max(n, 64)) catch core.faultNoLoc("out of memory for a matrix", .{});
            }
            return buf[0..n];
        }
    };
}

/// The dimensions of a list of rows; rows of different lengths are a fault.
pub fn shape(m: anytype, comptime what: []const u8, comptime loc: Loc) struct { rows: usize, cols: usize } {
    const rows = m.items();
    const cols: usize = if (rows.len == 0) 0 else @intCast(rows[0].len());
    for (rows, 0..) |r, i| {
        if (@as(usize, @intCast(r.len())) != cols)
            core.fault(loc, what ++ ": row {d} has {d} elements but row 1 has {d} (a matrix needs rows of one length)", .{ i + 1, r.len(), cols });
    }
    return .{ .rows = rows.len, .cols = cols };
}

/// Writes the values of a matrix operand into `out` (row-major) as elements of type T: f64
/// values, or forward-mode duals (data becomes a dual with tangent 0).
fn readMatrix(comptime T: type, m: anytype, out: []T) void {
    var k: usize = 0;
    for (m.items()) |r| {
        for (r.items()) |x| {
            out[k] = toScalar(T, x);
            k += 1;
        }
    }
}

fn readVector(comptime T: type, v: anytype, out: []T) void {
    for (v.items(), 0..) |x, i| out[i] = toScalar(T, x);
}

inline fn toScalar(comptime T: type, x: anytype) T {
    if (T == f64) return ad.value(x);
    if (@TypeOf(x) == T) return x;
    return .{ .val = ad.value(x) };
}

/// Tape indices of a matrix or vector operand's elements (0, the sink, for data).
fn readIndices(m: anytype, out: []u32) void {
    var k: usize = 0;
    readIndicesInto(m, out, &k);
}

fn readIndicesInto(m: anytype, out: []u32, k: *usize) void {
    const E = ItemOf(@TypeOf(m));
    for (m.items()) |x| {
        if (comptime isList(E)) {
            readIndicesInto(x, out, k);
        } else {
            out[k.*] = if (E == Var) x.idx else 0;
            k.* += 1;
        }
    }
}

fn scalarIndex(x: anytype) u32 {
    return if (@TypeOf(x) == Var) x.idx else 0;
}

/// A new matrix (owned) of `rows` x `cols` elements given by `elem(k)` for row-major index k
/// (each row filled in a scratch row, then copied once).
fn buildMatrix(comptime T: type, rows: usize, cols: usize, ctx: anytype, comptime elem: fn (@TypeOf(ctx), usize) T) List(List(T)) {
    var out = List(List(T)).withCapacity(rows);
    const row = Scratch(T, 3).get(cols);
    for (0..rows) |i| {
        for (0..cols) |j| row[j] = elem(ctx, i * cols + j);
        out.pushOwned(List(T).fromSlice(row));
    }
    return out;
}

fn buildVector(comptime T: type, n: usize, ctx: anytype, comptime elem: fn (@TypeOf(ctx), usize) T) List(T) {
    const items = Scratch(T, 3).get(n);
    for (0..n) |k| items[k] = elem(ctx, k);
    return List(T).fromSlice(items);
}

/// Result elements from a slice of values of the same type.
fn fromSlice(comptime T: type) fn ([]const T, usize) T {
    return struct {
        fn f(xs: []const T, k: usize) T {
            return xs[k];
        }
    }.f;
}

/// Result elements of a block: leaves on the tape, in row-major order.
fn blockLeaves(xs: []const f64, k: usize) Var {
    return ad.blockResult(xs[k]);
}

fn liftF64(comptime T: type) fn ([]const f64, usize) T {
    return struct {
        fn f(xs: []const f64, k: usize) T {
            return if (T == f64) xs[k] else if (T == Var) .{ .val = xs[k] } else .{ .val = xs[k] };
        }
    }.f;
}

/// In a model, a failed factorisation makes the result NaN (the density using it rejects the
/// proposal) and leaves a note; elsewhere it is a fault.
fn inModel(comptime S: type) bool {
    return @hasDecl(S, "Ctx");
}

fn numericFailure(comptime S: type, comptime loc: Loc, comptime fmt: []const u8, args: anytype) void {
    if (comptime inModel(S)) return;
    core.fault(loc, fmt, args);
}

const nan = std.math.nan(f64);

// ---------------------------------------------------------------------------------------------
// Kernels on row-major slices, generic over the scalar ops of mode K (F64 or Fwd)
// ---------------------------------------------------------------------------------------------

fn kernels(comptime K: type) type {
    const R = K.Real;
    return struct {
        /// c (m x n) = a (m x k) b (k x n)
        fn multiply(a: []const R, b: []const R, c: []R, m: usize, k: usize, n: usize) void {
            for (0..m) |i| for (0..n) |j| {
                var s: R = K.lift(0);
                for (0..k) |t| s = K.add(s, K.mul(a[i * k + t], b[t * n + j]));
                c[i * n + j] = s;
            };
        }

        /// Lower Cholesky factor of the lower triangle of a (n x n); false if not positive definite.
        fn cholesky(a: []const R, l: []R, n: usize) bool {
            for (0..n) |i| {
                for (0..i + 1) |j| {
                    var s = a[i * n + j];
                    for (0..j) |t| s = K.sub(s, K.mul(l[i * n + t], l[j * n + t]));
                    if (i == j) {
                        const v = ad.value(s);
                        if (!(v > 0) or std.math.isInf(v)) return false;
                        l[i * n + i] = K.sqrt(s);
                    } else {
                        l[i * n + j] = K.div(s, l[j * n + j]);
                    }
                }
                for (i + 1..n) |j| l[i * n + j] = K.lift(0);
            }
            return true;
        }

        /// x (n x m) = L^-1 b for lower-triangular L (upper entries ignored); false if a
        /// diagonal entry is zero.
        fn solveLower(l: []const R, b: []const R, x: []R, n: usize, m: usize) bool {
            for (0..n) |i| {
                const d = l[i * n + i];
                if (ad.value(d) == 0) return false;
                for (0..m) |c| {
                    var s = b[i * m + c];
                    for (0..i) |t| s = K.sub(s, K.mul(l[i * n + t], x[t * m + c]));
                    x[i * m + c] = K.div(s, d);
                }
            }
            return true;
        }

        /// LU factorisation with partial pivoting in place (a becomes L\U, unit lower L);
        /// returns the permutation sign, or 0 if a is singular.
        fn lu(a: []R, perm: []usize, n: usize) f64 {
            var sign: f64 = 1;
            for (0..n) |i| perm[i] = i;
            for (0..n) |c| {
                var p = c;
                for (c + 1..n) |r| {
                    if (@abs(ad.value(a[r * n + c])) > @abs(ad.value(a[p * n + c]))) p = r;
                }
                if (ad.value(a[p * n + c]) == 0) return 0;
                if (p != c) {
                    for (0..n) |j| std.mem.swap(R, &a[p * n + j], &a[c * n + j]);
                    std.mem.swap(usize, &perm[p], &perm[c]);
                    sign = -sign;
                }
                for (c + 1..n) |r| {
                    const f = K.div(a[r * n + c], a[c * n + c]);
                    a[r * n + c] = f;
                    for (c + 1..n) |j| a[r * n + j] = K.sub(a[r * n + j], K.mul(f, a[c * n + j]));
                }
            }
            return sign;
        }

        /// log |det a| from its LU factors.
        fn logAbsDet(lu_a: []const R, n: usize) R {
            var s: R = K.lift(0);
            for (0..n) |i| s = K.add(s, K.log(K.abs(lu_a[i * n + i])));
            return s;
        }

        /// inv = a^-1 from the LU factors of a and its row permutation.
        fn inverseFromLu(lu_a: []const R, perm: []const usize, inv: []R, n: usize) void {
            for (0..n) |c| {
                // solve L y = P e_c, then U x = y, into column c
                for (0..n) |i| {
                    var s: R = K.lift(if (perm[i] == c) 1 else 0);
                    for (0..i) |t| s = K.sub(s, K.mul(lu_a[i * n + t], inv[t * n + c]));
                    inv[i * n + c] = s;
                }
                var i = n;
                while (i > 0) {
                    i -= 1;
                    var s = inv[i * n + c];
                    for (i + 1..n) |t| s = K.sub(s, K.mul(lu_a[i * n + t], inv[t * n + c]));
                    inv[i * n + c] = K.div(s, lu_a[i * n + i]);
                }
            }
        }

        fn softmax(v: []const R, out: []R, log_form: bool) void {
            var m: f64 = -std.math.inf(f64);
            for (v) |x| m = @max(m, ad.value(x));
            var s: R = K.lift(0);
            for (v) |x| s = K.add(s, K.exp(K.sub(x, m)));
            const lse = K.add(K.log(s), m);
            for (v, 0..) |x, i| out[i] = if (log_form) K.sub(x, lse) else K.exp(K.sub(x, lse));
        }

        fn kernel(kind: Kernel, d2: R, r: R, alpha: R, rho: R, period: R) R {
            const a2 = K.mul(alpha, alpha);
            return switch (kind) {
                .exp_quad => K.mul(a2, K.exp(K.div(K.mul(-0.5, d2), K.mul(rho, rho)))),
                .matern32 => blk: {
                    const u = K.div(K.mul(@sqrt(3.0), r), rho);
                    break :blk K.mul(a2, K.mul(K.add(1.0, u), K.exp(K.neg(u))));
                },
                .periodic => blk: {
                    const s = K.sin(K.div(K.mul(std.math.pi, r), period));
                    break :blk K.mul(a2, K.exp(K.div(K.mul(-2.0, K.mul(s, s)), K.mul(rho, rho))));
                },
            };
        }

        fn covariance(comptime kind: Kernel, x: []const R, alpha: R, rho: R, period: R, out: []R) void {
            const n = x.len;
            for (0..n) |i| for (0..n) |j| {
                const d = K.sub(x[i], x[j]);
                const r = K.abs(d);
                out[i * n + j] = kernel(kind, K.mul(d, d), r, alpha, rho, period);
            };
        }
    };
}

const Kernel = enum { exp_quad, matern32, periodic };

const F = kernels(ad.F64);
const D = kernels(ad.Fwd);

// ---------------------------------------------------------------------------------------------
// multiply
// ---------------------------------------------------------------------------------------------

/// `multiply(A, B)`: the product of an m x k and a k x n matrix.
pub fn multiply(comptime S: type, a: anytype, b: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(a), @TypeOf(b) }))) {
    const sa = shape(a, "multiply", loc);
    const sb = shape(b, "multiply", loc);
    if (sa.cols != sb.rows)
        core.fault(loc, "multiply: the first matrix is {d} x {d} and the second {d} x {d} (its columns must equal the second's rows)", .{ sa.rows, sa.cols, sb.rows, sb.cols });
    const T = ResultScalar(S, &.{ @TypeOf(a), @TypeOf(b) });
    const c = product(T, a, b, sa.rows, sa.cols, sb.cols);
    return buildMatrix(T, sa.rows, sb.cols, c, fromSlice(T));
}

/// `multiply(A, v)`: an m x k matrix times a vector of k.
pub fn multiply_vector(comptime S: type, a: anytype, v: anytype, comptime loc: Loc) List(ResultScalar(S, &.{ @TypeOf(a), @TypeOf(v) })) {
    const sa = shape(a, "multiply", loc);
    const k: usize = @intCast(v.len());
    if (sa.cols != k)
        core.fault(loc, "multiply: the matrix is {d} x {d} and the vector has {d} elements (they must equal its columns)", .{ sa.rows, sa.cols, k });
    const T = ResultScalar(S, &.{ @TypeOf(a), @TypeOf(v) });
    const c = product(T, a, v, sa.rows, sa.cols, 1);
    return buildVector(T, sa.rows, c, fromSlice(T));
}

/// The m x n product of the operands' values as result elements (a slice of scratch slot 0).
fn product(comptime T: type, a: anytype, b: anytype, m: usize, k: usize, n: usize) []const T {
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(m * k + k * n + m * n);
        readAny(Dual, a, buf[0 .. m * k]);
        readAny(Dual, b, buf[m * k .. m * k + k * n]);
        D.multiply(buf[0 .. m * k], buf[m * k .. m * k + k * n], buf[m * k + k * n ..], m, k, n);
        return buf[m * k + k * n ..];
    }
    const vals = Scratch(f64, 1).get(m * k + k * n + m * n);
    const av = vals[0 .. m * k];
    const bv = vals[m * k .. m * k + k * n];
    const cv = vals[m * k + k * n ..];
    readAny(f64, a, av);
    readAny(f64, b, bv);
    F.multiply(av, bv, cv, m, k, n);
    if (T == f64) return cv;
    // reverse mode: idx = [m, k, n, first, ids of A, ids of B]; data = [A, B]
    const blk = ad.pushBlock(multiplyReverse, 4 + m * k + k * n, m * k + k * n);
    const idx = blk.span.parents;
    idx[0] = @intCast(m);
    idx[1] = @intCast(k);
    idx[2] = @intCast(n);
    idx[3] = blk.first;
    readAnyIndices(a, idx[4 .. 4 + m * k]);
    readAnyIndices(b, idx[4 + m * k .. 4 + m * k + k * n]);
    @memcpy(blk.span.partials[0 .. m * k], av);
    @memcpy(blk.span.partials[m * k .. m * k + k * n], bv);
    const out = Scratch(Var, 0).get(m * n);
    for (cv, 0..) |x, i| out[i] = ad.blockResult(x);
    return out;
}

/// C = A B: A_bar += C_bar B^T, B_bar += A^T C_bar (two products).
fn multiplyReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const m: usize = idx[0];
    const k: usize = idx[1];
    const n: usize = idx[2];
    const first = idx[3];
    const ia = idx[4 .. 4 + m * k];
    const ib = idx[4 + m * k .. 4 + m * k + k * n];
    const a = data[0 .. m * k];
    const b = data[m * k .. m * k + k * n];
    const cbar = Scratch(f64, 2).get(m * n);
    for (0..m * n) |i| cbar[i] = ad.blockAdj(adj, first + @as(u32, @intCast(i)));
    for (0..m) |i| for (0..k) |t| {
        if (ia[i * k + t] == 0) continue;
        var s: f64 = 0;
        for (0..n) |j| s += cbar[i * n + j] * b[t * n + j];
        ad.blockAddAdj(adj, ia[i * k + t], s);
    };
    for (0..k) |t| for (0..n) |j| {
        if (ib[t * n + j] == 0) continue;
        var s: f64 = 0;
        for (0..m) |i| s += a[i * k + t] * cbar[i * n + j];
        ad.blockAddAdj(adj, ib[t * n + j], s);
    };
}

/// Values of a matrix or vector operand.
fn readAny(comptime T: type, x: anytype, out: []T) void {
    const E = ItemOf(@TypeOf(x));
    if (comptime isList(E)) readMatrix(T, x, out) else readVector(T, x, out);
}

fn readAnyIndices(x: anytype, out: []u32) void {
    readIndices(x, out);
}

// ---------------------------------------------------------------------------------------------
// transpose, diag_matrix, rep_matrix, add_diag: rearrangements (no block needed)
// ---------------------------------------------------------------------------------------------

/// `transpose(A)`: the n x m matrix of A's elements (the same model reals, rearranged).
pub fn transpose(comptime S: type, a: anytype, comptime loc: Loc) @TypeOf(a) {
    _ = S;
    const T = ScalarOf(@TypeOf(a));
    const sa = shape(a, "transpose", loc);
    var out = List(List(T)).withCapacity(sa.cols);
    for (0..sa.cols) |j| {
        var row = List(T).withCapacity(sa.rows);
        for (a.items()) |r| row.pushOwned(r.items()[j]);
        out.pushOwned(row);
    }
    return out;
}

/// `diag_matrix(v)`: the square matrix with v on its diagonal and zeros elsewhere.
pub fn diag_matrix(comptime S: type, v: anytype, comptime loc: Loc) List(@TypeOf(v)) {
    _ = loc;
    const T = ItemOf(@TypeOf(v));
    const n: usize = @intCast(v.len());
    var out = List(List(T)).withCapacity(n);
    for (0..n) |i| {
        var row = List(T).withCapacity(n);
        for (0..n) |j| row.pushOwned(if (i == j) v.items()[i] else zero(S, T));
        out.pushOwned(row);
    }
    return out;
}

fn zero(comptime S: type, comptime T: type) T {
    if (T == f64) return 0;
    return S.lift(0);
}

/// `rep_matrix(x, m, n)`: the m x n matrix with every element x.
pub fn rep_matrix(comptime S: type, x: anytype, m: i64, n: i64, comptime loc: Loc) List(List(if (@TypeOf(x) == Var or @TypeOf(x) == Dual) @TypeOf(x) else f64)) {
    _ = S;
    const T = if (@TypeOf(x) == Var or @TypeOf(x) == Dual) @TypeOf(x) else f64;
    if (m < 0 or n < 0) core.fault(loc, "rep_matrix: the size {d} x {d} is negative", .{ m, n });
    const v: T = if (T == f64) ad.value(x) else x;
    var out = List(List(T)).withCapacity(@intCast(m));
    for (0..@intCast(m)) |_| {
        var row = List(T).withCapacity(@intCast(n));
        for (0..@intCast(n)) |_| row.pushOwned(v);
        out.pushOwned(row);
    }
    return out;
}

/// `add_diag(A, d)`: A with d added to each diagonal element (A square).
pub fn add_diag(comptime S: type, a: anytype, d: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(a), @TypeOf(d) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(a), @TypeOf(d) });
    const sa = shape(a, "add_diag", loc);
    if (sa.rows != sa.cols) core.fault(loc, "add_diag: the matrix is {d} x {d}, not square", .{ sa.rows, sa.cols });
    var out = List(List(T)).withCapacity(sa.rows);
    const row = Scratch(T, 3).get(sa.cols);
    for (a.items(), 0..) |r, i| {
        for (r.items(), 0..) |x, j| {
            row[j] = if (i == j) (if (T == f64) ad.value(x) + ad.value(d) else S.add(x, d)) else (if (T == f64) ad.value(x) else if (@TypeOf(x) == T) x else S.lift(ad.value(x)));
        }
        out.pushOwned(List(T).fromSlice(row));
    }
    return out;
}

/// `add_diag(A, d)` with a vector d: A with d[i] added to diagonal element i (A square, d of
/// its dimension).
pub fn add_diag_vector(comptime S: type, a: anytype, d: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(a), @TypeOf(d) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(a), @TypeOf(d) });
    const sa = shape(a, "add_diag", loc);
    if (sa.rows != sa.cols) core.fault(loc, "add_diag: the matrix is {d} x {d}, not square", .{ sa.rows, sa.cols });
    if (@as(usize, @intCast(d.len())) != sa.rows) core.fault(loc, "add_diag: the matrix is {d} x {d} but the vector has {d} elements", .{ sa.rows, sa.cols, d.len() });
    var out = List(List(T)).withCapacity(sa.rows);
    for (a.items(), 0..) |r, i| {
        var row_out = List(T).withCapacity(sa.cols);
        for (r.items(), 0..) |x, j| row_out.pushOwned(if (i == j) combine(S, T, x, d.items()[i], .add) else as(S, T, x));
        out.pushOwned(row_out);
    }
    return out;
}

/// x as an element of type T (a model real lifted, or its value).
fn as(comptime S: type, comptime T: type, x: anytype) T {
    if (T == f64) return ad.value(x);
    if (@TypeOf(x) == T) return x;
    return S.lift(ad.value(x));
}

fn combine(comptime S: type, comptime T: type, x: anytype, y: anytype, comptime op: enum { add, mul }) T {
    if (T == f64) return if (op == .add) ad.value(x) + ad.value(y) else ad.value(x) * ad.value(y);
    return if (op == .add) S.add(x, y) else S.mul(x, y);
}

/// `diag_pre_multiply(v, A)`: diag(v) A, row i of A scaled by v[i] (v of A's row count).
pub fn diag_pre_multiply(comptime S: type, v: anytype, a: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(v), @TypeOf(a) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(v), @TypeOf(a) });
    const sa = shape(a, "diag_pre_multiply", loc);
    if (@as(usize, @intCast(v.len())) != sa.rows) core.fault(loc, "diag_pre_multiply: the vector has {d} elements but the matrix is {d} x {d}", .{ v.len(), sa.rows, sa.cols });
    var out = List(List(T)).withCapacity(sa.rows);
    for (a.items(), v.items()) |r, s| {
        var row_out = List(T).withCapacity(sa.cols);
        for (r.items()) |x| row_out.pushOwned(combine(S, T, s, x, .mul));
        out.pushOwned(row_out);
    }
    return out;
}

/// `diag_post_multiply(A, v)`: A diag(v), column j of A scaled by v[j] (v of A's column count).
pub fn diag_post_multiply(comptime S: type, a: anytype, v: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(a), @TypeOf(v) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(a), @TypeOf(v) });
    const sa = shape(a, "diag_post_multiply", loc);
    if (@as(usize, @intCast(v.len())) != sa.cols) core.fault(loc, "diag_post_multiply: the matrix is {d} x {d} but the vector has {d} elements", .{ sa.rows, sa.cols, v.len() });
    var out = List(List(T)).withCapacity(sa.rows);
    for (a.items()) |r| {
        var row_out = List(T).withCapacity(sa.cols);
        for (r.items(), v.items()) |x, s| row_out.pushOwned(combine(S, T, x, s, .mul));
        out.pushOwned(row_out);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// cholesky_decompose
// ---------------------------------------------------------------------------------------------

/// `cholesky_decompose(A)`: the lower Cholesky factor L (L L^T = A) of a symmetric positive
/// definite matrix; only A's lower triangle is read (its upper triangle gets no gradient).
pub fn cholesky_decompose(comptime S: type, a: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{@TypeOf(a)}))) {
    const T = ResultScalar(S, &.{@TypeOf(a)});
    const sa = shape(a, "cholesky_decompose", loc);
    if (sa.rows != sa.cols) core.fault(loc, "cholesky_decompose: the matrix is {d} x {d}, not square", .{ sa.rows, sa.cols });
    const n = sa.rows;
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(2 * n * n);
        readMatrix(Dual, a, buf[0 .. n * n]);
        if (!D.cholesky(buf[0 .. n * n], buf[n * n ..], n)) {
            notPositiveDefinite(S, loc);
            for (buf[n * n ..]) |*x| x.* = .{ .val = nan };
        }
        return buildMatrix(T, n, n, @as([]const Dual, buf[n * n ..]), fromSlice(Dual));
    }
    const vals = Scratch(f64, 1).get(2 * n * n);
    readMatrix(f64, a, vals[0 .. n * n]);
    const l = vals[n * n ..];
    if (!F.cholesky(vals[0 .. n * n], l, n)) {
        notPositiveDefinite(S, loc);
        @memset(l, nan);
    }
    if (T == f64) return buildMatrix(f64, n, n, @as([]const f64, l), fromSlice(f64));
    // reverse: idx = [n, first, ids of A's lower triangle (row-major)]; data = L (n x n)
    const lower = n * (n + 1) / 2;
    const blk = ad.pushBlock(choleskyReverse, 2 + lower, n * n);
    const idx = blk.span.parents;
    idx[0] = @intCast(n);
    idx[1] = blk.first;
    var k: usize = 0;
    for (a.items(), 0..) |r, i| for (r.items()[0 .. i + 1]) |x| {
        idx[2 + k] = scalarIndex(x);
        k += 1;
    };
    @memcpy(blk.span.partials[0 .. n * n], l);
    const out = Scratch(Var, 0).get(n * n);
    for (0..n) |i| for (0..n) |j| {
        out[i * n + j] = if (j <= i) ad.blockResult(l[i * n + j]) else Var{ .val = 0 };
    };
    return buildMatrix(Var, n, n, @as([]const Var, out), fromSlice(Var));
}

fn notPositiveDefinite(comptime S: type, comptime loc: Loc) void {
    numericFailure(S, loc, "cholesky_decompose: the matrix is not symmetric positive definite", .{});
}

/// Murray (2016): with M = L^T L_bar and P = Phi(M) its lower triangle with the diagonal
/// halved, G = L^-T P L^-1; the lower triangle of A gets G + G^T (the diagonal G_ii). Written
/// with L^T stored row-major so that every inner loop runs along a row.
fn choleskyReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const n: usize = idx[0];
    const first = idx[1];
    const l = data[0 .. n * n];
    const work = Scratch(f64, 2).get(4 * n * n);
    const lbar = work[0 .. n * n];
    const lt = work[n * n .. 2 * n * n];
    const x = work[2 * n * n .. 3 * n * n];
    const z = work[3 * n * n ..];
    var k: u32 = 0;
    for (0..n) |i| for (0..n) |j| {
        lt[j * n + i] = l[i * n + j];
        if (j <= i) {
            lbar[i * n + j] = ad.blockAdj(adj, first + k);
            k += 1;
        } else lbar[i * n + j] = 0;
    };
    // x = Phi(L^T L_bar): row i sums L[t][i] L_bar[t][0..i] over t >= i
    @memset(x, 0);
    for (0..n) |i| {
        const row = x[i * n .. i * n + i + 1];
        for (i..n) |t| {
            const a = lt[i * n + t];
            for (row, lbar[t * n .. t * n + i + 1]) |*r, b| r.* += a * b;
        }
        row[i] *= 0.5;
    }
    backSolveTransposed(lt, x, n);
    // z = (x L^-1)^T = L^-T x^T
    for (0..n) |i| for (0..n) |j| {
        z[i * n + j] = x[j * n + i];
    };
    backSolveTransposed(lt, z, n);
    // G = z^T, so G + G^T = z + z^T
    var q: usize = 0;
    for (0..n) |i| for (0..i + 1) |j| {
        const d = if (i == j) z[i * n + i] else z[i * n + j] + z[j * n + i];
        ad.blockAddAdj(adj, idx[2 + q], d);
        q += 1;
    };
}

/// b = L^-T b in place for n x n b, given lt = L^T (row-major): back substitution by rows,
/// b[i] = (b[i] - sum_{t > i} L[t][i] b[t]) / L[i][i].
fn backSolveTransposed(lt: []const f64, b: []f64, n: usize) void {
    var i = n;
    while (i > 0) {
        i -= 1;
        const row = b[i * n .. (i + 1) * n];
        for (i + 1..n) |t| {
            const a = lt[i * n + t];
            for (row, b[t * n .. (t + 1) * n]) |*r, y| r.* -= a * y;
        }
        const d = lt[i * n + i];
        for (row) |*r| r.* /= d;
    }
}

// ---------------------------------------------------------------------------------------------
// mdivide_left_tri_low
// ---------------------------------------------------------------------------------------------

/// `mdivide_left_tri_low(L, B)`: X = L^-1 B for lower-triangular L (n x n; its upper triangle is
/// ignored) and an n x m matrix B.
pub fn mdivide_left_tri_low(comptime S: type, l: anytype, b: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(l), @TypeOf(b) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(l), @TypeOf(b) });
    const sl = shape(l, "mdivide_left_tri_low", loc);
    const sb = shape(b, "mdivide_left_tri_low", loc);
    checkSolveShapes(sl.rows, sl.cols, sb.rows, loc);
    const x = triSolve(S, T, l, b, sl.rows, sb.cols, loc);
    return buildMatrix(T, sl.rows, sb.cols, x, fromSlice(T));
}

/// `mdivide_left_tri_low(L, b)` with a vector b: x = L^-1 b.
pub fn mdivide_left_tri_low_vector(comptime S: type, l: anytype, b: anytype, comptime loc: Loc) List(ResultScalar(S, &.{ @TypeOf(l), @TypeOf(b) })) {
    const T = ResultScalar(S, &.{ @TypeOf(l), @TypeOf(b) });
    const sl = shape(l, "mdivide_left_tri_low", loc);
    checkSolveShapes(sl.rows, sl.cols, @intCast(b.len()), loc);
    const x = triSolve(S, T, l, b, sl.rows, 1, loc);
    return buildVector(T, sl.rows, x, fromSlice(T));
}

fn checkSolveShapes(rows: usize, cols: usize, b_rows: usize, comptime loc: Loc) void {
    if (rows != cols) core.fault(loc, "mdivide_left_tri_low: L is {d} x {d}, not square", .{ rows, cols });
    if (b_rows != rows) core.fault(loc, "mdivide_left_tri_low: L is {d} x {d} but the right-hand side has {d} rows", .{ rows, cols, b_rows });
}

fn triSolve(comptime S: type, comptime T: type, l: anytype, b: anytype, n: usize, m: usize, comptime loc: Loc) []const T {
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(n * n + 2 * n * m);
        readMatrix(Dual, l, buf[0 .. n * n]);
        readAny(Dual, b, buf[n * n .. n * n + n * m]);
        const x = buf[n * n + n * m ..];
        if (!D.solveLower(buf[0 .. n * n], buf[n * n .. n * n + n * m], x, n, m)) {
            singular(S, "mdivide_left_tri_low", loc);
            for (x) |*e| e.* = .{ .val = nan };
        }
        return x;
    }
    const vals = Scratch(f64, 1).get(n * n + 2 * n * m);
    const lv = vals[0 .. n * n];
    const bv = vals[n * n .. n * n + n * m];
    const x = vals[n * n + n * m ..];
    readMatrix(f64, l, lv);
    readAny(f64, b, bv);
    if (!F.solveLower(lv, bv, x, n, m)) {
        singular(S, "mdivide_left_tri_low", loc);
        @memset(x, nan);
    }
    if (T == f64) return x;
    // reverse: idx = [n, m, first, ids of L (n x n), ids of B]; data = [L, X]
    const blk = ad.pushBlock(triSolveReverse, 3 + n * n + n * m, n * n + n * m);
    const idx = blk.span.parents;
    idx[0] = @intCast(n);
    idx[1] = @intCast(m);
    idx[2] = blk.first;
    readIndices(l, idx[3 .. 3 + n * n]);
    readAnyIndices(b, idx[3 + n * n .. 3 + n * n + n * m]);
    @memcpy(blk.span.partials[0 .. n * n], lv);
    @memcpy(blk.span.partials[n * n .. n * n + n * m], x);
    const out = Scratch(Var, 0).get(n * m);
    for (x, 0..) |e, i| out[i] = ad.blockResult(e);
    return out;
}

fn singular(comptime S: type, comptime what: []const u8, comptime loc: Loc) void {
    numericFailure(S, loc, what ++ ": the matrix is singular", .{});
}

/// X = L^-1 B: B_bar = L^-T X_bar (one solve), L_bar = -B_bar X^T on the lower triangle.
fn triSolveReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const n: usize = idx[0];
    const m: usize = idx[1];
    const first = idx[2];
    const il = idx[3 .. 3 + n * n];
    const ib = idx[3 + n * n .. 3 + n * n + n * m];
    const l = data[0 .. n * n];
    const x = data[n * n .. n * n + n * m];
    const bbar = Scratch(f64, 2).get(n * m);
    for (0..n * m) |i| bbar[i] = ad.blockAdj(adj, first + @as(u32, @intCast(i)));
    // solve L^T Y = X_bar (back substitution), in place
    for (0..m) |c| {
        var i = n;
        while (i > 0) {
            i -= 1;
            var s = bbar[i * m + c];
            for (i + 1..n) |t| s -= l[t * n + i] * bbar[t * m + c];
            bbar[i * m + c] = s / l[i * n + i];
        }
    }
    for (0..n * m) |i| ad.blockAddAdj(adj, ib[i], bbar[i]);
    for (0..n) |i| for (0..i + 1) |j| {
        if (il[i * n + j] == 0) continue;
        var s: f64 = 0;
        for (0..m) |c| s += bbar[i * m + c] * x[j * m + c];
        ad.blockAddAdj(adj, il[i * n + j], -s);
    };
}

// ---------------------------------------------------------------------------------------------
// log_determinant, inverse
// ---------------------------------------------------------------------------------------------

/// `log_determinant(A)`: log |det A| of a square matrix (LU with partial pivoting).
pub fn log_determinant(comptime S: type, a: anytype, comptime loc: Loc) ResultScalar(S, &.{@TypeOf(a)}) {
    const T = ResultScalar(S, &.{@TypeOf(a)});
    const sa = shape(a, "log_determinant", loc);
    if (sa.rows != sa.cols) core.fault(loc, "log_determinant: the matrix is {d} x {d}, not square", .{ sa.rows, sa.cols });
    const n = sa.rows;
    const perm = Scratch(usize, 0).get(n);
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(n * n);
        readMatrix(Dual, a, buf);
        if (D.lu(buf, perm, n) == 0) {
            singular(S, "log_determinant", loc);
            return .{ .val = -std.math.inf(f64) };
        }
        return D.logAbsDet(buf, n);
    }
    const vals = Scratch(f64, 1).get(2 * n * n);
    const lu_a = vals[0 .. n * n];
    readMatrix(f64, a, lu_a);
    if (F.lu(lu_a, perm, n) == 0) {
        singular(S, "log_determinant", loc);
        return if (T == f64) -std.math.inf(f64) else S.lift(-std.math.inf(f64));
    }
    const v = F.logAbsDet(lu_a, n);
    if (T == f64) return v;
    // one n-ary node: d log|det A| / d A = A^-T
    const inv = vals[n * n ..];
    F.inverseFromLu(lu_a, perm, inv, n);
    const span = ad.reserveNaryUndefined(n * n);
    var k: usize = 0;
    for (a.items(), 0..) |r, i| for (r.items(), 0..) |x, j| {
        span.parents[k] = scalarIndex(x);
        span.partials[k] = inv[j * n + i];
        k += 1;
    };
    return span.finish(v);
}

/// `inverse(A)`: A^-1 of a square nonsingular matrix.
pub fn inverse(comptime S: type, a: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{@TypeOf(a)}))) {
    const T = ResultScalar(S, &.{@TypeOf(a)});
    const sa = shape(a, "inverse", loc);
    if (sa.rows != sa.cols) core.fault(loc, "inverse: the matrix is {d} x {d}, not square", .{ sa.rows, sa.cols });
    const n = sa.rows;
    const perm = Scratch(usize, 0).get(n);
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(2 * n * n);
        readMatrix(Dual, a, buf[0 .. n * n]);
        const inv = buf[n * n ..];
        if (D.lu(buf[0 .. n * n], perm, n) == 0) {
            singular(S, "inverse", loc);
            for (inv) |*e| e.* = .{ .val = nan };
        } else D.inverseFromLu(buf[0 .. n * n], perm, inv, n);
        return buildMatrix(Dual, n, n, @as([]const Dual, inv), fromSlice(Dual));
    }
    const vals = Scratch(f64, 1).get(2 * n * n);
    const lu_a = vals[0 .. n * n];
    const inv = vals[n * n ..];
    readMatrix(f64, a, lu_a);
    if (F.lu(lu_a, perm, n) == 0) {
        singular(S, "inverse", loc);
        @memset(inv, nan);
    } else F.inverseFromLu(lu_a, perm, inv, n);
    if (T == f64) return buildMatrix(f64, n, n, @as([]const f64, inv), fromSlice(f64));
    // reverse: idx = [n, first, ids of A]; data = A^-1
    const blk = ad.pushBlock(inverseReverse, 2 + n * n, n * n);
    const idx = blk.span.parents;
    idx[0] = @intCast(n);
    idx[1] = blk.first;
    readIndices(a, idx[2 .. 2 + n * n]);
    @memcpy(blk.span.partials[0 .. n * n], inv);
    return buildMatrix(Var, n, n, @as([]const f64, inv), blockLeaves);
}

/// C = A^-1: A_bar = -C^T C_bar C^T (two products).
fn inverseReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const n: usize = idx[0];
    const first = idx[1];
    const c = data[0 .. n * n];
    const work = Scratch(f64, 2).get(2 * n * n);
    const cbar = work[0 .. n * n];
    const t = work[n * n ..];
    for (0..n * n) |i| cbar[i] = ad.blockAdj(adj, first + @as(u32, @intCast(i)));
    // t = C_bar C^T
    for (0..n) |i| for (0..n) |j| {
        var s: f64 = 0;
        for (0..n) |q| s += cbar[i * n + q] * c[j * n + q];
        t[i * n + j] = s;
    };
    // A_bar = -C^T t
    for (0..n) |i| for (0..n) |j| {
        const id = idx[2 + i * n + j];
        if (id == 0) continue;
        var s: f64 = 0;
        for (0..n) |q| s += c[q * n + i] * t[q * n + j];
        ad.blockAddAdj(adj, id, -s);
    };
}

// ---------------------------------------------------------------------------------------------
// Gaussian-process covariance functions
// ---------------------------------------------------------------------------------------------

/// `gp_exp_quad_cov(x, alpha, rho)`: K[i][j] = alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)).
pub fn gp_exp_quad_cov(comptime S: type, x: anytype, alpha: anytype, rho: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(x), @TypeOf(alpha), @TypeOf(rho) }))) {
    return covariance(S, .exp_quad, x, alpha, rho, @as(f64, 1), loc);
}

/// `gp_matern32_cov(x, alpha, rho)`: alpha^2 (1 + sqrt(3) r / rho) exp(-sqrt(3) r / rho), r = |x_i - x_j|.
pub fn gp_matern32_cov(comptime S: type, x: anytype, alpha: anytype, rho: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(x), @TypeOf(alpha), @TypeOf(rho) }))) {
    return covariance(S, .matern32, x, alpha, rho, @as(f64, 1), loc);
}

/// `gp_periodic_cov(x, alpha, rho, p)`: alpha^2 exp(-2 sin^2(pi |x_i - x_j| / p) / rho^2).
pub fn gp_periodic_cov(comptime S: type, x: anytype, alpha: anytype, rho: anytype, period: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(x), @TypeOf(alpha), @TypeOf(rho), @TypeOf(period) }))) {
    return covariance(S, .periodic, x, alpha, rho, period, loc);
}

fn covariance(comptime S: type, comptime kind: Kernel, x: anytype, alpha: anytype, rho: anytype, period: anytype, comptime loc: Loc) List(List(ResultScalar(S, &.{ @TypeOf(x), @TypeOf(alpha), @TypeOf(rho), @TypeOf(period) }))) {
    const T = ResultScalar(S, &.{ @TypeOf(x), @TypeOf(alpha), @TypeOf(rho), @TypeOf(period) });
    const name = switch (kind) {
        .exp_quad => "gp_exp_quad_cov",
        .matern32 => "gp_matern32_cov",
        .periodic => "gp_periodic_cov",
    };
    const n: usize = @intCast(x.len());
    const valid = kernelParamsValid(S, name, ad.value(alpha), ad.value(rho), ad.value(period), loc);
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(n + n * n);
        readVector(Dual, x, buf[0..n]);
        D.covariance(kind, buf[0..n], toScalar(Dual, alpha), toScalar(Dual, rho), toScalar(Dual, period), buf[n..]);
        if (!valid) {
            for (buf[n..]) |*e| e.* = .{ .val = nan };
        }
        return buildMatrix(Dual, n, n, @as([]const Dual, buf[n..]), fromSlice(Dual));
    }
    const vals = Scratch(f64, 1).get(n + n * n);
    readVector(f64, x, vals[0..n]);
    const k = vals[n..];
    F.covariance(kind, vals[0..n], ad.value(alpha), ad.value(rho), ad.value(period), k);
    if (!valid) @memset(k, nan);
    if (T == f64) return buildMatrix(f64, n, n, @as([]const f64, k), fromSlice(f64));
    // reverse: idx = [n, first, kind, id alpha, id rho, id period, ids of x]; data = [x, alpha, rho, period, K]
    const blk = ad.pushBlock(covarianceReverse, 6 + n, n + 3 + n * n);
    const idx = blk.span.parents;
    idx[0] = @intCast(n);
    idx[1] = blk.first;
    idx[2] = @intFromEnum(kind);
    idx[3] = scalarIndex(alpha);
    idx[4] = scalarIndex(rho);
    idx[5] = scalarIndex(period);
    readIndices(x, idx[6 .. 6 + n]);
    @memcpy(blk.span.partials[0..n], vals[0..n]);
    blk.span.partials[n] = ad.value(alpha);
    blk.span.partials[n + 1] = ad.value(rho);
    blk.span.partials[n + 2] = ad.value(period);
    @memcpy(blk.span.partials[n + 3 .. n + 3 + n * n], k);
    return buildMatrix(Var, n, n, @as([]const f64, k), blockLeaves);
}

/// Whether the kernel's parameters are positive and finite (a fault otherwise, or false in a
/// model, where the covariance is then NaN and the density rejects the proposal).
fn kernelParamsValid(comptime S: type, comptime name: []const u8, alpha: f64, rho: f64, period: f64, comptime loc: Loc) bool {
    const checks = .{ .{ "alpha", alpha }, .{ "rho", rho }, .{ "the period", period } };
    inline for (checks) |c| {
        if (!(c[1] > 0) or std.math.isInf(c[1])) {
            numericFailure(S, loc, name ++ ": " ++ c[0] ++ " must be positive and finite, got {d}", .{c[1]});
            return false;
        }
    }
    return true;
}

/// Partials of one kernel value k = kernel(d, alpha, rho, p), d = x_i - x_j: with respect to
/// alpha, rho, p and d.
fn kernelPartials(kind: Kernel, k: f64, d: f64, alpha: f64, rho: f64, p: f64) [4]f64 {
    const r = @abs(d);
    const sgn: f64 = if (d > 0) 1 else if (d < 0) -1 else 0;
    return switch (kind) {
        .exp_quad => .{ 2 * k / alpha, k * d * d / (rho * rho * rho), 0, -k * d / (rho * rho) },
        .matern32 => blk: {
            const u = @sqrt(3.0) * r / rho;
            const g = alpha * alpha * u * @exp(-u); // -dk/du
            break :blk .{ 2 * k / alpha, g * u / rho, 0, -g * @sqrt(3.0) * sgn / rho };
        },
        .periodic => blk: {
            const a = std.math.pi * r / p;
            const s = @sin(a);
            const c = @cos(a);
            // k = alpha^2 exp(-2 s^2 / rho^2); dk/da = k (-4 s c / rho^2)
            const dka = k * (-4 * s * c / (rho * rho));
            break :blk .{ 2 * k / alpha, k * 4 * s * s / (rho * rho * rho), dka * (-a / p), dka * std.math.pi * sgn / p };
        },
    };
}

fn covarianceReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const n: usize = idx[0];
    const first = idx[1];
    const kind: Kernel = @enumFromInt(idx[2]);
    const ix = idx[6 .. 6 + n];
    const x = data[0..n];
    const alpha = data[n];
    const rho = data[n + 1];
    const p = data[n + 2];
    var da: f64 = 0;
    var dr: f64 = 0;
    var dp: f64 = 0;
    for (0..n) |i| for (0..n) |j| {
        const kbar = ad.blockAdj(adj, first + @as(u32, @intCast(i * n + j)));
        if (kbar == 0) continue;
        const d = x[i] - x[j];
        const k = data[n + 3 + i * n + j];
        const g = kernelPartials(kind, k, d, alpha, rho, p);
        da += kbar * g[0];
        dr += kbar * g[1];
        dp += kbar * g[2];
        if (ix[i] != 0) ad.blockAddAdj(adj, ix[i], kbar * g[3]);
        if (ix[j] != 0) ad.blockAddAdj(adj, ix[j], -kbar * g[3]);
    };
    ad.blockAddAdj(adj, idx[3], da);
    ad.blockAddAdj(adj, idx[4], dr);
    ad.blockAddAdj(adj, idx[5], dp);
}

// ---------------------------------------------------------------------------------------------
// softmax, log_softmax
// ---------------------------------------------------------------------------------------------

/// `softmax(v)`: exp(v_i) / sum_j exp(v_j).
pub fn softmax(comptime S: type, v: anytype, comptime loc: Loc) List(ResultScalar(S, &.{@TypeOf(v)})) {
    return softmaxForm(S, v, false, loc);
}

/// `log_softmax(v)`: v_i - log sum_j exp(v_j).
pub fn log_softmax(comptime S: type, v: anytype, comptime loc: Loc) List(ResultScalar(S, &.{@TypeOf(v)})) {
    return softmaxForm(S, v, true, loc);
}

fn softmaxForm(comptime S: type, v: anytype, log_form: bool, comptime loc: Loc) List(ResultScalar(S, &.{@TypeOf(v)})) {
    const T = ResultScalar(S, &.{@TypeOf(v)});
    const n: usize = @intCast(v.len());
    if (n == 0) core.fault(loc, "{s}: the vector is empty", .{if (log_form) "log_softmax" else "softmax"});
    if (T == Dual) {
        const buf = Scratch(Dual, 0).get(2 * n);
        readVector(Dual, v, buf[0..n]);
        D.softmax(buf[0..n], buf[n..], log_form);
        return buildVector(Dual, n, @as([]const Dual, buf[n..]), fromSlice(Dual));
    }
    const vals = Scratch(f64, 1).get(2 * n);
    readVector(f64, v, vals[0..n]);
    const y = vals[n..];
    F.softmax(vals[0..n], y, log_form);
    if (T == f64) return buildVector(f64, n, @as([]const f64, y), fromSlice(f64));
    // reverse: idx = [n, first, log_form, ids of v]; data = softmax(v)
    const blk = ad.pushBlock(softmaxReverse, 3 + n, n);
    const idx = blk.span.parents;
    idx[0] = @intCast(n);
    idx[1] = blk.first;
    idx[2] = @intFromBool(log_form);
    readIndices(v, idx[3 .. 3 + n]);
    for (0..n) |i| blk.span.partials[i] = if (log_form) @exp(y[i]) else y[i];
    return buildVector(Var, n, @as([]const f64, y), blockLeaves);
}

/// softmax: v_bar = p (y_bar - p . y_bar); log_softmax: v_bar = y_bar - p sum(y_bar).
fn softmaxReverse(idx: []const u32, data: []const f64, adj: []f64) void {
    const n: usize = idx[0];
    const first = idx[1];
    const log_form = idx[2] == 1;
    const p = data[0..n];
    var s: f64 = 0;
    for (0..n) |i| {
        const yb = ad.blockAdj(adj, first + @as(u32, @intCast(i)));
        s += if (log_form) yb else yb * p[i];
    }
    for (0..n) |i| {
        const yb = ad.blockAdj(adj, first + @as(u32, @intCast(i)));
        const d = if (log_form) yb - p[i] * s else p[i] * (yb - s);
        ad.blockAddAdj(adj, idx[3 + i], d);
    }
}

// ---------------------------------------------------------------------------------------------
// Tests: each reverse pass against forward mode (the op-by-op differentiated kernel)
// ---------------------------------------------------------------------------------------------

const testing = std.testing;
const test_loc = Loc{ .func = "test", .line = 1, .col = 1 };

fn matrixOf(comptime T: type, rows: []const []const T) List(List(T)) {
    var out = List(List(T)).withCapacity(rows.len);
    for (rows) |r| out.pushOwned(List(T).fromSlice(r));
    return out;
}

test "multiply and transpose values" {
    const a = matrixOf(f64, &.{ &.{ 1, 2, 3 }, &.{ 4, 5, 6 } });
    defer a.sevRelease();
    const t = transpose(ad.F64, a, test_loc);
    defer t.sevRelease();
    const c = multiply(ad.F64, a, t, test_loc);
    defer c.sevRelease();
    try testing.expectEqual(@as(f64, 14), c.items()[0].items()[0]);
    try testing.expectEqual(@as(f64, 32), c.items()[0].items()[1]);
    try testing.expectEqual(@as(f64, 77), c.items()[1].items()[1]);
}

/// The gradient of sum(w .* f(A)) with respect to every element of A, by the tape (block node)
/// and by forward mode one direction at a time; they must agree to 1e-12.
fn checkMatrixGradient(comptime n: usize, a0: [n][n]f64, comptime f: anytype) !void {
    var w: [n * n]f64 = undefined;
    for (0..n * n) |i| w[i] = 0.3 + 0.1 * @as(f64, @floatFromInt(i));
    ad.Rev.reset();
    var vars: [n * n]Var = undefined;
    var rows: [n][]const Var = undefined;
    var storage: [n][n]Var = undefined;
    for (0..n) |i| {
        for (0..n) |j| {
            storage[i][j] = ad.Rev.independent(a0[i][j]);
            vars[i * n + j] = storage[i][j];
        }
        rows[i] = &storage[i];
    }
    const a = matrixOf(Var, &rows);
    defer a.sevRelease();
    const out = f(ad.Rev, a);
    defer out.sevRelease();
    var terms: [n * n]Var = undefined;
    var k: usize = 0;
    for (out.items()) |r| for (r.items()) |x| {
        terms[k] = ad.Rev.mul(x, w[k]);
        k += 1;
    };
    const total = ad.Rev.sum(terms[0..k]);
    var grad: [n * n]f64 = undefined;
    ad.Rev.gradient(total, &vars, &grad);
    for (0..n * n) |dir| {
        var dstore: [n][n]Dual = undefined;
        var drows: [n][]const Dual = undefined;
        for (0..n) |i| {
            for (0..n) |j| dstore[i][j] = .{ .val = a0[i][j], .tan = if (i * n + j == dir) 1 else 0 };
            drows[i] = &dstore[i];
        }
        const da = matrixOf(Dual, &drows);
        defer da.sevRelease();
        const dout = f(ad.Fwd, da);
        defer dout.sevRelease();
        var tan: f64 = 0;
        var q: usize = 0;
        for (dout.items()) |r| for (r.items()) |x| {
            tan += w[q] * x.tan;
            q += 1;
        };
        try testing.expectApproxEqRel(tan, grad[dir], 1e-12);
    }
}

const spd = [3][3]f64{ .{ 4, 2, 0.4 }, .{ 2, 5, 1 }, .{ 0.4, 1, 3 } };

test "cholesky_decompose reverse pass equals forward mode" {
    try checkMatrixGradient(3, spd, struct {
        fn f(comptime S: type, a: anytype) @TypeOf(cholesky_decompose(S, a, test_loc)) {
            return cholesky_decompose(S, a, test_loc);
        }
    }.f);
}

test "multiply (A A^T), inverse and a triangular solve: reverse equals forward" {
    try checkMatrixGradient(3, spd, struct {
        fn f(comptime S: type, a: anytype) @TypeOf(multiply(S, a, a, test_loc)) {
            const t = transpose(S, a, test_loc);
            defer t.sevRelease();
            return multiply(S, a, t, test_loc);
        }
    }.f);
    try checkMatrixGradient(3, spd, struct {
        fn f(comptime S: type, a: anytype) @TypeOf(inverse(S, a, test_loc)) {
            return inverse(S, a, test_loc);
        }
    }.f);
    try checkMatrixGradient(3, spd, struct {
        fn f(comptime S: type, a: anytype) @TypeOf(mdivide_left_tri_low(S, a, a, test_loc)) {
            return mdivide_left_tri_low(S, a, a, test_loc);
        }
    }.f);
}
