//! One Markov chain from start to finish: seeding, the initial point, warmup with adaptation,
//! sampling, the chain's CSV file and the draws kept in memory for the summary.
//!
//! Random numbers: the chain's generators are Xoshiro256++ streams derived from (seed, chain
//! index) alone — `init(seed)` followed by 2·chain jumps (2^128 steps each) for the sampler and
//! one more jump for `write_draw` — so a chain's draws do not depend on which thread runs it, on
//! how many threads there are, or on whether warmup draws are saved.
//!
//! Warmup for NUTS and static HMC follows Stan's adaptive samplers: step size from
//! `initStepsize`, dual averaging towards `adapt_delta` every iteration, metric re-estimated at the
//! end of every slow window followed by a new `initStepsize` and a restart of dual averaging
//! (mu = log(10·ε)); the final step size is exp of the averaged iterate. With zero warmup
//! iterations the step size from `initStepsize` is kept (CmdStan refuses adaptation without
//! warmup). With adaptation switched off the given step size and a unit metric are used
//! unchanged.

const std = @import("std");
const oserror = @import("oserror.zig");
const model_mod = @import("model.zig");
const ham = @import("hamiltonian.zig");
const adapt = @import("adapt.zig");
const nuts_mod = @import("nuts.zig");
const hmc_mod = @import("static_hmc.zig");
const mh = @import("metropolis.zig");
const csv = @import("csv.zig");
const diagnostics = @import("diagnostics.zig");
const advi = @import("advi.zig");
const pathfinder = @import("pathfinder.zig");
const variational = @import("variational.zig");
const smc = @import("smc.zig");

const Model = model_mod.Model;
const Rng = model_mod.Rng;
pub const MetricKind = adapt.MetricKind;
pub const Transition = nuts_mod.Transition;

pub const Algorithm = enum {
    nuts,
    hmc,
    mh,
    adaptive_mh,
    /// Variational inference (advi.zig): each chain is an independent fit, then draws from it.
    advi,
    /// Pathfinder (pathfinder.zig): each chain runs `--num-paths` L-BFGS paths, then draws.
    pathfinder,
    /// Tempered sequential Monte Carlo (smc.zig): each chain is an independent particle run.
    smc,

    pub fn label(self: Algorithm) []const u8 {
        return switch (self) {
            .nuts => "nuts",
            .hmc => "hmc",
            .mh => "mh",
            .adaptive_mh => "adaptive-mh",
            .advi => "advi",
            .pathfinder => "pathfinder",
            .smc => "smc",
        };
    }

    /// Whether the draws come from an approximation rather than a Markov chain.
    pub fn isVariational(self: Algorithm) bool {
        return self == .advi or self == .pathfinder;
    }

    /// Whether each chain is a run of sequential Monte Carlo (no warmup; the draws are its
    /// final particles).
    pub fn isParticle(self: Algorithm) bool {
        return self == .smc;
    }

    pub fn isHamiltonian(self: Algorithm) bool {
        return self == .nuts or self == .hmc;
    }
};

/// Everything that controls a run. Defaults are CmdStan's.
pub const Config = struct {
    algorithm: Algorithm = .nuts,
    chains: usize = 4,
    warmup: usize = 1000,
    draws: usize = 1000,
    seed: u64 = 0,
    /// Worker threads; 0 = one per CPU (never more than `chains`).
    threads: usize = 0,
    metric: MetricKind = .diag,
    adapt_engaged: bool = true,
    adapt_delta: f64 = 0.8,
    adapt_gamma: f64 = 0.05,
    adapt_kappa: f64 = 0.75,
    adapt_t0: f64 = 10,
    init_buffer: usize = 75,
    term_buffer: usize = 50,
    window: usize = 25,
    max_depth: u32 = 10,
    /// Initial (or, without adaptation, fixed) step size.
    stepsize: f64 = 1,
    /// Step size jitter in [0, 1): ε·(1 + jitter·U(-1, 1)) per transition.
    jitter: f64 = 0,
    /// Integration time of static HMC.
    int_time: f64 = 2 * std.math.pi,
    /// Initial values uniform in (-init_radius, init_radius) on the unconstrained scale; 0 = all 0.
    init_radius: f64 = 2,
    save_warmup: bool = false,
    /// Settings of the variational methods (family, tolerance, iterations, step size).
    vi: advi.Settings = .{},
    /// Settings of Pathfinder (number of paths; the rest are fixed defaults).
    pathfinder: pathfinder.Settings = .{},
    /// MCMC: move the initial point to a draw from a single-path Pathfinder approximation.
    init_pathfinder: bool = false,
    /// Settings of sequential Monte Carlo (the reference sd is `init_radius`).
    smc: smc.Settings = .{},
};

