//! Loading a run directory for inference: predictions with class names, and evaluation.

use std::path::Path;

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::backend::Backend;
use crate::data::csv_file::Missing;
use crate::data::{BatchLoader, Dataset, ExactColumns, Subset, Targets, Task};
use crate::error::{Error, Result};
use crate::model::{read_f32, Mlp};
use crate::train::evaluate::{evaluate, Scores};
use crate::train::{history, RunConfig, RunDir};

/// One row's prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// The predicted class name (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Probability of each class, in class order (classification).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probabilities: Vec<f32>,
    /// Predicted values (regression), in f64: mapped back through a standardised target's mean,
    /// a timestamp's last digits are kept (f32 would round 1.6e9 to a multiple of 128).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
}

/// Scores plus the confusion matrix (classification) or RMSE, MAE and R² (regression).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Loss, accuracy or RMSE.
    pub scores: Scores,
    /// Rows of true class, columns of predicted class.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confusion: Vec<Vec<usize>>,
    /// RMSE, MAE and R² (regression).
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub regression: Option<RegressionScores>,
    /// Missing feature cells filled as training's were (`--impute`).
    pub filled: usize,
}

/// A trained model rebuilt from its run directory alone.
///
/// ```
/// use plaindnn::{backend::Backend, inference::Predictor};
/// # fn main() -> plaindnn::Result<()> {
/// // the small quadrant model shipped with the crate (`artifacts/pretrained/quadrants`)
/// let predictor = Predictor::open("artifacts/pretrained/quadrants", Backend::Flex)?;
/// assert_eq!(predictor.feature_names(), ["x", "y"]);
/// let rows = [3.0, 2.0, -2.0, 4.0, -1.5, -3.0, 2.5, -0.5]; // one point per quadrant
/// let classes: Vec<_> = predictor
///     .predict(&rows)?
///     .into_iter()
///     .map(|p| p.class.unwrap())
///     .collect();
/// assert_eq!(classes, ["I", "II", "III", "IV"]);
/// # Ok(()) }
/// ```
pub struct Predictor {
    /// The run's `config.json`.
    pub config: RunConfig,
    /// The network with the weights `model.bpk` holds (the run's last, or its best when early
    /// stopping restored them), in inference mode.
    pub model: Mlp,
    /// `model` with BatchNorm folded into its Linear layers: what `predict` runs.
    folded: Mlp,
    device: Device,
}

impl Predictor {
    /// Reads `config.json`, builds the network and loads `model.bpk` on `backend`.
    pub fn open(dir: impl AsRef<Path>, backend: Backend) -> Result<Self> {
        let dir = dir.as_ref();
        let run = RunDir::new(dir);
        let config = run.read_config()?;
        let device = backend.device()?;
        let path = run.model_path();
        if !path.is_file() {
            return Err(run.no_model());
        }
        let model = config
            .train
            .model
            .init_for_loading(&device)?
            .try_load_record(crate::train::checkpoint::load_record(&path)?)
            .map_err(|e| Error::checkpoint(&path, e))?
            .valid();
        // the layers frozen when training ended, for the summary's trainable count; only
        // `unfreeze_after` makes that depend on the epoch it ended at
        let last = match config.train.unfreeze_after {
            Some(_) => history::read(&run.metrics_path())
                .ok()
                .and_then(|r| r.last().map(|r| r.epoch)),
            None => None,
        };
        model.frozen.set(config.train.frozen_at(last.unwrap_or(0)));
        Ok(Self {
            config,
            folded: model.clone().folded_for_inference(),
            model,
            device,
        })
    }

    /// Feature names the model expects, in order.
    pub fn feature_names(&self) -> &[String] {
        &self.config.data.feature_names
    }

    /// Outputs of the network for raw row-major `rows` (probabilities for classification).
    pub fn predict(&self, rows: &[f32]) -> Result<Vec<Prediction>> {
        self.predict_exactly(rows, None)
    }

    /// The input columns this run standardises from their values as the file wrote them, in
    /// f64 (recorded by the run: [`crate::train::DataInfo::exact_inputs`]).
    pub fn exact_columns(&self) -> Vec<usize> {
        let info = &self.config.data;
        let names = &info.feature_names;
        (info.exact_inputs.iter())
            .filter_map(|n| names.iter().position(|f| f == n))
            .collect()
    }

