//! Core services every generated program uses: source locations and runtime faults, checked
//! integer arithmetic and conversions, the program allocator, buffered stdout, and the program
//! entry point. Integer operations never rely on Zig's safety checks (which vanish in
//! ReleaseFast): each one tests for overflow itself and faults with a precise message, so a sev
//! program behaves the same in every build mode. A fault flushes stdout, prints
//!
//!     error: integer overflow: 2147483647 + 1 does not fit in i32
//!       --> demo.sirs.json:12:9 (in function `sum`)
//!
//! to stderr and exits with status 101 (see docs/runtime.md, "Faults").

const std = @import("std");
const builtin = @import("builtin");
const str_mod = @import("str.zig");
const fmt = @import("fmt.zig");
const rc = @import("rc.zig");
const list_mod = @import("list.zig");
const oserror = @import("ppl/sampler/oserror.zig");

const Str = str_mod.Str;

// ---------------------------------------------------------------------------------------------
// Locations and faults
// ---------------------------------------------------------------------------------------------

/// A position in the sev source: the enclosing function and a 1-based line and column.
pub const Loc = struct { func: []const u8, line: u32, col: u32 };

/// Exit status of a program stopped by a runtime fault.
pub const fault_exit_status: u8 = 101;
/// Exit status of a Debug program that leaked memory.
pub const leak_exit_status: u8 = 102;
/// Exit status of a program stopped by a Zig safety panic (a compiler or runtime bug).
pub const internal_error_exit_status: u8 = 70;

/// The source file named by the generated root (`pub const sev_source_file`), or `<unknown>`
/// when the root has no such declaration (for example under `zig test`).
pub fn sourceFile() []const u8 {
    const root = @import("root");
    if (@hasDecl(root, "sev_source_file")) return root.sev_source_file;
    return "<unknown>";
}

test sourceFile {
    // Under `zig test` the root is the test runner, which declares no source file.
    try std.testing.expectEqualStrings("<unknown>", sourceFile());
}

/// Stops the program with a runtime fault at `loc`: flushes stdout, prints the message and the
/// location to stderr, exits with status 101. Backs every sev runtime error.
pub fn fault(comptime loc: Loc, comptime format: []const u8, fmt_args: anytype) noreturn {
    @branchHint(.cold);
    faultAt(&loc, format, fmt_args);
}

/// `fault` with a run-time location; the checked operations use it so that only the tiny
/// per-call-site wrapper is instantiated once per location.
pub fn faultAt(loc: *const Loc, comptime format: []const u8, fmt_args: anytype) noreturn {
    @branchHint(.cold);
    flushOut();
    var buf: [2048]u8 = undefined;
    var stream = std.io.fixedBufferStream(&buf);
    writeFault(stream.writer(), loc.*, sourceFile(), format, fmt_args);
    writeStderr(stream.getWritten());
    std.process.exit(fault_exit_status);
}

/// Stops the program with a fault that has no source location (out of memory, internal limits).
pub fn faultNoLoc(comptime format: []const u8, fmt_args: anytype) noreturn {
    @branchHint(.cold);
    flushOut();
    var buf: [2048]u8 = undefined;
    var stream = std.io.fixedBufferStream(&buf);
    stream.writer().print("error: " ++ format ++ "\n", fmt_args) catch {};
    writeStderr(stream.getWritten());
    std.process.exit(fault_exit_status);
}

/// Renders a fault report. A message longer than the caller's buffer is cut short.
fn writeFault(w: anytype, loc: Loc, file: []const u8, comptime format: []const u8, fmt_args: anytype) void {
    w.print("error: " ++ format ++ "\n", fmt_args) catch {};
    w.print("  --> {s}:{d}:{d} (in function `{s}`)\n", .{ file, loc.line, loc.col, loc.func }) catch {};
    if (fault_note) |note| w.print("  note: {s}\n", .{note}) catch {};
}

/// What the thread is doing, added to a fault report as a note (null: nothing to add). A model
/// sets it while it first runs on its data, so that a fault there is said as a data problem.
threadlocal var fault_note: ?[]const u8 = null;

pub fn setFaultNote(note: ?[]const u8) void {
    fault_note = note;
}

test "a fault note is added to the report" {
    setFaultNote("while reading");
    defer setFaultNote(null);
    var buf: [256]u8 = undefined;
    var stream = std.io.fixedBufferStream(&buf);
    writeFault(stream.writer(), .{ .func = "main", .line = 3, .col = 5 }, "m.sirs.json", "index out of bounds: index {d}, length {d}", .{ 5, 5 });
    try std.testing.expectEqualStrings("error: index out of bounds: index 5, length 5\n  --> m.sirs.json:3:5 (in function `main`)\n  note: while reading\n", stream.getWritten());
}

