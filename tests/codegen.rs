//! CIR and Zig snapshots of small programs (`tests/cases/codegen/*.sirs.json`): each snapshot
//! shows the source, the CIR (which must pass the verifier) and the generated Zig, so a change
//! in lowering or emission is reviewed as a diff of readable text.

mod support;

#[test]
fn cir_and_zig_snapshots() {
    insta::glob!("cases/codegen/*.sirs.json", |path| {
        let source = std::fs::read_to_string(path).expect("readable case");
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let c = support::compile(&name, &source);
        assert!(!c.has_errors(), "{name}: {}", support::rendered(&c));
        let cir = c.cir.as_ref().expect("cir");
        if let Err(report) = sev::cir::verify::verify(cir) {
            panic!("{name}: verifier failed:\n{report}");
        }
        let text = format!(
            "----- SOURCE\n{source}\n----- CIR\n{}\n----- ZIG\n{}",
            sev::cir::print::program(cir),
            c.zig.as_deref().unwrap_or_default()
        );
        insta::assert_snapshot!(text);
    });
}

#[test]
fn snapshot_programs_build_and_run() {
    let dir = support::root().join("tests/cases/codegen");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
    cases.retain(|p| p.to_string_lossy().ends_with(".sirs.json"));
    let results = support::parallel(cases, |path| {
        let source = std::fs::read_to_string(&path).expect("readable");
        let out = support::build_and_run(&path.display().to_string(), &source, &[]);
        (path, out)
    });
    for (path, out) in results {
        let out = out.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(out.code, 0, "{}: {}", path.display(), out.stderr);
    }
}
