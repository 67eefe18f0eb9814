//! SIRS built-ins that are not a single call into one runtime module: polymorphic helpers
//! (`print`, `len`, `to_string`), collection built-ins under their SIRS names, and the small
//! helpers the code generator uses for ownership (`retained`, `replace`) and loops
//! (`range_continues`). The root re-exports them flat, so generated code calls `rt.<name>`.
//! Arguments are borrowed and results owned, as everywhere in the runtime (docs/runtime.md).

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const fmt = @import("fmt.zig");
const math = @import("math.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");
const task = @import("task.zig");

const Loc = core.Loc;
const Str = str_mod.Str;
const List = list_mod.List;

// ----- Ownership helpers -----------------------------------------------------------------------

/// Retains `x` and returns it: turns a borrowed value into an owned one, in an expression.
pub fn retained(x: anytype) @TypeOf(x) {
    rc.retain(x);
    return x;
}

/// Stores `new` (owned) into `*slot` and releases the value it replaces.
pub fn replace(slot: anytype, new: @TypeOf(slot.*)) void {
    const old = slot.*;
    slot.* = new;
    rc.release(old);
}

test "replace releases the old value" {
    var s = Str.fromSlice("old");
    replace(&s, Str.fromSlice("new"));
    defer rc.release(s);
    try std.testing.expectEqualStrings("new", s.bytes());
}

// ----- Printing and conversion -----------------------------------------------------------------

/// `print(x)` for any number, bool or str: one line on stdout.
pub fn print(x: anytype) void {
    const T = @TypeOf(x);
    if (T == Str) return core.printStr(x);
    switch (@typeInfo(T)) {
        .int, .comptime_int => core.printInt(x),
        .float, .comptime_float => core.printFloat(x),
        .bool => core.printBool(x),
        else => @compileError("print: unsupported type " ++ @typeName(T)),
    }
}

/// `print_inline(x)`: writes `x` as `print` does but without the newline, straight into the
/// buffered stdout (a number is formatted on the stack: no string is allocated).
pub fn print_inline(x: anytype) void {
    const T = @TypeOf(x);
    if (T == Str) return core.outWrite(x.bytes());
    switch (@typeInfo(T)) {
        .int, .comptime_int => core.outPrint("{d}", .{x}),
        .float, .comptime_float => {
            var buf: [fmt.float_buf_len]u8 = undefined;
            core.outWrite(fmt.formatFloat(&buf, x));
        },
        .bool => core.outWrite(if (x) "true" else "false"),
        else => @compileError("print_inline: unsupported type " ++ @typeName(T)),
    }
}

test print_inline {
    print_inline(Str.lit("a,"));
    print_inline(@as(i64, -42));
    print_inline(@as(f64, 55.0));
    print_inline(@as(f64, 0.1));
    print_inline(true);
    print(@as(f64, 1e300));
    try std.testing.expectEqualStrings("a,-4255.00.1true1e+300\n", core.takeCaptured(.out));
}

/// `std_print_bool(b)`.
pub fn std_print_bool(b: bool) void {
    core.printBool(b);
}

/// `debug_variable(name, value)`: a line `name = value` on stderr.
pub fn debug_variable(name: Str, value: Str) void {
    core.eprint("{s} = {s}\n", .{ name.bytes(), value.bytes() });
}

/// `to_string(x)` for any number, bool or str (owned).
pub fn to_string(x: anytype) Str {
    return fmt.toStr(x);
}

test to_string {
    const a = to_string(@as(i32, -12));
    defer rc.release(a);
    try std.testing.expectEqualStrings("-12", a.bytes());
    const b = to_string(@as(f64, 2.5));
    defer rc.release(b);
    try std.testing.expectEqualStrings("2.5", b.bytes());
}

/// `std_args()`: the command-line arguments without the program name (owned).
pub fn std_args() List(Str) {
    return core.args();
}

/// `math_hypot(x, y)`: sqrt(x² + y²) without undue overflow.
pub fn math_hypot(x: f64, y: f64) f64 {
    return math.hypot(x, y);
}

test math_hypot {
    try std.testing.expectEqual(@as(f64, 5), math_hypot(3, 4));
    try std.testing.expect(std.math.isInf(math_hypot(std.math.inf(f64), 1)));
}

// ----- Strings ---------------------------------------------------------------------------------

pub fn str_concat(a: Str, b: Str) Str {
    return str_mod.concat(a, b);
}

