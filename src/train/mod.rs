//! Training through burn-train's Learner: config, steps, the epoch loop, checkpoints, progress.
//!
//! Knows nothing of the command line.

pub mod adam;
pub mod checkpoint;
pub mod clipping;
pub mod config;
pub mod diagnostics;
pub mod early_stopping;
pub mod epoch_loop;
pub mod evaluate;
pub mod history;
pub mod lock;
pub mod observer;
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
pub mod transfer;

use std::path::{Path, PathBuf};
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
pub use epoch_loop::FitOutcome;
pub use evaluate::Scores;
pub use history::EpochRow;
pub use observer::{DecisionGrid, EpochReport, LayerWeights, TrainEnd, TrainObserver, Wants};
pub use preset::Preset;
pub use progress::Verbosity;
pub use run_dir::{DataInfo, RunConfig, RunDir, FORMAT_VERSION};

use burn::tensor::Device;

use crate::data::target::class_name;
use crate::data::{BatchLoader, DataSource, Prepared, Subset};
use crate::error::{Error, Result};
use crate::model::Mlp;
use checkpoint::{checkpoint_path, AtomicFileCheckpointer, KeepLastTwo};
use diagnostics::DiagnosticsLog;
use epoch_loop::{EpochLoop, FitSettings, Resumed};
use history::History;
use observer::Observers;
use progress::SilentRenderer;
use report::RunFiles;
use schedule::EpochSchedule;

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

/// How a new run treats its directory, what it prints, and who else hears about it.
#[derive(Debug)]
pub struct RunOptions {
    /// How much to print.
    pub verbosity: Verbosity,
    /// Replace a run already in the directory (its files are removed before the first epoch);
    /// without it such a directory is refused.
    pub overwrite: bool,
    /// Your own observers, called after plaindnn's (terminal, metrics, pictures).
    pub observers: Observers,
    /// Run the epochs on one of rayon's worker threads, the pool's other workers spinning for
    /// their work while it runs (the default: the split products then hand work between the
    /// cores far more cheaply; `PLAINDNN_SPIN=0` lets idle workers sleep). An observer that
    /// blocks — waiting for a person to press play — holds that worker while it waits;
    /// [`Self::on_this_thread`] keeps the loop on the calling thread instead.
    pub on_pool: bool,
    /// Keep a new run that failed before saving any weights (its config.json and metrics.csv)
    /// instead of removing it: an experiment's diverged variant shows how it went.
    pub keep_failed: bool,
}

impl From<Verbosity> for RunOptions {
    fn from(verbosity: Verbosity) -> Self {
        Self {
            verbosity,
            overwrite: false,
            observers: Observers::default(),
            on_pool: true,
            keep_failed: false,
        }
    }
}

impl RunOptions {
    /// The same options, keeping a run that fails before saving (see [`Self::keep_failed`]).
    pub fn keep_failed(self) -> Self {
        Self {
            keep_failed: true,
            ..self
        }
    }

    /// The same options, replacing any run already in the directory.
    pub fn overwrite(self) -> Self {
        Self {
            overwrite: true,
            ..self
        }
    }

    /// The same options, training on the calling thread rather than one of rayon's workers (for
    /// observers that block; slower on several cores).
    pub fn on_this_thread(self) -> Self {
        Self {
            on_pool: false,
            ..self
        }
    }

    /// The same options, with one more observer of the training loop.
    pub fn observe(mut self, observer: impl TrainObserver + 'static) -> Self {
        self.observers.push(Box::new(observer));
        self
    }
}

/// Trains a new run on `source` with `config`, writing everything into `out`; a directory that
/// already holds a run is refused unless `options` say overwrite.
pub fn train(
    source: DataSource,
    config: TrainConfig,
    out: &Path,
    options: impl Into<RunOptions>,
) -> Result<TrainedRun> {
    // 1. check the recipe before touching anything
    config.validate()?;
    // 2. load, split and scale the data
    let prepared = source.load()?;
    let source = source.absolute();
    train_on(source, prepared, config, out, options)
}

