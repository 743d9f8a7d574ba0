//! One directory, one run: a directory that holds a run is refused, replaced only with
//! `--overwrite`, and `--resume` continues exactly the run its `config.json` describes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{plaindnn, plaindnn_in, run_config, stderr, stdout, temp_dir};

fn train(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "--quiet", "--out", dir.to_str().unwrap_or("")];
    args.extend_from_slice(extra);
    plaindnn(&args)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names in folder `d`, sorted.
fn listing(d: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(d)
        .expect("a directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

fn metric_rows(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    text.lines().count() - 1
}

#[test]
fn a_second_run_into_the_same_directory_is_refused_and_the_first_model_survives() {
    let dir = temp_dir("rundir-refuse");
    assert!(train(&dir, &["--epochs", "4"]).status.success());
    let model = read(&dir.join("model.bpk"));
    let out = train(&dir, &["--epochs", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = format!(
        "already holds a run: `plaindnn train --resume {}` continues it, `--overwrite` replaces it",
        dir.display()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    assert_eq!(
        read(&dir.join("model.bpk")),
        model,
        "the first model is untouched"
    );
    assert_eq!(metric_rows(&dir), 4);
    assert_eq!(run_config(&dir)["train"]["epochs"], 4);
}

#[test]
fn overwrite_replaces_every_file_of_the_old_run() {
    let dir = temp_dir("rundir-overwrite");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    assert!(train(&dir, &["--epochs", "5", "--diagnostics"])
        .status
        .success());
    assert!(dir.join("diagnostics.csv").is_file() && dir.join("grad_norms.svg").is_file());
    std::fs::write(dir.join("checkpoint/notes.txt"), "mine too").expect("write");
    // a link named as a checkpoint is one to the checkpointer: removed, what it names kept
    #[cfg(unix)]
    std::os::unix::fs::symlink("notes.txt", dir.join("checkpoint/model-99.bpk")).expect("link");
    let out = train(
        &dir,
        &["--epochs", "2", "--no-early-stopping", "--overwrite"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(metric_rows(&dir), 2, "only the new run's epochs");
    assert!(
        !dir.join("diagnostics.csv").exists(),
        "the old run's diagnostics are gone"
    );
    assert!(!dir.join("grad_norms.svg").exists());
    let saved: Vec<String> = std::fs::read_dir(dir.join("checkpoint"))
        .expect("checkpoint/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "notes.txt")
        .collect();
    assert!(
        saved
            .iter()
            .all(|f| f.ends_with("-1.bpk") || f.ends_with("-2.bpk")),
        "no checkpoint of the old run's epochs 3–5: {saved:?}"
    );
    assert_eq!(
        read(&dir.join("notes.txt")),
        b"mine",
        "files that are not the run's stay"
    );
    assert_eq!(
        read(&dir.join("checkpoint/notes.txt")),
        b"mine too",
        "in checkpoint/ too"
    );
    assert!(std::fs::symlink_metadata(dir.join("checkpoint/model-99.bpk")).is_err());
}

/// Two things of a user's that carry a run's names (an audit): a `model.safetensors` plaindnn
/// did not export (weights from PyTorch, which `export` refuses to replace) stays, while the
/// old run's own export goes; and a `checkpoint` link to a folder elsewhere stays a link,
/// emptied of the old run's checkpoints.
#[test]
fn overwrite_keeps_a_users_own_safetensors_and_a_checkpoint_link() {
    let dir = temp_dir("rundir-overwrite-own");
    let (run, elsewhere) = (dir.join("run"), dir.join("elsewhere"));
    std::fs::create_dir_all(&run).expect("made");
    std::fs::create_dir_all(&elsewhere).expect("made");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&elsewhere, run.join("checkpoint")).expect("link");
    let quick = ["--epochs", "3", "--no-early-stopping"];
    assert!(train(&run, &quick).status.success());
    let exported = plaindnn(&["export", "--run", s(&run)]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let again = [&quick[..], &["--overwrite"]].concat();
    assert!(train(&run, &again).status.success());
    assert!(
        !run.join("model.safetensors").exists(),
        "the old run's export goes"
    );
    // safetensors: an 8-byte length, a JSON header, the data
    let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut own = (header.len() as u64).to_le_bytes().to_vec();
    own.extend_from_slice(header);
    own.extend_from_slice(&1f32.to_le_bytes());
    std::fs::write(run.join("model.safetensors"), &own).expect("written");
    assert!(train(&run, &again).status.success());
    assert_eq!(
        read(&run.join("model.safetensors")),
        own,
        "a user's own stays"
    );
    // a link named as a pretraining's stage is removed, never followed into the run it names
    #[cfg(unix)]
    {
        let other = dir.join("other");
        assert!(train(&other, &quick).status.success());
        std::os::unix::fs::symlink(&other, run.join("layer1")).expect("link");
        assert!(train(&run, &again).status.success());
        assert!(other.join("model.bpk").is_file() && other.join("config.json").is_file());
        assert!(
            std::fs::symlink_metadata(run.join("layer1")).is_err(),
            "the link is gone"
        );
    }
    #[cfg(unix)]
    {
        let link = std::fs::symlink_metadata(run.join("checkpoint")).expect("there");
        assert!(link.file_type().is_symlink(), "still a link");
        let mut saved = listing(&elsewhere);
        saved.retain(|n| n.starts_with("model-"));
        assert_eq!(
            saved,
            ["model-3.bpk"],
            "only the last run's, where the link points"
        );
    }
}

#[test]
fn a_run_inside_another_runs_checkpoint_folder_is_refused() {
    let dir = temp_dir("rundir-in-checkpoint");
    let run = dir.join("run");
    assert!(train(&run, &["--epochs", "2"]).status.success());
    for inside in [run.join("checkpoint"), run.join("checkpoint/nested")] {
        let out = train(&inside, &["--epochs", "2"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let said = format!(
            "is inside the checkpoint folder of the run {}, whose checkpoints come and go there",
            run.display()
        );
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    }
    assert!(!run.join("checkpoint/nested").exists());
    assert!(!run.join("checkpoint/config.json").exists());
    // through a link too; and an experiment is refused before it writes anything
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(run.join("checkpoint"), dir.join("link")).expect("link");
        let out = train(&dir.join("link"), &["--epochs", "2"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(!run.join("checkpoint/config.json").exists());
    }
    let inside = run.join("checkpoint/experiment");
    let args = [
        "experiment",
        "linear-collapse",
        "--quick",
        "--out",
        s(&inside),
    ];
    let out = plaindnn(&args);
    assert!(
        stderr(&out).contains("is inside the checkpoint folder"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists(), "nothing written");
    // a path that leaves the folder by `..` is not inside it
    let out = train(&run.join("checkpoint/../../elsewhere"), &["--epochs", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("elsewhere/model.bpk").is_file());
    // a folder of that name elsewhere is just a folder
    let out = train(&dir.join("checkpoint"), &["--epochs", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_default_run_name_that_is_taken_becomes_the_next_free_one_and_is_printed() {
    let cwd = temp_dir("rundir-default-name");
    let train_here = || {
        Command::new(common::bin())
            .args(["train", "--epochs", "2"])
            .current_dir(&cwd)
            .env("TERM", "dumb")
            .output()
            .expect("runs")
    };
    let first = train_here();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("→ artifacts/runs/quadrants ["),
        "{}",
        stdout(&first)
    );
    let second = train_here();
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("→ artifacts/runs/quadrants-2 ["),
        "{}",
        stdout(&second)
    );
    // a file of the next name is passed, not chosen and refused ("give --out a folder", where
    // no --out was given)
    std::fs::write(cwd.join("artifacts/runs/quadrants-3"), "mine").expect("write");
    let third = train_here();
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(stdout(&third).contains("→ artifacts/runs/quadrants-4 ["));
    for name in ["quadrants", "quadrants-2", "quadrants-4"] {
        assert!(cwd
            .join("artifacts/runs")
            .join(name)
            .join("model.bpk")
            .is_file());
    }
    let mine = std::fs::read_to_string(cwd.join("artifacts/runs/quadrants-3"));
    assert_eq!(mine.ok().as_deref(), Some("mine"));
}

#[test]
fn resume_refuses_flags_that_would_change_the_run_and_names_them() {
    let dir = temp_dir("rundir-resume-flags");
    assert!(train(&dir, &["--epochs", "2", "--no-early-stopping"])
        .status
        .success());
    let d = dir.to_str().unwrap_or("");
    let out = plaindnn(&[
        "train",
        "--resume",
        d,
        "--epochs",
        "4",
        "--lr",
        "0.1",
        "--hidden",
        "8",
        "--dropout",
        "0.2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let named = err
        .split(" would change the run")
        .next()
        .and_then(|s| s.rsplit(": ").next())
        .unwrap_or("");
    let mut named: Vec<&str> = named.split(", ").collect();
    named.sort();
    assert_eq!(named, ["--dropout", "--hidden", "--lr"], "{err}");
    assert_eq!(metric_rows(&dir), 2, "nothing trained");
    // the backend may change, as PyTorch's map_location (an audit found even the run's own
    // refused): the checkpoint is the same on any, and config.json says where it went on
    let other = if cfg!(feature = "ndarray") {
        "ndarray"
    } else {
        "flex"
    };
    let args = [
        "train",
        "--resume",
        d,
        "--epochs",
        "4",
        "--backend",
        other,
        "--quiet",
    ];
    let out = plaindnn(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(metric_rows(&dir), 4);
    let saved = run_config(&dir)["train"].clone();
    assert_eq!(saved["model"]["hidden"], serde_json::json!([50]));
    assert_eq!(saved["backend"], other);
}

/// A run from a build with another backend (its config.json says so) is told it may go on with
/// --backend here; an audit found only "rebuild with --features …".
#[test]
fn resume_of_a_run_on_a_backend_not_built_in_points_to_backend() {
    let missing = ["ndarray", "wgpu"];
    let compiled = [cfg!(feature = "ndarray"), cfg!(feature = "wgpu")];
    let Some((other, _)) = missing.iter().zip(compiled).find(|(_, c)| !c) else {
        return; // every backend is built in: nothing to point away from
    };
    let dir = temp_dir("rundir-resume-backend-missing");
    assert!(train(&dir, &["--epochs", "1", "--backend", "flex"])
        .status
        .success());
    let path = dir.join("config.json");
    let config = std::fs::read_to_string(&path).expect("config.json");
    let edited = config.replace(
        "\"backend\": \"flex\"",
        &format!("\"backend\": \"{other}\""),
    );
    assert_ne!(edited, config, "the backend is recorded");
    std::fs::write(&path, edited).expect("write");
    let d = s(&dir);
    let out = plaindnn(&["train", "--resume", d, "--epochs", "2", "--quiet"]);
    let said = format!("trained on {other}, which this plaindnn is built without: go on with");
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    let args = [
        "train",
        "--resume",
        d,
        "--epochs",
        "2",
        "--backend",
        "flex",
        "--quiet",
    ];
    let out = plaindnn(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(run_config(&dir)["train"]["backend"], "flex");
}

#[test]
fn resume_refuses_a_new_total_of_epochs_for_a_cosine_schedule_which_anneals_over_the_old_one() {
    // 4 epochs annealed to 2.3e-3; 8 would restart epoch 5 at 5.5e-3, on neither curve
    let dir = temp_dir("rundir-resume-cosine");
    let args = [
        "--epochs",
        "4",
        "--no-early-stopping",
        "--lr-schedule",
        "cosine:0.001",
    ];
    assert!(train(&dir, &args).status.success());
    let d = dir.to_str().unwrap_or("");
    let out = plaindnn(&["train", "--resume", d, "--epochs", "8"]);
    assert_eq!(out.status.code(), Some(1));
    let said = "invalid --epochs: the run's cosine schedule anneals the rate over its 4 epochs";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // and a resume without --epochs is not told to pass more
    let out = plaindnn(&["train", "--resume", d]);
    let said = "has trained all its 4 epochs, annealed by its cosine schedule: to train further, \
                start a new run from these weights with --init-from";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert_eq!(metric_rows(&dir), 4, "nothing trained");
    assert_eq!(
        run_config(&dir)["train"]["epochs"],
        4,
        "config.json as it was"
    );
}

#[test]
fn resume_takes_a_new_patience_and_writes_it_into_the_config() {
    let dir = temp_dir("rundir-resume-patience");
    assert!(train(&dir, &["--epochs", "2"]).status.success());
    let d = dir.to_str().unwrap_or("");
    let out = plaindnn(&[
        "train",
        "--resume",
        d,
        "--epochs",
        "3",
        "--patience",
        "3",
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(run_config(&dir)["train"]["early_stopping"]["patience"], 3);
    assert_eq!(run_config(&dir)["train"]["epochs"], 3);
}

/// `--overwrite` deleted the old run before the first epoch, so a replacement that diverged in
/// it left nothing at all (an audit); `regress --overwrite` kept its fit until the new one was
/// made. Now the old run waits aside and comes back whole: the same files, byte for byte, and
/// `--resume` continues it.
#[test]
fn a_replacing_run_that_diverges_before_its_first_save_puts_the_old_run_back() {
    let dir = temp_dir("rundir-diverge");
    assert!(train(&dir, &["--epochs", "2", "--diagnostics"])
        .status
        .success());
    let files = ["config.json", "model.bpk", "metrics.csv", "diagnostics.csv"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| read(&dir.join(f))).collect();
    let checkpoints = listing(&dir.join("checkpoint"));
    let out = train(&dir, &["--lr", "1e30", "--overwrite"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("diverged in epoch 1"), "{err}");
    assert!(
        err.contains(&format!(
            "the run's files are removed from {0} and the run it replaced is back in {0}",
            dir.display()
        )),
        "{err}"
    );
    for (file, bytes) in files.iter().zip(&before) {
        assert_eq!(&read(&dir.join(file)), bytes, "{file} is the old run's");
    }
    assert_eq!(listing(&dir.join("checkpoint")), checkpoints);
    assert!(!dir.join(".replaced").exists() && !dir.join("checkpoint/.replaced").exists());
    let resumed = plaindnn(&["train", "--resume", s(&dir), "--epochs", "3", "-q"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(metric_rows(&dir), 3, "the old run, one epoch further");
}

/// The run `--overwrite` replaces waits aside only until the new run's first save: then it is
/// deleted, and a replacement that diverges later keeps its own checkpoint.
#[test]
fn a_replacing_run_deletes_the_old_run_at_its_first_save() {
    let dir = temp_dir("rundir-replace-save");
    assert!(train(&dir, &["--epochs", "5"]).status.success());
    let old = read(&dir.join("model.bpk"));
    let out = train(
        &dir,
        &["--overwrite", "--epochs", "2", "--checkpoint-every", "1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.join(".replaced").exists() && !dir.join("checkpoint/.replaced").exists());
    assert_ne!(read(&dir.join("model.bpk")), old);
    assert_eq!(metric_rows(&dir), 2);
}

/// A review found a run that diverged in its first epoch left config.json and metrics.csv: the
/// same --out was then refused with advice to --resume, which would only diverge again.
#[test]
fn a_run_that_saved_nothing_leaves_nothing_and_the_same_out_trains_next() {
    let dir = temp_dir("rundir-diverge-clean");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    // names a pretraining writes, which a training run never does: the user's, kept
    std::fs::create_dir_all(dir.join("layer1")).expect("mkdir");
    std::fs::write(dir.join("layer1/data.txt"), "mine").expect("write");
    std::fs::write(dir.join("stages.safetensors"), "mine").expect("write");
    let out = train(&dir, &["--lr", "1e30"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = "no checkpoint was saved yet, so the run's files are removed from";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let mut left: Vec<String> = (std::fs::read_dir(&dir).expect("dir").flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let before = ["layer1", "notes.txt", "stages.safetensors"];
    assert_eq!(left, before, "only what was there before");
    assert_eq!(read(&dir.join("layer1/data.txt")), b"mine");
    assert!(train(&dir, &["--epochs", "2"]).status.success());
    // the folders the run made are removed with it
    let made = dir.join("new");
    let out = train(&made.join("deeper"), &["--lr", "1e30"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!made.exists());
}

/// A review found a data file named in Latin-1 (not UTF-8) trained to the end of loading, then
/// failed to write config.json ("path contains invalid UTF-8 characters") and left checkpoint/.
#[cfg(unix)]
#[test]
fn a_path_config_json_cannot_record_is_refused_by_its_flag_and_nothing_is_written() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("rundir-latin1");
    let data = dir.join(std::ffi::OsStr::from_bytes(b"n\xe9e.csv"));
    let rows: String = (0..20).map(|i| format!("{i},{}\n", i % 2)).collect();
    std::fs::write(&data, format!("x,label\n{rows}")).expect("write");
    let run = dir.join("run");
    let out = Command::new(common::bin())
        .args(["train", "--epochs", "1", "--quiet", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&run)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = "invalid --data: ";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not UTF-8 text, which config.json cannot record"));
    assert!(!run.exists(), "nothing written");
    // a UTF-8 name in a folder whose name is not: config.json records the path absolute, so
    // it is refused too, before the run is announced (a review)
    let folder = dir.join(std::ffi::OsStr::from_bytes(b"nu\xff"));
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(folder.join("d.csv"), format!("x,label\n{rows}")).expect("write");
    let out = plaindnn_in(
        &folder,
        &["train", "--epochs", "1", "--data", "d.csv", "--out", "r"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not UTF-8 text"),
        "{}",
        stderr(&out)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "announced first");
    assert!(!folder.join("r").exists(), "nothing written");
}

#[test]
fn files_with_run_names_but_no_config_are_named_and_not_called_a_run() {
    let dir = temp_dir("rundir-not-a-run");
    std::fs::write(dir.join("metrics.csv"), "mine").expect("write");
    let out = train(&dir, &["--epochs", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let said = "holds metrics.csv (names a plaindnn run writes) but no run";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--resume"), "{}", stderr(&out));
    assert_eq!(read(&dir.join("metrics.csv")), b"mine");
    // a report or a picture of one's own is refused too, not replaced
    let mine = temp_dir("rundir-own-report");
    std::fs::write(mine.join("report.html"), "my report").expect("write");
    let out = train(&mine, &["--epochs", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let said = "holds report.html (names a plaindnn run writes) but no run";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert_eq!(read(&mine.join("report.html")), b"my report");
}

#[test]
fn a_refused_command_leaves_the_run_and_the_directory_as_they_were() {
    let dir = temp_dir("rundir-refused");
    let run = dir.join("run");
    assert!(train(&run, &["--epochs", "3"]).status.success());
    let (config, model) = (read(&run.join("config.json")), read(&run.join("model.bpk")));
    let s = |p: &Path| p.to_str().unwrap_or("").to_string();
    // a resume to fewer epochs than trained
    let out = plaindnn(&["train", "--resume", &s(&run), "--epochs", "2"]);
    assert!(
        stderr(&out)
            .contains("has trained 3 epochs, more than --epochs 2: pass --epochs 4 or more"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        read(&run.join("config.json")),
        config,
        "config.json untouched"
    );
    // layers to start from that do not fit: nothing created, nothing replaced
    let fresh = dir.join("fresh");
    let out = train(&fresh, &["--init-from", &s(&run), "--freeze", "2"]);
    assert!(
        stderr(&out).contains("the network has 1 hidden layer, got 2"),
        "{}",
        stderr(&out)
    );
    assert!(!fresh.exists(), "no directory for a refused run");
    let out = train(
        &run,
        &["--init-from", &s(&run), "--freeze", "2", "--overwrite"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        read(&run.join("model.bpk")),
        model,
        "--overwrite of a refused run keeps the old"
    );
    assert_eq!(read(&run.join("config.json")), config);
    // a pretraining whose second layer is empty trains no first stage
    let stages = dir.join("stages");
    let out = plaindnn(&[
        "pretrain",
        "--hidden",
        "4,0",
        "--epochs",
        "2",
        "--out",
        &s(&stages),
    ]);
    assert!(
        stderr(&out).contains("hidden layer 2 has width 0"),
        "{}",
        stderr(&out)
    );
    assert!(!stages.exists(), "no stage trained");
    // a file is named as one
    let out = plaindnn(&["summary", "--run", &s(&run.join("config.json"))]);
    assert!(
        stderr(&out).contains("is a file, not a run directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn train_and_regress_refuse_each_others_directories_unless_told_to_overwrite() {
    let dir = temp_dir("rundir-regress");
    let s = |p: &Path| p.to_str().unwrap_or("").to_string();
    let regress = |out: &Path, extra: &[&str]| {
        let mut args = vec!["regress".to_string(), "--dataset".into(), "line".into()];
        args.extend(["--out".to_string(), s(out)]);
        args.extend(extra.iter().map(|a| a.to_string()));
        plaindnn(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let fit = dir.join("fit");
    assert!(regress(&fit, &[]).status.success());
    let out = regress(&fit, &[]);
    assert!(
        stderr(&out).contains("already holds a `regress` fit (linear.json)"),
        "{}",
        stderr(&out)
    );
    let before = listing(&fit);
    let out = train(&fit, &["--dataset", "line", "--epochs", "2"]);
    assert!(
        stderr(&out).contains("already holds a `regress` fit"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        listing(&fit),
        before,
        "refused: not even an empty checkpoint/ added"
    );
    // --overwrite replaces the fit with the network, and predict then uses the network
    let out = train(&fit, &["--dataset", "line", "--epochs", "2", "--overwrite"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!fit.join("linear.json").exists() && !fit.join("coefficients.json").exists());
    for verb in [
        vec!["predict", "--input", "0.5"],
        vec!["eval"],
        vec!["summary"],
    ] {
        let out = plaindnn(&[verb.as_slice(), &["--run", &s(&fit)]].concat());
        assert!(out.status.success(), "{verb:?}: {}", stderr(&out));
    }
    // and the other way round
    let out = regress(&fit, &[]);
    assert!(
        stderr(&out).contains("already holds a run"),
        "{}",
        stderr(&out)
    );
    assert!(regress(&fit, &["--overwrite"]).status.success());
    assert!(!fit.join("model.bpk").exists() && fit.join("linear.json").exists());
    // a user's own linear.json is no fit: named as a file, not called one, and kept
    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).expect("mkdir");
    std::fs::write(mine.join("linear.json"), "{\"my\": 1}").expect("writes");
    let out = regress(&mine, &[]);
    assert!(
        stderr(&out).contains("holds linear.json (names a plaindnn run writes) but no run, as plaindnn cannot read its linear.json as a run's"),
        "{}",
        stderr(&out)
    );
    let kept = std::fs::read_to_string(mine.join("linear.json")).expect("kept");
    assert_eq!(kept, "{\"my\": 1}");
    // a fit has no backend to choose: the default named too (an audit found it accepted)
    for backend in ["ndarray", "flex", "auto"] {
        let args = [
            "predict",
            "--run",
            &s(&fit),
            "--input",
            "0.5",
            "--backend",
            backend,
        ];
        let out = plaindnn(&args);
        let said = "invalid --backend: a `regress` fit is computed in f64 on the CPU";
        assert!(stderr(&out).contains(said), "{backend}: {}", stderr(&out));
    }
}

/// A review found `regress` and `train` wrote a fit or a run among an experiment's results
/// without `--overwrite`, after which the experiment itself refused the folder as "a training
/// run". Now neither writes there, `--overwrite` or not, and the experiment names a fit a fit.
#[test]
fn an_experiments_folder_is_never_written_into_by_train_or_regress() {
    let dir = temp_dir("rundir-experiment");
    let results = dir.join("results");
    let s = |p: &Path| p.to_str().unwrap_or("").to_string();
    let experiment = |out: &Path, extra: &[&str]| {
        let args = ["experiment", "linear-collapse", "--quick", "--out", &s(out)];
        plaindnn(&[args.as_slice(), extra].concat())
    };
    let out = experiment(&results, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = listing(&results);
    for overwrite in [&[][..], &["--overwrite"][..]] {
        let fit = ["regress", "--dataset", "line", "--out", &s(&results)];
        let refused = [
            plaindnn(&[fit.as_slice(), overwrite].concat()),
            train(&results, &[&["--epochs", "1"][..], overwrite].concat()),
        ];
        for out in refused {
            assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
            assert!(
                stderr(&out).contains("holds an experiment's results (report.md)"),
                "{}",
                stderr(&out)
            );
        }
    }
    assert_eq!(
        listing(&results),
        before,
        "nothing written among the results"
    );
    let fit = dir.join("fit");
    let out = plaindnn(&["regress", "--dataset", "line", "--out", &s(&fit)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = experiment(&fit, &["--overwrite"]);
    assert!(
        stderr(&out).contains("holds a `regress` fit: give the experiment its own --out"),
        "{}",
        stderr(&out)
    );
}

/// A run stopped before its first save (saving by time) has epochs in metrics.csv and no
/// weights: predict and `--init-from` say so and point to `--resume` (they asked whether
/// training had finished an epoch, or gave the file system's "No such file").
#[test]
fn a_run_without_weights_yet_points_predict_and_init_from_to_resume() {
    let dir = temp_dir("rundir-no-weights");
    let run = dir.join("run");
    assert!(train(&run, &["--epochs", "2"]).status.success());
    std::fs::remove_file(run.join("model.bpk")).expect("removed");
    std::fs::remove_dir_all(run.join("checkpoint")).expect("removed");
    let said = "has no model.bpk yet: it was stopped before its first save (2 epochs in \
                metrics.csv); `plaindnn train --resume";
    let predicted = plaindnn(&["predict", "--run", s(&run), "--input", "1,1"]);
    assert!(stderr(&predicted).contains(said), "{}", stderr(&predicted));
    let started = train(&dir.join("next"), &["--init-from", s(&run)]);
    assert_eq!(started.status.code(), Some(1));
    assert!(stderr(&started).contains(said), "{}", stderr(&started));
}

/// What fails after the network is saved (a full disk at the report; here a folder in its way)
/// says the network is saved, and predict reads it (an audit: the message named only the file).
#[test]
fn a_failure_at_the_end_of_training_says_the_network_was_saved() {
    let dir = temp_dir("rundir-end-fails");
    std::fs::create_dir_all(dir.join("report.html").join("mine")).expect("made");
    let out = train(&dir, &["--epochs", "2", "--overwrite"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("report.html"), "{err}");
    assert!(
        err.contains("; the trained network is saved (model.bpk"),
        "{err}"
    );
    let predicted = plaindnn(&["predict", "--run", s(&dir), "--input", "1,1"]);
    assert!(predicted.status.success(), "{}", stderr(&predicted));
}

/// The run in `dir` set aside as `--overwrite` does (its files in `.replaced`, its checkpoints
/// in `checkpoint/.replaced`), as a replacement killed before its first file leaves it; the
/// two folders.
fn set_aside_by_hand(dir: &Path) -> (PathBuf, PathBuf) {
    let (aside, checkpoints) = (dir.join(".replaced"), dir.join("checkpoint"));
    std::fs::create_dir_all(checkpoints.join(".replaced")).expect("made");
    std::fs::create_dir_all(&aside).expect("made");
    for name in listing(dir) {
        if name != "checkpoint" && name != ".replaced" {
            std::fs::rename(dir.join(&name), aside.join(&name)).expect("moved");
        }
    }
    for name in listing(&checkpoints) {
        if name != ".replaced" {
            let to = checkpoints.join(".replaced").join(&name);
            std::fs::rename(checkpoints.join(&name), to).expect("moved");
        }
    }
    std::fs::write(aside.join(".whole"), "").expect("set aside whole");
    (aside, checkpoints)
}

/// A review: a kill while a run was being set aside (its files moved, its checkpoint only in
/// part) leaves the old run's own files outside `.replaced`, where no checkpoint is complete:
/// they are no replacement's to remove. `--resume` puts the whole run back and goes on from
/// its checkpoint, to the metrics of a run never set aside (it had removed them and started
/// over).
#[test]
fn a_run_set_aside_in_part_comes_back_whole_and_resumes_from_its_checkpoint() {
    let dir = temp_dir("rundir-aside-part");
    let (part, whole) = (dir.join("part"), dir.join("whole"));
    let args = [
        "--epochs",
        "3",
        "--checkpoint-every",
        "1",
        "--no-early-stopping",
    ];
    assert!(train(&part, &args).status.success());
    let more = [
        "--epochs",
        "5",
        "--checkpoint-every",
        "1",
        "--no-early-stopping",
    ];
    assert!(train(&whole, &more).status.success());
    let aside = part.join(".replaced");
    std::fs::create_dir_all(part.join("checkpoint/.replaced")).expect("made");
    std::fs::create_dir_all(&aside).expect("made");
    for name in listing(&part) {
        if name != "checkpoint" && name != ".replaced" {
            std::fs::rename(part.join(&name), aside.join(&name)).expect("moved");
        }
    }
    let model = part.join("checkpoint/model-3.bpk");
    std::fs::rename(&model, part.join("checkpoint/.replaced/model-3.bpk")).expect("moved");
    let o = plaindnn(&["train", "--resume", s(&part), "--epochs", "5", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let metrics = |d: &Path| read(&d.join("metrics.csv"));
    assert_eq!(
        metrics(&part),
        metrics(&whole),
        "epochs 4 and 5 after the first three"
    );
    assert!(!aside.exists());
}

/// A review: `pretrain --out D` put a user's own `.replaced/notes.txt` among the run's files
/// and wrote over the user's `report.html` beside it; refused, as `train` refuses it.
#[test]
fn a_pretraining_refuses_a_users_own_replaced_folder_and_keeps_what_is_beside_it() {
    let dir = temp_dir("rundir-pretrain-users-replaced");
    std::fs::create_dir_all(dir.join(".replaced")).expect("made");
    std::fs::write(dir.join(".replaced/notes.txt"), "mine").expect("written");
    std::fs::write(dir.join("report.html"), "my report").expect("written");
    let args = [
        "pretrain",
        "--dataset",
        "shapes",
        "--hidden",
        "4",
        "--epochs",
        "1",
    ];
    let o = plaindnn(&[&args[..], &["--quiet", "--out", s(&dir)]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("notes.txt, which no run writes"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&dir.join("report.html")), b"my report");
    assert_eq!(read(&dir.join(".replaced/notes.txt")), b"mine");
}

/// A `pretrain --overwrite` killed in its first stage leaves that stage's rows and no saved
/// weights beside the pretraining it replaced, waiting: `eval` named the waiting run with "move
/// its files back", and `pretrain --out D` refused "the stages of an unfinished pretraining"
/// (its own half stage) with only `--overwrite`. Without `--overwrite`, the half stage goes and
/// the old pretraining is back, byte for byte.
#[test]
fn a_pretraining_killed_in_its_first_stage_gives_back_the_one_it_replaced() {
    let dir = temp_dir("rundir-aside-pretrain");
    let pretrain = |more: &[&str]| {
        let mut args = vec!["pretrain", "--dataset", "shapes", "--hidden", "8"];
        args.extend(["--epochs", "2", "--quiet", "--out", s(&dir)]);
        plaindnn(&[&args[..], more].concat())
    };
    assert!(pretrain(&[]).status.success());
    let files = ["config.json", "model.bpk", "layer1/metrics.csv"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| read(&dir.join(f))).collect();
    let (aside, checkpoints) = set_aside_by_hand(&dir);
    std::fs::create_dir_all(dir.join("layer1")).expect("made");
    let half = "epoch,train_loss,val_loss,val_rmse,lr\n1,0.5,0.5,0.7,1e-3\n";
    std::fs::write(dir.join("layer1/metrics.csv"), half).expect("the killed stage's");

    let o = plaindnn(&["eval", "--run", s(&dir)]);
    let way = format!(
        "`plaindnn pretrain --out {}` without --overwrite puts it back first",
        s(&dir)
    );
    assert!(stderr(&o).contains(&way), "{}", stderr(&o));
    let o = pretrain(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already holds a pretraining"),
        "{}",
        stderr(&o)
    );
    for (file, bytes) in files.iter().zip(&before) {
        assert_eq!(
            &read(&dir.join(file)),
            bytes,
            "{file} is the old pretraining's"
        );
    }
    assert!(!aside.exists() && !checkpoints.join(".replaced").exists());
}

/// A replacement killed after it set the old run aside but before it wrote its `config.json`
/// leaves no run, only the old one waiting: a run without `--overwrite` must not replace that
/// one at its first save. The old run is put back, and the folder refused as holding it.
#[test]
fn a_run_set_aside_with_no_replacement_is_put_back_not_replaced_without_overwrite() {
    let dir = temp_dir("rundir-aside-alone");
    assert!(train(&dir, &["--epochs", "2"]).status.success());
    let model = read(&dir.join("model.bpk"));
    let (aside, checkpoints) = set_aside_by_hand(&dir);
    let out = train(&dir, &["--epochs", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already holds a run"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir.join("model.bpk")), model, "the old run, back");
    assert!(!aside.exists() && !checkpoints.join(".replaced").exists());
}

/// A kill while a run was being set aside (its config.json goes first) leaves it half moved: a
/// replacing run puts it back whole before it sets it aside again, so a replacement that then
/// diverges gives back the whole old run (a review: half of it was deleted).
#[test]
fn a_run_half_set_aside_comes_back_whole_under_a_replacement_that_fails() {
    let dir = temp_dir("rundir-half-aside");
    assert!(train(&dir, &["--epochs", "2"]).status.success());
    let files = ["config.json", "model.bpk", "metrics.csv"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| read(&dir.join(f))).collect();
    let aside = dir.join(".replaced");
    std::fs::create_dir_all(&aside).expect("made");
    std::fs::rename(dir.join("config.json"), aside.join("config.json")).expect("moved");
    let out = train(&dir, &["--overwrite", "--lr", "1e30"]);
    assert!(
        stderr(&out).contains("the run it replaced is back"),
        "{}",
        stderr(&out)
    );
    for (file, bytes) in files.iter().zip(&before) {
        assert_eq!(&read(&dir.join(file)), bytes, "{file} is the old run's");
    }
    assert!(!aside.exists());
}

/// The command that trained a run is kept in its config.json and shown in report.html, quoted
/// as a shell reads it; a resumed run keeps the command that started it.
#[test]
fn a_runs_config_and_report_hold_the_command_that_started_it_through_a_resume() {
    let dir = temp_dir("run-command");
    let run = dir.join("a run");
    let out = run.to_str().unwrap_or("");
    let trained = plaindnn(&[
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        out,
    ]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let said = format!("plaindnn train --dataset xor --epochs 2 --quiet --out '{out}'");
    let command = |run: &Path| run_config(run)["command"].as_str().map(str::to_string);
    assert_eq!(command(&run).as_deref(), Some(said.as_str()));
    let report = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    assert!(
        report.contains(&format!("<h2>Command</h2>\n<pre>{said}</pre>")),
        "{report}"
    );
    let resumed = plaindnn(&["train", "--resume", out, "--epochs", "3", "--quiet"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(command(&run).as_deref(), Some(said.as_str()));
    // a pretraining's autoencoder too
    let encoder = dir.join("encoder");
    let args = [
        "pretrain", "--hidden", "4", "--epochs", "1", "--quiet", "--out",
    ];
    let pretrained = plaindnn(&[&args[..], &[encoder.to_str().unwrap_or("")]].concat());
    assert!(pretrained.status.success(), "{}", stderr(&pretrained));
    let said = format!("plaindnn {} {}", args.join(" "), encoder.display());
    assert_eq!(command(&encoder).as_deref(), Some(said.as_str()));
}

/// `.replaced` is where `--overwrite` sets the old run aside, deleted at the new run's first save:
/// a user's file of that name made a run that trained fine exit 1 at the end (`Not a
/// directory`), and a user's folder of that name had its files moved in among the run's.
#[test]
fn a_users_own_file_or_folder_named_replaced_is_refused_before_training_and_kept() {
    let dir = temp_dir("rundir-users-replaced");
    let (file, folder) = (dir.join("file"), dir.join("folder"));
    std::fs::create_dir_all(&file).expect("made");
    std::fs::write(file.join(".replaced"), "mine").expect("written");
    std::fs::create_dir_all(folder.join(".replaced")).expect("made");
    std::fs::write(folder.join(".replaced/notes.txt"), "mine").expect("written");
    for (out, said) in [
        (&file, "is a file or a link, not a folder"),
        (&folder, "holds notes.txt, which no run writes"),
    ] {
        for overwrite in [&[][..], &["--overwrite"]] {
            let o = train(out, &[&["--epochs", "1"][..], overwrite].concat());
            assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
            let want = format!("{} {said}", out.join(".replaced").display());
            assert!(stderr(&o).contains(&want), "{}", stderr(&o));
            assert_eq!(listing(out), [".replaced"], "nothing written");
        }
    }
    assert_eq!(
        std::fs::read(file.join(".replaced")).expect("kept"),
        b"mine"
    );
    let notes = std::fs::read(folder.join(".replaced/notes.txt")).expect("kept");
    assert_eq!(notes, b"mine");
}

/// An outside audit: `regress` took no lock, so a second `regress` into the folder while a
/// gradient descent ran saved its fit, and the first one's later save replaced it without
/// `--overwrite` (a `train` meanwhile wrote a network beside the fit). It holds the folder's
/// lock as `train` does: the others are refused, naming it.
#[test]
fn a_regress_fitting_into_a_folder_holds_it_against_another_regress_or_train() {
    let dir = temp_dir("rundir-regress-lock");
    let mut first = Command::new(common::bin())
        .args([
            "regress",
            "--out",
            s(&dir),
            "--method",
            "gd",
            "--iterations",
            "3000000",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let lock = dir.join(".lock");
    let deadline = std::time::Duration::from_secs(30);
    common::wait_for("the fit's lock", deadline, || {
        std::fs::read_to_string(&lock).is_ok_and(|pid| pid == first.id().to_string())
    });
    let held = format!("another plaindnn (pid {}) is training into it", first.id());
    let regress = plaindnn(&["regress", "--out", s(&dir), "--dataset", "cubic"]);
    let train = train(&dir, &["--epochs", "1"]);
    let _ = first.kill();
    let _ = first.wait();
    for (what, o) in [("regress", regress), ("train", train)] {
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(&held), "{what}: {}", stderr(&o));
    }
    assert!(
        !dir.join("config.json").exists(),
        "no network beside the fit"
    );
}

/// An outside audit killed `train --overwrite` just after it set the old run aside, before the
/// new one wrote its config.json: `eval`, `summary` and `--resume` said the folder "holds no
/// config.json, so it is not a run, but it holds 1 run (one is D/.replaced)", with no way on.
/// They name the waiting run and `--resume`, which puts it back and continues it.
#[test]
fn a_run_set_aside_by_a_killed_replacement_is_named_and_resume_puts_it_back() {
    let dir = temp_dir("rundir-aside-resume");
    assert!(train(&dir, &["--epochs", "2", "--checkpoint-every", "1"])
        .status
        .success());
    let (aside, checkpoints) = set_aside_by_hand(&dir);
    std::fs::write(dir.join(".config.json.tmp-4242"), "{").expect("the killed one's");
    let o = plaindnn(&["eval", "--run", s(&dir)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = format!(
        "holds no config.json: the run `--overwrite` replaced waits in {}",
        aside.display()
    );
    assert!(stderr(&o).contains(&said), "{}", stderr(&o));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let o = plaindnn(&["train", "--resume", s(&dir), "--epochs", "3", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(metric_rows(&dir), 3, "the old run, put back and continued");
    assert!(!aside.exists() && !checkpoints.join(".replaced").exists());
}

/// A review: runs written before Adam's betas were refused under SGD kept them in config.json
/// (`--preset plain` over a file with betas did); their `--resume` must go on, the refusal is a
/// new run's alone.
#[test]
fn a_run_whose_config_kept_adams_betas_under_sgd_still_resumes() {
    let dir = temp_dir("rundir-old-betas");
    let args = [
        "--optimizer",
        "sgd",
        "--epochs",
        "2",
        "--checkpoint-every",
        "1",
    ];
    assert!(train(&dir, &args).status.success());
    let path = dir.join("config.json");
    let mut config = run_config(&dir);
    config["train"]["optimizer"]["beta1"] = serde_json::json!(0.5);
    std::fs::write(&path, config.to_string()).expect("edit");
    let o = plaindnn(&["train", "--resume", s(&dir), "--epochs", "3", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(metric_rows(&dir), 3);
}

/// An outside audit: a kill mid-write left `D/.config.json.tmp-PID` (and an experiment's
/// `.model.bpk.tmp-PID`), still there after later runs. A run or a resume that holds the
/// folder removes a run file's temporary whose writer is gone; another name's stays.
#[test]
fn a_killed_writers_temporary_files_are_removed_by_the_next_run_in_the_folder() {
    if !Path::new("/proc/self").exists() {
        return; // the sweep asks /proc whether the writer runs
    }
    let dir = temp_dir("rundir-temporaries");
    assert!(train(&dir, &["--epochs", "2", "--checkpoint-every", "1"])
        .status
        .success());
    // a pid above Linux's largest (2^22): no process has it
    let (left, mine) = (".config.json.tmp-99999999", ".notes.txt.tmp-99999999");
    std::fs::write(dir.join(left), "{").expect("written");
    std::fs::write(dir.join(mine), "mine").expect("written");
    let o = plaindnn(&["train", "--resume", s(&dir), "--epochs", "3", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.join(left).exists(), "the killed writer's temporary");
    assert!(dir.join(mine).exists(), "not a run file's: kept");
}

/// An outside audit: `regress --data dd/metrics.csv --out dd --overwrite` fitted, then removed
/// the data file as a run's `metrics.csv`; `train` wrote its metrics over it, and `pretrain` set
/// it aside mid-run. Each refuses, before anything is moved, a data file `--overwrite` would
/// remove: under a name a run writes in `--out` or in a stage's folder there, given directly
/// or through a link (a review found both); a file of another name in `checkpoint/` is no
/// checkpoint, and trains.
#[test]
fn overwrite_never_removes_or_writes_over_the_data_file_the_command_reads() {
    let dir = temp_dir("rundir-data-inside");
    let (out, stage) = (dir.join("dd"), dir.join("dd").join("layer2"));
    std::fs::create_dir_all(&stage).expect("made");
    std::fs::create_dir_all(out.join("checkpoint")).expect("made");
    let rows: String = (0..30)
        .map(|i| format!("{i},{},{}\n", i % 7, i % 2))
        .collect();
    let text = format!("a,b,y\n{rows}");
    let (metrics, report) = (out.join("metrics.csv"), stage.join("report.html"));
    let mine = out.join("checkpoint").join("mine.csv");
    for file in [&metrics, &report, &mine] {
        std::fs::write(file, &text).expect("written");
    }
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&metrics, &link).expect("linked");
    let says = |data: &Path| {
        format!(
            "invalid --out: {} holds --data's file {} under a name a run writes there: \
             --overwrite would remove it",
            s(&out),
            s(data)
        )
    };
    for verb in ["regress", "train", "pretrain"] {
        for data in [&metrics, &report, &link] {
            let args = [verb, "--data", s(data), "--out", s(&out), "--overwrite"];
            let err = stderr(&plaindnn(&args));
            assert!(err.contains(&says(data)), "{verb} {}: {err}", s(data));
        }
    }
    let all = ["checkpoint", "layer2", "metrics.csv"];
    assert_eq!(listing(&out), all, "nothing set aside or made");
    for file in [&metrics, &report] {
        assert_eq!(std::fs::read_to_string(file).expect("read"), text);
    }
    let trained = train(&out, &["--data", s(&mine), "--epochs", "1", "--overwrite"]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    assert_eq!(std::fs::read_to_string(&mine).expect("read"), text);
    // anything in `.replaced/`, which goes whole once a new run saves (a review: a stage's
    // files set aside there were not refused, and went)
    let aside = out.join(".replaced").join("layer1");
    std::fs::create_dir_all(&aside).expect("made");
    let set_aside = aside.join("metrics.csv");
    std::fs::write(&set_aside, &text).expect("written");
    for verb in ["regress", "train"] {
        let args = [
            verb,
            "--data",
            s(&set_aside),
            "--out",
            s(&out),
            "--overwrite",
        ];
        let err = stderr(&plaindnn(&args));
        assert!(err.contains(&says(&set_aside)), "{verb}: {err}");
    }
    assert_eq!(std::fs::read_to_string(&set_aside).expect("read"), text);
    // a checkpoint's name in a `checkpoint/` that links elsewhere: its files go with the run
    let (elsewhere, linked) = (dir.join("elsewhere"), dir.join("linked"));
    std::fs::create_dir_all(&elsewhere).expect("made");
    std::fs::create_dir_all(&linked).expect("made");
    std::os::unix::fs::symlink(&elsewhere, linked.join("checkpoint")).expect("linked");
    let kept = elsewhere.join("kept-1.bpk");
    std::fs::write(&kept, &text).expect("written");
    let args = [
        "train",
        "--data",
        s(&kept),
        "--out",
        s(&linked),
        "--overwrite",
    ];
    let err = stderr(&plaindnn(&args));
    assert!(err.contains("holds --data's file"), "{err}");
    assert_eq!(std::fs::read_to_string(&kept).expect("read"), text);
}
