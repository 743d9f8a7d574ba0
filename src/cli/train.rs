//! `plaindnn train`: flags on top of a starting `TrainConfig`, then burn-train does the work.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use super::choices::choices;
use super::class_weight::ClassWeight;
use super::config_file::ConfigFile;
use super::data_args::DataArgs;
use super::default_out::default_named;
use super::interrupt::{self, StopOnSignal};
use super::train_flags::RecipeFlags;
use build::build_config;
pub(super) use data::text_target; // pretrain's data too
use data::{in_source_order, lopsided};
use outcome::{print_next_steps, warn_if_still_improving};
use plaindnn::data::Prepared;
use plaindnn::error::{Error, Result};
use plaindnn::plural::count;
use plaindnn::train::{
    self, Preset, ResumeChanges, RunDir, RunOptions, TrainConfig, TrainedRun, Verbosity,
};

mod build;
mod data;
mod outcome;
mod transfer_checks;

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Run directory to write [default: artifacts/runs/<dataset or file name>, or the first free
    /// <name>-2, <name>-3, … when that one holds a run].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the run already in --out DIR (its model, checkpoints, metrics, pictures and
    /// report wait in DIR/.replaced until the new run first saves, and come back if it fails
    /// before); without it such a directory is refused.
    #[arg(long, conflicts_with = "resume")]
    overwrite: bool,
    /// Continue the run in DIR at the epoch after its last checkpoint (optimizer state restored).
    /// Only --epochs, --patience, --checkpoint-every, --checkpoint-interval, --backend and --quiet
    /// may be given with it: anything else would make it another run.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "config", "data", "data_dir"])]
    resume: Option<PathBuf>,
    /// Start from this TrainConfig JSON (e.g. a run's config.json "train" part; the data is not in
    /// it: give the run's data flags too), or any part of one over the defaults; --preset and
    /// flags override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Starting recipe that the other flags override: seed-default (the tutorial's best: He, ELU,
    /// BatchNorm, Dropout 0.2, Adam) or plain (default init, sigmoid, SGD lr 0.1). Over a
    /// --config file, the preset's settings replace the file's (the file's weight decay and betas
    /// stay, and its momentum under plain's SGD).
    #[arg(long, hide_possible_values = true)]
    #[arg(value_parser = choices::<Preset>(|| vec!["seed-default", "plain"]))]
    preset: Option<Preset>,
    /// No progress and no next steps; warnings still go to standard error.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    data: DataArgs,
    /// CSV, regression: standardise the target with the training rows' mean and standard
    /// deviation too (saved; predict and eval map the outputs back to its units), as
    /// scikit-learn's TransformedTargetRegressor with a StandardScaler. For targets far from 1:
    /// prices, years.
    #[arg(long, requires = "data", help_heading = "Data")]
    standardize_target: bool,
    /// Classification: weigh each class in the training loss (Keras' class_weight): `balanced`
    /// gives class c the weight n / (k · n_c) over the training rows (scikit-learn's), or give
    /// one weight per class in the order of their indices (1,5), or classes by name with their
    /// weights, the others 1 (fraud:10). Validation stays unweighted.
    #[arg(long, value_name = "WEIGHTS", help_heading = "Training")]
    class_weight: Option<ClassWeight>,
    #[command(flatten)]
    recipe: RecipeFlags,
}

/// Flags that may be given with `--resume`: they change how long or how often, not what trains.
const RESUMABLE: [&str; 7] = [
    "resume",
    "epochs",
    "patience",
    "checkpoint_every",
    "checkpoint_interval",
    "backend",
    "quiet",
];

