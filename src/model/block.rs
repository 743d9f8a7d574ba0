//! One hidden layer of the network: Linear, then BatchNorm, activation and dropout as configured.

use burn::module::Module;
use burn::nn::{BatchNorm, Linear};
use burn::tensor::Tensor;

use super::activation::Activation;
use super::batch_norm;
use super::dropout::Dropout;
use super::linear;
use crate::random::mix;

/// One hidden block: Linear → (BatchNorm) → activation → (Dropout).
#[derive(Module, Debug)]
pub struct Block {
    /// `Z = X·W + b`, W of shape [inputs, units].
    pub linear: Linear,
    /// Zero-centred, unit-variance inputs to the activation, then a learned scale and shift.
    pub norm: Option<BatchNorm>,
    /// The non-linearity.
    pub activation: Activation,
    /// Randomly silences units while training; off at inference.
    pub dropout: Option<Dropout>,
}

impl Block {
    /// Restarts the block's random streams (dropout's masks, RReLU's slopes) from `seed`.
    pub fn reseed(&self, seed: u64) {
        if let Some(dropout) = &self.dropout {
            dropout.reseed(mix(seed, 0));
        }
        self.activation.reseed(mix(seed, 1));
    }

    /// The block as a fixed feature extractor: BatchNorm on its running statistics
    /// `(Z − μ) / √(σ² + ε) · γ + β`, no dropout — Keras' `trainable = False`.
    pub fn forward_frozen(&self, x: Tensor<2>) -> Tensor<2> {
        let z = linear::forward(&self.linear, x); // [batch, units]
        let z = match &self.norm {
            Some(norm) => {
                let row = |t: Tensor<1>| t.unsqueeze::<2>(); // [1, units], broadcast over rows
                let scale = row(norm.running_var.value().add_scalar(norm.epsilon).sqrt());
                (z - row(norm.running_mean.value())) / scale * row(norm.gamma.val())
                    + row(norm.beta.val())
            }
            None => z,
        };
        self.activation.forward(z)
    }

    /// `act(norm(X·W + b))`, then dropout (with the activation in one pass on flex).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let mask = self.dropout.as_ref().and_then(|d| d.mask(&device));
        if self.norm.is_none() && mask.is_none() {
            // nothing between product and activation (inference with BatchNorm folded, or a
            // plain net): on flex at inference the activation runs on each band of the product
            // as soon as it is done; under autodiff these are the same two nodes as below
            return linear::forward_activated(&self.linear, x, &self.activation);
        }
        let x = linear::forward(&self.linear, x); // [batch, units]
        let x = match &self.norm {
            Some(norm) => batch_norm::forward(norm, x),
            None => x,
        };
        self.activation.forward_masked(x, mask)
    }
}
