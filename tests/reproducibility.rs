//! One seed, one network: initial weights drawn by plaindnn's own generator are bit-identical on
//! every backend, and trainings running side by side in one process never share a random stream.

mod common;

use std::path::Path;
use std::sync::Barrier;

use burn::tensor::Tensor;
use common::{bits, plaindnn, quadrant_config, stdout, temp_dir};
use plaindnn::backend::{wgpu_adapters, Backend};
use plaindnn::data::DataSource;
use plaindnn::model::{ActivationConfig, InitConfig, Mlp, MlpConfig};
use plaindnn::train::{self, TrainConfig, Verbosity};

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

/// Every weight and bias of every Linear layer, input side first, as bits.
fn weight_bits(mlp: &Mlp) -> Vec<u32> {
    let mut all = Vec::new();
    for linear in mlp.linears() {
        all.extend(read(linear.weight.val()));
        all.extend(read(linear.bias.as_ref().expect("a bias").val()));
    }
    bits(&all)
}

#[test]
fn seed_7_gives_bit_identical_initial_weights_on_every_compiled_backend() {
    for init in [
        "default",
        "he_normal",
        "he_uniform",
        "xavier_normal",
        "normal:0.5",
    ] {
        let mut config = MlpConfig::new(3, vec![16, 8], 4);
        config.init = init.parse::<InitConfig>().expect("known");
        config.batch_norm = true;
        config.dropout = 0.2;
        let on = |b: Backend| {
            let device = b.device().expect("compiled").autodiff();
            weight_bits(&config.init(&device, 7).expect("valid"))
        };
        let flex = on(Backend::Flex);
        assert_ne!(
            flex,
            on_flex_with_seed(&config, 8),
            "{init}: the seed matters"
        );
        for backend in usable() {
            assert_eq!(on(backend), flex, "{init} on {backend:?}");
        }
    }
}

fn on_flex_with_seed(config: &MlpConfig, seed: u64) -> Vec<u32> {
    let device = Backend::Flex.device().expect("flex");
    weight_bits(&config.init(&device, seed).expect("valid"))
}

#[test]
fn seed_7_starts_the_quadrant_net_at_the_weights_the_python_reference_draws() {
    // tests/fixtures/random_reference.py: xoshiro256++ seeded by SplitMix64(7), each weight
    // −a + 2a·u with a = 1/√fan_in = 1/√2 and u the top 53 bits of a draw, rounded to f32
    let config = MlpConfig::new(2, vec![50], 4);
    for backend in usable() {
        let device = backend.device().expect("compiled");
        let mlp = config.init(&device, 7).expect("valid");
        let w = read(mlp.blocks[0].linear.weight.val()); // [2, 50], row-major
        assert_eq!(
            bits(&w[..4]),
            [0xbf20_fa0a, 0xbeed_69da, 0x3e9d_8abd, 0xbdd2_d2a8],
            "{backend:?}: {:?}",
            &w[..4]
        );
        let a = 1.0 / 2f32.sqrt();
        assert!(w.iter().all(|v| v.abs() <= a), "U(−1/√2, 1/√2)");
    }
}

/// The quadrant task with dropout and RReLU, so that every epoch draws random numbers.
fn noisy_config() -> TrainConfig {
    let mut config = quadrant_config();
    config.model.activation = ActivationConfig::Rrelu {
        lower: 0.1,
        upper: 0.3,
    };
    config.model.dropout = 0.3;
    config.epochs = 6;
    config.early_stopping = None;
    config
}

/// `metrics.csv` and the final weights' bits of a quiet quadrant run into `dir`.
fn run(config: TrainConfig, dir: &Path) -> (String, Vec<u32>) {
    let source = DataSource::quadrants(config.seed);
    let trained = train::train(source, config, dir, Verbosity::Quiet).expect("trains");
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    (metrics, weight_bits(&trained.model))
}

#[test]
fn two_trainings_on_two_threads_give_the_bytes_of_a_lone_run() {
    let dir = temp_dir("concurrent");
    let alone = run(noisy_config(), &dir.join("alone"));
    let other_seed = {
        let mut config = noisy_config();
        config.seed = 43;
        run(config, &dir.join("seed-43")).0
    };
    assert_ne!(alone.0, other_seed, "the seed changes the run");
    let start = Barrier::new(2);
    let (a, b) = std::thread::scope(|scope| {
        let side_by_side = |name: &'static str| {
            let (start, dir) = (&start, &dir);
            scope.spawn(move || {
                start.wait();
                run(noisy_config(), &dir.join(name))
            })
        };
        let (a, b) = (side_by_side("a"), side_by_side("b"));
        (a.join().expect("thread a"), b.join().expect("thread b"))
    });
    assert_eq!(a.0, alone.0, "metrics.csv of thread a");
    assert_eq!(b.0, alone.0, "metrics.csv of thread b");
    assert_eq!(a.1, alone.1, "final weights of thread a");
    assert_eq!(b.1, alone.1, "final weights of thread b");
}

