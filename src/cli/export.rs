//! `plaindnn export`: a run's weights in a format other tools read.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::backend::Backend;
use plaindnn::error::Result;
use plaindnn::files::write_atomic;
use plaindnn::inference::Predictor;
use plaindnn::model::safetensors;

use super::{is_stdout, refuse_existing, refuse_run_file, RunArgs};

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Output format.
    #[arg(long, default_value = "safetensors")]
    format: Format,
    /// Where to write [default: RUN/model.safetensors, replaced on each export].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// --out: replace FILE if it exists.
    #[arg(long, requires = "out")]
    overwrite: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    /// Weights named like the PyTorch nn.Sequential of the same shape (0.weight, 0.bias, …).
    Safetensors,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let Format::Safetensors = args.format;
    if let Some(out) = &args.out {
        if is_stdout(out) {
            let why = "a safetensors file is binary and this command prints its summary: name a \
                       file, or leave --out out to write model.safetensors into the run";
            return Err(plaindnn::Error::invalid("--out", why));
        }
        refuse_run_file(out, "--out")?;
        refuse_existing(out, "--out", args.overwrite)?;
    }
    let predictor = Predictor::open(&args.run.run, args.run.backend)?;
    let model_config = &predictor.config.train.model;
    let data = &predictor.config.data;
    let bytes = predictor.safetensors()?;
    let out = args
        .out
        .unwrap_or_else(|| args.run.run.join("model.safetensors"));
    write_atomic(&out, &bytes)?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    println!(
        "PyTorch: model = {}",
        safetensors::sequential_code(model_config)
    );
    println!(
        "         model.load_state_dict(safetensors.torch.load_file(\"{}\"))",
        out.display()
    );
    if let Some(imputer) = &data.imputer {
        let strategy = imputer.strategy.name();
        println!("missing inputs (NaN) are filled first with the training rows' {strategy}s: x = where(isnan(x), imputer.fill, x)");
    }
    // MNIST-format pixels are scaled by a fixed 255, a CSV's columns standardised
    let (inputs, scaled) = match data.source {
        plaindnn::data::DataSource::Idx { .. } => ("pixels are divided by 255", "scaled"),
        _ => ("inputs are standardised", "standardised"),
    };
    if data.scaler.is_some() {
        println!("{inputs} first: x = (x - scaler.mean) / scaler.std (see the file's metadata)");
    }
    if data.reconstructs && data.scaler.is_some() {
        println!("outputs are {scaled} inputs too: x = output * scaler.std + scaler.mean");
    }
    if data.target_scaler.is_some() {
        println!("outputs are the standardised target: y = output * target_scaler.std + target_scaler.mean");
    }
    if !model_config.add_features.is_empty() {
        let names = model_config.feature_map().names(&data.feature_names);
        println!(
            "layer 0 takes the inputs and the added features, in this order: {}",
            names.join(", ")
        );
    }
    Ok(())
}

/// After `train --resume`, the run's own export (`RUN/model.safetensors`, if there is one) holds
/// the weights from before: it is written again from the resumed model (and, unless `quiet`,
/// says so).
pub fn refresh(run: &Path, quiet: bool) -> Result<()> {
    let out = run.join("model.safetensors");
    if !out.is_file() {
        return Ok(());
    }
    let bytes = Predictor::open(run, Backend::default())?.safetensors()?;
    write_atomic(&out, &bytes)?;
    if !quiet {
        println!(
            "updated {}: the export of the resumed weights",
            out.display()
        );
    }
    Ok(())
}
