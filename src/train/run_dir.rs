//! The run directory: `config.json`, `model.bpk` (the weights the run ends with), `checkpoint/`,
//! `metrics.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use super::checkpoint;
use super::run_config::RunConfig;
use crate::data::DataSource;
use crate::error::{Error, Result};
use crate::files::{landing, write_atomic};
use crate::shell::quote_path;

/// Where `path` really is: absolute, `.` and `..` taken out, and the part that exists with its
/// links followed.
fn resolved(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut plain = PathBuf::new();
    for part in std::path::absolute(path).ok()?.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                plain.pop();
            }
            other => plain.push(other),
        }
    }
    let existing = plain.ancestors().find(|a| a.exists())?;
    let rest = plain.strip_prefix(existing).ok()?.to_path_buf();
    Some(fs::canonicalize(existing).ok()?.join(rest))
}

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

/// Deletes a stage's run in `dir` (a run folder of its own), then `dir` if nothing else is left
/// in it (what a user put there stays).
fn remove_stage(dir: &Path) -> Result<()> {
    RunDir::new(dir).remove_run()?;
    match fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next() {
        None => fs::remove_dir(dir).map_err(|e| Error::io(dir, e)),
        Some(_) => Ok(()),
    }
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

    /// The refusal to read the network of a run that has no `model.bpk`: one training now, one
    /// whose file was moved, one whose training failed and was kept ([`FAILED`] says why), or
    /// one stopped before its first save (saving by time) or its first epoch, which `--resume`
    /// trains.
    pub fn no_model(&self) -> Error {
        let at = &self.root;
        if self.model_path().exists() {
            // there, but a folder (or something else): not a file moved away
            return Error::run(
                at,
                "has a model.bpk that is not a file (a folder?): put the saved file back from a \
                 copy, or train the run again",
            );
        }
        if super::lock::in_use(at) {
            return Error::run(
                at,
                "is training now and has saved no weights yet: wait a little",
            );
        }
        if let Some(epoch) = checkpoint::latest_complete(&self.checkpoint_dir()) {
            let why = format!(
                "has no model.bpk, though its checkpoint of epoch {epoch} is there: it was \
                 moved or deleted; restore it from a copy, or train the run again"
            );
            return Error::run(at, why);
        }
        if let Ok(why) = fs::read_to_string(self.root.join(FAILED)) {
            let why = format!(
                "has no model.bpk: its training failed before it saved weights, so there are \
                 none to use ({FAILED}: {})",
                why.trim()
            );
            return Error::run(at, why);
        }
        let when = match self.epochs_recorded() {
            0 => "it was stopped before it finished an epoch".to_string(),
            n => format!(
                "it was stopped before its first save ({} in metrics.csv)",
                crate::plural::count(n, "epoch")
            ),
        };
        let way = format!(
            "`plaindnn train --resume {}` trains it",
            quote_path(&self.root)
        );
        let waits = self.replaced_waits();
        Error::run(
            &self.root,
            format!("has no model.bpk yet: {when}; {way}{waits}"),
        )
    }

    /// The epochs `metrics.csv` records (0 without one), saved or not.
    fn epochs_recorded(&self) -> usize {
        super::history::read(&self.metrics_path()).map_or(0, |rows| rows.len())
    }

    /// Where a run that `--overwrite` set aside waits, when its replacement stopped before its
    /// first save (killed): `` (the run it replaced waits in `D/.replaced/`: …)``, or nothing.
    fn replaced_waits(&self) -> String {
        if !super::replaced::waits(self) {
            return String::new();
        }
        let aside = self.root.join(super::replaced::ASIDE);
        format!(
            " (the run it replaced waits in {}, its checkpoints in {}, until a run here saves: \
             the next `--overwrite` keeps them aside for itself, and put back in place of this \
             run's files they are that run again)",
            aside.display(),
            self.checkpoint_dir().join(super::replaced::ASIDE).display()
        )
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

    /// Refuses a directory that holds another run, or with `overwrite` removes that run's files
    /// (only plaindnn's: whatever else the directory holds stays).
    /// A run that `--overwrite` set aside and that waits here goes too, or, without it, is put
    /// back first where nothing replaced it ([`super::replaced::recover`]).
    pub fn claim(&self, overwrite: bool) -> Result<()> {
        use super::replaced;
        if !overwrite {
            replaced::recover(self)?;
        }
        self.check_claim(overwrite)?;
        if overwrite && (self.holds_run() || replaced::waits(self)) {
            self.remove_run()?;
            replaced::delete(self)?;
            self.create()?;
        }
        Ok(())
    }

    /// What [`RunDir::claim`] refuses, with nothing removed: a command checks it before it
    /// announces its run.
    pub fn check_claim(&self, overwrite: bool) -> Result<()> {
        self.refuse_checkpoint_folder()?;
        super::replaced::refuse_foreign(self)?;
        if self.holds_experiment() {
            // --overwrite replaces a run's files; a run among an experiment's would mix the two
            let why = "holds an experiment's results (report.md): give this run its own --out";
            return Err(Error::run(&self.root, why));
        }
        if !self.holds_run() {
            return Ok(());
        }
        let taken = |message: String| {
            let path = self.root.clone();
            Err(Error::Taken { path, message })
        };
        if !overwrite && self.holds_fit() {
            let why =
                "already holds a `regress` fit (linear.json): pass `--overwrite` to replace it";
            return taken(why.into());
        }
        // a pretraining, or a run on data in memory, cannot be resumed from the CLI
        let held = match self.read_config().map(|c| c.data.source) {
            Ok(DataSource::Inputs { .. }) => Some("a pretraining"),
            Ok(DataSource::Memory { .. }) => Some("a run trained on data in memory"),
            _ => None,
        };
        if let (false, Some(held)) = (overwrite, held) {
            return taken(format!(
                "already holds {held}: pass `--overwrite` to replace it"
            ));
        }
        match overwrite {
            true => Ok(()),
            false => taken(self.why_taken()),
        }
    }

    /// Refuses a directory that is, or is inside, a run's `checkpoint/` folder (through `..` or a
    /// link too): its checkpoints come and go there, and `--overwrite` of that run empties it.
    pub fn refuse_checkpoint_folder(&self) -> Result<()> {
        let Some(run) = self.checkpointed_by() else {
            return Ok(());
        };
        let why = format!(
            "is inside the checkpoint folder of the run {}, whose checkpoints come and go \
             there: give this run its own --out",
            crate::shell::quote_path(&crate::shell::as_typed(&run, &self.root))
        );
        Err(Error::run(&self.root, why))
    }

    /// The run whose `checkpoint/` folder this directory is or is inside, if any.
    fn checkpointed_by(&self) -> Option<PathBuf> {
        let root = resolved(&self.root)?;
        let folder = root.ancestors().find(|a| {
            let run = a.parent().map(RunDir::new);
            a.file_name() == Some("checkpoint".as_ref())
                && run.is_some_and(|r| r.read_config().is_ok())
        })?;
        folder.parent().map(Path::to_path_buf)
    }

    /// Why [`RunDir::claim`] refuses the directory, with the way on that works for what is there.
    fn why_taken(&self) -> String {
        if self.read_config().is_err() {
            let mut names = self.run_files();
            if self.checkpoint_dir().is_dir() {
                names.push("checkpoint/".into());
            }
            // a config.json or linear.json there is not one plaindnn can read
            let unread: Vec<&str> = (["config.json", "linear.json"].into_iter())
                .filter(|f| self.root.join(f).is_file())
                .collect();
            let why_none = match unread[..] {
                [] => "it has no readable config.json (a network's) or linear.json (a fit's)"
                    .to_string(),
                _ => format!(
                    "plaindnn cannot read its {} as a run's",
                    unread.join(" or ")
                ),
            };
            return format!(
                "holds {} (names a plaindnn run writes) but no run, as {why_none}: choose \
                 another --out, or pass `--overwrite` to replace exactly those files",
                names.join(", ")
            );
        }
        if checkpoint::latest_complete(&self.checkpoint_dir()).is_none() {
            // as `eval` says it: the epochs metrics.csv holds, saved or not
            let when = match self.epochs_recorded() {
                0 => "stopped before it finished an epoch?".to_string(),
                n => format!(
                    "stopped before its first save, {} in metrics.csv?",
                    crate::plural::count(n, "epoch")
                ),
            };
            return format!(
                "already holds a run that saved no checkpoint ({when}): `plaindnn train \
                 --resume {}` starts it over, `--overwrite` replaces it{}",
                crate::shell::quote_path(&self.root),
                self.replaced_waits()
            );
        }
        format!(
            "already holds a run: `plaindnn train --resume {0}` continues it, `--overwrite` \
             replaces it",
            crate::shell::quote_path(&self.root)
        )
    }

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

    /// Writes `config.json` atomically.
    pub fn write_config(&self, config: &RunConfig) -> Result<()> {
        write_atomic(&self.config_path(), config.to_json()?.as_bytes())
    }

    /// Why a folder without `config.json` is not a run, and the run inside it if it holds some
    /// (an experiment's folder holds one per variant and seed).
    fn not_a_run(&self) -> String {
        let mut runs: Vec<PathBuf> = fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| RunDir::new(dir).config_path().is_file())
            .collect();
        runs.sort();
        if super::replaced::waits(self) {
            let aside = self.root.join(super::replaced::ASIDE);
            // a trained network's run is put back by its resume, a pretraining's or a fit's by
            // the next of its command that does not replace it
            let waiting = RunDir::new(&aside);
            let config = waiting.read_config().ok();
            let pretraining =
                matches!(&config, Some(c) if matches!(c.data.source, DataSource::Inputs { .. }));
            let dir = quote_path(&self.root);
            let way = match (config.is_some(), pretraining, waiting.holds_fit()) {
                (true, false, _) => {
                    format!("`plaindnn train --resume {dir}` puts it back and continues it")
                }
                (_, true, _) => format!(
                    "`plaindnn pretrain --out {dir}` without --overwrite puts it back first"
                ),
                (false, _, true) => {
                    format!("`plaindnn regress --out {dir}` without --overwrite puts it back first")
                }
                _ => format!("move its files back into {dir} to use it again"),
            };
            return format!(
                "holds no config.json: the run `--overwrite` replaced waits in {}, and the run \
                 replacing it stopped before it wrote its own (killed?): {way}",
                aside.display()
            );
        }
        match runs.first() {
            Some(run) => format!(
                "holds no config.json, so it is not a run, but it holds {} run{} (one is {})",
                runs.len(),
                if runs.len() == 1 { "" } else { "s" },
                run.display()
            ),
            None => "holds no config.json: not a run directory (`plaindnn train --out DIR` makes \
                     one)"
                .into(),
        }
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
