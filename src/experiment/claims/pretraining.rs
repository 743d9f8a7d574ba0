//! Claim: with 1–10 % of the inputs labelled, autoencoder pretraining on all inputs then
//! fine-tuning beats training on the labels alone.

use crate::experiment::catalog::{
    data, pct, shapes_config, starting, variant, with, Experiment, Extra, PATIENT,
};
use crate::experiment::runner::{Start, Variant};
use crate::experiment::verdict::{Judgement, Results};
use crate::train::pretrain::{PretrainConfig, PretrainMode};

const ALONE: &str = "30 labels alone";
const LAYERWISE: &str = "layer-wise autoencoders, then fine-tune";
const FROZEN: &str = "layer-wise, encoder frozen";
const END_TO_END: &str = "end-to-end autoencoder, then fine-tune";

/// 1000 `shapes` images, 30 of them labelled (3 %).
pub const EXPERIMENT: Experiment = Experiment {
    name: "pretraining",
    claim: "with 1–10 % of the inputs labelled, autoencoder pretraining on all inputs then \
            fine-tuning beats training on the labels alone",
    variants,
    target_loss: Some(0.5),
    extra: Extra::EpochsToTarget,
    verdict,
};

fn variants(quick: bool) -> Vec<Variant> {
    let unlabelled = data("shapes", if quick { 100 } else { 1000 }, 300, 0.1);
    let labelled = data("shapes", 30, 600, 0.1);
    let base = with(shapes_config(vec![64, 32], 100, quick), |c| {
        c.early_stopping = Some(PATIENT)
    });
    let autoencoder = |name, mode| {
        let mut p = PretrainConfig::new(vec![64, 32]);
        p.mode = mode;
        p.epochs = if quick { 2 } else { 100 };
        Start::Autoencoder {
            name,
            data: unlabelled.clone(),
            config: p,
        }
    };
    let layerwise = autoencoder("layerwise", PretrainMode::Layerwise);
    let frozen = with(base.clone(), |c| c.freeze = 2);
    vec![
        variant(ALONE, &labelled, base.clone()),
        starting(LAYERWISE, &labelled, base.clone(), layerwise.clone()),
        starting(FROZEN, &labelled, frozen, layerwise),
        starting(
            END_TO_END,
            &labelled,
            base,
            autoencoder("end-to-end", PretrainMode::EndToEnd),
        ),
    ]
}

/// Held when both kinds of pretraining, then fine-tuning, beat the labels alone on the test
/// split (the frozen encoder is shown, not judged: the claim is about fine-tuning).
pub fn verdict(r: &Results) -> Judgement {
    let parts = [LAYERWISE, END_TO_END]
        .map(|l| {
            r.beats(l, ALONE)
                .points(&format!("{l} beats the labels alone"))
        })
        .to_vec();
    let summary = format!(
        "with 30 labels alone the network reached {} on the test split; after layer-wise \
         pretraining on 1000 unlabelled images {} (encoder frozen: {}), after end-to-end \
         pretraining {}.",
        pct(r.accuracy(ALONE)),
        pct(r.accuracy(LAYERWISE)),
        pct(r.accuracy(FROZEN)),
        pct(r.accuracy(END_TO_END))
    );
    Judgement::of(parts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::claims::fake::{accuracies, around, shuffled, OUTCOMES};

    #[test]
    fn both_kinds_of_pretraining_must_beat_the_labels_alone() {
        let cases = [(0.70, 0.65), (0.51, 0.65), (0.543, 0.65)];
        for ((layerwise, end_to_end), want) in cases.into_iter().zip(OUTCOMES) {
            let r = [
                accuracies(ALONE, &shuffled(0.54)),
                accuracies(LAYERWISE, &around(layerwise)),
                accuracies(END_TO_END, &around(end_to_end)),
            ];
            let j = verdict(&Results(&r));
            assert_eq!(j.verdict, want, "{j}");
        }
    }
}
