//! `sev serve --redis URL`: the HTTP front of the Redis scale-out. Pushed JSON points and
//! Prometheus remote-write requests are checked as by the in-process service (tokens, series
//! names, body limits, the remote-write codes) and then appended to their partition streams
//! for `sev worker` processes instead of being applied here; the front needs no detector.
//!
//! Order and duplicates are decided where the points are queued, atomically per partition by
//! one Lua script (so several fronts may run side by side): each series keeps the timestamp of
//! its last queued point in `PREFIX:{p}:queued:SERIES`. A JSON batch with a point at or before
//! it is refused as a whole (409, like the in-process service); a remote-write sample at or
//! before it is skipped, so a batch Prometheus resends is queued once.

use super::{Layout, StreamsError, connect, prepare};
use crate::serve::api::{self, ApiError};
use crate::serve::auth::Tokens;
use crate::serve::remote_write::Point;
use crate::serve::remote_write::route::{Refusal, check_scope, decode_body, scope};
use crate::serve::series::{MAX_NAME_LEN, valid_name};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use redis::Connection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Queues a partition's points. KEYS: the input stream, then the last-queued key of each
/// series. ARGV: `strict` or `skip`, the number of series, their names, then per point its
/// series (1-based), timestamp and value. Returns `ok` and the new entries' ids, or (strict)
/// `late`, the timestamp refused and the series' last queued one.
const ENQUEUE: &str = r"
local strict = ARGV[1] == 'strict'
local n = tonumber(ARGV[2])
local last, last_text, touched = {}, {}, {}
for i = 1, n do
  local v = redis.call('GET', KEYS[1 + i])
  if v then last[i] = tonumber(v); last_text[i] = v end
end
local fresh = {}
for j = 3 + n, #ARGV, 3 do
  local s = tonumber(ARGV[j])
  local ts = tonumber(ARGV[j + 1])
  if last[s] and ts <= last[s] then
    if strict then return {'late', ARGV[j + 1], last_text[s]} end
  else
    last[s] = ts
    last_text[s] = ARGV[j + 1]
    touched[s] = true
    fresh[#fresh + 1] = j
  end
end
local reply = {'ok'}
for _, j in ipairs(fresh) do
  local s = tonumber(ARGV[j])
  reply[#reply + 1] = redis.call('XADD', KEYS[1], '*', 'series', ARGV[2 + s], 'ts', ARGV[j + 1], 'value', ARGV[j + 2])
end
for s in pairs(touched) do redis.call('SET', KEYS[1 + s], last_text[s]) end
return reply
";

/// What to do with a point at or before its series' last queued one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Late {
    /// Refuse the whole request (JSON pushes).
    Refuse,
    /// Skip the point (remote-write, whose batches may be resent).
    Skip,
}

/// The outcome of queuing points.
#[derive(Debug, PartialEq)]
pub enum Queued {
    /// The ids of the entries appended, in the order of the points queued.
    Appended(Vec<String>),
    /// Nothing appended: a point is not after its series' last queued one.
    OutOfOrder { series: String, timestamp_ms: String, last_ms: String },
}

/// Appends points to their partitions, each partition in one atomic script; with
/// `Late::Refuse` all points must be of one series (one partition, so all or nothing).
pub fn enqueue(con: &mut Connection, layout: &Layout, points: &[Point], late: Late) -> Result<Queued, StreamsError> {
    let script = redis::Script::new(ENQUEUE);
    let mut ids = Vec::with_capacity(points.len());
    for (partition, members) in by_partition(layout, points) {
        let names: Vec<&str> = unique_names(&members);
        let mut invocation = script.key(layout.input(partition));
        for name in &names {
            invocation.key(layout.queued(name));
        }
        invocation.arg(if late == Late::Refuse { "strict" } else { "skip" }).arg(names.len());
        for name in &names {
            invocation.arg(*name);
        }
        for point in &members {
            let index = names.iter().position(|n| *n == point.series).map_or(0, |i| i + 1);
            invocation.arg(index).arg(point.timestamp_ms).arg(point.value.to_string());
        }
        let reply: Vec<String> = invocation.invoke(con)?;
        match reply.split_first() {
            Some((tag, rest)) if tag == "ok" => ids.extend(rest.iter().cloned()),
            Some((tag, [timestamp_ms, last_ms])) if tag == "late" => {
                let series = members.first().map(|p| p.series.clone()).unwrap_or_default();
                return Ok(Queued::OutOfOrder { series, timestamp_ms: timestamp_ms.clone(), last_ms: last_ms.clone() });
            }
            _ => return Err(StreamsError::Redis(redis::RedisError::from((redis::ErrorKind::UnexpectedReturnType, "the enqueue script answered", format!("{reply:?}"))))),
        }
    }
    Ok(Queued::Appended(ids))
}

fn by_partition<'a>(layout: &Layout, points: &'a [Point]) -> BTreeMap<u32, Vec<&'a Point>> {
    let mut groups: BTreeMap<u32, Vec<&Point>> = BTreeMap::new();
    for point in points {
        groups.entry(layout.partition_of(&point.series)).or_default().push(point);
    }
    groups
}

fn unique_names<'a>(points: &[&'a Point]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for point in points {
        if !names.contains(&point.series.as_str()) {
            names.push(&point.series);
        }
    }
    names
}

/// Everything the front needs, resolved by `commands::serve`.
pub struct FrontConfig {
    pub redis: String,
    pub layout: Layout,
    pub listen: String,
    pub tokens: Tokens,
    pub max_body_bytes: usize,
}

/// The shared state of the handlers: one Redis connection, reopened after an error.
pub struct Front {
    url: String,
    layout: Layout,
    tokens: Tokens,
    max_body_bytes: usize,
    con: Mutex<Option<Connection>>,
}

