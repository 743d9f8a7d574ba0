//! Unsupervised pretraining: autoencoders learn to reconstruct the inputs (labels unused), and
//! their encoder is where a supervised run starts (`train --init-from`).
//!
//! Layer-wise, the classic greedy recipe: layer k is the hidden layer of a one-hidden-layer
//! autoencoder `h_{k−1} → h_k → ĥ_{k−1}` trained on the codes of the layers below. End to end: the
//! whole encoder `x → h_1 → … → h_K` with a linear decoder `h_K → x̂`, trained on MSE(x̂, x).
//! Either way the run directory holds that encoder + decoder as an ordinary network
//! (`inputs → hidden… → inputs`), so `predict` reconstructs and `--init-from` takes the encoder.

use std::collections::HashMap;
use std::path::Path;

use burn::module::Module;
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::config::{OptimizerConfig, TrainConfig};
use super::lock::RunLock;
use super::replaced;
use super::run_dir::RunDir;
use super::{train_held, train_on, RunOptions, TrainedRun, Verbosity};
use crate::backend::Backend;
use crate::data::reconstruction::{reconstruction, Fitted};
use crate::data::{one_hot, DataSource, Prepared};
use crate::error::{Divergence, Error, Result};
use crate::files::{made_folder, remove_made, write_atomic};
use crate::model::{read_f32, safetensors, ActivationConfig, Block, MlpConfig};
use crate::plot;

/// How the encoder is trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PretrainMode {
    /// One autoencoder per layer, bottom up; then only the decoder is fitted on the fixed encoder.
    Layerwise,
    /// The whole encoder and its decoder at once.
    EndToEnd,
    /// Layer-wise first, then every layer fine-tuned end to end.
    Both,
}

impl std::str::FromStr for PretrainMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "layerwise" | "layer-wise" => Ok(PretrainMode::Layerwise),
            "end-to-end" | "end_to_end" => Ok(PretrainMode::EndToEnd),
            "both" => Ok(PretrainMode::Both),
            _ => Err(Error::Unknown {
                what: "pretraining mode",
                got: s.to_string(),
                valid: "layerwise, end-to-end, both".into(),
            }),
        }
    }
}

/// The recipe of an autoencoder pretraining.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PretrainConfig {
    /// Encoder widths, input side first (the supervised network's hidden layers).
    pub hidden: Vec<usize>,
    /// Activation of every encoder layer.
    pub activation: ActivationConfig,
    /// Layer-wise, end to end, or both.
    pub mode: PretrainMode,
    /// Most epochs of each autoencoder (early stopping on reconstruction loss may end it sooner).
    pub epochs: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Seed of weights and shuffling.
    pub seed: u64,
    /// Where to compute.
    pub backend: Backend,
}

impl PretrainConfig {
    /// Layer-wise autoencoders for `hidden`, ReLU, 30 epochs of 32 rows, Adam 1e-3.
    pub fn new(hidden: Vec<usize>) -> Self {
        Self {
            hidden,
            activation: ActivationConfig::Relu,
            mode: PretrainMode::Layerwise,
            epochs: 30,
            batch_size: 32,
            learning_rate: 1e-3,
            seed: 42,
            backend: Backend::default(),
        }
    }

    fn train_config(&self, model: MlpConfig) -> TrainConfig {
        let mut c = TrainConfig::default_for(model.inputs, model.outputs);
        c.model = model;
        c.optimizer = OptimizerConfig::adam(self.learning_rate);
        c.epochs = self.epochs;
        c.batch_size = self.batch_size;
        c.seed = self.seed;
        c.backend = self.backend;
        c
    }
}

/// Refuses (or with `overwrite` sets aside, [`replaced`]) a directory holding a pretraining or
/// any other run; a stage `layer1/` alone counts too (a pretraining stopped before its
/// autoencoder). Whether a run was set aside.
fn claim(out: &Path, overwrite: bool, config: &PretrainConfig) -> Result<bool> {
    crate::files::refuse_file(out)?;
    let top = RunDir::new(out);
    replaced::refuse_foreign(&top)?; // a user's own `.replaced`, and what is beside it, stay
    if !overwrite {
        replaced::recover(&top)?; // a pretraining killed before its first stage saved: undone
    }
    if RunDir::new(out.join("layer1")).holds_run() && !top.holds_run() {
        if !overwrite {
            return Err(Error::run(
                out,
                "holds the stages of an unfinished pretraining: pass `--overwrite` to replace them",
            ));
        }
        return replaced::set_aside(&top).map(|()| true);
    }
    if !top.holds_run() {
        refuse_not_ours(out, overwrite, config)?;
    }
    replaced::claim(&top, overwrite)
}

