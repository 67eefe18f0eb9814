//! `Str`, the sev string, and the string built-ins. A Str is a fat pointer (bytes, length) plus
//! an optional reference-counted buffer: literals have no buffer and are never freed; strings
//! made at run time own a `StrBuf` (atomic count + bytes). Strings are immutable, so slicing
//! operations (`substring`, `trim`, `split`) share the buffer instead of copying. Strings are
//! bytes: lengths and offsets count bytes (UTF-8 code units), not characters; case mapping and
//! trimming are ASCII-only. Every function borrows its arguments and returns an owned Str
//! unless its comment says "borrowed".

const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const fmt = @import("fmt.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");

const Loc = core.Loc;
const List = list_mod.List;

/// Header of a heap string; `len` bytes follow it in the same allocation.
pub const StrBuf = struct {
    count: rc.Count,
    len: usize,

    fn data(self: *StrBuf) [*]u8 {
        return @as([*]u8, @ptrCast(self)) + @sizeOf(StrBuf);
    }

    fn block(self: *StrBuf) []align(@alignOf(StrBuf)) u8 {
        const base: [*]align(@alignOf(StrBuf)) u8 = @ptrCast(self);
        return base[0 .. @sizeOf(StrBuf) + self.len];
    }
};

/// An immutable byte string with value semantics (see the module comment).
pub const Str = struct {
    ptr: [*]const u8,
    len: usize,
    buf: ?*StrBuf,

    /// The empty string (static).
    pub const empty: Str = lit("");

    /// A static string from a literal; never freed, retain/release ignore it.
    pub fn lit(comptime s: []const u8) Str {
        return .{ .ptr = s.ptr, .len = s.len, .buf = null };
    }

    /// An owned copy of `bytes`.
    pub fn fromSlice(bytes_: []const u8) Str {
        if (bytes_.len == 0) return empty;
        const s = alloc(bytes_.len);
        @memcpy(s.bytes, bytes_);
        return s.str;
    }

    /// The bytes (borrowed: valid while this Str is alive).
    pub fn bytes(self: Str) []const u8 {
        return self.ptr[0..self.len];
    }

    /// The current reference count of the buffer (0 for a static string). For tests.
    pub fn refCount(self: Str) usize {
        return if (self.buf) |b| b.count.load() else 0;
    }

    pub fn sevRetain(self: Str) void {
        if (self.buf) |b| rc.incRef(&b.count);
    }

    pub fn sevRelease(self: Str) void {
        if (self.buf) |b| {
            if (rc.decRef(&b.count)) core.gpa().free(b.block());
        }
    }

    pub fn sevEql(a: Str, b: Str) bool {
        return std.mem.eql(u8, a.bytes(), b.bytes());
    }

    pub fn sevHash(self: Str, h: *std.hash.Wyhash) void {
        h.update(std.mem.asBytes(&self.len));
        h.update(self.bytes());
    }

    pub fn sevOrder(a: Str, b: Str) std.math.Order {
        return std.mem.order(u8, a.bytes(), b.bytes());
    }

    pub fn sevWrite(self: Str, w: anytype, nested: bool) !void {
        if (nested) return fmt.writeQuoted(w, self.bytes());
        try w.writeAll(self.bytes());
    }

    /// `std.fmt` support: `print("{}", .{s})` writes the bytes.
    pub fn format(self: Str, comptime _: []const u8, _: std.fmt.FormatOptions, w: anytype) !void {
        try w.writeAll(self.bytes());
    }

    /// A string that shares this one's buffer (retained): bytes `[start, end)`.
    fn share(self: Str, start: usize, end: usize) Str {
        self.sevRetain();
        return .{ .ptr = self.ptr + start, .len = end - start, .buf = self.buf };
    }
};

/// Allocates an owned string of `n` bytes (n > 0) whose bytes the caller fills in.
fn alloc(n: usize) struct { str: Str, bytes: []u8 } {
    const mem = core.gpa().alignedAlloc(u8, @alignOf(StrBuf), @sizeOf(StrBuf) + n) catch core.outOfMemory();
    const b: *StrBuf = @ptrCast(mem.ptr);
    b.* = .{ .count = rc.Count.init(1), .len = n };
    return .{ .str = .{ .ptr = b.data(), .len = n, .buf = b }, .bytes = b.data()[0..n] };
}

