//! Exceptions: `throw`, `try`/`catch`/`finally` and uncaught errors.
//!
//! A function that may let an exception escape returns `Thrown!T` in the generated code. The
//! thrown value itself does not travel through Zig's error union (error sets carry no
//! payload): `raise` parks it in a thread-local slot, boxed on the heap together with the
//! error's kind (its type name) and message, and the generated code then returns
//! `error.SevThrow` or breaks to the enclosing `try` block. A `catch` clause asks `isType` and
//! moves the value out with `take`; a catch-all clause receives the language's `Error` record
//! through `takeError`. An exception that reaches the entry function stops the program like a
//! fault (status 101) with its kind, message and the place of the `throw`. Tasks move a pending
//! exception from the worker thread to the thread that awaits it with `detach`/`attach`.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const Str = @import("str.zig").Str;

/// The error set of every function that may throw.
pub const Thrown = error{SevThrow};

/// The type id of values that no typed `catch` clause names (thrown strings).
pub const untyped: u32 = std.math.maxInt(u32);

/// A thrown value waiting for a handler.
pub const Pending = struct {
    type_id: u32,
    kind: Str,
    message: Str,
    /// The boxed value (null for untyped throws).
    payload: ?*anyopaque,
    drop: *const fn (*anyopaque) void,
    loc: core.Loc,

    /// Releases the exception's value and text (an exception nobody will handle).
    pub fn deinit(self: Pending) void {
        rc.release(self.kind);
        rc.release(self.message);
        if (self.payload) |p| self.drop(p);
    }
};

threadlocal var pending: ?Pending = null;

fn Boxed(comptime T: type) type {
    return struct {
        fn drop(p: *anyopaque) void {
            const box: *T = @ptrCast(@alignCast(p));
            rc.release(box.*);
            core.gpa().destroy(box);
        }
    };
}

fn noDrop(_: *anyopaque) void {}

/// Starts an exception: takes ownership of `value`, `kind` and `message`. The caller then
/// returns `error.SevThrow` or breaks to its handler.
pub fn raise(value: anytype, type_id: u32, kind: Str, message: Str, loc: core.Loc) void {
    const T = @TypeOf(value);
    if (pending) |old| old.deinit();
    var payload: ?*anyopaque = null;
    var drop: *const fn (*anyopaque) void = noDrop;
    if (T != void) {
        const box = core.gpa().create(T) catch core.faultNoLoc("out of memory", .{});
        box.* = value;
        payload = box;
        drop = Boxed(T).drop;
    }
    pending = .{ .type_id = type_id, .kind = kind, .message = message, .payload = payload, .drop = drop, .loc = loc };
}

/// Throws a value of an error record type: its message is the record's `message` field
/// (converted to text when it is not a str), its kind the record's `kind` field when it has one
/// (the language's `Error` record) and the type's name otherwise.
pub fn raiseRecord(value: anytype, type_id: u32, comptime type_name: []const u8, loc: core.Loc) void {
    const T = @TypeOf(value);
    const kind = if (comptime @hasField(T, "kind")) fmt.toStr(value.kind) else Str.lit(type_name);
    const message = if (comptime @hasField(T, "message")) fmt.toStr(value.message) else Str.lit("");
    raise(value, type_id, kind, message, loc);
}

/// Whether the pending exception is a value of the error type with this id.
pub fn isType(type_id: u32) bool {
    const p = pending orelse return false;
    return p.type_id == type_id;
}

/// Moves the pending exception's value out (the caller checked `isType`).
pub fn take(comptime T: type) T {
    const p = pending orelse core.faultNoLoc("internal error: no pending exception", .{});
    pending = null;
    const box: *T = @ptrCast(@alignCast(p.payload orelse core.faultNoLoc("internal error: exception without a value", .{})));
    const value = box.*;
    core.gpa().destroy(box);
    rc.release(p.kind);
    rc.release(p.message);
    return value;
}