impl Front {
    /// Runs `work` on the connection (opening it if needed); a failed command drops it, so
    /// the next request reconnects.
    fn with_redis<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T, StreamsError>) -> Result<T, StreamsError> {
        let mut guard = self.con.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let con = match guard.as_mut() {
            Some(con) => con,
            None => guard.insert(connect(&self.url)?),
        };
        let result = work(con);
        if result.is_err() {
            *guard = None;
        }
        result
    }

    fn enqueue(&self, points: &[Point], late: Late) -> Result<Queued, StreamsError> {
        self.with_redis(|con| enqueue(con, &self.layout, points, late))
    }
}

/// Checks the deployment in Redis, then serves until SIGINT or SIGTERM.
pub fn run(config: FrontConfig) -> Result<(), String> {
    let mut con = connect(&config.redis).map_err(|e| format!("error[{}]: {e}", e.code()))?;
    prepare(&mut con, &config.layout).map_err(|e| format!("error[{}]: {e}", e.code()))?;
    let front = Arc::new(Front { url: config.redis, layout: config.layout, tokens: config.tokens, max_body_bytes: config.max_body_bytes, con: Mutex::new(Some(con)) });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(front, config.listen))
}

async fn serve(front: Arc<Front>, listen: String) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    if !front.tokens.enabled() {
        eprintln!("sev serve: no tokens configured, so every client may use every series");
    }
    eprintln!("sev serve: listening on http://{address} (queuing to Redis, prefix `{}`, {} partitions)", front.layout.prefix, front.layout.partitions);
    axum::serve(listener, router(front)).with_graceful_shutdown(shutdown_signal()).await.map_err(|e| format!("the server stopped: {e}"))?;
    eprintln!("sev serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

pub fn router(front: Arc<Front>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/series/{name}/points", post(push_points))
        .route("/api/v1/write", post(remote_write))
        .fallback(not_served)
        .with_state(front)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn not_served() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "not_found", "with --redis, sev serve only takes points (POST /v1/series/NAME/points, POST /api/v1/write) and answers /healthz and /readyz; the outputs are in the streams PREFIX:{p}:out (docs/service.md)")
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}))
}

async fn readyz(State(front): State<Arc<Front>>) -> Response {
    let pinged = tokio::task::spawn_blocking(move || front.with_redis(|con| Ok(redis::cmd("PING").query::<String>(con)?))).await;
    match pinged {
        Ok(Ok(_)) => json_response(StatusCode::OK, json!({"status": "ready", "redis": "ok"})),
        Ok(Err(e)) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "unavailable", "redis": e.to_string()})),
        Err(e) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "unavailable", "redis": e.to_string()})),
    }
}

/// Queues points off the async threads; Redis trouble is a 503 with `code` (the client, or
/// Prometheus, retries).
async fn queue(front: Arc<Front>, points: Vec<Point>, late: Late, code: &'static str) -> Result<Queued, Refusal> {
    let done = tokio::task::spawn_blocking(move || front.enqueue(&points, late)).await;
    match done {
        Ok(Ok(queued)) => Ok(queued),
        Ok(Err(e)) => Err(Refusal::new(StatusCode::SERVICE_UNAVAILABLE, code, format!("cannot queue the points: {e}"))),
        Err(e) => Err(Refusal::new(StatusCode::SERVICE_UNAVAILABLE, code, format!("the push did not finish: {e}"))),
    }
}

async fn push_points(State(front): State<Arc<Front>>, headers: HeaderMap, Path(name): Path<String>, body: Body) -> Result<Response, Response> {
    let scope = scope(&front.tokens, &headers).map_err(IntoResponse::into_response)?;
    if !valid_name(&name) {
        let message = format!("a series name has 1 to {MAX_NAME_LEN} of A-Z a-z 0-9 _ . : - (found {} bytes)", name.len());
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "bad_series_name", message).into_response());
    }
    if !scope.allows(&name) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, "forbidden", format!("this token may not use the series `{name}` (it is confined to its prefix)")).into_response());
    }
    let bytes = axum::body::to_bytes(body, front.max_body_bytes)
        .await
        .map_err(|_| Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is larger than {} bytes", front.max_body_bytes)).into_response())?;
    let parsed = api::parse_points(&bytes).map_err(ApiError::into_response)?;
    let points: Vec<Point> = parsed.into_iter().map(|(timestamp_ms, value)| Point { series: name.clone(), timestamp_ms, value }).collect();
    match queue(front, points, Late::Refuse, "unavailable").await.map_err(IntoResponse::into_response)? {
        Queued::Appended(ids) => Ok(json_response(StatusCode::ACCEPTED, json!({"series": name, "queued": ids.len(), "ids": ids}))),
        Queued::OutOfOrder { timestamp_ms, last_ms, .. } => {
            let message = format!("the point at timestamp_ms {timestamp_ms} is not after the last one queued for `{name}` ({last_ms}); nothing of the batch is queued");
            Err(Refusal::new(StatusCode::CONFLICT, "out_of_order", message).into_response())
        }
    }
}

async fn remote_write(State(front): State<Arc<Front>>, headers: HeaderMap, body: Body) -> Result<StatusCode, Refusal> {
    let scope = scope(&front.tokens, &headers)?;
    let decoded = decode_body(front.max_body_bytes, &headers, body).await?;
    check_scope(&scope, decoded.points.iter().map(|p| p.series.as_str()))?;
    if decoded.points.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    queue(front, decoded.points, Late::Skip, "E0739").await?;
    Ok(StatusCode::NO_CONTENT)
}
