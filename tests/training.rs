//! Training the quadrant task end to end: the prediction bar, reload, resume, early stopping,
//! determinism and divergence.

mod common;

use std::fs;
use std::sync::{Arc, Mutex};

use common::{bits, plaindnn, quadrant_config, stderr, temp_dir, train_quadrants};
use plaindnn::backend::Backend;
use plaindnn::data::DataSource;
use plaindnn::inference::Predictor;
use plaindnn::train::{self, EarlyStoppingConfig, TrainedRun, Verbosity};

#[test]
fn the_quadrant_net_answers_quadrant_one_for_two_two_and_places_new_points() {
    let dir = temp_dir("bar");
    train_quadrants(quadrant_config(), &dir);
    let predictor = Predictor::open(&dir, Backend::Flex).expect("opens");
    let p = predictor
        .predict(&[2.0, 2.0, -3.0, 0.5, -1.0, -4.0, 5.0, -0.3])
        .expect("predicts");
    assert_eq!(p[0].class.as_deref(), Some("I"));
    assert!(
        p[0].probabilities[0] > 0.9,
        "p(I | 2,2) = {}",
        p[0].probabilities[0]
    );
    let sum: f32 = p[0].probabilities.iter().sum();
    assert!((sum - 1.0).abs() < 1e-5);
    let classes: Vec<_> = p[1..]
        .iter()
        .map(|p| p.class.clone().unwrap_or_default())
        .collect();
    assert_eq!(classes, ["II", "III", "IV"]);
}

#[test]
fn a_reloaded_run_predicts_bit_identically() {
    let dir = temp_dir("reload");
    let trained = train_quadrants(quadrant_config(), &dir);
    let points = [2.0, 2.0, -3.0, 0.5, 0.1, -0.1, 4.0, -4.0];
    let x = burn::tensor::Tensor::<2>::from_data(
        burn::tensor::TensorData::new(points.to_vec(), [4, 2]),
        &burn::tensor::Device::flex(),
    );
    let direct = trained
        .model
        .probabilities(x)
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let reloaded = Predictor::open(&dir, Backend::Flex).expect("opens");
    let again: Vec<f32> = reloaded
        .predict(&points)
        .expect("predicts")
        .iter()
        .flat_map(|p| p.probabilities.clone())
        .collect();
    assert_eq!(bits(&direct), bits(&again));
}

#[test]
fn the_same_seed_twice_writes_identical_metrics() {
    let (a, b, c) = (temp_dir("seed-a"), temp_dir("seed-b"), temp_dir("seed-c"));
    let mut config = quadrant_config();
    config.epochs = 8;
    config.model.dropout = 0.2; // dropout masks come from the seed too
    train_quadrants(config.clone(), &a);
    train_quadrants(config.clone(), &b);
    config.seed = 7;
    train_quadrants(config, &c);
    let read =
        |d: &std::path::Path| fs::read_to_string(d.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c), "another seed must give another run");
    assert_eq!(
        read(&a).lines().count(),
        1 + 8,
        "a header and one row per epoch"
    );
}

#[test]
fn a_resumed_run_continues_at_the_next_epoch_and_matches_an_uninterrupted_one() {
    let (whole, split) = (temp_dir("resume-whole"), temp_dir("resume-split"));
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.model.dropout = 0.1;
    config.epochs = 6;
    config.checkpoint_interval = None; // saving by epochs: a checkpoint after each
    train_quadrants(config.clone(), &whole);

    config.epochs = 3;
    train_quadrants(config, &split);
    assert!(split.join("checkpoint/model-3.bpk").is_file());
    assert!(split.join("checkpoint/optim-3.bpk").is_file());
    let resumed = train::resume(&split, Some(6), Verbosity::Quiet).expect("resumes");
    let epochs: Vec<usize> = resumed.outcome.rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [1, 2, 3, 4, 5, 6]);
    assert!(split.join("checkpoint/model-6.bpk").is_file());
    assert!(split.join("checkpoint/model-5.bpk").is_file());
    assert!(
        !split.join("checkpoint/model-4.bpk").exists(),
        "only the last two epochs' checkpoints are kept"
    );

    let read =
        |d: &std::path::Path| fs::read_to_string(d.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(
        read(&whole),
        read(&split),
        "optimizer state, shuffling and dropout all resume exactly"
    );
}

/// An outside review: `resume` took a verbosity alone, so a program's observers (a live chart,
/// a logger) heard nothing of a resumed run's epochs.
#[test]
fn a_resumed_run_tells_its_observers_of_each_epoch_and_refuses_a_new_runs_options() {
    use plaindnn::train::{EpochReport, RunOptions, TrainObserver};
    use std::sync::{Arc, Mutex};
    struct Epochs(Arc<Mutex<Vec<usize>>>);
    impl TrainObserver for Epochs {
        fn on_epoch(&mut self, report: &EpochReport) -> plaindnn::Result<()> {
            self.0.lock().expect("lock").push(report.row.epoch);
            Ok(())
        }
    }
    let dir = temp_dir("resume-observed");
    let mut config = quadrant_config();
    (config.early_stopping, config.epochs) = (None, 2);
    train_quadrants(config, &dir);
    let options = |o: fn(RunOptions) -> RunOptions| o(RunOptions::from(Verbosity::Quiet));
    for (refused, name) in [
        (options(RunOptions::overwrite), "overwrite"),
        (options(RunOptions::keep_failed), "keep_failed"),
        (options(|o| o.started_by("plaindnn train")), "command"),
    ] {
        let err = train::resume(&dir, Some(4), refused).expect_err(name);
        assert!(
            err.to_string().starts_with(&format!("invalid {name}: ")),
            "{err}"
        );
    }
    assert_eq!(
        common::Metrics::read(&dir).rows.len(),
        2,
        "the refusals left the run as it was"
    );
    let seen = Arc::new(Mutex::new(vec![]));
    let observed = RunOptions::from(Verbosity::Quiet).observe(Epochs(seen.clone()));
    train::resume(&dir, Some(4), observed).expect("resumes");
    assert_eq!(*seen.lock().expect("lock"), [3, 4]);
}

