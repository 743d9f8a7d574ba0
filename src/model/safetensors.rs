//! Weights as safetensors, named like the PyTorch `nn.Sequential` of the same shape.
//!
//! The network is laid out as the Sequential
//! `Linear, [BatchNorm1d], activation, [Dropout], …, Linear, [output activation]`:
//! one index per module, as PyTorch numbers them. A Linear at index `i` stores `{i}.weight`
//! `[out, in]` (Burn's W `[in, out]` transposed: PyTorch computes `x·Wᵀ + b`) and `{i}.bias`;
//! a BatchNorm1d stores `{i}.weight` (γ), `{i}.bias` (β), `{i}.running_mean`, `{i}.running_var`
//! and `{i}.num_batches_tracked`; a PReLU stores its slope as `{i}.weight` `[1]`. So
//! `model.load_state_dict(safetensors.torch.load_file(path))` works on [`sequential_code`]'s model
//! (then `model.eval()`, to predict: a new module is in training mode).
//! The metadata carries the plaindnn config (`plaindnn_config`) and that code (`sequential`).

use std::collections::HashMap;
use std::path::Path;

use burn::module::{Param, RunningState};
use burn::nn::{BatchNorm, Linear};
use burn::tensor::{Device, Tensor, TensorData};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::activation::ActivationConfig;
use super::{Mlp, MlpConfig};
use crate::error::{Error, Result};

/// Metadata key holding the [`MlpConfig`] as JSON.
pub const CONFIG_KEY: &str = "plaindnn_config";
/// Metadata key holding [`sequential_code`].
pub const SEQUENTIAL_KEY: &str = "sequential";
/// Metadata key of the inputs layer 0 takes when the network adds features (`x0, x1, x0²`, or
/// the caller's own names for them, `a, b, a²`): compute them before calling the Sequential.
pub const INPUTS_KEY: &str = "inputs";

/// One module of the equivalent `nn.Sequential`, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// `nn.Linear(inputs, outputs)`.
    Linear {
        /// Input features.
        inputs: usize,
        /// Output features.
        outputs: usize,
    },
    /// `nn.BatchNorm1d(units)` (eps 1e-5, momentum 0.1: Burn's defaults and PyTorch's).
    BatchNorm {
        /// Features normalised.
        units: usize,
    },
    /// An activation module.
    Activation(ActivationConfig),
    /// `nn.Dropout(p)`.
    Dropout(f64),
}

/// The network's modules in `nn.Sequential` order; a module's index is its position here.
pub fn sequential(config: &MlpConfig) -> Vec<Layer> {
    let widths = config.widths();
    let mut layers = Vec::new();
    for (i, w) in widths[..widths.len() - 1].windows(2).enumerate() {
        layers.push(Layer::Linear {
            inputs: w[0],
            outputs: w[1],
        });
        if config.batch_norm {
            layers.push(Layer::BatchNorm { units: w[1] });
        }
        layers.push(Layer::Activation(config.activation_of(i).clone()));
        if config.dropout > 0.0 {
            layers.push(Layer::Dropout(config.dropout));
        }
    }
    layers.push(Layer::Linear {
        inputs: widths[widths.len() - 2],
        outputs: config.outputs,
    });
    if config.output_activation != ActivationConfig::Identity {
        layers.push(Layer::Activation(config.output_activation.clone()));
    }
    layers
}

/// PyTorch code building the same network, e.g.
/// `nn.Sequential(nn.Linear(2, 50), nn.ReLU(), nn.Linear(50, 4))`.
pub fn sequential_code(config: &MlpConfig) -> String {
    let modules: Vec<String> = sequential(config)
        .iter()
        .map(|layer| match layer {
            Layer::Linear { inputs, outputs } => format!("nn.Linear({inputs}, {outputs})"),
            Layer::BatchNorm { units } => format!("nn.BatchNorm1d({units})"),
            Layer::Dropout(p) => format!("nn.Dropout({p})"),
            Layer::Activation(a) => torch_activation(a),
        })
        .collect();
    format!("nn.Sequential({})", modules.join(", "))
}

fn torch_activation(a: &ActivationConfig) -> String {
    match a {
        ActivationConfig::Identity => "nn.Identity()".into(),
        // PyTorch has no step module: one made in place, (x > 0).float(), so the code runs alone
        ActivationConfig::Step => {
            "type('Step', (nn.Module,), {'forward': lambda self, x: (x > 0).float()})()".into()
        }
        ActivationConfig::Sigmoid => "nn.Sigmoid()".into(),
        ActivationConfig::Tanh => "nn.Tanh()".into(),
        ActivationConfig::Relu => "nn.ReLU()".into(),
        ActivationConfig::LeakyRelu { slope } => format!("nn.LeakyReLU({slope})"),
        ActivationConfig::Rrelu { lower, upper } => format!("nn.RReLU({lower}, {upper})"),
        ActivationConfig::Prelu { init } => format!("nn.PReLU(init={init})"),
        ActivationConfig::Elu { alpha } => format!("nn.ELU({alpha})"),
        ActivationConfig::Gelu => "nn.GELU()".into(),
        ActivationConfig::Selu => "nn.SELU()".into(),
    }
}

