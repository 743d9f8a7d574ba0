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
        let trained_on = match dir.is_dir() {
            true => format!(
                " (it trained on {})",
                RunDir::new(dir).read_config()?.data.source.describe()
            ),
            false => String::new(),
        };
        return Err(Error::invalid(
            "init-from",
            format!(
                "the layers in {} take {} inputs but the data has {inputs} features: give it \
                 data of {} features{trained_on}",
                dir.display(),
                config.inputs,
                config.inputs
            ),
        ));
    }
    config.outputs = outputs;
    Ok(config)
}

/// Whether [`load_hidden`] copies the output layer of `dir` into a network of `outputs` outputs
/// (no `new_head`, and [`head_left_out`] finds no reason not to): then every layer is copied.
pub fn copies_head(
    dir: &Path,
    outputs: usize,
    new_head: bool,
    template: &MlpConfig,
) -> Result<bool> {
    Ok(!new_head && head_left_out(dir, outputs, template)?.is_none())
}

/// Why the output layer of `dir` is never copied into a network of `outputs` outputs, whatever
/// `new_head` says: it has other outputs, or it is an autoencoder's decoder.
pub fn head_left_out(dir: &Path, outputs: usize, template: &MlpConfig) -> Result<Option<String>> {
    let theirs = source_config(dir, template)?.outputs;
    Ok(if is_autoencoder(dir) {
        Some("it is an autoencoder's decoder, never taken as a head".into())
    } else if theirs != outputs {
        Some(format!(
            "it has {theirs} outputs and this data needs {outputs}"
        ))
    } else {
        None
    })
}

/// Whether `source` is an autoencoder's run or export, whose output layer is a decoder, not a
/// head.
fn is_autoencoder(source: &Path) -> bool {
    if source.is_file() {
        return std::fs::read(source).is_ok_and(|bytes| safetensors::reconstructs(&bytes));
    }
    RunDir::new(source)
        .read_config()
        .is_ok_and(|c| c.data.reconstructs)
}

/// The input columns `source` (a run directory, or a safetensors file `plaindnn export` wrote)
/// trained on; None where it does not say.
pub fn source_feature_names(source: &Path) -> Option<Vec<String>> {
    if source.is_file() {
        let bytes = std::fs::read(source).ok()?;
        let names = safetensors::metadata_value(&bytes, "feature_names")?;
        return serde_json::from_str(&names).ok();
    }
    Some(RunDir::new(source).read_config().ok()?.data.feature_names)
}

/// The architecture saved in a run directory or a safetensors file.
fn source_config(source: &Path, template: &MlpConfig) -> Result<MlpConfig> {
    if source.is_file() {
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        safetensors::architecture(&bytes, source, template).map_err(|e| match e {
            Error::Checkpoint { .. } if !is_safetensors(&bytes) => Error::invalid(
                "init-from",
                format!(
                    "{} is not a safetensors file: give a run directory or a .safetensors file \
                     (`plaindnn export --run DIR` writes one)",
                    source.display()
                ),
            ),
            e => e,
        })
    } else {
        Ok(RunDir::new(source).read_config()?.train.model)
    }
}

/// Whether `bytes` start as a safetensors file does: a little-endian header length that fits,
/// then `{`.
fn is_safetensors(bytes: &[u8]) -> bool {
    let Some((size, rest)) = bytes.split_first_chunk::<8>() else {
        return false;
    };
    let size = u64::from_le_bytes(*size);
    size <= rest.len() as u64 && rest.first() == Some(&b'{')
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
        .map_err(|e| Error::checkpoint(&path, e))
}

/// Copies the parameters saved in `dir` (a run directory or a safetensors file) into `model`,
/// built from `config`: every hidden Linear layer, BatchNorm where both networks have it, PReLU
/// slopes where both use PReLU, and the output layer when its shape agrees, `new_head` is
/// false (a new head keeps the fresh weights `model` was built with) and the source is no
/// autoencoder (its output layer is the decoder, not a head). The activation,
/// dropout and everything else stay what `config` says, so the network that trains is the one
/// `config.json` describes. A clear error when the saved layers do not fit, or when one of the
/// `frozen` first layers has a BatchNorm the source lacks (it would keep its starting values).
pub fn load_hidden(
    model: Mlp,
    config: &MlpConfig,
    (dir, new_head, frozen): (&Path, bool, usize),
    device: &Device,
) -> Result<Mlp> {
    let source = source_model(dir, config, device)?;
    let (ours, theirs) = (model.blocks.len(), source.blocks.len());
    let mut model = model;
    if ours != theirs {
        return Err(Error::invalid(
            "init-from",
            format!(
                "{} has {}; this network has {ours}",
                dir.display(),
                crate::plural::count(theirs, "hidden layer")
            ),
        ));
    }
    for (i, (mine, saved)) in model.blocks.iter_mut().zip(source.blocks).enumerate() {
        check_fits(
            i,
            &mine.linear.weight.dims(),
            &saved.linear.weight.dims(),
            dir,
        )?;
        mine.linear = saved.linear;
        if i < frozen && mine.norm.is_some() && saved.norm.is_none() {
            return Err(Error::invalid(
                "freeze",
                format!(
                    "hidden layer {} has a BatchNorm (--batch-norm) that {} has not: frozen, it \
                     would keep its starting values; freeze fewer layers or leave out --batch-norm",
                    i + 1,
                    dir.display()
                ),
            ));
        }
        if mine.norm.is_some() && saved.norm.is_some() {
            mine.norm = saved.norm;
        }
        if mine.activation.prelu.is_some() && saved.activation.prelu.is_some() {
            mine.activation.prelu = saved.activation.prelu;
        }
    }
    let fits = model.output.weight.dims() == source.output.weight.dims();
    if fits && !new_head && !is_autoencoder(dir) {
        model.output = source.output;
    }
    Ok(model)
}

/// Hidden layer `i` saved with weights of shape `got` fits where this network's has `want`.
fn check_fits(i: usize, want: &[usize; 2], got: &[usize; 2], dir: &Path) -> Result<()> {
    if want == got {
        return Ok(());
    }
    let what = if i == 0 {
        "inputs"
    } else {
        "units in the layer below"
    };
    Err(Error::invalid(
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
    ))
}

/// Freezes the first `n` hidden blocks: no gradients, and BatchNorm keeps its running statistics.
pub fn freeze(model: Mlp, n: usize) -> Result<Mlp> {
    if n > model.blocks.len() {
        return Err(Error::invalid(
            "freeze",
            format!(
                "the network has {}, got {n}",
                crate::plural::count(model.blocks.len(), "hidden layer")
            ),
        ));
    }
    model.frozen.set(n);
    Ok(model)
}
