//! `TrainConfig`: one JSON document that, with the data it names, rebuilds a whole run.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::check::non_negative;
use crate::data::advice::MIN_LR_BELOW;
use crate::data::{AugmentConfig, Dataset, Prepared, Targets};
use crate::error::{Error, Result};
use crate::model::{ActivationConfig, MlpConfig};
use crate::plural::count;

// each part's config lives beside the code it configures, as Burn's own configs do
pub use super::clipping::ClippingConfig;
pub use super::early_stopping::EarlyStoppingConfig;
pub use super::optimizer::{OptimizerConfig, OptimizerKind};
pub use super::regularizer::RegularizationConfig;
pub use super::schedule::ScheduleConfig;

/// What to do when a batch's loss is NaN or infinite.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NanPolicy {
    /// Stop training with a message; the last good checkpoint stays (the default).
    #[default]
    Stop,
    /// Skip that batch's optimizer step and go on (each batch's loss is then checked as it comes).
    SkipBatch,
}

impl FromStr for NanPolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "stop" => Ok(NanPolicy::Stop),
            "skip-batch" => Ok(NanPolicy::SkipBatch),
            _ => Err(Error::Unknown {
                what: "NaN policy",
                got: s.to_string(),
                valid: "stop, skip-batch".into(),
            }),
        }
    }
}

/// The whole recipe of a training run.
///
/// Start from [`TrainConfig::default_for`] (or a [`crate::train::Preset`]) and change fields;
/// [`crate::train::train`] validates it, trains and writes the run directory.
///
/// ```
/// use plaindnn::data::DataSource;
/// use plaindnn::train::{self, EarlyStoppingConfig, TrainConfig, Verbosity};
/// # fn main() -> plaindnn::Result<()> {
/// let mut config = TrainConfig::default_for(2, 4); // quadrants: 2 inputs, 4 classes
/// config.epochs = 30;
/// config.early_stopping = Some(EarlyStoppingConfig {
///     patience: 5,
///     min_delta: 1e-4,
///     restore_best_weights: true,
/// });
/// let out = std::env::temp_dir().join("plaindnn-doctest-trainconfig");
/// let _ = std::fs::remove_dir_all(&out);
/// let run = train::train(DataSource::quadrants(7), config, &out, Verbosity::Quiet)?;
///
/// let best = &run.outcome.rows[run.outcome.best_epoch.unwrap() - 1];
/// assert!(best.val_metric > 0.9, "quadrants are easy, accuracy {}", best.val_metric);
/// assert!(out.join("model.bpk").is_file() && out.join("metrics.csv").is_file());
/// # std::fs::remove_dir_all(&out).ok();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// The network.
    pub model: MlpConfig,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
    /// Most epochs to train.
    pub epochs: usize,
    /// Rows per gradient step.
    pub batch_size: usize,
    /// Seed of weights, shuffling and dropout: same seed + same backend → same run.
    pub seed: u64,
    /// Stop when validation loss stops improving (`None`: train every epoch).
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// Penalties and constraints on the weights.
    #[serde(default)]
    pub regularization: RegularizationConfig,
    /// Gradient clipping.
    #[serde(default)]
    pub clipping: ClippingConfig,
    /// Learning-rate schedule.
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// Data augmentation of training batches.
    #[serde(default)]
    pub augment: AugmentConfig,
    /// What a non-finite loss does.
    #[serde(default)]
    pub on_nan: NanPolicy,
    /// Per-layer gradient norms, weight norms, dead units and the loss gap in `diagnostics.csv`.
    #[serde(default)]
    pub diagnostics: bool,
    /// Start the hidden layers from this run directory's weights (transfer learning).
    #[serde(default)]
    pub init_from: Option<std::path::PathBuf>,
    /// Keep the first N hidden layers fixed (with their BatchNorm statistics).
    #[serde(default)]
    pub freeze: usize,
    /// With `init_from`: the output layer starts from fresh random weights instead of the
    /// source's (Keras' `include_top=False` and a new classifier; PyTorch's `model.fc = …`).
    #[serde(default)]
    pub new_head: bool,
    /// Unfreeze the frozen layers after this many epochs (gradual fine-tuning).
    #[serde(default)]
    pub unfreeze_after: Option<usize>,
    /// Each class's weight in the training loss, by class index (Keras' `class_weight`,
    /// PyTorch's `CrossEntropyLoss(weight=…)`); validation's loss stays unweighted, as Keras'.
    #[serde(default)]
    pub class_weights: Option<Vec<f64>>,
    /// Epochs between two checkpoints for `--resume` (Lightning's `every_n_epochs`), when
    /// `checkpoint_interval` is `None`; the last epoch is always saved. Each checkpoint costs a
    /// few fsynced files.
    #[serde(default = "one")]
    pub checkpoint_every: usize,
    /// Seconds between two saves (Lightning's `train_time_interval`): at the end of the first
    /// epoch this long after the last save, the checkpoint for `--resume` and the kept weights
    /// (`model.bpk`: the best, or the last when they are not restored) are written together,
    /// and always after the last epoch — a kill loses at most this much training, and tiny
    /// epochs do not each pay for fsynced files. `None`: by epochs.
    #[serde(default)]
    pub checkpoint_interval: Option<f64>,
    /// Where to compute.
    #[serde(default)]
    pub backend: Backend,
}

