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
/// next ends the process); afterwards each is handled as before. A signal the process was
/// started ignoring (`nohup`, a script's background job) stays ignored.
pub fn catching<T>(during: impl FnOnce() -> T) -> T {
    let before = [libc::SIGINT, libc::SIGTERM].map(|signal| (signal, current(signal)));
    for (signal, old) in &before {
        if old.sa_sigaction != libc::SIG_IGN {
            // SAFETY: a zeroed sigaction is valid (empty mask); the handler only stores an
            // integer and calls write(2) or _exit(2), all async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
                libc::sigaction(*signal, &action, std::ptr::null_mut());
            }
        }
    }
    let result = during();
    for (signal, old) in &before {
        // SAFETY: `old` is the action sigaction gave for this signal.
        unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
    }
    result
}

/// The action `signal` has now.
fn current(signal: libc::c_int) -> libc::sigaction {
    // SAFETY: a null new action only reads the current one into `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old);
        old
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    // a second signal, of either kind, ends the process at once
    if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
        // SAFETY: _exit(2) is async-signal-safe.
        unsafe { libc::_exit(128 + signal) };
    }
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
