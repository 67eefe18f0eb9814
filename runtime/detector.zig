//! The detector library ABI (`sev build --lib`, docs/service.md): a program that defines
//! `detector_new`, `detector_update` and `detector_result` is built as a shared library that
//! exports them with the C calling convention, boxed behind an opaque state pointer, together
//! with a serializer of the state type (`sev_detector_save`/`sev_detector_load`).
//!
//! The serialized form is a header (the 8 bytes `SEVSTATE`, the ABI version as a little-endian
//! u32, and a 64-bit hash of the state type's shape with its field names) followed by the
//! value: integers and floats little-endian in their own width, `bool` one byte (0 or 1), a
//! `str` its byte length (u64) then its UTF-8 bytes, an array its length (u64) then its
//! elements, a record its fields in declaration order. `load` rejects (null, with a message in
//! `sev_last_error`) bytes of another shape, truncated or trailing bytes, bad booleans and
//! invalid UTF-8, so a state can only be loaded into the detector that saved it.
//!
//! An exception a detector function lets escape is not fatal: the call fails and
//! `sev_last_error` says `Kind: message`. A runtime fault (index out of bounds, overflow) still
//! stops the process, as in a program.

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const exc = @import("exc.zig");
const Str = @import("str.zig").Str;

pub const abi_version: u32 = 1;
const magic = "SEVSTATE";
const header_len = magic.len + 4 + 8;

/// `struct sev_result` of the C ABI.
pub const Output = extern struct { probability: f64, lower: f64, upper: f64, expected: f64, confidence: f64 };

threadlocal var last_error_buf: [1024]u8 = undefined;
threadlocal var last_error_len: usize = 0;

/// Records the message `sev_last_error` returns on this thread (cut to 1023 bytes).
pub fn setError(comptime format: []const u8, args: anytype) void {
    const room = last_error_buf[0 .. last_error_buf.len - 1];
    const written = std.fmt.bufPrint(room, format, args) catch room;
    last_error_len = written.len;
    last_error_buf[last_error_len] = 0;
}

fn lastError() [*:0]const u8 {
    last_error_buf[last_error_len] = 0;
    return @ptrCast(&last_error_buf);
}

// ---------------------------------------------------------------------------------------------
// Calling the SIRS functions
// ---------------------------------------------------------------------------------------------

fn ReturnOf(comptime f: anytype) type {
    const R = @typeInfo(@TypeOf(f)).@"fn".return_type.?;
    return switch (@typeInfo(R)) {
        .error_union => |eu| eu.payload,
        else => R,
    };
}

/// Calls `f(args)`; an escaping exception becomes null with its text in the last error.
fn call(comptime f: anytype, args: anytype, comptime what: []const u8) ?ReturnOf(f) {
    const R = @typeInfo(@TypeOf(f)).@"fn".return_type.?;
    if (@typeInfo(R) != .error_union) return @call(.auto, f, args);
    return @call(.auto, f, args) catch {
        if (exc.detach()) |p| {
            setError(what ++ " threw {s}: {s}", .{ p.kind.bytes(), p.message.bytes() });
            p.deinit();
        } else setError(what ++ " threw an exception", .{});
        return null;
    };
}

// ---------------------------------------------------------------------------------------------
// State serialization
// ---------------------------------------------------------------------------------------------

fn isList(comptime T: type) bool {
    return @typeInfo(T) == .@"struct" and @hasDecl(T, "Elem") and T == @import("list.zig").List(T.Elem);
}

/// The shape of `T` as text (`{mass:[f64],rows:i64}`), hashed into the header.
fn shape(comptime T: type) []const u8 {
    if (T == Str) return "str";
    if (comptime isList(T)) return "[" ++ shape(T.Elem) ++ "]";
    return switch (@typeInfo(T)) {
        .bool, .int, .float => @typeName(T),
        .@"struct" => |info| blk: {
            var s: []const u8 = "{";
            for (info.fields, 0..) |f, i| s = s ++ (if (i > 0) "," else "") ++ f.name ++ ":" ++ shape(f.type);
            break :blk s ++ "}";
        },
        else => @compileError("a detector state cannot hold " ++ @typeName(T)),
    };
}

fn fingerprint(comptime T: type) u64 {
    @setEvalBranchQuota(100_000);
    return comptime std.hash.Wyhash.hash(0, shape(T));
}

/// Writes into `buf` while it has room; always counts, so a first pass with no buffer sizes it.
const Sink = struct {
    buf: []u8,
    pos: usize = 0,

    fn bytes(self: *Sink, b: []const u8) void {
        if (self.pos + b.len <= self.buf.len) @memcpy(self.buf[self.pos..][0..b.len], b);
        self.pos += b.len;
    }

    fn int(self: *Sink, comptime I: type, v: I) void {
        var b: [@sizeOf(I)]u8 = undefined;
        std.mem.writeInt(I, &b, v, .little);
        self.bytes(&b);
    }
};

