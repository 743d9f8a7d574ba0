//! Command-line parsing (clap derive) and dispatch; each verb lives in its own file.

mod bench;
mod choices;
mod class_weight;
mod config_file;
mod config_keys;
mod convergence;
mod data_args;
mod default_out;
mod eval;
mod experiment;
mod export;
mod flag_names;
mod inspect;
pub mod interrupt;
mod pixels;
#[cfg(feature = "playground")]
mod playground;
mod predict;
mod pretrain;
mod regress;
mod train;
mod train_flags;
mod unique_keys;

use std::path::PathBuf;

use choices::choices;
use clap::{Parser, Subcommand};
use plaindnn::backend::Backend;
use plaindnn::Result;

/// Deep neural networks in plain language: train, inspect and use MLPs on Burn.
#[derive(Parser, Debug)]
#[command(name = "plaindnn", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train a network; with no options, the tutorial's quadrant classifier (2 → 50 → 4).
    #[command(after_help = "Examples:
  plaindnn train                                        the tutorial's quadrant net, Adam, early stopping
  plaindnn train --preset seed-default --dataset spiral He + ELU + BatchNorm + Dropout + Adam
  plaindnn train --data houses.csv --target price --standardize-target --hidden 64,32
  plaindnn train --dataset shapes --hidden 128 --augment-shift 2 --diagnostics
  plaindnn train --init-from artifacts/pretrained/quadrants --freeze 1 --dataset blobs
  plaindnn train --resume artifacts/runs/quadrants --epochs 200")]
    Train(Box<train::TrainArgs>),
    /// Pretrain an encoder without labels: autoencoders, layer by layer (the classic recipe)
    /// and/or end to end; `train --init-from` then starts from it. Every column of a CSV is an
    /// input, unless --target names a label column to leave out.
    #[command(after_help = "Examples:
  plaindnn pretrain --dataset shapes --hidden 64,32               layer-wise, as in the tutorial
  plaindnn pretrain --data unlabelled.csv --hidden 32             every column an input
  plaindnn pretrain --dataset shapes --hidden 64 --mode end-to-end --epochs 50
  plaindnn pretrain --data-dir mnist/ --hidden 256,64 --mode both --out artifacts/runs/ae
  plaindnn train --dataset shapes --init-from artifacts/runs/pretrain-shapes --freeze 1")]
    #[command(mut_arg("target", |a| a.help(
        "CSV: a label column to leave out [default: none, every column is an input]"
    )))]
    #[command(mut_arg("val_fraction", |a| a.help(
        "CSV: share of rows held out for validation (at random, or stratified by --target's classes)"
    )))]
    Pretrain(pretrain::PretrainArgs),
    /// Predict with a trained run: class and probability of each class.
    #[command(after_help = "Examples:
  plaindnn predict --run artifacts/pretrained/quadrants --input 2,2
  plaindnn predict --run artifacts/runs/houses --data new.csv --output predictions.csv
  plaindnn predict --run artifacts/runs/quadrants --input -1,3 --json")]
    Predict(predict::PredictArgs),
    /// Score a trained run on labelled data (default: its own validation data).
    #[command(after_help = "Examples:
  plaindnn eval --run artifacts/pretrained/quadrants
  plaindnn eval --run artifacts/runs/houses --data test.csv --json")]
    Eval(eval::EvalArgs),
    /// Write a run's weights for other tools: safetensors named like a PyTorch nn.Sequential.
    #[command(after_help = "Examples:
  plaindnn export --run artifacts/pretrained/quadrants --format safetensors
  plaindnn export --run artifacts/runs/houses --out houses.safetensors

