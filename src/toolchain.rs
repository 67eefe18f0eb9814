//! Finding Zig 0.14.1 and building generated programs with it, through an artifact cache.
//!
//! Zig is looked up in order: `SEV_ZIG`, `zig` on `PATH`, then `python3 -m ziglang` (the PyPI
//! package), and must report version 0.14.1. Every build runs in a private temporary directory
//! (Zig leaves object files next to its output) with one shared Zig cache, so the runtime's
//! standard-library parts are compiled once per machine. Finished binaries are kept in an
//! artifact cache keyed by a hash of the generated code, the runtime, the Zig version and the
//! flags: an unchanged rebuild is a file copy.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const REQUIRED_VERSION: &str = "0.14.1";

#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    #[error("zig {REQUIRED_VERSION} was not found (tried: {tried}); install it with `pip install ziglang=={REQUIRED_VERSION}` or set SEV_ZIG to its path")]
    NotFound { tried: String },
    #[error("{path} is zig {found}, but sev needs zig {REQUIRED_VERSION}; install it with `pip install ziglang=={REQUIRED_VERSION}` or set SEV_ZIG")]
    WrongVersion { path: String, found: String },
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// Zig rejected generated code: a bug in sev, reported with Zig's own message.
    #[error("internal compiler error: zig rejected the generated code\n{stderr}")]
    BuildFailed { stderr: String },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ToolchainError {
    let context = context.into();
    move |source| ToolchainError::Io { context, source }
}

/// A located Zig compiler of the right version.
#[derive(Clone, Debug)]
pub struct Zig {
    pub exe: PathBuf,
    pub version: String,
}

impl Zig {
    /// Finds Zig as described in the module documentation.
    pub fn find() -> Result<Zig, ToolchainError> {
        let mut tried = Vec::new();
        if let Some(path) = std::env::var_os("SEV_ZIG") {
            let path = PathBuf::from(path);
            tried.push(format!("SEV_ZIG={}", path.display()));
            return Zig::at(&path).ok_or_else(|| ToolchainError::NotFound { tried: tried.join(", ") })?;
        }
        tried.push("zig on PATH".into());
        let on_path = Zig::at(Path::new("zig"));
        if let Some(Ok(zig)) = on_path {
            return Ok(zig);
        }
        tried.push("python3 -m ziglang".into());
        if let Some(Some(result)) = python_ziglang().map(|exe| Zig::at(&exe)) {
            return result;
        }
        if let Some(Err(wrong)) = on_path {
            return Err(wrong);
        }
        Err(ToolchainError::NotFound { tried: tried.join(", ") })
    }

    /// `None` if nothing runs at `path`; `Some(Err)` if it is the wrong version.
    fn at(path: &Path) -> Option<Result<Zig, ToolchainError>> {
        let output = Command::new(path).arg("version").output().ok()?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if version != REQUIRED_VERSION {
            return Some(Err(ToolchainError::WrongVersion { path: path.display().to_string(), found: version }));
        }
        Some(Ok(Zig { exe: path.to_path_buf(), version }))
    }

    pub fn command(&self) -> Command {
        Command::new(&self.exe)
    }
}

fn python_ziglang() -> Option<PathBuf> {
    let output = Command::new("python3").args(["-m", "ziglang", "env"]).output().ok()?;
    let env: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    env.get("zig_exe")?.as_str().map(PathBuf::from)
}

/// Where sev keeps its caches: `SEV_CACHE_DIR`, else `$XDG_CACHE_HOME/sev`, else `~/.cache/sev`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SEV_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("sev");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("sev"),
        None => std::env::temp_dir().join("sev-cache"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The default and the tests' mode: a program is built in Debug with safety checks and the
    /// leak check, stripped (fast to build); a model's object is built optimised all the same
    /// (see [`model_object_flags`]), so sampling is fast without a flag.
    Debug,
    /// ReleaseFast (runtime faults are still checked by the generated code).
    Release,
}

impl Mode {
    fn flags(self) -> &'static [&'static str] {
        match self {
            Mode::Debug => &["-O", "Debug", "-fstrip"],
            Mode::Release => &["-O", "ReleaseFast", "-fstrip"],
        }
    }
}

/// The optimisation flags of a model's gradient object (its log density and gradient, on the
/// tape and compiled, and the draws' outputs), whatever the mode: sampling spends its time there, and the generated
/// code checks the faults that name SIRS locations itself (`rt.add`, `List.get`, the
/// distributions' argument checks), so ReleaseFast drops only Zig's own safety checks, which
/// sev's code never relies on. The leak check does not apply to model objects
/// (`runtime/core.zig`).
pub fn model_object_flags(_mode: Mode) -> &'static [&'static str] {
    Mode::Release.flags()
}