test Str {
    const a = Str.fromSlice("hello");
    try std.testing.expectEqualStrings("hello", a.bytes());
    try std.testing.expectEqual(@as(usize, 1), a.refCount());
    a.sevRetain();
    try std.testing.expectEqual(@as(usize, 2), a.refCount());
    a.sevRelease();
    a.sevRelease(); // freed; the leak-checking allocator verifies it
    const l = Str.lit("static");
    l.sevRelease(); // ignored
    try std.testing.expectEqualStrings("static", l.bytes());
    try std.testing.expectEqual(@as(usize, 0), Str.fromSlice("").refCount());
    var buf: [32]u8 = undefined;
    try std.testing.expectEqualStrings("<static>", try std.fmt.bufPrint(&buf, "<{}>", .{l}));
}

/// Accumulates bytes and produces an owned Str; faults on out-of-memory. Used by the runtime
/// and the standard library modules to build strings.
pub const Builder = struct {
    list: std.ArrayListUnmanaged(u8) = .empty,

    pub fn init() Builder {
        return .{};
    }

    pub fn append(self: *Builder, b: []const u8) void {
        self.list.appendSlice(core.gpa(), b) catch core.outOfMemory();
    }

    pub fn appendByte(self: *Builder, c: u8) void {
        self.list.append(core.gpa(), c) catch core.outOfMemory();
    }

    /// Formats with std.fmt syntax.
    pub fn print(self: *Builder, comptime format: []const u8, args: anytype) void {
        self.writer().print(format, args) catch |e| switch (e) {};
    }

    fn writeFn(self: *Builder, b: []const u8) error{}!usize {
        self.append(b);
        return b.len;
    }

    pub const Writer = std.io.GenericWriter(*Builder, error{}, writeFn);

    /// A std.io writer that appends (never fails).
    pub fn writer(self: *Builder) Writer {
        return .{ .context = self };
    }

    /// The bytes so far (borrowed until the next append).
    pub fn written(self: *const Builder) []const u8 {
        return self.list.items;
    }

    /// Returns the owned Str and resets the builder.
    pub fn finish(self: *Builder) Str {
        const s = Str.fromSlice(self.list.items);
        self.deinit();
        return s;
    }

    /// Frees the buffer without producing a string.
    pub fn deinit(self: *Builder) void {
        self.list.deinit(core.gpa());
        self.* = .{};
    }
};

test Builder {
    var b = Builder.init();
    b.append("x = ");
    b.print("{d}", .{42});
    b.appendByte('!');
    try std.testing.expectEqualStrings("x = 42!", b.written());
    const s = b.finish();
    defer s.sevRelease();
    try std.testing.expectEqualStrings("x = 42!", s.bytes());
    var d = Builder.init();
    d.append("discarded");
    d.deinit();
}

// ---------------------------------------------------------------------------------------------
// The catalogue's string built-ins
// ---------------------------------------------------------------------------------------------

/// Length in bytes (not characters), an `i64` like every integer a built-in returns. Backs
/// `str_length`.
pub fn length(s: Str) i64 {
    return @intCast(s.len);
}

test length {
    try std.testing.expectEqual(@as(i64, 5), length(Str.lit("hello")));
    try std.testing.expectEqual(@as(i64, 0), length(Str.lit("")));
    try std.testing.expectEqual(@as(i64, 2), length(Str.lit("é"))); // two UTF-8 bytes
}

/// Bytes `[start, end)` of `s` (byte offsets, half-open). Faults unless
/// `0 <= start <= end <= length`. Shares the buffer. Backs `str_substring`.
pub fn substring(s: Str, start: i64, end: i64, comptime loc: Loc) Str {
    if (start < 0 or end < start or end > s.len) {
        @branchHint(.cold);
        core.faultAt(&loc, "substring out of range: start {d}, end {d}, length {d}", .{ start, end, s.len });
    }
    return s.share(@intCast(start), @intCast(end));
}

const tloc: Loc = .{ .func = "t", .line = 1, .col = 1 };

test substring {
    const s = Str.fromSlice("hello world");
    defer s.sevRelease();
    const w = substring(s, 6, 11, tloc);
    defer w.sevRelease();
    try std.testing.expectEqualStrings("world", w.bytes());
    try std.testing.expectEqual(@as(usize, 2), s.refCount()); // shared buffer
    const e = substring(s, 3, 3, tloc);
    defer e.sevRelease();
    try std.testing.expectEqualStrings("", e.bytes());
    try core.expectExit(101, "error: substring out of range: start 2, end 9, length 5\n  --> <unknown>:1:1 (in function `t`)\n", substring, .{ Str.lit("hello"), 2, 9, tloc });
    try core.expectExit(101, "error: substring out of range: start -1, end 2, length 5\n  --> <unknown>:1:1 (in function `t`)\n", substring, .{ Str.lit("hello"), -1, 2, tloc });
}

