//! Concurrency for sev programs: tasks (a function call running on its own OS thread) and
//! channels (thread-safe FIFO queues). Values cross threads safely because reference counts
//! are atomic and every sev value is immutable or copy-on-write.
//!
//! `spawn(f, args)` retains the arguments, starts a thread that calls `f(args...)` and returns
//! a `Task(R)` handle; `join(task, loc)` (the SIRS `await`) waits for the thread and hands the
//! result to the caller (owned). A task's result can be taken once: joining it a second time is
//! a runtime fault. Releasing the last handle of a task that was never joined waits for the
//! thread and releases its result, so no thread outlives its handles.
//!
//! `Channel(T)` is a multi-producer multi-consumer queue, unbounded or bounded (then `send`
//! blocks while it is full). `recv` blocks until a value arrives and returns None once the
//! channel is closed and drained; `tryRecv` never blocks. Task and channel handles are the one
//! exception to value semantics: copies of a handle refer to the same task or channel (that is
//! their purpose), counted like any other value.
const std = @import("std");
const core = @import("core.zig");
const oserror = @import("ppl/sampler/oserror.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const option = @import("option.zig");
const exc = @import("exc.zig");

const Loc = core.Loc;
const Str = str_mod.Str;
const Option = option.Option;

fn ReturnOf(comptime f: anytype) type {
    return @typeInfo(@TypeOf(f)).@"fn".return_type.?;
}

/// A handle on a running or finished call returning `T`.
pub fn Task(comptime T: type) type {
    return struct {
        const Self = @This();
        pub const Result = T;

        state: *State,

        const State = struct {
            count: rc.Count,
            thread: std.Thread,
            result: T = undefined,
            /// Set once the thread has been joined (by `join` or by the last release).
            joined: bool = false,
            /// Set by the first `join`: the result now belongs to that caller.
            taken: std.atomic.Value(bool) = .init(false),
            /// The exception of a task whose function threw (an error union result).
            exception: ?exc.Pending = null,
            /// Set by the thread after storing the result.
            done: std.atomic.Value(bool) = .init(false),
            mutex: std.Thread.Mutex = .{},

            fn joinThread(s: *State) void {
                s.mutex.lock();
                defer s.mutex.unlock();
                if (!s.joined) {
                    s.thread.join();
                    s.joined = true;
                }
            }
        };

        pub fn sevRetain(self: Self) void {
            rc.incRef(&self.state.count);
        }

        pub fn sevRelease(self: Self) void {
            if (!rc.decRef(&self.state.count)) return;
            const s = self.state;
            s.joinThread();
            if (!s.taken.load(.acquire)) {
                rc.release(s.result);
                if (s.exception) |e| {
                    // Nobody awaited the task: its exception would vanish, so say so.
                    core.eprint("warning: a task that was never awaited ended with exception {s}: {s}\n  --> {s}:{d}:{d} (in function `{s}`)\n", .{ e.kind.bytes(), e.message.bytes(), core.sourceFile(), e.loc.line, e.loc.col, e.loc.func });
                    e.deinit();
                }
            }
            core.destroy(s);
        }

        /// Handles are equal when they refer to the same task.
        pub fn sevEql(a: Self, b: Self) bool {
            return a.state == b.state;
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            h.update(std.mem.asBytes(&@intFromPtr(self.state)));
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            try w.writeAll(if (self.state.taken.load(.acquire)) "<task (joined)>" else "<task>");
        }

        /// Whether the thread has finished running (non-blocking). Backs `task_is_done`.
        pub fn isDone(self: Self) bool {
            return self.state.done.load(.acquire);
        }
    };
}

/// Runs `f(args...)` on a new thread and returns its handle (owned). The arguments are
/// retained until `f` returns. Faults (without a location) if the OS cannot start a thread.
/// Backs `spawn`.
pub fn spawn(comptime f: anytype, args: anytype) Task(ReturnOf(f)) {
    const T = ReturnOf(f);
    const Args = std.meta.ArgsTuple(@TypeOf(f));
    var call_args: Args = undefined;
    inline for (0..@typeInfo(Args).@"struct".fields.len) |i| call_args[i] = args[i];
    rc.retain(call_args);
    const H = Task(T);
    const s = core.create(H.State);
    const Runner = struct {
        fn run(state: *H.State, a: Args) void {
            core.guardStack(std.Thread.SpawnConfig.default_stack_size);
            state.result = @call(.auto, f, a);
            if (comptime @typeInfo(T) == .error_union) {
                if (state.result) |_| {} else |_| state.exception = exc.detach();
            }
            rc.release(a);
            state.done.store(true, .release);
        }
    };
    s.* = .{ .count = rc.Count.init(1), .thread = undefined };
    s.thread = std.Thread.spawn(.{}, Runner.run, .{ s, call_args }) catch |e| {
        rc.release(call_args);
        core.destroy(s);
        core.faultNoLoc("cannot start a task: {s}", .{oserror.describe(e)});
    };
    return .{ .state = s };
}

/// Waits for the task and returns its result (owned: the caller releases it). Faults with
/// `task joined twice` if the result was already taken through this or another handle.
/// Backs `await`.
pub fn join(task: anytype, comptime loc: Loc) @TypeOf(task).Result {
    const s = task.state;
    if (s.taken.swap(true, .acq_rel)) core.fault(loc, "task joined twice (a task's result can be awaited once)", .{});
    s.joinThread();
    if (s.exception) |e| {
        // The task threw: its exception becomes pending on this thread (the result is the error).
        s.exception = null;
        exc.attach(e);
    }
    return s.result;
}

// ---------------------------------------------------------------------------------------------
// Channels

/// A thread-safe FIFO queue of `T` (see the module comment).
pub fn Channel(comptime T: type) type {
    return struct {
        const Self = @This();
        pub const Elem = T;

        inner: *Inner,

        const Inner = struct {
            count: rc.Count,
            mutex: std.Thread.Mutex = .{},
            not_empty: std.Thread.Condition = .{},
            not_full: std.Thread.Condition = .{},
            queue: std.fifo.LinearFifo(T, .Dynamic),
            /// 0 = unbounded.
            capacity: usize,
            closed: bool = false,
        };

        /// A new open channel holding at most `capacity` values (`capacity <= 0`: unbounded).
        /// Owned. Backs `channel_new`.
        pub fn init(capacity: i64) Self {
            const in = core.create(Inner);
            in.* = .{
                .count = rc.Count.init(1),
                .queue = std.fifo.LinearFifo(T, .Dynamic).init(core.gpa()),
                .capacity = if (capacity <= 0) 0 else @intCast(capacity),
            };
            return .{ .inner = in };
        }

        /// An unbounded channel. Owned.
        pub fn unbounded() Self {
            return init(0);
        }

        /// Queues `v` (retained), blocking while a bounded channel is full. Returns false (and
        /// keeps nothing) if the channel is or becomes closed. Backs `channel_send`.
        pub fn send(self: Self, v: T) bool {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            while (!in.closed and in.capacity != 0 and in.queue.readableLength() >= in.capacity) {
                in.not_full.wait(&in.mutex);
            }
            if (in.closed) return false;
            in.queue.writeItem(v) catch core.outOfMemory();
            rc.retain(v);
            in.not_empty.signal();
            return true;
        }

        fn take(in: *Inner) ?T {
            const v = in.queue.readItem() orelse return null;
            in.not_full.signal();
            return v;
        }

        /// The next value (owned), blocking until one arrives; None once the channel is closed
        /// and empty. Backs `channel_recv`.
        pub fn recv(self: Self) Option(T) {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            while (true) {
                if (take(in)) |v| return .{ .Some = v };
                if (in.closed) return .None;
                in.not_empty.wait(&in.mutex);
            }
        }

        /// The next value (owned) if one is queued, else None; never blocks. Backs
        /// `channel_try_recv`.
        pub fn tryRecv(self: Self) Option(T) {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            return if (take(in)) |v| .{ .Some = v } else .None;
        }

        /// Closes the channel: later sends return false, receivers drain what is queued and then
        /// get None. Closing twice is harmless. Backs `channel_close`.
        pub fn close(self: Self) void {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            in.closed = true;
            in.not_empty.broadcast();
            in.not_full.broadcast();
        }

        /// Number of queued values. Backs `channel_len`.
        pub fn len(self: Self) i64 {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            return @intCast(in.queue.readableLength());
        }

        /// Whether `close` was called. Backs `channel_is_closed`.
        pub fn isClosed(self: Self) bool {
            const in = self.inner;
            in.mutex.lock();
            defer in.mutex.unlock();
            return in.closed;
        }

        pub fn sevRetain(self: Self) void {
            rc.incRef(&self.inner.count);
        }

        pub fn sevRelease(self: Self) void {
            const in = self.inner;
            if (!rc.decRef(&in.count)) return;
            while (in.queue.readItem()) |v| rc.release(v);
            in.queue.deinit();
            core.destroy(in);
        }

        /// Handles are equal when they refer to the same channel.
        pub fn sevEql(a: Self, b: Self) bool {
            return a.inner == b.inner;
        }

        pub fn sevHash(self: Self, h: *std.hash.Wyhash) void {
            h.update(std.mem.asBytes(&@intFromPtr(self.inner)));
        }

        pub fn sevWrite(self: Self, w: anytype, _: bool) !void {
            try w.print("<channel ({d} queued)>", .{self.len()});
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Tests

const testing = std.testing;
const list_mod = @import("list.zig");
const List = list_mod.List;
const tloc: Loc = .{ .func = "main", .line = 4, .col = 9 };

fn sumTo(n: i64) i64 {
    var s: i64 = 0;
    var i: i64 = 1;
    while (i <= n) : (i += 1) s += i;
    return s;
}

fn greet(name: Str, times: i64) Str {
    var b = str_mod.Builder.init();
    var i: i64 = 0;
    while (i < times) : (i += 1) {
        b.append("hi ");
        b.append(name.bytes());
        b.append(";");
    }
    return b.finish();
}

fn squares(n: i64) List(i64) {
    var l = List(i64).empty();
    var i: i64 = 0;
    while (i < n) : (i += 1) l.push(i * i);
    return l;
}

fn nothing(flag: *std.atomic.Value(bool)) void {
    std.Thread.sleep(5 * std.time.ns_per_ms);
    flag.store(true, .release);
}

test spawn {
    // Several tasks of different result types running at once.
    const a = spawn(sumTo, .{1000});
    defer rc.release(a);
    const name = Str.fromSlice("sev");
    const b = spawn(greet, .{ name, 2 });
    defer rc.release(b);
    rc.release(name); // the task holds its own reference to its argument
    const c = spawn(squares, .{5});
    defer rc.release(c);
    var flag = std.atomic.Value(bool).init(false);
    const d = spawn(nothing, .{&flag});
    defer rc.release(d);

    try testing.expectEqual(@as(i64, 500500), join(a, tloc));
    const greeting = join(b, tloc);
    defer rc.release(greeting);
    try testing.expectEqualStrings("hi sev;hi sev;", greeting.bytes());
    const sq = join(c, tloc);
    defer rc.release(sq);
    try testing.expectEqualSlices(i64, &.{ 0, 1, 4, 9, 16 }, sq.items());
    join(d, tloc);
    try testing.expect(flag.load(.acquire));
    try testing.expect(d.isDone());
}

test join {
    const t = spawn(sumTo, .{10});
    defer rc.release(t);
    try testing.expectEqual(@as(i64, 55), join(t, tloc));
    // A copy of the handle refers to the same task, whose result is already taken.
    const copy = t;
    rc.retain(copy);
    defer rc.release(copy);
    try core.expectExit(101, "error: task joined twice (a task's result can be awaited once)\n  --> <unknown>:4:9 (in function `main`)\n", join, .{ copy, tloc });
    try testing.expect(rc.eql(t, copy));
}

fn failIfNegative(x: i64) exc.Thrown!i64 {
    if (x < 0) {
        exc.raise({}, exc.untyped, Str.lit("Error"), Str.fromSlice("negative input"), tloc);
        return error.SevThrow;
    }
    return x * 2;
}

test "a task's exception is raised again by join on the awaiting thread" {
    const good = spawn(failIfNegative, .{21});
    defer rc.release(good);
    try testing.expectEqual(@as(i64, 42), try join(good, tloc));
    const bad = spawn(failIfNegative, .{-1});
    defer rc.release(bad);
    try testing.expectError(error.SevThrow, join(bad, tloc));
    const E = struct { kind: Str, message: Str };
    const e = exc.takeError(E);
    defer rc.release(e);
    try testing.expectEqualStrings("negative input", e.message.bytes());
    // An exception nobody awaits is reported and released with the task (the leak check would
    // fail otherwise).
    const ignored = spawn(failIfNegative, .{-2});
    rc.release(ignored);
    try testing.expect(std.mem.startsWith(u8, core.takeCaptured(.err), "warning: a task that was never awaited ended with exception Error: negative input"));
}

test "releasing an unjoined task waits for it and frees its result" {
    const t = spawn(greet, .{ Str.lit("x"), 1000 });
    rc.release(t); // joins the thread and releases the 4000-byte string (leak-checked)
    const u = spawn(squares, .{100});
    std.Thread.sleep(std.time.ns_per_ms);
    rc.release(u);
}

fn produce(ch: Channel(i64), first: i64, n: i64) i64 {
    var sent: i64 = 0;
    var i: i64 = 0;
    while (i < n) : (i += 1) {
        if (ch.send(first + i)) sent += 1;
    }
    return sent;
}

fn consume(ch: Channel(i64)) i64 {
    var sum: i64 = 0;
    while (true) switch (ch.recv()) {
        .Some => |v| sum += v,
        .None => return sum,
    };
}

test Channel {
    // 4 producers and 3 consumers on a bounded channel of 8: every value arrives exactly once.
    inline for ([_]i64{ 8, 0 }) |cap| {
        const ch = Channel(i64).init(cap);
        defer rc.release(ch);
        var producers: [4]Task(i64) = undefined;
        for (&producers, 0..) |*p, k| p.* = spawn(produce, .{ ch, @as(i64, @intCast(k)) * 1000, 1000 });
        var consumers: [3]Task(i64) = undefined;
        for (&consumers) |*c| c.* = spawn(consume, .{ch});
        var sent: i64 = 0;
        for (producers) |p| {
            sent += join(p, tloc);
            rc.release(p);
        }
        ch.close();
        var total: i64 = 0;
        for (consumers) |c| {
            total += join(c, tloc);
            rc.release(c);
        }
        try testing.expectEqual(@as(i64, 4000), sent);
        try testing.expectEqual(@as(i64, 3999 * 4000 / 2), total); // 0 + 1 + ... + 3999
        try testing.expectEqual(@as(i64, 0), ch.len());
    }
}

test "Channel of strings: close, tryRecv, leftovers" {
    const ch = Channel(Str).unbounded();
    defer rc.release(ch);
    try testing.expect(ch.tryRecv() == .None);
    const s = Str.fromSlice("payload");
    try testing.expect(ch.send(s));
    try testing.expect(ch.send(s));
    try testing.expect(ch.send(Str.lit("third")));
    rc.release(s); // the channel holds its own references
    try testing.expectEqual(@as(i64, 3), ch.len());
    const first = ch.tryRecv();
    defer rc.release(first);
    try testing.expectEqualStrings("payload", first.Some.bytes());
    ch.close();
    ch.close();
    try testing.expect(ch.isClosed());
    try testing.expect(!ch.send(Str.lit("late")));
    const second = ch.recv(); // queued values are still delivered after close
    defer rc.release(second);
    try testing.expectEqualStrings("payload", second.Some.bytes());
    // "third" stays queued; releasing the channel releases it.
    try testing.expectEqual(@as(i64, 1), ch.len());
    var buf: [64]u8 = undefined;
    var fbs = std.io.fixedBufferStream(&buf);
    try @import("fmt.zig").writeValue(fbs.writer(), ch);
    try testing.expectEqualStrings("<channel (1 queued)>", fbs.getWritten());
}

fn blockedSender(ch: Channel(i64)) bool {
    _ = ch.send(1); // fills the channel
    return ch.send(2); // blocks until close, then fails
}

test "closing wakes a blocked sender and receivers" {
    const ch = Channel(i64).init(1);
    defer rc.release(ch);
    const t = spawn(blockedSender, .{ch});
    defer rc.release(t);
    while (ch.len() < 1) std.Thread.sleep(std.time.ns_per_ms);
    std.Thread.sleep(5 * std.time.ns_per_ms);
    ch.close();
    try testing.expect(!join(t, tloc));
    try testing.expectEqual(@as(i64, 1), ch.recv().Some);
    try testing.expect(ch.recv() == .None);
}

fn sendLists(ch: Channel(List(i64)), n: i64) void {
    var i: i64 = 0;
    while (i < n) : (i += 1) {
        const l = squares(i);
        _ = ch.send(l);
        rc.release(l);
    }
    ch.close();
}

test "Channel of lists across threads (no leaks, no races)" {
    const ch = Channel(List(i64)).init(4);
    defer rc.release(ch);
    const t = spawn(sendLists, .{ ch, 50 });
    defer rc.release(t);
    var got: i64 = 0;
    while (true) switch (ch.recv()) {
        .Some => |l| {
            defer rc.release(l);
            try testing.expectEqual(got, l.len());
            if (got > 0) try testing.expectEqual((got - 1) * (got - 1), l.items()[@intCast(got - 1)]);
            got += 1;
        },
        .None => break,
    };
    join(t, tloc);
    try testing.expectEqual(@as(i64, 50), got);
}
