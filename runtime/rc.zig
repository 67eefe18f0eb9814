//! Reference counting and structural operations over every runtime value. Counted types (Str,
//! List, Map, Set, Box) declare `sevRetain`/`sevRelease`; `retain` and `release` reach them
//! through any nesting of generated structs, tagged unions, optionals and fixed arrays, chosen
//! at compile time, and compile to nothing for plain data. Counts are atomic so values may
//! cross threads; the last `release` frees the buffer with `core.gpa()` after releasing its
//! contents. The same compile-time walk gives structural equality (`eql`), hashing (`hash`)
//! and ordering (`order`), which Map, Set and sorting use. `Box(T)` is the immutable counted
//! cell that holds a recursive enum payload.

const std = @import("std");
const core = @import("core.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");

const Str = str_mod.Str;

/// An atomic reference count. A fresh buffer starts at 1 (owned by its creator).
pub const Count = struct {
    raw: std.atomic.Value(usize),

    pub fn init(n: usize) Count {
        return .{ .raw = std.atomic.Value(usize).init(n) };
    }

    /// The current count (for tests and uniqueness checks).
    pub fn load(self: *const Count) usize {
        return self.raw.load(.acquire);
    }
};

/// Adds one reference.
pub fn incRef(c: *Count) void {
    _ = c.raw.fetchAdd(1, .monotonic);
}

/// Drops one reference; returns true when it was the last one (the caller then frees).
pub fn decRef(c: *Count) bool {
    return c.raw.fetchSub(1, .acq_rel) == 1;
}

/// True when the caller holds the only reference (so mutation in place is invisible).
pub fn isUnique(c: *const Count) bool {
    return c.load() == 1;
}

test decRef {
    var c = Count.init(1);
    incRef(&c);
    try std.testing.expect(!isUnique(&c));
    try std.testing.expect(!decRef(&c));
    try std.testing.expect(isUnique(&c));
    try std.testing.expect(decRef(&c));
    try std.testing.expectEqual(@as(usize, 0), c.load());
}

fn hasCountedDecl(comptime T: type) bool {
    return switch (@typeInfo(T)) {
        .@"struct", .@"union", .@"enum", .@"opaque" => @hasDecl(T, "sevRetain"),
        else => false,
    };
}

/// Whether values of `T` contain any reference-counted part.
pub fn needsRc(comptime T: type) bool {
    if (hasCountedDecl(T)) return true;
    return switch (@typeInfo(T)) {
        .@"struct" => |info| inline for (info.fields) |f| {
            if (!f.is_comptime and needsRc(f.type)) break true;
        } else false,
        .@"union" => |info| inline for (info.fields) |f| {
            if (needsRc(f.type)) break true;
        } else false,
        .optional => |info| needsRc(info.child),
        .array => |info| needsRc(info.child),
        .error_union => |info| needsRc(info.payload),
        else => false,
    };
}

test needsRc {
    const Plain = struct { a: i64, b: [3]f64, c: ?bool };
    const Holder = struct { a: i64, name: ?Str };
    const U = union(enum) { n: i64, s: [2]Str };
    try std.testing.expect(!needsRc(Plain));
    try std.testing.expect(!needsRc(i32));
    try std.testing.expect(needsRc(Str));
    try std.testing.expect(needsRc(Holder));
    try std.testing.expect(needsRc(U));
    try std.testing.expect(needsRc(list_mod.List(i64)));
    try std.testing.expect(needsRc(Box(i64)));
}

/// Adds a reference to every counted part of `x` (no-op for plain data).
pub fn retain(x: anytype) void {
    const T = @TypeOf(x);
    if (comptime !needsRc(T)) return;
    if (comptime hasCountedDecl(T)) return x.sevRetain();
    switch (@typeInfo(T)) {
        .@"struct" => |info| inline for (info.fields) |f| {
            if (!f.is_comptime) retain(@field(x, f.name));
        },
        .@"union" => switch (x) {
            inline else => |payload| retain(payload),
        },
        .optional => if (x) |p| retain(p),
        .array => for (x) |e| retain(e),
        .error_union => if (x) |p| retain(p) else |_| {},
        else => unreachable,
    }
}

/// Drops a reference from every counted part of `x`; buffers whose count reaches zero release
/// their contents and are freed.
pub fn release(x: anytype) void {
    const T = @TypeOf(x);
    if (comptime !needsRc(T)) return;
    if (comptime hasCountedDecl(T)) return x.sevRelease();
    switch (@typeInfo(T)) {
        .@"struct" => |info| inline for (info.fields) |f| {
            if (!f.is_comptime) release(@field(x, f.name));
        },
        .@"union" => switch (x) {
            inline else => |payload| release(payload),
        },
        .optional => if (x) |p| release(p),
        .array => for (x) |e| release(e),
        .error_union => if (x) |p| release(p) else |_| {},
        else => unreachable,
    }
}

