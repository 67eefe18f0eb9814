//! Slices of matrices and vectors: `row`, `col`, `block` and `segment`, 0-based like indexing.
//! A slice holds the same elements (model reals stay the same tape variables), so it needs no
//! backward pass of its own; a slice out of range is a located fault. The backend calls these
//! as `rt.ppl.matrix_slice.<name>` (`src/zig/expr.rs`), with the AD mode first like the other
//! matrix functions (`matrix.zig`).

const core = @import("../core.zig");
const matrix = @import("matrix.zig");

const Loc = core.Loc;
const ItemOf = matrix.ItemOf;
const shape = matrix.shape;


/// Faults unless [start, start + len) lies in [0, n).
fn checkRange(comptime what: []const u8, comptime dim: []const u8, start: i64, len: i64, n: usize, comptime loc: Loc) void {
    const ni: i64 = @intCast(n);
    if (start < 0 or len < 0 or start > ni or len > ni - start)
        core.fault(loc, what ++ ": " ++ dim ++ " {d} to {d} are out of range for {d} " ++ dim, .{ start, start + len - 1, n });
}

/// `row(A, i)`: row i of A (from 0) as a vector.
pub fn row(comptime S: type, a: anytype, i: i64, comptime loc: Loc) ItemOf(@TypeOf(a)) {
    _ = S;
    const sa = shape(a, "row", loc);
    checkRange("row", "rows", i, 1, sa.rows, loc);
    return ItemOf(@TypeOf(a)).fromSlice(a.items()[@intCast(i)].items());
}

/// `col(A, j)`: column j of A (from 0) as a vector.
pub fn col(comptime S: type, a: anytype, j: i64, comptime loc: Loc) ItemOf(@TypeOf(a)) {
    _ = S;
    const sa = shape(a, "col", loc);
    checkRange("col", "columns", j, 1, sa.cols, loc);
    var out = ItemOf(@TypeOf(a)).withCapacity(sa.rows);
    for (a.items()) |r| out.pushOwned(r.items()[@intCast(j)]);
    return out;
}

/// `block(A, i, j, nr, nc)`: the nr x nc block of A whose top-left element is A[i][j].
pub fn block(comptime S: type, a: anytype, i: i64, j: i64, nr: i64, nc: i64, comptime loc: Loc) @TypeOf(a) {
    _ = S;
    const sa = shape(a, "block", loc);
    checkRange("block", "rows", i, nr, sa.rows, loc);
    checkRange("block", "columns", j, nc, sa.cols, loc);
    const first: usize = @intCast(j);
    var out = @TypeOf(a).withCapacity(@intCast(nr));
    for (a.items()[@intCast(i)..][0..@intCast(nr)]) |r| out.pushOwned(ItemOf(@TypeOf(a)).fromSlice(r.items()[first..][0..@intCast(nc)]));
    return out;
}

/// `segment(v, i, n)`: the n elements of v from v[i].
pub fn segment(comptime S: type, v: anytype, i: i64, n: i64, comptime loc: Loc) @TypeOf(v) {
    _ = S;
    checkRange("segment", "elements", i, n, @intCast(v.len()), loc);
    return @TypeOf(v).fromSlice(v.items()[@intCast(i)..][0..@intCast(n)]);
}

