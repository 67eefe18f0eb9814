//! Benchmark of the sampler on the hand-written eight schools model, in one process: time per
//! gradient, per `write_draw`, and a full Stan-style run (4 chains × (1000 warmup + 1000 draws),
//! chains one after another on one thread, no CSV output) repeated with several seeds, reporting
//! wall time, leapfrog steps, µs per leapfrog (warmup included, sampler overhead included, as in
//! shared/design/ppl-anchors.md) and min bulk ESS / ESS per second. Built by `build.sh`.

const std = @import("std");
const smp = @import("smp");
const es = @import("es");

const data_text =
    \\{"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12], "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}
;

pub fn main() !void {
    const a = std.heap.smp_allocator;
    const out = std.io.getStdOut().writer();
    var msg: []u8 = &.{};
    const data = try smp.Data.parse(a, "eight_schools.json", data_text, &msg);
    defer data.deinit();
    var model: smp.Model = undefined;
    if (!es.program.load(data.handle(), &model)) return error.LoadFailed;
    defer es.program.unload(&model);

    // gradient cost
    var ctx: ?*anyopaque = null;
    _ = model.init_chain(model.data, &ctx);
    defer model.deinit_chain(model.data, ctx);
    var q: [10]f64 = .{ 4, 1, 0.3, -0.2, 0.1, 0.5, -0.4, 0.2, 0.0, 0.7 };
    var g: [10]f64 = undefined;
    const n_grad: usize = 20_000_000;
    var timer = try std.time.Timer.start();
    var acc: f64 = 0;
    for (0..n_grad) |i| {
        q[2] = @as(f64, @floatFromInt(i & 1023)) * 1e-3;
        acc += model.log_density_grad(ctx, &q, &g);
    }
    const ns_grad = @as(f64, @floatFromInt(timer.lap())) / @as(f64, @floatFromInt(n_grad));
    var rng = smp.Rng.init(1);
    var row: [18]f64 = undefined;
    const n_wd: usize = 5_000_000;
    for (0..n_wd) |i| {
        q[3] = @as(f64, @floatFromInt(i & 1023)) * 1e-3;
        model.write_draw(ctx, &q, &rng, &row);
        acc += row[17];
    }
    const ns_wd = @as(f64, @floatFromInt(timer.lap())) / @as(f64, @floatFromInt(n_wd));
    try out.print("gradient: {d:.1} ns/eval   write_draw: {d:.1} ns/call   (checksum {d:.3})\n", .{ ns_grad, ns_wd, acc });

    // full runs
    const reps = 5;
    var best_wall: f64 = std.math.inf(f64);
    var best_us: f64 = std.math.inf(f64);
    for (0..reps) |r| {
        const cfg = smp.Config{ .seed = 1000 + r, .threads = 1 };
        var res = try smp.run.run(a, &model, cfg, null, false);
        defer res.deinit(a);
        if (res.failure()) |f| {
            try out.print("chain failed: {s}\n", .{f.message});
            return error.ChainFailed;
        }
        var lf: u64 = 0;
        var div: usize = 0;
        for (res.chains) |c| {
            lf += c.n_leapfrog_total;
            div += c.divergences;
        }
        const stats = try smp.summary.computeStats(a, &res);
        defer a.free(stats);
        // over the model's columns (parameters and transformed parameters), not lp__, as the
        // peer benchmarks count it
        var min_ess: f64 = std.math.inf(f64);
        var max_rhat: f64 = 0;
        for (stats[1..]) |s| {
            min_ess = @min(min_ess, s.s.ess_bulk);
            max_rhat = @max(max_rhat, s.s.rhat);
        }
        const us_lf = res.wall_seconds * 1e6 / @as(f64, @floatFromInt(lf));
        best_wall = @min(best_wall, res.wall_seconds);
        best_us = @min(best_us, us_lf);
        try out.print("run {d}: wall {d:.4} s, {d} leapfrogs, {d:.3} us/leapfrog, min bulk ESS {d:.0}, ESS/s {d:.0}, max R-hat {d:.4}, divergences {d}, mu {d:.3}, tau {d:.3}\n", .{ r, res.wall_seconds, lf, us_lf, min_ess, min_ess / res.wall_seconds, max_rhat, div, stats[1].s.mean, stats[2].s.mean });
    }
    try out.print("best: wall {d:.4} s, {d:.3} us/leapfrog\n", .{ best_wall, best_us });
}
