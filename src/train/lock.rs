//! One training run per directory: `DIR/.lock`, locked by the process that trains into it (an
//! advisory lock the system releases when the process ends, killed or not) and holding its
//! process id for the message a second run gets.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held while a run trains into a directory; removed when dropped.
pub struct RunLock {
    path: PathBuf,
    file: File,
}

impl RunLock {
    /// Takes the directory, or refuses while another live process holds it. A lock left by a
    /// process that died (killed mid-run) is no longer locked, and is taken over.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(".lock");
        let io = |e| Error::io(&path, e);
        for _ in 0..8 {
            let mut file = (OpenOptions::new().read(true).write(true).create(true))
                .truncate(false)
                .open(&path)
                .map_err(|e| unwritable(dir, e))?;
            match try_lock_briefly(&file) {
                // a file system without locks (some network ones): the id alone, as a note
                Ok(()) | Err(TryLockError::Error(_)) => {}
                Err(TryLockError::WouldBlock) => return Err(held(dir, &mut file)),
            }
            // its last owner may have removed the file between our open and our lock, and a
            // third process made a new one: ours must be the one the path names
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0).map_err(io)?;
            write!(file, "{}", std::process::id()).map_err(io)?;
            return Ok(Self { path, file });
        }
        Err(Error::run(
            dir,
            "could not take .lock; delete it if no plaindnn is training into this directory",
        ))
    }

    /// The directory this lock holds.
    pub fn dir(&self) -> Option<&Path> {
        self.path.parent()
    }
}

/// The refusal of a folder the lock file cannot be made in: said as the folder's, with the
/// way on (it was the bare `D/.lock: Read-only file system`).
fn unwritable(dir: &Path, e: std::io::Error) -> Error {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    match e.kind() {
        PermissionDenied | ReadOnlyFilesystem => Error::run(
            dir,
            format!(
                "cannot be written ({e}): a run writes its files there, and first its lock \
                 `.lock`; make the folder writable, or copy it to one that is and give that"
            ),
        ),
        _ => Error::io(&dir.join(".lock"), e),
    }
}

/// Whether a process trains into `dir` now (holds its lock); the lock is only looked at.
pub fn in_use(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(".lock")) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => file.unlock().is_err(),
        Err(e) => matches!(e, TryLockError::WouldBlock),
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // removed while still locked: a process waiting on this file finds it gone, and retries
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// How long [`try_lock_briefly`] waits between tries.
const PROBE_WAIT: std::time::Duration = std::time::Duration::from_millis(20);
/// How many tries [`try_lock_briefly`] makes.
const PROBE_TRIES: usize = 10;

/// `file.try_lock()`, tried again for a moment while it would block: [`in_use`] holds the lock
/// for microseconds to look, a run for as long as it trains.
fn try_lock_briefly(file: &File) -> std::result::Result<(), TryLockError> {
    for _ in 1..PROBE_TRIES {
        match file.try_lock() {
            Err(TryLockError::WouldBlock) => std::thread::sleep(PROBE_WAIT),
            done => return done,
        }
    }
    file.try_lock()
}

/// The refusal while another process holds `dir`'s lock, with its process id once written.
fn held(dir: &Path, file: &mut File) -> Error {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let who = match text.trim().parse::<u32>() {
        Ok(pid) => format!("another plaindnn (pid {pid})"),
        Err(_) => "another plaindnn".to_string(),
    };
    Error::InUse {
        path: dir.to_path_buf(),
        who,
    }
}

/// Whether `file` is the file `path` names now.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outside audit: a read-only folder's `--resume` said `D/.lock: Read-only file system
    /// (os error 30)` alone (as root, a test cannot make a folder it cannot write: the
    /// refusal is checked as the error comes).
    #[test]
    fn a_folder_the_lock_cannot_be_made_in_is_refused_as_the_folders_with_the_way_on() {
        let e = std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem);
        let said = unwritable(Path::new("runs/r"), e).to_string();
        assert!(
            said.starts_with("run directory runs/r: cannot be written ("),
            "{said}"
        );
        assert!(
            said.ends_with("make the folder writable, or copy it to one that is and give that"),
            "{said}"
        );
        let other = unwritable(Path::new("runs/r"), std::io::Error::other("odd")).to_string();
        assert!(other.contains("runs/r/.lock"), "{other}");
    }

    #[test]
    fn a_held_directory_is_refused_with_its_pid_and_a_left_lock_file_is_taken_over() {
        let dir = std::env::temp_dir().join(format!("plaindnn-lock-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("made");
        // a file a killed run left, holding a live process's id (1), locked by nobody
        fs::write(dir.join(".lock"), "1").expect("written");
        let first = RunLock::acquire(&dir).expect("taken over");
        let pid = std::process::id();
        let text = fs::read_to_string(dir.join(".lock")).expect("read");
        assert_eq!(text, pid.to_string());
        // a second lock, even in the same process, is refused while the first is held
        let second = RunLock::acquire(&dir).err().expect("refused").to_string();
        assert!(
            second.contains(&format!("another plaindnn (pid {pid}) is training")),
            "{second}"
        );
        drop(first);
        assert!(!dir.join(".lock").exists(), "released and removed");
        drop(RunLock::acquire(&dir).expect("free again"));
        fs::remove_dir(&dir).expect("empty");
    }

    /// `in_use` takes the lock for an instant to look: a run starting in that instant waits it
    /// out instead of being refused as if another run held the folder.
    #[test]
    fn a_lock_held_for_an_instant_by_a_look_is_waited_out() {
        let dir = std::env::temp_dir().join(format!("plaindnn-probe-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("made");
        let probe = File::create(dir.join(".lock")).expect("created");
        probe.try_lock().expect("the look's lock");
        let look = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(1));
            probe.unlock().expect("released");
        });
        let lock = RunLock::acquire(&dir).expect("taken once the look is done");
        look.join().expect("joined");
        drop(lock);
        fs::remove_dir(&dir).expect("empty");
    }
}
