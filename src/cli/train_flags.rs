//! The flags of `plaindnn train`, in the groups `--help` shows as headings; each group writes
//! itself into its part of a `TrainConfig`. Defaults live in the library's config types: a flag
//! that is not given leaves the config as it is.

use std::path::PathBuf;

use clap::{ArgAction, Args};
use plaindnn::backend::Backend;
use plaindnn::model::{ActivationConfig, AddedFeature, InitConfig};
use plaindnn::train::{EarlyStoppingConfig, NanPolicy, OptimizerKind, ScheduleConfig, TrainConfig};

use super::choices::{self, choices};

/// The network.
#[derive(Args, Debug)]
#[command(next_help_heading = "Model")]
pub struct ModelFlags {
    /// Hidden layer widths, input side first, or `none`: the output layer alone, a linear or
    /// logistic model (scikit-learn's hidden_layer_sizes=()) (with --init-from: its source's)
    /// [default: 50].
    #[arg(long, value_parser = widths, value_name = "N,N,..", action = ArgAction::Set)]
    hidden: Option<Widths>,
    /// Activation after each hidden layer, or one per layer (`relu,tanh`): identity, step,
    /// sigmoid, tanh, relu, leaky_relu[:slope], rrelu[:lower:upper], prelu[:init], elu[:alpha],
    /// gelu, selu [default: relu].
    #[arg(long, value_delimiter = ',', value_name = "NAME[,NAME..]", action = ArgAction::Set)]
    activation: Option<Vec<ActivationConfig>>,
    /// Inputs computed from the given ones before the first layer, like TensorFlow Playground's:
    /// square (x², y²), product (x·y, every pair), sin (sin x, sin y).
    #[arg(long, value_delimiter = ',', value_name = "KIND,..", action = ArgAction::Set)]
    add_features: Option<Vec<AddedFeature>>,
    /// Weight initialisation: default, he_normal, he_uniform, xavier_normal, xavier_uniform,
    /// normal:STD (with --init-from: of a fresh output layer) [default: default, PyTorch's
    /// Linear init].
    #[arg(long)]
    pub(super) init: Option<InitConfig>,
    /// Batch Normalization after each hidden Linear layer.
    #[arg(long)]
    pub(super) batch_norm: bool,
    /// Dropout probability after each hidden activation, in [0, 1) [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    pub(super) dropout: Option<f64>,
}

impl ModelFlags {
    /// Whether `--activation` was given.
    pub(super) fn sets_activation(&self) -> bool {
        self.activation.is_some()
    }

    fn apply(&self, c: &mut TrainConfig) {
        set(&mut c.model.hidden, self.hidden.clone().map(|w| w.0));
        match self.activation.as_deref() {
            Some([one]) => (c.model.activation, c.model.activations) = (one.clone(), vec![]),
            Some(per_layer) => c.model.activations = per_layer.to_vec(),
            None => {}
        }
        set(&mut c.model.add_features, self.add_features.clone());
        set(&mut c.model.init, self.init);
        c.model.batch_norm |= self.batch_norm;
        set(&mut c.model.dropout, self.dropout);
    }
}

/// How the weights move.
#[derive(Args, Debug)]
#[command(next_help_heading = "Optimizer")]
pub struct OptimizerFlags {
    /// Optimizer: adam, adamw, sgd, rmsprop [default: adam].
    #[arg(long, hide_possible_values = true)]
    #[arg(value_parser = choices::<OptimizerKind>(|| vec!["adam", "adamw", "sgd", "rmsprop"]))]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: 0.01].
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Momentum of SGD or RMSProp (Adam and AdamW refuse it: their beta1 plays that role)
    /// [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    momentum: Option<f64>,
    /// Nesterov momentum (with --optimizer sgd --momentum M).
    #[arg(long)]
    nesterov: bool,
    /// L2 weight decay (decoupled with adamw, whose default is PyTorch's 0.01) [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    weight_decay: Option<f64>,
    /// Learning-rate schedule: constant, step[:every[:gamma]] (step = step:10:0.1),
    /// cosine[:min_lr] (min_lr 0), plateau[:factor[:patience[:min_lr]]] (reduce on plateau of
    /// val_loss; plateau = plateau:0.1:5:0) [default: constant].
    #[arg(long, value_name = "SCHEDULE")]
    lr_schedule: Option<ScheduleConfig>,
}