In Python: model = <the nn.Sequential printed>; model.load_state_dict(safetensors.torch.load_file(path)); model.eval()")]
    Export(export::ExportArgs),
    /// Show a run's layers, output shapes and parameter counts (like Keras' model.summary()).
    #[command(after_help = "Examples:
  plaindnn summary --run artifacts/pretrained/quadrants
  plaindnn summary --run artifacts/runs/quadrants --json")]
    Summary(inspect::SummaryArgs),
    /// The tutorial's worked forward pass with its exact weights: prints y1 = 46, y2 = 0.
    #[command(after_help = "Examples:
  plaindnn worked-example
  plaindnn worked-example --json")]
    WorkedExample(inspect::JsonArg),
    /// Version, compiled backends and devices.
    #[command(after_help = "Examples:
  plaindnn info                                        with --features wgpu: the GPUs wgpu sees
  plaindnn info --json")]
    Info(inspect::JsonArg),
    /// List the built-in data sets (no download needed).
    #[command(after_help = "Examples:
  plaindnn datasets
  plaindnn datasets --json
  plaindnn datasets --export spiral --out spiral.csv              the rows train --dataset spiral uses
  plaindnn datasets --export xor --split test --rows 1000 --seed 3 --out xor-test.csv")]
    Datasets(inspect::DatasetsArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  plaindnn completions bash > /etc/bash_completion.d/plaindnn
  plaindnn completions zsh > ~/.zfunc/_plaindnn
  plaindnn completions fish > ~/.config/fish/completions/plaindnn.fish")]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Fit a line, a plane or a polynomial by least squares (or gradient descent): the regression
    /// ladder before the network.
    #[command(after_help = "Examples:
  plaindnn regress --dataset line                      y = a·x + b by least squares
  plaindnn regress --dataset cubic --degree 3
  plaindnn regress --data houses.csv --target price --ridge 0.1
  plaindnn regress --dataset line --method gd --iterations 500 --lr 0.05")]
    Regress(regress::RegressArgs),
    /// Test one of the tutorial's claims: train its variants over several seeds, print a table
    /// and say whether the claim held on this run.
    // clap's own usage after a conflict read `experiment --list [NAME]`, which --list refuses
    #[command(
        override_usage = "plaindnn experiment [OPTIONS] <NAME>\n       plaindnn experiment --list [--json]"
    )]
    #[command(after_help = "Examples:
  plaindnn experiment --list
  plaindnn experiment vanishing-gradients --seeds 3
  plaindnn experiment overfitting --quick              checks that it runs, proves nothing")]
    Experiment(experiment::ExperimentArgs),
    /// Time the performance workloads W1–W4 on the bare training loop and the full `train` path.
    #[command(after_help = "Examples:
  plaindnn bench                                       all four workloads on flex
  plaindnn bench w2 --backend ndarray --repeats 3
  plaindnn bench w2 --variants seed_default            the tutorial's recommended network only
  RAYON_NUM_THREADS=1 plaindnn bench w1 --json         one thread
  PLAINDNN_FUSED=0 plaindnn bench w2 w3                Burn's plain ops instead of the fused flex kernels
  PLAINDNN_SPIN=0 plaindnn bench w2                    idle worker threads sleep instead of spinning
  PLAINDNN_AMX=0 plaindnn bench w2 --variants plain    inference without Intel's AMX tile unit
  python3 examples/compare_with_pytorch.py             plaindnn next to PyTorch, as ratios")]
    Bench(bench::BenchArgs),
    /// The tutorial live in the browser: a local page to build a network, train it and watch it
    /// learn (decision regions, loss, gradient norms), then copy the `plaindnn train` command.
    #[cfg(feature = "playground")]
    #[command(after_help = "Examples:
  plaindnn playground                                  opens http://127.0.0.1:8765/ in a browser
  plaindnn playground --no-open --port 0               any free port; prints the URL")]
    Playground(playground::PlaygroundArgs),
}

/// Parses the command line; the matches also say which flags were typed (`train --resume`
/// refuses the ones that would change the run).
pub fn parse() -> (Cli, clap::ArgMatches) {
    use clap::{CommandFactory, FromArgMatches};
    let matches = (Cli::command().try_get_matches()).unwrap_or_else(|e| exit(negative(e)));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit(e));
    (cli, matches)
}

