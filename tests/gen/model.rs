//! Random model programs, for `tests/generated_models.rs`: the model side of "every program the
//! checker accepts builds".
//!
//! A model has data of every kind the data reader takes (`i64`, `f64`, `bool`, arrays of them,
//! a `[[f64]]` matrix), parameters with every kind of constraint (unconstrained, `lower`,
//! `lower`+`upper`, positive and unit supports, an ordered vector with a data-dependent `size`, a
//! simplex, an LKJ Cholesky factor), and a prior from each continuous family that can be one.
//! The likelihood observes data with a run of families from the distribution catalogue (program
//! `k` starts at family `k·OBSERVED`, so a few programs cover all of them), scalar families
//! vectorised or not, plus a `factor` of an `lpdf`. Distribution parameters are expressions of
//! the model parameters of the right support, among them the constructs that used to break the
//! build: `mod` of a parameter, a helper taking `len` of and looping over a parameter-dependent
//! array, `[[f64]]` of parameter-dependent values (`array_fill` of `array_fill`, rows added by
//! `push`). Names are drawn from a pool of names the generated Zig uses itself (`M`, `ctx`,
//! `Data`, `i999999`, …).
//!
//! There is no reference output: data always lie in the support, so a model must build, sample
//! and exit 0. The same model is also wrapped as a plain program that fits it with `infer`,
//! passing each datum as a literal, a `let` of one, or a computed value, and prints how many
//! draws it kept (known in advance).

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Value as Json, json};
use sev::check::dists::{DISTRIBUTIONS, DistInfo, ParamKind, Support, ValueKind};

/// Families observed by each model.
pub const OBSERVED: usize = 9;
/// Vector length, matrix columns and categories (`K`), and rows of the data matrix (`N`).
const K: usize = 3;
const N: usize = 4;
/// Trials of the binomial families; upper bound of `discrete_uniform`.
const TRIALS: i64 = 8;
const UPPER: i64 = 6;
/// The base seed of the model programs.
pub const SEED: u64 = 0x5EED_0000_4D0D;

