//! Training and validation rows ready for the loaders, with the scalers applied to them.

use super::dataset::{Dataset, Subset};
use super::imputer::Imputer;
use super::one_hot;
use super::scaler::Scaler;
use crate::error::{Error, Result};

/// Training and validation rows ready for the loaders, and the scaler applied to them.
pub struct Prepared {
    /// Training rows.
    pub train: Subset,
    /// Validation rows.
    pub val: Subset,
    /// The fill of missing cells applied to both before the scaler (to be applied to new rows
    /// too).
    pub imputer: Option<Imputer>,
    /// How many missing cells of each feature column `imputer` filled, training and validation.
    pub imputed: Vec<usize>,
    /// How many of those cells are in the validation rows (what `eval` of the run reports).
    pub val_imputed: usize,
    /// The standardisation applied to both (MNIST-format pixels: a fixed / 255), to be applied
    /// to new rows too. It records what was done to the rows and does nothing to them itself:
    /// [`Prepared::standardized`] fits it and applies it to both.
    pub scaler: Option<Scaler>,
    /// The standardisation of a regression target applied to both (`--standardize-target`):
    /// the network learns `(y − mean) / std`, and its outputs map back with `y = out·std + mean`.
    pub target_scaler: Option<Scaler>,
    /// Warnings worth telling the user (constant columns, …).
    pub warnings: Vec<String>,
    /// Warnings about the target (a constant one, one far from 1, classes of a single row):
    /// worth telling only where the target is learnt (`train`, not `pretrain`).
    pub target_warnings: Vec<String>,
}

impl Prepared {
    /// What the user should know that is not a warning: how the task was read off the target,
    /// and what a standardised target does to the figures shown.
    pub fn notes(&self) -> Vec<String> {
        let data = &self.train.data;
        let mut notes: Vec<String> = data.task_reason.iter().cloned().collect();
        notes.extend(one_hot::note(&data.one_hot));
        notes.extend(self.imputation());
        if let Some(s) = &self.target_scaler {
            let name = &data.target_name;
            let learns = match (&s.mean[..], &s.std[..]) {
                ([mean], [std]) => format!("({name} − {mean:.4e}) / {std:.4e}"),
                _ => format!("each column of `{name}` less its mean, over its deviation"),
            };
            notes.push(format!(
                "--standardize-target: the network learns {learns}; train_loss and val_loss are \
                 on that scale, val_rmse, predict and eval in `{name}`'s own units"
            ));
        }
        notes
    }
}

impl Prepared {
    /// Rows a network can train on, whoever made them: training rows, validation rows with the
    /// training rows' columns, task and classes, every row named held, and the fill and scalers
    /// one per column. The fields are public: a `Prepared` made by hand is checked here.
    pub fn check(&self) -> Result<()> {
        self.train.check("training rows")?;
        self.val.check("validation rows")?;
        if self.train.is_empty() {
            return Err(Error::Data("there are no training rows".into()));
        }
        if self.val.is_empty() {
            return Err(Error::Data(
                "there are no validation rows: the best epoch, early stopping and the scores are \
                 taken on them; hold some rows out (as Keras's validation_split)"
                    .into(),
            ));
        }
        let data = &self.train.data;
        data.check_like(&self.val.data, "validation rows")?;
        let width = data.width();
        if let Some(imputer) = self.imputer.as_ref().filter(|i| i.fill.len() != width) {
            let count = crate::plural::count;
            return Err(Error::Data(format!(
                "the imputer has {} for {}",
                count(imputer.fill.len(), "fill value"),
                count(width, "feature column")
            )));
        }
        let (scaler, target) = (self.scaler.as_ref(), self.target_scaler.as_ref());
        match super::scaler::unfit_pair(scaler, target, (width, data.outputs())) {
            Some((what, why)) => Err(Error::Data(format!("the {what} has {why}"))),
            None => Ok(()),
        }
    }

    /// `--impute mean: 12 missing cells filled with the training rows' means (age 10, fare 2)`;
    /// `None` without `--impute`.
    pub fn imputation(&self) -> Option<String> {
        let imputer = self.imputer.as_ref()?;
        let names = &self.train.data.feature_names;
        let columns: Vec<String> = (names.iter().zip(&self.imputed))
            .filter(|(_, &n)| n > 0)
            .map(|(name, n)| format!("{} {n}", super::csv_file::quoted_cell(name)))
            .collect();
        let strategy = imputer.strategy.name();
        Some(match columns.is_empty() {
            true => format!(
                "--impute {strategy}: no cell is missing here; the training rows' {strategy}s are \
                 saved to fill those of new rows in predict and eval"
            ),
            false => format!(
                "--impute {strategy}: {} filled with the training rows' {strategy}s ({})",
                crate::plural::count(self.imputed.iter().sum::<usize>(), "missing cell"),
                columns.join(", ")
            ),
        })
    }