/// The weights of `model` (built from `config`) as a safetensors file; `extra` goes into the
/// metadata next to the config and the Sequential code.
pub fn export(model: &Mlp, config: &MlpConfig, extra: HashMap<String, String>) -> Result<Vec<u8>> {
    let mut named = Named::default();
    let linears = model.linears();
    let mut blocks = model.blocks.iter();
    let (mut linear, mut block) = (0, None);
    for (i, layer) in sequential(config).iter().enumerate() {
        match layer {
            Layer::Linear { inputs, outputs } => {
                named.linear(i, linears[linear], [*inputs, *outputs])?;
                linear += 1;
                block = blocks.next();
            }
            Layer::BatchNorm { units } => {
                let norm = block.and_then(|b| b.norm.as_ref()).ok_or_else(|| {
                    Error::ModelMismatch("no BatchNorm where the config has one".into())
                })?;
                named.norm(i, norm, *units)?;
            }
            Layer::Activation(ActivationConfig::Prelu { .. }) => {
                let activation = block.map_or(&model.output_activation, |b| &b.activation);
                if let Some(prelu) = &activation.prelu {
                    named.f32(format!("{i}.weight"), vec![1], values(prelu.alpha.val())?);
                }
            }
            Layer::Activation(_) | Layer::Dropout(_) => {}
        }
    }
    let mut metadata = extra;
    let json =
        serde_json::to_string(config).map_err(|e| Error::json("writing the model config", e))?;
    metadata.insert(CONFIG_KEY.into(), json);
    metadata.insert(SEQUENTIAL_KEY.into(), sequential_code(config));
    if !config.add_features.is_empty() {
        // nn.Sequential has no module for them: the user computes them before layer 0
        let names: Vec<String> = (0..config.inputs).map(|i| format!("x{i}")).collect();
        let inputs = config.feature_map().names(&names).join(", ");
        metadata.entry(INPUTS_KEY.into()).or_insert(inputs);
    }
    metadata.insert("format".into(), "pt".into());
    named.serialize(metadata)
}

/// The named tensors of a file being written, in PyTorch's layout.
#[derive(Default)]
struct Named(Vec<(String, Dtype, Vec<usize>, Vec<u8>)>);

impl Named {
    fn f32(&mut self, name: String, shape: Vec<usize>, values: Vec<f32>) {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.0.push((name, Dtype::F32, shape, bytes));
    }

    /// `{i}.weight` as `[out, in]` (Wᵀ: PyTorch computes x·Wᵀ + b) and `{i}.bias`.
    fn linear(&mut self, i: usize, linear: &Linear, [inputs, outputs]: [usize; 2]) -> Result<()> {
        let weight = values(linear.weight.val().transpose())?; // [out, in]
        self.f32(format!("{i}.weight"), vec![outputs, inputs], weight);
        let bias = match &linear.bias {
            Some(b) => values(b.val())?,
            None => vec![0.0; outputs],
        };
        self.f32(format!("{i}.bias"), vec![outputs], bias);
        Ok(())
    }

    /// BatchNorm1d's γ, β, running mean and variance, and `num_batches_tracked`.
    fn norm(&mut self, i: usize, norm: &BatchNorm, units: usize) -> Result<()> {
        self.f32(
            format!("{i}.weight"),
            vec![units],
            values(norm.gamma.val())?,
        );
        self.f32(format!("{i}.bias"), vec![units], values(norm.beta.val())?);
        let mean = values(norm.running_mean.value())?;
        self.f32(format!("{i}.running_mean"), vec![units], mean);
        let var = values(norm.running_var.value())?;
        self.f32(format!("{i}.running_var"), vec![units], var);
        let zero = 0i64.to_le_bytes().to_vec();
        self.0
            .push((format!("{i}.num_batches_tracked"), Dtype::I64, vec![], zero));
        Ok(())
    }

    fn serialize(&self, metadata: HashMap<String, String>) -> Result<Vec<u8>> {
        let views = self
            .0
            .iter()
            .map(|(name, dtype, shape, bytes)| {
                TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.clone(), v))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        canonical(safetensors::serialize(views, Some(metadata))?)
    }
}

