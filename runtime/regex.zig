//! Regular expressions for the `regex_*` built-ins: a parser that turns a pattern into a small
//! instruction program, and a Pike VM (Thompson NFA simulation that carries capture slots per
//! thread) that runs it. The VM never backtracks, so matching costs O(pattern × text) in the
//! worst case — `(a*)*b` against a long run of `a`s is as cheap as any other pattern — and the
//! thread priority order reproduces the leftmost-first results of a backtracking engine (Perl,
//! Python `re`) for the supported syntax. Repeats whose body can match the empty string end
//! after an empty iteration, as in a backtracking engine (the `progress` instruction). The one
//! known kind of divergence from Python comes from the VM keeping a single thread per
//! instruction and position: when a repeated sub-pattern can match empty (`(a*)*`,
//! `(?:x*?|.)+`), Python may run one more, empty, iteration, which changes the reported group
//! contents and occasionally the boundaries `findAll` reports after an empty match. A
//! differential test against Python on 28000 random patterns found 9 such cases and no other
//! difference.
//!
//! Syntax: literals (UTF-8, matched as code points); escapes `\d \w \s \D \W \S` (ASCII
//! classes, like Python's `re.ASCII`), `\t \n \r \f \v \0`, `\xhh`, `\uhhhh`, and a backslash
//! before any non-alphanumeric character; `.` (any code point except `\n`); classes `[a-z0-9_]`,
//! `[^...]` (escapes allowed inside); anchors `^` and `\A` (start of text), `$` and `\z`/`\Z`
//! (end of text — *only* the very end: unlike Python, `$` does not also match before a final
//! newline), `\b` and `\B` (ASCII word boundary); groups `( )` (capturing, numbered by their
//! opening parenthesis from 1) and `(?: )`; alternation `|`; quantifiers `* + ? {n} {n,} {,m}
//! {n,m}` and their lazy forms with a trailing `?`. A `{` that does not start a valid count is a
//! literal (as in Python). Backreferences, lookaround and inline flags are rejected with an
//! error (they are not regular, or not supported).
//!
//! Search semantics: `isMatch`, `find`, `captures` look for the leftmost match anywhere in the
//! text (Python's `re.search`); anchor the pattern with `^...$` for a whole-text match.
//! `findAll`, `split` and `replace` walk non-overlapping matches left to right with Python 3.7+
//! rules for empty matches (an empty match is allowed right after a non-empty one, never twice at
//! the same position).
const std = @import("std");
const Allocator = std.mem.Allocator;
const syntax = @import("regex/syntax.zig");
pub const max_repeat = syntax.max_repeat;
pub const max_program = syntax.max_program;
pub const max_depth = syntax.max_depth;
pub const Range = syntax.Range;
pub const Assert = syntax.Assert;
pub const Inst = syntax.Inst;
pub const Program = syntax.Program;
pub const Diag = syntax.Diag;
pub const CompileError = syntax.CompileError;
pub const compileProgram = syntax.compileProgram;
pub const freeProgram = syntax.freeProgram;

test {
    _ = syntax;
}

// ---------------------------------------------------------------------------------------------
// Pike VM.

const unset = std.math.maxInt(usize);

/// Decodes the code point at `i`; invalid UTF-8 bytes are read one at a time as U+FFFD so that
/// no input can make the matcher fail.
fn decodeAt(text: []const u8, i: usize) struct { cp: u21, len: usize } {
    const n = std.unicode.utf8ByteSequenceLength(text[i]) catch return .{ .cp = 0xFFFD, .len = 1 };
    if (i + n > text.len) return .{ .cp = 0xFFFD, .len = 1 };
    const cp = std.unicode.utf8Decode(text[i .. i + n]) catch return .{ .cp = 0xFFFD, .len = 1 };
    return .{ .cp = cp, .len = n };
}

fn isWordByte(b: u8) bool {
    return std.ascii.isAlphanumeric(b) or b == '_';
}

fn classHas(ranges: []const Range, cp: u21) bool {
    var lo: usize = 0;
    var hi: usize = ranges.len;
    while (lo < hi) {
        const mid = (lo + hi) / 2;
        if (cp < ranges[mid].lo) {
            hi = mid;
        } else if (cp > ranges[mid].hi) {
            lo = mid + 1;
        } else return true;
    }
    return false;
}

/// A set of threads: a sparse set of program counters (for O(1) membership) with, per member in
/// priority order, its capture slots.
const ThreadList = struct {
    sparse: []u32,
    dense: []u32,
    caps: []usize,
    len: u32 = 0,

    fn contains(t: *const ThreadList, pc: u32) bool {
        const i = t.sparse[pc];
        return i < t.len and t.dense[i] == pc;
    }

    fn insert(t: *ThreadList, pc: u32) u32 {
        const i = t.len;
        t.sparse[pc] = i;
        t.dense[i] = pc;
        t.len += 1;
        return i;
    }
};

