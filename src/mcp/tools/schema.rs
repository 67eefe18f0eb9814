//! JSON Schema fragments shared by the tools' input and output schemas.
//!
//! Both protocol eras accept an object at the root of both schemas, so every tool uses one.

use serde_json::{Map, Value, json};

/// An object schema with these properties, of which `required` must be present.
pub fn object(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required })
}

/// An input schema: like [`object`], and unknown arguments are refused by the schema.
pub fn input(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

/// The `program` argument: SIRS as JSON text (spans refer to it) or as a JSON object.
pub fn program() -> Value {
    json!({
        "type": ["string", "object"],
        "description": "The SIRS program: its JSON text (diagnostic spans are byte offsets into it) or the JSON object itself (then spans refer to the pretty-printed `source` returned)."
    })
}

/// One diagnostic as `sev check --format json` prints it.
pub fn diagnostic() -> Value {
    let label = object(
        json!({
            "primary": {"type": "boolean"}, "message": {"type": "string"},
            "start": {"type": "integer"}, "end": {"type": "integer"},
            "line": {"type": "integer"}, "column": {"type": "integer"},
            "end_line": {"type": "integer"}, "end_column": {"type": "integer"}
        }),
        &["primary", "message", "start", "end", "line", "column"],
    );
    object(
        json!({
            "severity": {"enum": ["error", "warning"]},
            "code": {"type": "string"},
            "title": {"type": "string"},
            "file": {"type": "string"},
            "labels": {"type": "array", "items": label},
            "notes": {"type": "array", "items": {"type": "string"}},
            "hint": {"type": ["string", "null"]}
        }),
        &["severity", "code", "title", "labels", "notes"],
    )
}

/// The properties every checking tool reports: `ok`, counts and the diagnostics.
pub fn report_properties() -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("ok".into(), json!({"type": "boolean", "description": "no errors"}));
    props.insert("errors".into(), json!({"type": "integer"}));
    props.insert("warnings".into(), json!({"type": "integer"}));
    props.insert("diagnostics".into(), json!({"type": "array", "items": diagnostic()}));
    props
}

/// An output schema: the report properties plus `extra`.
pub fn report_with(extra: Value, required: &[&str]) -> Value {
    let mut props = report_properties();
    if let Value::Object(more) = extra {
        props.extend(more);
    }
    let mut all_required = vec!["ok", "errors", "warnings", "diagnostics"];
    all_required.extend_from_slice(required);
    object(Value::Object(props), &all_required)
}

/// The schema with every `"type": [a, b, …]` written as `"anyOf": [{"type": a}, …]`, which
/// clients that map schemas onto a single-type dialect accept (the Inspector's portability
/// check recommends it).
pub fn portable(schema: Value) -> Value {
    match schema {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, value) in fields {
                match (key.as_str(), value) {
                    ("type", Value::Array(types)) => {
                        let branches: Vec<Value> = types.into_iter().map(|t| json!({"type": t})).collect();
                        out.insert("anyOf".into(), Value::Array(branches));
                    }
                    (_, value) => {
                        out.insert(key, portable(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(portable).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_lists_become_any_of() {
        let schema = json!({"type": "object", "properties": {"p": {"type": ["string", "object"], "description": "d"}}});
        assert_eq!(portable(schema), json!({"type": "object", "properties": {"p": {"anyOf": [{"type": "string"}, {"type": "object"}], "description": "d"}}}));
    }
}
