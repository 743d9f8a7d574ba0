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
    let (cli, matches) = plaindnn_cli::parse();
    match plaindnn_cli::run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[path = "cli/mod.rs"]
mod plaindnn_cli;
