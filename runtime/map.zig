//! `Map(K, V)`, the sev `{"map": {key, value}}` type: an insertion-ordered hash map with value
//! semantics. A map value is one pointer to a reference-counted block holding a
//! `std.ArrayHashMapUnmanaged` whose hashing and equality are `rc.hash`/`rc.eql`, so any sev
//! value can be a key (strings by bytes, floats by value with 0.0 == -0.0; NaN is never equal
//! to itself, so NaN keys are never found again). Mutation is copy-on-write, iteration follows
//! insertion order (`keyAt`/`valueAt` with an index from 0 to `len() - 1`), and removing an entry
//! keeps the order of the rest. The map holds one reference to each key and value.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");

const Loc = core.Loc;
const Str = str_mod.Str;
const List = list_mod.List;
const Option = option.Option;

/// An insertion-ordered hash map with value semantics (see the module comment).
pub fn Map(comptime K: type, comptime V: type) type {
    return struct {
        const Self = @This();
        pub const Key = K;
        pub const Value = V;

        inner: ?*Inner,

        const Ctx = struct {
            pub fn hash(_: Ctx, k: K) u32 {
                return @truncate(rc.hash(k));
            }
            pub fn eql(_: Ctx, a: K, b: K, _: usize) bool {
                return rc.eql(a, b);
            }
        };
        const Impl = std.ArrayHashMapUnmanaged(K, V, Ctx, true);
        const Inner = struct { count: rc.Count, map: Impl };

        fn newInner(map: Impl) *Inner {
            const in = core.create(Inner);
            in.* = .{ .count = rc.Count.init(1), .map = map };
            return in;
        }

        fn releaseInner(in: *Inner) void {
            if (!rc.decRef(&in.count)) return;
            if (comptime rc.needsRc(K)) for (in.map.keys()) |k| rc.release(k);
            if (comptime rc.needsRc(V)) for (in.map.values()) |v| rc.release(v);
            in.map.deinit(core.gpa());
            core.destroy(in);
        }

        /// Makes the block unique (copying it if shared) and returns the map to mutate.
        fn unique(self: *Self) *Impl {
            const in = self.inner orelse {
                const fresh = newInner(.{});
                self.inner = fresh;
                return &fresh.map;
            };
            if (rc.isUnique(&in.count)) return &in.map;
            const copy = newInner(in.map.clone(core.gpa()) catch core.outOfMemory());
            for (copy.map.keys()) |k| rc.retain(k);
            for (copy.map.values()) |v| rc.retain(v);
            releaseInner(in);
            self.inner = copy;
            return &copy.map;
        }

        fn impl(self: Self) ?*const Impl {
            return if (self.inner) |in| &in.map else null;
        }

        /// The empty map (allocates nothing).
        pub fn empty() Self {
            return .{ .inner = null };
        }

        /// Number of entries.
        pub fn len(self: Self) i64 {
            return @intCast(if (self.impl()) |m| m.count() else 0);
        }

        /// Sets `m[k] = v` (both retained). Replacing keeps the entry's position and original
        /// key and releases the old value; a new key goes last.
        pub fn insert(self: *Self, k: K, v: V) void {
            rc.retain(v);
            const m = self.unique();
            const gop = m.getOrPut(core.gpa(), k) catch core.outOfMemory();
            if (gop.found_existing) {
                const old = gop.value_ptr.*;
                gop.value_ptr.* = v;
                rc.release(old);
            } else {
                rc.retain(k);
                gop.value_ptr.* = v;
            }
        }

        /// The value for `k` (borrowed payload), or None.
        pub fn get(self: Self, k: K) Option(V) {
            const m = self.impl() orelse return .None;
            return Option(V).fromOptional(m.get(k));
        }

        /// The value for `k` (borrowed); faults with `key not found: <k>` when absent.
        pub fn at(self: Self, k: K, comptime loc: Loc) V {
            if (self.impl()) |m| if (m.get(k)) |v| return v;
            var buf: [256]u8 = undefined;
            var stream = std.io.fixedBufferStream(&buf);
            fmt.writeValueNested(stream.writer(), k, true) catch {};
            core.fault(loc, "key not found: {s}", .{stream.getWritten()});
        }

        /// Whether `k` has an entry.
        pub fn contains(self: Self, k: K) bool {
            const m = self.impl() orelse return false;
            return m.contains(k);
        }

        /// Removes `k`'s entry (releasing key and value); returns whether it existed. The other
        /// entries keep their order.
        pub fn remove(self: *Self, k: K) bool {
            if (!self.contains(k)) return false;
            const kv = self.unique().fetchOrderedRemove(k) orelse unreachable;
            rc.release(kv.key);
            rc.release(kv.value);
            return true;
        }

        /// The keys in insertion order (owned list).
        pub fn keys(self: Self) List(K) {
            return List(K).fromSlice(self.keySlice());
        }

        /// The values in insertion order (owned list).
        pub fn values(self: Self) List(V) {
            return List(V).fromSlice(self.valueSlice());
        }

        /// The keys as a slice (borrowed: valid until the map is mutated or released).
        pub fn keySlice(self: Self) []const K {
            const m = self.impl() orelse return &.{};
            return m.keys();
        }

        /// The values as a slice (borrowed: valid until the map is mutated or released).
        pub fn valueSlice(self: Self) []const V {
            const m = self.impl() orelse return &.{};
            return m.values();
        }

        fn checkPosition(self: Self, i: anytype) usize {
            const n: usize = @intCast(self.len());
            const u = std.math.cast(usize, i) orelse n;
            if (u >= n) core.faultNoLoc("map position {d} out of range for length {d}", .{ i, n });
            return u;
        }

        /// The `i`-th key in insertion order (borrowed), for `for` loops.
        pub fn keyAt(self: Self, i: anytype) K {
            return self.keySlice()[self.checkPosition(i)];
        }

        /// The `i`-th value in insertion order (borrowed), for `for` loops.
        pub fn valueAt(self: Self, i: anytype) V {
            return self.valueSlice()[self.checkPosition(i)];
        }

        pub fn sevRetain(self: Self) void {
            if (self.inner) |in| rc.incRef(&in.count);
        }

        pub fn sevRelease(self: Self) void {
            if (self.inner) |in| releaseInner(in);
        }

        /// Equal when both have the same keys with equal values, in any order.
        pub fn sevEql(a: Self, b: Self) bool {
            if (a.inner == b.inner) return true;
            if (a.len() != b.len()) return false;
            const bm = b.impl() orelse return true;
            for (a.keySlice(), a.valueSlice()) |k, v| {
                const w = bm.get(k) orelse return false;
                if (!rc.eql(v, w)) return false;
            }
            return true;
        }

        /// Order-independent, consistent with `sevEql`.
        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            var acc: u64 = 0;
            for (self.keySlice(), self.valueSlice()) |k, v| acc +%= rc.hash(.{ k, v });
            rc.hashInto(h, self.len());
            rc.hashInto(h, acc);
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            try w.writeByte('{');
            for (self.keySlice(), self.valueSlice(), 0..) |k, v, i| {
                if (i > 0) try w.writeAll(", ");
                try fmt.writeValueNested(w, k, true);
                try w.writeAll(": ");
                try fmt.writeValueNested(w, v, true);
            }
            try w.writeByte('}');
        }

        /// The current reference count of the block (0 for an unallocated empty map). For tests.
        pub fn refCount(self: Self) usize {
            return if (self.inner) |in| in.count.load() else 0;
        }
    };
}