fn encode(comptime T: type, v: T, sink: *Sink) void {
    if (T == Str) {
        sink.int(u64, v.bytes().len);
        return sink.bytes(v.bytes());
    }
    if (comptime isList(T)) {
        sink.int(u64, @intCast(v.items().len));
        for (v.items()) |e| encode(T.Elem, e, sink);
        return;
    }
    switch (@typeInfo(T)) {
        .bool => sink.int(u8, @intFromBool(v)),
        .int => |info| sink.int(std.meta.Int(.unsigned, info.bits), @bitCast(v)),
        .float => |info| sink.int(std.meta.Int(.unsigned, info.bits), @bitCast(v)),
        .@"struct" => |info| inline for (info.fields) |f| encode(f.type, @field(v, f.name), sink),
        else => @compileError("a detector state cannot hold " ++ @typeName(T)),
    }
}

/// The whole serialized state; returns the byte count (written only when `buf` is big enough).
pub fn save(comptime T: type, v: T, buf: []u8) usize {
    var counter = Sink{ .buf = &.{} };
    writeAll(T, v, &counter);
    if (buf.len < counter.pos) return counter.pos;
    var sink = Sink{ .buf = buf };
    writeAll(T, v, &sink);
    return sink.pos;
}

fn writeAll(comptime T: type, v: T, sink: *Sink) void {
    sink.bytes(magic);
    sink.int(u32, abi_version);
    sink.int(u64, fingerprint(T));
    encode(T, v, sink);
}

const DecodeError = error{Invalid};

const Source = struct {
    data: []const u8,
    pos: usize = 0,

    fn take(self: *Source, n: usize, comptime what: []const u8) DecodeError![]const u8 {
        if (n > self.data.len - self.pos) {
            setError("the state is truncated: {s} at byte {d} needs {d} bytes, {d} are left", .{ what, self.pos, n, self.data.len - self.pos });
            return error.Invalid;
        }
        defer self.pos += n;
        return self.data[self.pos..][0..n];
    }

    fn int(self: *Source, comptime I: type, comptime what: []const u8) DecodeError!I {
        const b = try self.take(@sizeOf(I), what);
        return std.mem.readInt(I, b[0..@sizeOf(I)], .little);
    }

    fn length(self: *Source, comptime what: []const u8) DecodeError!usize {
        const n = try self.int(u64, what);
        if (n > self.data.len - self.pos) {
            setError("the state is truncated: {s} of length {d} at byte {d} exceeds the {d} bytes left", .{ what, n, self.pos, self.data.len - self.pos });
            return error.Invalid;
        }
        return @intCast(n);
    }
};

fn decode(comptime T: type, src: *Source) DecodeError!T {
    if (T == Str) {
        const n = try src.length("a string");
        const b = try src.take(n, "a string");
        if (!std.unicode.utf8ValidateSlice(b)) {
            setError("the state holds a string that is not UTF-8 (at byte {d})", .{src.pos - n});
            return error.Invalid;
        }
        return Str.fromSlice(b);
    }
    if (comptime isList(T)) return decodeList(T, src);
    switch (@typeInfo(T)) {
        .bool => {
            const b = try src.int(u8, "a bool");
            if (b > 1) {
                setError("the state holds a bool that is neither 0 nor 1 (at byte {d})", .{src.pos - 1});
                return error.Invalid;
            }
            return b == 1;
        },
        .int => |info| return @bitCast(try src.int(std.meta.Int(.unsigned, info.bits), "an integer")),
        .float => |info| return @bitCast(try src.int(std.meta.Int(.unsigned, info.bits), "a number")),
        .@"struct" => |info| {
            var out: T = undefined;
            inline for (info.fields, 0..) |f, i| {
                @field(out, f.name) = decode(f.type, src) catch |e| {
                    releaseFirst(T, &out, i);
                    return e;
                };
            }
            return out;
        },
        else => @compileError("a detector state cannot hold " ++ @typeName(T)),
    }
}

fn decodeList(comptime T: type, src: *Source) DecodeError!T {
    const n = try src.length("an array");
    var out = T.withCapacity(n);
    for (0..n) |_| {
        const e = decode(T.Elem, src) catch |err| {
            rc.release(out);
            return err;
        };
        out.pushOwned(e);
    }
    return out;
}

/// Releases the first `done` fields of a half-decoded record.
fn releaseFirst(comptime T: type, v: *T, done: usize) void {
    inline for (@typeInfo(T).@"struct".fields, 0..) |f, i| {
        if (i < done) rc.release(@field(v.*, f.name));
    }
}

