//! The `datetime_*` built-ins with the runtime's results (`runtime/datetime.zig`): Unix
//! timestamps in whole seconds, UTC, the proleptic Gregorian calendar through Howard Hinnant's
//! era-based day counts, ISO 8601 formatting and parsing with the same `Err` texts, and the
//! same overflow faults. `datetime_now*` read the clock, as compiled code does, so their values
//! differ between any two runs; `sleep_*` sleep.

use super::arith::int_binary;
use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use crate::ast::BinOp;
use crate::types::IntTy;

const SECONDS_PER_DAY: i64 = 86400;

/// Runs datetime built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let int = |i: usize| match args.get(i) {
        Some(Value::Int(v)) => *v as i64,
        _ => 0,
    };
    let plain = |v: i64| Ok(Reply::Plain(Value::Int(i128::from(v))));
    let (ts, n) = (int(0), int(1));
    let f = || fields(ts);
    Some(match name {
        "datetime_now" => plain(now().as_secs() as i64),
        "datetime_now_millis" => plain(now().as_millis() as i64),
        "datetime_now_micros" => plain(now().as_micros() as i64),
        "datetime_year" => plain(f().year),
        "datetime_month" => plain(i64::from(f().month)),
        "datetime_day" => plain(i64::from(f().day)),
        "datetime_hour" => plain(ts.rem_euclid(SECONDS_PER_DAY) / 3600),
        "datetime_minute" => plain(ts.rem_euclid(3600) / 60),
        "datetime_second" => plain(ts.rem_euclid(60)),
        "datetime_weekday" => plain(i64::from(f().weekday)),
        "datetime_day_of_year" => plain(f().yday),
        "datetime_add_seconds" => checked(ts, n, 1, BinOp::Add, loc),
        "datetime_add_minutes" => checked(ts, n, 60, BinOp::Add, loc),
        "datetime_add_hours" => checked(ts, n, 3600, BinOp::Add, loc),
        "datetime_add_days" => checked(ts, n, SECONDS_PER_DAY, BinOp::Add, loc),
        "datetime_diff_seconds" => checked(ts, n, 1, BinOp::Sub, loc),
        "datetime_make" => Ok(Reply::Result(make(ts, n, int(2), int(3), int(4), int(5)).map(|v| Value::Int(i128::from(v))))),
        "datetime_format" => Ok(Reply::Plain(Value::str(&format(ts)))),
        "datetime_format_with" => match args.get(1) {
            Some(Value::Str(pattern)) => text_reply(format_with(ts, pattern.as_bytes()), loc),
            _ => return None,
        },
        "datetime_parse" => match args.first() {
            Some(Value::Str(s)) => match parse(s.as_bytes()) {
                Ok(v) => Ok(Reply::Result(Ok(Value::Int(i128::from(v))))),
                Err(message) => utf8(message, loc).map(|m| Reply::Result(Err(m))),
            },
            _ => return None,
        },
        "datetime_is_leap_year" => Ok(Reply::Plain(Value::Bool(is_leap_year(ts)))),
        "datetime_days_in_month" => {
            if !(1..=12).contains(&n) {
                return Some(Err(Stop::fault(format!("datetime_days_in_month: month {n} out of range (1-12)"), loc)));
            }
            plain(i64::from(days_in_month(ts, n as u8)))
        }
        "sleep_seconds" => sleep(ts, 1000),
        "sleep_millis" => sleep(ts, 1),
        _ => return None,
    })
}

fn now() -> std::time::Duration {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default()
}

fn sleep(n: i64, millis_per_unit: u64) -> Result<Reply, Stop> {
    if n > 0 {
        std::thread::sleep(std::time::Duration::from_millis((n as u64).saturating_mul(millis_per_unit)));
    }
    Ok(Reply::Plain(Value::Void))
}

/// `ts op n * unit` with the runtime's checked i64 arithmetic (the same overflow faults).
fn checked(ts: i64, n: i64, unit: i64, op: BinOp, loc: &Loc) -> Result<Reply, Stop> {
    let step = if unit == 1 { i128::from(n) } else { int_binary(BinOp::Mul, IntTy::I64, i128::from(n), i128::from(unit), loc)? };
    Ok(Reply::Plain(Value::Int(int_binary(op, IntTy::I64, i128::from(ts), step, loc)?)))
}