/// Refuses, before any stage trains, what is in the way of a pretraining in a folder that holds
/// none: a stage's folder whose files a run writes (the stages before it trained for nothing),
/// and a `stages.safetensors` of the user's, which the stages would replace.
fn refuse_not_ours(out: &Path, overwrite: bool, config: &PretrainConfig) -> Result<()> {
    let stages = match config.mode {
        PretrainMode::EndToEnd => 0,
        _ => config.hidden.len(),
    };
    for k in 1..=stages {
        RunDir::new(out.join(format!("layer{k}"))).check_claim(overwrite)?;
    }
    if overwrite || stages == 0 || !out.join(STAGES).exists() {
        return Ok(());
    }
    let why = format!(
        "holds {STAGES} (a name pretrain writes) but no pretraining: choose another --out, or \
         pass `--overwrite` to replace it"
    );
    Err(Error::run(out, why))
}

/// The stages' encoder layers under a fresh decoder ([`stack_stages`]).
const STAGES: &str = "stages.safetensors";

/// `error`, after a pretraining that set a run aside failed with it: that run comes back if the
/// new one saved nothing (no stage, no autoencoder), and a divergence says so; else it is
/// deleted. Under the folder's lock again (the autoencoder's run let it go): where another
/// process holds it now, the run stays aside.
fn settle_failed(out: &Path, error: Error) -> Error {
    let Ok(_lock) = RunLock::acquire(out) else {
        return error;
    };
    let top = RunDir::new(out);
    let settled = match !replaced::waits(&top) || replaced::saved(&top) {
        true => replaced::delete(&top).map(|()| false),
        false => top.remove_run().and_then(|()| replaced::put_back(&top)),
    };
    replaced::told(error, settled, out)
}

/// The finished pretraining: the autoencoder run (its encoder is what `--init-from` takes) and
/// the layer-wise stages, if any.
pub struct Pretrained {
    /// `inputs → hidden… → inputs`, trained on reconstruction.
    pub autoencoder: TrainedRun,
    /// One run per layer (layer-wise modes), bottom up.
    pub stages: Vec<TrainedRun>,
}

/// Pretrains an encoder on the inputs of `data` (labels ignored) into `out`: stages in
/// `out/layer<k>/`, the autoencoder in `out` itself, and `reconstructions.svg` for images.
pub fn pretrain(
    source: DataSource,
    data: Prepared,
    config: &PretrainConfig,
    out: &Path,
    options: impl Into<RunOptions>,
) -> Result<Pretrained> {
    data.check()?; // rows built by hand too, before a stage reads them
    super::refuse_empty_path(out)?;
    RunDir::new(out).refuse_data_inside(&source.paths())?; // its stages' folders' too
    let ae = autoencoder(config, data.train.data.width())?;
    // before anything is replaced; its stages' sources are codes in memory, not the file
    one_hot::refuse_missing(&data.train.data.one_hot, &source.describe_files())?;
    crate::files::refuse_file(out)?;
    refuse_stage_files(out, config)?;
    let made = made_folder(out);
    crate::files::create_folder(out)?;
    // held through every stage: another run into `out` meanwhile is refused
    let lock = RunLock::acquire(out)?;
    let options = options.into();
    let pretrained = claim(out, options.overwrite, config).and_then(|replacing| {
        let held = pretrain_held(source, data, (config, ae), out, (options, lock));
        // only what this pretraining set aside is put back: a refusal changes nothing
        held.map_err(|e| if replacing { settle_failed(out, e) } else { e })
    });
    if pretrained.is_err() {
        remove_made(out, made); // the folders it made, where nothing is left in them
    }
    pretrained
}

/// Refuses a file where a stage's folder `out/layer<k>` goes (a user's own, of that name), by
/// `out`'s name: the stage's run would be refused as "a file, not a folder" of a folder not given.
fn refuse_stage_files(out: &Path, config: &PretrainConfig) -> Result<()> {
    if config.mode == PretrainMode::EndToEnd {
        return Ok(());
    }
    let stage = (1..=config.hidden.len())
        .map(|k| out.join(format!("layer{k}")))
        .find(|s| std::fs::symlink_metadata(s).is_ok() && !s.is_dir());
    let Some(stage) = stage else { return Ok(()) };
    let why = format!(
        "{} holds a file {}, where a stage of the pretraining goes: move it, or give another --out",
        out.display(),
        stage.file_name().unwrap_or_default().to_string_lossy()
    );
    Err(Error::invalid("--out", why))
}

