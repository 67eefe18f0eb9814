//! The sev runtime root: generated programs import this file as `rt` and reach everything
//! through it (docs/runtime.md is the contract). Common names are re-exported flat (`rt.Str`,
//! `rt.add`, `rt.run`); the catalogue built-ins are also available under their SIRS names
//! (`rt.str_length`, `rt.math_sqrt`, `rt.std_print`) so the code generator can map a built-in
//! call to `rt.<name>`; modules are namespaces (`rt.str`, `rt.math`, `rt.list`).

const std = @import("std");

pub const core = @import("core.zig");
pub const rc = @import("rc.zig");
pub const str = @import("str.zig");
pub const fmt = @import("fmt.zig");
pub const list = @import("list.zig");
pub const option = @import("option.zig");
pub const map = @import("map.zig");
pub const set = @import("set.zig");

// Values and memory
pub const Str = str.Str;
pub const List = list.List;
pub const Map = map.Map;
pub const Set = set.Set;
pub const Box = rc.Box;
pub const Option = option.Option;
pub const Result = option.Result;
pub const retain = rc.retain;
pub const release = rc.release;
pub const needsRc = rc.needsRc;
pub const eql = rc.eql;
pub const hash = rc.hash;
pub const order = rc.order;
pub const gpa = core.gpa;

// Faults and checked integer arithmetic
pub const Loc = core.Loc;
pub const fault = core.fault;
pub const add = core.add;
pub const sub = core.sub;
pub const mul = core.mul;
pub const div = core.div;
pub const rem = core.rem;
pub const neg = core.neg;
pub const shl = core.shl;
pub const shr = core.shr;
pub const pow = core.pow;
pub const intCast = core.intCast;
pub const floatToInt = core.floatToInt;

// Program entry and output
pub const run = core.run;
pub const runWithArgs = core.runWithArgs;
pub const args = core.args;
pub const panic = core.panic;
pub const flushOut = core.flushOut;
pub const printStr = core.printStr;
pub const printInt = core.printInt;
pub const printFloat = core.printFloat;
pub const printBool = core.printBool;
pub const eprintStr = core.eprintStr;

test {
    std.testing.refAllDeclsRecursive(@This());
}
