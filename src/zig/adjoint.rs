//! The compiled gradient in a model's spec: `adjoint(ctx, data)`, the body `crate::ad::emit`
//! generates, present only when `crate::ad::plan` chose compiled gradients for the entry
//! model (models fitted by `infer` keep the tape). `modelrt` calls it instead of the tape.

use super::*;

impl Module<'_> {
    /// The lines of `pub fn adjoint` for the model entered at `entry`, or none.
    pub(super) fn adjoint_decl(&self, model: &ModelEntry, entry: FuncId) -> Vec<Doc> {
        let Some(crate::ad::Strategy::Adjoint(f)) = &self.p.ad else {
            return Vec::new();
        };
        if self.p.entry != Some(entry) {
            return Vec::new();
        }
        let fields: Vec<String> = super::model::data_field_names(model)
            .iter()
            .map(|n| format!("data.{n}"))
            .collect();
        let Ok(body) = crate::ad::emit::adjoint_body(self.p, f, &fields) else {
            return Vec::new();
        };
        let mut lines = vec![text(
            "pub fn adjoint(ctx: *rt.ppl.adjoint.Ctx, data: *const Data) rt.ppl.adjoint.Error!void {",
        )];
        lines.push(text("    _ = &data;"));
        lines.extend(body.into_iter().map(|l| text(format!("    {l}"))));
        lines.push(text("}"));
        lines
    }
}
