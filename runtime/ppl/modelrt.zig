//! The glue between generated model code and the inference engine.
//!
//! The compiler emits each model function once, generic over a *mode* `M` (a namespace type):
//! `M.Real` is the scalar type of values that depend on parameters, `M.add`, `M.exp`, … are the
//! arithmetic on it (re-exported from the AD mode), and `M.param`, `M.observe`, `M.factor`,
//! `M.output`, `M.print`, `M.check`, `M.predictive` implement the probabilistic statements.
//! Three phases run the same code:
//!
//! * `discover` (f64): runs once after the data is read. Every `sample` of a continuous
//!   distribution is a parameter; the phase records each site, its size and constraint, and
//!   every output column (parameters, predictive draws, `output` lets, printed values,
//!   `prob_assert` conditions), so the dimension and the CmdStan column names are known.
//! * `density` (f64 or reverse-mode AD): reads the unconstrained parameters in the same
//!   order, applies the constraint transforms (adding log|Jacobian|), and accumulates the log
//!   density of every prior, `observe` and `factor`.
//! * `generate` (f64): for one posterior draw, computes the constrained values and everything
//!   else the columns hold; predictive draws use the draw's random generator.
//!
//! An invalid distribution parameter (say a negative scale) is an error of the evaluation: the
//! point is rejected (log density -inf); the rejections are counted and one note at the end of
//! the run gives their number and the first reason with its SIRS location. `Program(Spec)` turns
//! a generated `Spec` into the sampler's C-ABI `Program`.

const std = @import("std");
const ad = @import("ad.zig");
const dist = @import("dist.zig");
const transform = @import("transform.zig");
const mc = @import("matrix_constrained.zig");
const linalg = @import("linalg.zig");
const forward = @import("forward.zig");
const adjoint = @import("adjoint.zig");
const enumerate = @import("enumerate.zig");
const gibbs_mod = @import("gibbs.zig");
const smp = @import("sampler/client.zig");
const core = @import("../core.zig");
const oserror = @import("sampler/oserror.zig");
const list_mod = @import("../list.zig");
const rc = @import("../rc.zig");
const builtins = @import("../builtins.zig");

pub const Loc = core.Loc;
pub const List = list_mod.List;

pub const Phase = enum { discover, density, generate };

/// The constraint of a parameter, chosen by the compiler from the distribution's support or
/// the `lower`/`upper`/`constraint` of the `sample`.
pub const Transform = enum { real, lower, upper, interval, positive, unit, simplex, ordered, positive_ordered, cholesky_corr };

pub const SiteKind = enum { param, predictive, enumerated, gibbs, output, print, check };

/// A static site of the model (one per `sample`, `output` let, print or `prob_assert`).
pub const Site = struct {
    kind: SiteKind,
    name: []const u8,
    /// For prints and checks: what the report shows ("coin_bias > 0.3 (line 45)").
    label: []const u8 = "",
    /// For checks: the required probability.
    confidence: f64 = 0,
    /// For an enumerated site the compiler could not bound: when the data take it past the
    /// enumeration limits, it is updated by Metropolis-within-Gibbs steps instead.
    gibbs_fallback: bool = false,
};

pub const Error = error{ InvalidParameter, ModelStructure, OutOfMemory };

/// One output column found by the discovery phase.
const Column = struct {
    site: u32,
    occurrence: u32,
    /// Position inside a vector value, or null for a scalar.
    elem: ?u32,
    /// For matrix values, the column count (the element is then row-major).
    cols: u32 = 0,
};

/// What discovery learned: the dimension and the columns.
pub const Layout = struct {
    dim: usize = 0,
    columns: std.ArrayListUnmanaged(Column) = .{},
    occurrences: []u32 = &.{},
    /// Where the first Gibbs-updated discrete parameter is drawn (for E0338).
    gibbs_loc: ?Loc = null,
    /// Per static site: whether it is an enumerated site with a Gibbs fallback (`Site`).
    fallback: []bool = &.{},
    /// Per static site: whether that fallback was taken with this data (`gibbs.Values.switched`).
    switched: []bool = &.{},
    /// Set when a run of discovery took a fallback: the run stops and discovery starts again.
    rediscover: bool = false,

    fn deinit(self: *Layout, a: std.mem.Allocator) void {
        self.columns.deinit(a);
        a.free(self.occurrences);
        a.free(self.fallback);
        a.free(self.switched);
    }

    /// Forgets what a stopped run of discovery found (the fallbacks taken are kept).
    fn restart(self: *Layout) void {
        self.dim = 0;
        self.columns.clearRetainingCapacity();
        @memset(self.occurrences, 0);
        self.gibbs_loc = null;
        self.rediscover = false;
    }

    fn next(self: *Layout, site: u32) u32 {
        const k = self.occurrences[site];
        self.occurrences[site] += 1;
        return k;
    }

    fn add(self: *Layout, a: std.mem.Allocator, site: u32, n: ?usize, cols: usize) Error!void {
        const occurrence = self.next(site);
        if (n) |count| {
            for (0..count) |i| try self.columns.append(a, .{ .site = site, .occurrence = occurrence, .elem = @intCast(i), .cols = @intCast(cols) });
        } else try self.columns.append(a, .{ .site = site, .occurrence = occurrence, .elem = null });
    }
};

/// Where the last evaluation failed, for the located warning (shared with compiled gradients).
const Failure = adjoint.Failure;

/// The per-evaluation state of the generated model code in scalar mode `S`.
pub fn Context(comptime S: type) type {
    return struct {
        const Self = @This();
        /// The unconstrained parameters (empty while discovering).
        q: []const S.Real = &.{},
        pos: usize = 0,
        target: S.Real = S.lift(0),
        layout: ?*Layout = null,
        allocator: std.mem.Allocator = std.heap.smp_allocator,
        /// Output columns being written (generate phase).
        out: []f64 = &.{},
        col: usize = 0,
        rng: ?std.Random = null,
        failure: Failure = .{},
        /// The values of the enumerated discrete parameters for this run (`enumerate.State`).
        enumeration: ?*enumerate.State = null,
        /// The chain's current values of the Gibbs-updated discrete parameters (`gibbs.zig`).
        gibbs: ?*gibbs_mod.Values = null,

        fn take(self: *Self, n: usize) Error![]const S.Real {
            if (self.layout) |l| {
                l.dim += n;
                return &.{};
            }
            if (self.pos + n > self.q.len) return error.ModelStructure;
            const s = self.q[self.pos .. self.pos + n];
            self.pos += n;
            return s;
        }

        fn write(self: *Self, x: f64) void {
            if (self.col < self.out.len) self.out[self.col] = x;
            self.col += 1;
        }

        fn fail(self: *Self, comptime loc: Loc) Error {
            const msg = dist.lastError();
            const n = @min(msg.len, self.failure.message.len);
            @memcpy(self.failure.message[0..n], msg[0..n]);
            self.failure.len = n;
            self.failure.loc = loc;
            return error.InvalidParameter;
        }

        /// A located failure with a message of the runtime's own (not a distribution's).
        fn failWith(self: *Self, msg: []const u8, comptime loc: Loc) Error {
            const n = @min(msg.len, self.failure.message.len);
            @memcpy(self.failure.message[0..n], msg[0..n]);
            self.failure.len = n;
            self.failure.loc = loc;
            return error.InvalidParameter;
        }
    };
}