pub const num_sampler_columns = csv.sampler_columns.len;

/// What one chain produced.
pub const ChainResult = struct {
    /// 0-based chain index (the CSV's `id` is index + 1).
    index: usize,
    /// Post-warmup rows, `draws` × (7 + model columns), row-major: the CSV's values.
    rows: []f64 = &.{},
    n_cols: usize = 0,
    /// Final step size (HMC) or proposal scale (Metropolis).
    stepsize: f64 = std.math.nan(f64),
    /// Adapted inverse metric (d or d×d) for HMC; proposal covariance (d×d) for adaptive MH;
    /// empty for random-walk MH.
    inv_metric: []f64 = &.{},
    warmup_seconds: f64 = 0,
    sampling_seconds: f64 = 0,
    /// Gradient evaluations over the whole chain (initialisation and warmup included).
    n_grad: u64 = 0,
    /// Leapfrog steps over the whole chain (warmup included).
    n_leapfrog_total: u64 = 0,
    divergences: usize = 0,
    warmup_divergences: usize = 0,
    treedepth_hits: usize = 0,
    mean_accept: f64 = std.math.nan(f64),
    ebfmi: f64 = std.math.nan(f64),
    /// Variational methods: the final ELBO estimate and whether the relative-ELBO rule stopped
    /// the fit (false: it ran to --vi-iter).
    elbo: f64 = std.math.nan(f64),
    vi_converged: bool = false,
    /// Variational methods: optimisation iterations (ADVI) or L-BFGS iterations (Pathfinder).
    vi_iterations: usize = 0,
    /// SMC: the run's log evidence estimate and its number of tempering stages.
    log_evidence: f64 = std.math.nan(f64),
    smc_stages: usize = 0,
    /// Set when the chain failed; `message` then explains.
    err: ?anyerror = null,
    message: []const u8 = "",

    pub fn deinit(self: *ChainResult, allocator: std.mem.Allocator) void {
        allocator.free(self.rows);
        allocator.free(self.inv_metric);
        if (self.message.len > 0) allocator.free(self.message);
        self.* = .{ .index = self.index };
    }

    pub fn row(self: *const ChainResult, i: usize) []const f64 {
        return self.rows[i * self.n_cols .. (i + 1) * self.n_cols];
    }

    pub fn numRows(self: *const ChainResult) usize {
        return if (self.n_cols == 0) 0 else self.rows.len / self.n_cols;
    }
};

/// The two random streams of chain `index`.
pub fn chainRngs(seed: u64, index: usize) struct { sampler: Rng, draws: Rng } {
    var r = Rng.init(seed);
    for (0..2 * index) |_| r.jump();
    var g = r;
    g.jump();
    return .{ .sampler = r, .draws = g };
}

test "chainRngs gives distinct, reproducible streams" {
    var a = chainRngs(1, 0);
    var b = chainRngs(1, 1);
    var c = chainRngs(1, 1);
    try std.testing.expect(a.sampler.next() != b.sampler.next());
    _ = c.sampler.next();
    try std.testing.expectEqual(b.sampler.next(), c.sampler.next());
    try std.testing.expect(b.draws.next() != b.sampler.next());
    // chain 0's draw stream (1 jump) and chain 1's sampler stream (2 jumps) are different
    var d = chainRngs(1, 0);
    var e = chainRngs(1, 1);
    try std.testing.expect(d.draws.next() != e.sampler.next());
}

pub const InitError = error{InitFailed};

