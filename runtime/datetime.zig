//! Dates and times for the `datetime_*` built-ins. A time is a Unix timestamp: whole seconds
//! since 1970-01-01T00:00:00Z as an `i64`, always UTC, with no leap seconds (POSIX time). The
//! calendar is the proleptic Gregorian calendar with astronomical year numbering (year 0 is
//! 1 BC), valid for every `i64` timestamp: `civilFromDays`/`daysFromCivil` use Howard Hinnant's
//! era-based day-count arithmetic (400-year eras of 146097 days, years starting in March so the
//! leap day comes last), which is exact for negative day counts too. Formatting and parsing use
//! ISO 8601 (`2024-02-29T13:45:00Z`); parsing also accepts `+hh:mm` offsets and date-only
//! input, and reports malformed input as an error value naming the position.
const std = @import("std");
const core = @import("core.zig");
const rc = @import("rc.zig");
const str_mod = @import("str.zig");
const option = @import("option.zig");

const Loc = core.Loc;
const Str = str_mod.Str;
const Result = option.Result;

pub const seconds_per_day: i64 = 86400;

/// A calendar date.
pub const Civil = struct { year: i64, month: u8, day: u8 };

/// The date `days` days after 1970-01-01 (negative: before). Exact for every i64 that is a
/// day count of an i64 timestamp (|days| < 1.1e14).
pub fn civilFromDays(days: i64) Civil {
    const z = days + 719468; // days since 0000-03-01
    const era = @divFloor(z, 146097);
    const doe = z - era * 146097; // day of era, [0, 146096]
    const yoe = @divTrunc(doe - @divTrunc(doe, 1460) + @divTrunc(doe, 36524) - @divTrunc(doe, 146096), 365); // [0, 399]
    const doy = doe - (365 * yoe + @divTrunc(yoe, 4) - @divTrunc(yoe, 100)); // [0, 365], from March 1
    const mp = @divTrunc(5 * doy + 2, 153); // month from March, [0, 11]
    const d = doy - @divTrunc(153 * mp + 2, 5) + 1;
    const m = if (mp < 10) mp + 3 else mp - 9;
    return .{ .year = yoe + era * 400 + @intFromBool(m <= 2), .month = @intCast(m), .day = @intCast(d) };
}

/// Days from 1970-01-01 to the given date (month 1-12, day 1-31; not validated). Uses i128 so
/// that any i64 year is representable.
pub fn daysFromCivil(y_: i64, m_: u8, d_: u8) i128 {
    const y: i128 = @as(i128, y_) - @intFromBool(m_ <= 2);
    const era = @divFloor(y, 400);
    const yoe = y - era * 400; // [0, 399]
    const m: i128 = m_;
    const doy = @divTrunc(153 * (if (m > 2) m - 3 else m + 9) + 2, 5) + @as(i128, d_) - 1;
    const doe = yoe * 365 + @divTrunc(yoe, 4) - @divTrunc(yoe, 100) + doy;
    return era * 146097 + doe - 719468;
}

pub fn isLeapYear(y: i64) bool {
    return @mod(y, 4) == 0 and (@mod(y, 100) != 0 or @mod(y, 400) == 0);
}

pub fn daysInMonth(y: i64, m: u8) u8 {
    return switch (m) {
        2 => if (isLeapYear(y)) 29 else 28,
        4, 6, 9, 11 => 30,
        else => 31,
    };
}

test civilFromDays {
    // Every day from -800000 to 800000 (about ±2190 years) round-trips, and consecutive days
    // advance the date by exactly one day.
    var prev = civilFromDays(-800001);
    var d: i64 = -800000;
    while (d <= 800000) : (d += 1) {
        const c = civilFromDays(d);
        try std.testing.expectEqual(@as(i128, d), daysFromCivil(c.year, c.month, c.day));
        if (c.day == 1) {
            try std.testing.expectEqual(daysInMonth(prev.year, prev.month), prev.day);
        } else {
            try std.testing.expectEqual(prev.day + 1, c.day);
        }
        prev = c;
    }
    try std.testing.expectEqual(Civil{ .year = 1970, .month = 1, .day = 1 }, civilFromDays(0));
    try std.testing.expectEqual(Civil{ .year = 0, .month = 2, .day = 29 }, civilFromDays(-719469));
    try std.testing.expectEqual(Civil{ .year = -1, .month = 12, .day = 31 }, civilFromDays(-719529));
}

test isLeapYear {
    try std.testing.expect(isLeapYear(2000));
    try std.testing.expect(isLeapYear(2024));
    try std.testing.expect(!isLeapYear(1900));
    try std.testing.expect(!isLeapYear(2100));
    try std.testing.expect(isLeapYear(0));
    try std.testing.expect(isLeapYear(-4));
    try std.testing.expectEqual(@as(u8, 29), daysInMonth(2024, 2));
    try std.testing.expectEqual(@as(u8, 28), daysInMonth(2023, 2));
    try std.testing.expectEqual(@as(u8, 30), daysInMonth(2023, 11));
}