/// `file` with its JSON header's keys in sorted order, so one model always exports the same
/// bytes (safetensors writes the metadata in its hash map's random order). The data offsets
/// count from the data's start, so only the header and its length change.
fn canonical(file: Vec<u8>) -> Result<Vec<u8>> {
    let bad = |e: &dyn std::fmt::Display| Error::ModelMismatch(format!("safetensors header: {e}"));
    let (size, rest) = file.split_at(8);
    let size = u64::from_le_bytes(size.try_into().map_err(|e| bad(&e))?) as usize;
    let (header, data) = rest.split_at(size);
    let header: serde_json::Value = serde_json::from_slice(header).map_err(|e| bad(&e))?;
    let mut header = serde_json::to_vec(&header).map_err(|e| bad(&e))?; // maps are BTreeMaps
    header.resize(header.len().next_multiple_of(8), b' '); // data stays 8-byte aligned
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(data);
    Ok(out)
}

fn values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    super::read_f32(t, "weights")
}

/// The metadata entry that marks an autoencoder's file (`"reconstructs": "true"`): its output
/// layer is a decoder, so `--init-from` takes no head from it.
pub fn autoencoder_mark() -> (String, String) {
    ("reconstructs".into(), "true".into())
}

/// Whether a safetensors file's metadata holds [`autoencoder_mark`].
pub fn reconstructs(bytes: &[u8]) -> bool {
    let (key, value) = autoencoder_mark();
    metadata_value(bytes, &key) == Some(value)
}

/// The value under `key` in a safetensors file's metadata, if it has one.
pub fn metadata_value(bytes: &[u8], key: &str) -> Option<String> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).ok()?;
    metadata.metadata().as_ref()?.get(key).cloned()
}

/// Whether `path` holds a file plaindnn exported: its metadata carries the run's config.
pub fn is_export(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| metadata_value(&bytes, CONFIG_KEY).is_some())
}

/// The architecture of a safetensors file: the config in its metadata (plaindnn exports), or else
/// read off the tensors (a file saved from PyTorch), with activation, dropout and init from
/// `template`. `outputs` comes from the last Linear either way.
pub fn architecture(bytes: &[u8], path: &Path, template: &MlpConfig) -> Result<MlpConfig> {
    let bad = |message: String| bad(path, message);
    let (_, metadata) =
        SafeTensors::read_metadata(bytes).map_err(|e| bad(format!("not safetensors: {e}")))?;
    if let Some(json) = metadata.metadata().as_ref().and_then(|m| m.get(CONFIG_KEY)) {
        return serde_json::from_str(json).map_err(|e| bad(format!("bad {CONFIG_KEY}: {e}")));
    }
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("not safetensors: {e}")))?;
    let prefix = sequential_prefix(&file).unwrap_or_default();
    let mut linears: Vec<(usize, [usize; 2])> = Vec::new();
    let mut batch_norm = false;
    for (name, view) in file.iter() {
        let Some(name) = name.strip_prefix(&prefix) else {
            continue;
        };
        let index = name.split('.').next().and_then(|i| i.parse::<usize>().ok());
        match (index, view.shape()) {
            (Some(i), [out, inp]) if name.ends_with(".weight") => linears.push((i, [*out, *inp])),
            _ if name.ends_with(".running_mean") => batch_norm = true,
            _ => {}
        }
    }
    linears.sort_unstable();
    let Some(((_, [outputs, _]), hidden)) = linears.split_last() else {
        return Err(bad(not_sequential(&file)));
    };
    let mut config = template.clone();
    config.inputs = linears[0].1[1];
    config.hidden = hidden.iter().map(|(_, [out, _])| *out).collect();
    config.outputs = *outputs;
    config.batch_norm = batch_norm;
    config.validate()?;
    Ok(config)
}

/// `config` as the file lays out its Sequential: with a Dropout between the layers where the
/// file's first two Linear indices leave room for one (Linear, BatchNorm?, activation,
/// Dropout?), without one where they do not. A Dropout holds no tensors but takes an index, and
/// its rate, which no `state_dict` holds, is the network's to choose (`--dropout`).
fn laid_out(file: &SafeTensors, prefix: &str, config: &MlpConfig) -> MlpConfig {
    let mut linears: Vec<usize> = (file.iter())
        .filter(|(_, view)| view.shape().len() == 2)
        .filter_map(|(name, _)| {
            name.strip_prefix(prefix)?
                .strip_suffix(".weight")?
                .parse()
                .ok()
        })
        .collect();
    linears.sort_unstable();
    let [a, b, ..] = linears[..] else {
        return config.clone(); // no hidden layer: no Dropout either way
    };
    let room = b - a;
    let dropout = match (room == 3 + usize::from(config.batch_norm), config.dropout) {
        (true, p) if p > 0.0 => p,
        (true, _) => 0.5, // PyTorch's default: only the indices depend on it
        (false, _) => 0.0,
    };
    MlpConfig {
        dropout,
        ..config.clone()
    }
}

