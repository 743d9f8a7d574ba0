//! `TrainConfig`: one JSON document that, with the data it names, rebuilds a whole run.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::check::{in_unit, non_negative, positive};
use crate::data::{AugmentConfig, Dataset, Prepared, Targets};
use crate::error::{Error, Result};
use crate::model::MlpConfig;
use crate::spec::Spec;

/// Which optimizer updates the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adaptive moments (Kingma & Ba): "greatly speeds up convergence" per the tutorial.
    Adam,
    /// Adam with decoupled weight decay (Loshchilov & Hutter).
    AdamW,
    /// Plain gradient descent, with optional momentum: the tutorial's rolling ball.
    Sgd,
    /// Divides each step by a running RMS of recent gradients (Hinton).
    RmsProp,
}

impl FromStr for OptimizerKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "adam" => Ok(OptimizerKind::Adam),
            "adamw" => Ok(OptimizerKind::AdamW),
            "sgd" => Ok(OptimizerKind::Sgd),
            "rmsprop" => Ok(OptimizerKind::RmsProp),
            _ => Err(Error::Unknown {
                what: "optimizer",
                got: s.to_string(),
                valid: "adam, adamw, sgd, rmsprop".into(),
            }),
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::RmsProp => "rmsprop",
        })
    }
}

/// Optimizer and its hyper-parameters (PyTorch's names and defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Step size.
    pub learning_rate: f64,
    /// SGD momentum (0 = plain gradient descent).
    #[serde(default)]
    pub momentum: f64,
    /// Nesterov momentum for SGD.
    #[serde(default)]
    pub nesterov: bool,
    /// L2 penalty (Adam, SGD) or decoupled decay (AdamW).
    #[serde(default)]
    pub weight_decay: f64,
    /// Adam's first-moment decay.
    #[serde(default = "beta1")]
    pub beta1: f64,
    /// Adam's second-moment decay.
    #[serde(default = "beta2")]
    pub beta2: f64,
    /// Adam's denominator guard.
    #[serde(default = "epsilon")]
    pub epsilon: f64,
}

fn beta1() -> f64 {
    0.9
}
fn beta2() -> f64 {
    0.999
}
fn epsilon() -> f64 {
    1e-8
}

impl OptimizerConfig {
    /// Adam with PyTorch's defaults and the given learning rate.
    pub fn adam(learning_rate: f64) -> Self {
        Self {
            kind: OptimizerKind::Adam,
            learning_rate,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            beta1: beta1(),
            beta2: beta2(),
            epsilon: epsilon(),
        }
    }

    /// Rejects values that would make training meaningless, naming the value.
    pub fn validate(&self) -> Result<()> {
        positive("learning rate", self.learning_rate)?;
        in_unit("momentum", self.momentum, true)?;
        in_unit("beta1", self.beta1, false)?;
        in_unit("beta2", self.beta2, false)?;
        positive("epsilon", self.epsilon)?;
        non_negative("weight decay", self.weight_decay)
    }
}

/// Keras' `EarlyStopping(monitor="val_loss", patience, min_delta, restore_best_weights)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// Epochs without improvement before training stops.
    pub patience: usize,
    /// An epoch improves only if validation loss falls by more than this.
    pub min_delta: f64,
    /// End with (and keep as `model.bpk`) the best epoch's weights rather than the last.
    pub restore_best_weights: bool,
}

impl Default for EarlyStoppingConfig {
    /// Patience 10, min_delta 1e-4, best weights restored: plaindnn's one set of defaults.
    fn default() -> Self {
        Self {
            patience: 10,
            min_delta: 1e-4,
            restore_best_weights: true,
        }
    }
}

/// Penalties and constraints on the weights (the tutorial's remedies for overfitting).
///
/// They act on the Linear weight matrices only; biases, BatchNorm and PReLU parameters are left
/// alone unless `decay_biases` is set (for `weight_decay`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RegularizationConfig {
    /// L1 penalty `λ·Σ|w|`, as its gradient `λ·sign(w)`: pushes useless weights to exactly zero.
    pub l1: f64,
    /// L2 penalty `λ·Σw²`, as its gradient `2λ·w` (Keras' `kernel_regularizer=l2(λ)`).
    pub l2: f64,
    /// Apply `weight_decay` to biases and normalisation parameters too (PyTorch's default).
    pub decay_biases: bool,
    /// Max-norm: after every step, each unit's incoming weight vector is rescaled to norm ≤ c.
    pub max_norm: Option<f64>,
}

/// Gradient clipping: limit the gradient before each step (remedy for exploding gradients).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ClippingConfig {
    /// Clamp every gradient element to [−v, v] (Keras' `clipvalue`).
    pub value: Option<f64>,
    /// Rescale each parameter's gradient to L2 norm ≤ n (Keras' `clipnorm`).
    pub norm: Option<f64>,
    /// Rescale all gradients together so their joint L2 norm is ≤ n (PyTorch's
    /// `clip_grad_norm_`, Keras' `global_clipnorm`).
    pub global_norm: Option<f64>,
}