impl TrainConfig {
    /// Checks every part and how the parts combine, naming the first bad value: the one
    /// validation pass that runs before any work starts.
    pub fn validate(&self) -> Result<()> {
        self.check_combinations()?;
        self.model.validate()?;
        self.model.without_hidden_layers()?;
        self.optimizer.validate()?;
        self.regularization.validate()?;
        self.clipping.validate()?;
        self.schedule.validate()?;
        if !self.backend.is_compiled() {
            // device() names the missing cargo feature
            self.backend.device()?;
        }
        if self.epochs == 0 {
            return Err(Error::invalid("epochs", "must be at least 1, got 0"));
        }
        if self.model.output_activation == ActivationConfig::Step {
            // the loss would hold no tracked tensor at all: Burn's backward panicked
            let why = "step's slope is 0 wherever it has one, so no gradient would leave the \
                       output and nothing would learn: leave it identity (the default), or give \
                       sigmoid or tanh";
            return Err(Error::invalid("output_activation", why));
        }
        if self.unfreeze_after.is_some() && self.freeze == 0 {
            return Err(Error::invalid(
                "unfreeze-after",
                "there is nothing to unfreeze: give --freeze N (1 or more layers) as well",
            ));
        }
        if self.unfreeze_after == Some(0) {
            // (more epochs than the run trains is fine: `--resume --epochs N` reaches them)
            return Err(Error::invalid(
                "unfreeze-after",
                "0 epochs would never freeze the layers: give at least 1, or leave --freeze out",
            ));
        }
        if self.checkpoint_every == 0 {
            return Err(Error::invalid(
                "checkpoint-every",
                "must be at least 1 epoch, got 0",
            ));
        }
        if let Some(seconds) = self.checkpoint_interval {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(Error::invalid(
                    "checkpoint-interval",
                    format!("must be a positive number of seconds, got {seconds}; --checkpoint-every 1 saves after every epoch"),
                ));
            }
            if self.checkpoint_every != 1 {
                return Err(Error::invalid(
                    "checkpoint-interval",
                    "saves by time; --checkpoint-every saves by epochs: give one of them (in a \
                     config, \"checkpoint_interval\": null saves every checkpoint_every epochs)",
                ));
            }
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch size", "must be at least 1, got 0"));
        }
        match &self.early_stopping {
            Some(es) => non_negative("min_delta", es.min_delta),
            None => Ok(()),
        }
    }
}

impl TrainConfig {
    /// Whether the run ends with its best epoch's weights (early stopping with
    /// `restore_best_weights`, as scikit-learn's `early_stopping=True`) rather than its last.
    /// `model.bpk` holds the weights the run ends with.
    pub fn restores_best(&self) -> bool {
        self.early_stopping
            .as_ref()
            .is_some_and(|c| c.restore_best_weights)
    }

    /// Why the learning-rate schedule never changes the rate in this run, if it cannot
    /// ([`ScheduleConfig::idle`]).
    pub fn schedule_idle(&self) -> Option<String> {
        let stop_after = self.early_stopping.as_ref().map(|es| es.patience);
        (self.schedule).idle(self.optimizer.learning_rate, self.epochs, stop_after)
    }

    /// Why one row of `rows` training rows is left out of each epoch, if one is: with BatchNorm,
    /// a last batch of one row is, as PyTorch's `drop_last` leaves it: over one row the batch
    /// variance is 0, every output its shift β, and the running variance shrinks by `momentum`
    /// right before the epoch is scored and saved.
    pub fn lone_row(&self, rows: usize) -> Option<String> {
        if !self.model.batch_norm || rows % self.batch_size != 1 {
            return None;
        }
        let fits = (self.batch_size + 1..=rows)
            .find(|b| rows % b != 1)
            .unwrap_or(rows);
        Some(format!(
            "batch-norm: {rows} training rows in batches of {} leave one row alone; it is left \
             out of each epoch's steps (another row each epoch, as shuffled), because BatchNorm \
             cannot normalise one row; --batch-size {fits} avoids it",
            self.batch_size
        ))
    }

