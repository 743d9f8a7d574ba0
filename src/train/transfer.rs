//! Transfer learning: start from a saved run's hidden layers (or a safetensors file named like a
//! PyTorch `nn.Sequential`), and freeze the first of them.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::Device;

use super::run_dir::RunDir;
use crate::data::DataSource;
use crate::error::{Error, Result};
use crate::model::{safetensors, Block, Mlp, MlpConfig};

/// The source's model config with `outputs` replaced: the architecture a fine-tuned run takes.
/// Its first layer must take `inputs` features. `template` gives what a safetensors file without
/// plaindnn metadata cannot say (activation, dropout, init).
pub fn config_from(
    dir: &Path,
    inputs: usize,
    outputs: usize,
    template: &MlpConfig,
) -> Result<MlpConfig> {
    Source::read(dir, template)?.config_for(inputs, outputs)
}

/// An `--init-from` source (a run directory or a safetensors file), its architecture read once
/// for every question asked of it before training.
pub struct Source {
    dir: PathBuf,
    saved: Saved,
}

impl Source {
    /// Reads what `dir` says of its network; `template` as in [`config_from`].
    pub fn read(dir: &Path, template: &MlpConfig) -> Result<Self> {
        let saved = read_saved(dir, template)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            saved,
        })
    }

    /// The run directory or file it was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The source's model config with `outputs` replaced (see [`config_from`]).
    pub fn config_for(&self, inputs: usize, outputs: usize) -> Result<MlpConfig> {
        let (mut config, dir) = (self.saved.config.clone(), &self.dir);
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
                    "the layers in {} take {} but the data has {}: give it data of {}{trained_on}",
                    dir.display(),
                    crate::plural::count(config.inputs, "input"),
                    crate::plural::count(inputs, "feature"),
                    crate::plural::count(config.inputs, "feature"),
                ),
            ));
        }
        config.outputs = outputs;
        Ok(config)
    }

    /// Whether [`load_hidden`] copies its output layer into a network of `outputs` outputs (no
    /// `new_head`, and [`Source::head_left_out`] finds no reason not to): then every layer is.
    pub fn copies_head(&self, outputs: usize, new_head: bool) -> bool {
        !new_head && self.head_left_out(outputs).is_none()
    }

    /// Why its output layer is never copied into a network of `outputs` outputs, whatever
    /// `new_head` says: it has other outputs, or it is an autoencoder's decoder.
    pub fn head_left_out(&self, outputs: usize) -> Option<String> {
        self.saved.head_left_out(outputs)
    }

    /// Whether its output layer learnt a standardised target, where it records that: a run, or
    /// a file `plaindnn export` wrote (which record the activation and dropout too).
    pub fn standardised(&self) -> Option<bool> {
        self.saved.standardised
    }

    /// Whether its first layer learnt a CSV file's features standardised, where it says: a run
    /// on a CSV file.
    pub fn inputs_standardised(&self) -> Option<bool> {
        self.saved.inputs_standardised
    }
}

/// What a run directory or a safetensors file says of the network it saved, read once.
struct Saved {
    config: MlpConfig,
    /// An autoencoder's run or export: its output layer is a decoder, not a head.
    autoencoder: bool,
    /// Whether its output layer learnt a standardised target (`--standardize-target`); None for
    /// a file saved without plaindnn's metadata, which does not say (nor its activation and
    /// dropout, which `config` then takes from the template).
    standardised: Option<bool>,
    /// Whether it learnt from a CSV file's features standardised; None for other data, or a
    /// file that does not say.
    inputs_standardised: Option<bool>,
}

impl Saved {
    /// The one rule for whether the output layer is copied (see [`Source::head_left_out`]).
    fn head_left_out(&self, outputs: usize) -> Option<String> {
        let theirs = self.config.outputs;
        if self.autoencoder {
            Some("it is an autoencoder's decoder, never taken as a head".into())
        } else if theirs != outputs {
            Some(format!(
                "it has {theirs} outputs and this data needs {outputs}"
            ))
        } else {
            None
        }
    }
}

/// The saved architecture of `source` and whether it is an autoencoder's.
fn read_saved(source: &Path, template: &MlpConfig) -> Result<Saved> {
    if source.is_file() {
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        return saved_in_file(&bytes, source, template);
    }
    let config = RunDir::new(source).read_config()?;
    Ok(Saved {
        config: config.train.model,
        autoencoder: config.data.reconstructs,
        standardised: Some(config.data.target_scaler.is_some()),
        inputs_standardised: standardizes(&config.data.source),
    })
}

