//! The Prometheus remote-write receiver (`POST /api/v1/write`, remote-write 1.0): a body is a
//! protobuf `prometheus.WriteRequest` compressed with snappy's raw block format. It is decoded
//! here into points of series named by their labels, without I/O, so the HTTP layer only
//! passes the headers and the bytes in and turns an error into its status and JSON.
//!
//! A series is named by its label set in the alphabet of service series names
//! (`A–Z a–z 0–9 _ . : -`, see `series::valid_name`): the value of `__name__`, then for each
//! other label, sorted by name, `:NAME:VALUE`. Any byte of the metric name, a label name or
//! value other than `A–Z a–z 0–9 _ .` is written `-XX` (its hex), so `:` only separates and the
//! name can be read back. `up{job="api",instance="10.0.0.1:9100"}` is
//! `up:instance:10.0.0.1-3a9100:job:api`. The same label set always gives the same name,
//! whatever order a sender lists the labels in; a label set whose name would be longer than a
//! series name may be is skipped and counted.
//!
//! Prometheus drops a batch answered with 4xx and retries a 5xx, so only a body that can never
//! become valid is refused; a sample that is not a number to learn from (a stale marker or
//! another NaN or infinity) is skipped and counted instead of refusing its whole batch.

pub mod route;

use std::fmt::Write as _;

/// The largest decompressed body accepted (the compressed one is limited by the HTTP layer).
pub const MAX_DECOMPRESSED_BYTES: usize = 64 * 1024 * 1024;

/// The value bits Prometheus writes as a staleness marker (a NaN): "this series ended".
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// `prometheus.WriteRequest`; metadata (tag 3) and newer fields are skipped by prost.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
}

/// `prometheus.TimeSeries`; exemplars (3) and native histograms (4) are not read.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TimeSeries {
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

/// One sample; `timestamp` is in milliseconds since the Unix epoch.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    #[prost(double, tag = "1")]
    pub value: f64,
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

/// One point to feed a detector.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub series: String,
    pub timestamp_ms: i64,
    pub value: f64,
}

/// What a request carried: its points in request order, and the samples skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    pub points: Vec<Point>,
    /// Staleness markers (the series ended).
    pub stale_markers: usize,
    /// Other NaN or infinite values, which no detector can learn from.
    pub non_finite: usize,
    /// Samples of label sets whose name would be longer than a series name may be.
    pub name_too_long: usize,
}

/// The request headers the receiver looks at (absent headers are `None`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Headers<'a> {
    pub content_encoding: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub version: Option<&'a str>,
}

/// Why a request was refused. Each kind has a stable code and an HTTP status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RemoteWriteError {
    #[error("Content-Encoding must be `snappy` for remote-write, found {found}")]
    Encoding { found: String },
    #[error("Content-Type must be `application/x-protobuf` (remote-write 1.0), found {found}")]
    ContentType { found: String },
    #[error("X-Prometheus-Remote-Write-Version {found} is not supported; this receiver speaks 0.1.x (remote-write 1.0)")]
    Version { found: String },
    #[error("the body is not snappy block-compressed data: {reason}")]
    Snappy { reason: String },
    #[error("the body decompresses to {claimed} bytes, more than the limit of {MAX_DECOMPRESSED_BYTES}")]
    TooLarge { claimed: usize },
    #[error("the body is not a protobuf WriteRequest: {reason}")]
    Protobuf { reason: String },
    #[error("time series {index} has no labels, so it has no name")]
    NoLabels { index: usize },
    #[error("time series {index} has a label with an empty name")]
    EmptyLabelName { index: usize },
    #[error("time series {index} has the label `{name}` twice")]
    DuplicateLabel { index: usize, name: String },
}

