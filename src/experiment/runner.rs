//! Trains the variants of an experiment over several seeds and summarises each as mean ± spread.
//!
//! Every run is also scored on a test split that no choice made during training has seen: early
//! stopping and restore-best pick their epoch on the validation rows, so accuracy on those rows
//! flatters the variants that use them.

use std::path::Path;

use burn::module::Module;

use crate::data::{BatchLoader, DataSource, Split, Subset};
use crate::error::{Error, Result};
use crate::train::evaluate::evaluate;
use crate::train::pretrain::{self, PretrainConfig};
use crate::train::{self, RunOptions, TrainConfig, TrainedRun, Verbosity};

pub use crate::data::TEST_STREAM;

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

impl Start {
    /// The directory name of the shared run this start trains first, if any.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Start::Scratch => None,
            Start::Transfer { name, .. } | Start::Autoencoder { name, .. } => Some(name),
        }
    }
}

/// What one training run of a variant gave.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSummary {
    /// The seed of the run (data, initial weights, shuffling).
    pub seed: u64,
    /// Accuracy (RMSE for regression) of the returned model on the test split, which neither
    /// training nor early stopping saw; NaN for data without one (CSV, IDX).
    pub test_accuracy: f64,
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
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Stat {
    /// Mean over seeds.
    pub mean: f64,
    /// Sample standard deviation (NaN for one seed, as NumPy's `std(ddof=1)`: one value has no
    /// spread to show, not a spread of 0).
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
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
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

    /// One column's values with their seeds, one per seed that trained to the end.
    pub fn values(&self, f: impl Fn(&RunSummary) -> Option<f64>) -> Vec<(u64, f64)> {
        self.runs
            .iter()
            .filter_map(|s| Some((s.seed, f(s)?)))
            .collect()
    }

    /// Seeds run, diverged or not.
    pub fn seeds(&self) -> usize {
        self.runs.len() + self.diverged
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
    let mut sources = std::collections::HashSet::new();
    let mut results = Vec::new();
    for (i, v) in variants.into_iter().enumerate() {
        let mut result = VariantResult {
            label: v.label.clone(),
            runs: Vec::new(),
            diverged: 0,
        };
        for seed in 0..seeds {
            let mut config = v.config.clone();
            config.seed = seed;
            config.init_from = start(&v.start, seed, out, &mut sources)?;
            let data = reseeded(v.data.clone(), seed);
            let test = test_split(&data)?;
            let dir = out.join(format!("v{i}-s{seed}"));
            // the experiment's own scratch directory: last time's run there is replaced, and a
            // diverged one stays for its report to point at
            let quiet = RunOptions::from(Verbosity::Quiet).overwrite().keep_failed();
            match train::train(data, config, &dir, quiet) {
                Ok(trained) => result.runs.push(summarise(&trained, target_loss, test)?),
                // a diverged run is a result too (exploding gradients), not a failed experiment
                Err(Error::Diverged(_)) => result.diverged += 1,
                Err(e) => return Err(e),
            }
        }
        results.push(result);
    }
    Ok(results)
}

/// One run's numbers; `test` scores the model training returned.
fn summarise(
    trained: &TrainedRun,
    target_loss: Option<f64>,
    test: Option<Subset>,
) -> Result<RunSummary> {
    let rows = &trained.outcome.rows;
    let last = rows.last();
    let restored = trained.config.train.restores_best();
    let returned = trained.outcome.saved(restored).or(last);
    let test_accuracy = match test {
        Some(rows) => test_score(trained, rows)?,
        None => f64::NAN,
    };
    Ok(RunSummary {
        seed: trained.config.train.seed,
        test_accuracy,
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
        grad_ratio: grad_ratio(trained),
        val_losses: rows.iter().map(|r| r.val_loss).collect(),
    })
}

/// First layer's over last layer's gradient norm in epoch 1, when diagnostics were on.
fn grad_ratio(trained: &TrainedRun) -> Option<f64> {
    let mut epoch1 = trained.outcome.diagnostics.iter().filter(|r| r.epoch == 1);
    let first = epoch1.next()?;
    let last = epoch1.next_back()?;
    (last.grad_norm > 0.0).then(|| first.grad_norm / last.grad_norm)
}

/// A built-in set's test rows ([`Split::Test`]); other sources have none.
pub fn test_split(data: &DataSource) -> Result<Option<Subset>> {
    match data {
        DataSource::Builtin { .. } => Ok(Some(Subset::all(data.split_rows(Split::Test)?))),
        _ => Ok(None),
    }
}

/// Accuracy (RMSE for regression) of the model a run returned, on `rows`.
fn test_score(trained: &TrainedRun, rows: Subset) -> Result<f64> {
    let device = trained
        .model
        .devices()
        .into_iter()
        .next()
        .ok_or_else(|| Error::Training("the trained model has no device".into()))?;
    let loader = BatchLoader::new(rows, 1024, None, &device);
    Ok(evaluate(&trained.model, &loader)?.headline())
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
        super::clear(&dir)?; // a previous experiment's run is not this one's
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

#[cfg(test)]
mod tests {
    use super::Stat;

    #[test]
    fn the_spread_is_the_sample_deviation_and_none_for_one_value() {
        // NumPy: np.std([1, 2, 4], ddof=1) = 1.5275252316519465; np.std([3], ddof=1) = nan
        let s = Stat::of([1.0, 2.0, 4.0].into_iter());
        assert!((s.mean - 7.0 / 3.0).abs() < 1e-12);
        assert!((s.spread - 1.527_525_231_651_946_8).abs() < 1e-12);
        let one = Stat::of([3.0, f64::NAN].into_iter());
        assert_eq!(one.mean, 3.0);
        assert!(one.spread.is_nan());
    }
}