#[test]
fn resuming_a_finished_run_says_how_to_train_further() {
    let dir = temp_dir("resume-done");
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.epochs = 2;
    train_quadrants(config, &dir);
    let err = train::resume(&dir, train::ResumeChanges::default(), Verbosity::Quiet)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("has trained all its 2 epochs: pass --epochs 3 or more to train further"),
        "{err}"
    );
}

#[test]
fn resuming_a_run_that_stopped_early_says_so_and_goes_on_with_a_longer_patience() {
    let dir = temp_dir("resume-stopped");
    let mut config = quadrant_config();
    config.epochs = 50;
    config.early_stopping = Some(EarlyStoppingConfig {
        patience: 3,
        min_delta: 100.0, // nothing beats epoch 1 by that much: it stops at 4
        restore_best_weights: true,
    });
    assert_eq!(train_quadrants(config, &dir).outcome.rows.len(), 4);
    let metrics = fs::read(dir.join("metrics.csv")).expect("metrics");
    let err = train::resume(&dir, train::ResumeChanges::default(), Verbosity::Quiet)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("stopped early at epoch 4: val_loss had not improved on epoch 1's by more than 100 for 3 epochs; pass --patience N (more than 3)"),
        "{err}"
    );
    assert_eq!(
        fs::read(dir.join("metrics.csv")).expect("metrics"),
        metrics,
        "nothing trained"
    );
    let lower = train::ResumeChanges {
        patience: Some(2),
        ..Default::default()
    };
    let err = train::resume(&dir, lower, Verbosity::Quiet)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("with --patience 2 it would stop at once: val_loss had not improved on epoch 1's by more than 100 for 3 epochs"),
        "{err}"
    );
    let changes = train::ResumeChanges {
        patience: Some(5),
        ..Default::default()
    };
    let resumed = train::resume(&dir, changes, Verbosity::Quiet).expect("resumes");
    assert_eq!(resumed.outcome.rows.len(), 6, "two more epochs of patience");
}

#[test]
fn early_stopping_waits_from_the_last_fall_by_min_delta_and_restores_the_lowest_val_loss() {
    // the epoch of lowest val_loss in a run's own log (an independent argmin)
    let lowest = |trained: &TrainedRun| {
        let rows = &trained.outcome.rows;
        let at = (0..rows.len()).min_by(|&a, &b| rows[a].val_loss.total_cmp(&rows[b].val_loss));
        at.map(|i| rows[i].epoch)
    };
    // No later epoch can beat epoch 1 by 100, so the wait runs from it and ends at epoch 4; each
    // of those epochs still falls, and the last of them is the lowest, the weights kept.
    let dir = temp_dir("early-delta");
    let mut config = quadrant_config();
    config.epochs = 50;
    config.early_stopping = Some(EarlyStoppingConfig {
        patience: 3,
        min_delta: 100.0,
        restore_best_weights: true,
    });
    let trained = train_quadrants(config, &dir);
    assert_eq!(
        trained.outcome.rows.len(),
        4,
        "epoch 1, then 3 epochs of patience"
    );
    assert!(trained.outcome.stopped_early);
    assert_eq!(trained.outcome.best_epoch, lowest(&trained));
    assert_eq!(trained.outcome.best_epoch, Some(4), "every epoch fell");
    let saved = Predictor::open(&dir, Backend::Flex).expect("opens");
    assert_eq!(outputs_of(&trained.model), outputs_of(&saved.model));
    assert_eq!(outputs_of(&saved.model), checkpoint_outputs(&dir, 4));

    // With min_delta 0 it stops 3 epochs after the lowest and goes back to it.
    let dir = temp_dir("early-plateau");
    let mut config = quadrant_config();
    config.epochs = 300;
    config.early_stopping = Some(EarlyStoppingConfig {
        patience: 3,
        min_delta: 0.0,
        restore_best_weights: true,
    });
    let trained = train_quadrants(config, &dir);
    assert!(trained.outcome.stopped_early, "a plateau within 300 epochs");
    let last = trained.outcome.rows.len();
    assert_eq!(trained.outcome.best_epoch, lowest(&trained));
    assert_eq!(trained.outcome.best_epoch, Some(last - 3));
    let saved = Predictor::open(&dir, Backend::Flex).expect("opens");
    let returned = outputs_of(&trained.model);
    assert_eq!(
        returned,
        outputs_of(&saved.model),
        "the returned model is the saved one"
    );
    assert_ne!(
        returned,
        checkpoint_outputs(&dir, last),
        "three more epochs of Adam moved the weights"
    );
}

/// The network's outputs on two points, as bits.
fn outputs_of(model: &plaindnn::model::Mlp) -> Vec<u32> {
    let x = burn::tensor::Tensor::<2>::from_data(
        burn::tensor::TensorData::new(vec![2.0f32, 2.0, -3.0, 0.5], [2, 2]),
        &burn::tensor::Device::flex(),
    );
    bits(
        &model
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32"),
    )
}

