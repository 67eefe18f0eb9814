//! Makes every variable of a generated program used, so sev has no W0003 to report.
//!
//! sev warns about a `let` variable or a `match` binding that is never read (loop variables,
//! parameters and names starting with `_` are exempt; an assignment is not a read). The
//! generator does not track reads, so this pass resolves names the way sev's checker scopes them
//! (a function's body shares the parameters' scope, every `if`/loop/arm body is a scope of its
//! own, a `let` value is read before its name is bound) and, for each binding nobody reads,
//! inserts a statement that prints it: right after the `let`, or at the start of the arm. The
//! print cannot fault, and the expected output is computed after this pass.

use super::ast::*;

struct Usage<'a> {
    decls: &'a Decls,
    scopes: Vec<Vec<(String, usize)>>,
    read: Vec<bool>,
}

/// Adds a use of every binding of `f` that is never read.
pub fn use_every_binding(f: &mut Function, decls: &Decls) {
    let mut u = Usage { decls, scopes: vec![Vec::new()], read: Vec::new() };
    for (p, _) in &f.params {
        u.declare(p);
    }
    u.stmts(&mut f.body);
}

/// A statement that reads `name` (of type `ty`) and prints something about it.
fn use_of(name: &str, ty: &Ty) -> Stmt {
    let v = || Box::new(Expr::Var(name.to_string()));
    match ty {
        t if t.is_prim() => Stmt::Print(Expr::Var(name.to_string())),
        Ty::Arr(_) => Stmt::Print(Expr::Builtin(Builtin::Len, vec![Expr::Var(name.to_string())])),
        t => Stmt::Print(Expr::Bin(BinOp::Eq, t.clone(), v(), v())),
    }
}

fn exempt(name: &str) -> bool {
    name.starts_with('_')
}

impl Usage<'_> {
    fn declare(&mut self, name: &str) -> usize {
        let id = self.read.len();
        self.read.push(false);
        self.scopes.last_mut().expect("a scope").push((name.to_string(), id));
        id
    }

    fn mark(&mut self, name: &str) {
        let id = self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name).map(|(_, id)| *id);
        if let Some(id) = id {
            self.read[id] = true;
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Str(_) => {}
            Expr::Var(n) => self.mark(n),
            Expr::Bin(_, _, l, r) => {
                self.expr(l);
                self.expr(r);
            }
            Expr::Nary(_, _, xs) | Expr::And(xs) | Expr::Or(xs) | Expr::Call(_, xs) | Expr::Builtin(_, xs) | Expr::Array(_, xs) => {
                xs.iter().for_each(|x| self.expr(x))
            }
            Expr::Not(x) | Expr::Neg(_, x) | Expr::BitNot(_, x) | Expr::Cast(_, x) | Expr::Field(x, _, _) => self.expr(x),
            Expr::Index(a, i) => {
                self.expr(a);
                self.expr(i);
            }
            Expr::Record { fields, .. } => fields.iter().for_each(|(_, _, x)| self.expr(x)),
            Expr::Update { base, fields } => {
                self.expr(base);
                fields.iter().for_each(|(_, _, x)| self.expr(x));
            }
            Expr::Variant { payload, .. } => {
                if let Some(p) = payload {
                    self.expr(p);
                }
            }
            Expr::Cond(c, t, f) => {
                self.expr(c);
                self.expr(t);
                self.expr(f);
            }
        }
    }

    /// A block in a scope of its own.
    fn scoped(&mut self, stmts: &mut Vec<Stmt>) {
        self.scopes.push(Vec::new());
        self.stmts(stmts);
        self.scopes.pop();
    }

    /// The statements of a block, in the current scope.
    fn stmts(&mut self, stmts: &mut Vec<Stmt>) {
        let mut lets: Vec<(usize, usize, String, Ty)> = Vec::new();
        for (i, s) in stmts.iter_mut().enumerate() {
            match s {
                Stmt::Let { name, ty, value, .. } => {
                    self.expr(value);
                    let id = self.declare(name);
                    if !exempt(name) {
                        lets.push((i, id, name.clone(), ty.clone()));
                    }
                }
                Stmt::Assign { path, value, .. } => {
                    for p in path.iter() {
                        if let PathElem::Index(e) = p {
                            self.expr(e);
                        }
                    }
                    self.expr(value);
                }
                Stmt::Print(e) | Stmt::Discard(e) => self.expr(e),
                Stmt::Push(v, e) => {
                    self.mark(v);
                    self.expr(e);
                }
                Stmt::If { cond, then_b, else_b } => {
                    self.expr(cond);
                    self.scoped(then_b);
                    if let Some(b) = else_b {
                        self.scoped(b);
                    }
                }
                Stmt::While { cond, body } => {
                    self.expr(cond);
                    self.scoped(body);
                }
                Stmt::ForRange { var, start, end, step, body, .. } => {
                    self.expr(start);
                    self.expr(end);
                    if let Some(st) = step {
                        self.expr(st);
                    }
                    self.scopes.push(Vec::new());
                    self.declare(var);
                    self.scoped(body);
                    self.scopes.pop();
                }
                Stmt::ForEach { var, iter, body, .. } => {
                    self.expr(iter);
                    self.scopes.push(Vec::new());
                    self.declare(var);
                    self.scoped(body);
                    self.scopes.pop();
                }
                Stmt::Match { scrut, ty, arms } => {
                    self.expr(scrut);
                    for arm in arms.iter_mut() {
                        self.scopes.push(Vec::new());
                        let mut binds = Vec::new();
                        self.pattern(&arm.pat, ty, &mut binds);
                        if let Some(g) = &arm.guard {
                            self.expr(g);
                        }
                        self.scoped(&mut arm.body);
                        for (id, name, bty) in binds.into_iter().rev() {
                            if !self.read[id] && !exempt(&name) {
                                arm.body.insert(0, use_of(&name, &bty));
                                self.read[id] = true;
                            }
                        }
                        self.scopes.pop();
                    }
                }
                Stmt::Return(Some(e)) => self.expr(e),
                Stmt::Return(None) | Stmt::Break | Stmt::Continue | Stmt::Comment(_) => {}
            }
        }
        for (i, id, name, ty) in lets.into_iter().rev() {
            if !self.read[id] {
                stmts.insert(i + 1, use_of(&name, &ty));
                self.read[id] = true;
            }
        }
    }

    /// Declares the bindings of a pattern matched against a value of type `ty`.
    fn pattern(&mut self, p: &Pat, ty: &Ty, binds: &mut Vec<(usize, String, Ty)>) {
        match p {
            Pat::Bind(n) => {
                let id = self.declare(n);
                binds.push((id, n.clone(), ty.clone()));
            }
            Pat::Variant { variant, payload: Some(sub), .. } => {
                if let Ty::Enum(e) = ty
                    && let Some(pty) = &self.decls.enums[*e].variants[*variant].1
                {
                    let pty = pty.clone();
                    self.pattern(sub, &pty, binds);
                }
            }
            _ => {}
        }
    }
}