    /// Why hidden layers never learn in this run, if a hidden layer's activation is `step`: its
    /// slope is 0 wherever it has one, so no gradient passes back through it.
    pub fn step_blocks(&self) -> Option<String> {
        let hidden = self.model.hidden.len();
        let last = (0..hidden).rev().find(|&i| {
            matches!(
                self.model.activation_of(i),
                crate::model::ActivationConfig::Step
            )
        })?;
        let layers = match last {
            0 => "hidden layer 1 never learns".to_string(),
            k => format!("hidden layers 1–{} never learn", k + 1),
        };
        Some(format!(
            "hidden layer {}'s activation is step, whose slope is 0 wherever it has one: no \
             gradient passes back through it, so {layers}, only the layers after it (sigmoid, \
             tanh or relu pass gradients back: the tutorial's reason for leaving step)",
            last + 1
        ))
    }

    /// What this recipe does otherwise than it may seem, each a warning: a schedule that never
    /// acts ([`Self::schedule_idle`]), layers a step activation cuts off ([`Self::step_blocks`]).
    pub fn warnings(&self) -> Vec<String> {
        self.schedule_idle()
            .into_iter()
            .chain(self.step_blocks())
            .collect()
    }

    /// Hidden layers frozen during `epoch` (from 1): `freeze`'s, until `unfreeze_after` epochs
    /// have passed (gradual fine-tuning: the head learns first, then every layer).
    pub fn frozen_at(&self, epoch: usize) -> usize {
        match self.unfreeze_after {
            Some(after) if epoch > after => 0,
            _ => self.freeze,
        }
    }

    /// The spread new weights are drawn from is usable where any are drawn: every layer of a new
    /// run, a new head over `--init-from`'s copied layers. A new run's check (and a resumed run's
    /// that starts over): a run's weights outlive the spread they started from.
    pub(crate) fn validate_draws(&self) -> Result<()> {
        match self.init_from.is_none() || self.new_head {
            true => self.model.init.validate(),
            false => Ok(()),
        }
    }

    /// [`TrainConfig::validate`], the rows are consistent ([`Prepared::check`]), and the network
    /// and augmentation fit the training rows.
    pub fn validate_for(&self, prepared: &Prepared) -> Result<()> {
        self.validate()?;
        // a new run's alone: runs before this check kept `--preset plain`'s betas, and resume
        let o = &self.optimizer;
        if let Some((name, used_by)) = o.unused_moments() {
            let why = format!(
                "{} has no {name} ({used_by}): leave it at its default, or use --optimizer adam",
                o.kind
            );
            return Err(Error::invalid(name, why));
        }
        self.validate_draws()?;
        prepared.check()?;
        let train = &prepared.train;
        let data = &train.data;
        let (inputs, outputs) = (data.width(), data.outputs());
        if self.model.inputs != inputs || self.model.outputs != outputs {
            return Err(Error::invalid(
                "model size",
                format!(
                    "the network has {} and {} but the data has {} and {}: it was made for \
                     other data (a --config file holds no data: give its run's data flags too)",
                    count(self.model.inputs, "input"),
                    count(self.model.outputs, "output"),
                    count(inputs, "feature"),
                    count(outputs, "output")
                ),
            ));
        }
        class_weights_fit(self.class_weights.as_deref(), data)?;
        let scaled = prepared.scaler.is_some();
        squares_fit(data, scaled)?;
        squares_fit(&prepared.val.data, scaled)?; // a separate validation file
        if self.model.batch_norm && train.len() == 1 {
            return Err(Error::invalid(
                "batch-norm",
                "the training set holds one row, and BatchNorm cannot normalise one row: give \
                 more rows or leave out --batch-norm",
            ));
        }
        self.augment.validate(data.image)
    }

