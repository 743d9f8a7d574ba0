//! Standardisation: `x' = (x − mean) / std` per column, learned on the training rows only: of the
//! features always (unless asked not to), of a regression target when asked.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, ExactColumns};

/// Per-column mean and standard deviation; saved in `config.json` and applied at prediction.
/// Kept in f64: a target like a timestamp (1.6e9 ± 3) has a mean f32 rounds by 64, and its
/// values are mapped back through it (features are standardised in f32, as they are read, but
/// those f32 reads too coarsely for their spread: [`Scaler::apply_exact_columns`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaler {
    /// Mean of each feature over the training rows.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (1 for a constant feature: never divide by zero).
    pub std: Vec<f64>,
}

/// Steps of f32 per standard deviation below which a column is read too coarsely: rows that
/// differ by a hundredth of a deviation should read apart.
pub const STEPS_PER_SPREAD: f64 = 100.0;

impl Scaler {
    /// `x / by` in each of `width` columns (mean 0, std `by`): a fixed scale, learned from no row.
    pub fn dividing_by(by: f32, width: usize) -> Self {
        Scaler {
            mean: vec![0.0; width],
            std: vec![by as f64; width],
        }
    }

    /// The `by` of a [`dividing_by`](Self::dividing_by) scaler (every mean 0, every std `by`),
    /// `None` for one learned from rows.
    pub fn divisor(&self) -> Option<f32> {
        let by = *self.std.first()?;
        let fixed = self.mean.iter().all(|&m| m == 0.0) && self.std.iter().all(|&s| s == by);
        fixed.then_some(by as f32)
    }

    /// Learns mean and std of `data`'s features over `rows`; returns the names of constant
    /// features (one value in every row) too.
    pub fn fit(data: &Dataset, rows: &[usize]) -> (Self, Vec<String>) {
        let (scaler, constant) = Self::fit_columns(&data.features, data.width(), rows);
        let names = constant.iter().map(|&j| data.feature_names[j].clone());
        (scaler, names.collect())
    }

    /// Learns mean and std of the columns of row-major `values` (`width` per row) over `rows`;
    /// returns the indices of constant columns too.
    pub fn fit_columns(values: &[f32], width: usize, rows: &[usize]) -> (Self, Vec<usize>) {
        let wide: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        Self::fit_exact(&wide, width, rows)
    }

