//! Least squares `min ‖Xβ + b − y‖² + λ‖β‖²` by QR then SVD: numerically sound where the normal
//! equations XᵀX are not (they square the condition number), and the minimum-norm answer when
//! columns are dependent.

use nalgebra::{DMatrix, DVector, Dyn, SVD};
use rayon::prelude::*;
use serde::Serialize;

use crate::check::non_negative_f64 as non_negative;
use crate::error::{Error, Result};

/// A fitted linear model and what the fit saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearFit {
    /// β, one per column of X.
    pub coefficients: Vec<f64>,
    /// b.
    pub intercept: f64,
    /// Numerical rank of the centred X, each column scaled to length 1 (with the ridge rows, if
    /// any).
    pub rank: usize,
    /// Largest over smallest singular value of that matrix (∞ when rank-deficient).
    pub condition: f64,
    /// Rank deficiency or ill-conditioning, said in words.
    pub warnings: Vec<String>,
    /// Where the rank is short: the columns constant in the fitted rows (the intercept holds
    /// them), and the others some combination of columns cancels in (empty at full rank).
    #[serde(skip)]
    pub dependent: Dependent,
}

/// The columns behind a short rank, by index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependent {
    /// Constant in the fitted rows: centred, all zero.
    pub constant: Vec<usize>,
    /// In a combination of the other columns that is zero in every row (`b = 2·a`).
    pub combined: Vec<usize>,
}

/// Fits `y ≈ Xβ + b` for row-major `x` of `n` rows × `p` columns, with ridge penalty `ridge` on β.
///
/// Columns and y are centred first, so b = ȳ − x̄ᵀβ is never penalised; each column is scaled
/// to length 1 before the rank cut-off, as numpy's `polyfit` does, so that x³⁰ beside x (10³⁰
/// times larger) does not push x's direction under it.
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
    if n == 0 || p == 0 || n.checked_mul(p) != Some(x.len()) || y.len() != n {
        return Err(Error::Data(format!(
            "least squares needs n × p values and n targets, got {} and {} for n={n}, p={p}",
            x.len(),
            y.len()
        )));
    }
    non_negative("ridge", ridge)?;
    let (mean_x, mean_y) = means(x, n, p, y);
    // QR shrinks the tall problem to p × p; the SVD of R then solves it with a rank cut-off.
    let threads = rayon::current_num_threads();
    let blocks = (n / MIN_BLOCK_ROWS.max(4 * p)).clamp(1, threads);
    let (r, qtb) = reduced(x, y, (n, p), (&mean_x, mean_y), ridge, blocks);
    // X = QR, so XS⁻¹ = Q(RS⁻¹), and column j of X is as long as column j of R
    let scale: Vec<f64> = (r.column_iter())
        .map(|c| Some(c.norm()).filter(|s| *s > 0.0).unwrap_or(1.0))
        .collect();
    let constant: Vec<usize> = (0..p).filter(|&j| r.column(j).norm() == 0.0).collect();
    let mut r = r;
    for (mut column, s) in r.column_iter_mut().zip(&scale) {
        column /= *s;
    }
    // beyond f64 (a ridge of 1e308, values near its limit), nalgebra's SVD panics or never ends
    let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    if !(finite(r.as_slice()) && finite(qtb.as_slice()) && finite(&scale)) {
        super::refuse_non_finite(x, &super::numbered(p), y)?;
        return Err(overflow(ridge));
    }
    let svd = r.svd(true, true);
    let (eps, rank, condition) = rank_of(&svd.singular_values, n, p);
    let gamma = svd
        .solve(&qtb, eps)
        .map_err(|e| Error::Data(format!("least squares failed: {e}")))?;
    let warnings = warnings(p, rank, condition);
    let dependent = dependent_columns(&svd, (eps, p), constant);
    // the scaled column x/s has coefficient γ, so x has γ/s
    let coefficients: Vec<f64> = gamma.iter().zip(&scale).map(|(g, s)| g / s).collect();
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
        dependent,
    })
}

