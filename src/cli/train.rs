//! `plaindnn train`: flags on top of a starting `TrainConfig`, then burn-train does the work.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use super::choices::choices;
use super::class_weight::ClassWeight;
use super::config_file::ConfigFile;
use super::convergence::still_improving;
use super::data_args::{decimal_flag, DataArgs};
use super::default_out::default_named;
use super::train_flags::RecipeFlags;
use plaindnn::data::{DataSource, Prepared};
use plaindnn::decimals::Decimals;
use plaindnn::error::{Error, Result};
use plaindnn::plural::count;
use plaindnn::shell::quote_path;
use plaindnn::train::{
    self, Preset, ResumeChanges, RunDir, RunOptions, ScheduleConfig, TrainConfig, TrainedRun,
    Verbosity,
};
use transfer_checks::Copied;

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
            let trained = train::resume(dir, changes, verbosity)?;
            super::export::refresh(dir, args.quiet)?;
            trained
        }
        None => {
            let bannered = Cell::new(false);
            let start = |lost: Option<&Path>| train_new(&args, (verbosity, lost), &bannered);
            default_named(start, args.out.is_none() && !args.overwrite)?
        }
    };
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
    let config = build_config(args, file.as_ref(), &prepared)?;
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
    if let Some(warning) = lopsided(&source, &prepared).filter(|_| lost.is_none()) {
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
    let mut options = RunOptions::from(verbosity).started_by(super::command_line());
    options.overwrite = args.overwrite;
    train::train_on(source, prepared, config, &out, options)
}