    /// [`Self::predict`], with [`Self::exact_columns`]'s values as written where given.
    pub fn predict_exactly(
        &self,
        rows: &[f32],
        exact: Option<&ExactColumns>,
    ) -> Result<Vec<Prediction>> {
        let width = self.feature_names().len();
        if rows.is_empty() || !rows.len().is_multiple_of(width) {
            return Err(Error::Data(format!(
                "the model takes {width} features per row ({}), got {} values",
                abbreviate(self.feature_names()),
                rows.len()
            )));
        }
        let mut scaled = rows.to_vec();
        self.fill_missing(&mut scaled)?;
        if let Some(scaler) = &self.config.data.scaler {
            scaler.apply(&mut scaled);
            if let Some(exact) = exact {
                scaler.apply_exact_columns(&mut scaled, exact);
            }
        }
        self.predict_scaled(scaled)
    }

    /// How a CSV's missing feature cells are read for this model: kept for its fill when it
    /// trained with `--impute`, refused otherwise.
    pub fn missing(&self) -> Missing {
        match self.config.data.imputer {
            Some(_) => Missing::Kept,
            None => Missing::Unfillable,
        }
    }

    /// Fills the missing values (NaN) of row-major `rows` as training's were, and says how many;
    /// refused when the model trained without `--impute`.
    fn fill_missing(&self, rows: &mut [f32]) -> Result<usize> {
        match &self.config.data.imputer {
            Some(imputer) => return Ok(imputer.apply(rows).iter().sum()),
            None if rows.iter().any(|v| v.is_nan()) => {
                let why = "a value is missing (NaN), and this model trained without --impute, \
                           which would have saved what fills it";
                return Err(Error::Data(why.into()));
            }
            None => {}
        }
        Ok(0)
    }

