//! Claim: more hidden layers describe more complex logic but overfit more easily.

use crate::experiment::catalog::{config, data, variant, with, Experiment, Extra};
use crate::experiment::runner::{RunSummary, Variant};
use crate::experiment::verdict::{Difference, Judgement, Results};

const DEPTHS: [usize; 4] = [1, 2, 4, 8];
const SHALLOW: &str = "1 hidden";
const DEEP: &str = "8 hidden";

/// 1 to 8 hidden layers of 32 on 128 noisy spiral points, 300 epochs.
pub const EXPERIMENT: Experiment = Experiment {
    name: "depth",
    claim: "more hidden layers describe more complex logic but overfit more easily",
    variants,
    target_loss: None,
    extra: Extra::None,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("spiral", 128, 512, 0.1);
    let base = with(config(vec![32], 300, quick), |c| c.early_stopping = None);
    DEPTHS
        .into_iter()
        .map(|n| {
            let config = with(base.clone(), |c| c.model.hidden = vec![32; n]);
            variant(&format!("{n} hidden"), &d, config)
        })
        .collect()
}

fn train_loss(s: &RunSummary) -> f64 {
    s.final_train_loss
}

fn gap(s: &RunSummary) -> f64 {
    s.final_gap
}

/// Held when 8 hidden layers end with a lower training loss (they fit more) and a larger
/// validation − training gap (they overfit more) than 1.
pub fn verdict(r: &Results) -> Judgement {
    let values = |label, f: fn(&RunSummary) -> f64| r.get(label).values(|s| Some(f(s)));
    let mean = |label, f: fn(&RunSummary) -> f64| r.get(label).stat(|s| Some(f(s))).mean;
    let fits = Difference::smaller(&values(DEEP, train_loss), &values(SHALLOW, train_loss));
    let overfits = Difference::of(&values(DEEP, gap), &values(SHALLOW, gap));
    let parts = vec![
        fits.finding(
            "8 hidden layers end with a lower training loss than 1",
            1.0,
            3,
            "",
        ),
        overfits.finding(
            "8 hidden layers end with a larger validation − training gap than 1",
            1.0,
            3,
            "",
        ),
    ];
    let summary = format!(
        "final training loss went from {:.3} (1 hidden layer) to {:.3} (8), the validation − \
         training gap from {:.3} to {:.3}.",
        mean(SHALLOW, train_loss),
        mean(DEEP, train_loss),
        mean(SHALLOW, gap),
        mean(DEEP, gap)
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{around, shuffled, variant, OUTCOMES};
    use crate::experiment::runner::VariantResult;

    /// Five seeds ending near `train` loss with a gap near `gap`, spread as `spread` spreads.
    fn ends(label: &str, train: f64, gap: f64, spread: fn(f64) -> [f64; 5]) -> VariantResult {
        let mut v = variant(label, &spread(train), |s, x| s.final_train_loss = x);
        v.runs
            .iter_mut()
            .zip(spread(gap))
            .for_each(|(s, g)| s.final_gap = g);
        v
    }

    #[test]
    fn deeper_must_fit_more_and_overfit_more() {
        let cases = [
            ((0.44, 0.20), (0.29, 1.07)),  // held
            ((0.29, 0.20), (0.44, 1.07)),  // the deep net fits worse: did not hold
            ((0.44, 0.20), (0.29, 0.201)), // same gap: inconclusive
        ];
        for (((t1, g1), (t8, g8)), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [ends(SHALLOW, t1, g1, shuffled), ends(DEEP, t8, g8, around)];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }
}