impl RemoteWriteError {
    /// The stable code (E0721–E0729) shown in the JSON error and in docs/service.md.
    pub fn code(&self) -> &'static str {
        match self {
            RemoteWriteError::Encoding { .. } => "E0721",
            RemoteWriteError::ContentType { .. } => "E0722",
            RemoteWriteError::Version { .. } => "E0723",
            RemoteWriteError::Snappy { .. } => "E0724",
            RemoteWriteError::TooLarge { .. } => "E0725",
            RemoteWriteError::Protobuf { .. } => "E0726",
            RemoteWriteError::NoLabels { .. } => "E0727",
            RemoteWriteError::EmptyLabelName { .. } => "E0728",
            RemoteWriteError::DuplicateLabel { .. } => "E0729",
        }
    }

    /// 415 for headers naming another format, 413 for an oversized body, else 400.
    pub fn status(&self) -> u16 {
        match self {
            RemoteWriteError::Encoding { .. }
            | RemoteWriteError::ContentType { .. }
            | RemoteWriteError::Version { .. } => 415,
            RemoteWriteError::TooLarge { .. } => 413,
            _ => 400,
        }
    }
}

/// Checks the headers, decompresses and decodes a remote-write body.
pub fn decode_request(headers: Headers<'_>, body: &[u8]) -> Result<Decoded, RemoteWriteError> {
    check_headers(headers)?;
    let bytes = decompress(body)?;
    let request = <WriteRequest as prost::Message>::decode(bytes.as_slice())
        .map_err(|e| RemoteWriteError::Protobuf { reason: e.to_string() })?;
    points_of(&request)
}

fn check_headers(headers: Headers<'_>) -> Result<(), RemoteWriteError> {
    let shown = |h: Option<&str>| h.map_or("no header".to_string(), |v| format!("`{v}`"));
    if !headers.content_encoding.is_some_and(|v| v.trim().eq_ignore_ascii_case("snappy")) {
        return Err(RemoteWriteError::Encoding { found: shown(headers.content_encoding) });
    }
    if !headers.content_type.is_some_and(is_protobuf_v1) {
        return Err(RemoteWriteError::ContentType { found: shown(headers.content_type) });
    }
    // Prometheus' own receiver ignores the version header; a sender without one is accepted.
    if let Some(version) = headers.version
        && !version.trim().starts_with("0.1.")
    {
        return Err(RemoteWriteError::Version { found: format!("`{version}`") });
    }
    Ok(())
}

/// `application/x-protobuf`, optionally with `proto=prometheus.WriteRequest` (2.0's name for 1.0).
fn is_protobuf_v1(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    if !parts.next().is_some_and(|media| media.eq_ignore_ascii_case("application/x-protobuf")) {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((key, value)) if key.trim().eq_ignore_ascii_case("proto") => value.trim() == "prometheus.WriteRequest",
        _ => true,
    })
}

fn decompress(body: &[u8]) -> Result<Vec<u8>, RemoteWriteError> {
    let claimed = snap::raw::decompress_len(body).map_err(|e| RemoteWriteError::Snappy { reason: e.to_string() })?;
    if claimed > MAX_DECOMPRESSED_BYTES {
        return Err(RemoteWriteError::TooLarge { claimed });
    }
    snap::raw::Decoder::new()
        .decompress_vec(body)
        .map_err(|e| RemoteWriteError::Snappy { reason: e.to_string() })
}

fn points_of(request: &WriteRequest) -> Result<Decoded, RemoteWriteError> {
    let mut decoded = Decoded::default();
    for (index, series) in request.timeseries.iter().enumerate() {
        if series.samples.is_empty() {
            continue;
        }
        let name = series_name(index, &series.labels)?;
        if name.len() > crate::serve::series::MAX_NAME_LEN {
            decoded.name_too_long += series.samples.len();
            continue;
        }
        for sample in &series.samples {
            if sample.value.to_bits() == STALE_NAN_BITS {
                decoded.stale_markers += 1;
            } else if !sample.value.is_finite() {
                decoded.non_finite += 1;
            } else {
                decoded.points.push(Point { series: name.clone(), timestamp_ms: sample.timestamp, value: sample.value });
            }
        }
    }
    Ok(decoded)
}

