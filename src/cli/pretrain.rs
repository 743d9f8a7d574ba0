//! `plaindnn pretrain`: autoencoders on unlabelled inputs, for `train --init-from`.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::backend::Backend;
use plaindnn::decimals::Decimals;
use plaindnn::model::ActivationConfig;
use plaindnn::train::pretrain::{self, PretrainConfig, PretrainMode, Pretrained};
use plaindnn::train::{RunDir, RunOptions, Verbosity};
use plaindnn::Result;

use super::choices::{self, choices};
use super::convergence::still_improving;
use super::data_args::DataArgs;
use super::default_out::default_named;
use plaindnn::shell::{quote, quote_path};

#[derive(Args, Debug)]
pub struct PretrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Encoder widths, input side first: the hidden layers the supervised network will have.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N,N,..",
        action = clap::ArgAction::Set,
        default_value = "64",
        value_parser = encoder_width
    )]
    hidden: Vec<usize>,
    /// Activation of every encoder layer (one name, as `train --activation` takes; not a list).
    #[arg(long, default_value = "relu")]
    activation: ActivationConfig,
    /// layerwise (greedy, one autoencoder per layer; then the decoder on the fixed encoder),
    /// end-to-end, or both (layer-wise, then everything fine-tuned together).
    #[arg(long, default_value = "layerwise", hide_possible_values = true)]
    #[arg(value_parser = choices::<PretrainMode>(|| vec!["layerwise", "end-to-end", "both"]))]
    mode: PretrainMode,
    /// Most epochs of each autoencoder (early stopping on the reconstruction loss, patience 10).
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Rows per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 1e-3, allow_negative_numbers = true)]
    lr: f64,
    /// Seed for weights, shuffling, a built-in set's rows and the --val-fraction split.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Backend to train on: flex, ndarray, wgpu (if compiled in), or auto.
    #[arg(long, default_value_t = Backend::default(), hide_possible_values = true)]
    #[arg(value_parser = choices::<Backend>(choices::backends))]
    backend: Backend,
    /// Run directory to write [default: artifacts/runs/pretrain-<data name>, or the first free
    /// pretrain-<data name>-N].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the pretraining (or run) already in --out DIR (its files wait in DIR/.replaced
    /// until the new one first saves, and come back if it fails before); without it such a
    /// directory is refused.
    #[arg(long)]
    overwrite: bool,
    /// No progress and no next steps; warnings still go to standard error.
    #[arg(long, short)]
    quiet: bool,
}

/// A warning naming the autoencoders whose reconstruction loss still fell at their last epoch,
/// with the way on (a pretraining run has no `--resume`: a longer one replaces it).
fn warn_if_still_improving(done: &Pretrained, out: &Path) {
    let stages = (done.stages.iter().enumerate()).map(|(k, s)| (format!("layer {}", k + 1), s));
    // layer-wise, the last stage fits the decoder alone, over the stages' fixed encoder
    let last = match done.autoencoder.config.train.freeze {
        0 => "the whole autoencoder",
        _ => "the decoder over the fixed encoder",
    };
    let whole = std::iter::once((last.to_string(), &done.autoencoder));
    let falling: Vec<String> = (stages.chain(whole))
        .filter(|(_, run)| still_improving(run))
        .map(|(what, _)| what)
        .collect();
    if falling.is_empty() {
        return;
    }
    let epochs = done.autoencoder.config.train.epochs;
    eprintln!(
        "warning: the reconstruction loss was still falling at the last epoch ({epochs}) of {}: \
         not converged; `{}` trains longer",
        falling.join(", "),
        again_with(epochs * 2, out)
    );
}

/// This command as it was typed, with `--epochs epochs --overwrite --out out` in place of its
/// own (a pretraining run has no `--resume`: a longer one replaces it).
fn again_with(epochs: usize, out: &Path) -> String {
    let mut words = vec!["plaindnn".to_string()];
    let mut given = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = given.next() {
        match arg.as_str() {
            "--epochs" | "--out" => drop(given.next()), // and its value
            "--overwrite" => {}
            _ if arg.starts_with("--epochs=") || arg.starts_with("--out=") => {}
            _ => words.push(quote(&arg)),
        }
    }
    let out = quote_path(out);
    words.push(format!("--epochs {epochs} --overwrite --out {out}"));
    words.join(" ")
}

