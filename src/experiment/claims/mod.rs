//! One file per experiment: its variants and the named function that judges its claim.

pub mod activations;
pub mod default_config;
pub mod depth;
pub mod exploding_gradients;
pub mod linear_collapse;
pub mod optimizers;
pub mod overfitting;
pub mod pretraining;
pub mod transfer;
pub mod vanishing_gradients;

/// Synthetic results for the verdict functions' tests.
#[cfg(test)]
pub(crate) mod fake {
    use crate::experiment::runner::{RunSummary, VariantResult};
    use crate::experiment::verdict::Verdict;

    /// A variant whose seeds 0, 1, … wrote `values` into the column that `set` writes.
    pub fn variant(label: &str, values: &[f64], set: fn(&mut RunSummary, f64)) -> VariantResult {
        let runs = (0..)
            .zip(values)
            .map(|(seed, &v)| {
                let mut s = RunSummary {
                    seed,
                    ..RunSummary::default()
                };
                set(&mut s, v);
                s
            })
            .collect();
        VariantResult {
            label: label.into(),
            runs,
            diverged: 0,
        }
    }

    /// A variant with these test accuracies.
    pub fn accuracies(label: &str, values: &[f64]) -> VariantResult {
        variant(label, values, |s, v| s.test_accuracy = v)
    }

    /// Five seeds around `mean` (±0.01).
    pub fn around(mean: f64) -> [f64; 5] {
        [-0.01, 0.0, 0.01, -0.005, 0.005].map(|d| mean + d)
    }

    /// Five seeds around `mean`, in another order than [`around`]: against it the per-seed
    /// differences vary (sd 0.0127), so 2 × SE = 0.0114 — a gap of 0.02 shows, 0.005 does not.
    pub fn shuffled(mean: f64) -> [f64; 5] {
        [0.01, -0.01, 0.005, 0.0, -0.005].map(|d| mean + d)
    }

    /// The three outcomes in the order the tests list them.
    pub const OUTCOMES: [Verdict; 3] = [Verdict::Held, Verdict::DidNotHold, Verdict::Inconclusive];
}
