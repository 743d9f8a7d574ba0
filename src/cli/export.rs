//! `plaindnn export`: a run's weights in a format other tools read.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use plaindnn::error::{Error, Result};
use plaindnn::files::write_atomic;
use plaindnn::inference::Predictor;
use plaindnn::model::safetensors;

use super::RunArgs;

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Output format.
    #[arg(long, default_value = "safetensors")]
    format: Format,
    /// Where to write [default: RUN/model.safetensors].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    /// Weights named like the PyTorch nn.Sequential of the same shape (0.weight, 0.bias, …).
    Safetensors,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let Format::Safetensors = args.format;
    let predictor = Predictor::open(&args.run.run, args.run.backend)?;
    let model_config = &predictor.config.train.model;
    let data = &predictor.config.data;
    let mut metadata = HashMap::new();
    metadata.insert("feature_names".to_string(), json(&data.feature_names)?);
    metadata.insert("class_names".to_string(), json(&data.class_names)?);
    metadata.insert("task".to_string(), json(&data.task)?);
    metadata.insert("scaler".to_string(), json(&data.scaler)?);
    let bytes = safetensors::export(&predictor.model, model_config, metadata)?;
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
    if data.scaler.is_some() {
        println!("inputs are standardised first: x = (x - scaler.mean) / scaler.std (see the file's metadata)");
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::json("writing metadata", e))
}
