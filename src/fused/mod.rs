//! Fused passes for the hidden block on the flex backend: an activation and its dropout in one
//! pass, Batch Normalization forward and backward in three passes each, vectorised and split over
//! the cores, with their own backward through Burn's backend extension API.
//!
//! Each function hands its input back where it does not apply (another backend, another dtype,
//! `PLAINDNN_FUSED=0` in the environment, or inside [`without`]) and the caller runs Burn's
//! tensor ops instead: both paths compute the same function, to float rounding
//! (`tests/fused.rs`).

pub mod adam;
mod exp;
pub mod kernels;
pub mod norm;
mod ops;
mod parallel;

use burn::tensor::{DType, Device, Tensor};

pub use adam::AdamStep;
pub use kernels::{Kind, Mask};
use ops::{Fused, FusedOptim};

/// Whether fused passes may run: on unless `PLAINDNN_FUSED=0` (read once per process).
pub fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var("PLAINDNN_FUSED").map_or(true, |v| v != "0"))
}

thread_local! {
    static PLAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
fn applies<const D: usize>(x: &Tensor<D>) -> bool {
    enabled() && !PLAIN.get() && x.dtype() == DType::F32 && x.device().inner() == Device::flex()
}

/// `act(x)·mask` in one pass, or the input back where the plain ops must run.
pub fn activation<const D: usize>(
    x: Tensor<D>,
    kind: Kind,
    mask: Option<Mask>,
) -> Result<Tensor<D>, Tensor<D>> {
    if !applies(&x) {
        return Err(x);
    }
    let y = <burn::backend::Dispatch as Fused>::fused_activation(x.into_dispatch(), kind, mask);
    Ok(Tensor::from_dispatch(y))
}

/// Batch Normalization of `[rows, units]` on the batch's statistics: `(y, μ, σ²)`, μ and σ²
/// outside the graph; or the input back where the plain ops must run.
pub fn batch_norm(
    x: Tensor<2>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
) -> Result<(Tensor<2>, Tensor<1>, Tensor<1>), Tensor<2>> {
    if !applies(&x) {
        return Err(x);
    }
    let (y, mean, var) = <burn::backend::Dispatch as Fused>::fused_batch_norm(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon,
    );
    Ok((
        Tensor::from_dispatch(y),
        Tensor::from_dispatch(mean),
        Tensor::from_dispatch(var),
    ))
}

/// Adam's moments for one parameter tensor.
pub type Moments<const D: usize> = (Tensor<D>, Tensor<D>);

/// One Adam step in one pass: `(p, (m, v))` after it; `moments` absent on the first step. Hands
/// the inputs back where the plain ops must run.
#[allow(clippy::type_complexity)]
pub fn adam<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    moments: Option<Moments<D>>,
    step: AdamStep,
) -> Result<(Tensor<D>, Moments<D>), (Tensor<D>, Tensor<D>, Option<Moments<D>>)> {
    if !applies(&param) || param.is_autodiff() {
        return Err((param, grad, moments));
    }
    // the first step reads no moments: zeros stand in for them
    let (m, v) = moments.unwrap_or_else(|| (grad.zeros_like(), grad.zeros_like()));
    let (p, m, v) = <burn::backend::Dispatch as FusedOptim>::fused_adam(
        param.into_dispatch(),
        grad.into_dispatch(),
        m.into_dispatch(),
        v.into_dispatch(),
        step,
    );
    Ok((
        Tensor::from_dispatch(p),
        (Tensor::from_dispatch(m), Tensor::from_dispatch(v)),
    ))
}
