//! Hand-written imitation of generated code that forgets one release: a Debug build must
//! notice the leaked string when `main` returns and exit 102; a ReleaseFast build exits 0.

const rt = @import("rt/sev_rt.zig");

pub const sev_source_file = "leak.sirs.json";
pub const panic = rt.panic;

pub fn main() u8 {
    return rt.run(sevMain);
}

fn sevMain() void {
    const s = rt.str.concat(rt.Str.lit("leaked "), rt.Str.lit("string"));
    rt.std_print(s); // the matching rt.release(s) is missing on purpose
}
