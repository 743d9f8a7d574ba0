//! The epoch loop plaindnn runs inside burn-train's `SupervisedTraining`. Each epoch is four
//! named phases — a training pass, validation, a record for the observers, and the end of the
//! epoch (early stopping, best weights, checkpoint) — adding what Burn's Learner lacks:
//! `min_delta`, restore-best-weights, atomic checkpoints and a clean stop on a NaN loss.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use burn::train::{
    Learner, SupervisedLearningStrategy, SupervisedTrainingEventProcessor, TrainLoader,
    TrainingComponents, ValidLoader,
};

use super::checkpoint::{checkpoint_path, load_record, record_of};
use super::config::TrainConfig;
use super::diagnostics::{warning, GradientNorms, LayerRow};
use super::early_stopping::{EarlyStopping, Verdict};
use super::history::EpochRow;
use super::observer::{EpochReport, Observers, TrainEnd};
use super::replaced;
use super::run_dir::RunDir;
use super::schedule::PlateauHandle;
use crate::data::{Subset, Task};
use crate::decimals::Decimals;
use crate::error::{Error, Result};
use crate::model::{FrozenPrefix, Mlp};
use crate::random::mix;

mod cut_short;
mod outcome;
mod passes;
mod saving;

use cut_short::unsaved_end;
pub use outcome::{FitOutcome, Resumed};

/// The recipe plus what the loop needs at run time.
pub struct FitSettings {
    /// The run's recipe.
    pub config: TrainConfig,
    /// The training device (autodiff).
    pub device: Device,
    /// Classification or regression (picks the metric column).
    pub task: Task,
    /// Where `model.bpk` and the checkpoints go.
    pub run: RunDir,
    /// The validation rows (decision grids are drawn over their range).
    pub val: Subset,
    /// What earlier epochs recorded (a resumed run).
    pub resumed: Resumed,
    /// Tells the training loader which epoch it is shuffling for.
    pub epoch_handle: Arc<AtomicUsize>,
    /// Shared with the learning-rate scheduler.
    pub plateau: PlateauHandle,
    /// The model's frozen-prefix handle (`--unfreeze-after` clears it).
    pub frozen: FrozenPrefix,
    /// The deviations the outputs were divided by (a standardised target's, an autoencoder's
    /// scaled inputs'): `val_rmse` is shown in the data's units, as `eval` shows it.
    pub target_std: Option<Vec<f32>>,
}

/// A `SupervisedLearningStrategy` for [`Mlp`]; the result is read back through [`Self::outcome`].
pub struct EpochLoop {
    settings: FitSettings,
    observers: Mutex<Observers>,
    outcome: Mutex<Option<Result<FitOutcome>>>,
}

/// How the epoch loop ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ending {
    /// Every epoch asked for ran.
    Ran,
    /// Early stopping's patience ran out.
    Early,
    /// An observer stopped it at the end of an epoch before the last.
    Stopped,
    /// An observer stopped it within an epoch, which was dropped: the run ends with the one
    /// before.
    CutShort,
}

/// What the loop carries from one epoch to the next.
struct LoopState {
    early: EarlyStopping,
    rows: Vec<EpochRow>,
    layers: Vec<LayerRow>,
    /// The weights `model.bpk` is to hold: the best epoch's when the run restores them, else
    /// the newest epoch's.
    kept: Option<ModuleRecord>,
    /// `kept` is newer than `model.bpk` (saving by time writes it with the checkpoint).
    kept_unsaved: bool,
    /// The file `kept` was read from as it is (a resumed run's `kept-N.bpk`), written as
    /// `model.bpk` in place of the record: read back, a record writes its tensors in another
    /// order, and `model.bpk` would differ from an unbroken run's in its bytes.
    kept_as_read: Option<Vec<u8>>,
    grad_norms: GradientNorms,
    /// The newest epoch `--resume` can continue from.
    saved: Option<usize>,
    /// When the checkpoint and the kept weights were last written (or training started).
    last_save: Instant,
    /// How the loop ended (`Ran` while it runs).
    ending: Ending,
    /// Reduce-on-plateau lowered the rate at the end of this epoch.
    lr_reduced: bool,
}

impl EpochLoop {
    /// A loop with these settings, reporting to `observers`.
    pub fn new(settings: FitSettings, observers: Observers) -> Self {
        Self {
            settings,
            observers: Mutex::new(observers),
            outcome: Mutex::new(None),
        }
    }

    /// How the loop ended (taken once, after `launch`).
    pub fn outcome(&self) -> Result<FitOutcome> {
        let taken = self.outcome.lock().map(|mut o| o.take()).unwrap_or(None);
        taken.unwrap_or_else(|| Err(Error::Training("the training loop did not run".into())))
    }

    /// The observers back, for the end of training.
    pub fn take_observers(&self) -> Observers {
        self.observers
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default()
    }

