//! plaindnn's own random numbers: initial weights, RReLU slopes and each batch's dropout seed
//! (expanded into a mask by [`crate::fused::Mask`]) are drawn here, on the host.
//!
//! Burn's generator is one per backend and process-wide, and each backend draws differently; this
//! one belongs to whoever holds it. So the same seed gives bit-identical weights on flex, ndarray
//! and wgpu, and two trainings in one process never disturb each other's stream.
//!
//! The generator is xoshiro256++ (Blackman & Vigna, <https://prng.di.unimi.it>) seeded through
//! SplitMix64, as its authors recommend: fully specified, so the numbers never change with a
//! dependency's version.

use std::sync::{Arc, Mutex, PoisonError};

/// Combines a seed and a stream number (an epoch, a layer) into one well-spread seed
/// (SplitMix64's finaliser of `seed ⊕ stream·φ`).
pub fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++: 256 bits of state, period 2^256 − 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generator {
    s: [u64; 4],
}

impl Generator {
    /// The generator whose state is four SplitMix64 outputs from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        let mut splitmix = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [splitmix(), splitmix(), splitmix(), splitmix()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// U[0, 1) from the top 53 bits: every double k·2⁻⁵³.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `n` values from U(low, high), each `low + (high − low)·u` rounded to f32.
    pub fn uniform(&mut self, n: usize, low: f64, high: f64) -> Vec<f32> {
        (0..n)
            .map(|_| (low + (high - low) * self.unit()) as f32)
            .collect()
    }

    /// `n` values from N(mean, std²) by Box–Muller: `√(−2 ln u₁)·(cos 2πu₂, sin 2πu₂)`, both
    /// used, u₁ ∈ (0, 1] so the logarithm is finite.
    pub fn normal(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        let mut values = Vec::with_capacity(n + 1);
        while values.len() < n {
            let radius = (-2.0 * (1.0 - self.unit()).ln()).sqrt();
            let angle = std::f64::consts::TAU * self.unit();
            values.push((mean + std * radius * angle.cos()) as f32);
            values.push((mean + std * radius * angle.sin()) as f32);
        }
        values.truncate(n);
        values
    }
}

/// A generator shared by every clone of the module that holds it (Burn clones modules at each
/// step), so successive training steps draw successive numbers. The training loop restarts it
/// from (seed, epoch) at every epoch, which is what makes `--resume` exact.
#[derive(Clone, Debug)]
pub struct Stream(Arc<Mutex<Generator>>);

impl Stream {
    /// A stream starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(Generator::new(seed))))
    }

    /// Restarts the stream at `seed`.
    pub fn reseed(&self, seed: u64) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Generator::new(seed);
    }

    /// Runs `draw` on the generator (a panic elsewhere leaves it usable: its state is always valid).
    pub fn draw<T>(&self, draw: impl FnOnce(&mut Generator) -> T) -> T {
        draw(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256_plus_plus_matches_the_reference_output_for_state_1_2_3_4() {
        // The reference C code (prng.di.unimi.it/xoshiro256plusplus.c) from s = {1, 2, 3, 4}:
        // the first output is rotl(1 + 4, 23) + 1 = 5·2²³ + 1; the rest from the C code.
        let mut g = Generator { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..5).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [
                41_943_041,
                58_720_359,
                3_588_806_011_781_223,
                3_591_011_842_654_386,
                9_228_616_714_210_784_205
            ]
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers_and_another_seed_others() {
        let draw = |seed| Generator::new(seed).uniform(4, -1.0, 1.0);
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn uniform_and_normal_draws_have_the_asked_mean_and_spread() {
        // 10⁵ draws: standard errors of mean and std ≈ 0.3 % of the std; 2 % is far outside.
        let stats = |v: &[f32]| {
            let n = v.len() as f64;
            let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
            let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
            (mean, var.sqrt())
        };
        let mut g = Generator::new(1);
        let (mean, std) = stats(&g.uniform(100_000, -3.0, 3.0));
        assert!(
            mean.abs() < 0.02 && (std / 3f64.sqrt() - 1.0).abs() < 0.02,
            "{mean} {std}"
        );
        let (mean, std) = stats(&g.normal(100_001, 5.0, 2.0));
        assert!(
            (mean - 5.0).abs() < 0.04 && (std / 2.0 - 1.0).abs() < 0.02,
            "{mean} {std}"
        );
    }

    #[test]
    fn a_shared_stream_continues_across_clones_and_restarts_on_reseed() {
        let stream = Stream::new(9);
        let clone = stream.clone();
        let first = stream.draw(|g| g.next_u64());
        let second = clone.draw(|g| g.next_u64());
        assert_ne!(first, second, "the clone continues the same stream");
        stream.reseed(9);
        assert_eq!(clone.draw(|g| g.next_u64()), first);
    }
}
