//! Hand-written imitation of a program the sev code generator emits (see docs/runtime.md):
//! string concatenation, a list of strings with copy-on-write, a map, a recursive enum held in
//! `rt.Box`, float printing, checked arithmetic and command-line arguments. Built and checked
//! by run_demos.sh in Debug and ReleaseFast; the Debug build also proves it frees everything.

const rt = @import("rt/sev_rt.zig");

pub const sev_source_file = "demo.sirs.json";
pub const panic = rt.panic;

pub fn main() u8 {
    return rt.runWithArgs(sevMain);
}

const Expr = union(enum) {
    Num: i64,
    Add: struct { l: rt.Box(Expr), r: rt.Box(Expr) },
    Mul: struct { l: rt.Box(Expr), r: rt.Box(Expr) },
};

fn eval(e: Expr) i64 {
    return switch (e) {
        .Num => |n| n,
        .Add => |p| rt.add(i64, eval(p.l.get()), eval(p.r.get()), .{ .func = "eval", .line = 20, .col = 18 }),
        .Mul => |p| rt.mul(i64, eval(p.l.get()), eval(p.r.get()), .{ .func = "eval", .line = 21, .col = 18 }),
    };
}

fn greet(name: rt.Str) rt.Str {
    const t0 = rt.str.concat(rt.Str.lit("Hello, "), name);
    defer rt.release(t0);
    return rt.str.concat(t0, rt.Str.lit("!"));
}

fn sevMain(argv: rt.List(rt.Str)) i64 {
    // Strings.
    const g = greet(rt.Str.lit("world"));
    defer rt.release(g);
    rt.std_print(g);
    const up = rt.str_to_upper(g);
    defer rt.release(up);
    rt.std_print(up);
    rt.std_print_int(rt.str_length(g));

    // A list of strings; `sorted` is a copy, so sorting it leaves `fruit` alone.
    const fruit = rt.str.split(rt.Str.lit("pear,apple,fig"), rt.Str.lit(","));
    defer rt.release(fruit);
    var sorted = fruit;
    rt.retain(sorted);
    defer rt.release(sorted);
    sorted.sortInPlace();
    sorted.push(rt.Str.lit("kiwi"));
    const j1 = rt.str.join(fruit, rt.Str.lit(" "));
    defer rt.release(j1);
    const j2 = rt.str.join(sorted, rt.Str.lit(" "));
    defer rt.release(j2);
    rt.std_print(j1);
    rt.std_print(j2);

    // A map from word to length, iterated in insertion order.
    var lengths = rt.Map(rt.Str, i64).empty();
    defer rt.release(lengths);
    for (sorted.items()) |w| lengths.insert(w, rt.str_length(w));
    lengths.insert(rt.Str.lit("fig"), 300);
    var i: i64 = 0;
    while (i < lengths.len()) : (i += 1) {
        const line = rt.toStr(.{ lengths.keyAt(i), lengths.valueAt(i) });
        defer rt.release(line);
        rt.std_print(line);
    }
    switch (lengths.get(rt.Str.lit("plum"))) {
        .Some => |n| rt.std_print_int(n),
        .None => rt.std_print(rt.Str.lit("no plum")),
    }

    // A recursive enum: (2 + 3) * (2 + 3), the sum shared through one Box.
    const two_plus_three = rt.Box(Expr).new(.{ .Add = .{ .l = rt.Box(Expr).new(.{ .Num = 2 }), .r = rt.Box(Expr).new(.{ .Num = 3 }) } });
    rt.retain(two_plus_three);
    const product = Expr{ .Mul = .{ .l = two_plus_three, .r = two_plus_three } };
    defer rt.release(product);
    rt.std_print_int(eval(product));

    // Floats print like Python's repr.
    rt.std_print_float(rt.math_sqrt(@as(f64, 2.0)));
    rt.std_print_float(@as(f64, 0.1) + @as(f64, 0.2));
    rt.std_print_float(@as(f64, 1e16));
    rt.std_print_float(rt.math_pow(@as(f64, 10.0), @as(f64, -5.0)));

    // Command-line arguments.
    const joined = rt.str.join(argv, rt.Str.lit("+"));
    defer rt.release(joined);
    rt.std_print(joined);

    // The result of main is printed.
    return rt.add(i64, rt.mul(i64, argv.len(), 1000, .{ .func = "main", .line = 40, .col = 12 }), 55, .{ .func = "main", .line = 40, .col = 12 });
}
