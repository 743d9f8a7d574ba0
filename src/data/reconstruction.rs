//! Inputs as their own targets: an autoencoder's data, labels unused.

use std::sync::Arc;

use super::dataset::{Dataset, ExactColumns, Subset, Targets};
use super::imputer::Imputer;
use super::one_hot::OneHot;
use super::prepared::Prepared;
use super::scaler::Scaler;
use crate::error::Result;

/// What the data's columns were fitted with, for predict and eval to take the same inputs: the
/// fill of missing cells, the scaler and the one-hot columns' categories.
pub type Fitted = (Option<Imputer>, Option<Scaler>, Vec<OneHot>);

/// The subset's feature rows, concatenated.
fn inputs(rows: &Subset) -> Vec<f32> {
    rows.rows
        .iter()
        .flat_map(|&i| rows.data.row(i).iter().copied())
        .collect()
}

/// Training rows `train` and validation rows `val` (each `names.len()` wide, row after row) as
/// their own targets, with what their columns were `fitted` with.
pub fn reconstruction(
    (train, val): (&[f32], &[f32]),
    names: &[String],
    image: Option<[usize; 2]>,
    (imputer, scaler, one_hot): Fitted,
) -> Result<Prepared> {
    let width = names.len();
    let set = |x: &[f32]| -> Result<Dataset> {
        let targets = Targets::Values {
            values: x.to_vec(),
            width,
        };
        let mut d = Dataset::new(x.to_vec(), names.to_vec(), targets, vec![])?
            .with_target_name("inputs")
            .with_one_hot(one_hot.clone());
        d.image = image;
        d.reconstructs = true;
        Ok(d)
    };
    Ok(Prepared {
        train: Subset::all(set(train)?),
        val: Subset::all(set(val)?),
        imputer,
        imputed: vec![],
        val_imputed: 0,
        scaler,
        target_scaler: None,
        warnings: vec![],
        target_warnings: vec![],
    })
}

impl Prepared {
    /// The same rows with their inputs as their targets, labels dropped; the fill, scaler and
    /// categories kept, and the count of validation cells filled.
    pub fn inputs_as_targets(self) -> Result<Prepared> {
        let data = &self.train.data;
        let fitted = (
            self.imputer.clone(),
            self.scaler.clone(),
            data.one_hot.clone(),
        );
        let rows = (&inputs(&self.train)[..], &inputs(&self.val)[..]);
        let mut prepared = reconstruction(rows, &data.feature_names, data.image, fitted)?;
        prepared.val_imputed = self.val_imputed;
        // the inputs standardised as written, recorded with the run (their training rows')
        if let Some(e) = &data.exact_columns {
            let k = e.columns.len();
            let values = (self.train.rows.iter())
                .flat_map(|&r| e.values[r * k..(r + 1) * k].to_vec())
                .collect();
            let exact = ExactColumns {
                columns: e.columns.clone(),
                values,
            };
            Arc::make_mut(&mut prepared.train.data).exact_columns = Some(Arc::new(exact));
        }
        Ok(prepared)
    }
}
