//! `plaindnn train`: flags on top of a starting `TrainConfig`, then burn-train does the work.

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use super::data_args::DataArgs;
use plaindnn::backend::Backend;
use plaindnn::data::Prepared;
use plaindnn::error::{Error, Result};
use plaindnn::model::{ActivationConfig, InitConfig};
use plaindnn::train::{
    self, EarlyStoppingConfig, NanPolicy, OptimizerKind, Preset, ResumeChanges, RunDir, RunOptions,
    ScheduleConfig, TrainConfig, TrainedRun, Verbosity,
};

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Augmentation: add Gaussian noise of this standard deviation to training inputs.
    #[arg(long, value_name = "σ", allow_negative_numbers = true)]
    augment_jitter: Option<f64>,
    /// Augmentation (images): shift training images by up to N pixels.
    #[arg(long, value_name = "N")]
    augment_shift: Option<usize>,
    /// Augmentation (images): mirror training images left-right at random.
    #[arg(long)]
    augment_flip: bool,
    /// Augmentation (images): add uniform noise of this amplitude to training pixels.
    #[arg(long, value_name = "A", allow_negative_numbers = true)]
    augment_noise: Option<f64>,
    /// Run directory to write [default: artifacts/runs/<dataset or file name>, or the first free
    /// <name>-2, <name>-3, … when that one holds a run].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the run already in --out DIR (its model, checkpoints, metrics, pictures and
    /// report are deleted before the first new epoch); without it such a directory is refused.
    #[arg(long, conflicts_with = "resume")]
    overwrite: bool,
    /// Continue the run in DIR at the epoch after its last checkpoint (optimizer state restored).
    /// Only --epochs, --patience, --checkpoint-every and --quiet may be given with it: anything
    /// else would make it another run.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "config", "data", "data_dir"])]
    resume: Option<PathBuf>,
    /// Start from this TrainConfig JSON (e.g. a run's config.json "train" part); flags override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Starting recipe that the other flags override: seed-default (the tutorial's best: He, ELU,
    /// BatchNorm, Dropout 0.2, Adam) or plain (default init, sigmoid, SGD lr 0.1).
    #[arg(long)]
    preset: Option<Preset>,
    /// Hidden layer widths, input side first.
    #[arg(long, value_delimiter = ',', value_name = "N,N,..")]
    hidden: Option<Vec<usize>>,
    /// Activation after each hidden layer: identity, step, sigmoid, tanh, relu, leaky_relu[:slope],
    /// rrelu[:lower:upper], prelu[:init], elu[:alpha], gelu, selu.
    #[arg(long)]
    activation: Option<ActivationConfig>,
    /// Weight initialisation: default, he_normal, he_uniform, xavier_normal, xavier_uniform.
    #[arg(long)]
    init: Option<InitConfig>,
    /// Batch Normalization after each hidden Linear layer.
    #[arg(long)]
    batch_norm: bool,
    /// Dropout probability after each hidden activation, in [0, 1).
    #[arg(long, allow_negative_numbers = true)]
    dropout: Option<f64>,
    /// Optimizer: adam, adamw, sgd, rmsprop.
    #[arg(long)]
    optimizer: Option<OptimizerKind>,
    /// Nesterov momentum (with --optimizer sgd --momentum M).
    #[arg(long)]
    nesterov: bool,
    /// Learning-rate schedule: constant, step[:every[:gamma]], cosine[:min_lr],
    /// plateau[:factor[:patience[:min_lr]]] (reduce on plateau of val_loss).
    #[arg(long, value_name = "SCHEDULE")]
    lr_schedule: Option<ScheduleConfig>,
    /// L1 penalty λ·Σ|w| on the weights (not biases).
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    l1: Option<f64>,
    /// L2 penalty λ·Σw² on the weights (not biases), added to the loss.
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    l2: Option<f64>,
    /// Apply --weight-decay to biases and BatchNorm parameters too (PyTorch's behaviour).
    #[arg(long)]
    decay_biases: bool,
    /// Max-norm: rescale each unit's incoming weights to norm ≤ C after every step.
    #[arg(long, value_name = "C", allow_negative_numbers = true)]
    max_norm: Option<f64>,
    /// Clip every gradient element to [−V, V].
    #[arg(long, value_name = "V", allow_negative_numbers = true)]
    clip_value: Option<f64>,
    /// Clip each parameter's gradient to L2 norm ≤ N.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    clip_norm: Option<f64>,
    /// Clip all gradients together to joint L2 norm ≤ N (PyTorch's clip_grad_norm_).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    clip_global_norm: Option<f64>,
    /// Learning rate.
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Momentum of SGD or RMSProp (Adam and AdamW refuse it: their beta1 plays that role).
    #[arg(long, allow_negative_numbers = true)]
    momentum: Option<f64>,
    /// L2 weight decay (decoupled with adamw).
    #[arg(long, allow_negative_numbers = true)]
    weight_decay: Option<f64>,
    /// Most epochs to train (with --resume: the new total).
    #[arg(long)]
    epochs: Option<usize>,
    /// Rows per gradient step.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seed for weights, shuffling and dropout: same seed + backend → same run.
    #[arg(long)]
    seed: Option<u64>,
    /// Early stopping: epochs without val_loss improvement before stopping.
    #[arg(long)]
    patience: Option<usize>,
    /// Early stopping: the smallest drop in val_loss that counts as an improvement.
    #[arg(long, allow_negative_numbers = true)]
    min_delta: Option<f64>,
    /// Train every epoch, without early stopping.
    #[arg(long, conflicts_with_all = ["patience", "min_delta", "no_restore_best"])]
    no_early_stopping: bool,
    /// Keep the last epoch's weights instead of restoring the best ones at the end.
    #[arg(long)]
    no_restore_best: bool,
    /// Backend to train on: flex, ndarray, wgpu (if compiled in), or auto (wgpu if it finds a GPU).
    #[arg(long)]
    backend: Option<Backend>,
    /// A NaN or infinite loss: stop (default; the last good checkpoint stays) or skip-batch.
    #[arg(long, value_name = "POLICY")]
    on_nan: Option<NanPolicy>,
    /// Per-layer gradient and weight norms, dead ReLU units and the train/validation loss gap in
    /// diagnostics.csv (and grad_norms.svg), with a warning when gradients vanish or explode.
    #[arg(long)]
    diagnostics: bool,
    /// Transfer learning: start from the hidden layers of this run directory, or of a
    /// .safetensors file named like a PyTorch nn.Sequential (`plaindnn export` writes one); same
    /// input size; the output layer is replaced when the number of outputs differs.
    #[arg(long, value_name = "RUN_DIR|FILE")]
    init_from: Option<PathBuf>,
    /// With --init-from: keep the first N hidden layers fixed, BatchNorm statistics included.
    #[arg(long, value_name = "N")]
    freeze: Option<usize>,
    /// With --freeze: train every layer after this many epochs (gradual fine-tuning: the new head
    /// settles first, then the whole network adapts).
    #[arg(long, value_name = "EPOCHS")]
    unfreeze_after: Option<usize>,
    /// Save the checkpoint `--resume` continues from every N epochs instead of every epoch (the
    /// last epoch is always saved); `model.bpk` is still written whenever validation improves.
    #[arg(long, value_name = "N")]
    checkpoint_every: Option<usize>,
    /// Print nothing while training.
    #[arg(long, short)]
    quiet: bool,
}

