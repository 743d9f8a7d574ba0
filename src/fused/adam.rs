//! Adam's update of one parameter tensor in one pass: Burn's `Adam` takes about ten (each
//! moment, the square, the root, the quotient, the step), each over the whole tensor.
//!
//! The same arithmetic in the same order as Burn 0.22.1's `AdaptiveMomentum::transform`, so the
//! two agree bit for bit (tested):
//! `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²` (the first step: `m = (1 − β₁)g`, `v = (1 − β₂)g²`),
//! `p ← p − lr · (m·c / (√v + ε·√(1 − β₂ᵗ)))` with `c = √(1 − β₂ᵗ) / (1 − β₁ᵗ)`.

use rayon::prelude::*;

use super::parallel::{wide, BLOCK, PARALLEL};

/// One step's constants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    /// β₁, the first moment's decay.
    pub beta_1: f32,
    /// β₂, the second moment's decay.
    pub beta_2: f32,
    /// ε, added to √v.
    pub epsilon: f32,
    /// The learning rate.
    pub lr: f32,
    /// The step number t, from 1.
    pub time: usize,
}

/// Per-step scalars, computed in f32 as Burn does.
#[derive(Clone, Copy)]
struct Scalars {
    beta_1: f32,
    beta_2: f32,
    factor_1: f32,
    factor_2: f32,
    combined: f32,
    epsilon: f32,
    lr: f32,
    first: bool,
}

impl AdamStep {
    fn scalars(self) -> Scalars {
        let t = self.time as i32;
        let bias_correction2_sqrt = (1.0 - self.beta_2.powi(t)).sqrt();
        Scalars {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            factor_1: 1.0 - self.beta_1,
            factor_2: 1.0 - self.beta_2,
            combined: bias_correction2_sqrt / (1.0 - self.beta_1.powi(t)),
            epsilon: self.epsilon * bias_correction2_sqrt,
            lr: self.lr,
            first: self.time == 1,
        }
    }
}

/// Updates `p`, `m` and `v` in place from the gradient `g`, over both cores for large tensors.
pub fn step(step: AdamStep, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    let s = step.scalars();
    if p.len() < PARALLEL {
        return update(s, p, g, m, v);
    }
    p.par_chunks_mut(BLOCK)
        .zip(m.par_chunks_mut(BLOCK))
        .zip(v.par_chunks_mut(BLOCK))
        .enumerate()
        .for_each(|(i, ((p, m), v))| {
            let start = i * BLOCK;
            update(s, p, &g[start..start + p.len()], m, v);
        });
}

wide! {
fn update(s: Scalars, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let (m_new, v_new) = if s.first {
            (g * s.factor_1, (g * g) * s.factor_2)
        } else {
            (*m * s.beta_1 + g * s.factor_1, *v * s.beta_2 + (g * g) * s.factor_2)
        };
        let update = (m_new * s.combined) / (v_new.sqrt() + s.epsilon);
        *p -= update * s.lr;
        *m = m_new;
        *v = v_new;
    }
}
}