pub fn str_split(s: Str, sep: Str) List(Str) {
    return str_mod.split(s, sep);
}

pub fn str_join(parts: List(Str), sep: Str) Str {
    return str_mod.join(parts, sep);
}

pub fn str_repeat(s: Str, n: i64) Str {
    return str_mod.repeat(s, n);
}

pub fn str_byte_at(s: Str, i: i64, comptime loc: Loc) i64 {
    return str_mod.byteAt(s, i, loc);
}

pub fn str_parse_int(s: Str) @TypeOf(str_mod.parseInt(s)) {
    return str_mod.parseInt(s);
}

pub fn str_parse_float(s: Str) @TypeOf(str_mod.parseFloat(s)) {
    return str_mod.parseFloat(s);
}

// ----- Arrays ----------------------------------------------------------------------------------

/// `len(xs)`: the number of elements of a list (also maps and sets).
pub fn len(xs: anytype) i64 {
    return xs.len();
}

/// `push(xs, v)` on a mutable list variable.
pub fn push(xs: anytype, v: anytype) void {
    xs.push(v);
}

/// `pop(xs)`: removes and returns the last element (owned); faults on an empty list.
pub fn pop(xs: anytype, comptime loc: Loc) @TypeOf(xs.*).Elem {
    return xs.pop(loc);
}

pub fn array_slice(xs: anytype, lo: i64, hi: i64, comptime loc: Loc) @TypeOf(xs) {
    return xs.slice(lo, hi, loc);
}

pub fn array_concat(a: anytype, b: @TypeOf(a)) @TypeOf(a) {
    return @TypeOf(a).concat(a, b);
}

pub fn array_contains(xs: anytype, v: @TypeOf(xs).Elem) bool {
    return xs.contains(v);
}

pub fn array_index_of(xs: anytype, v: @TypeOf(xs).Elem) i64 {
    return xs.indexOf(v);
}

pub fn array_reverse(xs: anytype) @TypeOf(xs) {
    return xs.reverse();
}

pub fn array_sort(xs: anytype) @TypeOf(xs) {
    return xs.sorted();
}

/// `array_fill(n, v)`: a list of `n` copies of `v`; a negative `n` is a fault at the call.
pub fn array_fill(n: i64, v: anytype, comptime loc: Loc) List(@TypeOf(v)) {
    if (n < 0) core.fault(loc, "array_fill: the length must not be negative, got {d}", .{n});
    const count: usize = @intCast(n);
    // a length whose bytes do not fit in the address space (it used to overflow inside the list)
    _ = std.math.mul(usize, count, @max(@sizeOf(@TypeOf(v)), 1)) catch
        core.fault(loc, "array_fill: {d} elements do not fit in memory", .{n});
    var out = List(@TypeOf(v)).withCapacity(count);
    for (0..count) |_| out.push(v);
    return out;
}

pub fn array_sum(xs: List(f64)) f64 {
    var total: f64 = 0;
    for (xs.items()) |x| total += x;
    return total;
}

/// `array_mean(xs)`: the arithmetic mean; NaN for an empty list.
pub fn array_mean(xs: List(f64)) f64 {
    const n = xs.len();
    if (n == 0) return std.math.nan(f64);
    return array_sum(xs) / @as(f64, @floatFromInt(n));
}

test "array built-ins" {
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    var xs = array_fill(3, @as(f64, 1.5), l);
    defer rc.release(xs);
    push(&xs, @as(f64, 4.5));
    try std.testing.expectEqual(@as(i64, 4), len(xs));
    try std.testing.expectEqual(@as(f64, 9), array_sum(xs));
    try std.testing.expectEqual(@as(f64, 2.25), array_mean(xs));
    try std.testing.expectEqual(@as(f64, 4.5), pop(&xs, l));
    const s = array_slice(xs, 1, 3, l);
    defer rc.release(s);
    try std.testing.expectEqual(@as(i64, 2), len(s));
}

// ----- Maps and sets ---------------------------------------------------------------------------

pub fn map_len(m: anytype) i64 {
    return m.len();
}

pub fn map_insert(m: anytype, k: anytype, v: anytype) void {
    m.insert(k, v);
}

pub fn map_get(m: anytype, k: anytype) @TypeOf(m.get(k)) {
    return m.get(k);
}

pub fn map_remove(m: anytype, k: anytype) bool {
    return m.remove(k);
}

pub fn map_contains(m: anytype, k: anytype) bool {
    return m.contains(k);
}

