//! Claim: with few labels, reusing the lower layers of a network trained on a related task beats
//! training from scratch.

use crate::experiment::catalog::{
    data, pct, shapes_config, starting, variant, with, Experiment, Extra, PATIENT,
};
use crate::experiment::runner::{Start, Variant};
use crate::experiment::verdict::{Judgement, Results};

const SCRATCH: &str = "from scratch";
/// The ways of reusing the related task's layers.
const REUSED: [&str; 3] = [
    "fine-tune every layer",
    "frozen hidden layers, new head",
    "layer 1 frozen for 10 epochs",
];

/// 30 labelled `shapes` images from a noisy camera; the related task: 1500 from a clean one.
pub const EXPERIMENT: Experiment = Experiment {
    name: "transfer",
    claim: "with few labels, reusing the lower layers of a network trained on a related task \
            beats training from scratch",
    variants,
    target_loss: Some(0.5),
    extra: Extra::EpochsToTarget,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    // the related task: the same shapes from a cleaner camera, with 1500 labels;
    // the new task: noisier images and 30 labels (10 per class)
    let related = data("shapes", if quick { 150 } else { 1500 }, 300, 0.1);
    let few = data("shapes", 30, 600, 0.3);
    let base = with(shapes_config(vec![64, 32], 100, quick), |c| {
        c.early_stopping = Some(PATIENT)
    });
    let source = Start::Transfer {
        name: "related-task",
        data: related,
        config: Box::new(shapes_config(vec![64, 32], 40, quick)),
    };
    let frozen = with(base.clone(), |c| {
        c.freeze = 2;
        c.new_head = true; // the related task's head is not reused: a new one learns the new task
    });
    let gradual = with(base.clone(), |c| {
        c.freeze = 1;
        c.unfreeze_after = Some(10);
    });
    vec![
        variant(SCRATCH, &few, base.clone()),
        starting(REUSED[0], &few, base, source.clone()),
        starting(REUSED[1], &few, frozen, source.clone()),
        starting(REUSED[2], &few, gradual, source),
    ]
}

/// Held when every way of reusing the layers beats training from scratch on the test split.
pub fn verdict(r: &Results) -> Judgement {
    let parts = REUSED
        .map(|l| {
            r.beats(l, SCRATCH)
                .points(&format!("{l} beats from scratch"))
        })
        .to_vec();
    let reused: Vec<String> = REUSED
        .iter()
        .map(|l| format!("{l} {}", pct(r.accuracy(l))))
        .collect();
    let summary = format!(
        "from scratch the 30-label network reached {} on the test split; starting from the \
         related task's layers: {}.",
        pct(r.accuracy(SCRATCH)),
        reused.join(", ")
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    #[test]
    fn every_way_of_reuse_must_beat_training_from_scratch() {
        let cases = [[0.97, 0.96, 0.97], [0.97, 0.40, 0.97], [0.97, 0.532, 0.97]];
        for (reused, want) in cases.into_iter().zip(OUTCOMES) {
            let mut r = vec![accuracies(SCRATCH, &shuffled(0.53))];
            r.extend(
                REUSED
                    .iter()
                    .zip(reused)
                    .map(|(l, m)| accuracies(l, &around(m))),
            );
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }
}
