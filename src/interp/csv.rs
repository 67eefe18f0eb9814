//! The CSV, metric-stream and standard-input built-ins with the runtime's results
//! (`runtime/csv.zig`): RFC 4180 records (quoted fields, `""` for a quote, LF or CRLF line
//! breaks), `csv_read` with the header's field count, metric rows `timestamp,value[,value…]`
//! (a timestamp in seconds or ISO 8601, values as `str_parse_float` reads them), and the same
//! error texts placed at a column (`csv: column 3: …`) or at `source:line:column`.
//! `stdin_read_line` reads the run's standard input a line at a time (see [`super::stdin`]).
//! Texts are handled as bytes, as in the runtime; a message that would cut a UTF-8 character
//! (it quotes at most 40 bytes of a field) is refused rather than altered.

use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use std::rc::Rc;

/// Most bytes of a field an error message quotes.
const MAX_QUOTED: usize = 40;

/// A problem: its message (bytes, it may quote input) and the byte offset it is placed at.
type Problem = (Vec<u8>, usize);

type Parsed<T> = Result<T, Problem>;

fn problem<T>(at: usize, message: impl Into<Vec<u8>>) -> Parsed<T> {
    Err((message.into(), at))
}

/// Runs CSV built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    Some(match name {
        "csv_parse_row" => outcome(parse_row(text(0).as_bytes()).map(strings), loc),
        "csv_read" => read_file("csv_read", &text(0), loc).and_then(|file| match file {
            Ok(content) => outcome(read_records(&text(0), content.as_bytes()).map(|rows| list(rows.into_iter().map(strings))), loc),
            Err(e) => Ok(Reply::Result(Err(e))),
        }),
        "metric_parse_row" => {
            let line_no = match args.get(2) {
                Some(Value::Int(n)) => *n as i64,
                _ => 1,
            };
            outcome(parse_metric_row(text(0).as_bytes(), &text(1), line_no).map(floats), loc)
        }
        "metrics_read" => read_file("metrics_read", &text(0), loc).and_then(|file| match file {
            Ok(content) => outcome(read_metrics(&text(0), content.as_bytes()).map(|rows| list(rows.into_iter().map(floats))), loc),
            Err(e) => Ok(Reply::Result(Err(e))),
        }),
        "stdin_read_line" => super::stdin::read_line(loc).map(|line| Reply::Option(line.map(|l| Value::str(&l)))),
        _ => return None,
    })
}

fn list(items: impl Iterator<Item = Value>) -> Value {
    Value::List(Rc::new(items.collect()))
}

fn strings(fields: Vec<Vec<u8>>) -> Value {
    // Fields are cut from UTF-8 text at ASCII bytes only, so each is UTF-8.
    list(fields.into_iter().map(|f| Value::str(&String::from_utf8_lossy(&f))))
}

fn floats(row: Vec<f64>) -> Value {
    list(row.into_iter().map(Value::Float))
}

/// The `Result` payload; an error text that is not UTF-8 is refused.
fn outcome(r: Result<Value, Vec<u8>>, loc: &Loc) -> Result<Reply, Stop> {
    match r {
        Ok(v) => Ok(Reply::Result(Ok(v))),
        Err(message) => match String::from_utf8(message) {
            Ok(m) => Ok(Reply::Result(Err(m))),
            Err(_) => Err(Stop::unsupported("a CSV error message that splits a UTF-8 character", loc)),
        },
    }
}

/// `file_read`, with its error texts under the name `op` (`csv_read: cannot open 'x': …`).
fn read_file(op: &str, path: &str, loc: &Loc) -> Result<Result<String, String>, Stop> {
    Ok(match super::files::read(path, loc)? {
        Ok(Value::Str(text)) => Ok(text.to_string()),
        Ok(_) => Ok(String::new()),
        Err(e) => Err(match e.strip_prefix("file_read") {
            Some(rest) => format!("{op}{rest}"),
            None => e,
        }),
    })
}

