//! Every remedy of the tutorial does what it says: each test fails if its option is ignored.
//!
//! Each runs on every compiled backend that can run here (CI runs this file again with
//! `--features ndarray,wgpu` on lavapipe), except three long trainings that run on the default
//! backend only: L1 on noise inputs, every optimizer, and reduce-on-plateau.

mod common;

use std::path::Path;

use burn::data::dataloader::DataLoader;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use common::{quadrant_config, temp_dir, train_quadrants};
use plaindnn::backend::{wgpu_adapters, Backend};
use plaindnn::data::{AugmentConfig, BatchLoader, DataSource, Dataset, Prepared, Subset};
use plaindnn::inference::Predictor;
use plaindnn::model::{Mlp, MlpConfig};
use plaindnn::train::clipping::{clip_global_norm, global_norm};
use plaindnn::train::evaluate::evaluate;
use plaindnn::train::{
    self, history, optimizer, ClippingConfig, EarlyStoppingConfig, OptimizerConfig, OptimizerKind,
    RegularizationConfig, ScheduleConfig, TrainConfig, TrainedRun, Verbosity,
};

/// Compiled backends that can run here (wgpu needs an adapter).
fn backends() -> Vec<Backend> {
    Backend::compiled()
        .into_iter()
        .filter(|b| *b != Backend::Wgpu || !wgpu_adapters().is_empty())
        .collect()
}

/// The tutorial's four points, as a batch on `device`.
fn quadrant_batch(device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let x = Tensor::from_data(
        TensorData::new(vec![1.0f32, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0], [4, 2]),
        device,
    );
    let y = Tensor::from_data(TensorData::new(vec![0i64, 1, 2, 3], [4]), device);
    (x, y)
}

/// A 2 → 8 → 4 network with fixed initial weights and the gradients of one batch on `backend`.
fn model_and_grads(backend: Backend) -> (Mlp, GradientsParams) {
    let device = backend.device().expect("compiled").autodiff();
    let model = MlpConfig::new(2, vec![8], 4)
        .init(&device, 3)
        .expect("valid");
    let (x, y) = quadrant_batch(&device);
    let loss =
        plaindnn::train::step::loss(model.forward(x), &plaindnn::data::BatchTargets::Classes(y));
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    (model, grads)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32")
}

/// First layer's weights and biases before and after one optimizer step.
struct Step {
    w0: Vec<f32>,
    w1: Vec<f32>,
    b0: Vec<f32>,
    b1: Vec<f32>,
}

fn one_step(
    backend: Backend,
    opt: &OptimizerConfig,
    reg: &RegularizationConfig,
    clip: &ClippingConfig,
) -> Step {
    let (model, grads) = model_and_grads(backend);
    let w0 = values(model.blocks[0].linear.weight.val());
    let b0 = values(model.blocks[0].linear.bias.as_ref().expect("bias").val());
    let mut optim = optimizer::build(opt, reg, clip);
    let after = optim.step(opt.learning_rate, model, grads);
    let w1 = values(after.blocks[0].linear.weight.val());
    let b1 = values(after.blocks[0].linear.bias.as_ref().expect("bias").val());
    Step { w0, w1, b0, b1 }
}

fn sgd(lr: f64) -> OptimizerConfig {
    OptimizerConfig {
        kind: OptimizerKind::Sgd,
        ..OptimizerConfig::adam(lr)
    }
}

fn assert_close(got: f32, want: f32, what: &str) {
    assert!((got - want).abs() < 1e-6, "{what}: got {got}, want {want}");
}

/// Equal to float rounding: the same computation twice (a GPU need not repeat it bit for bit).
fn assert_same(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-6, "{what}: {x} vs {y}");
    }
}

#[test]
fn l2_adds_two_lambda_w_to_the_weight_gradient_and_leaves_biases_alone() {
    let l2 = RegularizationConfig {
        l2: 0.5,
        ..Default::default()
    };
    for b in backends() {
        let plain = one_step(b, &sgd(0.1), &Default::default(), &Default::default());
        let reg = one_step(b, &sgd(0.1), &l2, &Default::default());
        for ((a, p), w) in reg.w1.iter().zip(&plain.w1).zip(&plain.w0) {
            // SGD: lr · d(λw²)/dw
            assert_close(a - p, -0.1 * 2.0 * 0.5 * w, &format!("{b}: Δw = −lr·2λ·w"));
        }
        assert_same(&reg.b1, &plain.b1, &format!("{b}: biases carry no penalty"));
    }
}

