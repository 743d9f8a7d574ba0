//! A data set held as one row-major `f32` matrix plus its targets: one copy, no per-row objects.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::one_hot::OneHot;
use crate::error::{Error, Result};
use crate::plural::count;

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
    /// A regression target as the file wrote it, in f64, row-major as `targets` (their f32
    /// values are these rounded to seven digits: a timestamp's last ones): its scaler is learnt
    /// from them, and `eval` scores against them. None for targets not read from a file.
    pub exact_targets: Option<Arc<Vec<f64>>>,
    /// The text columns read as one 0/1 input per category (`--one-hot`), in input order.
    pub one_hot: Vec<OneHot>,
    /// Inputs too large for their spread in f32 (a timestamp varying by seconds), as the file
    /// wrote them: their standardisation is computed from these, as pandas would.
    pub exact_columns: Option<Arc<ExactColumns>>,
}

/// Some input columns as the file wrote them, in f64: f32 reads 1.6e9 in steps of 128.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactColumns {
    /// The columns, as indices of [`Dataset::feature_names`].
    pub columns: Vec<usize>,
    /// Their values, row-major (`columns.len()` per row); NaN where a cell is missing.
    pub values: Vec<f64>,
}

impl ExactColumns {
    /// Those of the columns `keep` says, with their values; none where it keeps none.
    pub fn keep(&self, keep: impl Fn(usize) -> bool) -> Option<ExactColumns> {
        let kept: Vec<usize> = (0..self.columns.len())
            .filter(|&i| keep(self.columns[i]))
            .collect();
        let k = self.columns.len().max(1);
        let values = (self.values.chunks(k))
            .flat_map(|row| kept.iter().map(move |&i| row[i]))
            .collect();
        let columns = kept.iter().map(|&i| self.columns[i]).collect::<Vec<_>>();
        (!columns.is_empty()).then_some(ExactColumns { columns, values })
    }
}

/// A CSV's values in f64, row-major as [`Dataset::features`], and one target per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Exact {
    /// Every row's features.
    pub features: Vec<f64>,
    /// Every row's target.
    pub targets: Vec<f64>,
}

impl Exact {
    /// Whether its lengths differ from `values` features in `rows` rows.
    fn unlike(&self, values: usize, rows: usize) -> bool {
        self.features.len() != values || self.targets.len() != rows
    }
}

impl Dataset {
    /// Checks that every length agrees ([`Dataset::check`]), so later slicing cannot go out of
    /// bounds.
    pub fn new(
        features: Vec<f32>,
        feature_names: Vec<String>,
        targets: Targets,
        class_names: Vec<String>,
    ) -> Result<Self> {
        let data = Self {
            features,
            feature_names,
            targets,
            class_names,
            target_name: "target".into(),
            image: None,
            task_reason: None,
            reconstructs: false,
            exact: None,
            exact_targets: None,
            one_hot: Vec::new(),
            exact_columns: None,
        };
        data.check()?;
        Ok(data)
    }

    /// The lengths, the class indices and the class names agree: what [`Dataset::new`] checks,
    /// for a `Dataset` whose public fields were set by hand.
    pub fn check(&self) -> Result<()> {
        let width = self.width();
        if width == 0 {
            return Err(Error::Data(
                "a data set needs at least one feature column".into(),
            ));
        }
        let values = self.features.len();
        if !values.is_multiple_of(width) {
            let why = format!("{values} feature values do not fill rows of {width} columns");
            return Err(Error::Data(why));
        }
        let rows = values / width;
        let target_rows = self.target_rows()?;
        if target_rows != rows {
            return Err(Error::Data(format!(
                "{rows} feature rows but {target_rows} target rows"
            )));
        }
        if let Some(exact) = self.exact.as_ref().filter(|e| e.unlike(values, rows)) {
            return Err(Error::Data(format!(
                "the exact values hold {} and {} for {} of {}",
                count(exact.features.len(), "feature value"),
                count(exact.targets.len(), "target"),
                count(rows, "row"),
                count(values, "feature value")
            )));
        }
        let values = |t: &Targets| match t {
            Targets::Values { values, .. } => values.len(),
            Targets::Classes(_) => 0,
        };
        if let Some(e) = &self.exact_columns {
            let fits = e.columns.iter().all(|&j| j < self.width());
            if !fits || e.values.len() != e.columns.len() * rows {
                return Err(Error::Data(format!(
                    "the exact columns hold {} for {} of {}",
                    count(e.values.len(), "value"),
                    count(rows, "row"),
                    count(e.columns.len(), "column")
                )));
            }
        }
        if let Some(exact) = &self.exact_targets {
            if exact.len() != values(&self.targets) {
                return Err(Error::Data(format!(
                    "the exact targets hold {} for {}",
                    count(exact.len(), "value"),
                    count(values(&self.targets), "target value")
                )));
            }
        }
        match repeated(&self.class_names) {
            Some(name) => Err(Error::Data(format!(
                "the class name `{name}` is given twice: each class needs its own name"
            ))),
            None => Ok(()),
        }
    }