    fn predict_scaled(&self, rows: Vec<f32>) -> Result<Vec<Prediction>> {
        let width = self.feature_names().len();
        let n = rows.len() / width;
        let x = Tensor::<2>::from_data(TensorData::new(rows, [n, width]), &self.device);
        let classes = &self.config.data.class_names;
        let out = match self.config.data.task {
            Task::Classification => self.folded.probabilities(x),
            Task::Regression => self.folded.forward(x),
        }; // [n, outputs]
        let outputs = out.dims()[1];
        let values = read_f32(out, "predictions")?;
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::NotFinite { row: at / outputs });
        }
        // into the target's (or the inputs') own units, to the digits the output carries
        let scaler = self.config.data.output_scaler();
        let value = |j: usize, z: f32| match scaler {
            Some(s) => in_units(s, j, z),
            None => shortest(z),
        };
        let wide: Vec<f64> = match self.config.data.task {
            Task::Regression => (values.iter().enumerate())
                .map(|(i, &z)| value(i % outputs, z))
                .collect(),
            Task::Classification => vec![],
        };
        Ok(values
            .chunks(outputs)
            .enumerate()
            .map(|(i, row)| match self.config.data.task {
                Task::Classification => {
                    let best = argmax(row);
                    Prediction {
                        class: classes.get(best).cloned(),
                        probabilities: row.to_vec(),
                        values: vec![],
                    }
                }
                Task::Regression => Prediction {
                    class: None,
                    probabilities: vec![],
                    values: wide[i * outputs..(i + 1) * outputs].to_vec(),
                },
            })
            .collect())
    }

    /// The weights as a safetensors file named like a PyTorch `nn.Sequential`, with the feature
    /// and class names, the task, the one-hot columns' categories, the fill of missing cells and
    /// the scaler in its metadata
    /// (what `plaindnn export` writes).
    pub fn safetensors(&self) -> Result<Vec<u8>> {
        let data = &self.config.data;
        let mut metadata = vec![
            ("feature_names", json(&data.feature_names)?),
            ("class_names", json(&data.class_names)?),
            ("task", json(&data.task)?),
            ("scaler", json(&data.scaler)?),
        ];
        if data.imputer.is_some() {
            metadata.push(("imputer", json(&data.imputer)?));
        }
        if !data.one_hot.is_empty() {
            // the text columns behind `feature_names`' `column_category` inputs
            metadata.push(("one_hot", json(&data.one_hot)?));
        }
        if data.reconstructs && data.scaler.is_some() {
            // an autoencoder's outputs are standardised inputs, as its inputs
            metadata.push((
                "outputs",
                json(&"standardised: x = output * scaler.std + scaler.mean")?,
            ));
        }
        if data.target_scaler.is_some() {
            metadata.push(("target_scaler", json(&data.target_scaler)?));
            metadata.push((
                "outputs",
                json(&"standardised: y = output * target_scaler.std + target_scaler.mean")?,
            ));
        }
        let mut metadata: std::collections::HashMap<String, String> = metadata
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if data.reconstructs {
            metadata.extend([crate::model::safetensors::autoencoder_mark()]);
        }
        let model = &self.config.train.model;
        if !model.add_features.is_empty() {
            // layer 0's inputs by the columns' names (`x0, x1, x0²` would name the positions)
            let inputs = model.feature_map().names(&data.feature_names).join(", ");
            metadata.insert(crate::model::safetensors::INPUTS_KEY.into(), inputs);
        }
        crate::model::safetensors::export(&self.model, model, metadata)
    }

    /// Refuses rows this network cannot score (checked with [`Dataset::check`] first): other
    /// columns, and unless `inputs_only` (an autoencoder's, whose targets are its inputs) another
    /// task, other outputs, or other classes or their order.
    fn refuse_unlike(&self, data: &Dataset, inputs_only: bool) -> Result<()> {
        let (info, model) = (&self.config.data, &self.config.train.model);
        let differ = |why: String| Err(Error::Data(format!("the rows to score {why}")));
        if data.width() != model.inputs {
            let has = crate::plural::count(data.width(), "feature");
            return differ(format!(
                "have {has} where the network takes {}",
                model.inputs
            ));
        }
        if inputs_only {
            return Ok(());
        }
        if data.task() != info.task || data.outputs() != model.outputs {
            return differ(format!(
                "are for {} with {} where the network does {} with {}",
                data.task(),
                crate::plural::count(data.outputs(), "output"),
                info.task,
                crate::plural::count(model.outputs, "output")
            ));
        }
        // both named as today: a run of 0.50 reads 0.5, one of TRUE True (as --resume compares)
        let named = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|c| crate::data::target::class_name(c))
                .collect()
        };
        let same = named(&data.class_names) == named(&info.class_names);
        if data.task() == Task::Classification && !same {
            return differ(format!(
                "name their classes {} where the network's are {}, in that order",
                data.class_names.join(", "),
                info.class_names.join(", ")
            ));
        }
        Ok(())
    }

    /// Scores the model on raw labelled `data` (scaled here like training data was).
    pub fn evaluate(&self, mut data: Dataset) -> Result<Evaluation> {
        data.check()?;
        self.refuse_unlike(&data, self.config.data.reconstructs)?;
        let filled = self.fill_missing(&mut data.features)?;
        if let Some(scaler) = &self.config.data.scaler {
            scaler.apply(&mut data.features);
            if let Some(exact) = data.exact_columns.clone() {
                scaler.apply_exact_columns(&mut data.features, &exact);
            }
        }
        if self.config.data.reconstructs {
            let (values, width) = (data.features.clone(), data.width());
            data.targets = Targets::Values { values, width }; // an autoencoder's targets
            data.exact_targets = None;
        }
        let exact = data.exact_targets.clone();
        if let (Some(s), Targets::Values { values, .. }) =
            (&self.config.data.target_scaler, &mut data.targets)
        {
            // the loss in the units the network learnt
            s.apply_targets(values, exact.as_deref().map(Vec::as_slice));
        }
        let evaluation = self.score(Subset::all(data))?; // checked above
        Ok(Evaluation {
            filled,
            ..evaluation
        })
    }

    /// Scores the model on rows already in model space (as `DataSource::load` returns them);
    /// rows unlike the network (other columns, task or classes) are refused.
    pub fn evaluate_prepared(&self, rows: Subset) -> Result<Evaluation> {
        rows.check("rows to score")?;
        self.refuse_unlike(&rows.data, false)?;
        self.score(rows)
    }

    /// The targets of `rows` in the data's own units, as the predictions are: as the file wrote
    /// them where it did (f32 `values` are those rounded to seven digits), else `values` mapped
    /// back through the output scaler.
    fn truth(&self, rows: &Subset, values: &[f32], width: usize) -> Vec<f64> {
        let picked = |v: &[f32]| -> Vec<f32> {
            (rows.rows.iter())
                .flat_map(|&r| v[r * width..(r + 1) * width].to_vec())
                .collect()
        };
        if let Some(exact) = &rows.data.exact_targets {
            let picked = rows
                .rows
                .iter()
                .flat_map(|&r| &exact[r * width..(r + 1) * width]);
            return picked.copied().collect();
        }
        let mut truth = picked(values);
        if let Some(scaler) = self.config.data.output_scaler() {
            scaler.invert(&mut truth); // in the data's own units, as the predictions
        }
        truth.iter().map(|&v| v as f64).collect()
    }

    /// The MSE loss in the units the network learns (each output's error over its scaler's
    /// deviation), from `truth` and `predicted` in the data's units, in f64.
    fn mse_in_f64(&self, truth: &[f64], predicted: &[f64], width: usize) -> f64 {
        let scaler = self.config.data.output_scaler();
        let std = |j: usize| scaler.and_then(|s| s.std.get(j)).copied().unwrap_or(1.0);
        let squares = (truth.iter().zip(predicted).enumerate())
            .map(|(i, (y, p))| ((p - y) / std(i % width.max(1))).powi(2));
        squares.sum::<f64>() / truth.len().max(1) as f64
    }

    /// Scores the model on `rows`, already checked against it.
    fn score(&self, rows: Subset) -> Result<Evaluation> {
        let data = &rows.data;
        let mut gathered = Vec::with_capacity(rows.len() * data.width());
        rows.rows
            .iter()
            .for_each(|&r| gathered.extend_from_slice(data.row(r)));
        let predictions = self.predict_scaled(gathered)?;
        let mut confusion = Vec::new();
        let mut regression = None;
        let mut wide_loss = None;
        match &data.targets {
            Targets::Classes(labels) => {
                confusion = vec![vec![0; data.class_names.len()]; data.class_names.len()];
                for (&r, p) in rows.rows.iter().zip(&predictions) {
                    confusion[labels[r] as usize][argmax(&p.probabilities)] += 1;
                }
            }
            Targets::Values { values, width } => {
                let truth = self.truth(&rows, values, *width);
                let predicted: Vec<f64> =
                    predictions.iter().flat_map(|p| p.values.clone()).collect();
                regression = Some(RegressionScores::of_outputs(&truth, &predicted, *width));
                wide_loss = Some(self.mse_in_f64(&truth, &predicted, *width));
            }
        }
        let loader = BatchLoader::new(rows.clone(), 1024, None, &self.device);
        let mut scores = evaluate(&self.model, &loader)?;
        // accuracy and RMSE from the predictions above, so that every figure shown agrees
        if !confusion.is_empty() {
            let right: usize = (0..confusion.len()).map(|c| confusion[c][c]).sum();
            scores.accuracy = Some(right as f64 / rows.len().max(1) as f64);
        }
        if let Some(r) = &regression {
            scores.rmse = Some(r.rmse);
        }
        // a target near f32's largest squares past it: the MSE in f64 (was `inf` by the RMSE)
        if let (false, Some(loss)) = (scores.loss.is_finite(), wide_loss) {
            scores.loss = loss;
        }
        Ok(Evaluation {
            scores,
            confusion,
            regression,
            filled: 0,
        })
    }
}

