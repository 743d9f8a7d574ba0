//! `train --class-weight`: each class's weight in the training loss, `balanced` or given.

use std::str::FromStr;

use plaindnn::data::Subset;
use plaindnn::error::{Error, Result};

/// `balanced` (scikit-learn's `class_weight="balanced"`), one weight per class in the order of
/// the classes' indices, or weights by class name (scikit-learn's and Keras' dict).
#[derive(Clone, Debug, PartialEq)]
pub enum ClassWeight {
    /// `n / (k · n_c)` over the training rows: every class weighs as much in total.
    Balanced,
    /// As given.
    Given(Vec<f64>),
    /// `fraud:10,ok:1`: the classes named, each other class 1 (as scikit-learn's dict).
    Named(Vec<(String, f64)>),
}

impl FromStr for ClassWeight {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s == "balanced" {
            return Ok(ClassWeight::Balanced);
        }
        let wrong = || {
            format!(
                "`{s}`: give `balanced`, one number per class, comma-separated (1,5), or classes \
                 and their weights (fraud:10,ok:1)"
            )
        };
        if s.contains(':') {
            let named = s.split(',').map(|pair| {
                let (name, weight) = pair.rsplit_once(':')?;
                Some((name.trim().to_string(), weight.trim().parse().ok()?))
            });
            return named
                .collect::<Option<_>>()
                .map(ClassWeight::Named)
                .ok_or_else(wrong);
        }
        let weights: std::result::Result<Vec<f64>, _> = s.split(',').map(str::parse).collect();
        weights.map(ClassWeight::Given).map_err(|_| wrong())
    }
}

impl ClassWeight {
    /// The weights for the classes of `train`'s rows; `balanced` refuses a class that has none,
    /// named weights a class there is not (or one named twice).
    pub fn resolve(&self, train: &Subset) -> Result<Vec<f64>> {
        let data = &train.data;
        match self {
            ClassWeight::Given(weights) => return Ok(weights.clone()),
            ClassWeight::Named(named) => return by_name(named, &data.class_names),
            ClassWeight::Balanced => {}
        }
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

/// One weight per class of `classes`: those `named` gives, 1 for the others. A name is read as
/// a target's cell is (`TRUE` names `True`, `2.0` names `2`).
fn by_name(named: &[(String, f64)], classes: &[String]) -> Result<Vec<f64>> {
    if classes.is_empty() {
        return Ok(Vec::new()); // no classes: TrainConfig::validate_for refuses the weights
    }
    let (mut weights, mut given) = (vec![1.0; classes.len()], vec![false; classes.len()]);
    for (name, weight) in named {
        let as_class = plaindnn::data::target::class_name(name);
        let Some(c) = classes.iter().position(|k| k == name || *k == as_class) else {
            let quoted: Vec<String> = classes.iter().map(|k| format!("`{k}`")).collect();
            let why = format!("no class `{name}`; the classes are: {}", quoted.join(", "));
            return Err(Error::invalid("class-weight", why));
        };
        if std::mem::replace(&mut given[c], true) {
            let why = format!("class `{}` is named twice; name each once", classes[c]);
            return Err(Error::invalid("class-weight", why));
        }
        weights[c] = *weight;
    }
    Ok(weights)
}
