//! Training through burn-train's Learner: config, steps, the epoch loop, checkpoints, progress.
//!
//! Knows nothing of the command line.

pub mod adam;
pub mod checkpoint;
pub mod checksum;
pub mod clipping;
pub mod config;
pub mod diagnostics;
pub mod early_stopping;
pub mod epoch_loop;
pub mod evaluate;
mod fit;
pub mod history;
pub mod lock;
pub mod observer;
pub mod optimizer;
pub mod pictures;
pub mod preset;
pub mod pretrain;
pub mod progress;
pub mod regularizer;
pub mod replaced;
pub mod report;
pub mod resume;
pub mod run_config;
pub mod run_dir;
pub mod schedule;
pub mod step;
pub mod transfer;

use std::path::{Path, PathBuf};

pub use config::{
    ClippingConfig, EarlyStoppingConfig, NanPolicy, OptimizerConfig, OptimizerKind,
    RegularizationConfig, ScheduleConfig, TrainConfig,
};
pub use epoch_loop::FitOutcome;
pub use evaluate::Scores;
pub use history::EpochRow;
pub use observer::{
    DecisionGrid, EpochReport, LayerWeights, TrainEnd, TrainObserver, UnitGrids, Wants,
};
pub use preset::Preset;
pub use progress::Verbosity;
pub use resume::{resume, ResumeChanges};
pub use run_config::{DataInfo, RunConfig, FORMAT_VERSION};
pub use run_dir::RunDir;

use burn::tensor::Device;

use crate::data::{one_hot, DataSource, Prepared, Subset};
use crate::error::{Divergence, Error, Kept, Result};
use crate::files::{made_folder, remove_made};
use crate::model::Mlp;
use fit::{fit, pooled, starting_model};
use observer::Observers;

/// A finished (or early-stopped) run: the model to use and how training went.
#[derive(Debug)]
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
    /// Replace a run already in the directory; without it such a directory is refused. The run
    /// replaced waits aside until the new run first saves, and comes back if the new run fails
    /// before ([`replaced`]).
    pub overwrite: bool,
    /// With `overwrite`, remove the run replaced before the first epoch instead of setting it
    /// aside: for a caller that shows only its newest run (the playground's page).
    pub replace_at_once: bool,
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
    /// The command that started the run, kept in `config.json` and shown in `report.html`:
    /// `plaindnn train`'s own, the playground page's (none for a program's own run).
    pub command: Option<String>,
}

