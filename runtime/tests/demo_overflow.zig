//! Hand-written imitation of generated code that overflows an i32 in a user function: the
//! runtime must flush stdout, report the fault at the sev source location and exit 101, in
//! Debug and ReleaseFast alike (run_demos.sh checks both).

const rt = @import("rt/sev_rt.zig");

pub const sev_source_file = "examples/overflow.sirs.json";
pub const panic = rt.panic;

pub fn main() u8 {
    return rt.run(sevMain);
}

fn sum(xs: rt.List(i32)) i32 {
    var total: i32 = 0;
    for (xs.items()) |x| total = rt.add(i32, total, x, .{ .func = "sum", .line = 12, .col = 9 });
    return total;
}

fn sevMain() void {
    rt.std_print(rt.Str.lit("before overflow"));
    const xs = rt.List(i32).fromSlice(&.{ 2147483000, 647, 1 });
    defer rt.release(xs);
    rt.std_print_int(sum(xs));
}
