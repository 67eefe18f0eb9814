//! The modelling building blocks (`src/blocks`, docs/probabilistic.md "Building blocks for
//! models"), end to end through `sev`:
//!
//! * the centred/non-centred switch: eight schools written centred with
//!   `"parameterization": "noncentered"` samples exactly the hand-written non-centred posteriordb
//!   model (same seed, same draws, so the same posterior means to the last bit), has far fewer
//!   divergences than the centred model, and `--emit cir` shows the raw parameter and the
//!   recorded natural-scale column.
//! * declarative `mixture` blocks: the log density of a hand-written `log_mix` model at fixed
//!   points, the same posterior (within MCSE) and recovery of a simulated two-normal mixture, and
//!   the mean and sd of a `{"mixture": …}` draw;
//! * declarative `hierarchical` models: eight schools (non-centred by default, and centred by the
//!   switch) and a radon-like varying intercept have the hand-written log density bit for bit,
//!   and eight schools samples the hand-written draws with one seed;
//! * graphical `model`s: eight schools as a graph has the hand-written log density and draws;
//! * the examples of docs/probabilistic.md's "Building blocks for models" are the tested
//!   statements.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The classic eight schools data (Rubin 1981).
const EIGHT_SCHOOLS: &str = r#"{"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12], "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Samples the model at `path` (relative to the repository) with `data` and returns the summary.
fn sample(dir: &Path, path: &str, data: &str, seed: &str) -> Value {
    std::fs::write(dir.join("data.json"), data).expect("write the data");
    let model = root().join(path).to_string_lossy().into_owned();
    let args = strings(&["run", &model, "--data", "data.json", "--seed", seed, "--threads", "2", "--quiet", "--summary", "summary.json"]);
    let out = support::sev(&args, "1", Some(dir));
    assert_eq!(out.code, 0, "{path}: {}", out.stderr);
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("the summary");
    serde_json::from_str(&text).expect("summary JSON")
}

fn column<'a>(summary: &'a Value, name: &str) -> &'a Value {
    let columns = summary["columns"].as_array().expect("columns");
    columns.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

fn divergences(summary: &Value) -> u64 {
    summary["chains"].as_array().map_or(0, |cs| cs.iter().filter_map(|c| c["divergences"].as_u64()).sum())
}

#[test]
fn the_switch_samples_the_hand_written_non_centred_eight_schools() {
    let dir = tempfile::tempdir().expect("temp dir");
    let switched = sample(dir.path(), "tests/cases/blocks/eight_schools_switch.sirs.json", EIGHT_SCHOOLS, "3");
    let by_hand = sample(dir.path(), "examples/posteriordb/eight_schools_noncentered.sirs.json", EIGHT_SCHOOLS, "3");
    let centred = sample(dir.path(), "examples/posteriordb/eight_schools_centered.sirs.json", EIGHT_SCHOOLS, "3");
    let mut names = vec!["mu".to_string(), "tau".to_string()];
    names.extend((1..=8).map(|j| format!("theta.{j}")));
    for name in &names {
        let (a, b) = (column(&switched, name), column(&by_hand, name));
        let (ma, mb) = (number(a, "mean"), number(b, "mean"));
        let (sa, sb) = (number(a, "mcse_mean"), number(b, "mcse_mean"));
        println!("{name}: switched {ma:.4} (MCSE {sa:.4}), by hand {mb:.4} (MCSE {sb:.4})");
        assert!((ma - mb).abs() <= 4.0 * (sa * sa + sb * sb).sqrt(), "{name}: {ma} vs {mb}");
        // The rewrite is the hand-written model, so with one seed the draws are the same.
        assert_eq!(ma.to_bits(), mb.to_bits(), "{name}: the switched model should draw exactly what the hand-written one draws");
    }
    let (d_switched, d_centred) = (divergences(&switched), divergences(&centred));
    println!("divergences: switched {d_switched}, centred {d_centred}");
    assert!(d_centred >= 10, "the centred funnel should diverge (got {d_centred})");
    assert!(d_switched * 10 <= d_centred, "the switch should remove most divergences: {d_switched} vs {d_centred}");
}

