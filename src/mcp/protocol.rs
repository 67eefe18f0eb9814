//! JSON-RPC 2.0 framing and the two MCP protocol eras.
//!
//! One message per line. [`parse_line`] turns a line into an [`Incoming`] message or the error
//! response it deserves (parse error, batch, not a request). [`Era`] says how a request is
//! answered: the handshake era (≤ 2025-11-25, `initialize` first) or the stateless 2026-07-28
//! era, recognised by the protocol version in `params._meta`. The builders here add what each
//! era requires to a result (`resultType`, the server's identity, cache hints).

use serde_json::{Map, Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
/// 2026-07-28: the request names a protocol version this server does not speak.
pub const UNSUPPORTED_VERSION: i64 = -32022;

/// The stateless revision.
pub const MODERN_VERSION: &str = "2026-07-28";
/// Handshake revisions, oldest first; the last one is answered when a client asks for another.
pub const LEGACY_VERSIONS: &[&str] = &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// Every version this server answers, for `server/discover` and `-32022`.
pub fn supported_versions() -> Vec<&'static str> {
    let mut all = vec![MODERN_VERSION];
    all.extend(LEGACY_VERSIONS.iter().rev());
    all
}

/// The version `initialize` answers for the version a client asked for.
pub fn negotiate_legacy(requested: Option<&str>) -> &'static str {
    let newest = LEGACY_VERSIONS[LEGACY_VERSIONS.len() - 1];
    requested.and_then(|r| LEGACY_VERSIONS.iter().find(|v| **v == r).copied()).unwrap_or(newest)
}

/// A request's id, echoed unchanged (number or string).
pub type Id = Value;

#[derive(Debug)]
pub enum Incoming {
    Request { id: Id, method: String, params: Value },
    Notification { method: String, params: Value },
    /// A response from the client; this server sends no requests, so it is dropped unanswered
    /// (JSON-RPC never answers a response).
    Response,
}

/// A protocol error, turned into an error response (when the message had an id).
#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError { code, message: message.into(), data: None }
    }

    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(INVALID_PARAMS, message)
    }

    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }
}

/// Reads one line. `Err` carries the id to answer (null when none could be read) and the error.
pub fn parse_line(line: &[u8]) -> Result<Incoming, Box<(Id, RpcError)>> {
    let value: Value = serde_json::from_slice(line).map_err(|e| reject(Value::Null, RpcError::new(PARSE_ERROR, format!("the message is not valid JSON: {e}"))))?;
    let Value::Object(mut message) = value else {
        let what = if value.is_array() { "batches are not supported since MCP 2025-06-18; send one message per line" } else { "a JSON-RPC message must be an object" };
        return Err(reject(Value::Null, RpcError::new(INVALID_REQUEST, what)));
    };
    let id = message.remove("id");
    let answer_id = id.clone().filter(valid_id).unwrap_or(Value::Null);
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(reject(answer_id, RpcError::new(INVALID_REQUEST, "the message must have \"jsonrpc\": \"2.0\"")));
    }
    if let Some(id) = &id
        && !valid_id(id)
    {
        return Err(reject(Value::Null, RpcError::new(INVALID_REQUEST, "an id must be a string or an integer")));
    }
    let Some(Value::String(method)) = message.remove("method") else {
        if id.is_some() && (message.contains_key("result") || message.contains_key("error")) {
            return Ok(Incoming::Response);
        }
        return Err(reject(answer_id, RpcError::new(INVALID_REQUEST, "the message has no \"method\" string")));
    };
    let params = message.remove("params").unwrap_or(Value::Object(Map::new()));
    if !params.is_object() {
        return Err(reject(answer_id, RpcError::invalid_params("\"params\" must be an object")));
    }
    Ok(match id {
        Some(id) => Incoming::Request { id, method, params },
        None => Incoming::Notification { method, params },
    })
}

fn reject(id: Id, error: RpcError) -> Box<(Id, RpcError)> {
    Box::new((id, error))
}

