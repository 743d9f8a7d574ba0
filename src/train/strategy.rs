//! The epoch loop plaindnn runs inside burn-train's `SupervisedTraining`: Burn's Learner does the
//! steps; this adds what Burn lacks — min_delta, restore-best-weights, atomic checkpoints, NaN stops,
//! readable progress and `metrics.csv`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Device, Tensor};
use burn::train::{
    Learner, SupervisedLearningStrategy, SupervisedTrainingEventProcessor, TrainLoader,
    TrainingComponents, ValidLoader,
};

use super::checkpoint::write_atomic;
use super::clipping::clip_global_norm;
use super::config::{EarlyStoppingConfig, NanPolicy, ScheduleConfig};
use super::diagnostics::{
    dead_fractions, layer_names, warning, weight_norms, DiagnosticsLog, GradientNorms, LayerRow,
};
use super::early_stopping::{EarlyStopping, Verdict};
use super::evaluate::{add, evaluate};
use super::history::{EpochRow, History};
use super::progress::{Progress, Verbosity};
use super::run_dir::RunDir;
use super::schedule::PlateauHandle;
use crate::data::Task;
use crate::error::{Error, Result};
use crate::model::{FrozenPrefix, Mlp};
use crate::random::mix;

/// What the loop needs besides Burn's components.
pub struct FitSettings {
    /// The training device (autodiff).
    pub device: Device,
    /// Seed; each epoch reseeds the model's random streams with (seed, epoch) so a resumed run
    /// matches.
    pub seed: u64,
    /// Classification or regression (picks the metric column).
    pub task: Task,
    /// Early stopping, if any.
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// Where `model.bpk` and `metrics.csv` go.
    pub run: RunDir,
    /// Rows already trained (a resumed run), replayed into early stopping.
    pub resumed: Vec<EpochRow>,
    /// Tells the training loader which epoch it is shuffling for.
    pub epoch_handle: Arc<AtomicUsize>,
    /// How much to print.
    pub verbosity: Verbosity,
    /// Joint L2 norm all gradients are scaled down to, if larger.
    pub clip_global_norm: Option<f64>,
    /// The learning-rate schedule (the loop reports validation loss to a plateau schedule).
    pub schedule: ScheduleConfig,
    /// The initial learning rate.
    pub base_lr: f64,
    /// Shared with the scheduler.
    pub plateau: PlateauHandle,
    /// What a non-finite batch loss does.
    pub on_nan: NanPolicy,
    /// Write per-layer gradient and weight norms and dead units to `diagnostics.csv`.
    pub diagnostics: bool,
    /// The model's frozen-prefix handle, the blocks frozen, and the epochs before unfreezing.
    pub frozen: (FrozenPrefix, usize, Option<usize>),
    /// Epochs between two checkpoints for `--resume` (the last epoch is always saved).
    pub checkpoint_every: usize,
}

/// How the loop ended.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOutcome {
    /// Every epoch's metrics, resumed ones included.
    pub rows: Vec<EpochRow>,
    /// The epoch whose weights are in `model.bpk`.
    pub best_epoch: Option<usize>,
    /// Whether early stopping ended training before the last epoch.
    pub stopped_early: bool,
    /// Per-layer diagnostics of every epoch (with `--diagnostics`).
    pub diagnostics: Vec<LayerRow>,
}

/// A `SupervisedLearningStrategy` for [`Mlp`]; the result is read back through [`Self::outcome`].
pub struct PlainStrategy {
    settings: FitSettings,
    outcome: Mutex<Option<Result<FitOutcome>>>,
}

impl PlainStrategy {
    /// A strategy with these settings.
    pub fn new(settings: FitSettings) -> Self {
        Self {
            settings,
            outcome: Mutex::new(None),
        }
    }

    /// How the loop ended (taken once, after `launch`).
    pub fn outcome(&self) -> Result<FitOutcome> {
        let taken = self.outcome.lock().map(|mut o| o.take()).unwrap_or(None);
        taken.unwrap_or_else(|| Err(Error::Training("the training loop did not run".into())))
    }

