//! A data set held as one row-major `f32` matrix plus its targets: one copy, no per-row objects.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::one_hot::OneHot;
use crate::error::{Error, Result};

/// What is being predicted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// One class per row; softmax + cross-entropy.
    Classification,
    /// One or more real values per row; mean squared error.
    Regression,
}

impl std::fmt::Display for Task {
    /// As config.json and `--task` name it: `classification`, `regression`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        })
    }
}

/// The targets of every row.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// Class index per row, in `0..class_names.len()`.
    Classes(Vec<i64>),
    /// `width` values per row, row-major.
    Values {
        /// All targets, `width` per row.
        values: Vec<f32>,
        /// Outputs per row.
        width: usize,
    },
}

/// Features and targets of a data set, with the names needed to print predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Row-major features, `len = rows × feature_names.len()`.
    pub features: Vec<f32>,
    /// Column names of the features.
    pub feature_names: Vec<String>,
    /// The targets.
    pub targets: Targets,
    /// Class names (classification), in class-index order.
    pub class_names: Vec<String>,
    /// Name of the target column (`quadrant`, `price`, `label`).
    pub target_name: String,
    /// `[height, width]` when each row is a grey image stored row by row.
    pub image: Option<[usize; 2]>,
    /// How the task was read off the target column, for the user (CSV files):
    /// `classification: 3 classes from integer column `target`; --task regression to fit numbers`.
    pub task_reason: Option<String>,
    /// The targets are the standardised features themselves (an autoencoder's data).
    pub reconstructs: bool,
    /// The features and the target as the file wrote them, in f64 (`regress` reads them: the f32
    /// `features` are these rounded to seven digits).
    pub exact: Option<Arc<Exact>>,
    /// The text columns read as one 0/1 input per category (`--one-hot`), in input order.
    pub one_hot: Vec<OneHot>,
}

/// A CSV's values in f64, row-major as [`Dataset::features`], and one target per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Exact {
    /// Every row's features.
    pub features: Vec<f64>,
    /// Every row's target.
    pub targets: Vec<f64>,
}

impl Dataset {
    /// Checks that every length agrees, so later slicing cannot go out of bounds.
    pub fn new(
        features: Vec<f32>,
        feature_names: Vec<String>,
        targets: Targets,
        class_names: Vec<String>,
    ) -> Result<Self> {
        let width = feature_names.len();
        if width == 0 {
            return Err(Error::Data(
                "a data set needs at least one feature column".into(),
            ));
        }
        if !features.len().is_multiple_of(width) {
            return Err(Error::Data(format!(
                "{} feature values do not fill rows of {width} columns",
                features.len()
            )));
        }
        let rows = features.len() / width;
        let target_rows = match &targets {
            Targets::Classes(c) => {
                if let Some(&bad) = c
                    .iter()
                    .find(|&&c| c < 0 || c as usize >= class_names.len())
                {
                    return Err(Error::Data(format!(
                        "class index {bad} is outside the {} known classes",
                        class_names.len()
                    )));
                }
                c.len()
            }
            Targets::Values { values, width } => values.len() / (*width).max(1),
        };
        if target_rows != rows {
            return Err(Error::Data(format!(
                "{rows} feature rows but {target_rows} target rows"
            )));
        }
        Ok(Self {
            features,
            feature_names,
            targets,
            class_names,
            target_name: "target".into(),
            image: None,
            task_reason: None,
            reconstructs: false,
            exact: None,
            one_hot: Vec::new(),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.features.len() / self.width()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Number of feature columns.
    pub fn width(&self) -> usize {
        self.feature_names.len()
    }

    /// Classification or regression, from the targets.
    pub fn task(&self) -> Task {
        match self.targets {
            Targets::Classes(_) => Task::Classification,
            Targets::Values { .. } => Task::Regression,
        }
    }

    /// Network outputs this data needs: one per class, or one per target value.
    pub fn outputs(&self) -> usize {
        match &self.targets {
            Targets::Classes(_) => self.class_names.len(),
            Targets::Values { width, .. } => *width,
        }
    }

    /// Features of row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        let w = self.width();
        &self.features[i * w..(i + 1) * w]
    }

    /// How many of `rows` each class holds, by class index; `None` for a value target.
    pub fn class_counts(&self, rows: impl IntoIterator<Item = usize>) -> Option<Vec<usize>> {
        let Targets::Classes(classes) = &self.targets else {
            return None;
        };
        let mut counts = vec![0; self.class_names.len()];
        rows.into_iter()
            .for_each(|r| counts[classes[r] as usize] += 1);
        Some(counts)
    }
}

impl Dataset {
    /// One input `x` and one target `y` per row: the shape of every 1-D regression set.
    pub fn curve(xs: Vec<f32>, ys: Vec<f32>) -> Result<Self> {
        let targets = Targets::Values {
            values: ys,
            width: 1,
        };
        Ok(Dataset::new(xs, vec!["x".into()], targets, vec![])?.with_target_name("y"))
    }

    /// Names the target column.
    pub fn with_target_name(mut self, name: &str) -> Self {
        self.target_name = name.to_string();
        self
    }

    /// Says how the task was chosen.
    pub fn with_task_reason(mut self, reason: String) -> Self {
        self.task_reason = Some(reason);
        self
    }

    /// Records the one-hot columns the inputs were made with.
    pub fn with_one_hot(mut self, one_hot: Vec<OneHot>) -> Self {
        self.one_hot = one_hot;
        self
    }

    /// Marks each row as a `height × width` grey image.
    pub fn with_image(mut self, height: usize, width: usize) -> Self {
        self.image = Some([height, width]);
        self
    }
}

/// Some rows of a shared data set: splits and batches index into one matrix instead of copying it.
#[derive(Clone, Debug)]
pub struct Subset {
    /// The whole data set.
    pub data: Arc<Dataset>,
    /// The rows of this subset, in order.
    pub rows: Arc<Vec<usize>>,
}

impl Subset {
    /// Every row of `data`.
    pub fn all(data: Dataset) -> Self {
        let rows = Arc::new((0..data.len()).collect());
        Self {
            data: Arc::new(data),
            rows,
        }
    }

    /// The rows `rows` of the shared `data`.
    pub fn of(data: &Arc<Dataset>, rows: Vec<usize>) -> Self {
        Self {
            data: data.clone(),
            rows: Arc::new(rows),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
