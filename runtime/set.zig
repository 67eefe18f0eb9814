//! `Set(T)`, the sev `{"set": T}` type: an insertion-ordered hash set with value semantics,
//! built on `Map(T, void)` (same hashing, equality, copy-on-write and ownership rules). The
//! set operations return new owned sets whose order follows the first operand, then the
//! second (`union_`).

const std = @import("std");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const map_mod = @import("map.zig");

const Str = str_mod.Str;
const List = list_mod.List;

/// An insertion-ordered hash set with value semantics (see the module comment).
pub fn Set(comptime T: type) type {
    return struct {
        const Self = @This();
        pub const Elem = T;

        map: map_mod.Map(T, void),

        /// The empty set (allocates nothing).
        pub fn empty() Self {
            return .{ .map = .empty() };
        }

        /// A set of the distinct elements of `elems` in first-occurrence order. Owned.
        pub fn fromSlice(elems: []const T) Self {
            var s = empty();
            for (elems) |e| _ = s.insert(e);
            return s;
        }

        /// Adds `x` (retained); returns whether it was new.
        pub fn insert(self: *Self, x: T) bool {
            if (self.map.contains(x)) return false;
            self.map.insert(x, {});
            return true;
        }

        /// Removes `x` (released); returns whether it was present.
        pub fn remove(self: *Self, x: T) bool {
            return self.map.remove(x);
        }

        pub fn contains(self: Self, x: T) bool {
            return self.map.contains(x);
        }

        pub fn len(self: Self) i64 {
            return self.map.len();
        }

        /// The elements in insertion order (borrowed: valid until mutation or release).
        pub fn items(self: Self) []const T {
            return self.map.keySlice();
        }

        /// The elements as an owned list.
        pub fn toList(self: Self) List(T) {
            return List(T).fromSlice(self.items());
        }

        /// Elements of `a` or `b` (owned).
        pub fn union_(a: Self, b: Self) Self {
            var r = a;
            r.sevRetain();
            for (b.items()) |x| _ = r.insert(x);
            return r;
        }

        /// Elements of both `a` and `b`, in `a`'s order (owned).
        pub fn intersection(a: Self, b: Self) Self {
            var r = empty();
            for (a.items()) |x| if (b.contains(x)) {
                _ = r.insert(x);
            };
            return r;
        }

        /// Elements of `a` not in `b`, in `a`'s order (owned).
        pub fn difference(a: Self, b: Self) Self {
            var r = empty();
            for (a.items()) |x| if (!b.contains(x)) {
                _ = r.insert(x);
            };
            return r;
        }

        /// Whether every element of `a` is in `b`.
        pub fn isSubset(a: Self, b: Self) bool {
            for (a.items()) |x| if (!b.contains(x)) return false;
            return true;
        }

        pub fn sevRetain(self: Self) void {
            self.map.sevRetain();
        }

        pub fn sevRelease(self: Self) void {
            self.map.sevRelease();
        }

        pub fn sevEql(a: Self, b: Self) bool {
            return rc.eql(a.map, b.map);
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            rc.hashInto(h, self.map);
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            try w.writeByte('{');
            for (self.items(), 0..) |x, i| {
                if (i > 0) try w.writeAll(", ");
                try fmt.writeValueNested(w, x, true);
            }
            try w.writeByte('}');
        }
    };
}

const testing = std.testing;

test "Set.insert, remove, contains, len, items" {
    var s = Set(Str).empty();
    defer s.sevRelease();
    const b = Str.fromSlice("b");
    try testing.expect(s.insert(b));
    b.sevRelease();
    try testing.expect(s.insert(Str.lit("a")));
    try testing.expect(!s.insert(Str.lit("b")));
    try testing.expectEqual(@as(i64, 2), s.len());
    try testing.expect(s.contains(Str.lit("a")));
    try testing.expectEqualStrings("b", s.items()[0].bytes());
    try testing.expect(s.remove(Str.lit("b")));
    try testing.expect(!s.remove(Str.lit("b")));
    try testing.expectEqual(@as(i64, 1), s.len());
    const l = s.toList();
    defer l.sevRelease();
    try testing.expectEqualStrings("a", l.items()[0].bytes());
}

test "Set value semantics" {
    var a = Set(i64).fromSlice(&.{ 3, 1, 3, 2 });
    defer a.sevRelease();
    try testing.expectEqualSlices(i64, &.{ 3, 1, 2 }, a.items());
    var b = a;
    b.sevRetain();
    defer b.sevRelease();
    _ = b.insert(10);
    try testing.expectEqual(@as(i64, 3), a.len());
    try testing.expectEqual(@as(i64, 4), b.len());
}

test "Set.union_, intersection, difference, isSubset" {
    const a = Set(i64).fromSlice(&.{ 1, 2, 3 });
    defer a.sevRelease();
    const b = Set(i64).fromSlice(&.{ 4, 3, 2 });
    defer b.sevRelease();
    const u = Set(i64).union_(a, b);
    defer u.sevRelease();
    try testing.expectEqualSlices(i64, &.{ 1, 2, 3, 4 }, u.items());
    try testing.expectEqualSlices(i64, &.{ 1, 2, 3 }, a.items());
    const i = Set(i64).intersection(a, b);
    defer i.sevRelease();
    try testing.expectEqualSlices(i64, &.{ 2, 3 }, i.items());
    const d = Set(i64).difference(a, b);
    defer d.sevRelease();
    try testing.expectEqualSlices(i64, &.{1}, d.items());
    try testing.expect(Set(i64).isSubset(i, a));
    try testing.expect(!Set(i64).isSubset(a, b));
}

test "Set equality, hashing and formatting" {
    const a = Set(Str).fromSlice(&.{ Str.lit("x"), Str.lit("y") });
    defer a.sevRelease();
    const b = Set(Str).fromSlice(&.{ Str.lit("y"), Str.lit("x") });
    defer b.sevRelease();
    try testing.expect(rc.eql(a, b));
    try testing.expectEqual(rc.hash(a), rc.hash(b));
    const s = fmt.toStr(a);
    defer s.sevRelease();
    try testing.expectEqualStrings("{\"x\", \"y\"}", s.bytes());
    var nested = Set(Set(Str)).empty();
    defer nested.sevRelease();
    try testing.expect(nested.insert(a));
    try testing.expect(!nested.insert(b));
}
