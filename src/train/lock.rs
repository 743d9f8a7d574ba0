//! One training run per directory: `DIR/.lock` holds the owner's process id while it trains.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held while a run trains into a directory; removed when dropped.
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Takes the directory, or refuses while another live process holds it. A lock left by a
    /// process that died (killed mid-run) is taken over.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(".lock");
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    write!(file, "{}", std::process::id()).map_err(|e| Error::io(&path, e))?;
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match owner {
                        Some(pid) if is_alive(pid) => {
                            return Err(Error::run(
                                dir,
                                format!(
                                    "another plaindnn (pid {pid}) is training into it; wait for it or choose another --out"
                                ),
                            ))
                        }
                        _ => {
                            let _ = fs::remove_file(&path); // stale: its owner is gone
                        }
                    }
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Err(Error::run(
            dir,
            "could not take .lock; delete it if no plaindnn is training into this directory",
        ))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether process `pid` still runs (Linux: /proc; elsewhere assume so and let the user decide).
fn is_alive(pid: u32) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    // a killed process its parent has not reaped yet is a zombie (state Z): it trains no more
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => pid != 0 && !zombie(&stat),
        // unreadable but there (/proc mounted with hidepid): taken as running
        Err(_) => Path::new(&format!("/proc/{pid}")).exists(),
    }
}

/// Whether a `/proc/PID/stat` line is a zombie's: the state follows the name's closing `)`.
fn zombie(stat: &str) -> bool {
    let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
    state.is_some_and(|s| s.starts_with('Z'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zombie_holds_no_lock_and_a_running_process_does() {
        // proc(5)'s format; a name may hold spaces and parentheses
        assert!(zombie("4242 (plaindnn) Z 1 4242 4242 0 -1"));
        assert!(!zombie("4242 (plaindnn) S 1 4242 4242 0 -1"));
        assert!(!zombie("4242 (odd) Z name) R 1 4242"));
        assert!(is_alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().expect("runs");
        let pid = child.id();
        // exited, not yet waited for: a zombie (within 10 s, however loaded the machine)
        let start = std::time::Instant::now();
        while is_alive(pid) && start.elapsed().as_secs() < 10 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!is_alive(pid), "a zombie is not alive");
        let _ = child.wait();
    }
}
