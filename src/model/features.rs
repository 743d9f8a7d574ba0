//! Extra inputs computed from the given ones inside the network, as TensorFlow Playground offers
//! them: x², x·y and sin x. A line cannot separate a disc from a ring, but with x² and y² one
//! neuron can — features against depth. Being part of the model, `predict`, `eval` and the
//! decision regions see the same inputs the network trained on.

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One kind of added input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddedFeature {
    /// Each input squared: x², y².
    Square,
    /// Each pair of inputs multiplied: x·y.
    Product,
    /// The sine of each input: sin x, sin y.
    Sin,
}

/// Every kind, for messages and `--help`.
pub const ADDED_FEATURE_NAMES: &str = "square, product, sin";

/// Most inputs `product` is offered for: n·(n−1)/2 pairs grow fast (64 inputs: 2016 pairs).
pub const MAX_PRODUCT_INPUTS: usize = 64;

impl FromStr for AddedFeature {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "square" => Ok(Self::Square),
            "product" => Ok(Self::Product),
            "sin" => Ok(Self::Sin),
            other => Err(Error::Unknown {
                what: "added feature",
                got: other.into(),
                valid: ADDED_FEATURE_NAMES.into(),
            }),
        }
    }
}

impl fmt::Display for AddedFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Square => "square",
            Self::Product => "product",
            Self::Sin => "sin",
        })
    }
}

impl fmt::Display for FeatureMap {
    /// As `--add-features` takes them: `square,sin`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<String> = self.added.iter().map(|a| a.to_string()).collect();
        f.write_str(&kinds.join(","))
    }
}

/// The pairs (i, j), i < j, of `n` inputs, in row order: (0,1), (0,2), …, (1,2), …
fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, j)))
}

/// The inputs the network's first layer sees: the given ones, then each added kind in the
/// order square, product, sin.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureMap {
    /// The added kinds, sorted, each once.
    pub added: Vec<AddedFeature>,
}

impl FeatureMap {
    /// The map adding `added` (sorted and deduplicated).
    pub fn new(added: &[AddedFeature]) -> Self {
        let mut added = added.to_vec();
        added.sort();
        added.dedup();
        Self { added }
    }

    /// Width of the expanded input for `n` given inputs.
    pub fn width(&self, n: usize) -> usize {
        n + self
            .added
            .iter()
            .map(|a| match a {
                AddedFeature::Square | AddedFeature::Sin => n,
                AddedFeature::Product => n * n.saturating_sub(1) / 2,
            })
            .sum::<usize>()
    }

    /// Refuses `product` over more than [`MAX_PRODUCT_INPUTS`] inputs, naming the count.
    pub fn validate(&self, n: usize) -> Result<()> {
        if self.added.contains(&AddedFeature::Product) && n < 2 {
            let why = format!(
                "`product` multiplies pairs of inputs, and the data has {}: it would add \
                 nothing (use square or sin)",
                crate::plural::count(n, "input")
            );
            return Err(Error::invalid("--add-features", why));
        }
        if self.added.contains(&AddedFeature::Product) && n > MAX_PRODUCT_INPUTS {
            return Err(Error::invalid(
                "--add-features",
                format!(
                    "`product` of {n} inputs would add {} inputs; it is offered up to \
                     {MAX_PRODUCT_INPUTS} inputs (use square or sin)",
                    n * (n - 1) / 2
                ),
            ));
        }
        Ok(())
    }

    /// Names of the expanded inputs: `x`, `y`, `x²`, `y²`, `x·y`, `sin x`, `sin y`.
    pub fn names(&self, given: &[String]) -> Vec<String> {
        let mut names = given.to_vec();
        for added in &self.added {
            match added {
                AddedFeature::Square => names.extend(given.iter().map(|x| format!("{x}²"))),
                AddedFeature::Product => names
                    .extend(pairs(given.len()).map(|(i, j)| format!("{}·{}", given[i], given[j]))),
                AddedFeature::Sin => names.extend(given.iter().map(|x| format!("sin {x}"))),
            }
        }
        names
    }

    /// `[batch, n] → [batch, width(n)]`: the inputs, then x², x_i·x_j, sin x.
    pub fn expand(&self, x: Tensor<2>) -> Tensor<2> {
        if self.added.is_empty() {
            return x;
        }
        let mut parts = vec![x.clone()];
        for added in &self.added {
            parts.push(match added {
                AddedFeature::Square => x.clone() * x.clone(),
                AddedFeature::Product => products(&x),
                AddedFeature::Sin => x.clone().sin(),
            });
        }
        Tensor::cat(parts, 1)
    }
}

/// Every x_i·x_j, i < j: two gathers and one product, however many pairs.
fn products(x: &Tensor<2>) -> Tensor<2> {
    let n = x.dims()[1];
    let (left, right): (Vec<i64>, Vec<i64>) = pairs(n).map(|(i, j)| (i as i64, j as i64)).unzip();
    let index = |v: Vec<i64>| {
        let len = v.len();
        Tensor::<1, Int>::from_data(TensorData::new(v, [len]), &x.device())
    };
    x.clone().select(1, index(left)) * x.clone().select(1, index(right))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn two_inputs_become_x_y_their_squares_their_product_and_their_sines() {
        let map = FeatureMap::new(&[
            AddedFeature::Sin,
            AddedFeature::Square,
            AddedFeature::Product,
        ]);
        let names = map.names(&["x".into(), "y".into()]);
        assert_eq!(names, ["x", "y", "x²", "y²", "x·y", "sin x", "sin y"]);
        assert_eq!(map.width(2), 7);
        let x =
            Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -2.0], [1, 2]), &Device::flex());
        let got = map.expand(x).into_data().try_to_vec::<f32>().expect("f32");
        let want = [0.5, -2.0, 0.25, 4.0, -1.0, 0.5f32.sin(), (-2.0f32).sin()];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{got:?}");
        }
    }

    #[test]
    fn products_of_four_inputs_are_the_six_pairs_in_row_order() {
        let map = FeatureMap::new(&[AddedFeature::Product]);
        assert_eq!(map.width(4), 4 + 6);
        let x = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 5.0], [1, 4]),
            &Device::flex(),
        );
        let got = map.expand(x).into_data().try_to_vec::<f32>().expect("f32");
        assert_eq!(got[4..], [2.0, 3.0, 5.0, 6.0, 10.0, 15.0]);
    }

    #[test]
    fn products_of_784_pixels_are_refused_with_the_count() {
        let err = FeatureMap::new(&[AddedFeature::Product])
            .validate(784)
            .unwrap_err();
        assert!(err.to_string().contains("would add 306936 inputs"), "{err}");
    }

    #[test]
    fn an_unknown_kind_lists_the_valid_ones() {
        let err = "cube".parse::<AddedFeature>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown added feature `cube`; valid choices: square, product, sin"
        );
    }
}
