//! Transfer learning: hidden layers from a saved run, the first ones frozen.

mod common;

use burn::tensor::Device;
use common::{plaindnn, refused, stderr, stdout, temp_dir};
use plaindnn::backend::Backend;
use plaindnn::inference::Predictor;
use plaindnn::model::MlpConfig;
use plaindnn::train::transfer;

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap_or("")
}

fn values<const D: usize>(t: burn::tensor::Tensor<D>) -> Vec<u32> {
    t.into_data()
        .try_to_vec::<f32>()
        .expect("f32")
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn loaded_hidden_layers_equal_the_source_runs() {
    let dir = temp_dir("transfer-load");
    let source = dir.join("source");
    assert!(plaindnn(&[
        "train",
        "--hidden",
        "16,8",
        "--epochs",
        "5",
        "--quiet",
        "--out",
        s(&source)
    ])
    .status
    .success());
    let saved = Predictor::open(&source, Backend::Flex)
        .expect("opens")
        .model;
    let config = transfer::config_from(&source, 2, 3, &MlpConfig::new(2, vec![50], 3))
        .expect("fits: 2 inputs, 3 new outputs");
    let fresh = config.init(&Device::flex(), 0).expect("builds");
    let from = (source.as_path(), false, 0);
    let loaded = transfer::load_hidden(fresh, &config, from, &Device::flex()).expect("loads");
    for (a, b) in loaded.blocks.iter().zip(&saved.blocks) {
        assert_eq!(values(a.linear.weight.val()), values(b.linear.weight.val()));
    }
    assert_eq!(
        loaded.output.weight.dims(),
        [8, 3],
        "the 4-class head is replaced by a 3-class one"
    );
}

#[test]
fn frozen_layers_and_their_batch_norm_statistics_stay_bit_identical_while_the_rest_learns() {
    let dir = temp_dir("transfer-freeze");
    let (source, tuned) = (dir.join("source"), dir.join("tuned"));
    let out = plaindnn(&[
        "train",
        "--hidden",
        "16,16",
        "--batch-norm",
        "--epochs",
        "10",
        "--quiet",
        "--out",
        s(&source),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = plaindnn(&[
        "train",
        "--dataset",
        "blobs",
        "--init-from",
        s(&source),
        "--freeze",
        "1",
        "--epochs",
        "10",
        "--quiet",
        "--out",
        s(&tuned),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (before, after) = (
        Predictor::open(&source, Backend::Flex)
            .expect("source")
            .model,
        Predictor::open(&tuned, Backend::Flex).expect("tuned").model,
    );
    let (b0, a0) = (&before.blocks[0], &after.blocks[0]);
    assert_eq!(
        values(b0.linear.weight.val()),
        values(a0.linear.weight.val()),
        "frozen weights"
    );
    let (bn_b, bn_a) = (b0.norm.as_ref().expect("bn"), a0.norm.as_ref().expect("bn"));
    assert_eq!(
        values(bn_b.running_mean.value()),
        values(bn_a.running_mean.value()),
        "frozen running mean"
    );
    assert_eq!(
        values(bn_b.running_var.value()),
        values(bn_a.running_var.value()),
        "frozen running variance"
    );
    assert_ne!(
        values(before.blocks[1].linear.weight.val()),
        values(after.blocks[1].linear.weight.val()),
        "layer 2 learned"
    );
    assert_eq!(
        after.output.weight.dims(),
        [16, 3],
        "blobs has 3 classes: a new head"
    );
}

#[test]
fn saved_layers_that_do_not_fit_the_input_size_are_refused() {
    let dir = temp_dir("transfer-mismatch");
    let source = dir.join("cubic");
    assert!(plaindnn(&[
        "train",
        "--dataset",
        "cubic",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        s(&source)
    ])
    .status
    .success());
    let out = plaindnn(&[
        "train",
        "--init-from",
        s(&source),
        "--quiet",
        "--out",
        s(&dir.join("quadrants")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("take 1 input but the data has 2 features: give it data of 1 feature"),
        "{}",
        stderr(&out)
    );
}

fn metrics(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("metrics.csv"))
        .expect("metrics.csv")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn unfreeze_after_keeps_the_layer_fixed_for_those_epochs_then_trains_it() {
    let dir = temp_dir("transfer-unfreeze");
    let source = dir.join("source");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "16,16",
        "--batch-norm",
        "--epochs",
        "5",
        "--quiet",
        "--out",
        s(&source),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tune = |epochs: &str, name: &str| {
        let run = dir.join(name);
        let out = plaindnn(&[
            "train",
            "--dataset",
            "blobs",
            "--init-from",
            s(&source),
            "--freeze",
            "1",
            "--unfreeze-after",
            "2",
            "--epochs",
            epochs,
            "--no-early-stopping",
            "--quiet",
            "--out",
            s(&run),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        run
    };
    let (two, four) = (tune("2", "two"), tune("4", "four"));
    let first_layer = |run: &std::path::Path| {
        let model = Predictor::open(run, Backend::Flex).expect("opens").model;
        values(model.blocks[0].linear.weight.val())
    };
    assert_eq!(
        first_layer(&two),
        first_layer(&source),
        "frozen for epochs 1–2"
    );
    assert_ne!(
        first_layer(&four),
        first_layer(&source),
        "trained in epochs 3–4"
    );
    assert_eq!(
        metrics(&four)[..3],
        metrics(&two)[..3],
        "the same first two epochs"
    );
    // summary counts the first layer as Keras would: fixed after epoch 2, trained after 4;
    // 2 → 16 (BatchNorm) → 16 (BatchNorm) → 3: 48 + 64 of layer 1, 272 + 64 of 2, 51 of the head
    let trainable = |run: &std::path::Path| {
        let summary = common::json(&plaindnn(&["summary", "--run", s(run), "--json"]));
        summary["summary"]["trainable_params"].as_u64()
    };
    assert_eq!(trainable(&two), Some(272 + 32 + 51));
    assert_eq!(trainable(&four), Some(48 + 32 + 272 + 32 + 51));
}

#[test]
fn freezing_a_batch_norm_or_prelu_slopes_the_source_never_had_is_refused_by_name() {
    let dir = temp_dir("transfer-freeze-new-bn");
    let source = dir.join("source");
    let train = |extra: &[&str], out: &str| {
        let mut args = vec![
            "train", "--hidden", "8", "--epochs", "2", "--quiet", "--out", out,
        ];
        args.extend_from_slice(extra);
        plaindnn(&args)
    };
    assert!(train(&[], s(&source)).status.success());
    let from = ["--init-from", s(&source), "--batch-norm"];
    // frozen, the new BatchNorm would keep γ = 1, β = 0 and its starting statistics
    let out = train(
        &[&from[..], &["--freeze", "1"]].concat(),
        s(&dir.join("frozen")),
    );
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains("invalid --freeze: hidden layer 1 has a BatchNorm"),
        "{said}"
    );
    // not frozen, it trains like any new layer
    let out = train(&from, s(&dir.join("trained")));
    assert!(out.status.success(), "{}", stderr(&out));
    // PReLU's slopes likewise (an audit found them kept at 0.25, silently)
    let prelu = [
        "--init-from",
        s(&source),
        "--activation",
        "prelu",
        "--freeze",
        "1",
    ];
    let out = train(&prelu, s(&dir.join("prelu")));
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains("invalid --freeze: hidden layer 1 has PReLU slopes (--activation prelu)"),
        "{said}"
    );
}

#[test]
fn starting_from_a_run_on_other_columns_warns_that_they_are_read_by_position() {
    let dir = temp_dir("transfer-renamed");
    let source = dir.join("source");
    let quiet = |args: &[&str]| plaindnn(&[args, &["--epochs", "1", "--quiet"]].concat());
    assert!(quiet(&["train", "--out", s(&source)]).status.success()); // quadrants: x, y
    let csv = dir.join("renamed.csv");
    let rows: String = (0..40)
        .map(|i| format!("{},{},{}\n", i % 5, i % 7, i % 2))
        .collect();
    std::fs::write(&csv, format!("b,a,label\n{rows}")).expect("write");
    let from = ["train", "--init-from", s(&source)];
    let out = quiet(&[&from[..], &["--data", s(&csv), "--out", s(&dir.join("a"))]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    let warned = "its first layer learned from the columns x, y and reads this data's b, a";
    assert!(said.contains(warned), "{said}");
    // the same columns (blobs: x, y): nothing to say
    let out = quiet(
        &[
            &from[..],
            &["--dataset", "blobs", "--out", s(&dir.join("b"))],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("by position"), "{}", stderr(&out));
}

/// An outside review found a file with the source's columns in another order read by position,
/// where `predict` and `eval` read them by name: the frozen first layer saw other columns.
#[test]
fn the_sources_columns_in_another_order_are_read_in_its_order_as_the_same_run_on_its_own_file() {
    let dir = temp_dir("transfer-reordered");
    let (source, ordered, shuffled) = (dir.join("source"), dir.join("xy.csv"), dir.join("yx.csv"));
    let rows: Vec<(f64, f64, usize)> = (0..60)
        .map(|i| {
            (
                (i % 7) as f64 - 3.0,
                (i % 5) as f64 * 0.5,
                (i % 7 > 3) as usize,
            )
        })
        .collect();
    let file = |header: &str, row: &dyn Fn(&(f64, f64, usize)) -> String| {
        header.to_string() + &rows.iter().map(|r| row(r) + "\n").collect::<String>()
    };
    std::fs::write(
        &ordered,
        file("x,y,label\n", &|(x, y, l)| format!("{x},{y},{l}")),
    )
    .expect("write");
    std::fs::write(
        &shuffled,
        file("y,label,x\n", &|(x, y, l)| format!("{y},{l},{x}")),
    )
    .expect("write");
    let train = |data: &std::path::Path, out: &str, more: &[&str]| {
        let target = ["--data", s(data), "--target", "label", "--epochs", "3"];
        let out = dir.join(out);
        let args = [&["train", "--out", s(&out)][..], &target, more].concat();
        let run = plaindnn(&args);
        assert!(run.status.success(), "{}", stderr(&run));
        stdout(&run)
    };
    train(&ordered, "source", &[]);
    let from = ["--init-from", s(&source), "--freeze", "1"];
    train(&ordered, "a", &from);
    let said = train(&shuffled, "b", &from);
    assert!(
        said.contains("columns read in the order --init-from ")
            && said.contains("'s first layer learned them: x, y (the file has y, x)"),
        "{said}"
    );
    // the same rows in the same order, so the same split and the same numbers, epoch by epoch
    assert_eq!(metrics(&dir.join("a")), metrics(&dir.join("b")));
    let config = std::fs::read_to_string(dir.join("b/config.json")).expect("config.json");
    assert!(
        config.contains("\"feature_names\": [\n      \"x\",\n      \"y\"\n    ]"),
        "{config}"
    );
}

#[test]
fn unfreeze_after_past_the_last_epoch_is_warned_about() {
    let dir = temp_dir("transfer-unfreeze-late");
    let source = dir.join("source");
    let quiet = |args: &[&str]| plaindnn(&[args, &["--quiet"]].concat());
    assert!(quiet(&["train", "--epochs", "1", "--out", s(&source)])
        .status
        .success());
    let from = [
        "train",
        "--init-from",
        s(&source),
        "--freeze",
        "1",
        "--epochs",
        "3",
    ];
    let late = quiet(
        &[
            &from[..],
            &["--unfreeze-after", "3", "--out", s(&dir.join("a"))],
        ]
        .concat(),
    );
    assert!(late.status.success(), "{}", stderr(&late));
    let said =
        "--unfreeze-after 3 is not before --epochs 3: this run keeps its first 1 hidden layer frozen";
    assert!(stderr(&late).contains(said), "{}", stderr(&late));
    let soon = quiet(
        &[
            &from[..],
            &["--unfreeze-after", "2", "--out", s(&dir.join("b"))],
        ]
        .concat(),
    );
    assert!(
        !stderr(&soon).contains("--unfreeze-after"),
        "{}",
        stderr(&soon)
    );
}

#[test]
fn the_banner_names_the_network_training_starts_from_and_what_it_freezes() {
    let dir = temp_dir("transfer-banner");
    let source = dir.join("source");
    let quiet = plaindnn(&["train", "--epochs", "1", "--quiet", "--out", s(&source)]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    let tuned = plaindnn(&[
        "train",
        "--init-from",
        s(&source),
        "--freeze",
        "1",
        "--unfreeze-after",
        "1",
        "--epochs",
        "2",
        "--out",
        s(&dir.join("tuned")),
    ]);
    assert!(tuned.status.success(), "{}", stderr(&tuned));
    let banner = format!(
        "training 2-50-4 MLP (relu, adam) from {}, first 1 hidden layer frozen for 1 epoch on quadrants",
        std::fs::canonicalize(&source).expect("exists").display()
    );
    assert!(stdout(&tuned).contains(&banner), "{}", stdout(&tuned));
    // more layers frozen than there are is refused before the banner announces a run
    let out = plaindnn(&[
        "train",
        "--init-from",
        s(&source),
        "--freeze",
        "5",
        "--out",
        s(&dir.join("five")),
    ]);
    assert!(!out.status.success());
    let said = "invalid --freeze: the network has 1 hidden layer, got 5";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!stdout(&out).contains("training"), "{}", stdout(&out));
}

#[test]
fn unfreeze_after_without_freeze_is_refused_by_name() {
    refused(
        &[
            "train",
            "--unfreeze-after",
            "3",
            "--quiet",
            "--out",
            s(&temp_dir("unfreeze-alone")),
        ],
        "invalid --unfreeze-after",
    );
}

/// The copied first layer reads the source's inputs: other added features are refused by their
/// flag before the banner (an audit saw the banner, then a refusal that named no cause).
#[test]
fn added_features_other_than_the_sources_are_refused_by_name_before_the_banner() {
    let dir = temp_dir("transfer-features");
    let (source, out_dir) = (dir.join("source"), dir.join("fresh"));
    let made = plaindnn(&["train", "--epochs", "1", "--quiet", "--out", s(&source)]);
    assert!(made.status.success(), "{}", stderr(&made));
    let args = [
        "train",
        "--init-from",
        s(&source),
        "--add-features",
        "square",
    ];
    let out = plaindnn(&[&args[..], &["--epochs", "1", "--out", s(&out_dir)]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("invalid --add-features: "), "{err}");
    assert!(err.contains("adds no features to its inputs"), "{err}");
    assert!(err.contains("but this run asks for square"), "{err}");
    assert!(!stdout(&out).contains("training"), "{}", stdout(&out));
    assert!(!out_dir.exists(), "nothing made");
}

/// The best epoch's `(val_loss, val_accuracy)` from `metrics.csv` (restore-best is on).
fn best_validation(run: &std::path::Path) -> (f64, f64) {
    let config = common::run_config(run);
    let text = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics.csv");
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|v| v.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let best = rows
        .iter()
        .min_by(|a, b| a[2].total_cmp(&b[2]))
        .expect("a row");
    assert!(config["train"]["early_stopping"]["restore_best_weights"] == true);
    (best[2], best[3])
}

#[test]
fn with_init_from_the_saved_run_evaluates_exactly_as_it_validated_for_every_model_flag() {
    let dir = temp_dir("transfer-flags");
    let source = dir.join("source");
    let trained = plaindnn(&[
        "train",
        "--hidden",
        "16",
        "--epochs",
        "4",
        "-q",
        "--out",
        s(&source),
    ]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let flags: [&[&str]; 6] = [
        &[],
        &["--activation", "sigmoid"],
        &["--batch-norm"],
        &["--dropout", "0.3"],
        &["--activation", "tanh", "--batch-norm", "--dropout", "0.2"],
        &["--activation", "prelu", "--batch-norm"],
    ];
    for (i, extra) in flags.iter().enumerate() {
        let out_dir = dir.join(format!("tuned-{i}"));
        let mut args = vec!["train", "--init-from", s(&source), "--epochs", "4", "-q"];
        args.extend_from_slice(&["--min-delta", "0", "--out", s(&out_dir)]);
        args.extend_from_slice(extra);
        let out = plaindnn(&args);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        let saved = common::run_config(&out_dir);
        if let Some(pos) = extra.iter().position(|f| *f == "--activation") {
            assert_eq!(
                saved["train"]["model"]["activation"]["name"],
                extra[pos + 1]
            );
        }
        let eval = common::json(&plaindnn(&["eval", "--run", s(&out_dir), "--json"]));
        let (val_loss, val_accuracy) = best_validation(&out_dir);
        let loss = eval["scores"]["loss"].as_f64().expect("loss");
        let accuracy = eval["scores"]["accuracy"].as_f64().expect("accuracy");
        // metrics.csv keeps 8 decimals; eval recomputes in f32 on the same rows
        assert!(
            (loss - val_loss).abs() < 1e-5,
            "{extra:?}: eval {loss} vs trained {val_loss}"
        );
        assert!(
            (accuracy - val_accuracy).abs() < 1e-6,
            "{extra:?}: {accuracy} vs {val_accuracy}"
        );
    }
}

/// With as many outputs as the source, the output layer is copied — unless `--new-head` asks for
/// a new one, which keeps the fresh weights of the same seed while every hidden layer is copied.
#[test]
fn new_head_keeps_a_fresh_output_layer_where_the_source_one_would_fit() {
    let dir = temp_dir("transfer-new-head");
    let source = dir.join("source");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "8",
        "--epochs",
        "3",
        "--quiet",
        "--out",
        s(&source),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let saved = Predictor::open(&source, Backend::Flex)
        .expect("opens")
        .model;
    let config =
        transfer::config_from(&source, 2, 4, &MlpConfig::new(2, vec![50], 4)).expect("fits");
    let load = |new_head: bool| {
        let fresh = config.init(&Device::flex(), 5).expect("builds");
        transfer::load_hidden(
            fresh,
            &config,
            (source.as_path(), new_head, 0),
            &Device::flex(),
        )
        .expect("loads")
    };
    let (copied, new) = (load(false), load(true));
    let fresh = config.init(&Device::flex(), 5).expect("builds");
    let w = |m: &plaindnn::model::Mlp| values(m.output.weight.val());
    assert_eq!(
        w(&copied),
        w(&saved),
        "4 outputs like the source: its head is copied"
    );
    assert_eq!(w(&new), w(&fresh), "--new-head: the seed's fresh head");
    assert_ne!(w(&new), w(&saved));
    let hidden = |m: &plaindnn::model::Mlp| values(m.blocks[0].linear.weight.val());
    assert_eq!(
        hidden(&new),
        hidden(&saved),
        "the hidden layer is copied either way"
    );
}

/// A review found `--init he_normal --init-from RUN` trained bit for bit as without `--init`
/// (every layer copied, the head too) while config.json recorded he_normal.
#[test]
fn init_is_refused_when_init_from_copies_every_layer_and_taken_for_a_fresh_head() {
    let dir = temp_dir("transfer-unused-init");
    let source = dir.join("source");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "8",
        "--epochs",
        "2",
        "-q",
        "--out",
        s(&source),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tune = |name: &str, extra: &[&str]| {
        let run = dir.join(name);
        let args = [
            "train",
            "--init-from",
            s(&source),
            "--init",
            "he_normal",
            "--epochs",
            "1",
        ];
        (
            plaindnn(&[&args[..], &["-q", "--out", s(&run)], extra].concat()),
            run,
        )
    };
    let (out, run) = tune("copied", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = "invalid --init: with --init-from";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --new-head"), "{}", stderr(&out));
    assert!(!run.exists());
    // a fresh output layer starts from --init: with --new-head, or for another number of outputs
    let (out, _) = tune("new-head", &["--new-head"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, _) = tune("xor", &["--dataset", "xor"]);
    assert!(out.status.success(), "2 outputs, not 4: {}", stderr(&out));
}

/// A review found `--new-head` accepted where the output layer is not copied anyway: the model was
/// byte for byte the one trained without it.
#[test]
fn new_head_is_refused_where_the_output_layer_starts_fresh_anyway() {
    let dir = temp_dir("transfer-idle-new-head");
    let (source, autoencoder) = (dir.join("source"), dir.join("autoencoder"));
    let quiet = |args: &[&str]| plaindnn(&[args, &["--epochs", "1", "-q"]].concat());
    let out = quiet(&["train", "--hidden", "8", "--out", s(&source)]); // quadrants: 4 outputs
    assert!(out.status.success(), "{}", stderr(&out));
    let out = quiet(&["pretrain", "--hidden", "8", "--out", s(&autoencoder)]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (from, data, why) in [
        (&source, "xor", "it has 4 outputs and this data needs 2"),
        (
            &autoencoder,
            "quadrants",
            "it is an autoencoder's decoder, never taken as a head",
        ),
    ] {
        let run = dir.join(data);
        let args = [
            "train",
            "--init-from",
            s(from),
            "--new-head",
            "--dataset",
            data,
        ];
        let out = quiet(&[&args[..], &["--out", s(&run)]].concat());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let said = format!(
            "invalid --new-head: the output layer of {} is not copied here anyway ({why})",
            s(from)
        );
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
        assert!(!run.exists());
    }
}

/// A review found `--preset seed-default --init-from RUN`, every layer copied, record he_normal in
/// config.json though no weight started from it (`--init he_normal` is refused there).
#[test]
fn a_presets_init_is_left_out_with_a_warning_where_init_from_copies_every_layer() {
    let dir = temp_dir("transfer-preset-init");
    let source = dir.join("source");
    let quiet = |args: &[&str]| plaindnn(&[args, &["--epochs", "1", "-q"]].concat());
    let out = quiet(&["train", "--hidden", "8", "--out", s(&source)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let init = |run: &std::path::Path| common::run_config(run)["train"]["model"]["init"].clone();
    let tune = |name: &str, flags: &[&str]| {
        let run = dir.join(name);
        let args = ["train", "--init-from", s(&source), "--out", s(&run)];
        let out = quiet(&[&args[..], flags].concat());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        (stderr(&out), run)
    };
    let (said, preset) = tune("preset", &["--preset", "seed-default"]);
    let warned =
        "warning: --preset seed-default's initialisation (he_normal) is not used: with --init-from";
    assert!(said.contains(warned), "{said}");
    assert_eq!(
        init(&preset),
        init(&source),
        "the init the copied weights came with"
    );
    let by_hand = ["--activation", "elu", "--batch-norm", "--dropout", "0.2"];
    let (_, hand) = tune("by-hand", &by_hand);
    let bytes = |run: &std::path::Path| std::fs::read(run.join("model.bpk")).expect("model.bpk");
    assert_eq!(
        bytes(&preset),
        bytes(&hand),
        "the preset's network is the one its flags give"
    );
    // a fresh head starts from the preset's init
    let (said, fresh) = tune("new-head", &["--preset", "seed-default", "--new-head"]);
    assert!(!said.contains("is not used"), "{said}");
    assert_eq!(init(&fresh), "he_normal");
}

/// `train ARGS --epochs 1 -q`.
fn quiet(args: &[&str]) -> std::process::Output {
    plaindnn(&[args, &["--epochs", "1", "-q"]].concat())
}

/// Two one-epoch sources of 8 hidden units in `dir`: `rich` with BatchNorm, ELU and Dropout 0.2,
/// `plain` with none of them.
fn rich_and_plain(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (rich, plain) = (dir.join("rich"), dir.join("plain"));
    let layers = ["--batch-norm", "--activation", "elu", "--dropout", "0.2"];
    let out = quiet(&[&["train", "--hidden", "8", "--out", s(&rich)][..], &layers].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = quiet(&["train", "--hidden", "8", "--out", s(&plain)]);
    assert!(out.status.success(), "{}", stderr(&out));
    (rich, plain)
}

/// The run in `kept` trained (`out`) without a warning of changed layers, with `rich`'s
/// BatchNorm and Dropout 0.2 ([`rich_and_plain`]).
fn kept_the_sources_layers(out: &std::process::Output, kept: &std::path::Path) {
    assert!(out.status.success(), "{}", stderr(out));
    let said = stderr(out);
    assert!(!said.contains("changes the layers"), "{said}");
    let model = &common::run_config(kept)["train"]["model"];
    assert_eq!(
        (model["batch_norm"].as_bool(), model["dropout"].as_f64()),
        (Some(true), Some(0.2))
    );
}

/// An outside audit: `--preset plain --init-from` a run with BatchNorm, ELU and Dropout trained a
/// sigmoid network without them, the learnt BatchNorm left behind, without a word; and
/// `--preset seed-default --freeze 1` over a source without BatchNorm was refused naming
/// `--batch-norm`, which nobody gave.
#[test]
fn a_preset_changing_the_copied_layers_is_warned_of_and_a_frozen_batch_norm_it_adds_refused() {
    let dir = temp_dir("transfer-preset-layers");
    let (rich, plain) = rich_and_plain(&dir);
    let tune = |from: &std::path::Path, name: &str, flags: &[&str]| {
        let args = ["train", "--init-from", s(from), "--out"];
        (
            quiet(&[&args[..], &[s(&dir.join(name))], flags].concat()),
            dir.join(name),
        )
    };
    let (out, _) = tune(&rich, "to-plain", &["--preset", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = format!(
        "warning: --preset plain changes the layers copied from {0}: no BatchNorm where {0} has \
         one (its learnt scales and statistics are not copied), sigmoid where {0} has elu:1 and \
         no Dropout where {0} has Dropout 0.2; --batch-norm --activation elu:1 --dropout 0.2 \
         after it set those back, or leave the preset out",
        rich.display()
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    // followed: the source's layers, and nothing to warn of
    let back = [
        "--preset",
        "plain",
        "--batch-norm",
        "--activation",
        "elu:1",
        "--dropout",
        "0.2",
    ];
    let (out, kept) = tune(&rich, "kept", &back);
    kept_the_sources_layers(&out, &kept);
    // a BatchNorm the preset adds under a frozen layer: refused naming the preset
    let (out, frozen) = tune(
        &plain,
        "frozen",
        &["--preset", "seed-default", "--freeze", "1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = format!(
        "invalid --freeze: --preset seed-default adds a BatchNorm to each hidden layer, which {} \
         has not: frozen, it would keep its starting values; leave out --freeze or the preset",
        plain.display()
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    assert!(!frozen.exists(), "nothing written");
    // a BatchNorm it adds has no flag to take it out: the flags offered set back the rest
    let (out, _) = tune(&plain, "to-rich", &["--preset", "seed-default"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = "--activation relu --dropout 0 after it set those back (no flag takes its \
                BatchNorm out), or leave the preset out";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

/// An outside audit: a whole run config (`config.json`'s `train` part) as `--config` over
/// `--init-from` replaced the source's BatchNorm, ELU and Dropout with its own ReLU network,
/// frozen layer included, without a word; and a BatchNorm a file adds under a frozen layer was
/// refused naming `--batch-norm`, which nobody gave.
#[test]
fn a_whole_config_file_changing_the_copied_layers_is_warned_of_and_its_frozen_batch_norm_refused() {
    let dir = temp_dir("transfer-whole-config");
    let (rich, plain) = rich_and_plain(&dir);
    let mut whole = common::run_config(&plain)["train"].take();
    whole["init_from"] = serde_json::Value::Null;
    let write = |name: &str, config: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, config.to_string()).expect("config");
        path
    };
    let whole_file = write("whole.json", &whole);
    let tune = |file: &std::path::Path, name: &str, flags: &[&str]| {
        let args = [
            "train",
            "--config",
            s(file),
            "--init-from",
            s(&rich),
            "--out",
        ];
        let out = dir.join(name);
        (quiet(&[&args[..], &[s(&out)], flags].concat()), out)
    };
    let (out, frozen) = tune(&whole_file, "frozen", &["--freeze", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = format!(
        "warning: {}, a whole run config, writes a network of its own, which changes the layers \
         copied from {1}: no BatchNorm where {1} has one (its learnt scales and statistics are \
         not copied), relu where {1} has elu:1 and no Dropout where {1} has Dropout 0.2; \
         --batch-norm --activation elu:1 --dropout 0.2 set those back, or leave `model` out of \
         the file to keep the source's",
        whole_file.display(),
        rich.display()
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    assert_eq!(
        common::run_config(&frozen)["train"]["model"]["batch_norm"],
        false
    );
    // the flags given over the file set the source's layers back: nothing to warn of (a review
    // saw `--batch-norm` warned of as missing, the flags compared before they applied)
    let flags = ["--batch-norm", "--activation", "elu", "--dropout", "0.2"];
    let (out, _) = tune(&whole_file, "flagged", &flags);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("changes the layers"),
        "{}",
        stderr(&out)
    );
    // without `model`, the source's layers, and nothing to warn of
    let mut part = whole.clone();
    part.as_object_mut().map(|o| o.remove("model"));
    let (out, kept) = tune(&write("part.json", &part), "kept", &["--freeze", "1"]);
    kept_the_sources_layers(&out, &kept);
    // a BatchNorm the file adds under a frozen layer: refused naming the file's key
    let norm = write(
        "norm.json",
        &serde_json::json!({"model": {"batch_norm": true}}),
    );
    let args = [
        "train",
        "--config",
        s(&norm),
        "--init-from",
        s(&plain),
        "--freeze",
        "1",
    ];
    let out = quiet(&[&args[..], &["--out", s(&dir.join("refused"))]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = format!(
        "error: {}: `model.batch_norm` adds a BatchNorm to each hidden layer, which {} has not: \
         frozen, it would keep its starting values; leave out --freeze (`freeze`) or set \
         `model.batch_norm` to false",
        norm.display(),
        plain.display()
    );
    assert!(stderr(&out).starts_with(&said), "{}", stderr(&out));
    assert!(!dir.join("refused").exists(), "nothing written");
}

/// An outside audit: `--init-from` a `--standardize-target` run copied its output layer into a
/// run learning the target in its own units, without a word (epoch 1's RMSE 1028 against 187).
#[test]
fn a_copied_output_layer_of_another_target_scale_is_refused_with_both_ways_on() {
    let dir = temp_dir("transfer-target-scale");
    let rows: String = (0..60)
        .map(|i| format!("{},{}\n", i as f64 * 0.1, 900.5 + 5.3 * i as f64))
        .collect();
    let csv = dir.join("prices.csv");
    std::fs::write(&csv, format!("x,price\n{rows}")).expect("write");
    let train = |name: &str, flags: &[&str]| {
        let args = ["train", "--data", s(&csv), "--epochs", "1", "-q", "--out"];
        plaindnn(&[&args[..], &[s(&dir.join(name))], flags].concat())
    };
    let out = train("scaled", &["--standardize-target"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scaled = dir.join("scaled");
    let out = train("raw", &["--init-from", s(&scaled)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = format!(
        "invalid --init-from: the output layer of {}, copied here, learnt the target \
         standardised (--standardize-target), and this run learns it in its units: pass \
         --standardize-target as it did, or pass --new-head to start the output layer fresh",
        scaled.display()
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    // either way on trains
    let out = train("same", &["--init-from", s(&scaled), "--standardize-target"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = train("fresh", &["--init-from", s(&scaled), "--new-head"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // and the other way round, from the run in the target's units
    let fresh = dir.join("fresh");
    let flags = ["--init-from", s(&fresh), "--standardize-target"];
    let out = train("back", &flags);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = "learnt the target in its own units, and this run standardises it: leave out \
                --standardize-target as it did";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

#[test]
fn hidden_layers_other_than_the_copied_ones_are_refused_before_the_run_starts() {
    let dir = temp_dir("transfer-other-layers");
    let source = dir.join("source");
    let args = ["train", "--dataset", "circles", "--epochs", "1", "-q"];
    let made = [&args[..], &["--hidden", "8,8", "--activation", "relu,tanh"]].concat();
    let out = plaindnn(&[&made[..], &["--out", s(&source)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let tune = |name: &str, hidden: &str| {
        let run = dir.join(name);
        let from = [
            "--init-from",
            s(&source),
            "--hidden",
            hidden,
            "--out",
            s(&run),
        ];
        (plaindnn(&[&args[..], &from].concat()), run)
    };
    // about the layers asked for, not the source's two activations (what training met first)
    let (out, run) = tune("fewer", "4");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = "has the hidden layers 8,8 and every one is copied, but --hidden asks for 4: leave \
                --hidden out, or train a new network without --init-from";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!run.exists(), "nothing written");
    let (out, _) = tune("wider", "8,16");
    assert!(
        stderr(&out).contains("--hidden asks for 8,16"),
        "{}",
        stderr(&out)
    );
    // the same layers given again are the copied ones
    let (out, run) = tune("same", "8,8");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run.join("model.bpk").exists());
}

/// Frozen layers record no autodiff graph: Burn keeps a graph that is never walked back and
/// sweeps all of them at every backward pass, so a leak makes each epoch slower than the last
/// (measured before the fix: an encoder frozen under a 256-wide autoencoder went from 0.1 s to
/// 1.2 s per epoch in 50 epochs). Here the last ten of 80 epochs must not take more than three
/// times the first ten (plus 20 ms of timer noise).
#[test]
fn training_with_frozen_layers_does_not_slow_down_epoch_after_epoch() {
    use plaindnn::train::{EpochReport, RunOptions, TrainObserver, Verbosity};
    use std::sync::{Arc, Mutex};
    struct Seconds(Arc<Mutex<Vec<f64>>>);
    impl TrainObserver for Seconds {
        fn on_epoch(&mut self, report: &EpochReport) -> plaindnn::Result<()> {
            self.0.lock().expect("lock").push(report.seconds);
            Ok(())
        }
    }
    let dir = temp_dir("transfer-frozen-speed");
    let source = dir.join("source");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "64,64",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        s(&source),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut config = plaindnn::train::TrainConfig::default_for(2, 4);
    config.model.hidden = vec![64, 64];
    (config.init_from, config.freeze) = (Some(source.clone()), 2);
    (config.epochs, config.early_stopping, config.batch_size) = (80, None, 8);
    let seconds = Arc::new(Mutex::new(Vec::new()));
    let options = RunOptions::from(Verbosity::Quiet).observe(Seconds(seconds.clone()));
    let data = plaindnn::data::DataSource::quadrants(0);
    plaindnn::train::train(data, config, dir.join("tuned"), options).expect("trains");
    let seconds = seconds.lock().expect("lock").clone();
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (first, last) = (mean(&seconds[..10]), mean(&seconds[70..]));
    assert!(
        last < 3.0 * first + 0.02,
        "first ten epochs {first:.4} s each, last ten {last:.4} s"
    );
}

#[test]
fn a_frozen_layer_is_not_warned_about_as_a_vanishing_gradient() {
    let dir = temp_dir("frozen-diagnostics");
    let (base, tuned) = (dir.join("base"), dir.join("tuned"));
    let out = plaindnn(&[
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "5",
        "-q",
        "--out",
        s(&base),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = plaindnn(&[
        "train",
        "--dataset",
        "xor",
        "--init-from",
        s(&base),
        "--freeze",
        "1",
        "--epochs",
        "2",
        "--diagnostics",
        "--out",
        s(&tuned),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // its gradient is 0 because it is frozen (diagnostics.csv says so), which is no warning
    let csv = std::fs::read_to_string(tuned.join("diagnostics.csv")).expect("diagnostics");
    assert!(
        csv.lines().any(|l| l.starts_with("1,dense_1,0e0,")),
        "{csv}"
    );
    assert!(!stderr(&out).contains("vanishing"), "{}", stderr(&out));
}

/// With no hidden layers the output layer is the first: a source that takes other inputs cannot
/// give it, and the library says so (before, it kept the fresh layer without a word).
#[test]
fn a_network_without_hidden_layers_refuses_an_output_layer_of_other_inputs() {
    let dir = temp_dir("transfer-no-hidden");
    let file = dir.join("two-inputs.safetensors");
    let theirs = MlpConfig::new(2, vec![], 4);
    let model = theirs.init(&Device::flex(), 1).expect("builds");
    let bytes = plaindnn::model::safetensors::export(&model, &theirs, Default::default());
    std::fs::write(&file, bytes.expect("exports")).expect("writes");
    let ours = MlpConfig::new(3, vec![], 4);
    let fresh = ours.init(&Device::flex(), 1).expect("builds");
    let from = (file.as_path(), false, 0);
    let refused = transfer::load_hidden(fresh, &ours, from, &Device::flex()).err();
    let message = refused.expect("refused").to_string();
    assert!(
        message.contains("output layer") && message.contains("takes 2 inputs"),
        "{message}"
    );
    let fitting = theirs.init(&Device::flex(), 2).expect("builds");
    let loaded = transfer::load_hidden(fitting, &theirs, from, &Device::flex()).expect("loads");
    assert_eq!(
        values(loaded.output.weight.val()),
        values(model.output.weight.val()),
        "2 inputs and 4 outputs like the source: its only layer is copied"
    );
}

/// A run from `--init-from` that saved nothing yet (killed before its first save) starts over
/// from the source when resumed: from the weights it started from, or not at all. An audit
/// replaced the source meanwhile, and the resume trained another run under the same name.
#[test]
fn a_resume_that_starts_over_refuses_an_init_from_source_changed_since() {
    let dir = temp_dir("init-from-changed");
    let (source, run) = (dir.join("source"), dir.join("run"));
    let quick = ["--hidden", "16,16", "--epochs", "2", "--quiet"];
    let train = |out: &std::path::Path, extra: &[&str]| {
        let args = [&["train", "--out", s(out)][..], &quick, extra].concat();
        let o = plaindnn(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    train(&source, &[]);
    train(&run, &["--init-from", s(&source)]);
    // as a kill before the first save leaves it: metrics, no weights, no checkpoint
    let stopped_early = || {
        std::fs::remove_file(run.join("model.bpk")).expect("removed");
        std::fs::remove_dir_all(run.join("checkpoint")).expect("removed");
        std::fs::create_dir(run.join("checkpoint")).expect("made");
    };
    stopped_early();
    let resumed = plaindnn(&["train", "--resume", s(&run), "--quiet"]);
    assert!(
        resumed.status.success(),
        "the same source: {}",
        stderr(&resumed)
    );
    stopped_early();
    train(&source, &["--overwrite", "--seed", "9"]);
    let refused = plaindnn(&["train", "--resume", s(&run), "--quiet"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("starts over from --init-from")
            && err.contains("model.bpk) have changed since the run started from them"),
        "{err}"
    );
    std::fs::remove_dir_all(&source).expect("removed");
    let err = stderr(&plaindnn(&["train", "--resume", s(&run), "--quiet"]));
    assert!(
        err.contains("model.bpk) cannot be read now: restore them"),
        "{err}"
    );
}

/// A source with no hidden layers gives only its output layer: where that is not copied (other
/// outputs, or `--new-head`), nothing is, and a run that said "from" it (banner, config.json)
/// trained from scratch (an audit).
#[test]
fn a_source_without_hidden_layers_whose_output_layer_is_not_copied_is_refused() {
    let dir = temp_dir("transfer-nothing-copied");
    let source = dir.join("logistic");
    let quiet = |args: &[&str]| plaindnn(&[args, &["--epochs", "1", "--quiet"]].concat());
    let made = quiet(&["train", "--hidden", "none", "--out", s(&source)]);
    assert!(made.status.success(), "{}", stderr(&made));
    let into = dir.join("run");
    for (extra, why) in [
        (
            &["--dataset", "blobs"][..],
            "it has 4 outputs and this data needs 3",
        ),
        (&["--new-head"][..], "--new-head starts it fresh"),
    ] {
        let args = [
            &["train", "--init-from", s(&source), "--out", s(&into)][..],
            extra,
        ];
        let o = quiet(&args.concat());
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {}", stderr(&o));
        let want = format!(
            "error: invalid --init-from: {} has no hidden layers, and its output layer is not \
             copied here ({why}): nothing of it would be",
            s(&source)
        );
        assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));
        assert!(!into.exists(), "nothing made");
    }
    // its output layer copied, on data of the same outputs: that is a start, and it trains
    let o = quiet(&["train", "--init-from", s(&source), "--out", s(&into)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The copied first layer learnt its inputs on one scale: a run that standardises a CSV file's
/// features where the source read them as they are (or the other way) is warned, as a target's
/// mismatch is refused (an audit: it was silent).
#[test]
fn a_source_that_read_its_features_on_another_scale_is_warned_of() {
    let dir = temp_dir("transfer-input-scale");
    let csv = dir.join("r.csv");
    let rows: String = (0..40)
        .map(|i| format!("{},{},{}\n", i * 3, i % 7, i % 2))
        .collect();
    std::fs::write(&csv, format!("a,b,y\n{rows}")).expect("csv");
    let quiet = |args: &[&str]| plaindnn(&[args, &["--epochs", "1", "--quiet"]].concat());
    let (raw, scaled) = (dir.join("raw"), dir.join("scaled"));
    for (run, extra) in [(&raw, &["--no-standardize"][..]), (&scaled, &[][..])] {
        let o = quiet(&[&["train", "--data", s(&csv), "--out", s(run)][..], extra].concat());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let warned = "its features as they are (--no-standardize), and this run standardises them: \
                  it meets inputs on another scale; pass --no-standardize as it did";
    let back = "its features standardised, and this run reads them as they are \
                (--no-standardize): it meets inputs on another scale; leave out --no-standardize";
    for (from, extra, said) in [
        (&raw, &[][..], Some(warned)),
        (&scaled, &["--no-standardize"][..], Some(back)),
        (&raw, &["--no-standardize"][..], None),
        (&scaled, &[][..], None),
    ] {
        let out = dir.join("tuned");
        let args = [
            "train",
            "--data",
            s(&csv),
            "--init-from",
            s(from),
            "--out",
            s(&out),
        ];
        let o = quiet(&[&args[..], extra, &["--overwrite"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let warning = format!(
            "warning: the first layer of {}, copied here, learnt ",
            s(from)
        );
        match said {
            Some(said) => assert!(
                stderr(&o).contains(&format!("{warning}{said}")),
                "{}",
                stderr(&o)
            ),
            None => assert!(!stderr(&o).contains(&warning), "{}", stderr(&o)),
        }
    }
}