/// The flags of the rest of a model (data reading, discovery, forward mode
/// for `diagnose`, the report): Debug, which LLVM builds about four times faster, built at the
/// same time as the gradient object (`runtime/ppl/modelrt.zig`, `Part`).
pub fn model_rest_flags(_mode: Mode) -> &'static [&'static str] {
    Mode::Debug.flags()
}

/// The root file of one part of a model object: it names the part for `modelrt.exportModel` and
/// forwards what the runtime reads from the root (`sev_model_object`, `sev_source_file`).
fn model_part_root(part: &str) -> String {
    format!(
        "//! The {part} part of the model in main.zig, one of the two objects a model is built as.\n\
         const model = @import(\"main.zig\");\n\
         pub const sev_model_object = true;\n\
         pub const sev_source_file = model.sev_source_file;\n\
         pub const sev_model_part = .{part};\n\
         comptime {{\n    _ = model;\n}}\n"
    )
}

/// What to build.
pub struct BuildRequest<'a> {
    /// The generated program (`main.zig`).
    pub source: &'a str,
    pub mode: Mode,
    /// System libraries to link (for extern functions), e.g. `m`.
    pub libraries: &'a [String],
    /// A model program: compiled to an object and linked with the prebuilt sampler.
    pub model: bool,
}

#[derive(Debug)]
pub struct Built {
    /// The binary was taken from the artifact cache.
    pub cached: bool,
}

/// Builds `request` into the executable `out`, using the artifact cache under `cache`.
pub fn build(zig: &Zig, request: &BuildRequest<'_>, cache: &Path, out: &Path, show_progress: bool) -> Result<Built, ToolchainError> {
    let key = artifact_key(zig, request);
    let artifact = cache.join("artifacts").join(&key).join("program");
    if artifact.is_file() {
        copy_executable(&artifact, out)?;
        return Ok(Built { cached: true });
    }
    let dir = tempfile::Builder::new().prefix("sev-build-").tempdir().map_err(io("cannot create a build directory"))?;
    std::fs::write(dir.path().join("main.zig"), request.source).map_err(io("cannot write main.zig"))?;
    crate::runtime::write_to(dir.path()).map_err(io("cannot write the runtime"))?;
    let spinner = progress(show_progress);
    let result = if request.model { build_model(zig, request, cache, dir.path(), spinner.as_ref()) } else { build_program(zig, request, cache, dir.path()) };
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    result?;
    let built = dir.path().join("program");
    store_artifact(&built, &artifact)?;
    copy_executable(&built, out)?;
    Ok(Built { cached: false })
}

/// Builds `request` as a shared library (`sev build --lib`: the generated root exports the
/// detector C ABI) into `out`, through the same artifact cache as [`build`].
pub fn build_library(zig: &Zig, request: &BuildRequest<'_>, cache: &Path, out: &Path) -> Result<Built, ToolchainError> {
    let args = library_args(request);
    let mut hasher = Sha256::new();
    hasher.update(artifact_key(zig, request).as_bytes());
    for arg in &args {
        hasher.update([0]);
        hasher.update(arg.as_bytes());
    }
    let key: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let artifact = cache.join("artifacts").join(&key).join("libprogram.so");
    if artifact.is_file() {
        copy_executable(&artifact, out)?;
        return Ok(Built { cached: true });
    }
    let dir = tempfile::Builder::new().prefix("sev-build-").tempdir().map_err(io("cannot create a build directory"))?;
    std::fs::write(dir.path().join("main.zig"), request.source).map_err(io("cannot write main.zig"))?;
    crate::runtime::write_to(dir.path()).map_err(io("cannot write the runtime"))?;
    run_zig(zig_command(zig, dir.path(), cache, &args), zig)?;
    let built = dir.path().join("libprogram.so");
    store_artifact(&built, &artifact)?;
    copy_executable(&built, out)?;
    Ok(Built { cached: false })
}

/// `exp`, `log` and friends must be Zig's, as in the executable, or the library's numbers
/// would differ in the last bit from the program's: the library is not linked with libc
/// (unless an extern function needs it) and binds its own symbols (`-Bsymbolic`), so the
/// host's libm cannot interpose.
fn library_args(request: &BuildRequest<'_>) -> Vec<String> {
    let mut args = strings(&["build-lib", "-dynamic", "-Bsymbolic", "main.zig", "--name", "program"]);
    args.extend(strings(request.mode.flags()));
    if !request.libraries.is_empty() {
        args.push("-lc".into());
        args.extend(request.libraries.iter().map(|l| format!("-l{l}")));
    }
    args
}