    fn run_epochs(
        &self,
        components: &mut TrainingComponents<Mlp>,
        learner: &mut Learner<Mlp>,
        train_loader: &TrainLoader<Mlp>,
        valid_loader: &ValidLoader<Mlp>,
        first: usize,
    ) -> Result<FitOutcome> {
        let s = &self.settings;
        let mut observers = self.take_observers();
        let train = train_loader.to_device(&s.device);
        let valid = valid_loader.to_device(&s.device.clone().inner());
        learner.fork(&s.device);
        let mut state = self.start_state(first)?;
        if let Some(text) = s.config.lone_row(train.num_items()) {
            observers.warning(&format!("warning: {text}"));
        }
        let epochs = components.num_epochs;
        for epoch in first..=epochs {
            self.saves_went_well(components)?;
            let started = Instant::now();
            let wants = observers.wants();
            let unsaved = unsaved_end(wants, (epoch, first), &state, learner);
            self.begin_epoch(epoch, learner);
            let pass = self.train_pass(epoch, learner, &*train, wants, &mut state, &mut observers);
            let Some(train_loss) = pass? else {
                let cut = (epoch, &*learner, unsaved);
                self.drop_cut_short(cut, components, &mut state, &mut observers)?;
                break;
            };
            self.check_finite(epoch, "training", train_loss, &mut state)?;
            let (model, scores) = self.validate(epoch, learner, &*valid, &mut state)?;
            let row = EpochRow {
                epoch,
                train_loss: at_least_zero(train_loss),
                val_loss: at_least_zero(scores.loss),
                val_metric: scores.headline(),
                lr: learner.lr_current().base(),
            };
            let grads = state.grad_norms.take_means();
            let mut report = self.record(row, grads, &model, &*valid, wants)?;
            let (verdict, due) = self.end_epoch(&report.row, model, components, &mut state)?;
            report.improved = state.early.is_best(epoch);
            report.seconds = started.elapsed().as_secs_f64();
            // the epoch's row first: a checkpoint never runs ahead of metrics.csv
            self.tell(report, &mut state, &mut observers)?;
            let stop = verdict == Verdict::Stop || observers.should_stop();
            if due || stop {
                observers.checkpoint(epoch)?;
                // a stop saves where it is; the new run has weights to stand on, so a run
                // `--overwrite` set aside goes (the end of the run tries again where it could not)
                self.save(epoch, learner, components, &mut state)?;
                if let Err(e) = replaced::delete_once_saved(&s.run) {
                    observers.warning(&format!("warning: the replaced run stays: {e}"));
                }
            }
            if stop {
                state.ending = match verdict {
                    Verdict::Stop => Ending::Early,
                    _ if epoch < epochs => Ending::Stopped,
                    _ => Ending::Ran,
                };
                break;
            }
        }
        self.saves_went_well(components)?;
        let outcome = self.finish(learner, state, &mut observers)?;
        *self.observers.lock().map_err(|_| poisoned())? = observers;
        Ok(outcome)
    }

    /// Early stopping replayed over a resumed run's epochs, the weights kept with its checkpoint
    /// (a damaged file is an error, not left out), and the rest empty.
    fn start_state(&self, first: usize) -> Result<LoopState> {
        let resumed = &self.settings.resumed;
        let config = self.settings.config.early_stopping.as_ref();
        let (early, _) = EarlyStopping::replay(config, &resumed.rows);
        let kept_file = checkpoint_path(&self.settings.run.checkpoint_dir(), "kept", first - 1);
        let wanted = first > 1 && self.settings.config.restores_best() && kept_file.is_file();
        let read = |path: &std::path::Path| std::fs::read(path).map_err(|e| Error::io(path, e));
        let kept_as_read = wanted.then(|| read(&kept_file)).transpose()?;
        let kept = (kept_as_read.clone()) // read once, kept as read and as a record
            .map(|bytes| record_of(&kept_file, bytes))
            .transpose()?;
        Ok(LoopState {
            early,
            rows: resumed.rows.clone(),
            layers: resumed.layers.clone(),
            kept_unsaved: kept.is_some(),
            kept,
            kept_as_read,
            grad_norms: GradientNorms::default(),
            saved: (first > 1).then(|| first - 1),
            last_save: Instant::now(),
            ending: Ending::Ran,
            lr_reduced: false,
        })
    }

    /// Shuffling, dropout masks and RReLU slopes restart from (seed, epoch), so a resumed run
    /// matches; unfreezing.
    fn begin_epoch(&self, epoch: usize, learner: &Learner<Mlp>) {
        let s = &self.settings;
        s.epoch_handle.store(epoch, Ordering::Relaxed);
        learner.model().reseed(mix(s.config.seed, epoch as u64));
        s.frozen.set(s.config.frozen_at(epoch));
    }