/// The outputs of the last checkpoint, `checkpoint/model-{epoch}.bpk`, of the run in `dir`.
fn checkpoint_outputs(dir: &std::path::Path, epoch: usize) -> Vec<u32> {
    use burn::module::Module;
    let run = Predictor::open(dir, Backend::Flex).expect("opens");
    let model = run
        .config
        .train
        .model
        .init_for_loading(&burn::tensor::Device::flex())
        .expect("builds")
        .load_file(dir.join(format!("checkpoint/model-{epoch}.bpk")));
    outputs_of(&model)
}

#[test]
fn without_restoring_the_run_ends_with_its_last_epoch_and_saves_that_model() {
    let plateau = EarlyStoppingConfig {
        patience: 3,
        min_delta: 100.0,
        restore_best_weights: false,
    };
    for (name, early_stopping, epochs) in [("no-restore", Some(plateau), 4), ("no-es", None, 5)] {
        let dir = temp_dir(name);
        let mut config = quadrant_config();
        config.epochs = epochs + 10 * usize::from(early_stopping.is_some()); // it stops at 4
        config.early_stopping = early_stopping;
        config.optimizer.learning_rate = 0.3; // val_loss bounces: epoch 2 is the best of five
        let trained = train_quadrants(config, &dir);
        assert_eq!(trained.outcome.rows.len(), epochs, "{name}");
        assert_ne!(
            trained.outcome.best_epoch,
            Some(epochs),
            "{name}: the best is not the last"
        );
        let returned = outputs_of(&trained.model);
        let saved = outputs_of(&Predictor::open(&dir, Backend::Flex).expect("opens").model);
        assert_eq!(
            saved, returned,
            "{name}: model.bpk is the model the run ended with"
        );
        assert_eq!(
            returned,
            checkpoint_outputs(&dir, epochs),
            "{name}: the last epoch's"
        );
    }
}