/// All calendar fields of a timestamp.
pub const Fields = struct {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// 0 = Monday ... 6 = Sunday (Python's `weekday()`).
    weekday: u8,
    /// 1 ... 366.
    yday: u16,
};

pub fn fields(ts: i64) Fields {
    const days = @divFloor(ts, seconds_per_day);
    const secs: u32 = @intCast(@mod(ts, seconds_per_day));
    const c = civilFromDays(days);
    const jan1 = daysFromCivil(c.year, 1, 1);
    return .{
        .year = c.year,
        .month = c.month,
        .day = c.day,
        .hour = @intCast(secs / 3600),
        .minute = @intCast(secs / 60 % 60),
        .second = @intCast(secs % 60),
        .weekday = @intCast(@mod(days + 3, 7)), // 1970-01-01 was a Thursday
        .yday = @intCast(@as(i128, days) - jan1 + 1),
    };
}

/// Seconds since the Unix epoch (UTC). Backs `datetime_now`.
pub fn now() i64 {
    return std.time.timestamp();
}

/// Milliseconds since the Unix epoch. Backs `datetime_now_millis`.
pub fn nowMillis() i64 {
    return std.time.milliTimestamp();
}

/// Microseconds since the Unix epoch. Backs `datetime_now_micros`.
pub fn nowMicros() i64 {
    return @intCast(@divFloor(std.time.nanoTimestamp(), std.time.ns_per_us));
}

test now {
    const s = now();
    const ms = nowMillis();
    const us = nowMicros();
    // After 2023-11-14 (1.7e9) and consistent with each other to within a few seconds.
    try std.testing.expect(s > 1_700_000_000);
    try std.testing.expect(@abs(@divFloor(ms, 1000) - s) <= 2);
    try std.testing.expect(@abs(@divFloor(us, 1_000_000) - s) <= 2);
}

/// Year (astronomical numbering: 0 = 1 BC). Backs `datetime_year`.
pub fn year(ts: i64) i64 {
    return fields(ts).year;
}
/// Month, 1-12. Backs `datetime_month`.
pub fn month(ts: i64) i64 {
    return fields(ts).month;
}
/// Day of the month, 1-31. Backs `datetime_day`.
pub fn day(ts: i64) i64 {
    return fields(ts).day;
}
/// Hour, 0-23. Backs `datetime_hour`.
pub fn hour(ts: i64) i64 {
    return @intCast(@divFloor(@mod(ts, seconds_per_day), 3600));
}
/// Minute, 0-59. Backs `datetime_minute`.
pub fn minute(ts: i64) i64 {
    return @divFloor(@mod(ts, 3600), 60);
}
/// Second, 0-59. Backs `datetime_second`.
pub fn second(ts: i64) i64 {
    return @mod(ts, 60);
}
/// Day of the week, 0 = Monday ... 6 = Sunday. Backs `datetime_weekday`.
pub fn weekday(ts: i64) i64 {
    return fields(ts).weekday;
}
/// Day of the year, 1-366. Backs `datetime_day_of_year`.
pub fn dayOfYear(ts: i64) i64 {
    return fields(ts).yday;
}

const FieldCase = struct { ts: i64, y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8, wd: u8, yd: u16, iso: []const u8 };