test writeFault {
    var buf: [256]u8 = undefined;
    var stream = std.io.fixedBufferStream(&buf);
    writeFault(stream.writer(), .{ .func = "sum", .line = 12, .col = 9 }, "examples/overflow.sirs.json", "integer overflow: {d} + {d} does not fit in i32", .{ 2147483647, 1 });
    try std.testing.expectEqualStrings(
        "error: integer overflow: 2147483647 + 1 does not fit in i32\n  --> examples/overflow.sirs.json:12:9 (in function `sum`)\n",
        stream.getWritten(),
    );
}

fn writeStderr(bytes: []const u8) void {
    std.debug.lockStdErr();
    defer std.debug.unlockStdErr();
    std.io.getStdErr().writeAll(bytes) catch {};
}

test fault {
    try expectExit(fault_exit_status, "error: bad thing 42\n  --> <unknown>:3:4 (in function `f`)\n", struct {
        fn f() void {
            fault(.{ .func = "f", .line = 3, .col = 4 }, "bad thing {d}", .{42});
        }
    }.f, .{});
}

test faultNoLoc {
    try expectExit(fault_exit_status, "error: out of memory\n", outOfMemory, .{});
}

/// Test helper: runs `f(args...)` in a forked child with stderr captured and checks that the
/// child exits with `status` and wrote exactly `expected_stderr`. Linux only.
pub fn expectExit(status: u8, expected_stderr: []const u8, comptime f: anytype, call_args: anytype) !void {
    if (builtin.os.tag != .linux) return error.SkipZigTest;
    flushOut();
    const fds = try std.posix.pipe();
    const pid = try std.posix.fork();
    if (pid == 0) {
        std.posix.close(fds[0]);
        std.posix.dup2(fds[1], std.posix.STDERR_FILENO) catch std.process.exit(99);
        _ = @call(.auto, f, call_args);
        std.process.exit(0);
    }
    std.posix.close(fds[1]);
    var buf: [8192]u8 = undefined;
    var n: usize = 0;
    while (n < buf.len) {
        const got = try std.posix.read(fds[0], buf[n..]);
        if (got == 0) break;
        n += got;
    }
    std.posix.close(fds[0]);
    const res = std.posix.waitpid(pid, 0);
    try std.testing.expect(std.posix.W.IFEXITED(res.status));
    try std.testing.expectEqualStrings(expected_stderr, buf[0..n]);
    try std.testing.expectEqual(status, std.posix.W.EXITSTATUS(res.status));
}

// ---------------------------------------------------------------------------------------------
// Checked integer arithmetic
// ---------------------------------------------------------------------------------------------

fn overflowFault(comptime T: type, comptime op: []const u8, a: anytype, b: anytype, loc: *const Loc) noreturn {
    @branchHint(.cold);
    faultAt(loc, "integer overflow: {d} " ++ op ++ " {d} does not fit in " ++ @typeName(T), .{ a, b });
}

fn divZeroFault(comptime op: []const u8, a: anytype, loc: *const Loc) noreturn {
    @branchHint(.cold);
    faultAt(loc, "division by zero: {d} " ++ op ++ " 0", .{a});
}

/// `a + b`, faulting on overflow. Backs the `add` operator on integers.
pub fn add(comptime T: type, a: T, b: T, comptime loc: Loc) T {
    const r = @addWithOverflow(a, b);
    if (r[1] != 0) overflowFault(T, "+", a, b, &loc);
    return r[0];
}

const test_loc: Loc = .{ .func = "t", .line = 1, .col = 2 };

test add {
    try std.testing.expectEqual(@as(i32, 2147483647), add(i32, 2147483646, 1, test_loc));
    try std.testing.expectEqual(@as(u8, 255), add(u8, 200, 55, test_loc));
    try std.testing.expectEqual(@as(i64, -5), add(i64, -2, -3, test_loc));
    try expectExit(101, "error: integer overflow: 2147483647 + 1 does not fit in i32\n  --> <unknown>:1:2 (in function `t`)\n", add, .{ i32, 2147483647, 1, test_loc });
    try expectExit(101, "error: integer overflow: 200 + 56 does not fit in u8\n  --> <unknown>:1:2 (in function `t`)\n", add, .{ u8, 200, 56, test_loc });
}

/// `a - b`, faulting on overflow. Backs the `sub` operator on integers.
pub fn sub(comptime T: type, a: T, b: T, comptime loc: Loc) T {
    const r = @subWithOverflow(a, b);
    if (r[1] != 0) overflowFault(T, "-", a, b, &loc);
    return r[0];
}

test sub {
    try std.testing.expectEqual(@as(i8, -128), sub(i8, -127, 1, test_loc));
    try std.testing.expectEqual(@as(u32, 0), sub(u32, 7, 7, test_loc));
    try expectExit(101, "error: integer overflow: 3 - 4 does not fit in u32\n  --> <unknown>:1:2 (in function `t`)\n", sub, .{ u32, 3, 4, test_loc });
}

/// `a * b`, faulting on overflow. Backs the `mul` operator on integers.
pub fn mul(comptime T: type, a: T, b: T, comptime loc: Loc) T {
    const r = @mulWithOverflow(a, b);
    if (r[1] != 0) overflowFault(T, "*", a, b, &loc);
    return r[0];
}

