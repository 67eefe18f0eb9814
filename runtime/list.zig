//! `List(T)`, the sev array/list: a growable array with value semantics. A list value is one
//! pointer to a reference-counted block (header + elements in a single allocation; the empty
//! list has no block). Copying a list value and calling `rc.retain` shares the block; every
//! mutating operation first makes the block unique (copy-on-write), so
//!
//!     var b = a; rc.retain(b); b.push(9);   // a is unchanged
//!
//! The list holds one reference to each element: storing retains, removing releases, and
//! releasing the last reference to the block releases all elements. Indices are `i64` (any
//! integer type is accepted) and out-of-range indices fault with the caller's location.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const str_mod = @import("str.zig");

const Loc = core.Loc;
const Str = str_mod.Str;

fn indexFault(i: anytype, len: usize, loc: *const Loc) noreturn {
    @branchHint(.cold);
    core.faultAt(loc, "index out of bounds: index {d}, length {d}", .{ i, len });
}

/// Converts an index of any integer type, faulting unless `0 <= i < len`.
fn checkIndex(i: anytype, len: usize, loc: *const Loc) usize {
    const u = std.math.cast(usize, i) orelse indexFault(i, len, loc);
    if (u >= len) indexFault(i, len, loc);
    return u;
}

/// A growable array of `T` with value semantics (see the module comment).
pub fn List(comptime T: type) type {
    return struct {
        const Self = @This();
        pub const Elem = T;

        hdr: ?*Header,

        const Header = struct { count: rc.Count, len: usize, cap: usize };
        const block_align = @max(@alignOf(Header), @alignOf(T));
        const items_offset = std.mem.alignForward(usize, @sizeOf(Header), @alignOf(T));

        /// The bytes of a block holding `cap` elements; a size beyond the address space is out
        /// of memory (not an integer overflow inside the runtime).
        fn blockLen(cap: usize) usize {
            const bytes = std.math.mul(usize, cap, @sizeOf(T)) catch core.outOfMemory();
            return std.math.add(usize, items_offset, bytes) catch core.outOfMemory();
        }

        fn block(h: *Header) []align(block_align) u8 {
            const base: [*]align(block_align) u8 = @ptrCast(@alignCast(h));
            return base[0..blockLen(h.cap)];
        }

        fn data(h: *Header) [*]T {
            const base: [*]align(block_align) u8 = @ptrCast(@alignCast(h));
            return @ptrCast(@alignCast(base + items_offset));
        }

        fn allocHeader(cap: usize) *Header {
            const mem = core.gpa().alignedAlloc(u8, block_align, blockLen(cap)) catch core.outOfMemory();
            const h: *Header = @ptrCast(mem.ptr);
            h.* = .{ .count = rc.Count.init(1), .len = 0, .cap = cap };
            return h;
        }

        fn releaseHeader(h: *Header) void {
            if (rc.decRef(&h.count)) {
                if (comptime rc.needsRc(T)) for (data(h)[0..h.len]) |e| rc.release(e);
                core.gpa().free(block(h));
            }
        }

        /// The smallest block a growing list gets: 128 bytes of elements (at least 4), so a
        /// list built by pushing a dozen numbers reallocates once rather than four times.
        const min_cap: usize = @max(4, 128 / @max(1, @sizeOf(T)));

        fn grownCap(cap: usize, need: usize) usize {
            return @max(need, cap +| cap / 2, min_cap);
        }

        /// Makes the block unique (copying it if shared) with room for `need` elements.
        fn reserveUnique(self: *Self, need: usize) *Header {
            const h = self.hdr orelse {
                const nh = allocHeader(@max(need, min_cap));
                self.hdr = nh;
                return nh;
            };
            if (rc.isUnique(&h.count)) {
                if (h.cap >= need) return h;
                const new_cap = grownCap(h.cap, need);
                const mem = core.gpa().realloc(block(h), blockLen(new_cap)) catch core.outOfMemory();
                const nh: *Header = @ptrCast(mem.ptr);
                nh.cap = new_cap;
                self.hdr = nh;
                return nh;
            }
            const nh = allocHeader(if (need > h.len) grownCap(h.len, need) else h.len);
            nh.len = h.len;
            @memcpy(data(nh)[0..h.len], data(h)[0..h.len]);
            for (data(nh)[0..h.len]) |e| rc.retain(e);
            releaseHeader(h);
            self.hdr = nh;
            return nh;
        }

        fn n(self: Self) usize {
            return if (self.hdr) |h| h.len else 0;
        }

        /// The empty list (allocates nothing).
        pub fn empty() Self {
            return .{ .hdr = null };
        }

        /// An empty list with room for `cap` elements.
        pub fn withCapacity(cap: usize) Self {
            if (cap == 0) return empty();
            return .{ .hdr = allocHeader(cap) };
        }

        /// A new list holding copies of `elems` (each retained). Owned.
        pub fn fromSlice(elems: []const T) Self {
            if (elems.len == 0) return empty();
            const h = allocHeader(elems.len);
            @memcpy(data(h)[0..elems.len], elems);
            for (elems) |e| rc.retain(e);
            h.len = elems.len;
            return .{ .hdr = h };
        }

        /// Number of elements.
        pub fn len(self: Self) i64 {
            return @intCast(self.n());
        }

        /// The elements as a slice (borrowed: valid until the list is mutated or released).
        pub fn items(self: Self) []const T {
            const h = self.hdr orelse return &.{};
            return data(h)[0..h.len];
        }

        /// Element `i` (borrowed); faults when out of range.
        pub fn get(self: Self, i: anytype, comptime loc: Loc) T {
            return data(self.hdr orelse indexFault(i, 0, &loc))[checkIndex(i, self.n(), &loc)];
        }

        /// Element `i` (borrowed) without a bounds check: only for the reads of a model whose
        /// bounds were checked once when its data was read (`src/cir/databounds.rs`).
        pub fn getInBounds(self: Self, i: anytype) T {
            return data(self.hdr.?)[@intCast(i)];
        }

        /// A pointer to element `i` for in-place updates of its parts (copy-on-write first).
        /// Valid until the list is next mutated.
        pub fn mutAt(self: *Self, i: anytype, comptime loc: Loc) *T {
            const len_now = self.n();
            const idx = checkIndex(i, len_now, &loc);
            // Fast path (the usual case in a loop that fills a list): the block is ours alone.
            if (self.hdr) |h| {
                if (rc.isUnique(&h.count)) return &data(h)[idx];
            }
            const h = self.reserveUnique(len_now);
            return &data(h)[idx];
        }

        /// Replaces element `i` with `v` (retained; the old element is released).
        pub fn set(self: *Self, i: anytype, v: T, comptime loc: Loc) void {
            const idx = checkIndex(i, self.n(), &loc);
            rc.retain(v);
            const h = self.reserveUnique(0);
            const old = data(h)[idx];
            data(h)[idx] = v;
            rc.release(old);
        }

        /// Appends `v` (retained).
        pub fn push(self: *Self, v: T) void {
            rc.retain(v);
            self.pushOwned(v);
        }

        /// Appends `v`, taking over the caller's reference (no retain).
        pub fn pushOwned(self: *Self, v: T) void {
            // Fast path: the block is ours alone and has room.
            if (self.hdr) |h| {
                if (h.len < h.cap and rc.isUnique(&h.count)) {
                    data(h)[h.len] = v;
                    h.len += 1;
                    return;
                }
            }
            const h = self.reserveUnique(self.n() + 1);
            data(h)[h.len] = v;
            h.len += 1;
        }

        /// Removes and returns the last element (owned); faults on an empty list.
        pub fn pop(self: *Self, comptime loc: Loc) T {
            if (self.n() == 0) {
                @branchHint(.cold);
                core.faultAt(&loc, "pop from an empty list", .{});
            }
            const h = self.reserveUnique(0);
            h.len -= 1;
            return data(h)[h.len];
        }

        /// Inserts `v` (retained) before index `i`; `i == len` appends. Faults unless
        /// `0 <= i <= len`.
        pub fn insert(self: *Self, i: anytype, v: T, comptime loc: Loc) void {
            const len_before = self.n();
            const idx = checkIndex(i, len_before + 1, &loc);
            rc.retain(v);
            const h = self.reserveUnique(len_before + 1);
            const d = data(h);
            std.mem.copyBackwards(T, d[idx + 1 .. len_before + 1], d[idx..len_before]);
            d[idx] = v;
            h.len += 1;
        }

        /// Removes element `i` and returns it (owned); faults when out of range.
        pub fn removeAt(self: *Self, i: anytype, comptime loc: Loc) T {
            const idx = checkIndex(i, self.n(), &loc);
            const h = self.reserveUnique(0);
            const d = data(h);
            const v = d[idx];
            std.mem.copyForwards(T, d[idx .. h.len - 1], d[idx + 1 .. h.len]);
            h.len -= 1;
            return v;
        }

        /// Elements `[lo, hi)` as a new list (owned). Faults unless `0 <= lo <= hi <= len`.
        pub fn slice(self: Self, lo: i64, hi: i64, comptime loc: Loc) Self {
            if (lo < 0 or hi < lo or hi > self.n()) {
                @branchHint(.cold);
                core.faultAt(&loc, "slice out of bounds: {d}..{d} of length {d}", .{ lo, hi, self.n() });
            }
            return fromSlice(self.items()[@intCast(lo)..@intCast(hi)]);
        }

        /// `a` followed by `b` (owned).
        pub fn concat(a: Self, b: Self) Self {
            if (b.n() == 0) return retained(a);
            if (a.n() == 0) return retained(b);
            const h = allocHeader(a.n() + b.n());
            @memcpy(data(h)[0..a.n()], a.items());
            @memcpy(data(h)[a.n()..][0..b.n()], b.items());
            h.len = a.n() + b.n();
            for (data(h)[0..h.len]) |e| rc.retain(e);
            return .{ .hdr = h };
        }

        fn retained(l: Self) Self {
            if (l.hdr) |h| rc.incRef(&h.count);
            return l;
        }

        /// Whether some element is `rc.eql` to `v`.
        pub fn contains(self: Self, v: T) bool {
            return self.indexOf(v) >= 0;
        }

        /// Index of the first element `rc.eql` to `v`, or -1.
        pub fn indexOf(self: Self, v: T) i64 {
            for (self.items(), 0..) |e, i| if (rc.eql(e, v)) return @intCast(i);
            return -1;
        }

        /// A reversed copy (owned).
        pub fn reverse(self: Self) Self {
            var r = fromSlice(self.items());
            r.reverseInPlace();
            return r;
        }

        /// Reverses the elements in place (copy-on-write).
        pub fn reverseInPlace(self: *Self) void {
            if (self.n() < 2) return;
            const h = self.reserveUnique(0);
            std.mem.reverse(T, data(h)[0..h.len]);
        }

        fn lessThan(_: void, a: T, b: T) bool {
            return rc.order(a, b) == .lt;
        }

        /// Sorts ascending by `rc.order` (numbers, strings, bools, lists, structs); stable.
        pub fn sortInPlace(self: *Self) void {
            if (self.n() < 2) return;
            const h = self.reserveUnique(0);
            std.sort.block(T, data(h)[0..h.len], {}, lessThan);
        }

        /// A sorted copy (owned).
        pub fn sorted(self: Self) Self {
            var r = fromSlice(self.items());
            r.sortInPlace();
            return r;
        }

        pub fn sevRetain(self: Self) void {
            if (self.hdr) |h| rc.incRef(&h.count);
        }

        pub fn sevRelease(self: Self) void {
            if (self.hdr) |h| releaseHeader(h);
        }

        pub fn sevEql(a: Self, b: Self) bool {
            if (a.hdr == b.hdr) return true;
            if (a.n() != b.n()) return false;
            for (a.items(), b.items()) |x, y| if (!rc.eql(x, y)) return false;
            return true;
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            rc.hashInto(h, self.n());
            for (self.items()) |e| rc.hashInto(h, e);
        }

        pub fn sevOrder(a: Self, b: Self) std.math.Order {
            for (a.items()[0..@min(a.n(), b.n())], b.items()[0..@min(a.n(), b.n())]) |x, y| {
                const o = rc.order(x, y);
                if (o != .eq) return o;
            }
            return std.math.order(a.n(), b.n());
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            try w.writeByte('[');
            for (self.items(), 0..) |e, i| {
                if (i > 0) try w.writeAll(", ");
                try fmt.writeValueNested(w, e, true);
            }
            try w.writeByte(']');
        }

        /// The current reference count of the block (0 for an unallocated empty list). For tests.
        pub fn refCount(self: Self) usize {
            return if (self.hdr) |h| h.count.load() else 0;
        }
    };
}