// Expected values from Python 3.11: `datetime(1970,1,1,tzinfo=timezone.utc) + timedelta(seconds=ts)`,
// fields `.year .month .day .hour .minute .second .weekday() .timetuple().tm_yday`, typed in.
const field_cases = [_]FieldCase{
    .{ .ts = 0, .y = 1970, .mo = 1, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 3, .yd = 1, .iso = "1970-01-01T00:00:00Z" },
    .{ .ts = -1, .y = 1969, .mo = 12, .d = 31, .h = 23, .mi = 59, .s = 59, .wd = 2, .yd = 365, .iso = "1969-12-31T23:59:59Z" },
    .{ .ts = 1, .y = 1970, .mo = 1, .d = 1, .h = 0, .mi = 0, .s = 1, .wd = 3, .yd = 1, .iso = "1970-01-01T00:00:01Z" },
    .{ .ts = 86399, .y = 1970, .mo = 1, .d = 1, .h = 23, .mi = 59, .s = 59, .wd = 3, .yd = 1, .iso = "1970-01-01T23:59:59Z" },
    .{ .ts = 86400, .y = 1970, .mo = 1, .d = 2, .h = 0, .mi = 0, .s = 0, .wd = 4, .yd = 2, .iso = "1970-01-02T00:00:00Z" },
    .{ .ts = -86400, .y = 1969, .mo = 12, .d = 31, .h = 0, .mi = 0, .s = 0, .wd = 2, .yd = 365, .iso = "1969-12-31T00:00:00Z" },
    .{ .ts = -86401, .y = 1969, .mo = 12, .d = 30, .h = 23, .mi = 59, .s = 59, .wd = 1, .yd = 364, .iso = "1969-12-30T23:59:59Z" },
    .{ .ts = 951782400, .y = 2000, .mo = 2, .d = 29, .h = 0, .mi = 0, .s = 0, .wd = 1, .yd = 60, .iso = "2000-02-29T00:00:00Z" },
    .{ .ts = 951829261, .y = 2000, .mo = 2, .d = 29, .h = 13, .mi = 1, .s = 1, .wd = 1, .yd = 60, .iso = "2000-02-29T13:01:01Z" },
    .{ .ts = 951868800, .y = 2000, .mo = 3, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 2, .yd = 61, .iso = "2000-03-01T00:00:00Z" },
    .{ .ts = -2203891200, .y = 1900, .mo = 3, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 3, .yd = 60, .iso = "1900-03-01T00:00:00Z" },
    .{ .ts = -2203891201, .y = 1900, .mo = 2, .d = 28, .h = 23, .mi = 59, .s = 59, .wd = 2, .yd = 59, .iso = "1900-02-28T23:59:59Z" },
    .{ .ts = 4107456000, .y = 2100, .mo = 2, .d = 28, .h = 0, .mi = 0, .s = 0, .wd = 6, .yd = 59, .iso = "2100-02-28T00:00:00Z" },
    .{ .ts = 4107542400, .y = 2100, .mo = 3, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 0, .yd = 60, .iso = "2100-03-01T00:00:00Z" },
    .{ .ts = 253402300799, .y = 9999, .mo = 12, .d = 31, .h = 23, .mi = 59, .s = 59, .wd = 4, .yd = 365, .iso = "9999-12-31T23:59:59Z" },
    .{ .ts = -62135596800, .y = 1, .mo = 1, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 0, .yd = 1, .iso = "0001-01-01T00:00:00Z" },
    .{ .ts = -43200, .y = 1969, .mo = 12, .d = 31, .h = 12, .mi = 0, .s = 0, .wd = 2, .yd = 365, .iso = "1969-12-31T12:00:00Z" },
    .{ .ts = -11670976372, .y = 1600, .mo = 2, .d = 29, .h = 6, .mi = 7, .s = 8, .wd = 1, .yd = 60, .iso = "1600-02-29T06:07:08Z" },
    .{ .ts = 1709214300, .y = 2024, .mo = 2, .d = 29, .h = 13, .mi = 45, .s = 0, .wd = 3, .yd = 60, .iso = "2024-02-29T13:45:00Z" },
    .{ .ts = 1704067199, .y = 2023, .mo = 12, .d = 31, .h = 23, .mi = 59, .s = 59, .wd = 6, .yd = 365, .iso = "2023-12-31T23:59:59Z" },
    .{ .ts = 1735603200, .y = 2024, .mo = 12, .d = 31, .h = 0, .mi = 0, .s = 0, .wd = 1, .yd = 366, .iso = "2024-12-31T00:00:00Z" },
    .{ .ts = -12219292800, .y = 1582, .mo = 10, .d = 15, .h = 0, .mi = 0, .s = 0, .wd = 4, .yd = 288, .iso = "1582-10-15T00:00:00Z" },
    .{ .ts = -6857222400, .y = 1752, .mo = 9, .d = 14, .h = 0, .mi = 0, .s = 0, .wd = 3, .yd = 258, .iso = "1752-09-14T00:00:00Z" },
    .{ .ts = 2147483647, .y = 2038, .mo = 1, .d = 19, .h = 3, .mi = 14, .s = 7, .wd = 1, .yd = 19, .iso = "2038-01-19T03:14:07Z" },
    .{ .ts = 2147483648, .y = 2038, .mo = 1, .d = 19, .h = 3, .mi = 14, .s = 8, .wd = 1, .yd = 19, .iso = "2038-01-19T03:14:08Z" },
    .{ .ts = -2147483648, .y = 1901, .mo = 12, .d = 13, .h = 20, .mi = 45, .s = 52, .wd = 4, .yd = 347, .iso = "1901-12-13T20:45:52Z" },
    .{ .ts = 1700000000, .y = 2023, .mo = 11, .d = 14, .h = 22, .mi = 13, .s = 20, .wd = 1, .yd = 318, .iso = "2023-11-14T22:13:20Z" },
    .{ .ts = -5233420800, .y = 1804, .mo = 2, .d = 29, .h = 0, .mi = 0, .s = 0, .wd = 2, .yd = 60, .iso = "1804-02-29T00:00:00Z" },
    .{ .ts = 1078012799, .y = 2004, .mo = 2, .d = 28, .h = 23, .mi = 59, .s = 59, .wd = 5, .yd = 59, .iso = "2004-02-28T23:59:59Z" },
    .{ .ts = -49539254400, .y = 400, .mo = 3, .d = 1, .h = 0, .mi = 0, .s = 0, .wd = 2, .yd = 61, .iso = "0400-03-01T00:00:00Z" },
    .{ .ts = 86401, .y = 1970, .mo = 1, .d = 2, .h = 0, .mi = 0, .s = 1, .wd = 4, .yd = 2, .iso = "1970-01-02T00:00:01Z" },
    .{ .ts = 1234567890, .y = 2009, .mo = 2, .d = 13, .h = 23, .mi = 31, .s = 30, .wd = 4, .yd = 44, .iso = "2009-02-13T23:31:30Z" },
    .{ .ts = 1341100799, .y = 2012, .mo = 6, .d = 30, .h = 23, .mi = 59, .s = 59, .wd = 5, .yd = 182, .iso = "2012-06-30T23:59:59Z" },
    .{ .ts = 95633526645, .y = 5000, .mo = 7, .d = 4, .h = 12, .mi = 30, .s = 45, .wd = 4, .yd = 185, .iso = "5000-07-04T12:30:45Z" },
};