/// Byte offset of the first occurrence of `needle`, or -1. An empty needle is found at 0.
/// Backs `str_index_of`.
pub fn indexOf(s: Str, needle: Str) i64 {
    const i = std.mem.indexOf(u8, s.bytes(), needle.bytes()) orelse return -1;
    return @intCast(i);
}

test indexOf {
    try std.testing.expectEqual(@as(i64, 2), indexOf(Str.lit("banana"), Str.lit("nan")));
    try std.testing.expectEqual(@as(i64, -1), indexOf(Str.lit("banana"), Str.lit("x")));
    try std.testing.expectEqual(@as(i64, 0), indexOf(Str.lit("banana"), Str.lit("")));
}

/// Whether `needle` occurs in `s`. Backs `str_contains`.
pub fn contains(s: Str, needle: Str) bool {
    return std.mem.indexOf(u8, s.bytes(), needle.bytes()) != null;
}

test contains {
    try std.testing.expect(contains(Str.lit("haystack"), Str.lit("st")));
    try std.testing.expect(!contains(Str.lit("haystack"), Str.lit("needle")));
}

/// Backs `str_starts_with`.
pub fn startsWith(s: Str, prefix: Str) bool {
    return std.mem.startsWith(u8, s.bytes(), prefix.bytes());
}

test startsWith {
    try std.testing.expect(startsWith(Str.lit("prefix"), Str.lit("pre")));
    try std.testing.expect(!startsWith(Str.lit("pre"), Str.lit("prefix")));
}

/// Backs `str_ends_with`.
pub fn endsWith(s: Str, suffix: Str) bool {
    return std.mem.endsWith(u8, s.bytes(), suffix.bytes());
}

test endsWith {
    try std.testing.expect(endsWith(Str.lit("file.json"), Str.lit(".json")));
    try std.testing.expect(!endsWith(Str.lit("file.json"), Str.lit(".zig")));
}

/// Byte equality. Backs `str_equals` and `eq`/`ne` on strings.
pub fn equals(a: Str, b: Str) bool {
    return std.mem.eql(u8, a.bytes(), b.bytes());
}

/// Same as `equals`.
pub const eql = equals;

test equals {
    const a = Str.fromSlice("same");
    defer a.sevRelease();
    try std.testing.expect(equals(a, Str.lit("same")));
    try std.testing.expect(!eql(a, Str.lit("Same")));
}

/// Bytewise lexicographic order; backs `lt`/`le`/`gt`/`ge` on strings.
pub fn order(a: Str, b: Str) std.math.Order {
    return std.mem.order(u8, a.bytes(), b.bytes());
}

test order {
    try std.testing.expectEqual(std.math.Order.lt, order(Str.lit("apple"), Str.lit("banana")));
    try std.testing.expectEqual(std.math.Order.lt, order(Str.lit("B"), Str.lit("a")));
    try std.testing.expectEqual(std.math.Order.eq, order(Str.lit(""), Str.lit("")));
}

/// Replaces every non-overlapping occurrence of `from` (left to right) with `to`. An empty
/// `from` leaves `s` unchanged. Backs `str_replace`.
pub fn replace(s: Str, from: Str, to: Str) Str {
    if (from.len == 0 or std.mem.indexOf(u8, s.bytes(), from.bytes()) == null) return s.share(0, s.len);
    var b = Builder.init();
    var rest = s.bytes();
    while (std.mem.indexOf(u8, rest, from.bytes())) |i| {
        b.append(rest[0..i]);
        b.append(to.bytes());
        rest = rest[i + from.len ..];
    }
    b.append(rest);
    return b.finish();
}

test replace {
    const r = replace(Str.lit("a-b-c"), Str.lit("-"), Str.lit("+="));
    defer r.sevRelease();
    try std.testing.expectEqualStrings("a+=b+=c", r.bytes());
    const r2 = replace(Str.lit("aaa"), Str.lit("aa"), Str.lit("b"));
    defer r2.sevRelease();
    try std.testing.expectEqualStrings("ba", r2.bytes());
    const r3 = replace(Str.lit("abc"), Str.lit(""), Str.lit("x"));
    defer r3.sevRelease();
    try std.testing.expectEqualStrings("abc", r3.bytes());
}