/// clap's `Error::exit`, but a help or version text that cannot be written (a full disk) is a
/// failure, said on standard error: clap's own exits 0 whatever its write gave.
fn exit(e: clap::Error) -> ! {
    use std::io::Write;
    let code = match e.print() {
        Ok(()) => e.exit_code(),
        Err(_) if e.use_stderr() => e.exit_code(), // a usage error: standard error failed too
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "error: standard output: {why}");
            1
        }
    };
    std::process::exit(code)
}

/// clap's "unexpected argument '-1' found" after a flag that takes a whole number of 0 or
/// more (or a list of positive weights, `-1,1`), said as the flag's: `invalid value '-1' for
/// '--seed': …`.
fn negative(e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    if e.kind() != ErrorKind::UnknownArgument || value.parse::<f64>().is_err() {
        return e;
    }
    let args: Vec<String> = (std::env::args_os())
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // clap names a list's first number alone (`-1` of `-1,1`)
    let numbers = |a: &str| a.split(',').all(|v| v.parse::<f64>().is_ok());
    let at = (args.iter()).position(|a| a.starts_with(value.as_str()) && numbers(a));
    let value = at.map_or(value.as_str(), |i| args[i].as_str());
    let flag = at.and_then(|i| args.get(i.checked_sub(1)?));
    match flag {
        Some(flag) if takes_unsigned(args.get(1), flag) => {
            let why =
                format!("invalid value '{value}' for '{flag}': it takes no negative number\n");
            clap::Error::raw(ErrorKind::ValueValidation, why)
        }
        _ => e,
    }
}

/// Whether `flag` of the subcommand `verb` takes an unsigned whole number (`--seed`, `--epochs`).
fn takes_unsigned(verb: Option<&String>, flag: &str) -> bool {
    use clap::CommandFactory;
    use std::any::TypeId;
    let Some(long) = flag.strip_prefix("--") else {
        return false;
    };
    let command = Cli::command();
    let Some(sub) = verb.and_then(|v| command.find_subcommand(v)) else {
        return false;
    };
    let unsigned = [
        TypeId::of::<u64>(),
        TypeId::of::<usize>(),
        TypeId::of::<u32>(),
        TypeId::of::<u16>(),                       // --port
        TypeId::of::<class_weight::ClassWeight>(), // --class-weight
        TypeId::of::<train_flags::Widths>(),       // --hidden
    ];
    let mut args = sub.get_arguments();
    let arg = args.find(|a| a.get_long() == Some(long));
    arg.is_some_and(|a| {
        let id = a.get_value_parser().type_id();
        unsigned.iter().any(|t| id == *t)
    })
}

/// This process's command as one shell line, as a user types it: `plaindnn train --lr 0.1`.
fn command_line() -> String {
    let args = std::env::args_os().skip(1);
    let words = args.map(|a| plaindnn::shell::quote(&a.to_string_lossy()));
    std::iter::once("plaindnn".to_string())
        .chain(words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one parsed command; `matches` are the parser's, for the flags typed.
pub fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<()> {
    plaindnn::environment::check()?;
    match cli.command {
        // the server's threads wait on sockets: they must not hold one of rayon's workers
        #[cfg(feature = "playground")]
        Command::Playground(args) => playground::run(args),
        // On a worker thread, a parallel product runs one half on this thread and hands the other
        // to the next worker, which spins for it; from outside the pool it would wake two
        // workers and sleep.
        command => plaindnn::fused::hot(|| run_command(command, matches)),
    }
}

fn run_command(command: Command, matches: &clap::ArgMatches) -> Result<()> {
    let typed = |verb: &str| {
        matches
            .subcommand_matches(verb)
            .cloned()
            .unwrap_or_default()
    };
    match command {
        Command::Train(args) => {
            let given = typed("train");
            train::run(*args, &given).map_err(|e| flag_names::named(e, &given))
        }
        Command::Predict(args) => predict::predict(args),
        Command::Eval(args) => eval::eval(args),
        Command::Export(args) => export::run(args),
        Command::Summary(args) => inspect::summary(args),
        Command::WorkedExample(args) => inspect::worked_example(args),
        Command::Info(args) => inspect::info(args),
        Command::Datasets(args) => inspect::datasets(args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // into memory first: the crate panics on a failed write, stdout's is an error here
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "plaindnn", &mut script);
            write_stdout(&script)
        }
        Command::Experiment(args) => experiment::run(args),
        Command::Regress(args) => {
            regress::run(args).map_err(|e| flag_names::named(e, &typed("regress")))
        }
        Command::Bench(args) => bench::run(args),
        Command::Pretrain(args) => {
            pretrain::run(args).map_err(|e| flag_names::named(e, &typed("pretrain")))
        }
        #[cfg(feature = "playground")]
        Command::Playground(args) => playground::run(args),
    }
}

/// The run a verb reads without computing on it (`summary`, `export`): no backend to choose.
#[derive(clap::Args, Debug)]
struct RunDirArg {
    /// Run directory written by `plaindnn train` (or `pretrain`).
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
}

/// Options shared by the verbs that compute with a run (`predict`, `eval`).
#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Run directory written by `plaindnn train` or `pretrain`, or a `regress` fit (`eval` scores
    /// a fit on --data: it keeps no rows of its own).
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// Backend to compute on: flex, ndarray, wgpu (if compiled in), or auto (wgpu if it finds a
    /// GPU) [default: auto when built with the wgpu feature, flex otherwise].
    #[arg(long, hide_possible_values = true)]
    #[arg(value_parser = choices::<Backend>(choices::backends))]
    backend: Option<Backend>,
}