/// The singular values' cut-off (`numpy.linalg.lstsq`'s default: largest × max(n, p) × ε), the rank
/// (values above it) and the condition number (largest / smallest kept; ∞ below full rank).
fn rank_of(sigma: &DVector<f64>, n: usize, p: usize) -> (f64, usize, f64) {
    let max = sigma.iter().copied().fold(0.0, f64::max);
    let eps = max * (n.max(p) as f64) * f64::EPSILON;
    let kept = || sigma.iter().copied().filter(|s| *s > eps);
    let rank = kept().count();
    let min = kept().fold(f64::INFINITY, f64::min);
    let condition = if rank < p { f64::INFINITY } else { max / min };
    (eps, rank, condition)
}

/// Of `p` columns, the `constant` ones, and those the null space holds: the right singular vectors of the
/// values under the cut-off `eps` span it, and a column with a weight in one cancels with others.
fn dependent_columns(
    svd: &SVD<f64, Dyn, Dyn>,
    (eps, p): (f64, usize),
    constant: Vec<usize>,
) -> Dependent {
    let sigma = &svd.singular_values;
    let cancels = |j: usize| {
        let v_t = svd.v_t.as_ref();
        (0..sigma.len()).any(|k| sigma[k] <= eps && v_t.is_some_and(|v| v[(k, j)].abs() > 1e-6))
    };
    Dependent {
        combined: (0..p)
            .filter(|j| !constant.contains(j) && cancels(*j))
            .collect(),
        constant,
    }
}

/// The fit left f64's range: say what the user can change.
fn overflow(ridge: f64) -> Error {
    match ridge > 0.0 {
        true => Error::invalid(
            "--ridge",
            format!("a penalty of {ridge:e} takes the least-squares problem beyond f64's range (±1.8e308): choose a smaller one"),
        ),
        false => Error::Data(
            "the least-squares problem is beyond f64's range (±1.8e308): scale the columns (to a few units) first".into(),
        ),
    }
}

/// Column means of row-major `x` and the mean of `y`, in one pass over the rows.
/// A constant column's mean is its value: summed, 0.1 seven times over seven is not 0.1, and the
/// centred column's rounding, scaled to length 1, was fitted as a direction of its own (a
/// coefficient of −122 for a column that explains nothing).
fn means(x: &[f64], n: usize, p: usize, y: &[f64]) -> (Vec<f64>, f64) {
    let mut sum = vec![0.0; p];
    let first = x.get(..p).unwrap_or_default();
    let mut constant = vec![true; p];
    for row in x.chunks_exact(p) {
        sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        (constant.iter_mut().zip(row.iter().zip(first))).for_each(|(c, (v, f))| *c &= v == f);
    }
    let mean_x = (sum.into_iter().enumerate())
        .map(|(j, s)| if constant[j] { first[j] } else { s / n as f64 })
        .collect();
    (mean_x, y.iter().sum::<f64>() / n as f64)
}

/// Fewest rows a block of the parallel QR gets: below that the threads cost more than they save.
const MIN_BLOCK_ROWS: usize = 20_000;