const tloc: Loc = .{ .func = "t", .line = 4, .col = 2 };
const testing = std.testing;

fn strList(comptime words: []const []const u8) List(Str) {
    var l = List(Str).empty();
    inline for (words) |w| l.pushOwned(Str.fromSlice(w));
    return l;
}

test "List.empty and len" {
    const l = List(i64).empty();
    try testing.expectEqual(@as(i64, 0), l.len());
    try testing.expectEqual(@as(usize, 0), l.items().len);
    l.sevRelease();
    const c = List(i64).withCapacity(10);
    defer c.sevRelease();
    try testing.expectEqual(@as(i64, 0), c.len());
}

test "a list growing by pushes gets at least 128 bytes of elements at once" {
    var xs = List(f64).fromSlice(&.{1.0});
    defer xs.sevRelease();
    xs.push(2.0);
    const block = xs.hdr.?;
    try testing.expectEqual(@as(usize, 16), block.cap);
    for (0..14) |k| xs.push(@floatFromInt(k));
    try testing.expect(xs.hdr.? == block); // sixteen numbers: no second reallocation
    var big = List([40]u8).empty();
    defer big.sevRelease();
    big.push([_]u8{0} ** 40);
    try testing.expectEqual(@as(usize, 4), big.hdr.?.cap);
}

