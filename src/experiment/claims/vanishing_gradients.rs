//! Claim: in a deep sigmoid net the lower layers stop learning; ReLU with He init, and ELU with
//! He init and BatchNorm, fix it (the fixes measured together, not each alone).

use crate::experiment::catalog::{config, data, pct, variant, with, Experiment, Extra};
use crate::experiment::runner::{Variant, VariantResult};
use crate::experiment::verdict::{Count, Finding, Judgement, Results};
use crate::model::{ActivationConfig, InitConfig};

const SIGMOID: &str = "sigmoid, default init";
const XAVIER: &str = "sigmoid, Xavier";
const RELU_HE: &str = "ReLU, He";
const ELU_HE: &str = "ELU, He";
const ELU_HE_BN: &str = "ELU, He, BatchNorm";

/// A gradient has vanished when the first layer's norm is below this share of the last
/// layer's (the threshold of `--diagnostics`' warning).
const VANISHED: f64 = 1e-3;

/// Twenty hidden layers of 32 on `circles`, diagnostics on for the gradient ratio.
pub const EXPERIMENT: Experiment = Experiment {
    name: "vanishing-gradients",
    claim: "in a deep sigmoid net the lower layers stop learning; \
            ReLU with He init, and ELU with He init and BatchNorm, fix it",
    variants,
    target_loss: None,
    extra: Extra::GradRatio,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("circles", 256, 256, 0.05);
    let base = with(config(vec![32; 20], 60, quick), |c| c.diagnostics = true);
    let elu_he = |c: &mut crate::train::TrainConfig| {
        c.model.activation = ActivationConfig::Elu { alpha: 1.0 };
        c.model.init = InitConfig::HeNormal;
    };
    vec![
        variant(
            SIGMOID,
            &d,
            with(base.clone(), |c| {
                c.model.activation = ActivationConfig::Sigmoid
            }),
        ),
        variant(
            XAVIER,
            &d,
            with(base.clone(), |c| {
                c.model.activation = ActivationConfig::Sigmoid;
                c.model.init = InitConfig::XavierNormal;
            }),
        ),
        variant(
            RELU_HE,
            &d,
            with(base.clone(), |c| c.model.init = InitConfig::HeNormal),
        ),
        variant(ELU_HE, &d, with(base.clone(), elu_he)),
        variant(
            ELU_HE_BN,
            &d,
            with(base, |c| {
                elu_he(c);
                c.model.batch_norm = true;
            }),
        ),
    ]
}

/// Runs whose first-layer gradient vanished in epoch 1, of the runs that trained.
fn vanished(v: &VariantResult) -> Count {
    let ratios = v.values(|s| s.grad_ratio);
    Count::new(
        ratios.iter().filter(|&&(_, x)| x < VANISHED).count(),
        ratios.len(),
    )
}

/// Held when the gradient vanishes with sigmoid and not with ReLU + He, and both fixes beat
/// sigmoid on the test split.
pub fn verdict(r: &Results) -> Judgement {
    let (sigmoid, relu) = (vanished(r.get(SIGMOID)), vanished(r.get(RELU_HE)));
    let gradient = Finding::event(
        &format!(
            "epoch 1's first-layer gradient falls below {VANISHED:.0e} of the last layer's \
             with sigmoid, never with ReLU + He"
        ),
        ("sigmoid", sigmoid),
        ("ReLU + He", relu),
    );
    let parts = vec![
        gradient,
        r.beats(RELU_HE, SIGMOID).points("ReLU + He beats sigmoid"),
        r.beats(ELU_HE_BN, SIGMOID)
            .points("ELU + He + BatchNorm beats sigmoid"),
    ];
    let ratio = |l: &str| r.get(l).stat(|s| s.grad_ratio).mean;
    let summary = format!(
        "in epoch 1 the first layer's gradient was {:.1e} of the last layer's with sigmoid \
         and default init, {:.1e} with ReLU and He init; test accuracy {} vs {} \
         (ELU + He + BatchNorm: {}).",
        ratio(SIGMOID),
        ratio(RELU_HE),
        pct(r.accuracy(SIGMOID)),
        pct(r.accuracy(RELU_HE)),
        pct(r.accuracy(ELU_HE_BN))
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    fn with_ratios(mut v: VariantResult, ratios: [f64; 5]) -> VariantResult {
        v.runs
            .iter_mut()
            .zip(ratios)
            .for_each(|(s, g)| s.grad_ratio = Some(g));
        v
    }

    #[test]
    fn gradients_count_per_seed_and_accuracies_compare_beyond_the_spread() {
        let tiny = [1e-18, 1e-17, 1e-12, 1e-15, 1e-16];
        let healthy = [0.1, 0.2, 0.13, 0.5, 0.08];
        let cases = [
            (tiny, 0.99),                          // held
            (healthy, 0.99), // sigmoid's gradient did not vanish: did not hold
            ([1e-18, 1e-17, 0.1, 0.2, 0.3], 0.99), // vanished in 2 of 5: inconclusive
        ];
        for ((sigmoid_ratios, fixed), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [
                with_ratios(accuracies(SIGMOID, &shuffled(0.5)), sigmoid_ratios),
                with_ratios(accuracies(RELU_HE, &around(fixed)), healthy),
                accuracies(ELU_HE_BN, &around(fixed)),
            ];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }

    #[test]
    fn a_fix_that_does_no_better_than_sigmoid_is_not_a_fix() {
        let r = [
            with_ratios(accuracies(SIGMOID, &shuffled(0.6)), [1e-18; 5]),
            with_ratios(accuracies(RELU_HE, &around(0.5)), [0.1; 5]),
            accuracies(ELU_HE_BN, &around(0.99)),
        ];
        let j = verdict(&Results(&r));
        assert_eq!(
            j.verdict,
            crate::experiment::verdict::Verdict::DidNotHold,
            "{j}"
        );
        assert!(
            j.to_string()
                .contains("- ReLU + He beats sigmoid: did not hold"),
            "{j}"
        );
    }
}
