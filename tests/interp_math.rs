//! The interpreter's math against the compiled program's: one SIRS program calls every
//! `math_*` built-in with a float result, and float `**`, on a few thousand arguments each
//! (moderate, huge, tiny, near the overflow and underflow thresholds, in [-1, 1]) and prints
//! every result; `sev::interp` must print exactly what the Zig build prints (one build). The
//! model helpers outside models (`inv_logit`, `logit`, `log1p`, `expm1`, `erf`, `phi`, `lgamma`, `log1p_exp`, `log_sum_exp`,
//! `log_sum_exp_array`, `log_mix`) are checked the same way by a second program.

mod support;

/// Iterations of the program's loop; every iteration prints one line per call in [`CALLS`].
const STEPS: usize = 2500;

fn var(name: &str) -> String {
    format!(r#"{{"var": "{name}"}}"#)
}

fn lit(x: f64) -> String {
    format!(r#"{{"literal": {x:?}}}"#)
}

fn op(kind: &str, a: &str, b: &str) -> String {
    format!(r#"{{"op": {{"kind": "{kind}", "args": [{a}, {b}]}}}}"#)
}

fn call(f: &str, args: &[&str]) -> String {
    format!(
        r#"{{"call": {{"function": "{f}", "args": [{}]}}}}"#,
        args.join(", ")
    )
}

fn let_(name: &str, value: &str) -> String {
    format!(r#"{{"let": {{"name": "{name}", "value": {value}}}}}"#)
}

fn print(value: &str) -> String {
    format!(r#"{{"expression": {}}}"#, call("print", &[value]))
}

/// The argument families, from the loop's counter `t` (0 .. STEPS as f64): name and value.
fn families() -> Vec<(&'static str, String)> {
    let t = var("t");
    let affine = |scale: f64, shift: f64| op("add", &op("mul", &t, &lit(scale)), &lit(shift));
    vec![
        // moderate: [-7.46, 7.46]
        ("a", affine(0.00597, -7.4623)),
        // in (-1, 1), for asin and acos
        ("u", affine(2.0 / STEPS as f64, -0.99971)),
        // e^-360 .. e^365: tiny and huge magnitudes (Payne-Hanek reduction above 2^20)
        ("big", call("math_exp", &[&affine(0.29, -360.17)])),
        // arguments of exp crossing its underflow and overflow thresholds
        ("edge", affine(0.6, -751.3)),
        // bases near 1 and exponents up to |60|, for pow's hard cases
        ("base", affine(0.0007, 0.3)),
        ("power", affine(0.0491, -61.3)),
        // small integer exponents (exact powers) and a second moderate argument
        (
            "int",
            op(
                "sub",
                &call("math_floor", &[&op("mul", &t, &lit(0.0131))]),
                &lit(3.0),
            ),
        ),
        ("b", affine(-0.0031, 4.1)),
    ]
}

/// The calls printed at every step.
fn calls() -> Vec<String> {
    let one = |f: &str, x: &str| call(f, &[&var(x)]);
    let two = |f: &str, x: &str, y: &str| call(f, &[&var(x), &var(y)]);
    let mut out = Vec::new();
    for f in [
        "exp", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "degrees", "radians", "sqrt",
        "abs", "floor", "ceil", "round", "trunc", "sign",
    ] {
        out.push(one(&format!("math_{f}"), "a"));
    }
    for f in [
        "log", "log2", "log10", "sin", "cos", "tan", "atan", "sqrt", "degrees", "radians",
    ] {
        out.push(one(&format!("math_{f}"), "big"));
    }
    for f in ["exp", "sinh", "cosh", "tanh"] {
        out.push(one(&format!("math_{f}"), "edge"));
    }
    for f in ["asin", "acos", "atan", "sin", "log"] {
        out.push(one(&format!("math_{f}"), "u"));
    }
    out.push(two("math_pow", "base", "power"));
    out.push(two("math_pow", "a", "int"));
    out.push(two("math_pow", "big", "b"));
    out.push(op("pow", &var("base"), &var("power")));
    out.push(op("pow", &var("a"), &var("int")));
    out.push(two("math_atan2", "a", "b"));
    out.push(two("math_atan2", "big", "a"));
    out.push(two("math_hypot", "a", "b"));
    out.push(two("math_hypot", "big", "u"));
    out.push(two("math_fmod", "big", "a"));
    out.push(two("math_remainder", "big", "a"));
    out.push(two("math_remainder", "a", "b"));
    out.push(two("math_min", "a", "b"));
    out.push(two("math_max", "a", "b"));
    out.push(two("math_copysign", "b", "a"));
    out.push(call("math_clamp", &[&var("a"), &var("u"), &var("b")]));
    out.push(call("math_lerp", &[&var("a"), &var("b"), &var("u")]));
    out
}

/// The model helpers the interpreter runs, on the same argument families (`p` in (0, 1)).
fn helper_calls() -> Vec<String> {
    let one = |f: &str, x: &str| call(f, &[&var(x)]);
    let two = |f: &str, x: &str, y: &str| call(f, &[&var(x), &var(y)]);
    let mut out = Vec::new();
    for x in ["a", "edge", "big", "u"] {
        out.push(one("inv_logit", x));
        out.push(one("log1p", x));
        out.push(one("log1p_exp", x));
        out.push(one("expm1", x));
        out.push(one("erf", x));
        out.push(one("phi", x));
    }
    out.push(one("logit", "p"));
    // lgamma at positive arguments: near 1 and 2 (the series), tiny, moderate and huge
    for x in ["p", "base", "power_abs", "big"] {
        out.push(one("lgamma", x));
    }
    out.push(two("log_sum_exp", "a", "b"));
    out.push(two("log_sum_exp", "edge", "a"));
    out.push(two("log_sum_exp", "big", "power"));
    out.push(call("log_mix", &[&var("p"), &var("a"), &var("b")]));
    out.push(call("log_mix", &[&var("p"), &var("edge"), &var("power")]));
    let list = format!(r#"{{"array": [{}, {}, {}]}}"#, var("a"), var("b"), var("edge"));
    out.push(call("log_sum_exp", &[&list]));
    out
}

fn program() -> String {
    program_of(&calls())
}

fn program_of(calls: &[String]) -> String {
    let mut body = vec![let_(
        "t",
        &format!(r#"{{"cast": {{"value": {}, "type": "f64"}}}}"#, var("i")),
    )];
    body.extend(families().iter().map(|(name, value)| let_(name, value)));
    body.push(let_("p", &op("mul", &op("add", &var("u"), &lit(1.0)), &lit(0.5))));
    body.push(let_("power_abs", &call("math_abs", &[&var("power")])));
    body.extend(calls.iter().map(|c| print(c)));
    let range =
        format!(r#"{{"range": {{"start": {{"literal": 0}}, "end": {{"literal": {STEPS}}}}}}}"#);
    format!(
        r#"{{"program": {{"entry": "main", "functions": {{"main": {{"args": [], "return": "void", "body": [
        {{"for": {{"variable": "i", "iterable": {range}, "body": [{}]}}}}]}}}}}}}}"#,
        body.join(",\n")
    )
}

