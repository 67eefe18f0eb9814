//! The graphical-model statement `{"model": {"name"?, "plates"?: {name: size}, "nodes": [...],
//! "factors"?: [expr]}}`, read into `ast::GraphicalModel`; `blocks::graphical` checks the graph
//! and gives it its meaning.

use super::super::json::{Json, JsonKind};
use super::Parser;
use crate::ast::{Expr, GraphNode, GraphicalModel, Name};

const NODE_KEYS: &[&str] = &["name", "kind", "distribution", "params", "value", "plate", "parents", "lower", "upper", "parameterization"];

impl Parser {
    pub(super) fn graphical(&mut self, body: &Json) -> Option<GraphicalModel> {
        let mut obj = self.obj(body, "`model`")?;
        let name = obj.get("name").and_then(|n| self.name(n, "model"));
        let plates = obj.get("plates").map(|p| self.plates(p)).unwrap_or_default();
        let nodes = self.required(&mut obj, "nodes").map(|n| self.list(n, "`nodes`", Self::graph_node)).unwrap_or_default();
        let factors = obj.get("factors").map(|f| self.exprs(f, "`factors`")).unwrap_or_default();
        self.finish(obj, &["name", "plates", "nodes", "factors"]);
        Some(GraphicalModel { name, plates, nodes, factors, span: body.span })
    }

    fn plates(&mut self, json: &Json) -> Vec<(Name, Expr)> {
        let JsonKind::Object(members) = &json.kind else {
            self.wrong_type(json, "`plates`", "an object: plate name → size");
            return Vec::new();
        };
        members.iter().filter_map(|m| Some((self.key_name(m, "plate")?, self.expr(&m.value)?))).collect()
    }

    fn graph_node(&mut self, json: &Json) -> Option<GraphNode> {
        let mut obj = self.obj(json, "a node")?;
        let name = self.required_name(&mut obj, "name", "node");
        let kind = self.required_name(&mut obj, "kind", "node kind");
        let dist = obj.get("distribution").and_then(|d| self.name(d, "distribution"));
        let params = obj.get("params").map(|p| self.exprs(p, "`params`")).unwrap_or_default();
        let value = obj.get("value").and_then(|v| self.expr(v));
        let plate = obj.get("plate").and_then(|p| self.name(p, "plate"));
        let parents = obj.get("parents").map(|p| self.list(p, "`parents`", |q, j| q.name(j, "parent"))).unwrap_or_default();
        let lower = obj.get("lower").and_then(|b| self.expr(b));
        let upper = obj.get("upper").and_then(|b| self.expr(b));
        let parameterization = obj.get("parameterization").and_then(|p| self.name(p, "parameterization"));
        self.finish(obj, NODE_KEYS);
        Some(GraphNode { name: name?, kind: kind?, dist, params, value, plate, parents, lower, upper, parameterization, span: json.span })
    }
}
