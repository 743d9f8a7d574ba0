//! One training and one validation step of an [`Mlp`], as burn-train's Learner calls them.
//!
//! Classification: softmax cross-entropy on logits. Regression: mean squared error.

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
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
    match targets {
        BatchTargets::Classes(classes) => CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output, classes.clone()),
        BatchTargets::Values(values) => {
            MseLoss::new().forward(output, values.clone(), Reduction::Mean)
        }
    }
}

/// Forward pass and loss of a batch.
pub fn forward(model: &Mlp, batch: Batch) -> StepOutput {
    let output = model.forward(batch.inputs); // [batch, outputs]
    let loss = loss(output.clone(), &batch.targets);
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