/// Flags that may be given with `--resume`: they change how long or how often, not what trains.
const RESUMABLE: [&str; 5] = ["resume", "epochs", "patience", "checkpoint_every", "quiet"];

pub fn run(args: TrainArgs, given: &ArgMatches) -> Result<()> {
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::auto()
    };
    let trained = match &args.resume {
        Some(dir) => {
            refuse_changes(given)?;
            let changes = ResumeChanges {
                epochs: args.epochs,
                patience: args.patience,
                checkpoint_every: args.checkpoint_every,
            };
            train::resume(dir, changes, verbosity)?
        }
        None => train_new(&args, verbosity)?,
    };
    if !args.quiet {
        print_next_steps(&trained);
    }
    Ok(())
}

/// A new run: data, config, then the directory (a default one that is taken becomes `NAME-2`, …).
fn train_new(args: &TrainArgs, verbosity: Verbosity) -> Result<TrainedRun> {
    let seed = args.seed.unwrap_or(TrainConfig::default_for(1, 1).seed);
    let (source, name) = args.data.source(seed)?;
    let prepared = source.load()?;
    let source = source.absolute();
    let config = build_config(args, &prepared)?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None if args.overwrite => Path::new("artifacts/runs").join(&name),
        None => RunDir::next_free(&Path::new("artifacts/runs").join(&name))
            .root()
            .to_path_buf(),
    };
    if verbosity != Verbosity::Quiet {
        // how the task was chosen comes first: it decides everything after it
        prepared.notes().iter().for_each(|n| println!("{n}"));
        let backend = config.backend.choose();
        println!(
            "training {} on {name} → {} [{backend}]",
            describe(&config),
            out.display()
        );
    }
    let mut options = RunOptions::from(verbosity);
    options.overwrite = args.overwrite;
    train::train_on(source, prepared, config, &out, options)
}

