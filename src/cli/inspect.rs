//! `plaindnn summary`, `worked-example` and `info`: looking without training.

use clap::Args;
use plaindnn::backend::{wgpu_adapters, Backend};
use std::path::{Path, PathBuf};

use plaindnn::data::export::to_csv;
use plaindnn::data::generators::BUILTINS;
use plaindnn::data::{DataSource, Split};
use plaindnn::inference::Predictor;
use plaindnn::model::{worked_example, Summary};
use plaindnn::{plural, Error, Result};
use serde_json::json;

use super::choices::{self, only};
use super::{is_stdout, print_json, refuse_existing, refuse_run_file, write_output, RunDirArg};

#[derive(Args, Debug)]
pub struct SummaryArgs {
    #[command(flatten)]
    run: RunDirArg,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct JsonArg {
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn summary(args: SummaryArgs) -> Result<()> {
    // counting needs no backend of choice: the weights load where they always can
    let predictor = Predictor::open(&args.run.run, Backend::default())?;
    super::warn_if_training(&args.run.run);
    let summary = Summary::of(&predictor.model);
    if args.json {
        return print_json(&json!({ "summary": summary, "config": predictor.config }));
    }
    let c = &predictor.config;
    println!(
        "run {}  ({}, {} → {})",
        args.run.run.display(),
        c.data.task,
        plaindnn::plural::count(c.data.feature_names.len(), "feature"),
        c.data.target
    );
    println!("{summary}");
    Ok(())
}

pub fn worked_example(args: JsonArg) -> Result<()> {
    let example = worked_example::run(&Backend::Flex.device()?)?;
    if args.json {
        return print_json(&example);
    }
    let [x1, x2] = example.inputs;
    let (h, y) = (&example.hidden, &example.outputs);
    println!(
        "The tutorial's worked forward pass, all activations ReLU, inputs x1 = {x1}, x2 = {x2}:"
    );
    println!("  n1 = max({x1}·1 + {x2}·(−1) + 9, 0) = {}", h[0]);
    println!("  n2 = max({x1}·2 + {x2}·0 − 3, 0)    = {}", h[1]);
    println!("  y1 = max({}·4 + {}·3 + 5, 0)     = {}", h[0], h[1], y[0]);
    println!("  y2 = max({}·(−2) + {}·1 + 0, 0)  = {}", h[0], h[1], y[1]);
    println!("y1 = {}, y2 = {}", y[0], y[1]);
    Ok(())
}

pub fn info(args: JsonArg) -> Result<()> {
    let compiled: Vec<&str> = Backend::compiled().iter().map(|b| b.name()).collect();
    // the pool's: RAYON_NUM_THREADS, else one per core
    let threads = rayon::current_num_threads();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let adapters = wgpu_adapters();
    if args.json {
        return print_json(&json!({
            "version": env!("CARGO_PKG_VERSION"),
            "burn": "0.22.1",
            "backends": compiled,
            "default_backend": Backend::default().name(),
            "cpu_threads": threads,
            "cpu_cores": cores,
            "fused_passes": plaindnn::fused::enabled(),
            "spinning_workers": plaindnn::fused::spins() && threads > 1,
            "flex_f32_kernel": plaindnn::fused::f32_kernel(),
            "flex_inference_on_amx": plaindnn::fused::tile_unit(),
            "wgpu_adapters": adapters,
            "wgpu_fusion": plaindnn::backend::wgpu_fusion(),
        }));
    }
    println!("plaindnn {} on burn 0.22.1", env!("CARGO_PKG_VERSION"));
    println!(
        "backends compiled in: {} (default {})",
        compiled.join(", "),
        Backend::default()
    );
    print_cpu(threads, cores);
    if Backend::Wgpu.is_compiled() {
        print_wgpu(&adapters);
    }
    Ok(())
}

/// `info`'s CPU lines: threads, fused passes, the matrix products' kernel.
fn print_cpu(threads: usize, cores: usize) {
    println!(
        "  CPU: {} of {} (flex{}; RAYON_NUM_THREADS sets the threads)",
        plural::count(threads, "thread"),
        plural::count(cores, "core"),
        if Backend::Ndarray.is_compiled() {
            ", ndarray"
        } else {
            ""
        }
    );
    println!(
        "  flex's fused passes (Linear, activation + dropout, BatchNorm, Adam): {}",
        if plaindnn::fused::enabled() {
            "on (PLAINDNN_FUSED=0 turns them off)"
        } else {
            "off (PLAINDNN_FUSED)"
        }
    );
    println!(
        "  idle worker threads while training: {}",
        match (threads, plaindnn::fused::spins()) {
            (0 | 1, _) => "none (one thread)",
            (_, true) =>
                "spin, waiting for the next split product (PLAINDNN_SPIN=0 lets them sleep)",
            (_, false) => "sleep (PLAINDNN_SPIN)",
        }
    );
    println!(
        "  flex's matrix products: f32 multiply-adds in {}{}",
        plaindnn::fused::f32_kernel(),
        if plaindnn::fused::tile_unit() {
            "; inference's large ones on the AMX tile unit (PLAINDNN_AMX=0 turns it off)"
        } else {
            ""
        }
    );
}

/// `info`'s wgpu lines: the adapters found, and Burn's op fusion.
fn print_wgpu(adapters: &[plaindnn::backend::Adapter]) {
    if adapters.is_empty() {
        println!(
            "  wgpu: no adapter found (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers)"
        );
    }
    for a in adapters {
        println!(
            "  wgpu: {} ({}, {}, driver {})",
            a.name, a.kind, a.api, a.driver
        );
    }
    println!(
        "  wgpu: Burn's op fusion {}",
        if plaindnn::backend::wgpu_fusion() {
            "on (feature `fusion`, a default)"
        } else {
            "off (built without the default feature `fusion`)"
        }
    );
}

#[derive(Args, Debug)]
pub struct DatasetsArgs {
    /// Print one JSON document instead of text.
    // every --export option named: with a conflict present, clap checked none of their `requires`
    #[arg(long, conflicts_with_all = ["export", "out", "overwrite", "split", "rows", "seed", "noise"])]
    json: bool,
    /// Write the rows of the built-in set NAME to a CSV file (features, then the class index or
    /// the target) instead of listing the sets: the exact rows `train --dataset NAME` uses.
    #[arg(
        long,
        value_name = "NAME",
        requires = "out",
        hide_possible_values = true
    )]
    #[arg(value_parser = only::<String>(choices::datasets))]
    export: Option<String>,
    /// With --export: the CSV file to write (`-`: standard output).
    #[arg(long, value_name = "FILE.csv", requires = "export")]
    out: Option<PathBuf>,
    /// With --export: replace the --out file if it exists.
    #[arg(long, requires = "export")]
    overwrite: bool,
    /// With --export: which rows, each drawn from its own seed: train, validation, or test (the
    /// rows `plaindnn experiment` scores on).
    #[arg(long, value_enum, default_value = "train", requires = "export")]
    split: SplitArg,
    /// With --export: how many rows [default: what `train` draws: 256, or 600 training and 300
    /// validation/test rows for shapes].
    #[arg(long, requires = "export")]
    rows: Option<usize>,
    /// With --export: the seed, as `train --seed` (the same default, so the rows are train's)
    /// [default: 42].
    #[arg(long, requires = "export")]
    seed: Option<u64>,
    /// With --export: the noise [default: the set's own], as `train --noise`.
    #[arg(long, allow_negative_numbers = true, requires = "export")]
    noise: Option<f64>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SplitArg {
    Train,
    Validation,
    Test,
}

pub fn datasets(args: DatasetsArgs) -> Result<()> {
    if let (Some(name), Some(out)) = (&args.export, &args.out) {
        return export(name, out, &args);
    }
    if args.json {
        let list: Vec<_> = BUILTINS
            .iter()
            .map(|b| json!({ "name": b.name, "about": b.about, "noise": b.noise }))
            .collect();
        return print_json(&json!({ "datasets": list }));
    }
    for b in &BUILTINS {
        println!("{:<10} {}", b.name, b.about);
    }
    println!("\nOwn data: plaindnn train --data FILE.csv [--target COLUMN], or --data-dir DIR with MNIST-format files.");
    Ok(())
}

/// A size check's message without its `invalid --train-size: ` prefix.
fn without_flag(message: &str) -> String {
    message
        .split_once(": ")
        .map_or(message, |(_, rest)| rest)
        .to_string()
}

/// `datasets --export NAME --out FILE`: one split of a built-in set, as CSV.
fn export(name: &str, out: &Path, args: &DatasetsArgs) -> Result<()> {
    let seed = args
        .seed
        .unwrap_or(plaindnn::train::TrainConfig::default_for(1, 1).seed);
    let fixed = name == "quadrants" && matches!(args.split, SplitArg::Train);
    if let (true, Some(rows @ ..=4), Some(_)) = (fixed, args.rows, args.seed) {
        let why = format!(
            "the first {rows} training rows of `quadrants` are the tutorial's fixed points, which \
             no seed draws: leave --seed out, or ask for more --rows"
        );
        return Err(Error::invalid("--seed", why));
    }
    let mut source = DataSource::builtin(name, seed)?;
    if let Some(noise) = args.noise {
        source = source.with_noise(noise)?;
    }
    let (split, which) = match args.split {
        SplitArg::Train => (Split::Train, "training"),
        SplitArg::Validation => (Split::Validation, "validation"),
        SplitArg::Test => (Split::Test, "test"),
    };
    if let Some(rows) = args.rows {
        // the checks `--train-size` and `--val-size` get, under this flag's name
        let (train, val) = match split {
            Split::Train => (Some(rows), None),
            Split::Validation | Split::Test => (None, Some(rows)), // the test split has val's size
        };
        source = (source.with_sizes(train, val))
            .map_err(|e| Error::invalid("--rows", without_flag(&e.to_string())))?;
    }
    // the flags first, then the file: a refusal names every mistake before --overwrite is asked
    refuse_run_file(out, "--out", &[])?;
    refuse_existing(out, "--out", args.overwrite)?;
    let data = source.split_rows(split)?;
    write_output(out, to_csv(&data).as_bytes())?;
    if is_stdout(out) {
        return Ok(()); // the rows are the output
    }
    println!(
        "wrote {} {which} rows of `{name}` (seed {}) to {}",
        data.len(),
        seed,
        out.display()
    );
    Ok(())
}