#[test]
fn emit_cir_shows_the_raw_parameter_and_the_natural_column() {
    let model = root().join("tests/cases/blocks/eight_schools_switch.sirs.json").to_string_lossy().into_owned();
    let out = support::sev(&strings(&["build", &model, "--emit", "cir", "-O0"]), "1", None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cir = &out.stdout;
    assert!(cir.contains("local l7 theta__raw: [real]"), "{cir}");
    assert!(cir.contains("local l8 mut theta: [real]"), "{cir}");
    let raw_draw = cir.lines().find(|l| l.contains("size v15 param site 2 Real")).unwrap_or_else(|| panic!("no raw draw in {cir}"));
    assert!(raw_draw.contains("sample normal("), "{raw_draw}");
    assert_eq!(cir.matches(" param site ").count(), 3, "mu, tau and the raw vector are the parameters: {cir}");
    assert_eq!(cir.matches("record site 3").count(), 1, "theta is recorded once: {cir}");
}

/// `lognormal` (the exponential of the affine value) and `student_t` (a standard t raw value)
/// switched: their prior means are exp(mu + sigma²/2) and mu.
#[test]
fn lognormal_and_student_t_switched_keep_their_prior() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = sample(dir.path(), "tests/cases/blocks/lognormal_student_t_switch.sirs.json", "{}", "5");
    let lognormal_mean = (0.5f64 + 0.4 * 0.4 / 2.0).exp();
    for (name, truth) in [("x.1", lognormal_mean), ("x.2", lognormal_mean), ("t", 1.0)] {
        let c = column(&summary, name);
        let (mean, mcse) = (number(c, "mean"), number(c, "mcse_mean"));
        println!("{name}: mean {mean:.4}, truth {truth:.4}, MCSE {mcse:.4}");
        assert!((mean - truth).abs() < 4.0 * mcse, "{name}: {mean} vs {truth} (MCSE {mcse})");
    }
}

/// The `json` code blocks of the "Building blocks for models" sections of
/// docs/probabilistic.md, parsed.
fn doc_examples() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("docs/probabilistic.md")).expect("docs/probabilistic.md");
    let section = text.split("### Building blocks for models").skip(1).map(|s| s.split("\n### ").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    section.split("```json\n").skip(1).map(|block| {
        let code = block.split("```").next().unwrap_or("");
        serde_json::from_str(code).unwrap_or_else(|e| panic!("a docs example is not JSON ({e}): {code}"))
    }).collect()
}

fn statements(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(path)).expect("the case");
    let program: Value = serde_json::from_str(&text).expect("JSON");
    program["program"]["functions"]["main"]["body"].as_array().cloned().expect("a body")
}

#[test]
fn the_documented_switch_is_the_tested_statement() {
    let examples = doc_examples();
    let switch = &examples[0];
    assert_eq!(switch["let"]["value"]["sample"]["parameterization"], "noncentered");
    assert!(statements("tests/cases/blocks/eight_schools_switch.sirs.json").contains(switch), "the docs' switch is not in the tested model");
}

/// `n` draws of the mixture 0.3·normal(−2, 1) + 0.7·normal(2, 1), from a fixed splitmix64 stream
/// (Box–Muller for the normals), as Stan JSON data `{"N", "y"}`.
fn two_normal_data(n: usize) -> String {
    let mut state: u64 = 0x5eed_1234;
    let mut uniform = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let y: Vec<f64> = (0..n)
        .map(|_| {
            let low = uniform() < 0.3;
            let (u1, u2) = (uniform().max(1e-300), uniform());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            if low { -2.0 + z } else { 2.0 + z }
        })
        .collect();
    serde_json::json!({"N": n, "y": y}).to_string()
}

/// The log density `diagnose` prints at an unconstrained point.
fn log_density_at(dir: &Path, path: &str, data: &str, point: &str) -> f64 {
    std::fs::write(dir.join("data.json"), data).expect("write the data");
    let model = root().join(path).to_string_lossy().into_owned();
    let exe = dir.join("model").to_string_lossy().into_owned();
    let built = support::sev(&strings(&["build", &model, "-o", &exe]), "1", Some(dir));
    assert_eq!(built.code, 0, "{path}: {}", built.stderr);
    let run = support::run_exe(Path::new(&exe), &strings(&["diagnose", "--data", "data.json", "--point", point]), Some(dir)).expect("diagnose runs");
    let line = run.stdout.lines().find(|l| l.contains("log density = ")).unwrap_or_else(|| panic!("no log density in {}", run.stdout));
    line.rsplit("= ").next().and_then(|x| x.trim().parse().ok()).unwrap_or(f64::NAN)
}