test mul {
    try std.testing.expectEqual(@as(i64, -6000000000), mul(i64, 3, -2000000000, test_loc));
    try std.testing.expectEqual(@as(i8, -128), mul(i8, -64, 2, test_loc));
    try expectExit(101, "error: integer overflow: 65536 * 65536 does not fit in i32\n  --> <unknown>:1:2 (in function `t`)\n", mul, .{ i32, 65536, 65536, test_loc });
}

/// `a / b` rounded toward zero; faults on division by zero and on `minInt / -1`.
/// Backs the `div` operator on integers.
pub fn div(comptime T: type, a: T, b: T, comptime loc: Loc) T {
    if (b == 0) divZeroFault("/", a, &loc);
    if (@typeInfo(T).int.signedness == .signed and b == -1 and a == std.math.minInt(T))
        overflowFault(T, "/", a, b, &loc);
    return @divTrunc(a, b);
}

test div {
    try std.testing.expectEqual(@as(i32, -3), div(i32, -7, 2, test_loc));
    try std.testing.expectEqual(@as(i32, 3), div(i32, 7, 2, test_loc));
    try std.testing.expectEqual(@as(u64, 5), div(u64, 10, 2, test_loc));
    try expectExit(101, "error: division by zero: 10 / 0\n  --> <unknown>:1:2 (in function `t`)\n", div, .{ i64, 10, 0, test_loc });
    try expectExit(101, "error: integer overflow: -128 / -1 does not fit in i8\n  --> <unknown>:1:2 (in function `t`)\n", div, .{ i8, -128, -1, test_loc });
}

/// Truncated remainder `a % b` (the sign follows the dividend: -7 % 2 == -1); faults on a zero
/// divisor. Backs the `mod` operator on integers.
pub fn rem(comptime T: type, a: T, b: T, comptime loc: Loc) T {
    if (b == 0) divZeroFault("%", a, &loc);
    if (@typeInfo(T).int.signedness == .signed and b == -1) return 0;
    return @rem(a, b);
}

test rem {
    try std.testing.expectEqual(@as(i32, -1), rem(i32, -7, 2, test_loc));
    try std.testing.expectEqual(@as(i32, 1), rem(i32, 7, -2, test_loc));
    try std.testing.expectEqual(@as(i8, 0), rem(i8, -128, -1, test_loc));
    try std.testing.expectEqual(@as(u8, 4), rem(u8, 200, 7, test_loc));
    try expectExit(101, "error: division by zero: 10 % 0\n  --> <unknown>:1:2 (in function `t`)\n", rem, .{ i32, 10, 0, test_loc });
}

/// `-a`, faulting when the result does not fit (`-minInt`, or any non-zero unsigned value).
/// Backs unary minus on integers.
pub fn neg(comptime T: type, a: T, comptime loc: Loc) T {
    const r = @subWithOverflow(@as(T, 0), a);
    if (r[1] != 0) {
        @branchHint(.cold);
        faultAt(&loc, "integer overflow: -({d}) does not fit in " ++ @typeName(T), .{a});
    }
    return r[0];
}

test neg {
    try std.testing.expectEqual(@as(i32, -5), neg(i32, 5, test_loc));
    try std.testing.expectEqual(@as(i8, 127), neg(i8, -127, test_loc));
    try std.testing.expectEqual(@as(u8, 0), neg(u8, 0, test_loc));
    try expectExit(101, "error: integer overflow: -(-128) does not fit in i8\n  --> <unknown>:1:2 (in function `t`)\n", neg, .{ i8, -128, test_loc });
    try expectExit(101, "error: integer overflow: -(3) does not fit in u16\n  --> <unknown>:1:2 (in function `t`)\n", neg, .{ u16, 3, test_loc });
}

fn shiftAmount(comptime T: type, comptime op: []const u8, a: T, b: anytype, loc: *const Loc) std.math.Log2Int(T) {
    const bits = @typeInfo(T).int.bits;
    const ok = switch (@typeInfo(@TypeOf(b))) {
        .comptime_int => b >= 0 and b < bits,
        .int => |info| (info.signedness == .unsigned or b >= 0) and b < bits,
        else => @compileError("shift amount must be an integer"),
    };
    if (!ok) {
        @branchHint(.cold);
        faultAt(loc, "shift amount out of range: {d} " ++ op ++ " {d} (must be 0 to {d} for " ++ @typeName(T) ++ ")", .{ a, b, bits - 1 });
    }
    return @intCast(b);
}

/// `a << b`. Bits shifted out are discarded (a shift is bit manipulation, not arithmetic);
/// faults when `b` is negative or not less than the bit width of `T`. Backs `shl`.
pub fn shl(comptime T: type, a: T, b: anytype, comptime loc: Loc) T {
    return a << shiftAmount(T, "<<", a, b, &loc);
}