/// Why the initial points were rejected, when every attempt failed for the same located reason
/// (a reason that does not depend on the parameters is a problem of the data or the model).
pub const RejectionReason = struct {
    buf: [1024]u8 = undefined,
    len: usize = 0,
    /// False once an attempt failed without a reason or for another one.
    same: bool = true,

    /// Records the reason of the attempt that just failed.
    fn note(self: *RejectionReason, target: *const ham.Target, first: bool) void {
        if (!self.same) return;
        var now: [1024]u8 = undefined;
        const ask = target.model.rejection_reason orelse {
            self.same = false;
            return;
        };
        const n = @min(ask(target.ctx, &now, now.len), now.len);
        if (n == 0 or (!first and !std.mem.eql(u8, now[0..n], self.buf[0..self.len]))) {
            self.same = false;
            return;
        }
        @memcpy(self.buf[0..n], now[0..n]);
        self.len = n;
    }

    /// The reason shared by every attempt, if there was one.
    pub fn text(self: *const RejectionReason) ?[]const u8 {
        return if (self.same and self.len > 0) self.buf[0..self.len] else null;
    }
};

/// Finds an initial point: uniform(-radius, radius) per coordinate (all zeros when radius is 0),
/// up to 100 attempts until the log density and its gradient are finite. Returns the log density.
/// A model with Gibbs-updated discrete parameters starts them afresh at each attempted point
/// (`Model.gibbs_init`, seeded from `rng`).
/// On failure, `reason` says whether every attempt failed for the same reason.
pub fn findInitialPoint(target: *ham.Target, radius: f64, rng: std.Random, q: []f64, g: []f64, reason: *RejectionReason) InitError!f64 {
    const attempts: usize = if (radius == 0) 1 else 100;
    for (0..attempts) |attempt| {
        for (q) |*x| x.* = if (radius == 0) 0 else radius * (2 * rng.float(f64) - 1);
        if (target.model.gibbs_init) |start| start(target.ctx, q.ptr, rng.int(u64));
        const lp = target.eval(q, g);
        var ok = std.math.isFinite(lp);
        for (g) |x| {
            if (!std.math.isFinite(x)) ok = false;
        }
        if (ok) return lp;
        reason.note(target, attempt == 0);
    }
    return error.InitFailed;
}

/// Where a chain reports its progress (iterations done) for the progress bar.
pub const Progress = struct {
    done: std.atomic.Value(usize) = std.atomic.Value(usize).init(0),

    pub fn add(self: *Progress) void {
        _ = self.done.fetchAdd(1, .monotonic);
    }

    pub fn get(self: *const Progress) usize {
        return self.done.load(.monotonic);
    }
};

test "Progress counts" {
    var p = Progress{};
    p.add();
    p.add();
    try std.testing.expectEqual(@as(usize, 2), p.get());
}

/// Runs chain `index` of `cfg`. CSV output goes to `out` if given (a buffered writer of the
/// chain's file). Never returns an error: failures are recorded in the result.
pub fn runChain(allocator: std.mem.Allocator, model: *const Model, cfg: Config, index: usize, header: ?csv.HeaderInfo, out: ?std.io.AnyWriter, progress: ?*Progress) ChainResult {
    var res = ChainResult{ .index = index };
    runChainInner(allocator, model, cfg, index, header, out, progress, &res) catch |e| recordFailure(allocator, &res, e, header);
    return res;
}

/// Records that the chain failed with `e`, with a message: the sampler's own reasons in words,
/// any other error as a failure to write the chain's CSV file (named from its header).
pub fn recordFailure(allocator: std.mem.Allocator, res: *ChainResult, e: anyerror, header: ?csv.HeaderInfo) void {
    if (res.err != null) return;
    res.err = e;
    if (res.message.len > 0) return;
    const k = res.index + 1;
    res.message = if (describeSampling(e)) |why|
        std.fmt.allocPrint(allocator, "chain {d}: {s}", .{ k, why }) catch ""
    else if (header) |h|
        std.fmt.allocPrint(allocator, "chain {d}: cannot write '{s}': {s}", .{ k, h.output_file, oserror.describe(e) }) catch ""
    else
        std.fmt.allocPrint(allocator, "chain {d}: {s}", .{ k, oserror.describe(e) }) catch "";
}

