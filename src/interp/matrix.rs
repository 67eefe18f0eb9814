//! The matrix and vector built-ins on `[[f64]]` (lists of rows) and `[f64]` values, as
//! `runtime/ppl/matrix.zig` computes them in a plain program: `multiply` (and its vector form),
//! `transpose`, `cholesky_decompose`, `mdivide_left_tri_low` (and its vector form),
//! `log_determinant`, `inverse`, `diag_matrix`, `add_diag`, `rep_matrix`, the Gaussian-process
//! kernels `gp_exp_quad_cov`, `gp_matern32_cov`, `gp_periodic_cov`, and `softmax` /
//! `log_softmax`. Each runs the runtime's kernel on row-major `f64` buffers, operation for
//! operation in the same order, with compiler-rt's `exp` and `log` (`random::libm`) as the
//! runtime's `@exp` and `@log`; a bad shape, a matrix that is not positive definite, a singular
//! one and kernel parameters that are not positive are faults with the runtime's texts.

use super::fault::{Loc, Stop};
use super::random::libm;
use super::value::Value;
use std::rc::Rc;

/// The largest result, in elements, the interpreter builds (a bigger one is refused, as for
/// `array_fill`).
const MAX_ELEMENTS: usize = 1 << 28;

/// Runs matrix built-in `name`, or `None` if `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Value, Stop>> {
    let result = match (name, args) {
        ("multiply", [a, b]) => multiply(a, b, loc),
        ("multiply_vector", [a, v]) => multiply_vector(a, v, loc),
        ("transpose", [a]) => transpose(a, loc),
        ("cholesky_decompose", [a]) => cholesky_decompose(a, loc),
        ("mdivide_left_tri_low", [l, b]) => mdivide_left_tri_low(l, b, loc),
        ("mdivide_left_tri_low_vector", [l, b]) => mdivide_left_tri_low_vector(l, b, loc),
        ("log_determinant", [a]) => log_determinant(a, loc),
        ("inverse", [a]) => inverse(a, loc),
        ("diag_matrix", [v]) => diag_matrix(v, loc),
        ("add_diag", [a, d]) => add_diag(a, number(d), loc),
        ("rep_matrix", [x, m, n]) => rep_matrix(number(x), integer(m), integer(n), loc),
        ("gp_exp_quad_cov", [x, alpha, rho]) => covariance(Kernel::ExpQuad, x, number(alpha), number(rho), 1.0, loc),
        ("gp_matern32_cov", [x, alpha, rho]) => covariance(Kernel::Matern32, x, number(alpha), number(rho), 1.0, loc),
        ("gp_periodic_cov", [x, alpha, rho, p]) => covariance(Kernel::Periodic, x, number(alpha), number(rho), number(p), loc),
        ("softmax", [v]) => softmax(v, false, loc),
        ("log_softmax", [v]) => softmax(v, true, loc),
        _ => return None,
    };
    Some(result)
}

// ---------------------------------------------------------------------------------------------
// Operands and results
// ---------------------------------------------------------------------------------------------

/// A matrix read into a row-major buffer.
struct Dense {
    rows: usize,
    cols: usize,
    items: Vec<f64>,
}