/// Trains a new run on data already in memory; `source` is what `config.json` records of it.
pub fn train_on(
    source: DataSource,
    data: Prepared,
    config: TrainConfig,
    out: &Path,
    options: impl Into<RunOptions>,
) -> Result<TrainedRun> {
    let options = options.into();
    // 1. the recipe must be valid and fit the data's inputs and outputs
    config.validate_for(&data)?;
    let train_set = &data.train.data;
    // a missing GPU driver, and layers to start from that do not fit, are refused before
    // anything is written or replaced
    let device = config.backend.device()?;
    recordable(&source, &config)?;
    let run = RunDir::new(out);
    let model = starting_model(&config, &run, 0, &device)?;
    if options.verbosity.shows_warnings() {
        data.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    }
    // 2. write config.json before training starts, so a crash still leaves a readable run
    // the highest folder creating --out makes (a/ of a/b/c), removed with the run if it fails
    let made_folder = (run.root().ancestors())
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .last()
        .map(Path::to_path_buf);
    run.create()?;
    let lock = lock::RunLock::acquire(run.root())?;
    run.claim(options.overwrite)?; // one directory, one run
    let this_run = run.clone();
    let fingerprint = source.fingerprint();
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
            target_scaler: data.target_scaler.clone(),
            image: train_set.image,
            reconstructs: train_set.reconstructs,
            fingerprint,
        },
        train: config,
    };
    let written = (run.create_checkpoint_dir()).and_then(|()| run.write_config(&run_config));
    if let Err(e) = written {
        return Err(discard_unsaved(&this_run, lock, made_folder, e));
    }
    // 3. train
    let (on_pool, keep) = (options.on_pool, options.keep_failed);
    let trained = pooled(on_pool, move || {
        fit(run_config, run, data, (model, 0), device, options)
    });
    match keep {
        true => trained,
        false => trained.map_err(|e| discard_unsaved(&this_run, lock, made_folder, e)),
    }
}

/// Refuses a path that `config.json` could not record (not UTF-8 text), naming its flag, before
/// anything is written.
fn recordable(source: &DataSource, config: &TrainConfig) -> Result<()> {
    let init = config.init_from.as_deref().map(|p| ("--init-from", p));
    let mut paths = source.paths().into_iter().chain(init);
    let Some((flag, path)) = paths.find(|(_, p)| p.to_str().is_none()) else {
        return Ok(());
    };
    let why = format!(
        "{} is not UTF-8 text, which config.json cannot record (nor --resume find again): \
         rename it",
        path.display()
    );
    Err(Error::invalid(flag, why))
}

/// A new run that failed before saving any weights is removed (its files, and its folder if
/// the run made it): nothing could resume it, and it would block the same `--out`.
fn discard_unsaved(
    run: &RunDir,
    lock: lock::RunLock,
    made_folder: Option<PathBuf>,
    error: Error,
) -> Error {
    let saved = checkpoint::latest_complete(&run.checkpoint_dir()).is_some();
    if saved || run.model_path().exists() || run.remove_training().is_err() {
        return error;
    }
    drop(lock); // .lock goes, so the folder can be empty
    if let Some(top) = made_folder {
        // each only if nothing else is in it, from --out up to the highest one the run made
        for dir in run.root().ancestors() {
            if std::fs::remove_dir(dir).is_err() || dir == top {
                break;
            }
        }
    }
    match error {
        Error::Diverged(why) => Error::Diverged(format!(
            "{}. The run's files are removed from {}: there is nothing to resume.",
            why.trim_end_matches('.'),
            run.root().display()
        )),
        other => other,
    }
}

/// What may change when a stopped run continues; everything else is the run's `config.json`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ResumeChanges {
    /// The new total number of epochs.
    pub epochs: Option<usize>,
    /// Early stopping's new patience (the run must use early stopping).
    pub patience: Option<usize>,
    /// Epochs between two checkpoints from now on (saving by epochs).
    pub checkpoint_every: Option<usize>,
    /// Seconds between two saves from now on (saving by time).
    pub checkpoint_interval: Option<f64>,
}

impl From<Option<usize>> for ResumeChanges {
    /// Only the total number of epochs changes.
    fn from(epochs: Option<usize>) -> Self {
        Self {
            epochs,
            ..Self::default()
        }
    }
}

impl ResumeChanges {
    /// Writes the changes into `config`, refusing a patience for a run without early stopping.
    fn apply(self, config: &mut TrainConfig) -> Result<()> {
        if let Some(epochs) = self.epochs {
            refuse_new_cosine_length(config, epochs)?;
            config.epochs = epochs;
        }
        if let Some(every) = self.checkpoint_every {
            (config.checkpoint_every, config.checkpoint_interval) = (every, None);
        }
        if let Some(seconds) = self.checkpoint_interval {
            (config.checkpoint_every, config.checkpoint_interval) = (1, Some(seconds));
        }
        if let Some(patience) = self.patience {
            let es = config.early_stopping.as_mut().ok_or_else(|| {
                Error::invalid(
                    "patience",
                    "this run trains without early stopping; there is no patience to change",
                )
            })?;
            es.patience = patience;
        }
        config.validate()
    }
}

/// A cosine schedule anneals over the run's epochs: another total would move the rate of every
/// epoch to come off the curve the run followed (PyTorch's `T_max` is fixed too).
fn refuse_new_cosine_length(config: &TrainConfig, epochs: usize) -> Result<()> {
    if !matches!(config.schedule, ScheduleConfig::Cosine { .. }) || epochs == config.epochs {
        return Ok(());
    }
    Err(Error::invalid(
        "epochs",
        format!(
            "the run's cosine schedule anneals the rate over its {} epochs; another total would \
             make the rate jump: to train longer, start a new run from these weights with \
             --init-from and --epochs {epochs}",
            config.epochs
        ),
    ))
}

