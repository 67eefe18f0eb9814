//! The HTTP API (docs/service.md, docs/openapi.yaml). Every refusal is a 4xx with a JSON body
//! `{"error": {"code": …, "message": …}}` that says what is wrong; bodies are read with a size
//! limit and parsed here (not by an extractor) so that each mistake is named with its place.

use super::alerts::Event;
use super::auth::{Scope, Tokens};
use super::metrics::Latency;
use super::series::{Applied, PushError, Reading, Service, valid_name};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The most points in one request.
pub const MAX_BATCH: usize = 10_000;

pub struct App {
    pub service: Service,
    pub tokens: Tokens,
    pub max_body_bytes: usize,
    pub latency: Latency,
    pub ready: AtomicBool,
    pub alerts: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
}

/// A refusal: status, stable code and message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError { status, code, message: message.into() }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/series", get(list_series))
        .route("/v1/series/{name}", get(read_series))
        .route("/v1/series/{name}/points", post(push_points))
        .route("/api/v1/write", post(super::remote_write::route::receive))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

async fn not_found() -> ApiError {
    refuse(StatusCode::NOT_FOUND, "not_found", "no such endpoint (see docs/openapi.yaml)")
}

async fn method_not_allowed() -> ApiError {
    refuse(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}))
}

async fn readyz(State(app): State<Arc<App>>) -> Response {
    if app.ready.load(Ordering::Acquire) {
        json_response(StatusCode::OK, json!({"status": "ready", "series": app.service.len()}))
    } else {
        json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "starting"}))
    }
}

/// The caller's scope, from its bearer token.
fn scope(app: &App, headers: &HeaderMap) -> Result<Scope, ApiError> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    app.tokens.scope(header).ok_or_else(|| {
        let why = if header.is_none() { "this service needs `Authorization: Bearer TOKEN`" } else { "the bearer token is not known" };
        refuse(StatusCode::UNAUTHORIZED, "unauthorized", why)
    })
}

/// The series name from the path, checked, and the caller's right to it.
fn authorized_series(app: &App, headers: &HeaderMap, name: &str) -> Result<(), ApiError> {
    let scope = scope(app, headers)?;
    if !valid_name(name) {
        return Err(refuse(StatusCode::BAD_REQUEST, "bad_series_name", format!("a series name has 1 to {} of A-Z a-z 0-9 _ . : - (found {} bytes)", super::series::MAX_NAME_LEN, name.len())));
    }
    if !scope.allows(name) {
        return Err(refuse(StatusCode::FORBIDDEN, "forbidden", format!("this token may not use the series `{name}` (it is confined to its prefix)")));
    }
    Ok(())
}

async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let scope = scope(&app, &headers)?;
    let body = super::metrics::render(&app.service, &app.latency, |s| scope.allows(s));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}

#[derive(serde::Deserialize)]
struct ListQuery {
    prefix: Option<String>,
}

async fn list_series(State(app): State<Arc<App>>, headers: HeaderMap, query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>) -> Result<Response, ApiError> {
    let scope = scope(&app, &headers)?;
    let Query(query) = query.map_err(|e| refuse(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
    let prefix = query.prefix.unwrap_or_default();
    let names = app.service.names(|s| scope.allows(s) && s.starts_with(&prefix));
    Ok(json_response(StatusCode::OK, json!({"series": names})))
}

async fn read_series(State(app): State<Arc<App>>, headers: HeaderMap, Path(name): Path<String>) -> Result<Response, ApiError> {
    authorized_series(&app, &headers, &name)?;
    let Some((points, last, alert)) = app.service.snapshot(&name) else {
        return Err(refuse(StatusCode::NOT_FOUND, "unknown_series", format!("no series `{name}` (push a point to create it)")));
    };
    let alert = json!({"firing": alert.firing, "confidence": alert.confidence, "started_ms": if alert.firing { Some(alert.started_ms) } else { None }});
    Ok(json_response(StatusCode::OK, json!({"series": name, "points": points, "last": last, "alert": alert})))
}

/// Reads the body, at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| refuse(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is larger than {limit} bytes")))
}

/// A well-formed batch, read straight into its points (the fast path of [`parse_points`]).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    points: Vec<BatchPoint>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchPoint {
    timestamp_ms: i64,
    value: f64,
}

/// `{"timestamp_ms": 1, "value": 2.5}` or `{"points": [ … ]}`. A well-formed batch is read
/// without building a JSON tree; anything else goes through [`parse_points_checked`], which
/// names the mistake and its place.
pub fn parse_points(bytes: &[u8]) -> Result<Vec<(i64, f64)>, ApiError> {
    match serde_json::from_slice::<Batch>(bytes) {
        Ok(batch) if (1..=MAX_BATCH).contains(&batch.points.len()) => Ok(batch.points.into_iter().map(|p| (p.timestamp_ms, p.value)).collect()),
        _ => parse_points_checked(bytes),
    }
}