/// Reusable matcher state for one program (all buffers sized by the program).
pub const Vm = struct {
    gpa: Allocator,
    prog: Program,
    lists: [2]ThreadList,
    scratch: []usize,
    stack: std.ArrayListUnmanaged(Frame) = .empty,

    const Frame = union(enum) { explore: u32, restore: struct { slot: u32, value: usize } };

    pub fn init(gpa: Allocator, prog: Program) !Vm {
        const n = prog.insts.len;
        const slots = prog.slotCount();
        var vm: Vm = .{ .gpa = gpa, .prog = prog, .lists = undefined, .scratch = undefined };
        var made: usize = 0;
        errdefer for (vm.lists[0..made]) |l| {
            gpa.free(l.sparse);
            gpa.free(l.dense);
            gpa.free(l.caps);
        };
        for (&vm.lists) |*l| {
            const sparse = try gpa.alloc(u32, n);
            errdefer gpa.free(sparse);
            const dense = try gpa.alloc(u32, n);
            errdefer gpa.free(dense);
            const caps = try gpa.alloc(usize, n * slots);
            // Initialised only so that membership tests read defined memory.
            @memset(sparse, 0);
            l.* = .{ .sparse = sparse, .dense = dense, .caps = caps };
            made += 1;
        }
        vm.scratch = try gpa.alloc(usize, slots);
        return vm;
    }

    pub fn deinit(vm: *Vm) void {
        for (vm.lists) |l| {
            vm.gpa.free(l.sparse);
            vm.gpa.free(l.dense);
            vm.gpa.free(l.caps);
        }
        vm.gpa.free(vm.scratch);
        vm.stack.deinit(vm.gpa);
    }

    fn assertHolds(a: Assert, text: []const u8, pos: usize) bool {
        return switch (a) {
            .text_start => pos == 0,
            .text_end => pos == text.len,
            .word_boundary, .not_word_boundary => blk: {
                const before = pos > 0 and isWordByte(text[pos - 1]);
                const after = pos < text.len and isWordByte(text[pos]);
                break :blk (before != after) == (a == .word_boundary);
            },
        };
    }

    /// Adds the thread at `pc0` with slots `vm.scratch` (clobbered) to `list`, following
    /// jumps, splits, saves and assertions in priority order.
    fn addThread(vm: *Vm, list: *ThreadList, pc0: u32, text: []const u8, pos: usize) !void {
        const slots = vm.prog.slotCount();
        try vm.stack.append(vm.gpa, .{ .explore = pc0 });
        while (vm.stack.pop()) |frame| {
            switch (frame) {
                .restore => |r| vm.scratch[r.slot] = r.value,
                .explore => |pc| {
                    // A `progress` check is not marked as visited: its outcome depends on the
                    // thread's loop slot, and a second arrival at the same position (after
                    // re-entering the loop) always takes the exit, so this cannot cycle.
                    if (vm.prog.insts[pc] == .progress) {
                        const g = vm.prog.insts[pc].progress;
                        try vm.stack.append(vm.gpa, .{ .explore = if (vm.scratch[g.slot] != pos) g.on_progress else g.on_empty });
                        continue;
                    }
                    if (list.contains(pc)) continue;
                    const idx = list.insert(pc);
                    switch (vm.prog.insts[pc]) {
                        .jmp => |to| try vm.stack.append(vm.gpa, .{ .explore = to }),
                        .split => |s| {
                            try vm.stack.append(vm.gpa, .{ .explore = s.y });
                            try vm.stack.append(vm.gpa, .{ .explore = s.x });
                        },
                        .save => |slot| {
                            try vm.stack.append(vm.gpa, .{ .restore = .{ .slot = slot, .value = vm.scratch[slot] } });
                            vm.scratch[slot] = pos;
                            try vm.stack.append(vm.gpa, .{ .explore = pc + 1 });
                        },
                        .progress => unreachable, // handled above
                        .assert => |a| if (assertHolds(a, text, pos)) {
                            try vm.stack.append(vm.gpa, .{ .explore = pc + 1 });
                        },
                        .char, .class, .any_but_newline, .match => {
                            @memcpy(list.caps[idx * slots ..][0..slots], vm.scratch);
                        },
                    }
                },
            }
        }
    }

    /// Finds the leftmost-first match starting at or after `start`. When `must_advance` is set,
    /// an empty match at `start` is not accepted. On success fills `caps` (length
    /// `prog.slotCount()`, unset slots = `maxInt(usize)`) and returns true.
    pub fn search(vm: *Vm, text: []const u8, start: usize, must_advance: bool, caps: []usize) !bool {
        const slots = vm.prog.slotCount();
        var clist = &vm.lists[0];
        var nlist = &vm.lists[1];
        clist.len = 0;
        nlist.len = 0;
        var matched = false;
        var pos = start;
        while (true) {
            if (!matched) {
                @memset(vm.scratch, unset);
                try vm.addThread(clist, 0, text, pos);
            }
            if (clist.len == 0) break;
            const ch = if (pos < text.len) decodeAt(text, pos) else null;
            var i: u32 = 0;
            while (i < clist.len) : (i += 1) {
                const pc = clist.dense[i];
                const tcaps = clist.caps[i * slots ..][0..slots];
                const ok = switch (vm.prog.insts[pc]) {
                    .match => {
                        if (must_advance and pos == start) continue;
                        @memcpy(caps, tcaps);
                        matched = true;
                        break; // lower-priority threads are cut off
                    },
                    .char => |c| if (ch) |d| d.cp == c else false,
                    .class => |cl| if (ch) |d| classHas(vm.prog.ranges[cl.start .. cl.start + cl.len], d.cp) else false,
                    .any_but_newline => if (ch) |d| d.cp != '\n' else false,
                    else => false, // epsilon instructions are never stored as threads' states
                };
                if (ok) {
                    @memcpy(vm.scratch, tcaps);
                    try vm.addThread(nlist, pc + 1, text, pos + ch.?.len);
                }
            }
            if (ch == null) break;
            pos += ch.?.len;
            const t = clist;
            clist = nlist;
            nlist = t;
            nlist.len = 0;
        }
        return matched;
    }
};

/// One match as byte offsets into the text; `groups[k]` is group k (0 = whole match), null when
/// the group did not take part in the match.
pub const Span = struct { start: usize, end: usize };

/// Iterates over the non-overlapping matches of a program in a text (Python 3.7+ empty-match
/// rules). Owns a `Vm` and a slot buffer.
pub const Matches = struct {
    vm: Vm,
    caps: []usize,
    text: []const u8,
    pos: usize = 0,
    must_advance: bool = false,
    done: bool = false,

    pub fn init(gpa: Allocator, prog: Program, text: []const u8) !Matches {
        var vm = try Vm.init(gpa, prog);
        errdefer vm.deinit();
        const caps = try gpa.alloc(usize, prog.slotCount());
        return .{ .vm = vm, .caps = caps, .text = text };
    }

    pub fn deinit(m: *Matches) void {
        m.vm.gpa.free(m.caps);
        m.vm.deinit();
    }

    /// The next match, or null. After a match, `group(k)` reads its groups.
    pub fn next(m: *Matches) !?Span {
        if (m.done or m.pos > m.text.len) return null;
        if (!try m.vm.search(m.text, m.pos, m.must_advance, m.caps)) {
            m.done = true;
            return null;
        }
        const s = Span{ .start = m.caps[0], .end = m.caps[1] };
        m.pos = s.end;
        m.must_advance = s.start == s.end;
        return s;
    }

    pub fn group(m: *const Matches, k: usize) ?Span {
        const a = m.caps[2 * k];
        const b = m.caps[2 * k + 1];
        if (a == unset or b == unset) return null;
        return .{ .start = a, .end = b };
    }
};

// ---------------------------------------------------------------------------------------------
// Replacement templates.

