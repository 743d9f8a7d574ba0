//! The fused passes (Linear, activation + dropout, Batch Normalization) against Burn's plain
//! tensor ops: the same network, the same seed, one forward and backward pass each way, on flex;
//! one Linear layer against Burn's `linear` and sums in f64, and at inference on the AMX tile unit
//! where there is one; Adam against Burn's; gradient norms against sums in f64.
//! The kernels themselves are checked against f64 formulas and central differences in
//! `src/fused` (unit tests).

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use plaindnn::fused::{self, Kind};
use plaindnn::model::{ActivationConfig, Mlp, MlpConfig};
use plaindnn::train::clipping;

/// A 6 → 16 → 8 → 3 network with the given activation, BatchNorm and dropout.
fn config(activation: &str, batch_norm: bool, dropout: f64) -> MlpConfig {
    let mut config = MlpConfig::new(6, vec![16, 8], 3);
    config.activation = activation
        .parse::<ActivationConfig>()
        .expect("known activation");
    config.batch_norm = batch_norm;
    config.dropout = dropout;
    config
}

/// 32 rows of inputs spread over ±4, so that every activation sees both signs.
fn batch(device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..32 * 6)
        .map(|i| ((i * 7919 % 97) as f32 / 12.0) - 4.0)
        .collect();
    Tensor::from_data(TensorData::new(values, [32, 6]), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 values")
}

/// Outputs, every parameter's gradient, and the running statistics after one training pass.
fn one_pass(config: &MlpConfig, frozen: usize) -> Vec<Vec<f32>> {
    let device = Device::flex().autodiff();
    let mlp: Mlp = config.init(&device, 11).expect("valid config");
    mlp.frozen.set(frozen);
    let out = mlp.forward(batch(&device));
    // a loss that weighs every output differently, so no gradient vanishes by symmetry
    let weights = Tensor::<2>::from_data(
        TensorData::new((0..96).map(|i| (i % 5) as f32 - 2.0).collect(), [32, 3]),
        &device,
    );
    let grads = (out.clone() * weights).sum().backward();
    let mut seen = vec![values(out)];
    for block in &mlp.blocks[frozen..] {
        seen.push(values(
            block.linear.weight.val().grad(&grads).expect("W grad"),
        ));
        if block.norm.is_none() {
            // (before BatchNorm the bias gradient is 0 in exact arithmetic: rounding noise only)
            let bias = block.linear.bias.as_ref().expect("bias").val();
            seen.push(values(bias.grad(&grads).expect("b grad")));
        }
        if let Some(norm) = &block.norm {
            seen.push(values(norm.gamma.val().grad(&grads).expect("γ grad")));
            seen.push(values(norm.beta.val().grad(&grads).expect("β grad")));
        }
    }
    seen.push(values(
        mlp.output.weight.val().grad(&grads).expect("output grad"),
    ));
    for norm in mlp.blocks.iter().filter_map(|b| b.norm.as_ref()) {
        seen.push(values(norm.running_mean.value()));
        seen.push(values(norm.running_var.value()));
    }
    // and the network at inference, on running statistics
    seen.push(values(mlp.valid().forward(batch(&Device::flex()))));
    seen
}

/// [`one_pass`] fused and with Burn's plain ops.
fn both_ways(config: &MlpConfig, frozen: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let fused = one_pass(config, frozen);
    let plain = fused::without(|| one_pass(config, frozen));
    (fused, plain)
}

fn assert_close(fused: &[Vec<f32>], plain: &[Vec<f32>], what: &str) {
    assert_eq!(fused.len(), plain.len(), "{what}: as many tensors");
    for (i, (f, p)) in fused.iter().zip(plain).enumerate() {
        assert_eq!(f.len(), p.len());
        // float rounding: 10⁻⁵ of the tensor's largest value, at least 10⁻⁶
        let scale = p.iter().fold(0.1f32, |m, v| m.max(v.abs()));
        for (a, b) in f.iter().zip(p) {
            assert!(
                (a - b).abs() <= 1e-5 * scale,
                "{what}, tensor {i}: fused {a} vs plain {b}"
            );
        }
    }
}

