//! The `plaindnn` command: parse, run, print; every failure is a message and a non-zero exit.

use std::process::ExitCode;

// Tensors of a few hundred KiB are allocated and freed every step; glibc's malloc hands them back
// to the OS each time and the next step page-faults them in again. mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