test retain {
    const Rec = struct { id: i64, name: Str, tags: [2]?Str };
    const U = union(enum) { rec: Rec, none };
    const name = Str.fromSlice("Ada");
    const tag = Str.fromSlice("x");
    const u = U{ .rec = .{ .id = 1, .name = name, .tags = .{ tag, null } } };
    retain(u); // name and tag now have two references each
    try std.testing.expectEqual(@as(usize, 2), name.refCount());
    try std.testing.expectEqual(@as(usize, 2), tag.refCount());
    release(u);
    try std.testing.expectEqual(@as(usize, 1), name.refCount());
    release(u); // frees both; std.testing.allocator reports a leak otherwise
    retain(@as(i64, 5));
    release(U.none);
}

/// An immutable, reference-counted heap cell; holds the payload of a recursive enum
/// (`Expr = union(enum) { num: i64, add: struct { l: Box(Expr), r: Box(Expr) } }`).
pub fn Box(comptime T: type) type {
    return struct {
        const Self = @This();
        cell: *Cell,

        const Cell = struct { count: Count, value: T };

        /// Creates a box holding `v`; takes ownership of `v`. The result is owned.
        pub fn new(v: T) Self {
            const c = core.create(Cell);
            c.* = .{ .count = Count.init(1), .value = v };
            return .{ .cell = c };
        }

        /// The boxed value (borrowed).
        pub fn get(self: Self) T {
            return self.cell.value;
        }

        pub fn sevRetain(self: Self) void {
            incRef(&self.cell.count);
        }

        pub fn sevRelease(self: Self) void {
            if (decRef(&self.cell.count)) {
                release(self.cell.value);
                core.destroy(self.cell);
            }
        }

        pub fn sevEql(a: Self, b: Self) bool {
            return a.cell == b.cell or eql(a.cell.value, b.cell.value);
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            hashInto(h, self.cell.value);
        }

        pub fn sevWrite(self: Self, w: anytype, nested: bool) !void {
            try @import("fmt.zig").writeValueNested(w, self.cell.value, nested);
        }
    };
}

const Expr = union(enum) {
    num: i64,
    add: struct { l: Box(Expr), r: Box(Expr) },

    fn eval(e: Expr) i64 {
        return switch (e) {
            .num => |n| n,
            .add => |p| eval(p.l.get()) + eval(p.r.get()),
        };
    }
};

test Box {
    // (1 + 2) + 3, with a shared subtree: the left box is used twice.
    const one_two = Box(Expr).new(.{ .add = .{ .l = Box(Expr).new(.{ .num = 1 }), .r = Box(Expr).new(.{ .num = 2 }) } });
    retain(one_two);
    const e = Expr{ .add = .{ .l = one_two, .r = Box(Expr).new(.{ .add = .{ .l = one_two, .r = Box(Expr).new(.{ .num = 3 }) } }) } };
    try std.testing.expectEqual(@as(i64, 9), e.eval());
    try std.testing.expect(eql(e, e));
    const other = Expr{ .num = 9 };
    try std.testing.expect(!eql(e, other));
    release(e); // frees every cell exactly once (leak-checked)
    const s = Box(Str).new(Str.fromSlice("boxed"));
    defer release(s);
    try std.testing.expectEqualStrings("boxed", s.get().bytes());
}

/// Structural equality: numbers by value (0.0 == -0.0, NaN != NaN), strings by bytes, lists
/// elementwise, maps and sets by contents, structs fieldwise, unions by tag and payload.
pub fn eql(a: anytype, b: @TypeOf(a)) bool {
    const T = @TypeOf(a);
    switch (@typeInfo(T)) {
        .int, .float, .bool, .@"enum", .void, .comptime_int, .comptime_float => return a == b,
        .@"struct" => |info| {
            if (@hasDecl(T, "sevEql")) return T.sevEql(a, b);
            inline for (info.fields) |f| {
                if (!eql(@field(a, f.name), @field(b, f.name))) return false;
            }
            return true;
        },
        .@"union" => |info| {
            if (@hasDecl(T, "sevEql")) return T.sevEql(a, b);
            if (info.tag_type == null) @compileError("cannot compare untagged union " ++ @typeName(T));
            if (std.meta.activeTag(a) != std.meta.activeTag(b)) return false;
            switch (a) {
                inline else => |pa, tag| return eql(pa, @field(b, @tagName(tag))),
            }
        },
        .optional => {
            if (a) |pa| {
                if (b) |pb| return eql(pa, pb);
                return false;
            }
            return b == null;
        },
        .array => {
            for (a, b) |x, y| if (!eql(x, y)) return false;
            return true;
        },
        else => @compileError("cannot compare values of type " ++ @typeName(T)),
    }
}

test eql {
    const P = struct { x: f64, name: Str };
    try std.testing.expect(eql(@as(f64, 0.0), -0.0));
    try std.testing.expect(!eql(std.math.nan(f64), std.math.nan(f64)));
    try std.testing.expect(eql(P{ .x = 1, .name = Str.lit("a") }, P{ .x = 1, .name = Str.lit("a") }));
    try std.testing.expect(!eql(P{ .x = 1, .name = Str.lit("a") }, P{ .x = 1, .name = Str.lit("b") }));
    try std.testing.expect(eql(@as(?i32, null), null));
    try std.testing.expect(!eql(@as(?i32, 3), null));
    try std.testing.expect(eql([2]i8{ 1, 2 }, [2]i8{ 1, 2 }));
}