test "List.fromSlice, get and items" {
    const l = List(i64).fromSlice(&.{ 10, 20, 30 });
    defer l.sevRelease();
    try testing.expectEqual(@as(i64, 3), l.len());
    try testing.expectEqual(@as(i64, 20), l.get(@as(i64, 1), tloc));
    try testing.expectEqual(@as(i64, 30), l.get(@as(u8, 2), tloc));
    try testing.expectEqual(@as(i64, 20), l.getInBounds(@as(i64, 1)));
    try testing.expectEqualSlices(i64, &.{ 10, 20, 30 }, l.items());
    try core.expectExit(101, "error: index out of bounds: index 5, length 3\n  --> <unknown>:4:2 (in function `t`)\n", List(i64).get, .{ l, @as(i64, 5), tloc });
    try core.expectExit(101, "error: index out of bounds: index -1, length 3\n  --> <unknown>:4:2 (in function `t`)\n", List(i64).get, .{ l, @as(i64, -1), tloc });
    try core.expectExit(101, "error: index out of bounds: index 0, length 0\n  --> <unknown>:4:2 (in function `t`)\n", List(i64).get, .{ List(i64).empty(), @as(i64, 0), tloc });
}

test "List value semantics with counted elements" {
    var a = strList(&.{ "x", "y" });
    defer a.sevRelease();
    var b = a;
    rc.retain(b); // b is a second reference to the same block
    b.push(Str.lit("z")); // copy-on-write: a keeps two elements
    b.set(@as(i64, 0), Str.lit("X"), tloc);
    defer b.sevRelease();
    try testing.expectEqual(@as(i64, 2), a.len());
    try testing.expectEqualStrings("x", a.get(@as(i64, 0), tloc).bytes());
    try testing.expectEqual(@as(i64, 3), b.len());
    try testing.expectEqualStrings("X", b.get(@as(i64, 0), tloc).bytes());
    try testing.expectEqualStrings("y", b.get(@as(i64, 1), tloc).bytes());
    // "y" is shared by both lists' blocks.
    try testing.expectEqual(@as(usize, 2), a.get(@as(i64, 1), tloc).refCount());
    try testing.expectEqual(@as(usize, 1), a.refCount());
}

