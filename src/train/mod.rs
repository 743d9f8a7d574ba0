//! Training through burn-train's Learner: config, steps, the epoch loop, checkpoints, progress.
//!
//! Knows nothing of the command line.

pub mod checkpoint;
pub mod clipping;
pub mod config;
pub mod diagnostics;
pub mod early_stopping;
pub mod evaluate;
pub mod history;
pub mod lock;
pub mod optimizer;
pub mod pictures;
pub mod preset;
pub mod pretrain;
pub mod progress;
pub mod regularizer;
pub mod report;
pub mod run_dir;
pub mod schedule;
pub mod step;
pub mod strategy;
pub mod transfer;

use std::path::Path;
use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::LrSchedulerRecord;
use burn::module::Module;
use burn::optim::OptimizerRecord;
use burn::train::logger::InMemoryMetricLogger;
use burn::train::{Learner, SupervisedTraining, TrainingStrategy};

pub use config::{
    ClippingConfig, EarlyStoppingConfig, NanPolicy, OptimizerConfig, OptimizerKind,
    RegularizationConfig, ScheduleConfig, TrainConfig,
};
pub use evaluate::Scores;
pub use history::EpochRow;
pub use preset::Preset;
pub use progress::Verbosity;
pub use run_dir::{DataInfo, RunConfig, RunDir, FORMAT_VERSION};
pub use strategy::FitOutcome;

use crate::data::{BatchLoader, DataSource, Dataset, Prepared};
use crate::error::{Error, Result};
use crate::model::Mlp;
use checkpoint::{checkpoint_path, AtomicFileCheckpointer, KeepLastTwo};
use progress::SilentRenderer;
use schedule::EpochSchedule;
use strategy::{FitSettings, PlainStrategy};

/// A finished (or early-stopped) run: the model to use and how training went.
pub struct TrainedRun {
    /// The trained network (best weights when restore-best-weights is on), in inference mode.
    pub model: Mlp,
    /// Metrics of every epoch and the best epoch.
    pub outcome: FitOutcome,
    /// The run directory.
    pub run: RunDir,
    /// What `config.json` holds.
    pub config: RunConfig,
}

/// Trains a new run on `source` with `config`, writing everything into `out`.
pub fn train(
    source: DataSource,
    config: TrainConfig,
    out: &Path,
    verbosity: Verbosity,
) -> Result<TrainedRun> {
    // 1. check the recipe before touching anything
    config.validate()?;
    // 2. load, split and scale the data
    let prepared = source.load()?;
    let source = source.absolute();
    train_on(source, prepared, config, out, verbosity)
}

/// Trains a new run on data already in memory; `source` is what `config.json` records of it.
pub fn train_on(
    source: DataSource,
    data: Prepared,
    config: TrainConfig,
    out: &Path,
    verbosity: Verbosity,
) -> Result<TrainedRun> {
    // 1. the recipe must be valid and fit the data's inputs and outputs
    config.validate()?;
    let train_set = &data.train.data;
    check_sizes(&config, train_set)?;
    config.augment.validate(train_set.image)?;
    if verbosity != Verbosity::Quiet {
        data.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    }
    // 2. write config.json before training starts, so a crash still leaves a readable run
    let run = RunDir::new(out);
    run.create()?;
    let _lock = lock::RunLock::acquire(run.root())?;
    let run_config = RunConfig {
        format_version: FORMAT_VERSION,
        plaindnn_version: env!("CARGO_PKG_VERSION").to_string(),
        data: DataInfo {
            target: train_set.target_name.clone(),
            source,
            task: train_set.task(),
            feature_names: train_set.feature_names.clone(),
            class_names: train_set.class_names.clone(),
            scaler: data.scaler.clone(),
            image: train_set.image,
        },
        train: config,
    };
    run.write_config(&run_config)?;
    // 3. train
    fit(run_config, run, data, 0, verbosity)
}

/// Continues a stopped run at the epoch after its last checkpoint; `epochs` raises the total.
pub fn resume(out: &Path, epochs: Option<usize>, verbosity: Verbosity) -> Result<TrainedRun> {
    let run = RunDir::new(out);
    let mut run_config = run.read_config()?;
    let _lock = lock::RunLock::acquire(run.root())?;
    if let Some(epochs) = epochs {
        run_config.train.epochs = epochs;
        run_config.train.validate()?;
        run.write_config(&run_config)?;
    }
    let last = checkpoint::latest_complete(&run.checkpoint_dir())
        .ok_or_else(|| Error::run(out, "has no complete checkpoint to resume from"))?;
    if last >= run_config.train.epochs {
        return Err(Error::run(
            out,
            format!(
                "already trained {last} of {} epochs; pass --epochs N to train further",
                run_config.train.epochs
            ),
        ));
    }
    let data = run_config.data.source.load()?;
    fit(run_config, run, data, last, verbosity)
}