fn mapBytes(s: Str, comptime f: fn (u8) u8) Str {
    if (s.len == 0) return Str.empty;
    const out = alloc(s.len);
    for (out.bytes, s.bytes()) |*d, c| d.* = f(c);
    return out.str;
}

/// ASCII upper case; other bytes unchanged. Backs `str_to_upper`.
pub fn toUpper(s: Str) Str {
    return mapBytes(s, std.ascii.toUpper);
}

test toUpper {
    const u = toUpper(Str.lit("Hello, wörld"));
    defer u.sevRelease();
    try std.testing.expectEqualStrings("HELLO, WöRLD", u.bytes());
}

/// ASCII lower case; other bytes unchanged. Backs `str_to_lower`.
pub fn toLower(s: Str) Str {
    return mapBytes(s, std.ascii.toLower);
}

test toLower {
    const u = toLower(Str.lit("MiXeD 42"));
    defer u.sevRelease();
    try std.testing.expectEqualStrings("mixed 42", u.bytes());
}

const ascii_space = " \t\n\r\x0b\x0c";

/// Removes leading and trailing ASCII whitespace (space, \t, \n, \r, \v, \f). Shares the
/// buffer. Backs `str_trim`.
pub fn trim(s: Str) Str {
    const t = std.mem.trim(u8, s.bytes(), ascii_space);
    if (t.len == 0) return Str.empty;
    const start = @intFromPtr(t.ptr) - @intFromPtr(s.ptr);
    return s.share(start, start + t.len);
}

test trim {
    const t = trim(Str.lit(" \t hi there \n"));
    defer t.sevRelease();
    try std.testing.expectEqualStrings("hi there", t.bytes());
    const e = trim(Str.lit("   "));
    try std.testing.expectEqualStrings("", e.bytes());
}

// ---------------------------------------------------------------------------------------------
// Further operations used by the code generator and the standard library
// ---------------------------------------------------------------------------------------------

/// `a + b`. Backs the `add` operator on strings.
pub fn concat(a: Str, b: Str) Str {
    if (a.len == 0) return b.share(0, b.len);
    if (b.len == 0) return a.share(0, a.len);
    const out = alloc(a.len + b.len);
    @memcpy(out.bytes[0..a.len], a.bytes());
    @memcpy(out.bytes[a.len..], b.bytes());
    return out.str;
}

test concat {
    const a = Str.fromSlice("foo");
    defer a.sevRelease();
    const c = concat(a, Str.lit("bar"));
    defer c.sevRelease();
    try std.testing.expectEqualStrings("foobar", c.bytes());
    const same = concat(Str.empty, a);
    defer same.sevRelease();
    try std.testing.expectEqual(a.ptr, same.ptr);
}

/// Splits on every occurrence of `sep` (the parts share `s`'s buffer). `split("a,,b", ",")`
/// is `["a", "", "b"]`; an empty `s` gives `[""]`. An empty `sep` splits into UTF-8
/// characters (an invalid byte is its own part).
pub fn split(s: Str, sep: Str) List(Str) {
    var out = List(Str).empty();
    const b = s.bytes();
    if (sep.len == 0) {
        var i: usize = 0;
        while (i < b.len) {
            const n = @min(b.len - i, std.unicode.utf8ByteSequenceLength(b[i]) catch 1);
            out.pushOwned(s.share(i, i + n));
            i += n;
        }
        return out;
    }
    var start: usize = 0;
    while (std.mem.indexOfPos(u8, b, start, sep.bytes())) |i| {
        out.pushOwned(s.share(start, i));
        start = i + sep.len;
    }
    out.pushOwned(s.share(start, b.len));
    return out;
}

test split {
    const s = Str.fromSlice("a,,b");
    defer s.sevRelease();
    const parts = split(s, Str.lit(","));
    defer parts.sevRelease();
    try std.testing.expectEqual(@as(i64, 3), parts.len());
    try std.testing.expectEqualStrings("a", parts.items()[0].bytes());
    try std.testing.expectEqualStrings("", parts.items()[1].bytes());
    try std.testing.expectEqualStrings("b", parts.items()[2].bytes());
    const chars = split(Str.lit("aé"), Str.lit(""));
    defer chars.sevRelease();
    try std.testing.expectEqual(@as(i64, 2), chars.len());
    try std.testing.expectEqualStrings("é", chars.items()[1].bytes());
    const none = split(Str.lit(""), Str.lit(","));
    defer none.sevRelease();
    try std.testing.expectEqual(@as(i64, 1), none.len());
}

