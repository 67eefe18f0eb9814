//! Signatures of the built-in functions, written in the type mini-language.
//!
//! Each entry names the SIRS function, its generic parameters, its argument types and its
//! result type. Three markers stand for argument classes rather than types: `num` (any integer
//! or float, converted to `f64` at the call), `int` (any integer type, passed as it is) and
//! `prim` (any integer, float, bool or str). `cir::lower` maps each name to a runtime call;
//! `docs/stdlib.md` documents them all.

use crate::types::Ty;

/// The standard-library table (files, JSON, date and time, regex, HTTP, number formatting).
#[path = "stdlib.rs"]
mod stdlib;

#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub generics: &'static [&'static str],
    pub args: &'static [&'static str],
    pub ret: &'static str,
    /// The first argument is a variable that the call mutates (`push`, `map_insert`, …).
    pub mutates_first: bool,
}

const fn b(name: &'static str, args: &'static [&'static str], ret: &'static str) -> Builtin {
    Builtin { name, generics: &[], args, ret, mutates_first: false }
}

const fn g(name: &'static str, generics: &'static [&'static str], args: &'static [&'static str], ret: &'static str) -> Builtin {
    Builtin { name, generics, args, ret, mutates_first: false }
}

const fn m(name: &'static str, generics: &'static [&'static str], args: &'static [&'static str], ret: &'static str) -> Builtin {
    Builtin { name, generics, args, ret, mutates_first: true }
}

/// The math functions: the reference's 38 plus `math_hypot`, with their arity and result type.
pub static MATH: &[(&str, usize, &str)] = &[
    ("math_abs", 1, "f64"), ("math_sqrt", 1, "f64"), ("math_exp", 1, "f64"), ("math_log", 1, "f64"),
    ("math_log10", 1, "f64"), ("math_log2", 1, "f64"), ("math_sin", 1, "f64"), ("math_cos", 1, "f64"),
    ("math_tan", 1, "f64"), ("math_asin", 1, "f64"), ("math_acos", 1, "f64"), ("math_atan", 1, "f64"),
    ("math_sinh", 1, "f64"), ("math_cosh", 1, "f64"), ("math_tanh", 1, "f64"), ("math_floor", 1, "f64"),
    ("math_ceil", 1, "f64"), ("math_round", 1, "f64"), ("math_trunc", 1, "f64"), ("math_degrees", 1, "f64"),
    ("math_radians", 1, "f64"), ("math_sign", 1, "f64"),
    ("math_pow", 2, "f64"), ("math_atan2", 2, "f64"), ("math_fmod", 2, "f64"), ("math_remainder", 2, "f64"),
    ("math_min", 2, "f64"), ("math_max", 2, "f64"), ("math_copysign", 2, "f64"), ("math_hypot", 2, "f64"),
    ("math_clamp", 3, "f64"), ("math_lerp", 3, "f64"),
    ("math_pi", 0, "f64"), ("math_e", 0, "f64"), ("math_inf", 0, "f64"), ("math_nan", 0, "f64"),
    ("math_is_finite", 1, "bool"), ("math_is_infinite", 1, "bool"), ("math_is_nan", 1, "bool"),
];

pub static BUILTINS: &[Builtin] = &[
    // Output.
    b("std_print", &["str"], "void"),
    b("std_print_int", &["int"], "void"),
    b("std_print_float", &["num"], "void"),
    b("std_print_bool", &["bool"], "void"),
    b("print", &["prim"], "void"),
    b("print_inline", &["prim"], "void"),
    b("debug_trace", &["str", "int"], "void"),
    b("debug_variable", &["str", "str"], "void"),
    b("std_args", &[], "[str]"),
    // Strings (the reference catalogue's eleven, then ours).
    b("str_length", &["str"], "i64"),
    b("str_substring", &["str", "i64", "i64"], "str"),
    b("str_index_of", &["str", "str"], "i64"),
    b("str_contains", &["str", "str"], "bool"),
    b("str_starts_with", &["str", "str"], "bool"),
    b("str_ends_with", &["str", "str"], "bool"),
    b("str_equals", &["str", "str"], "bool"),
    b("str_replace", &["str", "str", "str"], "str"),
    b("str_to_upper", &["str"], "str"),
    b("str_to_lower", &["str"], "str"),
    b("str_trim", &["str"], "str"),
    b("str_concat", &["str", "str"], "str"),
    b("str_split", &["str", "str"], "[str]"),
    b("str_join", &["[str]", "str"], "str"),
    b("str_repeat", &["str", "i64"], "str"),
    b("str_byte_at", &["str", "i64"], "i64"),
    b("str_parse_int", &["str"], "Result<i64, str>"),
    b("str_parse_float", &["str"], "Result<f64, str>"),
    b("to_string", &["prim"], "str"),
    // Smooth functions common in models (differentiated inside a model).
    b("inv_logit", &["num"], "f64"),
    b("logit", &["num"], "f64"),
    b("log1p", &["num"], "f64"),
    b("expm1", &["num"], "f64"),
    b("lgamma", &["num"], "f64"),
    b("log_sum_exp", &["num", "num"], "f64"),
    b("log1p_exp", &["num"], "f64"),
    b("phi", &["num"], "f64"),
    b("erf", &["num"], "f64"),
    b("log_mix", &["num", "num", "num"], "f64"),
    b("square", &["num"], "f64"),
    b("dot", &["[f64]", "[f64]"], "f64"),
    // Matrices (`[[f64]]`, lists of rows) and vectors (runtime/ppl/matrix.zig; differentiated
    // inside a model with one hand-written reverse pass per call). `multiply` and
    // `mdivide_left_tri_low` take a vector second argument too (`MATRIX_VECTOR_FORMS`).
    b("multiply", &["[[f64]]", "[[f64]]"], "[[f64]]"),
    b("transpose", &["[[f64]]"], "[[f64]]"),
    b("cholesky_decompose", &["[[f64]]"], "[[f64]]"),
    b("mdivide_left_tri_low", &["[[f64]]", "[[f64]]"], "[[f64]]"),
    b("log_determinant", &["[[f64]]"], "f64"),
    b("inverse", &["[[f64]]"], "[[f64]]"),
    b("diag_matrix", &["[f64]"], "[[f64]]"),
    b("add_diag", &["[[f64]]", "num"], "[[f64]]"),
    b("diag_pre_multiply", &["[f64]", "[[f64]]"], "[[f64]]"),
    b("diag_post_multiply", &["[[f64]]", "[f64]"], "[[f64]]"),
    // Slices, 0-based like indexing: row i, column j, the nr×nc block at (i, j), n elements from i.
    b("row", &["[[f64]]", "i64"], "[f64]"),
    b("col", &["[[f64]]", "i64"], "[f64]"),
    b("block", &["[[f64]]", "i64", "i64", "i64", "i64"], "[[f64]]"),
    b("segment", &["[f64]", "i64", "i64"], "[f64]"),
    b("rep_matrix", &["num", "i64", "i64"], "[[f64]]"),
    b("gp_exp_quad_cov", &["[f64]", "num", "num"], "[[f64]]"),
    b("gp_matern32_cov", &["[f64]", "num", "num"], "[[f64]]"),
    b("gp_periodic_cov", &["[f64]", "num", "num", "num"], "[[f64]]"),
    b("softmax", &["[f64]"], "[f64]"),
    b("log_softmax", &["[f64]"], "[f64]"),
    // Reading the result of `infer` (runtime/ppl/infer.zig); columns are named as in CmdStan.
    b("posterior_mean", &["Posterior", "str"], "f64"),
    b("posterior_sd", &["Posterior", "str"], "f64"),
    b("posterior_quantile", &["Posterior", "str", "f64"], "f64"),
    b("posterior_rhat", &["Posterior", "str"], "f64"),
    b("posterior_ess", &["Posterior", "str"], "f64"),
    b("posterior_draws", &["Posterior", "str"], "[f64]"),
    b("posterior_prob", &["Posterior", "str", "f64", "f64"], "f64"),
    b("posterior_prob_mcse", &["Posterior", "str", "f64", "f64"], "f64"),
    b("posterior_names", &["Posterior"], "[str]"),
    b("posterior_divergences", &["Posterior"], "i64"),
    b("posterior_log_evidence", &["Posterior"], "f64"),
    b("posterior_log_evidence_se", &["Posterior"], "f64"),
    // Arrays.
    g("len", &["T"], &["[T]"], "i64"),
    m("push", &["T"], &["[T]", "T"], "void"),
    m("pop", &["T"], &["[T]"], "T"),
    g("array_slice", &["T"], &["[T]", "i64", "i64"], "[T]"),
    g("array_concat", &["T"], &["[T]", "[T]"], "[T]"),
    g("array_contains", &["T"], &["[T]", "T"], "bool"),
    g("array_index_of", &["T"], &["[T]", "T"], "i64"),
    g("array_reverse", &["T"], &["[T]"], "[T]"),
    g("array_sort", &["T"], &["[T]"], "[T]"),
    g("array_fill", &["T"], &["i64", "T"], "[T]"),
    b("array_sum", &["[f64]"], "f64"),
    b("array_mean", &["[f64]"], "f64"),
    // Maps and sets.
    g("map_len", &["K", "V"], &["map<K, V>"], "i64"),
    m("map_insert", &["K", "V"], &["map<K, V>", "K", "V"], "void"),
    g("map_get", &["K", "V"], &["map<K, V>", "K"], "Option<V>"),
    m("map_remove", &["K", "V"], &["map<K, V>", "K"], "bool"),
    g("map_contains", &["K", "V"], &["map<K, V>", "K"], "bool"),
    g("map_keys", &["K", "V"], &["map<K, V>"], "[K]"),
    g("map_values", &["K", "V"], &["map<K, V>"], "[V]"),
    g("set_len", &["T"], &["set<T>"], "i64"),
    m("set_insert", &["T"], &["set<T>", "T"], "bool"),
    m("set_remove", &["T"], &["set<T>", "T"], "bool"),
    g("set_contains", &["T"], &["set<T>", "T"], "bool"),
    g("set_items", &["T"], &["set<T>"], "[T]"),
    g("set_union", &["T"], &["set<T>", "set<T>"], "set<T>"),
    g("set_intersection", &["T"], &["set<T>", "set<T>"], "set<T>"),
    g("set_difference", &["T"], &["set<T>", "set<T>"], "set<T>"),
    // Channels between tasks (runtime/task.zig): capacity 0 or less means unbounded.
    g("channel_new", &["T"], &["i64"], "Channel<T>"),
    g("channel_send", &["T"], &["Channel<T>", "T"], "bool"),
    g("channel_recv", &["T"], &["Channel<T>"], "Option<T>"),
    g("channel_try_recv", &["T"], &["Channel<T>"], "Option<T>"),
    g("channel_close", &["T"], &["Channel<T>"], "void"),
    g("channel_len", &["T"], &["Channel<T>"], "i64"),
];

/// The name (as a static string), arity and result type of a math function.
pub fn math_signature(name: &str) -> Option<(&'static str, usize, &'static str)> {
    MATH.iter().find(|(n, _, _)| *n == name).copied()
}

/// Every math function name, for suggestions and documentation.
pub fn math_names() -> Vec<String> {
    MATH.iter().map(|(n, _, _)| n.to_string()).collect()
}

/// Second forms of built-ins, chosen by the number of arguments: `log_sum_exp(xs)` on an array
/// is `log_sum_exp_array`. These names are not callable themselves.
static ARITY_FORMS: &[(&str, Builtin)] = &[("log_sum_exp", b("log_sum_exp_array", &["[f64]"], "f64"))];

/// Matrix built-ins whose second argument may be a vector instead of a matrix, with the form
/// that takes the vector (chosen by the checker from the argument's type; not callable).
pub static MATRIX_VECTOR_FORMS: &[(&str, Builtin)] = &[
    ("multiply", b("multiply_vector", &["[[f64]]", "[f64]"], "[f64]")),
    ("mdivide_left_tri_low", b("mdivide_left_tri_low_vector", &["[[f64]]", "[f64]"], "[f64]")),
];

/// The vector form of matrix built-in `name`, if it has one.
pub fn matrix_vector_form(name: &str) -> Option<&'static Builtin> {
    MATRIX_VECTOR_FORMS.iter().find(|(n, _)| *n == name).map(|(_, form)| form)
}

/// The form of built-in `name` that takes `arity` arguments, when it is not the table's entry.
pub fn arity_form(name: &str, arity: usize) -> Option<&'static Builtin> {
    ARITY_FORMS.iter().find(|(n, form)| *n == name && form.args.len() == arity).map(|(_, form)| form)
}

/// A built-in by name: the core table, then the standard library's (`stdlib.rs`).
pub fn find(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// Every built-in function: the core table and the standard library's.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().chain(stdlib::STDLIB)
}

/// An argument class of a built-in signature.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgClass {
    Exact(Ty),
    Numeric,
    AnyInt,
    Printable,
}

/// Parses a signature type; `generic` gives `Param` indices; `adt` resolves `Option`/`Result`.
pub fn parse_type(text: &str, generics: &[&str], adt: &dyn Fn(&str) -> Option<crate::types::AdtId>) -> Ty {
    let mut reader = SigReader { s: text.as_bytes(), pos: 0, generics, adt };
    reader.ty()
}

pub fn arg_class(text: &str, generics: &[&str], adt: &dyn Fn(&str) -> Option<crate::types::AdtId>) -> ArgClass {
    match text {
        "num" => ArgClass::Numeric,
        "int" => ArgClass::AnyInt,
        "prim" => ArgClass::Printable,
        _ => ArgClass::Exact(parse_type(text, generics, adt)),
    }
}

struct SigReader<'a> {
    s: &'a [u8],
    pos: usize,
    generics: &'a [&'a str],
    adt: &'a dyn Fn(&str) -> Option<crate::types::AdtId>,
}

