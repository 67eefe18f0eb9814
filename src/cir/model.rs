//! Model analysis: which functions run inside a model, and which values there depend on the
//! model's parameters.
//!
//! A program is a *model* when its entry function reaches an `observe`, `factor` or
//! `prob_assert` (directly or through calls): `sev` then builds a sampler for it instead of a
//! plain program. Inside a model, a function *needs the context* when it reaches a `sample`, a
//! probabilistic statement or a print; such functions are emitted generic over the model mode.
//!
//! *Activity* is the data-flow fact "this value depends on a parameter": a continuous `sample`
//! is active, and so is anything computed from an active value by arithmetic, differentiable
//! math, indexing, array construction or a call whose result is active. Only `f64` values and
//! arrays of them can be active; they get the CIR type `Real` so that the gradient flows
//! through them, while everything else stays plain data. The analysis is per function
//! instance: a function called with active arguments is analysed (and later lowered) for that
//! pattern of activity.

use crate::typed::{self, Callee, Expr, ExprKind as E, FuncId, LocalId, Pat, StmtKind as S};
use crate::types::Ty;
use std::collections::{HashMap, HashSet};

/// Math built-ins that have a derivative (an active argument gives an active result).
pub fn differentiable(name: &str) -> bool {
    matches!(
        name,
        "math_exp" | "math_log" | "math_sqrt" | "math_pow" | "math_sin" | "math_cos" | "math_tan" | "math_atan" | "math_tanh"
            | "math_abs" | "math_log10" | "math_log2" | "math_min" | "math_max" | "inv_logit" | "logit" | "log1p" | "expm1"
            | "lgamma" | "log_sum_exp" | "log_sum_exp_array" | "log1p_exp" | "phi" | "erf" | "log_mix" | "square" | "array_sum" | "array_mean"
            | "dot"
    ) || is_matrix_function(name)
}

/// The matrix and vector built-ins (runtime/ppl/matrix.zig): differentiable in every operand.
pub fn is_matrix_function(name: &str) -> bool {
    matches!(
        name,
        "multiply" | "multiply_vector" | "transpose" | "cholesky_decompose" | "mdivide_left_tri_low" | "mdivide_left_tri_low_vector"
            | "log_determinant" | "inverse" | "diag_matrix" | "add_diag" | "rep_matrix" | "gp_exp_quad_cov" | "gp_matern32_cov"
            | "gp_periodic_cov" | "softmax" | "log_softmax" | "add_diag_vector" | "diag_pre_multiply" | "diag_post_multiply"
            | "row" | "col" | "block" | "segment"
    )
}

/// Built-ins that pass their array argument's activity on to their result.
fn structural(name: &str) -> bool {
    matches!(name, "array_slice" | "array_concat" | "array_reverse" | "pop" | "array_fill")
}

/// Built-ins that print, which in a model become per-draw reports (`print_inline` as `print`:
/// a report has no lines to continue).
pub fn prints(name: &str) -> bool {
    matches!(name, "std_print" | "std_print_int" | "std_print_float" | "std_print_bool" | "print" | "print_inline" | "debug_trace" | "debug_variable")
}

#[derive(Clone, Debug, Default)]
pub struct FnActivity {
    pub active: HashSet<LocalId>,
    pub ret: bool,
}

/// A function, the activity of its arguments and its type arguments (a generic function's `T`
/// is real-like only in its instances where `T` is `f64` or an array of it).
type ActivityKey = (FuncId, Vec<bool>, Vec<Ty>);

pub struct Analysis<'a> {
    typed: &'a typed::Program,
    /// Functions reaching `observe`/`factor`/`prob_assert`.
    pub probabilistic: HashSet<FuncId>,
    /// Functions that must receive the model context.
    pub needs_ctx: HashSet<FuncId>,
    cache: HashMap<ActivityKey, FnActivity>,
    in_progress: HashSet<ActivityKey>,
}

