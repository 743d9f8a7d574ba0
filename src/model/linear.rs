//! A Linear layer's forward pass: `x·W + b`, through plaindnn's split product on flex.

use burn::nn::Linear;
use burn::tensor::Tensor;

use super::activation::Activation;
use crate::fused::{self, Kind};

/// `x·W + b` for `x [rows, in]`: the fused product where it applies (flex, f32, a bias),
/// Burn's `Linear::forward` elsewhere; the same values bit for bit either way under autodiff
/// (`tests/fused.rs`), and to f32 rounding outside it ([`fused::linear`]).
pub fn forward(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    match &layer.bias {
        Some(bias) if fused::applies(&x) => fused::linear(x, layer.weight.val(), bias.val()),
        _ => layer.forward(x),
    }
}

/// `act(x·W + b)`: on flex one fused op that runs the activation on each band of the product
/// as soon as it is done ([`fused::dense`]); elsewhere [`forward`] and then the activation.
pub fn forward_activated(layer: &Linear, x: Tensor<2>, activation: &Activation) -> Tensor<2> {
    match (&layer.bias, activation.fused_kind(&x)) {
        (Some(bias), Some(kind)) if kind != Kind::Identity => {
            fused::dense(x, layer.weight.val(), bias.val(), kind)
        }
        _ => activation.forward(forward(layer, x)),
    }
}
