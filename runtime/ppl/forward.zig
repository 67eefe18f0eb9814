//! Forward simulation: `sample` outside a model draws from the distribution with the
//! program's random generator. The generator is seeded from the `SEV_SEED` environment variable
//! when it holds an integer (so runs can be reproduced), else from the operating system. Each
//! thread has its own stream, derived from the seed and a thread counter. An invalid parameter
//! is a fault at the `sample`'s location, never a NaN.
//!
//! The checks of distributions declared in SIRS and of mixtures (`dist.custom`) have their
//! outside-a-model form here (a fault); a model's predictive draws route `random()` to the
//! posterior draw's stream with `useRandom` (see `modelrt.Mode.beginPredictive`).

const std = @import("std");
const dist = @import("dist.zig");
const core = @import("../core.zig");
const list_mod = @import("../list.zig");
const linalg = @import("linalg.zig");

const Loc = core.Loc;

var seed_once = std.once(initSeed);
var base_seed: u64 = 0;
var thread_counter = std.atomic.Value(u64).init(0);
threadlocal var prng: ?std.Random.DefaultPrng = null;
/// While set, `random()` returns this generator (a model's predictive draw in progress).
threadlocal var routed: ?std.Random = null;

fn initSeed() void {
    if (std.posix.getenv("SEV_SEED")) |text| {
        if (std.fmt.parseInt(u64, text, 10)) |s| {
            base_seed = s;
            return;
        } else |_| {}
    }
    std.posix.getrandom(std.mem.asBytes(&base_seed)) catch {
        base_seed = @truncate(@as(u128, @bitCast(std.time.nanoTimestamp())));
    };
}

/// This thread's generator.
pub fn random() std.Random {
    if (routed) |r| return r;
    if (prng == null) {
        seed_once.call();
        const k = thread_counter.fetchAdd(1, .monotonic);
        prng = std.Random.DefaultPrng.init(base_seed +% k *% 0x9E3779B97F4A7C15);
    }
    return prng.?.random();
}

/// One draw from distribution `D` with parameters `args` (a tuple of numbers).
pub fn draw(comptime D: type, args: anytype, comptime loc: Loc) @typeInfo(@typeInfo(@TypeOf(D.sample)).@"fn".return_type.?).error_union.payload {
    return @call(.auto, D.sample, .{random()} ++ args) catch core.fault(loc, "{s}", .{dist.lastError()});
}

/// `n` independent draws as a list of `T` (owned).
pub fn drawVector(comptime D: type, args: anytype, n: i64, comptime T: type, comptime loc: Loc) list_mod.List(T) {
    if (n < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{n});
    var out = list_mod.List(T).withCapacity(@intCast(n));
    for (0..@intCast(n)) |_| out.push(convert(T, draw(D, args, loc)));
    return out;
}

/// The element type of a multivariate draw (`D.sample` writes into a slice of it).
fn JointElem(comptime D: type) type {
    return @typeInfo(@typeInfo(@TypeOf(D.sample)).@"fn".params[1].type.?).pointer.child;
}

/// Whether a draw of `D` is a K×K matrix returned as K rows: LKJ draws, whose dimension is the
/// draw's `size` (`sized_matrix`), and Wishart draws, whose dimension is their scale matrix's.
fn isMatrixDraw(comptime D: type) bool {
    return comptime std.mem.eql(u8, D.name, "lkj_corr_cholesky") or @hasDecl(D, "sized_matrix") or
        std.mem.eql(u8, D.name, "wishart") or std.mem.eql(u8, D.name, "inv_wishart");
}

fn isSizedMatrix(comptime D: type) bool {
    return comptime std.mem.eql(u8, D.name, "lkj_corr_cholesky") or @hasDecl(D, "sized_matrix");
}

fn JointDraw(comptime D: type) type {
    return if (isMatrixDraw(D)) list_mod.List(list_mod.List(f64)) else list_mod.List(JointElem(D));
}

