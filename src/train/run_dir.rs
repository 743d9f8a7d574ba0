//! The run directory: `config.json`, `model.bpk` (the weights the run ends with), `checkpoint/`,
//! `metrics.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use super::checkpoint;
use super::run_config::RunConfig;
use crate::error::{Error, Result};
use crate::files::{landing, write_atomic};

mod claim;
mod removal;
mod told;

pub(crate) use removal::Part;

/// The checkpointer's files in `dir`, none if it cannot be read; a link among them counts (the
/// checkpointer counts it as a checkpoint), a folder does not.
pub(crate) fn checkpoint_files(dir: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).into_iter().flatten().flatten();
    let ours = |e: &fs::DirEntry| {
        checkpoint::is_checkpoint_file(&e.file_name().to_string_lossy())
            && !e.file_type().is_ok_and(|t| t.is_dir())
    };
    entries.filter(ours).map(|e| e.path()).collect()
}

/// Whether the file `name` in `root` is a user's own under a run file's name: a
/// `model.safetensors` that plaindnn did not export (weights saved from PyTorch, say), which
/// `export` refuses to replace too.
fn users_own(root: &Path, name: &str) -> bool {
    name == "model.safetensors" && !crate::model::safetensors::is_export(&root.join(name))
}

/// What a training run or a `regress` fit writes into its directory; `--overwrite` removes
/// exactly these.
const RUN_FILES: [&str; 21] = [
    "config.json",
    FAILED,
    "model.bpk",
    "checkpoint",
    "metrics.csv",
    "diagnostics.csv",
    "report.html",
    "loss.svg",
    "accuracy.svg",
    "rmse.svg",
    "decision_regions.svg",
    "fit.svg",
    "output_plane.svg",
    "grad_norms.svg",
    "reconstructions.svg",
    "model.safetensors",
    "stages.safetensors",
    "linear.json",
    "coefficients.json",
    "predicted_vs_actual.svg",
    "gd_loss.svg",
];

/// Why a run failed, where the failed run is kept (an experiment's diverged runs, which its
/// table counts): what `predict`, `eval` and the others say of a run without weights. A new
/// training into the folder removes it.
pub const FAILED: &str = "failed.txt";