#[test]
fn every_math_builtin_prints_what_the_compiled_program_prints() {
    let source = program();
    let c = sev::driver::compile_with(
        "math_args",
        source.as_bytes(),
        sev::driver::Options { emit_zig: false },
        sev::opt::Level::O0,
    );
    let errors: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(&c.file, false))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let interpreted = sev::interp::run_on_own_thread(c.cir.expect("CIR"), Vec::new())
        .expect("the interpreter runs");
    let interpreted_stdout = String::from_utf8_lossy(&interpreted.stdout).into_owned();
    assert_eq!(
        interpreted.status,
        0,
        "{}",
        String::from_utf8_lossy(&interpreted.stderr)
    );
    let compiled = support::build_and_run("math_args", &source, &[]).expect("the Zig build runs");
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    let lines = interpreted_stdout.lines().count();
    assert_eq!(lines, STEPS * calls().len());
    let first_difference = interpreted_stdout
        .lines()
        .zip(compiled.stdout.lines())
        .position(|(a, b)| a != b);
    assert_eq!(
        first_difference,
        None,
        "first different line (step {:?})",
        first_difference.map(|i| i / calls().len())
    );
    assert_eq!(interpreted_stdout, compiled.stdout);
    // The arguments reach the hard ranges: infinities, zeros and NaNs are among the results.
    for special in ["inf", "-inf", "nan", "0.0"] {
        assert!(
            interpreted_stdout.lines().any(|l| l == special),
            "no {special} among the results"
        );
    }
}

#[test]
fn the_model_helpers_print_what_the_compiled_program_prints() {
    let source = program_of(&helper_calls());
    let c = sev::driver::compile("helper_args", source.as_bytes(), sev::driver::Options { emit_zig: false });
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.render(&c.file, false)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let interpreted = sev::interp::run_on_own_thread(c.cir.expect("CIR"), Vec::new()).expect("the interpreter runs");
    assert_eq!(interpreted.status, 0, "{}", String::from_utf8_lossy(&interpreted.stderr));
    let interpreted_stdout = String::from_utf8_lossy(&interpreted.stdout).into_owned();
    let compiled = support::build_and_run("helper_args", &source, &[]).expect("the Zig build runs");
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    assert_eq!(interpreted_stdout.lines().count(), STEPS * helper_calls().len());
    let first_difference = interpreted_stdout.lines().zip(compiled.stdout.lines()).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "first different line: {:?}", first_difference.map(|i| (i / helper_calls().len(), i % helper_calls().len())));
    assert_eq!(interpreted_stdout, compiled.stdout);
    // NaN (log1p below -1), and inv_logit saturated at 0 and 1
    for special in ["nan", "0.0", "1.0"] {
        assert!(interpreted_stdout.lines().any(|l| l == special), "no {special} among the results");
    }
}
