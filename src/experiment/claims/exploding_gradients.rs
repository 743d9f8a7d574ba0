//! Claim: too-large initial weights make gradients explode in a deep net trained by gradient
//! descent; gradient clipping keeps training stable.

use crate::experiment::catalog::{config, data, pct, variant, with, Experiment, Extra};
use crate::experiment::runner::{Variant, VariantResult};
use crate::experiment::verdict::{Count, Finding, Judgement, Results};
use crate::model::InitConfig;
use crate::train::{OptimizerConfig, OptimizerKind};

const UNCLIPPED: &str = "std 0.5, no clipping";
const CLIPPED: &str = "std 0.5, global clip 1";
const HE: &str = "He init, no clipping";

/// Ten hidden layers of 32 on `circles`, plain SGD.
pub const EXPERIMENT: Experiment = Experiment {
    name: "exploding-gradients",
    claim: "too-large initial weights make gradients explode in a deep net trained by gradient \
            descent; gradient clipping keeps training stable",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("circles", 256, 256, 0.05);
    // N(0, 0.5²) is about 2× He's √(2/32) for 32 inputs: signals grow ~2× per layer. Plain
    // SGD, because Adam divides each step by the gradient's size and hides the blow-up.
    let base = with(config(vec![32; 10], 60, quick), |c| {
        c.model.init = InitConfig::Normal { std: 0.5 };
        c.optimizer = OptimizerConfig {
            kind: OptimizerKind::Sgd,
            ..OptimizerConfig::adam(0.01)
        };
    });
    vec![
        variant(UNCLIPPED, &d, base.clone()),
        variant(
            CLIPPED,
            &d,
            with(base.clone(), |c| c.clipping.global_norm = Some(1.0)),
        ),
        variant(HE, &d, with(base, |c| c.model.init = InitConfig::HeNormal)),
    ]
}

/// Runs whose loss became NaN, of all seeds.
fn diverged(v: &VariantResult) -> Count {
    Count::new(v.diverged, v.seeds())
}

/// Held when the unclipped runs diverge in a majority of seeds and the clipped ones in none.
pub fn verdict(r: &Results) -> Judgement {
    let (free, clipped) = (diverged(r.get(UNCLIPPED)), diverged(r.get(CLIPPED)));
    let part = Finding::event(
        "N(0, 0.5²) weights diverge without clipping, never with global clipping",
        ("unclipped", free),
        ("clipped", clipped),
    );
    let summary = format!(
        "without clipping {free} diverged (the loss became NaN), with global clipping {clipped}; \
         the clipped runs that trained reached {} on the test split (He init, unclipped: {}).",
        pct(r.accuracy(CLIPPED)),
        pct(r.accuracy(HE))
    );
    Judgement::of(vec![part], summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, OUTCOMES};

    fn diverging(label: &str, diverged: usize) -> VariantResult {
        VariantResult {
            diverged,
            ..accuracies(label, &vec![0.9; 5 - diverged])
        }
    }

    #[test]
    fn the_verdict_counts_diverged_runs() {
        let cases = [
            (3, 0), // a majority explodes, clipping saves all: held
            (0, 0), // nothing explodes: did not hold
            (5, 1), // clipping lets one explode: inconclusive
        ];
        for ((free, clipped), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [diverging(UNCLIPPED, free), diverging(CLIPPED, clipped)];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }

    #[test]
    fn the_sentence_names_the_counts() {
        let r = [diverging(UNCLIPPED, 5), diverging(CLIPPED, 0)];
        let j = verdict(&Results(&r)).to_string();
        assert!(
            j.starts_with("Held on this run: without clipping 5 of 5 runs diverged"),
            "{j}"
        );
        assert!(
            j.contains("(unclipped 5 of 5 runs, clipped 0 of 5 runs)"),
            "{j}"
        );
    }
}