/// One draw of a multivariate distribution, owned: a vector whose length its first parameter
/// fixes (a vector's length, a matrix's rows), or the K rows of a matrix draw (K the `size` of
/// an LKJ draw, the scale matrix's dimension of a Wishart draw). `size` is K for an LKJ draw,
/// the number of trials for a multinomial and `{}` otherwise.
pub fn drawJoint(comptime D: type, args: anytype, size: anytype, comptime loc: Loc) JointDraw(D) {
    const E = JointElem(D);
    const Size = @TypeOf(size);
    if (Size != void and size < 0) core.fault(loc, "a size must not be negative, got {d}", .{size});
    const first = args[0];
    const dim: usize = if (comptime isSizedMatrix(D)) @as(usize, @intCast(size)) else if (comptime isMatrixDraw(D)) args[1].rows else 0;
    const n: usize = if (comptime isMatrixDraw(D)) dim * dim else if (@hasField(@TypeOf(first), "rows")) first.rows else first.len;
    const out = core.gpa().alloc(E, n) catch core.faultNoLoc("out of memory for a draw", .{});
    defer core.gpa().free(out);
    const rest = if (comptime isSizedMatrix(D)) .{dim} ++ args else if (Size == void) args else args ++ .{size};
    @call(.auto, D.sample, .{ random(), out } ++ rest) catch core.fault(loc, "{s}", .{dist.lastError()});
    if (comptime !isMatrixDraw(D)) return list_mod.List(E).fromSlice(out);
    var rows = list_mod.List(list_mod.List(f64)).withCapacity(dim);
    for (0..dim) |i| rows.pushOwned(list_mod.List(f64).fromSlice(out[i * dim .. (i + 1) * dim]));
    return rows;
}

test drawJoint {
    const alpha = [_]f64{ 1, 2, 3 };
    const p = drawJoint(dist.dirichlet, .{@as([]const f64, &alpha)}, {}, .{ .func = "t", .line = 1, .col = 1 });
    defer p.sevRelease();
    var total: f64 = 0;
    for (p.items()) |x| total += x;
    try std.testing.expectEqual(@as(i64, 3), p.len());
    try std.testing.expectApproxEqAbs(@as(f64, 1), total, 1e-12);
    const l = drawJoint(dist.lkj_corr_cholesky, .{@as(f64, 2)}, @as(i64, 3), .{ .func = "t", .line = 1, .col = 1 });
    defer l.sevRelease();
    for (l.items()) |row| {
        var sq: f64 = 0;
        for (row.items()) |x| sq += x * x;
        try std.testing.expectApproxEqAbs(@as(f64, 1), sq, 1e-12);
    }
}

/// A draw conditioned to lie between `lo` and `hi` (either may be `{}` for no bound), by
/// rejection; faults when the bounds hold almost none of the distribution's mass.
pub fn drawBounded(comptime D: type, args: anytype, lo: anytype, hi: anytype, comptime loc: Loc) f64 {
    var attempt: usize = 0;
    while (attempt < 100_000) : (attempt += 1) {
        const x = draw(D, args, loc);
        const above = if (@TypeOf(lo) == void) true else x >= lo;
        const below = if (@TypeOf(hi) == void) true else x <= hi;
        if (above and below) return x;
    }
    core.fault(loc, "the bounds of this sample leave almost none of the distribution's mass", .{});
}

/// A drawn number as type `T` (an integer, a float or a bool); also used for a model's
/// predictive draws (`modelrt.Mode.predictive`).
pub fn convert(comptime T: type, x: anytype) T {
    const X = @TypeOf(x);
    if (T == X) return x;
    if (T == bool) return x != 0;
    return switch (@typeInfo(T)) {
        .int => if (@typeInfo(X) == .int) @intCast(x) else @intFromFloat(x),
        .float => if (@typeInfo(X) == .int) @floatFromInt(x) else @floatCast(x),
        else => @compileError("unsupported draw type " ++ @typeName(T)),
    };
}