    fn run_epochs(
        &self,
        components: &mut TrainingComponents<Mlp>,
        learner: &mut Learner<Mlp>,
        train_loader: &TrainLoader<Mlp>,
        valid_loader: &ValidLoader<Mlp>,
        starting_epoch: usize,
    ) -> Result<FitOutcome> {
        let s = &self.settings;
        let train = train_loader.to_device(&s.device);
        let valid = valid_loader.to_device(&s.device.clone().inner());
        learner.fork(&s.device);

        let mut early = EarlyStopping::new(s.early_stopping.as_ref());
        for row in &s.resumed {
            early.update(row.epoch, row.val_loss);
        }
        let (mut history, mut rows) = if starting_epoch > 1 {
            History::resume(&s.run.metrics_path(), s.task, starting_epoch - 1)?
        } else {
            (History::create(&s.run.metrics_path(), s.task)?, Vec::new())
        };
        let mut progress = Progress::new(s.verbosity, s.task, components.num_epochs);
        let mut best_record: Option<ModuleRecord> = None;
        let (mut diag_log, mut diag_rows) = match s.diagnostics {
            true => {
                let (log, kept) = DiagnosticsLog::open(
                    &s.run.root().join("diagnostics.csv"),
                    starting_epoch - 1,
                )?;
                (Some(log), kept)
            }
            false => (None, Vec::new()),
        };
        let mut grad_norms = GradientNorms::default();
        let mut stopped_early = false;
        // the newest epoch `--resume` can continue from (a resumed run starts from one)
        let mut saved = (starting_epoch > 1).then(|| starting_epoch - 1);

        for epoch in starting_epoch..=components.num_epochs {
            s.epoch_handle.store(epoch, Ordering::Relaxed);
            // dropout masks and RReLU slopes restart from (seed, epoch): a resumed run matches
            learner.model().reseed(mix(s.seed, epoch as u64));
            if let (handle, n, Some(after)) = &s.frozen {
                // gradual fine-tuning: the head learns first, then every layer
                handle.set(if epoch > *after { 0 } else { *n });
            }
            progress.start_epoch(epoch);

            // 1. one pass of gradient steps over the shuffled training rows
            let mut loss_sum: Option<Tensor<1>> = None;
            let (mut seen, mut step, mut skipped) = (0, 0, 0);
            let mut batches = train.iter();
            while let Some(batch) = batches.next() {
                let batch = batch.map_err(|e| Error::Training(e.to_string()))?;
                let n = batch.len();
                let mut out = learner.train_step(batch);
                step += 1;
                if s.on_nan == NanPolicy::SkipBatch {
                    let loss = out.item.loss.clone().into_scalar::<f32>();
                    if !loss.is_finite() {
                        skipped += 1;
                        progress.message(&format!(
                            "epoch {epoch}, step {step}: loss {loss}; batch skipped"
                        ));
                        continue;
                    }
                }
                if s.diagnostics {
                    grad_norms.add(&learner.model(), &out.grads);
                }
                if let Some(max) = s.clip_global_norm {
                    clip_global_norm(&learner.model(), &mut out.grads, max);
                }
                learner.lr_step();
                learner.optimizer_step(out.grads);
                add(
                    &mut loss_sum,
                    out.item.loss.detach().without_autodiff() * n as f32,
                );
                seen += n;
                let p = batches.progress();
                progress.items(p.items_processed, p.items_total);
                if components.interrupter.should_stop() {
                    break;
                }
            }
            let train_loss = loss_sum.map_or(f64::NAN, |t| {
                t.into_scalar::<f32>() as f64 / seen.max(1) as f64
            });
            if skipped == step && step > 0 {
                return Err(Error::Diverged(format!(
                    "training diverged in epoch {epoch}: every batch's loss was non-finite; \
                     the last good checkpoint is kept in {}",
                    s.run.checkpoint_dir().display()
                )));
            }
            check_finite(epoch, "training", train_loss, saved, s)?;

            // 2. validation, with dropout off and BatchNorm on running statistics
            let model = learner.model().valid();
            let scores = evaluate(&model, valid.as_ref())?;
            check_finite(epoch, "validation", scores.loss, saved, s)?;

            // 3. diagnostics: what each layer's gradients and units did this epoch
            if let Some(log) = diag_log.as_mut() {
                let grads = grad_norms.take_means();
                let first = valid.iter().next().and_then(|b| b.ok()).map(|b| b.inputs);
                let dead = first.map_or_else(Vec::new, |x| dead_fractions(&model, x));
                let rows: Vec<LayerRow> = layer_names(&model)
                    .into_iter()
                    .zip(weight_norms(&model))
                    .enumerate()
                    .map(|(i, (layer, weight_norm))| LayerRow {
                        epoch,
                        layer,
                        grad_norm: grads.get(i).copied().unwrap_or(0.0),
                        weight_norm,
                        dead_fraction: dead.get(i).copied().flatten(),
                        loss_gap: scores.loss - train_loss,
                    })
                    .collect();
                log.append(&rows)?;
                diag_rows.extend(rows);
                if let Some(w) = warning(epoch, &grads) {
                    progress.message(&w);
                }
            }

            // 4. bookkeeping: best weights, checkpoint, metrics row, progress line
            let row = EpochRow {
                epoch,
                train_loss,
                val_loss: scores.loss,
                val_metric: scores.headline(),
                lr: learner.lr_current().base(),
            };
            let verdict = early.update(epoch, row.val_loss);
            let reduced = s.plateau.update(&s.schedule, s.base_lr, row.val_loss);
            if verdict == Verdict::Improved {
                let record = model.into_record();
                let bytes = record
                    .clone()
                    .into_bytes()
                    .map_err(|e| Error::Training(e.to_string()))?;
                write_atomic(&s.run.model_path(), &bytes)?;
                best_record = Some(record);
            }
            // every `checkpoint_every` epochs, and always at the end, so `--resume` can continue
            let last = epoch == components.num_epochs || verdict == Verdict::Stop;
            if let (Some(checkpointer), true) = (
                components.checkpointer.as_mut(),
                epoch % s.checkpoint_every == 0 || last,
            ) {
                checkpointer.checkpoint(learner, epoch, &components.event_store);
                saved = Some(epoch);
            }
            history.append(&row)?;
            progress.end_epoch(&row, verdict == Verdict::Improved);
            if reduced {
                progress
                    .message("reduce-on-plateau: validation loss stalled, learning rate reduced");
            }
            rows.push(row);
            if verdict == Verdict::Stop {
                stopped_early = true;
                break;
            }
        }

        let best_epoch = early.best().map(|(epoch, _)| epoch);
        if let (Some((epoch, loss)), true) = (early.best(), stopped_early) {
            progress.message(&format!(
                "early stopping: best val_loss {loss:.4} at epoch {epoch}"
            ));
        }
        let restore = s
            .early_stopping
            .as_ref()
            .is_some_and(|c| c.restore_best_weights);
        if restore {
            let record = match best_record {
                Some(record) => record,
                None => ModuleRecord::load(s.run.model_path()).map_err(|e| Error::Checkpoint {
                    path: s.run.model_path(),
                    message: e.to_string(),
                })?,
            };
            learner.load_model(record);
        }
        Ok(FitOutcome {
            rows,
            best_epoch,
            stopped_early,
            diagnostics: diag_rows,
        })
    }
}