    /// How many rows the targets fill, every class index among the known classes.
    fn target_rows(&self) -> Result<usize> {
        match &self.targets {
            Targets::Classes(c) => {
                let known = self.class_names.len();
                match c.iter().find(|&&c| c < 0 || c as usize >= known) {
                    Some(bad) => Err(Error::Data(format!(
                        "class index {bad} is outside the {known} known classes"
                    ))),
                    None => Ok(c.len()),
                }
            }
            Targets::Values { width: 0, .. } => Err(Error::Data(
                "a value target needs at least one column".into(),
            )),
            Targets::Values { values, width } if !values.len().is_multiple_of(*width) => {
                Err(Error::Data(format!(
                    "{} target values do not fill rows of {width}",
                    values.len()
                )))
            }
            Targets::Values { values, width } => Ok(values.len() / width),
        }
    }

    /// Refuses `other` (`what`: the validation rows) unless it has this set's feature columns,
    /// task and outputs, and its classes in the same order.
    pub fn check_like(&self, other: &Dataset, what: &str) -> Result<()> {
        let differ = |why: String| Err(Error::Data(format!("the {what} {why}")));
        if other.width() != self.width() {
            return differ(format!(
                "have {} where the training rows have {}",
                count(other.width(), "feature"),
                self.width()
            ));
        }
        if other.task() != self.task() || other.outputs() != self.outputs() {
            return differ(format!(
                "are for {} with {} where the training rows are for {} with {}",
                other.task(),
                count(other.outputs(), "output"),
                self.task(),
                count(self.outputs(), "output")
            ));
        }
        if other.class_names != self.class_names {
            return differ(format!(
                "name their classes {} where the training rows name {}, in that order",
                other.class_names.join(", "),
                self.class_names.join(", ")
            ));
        }
        Ok(())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.features.len().checked_div(self.width()).unwrap_or(0) // no columns: no rows
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

    /// Records the regression target as the file wrote it, in f64 ([`Dataset::exact_targets`]).
    pub fn with_exact_targets(mut self, exact: Vec<f64>) -> Self {
        self.exact_targets = Some(Arc::new(exact));
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

/// The first name given twice in `names`.
pub(crate) fn repeated(names: &[String]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    names.iter().find(|n| !seen.insert(*n)).map(String::as_str)
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

    /// The first value among its rows that is not finite, as ``training row 3, column `y`: NaN``
    /// (`what`: training, validation; the row of the data set, counted from 1).
    pub fn first_non_finite(&self, what: &str) -> Option<String> {
        let data = &self.data;
        let names = &data.feature_names;
        let targets = match &data.targets {
            Targets::Values { values, width } => Some((values, *width)),
            Targets::Classes(_) => None,
        };
        self.rows.iter().find_map(|&r| {
            let feature = (data.row(r).iter().zip(names)).find(|(v, _)| !v.is_finite());
            let target = targets.and_then(|(values, w)| {
                (values[r * w..(r + 1) * w].iter()).find(|v| !v.is_finite())
            });
            let (value, column) = match (feature, target) {
                (Some((v, name)), _) => (*v, name.as_str()),
                (None, Some(v)) => (*v, data.target_name.as_str()),
                (None, None) => return None,
            };
            Some(format!("{what} row {}, column `{column}`: {value}", r + 1))
        })
    }

    /// Its data set is consistent ([`Dataset::check`]) and holds every row it names (`what`:
    /// training rows, validation rows).
    pub fn check(&self, what: &str) -> Result<()> {
        (self.data.check()).map_err(|e| Error::Data(format!("the {what}: {e}")))?;
        let held = self.data.len();
        match self.rows.iter().find(|&&r| r >= held) {
            Some(r) => Err(Error::Data(format!(
                "the {what} name row index {r} of a data set of {}",
                count(held, "row")
            ))),
            None => Ok(()),
        }
    }
}