test shl {
    try std.testing.expectEqual(@as(i32, 40), shl(i32, 5, 3, test_loc));
    try std.testing.expectEqual(@as(u8, 0x80), shl(u8, 0xff, @as(i64, 7), test_loc));
    try std.testing.expectEqual(@as(i64, std.math.minInt(i64)), shl(i64, 1, 63, test_loc));
    try expectExit(101, "error: shift amount out of range: 1 << 32 (must be 0 to 31 for i32)\n  --> <unknown>:1:2 (in function `t`)\n", shl, .{ i32, 1, 32, test_loc });
    try expectExit(101, "error: shift amount out of range: 1 << -1 (must be 0 to 7 for u8)\n  --> <unknown>:1:2 (in function `t`)\n", shl, .{ u8, 1, @as(i8, -1), test_loc });
}

/// `a >> b`: arithmetic (sign-extending) for signed `T`, logical for unsigned; faults when `b` is
/// negative or not less than the bit width of `T`. Backs `shr`.
pub fn shr(comptime T: type, a: T, b: anytype, comptime loc: Loc) T {
    return a >> shiftAmount(T, ">>", a, b, &loc);
}

test shr {
    try std.testing.expectEqual(@as(i32, -4), shr(i32, -16, 2, test_loc));
    try std.testing.expectEqual(@as(u32, 0x3fffffff), shr(u32, 0xffffffff, 2, test_loc));
    try std.testing.expectEqual(@as(i8, -1), shr(i8, -1, 7, test_loc));
    try expectExit(101, "error: shift amount out of range: 8 >> 64 (must be 0 to 63 for i64)\n  --> <unknown>:1:2 (in function `t`)\n", shr, .{ i64, 8, 64, test_loc });
}

/// `base ** exp` for integers by repeated squaring; faults on overflow and on a negative
/// exponent. `0 ** 0 == 1`. Backs the `pow` operator on integers.
pub fn pow(comptime T: type, base: T, exp: anytype, comptime loc: Loc) T {
    if (exp < 0) {
        @branchHint(.cold);
        faultAt(&loc, "negative exponent: {d} ** {d}", .{ base, exp });
    }
    return powChecked(T, base, exp) orelse overflowFault(T, "**", base, exp, &loc);
}

fn powChecked(comptime T: type, base: T, exp: anytype) ?T {
    var result: T = 1;
    var b = base;
    var e: u128 = @intCast(exp);
    while (e > 0) {
        if (e & 1 == 1) {
            const r = @mulWithOverflow(result, b);
            if (r[1] != 0) return null;
            result = r[0];
        }
        e >>= 1;
        if (e > 0) {
            const sq = @mulWithOverflow(b, b);
            if (sq[1] != 0) return null;
            b = sq[0];
        }
    }
    return result;
}

test pow {
    try std.testing.expectEqual(@as(i64, 1024), pow(i64, 2, 10, test_loc));
    try std.testing.expectEqual(@as(i8, -128), pow(i8, -2, 7, test_loc));
    try std.testing.expectEqual(@as(i32, 1), pow(i32, 0, 0, test_loc));
    try std.testing.expectEqual(@as(i32, -27), pow(i32, -3, @as(i32, 3), test_loc));
    try std.testing.expectEqual(@as(u64, 12157665459056928801), pow(u64, 3, 40, test_loc));
    try expectExit(101, "error: integer overflow: 3 ** 41 does not fit in u64\n  --> <unknown>:1:2 (in function `t`)\n", pow, .{ u64, 3, 41, test_loc });
    try expectExit(101, "error: integer overflow: 2 ** 7 does not fit in i8\n  --> <unknown>:1:2 (in function `t`)\n", pow, .{ i8, 2, 7, test_loc });
    try expectExit(101, "error: negative exponent: 2 ** -1\n  --> <unknown>:1:2 (in function `t`)\n", pow, .{ i32, 2, @as(i32, -1), test_loc });
}

/// Converts an integer to another integer type, faulting when the value does not fit.
/// Backs integer-to-integer casts.
pub fn intCast(comptime To: type, value: anytype, comptime loc: Loc) To {
    if (@TypeOf(value) == comptime_int) return value;
    return std.math.cast(To, value) orelse {
        @branchHint(.cold);
        faultAt(&loc, "value {d} does not fit in " ++ @typeName(To), .{value});
    };
}

test intCast {
    try std.testing.expectEqual(@as(u8, 255), intCast(u8, @as(i64, 255), test_loc));
    try std.testing.expectEqual(@as(i64, -1), intCast(i64, @as(i8, -1), test_loc));
    try std.testing.expectEqual(@as(u32, 7), intCast(u32, 7, test_loc));
    try expectExit(101, "error: value 300 does not fit in u8\n  --> <unknown>:1:2 (in function `t`)\n", intCast, .{ u8, @as(i32, 300), test_loc });
    try expectExit(101, "error: value -1 does not fit in u64\n  --> <unknown>:1:2 (in function `t`)\n", intCast, .{ u64, @as(i64, -1), test_loc });
}