/// Whether `source`, a CSV file's (or a pretraining's of one), standardises its features.
fn standardizes(source: &DataSource) -> Option<bool> {
    match source {
        DataSource::Csv { standardize, .. } => Some(*standardize),
        DataSource::Inputs { of } => standardizes(of),
        _ => None,
    }
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

/// What the safetensors file `path` (its `bytes`) says of its network; a clear error where it is
/// no safetensors file.
fn saved_in_file(bytes: &[u8], path: &Path, template: &MlpConfig) -> Result<Saved> {
    let config = safetensors::architecture(bytes, path, template).map_err(|e| match e {
        Error::Checkpoint { .. } if !is_safetensors(bytes) => Error::invalid(
            "init-from",
            format!(
                "{} is not a safetensors file: give a run directory or a .safetensors file \
                 (`plaindnn export --run DIR` writes one)",
                path.display()
            ),
        ),
        e => e,
    })?;
    let autoencoder = safetensors::reconstructs(bytes);
    let exported = safetensors::metadata_value(bytes, safetensors::CONFIG_KEY).is_some();
    let scaler = safetensors::metadata_value(bytes, "target_scaler");
    Ok(Saved {
        config,
        autoencoder,
        standardised: exported.then_some(scaler.is_some()),
        inputs_standardised: None,
    })
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

/// The file holding the weights of `source`: a safetensors file itself, or a run's `model.bpk`.
pub fn weights_file(source: &Path) -> PathBuf {
    match source.is_file() {
        true => source.to_path_buf(),
        false => RunDir::new(source).model_path(),
    }
}

/// The saved network, weights loaded, from a run directory or a safetensors file, and what the
/// source says of it.
fn source_model(source: &Path, template: &MlpConfig, device: &Device) -> Result<(Mlp, Saved)> {
    if source.is_file() {
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        let saved = saved_in_file(&bytes, source, template)?;
        let model = saved.config.init_for_loading(device)?;
        let model = safetensors::import(model, &saved.config, &bytes, source)?;
        return Ok((model, saved));
    }
    let saved = read_saved(source, template)?;
    let path = weights_file(source);
    if !path.is_file() {
        return Err(RunDir::new(source).no_model());
    }
    let model = (saved.config.init_for_loading(device)?)
        .try_load_record(super::checkpoint::load_record(&path)?)
        .map_err(|e| Error::checkpoint(&path, e))?;
    Ok((model, saved))
}

/// Copies the parameters saved in `dir` (a run directory or a safetensors file) into `model`,
/// built from `config`: every hidden Linear layer, BatchNorm where both networks have it, PReLU
/// slopes where both use PReLU, and the output layer where [`Source::copies_head`] says so (a
/// new head keeps the fresh weights `model` was built with). The activation, dropout and
/// everything else stay what `config` says, so the network that trains is the one `config.json`
/// describes. A clear error when the saved layers do not fit, or when one of the
/// `frozen` first layers has a BatchNorm the source lacks (it would keep its starting values).
pub fn load_hidden(
    model: Mlp,
    config: &MlpConfig,
    (dir, new_head, frozen): (&Path, bool, usize),
    device: &Device,
) -> Result<Mlp> {
    let (source, saved) = source_model(dir, config, device)?;
    let (ours, theirs) = (model.blocks.len(), source.blocks.len());
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
    let mut model = model;
    for (i, (mine, theirs)) in model.blocks.iter_mut().zip(source.blocks).enumerate() {
        copy_block(i, mine, theirs, i < frozen, dir)?;
    }
    if !new_head && saved.head_left_out(config.outputs).is_none() {
        check_head_fits(&model.output, &source.output, dir)?;
        model.output = source.output;
    }
    Ok(model)
}

/// Copies hidden block `i` of `dir` (`theirs`) into `mine`: its Linear layer, its BatchNorm and
/// PReLU slopes where both have them; a clear error where the block is `frozen` with a BatchNorm
/// or PReLU slopes the source lacks.
fn copy_block(i: usize, mine: &mut Block, theirs: Block, frozen: bool, dir: &Path) -> Result<()> {
    check_fits(
        i,
        &mine.linear.weight.dims(),
        &theirs.linear.weight.dims(),
        dir,
    )?;
    mine.linear = theirs.linear;
    let fresh = |what: &str, flag: &str| {
        let why = format!(
            "hidden layer {} has {what} that {} has not: frozen, it would keep its starting \
             values; freeze fewer layers or leave out {flag}",
            i + 1,
            dir.display()
        );
        Err(Error::invalid("freeze", why))
    };
    if frozen && mine.norm.is_some() && theirs.norm.is_none() {
        return fresh("a BatchNorm (--batch-norm)", "--batch-norm");
    }
    if frozen && mine.activation.prelu.is_some() && theirs.activation.prelu.is_none() {
        return fresh("PReLU slopes (--activation prelu)", "prelu");
    }
    if mine.norm.is_some() && theirs.norm.is_some() {
        mine.norm = theirs.norm;
    }
    if mine.activation.prelu.is_some() && theirs.activation.prelu.is_some() {
        mine.activation.prelu = theirs.activation.prelu;
    }
    Ok(())
}

/// The saved output layer `theirs` fits where `mine` is: with the same outputs it differs only
/// with no hidden layers, where it is the first layer and the inputs differ.
fn check_head_fits(mine: &Linear, theirs: &Linear, dir: &Path) -> Result<()> {
    let (want, got) = (mine.weight.dims(), theirs.weight.dims());
    if want == got {
        return Ok(());
    }
    Err(Error::invalid(
        "init-from",
        format!(
            "the output layer of {} takes {} inputs; this network's takes {}",
            dir.display(),
            got[0],
            want[0]
        ),
    ))
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
