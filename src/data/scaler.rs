//! Standardisation: `x' = (x − mean) / std` per feature, learned on the training rows only.

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;

/// Per-feature mean and standard deviation; saved in `config.json` and applied at prediction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    /// Mean of each feature over the training rows.
    pub mean: Vec<f32>,
    /// Standard deviation of each feature (1 for a constant feature: never divide by zero).
    pub std: Vec<f32>,
}

impl Scaler {
    /// Learns mean and std of `data`'s `rows`; returns the names of constant features (one
    /// value in every row) too.
    pub fn fit(data: &Dataset, rows: &[usize]) -> (Self, Vec<String>) {
        let width = data.width();
        let n = rows.len().max(1) as f64;
        let mut sum = vec![0f64; width];
        let mut sum_sq = vec![0f64; width];
        let mut varies = vec![false; width];
        let first = rows.first().map(|&r| data.row(r));
        for &r in rows {
            for (j, &v) in data.row(r).iter().enumerate() {
                sum[j] += v as f64;
                sum_sq[j] += (v as f64) * (v as f64);
                varies[j] |= first.is_some_and(|f| f[j] != v);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        // population variance E[x²] − E[x]², clamped at 0 against rounding
        let var: Vec<f64> = sum_sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| (s / n - m * m).max(0.0))
            .collect();
        let constant: Vec<String> = (varies.iter().zip(&data.feature_names))
            .filter(|(v, _)| !**v)
            .map(|(_, name)| name.clone())
            .collect();
        let std = (0..width)
            .map(|j| match (varies[j], var[j] > 1e-12) {
                (false, _) => 1.0, // never divide by zero
                (true, true) => var[j].sqrt() as f32,
                // a small spread, which E[x²] − E[x]² may have lost: Σ(x − mean)² / n
                (true, false) => Self::spread(data, rows, j, mean[j]) as f32,
            })
            .collect();
        (
            Self {
                mean: mean.iter().map(|m| *m as f32).collect(),
                std,
            },
            constant,
        )
    }

    /// The population standard deviation of column `j`, summed from its deviations.
    fn spread(data: &Dataset, rows: &[usize], j: usize, mean: f64) -> f64 {
        let squares: f64 = rows
            .iter()
            .map(|&r| (data.row(r)[j] as f64 - mean).powi(2))
            .sum();
        (squares / rows.len().max(1) as f64).sqrt()
    }

    /// Standardises row-major `features` in place.
    pub fn apply(&self, features: &mut [f32]) {
        let width = self.mean.len();
        for row in features.chunks_mut(width) {
            for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = (*x - m) / s;
            }
        }
    }

    /// The inverse of [`apply`](Self::apply): `z·std + mean`, back to the columns' own units.
    pub fn invert(&self, features: &mut [f32]) {
        let width = self.mean.len();
        for row in features.chunks_mut(width) {
            for ((z, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *z = *z * s + m;
            }
        }
    }
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

    #[test]
    fn standardised_training_columns_have_mean_zero_and_std_one() {
        // column a: 1, 2, 3, 4 → mean 2.5, std √1.25; column b constant 7
        let data = four_rows(vec![1.0, 7.0, 2.0, 7.0, 3.0, 7.0, 4.0, 7.0], &["a", "b"]);
        let (scaler, constant) = Scaler::fit(&data, &[0, 1, 2, 3]);
        assert_eq!(scaler.mean, vec![2.5, 7.0]);
        assert!((scaler.std[0] - 1.25f32.sqrt()).abs() < 1e-6);
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
    fn a_column_of_tiny_values_that_vary_is_standardised_not_called_constant() {
        // 1e-7 · (−1, 0, 1, 2): std 1.118e-7, below what E[x²] − E[x]² > 1e-12 could see
        let values: Vec<f32> = [-1.0f32, 0.0, 1.0, 2.0].iter().map(|v| v * 1e-7).collect();
        let data = four_rows(values.clone(), &["tiny"]);
        let (scaler, constant) = Scaler::fit(&data, &[0, 1, 2, 3]);
        assert!(constant.is_empty(), "{constant:?}");
        let expected = 1.25f64.sqrt() * 1e-7;
        assert!(
            (scaler.std[0] as f64 / expected - 1.0).abs() < 1e-5,
            "{:?}",
            scaler.std
        );
        let mut rows = values;
        scaler.apply(&mut rows);
        let mean_sq = rows.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / 4.0;
        assert!((mean_sq - 1.0).abs() < 1e-4, "standardised: {rows:?}");
    }
}
