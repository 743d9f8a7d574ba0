//! Data augmentation (the tutorial's fifth remedy for overfitting): training batches only, on the fly.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::check::non_negative;
use crate::error::{Error, Result};

/// How training rows are perturbed before each step; validation rows never are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct AugmentConfig {
    /// Gaussian jitter: add N(0, σ²) to every feature (tabular and 2-D data).
    pub jitter: f64,
    /// Images: shift by up to this many pixels in x and y, filling with 0.
    pub shift: usize,
    /// Images: mirror left-right with probability 1/2.
    pub flip: bool,
    /// Images: add U(−a, a) to every pixel.
    pub pixel_noise: f64,
}

impl AugmentConfig {
    /// Whether any augmentation is on.
    pub fn is_active(&self) -> bool {
        self.jitter > 0.0 || self.shift > 0 || self.flip || self.pixel_noise > 0.0
    }

    /// Rejects negative amounts, and image operations on data that are not images.
    pub fn validate(&self, image: Option<[usize; 2]>) -> Result<()> {
        for (name, v) in [
            ("augment jitter", self.jitter),
            ("augment pixel noise", self.pixel_noise),
        ] {
            // drawn in f32: beyond its range the noise could not be made (refused there too)
            non_negative(name, v)?;
        }
        let Some([h, w]) = image else {
            let asked: Vec<&str> = [
                (self.shift > 0, "--augment-shift"),
                (self.flip, "--augment-flip"),
                (self.pixel_noise > 0.0, "--augment-noise"),
            ]
            .into_iter()
            .filter_map(|(on, flag)| on.then_some(flag))
            .collect();
            if asked.is_empty() {
                return Ok(());
            }
            let needs = if asked.len() == 1 { "needs" } else { "need" };
            let why = format!(
                "{} {needs} image data (--dataset shapes or --data-dir), and these rows are not \
                 images (--augment-jitter adds noise to any inputs)",
                crate::plural::and_list(&asked)
            );
            return Err(Error::invalid("augmentation", why));
        };
        if self.shift >= h.min(w) {
            return Err(Error::invalid(
                "augment shift",
                format!(
                    "a shift of {} pixels moves a {h}×{w} image out of view; use fewer than {}",
                    self.shift,
                    h.min(w)
                ),
            ));
        }
        Ok(())
    }

    /// Perturbs row-major `rows` (each `width` features) in place, from `seed`.
    pub fn apply(&self, rows: &mut [f32], width: usize, image: Option<[usize; 2]>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        if self.jitter > 0.0 {
            if let Ok(gauss) = Normal::new(0.0f32, self.jitter as f32) {
                rows.iter_mut().for_each(|x| *x += gauss.sample(&mut rng));
            }
        }
        let Some([h, w]) = image else { return };
        for row in rows.chunks_mut(width) {
            if self.shift > 0 || self.flip {
                let s = self.shift as i64;
                let (dx, dy) = (rng.random_range(-s..=s), rng.random_range(-s..=s));
                let mirror = self.flip && rng.random_bool(0.5);
                transform(row, h, w, dx, dy, mirror);
            }
            if self.pixel_noise > 0.0 {
                let a = self.pixel_noise as f32;
                row.iter_mut().for_each(|p| *p += rng.random_range(-a..a));
            }
        }
    }
}

/// Shifts an `h × w` image by (dx, dy), mirrored first if asked; pixels shifted in are 0.
fn transform(image: &mut [f32], h: usize, w: usize, dx: i64, dy: i64, mirror: bool) {
    let source = image.to_vec();
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let (sx, sy) = (x - dx, y - dy);
            let sx = if mirror { w as i64 - 1 - sx } else { sx };
            let inside = (0..w as i64).contains(&sx) && (0..h as i64).contains(&sy);
            image[(y * w as i64 + x) as usize] = if inside {
                source[(sy * w as i64 + sx) as usize]
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_moves_a_pixel_by_dx_and_dy() {
        let mut img = vec![0.0; 9];
        img[4] = 1.0; // centre of 3×3
        transform(&mut img, 3, 3, 1, -1, false);
        assert_eq!(img[2], 1.0, "(1,1) moved to (2,0)");
        assert_eq!(img.iter().sum::<f32>(), 1.0);
    }

    #[test]
    fn a_mirror_swaps_left_and_right() {
        let mut img = vec![1.0, 2.0, 3.0, 4.0];
        transform(&mut img, 2, 2, 0, 0, true);
        assert_eq!(img, vec![2.0, 1.0, 4.0, 3.0]);
    }

    #[test]
    fn jitter_changes_every_value_and_the_seed_fixes_how() {
        let config = AugmentConfig {
            jitter: 0.1,
            ..Default::default()
        };
        let (mut a, mut b) = (vec![0.0; 8], vec![0.0; 8]);
        config.apply(&mut a, 2, None, 5);
        config.apply(&mut b, 2, None, 5);
        assert!(a.iter().all(|v| *v != 0.0));
        assert_eq!(a, b);
    }

    /// A review found `--augment-jitter 1e308` trained as if it were 0: N(0, ∞) cannot be made
    /// in f32, and the noise was skipped.
    #[test]
    fn a_jitter_beyond_f32_is_refused_not_skipped() {
        let config = |jitter| AugmentConfig {
            jitter,
            ..Default::default()
        };
        let refused = config(1e308).validate(None).unwrap_err().to_string();
        assert!(refused.contains("at most f32's largest value"), "{refused}");
        assert!(config(3e38).validate(None).is_ok());
    }
}