pub fn map_keys(m: anytype) @TypeOf(m.keys()) {
    return m.keys();
}

pub fn map_values(m: anytype) @TypeOf(m.values()) {
    return m.values();
}

/// The `i`-th key in insertion order (borrowed), for `for` loops over maps.
pub fn map_key_at(m: anytype, i: i64) @TypeOf(m.keyAt(i)) {
    return m.keyAt(i);
}

/// The `i`-th value in insertion order (borrowed), for `for` loops over maps.
pub fn map_value_at(m: anytype, i: i64) @TypeOf(m.valueAt(i)) {
    return m.valueAt(i);
}

pub fn set_len(s: anytype) i64 {
    return s.len();
}

pub fn set_insert(s: anytype, x: anytype) bool {
    return s.insert(x);
}

pub fn set_remove(s: anytype, x: anytype) bool {
    return s.remove(x);
}

pub fn set_contains(s: anytype, x: anytype) bool {
    return s.contains(x);
}

pub fn set_items(s: anytype) @TypeOf(s.toList()) {
    return s.toList();
}

pub fn set_union(a: anytype, b: @TypeOf(a)) @TypeOf(a) {
    return @TypeOf(a).union_(a, b);
}

pub fn set_intersection(a: anytype, b: @TypeOf(a)) @TypeOf(a) {
    return @TypeOf(a).intersection(a, b);
}

pub fn set_difference(a: anytype, b: @TypeOf(a)) @TypeOf(a) {
    return @TypeOf(a).difference(a, b);
}

// ----- Model helpers -----------------------------------------------------------------------------

/// An observation of a discrete distribution given as a float: it must be a whole number.
pub fn whole_number(x: f64, comptime loc: Loc) i64 {
    if (!(x == @trunc(x)) or @abs(x) > 9.0e15) core.fault(loc, "a discrete observation must be a whole number, got {d}", .{x});
    return @intFromFloat(x);
}

const ad = @import("ppl/ad.zig");

/// Smooth functions common in models (plain versions; inside a model they are differentiated).
pub fn inv_logit(x: f64) f64 {
    return ad.F64.inv_logit(x);
}
pub fn logit(x: f64) f64 {
    return ad.F64.logit(x);
}
pub fn log1p(x: f64) f64 {
    return ad.F64.log1p(x);
}
pub fn expm1(x: f64) f64 {
    return ad.F64.expm1(x);
}
pub fn lgamma(x: f64) f64 {
    return ad.F64.lgamma(x);
}
pub fn log_sum_exp(a: f64, b: f64) f64 {
    return ad.F64.log_sum_exp(a, b);
}
/// `log_sum_exp(xs)`: log(sum(exp(xs))) without overflow; -inf for an empty list.
pub fn log_sum_exp_array(xs: List(f64)) f64 {
    return ad.F64.log_sum_exp_slice(xs.items());
}
pub fn log1p_exp(x: f64) f64 {
    return ad.F64.log1p_exp(x);
}
pub fn phi(x: f64) f64 {
    return ad.F64.Phi(x);
}
pub fn erf(x: f64) f64 {
    return ad.F64.erf(x);
}
pub fn log_mix(theta: f64, lp1: f64, lp2: f64) f64 {
    return ad.F64.log_mix(theta, lp1, lp2);
}
pub fn square(x: f64) f64 {
    return x * x;
}
pub fn dot(a: List(f64), b: List(f64), comptime loc: Loc) f64 {
    if (a.len() != b.len()) core.fault(loc, "dot: the lists have lengths {d} and {d}", .{ a.len(), b.len() });
    var total: f64 = 0;
    for (a.items(), b.items()) |x, y| total += x * y;
    return total;
}

test "model helpers" {
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    try std.testing.expectEqual(@as(i64, 4), whole_number(4.0, l));
    try std.testing.expectApproxEqAbs(@as(f64, 0.5), inv_logit(0), 1e-15);
    try std.testing.expectApproxEqAbs(@as(f64, 0), lgamma(1), 1e-15);
    const a = List(f64).fromSlice(&.{ 1, 2 });
    defer rc.release(a);
    try std.testing.expectEqual(@as(f64, 5), dot(a, a, l));
    try std.testing.expectApproxEqRel(@as(f64, 2 + @log(1 + @exp(-1.0))), log_sum_exp_array(a), 1e-15);
    const empty = List(f64).fromSlice(&.{});
    defer rc.release(empty);
    try std.testing.expect(std.math.isNegativeInf(log_sum_exp_array(empty)));
}

