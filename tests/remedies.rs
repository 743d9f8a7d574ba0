//! Every remedy of the tutorial does what it says: each test fails if its option is ignored.

mod common;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use common::{quadrant_config, temp_dir, train_quadrants};
use plaindnn::data::{DataSource, Dataset, Prepared, Subset};
use plaindnn::model::{Mlp, MlpConfig};
use plaindnn::train::clipping::{clip_global_norm, global_norm};
use plaindnn::train::{
    self, optimizer, ClippingConfig, OptimizerConfig, OptimizerKind, RegularizationConfig,
    ScheduleConfig, Verbosity,
};

/// The tutorial's four points, as a batch on `device`.
fn quadrant_batch(device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let x = Tensor::from_data(
        TensorData::new(vec![1.0f32, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0], [4, 2]),
        device,
    );
    let y = Tensor::from_data(TensorData::new(vec![0i64, 1, 2, 3], [4]), device);
    (x, y)
}

/// A 2 → 8 → 4 network with fixed initial weights and the gradients of one batch.
fn model_and_grads() -> (Mlp, GradientsParams) {
    let device = Device::flex().autodiff();
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

fn one_step(opt: &OptimizerConfig, reg: &RegularizationConfig, clip: &ClippingConfig) -> Step {
    let (model, grads) = model_and_grads();
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

#[test]
fn l2_adds_two_lambda_w_to_the_weight_gradient_and_leaves_biases_alone() {
    let none = RegularizationConfig::default();
    let l2 = RegularizationConfig {
        l2: 0.5,
        ..none.clone()
    };
    let (plain, reg) = (
        one_step(&sgd(0.1), &none, &Default::default()),
        one_step(&sgd(0.1), &l2, &Default::default()),
    );
    for ((a, b), w) in reg.w1.iter().zip(&plain.w1).zip(&plain.w0) {
        assert_close(a - b, -0.1 * 2.0 * 0.5 * w, "Δw = −lr·2λ·w"); // SGD: lr · d(λw²)/dw
    }
    assert_eq!(reg.b1, plain.b1, "biases carry no penalty");
}

#[test]
fn l1_adds_lambda_sign_w_to_the_weight_gradient() {
    let l1 = RegularizationConfig {
        l1: 0.01,
        ..Default::default()
    };
    let (plain, reg) = (
        one_step(&sgd(0.1), &Default::default(), &Default::default()),
        one_step(&sgd(0.1), &l1, &Default::default()),
    );
    for ((a, b), w) in reg.w1.iter().zip(&plain.w1).zip(&plain.w0) {
        assert_close(a - b, -0.1 * 0.01 * w.signum(), "Δw = −lr·λ·sign(w)");
    }
    assert_eq!(reg.b1, plain.b1);
}

#[test]
fn weight_decay_skips_biases_unless_asked_to_decay_them() {
    let decayed = OptimizerConfig {
        weight_decay: 0.1,
        ..sgd(0.1)
    };
    let plain = one_step(&sgd(0.1), &Default::default(), &Default::default());
    let weights_only = one_step(&decayed, &Default::default(), &Default::default());
    let all = one_step(
        &decayed,
        &RegularizationConfig {
            decay_biases: true,
            ..Default::default()
        },
        &Default::default(),
    );
    for ((a, b), w) in weights_only.w1.iter().zip(&plain.w1).zip(&plain.w0) {
        assert_close(a - b, -0.1 * 0.1 * w, "coupled decay: Δw = −lr·λ·w");
    }
    assert_eq!(weights_only.b1, plain.b1);
    for ((a, b), bias) in all.b1.iter().zip(&plain.b1).zip(&plain.b0) {
        assert_close(
            a - b,
            -0.1 * 0.1 * bias,
            "with decay_biases the biases decay too",
        );
    }
}

#[test]
fn adamw_decay_is_decoupled_from_the_adaptive_step() {
    let adamw = OptimizerConfig {
        kind: OptimizerKind::AdamW,
        ..OptimizerConfig::adam(0.01)
    };
    let plain = one_step(&adamw, &Default::default(), &Default::default());
    let decayed = one_step(
        &OptimizerConfig {
            weight_decay: 0.5,
            ..adamw
        },
        &Default::default(),
        &Default::default(),
    );
    // Adam's step ignores the decay; the weights shrink by lr·λ·w on top of it.
    for ((a, b), w) in decayed.w1.iter().zip(&plain.w1).zip(&plain.w0) {
        assert_close(a - b, -0.01 * 0.5 * w, "Δw = −lr·λ·w");
    }
}

#[test]
fn clipping_by_value_bounds_every_gradient_element() {
    let plain = one_step(&sgd(1.0), &Default::default(), &Default::default());
    let clipped = one_step(
        &sgd(1.0),
        &Default::default(),
        &ClippingConfig {
            value: Some(1e-3),
            ..Default::default()
        },
    );
    let max_step = |s: &Step| {
        s.w1.iter()
            .zip(&s.w0)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max)
    };
    assert!(
        max_step(&plain) > 1e-3,
        "the test needs gradients above the threshold"
    );
    assert!(max_step(&clipped) <= 1e-3 + 1e-7, "{}", max_step(&clipped));
}

#[test]
fn clipping_by_norm_bounds_each_parameter_gradient() {
    let norm = |s: &Step| {
        s.w1.iter()
            .zip(&s.w0)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f32>()
            .sqrt()
    };
    let plain = one_step(&sgd(1.0), &Default::default(), &Default::default());
    let clipped = one_step(
        &sgd(1.0),
        &Default::default(),
        &ClippingConfig {
            norm: Some(1e-2),
            ..Default::default()
        },
    );
    assert!(norm(&plain) > 1e-2);
    assert!(
        (norm(&clipped) - 1e-2).abs() < 1e-4,
        "‖Δw‖ = {}",
        norm(&clipped)
    );
}

#[test]
fn global_clipping_scales_the_joint_gradient_norm_down_to_the_threshold() {
    let (model, mut grads) = model_and_grads();
    let before = global_norm(&model, &grads);
    let max = before / 10.0;
    let reported = clip_global_norm(&model, &mut grads, max);
    assert!(
        (reported - before).abs() < 1e-9,
        "returns the norm before clipping"
    );
    let after = global_norm(&model, &grads);
    assert!(
        (after - max).abs() / max < 1e-4,
        "after {after}, threshold {max}"
    );
    // A threshold above the norm changes nothing.
    assert!((clip_global_norm(&model, &mut grads, 10.0 * before) - after).abs() < 1e-9);
    assert!((global_norm(&model, &grads) - after).abs() / after < 1e-6);
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
    let (free, capped) = (temp_dir("maxnorm-free"), temp_dir("maxnorm-capped"));
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.epochs = 15;
    let unconstrained = train_quadrants(config.clone(), &free);
    config.regularization.max_norm = Some(0.5);
    let constrained = train_quadrants(config, &capped);
    let free_max = column_norms(&unconstrained.model)
        .into_iter()
        .fold(0.0, f32::max);
    let capped_max = column_norms(&constrained.model)
        .into_iter()
        .fold(0.0, f32::max);
    assert!(
        free_max > 0.5,
        "without the constraint some unit grows past 0.5 ({free_max})"
    );
    assert!(
        capped_max <= 0.5 + 1e-5,
        "every column norm ≤ 0.5, got {capped_max}"
    );
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
    let data = Prepared {
        train: Subset::all(train_set),
        val: Subset::all(val_set),
        scaler: None,
        warnings: vec![],
    };
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
    let device = Device::flex().autodiff();
    let mut config = MlpConfig::new(2, vec![64], 4);
    config.dropout = 0.5;
    let model = config.init(&device, 0).expect("valid");
    let (x, _) = quadrant_batch(&device);
    let train_a = values(model.forward(x.clone()));
    let train_b = values(model.forward(x.clone()));
    assert_ne!(train_a, train_b, "two training passes drop different units");
    let eval = model.valid();
    let x = x.without_autodiff();
    assert_eq!(
        values(eval.forward(x.clone())),
        values(eval.forward(x)),
        "inference is deterministic"
    );
}

#[test]
fn batch_norm_uses_batch_statistics_while_training_and_running_ones_for_prediction() {
    let device = Device::flex().autodiff();
    let mut config = MlpConfig::new(2, vec![16], 4);
    config.batch_norm = true;
    let model = config.init(&device, 0).expect("valid");
    let (x, _) = quadrant_batch(&device);
    let first_row = |t: Tensor<2>| values(t.slice([0..1, 0..4]));
    // Training: a row's output depends on the rest of its batch.
    let alone = first_row(model.forward(x.clone().slice([0..2, 0..2])));
    let together = first_row(model.forward(x.clone()));
    assert_ne!(alone, together);
    // Inference: running statistics, so a row's output is the same in any batch.
    let eval = model.valid();
    let x = x.without_autodiff();
    let alone = first_row(eval.forward(x.clone().slice([0..2, 0..2])));
    let together = first_row(eval.forward(x));
    for (a, b) in alone.iter().zip(&together) {
        assert!((a - b).abs() < 1e-6);
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
            weight_decay: decay,
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
fn the_step_schedule_shows_in_the_lr_column_of_metrics() {
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.epochs = 5;
    config.schedule = ScheduleConfig::Step {
        every: 2,
        gamma: 0.1,
    };
    let run = train_quadrants(config, &temp_dir("schedule-step"));
    let lrs: Vec<f64> = run.outcome.rows.iter().map(|r| r.lr).collect();
    let want = [1e-2, 1e-2, 1e-3, 1e-3, 1e-4];
    for (got, want) in lrs.iter().zip(want) {
        assert!((got / want - 1.0).abs() < 1e-9, "{lrs:?}");
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
    let last = run.outcome.rows.last().expect("rows").lr;
    assert!(last < 0.05, "the rate was never reduced");
    assert!(last >= 1e-4, "never below min_lr");
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
    let plain = one_step(&momentum, &Default::default(), &Default::default());
    let ahead = one_step(&nesterov, &Default::default(), &Default::default());
    for ((a, p), w) in ahead.w1.iter().zip(&plain.w1).zip(&plain.w0) {
        assert_close(a - w, 1.9 * (p - w), "Δw_nesterov = (1 + μ)·Δw_momentum");
    }
}