#[test]
fn every_fused_activation_gives_the_plain_outputs_and_gradients() {
    for activation in [
        "identity",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu:0.1",
        "elu",
        "elu:0.5",
        "selu",
    ] {
        let (fused, plain) = both_ways(&config(activation, false, 0.0), 0);
        assert_close(&fused, &plain, activation);
    }
}

#[test]
fn batch_norm_elu_and_dropout_fused_train_like_the_plain_ops_running_statistics_included() {
    // the tutorial's recommended block, as `--preset seed-default` builds it
    let (fused, plain) = both_ways(&config("elu", true, 0.2), 0);
    // the two paths drop the same values: a different mask would move the outputs by O(1)
    assert_close(&fused, &plain, "seed-default");
}

#[test]
fn a_frozen_first_block_runs_fused_outside_the_graph_like_the_plain_ops() {
    let (fused, plain) = both_ways(&config("tanh", true, 0.1), 1);
    assert_close(&fused, &plain, "frozen");
}

#[test]
fn the_fused_pass_takes_effect_and_fused_off_is_a_different_computation() {
    // If the fused path were never taken, fused and plain would be bit-identical; the kernels'
    // own exp and sums round differently from Burn's, so they are not.
    let (fused, plain) = both_ways(&config("elu", true, 0.2), 0);
    assert_ne!(
        fused, plain,
        "the fused path ran (or PLAINDNN_FUSED=0 is set)"
    );
}

/// `(n, seed)` ↦ n values spread over [-1, 1].
fn spread(n: usize, seed: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919 + seed * 31) as f32 * 0.37).sin())
        .collect()
}

/// `y = x·W + b` and the gradients of `Σ r ⊙ y` for x, W and b: fused or through Burn's `linear`.
fn linear_pass(shape: (usize, usize, usize), fused_path: bool) -> Vec<Vec<f32>> {
    let (rows, inputs, outputs) = shape;
    let device = Device::flex().autodiff();
    let tensor = |v: Vec<f32>, dims: [usize; 2]| {
        Tensor::<2>::from_data(TensorData::new(v, dims), &device).require_grad()
    };
    let x = tensor(spread(rows * inputs, 1), [rows, inputs]);
    let w = tensor(spread(inputs * outputs, 2), [inputs, outputs]);
    let b = Tensor::<1>::from_data(TensorData::new(spread(outputs, 3), [outputs]), &device)
        .require_grad();
    let y = if fused_path {
        fused::linear(x.clone(), w.clone(), b.clone())
    } else {
        burn::tensor::module::linear(x.clone(), w.clone(), Some(b.clone()))
    };
    with_gradients(y, (x, w, b), 4)
}

/// `[y, dx, dW, db]`: y and the gradients of `Σ r ⊙ y` for x, W and b, r spread from `seed`.
fn with_gradients(
    y: Tensor<2>,
    (x, w, b): (Tensor<2>, Tensor<2>, Tensor<1>),
    seed: usize,
) -> Vec<Vec<f32>> {
    let dims = y.dims();
    let r = TensorData::new(spread(dims[0] * dims[1], seed), dims);
    let grads = (y.clone() * Tensor::<2>::from_data(r, &y.device()))
        .sum()
        .backward();
    let grad = |t: Tensor<2>| values(t.grad(&grads).expect("gradient"));
    let db = values(b.grad(&grads).expect("bias gradient"));
    vec![values(y), grad(x), grad(w), db]
}