/// `R` and `(Qᵀb)[..p]` of the centred problem `[√λ·I; Xc] β = [0; yc]` (ridge as extra rows).
/// The rows are cut into `blocks` blocks, one QR per thread, and the stacked `R`s factored
/// again (TSQR): `[A₁; A₂] = diag(Q₁, Q₂)·[R₁; R₂]` and `[R₁; R₂] = Q₃R`, so `R` is the QR of
/// the whole — the same factor (up to signs), in the time of one block.
fn reduced(
    x: &[f64],
    y: &[f64],
    (n, p): (usize, usize),
    (mean_x, mean_y): (&[f64], f64),
    ridge: f64,
    blocks: usize,
) -> (DMatrix<f64>, DVector<f64>) {
    let step = (STEP_VALUES / p).max(2 * p);
    let rows: Vec<std::ops::Range<usize>> = (0..blocks)
        .map(|k| k * n / blocks..(k + 1) * n / blocks)
        .collect();
    let parts: Vec<(DMatrix<f64>, DVector<f64>)> = rows
        .into_par_iter()
        .map(|range| block_triangle((x, y), range, p, (mean_x, mean_y), step))
        .collect();
    // the ridge rows, then the blocks' R and Qᵀb stacked. Ridge first: each Householder step
    // pivots on √λ and takes no difference of two large numbers where λ outweighs a column
    // (below them, x of spread 1e-19 with λ = 0.1 came out with a slope 78× too large)
    let extra = if ridge > 0.0 { p } else { 0 };
    let height: usize = parts.iter().map(|(r, _)| r.nrows()).sum::<usize>() + extra;
    let mut a = DMatrix::zeros(height, p);
    let mut b = DVector::zeros(height);
    for j in 0..extra {
        a[(j, j)] = ridge.sqrt();
    }
    let mut at = extra;
    for (r, qtb) in &parts {
        a.rows_mut(at, r.nrows()).copy_from(r);
        b.rows_mut(at, r.nrows()).copy_from(qtb);
        at += r.nrows();
    }
    if parts.len() == 1 && extra == 0 {
        return parts.into_iter().next().unwrap_or((a, b));
    }
    triangle(a, b, p)
}

/// Values per QR step inside a block: 256 KiB of rows, so that the Householder passes over them
/// run in the L2 cache. One QR of a 50 000 × 50 block passes over its 20 MB fifty times.
const STEP_VALUES: usize = 32 * 1024;

/// `R` and `(Qᵀb)[..p]` of one block of centred rows, folded in `step` rows at a time: the QR
/// of `[R; next rows]` is the QR of all rows so far (the same TSQR identity as above).
fn block_triangle(
    (x, y): (&[f64], &[f64]),
    range: std::ops::Range<usize>,
    p: usize,
    (mean_x, mean_y): (&[f64], f64),
    step: usize,
) -> (DMatrix<f64>, DVector<f64>) {
    let mut acc = (DMatrix::zeros(0, p), DVector::zeros(0));
    for start in range.clone().step_by(step) {
        let rows = start..(start + step).min(range.end);
        let (r, qtb) = &acc;
        let top = r.nrows();
        let mut a = DMatrix::zeros(top + rows.len(), p);
        let mut b = DVector::zeros(top + rows.len());
        a.rows_mut(0, top).copy_from(r);
        b.rows_mut(0, top).copy_from(qtb);
        for (k, i) in rows.enumerate() {
            for j in 0..p {
                a[(top + k, j)] = x[i * p + j] - mean_x[j];
            }
            b[top + k] = y[i] - mean_y;
        }
        acc = triangle(a, b, p);
    }
    acc
}

/// `R` (at most p × p) and the first rows of `Qᵀb` of the QR of `a`; `a` itself when it is not
/// taller than wide.
fn triangle(a: DMatrix<f64>, b: DVector<f64>, p: usize) -> (DMatrix<f64>, DVector<f64>) {
    if a.nrows() <= p {
        return (a, b);
    }
    let qr = a.qr();
    // Qᵀb from the Householder reflectors directly: the tall Q is never formed
    let mut qtb = b;
    qr.q_tr_mul(&mut qtb);
    (qr.r(), qtb.rows(0, p).into_owned())
}

/// Dependent columns, said without what the fit made of them.
pub(super) fn dependent(p: usize, rank: usize) -> String {
    format!("the {p} feature columns have rank {rank}: some are linear combinations of others")
}

