//! Adam's update of one parameter tensor in one pass: Burn's `Adam` takes about ten (each
//! moment, the square, the root, the quotient, the step), each over the whole tensor.
//!
//! The same arithmetic in the same order as Burn 0.22.1's `AdaptiveMomentum::transform`, so the
//! two agree bit for bit (tested):
//! `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²` (the first step: `m = (1 − β₁)g`, `v = (1 − β₂)g²`),
//! `p ← p − lr · (m·c / (√v + ε·√(1 − β₂ᵗ)))` with `c = √(1 − β₂ᵗ) / (1 − β₁ᵗ)`.

use std::mem::MaybeUninit;

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

/// The step for a parameter someone else still holds: the new values in a new buffer, read from
/// `p` in the same pass (a copy and then an update in place would pass over them twice).
pub fn step_from(step: AdamStep, p: &[f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> Vec<f32> {
    let n = p.len();
    assert!(
        g.len() == n && m.len() == n && v.len() == n,
        "Adam: lengths differ"
    );
    let s = step.scalars();
    let mut out = Vec::with_capacity(n);
    let fresh = &mut out.spare_capacity_mut()[..n];
    if n < PARALLEL {
        update_into(s, p, g, m, v, fresh);
    } else {
        fresh
            .par_chunks_mut(BLOCK)
            .zip(m.par_chunks_mut(BLOCK))
            .zip(v.par_chunks_mut(BLOCK))
            .enumerate()
            .for_each(|(i, ((out, m), v))| {
                let range = i * BLOCK..i * BLOCK + out.len();
                update_into(s, &p[range.clone()], &g[range], m, v, out);
            });
    }
    // SAFETY: update_into wrote all n values: its zips run over out, p, g, m, v, all n long
    unsafe { out.set_len(n) };
    out
}

/// `(p, m, v)` after one step from `(p, g, m, v)`.
#[inline(always)]
fn moved(s: Scalars, p: f32, g: f32, m: f32, v: f32) -> (f32, f32, f32) {
    let (m_new, v_new) = if s.first {
        (g * s.factor_1, (g * g) * s.factor_2)
    } else {
        (
            m * s.beta_1 + g * s.factor_1,
            v * s.beta_2 + (g * g) * s.factor_2,
        )
    };
    let update = (m_new * s.combined) / (v_new.sqrt() + s.epsilon);
    (p - update * s.lr, m_new, v_new)
}

wide! {
fn update(s: Scalars, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        (*p, *m, *v) = moved(s, *p, g, *m, *v);
    }
}
}

wide! {
fn update_into(
    s: Scalars,
    p: &[f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    out: &mut [MaybeUninit<f32>],
) {
    for ((((out, &p), &g), m), v) in out.iter_mut().zip(p).zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let (p, m_new, v_new) = moved(s, p, g, *m, *v);
        out.write(p);
        (*m, *v) = (m_new, v_new);
    }
}
}