impl From<Verbosity> for RunOptions {
    fn from(verbosity: Verbosity) -> Self {
        Self {
            verbosity,
            overwrite: false,
            replace_at_once: false,
            observers: Observers::default(),
            on_pool: true,
            keep_failed: false,
            command: None,
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

    /// The same options, recording `command` as what started the run (see [`Self::command`]).
    pub fn started_by(self, command: impl Into<String>) -> Self {
        Self {
            command: Some(command.into()),
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

    /// The same options, replacing any run already in the directory before the first epoch
    /// (see [`Self::replace_at_once`]).
    pub fn replace_at_once(self) -> Self {
        Self {
            overwrite: true,
            replace_at_once: true,
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
    out: impl AsRef<Path>,
    options: impl Into<RunOptions>,
) -> Result<TrainedRun> {
    // 1. check the recipe before touching anything
    config.validate()?;
    if let DataSource::Memory { description } = &source {
        // nothing to load: the rows are the caller's
        return Err(Error::Data(format!(
            "train loads its rows from its source, and this one ({description}) has none to load: \
             give the rows to train_on, as a Prepared, with this source"
        )));
    }
    // 2. load, split and scale the data
    let prepared = source.load()?;
    let source = source.absolute();
    train_on(source, prepared, config, out, options)
}

/// Trains a new run on data already in memory; `source` is what `config.json` records of it, and
/// what `eval` and `--resume` load again: `DataSource::Memory` unless `data` is what
/// `source.load()` gives (a resumed run would go on with the source's rows, not these).
pub fn train_on(
    source: DataSource,
    data: Prepared,
    config: TrainConfig,
    out: impl AsRef<Path>,
    options: impl Into<RunOptions>,
) -> Result<TrainedRun> {
    train_held(source, data, config, out.as_ref(), (options.into(), None))
}

/// What [`train_on`] refuses before it writes anything: the recipe against the data, an empty
/// `out`, a one-hot column with `NA`, a backend without its driver, a path `config.json` cannot
/// record (the source as the command records it, absolute), and the layers `--init-from` loads.
/// A command checks it (and [`RunDir::check_claim`]) before it announces its run; nothing is
/// written.
pub fn check_new(
    source: &DataSource,
    data: &Prepared,
    config: &TrainConfig,
    out: &Path,
) -> Result<()> {
    let device = checked(source, data, config, out)?;
    recordable(&source.clone().absolute(), config)?; // as the command will record it
                                                     // the loaded layers are checked by loading them, so such a network is made twice; without
                                                     // a source, the network is made once, when training starts
    if config.init_from.is_some() {
        starting_model(config, &RunDir::new(out), 0, &device)?;
    }
    Ok(())
}

/// [`check_new`]'s checks, and the device and the network to start from.
fn ready(
    source: &DataSource,
    data: &Prepared,
    config: &TrainConfig,
    out: &Path,
) -> Result<(Device, Mlp)> {
    let device = checked(source, data, config, out)?;
    recordable(source, config)?;
    let model = starting_model(config, &RunDir::new(out), 0, &device)?;
    Ok((device, model))
}

/// The checks [`check_new`] and [`ready`] share (the recipe, the folder, `NA` in a one-hot
/// column, the backend); the device to train on.
fn checked(
    source: &DataSource,
    data: &Prepared,
    config: &TrainConfig,
    out: &Path,
) -> Result<Device> {
    config.validate_for(data)?;
    refuse_empty_path(out)?;
    RunDir::new(out).refuse_data_inside(&source.paths())?;
    one_hot::refuse_missing(&data.train.data.one_hot, &source.describe_files())?;
    config.backend.device()
}

/// [`train_on`], into a directory the caller may hold already (`pretrain`, through its stages).
pub(crate) fn train_held(
    source: DataSource,
    data: Prepared,
    config: TrainConfig,
    out: &Path,
    (options, held): (RunOptions, Option<lock::RunLock>),
) -> Result<TrainedRun> {
    // 1. the recipe must be valid and fit the data's inputs and outputs
    let (device, model) = ready(&source, &data, &config, out)?;
    let run = RunDir::new(out);
    // 2. write config.json before training starts, so a crash still leaves a readable run
    let made = made_folder(run.root()); // removed with the run if it fails
    run.create()?;
    let claimed = held.is_some(); // by the caller, a pretraining, for its autoencoder
    let lock = match held {
        Some(lock) if lock.dir() == Some(run.root()) => lock,
        _ => lock::RunLock::acquire(run.root())?,
    };
    run.sweep_temporaries(); // a killed run's half-written files
    let replacing = claim(&run, &options, claimed)?; // one directory, one run
    if options.verbosity.shows_warnings() {
        let warnings = data.warnings.iter().chain(&data.target_warnings);
        warnings.for_each(|w| eprintln!("warning: {w}"));
    }
    let this_run = run.clone();
    let run_config = recorded(source, &data, config, options.command.clone());
    let written = (run.create_checkpoint_dir()).and_then(|()| run.write_config(&run_config));
    if let Err(e) = written {
        return Err(discard_unsaved(&this_run, (lock, made, replacing), e));
    }
    // 3. train
    let (on_pool, keep) = (options.on_pool, options.keep_failed);
    let rows = (data.train.clone(), data.val.clone()); // shared, not copied
    let trained = pooled(on_pool, move || {
        fit(run_config, run, data, (model, 0), device, options)
    });
    // the divergence says what became of the run's files before the rows are blamed for it
    let trained = match trained {
        Err(e) if !keep => Err(discard_unsaved(&this_run, (lock, made, replacing), e)),
        trained => {
            // kept: a reader of the run is told why it has no weights, not that it was stopped
            if let Err(e) = &trained {
                let why = this_run.root().join(run_dir::FAILED);
                let _ = crate::files::write_atomic(&why, format!("{e}\n").as_bytes());
            }
            let deleted = replaced::delete(&this_run); // the new run is kept
            trained.and_then(|done| deleted.map(|()| done))
        }
    };
    trained.map_err(|e| blame_rows(e, rows))
}

/// Refuses a folder that holds another run, or with `overwrite` sets that run aside
/// ([`replaced`]; removes it, with `replace_at_once`); whether a run was set aside. A folder
/// its caller `claimed` (a pretraining, which set aside what it replaces) is only checked.
fn claim(run: &RunDir, options: &RunOptions, claimed: bool) -> Result<bool> {
    match (claimed, options.overwrite && options.replace_at_once) {
        (true, _) => run.check_claim(options.overwrite).map(|()| false),
        (false, false) => replaced::claim(run, options.overwrite),
        (false, true) => run.claim(true).map(|()| false),
    }
}

/// What `config.json` records of a new run: the data's columns, classes, fill and scalers, the
/// fingerprints of the data and of `--init-from`'s weights, the recipe and the command.
fn recorded(
    source: DataSource,
    data: &Prepared,
    config: TrainConfig,
    command: Option<String>,
) -> RunConfig {
    let mut config = config;
    // one activation per layer: the one for all (unused) recorded as the first, so that the
    // file says one thing, and an edit of it, reused as `--config`, is refused, not ignored
    if let Some(first) = config.model.activations.first() {
        config.model.activation = first.clone();
    }
    let train_set = &data.train.data;
    let fingerprint = source.fingerprint();
    let init_fingerprint = (config.init_from.as_deref())
        .and_then(|s| crate::data::fingerprint::of_files(&[&transfer::weights_file(s)]));
    RunConfig {
        format_version: FORMAT_VERSION,
        plaindnn_version: env!("CARGO_PKG_VERSION").to_string(),
        data: DataInfo {
            target: train_set.target_name.clone(),
            source,
            task: train_set.task(),
            feature_names: train_set.feature_names.clone(),
            one_hot: train_set.one_hot.clone(),
            class_names: train_set.class_names.clone(),
            imputer: data.imputer.clone(),
            scaler: data.scaler.clone(),
            target_scaler: data.target_scaler.clone(),
            image: train_set.image,
            reconstructs: train_set.reconstructs,
            fingerprint,
            exact_inputs: (train_set.exact_columns.as_ref()).map_or(vec![], |e| {
                let names = &train_set.feature_names;
                e.columns.iter().map(|&j| names[j].clone()).collect()
            }),
        },
        train: TrainConfig {
            optimizer: config.optimizer.resolved(),
            ..config
        },
        init_fingerprint,
        command,
    }
}

/// Refuses `""` as a run's directory: it would be the current folder, the run's files among the
/// user's own.
fn refuse_empty_path(out: &Path) -> Result<()> {
    if !out.as_os_str().is_empty() {
        return Ok(());
    }
    let why = "the run's directory is an empty path: name a folder for its files";
    Err(Error::invalid("out", why))
}

/// A divergence whose cause is in the rows, not the rate: a value that is not finite, which
/// rows built in memory can hold (files and built-in sets refuse or never make one). Looked for
/// only once training has diverged, so a run that trains pays nothing for it.
fn blame_rows(error: Error, (train, val): (Subset, Subset)) -> Error {
    if !matches!(error, Error::Diverged(_)) {
        return error;
    }
    match train
        .first_non_finite("training")
        .or_else(|| val.first_non_finite("validation"))
    {
        Some(cell) => Error::Data(format!(
            "{cell} is not a finite number, so the loss was not either ({error})"
        )),
        None => error,
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
/// the run made it): nothing could resume it, and it would block the same `--out`. The run it
/// replaced (`replacing`) comes back; one that saved replaces it for good.
fn discard_unsaved(
    run: &RunDir,
    (lock, made_folder, replacing): (lock::RunLock, Option<PathBuf>, bool),
    error: Error,
) -> Error {
    let saved = checkpoint::latest_complete(&run.checkpoint_dir()).is_some();
    if saved || run.model_path().exists() {
        let deleted = replaced::delete(run).map(|()| false);
        return replaced::told(error, deleted, run.root());
    }
    if run.remove_training().is_err() {
        return error;
    }
    let back = match replacing {
        true => replaced::put_back(run),
        false => Ok(false),
    };
    drop(lock); // .lock goes, so the folder can be empty
    remove_made(run.root(), made_folder);
    let error = match error {
        Error::Diverged(d) => Error::Diverged(Divergence {
            kept: Some(Kept::Removed(run.root().to_path_buf())),
            ..d
        }),
        other => other,
    };
    replaced::told(error, back, run.root())
}
