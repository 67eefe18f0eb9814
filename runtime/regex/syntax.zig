//! The pattern side of `regex.zig`: the instruction set a compiled pattern becomes, the parser
//! (pattern text to a syntax tree, with the offset of the first error) and the compiler (tree to
//! instructions, counted repeats expanded within `max_program`). `regex.zig` documents the
//! supported syntax and runs the instructions on a Pike VM.

const std = @import("std");
const Allocator = std.mem.Allocator;

/// Largest count accepted in `{n,m}`.
pub const max_repeat: u32 = 1000;
/// Largest compiled program (instructions) accepted; bounds the cost of nested counted repeats.
pub const max_program: usize = 100_000;
/// Largest nesting depth of groups (bounds the parser's recursion).
pub const max_depth: u32 = 200;

/// An inclusive range of code points.
pub const Range = struct { lo: u21, hi: u21 };

/// Zero-width assertions.
pub const Assert = enum { text_start, text_end, word_boundary, not_word_boundary };

/// One VM instruction. `split.x` is the preferred branch.
pub const Inst = union(enum) {
    char: u21,
    /// A class: `ranges[start .. start + len]`, sorted, disjoint, already complemented if the
    /// source class was negated.
    class: struct { start: u32, len: u32 },
    any_but_newline,
    split: struct { x: u32, y: u32 },
    jmp: u32,
    save: u32,
    /// End of an optional iteration of a repeat whose body can match empty: continue at
    /// `on_progress` (the loop head, or the next optional copy) if the iteration consumed text
    /// (the position differs from the one saved in `slot` when it began), else leave the repeat
    /// at `on_empty`. A backtracking engine ends a repeat after an empty iteration the same way;
    /// this keeps e.g. `(?:x*?)+` on "x" matching "" first, as Python does.
    progress: struct { slot: u32, on_progress: u32, on_empty: u32 },
    assert: Assert,
    match,
};

/// A compiled pattern as plain slices (the engine's view; the `Regex` value wraps it).
pub const Program = struct {
    insts: []const Inst,
    ranges: []const Range,
    /// Number of capture groups, not counting group 0 (the whole match).
    groups: u32,
    /// Extra per-thread slots used by `progress` checks (after the capture slots).
    loop_slots: u32 = 0,

    pub fn slotCount(p: Program) usize {
        return 2 * (@as(usize, p.groups) + 1) + p.loop_slots;
    }
};

/// Where and why a pattern was rejected; `message()` is the full text, e.g.
/// `regex: unclosed group at offset 4`.
pub const Diag = struct {
    buf: [200]u8 = undefined,
    len: usize = 0,

    pub fn message(d: *const Diag) []const u8 {
        return d.buf[0..d.len];
    }

    pub fn set(d: *Diag, comptime fmt: []const u8, args: anytype) error{InvalidPattern} {
        const s = std.fmt.bufPrint(&d.buf, "regex: " ++ fmt, args) catch d.buf[0..];
        d.len = s.len;
        return error.InvalidPattern;
    }
};

pub const CompileError = error{ InvalidPattern, OutOfMemory };

// ---------------------------------------------------------------------------------------------
// Parser: pattern text -> AST (indices into a node array).

pub const Node = union(enum) {
    empty,
    char: u21,
    class: struct { start: u32, len: u32 },
    any,
    assert: Assert,
    group: struct { child: u32, index: ?u32 },
    /// children are `kids[start .. start + len]`
    concat: struct { start: u32, len: u32 },
    alt: struct { start: u32, len: u32 },
    repeat: struct { child: u32, min: u32, max: ?u32, greedy: bool },
};

