//! The experiments: each tests one claim of the tutorial on this machine, honestly.

use super::runner::{Start, Variant, VariantResult};
use crate::data::DataSource;
use crate::model::{ActivationConfig, InitConfig};
use crate::train::pretrain::{PretrainConfig, PretrainMode};
use crate::train::{EarlyStoppingConfig, OptimizerConfig, OptimizerKind, Preset, TrainConfig};

/// An experiment: what it claims, how it is set up, and how the claim is judged.
pub struct Experiment {
    /// Name for `plaindnn experiment NAME`.
    pub name: &'static str,
    /// The tutorial's claim, in one sentence.
    pub claim: &'static str,
    /// The variants (quick: one short run each, for tests).
    pub variants: fn(quick: bool) -> Vec<Variant>,
    /// A validation loss to count epochs to, if the experiment measures speed.
    pub target_loss: Option<f64>,
    /// The extra column: grad ratio or epochs to target.
    pub extra: Extra,
    /// One sentence: did the claim hold on this run?
    pub verdict: fn(&[VariantResult]) -> String,
}

/// The experiment-specific column of the table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Nothing more.
    None,
    /// First layer's over last layer's gradient norm in epoch 1.
    GradRatio,
    /// Epochs until validation loss falls below the target.
    EpochsToTarget,
}

fn data(name: &str, train: usize, val: usize, noise: f64) -> DataSource {
    DataSource::Builtin {
        name: name.into(),
        train_size: train,
        val_size: val,
        seed: 0,
        noise,
    }
}

/// Early stopping that waits 20 epochs and returns the best weights.
const PATIENT: EarlyStoppingConfig = EarlyStoppingConfig {
    patience: 20,
    min_delta: 0.0,
    restore_best_weights: true,
};

/// A classifier of the 16×16 `shapes` images (3 classes), Adam 1e-3 as usual for fine-tuning.
fn shapes_config(hidden: Vec<usize>, epochs: usize, quick: bool) -> TrainConfig {
    let mut c = TrainConfig::default_for(256, 3);
    c.model.hidden = hidden;
    c.optimizer = OptimizerConfig::adam(1e-3);
    c.epochs = if quick { 3 } else { epochs };
    c
}

/// A classifier for 2-D data with `hidden` layers, trained for `epochs` (quick: 3).
fn config(hidden: Vec<usize>, epochs: usize, quick: bool) -> TrainConfig {
    let mut c = TrainConfig::default_for(2, 2);
    c.model.hidden = hidden;
    c.epochs = if quick { 3 } else { epochs };
    c
}

fn variant(label: &str, data: &DataSource, config: TrainConfig) -> Variant {
    Variant {
        label: label.into(),
        config,
        data: data.clone(),
        start: Start::Scratch,
    }
}

fn starting(label: &str, data: &DataSource, config: TrainConfig, start: Start) -> Variant {
    Variant {
        start,
        ..variant(label, data, config)
    }
}

fn with(mut c: TrainConfig, f: impl FnOnce(&mut TrainConfig)) -> TrainConfig {
    f(&mut c);
    c
}

/// Mean accuracy of the model each variant returns, by label.
fn acc(results: &[VariantResult], label: &str) -> f64 {
    results
        .iter()
        .find(|r| r.label == label)
        .map_or(f64::NAN, |r| r.stat(|s| Some(s.returned_accuracy)).mean)
}

/// Whether `better`'s mean accuracy beats `base`'s by more than either's spread over seeds:
/// "held", "partly held" (ahead, but within the noise) or "did not hold".
fn beats(results: &[VariantResult], better: &str, base: &str) -> &'static str {
    let stat = |l: &str| {
        results
            .iter()
            .find(|r| r.label == l)
            .map(|r| r.stat(|s| Some(s.returned_accuracy)))
    };
    match (stat(better), stat(base)) {
        (Some(a), Some(b)) if a.mean - b.mean > a.spread.max(b.spread) => "Held on this run",
        (Some(a), Some(b)) if a.mean > b.mean => {
            "Partly held on this run (ahead, within the spread over seeds)"
        }
        _ => "Did not hold on this run",
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn held(yes: bool) -> &'static str {
    if yes {
        "Held on this run"
    } else {
        "Did not hold on this run"
    }
}

