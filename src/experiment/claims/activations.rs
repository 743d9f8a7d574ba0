//! Claim: for deep nets, ELU > leaky ReLU > ReLU > tanh > sigmoid.

use crate::experiment::catalog::{config, data, variant, with, Experiment, Extra};
use crate::experiment::runner::Variant;
use crate::experiment::verdict::{Judgement, Results};
use crate::model::{ActivationConfig, InitConfig};

/// The claimed order, best first.
const ORDER: [&str; 5] = ["ELU", "leaky ReLU", "ReLU", "tanh", "sigmoid"];

/// Six hidden layers of 32 on the two spirals, He init for all.
pub const EXPERIMENT: Experiment = Experiment {
    name: "activations",
    claim: "for deep nets: ELU > leaky ReLU > ReLU > tanh > sigmoid",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("spiral", 512, 512, 0.05);
    let base = with(config(vec![32; 6], 150, quick), |c| {
        c.model.init = InitConfig::HeNormal
    });
    let activations = [
        ActivationConfig::Elu { alpha: 1.0 },
        ActivationConfig::LeakyRelu { slope: 0.01 },
        ActivationConfig::Relu,
        ActivationConfig::Tanh,
        ActivationConfig::Sigmoid,
    ];
    ORDER
        .into_iter()
        .zip(activations)
        .map(|(label, a)| variant(label, &d, with(base.clone(), |c| c.model.activation = a)))
        .collect()
}

/// The chain holds when each activation beats the next one in the claimed order.
pub fn verdict(r: &Results) -> Judgement {
    let parts = ORDER
        .windows(2)
        .map(|w| {
            r.beats(w[0], w[1])
                .points(&format!("{} beats {}", w[0], w[1]))
        })
        .collect();
    let mut measured = ORDER.to_vec();
    measured.sort_by(|a, b| r.accuracy(b).total_cmp(&r.accuracy(a)));
    let summary = format!("by test accuracy the order was {}.", measured.join(" > "));
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    fn results(means: [f64; 5]) -> Vec<crate::experiment::runner::VariantResult> {
        ORDER
            .iter()
            .zip(means)
            .zip([around, shuffled, around, shuffled, around])
            .map(|((l, m), seeds)| accuracies(l, &seeds(m)))
            .collect()
    }

    #[test]
    fn each_activation_must_beat_the_next_beyond_the_spread() {
        let cases = [
            [0.97, 0.95, 0.93, 0.90, 0.60], // held
            [0.90, 0.95, 0.93, 0.92, 0.60], // leaky ReLU ahead of ELU: did not hold
            [0.95, 0.95, 0.93, 0.90, 0.60], // ELU and leaky ReLU tied: inconclusive
        ];
        for (means, want) in cases.into_iter().zip(OUTCOMES) {
            let j = verdict(&Results(&results(means)));
            assert_eq!(j.verdict, want, "{j}");
            assert_eq!(j.parts.len(), 4, "one part per neighbouring pair");
        }
    }

    #[test]
    fn the_summary_gives_the_measured_order() {
        let j = verdict(&Results(&results([0.90, 0.95, 0.93, 0.92, 0.60])));
        assert_eq!(
            j.summary,
            "by test accuracy the order was leaky ReLU > ReLU > tanh > ELU > sigmoid."
        );
    }
}