impl SigReader<'_> {
    fn skip(&mut self) {
        while self.s.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ty(&mut self) -> Ty {
        if self.eat(b'[') {
            let inner = self.ty();
            self.eat(b']');
            return Ty::Array(Box::new(inner));
        }
        if self.eat(b'(') {
            let items = self.list(b')');
            return Ty::Tuple(items);
        }
        self.skip();
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            self.pos += 1;
        }
        let word = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
        let args = if self.eat(b'<') { self.list(b'>') } else { Vec::new() };
        self.named(&word, args)
    }

    fn named(&self, word: &str, mut args: Vec<Ty>) -> Ty {
        if let Some(i) = self.generics.iter().position(|g| *g == word) {
            return Ty::Param(u32::try_from(i).unwrap_or(0));
        }
        if let Some(t) = Ty::primitive(word) {
            return t;
        }
        match (word, args.len()) {
            ("map", 2) => {
                let v = args.pop().unwrap_or(Ty::Invalid);
                let k = args.pop().unwrap_or(Ty::Invalid);
                Ty::Map(Box::new(k), Box::new(v))
            }
            ("set", 1) => Ty::Set(Box::new(args.pop().unwrap_or(Ty::Invalid))),
            ("Channel", 1) => Ty::Channel(Box::new(args.pop().unwrap_or(Ty::Invalid))),
            ("Json", 0) => Ty::Adt(super::env::JSON, args),
            ("Posterior", 0) => Ty::Posterior,
            ("HttpResponse", 0) => Ty::Adt(super::env::HTTP_RESPONSE, args),
            _ => (self.adt)(word).map_or(Ty::Invalid, |id| Ty::Adt(id, args)),
        }
    }

    fn list(&mut self, close: u8) -> Vec<Ty> {
        let mut items = Vec::new();
        if self.eat(close) {
            return items;
        }
        loop {
            items.push(self.ty());
            if self.eat(close) || !self.eat(b',') {
                return items;
            }
        }
    }
}