impl OptimizerFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set(&mut c.optimizer.kind, self.optimizer);
        set(&mut c.optimizer.learning_rate, self.lr);
        set(&mut c.optimizer.momentum, self.momentum);
        c.optimizer.nesterov |= self.nesterov;
        set_some(&mut c.optimizer.weight_decay, self.weight_decay);
        set(&mut c.schedule, self.lr_schedule.clone());
    }
}

/// Penalties and constraints on the weights.
#[derive(Args, Debug)]
#[command(next_help_heading = "Regularisation")]
pub struct RegularisationFlags {
    /// L1 penalty λ·Σ|w| on the weights (not biases): λ·sign(w) added to their gradient; the
    /// loss printed and logged is the data loss alone.
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    l1: Option<f64>,
    /// L2 penalty λ·Σw² on the weights (not biases): 2λ·w added to their gradient; the loss
    /// printed and logged is the data loss alone.
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    l2: Option<f64>,
    /// Apply --weight-decay to biases and BatchNorm parameters too (PyTorch's behaviour).
    #[arg(long)]
    decay_biases: bool,
    /// Max-norm: rescale each trainable unit's incoming weights to norm ≤ C after every step
    /// (a --freeze'd layer's stay as copied).
    #[arg(long, value_name = "C", allow_negative_numbers = true)]
    max_norm: Option<f64>,
}

impl RegularisationFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set(&mut c.regularization.l1, self.l1);
        set(&mut c.regularization.l2, self.l2);
        c.regularization.decay_biases |= self.decay_biases;
        set_some(&mut c.regularization.max_norm, self.max_norm);
    }
}

/// Limits on the gradient before each step.
#[derive(Args, Debug)]
#[command(next_help_heading = "Gradient clipping")]
pub struct ClippingFlags {
    /// Clip every gradient element to [−V, V].
    #[arg(long, value_name = "V", allow_negative_numbers = true)]
    clip_value: Option<f64>,
    /// Clip each parameter's gradient to L2 norm ≤ N.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    clip_norm: Option<f64>,
    /// Clip all gradients together to joint L2 norm ≤ N (PyTorch's clip_grad_norm_).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    clip_global_norm: Option<f64>,
}

impl ClippingFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set_some(&mut c.clipping.value, self.clip_value);
        set_some(&mut c.clipping.norm, self.clip_norm);
        set_some(&mut c.clipping.global_norm, self.clip_global_norm);
    }
}

/// Perturbed training batches (validation rows never change).
#[derive(Args, Debug)]
#[command(next_help_heading = "Augmentation")]
pub struct AugmentFlags {
    /// Add Gaussian noise of this standard deviation to training inputs.
    #[arg(long, value_name = "σ", allow_negative_numbers = true)]
    augment_jitter: Option<f64>,
    /// Images: shift training images by up to N pixels.
    #[arg(long, value_name = "N")]
    augment_shift: Option<usize>,
    /// Images: mirror training images left-right at random.
    #[arg(long)]
    augment_flip: bool,
    /// Images: add uniform noise of this amplitude to training pixels.
    #[arg(long, value_name = "A", allow_negative_numbers = true)]
    augment_noise: Option<f64>,
}

impl AugmentFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set(&mut c.augment.jitter, self.augment_jitter);
        set(&mut c.augment.shift, self.augment_shift);
        c.augment.flip |= self.augment_flip;
        set(&mut c.augment.pixel_noise, self.augment_noise);
    }
}

/// When to stop (Keras' EarlyStopping on val_loss).
#[derive(Args, Debug)]
#[command(next_help_heading = "Early stopping")]
pub struct EarlyStoppingFlags {
    /// Epochs without val_loss improvement before stopping [default: 10].
    #[arg(long)]
    pub(super) patience: Option<usize>,
    /// The smallest drop in val_loss, absolute, that counts as an improvement and restarts the
    /// patience; the weights kept are the lowest val_loss's, a smaller drop too [default: 1e-4].
    #[arg(long, allow_negative_numbers = true)]
    min_delta: Option<f64>,
    /// Train every epoch, without early stopping; the model (`model.bpk`) is the last epoch's.
    #[arg(long, conflicts_with_all = ["patience", "min_delta", "no_restore_best"])]
    no_early_stopping: bool,
    /// End with the last epoch's weights, in `model.bpk` too, instead of the lowest val_loss's.
    #[arg(long)]
    pub(super) no_restore_best: bool,
}

