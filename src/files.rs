//! Files written atomically (temp file, fsync, rename): a crash leaves the old file or the new
//! one, never half of either. Used by training, regression, experiments and the command line.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            // Persist the rename itself; not every platform can open a directory, so ignore that.
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Replaces `path` with `text` atomically, then opens it to append rows (for CSV logs on resume).
pub fn rewrite_for_append(path: &Path, text: &str) -> Result<File> {
    write_atomic(path, text.as_bytes())?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// Opens a data file for reading, refusing a folder, a pipe or a device by name: a data file is
/// read twice (its separator, then its rows) and its size is checked against free memory first.
pub fn open_data(path: &Path) -> Result<File> {
    let found = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if found.is_dir() {
        let why = "is a folder, not a CSV file: give a file's path (a folder of MNIST-format \
                   IDX files is train's --data-dir)";
        return Err(Error::Data(format!("{}: {why}", path.display())));
    }
    if !found.is_file() {
        return Err(Error::Data(format!(
            "{}: is a pipe or a device, not a file: plaindnn reads a data file twice \
             and checks its size first; save the data to a file and give its path",
            path.display()
        )));
    }
    File::open(path).map_err(|e| Error::io(path, e))
}

/// Where writing `path` lands, however it is spelled: its folder with links and `..` resolved,
/// joined with its name; none if the folder does not exist or `path` names no file.
pub fn landing(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let folder = Some(path.parent()?).filter(|p| !p.as_os_str().is_empty());
    Some(
        fs::canonicalize(folder.unwrap_or(Path::new(".")))
            .ok()?
            .join(name),
    )
}

/// Creates the folder `dir` (and its parents) for a run's files; a file already at `dir` is
/// refused by name rather than as `File exists`.
pub fn create_folder(dir: &Path) -> Result<()> {
    refuse_file(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| {
        let why = format!("cannot be made ({e}): give --out a folder you can write to");
        Error::run(dir, why)
    })
}

/// The highest folder that creating `out` makes (`a/` of `a/b/c` where only the current folder
/// exists), if any.
pub fn made_folder(out: &Path) -> Option<PathBuf> {
    (out.ancestors())
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .last()
        .map(Path::to_path_buf)
}

/// Removes `out` and its parents up to `made` ([`made_folder`]), each only if nothing is in it.
pub fn remove_made(out: &Path, made: Option<PathBuf>) {
    let Some(top) = made else { return };
    for dir in out.ancestors() {
        if fs::remove_dir(dir).is_err() || dir == top {
            break;
        }
    }
}

/// Which folder `dir` is to the file system (device and inode, on Unix): the same folder moved
/// away and another made at its path differ; `None` where it is gone or the system has no such
/// numbers.
pub fn folder_identity(dir: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Refuses a file (or a device, a pipe) where a run's folder should be.
pub fn refuse_file(dir: &Path) -> Result<()> {
    let Ok(found) = fs::metadata(dir) else {
        return Ok(());
    };
    let what = match found {
        _ if found.is_dir() => return Ok(()),
        _ if found.is_file() => "a file",
        _ => "a device or a pipe",
    };
    let why =
        format!("is {what}, not a folder: a run writes a folder of files; give --out a folder");
    Err(Error::run(dir, why))
}
