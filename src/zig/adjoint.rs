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
        let Ok(body) = crate::ad::emit::adjoint_body_reading(self.p, f, &fields, self.adjoint_in_bounds(f, entry, model)) else {
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

    /// The data reads of the adjoint's function `f` (the entry before optimisation) whose
    /// bounds `Data.read` checks: the same loop shape (array, size, start) as a read of the
    /// optimised entry that `model_data_bounds` kept.
    fn adjoint_in_bounds(&self, f: &crate::cir::Function, entry: FuncId, model: &ModelEntry) -> std::collections::HashSet<crate::cir::ValueId> {
        let checked: std::collections::HashSet<(usize, usize, i128)> = self.data_bounds[entry.index()].iter().map(|b| (b.array, b.size, b.start)).collect();
        let fields = model.data.len();
        crate::cir::databounds::of_entry(f)
            .into_iter()
            .filter(|b| b.array < fields && b.size < fields && checked.contains(&(b.array, b.size, b.start)))
            .map(|b| b.read)
            .collect()
    }
}
