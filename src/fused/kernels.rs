//! An activation and its dropout mask in one pass over f32 slices, forward and backward.
//!
//! Plain loops the compiler vectorises (8 lanes where the processor has AVX2), split over the
//! cores in blocks: Burn's flex backend runs such element-wise ops one value at a time on one
//! thread below 4 M values, and composes ELU from six ops and six passes.

use super::exp::{exp, tanh};
use super::parallel::{blocks_mut, wide};

/// The activation computed per value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `y = z` (dropout alone).
    Identity,
    /// `y = 1 / (1 + e^−z)`.
    Sigmoid,
    /// `y = tanh z`.
    Tanh,
    /// `y = max(0, z)`.
    Relu,
    /// `y = z if z > 0 else slope·z`.
    Leaky {
        /// Slope for z ≤ 0.
        slope: f32,
    },
    /// `y = scale·(z if z > 0 else alpha·(e^z − 1))`: ELU (scale 1) and SELU.
    Elu {
        /// −alpha is approached for very negative z.
        alpha: f32,
        /// 1 for ELU, λ ≈ 1.0507 for SELU.
        scale: f32,
    },
}

/// Inverted dropout's mask, drawn from a counter: value `i` is kept, scaled by 1/keep, when
/// `hash(seed, i) < keep·2³²`. Each value's draw depends on its index only, so the blocks can be
/// computed on any thread in any order, and the backward pass recomputes the mask instead of
/// storing it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mask {
    /// Where this batch's mask starts (one draw from the layer's stream per batch).
    pub seed: u64,
    /// Probability of keeping a value, in (0, 1].
    pub keep: f64,
}

impl Mask {
    /// `1/keep` or 0 for value `i`.
    #[inline(always)]
    fn value(self, threshold: u32, scale: f32, i: usize) -> f32 {
        if hash(self.seed, i as u32) < threshold {
            scale
        } else {
            0.0
        }
    }

    /// `keep·2³²`, saturated.
    fn threshold(self) -> u32 {
        (self.keep * 4_294_967_296.0).min(u32::MAX as f64) as u32
    }

    fn scale(self) -> f32 {
        (1.0 / self.keep) as f32
    }

    /// The first `n` mask values (the unfused path multiplies by them).
    pub fn values(self, n: usize) -> Vec<f32> {
        let (threshold, scale) = (self.threshold(), self.scale());
        (0..n).map(|i| self.value(threshold, scale, i)).collect()
    }
}

/// Two rounds of MurmurHash3's finaliser over the index, keyed by the seed's halves: uniform
/// 32-bit values, in 32-bit lanes the compiler vectorises.
#[inline(always)]
fn hash(seed: u64, i: u32) -> u32 {
    let fmix = |mut h: u32| {
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    };
    let h = fmix(i.wrapping_mul(0x9e37_79b9) ^ seed as u32);
    fmix(h ^ (seed >> 32) as u32)
}

/// `y = act(z)·mask`.
pub fn forward(kind: Kind, mask: Option<Mask>, z: &[f32], y: &mut [f32]) {
    blocks_mut(y, 1, |start, out| {
        let z = &z[start..start + out.len()];
        forward_block(kind, mask, start, Some(z), out);
    });
}

/// `z ← act(z)·mask`, in place: no new buffer where nothing needs the input afterwards.
pub fn forward_in_place(kind: Kind, mask: Option<Mask>, z: &mut [f32]) {
    blocks_mut(z, 1, |start, out| {
        forward_block(kind, mask, start, None, out)
    });
}

wide! {
/// `y ← act(y + b)` over whole rows of `y` (`b` one row's worth), on this thread: a Linear
/// layer's bias and the activation after it, on a band of the product while it is in cache.
/// The same roundings as adding the bias and then [`forward_in_place`] with no mask.
pub fn bias_then(kind: Option<Kind>, bias: &[f32], y: &mut [f32]) {
    let width = bias.len().max(1);
    // a few rows at a time: the activation finds them in the L1 cache
    for rows in y.chunks_mut(width * (4096 / width).max(1)) {
        for row in rows.chunks_exact_mut(width) {
            row.iter_mut().zip(bias).for_each(|(y, b)| *y += b);
        }
        if let Some(kind) = kind {
            forward_block(kind, None, 0, None, rows);
        }
    }
}
}

