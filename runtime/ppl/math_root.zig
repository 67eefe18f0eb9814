//! Root of the mathematical half of the probabilistic runtime: special functions, automatic
//! differentiation, distributions, constraint transforms and small dense linear algebra. These
//! modules depend on `std` only (not on the core runtime), so they can be compiled and cached
//! as a separate object; `zig test runtime/ppl/math_root.zig` runs all their tests.

pub const special = @import("special.zig");
pub const ad = @import("ad.zig");
pub const linalg = @import("linalg.zig");
pub const dist = @import("dist.zig");
pub const transform = @import("transform.zig");

test {
    @import("std").testing.refAllDeclsRecursive(@This());
}