/// How the learning rate changes over training.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "kind", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum ScheduleConfig {
    /// The same rate throughout.
    #[default]
    Constant,
    /// Multiply by `gamma` every `every` epochs (PyTorch's `StepLR`).
    Step {
        /// Epochs between two decays.
        every: usize,
        /// Factor applied at each decay.
        gamma: f64,
    },
    /// Cosine from the initial rate down to `min_lr` over all epochs (`CosineAnnealingLR`).
    Cosine {
        /// Rate reached at the last epoch.
        min_lr: f64,
    },
    /// Multiply by `factor` after `patience` epochs without val_loss improvement
    /// (`ReduceLROnPlateau`), never below `min_lr`.
    Plateau {
        /// Factor applied at each reduction.
        factor: f64,
        /// Epochs without improvement before a reduction.
        patience: usize,
        /// Floor of the rate.
        min_lr: f64,
    },
}
crate::strict::strict!(ScheduleConfig);

impl FromStr for ScheduleConfig {
    type Err = Error;

    /// `constant`, `step[:every[:gamma]]`, `cosine[:min_lr]`, `plateau[:factor[:patience[:min_lr]]]`.
    fn from_str(s: &str) -> Result<Self> {
        let spec = Spec::parse("lr schedule", s);
        let name = spec.name.clone();
        spec.at_most(match name.as_str() {
            "step" => 2,
            "cosine" => 1,
            "plateau" | "reduce_on_plateau" => 3,
            _ => 0,
        })?;
        let (num, count) = (
            |i, default| spec.number(i, default),
            |i, d| spec.count(i, d),
        );
        let config = match name.as_str() {
            "constant" | "none" => ScheduleConfig::Constant,
            "step" => ScheduleConfig::Step { every: count(0, 10)?, gamma: num(1, 0.1)? },
            "cosine" => ScheduleConfig::Cosine { min_lr: num(0, 0.0)? },
            "plateau" | "reduce_on_plateau" => ScheduleConfig::Plateau {
                factor: num(0, 0.1)?,
                patience: count(1, 5)?,
                min_lr: num(2, 0.0)?,
            },
            _ => {
                return Err(Error::Unknown {
                    what: "lr schedule",
                    got: s.to_string(),
                    valid: "constant, step[:every[:gamma]], cosine[:min_lr], plateau[:factor[:patience[:min_lr]]]"
                        .into(),
                })
            }
        };
        config.validate()?;
        Ok(config)
    }
}

impl ScheduleConfig {
    /// Rejects factors outside (0, 1) and zero periods.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ScheduleConfig::Step { every, gamma } => {
                if every == 0 {
                    return Err(Error::invalid(
                        "lr schedule",
                        "step needs every >= 1 epoch, got 0",
                    ));
                }
                in_unit("step gamma", gamma, false)
            }
            ScheduleConfig::Plateau { factor, min_lr, .. } => {
                in_unit("plateau factor", factor, false)?;
                non_negative("plateau min_lr", min_lr)
            }
            ScheduleConfig::Cosine { min_lr } => non_negative("cosine min_lr", min_lr),
            ScheduleConfig::Constant => Ok(()),
        }
    }
}

impl RegularizationConfig {
    /// Rejects negative penalties and non-positive norms.
    pub fn validate(&self) -> Result<()> {
        non_negative("l1", self.l1)?;
        non_negative("l2", self.l2)?;
        if let Some(c) = self.max_norm {
            positive("max-norm", c)?;
        }
        Ok(())
    }
}

impl ClippingConfig {
    /// Rejects non-positive thresholds.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("clip value", self.value),
            ("clip norm", self.norm),
            ("clip global norm", self.global_norm),
        ] {
            if let Some(v) = v {
                positive(name, v)?;
            }
        }
        if self.value.is_some() && self.norm.is_some() {
            return Err(Error::invalid(
                "clipping",
                "choose clipping by value or by norm per tensor, not both",
            ));
        }
        Ok(())
    }
}

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
        if self.unfreeze_after.is_some() && self.freeze == 0 {
            return Err(Error::invalid(
                "unfreeze-after",
                "there is nothing to unfreeze: give --freeze N as well",
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
                    "saves by time; --checkpoint-every saves by epochs: give one of them",
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

    /// Hidden layers frozen during `epoch` (from 1): `freeze`'s, until `unfreeze_after` epochs
    /// have passed (gradual fine-tuning: the head learns first, then every layer).
    pub fn frozen_at(&self, epoch: usize) -> usize {
        match self.unfreeze_after {
            Some(after) if epoch > after => 0,
            _ => self.freeze,
        }
    }

    /// [`TrainConfig::validate`], and the network and augmentation fit the training rows.
    pub fn validate_for(&self, prepared: &Prepared) -> Result<()> {
        self.validate()?;
        let train = &prepared.train;
        let data = &train.data;
        let (inputs, outputs) = (data.width(), data.outputs());
        if self.model.inputs != inputs || self.model.outputs != outputs {
            return Err(Error::invalid(
                "model size",
                format!(
                    "the network has {} inputs and {} outputs but the data has {inputs} features \
                     and {outputs} outputs: it was made for other data (a --config file holds no \
                     data: give its run's data flags too)",
                    self.model.inputs, self.model.outputs
                ),
            ));
        }
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
                     fall; give a min_lr below --lr",
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
        if self.regularization.decay_biases && o.weight_decay == 0.0 {
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