test fields {
    for (field_cases) |c| {
        const f = fields(c.ts);
        errdefer std.debug.print("timestamp {d}\n", .{c.ts});
        try std.testing.expectEqual(Fields{ .year = c.y, .month = c.mo, .day = c.d, .hour = c.h, .minute = c.mi, .second = c.s, .weekday = c.wd, .yday = c.yd }, f);
        try std.testing.expectEqual(c.y, year(c.ts));
        try std.testing.expectEqual(@as(i64, c.mo), month(c.ts));
        try std.testing.expectEqual(@as(i64, c.d), day(c.ts));
        try std.testing.expectEqual(@as(i64, c.h), hour(c.ts));
        try std.testing.expectEqual(@as(i64, c.mi), minute(c.ts));
        try std.testing.expectEqual(@as(i64, c.s), second(c.ts));
        try std.testing.expectEqual(@as(i64, c.wd), weekday(c.ts));
        try std.testing.expectEqual(@as(i64, c.yd), dayOfYear(c.ts));
        const iso = format(c.ts);
        defer rc.release(iso);
        try std.testing.expectEqualStrings(c.iso, iso.bytes());
        const back = parse(iso);
        defer rc.release(back);
        try std.testing.expectEqual(c.ts, back.Ok);
    }
}

test "fields at the ends of the i64 range" {
    const lo = fields(std.math.minInt(i64));
    const hi = fields(std.math.maxInt(i64));
    // 2^63 s is about 2.92e11 years; the exact dates follow from the day-count round trip.
    try std.testing.expectEqual(@as(i64, -292277022657), lo.year);
    try std.testing.expectEqual(@as(i64, 292277026596), hi.year);
    try std.testing.expectEqual(@as(i128, @divFloor(std.math.maxInt(i64), seconds_per_day)), daysFromCivil(hi.year, hi.month, hi.day));
    const s = format(std.math.maxInt(i64));
    defer rc.release(s);
    try std.testing.expectEqualStrings("+292277026596-12-04T15:30:07Z", s.bytes());
    const back = parse(s);
    try std.testing.expectEqual(@as(i64, std.math.maxInt(i64)), back.Ok);
}

/// `ts + n` seconds; faults on i64 overflow. Backs `datetime_add_seconds`.
pub fn addSeconds(ts: i64, n: i64, comptime loc: Loc) i64 {
    return core.add(i64, ts, n, loc);
}
/// `ts + 60 n`. Backs `datetime_add_minutes`.
pub fn addMinutes(ts: i64, n: i64, comptime loc: Loc) i64 {
    return core.add(i64, ts, core.mul(i64, n, 60, loc), loc);
}
/// `ts + 3600 n`. Backs `datetime_add_hours`.
pub fn addHours(ts: i64, n: i64, comptime loc: Loc) i64 {
    return core.add(i64, ts, core.mul(i64, n, 3600, loc), loc);
}
/// `ts + 86400 n` (UTC days have no DST changes). Backs `datetime_add_days`.
pub fn addDays(ts: i64, n: i64, comptime loc: Loc) i64 {
    return core.add(i64, ts, core.mul(i64, n, seconds_per_day, loc), loc);
}
/// `a - b` in seconds. Backs `datetime_diff_seconds`.
pub fn diffSeconds(a: i64, b: i64, comptime loc: Loc) i64 {
    return core.sub(i64, a, b, loc);
}

const tloc: Loc = .{ .func = "t", .line = 2, .col = 5 };

test addDays {
    const leap = 1709164800; // 2024-02-29
    try std.testing.expectEqual(@as(i64, 1709251200), addDays(leap, 1, tloc)); // 2024-03-01
    try std.testing.expectEqual(@as(i64, 1740787200), addDays(leap, 366, tloc)); // 2025-03-01
    try std.testing.expectEqual(@as(i64, -86400), addDays(0, -1, tloc));
    try std.testing.expectEqual(@as(i64, 3600 * 5 + 60 * 7 + 9), addSeconds(addMinutes(addHours(0, 5, tloc), 7, tloc), 9, tloc));
    try std.testing.expectEqual(@as(i64, -90), diffSeconds(10, 100, tloc));
    try core.expectExit(101, "error: integer overflow: 106751991167301 * 86400 does not fit in i64\n  --> <unknown>:2:5 (in function `t`)\n", addDays, .{ 0, 106751991167301, tloc });
    try core.expectExit(101, "error: integer overflow: 9223372036854775807 + 1 does not fit in i64\n  --> <unknown>:2:5 (in function `t`)\n", addSeconds, .{ std.math.maxInt(i64), 1, tloc });
}

