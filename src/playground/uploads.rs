//! A page's uploaded files on the server. Each accepted upload gets a file of its own
//! (`upload-<n>.csv`), so a later upload never changes the file a run's `config.json` names
//! (`plaindnn eval` and `--resume` on the page's run would refuse it as changed); a file that
//! neither the next run nor a run in the session's folder trains on is removed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::data::DataSource;
use crate::files;
use crate::train::run_dir::RunDir;

/// An accepted upload: the name the page gave it, and the server's copy.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The file's name on the page, as the page's `plaindnn train` line names it.
    pub name: String,
    /// Where the server keeps it.
    pub path: PathBuf,
    /// Its numbers' decimal mark where it writes decimal commas (`Some(',')`, as
    /// `--decimal ','` reads them); `None`: points.
    pub decimal: Option<char>,
}

/// A page's uploads: the latest, which its next run trains on, and the one its latest run was
/// started on.
#[derive(Debug, Default)]
pub struct Uploads {
    /// The latest accepted upload.
    pub latest: Option<Upload>,
    /// The files the page's latest run was started on.
    started_on: Vec<PathBuf>,
}

/// A file for a new upload in the folder `dir`, `upload-<n>.csv`: a name no other upload of
/// this server has had, in the folder's canonical path, as a run's `config.json` names it.
pub fn fresh_path(dir: &Path) -> PathBuf {
    static UPLOADS: AtomicU64 = AtomicU64::new(0);
    let n = UPLOADS.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("upload-{n}.csv"));
    files::landing(&path).unwrap_or(path)
}

impl Uploads {
    /// `upload` becomes the latest; the file it follows is removed unless a run trains on it.
    pub fn accept(&mut self, upload: Upload, run: &Path) {
        self.latest = Some(upload);
        self.sweep(run);
    }

    /// A run of `source` (its paths absolute) starts in `run`: its file is kept while that run
    /// is the page's latest, and the one the run before it trained on is removed.
    pub fn started(&mut self, source: &DataSource, run: &Path) {
        self.started_on = paths(source);
        self.sweep(run);
    }

    /// The page closed: no next run, so its latest upload goes unless a run trains on it.
    pub fn close(&mut self, run: &Path) {
        self.latest = None;
        self.sweep(run);
    }

    /// Removes every upload file beside `run` but the latest, the one the latest run was
    /// started on, and the one `run`'s `config.json` names (a run whose start failed after
    /// it was begun leaves the run before it in place); failures are left for the next sweep.
    pub fn sweep(&self, run: &Path) {
        // the folder as the kept paths name it (canonical), resolved once
        let landed = files::landing(run);
        let Some(dir) = landed.as_deref().and_then(Path::parent) else {
            return;
        };
        let named = named_by(run);
        let kept = |path: &Path| {
            let latest = self.latest.as_ref().map(|u| u.path.as_path());
            latest == Some(path) || self.started_on.iter().chain(&named).any(|p| p == path)
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if is_upload(&path) && !kept(&path) {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// The files a data source reads.
fn paths(source: &DataSource) -> Vec<PathBuf> {
    source
        .paths()
        .into_iter()
        .map(|(_, p)| p.to_path_buf())
        .collect()
}

/// The files `run`'s `config.json` trains on (none where there is no run).
fn named_by(run: &Path) -> Vec<PathBuf> {
    let config = RunDir::new(run).read_config();
    config.map_or(vec![], |config| paths(&config.data.source))
}

/// Whether `path` is an upload's file (`upload-<n>.csv`).
fn is_upload(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let number = name
        .strip_prefix("upload-")
        .and_then(|n| n.strip_suffix(".csv"));
    number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbered_upload_files_are_uploads() {
        assert!(is_upload(Path::new("/s/upload-0.csv")));
        assert!(is_upload(Path::new("upload-17.csv")));
        for other in [
            "upload.csv",
            "upload-.csv",
            "upload-1.csv.new",
            "upload-x.csv",
            "run",
        ] {
            assert!(!is_upload(Path::new(other)), "{other}");
        }
    }
}