/// The part of the file's names before the Sequential's indices: "" for `0.weight`, `net.` for
/// `net.0.weight`, as PyTorch names a module that keeps its `nn.Sequential` as `self.net`.
/// None when no name has an index, or the indexed names disagree on what comes before it.
fn sequential_prefix(file: &SafeTensors) -> Option<String> {
    let mut prefixes = file.names().into_iter().filter_map(|name| {
        let parts: Vec<&str> = name.split('.').collect();
        let at = parts.iter().position(|p| p.parse::<usize>().is_ok())?;
        Some(
            parts[..at]
                .iter()
                .map(|p| format!("{p}."))
                .collect::<String>(),
        )
    });
    let first = prefixes.next()?;
    prefixes.all(|p| p == first).then_some(first)
}

/// Why the file is no Sequential's `state_dict`, with a few of its names and the way on.
fn not_sequential(file: &SafeTensors) -> String {
    format!(
        "has no `{{i}}.weight` matrices of an nn.Sequential of Linear layers (its tensors: {}): \
         save the state_dict of an nn.Sequential (or of a module that keeps one as an attribute: \
         `net.0.weight`), or rename the keys to the Sequential's indices, one per module \
         (fc1.weight → 0.weight, fc2.weight → 2.weight with one activation between them; \
         BatchNorm1d and Dropout take an index each)",
        listed(file.names())
    )
}

/// The first four of `names` in order, and `…` for the rest.
fn listed(mut names: Vec<&str>) -> String {
    names.sort_unstable();
    let more = if names.len() > 4 { ", …" } else { "" };
    format!("{}{more}", names[..names.len().min(4)].join(", "))
}

/// The names of the tensors the Sequential of `config` has, after `prefix`.
fn sequential_names(config: &MlpConfig, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, layer) in sequential(config).iter().enumerate() {
        let parts: &[&str] = match layer {
            Layer::Linear { .. } => &["weight", "bias"],
            Layer::BatchNorm { .. } => &[
                "weight",
                "bias",
                "running_mean",
                "running_var",
                "num_batches_tracked",
            ],
            Layer::Activation(ActivationConfig::Prelu { .. }) => &["weight"],
            Layer::Activation(_) | Layer::Dropout(_) => &[],
        };
        names.extend(parts.iter().map(|part| format!("{prefix}{i}.{part}")));
    }
    names
}

/// Refuses a file with tensors no layer reads (a head kept beside the Sequential, say): loading
/// the rest would train another network than the file's without a word.
fn refuse_unused(file: &SafeTensors, prefix: &str, config: &MlpConfig, path: &Path) -> Result<()> {
    let known = sequential_names(config, prefix);
    let unused: Vec<&str> = (file.names().into_iter())
        .filter(|name| !known.iter().any(|k| k == name))
        .collect();
    if unused.is_empty() {
        return Ok(());
    }
    Err(bad(
        path,
        format!(
            "has tensors that no layer of {} reads: {}; plaindnn reads one nn.Sequential \
             (`{prefix}0.weight`, …): put every layer in it, the output layer too",
            sequential_code(config),
            listed(unused)
        ),
    ))
}

