//! The same code on every compiled backend: the same numbers, and checkpoints that move between them.
//!
//! With default features only flex is compiled and these tests compare flex with itself; CI also
//! runs them with `--features ndarray,wgpu` on Mesa's software Vulkan driver (lavapipe).

mod common;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use common::{quadrant_config, temp_dir, train_quadrants};
use plaindnn::backend::{wgpu_adapters, Backend};
use plaindnn::data::BatchTargets;
use plaindnn::inference::Predictor;
use plaindnn::model::MlpConfig;
use plaindnn::train::{optimizer, step, OptimizerConfig};

/// Compiled backends that can run here (wgpu needs an adapter).
fn usable() -> Vec<Backend> {
    Backend::compiled()
        .into_iter()
        .filter(|b| *b != Backend::Wgpu || !wgpu_adapters().is_empty())
        .collect()
}

/// Logits, loss and first-layer weights after one Adam step, on `backend`, from flex's weights.
struct Probe {
    logits: Vec<f32>,
    loss: f32,
    stepped: Vec<f32>,
}

fn probe(backend: Backend) -> Probe {
    let config = MlpConfig::new(2, vec![16], 4);
    let record = {
        let flex = Device::flex();
        config.init(&flex, 5).expect("valid").into_record()
    };
    let device = backend.device().expect("compiled").autodiff();
    let model = config
        .init_for_loading(&device)
        .expect("valid")
        .load_record(record);
    let x = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0], [4, 2]),
        &device,
    );
    let y = Tensor::from_data(TensorData::new(vec![0i64, 1, 2, 3], [4]), &device);
    let logits = model.forward(x);
    let loss = step::loss(logits.clone(), &BatchTargets::Classes(y));
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let adam = OptimizerConfig::adam(0.01);
    let mut optim = optimizer::build(&adam, &Default::default(), &Default::default());
    let stepped = optim.step(0.01, model, grads);
    Probe {
        logits: logits.into_data().try_to_vec::<f32>().expect("f32"),
        loss: loss.into_scalar::<f32>(),
        stepped: stepped.blocks[0]
            .linear
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32"),
    }
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Reduction order differs between backends (and GPUs fuse multiply-adds): f32 results agree to
/// about 1e-6 relative; 1e-4 absolute leaves room on values of order 1.
const TOLERANCE: f32 = 1e-4;

#[test]
fn forward_loss_and_one_adam_step_agree_across_compiled_backends() {
    let reference = probe(Backend::Flex);
    for backend in usable() {
        let p = probe(backend);
        assert!(
            max_diff(&p.logits, &reference.logits) < TOLERANCE,
            "{backend}: logits"
        );
        assert!(
            (p.loss - reference.loss).abs() < TOLERANCE,
            "{backend}: loss {} vs {}",
            p.loss,
            reference.loss
        );
        assert!(
            max_diff(&p.stepped, &reference.stepped) < TOLERANCE,
            "{backend}: weights after one Adam step"
        );
    }
}

#[test]
fn a_model_trained_on_flex_predicts_the_same_on_every_backend() {
    let dir = temp_dir("portable");
    let mut config = quadrant_config();
    config.epochs = 20;
    train_quadrants(config, &dir);
    let points = [2.0, 2.0, -3.0, 0.5, -1.0, -4.0, 5.0, -0.3];
    let on = |b: Backend| -> Vec<f32> {
        let p = Predictor::open(&dir, b)
            .expect("opens")
            .predict(&points)
            .expect("predicts");
        p.iter().flat_map(|p| p.probabilities.clone()).collect()
    };
    let reference = on(Backend::Flex);
    for backend in usable() {
        assert!(max_diff(&on(backend), &reference) < TOLERANCE, "{backend}");
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn wgpu_sees_an_adapter_when_the_feature_is_on() {
    // CI installs Mesa's lavapipe; a machine without any Vulkan driver fails here, loudly.
    assert!(
        !wgpu_adapters().is_empty(),
        "no wgpu adapter: install mesa-vulkan-drivers"
    );
}