// ----- Records ---------------------------------------------------------------------------------

/// The length of the line break at `i` (LF, CRLF, or a CR ending the text), if there is one.
fn line_break_at(text: &[u8], i: usize) -> Option<usize> {
    match (text.get(i), text.get(i + 1)) {
        (Some(b'\n'), _) => Some(1),
        (Some(b'\r'), None) => Some(1),
        (Some(b'\r'), Some(b'\n')) => Some(2),
        _ => None,
    }
}

/// `'c'` for a printable ASCII byte, else `byte 0x..`.
fn shown(c: u8) -> String {
    if (0x20..0x7f).contains(&c) { format!("'{}'", c as char) } else { format!("byte 0x{c:02x}") }
}

/// One record: its fields and the byte offset each starts at.
#[derive(Default)]
struct Record {
    fields: Vec<Vec<u8>>,
    starts: Vec<usize>,
}

/// Reads the record at `*pos`, leaving `*pos` after its line break.
fn read_record(text: &[u8], pos: &mut usize) -> Parsed<Record> {
    let mut rec = Record::default();
    let mut i = *pos;
    loop {
        rec.starts.push(i);
        if text.get(i) == Some(&b'"') {
            i = read_quoted(text, i, &mut rec)?;
        } else {
            let start = i;
            while i < text.len() && text[i] != b',' && line_break_at(text, i).is_none() {
                if text[i] == b'"' {
                    return problem(i, "unexpected '\"' inside an unquoted field (quote the whole field and write a quote as \"\")");
                }
                i += 1;
            }
            rec.fields.push(text[start..i].to_vec());
        }
        if text.get(i) == Some(&b',') {
            i += 1;
            continue;
        }
        *pos = i + line_break_at(text, i).unwrap_or(0);
        return Ok(rec);
    }
}

/// Reads the quoted field opening at `open`; the offset after its closing quote.
fn read_quoted(text: &[u8], open: usize, rec: &mut Record) -> Parsed<usize> {
    let mut field = Vec::new();
    let mut i = open + 1;
    loop {
        match (text.get(i), text.get(i + 1)) {
            (None, _) => return problem(open, "unterminated quoted field (the closing '\"' is missing)"),
            (Some(b'"'), Some(b'"')) => {
                field.push(b'"');
                i += 2;
            }
            (Some(b'"'), _) => {
                i += 1;
                break;
            }
            (Some(&c), _) => {
                field.push(c);
                i += 1;
            }
        }
    }
    rec.fields.push(field);
    if i < text.len() && text[i] != b',' && line_break_at(text, i).is_none() {
        return problem(i, format!("expected ',' or the end of the line after a quoted field, found {}", shown(text[i])));
    }
    Ok(i)
}

/// `csv: source:line:column: message`, the line counted from `first_line`.
fn located(source: &str, text: &[u8], first_line: i64, (message, offset): Problem) -> Vec<u8> {
    let before = &text[..offset.min(text.len())];
    let line_start = before.iter().rposition(|&c| c == b'\n').map_or(0, |k| k + 1);
    let breaks = before.iter().filter(|&&c| c == b'\n').count() as i64;
    let mut out = format!("csv: {source}:{}:{}: ", first_line.wrapping_add(breaks), offset - line_start + 1).into_bytes();
    out.extend_from_slice(&message);
    out
}

/// `csv: column C: message`.
fn at_column((message, offset): Problem) -> Vec<u8> {
    let mut out = format!("csv: column {}: ", offset + 1).into_bytes();
    out.extend_from_slice(&message);
    out
}

const SECOND_LINE: &str = "expected one line, found a second one (a line break outside quotes)";