pub fn run(args: PretrainArgs) -> Result<()> {
    let verbosity = if args.quiet {
        Verbosity::Warnings
    } else {
        Verbosity::auto()
    };
    let config = PretrainConfig {
        hidden: args.hidden.clone(),
        activation: args.activation.clone(),
        mode: args.mode,
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.lr,
        seed: args.seed,
        backend: args.backend,
    };
    let start = |lost: Option<&Path>| pretrain_new(&args, &config, (verbosity, lost.is_none()));
    let (out, done) = default_named(start, args.out.is_none() && !args.overwrite)?;
    warn_if_still_improving(&done, &out); // quiet or not, as train's
    if !args.quiet {
        for (k, stage) in done.stages.iter().enumerate() {
            let losses: Vec<f64> = stage.outcome.rows.iter().map(|r| r.val_loss).collect();
            println!(
                "layer {}: reconstruction loss {} → {}",
                k + 1,
                Decimals(losses.first().copied().unwrap_or(f64::NAN)),
                Decimals(losses.iter().copied().fold(f64::INFINITY, f64::min))
            );
        }
        let dir = out.display();
        println!("encoder in {dir}/model.bpk (loss curve: {dir}/loss.svg)");
        // the seed that drew a built-in set's rows, or split a CSV's, draws the same again
        let seed = match args.seed {
            42 => String::new(),
            s => format!(" --seed {s}"),
        };
        println!(
            "next: plaindnn train --init-from {} {}{seed} [--freeze N] ...",
            quote_path(&out),
            next_data(&args.data).flags()
        );
        if let Some(file) = args.data.every_column() {
            println!(
                "      (LABELLED.csv: these columns and a label; every column of {} went in as \
                 an input: where one is a label, pretrain again with --target COLUMN)",
                quote_path(file)
            );
        }
    }
    Ok(())
}

/// The data of `train`'s next step: the same, but a labelled file where every column of this
/// one was an input ([`DataArgs::every_column`]).
fn next_data(data: &DataArgs) -> DataArgs {
    match data.every_column() {
        Some(_) => data.with_file("LABELLED.csv"),
        None => data.clone(),
    }
}

/// Reads the data and pretrains into `--out` or the first free default name; `tell`: print the
/// data's warnings and notes (once, not again when a default name lost to another run is retried).
fn pretrain_new(
    args: &PretrainArgs,
    config: &PretrainConfig,
    (verbosity, tell): (Verbosity, bool),
) -> Result<(PathBuf, Pretrained)> {
    let (source, name) = args.data.source(args.seed)?;
    // a CSV without --target: every column
    let data = (source.load_inputs()).map_err(|e| super::train::text_target(e, &source))?;
    if tell {
        // quiet or not, as train's (the stages train on rows made in memory, which carry none)
        data.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
        if let Some(note) = data.imputation().filter(|_| verbosity.shows_progress()) {
            println!("{note}");
        }
    }
    let default = Path::new("artifacts/runs").join(format!("pretrain-{name}"));
    let out = match &args.out {
        Some(out) => out.clone(),
        None if args.overwrite => default,
        None => RunDir::next_free(&default).root().to_path_buf(),
    };
    let mut options = RunOptions::from(verbosity).started_by(super::command_line());
    options.overwrite = args.overwrite;
    RunDir::new(&out).refuse_data_inside(&source.paths())?; // named as typed, as train's
    let done = pretrain::pretrain(source.absolute(), data, config, &out, options)?;
    Ok((out, done))
}

/// One of `--hidden`'s widths; `none`, which `train` takes, is refused with the reason.
fn encoder_width(w: &str) -> std::result::Result<usize, String> {
    match w.trim() {
        "none" => Err("an autoencoder needs at least one hidden layer (its code)".into()),
        "" => Err("a width is empty: give widths such as 64,32".into()),
        t => (t.parse()).map_err(|_| format!("`{t}` is not a width (a whole number of units)")),
    }
}
