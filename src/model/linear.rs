//! A Linear layer's forward pass: `x·W + b`, through plaindnn's split product on flex.

use burn::nn::Linear;
use burn::tensor::Tensor;

use crate::fused;

/// `x·W + b` for `x [rows, in]`: the fused product where it applies (flex, f32, a bias),
/// Burn's `Linear::forward` elsewhere; the same values bit for bit either way (`tests/fused.rs`).
pub fn forward(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    match &layer.bias {
        Some(bias) if fused::applies(&x) => fused::linear(x, layer.weight.val(), bias.val()),
        _ => layer.forward(x),
    }
}