/// [`pretrain`] into `out`, held by `lock`, of the autoencoder `ae`.
fn pretrain_held(
    source: DataSource,
    data: Prepared,
    (config, ae): (&PretrainConfig, MlpConfig),
    out: &Path,
    (options, lock): (RunOptions, RunLock),
) -> Result<Pretrained> {
    let width = data.train.data.width();
    // the source's column names, fill and scaler, so predict and eval take the same inputs;
    // eval makes the same rows again from the source
    let prepared = data.inputs_as_targets()?;
    let val = &prepared.val.data.features;
    let shown_rows = val[..val.len().min(8 * width)].to_vec();
    let image = prepared.train.data.image;
    // 1. layer-wise: autoencoder k reconstructs the codes of layers 1..k−1
    let stages = match config.mode {
        PretrainMode::EndToEnd => Vec::new(),
        _ => layerwise(
            config,
            &prepared,
            out,
            (options.verbosity, options.overwrite),
        )?,
    };
    // saved stages stand on their own: a run `--overwrite` set aside goes (a stage's saves
    // look in the stage's folder only)
    replaced::delete_once_saved(&RunDir::new(out))?;
    // 2. the autoencoder end to end, starting from the stages' layers if there are any
    let final_config = end_to_end(config, &ae, &stages, out)?;
    if options.verbosity.shows_progress() {
        let widths: Vec<String> = ae.widths().iter().map(|w| w.to_string()).collect();
        println!("autoencoder {}", widths.join(" → "));
    }
    let source = DataSource::Inputs {
        of: Box::new(source),
    };
    // the caller's observers hear about the autoencoder itself, not the stages
    let options = RunOptions {
        overwrite: false,
        ..options
    };
    let autoencoder = train_held(source, prepared, final_config, out, (options, Some(lock)))
        .map_err(|e| stage_diverged(e, "the autoencoder end to end"))?;
    if let Some(shape) = image {
        let picture = reconstructions(&autoencoder, &shown_rows, width, shape)?;
        write_atomic(&out.join("reconstructions.svg"), picture.as_bytes())?;
    }
    Ok(Pretrained {
        autoencoder,
        stages,
    })
}

/// The autoencoder `width → hidden… → width`, its whole recipe checked before any stage trains
/// or anything is replaced.
fn autoencoder(config: &PretrainConfig, width: usize) -> Result<MlpConfig> {
    if config.hidden.is_empty() {
        return Err(Error::invalid(
            "hidden",
            "an autoencoder needs at least one hidden layer",
        ));
    }
    if config.activation == ActivationConfig::Step {
        let why = "step's slope is 0 wherever it has one, so no gradient reaches an encoder of \
                   step layers and it would never learn: pretrain with sigmoid, tanh or relu";
        return Err(Error::invalid("--activation", why));
    }
    let mut ae = MlpConfig::new(width, config.hidden.clone(), width);
    ae.activation = config.activation.clone();
    config.train_config(ae.clone()).validate()?;
    Ok(ae)
}

/// The whole autoencoder's config: from the stages' layers stacked, if there are any (and,
/// layer-wise, with them frozen so that only the decoder learns).
fn end_to_end(
    config: &PretrainConfig,
    ae: &MlpConfig,
    stages: &[TrainedRun],
    out: &Path,
) -> Result<TrainConfig> {
    let mut whole = config.train_config(ae.clone());
    if !stages.is_empty() {
        let path = stack_stages(config, ae, stages, out)?;
        whole.init_from = Some(std::fs::canonicalize(&path).unwrap_or(path));
        if config.mode == PretrainMode::Layerwise {
            whole.freeze = config.hidden.len();
        }
    }
    Ok(whole)
}

/// One autoencoder per layer, bottom up, each on the codes of the layers below (`out/layer<k>`).
fn layerwise(
    config: &PretrainConfig,
    prepared: &Prepared,
    out: &Path,
    (verbosity, overwrite): (Verbosity, bool),
) -> Result<Vec<TrainedRun>> {
    let (train, val) = (&prepared.train.data, &prepared.val.data);
    let fitted: Fitted = (
        prepared.imputer.clone(),
        prepared.scaler.clone(),
        train.one_hot.clone(),
    );
    let mut stages = Vec::new();
    let (mut codes, mut val_codes) = (train.features.clone(), val.features.clone());
    let mut from = train.feature_names.len();
    for (k, &units) in config.hidden.iter().enumerate() {
        // the first stage reads the data's columns (their fill and scaler, for predict and
        // eval); later ones the codes of the layers below
        let (names, fit) = match k {
            0 => (train.feature_names.clone(), fitted.clone()),
            _ => (
                (0..from).map(|i| format!("h{k}_{i}")).collect(),
                (None, None, vec![]),
            ),
        };
        let rows = reconstruction((&codes, &val_codes), &names, None, fit)?;
        if verbosity.shows_progress() {
            println!("layer {}: autoencoder {from} → {units} → {from}", k + 1);
        }
        let mut stage = MlpConfig::new(from, vec![units], from);
        stage.activation = config.activation.clone();
        let dir = out.join(format!("layer{}", k + 1));
        let source = memory(LAYER_CODES);
        // a stage folder's files a run writes, refused before any stage without `overwrite`
        let options = RunOptions {
            overwrite,
            ..RunOptions::from(verbosity)
        };
        let run = train_on(source, rows, config.train_config(stage), &dir, options)
            .map_err(|e| stage_diverged(e, &format!("layer {}'s autoencoder", k + 1)))?;
        let block = &run.model.blocks[0];
        codes = encode(block, codes, from)?;
        val_codes = encode(block, val_codes, from)?;
        from = units;
        stages.push(run);
    }
    Ok(stages)
}

