//! Missing cells filled in, as scikit-learn's `SimpleImputer`: each feature column's missing
//! cells (NaN once read) take the mean or the median of the training rows' present values,
//! learned on the training rows only and saved for predict and eval.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What a missing cell becomes: `SimpleImputer`'s `strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The mean of the column's present training values.
    Mean,
    /// Their median (the mean of the middle two for an even count, as NumPy's).
    Median,
}

impl Strategy {
    /// The flag's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Mean => "mean",
            Strategy::Median => "median",
        }
    }
}

impl FromStr for Strategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(Strategy::Mean),
            "median" => Ok(Strategy::Median),
            _ => Err(Error::Unknown {
                what: "--impute strategy",
                got: s.to_string(),
                valid: "mean, median".into(),
            }),
        }
    }
}

/// The value each feature column's missing cells take; saved in `config.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imputer {
    /// How the values were learned.
    pub strategy: Strategy,
    /// One per feature column, in the network's order.
    pub fill: Vec<f32>,
}

impl Imputer {
    /// Learns each column's fill from the present values of the `rows` of row-major `values`
    /// (`names.len()` per row); a column with none there is refused by name.
    pub fn fit(
        strategy: Strategy,
        values: &[f32],
        names: &[String],
        rows: &[usize],
    ) -> Result<Self> {
        let width = names.len();
        let fill = (0..width)
            .map(|j| {
                let mut present: Vec<f64> = (rows.iter())
                    .map(|&r| values[r * width + j])
                    .filter(|v| !v.is_nan())
                    .map(f64::from)
                    .collect();
                match present.is_empty() {
                    true => Err(Error::Data(format!(
                        "column `{}` is missing in every training row: --impute has nothing to \
                         fill it with; leave it out with --features",
                        names[j]
                    ))),
                    false => Ok(statistic(strategy, &mut present) as f32),
                }
            })
            .collect::<Result<_>>()?;
        Ok(Imputer { strategy, fill })
    }

    /// Fills the missing cells of row-major `values`; returns how many each column had.
    pub fn apply(&self, values: &mut [f32]) -> Vec<usize> {
        let mut filled = vec![0; self.fill.len()];
        for row in values.chunks_mut(self.fill.len()) {
            for ((v, &fill), n) in row.iter_mut().zip(&self.fill).zip(&mut filled) {
                if v.is_nan() {
                    (*v, *n) = (fill, *n + 1);
                }
            }
        }
        filled
    }
}

/// The mean or the median of `values` (not empty), in f64.
fn statistic(strategy: Strategy, values: &mut [f64]) -> f64 {
    let n = values.len();
    match strategy {
        Strategy::Mean => values.iter().sum::<f64>() / n as f64,
        Strategy::Median => {
            values.sort_unstable_by(f64::total_cmp);
            match n % 2 {
                1 => values[n / 2],
                _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|j| format!("c{j}")).collect()
    }

    #[test]
    fn the_fill_is_the_mean_or_median_of_the_training_rows_present_values() {
        let nan = f32::NAN;
        // rows 0..4 train; row 4 (100) is validation and must not move the fill
        let values = [1.0, nan, 2.0, 10.0, nan, 20.0, 7.0, 40.0, 100.0, 100.0];
        let rows = [0, 1, 2, 3];
        // NumPy: nanmean([1, 2, 7]) = 10/3, nanmedian = 2; nanmean([10, 20, 40]) = 70/3, median 20
        let mean = Imputer::fit(Strategy::Mean, &values, &names(2), &rows).unwrap();
        assert_eq!(mean.fill, [(10.0f64 / 3.0) as f32, (70.0f64 / 3.0) as f32]);
        let median = Imputer::fit(Strategy::Median, &values, &names(2), &rows).unwrap();
        assert_eq!(median.fill, [2.0, 20.0]);
        let even = Imputer::fit(
            Strategy::Median,
            &[4.0, 1.0, 3.0, 2.0],
            &names(1),
            &[0, 1, 2, 3],
        );
        assert_eq!(even.unwrap().fill, [2.5]);
        let mut filled = values;
        assert_eq!(median.apply(&mut filled), [1, 1]);
        assert_eq!(
            filled,
            [1.0, 20.0, 2.0, 10.0, 2.0, 20.0, 7.0, 40.0, 100.0, 100.0]
        );
    }

    #[test]
    fn a_column_missing_in_every_training_row_is_refused_by_name() {
        let values = [f32::NAN, 1.0, f32::NAN, 2.0, 5.0, 3.0];
        let e = Imputer::fit(Strategy::Mean, &values, &names(2), &[0, 1]).unwrap_err();
        assert!(
            e.to_string()
                .contains("column `c0` is missing in every training row"),
            "{e}"
        );
    }
}