#[test]
fn l1_adds_lambda_sign_w_to_the_weight_gradient() {
    let l1 = RegularizationConfig {
        l1: 0.01,
        ..Default::default()
    };
    for b in backends() {
        let plain = one_step(b, &sgd(0.1), &Default::default(), &Default::default());
        let reg = one_step(b, &sgd(0.1), &l1, &Default::default());
        for ((a, p), w) in reg.w1.iter().zip(&plain.w1).zip(&plain.w0) {
            assert_close(
                a - p,
                -0.1 * 0.01 * w.signum(),
                &format!("{b}: Δw = −lr·λ·sign(w)"),
            );
        }
        assert_same(&reg.b1, &plain.b1, &format!("{b}: biases carry no penalty"));
    }
}

#[test]
fn weight_decay_skips_biases_unless_asked_to_decay_them() {
    let decayed = OptimizerConfig {
        weight_decay: Some(0.1),
        ..sgd(0.1)
    };
    let biases_too = RegularizationConfig {
        decay_biases: true,
        ..Default::default()
    };
    for b in backends() {
        let plain = one_step(b, &sgd(0.1), &Default::default(), &Default::default());
        let weights_only = one_step(b, &decayed, &Default::default(), &Default::default());
        let all = one_step(b, &decayed, &biases_too, &Default::default());
        for ((a, p), w) in weights_only.w1.iter().zip(&plain.w1).zip(&plain.w0) {
            assert_close(
                a - p,
                -0.1 * 0.1 * w,
                &format!("{b}: coupled decay: Δw = −lr·λ·w"),
            );
        }
        assert_same(
            &weights_only.b1,
            &plain.b1,
            &format!("{b}: biases not decayed"),
        );
        for ((a, p), bias) in all.b1.iter().zip(&plain.b1).zip(&plain.b0) {
            let what = format!("{b}: with decay_biases the biases decay too");
            assert_close(a - p, -0.1 * 0.1 * bias, &what);
        }
    }
}

#[test]
fn adamw_decay_is_decoupled_from_the_adaptive_step() {
    let adamw = OptimizerConfig {
        kind: OptimizerKind::AdamW,
        weight_decay: Some(0.0),
        ..OptimizerConfig::adam(0.01)
    };
    let decaying = OptimizerConfig {
        weight_decay: Some(0.5),
        ..adamw.clone()
    };
    for b in backends() {
        let plain = one_step(b, &adamw, &Default::default(), &Default::default());
        let decayed = one_step(b, &decaying, &Default::default(), &Default::default());
        // Adam's step ignores the decay; the weights shrink by lr·λ·w on top of it.
        for ((a, p), w) in decayed.w1.iter().zip(&plain.w1).zip(&plain.w0) {
            assert_close(a - p, -0.01 * 0.5 * w, &format!("{b}: Δw = −lr·λ·w"));
        }
    }
}

/// An outside review: AdamW chosen in the library (`kind` alone) took no decay, where the CLI's
/// and PyTorch's `AdamW(params)` decay by 0.01 (torch.optim.AdamW's documented default).
#[test]
fn adamw_chosen_by_kind_alone_decays_by_pytorchs_default_and_records_it() {
    let plain = OptimizerConfig {
        weight_decay: Some(0.0),
        ..OptimizerConfig::adamw(0.01)
    };
    let chosen = OptimizerConfig {
        kind: OptimizerKind::AdamW,
        ..OptimizerConfig::adam(0.01)
    };
    assert_eq!(chosen, OptimizerConfig::adamw(0.01));
    for b in backends() {
        let without = one_step(b, &plain, &Default::default(), &Default::default());
        let with = one_step(b, &chosen, &Default::default(), &Default::default());
        for ((a, p), w) in with.w1.iter().zip(&without.w1).zip(&without.w0) {
            assert_close(a - p, -0.01 * 0.01 * w, &format!("{b}: Δw = −lr·0.01·w"));
        }
    }
    // config.json holds the decay the run trained with, not the default's absence
    let mut config = TrainConfig::default_for(2, 4);
    (config.epochs, config.optimizer) = (1, chosen);
    let dir = temp_dir("adamw-default-decay");
    let run = train_quadrants(config, &dir);
    assert_eq!(run.config.train.optimizer.weight_decay, Some(0.01));
    let saved = common::run_config(&dir);
    assert_eq!(saved["train"]["optimizer"]["weight_decay"], 0.01, "{saved}");
}