/// `csv_parse_row`: the fields of one line (a final line break allowed).
fn parse_row(text: &[u8]) -> Result<Vec<Vec<u8>>, Vec<u8>> {
    let mut pos = 0;
    let rec = read_record(text, &mut pos).map_err(at_column)?;
    if pos < text.len() {
        return Err(at_column((SECOND_LINE.into(), pos)));
    }
    Ok(rec.fields)
}

/// `csv_read`: every record, each with the first one's field count; blank lines skipped.
fn read_records(path: &str, text: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, Vec<u8>> {
    let mut rows = Vec::new();
    let mut pos = 0;
    let mut width = None;
    while pos < text.len() {
        if let Some(n) = line_break_at(text, pos) {
            pos += n;
            continue;
        }
        let start = pos;
        let rec = read_record(text, &mut pos).map_err(|p| located(path, text, 1, p))?;
        let n = rec.fields.len();
        if let Some(w) = width
            && w != n
        {
            return Err(located(path, text, 1, (format!("expected {w} fields as in the header, found {n}").into(), start)));
        }
        width = Some(n);
        rows.push(rec.fields);
    }
    Ok(rows)
}

// ----- Metric rows -----------------------------------------------------------------------------

/// A field without its leading and trailing spaces and tabs, and where that starts.
fn trimmed(field: &[u8], start: usize) -> (usize, &[u8]) {
    let lead = field.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    let rest = &field[lead..];
    let trail = rest.iter().rev().take_while(|&&c| c == b' ' || c == b'\t').count();
    (start + lead, &rest[..rest.len() - trail])
}

fn quoted_part(text: &[u8]) -> &[u8] {
    &text[..text.len().min(MAX_QUOTED)]
}

/// A timestamp field: whole seconds (optionally signed) or an ISO 8601 date-time.
fn timestamp(field: &[u8], start: usize) -> Parsed<i64> {
    let (at, text) = trimmed(field, start);
    if text.is_empty() {
        return problem(start, "expected a timestamp (YYYY-MM-DD HH:MM:SS, ISO 8601 or seconds since 1970), found an empty field");
    }
    let digits = match text[0] {
        b'-' | b'+' => &text[1..],
        _ => text,
    };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        // ASCII digits with an optional sign: `parse` fails only out of range.
        return std::str::from_utf8(text).ok().and_then(|t| t.parse::<i64>().ok()).map_or_else(
            || {
                let mut m = b"timestamp ".to_vec();
                m.extend_from_slice(quoted_part(text));
                m.extend_from_slice(b" out of range of i64 seconds");
                problem(at, m)
            },
            Ok,
        );
    }
    super::datetime::parse_iso(text).or_else(|(message, offset)| {
        let mut m = b"expected a timestamp (YYYY-MM-DD HH:MM:SS, ISO 8601 or seconds since 1970): ".to_vec();
        m.extend_from_slice(&message);
        problem(at + offset, m)
    })
}

/// A value field, read as `str_parse_float` reads it.
fn number(field: &[u8], start: usize) -> Parsed<f64> {
    let (at, text) = trimmed(field, start);
    if text.is_empty() {
        return problem(start, "expected a number, found an empty field");
    }
    let parsed = std::str::from_utf8(text).ok().and_then(|t| super::builtins::parse_float(t).ok());
    match parsed {
        Some(Value::Float(x)) => Ok(x),
        _ => {
            let mut m = b"expected a number, found \"".to_vec();
            m.extend_from_slice(quoted_part(text));
            m.extend_from_slice(if text.len() > MAX_QUOTED { b"...\"" } else { b"\"" });
            problem(at, m)
        }
    }
}

/// Reads the metric row at `*pos`: the timestamp and values, and its field count.
fn metric_row(text: &[u8], pos: &mut usize) -> Parsed<(Vec<f64>, usize)> {
    let rec = read_record(text, pos)?;
    let n = rec.starts.len();
    if n < 2 {
        return problem(rec.starts[0] + rec.fields[0].len(), "expected ',' and a value after the timestamp (a row is timestamp,value[,value...])");
    }
    let mut row = vec![timestamp(&rec.fields[0], rec.starts[0])? as f64];
    for i in 1..n {
        row.push(number(&rec.fields[i], rec.starts[i])?);
    }
    Ok((row, n))
}

