//! Helper for stress.py: applies one runtime/math.zig function to every argument tuple in a
//! file of little-endian f64s and writes the results the same way.
//! Usage: eval <function> <in.bin> <out.bin>
//! Build: zig build-exe -OReleaseFast --dep math -Mroot=eval.zig -Mmath=../../math.zig

const std = @import("std");
const math = @import("math");

pub fn main() !void {
    const gpa = std.heap.page_allocator;
    const args = try std.process.argsAlloc(gpa);
    if (args.len != 4) return error.Usage;
    const data = try std.fs.cwd().readFileAlloc(gpa, args[2], 1 << 30);
    const xs = std.mem.bytesAsSlice(f64, data);
    var out = std.ArrayList(f64).init(gpa);
    var found = false;
    inline for (math.table_functions) |entry| {
        if (std.mem.eql(u8, entry[0], args[1])) {
            found = true;
            const arity = @typeInfo(@TypeOf(entry[1])).@"fn".params.len;
            var i: usize = 0;
            while (i + arity <= xs.len) : (i += arity) {
                try out.append(switch (arity) {
                    1 => entry[1](xs[i]),
                    2 => entry[1](xs[i], xs[i + 1]),
                    3 => entry[1](xs[i], xs[i + 1], xs[i + 2]),
                    else => unreachable,
                });
            }
        }
    }
    if (!found) return error.UnknownFunction;
    try std.fs.cwd().writeFile(.{ .sub_path = args[3], .data = std.mem.sliceAsBytes(out.items) });
}
