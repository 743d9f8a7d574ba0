//! `plaindnn export`: a run's weights in a format other tools read.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::backend::Backend;
use plaindnn::error::Result;
use plaindnn::files::write_atomic;
use plaindnn::inference::Predictor;
use plaindnn::model::{safetensors, MlpConfig};
use plaindnn::train::DataInfo;

use super::{is_stdout, refuse_existing, refuse_run_file, refuse_training_data, RunDirArg};

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    run: RunDirArg,
    /// Output format.
    #[arg(long, default_value = "safetensors")]
    format: Format,
    /// Where to write [default: RUN/model.safetensors, replaced on each export; a file there that
    /// is not a plaindnn export is refused].
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
        // the run's own export is export's to replace, another run's is not
        let keep: &[&str] = match is_own_export(out, &args.run.run) {
            true => &["model.safetensors"],
            false => &[],
        };
        refuse_run_file(out, "--out", keep)?;
        refuse_training_data(out, &args.run.run, "--out")?;
        refuse_other_format(out)?;
        refuse_existing(out, "--out", args.overwrite)?;
    }
    // the weights are written as saved: no backend computes anything here
    let predictor = Predictor::open(&args.run.run, Backend::default())?;
    super::warn_if_training(&args.run.run);
    let model_config = &predictor.config.train.model;
    let data = &predictor.config.data;
    let bytes = predictor.safetensors()?;
    let out = match args.out {
        Some(out) => out,
        None => own_export(&args.run.run)?,
    };
    write_atomic(&out, &bytes)?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    print_recipe(&out, model_config, data);
    Ok(())
}

/// How to load `out` in PyTorch, and what to do to the inputs (and outputs) first.
fn print_recipe(out: &Path, model_config: &MlpConfig, data: &DataInfo) {
    println!(
        "PyTorch: model = {}",
        safetensors::sequential_code(model_config)
    );
    println!(
        "         model.load_state_dict(safetensors.torch.load_file(\"{}\"))",
        out.display()
    );
    // a new module is in training mode: dropout on, BatchNorm on the batch's statistics
    println!("         model.eval()  # to predict as plaindnn does");
    for o in &data.one_hot {
        println!(
            "text column `{}` is one-hot encoded first: a 0/1 input for each of its {} categories (one_hot in the metadata), in feature_names' order",
            o.column,
            o.categories.len()
        );
    }
    if let Some(imputer) = &data.imputer {
        let strategy = imputer.strategy.name();
        println!("missing inputs (NaN) are filled first with the training rows' {strategy}s: x = where(isnan(x), imputer.fill, x)");
    }
    // MNIST-format pixels are scaled by a fixed 255, a CSV's columns standardised
    let (inputs, scaled) = match data.scaler.as_ref().and_then(|s| s.divisor()) {
        Some(_) => ("pixels are divided by 255", "scaled"),
        None => ("inputs are standardised", "standardised"),
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
}

/// After `train --resume`, the run's own export (`RUN/model.safetensors`, if there is one) holds
/// the weights from before: it is written again from the resumed model (and, unless `quiet`,
/// says so).
pub fn refresh(run: &Path, quiet: bool) -> Result<()> {
    let out = run.join("model.safetensors");
    if !out.is_file() {
        return Ok(());
    }
    if !safetensors::is_export(&out) {
        let why = "not a plaindnn export (no plaindnn_config in its metadata): yours, kept";
        eprintln!("warning: left {} as it is: {why}", out.display());
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

/// Whether `out` is `run/model.safetensors`, however spelled: the exported run's own export.
fn is_own_export(out: &Path, run: &Path) -> bool {
    let run = std::fs::canonicalize(run).ok();
    plaindnn::files::landing(out).is_some_and(|file| {
        file.file_name().is_some_and(|n| n == "model.safetensors")
            && file.parent() == run.as_deref()
    })
}

/// `RUN/model.safetensors`, the default export, which each export replaces; refused where a file
/// there is not one of plaindnn's exports (a user's own, such as weights saved from PyTorch).
fn own_export(run: &Path) -> Result<PathBuf> {
    let out = run.join("model.safetensors");
    if out.exists() && !safetensors::is_export(&out) {
        // the default file, not a flag given: said as the file's
        return Err(plaindnn::Error::Data(format!(
            "{} is there and is not a plaindnn export (no plaindnn_config in its metadata): \
             name another file with --out, or move that one",
            out.display()
        )));
    }
    Ok(out)
}

/// Extensions of other weight and data formats: a safetensors file under one of these names would
/// be opened as that format (Keras refuses `model.save("m.onnx")` likewise).
const OTHER_FORMATS: [&str; 15] = [
    "onnx", "pt", "pth", "h5", "hdf5", "keras", "pb", "tflite", "npz", "npy", "pkl", "ckpt", "bpk",
    "json", "csv",
];

/// Refuses an `--out` named as another format (`model.onnx`).
fn refuse_other_format(out: &Path) -> Result<()> {
    let extension = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    // a folder named `dir.csv` is refused as the folder it is, later
    if out.is_dir() || !OTHER_FORMATS.contains(&extension.to_ascii_lowercase().as_str()) {
        return Ok(());
    }
    let why = format!(
        "{} names a .{extension} file, and export writes safetensors: name it {}",
        out.display(),
        out.with_extension("safetensors").display()
    );
    Err(plaindnn::Error::invalid("--out", why))
}