/// Joins `parts` with `sep` between them.
pub fn join(parts: List(Str), sep: Str) Str {
    var b = Builder.init();
    for (parts.items(), 0..) |p, i| {
        if (i > 0) b.append(sep.bytes());
        b.append(p.bytes());
    }
    return b.finish();
}

test join {
    const parts = List(Str).fromSlice(&.{ Str.lit("x"), Str.lit("y"), Str.lit("z") });
    defer parts.sevRelease();
    const j = join(parts, Str.lit(", "));
    defer j.sevRelease();
    try std.testing.expectEqualStrings("x, y, z", j.bytes());
    const e = join(List(Str).empty(), Str.lit(","));
    try std.testing.expectEqualStrings("", e.bytes());
}

/// Decimal text of an integer of any width.
pub fn fromInt(x: anytype) Str {
    var buf: [48]u8 = undefined;
    return Str.fromSlice(std.fmt.bufPrint(&buf, "{d}", .{x}) catch unreachable);
}

test fromInt {
    const a = fromInt(@as(i64, -9223372036854775808));
    defer a.sevRelease();
    try std.testing.expectEqualStrings("-9223372036854775808", a.bytes());
    const b = fromInt(@as(u8, 7));
    defer b.sevRelease();
    try std.testing.expectEqualStrings("7", b.bytes());
}

/// Text of a float, exactly as printing shows it (`fmt.formatFloat`).
pub fn fromFloat(x: anytype) Str {
    var buf: [fmt.float_buf_len]u8 = undefined;
    return Str.fromSlice(fmt.formatFloat(&buf, x));
}

test fromFloat {
    const a = fromFloat(@as(f64, 1e-5));
    defer a.sevRelease();
    try std.testing.expectEqualStrings("1e-05", a.bytes());
    const b = fromFloat(@as(f64, 3.0));
    defer b.sevRelease();
    try std.testing.expectEqualStrings("3.0", b.bytes());
}

/// `true` or `false` (static).
pub fn fromBool(b: bool) Str {
    return if (b) Str.lit("true") else Str.lit("false");
}

test fromBool {
    try std.testing.expectEqualStrings("true", fromBool(true).bytes());
    try std.testing.expectEqualStrings("false", fromBool(false).bytes());
}

fn errorMessage(comptime prefix: []const u8, s: Str) Str {
    var b = Builder.init();
    b.append(prefix ++ ": ");
    fmt.writeQuoted(b.writer(), s.bytes()) catch |e| switch (e) {};
    return b.finish();
}

/// Parses a decimal integer: optional surrounding ASCII whitespace, optional `+`/`-`, digits.
/// `Err` holds a message naming the input (`invalid integer: "12x"`, `integer out of range:
/// "99999999999999999999"`).
pub fn parseInt(s: Str) option.Result(i64, Str) {
    const t = std.mem.trim(u8, s.bytes(), ascii_space);
    const digits = if (t.len > 0 and (t[0] == '+' or t[0] == '-')) t[1..] else t;
    if (digits.len == 0) return .{ .Err = errorMessage("invalid integer", s) };
    for (digits) |c| if (!std.ascii.isDigit(c)) return .{ .Err = errorMessage("invalid integer", s) };
    const v = std.fmt.parseInt(i64, t, 10) catch return .{ .Err = errorMessage("integer out of range", s) };
    return .{ .Ok = v };
}

