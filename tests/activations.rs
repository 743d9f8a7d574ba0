//! Every activation is numerically safe: PyTorch's value and gradient at x from −1000 to 1000 on
//! every compiled backend, finite far outside that, and a network fed raw features of ±500 trains
//! with each of them.

mod common;

mod reference {
    include!("fixtures/activation_reference.rs");
}

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use common::{plaindnn, stderr, temp_dir};
use plaindnn::backend::{wgpu_adapters, Backend};
use plaindnn::model::{ActivationConfig, ACTIVATION_NAMES};
use plaindnn::random::Generator;
use reference::{REFERENCE, XS};

/// Every activation plaindnn offers, by its command-line name.
const NAMES: [&str; 11] = [
    "identity",
    "step",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "rrelu",
    "prelu",
    "elu",
    "gelu",
    "selu",
];

/// Compiled backends that can run here (wgpu needs an adapter).
fn usable() -> Vec<Backend> {
    Backend::compiled()
        .into_iter()
        .filter(|b| *b != Backend::Wgpu || !wgpu_adapters().is_empty())
        .collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32")
}

/// f(xs) and d/dx Σ f(xs) for the activation `name` (defaults: PyTorch's), as plaindnn trains it;
/// RReLU in evaluation mode (its mean slope), as the reference.
fn value_and_gradient(name: &str, xs: &[f32], device: &Device) -> (Vec<f32>, Vec<f32>) {
    let config: ActivationConfig = name.parse().expect("a known activation");
    let activation = match config {
        ActivationConfig::Rrelu { .. } => config.init(device).valid(),
        _ => config.init(device),
    };
    let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), device).require_grad();
    let y = activation.forward(x.clone());
    let value = read(y.clone());
    // 0·Σx keeps x in the graph when f lets no gradient through (step)
    let grads = (y.sum() + x.clone().sum().mul_scalar(0.0)).backward();
    let gradient = read(x.grad(&grads).expect("x is in the graph"));
    (value, gradient)
}

/// f32 rounding of the largest values, plus 1e-6 for results near zero that PyTorch computes
/// with `expm1` and fused kernels (e.g. SELU(−0.001)) where plaindnn takes `e^x − 1`.
fn close(got: f32, want: f32) -> bool {
    (got - want).abs() <= 1e-6 + 1e-5 * want.abs()
}

#[test]
fn the_reference_table_covers_every_activation_plaindnn_offers() {
    let table: Vec<&str> = REFERENCE.iter().map(|r| r.0).collect();
    assert_eq!(table, NAMES);
    assert_eq!(ACTIVATION_NAMES.matches(", ").count() + 1, NAMES.len());
}

#[test]
fn every_activation_matches_pytorchs_value_and_gradient_from_minus_1000_to_1000() {
    for backend in usable() {
        let device = backend.device().expect("compiled").autodiff();
        for (name, call, want_value, want_gradient) in REFERENCE {
            let (value, gradient) = value_and_gradient(name, &XS, &device);
            for (i, x) in XS.iter().enumerate() {
                let what = format!("{name} at x = {x} on {backend:?} (PyTorch: {call})");
                assert!(
                    value[i].is_finite() && gradient[i].is_finite(),
                    "{what}: not finite"
                );
                assert!(
                    close(value[i], want_value[i]),
                    "{what}: value {} vs {}",
                    value[i],
                    want_value[i]
                );
                assert!(
                    close(gradient[i], want_gradient[i]),
                    "{what}: gradient {} vs {}",
                    gradient[i],
                    want_gradient[i]
                );
            }
        }
    }
}

#[test]
fn every_activation_and_its_gradient_stay_finite_where_e_to_the_x_overflows() {
    // e^x overflows f32 above x ≈ 88.72; x³ (Burn's default GELU backward) above 7·10¹²
    let xs = [-1e30, -1e13, -89.0, -88.8, 88.8, 89.0, 1e13, 1e30];
    for backend in usable() {
        let device = backend.device().expect("compiled").autodiff();
        for name in NAMES {
            let (value, gradient) = value_and_gradient(name, &xs, &device);
            for (i, x) in xs.iter().enumerate() {
                assert!(
                    value[i].is_finite() && gradient[i].is_finite(),
                    "{name} at x = {x} on {backend:?}: value {}, gradient {}",
                    value[i],
                    gradient[i]
                );
            }
        }
    }
}

/// A two-class CSV whose features span ±500: far beyond e^x's range once multiplied by weights.
fn wide_csv() -> String {
    let mut g = Generator::new(11);
    let mut text = String::from("a,b,label\n");
    for _ in 0..200 {
        let (a, b) = (
            500.0 * (2.0 * g.unit() - 1.0),
            500.0 * (2.0 * g.unit() - 1.0),
        );
        let label = if a + b > 0.0 { "up" } else { "down" };
        text += &format!("{a:.3},{b:.3},{label}\n");
    }
    text
}

#[test]
fn unstandardised_features_of_500_train_with_every_activation_without_diverging() {
    let dir = temp_dir("wide-features");
    let data = dir.join("wide.csv");
    std::fs::write(&data, wide_csv()).expect("write");
    for name in NAMES {
        let out = dir.join(name);
        #[rustfmt::skip]
        let run = plaindnn(&[
            "train", "--data", data.to_str().expect("utf-8"), "--target", "label",
            "--no-standardize", "--activation", name, "--epochs", "3", "--no-early-stopping",
            "--quiet", "--out", out.to_str().expect("utf-8"),
        ]);
        assert!(run.status.success(), "{name}: {}", stderr(&run));
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).expect("metrics.csv");
        let losses: Vec<f64> = metrics
            .lines()
            .skip(1)
            .flat_map(|line| line.split(',').skip(1).take(2))
            .map(|v| v.parse().expect("a number"))
            .collect();
        assert_eq!(losses.len(), 6, "{name}: 3 epochs of train and val loss");
        assert!(losses.iter().all(|l| l.is_finite()), "{name}: {metrics}");
    }
}