/// The timestamp of a UTC calendar date and time; Err when a field is out of range (month
/// 1-12, day within the month, hour 0-23, minute 0-59, second 0-59) or the result does not fit
/// in i64. Backs `datetime_make`.
pub fn make(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) Result(i64, Str) {
    if (mo < 1 or mo > 12) return errf("datetime: month {d} out of range (1-12)", .{mo});
    const dim = daysInMonth(y, @intCast(mo));
    if (d < 1 or d > dim) return errf("datetime: day {d} out of range for {d}-{d:0>2} (1-{d})", .{ d, y, @as(u8, @intCast(mo)), dim });
    if (h < 0 or h > 23) return errf("datetime: hour {d} out of range (0-23)", .{h});
    if (mi < 0 or mi > 59) return errf("datetime: minute {d} out of range (0-59)", .{mi});
    if (s < 0 or s > 59) return errf("datetime: second {d} out of range (0-59)", .{s});
    const total = daysFromCivil(y, @intCast(mo), @intCast(d)) * seconds_per_day + h * 3600 + mi * 60 + s;
    const ts = std.math.cast(i64, total) orelse return errf("datetime: {d}-{d:0>2}-{d:0>2} is outside the range of i64 timestamps", .{ y, @as(u8, @intCast(mo)), @as(u8, @intCast(d)) });
    return .{ .Ok = ts };
}

fn errf(comptime fmt: []const u8, args: anytype) Result(i64, Str) {
    var b = str_mod.Builder.init();
    b.print(fmt, args);
    return .{ .Err = b.finish() };
}

test make {
    try std.testing.expectEqual(@as(i64, 1709214300), make(2024, 2, 29, 13, 45, 0).Ok);
    try std.testing.expectEqual(@as(i64, -62135596800), make(1, 1, 1, 0, 0, 0).Ok);
    const bad_day = make(2023, 2, 29, 0, 0, 0);
    defer rc.release(bad_day);
    try std.testing.expectEqualStrings("datetime: day 29 out of range for 2023-02 (1-28)", bad_day.Err.bytes());
    const bad_month = make(2023, 13, 1, 0, 0, 0);
    defer rc.release(bad_month);
    try std.testing.expectEqualStrings("datetime: month 13 out of range (1-12)", bad_month.Err.bytes());
    const bad_hour = make(2023, 1, 1, 24, 0, 0);
    defer rc.release(bad_hour);
    try std.testing.expectEqualStrings("datetime: hour 24 out of range (0-23)", bad_hour.Err.bytes());
    const far = make(300_000_000_000, 1, 1, 0, 0, 0);
    defer rc.release(far);
    try std.testing.expectEqualStrings("datetime: 300000000000-01-01 is outside the range of i64 timestamps", far.Err.bytes());
}

fn writeYear(w: anytype, y: i64) !void {
    if (y >= 0 and y <= 9999) {
        try w.print("{d:0>4}", .{@as(u64, @intCast(y))});
    } else {
        // ISO 8601 expanded representation: explicit sign, at least four digits.
        try w.print("{c}{d:0>4}", .{ @as(u8, if (y < 0) '-' else '+'), @abs(y) });
    }
}

/// ISO 8601 in UTC: `2024-02-29T13:45:00Z`. Years outside 0-9999 get a sign and at least four
/// digits (`+10000-01-01T00:00:00Z`, `-0001-12-31T00:00:00Z`). Backs `datetime_format`.
pub fn format(ts: i64) Str {
    const f = fields(ts);
    var b = str_mod.Builder.init();
    writeYear(b.writer(), f.year) catch unreachable;
    b.print("-{d:0>2}-{d:0>2}T{d:0>2}:{d:0>2}:{d:0>2}Z", .{ f.month, f.day, f.hour, f.minute, f.second });
    return b.finish();
}

test format {
    const s = format(1709214300);
    defer rc.release(s);
    try std.testing.expectEqualStrings("2024-02-29T13:45:00Z", s.bytes());
    const far = format(253402300800); // 10000-01-01
    defer rc.release(far);
    try std.testing.expectEqualStrings("+10000-01-01T00:00:00Z", far.bytes());
    const bc = format(-62198755200); // year -1 (2 BC), 01-01
    defer rc.release(bc);
    try std.testing.expectEqualStrings("-0001-01-01T00:00:00Z", bc.bytes());
}

