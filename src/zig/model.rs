//! The Zig declarations of models: the spec a model object exports to the sampler (sites,
//! names, the `Data` struct read from a Stan-style JSON file and the reader of each field), for
//! the entry model and for each model fitted by `infer`.

use super::*;

impl<'a> Module<'a> {

    /// The specification a model program hands to the sampler: its sites, how its data is
    /// read, and how to run it in a mode.
    pub(super) fn model_spec(&self, model: &ModelEntry, entry: FuncId) -> Doc {
        concat([
            self.model_struct("Model", model, entry),
            hardline(),
            hardline(),
            text("comptime { rt.ppl.modelrt.exportModel(Model); }"),
        ])
    }

    /// The spec of model `index` fitted by `infer` expressions.
    pub(super) fn inferred_spec(&self, index: usize) -> Doc {
        let m = &self.p.inferred[index];
        self.model_struct(&self.inferred_names[index], &m.entry, m.func)
    }

    /// A model's sites, data and entry call, as `modelrt.Program` expects them.
    pub(super) fn model_struct(&self, struct_name: &str, model: &ModelEntry, entry: FuncId) -> Doc {
        let mut lines = vec![
            text(format!("pub const name = {};", string_literal(&model.name))),
            text("pub const sites = [_]rt.ppl.modelrt.Site{"),
        ];
        let names = self.site_names(entry);
        let sites: Vec<Doc> = self.p.sites.iter().zip(&names).map(|(site, name)| text(format!("    {},", site_literal(site, name)))).collect();
        lines.extend(sites);
        lines.push(text("};"));
        lines.push(self.data_struct(model, entry));
        let args: Vec<String> = data_field_names(model).iter().map(|n| format!("data.{n}")).chain(model.prepare.map(|_| "data.sev_cache".to_string())).collect();
        let mut call_args = vec!["M".to_string(), "ctx".to_string()];
        call_args.extend(args);
        let data_use = if model.data.is_empty() && model.prepare.is_none() { "    _ = data;".to_string() } else { String::new() };
        lines.push(text("pub fn run(comptime M: type, ctx: *M.Ctx, data: *const Data) M.Err!void {"));
        if !data_use.is_empty() {
            lines.push(text(data_use));
        }
        lines.push(text(format!("    return {}({});", self.fn_names[entry.index()], call_args.join(", "))));
        lines.push(text("}"));
        lines.extend(self.adjoint_decl(model, entry));
        concat([text(format!("const {struct_name} = struct {{")), concat(lines.into_iter().map(|l| concat([hardline(), l]))).nest(INDENT), hardline(), text("};")])
    }

    /// The column name of every site for the model entered at `entry`: the sites its code
    /// reaches are named as written, de-duplicated among themselves (so a model fitted by
    /// `infer` gets `mu`, whatever other models call their parameters); the others keep their
    /// program-wide names (they produce no columns in this model).
    pub(super) fn site_names(&self, entry: FuncId) -> Vec<String> {
        let mut reached = vec![false; self.p.functions.len()];
        let mut pending = vec![entry];
        let mut own = vec![false; self.p.sites.len()];
        while let Some(id) = pending.pop() {
            if std::mem::replace(&mut reached[id.index()], true) {
                continue;
            }
            let f = self.p.func(id);
            for v in f.reachable_blocks().iter().flat_map(|b| &f.block(*b).insts) {
                let kind = &f.inst(*v).kind;
                pending.extend(kind.callee());
                if let InstKind::Sample { site, .. } | InstKind::Record { site, .. } = kind {
                    own[*site as usize] = true;
                }
            }
        }
        let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
        self.p
            .sites
            .iter()
            .zip(own)
            .map(|(site, own)| {
                if !own {
                    return site.name.clone();
                }
                let mut name = site.base.clone();
                let mut k = 2;
                while !taken.insert(name.clone()) {
                    name = format!("{}_{k}", site.base);
                    k += 1;
                }
                name
            })
            .collect()
    }

    /// The model's data: one field per parameter of the entry, read by name from the data file,
    /// and, when `opt::datacache` moved data-only work out of the entry, the cache that work
    /// computes once (`sev_cache`).
    pub(super) fn data_struct(&self, model: &ModelEntry, entry: FuncId) -> Doc {
        let mut lines = Vec::new();
        let fields = data_field_names(model);
        for (n, (_, ty)) in fields.iter().zip(&model.data) {
            lines.push(text(format!("{n}: {},", self.ty(ty))));
        }
        let cache_ty = model.prepare.map(|f| self.p.func(f).ret.clone());
        if let Some(ty) = &cache_ty {
            lines.push(text(format!("sev_cache: {},", self.ty(ty))));
        }
        lines.push(text(""));
        lines.push(text("pub fn read(d: rt.ppl.modelrt.DataSource) !Data {"));
        if model.data.is_empty() {
            lines.push(text("    _ = d;"));
        }
        let checks = self.data_bound_checks(entry, model, &fields);
        let keep = model.prepare.is_some() || !checks.is_empty();
        let declare = if model.prepare.is_some() { "    var data: Data = .{" } else if keep { "    const data: Data = .{" } else { "    return .{" };
        lines.push(text(declare));
        for (field, (n, ty)) in fields.iter().zip(&model.data) {
            lines.push(text(format!("        .{field} = try {},", data_reader(n, ty))));
        }
        if let Some(prepare) = model.prepare {
            lines.push(text("        .sev_cache = undefined,"));
            lines.push(text("    };"));
            lines.extend(checks);
            let args: Vec<String> = fields.iter().map(|n| format!("data.{n}")).collect();
            lines.push(text(format!("    data.sev_cache = {}({});", self.fn_names[prepare.index()], args.join(", "))));
            lines.push(text("    return data;"));
        } else if keep {
            lines.push(text("    };"));
            lines.extend(checks);
            lines.push(text("    return data;"));
        } else {
            lines.push(text("    };"));
        }
        lines.push(text("}"));
        lines.push(text(""));
        lines.push(text("pub fn deinit(self: *Data) void {"));
        let mut heap: Vec<String> = fields.iter().zip(&model.data).filter(|(_, (_, t))| t.is_heap()).map(|(n, _)| n.clone()).collect();
        if cache_ty.as_ref().is_some_and(Ty::is_heap) {
            heap.push("sev_cache".into());
        }
        if heap.is_empty() {
            lines.push(text("    _ = self;"));
        }
        for n in heap {
            lines.push(text(format!("    rt.release(self.{n});")));
        }
        lines.push(text("}"));
        concat([text("pub const Data = struct {"), concat(lines.into_iter().map(|l| concat([hardline(), l]))).nest(INDENT), hardline(), text("};")])
    }
}


