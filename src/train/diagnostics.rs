//! `--diagnostics`: per-layer gradient and weight norms, dead ReLU units and the train/validation
//! gap, every epoch, in `diagnostics.csv` — the tutorial's problems made visible.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::Serialize;

use super::clipping::sum_of_squares;
use super::observer::{EpochReport, TrainObserver, Wants};
use crate::error::{Error, Result};
use crate::files::rewrite_for_append;
use crate::model::{ActivationConfig, Mlp};

/// One layer in one epoch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerRow {
    /// Epoch, from 1.
    pub epoch: usize,
    /// `dense_1`, …, `dense_out` (as in the summary).
    pub layer: String,
    /// Mean over the epoch's steps of ‖∂loss/∂W‖₂ (before any clipping).
    pub grad_norm: f64,
    /// ‖W‖₂ at the end of the epoch.
    pub weight_norm: f64,
    /// Share of the layer's units that output 0 for every row of a validation batch (ReLU and
    /// step only: other activations are never exactly 0).
    pub dead_fraction: Option<f64>,
    /// Validation loss minus training loss: growing means overfitting.
    pub loss_gap: f64,
}

const HEADER: &str = "epoch,layer,grad_norm,weight_norm,dead_fraction,loss_gap";

impl LayerRow {
    fn to_csv(&self) -> String {
        let dead = self
            .dead_fraction
            .map_or(String::new(), |d| format!("{d:.6}"));
        format!(
            "{},{},{:e},{:e},{dead},{:.8}",
            self.epoch, self.layer, self.grad_norm, self.weight_norm, self.loss_gap
        )
    }
}

/// Layer names in order: `dense_1` … `dense_out`.
pub fn layer_names(model: &Mlp) -> Vec<String> {
    let hidden = model.blocks.len();
    (1..=hidden)
        .map(|i| format!("dense_{i}"))
        .chain(std::iter::once("dense_out".to_string()))
        .collect()
}

/// One epoch's row per layer: the mean gradient norms `grads` of its steps, the weight norms now,
/// the dead units on `batch` (a validation batch) and the validation − training loss `gap`.
pub fn layer_rows(
    epoch: usize,
    model: &Mlp,
    grads: &[f64],
    batch: Option<Tensor<2>>,
    gap: f64,
) -> Vec<LayerRow> {
    let dead = batch.map_or_else(Vec::new, |x| dead_fractions(model, x));
    layer_names(model)
        .into_iter()
        .zip(weight_norms(model))
        .enumerate()
        .map(|(i, (layer, weight_norm))| LayerRow {
            epoch,
            layer,
            grad_norm: grads.get(i).copied().unwrap_or(0.0),
            weight_norm,
            dead_fraction: dead.get(i).copied().flatten(),
            loss_gap: gap,
        })
        .collect()
}

/// Sums per-layer gradient norms over an epoch's steps.
#[derive(Default)]
pub struct GradientNorms {
    sums: Vec<f64>,
    steps: usize,
}

impl GradientNorms {
    /// Adds one step's gradients of every Linear weight.
    pub fn add(&mut self, model: &Mlp, grads: &GradientsParams) {
        let norms: Vec<f64> = model
            .linears()
            .iter()
            .map(|l| grads.get::<2>(l.weight.id).map_or(0.0, norm))
            .collect();
        if self.sums.len() != norms.len() {
            self.sums = vec![0.0; norms.len()];
        }
        self.sums.iter_mut().zip(norms).for_each(|(s, n)| *s += n);
        self.steps += 1;
    }

    /// Mean norm per layer, and starts over.
    pub fn take_means(&mut self) -> Vec<f64> {
        let steps = self.steps.max(1) as f64;
        let means = self.sums.iter().map(|s| s / steps).collect();
        *self = Self::default();
        means
    }
}

fn norm(t: Tensor<2>) -> f64 {
    sum_of_squares(t).sqrt()
}

/// ‖W‖₂ of every Linear layer.
pub fn weight_norms(model: &Mlp) -> Vec<f64> {
    model
        .linears()
        .iter()
        .map(|l| norm(l.weight.val()))
        .collect()
}

/// Dead-unit share of each hidden layer on `x` (one more `None` for the output layer).
pub fn dead_fractions(model: &Mlp, x: Tensor<2>) -> Vec<Option<f64>> {
    let mut fractions: Vec<Option<f64>> = model
        .blocks
        .iter()
        .zip(model.hidden_outputs(x))
        .map(|(block, out)| match block.activation.config() {
            ActivationConfig::Relu | ActivationConfig::Step => {
                let units = out.dims()[1];
                // a unit is dead when its largest output over the batch is 0
                let dead = out
                    .max_dim(0)
                    .lower_equal_elem(0.0)
                    .int()
                    .sum()
                    .into_scalar::<i64>();
                Some(dead as f64 / units.max(1) as f64)
            }
            _ => None,
        })
        .collect();
    fractions.push(None);
    fractions
}

/// Where the words of [`warning`] send a reader for the dead units: a run's own file.
pub const SEE_DEAD: &str = "see dead_fraction in diagnostics.csv";

