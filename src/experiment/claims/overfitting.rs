//! Claim: a large net overfits a small noisy set; early stopping, L1/L2, dropout (about +2%),
//! max-norm and augmentation help.

use crate::experiment::catalog::{config, data, pct, variant, with, Experiment, Extra, PATIENT};
use crate::experiment::runner::Variant;
use crate::experiment::verdict::{Difference, Judgement, Results};

const NONE: &str = "none";
const DROPOUT: &str = "dropout 0.5";
/// Every remedy, in the table's order.
const REMEDIES: [&str; 6] = [
    "early stopping",
    "L2 1e-3",
    "L1 1e-4",
    DROPOUT,
    "max-norm 1",
    "augmentation σ 0.1",
];

/// Two hidden layers of 256 on 48 noisy `circles` points, 300 epochs.
pub const EXPERIMENT: Experiment = Experiment {
    name: "overfitting",
    claim: "a large net overfits a small noisy set; early stopping, L1/L2, dropout (about +2%), \
            max-norm and augmentation help",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("circles", 48, 512, 0.25);
    let base = with(config(vec![256, 256], 300, quick), |c| {
        c.early_stopping = None
    });
    let remedy = |i: usize, f: fn(&mut crate::train::TrainConfig)| {
        variant(REMEDIES[i], &d, with(base.clone(), f))
    };
    vec![
        variant(NONE, &d, base.clone()),
        remedy(0, |c| c.early_stopping = Some(PATIENT)),
        remedy(1, |c| c.regularization.l2 = 1e-3),
        remedy(2, |c| c.regularization.l1 = 1e-4),
        remedy(3, |c| c.model.dropout = 0.5),
        remedy(4, |c| c.regularization.max_norm = Some(1.0)),
        remedy(5, |c| c.augment.jitter = 0.1),
    ]
}

/// One part for the overfitting itself (final validation − training loss above 0) and one per
/// remedy (its test accuracy above none's): held only when every part held.
pub fn verdict(r: &Results) -> Judgement {
    let gaps = r.get(NONE).values(|s| Some(s.final_gap));
    let mut parts = vec![Difference::above(&gaps, 0.0).finding(
        "without a remedy the net overfits (final validation − training loss above 0)",
        1.0,
        3,
        "",
    )];
    parts.extend(REMEDIES.map(|l| r.beats(l, NONE).points(&format!("{l} beats none"))));
    // the first of equals, as Python's max() in the PyTorch mirror
    let best = (REMEDIES.into_iter())
        .reduce(|a, b| if r.accuracy(b) > r.accuracy(a) { b } else { a })
        .unwrap_or(NONE);
    // a remedy level with none (or behind it) is no best remedy
    let best_said = match r.accuracy(best) > r.accuracy(NONE) {
        true => format!("the best remedy was {best} ({})", pct(r.accuracy(best))),
        false => format!(
            "no remedy did better (the best of them, {best}, reached {})",
            pct(r.accuracy(best))
        ),
    };
    let summary = format!(
        "with no remedy the net reached {} on the test split; {best_said}; dropout changed test \
         accuracy by {:+.1} points (the tutorial says about +2).",
        pct(r.accuracy(NONE)),
        (r.accuracy(DROPOUT) - r.accuracy(NONE)) * 100.0
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};
    use crate::experiment::runner::VariantResult;
    use crate::experiment::verdict::Verdict;

    /// `none` with a final gap of 1.0 ± 0.1, and each remedy at its mean accuracy.
    fn results(none: f64, remedies: [f64; 6]) -> Vec<VariantResult> {
        let mut base = accuracies(NONE, &shuffled(none));
        base.runs
            .iter_mut()
            .zip([0.9, 1.0, 1.1, 1.0, 1.0])
            .for_each(|(s, g)| s.final_gap = g);
        let rest = REMEDIES
            .iter()
            .zip(remedies)
            .map(|(l, m)| accuracies(l, &around(m)));
        std::iter::once(base).chain(rest).collect()
    }

    #[test]
    fn every_remedy_gets_its_own_verdict() {
        let cases = [
            [0.82, 0.78, 0.79, 0.78, 0.80, 0.78], // every remedy ahead of 0.75: held
            [0.82, 0.70, 0.79, 0.78, 0.80, 0.78], // L2 behind: did not hold
            [0.82, 0.751, 0.79, 0.78, 0.80, 0.78], // L2 level with none: inconclusive
        ];
        for (remedies, want) in cases.into_iter().zip(OUTCOMES) {
            let j = verdict(&Results(&results(0.75, remedies)));
            assert_eq!(j.verdict, want, "{j}");
            assert_eq!(
                j.parts.len(),
                7,
                "the overfitting, then one part per remedy"
            );
            assert_eq!(j.parts[0].verdict, Verdict::Held, "{j}");
        }
    }

    #[test]
    fn a_remedy_doing_worse_than_none_is_reported_as_not_holding() {
        let j = verdict(&Results(&results(
            0.75,
            [0.82, 0.70, 0.74, 0.777, 0.80, 0.78],
        )));
        let text = j.to_string();
        assert!(
            text.contains("- L2 1e-3 beats none: did not hold (-5.0 points"),
            "{text}"
        );
        assert!(
            text.contains("- early stopping beats none: held (+7.0 points"),
            "{text}"
        );
        assert!(
            text.contains("the best remedy was early stopping (82.0%)"),
            "{text}"
        );
        assert!(
            text.contains("dropout changed test accuracy by +2.7 points"),
            "{text}"
        );
    }

    #[test]
    fn a_remedy_only_level_with_none_is_not_called_the_best() {
        let j = verdict(&Results(&results(0.80, [0.80; 6])));
        let text = j.to_string();
        let said = "no remedy did better (the best of them, early stopping, reached 80.0%)";
        assert!(text.contains(said), "{text}");
        assert!(!text.contains("the best remedy was"), "{text}");
    }
}