fn describeSampling(e: anyerror) ?[]const u8 {
    return switch (e) {
        error.InitFailed => "could not find an initial point with a finite log density and gradient after 100 attempts; check the model's support and data, or try --init 0 or a smaller --init",
        error.ImproperPosterior => "the step size grew beyond 1e7 while initialising it: the posterior is probably improper; check the model",
        error.NoStepsize => "no acceptably small step size could be found: the posterior is perhaps not continuous",
        error.MetricOverflow => "numerical overflow in metric adaptation: the draws reached extreme values on the unconstrained scale; the posterior may be too wide or improper",
        error.ContextFailed => "the model could not create its per-chain context (out of memory?)",
        error.OutOfMemory => "out of memory",
        error.ElboNotFinite => "the ELBO of the variational approximation is not finite (log density -inf or NaN at most of its draws); check the model's support, or try --init 0 or a smaller --vi-eta",
        error.PathfinderFailed => "no Pathfinder path produced a normal approximation with a finite ELBO (L-BFGS failed from the initial point, or every approximation put most of its mass where the log density is -inf); check the model's support, or try --init 0 or more --num-paths",
        error.ApproximationDiverged => "the variational approximation diverged: a standard deviation on the unconstrained scale grew beyond 1e30, so log p does not fall off in some direction; the posterior is probably improper (a flat or very wide prior without data to constrain it?)",
        error.SmcNoFiniteParticle => "every SMC particle has log density -inf at the next temperature: the model's support is far narrower than the reference normal(0, --init); check the model's support or data, or try a smaller --init",
        error.SmcStalled => "SMC needed more than 10000 tempering stages (the log density varies enormously across the particles); check the model, or try a smaller --init",
        error.StepsizeSearchFailed => "no step size of the search (1, 0.3, 0.1, 0.03, 0.01) gave a finite ELBO; give one with --vi-eta, or check the model",
        else => null,
    };
}

fn jittered(eps: f64, jitter: f64, rng: std.Random) f64 {
    if (jitter <= 0) return eps;
    return eps * (1 + jitter * (2 * rng.float(f64) - 1));
}

const Kernel = union(enum) {
    nuts: nuts_mod.Nuts,
    hmc: hmc_mod.StaticHmc,
    mh: mh.RandomWalk,
    am: mh.AdaptiveMetropolis,
    /// A model without parameters (only generated quantities): every iteration keeps the empty
    /// point and only `write_draw` runs (CmdStan's fixed_param sampler). Holds lp.
    fixed: Fixed,
};

const Fixed = struct {
    lp: f64,
    fn deinit(_: *Fixed, _: std.mem.Allocator) void {}
};