/// Largest |Δw| of the first layer in one step.
fn max_step(s: &Step) -> f32 {
    s.w1.iter()
        .zip(&s.w0)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max)
}

/// ‖Δw‖ of the first layer in one step.
fn step_norm(s: &Step) -> f32 {
    s.w1.iter()
        .zip(&s.w0)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f32>()
        .sqrt()
}

#[test]
fn clipping_by_value_bounds_every_gradient_element() {
    let clip = ClippingConfig {
        value: Some(1e-3),
        ..Default::default()
    };
    for b in backends() {
        let plain = one_step(b, &sgd(1.0), &Default::default(), &Default::default());
        let clipped = one_step(b, &sgd(1.0), &Default::default(), &clip);
        let (free, bounded) = (max_step(&plain), max_step(&clipped));
        assert!(
            free > 1e-3,
            "{b}: the test needs gradients above the threshold"
        );
        assert!(bounded <= 1e-3 + 1e-7, "{b}: {bounded}");
    }
}

#[test]
fn clipping_by_norm_bounds_each_parameter_gradient() {
    let clip = ClippingConfig {
        norm: Some(1e-2),
        ..Default::default()
    };
    for b in backends() {
        let plain = one_step(b, &sgd(1.0), &Default::default(), &Default::default());
        let clipped = one_step(b, &sgd(1.0), &Default::default(), &clip);
        assert!(step_norm(&plain) > 1e-2, "{b}");
        let norm = step_norm(&clipped);
        assert!((norm - 1e-2).abs() < 1e-4, "{b}: ‖Δw‖ = {norm}");
    }
}

#[test]
fn global_clipping_scales_the_joint_gradient_norm_down_to_the_threshold() {
    for b in backends() {
        let (model, mut grads) = model_and_grads(b);
        let before = global_norm(&model, &grads);
        let max = before / 10.0;
        let reported = clip_global_norm(&model, &mut grads, max);
        assert!(
            (reported - before).abs() < 1e-9,
            "{b}: returns the norm before clipping"
        );
        let after = global_norm(&model, &grads);
        assert!(
            (after - max).abs() / max < 1e-4,
            "{b}: after {after}, threshold {max}"
        );
        // A threshold above the norm changes nothing.
        assert!((clip_global_norm(&model, &mut grads, 10.0 * before) - after).abs() < 1e-9);
        assert!((global_norm(&model, &grads) - after).abs() / after < 1e-6);
    }
}

/// Every Linear parameter of a model, weights then biases, layer by layer.
fn parameters(model: &Mlp) -> Vec<f32> {
    let mut all = Vec::new();
    for l in model.linears() {
        all.extend(values(l.weight.val()));
        all.extend(l.bias.as_ref().map_or_else(Vec::new, |b| values(b.val())));
    }
    all
}

/// The quadrant recipe on `backend`, `epochs` epochs, no early stopping.
fn recipe(backend: Backend, epochs: usize) -> TrainConfig {
    let mut config = quadrant_config();
    config.backend = backend;
    config.epochs = epochs;
    config.early_stopping = None;
    config
}

#[test]
fn global_clipping_in_training_scales_the_whole_first_step_to_lr_times_c() {
    // SGD, lr 1, one full batch: Δθ = −g unclipped, −(c/‖g‖)·g clipped, so ‖Δθ‖ = c
    let c = 0.01;
    for b in backends() {
        let dir = temp_dir(&format!("clip-global-{b}"));
        train_quadrants(recipe(b, 1), &dir.join("start")); // the weights both runs start from
        let start = parameters(&Predictor::open(dir.join("start"), b).expect("opens").model);
        let step = |clip: Option<f64>, name: &str| -> Vec<f32> {
            let mut config = recipe(b, 1);
            config.batch_size = 256; // the whole training set: one step
            config.optimizer = sgd(1.0);
            config.clipping.global_norm = clip;
            config.init_from = Some(dir.join("start"));
            let run = train_quadrants(config, &dir.join(name));
            parameters(&run.model)
                .iter()
                .zip(&start)
                .map(|(a, s)| a - s)
                .collect()
        };
        let (free, clipped) = (step(None, "free"), step(Some(c), "clipped"));
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let scale = c as f32 / norm(&free);
        assert!(
            scale < 0.5,
            "{b}: ‖g‖ = {} must exceed c for the test",
            norm(&free)
        );
        let got = norm(&clipped);
        assert!((got - c as f32).abs() < 1e-5, "{b}: ‖Δθ‖ = {got}, want {c}");
        for (x, y) in clipped.iter().zip(&free) {
            assert!(
                (x - scale * y).abs() < 1e-6,
                "{b}: Δθ = (c/‖g‖)·(−g): {x} vs {y}"
            );
        }
    }
}