/// One line about vanishing or exploding gradients, when the first layer's gradient norm is over
/// 1000× smaller or larger than the last layer's.
pub fn warning(epoch: usize, grad_norms: &[f64]) -> Option<String> {
    let (&first, &last) = (grad_norms.first()?, grad_norms.last()?);
    if grad_norms.iter().all(|&g| g == 0.0) {
        return Some(format!(
            // grad_norm is the weight matrices': the output layer's bias may still learn
            "warning: no gradient in epoch {epoch}: every layer's gradient norm is 0, so no weight \
             changes any more, only biases (a layer whose units all output 0? {SEE_DEAD})"
        ));
    }
    if grad_norms.len() < 2 || !(first.is_finite() && last.is_finite()) {
        return None;
    }
    // a ratio as 1.2e5, not hundreds of digits when a norm is near 0
    if first == 0.0 && last > 0.0 {
        Some(format!(
            "warning: vanishing gradients in epoch {epoch}: the first layer's gradient norm is 0 (the last layer's {last:.2e}): no gradient reaches it"
        ))
    } else if first * 1000.0 < last {
        Some(format!(
            "warning: vanishing gradients in epoch {epoch}: the first layer's gradient norm ({first:.2e}) is {:.1e}× smaller than the last layer's ({last:.2e})",
            last / first
        ))
    } else if first > 1000.0 * last {
        Some(format!(
            "warning: exploding gradients in epoch {epoch}: the first layer's gradient norm ({first:.2e}) is {:.1e}× larger than the last layer's ({last:.2e})",
            first / last.max(f64::MIN_POSITIVE)
        ))
    } else {
        None
    }
}

/// Appends rows to `diagnostics.csv` (kept rows ≤ the resumed epoch on resume).
pub struct DiagnosticsLog {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl DiagnosticsLog {
    /// Opens `path`, keeping rows of epochs up to `keep_through` (0: a fresh file).
    pub fn open(path: &Path, keep_through: usize) -> Result<(Self, Vec<LayerRow>)> {
        let mut text = format!("{HEADER}\n");
        let mut kept = Vec::new();
        if keep_through > 0 {
            if let Ok(file) = std::fs::File::open(path) {
                for line in BufReader::new(file)
                    .lines()
                    .skip(1)
                    .map_while(std::result::Result::ok)
                {
                    if let Some(row) = parse(&line).filter(|r| r.epoch <= keep_through) {
                        text += &format!("{line}\n");
                        kept.push(row);
                    }
                }
            }
        }
        let file = rewrite_for_append(path, &text)?;
        Ok((
            Self {
                file,
                path: path.to_path_buf(),
            },
            kept,
        ))
    }

    /// Writes the rows of one epoch.
    pub fn append(&mut self, rows: &[LayerRow]) -> Result<()> {
        let text: String = rows.iter().map(|r| r.to_csv() + "\n").collect();
        self.file
            .write_all(text.as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| Error::io(&self.path, e))
    }
}

impl TrainObserver for DiagnosticsLog {
    fn wants(&self) -> Wants {
        Wants {
            layers: true,
            ..Wants::default()
        }
    }

    fn on_epoch(&mut self, report: &EpochReport) -> Result<()> {
        self.append(&report.layers)
    }

    /// On disk before the checkpoint, as `metrics.csv`.
    fn on_checkpoint(&mut self, _epoch: usize) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

fn parse(line: &str) -> Option<LayerRow> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() != 6 {
        return None;
    }
    Some(LayerRow {
        epoch: f[0].parse().ok()?,
        layer: f[1].to_string(),
        grad_norm: f[2].parse().ok()?,
        weight_norm: f[3].parse().ok()?,
        dead_fraction: f[4].parse().ok(),
        loss_gap: f[5].parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_layer_gradient_a_thousand_times_smaller_is_called_vanishing() {
        assert!(warning(3, &[1e-7, 1e-3, 1e-2])
            .is_some_and(|w| w.contains("vanishing gradients in epoch 3")));
        assert!(warning(3, &[1e2, 1e-2]).is_some_and(|w| w.contains("exploding")));
        assert_eq!(warning(3, &[1e-3, 1e-2]), None);
    }

    #[test]
    fn the_ratio_is_written_short_and_a_first_layer_with_no_gradient_says_so() {
        // the playground showed `… is 5921482946381496…× smaller` (hundreds of digits) for a norm of 0
        let w = warning(1, &[1e-12, 2.5e-1]).unwrap_or_default();
        assert!(w.contains("(1.00e-12) is 2.5e11× smaller"), "{w}");
        let none = warning(4, &[0.0, 0.0, 0.0]).unwrap_or_default();
        assert!(none.contains("no gradient in epoch 4"), "{none}");
        let alone = warning(2, &[0.0]).unwrap_or_default(); // a network without hidden layers
        assert!(alone.contains("no gradient in epoch 2"), "{alone}");
        let w = warning(1, &[0.0, 2.5e-1]).unwrap_or_default();
        assert!(
            w.contains("gradient norm is 0 (the last layer's 2.50e-1): no gradient reaches it"),
            "{w}"
        );
    }

    #[test]
    fn rows_round_trip_through_the_csv() {
        let row = LayerRow {
            epoch: 2,
            layer: "dense_1".into(),
            grad_norm: 0.125,
            weight_norm: 3.5,
            dead_fraction: Some(0.25),
            loss_gap: 0.01,
        };
        assert_eq!(parse(&row.to_csv()), Some(row));
    }
}