fn runChainInner(allocator: std.mem.Allocator, model: *const Model, cfg: Config, index: usize, header: ?csv.HeaderInfo, out: ?std.io.AnyWriter, progress: ?*Progress, res: *ChainResult) !void {
    const d = model.dim;
    const ncol = num_sampler_columns + model.num_columns;
    res.n_cols = ncol;
    var rngs = chainRngs(cfg.seed, index);
    const rng = rngs.sampler.random();

    var ctx: ?*anyopaque = null;
    if (!model.init_chain(model.data, &ctx)) return error.ContextFailed;
    defer model.deinit_chain(model.data, ctx);
    var target = ham.Target{ .model = model, .ctx = ctx };

    const q0 = try allocator.alloc(f64, 2 * d);
    defer allocator.free(q0);
    var why = RejectionReason{};
    const lp0 = findInitialPoint(&target, cfg.init_radius, rng, q0[0..d], q0[d..], &why) catch |e| {
        if (why.text()) |reason| res.message = std.fmt.allocPrint(allocator, "chain {d}: every initial point was rejected for the same reason, so it does not depend on the parameters (check the data): {s}", .{ index + 1, reason }) catch "";
        return e;
    };

    const rowbuf = try allocator.alloc(f64, ncol);
    defer allocator.free(rowbuf);
    res.rows = try allocator.alloc(f64, cfg.draws * ncol);
    const energies = try allocator.alloc(f64, cfg.draws);
    defer allocator.free(energies);

    if (header) |h| {
        if (out) |w| try csv.writeHeader(w, h, model.columnNames());
    }

    const lp_start = if (cfg.init_pathfinder and d > 0 and !cfg.algorithm.isVariational() and !cfg.algorithm.isParticle()) try pathfinderStart(allocator, &target, rng, q0[0..d], q0[d..], lp0) else lp0;

    if (model.hasGibbs() and (cfg.algorithm.isParticle() or cfg.algorithm.isVariational())) {
        var refusal = std.ArrayList(u8).init(allocator);
        defer refusal.deinit();
        try refusal.writer().print("chain {d}: error E0338: ", .{index + 1});
        try model.writeGibbsRefusal(refusal.writer(), cfg.algorithm.label());
        res.message = try allocator.dupe(u8, refusal.items);
        return error.GibbsUnsupported;
    }
    if (cfg.algorithm.isParticle()) return runSmc(allocator, model, ctx, &target, cfg, rng, &rngs.draws, out, progress, res);
    if (cfg.algorithm.isVariational() and d > 0) return runVariational(allocator, model, ctx, &target, cfg, q0[0..d], rng, &rngs.draws, out, progress, res);

    var metric = try ham.Metric.init(allocator, cfg.metric, d);
    defer metric.deinit(allocator);
    var kernel: Kernel = if (d == 0) .{ .fixed = .{ .lp = lp_start } } else switch (cfg.algorithm) {
        .nuts => .{ .nuts = try nuts_mod.Nuts.init(allocator, d, cfg.max_depth) },
        .hmc => .{ .hmc = try hmc_mod.StaticHmc.init(allocator, d) },
        .mh => .{ .mh = try mh.RandomWalk.init(allocator, d) },
        .adaptive_mh => .{ .am = try mh.AdaptiveMetropolis.init(allocator, d) },
        .advi, .pathfinder, .smc => unreachable, // handled by runVariational and runSmc above
    };
    defer switch (kernel) {
        inline else => |*k| k.deinit(allocator),
    };
    switch (kernel) {
        .nuts => |*k| k.setPosition(q0[0..d], q0[d..], lp_start),
        .hmc => |*k| k.setPosition(q0[0..d], q0[d..], lp_start),
        .mh => |*k| k.setPosition(q0[0..d], lp_start),
        .am => |*k| k.setPosition(q0[0..d], lp_start),
        .fixed => {},
    }

    // Hamiltonian adaptation state
    var eps = cfg.stepsize;
    var da = adapt.DualAveraging{ .delta = cfg.adapt_delta, .gamma = cfg.adapt_gamma, .kappa = cfg.adapt_kappa, .t0 = cfg.adapt_t0, .mu = @log(10 * cfg.stepsize) };
    var madapt = try adapt.MetricAdapter.init(allocator, cfg.metric, d, adapt.Windows.init(cfg.warmup, cfg.init_buffer, cfg.term_buffer, cfg.window));
    defer madapt.deinit(allocator);
    var scratch = try ham.Phase.init(allocator, d);
    defer scratch.deinit(allocator);
    const adapting_hmc = cfg.algorithm.isHamiltonian() and cfg.adapt_engaged and d > 0;
    if (adapting_hmc) eps = try initStepsizeAt(&kernel, eps, &scratch, &metric, &target, rng);

    var timer = try std.time.Timer.start();
    var n_leapfrog_total: u64 = 0;
    for (0..cfg.warmup) |it| {
        var t = transition(&kernel, eps, jittered(eps, cfg.jitter, rng), cfg, &metric, &target, rng);
        gibbsStep(&kernel, &target, &rngs.sampler, cfg.adapt_engaged, &t);
        n_leapfrog_total += t.n_leapfrog;
        if (t.divergent) res.warmup_divergences += 1;
        if (cfg.adapt_engaged) switch (kernel) {
            .nuts, .hmc => {
                eps = da.learn(t.accept_stat);
                if (try madapt.learn(currentQ(&kernel), metric.inv)) {
                    metric.refresh() catch return error.MetricOverflow;
                    eps = try initStepsizeAt(&kernel, eps, &scratch, &metric, &target, rng);
                    da.mu = @log(10 * eps);
                    da.restart();
                }
            },
            .mh => |*k| k.adaptScale(t.accept_stat, it, cfg.warmup),
            .am => |*k| k.adaptStep(t.accept_stat, it, cfg.warmup),
            .fixed => {},
        };
        if (cfg.save_warmup) {
            if (out) |w| {
                fillRow(rowbuf, t, model, ctx, currentQ(&kernel), &rngs.draws);
                try csv.writeRow(w, rowbuf);
            }
        }
        if (progress) |p| p.add();
    }
    if (cfg.adapt_engaged) switch (kernel) {
        .nuts, .hmc => if (cfg.warmup > 0) {
            eps = da.final();
        },
        .mh => |*k| k.endWarmup(),
        .am => |*k| k.endWarmup(),
        .fixed => {},
    };
    res.warmup_seconds = @as(f64, @floatFromInt(timer.lap())) / 1e9;

    // record and report the adaptation result
    switch (kernel) {
        .nuts, .hmc => {
            res.stepsize = eps;
            res.inv_metric = try allocator.dupe(f64, metric.inv);
            if (out) |w| try csv.writeAdaptation(w, eps, cfg.metric == .dense, d, metric.inv);
        },
        .mh => |*k| {
            res.stepsize = k.scale();
            if (out) |w| try csv.writeProposal(w, k.scale(), d, null);
        },
        .am => |*k| {
            res.stepsize = k.scale();
            if (k.have_chol) {
                res.inv_metric = try allocator.alloc(f64, d * d);
                for (0..d) |i| for (0..d) |j| {
                    var s: f64 = 0;
                    for (0..@min(i, j) + 1) |m| s += k.chol[i * d + m] * k.chol[j * d + m];
                    res.inv_metric[i * d + j] = s;
                };
            }
            if (out) |w| try csv.writeProposal(w, res.stepsize, d, if (k.have_chol) res.inv_metric else null);
        },
        .fixed => {
            res.stepsize = 0;
            if (out) |w| try w.writeAll("# Adaptation terminated\n# The model has no parameters: fixed_param sampler\n");
        },
    }

    var sum_accept: f64 = 0;
    for (0..cfg.draws) |i| {
        var t = transition(&kernel, eps, jittered(eps, cfg.jitter, rng), cfg, &metric, &target, rng);
        gibbsStep(&kernel, &target, &rngs.sampler, false, &t);
        n_leapfrog_total += t.n_leapfrog;
        if (t.divergent) res.divergences += 1;
        if (cfg.algorithm == .nuts and t.treedepth >= cfg.max_depth) res.treedepth_hits += 1;
        sum_accept += t.accept_stat;
        energies[i] = t.energy;
        const r = res.rows[i * ncol .. (i + 1) * ncol];
        fillRow(r, t, model, ctx, currentQ(&kernel), &rngs.draws);
        if (out) |w| try csv.writeRow(w, r);
        if (progress) |p| p.add();
    }
    res.sampling_seconds = @as(f64, @floatFromInt(timer.read())) / 1e9;
    if (out) |w| try csv.writeTiming(w, res.warmup_seconds, res.sampling_seconds);
    res.mean_accept = if (cfg.draws > 0) sum_accept / @as(f64, @floatFromInt(cfg.draws)) else std.math.nan(f64);
    if (cfg.algorithm.isHamiltonian() and d > 0) res.ebfmi = diagnostics.ebfmi(energies);
    res.n_grad = target.n_grad;
    res.n_leapfrog_total = n_leapfrog_total;
}