#[test]
fn a_fused_linear_layer_gives_burns_values_bit_for_bit_and_sums_in_f64_split_over_the_cores() {
    // 200·150·300 multiply-adds: above 192³, so the forward product is split by columns and the
    // backward's two (dx, dW) start together
    let shape @ (rows, inputs, outputs) = (200, 150, 300);
    let fused_path = linear_pass(shape, true);
    // the same kernel, summed in the same order, the bias added after: Burn's values bit for bit
    assert!(
        fused_path == linear_pass(shape, false),
        "y, dx, dW, db as Burn's"
    );
    // the exact derivatives of Σ r ⊙ (xW + b), summed in f64: dx = r·Wᵀ, dW = xᵀ·r, db = Σ_rows r
    let (x, w, b, r) = (
        spread(rows * inputs, 1),
        spread(inputs * outputs, 2),
        spread(outputs, 3),
        spread(rows * outputs, 4),
    );
    let dot = |n: usize, f: &dyn Fn(usize) -> f64| (0..n).map(f).sum::<f64>();
    let y = |i: usize, j: usize| {
        b[j] as f64
            + dot(inputs, &|p| {
                x[i * inputs + p] as f64 * w[p * outputs + j] as f64
            })
    };
    let dx = |i: usize, p: usize| {
        dot(outputs, &|j| {
            r[i * outputs + j] as f64 * w[p * outputs + j] as f64
        })
    };
    let dw = |p: usize, j: usize| {
        dot(rows, &|i| {
            x[i * inputs + p] as f64 * r[i * outputs + j] as f64
        })
    };
    let db = |j: usize| dot(rows, &|i| r[i * outputs + j] as f64);
    let tolerance = 1e-5 * inputs.max(rows).max(outputs) as f64;
    for (got, want, what) in [
        (
            &fused_path[0],
            (0..rows * outputs)
                .map(|k| y(k / outputs, k % outputs))
                .collect::<Vec<_>>(),
            "y",
        ),
        (
            &fused_path[1],
            (0..rows * inputs)
                .map(|k| dx(k / inputs, k % inputs))
                .collect(),
            "dx",
        ),
        (
            &fused_path[2],
            (0..inputs * outputs)
                .map(|k| dw(k / outputs, k % outputs))
                .collect(),
            "dW",
        ),
        (&fused_path[3], (0..outputs).map(db).collect(), "db"),
    ] {
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (*g as f64 - w).abs() <= tolerance,
                "{what}[{k}]: {g} vs {w}"
            );
        }
    }
}

#[test]
fn w2s_first_layer_split_over_the_cores_gives_burns_values_bit_for_bit() {
    let shape = (128, 784, 512); // a W2 training batch through the first layer
    assert!(linear_pass(shape, true) == linear_pass(shape, false));
}

#[test]
fn every_linear_layer_of_a_network_on_flex_takes_the_fused_product_unless_switched_off() {
    // the fused product gives Burn's values bit for bit, so whether it ran is counted:
    // 6 → 16 → 8 → 3 has three Linear layers
    let device = Device::flex().autodiff();
    let mlp: Mlp = config("relu", true, 0.1)
        .init(&device, 3)
        .expect("valid config");
    let before = fused::linear_calls();
    let _ = mlp.forward(batch(&device));
    assert_eq!(fused::linear_calls() - before, 3, "training");
    let _ = mlp.valid().forward(batch(&Device::flex()));
    assert_eq!(fused::linear_calls() - before, 6, "inference");
    let _ = fused::without(|| mlp.forward(batch(&device)));
    assert_eq!(fused::linear_calls() - before, 6, "switched off");
}

/// `act(x·W + b)` and, under autodiff, the gradients of `Σ r ⊙ y` for x, W and b: through
/// [`fused::dense`] or [`fused::linear`] and then [`fused::activation`].
fn dense_pass(
    shape: (usize, usize, usize),
    kind: Kind,
    autodiff: bool,
    one_op: bool,
) -> Vec<Vec<f32>> {
    let (rows, inputs, outputs) = shape;
    let device = if autodiff {
        Device::flex().autodiff()
    } else {
        Device::flex()
    };
    let tensor = |v: Vec<f32>, dims: [usize; 2]| {
        let t = Tensor::<2>::from_data(TensorData::new(v, dims), &device);
        if autodiff {
            t.require_grad()
        } else {
            t
        }
    };
    let x = tensor(
        spread(rows * inputs, 5).iter().map(|v| 3.0 * v).collect(),
        [rows, inputs],
    );
    let w = tensor(spread(inputs * outputs, 6), [inputs, outputs]);
    let b = Tensor::<1>::from_data(TensorData::new(spread(outputs, 7), [outputs]), &device);
    let b = if autodiff { b.require_grad() } else { b };
    let y = if one_op {
        fused::dense(x.clone(), w.clone(), b.clone(), kind)
    } else {
        fused::activation(fused::linear(x.clone(), w.clone(), b.clone()), kind, None)
    };
    if !autodiff {
        return vec![values(y)];
    }
    with_gradients(y, (x, w, b), 8)
}

