//! Loading a run directory for inference: predictions with class names, and evaluation.

use std::path::Path;
use std::sync::Arc;

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::backend::Backend;
use crate::data::{BatchLoader, Dataset, Task};
use crate::error::{Error, Result};
use crate::model::Mlp;
use crate::train::evaluate::{evaluate, Scores};
use crate::train::{RunConfig, RunDir};

/// One row's prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// The predicted class name (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Probability of each class, in class order (classification).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probabilities: Vec<f32>,
    /// Predicted values (regression).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f32>,
}

/// Scores plus, for classification, the confusion matrix (`[true][predicted]` counts).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Loss, accuracy or RMSE.
    pub scores: Scores,
    /// Rows of true class, columns of predicted class.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confusion: Vec<Vec<usize>>,
}

/// A trained model rebuilt from its run directory alone.
pub struct Predictor {
    /// The run's `config.json`.
    pub config: RunConfig,
    /// The network with its best weights, in inference mode.
    pub model: Mlp,
    device: Device,
}

impl Predictor {
    /// Reads `config.json`, builds the network and loads `model.bpk` on `backend`.
    pub fn open(dir: &Path, backend: Backend) -> Result<Self> {
        let run = RunDir::new(dir);
        let config = run.read_config()?;
        let device = backend.device()?;
        let path = run.model_path();
        if !path.is_file() {
            return Err(Error::run(
                dir,
                "has no model.bpk (did training finish an epoch?)",
            ));
        }
        let model = config
            .train
            .model
            .init_for_loading(&device)?
            .try_load_file(&path)
            .map_err(|e| Error::Checkpoint {
                path: path.clone(),
                message: e.to_string(),
            })?
            .valid();
        Ok(Self {
            config,
            model,
            device,
        })
    }

    /// Feature names the model expects, in order.
    pub fn feature_names(&self) -> &[String] {
        &self.config.data.feature_names
    }

    /// Outputs of the network for row-major `rows` (probabilities for classification).
    pub fn predict(&self, rows: &[f32]) -> Result<Vec<Prediction>> {
        let width = self.feature_names().len();
        if rows.is_empty() || rows.len() % width != 0 {
            return Err(Error::Data(format!(
                "the model takes {width} features per row ({}), got {} values",
                self.feature_names().join(", "),
                rows.len()
            )));
        }
        let n = rows.len() / width;
        let x = Tensor::<2>::from_data(TensorData::new(rows.to_vec(), [n, width]), &self.device);
        let classes = &self.config.data.class_names;
        let out = match self.config.data.task {
            Task::Classification => self.model.probabilities(x),
            Task::Regression => self.model.forward(x),
        }; // [n, outputs]
        let outputs = out.dims()[1];
        let values = out
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| Error::Training(format!("reading predictions: {e:?}")))?;
        Ok(values
            .chunks(outputs)
            .map(|row| match self.config.data.task {
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
                    values: row.to_vec(),
                },
            })
            .collect())
    }

    /// Scores the model on labelled `data`, with a confusion matrix for classification.
    pub fn evaluate(&self, data: Dataset) -> Result<Evaluation> {
        let classes = data.class_names.len();
        let labels = match &data.targets {
            crate::data::Targets::Classes(c) => c.clone(),
            crate::data::Targets::Values { .. } => Vec::new(),
        };
        let predictions = if labels.is_empty() {
            Vec::new()
        } else {
            self.predict(&data.features)?
        };
        let loader = BatchLoader::new(Arc::new(data), 1024, None, &self.device);
        let scores = evaluate(&self.model, &loader)?;
        let mut confusion = vec![vec![0; classes]; if labels.is_empty() { 0 } else { classes }];
        for (truth, p) in labels.iter().zip(&predictions) {
            confusion[*truth as usize][argmax(&p.probabilities)] += 1;
        }
        Ok(Evaluation { scores, confusion })
    }
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
