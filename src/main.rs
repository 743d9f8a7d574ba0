//! The `plaindnn` command: parse, run, print; every failure is a message and a non-zero exit.

use std::process::ExitCode;

// Tensors of a few hundred KiB are allocated and freed every step; glibc's malloc hands them back
// to the OS each time and the next step page-faults them in again. mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3): how long freed pages wait before they go back to the
/// OS; -1 never. The default (1 s) still purged often enough to cost ~24 000 page faults in one
/// `plaindnn bench w2` (596 with -1) and 8–20 % of W2's training speed.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // SAFETY: sets one integer option; mimalloc reads it on each purge decision.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // Rust ignores SIGPIPE, so println! to a closed pipe panics; the default ends the process.
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(all(unix, feature = "wgpu"))]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        // before any thread exists: set_var races another thread's getenv
        std::env::set_var("XDG_RUNTIME_DIR", plaindnn::backend::NO_SESSION_RUNTIME_DIR);
    }
    let (cli, matches) = plaindnn_cli::parse();
    quiet_output_failures();
    // nothing is used after a panic but its message
    let run = std::panic::AssertUnwindSafe(|| plaindnn_cli::run(cli, &matches));
    let result = std::panic::catch_unwind(run);
    let signalled = |failed| plaindnn_cli::interrupt::exit_status(failed).map(ExitCode::from);
    match result {
        Ok(Ok(())) => signalled(false).unwrap_or(ExitCode::SUCCESS),
        Ok(Err(e)) => {
            let failed = say(&format!("error: {e}"));
            signalled(true).unwrap_or(failed)
        }
        Err(payload) => match output_failure(payload.as_ref()) {
            Some(("stdout", why)) => say(&format!("error: standard output: {why}")),
            Some(_) => ExitCode::FAILURE, // standard error itself failed: nothing can be said
            None => std::panic::resume_unwind(payload),
        },
    }
}

/// `message` on standard error, where it can be written, and exit status 1.
fn say(message: &str) -> ExitCode {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::FAILURE
}

/// `println!` and `eprintln!` panic when their stream cannot be written (a full disk): that is
/// an error message and exit status 1 (above), not a panic report; every other panic reports as
/// before.
fn quiet_output_failures() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if output_failure(info.payload()).is_none() {
            report(info)
        }
    }));
}

/// The stream (`stdout`, `stderr`) and the reason in `println!`'s or `eprintln!`'s panic
/// message, if that is what `payload` is.
fn output_failure(payload: &(dyn std::any::Any + Send)) -> Option<(&str, &str)> {
    let message = (payload.downcast_ref::<String>().map(String::as_str))
        .or_else(|| payload.downcast_ref::<&str>().copied())?;
    message
        .strip_prefix("failed printing to ")?
        .split_once(": ")
}

#[path = "cli/mod.rs"]
mod plaindnn_cli;
