//! `plaindnn experiment NAME`: one of the tutorial's claims, measured.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::experiment::{self, EXPERIMENTS};
use plaindnn::Result;

use super::choices::{self, choices};
use super::default_out::default_named;
use super::print_json;

#[derive(Args, Debug)]
pub struct ExperimentArgs {
    /// linear-collapse, activations, vanishing-gradients, exploding-gradients, optimizers,
    /// overfitting, default-config, depth, transfer, pretraining.
    #[arg(required_unless_present = "list", hide_possible_values = true)]
    #[arg(value_parser = choices::<String>(choices::experiments))]
    name: Option<String>,
    /// List the experiments and their claims.
    #[arg(long, conflicts_with_all = ["name", "seeds", "quick", "out"])]
    list: bool,
    /// Seeds per variant, 1 to 100 (mean ± spread over them; a verdict needs at least 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
    seeds: u64,
    /// One seed and three epochs per variant: checks that it runs, proves nothing (every
    /// verdict is inconclusive).
    #[arg(long, conflicts_with = "seeds")]
    quick: bool,
    /// Where the runs and report.md go [default: artifacts/experiments/NAME, or the first
    /// NAME-N free of finished results].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace this experiment's finished results in --out (without it they are refused).
    #[arg(long, conflicts_with = "list")]
    overwrite: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ExperimentArgs) -> Result<()> {
    let Some(name) = args.name.as_deref().filter(|_| !args.list) else {
        if args.json {
            let list: Vec<_> = EXPERIMENTS
                .iter()
                .map(|e| serde_json::json!({ "name": e.name, "claim": e.claim }))
                .collect();
            return print_json(&serde_json::json!({ "experiments": list }));
        }
        for e in &EXPERIMENTS {
            println!("{:<20} {}", e.name, e.claim);
        }
        return Ok(());
    };
    let found = experiment::find(name)?;
    let default = Path::new("artifacts/experiments").join(name);
    let options = experiment::Options {
        quick: args.quick,
        seeds: if args.quick { 1 } else { args.seeds },
        overwrite: args.overwrite,
    };
    // a default name another experiment took at the same moment: the next free one
    let plain_default = args.out.is_none() && !args.overwrite;
    let (report, out) = default_named(
        |_| {
            let out = match &args.out {
                Some(out) => out.clone(),
                None if args.overwrite => default.clone(),
                None => experiment::next_free(&default), // as train's default names
            };
            let started = |taken_up| announce(&args, found, options, &out, taken_up);
            experiment::run(found, options, &out, started).map(|report| (report, out))
        },
        plain_default,
    )?;
    if args.json {
        return print_json(&report);
    }
    println!(
        "\n{}\n{}\n\nRule: {}.",
        report.table, report.verdict, report.rule
    );
    println!("report: {}", out.join("report.md").display());
    Ok(())
}

/// What the experiment is and where it trains, once its folder is claimed (`taken_up`: it held
/// this experiment unfinished); nothing with `--json`.
fn announce(
    args: &ExperimentArgs,
    found: &experiment::Experiment,
    options: experiment::Options,
    out: &Path,
    taken_up: bool,
) {
    if args.json {
        return;
    }
    println!("experiment {}: {}", found.name, found.claim);
    let into = out.display();
    if taken_up {
        println!("{into} holds this experiment unfinished (stopped): its runs start over");
    }
    let seeds = plaindnn::plural::count(options.seeds, "seed");
    println!("training {seeds} of each variant into {into} …");
    if args.quick {
        // a label's own counts ("frozen for 10 epochs") are the full experiment's
        println!(
            "--quick: 3 epochs per run and smaller data, whatever the labels say: it checks \
             that the experiment runs and proves nothing"
        );
    }
}