/// The seed of model `k`.
pub fn seed(k: usize) -> u64 {
    SEED ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Draws an `infer` program keeps (one chain).
pub const INFER_DRAWS: usize = 30;

const NAMES: &[&str] = &[
    "M", "ctx", "Data", "data", "read", "deinit", "sev_cache", "sites", "run", "std", "rt", "builtin", "self", "type", "error",
    "i999999", "u0", "i32", "u8_1", "x_2", "index", "items", "mu", "sigma", "theta", "y", "z", "alpha", "beta", "lp",
];

pub struct GeneratedModel {
    pub index: usize,
    /// The model program (its entry's parameters are the data).
    pub source: String,
    /// The data file (Stan JSON).
    pub data: String,
    /// A plain program that fits the same model with `infer` and prints `INFER_DRAWS`.
    pub infer_source: String,
    /// The families the model observes.
    pub families: Vec<&'static str>,
}

struct Gen {
    rng: Xoshiro256PlusPlus,
    names: Vec<String>,
    /// The entry's parameters (the data): name, SIRS type, value.
    data: Vec<(String, &'static str, Json)>,
    body: Vec<Json>,
    /// Expressions of each scalar support built from the parameters.
    reals: Vec<Json>,
    positives: Vec<Json>,
    probs: Vec<Json>,
    /// Length-K vectors of reals, a simplex, a K×K Cholesky factor.
    vectors: Vec<Json>,
    simplexes: Vec<Json>,
    factors: Vec<Json>,
}

fn lit(x: impl Into<Json>) -> Json {
    json!({"literal": x.into()})
}

fn var(name: &str) -> Json {
    json!({"var": name})
}

fn call(f: &str, args: Vec<Json>) -> Json {
    json!({"call": {"function": f, "args": args}})
}

fn op(kind: &str, args: Vec<Json>) -> Json {
    json!({"op": {"kind": kind, "args": args}})
}

fn index(array: Json, i: i64) -> Json {
    json!({"index": {"array": array, "index": lit(i)}})
}

fn float_array(xs: &[f64]) -> Json {
    json!({"array": xs.iter().map(|x| lit(*x)).collect::<Vec<_>>()})
}

fn identity(k: usize) -> Vec<Vec<f64>> {
    (0..k).map(|i| (0..k).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect()
}

impl Gen {
    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())].clone()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// A fresh name: from the hostile pool while it lasts, then numbered.
    fn name(&mut self, hint: &str) -> String {
        let unused: Vec<&str> = NAMES.iter().copied().filter(|n| !self.names.iter().any(|m| m == n)).collect();
        let name = if !unused.is_empty() && self.chance(0.7) { self.pick(&unused).to_string() } else { format!("{hint}{}", self.names.len()) };
        self.names.push(name.clone());
        name
    }

    fn datum(&mut self, hint: &str, ty: &'static str, value: Json) -> Json {
        let name = self.name(hint);
        self.data.push((name.clone(), ty, value));
        var(&name)
    }

    fn sample(&mut self, hint: &str, dist: &str, params: Vec<Json>, extra: &[(&str, Json)]) -> Json {
        let name = self.name(hint);
        let mut s = json!({"distribution": dist, "params": params});
        for (k, v) in extra {
            s[*k] = v.clone();
        }
        self.body.push(json!({"let": {"name": name, "value": {"sample": s}}}));
        var(&name)
    }

    fn let_value(&mut self, hint: &str, value: Json, extra: &[(&str, Json)]) -> Json {
        let name = self.name(hint);
        let mut l = json!({"name": name, "value": value});
        for (k, v) in extra {
            l[*k] = v.clone();
        }
        self.body.push(json!({"let": l}));
        var(&name)
    }

    /// The parameters: one of each constraint, then a prior from every continuous family.
    fn parameters(&mut self, k_data: &Json) {
        let r = self.sample("r", "normal", vec![lit(0.0), lit(1.0)], &[]);
        let half = self.sample("h", "normal", vec![lit(0.0), lit(1.0)], &[("lower", lit(0.0))]);
        let bounded = self.sample("b", "normal", vec![lit(0.0), lit(1.0)], &[("lower", lit(0.0)), ("upper", lit(1.0))]);
        let v = self.sample("v", "normal", vec![lit(0.0), lit(1.0)], &[("size", k_data.clone())]);
        let ordered = self.sample("o", "normal", vec![lit(0.0), lit(3.0)], &[("size", k_data.clone()), ("constraint", json!("ordered"))]);
        let simplex = self.sample("s", "dirichlet", vec![float_array(&[1.0; K])], &[]);
        let chol = self.sample("L", "lkj_corr_cholesky", vec![lit(2.0)], &[("size", lit(K as i64))]);
        self.reals.extend([r.clone(), index(v.clone(), 0), index(ordered.clone(), 2), op("mod", vec![r.clone(), lit(100.0)])]);
        self.positives.extend([half.clone(), call("math_exp", vec![r.clone()]), op("add", vec![half, lit(0.5)])]);
        self.probs.extend([bounded, call("inv_logit", vec![r.clone()])]);
        self.vectors.extend([v.clone(), ordered]);
        self.simplexes.push(simplex);
        self.factors.push(chol);
        for info in DISTRIBUTIONS.iter().filter(|d| d.value == ValueKind::Real && d.name != "flat") {
            let params = if info.name == "uniform" { vec![lit(-1.0), lit(1.0)] } else { info.params.iter().map(|(_, kind)| literal_param(*kind)).collect() };
            let p = self.sample(&info.name[..1], info.name, params, &[]);
            match info.support {
                Support::Positive | Support::AtLeast(_) => self.positives.push(p),
                Support::Unit => self.probs.push(p),
                _ => self.reals.push(p),
            }
        }
        self.derived(&r, &v);
    }

    /// Values that used to break the build: a helper over a parameter array, nested arrays.
    fn derived(&mut self, r: &Json, v: &Json) {
        let mean = self.let_value("mean", call("mean_of", vec![v.clone()]), &[]);
        let grid = self.let_value("grid", call("array_fill", vec![lit(2), call("array_fill", vec![lit(K as i64), r.clone()])]), &[]);
        let rows = self.let_value("rows", json!({"array": []}), &[("type", json!("[[f64]]")), ("mutable", json!(true))]);
        self.body.push(json!({"expression": call("push", vec![rows.clone(), json!({"array": [r.clone(), lit(1.0)]})])}));
        let first = self.let_value("first", call("first_of_last", vec![grid.clone()]), &[]);
        self.reals.extend([mean, first, index(index(rows, 0), 0), index(index(grid, 1), 2)]);
    }

    fn scalar(&mut self, kind: ParamKind) -> Json {
        match kind {
            ParamKind::Real => {
                let pool = self.reals.clone();
                self.pick(&pool)
            }
            ParamKind::Positive => {
                let pool = self.positives.clone();
                self.pick(&pool)
            }
            ParamKind::Prob => {
                let pool = self.probs.clone();
                self.pick(&pool)
            }
            ParamKind::Count => lit(TRIALS),
            ParamKind::Int => lit(0),
            _ => lit(1.0),
        }
    }

    /// The parameters of an observed family (`x` is the data matrix of the GLMs).
    fn params(&mut self, info: &DistInfo, x: &Json) -> Vec<Json> {
        let mut out = Vec::new();
        for (name, kind) in info.params {
            out.push(match (info.name, *kind) {
                ("uniform", _) => lit(if *name == "lower" { -1.0 } else { 10.0 }),
                ("pareto", ParamKind::Positive) if *name == "y_min" => lit(0.5),
                ("discrete_uniform", _) => lit(if *name == "lower" { 0 } else { UPPER }),
                // a season needs at least two steps (E0345 for a literal below 2)
                ("seasonal_local_level", ParamKind::Int) => lit(2),
                (_, ParamKind::Matrix) if *name == "x" => x.clone(),
                // Wishart degrees of freedom above K - 1
                ("wishart" | "inv_wishart", ParamKind::Positive) => op("add", vec![self.scalar(ParamKind::Positive), lit(K as f64)]),
                ("multi_normal" | "wishart" | "inv_wishart", ParamKind::Matrix) => {
                    let s = self.scalar(ParamKind::Positive);
                    json!({"array": identity(K).iter().map(|row| json!({"array": row.iter().map(|c| if *c == 1.0 { op("add", vec![s.clone(), lit(1.0)]) } else { lit(0.0) }).collect::<Vec<_>>()})).collect::<Vec<_>>()})
                }
                // a transition matrix: every row a simplex
                ("hmm_marginal", ParamKind::Matrix) => {
                    let pool = self.simplexes.clone();
                    let rows: Vec<Json> = (0..K).map(|_| if self.chance(0.5) { self.pick(&pool) } else { float_array(&[0.2, 0.3, 0.5]) }).collect();
                    json!({"array": rows})
                }
                (_, ParamKind::Matrix) => {
                    let pool = self.factors.clone();
                    self.pick(&pool)
                }
                (_, ParamKind::Vector) => {
                    let pool = self.vectors.clone();
                    self.pick(&pool)
                }
                (_, ParamKind::PosVector) => {
                    let s = self.scalar(ParamKind::Positive);
                    json!({"array": [s, lit(1.0), lit(2.0)]})
                }
                (_, ParamKind::Simplex) => {
                    let pool = self.simplexes.clone();
                    if self.chance(0.5) { self.pick(&pool) } else { float_array(&[0.2, 0.3, 0.5]) }
                }
                (_, k) => self.scalar(k),
            });
        }
        out
    }

    /// One value in the family's support (as data JSON) and its SIRS type.
    fn value(&mut self, info: &DistInfo) -> (Json, &'static str) {
        let k = self.rng.random_range(0..TRIALS);
        match (info.value, info.name) {
            (ValueKind::Int, "bernoulli" | "bernoulli_logit") if self.chance(0.5) => (json!(k % 2 == 0), "bool"),
            (ValueKind::Int, "bernoulli" | "bernoulli_logit") => (json!(k % 2), "i64"),
            (ValueKind::Int, "categorical" | "categorical_logit") => (json!(k % K as i64), "i64"),
            (ValueKind::Int, "discrete_uniform") => (json!(k % (UPPER + 1)), "i64"),
            (ValueKind::Int, _) => (json!(k), "i64"),
            (ValueKind::Real, _) => {
                let x: f64 = self.rng.random_range(0.05..0.95);
                let x = (x * 100.0).round() / 100.0;
                let v = match info.support {
                    Support::Positive | Support::AtLeast(_) => 1.0 + 3.0 * x,
                    Support::Unit => x,
                    Support::Interval(..) => 9.0 * x,
                    Support::Circle => 5.0 * x - 2.5,
                    _ => 4.0 * x - 2.0,
                };
                (json!(v), "f64")
            }
            (ValueKind::Vector, "dirichlet") => (json!([0.2, 0.5, 0.3]), "[f64]"),
            (ValueKind::Vector, "normal_id_glm") => (json!([0.5, -1.0, 2.0, 0.25]), "[f64]"),
            (ValueKind::Vector, _) => (json!([0.5, -1.0, 2.0]), "[f64]"),
            (ValueKind::IntVector, "multinomial") => (json!([2, 0, 3]), "[i64]"),
            (ValueKind::IntVector, "bernoulli_logit_glm") => (json!([1, 0, 0, 1]), "[i64]"),
            (ValueKind::IntVector, _) => (json!([3, 0, 1, 5]), "[i64]"),
            (ValueKind::Matrix, _) => (json!(identity(K)), "[[f64]]"),
        }
    }

    /// `observe` of data in the family's support; scalar families are sometimes vectorised.
    fn observe(&mut self, info: &DistInfo, x: &Json) {
        let params = self.params(info, x);
        let (value, ty) = self.value(info);
        let (value, ty) = if info.vectorisable() && self.chance(0.5) {
            let (second, second_ty) = self.value(info);
            let second = if second_ty == ty { second } else { value.clone() };
            let array_ty = match ty {
                "bool" => "[bool]",
                "i64" => "[i64]",
                _ => "[f64]",
            };
            (json!([value, second]), array_ty)
        } else {
            (value, ty)
        };
        let data = self.datum("y", ty, value);
        self.body.push(json!({"observe": {"distribution": info.name, "params": params, "value": data}}));
    }

    /// A `factor` of a log density, and a weak one of every parameter and derived value (so
    /// that each is read).
    fn factors(&mut self) {
        let mu = self.scalar(ParamKind::Real);
        let lpdf = json!({"lpdf": {"distribution": "normal", "params": [mu, lit(2.0)], "value": lit(0.5)}});
        self.body.push(json!({"factor": lpdf}));
        let mut terms: Vec<Json> = self.reals.iter().chain(&self.positives).chain(&self.probs).cloned().collect();
        terms.extend(self.vectors.iter().chain(&self.simplexes).map(|v| call("array_sum", vec![v.clone()])));
        terms.extend(self.factors.iter().map(|l| index(index(l.clone(), 1), 0)));
        self.body.push(json!({"factor": op("mul", vec![lit(-0.001), call("square", vec![op("add", terms)])])}));
    }
}

/// A literal parameter value of each scalar kind (for the priors).
fn literal_param(kind: ParamKind) -> Json {
    match kind {
        ParamKind::Real => lit(0.0),
        ParamKind::Positive => lit(2.0),
        ParamKind::Prob => lit(0.5),
        ParamKind::Count | ParamKind::Int => lit(3),
        _ => lit(1.0),
    }
}

/// `mean_of(xs)` (a loop and `len`) and `first_of_last(rows)` (nested arrays), with hostile
/// local names.
fn helpers() -> Json {
    let mean_of = json!({"args": [{"name": "xs", "type": "[f64]"}], "return": "f64", "body": [
        {"let": {"name": "M", "type": "f64", "mutable": true, "value": lit(0.0)}},
        {"for": {"variable": "ctx", "iterable": var("xs"), "body": [{"assign": {"target": var("M"), "value": op("add", vec![var("M"), var("ctx")])}}]}},
        {"return": op("div", vec![var("M"), json!({"cast": {"value": call("len", vec![var("xs")]), "type": "f64"}})])}
    ]});
    let first_of_last = json!({"args": [{"name": "rows", "type": "[[f64]]"}], "return": "f64", "body": [
        {"let": {"name": "i999999", "value": op("sub", vec![call("len", vec![var("rows")]), lit(1)])}},
        {"let": {"name": "u0", "type": "f64", "mutable": true, "value": lit(0.0)}},
        {"for": {"variable": "row", "iterable": var("rows"), "body": [{"assign": {"target": var("u0"), "value": op("add", vec![var("u0"), op("mul", vec![index(var("row"), 0), lit(0.0)])])}}]}},
        {"return": op("add", vec![var("u0"), index(json!({"index": {"array": var("rows"), "index": var("i999999")}}), 0)])}
    ]});
    json!({"mean_of": mean_of, "first_of_last": first_of_last})
}

/// Generates model number `index` from `seed`.
pub fn generate(index: usize, seed: u64) -> GeneratedModel {
    let mut g = Gen {
        rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        names: vec!["mean_of".into(), "first_of_last".into(), "model".into(), "main".into()],
        data: Vec::new(),
        body: Vec::new(),
        reals: Vec::new(),
        positives: Vec::new(),
        probs: Vec::new(),
        vectors: Vec::new(),
        simplexes: Vec::new(),
        factors: Vec::new(),
    };
    let k_data = g.datum("K", "i64", json!(K));
    let x_rows: Vec<Vec<f64>> = (0..N).map(|i| (0..K).map(|j| ((i * K + j) % 5) as f64 * 0.5 - 1.0).collect()).collect();
    let x = g.datum("X", "[[f64]]", json!(x_rows));
    let flag = g.datum("flag", "bool", json!(true));
    g.parameters(&k_data);
    let families: Vec<&'static DistInfo> = (0..OBSERVED).map(|j| &DISTRIBUTIONS[(index * OBSERVED + j) % DISTRIBUTIONS.len()]).collect();
    for info in &families {
        g.observe(info, &x);
    }
    // an observation under a condition on data
    let then = g.body.pop().into_iter().collect::<Vec<_>>();
    g.body.push(json!({"if": {"condition": flag, "then": then}}));
    g.factors();
    let model = json!({"args": g.data.iter().map(|(n, t, _)| json!({"name": n, "type": t})).collect::<Vec<_>>(), "return": "void", "body": g.body});
    let mut functions = helpers();
    functions["model"] = model;
    let source = json!({"program": {"entry": "model", "functions": functions.clone()}});
    let data: serde_json::Map<String, Json> = g.data.iter().map(|(n, _, v)| (n.clone(), stan_data(v))).collect();
    let infer_source = infer_program(&mut g, functions);
    GeneratedModel {
        index,
        source: source.to_string(),
        data: Json::Object(data).to_string(),
        infer_source,
        families: families.iter().map(|f| f.name).collect(),
    }
}

/// The model fitted in-process: each datum passed as a literal, a `let` of one, or a
/// computed value; the program prints how many draws of `lp__` it kept.
fn infer_program(g: &mut Gen, mut functions: Json) -> String {
    let mut body = Vec::new();
    let mut args = Vec::new();
    for (i, (_, ty, value)) in g.data.clone().into_iter().enumerate() {
        let literal = literal_of(&value, ty);
        let arg = match g.rng.random_range(0..3) {
            0 => literal,
            1 => {
                let name = format!("d{i}");
                body.push(json!({"let": {"name": name, "type": ty, "value": literal}}));
                var(&name)
            }
            _ => computed(literal, ty),
        };
        args.push(arg);
    }
    let options = json!({"draws": lit(INFER_DRAWS as i64), "warmup": lit(INFER_DRAWS as i64), "chains": lit(1), "seed": lit(5)});
    let mut infer = json!({"model": "model", "args": args});
    for (k, v) in options.as_object().into_iter().flatten() {
        infer[k] = v.clone();
    }
    body.push(json!({"let": {"name": "p", "value": {"infer": infer}}}));
    let draws = call("posterior_draws", vec![var("p"), lit("lp__")]);
    body.push(json!({"expression": call("print", vec![call("len", vec![draws])])}));
    functions["main"] = json!({"args": [], "return": "void", "body": body});
    json!({"program": {"entry": "main", "functions": functions}}).to_string()
}

/// A data value in Stan's format: bools as 0/1.
fn stan_data(v: &Json) -> Json {
    match v {
        Json::Bool(b) => json!(i64::from(*b)),
        Json::Array(items) => Json::Array(items.iter().map(stan_data).collect()),
        other => other.clone(),
    }
}

/// A data value as a SIRS literal expression of type `ty`.
fn literal_of(value: &Json, ty: &str) -> Json {
    match value {
        Json::Array(items) => {
            let inner = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(ty);
            json!({"array": items.iter().map(|v| literal_of(v, inner)).collect::<Vec<_>>()})
        }
        Json::Number(n) if ty == "f64" => lit(n.as_f64().unwrap_or(0.0)),
        other => lit(other.clone()),
    }
}

/// An expression computing the same value (folded away at -O2 for scalars).
fn computed(literal: Json, ty: &str) -> Json {
    match ty {
        "i64" => op("add", vec![literal, lit(0)]),
        "f64" => op("mul", vec![literal, lit(1.0)]),
        "bool" => op("and", vec![literal, lit(true)]),
        _ => call("array_concat", vec![literal, json!({"array": []})]),
    }
}
