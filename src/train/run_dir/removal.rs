//! Removing a run's files, and only those: a user's own files in the folder stay.

use std::fs;
use std::path::{Path, PathBuf};

use super::{checkpoint_files, is_run_file, is_stage, users_own, RunDir, RUN_FILES};
use crate::error::{Error, Result};

/// One entry of a run's folder that holds the run's files.
pub(crate) enum Part {
    /// A file of a run's name (or a link of one, never followed).
    File(PathBuf),
    /// A pretraining's stage, `layer<k>/`: a run folder of its own.
    Stage(PathBuf),
    /// `checkpoint/` (a folder, or a link to one elsewhere): its checkpoint files are the run's.
    Checkpoints(PathBuf),
}

impl Part {
    /// Where the entry is.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Part::File(path) | Part::Stage(path) | Part::Checkpoints(path) => path,
        }
    }
}

impl RunDir {
    /// Deletes the files a run writes (config, weights, checkpoints, metrics, pictures, report,
    /// exports, pretraining stages).
    pub fn remove_run(&self) -> Result<()> {
        self.remove(is_run_file)
    }

    /// Deletes what one training run writes into its folder: not a pretraining's stages, which
    /// a folder may hold of the user's when a run fails in it.
    pub fn remove_training(&self) -> Result<()> {
        self.remove(|n| RUN_FILES.contains(&n) && n != "stages.safetensors")
    }

    fn remove(&self, which: fn(&str) -> bool) -> Result<()> {
        for part in self.parts(which) {
            let removed = match &part {
                Part::File(path) => fs::remove_file(path),
                Part::Stage(path) => {
                    remove_stage(path)?;
                    continue;
                }
                Part::Checkpoints(path) => remove_checkpoints(path),
            };
            removed.map_err(|e| Error::io(part.path(), e))?;
        }
        Ok(())
    }

    /// The entries here that are a run's files: those `which` names, not a user's own
    /// ([`users_own`]), nor a folder of the user's under a file's name.
    pub(crate) fn parts(&self, which: fn(&str) -> bool) -> Vec<Part> {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut parts = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !which(&name) || users_own(&self.root, &name) {
                continue;
            }
            let path = entry.path();
            // a link is a file, never followed (but `checkpoint/`'s, whose checkpoints are the
            // run's); a folder holds a run's files only as a stage or `checkpoint/`
            let link = entry.file_type().is_ok_and(|t| t.is_symlink());
            let linked = link && name == "checkpoint" && path.is_dir();
            let folder = entry.file_type().is_ok_and(|t| t.is_dir()) || linked;
            parts.push(match (folder, name.as_str()) {
                (true, "checkpoint") => Part::Checkpoints(path),
                (true, _) if is_stage(&name) => Part::Stage(path),
                // a folder of the user's under a file's name: not a run's, kept
                (true, _) => continue,
                (false, _) => Part::File(path),
            });
        }
        parts
    }

    /// The entries here that hold a run's files ([`RunDir::parts`] of every run file's name).
    pub(crate) fn run_parts(&self) -> Vec<Part> {
        self.parts(is_run_file)
    }

    /// Removes the temporary files of run files (`.config.json.tmp-PID`) whose writer is no
    /// longer running (killed mid-write): its caller holds the folder's lock. Only where the
    /// system lists its processes (`/proc`); elsewhere they stay.
    pub fn sweep_temporaries(&self) {
        let proc = Path::new("/proc");
        if !proc.join("self").exists() {
            return;
        }
        let entries = fs::read_dir(&self.root).into_iter().flatten().flatten();
        for name in entries.filter_map(|e| e.file_name().into_string().ok()) {
            let Some((file, pid)) = name.strip_prefix('.').and_then(|n| n.rsplit_once(".tmp-"))
            else {
                continue;
            };
            let dead = pid.bytes().all(|b| b.is_ascii_digit()) && !proc.join(pid).exists();
            if dead && is_run_file(file) {
                let _ = fs::remove_file(self.root.join(&name));
            }
        }
    }
}

/// Deletes the checkpointer's files in `dir`, then `dir` if nothing else is left in it (what a
/// user put there stays) and it is no link (to a folder on another disk, say: kept for the next
/// run).
fn remove_checkpoints(dir: &Path) -> std::io::Result<()> {
    for file in checkpoint_files(dir) {
        fs::remove_file(file)?; // a link is removed, never followed
    }
    let link = fs::symlink_metadata(dir)?.file_type().is_symlink();
    match fs::read_dir(dir)?.next() {
        None if !link => fs::remove_dir(dir),
        _ => Ok(()),
    }
}

/// Deletes a stage's run in `dir` (a run folder of its own), then `dir` if nothing else is left
/// in it (what a user put there stays).
fn remove_stage(dir: &Path) -> Result<()> {
    RunDir::new(dir).remove_run()?;
    match fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next() {
        None => fs::remove_dir(dir).map_err(|e| Error::io(dir, e)),
        Some(_) => Ok(()),
    }
}
