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
pub const map = @import("map.zig");
pub const set = @import("set.zig");
pub const option = @import("option.zig");
pub const math = @import("math.zig");
pub const exc = @import("exc.zig");
pub const dyn = @import("dyn.zig");
pub const detector = @import("detector.zig");

// stdlib modules are added below by their owners (one `pub const name = @import("name.zig");`
// line each: json, regex, datetime, fs, http, task, and ppl as `@import("ppl/ppl.zig")`).
// --- stdlib modules: begin ---
pub const json = @import("json.zig");
pub const regex = @import("regex.zig");
pub const datetime = @import("datetime.zig");
pub const fs = @import("fs.zig");
pub const http = @import("http.zig");
pub const task = @import("task.zig");
pub const csv = @import("csv.zig");
pub const ppl = @import("ppl/ppl.zig");
// --- stdlib modules: end ---

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
pub const toStr = fmt.toStr;
pub const Thrown = exc.Thrown;
pub const Dyn = dyn.Dyn;

// Faults and checked integer arithmetic
pub const Loc = core.Loc;
pub const fault = core.fault;
pub const checkStack = core.checkStack;
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

// Catalogue built-ins under their SIRS names (reference §5.6).
pub const std_print = core.printStr;
pub const std_print_int = core.printInt;
pub const std_print_float = core.printFloat;
pub const debug_trace = core.debugTrace;

pub const str_length = str.length;
pub const str_substring = str.substring;
pub const str_index_of = str.indexOf;
pub const str_contains = str.contains;
pub const str_starts_with = str.startsWith;
pub const str_ends_with = str.endsWith;
pub const str_equals = str.equals;
pub const str_replace = str.replace;
pub const str_to_upper = str.toUpper;
pub const str_to_lower = str.toLower;
pub const str_trim = str.trim;

pub const math_abs = math.abs;
pub const math_sqrt = math.sqrt;
pub const math_exp = math.exp;
pub const math_log = math.log;
pub const math_log10 = math.log10;
pub const math_log2 = math.log2;
pub const math_sin = math.sin;
pub const math_cos = math.cos;
pub const math_tan = math.tan;
pub const math_asin = math.asin;
pub const math_acos = math.acos;
pub const math_atan = math.atan;
pub const math_sinh = math.sinh;
pub const math_cosh = math.cosh;
pub const math_tanh = math.tanh;
pub const math_floor = math.floor;
pub const math_ceil = math.ceil;
pub const math_round = math.round;
pub const math_trunc = math.trunc;
pub const math_degrees = math.degrees;
pub const math_radians = math.radians;
pub const math_sign = math.sign;
pub const math_pow = math.pow;
pub const math_atan2 = math.atan2;
pub const math_fmod = math.fmod;
pub const math_remainder = math.remainder;
pub const math_min = math.min;
pub const math_max = math.max;
pub const math_copysign = math.copysign;
pub const math_clamp = math.clamp;
pub const math_lerp = math.lerp;
pub const math_pi = math.pi;
pub const math_e = math.e;
pub const math_inf = math.inf;
pub const math_nan = math.nan;
pub const math_is_finite = math.isFinite;
pub const math_is_infinite = math.isInfinite;
pub const math_is_nan = math.isNan;

