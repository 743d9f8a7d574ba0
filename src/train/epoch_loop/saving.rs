//! What an epoch writes to disk: the kept weights (`model.bpk`), Burn's checkpoint and the
//! kept weights beside it, and what is left to resume from when training stops on an error.

use std::time::Instant;

use burn::train::{Learner, TrainingComponents};

use super::{EpochLoop, LoopState};
use crate::error::{Divergence, Error, Kept, Result};
use crate::files::write_atomic;
use crate::model::Mlp;
use crate::train::checkpoint::{checkpoint_path, failed_save};
use crate::train::checksum::seal;

/// The way on after a divergence, for runs that can clip (a pretraining's stages cannot).
const ADVICE: &str = "Try a smaller learning rate or gradient clipping.";

impl EpochLoop {
    /// Stops the run at the first checkpoint Burn's writer could not write (in the background,
    /// so its error reaches the interrupter, which this loop reads here): training on would
    /// leave a kill nothing recent to resume from.
    pub(super) fn saves_went_well(&self, components: &TrainingComponents<Mlp>) -> Result<()> {
        match components.interrupter.error() {
            Some(why) => Err(failed_save(&self.settings.run, why)),
            None => Ok(()),
        }
    }

    /// The kept weights (if newer than `model.bpk`) and the checkpoint of `epoch`.
    pub(super) fn save(
        &self,
        epoch: usize,
        learner: &Learner<Mlp>,
        components: &mut TrainingComponents<Mlp>,
        state: &mut LoopState,
    ) -> Result<()> {
        // a save that failed (a full disk) stops the run here, before the next one prunes
        self.saves_went_well(components)?;
        self.write_kept(state)?;
        if let Some(checkpointer) = components.checkpointer.as_mut() {
            checkpointer.checkpoint(learner, epoch, &components.event_store);
            self.keep_with_checkpoint(epoch, state)?;
            state.saved = Some(epoch);
        }
        state.last_save = Instant::now();
        Ok(())
    }

    /// `checkpoint/kept-<epoch>.bpk`: the best weights as of the checkpoint, which `--resume`
    /// starts from (`model.bpk` may by then hold a later epoch's); then [`prune`]: this save's,
    /// the one before and the newest complete one stay.
    pub(super) fn keep_with_checkpoint(&self, epoch: usize, state: &LoopState) -> Result<()> {
        let dir = self.settings.run.checkpoint_dir();
        if !self.settings.config.restores_best() || state.kept.is_none() {
            prune(&dir, epoch, state.saved);
            return Ok(());
        }
        let path = checkpoint_path(&dir, "kept", epoch);
        let _ = std::fs::remove_file(&path);
        // model.bpk holds the kept weights now: a second name for the same file
        let model = self.settings.run.model_path();
        if std::fs::hard_link(&model, &path).is_err() {
            // a file system without links: a copy, written as atomically as the model was
            let bytes = std::fs::read(&model).map_err(|e| Error::io(&model, e))?;
            write_atomic(&path, &bytes)?;
        }
        prune(&dir, epoch, state.saved);
        Ok(())
    }

    /// `model.bpk` from the weights kept in memory, when they are newer.
    pub(super) fn write_kept(&self, state: &mut LoopState) -> Result<()> {
        let (true, Some(record)) = (state.kept_unsaved, &state.kept) else {
            return Ok(());
        };
        let sealed = match state.kept_as_read.take() {
            Some(sealed) => sealed, // checked as it was read
            None => {
                let bytes =
                    (record.clone().into_bytes()).map_err(|e| Error::Training(e.to_string()))?;
                seal(&bytes)
            }
        };
        write_atomic(&self.settings.run.model_path(), &sealed)?;
        state.kept_unsaved = false;
        Ok(())
    }

    /// Saves the weights kept so far (they are good), and stops the run on `what` diverged,
    /// saying what is kept and [`ADVICE`].
    pub(super) fn diverged(&self, what: String, state: &mut LoopState) -> Error {
        if let Err(e) = self.write_kept(state) {
            return e;
        }
        // the kept weights are the best epoch's when the run restores them, else the newest
        let weights = match self.settings.config.restores_best() {
            true => state.early.best().map(|(epoch, _)| epoch),
            false => state.rows.last().map(|row| row.epoch),
        };
        let kept = match (state.saved, weights.filter(|_| state.kept.is_some())) {
            (Some(epoch), _) => Kept::Checkpoint {
                epoch,
                dir: self.settings.run.checkpoint_dir(),
            },
            (None, Some(epoch)) => Kept::Weights {
                epoch,
                path: self.settings.run.model_path(),
            },
            (None, None) => Kept::Nothing,
        };
        Error::Diverged(Divergence::new(what, Some(kept), ADVICE))
    }

    /// Stops the run when a loss stops being a finite number.
    pub(super) fn check_finite(
        &self,
        epoch: usize,
        split: &str,
        loss: f64,
        state: &mut LoopState,
    ) -> Result<()> {
        if loss.is_finite() {
            return Ok(());
        }
        let what = format!("training diverged in epoch {epoch}: the {split} loss became {loss}");
        Err(self.diverged(what, state))
    }
}

/// Removes the checkpoint files in `dir` of epochs other than this save's (`epoch`), the one
/// before (`saved`) and the newest complete one: the kept weights' (Burn's checkpointer prunes
/// its own), and a model, optimizer or scheduler file older than the newest complete
/// checkpoint that the checkpointer left (it never deletes that one, and a file of a save that
/// had not all its files when it pruned stays).
fn prune(dir: &std::path::Path, epoch: usize, saved: Option<usize>) {
    let complete = super::super::checkpoint::latest_complete(dir);
    let stays = |e: usize| e == epoch || Some(e) == saved || Some(e) == complete;
    let files = std::fs::read_dir(dir).into_iter().flatten().flatten();
    for name in files.filter_map(|f| f.file_name().into_string().ok()) {
        let Some((kind, e)) = name.strip_suffix(".bpk").and_then(|n| n.rsplit_once('-')) else {
            continue;
        };
        let Ok(e) = e.parse::<usize>() else { continue };
        let stale = match kind {
            "kept" => true,
            "model" | "optim" | "scheduler" => complete.is_some_and(|c| e < c),
            _ => false,
        };
        if stale && !stays(e) {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
}