/// Refuses to write over a file a run is read back from (`--overwrite` or not): a run's
/// `config.json`, `model.bpk`, `metrics.csv` or a checkpoint, however the path is spelled; and
/// over the other files it wrote (`report.html`, `stages.safetensors`, …) but those in `keep`
/// (export's own `model.safetensors`).
fn refuse_run_file(path: &std::path::Path, flag: &str, keep: &[&str]) -> Result<()> {
    use plaindnn::train::run_dir::RunDir;
    refuse_folder_name(path, flag)?; // first: `T/checkpoint/` is no file of the run's
    let shown = path.display();
    if let Some(run) = RunDir::owning(path) {
        let root = plaindnn::shell::as_typed(run.root(), path);
        let root = root.display();
        let what = match path.parent().is_some_and(|p| p.ends_with("checkpoint")) {
            true => {
                format!("is in the checkpoint folder of the run {root}, which `--resume` reads")
            }
            false => format!("is a file of the run {root} reads from"),
        };
        let why =
            format!("{shown} {what}: writing it would break the run; name a file outside {root}");
        return Err(plaindnn::Error::invalid(flag, why));
    }
    if let Some(results) = plaindnn::experiment::results_at(path) {
        let results = results.display();
        let why = format!("{shown} is a file of the experiment's results in {results}: writing it would replace them; name a file outside {results}");
        return Err(plaindnn::Error::invalid(flag, why));
    }
    let folder = path.parent().filter(|f| !f.as_os_str().is_empty());
    let run = RunDir::new(folder.unwrap_or(std::path::Path::new(".")));
    let kept = path
        .file_name()
        .is_some_and(|n| keep.iter().any(|k| n == *k));
    if kept || !run.holds_run() || !run.is_own(path) {
        return Ok(());
    }
    let root = run.root().display();
    let why = format!("{shown} is a name the run {root} writes its own files under: writing it would replace the run's own; name a file outside {root}");
    Err(plaindnn::Error::invalid(flag, why))
}

/// Warns when a process trains into the run `dir` now: what is read are the weights it has
/// saved so far, which it will replace.
fn warn_if_training(dir: &std::path::Path) {
    if plaindnn::train::lock::in_use(dir) {
        eprintln!(
            "warning: {} is training now: this reads the weights it has saved so far \
             (model.bpk), which it will replace",
            dir.display()
        );
    }
}

