//! Claim: Adam greatly speeds up convergence compared with plain gradient descent.

use crate::experiment::catalog::{config, data, variant, with, Experiment, Extra};
use crate::experiment::runner::{Variant, VariantResult};
use crate::experiment::verdict::{Difference, Judgement, Results};
use crate::train::{OptimizerConfig, OptimizerKind};

const GD: &str = "gradient descent (lr 0.1)";
const MOMENTUM: &str = "SGD + momentum 0.9 (lr 0.1)";
const ADAM: &str = "Adam (lr 0.01)";
/// The validation loss whose first crossing measures speed.
const TARGET: f64 = 0.3;

/// Two hidden layers of 32 on the two spirals, 200 epochs, no early stopping.
pub const EXPERIMENT: Experiment = Experiment {
    name: "optimizers",
    claim: "Adam greatly speeds up convergence compared with plain gradient descent",
    variants,
    target_loss: Some(TARGET),
    extra: Extra::EpochsToTarget,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let d = data("spiral", 512, 512, 0.05);
    let base = with(config(vec![32, 32], 200, quick), |c| {
        c.early_stopping = None
    });
    let sgd = |lr, momentum| OptimizerConfig {
        kind: OptimizerKind::Sgd,
        momentum,
        ..OptimizerConfig::adam(lr)
    };
    vec![
        variant(GD, &d, with(base.clone(), |c| c.optimizer = sgd(0.1, 0.0))),
        variant(
            MOMENTUM,
            &d,
            with(base.clone(), |c| c.optimizer = sgd(0.1, 0.9)),
        ),
        variant(ADAM, &d, base),
    ]
}

/// Epochs to the target per seed; a run that never reached it counts as its epochs + 1, which
/// can only flatter the slower optimizer.
fn epochs_to_target(v: &VariantResult) -> Vec<(u64, f64)> {
    v.values(|s| Some(s.epochs_to_target.unwrap_or(s.epochs + 1) as f64))
}

/// `after 30 epochs in 5 of 5 runs` / `in 0 of 5 runs`.
fn reached(v: &VariantResult) -> String {
    let hits = v.values(|s| s.epochs_to_target.map(|e| e as f64));
    let mean = hits.iter().map(|h| h.1).sum::<f64>() / hits.len().max(1) as f64;
    match hits.len() {
        0 => format!("in none of {} runs", v.runs.len()),
        n => format!("in {n} of {} runs, after {mean:.0} epochs", v.runs.len()),
    }
}

/// Held when Adam needs fewer epochs than plain gradient descent beyond the spread.
pub fn verdict(r: &Results) -> Judgement {
    let part = Difference::smaller(&epochs_to_target(r.get(ADAM)), &epochs_to_target(r.get(GD)))
        .finding(
            &format!("Adam reaches validation loss {TARGET} in fewer epochs than gradient descent"),
            1.0,
            0,
            " epochs",
        );
    let summary = format!(
        "validation loss {TARGET} was reached with Adam {}, with plain gradient descent {} \
         (momentum: {}); a run that never reached it counts as its epochs + 1.",
        reached(r.get(ADAM)),
        reached(r.get(GD)),
        reached(r.get(MOMENTUM))
    );
    Judgement::of(vec![part], summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{variant, OUTCOMES};

    /// Seeds reaching the target after these epochs (None: never, in 200 epochs).
    fn speed(label: &str, epochs: &[Option<usize>]) -> VariantResult {
        let mut v = variant(label, &vec![0.0; epochs.len()], |s, _| s.epochs = 200);
        v.runs
            .iter_mut()
            .zip(epochs)
            .for_each(|(s, &e)| s.epochs_to_target = e);
        v
    }

    #[test]
    fn never_reaching_the_target_counts_as_slower_than_the_whole_budget() {
        let never = [None; 5];
        let cases = [
            ([Some(30), Some(25), Some(40), Some(35), Some(20)], never), // held
            ([None, None, None, None, Some(190)], [Some(30); 5]), // Adam slower: did not hold
            (
                [Some(30), Some(25), Some(40), Some(35), Some(20)],
                [Some(28), Some(31), Some(33), Some(30), Some(29)],
            ), // inconclusive
        ];
        for ((adam, gd), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [speed(ADAM, &adam), speed(GD, &gd)];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }

    #[test]
    fn the_sentence_says_how_many_runs_reached_the_target() {
        let r = [
            speed(ADAM, &[Some(30); 5]),
            speed(GD, &[None; 5]),
            speed(MOMENTUM, &[]),
        ];
        let j = verdict(&Results(&r)).to_string();
        assert!(
            j.contains("with Adam in 5 of 5 runs, after 30 epochs"),
            "{j}"
        );
        assert!(
            j.contains("with plain gradient descent in none of 5 runs"),
            "{j}"
        );
        assert!(j.contains("(-171 epochs, 2 × SE 0)"), "{j}");
    }
}
