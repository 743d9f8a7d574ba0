//! Command-line parsing (clap derive) and dispatch; each verb lives in its own file.

mod experiment;
mod inspect;
mod predict;
mod regress;
mod train;

use std::path::PathBuf;

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
    ///
    /// Example: plaindnn train --hidden 50 --activation relu --epochs 100
    Train(Box<train::TrainArgs>),
    /// Predict with a trained run: class and probability of each class.
    ///
    /// Example: plaindnn predict --run artifacts/runs/quadrants --input 2,2
    Predict(predict::PredictArgs),
    /// Score a trained run on labelled data (default: its own validation data).
    ///
    /// Example: plaindnn eval --run artifacts/runs/quadrants
    Eval(predict::EvalArgs),
    /// Show a run's layers, output shapes and parameter counts (like Keras' model.summary()).
    Summary(inspect::SummaryArgs),
    /// The tutorial's worked forward pass with its exact weights: prints y1 = 46, y2 = 0.
    WorkedExample(inspect::JsonArg),
    /// Version, compiled backends and devices.
    Info(inspect::JsonArg),
    /// List the built-in data sets (no download needed).
    Datasets(inspect::JsonArg),
    /// Print a shell completion script: `plaindnn completions bash > /etc/bash_completion.d/plaindnn`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Fit a line, a plane or a polynomial by least squares (or gradient descent): the regression
    /// ladder before the network.
    ///
    /// Example: plaindnn regress --dataset cubic --degree 3
    Regress(regress::RegressArgs),
    /// Test one of the tutorial's claims: train its variants over several seeds, print a table
    /// and say whether the claim held on this run.
    ///
    /// Example: plaindnn experiment vanishing-gradients --seeds 3
    Experiment(experiment::ExperimentArgs),
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Predict(args) => predict::predict(args),
        Command::Eval(args) => predict::eval(args),
        Command::Summary(args) => inspect::summary(args),
        Command::WorkedExample(args) => inspect::worked_example(args),
        Command::Info(args) => inspect::info(args),
        Command::Datasets(args) => inspect::datasets(args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "plaindnn",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Experiment(args) => experiment::run(args),
        Command::Regress(args) => regress::run(args),
    }
}

/// Options shared by the verbs that load a run.
#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Run directory written by `plaindnn train`.
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// Backend to compute on: flex, ndarray, wgpu (if compiled in), or auto (wgpu if it finds a GPU).
    #[arg(long, default_value = "flex")]
    backend: Backend,
}

/// Prints `value` as one JSON document.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| plaindnn::Error::Data(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