/// `zig ARGS…` in `dir`, with sev's shared Zig cache.
fn zig_command(zig: &Zig, dir: &Path, cache: &Path, args: &[String]) -> Command {
    let zig_cache = cache.join("zig");
    let mut cmd = zig.command();
    cmd.current_dir(dir).args(args).arg("--global-cache-dir").arg(&zig_cache).arg("--cache-dir").arg(&zig_cache);
    cmd
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Runs a Zig command; a failure is Zig rejecting sev's output (an internal error).
fn run_zig(mut cmd: Command, zig: &Zig) -> Result<(), ToolchainError> {
    let output = cmd.output().map_err(io(format!("cannot run {}", zig.exe.display())))?;
    if output.status.success() {
        return Ok(());
    }
    Err(ToolchainError::BuildFailed { stderr: String::from_utf8_lossy(&output.stderr).into_owned() })
}

fn build_program(zig: &Zig, request: &BuildRequest<'_>, cache: &Path, dir: &Path) -> Result<(), ToolchainError> {
    let mut args = strings(&["build-exe", "main.zig", "--name", "program"]);
    args.extend(strings(request.mode.flags()));
    if !request.libraries.is_empty() {
        args.push("-lc".into());
        args.extend(request.libraries.iter().map(|l| format!("-l{l}")));
    }
    run_zig(zig_command(zig, dir, cache, &args), zig)
}

/// A model program: the model is compiled to two objects at the same time (the gradient
/// optimised, the rest in Debug) and linked with the sampler object, which is built once per
/// runtime and Zig version and kept in the cache.
fn build_model(zig: &Zig, request: &BuildRequest<'_>, cache: &Path, dir: &Path, spinner: Option<&indicatif::ProgressBar>) -> Result<(), ToolchainError> {
    for part in ["gradient", "rest"] {
        std::fs::write(dir.join(format!("model_{part}.zig")), model_part_root(part)).map_err(io("cannot write a model root"))?;
    }
    let [gradient, rest, link] = model_commands(request.mode, &sampler_object_path(zig, cache));
    let objects = || both(|| run_zig(zig_command(zig, dir, cache, &gradient), zig), || run_zig(zig_command(zig, dir, cache, &rest), zig));
    if sampler_object_path(zig, cache).is_file() {
        if let Some(s) = spinner {
            s.set_message(MODEL_BUILD);
        }
        objects()?;
    } else {
        if let Some(s) = spinner {
            s.set_message(SAMPLER_FIRST_BUILD);
        }
        first_build(zig, cache, objects)?;
    }
    run_zig(zig_command(zig, dir, cache, &link), zig)
}

/// Runs `first` on a new thread and `second` on this one; the first error wins.
fn both(first: impl FnOnce() -> Result<(), ToolchainError> + Send, second: impl FnOnce() -> Result<(), ToolchainError>) -> Result<(), ToolchainError> {
    std::thread::scope(|scope| {
        let handle = scope.spawn(first);
        let second = second();
        let first = handle.join().unwrap_or_else(|_| Err(ToolchainError::BuildFailed { stderr: "a build thread panicked".into() }));
        first.and(second)
    })
}

/// The first model build with this sev and Zig: the sampler object, Zig's compiler runtime for
/// the link (a tiny program linked the way a model is, so that Zig builds and caches it) and
/// the model's two objects are independent Zig processes, run at the same time (on an
/// idle two-core machine this takes the time of the sampler alone, not of all four).
fn first_build(zig: &Zig, cache: &Path, model_objects: impl FnOnce() -> Result<(), ToolchainError> + Send) -> Result<(), ToolchainError> {
    std::thread::scope(|scope| {
        let sampler = scope.spawn(|| sampler_object(zig, cache).map(|_| ()));
        let link_runtime = scope.spawn(|| warm_link_runtime(zig, cache));
        let model = model_objects();
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(), ToolchainError>>| {
            h.join().unwrap_or_else(|_| Err(ToolchainError::BuildFailed { stderr: "a build thread panicked".into() }))
        };
        let (sampler, link_runtime) = (joined(sampler), joined(link_runtime));
        sampler.and(link_runtime).and(model)
    })
}

/// Links an empty program with the flags of a model's link, which makes Zig build its compiler
/// runtime into the shared Zig cache (the larger part of a first link).
fn warm_link_runtime(zig: &Zig, cache: &Path) -> Result<(), ToolchainError> {
    let dir = tempfile::Builder::new().prefix("sev-link-").tempdir().map_err(io("cannot create a build directory"))?;
    std::fs::write(dir.path().join("empty.zig"), "pub fn main() void {}\n").map_err(io("cannot write empty.zig"))?;
    let args = strings(&["build-exe", "empty.zig", "-O", "ReleaseFast", "--name", "empty"]);
    run_zig(zig_command(zig, dir.path(), cache, &args), zig)
}

/// The Zig command lines that build a model program in its build directory: the gradient
/// object (`model_gradient.zig` → `model_gradient.o`, ReleaseFast) and the rest
/// (`model_rest.zig` → `model_rest.o`, Debug), run at the same time, then the link with the
/// prebuilt `sampler` object.
pub fn model_commands(mode: Mode, sampler: &Path) -> [Vec<String>; 3] {
    let mut gradient = strings(&["build-obj", "model_gradient.zig", "--name", "model_gradient"]);
    gradient.extend(strings(model_object_flags(mode)));
    let mut rest = strings(&["build-obj", "model_rest.zig", "--name", "model_rest"]);
    rest.extend(strings(model_rest_flags(mode)));
    let mut link = strings(&["build-exe", "model_gradient.o", "model_rest.o"]);
    link.push(sampler.display().to_string());
    link.extend(strings(&["-O", "ReleaseFast", "--name", "program"]));
    [gradient, rest, link]
}

/// The sampler's object file (`runtime/ppl/sampler/exe_main.zig`, ReleaseFast), built on first
/// use and cached under a hash of the runtime and the Zig version.
pub fn sampler_object(zig: &Zig, cache: &Path) -> Result<PathBuf, ToolchainError> {
    let object = sampler_object_path(zig, cache);
    if object.is_file() {
        return Ok(object);
    }
    let dir = tempfile::Builder::new().prefix("sev-sampler-").tempdir().map_err(io("cannot create a build directory"))?;
    crate::runtime::write_to(dir.path()).map_err(io("cannot write the runtime"))?;
    let args = strings(&["build-obj", "rt/ppl/sampler/exe_main.zig", "--name", "sampler_main", "-O", "ReleaseFast", "-fstrip"]);
    run_zig(zig_command(zig, dir.path(), cache, &args), zig)?;
    store_artifact(&dir.path().join("sampler_main.o"), &object)?;
    Ok(object)
}

/// Where the sampler object of this runtime and Zig version is kept in the cache.
fn sampler_object_path(zig: &Zig, cache: &Path) -> PathBuf {
    let mut hasher = Sha256::new();
    hasher.update(b"sev-sampler-v1\0");
    hasher.update(zig.version.as_bytes());
    crate::runtime::hash_into(&mut hasher);
    let key: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    cache.join("sampler").join(&key).join("sampler_main.o")
}

/// The spinner's message while the sampler object is built (once per sev and Zig version; the
/// time is measured with an empty Zig cache, docs/cli.md).
const SAMPLER_FIRST_BUILD: &str = "building the sampler once for this sev and Zig (about 15 s on an idle machine; later models reuse it)…";
const MODEL_BUILD: &str = "building the model (optimised)…";

fn progress(show: bool) -> Option<indicatif::ProgressBar> {
    if !show || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("building with zig…");
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

/// The cache key: everything that can change the binary.
pub fn artifact_key(zig: &Zig, request: &BuildRequest<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"sev-artifact-v1\0");
    hasher.update(zig.version.as_bytes());
    hasher.update([0]);
    hasher.update(request.source.as_bytes());
    hasher.update([0]);
    let flags: Vec<&str> = if request.model { [model_object_flags(request.mode), &["rest"], model_rest_flags(request.mode)].concat() } else { request.mode.flags().to_vec() };
    for flag in flags {
        hasher.update(flag.as_bytes());
        hasher.update([0]);
    }
    if request.model {
        for part in ["gradient", "rest"] {
            hasher.update(model_part_root(part).as_bytes());
            hasher.update([0]);
        }
    }
    for lib in request.libraries {
        hasher.update(lib.as_bytes());
        hasher.update([0]);
    }
    hasher.update([u8::from(request.model)]);
    crate::runtime::hash_into(&mut hasher);
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies into the cache through a temporary name, so concurrent builds never see half a file.
fn store_artifact(built: &Path, artifact: &Path) -> Result<(), ToolchainError> {
    let Some(parent) = artifact.parent() else { return Ok(()) };
    std::fs::create_dir_all(parent).map_err(io(format!("cannot create {}", parent.display())))?;
    let temp = parent.join(format!("artifact.{}.tmp", std::process::id()));
    std::fs::copy(built, &temp).map_err(io("cannot store the build in the cache"))?;
    std::fs::rename(&temp, artifact).map_err(io("cannot store the build in the cache"))?;
    Ok(())
}

fn copy_executable(from: &Path, to: &Path) -> Result<(), ToolchainError> {
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(format!("cannot create {}", parent.display())))?;
    }
    let temp = to.with_extension(format!("sev-tmp-{}", std::process::id()));
    std::fs::copy(from, &temp).map_err(io(format!("cannot write {}", to.display())))?;
    std::fs::rename(&temp, to).map_err(io(format!("cannot write {}", to.display())))?;
    Ok(())
}
