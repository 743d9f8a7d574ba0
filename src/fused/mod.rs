//! Fused passes for the hidden block on the flex backend: the Linear layer (its product split over
//! the cores in bands of rows or columns, each band given its bias, and at inference its
//! activation, by the core that made it; at inference on Intel's AMX tile unit where there is
//! one), an activation and its dropout in one pass, Batch
//! Normalization forward and backward in three passes each, vectorised and split over the cores,
//! with their own backward through Burn's backend extension API; outside the graph, Adam's step
//! and the sums of squares behind gradient norms; and [`hot`], which keeps rayon's idle workers
//! spinning for the training loop's work instead of sleeping.
//!
//! Callers check [`applies`] first (flex, f32, not `PLAINDNN_FUSED=0` in the environment, not
//! inside [`without`]) and run Burn's tensor ops where it does not: both paths compute the same
//! function, to float rounding (`tests/fused.rs`).

pub mod adam;
mod exp;
pub mod kernels;
mod matmul;
pub mod norm;
mod ops;
mod parallel;
mod squares;

use burn::tensor::{DType, Device, Tensor};

pub use adam::AdamStep;
pub use kernels::{Kind, Mask};
pub use matmul::{f32_kernel, tile_unit};
use ops::{Fused, FusedOptim};
pub use parallel::{hot, spins};

/// Whether fused passes may run: on unless `PLAINDNN_FUSED=0` (or `off`; read once per process).
pub fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| crate::environment::switch("PLAINDNN_FUSED"))
}

thread_local! {
    static PLAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static LINEAR_CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static DENSE_CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many fused Linear products this thread has run: under autodiff the fused and the plain
/// product give the same values bit for bit (the same kernel, summed in the same order), so tests
/// count calls.
pub fn linear_calls() -> usize {
    LINEAR_CALLS.get()
}

/// How many of those were [`dense`] calls, counted likewise: on flex without autodiff each ran
/// the activation with the product; under autodiff, as two nodes after it.
pub fn dense_calls() -> usize {
    DENSE_CALLS.get()
}

/// Runs `f` with Burn's plain tensor ops on this thread (for comparisons; the graph a forward pass
/// records keeps its choice for the backward pass).
pub fn without<R>(f: impl FnOnce() -> R) -> R {
    let before = PLAIN.replace(true);
    let result = f();
    PLAIN.set(before);
    result
}

/// Whether `x` can take the fused path: flex (plain or autodiff), f32, fusing enabled.
pub fn applies<const D: usize>(x: &Tensor<D>) -> bool {
    enabled() && !PLAIN.get() && x.dtype() == DType::F32 && x.device().inner() == Device::flex()
}

/// [`applies`], and `x` is outside the graph (a gradient, an optimizer's tensor): where the passes
/// with no backward ([`sum_of_squares`], [`adam()`]) may run.
pub fn applies_outside_graph<const D: usize>(x: &Tensor<D>) -> bool {
    applies(x) && !x.is_autodiff()
}

/// `x·W + b` (`x [rows, in]`, `W [in, out]`) with the product split over the cores, where
/// [`applies`]: under autodiff Burn's values bit for bit; outside the graph (inference, a frozen
/// block), on a processor with AMX, large products on its tile unit, as accurate as f32 sums but
/// rounded otherwise (`PLAINDNN_AMX=0` turns that off).
pub fn linear(x: Tensor<2>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    linear_then(x, weight, bias, None)
}

/// `act(x·W + b)`, where [`applies`]: [`linear`] with the activation run on each band of the
/// product as soon as it is done, outside the graph (inference); under autodiff [`linear`] and
/// then [`activation`], two nodes. Either way the values of those two, bit for bit.
pub fn dense(x: Tensor<2>, weight: Tensor<2>, bias: Tensor<1>, kind: Kind) -> Tensor<2> {
    DENSE_CALLS.set(DENSE_CALLS.get() + 1);
    linear_then(x, weight, bias, Some(kind))
}

fn linear_then(x: Tensor<2>, weight: Tensor<2>, bias: Tensor<1>, kind: Option<Kind>) -> Tensor<2> {
    LINEAR_CALLS.set(LINEAR_CALLS.get() + 1);
    let y = <burn::backend::Dispatch as Fused>::fused_linear(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        kind,
    );
    Tensor::from_dispatch(y)
}

/// `act(x)·mask` in one pass, where [`applies`].
pub fn activation<const D: usize>(x: Tensor<D>, kind: Kind, mask: Option<Mask>) -> Tensor<D> {
    let y = <burn::backend::Dispatch as Fused>::fused_activation(x.into_dispatch(), kind, mask);
    Tensor::from_dispatch(y)
}

/// Batch Normalization of `[rows, units]` on the batch's statistics, where [`applies`]:
/// `(y, μ, σ²)`, μ and σ² outside the graph.
pub fn batch_norm(
    x: Tensor<2>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
) -> (Tensor<2>, Tensor<1>, Tensor<1>) {
    let (y, mean, var) = <burn::backend::Dispatch as Fused>::fused_batch_norm(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon,
    );
    (
        Tensor::from_dispatch(y),
        Tensor::from_dispatch(mean),
        Tensor::from_dispatch(var),
    )
}

/// `Σ x²` of a tensor, where [`applies_outside_graph`]: one pass over the
/// values, split over the cores and summed in f64.
pub fn sum_of_squares<const D: usize>(x: Tensor<D>) -> f64 {
    let sum = <burn::backend::Dispatch as FusedOptim>::fused_sum_of_squares(x.into_dispatch());
    Tensor::<1>::from_dispatch(sum).into_scalar::<f64>()
}

/// Adam's moments for one parameter tensor.
pub type Moments<const D: usize> = (Tensor<D>, Tensor<D>);

/// One Adam step in one pass, where [`applies_outside_graph`] (an optimizer's tensors):
/// `(p, (m, v))` after it; `moments` absent on the first step.
pub fn adam<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    moments: Option<Moments<D>>,
    step: AdamStep,
) -> (Tensor<D>, Moments<D>) {
    // the first step reads no moments: zeros stand in for them
    let (m, v) = moments.unwrap_or_else(|| (grad.zeros_like(), grad.zeros_like()));
    let (p, m, v) = <burn::backend::Dispatch as FusedOptim>::fused_adam(
        param.into_dispatch(),
        grad.into_dispatch(),
        m.into_dispatch(),
        v.into_dispatch(),
        step,
    );
    (
        Tensor::from_dispatch(p),
        (Tensor::from_dispatch(m), Tensor::from_dispatch(v)),
    )
}
