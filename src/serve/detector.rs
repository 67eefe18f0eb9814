//! The host side of the detector C ABI: a shared library built by `sev build --lib` is opened
//! with `libloading`, its ABI version checked and its seven symbols resolved once; each series
//! then owns a [`DetectorState`], an opaque pointer into the library that is updated point by
//! point and saved to and loaded from bytes (docs/service.md gives the contract).
//!
//! Safety rests on the ABI's promises: a state is used by one thread at a time (a
//! `DetectorState` is `Send` but not `Sync`, and every method that changes it takes `&mut`),
//! different states may be used concurrently, and every state keeps its library loaded (it
//! holds an `Arc` of it), so no function pointer outlives the code it points to.

use std::ffi::{CStr, c_char, c_void};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

/// The ABI version this host speaks (`sev_abi_version`).
pub const ABI_VERSION: u32 = 1;

/// What a detector says after a point (`struct sev_result`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Output {
    pub probability: f64,
    pub lower: f64,
    pub upper: f64,
    pub expected: f64,
    pub confidence: f64,
}

#[repr(C)]
#[derive(Default)]
struct RawOutput {
    probability: f64,
    lower: f64,
    upper: f64,
    expected: f64,
    confidence: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    #[error("cannot load the detector library {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("{path} is not a detector library: it lacks `{symbol}` (build it with `sev build --lib`)")]
    MissingSymbol { path: PathBuf, symbol: &'static str },
    #[error("{path} speaks detector ABI version {found}, this sev hosts version {ABI_VERSION}; rebuild it with this sev")]
    AbiVersion { path: PathBuf, found: u32 },
    #[error("the detector could not create a state: {0}")]
    New(String),
    #[error("the detector failed on the point: {0}")]
    Update(String),
    #[error("the detector could not save its state: {0}")]
    Save(String),
    #[error("the bytes are not a valid state of this detector: {0}")]
    Load(String),
}

type VersionFn = unsafe extern "C" fn() -> u32;
type NewFn = unsafe extern "C" fn() -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type UpdateFn = unsafe extern "C" fn(*mut c_void, i64, f64, *mut RawOutput) -> i32;
type SaveFn = unsafe extern "C" fn(*mut c_void, *mut u8, u64) -> i64;
type LoadFn = unsafe extern "C" fn(*const u8, u64) -> *mut c_void;
type LastErrorFn = unsafe extern "C" fn() -> *const c_char;

/// The resolved entry points; valid while `_library` is loaded.
struct Api {
    new: NewFn,
    free: FreeFn,
    update: UpdateFn,
    save: SaveFn,
    load: LoadFn,
    last_error: LastErrorFn,
    _library: libloading::Library,
}

impl Api {
    /// This thread's last error message of the library.
    fn last_error(&self) -> String {
        // SAFETY: the ABI returns a NUL-terminated thread-local string (never null in sev's runtime).
        let ptr = unsafe { (self.last_error)() };
        if ptr.is_null() {
            return "no message".to_string();
        }
        // SAFETY: checked non-null; the string lives until this thread's next call into the library.
        unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
    }
}

/// A loaded detector library; cheap to clone and shareable between threads.
#[derive(Clone)]
pub struct DetectorLib {
    api: Arc<Api>,
    path: PathBuf,
}

impl std::fmt::Debug for DetectorLib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetectorLib").field("path", &self.path).finish()
    }
}

fn symbol<T: Copy>(library: &libloading::Library, path: &Path, name: &'static str) -> Result<T, DetectorError> {
    // SAFETY: the caller names the C type the ABI gives this symbol.
    let found: Result<libloading::Symbol<'_, T>, _> = unsafe { library.get(name.as_bytes()) };
    found.map(|s| *s).map_err(|_| DetectorError::MissingSymbol { path: path.to_path_buf(), symbol: name })
}