/// Column norms (one per unit) of every Linear weight of a model.
fn column_norms(model: &Mlp) -> Vec<f32> {
    model
        .linears()
        .iter()
        .flat_map(|l| values(l.weight.val().powi_scalar(2).sum_dim(0).sqrt()))
        .collect()
}

#[test]
fn max_norm_keeps_every_units_incoming_weights_within_c_after_training() {
    let largest = |model: &Mlp| column_norms(model).into_iter().fold(0.0, f32::max);
    for b in backends() {
        let (free, capped) = (
            temp_dir(&format!("maxnorm-free-{b}")),
            temp_dir(&format!("maxnorm-capped-{b}")),
        );
        let mut config = recipe(b, 15);
        let free_max = largest(&train_quadrants(config.clone(), &free).model);
        config.regularization.max_norm = Some(0.5);
        let capped_max = largest(&train_quadrants(config, &capped).model);
        assert!(
            free_max > 0.5,
            "{b}: without the constraint some unit grows past 0.5 ({free_max})"
        );
        assert!(
            capped_max <= 0.5 + 1e-5,
            "{b}: every column norm ≤ 0.5, got {capped_max}"
        );
    }
}

/// Quadrants with three extra columns of pure noise (seeded N(0, 1)).
fn quadrants_with_noise(seed: u64) -> (Dataset, Dataset) {
    use rand::{rngs::StdRng, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};
    let prepared = DataSource::quadrants(seed).load().expect("built in");
    let (train, val) = ((*prepared.train.data).clone(), (*prepared.val.data).clone());
    let mut rng = StdRng::seed_from_u64(seed);
    let mut widen = |d: Dataset| {
        let mut features = Vec::new();
        for i in 0..d.len() {
            features.extend_from_slice(d.row(i));
            features.extend((0..3).map(|_| -> f32 { StandardNormal.sample(&mut rng) }));
        }
        let names = ["x", "y", "noise1", "noise2", "noise3"]
            .map(String::from)
            .to_vec();
        Dataset::new(features, names, d.targets.clone(), d.class_names.clone()).expect("consistent")
    };
    (widen(train), widen(val))
}

/// Mean |w| of the first layer's rows that read the noise columns (rows 2, 3, 4 of W1 [5, 50]).
fn noise_weight(l1: f64) -> f32 {
    let (train_set, val_set) = quadrants_with_noise(11);
    let mut config = plaindnn::train::TrainConfig::default_for(5, 4);
    config.early_stopping = None;
    config.epochs = 40;
    config.regularization.l1 = l1;
    let source = DataSource::Memory {
        description: "quadrants + 3 noise columns".into(),
    };
    let data = Prepared::unscaled(train_set, val_set);
    let out = temp_dir(&format!("l1-{l1}"));
    let run = train::train_on(source, data, config, &out, Verbosity::Quiet).expect("trains");
    let w = values(run.model.blocks[0].linear.weight.val()); // [5, 50], row-major
    let noise = &w[2 * 50..];
    noise.iter().map(|v| v.abs()).sum::<f32>() / noise.len() as f32
}

#[test]
fn l1_shrinks_the_weights_of_pure_noise_inputs_at_least_fivefold() {
    let (without, with) = (noise_weight(0.0), noise_weight(1e-3));
    assert!(
        with * 5.0 < without,
        "mean |w| of noise inputs: {without} without L1, {with} with L1 = 1e-3"
    );
}

