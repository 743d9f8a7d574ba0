//! One training and one validation step of an [`Mlp`], as burn-train's Learner calls them.
//!
//! Classification: softmax cross-entropy on logits. Regression: mean squared error.

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::tensor::activation::log_softmax;
use burn::tensor::{ExecutionError, Tensor};
use burn::train::metric::ItemLazy;
use burn::train::{InferenceStep, TrainOutput, TrainStep};

use crate::data::{Batch, BatchTargets};
use crate::model::Mlp;

/// Loss and outputs of one batch.
pub struct StepOutput {
    /// Mean loss over the batch, `[1]`.
    pub loss: Tensor<1>,
    /// Network outputs, `[batch, outputs]`.
    pub output: Tensor<2>,
    /// The batch's targets.
    pub targets: BatchTargets,
}

impl ItemLazy for StepOutput {
    fn sync(self) -> Result<Self, ExecutionError> {
        Ok(StepOutput {
            loss: self.loss.without_autodiff(),
            output: self.output.without_autodiff(),
            targets: match self.targets {
                BatchTargets::Classes(t) => BatchTargets::Classes(t.without_autodiff()),
                BatchTargets::Values(t) => BatchTargets::Values(t.without_autodiff()),
            },
        })
    }
}

/// The loss of `output` against `targets`: cross-entropy for classes, MSE for values.
pub fn loss(output: Tensor<2>, targets: &BatchTargets) -> Tensor<1> {
    weighted_loss(output, targets, None)
}

/// [`loss`], with row `weights` for classes: cross-entropy's weighted mean
/// `Σ wᵢ·(−log pᵢ,yᵢ) / Σ wᵢ`, as PyTorch's `CrossEntropyLoss(weight=…)` takes class weights.
pub fn weighted_loss(
    output: Tensor<2>,
    targets: &BatchTargets,
    weights: Option<&Tensor<1>>,
) -> Tensor<1> {
    match (targets, weights) {
        (BatchTargets::Classes(classes), Some(w)) => {
            let rows = classes.dims()[0];
            let picked = log_softmax(output, 1).gather(1, classes.clone().reshape([rows, 1]));
            let weighted = picked.reshape([rows]) * w.clone();
            weighted.sum().neg() / w.clone().sum()
        }
        (BatchTargets::Classes(classes), None) => CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output, classes.clone()),
        (BatchTargets::Values(values), _) => {
            MseLoss::new().forward(output, values.clone(), Reduction::Mean)
        }
    }
}

/// Forward pass and loss of a batch.
pub fn forward(model: &Mlp, batch: Batch) -> StepOutput {
    let output = model.forward(batch.inputs); // [batch, outputs]
    let loss = weighted_loss(output.clone(), &batch.targets, batch.weights.as_ref());
    StepOutput {
        loss,
        output,
        targets: batch.targets,
    }
}

impl TrainStep for Mlp {
    type Input = Batch;
    type Output = StepOutput;

    fn step(&self, batch: Batch) -> TrainOutput<StepOutput> {
        let item = forward(self, batch);
        let grads = item.loss.backward();
        TrainOutput::new(self, grads, item)
    }
}

impl InferenceStep for Mlp {
    type Input = Batch;
    type Output = StepOutput;

    fn step(&self, batch: Batch) -> StepOutput {
        forward(self, batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, Int, TensorData};

    fn logits(device: &Device) -> Tensor<2> {
        let z = vec![2.0, 0.0, -1.0, 0.0, 1.0, 0.5, 1.0, 1.0, -2.0];
        Tensor::from_data(TensorData::new(z, [3, 3]), device)
    }

    #[test]
    fn weighted_cross_entropy_is_the_weighted_mean_of_each_rows_loss() {
        let device = Device::flex();
        let classes = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 2, 1], [3]), &device);
        let targets = BatchTargets::Classes(classes);
        let w = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 3.0, 0.5], [3]), &device);
        let got: f32 = weighted_loss(logits(&device), &targets, Some(&w)).into_scalar();
        // −log softmax(z)_y per row, in f64: PyTorch's CrossEntropyLoss(weight=…) formula
        let rows = [
            ([2.0f64, 0.0, -1.0], 0),
            ([0.0, 1.0, 0.5], 2),
            ([1.0, 1.0, -2.0], 1),
        ];
        let nll = |z: [f64; 3], y: usize| z.iter().map(|v| v.exp()).sum::<f64>().ln() - z[y];
        let weights = [1.0, 3.0, 0.5];
        let sum: f64 = rows
            .iter()
            .zip(weights)
            .map(|((z, y), w)| w * nll(*z, *y))
            .sum();
        let want = sum / weights.iter().sum::<f64>();
        assert!((got as f64 - want).abs() < 1e-6, "{got} against {want}");
        // equal weights: the unweighted mean, as Burn's CrossEntropyLoss computes it
        let ones = Tensor::<1>::ones([3], &device) * 2.5;
        let even: f32 = weighted_loss(logits(&device), &targets, Some(&ones)).into_scalar();
        let plain: f32 = loss(logits(&device), &targets).into_scalar();
        assert!((even - plain).abs() < 1e-6, "{even} against {plain}");
    }
}