pub use crate::data::csv_file::abbreviate;

/// Regression scores: RMSE and MAE over every predicted value, R² averaged over the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RegressionScores {
    /// `sqrt(mean((y − ŷ)²))`.
    pub rmse: f64,
    /// `mean(|y − ŷ|)`.
    pub mae: f64,
    /// `1 − Σ(y − ŷ)² / Σ(y − ȳ)²`: 1 is perfect, 0 is no better than predicting the mean.
    pub r2: f64,
}

impl RegressionScores {
    /// Scores of `predicted` against `truth`.
    pub fn of(truth: &[f32], predicted: &[f32]) -> Self {
        let widen = |v: &[f32]| -> Vec<f64> { v.iter().map(|&x| x as f64).collect() };
        Self::of_f64(&widen(truth), &widen(predicted))
    }

    /// With `width` outputs per row: RMSE and MAE over every value, R² the mean of each output's,
    /// as scikit-learn's `r2_score` (`uniform_average`; an output constant in the truth counts
    /// 1 when matched, else 0): columns in other units weigh the same.
    pub fn of_outputs(truth: &[f64], predicted: &[f64], width: usize) -> Self {
        let mut scores = Self::of_f64(truth, predicted);
        if width > 1 {
            let column = |v: &[f64], j: usize| -> Vec<f64> {
                v.iter().skip(j).step_by(width).copied().collect()
            };
            let r2 = |j: usize| Self::of_f64(&column(truth, j), &column(predicted, j)).r2;
            scores.r2 = (0..width).map(r2).sum::<f64>() / width as f64;
        }
        scores
    }