/// The mode namespace generated model code is instantiated with.
pub fn Mode(comptime S: type, comptime phase: Phase) type {
    return struct {
        pub usingnamespace S;
        pub const Ctx = Context(S);
        pub const Err = Error;
        pub const current_phase = phase;

        /// The f64 value of a number or an AD scalar.
        pub inline fn value(x: anytype) f64 {
            return ad.value(x);
        }

        /// A list of model reals from a list of numbers (owned).
        pub fn liftList(xs: List(f64)) List(S.Real) {
            if (S.Real == f64) {
                rc.retain(xs);
                return xs;
            }
            // fill a buffer and copy it in once (a push per element costs a uniqueness check)
            const items = xs.items();
            var small: [32]S.Real = undefined;
            const buf = if (items.len <= small.len) small[0..items.len] else core.gpa().alloc(S.Real, items.len) catch core.outOfMemory();
            defer if (items.len > small.len) core.gpa().free(buf);
            for (buf, items) |*b, x| b.* = S.lift(x);
            return List(S.Real).fromSlice(buf);
        }

        /// The values of a list of model reals (owned).
        pub fn valueList(xs: List(S.Real)) List(f64) {
            if (S.Real == f64) {
                rc.retain(xs);
                return xs;
            }
            var out = List(f64).withCapacity(@intCast(xs.len()));
            for (xs.items()) |x| out.push(ad.value(x));
            return out;
        }

        /// `a mod b` on model reals: the value of `float_mod` (truncated, NaN for b = 0 or an
        /// infinite a), with the derivatives of a - b·trunc(a/b) (1 and -trunc(a/b)).
        pub inline fn rem(a: anytype, b: anytype) S.Real {
            const va = ad.value(a);
            const vb = ad.value(b);
            const q = @trunc(va / vb);
            const r = S.sub(a, S.mul(b, q));
            return S.add(r, builtins.float_mod(f64, va, vb) - ad.value(r));
        }

        /// `List(f64)` nested `depth` times (rows of rows …) with `f64` replaced by `E`.
        fn Nested(comptime depth: usize, comptime E: type) type {
            return if (depth == 0) E else List(Nested(depth - 1, E));
        }

        /// Lists of lists of numbers (to any depth) as the same shape of model reals (owned).
        pub fn liftNested(comptime depth: usize, xs: Nested(depth, f64)) Nested(depth, S.Real) {
            if (depth == 1) return liftList(xs);
            var out = Nested(depth, S.Real).withCapacity(@intCast(xs.len()));
            for (xs.items()) |row| out.pushOwned(liftNested(depth - 1, row));
            return out;
        }

        /// The values of nested lists of model reals, in the same shape (owned).
        pub fn valueNested(comptime depth: usize, xs: Nested(depth, S.Real)) Nested(depth, f64) {
            if (depth == 1) return valueList(xs);
            var out = Nested(depth, f64).withCapacity(@intCast(xs.len()));
            for (xs.items()) |row| out.pushOwned(valueNested(depth - 1, row));
            return out;
        }

        /// Text printed by a model (a print of a string): shown once, when the model is set up.
        pub fn printText(ctx: *Ctx, s: anytype) void {
            if (ctx.layout == null) return;
            core.printStr(s);
            core.flushOut();
        }

        /// A scalar parameter: `let x = sample D(args)` in a model.
        pub fn param(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, comptime tr: Transform, lo: anytype, hi: anytype, comptime loc: Loc) Error!S.Real {
            if (ctx.layout) |l| try l.add(ctx.allocator, site, null, 0);
            const u = try ctx.take(1);
            const uu: S.Real = if (u.len > 0) u[0] else S.lift(0);
            const x = constrain(&ctx.target, uu, tr, lo, hi);
            if (phase == .generate) ctx.write(ad.value(x));
            if (phase != .generate) try addPrior(ctx, D, x, args, tr, lo, hi, loc);
            return x;
        }

        /// A vector of `n` independent parameters with the same distribution (owned list).
        pub fn paramVector(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, n_in: i64, comptime tr: Transform, lo: anytype, hi: anytype, comptime loc: Loc) Error!List(S.Real) {
            if (n_in < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{n_in});
            const n: usize = @intCast(n_in);
            if (ctx.layout) |l| try l.add(ctx.allocator, site, n, 0);
            const u = try ctx.take(n);
            var out = List(S.Real).withCapacity(n);
            errdefer rc.release(out);
            switch (tr) {
                .ordered, .positive_ordered => {
                    const buf = try ctx.allocator.alloc(S.Real, n);
                    defer ctx.allocator.free(buf);
                    const src = try ctx.allocator.alloc(S.Real, n);
                    defer ctx.allocator.free(src);
                    for (src, 0..) |*s, i| s.* = if (u.len > 0) u[i] else S.lift(@as(f64, @floatFromInt(i)));
                    if (tr == .ordered) transform.ordered(S, src, buf, &ctx.target) else transform.positive_ordered(S, src, buf, &ctx.target);
                    for (buf) |x| out.push(x);
                },
                else => for (0..n) |i| out.push(constrain(&ctx.target, if (u.len > 0) u[i] else S.lift(0), tr, lo, hi)),
            }
            if (phase == .generate) {
                for (out.items()) |x| ctx.write(ad.value(x));
            } else {
                const lp = @call(.auto, D.lpdf, .{ S, out.items() } ++ args) catch return ctx.fail(loc);
                ctx.target = S.add(ctx.target, lp);
                try truncation(ctx, D, n, args, tr, lo, hi, loc);
            }
            return out;
        }

        /// A simplex parameter of size `k` (Dirichlet prior).
        pub fn paramSimplex(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, k_in: i64, comptime loc: Loc) Error!List(S.Real) {
            if (k_in < 1) core.fault(loc, "a simplex needs at least one element, got {d}", .{k_in});
            const k: usize = @intCast(k_in);
            if (ctx.layout) |l| try l.add(ctx.allocator, site, k, 0);
            const u = try ctx.take(k - 1);
            const src = try ctx.allocator.alloc(S.Real, k - 1);
            defer ctx.allocator.free(src);
            for (src, 0..) |*s, i| s.* = if (u.len > 0) u[i] else S.lift(0);
            const buf = try ctx.allocator.alloc(S.Real, k);
            defer ctx.allocator.free(buf);
            transform.simplex(S, src, buf, &ctx.target);
            var out = List(S.Real).withCapacity(k);
            for (buf) |x| out.push(x);
            try vectorPrior(ctx, D, args, out, loc);
            return out;
        }

        /// Adds the prior density `D(args)` of vector parameter `out` to the target, or, when
        /// generating, writes its values; releases `out` when the density fails.
        fn vectorPrior(ctx: *Ctx, comptime D: type, args: anytype, out: List(S.Real), comptime loc: Loc) Error!void {
            if (phase == .generate) {
                for (out.items()) |x| ctx.write(ad.value(x));
                return;
            }
            const lp = @call(.auto, D.lpdf, .{ S, out.items() } ++ args) catch {
                rc.release(out);
                return ctx.fail(loc);
            };
            ctx.target = S.add(ctx.target, lp);
        }

        /// An unconstrained vector parameter of size `k` with a joint prior (multi_normal).
        pub fn paramJoint(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, k_in: i64, comptime loc: Loc) Error!List(S.Real) {
            if (k_in < 0) core.fault(loc, "a sample size must not be negative, got {d}", .{k_in});
            const k: usize = @intCast(k_in);
            if (ctx.layout) |l| try l.add(ctx.allocator, site, k, 0);
            const u = try ctx.take(k);
            var out = List(S.Real).withCapacity(k);
            for (0..k) |i| out.push(if (u.len > 0) u[i] else S.lift(0));
            try vectorPrior(ctx, D, args, out, loc);
            return out;
        }

        /// A `k`×`k` matrix parameter of `shape` (`matrix_constrained.Shape`) with prior `D`
        /// (LKJ, Wishart), as `k` rows: its unconstrained values through
        /// `matrix_constrained.constrain` (whose log-Jacobian goes to the target). Its columns
        /// are `name.i.j`, row-major.
        pub fn paramMatrix(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, k_in: i64, comptime shape: mc.Shape, comptime loc: Loc) Error!List(List(S.Real)) {
            if (k_in < 1) core.fault(loc, "a {s} matrix needs a dimension of at least 1, got {d}", .{ if (shape == .cov) "covariance" else "correlation", k_in });
            const k: usize = @intCast(k_in);
            if (ctx.layout) |l| try l.add(ctx.allocator, site, k * k, k);
            const free = mc.freeCount(shape, k);
            const u = try ctx.take(free);
            const src = try ctx.allocator.alloc(S.Real, free + 2 * k * k);
            defer ctx.allocator.free(src);
            const x = src[0..free];
            for (x, 0..) |*v, i| v.* = if (u.len > 0) u[i] else S.lift(0);
            const chol = src[free .. free + k * k];
            const buf = src[free + k * k ..];
            mc.constrain(S, shape, x, chol, buf, k, &ctx.target);
            if (phase == .generate) {
                for (buf) |v| ctx.write(ad.value(v));
            } else {
                const view = linalg.Matrix(S.Real){ .data = buf, .rows = k, .cols = k };
                const lp = @call(.auto, D.lpdf, .{ S, view } ++ args) catch return ctx.fail(loc);
                ctx.target = S.add(ctx.target, lp);
            }
            var rows = List(List(S.Real)).withCapacity(k);
            for (0..k) |i| rows.pushOwned(List(S.Real).fromSlice(buf[i * k .. (i + 1) * k]));
            return rows;
        }

        /// The Cholesky factor of a `k`×`k` correlation matrix with prior `D` (LKJ): K(K-1)/2
        /// unconstrained values through `transform.cholesky_corr`.
        pub fn paramCholeskyCorr(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, k_in: i64, comptime loc: Loc) Error!List(List(S.Real)) {
            return paramMatrix(ctx, site, D, args, k_in, .cholesky_corr, loc);
        }

        /// A draw that does not enter the likelihood (a discrete or predictive `sample`):
        /// drawn with the draw's generator when generating, 0 otherwise.
        pub fn predictive(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, comptime T: type, comptime loc: Loc) Error!T {
            if (ctx.layout) |l| try l.add(ctx.allocator, site, null, 0);
            if (phase != .generate) return zero(T);
            const rng = ctx.rng orelse return zero(T);
            const plain = valuesOf(args);
            const x = @call(.auto, D.sample, .{rng} ++ plain) catch core.fault(loc, "{s}", .{dist.lastError()});
            ctx.write(toF64(x));
            return forward.convert(T, x);
        }

        /// A discrete parameter summed out of the log density (`src/cir/enumerate.rs`): takes the
        /// value the run's enumeration state chooses and adds its log mass; when generating, the
        /// value (drawn from its conditional by `Program.writeDraw`) is its column.
        /// A site whose Gibbs fallback was taken (`Layout.switched`) is a Gibbs site instead;
        /// while discovering, a site with a fallback that meets the limits takes it.
        pub fn enumerated(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, comptime T: type, comptime loc: Loc) Error!T {
            if (ctx.layout) |l| {
                if (l.switched[site]) return gibbs(ctx, site, D, args, T, loc);
            } else if (ctx.gibbs) |values| {
                if (values.isSwitched(site)) return gibbs(ctx, site, D, args, T, loc);
            }
            if (ctx.layout) |l| try l.add(ctx.allocator, site, null, 0);
            const state = ctx.enumeration orelse return error.ModelStructure;
            const s = enumerate.support(D, args);
            const k = state.visit(s.size) catch |e| {
                if (ctx.layout) |l| {
                    if (l.fallback[site] and e != error.EmptySupport) {
                        l.switched[site] = true;
                        l.rediscover = true;
                    }
                }
                return ctx.failWith(enumerate.State.describe(e), loc);
            };
            const y: i64 = s.lo + @as(i64, k);
            if (phase == .generate) {
                ctx.write(@floatFromInt(y));
            } else if (ctx.layout == null) {
                const lp = @call(.auto, D.lpmf, .{ S, y } ++ args) catch return ctx.fail(loc);
                ctx.target = S.add(ctx.target, lp);
            }
            return forward.convert(T, y);
        }

        /// A discrete parameter updated by Metropolis-within-Gibbs steps (`src/cir/enumerate.rs`,
        /// `gibbs.zig`): takes the chain's current value (a prior draw the first time) and adds
        /// its log mass; when generating, the value is its column.
        pub fn gibbs(ctx: *Ctx, comptime site: u32, comptime D: type, args: anytype, comptime T: type, comptime loc: Loc) Error!T {
            if (ctx.layout) |l| {
                try l.add(ctx.allocator, site, null, 0);
                if (l.gibbs_loc == null) l.gibbs_loc = loc;
                return zero(T);
            }
            const values = ctx.gibbs orelse return error.ModelStructure;
            const plain = valuesOf(args);
            const draw = gibbs_mod.PriorDraw(D, @TypeOf(plain)){ .args = plain };
            const y = values.visit(std.heap.smp_allocator, draw) catch |e| switch (e) {
                error.OutOfMemory => return error.OutOfMemory,
                error.PriorDraw => return ctx.fail(loc),
            };
            if (phase == .generate) {
                ctx.write(@floatFromInt(y));
            } else {
                const lp = @call(.auto, D.lpmf, .{ S, y } ++ args) catch return ctx.fail(loc);
                ctx.target = S.add(ctx.target, lp);
            }
            return forward.convert(T, y);
        }

        /// `observe D(args) value`: adds the log density (or mass) of the data.
        pub fn observe(ctx: *Ctx, comptime D: type, y: anytype, args: anytype, comptime loc: Loc) Error!void {
            if (phase == .generate or ctx.layout != null) return;
            const f = if (@hasDecl(D, "lpdf")) D.lpdf else D.lpmf;
            const lp = @call(.auto, f, .{ S, y } ++ args) catch return ctx.fail(loc);
            ctx.target = S.add(ctx.target, lp);
        }

        /// `lpdf D(args) y`: the log density (or mass) of `y`, as a model real.
        pub fn lpdf(ctx: *Ctx, comptime D: type, y: anytype, args: anytype, comptime loc: Loc) Error!S.Real {
            const f = if (@hasDecl(D, "lpdf")) D.lpdf else D.lpmf;
            return @call(.auto, f, .{ S, y } ++ args) catch return ctx.fail(loc);
        }

        /// `factor value`: adds a term to the log density.
        pub fn factor(ctx: *Ctx, x: anytype) void {
            if (phase == .generate or ctx.layout != null) return;
            ctx.target = S.add(ctx.target, x);
        }

        // ----- Declared distributions and mixtures (see cir::lower::prob::custom) ----------

        /// A declared parameter constraint (`dist.custom.checkParam`): a violation rejects the
        /// point with a located message, like an invalid built-in parameter.
        pub fn checkParam(ctx: *Ctx, x: anytype, comptime lo: f64, comptime hi: f64, comptime code: u8, comptime label: []const u8, comptime loc: Loc) Error!void {
            const r = if (comptime isList(@TypeOf(x))) dist.custom.checkParam(x.items(), lo, hi, code, label) else dist.custom.checkParam(x, lo, hi, code, label);
            r catch return ctx.fail(loc);
        }

        /// A declared distribution's log density, failing when the user's function gave NaN.
        pub fn checkDensity(ctx: *Ctx, lp: anytype, comptime label: []const u8, comptime loc: Loc) Error!@TypeOf(lp) {
            return dist.custom.checkDensity(lp, label) catch return ctx.fail(loc);
        }

        /// log(w_i / Σw) of a mixture's weights (an owned list of the weights' element type:
        /// model reals when the weights depend on parameters).
        pub fn mixtureLogWeights(ctx: *Ctx, w: anytype, comptime k: usize, comptime loc: Loc) Error!List(@TypeOf(w).Elem) {
            const T = @TypeOf(w).Elem;
            const R = if (T == f64) ad.F64 else S;
            _ = dist.custom.checkWeights(w.items(), k) catch return ctx.fail(loc);
            const buf = try ctx.allocator.alloc(T, k);
            defer ctx.allocator.free(buf);
            dist.custom.logWeights(R, w.items(), buf);
            var out = List(T).withCapacity(k);
            for (buf) |x| out.push(x);
            return out;
        }

        /// Starts a predictive draw of a declared distribution or a mixture: true only while a
        /// posterior draw is generated, and then `sample`s outside the model (the sampler
        /// function) draw from that draw's stream until `endPredictive`.
        pub fn beginPredictive(ctx: *Ctx) bool {
            if (phase != .generate) return false;
            const rng = ctx.rng orelse return false;
            forward.useRandom(rng);
            return true;
        }

        pub fn endPredictive(ctx: *Ctx) void {
            _ = ctx;
            forward.useRandom(null);
        }

        /// An `output` let, a printed value or a checked condition: one column per element.
        pub fn record(ctx: *Ctx, comptime site: u32, x: anytype) Error!void {
            const T = @TypeOf(x);
            if (ctx.layout) |l| {
                if (comptime isList(T)) return l.add(ctx.allocator, site, @intCast(x.len()), 0);
                return l.add(ctx.allocator, site, null, 0);
            }
            if (phase != .generate) return;
            if (comptime isList(T)) {
                for (x.items()) |e| ctx.write(toF64(e));
            } else ctx.write(toF64(x));
        }

        fn addPrior(ctx: *Ctx, comptime D: type, x: S.Real, args: anytype, comptime tr: Transform, lo: anytype, hi: anytype, comptime loc: Loc) Error!void {
            if (ctx.layout != null) return;
            const lp = @call(.auto, D.lpdf, .{ S, x } ++ args) catch return ctx.fail(loc);
            ctx.target = S.add(ctx.target, lp);
            try truncation(ctx, D, 1, args, tr, lo, hi, loc);
        }

        /// Bounds narrower than a distribution's support truncate it; when its parameters are
        /// themselves unknown, the normalising constant -n·log P(lo < X < hi) must be added.
        fn truncation(ctx: *Ctx, comptime D: type, n: usize, args: anytype, comptime tr: Transform, lo: anytype, hi: anytype, comptime loc: Loc) Error!void {
            if (comptime !argsAreActive(@TypeOf(args)) or !(tr == .lower or tr == .upper or tr == .interval)) return;
            if (comptime !@hasDecl(D, "lcdf") or !@hasDecl(D, "lccdf")) return;
            const log_mass: S.Real = switch (tr) {
                .lower => @call(.auto, D.lccdf, .{ S, lo } ++ args) catch return ctx.fail(loc),
                .upper => @call(.auto, D.lcdf, .{ S, hi } ++ args) catch return ctx.fail(loc),
                else => S.log_diff_exp(
                    @call(.auto, D.lcdf, .{ S, hi } ++ args) catch return ctx.fail(loc),
                    @call(.auto, D.lcdf, .{ S, lo } ++ args) catch return ctx.fail(loc),
                ),
            };
            ctx.target = S.sub(ctx.target, S.mul(@as(f64, @floatFromInt(n)), log_mass));
        }

        fn constrain(lj: *S.Real, u: S.Real, comptime tr: Transform, lo: anytype, hi: anytype) S.Real {
            return switch (tr) {
                .real => u,
                .lower => transform.lower(S, u, lo, lj),
                .upper => transform.upper(S, u, hi, lj),
                .interval => transform.lower_upper(S, u, lo, hi, lj),
                .positive => transform.positive(S, u, lj),
                .unit => transform.unit(S, u, lj),
                else => @compileError("vector constraint used on a scalar"),
            };
        }
    };
}