const day_names = [_][]const u8{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
const month_names = [_][]const u8{ "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December" };

/// Formats with `strftime`-style directives (C locale, UTC): `%Y` year, `%m` month, `%d` day,
/// `%H` `%M` `%S`, `%j` day of year (3 digits), `%y` 2-digit year, `%a`/`%A` weekday name,
/// `%b`/`%B` month name, `%u` ISO weekday 1-7 (Monday 1), `%w` 0-6 (Sunday 0), `%F`
/// (`%Y-%m-%d`), `%T` (`%H:%M:%S`), `%s` the timestamp, `%z` `+0000`, `%Z` `UTC`, `%%`. Err for
/// any other directive. Backs `datetime_format_with`.
pub fn formatWith(ts: i64, pattern: Str) Result(Str, Str) {
    const f = fields(ts);
    var b = str_mod.Builder.init();
    const w = b.writer();
    const p = pattern.bytes();
    var i: usize = 0;
    while (i < p.len) : (i += 1) {
        if (p[i] != '%') {
            b.appendByte(p[i]);
            continue;
        }
        if (i + 1 >= p.len) {
            b.deinit();
            return .{ .Err = Str.fromSlice("datetime: format ends with a lone '%'") };
        }
        i += 1;
        switch (p[i]) {
            'Y' => writeYear(w, f.year) catch unreachable,
            'm' => b.print("{d:0>2}", .{f.month}),
            'd' => b.print("{d:0>2}", .{f.day}),
            'H' => b.print("{d:0>2}", .{f.hour}),
            'M' => b.print("{d:0>2}", .{f.minute}),
            'S' => b.print("{d:0>2}", .{f.second}),
            'j' => b.print("{d:0>3}", .{f.yday}),
            'y' => b.print("{d:0>2}", .{@as(u64, @intCast(@mod(f.year, 100)))}),
            'a' => b.append(day_names[f.weekday][0..3]),
            'A' => b.append(day_names[f.weekday]),
            'b' => b.append(month_names[f.month - 1][0..3]),
            'B' => b.append(month_names[f.month - 1]),
            'u' => b.print("{d}", .{f.weekday + 1}),
            'w' => b.print("{d}", .{(f.weekday + 1) % 7}),
            'F' => {
                writeYear(w, f.year) catch unreachable;
                b.print("-{d:0>2}-{d:0>2}", .{ f.month, f.day });
            },
            'T' => b.print("{d:0>2}:{d:0>2}:{d:0>2}", .{ f.hour, f.minute, f.second }),
            's' => b.print("{d}", .{ts}),
            'z' => b.append("+0000"),
            'Z' => b.append("UTC"),
            '%' => b.appendByte('%'),
            else => {
                b.deinit();
                var e = str_mod.Builder.init();
                e.print("datetime: unknown format directive '%{c}' at position {d}", .{ p[i], i - 1 });
                return .{ .Err = e.finish() };
            },
        }
    }
    return .{ .Ok = b.finish() };
}

const StrfCase = struct { f: []const u8, out: []const u8 };
// 2024-02-29T13:05:09Z formatted with Python's `strftime`, typed in.
const strf_cases = [_]StrfCase{
    .{ .f = "%Y-%m-%d %H:%M:%S", .out = "2024-02-29 13:05:09" },
    .{ .f = "%a %A %b %B", .out = "Thu Thursday Feb February" },
    .{ .f = "%j %u %w %y", .out = "060 4 4 24" },
    .{ .f = "%F %T", .out = "2024-02-29 13:05:09" },
    .{ .f = "100%%", .out = "100%" },
    .{ .f = "%d/%m/%Y", .out = "29/02/2024" },
};

test formatWith {
    const ts = 1709211909; // 2024-02-29T13:05:09Z
    inline for (strf_cases) |c| {
        const r = formatWith(ts, Str.lit(c.f));
        defer rc.release(r);
        try std.testing.expectEqualStrings(c.out, r.Ok.bytes());
    }
    const z = formatWith(ts, Str.lit("%s %z %Z"));
    defer rc.release(z);
    try std.testing.expectEqualStrings("1709211909 +0000 UTC", z.Ok.bytes());
    const bad = formatWith(ts, Str.lit("%Y-%q"));
    defer rc.release(bad);
    try std.testing.expectEqualStrings("datetime: unknown format directive '%q' at position 3", bad.Err.bytes());
    const lone = formatWith(ts, Str.lit("50%"));
    defer rc.release(lone);
    try std.testing.expectEqualStrings("datetime: format ends with a lone '%'", lone.Err.bytes());
}

/// Parses ISO 8601: `YYYY-MM-DD`, optionally followed by `T` (or `t` or a space) and
/// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fraction`, optionally followed by `Z` or an offset
/// `+hh:mm`/`-hh:mm`/`+hhmm`/`+hh`. Without an offset the time is UTC; the fraction is dropped
/// (the result is the whole second). Years may be written with a sign and more digits
/// (`+10000-01-01`), as `format` writes them. Err names the problem and the byte position:
/// `datetime: cannot parse "2024-13-01": month 13 out of range at position 5`. Backs
/// `datetime_parse`.
pub fn parse(s: Str) Result(i64, Str) {
    var p = IsoParser{ .src = s.bytes() };
    if (p.run()) |ts| return .{ .Ok = ts } else |_| {
        var b = str_mod.Builder.init();
        const shown = s.bytes()[0..@min(s.len, 64)];
        b.print("datetime: cannot parse \"{s}{s}\": {s} at position {d}", .{ shown, if (s.len > 64) "..." else "", p.msg, p.err_pos });
        return .{ .Err = b.finish() };
    }
}

/// The ISO 8601 reader behind `parse`, public so that `csv.zig` can place an error at its byte
/// position inside a line (`src` is the input; after `run` fails, `msg` and `err_pos` say why).
pub const IsoParser = struct {
    src: []const u8,
    pos: usize = 0,
    msg: []const u8 = "",
    msg_buf: [96]u8 = undefined,
    err_pos: usize = 0,

    fn fail(p: *IsoParser, at: usize, comptime fmt: []const u8, args: anytype) error{Invalid} {
        p.msg = std.fmt.bufPrint(&p.msg_buf, fmt, args) catch "invalid input";
        p.err_pos = at;
        return error.Invalid;
    }

    fn expect(p: *IsoParser, c: u8) !void {
        if (p.pos < p.src.len and p.src[p.pos] == c) {
            p.pos += 1;
            return;
        }
        if (p.pos >= p.src.len) return p.fail(p.pos, "expected '{c}' but the input ended", .{c});
        return p.fail(p.pos, "expected '{c}', found '{c}'", .{ c, p.src[p.pos] });
    }

    /// Exactly `n` digits.
    fn digits(p: *IsoParser, n: usize, what: []const u8) !i64 {
        var v: i64 = 0;
        for (0..n) |_| {
            if (p.pos >= p.src.len) return p.fail(p.pos, "expected {d} digits for the {s} but the input ended", .{ n, what });
            const c = p.src[p.pos];
            if (!std.ascii.isDigit(c)) return p.fail(p.pos, "expected {d} digits for the {s}, found '{c}'", .{ n, what, c });
            v = v * 10 + (c - '0');
            p.pos += 1;
        }
        return v;
    }

    fn peek(p: *IsoParser) ?u8 {
        return if (p.pos < p.src.len) p.src[p.pos] else null;
    }

    pub fn run(p: *IsoParser) !i64 {
        // Year: 4 digits, or a sign and 4+ digits.
        var y: i64 = undefined;
        if (p.peek() == '+' or p.peek() == '-') {
            const neg = p.src[0] == '-';
            p.pos += 1;
            const start = p.pos;
            while (p.pos < p.src.len and std.ascii.isDigit(p.src[p.pos])) p.pos += 1;
            if (p.pos - start < 4) return p.fail(start, "expected at least 4 digits for a signed year", .{});
            const mag = std.fmt.parseInt(i64, p.src[start..p.pos], 10) catch return p.fail(start, "year out of range", .{});
            y = if (neg) -mag else mag;
        } else {
            y = try p.digits(4, "year");
        }
        try p.expect('-');
        const mo_pos = p.pos;
        const mo = try p.digits(2, "month");
        if (mo < 1 or mo > 12) return p.fail(mo_pos, "month {d} out of range", .{mo});
        try p.expect('-');
        const d_pos = p.pos;
        const d = try p.digits(2, "day");
        const dim = daysInMonth(y, @intCast(mo));
        if (d < 1 or d > dim) return p.fail(d_pos, "day {d} out of range for month {d} (1-{d})", .{ d, mo, dim });
        var secs: i64 = 0;
        var offset: i64 = 0;
        if (p.peek()) |sep| {
            if (sep != 'T' and sep != 't' and sep != ' ') return p.fail(p.pos, "expected 'T' or the end of the input, found '{c}'", .{sep});
            p.pos += 1;
            const h_pos = p.pos;
            const h = try p.digits(2, "hour");
            if (h > 23) return p.fail(h_pos, "hour {d} out of range", .{h});
            try p.expect(':');
            const mi_pos = p.pos;
            const mi = try p.digits(2, "minute");
            if (mi > 59) return p.fail(mi_pos, "minute {d} out of range", .{mi});
            var sec: i64 = 0;
            if (p.peek() == ':') {
                p.pos += 1;
                const s_pos = p.pos;
                sec = try p.digits(2, "second");
                if (sec > 59) return p.fail(s_pos, "second {d} out of range", .{sec});
                if (p.peek() == '.' or p.peek() == ',') {
                    p.pos += 1;
                    const f_start = p.pos;
                    while (p.pos < p.src.len and std.ascii.isDigit(p.src[p.pos])) p.pos += 1;
                    if (p.pos == f_start) return p.fail(f_start, "expected digits after the decimal point", .{});
                }
            }
            secs = h * 3600 + mi * 60 + sec;
            if (p.peek()) |z| switch (z) {
                'Z', 'z' => p.pos += 1,
                '+', '-' => {
                    p.pos += 1;
                    const oh_pos = p.pos;
                    const oh = try p.digits(2, "offset hours");
                    if (oh > 23) return p.fail(oh_pos, "offset hours {d} out of range", .{oh});
                    var om: i64 = 0;
                    if (p.peek() == ':') p.pos += 1;
                    if (p.peek() != null) {
                        const om_pos = p.pos;
                        om = try p.digits(2, "offset minutes");
                        if (om > 59) return p.fail(om_pos, "offset minutes {d} out of range", .{om});
                    }
                    offset = (oh * 60 + om) * 60;
                    if (z == '-') offset = -offset;
                },
                else => return p.fail(p.pos, "expected 'Z', an offset or the end of the input, found '{c}'", .{z}),
            };
        }
        if (p.pos < p.src.len) return p.fail(p.pos, "unexpected '{c}' after the date-time", .{p.src[p.pos]});
        const total = daysFromCivil(y, @intCast(mo), @intCast(d)) * seconds_per_day + secs - offset;
        return std.math.cast(i64, total) orelse p.fail(0, "date outside the range of i64 timestamps", .{});
    }
};

const ParseCase = struct { s: []const u8, ts: i64 };
// Expected values from Python 3.11 `datetime.fromisoformat` (with `Z` written as `+00:00` and
// naive results taken as UTC), typed in.
const parse_cases = [_]ParseCase{
    .{ .s = "2024-02-29T13:45:00Z", .ts = 1709214300 },
    .{ .s = "2024-02-29T13:45:00+05:30", .ts = 1709194500 },
    .{ .s = "2024-02-29T13:45:00-08:00", .ts = 1709243100 },
    .{ .s = "2024-02-29", .ts = 1709164800 },
    .{ .s = "1969-12-31T23:59:59Z", .ts = -1 },
    .{ .s = "2000-01-01T00:00Z", .ts = 946684800 },
    .{ .s = "2021-06-15 08:30:15.999Z", .ts = 1623745815 },
    .{ .s = "2024-03-01T00:30:00+01:00", .ts = 1709249400 },
    .{ .s = "0001-01-01T00:00:00Z", .ts = -62135596800 },
    .{ .s = "9999-12-31T23:59:59Z", .ts = 253402300799 },
    .{ .s = "2020-01-01T00:00:00+0530", .ts = 1577817000 },
    .{ .s = "1900-03-01", .ts = -2203891200 },
};

test parse {
    inline for (parse_cases) |c| {
        const r = parse(Str.lit(c.s));
        defer rc.release(r);
        errdefer std.debug.print("input {s}\n", .{c.s});
        try std.testing.expect(r == .Ok);
        try std.testing.expectEqual(c.ts, r.Ok);
    }
    const Bad = struct { s: []const u8, msg: []const u8 };
    inline for ([_]Bad{
        .{ .s = "", .msg = "expected 4 digits for the year but the input ended at position 0" },
        .{ .s = "2024/02/29", .msg = "expected '-', found '/' at position 4" },
        .{ .s = "2024-13-01", .msg = "month 13 out of range at position 5" },
        .{ .s = "2023-02-29", .msg = "day 29 out of range for month 2 (1-28) at position 8" },
        .{ .s = "2024-02-30T00:00Z", .msg = "day 30 out of range for month 2 (1-29) at position 8" },
        .{ .s = "2024-02-2", .msg = "expected 2 digits for the day but the input ended at position 9" },
        .{ .s = "2024-02-29T24:00:00Z", .msg = "hour 24 out of range at position 11" },
        .{ .s = "2024-02-29T12:60Z", .msg = "minute 60 out of range at position 14" },
        .{ .s = "2024-02-29T12:00:61", .msg = "second 61 out of range at position 17" },
        .{ .s = "2024-02-29T12", .msg = "expected ':' but the input ended at position 13" },
        .{ .s = "2024-02-29X12:00", .msg = "expected 'T' or the end of the input, found 'X' at position 10" },
        .{ .s = "2024-02-29T12:00:00+25:00", .msg = "offset hours 25 out of range at position 20" },
        .{ .s = "2024-02-29T12:00:00+05:3", .msg = "expected 2 digits for the offset minutes but the input ended at position 24" },
        .{ .s = "2024-02-29T12:00:00Zjunk", .msg = "unexpected 'j' after the date-time at position 20" },
        .{ .s = "2024-02-29T12:00:00.Z", .msg = "expected digits after the decimal point at position 20" },
        .{ .s = "2024-02-29T12:00:00 UTC", .msg = "expected 'Z', an offset or the end of the input, found ' ' at position 19" },
        .{ .s = "+99999999999999999999-01-01", .msg = "year out of range at position 1" },
        .{ .s = "+300000000000-01-01", .msg = "date outside the range of i64 timestamps at position 0" },
    }) |c| {
        const r = parse(Str.lit(c.s));
        defer rc.release(r);
        try std.testing.expectEqualStrings("datetime: cannot parse \"" ++ c.s ++ "\": " ++ c.msg, r.Err.bytes());
    }
}

/// Sleeps for `n` seconds (nothing for n <= 0). Backs `sleep_seconds`.
pub fn sleepSeconds(n: i64) void {
    if (n > 0) std.Thread.sleep(@as(u64, @intCast(n)) *| std.time.ns_per_s);
}

/// Sleeps for `n` milliseconds (nothing for n <= 0). Backs `sleep_millis`.
pub fn sleepMillis(n: i64) void {
    if (n > 0) std.Thread.sleep(@as(u64, @intCast(n)) *| std.time.ns_per_ms);
}

test sleepMillis {
    var timer = try std.time.Timer.start();
    sleepMillis(20);
    sleepSeconds(0);
    sleepMillis(-5);
    const ns = timer.read();
    try std.testing.expect(ns >= 20 * std.time.ns_per_ms);
    try std.testing.expect(ns < 2 * std.time.ns_per_s);
}