/// Whether `name` is a pretraining stage's folder, `layer<k>`.
fn is_stage(name: &str) -> bool {
    name.strip_prefix("layer")
        .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `name` is a file or folder of a run: one of [`RUN_FILES`] or a pretraining stage.
pub(super) fn is_run_file(name: &str) -> bool {
    is_stage(name) || RUN_FILES.contains(&name)
}

/// How an experiment's `report.md` begins (`# Experiment `name``): a folder holding one is an
/// experiment's results, which no run may write into.
pub const EXPERIMENT_HEADING: &str = "# Experiment `";

/// The files `predict`, `eval`, `export` and `--resume` read a run back from.
const SOURCE_FILES: [&str; 6] = [
    "config.json",
    "model.bpk",
    "checkpoint",
    "metrics.csv",
    "linear.json",
    "coefficients.json",
];

/// Paths inside one run directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// The run directory at `root` (not created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.json`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.json")
    }

    /// `model.bpk`: the weights the run ends with (the best epoch's when they are restored).
    pub fn model_path(&self) -> PathBuf {
        self.root.join("model.bpk")
    }

    /// `checkpoint/`: the last epoch's model, optimizer and scheduler.
    pub fn checkpoint_dir(&self) -> PathBuf {
        self.root.join("checkpoint")
    }

    /// `metrics.csv`.
    pub fn metrics_path(&self) -> PathBuf {
        self.root.join("metrics.csv")
    }

    /// Whether a run was already trained (or started) here, or a file a run writes is here
    /// (`report.html`, `loss.svg`, …: a user's own would be replaced): any of `RUN_FILES` but
    /// an empty `checkpoint/`. A pretraining's stages (`layer<k>/`, `stages.safetensors`) are
    /// written before its autoencoder claims the folder, so they do not count.
    pub fn holds_run(&self) -> bool {
        let has_checkpoint = fs::read_dir(self.checkpoint_dir())
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| checkpoint::is_checkpoint_file(&e.file_name().to_string_lossy()));
        has_checkpoint || !self.run_files().is_empty()
    }

    /// The names of `RUN_FILES` here, `checkpoint/`, `stages.safetensors` and [`FAILED`] left
    /// out (a file of that name alone is no run).
    fn run_files(&self) -> Vec<String> {
        let entries = fs::read_dir(&self.root).into_iter().flatten().flatten();
        let counted = |n: &str| {
            RUN_FILES.contains(&n) && !["checkpoint", "stages.safetensors", FAILED].contains(&n)
        };
        let mut names: Vec<String> = entries
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| counted(n) && !users_own(&self.root, n))
            .collect();
        names.sort();
        names
    }

    /// Whether `regress` saved a fit here (`linear.json`, which `predict` prefers): a file that
    /// reads as one (coefficients and intercept), not only the name — a user's own is named as
    /// such, not called a fit.
    pub fn holds_fit(&self) -> bool {
        let text = fs::read_to_string(self.root.join("linear.json")).unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|fit| fit.get("coefficients").is_some() && fit.get("intercept").is_some())
    }

    /// Whether an experiment's results are here (its `report.md`, finished or not).
    pub fn holds_experiment(&self) -> bool {
        fs::read_to_string(self.root.join("report.md"))
            .is_ok_and(|text| text.starts_with(EXPERIMENT_HEADING))
    }

    /// `base` if it holds no run, else the first free `base-2`, `base-3`, … (Lightning's
    /// `version_N`, Ultralytics' `train2`); one a process is starting to train into is taken, as
    /// is one that holds an experiment's results or is not a folder (a file of that name).
    pub fn next_free(base: &Path) -> RunDir {
        let taken = |p: &Path| {
            let run = RunDir::new(p);
            let not_folder = fs::symlink_metadata(p).is_ok() && !p.is_dir(); // a broken link too
            not_folder || run.holds_run() || run.holds_experiment() || super::lock::in_use(p)
        };
        if !taken(base) {
            return RunDir::new(base);
        }
        let name = base.file_name().unwrap_or_default().to_string_lossy();
        let mut n = 2;
        while taken(&base.with_file_name(format!("{name}-{n}"))) {
            n += 1;
        }
        RunDir::new(base.with_file_name(format!("{name}-{n}")))
    }

    /// Whether writing `path` would replace a file the run is read back from (`model.bpk`,
    /// `config.json`, a checkpoint, …), however the path is spelled.
    pub fn is_source(&self, path: &Path) -> bool {
        let Some((parent, root, name)) = self.resolve(path) else {
            return false;
        };
        let top = parent == root && SOURCE_FILES.contains(&name.as_str());
        // checkpoint/ may be a link (checkpoints on another disk)
        let checkpoints = root.join("checkpoint");
        top || parent.starts_with(fs::canonicalize(&checkpoints).unwrap_or(checkpoints))
    }

    /// Whether `path` is one of the files a run writes beside its sources (`report.html`,
    /// `stages.safetensors`, a stage's `layer<k>/`), however it is spelled.
    pub fn is_own(&self, path: &Path) -> bool {
        self.resolve(path)
            .is_some_and(|(folder, root, name)| folder == root && is_run_file(&name))
    }

    /// `path`'s folder and this run's root, links and `..` resolved, and `path`'s file name.
    fn resolve(&self, path: &Path) -> Option<(PathBuf, PathBuf, String)> {
        let file = landing(path)?;
        let name = file.file_name()?.to_string_lossy().into_owned();
        Some((
            file.parent()?.into(),
            fs::canonicalize(&self.root).ok()?,
            name,
        ))
    }

    /// The run whose files `path` would replace (`is_source`): the run in `path`'s folder, or
    /// the one whose `checkpoint/` that folder is, links and `..` resolved.
    pub fn owning(path: &Path) -> Option<RunDir> {
        let typed = path.parent().filter(|p| !p.as_os_str().is_empty());
        let typed = typed.unwrap_or(Path::new("."));
        let file = landing(path)?;
        let folder = file.parent()?.to_path_buf();
        // the folder itself, or the run above a checkpoint/ folder, resolved or as typed
        let above = |f: &Path| {
            let parent = f.parent().filter(|_| f.ends_with("checkpoint"))?;
            Some(match parent.as_os_str().is_empty() {
                true => PathBuf::from("."), // `checkpoint/…` typed inside the run
                false => parent.to_path_buf(),
            })
        };
        let candidates = [Some(folder.clone()), above(&folder), above(typed)];
        candidates
            .into_iter()
            .flatten()
            .map(RunDir::new)
            .find(|run| run.holds_run() && run.is_source(&file))
    }

    /// Creates the directory (for its lock; a run it holds is left as it is).
    pub fn create(&self) -> Result<()> {
        crate::files::create_folder(&self.root)
    }

    /// Creates `checkpoint/`, once the directory is claimed.
    pub fn create_checkpoint_dir(&self) -> Result<()> {
        let dir = self.checkpoint_dir();
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))
    }

    /// Writes `config.json` atomically.
    pub fn write_config(&self, config: &RunConfig) -> Result<()> {
        write_atomic(&self.config_path(), config.to_json()?.as_bytes())
    }

    /// Reads and checks `config.json`.
    pub fn read_config(&self) -> Result<RunConfig> {
        if !self.root.is_dir() {
            let what = match self.root.exists() {
                true => "is a file, not a run directory (`plaindnn train --out DIR` makes one)",
                false => "does not exist (train one with `plaindnn train --out DIR`)",
            };
            return Err(Error::run(&self.root, what));
        }
        let path = self.config_path();
        if !path.exists() && self.holds_fit() {
            let why = "holds a `regress` fit (linear.json), not a trained network: `plaindnn \
                       predict --run` and `eval --data` read it; summary, export and --init-from are for \
                       networks";
            return Err(Error::run(&self.root, why));
        }
        if !path.exists() {
            return Err(Error::run(&self.root, self.not_a_run()));
        }
        let text = fs::read_to_string(&path)
            .map_err(|e| Error::run(&self.root, format!("cannot read config.json: {e}")))?;
        RunConfig::from_json(&text).map_err(|why| Error::run(&self.root, why))
    }
}