const MIX_BY_HAND: &str = "tests/cases/blocks/mixture_log_mix.sirs.json";
const MIX_DECLARATIVE: &str = "tests/cases/blocks/mixture_declarative.sirs.json";

#[test]
fn a_declarative_mixture_has_the_log_density_of_log_mix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = two_normal_data(200);
    // theta (logit), mu (ordered: first, log of the gap), sigma (log).
    for point in ["0.3,-1.0,1.5,0.2", "-1.2,0.5,-0.3,-0.7", "2.0,-3.0,0.9,1.1"] {
        let by_hand = log_density_at(dir.path(), MIX_BY_HAND, &data, point);
        let declarative = log_density_at(dir.path(), MIX_DECLARATIVE, &data, point);
        println!("point {point}: log_mix {by_hand}, mixture block {declarative}");
        assert!(by_hand.is_finite());
        assert!((by_hand - declarative).abs() <= 1e-10 * by_hand.abs().max(1.0), "{point}: {by_hand} vs {declarative}");
    }
}

#[test]
fn a_declarative_mixture_recovers_its_simulation_like_log_mix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = two_normal_data(200);
    let declarative = sample(dir.path(), MIX_DECLARATIVE, &data, "4");
    let by_hand = sample(dir.path(), MIX_BY_HAND, &data, "4");
    for (name, truth) in [("theta", 0.3), ("mu.1", -2.0), ("mu.2", 2.0), ("sigma", 1.0)] {
        let (a, b) = (column(&declarative, name), column(&by_hand, name));
        let (ma, mb, sd) = (number(a, "mean"), number(b, "mean"), number(a, "sd"));
        let (sa, sb) = (number(a, "mcse_mean"), number(b, "mcse_mean"));
        println!("{name}: block {ma:.4} (MCSE {sa:.4}, sd {sd:.4}), log_mix {mb:.4} (MCSE {sb:.4}), truth {truth}");
        assert!((ma - mb).abs() <= 4.0 * (sa * sa + sb * sb).sqrt(), "{name}: {ma} vs {mb}");
        assert!((ma - truth).abs() <= 3.0 * sd, "{name}: {ma} is more than 3 posterior sds from {truth}");
    }
}

/// `{"mixture": …}` as an expression is a draw (here a parameter with the mixture prior).
#[test]
fn a_mixture_expression_is_a_draw_from_the_mixture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = sample(dir.path(), "tests/cases/blocks/mixture_expression.sirs.json", "{}", "6");
    let c = column(&summary, "x");
    let (mean, mcse, sd) = (number(c, "mean"), number(c, "mcse_mean"), number(c, "sd"));
    // mean 0.3·(−2) + 0.7·2; variance 1 + 0.3·0.7·4² (within-component plus between).
    let (truth, truth_sd) = (0.8, (1.0f64 + 0.21 * 16.0).sqrt());
    println!("x: mean {mean:.4} (MCSE {mcse:.4}), sd {sd:.4} (exact {truth_sd:.4})");
    assert!((mean - truth).abs() < 4.0 * mcse, "mean {mean} vs {truth}");
    assert!((sd - truth_sd).abs() < 0.1 * truth_sd, "sd {sd} vs {truth_sd}");
}

#[test]
fn the_documented_mixture_is_the_tested_statement() {
    let examples = doc_examples();
    let mixture = examples.iter().find(|e| e["observe"]["distribution"]["mixture"].is_object()).expect("a documented mixture block");
    assert!(statements(MIX_DECLARATIVE).contains(mixture), "the docs' mixture is not in the tested model");
}

/// A small radon-like data set: 40 observations in 5 groups (0-based `group`), a covariate
/// `x`, and `y = a[group] + 0.5·x + noise`, from a fixed splitmix64 stream.
fn varying_intercept_data() -> String {
    let (k, n) = (5usize, 40usize);
    let intercepts = [1.3, 0.2, 1.9, 0.8, 1.1];
    let x: Vec<f64> = (0..n).map(|i| ((i * 37 % 41) as f64 / 20.0) - 1.0).collect();
    let group: Vec<usize> = (0..n).map(|i| i % k).collect();
    let y: Vec<f64> = (0..n).map(|i| intercepts[group[i]] + 0.5 * x[i] + 0.3 * (((i * 53 % 17) as f64 / 8.0) - 1.0)).collect();
    serde_json::json!({"N": n, "K": k, "group": group, "x": x, "y": y}).to_string()
}

