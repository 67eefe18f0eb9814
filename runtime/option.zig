//! `Option(T)` and `Result(T, E)`, the sev `Option<T>` and `Result<T, E>` types: plain tagged
//! unions (`.{ .Some = v }`, `.None`, `.{ .Ok = v }`, `.{ .Err = e }`), so generated `switch`
//! statements match on them directly and `rc.retain`/`rc.release`/`rc.eql`/`rc.hash` handle
//! them through their generic union walk. The helpers below borrow `self` and return borrowed
//! payloads.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const str_mod = @import("str.zig");

const Loc = core.Loc;
const Str = str_mod.Str;

/// The program's own declaration `B` of an option whose `Some` holds a `Box(T)` (a payload that
/// contains the option itself), from the runtime's `Option(T)` `o`, which is borrowed; the result
/// is owned.
pub fn boxedCopy(comptime B: type, o: anytype) B {
    switch (o) {
        .Some => |v| {
            rc.retain(v);
            return .{ .Some = rc.Box(@TypeOf(v)).new(v) };
        },
        .None => return .None,
    }
}

/// As `boxedCopy`, taking over `o` (owned).
pub fn boxedMove(comptime B: type, o: anytype) B {
    return switch (o) {
        .Some => |v| .{ .Some = rc.Box(@TypeOf(v)).new(v) },
        .None => .None,
    };
}

/// An optional value: `Some(T)` or `None`.
pub fn Option(comptime T: type) type {
    return union(enum) {
        const Self = @This();
        Some: T,
        None,

        /// `Some(v)`; `v` is moved in (not retained).
        pub fn some(v: T) Self {
            return .{ .Some = v };
        }

        /// `None`.
        pub const none: Self = .None;

        pub fn isSome(self: Self) bool {
            return self == .Some;
        }

        pub fn isNone(self: Self) bool {
            return self == .None;
        }

        /// The payload (borrowed); faults on `None`.
        pub fn unwrap(self: Self, comptime loc: Loc) T {
            return switch (self) {
                .Some => |v| v,
                .None => core.fault(loc, "called unwrap on None", .{}),
            };
        }

        /// The payload, or `default` when `None` (both borrowed).
        pub fn unwrapOr(self: Self, default: T) T {
            return switch (self) {
                .Some => |v| v,
                .None => default,
            };
        }

        /// Converts a Zig optional (payload moved in).
        pub fn fromOptional(v: ?T) Self {
            return if (v) |x| .{ .Some = x } else .None;
        }
    };
}

const tloc: Loc = .{ .func = "t", .line = 7, .col = 3 };

test Option {
    const O = Option(i64);
    const a = O.some(4);
    try std.testing.expect(a.isSome());
    try std.testing.expectEqual(@as(i64, 4), a.unwrap(tloc));
    try std.testing.expectEqual(@as(i64, 9), O.none.unwrapOr(9));
    try std.testing.expect(O.fromOptional(null).isNone());
    try std.testing.expect(rc.eql(O.fromOptional(4), a));
    try std.testing.expect(!rc.eql(O.none, a));
    try core.expectExit(101, "error: called unwrap on None\n  --> <unknown>:7:3 (in function `t`)\n", O.unwrap, .{ O.none, tloc });
    // Counted payloads are released through the union.
    const s = Option(Str).some(Str.fromSlice("payload"));
    rc.retain(s);
    try std.testing.expectEqual(@as(usize, 2), s.Some.refCount());
    rc.release(s);
    rc.release(s);
    const t = fmt.toStr(a);
    defer t.sevRelease();
    try std.testing.expectEqualStrings("Some(4)", t.bytes());
}

/// The outcome of an operation that can fail: `Ok(T)` or `Err(E)`.
pub fn Result(comptime T: type, comptime E: type) type {
    return union(enum) {
        const Self = @This();
        Ok: T,
        Err: E,

        /// `Ok(v)`; `v` is moved in.
        pub fn ok(v: T) Self {
            return .{ .Ok = v };
        }

        /// `Err(e)`; `e` is moved in.
        pub fn err(e: E) Self {
            return .{ .Err = e };
        }

        pub fn isOk(self: Self) bool {
            return self == .Ok;
        }

        pub fn isErr(self: Self) bool {
            return self == .Err;
        }

        /// The `Ok` payload (borrowed); on `Err` faults with `called unwrap on Err: <error>`.
        pub fn unwrap(self: Self, comptime loc: Loc) T {
            return switch (self) {
                .Ok => |v| v,
                .Err => |e| {
                    var buf: [512]u8 = undefined;
                    var stream = std.io.fixedBufferStream(&buf);
                    fmt.writeValue(stream.writer(), e) catch {};
                    core.fault(loc, "called unwrap on Err: {s}", .{stream.getWritten()});
                },
            };
        }

        /// The `Ok` payload, or `default` on `Err` (both borrowed).
        pub fn unwrapOr(self: Self, default: T) T {
            return switch (self) {
                .Ok => |v| v,
                .Err => default,
            };
        }
    };
}

test Result {
    const R = Result(f64, Str);
    const good = R.ok(2.5);
    try std.testing.expect(good.isOk());
    try std.testing.expectEqual(@as(f64, 2.5), good.unwrap(tloc));
    const bad = R.err(Str.fromSlice("no digits"));
    defer rc.release(bad);
    try std.testing.expect(bad.isErr());
    try std.testing.expectEqual(@as(f64, -1), bad.unwrapOr(-1));
    try core.expectExit(101, "error: called unwrap on Err: no digits\n  --> <unknown>:7:3 (in function `t`)\n", R.unwrap, .{ bad, tloc });
    try std.testing.expect(!rc.eql(good, bad));
    try std.testing.expectEqual(rc.hash(R.ok(2.5)), rc.hash(good));
}