test parseInt {
    try std.testing.expectEqual(@as(i64, -42), parseInt(Str.lit(" -42\n")).Ok);
    try std.testing.expectEqual(@as(i64, 7), parseInt(Str.lit("+7")).Ok);
    try std.testing.expectEqual(@as(i64, 9223372036854775807), parseInt(Str.lit("9223372036854775807")).Ok);
    const bad = parseInt(Str.lit("12x"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("invalid integer: \"12x\"", bad.Err.bytes());
    const big = parseInt(Str.lit("9223372036854775808"));
    defer rc.release(big);
    try std.testing.expectEqualStrings("integer out of range: \"9223372036854775808\"", big.Err.bytes());
    const under = parseInt(Str.lit("1_000"));
    defer rc.release(under);
    try std.testing.expectEqualStrings("invalid integer: \"1_000\"", under.Err.bytes());
}

/// Parses a float: optional surrounding ASCII whitespace, then decimal or exponent notation
/// (`1.5`, `-2e-3`, `.5`), or `nan`, `inf`, `infinity` in any case with an optional sign.
/// `Err` holds `invalid float: "<input>"`.
pub fn parseFloat(s: Str) option.Result(f64, Str) {
    const t = std.mem.trim(u8, s.bytes(), ascii_space);
    const body = if (t.len > 0 and (t[0] == '+' or t[0] == '-')) t[1..] else t;
    // std.fmt.parseFloat also takes hex floats and '_' separators; sev does not.
    const special = std.ascii.eqlIgnoreCase(body, "nan") or std.ascii.eqlIgnoreCase(body, "inf") or std.ascii.eqlIgnoreCase(body, "infinity");
    if (!special) {
        var seen_digit = false;
        for (body) |c| switch (c) {
            '0'...'9' => seen_digit = true,
            '.', 'e', 'E', '+', '-' => {},
            else => return .{ .Err = errorMessage("invalid float", s) },
        };
        if (!seen_digit) return .{ .Err = errorMessage("invalid float", s) };
    }
    const v = std.fmt.parseFloat(f64, t) catch return .{ .Err = errorMessage("invalid float", s) };
    return .{ .Ok = v };
}

test parseFloat {
    try std.testing.expectEqual(@as(f64, 1.5), parseFloat(Str.lit("1.5")).Ok);
    try std.testing.expectEqual(@as(f64, -0.002), parseFloat(Str.lit(" -2e-3 ")).Ok);
    try std.testing.expectEqual(@as(f64, 0.5), parseFloat(Str.lit(".5")).Ok);
    try std.testing.expect(std.math.isNan(parseFloat(Str.lit("NaN")).Ok));
    try std.testing.expectEqual(-std.math.inf(f64), parseFloat(Str.lit("-inf")).Ok);
    const bad = parseFloat(Str.lit("1.2.3"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("invalid float: \"1.2.3\"", bad.Err.bytes());
    const hex = parseFloat(Str.lit("0x10"));
    defer rc.release(hex);
    try std.testing.expectEqualStrings("invalid float: \"0x10\"", hex.Err.bytes());
    const empty = parseFloat(Str.lit(""));
    defer rc.release(empty);
    try std.testing.expect(empty == .Err);
}

/// `s` repeated `n` times; `n <= 0` gives the empty string.
pub fn repeat(s: Str, n: i64) Str {
    if (n <= 0 or s.len == 0) return Str.empty;
    if (n == 1) return s.share(0, s.len);
    const count: usize = std.math.cast(usize, n) orelse core.outOfMemory();
    const total = std.math.mul(usize, s.len, count) catch core.outOfMemory();
    const out = alloc(total);
    var i: usize = 0;
    while (i < count) : (i += 1) @memcpy(out.bytes[i * s.len ..][0..s.len], s.bytes());
    return out.str;
}

test repeat {
    const r = repeat(Str.lit("ab"), 3);
    defer r.sevRelease();
    try std.testing.expectEqualStrings("ababab", r.bytes());
    try std.testing.expectEqualStrings("", repeat(Str.lit("ab"), -2).bytes());
}

/// The byte at offset `i` as an integer 0..255; faults when `i` is out of range.
pub fn byteAt(s: Str, i: i64, comptime loc: Loc) i64 {
    if (i < 0 or i >= s.len) {
        @branchHint(.cold);
        core.faultAt(&loc, "index out of bounds: index {d}, length {d}", .{ i, s.len });
    }
    return s.ptr[@intCast(i)];
}

/// Same as `byteAt`.
pub const charAt = byteAt;

test byteAt {
    try std.testing.expectEqual(@as(i64, 'b'), byteAt(Str.lit("abc"), 1, tloc));
    try std.testing.expectEqual(@as(i64, 0xc3), charAt(Str.lit("é"), 0, tloc));
    try core.expectExit(101, "error: index out of bounds: index 3, length 3\n  --> <unknown>:1:1 (in function `t`)\n", byteAt, .{ Str.lit("abc"), 3, tloc });
}

/// A one-byte string holding `b` (0..255); faults when `b` is out of that range.
pub fn fromByte(b: i64, comptime loc: Loc) Str {
    if (b < 0 or b > 255) {
        @branchHint(.cold);
        core.faultAt(&loc, "byte value {d} is out of range 0 to 255", .{b});
    }
    const c: u8 = @intCast(b);
    return Str.fromSlice(&[_]u8{c});
}

test fromByte {
    const s = fromByte(65, tloc);
    defer s.sevRelease();
    try std.testing.expectEqualStrings("A", s.bytes());
    try core.expectExit(101, "error: byte value 256 is out of range 0 to 255\n  --> <unknown>:1:1 (in function `t`)\n", fromByte, .{ 256, tloc });
}