/// The name of a label set (see the module documentation).
pub fn series_name(index: usize, labels: &[Label]) -> Result<String, RemoteWriteError> {
    if labels.is_empty() {
        return Err(RemoteWriteError::NoLabels { index });
    }
    let mut sorted: Vec<&Label> = labels.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in sorted.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(RemoteWriteError::DuplicateLabel { index, name: pair[0].name.clone() });
        }
    }
    if sorted.iter().any(|label| label.name.is_empty()) {
        return Err(RemoteWriteError::EmptyLabelName { index });
    }
    let metric = sorted.iter().find(|l| l.name == "__name__").map_or("", |l| l.value.as_str());
    let mut name = escape(metric);
    for label in sorted.iter().filter(|l| l.name != "__name__") {
        name.push(':');
        name.push_str(&escape(&label.name));
        name.push(':');
        name.push_str(&escape(&label.value));
    }
    Ok(name)
}

/// Bytes other than `A–Z a–z 0–9 _ .` as `-XX`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' {
            out.push(byte as char);
        } else {
            let _ = write!(out, "-{byte:02x}");
        }
    }
    out
}

/// Encodes a request the way Prometheus sends it (protobuf, then snappy block): the other half
/// of [`decode_request`], used by the tests and the benchmark to act as a sender.
pub fn encode_request(request: &WriteRequest) -> Result<Vec<u8>, snap::Error> {
    snap::raw::Encoder::new().compress_vec(&prost::Message::encode_to_vec(request))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, value: &str) -> Label {
        Label { name: name.to_string(), value: value.to_string() }
    }

    fn prometheus_headers() -> Headers<'static> {
        Headers {
            content_encoding: Some("snappy"),
            content_type: Some("application/x-protobuf"),
            version: Some("0.1.0"),
        }
    }

    fn one_series(labels: Vec<Label>, samples: Vec<(f64, i64)>) -> WriteRequest {
        let samples = samples.into_iter().map(|(value, timestamp)| Sample { value, timestamp }).collect();
        WriteRequest { timeseries: vec![TimeSeries { labels, samples }] }
    }

    #[test]
    fn names_are_canonical_whatever_the_label_order() {
        let a = series_name(0, &[label("job", "demo"), label("__name__", "cpu"), label("a", "x")]);
        let b = series_name(0, &[label("a", "x"), label("job", "demo"), label("__name__", "cpu")]);
        assert_eq!(a, Ok("cpu:a:x:job:demo".to_string()));
        assert_eq!(a, b);
        assert_eq!(series_name(0, &[label("__name__", "up")]), Ok("up".to_string()));
        assert_eq!(series_name(0, &[label("k", "v")]), Ok(":k:v".to_string()));
        let up = series_name(0, &[label("job", "api"), label("__name__", "up"), label("instance", "10.0.0.1:9100")]);
        assert_eq!(up, Ok("up:instance:10.0.0.1-3a9100:job:api".to_string()));
    }

    #[test]
    fn names_use_only_the_series_alphabet_and_separators_stay_unambiguous() {
        let name = series_name(0, &[label("__name__", "job:rate5m"), label("note", "q \" b \\ n \n end-é")]).expect("a name");
        assert_eq!(name, "job-3arate5m:note:q-20-22-20b-20-5c-20n-20-0a-20end-2d-c3-a9");
        assert!(crate::serve::series::valid_name(&name));
        // A `:` inside a value cannot pass for a separator.
        let a = series_name(0, &[label("a", "x:b:y")]).expect("a name");
        let b = series_name(0, &[label("a", "x"), label("b", "y")]).expect("a name");
        assert_ne!(a, b);
    }

    #[test]
    fn a_round_trip_gives_the_points_in_order() {
        let request = one_series(vec![label("__name__", "cpu"), label("host", "a")], vec![(0.5, 1000), (1.5, 2000)]);
        let decoded = decode_request(prometheus_headers(), &encode_request(&request).expect("compresses"));
        let series = "cpu:host:a".to_string();
        let expected = vec![
            Point { series: series.clone(), timestamp_ms: 1000, value: 0.5 },
            Point { series, timestamp_ms: 2000, value: 1.5 },
        ];
        assert_eq!(decoded.map(|d| d.points), Ok(expected));
    }

    #[test]
    fn the_body_is_snappy_block_format_with_a_length_prefix() {
        // The known-answer framing: a block body starts with the varint of the decompressed size.
        let request = one_series(vec![label("__name__", "x")], vec![(1.0, 1)]);
        let body = encode_request(&request).expect("compresses");
        let size = prost::Message::encode_to_vec(&request).len();
        assert!(size < 128);
        assert_eq!(body[0] as usize, size);
        let mut framed = Vec::new();
        {
            use std::io::Write;
            let mut writer = snap::write::FrameEncoder::new(&mut framed);
            let _ = writer.write_all(&prost::Message::encode_to_vec(&request));
        }
        let err = decode_request(prometheus_headers(), &framed);
        assert!(matches!(err, Err(RemoteWriteError::Snappy { .. }) | Err(RemoteWriteError::Protobuf { .. })), "{err:?}");
    }

    #[test]
    fn stale_markers_and_non_finite_values_are_skipped_and_counted() {
        let stale = f64::from_bits(STALE_NAN_BITS);
        let request = one_series(
            vec![label("__name__", "x")],
            vec![(1.0, 1), (stale, 2), (f64::NAN, 3), (f64::INFINITY, 4), (2.0, 5)],
        );
        let decoded = decode_request(prometheus_headers(), &encode_request(&request).expect("compresses")).expect("decodes");
        assert_eq!(decoded.points.iter().map(|p| p.timestamp_ms).collect::<Vec<_>>(), vec![1, 5]);
        assert_eq!((decoded.stale_markers, decoded.non_finite), (1, 2));
    }

    #[test]
    fn bad_headers_are_415_with_their_codes() {
        let body = encode_request(&one_series(vec![label("__name__", "x")], vec![(1.0, 1)])).expect("compresses");
        let cases = [
            (Headers { content_encoding: None, ..prometheus_headers() }, "E0721"),
            (Headers { content_encoding: Some("gzip"), ..prometheus_headers() }, "E0721"),
            (Headers { content_type: Some("application/json"), ..prometheus_headers() }, "E0722"),
            (
                Headers { content_type: Some("application/x-protobuf;proto=io.prometheus.write.v2.Request"), ..prometheus_headers() },
                "E0722",
            ),
            (Headers { version: Some("2.0.0"), ..prometheus_headers() }, "E0723"),
        ];
        for (headers, code) in cases {
            let err = decode_request(headers, &body).expect_err("refused");
            assert_eq!((err.code(), err.status()), (code, 415), "{headers:?}");
        }
        let without_version = Headers { version: None, ..prometheus_headers() };
        assert!(decode_request(without_version, &body).is_ok());
    }

    #[test]
    fn bad_bodies_are_400_with_their_codes() {
        let garbage = decode_request(prometheus_headers(), b"\xff\xff\xff\xff\xff\xff").expect_err("refused");
        assert_eq!((garbage.code(), garbage.status()), ("E0724", 400));
        let not_protobuf = snap::raw::Encoder::new().compress_vec(b"\x0a\xff\xff\xff\x0f").expect("compresses");
        let err = decode_request(prometheus_headers(), &not_protobuf).expect_err("refused");
        assert_eq!((err.code(), err.status()), ("E0726", 400));
        let no_labels = encode_request(&one_series(vec![], vec![(1.0, 1)])).expect("compresses");
        assert_eq!(decode_request(prometheus_headers(), &no_labels).map_err(|e| e.code()), Err("E0727"));
        let empty = encode_request(&one_series(vec![label("", "v")], vec![(1.0, 1)])).expect("compresses");
        assert_eq!(decode_request(prometheus_headers(), &empty).map_err(|e| e.code()), Err("E0728"));
        let twice = encode_request(&one_series(vec![label("a", "1"), label("a", "2")], vec![(1.0, 1)])).expect("compresses");
        assert_eq!(decode_request(prometheus_headers(), &twice).map_err(|e| e.code()), Err("E0729"));
    }

    #[test]
    fn a_body_claiming_a_huge_size_is_413_before_allocating() {
        // varint 0xffffffff: a block that claims 4 GiB - 1 decompressed.
        let body = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        let err = decode_request(prometheus_headers(), &body).expect_err("refused");
        assert_eq!((err.code(), err.status()), ("E0725", 413));
    }
}