/// Feeds `x` into a running hash. Values that are `eql` hash equally (-0.0 as 0.0; every NaN
/// hashes alike, though NaN is never equal to itself).
pub fn hashInto(h: *std.hash.Wyhash, x: anytype) void {
    const T = @TypeOf(x);
    switch (@typeInfo(T)) {
        .int => h.update(std.mem.asBytes(&x)),
        .float => {
            const v: T = if (x == 0) 0 else if (std.math.isNan(x)) std.math.nan(T) else x;
            h.update(std.mem.asBytes(&v));
        },
        .bool => h.update(&[_]u8{@intFromBool(x)}),
        .@"enum" => hashInto(h, @intFromEnum(x)),
        .void => {},
        .@"struct" => |info| {
            if (@hasDecl(T, "sevHash")) return x.sevHash(h);
            inline for (info.fields) |f| hashInto(h, @field(x, f.name));
        },
        .@"union" => {
            if (@hasDecl(T, "sevHash")) return x.sevHash(h);
            hashInto(h, @intFromEnum(std.meta.activeTag(x)));
            switch (x) {
                inline else => |p| hashInto(h, p),
            }
        },
        .optional => if (x) |p| {
            h.update(&[_]u8{1});
            hashInto(h, p);
        } else h.update(&[_]u8{0}),
        .array => for (x) |e| hashInto(h, e),
        else => @compileError("cannot hash values of type " ++ @typeName(T)),
    }
}

/// A 64-bit hash consistent with `eql`.
pub fn hash(x: anytype) u64 {
    var h = std.hash.Wyhash.init(0);
    hashInto(&h, x);
    return h.final();
}

test hash {
    try std.testing.expectEqual(hash(@as(f64, 0.0)), hash(@as(f64, -0.0)));
    try std.testing.expect(hash(@as(i64, 1)) != hash(@as(i64, 2)));
    const a = Str.fromSlice("key");
    defer release(a);
    try std.testing.expectEqual(hash(a), hash(Str.lit("key")));
    // Strings hash their length too, so field boundaries matter.
    const Pair = struct { a: Str, b: Str };
    try std.testing.expect(hash(Pair{ .a = Str.lit("ab"), .b = Str.lit("c") }) != hash(Pair{ .a = Str.lit("a"), .b = Str.lit("bc") }));
    const O = ?i32;
    try std.testing.expect(hash(@as(O, null)) != hash(@as(O, 0)));
}

/// Total order used by comparisons and sorting: integers and bools (false < true) by value,
/// floats by value with -0.0 == 0.0 and NaN after every number (NaN == NaN here), strings
/// bytewise, lists lexicographically, structs field by field, optionals with null first.
pub fn order(a: anytype, b: @TypeOf(a)) std.math.Order {
    const T = @TypeOf(a);
    switch (@typeInfo(T)) {
        .int, .comptime_int => return std.math.order(a, b),
        .float => {
            const an = std.math.isNan(a);
            const bn = std.math.isNan(b);
            if (an or bn) return std.math.order(@intFromBool(an), @intFromBool(bn));
            return std.math.order(a, b);
        },
        .bool => return std.math.order(@intFromBool(a), @intFromBool(b)),
        .@"enum" => return std.math.order(@intFromEnum(a), @intFromEnum(b)),
        .@"struct" => |info| {
            if (@hasDecl(T, "sevOrder")) return T.sevOrder(a, b);
            inline for (info.fields) |f| {
                const o = order(@field(a, f.name), @field(b, f.name));
                if (o != .eq) return o;
            }
            return .eq;
        },
        .optional => {
            if (a) |pa| {
                if (b) |pb| return order(pa, pb);
                return .gt;
            }
            return if (b == null) .eq else .lt;
        },
        else => @compileError("cannot order values of type " ++ @typeName(T)),
    }
}

test order {
    try std.testing.expectEqual(std.math.Order.lt, order(@as(i64, -3), 2));
    try std.testing.expectEqual(std.math.Order.eq, order(@as(f64, -0.0), 0.0));
    try std.testing.expectEqual(std.math.Order.gt, order(std.math.nan(f64), std.math.inf(f64)));
    try std.testing.expectEqual(std.math.Order.lt, order(false, true));
    try std.testing.expectEqual(std.math.Order.lt, order(Str.lit("Zebra"), Str.lit("apple")));
    try std.testing.expectEqual(std.math.Order.gt, order(Str.lit("abc"), Str.lit("ab")));
    const P = struct { a: i32, b: Str };
    try std.testing.expectEqual(std.math.Order.lt, order(P{ .a = 1, .b = Str.lit("z") }, P{ .a = 2, .b = Str.lit("a") }));
    try std.testing.expectEqual(std.math.Order.lt, order(@as(?i32, null), 0));
}
