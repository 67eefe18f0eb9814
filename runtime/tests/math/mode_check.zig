//! Build-mode independence check for runtime/math.zig (run by check_modes.sh, which builds
//! this with -ODebug, -OReleaseSafe and -OReleaseFast). It prints one hash per way of
//! computing the results, all of which must agree within a build and across builds:
//!   table     every record of cases.bin.gz evaluated at run time (arguments unknown to the
//!             compiler);
//!   runtime   a fixed argument list passed through a volatile read, so nothing can fold;
//!   folded    the same list as compile-time-known arguments of ordinary calls, which LLVM
//!             may constant-fold in release modes (this is where `@exp` & co. change digits);
//!   comptime  the same list evaluated by Zig's compile-time interpreter. Zig 0.14.1's
//!             interpreter is not IEEE about signed zeros (it gives 0.0 + -0.0 == -0.0), so
//!             this hash is taken with every zero counted as +0 (`lerp(0, 0, -1)` is -0.0
//!             there and +0.0 at run time); all other bits must match.
//! Build: zig build-exe -O<mode> --dep math -Mroot=mode_check.zig -Mmath=../../math.zig

const std = @import("std");
const math = @import("math");

const args1 = [_]f64{ 0.5, 1.0, 2.0, 3.0, 10.0, 0.1, -0.7, 1e-5, 100.0, 1e22, 700.0, -745.0, 1e300, 5e-324, 0.9999999, 1.5707963267948966, 3.141592653589793, 0.0027, 22.5, 40.5, -3.75, 6.0e-300, 0.75, 1234.5678 };
const args2 = [_][2]f64{ .{ 2.0, 10.0 }, .{ 1.5, 2.5 }, .{ 10.0, -3.3 }, .{ 0.9, 300.0 }, .{ -2.0, 3.0 }, .{ 3.0, 4.0 }, .{ 1e300, 1e-300 }, .{ -1.0, -1.0 }, .{ 7.0, 0.3333333333333333 }, .{ 123.456, 7.89 }, .{ 3.0, 34.0 }, .{ 0.5, 1074.5 }, .{ 1e-310, 3e-310 }, .{ -7.5, 2.0 } };
const args3 = [_][3]f64{ .{ 1.0, 2.0, 0.25 }, .{ -3.0, 0.0, 1.0 }, .{ 5.0, 1e300, -1e300 }, .{ 0.1, 0.2, 0.3 } };

const one = .{ "abs", "sqrt", "exp", "log", "log10", "log2", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor", "ceil", "round", "trunc", "degrees", "radians", "sign" };
const two = .{ "pow", "atan2", "hypot", "fmod", "remainder", "min", "max", "copysign" };
const three = .{ "clamp", "lerp" };

fn bitsOf(x: f64) u64 {
    // One NaN pattern, so that NaN payload differences between modes do not count.
    return if (std.math.isNan(x)) 0x7ff8_0000_0000_0000 else @bitCast(x);
}

fn unsignedZeros(words: []const u64) [n_results]u64 {
    var out: [n_results]u64 = undefined;
    for (words, 0..) |w, i| out[i] = if (w == 0x8000_0000_0000_0000) 0 else w;
    return out;
}

const n_results = one.len * args1.len + two.len * args2.len + three.len * args3.len;

/// The argument list evaluated with arguments hidden behind volatile reads.
fn runtimeResults() [n_results]u64 {
    var out: [n_results]u64 = undefined;
    var k: usize = 0;
    var hide1 = args1;
    var hide2 = args2;
    var hide3 = args3;
    const v1: *volatile [args1.len]f64 = &hide1;
    const v2: *volatile [args2.len][2]f64 = &hide2;
    const v3: *volatile [args3.len][3]f64 = &hide3;
    inline for (one) |name| {
        for (0..args1.len) |i| {
            out[k] = bitsOf(@field(math, name)(v1[i]));
            k += 1;
        }
    }
    inline for (two) |name| {
        for (0..args2.len) |i| {
            out[k] = bitsOf(@field(math, name)(v2[i][0], v2[i][1]));
            k += 1;
        }
    }
    inline for (three) |name| {
        for (0..args3.len) |i| {
            out[k] = bitsOf(@field(math, name)(v3[i][0], v3[i][1], v3[i][2]));
            k += 1;
        }
    }
    return out;
}

/// The same list as compile-time-known arguments of run-time calls (LLVM may fold them).
fn foldedResults() [n_results]u64 {
    var out: [n_results]u64 = undefined;
    comptime var k: usize = 0;
    inline for (one) |name| {
        inline for (args1) |a| {
            out[k] = bitsOf(@field(math, name)(a));
            k += 1;
        }
    }
    inline for (two) |name| {
        inline for (args2) |a| {
            out[k] = bitsOf(@field(math, name)(a[0], a[1]));
            k += 1;
        }
    }
    inline for (three) |name| {
        inline for (args3) |a| {
            out[k] = bitsOf(@field(math, name)(a[0], a[1], a[2]));
            k += 1;
        }
    }
    return out;
}

/// The same list evaluated by the compile-time interpreter.
const comptime_results: [n_results]u64 = blk: {
    @setEvalBranchQuota(10_000_000);
    var out: [n_results]u64 = undefined;
    var k: usize = 0;
    for (one) |name| {
        for (args1) |a| {
            out[k] = bitsOf(@field(math, name)(a));
            k += 1;
        }
    }
    for (two) |name| {
        for (args2) |a| {
            out[k] = bitsOf(@field(math, name)(a[0], a[1]));
            k += 1;
        }
    }
    for (three) |name| {
        for (args3) |a| {
            out[k] = bitsOf(@field(math, name)(a[0], a[1], a[2]));
            k += 1;
        }
    }
    break :blk out;
};

fn hashOf(words: []const u64) u64 {
    return std.hash.Wyhash.hash(0x5e7, std.mem.sliceAsBytes(words));
}

pub fn main() !void {
    const gpa = std.heap.page_allocator;
    var in = std.io.fixedBufferStream(@embedFile("cases.bin.gz"));
    var buf = std.ArrayList(u8).init(gpa);
    defer buf.deinit();
    try std.compress.gzip.decompress(in.reader(), buf.writer());
    var secs_buf: [40]math.TableSection = undefined;
    const secs = try math.parseTable(buf.items, &secs_buf);
    var h = std.hash.Wyhash.init(0x5e7);
    var count: usize = 0;
    inline for (math.table_functions, 0..) |entry, si| {
        const sec = secs[si];
        for (0..sec.count) |i| {
            const b = bitsOf(math.callRecord(entry[1], sec, i));
            h.update(std.mem.asBytes(&b));
            count += 1;
        }
    }
    const rt = runtimeResults();
    const fo = foldedResults();
    const out = std.io.getStdOut().writer();
    try out.print("table {x:0>16} ({d} results)\n", .{ h.final(), count });
    try out.print("runtime {x:0>16}\n", .{hashOf(&rt)});
    try out.print("folded {x:0>16}\n", .{hashOf(&fo)});
    const rt0 = unsignedZeros(&rt);
    const ct0 = unsignedZeros(&comptime_results);
    try out.print("runtime-unsigned-zeros {x:0>16}\n", .{hashOf(&rt0)});
    try out.print("comptime-unsigned-zeros {x:0>16}\n", .{hashOf(&ct0)});
    // Name any differing result, to make a failure easy to chase.
    for (rt, fo, rt0, ct0, 0..) |a, b, a0, c0, i| {
        if (a != b or a0 != c0) try out.print("differ at list result {d}: runtime {x} folded {x} comptime {x}\n", .{ i, a, b, comptime_results[i] });
    }
}