/// With `--resume`, every flag typed on the command line besides [`RESUMABLE`] is refused by name.
fn refuse_changes(given: &ArgMatches) -> Result<()> {
    let changed: Vec<String> = given
        .ids()
        .map(|id| id.as_str())
        .filter(|id| given.value_source(id) == Some(ValueSource::CommandLine))
        .filter(|id| !RESUMABLE.contains(id))
        .map(|id| format!("--{}", id.replace('_', "-")))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "resume",
        format!(
            "{} would change the run, and a resumed run is the run its config.json describes \
             (only --epochs, --patience, --checkpoint-every and --quiet may change); \
             train a new run with --out DIR instead",
            changed.join(", ")
        ),
    ))
}

fn print_next_steps(trained: &TrainedRun) {
    let dir = trained.run.root().display();
    let outcome = &trained.outcome;
    if let Some(best) = outcome
        .best_epoch
        .and_then(|e| outcome.rows.iter().find(|r| r.epoch == e))
    {
        println!(
            "best epoch {}: val_loss {:.4}; weights in {dir}/model.bpk",
            best.epoch, best.val_loss
        );
    }
    let names = &trained.config.data.feature_names;
    if names.len() <= 4 {
        println!(
            "next: plaindnn predict --run {dir} --input {}",
            names.join(",")
        );
    } else {
        println!(
            "next: plaindnn predict --run {dir} --data FILE.csv   (columns {}, …)",
            names[..3].join(", ")
        );
    }
}

/// `2-50-4 MLP (relu, adam)`.
fn describe(config: &TrainConfig) -> String {
    let widths: Vec<String> = config
        .model
        .widths()
        .iter()
        .map(|w| w.to_string())
        .collect();
    format!(
        "{} MLP ({}, {})",
        widths.join("-"),
        config.model.activation,
        config.optimizer.kind
    )
}

/// The starting config (file or defaults for the data), then each flag given on top.
fn build_config(args: &TrainArgs, data: &Prepared) -> Result<TrainConfig> {
    let mut c = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            serde_json::from_str(&text)
                .map_err(|e| Error::Data(format!("{}: not a TrainConfig: {e}", path.display())))?
        }
        None => {
            let mut c =
                TrainConfig::default_for(data.train.data.width(), data.train.data.outputs());
            if let Some(dir) = &args.init_from {
                c.model = plaindnn::train::transfer::config_from(
                    dir,
                    data.train.data.width(),
                    data.train.data.outputs(),
                    &c.model,
                )?;
            }
            c
        }
    };
    if let Some(preset) = args.preset {
        preset.apply(&mut c);
    }
    set(&mut c.model.hidden, args.hidden.clone());
    set(&mut c.model.activation, args.activation.clone());
    set(&mut c.model.init, args.init);
    c.model.batch_norm |= args.batch_norm;
    set(&mut c.model.dropout, args.dropout);
    set(&mut c.optimizer.kind, args.optimizer);
    set(&mut c.optimizer.learning_rate, args.lr);
    set(&mut c.optimizer.momentum, args.momentum);
    set(&mut c.optimizer.weight_decay, args.weight_decay);
    c.optimizer.nesterov |= args.nesterov;
    set(&mut c.schedule, args.lr_schedule.clone());
    set(&mut c.regularization.l1, args.l1);
    set(&mut c.regularization.l2, args.l2);
    c.regularization.decay_biases |= args.decay_biases;
    if args.max_norm.is_some() {
        c.regularization.max_norm = args.max_norm;
    }
    if args.clip_value.is_some() {
        c.clipping.value = args.clip_value;
    }
    if args.clip_norm.is_some() {
        c.clipping.norm = args.clip_norm;
    }
    if args.clip_global_norm.is_some() {
        c.clipping.global_norm = args.clip_global_norm;
    }
    set(&mut c.augment.jitter, args.augment_jitter);
    set(&mut c.augment.shift, args.augment_shift);
    c.augment.flip |= args.augment_flip;
    set(&mut c.augment.pixel_noise, args.augment_noise);
    set(&mut c.epochs, args.epochs);
    set(&mut c.batch_size, args.batch_size);
    set(&mut c.seed, args.seed);
    set(&mut c.backend, args.backend);
    set(&mut c.on_nan, args.on_nan);
    c.diagnostics |= args.diagnostics;
    if let Some(dir) = &args.init_from {
        // absolute, so a later --resume from elsewhere still finds it
        c.init_from = Some(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone()));
    }
    set(&mut c.freeze, args.freeze);
    set(&mut c.checkpoint_every, args.checkpoint_every);
    if args.unfreeze_after.is_some() {
        c.unfreeze_after = args.unfreeze_after;
    }
    if args.no_early_stopping {
        c.early_stopping = None;
    } else if args.patience.is_some() || args.min_delta.is_some() || args.no_restore_best {
        let es = c
            .early_stopping
            .get_or_insert_with(EarlyStoppingConfig::default);
        set(&mut es.patience, args.patience);
        set(&mut es.min_delta, args.min_delta);
        es.restore_best_weights &= !args.no_restore_best;
    }
    c.validate()?;
    Ok(c)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}