/// Each pair (declarative, hand-written, data, points) has the same log density at every point.
#[test]
fn declarative_hierarchical_models_have_the_hand_written_log_density() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ten = ["0.3,-1.0,0.5,0.2,0.1,0.2,0.3,-0.4,0.5,0.7", "-0.8,1.2,-0.5,0.9,-1.1,0.4,0.0,1.3,-0.2,-0.6"];
    let nine = ["0.3,-1.0,0.5,0.2,0.1,0.2,0.3,-0.4,0.5", "1.1,-0.3,0.4,-0.9,0.6,-1.2,0.8,0.05,-0.7"];
    let pairs: [(&str, &str, String, &[&str]); 3] = [
        ("tests/cases/blocks/eight_schools_hierarchical.sirs.json", "examples/posteriordb/eight_schools_noncentered.sirs.json", EIGHT_SCHOOLS.to_string(), &ten),
        ("tests/cases/blocks/eight_schools_hierarchical_centered.sirs.json", "examples/posteriordb/eight_schools_centered.sirs.json", EIGHT_SCHOOLS.to_string(), &ten),
        ("tests/cases/blocks/varying_intercept_hierarchical.sirs.json", "tests/cases/blocks/varying_intercept_by_hand.sirs.json", varying_intercept_data(), &nine),
    ];
    for (declarative, by_hand, data, points) in pairs {
        for point in points {
            let a = log_density_at(dir.path(), declarative, &data, point);
            let b = log_density_at(dir.path(), by_hand, &data, point);
            println!("{declarative} at {point}: {a} (by hand {b})");
            assert!(a.is_finite());
            assert_eq!(a.to_bits(), b.to_bits(), "{declarative} vs {by_hand} at {point}: {a} vs {b}");
        }
    }
}

#[test]
fn declarative_eight_schools_samples_the_hand_written_posterior() {
    let dir = tempfile::tempdir().expect("temp dir");
    let declarative = sample(dir.path(), "tests/cases/blocks/eight_schools_hierarchical.sirs.json", EIGHT_SCHOOLS, "8");
    let by_hand = sample(dir.path(), "examples/posteriordb/eight_schools_noncentered.sirs.json", EIGHT_SCHOOLS, "8");
    for name in ["mu", "tau", "theta.1", "theta.8"] {
        let (a, b) = (column(&declarative, name), column(&by_hand, name));
        let (ma, mb, sa, sb) = (number(a, "mean"), number(b, "mean"), number(a, "mcse_mean"), number(b, "mcse_mean"));
        println!("{name}: hierarchical {ma:.4} (MCSE {sa:.4}), by hand {mb:.4} (MCSE {sb:.4})");
        assert!((ma - mb).abs() <= 4.0 * (sa * sa + sb * sb).sqrt(), "{name}: {ma} vs {mb}");
        assert_eq!(ma.to_bits(), mb.to_bits(), "{name}: one seed should give the same draws");
    }
    assert_eq!(divergences(&declarative), divergences(&by_hand));
}

#[test]
fn the_documented_hierarchical_model_is_the_tested_statement() {
    let examples = doc_examples();
    let block = examples.iter().find(|e| e["hierarchical"].is_object()).expect("a documented hierarchical block");
    assert!(statements("tests/cases/blocks/eight_schools_hierarchical.sirs.json").contains(block), "the docs' block is not in the tested model");
}