/// `metric_parse_row(line, source, line_no)`.
fn parse_metric_row(text: &[u8], source: &str, line_no: i64) -> Result<Vec<f64>, Vec<u8>> {
    let mut pos = 0;
    let (row, _) = metric_row(text, &mut pos).map_err(|p| located(source, text, line_no, p))?;
    if pos < text.len() {
        return Err(located(source, text, line_no, (SECOND_LINE.into(), pos)));
    }
    Ok(row)
}

fn skip_blank_lines(text: &[u8], mut pos: usize) -> usize {
    while let Some(n) = line_break_at(text, pos) {
        pos += n;
    }
    pos
}

/// The header line at `*pos`: its field count (a data row there is an error).
fn header(text: &[u8], pos: &mut usize) -> Parsed<usize> {
    let start = *pos;
    let rec = read_record(text, pos)?;
    if timestamp(&rec.fields[0], start).is_ok() {
        return problem(start, "expected a header line (e.g. timestamp,value), found a data row");
    }
    if rec.starts.len() < 2 {
        return problem(start, "expected a header with a timestamp column and at least one value column, found 1 field");
    }
    Ok(rec.starts.len())
}

/// `metrics_read`: the rows after the header, each with the header's field count.
fn read_metrics(path: &str, text: &[u8]) -> Result<Vec<Vec<f64>>, Vec<u8>> {
    collect_metrics(text).map_err(|p| located(path, text, 1, p))
}

fn collect_metrics(text: &[u8]) -> Parsed<Vec<Vec<f64>>> {
    let mut pos = skip_blank_lines(text, 0);
    if pos >= text.len() {
        return problem(pos, "expected a header line (e.g. timestamp,value), found an empty file");
    }
    let width = header(text, &mut pos)?;
    let mut rows = Vec::new();
    loop {
        pos = skip_blank_lines(text, pos);
        if pos >= text.len() {
            return Ok(rows);
        }
        let start = pos;
        let (row, n) = metric_row(text, &mut pos)?;
        if n != width {
            return problem(start, format!("expected {width} fields as in the header, found {n}"));
        }
        rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: Result<Vec<Vec<u8>>, Vec<u8>>) -> Result<Vec<String>, String> {
        r.map(|fs| fs.into_iter().map(|f| String::from_utf8_lossy(&f).into_owned()).collect()).map_err(|e| String::from_utf8_lossy(&e).into_owned())
    }

    #[test]
    fn rows_split_like_the_runtime() {
        assert_eq!(text(parse_row(b"a,\"b, c\",\"say \"\"hi\"\"\"\r\n")), Ok(vec!["a".into(), "b, c".into(), "say \"hi\"".into()]));
        assert_eq!(text(parse_row(b"a,\"b")), Err("csv: column 3: unterminated quoted field (the closing '\"' is missing)".into()));
        assert_eq!(text(parse_row(b"a\nb")), Err(format!("csv: column 3: {SECOND_LINE}")));
        assert_eq!(text(parse_row(b"\"a\"x")), Err("csv: column 4: expected ',' or the end of the line after a quoted field, found 'x'".into()));
    }

    #[test]
    fn metric_rows_place_their_errors() {
        assert_eq!(parse_metric_row(b"2014-04-10 00:05:00,12.5", "cpu.csv", 2), Ok(vec![1397088300.0, 12.5]));
        let bad = parse_metric_row(b"2014-04-10 00:05:00,n/a", "cpu.csv", 3).map_err(|e| String::from_utf8_lossy(&e).into_owned());
        assert_eq!(bad, Err("csv: cpu.csv:3:21: expected a number, found \"n/a\"".into()));
    }
}