    /// `val_fraction` of `data`'s rows held out for validation, stratified by class and seeded,
    /// as `train` splits a CSV file (scikit-learn's `train_test_split(…, stratify=y)`); the rows
    /// as they are: [`Self::standardized`] scales them.
    ///
    /// ```no_run
    /// use plaindnn::data::{DataSource, Dataset, Prepared, Targets};
    /// use plaindnn::train::{self, TrainConfig, Verbosity};
    /// # fn main() -> plaindnn::Result<()> {
    /// // four rows of two features, row-major, and their classes
    /// let features = vec![0.0, 1.0, 1.0, 0.0, 0.5, 0.5, 0.9, 0.1];
    /// let names = vec!["x".to_string(), "y".to_string()];
    /// let labels = Targets::Classes(vec![0, 1, 0, 1]);
    /// let data = Dataset::new(features, names, labels, vec!["a".into(), "b".into()])?;
    /// let rows = Prepared::split(data, 0.5, 42)?.standardized()?;
    /// let source = DataSource::Memory { description: "my rows".into() };
    /// let out = std::path::Path::new("artifacts/runs/mine");
    /// train::train_on(source, rows, TrainConfig::default_for(2, 2), out, Verbosity::auto())?;
    /// # Ok(()) }
    /// ```
    pub fn split(data: Dataset, val_fraction: f64, seed: u64) -> Result<Self> {
        data.check()?;
        if !(val_fraction > 0.0 && val_fraction < 1.0) {
            let why = format!("must be in (0, 1), got {val_fraction}");
            return Err(Error::invalid("val_fraction", why));
        }
        let (train, val) = super::split::split(&data, val_fraction, seed);
        if train.is_empty() || val.is_empty() {
            let rows = match data.len() {
                1 => "1 row is".to_string(),
                n => format!("{n} rows are"),
            };
            let why = format!("{rows} too few to split {val_fraction} of them off for validation");
            return Err(Error::Data(why));
        }
        let data = std::sync::Arc::new(data);
        let subset = |rows| Subset::of(&data, rows);
        Ok(Self::unscaled_subsets(subset(train), subset(val)))
    }

    /// The same rows with every feature standardised, `(x − mean) / std` with the training
    /// rows' means and deviations (scikit-learn's `StandardScaler` fit on the training rows),
    /// and the scaler recorded so that a run saves it and `Predictor` applies it to new rows.
    /// Each column apart: an image's pixels too (the MNIST files are divided by 255 instead).
    /// Refused where the rows are scaled already, hold a value that is not finite (named), or
    /// are an autoencoder's, whose targets are its inputs.
    pub fn standardized(self) -> Result<Self> {
        self.check()?;
        let refused = |why: String| Err(Error::Data(why));
        if self.scaler.is_some() {
            return refused("the rows are standardised already (the scaler is set)".into());
        }
        if self.train.data.reconstructs {
            return refused(
                "an autoencoder's rows are their own targets: scaling the inputs alone would part \
                 them; scale the features before making the data set"
                    .into(),
            );
        }
        let bad = (self.train.first_non_finite("training"))
            .or_else(|| self.val.first_non_finite("validation"));
        if let Some(cell) = bad {
            return refused(format!(
                "{cell} is not a finite number: fill or drop it before standardising"
            ));
        }
        let (scaler, constant) = Scaler::fit(&self.train.data, &self.train.rows);
        let scaled = |subset: &Subset| {
            let mut data = (*subset.data).clone();
            scaler.apply(&mut data.features);
            std::sync::Arc::new(data)
        };
        let train_data = scaled(&self.train);
        let val_data = match std::sync::Arc::ptr_eq(&self.train.data, &self.val.data) {
            true => train_data.clone(), // one data set split in two: scaled once
            false => scaled(&self.val),
        };
        let mut warnings = self.warnings;
        warnings.extend(super::scaler::constant_columns(&constant, None));
        Ok(Self {
            train: Subset::of(&train_data, self.train.rows.to_vec()),
            val: Subset::of(&val_data, self.val.rows.to_vec()),
            scaler: Some(scaler),
            warnings,
            ..self
        })
    }

    /// Every row of `train` to train on and of `val` to validate on, as they are.
    pub fn unscaled(train: Dataset, val: Dataset) -> Self {
        Self::unscaled_subsets(Subset::all(train), Subset::all(val))
    }

    fn unscaled_subsets(train: Subset, val: Subset) -> Self {
        Prepared {
            train,
            val,
            imputer: None,
            imputed: vec![],
            val_imputed: 0,
            scaler: None,
            target_scaler: None,
            warnings: vec![],
            target_warnings: vec![],
        }
    }
}