/// Every experiment, in the tutorial's order.
pub const EXPERIMENTS: [Experiment; 10] = [
    Experiment {
        name: "linear-collapse",
        claim: "without activations a deep stack of linear layers is still one linear map",
        variants: |quick| {
            let d = data("circles", 256, 256, 0.05);
            let base = config(vec![16; 10], 100, quick);
            vec![
                variant("1 linear layer", &d, with(base.clone(), |c| {
                    c.model.hidden = vec![];
                    c.model.activation = ActivationConfig::Identity;
                })),
                variant("10 linear layers", &d, with(base.clone(), |c| c.model.activation = ActivationConfig::Identity)),
                variant("10 layers + ReLU", &d, with(base, |c| c.model.init = InitConfig::HeNormal)),
            ]
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let (one, ten, relu) = (acc(r, "1 linear layer"), acc(r, "10 linear layers"), acc(r, "10 layers + ReLU"));
            format!(
                "{}: ten linear layers reached {} and one reached {} (no line separates a disc from a ring); with ReLU the same depth reached {}.",
                held((one - ten).abs() <= 0.05 && relu >= one.max(ten) + 0.15),
                pct(ten),
                pct(one),
                pct(relu)
            )
        },
    },
    Experiment {
        name: "activations",
        claim: "for deep nets: ELU > leaky ReLU > ReLU > tanh > sigmoid",
        variants: |quick| {
            let d = data("spiral", 512, 512, 0.05);
            let base = with(config(vec![32; 6], 150, quick), |c| c.model.init = InitConfig::HeNormal);
            [
                ("ELU", ActivationConfig::Elu { alpha: 1.0 }),
                ("leaky ReLU", ActivationConfig::LeakyRelu { slope: 0.01 }),
                ("ReLU", ActivationConfig::Relu),
                ("tanh", ActivationConfig::Tanh),
                ("sigmoid", ActivationConfig::Sigmoid),
            ]
            .into_iter()
            .map(|(label, a)| variant(label, &d, with(base.clone(), |c| c.model.activation = a)))
            .collect()
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let accs: Vec<f64> = r.iter().map(|v| v.stat(|s| Some(s.returned_accuracy)).mean).collect();
            let pairs = (0..accs.len()).flat_map(|i| (i + 1..accs.len()).map(move |j| (i, j)));
            let (agree, total) = pairs.fold((0, 0), |(a, t), (i, j)| (a + usize::from(accs[i] >= accs[j]), t + 1));
            let order: Vec<&str> = {
                let mut idx: Vec<usize> = (0..accs.len()).collect();
                idx.sort_by(|&a, &b| accs[b].total_cmp(&accs[a]));
                idx.into_iter().map(|i| r[i].label.as_str()).collect()
            };
            format!(
                "{}: {agree} of {total} pairs came in the claimed order; by validation accuracy the order was {}.",
                if agree == total { "Held on this run" } else if agree * 2 > total { "Partly held on this run" } else { "Did not hold on this run" },
                order.join(" > ")
            )
        },
    },
    Experiment {
        name: "vanishing-gradients",
        claim: "in a deep sigmoid net the lower layers stop learning; He init, ReLU/ELU and BatchNorm fix it",
        variants: |quick| {
            let d = data("circles", 256, 256, 0.05);
            let base = with(config(vec![32; 20], 60, quick), |c| c.diagnostics = true);
            vec![
                variant("sigmoid, default init", &d, with(base.clone(), |c| c.model.activation = ActivationConfig::Sigmoid)),
                variant("sigmoid, Xavier", &d, with(base.clone(), |c| {
                    c.model.activation = ActivationConfig::Sigmoid;
                    c.model.init = InitConfig::XavierNormal;
                })),
                variant("ReLU, He", &d, with(base.clone(), |c| c.model.init = InitConfig::HeNormal)),
                variant("ELU, He", &d, with(base.clone(), |c| {
                    c.model.activation = ActivationConfig::Elu { alpha: 1.0 };
                    c.model.init = InitConfig::HeNormal;
                })),
                variant("ELU, He, BatchNorm", &d, with(base, |c| {
                    c.model.activation = ActivationConfig::Elu { alpha: 1.0 };
                    c.model.init = InitConfig::HeNormal;
                    c.model.batch_norm = true;
                })),
            ]
        },
        target_loss: None,
        extra: Extra::GradRatio,
        verdict: |r| {
            let ratio = |l: &str| r.iter().find(|v| v.label == l).map_or(f64::NAN, |v| v.stat(|s| s.grad_ratio).mean);
            let (sig, he) = (ratio("sigmoid, default init"), ratio("ReLU, He"));
            format!(
                "{}: in epoch 1 the first layer's gradient was {sig:.1e} of the last layer's with sigmoid and default init, {he:.1e} with ReLU and He init; validation accuracy {} vs {} (ELU + He + BatchNorm: {}).",
                held(sig < 1e-3 && he > 10.0 * sig),
                pct(acc(r, "sigmoid, default init")),
                pct(acc(r, "ReLU, He")),
                pct(acc(r, "ELU, He, BatchNorm"))
            )
        },
    },
    Experiment {
        name: "exploding-gradients",
        claim: "too-large initial weights make gradients explode in a deep net trained by gradient descent; gradient clipping keeps training stable",
        variants: |quick| {
            let d = data("circles", 256, 256, 0.05);
            // N(0, 0.5²) is about 2× He's √(2/32) for 32 inputs: signals grow ~2× per layer.
            // Plain SGD, because Adam divides each step by the gradient's size and hides the blow-up.
            let base = with(config(vec![32; 10], 60, quick), |c| {
                c.model.init = InitConfig::Normal { std: 0.5 };
                c.optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, ..OptimizerConfig::adam(0.01) };
            });
            vec![
                variant("std 0.5, no clipping", &d, base.clone()),
                variant("std 0.5, global clip 1", &d, with(base.clone(), |c| c.clipping.global_norm = Some(1.0))),
                variant("He init, no clipping", &d, with(base, |c| c.model.init = InitConfig::HeNormal)),
            ]
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let diverged = |l: &str| r.iter().find(|v| v.label == l).map_or(0, |v| v.diverged);
            let runs = |l: &str| r.iter().find(|v| v.label == l).map_or(0, |v| v.diverged + v.runs.len());
            let (free, clipped) = (acc(r, "std 0.5, no clipping"), acc(r, "std 0.5, global clip 1"));
            let stable = diverged("std 0.5, global clip 1") <= diverged("std 0.5, no clipping");
            let outcome = |l: &str| match (diverged(l), runs(l)) {
                (d, n) if d == n => format!("all {n} runs diverged (the loss became NaN)"),
                (0, n) => format!("none of {n} runs diverged and they reached {}", pct(acc(r, l))),
                (d, n) => format!("{d} of {n} runs diverged and the rest reached {}", pct(acc(r, l))),
            };
            format!(
                "{}: without clipping {}; with global clipping {} (He init, unclipped: {}).",
                held(stable && (clipped >= free || free.is_nan())),
                outcome("std 0.5, no clipping"),
                outcome("std 0.5, global clip 1"),
                pct(acc(r, "He init, no clipping"))
            )
        },
    },
    Experiment {
        name: "optimizers",
        claim: "Adam greatly speeds up convergence compared with plain gradient descent",
        variants: |quick| {
            let d = data("spiral", 512, 512, 0.05);
            let base = with(config(vec![32, 32], 200, quick), |c| c.early_stopping = None);
            let sgd = |lr, momentum| OptimizerConfig { kind: OptimizerKind::Sgd, momentum, ..OptimizerConfig::adam(lr) };
            vec![
                variant("gradient descent (lr 0.1)", &d, with(base.clone(), |c| c.optimizer = sgd(0.1, 0.0))),
                variant("SGD + momentum 0.9 (lr 0.1)", &d, with(base.clone(), |c| c.optimizer = sgd(0.1, 0.9))),
                variant("Adam (lr 0.01)", &d, base),
            ]
        },
        target_loss: Some(0.3),
        extra: Extra::EpochsToTarget,
        verdict: |r| {
            let epochs = |l: &str| r.iter().find(|v| v.label == l).map_or(f64::NAN, |v| v.stat(|s| s.epochs_to_target.map(|e| e as f64)).mean);
            let (gd, adam) = (epochs("gradient descent (lr 0.1)"), epochs("Adam (lr 0.01)"));
            let show = |e: f64| if e.is_nan() { "never".to_string() } else { format!("{e:.0}") };
            format!(
                "{}: Adam reached validation loss 0.3 after {} epochs, plain gradient descent after {} (momentum: {}).",
                held(adam.is_finite() && (gd.is_nan() || adam < gd)),
                show(adam),
                show(gd),
                show(epochs("SGD + momentum 0.9 (lr 0.1)"))
            )
        },
    },
    Experiment {
        name: "overfitting",
        claim: "a large net overfits a small noisy set; early stopping, L1/L2, dropout (about +2%), max-norm and augmentation help",
        variants: |quick| {
            let d = data("circles", 48, 512, 0.25);
            let base = with(config(vec![256, 256], 300, quick), |c| c.early_stopping = None);
            let es = PATIENT;
            vec![
                variant("none", &d, base.clone()),
                variant("early stopping", &d, with(base.clone(), |c| c.early_stopping = Some(es))),
                variant("L2 1e-3", &d, with(base.clone(), |c| c.regularization.l2 = 1e-3)),
                variant("L1 1e-4", &d, with(base.clone(), |c| c.regularization.l1 = 1e-4)),
                variant("dropout 0.5", &d, with(base.clone(), |c| c.model.dropout = 0.5)),
                variant("max-norm 1", &d, with(base.clone(), |c| c.regularization.max_norm = Some(1.0))),
                variant("augmentation σ 0.1", &d, with(base, |c| c.augment.jitter = 0.1)),
            ]
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let none = acc(r, "none");
            let best = r.iter().max_by(|a, b| {
                a.stat(|s| Some(s.returned_accuracy)).mean.total_cmp(&b.stat(|s| Some(s.returned_accuracy)).mean)
            });
            let dropout = (acc(r, "dropout 0.5") - none) * 100.0;
            format!(
                "{}: with no remedy the net reached {}; the best remedy was {} ({}); dropout changed accuracy by {dropout:+.1} points (the tutorial says about +2).",
                held(r.iter().skip(1).any(|v| v.stat(|s| Some(s.returned_accuracy)).mean > none)),
                pct(none),
                best.map_or("none", |b| b.label.as_str()),
                pct(best.map_or(f64::NAN, |b| b.stat(|s| Some(s.returned_accuracy)).mean))
            )
        },
    },
    Experiment {
        name: "default-config",
        claim: "the default best configuration (He, ELU, BatchNorm, Dropout, Adam) beats the plain one",
        variants: |quick| {
            let d = data("spiral", 512, 512, 0.05);
            let base = config(vec![64; 4], 150, quick);
            vec![
                variant("seed-default", &d, with(base.clone(), |c| Preset::SeedDefault.apply(c))),
                variant("plain", &d, with(base, |c| Preset::Plain.apply(c))),
            ]
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let (best, plain) = (acc(r, "seed-default"), acc(r, "plain"));
            format!("{}: the default best configuration reached {}, the plain one {}.", held(best > plain), pct(best), pct(plain))
        },
    },
    Experiment {
        name: "depth",
        claim: "more hidden layers describe more complex logic but overfit more easily",
        variants: |quick| {
            let d = data("spiral", 128, 512, 0.1);
            let base = with(config(vec![32], 300, quick), |c| c.early_stopping = None);
            [1usize, 2, 4, 8]
                .into_iter()
                .map(|depth| variant(&format!("{depth} hidden"), &d, with(base.clone(), |c| c.model.hidden = vec![32; depth])))
                .collect()
        },
        target_loss: None,
        extra: Extra::None,
        verdict: |r| {
            let train: Vec<f64> = r.iter().map(|v| v.stat(|s| Some(s.final_train_loss)).mean).collect();
            let gap: Vec<f64> = r.iter().map(|v| v.stat(|s| Some(s.final_gap)).mean).collect();
            let fits = train.first().zip(train.last()).is_some_and(|(a, b)| b < a);
            let overfits = gap.first().zip(gap.last()).is_some_and(|(a, b)| b > a);
            format!(
                "{}: final training loss went from {:.3} (1 hidden layer) to {:.3} (8), the validation − training gap from {:.3} to {:.3}.",
                if fits && overfits { "Held on this run" } else if fits || overfits { "Partly held on this run" } else { "Did not hold on this run" },
                train.first().copied().unwrap_or(f64::NAN),
                train.last().copied().unwrap_or(f64::NAN),
                gap.first().copied().unwrap_or(f64::NAN),
                gap.last().copied().unwrap_or(f64::NAN)
            )
        },
    },
    Experiment {
        name: "transfer",
        claim: "with few labels, reusing the lower layers of a network trained on a related task beats training from scratch",
        variants: |quick| {
            // the related task: the same shapes from a cleaner camera, with 1500 labels;
            // the new task: noisier images and 30 labels (10 per class)
            let related = data("shapes", if quick { 150 } else { 1500 }, 300, 0.1);
            let few = data("shapes", 30, 600, 0.3);
            let base = with(shapes_config(vec![64, 32], 100, quick), |c| {
                c.early_stopping = Some(PATIENT);
            });
            let source = Start::Transfer { name: "related-task", data: related, config: Box::new(shapes_config(vec![64, 32], 40, quick)) };
            vec![
                variant("from scratch", &few, base.clone()),
                starting("fine-tune every layer", &few, base.clone(), source.clone()),
                starting("frozen hidden layers, new head", &few, with(base.clone(), |c| c.freeze = 2), source.clone()),
                starting("layer 1 frozen for 10 epochs", &few, with(base, |c| {
                    c.freeze = 1;
                    c.unfreeze_after = Some(10);
                }), source),
            ]
        },
        target_loss: Some(0.5),
        extra: Extra::EpochsToTarget,
        verdict: |r| {
            let scratch = acc(r, "from scratch");
            let tuned = ["fine-tune every layer", "frozen hidden layers, new head", "layer 1 frozen for 10 epochs"]
                .map(|l| (l, acc(r, l)));
            let best = tuned.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or(("none", f64::NAN));
            format!(
                "{}: from scratch the 30-label network reached {}; starting from the related task's layers, {} reached {} (fine-tuning every layer: {}).",
                beats(r, best.0, "from scratch"),
                pct(scratch),
                best.0,
                pct(best.1),
                pct(acc(r, "fine-tune every layer"))
            )
        },
    },
    Experiment {
        name: "pretraining",
        claim: "with 1–10 % of the inputs labelled, autoencoder pretraining on all inputs then fine-tuning beats training on the labels alone",
        variants: |quick| {
            // 1000 images, 30 of them labelled (3 %)
            let unlabelled = data("shapes", if quick { 100 } else { 1000 }, 300, 0.1);
            let labelled = data("shapes", 30, 600, 0.1);
            let base = with(shapes_config(vec![64, 32], 100, quick), |c| {
                c.early_stopping = Some(PATIENT);
            });
            let autoencoder = |name, mode| {
                let mut p = PretrainConfig::new(vec![64, 32]);
                p.mode = mode;
                p.epochs = if quick { 2 } else { 100 };
                Start::Autoencoder { name, data: unlabelled.clone(), config: p }
            };
            vec![
                variant("30 labels alone", &labelled, base.clone()),
                starting("layer-wise autoencoders, then fine-tune", &labelled, base.clone(), autoencoder("layerwise", PretrainMode::Layerwise)),
                starting("layer-wise, encoder frozen", &labelled, with(base.clone(), |c| c.freeze = 2), autoencoder("layerwise", PretrainMode::Layerwise)),
                starting("end-to-end autoencoder, then fine-tune", &labelled, base, autoencoder("end-to-end", PretrainMode::EndToEnd)),
            ]
        },
        target_loss: Some(0.5),
        extra: Extra::EpochsToTarget,
        verdict: |r| {
            let alone = acc(r, "30 labels alone");
            let (lw, e2e) = (acc(r, "layer-wise autoencoders, then fine-tune"), acc(r, "end-to-end autoencoder, then fine-tune"));
            let best = if lw >= e2e { "layer-wise autoencoders, then fine-tune" } else { "end-to-end autoencoder, then fine-tune" };
            format!(
                "{}: with 30 labels alone the network reached {}; after layer-wise pretraining on 1000 unlabelled images {} (encoder frozen: {}), after end-to-end pretraining {}.",
                beats(r, best, "30 labels alone"),
                pct(alone),
                pct(lw),
                pct(acc(r, "layer-wise, encoder frozen")),
                pct(e2e)
            )
        },
    },
];