/// Trains (or fine-tunes, with `from`) a BatchNorm + PReLU + dropout net into `dir` and exports it.
fn saved(dir: &Path, from: Option<&Path>) -> [Vec<u8>; 3] {
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    let mut args = vec![
        "train",
        "--epochs",
        "3",
        "--batch-norm",
        "--activation",
        "prelu",
    ];
    args.extend(["--dropout", "0.2", "--hidden", "12,6", "--quiet"]);
    let (out, from) = (s(dir), from.map(s));
    args.extend(["--out", &out]);
    if let Some(from) = &from {
        args.extend(["--init-from", from, "--new-head"]);
    }
    let o = plaindnn(&args);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = plaindnn(&["export", "--run", &out]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let read = |name: &str| std::fs::read(dir.join(name)).expect(name);
    let files = ["model.bpk", "checkpoint/model-3.bpk", "model.safetensors"];
    files.map(read)
}

#[test]
fn one_seed_saves_byte_identical_model_files_and_exports() {
    // Burn names parameters with random ids and safetensors writes its metadata in a hash map's
    // order: both made two identical trainings save different bytes
    let dir = temp_dir("same-bytes");
    let (a, b) = (saved(&dir.join("a"), None), saved(&dir.join("b"), None));
    let names = ["model.bpk", "checkpoint/model-3.bpk", "model.safetensors"];
    for ((a, b), name) in a.iter().zip(&b).zip(names) {
        assert!(a == b, "{name} differs between two runs with one seed");
    }
    let from = dir.join("a");
    let (c, d) = (
        saved(&dir.join("c"), Some(&from)),
        saved(&dir.join("d"), Some(&from)),
    );
    assert!(c[0] == d[0], "model.bpk of two fine-tunings of one network");
    assert!(c[0] != a[0], "the fine-tuning saved other weights");
}

#[test]
fn a_resumed_batch_norm_run_saves_the_bytes_of_an_uninterrupted_one() {
    // Burn's RunningState keeps its own id when a record is loaded: a resume gave BatchNorm's
    // statistics fresh random ids, so its saved files differed from the uninterrupted run's
    let (whole, split) = (temp_dir("bytes-whole"), temp_dir("bytes-split"));
    let mut config = quadrant_config();
    config.model.batch_norm = true;
    config.early_stopping = None;
    config.checkpoint_interval = None; // a checkpoint after each epoch
    config.epochs = 4;
    run(config.clone(), &whole);
    config.epochs = 2;
    run(config, &split);
    train::resume(&split, Some(4), Verbosity::Quiet).expect("resumes");
    for name in ["model.bpk", "checkpoint/model-4.bpk"] {
        let read = |dir: &Path| std::fs::read(dir.join(name)).expect(name);
        assert!(
            read(&whole) == read(&split),
            "{name} of the resumed run differs"
        );
    }
}

/// An outside audit killed runs after their best epoch: resumed, the best weights came from
/// `kept-N.bpk` read back, and `model.bpk` written from that record held the same weights in
/// other bytes (a record read back writes its tensors in another order). Here the run is split
/// at its best epoch, so no later epoch replaces those weights.
#[test]
fn a_run_resumed_after_its_best_epoch_saves_the_model_bytes_of_an_uninterrupted_one() {
    let (whole, split) = (temp_dir("kept-whole"), temp_dir("kept-split"));
    let mut config = noisy_config();
    config.optimizer.learning_rate = 0.3; // val_loss wanders: its best is an early epoch
    config.early_stopping = Some(plaindnn::train::EarlyStoppingConfig {
        patience: 100,
        ..Default::default()
    });
    config.checkpoint_interval = None;
    config.epochs = 12;
    let source = DataSource::quadrants(config.seed);
    let trained = train::train(source, config.clone(), &whole, Verbosity::Quiet).expect("trains");
    let best = trained
        .outcome
        .best()
        .map(|b| b.epoch)
        .expect("a best epoch");
    assert!(
        best < 12,
        "the test needs a best epoch before the last, got {best}"
    );
    config.epochs = best;
    run(config, &split);
    train::resume(&split, Some(12), Verbosity::Quiet).expect("resumes");
    let read = |dir: &Path| std::fs::read(dir.join("model.bpk")).expect("model.bpk");
    assert!(
        read(&whole) == read(&split),
        "model.bpk of the resumed run differs"
    );
    let metrics = |dir: &Path| std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics");
    assert_eq!(metrics(&whole), metrics(&split));
}

/// Networks saved by plaindnn 0.1.0 before it drew its own dropout masks and RReLU slopes
/// (Burn's `Dropout` and `RRelu` then), trained with `--seed 1 --epochs 5 --hidden 8` and
/// `--batch-norm --activation prelu --dropout 0.3` or `--activation rrelu --dropout 0.2`. The
/// expected lines are what that build's `predict --input 2,2` printed.
#[test]
fn runs_saved_with_burns_dropout_and_rrelu_still_load_and_predict_the_same() {
    for (name, expected) in OLD_RUNS {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/old-runs")
            .join(name);
        let out = plaindnn(&[
            "predict",
            "--run",
            dir.to_str().expect("utf-8"),
            "--input",
            "2,2",
        ]);
        assert!(out.status.success(), "{name}: {}", common::stderr(&out));
        assert_eq!(stdout(&out).trim(), *expected, "{name}");
    }
}

const OLD_RUNS: &[(&str, &str)] = &[
    (
        "prelu-batchnorm-dropout",
        "x=2, y=2 → quadrant I   (p: I 0.7890, II 0.1200, III 0.0193, IV 0.0717)",
    ),
    (
        "rrelu-dropout",
        "x=2, y=2 → quadrant I   (p: I 0.8577, II 0.1087, III 0.0085, IV 0.0252)",
    ),
];