impl EarlyStoppingFlags {
    fn apply(&self, c: &mut TrainConfig) {
        if self.no_early_stopping {
            c.early_stopping = None;
            return;
        }
        if self.patience.is_some() || self.min_delta.is_some() {
            // a patience or a margin asks for early stopping, also over a config without it
            let es = c
                .early_stopping
                .get_or_insert_with(EarlyStoppingConfig::default);
            set(&mut es.patience, self.patience);
            set(&mut es.min_delta, self.min_delta);
        }
        if let Some(es) = c.early_stopping.as_mut() {
            es.restore_best_weights &= !self.no_restore_best; // without early stopping, nothing to restore
        }
    }
}

/// Starting from another network's layers.
#[derive(Args, Debug)]
#[command(next_help_heading = "Transfer learning")]
pub struct TransferFlags {
    /// Start from the hidden layers of this run directory, or of a .safetensors file named like
    /// a PyTorch nn.Sequential (`plaindnn export` writes one); same input size; the output layer
    /// is copied too when the number of outputs agrees (see --new-head; never an autoencoder's
    /// decoder), replaced otherwise. The whole network's settings come from the source (hidden
    /// layers, activation, BatchNorm, Dropout, init: those of its config.json), in place of the
    /// defaults shown here; flags given over it change them.
    #[arg(long, value_name = "RUN_DIR|FILE")]
    pub(super) init_from: Option<PathBuf>,
    /// With --init-from: start the output layer from fresh random weights instead of copying it
    /// (a new head for a new task, even when the number of outputs is the same).
    #[arg(long)]
    pub(super) new_head: bool,
    /// With --init-from: keep the first N hidden layers fixed, BatchNorm statistics included.
    #[arg(long, value_name = "N")]
    freeze: Option<usize>,
    /// With --freeze: train every layer after this many epochs (gradual fine-tuning: the new head
    /// settles first, then the whole network adapts).
    #[arg(long, value_name = "EPOCHS")]
    unfreeze_after: Option<usize>,
}

impl TransferFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set_some(&mut c.init_from, self.init_from.clone()); // made absolute by `build_config`
        set(&mut c.freeze, self.freeze);
        c.new_head |= self.new_head;
        set_some(&mut c.unfreeze_after, self.unfreeze_after);
    }
}

/// How long, on what, and what else the run records.
#[derive(Args, Debug)]
#[command(next_help_heading = "Training")]
pub struct RunFlags {
    /// Most epochs to train (with --resume: the new total) [default: 100].
    #[arg(long)]
    pub(super) epochs: Option<usize>,
    /// Rows per gradient step [default: 32].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seed for weights, shuffling, dropout, a built-in set's rows and the --val-fraction split:
    /// same seed + backend → same run [default: 42].
    #[arg(long)]
    pub(super) seed: Option<u64>,
    /// Backend to train on: flex, ndarray, wgpu (if compiled in), or auto (wgpu if it finds a
    /// GPU) [default: auto when built with the wgpu feature, flex otherwise]. With --resume: the
    /// backend to go on with.
    #[arg(long, hide_possible_values = true)]
    #[arg(value_parser = choices::<Backend>(choices::backends))]
    pub(super) backend: Option<Backend>,
    /// A NaN or infinite loss: stop (default; the last good checkpoint stays) or skip-batch. The
    /// loss is checked, not the gradients: a finite loss whose gradient overflows still updates.
    #[arg(long, value_name = "POLICY", hide_possible_values = true)]
    #[arg(value_parser = choices::<NanPolicy>(|| vec!["stop", "skip-batch"]))]
    on_nan: Option<NanPolicy>,
    /// Per-layer gradient and weight norms, dead ReLU units and the train/validation loss gap in
    /// diagnostics.csv (and grad_norms.svg), with a warning when gradients vanish or explode.
    #[arg(long)]
    diagnostics: bool,
    /// Save the checkpoint `--resume` continues from every N epochs (the last epoch is always
    /// saved), and `model.bpk` whenever validation improves (with each checkpoint when the last
    /// weights are kept) — instead of by time.
    #[arg(long, value_name = "N", conflicts_with = "checkpoint_interval")]
    pub(super) checkpoint_every: Option<usize>,
    /// Save the checkpoint `--resume` continues from, with `model.bpk`, at most every
    /// SECONDS seconds and after the last epoch (Lightning's train_time_interval): a kill loses
    /// at most that much training [default: 1].
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub(super) checkpoint_interval: Option<f64>,
}