/// Overwrites the parameters of `model` (built from `config`) with the file's tensors, checking
/// every name and shape.
pub fn import(model: Mlp, config: &MlpConfig, bytes: &[u8], path: &Path) -> Result<Mlp> {
    let file =
        SafeTensors::deserialize(bytes).map_err(|e| bad(path, format!("not safetensors: {e}")))?;
    let indexed = |name: &str| name.split('.').any(|p| p.parse::<usize>().is_ok());
    if !file.names().into_iter().any(indexed) {
        // named layers under plaindnn's metadata (renamed after export): told as without it
        return Err(bad(path, not_sequential(&file)));
    }
    let prefix = sequential_prefix(&file).unwrap_or_default();
    let config = &laid_out(&file, &prefix, config);
    refuse_unused(&file, &prefix, config, path)?;
    let reader = Reader {
        file,
        prefix,
        path,
        config,
    };
    let read = |name: String, shape: &[usize]| reader.read(&name, shape);
    let mut model = model;
    let device = model.output.weight.val().device();
    let layers = sequential(config);
    let mut blocks_done = 0;
    let n_blocks = model.blocks.len();
    for (i, layer) in layers.iter().enumerate() {
        match layer {
            Layer::Linear { inputs, outputs } => {
                let w = read(format!("{i}.weight"), &[*outputs, *inputs])?;
                let b = read(format!("{i}.bias"), &[*outputs])?;
                // [out, in] → [in, out], laid out contiguously as Burn's own weights are
                let w: Vec<f32> = (0..inputs * outputs)
                    .map(|k| w[(k % outputs) * inputs + k / outputs])
                    .collect();
                let w = Tensor::from_data(TensorData::new(w, [*inputs, *outputs]), &device);
                let linear = if blocks_done < n_blocks {
                    &mut model.blocks[blocks_done].linear
                } else {
                    &mut model.output
                };
                set_linear(linear, w, tensor1(b, &device));
                blocks_done += 1;
            }
            Layer::BatchNorm { units } => {
                let shape = [*units];
                let norm = model.blocks[blocks_done - 1].norm.as_mut().ok_or_else(|| {
                    Error::ModelMismatch("no BatchNorm where the config has one".into())
                })?;
                let gamma = tensor1(read(format!("{i}.weight"), &shape)?, &device);
                let beta = tensor1(read(format!("{i}.bias"), &shape)?, &device);
                let mean = tensor1(read(format!("{i}.running_mean"), &shape)?, &device);
                let var = tensor1(read(format!("{i}.running_var"), &shape)?, &device);
                set_norm(norm, gamma, beta, mean, var);
            }
            Layer::Activation(ActivationConfig::Prelu { .. }) => {
                let slope = tensor1(read(format!("{i}.weight"), &[1])?, &device);
                let activation = if blocks_done <= n_blocks {
                    &mut model.blocks[blocks_done - 1].activation
                } else {
                    &mut model.output_activation
                };
                if let Some(prelu) = activation.prelu.as_mut() {
                    prelu.alpha = load(&prelu.alpha, slope);
                }
            }
            Layer::Activation(_) | Layer::Dropout(_) => {}
        }
    }
    Ok(model)
}

/// The tensors of a safetensors file, read by name with the shape this network needs.
struct Reader<'a> {
    file: SafeTensors<'a>,
    /// What comes before the Sequential's indices in the file's names ([`sequential_prefix`]).
    prefix: String,
    path: &'a Path,
    config: &'a MlpConfig,
}

impl Reader<'_> {
    /// Tensor `name` as f32 (F32 or F64 in the file), refused unless its shape is `shape`.
    fn read(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let name = &format!("{}{name}", self.prefix);
        let view = self.file.tensor(name).map_err(|_| {
            let expected = sequential_code(self.config);
            bad(
                self.path,
                format!("has no tensor `{name}` (expected for {expected})"),
            )
        })?;
        if view.shape() != shape {
            let message = format!(
                "`{name}` has shape {:?}; this network needs {shape:?}",
                view.shape()
            );
            return Err(bad(self.path, message));
        }
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f32)
                .collect(),
            other => {
                let why = format!("`{name}` is {other:?}; only F32 and F64 are read");
                return Err(bad(self.path, why));
            }
        };
        // a weight that is not a number would only show later, as a loss that diverged
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            let why = format!(
                "`{name}` holds {} at index {at}: weights must be finite",
                values[at]
            );
            return Err(bad(self.path, why));
        }
        Ok(values)
    }
}

/// A safetensors file that cannot be loaded, named.
fn bad(path: &Path, message: String) -> Error {
    Error::Checkpoint {
        path: path.to_path_buf(),
        message,
    }
}

fn tensor1(values: Vec<f32>, device: &Device) -> Tensor<1> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), device)
}

// Burn's own loading path: same id, device and gradient tracking as the parameter replaced.
fn load<const D: usize>(param: &Param<Tensor<D>>, value: Tensor<D>) -> Param<Tensor<D>> {
    param.clone().transform_for_load(value, param.id)
}

fn set_linear(linear: &mut Linear, weight: Tensor<2>, bias: Tensor<1>) {
    linear.weight = load(&linear.weight, weight);
    linear.bias = Some(match linear.bias.take() {
        Some(old) => load(&old, bias),
        None => Param::from_tensor(bias),
    });
}

fn set_norm(norm: &mut BatchNorm, gamma: Tensor<1>, beta: Tensor<1>, m: Tensor<1>, v: Tensor<1>) {
    norm.gamma = load(&norm.gamma, gamma);
    norm.beta = load(&norm.beta, beta);
    norm.running_mean = RunningState::new(m);
    norm.running_var = RunningState::new(v);
}
