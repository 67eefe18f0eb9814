//! Hand-written eight schools model (non-centred), the prototype of what the compiler generates
//! for a SIRS model: data loading through the `Data` accessors, the log density with a
//! hand-derived gradient, the output columns, and `main`. It imports the sampler as the module
//! `smp`, which the build maps either to `sampler.zig` (model and sampler compiled together) or
//! to `client.zig` (model linked against the prebuilt `libsampler.a`); see `build.sh`.
//!
//! Model: mu ~ normal(0, 5); tau ~ cauchy(0, 5) with tau > 0; theta_trans[j] ~ normal(0, 1);
//! y[j] ~ normal(mu + tau * theta_trans[j], sigma[j]). Unconstrained q = (mu, log tau,
//! theta_trans[1..J]); the log density includes the log-Jacobian log tau. Output columns (Stan's
//! order): mu, tau, theta_trans.1..J, theta.1..J with theta = mu + tau * theta_trans.

const std = @import("std");
const smp = @import("smp");

const EightSchools = struct {
    j: usize,
    y: []const f64,
    sigma: []const f64,
    inv_sigma2: []f64,
    names: []smp.Str,
    name_bytes: []u8,
};

const allocator = std.heap.page_allocator;

fn load(h: *smp.DataHandle, model: *smp.Model) callconv(.C) bool {
    return loadImpl(smp.Data.fromHandle(h), model) catch false;
}

fn loadImpl(data: anytype, model: *smp.Model) !bool {
    const j_int = try data.getInt("J");
    if (j_int < 1) return data.fail("field 'J' must be at least 1, found {d}", .{j_int});
    const j: usize = @intCast(j_int);
    const y = try data.getRealArray("y", j);
    const sigma = try data.getRealArray("sigma", j);
    for (sigma, 0..) |s, i| {
        if (!(s > 0)) return data.fail("field 'sigma' element {d} must be positive, found {d}", .{ i + 1, s });
    }
    const m = allocator.create(EightSchools) catch return data.fail("out of memory", .{});
    const ncol = 2 + 2 * j;
    m.* = .{
        .j = j,
        .y = y,
        .sigma = sigma,
        .inv_sigma2 = allocator.alloc(f64, j) catch return data.fail("out of memory", .{}),
        .names = allocator.alloc(smp.Str, ncol) catch return data.fail("out of memory", .{}),
        .name_bytes = allocator.alloc(u8, 32 * ncol) catch return data.fail("out of memory", .{}),
    };
    for (m.inv_sigma2, sigma) |*v, s| v.* = 1 / (s * s);
    var off: usize = 0;
    for (0..ncol) |c| {
        const buf = m.name_bytes[off .. off + 32];
        const s = if (c == 0)
            std.fmt.bufPrint(buf, "mu", .{}) catch unreachable
        else if (c == 1)
            std.fmt.bufPrint(buf, "tau", .{}) catch unreachable
        else if (c < 2 + j)
            std.fmt.bufPrint(buf, "theta_trans.{d}", .{c - 1}) catch unreachable
        else
            std.fmt.bufPrint(buf, "theta.{d}", .{c - 1 - j}) catch unreachable;
        m.names[c] = smp.Str.from(s);
        off += 32;
    }
    model.* = .{
        .dim = 2 + j,
        .num_columns = ncol,
        .column_names = m.names.ptr,
        .data = m,
        .init_chain = &initChain,
        .deinit_chain = &deinitChain,
        .log_density_grad = &logDensityGrad,
        .write_draw = &writeDraw,
    };
    return true;
}

fn unload(model: *smp.Model) callconv(.C) void {
    const m: *EightSchools = @ptrCast(@alignCast(model.data.?));
    allocator.free(m.inv_sigma2);
    allocator.free(m.names);
    allocator.free(m.name_bytes);
    allocator.destroy(m);
}

fn initChain(data: ?*anyopaque, ctx_out: *?*anyopaque) callconv(.C) bool {
    ctx_out.* = data; // no per-chain scratch space needed
    return true;
}

fn deinitChain(data: ?*anyopaque, ctx: ?*anyopaque) callconv(.C) void {
    _ = data;
    _ = ctx;
}

fn logDensityGrad(ctx: ?*anyopaque, q: [*]const f64, g: [*]f64) callconv(.C) f64 {
    const m: *const EightSchools = @ptrCast(@alignCast(ctx.?));
    const mu = q[0];
    const u = q[1];
    const tau = @exp(u);
    // priors: normal(0, 5) on mu, half-Cauchy(0, 5) on tau with the Jacobian of tau = exp(u)
    const t5 = tau * tau / 25.0;
    var lp = -0.5 * mu * mu / 25.0 - std.math.log1p(t5) + u;
    var g_mu = -mu / 25.0;
    var g_tau = -2.0 * tau / 25.0 / (1 + t5);
    for (0..m.j) |k| {
        const tt = q[2 + k];
        const r = (m.y[k] - mu - tau * tt) * m.inv_sigma2[k]; // d/dtheta of the likelihood term
        lp += -0.5 * tt * tt - 0.5 * (m.y[k] - mu - tau * tt) * r;
        g_mu += r;
        g_tau += r * tt;
        g[2 + k] = -tt + r * tau;
    }
    g[0] = g_mu;
    g[1] = g_tau * tau + 1;
    return lp;
}

fn writeDraw(ctx: ?*anyopaque, q: [*]const f64, rng: *smp.Rng, out: [*]f64) callconv(.C) void {
    _ = rng;
    const m: *const EightSchools = @ptrCast(@alignCast(ctx.?));
    const mu = q[0];
    const tau = @exp(q[1]);
    out[0] = mu;
    out[1] = tau;
    for (0..m.j) |k| {
        out[2 + k] = q[2 + k];
        out[2 + m.j + k] = mu + tau * q[2 + k];
    }
}

pub const program = smp.Program{ .name = smp.Str.from("eight_schools"), .load = &load, .unload = &unload };

pub fn main() u8 {
    return smp.main(&program);
}