impl RunFlags {
    fn apply(&self, c: &mut TrainConfig) {
        set(&mut c.epochs, self.epochs);
        set(&mut c.batch_size, self.batch_size);
        set(&mut c.seed, self.seed);
        set(&mut c.backend, self.backend);
        set(&mut c.on_nan, self.on_nan);
        c.diagnostics |= self.diagnostics;
        // either flag replaces how a config file saves, as on `--resume`
        if let Some(every) = self.checkpoint_every {
            (c.checkpoint_every, c.checkpoint_interval) = (every, None);
        }
        if let Some(seconds) = self.checkpoint_interval {
            (c.checkpoint_every, c.checkpoint_interval) = (1, Some(seconds));
        }
    }
}

/// Every group of recipe flags, applied in order on top of a starting config.
#[derive(Args, Debug)]
pub struct RecipeFlags {
    #[command(flatten)]
    pub(super) model: ModelFlags,
    #[command(flatten)]
    pub(super) optimizer: OptimizerFlags,
    #[command(flatten)]
    pub(super) regularisation: RegularisationFlags,
    #[command(flatten)]
    pub(super) clipping: ClippingFlags,
    #[command(flatten)]
    pub(super) augment: AugmentFlags,
    #[command(flatten)]
    pub(super) early_stopping: EarlyStoppingFlags,
    #[command(flatten)]
    pub(super) transfer: TransferFlags,
    #[command(flatten)]
    pub(super) run: RunFlags,
}

impl RecipeFlags {
    /// Whether `--optimizer` was given.
    pub fn sets_optimizer(&self) -> bool {
        self.optimizer.optimizer.is_some()
    }

    /// Whether `--weight-decay` was given.
    pub fn sets_weight_decay(&self) -> bool {
        self.optimizer.weight_decay.is_some()
    }

    /// Whether `--activation` was given: it applies to hidden layers only.
    pub fn sets_activation(&self) -> bool {
        self.model.activation.is_some()
    }

    /// Whether `--hidden` was given.
    pub fn sets_hidden(&self) -> bool {
        self.model.hidden.is_some()
    }

    /// Whether `--add-features` was given.
    pub fn sets_add_features(&self) -> bool {
        self.model.add_features.is_some()
    }

    /// Writes every flag given into `c`.
    pub fn apply(&self, c: &mut TrainConfig) {
        self.model.apply(c);
        self.optimizer.apply(c);
        self.regularisation.apply(c);
        self.clipping.apply(c);
        self.augment.apply(c);
        self.early_stopping.apply(c);
        self.transfer.apply(c);
        self.run.apply(c);
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn set_some<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// `--hidden`'s widths.
#[derive(Clone, Debug)]
pub struct Widths(Vec<usize>);

/// `50,20` as the widths 50 and 20; `none` as no hidden layer.
fn widths(text: &str) -> std::result::Result<Widths, String> {
    if text.trim() == "none" {
        return Ok(Widths(Vec::new()));
    }
    let width = |w: &str| match w.trim().parse::<usize>() {
        Ok(n) => Ok(n),
        Err(_) if w.trim().is_empty() => Err(format!(
            "a width is empty in `{text}`: give widths such as 50,20, or `none` for no hidden layer"
        )),
        Err(_) => Err(format!(
            "`{}` is not a width (a whole number of units); `none` for no hidden layer",
            w.trim()
        )),
    };
    text.split(',')
        .map(width)
        .collect::<Result<_, _>>()
        .map(Widths)
}
