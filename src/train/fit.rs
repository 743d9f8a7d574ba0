//! A run's training loop wired into burn-train: the starting network, the observers, the
//! loaders and checkpointers, and the Learner that runs the epochs. [`super::train`] and
//! [`super::resume`] set a run up and call [`fit`].

use std::path::PathBuf;
use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::LrSchedulerRecord;
use burn::module::Module;
use burn::optim::OptimizerRecord;
use burn::tensor::Device;
use burn::train::logger::InMemoryMetricLogger;
use burn::train::{Learner, SupervisedTraining, TrainingError, TrainingStrategy};

use super::checkpoint::{self, checkpoint_path, failed_save, AtomicFileCheckpointer, KeepLastTwo};
use super::diagnostics::DiagnosticsLog;
use super::epoch_loop::{self, EpochLoop, FitOutcome, FitSettings, Resumed};
use super::history::History;
use super::observer::Observers;
use super::progress::{self, SilentRenderer};
use super::report::RunFiles;
use super::schedule::EpochSchedule;
use super::{optimizer, run_dir, transfer, RunConfig, RunDir, RunOptions, TrainConfig, TrainedRun};
use crate::data::{BatchLoader, Prepared, Subset};
use crate::error::{Error, Result};
use crate::model::Mlp;

/// `f` on one of rayon's workers when `on_pool` (inline when this thread is one), the other
/// workers spinning for its work ([`crate::fused::hot`]), else here. On a worker, a split product
/// runs one half on this thread and hands the other on; called from outside the pool it would
/// wake two workers and sleep until both are done (four times the context switches).
pub(super) fn pooled<R: Send>(on_pool: bool, f: impl FnOnce() -> R + Send) -> R {
    if on_pool {
        crate::fused::hot(f)
    } else {
        f()
    }
}

/// Wires `model` (as [`starting_model`] made it for epoch `done`), optimizer, loaders and
/// checkpointers into burn-train and runs epochs `done+1..` on `device` (made once by the
/// caller, which refuses a missing driver or a bad start before writing anything).
pub(super) fn fit(
    run_config: RunConfig,
    run: RunDir,
    data: Prepared,
    (model, done): (Mlp, usize),
    device: Device,
    options: RunOptions,
) -> Result<TrainedRun> {
    // a training starts here: an earlier failure's note is no longer this run's (a failure
    // writes it again)
    let _ = std::fs::remove_file(run.root().join(run_dir::FAILED));
    let folder = crate::files::folder_identity(run.root()); // the folder it trains in
    let config = &run_config.train;
    let (task, val) = (data.train.data.task(), data.val.clone());
    let steps_per_epoch = data.train.len().div_ceil(config.batch_size);
    let schedule = EpochSchedule::new(
        config.schedule.clone(),
        config.optimizer.learning_rate,
        steps_per_epoch,
        config.epochs,
    );
    let (train_loader, valid_loader) = loaders(config, data, &device);
    let (observers, resumed) = observers(&run_config, &run, done, val.clone(), options)?;
    let epoch_loop = Arc::new(EpochLoop::new(
        FitSettings {
            config: config.clone(),
            device: device.clone().autodiff(),
            task,
            run: run.clone(),
            val,
            resumed,
            epoch_handle: train_loader.epoch_handle(),
            plateau: schedule.plateau(),
            frozen: model.frozen.clone(),
            // val_rmse in the data's units: a standardised target's, an autoencoder's inputs'
            target_std: (run_config.data.output_scaler())
                .map(|s| s.std.iter().map(|&s| s as f32).collect()),
        },
        observers,
    ));
    let training = supervised(&run, config.epochs, done, train_loader, valid_loader)
        .with_training_strategy(TrainingStrategy::Custom(epoch_loop.clone()));
    let optim = optimizer::build(&config.optimizer, &config.regularization, &config.clipping);
    let result = training.launch(Learner::new(model, optim, ModuleLrScheduler::new(schedule)));
    let outcome = ended(&epoch_loop, result.error.as_deref(), (&run, folder))?;
    epoch_loop::end(&mut epoch_loop.take_observers(), &outcome, &result.model).map_err(|e| {
        // a full disk at the pictures: the user should not think the training was lost
        let saved = "the trained network is saved (model.bpk: predict, eval and export read \
                     it); what failed comes after it, at the end of training";
        Error::run(run.root(), format!("{e}; {saved}"))
    })?;
    Ok(TrainedRun {
        model: result.model,
        outcome,
        run,
        config: run_config,
    })
}

/// The loaders of the training rows (shuffled by the seed, augmented, weighted by class) and of
/// the validation rows (never changed, in batches of at least 1024).
fn loaders(config: &TrainConfig, data: Prepared, device: &Device) -> (BatchLoader, BatchLoader) {
    let train = BatchLoader::new(data.train, config.batch_size, Some(config.seed), device)
        .with_augmentation(&config.augment, config.seed)
        .with_class_weights(config.class_weights.as_deref());
    let valid = BatchLoader::new(data.val, config.batch_size.max(1024), None, device);
    (train, valid)
}

/// How the epochs ended: the loop's outcome, or its error first (it says what a failed
/// checkpoint leaves to resume from), then burn-train's; a removed run folder told as such.
fn ended(
    epoch_loop: &EpochLoop,
    error: Option<&TrainingError>,
    (run, folder): (&RunDir, Option<(u64, u64)>),
) -> Result<FitOutcome> {
    let outcome = epoch_loop
        .outcome()
        .map_err(|e| removed_meanwhile(run, folder, e))?;
    match error {
        Some(e @ TrainingError::Checkpoint(_)) => {
            Err(removed_meanwhile(run, folder, failed_save(run, e)))
        }
        Some(e) => Err(Error::Training(e.to_string())),
        None => Ok(outcome),
    }
}