#[test]
fn dropout_is_on_while_training_and_off_for_prediction() {
    for b in backends() {
        let device = b.device().expect("compiled").autodiff();
        let mut config = MlpConfig::new(2, vec![64], 4);
        config.dropout = 0.5;
        let model = config.init(&device, 0).expect("valid");
        let (x, _) = quadrant_batch(&device);
        let train_a = values(model.forward(x.clone()));
        let train_b = values(model.forward(x.clone()));
        assert_ne!(
            train_a, train_b,
            "{b}: two training passes drop different units"
        );
        let eval = model.valid();
        let x = x.without_autodiff();
        let (once, again) = (values(eval.forward(x.clone())), values(eval.forward(x)));
        assert_same(&once, &again, &format!("{b}: inference is deterministic"));
    }
}

#[test]
fn batch_norm_uses_batch_statistics_while_training_and_running_ones_for_prediction() {
    for b in backends() {
        let device = b.device().expect("compiled").autodiff();
        let mut config = MlpConfig::new(2, vec![16], 4);
        config.batch_norm = true;
        let model = config.init(&device, 0).expect("valid");
        let (x, _) = quadrant_batch(&device);
        let first_row = |t: Tensor<2>| values(t.slice([0..1, 0..4]));
        // Training: a row's output depends on the rest of its batch.
        let alone = first_row(model.forward(x.clone().slice([0..2, 0..2])));
        let together = first_row(model.forward(x.clone()));
        let moved = alone
            .iter()
            .zip(&together)
            .map(|(a, t)| (a - t).abs())
            .fold(0.0, f32::max);
        assert!(
            moved > 1e-3,
            "{b}: batch statistics differ between the batches"
        );
        // Inference: running statistics, so a row's output is the same in any batch.
        let eval = model.valid();
        let x = x.without_autodiff();
        let alone = first_row(eval.forward(x.clone().slice([0..2, 0..2])));
        let together = first_row(eval.forward(x));
        assert_same(&alone, &together, &format!("{b}: running statistics"));
    }
}

#[test]
fn every_optimizer_learns_the_quadrants_and_none_falls_back_to_another() {
    let mut losses = Vec::new();
    // (AdamW without decay is Adam, so it gets some.)
    for (kind, lr, momentum, decay) in [
        (OptimizerKind::Sgd, 0.1, 0.0, 0.0),
        (OptimizerKind::Sgd, 0.05, 0.9, 0.0),
        (OptimizerKind::Adam, 0.01, 0.0, 0.0),
        (OptimizerKind::AdamW, 0.01, 0.0, 0.05),
        (OptimizerKind::RmsProp, 0.005, 0.0, 0.0),
    ] {
        let mut config = quadrant_config();
        config.early_stopping = None;
        config.epochs = 30;
        config.optimizer = OptimizerConfig {
            kind,
            momentum,
            weight_decay: Some(decay),
            ..OptimizerConfig::adam(lr)
        };
        let run = train_quadrants(config, &temp_dir(&format!("optim-{kind}-{momentum}")));
        let last = run.outcome.rows.last().expect("30 rows");
        assert!(
            last.val_metric > 0.9,
            "{kind} (momentum {momentum}) reached only {}",
            last.val_metric
        );
        losses.push(last.val_loss);
    }
    let mut distinct = losses.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        losses.len(),
        "each optimizer ends elsewhere: {losses:?}"
    );
}

#[test]
fn the_step_schedule_shows_in_the_lr_column_of_metrics_and_steps_with_that_rate() {
    for b in backends() {
        let mut config = recipe(b, 5);
        let constant = train_quadrants(config.clone(), &temp_dir(&format!("schedule-c-{b}")));
        config.schedule = ScheduleConfig::Step {
            every: 2,
            gamma: 0.1,
        };
        let run = train_quadrants(config, &temp_dir(&format!("schedule-step-{b}")));
        let lrs: Vec<f64> = run.outcome.rows.iter().map(|r| r.lr).collect();
        let want = [1e-2, 1e-2, 1e-3, 1e-3, 1e-4];
        for (got, want) in lrs.iter().zip(want) {
            assert!((got / want - 1.0).abs() < 1e-9, "{b}: {lrs:?}");
        }
        // the same steps as a constant rate of 1e-2 until the rate falls in epoch 3
        let losses =
            |rows: &[train::EpochRow]| -> Vec<f64> { rows.iter().map(|r| r.train_loss).collect() };
        let (stepped, steady) = (losses(&run.outcome.rows), losses(&constant.outcome.rows));
        assert_eq!(
            stepped[..2],
            steady[..2],
            "{b}: epochs 1–2 at the same rate"
        );
        assert_ne!(stepped[2], steady[2], "{b}: epoch 3 at a tenth of it");
    }
}