#[test]
fn a_dense_layer_gives_the_linear_layer_and_then_the_activation_bit_for_bit_split_or_not() {
    let kinds = [
        Kind::Relu,
        Kind::Sigmoid,
        Kind::Tanh,
        Kind::Leaky { slope: 0.1 },
        Kind::Elu {
            alpha: 1.0,
            scale: 1.0,
        },
    ];
    // bands of columns (200 × 300), bands of rows (600 × 64; both above 192³), one band (5 × 7)
    for shape in [(200, 150, 300), (600, 200, 64), (5, 4, 7)] {
        for kind in kinds {
            for autodiff in [false, true] {
                let (one, two) = (
                    dense_pass(shape, kind, autodiff, true),
                    dense_pass(shape, kind, autodiff, false),
                );
                assert!(one == two, "{shape:?} {kind:?} autodiff {autodiff}");
            }
        }
    }
}

#[test]
fn at_inference_each_hidden_block_without_batch_norm_runs_its_activation_with_its_product() {
    let device = Device::flex();
    let mlp: Mlp = config("relu", true, 0.1)
        .init(&device, 3)
        .expect("valid config");
    let count = |mlp: &Mlp| {
        let (linear, dense) = (fused::linear_calls(), fused::dense_calls());
        let _ = mlp.forward(batch(&device));
        (fused::linear_calls() - linear, fused::dense_calls() - dense)
    };
    // BatchNorm between product and activation: three products, none with its activation
    assert_eq!(count(&mlp), (3, 0), "BatchNorm not folded");
    // folded as `predict` runs it: the two hidden blocks' activations run with their products
    let folded = mlp.folded_for_inference();
    assert_eq!(count(&folded), (3, 2), "folded");
    assert_eq!(fused::without(|| count(&folded)), (0, 0), "switched off");
}

#[test]
fn fused_adam_updates_weights_and_moments_bit_for_bit_like_burns_adam_also_when_the_weights_are_shared(
) {
    use burn::optim::{AdamConfig, Optimizer};
    use plaindnn::train::adam::FusedAdam;
    let device = Device::flex();
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let fused_adam = FusedAdam::new(b1, b2, eps);
    let burn_adam = AdamConfig::new()
        .with_beta_1(b1)
        .with_beta_2(b2)
        .with_epsilon(eps)
        .build();
    // 300 × 300 runs split over the cores, 7 × 3 on one
    for (rows, cols) in [(300, 300), (7, 3)] {
        let n = rows * cols;
        let tensor = |seed: usize| {
            let v: Vec<f32> = (0..n)
                .map(|i| ((i * 7919 + seed * 104_729) % 1013) as f32 / 500.0 - 1.0)
                .collect();
            Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), &device)
        };
        let (mut p_fused, mut p_burn, mut p_shared) = (tensor(0), tensor(0), tensor(0));
        let (mut s_fused, mut s_burn, mut s_shared) = (None, None, None);
        for step in 1..=3 {
            let grad = tensor(step);
            (p_fused, s_fused) = fused_adam.step(1e-2, p_fused, grad.clone(), s_fused);
            // as burn-train steps it: a clone of the model's parameter, the original still held
            let (held, before) = (p_shared.clone(), values(p_shared.clone()));
            (p_shared, s_shared) = fused_adam.step(1e-2, held.clone(), grad.clone(), s_shared);
            assert_eq!(values(held), before, "the held parameter is left as it was");
            (p_burn, s_burn) = burn_adam.step(1e-2, p_burn, grad, s_burn);
        }
        assert_eq!(values(p_shared), values(p_burn.clone()), "shared weights");
        let shared = s_shared.expect("state").momentum;
        assert_eq!(
            values(shared.moment_2),
            values(s_burn.clone().expect("state").momentum.moment_2)
        );
        let (f, b) = (s_fused.expect("state"), s_burn.expect("state"));
        assert_eq!(f.momentum.time, 3);
        assert_eq!(values(p_fused.clone()), values(p_burn.clone()), "weights");
        assert_eq!(
            values(f.momentum.moment_1),
            values(b.momentum.moment_1),
            "m"
        );
        assert_eq!(
            values(f.momentum.moment_2),
            values(b.momentum.moment_2),
            "v"
        );
        assert_ne!(values(p_fused), values(tensor(0)), "the weights moved");
    }
}