/// Moves the pending exception out as the language's `Error` record (`kind`, `message`).
pub fn takeError(comptime E: type) E {
    const p = pending orelse core.faultNoLoc("internal error: no pending exception", .{});
    pending = null;
    if (p.payload) |payload| p.drop(payload);
    return .{ .kind = p.kind, .message = p.message };
}

/// Drops the pending exception (a catch-all clause without a variable).
pub fn discard() void {
    if (pending) |p| p.deinit();
    pending = null;
}

/// Removes the pending exception from this thread (a task that ended by throwing).
pub fn detach() ?Pending {
    const p = pending;
    pending = null;
    return p;
}

/// Makes an exception detached on another thread pending on this one (`await` re-raises it).
pub fn attach(p: Pending) void {
    if (pending) |old| old.deinit();
    pending = p;
}

/// Stops the program for an exception that no `catch` handled.
pub fn uncaught() noreturn {
    @branchHint(.cold);
    const p = pending orelse core.faultNoLoc("internal error: no pending exception", .{});
    const message = p.message.bytes();
    if (message.len == 0) {
        core.faultAt(&p.loc, "uncaught exception {s}", .{p.kind.bytes()});
    }
    core.faultAt(&p.loc, "uncaught exception {s}: {s}", .{ p.kind.bytes(), message });
}

/// Stops the program for an exception that escapes a `finally` block (not allowed).
pub fn escapedFinally() noreturn {
    @branchHint(.cold);
    const p = pending orelse core.faultNoLoc("internal error: no pending exception", .{});
    core.faultAt(&p.loc, "exception {s} escaped a `finally` block (handle it inside the block)", .{p.kind.bytes()});
}

const test_loc = core.Loc{ .func = "t", .line = 1, .col = 2 };

test raise {
    const Oops = struct { message: Str };
    raise(Oops{ .message = Str.fromSlice("bad") }, 7, Str.lit("Oops"), Str.fromSlice("bad"), test_loc);
    try std.testing.expect(isType(7));
    try std.testing.expect(!isType(8));
    const v = take(Oops);
    defer rc.release(v);
    try std.testing.expectEqualStrings("bad", v.message.bytes());
    try std.testing.expect(!isType(7));
}

test raiseRecord {
    const Limit = struct { message: i64 };
    raiseRecord(Limit{ .message = 42 }, 3, "Limit", test_loc);
    const E = struct { kind: Str, message: Str };
    const e = takeError(E);
    defer rc.release(e);
    try std.testing.expectEqualStrings("Limit", e.kind.bytes());
    try std.testing.expectEqualStrings("42", e.message.bytes());
    const Error = struct { kind: Str, message: Str };
    raiseRecord(Error{ .kind = Str.fromSlice("Io"), .message = Str.fromSlice("gone") }, untyped, "Error", test_loc);
    const f = takeError(E);
    defer rc.release(f);
    try std.testing.expectEqualStrings("Io", f.kind.bytes());
    try std.testing.expectEqualStrings("gone", f.message.bytes());
}

test takeError {
    const E = struct { kind: Str, message: Str };
    raise(@as(i64, 3), 2, Str.lit("Code"), Str.fromSlice("three"), test_loc);
    const e = takeError(E);
    defer rc.release(e);
    try std.testing.expectEqualStrings("Code", e.kind.bytes());
    try std.testing.expectEqualStrings("three", e.message.bytes());
}

test discard {
    raise({}, untyped, Str.lit("Error"), Str.fromSlice("dropped"), test_loc);
    discard();
    try std.testing.expect(detach() == null);
}

test detach {
    raise(Str.fromSlice("payload"), 4, Str.lit("K"), Str.lit(""), test_loc);
    const p = detach() orelse return error.TestUnexpectedResult;
    try std.testing.expect(!isType(4));
    attach(p);
    try std.testing.expect(isType(4));
    discard();
}
