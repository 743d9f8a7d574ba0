//! Claim: without activations a deep stack of linear layers is still one linear map.

use crate::experiment::catalog::{config, data, pct, variant, with, Experiment, Extra};
use crate::experiment::runner::Variant;
use crate::experiment::verdict::{Difference, Judgement, Results};
use crate::model::{ActivationConfig, InitConfig};

const ONE: &str = "1 linear layer";
const TEN: &str = "10 linear layers";
const RELU: &str = "10 layers + ReLU";

/// A disc inside a ring: no line separates them, so a linear map stays near 50 %.
pub const EXPERIMENT: Experiment = Experiment {
    name: "linear-collapse",
    claim: "without activations a deep stack of linear layers is still one linear map",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("circles", 256, 256, 0.05);
    let base = config(vec![16; 10], 100, quick);
    let linear =
        |c: &mut crate::train::TrainConfig| c.model.activation = ActivationConfig::Identity;
    vec![
        variant(
            ONE,
            &d,
            with(base.clone(), |c| {
                c.model.hidden = vec![];
                linear(c);
            }),
        ),
        variant(TEN, &d, with(base.clone(), linear)),
        variant(
            RELU,
            &d,
            with(base, |c| c.model.init = InitConfig::HeNormal),
        ),
    ]
}

/// Held when ten linear layers do no better than one while ten ReLU layers do (so the task
/// needs more than a linear map); did not hold when the linear stack beats one layer.
pub fn verdict(r: &Results) -> Judgement {
    let parts = vec![
        r.beats(RELU, TEN)
            .points("ten ReLU layers beat ten linear layers"),
        Difference::at_most(&r.test_accuracies(TEN), &r.test_accuracies(ONE))
            .points("ten linear layers do no better than one"),
    ];
    let summary = format!(
        "on the test split ten linear layers reached {} and one reached {} (no line separates \
         a disc from a ring); with ReLU the same depth reached {}.",
        pct(r.accuracy(TEN)),
        pct(r.accuracy(ONE)),
        pct(r.accuracy(RELU))
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    #[test]
    fn the_verdict_needs_relu_ahead_and_the_linear_stack_no_better_than_one_layer() {
        let cases = [
            (shuffled(0.51), around(0.50), shuffled(0.99)), // held
            (shuffled(0.50), around(0.80), shuffled(0.99)), // ten linear layers gain: did not hold
            (shuffled(0.50), around(0.50), shuffled(0.503)), // ReLU within the spread: inconclusive
        ];
        for ((one, ten, relu), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [
                accuracies(ONE, &one),
                accuracies(TEN, &ten),
                accuracies(RELU, &relu),
            ];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }

    #[test]
    fn one_seed_is_inconclusive_and_says_so() {
        let r = [
            accuracies(ONE, &[0.5]),
            accuracies(TEN, &[0.5]),
            accuracies(RELU, &[1.0]),
        ];
        let j = verdict(&Results(&r));
        assert!(
            j.to_string()
                .starts_with("Inconclusive on this run: on the test split"),
            "{j}"
        );
        assert!(
            j.to_string().contains("1 seed; a verdict needs 3 seeds"),
            "{j}"
        );
    }
}