/// `dz = dy·mask·act′(z)`, act′ read from the output `y` where it can be (σ(1 − σ), 1 − tanh²,
/// α·e^z = y + α for ELU).
pub fn backward(kind: Kind, mask: Option<Mask>, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32]) {
    blocks_mut(dz, 1, |start, out| {
        let end = start + out.len();
        let (z, y, dy) = (&z[start..end], &y[start..end], &dy[start..end]);
        backward_block(kind, mask, start, z, y, dy, out);
    });
}

wide! {
/// `y = act(z)·mask` over one block; `z` absent: `y` holds the input and is overwritten.
fn forward_block(kind: Kind, mask: Option<Mask>, start: usize, z: Option<&[f32]>, y: &mut [f32]) {
    match kind {
        Kind::Identity => map(z, y, |v| v),
        Kind::Sigmoid => map(z, y, sigmoid),
        Kind::Tanh => map(z, y, tanh),
        // NaN in, NaN out, as PyTorch: a diverged run must show in the loss
        Kind::Relu => map(z, y, |v| if v <= 0.0 { 0.0 } else { v }),
        Kind::Leaky { slope } => map(z, y, |v| if v > 0.0 { v } else { slope * v }),
        Kind::Elu { alpha, scale } => map(z, y, |v| {
            // e^min(z, 0): never overflows, so no 0·∞ in the gradient
            let negative = alpha * (exp(v.min(0.0)) - 1.0);
            scale * if v <= 0.0 { negative } else { v }
        }),
    }
    if let Some(mask) = mask {
        let (threshold, scale) = (mask.threshold(), mask.scale());
        for (k, v) in y.iter_mut().enumerate() {
            *v *= mask.value(threshold, scale, start + k);
        }
    }
}
}

wide! {
fn backward_block(
    kind: Kind,
    mask: Option<Mask>,
    start: usize,
    z: &[f32],
    y: &[f32],
    dy: &[f32],
    dz: &mut [f32],
) {
    // the activation's output before dropout: y / m where m ≠ 0 (where m = 0, dz = 0 anyway)
    let keep = mask.map_or(1.0, |m| m.keep as f32);
    match kind {
        Kind::Identity => zip3(z, y, dy, dz, |_, _, g| g),
        Kind::Sigmoid => zip3(z, y, dy, dz, |_, y, g| {
            let s = y * keep;
            g * s * (1.0 - s)
        }),
        Kind::Tanh => zip3(z, y, dy, dz, |_, y, g| {
            let t = y * keep;
            g * (1.0 - t * t)
        }),
        Kind::Relu => zip3(z, y, dy, dz, |z, _, g| if z > 0.0 { g } else { 0.0 }),
        Kind::Leaky { slope } => zip3(z, y, dy, dz, |z, _, g| if z > 0.0 { g } else { g * slope }),
        Kind::Elu { alpha, scale } => zip3(z, y, dy, dz, |z, y, g| {
            let slope = if z > 0.0 { scale } else { y * keep + scale * alpha };
            g * slope
        }),
    }
    if let Some(mask) = mask {
        let (threshold, scale) = (mask.threshold(), mask.scale());
        for (k, v) in dz.iter_mut().enumerate() {
            *v *= mask.value(threshold, scale, start + k);
        }
    }
}
}

/// `1 / (1 + e^−z)` as `e^min(z,0) / (1 + e^−|z|)`: the exponential never overflows.
#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    let e = exp(-z.abs());
    let numerator = if z >= 0.0 { 1.0 } else { e };
    numerator / (1.0 + e)
}

/// `y = f(z)`, or `y = f(y)` without `z`.
#[inline(always)]
fn map(z: Option<&[f32]>, y: &mut [f32], f: impl Fn(f32) -> f32) {
    match z {
        Some(z) => {
            for (o, &v) in y.iter_mut().zip(z) {
                *o = f(v);
            }
        }
        None => {
            for o in y.iter_mut() {
                *o = f(*o);
            }
        }
    }
}

