//! W4: the closed-form least-squares fit on X `[100000, 50]` ~ N(0, 1), y = X·w + 0.01·noise.

use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use super::{measure, time, Measurement};
use crate::error::{Error, Result};
use crate::regression::lstsq;

/// Times [`lstsq::fit`] (QR by row blocks over the cores, then SVD of R) in ms, checking the
/// answer.
pub fn w4(repeats: usize, out: &mut Vec<Measurement>) -> Result<()> {
    let (n, p) = (100_000, 50);
    let mut rng = StdRng::seed_from_u64(4);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let x: Vec<f64> = (0..n * p).map(|_| normal()).collect();
    let w: Vec<f64> = (0..p).map(|_| normal()).collect();
    let y: Vec<f64> = x
        .chunks(p)
        .map(|row| row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + 0.01 * normal())
        .collect();
    let seconds = time(repeats, || {
        let fit = lstsq::fit(&x, n, p, &y, 0.0)?;
        let error = fit
            .coefficients
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // noise 0.01 over 100 000 rows: each coefficient within ~1e-4 of the truth
        if error > 1e-3 {
            return Err(Error::Training(format!("W4 fit is off by {error:.2e}")));
        }
        Ok(())
    })?;
    out.push(measure(
        ["w4", "lstsq", "lstsq", "fit_ms"],
        &seconds,
        |s| s * 1e3,
        None,
    ));
    Ok(())
}
