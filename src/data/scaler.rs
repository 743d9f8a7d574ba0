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
    /// Learns mean and std of `data`'s `rows`; returns the names of constant features too.
    pub fn fit(data: &Dataset, rows: &[usize]) -> (Self, Vec<String>) {
        let width = data.width();
        let n = rows.len().max(1) as f64;
        let mut sum = vec![0f64; width];
        let mut sum_sq = vec![0f64; width];
        for &r in rows {
            for (j, &v) in data.row(r).iter().enumerate() {
                sum[j] += v as f64;
                sum_sq[j] += (v as f64) * (v as f64);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        // population variance E[x²] − E[x]², clamped at 0 against rounding
        let var: Vec<f64> = sum_sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| (s / n - m * m).max(0.0))
            .collect();
        let constant: Vec<String> = var
            .iter()
            .zip(&data.feature_names)
            .filter(|(v, _)| **v <= 1e-12)
            .map(|(_, name)| name.clone())
            .collect();
        let std = var
            .iter()
            .map(|v| if *v <= 1e-12 { 1.0 } else { v.sqrt() as f32 })
            .collect();
        (
            Self {
                mean: mean.iter().map(|m| *m as f32).collect(),
                std,
            },
            constant,
        )
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Targets;

    #[test]
    fn standardised_training_columns_have_mean_zero_and_std_one() {
        // column a: 1, 2, 3, 4 → mean 2.5, std √1.25; column b constant 7
        let data = Dataset::new(
            vec![1.0, 7.0, 2.0, 7.0, 3.0, 7.0, 4.0, 7.0],
            vec!["a".into(), "b".into()],
            Targets::Values {
                values: vec![0.0; 4],
                width: 1,
            },
            vec![],
        )
        .expect("consistent");
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
}
