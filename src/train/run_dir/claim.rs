//! Claiming a folder for a new run: what is refused there, and with `--overwrite` what goes.

use std::fs;
use std::path::{Path, PathBuf};

use super::{is_run_file, is_stage, RunDir};
use crate::data::DataSource;
use crate::error::{Error, Result};
use crate::train::checkpoint;

impl RunDir {
    /// Refuses a directory that holds another run, or with `overwrite` removes that run's files
    /// (only plaindnn's: whatever else the directory holds stays).
    /// A run that `--overwrite` set aside and that waits here goes too, or, without it, is put
    /// back first where nothing replaced it ([`replaced::recover`](crate::train::replaced::recover)).
    pub fn claim(&self, overwrite: bool) -> Result<()> {
        use crate::train::replaced;
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
        crate::train::replaced::refuse_foreign(self)?;
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

    /// Refuses data (each flag and its file, however spelled) that `--overwrite` would remove
    /// with the run here, and the run write over: a file under a name a run writes
    /// (`metrics.csv`, `report.html`, …), in a pretraining stage's `layer<k>/` too, or a
    /// checkpoint's in `checkpoint/`.
    pub fn refuse_data_inside(&self, sources: &[(&str, &Path)]) -> Result<()> {
        let Some(root) = fs::canonicalize(&self.root).ok() else {
            return Ok(()); // no folder yet: nothing in it
        };
        // the path as typed (a link there is removed) and where a link leads (its file is)
        let removed = |f: &Path| {
            let spelled = [crate::files::landing(f), fs::canonicalize(f).ok()];
            spelled
                .into_iter()
                .flatten()
                .any(|f| removed_with_run(&root, &f))
        };
        let Some((flag, file)) = sources.iter().find(|(_, f)| removed(f)) else {
            return Ok(());
        };
        let why = format!(
            "{} holds {flag}'s file {} under a name a run writes there: --overwrite would remove \
             it, and the run write over it; move the file, or give the run another --out",
            self.root.display(),
            file.display()
        );
        Err(Error::invalid("--out", why))
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
    pub(super) fn checkpointed_by(&self) -> Option<PathBuf> {
        let root = resolved(&self.root)?;
        let folder = root.ancestors().find(|a| {
            let run = a.parent().map(RunDir::new);
            a.file_name() == Some("checkpoint".as_ref())
                && run.is_some_and(|r| r.read_config().is_ok())
        })?;
        folder.parent().map(Path::to_path_buf)
    }

    /// Why [`RunDir::claim`] refuses the directory, with the way on that works for what is there.
    pub(super) fn why_taken(&self) -> String {
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
}

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

/// Whether `file` (its folder resolved) is removed with the run in the folder `root` (resolved):
/// a run file's name there or in a stage's folder below it, or a checkpoint's in a
/// `checkpoint/` of either (a link to a folder elsewhere too), or anything in the run's
/// `.replaced/` or `checkpoint/.replaced/`, which a run `--overwrite` set aside leaves.
fn removed_with_run(root: &Path, file: &Path) -> bool {
    let (Some(folder), Some(name)) = (file.parent(), file.file_name()) else {
        return false;
    };
    let name = name.to_string_lossy();
    let parts = |below: &Path| -> Vec<String> {
        (below.components())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    // `checkpoint/` may be a link to a folder on another disk
    let linked = || {
        let checkpoints = fs::canonicalize(root.join("checkpoint")).ok()?;
        let below = folder.strip_prefix(checkpoints).ok()?;
        Some([vec!["checkpoint".to_string()], parts(below)].concat())
    };
    let Some(parts) = folder.strip_prefix(root).ok().map(parts).or_else(linked) else {
        return false;
    };
    // `.replaced/` and `checkpoint/.replaced/` go whole once a new run saves
    let aside = crate::train::replaced::ASIDE;
    match parts.as_slice() {
        [first, ..] if first == aside => return true,
        [first, second, ..] if first == "checkpoint" && second == aside => return true,
        _ => {}
    }
    let stages = |parts: &[String]| parts.iter().all(|s| is_stage(s));
    match parts.split_last() {
        Some((last, above)) if last == "checkpoint" && stages(above) => {
            checkpoint::is_checkpoint_file(&name)
        }
        _ => stages(&parts) && is_run_file(&name),
    }
}
