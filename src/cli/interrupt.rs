//! Ctrl-C (SIGINT) or SIGTERM while `train` trains: the run stops after its current step and
//! stands at its last whole epoch, and the command says where and how `--resume` goes on, as
//! Lightning's graceful shutdown does; a second signal ends the process at once. The exit status
//! is then 128 + the signal's number (130 for Ctrl-C), as a shell reports a process it ended.

use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

use plaindnn::train::{checkpoint, EpochReport, TrainObserver, TrainedRun};

/// The signal that asked the run to stop; 0 while none did.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The exit status a stop by a signal asks for; 0 while none.
static STATUS: AtomicU8 = AtomicU8::new(0);

/// Stops training after the step in which a signal came.
pub struct StopOnSignal;

impl TrainObserver for StopOnSignal {
    fn on_epoch(&mut self, _: &EpochReport) -> plaindnn::Result<()> {
        Ok(())
    }

    fn should_stop(&self) -> bool {
        received().is_some()
    }
}

/// While `during` runs, Ctrl-C and SIGTERM stop training gracefully (the first of them; the
/// next ends the process); afterwards they end it again.
pub fn catching<T>(during: impl FnOnce() -> T) -> T {
    set(
        on_signal as *const () as libc::sighandler_t,
        libc::SA_RESETHAND,
    );
    let result = during();
    set(libc::SIG_DFL, 0);
    result
}

/// `handler` for SIGINT and SIGTERM, with `flags`.
fn set(handler: libc::sighandler_t, flags: libc::c_int) {
    // SAFETY: a zeroed sigaction is valid (empty mask); the handler only stores an integer and
    // calls write(2), both async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = flags | libc::SA_RESTART;
        for signal in [libc::SIGINT, libc::SIGTERM] {
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
    let text = b"\ninterrupted: training stops after this step (again to end at once)\n";
    // SAFETY: write(2) is async-signal-safe; the buffer outlives the call.
    unsafe { libc::write(2, text.as_ptr().cast(), text.len()) };
}

/// The signal that stopped training, if one did.
pub fn received() -> Option<i32> {
    Some(RECEIVED.load(Ordering::SeqCst)).filter(|&s| s != 0)
}

/// 128 + the signal's number where a signal stopped training (130 for Ctrl-C): a run it cut
/// short ([`stopped`]), or one it stopped with an error (before its first whole epoch).
pub fn exit_status(failed: bool) -> Option<u8> {
    let stopped = STATUS.load(Ordering::SeqCst);
    match (stopped, received()) {
        (0, Some(signal)) if failed => Some(128 + signal as u8),
        (0, _) => None,
        (status, _) => Some(status),
    }
}

/// `SIGINT (Ctrl-C)`, `SIGTERM`.
fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "Ctrl-C (SIGINT)",
        libc::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// Where a run a signal stopped stands, and the command that goes on with it; none where it
/// ran to its end before the signal was heard.
pub fn stopped(trained: &TrainedRun) -> Option<String> {
    let signal = received().filter(|_| trained.outcome.stopped)?;
    let last = trained.outcome.rows.last().map_or(0, |r| r.epoch);
    let dir = plaindnn::shell::quote_path(trained.run.root());
    let from = match checkpoint::latest_complete(&trained.run.checkpoint_dir()) {
        Some(e) if e == last => format!("goes on after epoch {e}"),
        Some(e) => format!("goes on after epoch {e}, its newest checkpoint"),
        None => "starts it over: no checkpoint was written yet".to_string(),
    };
    STATUS.store(128 + signal as u8, Ordering::SeqCst);
    let epochs = trained.config.train.epochs;
    Some(format!(
        "stopped by {} after epoch {last} of {epochs}: model.bpk holds the weights of epoch {}; \
         `plaindnn train --resume {dir}` {from}",
        name(signal),
        trained
            .outcome
            .saved(trained.config.train.restores_best())
            .map_or(last, |r| r.epoch),
    ))
}
