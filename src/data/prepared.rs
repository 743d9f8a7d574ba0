//! Training and validation rows ready for the loaders, with the scalers applied to them.

use super::dataset::{Dataset, Subset};
use super::scaler::Scaler;

/// Training and validation rows ready for the loaders, and the scaler applied to them.
pub struct Prepared {
    /// Training rows.
    pub train: Subset,
    /// Validation rows.
    pub val: Subset,
    /// The standardisation applied to both (to be applied to new rows too).
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
    /// Every row of `train` to train on and of `val` to validate on, as they are.
    pub fn unscaled(train: Dataset, val: Dataset) -> Self {
        Prepared {
            train: Subset::all(train),
            val: Subset::all(val),
            scaler: None,
            target_scaler: None,
            warnings: vec![],
            target_warnings: vec![],
        }
    }
}
