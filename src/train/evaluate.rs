//! Loss and accuracy (or RMSE) of a model over a whole data loader, summed on the device.

use burn::data::dataloader::DataLoader;
use burn::tensor::{Int, Tensor};
use serde::Serialize;

use super::step;
use crate::data::{Batch, BatchTargets};
use crate::error::{Error, Result};
use crate::model::Mlp;

/// Scores of a model on a data set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Mean loss per row.
    pub loss: f64,
    /// Fraction of rows classified correctly (classification).
    pub accuracy: Option<f64>,
    /// Root mean squared error (regression).
    pub rmse: Option<f64>,
    /// Rows scored.
    pub rows: usize,
}

impl Scores {
    /// Accuracy for classification, RMSE for regression.
    pub fn headline(&self) -> f64 {
        self.accuracy.or(self.rmse).unwrap_or(f64::NAN)
    }
}

/// Scores `model` (in inference mode) on every batch of `loader`.
pub fn evaluate(model: &Mlp, loader: &dyn DataLoader<Batch>) -> Result<Scores> {
    evaluate_in_units(model, loader, None)
}

/// [`evaluate`], with the RMSE of targets standardised by `std` (one per output) in their own
/// units: `√mean(((output − y)·std)²)`, as `y = z·std + mean` maps both back. The loss stays
/// on the scale the network learns.
pub fn evaluate_in_units(
    model: &Mlp,
    loader: &dyn DataLoader<Batch>,
    std: Option<&[f32]>,
) -> Result<Scores> {
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut correct: Option<Tensor<1, Int>> = None;
    let mut sq_err: Option<Tensor<1>> = None;
    let mut rows = 0;
    for batch in loader.iter() {
        let batch = batch.map_err(|e| Error::Training(e.to_string()))?;
        let n = batch.len();
        let out = step::forward(model, batch);
        add(&mut loss_sum, out.loss * n as f32);
        match &out.targets {
            BatchTargets::Classes(classes) => {
                let predicted = out.output.argmax(1).reshape([n]); // [batch]
                add(&mut correct, predicted.equal(classes.clone()).int().sum());
            }
            BatchTargets::Values(values) => {
                // per output, in the network's units: times std² at the end, in f64 (a
                // target of 1e30's error · std squared overflows f32)
                let error = out.output - values.clone();
                let sums: Tensor<1> = error.powi_scalar(2).sum_dim(0).flatten(0, 1);
                add(&mut sq_err, sums);
            }
        }
        rows += n;
    }
    if rows == 0 {
        return Err(Error::Data("there are no rows to evaluate".into()));
    }
    let per_row = |t: Option<Tensor<1>>| t.map(|t| t.into_scalar::<f32>() as f64 / rows as f64);
    let rmse = match sq_err {
        Some(sums) => Some(rmse_in_units(sums, std, rows)?),
        None => None,
    };
    Ok(Scores {
        loss: per_row(loss_sum).unwrap_or(f64::NAN),
        accuracy: correct.map(|c| c.into_scalar::<i64>() as f64 / rows as f64),
        rmse,
        rows,
    })
}

/// RMSE over every output of `rows` rows from each output's sum of squared errors in the
/// network's units, each times its `std`² (the data's units), in f64.
fn rmse_in_units(sums: Tensor<1>, std: Option<&[f32]>, rows: usize) -> Result<f64> {
    let sums = crate::model::read_f32(sums, "squared errors")?;
    let scale = |j: usize| std.and_then(|s| s.get(j)).map_or(1.0, |&s| s as f64);
    let total: f64 = (sums.iter().enumerate())
        .map(|(j, &s)| s as f64 * scale(j).powi(2))
        .sum();
    Ok((total / (rows * sums.len().max(1)) as f64).sqrt())
}

/// `acc += value`, starting from the first value.
pub fn add<K: burn::tensor::kind::Numeric>(acc: &mut Option<Tensor<1, K>>, value: Tensor<1, K>)
where
    Tensor<1, K>: core::ops::Add<Output = Tensor<1, K>>,
{
    *acc = Some(match acc.take() {
        Some(sum) => sum + value,
        None => value,
    });
}