// SIRS built-ins beyond the catalogue, and code-generation helpers (builtins.zig).
pub const builtins = @import("builtins.zig");
pub const retained = builtins.retained;
pub const replace = builtins.replace;
pub const print = builtins.print;
pub const print_inline = builtins.print_inline;
pub const std_print_bool = builtins.std_print_bool;
pub const debug_variable = builtins.debug_variable;
pub const to_string = builtins.to_string;
pub const std_args = builtins.std_args;
pub const math_hypot = builtins.math_hypot;
pub const str_concat = builtins.str_concat;
pub const str_split = builtins.str_split;
pub const str_join = builtins.str_join;
pub const str_repeat = builtins.str_repeat;
pub const str_byte_at = builtins.str_byte_at;
pub const str_parse_int = builtins.str_parse_int;
pub const str_parse_float = builtins.str_parse_float;
pub const len = builtins.len;
pub const push = builtins.push;
pub const pop = builtins.pop;
pub const array_slice = builtins.array_slice;
pub const array_concat = builtins.array_concat;
pub const array_contains = builtins.array_contains;
pub const array_index_of = builtins.array_index_of;
pub const array_reverse = builtins.array_reverse;
pub const array_sort = builtins.array_sort;
pub const array_fill = builtins.array_fill;
pub const array_sum = builtins.array_sum;
pub const array_mean = builtins.array_mean;
pub const map_len = builtins.map_len;
pub const map_insert = builtins.map_insert;
pub const map_get = builtins.map_get;
pub const map_remove = builtins.map_remove;
pub const map_contains = builtins.map_contains;
pub const map_keys = builtins.map_keys;
pub const map_values = builtins.map_values;
pub const map_key_at = builtins.map_key_at;
pub const map_value_at = builtins.map_value_at;
pub const set_len = builtins.set_len;
pub const set_insert = builtins.set_insert;
pub const set_remove = builtins.set_remove;
pub const set_contains = builtins.set_contains;
pub const set_items = builtins.set_items;
pub const set_union = builtins.set_union;
pub const set_intersection = builtins.set_intersection;
pub const set_difference = builtins.set_difference;
pub const range_continues = builtins.range_continues;
pub const whole_number = builtins.whole_number;
pub const inv_logit = builtins.inv_logit;
pub const logit = builtins.logit;
pub const log1p = builtins.log1p;
pub const expm1 = builtins.expm1;
pub const lgamma = builtins.lgamma;
pub const log_sum_exp = builtins.log_sum_exp;
pub const log_sum_exp_array = builtins.log_sum_exp_array;
pub const log1p_exp = builtins.log1p_exp;
pub const phi = builtins.phi;
pub const erf = builtins.erf;
pub const log_mix = builtins.log_mix;
pub const square = builtins.square;
pub const dot = builtins.dot;
pub const channel_send = builtins.channel_send;
pub const float_add = builtins.float_add;
pub const float_sub = builtins.float_sub;
pub const float_mul = builtins.float_mul;
pub const float_div = builtins.float_div;
pub const float_mod = builtins.float_mod;
pub const channel_recv = builtins.channel_recv;
pub const channel_try_recv = builtins.channel_try_recv;
pub const channel_close = builtins.channel_close;
pub const channel_len = builtins.channel_len;
pub const posterior_mean = ppl.infer.posterior_mean;
pub const posterior_sd = ppl.infer.posterior_sd;
pub const posterior_quantile = ppl.infer.posterior_quantile;
pub const posterior_rhat = ppl.infer.posterior_rhat;
pub const posterior_ess = ppl.infer.posterior_ess;
pub const posterior_draws = ppl.infer.posterior_draws;
pub const posterior_prob = ppl.infer.posterior_prob;
pub const posterior_prob_mcse = ppl.infer.posterior_prob_mcse;
pub const posterior_names = ppl.infer.posterior_names;
pub const posterior_divergences = ppl.infer.posterior_divergences;
pub const posterior_log_evidence = ppl.infer.posterior_log_evidence;
pub const posterior_log_evidence_se = ppl.infer.posterior_log_evidence_se;

