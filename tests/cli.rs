//! The `plaindnn` binary as a user runs it: the README's commands work, bad input fails clearly.

mod common;

use common::{json, plaindnn, plaindnn_in, refused, run_config, stderr, stdout, temp_dir};

#[test]
fn worked_example_prints_46_and_0() {
    let out = plaindnn(&["worked-example"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("y1 = 46, y2 = 0"), "{}", stdout(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_under_standard_output_is_an_error_not_a_panic() {
    let run_parent = temp_dir("cli-full-disk");
    let run = run_parent.join("run");
    // the first two write through one checked call, the others print line by line
    for args in [
        vec!["completions", "bash"],
        vec!["datasets", "--json"],
        vec!["datasets"],
        vec!["worked-example"],
        vec![
            "train",
            "--epochs",
            "2",
            "--out",
            run.to_str().unwrap_or(""),
        ],
        // clap writes these, and exited 0 whatever its write gave (an outside audit)
        vec!["--help"],
        vec!["train", "--help"],
        vec!["--version"],
    ] {
        let out = std::process::Command::new(common::bin())
            .args(&args)
            .stdout(full())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("standard output: No space left"),
            "{}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // standard error full as well: nothing can be said, but the status says it (101 was a panic)
    for args in [vec!["summary", "--run", "no-such-run"], vec!["--version"]] {
        let out = std::process::Command::new(common::bin())
            .args(&args)
            .stdout(full())
            .stderr(full())
            .status()
            .expect("runs");
        assert_eq!(out.code(), Some(1), "{args:?}");
    }
    // a usage error keeps clap's status, 2, its message unwritten as well
    let out = std::process::Command::new(common::bin())
        .args(["train", "--bogus"])
        .stderr(full())
        .status()
        .expect("runs");
    assert_eq!(out.code(), Some(2));
}

/// `/dev/full`, for writing: every write fails with "No space left on device".
fn full() -> std::fs::File {
    (std::fs::OpenOptions::new().write(true).open("/dev/full")).expect("/dev/full")
}

#[test]
fn the_closing_line_names_the_epoch_whose_weights_were_saved() {
    let dir = temp_dir("cli-closing-line");
    let run = |name: &str, extra: &[&str]| {
        let out_dir = dir.join(name);
        let mut args = vec!["train", "--epochs", "5", "--lr", "0.3", "--out"];
        args.push(out_dir.to_str().unwrap_or(""));
        args.extend(extra);
        let out = plaindnn(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let eval = json(&plaindnn(&[
            "eval",
            "--run",
            out_dir.to_str().unwrap_or(""),
            "--json",
        ]));
        (
            stdout(&out),
            eval["scores"]["loss"].as_f64().unwrap_or(f64::NAN),
        )
    };
    // val_loss bounces at lr 0.3: epoch 2 is the best of five (0.1765), epoch 5 the last (0.4301)
    let (restored, loss) = run("restored", &[]);
    assert!(
        restored.contains("best epoch 2: val_loss 0.1765; weights in"),
        "{restored}"
    );
    assert!(
        (loss - 0.1765).abs() < 1e-4,
        "eval scores the saved model: {loss}"
    );
    let (last, loss) = run("last", &["--no-early-stopping"]);
    assert!(
        last.contains("last epoch 5: val_loss 0.4301 (best epoch 2: 0.1765); weights in"),
        "{last}"
    );
    assert!(
        (loss - 0.4301).abs() < 1e-4,
        "eval scores the saved model: {loss}"
    );
}

#[test]
fn train_then_predict_eval_and_summary_work_from_the_run_directory_alone() {
    let dir = temp_dir("cli-e2e");
    let run = dir.to_str().expect("utf-8 path");
    let out = plaindnn(&["train", "--out", run, "--epochs", "60"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stdout(&out);
    assert!(
        log.lines()
            .any(|l| l.starts_with("epoch  1/60  train_loss")),
        "one line per epoch:\n{log}"
    );
    assert!(
        !log.contains("Progress"),
        "no per-batch debug lines:\n{log}"
    );
    for file in ["config.json", "model.bpk", "metrics.csv"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }

    let out = plaindnn(&["predict", "--run", run, "--input", "2,2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("→ quadrant I "), "{}", stdout(&out));

    let p = json(&plaindnn(&[
        "predict", "--run", run, "--input", "2,2", "--json",
    ]));
    assert_eq!(p["predictions"][0]["class"], "I");
    assert_eq!(
        p["predictions"][0]["probabilities"]
            .as_array()
            .map(|a| a.len()),
        Some(4)
    );
    // the classes in the probabilities' order, as scikit-learn's classes_: the largest is "I"
    assert_eq!(p["classes"], serde_json::json!(["I", "II", "III", "IV"]));
    let probabilities: Vec<f64> = (p["predictions"][0]["probabilities"].as_array())
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    let largest =
        (0..probabilities.len()).max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    assert_eq!(
        largest.map(|i| p["classes"][i].clone()),
        Some(serde_json::json!("I"))
    );

    let e = json(&plaindnn(&["eval", "--run", run, "--json"]));
    assert!(e["scores"]["accuracy"].as_f64().unwrap_or(0.0) > 0.9, "{e}");
    assert_eq!(e["classes"], p["classes"], "the confusion matrix's order");
    assert_eq!(e["confusion"].as_array().map(Vec::len), Some(4));

    let summary = json(&plaindnn(&["summary", "--run", run, "--json"]));
    assert_eq!(summary["summary"]["total_params"], 354);

    let csv = dir.join("points.csv");
    std::fs::write(&csv, "x,y\n2,2\n-3,0.5\n").expect("write csv");
    let preds = dir.join("predictions.csv");
    let out = plaindnn(&[
        "predict",
        "--run",
        run,
        "--data",
        csv.to_str().unwrap_or(""),
        "--output",
        preds.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&preds).expect("predictions.csv");
    assert!(
        written.starts_with("x,y,predicted_quadrant,p_I,p_II,p_III,p_IV\n2,2,I,"),
        "{written}"
    );
    assert!(written.contains("\n-3,0.5,II,"), "{written}");
}

#[test]
fn an_unknown_activation_lists_the_valid_ones() {
    let out = plaindnn(&["train", "--activation", "swish"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("unknown activation `swish`"), "{err}");
    assert!(err.contains("relu") && err.contains("elu"), "{err}");
}

#[test]
fn a_dropout_of_one_and_a_half_is_refused_with_its_value() {
    let dir = temp_dir("cli-dropout");
    refused(
        &[
            "train",
            "--dropout",
            "1.5",
            "--out",
            dir.to_str().unwrap_or(""),
        ],
        "invalid --dropout: must be in [0, 1), got 1.5",
    );
    assert!(
        !dir.join("config.json").exists(),
        "nothing is written for a bad config"
    );
}

#[test]
fn a_missing_run_directory_is_an_error_not_a_panic() {
    let out = plaindnn(&["predict", "--run", "/nonexistent/run", "--input", "2,2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("run directory /nonexistent/run: does not exist"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_wrong_number_of_inputs_is_named() {
    let dir = temp_dir("cli-inputs");
    let run = dir.to_str().unwrap_or("");
    assert!(
        plaindnn(&["train", "--out", run, "--epochs", "2", "--quiet"])
            .status
            .success()
    );
    refused(
        &["predict", "--run", run, "--input", "1,2,3"],
        "invalid --input: the model takes 2 values (x, y), got 3",
    );
    // a file to write into a folder that is not there: named with its flag, nothing made
    let missing = dir.join("no-such-folder");
    let (csv, weights) = (missing.join("p.csv"), missing.join("m.safetensors"));
    let s = |p: &std::path::Path| p.to_str().unwrap_or("").to_string();
    for (args, flag) in [
        (
            vec![
                "predict",
                "--run",
                run,
                "--input",
                "1,2",
                "--output",
                &s(&csv),
            ],
            "--output",
        ),
        (vec!["export", "--run", run, "--out", &s(&weights)], "--out"),
    ] {
        let out = plaindnn(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains(&format!("invalid {flag}: "))
                && stderr(&out).contains(&format!("there is no folder {}", s(&missing))),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!missing.exists(), "no folder made for a refused file");
    // a name ending in `/` is a folder's, there or not: it gave the system's "Not a directory"
    let checkpoints = format!("{run}/checkpoint/"); // not "a file of the run" (a review)
    let folders = [
        format!("{}/", s(&missing)),
        format!("{}/.", s(&dir)),
        checkpoints,
    ];
    for out in folders {
        let args = ["export", "--run", run, "--out", &out];
        let said = format!("invalid --out: {out} names a folder, not a file: name a file");
        refused(&args, &said);
    }
    assert!(!missing.exists(), "no folder made for a refused file");
    // each refusal says what is wrong with the value, as a CSV cell's does
    // named by its column (an outside audit found neither the column nor a decimal comma's way)
    for (input, why) in [
        ("1,abc", "column `y`: `abc` is not a number"),
        (
            "1,NaN",
            "column `y`: `NaN` marks a missing value (only a network trained with --impute",
        ),
        ("1,", "column `y`: the value is empty"),
        (
            "1e40,1",
            "column `x`: `1e40` is beyond the range of f32 (±3.4e38)",
        ),
        (
            "\"0,5\",1",
            "column `x`: `0,5` is not a number (a decimal comma? write 0.5)",
        ),
    ] {
        let out = plaindnn(&["predict", "--run", run, "--input", input]);
        assert_eq!(out.status.code(), Some(1), "{input}");
        assert!(stderr(&out).contains(why), "{input}: {}", stderr(&out));
    }
}

/// A review found `--seed -1` answered "unexpected argument '-1' found", naming no flag.
#[test]
fn a_negative_number_for_a_count_is_named_by_its_flag() {
    for (verb, flag, value) in [
        ("train", "--seed", "-1"),
        ("train", "--epochs", "-3"),
        ("train", "--hidden", "-5"),
        ("playground", "--port", "-1"),
    ] {
        let out = plaindnn(&[verb, flag, value]);
        assert_eq!(out.status.code(), Some(2));
        let said = format!("invalid value '{value}' for '{flag}': it takes no negative number");
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    }
    // a list of weights too
    let out = plaindnn(&["train", "--class-weight", "-1,1,1,1", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = "invalid value '-1,1,1,1' for '--class-weight': it takes no negative number";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // a switch before it takes no value: clap's own message stays
    let out = plaindnn(&["train", "--quiet", "-1"]);
    assert!(
        stderr(&out).contains("unexpected argument '-1' found"),
        "{}",
        stderr(&out)
    );
    // an argument that is not UTF-8 beside a mistake: clap's message, not a panic
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let out = std::process::Command::new(common::bin())
            .args(["train", "--data"])
            .arg(std::ffi::OsStr::from_bytes(b"d\xff.csv"))
            .arg("--bogus")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn an_unknown_backend_lists_the_valid_ones() {
    let out = plaindnn(&["train", "--backend", "cuda"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("valid choices: auto, flex, ndarray, wgpu"),
        "{}",
        stderr(&out)
    );
}

#[cfg(not(feature = "ndarray"))]
#[test]
fn a_backend_not_compiled_in_names_the_cargo_feature() {
    refused(
        &[
            "train",
            "--backend",
            "ndarray",
            "--out",
            temp_dir("cli-nd").to_str().unwrap_or(""),
        ],
        "rebuild with `--features ndarray`",
    );
}

#[test]
fn the_seed_default_preset_is_the_tutorials_table_and_flags_override_it() {
    let dir = temp_dir("cli-preset");
    let run = dir.to_str().unwrap_or("");
    let out = plaindnn(&[
        "train",
        "--preset",
        "seed-default",
        "--dropout",
        "0.1",
        "--epochs",
        "2",
        "--out",
        run,
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let config = run_config(&dir);
    let model = &config["train"]["model"];
    assert_eq!(model["init"], "he_normal");
    assert_eq!(model["activation"]["name"], "elu");
    assert_eq!(model["batch_norm"], true);
    assert_eq!(model["dropout"], 0.1, "the flag overrides the preset's 0.2");
    assert_eq!(config["train"]["optimizer"]["kind"], "adam");
}

#[test]
fn remedy_flags_land_in_the_saved_config() {
    let dir = temp_dir("cli-remedies");
    let run = dir.to_str().unwrap_or("");
    let out = plaindnn(&[
        "train",
        "--l1",
        "1e-4",
        "--l2",
        "1e-3",
        "--max-norm",
        "3",
        "--clip-global-norm",
        "1",
        "--clip-value",
        "0.5",
        "--lr-schedule",
        "step:5:0.5",
        "--optimizer",
        "sgd",
        "--momentum",
        "0.9",
        "--nesterov",
        "--epochs",
        "2",
        "--out",
        run,
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let config = run_config(&dir);
    let t = &config["train"];
    assert_eq!(t["regularization"]["l1"], 1e-4);
    assert_eq!(t["regularization"]["l2"], 1e-3);
    assert_eq!(t["regularization"]["max_norm"], 3.0);
    assert_eq!(t["clipping"]["global_norm"], 1.0);
    assert_eq!(t["clipping"]["value"], 0.5);
    assert_eq!(t["schedule"]["kind"], "step");
    assert_eq!(t["optimizer"]["nesterov"], true);
}

#[test]
fn a_negative_l2_is_refused_with_its_value() {
    refused(
        &["train", "--l2", "-1", "--quiet"],
        "invalid --l2: must be >= 0, got -1",
    );
}

#[cfg(feature = "wgpu")]
#[test]
fn train_and_predict_run_end_to_end_on_wgpu() {
    let dir = temp_dir("cli-wgpu");
    let run = dir.to_str().unwrap_or("");
    let out = plaindnn(&["train", "--backend", "wgpu", "--epochs", "30", "--out", run]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = plaindnn(&[
        "predict",
        "--run",
        run,
        "--backend",
        "wgpu",
        "--input",
        "2,2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("→ quadrant I "), "{}", stdout(&out));
    let out = plaindnn(&["info"]);
    assert!(stdout(&out).contains("wgpu: "), "{}", stdout(&out));
}

#[test]
fn many_small_classes_hold_out_the_fraction_asked_for_and_a_single_row_class_is_named() {
    // 50 classes of 2 rows and one of 1: 20 % of 101 rows is 20 (one per class made 50)
    let dir = temp_dir("cli-many-classes");
    let csv = dir.join("classes.csv");
    let mut text = String::from("x,y,label\n");
    for i in 0..100 {
        text += &format!("{},{},c{}\n", i % 7, i % 3, i / 2);
    }
    text += "1,2,rare\n";
    std::fs::write(&csv, text).expect("write");
    let run = dir.join("run");
    let (csv, run) = (csv.to_str().expect("utf-8"), run.to_str().expect("utf-8"));
    let out = plaindnn(&[
        "train", "--data", csv, "--epochs", "1", "--out", run, "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("1 class with a single row (`rare`) stays in training"),
        "{said}"
    );
    let scores = json(&plaindnn(&["eval", "--run", run, "--json"]));
    assert_eq!(scores["scores"]["rows"], 20, "{scores}");
}

#[cfg(feature = "wgpu")]
#[test]
fn info_says_wgpu_runs_burns_op_fusion_exactly_when_the_fusion_feature_is_on() {
    // read from Burn's backend type, so a `fusion` feature that no longer reaches Burn fails here
    let info = json(&plaindnn(&["info", "--json"]));
    assert_eq!(info["wgpu_fusion"], cfg!(feature = "fusion"), "{info}");
    let want = if cfg!(feature = "fusion") {
        "op fusion on"
    } else {
        "op fusion off"
    };
    let text = stdout(&plaindnn(&["info"]));
    assert!(text.contains(want), "{text}");
}

#[cfg(feature = "wgpu")]
#[test]
fn without_a_gpu_driver_wgpu_is_a_clear_error_and_auto_falls_back_to_the_cpu() {
    use std::process::Command;
    let hide_drivers = |args: &[&str]| {
        Command::new(common::bin())
            .args(args)
            .env("VK_ICD_FILENAMES", "/nonexistent.json")
            .env("VK_DRIVER_FILES", "/nonexistent.json")
            .output()
            .expect("runs")
    };
    let dir = temp_dir("cli-no-gpu");
    let out = hide_drivers(&[
        "train",
        "--backend",
        "wgpu",
        "--epochs",
        "1",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wgpu found no GPU adapter"),
        "{}",
        stderr(&out)
    );
    let out = hide_drivers(&[
        "train",
        "--epochs",
        "1",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stdout(&out).lines().next().unwrap_or("").to_string();
    assert!(
        first.ends_with("[flex: CPU, no GPU adapter found (a Vulkan, Metal or DX12 driver)]"),
        "built with wgpu, the default is auto, and auto says why it stays on the CPU: {first}"
    );
}

#[cfg(all(unix, feature = "wgpu"))]
#[test]
fn looking_for_a_gpu_without_a_desktop_session_prints_no_wayland_complaint() {
    // Mesa's Vulkan drivers (CI's lavapipe) ask Wayland for a display while wgpu lists adapters;
    // without XDG_RUNTIME_DIR, Wayland printed "error: XDG_RUNTIME_DIR is invalid or not set"
    let dir = temp_dir("cli-no-session");
    for args in [
        vec!["info"],
        vec![
            "train",
            "--epochs",
            "1",
            "--out",
            dir.to_str().unwrap_or(""),
        ],
    ] {
        let out = std::process::Command::new(common::bin())
            .args(&args)
            .env_remove("XDG_RUNTIME_DIR")
            .output()
            .expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("XDG_RUNTIME_DIR"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn built_with_wgpu_train_uses_a_real_gpu_or_names_the_cpu_adapter_it_skipped() {
    let gpus: Vec<_> = plaindnn::backend::wgpu_adapters()
        .into_iter()
        .filter(|a| a.kind != "Cpu")
        .collect();
    let dir = temp_dir("cli-auto-backend");
    let out = plaindnn(&[
        "train",
        "--epochs",
        "1",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stdout(&out).lines().next().unwrap_or("").to_string();
    match gpus.first() {
        Some(gpu) => assert!(
            first.ends_with(&format!(
                "[wgpu: {} ({}), the GPU wgpu found]",
                gpu.name, gpu.api
            )),
            "{first}"
        ),
        // CI's lavapipe is a CPU adapter: slower than flex, so auto does not take it
        None => assert!(
            first.contains("[flex: CPU, no GPU adapter found; --backend wgpu to use"),
            "{first}"
        ),
    }
    assert_eq!(common::run_config(&dir)["train"]["backend"], "auto");
}

#[cfg(not(feature = "wgpu"))]
#[test]
fn built_without_wgpu_train_says_it_runs_on_flex_and_why() {
    let dir = temp_dir("cli-flex-default");
    let out = plaindnn(&[
        "train",
        "--epochs",
        "1",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stdout(&out).lines().next().unwrap_or("").to_string();
    assert!(
        first.starts_with("training 2-50-4 MLP (relu, adam) on quadrants → ")
            && first.ends_with("[flex: CPU, built without the wgpu feature]"),
        "{first}"
    );
}

#[test]
fn the_shipped_pretrained_model_predicts_and_seeds_a_new_run_without_training_first() {
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/artifacts/pretrained/quadrants"
    );
    let out = plaindnn(&["predict", "--run", shipped, "--input", "2,2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("→ quadrant I "), "{}", stdout(&out));
    let dir = temp_dir("cli-pretrained");
    let out = plaindnn(&[
        "train",
        "--dataset",
        "blobs",
        "--init-from",
        shipped,
        "--freeze",
        "1",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        dir.to_str().unwrap_or(""),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "_plaindnn()"),
        ("zsh", "#compdef plaindnn"),
        ("fish", "complete -c plaindnn"),
    ] {
        let out = plaindnn(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..script.len().min(200)]
        );
        assert!(
            script.contains("worked-example") && script.contains("activation"),
            "{shell} knows the verbs and flags"
        );
    }
    // experiment names in bash and zsh (the README says which shells: clap's others complete no
    // positional values)
    // (zsh's as its list of values, `:(linear-collapse …)`: the help text names them too)
    for (shell, values) in [
        ("bash", "linear-collapse activations"),
        ("zsh", ":(linear-collapse activations"),
    ] {
        let script = stdout(&plaindnn(&["completions", shell]));
        assert!(script.contains(values), "{shell}");
    }
    // the values of a flag with a fixed list complete too (they listed the folder's files)
    let bash = stdout(&plaindnn(&["completions", "bash"]));
    for values in [
        "quadrants xor circles spiral blobs line cubic shapes", // --dataset, datasets --export
        "line cubic",                                           // regress --dataset
        "adam adamw sgd rmsprop",
        "auto flex ndarray wgpu",
        "layerwise end-to-end both",
        "lstsq gd",
        "seed-default plain",
        "stop skip-batch",
        "plain seed_default", // bench --variants
    ] {
        assert!(
            bash.contains(&format!("compgen -W \"{values}\"")),
            "{values}"
        );
    }
    assert!(bash.contains("vanishing-gradients"), "experiment names");
    assert!(bash.contains("--help w1 w2 w3 w4\""), "bench's workloads");
}

/// An audit found `summary --backend` and `export --backend` accepted and without effect: they
/// compute nothing, so the flag is refused by name; `predict` and `eval` keep it.
#[test]
fn summary_and_export_refuse_a_backend_they_would_not_use() {
    for verb in ["summary", "export"] {
        let out = plaindnn(&[
            verb,
            "--run",
            "artifacts/pretrained/quadrants",
            "--backend",
            "flex",
        ]);
        assert_eq!(out.status.code(), Some(2), "{verb}");
        assert!(
            stderr(&out).contains("unexpected argument '--backend'"),
            "{verb}: {}",
            stderr(&out)
        );
    }
    for verb in ["predict", "eval"] {
        assert!(
            stdout(&plaindnn(&[verb, "--help"])).contains("--backend <BACKEND>"),
            "{verb}"
        );
    }
}

#[test]
fn every_verb_has_help_with_examples_of_that_verb() {
    let verbs = [
        "train",
        "predict",
        "eval",
        "export",
        "summary",
        "worked-example",
        "info",
        "datasets",
        "completions",
        "regress",
        "experiment",
        "bench",
        "pretrain",
    ];
    for verb in verbs {
        let help = stdout(&plaindnn(&[verb, "--help"]));
        let examples = help
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("`{verb} --help` has no Examples section:\n{help}"));
        let lines: Vec<&str> = examples.lines().filter(|l| l.starts_with("  ")).collect();
        assert!(lines.len() >= 2, "{verb}: {examples}");
        let own = format!("plaindnn {verb}");
        assert!(
            lines[0].trim_start().starts_with(&own),
            "{verb}: the first example is `{}`",
            lines[0]
        );
        assert!(
            lines.iter().all(|l| l.contains("plaindnn")),
            "{verb}: {examples}"
        );
    }
}

#[test]
fn the_help_examples_on_the_shipped_model_run_as_written() {
    let out_parent = temp_dir("help-examples");
    let out = out_parent.join("q.safetensors");
    let out = out.to_str().unwrap_or("");
    for args in [
        &[
            "predict",
            "--run",
            "artifacts/pretrained/quadrants",
            "--input",
            "2,2",
        ][..],
        &["eval", "--run", "artifacts/pretrained/quadrants"],
        &["summary", "--run", "artifacts/pretrained/quadrants"],
        &[
            "export",
            "--run",
            "artifacts/pretrained/quadrants",
            "--out",
            out,
        ],
    ] {
        let o = plaindnn(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn bench_variants_runs_only_the_w2_networks_it_names() {
    // spelt as `train --preset seed-default` spells it: the reference's name is seed_default
    let report = json(&plaindnn(&[
        "bench",
        "w2",
        "--variants",
        "seed-default",
        "--repeats",
        "1",
        "--json",
    ]));
    let results = report["results"].as_array().expect("results");
    let paths: Vec<&str> = results.iter().filter_map(|r| r["path"].as_str()).collect();
    assert_eq!(paths, ["bare", "train", "infer"], "{results:?}");
    for r in results {
        assert_eq!(r["variant"], "seed_default", "{r}");
        assert!(r["median"].as_f64().is_some_and(|m| m > 0.0), "{r}");
    }
}

#[test]
fn bench_refuses_an_unknown_variant_and_variants_without_w2() {
    let out = plaindnn(&["bench", "w2", "--variants", "plain,nope"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("invalid value 'nope' for '--variants <NAMES>'")
            && err.contains("[possible values: plain, seed_default]"),
        "{err}"
    );
    let out = plaindnn(&["bench", "w1", "--variants", "plain"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--variants") && err.contains("w2"), "{err}");
}

#[test]
fn bench_refuses_backend_when_only_least_squares_runs_and_takes_it_with_a_network() {
    // W4 runs no network, so --backend would change nothing there
    let out = plaindnn(&["bench", "w4", "--backend", "flex", "--repeats", "1"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--backend") && err.contains("w4"), "{err}");
    let report = json(&plaindnn(&["bench", "w4", "--repeats", "1", "--json"]));
    assert_eq!(report["backend"], "none", "{report}");
    let report = json(&plaindnn(&[
        "bench",
        "w1",
        "w4",
        "--backend",
        "flex",
        "--repeats",
        "1",
        "--json",
    ]));
    assert_eq!(report["backend"], "flex", "{report}");
}

/// An outside audit found `PLAINDNN_FUSED=off` left the fused passes on (only `0` turned them
/// off), the bench report did not say which ran, and `info` counted cores, not rayon's threads.
#[test]
fn the_environment_switches_take_off_or_0_and_a_value_meaning_neither_is_refused_by_name() {
    use std::process::Command;
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(common::bin());
        command.args(args).env_remove("PLAINDNN_FUSED");
        command.env_remove("PLAINDNN_SPIN");
        command.envs(env.iter().copied()).output().expect("runs")
    };
    let info = |env: &[(&str, &str)]| json(&run(&["info", "--json"], env));
    assert_eq!(info(&[])["fused_passes"], true);
    let two = ("RAYON_NUM_THREADS", "2");
    assert_eq!(info(&[two])["spinning_workers"], true);
    assert_eq!(
        info(&[two, ("PLAINDNN_SPIN", "0")])["spinning_workers"],
        false
    );
    assert_eq!(
        info(&[("RAYON_NUM_THREADS", "1")])["spinning_workers"],
        false
    ); // none to spin
    for off in ["0", "off", "false"] {
        assert_eq!(
            info(&[("PLAINDNN_FUSED", off)])["fused_passes"],
            false,
            "{off}"
        );
    }
    assert_eq!(info(&[("RAYON_NUM_THREADS", "1")])["cpu_threads"], 1);
    for (name, value) in [("PLAINDNN_FUSED", "of"), ("RAYON_NUM_THREADS", "two")] {
        let out = run(&["info"], &[(name, value)]);
        assert_eq!(out.status.code(), Some(1), "{name}={value}");
        let said = format!("error: invalid {name}: `{value}` is ");
        assert!(stderr(&out).starts_with(&said), "{}", stderr(&out));
    }
    // a million threads took minutes to start before any work
    let out = run(&["info"], &[("RAYON_NUM_THREADS", "5000")]);
    let said = "error: invalid RAYON_NUM_THREADS: 5000 threads, and rayon starts each";
    assert!(stderr(&out).starts_with(said), "{}", stderr(&out));
    let bench = ["bench", "w4", "--repeats", "1", "--json"];
    let report = json(&run(
        &bench,
        &[("PLAINDNN_FUSED", "off"), ("RAYON_NUM_THREADS", "1")],
    ));
    assert_eq!(
        (&report["fused"], &report["threads"]),
        (&false.into(), &1.into())
    );
    let text = stdout(&run(
        &["bench", "w4", "--repeats", "1"],
        &[("RAYON_NUM_THREADS", "1")],
    ));
    let said = "backend none, 1 thread, fused passes on, spinning workers on, AMX ";
    assert!(
        text.starts_with(said) && text.contains(", median of 1 run (min"),
        "{text}"
    );
}

#[test]
fn bench_refuses_zero_repeats_and_a_workload_named_twice_by_their_names() {
    let out = plaindnn(&["bench", "w4", "--repeats", "0"]);
    assert!(
        stderr(&out).contains("invalid --repeats: must be at least 1"),
        "{}",
        stderr(&out)
    );
    refused(&["bench", "w4", "w1", "W4"], "w4 is named twice");
    // a variant too: it ran once, and the twice went unsaid
    let twice = ["bench", "w2", "--variants", "plain,plain"];
    refused(&twice, "invalid --variants: plain is named twice");
}

#[test]
fn info_says_whether_inference_runs_on_the_amx_tile_unit_as_the_processor_and_plaindnn_amx_say() {
    use std::process::Command;
    // the processor's own word: Linux lists amx_tile and amx_bf16 among its flags
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags: Vec<&str> = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .map_or(vec![], |l| l.split_whitespace().collect());
    let has = |f: &str| flags.contains(&f);
    // Linux lends the tile registers to processes that ask from 5.16 on
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let version: Vec<u32> = release
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let lends = version >= vec![5, 16];
    let amx = has("amx_tile") && has("amx_bf16") && has("avx512bw") && lends;
    let run = |args: &[&str], amx_env: &str| {
        Command::new(common::bin())
            .args(args)
            .env("PLAINDNN_AMX", amx_env)
            .output()
            .expect("runs")
    };
    let info = |amx_env: &str| json(&run(&["info", "--json"], amx_env));
    let on = info("1");
    assert_eq!(on["flex_inference_on_amx"], amx, "{on}");
    let kernel = if has("avx512f") {
        "AVX-512"
    } else {
        "AVX2 + FMA"
    };
    if has("avx512f") || (has("avx2") && has("fma")) {
        assert_eq!(on["flex_f32_kernel"], kernel, "{on}");
    }
    assert_eq!(info("0")["flex_inference_on_amx"], false);
    let text = stdout(&run(&["info"], "1"));
    assert_eq!(text.contains("AMX tile unit"), amx, "{text}");
    assert!(!stdout(&run(&["info"], "0")).contains("AMX tile unit"));
}

/// A review found `--lr-schedule step:50 --epochs 5` train at one rate without a word, as
/// `--unfreeze-after` past the last epoch is warned about.
#[test]
fn a_schedule_that_cannot_change_the_rate_in_the_run_is_warned_about() {
    let dir = temp_dir("cli-schedule-idle");
    let train = |name: &str, flags: &[&str]| {
        let run = dir.join(name);
        let args = ["train", "--dataset", "xor", "-q", "--out"];
        let out = plaindnn(&[&args[..], &[run.to_str().unwrap_or("")], flags].concat());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let rates = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics.csv");
        let rates: std::collections::BTreeSet<&str> = rates
            .lines()
            .skip(1)
            .filter_map(|l| l.rsplit(',').next())
            .collect();
        (stderr(&out), rates.len())
    };
    let (said, rates) = train("step-late", &["--lr-schedule", "step:5", "--epochs", "5"]);
    let warned =
        "warning: the lr schedule step:5 first lowers the rate after epoch 5, and the run has 5";
    assert!(said.contains(warned), "{said}");
    assert_eq!(rates, 1, "one rate in metrics.csv's lr column");
    let (said, rates) = train(
        "step-in-time",
        &["--lr-schedule", "step:4", "--epochs", "5"],
    );
    assert!(!said.contains("lr schedule"), "{said}");
    assert_eq!(rates, 2, "the fifth epoch's lower rate");
    // early stopping's patience 10 ends the run before a plateau of 10 would cut the rate
    let (said, _) = train(
        "plateau-stopped",
        &["--lr-schedule", "plateau:0.5:10", "--epochs", "50"],
    );
    let warned = "plateau lowers the rate after 10 epochs without improvement, and early stopping ends the run after 10";
    assert!(said.contains(warned), "{said}");
    let (said, _) = train("plateau", &["--lr-schedule", "plateau", "--epochs", "50"]);
    assert!(
        !said.contains("lr schedule"),
        "the default plateau (patience 5): {said}"
    );
}

#[test]
fn a_schedule_counts_whole_epochs_and_its_floor_is_finite_and_below_the_rate() {
    let dir = temp_dir("cli-schedule-ranges");
    let run = dir.join("run");
    for (schedule, message) in [
        ("step:2.7", "`2.7` is not a whole number"),
        ("plateau:0.5:2.5", "`2.5` is not a whole number"),
        (
            "cosine:5",
            "invalid --lr-schedule: its min_lr 5 is above the learning rate 0.01",
        ),
        (
            "plateau:0.5:3:0.02",
            "its min_lr 0.02 is above the learning rate 0.01",
        ),
        (
            "cosine:inf",
            "invalid cosine min_lr: must be a finite number >= 0, got inf",
        ),
        (
            "plateau:0.5:3:nan",
            "invalid plateau min_lr: must be a finite number >= 0, got NaN",
        ),
    ] {
        let args = [
            "train",
            "--lr-schedule",
            schedule,
            "--epochs",
            "2",
            "-q",
            "--out",
        ];
        let out = plaindnn(&[&args[..], &[run.to_str().unwrap_or("")]].concat());
        assert!(!out.status.success(), "{schedule}");
        assert!(
            stderr(&out).contains(message),
            "{schedule}: {}",
            stderr(&out)
        );
        assert!(!run.exists(), "{schedule}: nothing written");
    }
}

#[test]
fn batch_norm_over_batches_of_one_row_is_refused_as_pytorch_refuses_it() {
    let run_parent = temp_dir("cli-bn-one");
    let run = run_parent.join("run");
    let out = plaindnn(&[
        "train",
        "--batch-norm",
        "--batch-size",
        "1",
        "--out",
        run.to_str().unwrap_or(""),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("invalid --batch-norm: BatchNorm normalises each unit over the batch"),
        "{}",
        stderr(&out)
    );
    assert!(!run.exists());
}

#[test]
fn export_and_predict_refuse_to_write_over_the_files_of_the_run_they_read_even_with_overwrite() {
    let dir = temp_dir("cli-own-files");
    let run = dir.join("run");
    let r = run.to_str().unwrap_or("");
    let out = plaindnn(&["train", "--epochs", "2", "--quiet", "--out", r]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (model, config) = (run.join("model.bpk"), run.join("config.json"));
    let before = (std::fs::read(&model).ok(), std::fs::read(&config).ok());
    let spelled_otherwise = dir.join("run/../run/config.json");
    std::os::unix::fs::symlink(run.join("checkpoint"), dir.join("ck")).expect("link");
    let linked = dir.join("ck/model-2.bpk");
    assert!(linked.is_file(), "the last epoch's checkpoint");
    let tries = [
        vec!["export", "--run", r, "--out", model.to_str().unwrap_or("")],
        vec![
            "predict",
            "--run",
            r,
            "--input",
            "1,2",
            "--output",
            config.to_str().unwrap_or(""),
        ],
        vec![
            "predict",
            "--run",
            r,
            "--input",
            "1,2",
            "--output",
            spelled_otherwise.to_str().unwrap_or(""),
        ],
        // a command that reads no run writes no run's file either
        vec![
            "datasets",
            "--export",
            "xor",
            "--out",
            config.to_str().unwrap_or(""),
        ],
        // a checkpoint reached through a link to its folder
        vec![
            "predict",
            "--run",
            r,
            "--input",
            "1,2",
            "--output",
            linked.to_str().unwrap_or(""),
        ],
    ];
    for args in tries {
        let out = plaindnn(&[args.as_slice(), &["--overwrite"]].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("is a file of the run"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        (std::fs::read(&model).ok(), std::fs::read(&config).ok()),
        before
    );
    // checkpoints on another disk: checkpoint/ a link to them
    std::fs::rename(run.join("checkpoint"), dir.join("elsewhere")).expect("move");
    std::os::unix::fs::symlink("../elsewhere", run.join("checkpoint")).expect("link");
    let inside = run.join("checkpoint/model-2.bpk");
    let args = [
        "predict",
        "--run",
        r,
        "--input",
        "1,2",
        "--overwrite",
        "--output",
    ];
    let out = plaindnn(&[&args[..], &[inside.to_str().unwrap_or("")]].concat());
    // a checkpoint, or a new file there, is named as in the checkpoint folder (an audit: a
    // new file there was called "a file of the run")
    assert!(
        stderr(&out).contains("is in the checkpoint folder of the run"),
        "{}",
        stderr(&out)
    );
    let new = run.join("checkpoint/new.csv");
    let out = plaindnn(&[&args[..], &[new.to_str().unwrap_or("")]].concat());
    assert!(
        stderr(&out).contains("checkpoint/new.csv is in the checkpoint folder of the run"),
        "{}",
        stderr(&out)
    );
    // typed from inside the run, through the link
    let bin = common::bin();
    let out = std::process::Command::new(bin)
        .current_dir(&run)
        .args([
            "datasets",
            "--export",
            "xor",
            "--overwrite",
            "--out",
            "checkpoint/model-2.bpk",
        ])
        .output()
        .expect("runs");
    assert!(
        stderr(&out).contains("is in the checkpoint folder of the run"),
        "{}",
        stderr(&out)
    );
    // a bad flag is named before the file that exists is
    let args = [
        "datasets",
        "--export",
        "xor",
        "--rows",
        "100000000",
        "--out",
    ];
    let out = plaindnn(&[&args[..], &[config.to_str().unwrap_or("")]].concat());
    assert!(stderr(&out).contains("invalid --rows"), "{}", stderr(&out));
    // a file of its own beside them is fine: export's default
    let out = plaindnn(&["export", "--run", r]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run.join("model.safetensors").is_file());
    let named = run.join("model.safetensors");
    let named = named.to_str().unwrap_or("");
    let out = plaindnn(&["export", "--run", r, "--overwrite", "--out", named]);
    assert!(out.status.success(), "{}", stderr(&out));
    // but not another run's, --overwrite or not: it is that run's own
    let other = dir.join("other");
    let o = other.to_str().unwrap_or("");
    assert!(plaindnn(&["train", "--epochs", "2", "--quiet", "--out", o])
        .status
        .success());
    assert!(plaindnn(&["export", "--run", o]).status.success());
    let theirs = other.join("model.safetensors");
    let before = std::fs::read(&theirs).ok();
    let args = [
        "export",
        "--run",
        r,
        "--overwrite",
        "--out",
        theirs.to_str().unwrap_or(""),
    ];
    let out = plaindnn(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is a name the run"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&theirs).ok(), before);
}

#[test]
fn export_and_predict_refuse_to_write_over_the_other_files_a_run_wrote_even_with_overwrite() {
    let dir = temp_dir("cli-written-files");
    let run = dir.join("run");
    let r = run.to_str().unwrap_or("");
    let out = plaindnn(&[
        "pretrain", "--hidden", "4", "--epochs", "2", "--quiet", "--out", r,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // not read back, but the run's own: a pretraining's stack, its report, a stage's folder
    let stages = run.join("stages.safetensors");
    let before = std::fs::read(&stages).ok();
    let path = |name: &str| run.join(name).to_str().unwrap_or("").to_string();
    let (stack, report, stage) = (
        path("stages.safetensors"),
        path("report.html"),
        path("layer1"),
    );
    for args in [
        vec!["export", "--run", r, "--overwrite", "--out", &stack],
        vec!["export", "--run", r, "--overwrite", "--out", &report],
        vec![
            "predict",
            "--run",
            r,
            "--input",
            "1,2",
            "--overwrite",
            "--output",
            &stage,
        ],
    ] {
        let out = plaindnn(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = format!("is a name the run {r} writes its own files under: writing it would replace the run's own");
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&stages).ok(), before);
}

#[test]
fn an_absurd_network_is_refused_with_the_memory_it_would_need_before_anything_is_made() {
    let run_parent = temp_dir("cli-absurd");
    let run = run_parent.join("run");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "100000000",
        "--out",
        run.to_str().unwrap_or(""),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // (2·10⁸ + 10⁸) + (4·10⁸ + 4) parameters of 4 bytes: 2.6 GiB
    let said = "invalid network size: 700000004 parameters would need 2.6 GiB for weights alone";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!run.exists());
}

#[test]
fn batch_norm_over_a_training_set_of_one_row_is_refused_before_anything_is_written() {
    let dir = temp_dir("cli-bn-one-row");
    let csv = dir.join("two.csv");
    std::fs::write(&csv, "x,y\n1,0.5\n2,1.5\n").expect("write csv"); // one row each side
    let run = dir.join("run");
    refused(
        &[
            "train",
            "--data",
            csv.to_str().unwrap_or(""),
            "--target",
            "y",
            "--batch-norm",
            "--out",
            run.to_str().unwrap_or(""),
        ],
        "invalid --batch-norm: the training set holds one row",
    );
    assert!(!run.exists());
}

#[test]
fn predict_refuses_a_delimiter_for_an_input_row_it_would_not_read() {
    let out = plaindnn(&[
        "predict",
        "--run",
        "r",
        "--input",
        "1,2",
        "--delimiter",
        ";",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'--input <INPUT>' cannot be used with '--delimiter <CHAR>'"),
        "{}",
        stderr(&out)
    );
}

/// The `[default: …]` that `train --help` states for `flag`: in the lines from the one that
/// starts with it to the next that starts with a flag (clap wraps the text anywhere).
fn stated_default(help: &str, flag: &str) -> String {
    let starts = |line: &str, f: &str| {
        let line = line.trim_start();
        line.starts_with(f)
            || line
                .strip_prefix("-")
                .is_some_and(|l| l.get(3..).is_some_and(|l| l.starts_with(f)))
    };
    let entry: Vec<&str> = help
        .lines()
        .skip_while(|l| !starts(l, &format!("{flag} ")))
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !starts(l, "--"))
        .map(|(_, l)| l)
        .collect();
    assert!(!entry.is_empty(), "{flag} in train --help");
    let own = entry
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let at = own
        .rfind("[default: ")
        .unwrap_or_else(|| panic!("{flag} states no default: {own}"));
    let value = &own[at + "[default: ".len()..];
    value[..value.find(']').expect("]")].to_string()
}

#[test]
fn train_help_states_the_defaults_a_run_starts_from() {
    use plaindnn::model::{ActivationConfig, InitConfig};
    use plaindnn::train::{OptimizerKind, ScheduleConfig, TrainConfig};
    let help = stdout(&plaindnn(&["train", "--help"]));
    let said = |flag: &str| stated_default(&help, flag);
    let number = |flag: &str| said(flag).parse::<f64>().expect(flag);
    let d = TrainConfig::default_for(2, 4);
    let stopping = d.early_stopping.clone().expect("early stopping by default");
    assert_eq!(said("--hidden"), d.model.hidden[0].to_string());
    assert_eq!(
        said("--activation").parse::<ActivationConfig>().ok(),
        Some(d.model.activation)
    );
    let init = said("--init");
    let init = init.split(',').next().unwrap_or("").parse::<InitConfig>();
    assert_eq!(init.ok(), Some(d.model.init));
    assert_eq!(number("--dropout"), d.model.dropout);
    assert_eq!(
        said("--optimizer").parse::<OptimizerKind>().ok(),
        Some(d.optimizer.kind)
    );
    assert_eq!(number("--lr"), d.optimizer.learning_rate);
    assert_eq!(number("--momentum"), d.optimizer.momentum);
    assert_eq!(number("--weight-decay"), d.optimizer.weight_decay());
    let schedule = said("--lr-schedule").parse::<ScheduleConfig>();
    assert_eq!(schedule.ok(), Some(d.schedule));
    assert_eq!(number("--patience"), stopping.patience as f64);
    assert_eq!(number("--min-delta"), stopping.min_delta);
    assert_eq!(number("--epochs"), d.epochs as f64);
    assert_eq!(number("--batch-size"), d.batch_size as f64);
    assert_eq!(number("--seed"), d.seed as f64);
    // and what a schedule's name alone means is what it says
    let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for (short, long) in [("step", "step:10:0.1"), ("plateau", "plateau:0.1:5:0")] {
        assert!(words.contains(&format!("{short} = {long}")), "{short}");
        assert_eq!(
            short.parse::<ScheduleConfig>().ok(),
            long.parse().ok(),
            "{short}"
        );
    }
}

#[test]
fn a_target_far_from_unit_scale_is_warned_about_and_an_unfinished_fit_says_how_to_go_on() {
    // y = 1000·a + 5000·b: values around 1e5, as a house price in a README example
    let dir = temp_dir("far-target");
    let mut text = String::from("a,b,price\n");
    for i in 0..60 {
        let (a, b) = (50.0 + i as f64 * 2.5, (i % 5) as f64);
        text += &format!("{a},{b},{}\n", 1000.0 * a + 5000.0 * b);
    }
    let file = dir.join("houses.csv");
    std::fs::write(&file, text).expect("write");
    let (run, path) = (dir.join("run"), file.to_str().expect("utf-8"));
    let args = [
        "train", "--data", path, "--target", "price", "--epochs", "3",
    ];
    let o = plaindnn(&[&args[..], &["--out", run.to_str().expect("utf-8")]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    // population mean and spread of the training rows: about 1.5e5 and 4e4
    assert!(err.contains("the target `price` has mean 1."), "{err}");
    assert!(err.contains("e5 and standard deviation"), "{err}");
    assert!(err.contains("divide it by"), "{err}");
    // three epochs of a crawl: each is the best so far
    let resume = format!("`plaindnn train --resume {} --epochs 6`", run.display());
    assert!(
        err.contains("val_loss was still falling at the last epoch (3)"),
        "{err}"
    );
    assert!(err.contains(&resume), "{err}");
    // a cosine schedule anneals over its epochs, which a resume keeps: a new run is the way on;
    // --quiet silences progress, not warnings (scikit-learn's come whatever its `verbose`)
    let cosine = dir.join("cosine");
    let more = [
        "--lr-schedule",
        "cosine",
        "--quiet",
        "--out",
        &cosine.to_string_lossy(),
    ];
    let o = plaindnn(&[&args[..], &more].concat());
    let way_on = format!(
        "`plaindnn train --init-from {} --epochs 6`",
        cosine.display()
    );
    assert!(stderr(&o).contains(&way_on), "{}", stderr(&o));
    assert!(stderr(&o).contains("divide it by"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "quiet");
    // a target near 1, trained to a stop, says neither
    let o = plaindnn(&[
        "train",
        "--epochs",
        "40",
        "--out",
        &dir.join("q").to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn a_regression_target_with_one_value_in_every_training_row_is_warned_about() {
    let dir = temp_dir("constant-target");
    let rows: String = (0..40).map(|i| format!("{i},{},7.5\n", i % 3)).collect();
    let file = dir.join("flat.csv");
    std::fs::write(&file, format!("a,b,y\n{rows}")).expect("write");
    let path = file.to_str().expect("utf-8");
    let run = |target: &str, out: &str| {
        let out = dir.join(out);
        let o = plaindnn(&[
            "train",
            "--data",
            path,
            "--target",
            target,
            "--task",
            "regression",
            "--epochs",
            "1",
            "--standardize-target",
            "--quiet",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    let said = "the target `y` is 7.5 in every training row: the network can learn nothing but";
    let err = run("y", "flat");
    assert!(err.contains(said) && err.contains("flat.csv"), "{err}");
    // a target that varies says nothing of the kind
    let err = run("b", "varied");
    assert!(!err.contains("in every training row"), "{err}");
}

#[test]
fn balanced_class_weights_are_scikit_learns_and_raise_the_rare_classs_probability() {
    // class 1 in every tenth row, with nothing in x to tell it: the network can learn the
    // prior alone, 0.1 unweighted; balanced weights (n / (k·n_c): 40 / (2·36), 40 / (2·4))
    // make the two classes weigh alike, so it moves towards 0.5
    let dir = temp_dir("class-weight");
    let rows: String = (0..40)
        .map(|i| format!("{:.3},{}\n", i as f64 / 40.0, u8::from(i % 10 == 0)))
        .collect();
    let file = dir.join("rare.csv");
    std::fs::write(&file, format!("x,label\n{rows}")).expect("write");
    let path = file.to_str().expect("utf-8");
    let mean_p1 = |name: &str, extra: &[&str]| {
        let run = dir.join(name);
        let run = run.to_str().expect("utf-8");
        let args = [
            "train",
            "--data",
            path,
            "--val-data",
            path,
            "--epochs",
            "60",
        ];
        let more = ["--no-early-stopping", "--quiet", "--out", run];
        let o = plaindnn(&[&args[..], &more, extra].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let o = plaindnn(&["predict", "--run", run, "--data", path, "--output", "-"]);
        let text = stdout(&o);
        let p1: Vec<f64> = (text.lines().skip(1))
            .map(|l| {
                l.rsplit(',')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("p_1")
            })
            .collect();
        (
            p1.iter().sum::<f64>() / p1.len() as f64,
            common::run_config(&dir.join(name)),
        )
    };
    let (plain, config) = mean_p1("plain", &[]);
    assert_eq!(config["train"]["class_weights"], serde_json::Value::Null);
    assert!((plain - 0.1).abs() < 0.05, "unweighted: {plain}");
    let (balanced, config) = mean_p1("balanced", &["--class-weight", "balanced"]);
    let weights = config["train"]["class_weights"].clone();
    let weights: Vec<f64> = serde_json::from_value(weights).expect("two numbers");
    assert!(
        (weights[0] - 40.0 / 72.0).abs() < 1e-12 && weights[1] == 5.0,
        "{weights:?}"
    );
    assert!(balanced > 0.25, "balanced: {balanced} (unweighted {plain})");
}

/// An outside review gave Keras' and scikit-learn's `{class: weight}` and a config file's
/// `"balanced"`, and both were refused: by name, the other classes weigh 1 (scikit-learn's
/// dict), and a `--config` file takes what the flag takes.
#[test]
fn class_weights_by_class_name_and_a_config_files_balanced_are_the_flags_own() {
    let dir = temp_dir("class-weight-named");
    let weights = |name: &str, extra: &[&str]| -> serde_json::Value {
        let run = dir.join(name);
        let args = [
            "train",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            run.to_str().unwrap_or(""),
        ];
        let o = plaindnn(&[&args[..], extra].concat());
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        common::run_config(&run)["train"]["class_weights"].clone()
    };
    // quadrants' classes are I, II, III and IV
    let named = weights("named", &["--class-weight", "II:2,IV:0.5"]);
    assert_eq!(named, serde_json::json!([1.0, 2.0, 1.0, 0.5]));
    refused(
        &[
            "train",
            "--class-weight",
            "V:2",
            "--out",
            dir.join("v").to_str().unwrap_or(""),
        ],
        "invalid --class-weight: no class `V`; the classes are: `I`, `II`, `III`, `IV`",
    );
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().unwrap_or("").to_string()
    };
    let balanced = file("balanced.json", r#"{"class_weights": "balanced"}"#);
    let by_flag = weights("flag", &["--class-weight", "balanced"]);
    assert_eq!(weights("file", &["--config", &balanced]), by_flag);
    assert!(
        by_flag.as_array().is_some_and(|w| w.len() == 4),
        "{by_flag}"
    );
    let dict = file("dict.json", r#"{"class_weights": {"III": 3}}"#);
    let from_dict = weights("dict", &["--config", &dict]);
    assert_eq!(from_dict, serde_json::json!([1.0, 1.0, 3.0, 1.0]));
    let wrong = file("wrong.json", r#"{"class_weights": {"nope": 3}}"#);
    refused(
        &[
            "train",
            "--config",
            &wrong,
            "--out",
            dir.join("w").to_str().unwrap_or(""),
        ],
        "wrong.json: `class_weights`: no class `nope`; the classes are: `I`, `II`, `III`, `IV`",
    );
    // the flag replaces the file's, which is then not read against the data
    let flag = weights("over", &["--config", &wrong, "--class-weight", "IV:2"]);
    assert_eq!(flag, serde_json::json!([1.0, 1.0, 1.0, 2.0]));
}

/// Rows of `price = 40000 + 3000·a − 2000·b` on a grid of a, b in [−2, 2], and the prices.
fn prices(dir: &std::path::Path) -> (std::path::PathBuf, Vec<(f64, f64, f64)>) {
    let rows: Vec<(f64, f64, f64)> = (0..300)
        .map(|i| {
            let (a, b) = ((i % 20) as f64 / 4.75 - 2.0, (i / 20) as f64 / 3.5 - 2.0);
            (a, b, 40000.0 + 3000.0 * a - 2000.0 * b)
        })
        .collect();
    let text: String = rows
        .iter()
        .map(|(a, b, p)| format!("{a},{b},{p}\n"))
        .collect();
    let file = dir.join("prices.csv");
    std::fs::write(&file, format!("a,b,price\n{text}")).expect("write");
    (file, rows)
}

/// An audit's eval of a target near 1e30 printed its RMSE in 31 digits: beyond 1e9 (and under
/// An outside audit: `eval` of labels near f32's largest (±3e38) gave the loss `inf` (`null` in
/// JSON) beside a finite RMSE: the MSE's squares passed f32's range. It is taken in f64, here
/// against the `predict` values and the labels, squared in f64.
#[test]
fn a_target_near_f32s_largest_gets_a_finite_loss_from_the_predictions_in_f64() {
    let dir = temp_dir("eval-huge-loss");
    let rows: String = (1..=10)
        .map(|i| format!("{i},{i},{}\n", 2 * i + 1))
        .collect();
    let (train, huge) = (dir.join("lin.csv"), dir.join("huge.csv"));
    std::fs::write(&train, format!("a,b,y\n{rows}")).expect("write");
    std::fs::write(&huge, "a,b,y\n1,1,3e38\n2,2,-3e38\n").expect("write");
    let run = dir.join("run");
    let (train, huge, run) = (
        train.to_str().unwrap_or(""),
        huge.to_str().unwrap_or(""),
        run.to_str().unwrap_or(""),
    );
    let o = plaindnn(&[
        "train", "--data", train, "--epochs", "3", "-q", "--out", run,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let predicted = json(&plaindnn(&[
        "predict", "--run", run, "--data", huge, "--json",
    ]));
    let value = |i: usize| {
        predicted["predictions"][i]["values"][0]
            .as_f64()
            .expect("a value")
    };
    let want = ((value(0) - 3e38).powi(2) + (value(1) + 3e38).powi(2)) / 2.0;
    let scores = json(&plaindnn(&["eval", "--run", run, "--data", huge, "--json"]));
    let loss = scores["scores"]["loss"].as_f64().expect("a finite loss");
    assert!((loss - want).abs() <= 1e-9 * want, "{loss} against {want}");
}

/// An outside audit: a target like a Unix timestamp (1.6e9 ± a few) with `--standardize-target`
/// was scored against its labels rounded to f32 (by up to 64) and predicted in f32 (multiples of
/// 128: 17 distinct values for 300 rows). The labels are read in f64 for the scaler and the
/// scores, and predictions are mapped back in f64: `eval`'s RMSE, MAE and R² are what the
/// `predict` output gives against the file's labels, computed here in f64.
#[test]
fn a_large_target_is_scored_and_predicted_in_its_own_digits_not_f32s() {
    let dir = temp_dir("eval-timestamps");
    let rows: String = (0..300)
        .map(|i| {
            let x = i as f64 * 0.7;
            let noise = [3, -2, 1, -3, 2][i % 5];
            format!(
                "{x},{}\n",
                1_600_000_000 + (x * 1000.0).round() as i64 + noise
            )
        })
        .collect();
    let file = dir.join("ts.csv");
    std::fs::write(&file, format!("x,ts\n{rows}")).expect("write");
    let (file, run) = (file.to_str().unwrap_or(""), dir.join("run"));
    let run = run.to_str().unwrap_or("");
    let args = ["--standardize-target", "--epochs", "5", "-q", "--out", run];
    let o = plaindnn(&[&["train", "--data", file][..], &args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("p.csv");
    let out = out.to_str().unwrap_or("");
    let o = plaindnn(&["predict", "--run", run, "--data", file, "--output", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(out).expect("predictions");
    let pairs: Vec<(f64, f64)> = (written.lines().skip(1))
        .map(|line| {
            let cells: Vec<f64> = line
                .split(',')
                .map(|c| c.parse().expect("a number"))
                .collect();
            (cells[1], cells[2])
        })
        .collect();
    let n = pairs.len() as f64;
    let mean = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let sse: f64 = pairs.iter().map(|(y, p)| (y - p).powi(2)).sum();
    let sst: f64 = pairs.iter().map(|(y, _)| (y - mean).powi(2)).sum();
    let (rmse, mae) = (
        (sse / n).sqrt(),
        pairs.iter().map(|(y, p)| (y - p).abs()).sum::<f64>() / n,
    );
    let scores = json(&plaindnn(&["eval", "--run", run, "--data", file, "--json"]));
    let close = |key: &str, want: f64| {
        let got = scores[key].as_f64().expect("a score");
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{key}: {got} against {want}"
        );
    };
    close("rmse", rmse);
    close("mae", mae);
    close("r2", 1.0 - sse / sst);
    // f32 would give multiples of 128 here: a handful of values for 300 rows
    let mut distinct: Vec<u64> = pairs.iter().map(|p| p.1.to_bits()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() > 250,
        "{} distinct predictions",
        distinct.len()
    );
    // a run written before targets were read in f64 learnt its scaler from them rounded to f32
    // (a review: this data's deviation 60622.32 then, 60621.43 now) and recorded f32's digits:
    // its file's bytes the same, it is the same data, and its resume goes on
    let path = std::path::Path::new(run).join("config.json");
    let mut config = run_config(std::path::Path::new(run));
    let older = |v: &serde_json::Value, by: f64| -> f64 {
        let v = v.as_f64().expect("a number") * by;
        (v as f32).to_string().parse().expect("f32")
    };
    let scaler = &mut config["data"]["target_scaler"];
    scaler["mean"][0] = serde_json::json!(older(&scaler["mean"][0], 1.0));
    scaler["std"][0] = serde_json::json!(older(&scaler["std"][0], 1.0 + 1.5e-5));
    std::fs::write(&path, config.to_string()).expect("edit");
    let o = plaindnn(&["train", "--resume", run, "--epochs", "6", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// 1e-4) a score prints with an exponent, the same number `--json` gives, and so do train's
/// progress lines and report.html.
#[test]
fn eval_train_and_the_report_print_a_huge_score_with_an_exponent_equal_to_the_json_one() {
    let dir = temp_dir("eval-huge");
    let rows: String = (0..40)
        .map(|i| format!("{},{:e}\n", i % 9, (i % 7) as f64 * 1e30))
        .collect();
    let file = dir.join("big.csv");
    std::fs::write(&file, format!("a,y\n{rows}")).expect("write");
    let (file, run) = (file.to_str().unwrap_or(""), dir.join("run"));
    let run = run.to_str().unwrap_or("");
    let args = ["--standardize-target", "--epochs", "2", "--out", run];
    let o = plaindnn(&[&["train", "--data", file][..], &args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let epoch = stdout(&o)
        .lines()
        .find(|l| l.starts_with("epoch 1/2"))
        .map(str::to_string);
    let epoch = epoch.unwrap_or_else(|| panic!("no line of epoch 1: {}", stdout(&o)));
    let rmse = epoch
        .split("val_rmse ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next());
    let rmse = rmse.unwrap_or_else(|| panic!("no val_rmse in {epoch}"));
    let metrics =
        std::fs::read_to_string(std::path::Path::new(run).join("metrics.csv")).expect("metrics");
    let row = metrics.lines().nth(1).expect("epoch 1's row");
    let want: f64 = row
        .split(',')
        .nth(3)
        .expect("val metric")
        .parse()
        .expect("a number");
    assert_eq!(rmse, format!("{want:.3e}"), "{epoch} | {metrics}");
    let report =
        std::fs::read_to_string(std::path::Path::new(run).join("report.html")).expect("report");
    assert!(report.contains(&format!("{want:.3e}")), "{report}");
    // (a number in fixed notation: 1e30 is 30 zeros; an f64 in the run's config, as
    // 2.8750000000000005e30, has 17 digits at most)
    assert!(!report.contains(&"0".repeat(20)), "{report}");
    // val_rmse in the target's units: (z error · std)² overflowed f32 into `inf`
    assert!(!report.contains("val RMSE inf"), "{report}");
    let text = stdout(&plaindnn(&["eval", "--run", run]));
    let rmse = json(&plaindnn(&["eval", "--run", run, "--json"]))["rmse"]
        .as_f64()
        .expect("rmse");
    assert!(rmse > 1e29, "{rmse}");
    let line = text
        .lines()
        .find(|l| l.starts_with("rmse"))
        .expect("rmse line");
    assert_eq!(line, format!("rmse      {rmse:.3e}"), "{text}");
    assert!(
        text.contains("loss      ") && !text.contains("0000000000"),
        "{text}"
    );
}

#[test]
fn a_standardized_target_trains_a_price_in_its_units_and_predict_and_eval_give_them_back() {
    let dir = temp_dir("standardized-target");
    let (file, rows) = prices(&dir);
    let n = rows.len() as f64;
    let mean = rows.iter().map(|r| r.2).sum::<f64>() / n;
    let std = (rows.iter().map(|r| (r.2 - mean).powi(2)).sum::<f64>() / n).sqrt(); // ≈ 4 000
    let train = |name: &str, flags: &[&str]| {
        let run = dir.join(name);
        let args = ["train", "--data", &file.to_string_lossy(), "--epochs", "40"];
        let o = plaindnn(&[&args[..], flags, &["--out", &run.to_string_lossy()]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let metrics = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics.csv");
        let last = metrics.lines().last().expect("a row").split(',').nth(3);
        let rmse: f64 = last.and_then(|v| v.parse().ok()).expect("val_rmse");
        (run, o, rmse)
    };
    // in its own units the target crawls from 0 towards 40 000: the RMSE stays above its spread
    let (_, o, raw_rmse) = train("raw", &[]);
    assert!(
        stderr(&o).contains("pass --standardize-target"),
        "{}",
        stderr(&o)
    );
    assert!(raw_rmse > std, "{raw_rmse} against a spread of {std}");
    // standardised it is learnt: val_rmse (metrics.csv) in prices, far under the spread
    let (run, o, rmse) = train("standardized", &["--standardize-target"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(stdout(&o).contains("--standardize-target: the network learns (price − 4.0"));
    assert!(rmse < 0.05 * std, "val_rmse {rmse}, spread {std}");
    let saved = &run_config(&run)["data"]["target_scaler"];
    let learnt = saved["mean"][0].as_f64().expect("a mean");
    assert!(
        (learnt / mean - 1.0).abs() < 0.01,
        "{learnt} against {mean} over every row"
    );
    // predict: prices, at a point of the grid (a = 1, b = 1: 41 000)
    let run = run.to_string_lossy();
    let p = json(&plaindnn(&[
        "predict", "--run", &run, "--input", "1,1", "--json",
    ]));
    let price = p["predictions"][0]["values"][0].as_f64().expect("a value");
    assert!((price - 41000.0).abs() < 0.1 * std, "{price} for 41 000");
    // eval in prices too: its RMSE over the file is the one of predict's values, computed here
    let data = file.to_string_lossy();
    let p = json(&plaindnn(&[
        "predict", "--run", &run, "--data", &data, "--json",
    ]));
    let predicted = p["predictions"].as_array().expect("predictions");
    let squares: f64 = (predicted.iter().zip(&rows))
        .map(|(p, r)| (p["values"][0].as_f64().unwrap_or(f64::NAN) - r.2).powi(2))
        .sum();
    let want = (squares / n).sqrt();
    let e = json(&plaindnn(&[
        "eval", "--run", &run, "--data", &data, "--json",
    ]));
    let got = e["rmse"].as_f64().expect("rmse");
    assert!(
        (got / want - 1.0).abs() < 1e-3,
        "eval {got}, predict's {want}"
    );
    assert_eq!(e["loss_of"], "the standardised target", "{e}");
    let o = plaindnn(&["eval", "--run", &run, "--data", &data]);
    assert!(
        stdout(&o).contains("(of the standardised target)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_standardized_target_is_refused_for_classes_and_for_built_in_sets() {
    let dir = temp_dir("standardized-classes");
    let file = dir.join("classes.csv");
    let rows: String = (0..40).map(|i| format!("{i},{}\n", i % 2)).collect();
    std::fs::write(&file, format!("a,label\n{rows}")).expect("write");
    let o = plaindnn(&[
        "train",
        "--data",
        &file.to_string_lossy(),
        "--standardize-target",
        "--out",
        &dir.join("run").to_string_lossy(),
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("--standardize-target"), "{err}");
    assert!(err.contains("the target `label` holds classes"), "{err}");
    assert!(!dir.join("run").exists(), "nothing written");
    let o = plaindnn(&["train", "--dataset", "line", "--standardize-target"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--data"), "{}", stderr(&o));
}

#[test]
fn a_target_of_years_is_told_to_be_standardised_and_a_tiny_one_to_be_scaled_up() {
    let dir = temp_dir("target-scales");
    let warned = |name: &str, target: &dyn Fn(f64) -> f64| {
        let rows: String = (0..40)
            .map(|i| format!("{i},{}\n", target(i as f64)))
            .collect();
        let file = dir.join(format!("{name}.csv"));
        std::fs::write(&file, format!("a,y\n{rows}")).expect("write");
        let (file, out) = (file.to_string_lossy(), dir.join(name));
        let args = ["train", "--data", &file, "--target", "y", "--epochs", "1"];
        let o = plaindnn(&[&args[..], &["--out", &out.to_string_lossy()]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    // 1990–2029 (the training rows: 80 % of them): mean about 2010, spread about 11.5;
    // dividing by 2e3 would leave a spread of 0.006
    let err = warned("years", &|i| 1990.0 + i);
    assert!(
        err.contains("standardise the column (--standardize-target subtracts 2.0"),
        "{err}"
    );
    assert!(err.contains("e3, then divides by 1.1"), "{err}");
    assert!(!err.contains("divide it by"), "{err}");
    // 0–0.0039, mean about 0.002: squared errors under early stopping's default min_delta
    let err = warned("tiny", &|i| i * 1e-4);
    assert!(err.contains("(multiply it by 5e2)"), "{err}");
    assert!(err.contains("--min-delta 0"), "{err}");
}

#[test]
fn runs_that_cannot_go_on_say_what_they_need() {
    let dir = temp_dir("ways-on");
    let s = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let (data, run) = (dir.join("data.csv"), dir.join("run"));
    let rows: String = (0..40)
        .map(|i| format!("{i},{},{}\n", i % 3, i % 2))
        .collect();
    std::fs::write(&data, format!("a,b,label\n{rows}")).expect("write");
    let o = plaindnn(&[
        "train",
        "--data",
        &s(&data),
        "--epochs",
        "2",
        "--quiet",
        "--out",
        &s(&run),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // the data moved away: eval and resume name it and the way on
    std::fs::rename(&data, dir.join("moved.csv")).expect("move");
    let o = plaindnn(&["eval", "--run", &s(&run)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no longer there") && stderr(&o).contains("--data FILE.csv"));
    let o = plaindnn(&["train", "--resume", &s(&run), "--epochs", "4"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("data.csv, which is no longer there"),
        "{}",
        stderr(&o)
    );
    // --out on a file, --init-from a CSV, a folder of runs, predict without rows
    let file = dir.join("moved.csv");
    let o = plaindnn(&["train", "--out", &s(&file)]);
    assert!(stderr(&o).contains("is a file, not a folder") && stdout(&o).is_empty());
    let o = plaindnn(&[
        "train",
        "--init-from",
        &s(&file),
        "--out",
        &s(&dir.join("x")),
    ]);
    assert!(
        stderr(&o).contains("is not a safetensors file: give a run directory"),
        "{}",
        stderr(&o)
    );
    let o = plaindnn(&["summary", "--run", &s(&dir)]);
    assert!(stderr(&o).contains("holds 1 run (one is"), "{}", stderr(&o));
    let o = plaindnn(&["predict", "--run", &s(&run)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("<--input <INPUT>|--data <FILE>>"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_pretraining_points_to_its_own_data_and_a_mismatch_names_it() {
    let dir = temp_dir("pretrain-next");
    let out = dir.join("pre");
    let o = plaindnn(&[
        "pretrain",
        "--dataset",
        "shapes",
        "--train-size",
        "60",
        "--seed",
        "7",
        "--hidden",
        "8",
        "--epochs",
        "1",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // the set's size and seed go with it (they were left out: the next step drew another set)
    let next = format!(
        "next: plaindnn train --init-from {} --dataset shapes --train-size 60 --seed 7",
        out.display()
    );
    assert!(stdout(&o).contains(&next), "{}", stdout(&o));
    let o = plaindnn(&[
        "train",
        "--init-from",
        &out.to_string_lossy(),
        "--out",
        &dir.join("q").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("take 256 inputs but the data has 2 features: give it data of 256"),
        "{err}"
    );
    assert!(
        err.contains("(it trained on the inputs of the built-in set `shapes`"),
        "{err}"
    );
}

/// An audit found `datasets --json --out q.csv` printed the list, wrote nothing and exited 0:
/// with `--json` there, clap checked none of the export options' need of `--export`.
#[test]
fn datasets_refuses_an_export_option_with_json_and_without_export() {
    for option in [
        &["--out", "q.csv"][..],
        &["--rows", "5"],
        &["--seed", "3"],
        &["--overwrite"],
    ] {
        let o = plaindnn(&[&["datasets", "--json"][..], option].concat());
        assert_eq!(o.status.code(), Some(2), "{option:?}");
        let said = format!("the argument '--json' cannot be used with '{}", option[0]);
        assert!(stderr(&o).contains(&said), "{}", stderr(&o));
    }
    assert!(!std::path::Path::new("q.csv").exists());
}

#[test]
fn a_dash_writes_exported_rows_and_predictions_to_standard_output() {
    let dir = temp_dir("dash");
    let o = plaindnn(&["datasets", "--export", "xor", "--rows", "3", "--out", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = stdout(&o);
    assert_eq!(rows.lines().next(), Some("x,y,class"), "{rows}");
    assert_eq!(rows.lines().count(), 4, "a header and 3 rows: {rows}");
    // the same rows as a file, byte for byte, and no file named `-`
    let file = dir.join("xor.csv");
    let args = ["datasets", "--export", "xor", "--rows", "3", "--out"];
    let o = plaindnn(&[&args[..], &[file.to_str().expect("utf-8")]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).expect("written"), rows);
    assert!(!std::path::Path::new("-").exists());
    let run = "artifacts/pretrained/quadrants";
    let data = dir.join("points.csv");
    std::fs::write(&data, "x,y\n2,2\n-1,-3\n").expect("write");
    let data = data.to_str().expect("utf-8");
    let o = plaindnn(&["predict", "--run", run, "--data", data, "--output", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let classes: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap_or(""))
        .collect();
    assert_eq!(classes, ["I", "III"], "{csv}");
    let o = plaindnn(&[
        "predict", "--run", run, "--data", data, "--output", "-", "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("leave out --json"), "{}", stderr(&o));
    // standard output has no file to replace: --overwrite would do nothing there
    let args = ["datasets", "--export", "xor", "--out", "-", "--overwrite"];
    let o = plaindnn(&args);
    assert_eq!(o.status.code(), Some(1));
    let said =
        "invalid --overwrite: --out - writes to standard output, which has no file to replace";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    // export's file is binary: `-` is refused, not made into a file named `-`
    let o = plaindnn(&["export", "--run", run, "--out", "-"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("invalid --out"), "{}", stderr(&o));
    assert!(!std::path::Path::new("-").exists());
    // safetensors under another format's name would be opened as that format (Keras refuses too)
    let onnx = dir.join("m.onnx");
    let o = plaindnn(&["export", "--run", run, "--out", onnx.to_str().unwrap_or("")]);
    assert_eq!(o.status.code(), Some(1));
    let said = "names a .onnx file, and export writes safetensors: name it";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    assert!(!onnx.exists());
}

#[test]
fn a_resumed_run_writes_its_own_export_again_from_the_resumed_weights() {
    let dir = temp_dir("resume-export");
    let run = dir.join("run");
    let train = |epochs: &str, resume: bool| {
        let at = if resume { "--resume" } else { "--out" };
        let mut args = vec![
            "train",
            at,
            run.to_str().unwrap_or(""),
            "--epochs",
            epochs,
            "--quiet",
        ];
        if !resume {
            args.extend(["--dataset", "xor", "--no-early-stopping"]);
        }
        let out = plaindnn(&args);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    train("3", false);
    assert!(plaindnn(&["export", "--run", run.to_str().unwrap_or("")])
        .status
        .success());
    let before = std::fs::read(run.join("model.safetensors")).expect("exported");
    train("6", true);
    let fresh = dir.join("fresh.safetensors");
    assert!(plaindnn(&[
        "export",
        "--run",
        run.to_str().unwrap_or(""),
        "--out",
        fresh.to_str().unwrap_or("")
    ])
    .status
    .success());
    let after = std::fs::read(run.join("model.safetensors")).expect("still there");
    assert_ne!(after, before, "three more epochs moved the weights");
    assert_eq!(
        after,
        std::fs::read(&fresh).expect("fresh"),
        "what export writes now"
    );
    // a file there that plaindnn did not export is the user's: kept by a resume, refused by export
    std::fs::write(run.join("model.safetensors"), "my notes").expect("write");
    let out = plaindnn(&[
        "train",
        "--resume",
        run.to_str().unwrap_or(""),
        "--epochs",
        "8",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("as it is: not a plaindnn export"),
        "{}",
        stderr(&out)
    );
    let out = plaindnn(&["export", "--run", run.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // the default file, said as the file's: --out was not given (an outside audit)
    let said = "model.safetensors is there and is not a plaindnn export (no plaindnn_config in \
                its metadata): name another file with --out, or move that one";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!stderr(&out).contains("invalid --out"), "{}", stderr(&out));
    let kept = std::fs::read_to_string(run.join("model.safetensors")).expect("kept");
    assert_eq!(kept, "my notes");
}

#[test]
fn a_list_flag_given_twice_is_refused_as_every_other_flag_is_not_joined() {
    let dir = temp_dir("list-twice");
    let out = dir.join("run");
    for (verb, flag, a, b) in [
        ("train", "--hidden", "4", "8"),
        ("train", "--activation", "relu", "tanh"),
        ("train", "--add-features", "square", "sin"),
        ("pretrain", "--hidden", "4", "8"),
    ] {
        let args = [verb, flag, a, flag, b, "--out", out.to_str().unwrap_or("")];
        let o = plaindnn(&args);
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("cannot be used multiple times"),
            "{flag}: {}",
            stderr(&o)
        );
        assert!(!out.exists(), "{flag}: nothing trained");
    }
}

#[test]
fn the_report_headline_names_the_epoch_whose_weights_are_saved() {
    let dir = temp_dir("report-headline");
    for (name, flags) in [("last", &["--no-early-stopping"][..]), ("best", &[][..])] {
        let run = dir.join(name);
        let path = run.to_str().unwrap_or("");
        let args = [
            &["train", "--dataset", "spiral", "--epochs", "12"][..],
            flags,
        ];
        let out = plaindnn(&[&args.concat()[..], &["-q", "--out", path]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let report = std::fs::read_to_string(run.join("report.html")).expect("report");
        let scored = json(&plaindnn(&["eval", "--run", path, "--json"]));
        let loss = scored["scores"]["loss"].as_f64().unwrap_or(f64::NAN);
        // the saved model's own val loss, as eval computes it, is the one the headline leads with
        let (word, epoch) = match name {
            "last" => ("Last", "12 of 12".to_string()),
            _ => {
                let metrics = common::Metrics::read(&run);
                let best = metrics.lowest_val_loss()[metrics.column("epoch")];
                ("Best", format!("{best} of {}", metrics.rows.len()))
            }
        };
        let said = format!("<p>{word} epoch {epoch}: val loss {loss:.4}");
        assert!(report.contains(&said), "{said} in {report}");
        assert!(report.contains("its weights are saved"), "{report}");
    }
}

#[test]
fn the_next_step_train_prints_runs_as_printed() {
    let dir = temp_dir("next-step");
    let csv = dir.join("d.csv");
    let rows: String = (0..60)
        .map(|i| {
            format!(
                "{},{},{}\n",
                i % 7,
                (i % 5) as f64 * 0.5 - 3.0,
                ["cat", "dog"][i % 2]
            )
        })
        .collect();
    std::fs::write(&csv, format!("a,b,label\n{rows}")).expect("csv");
    let data = ["--data", csv.to_str().unwrap_or("")];
    // six columns, or a name with a comma: too many or too odd for one --input row
    let wide = dir.join("wide.csv");
    let rows: String = (0..60)
        .map(|i| format!("{},1,2,3,4,{},{}\n", i % 7, 1e-9 * i as f64, i % 2))
        .collect();
    std::fs::write(&wide, format!("a,\"b,c\",d,e,f,tiny,label\n{rows}")).expect("csv");
    let wide_data = ["--data", wide.to_str().unwrap_or("")];
    let tiny = ["--data", wide.to_str().unwrap_or(""), "--features", "tiny"];
    for (name, flags) in [
        ("builtin", &[][..]),
        ("csv", &data[..]),
        ("wide", &wide_data[..]),
        ("tiny", &tiny[..]),
        ("shapes", &["--dataset", "shapes"][..]),
    ] {
        let run = dir.join(name);
        let args = [
            &[
                "train",
                "--epochs",
                "2",
                "--out",
                run.to_str().unwrap_or(""),
            ][..],
            flags,
        ];
        let out = plaindnn(&args.concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let line = (text.lines().find_map(|l| l.strip_prefix("next: plaindnn ")))
            .unwrap_or_else(|| panic!("no next step in {text}"));
        let command = line.split("   (").next().unwrap_or("");
        let words: Vec<&str> = command.split_whitespace().collect();
        let verb = if name == "shapes" { "eval" } else { "predict" }; // no CSV to predict from
        assert_eq!(words[..2], [verb, "--run"], "{line}");
        let again = plaindnn(&words);
        assert!(again.status.success(), "{line}: {}", stderr(&again));
        // a mean of 3e-8 is given as it is, not rounded to 0
        assert!(
            name != "tiny" || line.contains("e-8   (the training rows' means"),
            "{line}"
        );
    }
}

#[test]
fn a_refusal_names_a_flag_only_where_the_flag_was_typed() {
    let dir = temp_dir("flag-named");
    let out = dir.join("run");
    let o = |flags: &[&str]| {
        let args = [
            &["train", "-q", "--out", out.to_str().unwrap_or("")][..],
            flags,
        ];
        stderr(&plaindnn(&args.concat()))
    };
    let err = o(&["--lr", "-1"]);
    assert!(
        err.contains("invalid --lr: must be a positive number, got -1"),
        "{err}"
    );
    // BatchNorm came with the preset, not with a --batch-norm typed: the library's word stays
    let err = o(&["--preset", "seed-default", "--batch-size", "1"]);
    assert!(err.contains("error: invalid batch-norm: "), "{err}");
    assert!(!err.contains("invalid --batch-norm"), "{err}");
    let err = o(&["--batch-norm", "--batch-size", "1"]);
    assert!(err.contains("error: invalid --batch-norm: "), "{err}");
}

#[test]
fn an_added_feature_named_twice_in_one_list_is_refused_not_dropped() {
    let dir = temp_dir("add-twice");
    let out = dir.join("run");
    let o = plaindnn(&[
        "train",
        "--add-features",
        "square,sin,square",
        "--out",
        out.to_str().unwrap_or(""),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = "invalid --add-features: `square` given twice; each kind adds its features once";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    assert!(!out.exists());
}

/// An outside audit: some refusals printed `training … → D` (and the data's notes) first, as
/// if the run had started: a text column with `NA` to one-hot, a shift that moves the image out
/// of view, frozen layers with parts their source lacks, an experiment's folder. Each is
/// refused before the run is announced, its file named as given.
#[test]
fn a_refused_run_is_not_announced_first() {
    let dir = temp_dir("refused-unannounced");
    let at = |name: &str| dir.join(name).to_string_lossy().into_owned();
    std::fs::write(
        dir.join("na.csv"),
        "x,city,y\n1,a,0\n2,NA,1\n3,b,0\n4,a,1\n",
    )
    .expect("csv");
    let source = at("source");
    let made = plaindnn(&["train", "--epochs", "1", "--quiet", "--out", &source]);
    assert!(made.status.success(), "{}", stderr(&made));
    std::fs::create_dir_all(dir.join("exp")).expect("mkdir");
    std::fs::write(dir.join("exp/report.md"), "# Experiment `x`\n").expect("report");
    // a run killed in its first epoch: its config.json, no checkpoint, and the `.lock` it left
    // (no process holds it): the banner came before the refusal
    std::fs::create_dir_all(dir.join("killed")).expect("mkdir");
    std::fs::copy(
        dir.join("source/config.json"),
        dir.join("killed/config.json"),
    )
    .expect("cp");
    std::fs::write(dir.join("killed/.lock"), "4242").expect("lock");
    let (na, run, exp, killed) = (at("na.csv"), at("run"), at("exp"), at("killed"));
    let cases: [(&[&str], &str); 6] = [
        (
            &["--data", &na, "--one-hot", "city", "--out", &run],
            "column `city` holds `NA`",
        ),
        (
            &[
                "--dataset",
                "shapes",
                "--augment-shift",
                "16",
                "--out",
                &run,
            ],
            "--augment-shift",
        ),
        (
            &[
                "--freeze",
                "1",
                "--batch-norm",
                "--init-from",
                &source,
                "--out",
                &run,
            ],
            "--freeze",
        ),
        (
            &[
                "--freeze",
                "1",
                "--activation",
                "prelu",
                "--init-from",
                &source,
                "--out",
                &run,
            ],
            "--freeze",
        ),
        (
            &["--out", &exp, "--overwrite"],
            "holds an experiment's results",
        ),
        (
            &["--out", &killed],
            "already holds a run that saved no checkpoint",
        ),
    ];
    for (flags, said) in cases {
        let args = [&["train", "--epochs", "1"][..], flags].concat();
        let o = plaindnn(&args);
        assert_eq!(o.status.code(), Some(1), "{flags:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(said), "{flags:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{flags:?}: announced before the refusal");
    }
    // named as given: `na.csv`, not the absolute path the run records
    let args = [
        "train",
        "--data",
        "na.csv",
        "--one-hot",
        "city",
        "--out",
        "r",
    ];
    let o = plaindnn_in(&dir, &args);
    assert!(
        stderr(&o).starts_with("error: na.csv: column `city`"),
        "{}",
        stderr(&o)
    );
}

/// An outside audit: refusals that find a run by its resolved path named it so
/// (`/home/…/q`) where the user typed `q`; inside the working directory, it is named relative.
#[test]
fn a_run_found_by_its_resolved_path_is_named_as_typed() {
    let dir = temp_dir("named-as-typed");
    let here = |args: &[&str]| stderr(&plaindnn_in(&dir, args));
    let made = here(&["train", "--epochs", "1", "--quiet", "--out", "q"]);
    assert!(!made.contains("error"), "{made}");
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "train",
                "--init-from",
                "q",
                "--dataset",
                "xor",
                "--new-head",
                "--out",
                "r",
            ],
            "the output layer of q is not copied",
        ),
        (
            &["train", "--out", "q/checkpoint/new"],
            "inside the checkpoint folder of the run q, whose",
        ),
        (
            &[
                "export",
                "--run",
                "q",
                "--out",
                "q/model.bpk",
                "--overwrite",
            ],
            "q/model.bpk is a file of the run q reads from: writing it would break the run; \
             name a file outside q\n",
        ),
    ];
    for (args, said) in cases {
        let err = here(args);
        assert!(err.contains(said), "{args:?}: {err}");
    }
    // the banner names the source as given too (config.json records it absolute)
    let o = plaindnn_in(
        &dir,
        &["train", "--init-from", "q", "--epochs", "1", "--out", "r2"],
    );
    assert!(
        stdout(&o).starts_with("training 2-50-4 MLP (relu, adam) from q on"),
        "{}",
        stdout(&o)
    );
}

/// An outside audit wrote `predict --output tr.csv --overwrite` over the CSV the run trained
/// on: `eval` and `--resume` then refused the run as changed. Now refused, the file untouched;
/// and `export --out` (a later audit: a data file named `data.txt` took the weights).
#[test]
fn predict_and_export_never_write_over_the_data_their_run_trained_on() {
    let dir = temp_dir("predict-over-data");
    let data = dir.join("tr.csv");
    let rows: String = (0..40).map(|i| format!("{},{}\n", i, i % 2)).collect();
    std::fs::write(&data, format!("x,label\n{rows}")).expect("written");
    let (run, d) = (dir.join("run"), data.to_str().unwrap_or(""));
    let r = run.to_str().unwrap_or("");
    let trained = plaindnn(&["train", "--data", d, "--epochs", "2", "-q", "--out", r]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let before = std::fs::read(&data).expect("read");
    let spelled = dir.join(".").join("tr.csv");
    for output in [d, spelled.to_str().unwrap_or("")] {
        let args = [
            "predict",
            "--run",
            r,
            "--data",
            d,
            "--overwrite",
            "--output",
            output,
        ];
        refused(
            &args,
            "is the run's --data data: `eval` and `train --resume` read it again",
        );
        let export = ["export", "--run", r, "--out", output, "--overwrite"];
        let said = refused(&export, "invalid --out: "); // the same words, by export's flag
        assert!(said.contains("is the run's --data data"), "{said}");
    }
    assert_eq!(std::fs::read(&data).expect("read"), before, "untouched");
    assert!(plaindnn(&["eval", "--run", r]).status.success());
}

/// An outside audit found `--activation step` trained nothing before the step layer, silently:
/// its slope is 0, so no gradient passes back. `train` warns (and the playground's command
/// with it); `pretrain`, whose whole product is the encoder, refuses it.
#[test]
fn a_step_activation_is_warned_of_in_train_and_refused_by_pretrain() {
    let dir = temp_dir("step");
    let out = dir.join("run");
    let args = ["train", "--dataset", "xor", "--epochs", "2", "-q"];
    let stepped =
        plaindnn(&[&args[..], &["--hidden", "8,8", "--activation", "relu,step"]].concat());
    let err = stderr(&stepped);
    assert!(stepped.status.success(), "{err}");
    let warned = "warning: hidden layer 2's activation is step, whose slope is 0 wherever it has \
                  one: no gradient passes back through it, so hidden layers 1–2 never learn";
    assert!(err.contains(warned), "{err}");
    let plain = plaindnn(&[&args[..], &["--out", out.to_str().unwrap_or("")]].concat());
    assert!(
        !stderr(&plain).contains("activation is step"),
        "{}",
        stderr(&plain)
    );
    refused(
        &[
            "pretrain",
            "--dataset",
            "xor",
            "--activation",
            "step",
            "--epochs",
            "1",
        ],
        "invalid --activation: step's slope is 0 wherever it has one",
    );
}

/// An outside audit found values finite in f64 but infinite in the network's f32 accepted, each
/// run then 'diverging' with advice about the learning rate; and 309-digit echoes of them.
#[test]
fn numbers_beyond_f32_are_refused_by_their_flag_before_training() {
    let args = [
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "1",
        "--optimizer",
        "sgd",
    ];
    let beyond = "must be at most f32's largest value (3.4e38) in size";
    for (flag, value, said) in [
        ("--lr", "1e39", format!("invalid --lr: {beyond}")),
        (
            "--init",
            "normal:1e308",
            format!("invalid normal:STD: {beyond}"),
        ),
        (
            "--activation",
            "prelu:1e308",
            format!("invalid prelu init: {beyond}"),
        ),
        (
            "--class-weight",
            "1e308,1",
            format!("invalid --class-weight: {beyond}"),
        ),
        ("--l2", "1e39", format!("invalid --l2: {beyond}")),
        ("--momentum", "1e308", "must be in [0, 1), got 1e308".into()),
    ] {
        let out = plaindnn(&[&args[..], &[flag, value]].concat());
        let err = stderr(&out);
        assert!(
            !out.status.success() && err.contains(&said),
            "{flag} {value}: {err}"
        );
    }
}

/// An outside audit's `eval` of a 10 000-class run printed a 10 000 × 10 000 table (800 MB):
/// past 30 classes the table is left out, said so; `--json` still holds the matrix.
#[test]
fn eval_leaves_out_the_table_of_a_confusion_matrix_past_thirty_classes() {
    let dir = temp_dir("many-classes");
    let rows: String = (0..400)
        .map(|i| format!("{},c{}\n", i % 40, i % 40))
        .collect();
    let data = dir.join("many.csv");
    std::fs::write(&data, format!("x,label\n{rows}")).expect("written");
    let (d, out) = (data.to_str().unwrap_or(""), dir.join("run"));
    let r = out.to_str().unwrap_or("");
    let trained = plaindnn(&["train", "--data", d, "--epochs", "1", "-q", "--out", r]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let text = stdout(&plaindnn(&["eval", "--run", r]));
    let said =
        "confusion matrix: 40 classes, too many for a table here (at most 30); `--json` holds it";
    assert!(text.contains(said) && text.lines().count() < 10, "{text}");
    let doc = json(&plaindnn(&["eval", "--run", r, "--json"]));
    assert_eq!(doc["confusion"].as_array().map(Vec::len), Some(40), "{doc}");
}

/// An outside audit: `--input '"1",2'` was refused (`"1"` is not a number) where a CSV file's
/// quoted number is read, and an empty `--one-hot` cell in `--input` was called a category
/// never seen, where a file's is told as empty.
#[test]
fn input_cells_are_read_as_a_csv_line_is() {
    let dir = temp_dir("input-cells");
    let rows: String = (0..40)
        .map(|i| format!("{},{},{}\n", i % 7, ["red", "blue"][i % 2], i % 2))
        .collect();
    let data = dir.join("c.csv");
    std::fs::write(&data, format!("x,color,label\n{rows}")).expect("written");
    let run = dir.join("run");
    let (d, r) = (data.to_str().unwrap_or(""), run.to_str().unwrap_or(""));
    let args = [
        "train",
        "--data",
        d,
        "--one-hot",
        "color",
        "--epochs",
        "1",
        "-q",
        "--out",
        r,
    ];
    assert!(plaindnn(&args).status.success());
    let plain = plaindnn(&["predict", "--run", r, "--input", "1,red", "--json"]);
    let quoted = plaindnn(&["predict", "--run", r, "--input", "\"1\",\"red\"", "--json"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert_eq!(stdout(&quoted), stdout(&plain), "{}", stderr(&quoted));
    refused(
        &["predict", "--run", r, "--input", "1,"],
        "invalid --input: column `color`: the cell is empty; --one-hot reads a category in every row",
    );
    let plain_run = dir.join("plain");
    let p = plain_run.to_str().unwrap_or("");
    let trained = plaindnn(&[
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "1",
        "-q",
        "--out",
        p,
    ]);
    assert!(trained.status.success());
    let a = plaindnn(&["predict", "--run", p, "--input", "1,0", "--json"]);
    let b = plaindnn(&["predict", "--run", p, "--input", "\"1\", 0", "--json"]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout(&a), stdout(&b));
}

/// An outside audit's `train --out /proc/nope` said only `No such file or directory`.
#[test]
fn a_run_folder_that_cannot_be_made_is_named_with_the_way_on() {
    let dir = temp_dir("unmakeable");
    let file = dir.join("a-file");
    std::fs::write(&file, "mine").expect("written");
    let out = file.join("run");
    refused(
        &[
            "train",
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap_or(""),
        ],
        "cannot be made (Not a directory (os error 20)): give --out a folder you can write to",
    );
    assert_eq!(std::fs::read(&file).expect("read"), b"mine");
}

/// `bench --repeats` is capped (a billion ran for ever, silently), and a bench removes the scratch
/// folders that benches killed mid-run left in the temporary folder — those whose process is
/// gone — and nothing else there.
#[test]
fn bench_caps_repeats_and_sweeps_the_scratch_of_killed_benches() {
    // 101: one past the cap, which W4 would run in seconds were it not refused
    let out = plaindnn(&["bench", "w4", "--repeats", "101"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("invalid --repeats: at most 100 (a W2 run takes seconds), got 101"),
        "{}",
        stderr(&out)
    );
    let tmp = temp_dir("bench-scratch");
    let dead = tmp.join("plaindnn-bench-4000000000"); // past any process id
    let alive = tmp.join(format!("plaindnn-bench-{}", std::process::id()));
    let other = tmp.join("plaindnn-bench-notes");
    for dir in [&dead, &alive, &other] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("model.bpk"), b"x").unwrap();
    }
    let out = std::process::Command::new(common::bin())
        .args(["bench", "w4", "--repeats", "1"])
        .env("TMPDIR", tmp.as_path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    if std::path::Path::new("/proc").is_dir() {
        assert!(!dead.exists(), "a killed bench's scratch is removed");
    }
    assert!(alive.join("model.bpk").exists() && other.join("model.bpk").exists());
}