test "List of lists" {
    var inner = List(i64).fromSlice(&.{ 1, 2 });
    var outer = List(List(i64)).empty();
    outer.push(inner);
    outer.push(inner);
    inner.push(3); // inner is shared with outer: COW leaves outer's copies alone
    try testing.expectEqual(@as(i64, 3), inner.len());
    try testing.expectEqual(@as(i64, 2), outer.get(@as(i64, 0), tloc).len());
    var copy = outer;
    rc.retain(copy);
    var first = copy.get(@as(i64, 0), tloc);
    rc.retain(first);
    first.push(99);
    copy.set(@as(i64, 0), first, tloc);
    rc.release(first);
    try testing.expectEqualSlices(i64, &.{ 1, 2, 99 }, copy.get(@as(i64, 0), tloc).items());
    try testing.expectEqualSlices(i64, &.{ 1, 2 }, outer.get(@as(i64, 0), tloc).items());
    rc.release(copy);
    rc.release(outer);
    rc.release(inner);
}

test "List.push grows and pushOwned takes ownership" {
    var l = List(i32).empty();
    defer l.sevRelease();
    var i: i32 = 0;
    while (i < 1000) : (i += 1) l.push(i);
    try testing.expectEqual(@as(i64, 1000), l.len());
    try testing.expectEqual(@as(i32, 999), l.get(@as(i64, 999), tloc));
    var s = List(Str).empty();
    defer s.sevRelease();
    s.pushOwned(Str.fromSlice("moved"));
    try testing.expectEqual(@as(usize, 1), s.get(@as(i64, 0), tloc).refCount());
}