impl<'a> Module<'a> {
    /// The bounds of the entry's element reads, checked once in `Data.read` (`cir::databounds`),
    /// one line each; a failed check is a data error naming the field and the read.
    fn data_bound_checks(&self, entry: FuncId, model: &ModelEntry, fields: &[String]) -> Vec<Doc> {
        let f = self.p.func(entry);
        let mut seen = std::collections::HashSet::new();
        let mut lines = Vec::new();
        for b in &self.data_bounds[entry.index()] {
            if !seen.insert((b.array, b.size, b.start)) {
                continue;
            }
            // `model_data_bounds` keeps only reads of data fields
            let (Some(array), Some(size), Some((array_name, _)), Some((size_name, _))) = (fields.get(b.array), fields.get(b.size), model.data.get(b.array), model.data.get(b.size)) else { continue };
            let (line, col) = self.p.line_col(f.inst(b.read).span);
            let loc = format!(".{{ .func = {}, .line = {line}, .col = {col} }}", string_literal(&f.source_name));
            let (array_name, size_name) = (string_literal(array_name), string_literal(size_name));
            lines.push(text(format!("    try d.covers({array_name}, data.{array}.len(), {size_name}, data.{size}, {}, {loc});", b.start)));
        }
        lines
    }
}

/// A Zig literal of a model site.
pub(super) fn site_literal(site: &Site, name: &str) -> String {
    let kind = match site.kind {
        SiteKind::Param => "param",
        SiteKind::Predictive => "predictive",
        SiteKind::Enumerated => "enumerated",
        SiteKind::Gibbs => "gibbs",
        SiteKind::Output => "output",
        SiteKind::Print => "print",
        SiteKind::Check => "check",
    };
    let mut out = format!(".{{ .kind = .{kind}, .name = {}", string_literal(name));
    if !site.label.is_empty() {
        out.push_str(&format!(", .label = {}", string_literal(&site.label)));
    }
    if site.kind == SiteKind::Check {
        out.push_str(&format!(", .confidence = {:?}", site.confidence));
    }
    if site.kind == SiteKind::Enumerated && site.gibbs_fallback {
        out.push_str(", .gibbs_fallback = true");
    }
    out.push_str(" }");
    out
}

/// The expression reading data field `name` of type `ty`.
/// The field of each datum in a model's `Data` struct: its escaped name, kept apart from the
/// struct's own members.
pub(super) fn data_field_names(model: &ModelEntry) -> Vec<String> {
    let mut namer = Namer::with_taken(["read", "deinit", "sev_cache"].map(String::from));
    model.data.iter().map(|(n, _)| namer.fresh(n)).collect()
}

pub(super) fn data_reader(name: &str, ty: &Ty) -> String {
    let n = string_literal(name);
    match ty {
        Ty::Int(i) => format!("d.int({}, {n})", i.name()),
        Ty::Float(f) => format!("d.real({}, {n})", f.name()),
        Ty::Bool => format!("d.boolean({n})"),
        Ty::Array(e) => match &**e {
            Ty::Int(i) => format!("d.intArray({}, {n})", i.name()),
            Ty::Float(f) => format!("d.realArray({}, {n})", f.name()),
            Ty::Bool => format!("d.boolArray({n})"),
            Ty::Array(inner) if **inner == Ty::Float(crate::types::FloatTy::F64) => format!("d.realMatrix({n})"),
            _ => "error.UnsupportedData".into(),
        },
        _ => "error.UnsupportedData".into(),
    }
}

pub(super) fn transform_name(t: Transform) -> &'static str {
    match t {
        Transform::Real => "real",
        Transform::Lower => "lower",
        Transform::Upper => "upper",
        Transform::Interval => "interval",
        Transform::Positive => "positive",
        Transform::Unit => "unit",
        Transform::Ordered => "ordered",
        Transform::PositiveOrdered => "positive_ordered",
        Transform::Simplex => "simplex",
        Transform::Joint | Transform::CholeskyCorr | Transform::CorrMatrix | Transform::CovMatrix => "real",
    }
}