test "declared-distribution checks reject inside a model; predictive draws use the draw's stream" {
    const loc: Loc = .{ .func = "t", .line = 3, .col = 7 };
    // density phase, reverse mode: a violated constraint is a located failure, not a fault
    const M = Mode(ad.Rev, .density);
    defer ad.Rev.deinit();
    ad.Rev.reset();
    var ctx = Context(ad.Rev){ .allocator = std.testing.allocator };
    try M.checkParam(&ctx, @as(f64, 2), 0, 0, 13, "lap: b", loc);
    try std.testing.expectError(error.InvalidParameter, M.checkParam(&ctx, @as(f64, -1), 0, 0, 13, "lap: b", loc));
    try std.testing.expectEqualStrings("lap: b must be > 0, got -1", ctx.failure.message[0..ctx.failure.len]);
    try std.testing.expectEqual(@as(u32, 3), ctx.failure.loc.?.line);
    try std.testing.expectError(error.InvalidParameter, M.checkDensity(&ctx, std.math.nan(f64), "lap: the log density `f`", loc));
    try std.testing.expectEqual(@as(f64, -1.5), try M.checkDensity(&ctx, @as(f64, -1.5), "lap", loc));
    // weights that are parameters give differentiable log weights: d/dw0 log(w0 / (w0 + w1)) = 1/w0 - 1/(w0 + w1)
    const w0 = ad.Rev.independent(1);
    const w1 = ad.Rev.independent(3);
    const w = List(ad.Var).fromSlice(&.{ w0, w1 });
    defer rc.release(w);
    const lw = try M.mixtureLogWeights(&ctx, w, 2, loc);
    defer rc.release(lw);
    try std.testing.expectApproxEqAbs(@log(0.25), lw.items()[0].val, 1e-15);
    var grad: [2]f64 = undefined;
    ad.Rev.gradient(lw.items()[0], &.{ w0, w1 }, &grad);
    try std.testing.expectApproxEqAbs(@as(f64, 0.75), grad[0], 1e-15);
    try std.testing.expectApproxEqAbs(@as(f64, -0.25), grad[1], 1e-15);
    const bad = List(f64).fromSlice(&.{ 1, -1 });
    defer rc.release(bad);
    try std.testing.expectError(error.InvalidParameter, M.mixtureLogWeights(&ctx, bad, 2, loc));
    // predictive draws happen only while generating, from the draw's generator
    try std.testing.expect(!M.beginPredictive(&ctx));
    const G = Mode(ad.F64, .generate);
    var prng = std.Random.DefaultPrng.init(9);
    var gctx = Context(ad.F64){ .rng = prng.random(), .allocator = std.testing.allocator };
    try std.testing.expect(G.beginPredictive(&gctx));
    const x = forward.random().int(u64);
    G.endPredictive(&gctx);
    var same = std.Random.DefaultPrng.init(9);
    try std.testing.expectEqual(same.random().int(u64), x);
}

