//! Interrupts during `sev run`. While `sev run` builds and runs a program, SIGINT, SIGTERM and
//! SIGHUP do not kill `sev` at once (which would orphan a sampler that goes on writing, and
//! leave temporary directories behind): a watcher thread records the signal and forwards it to
//! the running child. The caller then sees the child end, removes its temporary files and exits
//! with the conventional status 128 + signal number. A signal that arrives during the build
//! stops the run before the program starts.
//!
//! Uses `signal-hook` (the signal handler only writes to a pipe; the watcher thread does the
//! rest) and `libc::kill` to forward the signal.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// Why a child could not be run to its end.
pub enum RunError {
    /// A signal arrived before the child was started; it was not started.
    Interrupted(i32),
    /// The child could not be started or waited for.
    Io(std::io::Error),
}

/// Watches for SIGINT, SIGTERM and SIGHUP from creation until drop.
pub struct Interrupts {
    handle: Handle,
    watcher: Option<std::thread::JoinHandle<()>>,
    /// The last signal received (0: none).
    received: Arc<AtomicI32>,
    /// The process id of the running child (0: none).
    child: Arc<AtomicI32>,
}

impl Interrupts {
    pub fn watch() -> std::io::Result<Interrupts> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        let handle = signals.handle();
        let received = Arc::new(AtomicI32::new(0));
        let child = Arc::new(AtomicI32::new(0));
        let (r, c) = (Arc::clone(&received), Arc::clone(&child));
        let watcher = std::thread::spawn(move || {
            for signal in signals.forever() {
                r.store(signal, Ordering::SeqCst);
                forward(c.load(Ordering::SeqCst), signal);
            }
        });
        Ok(Interrupts { handle, watcher: Some(watcher), received, child })
    }

    /// The signal received so far, if any.
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// Runs `cmd` to its end; a signal received meanwhile is forwarded to it.
    pub fn run(&self, cmd: &mut Command) -> Result<ExitStatus, RunError> {
        if let Some(signal) = self.received() {
            return Err(RunError::Interrupted(signal));
        }
        let mut child: Child = cmd.spawn().map_err(RunError::Io)?;
        let pid = i32::try_from(child.id()).unwrap_or(0);
        self.child.store(pid, Ordering::SeqCst);
        // a signal that came between the check above and the store was not forwarded
        if let Some(signal) = self.received() {
            forward(pid, signal);
        }
        let status = child.wait();
        self.child.store(0, Ordering::SeqCst);
        status.map_err(RunError::Io)
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(w) = self.watcher.take() {
            let _ = w.join();
        }
    }
}

fn forward(pid: i32, signal: i32) {
    if pid > 0 {
        // SAFETY: kill(2) has no memory-safety preconditions; a stale pid only makes it fail.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// The exit status of a process ended by `signal`, as shells report it.
pub fn signal_status(signal: i32) -> u8 {
    u8::try_from((128 + signal) & 0xff).unwrap_or(1)
}
