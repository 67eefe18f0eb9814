//! The interpreter's math against `runtime/tests/math/cases.bin.gz`, the table the runtime's
//! own test checks `runtime/math.zig` against (2,000 arguments per function with the correctly
//! rounded result): equal there means equal to the compiled program there.

use super::*;

/// One section of the table: the function's name, its arity and its records (inputs, then
/// the correctly rounded result).
struct Section {
    name: String,
    arity: usize,
    records: Vec<Vec<f64>>,
    /// (record index, glibc's result) where glibc is not correctly rounded.
    glibc_diffs: Vec<(usize, f64)>,
}

fn read_u32(data: &[u8], pos: &mut usize) -> u32 {
    let v = u32::from_le_bytes(data[*pos..*pos + 4].try_into().expect("4 bytes"));
    *pos += 4;
    v
}

/// The table's format is described in `runtime/tests/math/gen_cases.py`.
fn parse(data: &[u8]) -> Vec<Section> {
    assert!(data.starts_with(b"SEVMATH1"), "not a math table");
    let mut pos = 8;
    let n = read_u32(data, &mut pos);
    let mut sections = Vec::new();
    for _ in 0..n {
        let len = data[pos] as usize;
        let name = String::from_utf8(data[pos + 1..pos + 1 + len].to_vec()).expect("an ASCII name");
        pos += 1 + len;
        let arity = data[pos] as usize;
        pos += 1;
        let count = read_u32(data, &mut pos) as usize;
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            let record = (0..=arity)
                .map(|j| {
                    f64::from_bits(u64::from_le_bytes(
                        data[pos + 8 * j..pos + 8 * j + 8]
                            .try_into()
                            .expect("8 bytes"),
                    ))
                })
                .collect();
            records.push(record);
            pos += 8 * (arity + 1);
        }
        let diff_count = read_u32(data, &mut pos) as usize;
        let mut glibc_diffs = Vec::with_capacity(diff_count);
        for _ in 0..diff_count {
            let index = read_u32(data, &mut pos) as usize;
            let lo = u64::from(read_u32(data, &mut pos));
            let hi = u64::from(read_u32(data, &mut pos));
            glibc_diffs.push((index, f64::from_bits(hi << 32 | lo)));
        }
        sections.push(Section {
            name,
            arity,
            records,
            glibc_diffs,
        });
    }
    assert_eq!(pos, data.len(), "trailing bytes in the table");
    sections
}

fn table() -> Vec<Section> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/runtime/tests/math/cases.bin.gz"
    );
    let out = std::process::Command::new("gzip")
        .args(["-dc", path])
        .output()
        .expect("gzip runs");
    assert!(out.status.success(), "gzip -dc {path} failed");
    parse(&out.stdout)
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

#[test]
fn every_function_equals_the_correctly_rounded_reference() {
    let sections = table();
    assert_eq!(sections.len(), 32);
    let mut checked = 0;
    let mut failures = Vec::new();
    for s in &sections {
        assert!(
            s.records.len() >= 2000,
            "{} has {} records",
            s.name,
            s.records.len()
        );
        for r in &s.records {
            let (x, y, z) = (
                r[0],
                if s.arity > 1 { r[1] } else { 0.0 },
                if s.arity > 2 { r[2] } else { 0.0 },
            );
            let got = call(&format!("math_{}", s.name), x, y, z)
                .unwrap_or_else(|| panic!("math_{} is not a built-in", s.name));
            if !same(got, r[s.arity]) && failures.len() < 20 {
                failures.push(format!(
                    "{}({x:e}, {y:e}, {z:e}) = {got:e}, want {:e}",
                    s.name, r[s.arity]
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 64_000);
    // Not vacuous: where glibc (the host's libm) misrounds, the table and we differ from it.
    let glibc_total: usize = sections.iter().map(|s| s.glibc_diffs.len()).sum();
    assert!(glibc_total > 100, "{glibc_total}");
    for s in &sections {
        for &(i, glibc) in &s.glibc_diffs {
            assert!(!same(glibc, s.records[i][s.arity]), "{} record {i}", s.name);
        }
    }
}

#[test]
fn special_cases_follow_the_runtime() {
    assert!(pow(-8.0, 1.0 / 3.0).is_nan());
    assert_eq!(pow(2.0, -1075.0), 0.0);
    assert_eq!(pow(2.0, -1074.0), f64::from_bits(1));
    assert_eq!(pow(-2.0, 3.0), -8.0);
    assert_eq!(pow(f64::NAN, 0.0), 1.0);
    assert_eq!(log10(1000.0), 3.0);
    assert_eq!(acos(1.0).to_bits(), 0);
    assert_eq!(atan2(0.0, -0.0), std::f64::consts::PI);
    assert_eq!(exp(709.0), 8.218407461554972e307);
    assert_eq!(sin(1e300), -0.8178819121159085);
}
