//! Program entry point for the "sampler owns main" build (docs/inference.md, "Build
//! architecture"): compiled once with `zig build-obj -OReleaseFast exe_main.zig`, this object
//! holds the whole sampler, the C-ABI exports of `abi.zig` and Zig's start code. A model is
//! compiled separately into an object that exports `sev_program` (a `Program`) and the two are
//! linked with `zig build-exe`; the result is a static executable without libc. Not part of the
//! `sampler.zig` test build (it needs a model's `sev_program`); `proto/build.sh` builds and runs
//! it.

const std = @import("std");
const model_mod = @import("model.zig");
const abi = @import("abi.zig");

comptime {
    _ = abi; // keep the sev_* exports the model object calls
}

extern const sev_program: model_mod.Program;

pub fn main() u8 {
    return abi.runWithArgv(&sev_program, std.os.argv);
}