/// `--val-fraction` holding out more rows than it trains on, or too few to choose an epoch by.
fn lopsided(source: &DataSource, prepared: &Prepared) -> Option<String> {
    const FEW: usize = 5;
    let DataSource::Csv {
        val_fraction,
        val_path: None,
        ..
    } = source
    else {
        return None;
    };
    let (train, val) = (prepared.train.rows.len(), prepared.val.rows.len());
    if val < FEW {
        // a file of 20 rows or fewer at the flag's default, which the user may not have typed
        let default = if *val_fraction == 0.2 {
            " (the default)"
        } else {
            ""
        };
        return Some(format!(
            "--val-fraction {val_fraction}{default} holds out {}: the best epoch, early stopping \
             and the scores go by so few rows; hold out more, or give --val-data FILE.csv",
            count(val, "row")
        ));
    }
    (val > train).then(|| {
        format!(
            "--val-fraction {val_fraction} holds out more rows ({val}) than it trains on \
             ({train}); 0.1 to 0.3 is usual (Keras' examples and plaindnn's default hold out 0.2)"
        )
    })
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

/// This data read in the column order `--init-from`'s source learned from, where it has the
/// same columns in another order: its first layer meets the columns it learned, as `predict`
/// reads a file's columns by name (and scikit-learn refuses them out of order); with the line
/// that says so.
fn in_source_order(
    (source, prepared): (DataSource, Prepared),
    init: Option<&Path>,
) -> Result<(DataSource, Prepared, Option<String>)> {
    let ours = &prepared.train.data.feature_names;
    let Some(init) = init else {
        return Ok((source, prepared, None));
    };
    let theirs = train::transfer::source_feature_names(init);
    let Some(theirs) = theirs.filter(|t| t != ours && same_names(t, ours)) else {
        return Ok((source, prepared, None));
    };
    let Some(ordered) = source.with_feature_order(&theirs) else {
        return Ok((source, prepared, None));
    };
    let said = format!(
        "columns read in the order --init-from {}'s first layer learned them: {} (the file \
         has {})",
        init.display(),
        theirs.join(", "),
        ours.join(", ")
    );
    drop(prepared); // the file in the other order, not held while it is read again
    let prepared = ordered.load()?;
    Ok((ordered, prepared, Some(said)))
}

/// Text in a target `--task regression` asked to read as numbers, with the way to its classes.
fn text_target(e: Error, source: &DataSource) -> Error {
    use plaindnn::data::Task;
    use plaindnn::error::Fault;
    let DataSource::Csv {
        task: Some(Task::Regression),
        path,
        ..
    } = source
    else {
        return e;
    };
    // the training file's target alone: --val-data's follows the training file's task
    let training = |at: &str| at.starts_with(&format!("{}: ", path.display()));
    match e {
        Error::Cell {
            at,
            refused,
            target,
        } if target && refused.fault == Fault::Text && training(&at) => {
            let way = ", regression fits numbers: leave out --task regression to learn the \
                       column's values as classes";
            let refused = Box::new(refused.or(way));
            Error::Cell {
                at,
                refused,
                target,
            }
        }
        e => e,
    }
}

/// Whether `a` and `b` hold the same names, in any order.
fn same_names(a: &[String], b: &[String]) -> bool {
    let sorted = |names: &[String]| {
        let mut names = names.to_vec();
        names.sort();
        names
    };
    a.len() == b.len() && sorted(a) == sorted(b)
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

fn warn_if_still_improving(trained: &TrainedRun) {
    if still_improving(trained) {
        let epochs = trained.config.train.epochs;
        let dir = quote_path(trained.run.root());
        let way_on = match trained.config.train.schedule {
            // a resume keeps the cosine curve's length: a new run starts from these weights
            ScheduleConfig::Cosine { .. } => format!(
                "`plaindnn train --init-from {dir} --epochs {}` with the run's other flags \
                 trains a new run from these weights",
                epochs * 2
            ),
            _ => format!(
                "`plaindnn train --resume {dir} --epochs {}` trains it further",
                epochs * 2
            ),
        };
        eprintln!(
            "warning: val_loss was still falling at the last epoch ({epochs}): the network has \
             not converged; {way_on}"
        );
    }
}

fn print_next_steps(trained: &TrainedRun) {
    let dir = trained.run.root().display();
    let (outcome, restored) = (&trained.outcome, trained.config.train.restores_best());
    match (outcome.best(), outcome.saved(restored)) {
        // the weights the run ended with are the ones saved: say which epoch they are
        (Some(best), Some(last)) if !restored => println!(
            "last epoch {}: val_loss {} (best epoch {}: {}); weights in {dir}/model.bpk",
            last.epoch,
            Decimals(last.val_loss),
            best.epoch,
            Decimals(best.val_loss)
        ),
        (Some(best), _) => println!(
            "best epoch {}: val_loss {}; weights in {dir}/model.bpk",
            best.epoch,
            Decimals(best.val_loss)
        ),
        _ => {}
    }
    println!("next: plaindnn {}", next_step(trained));
}

/// A command that runs as printed: `predict` of one row (the training rows' means where the
/// run standardised them, else 1s) when the inputs are few, of the training CSV's rows into a
/// file when they are many, else `eval` of the validation rows.
fn next_step(trained: &TrainedRun) -> String {
    let quoted = quote_path(trained.run.root());
    let data = &trained.config.data;
    let names = &data.feature_names;
    // --input takes a --one-hot column's category, not its inputs
    let few = names.len() <= 4
        && !names.iter().any(|n| n.contains([',', '"']))
        && data.one_hot.is_empty();
    match (&data.source, &data.scaler) {
        (DataSource::Csv { .. }, Some(s)) if few => {
            let means: Vec<String> = s.mean.iter().map(|m| significant(*m)).collect();
            let row = means.join(",");
            format!(
                "predict --run {quoted} --input {row}   (the training rows' means of {})",
                names.join(", ")
            )
        }
        (DataSource::Csv { .. } | DataSource::Builtin { .. }, _) if few => {
            let row = vec!["1"; names.len()].join(",");
            format!(
                "predict --run {quoted} --input {row}   ({})",
                names.join(", ")
            )
        }
        (DataSource::Csv { path, decimal, .. }, _) => {
            let out = quote_path(&trained.run.root().join("predictions.csv"));
            let mark = decimal.map_or(String::new(), |d| format!(" {}", decimal_flag(d as u8)));
            format!(
                "predict --run {quoted} --data {}{mark} --output {out}",
                quote_path(path)
            )
        }
        _ => {
            let pixels = match data.source {
                DataSource::Idx { .. } => ": pixels 0–255, as the IDX files hold them",
                _ => "",
            };
            format!(
                "eval --run {quoted}   (predict takes rows as --data FILE.csv with the columns {}{pixels})",
                plaindnn::inference::abbreviate(names)
            )
        }
    }
}

/// `v` to four significant digits or so: `0.4934`, `12`, `1.007e-9`.
fn significant(v: f32) -> String {
    match v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        true => trimmed(v),
        false => format!("{v:.3e}"),
    }
}

/// `v` to four decimals, without trailing zeros: `0.4934`, `12`.
fn trimmed(v: f32) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_string(),
        t => t.to_string(),
    }
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