/// `e`, told as the removal of the run's folder where that folder (`folder`, as training began)
/// is no longer at its path or its `config.json` is gone (deleted or moved while the run
/// trained; a checkpoint's write may have made a folder there again): alone, "model.bpk: No
/// such file or directory" read as a fault of the run's, and a failed checkpoint's advice spoke
/// of disk space.
fn removed_meanwhile(run: &RunDir, folder: Option<(u64, u64)>, e: Error) -> Error {
    let whole = || {
        let same = folder.is_none() || crate::files::folder_identity(run.root()) == folder;
        same && run.config_path().exists()
    };
    // a file's failure may be an `rm -rf` under way that has not reached config.json yet: a
    // moment's grace before it is told as the run's own (a divergence has no file to wait for)
    let waited = || {
        std::thread::sleep(std::time::Duration::from_millis(250));
        whole()
    };
    let file_fault = matches!(
        e,
        Error::Io { .. } | Error::Training(_) | Error::Checkpoint { .. }
    );
    match whole() && (!file_fault || waited()) {
        true => e,
        false => Error::run(
            run.root(),
            "was removed or moved while the run trained in it, and what it saved is not there: \
             train it again (or, where its folder was moved, `plaindnn train --resume` it there)",
        ),
    }
}

/// The network at epoch `done`: seeded fresh weights (or `--init-from`'s) under seeded ids for
/// a new run, the checkpoint (its parameters' ids included) for a resumed one; frozen as
/// configured. Parameters
/// are born on the autodiff device, to be tracked.
pub(super) fn starting_model(
    config: &TrainConfig,
    run: &RunDir,
    done: usize,
    device: &Device,
) -> Result<Mlp> {
    let device = device.clone().autodiff();
    let mut model = config.model.init(&device, config.seed)?;
    if let (Some(source), 0) = (&config.init_from, done) {
        let from = (source.as_path(), config.new_head, config.freeze);
        model = transfer::load_hidden(model, &config.model, from, &device)?;
    }
    // Before a checkpoint's load too: it restores the parameters' ids, but Burn's RunningState
    // keeps its own, so BatchNorm's statistics would save under random ids after a resume.
    model = crate::model::seeded_ids(model, config.seed);
    if done > 0 {
        // Load everything once here, so a damaged checkpoint is an error, not a panic in Burn.
        let ckpt = run.checkpoint_dir();
        let damaged = |path: PathBuf, e: &dyn std::fmt::Display| Error::checkpoint(&path, e);
        let path = checkpoint_path(&ckpt, "model", done);
        // in memory: the checkpoint is pruned later, and a frozen layer is never rewritten
        model = model
            .try_load_record(checkpoint::load_record(&path)?)
            .map_err(|e| damaged(path.clone(), &e))?;
        let path = checkpoint_path(&ckpt, "optim", done);
        checkpoint::read_record::<OptimizerRecord>(&path)?;
        let path = checkpoint_path(&ckpt, "scheduler", done);
        checkpoint::read_record::<LrSchedulerRecord>(&path)?;
    }
    transfer::freeze(model, config.freeze)
}

/// The run's observers — terminal, `metrics.csv`, `diagnostics.csv`, pictures and report —
/// then the caller's; and what a resumed run had recorded.
fn observers(
    run_config: &RunConfig,
    run: &RunDir,
    done: usize,
    val: Subset,
    options: RunOptions,
) -> Result<(Observers, Resumed)> {
    let task = run_config.data.task;
    let mut observers = Observers::default();
    observers.push(Box::new(progress::Progress::new(options.verbosity, task)));
    let (history, rows) = History::open(&run.metrics_path(), task, done)?;
    observers.push(Box::new(history));
    let mut layers = Vec::new();
    if run_config.train.diagnostics {
        let (log, kept) = DiagnosticsLog::open(&run.root().join("diagnostics.csv"), done)?;
        observers.push(Box::new(log));
        layers = kept;
    }
    observers.push(Box::new(RunFiles::new(
        run.clone(),
        run_config.clone(),
        val,
    )));
    observers.extend(options.observers);
    Ok((observers, Resumed { rows, layers }))
}

/// burn-train's supervised training with plaindnn's checkpointers and no output of its own.
fn supervised(
    run: &RunDir,
    epochs: usize,
    done: usize,
    train: BatchLoader,
    valid: BatchLoader,
) -> SupervisedTraining<Mlp> {
    let ckpt = run.checkpoint_dir();
    let training = SupervisedTraining::new(run.root(), Arc::new(train), Arc::new(valid))
        .num_epochs(epochs)
        .with_custom_checkpointers(
            AtomicFileCheckpointer::new(&ckpt, "model"),
            AtomicFileCheckpointer::new(&ckpt, "optim"),
            AtomicFileCheckpointer::new(&ckpt, "scheduler"),
        )
        .with_checkpointing_strategy(KeepLastTwo::in_dir(&ckpt))
        .with_metric_logger(InMemoryMetricLogger::new())
        .renderer(Box::new(SilentRenderer))
        .with_application_logger(None);
    match done {
        0 => training,
        _ => training.checkpoint(done),
    }
}