/// A parsed replacement: literal pieces and group references (`$n`, `${n}`, `$$`).
pub const Template = struct {
    pieces: []const Piece,

    pub const Piece = union(enum) { lit: []const u8, group: u32 };

    /// Parses `repl` against a program with `groups` groups. `$` followed by digits (all of
    /// them) or by `{digits}` is a group reference, `$$` is a dollar sign, any other `$` is
    /// literal. A reference to a group the pattern does not have is an error.
    pub fn parse(gpa: Allocator, repl: []const u8, groups: u32, diag: *Diag) CompileError!Template {
        var pieces: std.ArrayListUnmanaged(Piece) = .empty;
        errdefer pieces.deinit(gpa);
        var lit_start: usize = 0;
        var i: usize = 0;
        while (i < repl.len) {
            if (repl[i] != '$' or i + 1 >= repl.len) {
                i += 1;
                continue;
            }
            const d = repl[i + 1];
            var num_start = i + 1;
            var num_end = num_start;
            var after: usize = undefined;
            if (d == '$') {
                try pieces.append(gpa, .{ .lit = repl[lit_start .. i + 1] });
                i += 2;
                lit_start = i;
                continue;
            } else if (std.ascii.isDigit(d)) {
                while (num_end < repl.len and std.ascii.isDigit(repl[num_end])) num_end += 1;
                after = num_end;
            } else if (d == '{') {
                num_start = i + 2;
                num_end = num_start;
                while (num_end < repl.len and std.ascii.isDigit(repl[num_end])) num_end += 1;
                if (num_end == num_start or num_end >= repl.len or repl[num_end] != '}') {
                    i += 1;
                    continue;
                }
                after = num_end + 1;
            } else {
                i += 1;
                continue;
            }
            const n = std.fmt.parseInt(u32, repl[num_start..num_end], 10) catch std.math.maxInt(u32);
            if (n > groups) {
                return diag.set("replacement refers to group {s} at offset {d} but the pattern has {d} group(s)", .{ repl[num_start..num_end], i, groups });
            }
            if (i > lit_start) try pieces.append(gpa, .{ .lit = repl[lit_start..i] });
            try pieces.append(gpa, .{ .group = n });
            i = after;
            lit_start = i;
        }
        if (lit_start < repl.len) try pieces.append(gpa, .{ .lit = repl[lit_start..] });
        return .{ .pieces = try pieces.toOwnedSlice(gpa) };
    }

    pub fn deinit(t: Template, gpa: Allocator) void {
        gpa.free(t.pieces);
    }

    /// Appends the expansion for the current match of `m`.
    pub fn expand(t: Template, m: *const Matches, out: *std.ArrayListUnmanaged(u8), gpa: Allocator) !void {
        for (t.pieces) |p| switch (p) {
            .lit => |s| try out.appendSlice(gpa, s),
            .group => |g| if (m.group(g)) |s| try out.appendSlice(gpa, m.text[s.start..s.end]),
        };
    }
};

// ---------------------------------------------------------------------------------------------
// Slice-level operations (used by the Str API below and by the tests).

/// Replaces every match of `prog` in `text` by the expansion of `tmpl`; returns a new buffer.
pub fn replaceAllSlice(gpa: Allocator, prog: Program, text: []const u8, tmpl: Template) ![]u8 {
    var out: std.ArrayListUnmanaged(u8) = .empty;
    errdefer out.deinit(gpa);
    var m = try Matches.init(gpa, prog, text);
    defer m.deinit();
    var last: usize = 0;
    while (try m.next()) |s| {
        try out.appendSlice(gpa, text[last..s.start]);
        try tmpl.expand(&m, &out, gpa);
        last = s.end;
    }
    try out.appendSlice(gpa, text[last..]);
    return out.toOwnedSlice(gpa);
}

/// Collects the spans of all matches (whole match only).
pub fn findAllSpans(gpa: Allocator, prog: Program, text: []const u8) ![]Span {
    var out: std.ArrayListUnmanaged(Span) = .empty;
    errdefer out.deinit(gpa);
    var m = try Matches.init(gpa, prog, text);
    defer m.deinit();
    while (try m.next()) |s| try out.append(gpa, s);
    return out.toOwnedSlice(gpa);
}

/// The pieces of `text` between matches (capture groups are not included).
pub fn splitSpans(gpa: Allocator, prog: Program, text: []const u8) ![]Span {
    var out: std.ArrayListUnmanaged(Span) = .empty;
    errdefer out.deinit(gpa);
    var m = try Matches.init(gpa, prog, text);
    defer m.deinit();
    var last: usize = 0;
    while (try m.next()) |s| {
        try out.append(gpa, .{ .start = last, .end = s.start });
        last = s.end;
    }
    try out.append(gpa, .{ .start = last, .end = text.len });
    return out.toOwnedSlice(gpa);
}

// ---------------------------------------------------------------------------------------------
// The sev API: `Regex` values and the `regex_*` built-ins over `Str`.
//
// Ownership (docs/runtime.md): arguments are borrowed; every result is owned. Matched strings
// share the text's buffer (no copy).

const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const list_mod = @import("list.zig");
const option = @import("option.zig");

const Str = str_mod.Str;
const List = list_mod.List;
const Option = option.Option;
const Result = option.Result;

const slice_loc: core.Loc = .{ .func = "regex", .line = 0, .col = 0 };

/// The bytes `[s.start, s.end)` of `text` as an owned Str sharing its buffer.
fn spanStr(text: Str, s: Span) Str {
    return str_mod.substring(text, @intCast(s.start), @intCast(s.end), slice_loc);
}

fn oom(e: anyerror) noreturn {
    // The engine only fails on allocation; patterns were validated by `compile`.
    std.debug.assert(e == error.OutOfMemory);
    core.outOfMemory();
}