/// `--init-pathfinder`: runs single-path Pathfinder from `q` and moves `q` (and its gradient `g`)
/// to one draw from the approximation; keeps `q` when Pathfinder fails or the draw's log density
/// is not finite. Returns the log density at the (new) point.
fn pathfinderStart(allocator: std.mem.Allocator, target: *ham.Target, rng: std.Random, q: []f64, g: []f64, lp: f64) !f64 {
    const result = pathfinder.run(allocator, target, q, rng, .{}, 1) catch |e| switch (e) {
        error.PathfinderFailed => return lp,
        error.OutOfMemory => return e,
    };
    var draws = result.draws;
    defer draws.deinit(allocator);
    const g_new = try allocator.alloc(f64, g.len);
    defer allocator.free(g_new);
    const lp_new = target.eval(draws.z, g_new);
    if (!std.math.isFinite(lp_new)) return lp;
    for (g_new) |x| if (!std.math.isFinite(x)) return lp;
    @memcpy(q, draws.z);
    @memcpy(g, g_new);
    return lp_new;
}

/// A variational "chain": fit, then `cfg.draws` draws from the approximation (variational.zig).
fn runVariational(allocator: std.mem.Allocator, model: *const Model, ctx: ?*anyopaque, target: *ham.Target, cfg: Config, q0: []const f64, rng: std.Random, draw_rng: *Rng, out: ?std.io.AnyWriter, progress: ?*Progress, res: *ChainResult) !void {
    var timer = try std.time.Timer.start();
    const start = variational.Start{ .model = model, .ctx = ctx, .target = target, .q0 = q0, .rng = rng, .draw_rng = draw_rng };
    var pf = cfg.pathfinder;
    pf.init_radius = cfg.init_radius;
    const method: variational.Method = if (cfg.algorithm == .pathfinder) .{ .pathfinder = pf } else .{ .advi = cfg.vi };
    const info = try variational.run(allocator, start, method, res.rows, res.n_cols, out);
    res.sampling_seconds = @as(f64, @floatFromInt(timer.read())) / 1e9;
    res.stepsize = info.eta;
    res.elbo = info.elbo;
    res.vi_converged = info.converged;
    res.vi_iterations = info.iterations;
    res.n_grad = target.n_grad;
    if (out) |w| try csv.writeTiming(w, 0, res.sampling_seconds);
    if (progress) |p| for (0..cfg.warmup + cfg.draws) |_| p.add();
}