pub const Parser = struct {
    arena: Allocator,
    src: []const u8,
    pos: usize = 0,
    nodes: std.ArrayListUnmanaged(Node) = .empty,
    kids: std.ArrayListUnmanaged(u32) = .empty,
    ranges: std.ArrayListUnmanaged(Range) = .empty,
    groups: u32 = 0,
    depth: u32 = 0,
    diag: *Diag,

    fn add(p: *Parser, n: Node) !u32 {
        try p.nodes.append(p.arena, n);
        return @intCast(p.nodes.items.len - 1);
    }

    fn peek(p: *Parser) ?u8 {
        return if (p.pos < p.src.len) p.src[p.pos] else null;
    }

    /// Decodes the code point at `pos` and advances past it.
    fn nextCodepoint(p: *Parser) CompileError!u21 {
        const start = p.pos;
        const n = std.unicode.utf8ByteSequenceLength(p.src[start]) catch
            return p.diag.set("invalid UTF-8 at offset {d}", .{start});
        if (start + n > p.src.len) return p.diag.set("invalid UTF-8 at offset {d}", .{start});
        const cp = std.unicode.utf8Decode(p.src[start .. start + n]) catch
            return p.diag.set("invalid UTF-8 at offset {d}", .{start});
        p.pos += n;
        return cp;
    }

    fn parseAlt(p: *Parser) CompileError!u32 {
        var branches: std.ArrayListUnmanaged(u32) = .empty;
        try branches.append(p.arena, try p.parseConcat());
        while (p.peek() == '|') {
            p.pos += 1;
            try branches.append(p.arena, try p.parseConcat());
        }
        if (branches.items.len == 1) return branches.items[0];
        const start: u32 = @intCast(p.kids.items.len);
        try p.kids.appendSlice(p.arena, branches.items);
        return p.add(.{ .alt = .{ .start = start, .len = @intCast(branches.items.len) } });
    }

    fn parseConcat(p: *Parser) CompileError!u32 {
        var items: std.ArrayListUnmanaged(u32) = .empty;
        while (p.peek()) |c| {
            if (c == '|' or c == ')') break;
            const atom_pos = p.pos;
            const atom = try p.parseAtom();
            try items.append(p.arena, try p.parseQuantifiers(atom, atom_pos));
        }
        if (items.items.len == 0) return p.add(.empty);
        if (items.items.len == 1) return items.items[0];
        const start: u32 = @intCast(p.kids.items.len);
        try p.kids.appendSlice(p.arena, items.items);
        return p.add(.{ .concat = .{ .start = start, .len = @intCast(items.items.len) } });
    }

    /// Reads `{n}`, `{n,}`, `{,m}` or `{n,m}` at `pos` (which holds `{`). Returns null (and
    /// leaves `pos` alone) when the text is not a valid count, so the `{` is a literal.
    fn parseCount(p: *Parser) CompileError!?struct { min: u32, max: ?u32 } {
        var i = p.pos + 1;
        const min_start = i;
        while (i < p.src.len and std.ascii.isDigit(p.src[i])) i += 1;
        const min_text = p.src[min_start..i];
        var max_text: ?[]const u8 = min_text;
        if (i < p.src.len and p.src[i] == ',') {
            i += 1;
            const max_start = i;
            while (i < p.src.len and std.ascii.isDigit(p.src[i])) i += 1;
            max_text = if (i > max_start) p.src[max_start..i] else null;
            if (min_text.len == 0 and max_text == null) return null; // "{,}" is literal
        } else if (min_text.len == 0) return null;
        if (i >= p.src.len or p.src[i] != '}') return null;
        const at = p.pos;
        const min = if (min_text.len == 0) 0 else parseCountNumber(min_text) orelse
            return p.diag.set("repetition count too large (max {d}) at offset {d}", .{ max_repeat, at });
        var max: ?u32 = null;
        if (max_text) |t| {
            max = parseCountNumber(t) orelse
                return p.diag.set("repetition count too large (max {d}) at offset {d}", .{ max_repeat, at });
            if (max.? < min) return p.diag.set("min repeat greater than max repeat at offset {d}", .{at});
        }
        p.pos = i + 1;
        return .{ .min = min, .max = max };
    }

    fn parseCountNumber(t: []const u8) ?u32 {
        const v = std.fmt.parseInt(u32, t, 10) catch return null;
        return if (v > max_repeat) null else v;
    }

    fn parseQuantifiers(p: *Parser, atom: u32, atom_pos: usize) CompileError!u32 {
        var node = atom;
        var quantified = false;
        while (p.peek()) |c| {
            const q_pos = p.pos;
            var min: u32 = 0;
            var max: ?u32 = null;
            switch (c) {
                '*' => p.pos += 1,
                '+' => {
                    min = 1;
                    p.pos += 1;
                },
                '?' => {
                    max = 1;
                    p.pos += 1;
                },
                '{' => {
                    const count = (try p.parseCount()) orelse break;
                    min = count.min;
                    max = count.max;
                },
                else => break,
            }
            if (quantified) return p.diag.set("multiple repeat at offset {d}", .{q_pos});
            switch (p.nodes.items[node]) {
                .empty, .assert => return p.diag.set("nothing to repeat at offset {d}", .{atom_pos}),
                else => {},
            }
            var greedy = true;
            if (p.peek() == '?') {
                greedy = false;
                p.pos += 1;
            }
            node = try p.add(.{ .repeat = .{ .child = node, .min = min, .max = max, .greedy = greedy } });
            quantified = true;
        }
        return node;
    }

    fn parseAtom(p: *Parser) CompileError!u32 {
        const start = p.pos;
        const c = p.src[p.pos];
        switch (c) {
            '(' => {
                p.pos += 1;
                var index: ?u32 = null;
                if (p.peek() == '?') {
                    if (p.pos + 1 < p.src.len and p.src[p.pos + 1] == ':') {
                        p.pos += 2;
                    } else {
                        return p.diag.set("unsupported group syntax '(?' at offset {d} (only '(?:' is supported)", .{start});
                    }
                } else {
                    p.groups += 1;
                    index = p.groups;
                }
                p.depth += 1;
                if (p.depth > max_depth) return p.diag.set("groups nested too deeply (max {d}) at offset {d}", .{ max_depth, start });
                const child = try p.parseAlt();
                p.depth -= 1;
                if (p.peek() != ')') return p.diag.set("unclosed group at offset {d}", .{start});
                p.pos += 1;
                return p.add(.{ .group = .{ .child = child, .index = index } });
            },
            '[' => return p.parseClass(),
            '.' => {
                p.pos += 1;
                return p.add(.any);
            },
            '^' => {
                p.pos += 1;
                return p.add(.{ .assert = .text_start });
            },
            '$' => {
                p.pos += 1;
                return p.add(.{ .assert = .text_end });
            },
            '*', '+', '?' => return p.diag.set("nothing to repeat at offset {d}", .{start}),
            '{' => {
                if (try p.parseCount()) |_| return p.diag.set("nothing to repeat at offset {d}", .{start});
                p.pos += 1;
                return p.add(.{ .char = '{' });
            },
            '\\' => return p.parseEscape(),
            else => return p.add(.{ .char = try p.nextCodepoint() }),
        }
    }

    const Escape = union(enum) { char: u21, class: []const Range, negated_class: []const Range, assert: Assert };

    const digit_ranges = [_]Range{.{ .lo = '0', .hi = '9' }};
    const word_ranges = [_]Range{ .{ .lo = '0', .hi = '9' }, .{ .lo = 'A', .hi = 'Z' }, .{ .lo = '_', .hi = '_' }, .{ .lo = 'a', .hi = 'z' } };
    const space_ranges = [_]Range{ .{ .lo = '\t', .hi = '\r' }, .{ .lo = ' ', .hi = ' ' } };

    /// Reads an escape at `pos` (which holds the backslash).
    fn readEscape(p: *Parser, in_class: bool) CompileError!Escape {
        const start = p.pos;
        p.pos += 1;
        if (p.pos >= p.src.len) return p.diag.set("trailing backslash at offset {d}", .{start});
        const c = p.src[p.pos];
        if (c >= 0x80) return .{ .char = try p.nextCodepoint() };
        p.pos += 1;
        return switch (c) {
            'd' => .{ .class = &digit_ranges },
            'D' => .{ .negated_class = &digit_ranges },
            'w' => .{ .class = &word_ranges },
            'W' => .{ .negated_class = &word_ranges },
            's' => .{ .class = &space_ranges },
            'S' => .{ .negated_class = &space_ranges },
            't' => .{ .char = '\t' },
            'n' => .{ .char = '\n' },
            'r' => .{ .char = '\r' },
            'f' => .{ .char = 0x0C },
            'v' => .{ .char = 0x0B },
            'a' => .{ .char = 0x07 },
            '0' => .{ .char = 0 },
            'x' => .{ .char = try p.readHex(2, start) },
            'u' => .{ .char = try p.readHex(4, start) },
            'b' => if (in_class) .{ .char = 0x08 } else .{ .assert = .word_boundary },
            'B' => if (in_class) p.diag.set("bad escape \\B in class at offset {d}", .{start}) else .{ .assert = .not_word_boundary },
            'A' => if (in_class) p.diag.set("bad escape \\A in class at offset {d}", .{start}) else .{ .assert = .text_start },
            'z', 'Z' => if (in_class) p.diag.set("bad escape \\{c} in class at offset {d}", .{ c, start }) else .{ .assert = .text_end },
            '1'...'9' => p.diag.set("backreferences are not supported (\\{c}) at offset {d}", .{ c, start }),
            else => if (std.ascii.isAlphanumeric(c))
                p.diag.set("bad escape \\{c} at offset {d}", .{ c, start })
            else
                .{ .char = c },
        };
    }

    fn readHex(p: *Parser, digits: usize, start: usize) CompileError!u21 {
        if (p.pos + digits > p.src.len) return p.diag.set("incomplete escape at offset {d}", .{start});
        const v = std.fmt.parseInt(u21, p.src[p.pos .. p.pos + digits], 16) catch
            return p.diag.set("incomplete escape at offset {d}", .{start});
        if (v >= 0xD800 and v <= 0xDFFF) return p.diag.set("surrogate code point in escape at offset {d}", .{start});
        p.pos += digits;
        return v;
    }

    fn parseEscape(p: *Parser) CompileError!u32 {
        const e = try p.readEscape(false);
        switch (e) {
            .char => |ch| return p.add(.{ .char = ch }),
            .assert => |a| return p.add(.{ .assert = a }),
            .class => |rs| {
                const start: u32 = @intCast(p.ranges.items.len);
                try p.ranges.appendSlice(p.arena, rs);
                return p.add(.{ .class = .{ .start = start, .len = @intCast(rs.len) } });
            },
            .negated_class => |rs| {
                const start: u32 = @intCast(p.ranges.items.len);
                try appendComplement(p.arena, &p.ranges, rs);
                return p.add(.{ .class = .{ .start = start, .len = @intCast(p.ranges.items.len - start) } });
            },
        }
    }

    fn parseClass(p: *Parser) CompileError!u32 {
        const open = p.pos;
        p.pos += 1;
        var negated = false;
        if (p.peek() == '^') {
            negated = true;
            p.pos += 1;
        }
        var set: std.ArrayListUnmanaged(Range) = .empty;
        var first = true;
        while (true) {
            const c = p.peek() orelse return p.diag.set("unterminated character class at offset {d}", .{open});
            if (c == ']' and !first) {
                p.pos += 1;
                break;
            }
            first = false;
            const item_pos = p.pos;
            const lo = try p.classItem(&set);
            // A range `lo-hi`, unless the '-' is the last character before ']'.
            if (p.peek() == '-' and p.pos + 1 < p.src.len and p.src[p.pos + 1] != ']') {
                p.pos += 1;
                const lo_cp = lo orelse return p.diag.set("bad character range at offset {d}", .{item_pos});
                const hi = (try p.classItem(&set)) orelse return p.diag.set("bad character range at offset {d}", .{item_pos});
                if (hi < lo_cp) return p.diag.set("bad character range at offset {d}", .{item_pos});
                try set.append(p.arena, .{ .lo = lo_cp, .hi = hi });
            } else if (lo) |cp| {
                try set.append(p.arena, .{ .lo = cp, .hi = cp });
            }
        }
        const merged = try normalize(p.arena, set.items);
        const start: u32 = @intCast(p.ranges.items.len);
        if (negated) {
            try appendComplement(p.arena, &p.ranges, merged);
        } else {
            try p.ranges.appendSlice(p.arena, merged);
        }
        return p.add(.{ .class = .{ .start = start, .len = @intCast(p.ranges.items.len - start) } });
    }

    /// One class member: returns the code point for a single character (which may start a
    /// range), or null after adding a shorthand class (`\d` ...) to `set`.
    fn classItem(p: *Parser, set: *std.ArrayListUnmanaged(Range)) CompileError!?u21 {
        if (p.src[p.pos] != '\\') return try p.nextCodepoint();
        switch (try p.readEscape(true)) {
            .char => |ch| return ch,
            .class => |rs| try set.appendSlice(p.arena, rs),
            .negated_class => |rs| try appendComplement(p.arena, set, rs),
            .assert => unreachable, // readEscape(true) never yields an assertion
        }
        return null;
    }
};

