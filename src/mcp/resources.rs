//! The resources: the language reference, the distribution reference and the distribution
//! catalogue as JSON (the checker's own table).

use super::protocol::RpcError;
use serde_json::{Value, json};

struct Resource {
    uri: &'static str,
    name: &'static str,
    description: &'static str,
    mime: &'static str,
    text: fn() -> String,
}

const RESOURCES: &[Resource] = &[
    Resource {
        uri: "sev://docs/language.md",
        name: "language",
        description: "The Sever language reference: SIRS syntax, types, statements, expressions",
        mime: "text/markdown",
        text: || include_str!("../../docs/language.md").to_string(),
    },
    Resource {
        uri: "sev://docs/distributions.md",
        name: "distributions",
        description: "The distribution reference: parametrisations, supports, custom distributions and mixtures",
        mime: "text/markdown",
        text: || include_str!("../../docs/distributions.md").to_string(),
    },
    Resource {
        uri: "sev://distributions.json",
        name: "distribution-catalogue",
        description: "Every built-in distribution with its parameters, their constraints and its support, as JSON",
        mime: "application/json",
        text: || super::tools::prob::catalogue().to_string(),
    },
];

/// The `resources/list` entries.
pub fn list() -> Vec<Value> {
    RESOURCES.iter().map(|r| json!({ "uri": r.uri, "name": r.name, "title": r.name, "description": r.description, "mimeType": r.mime })).collect()
}

/// `resources/read`.
pub fn read(params: &Value) -> Result<Value, RpcError> {
    let uri = params.get("uri").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("resources/read needs a \"uri\" string"))?;
    let Some(resource) = RESOURCES.iter().find(|r| r.uri == uri) else {
        let known: Vec<&str> = RESOURCES.iter().map(|r| r.uri).collect();
        return Err(RpcError::new(-32002, format!("resource not found: {uri}")).with_data(json!({ "uri": uri, "known": known })));
    };
    Ok(json!({ "contents": [{ "uri": resource.uri, "mimeType": resource.mime, "text": (resource.text)() }] }))
}