/// A stage's divergence, said of that stage, with the way on a pretraining has: a smaller
/// `--lr` (it clips no gradients, and no stage is resumed).
fn stage_diverged(error: Error, stage: &str) -> Error {
    let Error::Diverged(d) = error else {
        return error;
    };
    Error::Diverged(Divergence {
        what: format!("{stage}: {}", d.what),
        advice: "Try a smaller --lr.".into(),
        ..d
    })
}

/// The stages' encoder layers under a fresh decoder, saved as `out/stages.safetensors` for the
/// end-to-end run to start from.
fn stack_stages(
    config: &PretrainConfig,
    ae: &MlpConfig,
    stages: &[TrainedRun],
    out: &Path,
) -> Result<std::path::PathBuf> {
    let device = config.backend.device()?;
    let mut start = ae.init(&device, config.seed)?; // the decoder's first weights
    for (block, stage) in start.blocks.iter_mut().zip(stages) {
        *block = stage.model.blocks[0].clone();
    }
    crate::files::create_folder(out)?;
    let path = out.join(STAGES);
    let metadata = HashMap::from([safetensors::autoencoder_mark()]);
    write_atomic(&path, &safetensors::export(&start, ae, metadata)?)?;
    Ok(path)
}

/// The rows a pretraining's stage trains on, as its `config.json` records them.
pub const LAYER_CODES: &str = "layer codes";

fn memory(description: &str) -> DataSource {
    DataSource::Memory {
        description: description.into(),
    }
}

/// The block's outputs for `rows` (inference mode: BatchNorm on running statistics, no dropout).
fn encode(block: &Block, rows: Vec<f32>, width: usize) -> Result<Vec<f32>> {
    let device = block.linear.weight.val().device();
    let n = rows.len() / width;
    let x = Tensor::<2>::from_data(TensorData::new(rows, [n, width]), &device);
    read_f32(block.valid().forward(x), "codes")
}

/// The first 8 validation images over their reconstructions.
fn reconstructions(
    run: &TrainedRun,
    val: &[f32],
    width: usize,
    shape: [usize; 2],
) -> Result<String> {
    let n = (val.len() / width).min(8);
    let device = run.model.output.weight.val().device();
    let x = Tensor::<2>::from_data(
        TensorData::new(val[..n * width].to_vec(), [n, width]),
        &device,
    );
    let out = read_f32(run.model.forward(x), "reconstructions")?;
    let top: Vec<&[f32]> = val[..n * width].chunks(width).collect();
    let bottom: Vec<&[f32]> = out.chunks(width).collect();
    let title = "validation images (top) and the autoencoder's reconstructions (bottom)";
    Ok(plot::image_pairs(
        title,
        ["input", "reconstructed"],
        &top,
        &bottom,
        shape,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_that_diverged_is_named_and_told_the_way_on_pretrain_has() {
        use crate::error::Kept;
        let what = "training diverged in epoch 1: the training loss became NaN";
        let removed = Some(Kept::Removed("P/layer2".into()));
        let advice = "Try a smaller learning rate or gradient clipping.";
        let run = Error::Diverged(Divergence::new(what, removed, advice));
        // no clipping: a pretraining's stages have none
        assert_eq!(
            stage_diverged(run, "layer 2's autoencoder").to_string(),
            "layer 2's autoencoder: training diverged in epoch 1: the training loss became NaN; \
             no checkpoint was saved yet, so the run's files are removed from P/layer2. Try a \
             smaller --lr."
        );
        let other = stage_diverged(Error::Data("x".into()), "layer 2's autoencoder");
        assert_eq!(other.to_string(), "x");
    }
}