#[test]
fn reduce_on_plateau_lowers_the_rate_when_validation_loss_stalls() {
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.epochs = 40;
    config.optimizer.learning_rate = 0.05;
    config.schedule = ScheduleConfig::Plateau {
        factor: 0.5,
        patience: 2,
        min_lr: 1e-4,
    };
    let run = train_quadrants(config, &temp_dir("schedule-plateau"));
    // Keras' ReduceLROnPlateau (min_delta 0): `patience` epochs in a row without a new lowest
    // validation loss halve the rate for the next epoch, and the count starts again
    let (mut best, mut waited, mut lr, mut cuts) = (f64::INFINITY, 0, 0.05, 0);
    for row in &run.outcome.rows {
        assert!(
            (row.lr / lr - 1.0).abs() < 1e-9,
            "epoch {}: lr {} not {lr}",
            row.epoch,
            row.lr
        );
        if row.val_loss < best {
            (best, waited) = (row.val_loss, 0);
        } else {
            waited += 1;
            if waited == 2 {
                (lr, waited, cuts) = (f64::max(lr * 0.5, 1e-4), 0, cuts + 1);
            }
        }
    }
    assert!(cuts >= 2, "the rate was reduced {cuts} times");
}

#[test]
fn nesterov_momentum_scales_the_first_step_by_one_plus_mu() {
    // v₁ = g; plain momentum steps −lr·v₁ = −lr·g, Nesterov −lr·(g + μ·v₁) = −lr·(1 + μ)·g
    let momentum = OptimizerConfig {
        momentum: 0.9,
        ..sgd(0.1)
    };
    let nesterov = OptimizerConfig {
        nesterov: true,
        ..momentum.clone()
    };
    for b in backends() {
        let plain = one_step(b, &momentum, &Default::default(), &Default::default());
        let ahead = one_step(b, &nesterov, &Default::default(), &Default::default());
        for ((a, p), w) in ahead.w1.iter().zip(&plain.w1).zip(&plain.w0) {
            assert_close(
                a - w,
                1.9 * (p - w),
                &format!("{b}: Δw_nesterov = (1 + μ)·Δw_momentum"),
            );
        }
    }
}

/// The rows of a run's `metrics.csv`, read back from the file.
fn metrics(dir: &Path) -> Vec<train::EpochRow> {
    history::read(&dir.join("metrics.csv")).expect("metrics.csv")
}

#[test]
fn the_cosine_schedule_sets_every_epochs_rate_and_training_follows_it() {
    // lr(e) = min + (base − min)·(1 + cos(π·e/E))/2 for zero-based epoch e of E
    let (base, min, epochs) = (1e-2, 1e-3, 8);
    for b in backends() {
        let dir = temp_dir(&format!("schedule-cosine-{b}"));
        let mut config = recipe(b, epochs);
        train_quadrants(config.clone(), &dir.join("constant"));
        config.schedule = ScheduleConfig::Cosine { min_lr: min };
        train_quadrants(config, &dir.join("cosine"));
        let (constant, cosine) = (metrics(&dir.join("constant")), metrics(&dir.join("cosine")));
        assert_eq!(cosine.len(), epochs, "{b}");
        for (e, row) in cosine.iter().enumerate() {
            let t = e as f64 / epochs as f64;
            let want = min + (base - min) * (1.0 + (std::f64::consts::PI * t).cos()) / 2.0;
            assert!(
                (row.lr / want - 1.0).abs() < 1e-6,
                "{b}: epoch {}: lr {}, want {want}",
                row.epoch,
                row.lr
            );
        }
        // epoch 1 runs at the base rate in both runs; from epoch 2 on the rates part, and so
        // does what training does with them
        assert!(
            (cosine[0].train_loss - constant[0].train_loss).abs() < 1e-6,
            "{b}"
        );
        let last = epochs - 1;
        assert!(
            (cosine[last].val_loss - constant[last].val_loss).abs() > 1e-6,
            "{b}"
        );
    }
}

