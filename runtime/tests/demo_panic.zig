//! Hand-written imitation of generated code with a compiler bug: a raw slice index that
//! escapes the runtime's checks. In Debug, Zig's safety check fires and `rt.panic` must flush
//! stdout, print `internal error: ...` and exit 70.

const rt = @import("rt/sev_rt.zig");

pub const sev_source_file = "panic.sirs.json";
pub const panic = rt.panic;

pub fn main() u8 {
    return rt.run(sevMain);
}

fn sevMain() void {
    rt.std_print(rt.Str.lit("about to panic"));
    const xs = [_]i32{ 1, 2, 3 };
    var i: usize = 5;
    _ = &i;
    rt.std_print_int(xs[i]);
}