const testing = std.testing;
const tloc: Loc = .{ .func = "lookup", .line = 9, .col = 14 };

test "Map.insert, get, len" {
    var m = Map(Str, i64).empty();
    defer m.sevRelease();
    try testing.expectEqual(@as(i64, 0), m.len());
    try testing.expect(m.get(Str.lit("a")) == .None);
    const key = Str.fromSlice("apple");
    m.insert(key, 1);
    key.sevRelease(); // the map keeps its own reference
    m.insert(Str.lit("banana"), 2);
    m.insert(Str.lit("apple"), 10); // replace: position and first key kept
    try testing.expectEqual(@as(i64, 2), m.len());
    try testing.expectEqual(@as(i64, 10), m.get(Str.lit("apple")).Some);
    try testing.expectEqualStrings("apple", m.keyAt(@as(i64, 0)).bytes());
    try testing.expectEqual(@as(i64, 2), m.valueAt(@as(i64, 1)));
    try testing.expectEqual(@as(i64, 2), m.at(Str.lit("banana"), tloc));
    try core.expectExit(101, "error: key not found: \"cherry\"\n  --> <unknown>:9:14 (in function `lookup`)\n", Map(Str, i64).at, .{ m, Str.lit("cherry"), tloc });
}

test "Map value semantics and counted values" {
    var a = Map(i64, List(Str)).empty();
    defer a.sevRelease();
    var names = List(Str).empty();
    names.pushOwned(Str.fromSlice("x"));
    a.insert(1, names);
    names.sevRelease();
    var b = a;
    rc.retain(b);
    defer b.sevRelease();
    b.insert(2, List(Str).empty());
    b.insert(1, List(Str).empty()); // releases b's reference to the old list only
    try testing.expectEqual(@as(i64, 1), a.len());
    try testing.expectEqual(@as(i64, 1), a.get(1).Some.len());
    try testing.expectEqual(@as(i64, 2), b.len());
    try testing.expectEqual(@as(i64, 0), b.get(1).Some.len());
    try testing.expectEqual(@as(usize, 1), a.get(1).Some.refCount());
}

