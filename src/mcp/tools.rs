//! The tool registry: every tool's name, schemas, annotations and handler, in a fixed order.
//!
//! A handler gets its arguments ([`Args`], whose accessors turn a missing or mistyped argument
//! into a `-32602` protocol error) and a [`Context`] (server settings, the cancellation flag,
//! progress reporting, the private work directory). It returns an [`Outcome`]: the structured
//! result and whether it describes a problem in the user's input (`isError`), which the agent
//! is meant to fix and try again. Groups live in their own modules.

/// The program, its outline and its check report (`analysis::prepare`), or an early return of
/// the outcome that explains why there is no outline.
macro_rules! prepared {
    ($args:expr) => {
        match $crate::mcp::tools::analysis::prepare($args)? {
            Ok(p) => p,
            Err(outcome) => return Ok(outcome),
        }
    };
}

pub mod analysis;
pub mod compile;
pub mod declare;
pub mod edit;
pub mod outline;
pub mod prob;
pub mod sample;
pub mod schema;
pub mod source;
pub mod style;

use super::protocol::RpcError;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Settings of one `sev mcp` process.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The `run` tool may execute programs.
    pub allow_run: bool,
    /// The longest a program may run (`run`, `sample_model`).
    pub time_limit: Duration,
    /// The most bytes kept of a program's stdout and of its stderr.
    pub output_cap: usize,
}

/// What a handler may use besides its arguments.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub cancelled: &'a AtomicBool,
    /// Reports a step of a long call (sent only when the client asked for progress).
    pub progress: &'a (dyn Fn(u32, u32, &str) + Sync),
    /// A private directory for builds, removed when the server stops.
    pub workdir: &'a Path,
}

impl Context<'_> {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// A tool's result: `structured` must match the tool's output schema.
pub struct Outcome {
    pub structured: Value,
    pub is_error: bool,
    /// Text for people (e.g. rendered diagnostics), sent after the JSON text item.
    pub text: Option<String>,
}

impl Outcome {
    pub fn ok(structured: Value) -> Outcome {
        Outcome { structured, is_error: false, text: None }
    }

    pub fn new(structured: Value, is_error: bool) -> Outcome {
        Outcome { structured, is_error, text: None }
    }

    pub fn with_text(mut self, text: String) -> Outcome {
        if !text.is_empty() {
            self.text = Some(text);
        }
        self
    }

    /// The `tools/call` result.
    pub fn to_result(&self) -> Value {
        let mut content = vec![json!({ "type": "text", "text": self.structured.to_string() })];
        if let Some(text) = &self.text {
            content.push(json!({ "type": "text", "text": text }));
        }
        json!({ "content": content, "structuredContent": self.structured, "isError": self.is_error })
    }
}

pub type Handler = fn(&Args, &Context) -> Result<Outcome, RpcError>;

pub struct Tool {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub input: fn() -> Value,
    pub output: fn() -> Value,
    pub read_only: bool,
    pub destructive: bool,
    pub call: Handler,
}

impl Tool {
    /// The entry in `tools/list`.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": schema::portable((self.input)()),
            "outputSchema": schema::portable((self.output)()),
            "annotations": {
                "title": self.title,
                "readOnlyHint": self.read_only,
                "destructiveHint": self.destructive,
                "idempotentHint": self.read_only,
                "openWorldHint": false,
            },
        })
    }
}

/// Every tool, in the order `tools/list` shows them.
pub fn all() -> Vec<Tool> {
    let mut tools = compile::tools();
    tools.extend(style::tools());
    tools.extend(analysis::tools());
    tools.extend(edit::tools());
    tools.extend(prob::tools());
    tools.extend(declare::tools());
    tools.extend(sample::tools());
    tools
}

pub fn find(name: &str) -> Option<Tool> {
    all().into_iter().find(|t| t.name == name)
}

/// A tool call's arguments.
pub struct Args {
    fields: Map<String, Value>,
}

impl Args {
    pub fn new(value: Option<&Value>) -> Result<Args, RpcError> {
        match value {
            None | Some(Value::Null) => Ok(Args { fields: Map::new() }),
            Some(Value::Object(fields)) => Ok(Args { fields: fields.clone() }),
            Some(_) => Err(RpcError::invalid_params("\"arguments\" must be an object")),
        }
    }

    /// Refuses an argument the tool does not take (naming the closest one it does).
    pub fn check_names(&self, tool: &Tool) -> Result<(), RpcError> {
        let schema = (tool.input)();
        let known: Vec<&str> = schema["properties"].as_object().map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
        match self.fields.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => {
                let hint = crate::diagnostic::did_you_mean(unknown, known.iter().copied()).map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default();
                let takes = if known.is_empty() { "none".to_string() } else { known.join(", ") };
                Err(RpcError::invalid_params(format!("{} takes no argument \"{unknown}\"{hint} (it takes: {takes})", tool.name)))
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    pub fn string(&self, name: &str) -> Result<&str, RpcError> {
        self.opt_string(name)?.ok_or_else(|| missing(name, "a string"))
    }

    pub fn opt_string(&self, name: &str) -> Result<Option<&str>, RpcError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong(name, "a string")),
        }
    }

    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, RpcError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| wrong(name, "a non-negative integer")),
        }
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, RpcError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| wrong(name, "true or false")),
        }
    }

    pub fn strings(&self, name: &str) -> Result<Vec<String>, RpcError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(|| wrong(name, "an array of strings"))).collect(),
            Some(_) => Err(wrong(name, "an array of strings")),
        }
    }

    /// A JSON value given either as JSON or as a string holding JSON text.
    pub fn json(&self, name: &str) -> Result<Value, RpcError> {
        match self.get(name) {
            None => Err(missing(name, "a JSON value")),
            Some(Value::String(text)) => serde_json::from_str(text).map_err(|e| RpcError::invalid_params(format!("argument \"{name}\" is not valid JSON: {e}"))),
            Some(v) => Ok(v.clone()),
        }
    }

    pub fn object(&self, name: &str) -> Result<Map<String, Value>, RpcError> {
        match self.json(name)? {
            Value::Object(fields) => Ok(fields),
            _ => Err(wrong(name, "a JSON object")),
        }
    }
}

pub fn missing(name: &str, what: &str) -> RpcError {
    RpcError::invalid_params(format!("missing argument \"{name}\" ({what})"))
}

pub fn wrong(name: &str, what: &str) -> RpcError {
    RpcError::invalid_params(format!("argument \"{name}\" must be {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_are_unique_and_valid() {
        let tools = all();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name).collect();
        assert!(names.iter().all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tools.len());
        for tool in &tools {
            assert_eq!((tool.input)()["type"], "object", "{}", tool.name);
            assert_eq!((tool.output)()["type"], "object", "{}", tool.name);
        }
    }
}