impl DetectorLib {
    /// Opens the library at `path` and checks that it speaks [`ABI_VERSION`].
    pub fn open(path: &Path) -> Result<DetectorLib, DetectorError> {
        // SAFETY: loading runs the library's initialisers; a library built by sev has none
        // besides the C runtime's.
        // An absolute path, or `dlopen` would search the library path for a bare file name.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let library = unsafe { libloading::Library::new(&absolute) }.map_err(|e| DetectorError::Open { path: path.to_path_buf(), message: e.to_string() })?;
        let version: VersionFn = symbol(&library, path, "sev_abi_version")?;
        // SAFETY: `sev_abi_version` takes nothing and returns a u32.
        let found = unsafe { version() };
        if found != ABI_VERSION {
            return Err(DetectorError::AbiVersion { path: path.to_path_buf(), found });
        }
        let api = Api {
            new: symbol(&library, path, "sev_detector_new")?,
            free: symbol(&library, path, "sev_detector_free")?,
            update: symbol(&library, path, "sev_detector_update")?,
            save: symbol(&library, path, "sev_detector_save")?,
            load: symbol(&library, path, "sev_detector_load")?,
            last_error: symbol(&library, path, "sev_last_error")?,
            _library: library,
        };
        Ok(DetectorLib { api: Arc::new(api), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh state: the detector has seen nothing.
    pub fn new_state(&self) -> Result<DetectorState, DetectorError> {
        // SAFETY: `sev_detector_new` takes nothing; null means failure.
        let ptr = unsafe { (self.api.new)() };
        let ptr = NonNull::new(ptr).ok_or_else(|| DetectorError::New(self.api.last_error()))?;
        Ok(DetectorState { ptr, api: Arc::clone(&self.api) })
    }

    /// A state from bytes written by [`DetectorState::save`] of the same detector.
    pub fn load_state(&self, bytes: &[u8]) -> Result<DetectorState, DetectorError> {
        // SAFETY: the library reads exactly `len` bytes from `bytes` and keeps no reference.
        let ptr = unsafe { (self.api.load)(bytes.as_ptr(), bytes.len() as u64) };
        let ptr = NonNull::new(ptr).ok_or_else(|| DetectorError::Load(self.api.last_error()))?;
        Ok(DetectorState { ptr, api: Arc::clone(&self.api) })
    }
}

/// One series' detector state, owned by the library that made it.
pub struct DetectorState {
    ptr: NonNull<c_void>,
    api: Arc<Api>,
}

// SAFETY: the ABI allows a state to move between threads as long as one thread at a time uses
// it, which `&mut self` on every call that touches it (and the absence of `Sync`) guarantees.
unsafe impl Send for DetectorState {}

impl DetectorState {
    /// Feeds one point; the detector's output after it.
    pub fn update(&mut self, timestamp_ms: i64, value: f64) -> Result<Output, DetectorError> {
        let mut raw = RawOutput::default();
        // SAFETY: `ptr` is a live state used by this thread only; `raw` is a valid out-pointer.
        let status = unsafe { (self.api.update)(self.ptr.as_ptr(), timestamp_ms, value, &mut raw) };
        if status != 0 {
            return Err(DetectorError::Update(self.api.last_error()));
        }
        Ok(Output { probability: raw.probability, lower: raw.lower, upper: raw.upper, expected: raw.expected, confidence: raw.confidence })
    }

    /// The state as bytes, to restore later with [`DetectorLib::load_state`].
    pub fn save(&self) -> Result<Vec<u8>, DetectorError> {
        // SAFETY: with a null buffer and capacity 0 the library only counts.
        let needed = unsafe { (self.api.save)(self.ptr.as_ptr(), std::ptr::null_mut(), 0) };
        let len = usize::try_from(needed).map_err(|_| DetectorError::Save(self.api.last_error()))?;
        let mut bytes = vec![0u8; len];
        // SAFETY: `bytes` has room for `len` bytes, which the library writes.
        let written = unsafe { (self.api.save)(self.ptr.as_ptr(), bytes.as_mut_ptr(), len as u64) };
        if written != needed {
            return Err(DetectorError::Save(format!("the state changed size while saving ({needed} then {written} bytes)")));
        }
        Ok(bytes)
    }
}

impl Drop for DetectorState {
    fn drop(&mut self) {
        // SAFETY: the state is live and dropped once; its library is still loaded (`api`).
        unsafe { (self.api.free)(self.ptr.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_library_is_refused_with_its_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("libnot.so");
        std::fs::write(&path, b"not an ELF file").expect("write");
        let err = DetectorLib::open(&path).expect_err("not a library");
        assert!(matches!(err, DetectorError::Open { .. }), "{err}");
        assert!(err.to_string().contains("libnot.so"), "{err}");
    }
}