pub fn run(args: TrainArgs, given: &ArgMatches) -> Result<()> {
    let verbosity = if args.quiet {
        Verbosity::Warnings
    } else {
        Verbosity::auto()
    };
    let trained = match &args.resume {
        Some(dir) => {
            refuse_changes(given)?;
            let changes = ResumeChanges {
                epochs: args.recipe.run.epochs,
                patience: args.recipe.early_stopping.patience,
                checkpoint_every: args.recipe.run.checkpoint_every,
                checkpoint_interval: args.recipe.run.checkpoint_interval,
                backend: args.recipe.run.backend,
            };
            let options = RunOptions::from(verbosity).observe(StopOnSignal);
            let trained = interrupt::catching(|| train::resume(dir, changes, options))?;
            super::export::refresh(dir, args.quiet)?;
            trained
        }
        None => {
            let bannered = Cell::new(false);
            let start = |lost: Option<&Path>| train_new(&args, (verbosity, lost), &bannered);
            default_named(start, args.out.is_none() && !args.overwrite)?
        }
    };
    if let Some(stopped) = interrupt::stopped(&trained) {
        eprintln!("{stopped}"); // not converged, nor the next step: it stopped part-way
        return Ok(());
    }
    warn_if_still_improving(&trained); // quiet or not, as the other warnings
    if !args.quiet {
        print_next_steps(&trained);
    }
    Ok(())
}

/// A new run: data, config, then the directory (a default one that is taken becomes `NAME-2`, …);
/// `lost`: the default name a run started at the same moment took from the try before, whose
/// warnings were printed, and its banner where `bannered` says so (neither again: the folder it
/// trains in instead is said).
fn train_new(
    args: &TrainArgs,
    (verbosity, lost): (Verbosity, Option<&Path>),
    bannered: &Cell<bool>,
) -> Result<TrainedRun> {
    let file = args.config.as_deref().map(ConfigFile::read).transpose()?;
    // the seed draws the data too: `--seed`, else the file's, else the default
    let seed = (args.recipe.run.seed)
        .or(file.as_ref().and_then(ConfigFile::seed))
        .unwrap_or(TrainConfig::default_for(1, 1).seed);
    let (mut source, name) = args.data.source(seed)?;
    if args.standardize_target {
        source = source.with_standardized_target()?;
    }
    let prepared = source.load().map_err(|e| text_target(e, &source))?;
    let given = transfer_checks::given(args, file.as_ref());
    let (source, prepared, reordered) = in_source_order((source, prepared), given.as_deref())?;
    let (config, preset_replaced) = build_config(args, file.as_ref(), &prepared)?;
    // `--init-from`'s source as the messages name it: as given
    let init = given.or_else(|| config.init_from.clone());
    if lost.is_none() {
        warn_of(&config, &prepared, init.as_deref());
    }
    let out = match &args.out {
        Some(out) => out.clone(),
        None if args.overwrite => Path::new("artifacts/runs").join(&name),
        None => RunDir::next_free(&Path::new("artifacts/runs").join(&name))
            .root()
            .to_path_buf(),
    };
    // a directory that will be refused is refused before the banner announces it (one that
    // another process holds is left to the lock, whose message names that process)
    plaindnn::files::refuse_file(&out)?;
    train::check_new(&source, &prepared, &config, &out)?; // its files named as they were given
    if !plaindnn::train::lock::in_use(&out) {
        // a `.lock` a killed run left is no process's: its folder is checked as any other
        RunDir::new(&out).check_claim(args.overwrite)?;
    }
    // of a run that starts: after the refusals, which it would only crowd
    let starts = [lopsided(&source, &prepared), preset_replaced];
    for warning in starts.into_iter().flatten().filter(|_| lost.is_none()) {
        eprintln!("warning: {warning}");
    }
    let source = source.absolute();
    if let Some(lost) = lost.filter(|_| bannered.get()) {
        println!(
            "{} was taken by a run started at the same moment: training into {} instead",
            lost.display(),
            out.display()
        );
    } else if verbosity.shows_progress() {
        // how the task was chosen comes first: it decides everything after it
        prepared.notes().iter().for_each(|n| println!("{n}"));
        reordered.iter().for_each(|n| println!("{n}"));
        let backend = config.backend.choose();
        println!(
            "training {} on {name} → {} [{backend}]",
            describe(&config, init.as_deref()),
            out.display()
        );
        bannered.set(true);
    }
    let mut options = RunOptions::from(verbosity)
        .started_by(super::command_line())
        .observe(StopOnSignal);
    options.overwrite = args.overwrite;
    interrupt::catching(|| train::train_on(source, prepared, config, &out, options))
}