/// Reads a state saved by [`save`] for the same `T`; null (with the last error set) otherwise.
pub fn load(comptime T: type, data: []const u8) ?T {
    var src = Source{ .data = data };
    const head = src.take(header_len, "the header") catch return null;
    if (!std.mem.eql(u8, head[0..magic.len], magic)) {
        setError("the bytes are not a saved detector state (no SEVSTATE header)", .{});
        return null;
    }
    const version = std.mem.readInt(u32, head[magic.len..][0..4], .little);
    if (version != abi_version) {
        setError("the state was saved by detector ABI version {d}, this library is version {d}", .{ version, abi_version });
        return null;
    }
    if (std.mem.readInt(u64, head[magic.len + 4 ..][0..8], .little) != fingerprint(T)) {
        setError("the state was saved by a detector with another state type", .{});
        return null;
    }
    const v = decode(T, &src) catch return null;
    if (src.pos != data.len) {
        rc.release(v);
        setError("the state has {d} bytes after its end", .{data.len - src.pos});
        return null;
    }
    return v;
}

// ---------------------------------------------------------------------------------------------
// The exported C ABI
// ---------------------------------------------------------------------------------------------

/// Exports the C ABI for a detector whose state type is `State`. Called from a `comptime`
/// block of the generated program.
pub fn exportDetector(comptime State: type, comptime new_fn: anytype, comptime update_fn: anytype, comptime result_fn: anytype) void {
    const Abi = struct {
        fn version() callconv(.c) u32 {
            return abi_version;
        }

        fn box(s: State) ?*anyopaque {
            const p = core.gpa().create(State) catch {
                rc.release(s);
                setError("out of memory", .{});
                return null;
            };
            p.* = s;
            return p;
        }

        fn new() callconv(.c) ?*anyopaque {
            const s = call(new_fn, .{}, "detector_new") orelse return null;
            return box(s);
        }

        fn free(d: ?*anyopaque) callconv(.c) void {
            const p: *State = @ptrCast(@alignCast(d orelse return));
            rc.release(p.*);
            core.gpa().destroy(p);
        }

        fn update(d: ?*anyopaque, timestamp_ms: i64, value: f64, out: ?*Output) callconv(.c) i32 {
            const p: *State = @ptrCast(@alignCast(d orelse {
                setError("sev_detector_update: the state is null", .{});
                return 1;
            }));
            const o = out orelse {
                setError("sev_detector_update: the result pointer is null", .{});
                return 1;
            };
            const next = call(update_fn, .{ p.*, timestamp_ms, value }, "detector_update") orelse return 2;
            rc.release(p.*);
            p.* = next;
            const r = call(result_fn, .{p.*}, "detector_result") orelse return 3;
            defer rc.release(r);
            o.* = .{ .probability = r.probability, .lower = r.lower, .upper = r.upper, .expected = r.expected, .confidence = r.confidence };
            return 0;
        }

        fn saveState(d: ?*anyopaque, buf: ?[*]u8, cap: u64) callconv(.c) i64 {
            const p: *const State = @ptrCast(@alignCast(d orelse {
                setError("sev_detector_save: the state is null", .{});
                return -1;
            }));
            const room: []u8 = if (buf) |b| b[0..@intCast(cap)] else &.{};
            return @intCast(save(State, p.*, room));
        }

        fn loadState(buf: ?[*]const u8, len: u64) callconv(.c) ?*anyopaque {
            const data: []const u8 = if (buf) |b| b[0..@intCast(len)] else &.{};
            const s = load(State, data) orelse return null;
            return box(s);
        }

        fn lastErrorC() callconv(.c) [*:0]const u8 {
            return lastError();
        }
    };
    @export(&Abi.version, .{ .name = "sev_abi_version" });
    @export(&Abi.new, .{ .name = "sev_detector_new" });
    @export(&Abi.free, .{ .name = "sev_detector_free" });
    @export(&Abi.update, .{ .name = "sev_detector_update" });
    @export(&Abi.saveState, .{ .name = "sev_detector_save" });
    @export(&Abi.loadState, .{ .name = "sev_detector_load" });
    @export(&Abi.lastErrorC, .{ .name = "sev_last_error" });
}

test "a state survives save and load, and damaged bytes are refused" {
    const List = @import("list.zig").List;
    const S = struct { n: i64, xs: List(f64), name: Str, ok: bool };
    const s = S{ .n = -3, .xs = List(f64).fromSlice(&[_]f64{ 1.5, -0.0 }), .name = Str.fromSlice("héllo"), .ok = true };
    defer rc.release(s);
    var buf: [256]u8 = undefined;
    const n = save(S, s, &buf);
    try std.testing.expect(n < buf.len);
    const back = load(S, buf[0..n]) orelse return error.TestUnexpectedResult;
    defer rc.release(back);
    try std.testing.expect(rc.eql(s, back));
    try std.testing.expect(load(S, buf[0 .. n - 1]) == null);
    var bad = buf;
    bad[n - 1] = 7; // the bool
    try std.testing.expect(load(S, bad[0..n]) == null);
    const Other = struct { n: i64, xs: List(f64), name: Str, ok: bool, extra: f64 };
    try std.testing.expect(load(Other, buf[0..n]) == null);
    try std.testing.expect(save(S, s, buf[0..4]) == n);
}
