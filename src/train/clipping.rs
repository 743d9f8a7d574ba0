//! Global gradient-norm clipping over every parameter (Burn clips per tensor only).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

use crate::fused;

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