#[inline(always)]
fn zip3(z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], f: impl Fn(f32, f32, f32) -> f32) {
    for (((o, &z), &y), &g) in dz.iter_mut().zip(z).zip(y).zip(dy) {
        *o = f(z, y, g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(kind: Kind, z: f64) -> (f64, f64) {
        match kind {
            Kind::Identity => (z, 1.0),
            Kind::Sigmoid => {
                let s = 1.0 / (1.0 + (-z).exp());
                (s, s * (1.0 - s))
            }
            Kind::Tanh => (z.tanh(), 1.0 - z.tanh().powi(2)),
            Kind::Relu => (z.max(0.0), if z > 0.0 { 1.0 } else { 0.0 }),
            Kind::Leaky { slope } => {
                let s = slope as f64;
                if z > 0.0 {
                    (z, 1.0)
                } else {
                    (s * z, s)
                }
            }
            Kind::Elu { alpha, scale } => {
                let (a, l) = (alpha as f64, scale as f64);
                if z > 0.0 {
                    (l * z, l)
                } else {
                    (l * a * z.exp_m1(), l * a * z.exp())
                }
            }
        }
    }

    const KINDS: [Kind; 6] = [
        Kind::Identity,
        Kind::Sigmoid,
        Kind::Tanh,
        Kind::Relu,
        Kind::Leaky { slope: 0.01 },
        Kind::Elu {
            alpha: 1.673_263_2,
            scale: 1.050_701,
        },
    ];

    /// 200 001 values from −100 to 100 (three blocks and a ragged end), and the extremes.
    fn inputs() -> Vec<f32> {
        let mut z: Vec<f32> = (0..200_001).map(|i| -100.0 + i as f32 * 1e-3).collect();
        z.extend([-1e30, -88.8, 88.8, 1e30, 0.0, -0.0, 1e-30, -1e-30]);
        z
    }

    #[test]
    fn each_activation_and_its_derivative_match_f64_within_a_few_units_in_the_last_place() {
        let z = inputs();
        for kind in KINDS {
            let mut y = vec![0.0; z.len()];
            forward(kind, None, &z, &mut y);
            let mut dz = vec![0.0; z.len()];
            backward(kind, None, &z, &y, &vec![1.0; z.len()], &mut dz);
            for ((&z, &y), &d) in z.iter().zip(&y).zip(&dz) {
                let (want_y, want_d) = reference(kind, z as f64);
                // 4·10⁻⁷ relative (a few f32 ulps), absolute 10⁻⁶·|slope| for values near 0
                let close = |got: f32, want: f64| {
                    (got as f64 - want).abs() <= 4e-7 * want.abs().max(1.0) || want.abs() > 1e30
                };
                assert!(close(y, want_y), "{kind:?}({z}) = {y}, want {want_y}");
                assert!(close(d, want_d), "{kind:?}'({z}) = {d}, want {want_d}");
            }
        }
    }

    #[test]
    fn each_derivative_matches_central_differences_of_the_forward_pass() {
        // away from the kinks at 0, where a difference quotient straddles two slopes
        let z: Vec<f32> = (0..4000)
            .map(|i| -8.0 + i as f32 * 4e-3)
            .filter(|v| v.abs() > 0.01)
            .collect();
        let h = 1.0 / 256.0f32; // exact steps: z ± h is representable
        let shifted = |kind, by: f32| {
            let zs: Vec<f32> = z.iter().map(|v| v + by).collect();
            let mut y = vec![0.0; zs.len()];
            forward(kind, None, &zs, &mut y);
            y
        };
        for kind in KINDS {
            let (up, down) = (shifted(kind, h), shifted(kind, -h));
            let y = shifted(kind, 0.0);
            let mut dz = vec![0.0; z.len()];
            backward(kind, None, &z, &y, &vec![1.0; z.len()], &mut dz);
            for i in 0..z.len() {
                let quotient = (up[i] as f64 - down[i] as f64) / (2.0 * h as f64);
                // O(h²) truncation plus f32 rounding of the outputs over 2h
                let tolerance = 2e-4 + 1e-3 * quotient.abs();
                assert!(
                    (dz[i] as f64 - quotient).abs() < tolerance,
                    "{kind:?}'({}) = {}, difference quotient {quotient}",
                    z[i],
                    dz[i]
                );
            }
        }
    }

    #[test]
    fn the_vectorised_pass_rounds_as_the_same_formulas_one_value_at_a_time() {
        // the whole pass runs 16, 8 or 4 lanes (AVX-512, AVX2, SSE2: what the processor has); a
        // one-value call runs the loop's scalar tail: the same bits, so results are the machine's
        let z: Vec<f32> = inputs().into_iter().step_by(7).collect();
        let mask = Some(Mask { seed: 3, keep: 0.8 });
        for kind in KINDS {
            let (mut y, mut dz) = (vec![0.0; z.len()], vec![0.0; z.len()]);
            forward(kind, mask, &z, &mut y);
            backward(kind, mask, &z, &y, &z, &mut dz);
            for i in 0..z.len() {
                let (mut one_y, mut one_dz) = ([0.0], [0.0]);
                forward_block(kind, mask, i, Some(&z[i..=i]), &mut one_y);
                backward_block(kind, mask, i, &z[i..=i], &y[i..=i], &z[i..=i], &mut one_dz);
                assert_eq!(y[i].to_bits(), one_y[0].to_bits(), "{kind:?}({})", z[i]);
                assert_eq!(dz[i].to_bits(), one_dz[0].to_bits(), "{kind:?}'({})", z[i]);
            }
        }
    }

    #[test]
    fn the_pass_in_place_computes_what_the_pass_into_a_new_buffer_does() {
        let z = inputs();
        let mask = Some(Mask { seed: 7, keep: 0.8 });
        for kind in KINDS {
            let mut y = vec![0.0; z.len()];
            forward(kind, mask, &z, &mut y);
            let mut in_place = z.clone();
            forward_in_place(kind, mask, &mut in_place);
            assert_eq!(in_place, y, "{kind:?}");
        }
    }

    #[test]
    fn the_bias_then_the_activation_on_a_band_rounds_as_the_bias_added_and_then_the_pass() {
        let bias: Vec<f32> = (0..7).map(|j| j as f32 * 0.3 - 1.0).collect();
        let z = inputs();
        let rows = z.len() / bias.len() * bias.len(); // whole rows of 7
        for kind in KINDS.into_iter().map(Some).chain([None]) {
            let mut fused = z[..rows].to_vec();
            bias_then(kind, &bias, &mut fused);
            let mut want: Vec<f32> = z[..rows]
                .iter()
                .enumerate()
                .map(|(i, v)| v + bias[i % bias.len()])
                .collect();
            if let Some(kind) = kind {
                forward_in_place(kind, None, &mut want);
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fused), bits(&want), "{kind:?}");
        }
    }

    #[test]
    fn nan_passes_through_every_activation_so_that_a_diverged_run_shows_in_its_loss() {
        for kind in KINDS {
            let mut y = [0.0];
            forward(kind, None, &[f32::NAN], &mut y);
            assert!(y[0].is_nan(), "{kind:?}(NaN) = {}", y[0]);
        }
    }

    #[test]
    fn the_mask_keeps_the_asked_share_scaled_and_the_gradient_follows_it() {
        let mask = Mask {
            seed: 0x1234_5678_9abc_def0,
            keep: 0.7,
        };
        let n = 200_001;
        let z = vec![2.0f32; n];
        let mut y = vec![0.0; n];
        forward(Kind::Relu, Some(mask), &z, &mut y);
        assert_eq!(
            y,
            mask.values(n).iter().map(|m| m * 2.0).collect::<Vec<_>>()
        );
        let kept = y.iter().filter(|&&v| v > 0.0).count() as f64 / n as f64;
        // standard error √(0.7·0.3/200001) ≈ 0.001
        assert!((kept - 0.7).abs() < 0.005, "kept {kept}");
        let mut dz = vec![0.0; n];
        backward(Kind::Relu, Some(mask), &z, &y, &vec![1.0; n], &mut dz);
        assert_eq!(dz, mask.values(n));
    }

    #[test]
    fn another_seed_gives_an_independent_mask() {
        let n = 100_000;
        let a = Mask { seed: 1, keep: 0.5 }.values(n);
        let b = Mask { seed: 2, keep: 0.5 }.values(n);
        let both = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .count();
        // independent halves overlap on a quarter: standard error √(0.25·0.75/10⁵) ≈ 0.0014
        let share = both as f64 / n as f64;
        assert!((share - 0.25).abs() < 0.007, "overlap {share}");
    }
}