fn argsAreActive(comptime Args: type) bool {
    for (@typeInfo(Args).@"struct".fields) |f| {
        if (ad.isAdType(f.type) or (ad.isSeq(f.type) and ad.isAdType(ad.Elem(f.type)))) return true;
    }
    return false;
}

fn isList(comptime T: type) bool {
    return @typeInfo(T) == .@"struct" and @hasDecl(T, "Elem") and @hasDecl(T, "items");
}

fn toF64(x: anytype) f64 {
    const T = @TypeOf(x);
    if (T == bool) return if (x) 1 else 0;
    return ad.value(x);
}

fn zero(comptime T: type) T {
    if (T == bool) return false;
    return switch (@typeInfo(T)) {
        .int => 0,
        .float => 0,
        else => @compileError("unsupported predictive type " ++ @typeName(T)),
    };
}

/// Distribution parameters as plain numbers (for the samplers of predictive draws).
fn ValuesOf(comptime Args: type) type {
    const fields = @typeInfo(Args).@"struct".fields;
    var types: [fields.len]type = undefined;
    for (fields, 0..) |f, i| types[i] = if (ad.isAdType(f.type)) f64 else f.type;
    return std.meta.Tuple(&types);
}

fn valuesOf(args: anytype) ValuesOf(@TypeOf(args)) {
    var out: ValuesOf(@TypeOf(args)) = undefined;
    inline for (@typeInfo(@TypeOf(args)).@"struct".fields, 0..) |f, i| {
        out[i] = if (comptime ad.isAdType(f.type)) ad.value(@field(args, f.name)) else @field(args, f.name);
    }
    return out;
}

/// The data file as the generated `Data.read` sees it: typed, located accessors.
pub const DataSource = struct {
    d: smp.Data,

    fn field(self: DataSource, comptime T: type, name: []const u8, x: i64) !T {
        return std.math.cast(T, x) orelse self.d.fail("data field '{s}': {d} does not fit in {s}", .{ name, x, @typeName(T) });
    }

    pub fn int(self: DataSource, comptime T: type, name: []const u8) !T {
        return self.field(T, name, try self.d.getInt(name));
    }

    /// NaN is not data: a model cannot observe or compute with it meaningfully, and left in, it
    /// would surface much later as a rejected proposal. (Infinities pass: they can be bounds.)
    fn number(self: DataSource, name: []const u8, x: f64, index: ?usize) !f64 {
        if (!std.math.isNan(x)) return x;
        if (index) |i| return self.d.fail("field '{s}' element {d} is NaN; the data must be numbers", .{ name, i + 1 });
        return self.d.fail("field '{s}' is NaN; the data must be numbers", .{name});
    }

    pub fn real(self: DataSource, comptime T: type, name: []const u8) !T {
        return @floatCast(try self.number(name, try self.d.getReal(name), null));
    }

    /// JSON `true`/`false`, or 1/0 as Stan writes booleans.
    pub fn boolean(self: DataSource, name: []const u8) !bool {
        return self.d.getBool(name);
    }

    pub fn intArray(self: DataSource, comptime T: type, name: []const u8) !List(T) {
        const xs = try self.d.getIntArray(name, null);
        var out = List(T).withCapacity(xs.len);
        errdefer rc.release(out);
        for (xs) |x| out.push(try self.field(T, name, x));
        return out;
    }

    pub fn boolArray(self: DataSource, name: []const u8) !List(bool) {
        return List(bool).fromSlice(try self.d.getBoolArray(name, null));
    }

    pub fn realArray(self: DataSource, comptime T: type, name: []const u8) !List(T) {
        const xs = try self.d.getRealArray(name, null);
        for (xs, 0..) |x, i| _ = try self.number(name, x, i);
        var out = List(T).withCapacity(xs.len);
        for (xs) |x| out.push(@floatCast(x));
        return out;
    }

    /// The check, done once when the data is read, that a model reading `array[i]` for every
    /// `i` in `start..size` stays in bounds (`src/cir/databounds.rs`); the log density then
    /// reads those elements unchecked.
    pub fn covers(self: DataSource, array: []const u8, len: i64, size_name: []const u8, size: anytype, start: i64, comptime loc: Loc) !void {
        if (@as(i128, size) <= start or len >= @as(i128, size)) return;
        return self.d.fail("field '{s}' has {d} elements, but the model reads '{s}[i]' for every i below '{s}' = {d} (at {s}:{d}:{d}, in function `{s}`); the data must give '{s}' at least {d} elements", .{ array, len, array, size_name, size, core.sourceFile(), loc.line, loc.col, loc.func, array, size });
    }

    pub fn realMatrix(self: DataSource, name: []const u8) !List(List(f64)) {
        const m = try self.d.getRealMatrix(name, null, null);
        for (m.values, 0..) |x, k| {
            if (std.math.isNan(x)) return self.d.fail("field '{s}' element [{d}][{d}] is NaN; the data must be numbers", .{ name, k / m.cols + 1, k % m.cols + 1 });
        }
        var out = List(List(f64)).withCapacity(m.rows);
        for (0..m.rows) |i| out.pushOwned(List(f64).fromSlice(m.values[i * m.cols .. (i + 1) * m.cols]));
        return out;
    }
};

// -----------------------------------------------------------------------------------------------
// The C-ABI program for the sampler
// -----------------------------------------------------------------------------------------------

/// The proposals rejected during one run of the sampler (an invalid distribution parameter makes
/// the log density -inf): counted, with the first reason kept, and reported once when the model
/// is unloaded. Rejections are common early in warmup, so a note per rejection (or per place)
/// in the middle of the progress output would be noise.
const Rejections = struct {
    lock: std.Thread.Mutex = .{},
    count: u64 = 0,
    first: Failure = .{},
    /// Chains that evaluated the density at least once. With none, every evaluation was
    /// rejected: the sampler then stops with its own message, and a note would repeat it.
    evaluated_chains: u64 = 0,
};