    /// Options that only mean something together with another one are refused alone, so no
    /// flag is ever silently ignored.
    fn check_combinations(&self) -> Result<()> {
        let o = &self.optimizer;
        let floor = match self.schedule {
            ScheduleConfig::Cosine { min_lr } | ScheduleConfig::Plateau { min_lr, .. } => min_lr,
            _ => 0.0,
        };
        if self.model.batch_norm && self.batch_size == 1 {
            return Err(Error::invalid(
                "batch-norm",
                "BatchNorm normalises each unit over the batch, and over one row every output \
                 is its shift β (PyTorch refuses it too): use --batch-size 2 or more",
            ));
        }
        if floor > o.learning_rate && o.learning_rate > 0.0 {
            return Err(Error::invalid(
                "lr schedule",
                format!(
                    "its min_lr {floor} is above the learning rate {}: the rate would rise, not \
                     fall; {MIN_LR_BELOW}",
                    o.learning_rate
                ),
            ));
        }
        if o.momentum != 0.0 && !matches!(o.kind, OptimizerKind::Sgd | OptimizerKind::RmsProp) {
            return Err(Error::invalid(
                "momentum",
                format!(
                    "{} has no momentum parameter (its beta1 plays that role); use --optimizer sgd or rmsprop",
                    o.kind
                ),
            ));
        }
        if o.nesterov && (o.kind != OptimizerKind::Sgd || o.momentum == 0.0) {
            return Err(Error::invalid(
                "nesterov",
                "Nesterov momentum needs --optimizer sgd and --momentum M > 0",
            ));
        }
        if self.regularization.decay_biases && o.weight_decay() == 0.0 {
            return Err(Error::invalid(
                "decay-biases",
                "there is no weight decay to apply to biases: give --weight-decay λ too",
            ));
        }
        if self.freeze > 0 && self.init_from.is_none() {
            return Err(Error::invalid(
                "freeze",
                "freezes layers loaded from another network: give --init-from RUN_DIR|FILE too",
            ));
        }
        if self.freeze > self.model.hidden.len() {
            let hidden = self.model.hidden.len();
            return Err(Error::invalid(
                "freeze",
                format!(
                    "the network has {}, got {}",
                    crate::plural::count(hidden, "hidden layer"),
                    self.freeze
                ),
            ));
        }
        if self.new_head && self.init_from.is_none() {
            return Err(Error::invalid(
                "new-head",
                "replaces the output layer of a network loaded from elsewhere: give --init-from RUN_DIR|FILE too",
            ));
        }
        Ok(())
    }

    /// plaindnn's starting recipe: the tutorial's one hidden layer of 50 ReLU units, Adam (lr 0.01),
    /// up to 100 epochs of batches of 32, early stopping after 10 epochs without improvement.
    pub fn default_for(inputs: usize, outputs: usize) -> Self {
        Self {
            model: MlpConfig::new(inputs, vec![50], outputs),
            optimizer: OptimizerConfig::adam(0.01),
            epochs: 100,
            batch_size: 32,
            seed: 42,
            early_stopping: Some(EarlyStoppingConfig::default()),
            regularization: RegularizationConfig::default(),
            clipping: ClippingConfig::default(),
            schedule: ScheduleConfig::default(),
            augment: AugmentConfig::default(),
            on_nan: NanPolicy::default(),
            diagnostics: false,
            init_from: None,
            freeze: 0,
            new_head: false,
            unfreeze_after: None,
            class_weights: None,
            checkpoint_every: 1,
            checkpoint_interval: Some(DEFAULT_CHECKPOINT_INTERVAL),
            backend: Backend::default(),
        }
    }
}

/// Seconds between two saves unless told otherwise: epochs of real size save after each one,
/// a thousand tiny epochs save once a second instead of a thousand times.
pub const DEFAULT_CHECKPOINT_INTERVAL: f64 = 1.0;

fn one() -> usize {
    1
}

/// Class weights, where given, are one positive finite number per class of a classification.
fn class_weights_fit(weights: Option<&[f64]>, data: &Dataset) -> Result<()> {
    let Some(weights) = weights else {
        return Ok(());
    };
    let bad = |why: String| Err(Error::invalid("class-weight", why));
    let Targets::Classes(_) = &data.targets else {
        return bad("weighs the classes of a classification, and this target is a value".into());
    };
    let classes = data.class_names.len();
    if weights.len() != classes {
        let names = data.class_names.join(", ");
        return bad(format!(
            "{} weights for {classes} classes ({names})",
            weights.len()
        ));
    }
    match weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        Some(w) => bad(format!(
            "{} is no weight: each must be a positive number",
            crate::spec::number(*w)
        )),
        None => weights
            .iter()
            .try_for_each(|&w| crate::check::within_f32("class-weight", w)),
    }
}

/// Refuses a target beyond √(f32::MAX) ≈ 1.8e19: its squared error is infinite, and no rate trains.
fn squares_fit(data: &Dataset, scaled: bool) -> Result<()> {
    let Targets::Values { values, width } = &data.targets else {
        return Ok(());
    };
    let Some(at) = values.iter().position(|v| v.abs() > 1.8e19) else {
        return Ok(());
    };
    let big = values[at];
    let column = &data.feature_names[at % width.max(&1)];
    let why = match (data.reconstructs, scaled) {
        // an autoencoder's targets are its inputs
        (true, false) => format!(
            "column `{column}` holds {big:e}, whose square is beyond f32 (3.4e38), so the \
             reconstruction loss would be infinite: standardise it (leave out --no-standardize) \
             or scale it"
        ),
        (true, true) => format!(
            "column `{column}` holds a value {big:e} deviations from its training rows' mean, \
             whose square is beyond f32: an outlier to remove or scale"
        ),
        (false, _) => format!(
            "column `{}` holds the target {big:e}, whose square is beyond f32 (3.4e38), so the \
             loss would be infinite: scale the column (e.g. into millions)",
            data.target_name
        ),
    };
    Err(Error::invalid("target", why))
}