// Standard-library built-ins under their SIRS names (sirs_std.zig; signatures in
// src/check/stdlib.rs), and the prelude types `Json` and `HttpResponse`.
pub const sirs_std = @import("sirs_std.zig");
pub const Json = sirs_std.Json;
pub const HttpResponse = sirs_std.HttpResponse;
pub const str_format_float = sirs_std.str_format_float;
pub const file_read = sirs_std.file_read;
pub const file_write = sirs_std.file_write;
pub const file_append = sirs_std.file_append;
pub const file_exists = sirs_std.file_exists;
pub const file_delete = sirs_std.file_delete;
pub const file_size = sirs_std.file_size;
pub const dir_create = sirs_std.dir_create;
pub const dir_exists = sirs_std.dir_exists;
pub const dir_list = sirs_std.dir_list;
pub const dir_remove = sirs_std.dir_remove;
pub const csv_read = sirs_std.csv_read;
pub const csv_parse_row = sirs_std.csv_parse_row;
pub const metrics_read = sirs_std.metrics_read;
pub const metric_parse_row = sirs_std.metric_parse_row;
pub const stdin_read_line = sirs_std.stdin_read_line;
pub const json_parse = sirs_std.json_parse;
pub const json_stringify = sirs_std.json_stringify;
pub const json_pretty = sirs_std.json_pretty;
pub const json_len = sirs_std.json_len;
pub const json_has_key = sirs_std.json_has_key;
pub const json_keys = sirs_std.json_keys;
pub const json_as_number = sirs_std.json_as_number;
pub const json_as_bool = sirs_std.json_as_bool;
pub const json_is_null = sirs_std.json_is_null;
pub const json_kind = sirs_std.json_kind;
pub const json_null = sirs_std.json_null;
pub const json_bool = sirs_std.json_bool;
pub const json_number = sirs_std.json_number;
pub const json_string = sirs_std.json_string;
pub const json_get = sirs_std.json_get;
pub const json_at = sirs_std.json_at;
pub const json_as_string = sirs_std.json_as_string;
pub const json_array = sirs_std.json_array;
pub const json_object = sirs_std.json_object;
pub const json_set = sirs_std.json_set;
pub const json_push = sirs_std.json_push;
pub const datetime_now = sirs_std.datetime_now;
pub const datetime_now_millis = sirs_std.datetime_now_millis;
pub const datetime_now_micros = sirs_std.datetime_now_micros;
pub const datetime_year = sirs_std.datetime_year;
pub const datetime_month = sirs_std.datetime_month;
pub const datetime_day = sirs_std.datetime_day;
pub const datetime_hour = sirs_std.datetime_hour;
pub const datetime_minute = sirs_std.datetime_minute;
pub const datetime_second = sirs_std.datetime_second;
pub const datetime_weekday = sirs_std.datetime_weekday;
pub const datetime_day_of_year = sirs_std.datetime_day_of_year;
pub const datetime_add_seconds = sirs_std.datetime_add_seconds;
pub const datetime_add_minutes = sirs_std.datetime_add_minutes;
pub const datetime_add_hours = sirs_std.datetime_add_hours;
pub const datetime_add_days = sirs_std.datetime_add_days;
pub const datetime_diff_seconds = sirs_std.datetime_diff_seconds;
pub const datetime_make = sirs_std.datetime_make;
pub const datetime_format = sirs_std.datetime_format;
pub const datetime_format_with = sirs_std.datetime_format_with;
pub const datetime_parse = sirs_std.datetime_parse;
pub const datetime_is_leap_year = sirs_std.datetime_is_leap_year;
pub const sleep_seconds = sirs_std.sleep_seconds;
pub const sleep_millis = sirs_std.sleep_millis;
pub const datetime_days_in_month = sirs_std.datetime_days_in_month;
pub const regex_check = sirs_std.regex_check;
pub const regex_match = sirs_std.regex_match;
pub const regex_find = sirs_std.regex_find;
pub const regex_find_all = sirs_std.regex_find_all;
pub const regex_captures = sirs_std.regex_captures;
pub const regex_split = sirs_std.regex_split;
pub const regex_replace = sirs_std.regex_replace;
pub const http_get = sirs_std.http_get;
pub const http_delete = sirs_std.http_delete;
pub const http_post = sirs_std.http_post;
pub const http_put = sirs_std.http_put;
pub const http_request = sirs_std.http_request;

test "catalogue names resolve to the runtime functions" {
    const l: Loc = .{ .func = "main", .line = 1, .col = 1 };
    const s = str_substring(Str.lit("sever"), 1, 3, l);
    defer release(s);
    try std.testing.expectEqualStrings("ev", s.bytes());
    try std.testing.expectEqual(@as(i64, 5), str_length(Str.lit("sever")));
    try std.testing.expectEqual(@as(f64, 3), math_sqrt(@as(f64, 9)));
    try std.testing.expectEqual(@as(f64, 1), math_clamp(@as(f64, 4), @as(f64, 0), @as(f64, 1)));
    std_print(Str.lit("x"));
    std_print_int(@as(i32, 3));
    std_print_float(@as(f64, 0.25));
    try std.testing.expectEqualStrings("x\n3\n0.25\n", core.takeCaptured(.out));
    try std.testing.expectEqual(@as(i32, 7), add(i32, 3, 4, l));
}

test {
    // Every module, recursively. The model glue (ppl.modelrt) is left out: it calls into the
    // separately built sampler and is tested by building models end to end.
    inline for (.{ core, rc, str, fmt, list, map, set, option, math, exc, dyn, detector, json, regex, datetime, fs, task, csv, builtins, sirs_std, ppl.ad, ppl.dist, ppl.transform, ppl.forward, ppl.infer }) |m| {
        std.testing.refAllDeclsRecursive(m);
    }
}
