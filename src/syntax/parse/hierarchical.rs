//! The declarative `hierarchical` statement:
//!
//! ```text
//! {"hierarchical": {"name"?, "hyperpriors": {name: expr},
//!   "levels": [{"level_name"?, "groups": n, "group_variable"?: data name,
//!               "parameters": {name: {"distribution", "hyperparameters": [...], "parameterization"?}}}],
//!   "observation_model": {"likelihood", "parameters": [...], "value", "indexed"?: [data names]}}}
//! ```
//!
//! Read here into `ast::HierarchicalBlock`; `blocks::hierarchical` gives it its meaning.

use super::super::json::{Json, JsonKind};
use super::Parser;
use crate::ast::{HierarchicalBlock, Level, LevelParam, ObservationModel};

impl Parser {
    pub(super) fn hierarchical(&mut self, body: &Json) -> Option<HierarchicalBlock> {
        let mut obj = self.obj(body, "`hierarchical`")?;
        let name = obj.get("name").and_then(|n| self.name(n, "model"));
        let hyperpriors = obj.get("hyperpriors").map(|h| self.hyperpriors(h)).unwrap_or_default();
        let levels = self.required(&mut obj, "levels").map(|l| self.list(l, "`levels`", Self::level)).unwrap_or_default();
        let observation = self.required(&mut obj, "observation_model").and_then(|o| self.observation_model(o));
        self.finish(obj, &["name", "hyperpriors", "levels", "observation_model"]);
        Some(HierarchicalBlock { name, hyperpriors, levels, observation, span: body.span })
    }

    fn hyperpriors(&mut self, json: &Json) -> Vec<(crate::ast::Name, crate::ast::Expr)> {
        let JsonKind::Object(members) = &json.kind else {
            self.wrong_type(json, "`hyperpriors`", "an object: name → expression");
            return Vec::new();
        };
        members.iter().filter_map(|m| Some((self.key_name(m, "hyperparameter")?, self.expr(&m.value)?))).collect()
    }

    fn level(&mut self, json: &Json) -> Option<Level> {
        let mut obj = self.obj(json, "a level")?;
        let name = obj.get("level_name").and_then(|n| self.name(n, "level"));
        let groups = self.required(&mut obj, "groups").and_then(|g| self.expr(g));
        let group_variable = obj.get("group_variable").and_then(|g| self.name(g, "group variable"));
        let parameters = match self.required(&mut obj, "parameters") {
            Some(Json { kind: JsonKind::Object(members), .. }) => members.iter().filter_map(|m| self.level_param(m)).collect(),
            Some(other) => {
                self.wrong_type(other, "`parameters` of a level", "an object: name → {\"distribution\", \"hyperparameters\"}");
                Vec::new()
            }
            None => Vec::new(),
        };
        self.finish(obj, &["level_name", "groups", "group_variable", "parameters"]);
        Some(Level { name, groups, group_variable, parameters, span: json.span })
    }

    fn level_param(&mut self, member: &super::super::json::Member) -> Option<LevelParam> {
        let name = self.key_name(member, "group parameter");
        let mut obj = self.obj(&member.value, format!("group parameter `{}`", member.key))?;
        let dist = self.required_name(&mut obj, "distribution", "distribution");
        let hyperparameters = obj.get("hyperparameters").map(|h| self.exprs(h, "`hyperparameters`")).unwrap_or_default();
        let parameterization = obj.get("parameterization").and_then(|p| self.name(p, "parameterization"));
        self.finish(obj, &["distribution", "hyperparameters", "parameterization"]);
        Some(LevelParam { name: name?, dist: dist?, hyperparameters, parameterization, span: member.value.span })
    }

    fn observation_model(&mut self, json: &Json) -> Option<ObservationModel> {
        let mut obj = self.obj(json, "`observation_model`")?;
        let likelihood = self.required_name(&mut obj, "likelihood", "distribution");
        let params = obj.get("parameters").map(|p| self.exprs(p, "`parameters`")).unwrap_or_default();
        let value = self.required(&mut obj, "value").and_then(|v| self.expr(v));
        let indexed = obj.get("indexed").map(|i| self.list(i, "`indexed`", |p, j| p.name(j, "data"))).unwrap_or_default();
        self.finish(obj, &["likelihood", "parameters", "value", "indexed"]);
        Some(ObservationModel { likelihood: likelihood?, params, value: value?, indexed, span: json.span })
    }
}