/// Converts a float to an integer, truncating toward zero; faults on NaN, infinities and
/// values whose truncation does not fit in `To`. Backs float-to-integer casts.
pub fn floatToInt(comptime To: type, f: anytype, comptime loc: Loc) To {
    const F = if (@TypeOf(f) == comptime_float) f64 else @TypeOf(f);
    const x: F = f;
    const info = @typeInfo(To).int;
    const t = @trunc(x);
    // Bounds are powers of two, exact in every float type (or inf when out of its range).
    const lo: F = if (info.signedness == .signed) -std.math.ldexp(@as(F, 1), info.bits - 1) else 0;
    const hi: F = std.math.ldexp(@as(F, 1), if (info.signedness == .signed) info.bits - 1 else info.bits);
    if (!(t >= lo and t < hi)) {
        @branchHint(.cold);
        faultAt(&loc, "value {} does not fit in " ++ @typeName(To), .{fmt.float(x)});
    }
    return @intFromFloat(t);
}

test floatToInt {
    try std.testing.expectEqual(@as(i32, -2), floatToInt(i32, @as(f64, -2.9), test_loc));
    try std.testing.expectEqual(@as(u8, 255), floatToInt(u8, @as(f64, 255.99), test_loc));
    try std.testing.expectEqual(@as(i64, std.math.minInt(i64)), floatToInt(i64, @as(f64, -9223372036854775808.0), test_loc));
    try std.testing.expectEqual(@as(i32, 3), floatToInt(i32, @as(f32, 3.5), test_loc));
    try std.testing.expectEqual(@as(u8, 0), floatToInt(u8, @as(f64, -0.5), test_loc));
    try expectExit(101, "error: value nan does not fit in i32\n  --> <unknown>:1:2 (in function `t`)\n", floatToInt, .{ i32, std.math.nan(f64), test_loc });
    try expectExit(101, "error: value 9.223372036854776e+18 does not fit in i64\n  --> <unknown>:1:2 (in function `t`)\n", floatToInt, .{ i64, @as(f64, 9223372036854775808.0), test_loc });
    try expectExit(101, "error: value -inf does not fit in u8\n  --> <unknown>:1:2 (in function `t`)\n", floatToInt, .{ u8, -std.math.inf(f64), test_loc });
    try expectExit(101, "error: value 256.0 does not fit in u8\n  --> <unknown>:1:2 (in function `t`)\n", floatToInt, .{ u8, @as(f64, 256.0), test_loc });
}

// ---------------------------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------------------------

/// A model object (`pub const sev_model_object = true;` in the generated root) or a detector
/// library (`sev_library`) has no `main` of its own, so nothing could check for leaks at exit; it uses the fast allocator in every mode.
const model_object = @hasDecl(@import("root"), "sev_model_object") or @hasDecl(@import("root"), "sev_library");
const use_debug_allocator = (builtin.mode == .Debug or builtin.single_threaded) and !model_object;
const DebugAllocator = if (builtin.mode == .Debug)
    std.heap.DebugAllocator(.{})
else
    std.heap.DebugAllocator(.{ .safety = false, .stack_trace_frames = 0 });
var debug_allocator: DebugAllocator = .init;

/// While a model is evaluated, its temporary values live in the chain's arena (reset after
/// each evaluation): set by the model glue on the chain's thread, null otherwise.
threadlocal var scratch: ?std.mem.Allocator = null;

/// Routes this thread's allocations to `a` (an arena) until called with null.
pub fn setScratch(a: ?std.mem.Allocator) void {
    scratch = a;
}

/// The program allocator: a leak-checking, thread-safe `DebugAllocator` in Debug builds,
/// `std.heap.smp_allocator` otherwise, and `std.testing.allocator` under `zig test`.
pub fn gpa() std.mem.Allocator {
    if (scratch) |a| return a;
    if (builtin.is_test) return std.testing.allocator;
    if (use_debug_allocator) return debug_allocator.allocator();
    return std.heap.smp_allocator;
}

test gpa {
    const a = gpa();
    const p = try a.alloc(u64, 4);
    defer a.free(p);
    p[3] = 7;
    try std.testing.expectEqual(@as(u64, 7), p[3]);
}

/// Stops the program with "error: out of memory" (status 101).
pub fn outOfMemory() noreturn {
    @branchHint(.cold);
    faultNoLoc("out of memory", .{});
}

/// Allocates `n` items from `gpa()`, faulting on out-of-memory.
pub fn alloc(comptime T: type, n: usize) []T {
    return gpa().alloc(T, n) catch outOfMemory();
}

/// Frees memory obtained from `alloc` or `dupe`.
pub fn free(memory: anytype) void {
    gpa().free(memory);
}

/// Allocates one `T` from `gpa()`, faulting on out-of-memory.
pub fn create(comptime T: type) *T {
    return gpa().create(T) catch outOfMemory();
}

