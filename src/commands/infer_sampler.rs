//! The sampler that the interpreter's `infer` runs (`crate::interp::infer::Sampler`): the model
//! program is emitted as Zig and built as a model binary through the toolchain (so its first
//! build costs one Zig build and later ones come from the artifact cache), then run quietly in
//! a temporary directory holding the data file `infer`; its CSV files and summary are read back.

use crate::interp::infer::{Job, Run, Sampler};
use crate::toolchain::{self, BuildRequest, Mode, Zig};
use std::path::Path;

/// Makes this the sampler of the interpreter's `infer` (for `run --interp`, `test --interp`,
/// `repl` and `debug`).
pub fn install() {
    crate::interp::infer::install(Box::new(ModelBinary));
}

struct ModelBinary;

impl Sampler for ModelBinary {
    fn sample(&self, job: &Job) -> Result<Run, String> {
        let dir = tempfile::Builder::new()
            .prefix("sev-infer-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let exe = dir.path().join("model");
        build(job, &exe)?;
        std::fs::write(dir.path().join("infer"), job.data_json)
            .map_err(|e| format!("cannot write the data file: {e}"))?;
        let ran = std::process::Command::new(&exe)
            .args(&job.args)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the sampler: {e}"))?;
        let name = job
            .model
            .model
            .as_ref()
            .map_or("model", |m| m.name.as_str());
        Ok(Run {
            status: ran.status.code(),
            stderr: String::from_utf8_lossy(&ran.stderr).into_owned(),
            csv: chain_files(&dir.path().join("out"), name),
            summary: std::fs::read_to_string(dir.path().join("summary.json")).ok(),
        })
    }
}

/// Builds the model binary of `job` into `exe` (without a progress spinner: the run's output is
/// the program's alone).
fn build(job: &Job, exe: &Path) -> Result<(), String> {
    let zig = Zig::find().map_err(|e| e.to_string())?;
    let source = crate::zig::emit(job.model);
    let mut libraries: Vec<String> = job
        .model
        .externs
        .iter()
        .map(|e| e.library.clone())
        .collect();
    libraries.sort();
    libraries.dedup();
    let request = BuildRequest {
        source: &source,
        mode: Mode::Debug,
        libraries: &libraries,
        model: true,
    };
    toolchain::build(&zig, &request, &toolchain::cache_dir(), exe, false)
        .map(|_| ())
        .map_err(|e| format!("cannot build the model's sampler: {e}"))
}

/// The texts of `<dir>/<name>_chain_<k>.csv`, k = 1, 2, … as far as they exist.
fn chain_files(dir: &Path, name: &str) -> Vec<String> {
    (1..)
        .map_while(|k| std::fs::read_to_string(dir.join(format!("{name}_chain_{k}.csv"))).ok())
        .collect()
}