/// [`parse_points`] field by field, for the messages of its refusals.
fn parse_points_checked(bytes: &[u8]) -> Result<Vec<(i64, f64)>, ApiError> {
    let bad = |message: String| refuse(StatusCode::BAD_REQUEST, "bad_request", message);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| refuse(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not JSON: {e}")))?;
    let Value::Object(object) = &doc else {
        return Err(bad(format!("the body is {}, expected an object with `points` or one point", kind(&doc))));
    };
    if let Some(list) = object.get("points") {
        if let Some(extra) = object.keys().find(|k| *k != "points") {
            return Err(bad(format!("unknown field `{extra}` next to `points`")));
        }
        let Value::Array(items) = list else {
            return Err(bad(format!("`points` is {}, expected an array", kind(list))));
        };
        if items.is_empty() || items.len() > MAX_BATCH {
            return Err(bad(format!("`points` has {} points, expected 1 to {MAX_BATCH}", items.len())));
        }
        return items.iter().enumerate().map(|(i, item)| point(item, &format!("points[{i}]")).map_err(bad)).collect();
    }
    Ok(vec![point(&doc, "point").map_err(bad)?])
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn point(item: &Value, at: &str) -> Result<(i64, f64), String> {
    let Value::Object(fields) = item else {
        return Err(format!("{at} is {}, expected an object with `timestamp_ms` and `value`", kind(item)));
    };
    if let Some(extra) = fields.keys().find(|k| *k != "timestamp_ms" && *k != "value") {
        return Err(format!("{at} has an unknown field `{extra}` (expected `timestamp_ms` and `value`)"));
    }
    let ts = fields.get("timestamp_ms").ok_or_else(|| format!("{at} lacks `timestamp_ms`"))?;
    let ts = ts.as_i64().ok_or_else(|| format!("{at}.timestamp_ms is {}, expected an integer (milliseconds since 1970)", if ts.is_number() { "not a 64-bit integer" } else { kind(ts) }))?;
    let value = fields.get("value").ok_or_else(|| format!("{at} lacks `value`"))?;
    let value = value.as_f64().ok_or_else(|| format!("{at}.value is {}, expected a number", kind(value)))?;
    Ok((ts, value))
}

async fn push_points(State(app): State<Arc<App>>, headers: HeaderMap, Path(name): Path<String>, body: Body) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    authorized_series(&app, &headers, &name)?;
    let bytes = read_body(body, app.max_body_bytes).await?;
    let points = parse_points(&bytes)?;
    let worker = Arc::clone(&app);
    let series = name.clone();
    let pushed = tokio::task::spawn_blocking(move || worker.service.push(&series, &points)).await;
    let (applied, events) = match pushed {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Err(push_refusal(e)),
        Err(e) => return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("the push did not finish: {e}"))),
    };
    if let Some(alerts) = &app.alerts {
        for event in events {
            let _ = alerts.send(event);
        }
    }
    let body = push_answer(&name, applied);
    app.latency.observe(started.elapsed().as_secs_f64());
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The answer to a push, `{"series": …, "results": [reading or {timestamp_ms, error}, …]}`,
/// written straight to text (no JSON tree).
fn push_answer(name: &str, applied: Vec<Applied>) -> String {
    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Outcome {
        Read(Reading),
        Failed { timestamp_ms: i64, error: String },
    }
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        series: &'a str,
        results: Vec<Outcome>,
    }
    let results = applied
        .into_iter()
        .map(|a| match a {
            Applied::Read(r) => Outcome::Read(r),
            Applied::Failed { timestamp_ms, message } => Outcome::Failed { timestamp_ms, error: message },
        })
        .collect();
    // Serialising plain structs of numbers and strings cannot fail.
    serde_json::to_string(&Answer { series: name, results }).unwrap_or_default()
}

fn push_refusal(e: PushError) -> ApiError {
    match e {
        PushError::TooManySeries(_) => refuse(StatusCode::TOO_MANY_REQUESTS, "series_limit", e.to_string()),
        PushError::OutOfOrder { .. } => refuse(StatusCode::CONFLICT, "out_of_order", e.to_string()),
        // Transient: a client (or Prometheus) should retry, so not a 4xx.
        PushError::Store(_) | PushError::Log(_) | PushError::Detector(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(bytes: &[u8]) -> String {
        parse_points(bytes).expect_err("refused").message
    }

    #[test]
    fn a_well_formed_batch_reads_the_same_by_both_paths() {
        let body = br#"{"points": [{"timestamp_ms": 1, "value": 2.5}, {"value": 3, "timestamp_ms": 2}]}"#;
        let fast = parse_points(body).expect("fast path");
        let checked = parse_points_checked(body).expect("checked path");
        assert_eq!(fast, vec![(1, 2.5), (2, 3.0)]);
        assert_eq!(fast, checked);
    }

    #[test]
    fn what_the_fast_path_refuses_is_named_by_the_checked_path() {
        assert!(message(br#"{"points": [{"timestamp_ms": 1.5, "value": 1}]}"#).contains("points[0].timestamp_ms is not a 64-bit integer"));
        assert!(message(br#"{"points": [{"timestamp_ms": 1, "value": 1, "x": 0}]}"#).contains("points[0] has an unknown field `x`"));
        assert!(message(br#"{"points": []}"#).contains("`points` has 0 points"));
        assert!(message(br#"{"points": [{"timestamp_ms": 1}], "more": 1}"#).contains("unknown field `more` next to `points`"));
        assert!(message(br#"{"points": [{"timestamp_ms": 1, "value": "2"}]}"#).contains("points[0].value is a string"));
    }

    #[test]
    fn a_push_answer_has_the_readings_and_the_failures_in_order() {
        let reading = Reading { timestamp_ms: 1, value: 2.0, probability: 0.25, lower: 1.0, upper: 3.0, expected: 2.0, confidence: 0.5 };
        let failed = Applied::Failed { timestamp_ms: 2, message: "no".into() };
        let text = push_answer("s", vec![Applied::Read(reading), failed]);
        let expected = json!({"series": "s", "results": [
            {"timestamp_ms": 1, "value": 2.0, "probability": 0.25, "lower": 1.0, "upper": 3.0, "expected": 2.0, "confidence": 0.5},
            {"timestamp_ms": 2, "error": "no"}]});
        assert_eq!(text, expected.to_string());
    }
}