#[test]
fn a_huge_learning_rate_stops_with_a_message_and_keeps_the_last_good_checkpoint() {
    // plain SGD at rate 5 on the quadrants: finite for a few epochs, then inf (epoch 4 today)
    let dir = temp_dir("nan");
    let mut config = quadrant_config();
    config.optimizer = plaindnn::train::OptimizerConfig {
        kind: plaindnn::train::OptimizerKind::Sgd,
        ..plaindnn::train::OptimizerConfig::adam(5.0)
    };
    config.early_stopping = None;
    config.checkpoint_interval = None; // a checkpoint each epoch
    config.epochs = 20;
    let source = plaindnn::data::DataSource::quadrants(config.seed);
    let err = train::train(source, config, &dir, Verbosity::Quiet)
        .expect_err("diverges")
        .to_string();
    let epoch: usize = err
        .strip_prefix("training diverged in epoch ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("names the epoch: {err}"));
    assert!(epoch >= 2, "diverges after a good epoch: {err}");
    let last = epoch - 1;
    let kept = format!(
        "the last good checkpoint (epoch {last}) is kept in {}",
        dir.join("checkpoint").display()
    );
    assert!(err.contains("loss became") && err.contains(&kept), "{err}");
    // the good epochs' rows stay, and their checkpoint loads
    let rows = train::history::read(&dir.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(rows.len(), last);
    assert!(rows.iter().all(|r| r.train_loss.is_finite()));
    let weights = checkpoint_outputs(&dir, last);
    assert!(weights.iter().all(|&b| f32::from_bits(b).is_finite()));
}

/// An outside audit: saving by time (the default), the same run diverged before its first
/// save and said "no checkpoint was saved yet" beside a `model.bpk` that `eval` reads. It names
/// that file and its epoch: the lowest validation loss's when the run restores the best
/// weights, else the newest.
#[test]
fn a_run_that_diverged_before_its_first_save_names_the_weights_it_kept() {
    for restore in [true, false] {
        let dir = temp_dir(&format!("nan-by-time-{restore}"));
        let mut config = quadrant_config();
        config.optimizer = plaindnn::train::OptimizerConfig {
            kind: plaindnn::train::OptimizerKind::Sgd,
            ..plaindnn::train::OptimizerConfig::adam(5.0)
        };
        config.early_stopping = restore.then_some(EarlyStoppingConfig {
            patience: 100,
            min_delta: 0.0,
            restore_best_weights: true,
        });
        config.epochs = 20;
        assert!(config.checkpoint_interval.is_some(), "saving by time");
        let source = plaindnn::data::DataSource::quadrants(config.seed);
        let val = source.load().expect("rows").val;
        let err = train::train(source, config, &dir, Verbosity::Quiet)
            .expect_err("diverges")
            .to_string();
        let rows = train::history::read(&dir.join("metrics.csv")).expect("metrics.csv");
        let lowest = (rows.iter()).min_by(|a, b| a.val_loss.total_cmp(&b.val_loss));
        let newest = rows.last();
        let kept = if restore { lowest } else { newest }
            .expect("a good epoch")
            .epoch;
        let said = format!(
            "no checkpoint was saved yet, but the weights of epoch {kept} are kept in {}. Try",
            dir.join("model.bpk").display()
        );
        assert!(err.contains(&said), "{err}");
        let predictor = Predictor::open(&dir, Backend::Flex).expect("model.bpk opens");
        let val = predictor.evaluate_prepared(val).expect("scores");
        let loss = rows[kept - 1].val_loss as f32;
        assert_eq!(val.scores.loss as f32, loss, "epoch {kept}'s weights");
    }
}

#[test]
fn augmented_training_batches_differ_from_the_data_by_sigma_anew_each_epoch_and_validation_never() {
    use burn::data::dataloader::DataLoader;
    use plaindnn::data::{AugmentConfig, BatchLoader, DataSource};
    let prepared = DataSource::quadrants(1).load().expect("built in");
    let device = burn::tensor::Device::flex();
    let first_batch = |loader: &BatchLoader| -> Vec<f32> {
        let batch = loader.iter().next().expect("a batch").expect("no error");
        batch.inputs.into_data().try_to_vec::<f32>().expect("f32")
    };
    let rows = |set: &plaindnn::data::Subset| -> Vec<f32> {
        (0..256).flat_map(|r| set.data.row(r).to_vec()).collect()
    };
    let jitter = AugmentConfig {
        jitter: 0.1,
        ..Default::default()
    };
    let train =
        BatchLoader::new(prepared.train.clone(), 256, None, &device).with_augmentation(&jitter, 3);
    let (raw, epoch1) = (rows(&prepared.train), first_batch(&train));
    let noise: Vec<f32> = epoch1.iter().zip(&raw).map(|(a, r)| a - r).collect();
    assert!(
        noise.iter().all(|&d| d != 0.0),
        "every training input is perturbed"
    );
    // 512 draws of N(0, 0.1²): their standard deviation is 0.1 ± 0.003
    let sd = (noise.iter().map(|d| d * d).sum::<f32>() / noise.len() as f32).sqrt();
    assert!((sd - 0.1).abs() < 0.01, "σ of the jitter: {sd}");
    assert_eq!(
        first_batch(&train),
        epoch1,
        "the same (seed, epoch) draws the same noise"
    );
    train
        .epoch_handle()
        .store(2, std::sync::atomic::Ordering::Relaxed);
    let epoch2 = first_batch(&train);
    let moved = epoch2.iter().zip(&epoch1).filter(|(a, b)| a != b).count();
    assert_eq!(moved, raw.len(), "epoch 2 draws new noise for every input");
    // a loader without augmentation, as validation's is built, passes the rows through
    let val = BatchLoader::new(prepared.val.clone(), 256, None, &device);
    assert_eq!(
        first_batch(&val),
        rows(&prepared.val),
        "validation rows are never augmented"
    );
}

#[test]
fn a_batch_with_a_non_finite_loss_is_skipped_under_skip_batch_and_stops_training_otherwise() {
    use plaindnn::data::{Dataset, Prepared, Subset};
    use plaindnn::train::NanPolicy;
    let prepared = plaindnn::data::DataSource::quadrants(5)
        .load()
        .expect("built in");
    let mut poisoned: Dataset = (*prepared.train.data).clone();
    poisoned.features[10] = f32::NAN; // row 5 gives a NaN loss wherever it lands
    let run = |policy: NanPolicy, name: &str, poisoned: &Dataset| {
        let mut config = quadrant_config();
        config.epochs = 5;
        config.early_stopping = None;
        config.on_nan = policy;
        let data = Prepared {
            train: Subset::all(poisoned.clone()),
            val: prepared.val.clone(),
            ..Prepared::unscaled(poisoned.clone(), poisoned.clone())
        };
        let source = plaindnn::data::DataSource::Memory {
            description: "poisoned".into(),
        };
        train::train_on(source, data, config, temp_dir(name), Verbosity::Quiet)
    };
    let skipped =
        run(NanPolicy::SkipBatch, "nan-skip", &poisoned).expect("trains around the bad batch");
    assert_eq!(skipped.outcome.rows.len(), 5);
    assert!(skipped
        .outcome
        .rows
        .iter()
        .all(|r| r.train_loss.is_finite() && r.val_loss.is_finite()));
    let err = run(NanPolicy::Stop, "nan-stop", &poisoned)
        .expect_err("stops")
        .to_string();
    assert!(
        err.contains("training diverged in epoch 1: the training loss became NaN"),
        "{err}"
    );
    // every row poisoned: under skip-batch every batch is skipped, and the run stops on it,
    // the rows blamed, with the way on that any divergence gets
    for r in 0..poisoned.len() {
        poisoned.features[2 * r] = f32::NAN;
    }
    let err = run(NanPolicy::SkipBatch, "nan-all", &poisoned)
        .expect_err("stops")
        .to_string();
    let said = "training diverged in epoch 1: every batch's loss was non-finite; no checkpoint \
                was saved yet, so the run's files are removed from";
    assert!(err.contains(said), "{err}");
    assert!(
        err.contains(". Try a smaller learning rate or gradient clipping.)"),
        "{err}"
    );
    assert!(
        err.contains("is not a finite number, so the loss was not either"),
        "{err}"
    );
}

#[test]
fn every_run_draws_its_loss_curves_and_a_two_input_classifier_its_decision_regions() {
    let dir = temp_dir("pictures");
    train_quadrants(quadrant_config(), &dir);
    let loss = fs::read_to_string(dir.join("loss.svg")).expect("loss.svg");
    assert!(
        loss.starts_with("<svg") && loss.matches("<polyline").count() == 2,
        "training and validation curves"
    );
    assert!(dir.join("accuracy.svg").is_file());
    let regions =
        fs::read_to_string(dir.join("decision_regions.svg")).expect("decision_regions.svg");
    // the four quadrants' region colours all appear, and the 256 validation points are drawn
    for colour in ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb"] {
        assert!(
            regions.contains(&format!("fill=\"{colour}\"")),
            "region colour {colour} missing"
        );
    }
    assert!(regions.matches("<circle").count() >= 256);
}

#[test]
fn every_run_writes_a_self_contained_report_with_its_pictures_metrics_and_config() {
    let dir = temp_dir("report");
    let mut config = quadrant_config();
    config.epochs = 5;
    config.diagnostics = true;
    train_quadrants(config, &dir);
    let html = fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert_eq!(
        html.matches("<svg ").count(),
        4,
        "loss, accuracy, gradient norms, decision regions"
    );
    assert_eq!(
        html.matches("<tr><td>").count(),
        5,
        "one metrics row per epoch"
    );
    assert!(html.contains("Total params: 354"));
    // accuracy in percent, as the CLI's progress and the playground show it (it was 0.9805)
    let metrics = fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    let last = metrics.lines().last().expect("a row");
    let accuracy: f64 = last
        .split(',')
        .nth(3)
        .expect("val_metric")
        .parse()
        .expect("a number");
    let row = format!("<td>{:.2}%</td>", accuracy * 100.0);
    assert!(html.contains(&row), "report.html lacks {row}");
    assert!(html.contains("<th>val accuracy</th>"));
    assert!(html.contains("&quot;format_version&quot;") || html.contains("\"format_version\""));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no network"
    );
}