/// Whether `path` is `-`: standard output, as for most Unix tools.
fn is_stdout(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes `bytes` to the file at `path` atomically, or to standard output for `-`.
fn write_output(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if !is_stdout(path) {
        return plaindnn::files::write_atomic(path, bytes);
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    (out.write_all(bytes).and_then(|()| out.flush()))
        .map_err(|e| plaindnn::Error::io(std::path::Path::new("standard output"), e))
}

/// Refuses a path that names a folder, there or not (`d/`, `d/.`, `..`): no file is written at
/// it, and the system's "Not a directory" named no flag.
fn refuse_folder_name(path: &std::path::Path, flag: &str) -> Result<()> {
    let text = path.to_string_lossy();
    let last = text.rsplit(std::path::is_separator).next().unwrap_or("");
    if !["", ".", ".."].contains(&last) || is_stdout(path) {
        return Ok(());
    }
    let why = format!(
        "{} names a folder, not a file: name a file, in a folder that exists",
        path.display()
    );
    Err(plaindnn::Error::invalid(flag, why))
}

/// Refuses a `path` in a folder that does not exist, a file the user has at `path` unless
/// `overwrite` (`--overwrite`), and anything but a plain file even then (`-`, standard output,
/// passes, but not with `--overwrite`, which would do nothing there: callers that cannot write
/// there refuse it first): the file is written beside and renamed over, which would put a file
/// in place of a link, a pipe or a device (`/dev/stdout`) instead of writing into it.
fn refuse_existing(path: &std::path::Path, flag: &str, overwrite: bool) -> Result<()> {
    if is_stdout(path) && overwrite {
        let why = format!("{flag} - writes to standard output, which has no file to replace");
        return Err(plaindnn::Error::invalid("--overwrite", why));
    }
    if is_stdout(path) {
        return Ok(());
    }
    refuse_folder_name(path, flag)?;
    // as pandas' to_csv: a file is written into a folder that exists, none is made for it
    let folder = path.parent().filter(|f| !f.as_os_str().is_empty());
    if let Some(folder) = folder.filter(|f| !f.is_dir()) {
        let why = format!(
            "{}: there is no folder {}: create it first, or name a file in one that exists",
            path.display(),
            folder.display()
        );
        return Err(plaindnn::Error::invalid(flag, why));
    }
    // a link counts even when it points nowhere: writing would replace it
    let Ok(found) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !found.is_file() {
        let why = format!(
            "{} is a link, a pipe, a device or a folder, not a file: name a file (--overwrite \
             replaces files only)",
            path.display()
        );
        return Err(plaindnn::Error::invalid(flag, why));
    }
    if overwrite {
        return Ok(());
    }
    Err(plaindnn::Error::invalid(
        flag,
        format!(
            "{} already exists: pass --overwrite to replace it, or name another file",
            path.display()
        ),
    ))
}

/// Refuses `flag`'s file where the run trained on it (its `--data` or `--val-data`, or a file in
/// its `--data-dir`), `--overwrite` or not: `eval` and `--resume` read it again, and would
/// find it changed.
fn refuse_training_data(path: &std::path::Path, run: &std::path::Path, flag: &str) -> Result<()> {
    let Ok(config) = plaindnn::train::run_dir::RunDir::new(run).read_config() else {
        return Ok(()); // a regress fit, or no run: refused later, or nothing to break
    };
    let Some(file) = plaindnn::files::landing(path) else {
        return Ok(());
    };
    for (data_flag, source) in config.data.source.paths() {
        let Ok(source) = std::fs::canonicalize(source) else {
            continue;
        };
        // a folder (--data-dir): its MNIST-format files, not whatever else is in it
        let read = match source.is_dir() {
            true => plaindnn::data::idx::files(&source).contains(&file),
            false => source == file,
        };
        if read {
            let why = format!(
                "{} is the run's {data_flag} data: `eval` and `train --resume` read it again, so \
                 writing it would break the run; name another file",
                path.display()
            );
            return Err(plaindnn::Error::invalid(flag, why));
        }
    }
    Ok(())
}

/// Prints `value` as one JSON document.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| plaindnn::Error::json("writing JSON", e))?;
    write_stdout(format!("{text}\n").as_bytes())
}

/// `bytes` on standard output; a failed write (a full disk) is an error, not a panic.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    (out.write_all(bytes).and_then(|()| out.flush()))
        .map_err(|e| plaindnn::Error::io(std::path::Path::new("standard output"), e))
}
