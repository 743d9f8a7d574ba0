//! `plaindnn bench`: the performance workloads, timed on this machine.

use clap::Args;
use plaindnn::backend::Backend;
use plaindnn::bench::{self, Workload};
use plaindnn::{plural, Result};

use super::choices::{self, choices, only};
use super::print_json;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Workloads to run: w1 (quadrant net, µs/step), w2 (784-512-256-10 MLP, samples/s),
    /// w3 (20-layer nets, ms/step), w4 (least squares, ms) [default: all]
    #[arg(value_name = "WORKLOAD", hide_possible_values = true)]
    #[arg(value_parser = choices::<Workload>(choices::workloads))]
    workloads: Vec<Workload>,
    /// Backend for the networks (w1–w3): flex, ndarray, wgpu (if compiled in) [default: flex].
    #[arg(long, hide_possible_values = true)]
    #[arg(value_parser = choices::<Backend>(choices::backends))]
    backend: Option<Backend>,
    /// W2's networks to run, comma-separated: plain, seed_default (or seed-default) [default:
    /// both]. As the PyTorch reference's `--variants`, so a comparison can alternate the two
    /// sides per network.
    #[arg(long, value_delimiter = ',', value_name = "NAMES", action = clap::ArgAction::Set)]
    #[arg(value_parser = only::<String>(choices::w2_variants), hide_possible_values = true)]
    variants: Vec<String>,
    /// Timed runs per measurement (after one warm-up); the median is reported. W1's and W2's
    /// bare and `train` runs alternate, so that both meet the machine's load alike.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let workloads = if args.workloads.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.workloads
    };
    let report = bench::run(&workloads, &args.variants, args.backend, args.repeats)?;
    if args.json {
        return print_json(&report);
    }
    let on = |on: bool| if on { "on" } else { "off" };
    println!(
        "backend {}, {}, fused passes {}, spinning workers {}, AMX {}, median of {} (min–max)",
        report.backend,
        plural::count(report.threads, "thread"),
        on(report.fused),
        on(report.spin),
        on(report.amx),
        plural::count(report.repeats, "run")
    );
    for m in &report.results {
        let gflops = m
            .gflops
            .map(|g| format!("  {g:.1} GFLOP/s"))
            .unwrap_or_default();
        println!(
            "{:<3} {:<16} {:<6} {:>12.1} {:<20} ({:.1}–{:.1}){gflops}",
            m.workload, m.variant, m.path, m.median, m.metric, m.min, m.max
        );
    }
    Ok(())
}