/// A graphical `model` of eight schools (plates, latent, observed and deterministic nodes, a
/// factor) has the log density of the hand-written model, centred and with the non-centred
/// switch on its `theta` node, and draws what the hand-written model draws with one seed.
#[test]
fn graphical_eight_schools_is_the_hand_written_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let points = ["0.3,-1.0,0.5,0.2,0.1,0.2,0.3,-0.4,0.5,0.7", "-0.8,1.2,-0.5,0.9,-1.1,0.4,0.0,1.3,-0.2,-0.6"];
    let pairs = [
        ("tests/cases/blocks/eight_schools_graphical.sirs.json", "examples/posteriordb/eight_schools_centered.sirs.json"),
        ("tests/cases/blocks/eight_schools_graphical_noncentered.sirs.json", "examples/posteriordb/eight_schools_noncentered.sirs.json"),
    ];
    for (graphical, by_hand) in pairs {
        for point in points {
            let a = log_density_at(dir.path(), graphical, EIGHT_SCHOOLS, point);
            let b = log_density_at(dir.path(), by_hand, EIGHT_SCHOOLS, point);
            println!("{graphical} at {point}: {a} (by hand {b})");
            assert!(a.is_finite());
            assert_eq!(a.to_bits(), b.to_bits(), "{graphical} vs {by_hand} at {point}");
        }
    }
    let graphical = sample(dir.path(), "tests/cases/blocks/eight_schools_graphical_noncentered.sirs.json", EIGHT_SCHOOLS, "9");
    let by_hand = sample(dir.path(), "examples/posteriordb/eight_schools_noncentered.sirs.json", EIGHT_SCHOOLS, "9");
    for name in ["mu", "tau", "theta.1", "theta.8"] {
        let (ma, mb) = (number(column(&graphical, name), "mean"), number(column(&by_hand, name), "mean"));
        println!("{name}: graphical {ma:.4}, by hand {mb:.4}");
        assert_eq!(ma.to_bits(), mb.to_bits(), "{name}: one seed should give the same draws");
    }
    // The deterministic node is a column: the mean over schools of each draw's theta.
    let theta_mean = number(column(&graphical, "theta_mean"), "mean");
    let average: f64 = (1..=8).map(|j| number(column(&graphical, &format!("theta.{j}")), "mean")).sum::<f64>() / 8.0;
    assert!((theta_mean - average).abs() < 1e-9 * average.abs().max(1.0), "theta_mean {theta_mean} vs {average}");
}

#[test]
fn the_documented_graphical_model_is_the_tested_statement() {
    let examples = doc_examples();
    let model = examples.iter().find(|e| e["model"].is_object()).expect("a documented graphical model");
    assert!(statements("tests/cases/blocks/eight_schools_graphical_noncentered.sirs.json").contains(model), "the docs' model is not in the tested file");
}

/// The nodes written children first: the compiler puts each after its parents (here `tau`,
/// `mu`, `theta`, the observation, then the deterministic mean), so the posterior is the
/// hand-written one within MCSE (the coordinates come in another order, so not the same draws).
#[test]
fn graphical_nodes_in_any_order_give_the_same_posterior() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = root().join("tests/cases/blocks/eight_schools_graphical_reversed.sirs.json").to_string_lossy().into_owned();
    let out = support::sev(&strings(&["build", &model, "--emit", "cir", "-O0"]), "1", None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sites: Vec<&str> = out.stdout.lines().filter(|l| l.contains(" = sample ")).collect();
    assert_eq!(sites.len(), 3, "{}", out.stdout);
    assert!(sites[0].contains("sample cauchy") && sites[1].contains("sample normal") && sites[2].contains(" size "), "{sites:?}");
    let reversed = sample(dir.path(), "tests/cases/blocks/eight_schools_graphical_reversed.sirs.json", EIGHT_SCHOOLS, "10");
    let by_hand = sample(dir.path(), "examples/posteriordb/eight_schools_noncentered.sirs.json", EIGHT_SCHOOLS, "10");
    for name in ["mu", "tau", "theta.1", "theta.8", "theta_mean"] {
        let Some(b) = by_hand["columns"].as_array().and_then(|cs| cs.iter().find(|c| c["name"] == name)) else { continue };
        let a = column(&reversed, name);
        let (ma, mb, sa, sb) = (number(a, "mean"), number(b, "mean"), number(a, "mcse_mean"), number(b, "mcse_mean"));
        println!("{name}: reversed {ma:.4} (MCSE {sa:.4}), by hand {mb:.4} (MCSE {sb:.4})");
        assert!((ma - mb).abs() <= 4.0 * (sa * sa + sb * sb).sqrt(), "{name}: {ma} vs {mb}");
    }
}
