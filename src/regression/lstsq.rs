//! Least squares `min ‖Xβ + b − y‖² + λ‖β‖²` by QR then SVD: numerically sound where the normal
//! equations XᵀX are not (they square the condition number), and the minimum-norm answer when
//! columns are dependent.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::check::non_negative;
use crate::error::{Error, Result};

/// A fitted linear model and what the fit saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearFit {
    /// β, one per column of X.
    pub coefficients: Vec<f64>,
    /// b.
    pub intercept: f64,
    /// Numerical rank of the centred X (with the ridge rows, if any).
    pub rank: usize,
    /// Largest over smallest singular value (∞ when rank-deficient).
    pub condition: f64,
    /// Rank deficiency or ill-conditioning, said in words.
    pub warnings: Vec<String>,
}

/// Fits `y ≈ Xβ + b` for row-major `x` of `n` rows × `p` columns, with ridge penalty `ridge` on β.
///
/// Columns and y are centred first, so b = ȳ − x̄ᵀβ is never penalised.
///
/// ```
/// # fn main() -> plaindnn::Result<()> {
/// // y = 3·x1 − 2·x2 + 5 on four points: the fit must recover 3, −2 and 5
/// let x = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 2.0, 3.0];
/// let y: Vec<f64> = x.chunks(2).map(|r| 3.0 * r[0] - 2.0 * r[1] + 5.0).collect();
/// let fit = plaindnn::regression::lstsq::fit(&x, 4, 2, &y, 0.0)?;
/// assert!((fit.coefficients[0] - 3.0).abs() < 1e-12 && (fit.coefficients[1] + 2.0).abs() < 1e-12);
/// assert!((fit.intercept - 5.0).abs() < 1e-12);
/// assert_eq!(fit.rank, 2);
/// # Ok(()) }
/// ```
pub fn fit(x: &[f64], n: usize, p: usize, y: &[f64], ridge: f64) -> Result<LinearFit> {
    if n == 0 || p == 0 || x.len() != n * p || y.len() != n {
        return Err(Error::Data(format!(
            "least squares needs n × p values and n targets, got {} and {} for n={n}, p={p}",
            x.len(),
            y.len()
        )));
    }
    non_negative("ridge", ridge)?;
    let mean_x: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| x[i * p + j]).sum::<f64>() / n as f64)
        .collect();
    let mean_y = y.iter().sum::<f64>() / n as f64;
    // [Xc; √λ·I] β = [yc; 0]: ridge as extra rows
    let extra = if ridge > 0.0 { p } else { 0 };
    let a = DMatrix::from_fn(n + extra, p, |i, j| {
        if i < n {
            x[i * p + j] - mean_x[j]
        } else if i - n == j {
            ridge.sqrt()
        } else {
            0.0
        }
    });
    let b = DVector::from_fn(n + extra, |i, _| if i < n { y[i] - mean_y } else { 0.0 });
    // QR shrinks the tall problem to p × p; the SVD of R then solves it with a rank cut-off.
    let (r, qtb) = if n + extra > p {
        let qr = a.qr();
        // Qᵀb from the Householder reflectors directly: the n × p matrix Q is never formed
        let mut qtb = b;
        qr.q_tr_mul(&mut qtb);
        (qr.r(), qtb.rows(0, p).into_owned())
    } else {
        (a, b)
    };
    let svd = r.svd(true, true);
    let sigma = &svd.singular_values;
    let max = sigma.iter().copied().fold(0.0, f64::max);
    let eps = max * (n.max(p) as f64) * f64::EPSILON;
    let rank = sigma.iter().filter(|s| **s > eps).count();
    let min = sigma
        .iter()
        .copied()
        .filter(|s| *s > eps)
        .fold(f64::INFINITY, f64::min);
    let condition = if rank < p { f64::INFINITY } else { max / min };
    let beta = svd
        .solve(&qtb, eps)
        .map_err(|e| Error::Data(format!("least squares failed: {e}")))?;
    let warnings = warnings(p, rank, condition);
    let coefficients: Vec<f64> = beta.iter().copied().collect();
    let intercept = mean_y
        - coefficients
            .iter()
            .zip(&mean_x)
            .map(|(c, m)| c * m)
            .sum::<f64>();
    Ok(LinearFit {
        coefficients,
        intercept,
        rank,
        condition,
        warnings,
    })
}

/// What a user should know about a fit: dependent columns (rank < p) or an ill-conditioned
/// problem (condition number above 10¹⁰).
fn warnings(p: usize, rank: usize, condition: f64) -> Vec<String> {
    if rank < p {
        return vec![format!(
            "the {p} feature columns have rank {rank}: some are linear combinations of others; \
             this is the minimum-norm solution among the equally good ones"
        )];
    }
    if condition > 1e10 {
        return vec![format!(
            "the features are ill-conditioned (condition number {condition:.1e}); \
             coefficients are unstable"
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_line_through_two_dots() {
        // (0, 1) and (2, 5): slope 2, intercept 1
        let f = fit(&[0.0, 2.0], 2, 1, &[1.0, 5.0], 0.0).expect("fits");
        assert!((f.coefficients[0] - 2.0).abs() < 1e-12 && (f.intercept - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_duplicated_column_gets_half_the_weight_each_and_a_warning() {
        // y = 3x, with x given twice: the minimum-norm answer splits 3 into 1.5 + 1.5
        let x: Vec<f64> = (0..10).flat_map(|i| [i as f64, i as f64]).collect();
        let y: Vec<f64> = (0..10).map(|i| 3.0 * i as f64).collect();
        let f = fit(&x, 10, 2, &y, 0.0).expect("fits");
        assert_eq!(f.rank, 1);
        assert!((f.coefficients[0] - 1.5).abs() < 1e-9 && (f.coefficients[1] - 1.5).abs() < 1e-9);
        assert!(f.warnings[0].contains("rank 1"));
    }

    #[test]
    fn ridge_shrinks_a_slope_to_sxy_over_sxx_plus_lambda() {
        // x = 0..4, y = 2x: Sxx = Σ(x−2)² = 10, Sxy = 20; ridge 10 → β = 20 / 20 = 1
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y = [0.0, 2.0, 4.0, 6.0, 8.0];
        let f = fit(&x, 5, 1, &y, 10.0).expect("fits");
        assert!(
            (f.coefficients[0] - 1.0).abs() < 1e-12,
            "{:?}",
            f.coefficients
        );
        assert!((f.intercept - (4.0 - 1.0 * 2.0)).abs() < 1e-12);
    }
}