fn valid_id(id: &Value) -> bool {
    id.is_string() || id.as_i64().is_some() || id.as_u64().is_some()
}

/// How a request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    Legacy,
    Modern,
}

/// The era of a request: modern when `_meta` names a protocol version. A modern request must
/// name one this server speaks and carry the client's capabilities.
pub fn era_of(params: &Value) -> Result<Era, RpcError> {
    let meta = params.get("_meta");
    let Some(version) = meta.and_then(|m| m.get(META_VERSION)) else {
        return Ok(Era::Legacy);
    };
    let Some(version) = version.as_str() else {
        return Err(RpcError::invalid_params(format!("_meta.\"{META_VERSION}\" must be a string")));
    };
    if version != MODERN_VERSION {
        let data = json!({ "supported": supported_versions(), "requested": version });
        return Err(RpcError::new(UNSUPPORTED_VERSION, format!("unsupported protocol version {version}")).with_data(data));
    }
    if !meta.is_some_and(|m| m.get(META_CAPABILITIES).is_some_and(Value::is_object)) {
        return Err(RpcError::invalid_params(format!("a {MODERN_VERSION} request must carry _meta.\"{META_CAPABILITIES}\"")));
    }
    Ok(Era::Modern)
}

/// The server's name and version.
pub fn server_info() -> Value {
    json!({ "name": "sev", "version": env!("CARGO_PKG_VERSION") })
}

/// Adds what the modern era requires of every result; `listing` results also get cache hints.
pub fn finish_result(mut result: Value, era: Era, listing: bool) -> Value {
    if era == Era::Legacy {
        return result;
    }
    if let Value::Object(fields) = &mut result {
        fields.insert("resultType".into(), json!("complete"));
        let meta = fields.entry("_meta").or_insert_with(|| json!({}));
        if let Value::Object(meta) = meta {
            meta.insert(META_SERVER_INFO.into(), server_info());
        }
        if listing {
            fields.insert("ttlMs".into(), json!(3_600_000));
            fields.insert("cacheScope".into(), json!("public"));
        }
    }
    result
}

pub fn response(id: &Id, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

pub fn error_response(id: &Id, error: &RpcError) -> Value {
    let mut body = json!({ "code": error.code, "message": error.message });
    if let Some(data) = &error.data {
        body["data"] = data.clone();
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": body })
}

pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_and_garbage_are_rejected_with_the_right_codes() {
        assert_eq!(parse_line(b"[1,2]").expect_err("rejected").1.code, INVALID_REQUEST);
        assert_eq!(parse_line(b"{not json").expect_err("rejected").1.code, PARSE_ERROR);
        let (id, e) = *parse_line(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":3}"#).expect_err("rejected");
        assert_eq!((id, e.code), (json!(7), INVALID_PARAMS));
        assert_eq!(parse_line(br#"{"jsonrpc":"1.0","id":"a","method":"x"}"#).expect_err("rejected").0, json!("a"));
    }

    #[test]
    fn the_era_follows_the_meta_version() {
        assert_eq!(era_of(&json!({})).expect("legacy"), Era::Legacy);
        let modern = json!({"_meta": {META_VERSION: MODERN_VERSION, META_CAPABILITIES: {}}});
        assert_eq!(era_of(&modern).expect("modern"), Era::Modern);
        let wrong = era_of(&json!({"_meta": {META_VERSION: "2031-01-01", META_CAPABILITIES: {}}})).expect_err("rejected");
        assert_eq!(wrong.code, UNSUPPORTED_VERSION);
        assert_eq!(wrong.data.expect("data")["requested"], "2031-01-01");
        assert_eq!(era_of(&json!({"_meta": {META_VERSION: MODERN_VERSION}})).expect_err("rejected").code, INVALID_PARAMS);
        assert_eq!(negotiate_legacy(Some("2025-06-18")), "2025-06-18");
        assert_eq!(negotiate_legacy(Some("1999-01-01")), "2025-11-25");
    }
}
