//! Trains the variants of an experiment over several seeds and summarises each as mean ± spread.

use std::path::Path;

use crate::data::DataSource;
use crate::error::{Error, Result};
use crate::train::pretrain::{self, PretrainConfig};
use crate::train::{self, RunOptions, TrainConfig, Verbosity};

/// One configuration being compared.
pub struct Variant {
    /// Row label in the table.
    pub label: String,
    /// The full recipe (seed replaced per run).
    pub config: TrainConfig,
    /// The data (seed replaced per run).
    pub data: DataSource,
    /// Where the network starts.
    pub start: Start,
}

/// Where a variant's network starts.
#[derive(Clone)]
pub enum Start {
    /// Random weights.
    Scratch,
    /// The hidden layers of a network first trained on `data` (transfer learning); variants
    /// naming the same `name` share that run per seed.
    Transfer {
        /// Directory name of the shared source run.
        name: &'static str,
        /// The related task.
        data: DataSource,
        /// Its recipe.
        config: Box<TrainConfig>,
    },
    /// The encoder of autoencoders first trained on `data`'s inputs, labels unused.
    Autoencoder {
        /// Directory name of the shared pretraining run.
        name: &'static str,
        /// The unlabelled inputs.
        data: DataSource,
        /// The pretraining recipe.
        config: PretrainConfig,
    },
}

/// What one training run of a variant gave.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// Validation accuracy (RMSE for regression) of the model training returns: the best
    /// epoch's when early stopping restores it, else the last epoch's.
    pub returned_accuracy: f64,
    /// Lowest validation loss.
    pub best_val_loss: f64,
    /// Validation minus training loss in the last epoch (the overfitting gap).
    pub final_gap: f64,
    /// Training loss in the last epoch.
    pub final_train_loss: f64,
    /// Epochs trained.
    pub epochs: usize,
    /// First epoch whose validation loss fell below the experiment's target.
    pub epochs_to_target: Option<usize>,
    /// First layer's gradient norm over the last layer's in epoch 1 (with diagnostics on).
    pub grad_ratio: Option<f64>,
    /// Validation loss of every epoch.
    pub val_losses: Vec<f64>,
}

/// Mean and spread (sample standard deviation) of a column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    /// Mean over seeds.
    pub mean: f64,
    /// Sample standard deviation (0 for one seed).
    pub spread: f64,
}

impl Stat {
    /// Of finite `values` (NaN when there are none).
    pub fn of(values: impl Iterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Self {
                mean: f64::NAN,
                spread: f64::NAN,
            };
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = if v.len() > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
        } else {
            0.0
        };
        Self {
            mean,
            spread: var.sqrt(),
        }
    }
}

/// A variant's runs.
pub struct VariantResult {
    /// Its label.
    pub label: String,
    /// One summary per seed that trained to the end.
    pub runs: Vec<RunSummary>,
    /// Seeds whose loss became NaN or infinite (training stopped).
    pub diverged: usize,
}

impl VariantResult {
    /// Column statistic over the seeds.
    pub fn stat(&self, f: impl Fn(&RunSummary) -> Option<f64>) -> Stat {
        Stat::of(self.runs.iter().filter_map(f))
    }

    /// Mean validation loss per epoch over the seeds that reached that epoch.
    pub fn mean_val_losses(&self) -> Vec<(f64, f64)> {
        let longest = self
            .runs
            .iter()
            .map(|r| r.val_losses.len())
            .max()
            .unwrap_or(0);
        (0..longest)
            .map(|e| {
                (
                    e as f64 + 1.0,
                    Stat::of(
                        self.runs
                            .iter()
                            .filter_map(|r| r.val_losses.get(e).copied()),
                    )
                    .mean,
                )
            })
            .collect()
    }
}