test "Map.remove keeps order" {
    var m = Map(Str, f64).empty();
    defer m.sevRelease();
    m.insert(Str.lit("a"), 1.0);
    m.insert(Str.lit("b"), 2.0);
    m.insert(Str.lit("c"), 3.0);
    var snapshot = m;
    rc.retain(snapshot);
    defer snapshot.sevRelease();
    try testing.expect(m.remove(Str.lit("a")));
    try testing.expect(!m.remove(Str.lit("zzz")));
    try testing.expectEqual(@as(i64, 2), m.len());
    try testing.expectEqualStrings("b", m.keyAt(@as(usize, 0)).bytes());
    try testing.expectEqualStrings("c", m.keyAt(@as(usize, 1)).bytes());
    try testing.expect(!m.contains(Str.lit("a")));
    try testing.expect(snapshot.contains(Str.lit("a")));
    try testing.expectEqual(@as(i64, 3), snapshot.len());
}

test "Map.keys and values" {
    var m = Map(Str, i32).empty();
    defer m.sevRelease();
    m.insert(Str.lit("z"), 26);
    m.insert(Str.lit("a"), 1);
    const ks = m.keys();
    defer ks.sevRelease();
    const vs = m.values();
    defer vs.sevRelease();
    try testing.expectEqualStrings("z", ks.items()[0].bytes());
    try testing.expectEqualStrings("a", ks.items()[1].bytes());
    try testing.expectEqualSlices(i32, &.{ 26, 1 }, vs.items());
    try testing.expectEqual(@as(usize, 0), Map(i64, i64).empty().keySlice().len);
    try testing.expectEqual(@as(usize, 0), Map(i64, i64).empty().valueSlice().len);
}

test "Map float keys: 0.0 and -0.0 are one key" {
    var m = Map(f64, i64).empty();
    defer m.sevRelease();
    m.insert(0.0, 1);
    m.insert(-0.0, 2);
    try testing.expectEqual(@as(i64, 1), m.len());
    try testing.expectEqual(@as(i64, 2), m.get(0.0).Some);
    try core.expectExit(101, "error: map position 1 out of range for length 1\n", Map(f64, i64).keyAt, .{ m, @as(i64, 1) });
}

test "Map equality, hashing and formatting" {
    var a = Map(Str, i64).empty();
    defer a.sevRelease();
    var b = Map(Str, i64).empty();
    defer b.sevRelease();
    a.insert(Str.lit("x"), 1);
    a.insert(Str.lit("y"), 2);
    b.insert(Str.lit("y"), 2);
    b.insert(Str.lit("x"), 1);
    try testing.expect(rc.eql(a, b));
    try testing.expectEqual(rc.hash(a), rc.hash(b));
    b.insert(Str.lit("x"), 5);
    try testing.expect(!rc.eql(a, b));
    const s = fmt.toStr(a);
    defer s.sevRelease();
    try testing.expectEqualStrings("{\"x\": 1, \"y\": 2}", s.bytes());
    // Maps can be keys of maps.
    var outer = Map(Map(Str, i64), bool).empty();
    defer outer.sevRelease();
    outer.insert(a, true);
    try testing.expect(outer.contains(a));
}
