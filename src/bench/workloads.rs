//! The workloads' data and networks, as the performance issue defines them (float32, fixed seeds).
//! The random values come from plaindnn's generator, not NumPy's: same shapes and distributions,
//! so the same arithmetic, but not the same numbers.

use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use crate::data::{quadrants, Dataset, Targets};
use crate::error::Result;
use crate::model::{ActivationConfig, InitConfig, MlpConfig};

/// Matrix-product weights of the W2 network: 784·512 + 512·256 + 256·10.
pub const W2_WEIGHTS: f64 = (784 * 512 + 512 * 256 + 256 * 10) as f64;

fn normal(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// `rows` of X ~ N(0, 1) `[rows, 784]`, labelled argmax(X·R) for a fixed R ~ N(0, 1) `[784, 10]`.
pub fn mnist_shaped(rows: usize, seed: u64) -> Result<Dataset> {
    let x = normal(rows * 784, seed);
    let r = normal(784 * 10, 1);
    let labels = x
        .chunks(784)
        .map(|row| {
            let scores = (0..10).map(|c| (0..784).map(|i| row[i] * r[i * 10 + c]).sum::<f32>());
            scores
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(c, _)| c as i64)
        })
        .collect();
    names(x, 784, Targets::Classes(labels), 10)
}

/// W3's batch: 256 rows of W2's data projected to 100 features by P ~ N(0, 1/784) `[784, 100]`.
pub fn deep_batch() -> Result<Dataset> {
    let data = mnist_shaped(256, 0)?;
    let p = normal(784 * 100, 3);
    let scale = 1.0 / 784f32.sqrt();
    let x: Vec<f32> = data
        .features
        .chunks(784)
        .flat_map(|row| {
            (0..100)
                .map(|j| (0..784).map(|i| row[i] * p[i * 100 + j]).sum::<f32>() * scale)
                .collect::<Vec<_>>()
        })
        .collect();
    names(x, 100, data.targets, 10)
}

/// The tutorial's four points, one per quadrant.
pub fn quadrant_points() -> Result<Dataset> {
    let x = quadrants::TUTORIAL_POINTS.concat();
    names(x, 2, Targets::Classes(vec![0, 1, 2, 3]), 4)
}

fn names(x: Vec<f32>, width: usize, targets: Targets, classes: usize) -> Result<Dataset> {
    Dataset::new(
        x,
        (0..width).map(|i| format!("x{i}")).collect(),
        targets,
        (0..classes).map(|c| c.to_string()).collect(),
    )
}

/// W2's two networks: `plain` (ReLU, default init) and `seed_default` (He, BatchNorm, ELU,
/// Dropout 0.2).
pub fn w2_networks() -> [(&'static str, MlpConfig); 2] {
    let plain = MlpConfig::new(784, vec![512, 256], 10);
    let mut best = plain.clone();
    best.init = InitConfig::HeNormal;
    best.batch_norm = true;
    best.activation = ActivationConfig::Elu { alpha: 1.0 };
    best.dropout = 0.2;
    [("plain", plain), ("seed_default", best)]
}

/// W3's networks: 20 hidden layers of 100.
pub fn w3_networks() -> [(&'static str, MlpConfig); 3] {
    let deep = |activation, init, batch_norm| {
        let mut c = MlpConfig::new(100, vec![100; 20], 10);
        c.activation = activation;
        c.init = init;
        c.batch_norm = batch_norm;
        c
    };
    let elu = ActivationConfig::Elu { alpha: 1.0 };
    [
        (
            "sigmoid_default",
            deep(ActivationConfig::Sigmoid, InitConfig::default(), false),
        ),
        ("elu_he", deep(elu.clone(), InitConfig::HeNormal, false)),
        ("elu_he_bn", deep(elu, InitConfig::HeNormal, true)),
    ]
}
