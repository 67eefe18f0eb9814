//! The probabilistic runtime as seen from generated code (`rt.ppl`): distributions, automatic
//! differentiation, constraint transforms, forward simulation, and the model glue that connects
//! a compiled model to the sampler (`modelrt`). The sampler itself is in `sampler/` and is
//! built separately (see docs/inference.md), except in programs that use `infer`, which compile
//! it in (`infer`).

pub const ad = @import("ad.zig");
pub const dist = @import("dist.zig");
pub const transform = @import("transform.zig");
pub const matrix_constrained = @import("matrix_constrained.zig");
pub const matrix_slice = @import("matrix_slice.zig");
pub const forward = @import("forward.zig");
pub const modelrt = @import("modelrt.zig");
pub const adjoint = @import("adjoint.zig");
pub const infer = @import("infer.zig");
pub const matrix = @import("matrix.zig");

test {
    _ = forward;
    _ = modelrt;
    _ = adjoint;
    _ = matrix;
    _ = matrix_constrained;
    _ = matrix_slice;
    _ = @import("enumerate.zig");
    _ = @import("gibbs.zig");
    _ = @import("direct.zig");
}