    /// Phase 4, the end of the epoch: early stopping, the weights `model.bpk` is to hold (the
    /// best when the run restores them, else the epoch's own), and whether the checkpoint
    /// `--resume` continues from is due — every `checkpoint_interval` seconds with the kept
    /// weights, else every `checkpoint_every` epochs with the best weights written at each
    /// improvement; always after the last epoch.
    fn end_epoch(
        &self,
        row: &EpochRow,
        model: Mlp,
        components: &TrainingComponents<Mlp>,
        state: &mut LoopState,
    ) -> Result<(Verdict, bool)> {
        let s = &self.settings;
        let verdict = state.early.update(row.epoch, row.val_loss);
        // before the checkpoint: the plateau schedule's state is part of it
        let (schedule, lr) = (&s.config.schedule, s.config.optimizer.learning_rate);
        state.lr_reduced = s.plateau.update(schedule, lr, row.val_loss);
        let last = row.epoch == components.num_epochs || verdict == Verdict::Stop;
        let due = match s.config.checkpoint_interval {
            Some(seconds) => state.last_save.elapsed().as_secs_f64() >= seconds,
            None => row.epoch.is_multiple_of(s.config.checkpoint_every),
        };
        // the lowest loss's weights, or every epoch's (a stop from outside saves the newest)
        let restores = s.config.restores_best();
        if !restores || state.early.is_best(row.epoch) {
            state.kept = Some(model.into_record());
            state.kept_unsaved = true;
            state.kept_as_read = None;
            if restores && s.config.checkpoint_interval.is_none() {
                self.write_kept(state)?; // saving by epochs: the best weights at each improvement
            }
        }
        Ok((verdict, due || last))
    }

    /// Hands the report to the observers, with the warnings it calls for.
    fn tell(
        &self,
        report: EpochReport,
        state: &mut LoopState,
        observers: &mut Observers,
    ) -> Result<()> {
        if !report.layers.is_empty() {
            // a frozen layer's gradient is 0 by the user's choice: not vanishing
            let frozen = self.settings.config.frozen_at(report.row.epoch);
            let grads: Vec<f64> = (report.layers.iter().skip(frozen))
                .map(|r| r.grad_norm)
                .collect();
            if let Some(w) = warning(report.row.epoch, &grads) {
                observers.warning(&w);
            }
            state.layers.extend(report.layers.iter().cloned());
        }
        observers.epoch(&report)?;
        if state.lr_reduced {
            observers.message("reduce-on-plateau: validation loss stalled, learning rate reduced");
        }
        state.rows.push(report.row);
        Ok(())
    }

    /// The best weights back into the learner (restore-best), and how it went.
    fn finish(
        &self,
        learner: &mut Learner<Mlp>,
        state: LoopState,
        observers: &mut Observers,
    ) -> Result<FitOutcome> {
        let s = &self.settings;
        if let (Some((epoch, loss)), true) = (state.early.best(), state.ending == Ending::Early) {
            let loss = Decimals(loss);
            observers.message(&format!(
                "early stopping: best val_loss {loss} at epoch {epoch}"
            ));
        }
        // a cut epoch's steps are dropped: the kept weights are the newest whole epoch's
        if s.config.restores_best() || state.ending == Ending::CutShort {
            let record = match state.kept {
                Some(record) => record,
                None => load_record(&s.run.model_path())?,
            };
            learner.load_model(record);
        }
        Ok(FitOutcome {
            rows: state.rows,
            best_epoch: state.early.best().map(|(epoch, _)| epoch),
            stopped_early: state.ending == Ending::Early,
            stopped: matches!(state.ending, Ending::Stopped | Ending::CutShort),
            diagnostics: state.layers,
        })
    }
}

/// A loss as recorded: cross-entropy and squared errors are ≥ 0, and a mean of −0 or a little
/// below (rounding in log-softmax) was printed as `-0.0000`. NaN stays NaN.
fn at_least_zero(loss: f64) -> f64 {
    if loss <= 0.0 {
        0.0
    } else {
        loss
    }
}

fn poisoned() -> Error {
    Error::Training("an observer panicked".into())
}

/// The model and the report at the end, for the observers.
pub fn end(observers: &mut Observers, outcome: &FitOutcome, model: &Mlp) -> Result<()> {
    observers.end(&TrainEnd { outcome, model })
}

impl SupervisedLearningStrategy<Mlp> for EpochLoop {
    fn fit(
        &self,
        mut components: TrainingComponents<Mlp>,
        mut learner: Learner<Mlp>,
        train: TrainLoader<Mlp>,
        valid: ValidLoader<Mlp>,
        first: usize,
    ) -> (Mlp, SupervisedTrainingEventProcessor<Mlp>) {
        let result = self.run_epochs(&mut components, &mut learner, &train, &valid, first);
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(result);
        }
        // Dropping the checkpointer waits for its last write to reach the disk.
        drop(components.checkpointer.take());
        (learner.model(), components.event_processor)
    }
}

#[cfg(test)]
mod tests {
    use super::at_least_zero;

    #[test]
    fn a_loss_rounded_below_zero_is_recorded_as_zero_and_nan_stays_nan() {
        assert_eq!(at_least_zero(-1e-9).to_string(), "0", "not -0");
        assert_eq!(at_least_zero(-0.0).to_string(), "0");
        assert_eq!(at_least_zero(0.25), 0.25);
        assert!(
            at_least_zero(f64::NAN).is_nan(),
            "a diverged run is still caught"
        );
    }
}
