//! Small dense linear algebra for the multivariate distributions and the transforms: row-major
//! matrix views, Cholesky factorisation, triangular solves, log-determinants, the inverse from a
//! Cholesky factor, and an LU log|det| (used to check Jacobians numerically). Sizes here are the
//! dimensions of a multivariate parameter (tens, not thousands), so plain O(n^3) loops are used.
//!
//! A per-thread scratch buffer (`scratch`) gives the distributions temporary memory without an
//! allocator argument; it grows on demand and is reused, so steady-state evaluation does not
//! allocate.

const std = @import("std");
const math = std.math;

/// A read-only row-major matrix view with elements of type T (f64 or an AD scalar).
pub fn Matrix(comptime T: type) type {
    return struct {
        data: []const T,
        rows: usize,
        cols: usize,

        pub fn at(self: @This(), i: usize, j: usize) T {
            return self.data[i * self.cols + j];
        }

        pub fn row(self: @This(), i: usize) []const T {
            return self.data[i * self.cols .. (i + 1) * self.cols];
        }
    };
}

test "Matrix view indexing" {
    const d = [_]f64{ 1, 2, 3, 4, 5, 6 };
    const m = Matrix(f64){ .data = &d, .rows = 2, .cols = 3 };
    try std.testing.expectEqual(@as(f64, 6), m.at(1, 2));
    try std.testing.expectEqual(@as(f64, 2), m.at(0, 1));
    try std.testing.expectEqualSlices(f64, &.{ 4, 5, 6 }, m.row(1));
}

pub const Error = error{NotPositiveDefinite};