impl<'a> Analysis<'a> {
    pub fn new(typed: &'a typed::Program) -> Analysis<'a> {
        let direct = |f: &typed::Function, probe: fn(&S, &[&Expr]) -> bool| {
            let mut found = false;
            typed::walk(&f.body, &mut |stmt, exprs| found |= probe(stmt, exprs));
            found
        };
        let prob_stmt = |s: &S, _: &[&Expr]| matches!(s, S::Observe { .. } | S::Factor(_) | S::ProbAssert { .. });
        let ctx_stmt = |s: &S, exprs: &[&Expr]| {
            matches!(s, S::Observe { .. } | S::Factor(_) | S::ProbAssert { .. })
                || exprs.iter().any(|e| match &e.kind {
                    E::Sample { .. } => true,
                    E::Call { callee: Callee::Builtin { name }, .. } => prints(name),
                    _ => false,
                })
        };
        let probabilistic = closure(typed, |f| direct(f, prob_stmt));
        let needs_ctx = closure(typed, |f| direct(f, ctx_stmt));
        Analysis { typed, probabilistic, needs_ctx, cache: HashMap::new(), in_progress: HashSet::new() }
    }

    pub fn is_model_program(&self) -> bool {
        self.typed.entry.is_some_and(|e| self.probabilistic.contains(&e))
    }

    /// The activity of function `f` (the instance with `targs`) when called with arguments of
    /// the given activity.
    pub fn activity(&mut self, f: FuncId, args: &[bool], targs: &[Ty]) -> FnActivity {
        let key = (f, args.to_vec(), targs.to_vec());
        if let Some(a) = self.cache.get(&key) {
            return a.clone();
        }
        let func = self.typed.func(f);
        let mut active: HashSet<LocalId> =
            func.params.iter().zip(args).filter(|(p, a)| **a && real_like(&func.local(**p).ty, targs)).map(|(p, _)| *p).collect();
        if !self.in_progress.insert(key.clone()) {
            let ret = real_like(&func.ret, targs) && args.iter().any(|a| *a);
            return FnActivity { active, ret };
        }
        loop {
            let before = active.len();
            self.propagate(&func.body, func, targs, &mut active);
            if active.len() == before {
                break;
            }
        }
        let mut ret = false;
        typed::walk(&func.body, &mut |stmt, _| {
            if let S::Return(Some(e)) = stmt {
                ret |= real_like(&e.ty, targs);
            }
        });
        if ret {
            ret = false;
            let returns = collect_returns(&func.body);
            for e in returns {
                ret |= self.expr_active(e, &active, targs);
            }
        }
        self.in_progress.remove(&key);
        let result = FnActivity { active, ret };
        self.cache.insert(key, result.clone());
        result
    }

    fn propagate(&mut self, block: &'a typed::Block, func: &'a typed::Function, targs: &[Ty], active: &mut HashSet<LocalId>) {
        for stmt in block {
            match &stmt.kind {
                S::Let { local, value, .. } => self.mark(func, *local, value, targs, active),
                S::Assign { place, value } => self.mark(func, place.root, value, targs, active),
                S::LetPattern { pattern, value }
                    if self.expr_active(value, active, targs) => {
                        bind_all(pattern, func, targs, active);
                    }
                S::ForEach { binding, iterable, body } => {
                    if self.expr_active(iterable, active, targs) {
                        bind_all(binding, func, targs, active);
                    }
                    self.propagate(body, func, targs, active);
                }
                S::Expr(e) => {
                    if let E::Call { callee: Callee::Builtin { name: "push" }, args } = &e.kind
                        && let (Some(Expr { kind: E::Local(target), .. }), Some(v)) = (args.first(), args.get(1))
                            && self.expr_active(v, active, targs) && real_like(&func.local(*target).ty, targs) {
                                active.insert(*target);
                            }
                }
                S::If { then_body, else_body, .. } => {
                    self.propagate(then_body, func, targs, active);
                    self.propagate(else_body, func, targs, active);
                }
                S::While { body, .. } | S::ForRange { body, .. } => self.propagate(body, func, targs, active),
                S::Match { scrutinee, arms, .. } => {
                    let scrutinee_active = self.expr_active(scrutinee, active, targs);
                    for arm in arms {
                        if scrutinee_active {
                            bind_all(&arm.pattern, func, targs, active);
                        }
                        self.propagate(&arm.body, func, targs, active);
                    }
                }
                S::Try { body, catches, finally } => {
                    self.propagate(body, func, targs, active);
                    for c in catches {
                        self.propagate(&c.body, func, targs, active);
                    }
                    self.propagate(finally, func, targs, active);
                }
                _ => {}
            }
        }
    }

    fn mark(&mut self, func: &typed::Function, local: LocalId, value: &Expr, targs: &[Ty], active: &mut HashSet<LocalId>) {
        if !active.contains(&local) && real_like(&func.local(local).ty, targs) && self.expr_active(value, active, targs) {
            active.insert(local);
        }
    }

    /// Whether an expression's value depends on a parameter (given the active locals), in the
    /// instance of its function with type arguments `targs`.
    pub fn expr_active(&mut self, e: &Expr, active: &HashSet<LocalId>, targs: &[Ty]) -> bool {
        if !real_like(&e.ty, targs) {
            return false;
        }
        match &e.kind {
            E::Local(id) => active.contains(id),
            E::Unary { arg, .. } | E::Cast(arg) => self.expr_active(arg, active, targs),
            E::Binary { lhs, rhs, .. } => self.expr_active(lhs, active, targs) || self.expr_active(rhs, active, targs),
            E::Index { object, .. } => self.expr_active(object, active, targs),
            E::Array(items) => items.iter().any(|i| self.expr_active(i, active, targs)),
            E::Cond { then_value, else_value, .. } => self.expr_active(then_value, active, targs) || self.expr_active(else_value, active, targs),
            E::Sample { dist, .. } => !self.typed.dist_is_discrete(dist),
            E::LogDensity { dist, value } => {
                self.expr_active(value, active, targs) || dist.params.iter().any(|p| self.expr_active(p, active, targs))
            }
            E::Call { callee: Callee::Func { id, type_args }, args } => {
                let pattern: Vec<bool> = args.iter().map(|a| self.expr_active(a, active, targs)).collect();
                let callee_targs: Vec<Ty> = type_args.iter().map(|t| t.subst(targs)).collect();
                self.activity(*id, &pattern, &callee_targs).ret
            }
            E::Call { callee: Callee::Builtin { name }, args } if differentiable(name) || structural(name) => {
                args.iter().any(|a| self.expr_active(a, active, targs))
            }
            _ => false,
        }
    }
}

/// The functions for which `direct` holds, closed under "calls one of them".
fn closure(typed: &typed::Program, direct: impl Fn(&typed::Function) -> bool) -> HashSet<FuncId> {
    let ids = |i: usize| FuncId(u32::try_from(i).unwrap_or(u32::MAX));
    let mut set: HashSet<FuncId> = typed.functions.iter().enumerate().filter(|(_, f)| direct(f)).map(|(i, _)| ids(i)).collect();
    let calls: Vec<Vec<FuncId>> = typed.functions.iter().map(|f| callees(&f.body)).collect();
    loop {
        let before = set.len();
        for (i, cs) in calls.iter().enumerate() {
            if cs.iter().any(|c| set.contains(c)) {
                set.insert(ids(i));
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

fn callees(block: &typed::Block) -> Vec<FuncId> {
    let mut out = Vec::new();
    typed::walk(block, &mut |_, exprs| {
        for e in exprs {
            match &e.kind {
                E::Call { callee: Callee::Func { id, .. }, .. } | E::Spawn { func: id, .. } => out.push(*id),
                _ => {}
            }
        }
    });
    out
}

fn collect_returns(block: &typed::Block) -> Vec<&Expr> {
    let mut out = Vec::new();
    for stmt in block {
        match &stmt.kind {
            S::Return(Some(e)) => out.push(e),
            S::If { then_body, else_body, .. } => {
                out.extend(collect_returns(then_body));
                out.extend(collect_returns(else_body));
            }
            S::While { body, .. } | S::ForRange { body, .. } | S::ForEach { body, .. } => out.extend(collect_returns(body)),
            S::Match { arms, .. } => arms.iter().for_each(|a| out.extend(collect_returns(&a.body))),
            S::Try { body, catches, finally } => {
                out.extend(collect_returns(body));
                catches.iter().for_each(|c| out.extend(collect_returns(&c.body)));
                out.extend(collect_returns(finally));
            }
            _ => {}
        }
    }
    out
}

fn bind_all(pattern: &Pat, func: &typed::Function, targs: &[Ty], active: &mut HashSet<LocalId>) {
    match pattern {
        Pat::Bind(id) if real_like(&func.local(*id).ty, targs) => {
            active.insert(*id);
        }
        Pat::Tuple(items) => items.iter().for_each(|p| bind_all(p, func, targs, active)),
        Pat::Record { fields } => fields.iter().for_each(|(_, p)| bind_all(p, func, targs, active)),
        Pat::Variant { payload: Some(p), .. } => bind_all(p, func, targs, active),
        _ => {}
    }
}

/// Whether `ty`, in the instance with type arguments `targs`, is `f64` or an array of it.
fn real_like(ty: &Ty, targs: &[Ty]) -> bool {
    if targs.is_empty() { ty.is_real_like() } else { ty.subst(targs).is_real_like() }
}

/// Whether a type may be active (`Ty::Real` after lowering).
pub fn can_be_active(ty: &Ty) -> bool {
    ty.is_real_like()
}
