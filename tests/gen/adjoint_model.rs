//! Random models inside the subset compiled gradients cover (for `tests/adjoint.rs`): scalar
//! parameters under every scalar constraint and a vector parameter; loops over the data with
//! random expressions of parameters and data (arithmetic and math built-ins), a mutable model
//! real accumulated in a loop, an array of model reals filled in a loop and observed at once,
//! a branch on data, `factor`, and a parameter nothing else uses. The observed families: normal, student_t, cauchy,
//! poisson_log, bernoulli_logit, lognormal. (`gen/model.rs`'s models always contain a simplex,
//! a Cholesky factor and nested arrays of model reals, which fall back to the tape.)

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Value as Json, json};

pub const N: usize = 6;

pub struct AdjointModel {
    pub source: String,
    pub data: String,
}

fn lit(x: f64) -> Json {
    json!({"literal": x})
}

fn var(n: &str) -> Json {
    json!({"var": n})
}

fn op(kind: &str, args: Vec<Json>) -> Json {
    json!({"op": {"kind": kind, "args": args}})
}

fn call(f: &str, args: Vec<Json>) -> Json {
    json!({"call": {"function": f, "args": args}})
}

fn at(a: &str, i: &str) -> Json {
    json!({"index": {"array": var(a), "index": var(i)}})
}

fn sample(name: &str, dist: &str, params: Vec<Json>, extra: &[(&str, Json)]) -> Json {
    let mut s = json!({"distribution": dist, "params": params});
    for (k, v) in extra {
        s[*k] = v.clone();
    }
    json!({"let": {"name": name, "value": {"sample": s}}})
}

struct Gen {
    rng: Xoshiro256PlusPlus,
}

impl Gen {
    /// A real-valued expression of the parameters and `x[i]` (bounded, so densities stay finite).
    fn expr(&mut self, depth: usize) -> Json {
        let leaves = [var("a"), var("s"), var("p"), at("x", "i"), at("v", "i"), lit(0.5)];
        if depth == 0 {
            return leaves[self.rng.random_range(0..leaves.len())].clone();
        }
        let (l, r) = (self.expr(depth - 1), self.expr(depth - 1));
        match self.rng.random_range(0..9) {
            0 => op("add", vec![l, r]),
            1 => op("sub", vec![l, r]),
            2 => op("mul", vec![l, r]),
            3 => op("div", vec![l, op("add", vec![var("s"), lit(1.0)])]),
            4 => call("math_tanh", vec![l]),
            5 => call("inv_logit", vec![l]),
            6 => call("math_log", vec![op("add", vec![var("s"), lit(1.5)])]),
            7 => call("math_sqrt", vec![op("add", vec![var("p"), lit(0.25)])]),
            _ => call("math_exp", vec![call("math_tanh", vec![l])]),
        }
    }

    /// An observation of `eta` (a real expression) in a random family.
    fn observe(&mut self, eta: Json) -> Json {
        let (dist, params, value) = match self.rng.random_range(0..6) {
            0 => ("normal", vec![eta, var("s")], at("y", "i")),
            1 => ("student_t", vec![lit(4.0), eta, op("add", vec![var("s"), lit(0.5)])], at("y", "i")),
            2 => ("cauchy", vec![eta, op("add", vec![var("p"), lit(0.5)])], at("y", "i")),
            3 => ("poisson_log", vec![eta], at("k", "i")),
            4 => ("bernoulli_logit", vec![eta], at("b", "i")),
            _ => ("lognormal", vec![eta, var("s")], at("z", "i")),
        };
        json!({"observe": {"distribution": dist, "params": params, "value": value}})
    }

    fn body(&mut self) -> Vec<Json> {
        let n = var("N");
        let mut body = vec![
            sample("a", "normal", vec![lit(0.0), lit(1.0)], &[]),
            sample("s", "lognormal", vec![lit(0.0), lit(0.5)], &[("lower", lit(0.0))]),
            sample("p", "beta", vec![lit(2.0), lit(2.0)], &[("lower", lit(0.0)), ("upper", lit(1.0))]),
            sample("v", "normal", vec![var("a"), op("add", vec![var("s"), lit(0.2)])], &[("size", n.clone())]),
            sample("w", "normal", vec![lit(0.0), lit(1.0)], &[("upper", lit(2.0))]),
            // a parameter the likelihood never uses: still read, and its prior still counts
            sample("q", "normal", vec![lit(1.0), lit(2.0)], &[]),
            json!({"let": {"name": "acc", "value": var("w"), "mutable": true}}),
            json!({"let": {"name": "m", "value": call("array_fill", vec![n.clone(), lit(0.0)]), "mutable": true}}),
        ];
        let eta = self.expr(2);
        let mut loop_body = vec![self.observe(eta)];
        loop_body.push(json!({"assign": {"target": var("acc"), "value": op("add", vec![op("mul", vec![var("acc"), lit(0.5)]), self.expr(1)])}}));
        loop_body.push(json!({"assign": {"target": {"index": {"array": var("m"), "index": var("i")}}, "value": self.expr(2)}}));
        let eta = self.expr(1);
        let branch = self.observe(eta);
        loop_body.push(json!({"if": {"condition": at("flag", "i"), "then": [branch], "else": [{"assign": {"target": var("acc"), "value": op("sub", vec![var("acc"), self.expr(1)])}}]}}));
        body.push(json!({"for": {"variable": "i", "iterable": {"range": {"start": {"literal": 0}, "end": n}}, "body": loop_body}}));
        body.push(json!({"observe": {"distribution": "normal", "params": [var("m"), op("add", vec![var("s"), lit(1.0)])], "value": var("y")}}));
        body.push(json!({"factor": op("mul", vec![lit(-0.1), op("mul", vec![var("acc"), var("acc")])])}));
        body
    }
}

/// Model number `index` (its seed is derived from it).
pub fn generate(index: usize) -> AdjointModel {
    let mut g = Gen { rng: Xoshiro256PlusPlus::seed_from_u64(0x5eed_ad00 + index as u64) };
    let args: Vec<Json> = [("N", "i64"), ("x", "[f64]"), ("y", "[f64]"), ("z", "[f64]"), ("k", "[i64]"), ("b", "[i64]"), ("flag", "[bool]")]
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    let model = json!({"args": args, "return": "void", "body": g.body()});
    let source = json!({"program": {"entry": "model", "functions": {"model": model}}}).to_string();
    let xs: Vec<f64> = (0..N).map(|i| (i as f64) * 0.4 - 1.0).collect();
    let ys: Vec<f64> = (0..N).map(|i| ((i * 7) % 5) as f64 * 0.3 - 0.6).collect();
    let zs: Vec<f64> = (0..N).map(|i| 0.5 + (i % 3) as f64).collect();
    let ks: Vec<i64> = (0..N).map(|i| (i % 4) as i64).collect();
    let bs: Vec<i64> = (0..N).map(|i| (i % 2) as i64).collect();
    let flags: Vec<i64> = (0..N).map(|i| i64::from(i % 3 != 0)).collect();
    let data = json!({"N": N, "x": xs, "y": ys, "z": zs, "k": ks, "b": bs, "flag": flags}).to_string();
    AdjointModel { source, data }
}