/// Stops with a clear message when a loss stops being a finite number.
fn check_finite(
    epoch: usize,
    split: &str,
    loss: f64,
    saved: Option<usize>,
    s: &FitSettings,
) -> Result<()> {
    if loss.is_finite() {
        return Ok(());
    }
    let kept = match saved {
        Some(saved) => format!(
            "the last good checkpoint (epoch {saved}) is kept in {}",
            s.run.checkpoint_dir().display()
        ),
        None => "no checkpoint was saved yet".to_string(),
    };
    Err(Error::Diverged(format!(
        "training diverged in epoch {epoch}: the {split} loss became {loss}; {kept}. \
         Try a smaller learning rate or gradient clipping."
    )))
}

impl SupervisedLearningStrategy<Mlp> for PlainStrategy {
    fn fit(
        &self,
        mut components: TrainingComponents<Mlp>,
        mut learner: Learner<Mlp>,
        train: TrainLoader<Mlp>,
        valid: ValidLoader<Mlp>,
        starting_epoch: usize,
    ) -> (Mlp, SupervisedTrainingEventProcessor<Mlp>) {
        let result = self.run_epochs(
            &mut components,
            &mut learner,
            &train,
            &valid,
            starting_epoch,
        );
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(result);
        }
        // Dropping the checkpointer waits for its last write to reach the disk.
        drop(components.checkpointer.take());
        (learner.model(), components.event_processor)
    }
}