/// Cholesky factorisation a = L L^T of a symmetric positive-definite n x n row-major matrix
/// (only the lower triangle of `a` is read). Writes L (row-major, zeros above the diagonal) to
/// `l`, which may alias `a`.
pub fn cholesky(a: []const f64, n: usize, l: []f64) Error!void {
    std.debug.assert(a.len >= n * n and l.len >= n * n);
    for (0..n) |i| {
        for (0..i + 1) |j| {
            var s = a[i * n + j];
            for (0..j) |k| s -= l[i * n + k] * l[j * n + k];
            if (i == j) {
                if (!(s > 0) or math.isInf(s)) return error.NotPositiveDefinite;
                l[i * n + i] = @sqrt(s);
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
        for (i + 1..n) |j| l[i * n + j] = 0;
    }
}

test "cholesky of a 3x3 SPD matrix" {
    const a = [_]f64{ 4, 2, 0.4, 2, 5, 1, 0.4, 1, 3 };
    var l: [9]f64 = undefined;
    try cholesky(&a, 3, &l);
    // L L^T reproduces a
    for (0..3) |i| for (0..3) |j| {
        var s: f64 = 0;
        for (0..3) |k| s += l[i * 3 + k] * l[j * 3 + k];
        try std.testing.expectApproxEqAbs(a[i * 3 + j], s, 1e-14);
    };
    try std.testing.expectEqual(@as(f64, 2), l[0]);
    try std.testing.expectEqual(@as(f64, 0), l[1]);
    const bad = [_]f64{ 1, 2, 2, 1 };
    var lb: [4]f64 = undefined;
    try std.testing.expectError(error.NotPositiveDefinite, cholesky(&bad, 2, &lb));
}

/// Solve L x = b for lower-triangular L (n x n row-major); x may alias b.
pub fn solveLower(l: []const f64, n: usize, b: []const f64, x: []f64) void {
    for (0..n) |i| {
        var s = b[i];
        for (0..i) |k| s -= l[i * n + k] * x[k];
        x[i] = s / l[i * n + i];
    }
}

/// Solve L^T x = b for lower-triangular L; x may alias b.
pub fn solveLowerTransposed(l: []const f64, n: usize, b: []const f64, x: []f64) void {
    var i = n;
    while (i > 0) {
        i -= 1;
        var s = b[i];
        for (i + 1..n) |k| s -= l[k * n + i] * x[k];
        x[i] = s / l[i * n + i];
    }
}

test "triangular solves" {
    const l = [_]f64{ 2, 0, 0, 1, 3, 0, -1, 0.5, 4 };
    const b = [_]f64{ 2, 7, 3 };
    var x: [3]f64 = undefined;
    solveLower(&l, 3, &b, &x);
    // check L x = b
    for (0..3) |i| {
        var s: f64 = 0;
        for (0..3) |k| s += l[i * 3 + k] * x[k];
        try std.testing.expectApproxEqAbs(b[i], s, 1e-14);
    }
    solveLowerTransposed(&l, 3, &b, &x);
    for (0..3) |i| {
        var s: f64 = 0;
        for (0..3) |k| s += l[k * 3 + i] * x[k];
        try std.testing.expectApproxEqAbs(b[i], s, 1e-14);
    }
}

/// log det(L L^T) = 2 sum log L_ii for a Cholesky factor L.
pub fn logDetCholesky(l: []const f64, n: usize) f64 {
    var s: f64 = 0;
    for (0..n) |i| s += @log(l[i * n + i]);
    return 2 * s;
}

test "logDetCholesky" {
    const l = [_]f64{ 2, 0, 1, 3 };
    try std.testing.expectApproxEqAbs(@log(36.0), logDetCholesky(&l, 2), 1e-15);
}

/// The inverse (L L^T)^{-1} from a Cholesky factor L, written row-major to `out` (n x n).
/// `work` must hold n values.
pub fn inverseFromCholesky(l: []const f64, n: usize, out: []f64, work: []f64) void {
    // Column j of the inverse solves L L^T x = e_j.
    for (0..n) |j| {
        @memset(work[0..n], 0);
        work[j] = 1;
        solveLower(l, n, work[0..n], work[0..n]);
        solveLowerTransposed(l, n, work[0..n], work[0..n]);
        for (0..n) |i| out[i * n + j] = work[i];
    }
}

test "inverseFromCholesky" {
    const a = [_]f64{ 4, 2, 0.4, 2, 5, 1, 0.4, 1, 3 };
    var l: [9]f64 = undefined;
    try cholesky(&a, 3, &l);
    var inv: [9]f64 = undefined;
    var w: [3]f64 = undefined;
    inverseFromCholesky(&l, 3, &inv, &w);
    for (0..3) |i| for (0..3) |j| {
        var s: f64 = 0;
        for (0..3) |k| s += a[i * 3 + k] * inv[k * 3 + j];
        try std.testing.expectApproxEqAbs(@as(f64, if (i == j) 1 else 0), s, 1e-14);
    };
}

/// log |det A| of a general n x n row-major matrix by LU with partial pivoting; A is
/// overwritten. Returns -inf for a singular matrix.
pub fn logAbsDet(a: []f64, n: usize) f64 {
    var s: f64 = 0;
    for (0..n) |c| {
        var p = c;
        var best = @abs(a[c * n + c]);
        for (c + 1..n) |r| {
            if (@abs(a[r * n + c]) > best) {
                best = @abs(a[r * n + c]);
                p = r;
            }
        }
        if (best == 0) return -math.inf(f64);
        if (p != c) for (0..n) |j| std.mem.swap(f64, &a[p * n + j], &a[c * n + j]);
        const piv = a[c * n + c];
        s += @log(@abs(piv));
        for (c + 1..n) |r| {
            const f = a[r * n + c] / piv;
            if (f == 0) continue;
            for (c..n) |j| a[r * n + j] -= f * a[c * n + j];
        }
    }
    return s;
}

test "logAbsDet" {
    var a = [_]f64{ 0, 2, 1, 3, -1, 0, 1, 1, 1 };
    // det = 0*(-1-0) - 2*(3-0) + 1*(3+1) = -2
    try std.testing.expectApproxEqAbs(@log(2.0), logAbsDet(&a, 3), 1e-14);
    var s = [_]f64{ 1, 2, 2, 4 };
    try std.testing.expect(math.isNegativeInf(logAbsDet(&s, 2)));
}

/// Whether the n x n row-major matrix is symmetric within `tol` (relative to the larger of the
/// two entries, absolute below 1).
pub fn isSymmetric(a: []const f64, n: usize, tol: f64) bool {
    for (0..n) |i| for (0..i) |j| {
        const x = a[i * n + j];
        const y = a[j * n + i];
        if (!(@abs(x - y) <= tol * @max(1.0, @max(@abs(x), @abs(y))))) return false;
    };
    return true;
}

test "isSymmetric" {
    const a = [_]f64{ 1, 2, 2, 3 };
    const b = [_]f64{ 1, 2, 2.1, 3 };
    try std.testing.expect(isSymmetric(&a, 2, 1e-8));
    try std.testing.expect(!isSymmetric(&b, 2, 1e-8));
}

threadlocal var scratch_buf: []f64 = &.{};

/// A per-thread scratch area of at least n f64s. The contents are undefined, and the area is
/// reused by the next call on the same thread: callers split one request into the pieces they
/// need and must not hold it across calls to other functions that use scratch.
pub fn scratch(n: usize) []f64 {
    if (scratch_buf.len < n) growScratch(n);
    return scratch_buf[0..n];
}

fn growScratch(n: usize) void {
    @branchHint(.cold);
    const cap = @max(n, @max(256, scratch_buf.len * 2));
    const buf = std.heap.page_allocator.alloc(f64, cap) catch @panic("sev: out of memory for linear algebra scratch");
    std.heap.page_allocator.free(scratch_buf);
    scratch_buf = buf;
}

/// Release this thread's scratch area.
pub fn freeScratch() void {
    std.heap.page_allocator.free(scratch_buf);
    scratch_buf = &.{};
}

test "scratch grows and is reused" {
    defer freeScratch();
    const a = scratch(10);
    try std.testing.expectEqual(@as(usize, 10), a.len);
    a[9] = 1.5;
    const b = scratch(5);
    try std.testing.expectEqual(a.ptr, b.ptr);
    const c = scratch(100_000);
    try std.testing.expectEqual(@as(usize, 100_000), c.len);
    c[99_999] = 2;
    try std.testing.expectEqual(@as(f64, 2), scratch(100_000)[99_999]);
}