/// Whether a value of this type can be printed by `print` and `to_string`.
pub fn is_printable(ty: &Ty) -> bool {
    matches!(ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_parses_without_invalid_types() {
        let adt = |name: &str| match name {
            "Option" => Some(crate::types::AdtId(0)),
            "Result" => Some(crate::types::AdtId(1)),
            _ => None,
        };
        for builtin in all() {
            for arg in builtin.args.iter().chain([&builtin.ret]) {
                if let ArgClass::Exact(t) = arg_class(arg, builtin.generics, &adt) {
                    let mut bad = false;
                    t.visit(&mut |t| bad |= t.is_invalid());
                    assert!(!bad, "{}: {arg}", builtin.name);
                }
            }
        }
    }

    /// The one rule for integer widths (docs/stdlib.md, Conventions): every integer a built-in
    /// takes or returns is `i64`.
    #[test]
    fn every_integer_in_a_builtin_signature_is_i64() {
        let adt = |name: &str| match name {
            "Option" => Some(crate::types::AdtId(0)),
            "Result" => Some(crate::types::AdtId(1)),
            _ => None,
        };
        let forms = ARITY_FORMS.iter().map(|(_, form)| form);
        for builtin in all().chain(forms) {
            for arg in builtin.args.iter().chain([&builtin.ret]) {
                if let ArgClass::Exact(t) = arg_class(arg, builtin.generics, &adt) {
                    t.visit(&mut |t| {
                        if let Ty::Int(width) = t {
                            assert_eq!(*width, crate::types::IntTy::I64, "{}: {arg}", builtin.name);
                        }
                    });
                }
            }
        }
    }

    #[test]
    fn math_has_thirty_nine_functions() {
        assert_eq!(math_names().len(), 39);
        assert!(math_names().iter().all(|n| math_signature(n).is_some()));
    }
}
