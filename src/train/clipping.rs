//! Global gradient-norm clipping over every parameter (Burn clips per tensor only).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::check::positive;
use crate::error::{Error, Result};
use crate::fused;

/// Gradient clipping: limit the gradient before each step (remedy for exploding gradients).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ClippingConfig {
    /// Clamp every gradient element to [−v, v] (Keras' `clipvalue`).
    pub value: Option<f64>,
    /// Rescale each parameter's gradient to L2 norm ≤ n (Keras' `clipnorm`).
    pub norm: Option<f64>,
    /// Rescale all gradients together so their joint L2 norm is ≤ n (PyTorch's
    /// `clip_grad_norm_`, Keras' `global_clipnorm`).
    pub global_norm: Option<f64>,
}

impl ClippingConfig {
    /// Rejects non-positive thresholds.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("clip value", self.value),
            ("clip norm", self.norm),
            ("clip global norm", self.global_norm),
        ] {
            if let Some(v) = v {
                positive(name, v)?;
            }
        }
        if self.value.is_some() && self.norm.is_some() {
            return Err(Error::invalid(
                "clipping",
                "--clip-value and --clip-norm both clip each tensor's gradient, one by value and \
                 one by its norm: choose one (--clip-global-norm may join either)",
            ));
        }
        Ok(())
    }
}

/// `‖g‖² = Σ g²`: one pass on flex (outside the graph, as gradients are), Burn's ops elsewhere.
pub fn sum_of_squares<const D: usize>(g: Tensor<D>) -> f64 {
    if fused::applies_outside_graph(&g) {
        return fused::sum_of_squares(g);
    }
    g.powi_scalar(2).sum().into_scalar::<f32>() as f64
}

/// `sqrt(Σ ‖g‖²)` over every parameter's gradient in `grads`.
pub fn global_norm<M: Module>(model: &M, grads: &GradientsParams) -> f64 {
    struct SumSquares<'a> {
        grads: &'a GradientsParams,
        total: f64,
    }
    impl ModuleVisitor for SumSquares<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.grads.get::<D>(param.id) {
                self.total += sum_of_squares(g);
            }
        }
    }
    let mut visitor = SumSquares { grads, total: 0.0 };
    model.visit(&mut visitor);
    visitor.total.sqrt()
}

/// Scales every gradient by `max / norm` when the global norm exceeds `max`; returns the norm
/// before clipping (what PyTorch's `clip_grad_norm_` returns).
pub fn clip_global_norm<M: Module>(model: &M, grads: &mut GradientsParams, max: f64) -> f64 {
    let norm = global_norm(model, grads);
    if norm > max && norm.is_finite() {
        struct Scale<'a> {
            grads: &'a mut GradientsParams,
            factor: f64,
        }
        impl ModuleVisitor for Scale<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                if let Some(g) = self.grads.remove::<D>(param.id) {
                    self.grads.register::<D>(param.id, g * self.factor);
                }
            }
        }
        model.visit(&mut Scale {
            grads,
            factor: max / norm,
        });
    }
    norm
}