/// 120 `shapes` images to train on, 60 to validate on.
fn small_shapes() -> DataSource {
    DataSource::Builtin {
        name: "shapes".into(),
        train_size: 120,
        val_size: 60,
        seed: 4,
        noise: 0.1,
    }
}

/// Loss of a trained model on `rows`, as validation computes it (batches of 1024).
fn loss_on(run: &TrainedRun, rows: Subset) -> f64 {
    let device = run.model.devices().into_iter().next().expect("a device");
    let loader = BatchLoader::new(rows, 1024, None, &device);
    assert!(loader.num_items() > 0);
    evaluate(&run.model, &loader).expect("scores").loss
}

#[test]
fn every_augmentation_changes_the_training_batches_and_never_the_validation_rows() {
    let augmentations = [
        (
            "jitter",
            AugmentConfig {
                jitter: 0.1,
                ..Default::default()
            },
        ),
        (
            "noise",
            AugmentConfig {
                pixel_noise: 0.1,
                ..Default::default()
            },
        ),
        (
            "shift",
            AugmentConfig {
                shift: 2,
                ..Default::default()
            },
        ),
        (
            "flip",
            AugmentConfig {
                flip: true,
                ..Default::default()
            },
        ),
    ];
    let clean_val = small_shapes().load().expect("built in").val;
    for b in backends() {
        let dir = temp_dir(&format!("augment-{b}"));
        let mut config = TrainConfig::default_for(256, 3);
        config.backend = b;
        config.epochs = 2;
        config.early_stopping = None;
        let train_shapes = |config: TrainConfig, name: &str| {
            train::train(small_shapes(), config, dir.join(name), Verbosity::Quiet).expect("trains")
        };
        let plain = train_shapes(config.clone(), "plain").outcome.rows;
        for (name, augment) in &augmentations {
            let run = train_shapes(
                TrainConfig {
                    augment: augment.clone(),
                    ..config.clone()
                },
                name,
            );
            let rows = &run.outcome.rows;
            // the same seed, other training inputs: the first epoch's training loss moves
            assert!(
                (rows[0].train_loss - plain[0].train_loss).abs() > 1e-6,
                "{b} {name}"
            );
            // validation scored the rows as they are: the same loss as the clean rows give
            let clean = loss_on(&run, clean_val.clone());
            assert!(
                (rows[1].val_loss - clean).abs() < 1e-6,
                "{b} {name}: {} vs {clean}",
                rows[1].val_loss
            );
        }
    }
}

#[test]
fn without_restore_best_training_returns_and_saves_the_last_epoch() {
    // two epochs without a new lowest val_loss end training: the lowest is two before the last
    let stopping = EarlyStoppingConfig {
        patience: 2,
        min_delta: 0.0,
        restore_best_weights: false,
    };
    for b in backends() {
        let dir = temp_dir(&format!("no-restore-{b}"));
        let mut config = recipe(b, 300);
        config.early_stopping = Some(stopping.clone());
        let run = train_quadrants(config, &dir);
        let rows = metrics(&dir);
        let last = rows.len() - 1;
        assert!(
            run.outcome.stopped_early,
            "{b}: a plateau within 300 epochs"
        );
        assert_eq!(run.outcome.best_epoch, Some(rows[last - 2].epoch), "{b}");
        assert!(
            (rows[last - 2].val_loss - rows[last].val_loss).abs() > 1e-6,
            "{b}: the epochs differ"
        );
        let val = DataSource::quadrants(run.config.train.seed)
            .load()
            .expect("built in")
            .val;
        // the returned model is the last epoch's: its validation loss is the last row's
        let returned = loss_on(&run, val.clone());
        assert!(
            (returned - rows[last].val_loss).abs() < 1e-6,
            "{b}: {returned} vs {:?}",
            rows[last]
        );
        // model.bpk (what `eval` and `predict` load) is that model too, not the lowest's
        let saved = Predictor::open(&dir, b)
            .expect("opens")
            .evaluate_prepared(val)
            .expect("scores");
        let loss = saved.scores.loss;
        assert!(
            (loss - rows[last].val_loss).abs() < 1e-6,
            "{b}: model.bpk {loss} vs {:?}",
            rows[last]
        );
    }
}