/// An SMC "chain": one tempered run whose `cfg.draws` final particles are the draws (smc.zig).
fn runSmc(allocator: std.mem.Allocator, model: *const Model, ctx: ?*anyopaque, target: *ham.Target, cfg: Config, rng: std.Random, draw_rng: *Rng, out: ?std.io.AnyWriter, progress: ?*Progress, res: *ChainResult) !void {
    var timer = try std.time.Timer.start();
    var settings = cfg.smc;
    settings.ref_sd = cfg.init_radius;
    var result = try smc.run(allocator, target, model.dim, cfg.draws, rng, settings);
    defer result.deinit(allocator);
    const o = result.outcome;
    if (out) |w| try smc.writeFit(w, cfg.draws, settings, o);
    const d = model.dim;
    for (0..cfg.draws) |i| {
        const r = res.rows[i * res.n_cols .. (i + 1) * res.n_cols];
        const t = Transition{ .lp = result.lp[i], .accept_stat = o.accept, .stepsize = o.scale, .treedepth = 0, .n_leapfrog = 0, .divergent = false, .energy = 0 };
        fillRow(r, t, model, ctx, result.z[i * d .. (i + 1) * d], draw_rng);
        if (out) |w| try csv.writeRow(w, r);
    }
    res.sampling_seconds = @as(f64, @floatFromInt(timer.read())) / 1e9;
    res.stepsize = o.scale;
    res.mean_accept = o.accept;
    res.log_evidence = o.log_evidence;
    res.smc_stages = o.stages;
    res.n_grad = target.n_grad;
    if (out) |w| try csv.writeTiming(w, 0, res.sampling_seconds);
    if (progress) |p| for (0..cfg.warmup + cfg.draws) |_| p.add();
}

fn currentQ(kernel: *Kernel) []f64 {
    return switch (kernel.*) {
        .nuts => |*k| k.cur.q,
        .hmc => |*k| k.cur.q,
        .mh => |*k| k.q,
        .am => |*k| k.rw.q,
        .fixed => @constCast(&[_]f64{}),
    };
}

fn initStepsizeAt(kernel: *Kernel, eps: f64, scratch: *ham.Phase, metric: *const ham.Metric, target: *ham.Target, rng: std.Random) !f64 {
    const cur = switch (kernel.*) {
        .nuts => |*k| &k.cur,
        .hmc => |*k| &k.cur,
        else => unreachable,
    };
    return ham.initStepsize(eps, cur, scratch, metric, target, rng);
}

/// One transition with step size `eps` (already jittered); static HMC takes its number of steps
/// from the nominal step size, as Stan does, so jitter varies the integration time.
fn transition(kernel: *Kernel, nominal_eps: f64, eps: f64, cfg: Config, metric: *const ham.Metric, target: *ham.Target, rng: std.Random) Transition {
    return switch (kernel.*) {
        .nuts => |*k| k.transition(eps, metric, target, rng),
        .hmc => |*k| k.transition(eps, hmc_mod.StaticHmc.numSteps(cfg.int_time, nominal_eps), metric, target, rng),
        .mh => |*k| k.transition(target, rng),
        .am => |*k| k.transition(target, rng),
        .fixed => |*k| .{ .lp = k.lp, .accept_stat = 0, .stepsize = 0, .treedepth = 0, .n_leapfrog = 0, .divergent = false, .energy = 0 },
    };
}