/// Sorts and merges ranges into a disjoint ascending list.
pub fn normalize(arena: Allocator, in: []const Range) ![]Range {
    const rs = try arena.dupe(Range, in);
    std.mem.sort(Range, rs, {}, struct {
        fn lt(_: void, a: Range, b: Range) bool {
            return a.lo < b.lo;
        }
    }.lt);
    var out: std.ArrayListUnmanaged(Range) = .empty;
    for (rs) |r| {
        if (out.items.len > 0) {
            const last = &out.items[out.items.len - 1];
            if (@as(u32, r.lo) <= @as(u32, last.hi) + 1) {
                if (r.hi > last.hi) last.hi = r.hi;
                continue;
            }
        }
        try out.append(arena, r);
    }
    return out.items;
}

/// Appends the complement (over all code points) of a sorted disjoint range list.
pub fn appendComplement(arena: Allocator, out: *std.ArrayListUnmanaged(Range), rs: []const Range) !void {
    var next: u32 = 0;
    for (rs) |r| {
        if (r.lo > next) try out.append(arena, .{ .lo = @intCast(next), .hi = r.lo - 1 });
        next = @as(u32, r.hi) + 1;
    }
    if (next <= 0x10FFFF) try out.append(arena, .{ .lo = @intCast(next), .hi = 0x10FFFF });
}