/// Continues a stopped run at the epoch after its last checkpoint (from the start when it has
/// none), with `changes` (e.g. more epochs) written into its `config.json` once everything
/// checks: a refused resume leaves the run as it was.
pub fn resume(
    out: &Path,
    changes: impl Into<ResumeChanges>,
    verbosity: Verbosity,
) -> Result<TrainedRun> {
    let run = RunDir::new(out);
    let mut run_config = run.read_config()?;
    let _lock = lock::RunLock::acquire(run.root())?;
    let changes = changes.into();
    if let DataSource::Memory { description } = &run_config.data.source {
        let why = format!("trained on rows made in memory, not read from a file it can read again ({description}): the command line cannot resume it");
        return Err(Error::run(out, why));
    }
    if changes != ResumeChanges::default() {
        changes.apply(&mut run_config.train)?;
    }
    // saving by time, a run killed before its first save has none: it starts over
    let last = checkpoint::latest_complete(&run.checkpoint_dir()).unwrap_or(0);
    let rows = recorded_through(&run, last)?;
    if let Some(why) = why_it_cannot_go_on(&run_config, &rows, last, changes.patience) {
        return Err(Error::run(out, why));
    }
    let data = run_config.data.source.load()?;
    same_data(&run_config, &data).map_err(|why| Error::run(out, why))?;
    let device = run_config.train.backend.device()?;
    let model = starting_model(&run_config.train, &run, last, &device)?;
    if changes != ResumeChanges::default() {
        run.write_config(&run_config)?;
    }
    pooled(true, move || {
        fit(
            run_config,
            run,
            data,
            (model, last),
            device,
            verbosity.into(),
        )
    })
}

/// Why a run whose last checkpoint is of epoch `last` cannot go on: it has trained all its
/// epochs, early stopping ended it (with `patience` if given), or its data file is gone.
fn why_it_cannot_go_on(
    run_config: &RunConfig,
    rows: &[EpochRow],
    last: usize,
    patience: Option<usize>,
) -> Option<String> {
    let epochs = run_config.train.epochs;
    if last >= epochs {
        let done = match last > epochs {
            true => format!("has trained {last} epochs, more than --epochs {epochs}"),
            false => format!("has trained all its {epochs} epochs"),
        };
        let why = match run_config.train.schedule {
            // more epochs would be refused: the cosine curve is the run's length
            ScheduleConfig::Cosine { .. } => format!(
                "{done}, annealed by its cosine schedule: to train further, start a new run from \
                 these weights with --init-from"
            ),
            _ => format!(
                "{done}: pass --epochs {} or more to train further",
                last + 1
            ),
        };
        return Some(why);
    }
    if let Some((best, waited)) = stopped_early(rows, &run_config.train, last) {
        let why = match patience {
            None => format!("stopped early at epoch {last}"),
            Some(p) => format!("with --patience {p} it would stop at once"),
        };
        return Some(format!(
            "{why}: val_loss had not improved on epoch {best}'s for {waited} epochs; pass \
             --patience N (more than {waited}) to train further"
        ));
    }
    let gone = run_config.data.source.missing()?;
    Some(format!(
        "trained on {}, which is no longer there: put the file back to resume, or train a new run",
        gone.display()
    ))
}

/// The data a resumed run loads has the columns, classes, standardisation and bytes its run
/// recorded: a file changed since would train the rest of the run on other rows, scaled otherwise.
fn same_data(config: &RunConfig, data: &Prepared) -> std::result::Result<(), String> {
    let (now, then) = (&data.train.data, &config.data);
    let what = if now.feature_names != then.feature_names {
        "its columns"
    } else if !now
        .class_names
        .iter()
        .cloned()
        .eq(then.class_names.iter().map(|c| class_name(c)))
    {
        "its classes" // named as today (a run of 0.50 reads 0.5)
    } else if data.scaler != then.scaler || data.target_scaler != then.target_scaler {
        "its columns' means or deviations"
    } else if !then.unchanged() {
        "its rows"
    } else {
        return Ok(());
    };
    Err(format!(
        "{} has changed since the run trained ({what} differ): resume with the data it started \
         from, or train a new run",
        then.source.describe()
    ))
}