/// Frees memory obtained from `create`.
pub fn destroy(ptr: anytype) void {
    gpa().destroy(ptr);
}

/// Copies a slice into memory from `gpa()`, faulting on out-of-memory.
pub fn dupe(comptime T: type, items: []const T) []T {
    return gpa().dupe(T, items) catch outOfMemory();
}

test alloc {
    const xs = alloc(i32, 3);
    defer free(xs);
    xs[0] = 1;
    const p = create(i32);
    defer destroy(p);
    p.* = 5;
    const d = dupe(u8, "abc");
    defer free(d);
    try std.testing.expectEqualStrings("abc", d);
    try std.testing.expectEqual(@as(i32, 5), p.*);
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

var out_mutex: std.Thread.Mutex = .{};
var out_bw: std.io.BufferedWriter(8192, std.fs.File.Writer) = .{
    .unbuffered_writer = .{ .context = .{ .handle = std.posix.STDOUT_FILENO } },
};

/// Under `zig test`, stdout and stderr output of the print built-ins is captured here instead
/// of being written, so tests can check it; `takeCaptured` returns and clears it.
const Capture = struct {
    buf: [16384]u8 = undefined,
    len: usize = 0,
    fn append(self: *Capture, bytes: []const u8) void {
        const n = @min(bytes.len, self.buf.len - self.len);
        @memcpy(self.buf[self.len..][0..n], bytes[0..n]);
        self.len += n;
    }
};
var captured_out: Capture = .{};
var captured_err: Capture = .{};

/// Test helper: returns (and clears) what the print built-ins wrote to stdout (`.out`) or
/// stderr (`.err`) since the last call. The slice is valid until the next print.
pub fn takeCaptured(which: enum { out, err }) []const u8 {
    const c = if (which == .out) &captured_out else &captured_err;
    const n = c.len;
    c.len = 0;
    return c.buf[0..n];
}

fn writeOutLocked(bytes: []const u8) void {
    if (builtin.is_test) return captured_out.append(bytes);
    out_bw.writer().writeAll(bytes) catch |e| outputFailed(e);
}

/// 128 + SIGPIPE: the status a shell reports for a program killed by a closed pipe.
pub const broken_pipe_exit_status: u8 = 141;

/// Stdout could not be written: when the reader has gone (`prog | head -1`) the program ends
/// quietly with status 141, like a tool killed by SIGPIPE; any other failure (a full disk) is an
/// error with status 101. Called with `out_mutex` held, so it writes stderr directly.
fn outputFailed(e: anyerror) noreturn {
    @branchHint(.cold);
    if (e == error.BrokenPipe) std.process.exit(broken_pipe_exit_status);
    var buf: [256]u8 = undefined;
    const line = std.fmt.bufPrint(&buf, "error: cannot write to standard output: {s}\n", .{oserror.describe(e)}) catch "error: cannot write to standard output\n";
    writeStderr(line);
    std.process.exit(fault_exit_status);
}

fn outWriteFn(_: void, bytes: []const u8) error{}!usize {
    writeOutLocked(bytes);
    return bytes.len;
}
const OutWriter = std.io.GenericWriter(void, error{}, outWriteFn);

/// Writes `bytes` to the buffered stdout as one unit (no other thread's output interleaves).
/// A write that fails ends the program (`outputFailed`).
pub fn outWrite(bytes: []const u8) void {
    out_mutex.lock();
    defer out_mutex.unlock();
    writeOutLocked(bytes);
}

/// Formats to the buffered stdout as one unit (std.fmt syntax).
pub fn outPrint(comptime format: []const u8, fmt_args: anytype) void {
    out_mutex.lock();
    defer out_mutex.unlock();
    const w: OutWriter = .{ .context = {} };
    w.print(format, fmt_args) catch |e| switch (e) {};
}

test outPrint {
    outWrite("a");
    outPrint("{d}-{s}\n", .{ 5, "x" });
    try std.testing.expectEqualStrings("a5-x\n", takeCaptured(.out));
}

/// Writes buffered stdout to the terminal or file. Called at exit and before faults.
pub fn flushOut() void {
    out_mutex.lock();
    defer out_mutex.unlock();
    if (builtin.is_test) return;
    out_bw.flush() catch |e| outputFailed(e);
}

test flushOut {
    outWrite("kept");
    flushOut(); // under test the capture is the sink; flushing must not lose it
    try std.testing.expectEqualStrings("kept", takeCaptured(.out));
}

/// Prints a string and a newline to stdout. Backs `std_print`.
pub fn printStr(s: Str) void {
    out_mutex.lock();
    defer out_mutex.unlock();
    writeOutLocked(s.bytes());
    writeOutLocked("\n");
}

test printStr {
    printStr(Str.lit("hello"));
    printStr(Str.lit(""));
    try std.testing.expectEqualStrings("hello\n\n", takeCaptured(.out));
}

/// Prints an integer (any width) and a newline to stdout. Backs `std_print_int`.
pub fn printInt(x: anytype) void {
    outPrint("{d}\n", .{x});
}

test printInt {
    printInt(@as(i32, -42));
    printInt(@as(u64, 18446744073709551615));
    try std.testing.expectEqualStrings("-42\n18446744073709551615\n", takeCaptured(.out));
}

/// Prints a float as the shortest round-trip decimal (fmt.zig) and a newline. Backs
/// `std_print_float`; also accepts f32.
pub fn printFloat(x: anytype) void {
    var buf: [fmt.float_buf_len]u8 = undefined;
    const s = fmt.formatFloat(&buf, x);
    out_mutex.lock();
    defer out_mutex.unlock();
    writeOutLocked(s);
    writeOutLocked("\n");
}

test printFloat {
    printFloat(@as(f64, 55.0));
    printFloat(@as(f64, 0.1));
    printFloat(@as(f32, 0.1));
    printFloat(@as(f64, 1e300));
    try std.testing.expectEqualStrings("55.0\n0.1\n0.1\n1e+300\n", takeCaptured(.out));
}

/// Prints `true` or `false` and a newline.
pub fn printBool(b: bool) void {
    outWrite(if (b) "true\n" else "false\n");
}

test printBool {
    printBool(true);
    printBool(false);
    try std.testing.expectEqualStrings("true\nfalse\n", takeCaptured(.out));
}

fn writeErr(bytes: []const u8) void {
    if (builtin.is_test) return captured_err.append(bytes);
    std.io.getStdErr().writeAll(bytes) catch {};
}

/// Prints a string and a newline to stderr (unbuffered).
pub fn eprintStr(s: Str) void {
    std.debug.lockStdErr();
    defer std.debug.unlockStdErr();
    writeErr(s.bytes());
    writeErr("\n");
}

test eprintStr {
    eprintStr(Str.lit("warn"));
    try std.testing.expectEqualStrings("warn\n", takeCaptured(.err));
}

/// Formats one message to stderr (std.fmt syntax), unbuffered.
pub fn eprint(comptime format: []const u8, fmt_args: anytype) void {
    var buf: [4096]u8 = undefined;
    const s = std.fmt.bufPrint(&buf, format, fmt_args) catch buf[0..];
    std.debug.lockStdErr();
    defer std.debug.unlockStdErr();
    writeErr(s);
}

test eprint {
    eprint("x={d}\n", .{3});
    try std.testing.expectEqualStrings("x=3\n", takeCaptured(.err));
}

/// Writes `<message>: <value>` to stderr; the value is an integer. Backs `debug_trace`.
pub fn debugTrace(message: Str, value: anytype) void {
    eprint("{s}: {d}\n", .{ message.bytes(), value });
}

test debugTrace {
    debugTrace(Str.lit("count"), @as(i64, 12));
    try std.testing.expectEqualStrings("count: 12\n", takeCaptured(.err));
}

// ---------------------------------------------------------------------------------------------
// Program entry
// ---------------------------------------------------------------------------------------------

/// Runs the program's `main` (`fn () T` where T is void, an integer, a float, bool or Str),
/// prints a non-void result as one line (an owned Str result is released), flushes stdout and,
/// in Debug builds, checks for leaks. Returns the process exit status: 0, or 102 after a leak.
pub fn run(comptime user_main: anytype) u8 {
    guardMainStack();
    const result = user_main();
    printResult(result);
    return finish();
}

/// `run` for a `main` that takes the command-line arguments (without the program name) as a
/// borrowed `List(Str)`.
pub fn runWithArgs(comptime user_main: anytype) u8 {
    guardMainStack();
    const argv = args();
    const result = user_main(argv);
    rc.release(argv);
    printResult(result);
    return finish();
}

fn printResult(result: anytype) void {
    const R = @TypeOf(result);
    switch (@typeInfo(R)) {
        .void => {},
        .int => printInt(result),
        .float => printFloat(result),
        .bool => printBool(result),
        else => if (R == Str) {
            printStr(result);
            rc.release(result);
        } else @compileError("main must return void, an integer, a float, bool or str, not " ++ @typeName(R)),
    }
}

fn finish() u8 {
    flushOut();
    if (builtin.is_test or !use_debug_allocator or builtin.mode != .Debug) return 0;
    if (debug_allocator.deinit() == .leak) {
        writeStderr("error: memory leak detected\n");
        return leak_exit_status;
    }
    return 0;
}

test run {
    const Prog = struct {
        fn intMain() i64 {
            return 55;
        }
        fn strMain() Str {
            return Str.fromSlice("made at run time");
        }
        fn voidMain() void {
            printStr(Str.lit("side effect"));
        }
        fn argsMain(a: list_mod.List(Str)) usize {
            return @intCast(a.len());
        }
    };
    try std.testing.expectEqual(@as(u8, 0), run(Prog.intMain));
    try std.testing.expectEqual(@as(u8, 0), run(Prog.strMain));
    try std.testing.expectEqual(@as(u8, 0), run(Prog.voidMain));
    try std.testing.expectEqualStrings("55\nmade at run time\nside effect\n", takeCaptured(.out));
    try std.testing.expectEqual(@as(u8, 0), runWithArgs(Prog.argsMain));
    const expected = try std.process.argsAlloc(std.testing.allocator);
    defer std.process.argsFree(std.testing.allocator, expected);
    var buf: [32]u8 = undefined;
    try std.testing.expectEqualStrings(try std.fmt.bufPrint(&buf, "{d}\n", .{expected.len - 1}), takeCaptured(.out));
}

/// The command-line arguments without the program name, as an owned `List(Str)`.
pub fn args() list_mod.List(Str) {
    const raw = std.process.argsAlloc(gpa()) catch outOfMemory();
    defer std.process.argsFree(gpa(), raw);
    var l = list_mod.List(Str).empty();
    for (raw[1..]) |a| l.pushOwned(Str.fromSlice(a));
    return l;
}

test args {
    const l = args();
    defer rc.release(l);
    const expected = try std.process.argsAlloc(std.testing.allocator);
    defer std.process.argsFree(std.testing.allocator, expected);
    try std.testing.expectEqual(@as(i64, @intCast(expected.len - 1)), l.len());
    for (l.items(), expected[1..]) |got, want| try std.testing.expectEqualStrings(want, got.bytes());
}

// ---------------------------------------------------------------------------------------------
// Stack overflow
// ---------------------------------------------------------------------------------------------

/// The lowest frame address this thread may reach before `checkStack` faults; 0 (no check) on
/// threads the runtime did not start (the sampler's).
threadlocal var stack_limit: usize = 0;

/// Sets the calling thread's limit for a stack of `size` bytes whose top is about here. A
/// reserve of an eighth of the stack (at least 256 KiB) stays free for the fault report and for
/// what lies above this frame (the environment, on the main thread).
pub fn guardStack(size: usize) void {
    const here = @frameAddress();
    const reserve = @max(256 * 1024, size / 8);
    stack_limit = if (size > 2 * reserve and here > size) here - size + reserve else 0;
}

/// The main thread's stack is as large as the soft limit of RLIMIT_STACK (which Zig's start
/// code raises to the executable's requested size); unlimited counts as 8 MiB.
fn guardMainStack() void {
    const default: usize = 8 * 1024 * 1024;
    const lim = std.posix.getrlimit(.STACK) catch return guardStack(default);
    const infinite = lim.cur == std.posix.RLIM.INFINITY;
    guardStack(if (infinite) default else @intCast(@min(lim.cur, 1 << 40)));
}

/// Faults with "stack overflow" at `loc` (the start of a function that may recurse) when the
/// thread's stack is nearly used up: one thread-local load and a comparison per call.
pub inline fn checkStack(comptime loc: Loc) void {
    if (@frameAddress() < stack_limit) stackOverflow(&loc);
}

fn stackOverflow(loc: *const Loc) noreturn {
    @branchHint(.cold);
    faultAt(loc, "stack overflow: the recursion in `{s}` is too deep", .{loc.func});
}

test checkStack {
    guardStack(64 * 1024 * 1024);
    defer stack_limit = 0;
    checkStack(.{ .func = "f", .line = 1, .col = 1 }); // far from the limit: nothing happens
    const Deep = struct {
        fn overflow() void {
            stack_limit = std.math.maxInt(usize); // as if the stack were used up
            checkStack(.{ .func = "walk", .line = 4, .col = 7 });
        }
    };
    try expectExit(fault_exit_status, "error: stack overflow: the recursion in `walk` is too deep\n  --> <unknown>:4:7 (in function `walk`)\n", Deep.overflow, .{});
}

// ---------------------------------------------------------------------------------------------
// Panic handler
// ---------------------------------------------------------------------------------------------

var panicking = std.atomic.Value(bool).init(false);

fn internalPanic(msg: []const u8, first_trace_addr: ?usize) noreturn {
    @branchHint(.cold);
    if (panicking.swap(true, .acq_rel)) std.process.exit(internal_error_exit_status);
    flushOut();
    var buf: [1024]u8 = undefined;
    const line = std.fmt.bufPrint(&buf, "internal error: {s}\n", .{msg}) catch "internal error\n";
    writeStderr(line);
    if (builtin.mode == .Debug and !builtin.strip_debug_info and !builtin.is_test)
        std.debug.dumpCurrentStackTrace(first_trace_addr orelse @returnAddress());
    std.process.exit(internal_error_exit_status);
}

/// The panic namespace for the generated root (`pub const panic = rt.panic;`): Zig safety
/// panics (compiler or runtime bugs) flush stdout, print `internal error: <message>` and exit 70.
pub const panic = std.debug.FullPanic(internalPanic);

test panic {
    try expectExit(internal_error_exit_status, "internal error: reached unreachable code\n", panic.reachedUnreachable, .{});
    try expectExit(internal_error_exit_status, "internal error: boom\n", panic.call, .{ "boom", null });
}