/// A compiled regular expression (a value: copy it freely, release it once per owned copy).
/// All methods borrow the regex and the text and return owned results.
pub const Regex = struct {
    /// The source pattern.
    pattern: Str,
    insts: List(Inst),
    ranges: List(Range),
    /// Number of capture groups (group 0, the whole match, not counted).
    groups: i64,
    /// Extra matcher slots (see `Program.loop_slots`).
    loop_slots: i64,

    /// Printing a Regex (`rt.toStr`) shows its pattern: `regex("\\d+")`.
    pub fn sevWrite(re: Regex, w: anytype, _: bool) !void {
        try w.writeAll("regex(");
        try @import("fmt.zig").writeQuoted(w, re.pattern.bytes());
        try w.writeByte(')');
    }

    fn program(re: Regex) Program {
        return .{ .insts = re.insts.items(), .ranges = re.ranges.items(), .groups = @intCast(re.groups), .loop_slots = @intCast(re.loop_slots) };
    }

    fn matches(re: Regex, text: Str) Matches {
        return Matches.init(core.gpa(), re.program(), text.bytes()) catch |e| oom(e);
    }

    /// Whether the pattern matches somewhere in `text` (anchor it with `^...$` for a
    /// whole-text match). Backs `regex_match` with a compiled pattern.
    pub fn isMatch(re: Regex, text: Str) bool {
        var m = re.matches(text);
        defer m.deinit();
        return (m.next() catch |e| oom(e)) != null;
    }

    /// The leftmost match, or None.
    pub fn find(re: Regex, text: Str) Option(Str) {
        var m = re.matches(text);
        defer m.deinit();
        const s = (m.next() catch |e| oom(e)) orelse return .None;
        return .{ .Some = spanStr(text, s) };
    }

    /// Every non-overlapping match, left to right (empty matches included, Python rules).
    pub fn findAll(re: Regex, text: Str) List(Str) {
        var out = List(Str).empty();
        var m = re.matches(text);
        defer m.deinit();
        while (m.next() catch |e| oom(e)) |s| out.pushOwned(spanStr(text, s));
        return out;
    }

    /// The leftmost match and its groups: element 0 is the whole match, element k is group k
    /// (an empty string when the group did not take part in the match). None without a match.
    pub fn captures(re: Regex, text: Str) Option(List(Str)) {
        var m = re.matches(text);
        defer m.deinit();
        _ = (m.next() catch |e| oom(e)) orelse return .None;
        var out = List(Str).withCapacity(@intCast(re.groups + 1));
        var k: usize = 0;
        while (k <= re.groups) : (k += 1) {
            out.pushOwned(if (m.group(k)) |s| spanStr(text, s) else Str.empty);
        }
        return .{ .Some = out };
    }

    /// The pieces of `text` around the matches (capture groups are not inserted, unlike
    /// Python's `re.split`). No match gives `[text]`.
    pub fn split(re: Regex, text: Str) List(Str) {
        var out = List(Str).empty();
        var m = re.matches(text);
        defer m.deinit();
        var last: usize = 0;
        while (m.next() catch |e| oom(e)) |s| {
            out.pushOwned(spanStr(text, .{ .start = last, .end = s.start }));
            last = s.end;
        }
        out.pushOwned(spanStr(text, .{ .start = last, .end = text.len }));
        return out;
    }

    /// `text` with every match replaced by `replacement`, in which `$0`..`$n` and `${n}` insert
    /// a group (empty if it did not take part) and `$$` is a dollar sign. Err when the
    /// replacement names a group the pattern does not have.
    pub fn replace(re: Regex, text: Str, replacement: Str) Result(Str, Str) {
        const gpa = core.gpa();
        var diag: Diag = .{};
        const tmpl = Template.parse(gpa, replacement.bytes(), @intCast(re.groups), &diag) catch |e| switch (e) {
            error.InvalidPattern => return .{ .Err = Str.fromSlice(diag.message()) },
            error.OutOfMemory => core.outOfMemory(),
        };
        defer tmpl.deinit(gpa);
        const out = replaceAllSlice(gpa, re.program(), text.bytes(), tmpl) catch |e| oom(e);
        defer gpa.free(out);
        return .{ .Ok = Str.fromSlice(out) };
    }
};

/// Compiles `pattern`. Err holds a message naming the problem and its byte offset, e.g.
/// `regex: unclosed group at offset 4`. Backs `regex_compile`.
pub fn compile(pattern: Str) Result(Regex, Str) {
    const gpa = core.gpa();
    var diag: Diag = .{};
    const prog = compileProgram(gpa, pattern.bytes(), &diag) catch |e| switch (e) {
        error.InvalidPattern => return .{ .Err = Str.fromSlice(diag.message()) },
        error.OutOfMemory => core.outOfMemory(),
    };
    defer freeProgram(gpa, prog);
    pattern.sevRetain();
    return .{ .Ok = .{
        .pattern = pattern,
        .insts = List(Inst).fromSlice(prog.insts),
        .ranges = List(Range).fromSlice(prog.ranges),
        .groups = prog.groups,
        .loop_slots = prog.loop_slots,
    } };
}

fn withPattern(pattern: Str, comptime T: type, comptime f: anytype, call_args: anytype) Result(T, Str) {
    const re = switch (compile(pattern)) {
        .Ok => |r| r,
        .Err => |e| return .{ .Err = e },
    };
    defer rc.release(re);
    const r = @call(.auto, f, .{re} ++ call_args);
    return if (T == @TypeOf(r)) .{ .Ok = r } else r;
}

/// Whether `pattern` matches somewhere in `text` (`re.search` semantics; anchor with `^...$`
/// for a whole-text match). Err for an invalid pattern. Backs `regex_match(text, pattern)`.
pub fn isMatch(text: Str, pattern: Str) Result(bool, Str) {
    return withPattern(pattern, bool, Regex.isMatch, .{text});
}

/// The leftmost match of `pattern` in `text`, or None. Backs `regex_find(text, pattern)`.
pub fn find(text: Str, pattern: Str) Result(Option(Str), Str) {
    return withPattern(pattern, Option(Str), Regex.find, .{text});
}

/// All non-overlapping matches. Backs `regex_find_all(text, pattern)`.
pub fn findAll(text: Str, pattern: Str) Result(List(Str), Str) {
    return withPattern(pattern, List(Str), Regex.findAll, .{text});
}

/// The whole match and the groups of the leftmost match, or None. Backs
/// `regex_captures(text, pattern)`.
pub fn captures(text: Str, pattern: Str) Result(Option(List(Str)), Str) {
    return withPattern(pattern, Option(List(Str)), Regex.captures, .{text});
}

/// `text` split around the matches of `pattern`. Backs `regex_split(text, pattern)`.
pub fn split(text: Str, pattern: Str) Result(List(Str), Str) {
    return withPattern(pattern, List(Str), Regex.split, .{text});
}

/// `text` with every match of `pattern` replaced (`$1`, `${1}`, `$0`, `$$` in `replacement`).
/// Backs `regex_replace(text, pattern, replacement)`.
pub fn replace(text: Str, pattern: Str, replacement: Str) Result(Str, Str) {
    return withPattern(pattern, Str, Regex.replace, .{ text, replacement });
}