/// Refuses `--preset`'s BatchNorm and Dropout, and `--activation` (or a `--config` file's),
/// where there is no hidden layer for them to follow.
fn refuse_hidden_only_flags(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    c: &TrainConfig,
) -> Result<()> {
    if !c.model.hidden.is_empty() {
        return Ok(());
    }
    let why = "follows each hidden layer, and this network has none (only its output layer)";
    let given = |key: &&str| file.is_some_and(|f| f.gives("model", key));
    let key = ["activation", "activations"].into_iter().find(given);
    if let (Some(file), Some(key)) = (file, key) {
        let unused = Error::Data(format!("the activation {why}"));
        return Err(file.named(unused, &format!("model.{key}")));
    }
    let flags = &args.recipe.model;
    let added = c.model.dropout > 0.0 || c.model.batch_norm;
    let by_flag = flags.dropout.is_some() || flags.batch_norm;
    if args.preset.is_some() && added && !by_flag {
        let why = "adds BatchNorm and Dropout after each hidden layer, and this network has none \
                   (only its output layer): give --hidden, or leave the preset out";
        return Err(Error::invalid("--preset", why));
    }
    if args.recipe.sets_activation() {
        return Err(Error::invalid(
            "--activation",
            format!("the activation {why}"),
        ));
    }
    Ok(())
}

/// `--no-restore-best` over a `--config` that turns early stopping off (its flag is refused
/// beside `--no-early-stopping` alike): the last epoch's weights are kept already.
fn refuse_restoring_nothing(args: &TrainArgs, file: &ConfigFile) -> Result<()> {
    if !args.recipe.early_stopping.no_restore_best {
        return Ok(());
    }
    let why = format!(
        "{} turns early stopping off (`\"early_stopping\": null`), so every epoch trains and \
         the last epoch's weights are kept already: leave --no-restore-best out, or give \
         --patience N to stop early and keep the last weights",
        file.path().display()
    );
    Err(Error::invalid("--no-restore-best", why))
}

/// The starting config (the library's defaults for the data with `--init-from`'s
/// architecture, and the `--config` file over them), the preset, then every flag given on top.
fn build_config(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    data: &Prepared,
) -> Result<TrainConfig> {
    let (inputs, outputs) = (data.train.data.width(), data.train.data.outputs());
    let mut c = TrainConfig::default_for(inputs, outputs);
    let copied = Copied::read(args, file, &mut c, (inputs, outputs))?;
    let mut c = match file {
        Some(file) => file.over(&c)?,
        None => c,
    };
    // the file's by name or `balanced`, unless the flag replaces them
    let from_file = file.filter(|_| args.class_weight.is_none());
    if let Some((file, weights)) = from_file.and_then(|f| Some((f, f.class_weight()?))) {
        let resolved = weights.resolve(&data.train);
        let in_file = |e| match e {
            Error::InvalidParameter { message, .. } => Error::Data(message),
            e => e,
        };
        c.class_weights = Some(resolved.map_err(|e| file.named(in_file(e), "class_weights"))?);
    }
    if let (Some(copied), Some(file)) = (&copied, file) {
        copied.check_file(args, file, &c)?;
    }
    let over = args.preset.is_some() || args.recipe.sets_activation(); // replaced both
    if let Some(why) = file
        .and_then(ConfigFile::unused_activation)
        .filter(|_| !over)
    {
        eprintln!("warning: {why}");
    }
    // what the file over this data's defaults says before any flag: an error it causes alone
    let alone = file.and_then(|_| c.validate_for(data).err().map(|e| e.to_string()));
    let init_before_preset = c.model.init;
    apply_flags(args, &mut c);
    if let Some(weights) = &args.class_weight {
        c.class_weights = Some(weights.resolve(&data.train)?);
    }
    if let Some(copied) = &copied {
        copied.check_flags(args, file, &mut c, init_before_preset, outputs)?;
        copied.refuse_other_scale(&c, data)?;
        copied.warn_other_input_scale(args);
    }
    refuse_hidden_only_flags(args, file, &c)?;
    if let (Some(file), None) = (file, &c.early_stopping) {
        refuse_restoring_nothing(args, file)?;
    }
    // with a file, the data's checks (sizes, class weights) too, while the file can be named
    match file {
        Some(file) => c
            .validate_for(data)
            .map_err(|e| file.blame(e, alone.as_deref()))?,
        None => c.validate()?,
    }
    Ok(c)
}

/// `--preset`, then every flag given, over `c`.
fn apply_flags(args: &TrainArgs, c: &mut TrainConfig) {
    if let Some(preset) = args.preset {
        preset.apply(c);
    }
    // a weight decay neither given nor in the file is the optimizer's own default
    args.recipe.apply(c);
    // the flag's or the file's, absolute, so a later --resume from elsewhere still finds it
    c.init_from = (c.init_from.take()).map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir));
}
