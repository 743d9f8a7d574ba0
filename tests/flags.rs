//! No flag is silently ignored: every flag `train --help` lists either changes the saved
//! configuration (or the output), or is refused in a combination where it cannot apply — and
//! a flag added without a line here fails the test.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{plaindnn, stderr, stdout, temp_dir};
use serde_json::{json, Value};

/// What one flag must do.
enum Check {
    /// `config.json` holds `value` at the JSON pointer (and the default run does not).
    Saves(&'static str, Value),
    /// Exit code 1 and a message containing this.
    Refused(&'static str),
    /// Nothing on stdout (`--quiet`).
    Silent,
    /// Checked by the named test, which drives the flag through the binary.
    CoveredBy(&'static str),
}

use Check::*;

/// A backend that is not this build's default (`auto` with the wgpu feature, `flex` without).
const OTHER_BACKEND: &str = if cfg!(feature = "wgpu") {
    "flex"
} else {
    "auto"
};

/// `(flag, the arguments of the case, what must happen)`; `CSV`, `SEMI` (the same, separated by
/// semicolons), `COMMAS` (`SEMI` with decimal commas), `SOURCE` and `CONFIG` stand for files the test writes.
fn cases() -> Vec<(&'static str, Vec<&'static str>, Check)> {
    vec![
        (
            "--dataset",
            vec!["--dataset", "xor"],
            Saves("/data/source/name", json!("xor")),
        ),
        (
            "--noise",
            vec!["--dataset", "xor", "--noise", "0.3"],
            Saves("/data/source/noise", json!(0.3)),
        ),
        (
            "--noise",
            vec!["--dataset", "xor", "--noise", "-1"],
            Refused("invalid --noise: must be >= 0"),
        ),
        (
            "--noise",
            vec!["--noise", "0.2"],
            Refused("`quadrants` has no noise parameter"),
        ),
        (
            "--train-size",
            vec!["--dataset", "xor", "--train-size", "100"],
            Saves("/data/source/train_size", json!(100)),
        ),
        (
            "--train-size",
            vec!["--train-size", "3"],
            Refused("`quadrants` starts from the tutorial's 4 points: at least 4, got 3"),
        ),
        (
            "--train-size",
            vec!["--data", "CSV", "--train-size", "100"],
            Refused("cannot be used with"),
        ),
        (
            "--val-size",
            vec!["--dataset", "xor", "--val-size", "64"],
            Saves("/data/source/val_size", json!(64)),
        ),
        (
            "--val-size",
            vec!["--val-size", "0"],
            Refused("invalid --val-size: must be 1 to 10000000 rows of `quadrants`, got 0"),
        ),
        (
            "--data",
            vec!["--data", "CSV"],
            Saves("/data/source/kind", json!("csv")),
        ),
        (
            "--target",
            vec!["--data", "CSV", "--target", "a", "--features", "b"],
            Saves("/data/target", json!("a")),
        ),
        ("--target", vec!["--target", "a"], Refused("--data")),
        (
            "--features",
            vec!["--data", "CSV", "--features", "b"],
            Saves("/data/feature_names", json!(["b"])),
        ),
        (
            "--one-hot",
            vec!["--data", "CSV", "--one-hot", "b"],
            Saves("/data/one_hot/0/column", json!("b")),
        ),
        (
            "--one-hot",
            vec!["--data", "CSV", "--one-hot", "label"],
            Refused("invalid --one-hot: `label` is the target"),
        ),
        ("--one-hot", vec!["--one-hot", "b"], Refused("--data")),
        (
            "--task",
            vec![
                "--data",
                "CSV",
                "--task",
                "regression",
                "--target",
                "b",
                "--features",
                "a",
            ],
            Saves("/data/task", json!("regression")),
        ),
        (
            "--val-fraction",
            vec!["--data", "CSV", "--val-fraction", "0.5"],
            Saves("/data/source/val_fraction", json!(0.5)),
        ),
        (
            "--val-data",
            vec!["--data", "CSV", "--val-data", "CSV"],
            Saves("/data/source/val_path", json!("CSV")),
        ),
        (
            "--val-fraction",
            vec!["--data", "CSV", "--val-data", "CSV", "--val-fraction", "0.5"],
            Refused("cannot be used with"),
        ),
        (
            "--no-standardize",
            vec!["--data", "CSV", "--no-standardize"],
            Saves("/data/scaler", Value::Null),
        ),
        (
            "--standardize-target",
            vec![
                "--data",
                "CSV",
                "--task",
                "regression",
                "--target",
                "b",
                "--features",
                "a",
                "--standardize-target",
            ],
            Saves("/data/source/standardize_target", json!(true)),
        ),
        (
            "--standardize-target",
            vec!["--data", "CSV", "--standardize-target"],
            Refused("the target `label` holds classes"),
        ),
        (
            "--standardize-target",
            vec!["--standardize-target"],
            Refused("--data"),
        ),
        (
            "--impute",
            vec!["--data", "CSV", "--impute", "median"],
            Saves("/data/source/impute", json!("median")),
        ),
        (
            "--impute",
            vec!["--dataset", "xor", "--impute", "mean"],
            Refused("cannot be used with"),
        ),
        (
            "--impute",
            vec!["--data", "CSV", "--impute", "mode"],
            Refused("unknown --impute strategy `mode`; valid choices: mean, median"),
        ),
        (
            "--class-weight",
            vec!["--class-weight", "1,2,0.5,4"],
            Saves("/train/class_weights", json!([1.0, 2.0, 0.5, 4.0])),
        ),
        (
            "--class-weight",
            vec!["--class-weight", "1,2"],
            Refused("invalid --class-weight: 2 weights for 4 classes"),
        ),
        (
            "--class-weight",
            vec!["--class-weight", "1,0,1,1"],
            Refused("invalid --class-weight: 0 is no weight: each must be a positive number"),
        ),
        (
            "--class-weight",
            vec![
                "--data",
                "CSV",
                "--task",
                "regression",
                "--target",
                "b",
                "--features",
                "a",
                "--class-weight",
                "balanced",
            ],
            Refused("invalid --class-weight: weighs the classes of a classification"),
        ),
        (
            "--delimiter",
            vec!["--data", "SEMI", "--delimiter", ";"],
            Saves("/data/source/delimiter", json!(";")),
        ),
        (
            "--delimiter",
            vec!["--data", "SEMI", "--delimiter", ","],
            Refused("--delimiter ';'"),
        ),
        (
            "--decimal",
            vec!["--data", "COMMAS", "--decimal", ","],
            Saves("/data/source/decimal", json!(",")),
        ),
        (
            "--decimal",
            vec!["--data", "CSV", "--decimal", ","],
            Refused("invalid --decimal: "),
        ),
        (
            "--data-dir",
            vec!["--data-dir", "/nonexistent-plaindnn"],
            Refused("/nonexistent-plaindnn"),
        ),
        (
            "--data-dir",
            vec![],
            CoveredBy("tests/data.rs::mnist_format_files_gzipped_or_not_train_a_classifier"),
        ),
        (
            "--augment-jitter",
            vec!["--augment-jitter", "0.1"],
            Saves("/train/augment/jitter", json!(0.1)),
        ),
        (
            "--augment-shift",
            vec!["--dataset", "shapes", "--augment-shift", "2"],
            Saves("/train/augment/shift", json!(2)),
        ),
        (
            "--augment-shift",
            vec!["--augment-shift", "2"],
            Refused("--augment-shift needs image data"),
        ),
        (
            "--augment-shift",
            vec!["--dataset", "shapes", "--augment-shift", "16"],
            Refused("out of view"),
        ),
        (
            "--augment-flip",
            vec!["--dataset", "shapes", "--augment-flip"],
            Saves("/train/augment/flip", json!(true)),
        ),
        (
            "--augment-flip",
            vec!["--augment-flip", "--augment-noise", "0.1"],
            Refused("--augment-flip and --augment-noise need image data"),
        ),
        (
            "--augment-noise",
            vec!["--dataset", "shapes", "--augment-noise", "0.1"],
            Saves("/train/augment/pixel_noise", json!(0.1)),
        ),
        (
            "--augment-noise",
            vec!["--augment-noise", "0.1"],
            Refused("--augment-noise needs image data"),
        ),
        (
            "--out",
            vec![],
            CoveredBy("every case here: the run is read from --out"),
        ),
        (
            "--overwrite",
            vec![],
            CoveredBy(
                "tests/run_dirs.rs::overwrite_replaces_every_file_of_the_old_run",
            ),
        ),
        (
            "--resume",
            vec![],
            CoveredBy(
                "tests/run_dirs.rs::resume_refuses_flags_that_would_change_the_run_and_names_them",
            ),
        ),
        (
            "--config",
            vec!["--config", "CONFIG"],
            Saves("/train/batch_size", json!(7)),
        ),
        (
            "--preset",
            vec!["--preset", "seed-default"],
            Saves("/train/model/batch_norm", json!(true)),
        ),
        (
            "--hidden",
            vec!["--hidden", "8,4"],
            Saves("/train/model/hidden", json!([8, 4])),
        ),
        (
            "--hidden",
            vec!["--hidden", "none"],
            Saves("/train/model/hidden", json!([])),
        ),
        (
            "--hidden",
            vec!["--hidden", "8,"],
            Refused("a width is empty in `8,`: give widths such as 50,20, or `none`"),
        ),
        (
            "--activation",
            vec!["--activation", "tanh"],
            Saves("/train/model/activation/name", json!("tanh")),
        ),
        (
            "--activation",
            vec!["--hidden", "8,4", "--activation", "relu,tanh"],
            Saves("/train/model/activations/1/name", json!("tanh")),
        ),
        (
            "--activation",
            vec!["--hidden", "8", "--activation", "relu,tanh"],
            Refused("2 activations for 1 hidden layer;"),
        ),
        (
            "--add-features",
            vec!["--add-features", "sin,square"],
            Saves("/train/model/add_features", json!(["sin", "square"])),
        ),
        (
            "--add-features",
            vec!["--add-features", "square"],
            CoveredBy("tests/training.rs::with_squared_inputs_one_neuron_separates_the_disc_from_the_ring"),
        ),
        (
            "--add-features",
            vec!["--add-features", "cube"],
            Refused("unknown added feature `cube`; valid choices: square, product, sin"),
        ),
        (
            // one input has no pair to multiply: it added nothing, and was accepted
            "--add-features",
            vec!["--dataset", "line", "--add-features", "product"],
            Refused("`product` multiplies pairs of inputs, and the data has 1 input"),
        ),
        (
            "--init",
            vec!["--init", "he_normal"],
            Saves("/train/model/init", json!("he_normal")),
        ),
        (
            "--batch-norm",
            vec!["--batch-norm"],
            Saves("/train/model/batch_norm", json!(true)),
        ),
        (
            "--dropout",
            vec!["--dropout", "0.25"],
            Saves("/train/model/dropout", json!(0.25)),
        ),
        (
            "--optimizer",
            vec!["--optimizer", "rmsprop"],
            Saves("/train/optimizer/kind", json!("rmsprop")),
        ),
        (
            "--nesterov",
            vec!["--optimizer", "sgd", "--momentum", "0.9", "--nesterov"],
            Saves("/train/optimizer/nesterov", json!(true)),
        ),
        (
            "--nesterov",
            vec!["--optimizer", "sgd", "--nesterov"],
            Refused("invalid --nesterov"),
        ),
        (
            "--nesterov",
            vec!["--nesterov"],
            Refused("invalid --nesterov"),
        ),
        (
            "--lr-schedule",
            vec!["--lr-schedule", "cosine"],
            Saves("/train/schedule/kind", json!("cosine")),
        ),
        (
            "--l1",
            vec!["--l1", "0.001"],
            Saves("/train/regularization/l1", json!(0.001)),
        ),
        (
            "--l2",
            vec!["--l2", "0.001"],
            Saves("/train/regularization/l2", json!(0.001)),
        ),
        (
            "--decay-biases",
            vec!["--weight-decay", "0.01", "--decay-biases"],
            Saves("/train/regularization/decay_biases", json!(true)),
        ),
        (
            "--decay-biases",
            vec!["--decay-biases"],
            Refused("invalid --decay-biases"),
        ),
        (
            "--max-norm",
            vec!["--max-norm", "3"],
            Saves("/train/regularization/max_norm", json!(3.0)),
        ),
        (
            "--clip-value",
            vec!["--clip-value", "0.5"],
            Saves("/train/clipping/value", json!(0.5)),
        ),
        (
            "--clip-value",
            vec!["--clip-value", "0.5", "--clip-norm", "1"],
            Refused("--clip-value and --clip-norm both clip each tensor's gradient"),
        ),
        (
            "--clip-norm",
            vec!["--clip-norm", "1"],
            Saves("/train/clipping/norm", json!(1.0)),
        ),
        (
            "--clip-global-norm",
            vec!["--clip-global-norm", "1"],
            Saves("/train/clipping/global_norm", json!(1.0)),
        ),
        (
            "--lr",
            vec!["--lr", "0.05"],
            Saves("/train/optimizer/learning_rate", json!(0.05)),
        ),
        (
            "--momentum",
            vec!["--optimizer", "sgd", "--momentum", "0.9"],
            Saves("/train/optimizer/momentum", json!(0.9)),
        ),
        (
            "--momentum",
            vec!["--momentum", "0.9"],
            Refused("adam has no momentum parameter"),
        ),
        (
            "--weight-decay",
            vec!["--weight-decay", "0.01"],
            Saves("/train/optimizer/weight_decay", json!(0.01)),
        ),
        // PyTorch's AdamW decays by 0.01 by default (without decay AdamW is Adam)
        (
            "--optimizer",
            vec!["--optimizer", "adamw"],
            Saves("/train/optimizer/weight_decay", json!(0.01)),
        ),

        (
            "--epochs",
            vec!["--epochs", "2"],
            Saves("/train/epochs", json!(2)),
        ),
        (
            "--batch-size",
            vec!["--batch-size", "16"],
            Saves("/train/batch_size", json!(16)),
        ),
        (
            "--seed",
            vec!["--seed", "7"],
            Saves("/train/seed", json!(7)),
        ),
        (
            "--patience",
            vec!["--patience", "3"],
            Saves("/train/early_stopping/patience", json!(3)),
        ),
        (
            "--min-delta",
            vec!["--min-delta", "0.01"],
            Saves("/train/early_stopping/min_delta", json!(0.01)),
        ),
        (
            "--no-early-stopping",
            vec!["--no-early-stopping"],
            Saves("/train/early_stopping", Value::Null),
        ),
        (
            "--no-early-stopping",
            vec!["--no-early-stopping", "--no-restore-best"],
            Refused("cannot be used with"),
        ),
        (
            "--no-restore-best",
            vec!["--no-restore-best"],
            Saves("/train/early_stopping/restore_best_weights", json!(false)),
        ),
        (
            "--backend",
            vec!["--backend", OTHER_BACKEND],
            Saves("/train/backend", json!(OTHER_BACKEND)),
        ),
        (
            "--backend",
            vec!["--backend", "cuda"],
            Refused("unknown backend `cuda`"),
        ),
        (
            "--on-nan",
            vec!["--on-nan", "skip-batch"],
            Saves("/train/on_nan", json!("skip-batch")),
        ),
        (
            "--diagnostics",
            vec!["--diagnostics"],
            Saves("/train/diagnostics", json!(true)),
        ),
        (
            "--init-from",
            vec!["--init-from", "SOURCE"],
            Saves("/train/init_from", json!("SOURCE")),
        ),
        (
            "--freeze",
            vec!["--init-from", "SOURCE", "--freeze", "1"],
            Saves("/train/freeze", json!(1)),
        ),
        ("--freeze", vec!["--freeze", "1"], Refused("invalid --freeze")),
        (
            "--unfreeze-after",
            vec![
                "--init-from",
                "SOURCE",
                "--freeze",
                "1",
                "--unfreeze-after",
                "1",
            ],
            Saves("/train/unfreeze_after", json!(1)),
        ),
        (
            "--unfreeze-after",
            vec!["--init-from", "SOURCE", "--unfreeze-after", "1"],
            Refused("nothing to unfreeze"),
        ),
        (
            "--unfreeze-after",
            vec![
                "--init-from",
                "SOURCE",
                "--freeze",
                "1",
                "--unfreeze-after",
                "0",
            ],
            Refused("0 epochs would never freeze the layers"),
        ),
        (
            "--new-head",
            vec!["--init-from", "SOURCE", "--new-head"],
            Saves("/train/new_head", json!(true)),
        ),
        (
            "--new-head",
            vec!["--new-head"],
            Refused("invalid --new-head: replaces the output layer of a network loaded from elsewhere"),
        ),
        (
            "--new-head",
            vec!["--init-from", "SOURCE", "--new-head"],
            CoveredBy("tests/transfer.rs::new_head_keeps_a_fresh_output_layer_where_the_source_one_would_fit"),
        ),
        (
            "--checkpoint-interval",
            vec!["--checkpoint-interval", "2.5"],
            Saves("/train/checkpoint_interval", json!(2.5)),
        ),
        (
            "--checkpoint-interval",
            vec!["--checkpoint-interval", "30"],
            CoveredBy("tests/reliability.rs::saving_by_time_writes_the_checkpoint_and_the_best_weights_once_for_many_tiny_epochs"),
        ),
        (
            "--checkpoint-interval",
            vec!["--checkpoint-interval", "0"],
            Refused("invalid --checkpoint-interval: must be a positive number of seconds, got 0"),
        ),
        (
            "--checkpoint-interval",
            vec!["--checkpoint-interval", "2", "--checkpoint-every", "3"],
            Refused("cannot be used with"),
        ),
        (
            "--checkpoint-every",
            vec!["--checkpoint-every", "5"],
            Saves("/train/checkpoint_every", json!(5)),
        ),
        ("--quiet", vec!["--quiet"], Silent),
        ("--help", vec![], CoveredBy("clap: prints this list")),
    ]
}

/// Every `--flag` the help of `verb` lists.
fn listed_flags(verb: &str) -> BTreeSet<String> {
    let help = stdout(&plaindnn(&[verb, "--help"]));
    help.lines()
        .filter_map(|l| {
            l.trim_start()
                .split([' ', ',', '='])
                .find(|w| w.starts_with("--"))
        })
        .map(|w| w.trim_end_matches(['[', '<']).to_string())
        .collect()
}

/// The files the cases name: a small CSV, a source run and a TrainConfig file.
struct Files {
    dir: common::TempDir,
    csv: String,
    semi: String,
    /// `semi` with decimal commas.
    commas: String,
    source: String,
    config: String,
}

fn files() -> Files {
    let dir = temp_dir("flags");
    let mut csv = String::from("a,b,label\n");
    for i in 0..60 {
        let (a, b) = ((i % 7) as f64 - 3.0, (i % 5) as f64 * 0.5);
        csv += &format!("{a},{b},{}\n", if a + b > 0.0 { "yes" } else { "no" });
    }
    let csv_path = dir.join("small.csv");
    std::fs::write(&csv_path, &csv).expect("csv");
    let semi_path = dir.join("semicolons.csv");
    std::fs::write(&semi_path, csv.replace(',', ";")).expect("csv");
    let commas_path = dir.join("commas.csv");
    std::fs::write(&commas_path, csv.replace(',', ";").replace('.', ",")).expect("csv");
    let source = dir.join("source");
    let out = plaindnn(&[
        "train",
        "--epochs",
        "1",
        "-q",
        "--out",
        source.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut config = common::run_config(&source)["train"].clone();
    config["batch_size"] = json!(7);
    let config_path = dir.join("train.json");
    std::fs::write(&config_path, config.to_string()).expect("config");
    let path = |p: &Path| {
        std::fs::canonicalize(p)
            .expect("exists")
            .display()
            .to_string()
    };
    Files {
        csv: path(&csv_path),
        semi: path(&semi_path),
        commas: path(&commas_path),
        source: path(&source),
        config: path(&config_path),
        dir,
    }
}

impl Files {
    fn arg<'a>(&'a self, a: &'a str) -> &'a str {
        match a {
            "CSV" => &self.csv,
            "SEMI" => &self.semi,
            "COMMAS" => &self.commas,
            "SOURCE" => &self.source,
            "CONFIG" => &self.config,
            other => other,
        }
    }

    fn expected(&self, v: &Value) -> Value {
        match v.as_str() {
            Some(name @ ("CSV" | "SOURCE")) => json!(self.arg(name)),
            _ => v.clone(),
        }
    }
}

#[test]
fn every_train_flag_takes_effect_or_is_refused_where_it_cannot_apply() {
    let cases = cases();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let listed = listed_flags("train");
    let missing: Vec<_> = listed.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "flags of `train` with no case here: {missing:?}"
    );
    let f = files();
    let default_run = |name: &str, data: &[&str]| {
        let dir = f.dir.join(name);
        let mut argv = vec![
            "train",
            "--epochs",
            "1",
            "-q",
            "--out",
            dir.to_str().unwrap_or(""),
        ];
        argv.extend_from_slice(data);
        assert!(plaindnn(&argv).status.success());
        common::run_config(&dir)
    };
    let (builtin, csv) = (
        default_run("base", &[]),
        default_run("base-csv", &["--data", &f.csv]),
    );
    for (i, (flag, args, check)) in cases.iter().enumerate() {
        let baseline = if args.contains(&"--data") && *flag != "--data" {
            &csv
        } else {
            &builtin
        };
        let out_dir = f.dir.join(format!("case-{i}"));
        let mut argv = vec!["train", "--out", out_dir.to_str().unwrap_or("")];
        if !args.contains(&"--epochs") {
            argv.extend(["--epochs", "1"]);
        }
        argv.extend(args.iter().map(|a| f.arg(a)));
        match check {
            CoveredBy(test) => {
                if let Some((file, name)) = test.split_once("::") {
                    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                    let text = std::fs::read_to_string(&path).expect("the covering test's file");
                    assert!(
                        text.contains(&format!("fn {name}()")),
                        "{flag}: no test {test}"
                    );
                }
            }
            Silent => {
                let out = plaindnn(&argv);
                assert!(
                    out.status.success() && stdout(&out).is_empty(),
                    "{flag}: {}",
                    stdout(&out)
                );
            }
            Refused(message) => {
                argv.push("-q");
                let out = plaindnn(&argv);
                assert_ne!(
                    out.status.code(),
                    Some(0),
                    "{flag} {args:?} must be refused"
                );
                assert!(
                    stderr(&out).contains(message),
                    "{flag} {args:?}: {}",
                    stderr(&out)
                );
            }
            Saves(pointer, value) => {
                argv.push("-q");
                let out = plaindnn(&argv);
                assert!(out.status.success(), "{flag} {args:?}: {}", stderr(&out));
                let saved = common::run_config(&out_dir);
                let expected = f.expected(value);
                assert_eq!(
                    saved.pointer(pointer),
                    Some(&expected),
                    "{flag} {args:?} at {pointer}"
                );
                assert_ne!(
                    baseline.pointer(pointer),
                    Some(&expected),
                    "{flag}: the default already"
                );
            }
        }
    }
}

#[test]
fn a_run_with_no_flags_saves_exactly_the_librarys_defaults() {
    let dir = temp_dir("flags-defaults");
    let out = plaindnn(&["train", "-q", "--out", dir.to_str().unwrap_or("")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected = plaindnn::train::TrainConfig::default_for(2, 4);
    // the defaults' weight decay is the optimizer's; config.json writes it out
    expected.optimizer = expected.optimizer.resolved();
    let saved: plaindnn::train::TrainConfig =
        serde_json::from_value(common::run_config(&dir)["train"].clone()).expect("a TrainConfig");
    assert_eq!(saved, expected);
}

/// A run's `train` part with `change` made to it, written to `name` in `dir`.
fn config_file(dir: &Path, name: &str, change: impl Fn(&mut Value)) -> String {
    let mut config = common::run_config(&dir.join("base"))["train"].clone();
    change(&mut config);
    let path = dir.join(name);
    std::fs::write(&path, config.to_string()).expect("config");
    path.display().to_string()
}

/// `train --config FILE ARGS… -q` into `dir/out`; the run's `config.json`, or the error.
fn train_with(dir: &Path, out: &str, args: &[&str]) -> Result<Value, String> {
    let run = dir.join(out);
    let mut argv = vec![
        "train",
        "-q",
        "--epochs",
        "2",
        "--out",
        run.to_str().unwrap_or(""),
    ];
    argv.extend(args);
    let output = plaindnn(&argv);
    match output.status.success() {
        true => Ok(common::run_config(&run)),
        false => Err(stderr(&output)),
    }
}

#[test]
fn a_config_file_with_some_fields_lays_them_over_the_defaults_and_keeps_the_rest() {
    let dir = temp_dir("flags-config-part");
    let base = train_with(&dir, "base", &["--seed", "7"]).expect("the base run");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("write");
        dir.join(name).display().to_string()
    };
    let part = write(
        "part.json",
        r#"{"seed": 7, "batch_size": 16, "optimizer": {"learning_rate": 0.003},
            "model": {"hidden": [8, 8], "activation": {"name": "leaky_relu", "slope": 0.2}}}"#,
    );
    let saved = train_with(&dir, "part", &["--config", &part]).expect("trains");
    // the run without the file, with the file's fields changed, and nothing else
    let mut want = base["train"].clone();
    want["batch_size"] = json!(16);
    want["optimizer"]["learning_rate"] = json!(0.003);
    want["model"]["hidden"] = json!([8, 8]);
    want["model"]["activation"] = json!({"name": "leaky_relu", "slope": 0.2});
    assert_eq!(saved["train"], want);
    // its seed draws the data as --seed does: the same rows, so the same first epoch
    let seed_only = write("seed.json", r#"{"seed": 7}"#);
    train_with(&dir, "seed", &["--config", &seed_only]).expect("trains");
    let metrics = |run: &str| std::fs::read_to_string(dir.join(run).join("metrics.csv"));
    assert_eq!(
        metrics("seed").expect("metrics"),
        metrics("base").expect("metrics")
    );
    // saving by epochs replaces the default saving by time, as --checkpoint-every does (it was
    // refused: "saves by time; --checkpoint-every saves by epochs")
    let every = write("every.json", r#"{"checkpoint_every": 5}"#);
    let saved = train_with(&dir, "every", &["--config", &every]).expect("trains");
    let saves = json!([
        saved["train"]["checkpoint_every"],
        saved["train"]["checkpoint_interval"]
    ]);
    assert_eq!(saves, json!([5, null]));
    // a misspelt key in a part is refused by name and place, as in a whole file
    let typo = write("typo.json", r#"{"model": {"dropuot": 0.5}}"#);
    let err = train_with(&dir, "typo", &["--config", &typo]).expect_err("refused");
    assert!(
        err.contains("unknown field `dropuot`") && err.contains("at line 1 column"),
        "{err}"
    );
    // a wrong value after a partial object is named by its key
    let late = write(
        "late.json",
        "{\"model\": {\"dropout\": 0.1},\n \"batch_size\": \"16\"}",
    );
    let err = train_with(&dir, "late", &["--config", &late]).expect_err("refused");
    assert!(
        err.contains("`batch_size`: invalid type: string \"16\""),
        "{err}"
    );
    // and one met while reading the file gets its key, line and column (it had no key)
    let hidden = write(
        "hidden.json",
        "{\"epochs\": 3,\n \"model\": {\"hidden\": [4, \"a\"]}}",
    );
    let err = train_with(&dir, "hidden", &["--config", &hidden]).expect_err("refused");
    let want = "`model.hidden[1]`: invalid type: string \"a\", expected usize at line 2 column";
    assert!(err.contains(want), "{err}");
    // another kind starts from its flag's defaults, and may be the flag's text
    let kinds = write(
        "kinds.json",
        r#"{"seed": 7, "optimizer": {"kind": "sgd"}, "schedule": {"kind": "step"},
            "model": {"activation": "leaky_relu"}}"#,
    );
    let saved = train_with(&dir, "kinds", &["--config", &kinds]).expect("trains");
    // as do an init and a list of activations, one per hidden layer
    let texts = write(
        "texts.json",
        r#"{"seed": 7, "model": {"init": "normal:0.1", "hidden": [4, 4], "activations": ["relu", "tanh"]}}"#,
    );
    let by_file = train_with(&dir, "texts", &["--config", &texts]).expect("trains");
    let flags = [
        "--seed",
        "7",
        "--init",
        "normal:0.1",
        "--hidden",
        "4,4",
        "--activation",
        "relu,tanh",
    ];
    let by_flags = train_with(&dir, "texts-flags", &flags).expect("trains");
    assert_eq!(by_file["train"], by_flags["train"]);
    let flags = [
        "--optimizer",
        "sgd",
        "--lr-schedule",
        "step",
        "--activation",
        "leaky_relu",
    ];
    let by_flags = train_with(&dir, "flags", &[&["--seed", "7"][..], &flags].concat());
    assert_eq!(saved["train"], by_flags.expect("trains")["train"]);
    // what is no part of one is told the way on
    for (name, text, hint) in [
        ("list.json", "[1, 2]", "a JSON object of its fields"),
        (
            "wrapped.json",
            r#"{"train": {"epochs": 3}}"#,
            "pass what is inside \"train\"",
        ),
    ] {
        let err = train_with(&dir, name, &["--config", &write(name, text)]).expect_err(name);
        assert!(err.contains(hint), "{err}");
    }
}

#[test]
fn a_config_files_own_refusal_names_its_keys_and_the_flags_of_its_advice_as_keys() {
    let dir = temp_dir("flags-config-keys");
    let refused = |name: &str, text: &str| {
        let file = dir.join(name);
        std::fs::write(&file, text).expect("write");
        let file = file.display().to_string();
        let err = train_with(&dir, "refused", &["--config", &file]).expect_err("refused");
        (file, err)
    };
    // it said "invalid freeze: … give --init-from RUN_DIR|FILE too": a flag the file cannot hold
    let (file, err) = refused("freeze.json", r#"{"freeze": 1}"#);
    let want = format!(
        "{file}: invalid `freeze`: freezes layers loaded from another network: give --init-from \
         RUN_DIR|FILE too (in a config file: --init-from is `init_from`)"
    );
    assert!(err.contains(&want), "{err}");
    let (file, err) = refused("nesterov.json", r#"{"optimizer": {"nesterov": true}}"#);
    let want = format!(
        "{file}: invalid `optimizer.nesterov`: Nesterov momentum needs --optimizer sgd and \
         --momentum M > 0 (in a config file: --optimizer is `optimizer.kind`, --momentum is \
         `optimizer.momentum`)"
    );
    assert!(err.contains(&want), "{err}");
    // the library's word for a value ("learning rate") is the file's key
    let (file, err) = refused("lr.json", r#"{"optimizer": {"learning_rate": -1}}"#);
    assert!(
        err.contains(&format!("{file}: invalid `optimizer.learning_rate`: ")),
        "{err}"
    );
    // Adam's betas under SGD were kept in config.json without effect (an audit)
    let (file, err) = refused(
        "beta.json",
        r#"{"optimizer": {"kind": "sgd", "beta1": 0.5}}"#,
    );
    let want = format!(
        "{file}: invalid `optimizer.beta1`: sgd has no beta1 (Adam's and AdamW's): leave it at \
         its default, or use --optimizer adam"
    );
    assert!(err.contains(&want), "{err}");
    let (_, err) = refused(
        "eps.json",
        r#"{"optimizer": {"kind": "sgd", "epsilon": 1e-6}}"#,
    );
    assert!(
        err.contains("sgd has no epsilon (Adam's, AdamW's and RMSprop's)"),
        "{err}"
    );
    // a value of the file's refused beside a flag: the message says the file sets it, where it
    // advised only the flags ("use --optimizer sgd" to a user who had asked for adam)
    let momentum = dir.join("momentum.json");
    std::fs::write(
        &momentum,
        r#"{"optimizer": {"kind": "sgd", "momentum": 0.9}}"#,
    )
    .expect("w");
    let momentum = momentum.display().to_string();
    let args = ["--config", &momentum, "--optimizer", "adam"];
    let err = train_with(&dir, "refused", &args).expect_err("refused");
    let want =
        format!("(the flags given over --config {momentum}, which sets `optimizer.momentum`)");
    assert!(err.contains(&want), "{err}");
    // a misspelt field of `normal` is named, not reported as `std` missing
    let (_, err) = refused(
        "sdt.json",
        r#"{"model": {"init": {"normal": {"sdt": 0.1}}}}"#,
    );
    assert!(
        err.contains("`model.init.normal.sdt`: unknown field `sdt`, expected `std`"),
        "{err}"
    );
}

#[test]
fn a_config_file_that_repeats_a_key_or_breaks_a_rule_is_refused_naming_the_file_and_place() {
    let dir = temp_dir("flags-config-errors");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("write");
        dir.join(name).display().to_string()
    };
    let refused = |file: &str, flags: &[&str]| {
        let args = [&["--config", file][..], flags].concat();
        train_with(&dir, "refused", &args).expect_err("refused")
    };
    // serde_json keeps the last of a repeated key: the file is refused at the second one
    let twice = write(
        "twice.json",
        "{\"epochs\": 3,\n \"model\": {\"hidden\": [4], \"hidden\": [8]}}",
    );
    let err = refused(&twice, &[]);
    assert!(
        err.contains(&format!("{twice}: a second `hidden` in one object"))
            && err.contains("at line 2 column 34"),
        "{err}"
    );
    // the flag's text gets the flag's message, at the key's path
    let text = write("text.json", r#"{"model": {"activation": "leaky_relu:x"}}"#);
    let err = refused(&text, &[]);
    let want = "`model.activation`: invalid activation leaky_relu parameter: `x` is not a number";
    assert!(err.contains(&format!("{text}: {want}")), "{err}");
    // a value out of range is named with the file, unless a flag on top is to blame
    let dropout = write("dropout.json", r#"{"model": {"dropout": 1.5}}"#);
    let err = refused(&dropout, &[]);
    assert!(
        err.contains(&format!(
            "{dropout}: invalid `model.dropout`: must be in [0, 1), got 1.5"
        )),
        "{err}"
    );
    train_with(&dir, "fixed", &["--config", &dropout, "--dropout", "0.2"]).expect("the flag wins");
    // the object form of an initialisation is held to the flag text's range (it trained with
    // weights of deviation -1, or 1e39 and a divergence told as a learning rate's)
    for (std, why) in [
        ("-1", "must be a positive number, got -1"),
        ("0", "must be a positive number, got 0"),
        (
            "1e39",
            "must be at most f32's largest value (3.4e38) in size",
        ),
    ] {
        let name = format!("std{std}.json");
        let init = write(
            &name,
            &format!(r#"{{"model": {{"init": {{"normal": {{"std": {std}}}}}}}}}"#),
        );
        let err = refused(&init, &[]);
        assert!(
            err.contains(&format!("{init}: invalid `model.init`: {why}")),
            "{err}"
        );
    }
    // a new run's check: a run that recorded such a spread before it still predicts (a review)
    let run = dir.join("fixed");
    let path = run.join("config.json");
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    config["train"]["model"]["init"] = json!({"normal": {"std": -1.0}});
    std::fs::write(&path, config.to_string()).expect("write");
    let out = plaindnn(&[
        "predict",
        "--run",
        run.to_str().unwrap_or(""),
        "--input",
        "0.5,0.5",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // and a run copying every layer of it draws no weight from that spread: not refused
    let from = ["--init-from", run.to_str().unwrap_or("")];
    train_with(&dir, "tuned", &from).expect("every layer copied");
    let fine = write("fine.json", "\u{feff}{\"batch_size\": 16}"); // a BOM is read past
    let err = refused(&fine, &["--freeze", "1"]);
    assert!(err.starts_with("error: invalid --freeze"), "{err}");
    // a rule the file breaks with the network its init_from reads is the file's too
    let source = dir.join("source");
    train_with(&dir, "source", &["--hidden", "4,4"]).expect("the source trains");
    let from = serde_json::to_string(source.to_str().unwrap_or("")).expect("a string");
    let freeze = write(
        "freeze.json",
        &format!(r#"{{"init_from": {from}, "freeze": 3}}"#),
    );
    let err = refused(&freeze, &[]);
    let want = format!("error: {freeze}: invalid `freeze`: the network has 2 hidden layers, got 3");
    assert!(err.starts_with(&want), "{err}");
    // a wrong value after flag text the merge parsed is named by its key, not by that text
    let late = write(
        "late.json",
        r#"{"model": {"hidden": [4, 4], "activations": ["relu", "tanh"]}, "batch_size": "x"}"#,
    );
    let err = refused(&late, &[]);
    assert!(
        err.contains("`batch_size`: invalid type: string \"x\""),
        "{err}"
    );
    let one = write(
        "one.json",
        r#"{"model": {"hidden": [4, 4], "activations": ["relu"]}}"#,
    );
    let err = refused(&one, &[]);
    let want = format!("{one}: invalid `model.activations`: 1 activation for 2 hidden layers;");
    assert!(err.contains(&want), "{err}");
    // the file's two activations and a flag's one hidden layer: the message says both took part
    let two = write(
        "two.json",
        r#"{"model": {"hidden": [3, 3], "activations": [{"name": "relu"}, {"name": "tanh"}]}}"#,
    );
    let err = refused(&two, &["--hidden", "5"]);
    assert!(
        err.contains("2 activations for 1 hidden layer;")
            && err.contains(&format!(
                "(the flags given over --config {two}, which sets `model.activations`)"
            )),
        "{err}"
    );
    // one for all and one per layer: the per-layer one trained, the other ignored without a word
    let both = write(
        "both.json",
        r#"{"model": {"hidden": [3], "activation": "tanh", "activations": ["relu"]}}"#,
    );
    let err = refused(&both, &[]);
    let want = format!("error: {both}: `model` gives \"activation\" and \"activations\"");
    assert!(err.starts_with(&want), "{err}");
    // a run records its first activation per layer as the one for all: its config reused whole
    // trains without a word, and with that one edited says it is unused (an outside audit:
    // ignored without a word)
    let args = ["--hidden", "4,4", "--activation", "relu,sigmoid"];
    let mut whole = train_with(&dir, "per-layer", &args).expect("trains")["train"].clone();
    assert_eq!(
        whole["model"]["activation"],
        whole["model"]["activations"][0]
    );
    let reuse = |name: &str, file: &str| {
        let run = dir.join(name).display().to_string();
        let args = [
            "train", "-q", "--epochs", "1", "--config", file, "--out", &run,
        ];
        let out = plaindnn(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let same = write("same.json", &whole.to_string());
    assert!(!reuse("same", &same).contains("not used"));
    // a run of before that recorded the default relu beside its list: not called an edit
    let mut older = whole.clone();
    older["model"]["activations"] = json!([{"name": "tanh"}, {"name": "sigmoid"}]);
    older["model"]["activation"] = json!({"name": "relu"});
    let older = write("older.json", &older.to_string());
    assert!(!reuse("older", &older).contains("not used"));
    whole["model"]["activation"] = json!({"name": "tanh"});
    let edited = write("edited.json", &whole.to_string());
    let want = format!(
        "warning: {edited}: `model.activation` (tanh) is not used: `model.activations` gives \
         each hidden layer its own (relu,sigmoid)"
    );
    let said = reuse("edited", &edited);
    assert!(said.contains(&want), "{said}");
    // an activation for no hidden layer, refused as --activation's is (an outside audit)
    let none = write(
        "none.json",
        r#"{"model": {"hidden": [], "activation": "tanh"}}"#,
    );
    let err = refused(&none, &[]);
    let want =
        format!("error: {none}: `model.activation`: the activation follows each hidden layer");
    assert!(err.starts_with(&want), "{err}");
    // a step at the output passes no gradient: refused by key, not Burn's panic (an outside audit)
    let step = write("step.json", r#"{"model": {"output_activation": "step"}}"#);
    let err = refused(&step, &[]);
    assert!(
        err.contains("output_activation: step's slope is 0 wherever it has one")
            && !err.contains("panicked"),
        "{err}"
    );
    // no JSON file at all: the flag is named (a folder; a file of megabytes read for seconds)
    let big = write("big.json", &" ".repeat(3 << 20));
    let folder = dir.display().to_string();
    let endless = "/dev/zero".to_string(); // says 0 bytes, and never ends
    let cases = [
        (&folder, "is a folder;"),
        (&big, "holds 3.0 MiB, and a whole"),
        (&endless, "holds more than 1 MiB, and a whole"),
    ];
    for (file, why) in cases.into_iter().filter(|(f, _)| Path::new(f).exists()) {
        let err = refused(file, &[]);
        let want = format!("error: invalid --config: {file}: {why}");
        assert!(err.starts_with(&want), "{err}");
    }
}

#[test]
fn a_config_files_init_from_reads_the_architecture_and_its_init_is_refused_where_unused() {
    let dir = temp_dir("flags-config-init-from");
    let source = dir.join("source");
    let made = plaindnn(&[
        "train",
        "--hidden",
        "8,6",
        "--epochs",
        "1",
        "-q",
        "--out",
        source.to_str().unwrap_or(""),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).expect("write");
        dir.join(name).display().to_string()
    };
    let from = serde_json::to_string(source.to_str().unwrap_or("")).expect("a string");
    // as --init-from: the source's 8, 6 hidden layers, not the default's one of 50
    let part = write("from.json", format!(r#"{{"init_from": {from}}}"#));
    let saved = train_with(&dir, "tuned", &["--config", &part]).expect("trains");
    assert_eq!(saved["train"]["model"]["hidden"], json!([8, 6]));
    // every layer copied: an init the file asks for would start nothing, as --init would not
    let init = write(
        "init.json",
        format!(r#"{{"init_from": {from}, "model": {{"init": "he_normal"}}}}"#),
    );
    let err = train_with(&dir, "init", &["--config", &init]).expect_err("refused");
    assert!(
        err.contains("invalid --config's model.init: with --init-from"),
        "{err}"
    );
    // other hidden layers than the copied ones: the file's, or the flag's over it, named
    let other = write(
        "other.json",
        format!(r#"{{"init_from": {from}, "model": {{"hidden": [4]}}}}"#),
    );
    let err = train_with(&dir, "other", &["--config", &other]).expect_err("refused");
    let copied = "has the hidden layers 8,6 and every one is copied, but";
    assert!(err.contains("other.json: invalid init-from: "), "{err}");
    assert!(
        err.contains(&format!("{copied} its `model.hidden` asks for 4")),
        "{err}"
    );
    let err = train_with(&dir, "flag", &["--config", &part, "--hidden", "8"]).expect_err("refused");
    assert!(
        err.contains(&format!("{copied} --hidden asks for 8: leave")),
        "{err}"
    );
    // --hidden over the file's other layers decides: the source's again is fine
    let saved = train_with(&dir, "over", &["--config", &other, "--hidden", "8,6"]).expect("trains");
    assert_eq!(saved["train"]["model"]["hidden"], json!([8, 6]));
    // an empty init_from: named by its key (an outside audit saw "run directory : does not exist")
    let empty = write("empty.json", r#"{"init_from": ""}"#.into());
    let err = train_with(&dir, "empty", &["--config", &empty]).expect_err("refused");
    assert!(
        err.contains(
            "empty.json: `init_from`: is empty: give a run directory or a .safetensors file"
        ),
        "{err}"
    );
    // a tuned run's own config reused whole starts as it did; its init edited is refused as a
    // part's is (an outside audit: ignored, and recorded in config.json as if it had been used)
    let mut whole = common::run_config(&dir.join("tuned"))["train"].clone();
    let same = write("whole.json", whole.to_string());
    train_with(&dir, "whole", &["--config", &same]).expect("the run's own config");
    whole["model"]["init"] = json!("he_normal");
    let edited = write("edited.json", whole.to_string());
    let err = train_with(&dir, "edited", &["--config", &edited]).expect_err("refused");
    assert!(
        err.contains("invalid --config's model.init: with --init-from"),
        "{err}"
    );
    // a relative init_from (from the working folder) is saved absolute, as the flag's is, so that
    // a --resume from elsewhere still finds it (an outside audit found it saved as written)
    let relative = write("relative.json", r#"{"init_from": "source"}"#.into());
    let out = std::process::Command::new(common::bin())
        .current_dir(&dir)
        .args([
            "train", "-q", "--epochs", "1", "--config", &relative, "--out", "rel",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let absolute = std::fs::canonicalize(&source).expect("the source");
    let saved = common::run_config(&dir.join("rel"))["train"]["init_from"].clone();
    assert_eq!(saved, json!(absolute.to_str()));
}

#[test]
fn a_config_file_is_read_strictly_and_the_flags_and_presets_over_it_apply_whole() {
    let dir = temp_dir("flags-config-file");
    train_with(&dir, "base", &["--seed", "7"]).expect("the base run");
    // a key the file misspells is refused by name, not ignored
    let typo = config_file(&dir, "typo.json", |c| c["model"]["dropuot"] = json!(0.5));
    let err = train_with(&dir, "typo", &["--config", &typo]).expect_err("refused");
    assert!(err.contains("unknown field `dropuot`"), "{err}");
    // so is a parameter beside a name that takes none (serde's derive would drop it)
    for (part, value, key) in [
        ("schedule", json!({"kind": "constant", "every": 5}), "every"),
        ("model", json!({"name": "relu", "slope": 0.1}), "slope"),
    ] {
        let file = config_file(&dir, "extra.json", |c| match part {
            "schedule" => c["schedule"] = value.clone(),
            _ => c["model"]["activation"] = value.clone(),
        });
        let err = train_with(&dir, "extra", &["--config", &file]).expect_err("refused");
        assert!(err.contains(&format!("unknown field `{key}`")), "{err}");
    }
    // a network without hidden layers trains, and what follows hidden layers is refused with it
    let linear = config_file(&dir, "linear.json", |c| c["model"]["hidden"] = json!([]));
    train_with(&dir, "linear", &["--config", &linear]).expect("a linear model trains");
    for (flags, message) in [
        (
            &["--dropout", "0.5"][..],
            "invalid --dropout: dropout follows each hidden layer",
        ),
        (
            &["--batch-norm"][..],
            "invalid --batch-norm: BatchNorm follows each hidden layer",
        ),
        (
            &["--activation", "tanh"][..],
            "invalid --activation: the activation follows",
        ),
    ] {
        let args = [&["--config", linear.as_str()][..], flags].concat();
        let err = train_with(&dir, "linear-refused", &args).expect_err("refused");
        assert!(err.contains(message), "{flags:?}: {err}");
    }
    // a whole run's config.json is named as such
    let whole = dir.join("base").join("config.json");
    let err = train_with(&dir, "whole", &["--config", whole.to_str().unwrap_or("")]);
    assert!(err
        .expect_err("refused")
        .contains("pass its \"train\" part"));
    // a file that is not JSON is told the way on
    let toml = dir.join("c.toml");
    std::fs::write(&toml, "epochs = 3\n").expect("write");
    let err = train_with(&dir, "toml", &["--config", toml.to_str().unwrap_or("")]);
    assert!(err.expect_err("refused").contains("--config takes JSON"));
    // the file's seed draws the data too: the run it came from, again
    let same = config_file(&dir, "same.json", |_| {});
    train_with(&dir, "again", &["--config", &same]).expect("trains");
    let metrics = |run: &str| std::fs::read_to_string(dir.join(run).join("metrics.csv"));
    assert_eq!(
        metrics("again").expect("metrics"),
        metrics("base").expect("metrics")
    );
    // --no-restore-best over a file without early stopping has nothing to change: refused, as
    // beside --no-early-stopping (it trained, the flag without effect); --patience switches it on
    let no_es = config_file(&dir, "no-es.json", |c| c["early_stopping"] = Value::Null);
    let err = train_with(&dir, "no-es", &["--config", &no_es, "--no-restore-best"]);
    let want = format!("invalid --no-restore-best: {no_es} turns early stopping off");
    assert!(
        err.as_ref().expect_err("refused").contains(&want),
        "{err:?}"
    );
    let args = ["--config", &no_es, "--no-restore-best", "--patience", "3"];
    let saved = train_with(&dir, "no-es", &args).expect("trains");
    assert_eq!(
        saved["train"]["early_stopping"],
        json!({"patience": 3, "min_delta": 1e-4, "restore_best_weights": false})
    );
    // --checkpoint-interval over a file that saves every 5 epochs replaces it
    let every = config_file(&dir, "every.json", |c| {
        (c["checkpoint_every"], c["checkpoint_interval"]) = (json!(5), Value::Null)
    });
    let saved = train_with(
        &dir,
        "every",
        &["--config", &every, "--checkpoint-interval", "2"],
    );
    let saved = saved.expect("trains");
    assert_eq!(saved["train"]["checkpoint_every"], json!(1));
    assert_eq!(saved["train"]["checkpoint_interval"], json!(2.0));
    // a preset's activation replaces the file's per-layer list too
    let layers = config_file(&dir, "layers.json", |c| {
        c["model"]["hidden"] = json!([8, 8]);
        c["model"]["activations"] = json!([{"name": "tanh"}, {"name": "tanh"}]);
    });
    let saved = train_with(
        &dir,
        "layers",
        &["--config", &layers, "--preset", "seed-default"],
    );
    let model = &saved.expect("trains")["train"]["model"];
    assert_eq!(model["activation"]["name"], json!("elu"), "{model}");
    assert!(model.get("activations").is_none(), "{model}");
    // a preset sets the optimizer's kind (and plain its rate), as its flags would: the file's
    // rate under seed-default, its weight decay, momentum and Nesterov stay (an audit saw them
    // reset to 0 without a word), but for the momentum Adam has none of (refused before)
    let sgd = json!({"kind": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": true,
        "weight_decay": 0.01});
    let adamw = json!({"kind": "adamw", "learning_rate": 0.003, "weight_decay": 0.05});
    for (name, file, preset, want) in [
        ("sgd", &sgd, "plain", json!(["sgd", 0.1, 0.9, true, 0.01])),
        (
            "adamw",
            &adamw,
            "seed-default",
            json!(["adam", 0.003, 0.0, false, 0.05]),
        ),
        (
            "momentum",
            &sgd,
            "seed-default",
            json!(["adam", 0.05, 0.0, false, 0.01]),
        ),
    ] {
        let path = config_file(&dir, &format!("{name}.json"), |c| {
            c["optimizer"] = file.clone()
        });
        let saved = train_with(&dir, name, &["--config", &path, "--preset", preset]);
        let optimizer = &saved.expect("trains")["train"]["optimizer"];
        let keys = [
            "kind",
            "learning_rate",
            "momentum",
            "nesterov",
            "weight_decay",
        ];
        let got = Value::from_iter(keys.map(|k| optimizer[k].clone()));
        assert_eq!(got, want, "--preset {preset} over {file}: {optimizer}");
    }
    // a whole file's decay stays under --optimizer adamw, as a part's does (a review saw 0.01)
    let decayed = config_file(&dir, "decayed.json", |c| {
        c["optimizer"]["weight_decay"] = json!(0.05)
    });
    let saved = train_with(
        &dir,
        "decayed",
        &["--config", &decayed, "--optimizer", "adamw"],
    );
    let optimizer = &saved.expect("trains")["train"]["optimizer"];
    assert_eq!(optimizer["weight_decay"], json!(0.05), "{optimizer}");
    // a part that picks AdamW without a decay gets PyTorch's 0.01, as the flag does
    let part = dir.join("adamw-part.json");
    std::fs::write(&part, r#"{"optimizer": {"kind": "adamw"}}"#).expect("write");
    let saved = train_with(
        &dir,
        "adamw-part",
        &["--config", part.to_str().unwrap_or("")],
    );
    let optimizer = &saved.expect("trains")["train"]["optimizer"];
    assert_eq!(optimizer["weight_decay"], json!(0.01), "{optimizer}");
    // a decay of 0 given is a choice, as PyTorch's AdamW(weight_decay=0)
    let saved = train_with(
        &dir,
        "adamw-0",
        &["--optimizer", "adamw", "--weight-decay", "0"],
    );
    let optimizer = &saved.expect("trains")["train"]["optimizer"];
    assert_eq!(optimizer["weight_decay"], json!(0.0), "{optimizer}");
}

/// What one `regress` flag must do.
enum Effect {
    /// The `--json` result differs at this pointer from the same command without the flag.
    Changes(&'static str),
    /// The `--json` result holds this value.
    Gives(&'static str, Value),
    /// Exit code 1 and a message containing this.
    Refuses(&'static str),
    /// Checked by every case here (`--out`, `--json`), or clap's own (`--help`).
    Always,
    /// Checked by the named test, which drives the flag through the binary.
    Elsewhere(&'static str),
}

/// `(flag, a regress command using it, what must happen)`; `NUM` is a CSV of numbers (60 rows),
/// `NUMSEMI` the same separated by semicolons.
fn regress_cases() -> Vec<(&'static str, Vec<&'static str>, Effect)> {
    use Effect::*;
    let gd = ["--dataset", "line", "--method", "gd"];
    let with_gd = |more: &[&'static str]| [gd.as_slice(), more].concat();
    vec![
        (
            "--data",
            vec!["--data", "NUM"],
            Gives("/rows/train", json!(60)),
        ),
        (
            "--dataset",
            vec!["--dataset", "cubic"],
            Changes("/coefficients"),
        ),
        (
            "--dataset",
            vec!["--dataset", "quadrants"],
            Refuses("`quadrants` is a classification set; regress fits numbers: line or cubic"),
        ),
        (
            "--target",
            vec!["--data", "NUM", "--target", "a"],
            Changes("/equation"),
        ),
        (
            "--target",
            vec!["--dataset", "line", "--target", "a"],
            Refuses("--target"),
        ),
        (
            "--features",
            vec!["--data", "NUM", "--features", "a"],
            Changes("/equation"),
        ),
        (
            "--delimiter",
            vec!["--data", "NUMSEMI", "--delimiter", ";"],
            Gives("/rows/train", json!(60)),
        ),
        (
            "--delimiter",
            vec!["--data", "NUMSEMI", "--delimiter", ","],
            Refuses("--delimiter ';'"),
        ),
        (
            "--decimal",
            vec!["--data", "NUMCOMMA", "--decimal", ","],
            Gives("/rows/train", json!(60)),
        ),
        (
            "--decimal",
            vec!["--data", "NUMSEMI", "--decimal", ","],
            Refuses("holds a point; --decimal ','"),
        ),
        (
            "--val-fraction",
            vec!["--data", "NUM", "--val-fraction", "0.25"],
            Gives("/rows/validation", json!(15)),
        ),
        (
            "--val-data",
            vec!["--data", "NUM", "--val-data", "NUM"],
            Gives("/rows/validation", json!(60)),
        ),
        (
            "--degree",
            vec!["--dataset", "cubic", "--degree", "3"],
            Changes("/equation"),
        ),
        (
            "--degree",
            vec!["--dataset", "cubic", "--degree", "0"],
            Refuses("--degree"),
        ),
        (
            "--interactions",
            vec!["--data", "NUM", "--degree", "2", "--interactions"],
            Changes("/equation"),
        ),
        (
            "--interactions",
            vec!["--data", "NUM", "--interactions"],
            Refuses("--interactions"),
        ),
        (
            "--ridge",
            vec!["--dataset", "line", "--ridge", "50"],
            Changes("/coefficients"),
        ),
        (
            "--ridge",
            with_gd(&["--ridge", "50"]),
            Changes("/coefficients"),
        ),
        (
            "--method",
            vec!["--dataset", "line", "--method", "gd"],
            Changes("/coefficients"),
        ),
        (
            "--iterations",
            with_gd(&["--iterations", "10"]),
            Changes("/coefficients"),
        ),
        (
            "--iterations",
            vec!["--dataset", "line", "--iterations", "10"],
            Refuses("--iterations"),
        ),
        (
            "--lr",
            with_gd(&["--lr", "0.01", "--iterations", "50"]),
            Changes("/coefficients"),
        ),
        (
            "--lr",
            vec!["--dataset", "line", "--lr", "0.01"],
            Refuses("--lr"),
        ),
        (
            "--seed",
            vec!["--dataset", "line", "--seed", "7"],
            Changes("/coefficients"),
        ),
        (
            "--seed",
            vec!["--data", "NUM", "--seed", "7"],
            Refuses("--seed"),
        ),
        ("--out", vec![], Always),
        (
            "--overwrite",
            vec![],
            Elsewhere("tests/run_dirs.rs::train_and_regress_refuse_each_others_directories_unless_told_to_overwrite"),
        ),
        ("--json", vec![], Always),
        ("--help", vec![], Always),
    ]
}

/// `args` without `flag` (and its value, if it takes one).
fn without(args: &[&str], flag: &str) -> Vec<String> {
    let mut kept = Vec::new();
    let mut skip_value = false;
    for (i, a) in args.iter().enumerate() {
        if skip_value {
            skip_value = false;
        } else if *a == flag {
            skip_value = args.get(i + 1).is_some_and(|v| !v.starts_with("--"));
        } else {
            kept.push(a.to_string());
        }
    }
    kept
}

#[test]
fn every_regress_flag_takes_effect_or_is_refused_where_it_cannot_apply() {
    use Effect::*;
    let cases = regress_cases();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let listed = listed_flags("regress");
    let missing: Vec<_> = listed.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "flags of `regress` with no case here: {missing:?}"
    );
    let dir = temp_dir("flags-regress");
    let mut csv = String::from("a,b,y\n");
    for i in 0..60 {
        let (a, b) = ((i % 7) as f64 - 3.0, (i % 5) as f64 * 0.5);
        csv += &format!("{a},{b},{}\n", 2.0 * a - b + a * b + 0.1 * (i % 3) as f64);
    }
    let (num, semi) = (dir.join("num.csv"), dir.join("num-semi.csv"));
    std::fs::write(&num, &csv).expect("csv");
    std::fs::write(&semi, csv.replace(',', ";")).expect("csv");
    let comma = dir.join("num-comma.csv");
    std::fs::write(&comma, csv.replace(',', ";").replace('.', ",")).expect("csv");
    let file = |a: &str| match a {
        "NUM" => num.display().to_string(),
        "NUMSEMI" => semi.display().to_string(),
        "NUMCOMMA" => comma.display().to_string(),
        other => other.to_string(),
    };
    let run = |i: usize, args: &[String]| {
        let out_dir = dir.join(format!("case-{i}"));
        let mut argv = vec!["regress".to_string(), "--json".into(), "--out".into()];
        argv.push(out_dir.display().to_string());
        argv.extend(args.iter().map(|a| file(a)));
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        plaindnn(&argv)
    };
    for (i, (flag, args, effect)) in cases.iter().enumerate() {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match effect {
            Always => {}
            Elsewhere(test) => {
                let (file, name) = test.split_once("::").unwrap_or_default();
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                let text = std::fs::read_to_string(&path).expect("the covering test's file");
                assert!(
                    text.contains(&format!("fn {name}()")),
                    "{flag}: no test {test}"
                );
            }
            Refuses(message) => {
                let out = run(i, &args);
                // 1 for plaindnn's checks, 2 for clap's conflicts
                let code = out.status.code();
                assert!(
                    matches!(code, Some(1 | 2)),
                    "{flag} {args:?} must be refused"
                );
                assert!(
                    stderr(&out).contains(message),
                    "{flag} {args:?}: {}",
                    stderr(&out)
                );
            }
            Gives(pointer, value) => {
                let result = common::json(&run(i, &args));
                assert_eq!(
                    result.pointer(pointer),
                    Some(value),
                    "{flag} {args:?}: {result}"
                );
            }
            Changes(pointer) => {
                let with = common::json(&run(i, &args));
                let plain: Vec<&str> = args.iter().map(String::as_str).collect();
                let without = common::json(&run(i + 1000, &without(&plain, flag)));
                assert_ne!(
                    with.pointer(pointer),
                    without.pointer(pointer),
                    "{flag} {args:?}"
                );
            }
        }
    }
}

/// A review found `--preset seed-default` over a config without hidden layers refused as
/// `invalid dropout`, a flag never given: the preset is what added it.
#[test]
fn a_preset_adding_dropout_to_a_network_without_hidden_layers_is_named() {
    let dir = temp_dir("flags-preset-no-hidden");
    let run = dir.join("run");
    let first = plaindnn(&[
        "train",
        "--epochs",
        "1",
        "-q",
        "--out",
        run.to_str().unwrap_or(""),
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = std::fs::read_to_string(run.join("config.json")).expect("config");
    let mut config: Value = serde_json::from_str(&text).expect("json");
    config["train"]["model"]["hidden"] = json!([]);
    let file = dir.join("no-hidden.json");
    std::fs::write(&file, config["train"].to_string()).expect("write");
    let file = file.to_str().unwrap_or("");
    let base = [
        "train",
        "--config",
        file,
        "--epochs",
        "1",
        "-q",
        "--preset",
        "seed-default",
    ];
    let out = plaindnn(&base);
    assert_eq!(out.status.code(), Some(1));
    let said = "invalid --preset: adds BatchNorm and Dropout after each hidden layer";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // a --dropout given by the user is named by its flag
    let out = plaindnn(&[&base[..], &["--dropout", "0.1"]].concat());
    assert!(
        stderr(&out).contains("invalid --dropout"),
        "{}",
        stderr(&out)
    );
    // `--dropout 0` adds nothing: the preset's BatchNorm stays the preset's (an audit: it was
    // named `batch-norm`, a flag never given, which no flag takes out)
    let out = plaindnn(&[&base[..], &["--dropout", "0"]].concat());
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

/// An outside audit: a run's config.json (which records its optimizer's weight decay, Adam's 0
/// or AdamW's 0.01) as `--config` with `--optimizer adamw` trained AdamW without decay, and an
/// AdamW run's with `--optimizer adam` an Adam with an L2 of 0.01, silently. The two read the
/// decay otherwise: refused, with the way on; `--weight-decay` says which.
#[test]
fn a_config_files_weight_decay_under_an_optimizer_reading_it_otherwise_is_refused() {
    let dir = temp_dir("flags-decay-kind");
    train_with(&dir, "base", &[]).expect("the base run");
    let adam = config_file(&dir, "adam.json", |_| {});
    let adamw = config_file(&dir, "adamw.json", |c| {
        c["optimizer"]["kind"] = json!("adamw");
        c["optimizer"]["weight_decay"] = json!(0.01);
    });
    let cases = [
        (&adam, "--optimizer", "adamw", "gives adam's weight decay 0 (an L2 term in the gradient), and adamw's is decoupled from the gradient: give --weight-decay too (adamw's default is 0.01)"),
        (&adamw, "--optimizer", "sgd", "gives adamw's weight decay 0.01 (decoupled from the gradient), and sgd's is an L2 term in the gradient: give --weight-decay too (sgd's default is 0)"),
        (&adamw, "--preset", "seed-default", "gives adamw's weight decay 0.01"),
    ];
    for (file, flag, value, says) in cases {
        let err = train_with(&dir, "out", &["--config", file, flag, value]).expect_err("refused");
        assert!(
            err.contains(&format!("invalid {flag}: {file} {says}")),
            "{err}"
        );
        let given = ["--config", file, flag, value, "--weight-decay", "0.02"];
        let run = train_with(&dir, "out", &[&given[..], &["--overwrite"]].concat());
        let run = run.expect("--weight-decay says which");
        assert_eq!(run["train"]["optimizer"]["weight_decay"], json!(0.02));
    }
    // between two that read it alike, the file's decay stands
    let run = train_with(
        &dir,
        "out",
        &["--config", &adam, "--optimizer", "sgd", "--overwrite"],
    );
    assert_eq!(
        run.expect("trains")["train"]["optimizer"]["weight_decay"],
        json!(0.0)
    );
}

/// An outside audit: `--preset` over a `--config` file replaced what the file set (its
/// optimizer, momentum, activation, initialisation) without a word, where a flag over the file's
/// momentum is refused. Documented, and now said: the keys the preset replaced, less those a
/// flag set after it.
#[test]
fn a_preset_over_a_config_file_says_which_of_the_files_settings_it_replaced() {
    let dir = temp_dir("flags-preset-over-file");
    let file = dir.join("sgd.json");
    let text = r#"{"optimizer": {"kind": "sgd", "momentum": 0.9, "nesterov": true},
                   "model": {"activation": "tanh", "init": "xavier_uniform"}}"#;
    std::fs::write(&file, text).expect("written");
    let file = file.to_str().unwrap_or("");
    let base = [
        "--config",
        file,
        "--preset",
        "seed-default",
        "--hidden",
        "4",
    ];
    let run = |extra: &[&str]| {
        let args = [
            &["train", "--dataset", "xor", "--epochs", "1", "-q"][..],
            &base,
            extra,
        ];
        let out = plaindnn(
            &[
                &args.concat()[..],
                &["--out", dir.join("r").to_str().unwrap_or("")],
            ]
            .concat(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let said = run(&["--overwrite"]);
    let replaced = format!(
        "warning: --preset seed-default replaces what {file} sets for model.activation, \
         model.init, optimizer.kind, optimizer.momentum and optimizer.nesterov: leave the \
         preset out to keep the file's, or give their flags"
    );
    assert!(said.contains(&replaced), "{said}");
    let said = run(&["--overwrite", "--activation", "tanh"]);
    assert!(
        said.contains("sets for model.init, optimizer.kind"),
        "{said}"
    );
    // a flag that gives the preset's own value is the flag's (a review: it was listed)
    let said = run(&["--overwrite", "--init", "he_normal"]);
    assert!(
        said.contains("sets for model.activation, optimizer.kind"),
        "{said}"
    );
    // a per-layer list the preset clears, which its JSON leaves out (a review: not said)
    let layers = dir.join("layers.json");
    let text = r#"{"model": {"hidden": [4, 4], "activations": ["tanh", "relu"]}}"#;
    std::fs::write(&layers, text).expect("written");
    let layers = layers.to_str().unwrap_or("");
    let args = [
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "1",
        "-q",
        "--config",
        layers,
    ];
    let out = dir.join("l");
    let plain = ["--preset", "plain", "--out", out.to_str().unwrap_or("")];
    let said = stderr(&plaindnn(&[&args[..], &plain].concat()));
    let replaced = format!("--preset plain replaces what {layers} sets for model.activations");
    assert!(said.contains(&replaced), "{said}");
}