/// Warnings of a recipe that trains, but not as it may seem: inputs read by position, an lr
/// schedule that never acts, layers a step activation cuts off, layers frozen to the end.
fn warn_of(config: &TrainConfig, prepared: &Prepared, init: Option<&Path>) {
    if let Some(warning) = init.and_then(|shown| renamed_inputs(config, prepared, shown)) {
        eprintln!("warning: {warning}");
    }
    for why in config.warnings() {
        eprintln!("warning: {why}");
    }
    if let Some(after) = config.unfreeze_after.filter(|&e| e >= config.epochs) {
        // accepted: a `--resume --epochs N` past it unfreezes them
        eprintln!(
            "warning: --unfreeze-after {after} is not before --epochs {}: this run keeps its first {} \
             frozen to the end (a later `--resume --epochs N` past {after} unfreezes {})",
            config.epochs,
            count(config.freeze, "hidden layer"),
            if config.freeze == 1 { "it" } else { "them" }
        );
    }
}

/// A warning when `--init-from`'s source trained on input columns named otherwise than this
/// data's: its first layer reads them by position (scikit-learn warns alike when X's feature
/// names differ from those seen at fit).
fn renamed_inputs(config: &TrainConfig, data: &Prepared, shown: &Path) -> Option<String> {
    let source = config.init_from.as_deref()?;
    let theirs = train::transfer::source_feature_names(source)?;
    let ours = &data.train.data.feature_names;
    (theirs != *ours).then(|| {
        format!(
            "--init-from {}: its first layer learned from the columns {} and reads this data's \
             {} in their place, by position",
            shown.display(),
            theirs.join(", "),
            ours.join(", ")
        )
    })
}

/// With `--resume`, every flag typed on the command line besides [`RESUMABLE`] is refused by name.
fn refuse_changes(given: &ArgMatches) -> Result<()> {
    let changed: Vec<String> = given
        .ids()
        .map(|id| id.as_str())
        // flag groups are ids too, named after their struct (`ModelFlags`): not flags
        .filter(|id| id.starts_with(|c: char| c.is_ascii_lowercase()))
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
             (only --epochs, --patience, --checkpoint-every, --checkpoint-interval, --backend and --quiet may change); \
             train a new run with --out DIR instead",
            changed.join(", ")
        ),
    ))
}

/// `2-50-4 MLP (relu, adam)`; `2-4 network, no hidden layer (adam)`; `init`: `--init-from`'s
/// source as given.
fn describe(config: &TrainConfig, init: Option<&Path>) -> String {
    let widths: Vec<String> = config
        .model
        .widths()
        .iter()
        .map(|w| w.to_string())
        .collect();
    let m = &config.model;
    let inputs = match m.add_features.is_empty() {
        true => String::new(),
        false => format!("{} + {} → ", count(m.inputs, "input"), m.feature_map()),
    };
    let kind = config.optimizer.kind;
    let (what, activation) = match m.hidden.is_empty() {
        true => ("network, no hidden layer", String::new()), // no activation applies
        false => ("MLP", format!("{}, ", m.activation_flag())),
    };
    format!(
        "{inputs}{} {what} ({activation}{kind}){}",
        widths.join("-"),
        init.map_or(String::new(), |shown| starting_point(config, shown))
    )
}

/// Where the weights start when not from `--init`: the `--init-from` source and what it
/// freezes, so the banner says which network is fine-tuned.
fn starting_point(config: &TrainConfig, shown: &Path) -> String {
    let frozen = match (config.freeze, config.unfreeze_after) {
        (0, _) => String::new(),
        (k, None) => format!(", first {} frozen", count(k, "hidden layer")),
        (k, Some(e)) => format!(
            ", first {} frozen for {}",
            count(k, "hidden layer"),
            count(e, "epoch")
        ),
    };
    format!(" from {}{frozen}", shown.display())
}
