//! W1–W3: training steps and inference of the networks, on the bare loop and the `train` path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::workloads::{self, W2_WEIGHTS};
use super::{measure, time, time_alternating, Measurement};
use crate::backend::Backend;
use crate::data::{Batch, DataSource, Prepared, Subset};
use crate::error::{Divergence, Error, Result};
use crate::model::{read_f32, Mlp, MlpConfig};
use crate::train::config::OptimizerConfig;
use crate::train::{optimizer, step, train_on, TrainConfig, Verbosity};

/// A network and its Adam optimizer, as a hand-written Burn loop holds them. Batches live on the
/// plain device, as burn-train's loaders put them.
struct Bare {
    model: Option<Mlp>,
    optim: burn::optim::ModuleOptimizer,
    lr: f64,
}

impl Bare {
    fn new(config: &MlpConfig, lr: f64, device: &Device) -> Result<Self> {
        let model = config.init(&device.clone().autodiff(), 0)?;
        let optim = optimizer::build(
            &OptimizerConfig::adam(lr),
            &Default::default(),
            &Default::default(),
        );
        Ok(Self {
            model: Some(model),
            optim,
            lr,
        })
    }

    /// forward, loss, backward, Adam step; returns the loss (not yet read back).
    fn step(&mut self, batch: Batch) -> Result<Tensor<1>> {
        let model = self
            .model
            .take()
            .ok_or_else(|| Error::Training("the model was lost in a failed step".into()))?;
        let out = step::forward(&model, batch);
        let grads = GradientsParams::from_grads(out.loss.backward(), &model);
        self.model = Some(self.optim.step(self.lr, model, grads));
        Ok(out.loss)
    }
}

/// Waits for the computation behind `loss` and checks it is a number.
fn sync(loss: Tensor<1>) -> Result<()> {
    let value = read_f32(loss, "the loss")?;
    match value.first() {
        Some(v) if v.is_finite() => Ok(()),
        _ => Err(Error::Diverged(Divergence::new(
            format!("benchmark loss is {value:?}"),
            None,
            "",
        ))),
    }
}

/// The `train` path: `train_on` into a scratch directory, no early stopping, unscaled data.
fn train_path(
    config: &MlpConfig,
    (train, val): (&Subset, &Subset),
    (epochs, batch_size, lr): (usize, usize, f64),
    backend: Backend,
) -> Result<()> {
    let mut c = TrainConfig::default_for(config.inputs, config.outputs);
    c.model = config.clone();
    c.optimizer = OptimizerConfig::adam(lr);
    c.epochs = epochs;
    c.batch_size = batch_size;
    c.early_stopping = None;
    c.backend = backend;
    c.seed = 0;
    let dir = scratch();
    let _ = std::fs::remove_dir_all(&dir);
    let prepared = Prepared {
        train: train.clone(),
        val: val.clone(),
        imputer: None,
        imputed: vec![],
        val_imputed: 0,
        scaler: None,
        target_scaler: None,
        warnings: vec![],
        target_warnings: vec![],
    };
    let source = DataSource::Memory {
        description: "benchmark".into(),
    };
    let trained = train_on(source, prepared, c, &dir, Verbosity::Quiet);
    let _ = std::fs::remove_dir_all(&dir); // a failed run's too
    trained.map(|_| ())
}

fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("{SCRATCH}{}", std::process::id()))
}

/// How a bench's scratch folder's name begins: the process id follows.
const SCRATCH: &str = "plaindnn-bench-";