/// The log density (or mass) of `y` under `D` outside a model; faults on invalid parameters.
pub fn lpdf(comptime D: type, y: anytype, args: anytype, comptime loc: Loc) f64 {
    const f = if (@hasDecl(D, "lpdf")) D.lpdf else D.lpmf;
    return @call(.auto, f, .{ @import("ad.zig").F64, y } ++ args) catch core.fault(loc, "{s}", .{dist.lastError()});
}

/// Routes this thread's `random()` to `rng` (null: back to the program's generator).
pub fn useRandom(rng: ?std.Random) void {
    routed = rng;
}

test "useRandom routes draws to another generator" {
    var a = std.Random.DefaultPrng.init(3);
    var b = std.Random.DefaultPrng.init(3);
    useRandom(a.random());
    const x = random().int(u64);
    useRandom(null);
    try std.testing.expectEqual(b.random().int(u64), x);
}

/// A declared parameter constraint (`dist.custom.checkParam`); faults when it is violated.
pub fn checkParam(x: anytype, comptime lo: f64, comptime hi: f64, comptime code: u8, comptime label: []const u8, comptime loc: Loc) void {
    const r = if (comptime isList(@TypeOf(x))) dist.custom.checkParam(x.items(), lo, hi, code, label) else dist.custom.checkParam(x, lo, hi, code, label);
    r catch core.fault(loc, "{s}", .{dist.lastError()});
}

/// The value of a declared distribution's log density; faults when it is NaN.
pub fn checkDensity(lp: f64, comptime label: []const u8, comptime loc: Loc) f64 {
    return dist.custom.checkDensity(lp, label) catch core.fault(loc, "{s}", .{dist.lastError()});
}

/// Whether a value lies in a declared distribution's support (see `dist.custom.inSupport`).
pub fn inSupport(y: anytype, lo: anytype, hi: anytype, comptime code: u8) bool {
    return dist.custom.inSupport(y, lo, hi, code);
}

/// The number of draws of a `sample` with a size; faults when negative.
pub fn checkSize(n: i64, comptime loc: Loc) void {
    if (n < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{n});
}

/// log(w_i / Σw) of a mixture's weights (owned list); faults on invalid weights.
pub fn mixtureLogWeights(w: list_mod.List(f64), comptime k: usize, comptime loc: Loc) list_mod.List(f64) {
    _ = dist.custom.checkWeights(w.items(), k) catch core.fault(loc, "{s}", .{dist.lastError()});
    var out = list_mod.List(f64).withCapacity(k);
    var buf: [64]f64 = undefined;
    const tmp = if (k <= buf.len) buf[0..k] else core.gpa().alloc(f64, k) catch core.outOfMemory();
    defer if (k > buf.len) core.gpa().free(tmp);
    dist.custom.logWeights(@import("ad.zig").F64, w.items(), tmp);
    for (tmp) |x| out.push(x);
    return out;
}

/// The index of a mixture component drawn with probability w_i / Σw; faults on invalid weights.
pub fn pickComponent(w: list_mod.List(f64), comptime k: usize, comptime loc: Loc) i64 {
    return dist.custom.pickComponent(random(), w.items(), k) catch core.fault(loc, "{s}", .{dist.lastError()});
}

fn isList(comptime T: type) bool {
    return @typeInfo(T) == .@"struct" and @hasDecl(T, "Elem") and @hasDecl(T, "items");
}

test "declared-distribution helpers outside a model" {
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    checkParam(@as(f64, 1), 0, 0, 13, "d: b", l);
    const w = list_mod.List(f64).fromSlice(&.{ 1, 3 });
    defer @import("../rc.zig").release(w);
    checkParam(w, 0, 0, 9, "d: w", l);
    const lw = mixtureLogWeights(w, 2, l);
    defer @import("../rc.zig").release(lw);
    try std.testing.expectApproxEqAbs(@log(0.75), lw.items()[1], 1e-15);
    prng = std.Random.DefaultPrng.init(5);
    const k = pickComponent(w, 2, l);
    try std.testing.expect(k == 0 or k == 1);
    try std.testing.expectEqual(@as(f64, -2), checkDensity(-2, "d", l));
    try std.testing.expect(inSupport(@as(f64, 0.5), 0.0, 1.0, 3));
    checkSize(0, l);
}