var rejections: Rejections = .{};

fn noteRejected(f: *const Failure) void {
    rejections.lock.lock();
    defer rejections.lock.unlock();
    if (rejections.count == 0) rejections.first = f.*;
    rejections.count += 1;
}

fn noteEvaluatedChain() void {
    rejections.lock.lock();
    defer rejections.lock.unlock();
    rejections.evaluated_chains += 1;
}

/// Prints the one summary note of the rejected proposals (if any) and starts a new count.
fn reportRejections() void {
    rejections.lock.lock();
    defer rejections.lock.unlock();
    const n = rejections.count;
    const evaluated = rejections.evaluated_chains;
    rejections.count = 0;
    rejections.evaluated_chains = 0;
    if (n == 0 or evaluated == 0) return;
    const f = &rejections.first;
    const plural = if (n == 1) " was" else "s were";
    core.eprint("note: {d} proposal{s} rejected (log density -inf); the first: {s}\n", .{ n, plural, f.message[0..f.len] });
    if (f.loc) |loc| core.eprint("  --> {s}:{d}:{d} (in function `{s}`)\n", .{ core.sourceFile(), loc.line, loc.col, loc.func });
    core.eprint("  (normal early in warmup, while the step size is too large)\n", .{});
}

/// Words for the errors of a model's set-up run (besides a rejected parameter, which is located).
fn describeModelError(e: anyerror) []const u8 {
    return switch (e) {
        error.ModelStructure => "its parameters do not have a fixed structure",
        else => oserror.describe(e),
    };
}

/// Which part of a model program an object holds. A model is built as two objects at once
/// (docs/performance.md, "Time to first draw"): what sampling spends its time in (the gradient
/// and the draws' outputs) at ReleaseFast (`gradient`), and everything else (data reading,
/// discovery, forward mode, the report) in Debug (`rest`), which LLVM builds quickly. The object's
/// root file chooses with `pub const sev_model_part`; without it (`whole`) one object holds all.
pub const Part = enum { whole, gradient, rest };

const model_part: Part = if (@hasDecl(@import("root"), "sev_model_part")) @import("root").sev_model_part else .whole;

/// Exports the model program of `Spec` for this object's part: `sev_program` from the `rest`
/// part (or from the `whole`), the gradient's functions from the `gradient` part. A model with
/// Gibbs-updated parameters is not split (its gradient reads the chain's discrete values,
/// which the `rest` part updates): the `gradient` object holds all of it and `rest` nothing.
pub fn exportModel(comptime Spec: type) void {
    const P = Program(Spec);
    switch (model_part) {
        .whole => @export(&P.program, .{ .name = "sev_program" }),
        .gradient => if (P.split) P.exportGradient() else @export(&P.program, .{ .name = "sev_program" }),
        .rest => if (P.split) {
            @export(&P.program, .{ .name = "sev_program" });
            @export(&noteRejectedC, .{ .name = "sev_model_note_rejected" });
            @export(&noteEvaluatedChainC, .{ .name = "sev_model_note_evaluated" });
        },
    }
}

/// The `rest` object's side of the rejection count, called by the `gradient` object.
fn noteRejectedC(message: [*]const u8, len: usize, func: [*]const u8, func_len: usize, line: u32, col: u32, located: bool) callconv(.C) void {
    var f = Failure{ .len = @min(len, 256) };
    @memcpy(f.message[0..f.len], message[0..f.len]);
    if (located) f.loc = .{ .func = func[0..func_len], .line = line, .col = col };
    noteRejected(&f);
}

fn noteEvaluatedChainC() callconv(.C) void {
    noteEvaluatedChain();
}

/// The `gradient` object's view of the `rest` object and back (C ABI: the two objects are
/// built with different optimisation modes). The gradient object's chain context is its own;
/// the model's data is the rest object's, read in place (its types hold no bare union, so their
/// layout is the same in both modes).
const split_abi = struct {
    extern fn sev_model_note_rejected(message: [*]const u8, len: usize, func: [*]const u8, func_len: usize, line: u32, col: u32, located: bool) void;
    extern fn sev_model_note_evaluated() void;
    extern fn sev_model_fast_init(data: *const anyopaque, dim: usize, columns: usize, use_adjoint: bool, ctx_out: *?*anyopaque) bool;
    extern fn sev_model_fast_deinit(ctx: ?*anyopaque) void;
    extern fn sev_model_fast_grad(ctx: ?*anyopaque, q: [*]const f64, grad: [*]f64) f64;
    extern fn sev_model_fast_rejection_reason(ctx: ?*anyopaque, buf: [*]u8, cap: usize) usize;
    extern fn sev_model_fast_write_draw(ctx: ?*anyopaque, q: [*]const f64, rng: *smp.Rng, out: [*]f64) void;
};

