//! The experiments and what they share: each claim of the tutorial, its variants, and the named
//! function that judges it (one file per experiment in `claims/`).

use super::claims;
use super::runner::{Start, Variant};
use super::verdict::{Judgement, Results};
use crate::data::DataSource;
use crate::train::{EarlyStoppingConfig, OptimizerConfig, TrainConfig};

/// An experiment: what it claims, how it is set up, and how the claim is judged.
pub struct Experiment {
    /// Name for `plaindnn experiment NAME`.
    pub name: &'static str,
    /// The tutorial's claim, in one sentence.
    pub claim: &'static str,
    /// The variants (quick: one short run each, for tests).
    pub variants: fn(quick: bool) -> Vec<Variant>,
    /// A validation loss to count epochs to, if the experiment measures speed.
    pub target_loss: Option<f64>,
    /// The extra column: grad ratio or epochs to target.
    pub extra: Extra,
    /// Did the claim hold on this run, by the rule of `verdict::RULE`?
    pub verdict: fn(&Results) -> Judgement,
}

/// The experiment-specific column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// Nothing more.
    None,
    /// First layer's over last layer's gradient norm in epoch 1.
    GradRatio,
    /// Epochs until validation loss falls below the target.
    EpochsToTarget,
}

/// Every experiment, in the tutorial's order.
pub const EXPERIMENTS: [Experiment; 10] = [
    claims::linear_collapse::EXPERIMENT,
    claims::activations::EXPERIMENT,
    claims::vanishing_gradients::EXPERIMENT,
    claims::exploding_gradients::EXPERIMENT,
    claims::optimizers::EXPERIMENT,
    claims::overfitting::EXPERIMENT,
    claims::default_config::EXPERIMENT,
    claims::depth::EXPERIMENT,
    claims::transfer::EXPERIMENT,
    claims::pretraining::EXPERIMENT,
];

/// A built-in data set (`train` rows, `val` fresh validation rows); the runner sets the seed.
pub fn data(name: &str, train: usize, val: usize, noise: f64) -> DataSource {
    DataSource::Builtin {
        name: name.into(),
        train_size: train,
        val_size: val,
        seed: 0,
        noise,
    }
}

/// Early stopping that waits 20 epochs and returns the best weights.
pub const PATIENT: EarlyStoppingConfig = EarlyStoppingConfig {
    patience: 20,
    min_delta: 0.0,
    restore_best_weights: true,
};

/// A classifier of the 16×16 `shapes` images (3 classes), Adam 1e-3 as usual for fine-tuning.
pub fn shapes_config(hidden: Vec<usize>, epochs: usize, quick: bool) -> TrainConfig {
    let mut c = TrainConfig::default_for(256, 3);
    c.model.hidden = hidden;
    c.optimizer = OptimizerConfig::adam(1e-3);
    c.epochs = if quick { 3 } else { epochs };
    c
}

/// A classifier for 2-D data with `hidden` layers, trained for `epochs` (quick: 3).
pub fn config(hidden: Vec<usize>, epochs: usize, quick: bool) -> TrainConfig {
    let mut c = TrainConfig::default_for(2, 2);
    c.model.hidden = hidden;
    c.epochs = if quick { 3 } else { epochs };
    c
}

/// A variant trained from random weights.
pub fn variant(label: &str, data: &DataSource, config: TrainConfig) -> Variant {
    Variant {
        label: label.into(),
        config,
        data: data.clone(),
        start: Start::Scratch,
    }
}

/// A variant whose network starts from another run (transfer or pretraining).
pub fn starting(label: &str, data: &DataSource, config: TrainConfig, start: Start) -> Variant {
    Variant {
        start,
        ..variant(label, data, config)
    }
}

/// `c` changed by `f`.
pub fn with(mut c: TrainConfig, f: impl FnOnce(&mut TrainConfig)) -> TrainConfig {
    f(&mut c);
    c
}

/// `0.953` → `95.3%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}
