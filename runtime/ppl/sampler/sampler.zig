//! sev's inference engine: the root of `runtime/ppl/sampler/`, std-only and self-contained.
//!
//! A compiled SIRS model provides a `Program` (model.zig): its name and a `load` function that
//! reads the data through `Data` (data.zig) and fills in a `Model` — unconstrained dimension,
//! output column names, per-chain contexts, log density with gradient, and the per-draw output.
//! `main(&program)` is the whole command-line driver (cli.zig): argument parsing, data file,
//! multi-threaded chains (run.zig, chain.zig), gradient checks (diagnose.zig) with NUTS, static HMC, random-walk or adaptive
//! Metropolis (nuts.zig, static_hmc.zig, metropolis.zig) and Stan's warmup adaptation
//! (adapt.zig, hamiltonian.zig), CmdStan-layout CSV files (csv.zig, numfmt.zig), and the
//! summary with rank-normalised R-hat, bulk/tail ESS and sampler warnings (diagnostics.zig,
//! summary.zig). `abi.zig` exports the same driver and data accessors over the C ABI for models
//! linked against a prebuilt copy of this library, and `client.zig` is the model-side half of
//! that boundary. docs/inference.md describes algorithms, options, output and diagnostics.

const std = @import("std");

pub const model = @import("model.zig");
pub const data = @import("data.zig");
pub const numfmt = @import("numfmt.zig");
pub const diagnostics = @import("diagnostics.zig");
pub const adapt = @import("adapt.zig");
pub const hamiltonian = @import("hamiltonian.zig");
pub const nuts = @import("nuts.zig");
pub const static_hmc = @import("static_hmc.zig");
pub const metropolis = @import("metropolis.zig");
pub const advi = @import("advi.zig");
pub const pathfinder = @import("pathfinder.zig");
pub const variational = @import("variational.zig");
pub const smc = @import("smc.zig");
pub const chain = @import("chain.zig");
pub const run = @import("run.zig");
pub const csv = @import("csv.zig");
pub const files = @import("files.zig");
pub const oserror = @import("oserror.zig");
pub const summary = @import("summary.zig");
pub const cli = @import("cli.zig");
pub const diagnose = @import("diagnose.zig");
pub const abi = @import("abi.zig");
pub const client = @import("client.zig");
pub const testmodels = @import("testmodels.zig");

// The names generated code uses (identical in client.zig, the C-ABI variant).
pub const Str = model.Str;
pub const Rng = model.Rng;
pub const Model = model.Model;
pub const Program = model.Program;
pub const ColumnReport = model.ColumnReport;
pub const DataHandle = model.DataHandle;
pub const Data = data.Data;
pub const Matrix = data.Matrix;
pub const DataError = data.DataError;
pub const fromShared = model.fromShared;
pub const Config = chain.Config;

/// The program entry point of a model binary compiled together with the sampler:
/// `pub fn main() u8 { return sampler.main(&program); }`.
pub fn main(program: *const Program) u8 {
    const args = std.process.argsAlloc(std.heap.smp_allocator) catch {
        std.io.getStdErr().writeAll("error: out of memory\n") catch {};
        return 1;
    };
    defer std.process.argsFree(std.heap.smp_allocator, args);
    const view = std.heap.smp_allocator.alloc([]const u8, args.len) catch return 1;
    defer std.heap.smp_allocator.free(view);
    for (args, view) |a, *v| v.* = a;
    return cli.main(program, view);
}

test {
    std.testing.refAllDeclsRecursive(@This());
}
