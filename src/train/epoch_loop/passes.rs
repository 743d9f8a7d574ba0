//! The first three phases of an epoch: the training pass, validation and the epoch's report.

use burn::data::dataloader::DataLoader;
use burn::module::Module;
use burn::tensor::Tensor;
use burn::train::Learner;

use super::{EpochLoop, LoopState};
use crate::data::Batch;
use crate::error::{Error, Result};
use crate::model::{read_f32, Mlp};
use crate::train::clipping::clip_global_norm;
use crate::train::config::NanPolicy;
use crate::train::diagnostics::layer_rows;
use crate::train::evaluate::{add, evaluate_in_units, Scores};
use crate::train::history::EpochRow;
use crate::train::observer::{EpochReport, LayerWeights, Observers, Wants};
use crate::train::pictures::decision_grid;

impl EpochLoop {
    /// Phase 1, one pass of gradient steps over the shuffled training rows; the mean training
    /// loss, or none where an observer's stop cut the pass short.
    pub(super) fn train_pass(
        &self,
        epoch: usize,
        learner: &mut Learner<Mlp>,
        train: &dyn DataLoader<Batch>,
        wants: Wants,
        state: &mut LoopState,
        observers: &mut Observers,
    ) -> Result<Option<f64>> {
        let config = &self.settings.config;
        let mut loss_sum: Option<Tensor<1>> = None;
        let (mut seen, mut steps, mut skipped) = (0, 0, 0);
        let mut batches = train.iter();
        while let Some(batch) = batches.next() {
            let batch = batch.map_err(|e| Error::Training(e.to_string()))?;
            let n = batch.len();
            if n == 1 && config.model.batch_norm {
                learner.lr_step(); // the schedule counts every batch of the epoch
                continue; // see `TrainConfig::lone_row`
            }
            let mut out = learner.train_step(batch);
            steps += 1;
            if config.on_nan == NanPolicy::SkipBatch {
                let loss = out.item.loss.clone().into_scalar::<f32>();
                if !loss.is_finite() {
                    skipped += 1;
                    let text =
                        format!("warning: epoch {epoch}, step {steps}: loss {loss}; batch skipped");
                    observers.warning(&text);
                    learner.lr_step(); // the schedule counts every batch of the epoch
                    continue;
                }
            }
            if wants.layers {
                state.grad_norms.add(&learner.model(), &out.grads);
            }
            if let Some(max) = config.clipping.global_norm {
                clip_global_norm(&learner.model(), &mut out.grads, max);
            }
            learner.lr_step();
            learner.optimizer_step(out.grads);
            let batch_loss = out.item.loss.detach().without_autodiff() * n as f32;
            add(&mut loss_sum, batch_loss);
            seen += n;
            let p = batches.progress();
            observers.step(epoch, p.items_processed, p.items_total);
            // rows left but a lone one BatchNorm skips: the epoch is cut short, and dropped
            let rest = p.items_total.saturating_sub(p.items_processed);
            if observers.should_stop() && rest > usize::from(config.model.batch_norm) {
                return Ok(None);
            }
        }
        if skipped == steps && steps > 0 {
            let what =
                format!("training diverged in epoch {epoch}: every batch's loss was non-finite");
            return Err(self.diverged(what, state));
        }
        let sum = loss_sum.map_or(f64::NAN, |t| t.into_scalar::<f32>() as f64);
        Ok(Some(sum / seen.max(1) as f64))
    }

    /// Phase 2, the model in inference mode (no dropout, BatchNorm on running statistics), scored.
    pub(super) fn validate(
        &self,
        epoch: usize,
        learner: &Learner<Mlp>,
        valid: &dyn DataLoader<Batch>,
        state: &mut LoopState,
    ) -> Result<(Mlp, Scores)> {
        let model = learner.model().valid();
        let scores = evaluate_in_units(&model, valid, self.settings.target_std.as_deref())?;
        self.check_finite(epoch, "validation", scores.loss, state)?;
        Ok((model, scores))
    }

    /// Phase 3, the epoch's report: the metrics row, and per-layer figures and the decision grid
    /// when an observer wants them.
    pub(super) fn record(
        &self,
        row: EpochRow,
        grads: Vec<f64>,
        model: &Mlp,
        valid: &dyn DataLoader<Batch>,
        wants: Wants,
    ) -> Result<EpochReport> {
        let layers = match wants.layers {
            true => {
                let first = valid.iter().next().and_then(|b| b.ok()).map(|b| b.inputs);
                let gap = row.val_loss - row.train_loss;
                layer_rows(row.epoch, model, &grads, first, gap)
            }
            false => Vec::new(),
        };
        let grid = match wants.grid {
            Some(n) => decision_grid(model, &self.settings.val, (n, wants.units))?,
            None => None,
        };
        let weights = match wants.weights {
            true => layer_weights(model)?,
            false => Vec::new(),
        };
        Ok(EpochReport {
            row,
            epochs: self.settings.config.epochs,
            improved: false,
            seconds: 0.0,
            layers,
            grid,
            weights,
        })
    }
}

/// Every Linear layer's weights, read back from the device.
fn layer_weights(model: &Mlp) -> Result<Vec<LayerWeights>> {
    model
        .linears()
        .into_iter()
        .map(|linear| {
            let [inputs, outputs] = linear.weight.dims();
            let values = read_f32(linear.weight.val(), "weights")?;
            Ok(LayerWeights {
                inputs,
                outputs,
                values,
            })
        })
        .collect()
}
