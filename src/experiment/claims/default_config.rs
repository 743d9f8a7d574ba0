//! Claim: the default best configuration (He, ELU, BatchNorm, Dropout, Adam) beats the plain
//! one.

use crate::experiment::catalog::{config, data, pct, variant, with, Experiment, Extra};
use crate::experiment::runner::Variant;
use crate::experiment::verdict::{Judgement, Results};
use crate::train::Preset;

const BEST: &str = "seed-default";
const PLAIN: &str = "plain";

/// Four hidden layers of 64 on the two spirals, each preset as it is.
pub const EXPERIMENT: Experiment = Experiment {
    name: "default-config",
    claim: "the default best configuration (He, ELU, BatchNorm, Dropout, Adam) beats the plain one",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("spiral", 512, 512, 0.05);
    let base = config(vec![64; 4], 150, quick);
    vec![
        variant(
            BEST,
            &d,
            with(base.clone(), |c| Preset::SeedDefault.apply(c)),
        ),
        variant(PLAIN, &d, with(base, |c| Preset::Plain.apply(c))),
    ]
}

/// Held when the default best configuration's test accuracy is ahead beyond the spread.
pub fn verdict(r: &Results) -> Judgement {
    let part = r.beats(BEST, PLAIN).points("seed-default beats plain");
    let summary = format!(
        "the default best configuration reached {} on the test split, the plain one {}.",
        pct(r.accuracy(BEST)),
        pct(r.accuracy(PLAIN))
    );
    Judgement::of(vec![part], summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    #[test]
    fn a_lead_within_the_spread_over_seeds_is_inconclusive() {
        // mean 0.68, sd 0.25: 2 × SE = 0.22 exceeds the 18-point lead
        let wide = [0.95, 0.40, 0.90, 0.45, 0.70];
        let cases = [
            (around(0.72), shuffled(0.5)),
            (around(0.5), shuffled(0.72)),
            (wide, shuffled(0.5)),
        ];
        for ((best, plain), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [accuracies(BEST, &best), accuracies(PLAIN, &plain)];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }
}