fn number(x: &Value) -> f64 {
    match x {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

fn integer(x: &Value) -> i128 {
    match x {
        Value::Int(i) => *i,
        _ => 0,
    }
}

fn items(x: &Value) -> &[Value] {
    match x {
        Value::List(items) => items,
        _ => &[],
    }
}

fn vector(x: &Value) -> Vec<f64> {
    items(x).iter().map(number).collect()
}

/// The rows of a matrix operand in a row-major buffer; rows of different lengths are the
/// runtime's fault, naming the function `what`.
fn dense(m: &Value, what: &str, loc: &Loc) -> Result<Dense, Stop> {
    let rows = items(m);
    let cols = rows.first().map_or(0, |r| items(r).len());
    let mut out = Vec::with_capacity(rows.len() * cols);
    for (i, row) in rows.iter().enumerate() {
        let row = items(row);
        if row.len() != cols {
            let message = format!("{what}: row {} has {} elements but row 1 has {cols} (a matrix needs rows of one length)", i + 1, row.len());
            return Err(Stop::fault(message, loc));
        }
        out.extend(row.iter().map(number));
    }
    Ok(Dense { rows: rows.len(), cols, items: out })
}

fn square(a: &Dense, what: &str, loc: &Loc) -> Result<usize, Stop> {
    if a.rows != a.cols {
        return Err(Stop::fault(format!("{what}: the matrix is {} x {}, not square", a.rows, a.cols), loc));
    }
    Ok(a.rows)
}

/// Refuses a result of more than [`MAX_ELEMENTS`] elements (`rows * cols`).
fn check_size(rows: usize, cols: usize, loc: &Loc) -> Result<(), Stop> {
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(Stop::unsupported("a matrix this large", loc)),
    }
}

fn float_list(xs: &[f64]) -> Value {
    Value::List(Rc::new(xs.iter().map(|x| Value::Float(*x)).collect()))
}

/// A `[[f64]]` value of `cols` columns from a row-major buffer.
fn matrix_value(items: &[f64], rows: usize, cols: usize) -> Value {
    if cols == 0 {
        return Value::List(Rc::new(vec![float_list(&[]); rows]));
    }
    Value::List(Rc::new(items.chunks(cols).map(float_list).collect()))
}

/// Whether `x > 0` and finite (false for NaN), the runtime's test of a pivot and of a kernel
/// parameter.
fn positive_and_finite(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

/// Zig's `{d}` of an f64: decimal, without an exponent.
fn zig_decimal(x: f64) -> String {
    if x.is_nan() { "nan".into() } else { format!("{x}") }
}

// ---------------------------------------------------------------------------------------------
// Products and rearrangements
// ---------------------------------------------------------------------------------------------

/// c (m x n) = a (m x k) b (k x n), each sum from 0 in order of k.
fn product(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for t in 0..k {
                s += a[i * k + t] * b[t * n + j];
            }
            c[i * n + j] = s;
        }
    }
    c
}

fn multiply(a: &Value, b: &Value, loc: &Loc) -> Result<Value, Stop> {
    let a = dense(a, "multiply", loc)?;
    let b = dense(b, "multiply", loc)?;
    if a.cols != b.rows {
        let message = format!(
            "multiply: the first matrix is {} x {} and the second {} x {} (its columns must equal the second's rows)",
            a.rows, a.cols, b.rows, b.cols
        );
        return Err(Stop::fault(message, loc));
    }
    check_size(a.rows, b.cols, loc)?;
    Ok(matrix_value(&product(&a.items, &b.items, a.rows, a.cols, b.cols), a.rows, b.cols))
}

fn multiply_vector(a: &Value, v: &Value, loc: &Loc) -> Result<Value, Stop> {
    let a = dense(a, "multiply", loc)?;
    let v = vector(v);
    if a.cols != v.len() {
        let message = format!("multiply: the matrix is {} x {} and the vector has {} elements (they must equal its columns)", a.rows, a.cols, v.len());
        return Err(Stop::fault(message, loc));
    }
    Ok(float_list(&product(&a.items, &v, a.rows, a.cols, 1)))
}

fn transpose(a: &Value, loc: &Loc) -> Result<Value, Stop> {
    let d = dense(a, "transpose", loc)?;
    let rows = items(a);
    let out = (0..d.cols).map(|j| Value::List(Rc::new(rows.iter().map(|r| items(r)[j].clone()).collect()))).collect();
    Ok(Value::List(Rc::new(out)))
}

fn diag_matrix(v: &Value, loc: &Loc) -> Result<Value, Stop> {
    let v = vector(v);
    let n = v.len();
    check_size(n, n, loc)?;
    let mut out = vec![0.0; n * n];
    for (i, x) in v.iter().enumerate() {
        out[i * n + i] = *x;
    }
    Ok(matrix_value(&out, n, n))
}

fn add_diag(a: &Value, d: f64, loc: &Loc) -> Result<Value, Stop> {
    let mut a = dense(a, "add_diag", loc)?;
    let n = square(&a, "add_diag", loc)?;
    for i in 0..n {
        a.items[i * n + i] += d;
    }
    Ok(matrix_value(&a.items, n, n))
}

