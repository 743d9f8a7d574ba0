//! Transfer learning: start from a saved run's hidden layers (or a safetensors file named like a
//! PyTorch `nn.Sequential`), and freeze the first of them.

use std::path::Path;

use burn::module::Module;
use burn::tensor::Device;

use super::run_dir::RunDir;
use crate::error::{Error, Result};
use crate::model::{safetensors, Mlp, MlpConfig};

/// The source's model config with `outputs` replaced: the architecture a fine-tuned run takes.
/// Its first layer must take `inputs` features. `template` gives what a safetensors file without
/// plaindnn metadata cannot say (activation, dropout, init).
pub fn config_from(
    dir: &Path,
    inputs: usize,
    outputs: usize,
    template: &MlpConfig,
) -> Result<MlpConfig> {
    let mut config = source_config(dir, template)?;
    if config.inputs != inputs {
        return Err(Error::invalid(
            "init-from",
            format!(
                "the layers in {} take {} inputs but the data has {inputs} features",
                dir.display(),
                config.inputs
            ),
        ));
    }
    config.outputs = outputs;
    Ok(config)
}

/// The architecture saved in a run directory or a safetensors file.
fn source_config(source: &Path, template: &MlpConfig) -> Result<MlpConfig> {
    if source.is_file() {
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        safetensors::architecture(&bytes, source, template)
    } else {
        Ok(RunDir::new(source).read_config()?.train.model)
    }
}

/// The saved network, weights loaded, from a run directory or a safetensors file.
fn source_model(source: &Path, template: &MlpConfig, device: &Device) -> Result<Mlp> {
    if source.is_file() {
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        let config = safetensors::architecture(&bytes, source, template)?;
        let model = config.init_for_loading(device)?;
        return safetensors::import(model, &config, &bytes, source);
    }
    let run = RunDir::new(source);
    let path = run.model_path();
    run.read_config()?
        .train
        .model
        .init_for_loading(device)?
        .try_load_file(&path)
        .map_err(|e| Error::Checkpoint {
            path: path.clone(),
            message: e.to_string(),
        })
}

/// Copies the hidden blocks saved in `dir` (a run directory or a safetensors file) into `model`,
/// built from `config` (and its output layer too when the shapes agree); a clear error when the
/// saved layers do not fit.
pub fn load_hidden(model: Mlp, config: &MlpConfig, dir: &Path, device: &Device) -> Result<Mlp> {
    let source = source_model(dir, config, device)?;
    let (ours, theirs) = (model.blocks.len(), source.blocks.len());
    let mut model = model;
    if ours != theirs {
        return Err(Error::invalid(
            "init-from",
            format!(
                "{} has {theirs} hidden layers; this network has {ours}",
                dir.display()
            ),
        ));
    }
    for (i, (mine, saved)) in model.blocks.iter_mut().zip(source.blocks).enumerate() {
        let (want, got) = (mine.linear.weight.dims(), saved.linear.weight.dims());
        if want != got {
            let what = if i == 0 {
                "inputs"
            } else {
                "units in the layer below"
            };
            return Err(Error::invalid(
                "init-from",
                format!(
                    "hidden layer {} of {} takes {} {what} and has {} units; this network's takes {} and has {}",
                    i + 1,
                    dir.display(),
                    got[0],
                    got[1],
                    want[0],
                    want[1]
                ),
            ));
        }
        *mine = saved;
    }
    if model.output.weight.dims() == source.output.weight.dims() {
        model.output = source.output;
    }
    Ok(model)
}

/// Freezes the first `n` hidden blocks: no gradients, and BatchNorm keeps its running statistics.
pub fn freeze(model: Mlp, n: usize) -> Result<Mlp> {
    if n > model.blocks.len() {
        return Err(Error::invalid(
            "freeze",
            format!(
                "the network has {} hidden layers, got {n}",
                model.blocks.len()
            ),
        ));
    }
    model.frozen.set(n);
    Ok(model)
}
