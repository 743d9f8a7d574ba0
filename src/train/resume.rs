//! Continuing a stopped run: what may change, why a run cannot go on, and the checks that its
//! data and history are the ones it trained on.

use std::path::Path;

use super::config::{ScheduleConfig, TrainConfig};
use super::fit::{fit, pooled, starting_model};
use super::{checkpoint, early_stopping, history, lock};
use super::{EpochRow, RunConfig, RunDir, RunOptions, TrainedRun};
use crate::backend::Backend;
use crate::data::target::class_name;
use crate::data::{DataSource, Prepared};
use crate::error::{Error, Result};

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
    /// The backend to go on with (PyTorch's `map_location`): the checkpoint is the same on any.
    pub backend: Option<Backend>,
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
        if let Some(backend) = self.backend {
            config.backend = backend;
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
/// checks: a refused resume leaves the run as it was. Of `options`, the verbosity, the observers
/// and the thread take effect; a run's directory and command are its own, so `overwrite`,
/// `keep_failed` and `command` are refused.
pub fn resume(
    out: impl AsRef<Path>,
    changes: impl Into<ResumeChanges>,
    options: impl Into<RunOptions>,
) -> Result<TrainedRun> {
    let (out, options) = (out.as_ref(), options.into());
    refuse_new_run_options(&options)?;
    let run = RunDir::new(out);
    let (mut run_config, _lock) = taken(&run)?;
    let changes = changes.into();
    if let Some(why) = not_resumable(&run_config, &changes) {
        return Err(Error::run(out, why));
    }
    if changes != ResumeChanges::default() {
        changes.apply(&mut run_config.train)?;
    }
    // saving by time, a run killed before its first save has none: it starts over
    let last = checkpoint::latest_complete(&run.checkpoint_dir()).unwrap_or(0);
    let rows = recorded_through(&run, last)?;
    if last == 0 {
        same_start(&run_config).map_err(|why| Error::run(out, why))?;
        draws_again(&run_config.train, out)?;
    }
    if let Some(why) = why_it_cannot_go_on(&run_config, &rows, last, changes.patience) {
        return Err(Error::run(out, why));
    }
    let data = (run_config.data.source.load()).map_err(|e| changed_since(&run_config, out, e))?;
    same_data(&run_config, &data).map_err(|why| Error::run(out, why))?;
    let device = run_config.train.backend.device()?;
    let model = starting_model(&run_config.train, &run, last, &device)?;
    if changes != ResumeChanges::default() {
        run.write_config(&run_config)?;
    }
    pooled(options.on_pool, move || {
        fit(run_config, run, data, (model, last), device, options)
    })
}

/// The run's config, read under the run's lock, which is held from here on; a run
/// `--overwrite` set aside, whose replacement was killed before it wrote config.json, is put
/// back under the lock first (as `train --out` does) and resumed.
fn taken(run: &RunDir) -> Result<(RunConfig, lock::RunLock)> {
    let set_aside = !run.config_path().exists() && super::replaced::waits(run);
    let early = set_aside
        .then(|| lock::RunLock::acquire(run.root()))
        .transpose()?;
    if early.is_some() {
        super::replaced::refuse_foreign(run)?; // a user's own `.replaced` is not moved out
        super::replaced::recover(run)?;
    }
    let run_config = run.read_config()?;
    let lock = match early {
        Some(lock) => lock,
        None => lock::RunLock::acquire(run.root())?,
    };
    run.sweep_temporaries(); // a killed run's half-written files
    Ok((run_config, lock))
}

/// Why a run cannot be resumed at all: rows built in memory, a pretraining, or a backend this
/// build lacks (where `changes` names no other).
fn not_resumable(run_config: &RunConfig, changes: &ResumeChanges) -> Option<String> {
    match &run_config.data.source {
        DataSource::Memory { description } if description == super::pretrain::LAYER_CODES => {
            return Some(
                "it is one layer of a pretraining, whose autoencoder learns the codes of the \
                 layers below, so it cannot be resumed alone; run `plaindnn pretrain` again with \
                 --overwrite and the epochs you want"
                    .to_string(),
            )
        }
        DataSource::Memory { description } => {
            return Some(format!(
                "its rows were built in memory ({description}), so it cannot be resumed; \
                 run it again with --overwrite and the epochs you want"
            ))
        }
        DataSource::Inputs { .. } => {
            return Some(
                "it is a pretraining, whose autoencoders train one after another, so it cannot \
                 be resumed; run `plaindnn pretrain` again with --overwrite and the epochs you \
                 want"
                    .to_string(),
            )
        }
        _ => {}
    }
    let backend = run_config.train.backend;
    (changes.backend.is_none() && !backend.is_compiled()).then(|| {
        format!(
            "trained on {backend}, which this plaindnn is built without: go on with another \
             (--backend {}), or rebuild with `--features {backend}`",
            Backend::default()
        )
    })
}

/// Refuses the options that are a new run's only, naming the one given.
fn refuse_new_run_options(options: &RunOptions) -> Result<()> {
    let given = [
        (
            options.overwrite,
            "overwrite",
            "a resumed run goes on in its own directory",
        ),
        (
            options.keep_failed,
            "keep_failed",
            "a resumed run keeps its saved epochs",
        ),
        (
            options.command.is_some(),
            "command",
            "a resumed run keeps the command that started it",
        ),
    ];
    match given.into_iter().find(|(set, ..)| *set) {
        Some((_, name, why)) => Err(Error::invalid(name, format!("{why}: not for resume"))),
        None => Ok(()),
    }
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
            false => format!(
                "has trained all its {}",
                crate::plural::count(epochs, "epoch")
            ),
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
    if let Some((mark, waited, delta)) = stopped_early(rows, &run_config.train, last) {
        let why = match patience {
            None => format!("stopped early at epoch {last}"),
            Some(p) => format!("with --patience {p} it would stop at once"),
        };
        let by = match delta > 0.0 {
            true => format!(" by more than {delta}"),
            false => String::new(),
        };
        let epochs = crate::plural::count(waited, "epoch");
        return Some(format!(
            "{why}: val_loss had not improved on epoch {mark}'s{by} for {epochs}; pass \
             --patience N (more than {waited}) to train further"
        ));
    }
    let gone = run_config.data.source.missing()?;
    Some(format!(
        "trained on {}, which is no longer there: put the file back to resume, or train a new run",
        gone.display()
    ))
}

/// A resumed run's data that fails to load (`e`) where its file changed since the run trained:
/// said as that change, since `e`'s way on (flags about its columns) cannot apply to a resume.
fn changed_since(config: &RunConfig, out: &Path, e: Error) -> Error {
    if config.data.unchanged() {
        return e;
    }
    let why = format!(
        "{} has changed since the run trained and no longer reads as the run's data: resume \
         with the data it started from, or train a new run",
        config.data.source.describe_files()
    );
    Error::run(out, why)
}

/// A run that saved nothing starts over from `--init-from`'s weights: those it started from.
fn same_start(config: &RunConfig) -> std::result::Result<(), String> {
    let (Some(source), Some(then)) = (&config.train.init_from, &config.init_fingerprint) else {
        return Ok(()); // no --init-from, or a run from before the fingerprint
    };
    let file = super::transfer::weights_file(source);
    let what = match crate::data::fingerprint::of_files(&[&file]) {
        Some(now) if &now == then => return Ok(()),
        Some(_) => "have changed since the run started from them: restore those",
        None => "cannot be read now: restore them",
    };
    Err(format!(
        "saved no checkpoint (it was stopped before its first save), so it starts over from \
         --init-from {}, whose weights ({}) {what}, or train a new run",
        source.display(),
        file.display()
    ))
}

/// A run that saved nothing starts over from new weights, drawn from the spread it recorded,
/// which a run from before that spread was checked may hold unusable.
fn draws_again(config: &TrainConfig, out: &Path) -> Result<()> {
    config.validate_draws().map_err(|e| {
        let why = format!(
            "saved no checkpoint (it was stopped before its first save), so it starts over from \
             new weights, drawn as it recorded: {e}; train it again with `plaindnn train --out {} \
             --overwrite` and its flags",
            crate::shell::quote_path(out)
        );
        Error::run(out, why)
    })
}

/// The data a resumed run loads has the columns, classes, standardisation and bytes its run
/// recorded: a file changed since would train the rest of the run on other rows, scaled otherwise.
fn same_data(config: &RunConfig, data: &Prepared) -> std::result::Result<(), String> {
    let (now, then) = (&data.train.data, &config.data);
    let changed = |files: String, what: &str| {
        format!(
            "{files} has changed since the run trained ({what}): resume with the data it \
             started from, or train a new run"
        )
    };
    let what = if now.feature_names != then.feature_names {
        if then.unchanged() {
            // an older run learnt `--one-hot` categories `2` and `2.0` apart; today they are one
            return Err(read_otherwise(&then.feature_names, &now.feature_names));
        }
        "its columns differ"
    } else if !now
        .class_names
        .iter()
        .cloned()
        .eq(then.class_names.iter().map(|c| class_name(c)))
    {
        if then.unchanged() {
            return Err(renamed(&then.class_names, &now.class_names));
        }
        "its classes differ" // named as today (a run of 0.50 reads 0.5)
    } else if !same_inputs(data, then) || !same_target(data, then) {
        "its columns' means or deviations differ"
    } else if data.imputer != then.imputer {
        "the values its missing cells are filled with differ"
    } else if !then.unchanged() {
        // the fingerprint is of the bytes, the training file's and --val-data's
        let what = "its bytes differ: its rows, or only how they are written";
        return Err(changed(then.source.describe_files(), what));
    } else {
        return Ok(());
    };
    // the columns, classes and scaling are the training file's
    Err(changed(then.source.describe(), what))
}

/// Whether two runs' scalers (or their absence) agree, to f32's precision ([`crate::data::Scaler::same_as`]).
fn same(a: &Option<crate::data::Scaler>, b: &Option<crate::data::Scaler>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same_as(b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Whether the target's scaler is the run's: to f32's precision, or, the file's bytes the
/// same (its fingerprint), whatever its digits — a run from before targets were read in f64
/// learnt it from them rounded to f32 (a timestamp's deviation moves by 1e-5 so).
fn same_target(data: &Prepared, then: &crate::train::DataInfo) -> bool {
    let (now, was) = (&data.target_scaler, &then.target_scaler);
    same(now, was) || (same_bytes(then) && now.is_some() == was.is_some())
}

/// Whether the inputs' scaler is the run's, as [`same_target`]: a run from before inputs too
/// coarse for f32 were read in f64 learnt theirs from them rounded (a timestamp's mean by 64).
fn same_inputs(data: &Prepared, then: &crate::train::DataInfo) -> bool {
    let (now, was) = (&data.scaler, &then.scaler);
    same(now, was) || (same_bytes(then) && now.is_some() == was.is_some())
}

/// Whether the run's files hold the bytes they held when it trained, by a fingerprint it
/// recorded.
fn same_bytes(then: &crate::train::DataInfo) -> bool {
    matches!(
        (&then.fingerprint, then.source.fingerprint()),
        (Some(a), Some(b)) if *a == b
    )
}

/// Where the file is the one the run trained on but its classes read otherwise today (an older
/// run kept `true` as written; today it is `True`, sorted before other words): the run cannot go
/// on with a network whose outputs are ordered as before.
fn renamed(then: &[String], now: &[String]) -> String {
    format!(
        "its data is unchanged, but this version of plaindnn names its classes {} where the run \
         named them {}: the network's outputs are in the old order, so it cannot go on; train a \
         new run on the data",
        now.join(", "),
        then.join(", ")
    )
}

/// Where the file is the one the run trained on but its inputs read otherwise today (an older run
/// learnt the `--one-hot` categories `2` and `2.0` apart): the network's inputs are the old ones.
fn read_otherwise(then: &[String], now: &[String]) -> String {
    format!(
        "its data is unchanged, but this version of plaindnn reads its inputs as {} where the run \
         read {}: the network's first layer takes the old ones, so it cannot go on; train a new \
         run on the data",
        crate::data::csv_file::abbreviate(now),
        crate::data::csv_file::abbreviate(then)
    )
}

/// `metrics.csv`'s rows, refused unless they record every epoch up to `last`, the checkpoint's,
/// and a run whose `checkpoint/` was removed: either would lose epochs already trained. A run
/// killed before its first save (an empty `checkpoint/`) starts over.
fn recorded_through(run: &RunDir, last: usize) -> Result<Vec<EpochRow>> {
    let again = format!(
        "train it again with `plaindnn train --out {} --overwrite` and its flags",
        crate::shell::quote_path(run.root())
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
        // a row cut short, or one that does not read as a row, counts as missing
        let missing: Vec<String> = (1..=last)
            .filter(|e| !epochs.contains(e))
            .map(|e| e.to_string())
            .collect();
        let shown = match missing.len() {
            n if n > 5 => format!("{}, …", missing[..5].join(", ")),
            _ => missing.join(", "),
        };
        let why = match missing.is_empty() {
            true => format!(
                "metrics.csv does not hold epochs 1 to {last} once each and in order, as its \
                 checkpoint's history: a row is repeated or out of place; {again}"
            ),
            false => format!(
                "metrics.csv records {} of the {} its checkpoint holds (no readable row for \
                 epoch {shown}): resuming would leave a gap in its history; {again}",
                last - missing.len(),
                crate::plural::count(last, "epoch")
            ),
        };
        return Err(Error::run(run.root(), why));
    }
    Ok(rows)
}

/// `Some((last improvement's epoch, epochs since it, min_delta))` when early stopping, with the
/// patience the run has now, ends it at epoch `last` (replayed from `metrics.csv`): resuming would
/// stop again at once.
fn stopped_early(
    rows: &[EpochRow],
    config: &TrainConfig,
    last: usize,
) -> Option<(usize, usize, f64)> {
    let es = config.early_stopping.as_ref().filter(|_| last > 0)?;
    let kept = rows.iter().filter(|r| r.epoch <= last);
    let (tracker, verdict) = early_stopping::EarlyStopping::replay(Some(es), kept);
    let mark = tracker.last_improvement().map_or(0, |(epoch, _)| epoch);
    let stopped = verdict == Some(early_stopping::Verdict::Stop);
    stopped.then(|| (mark, tracker.waited(), es.min_delta))
}