    /// The same from f64 values (`regress`).
    /// With no rows every score is NaN: an empty mean is not defined.
    pub fn of_f64(truth: &[f64], predicted: &[f64]) -> Self {
        let n = truth.len() as f64;
        let mean = truth.iter().sum::<f64>() / n;
        let (mut sse, mut sae, mut sst) = (0.0, 0.0, 0.0);
        for (&y, &p) in truth.iter().zip(predicted) {
            let e = y - p;
            sse += e * e;
            sae += e.abs();
            sst += (y - mean).powi(2);
        }
        // a constant truth has no variance to explain: 1 when matched, else 0 (scikit-learn)
        // constant: every value the first (their f64 mean need not equal it, and sst be 1e-33)
        let constant = truth.iter().all(|&y| y == truth[0]);
        let r2 = if truth.len() < 2 {
            f64::NAN // "not well-defined with less than two samples" (scikit-learn's r2_score)
        } else if !constant {
            1.0 - sse / sst
        } else if sse.is_finite() {
            f64::from(u8::from(sse == 0.0))
        } else {
            f64::NAN
        };
        Self {
            rmse: (sse / n).sqrt(),
            mae: sae / n,
            r2,
        }
    }
}

/// `z` as f64, the shortest decimal that reads back as it (`0.463`, not 0.46299999952316284).
fn shortest(z: f32) -> f64 {
    z.to_string().parse().unwrap_or(z as f64)
}

/// The output `z` of column `j` in its own units, `z·std + mean` in f64, to the digits it
/// carries: z holds 24 bits, so its last one is worth |z|·2⁻²³·std, and the decimals below it
/// (which f64 arithmetic would print) are noise.
fn in_units(scaler: &crate::data::Scaler, j: usize, z: f32) -> f64 {
    let y = scaler.original(j, z as f64);
    let last_bit = (z.abs().max(f32::MIN_POSITIVE) as f64) * f32::EPSILON as f64 * scaler.std[j];
    let decimals = (-last_bit.log10().floor()).clamp(0.0, 17.0) as usize;
    format!("{y:.decimals$}").parse().unwrap_or(y)
}

fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 {
                (i, v)
            } else {
                best
            }
        })
        .0
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Data(format!("cannot write metadata: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_of_several_outputs_is_the_mean_of_each_outputs_as_in_scikit_learn() {
        // rows (1, 100), (2, 200), (3, 300); the first output predicted 4 for 3:
        // R²₁ = 1 − 1/2 = 0.5, R²₂ = 1, mean 0.75 = r2_score(y, ŷ) in scikit-learn
        let truth = [1.0, 100.0, 2.0, 200.0, 3.0, 300.0];
        let predicted = [1.0, 100.0, 2.0, 200.0, 4.0, 300.0];
        let s = RegressionScores::of_outputs(&truth, &predicted, 2);
        assert!((s.r2 - 0.75).abs() < 1e-12, "{}", s.r2);
        assert!(
            (s.rmse - (1.0f64 / 6.0).sqrt()).abs() < 1e-12,
            "pooled: {}",
            s.rmse
        );
        // an output constant in the truth counts 1 when matched, 0 when not
        let flat = RegressionScores::of_outputs(&[1.0, 5.0, 2.0, 5.0], &[1.0, 5.0, 2.0, 6.0], 2);
        assert!((flat.r2 - 0.5).abs() < 1e-12, "{}", flat.r2);
    }

    #[test]
    fn r2_of_one_row_is_undefined_as_in_scikit_learn() {
        // r2_score([3.0], [3.0]) is nan with an UndefinedMetricWarning, matched or not
        assert!(RegressionScores::of_f64(&[3.0], &[3.0]).r2.is_nan());
        assert!(RegressionScores::of_outputs(&[3.0], &[2.0], 1).r2.is_nan());
        assert_eq!(RegressionScores::of_f64(&[3.0, 3.0], &[3.0, 3.0]).r2, 1.0);
    }

    #[test]
    fn scores_of_no_rows_are_undefined_not_zero() {
        // scikit-learn's mean_squared_error([], []) raises: an empty mean is not 0
        let none = RegressionScores::of_f64(&[], &[]);
        assert!(
            none.rmse.is_nan() && none.mae.is_nan() && none.r2.is_nan(),
            "{none:?}"
        );
    }
}
