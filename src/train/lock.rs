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
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists() && pid != 0
    } else {
        true
    }
}