    /// [`fit_columns`](Self::fit_columns) of values read in f64 (a regression target as the file
    /// writes it).
    pub fn fit_exact(values: &[f64], width: usize, rows: &[usize]) -> (Self, Vec<usize>) {
        let row = |r: usize| &values[r * width..(r + 1) * width];
        let n = rows.len().max(1) as f64;
        let mut sum = vec![0f64; width];
        let mut varies = vec![false; width];
        let first = rows.first().map(|&r| row(r));
        for &r in rows {
            for (j, &v) in row(r).iter().enumerate() {
                sum[j] += v;
                varies[j] |= first.is_some_and(|f| f[j] != v);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        // population variance Σ(x − mean)² / n, in a second pass: E[x²] − E[x]² of a timestamp
        // (x² ≈ 2.6e18, f64's steps there 512) lost a variance of 3e5 to 0.1 %
        let mut squares = vec![0f64; width];
        for &r in rows {
            for (j, &v) in row(r).iter().enumerate() {
                squares[j] += (v - mean[j]).powi(2);
            }
        }
        let constant = (0..width).filter(|&j| !varies[j]).collect();
        let std = (0..width)
            .map(|j| match (varies[j], squares[j] / n) {
                (false, _) => 1.0, // never divide by zero
                (true, var) if var > 1e-12 => var.sqrt(),
                (true, var) => normal_or_one(var.sqrt()),
            })
            .collect();
        (Self { mean, std }, constant)
    }

    /// Why it cannot scale `columns` columns (`1 mean and 1 deviation for 2 columns`, `a
    /// deviation of 0 in column 2 (…)`); None where it can.
    pub fn unfit_for(&self, columns: usize) -> Option<String> {
        let (means, stds) = (self.mean.len(), self.std.len());
        if means != columns || stds != columns {
            let count = crate::plural::count;
            return Some(format!(
                "{} and {} for {}",
                count(means, "mean"),
                count(stds, "deviation"),
                count(columns, "column")
            ));
        }
        // f32's too: the features are scaled in it
        let fine =
            |(&m, &s): (&f64, &f64)| (m as f32).is_finite() && (s as f32).is_normal() && s > 0.0;
        let i = (self.mean.iter().zip(&self.std)).position(|c| !fine(c))?;
        Some(format!(
            "a mean of {} and a deviation of {} in column {} (each needs a finite mean and a \
             positive, finite deviation)",
            self.mean[i],
            self.std[i],
            i + 1
        ))
    }

    /// The f32 spacing of column `j`'s values around its mean, as a share of its deviation:
    /// above 1/100, rows that differ by less than a hundredth of a deviation are read alike
    /// (a timestamp of 1.6e9 varying by minutes: steps of 128).
    pub fn coarseness(&self, j: usize) -> f64 {
        self.spacing(j) / self.std[j]
    }

    /// The spacing of f32's values around column `j`'s mean (128 around 1.6e9).
    pub fn spacing(&self, j: usize) -> f64 {
        let step = (self.mean[j].abs() as f32).to_bits() & 0x7f80_0000; // f32's exponent of |mean|
        f32::from_bits(step) as f64 * f32::EPSILON as f64
    }

    /// The columns whose values f32 reads too coarsely for their spread ([`Self::coarseness`]).
    pub fn coarse_columns(&self) -> Vec<usize> {
        (0..self.mean.len())
            .filter(|&j| self.coarseness(j) > 1.0 / STEPS_PER_SPREAD)
            .collect()
    }

    /// Refits the mean and deviation of `exact`'s columns from their values as written, over
    /// `rows` (missing cells left out), where they are not constant there.
    pub fn refit_exact(&mut self, exact: &ExactColumns, rows: &[usize]) {
        let k = exact.columns.len();
        for (i, &j) in exact.columns.iter().enumerate() {
            let values: Vec<f64> = (rows.iter())
                .map(|&r| exact.values[r * k + i])
                .filter(|v| !v.is_nan())
                .collect();
            let all: Vec<usize> = (0..values.len()).collect();
            let (fitted, constant) = Self::fit_exact(&values, 1, &all);
            if constant.is_empty() && !values.is_empty() {
                (self.mean[j], self.std[j]) = (fitted.mean[0], fitted.std[0]);
            }
        }
    }

    /// Standardises `exact`'s columns of row-major `features` from their values as written, in
    /// f64 before the network's f32; a missing cell keeps what the fill gave (`features`'
    /// standardised value).
    pub fn apply_exact_columns(&self, features: &mut [f32], exact: &ExactColumns) {
        let (width, k) = (self.mean.len(), exact.columns.len());
        for (row, values) in features
            .chunks_mut(width)
            .zip(exact.values.chunks(k.max(1)))
        {
            for (&j, &x) in exact.columns.iter().zip(values) {
                if !x.is_nan() {
                    row[j] = ((x - self.mean[j]) / self.std[j]) as f32;
                }
            }
        }
    }

    /// Standardises row-major `features` in place.
    pub fn apply(&self, features: &mut [f32]) {
        let width = self.mean.len();
        for row in features.chunks_mut(width) {
            for ((x, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                let (m, s) = (m as f32, s as f32); // in f32, as the features are read
                let z = (*x - m) / s;
                // x − mean overflows f32 near its range (3e38 − (−3e38)); z, of a value like the
                // training rows', does not
                *x = match z.is_finite() {
                    true => z,
                    false => ((*x as f64 - m as f64) / s as f64) as f32,
                };
            }
        }
    }

    /// Whether `other` scales as this one does to f32's precision: a run written before scalers
    /// were kept in f64 recorded its means in f32's digits, and is the same data.
    pub fn same_as(&self, other: &Scaler) -> bool {
        let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        f32s(&self.mean) == f32s(&other.mean) && f32s(&self.std) == f32s(&other.std)
    }

    /// Standardises row-major values read in f64 (a regression target as the file writes it)
    /// into `out`, in f64 before the network's f32: a timestamp's last digits survive as z's.
    pub fn apply_exact(&self, values: &[f64], out: &mut [f32]) {
        let width = self.mean.len();
        for (row, zs) in values.chunks(width).zip(out.chunks_mut(width)) {
            for (((x, z), m), s) in row.iter().zip(zs).zip(&self.mean).zip(&self.std) {
                *z = ((x - m) / s) as f32;
            }
        }
    }

    /// Standardises a regression target's `values`: from `exact`, the same values as the file
    /// wrote them in f64, where given.
    pub fn apply_targets(&self, values: &mut [f32], exact: Option<&[f64]>) {
        match exact {
            Some(exact) => self.apply_exact(exact, values),
            None => self.apply(values),
        }
    }

    /// One value of column `column` back in its own units: `z·std + mean`.
    pub fn original(&self, column: usize, z: f64) -> f64 {
        z * self.std[column] + self.mean[column]
    }

    /// The inverse of [`apply`](Self::apply): `z·std + mean`, back to the columns' own units.
    pub fn invert(&self, features: &mut [f32]) {
        let width = self.mean.len();
        for row in features.chunks_mut(width) {
            for (j, z) in row.iter_mut().enumerate() {
                *z = self.original(j, *z as f64) as f32;
            }
        }
    }
}

/// Which of a run's two scalers cannot scale its columns (`features` inputs, `outputs` targets),
/// and why, as `("scaler", …)` or `("target scaler", …)`: what rows and `config.json` both check.
pub fn unfit_pair(
    scaler: Option<&Scaler>,
    target_scaler: Option<&Scaler>,
    (features, outputs): (usize, usize),
) -> Option<(&'static str, String)> {
    let scalers = [
        (scaler, features, "scaler"),
        (target_scaler, outputs, "target scaler"),
    ];
    (scalers.into_iter()).find_map(|(s, columns, what)| Some((what, s?.unfit_for(columns)?)))
}

/// `std`, or 1 where f32 cannot divide by it: a spread below f32's smallest normal number (a
/// column that differs only in subnormal values) rounds to 0 or makes the quotient overflow, and
/// is as good as constant (scikit-learn's `StandardScaler` treats a near-zero scale so too).
fn normal_or_one(std: f64) -> f64 {
    if (std as f32).is_normal() {
        std
    } else {
        1.0
    }
}

/// One warning for the input columns that hold one value in every training row (an audit's
/// file of 5000 gave 5000 lines): the first few by name, the rest counted; the file's `path`
/// first where the rows came from one.
pub(crate) fn constant_columns(names: &[String], path: Option<&Path>) -> Option<String> {
    const SHOWN: usize = 5;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    let path = path.map_or(String::new(), |p| format!("{}: ", p.display()));
    let listed = match names.len() {
        0 => return None,
        1 => {
            let one = &quoted[0];
            let why = "is constant in the training rows; it carries no information";
            return Some(format!("{path}column {one} {why}"));
        }
        n if n > SHOWN => format!("{} and {} more", quoted.join(", "), n - SHOWN),
        _ => crate::plural::and_list(&quoted.iter().map(String::as_str).collect::<Vec<_>>()),
    };
    Some(format!(
        "{path}columns {listed} are constant in the training rows; they carry no information"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Targets;

    /// Four rows of `features` (row-major) in columns `names`, with a target nobody reads.
    fn four_rows(features: Vec<f32>, names: &[&str]) -> Dataset {
        let targets = Targets::Values {
            values: vec![0.0; 4],
            width: 1,
        };
        let names = names.iter().map(|n| n.to_string()).collect();
        Dataset::new(features, names, targets, vec![]).expect("consistent")
    }

    /// Timestamps 33 s apart: E[x²] − E[x]² lost their variance to 0.1 % (x² ≈ 2.6e18, where
    /// f64's steps are 512). A uniform grid of n steps of h has deviation h·√((n² − 1)/12).
    #[test]
    fn the_deviation_of_large_values_is_taken_about_their_mean() {
        let values: Vec<f64> = (0..60).map(|k| 1.6e9 - 1000.0 + 33.0 * k as f64).collect();
        let rows: Vec<usize> = (0..60).collect();
        let (scaler, _) = Scaler::fit_exact(&values, 1, &rows);
        let want = 33.0 * ((60.0f64 * 60.0 - 1.0) / 12.0).sqrt();
        assert!(
            (scaler.std[0] / want - 1.0).abs() < 1e-12,
            "{} against {want}",
            scaler.std[0]
        );
        assert_eq!(scaler.mean[0], 1.6e9 - 1000.0 + 33.0 * 29.5);
    }

    #[test]
    fn standardised_training_columns_have_mean_zero_and_std_one() {
        // column a: 1, 2, 3, 4 → mean 2.5, std √1.25; column b constant 7
        let data = four_rows(vec![1.0, 7.0, 2.0, 7.0, 3.0, 7.0, 4.0, 7.0], &["a", "b"]);
        let (scaler, constant) = Scaler::fit(&data, &[0, 1, 2, 3]);
        assert_eq!(scaler.mean, vec![2.5, 7.0]);
        assert!((scaler.std[0] - 1.25f64.sqrt()).abs() < 1e-6);
        assert_eq!(
            scaler.std[1], 1.0,
            "a constant column is not divided by zero"
        );
        assert_eq!(constant, vec!["b".to_string()]);
        let mut row = vec![4.0, 7.0];
        scaler.apply(&mut row);
        assert!((row[0] - 1.5 / 1.25f32.sqrt()).abs() < 1e-6);
        assert_eq!(row[1], 0.0);
    }

    #[test]
    fn columns_of_targets_are_standardised_on_the_given_rows_and_mapped_back() {
        // two target columns over rows 0, 2 and 3 (row 1 is a validation row, not learned):
        // y0 = 1000, 3000, 5000 → mean 3000, std √(8e6/3); y1 = 5, 5, 5 → constant
        let values = [1000.0, 5.0, 9e9, 7.0, 3000.0, 5.0, 5000.0, 5.0];
        let (scaler, constant) = Scaler::fit_columns(&values, 2, &[0, 2, 3]);
        assert_eq!(scaler.mean, vec![3000.0, 5.0]);
        assert!((scaler.std[0] / (8e6f64 / 3.0).sqrt() - 1.0).abs() < 1e-6);
        assert_eq!((scaler.std[1], constant), (1.0, vec![1]));
        let mut rows = vec![1000.0, 5.0, 5000.0, 5.0];
        scaler.apply(&mut rows);
        assert!((rows[0] + 1.224_744_9).abs() < 1e-6, "{rows:?}"); // −2000 / 1632.99
        scaler.invert(&mut rows);
        for (got, want) in rows.iter().zip([1000.0, 5.0, 5000.0, 5.0]) {
            assert!((got - want).abs() <= 1e-3, "{got} back for {want}"); // f32 rounding
        }
    }

    /// An outside review's column of ±3e38: x − mean overflowed f32 and training stopped on an
    /// `-inf` input, told as a diverged run.
    #[test]
    fn values_near_the_range_of_f32_standardise_to_finite_values() {
        let values = vec![3e38f32, 3e38, -3e38, 1e38];
        let data = four_rows(values.clone(), &["huge"]);
        let (scaler, _) = Scaler::fit(&data, &[0, 1, 2, 3]);
        let mut rows = values.clone();
        scaler.apply(&mut rows);
        // mean 1e38, std √((4+4+16+0)/4)·1e38 = √6·1e38: z = (x − 1e38) / (√6·1e38)
        for (z, x) in rows.iter().zip(&values) {
            let want = (*x as f64 - 1e38) / (6f64.sqrt() * 1e38);
            assert!((*z as f64 - want).abs() < 1e-6, "{z} for {x}: {want}");
        }
    }

    #[test]
    fn a_column_of_tiny_values_that_vary_is_standardised_not_called_constant() {
        // 1e-7 · (−1, 0, 1, 2): std 1.118e-7, below what E[x²] − E[x]² > 1e-12 could see
        let values: Vec<f32> = [-1.0f32, 0.0, 1.0, 2.0].iter().map(|v| v * 1e-7).collect();
        let data = four_rows(values.clone(), &["tiny"]);
        let (scaler, constant) = Scaler::fit(&data, &[0, 1, 2, 3]);
        assert!(constant.is_empty(), "{constant:?}");
        let expected = 1.25f64.sqrt() * 1e-7;
        assert!(
            (scaler.std[0] / expected - 1.0).abs() < 1e-5,
            "{:?}",
            scaler.std
        );
        let mut rows = values;
        scaler.apply(&mut rows);
        let mean_sq = rows.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / 4.0;
        assert!((mean_sq - 1.0).abs() < 1e-4, "standardised: {rows:?}");
    }

    #[test]
    fn a_column_that_differs_only_in_subnormal_values_is_divided_by_one_not_zero() {
        // 0 and 1.4e-45 (f32's smallest subnormal): spread 7e-46, which rounds to an f32 of 0
        let tiny = f32::from_bits(1);
        let data = four_rows(vec![0.0, tiny, 0.0, tiny], &["dust"]);
        let (scaler, _) = Scaler::fit(&data, &[0, 1, 2, 3]);
        assert_eq!(scaler.std, vec![1.0]);
        assert_eq!(scaler.unfit_for(1), None, "a scaler config.json accepts");
        let mut rows = vec![0.0, tiny];
        scaler.apply(&mut rows);
        assert!(rows.iter().all(|x| x.is_finite()), "{rows:?}");
    }
}