/// Removes the scratch folders that benches killed mid-run left: a run's folder (or an empty
/// one) of a scratch name whose process is gone, as Linux's `/proc` tells, and whose run no
/// process trains (a bench in another process namespace, sharing the temporary folder, holds its
/// run's lock). Elsewhere than Linux, none is removed.
pub fn sweep_scratch() {
    let processes = Path::new("/proc");
    let entries = std::fs::read_dir(std::env::temp_dir());
    let (true, Ok(entries)) = (processes.is_dir(), entries) else {
        return;
    };
    for dir in entries.flatten().map(|e| e.path()) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let pid = (name.strip_prefix(SCRATCH))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let gone = pid.is_some_and(|pid| !processes.join(pid).exists());
        if gone && is_left_scratch(&dir) {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// Whether `dir` is what a killed bench leaves: a run's folder, or an empty one, that no process
/// trains into now.
fn is_left_scratch(dir: &Path) -> bool {
    let empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
    let run = crate::train::run_dir::RunDir::new(dir).holds_run();
    (empty || run) && !crate::train::lock::in_use(dir)
}

/// W1: 1000 full-batch Adam steps of the quadrant net; µs per step.
pub fn w1(backend: Backend, repeats: usize, out: &mut Vec<Measurement>) -> Result<()> {
    const STEPS: usize = 1000;
    let device = backend.device()?;
    let config = MlpConfig::new(2, vec![50], 4);
    let points = workloads::quadrant_points()?;
    let rows = Subset::all(points.clone()); // trained and validated on the same four points
    let (bare, train) = time_alternating(
        repeats,
        || {
            let mut bare = Bare::new(&config, 0.01, &device)?;
            let batch = Batch::gather(&points, &[0, 1, 2, 3], None, &device);
            let mut loss = None;
            for _ in 0..STEPS {
                loss = Some(bare.step(batch.clone())?);
            }
            loss.map_or(Ok(()), sync)
        },
        || train_path(&config, (&rows, &rows), (STEPS, 4, 0.01), backend),
    )?;
    let per_step = |s: f64| s / STEPS as f64 * 1e6;
    for (path, seconds) in [("bare", bare), ("train", train)] {
        let ids = ["w1", "plain", path, "us_per_step"];
        out.push(measure(ids, &seconds, per_step, None));
    }
    Ok(())
}

/// W2's networks named in `variants`, in their usual order; all of them when it is empty.
/// `seed-default` (as `train --preset` spells it) is `seed_default`.
pub fn w2_selection(variants: &[String]) -> Result<Vec<(&'static str, MlpConfig)>> {
    let all = workloads::w2_networks();
    let variants: Vec<String> = variants.iter().map(|v| v.replace('-', "_")).collect();
    if let Some(unknown) = variants
        .iter()
        .find(|v| !all.iter().any(|(name, _)| name == v))
    {
        return Err(Error::Unknown {
            what: "W2 variant",
            got: unknown.clone(),
            valid: all.map(|(name, _)| name).join(", "),
        });
    }
    if let Some(twice) = (1..variants.len()).find(|&i| variants[..i].contains(&variants[i])) {
        let why = format!("{} is named twice; name each once", variants[twice]);
        return Err(Error::invalid("--variants", why));
    }
    let wanted = |name: &str| variants.is_empty() || variants.iter().any(|v| v == name);
    Ok(all.into_iter().filter(|(name, _)| wanted(name)).collect())
}

/// W2: one shuffled epoch of 60000 rows in batches of 128, and inference in batches of 1000, for
/// each of `networks`.
pub fn w2(
    networks: &[(&'static str, MlpConfig)],
    backend: Backend,
    repeats: usize,
    out: &mut Vec<Measurement>,
) -> Result<()> {
    const ROWS: usize = 60000;
    let device = backend.device()?;
    let data = Arc::new(workloads::mnist_shaped(ROWS, 0)?);
    let train_flop = Some(6.0 * W2_WEIGHTS); // forward 2W, backward 4W per sample
    let infer_flop = Some(2.0 * W2_WEIGHTS);
    let per_second = |s: f64| ROWS as f64 / s;
    let train_rows = Subset::of(&data, (0..ROWS).collect());
    let val_rows = Subset::of(&data, (0..10000).collect());
    let x = Tensor::<2>::from_data(TensorData::new(data.features.clone(), [ROWS, 784]), &device);
    for (variant, config) in networks.iter().cloned() {
        let (bare, train) = time_alternating(
            repeats,
            || {
                let mut bare = Bare::new(&config, 1e-3, &device)?;
                let mut order: Vec<usize> = (0..ROWS).collect();
                order.shuffle(&mut StdRng::seed_from_u64(0));
                let mut loss = None;
                for rows in order.chunks(128) {
                    loss = Some(bare.step(Batch::gather(&data, rows, None, &device))?);
                }
                loss.map_or(Ok(()), sync)
            },
            || train_path(&config, (&train_rows, &val_rows), (1, 128, 1e-3), backend),
        )?;
        for (path, seconds) in [("bare", bare), ("train", train)] {
            let ids = ["w2", variant, path, "train_samples_per_s"];
            out.push(measure(ids, &seconds, per_second, train_flop));
        }

        // as `predict` runs it: BatchNorm folded into the Linear layers
        let model = config.init(&device, 0)?.valid().folded_for_inference();
        let seconds = time(repeats, || {
            let mut last = None;
            for start in (0..ROWS).step_by(1000) {
                last = Some(model.forward(x.clone().narrow(0, start, 1000)));
            }
            last.map_or(Ok(()), |y| sync(y.sum()))
        })?;
        let ids = ["w2", variant, "infer", "infer_samples_per_s"];
        out.push(measure(ids, &seconds, per_second, infer_flop));
    }
    Ok(())
}

/// W3: Adam steps of 20-layer nets on one batch of 256; ms per step.
pub fn w3(backend: Backend, repeats: usize, out: &mut Vec<Measurement>) -> Result<()> {
    const STEPS: usize = 100;
    let device = backend.device()?;
    let data = workloads::deep_batch()?;
    let rows: Vec<usize> = (0..data.len()).collect();
    for (variant, config) in workloads::w3_networks() {
        let mut bare = Bare::new(&config, 1e-3, &device)?;
        let batch = Batch::gather(&data, &rows, None, &device);
        let seconds = time(repeats, || {
            let mut loss = None;
            for _ in 0..STEPS {
                loss = Some(bare.step(batch.clone())?);
            }
            loss.map_or(Ok(()), sync)
        })?;
        let per_step = |s: f64| s / STEPS as f64 * 1e3;
        let ids = ["w3", variant, "bare", "ms_per_step"];
        out.push(measure(ids, &seconds, per_step, None));
    }
    Ok(())
}