// ---------------------------------------------------------------------------------------------
// Compiler: AST -> instructions.

pub const Compiler = struct {
    gpa: Allocator,
    nodes: []const Node,
    kids: []const u32,
    insts: std.ArrayListUnmanaged(Inst) = .empty,
    diag: *Diag,
    /// First slot after the capture slots, and how many loop slots are in use.
    first_loop_slot: u32,
    loop_slots: u32 = 0,

    /// Whether node `n` can match the empty string.
    fn nullable(c: *Compiler, n: u32) bool {
        return switch (c.nodes[n]) {
            .empty, .assert => true,
            .char, .class, .any => false,
            .group => |g| c.nullable(g.child),
            .concat => |cc| for (c.kids[cc.start .. cc.start + cc.len]) |k| {
                if (!c.nullable(k)) break false;
            } else true,
            .alt => |a| for (c.kids[a.start .. a.start + a.len]) |k| {
                if (c.nullable(k)) break true;
            } else false,
            .repeat => |r| r.min == 0 or c.nullable(r.child),
        };
    }

    fn emit(c: *Compiler, i: Inst) CompileError!u32 {
        if (c.insts.items.len >= max_program)
            return c.diag.set("pattern too large after expanding repetitions (more than {d} instructions)", .{max_program});
        try c.insts.append(c.gpa, i);
        return @intCast(c.insts.items.len - 1);
    }

    fn pc(c: *Compiler) u32 {
        return @intCast(c.insts.items.len);
    }

    fn node(c: *Compiler, n: u32) CompileError!void {
        switch (c.nodes[n]) {
            .empty => {},
            .char => |ch| _ = try c.emit(.{ .char = ch }),
            .class => |cl| _ = try c.emit(.{ .class = .{ .start = cl.start, .len = cl.len } }),
            .any => _ = try c.emit(.any_but_newline),
            .assert => |a| _ = try c.emit(.{ .assert = a }),
            .group => |g| {
                if (g.index) |i| _ = try c.emit(.{ .save = 2 * i });
                try c.node(g.child);
                if (g.index) |i| _ = try c.emit(.{ .save = 2 * i + 1 });
            },
            .concat => |cc| for (c.kids[cc.start .. cc.start + cc.len]) |k| try c.node(k),
            .alt => |a| {
                // split L1, next; L1: b1; jmp end; next: split L2, next2; ... last: bn; end:
                var jumps: std.ArrayListUnmanaged(u32) = .empty;
                defer jumps.deinit(c.gpa);
                const branches = c.kids[a.start .. a.start + a.len];
                for (branches, 0..) |b, i| {
                    if (i + 1 < branches.len) {
                        const sp = try c.emit(.{ .split = .{ .x = 0, .y = 0 } });
                        c.insts.items[sp].split.x = c.pc();
                        try c.node(b);
                        try jumps.append(c.gpa, try c.emit(.{ .jmp = 0 }));
                        c.insts.items[sp].split.y = c.pc();
                    } else {
                        try c.node(b);
                    }
                }
                const end = c.pc();
                for (jumps.items) |j| c.insts.items[j].jmp = end;
            },
            .repeat => |r| try c.repeat(r.child, r.min, r.max, r.greedy),
        }
    }

    fn setSplit(c: *Compiler, at: u32, body: u32, out: u32, greedy: bool) void {
        c.insts.items[at].split = if (greedy) .{ .x = body, .y = out } else .{ .x = out, .y = body };
    }

    fn repeat(c: *Compiler, child: u32, min: u32, max: ?u32, greedy: bool) CompileError!void {
        var i: u32 = 0;
        while (i < min) : (i += 1) try c.node(child);
        if (max) |m| {
            // (m - min) nested optional copies, every split exiting to the common end. With a
            // nullable child each copy is `save k; child; progress k` so that an empty copy
            // ends the repeat.
            const check = m > min and c.nullable(child);
            const slot = c.first_loop_slot + c.loop_slots;
            if (check) c.loop_slots += 1;
            var splits: std.ArrayListUnmanaged(u32) = .empty;
            defer splits.deinit(c.gpa);
            var checks: std.ArrayListUnmanaged(u32) = .empty;
            defer checks.deinit(c.gpa);
            var k: u32 = min;
            while (k < m) : (k += 1) {
                try splits.append(c.gpa, try c.emit(.{ .split = .{ .x = 0, .y = 0 } }));
                if (check) _ = try c.emit(.{ .save = slot });
                try c.node(child);
                if (check) try checks.append(c.gpa, try c.emit(.{ .progress = .{ .slot = slot, .on_progress = 0, .on_empty = 0 } }));
            }
            const end = c.pc();
            for (splits.items) |s| c.setSplit(s, s + 1, end, greedy);
            for (checks.items) |at| c.insts.items[at].progress = .{ .slot = slot, .on_progress = at + 1, .on_empty = end };
        } else if (c.nullable(child)) {
            // L: split body, out; body: save k; child; progress k, L; out:
            const slot = c.first_loop_slot + c.loop_slots;
            c.loop_slots += 1;
            const l = try c.emit(.{ .split = .{ .x = 0, .y = 0 } });
            _ = try c.emit(.{ .save = slot });
            try c.node(child);
            const chk = try c.emit(.{ .progress = .{ .slot = slot, .on_progress = l, .on_empty = 0 } });
            c.insts.items[chk].progress.on_empty = chk + 1;
            c.setSplit(l, l + 1, c.pc(), greedy);
        } else {
            // L: split body, out; body: child; jmp L; out:
            const l = try c.emit(.{ .split = .{ .x = 0, .y = 0 } });
            try c.node(child);
            _ = try c.emit(.{ .jmp = l });
            c.setSplit(l, l + 1, c.pc(), greedy);
        }
    }
};