/// Metropolis-within-Gibbs: after the continuous transition, one sweep of Metropolis updates of
/// the model's discrete parameters at the new point (`Model.gibbs_sweep`, with the chain's
/// sampler stream). When a value moved, the kernel's cached log density (and gradient) belong
/// to the old values, so they are evaluated again, and the transition reports the new lp__.
fn gibbsStep(kernel: *Kernel, target: *ham.Target, sampler_rng: *Rng, adapting: bool, t: *Transition) void {
    const sweep = target.model.gibbs_sweep orelse return;
    if (!sweep(target.ctx, currentQ(kernel).ptr, sampler_rng, adapting)) return;
    t.lp = switch (kernel.*) {
        .nuts => |*k| refresh(target, k.cur.q, k.cur.g, &k.cur.lp),
        .hmc => |*k| refresh(target, k.cur.q, k.cur.g, &k.cur.lp),
        .mh => |*k| refresh(target, k.q, k.g, &k.lp),
        .am => |*k| refresh(target, k.rw.q, k.rw.g, &k.rw.lp),
        .fixed => |*k| refresh(target, &.{}, &.{}, &k.lp),
    };
}

fn refresh(target: *ham.Target, q: []const f64, g: []f64, lp: *f64) f64 {
    lp.* = target.eval(q, g);
    return lp.*;
}

fn fillRow(r: []f64, t: Transition, model: *const Model, ctx: ?*anyopaque, q: []const f64, draw_rng: *Rng) void {
    r[0] = t.lp;
    r[1] = t.accept_stat;
    r[2] = t.stepsize;
    r[3] = @floatFromInt(t.treedepth);
    r[4] = @floatFromInt(t.n_leapfrog);
    r[5] = if (t.divergent) 1 else 0;
    r[6] = t.energy;
    model.write_draw(ctx, q.ptr, draw_rng, r[num_sampler_columns..].ptr);
}

test "findInitialPoint retries until the density is finite" {
    const Half = struct {
        dim: usize = 2,
        names: []const model_mod.Str = &.{},
        // support: both coordinates positive
        pub fn logDensityGrad(_: *const @This(), q: []const f64, g: []f64) f64 {
            g[0] = -1;
            g[1] = -1;
            if (q[0] <= 0 or q[1] <= 0) return -std.math.inf(f64);
            return -q[0] - q[1];
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *Rng, _: []f64) void {}
    };
    const inst = Half{};
    const m = model_mod.fromShared(Half, &inst);
    var target = ham.Target{ .model = &m, .ctx = m.data };
    var prng = Rng.init(9);
    var q: [2]f64 = undefined;
    var g: [2]f64 = undefined;
    var why = RejectionReason{};
    const lp = try findInitialPoint(&target, 2, prng.random(), &q, &g, &why);
    try std.testing.expect(q[0] > 0 and q[1] > 0 and q[0] < 2 and q[1] < 2);
    try std.testing.expectEqual(-q[0] - q[1], lp);
    try std.testing.expect(target.n_grad >= 1);
    // radius 0 tries the origin once, which is outside the support
    try std.testing.expectError(error.InitFailed, findInitialPoint(&target, 0, prng.random(), &q, &g, &why));
    try std.testing.expectEqual(@as(?[]const u8, null), why.text()); // the test model gives no reason
}

test "a chain whose every initial point fails for the same reason stops with that reason" {
    const Broken = struct {
        dim: usize = 1,
        names: []const model_mod.Str = &.{},
        pub fn logDensityGrad(_: *const @This(), _: []const f64, g: []f64) f64 {
            g[0] = 0;
            return -std.math.inf(f64);
        }
        pub fn writeDraw(_: *const @This(), _: []const f64, _: *Rng, _: []f64) void {}
        fn reason(_: ?*anyopaque, buf: [*]u8, cap: usize) callconv(.C) usize {
            const text = "normal: size mismatch: y has 2 elements but mu has 3";
            @memcpy(buf[0..text.len], text[0..@min(text.len, cap)]);
            return text.len;
        }
    };
    const inst = Broken{};
    var m = model_mod.fromShared(Broken, &inst);
    m.rejection_reason = Broken.reason;
    var res = runChain(std.testing.allocator, &m, .{ .seed = 1, .warmup = 10, .draws = 10 }, 0, null, null, null);
    defer res.deinit(std.testing.allocator);
    try std.testing.expectEqual(@as(?anyerror, error.InitFailed), res.err);
    try std.testing.expectEqualStrings("chain 1: every initial point was rejected for the same reason, so it does not depend on the parameters (check the data): normal: size mismatch: y has 2 elements but mu has 3", res.message);
}
