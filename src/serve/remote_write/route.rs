//! `POST /api/v1/write` on `sev serve`: a remote-write request's points go to their series
//! through the same path as pushed JSON points (`series::Service::push`: logged, applied in
//! order, acknowledged), and the answer is an empty 204.
//!
//! Prometheus drops a batch answered with a 4xx and resends one answered with a 5xx, so a
//! resent batch must not fail on points that were already applied: a point at or before its
//! series' last timestamp is skipped as a duplicate (filtered again if a concurrent request of
//! the series got in first, so its new points are not dropped). A token confined to a prefix may write
//! only series that start with it; a request with any other series is refused as a whole.

use super::{Point, RemoteWriteError, decode_request};
use crate::serve::api::App;
use crate::serve::auth::{Scope, Tokens};
use crate::serve::series::PushError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// A refusal in the service's JSON error shape.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal { status, code, message: message.into() }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

impl From<RemoteWriteError> for Refusal {
    fn from(e: RemoteWriteError) -> Refusal {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        Refusal { status, code: e.code(), message: e.to_string() }
    }
}

/// The handler wired into `api::router`.
pub async fn receive(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    match handle(app, headers, body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn handle(app: Arc<App>, headers: HeaderMap, body: Body) -> Result<(), Refusal> {
    let scope = scope(&app.tokens, &headers)?;
    let decoded = decode_body(app.max_body_bytes, &headers, body).await?;
    let worker = Arc::clone(&app);
    let done = tokio::task::spawn_blocking(move || apply(&worker, &scope, decoded.points)).await;
    done.map_err(|e| Refusal { status: StatusCode::INTERNAL_SERVER_ERROR, code: "E0739", message: format!("the write did not finish: {e}") })?
}

/// Reads at most `max_body_bytes` of the body and decodes it (off the async threads).
pub async fn decode_body(max_body_bytes: usize, headers: &HeaderMap, body: Body) -> Result<super::Decoded, Refusal> {
    let bytes = axum::body::to_bytes(body, max_body_bytes).await.map_err(|_| Refusal {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "E0725",
        message: format!("the body is larger than {max_body_bytes} bytes"),
    })?;
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (encoding, content_type, version) = (text("content-encoding"), text("content-type"), text("x-prometheus-remote-write-version"));
    let decoded = tokio::task::spawn_blocking(move || {
        let headers = super::Headers { content_encoding: encoding.as_deref(), content_type: content_type.as_deref(), version: version.as_deref() };
        decode_request(headers, &bytes)
    })
    .await;
    let decoded = decoded.map_err(|e| Refusal { status: StatusCode::INTERNAL_SERVER_ERROR, code: "E0739", message: format!("the decoding did not finish: {e}") })?;
    Ok(decoded?)
}

/// The caller's scope, from its bearer token (401 without a known one).
pub fn scope(tokens: &Tokens, headers: &HeaderMap) -> Result<Scope, Refusal> {
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    tokens.scope(given).ok_or_else(|| Refusal {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthorized",
        message: if given.is_none() { "this service needs `Authorization: Bearer TOKEN`".into() } else { "the bearer token is not known".into() },
    })
}

/// 403 if the token may not write one of the series (nothing of the request is applied then).
pub fn check_scope<'a>(scope: &Scope, mut names: impl Iterator<Item = &'a str>) -> Result<(), Refusal> {
    match names.find(|name| !scope.allows(name)) {
        Some(name) => Err(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "E0737",
            message: format!("this token may not write the series `{name}` (it is confined to its prefix); filter with write_relabel_configs"),
        }),
        None => Ok(()),
    }
}

/// The points grouped by series, in the order each series first appears.
fn by_series(points: Vec<Point>) -> Vec<(String, Vec<(i64, f64)>)> {
    let mut groups: Vec<(String, Vec<(i64, f64)>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for point in points {
        let at = *index.entry(point.series.clone()).or_insert_with(|| {
            groups.push((point.series.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push((point.timestamp_ms, point.value));
    }
    groups
}

fn apply(app: &App, scope: &Scope, points: Vec<Point>) -> Result<(), Refusal> {
    let groups = by_series(points);
    check_scope(scope, groups.iter().map(|(name, _)| name.as_str()))?;
    for (name, points) in groups {
        push_fresh(app, &name, points)?;
    }
    Ok(())
}

/// How often a series' points are re-filtered when other requests of it keep coming first.
const PUSH_ATTEMPTS: usize = 5;

/// Pushes the points after the series' last one. If another request of the same series
/// applied points in between (the push is then refused as out of order), the points are
/// filtered again against the new last one, so none of this request's new points is dropped.
fn push_fresh(app: &App, name: &str, points: Vec<(i64, f64)>) -> Result<(), Refusal> {
    for _ in 0..PUSH_ATTEMPTS {
        let fresh = after_last(app, name, points.clone());
        if fresh.is_empty() {
            return Ok(());
        }
        match app.service.push(name, &fresh) {
            // A point the detector refused is kept as a failed reading by the service.
            Ok((_, events)) => {
                if let Some(alerts) = &app.alerts {
                    for event in events {
                        let _ = alerts.send(event);
                    }
                }
                return Ok(());
            }
            Err(PushError::OutOfOrder { .. }) => continue,
            Err(e @ PushError::TooManySeries(_)) => return Err(Refusal { status: StatusCode::TOO_MANY_REQUESTS, code: "E0738", message: e.to_string() }),
            // Transient: Prometheus resends the batch, and what was applied is skipped then.
            Err(e) => return Err(Refusal { status: StatusCode::SERVICE_UNAVAILABLE, code: "E0739", message: e.to_string() }),
        }
    }
    // Still racing: Prometheus resends after a 5xx, and what was applied is skipped then.
    Err(Refusal { status: StatusCode::SERVICE_UNAVAILABLE, code: "E0739", message: format!("other requests of `{name}` kept coming first; send again") })
}

/// The points after the series' last one, each after the one before (duplicates of a resent
/// batch, and samples out of order, are skipped).
fn after_last(app: &App, name: &str, points: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    let mut last = app.service.snapshot(name).and_then(|(_, reading, _)| reading).map(|r| r.timestamp_ms);
    let mut fresh = Vec::with_capacity(points.len());
    for (timestamp_ms, value) in points {
        if last.is_none_or(|l| timestamp_ms > l) {
            fresh.push((timestamp_ms, value));
            last = Some(timestamp_ms);
        }
    }
    fresh
}