/// A value that must be a whole number (an observation of a discrete distribution given as a
/// float) converted to i64; faults otherwise.
pub fn wholeNumber(x: f64, comptime loc: Loc) i64 {
    if (!(x == @trunc(x)) or @abs(x) > 9.0e15) core.fault(loc, "a discrete observation must be a whole number, got {d}", .{x});
    return @intFromFloat(x);
}

test "draws are reproducible with the same seed and validate parameters" {
    prng = std.Random.DefaultPrng.init(7);
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    const a = draw(dist.normal, .{ @as(f64, 0), @as(f64, 1) }, l);
    prng = std.Random.DefaultPrng.init(7);
    const b = draw(dist.normal, .{ @as(f64, 0), @as(f64, 1) }, l);
    try std.testing.expectEqual(a, b);
    const k = draw(dist.poisson, .{@as(f64, 3)}, l);
    try std.testing.expect(k >= 0);
    const v = drawVector(dist.exponential, .{@as(f64, 2)}, 5, f64, l);
    defer @import("../rc.zig").release(v);
    try std.testing.expectEqual(@as(i64, 5), v.len());
    try std.testing.expectEqual(@as(i64, 3), wholeNumber(3.0, l));
}

/// Per-thread buffers behind `matrix`, one per element type and operand position.
fn RowsBuffer(comptime T: type, comptime slot: usize) type {
    return struct {
        // the body must use `slot`: a type is keyed by the values its body captures
        const position = slot;
        threadlocal var buf: []T = &.{};
    };
}

/// A matrix argument of a distribution (`[[f64]]` in SIRS: a list of rows) as the row-major view
/// the distributions take. The rows are copied into a per-thread buffer that the next call for
/// the same element type and operand position `slot` (0 for the value, 1.. for the
/// parameters) reuses, so nothing is allocated per evaluation once it has grown, and two matrix
/// operands of one call (hmm_marginal's log emissions and transition matrix) never share one.
/// Rows of different lengths are a fault at the call's location.
pub fn matrix(comptime T: type, comptime slot: usize, rows: []const list_mod.List(T), comptime loc: Loc) linalg.Matrix(T) {
    const cols: usize = if (rows.len == 0) 0 else @intCast(rows[0].len());
    const B = RowsBuffer(T, slot);
    if (B.buf.len < rows.len * cols) {
        std.heap.page_allocator.free(B.buf);
        B.buf = std.heap.page_allocator.alloc(T, @max(rows.len * cols, 64)) catch core.faultNoLoc("out of memory for a matrix argument", .{});
    }
    for (rows, 0..) |r, i| {
        if (r.len() != cols) core.fault(loc, "matrix rows have different lengths: row 1 has {d} values, row {d} has {d}", .{ cols, i + 1, r.len() });
        @memcpy(B.buf[i * cols .. (i + 1) * cols], r.items());
    }
    return .{ .data = B.buf[0 .. rows.len * cols], .rows = rows.len, .cols = cols };
}

test matrix {
    const a = list_mod.List(f64).fromSlice(&.{ 1, 2 });
    defer a.sevRelease();
    const b = list_mod.List(f64).fromSlice(&.{ 3, 4 });
    defer b.sevRelease();
    const m = matrix(f64, 1, &.{ a, b }, .{ .func = "t", .line = 1, .col = 1 });
    try std.testing.expectEqual(@as(usize, 2), m.rows);
    try std.testing.expectEqual(@as(f64, 3), m.at(1, 0));
    // another operand of the same call keeps its own buffer
    const m2 = matrix(f64, 2, &.{b}, .{ .func = "t", .line = 1, .col = 1 });
    try std.testing.expectEqual(@as(f64, 1), m.at(0, 0));
    try std.testing.expectEqual(@as(f64, 3), m2.at(0, 0));
}