#[test]
fn gradient_norms_on_flex_are_summed_in_f64_in_one_pass_burns_ops_in_f32() {
    // W2's first-layer gradient shape; the reference is the same sum in f64
    let v = spread(784 * 512, 5);
    let exact: f64 = v.iter().map(|&x| x as f64 * x as f64).sum();
    let data = TensorData::new(v, [784, 512]);
    let g = Tensor::<2>::from_data(data.clone(), &Device::flex());
    let fused_sum = clipping::sum_of_squares(g.clone());
    // a tensor in the graph (a weight, not a gradient) takes Burn's ops
    let weight = Tensor::<2>::from_data(data, &Device::flex().autodiff());
    let graph_sum = clipping::sum_of_squares(weight);
    assert!(
        (graph_sum - exact).abs() <= 1e-6 * exact,
        "autodiff {graph_sum} vs {exact}"
    );
    let plain_sum = fused::without(|| clipping::sum_of_squares(g));
    // f64 sums in another order: 1e-12; Burn's f32 sum: f32 rounding, within 1e-6 but not 1e-12
    assert!(
        (fused_sum - exact).abs() <= 1e-12 * exact,
        "fused {fused_sum} vs {exact}"
    );
    assert!(
        (plain_sum - exact).abs() <= 1e-6 * exact,
        "plain {plain_sum} vs {exact}"
    );
    assert!(
        (plain_sum - exact).abs() > 1e-12 * exact,
        "the plain path is Burn's f32 sum"
    );
}

#[test]
fn plaindnn_fused_0_switches_the_fused_passes_off_for_the_whole_command() {
    // the same seed-default run with and without: both train, and only float rounding differs
    let dir = std::env::temp_dir().join(format!("plaindnn-fused-switch-{}", std::process::id()));
    let bin = option_env!("CARGO_BIN_EXE_plaindnn");
    let bin = bin.expect("this test runs the plaindnn command: test with the cargo feature `cli`");
    let train = |name: &str, fused: &str| {
        let out = dir.join(name);
        let status = std::process::Command::new(bin)
            .args([
                "train",
                "--preset",
                "seed-default",
                "--epochs",
                "3",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .env("PLAINDNN_FUSED", fused)
            .status()
            .expect("the binary runs");
        assert!(status.success());
        std::fs::read_to_string(out.join("metrics.csv")).expect("metrics.csv")
    };
    let (fused, plain) = (train("fused", "1"), train("plain", "0"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(fused, plain, "PLAINDNN_FUSED=0 took the other path");
    let losses = |csv: &str| -> Vec<f64> {
        csv.lines()
            .skip(1)
            .map(|l| {
                l.split(',')
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .expect("train_loss")
            })
            .collect()
    };
    for (f, p) in losses(&fused).iter().zip(losses(&plain)) {
        assert!(
            (f - p).abs() < 1e-3 * p.abs().max(1.0),
            "train loss {f} vs {p}"
        );
    }
}

#[test]
fn at_inference_a_layer_of_512_rows_or_more_runs_on_the_amx_tile_unit_where_there_is_one() {
    // 600 × 256 · 256 × 128: 19.7 M multiply-adds, 600 rows; outside autodiff (inference)
    let (rows, inputs, outputs) = (600, 256, 128);
    let device = Device::flex();
    let tensor =
        |v: Vec<f32>, dims: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v, dims), &device);
    let x = tensor(spread(rows * inputs, 5), [rows, inputs]);
    let w = tensor(spread(inputs * outputs, 6), [inputs, outputs]);
    let b = Tensor::<1>::from_data(TensorData::new(spread(outputs, 7), [outputs]), &device);
    let fused_path = values(fused::linear(x.clone(), w.clone(), b.clone()));
    let burn = values(burn::tensor::module::linear(x, w, Some(b)));
    // the values of Σ over 256 products of numbers in [−1, 1]: f32 rounding, with room
    for (k, (f, p)) in fused_path.iter().zip(&burn).enumerate() {
        assert!((f - p).abs() <= 1e-4, "y[{k}]: {f} vs {p}");
    }
    // on the tile unit the sums round otherwise than Burn's kernel: some value differs
    assert_eq!(
        fused_path != burn,
        fused::tile_unit(),
        "the tile unit ran where it is"
    );
}