/// Text the runtime builds from input bytes: refused when it is not UTF-8 (an error message
/// that quotes part of a multi-byte character), never altered.
fn utf8(bytes: Vec<u8>, loc: &Loc) -> Result<String, Stop> {
    String::from_utf8(bytes).map_err(|_| Stop::unsupported("a datetime text that splits a UTF-8 character", loc))
}

fn text_reply(r: Result<Vec<u8>, Vec<u8>>, loc: &Loc) -> Result<Reply, Stop> {
    Ok(Reply::Result(match r {
        Ok(t) => Ok(Value::str(&utf8(t, loc)?)),
        Err(e) => Err(utf8(e, loc)?),
    }))
}

struct Civil {
    year: i64,
    month: u8,
    day: u8,
}

/// The date `days` days after 1970-01-01.
fn civil_from_days(days: i64) -> Civil {
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    Civil { year: yoe + era * 400 + i64::from(m <= 2), month: m as u8, day: d as u8 }
}

/// Days from 1970-01-01 to the date (not validated), in i128 for any i64 year.
fn days_from_civil(y: i64, m: u8, d: u8) -> i128 {
    let y = i128::from(y) - i128::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i128::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i128::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn is_leap_year(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        2 if is_leap_year(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Fields {
    year: i64,
    month: u8,
    day: u8,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 = Monday ... 6 = Sunday.
    weekday: u8,
    yday: i64,
}

fn fields(ts: i64) -> Fields {
    let days = ts.div_euclid(SECONDS_PER_DAY);
    let secs = ts.rem_euclid(SECONDS_PER_DAY);
    let c = civil_from_days(days);
    let jan1 = days_from_civil(c.year, 1, 1);
    Fields {
        year: c.year,
        month: c.month,
        day: c.day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        weekday: (days + 3).rem_euclid(7) as u8,
        yday: (i128::from(days) - jan1 + 1) as i64,
    }
}

fn make(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Result<i64, String> {
    if !(1..=12).contains(&mo) {
        return Err(format!("datetime: month {mo} out of range (1-12)"));
    }
    let dim = days_in_month(y, mo as u8);
    if d < 1 || d > i64::from(dim) {
        return Err(format!("datetime: day {d} out of range for {y}-{mo:02} (1-{dim})"));
    }
    if !(0..=23).contains(&h) {
        return Err(format!("datetime: hour {h} out of range (0-23)"));
    }
    if !(0..=59).contains(&mi) {
        return Err(format!("datetime: minute {mi} out of range (0-59)"));
    }
    if !(0..=59).contains(&s) {
        return Err(format!("datetime: second {s} out of range (0-59)"));
    }
    let total = days_from_civil(y, mo as u8, d as u8) * i128::from(SECONDS_PER_DAY) + i128::from(h * 3600 + mi * 60 + s);
    i64::try_from(total).map_err(|_| format!("datetime: {y}-{mo:02}-{d:02} is outside the range of i64 timestamps"))
}

/// Four digits for years 0-9999, else a sign and at least four digits (ISO 8601 expanded).
fn year_text(y: i64) -> String {
    if (0..=9999).contains(&y) { format!("{y:04}") } else { format!("{}{:04}", if y < 0 { '-' } else { '+' }, y.unsigned_abs()) }
}

fn format(ts: i64) -> String {
    let f = fields(ts);
    format!("{}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year_text(f.year), f.month, f.day, f.hour, f.minute, f.second)
}

const DAY_NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_NAMES: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// `strftime`-style formatting (C locale, UTC), the runtime's directives and errors.
fn format_with(ts: i64, p: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    let f = fields(ts);
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        if p[i] != b'%' {
            out.push(p[i]);
            i += 1;
            continue;
        }
        if i + 1 >= p.len() {
            return Err(b"datetime: format ends with a lone '%'".to_vec());
        }
        i += 1;
        let piece = match p[i] {
            b'Y' => year_text(f.year),
            b'm' => format!("{:02}", f.month),
            b'd' => format!("{:02}", f.day),
            b'H' => format!("{:02}", f.hour),
            b'M' => format!("{:02}", f.minute),
            b'S' => format!("{:02}", f.second),
            b'j' => format!("{:03}", f.yday),
            b'y' => format!("{:02}", f.year.rem_euclid(100)),
            b'a' => DAY_NAMES[f.weekday as usize][..3].to_string(),
            b'A' => DAY_NAMES[f.weekday as usize].to_string(),
            b'b' => MONTH_NAMES[f.month as usize - 1][..3].to_string(),
            b'B' => MONTH_NAMES[f.month as usize - 1].to_string(),
            b'u' => (f.weekday + 1).to_string(),
            b'w' => ((f.weekday + 1) % 7).to_string(),
            b'F' => format!("{}-{:02}-{:02}", year_text(f.year), f.month, f.day),
            b'T' => format!("{:02}:{:02}:{:02}", f.hour, f.minute, f.second),
            b's' => ts.to_string(),
            b'z' => "+0000".into(),
            b'Z' => "UTC".into(),
            b'%' => "%".into(),
            other => {
                let mut e = b"datetime: unknown format directive '%".to_vec();
                e.push(other);
                e.extend_from_slice(format!("' at position {}", i - 1).as_bytes());
                return Err(e);
            }
        };
        out.extend_from_slice(piece.as_bytes());
        i += 1;
    }
    Ok(out)
}

/// `datetime.parse`: the timestamp, or the runtime's error text (as bytes: it may quote input).
fn parse(s: &[u8]) -> Result<i64, Vec<u8>> {
    let mut p = IsoParser { src: s, pos: 0 };
    p.run().map_err(|(message, at)| {
        let mut e = b"datetime: cannot parse \"".to_vec();
        e.extend_from_slice(&s[..s.len().min(64)]);
        if s.len() > 64 {
            e.extend_from_slice(b"...");
        }
        e.extend_from_slice(b"\": ");
        e.extend_from_slice(&message);
        e.extend_from_slice(format!(" at position {at}").as_bytes());
        e
    })
}

/// Reads an ISO 8601 date-time (`datetime.IsoParser.run`): the timestamp, or the problem's
/// message and its byte position in `s`. The CSV metric rows read their timestamps with it.
pub fn parse_iso(s: &[u8]) -> Result<i64, (Vec<u8>, usize)> {
    IsoParser { src: s, pos: 0 }.run()
}

/// An ISO 8601 reading problem: the message (bytes, it may quote one input byte) and position.
type Problem = (Vec<u8>, usize);

struct IsoParser<'a> {
    src: &'a [u8],
    pos: usize,
}

/// A message with one quoted byte in the middle: `before'c'after`.
fn quoting(before: &str, c: u8, after: &str) -> Vec<u8> {
    let mut m = before.as_bytes().to_vec();
    m.push(b'\'');
    m.push(c);
    m.push(b'\'');
    m.extend_from_slice(after.as_bytes());
    m
}

impl IsoParser<'_> {
    fn fail<T>(&self, at: usize, message: impl Into<Vec<u8>>) -> Result<T, Problem> {
        Err((message.into(), at))
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), Problem> {
        match self.peek() {
            Some(found) if found == c => {
                self.pos += 1;
                Ok(())
            }
            None => self.fail(self.pos, quoting("expected ", c, " but the input ended")),
            Some(found) => {
                let mut m = quoting("expected ", c, ", found ");
                m.extend_from_slice(&quoting("", found, ""));
                self.fail(self.pos, m)
            }
        }
    }

    /// Exactly `n` digits.
    fn digits(&mut self, n: usize, what: &str) -> Result<i64, Problem> {
        let mut v = 0i64;
        for _ in 0..n {
            match self.peek() {
                None => return self.fail(self.pos, format!("expected {n} digits for the {what} but the input ended")),
                Some(c) if !c.is_ascii_digit() => return self.fail(self.pos, quoting(&format!("expected {n} digits for the {what}, found "), c, "")),
                Some(c) => {
                    v = v * 10 + i64::from(c - b'0');
                    self.pos += 1;
                }
            }
        }
        Ok(v)
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn year(&mut self) -> Result<i64, Problem> {
        if !matches!(self.peek(), Some(b'+' | b'-')) {
            return self.digits(4, "year");
        }
        let negative = self.src[0] == b'-';
        self.pos += 1;
        let start = self.pos;
        self.skip_digits();
        if self.pos - start < 4 {
            return self.fail(start, "expected at least 4 digits for a signed year");
        }
        let magnitude = std::str::from_utf8(&self.src[start..self.pos]).ok().and_then(|t| t.parse::<i64>().ok());
        match magnitude {
            Some(m) => Ok(if negative { -m } else { m }),
            None => self.fail(start, "year out of range"),
        }
    }

    /// A field of `n` digits no greater than `max`.
    fn bounded(&mut self, what: &str, max: i64) -> Result<i64, Problem> {
        let at = self.pos;
        let v = self.digits(2, what)?;
        if v > max {
            return self.fail(at, format!("{what} {v} out of range"));
        }
        Ok(v)
    }

    fn run(&mut self) -> Result<i64, Problem> {
        let y = self.year()?;
        self.expect(b'-')?;
        let mo_pos = self.pos;
        let mo = self.digits(2, "month")?;
        if !(1..=12).contains(&mo) {
            return self.fail(mo_pos, format!("month {mo} out of range"));
        }
        self.expect(b'-')?;
        let d_pos = self.pos;
        let d = self.digits(2, "day")?;
        let dim = days_in_month(y, mo as u8);
        if d < 1 || d > i64::from(dim) {
            return self.fail(d_pos, format!("day {d} out of range for month {mo} (1-{dim})"));
        }
        let (mut secs, mut offset) = (0i64, 0i64);
        if let Some(sep) = self.peek() {
            if !matches!(sep, b'T' | b't' | b' ') {
                return self.fail(self.pos, quoting("expected 'T' or the end of the input, found ", sep, ""));
            }
            self.pos += 1;
            let h = self.bounded("hour", 23)?;
            self.expect(b':')?;
            let mi = self.bounded("minute", 59)?;
            let mut sec = 0;
            if self.peek() == Some(b':') {
                self.pos += 1;
                sec = self.bounded("second", 59)?;
                if matches!(self.peek(), Some(b'.' | b',')) {
                    self.pos += 1;
                    let start = self.pos;
                    self.skip_digits();
                    if self.pos == start {
                        return self.fail(start, "expected digits after the decimal point");
                    }
                }
            }
            secs = h * 3600 + mi * 60 + sec;
            offset = self.offset()?;
        }
        if let Some(c) = self.peek() {
            return self.fail(self.pos, quoting("unexpected ", c, " after the date-time"));
        }
        let total = days_from_civil(y, mo as u8, d as u8) * i128::from(SECONDS_PER_DAY) + i128::from(secs - offset);
        i64::try_from(total).or_else(|_| self.fail(0, "date outside the range of i64 timestamps"))
    }

    /// `Z`, `+hh:mm`, `+hhmm`, `+hh` (or `-`), or nothing; the offset in seconds.
    fn offset(&mut self) -> Result<i64, Problem> {
        let Some(z) = self.peek() else { return Ok(0) };
        match z {
            b'Z' | b'z' => {
                self.pos += 1;
                Ok(0)
            }
            b'+' | b'-' => {
                self.pos += 1;
                let oh = self.bounded("offset hours", 23)?;
                if self.peek() == Some(b':') {
                    self.pos += 1;
                }
                let om = if self.peek().is_some() { self.bounded("offset minutes", 59)? } else { 0 };
                let offset = (oh * 60 + om) * 60;
                Ok(if z == b'-' { -offset } else { offset })
            }
            other => self.fail(self.pos, quoting("expected 'Z', an offset or the end of the input, found ", other, "")),
        }
    }
}