/// Trains every variant with seeds `0..seeds` into `out/<variant>-s<seed>`.
pub fn run(
    variants: Vec<Variant>,
    seeds: u64,
    target_loss: Option<f64>,
    out: &Path,
) -> Result<Vec<VariantResult>> {
    let mut results = Vec::new();
    let mut sources = std::collections::HashSet::new();
    for (i, v) in variants.into_iter().enumerate() {
        let mut runs = Vec::new();
        let mut diverged = 0;
        for seed in 0..seeds {
            let mut config = v.config.clone();
            config.seed = seed;
            config.init_from = start(&v.start, seed, out, &mut sources)?;
            let data = reseeded(v.data.clone(), seed);
            let dir = out.join(format!("v{i}-s{seed}"));
            // the experiment's own scratch directory: last time's run there is replaced
            let quiet = RunOptions::from(Verbosity::Quiet).overwrite();
            let trained = match train::train(data, config, &dir, quiet) {
                Ok(trained) => trained,
                // a diverged run is a result too (exploding gradients), not a failed experiment
                Err(Error::Diverged(_)) => {
                    diverged += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let rows = &trained.outcome.rows;
            let last = rows.last();
            let grad_ratio = {
                let epoch1: Vec<&crate::train::diagnostics::LayerRow> = trained
                    .outcome
                    .diagnostics
                    .iter()
                    .filter(|r| r.epoch == 1)
                    .collect();
                match (epoch1.first(), epoch1.last()) {
                    (Some(a), Some(b)) if b.grad_norm > 0.0 => Some(a.grad_norm / b.grad_norm),
                    _ => None,
                }
            };
            let returned = match trained.outcome.best_epoch {
                Some(e) if restores(&trained.config.train) => rows.iter().find(|r| r.epoch == e),
                _ => last,
            };
            runs.push(RunSummary {
                returned_accuracy: returned.map_or(f64::NAN, |r| r.val_metric),
                best_val_loss: rows
                    .iter()
                    .map(|r| r.val_loss)
                    .fold(f64::INFINITY, f64::min),
                final_gap: last.map_or(f64::NAN, |r| r.val_loss - r.train_loss),
                final_train_loss: last.map_or(f64::NAN, |r| r.train_loss),
                epochs: rows.len(),
                epochs_to_target: target_loss
                    .and_then(|t| rows.iter().find(|r| r.val_loss < t).map(|r| r.epoch)),
                grad_ratio,
                val_losses: rows.iter().map(|r| r.val_loss).collect(),
            });
        }
        results.push(VariantResult {
            label: v.label,
            runs,
            diverged,
        });
    }
    Ok(results)
}

/// A built-in data set drawn with `seed`; other sources unchanged.
fn reseeded(data: DataSource, seed: u64) -> DataSource {
    match data {
        DataSource::Builtin {
            name,
            train_size,
            val_size,
            noise,
            ..
        } => DataSource::Builtin {
            name,
            train_size,
            val_size,
            noise,
            seed,
        },
        other => other,
    }
}

/// The run a variant starts from for `seed`, trained once per experiment run into
/// `out/<name>-s<seed>`.
fn start(
    start: &Start,
    seed: u64,
    out: &Path,
    done: &mut std::collections::HashSet<std::path::PathBuf>,
) -> Result<Option<std::path::PathBuf>> {
    let (name, data) = match start {
        Start::Scratch => return Ok(None),
        Start::Transfer { name, data, .. } | Start::Autoencoder { name, data, .. } => (name, data),
    };
    let dir = out.join(format!("{name}-s{seed}"));
    if done.insert(dir.clone()) {
        let _ = std::fs::remove_dir_all(&dir); // a previous experiment's run is not this one's
        let data = reseeded(data.clone(), seed);
        match start {
            Start::Transfer { config, .. } => {
                let config = TrainConfig {
                    seed,
                    ..(**config).clone()
                };
                train::train(data, config, &dir, Verbosity::Quiet)?;
            }
            Start::Autoencoder { config, .. } => {
                let config = PretrainConfig {
                    seed,
                    ..config.clone()
                };
                let prepared = data.load()?;
                pretrain::pretrain(data, prepared, &config, &dir, Verbosity::Quiet)?;
            }
            Start::Scratch => {}
        }
    }
    Ok(Some(std::fs::canonicalize(&dir).unwrap_or(dir)))
}

fn restores(config: &TrainConfig) -> bool {
    config
        .early_stopping
        .as_ref()
        .is_some_and(|e| e.restore_best_weights)
}