test "List.pop" {
    var l = strList(&.{ "a", "b" });
    defer l.sevRelease();
    var shared = l;
    rc.retain(shared);
    const last = shared.pop(tloc);
    defer last.sevRelease();
    try testing.expectEqualStrings("b", last.bytes());
    try testing.expectEqual(@as(i64, 1), shared.len());
    try testing.expectEqual(@as(i64, 2), l.len());
    const first = shared.pop(tloc);
    first.sevRelease();
    try testing.expectEqual(@as(i64, 0), shared.len());
    shared.sevRelease();
    try core.expectExit(101, "error: pop from an empty list\n  --> <unknown>:4:2 (in function `t`)\n", struct {
        fn f() void {
            var e = List(i64).empty();
            _ = e.pop(tloc);
        }
    }.f, .{});
}

test "List.insert and removeAt" {
    var l = List(i64).fromSlice(&.{ 1, 3 });
    defer l.sevRelease();
    l.insert(@as(i64, 1), 2, tloc);
    l.insert(@as(i64, 3), 4, tloc);
    l.insert(@as(i64, 0), 0, tloc);
    try testing.expectEqualSlices(i64, &.{ 0, 1, 2, 3, 4 }, l.items());
    try testing.expectEqual(@as(i64, 2), l.removeAt(@as(i64, 2), tloc));
    try testing.expectEqualSlices(i64, &.{ 0, 1, 3, 4 }, l.items());
    try core.expectExit(101, "error: index out of bounds: index 6, length 5\n  --> <unknown>:4:2 (in function `t`)\n", struct {
        fn f() void {
            var x = List(i64).fromSlice(&.{ 1, 2, 3, 4 });
            x.insert(@as(i64, 6), 0, tloc);
        }
    }.f, .{});
}

test "List.slice and concat" {
    const l = strList(&.{ "a", "b", "c", "d" });
    defer l.sevRelease();
    const s = l.slice(1, 3, tloc);
    defer s.sevRelease();
    try testing.expectEqual(@as(i64, 2), s.len());
    try testing.expectEqualStrings("c", s.get(@as(i64, 1), tloc).bytes());
    const c = List(Str).concat(s, l);
    defer c.sevRelease();
    try testing.expectEqual(@as(i64, 6), c.len());
    try testing.expectEqualStrings("d", c.get(@as(i64, 5), tloc).bytes());
    const same = List(Str).concat(l, List(Str).empty());
    defer same.sevRelease();
    try testing.expectEqual(l.hdr, same.hdr);
    try core.expectExit(101, "error: slice out of bounds: 2..5 of length 4\n  --> <unknown>:4:2 (in function `t`)\n", List(Str).slice, .{ l, 2, 5, tloc });
}

test "List.contains and indexOf" {
    const l = strList(&.{ "red", "green" });
    defer l.sevRelease();
    try testing.expect(l.contains(Str.lit("green")));
    try testing.expect(!l.contains(Str.lit("blue")));
    try testing.expectEqual(@as(i64, 1), l.indexOf(Str.lit("green")));
    try testing.expectEqual(@as(i64, -1), l.indexOf(Str.lit("blue")));
}

test "List.reverse" {
    var l = List(i64).fromSlice(&.{ 1, 2, 3 });
    defer l.sevRelease();
    const r = l.reverse();
    defer r.sevRelease();
    try testing.expectEqualSlices(i64, &.{ 3, 2, 1 }, r.items());
    try testing.expectEqualSlices(i64, &.{ 1, 2, 3 }, l.items());
    l.reverseInPlace();
    try testing.expectEqualSlices(i64, &.{ 3, 2, 1 }, l.items());
}