const tl = Str.lit;

fn expectStrs(want: []const []const u8, got: List(Str)) !void {
    try std.testing.expectEqual(@as(i64, @intCast(want.len)), got.len());
    for (want, got.items()) |w, g| try std.testing.expectEqualStrings(w, g.bytes());
}

test compile {
    const r = compile(tl("(\\w+)@(\\w+)"));
    defer rc.release(r);
    try std.testing.expect(r == .Ok);
    try std.testing.expectEqual(@as(i64, 2), r.Ok.groups);
    try std.testing.expectEqualStrings("(\\w+)@(\\w+)", r.Ok.pattern.bytes());
    const bad = compile(tl("ab(c"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("regex: unclosed group at offset 2", bad.Err.bytes());
    // A Regex is an ordinary counted value: copies share the program.
    const copy = r.Ok;
    rc.retain(copy);
    rc.release(copy);
    try std.testing.expect(copy.isMatch(tl("me@host")));
    const shown = @import("fmt.zig").toStr(r.Ok);
    defer rc.release(shown);
    try std.testing.expectEqualStrings("regex(\"(\\\\w+)@(\\\\w+)\")", shown.bytes());
}

test "Regex methods" {
    const re = compile(tl("(\\d+)-(\\d+)?")).Ok;
    defer rc.release(re);
    const text = Str.fromSlice("a 12-34 b 5- c");
    defer text.sevRelease();
    try std.testing.expect(re.isMatch(text));
    try std.testing.expect(!re.isMatch(tl("no digits")));
    const f = re.find(text);
    defer rc.release(f);
    try std.testing.expectEqualStrings("12-34", f.Some.bytes());
    const all = re.findAll(text);
    defer rc.release(all);
    try expectStrs(&.{ "12-34", "5-" }, all);
    const caps = re.captures(tl("x 5- y"));
    defer rc.release(caps);
    try expectStrs(&.{ "5-", "5", "" }, caps.Some);
    try std.testing.expect(re.captures(tl("none")) == .None);
    try std.testing.expect(re.find(tl("none")) == .None);
    const parts = re.split(text);
    defer rc.release(parts);
    try expectStrs(&.{ "a ", " b ", " c" }, parts);
    const swapped = re.replace(text, tl("<$2|$1>"));
    defer rc.release(swapped);
    try std.testing.expectEqualStrings("a <34|12> b <|5> c", swapped.Ok.bytes());
    const bad = re.replace(text, tl("$3"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("regex: replacement refers to group 3 at offset 0 but the pattern has 2 group(s)", bad.Err.bytes());
}

test isMatch {
    try std.testing.expect(isMatch(tl("2024-02-29"), tl("^\\d{4}-\\d{2}-\\d{2}$")).Ok);
    try std.testing.expect(!isMatch(tl("2024-2-29"), tl("^\\d{4}-\\d{2}-\\d{2}$")).Ok);
    try std.testing.expect(isMatch(tl("say hello"), tl("hel+o")).Ok);
    const bad = isMatch(tl("x"), tl("a{2,1}"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("regex: min repeat greater than max repeat at offset 1", bad.Err.bytes());
}

test find {
    const r = find(tl("price: $12.50"), tl("\\d+\\.\\d+"));
    defer rc.release(r);
    try std.testing.expectEqualStrings("12.50", r.Ok.Some.bytes());
    try std.testing.expect(find(tl("abc"), tl("\\d")).Ok == .None);
    const bad = find(tl("abc"), tl("["));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("regex: unterminated character class at offset 0", bad.Err.bytes());
}

test findAll {
    const r = findAll(tl("a1b22c333"), tl("\\d+"));
    defer rc.release(r);
    try expectStrs(&.{ "1", "22", "333" }, r.Ok);
    const none = findAll(tl("abc"), tl("\\d+"));
    defer rc.release(none);
    try expectStrs(&.{}, none.Ok);
}

test captures {
    const r = captures(tl("mail bob@example.com now"), tl("(\\w+)@(\\w+)\\.com"));
    defer rc.release(r);
    try expectStrs(&.{ "bob@example.com", "bob", "example" }, r.Ok.Some);
    try std.testing.expect(captures(tl("nothing"), tl("(\\w+)@")).Ok == .None);
}

test split {
    const r = split(tl("a, b,c,   d"), tl(",\\s*"));
    defer rc.release(r);
    try expectStrs(&.{ "a", "b", "c", "d" }, r.Ok);
    const one = split(tl("no-sep"), tl(";"));
    defer rc.release(one);
    try expectStrs(&.{"no-sep"}, one.Ok);
}

test replace {
    const r = replace(tl("2024-02-29 and 1999-12-31"), tl("(\\d{4})-(\\d{2})-(\\d{2})"), tl("$3/$2/$1"));
    defer rc.release(r);
    try std.testing.expectEqualStrings("29/02/2024 and 31/12/1999", r.Ok.bytes());
    const e = replace(tl("abxd"), tl("x*"), tl("-"));
    defer rc.release(e);
    try std.testing.expectEqualStrings("-a-b--d-", e.Ok.bytes());
    const bad = replace(tl("x"), tl("(x"), tl("y"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("regex: unclosed group at offset 0", bad.Err.bytes());
}

// ---------------------------------------------------------------------------------------------
// Engine tests. Expected values were computed with Python 3.11 `re` (`re.search`,
// `re.finditer`, `re.split`, `re.sub` with `\n` written as `$n`) and typed in.

const testing = std.testing;

const SearchCase = struct { p: []const u8, t: []const u8, m: ?[]const u8, g: []const ?[]const u8 = &.{} };

const search_cases = [_]SearchCase{
    .{ .p = "abc", .t = "xxabcxx", .m = "abc", .g = &.{} },
    .{ .p = "abc", .t = "ab", .m = null },
    .{ .p = "a.c", .t = "abc", .m = "abc", .g = &.{} },
    .{ .p = "a.c", .t = "a\nc", .m = null },
    .{ .p = "\\d+", .t = "abc123def456", .m = "123", .g = &.{} },
    .{ .p = "\\D+", .t = "123abc456", .m = "abc", .g = &.{} },
    .{ .p = "\\w+", .t = "  hello_world42!", .m = "hello_world42", .g = &.{} },
    .{ .p = "\\W+", .t = "abc!?-def", .m = "!?-", .g = &.{} },
    .{ .p = "\\s+", .t = "a \t\nb", .m = " \t\n", .g = &.{} },
    .{ .p = "\\S+", .t = "   xyz  ", .m = "xyz", .g = &.{} },
    .{ .p = "\\.", .t = "a.b", .m = ".", .g = &.{} },
    .{ .p = "\\\\", .t = "a\\b", .m = "\\", .g = &.{} },
    .{ .p = "\\t", .t = "a\tb", .m = "\t", .g = &.{} },
    .{ .p = "[a-c]+", .t = "xxabcabdd", .m = "abcab", .g = &.{} },
    .{ .p = "[^a-z0-9_]+", .t = "abc_12!@#def", .m = "!@#", .g = &.{} },
    .{ .p = "[^abc]", .t = "abcabcd", .m = "d", .g = &.{} },
    .{ .p = "^abc", .t = "abcabc", .m = "abc", .g = &.{} },
    .{ .p = "^abc", .t = "xabc", .m = null },
    .{ .p = "abc$", .t = "abcabc", .m = "abc", .g = &.{} },
    .{ .p = "abc$", .t = "abcx", .m = null },
    .{ .p = "^$", .t = "", .m = "", .g = &.{} },
    .{ .p = "^a*$", .t = "aaaa", .m = "aaaa", .g = &.{} },
    .{ .p = "^a*$", .t = "aaab", .m = null },
    .{ .p = "\\bfoo\\b", .t = "a foo b", .m = "foo", .g = &.{} },
    .{ .p = "\\bfoo\\b", .t = "afoob", .m = null },
    .{ .p = "\\Boo\\B", .t = "afoob", .m = "oo", .g = &.{} },
    .{ .p = "(a|b)+", .t = "ccabbac", .m = "abba", .g = &.{"a"} },
    .{ .p = "(?:ab)+", .t = "xababab", .m = "ababab", .g = &.{} },
    .{ .p = "cat|dog", .t = "hotdog", .m = "dog", .g = &.{} },
    .{ .p = "cat|category", .t = "category", .m = "cat", .g = &.{} },
    .{ .p = "a*", .t = "baaa", .m = "", .g = &.{} },
    .{ .p = "a+", .t = "baaa", .m = "aaa", .g = &.{} },
    .{ .p = "a?b", .t = "ab", .m = "ab", .g = &.{} },
    .{ .p = "a{3}", .t = "aaaaa", .m = "aaa", .g = &.{} },
    .{ .p = "a{2,}", .t = "aaaaa", .m = "aaaaa", .g = &.{} },
    .{ .p = "a{2,3}", .t = "aaaaa", .m = "aaa", .g = &.{} },
    .{ .p = "a{,2}", .t = "aaaaa", .m = "aa", .g = &.{} },
    .{ .p = "a{0}b", .t = "ab", .m = "b", .g = &.{} },
    .{ .p = "a*?b", .t = "aaab", .m = "aaab", .g = &.{} },
    .{ .p = "a+?", .t = "aaa", .m = "a", .g = &.{} },
    .{ .p = "a??b", .t = "ab", .m = "ab", .g = &.{} },
    .{ .p = "<.+>", .t = "<a><b>", .m = "<a><b>", .g = &.{} },
    .{ .p = "<.+?>", .t = "<a><b>", .m = "<a>", .g = &.{} },
    // Python reports group 1 = "" here (its loop runs one extra empty iteration after the
    // last a); a Pike VM never re-enters a loop at the same position, so group 1 keeps the
    // last non-empty iteration. This is the one documented divergence in the table.
    .{ .p = "(a*)*b", .t = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", .m = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", .g = &.{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} },
    .{ .p = "(a*)*b", .t = "aaaaaaaaaaaaaaaaaaaa", .m = null },
    .{ .p = "[0-9a-fA-F]+", .t = "zz0x1fAbz", .m = "0", .g = &.{} },
    .{ .p = "[-a]+", .t = "--a-b", .m = "--a-", .g = &.{} },
    .{ .p = "[a-]+", .t = "--a-b", .m = "--a-", .g = &.{} },
    .{ .p = "[]a]+", .t = "x]a]b", .m = "]a]", .g = &.{} },
    .{ .p = "[\\d.]+", .t = "v1.25x", .m = "1.25", .g = &.{} },
    .{ .p = "[\\w-]+", .t = "foo-bar baz", .m = "foo-bar", .g = &.{} },
    .{ .p = "colou?r", .t = "the color red", .m = "color", .g = &.{} },
    .{ .p = "\\d{4}-\\d{2}-\\d{2}", .t = "on 2024-02-29 at", .m = "2024-02-29", .g = &.{} },
    .{ .p = "(\\w+)@(\\w+)\\.com", .t = "mail bob@example.com now", .m = "bob@example.com", .g = &.{ "bob", "example" } },
    .{ .p = "a{x}", .t = "a{x}", .m = "a{x}", .g = &.{} },
    .{ .p = "x{1,2", .t = "x{1,2", .m = "x{1,2", .g = &.{} },
    .{ .p = "é+", .t = "caféé!", .m = "éé", .g = &.{} },
    .{ .p = "[à-ÿ]+", .t = "naïve", .m = "ï", .g = &.{} },
    .{ .p = "caf.", .t = "café", .m = "café", .g = &.{} },
    .{ .p = "\\x41\\u00e9", .t = "Aé", .m = "Aé", .g = &.{} },
    .{ .p = "(?:a|ab)(?:c|bcd)(d*)", .t = "abcd", .m = "abcd", .g = &.{""} },
    .{ .p = "(a|ab)(c|bcd)(d*)", .t = "abcd", .m = "abcd", .g = &.{ "a", "bcd", "" } },
    .{ .p = "\\$\\d+\\.\\d\\d", .t = "cost: $12.50", .m = "$12.50", .g = &.{} },
    .{ .p = "(\\d+)-(\\d+)?", .t = "12-", .m = "12-", .g = &.{ "12", null } },
    .{ .p = "^(\\w+)\\s+(\\w+)$", .t = "hello world", .m = "hello world", .g = &.{ "hello", "world" } },
    .{ .p = "a|b|c|d", .t = "xxd", .m = "d", .g = &.{} },
    .{ .p = "(?:)", .t = "abc", .m = "", .g = &.{} },
    .{ .p = "x*$", .t = "abxx", .m = "xx", .g = &.{} },
    .{ .p = "\\d+(?:\\.\\d+)?", .t = "pi is 3.14159", .m = "3.14159", .g = &.{} },
    .{ .p = "[A-Z][a-z]*", .t = "hello World", .m = "World", .g = &.{} },
};

fn expectSearch(c: SearchCase) !void {
    const gpa = testing.allocator;
    var diag: Diag = .{};
    const prog = compileProgram(gpa, c.p, &diag) catch |e| {
        std.debug.print("pattern {s}: {s}\n", .{ c.p, diag.message() });
        return e;
    };
    defer freeProgram(gpa, prog);
    var m = try Matches.init(gpa, prog, c.t);
    defer m.deinit();
    const s = try m.next();
    if (c.m) |want| {
        const got = s orelse {
            std.debug.print("pattern {s} on {s}: no match, want {s}\n", .{ c.p, c.t, want });
            return error.TestExpectedEqual;
        };
        try testing.expectEqualStrings(want, c.t[got.start..got.end]);
        try testing.expectEqual(c.g.len, prog.groups);
        for (c.g, 1..) |want_g, k| {
            const got_g = m.group(k);
            if (want_g) |w| {
                try testing.expect(got_g != null);
                try testing.expectEqualStrings(w, c.t[got_g.?.start..got_g.?.end]);
            } else try testing.expect(got_g == null);
        }
    } else if (s) |got| {
        std.debug.print("pattern {s} on {s}: unexpected match {s}\n", .{ c.p, c.t, c.t[got.start..got.end] });
        return error.TestUnexpectedResult;
    }
}

test "regex engine: search table (Python re.search)" {
    for (search_cases) |c| expectSearch(c) catch |e| {
        std.debug.print("failed case: {s} / {s}\n", .{ c.p, c.t });
        return e;
    };
}

const AllCase = struct { p: []const u8, t: []const u8, all: []const []const u8 };
const all_cases = [_]AllCase{
    .{ .p = "\\d+", .t = "a1b22c333", .all = &.{ "1", "22", "333" } },
    .{ .p = "\\d*", .t = "a12b", .all = &.{ "", "12", "", "" } },
    .{ .p = "x*", .t = "axbc", .all = &.{ "", "x", "", "", "" } },
    .{ .p = "\\w+", .t = "Hello, big World!", .all = &.{ "Hello", "big", "World" } },
    .{ .p = "[aeiou]", .t = "education", .all = &.{ "e", "u", "a", "i", "o" } },
    .{ .p = "a|ab", .t = "abab", .all = &.{ "a", "a" } },
    .{ .p = "", .t = "abc", .all = &.{ "", "", "", "" } },
    .{ .p = "\\b", .t = "ab cd", .all = &.{ "", "", "", "" } },
    .{ .p = "(\\d)(\\d)", .t = "1234", .all = &.{ "12", "34" } },
    .{ .p = "é", .t = "été", .all = &.{ "é", "é" } },
    // Repeats of sub-patterns that can match empty (the `progress` instruction).
    .{ .p = "(?:x*?)+", .t = "x", .all = &.{ "", "x", "" } },
    .{ .p = "(?:[a-c]??)+", .t = "bb", .all = &.{ "", "b", "", "b", "" } },
    .{ .p = "(?:\\d|\\W??){0,2}", .t = "a.1cbb", .all = &.{ "", "", ".1", "", "", "", "" } },
    .{ .p = "(?:a|)+", .t = "aab", .all = &.{ "aa", "", "" } },
};

const SplitCase = struct { p: []const u8, t: []const u8, parts: []const []const u8 };
const split_cases = [_]SplitCase{
    .{ .p = ",\\s*", .t = "a, b,c,   d", .parts = &.{ "a", "b", "c", "d" } },
    .{ .p = "\\d", .t = "a1b2c", .parts = &.{ "a", "b", "c" } },
    .{ .p = "x*", .t = "axbc", .parts = &.{ "", "a", "", "b", "c", "" } },
    .{ .p = "\\s+", .t = "  lead and trail  ", .parts = &.{ "", "lead", "and", "trail", "" } },
    .{ .p = ";", .t = "no-sep", .parts = &.{"no-sep"} },
    .{ .p = "(?:-)", .t = "a-b--c", .parts = &.{ "a", "b", "", "c" } },
    .{ .p = "", .t = "ab", .parts = &.{ "", "a", "b", "" } },
    .{ .p = "$", .t = "ab", .parts = &.{ "ab", "" } },
};

const SubCase = struct { p: []const u8, t: []const u8, r: []const u8, out: []const u8 };
const sub_cases = [_]SubCase{
    .{ .p = "\\d+", .t = "a1b22c333", .r = "#", .out = "a#b#c#" },
    .{ .p = "(\\w+)@(\\w+)", .t = "bob@site ann@web", .r = "$2 at $1", .out = "site at bob web at ann" },
    .{ .p = "x*", .t = "abxd", .r = "-", .out = "-a-b--d-" },
    .{ .p = "(a)(b)?", .t = "ab a", .r = "[$2$1]", .out = "[ba] [a]" },
    .{ .p = "\\s+", .t = "a  b\t\tc", .r = " ", .out = "a b c" },
    .{ .p = "^", .t = "abc", .r = ">", .out = ">abc" },
    .{ .p = "$", .t = "abc", .r = "<", .out = "abc<" },
    .{ .p = "(\\d{4})-(\\d{2})-(\\d{2})", .t = "2024-02-29", .r = "$3/$2/$1", .out = "29/02/2024" },
    .{ .p = "o", .t = "foo", .r = "0", .out = "f00" },
    .{ .p = "z", .t = "foo", .r = "Z", .out = "foo" },
};

test "regex engine: findAll, split and replace tables (Python re.finditer/split/sub)" {
    const gpa = testing.allocator;
    var diag: Diag = .{};
    for (all_cases) |c| {
        const prog = try compileProgram(gpa, c.p, &diag);
        defer freeProgram(gpa, prog);
        const spans = try findAllSpans(gpa, prog, c.t);
        defer gpa.free(spans);
        try testing.expectEqual(c.all.len, spans.len);
        for (c.all, spans) |want, s| try testing.expectEqualStrings(want, c.t[s.start..s.end]);
    }
    for (split_cases) |c| {
        const prog = try compileProgram(gpa, c.p, &diag);
        defer freeProgram(gpa, prog);
        const spans = try splitSpans(gpa, prog, c.t);
        defer gpa.free(spans);
        try testing.expectEqual(c.parts.len, spans.len);
        for (c.parts, spans) |want, s| try testing.expectEqualStrings(want, c.t[s.start..s.end]);
    }
    for (sub_cases) |c| {
        const prog = try compileProgram(gpa, c.p, &diag);
        defer freeProgram(gpa, prog);
        const tmpl = try Template.parse(gpa, c.r, prog.groups, &diag);
        defer tmpl.deinit(gpa);
        const out = try replaceAllSlice(gpa, prog, c.t, tmpl);
        defer gpa.free(out);
        try testing.expectEqualStrings(c.out, out);
    }
}

test "regex engine: replacement templates" {
    const gpa = testing.allocator;
    var diag: Diag = .{};
    const prog = try compileProgram(gpa, "(\\w)(\\w)", &diag);
    defer freeProgram(gpa, prog);
    const Case = struct { r: []const u8, out: []const u8 };
    for ([_]Case{
        .{ .r = "$2$1", .out = "ba dc" },
        .{ .r = "${2}1", .out = "b1 d1" },
        .{ .r = "$$", .out = "$ $" },
        .{ .r = "$0!", .out = "ab! cd!" },
        .{ .r = "$x$", .out = "$x$ $x$" },
        .{ .r = "${x}", .out = "${x} ${x}" },
    }) |c| {
        const tmpl = try Template.parse(gpa, c.r, prog.groups, &diag);
        defer tmpl.deinit(gpa);
        const out = try replaceAllSlice(gpa, prog, "ab cd", tmpl);
        defer gpa.free(out);
        try testing.expectEqualStrings(c.out, out);
    }
    try testing.expectError(error.InvalidPattern, Template.parse(gpa, "$3", prog.groups, &diag));
    try testing.expectEqualStrings("regex: replacement refers to group 3 at offset 0 but the pattern has 2 group(s)", diag.message());
    try testing.expectError(error.InvalidPattern, Template.parse(gpa, "x${12}", prog.groups, &diag));
}

test "regex engine: invalid patterns report the offset" {
    const gpa = testing.allocator;
    const Case = struct { p: []const u8, msg: []const u8 };
    for ([_]Case{
        .{ .p = "abc(def", .msg = "regex: unclosed group at offset 3" },
        .{ .p = "a(b(c)", .msg = "regex: unclosed group at offset 1" },
        .{ .p = "ab)c", .msg = "regex: unmatched ')' at offset 2" },
        .{ .p = "*a", .msg = "regex: nothing to repeat at offset 0" },
        .{ .p = "a|+", .msg = "regex: nothing to repeat at offset 2" },
        .{ .p = "(+)", .msg = "regex: nothing to repeat at offset 1" },
        .{ .p = "^*", .msg = "regex: nothing to repeat at offset 0" },
        .{ .p = "{2}", .msg = "regex: nothing to repeat at offset 0" },
        .{ .p = "a**", .msg = "regex: multiple repeat at offset 2" },
        .{ .p = "a{2}{3}", .msg = "regex: multiple repeat at offset 4" },
        .{ .p = "[abc", .msg = "regex: unterminated character class at offset 0" },
        .{ .p = "x[^]", .msg = "regex: unterminated character class at offset 1" },
        .{ .p = "[z-a]", .msg = "regex: bad character range at offset 1" },
        .{ .p = "[a-\\d]", .msg = "regex: bad character range at offset 1" },
        .{ .p = "ab\\", .msg = "regex: trailing backslash at offset 2" },
        .{ .p = "\\q", .msg = "regex: bad escape \\q at offset 0" },
        .{ .p = "(a)\\1", .msg = "regex: backreferences are not supported (\\1) at offset 3" },
        .{ .p = "(?=a)", .msg = "regex: unsupported group syntax '(?' at offset 0 (only '(?:' is supported)" },
        .{ .p = "a{5,2}", .msg = "regex: min repeat greater than max repeat at offset 1" },
        .{ .p = "a{1001}", .msg = "regex: repetition count too large (max 1000) at offset 1" },
        .{ .p = "\\x4", .msg = "regex: incomplete escape at offset 0" },
        .{ .p = "a\xff", .msg = "regex: invalid UTF-8 at offset 1" },
        .{ .p = "(?:a{1000}){1000}", .msg = "regex: pattern too large after expanding repetitions (more than 100000 instructions)" },
    }) |c| {
        var diag: Diag = .{};
        try testing.expectError(error.InvalidPattern, compileProgram(gpa, c.p, &diag));
        try testing.expectEqualStrings(c.msg, diag.message());
    }
}

test "regex engine: no exponential blow-up" {
    const gpa = testing.allocator;
    var diag: Diag = .{};
    var timer = try std.time.Timer.start();
    const Case = struct { p: []const u8, t: []const u8, tail: u8, n: usize, hit: bool };
    for ([_]Case{
        .{ .p = "(a*)*b", .t = "", .tail = 'a', .n = 30, .hit = false },
        .{ .p = "(a*)*b", .t = "", .tail = 'a', .n = 20000, .hit = false },
        .{ .p = "(x+x+)+y", .t = "", .tail = 'x', .n = 5000, .hit = false },
        .{ .p = "(a|aa)+$", .t = "", .tail = 'a', .n = 5000, .hit = true },
        .{ .p = "^(a?){25}a{25}$", .t = "", .tail = 'a', .n = 25, .hit = true },
    }) |c| {
        const text = try gpa.alloc(u8, c.n);
        defer gpa.free(text);
        @memset(text, c.tail);
        const prog = try compileProgram(gpa, c.p, &diag);
        defer freeProgram(gpa, prog);
        var m = try Matches.init(gpa, prog, text);
        defer m.deinit();
        try testing.expectEqual(c.hit, (try m.next()) != null);
    }
    // Linear-time matching: all of the above together take well under a second even in Debug
    // (a backtracking engine needs ~2^30 steps for the first case alone).
    try testing.expect(timer.read() < 5 * std.time.ns_per_s);
}

test "regex engine: invalid UTF-8 in the text is read byte by byte" {
    const gpa = testing.allocator;
    var diag: Diag = .{};
    const prog = try compileProgram(gpa, "a.b", &diag);
    defer freeProgram(gpa, prog);
    var m = try Matches.init(gpa, prog, "xa\xffb");
    defer m.deinit();
    const s = (try m.next()).?;
    try testing.expectEqual(@as(usize, 1), s.start);
    try testing.expectEqual(@as(usize, 4), s.end);
}