fn check_sizes(config: &TrainConfig, data: &Dataset) -> Result<()> {
    if config.model.inputs != data.width() || config.model.outputs != data.outputs() {
        return Err(Error::invalid(
            "model size",
            format!(
                "the network has {} inputs and {} outputs but the data has {} features and {} outputs",
                config.model.inputs,
                config.model.outputs,
                data.width(),
                data.outputs()
            ),
        ));
    }
    Ok(())
}

/// Wires model, optimizer, loaders and checkpointers into burn-train and runs epochs `done+1..`.
fn fit(
    run_config: RunConfig,
    run: RunDir,
    data: Prepared,
    done: usize,
    verbosity: Verbosity,
) -> Result<TrainedRun> {
    let config = &run_config.train;
    let device = config.backend.device()?;
    // Parameters must be born on the autodiff device to be tracked.
    let mut model = config.model.init(&device.clone().autodiff(), config.seed)?;
    if let (Some(source), 0) = (&config.init_from, done) {
        model = transfer::load_hidden(model, &config.model, source, &device.clone().autodiff())?;
    }
    let ckpt = run.checkpoint_dir();
    if done > 0 {
        // Load everything once here, so a damaged checkpoint is an error, not a panic in Burn.
        let damaged = |path: std::path::PathBuf, e: &dyn std::fmt::Display| Error::Checkpoint {
            message: e.to_string(),
            path,
        };
        let path = checkpoint_path(&ckpt, "model", done);
        model = model
            .try_load_file(&path)
            .map_err(|e| damaged(path.clone(), &e))?;
        let path = checkpoint_path(&ckpt, "optim", done);
        OptimizerRecord::load(&path).map_err(|e| damaged(path.clone(), &e))?;
        let path = checkpoint_path(&ckpt, "scheduler", done);
        LrSchedulerRecord::load(&path).map_err(|e| damaged(path.clone(), &e))?;
    }

    let model = transfer::freeze(model, config.freeze)?;
    let frozen = model.frozen.clone();
    let task = data.train.data.task();
    let val_rows = data.val.clone();
    let steps_per_epoch = data.train.len().div_ceil(config.batch_size);
    let schedule = EpochSchedule::new(
        config.schedule.clone(),
        config.optimizer.learning_rate,
        steps_per_epoch,
        config.epochs,
    );
    // augmentation and shuffling on the training rows only; validation rows never change
    let train_loader = BatchLoader::new(data.train, config.batch_size, Some(config.seed), &device)
        .with_augmentation(&config.augment, config.seed);
    let valid_loader = BatchLoader::new(data.val, config.batch_size.max(1024), None, &device);
    let resumed = match done {
        0 => Vec::new(),
        _ => history::read(&run.metrics_path())?
            .into_iter()
            .filter(|r| r.epoch <= done)
            .collect(),
    };
    let strategy = Arc::new(PlainStrategy::new(FitSettings {
        device: device.clone().autodiff(),
        seed: config.seed,
        task,
        early_stopping: config.early_stopping.clone(),
        run: run.clone(),
        resumed,
        epoch_handle: train_loader.epoch_handle(),
        verbosity,
        clip_global_norm: config.clipping.global_norm,
        schedule: config.schedule.clone(),
        base_lr: config.optimizer.learning_rate,
        plateau: schedule.plateau(),
        on_nan: config.on_nan,
        diagnostics: config.diagnostics,
        frozen: (frozen, config.freeze, config.unfreeze_after),
        checkpoint_every: config.checkpoint_every,
    }));

    let mut training =
        SupervisedTraining::new(run.root(), Arc::new(train_loader), Arc::new(valid_loader))
            .num_epochs(config.epochs)
            .with_custom_checkpointers(
                AtomicFileCheckpointer::new(&ckpt, "model"),
                AtomicFileCheckpointer::new(&ckpt, "optim"),
                AtomicFileCheckpointer::new(&ckpt, "scheduler"),
            )
            .with_checkpointing_strategy(KeepLastTwo::in_dir(&ckpt))
            .with_training_strategy(TrainingStrategy::Custom(strategy.clone()))
            .with_metric_logger(InMemoryMetricLogger::new())
            .renderer(Box::new(SilentRenderer))
            .with_application_logger(None);
    if done > 0 {
        training = training.checkpoint(done);
    }
    let optim = optimizer::build(&config.optimizer, &config.regularization, &config.clipping);
    let learner = Learner::new(model, optim, ModuleLrScheduler::new(schedule));
    let result = training.launch(learner);
    if let Some(error) = result.error {
        return Err(Error::Training(error.to_string()));
    }
    let outcome = strategy.outcome()?;
    let pictures = pictures::write(&run, task, &outcome, &result.model, &val_rows)?;
    report::write(&run, &run_config, &outcome, &result.model, &pictures)?;
    Ok(TrainedRun {
        model: result.model,
        outcome,
        run,
        config: run_config,
    })
}