/// Turns a generated model specification into the sampler's `Program`. `Spec` provides:
/// `name`, `sites: []const Site`, `Data` with `read(smp.Data) !Data` and `deinit`, and
/// `run(comptime M: type, ctx: *M.Ctx, data: *const Data) M.Err!void`.
pub fn Program(comptime Spec: type) type {
    return struct {
        const Shared = struct {
            data: Spec.Data,
            /// Gradients through `Spec.adjoint` (unless `SEV_GRADIENT=tape` asks for the tape).
            use_adjoint: bool = false,
            layout: Layout,
            names: []smp.Str,
            name_bytes: std.ArrayListUnmanaged(u8),
            /// "file:line:col (in function `f`)" of the first Gibbs site (`Model.gibbs_where`).
            gibbs_where: [256]u8 = undefined,
            gibbs_where_len: usize = 0,
        };

        /// Whether the model has discrete parameters summed out of its log density: then every
        /// evaluation runs the model once per combination of their values (`sumOut`).
        const enumerates = blk: {
            for (Spec.sites) |site| {
                if (site.kind == .enumerated) break :blk true;
            }
            break :blk false;
        };

        /// Whether the model may have discrete parameters updated by Metropolis-within-Gibbs
        /// steps (Gibbs sites, or enumerated sites with a Gibbs fallback).
        const may_gibbs = blk: {
            for (Spec.sites) |site| {
                if (site.kind == .gibbs or site.gibbs_fallback) break :blk true;
            }
            break :blk false;
        };

        /// Whether this model's object is one of two (`Part`): the gradient in its own object.
        pub const split = model_part != .whole and !may_gibbs;
        const forwards_notes = split and model_part == .gradient;

        /// A rejected evaluation, counted where the report is made (the `rest` object).
        fn noteRejection(f: *const Failure) void {
            if (comptime !forwards_notes) return noteRejected(f);
            const loc = f.loc orelse Loc{ .func = "", .line = 0, .col = 0 };
            split_abi.sev_model_note_rejected(&f.message, f.len, loc.func.ptr, loc.func.len, loc.line, loc.col, f.loc != null);
        }

        fn noteEvaluated() void {
            if (comptime forwards_notes) return split_abi.sev_model_note_evaluated();
            noteEvaluatedChain();
        }

        /// The first site updated by Gibbs steps with this data (a Gibbs site, or an enumerated
        /// one whose fallback was taken): its name, or null when there is none. Then the
        /// sampler calls `gibbsSweep` after every continuous transition.
        fn firstGibbsSite(l: *const Layout) ?[]const u8 {
            if (!may_gibbs) return null;
            for (Spec.sites, l.switched) |site, switched| {
                if (site.kind == .gibbs or switched) return site.name;
            }
            return null;
        }

        /// One run of the model at one combination of the enumerated values: its log density,
        /// or (`ok` false) the result of the whole evaluation (-inf when rejected, NaN when the
        /// parameters did not fit).
        const Run = struct { lp: f64, ok: bool };

        const Chain = struct {
            shared: *Shared,
            /// The gradient (or tangent) of one run while enumerating.
            run_grad: []f64,
            vars: []ad.Var,
            /// Inputs of forward-mode evaluations (gradient checks).
            duals: []ad.Dual,
            /// Temporary values of one evaluation (reset after each).
            arena: std.heap.ArenaAllocator,
            /// Why the last density evaluation was rejected (empty when it was not, or had no
            /// located reason).
            rejection: Failure = .{},
            /// Whether some evaluation of this chain had a finite log density.
            evaluated: bool = false,
            /// The chain's current values of the Gibbs-updated discrete parameters.
            gibbs: gibbs_mod.Values = .{},
            /// In the `rest` object of a split model: the gradient object's context of this chain.
            fast: ?*anyopaque = null,

            /// Runs `body` with this thread's allocations going to the chain's arena.
            fn scoped(self: *Chain) void {
                core.setScratch(self.arena.allocator());
            }

            fn unscope(self: *Chain) void {
                core.setScratch(null);
                _ = self.arena.reset(.retain_capacity);
            }
        };

        const a = std.heap.smp_allocator;

        fn load(h: *smp.DataHandle, model: *smp.Model) callconv(.C) bool {
            const d = smp.Data.fromHandle(h);
            var data = Spec.Data.read(.{ .d = d }) catch return false;
            const shared = a.create(Shared) catch {
                data.deinit();
                return false;
            };
            shared.* = .{ .data = data, .use_adjoint = @hasDecl(Spec, "adjoint") and !tapeRequested(), .layout = .{}, .names = &.{}, .name_bytes = .{} };
            discover(shared, d) catch {
                freeShared(shared);
                return false;
            };
            const gibbs_site = firstGibbsSite(&shared.layout);
            model.* = .{
                .dim = shared.layout.dim,
                .num_columns = shared.names.len,
                .column_names = shared.names.ptr,
                .data = shared,
                .init_chain = initChain,
                .deinit_chain = deinitChain,
                .log_density_grad = if (split) restGrad else logDensityGrad,
                .write_draw = if (split) restWriteDraw else writeDraw,
                .log_density_tangent = logDensityTangent,
                .rejection_reason = if (split) restRejectionReason else rejectionReason,
                .gibbs_sweep = if (gibbs_site != null) gibbsSweep else null,
                .gibbs_init = if (gibbs_site != null) gibbsInit else null,
                .gibbs_site = smp.Str.from(gibbs_site orelse ""),
                .gibbs_where = smp.Str.from(gibbsWhere(shared)),
            };
            return true;
        }

        /// Where the first Gibbs site is drawn, as "file:line:col (in function `f`)" ("" when
        /// the model has none or discovery did not reach one).
        fn gibbsWhere(shared: *Shared) []const u8 {
            const loc = shared.layout.gibbs_loc orelse return "";
            const text = std.fmt.bufPrint(&shared.gibbs_where, "{s}:{d}:{d} (in function `{s}`)", .{ core.sourceFile(), loc.line, loc.col, loc.func }) catch return "";
            shared.gibbs_where_len = text.len;
            return text;
        }

        /// `SEV_GRADIENT=tape` in the environment: use the tape even when the compiler made
        /// compiled gradients (to compare the two). The model object has no `environ` of its
        /// own (the sampler's start code owns it), so the variable is read from
        /// `/proc/self/environ` (Linux; elsewhere the compiled gradient is always used).
        fn tapeRequested() bool {
            var buf: [1 << 16]u8 = undefined;
            const env = std.fs.cwd().readFile("/proc/self/environ", &buf) catch return false;
            var it = std.mem.splitScalar(u8, env, 0);
            while (it.next()) |entry| {
                if (std.mem.eql(u8, entry, "SEV_GRADIENT=tape")) return true;
            }
            return false;
        }

        fn discover(shared: *Shared, d: smp.Data) smp.DataError!void {
            const l = &shared.layout;
            const oom = "out of memory";
            l.occurrences = a.alloc(u32, Spec.sites.len) catch return d.fail(oom, .{});
            l.fallback = a.alloc(bool, Spec.sites.len) catch return d.fail(oom, .{});
            l.switched = a.alloc(bool, Spec.sites.len) catch return d.fail(oom, .{});
            for (Spec.sites, l.fallback, l.switched) |site, *f, *s| {
                f.* = site.gibbs_fallback;
                s.* = false;
            }
            core.setFaultNote("this happened when the model first ran on its data, before sampling: check that the data fit the model (an array shorter than a size field, say)");
            defer core.setFaultNote(null);
            // each restart takes one more site's Gibbs fallback, so this ends
            while (true) {
                l.restart();
                var state = enumerate.State{};
                var ctx = Context(ad.F64){ .layout = l, .enumeration = &state };
                Spec.run(Mode(ad.F64, .discover), &ctx, &shared.data) catch |e| {
                    if (l.rediscover) continue;
                    if (e != error.InvalidParameter) return d.fail("the model could not be set up: {s}", .{describeModelError(e)});
                    const loc = ctx.failure.loc orelse Loc{ .func = "?", .line = 0, .col = 0 };
                    return d.fail("{s}\n  --> {s}:{d}:{d} (in function `{s}`)", .{ ctx.failure.message[0..ctx.failure.len], core.sourceFile(), loc.line, loc.col, loc.func });
                };
                break;
            }
            noteSwitchedSites(l);
            if (shared.layout.dim == 0) return d.fail("the model samples no continuous parameter with this data: every one ({}) has size 0 here (a size read from the data, such as `\"size\": {{\"var\": \"n\"}}` with n = 0), so there is nothing for the sampler to move\n  --> {s} (the model's `sample` sites)", .{ ParamNames{}, core.sourceFile() });
            if (!makeNames(shared)) return d.fail("out of memory", .{});
        }

        /// Tells which enumerated sites the data took past the enumeration limits (so that they
        /// are updated by Metropolis-within-Gibbs steps).
        fn noteSwitchedSites(l: *const Layout) void {
            for (Spec.sites, l.switched) |site, switched| {
                if (switched) core.eprint("note: the discrete parameter `{s}` is past the enumeration limits with this data (more than {d} values, or more than {d} combinations), so it is updated by Metropolis-within-Gibbs steps instead of being summed out\n", .{ site.name, enumerate.max_support, enumerate.max_combinations });
            }
        }

        /// The names of the model's continuous parameter sites, as "`mu`, `theta`".
        const ParamNames = struct {
            pub fn format(_: ParamNames, comptime _: []const u8, _: std.fmt.FormatOptions, w: anytype) !void {
                var first = true;
                for (Spec.sites) |site| {
                    if (site.kind != .param) continue;
                    if (!first) try w.writeAll(", ");
                    try w.print("`{s}`", .{site.name});
                    first = false;
                }
                if (first) try w.writeAll("its parameters");
            }
        };

        fn makeNames(shared: *Shared) bool {
            const cols = shared.layout.columns.items;
            shared.names = a.alloc(smp.Str, cols.len) catch return false;
            var offsets = a.alloc([2]usize, cols.len) catch return false;
            defer a.free(offsets);
            for (cols, 0..) |c, i| {
                const start = shared.name_bytes.items.len;
                const site = Spec.sites[c.site];
                const w = shared.name_bytes.writer(a);
                w.writeAll(site.name) catch return false;
                if (shared.layout.occurrences[c.site] > 1) w.print(".{d}", .{c.occurrence + 1}) catch return false;
                if (c.elem) |e| {
                    if (c.cols > 0) {
                        w.print(".{d}.{d}", .{ e / c.cols + 1, e % c.cols + 1 }) catch return false;
                    } else w.print(".{d}", .{e + 1}) catch return false;
                }
                offsets[i] = .{ start, shared.name_bytes.items.len };
            }
            for (offsets, 0..) |o, i| shared.names[i] = smp.Str.from(shared.name_bytes.items[o[0]..o[1]]);
            return true;
        }

        fn freeShared(shared: *Shared) void {
            shared.data.deinit();
            shared.layout.deinit(a);
            a.free(shared.names);
            shared.name_bytes.deinit(a);
            a.destroy(shared);
        }

        fn unload(model: *smp.Model) callconv(.C) void {
            reportRejections();
            const shared: *Shared = @ptrCast(@alignCast(model.data orelse return));
            freeShared(shared);
        }

        fn initChain(data: ?*anyopaque, ctx_out: *?*anyopaque) callconv(.C) bool {
            const shared: *Shared = @ptrCast(@alignCast(data orelse return false));
            const chain = a.create(Chain) catch return false;
            chain.shared = shared;
            chain.rejection = .{};
            chain.evaluated = false;
            chain.gibbs = .{ .switched = shared.layout.switched };
            chain.arena = std.heap.ArenaAllocator.init(a);
            chain.vars = a.alloc(ad.Var, shared.layout.dim) catch {
                a.destroy(chain);
                return false;
            };
            chain.duals = a.alloc(ad.Dual, shared.layout.dim) catch {
                a.free(chain.vars);
                a.destroy(chain);
                return false;
            };
            chain.run_grad = a.alloc(f64, @max(shared.layout.dim, 1)) catch {
                a.free(chain.vars);
                a.free(chain.duals);
                a.destroy(chain);
                return false;
            };
            chain.fast = null;
            if (split and model_part == .rest) {
                if (!split_abi.sev_model_fast_init(&shared.data, shared.layout.dim, shared.names.len, shared.use_adjoint, &chain.fast)) {
                    a.free(chain.vars);
                    a.free(chain.duals);
                    a.free(chain.run_grad);
                    a.destroy(chain);
                    return false;
                }
            }
            ctx_out.* = chain;
            return true;
        }

        fn deinitChain(_: ?*anyopaque, ctx: ?*anyopaque) callconv(.C) void {
            const chain: *Chain = @ptrCast(@alignCast(ctx orelse return));
            if (split and model_part == .rest) split_abi.sev_model_fast_deinit(chain.fast);
            if (chain.evaluated) noteEvaluated();
            a.free(chain.vars);
            a.free(chain.duals);
            a.free(chain.run_grad);
            chain.gibbs.deinit(std.heap.smp_allocator);
            chain.arena.deinit();
            a.destroy(chain);
            ad.Rev.deinit();
        }

        /// The `rest` object's gradient: the `gradient` object's, on its context of the chain.
        fn restGrad(ctx_ptr: ?*anyopaque, q: [*]const f64, grad: [*]f64) callconv(.C) f64 {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return std.math.nan(f64)));
            return split_abi.sev_model_fast_grad(chain.fast, q, grad);
        }

        /// The draws' outputs run the whole model once per draw: in the gradient object too.
        fn restWriteDraw(ctx_ptr: ?*anyopaque, q: [*]const f64, rng: *smp.Rng, out: [*]f64) callconv(.C) void {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return));
            split_abi.sev_model_fast_write_draw(chain.fast, q, rng, out);
        }

        fn restRejectionReason(ctx_ptr: ?*anyopaque, buf: [*]u8, cap: usize) callconv(.C) usize {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return 0));
            return split_abi.sev_model_fast_rejection_reason(chain.fast, buf, cap);
        }

        /// The `gradient` object's exports: a chain context of its own over the rest object's
        /// data (copied by value: the lists inside are shared, only read), the gradient, the
        /// reason of the last rejection and the draws' outputs.
        pub fn exportGradient() void {
            @export(&fastInit, .{ .name = "sev_model_fast_init" });
            @export(&fastDeinit, .{ .name = "sev_model_fast_deinit" });
            @export(&logDensityGrad, .{ .name = "sev_model_fast_grad" });
            @export(&rejectionReason, .{ .name = "sev_model_fast_rejection_reason" });
            @export(&writeDraw, .{ .name = "sev_model_fast_write_draw" });
        }

        fn fastInit(data: *const anyopaque, dim: usize, columns: usize, use_adjoint: bool, ctx_out: *?*anyopaque) callconv(.C) bool {
            const shared = a.create(Shared) catch return false;
            // `writeDraw` reads only the number of columns; their names stay in the rest object
            const names = a.alloc(smp.Str, columns) catch {
                a.destroy(shared);
                return false;
            };
            const spec_data: *const Spec.Data = @ptrCast(@alignCast(data));
            shared.* = .{ .data = spec_data.*, .use_adjoint = use_adjoint, .layout = .{ .dim = dim }, .names = names, .name_bytes = .{} };
            if (initChain(shared, ctx_out)) return true;
            a.free(names);
            a.destroy(shared);
            return false;
        }

        fn fastDeinit(ctx: ?*anyopaque) callconv(.C) void {
            const chain: *Chain = @ptrCast(@alignCast(ctx orelse return));
            const shared = chain.shared;
            deinitChain(shared, ctx);
            a.free(shared.names);
            a.destroy(shared);
        }

        fn logDensityGrad(ctx_ptr: ?*anyopaque, q: [*]const f64, grad: [*]f64) callconv(.C) f64 {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return std.math.nan(f64)));
            const g = grad[0..chain.shared.layout.dim];
            if (comptime enumerates) return sumOut(chain, g, gradOnce, .{q});
            return gradOnce(chain, g, null, q).lp;
        }

        /// The log density summed over every combination of the enumerated values (log-sum-exp)
        /// and, in `out`, its gradient or tangent: `once(chain, run_out, state, extra...)` runs
        /// the model at the state's combination.
        fn sumOut(chain: *Chain, out: []f64, comptime once: anytype, extra: anytype) f64 {
            var state = enumerate.State{};
            var sum = enumerate.Sum{};
            @memset(out, 0);
            const run_out = chain.run_grad[0..out.len];
            while (true) {
                state.begin();
                const r = @call(.auto, once, .{ chain, run_out, &state } ++ extra);
                if (!r.ok) return r.lp;
                sum.add(r.lp, run_out, out);
                if (!state.advance()) break;
            }
            return sum.finish(out);
        }

        /// One evaluation of the log density and its gradient (compiled adjoint or tape).
        fn gradOnce(chain: *Chain, grad: []f64, state: ?*enumerate.State, q: [*]const f64) Run {
            const shared = chain.shared;
            const dim = shared.layout.dim;
            if (comptime @hasDecl(Spec, "adjoint")) {
                if (shared.use_adjoint) return adjointGrad(chain, q, grad.ptr, state);
            }
            ad.Rev.reset();
            for (chain.vars, 0..) |*v, i| v.* = ad.Rev.independent(q[i]);
            chain.scoped();
            defer chain.unscope();
            var ctx = Context(ad.Rev){ .q = chain.vars, .allocator = chain.arena.allocator(), .enumeration = state, .gibbs = &chain.gibbs };
            chain.gibbs.begin();
            chain.rejection = .{};
            Spec.run(Mode(ad.Rev, .density), &ctx, &shared.data) catch |e| {
                if (e == error.InvalidParameter) {
                    noteRejection(&ctx.failure);
                    chain.rejection = ctx.failure;
                }
                return .{ .lp = -std.math.inf(f64), .ok = false };
            };
            if (ctx.pos != dim) return .{ .lp = std.math.nan(f64), .ok = false };
            ad.Rev.gradient(ctx.target, chain.vars, grad[0..dim]);
            chain.evaluated = true;
            return .{ .lp = ctx.target.val, .ok = true };
        }

        /// The log density and its gradient through the compiled adjoint (`Spec.adjoint`, from
        /// `src/ad/`): no tape, only the chain's arena for the buffers of real arrays.
        fn adjointGrad(chain: *Chain, q: [*]const f64, grad: [*]f64, state: ?*enumerate.State) Run {
            const shared = chain.shared;
            const dim = shared.layout.dim;
            @memset(grad[0..dim], 0);
            chain.scoped();
            defer chain.unscope();
            var ctx = adjoint.Ctx{ .q = q[0..dim], .grad = grad[0..dim], .allocator = chain.arena.allocator(), .enumeration = state, .gibbs = &chain.gibbs };
            chain.gibbs.begin();
            chain.rejection = .{};
            Spec.adjoint(&ctx, &shared.data) catch |e| {
                if (e == error.InvalidParameter) {
                    noteRejection(&ctx.failure);
                    chain.rejection = ctx.failure;
                }
                return .{ .lp = -std.math.inf(f64), .ok = false };
            };
            if (ctx.pos != dim) return .{ .lp = std.math.nan(f64), .ok = false };
            chain.evaluated = true;
            return .{ .lp = ctx.target, .ok = true };
        }

        /// Forward mode: the log density at `q` and its derivative along `v` (for `diagnose`).
        fn logDensityTangent(ctx_ptr: ?*anyopaque, q: [*]const f64, v: [*]const f64, deriv: *f64) callconv(.C) f64 {
            deriv.* = std.math.nan(f64);
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return std.math.nan(f64)));
            var tan = [1]f64{std.math.nan(f64)};
            const lp = if (comptime enumerates) sumOut(chain, &tan, tangentOnce, .{ q, v }) else tangentOnce(chain, &tan, null, q, v).lp;
            deriv.* = tan[0];
            return lp;
        }

        fn tangentOnce(chain: *Chain, tan: []f64, state: ?*enumerate.State, q: [*]const f64, v: [*]const f64) Run {
            const shared = chain.shared;
            const dim = shared.layout.dim;
            for (chain.duals, 0..) |*d, i| d.* = .{ .val = q[i], .tan = v[i] };
            chain.scoped();
            defer chain.unscope();
            var ctx = Context(ad.Fwd){ .q = chain.duals, .allocator = chain.arena.allocator(), .enumeration = state, .gibbs = &chain.gibbs };
            chain.gibbs.begin();
            Spec.run(Mode(ad.Fwd, .density), &ctx, &shared.data) catch |e| {
                if (e == error.InvalidParameter) noteRejection(&ctx.failure);
                return .{ .lp = -std.math.inf(f64), .ok = false };
            };
            if (ctx.pos != dim) return .{ .lp = std.math.nan(f64), .ok = false };
            tan[0] = ctx.target.tan;
            return .{ .lp = ctx.target.val, .ok = true };
        }

        /// The log density (no derivatives) at one combination of the enumerated values.
        fn densityOnce(chain: *Chain, q: [*]const f64, state: *enumerate.State) Run {
            const shared = chain.shared;
            chain.scoped();
            defer chain.unscope();
            var ctx = Context(ad.F64){ .q = q[0..shared.layout.dim], .allocator = chain.arena.allocator(), .enumeration = state, .gibbs = &chain.gibbs };
            state.begin();
            chain.gibbs.begin();
            Spec.run(Mode(ad.F64, .density), &ctx, &shared.data) catch return .{ .lp = -std.math.inf(f64), .ok = false };
            if (ctx.pos != shared.layout.dim) return .{ .lp = std.math.nan(f64), .ok = false };
            return .{ .lp = ctx.target, .ok = true };
        }

        /// Draws the combination of the enumerated values from its conditional given the
        /// continuous parameters `q` (one uniform from the draw's generator; two passes over the
        /// combinations: their total, then the one where the cumulative mass passes the
        /// uniform's share). False when the log density cannot be evaluated at `q`.
        fn chooseCombination(chain: *Chain, q: [*]const f64, random: std.Random, chosen: *enumerate.State) bool {
            const u = random.float(f64);
            var sum = enumerate.Sum{};
            var state = enumerate.State{};
            while (true) {
                const r = densityOnce(chain, q, &state);
                if (!r.ok) return false;
                sum.add(r.lp, &.{}, &.{});
                if (!state.advance()) break;
            }
            if (sum.nan or sum.total == 0) return false;
            const goal = u * sum.total;
            var mass: f64 = 0;
            state = .{};
            while (true) {
                const r = densityOnce(chain, q, &state);
                if (!r.ok) return false;
                if (r.lp != -std.math.inf(f64)) {
                    mass += @exp(r.lp - sum.max);
                    // the last combination with mass is kept if rounding leaves `goal` unreached
                    chosen.* = state;
                    if (mass > goal) return true;
                }
                if (!state.advance()) break;
            }
            return true;
        }

        /// The log density at `q` without derivatives (summed over the enumerated values).
        fn densityAt(chain: *Chain, q: [*]const f64) f64 {
            var state = enumerate.State{};
            var sum = enumerate.Sum{};
            while (true) {
                const r = densityOnce(chain, q, &state);
                if (!r.ok) return r.lp;
                sum.add(r.lp, &.{}, &.{});
                if (!enumerates or !state.advance()) break;
            }
            return sum.finish(&.{});
        }

        /// One Metropolis-within-Gibbs sweep (`Model.gibbs_sweep`, `gibbs.zig`): for each value
        /// of the chain's Gibbs sites in turn, a random-walk proposal accepted by the full log
        /// density at the continuous parameters `q`; widths adapt while `adapting`. True when a
        /// value changed (the sampler's cached density and gradient are then stale).
        /// Each value's update is followed by a ridge move of it and the point together
        /// (`gibbs.Ridge`), which may change `q` in place.
        fn gibbsSweep(ctx_ptr: ?*anyopaque, q: [*]f64, rng: *smp.Rng, adapting: bool) callconv(.C) bool {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return false));
            const values = &chain.gibbs;
            const random = rng.random();
            const point = q[0..chain.shared.layout.dim];
            values.ridge.ensure(std.heap.smp_allocator, values.values.items.len, point.len) catch return false;
            var current = densityAt(chain, q);
            var changed = false;
            var k: usize = 0;
            while (k < values.values.items.len) : (k += 1) {
                const old = values.values.items[k];
                values.values.items[k] = values.propose(k, random);
                const proposed = densityAt(chain, q);
                const accepted = gibbs_mod.accept(current, proposed, random);
                if (accepted) {
                    current = proposed;
                    changed = true;
                } else values.values.items[k] = old;
                if (adapting) values.learn(k, accepted);
                if (ridgeMove(chain, k, point, &current, random, adapting)) changed = true;
                if (adapting) values.ridge.observe(k, values.values.items[k], point);
            }
            return changed;
        }

        /// One ridge move of value `k` with the point (`gibbs.Ridge`); whether it was accepted.
        fn ridgeMove(chain: *Chain, k: usize, point: []f64, current: *f64, random: std.Random, adapting: bool) bool {
            const values = &chain.gibbs;
            const ridge = &values.ridge;
            if (!ridge.ready(k)) return false;
            const old = values.values.items[k];
            values.values.items[k] = old +| ridge.propose(k, point, random);
            const proposed = densityAt(chain, point.ptr);
            const accepted = gibbs_mod.accept(current.*, proposed, random);
            if (accepted) {
                current.* = proposed;
            } else {
                values.values.items[k] = old;
                ridge.undo(point);
            }
            if (adapting) ridge.learn(k, accepted);
            return accepted;
        }

        /// Starts the chain's Gibbs values at the initial point `q` (`Model.gibbs_init`): draws
        /// them from their priors (with a generator seeded by `seed`) and, when the log density
        /// is then -inf (a count below the data that it must exceed, say), moves each value in
        /// turn by ±1, ±2, ±4, … up to ±2^20 to the first offset where it is finite.
        fn gibbsInit(ctx_ptr: ?*anyopaque, q: [*]const f64, seed: u64) callconv(.C) void {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return));
            const values = &chain.gibbs;
            values.reset(seed);
            if (densityAt(chain, q) > -std.math.inf(f64)) return;
            for (0..values.values.items.len) |k| {
                const start = values.values.items[k];
                var step: i64 = 1;
                while (step <= 1 << 20) : (step *= 2) {
                    for ([2]i64{ start +| step, start -| step }) |y| {
                        values.values.items[k] = y;
                        if (densityAt(chain, q) > -std.math.inf(f64)) return;
                    }
                }
                values.values.items[k] = start;
            }
        }

        /// The located reason of the chain's last rejected evaluation (`Model.rejection_reason`).
        fn rejectionReason(ctx_ptr: ?*anyopaque, buf: [*]u8, cap: usize) callconv(.C) usize {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return 0));
            const f = &chain.rejection;
            const loc = f.loc orelse return 0;
            const text = std.fmt.bufPrint(buf[0..cap], "{s}\n  --> {s}:{d}:{d} (in function `{s}`)", .{ f.message[0..f.len], core.sourceFile(), loc.line, loc.col, loc.func }) catch return 0;
            return text.len;
        }

        fn writeDraw(ctx_ptr: ?*anyopaque, q: [*]const f64, rng: *smp.Rng, out: [*]f64) callconv(.C) void {
            const chain: *Chain = @ptrCast(@alignCast(ctx_ptr orelse return));
            const shared = chain.shared;
            const n = shared.names.len;
            var state = enumerate.State{};
            if (comptime enumerates) {
                if (!chooseCombination(chain, q, rng.random(), &state)) {
                    @memset(out[0..n], std.math.nan(f64));
                    return;
                }
                state.begin();
            }
            chain.scoped();
            defer chain.unscope();
            var ctx = Context(ad.F64){ .q = q[0..shared.layout.dim], .out = out[0..n], .rng = rng.random(), .allocator = chain.arena.allocator(), .enumeration = &state, .gibbs = &chain.gibbs };
            chain.gibbs.begin();
            Spec.run(Mode(ad.F64, .generate), &ctx, &shared.data) catch {
                @memset(out[0..n], std.math.nan(f64));
            };
        }

        fn report(data: ?*anyopaque, stats: [*]const smp.ColumnReport, n: usize) callconv(.C) u8 {
            const shared: *Shared = @ptrCast(@alignCast(data orelse return 0));
            return writeReport(shared, stats[0..n]);
        }

        /// The report on stdout; its status is 1 when an assertion fails. A closed stdout gives
        /// 141 (quietly), any other write failure an error and 1, as for the summary.
        fn writeReport(shared: *Shared, stats: []const smp.ColumnReport) u8 {
            return writeReportTo(std.io.getStdOut().writer(), shared, stats) catch |e| {
                if (e == error.BrokenPipe) return 141;
                core.eprint("error: cannot write to standard output: {s}\n", .{oserror.describe(e)});
                return 1;
            };
        }

        fn writeReportTo(out: anytype, shared: *Shared, stats: []const smp.ColumnReport) !u8 {
            var status: u8 = 0;
            var printed_header = false;
            for (shared.layout.columns.items, 0..) |c, i| {
                const site = Spec.sites[c.site];
                if (site.kind != .print and site.kind != .check) continue;
                if (i >= stats.len) break;
                if (!printed_header) {
                    try out.writeAll("\nposterior of printed values and assertions:\n");
                    printed_header = true;
                }
                const s = stats[i];
                // Numbers go through `common.decimal` (formatted by the sampler in a model
                // object, which then does not compile Zig's float formatter).
                var b: [6][64]u8 = undefined;
                if (site.kind == .print) {
                    const f = .{ dec(&b[0], s.mean), dec(&b[1], s.sd), dec(&b[2], s.q5), dec(&b[3], s.q50), dec(&b[4], s.q95) };
                    try out.print("  {s} {s}: mean {s}, sd {s}, 5% {s}, 50% {s}, 95% {s}\n", .{ site.label, shared.names[i].slice() } ++ f);
                } else {
                    const holds = s.mean >= site.confidence;
                    if (!holds) status = 1;
                    const needed = dist.common.decimal(&b[5], site.confidence, null);
                    try out.print("  prob_assert {s}: P = {s} (needed >= {s}) {s}\n", .{ site.label, dec(&b[0], s.mean), needed, if (holds) "holds" else "FAILS" });
                }
            }
            return status;
        }

        fn dec(buf: *[64]u8, x: f64) []const u8 {
            return dist.common.decimal(buf, x, 4);
        }

        pub const program = smp.Program{
            .name = smp.Str.from(Spec.name),
            .load = load,
            .unload = unload,
            .report = report,
        };
    };
}