test "List.sortInPlace is stable and sorts strings and floats" {
    var s = strList(&.{ "pear", "apple", "fig", "Banana" });
    defer s.sevRelease();
    s.sortInPlace();
    try testing.expectEqualStrings("Banana", s.get(@as(i64, 0), tloc).bytes());
    try testing.expectEqualStrings("apple", s.get(@as(i64, 1), tloc).bytes());
    try testing.expectEqualStrings("pear", s.get(@as(i64, 3), tloc).bytes());
    var f = List(f64).fromSlice(&.{ 2.5, std.math.nan(f64), -1.0, 0.0 });
    defer f.sevRelease();
    const fs = f.sorted();
    defer fs.sevRelease();
    try testing.expectEqual(@as(f64, -1.0), fs.items()[0]);
    try testing.expectEqual(@as(f64, 2.5), fs.items()[2]);
    try testing.expect(std.math.isNan(fs.items()[3]));
    try testing.expectEqual(@as(f64, 2.5), f.items()[0]); // original untouched
    // Stability: -0.0 and 0.0 are equal under rc.order, so they must keep their order.
    var z = List(f64).fromSlice(&.{ 0.0, 1.0, -0.0, -1.0, 0.0, -0.0 });
    defer z.sevRelease();
    z.sortInPlace();
    try testing.expectEqual(@as(f64, -1.0), z.items()[0]);
    const signs = [_]bool{ false, true, false, true };
    for (signs, z.items()[1..5]) |neg, v| try testing.expectEqual(neg, std.math.signbit(v));
}

test "List equality, hashing, ordering and formatting" {
    const a = List(i64).fromSlice(&.{ 1, 2 });
    defer a.sevRelease();
    const b = List(i64).fromSlice(&.{ 1, 2 });
    defer b.sevRelease();
    const c = List(i64).fromSlice(&.{ 1, 2, 0 });
    defer c.sevRelease();
    try testing.expect(rc.eql(a, b));
    try testing.expect(!rc.eql(a, c));
    try testing.expectEqual(rc.hash(a), rc.hash(b));
    try testing.expectEqual(std.math.Order.lt, rc.order(a, c));
    const s = fmt.toStr(List(Str).empty());
    defer s.sevRelease();
    try testing.expectEqualStrings("[]", s.bytes());
    const words = strList(&.{ "a", "b" });
    defer words.sevRelease();
    const t = fmt.toStr(words);
    defer t.sevRelease();
    try testing.expectEqualStrings("[\"a\", \"b\"]", t.bytes());
}

test "List and Str counts are safe across threads" {
    if (@import("builtin").single_threaded) return error.SkipZigTest;
    const shared = strList(&.{ "one", "two" });
    defer shared.sevRelease();
    const Worker = struct {
        fn work(l: List(Str)) void {
            for (0..2000) |i| {
                var mine = l;
                rc.retain(mine);
                mine.push(Str.lit("extra")); // copies: l is shared
                if (i % 2 == 0) rc.retain(mine.get(@as(i64, 0), tloc)) else rc.retain(l.get(@as(i64, 0), tloc));
                rc.release(l.get(@as(i64, 0), tloc));
                rc.release(mine);
            }
        }
    };
    var threads: [4]std.Thread = undefined;
    for (&threads) |*t| t.* = try std.Thread.spawn(.{}, Worker.work, .{shared});
    for (threads) |t| t.join();
    try testing.expectEqual(@as(usize, 1), shared.refCount());
    try testing.expectEqual(@as(usize, 1), shared.get(@as(i64, 0), tloc).refCount());
    try testing.expectEqual(@as(usize, 1), shared.get(@as(i64, 1), tloc).refCount());
}

test "mutAt copies a shared block before handing out a pointer" {
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    var a = List(i64).fromSlice(&.{ 1, 2, 3 });
    defer rc.release(a);
    var b = a;
    rc.retain(b);
    defer rc.release(b);
    b.mutAt(1, l).* = 20;
    try std.testing.expectEqual(@as(i64, 2), a.get(1, l));
    try std.testing.expectEqual(@as(i64, 20), b.get(1, l));
}