#[test]
fn a_one_input_regression_draws_the_data_and_the_fitted_curve() {
    let dir = temp_dir("fit-picture");
    let mut config = plaindnn::train::TrainConfig::default_for(1, 1);
    config.epochs = 3;
    let source = plaindnn::data::DataSource::builtin("cubic", 1).expect("built in");
    train::train(source, config, &dir, Verbosity::Quiet).expect("trains");
    let svg = fs::read_to_string(dir.join("fit.svg")).expect("fit.svg");
    assert!(
        svg.matches("<circle").count() >= 200,
        "the validation points"
    );
    assert_eq!(svg.matches("<polyline").count(), 1, "the network's curve");
    assert!(dir.join("rmse.svg").is_file() && !dir.join("decision_regions.svg").exists());
}

/// An SVG's `<text>` labels, in order.
fn text_labels(svg: &str) -> Vec<String> {
    let label = |t: &str| Some(t.split_once('>')?.1.split_once("</text>")?.0.to_string());
    svg.split("<text").skip(1).filter_map(label).collect()
}

/// A linear network (`--hidden none`) on z = 2x − 3y + 1, validated on rows whose x and y span
/// [0, 1] exactly: `output_plane.svg` covers [−0.05, 1.05]² (a 5 % margin) in 80 × 80 cells, so
/// its scale's ends are the network's output at two corner cells, which `predict` gives and the
/// plane itself gives within the fit's error; `predicted_vs_actual.svg` draws every validation row.
#[test]
fn a_two_input_regression_pictures_its_output_over_the_plane_and_predicted_against_actual() {
    let dir = temp_dir("output-plane");
    let plane = |x: f64, y: f64| 2.0 * x - 3.0 * y + 1.0;
    let csv = |points: &[(f64, f64)]| -> String {
        let rows: String = (points.iter())
            .map(|&(x, y)| format!("{x},{y},{}\n", plane(x, y)))
            .collect();
        format!("x,y,z\n{rows}")
    };
    let spread = |n: usize, k: usize| -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| (((i * k) % n) as f64 / n as f64, i as f64 / n as f64))
            .collect()
    };
    let mut val = spread(56, 17);
    val.extend([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]);
    let (train_file, val_file) = (dir.join("train.csv"), dir.join("val.csv"));
    fs::write(&train_file, csv(&spread(200, 37))).expect("write");
    fs::write(&val_file, csv(&val)).expect("write");
    let run = dir.join("run");
    let path = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let (t, v, r) = (path(&train_file), path(&val_file), path(&run));
    let o = plaindnn(&[
        "train",
        "--data",
        &t,
        "--val-data",
        &v,
        "--hidden",
        "none",
        "--lr",
        "0.05",
        "--epochs",
        "300",
        "-q",
        "--out",
        &r,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let svg = fs::read_to_string(run.join("output_plane.svg")).expect("output_plane.svg");
    let labels = text_labels(&svg);
    let scale = &labels[labels.len() - 3..]; // low end, the target's name, high end
    assert_eq!(scale[1], "z");
    let (low, high): (f64, f64) = (
        scale[0].parse().expect("low"),
        scale[2].parse().expect("high"),
    );
    let centre = |k: f64| -0.05 + (k + 0.5) / 80.0 * 1.1;
    let (near, far) = (centre(0.0), centre(79.0));
    let corners = format!("x,y\n{far},{near}\n{near},{far}\n"); // highest, lowest of 2x − 3y
    let corners_file = dir.join("corners.csv");
    fs::write(&corners_file, corners).expect("write");
    let o = plaindnn(&[
        "predict",
        "--run",
        &r,
        "--data",
        &path(&corners_file),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = common::json(&o);
    let predicted = |i: usize| {
        doc["predictions"][i]["values"][0]
            .as_f64()
            .expect("a value")
    };
    // the scale's labels have four significant digits
    assert!(
        (high - predicted(0)).abs() < 2e-3,
        "high end {high}, predict {}",
        predicted(0)
    );
    assert!(
        (low - predicted(1)).abs() < 2e-3,
        "low end {low}, predict {}",
        predicted(1)
    );
    assert!(
        (high - plane(far, near)).abs() < 0.05,
        "high end {high}, the plane's {}",
        plane(far, near)
    );
    assert!(
        (low - plane(near, far)).abs() < 0.05,
        "low end {low}, the plane's {}",
        plane(near, far)
    );

    let scatter =
        fs::read_to_string(run.join("predicted_vs_actual.svg")).expect("predicted_vs_actual.svg");
    assert_eq!(
        scatter.matches("<circle").count(),
        60,
        "one dot per validation row"
    );
    assert!(!run.join("decision_regions.svg").exists() && !run.join("fit.svg").exists());
    let report = fs::read_to_string(run.join("report.html")).expect("report.html");
    assert!(report.contains("output_plane.svg") && report.contains("predicted_vs_actual.svg"));
}

/// The numbers among an SVG's `<text>` labels: its axes' ticks.
fn tick_labels(svg: &str) -> Vec<f64> {
    let label = |t: &str| -> Option<f64> {
        let (_, rest) = t.split_once('>')?;
        rest.split_once("</text>")?.0.parse().ok()
    };
    svg.split("<text").skip(1).filter_map(label).collect()
}

#[test]
fn the_pictures_show_years_and_prices_in_their_own_units_not_standardised() {
    let dir = temp_dir("pictures-in-units");
    let train = |name: &str, csv: String, flags: &[&str]| {
        let file = dir.join(format!("{name}.csv"));
        fs::write(&file, csv).expect("write");
        let run = dir.join(name);
        let (file, out) = (file.to_string_lossy(), run.to_string_lossy());
        let args = ["train", "--data", &file, "--epochs", "20", "--out", &out];
        let o = plaindnn(&[&args[..], flags].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        run
    };
    // a price of 20 000 to 50 000 over the years 1990 to 2020; standardised, both span ±1.7
    let years = (0..200).map(|i| 1990.0 + 30.0 * i as f64 / 199.0);
    let rows: String = (years.clone())
        .map(|x| {
            format!(
                "{x},{}
",
                20000.0 + 1000.0 * (x - 1990.0)
            )
        })
        .collect();
    let run = train(
        "prices",
        format!(
            "year,price
{rows}"
        ),
        &["--standardize-target"],
    );
    let ticks = tick_labels(&fs::read_to_string(run.join("fit.svg")).expect("fit.svg"));
    for want in [2000.0, 2010.0, 30000.0, 40000.0] {
        assert!(
            ticks.contains(&want),
            "no tick {want} in fit.svg's {ticks:?}"
        );
    }
    // two classes over the years and a price of 100 000 to 200 000
    let rows: String = (years.enumerate())
        .map(|(i, x)| {
            format!(
                "{x},{},{}
",
                1e5 + 1e5 * ((i * 37) % 200) as f64 / 199.0,
                x > 2005.0
            )
        })
        .collect();
    let run = train(
        "classes",
        format!(
            "year,price,label
{rows}"
        ),
        &[],
    );
    let svg = fs::read_to_string(run.join("decision_regions.svg")).expect("decision_regions.svg");
    let ticks = tick_labels(&svg);
    for want in [1990.0, 2010.0, 100000.0, 150000.0] {
        assert!(
            ticks.contains(&want),
            "no tick {want} in the regions' {ticks:?}"
        );
    }
}

/// The best validation accuracy of `train --dataset circles --hidden 1 --activation tanh` with
/// `extra` flags, over four seeds.
fn one_neuron_on_circles(extra: &[&str]) -> Vec<f64> {
    (0..4)
        .map(|seed| {
            let dir = temp_dir(&format!("circles-{}-{seed}", extra.len()));
            let run = dir.join("run");
            let seed = seed.to_string();
            let mut args = vec!["train", "--dataset", "circles", "--hidden", "1"];
            args.extend([
                "--activation",
                "tanh",
                "--epochs",
                "100",
                "--seed",
                &seed,
                "-q",
            ]);
            args.extend(["--out", run.to_str().unwrap_or("")]);
            args.extend(extra);
            let out = common::plaindnn(&args);
            assert!(out.status.success(), "{}", common::stderr(&out));
            let metrics = fs::read_to_string(run.join("metrics.csv")).expect("metrics");
            metrics
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').nth(3)?.parse::<f64>().ok())
                .fold(0.0, f64::max)
        })
        .collect()
}

/// TensorFlow Playground's lesson: the ring around a disc is x² + y² > r², a line in the
/// squared inputs, so one neuron given x² and y² separates the two classes completely; on x
/// and y alone it draws one line, and no line through the plane gets far past chance on
/// concentric classes (measured 62–67 %; the bound asserted is 75 %).
#[test]
fn with_squared_inputs_one_neuron_separates_the_disc_from_the_ring() {
    let plain = one_neuron_on_circles(&[]);
    let squared = one_neuron_on_circles(&["--add-features", "square"]);
    assert!(plain.iter().all(|&a| a < 0.75), "x, y alone: {plain:?}");
    assert!(
        squared.iter().all(|&a| a >= 0.99),
        "with x², y²: {squared:?}"
    );
}

/// Where `on_epoch` was called from: whether that thread is one of rayon's workers.
struct OnWorker(Arc<Mutex<Vec<bool>>>);

impl train::TrainObserver for OnWorker {
    fn on_epoch(&mut self, _: &train::EpochReport) -> plaindnn::Result<()> {
        let on_worker = rayon::current_thread_index().is_some();
        self.0.lock().expect("not poisoned").push(on_worker);
        Ok(())
    }
}

/// Asks the loop to stop after `after` epochs, as the playground's stop button does.
struct StopAfter(usize, usize);

impl train::TrainObserver for StopAfter {
    fn on_epoch(&mut self, _: &train::EpochReport) -> plaindnn::Result<()> {
        self.1 += 1;
        Ok(())
    }

    fn should_stop(&self) -> bool {
        self.1 >= self.0
    }
}

#[test]
fn a_run_stopped_from_outside_saves_the_epoch_it_stopped_at() {
    let dir = temp_dir("stopped-outside");
    let mut config = quadrant_config();
    config.epochs = 50;
    config.early_stopping = None; // the model is the newest epoch's
    config.checkpoint_interval = Some(1000.0); // no save by time before the stop
    let options = train::RunOptions::from(Verbosity::Quiet).observe(StopAfter(3, 0));
    let trained = train::train(DataSource::quadrants(config.seed), config, &dir, options)
        .expect("training succeeds");
    assert_eq!(trained.outcome.rows.len(), 3);
    assert!(trained.outcome.stopped, "of the 50 epochs asked for");
    let saved = outputs_of(&Predictor::open(&dir, Backend::Flex).expect("opens").model);
    assert_eq!(
        saved,
        outputs_of(&trained.model),
        "model.bpk is epoch 3's, as returned"
    );
    assert_eq!(saved, checkpoint_outputs(&dir, 3));
}

/// Asks the loop to stop once `rows` rows of epoch `epoch` are trained, part-way through it (a
/// playground page reset in the middle of a long epoch).
struct StopInside {
    epoch: usize,
    rows: usize,
    asked: bool,
}

impl train::TrainObserver for StopInside {
    fn wants(&self) -> train::Wants {
        train::Wants {
            stops: true,
            ..Default::default()
        }
    }

    fn on_step(&mut self, epoch: usize, done: usize, _total: usize) {
        self.asked |= epoch == self.epoch && done >= self.rows;
    }

    fn on_epoch(&mut self, _: &train::EpochReport) -> plaindnn::Result<()> {
        Ok(())
    }

    fn should_stop(&self) -> bool {
        self.asked
    }
}

/// An outside audit: a stop in the middle of epoch 4 kept the cut epoch as if whole (scored,
/// checkpointed, reported as the last of 4), and `--resume` went on from its half. Now the cut
/// epoch is dropped: the run ends with epoch 3, saved (its checkpoint written from the learner
/// as epoch 3 left it, though saving by time had not written one), the model returned is the
/// one saved, and resuming gives the uninterrupted run's epochs, bit for bit.
#[test]
fn a_stop_inside_an_epoch_drops_it_and_resuming_gives_the_uninterrupted_run() {
    let (whole, cut) = (temp_dir("cut-whole"), temp_dir("cut-short"));
    let mut config = quadrant_config();
    config.early_stopping = None;
    config.model.dropout = 0.1;
    config.model.batch_norm = true; // running statistics, which a clone of the model shares
    config.schedule = train::ScheduleConfig::Cosine { min_lr: 0.0 }; // its step count too
    config.epochs = 6;
    config.checkpoint_interval = Some(1000.0); // no checkpoint by time before the stop
    train_quadrants(config.clone(), &whole);
    let stop = StopInside {
        epoch: 4,
        rows: 3 * config.batch_size,
        asked: false,
    };
    let options = train::RunOptions::from(Verbosity::Quiet).observe(stop);
    let trained = train::train(DataSource::quadrants(config.seed), config, &cut, options)
        .expect("a stop is not an error");
    let epochs: Vec<usize> = trained.outcome.rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [1, 2, 3], "epoch 4 was cut short");
    assert!(trained.outcome.stopped && !trained.outcome.stopped_early);
    let saved = outputs_of(&Predictor::open(&cut, Backend::Flex).expect("opens").model);
    assert_eq!(
        saved,
        outputs_of(&trained.model),
        "model.bpk is what was returned"
    );
    assert_eq!(
        saved,
        checkpoint_outputs(&cut, 3),
        "and epoch 3's checkpoint"
    );
    let report = fs::read_to_string(cut.join("report.html")).expect("report.html");
    assert!(
        report.contains("(stopped from outside after 3 of the 6 epochs asked for)"),
        "{report}"
    );
    train::resume(&cut, train::ResumeChanges::default(), Verbosity::Quiet).expect("resumes");
    let read = |d: &std::path::Path| fs::read_to_string(d.join("metrics.csv")).expect("metrics");
    assert_eq!(read(&cut), read(&whole));
    let model = |d: &std::path::Path| fs::read(d.join("model.bpk")).expect("model.bpk");
    assert_eq!(model(&cut), model(&whole), "the same weights, bit for bit");
}

/// A stop in the first epoch leaves no whole epoch: an error that says so, and nothing of the
/// run is left (as a run that fails before it saves).
#[test]
fn a_stop_inside_the_first_epoch_is_an_error_and_leaves_no_run() {
    let dir = temp_dir("cut-first");
    let config = quadrant_config();
    let stop = StopInside {
        epoch: 1,
        rows: config.batch_size,
        asked: false,
    };
    let options = train::RunOptions::from(Verbosity::Quiet).observe(stop);
    let Err(err) = train::train(DataSource::quadrants(config.seed), config, &dir, options) else {
        panic!("a run with no whole epoch has no weights to keep");
    };
    assert!(matches!(err, plaindnn::Error::Stopped(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("training stopped in epoch 1 before the epoch ended, as asked"),
        "{err}"
    );
    assert!(!dir.join("config.json").exists() && !dir.join("metrics.csv").exists());
}

/// At each `on_checkpoint`: the epoch, the rows `metrics.csv` holds, and whether the epoch's
/// checkpoint exists yet.
struct AtCheckpoint(std::path::PathBuf, Arc<Mutex<Vec<(usize, usize, bool)>>>);

impl train::TrainObserver for AtCheckpoint {
    fn on_epoch(&mut self, _: &train::EpochReport) -> plaindnn::Result<()> {
        Ok(())
    }

    fn on_checkpoint(&mut self, epoch: usize) -> plaindnn::Result<()> {
        let rows = train::history::read(&self.0.join("metrics.csv"))?.len();
        let file = train::checkpoint::checkpoint_path(&self.0.join("checkpoint"), "model", epoch);
        self.1
            .lock()
            .expect("not poisoned")
            .push((epoch, rows, file.exists()));
        Ok(())
    }
}

#[test]
fn observers_hear_of_each_checkpoint_after_its_row_is_written_and_before_the_checkpoint_is() {
    // so metrics.csv can be made durable first, and no power cut leaves a checkpoint ahead of it
    let dir = temp_dir("on-checkpoint");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut config = quadrant_config();
    config.epochs = 3;
    config.early_stopping = None;
    config.checkpoint_interval = None; // every epoch
    let options = train::RunOptions::from(Verbosity::Quiet)
        .overwrite()
        .observe(AtCheckpoint(dir.to_path_buf(), seen.clone()));
    train::train(DataSource::quadrants(1), config, &dir, options).expect("training succeeds");
    let expected = [(1, 1, false), (2, 2, false), (3, 3, false)];
    assert_eq!(*seen.lock().expect("not poisoned"), expected);
}

/// (epoch, rows done, rows in all) of one step.
type Step = (usize, usize, usize);

/// Every step and every message.
#[derive(Default, Clone)]
struct Steps(Arc<Mutex<(Vec<Step>, Vec<String>)>>);

impl train::TrainObserver for Steps {
    fn on_epoch(&mut self, _: &train::EpochReport) -> plaindnn::Result<()> {
        Ok(())
    }

    fn on_step(&mut self, epoch: usize, done: usize, total: usize) {
        self.0
            .lock()
            .expect("not poisoned")
            .0
            .push((epoch, done, total));
    }

    fn on_message(&mut self, text: &str) {
        self.0
            .lock()
            .expect("not poisoned")
            .1
            .push(text.to_string());
    }
}

/// What the observer saw, and each epoch's learning rate.
fn steps_of(config: train::TrainConfig, name: &str) -> (Steps, Vec<f64>) {
    let seen = Steps::default();
    let options = train::RunOptions::from(Verbosity::Quiet)
        .overwrite()
        .observe(seen.clone());
    let source = DataSource::quadrants(config.seed);
    let run = train::train(source, config, temp_dir(name), options).expect("training succeeds");
    (seen, run.outcome.rows.iter().map(|r| r.lr).collect())
}

#[test]
fn with_batch_norm_a_last_batch_of_one_row_is_left_out_and_said_so() {
    // PyTorch refuses such a batch; over one row the variance is 0 and every output is β
    let mut config = quadrant_config();
    config.epochs = 3;
    config.schedule = train::ScheduleConfig::Step {
        every: 1,
        gamma: 0.5,
    };
    let rows = steps_of(config.clone(), "lone-plain")
        .0
         .0
        .lock()
        .expect("ok")
        .0[0]
        .2;
    config.batch_size = rows - 1; // two batches: rows − 1, then 1
    let (plain, plain_lr) = steps_of(config.clone(), "lone-plain-2");
    assert_eq!(
        plain.0.lock().expect("ok").0.len(),
        6,
        "no BatchNorm: both batches"
    );
    config.model.batch_norm = true;
    let (normed, normed_lr) = steps_of(config, "lone-bn");
    assert_eq!(
        normed_lr, plain_lr,
        "the schedule counts the batch left out: 1e-2, 5e-3, 2.5e-3"
    );
    let (steps, messages) = &*normed.0.lock().expect("ok");
    assert_eq!(
        steps,
        &[
            (1, rows - 1, rows),
            (2, rows - 1, rows),
            (3, rows - 1, rows)
        ],
        "one step per epoch"
    );
    let said: Vec<_> = messages
        .iter()
        .filter(|m| m.contains("leave one row alone"))
        .collect();
    assert_eq!(said.len(), 1, "said once: {messages:?}");
    assert!(
        said[0].contains(&format!("--batch-size {rows} avoids it")),
        "{}",
        said[0]
    );
}

#[test]
fn training_called_from_outside_the_thread_pool_runs_its_epochs_on_a_rayon_worker() {
    // a worker's split products run one half in place; outside the pool they wake two and sleep
    assert!(
        rayon::current_thread_index().is_none(),
        "the test thread is not a worker"
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut config = quadrant_config();
    config.epochs = 3;
    let options = train::RunOptions::from(Verbosity::Quiet)
        .overwrite()
        .observe(OnWorker(seen.clone()));
    let dir = temp_dir("on-worker");
    train::train(DataSource::quadrants(1), config, &dir, options).expect("training succeeds");
    assert_eq!(*seen.lock().expect("not poisoned"), [true, true, true]);
}

#[test]
fn training_on_this_thread_runs_its_epochs_on_the_calling_thread() {
    // for observers that block (the playground's pause): they must not hold one of rayon's workers
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut config = quadrant_config();
    config.epochs = 2;
    let options = train::RunOptions::from(Verbosity::Quiet)
        .overwrite()
        .on_this_thread()
        .observe(OnWorker(seen.clone()));
    let dir = temp_dir("on-this-thread");
    train::train(DataSource::quadrants(1), config, &dir, options).expect("training succeeds");
    assert_eq!(*seen.lock().expect("not poisoned"), [false, false]);
}

/// An audit's run of 7000 epochs on the quadrants recorded `-0.00000000` as the training loss
/// in 445 rows of metrics.csv (and printed `-0.0000`): a mean of −0 from log-softmax's rounding,
/// for a loss that cannot be negative.
#[test]
fn a_training_loss_that_reaches_zero_is_recorded_as_0_not_minus_0() {
    let dir = temp_dir("training-minus-zero");
    let out = plaindnn(&[
        "train",
        "--epochs",
        "7000",
        "--no-early-stopping",
        "--backend",
        "flex",
        "-q",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    let zeros = metrics
        .lines()
        .filter(|l| l.contains(",0.00000000,"))
        .count();
    assert!(zeros > 100, "the loss reaches 0 in many rows: {zeros}");
    assert!(!metrics.contains("-0.0"), "no negative zero");
}