fn rep_matrix(x: f64, m: i128, n: i128, loc: &Loc) -> Result<Value, Stop> {
    if m < 0 || n < 0 {
        return Err(Stop::fault(format!("rep_matrix: the size {m} x {n} is negative"), loc));
    }
    let (rows, cols) = (usize::try_from(m).unwrap_or(usize::MAX), usize::try_from(n).unwrap_or(usize::MAX));
    check_size(rows, cols, loc)?;
    Ok(Value::List(Rc::new(vec![float_list(&vec![x; cols]); rows])))
}

// ---------------------------------------------------------------------------------------------
// Factorisations and solves
// ---------------------------------------------------------------------------------------------

/// The lower Cholesky factor of a's lower triangle, or `None` if a is not positive definite.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for t in 0..j {
                s -= l[i * n + t] * l[j * n + t];
            }
            if i == j {
                if !positive_and_finite(s) {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

fn cholesky_decompose(a: &Value, loc: &Loc) -> Result<Value, Stop> {
    let a = dense(a, "cholesky_decompose", loc)?;
    let n = square(&a, "cholesky_decompose", loc)?;
    let l = cholesky(&a.items, n).ok_or_else(|| Stop::fault("cholesky_decompose: the matrix is not symmetric positive definite", loc))?;
    Ok(matrix_value(&l, n, n))
}

/// x (n x m) = L^-1 b for lower-triangular L (its upper triangle ignored), or `None` if a
/// diagonal entry is zero.
fn solve_lower(l: &[f64], b: &[f64], n: usize, m: usize) -> Option<Vec<f64>> {
    let mut x = vec![0.0; n * m];
    for i in 0..n {
        let d = l[i * n + i];
        if d == 0.0 {
            return None;
        }
        for c in 0..m {
            let mut s = b[i * m + c];
            for t in 0..i {
                s -= l[i * n + t] * x[t * m + c];
            }
            x[i * m + c] = s / d;
        }
    }
    Some(x)
}

fn check_solve_shapes(l: &Dense, b_rows: usize, loc: &Loc) -> Result<(), Stop> {
    if l.rows != l.cols {
        return Err(Stop::fault(format!("mdivide_left_tri_low: L is {} x {}, not square", l.rows, l.cols), loc));
    }
    if b_rows != l.rows {
        return Err(Stop::fault(format!("mdivide_left_tri_low: L is {} x {} but the right-hand side has {b_rows} rows", l.rows, l.cols), loc));
    }
    Ok(())
}

fn singular(what: &str, loc: &Loc) -> Stop {
    Stop::fault(format!("{what}: the matrix is singular"), loc)
}

fn mdivide_left_tri_low(l: &Value, b: &Value, loc: &Loc) -> Result<Value, Stop> {
    let l = dense(l, "mdivide_left_tri_low", loc)?;
    let b = dense(b, "mdivide_left_tri_low", loc)?;
    check_solve_shapes(&l, b.rows, loc)?;
    let x = solve_lower(&l.items, &b.items, l.rows, b.cols).ok_or_else(|| singular("mdivide_left_tri_low", loc))?;
    Ok(matrix_value(&x, l.rows, b.cols))
}

fn mdivide_left_tri_low_vector(l: &Value, b: &Value, loc: &Loc) -> Result<Value, Stop> {
    let l = dense(l, "mdivide_left_tri_low", loc)?;
    let b = vector(b);
    check_solve_shapes(&l, b.len(), loc)?;
    let x = solve_lower(&l.items, &b, l.rows, 1).ok_or_else(|| singular("mdivide_left_tri_low", loc))?;
    Ok(float_list(&x))
}

/// LU factorisation with partial pivoting in place (a becomes L\U with unit lower L) and the
/// row permutation, or `None` if a is singular.
fn lu(a: &mut [f64], n: usize) -> Option<Vec<usize>> {
    let mut perm: Vec<usize> = (0..n).collect();
    for c in 0..n {
        let mut p = c;
        for r in c + 1..n {
            if a[r * n + c].abs() > a[p * n + c].abs() {
                p = r;
            }
        }
        if a[p * n + c] == 0.0 {
            return None;
        }
        if p != c {
            for j in 0..n {
                a.swap(p * n + j, c * n + j);
            }
            perm.swap(p, c);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            a[r * n + c] = f;
            for j in c + 1..n {
                a[r * n + j] -= f * a[c * n + j];
            }
        }
    }
    Some(perm)
}

fn log_determinant(a: &Value, loc: &Loc) -> Result<Value, Stop> {
    let mut a = dense(a, "log_determinant", loc)?;
    let n = square(&a, "log_determinant", loc)?;
    lu(&mut a.items, n).ok_or_else(|| singular("log_determinant", loc))?;
    let mut s = 0.0;
    for i in 0..n {
        s += libm::log(a.items[i * n + i].abs());
    }
    Ok(Value::Float(s))
}

fn inverse(a: &Value, loc: &Loc) -> Result<Value, Stop> {
    let mut a = dense(a, "inverse", loc)?;
    let n = square(&a, "inverse", loc)?;
    let perm = lu(&mut a.items, n).ok_or_else(|| singular("inverse", loc))?;
    Ok(matrix_value(&inverse_from_lu(&a.items, &perm, n), n, n))
}

/// a^-1 from a's LU factors and row permutation: column by column, L y = P e_c then U x = y.
fn inverse_from_lu(lu_a: &[f64], perm: &[usize], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for c in 0..n {
        for i in 0..n {
            let mut s = if perm[i] == c { 1.0 } else { 0.0 };
            for t in 0..i {
                s -= lu_a[i * n + t] * inv[t * n + c];
            }
            inv[i * n + c] = s;
        }
        for i in (0..n).rev() {
            let mut s = inv[i * n + c];
            for t in i + 1..n {
                s -= lu_a[i * n + t] * inv[t * n + c];
            }
            inv[i * n + c] = s / lu_a[i * n + i];
        }
    }
    inv
}

// ---------------------------------------------------------------------------------------------
// Gaussian-process kernels, softmax
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Kernel {
    ExpQuad,
    Matern32,
    Periodic,
}

impl Kernel {
    fn name(self) -> &'static str {
        match self {
            Kernel::ExpQuad => "gp_exp_quad_cov",
            Kernel::Matern32 => "gp_matern32_cov",
            Kernel::Periodic => "gp_periodic_cov",
        }
    }

    /// The kernel at d = x_i - x_j, as the runtime's `kernel`.
    fn at(self, d: f64, alpha: f64, rho: f64, period: f64) -> f64 {
        let a2 = alpha * alpha;
        match self {
            Kernel::ExpQuad => a2 * libm::exp((-0.5 * (d * d)) / (rho * rho)),
            Kernel::Matern32 => {
                let u = (3f64.sqrt() * d.abs()) / rho;
                a2 * ((1.0 + u) * libm::exp(-u))
            }
            Kernel::Periodic => {
                let s = super::math::sin((std::f64::consts::PI * d.abs()) / period);
                a2 * libm::exp((-2.0 * (s * s)) / (rho * rho))
            }
        }
    }
}

fn covariance(kind: Kernel, x: &Value, alpha: f64, rho: f64, period: f64, loc: &Loc) -> Result<Value, Stop> {
    let x = vector(x);
    let n = x.len();
    for (what, value) in [("alpha", alpha), ("rho", rho), ("the period", period)] {
        if !positive_and_finite(value) {
            let message = format!("{}: {what} must be positive and finite, got {}", kind.name(), zig_decimal(value));
            return Err(Stop::fault(message, loc));
        }
    }
    check_size(n, n, loc)?;
    let k: Vec<f64> = (0..n * n).map(|ij| kind.at(x[ij / n] - x[ij % n], alpha, rho, period)).collect();
    Ok(matrix_value(&k, n, n))
}

fn softmax(v: &Value, log_form: bool, loc: &Loc) -> Result<Value, Stop> {
    let v = vector(v);
    if v.is_empty() {
        let name = if log_form { "log_softmax" } else { "softmax" };
        return Err(Stop::fault(format!("{name}: the vector is empty"), loc));
    }
    let m = v.iter().fold(f64::NEG_INFINITY, |m, x| m.max(*x));
    let mut s = 0.0;
    for x in &v {
        s += libm::exp(x - m);
    }
    let lse = libm::log(s) + m;
    let out: Vec<f64> = v.iter().map(|x| if log_form { x - lse } else { libm::exp(x - lse) }).collect();
    Ok(float_list(&out))
}