/// Compiles `pattern`. On `error.InvalidPattern`, `diag` holds the message. The returned
/// slices are allocated with `gpa`; free them with `freeProgram`.
pub fn compileProgram(gpa: Allocator, pattern: []const u8, diag: *Diag) CompileError!Program {
    var arena_state = std.heap.ArenaAllocator.init(gpa);
    defer arena_state.deinit();
    var p = Parser{ .arena = arena_state.allocator(), .src = pattern, .diag = diag };
    const root = try p.parseAlt();
    if (p.pos < pattern.len) {
        // parseAlt stops only at ')' when not inside a group.
        return diag.set("unmatched ')' at offset {d}", .{p.pos});
    }
    var c = Compiler{ .gpa = gpa, .nodes = p.nodes.items, .kids = p.kids.items, .diag = diag, .first_loop_slot = 2 * (p.groups + 1) };
    errdefer c.insts.deinit(gpa);
    _ = try c.emit(.{ .save = 0 });
    try c.node(root);
    _ = try c.emit(.{ .save = 1 });
    _ = try c.emit(.match);
    const ranges = try gpa.dupe(Range, p.ranges.items);
    errdefer gpa.free(ranges);
    const insts = try c.insts.toOwnedSlice(gpa);
    return .{ .insts = insts, .ranges = ranges, .groups = p.groups, .loop_slots = c.loop_slots };
}

pub fn freeProgram(gpa: Allocator, p: Program) void {
    gpa.free(p.insts);
    gpa.free(p.ranges);
}
