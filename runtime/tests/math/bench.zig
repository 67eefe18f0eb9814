//! Speed of runtime/math.zig in ns per call (not a test; numbers for the record). Arguments
//! are 65,536 seeded random values in typical ranges; each function runs over them 20 times.
//! Compiler-rt's `@exp`, `@log`, `@sin`, `@cos` and `std.math.pow` are timed alongside for scale.
//! Build: zig build-exe -OReleaseFast --dep math -Mroot=bench.zig -Mmath=../../math.zig

const std = @import("std");
const math = @import("math");

const n = 1 << 16;
const reps = 20;

fn time1(comptime name: []const u8, comptime f: anytype, xs: []const f64) !void {
    var sum: f64 = 0;
    var timer = try std.time.Timer.start();
    for (0..reps) |_| {
        for (xs) |x| sum += f(x);
    }
    const ns = @as(f64, @floatFromInt(timer.read())) / (n * reps);
    std.mem.doNotOptimizeAway(sum);
    try std.io.getStdOut().writer().print("{s:<14} {d:6.1} ns/call\n", .{ name, ns });
}

fn time2(comptime name: []const u8, comptime f: anytype, xs: []const f64, ys: []const f64) !void {
    var sum: f64 = 0;
    var timer = try std.time.Timer.start();
    for (0..reps) |_| {
        for (xs, ys) |x, y| sum += f(x, y);
    }
    const ns = @as(f64, @floatFromInt(timer.read())) / (n * reps);
    std.mem.doNotOptimizeAway(sum);
    try std.io.getStdOut().writer().print("{s:<14} {d:6.1} ns/call\n", .{ name, ns });
}

fn rtExp(x: f64) f64 {
    return @exp(x);
}
fn rtLog(x: f64) f64 {
    return @log(x);
}
fn rtSin(x: f64) f64 {
    return @sin(x);
}
fn stdPow(x: f64, y: f64) f64 {
    return std.math.pow(f64, x, y);
}

pub fn main() !void {
    const gpa = std.heap.page_allocator;
    var prng = std.Random.DefaultPrng.init(42);
    const rng = prng.random();
    const a = try gpa.alloc(f64, n); // (-20, 20)
    const p = try gpa.alloc(f64, n); // (0, 1000), log-spread
    const u = try gpa.alloc(f64, n); // (-1, 1)
    const y = try gpa.alloc(f64, n); // (-5, 5)
    for (a, p, u, y) |*ai, *pi, *ui, *yi| {
        ai.* = rng.float(f64) * 40 - 20;
        pi.* = std.math.exp2(rng.float(f64) * 20 - 10);
        ui.* = rng.float(f64) * 2 - 1;
        yi.* = rng.float(f64) * 10 - 5;
    }
    try time1("exp", math.exp, a);
    try time1("log", math.log, p);
    try time1("log10", math.log10, p);
    try time1("sin", math.sin, a);
    try time1("cos", math.cos, a);
    try time1("tan", math.tan, a);
    try time1("atan", math.atan, a);
    try time1("asin", math.asin, u);
    try time1("sinh", math.sinh, a);
    try time1("tanh", math.tanh, u);
    try time2("pow", math.pow, p, y);
    try time2("atan2", math.atan2, a, y);
    try time2("hypot", math.hypot, a, y);
    try time1("@exp (crt)", rtExp, a);
    try time1("@log (crt)", rtLog, p);
    try time1("@sin (crt)", rtSin, a);
    try time2("std.math.pow", stdPow, p, y);
}
