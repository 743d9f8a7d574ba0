//! Penalties and constraints applied inside the optimizer step, per parameter tensor.
//!
//! A Linear weight is the only rank-2 parameter of an [`Mlp`](crate::model::Mlp); biases,
//! BatchNorm's γ/β and PReLU's slope are rank 1. So "weights only" is "rank 2 only".

use burn::optim::{LearningRate, Optimizer};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::check::{non_negative, positive};
use crate::error::Result;

/// Penalties and constraints on the weights (the tutorial's remedies for overfitting).
///
/// They act on the Linear weight matrices only; biases, BatchNorm and PReLU parameters are left
/// alone unless `decay_biases` is set (for `weight_decay`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RegularizationConfig {
    /// L1 penalty `λ·Σ|w|`, as its gradient `λ·sign(w)`: pushes useless weights to exactly zero.
    pub l1: f64,
    /// L2 penalty `λ·Σw²`, as its gradient `2λ·w` (Keras' `kernel_regularizer=l2(λ)`).
    pub l2: f64,
    /// Apply `weight_decay` to biases and normalisation parameters too (PyTorch's default).
    pub decay_biases: bool,
    /// Max-norm: after every step, each unit's incoming weight vector is rescaled to norm ≤ c.
    pub max_norm: Option<f64>,
}

impl RegularizationConfig {
    /// Rejects negative penalties and non-positive norms.
    pub fn validate(&self) -> Result<()> {
        non_negative("l1", self.l1)?;
        non_negative("l2", self.l2)?;
        if let Some(c) = self.max_norm {
            positive("max-norm", c)?;
        }
        Ok(())
    }
}

/// Wraps an optimizer `O` with L1/L2 penalties, weight decay and a max-norm constraint.
#[derive(Clone)]
pub struct Regularized<O> {
    /// The optimizer doing the update.
    pub inner: O,
    /// `λ₁` of `λ₁·Σ|w|`: adds `λ₁·sign(w)` to a weight's gradient.
    pub l1: f64,
    /// `λ₂` of `λ₂·Σw²`: adds `2λ₂·w` to a weight's gradient.
    pub l2: f64,
    /// Coupled weight decay `λ`: adds `λ·w` to the gradient (PyTorch's Adam/SGD `weight_decay`).
    pub coupled_decay: f64,
    /// Decoupled weight decay `λ`: `w ← w·(1 − lr·λ)` before the step (AdamW).
    pub decoupled_decay: f64,
    /// Decay biases and normalisation parameters too.
    pub decay_all: bool,
    /// Max-norm `c`: each column of a weight (one unit's incoming weights) ends with norm ≤ c.
    pub max_norm: Option<f64>,
}

impl<O> Regularized<O> {
    /// `inner` with nothing added.
    pub fn new(inner: O) -> Self {
        Self {
            inner,
            l1: 0.0,
            l2: 0.0,
            coupled_decay: 0.0,
            decoupled_decay: 0.0,
            decay_all: false,
            max_norm: None,
        }
    }
}

impl<O: Optimizer> Optimizer for Regularized<O> {
    type State<const D: usize> = O::State<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let is_weight = D == 2;
        let decays = is_weight || self.decay_all;
        let mut grad = grad;
        if is_weight && self.l1 > 0.0 {
            grad = grad + tensor.clone().sign() * self.l1; // d/dw λ|w| = λ·sign(w)
        }
        if is_weight && self.l2 > 0.0 {
            grad = grad + tensor.clone() * (2.0 * self.l2); // d/dw λw² = 2λw
        }
        if decays && self.coupled_decay > 0.0 {
            grad = grad + tensor.clone() * self.coupled_decay;
        }
        let tensor = if decays && self.decoupled_decay > 0.0 {
            tensor * (1.0 - lr * self.decoupled_decay)
        } else {
            tensor
        };
        let (tensor, state) = self.inner.step(lr, tensor, grad, state);
        match self.max_norm {
            Some(c) if is_weight => (max_norm(tensor, c), state),
            _ => (tensor, state),
        }
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        O::to_device(state, device)
    }
}

/// Rescales each column of `w` ([inputs, units]) to L2 norm ≤ `c`: `w_j ← w_j · min(1, c/‖w_j‖)`.
pub fn max_norm<const D: usize>(w: Tensor<D>, c: f64) -> Tensor<D> {
    let norms = w.clone().powi_scalar(2).sum_dim(0).sqrt(); // [1, units]
    let scale = (norms.add_scalar(1e-12).recip() * c).clamp_max(1.0);
    w * scale
}
