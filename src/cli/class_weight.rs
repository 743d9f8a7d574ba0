//! `train --class-weight`: each class's weight in the training loss, `balanced` or given.

use std::str::FromStr;

use plaindnn::data::Subset;
use plaindnn::error::{Error, Result};

/// `balanced` (scikit-learn's `class_weight="balanced"`) or one weight per class, in the order of
/// the classes' indices.
#[derive(Clone, Debug, PartialEq)]
pub enum ClassWeight {
    /// `n / (k · n_c)` over the training rows: every class weighs as much in total.
    Balanced,
    /// As given.
    Given(Vec<f64>),
}

impl FromStr for ClassWeight {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s == "balanced" {
            return Ok(ClassWeight::Balanced);
        }
        let weights: std::result::Result<Vec<f64>, _> = s.split(',').map(str::parse).collect();
        weights.map(ClassWeight::Given).map_err(|_| {
            format!("`{s}`: give `balanced` or one number per class, comma-separated (1,5)")
        })
    }
}

impl ClassWeight {
    /// The weights for the classes of `train`'s rows; `balanced` refuses a class that has none.
    pub fn resolve(&self, train: &Subset) -> Result<Vec<f64>> {
        if let ClassWeight::Given(weights) = self {
            return Ok(weights.clone());
        }
        let data = &train.data;
        let Some(counts) = data.class_counts(train.rows.iter().copied()) else {
            return Ok(Vec::new()); // no classes: TrainConfig::validate_for refuses the weights
        };
        let k = counts.len();
        if let Some(empty) = counts.iter().position(|&n| n == 0) {
            let why = format!(
                "balanced: class `{}` has no training rows to balance; give the weights instead",
                data.class_names[empty]
            );
            return Err(Error::invalid("class-weight", why));
        }
        let n = train.rows.len() as f64;
        Ok(counts.iter().map(|&c| n / (k as f64 * c as f64)).collect())
    }
}