/// What a user should know about a fit: dependent columns (rank < p) or an ill-conditioned
/// problem (condition number above 10¹⁰).
fn warnings(p: usize, rank: usize, condition: f64) -> Vec<String> {
    if rank == 0 {
        // centred, every column is zero: the minimum-norm fit is the target's mean
        return vec!["every feature column is constant in the fitted rows: \
                     the fit is the target's mean, every coefficient 0"
            .into()];
    }
    if rank < p {
        return vec![format!(
            "{}; this is the minimum-norm solution among the equally good ones (of the columns \
             scaled to one length)",
            dependent(p, rank)
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

    /// `n` rows of `p` columns in [−5, 5) and a target that depends on the first column.
    fn problem(n: usize, p: usize) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..n * p)
            .map(|k| ((k * 7919) % 1000) as f64 / 100.0 - 5.0)
            .collect();
        let y = (0..n).map(|i| (i % 17) as f64 - x[i * p] * 0.5).collect();
        (x, y)
    }

    /// `(RᵀR, Rᵀ(Qᵀb))`: AᵀA and Aᵀb for the QR of the whole problem, whichever way it was cut.
    fn normal_equations((r, qtb): (DMatrix<f64>, DVector<f64>)) -> (DMatrix<f64>, DVector<f64>) {
        (r.transpose() * &r, r.transpose() * qtb)
    }

    #[test]
    fn a_constant_column_is_named_constant_not_a_combination_of_others() {
        // one row: centred, its column is zero (scikit-learn gives coefficient 0, intercept y)
        let fit = fit(&[3.0], 1, 1, &[2.0], 0.0).unwrap();
        assert_eq!(
            (fit.rank, fit.coefficients[0], fit.intercept),
            (0, 0.0, 2.0)
        );
        assert!(fit.warnings[0].starts_with("every feature column is constant"));
    }

    /// The factored normal equations of one block and of three blocks (TSQR) must agree, ridge
    /// rows included.
    #[test]
    fn three_row_blocks_factor_the_same_problem_as_one() {
        let (n, p) = (3001, 4);
        let (x, y) = problem(n, p);
        let (mean_x, mean_y) = means(&x, n, p, &y);
        for ridge in [0.0, 2.5] {
            let gram = |blocks| {
                normal_equations(reduced(&x, &y, (n, p), (&mean_x, mean_y), ridge, blocks))
            };
            let ((g1, c1), (g3, c3)) = (gram(1), gram(3));
            assert!(
                (g1 - g3).amax() < 1e-7 && (c1 - c3).amax() < 1e-7,
                "ridge {ridge}"
            );
        }
    }

    #[test]
    fn a_block_folded_in_steps_of_seven_rows_factors_the_same_problem_as_in_one() {
        let (n, p) = (1000, 5);
        let (x, y) = problem(n, p);
        let (mean_x, mean_y) = means(&x, n, p, &y);
        let gram =
            |step| normal_equations(block_triangle((&x, &y), 0..n, p, (&mean_x, mean_y), step));
        let ((g1, c1), (g7, c7)) = (gram(n), gram(7));
        assert!((&g1 - g7).amax() < 1e-7 * g1.amax() && (&c1 - c7).amax() < 1e-7 * c1.amax());
    }

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

    #[test]
    fn a_ridge_far_above_a_columns_spread_still_gives_sxy_over_sxx_plus_lambda() {
        // x of spread 1e-19, y = 3e19·x + 1 + a wobble; one column, so β = Sxy / (Sxx + λ)
        // exactly (numpy's closed form); with the ridge rows below the data it came out 78× off
        let x: Vec<f64> = (0..50).map(|i| 1e-19 * (i as f64 - 24.5)).collect();
        let y: Vec<f64> = (x.iter().enumerate())
            .map(|(i, v)| 3e19 * v + 1.0 + 0.1 * (i as f64).sin())
            .collect();
        let (mx, my) = (x.iter().sum::<f64>() / 50.0, y.iter().sum::<f64>() / 50.0);
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        for ridge in [1e-10, 0.1, 1.0] {
            let want = sxy / (sxx + ridge);
            let got = fit(&x, 50, 1, &y, ridge).expect("fits").coefficients[0];
            assert!(
                (got - want).abs() <= 1e-9 * want.abs(),
                "λ {ridge}: {got} ≠ {want}"
            );
        }
    }
}