// ----- Loops -----------------------------------------------------------------------------------

/// Whether a `for` over a range with a step only known at run time goes on; a zero step
/// would never finish and is a fault.
pub fn range_continues(i: anytype, end: @TypeOf(i), step: @TypeOf(i), inclusive: bool, comptime loc: Loc) bool {
    if (step == 0) core.fault(loc, "range step must not be zero", .{});
    if (step > 0) return if (inclusive) i <= end else i < end;
    return if (inclusive) i >= end else i > end;
}

test range_continues {
    const l: Loc = .{ .func = "t", .line = 1, .col = 1 };
    try std.testing.expect(range_continues(@as(i64, 0), 3, 1, false, l));
    try std.testing.expect(!range_continues(@as(i64, 3), 3, 1, false, l));
    try std.testing.expect(range_continues(@as(i64, 3), 3, -1, true, l));
    try std.testing.expect(!range_continues(@as(i64, 2), 3, -1, false, l));
}

test {
    std.testing.refAllDecls(@This());
    _ = math;
}

// ----- Channels --------------------------------------------------------------------------------
// `channel_new` is emitted as `rt.task.Channel(T).init(capacity)` (its element type comes from
// the result); the others take the channel first.

/// `channel_send(c, v)`: queues `v` (retained); false once the channel is closed.
pub fn channel_send(c: anytype, v: @TypeOf(c).Elem) bool {
    return c.send(v);
}

/// `channel_recv(c)`: the next value, waiting for one; None once closed and drained.
pub fn channel_recv(c: anytype) option.Option(@TypeOf(c).Elem) {
    return c.recv();
}

/// `channel_try_recv(c)`: the next value if one is queued, without waiting.
pub fn channel_try_recv(c: anytype) option.Option(@TypeOf(c).Elem) {
    return c.tryRecv();
}

/// `channel_close(c)`: later sends fail; receivers drain what is queued.
pub fn channel_close(c: anytype) void {
    c.close();
}

/// `channel_len(c)`: the number of queued values.
pub fn channel_len(c: anytype) i64 {
    return c.len();
}

test channel_send {
    const c = task.Channel(i64).init(0);
    defer rc.release(c);
    try std.testing.expect(channel_send(c, 4));
    try std.testing.expect(channel_send(c, 5));
    try std.testing.expectEqual(@as(i64, 2), channel_len(c));
    try std.testing.expectEqual(@as(i64, 4), channel_recv(c).Some);
    channel_close(c);
    try std.testing.expect(!channel_send(c, 6));
    try std.testing.expectEqual(@as(i64, 5), channel_try_recv(c).Some);
    try std.testing.expect(channel_recv(c) == .None);
}

// ----- Float arithmetic the compiler keeps away from Zig's constant folding -------------------
// Zig evaluates float operations on compile-time operands itself, and gets signed zeros wrong
// (`0.0 * -2.0` gives +0.0) and rejects `@rem` by a known zero. The generated code calls these
// (runtime parameters, so the CPU computes the IEEE result) when an operand is a constant zero
// or both are constants, and for every float `mod` (C's fmod: the sign of the dividend).

pub fn float_add(comptime T: type, a: T, b: T) T {
    return a + b;
}

pub fn float_sub(comptime T: type, a: T, b: T) T {
    return a - b;
}

pub fn float_mul(comptime T: type, a: T, b: T) T {
    return a * b;
}

pub fn float_div(comptime T: type, a: T, b: T) T {
    return a / b;
}

pub fn float_mod(comptime T: type, a: T, b: T) T {
    if (b == 0 or std.math.isInf(a) or std.math.isNan(b)) return std.math.nan(T);
    return @rem(a, b);
}

test float_mul {
    try std.testing.expect(std.math.signbit(float_mul(f64, 0.0, -2.0)));
    try std.testing.expect(!std.math.signbit(float_add(f64, -0.0, 0.0)));
    try std.testing.expect(std.math.isNan(float_mod(f64, 1.5, 0.0)));
    try std.testing.expectEqual(@as(f64, -1.5), float_mod(f64, -7.5, 3.0));
    try std.testing.expectEqual(@as(f32, 0.5), float_mod(f32, 2.5, 2.0));
    try std.testing.expectEqual(@as(f64, 2.5), float_sub(f64, 3.0, 0.5));
    try std.testing.expectEqual(@as(f64, 0.75), float_div(f64, 3.0, 4.0));
}
