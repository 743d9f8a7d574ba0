//! Burn's `BatchNorm` forward, with plaindnn's fused pass while training on flex.

use burn::nn::BatchNorm;
use burn::tensor::Tensor;

use crate::fused;

/// `γ·(x − μ)/√(σ² + ε) + β` on the batch's statistics while training (updating the running
/// averages as Burn does: `r ← (1 − momentum)·r + momentum·stat`), on the running ones otherwise.
pub fn forward(norm: &BatchNorm, x: Tensor<2>) -> Tensor<2> {
    let training = x.device().is_autodiff() && norm.training.is_enabled();
    if !(training && fused::applies(&x)) {
        return norm.forward(x);
    }
    let (y, mean, var) = fused::batch_norm(x, norm.gamma.val(), norm.beta.val(), norm.epsilon);
    let m = norm.momentum;
    let average = |running: Tensor<1>, batch: Tensor<1>| {
        running
            .mul_scalar(1.0 - m)
            .add(batch.detach().mul_scalar(m))
            .detach()
    };
    let device = y.device();
    let running_mean = norm.running_mean.value_sync().to_device(&device);
    let running_var = norm.running_var.value_sync().to_device(&device);
    norm.running_mean.update(average(running_mean, mean));
    norm.running_var.update(average(running_var, var));
    y
}