/// `metrics.csv`'s rows, refused unless they record every epoch up to `last`, the checkpoint's,
/// and a run whose `checkpoint/` was removed: either would lose epochs already trained. A run
/// killed before its first save (an empty `checkpoint/`) starts over.
fn recorded_through(run: &RunDir, last: usize) -> Result<Vec<EpochRow>> {
    let again = format!(
        "train it again with `plaindnn train --out {} --overwrite` and its flags",
        crate::shell::quote(&run.root().display().to_string())
    );
    if !run.checkpoint_dir().is_dir() {
        let why = format!("has no checkpoint/ folder, so nothing to continue from: {again}");
        return Err(Error::run(run.root(), why));
    }
    if !run.metrics_path().is_file() {
        // killed before its first epoch ended: nothing to lose, it starts over
        if last == 0 {
            return Ok(Vec::new());
        }
        return Err(Error::run(
            run.root(),
            format!("has no metrics.csv: {again}"),
        ));
    }
    let rows = history::read(&run.metrics_path())?;
    let epochs: Vec<usize> = rows
        .iter()
        .map(|r| r.epoch)
        .filter(|&e| e <= last)
        .collect();
    if epochs != (1..=last).collect::<Vec<_>>() {
        let why = format!(
            "metrics.csv records {} of the {last} epochs its checkpoint holds: resuming would \
             leave a gap in its history; {again}",
            epochs.len()
        );
        return Err(Error::run(run.root(), why));
    }
    Ok(rows)
}

/// `Some((best epoch, epochs since it))` when early stopping, with the patience the run has now,
/// ends it at epoch `last` (replayed from `metrics.csv`): resuming would stop again at once.
fn stopped_early(rows: &[EpochRow], config: &TrainConfig, last: usize) -> Option<(usize, usize)> {
    let es = config.early_stopping.as_ref().filter(|_| last > 0)?;
    let kept = rows.iter().filter(|r| r.epoch <= last);
    let (tracker, verdict) = early_stopping::EarlyStopping::replay(Some(es), kept);
    let best = tracker.best().map_or(0, |(epoch, _)| epoch);
    (verdict == Some(early_stopping::Verdict::Stop)).then(|| (best, tracker.waited()))
}

/// `f` on one of rayon's workers when `on_pool` (inline when this thread is one), the other
/// workers spinning for its work ([`crate::fused::hot`]), else here. On a worker, a split product
/// runs one half on this thread and hands the other on; called from outside the pool it would
/// wake two workers and sleep until both are done (four times the context switches).
fn pooled<R: Send>(on_pool: bool, f: impl FnOnce() -> R + Send) -> R {
    if on_pool {
        crate::fused::hot(f)
    } else {
        f()
    }
}

/// Wires `model` (as [`starting_model`] made it for epoch `done`), optimizer, loaders and
/// checkpointers into burn-train and runs epochs `done+1..` on `device` (made once by the
/// caller, which refuses a missing driver or a bad start before writing anything).
fn fit(
    run_config: RunConfig,
    run: RunDir,
    data: Prepared,
    (model, done): (Mlp, usize),
    device: Device,
    options: RunOptions,
) -> Result<TrainedRun> {
    let config = &run_config.train;
    let task = data.train.data.task();
    let val = data.val.clone();
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
            target_std: run_config
                .data
                .target_scaler
                .as_ref()
                .map(|s| s.std.clone()),
        },
        observers,
    ));
    let training = supervised(&run, config.epochs, done, train_loader, valid_loader)
        .with_training_strategy(TrainingStrategy::Custom(epoch_loop.clone()));
    let optim = optimizer::build(&config.optimizer, &config.regularization, &config.clipping);
    let result = training.launch(Learner::new(model, optim, ModuleLrScheduler::new(schedule)));
    if let Some(error) = result.error {
        return Err(Error::Training(error.to_string()));
    }
    let outcome = epoch_loop.outcome()?;
    epoch_loop::end(&mut epoch_loop.take_observers(), &outcome, &result.model)?;
    Ok(TrainedRun {
        model: result.model,
        outcome,
        run,
        config: run_config,
    })
}

/// The network at epoch `done`: seeded fresh weights (or `--init-from`'s) under seeded ids for
/// a new run, the checkpoint (its parameters' ids included) for a resumed one; frozen as
/// configured. Parameters
/// are born on the autodiff device, to be tracked.
fn starting_model(config: &TrainConfig, run: &RunDir, done: usize, device: &Device) -> Result<Mlp> {
    let device = device.clone().autodiff();
    let mut model = config.model.init(&device, config.seed)?;
    if let (Some(source), 0) = (&config.init_from, done) {
        let from = (source.as_path(), config.new_head);
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
        model = model
            .try_load_file(&path)
            .map_err(|e| damaged(path.clone(), &e))?;
        let path = checkpoint_path(&ckpt, "optim", done);
        OptimizerRecord::load(&path).map_err(|e| damaged(path.clone(), &e))?;
        let path = checkpoint_path(&ckpt, "scheduler", done);
        LrSchedulerRecord::load(&path).map_err(|e| damaged(path.clone(), &e))?;
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
