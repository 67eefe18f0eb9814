//! What `sev build` makes and how, shared by the command line (`cli`) and the command
//! (`commands::build`).

/// What `sev build` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Artifact {
    Executable,
    /// A shared library with the detector C ABI (`--lib`, docs/service.md).
    DetectorLibrary,
}

/// The switches of `sev build` beyond the file, output and passes.
#[derive(Clone, Copy, Debug)]
pub struct BuildFlags {
    /// `--release`: ReleaseFast for the whole program.
    pub release: bool,
    pub artifact: Artifact,
    /// `--verbose`: say on stderr how a model's gradient is computed.
    pub verbose: bool,
}
