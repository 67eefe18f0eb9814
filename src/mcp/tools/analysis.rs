//! Program analysis tools: functions and signatures, the call graph (JSON, DOT, Mermaid),
//! unused functions, cycles, reachability and complexity metrics.

use super::Tool;
use serde_json::Value;

pub fn tools() -> Vec<Tool> {
    Vec::new()
}

/// The names under `program.functions`, in order.
pub fn function_names(tree: &Value) -> Vec<String> {
    tree["program"]["functions"].as_object().map(|f| f.keys().cloned().collect()).unwrap_or_default()
}
