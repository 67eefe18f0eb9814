//! Trait objects: a value of some type together with that type's table of trait methods.
//!
//! `Dyn(Methods)` holds a type-erased pointer to a counted box (`rc.Box`) and a pointer to a
//! method table, a struct generated per trait: one function pointer per method (each taking
//! the erased receiver first) plus `sev_retain`/`sev_release`, which count the box for its
//! concrete type. `Ops(T)` supplies those two and the unboxing used by the generated table
//! entries. Copies of a trait object share the box (values inside are immutable), so copying
//! is a reference count increment whatever the concrete type.

const std = @import("std");
const rc = @import("rc.zig");

/// A trait object of the trait whose method table type is `Methods`.
pub fn Dyn(comptime Methods: type) type {
    return struct {
        const Self = @This();

        ptr: *anyopaque,
        methods: *const Methods,

        /// Boxes `value` (taking ownership) behind the method table of its type. Owned.
        pub fn make(comptime T: type, value: T, methods: *const Methods) Self {
            const box = rc.Box(T).new(value);
            return .{ .ptr = @ptrCast(box.cell), .methods = methods };
        }

        /// Calls method `name` with the receiver and `args`; the result is owned.
        pub fn invoke(self: Self, comptime name: []const u8, args: anytype) MethodResult(name) {
            return @call(.auto, @field(self.methods, name), .{self.ptr} ++ args);
        }

        fn MethodResult(comptime name: []const u8) type {
            const F = @typeInfo(@FieldType(Methods, name)).pointer.child;
            return @typeInfo(F).@"fn".return_type.?;
        }

        pub fn sevRetain(self: Self) void {
            self.methods.sev_retain(self.ptr);
        }

        pub fn sevRelease(self: Self) void {
            self.methods.sev_release(self.ptr);
        }

        /// Trait objects are equal when they share the boxed value.
        pub fn sevEql(a: Self, b: Self) bool {
            return a.ptr == b.ptr;
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            h.update(std.mem.asBytes(&@intFromPtr(self.ptr)));
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            _ = self;
            try w.writeAll("<" ++ Methods.trait_name ++ ">");
        }
    };
}

/// Reference counting and unboxing of the box behind a trait object of concrete type `T`.
pub fn Ops(comptime T: type) type {
    const B = rc.Box(T);
    const Cell = @FieldType(B, "cell");
    return struct {
        fn box(p: *anyopaque) B {
            const cell: Cell = @ptrCast(@alignCast(p));
            return .{ .cell = cell };
        }

        pub fn retain(p: *anyopaque) void {
            box(p).sevRetain();
        }

        pub fn release(p: *anyopaque) void {
            box(p).sevRelease();
        }

        /// The boxed value (borrowed).
        pub fn get(p: *anyopaque) T {
            return box(p).get();
        }
    };
}

const Str = @import("str.zig").Str;

const TestMethods = struct {
    pub const trait_name = "Named";
    sev_retain: *const fn (*anyopaque) void,
    sev_release: *const fn (*anyopaque) void,
    describe: *const fn (*anyopaque, i64) i64,
};

const Pet = struct { name: Str, legs: i64 };

const pet_methods = TestMethods{
    .sev_retain = Ops(Pet).retain,
    .sev_release = Ops(Pet).release,
    .describe = struct {
        fn call(self: *anyopaque, extra: i64) i64 {
            const pet = Ops(Pet).get(self);
            return @as(i64, @intCast(pet.name.bytes().len)) * 10 + pet.legs + extra;
        }
    }.call,
};

test Dyn {
    const D = Dyn(TestMethods);
    const a = D.make(Pet, .{ .name = Str.fromSlice("Rex"), .legs = 4 }, &pet_methods);
    defer rc.release(a);
    try std.testing.expectEqual(@as(i64, 35), a.invoke("describe", .{@as(i64, 1)}));
    // A copy shares the box; both references are released without leaking.
    const b = a;
    rc.retain(b);
    defer rc.release(b);
    try std.testing.expect(rc.eql(a, b));
    var buf: [16]u8 = undefined;
    var stream = std.io.fixedBufferStream(&buf);
    try a.sevWrite(stream.writer(), false);
    try std.testing.expectEqualStrings("<Named>", stream.getWritten());
}

test Ops {
    const box = rc.Box(Pet).new(.{ .name = Str.fromSlice("Tom"), .legs = 2 });
    const p: *anyopaque = @ptrCast(box.cell);
    Ops(Pet).retain(p);
    try std.testing.expectEqual(@as(i64, 2), Ops(Pet).get(p).legs);
    Ops(Pet).release(p);
    Ops(Pet).release(p);
}
