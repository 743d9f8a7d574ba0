//! Faults a long training run meets: a kill, a second run into the same directory, damaged
//! checkpoints, a config from another version, a file larger than memory.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{plaindnn, refused, stderr, stdout, temp_dir, wait_for};

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

/// 20 000 rows of 20 deterministic features; the label is the sign of a fixed mix of them.
fn slow_csv(dir: &Path) -> PathBuf {
    let frac = |x: f64| x - x.floor();
    let mut text = (0..20)
        .map(|j| format!("f{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + ",label\n";
    for i in 0..20_000 {
        let row: Vec<f64> = (0..20)
            .map(|j| frac(i as f64 * (0.618_033_99 + j as f64 * 0.137_2)) * 2.0 - 1.0)
            .collect();
        let score: f64 = row
            .iter()
            .enumerate()
            .map(|(j, v)| if j % 2 == 0 { *v } else { -0.5 * v })
            .sum();
        let cells: Vec<String> = row.iter().map(|v| format!("{v:.4}")).collect();
        text += &format!(
            "{},{}\n",
            cells.join(","),
            if score > 0.0 { "pos" } else { "neg" }
        );
    }
    let path = dir.join("slow.csv");
    std::fs::write(&path, text).expect("write");
    path
}

const SLOW_ARGS: [&str; 11] = [
    "--checkpoint-every", // a checkpoint after every epoch, so a kill lands between two
    "1",
    "--hidden",
    "128,128",
    "--epochs",
    "8",
    "--no-early-stopping",
    "--dropout",
    "0.1",
    "--quiet",
    "--seed",
];

fn spawn_training(data: &Path, out: &Path) -> Child {
    let mut args = vec!["train", "--data", s(data), "--out", s(out)];
    args.extend(SLOW_ARGS);
    args.push("3");
    Command::new(common::bin())
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

fn metrics_rows(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("metrics.csv"))
        .map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn a_run_killed_mid_epoch_resumes_to_exactly_the_metrics_of_an_uninterrupted_run() {
    let dir = temp_dir("kill");
    let data = slow_csv(&dir);
    let whole = dir.join("whole");
    let mut child = spawn_training(&data, &whole);
    assert!(child.wait().expect("waits").success());

    // Kill it (SIGKILL) twice at different points, resuming in between.
    let killed = dir.join("killed");
    let mut child = spawn_training(&data, &killed);
    wait_for("two epochs", Duration::from_secs(120), || {
        metrics_rows(&killed) >= 2
    });
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let mut resumed = Command::new(common::bin())
        .args(["train", "--resume", s(&killed), "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_for("five epochs", Duration::from_secs(120), || {
        metrics_rows(&killed) >= 5
    });
    resumed.kill().expect("SIGKILL");
    resumed.wait().expect("reaped");
    let out = plaindnn(&["train", "--resume", s(&killed), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let read = |d: &Path| std::fs::read_to_string(d.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(
        read(&killed),
        read(&whole),
        "weights, optimizer, shuffling and dropout all resume exactly"
    );
    assert!(
        !killed.join(".lock").exists(),
        "the finished run releases its lock"
    );
}

/// `command` with Ctrl-C and SIGTERM at their defaults in the child, as in a terminal: tests run
/// from a script's background job (as `.ci/run` may be) inherit SIGINT ignored, and plaindnn
/// leaves an ignored signal ignored.
fn signals_at_default(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: signal(2) is async-signal-safe, and the closure allocates nothing.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        })
    }
}

/// Sends `signal` (`INT`, `TERM`) to `child` and waits for it: its exit status and standard error.
fn signal(child: Child, signal: &str) -> (Option<i32>, String) {
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status();
    assert!(sent.expect("kill runs").success());
    let out = child.wait_with_output().expect("reaped");
    (out.status.code(), stderr(&out))
}

/// Ctrl-C and SIGTERM stop a run after the step they come in, as Lightning's graceful shutdown
/// does: the run stands at its last whole epoch, the command says so with the way on and exits
/// 128 + the signal (a kill by the signal has no exit code), and `--resume` finishes it to the
/// uninterrupted run's metrics.
#[test]
fn ctrl_c_or_sigterm_stops_a_run_at_a_whole_epoch_that_resume_finishes_exactly() {
    let dir = temp_dir("signals");
    let data = slow_csv(&dir);
    // 30 epochs: time to signal each process before it ends
    let training = |out: &Path| {
        let mut args = vec!["train", "--data", s(&data), "--out", s(out)];
        args.extend(SLOW_ARGS.map(|a| if a == "8" { "30" } else { a }));
        let mut command = Command::new(common::bin());
        command.args(args).arg("3");
        command
    };
    let piped = |mut command: Command| {
        (signals_at_default(&mut command).stdout(Stdio::null()))
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let whole = dir.join("whole");
    assert!(training(&whole).status().expect("runs").success());

    let stopped = dir.join("stopped");
    let first = piped(training(&stopped));
    wait_for("two epochs", Duration::from_secs(120), || {
        metrics_rows(&stopped) >= 2
    });
    let (code, err) = signal(first, "INT");
    let epochs = metrics_rows(&stopped);
    assert_eq!(code, Some(130), "{err}");
    let said = format!("stopped by Ctrl-C (SIGINT) after epoch {epochs} of 30: model.bpk holds");
    assert!(err.contains(&said), "{err}");
    let way_on = format!(
        "`plaindnn train --resume {}` goes on after epoch",
        s(&stopped)
    );
    assert!(err.contains(&way_on), "{err}");
    assert!(!stopped.join(".lock").exists(), "the lock is released");

    let mut resumed = Command::new(common::bin());
    resumed.args(["train", "--resume", s(&stopped), "--quiet"]);
    let resumed = piped(resumed);
    wait_for("more epochs", Duration::from_secs(120), || {
        metrics_rows(&stopped) > epochs
    });
    let (code, err) = signal(resumed, "TERM");
    assert_eq!(code, Some(143), "{err}");
    assert!(err.contains("stopped by SIGTERM after epoch"), "{err}");
    let out = plaindnn(&["train", "--resume", s(&stopped), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |d: &Path| std::fs::read_to_string(d.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(read(&stopped), read(&whole));
}

/// A review: a process started with SIGINT ignored (`nohup`, a script's background job) was
/// stopped by it, and a SIGTERM after a Ctrl-C waited for the step to end: an ignored signal
/// stays ignored, and a second signal of either kind ends the process at once.
#[test]
fn an_ignored_ctrl_c_stays_ignored_and_a_second_signal_of_either_kind_ends_at_once() {
    let dir = temp_dir("signals-ignored");
    let spawn = |out: &Path, ignore: &str| {
        let trap = match ignore {
            "" => String::new(),
            signal => format!("trap '' {signal}; "),
        };
        let script = format!("{trap}exec \"$0\" \"$@\"");
        signals_at_default(&mut Command::new("sh"))
            .args(["-c", &script])
            .arg(common::bin())
            .args(["train", "--dataset", "spiral", "--epochs", "100000"])
            .args(["--no-early-stopping", "--quiet", "--out", s(out)])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let ignoring = dir.join("ignoring");
    let child = spawn(&ignoring, "INT");
    wait_for("an epoch", Duration::from_secs(60), || {
        metrics_rows(&ignoring) >= 1
    });
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill")
        .success());
    let seen = metrics_rows(&ignoring);
    wait_for(
        "more epochs after the ignored Ctrl-C",
        Duration::from_secs(60),
        || metrics_rows(&ignoring) > seen + 10,
    );
    let (code, err) = signal(child, "TERM");
    assert_eq!(code, Some(143), "{err}");
    assert!(err.contains("stopped by SIGTERM"), "{err}");

    let twice = dir.join("twice");
    let child = spawn(&twice, "");
    wait_for("an epoch", Duration::from_secs(60), || {
        metrics_rows(&twice) >= 1
    });
    // one shell sends both, microseconds apart: the stop after the step has no time to end
    let both = format!("kill -INT {0}; kill -TERM {0}", child.id());
    assert!(Command::new("sh")
        .args(["-c", &both])
        .status()
        .expect("kill")
        .success());
    let out = child.wait_with_output().expect("reaped");
    let (code, err) = (out.status.code(), stderr(&out));
    // the kernel may run the later signal's handler first: 128 + either
    assert!(matches!(code, Some(130 | 143)), "{code:?}: {err}");
    assert!(!err.contains("stopped by"), "ended at once: {err}");
}

/// A run's folder deleted while it trains: the run fails at its next write, saying the folder
/// was removed (it said only "D/model.bpk: No such file or directory"), whether the folder went
/// at once (moved away) or file by file as `rm -rf` deletes it (a failed checkpoint was then told
/// as a full disk while config.json was still there).
#[test]
fn a_run_whose_folder_is_deleted_while_it_trains_says_the_folder_was_removed() {
    let dir = temp_dir("deleted-mid-run");
    let out_dir = dir.join("run");
    let delete = |how: &str| {
        let training = Command::new(common::bin())
            .args(["train", "--dataset", "spiral", "--epochs", "100000"])
            .args(["--no-early-stopping", "--checkpoint-every", "1", "--quiet"])
            .args(["--out", s(&out_dir)])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        wait_for("the first save", Duration::from_secs(60), || {
            out_dir.join("model.bpk").exists()
        });
        match how {
            "moved away" => {
                let gone = dir.join("gone");
                std::fs::rename(&out_dir, &gone).expect("moved away");
                std::fs::remove_dir_all(&gone).expect("deleted");
            }
            // again where a file was written meanwhile
            _ => wait_for("the folder deleted", Duration::from_secs(10), || {
                std::fs::remove_dir_all(&out_dir).is_ok()
            }),
        }
        let out = training.wait_with_output().expect("reaped");
        assert_eq!(out.status.code(), Some(1), "{how}");
        let said = format!(
            "error: run directory {}: was removed or moved while the run trained in it, and what \
             it saved is not there: train it again",
            out_dir.display()
        );
        assert!(stderr(&out).starts_with(&said), "{how}: {}", stderr(&out));
        let _ = std::fs::remove_dir_all(&out_dir); // a checkpoint's write may have made it again
    };
    delete("moved away");
    for _ in 0..3 {
        delete("rm -rf");
    }
}

/// `eval`, `predict`, `summary` and `export` read a run while it trains, warning that its
/// weights are the ones saved so far (they said nothing); once its process is gone, no warning.
#[test]
fn reading_a_run_while_it_trains_warns_that_its_weights_are_those_saved_so_far() {
    let dir = temp_dir("reading-while-training");
    let out_dir = dir.join("run");
    let mut training = Command::new(common::bin())
        .args([
            "train",
            "--dataset",
            "spiral",
            "--epochs",
            "100000",
            "--no-early-stopping",
        ])
        .args(["--checkpoint-every", "1", "--quiet", "--out", s(&out_dir)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_for("the first save", Duration::from_secs(60), || {
        out_dir.join("model.bpk").exists()
    });
    let exported = dir.join("m.safetensors");
    let run = s(&out_dir);
    let reads = [
        vec!["eval", "--run", run],
        vec!["predict", "--run", run, "--input", "0.1,0.2"],
        vec!["summary", "--run", run],
        vec!["export", "--run", run, "--out", s(&exported)],
    ];
    let warning = "is training now: this reads the weights it has saved so far (model.bpk)";
    for args in &reads {
        let read = plaindnn(args);
        assert!(read.status.success(), "{args:?}: {}", stderr(&read));
        assert!(
            stderr(&read).contains(warning),
            "{args:?}: {}",
            stderr(&read)
        );
    }
    training.kill().expect("SIGKILL");
    training.wait().expect("reaped");
    let read = plaindnn(&reads[0]);
    assert!(read.status.success(), "{}", stderr(&read));
    assert!(!stderr(&read).contains(warning), "{}", stderr(&read));
}

#[test]
fn a_second_run_into_a_directory_in_use_is_refused_and_a_dead_runs_lock_is_taken_over() {
    let dir = temp_dir("lock");
    let data = slow_csv(&dir);
    let out_dir = dir.join("run");
    let mut first = spawn_training(&data, &out_dir);
    wait_for("the lock", Duration::from_secs(60), || {
        out_dir.join(".lock").exists()
    });
    let second = plaindnn(&["train", "--out", s(&out_dir), "--quiet"]);
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(
        err.contains(&format!(
            "another plaindnn (pid {}) is training into it",
            first.id()
        )),
        "{err}"
    );

    // other directories train at the same time
    let elsewhere = plaindnn(&[
        "train",
        "--out",
        s(&dir.join("other")),
        "--epochs",
        "3",
        "--quiet",
    ]);
    assert!(elsewhere.status.success(), "{}", stderr(&elsewhere));

    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    assert!(
        out_dir.join(".lock").exists(),
        "a killed process leaves its lock behind"
    );
    // the killed run left a run behind: replacing it needs --overwrite, and the lock is no obstacle
    let after = plaindnn(&[
        "train",
        "--out",
        s(&out_dir),
        "--epochs",
        "2",
        "--quiet",
        "--overwrite",
    ]);
    assert!(
        after.status.success(),
        "the stale lock is taken over: {}",
        stderr(&after)
    );
}

/// The lock was a file made first and given its owner's id after: a second run reading it in
/// between took it as a dead run's, and an audit saw two runs started together both finish
/// into one folder (1 pair in 5), mixing it. Now one of each pair is refused, every time.
#[test]
fn of_two_runs_started_together_into_one_directory_one_is_refused() {
    let dir = temp_dir("lock-race");
    for pair in 0..12 {
        let out = dir.join(format!("run{pair}"));
        let start = |seed: &str| {
            let args = [
                "train",
                "--dataset",
                "spiral",
                "--epochs",
                "20",
                "--seed",
                seed,
            ];
            Command::new(common::bin())
                .args(args)
                .args(["--no-early-stopping", "--quiet", "--out", s(&out)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (a, b) = (start("1"), start("2"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let ok = [&a, &b].map(|o| o.status.success());
        assert!(
            !(ok[0] && ok[1]),
            "pair {pair}: both trained into one directory"
        );
        let refused = if ok[0] { &b } else { &a };
        let err = stderr(refused);
        assert!(
            err.contains("is training into it") || err.contains("already holds a run"),
            "{err}"
        );
    }
}

/// Two runs started together with the default `--out` both train, each under its own next free
/// name (an audit saw one refused in 2 tries of 5: both had picked the same free name), and the
/// one that tried again says its warnings and its banner once (the banner came again with the
/// next name).
#[test]
fn two_runs_started_together_with_the_default_name_each_take_a_free_one() {
    let train = [
        "train",
        "--data",
        "flat.csv",
        "--epochs",
        "3",
        "--lr-schedule",
        "step:10",
    ];
    let warned = [CONSTANT, "the lr schedule step:10 first lowers the rate"];
    six_pairs_each_take_a_free_name("default-names", &train, &warned, Some("training "));
}

/// The same for two pretrainings (the second was refused by the first's lock).
#[test]
fn two_pretrainings_started_together_with_the_default_name_each_take_a_free_one() {
    let pretrain = ["pretrain", "--data", "flat.csv", "--epochs", "1", "--quiet"];
    six_pairs_each_take_a_free_name("default-pretrain-names", &pretrain, &[CONSTANT], None);
}

/// The same for two fits (the second was refused by the first's lock).
#[test]
fn two_fits_started_together_with_the_default_name_each_take_a_free_one() {
    let regress = [
        "regress",
        "--data",
        "flat.csv",
        "--target",
        "a",
        "--features",
        "label",
        "--json", // its output one document still, the taken name said on standard error
    ];
    six_pairs_each_take_a_free_name("default-regress-names", &regress, &[], None);
}

/// The warning `flat.csv` gives.
const CONSTANT: &str = "column `k` is constant in the training rows";

/// Six pairs of `args` started together in a fresh folder holding `flat.csv` (a constant column
/// `k`) finish into twelve folders, each saying each of `warned` once, and printing one line
/// that starts with `banner` (or, with `--json`, one JSON document).
fn six_pairs_each_take_a_free_name(
    name: &str,
    args: &[&str],
    warned: &[&str],
    banner: Option<&str>,
) {
    let dir = temp_dir(name);
    let rows: String = (0..60).map(|i| format!("{i},5,{}\n", i % 2)).collect();
    std::fs::write(dir.join("flat.csv"), format!("a,k,label\n{rows}")).expect("write");
    for _ in 0..6 {
        let start = || {
            Command::new(common::bin())
                .args(args)
                .current_dir(&dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (a, b) = (start(), start());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            let err = stderr(&out);
            assert!(out.status.success(), "{err}");
            for warning in warned {
                assert_eq!(err.matches(warning).count(), 1, "{warning}: {err}");
            }
            if args.contains(&"--json") {
                let said = stdout(&out);
                let parsed = serde_json::from_str::<serde_json::Value>(&said);
                assert!(parsed.is_ok(), "not one JSON document: {said}");
            }
            if let Some(banner) = banner {
                let said = stdout(&out);
                let banners = said.lines().filter(|l| l.starts_with(banner)).count();
                assert_eq!(banners, 1, "{said}");
            }
        }
    }
    let runs = std::fs::read_dir(dir.join("artifacts/runs"))
        .expect("runs")
        .count();
    assert_eq!(runs, 12, "each run its own folder");
}

/// A pretraining holds its folder through every stage: a `train --out` into it meanwhile, with
/// `--overwrite` or not, is refused (it took the folder, and the pretraining failed at its end).
#[test]
fn a_pretraining_holds_its_folder_through_its_stages() {
    let dir = temp_dir("pretrain-lock");
    let out = dir.join("pre");
    let mut pretraining = Command::new(common::bin())
        .args([
            "pretrain",
            "--dataset",
            "spiral",
            "--train-size",
            "20000",
            "--hidden",
            "64,64",
        ])
        .args(["--epochs", "30", "--quiet", "--out", s(&out)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_for("the first stage", Duration::from_secs(60), || {
        out.join("layer1").join("metrics.csv").exists()
    });
    for extra in [&[][..], &["--overwrite"]] {
        let mut args = vec!["train", "--epochs", "1", "--quiet", "--out", s(&out)];
        args.extend(extra);
        let second = plaindnn(&args);
        assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
        assert!(
            stderr(&second).contains("is training into it"),
            "{}",
            stderr(&second)
        );
    }
    pretraining.kill().expect("SIGKILL");
    pretraining.wait().expect("reaped");
}

/// Checkpoints are written in the background, and a failed one (a full disk) was reported only
/// when training ended, tens of epochs later, with nothing recent to resume from meanwhile.
/// Now the run stops at once, naming the last complete checkpoint, from which it resumes.
#[test]
fn a_checkpoint_that_cannot_be_written_stops_the_run_at_once_and_it_resumes_later() {
    let dir = temp_dir("failed-save");
    let data = slow_csv(&dir);
    let out = dir.join("run");
    let args = [
        "--checkpoint-every",
        "1",
        "--hidden",
        "128,128",
        "--no-early-stopping",
    ];
    let child = Command::new(common::bin())
        .args([
            "train",
            "--data",
            s(&data),
            "--out",
            s(&out),
            "--epochs",
            "60",
            "--quiet",
        ])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_for("two epochs", Duration::from_secs(120), || {
        metrics_rows(&out) >= 2
    });
    // a folder where an epoch's model checkpoint goes: its write fails, the others' do not
    let from = metrics_rows(&out) + 2;
    let blocked: Vec<PathBuf> = (from..from + 4)
        .map(|e| out.join("checkpoint").join(format!("model-{e}.bpk")))
        .collect();
    for folder in &blocked {
        std::fs::create_dir_all(folder.join("in-the-way")).expect("made");
    }
    let failed = child.wait_with_output().expect("waited");
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let err = stderr(&failed);
    assert!(err.contains("checkpointing failed ("), "{err}");
    assert!(
        err.contains("the last complete checkpoint is epoch"),
        "{err}"
    );
    assert!(
        metrics_rows(&out) <= from + 6,
        "it went on to {}",
        metrics_rows(&out)
    );
    for folder in &blocked {
        std::fs::remove_dir_all(folder).expect("removed");
    }
    let resumed = plaindnn(&["train", "--resume", s(&out), "--quiet"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(metrics_rows(&out), 60);
}

fn trained(name: &str, hidden: &str) -> common::TempDir {
    let dir = temp_dir(name);
    let out = plaindnn(&[
        "train",
        "--out",
        s(&dir),
        "--hidden",
        hidden,
        "--epochs",
        "3",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn predict_error(run: &Path) -> String {
    let out = plaindnn(&["predict", "--run", s(run), "--input", "2,2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn truncated_corrupted_or_foreign_model_files_are_errors_not_panics() {
    let run = trained("damaged", "50");
    let model = run.join("model.bpk");
    let bytes = std::fs::read(&model).expect("model.bpk");
    std::fs::write(&model, &bytes[..bytes.len() / 2]).expect("truncate");
    assert!(predict_error(&run).contains("model.bpk"));
    let mut flipped = bytes.clone();
    flipped.iter_mut().take(64).for_each(|b| *b ^= 0xA5);
    std::fs::write(&model, &flipped).expect("corrupt");
    assert!(predict_error(&run).contains("model.bpk"));
    // one byte of one weight (an audit's: a valid network, another one, exit 0): its checksum
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x40;
    std::fs::write(&model, &flipped).expect("corrupt");
    let err = predict_error(&run);
    assert!(
        err.contains("model.bpk: its checksum does not match its contents"),
        "{err}"
    );
    std::fs::write(&model, b"PK\x03\x04 this is a zip file, not burnpack").expect("foreign");
    assert!(predict_error(&run).contains("model.bpk"));
    std::fs::write(&model, b"").expect("empty");
    assert!(predict_error(&run).contains("model.bpk"));
    // a folder of that name is not a file "moved or deleted"
    std::fs::remove_file(&model).expect("remove");
    std::fs::create_dir(&model).expect("a folder");
    let err = predict_error(&run);
    assert!(err.contains("has a model.bpk that is not a file"), "{err}");
}

#[test]
fn a_config_whose_names_or_classes_do_not_fit_its_network_is_refused() {
    let run = trained("config-disagrees", "8");
    let path = run.join("config.json");
    let original = std::fs::read_to_string(&path).expect("config");
    for (edit, message) in [
        (
            ("feature_names", "[\"x\"]"),
            "1 feature name for a network of 2 inputs",
        ),
        (
            ("class_names", "[\"I\"]"),
            "1 class name for a network of 4 outputs",
        ),
        (
            // an audit's: predict printed "quadrant I (p: I 0.5178, I 0.0998, …)"
            ("class_names", "[\"I\", \"I\", \"III\", \"IV\"]"),
            "the class name `I` is given twice, and each output needs its own",
        ),
        (
            // an audit's: predict printed a classifier's four outputs as values
            ("task", "\"regression\""),
            "a regression with 4 class names (a classifier's)",
        ),
        (
            ("scaler", "{\"mean\": [0], \"std\": [1]}"),
            "a scaler with 1 mean and 1 deviation for 2 columns",
        ),
        (
            // every prediction was not a finite number (the library audit)
            ("scaler", "{\"mean\": [0, 0], \"std\": [1, 0]}"),
            "a scaler with a mean of 0 and a deviation of 0 in column 2",
        ),
        (
            // a review: a negative deviation passed the check once the scaler was f64's
            ("scaler", "{\"mean\": [0, 0], \"std\": [1, -2]}"),
            "a scaler with a mean of 0 and a deviation of -2 in column 2",
        ),
    ] {
        let mut config: serde_json::Value = serde_json::from_str(&original).expect("json");
        config["data"][edit.0] = serde_json::from_str(edit.1).expect("json");
        std::fs::write(&path, config.to_string()).expect("edit");
        let err = predict_error(&run);
        assert!(
            err.contains(&format!("config.json disagrees with itself: {message}")),
            "{err}"
        );
    }
    // a value the network refuses is named as the file's, not as a flag never given
    let mut config: serde_json::Value = serde_json::from_str(&original).expect("json");
    config["train"]["model"]["dropout"] = 3.into();
    std::fs::write(&path, config.to_string()).expect("edit");
    let err = predict_error(&run);
    let said = "config.json: invalid dropout: must be in [0, 1), got 3 (edited by hand?)";
    assert!(err.contains(said), "{err}");
    // and a value of the data it names (the message named `--val-size`, which nobody gave)
    for (field, value, said) in [
        (
            "val_size",
            0.into(),
            "val_size: must be 1 to 10000000 rows of `quadrants`, got 0",
        ),
        ("noise", (-1.0).into(), "noise: must be 0 to 1e6, got -1.0"),
        (
            "val_fraction",
            2.into(),
            "val_fraction: must be in (0, 1), got 2",
        ),
        (
            "decimal",
            "x".into(),
            "decimal: `x` is not a decimal mark; give `.` or `,`",
        ),
    ] {
        let mut config: serde_json::Value = serde_json::from_str(&original).expect("json");
        if ["val_fraction", "decimal"].contains(&field) {
            let csv = r#"{"kind": "csv", "path": "r.csv", "val_fraction": 0.2, "seed": 1, "standardize": true}"#;
            config["data"]["source"] = serde_json::from_str(csv).expect("json");
        }
        config["data"]["source"][field] = value;
        std::fs::write(&path, config.to_string()).expect("edit");
        let err = predict_error(&run);
        let said = format!("config.json: invalid data.source.{said} (edited by hand?)");
        assert!(err.contains(&said), "{err}");
    }
    // a pretraining's names the source it reads the inputs of (a review saw `--val-fraction`)
    let mut config: serde_json::Value = serde_json::from_str(&original).expect("json");
    let csv =
        r#"{"kind": "csv", "path": "r.csv", "val_fraction": 2, "seed": 1, "standardize": true}"#;
    let csv: serde_json::Value = serde_json::from_str(csv).expect("json");
    config["data"]["source"] = serde_json::json!({"kind": "inputs", "of": csv});
    std::fs::write(&path, config.to_string()).expect("edit");
    let err = predict_error(&run);
    let said = "config.json: invalid data.source.of.val_fraction: must be in (0, 1), got 2";
    assert!(err.contains(said), "{err}");
    // a key misspelt or edited in is refused by its path, not read past: `nosie` left the
    // noise at 0 without a word, where `train` refused the same typo in its own part
    for (at, key) in [("", "foo"), ("data", "nosie"), ("data.source", "nosie")] {
        let mut config: serde_json::Value = serde_json::from_str(&original).expect("json");
        let object = at
            .split('.')
            .filter(|k| !k.is_empty())
            .fold(&mut config, |v, k| &mut v[k]);
        object[key] = 0.3.into();
        std::fs::write(&path, config.to_string()).expect("edit");
        let err = predict_error(&run);
        let path_of = |k: &str| {
            [at, k]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(".")
        };
        let said = match at {
            "data.source" => format!("`data.source`: unknown field `{key}`"), // serde: the enum's path
            _ => format!("`{}`: unknown field `{key}`", path_of(key)),
        };
        assert!(err.contains(&said), "{err}");
    }
}

#[test]
fn weights_of_another_architecture_are_refused_with_the_shapes() {
    let (wide, narrow) = (trained("arch-wide", "50"), trained("arch-narrow", "8"));
    std::fs::copy(narrow.join("model.bpk"), wide.join("model.bpk")).expect("swap");
    let err = predict_error(&wide);
    assert!(err.contains("model.bpk"), "{err}");
    // the first layer's weight: [2 inputs, 50 units] expected, [2, 8] found
    assert!(
        err.contains("shape mismatch, expected [2, 50] but record has [2, 8]"),
        "names both shapes plainly: {err}"
    );
    assert!(
        err.contains("restore it from a copy, or train the run again"),
        "the way on: {err}"
    );
}

/// An audit: `--resume` of a run whose config.json was edited to other layers was told its
/// checkpoint was damaged and to delete it — which would lose a sound checkpoint, and the one
/// before it would not fit either.
#[test]
fn resuming_a_run_whose_config_was_edited_to_other_layers_points_to_the_config() {
    let run = trained("resume-edited-layers", "50");
    let path = run.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    config["train"]["model"]["hidden"] = serde_json::json!([7]);
    std::fs::write(&path, config.to_string()).expect("edit");
    let dir = run.to_str().unwrap_or("");
    let out = plaindnn(&["train", "--resume", dir, "--epochs", "9", "--quiet"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("shape mismatch") && err.contains("put back config.json as the run wrote it"),
        "{err}"
    );
    assert!(!err.contains("delete it"), "{err}");
}

#[test]
fn a_config_from_another_format_version_is_refused() {
    let run = trained("format", "50");
    let path = run.join("config.json");
    let text = std::fs::read_to_string(&path)
        .expect("config.json")
        .replace("\"format_version\": 1", "\"format_version\": 99");
    std::fs::write(&path, text).expect("write");
    assert!(predict_error(&run)
        .contains("config.json has format version 99; this plaindnn reads version 1"));
    std::fs::write(&path, "{ not json").expect("write");
    assert!(predict_error(&run).contains("config.json is not valid JSON"));
    // no run at all is not a version problem (it said "format version 0")
    std::fs::write(&path, "{}").expect("write");
    let err = predict_error(&run);
    assert!(
        err.contains("config.json does not describe a run: it has no format_version"),
        "{err}"
    );
}

#[test]
fn a_config_json_value_of_the_wrong_type_is_named_by_its_key_line_and_column() {
    let run = trained("wrong-type", "50");
    let path = run.join("config.json");
    let text = std::fs::read_to_string(&path).expect("config.json");
    let line = 1 + text
        .lines()
        .position(|l| l.contains("\"inputs\": 2"))
        .expect("inputs");
    std::fs::write(&path, text.replace("\"inputs\": 2", "\"inputs\": -1")).expect("write");
    // serde_json alone said "invalid value: integer `-1`, expected usize", with no key or place
    let err = predict_error(&run);
    let want = "`train.model.inputs`: invalid value: integer `-1`, expected usize at line";
    assert!(err.contains(want), "{err}");
    assert!(err.contains(&format!("at line {line} column")), "{err}");
}

#[test]
fn resuming_from_a_damaged_optimizer_checkpoint_is_an_error() {
    let run = trained("resume-damaged", "50");
    let optim = run.join("checkpoint/optim-3.bpk");
    std::fs::write(&optim, b"garbage").expect("corrupt");
    let out = plaindnn(&["train", "--resume", s(&run), "--epochs", "5", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("optim-3.bpk"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn a_csv_larger_than_free_memory_is_refused_before_reading() {
    let dir = temp_dir("memory");
    let data = dir.join("d.csv");
    std::fs::write(&data, "a,label\n1,x\n2,y\n3,x\n4,y\n").expect("write");
    let out = Command::new(common::bin())
        .args([
            "train",
            "--data",
            s(&data),
            "--quiet",
            "--out",
            s(&dir.join("run")),
        ])
        .env("PLAINDNN_MEMORY_LIMIT", "10")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    // the file's 24 bytes against the limit the variable set, named (it said "0 MiB … 0 MiB")
    let said =
        "d.csv: the file is 24 bytes but PLAINDNN_MEMORY_LIMIT allows 10 bytes; plaindnn holds";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

#[test]
fn checkpoints_every_n_epochs_keep_the_last_two_saves_and_a_resume_replays_from_the_older_one() {
    let dir_parent = temp_dir("checkpoint-every");
    let dir = dir_parent.join("run");
    let run = dir.to_str().unwrap_or("");
    let args = [
        "train",
        "--epochs",
        "7",
        "--checkpoint-every",
        "3",
        "--no-early-stopping",
        "--quiet",
        "--out",
        run,
    ];
    let out = plaindnn(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let saved = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("checkpoint"))
            .expect("checkpoint dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    };
    let expected = [
        "model-6.bpk",
        "model-7.bpk",
        "optim-6.bpk",
        "optim-7.bpk",
        "scheduler-6.bpk",
        "scheduler-7.bpk",
    ];
    assert_eq!(
        saved(&dir),
        expected,
        "epochs 3 and 6 saved, 3 deleted, the last epoch always saved"
    );
    let metrics = std::fs::read(dir.join("metrics.csv")).expect("metrics.csv");

    // as if killed in epoch 7 before or while its checkpoint was written: any one of its three
    // files missing, or all, resume from epoch 6 and redo epoch 7
    let missing: [&[&str]; 4] = [
        &["optim"],
        &["scheduler"],
        &["model"],
        &["model", "optim", "scheduler"],
    ];
    for parts in missing {
        for part in parts {
            let file = dir.join("checkpoint").join(format!("{part}-7.bpk"));
            std::fs::remove_file(file).expect("exists");
        }
        let out = plaindnn(&["train", "--resume", run, "--quiet"]);
        assert!(out.status.success(), "{parts:?}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(dir.join("metrics.csv")).expect("metrics.csv"),
            metrics,
            "without {parts:?} of epoch 7: epoch 7 again, byte for byte"
        );
        assert_eq!(saved(&dir), expected, "{parts:?}");
    }
}

#[test]
fn a_checkpoint_interval_of_zero_is_refused_by_name() {
    refused(
        &[
            "train",
            "--checkpoint-every",
            "0",
            "--quiet",
            "--out",
            temp_dir("ce0").to_str().unwrap_or(""),
        ],
        "invalid --checkpoint-every: must be at least 1 epoch, got 0",
    );
}

/// Saving by time (the default, Lightning's `train_time_interval`): 60 tiny epochs in well under
/// the interval save once, after the last epoch — one checkpoint, `model.bpk` the best epoch's
/// weights (its validation loss is the lowest in `metrics.csv`, as `eval` recomputes it).
#[test]
fn saving_by_time_writes_the_checkpoint_and_the_best_weights_once_for_many_tiny_epochs() {
    let dir_parent = temp_dir("interval");
    let dir = dir_parent.join("run");
    let run = dir.to_str().unwrap_or("");
    let mut args = vec![
        "train",
        "--train-size",
        "8",
        "--val-size",
        "64",
        "--batch-size",
        "8",
    ];
    // early stopping that never stops: the run ends with (and saves) its best epoch's weights
    args.extend([
        "--epochs",
        "60",
        "--checkpoint-interval",
        "30",
        "--patience",
        "1000",
    ]);
    args.extend(["--quiet", "--out", run]);
    let out = plaindnn(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(dir.join("checkpoint"))
        .expect("checkpoint dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    // kept-60 is model.bpk under a second name, for --resume
    assert_eq!(
        names,
        [
            "kept-60.bpk",
            "model-60.bpk",
            "optim-60.bpk",
            "scheduler-60.bpk"
        ]
    );
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    let best = metrics
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2)?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min);
    let eval = plaindnn(&["eval", "--run", run, "--json"]);
    let loss = common::json(&eval)["scores"]["loss"]
        .as_f64()
        .expect("loss");
    assert!(
        (loss - best).abs() < 1e-5,
        "model.bpk evaluates to {loss}, best epoch {best}"
    );
}

/// Killed before its first save, a run saving by time has no checkpoint: `--resume` starts it
/// over and ends at exactly the metrics of an uninterrupted run.
#[test]
fn a_run_killed_before_its_first_save_starts_over_on_resume() {
    let dir = temp_dir("interval-kill");
    let data = slow_csv(&dir);
    let args = |out: &Path| {
        let mut a = vec!["train", "--data", s(&data), "--out", s(out)];
        a.extend(&SLOW_ARGS[2..]);
        a.extend(["3", "--checkpoint-interval", "1000"]);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let whole = dir.join("whole");
    let out = Command::new(common::bin())
        .args(args(&whole))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let killed = dir.join("killed");
    let mut child = Command::new(common::bin())
        .args(args(&killed))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_for("two epochs", Duration::from_secs(120), || {
        metrics_rows(&killed) >= 2
    });
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(
        !killed.join("model.bpk").exists(),
        "nothing saved before the interval"
    );
    let out = plaindnn(&["train", "--resume", s(&killed), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |d: &Path| std::fs::read_to_string(d.join("metrics.csv")).expect("metrics.csv");
    assert_eq!(read(&killed), read(&whole));
}

/// The best epoch's weights travel with each checkpoint: a run killed after an improvement that
/// fell between two checkpoints (so `model.bpk` holds a later epoch than the checkpoint), then
/// resumed to end before that epoch, ends with the weights of the run that never stopped.
#[test]
fn a_resume_ends_with_the_best_weights_as_of_its_checkpoint_not_a_later_model_file() {
    let dir = temp_dir("resume-kept");
    let run = |name: &str, epochs: &str| {
        let out_dir = dir.join(name);
        let args = [
            "--dataset",
            "spiral",
            "--checkpoint-every",
            "5",
            "--patience",
            "100",
        ];
        let train = [
            &["train", "--out", s(&out_dir), "--epochs", epochs, "-q"][..],
            &args,
        ]
        .concat();
        assert!(plaindnn(&train).status.success());
        out_dir
    };
    let (killed, whole) = (run("killed", "17"), run("whole", "16"));
    // what a kill right after epoch 17's checkpoint files but before they were complete leaves
    for name in ["model", "optim", "scheduler", "kept"] {
        let _ = std::fs::remove_file(killed.join(format!("checkpoint/{name}-17.bpk")));
    }
    let out = plaindnn(&["train", "--resume", s(&killed), "--epochs", "16", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = |r: &Path| std::fs::read(r.join("metrics.csv")).expect("metrics");
    assert_eq!(metrics(&killed), metrics(&whole));
    // the files differ in Burn's parameter ids; what the weights compute does not
    let scores = |r: &Path| common::stdout(&plaindnn(&["eval", "--run", s(r), "--json"]));
    assert!(
        scores(&killed) == scores(&whole),
        "the model of the uninterrupted run"
    );
}

#[test]
fn a_resume_that_would_leave_a_gap_in_the_history_is_refused() {
    let dir = temp_dir("resume-gaps");
    let fresh = |name: &str| {
        let run = dir.join(name);
        let train = [
            "train",
            "--out",
            s(&run),
            "--epochs",
            "6",
            "--checkpoint-every",
            "1",
            "-q",
        ];
        assert!(plaindnn(&train).status.success());
        run
    };
    let resume = |run: &Path| plaindnn(&["train", "--resume", s(run), "--epochs", "8", "-q"]);
    // the last rows of metrics.csv lost
    let cut = fresh("cut");
    let text = std::fs::read_to_string(cut.join("metrics.csv")).expect("metrics");
    let kept: Vec<&str> = text.lines().take(4).collect();
    std::fs::write(cut.join("metrics.csv"), kept.join("\n") + "\n").expect("cut");
    let err = stderr(&resume(&cut));
    assert!(
        err.contains(
            "metrics.csv records 3 of the 6 epochs its checkpoint holds (no readable row for \
             epoch 4, 5, 6)"
        ),
        "{err}"
    );
    // a row that does not read as one, all the rows there (an audit: "9 of the 10")
    let garbled = fresh("garbled");
    let text = std::fs::read_to_string(garbled.join("metrics.csv")).expect("metrics");
    let mut rows: Vec<String> = text.lines().map(str::to_string).collect();
    rows[2] = "2,abc,0.5,0.5,0.01".to_string();
    std::fs::write(garbled.join("metrics.csv"), rows.join("\n") + "\n").expect("garbled");
    let err = stderr(&resume(&garbled));
    let swapped = fresh("swapped");
    let text = std::fs::read_to_string(swapped.join("metrics.csv")).expect("metrics");
    let mut rows: Vec<&str> = text.lines().collect();
    rows.swap(1, 2);
    std::fs::write(swapped.join("metrics.csv"), rows.join("\n") + "\n").expect("swapped");
    let said = stderr(&resume(&swapped));
    assert!(
        said.contains("does not hold epochs 1 to 6 once each and in order"),
        "{said}"
    );
    assert!(
        err.contains("5 of the 6 epochs its checkpoint holds (no readable row for epoch 2)"),
        "{err}"
    );
    // the checkpoints removed
    let bare = fresh("bare");
    std::fs::remove_dir_all(bare.join("checkpoint")).expect("rm");
    let before = std::fs::read(bare.join("model.bpk")).expect("model");
    let err = stderr(&resume(&bare));
    assert!(
        err.contains("has no checkpoint/ folder, so nothing to continue from"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(bare.join("model.bpk")).expect("model"),
        before
    );
    // killed before its first epoch ended (config.json, an empty checkpoint/): it starts over
    let early = fresh("early");
    std::fs::remove_dir_all(early.join("checkpoint")).expect("rm");
    std::fs::create_dir(early.join("checkpoint")).expect("mkdir");
    std::fs::remove_file(early.join("metrics.csv")).expect("rm");
    let out = resume(&early);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = std::fs::read_to_string(early.join("metrics.csv")).expect("metrics");
    assert_eq!(rows.lines().count(), 9, "8 epochs from the start");
    // one that recorded a spread no new run may draw from (before that was checked) is told
    // so as it starts over, not trained from it (a review)
    let path = early.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    config["train"]["model"]["init"] = serde_json::json!({"normal": {"std": -1.0}});
    std::fs::write(&path, config.to_string()).expect("written");
    std::fs::remove_dir_all(early.join("checkpoint")).expect("rm");
    std::fs::create_dir(early.join("checkpoint")).expect("mkdir");
    std::fs::remove_file(early.join("metrics.csv")).expect("rm");
    let err = stderr(&resume(&early));
    assert!(
        err.contains(
            "so it starts over from new weights, drawn as it recorded: invalid \
                      normal:STD: must be a positive number, got -1; train it again"
        ),
        "{err}"
    );
}

#[test]
fn a_resume_refuses_a_data_file_that_changed_since_the_run_trained() {
    let dir = temp_dir("resume-changed-data");
    let data = dir.join("points.csv");
    let rows = |scale: f64| -> String {
        let body: String = (0..80)
            .map(|i| {
                format!(
                    "{},{},{}\n",
                    (i % 9) as f64 * scale,
                    (i % 5) as f64 * scale,
                    i % 2
                )
            })
            .collect();
        format!("a,b,label\n{body}")
    };
    std::fs::write(&data, rows(1.0)).expect("csv");
    let run = dir.join("run");
    let train = [
        "train",
        "--data",
        s(&data),
        "--epochs",
        "3",
        "-q",
        "--out",
        s(&run),
    ];
    assert!(plaindnn(&train).status.success());
    std::fs::write(&data, rows(100.0)).expect("csv");
    refused(
        &["train", "--resume", s(&run), "--epochs", "5", "-q"],
        "points.csv has changed since the run trained (its columns' means or deviations differ)",
    );
    let rows_now = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics");
    assert_eq!(rows_now.lines().count(), 4, "nothing trained");
    // a text column added last: the file no longer reads as the run's columns, and the reason
    // is the change, not the flags a new run would take (--target, --features)
    let text: String = (rows(1.0).lines())
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "note" } else { "ok" }))
        .collect();
    std::fs::write(&data, text).expect("csv");
    let out = plaindnn(&["train", "--resume", s(&run), "--epochs", "5", "-q"]);
    let said = "points.csv has changed since the run trained and no longer reads as the run's data";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--target"), "{}", stderr(&out));
}

#[test]
fn resume_and_eval_refuse_a_file_whose_rows_changed_even_with_the_same_columns_and_no_scaling() {
    let dir = temp_dir("changed-rows");
    let data = dir.join("points.csv");
    let rows = |n: usize| -> String {
        let body: String = (0..n)
            .map(|i| format!("{},{},{}\n", i % 9, i % 5, i % 2))
            .collect();
        format!("a,b,label\n{body}")
    };
    std::fs::write(&data, rows(80)).expect("csv");
    let run = dir.join("run");
    let train = [
        "train",
        "--data",
        s(&data),
        "--no-standardize",
        "--epochs",
        "3",
        "-q",
    ];
    assert!(plaindnn(&[&train[..], &["--out", s(&run)]].concat())
        .status
        .success());
    let scored = plaindnn(&["eval", "--run", s(&run)]);
    assert!(scored.status.success(), "{}", stderr(&scored));
    std::fs::write(&data, rows(30)).expect("csv"); // the same columns, other rows
    let out = plaindnn(&["train", "--resume", s(&run), "--epochs", "5", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let said = "points.csv has changed since the run trained (its bytes differ: its rows, or only how they are written)";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let out = plaindnn(&["eval", "--run", s(&run)]);
    assert_eq!(out.status.code(), Some(1));
    let said =
        "points.csv has changed since the run trained, so its validation rows are no longer known";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // rows given to score are scored
    let out = plaindnn(&["eval", "--run", s(&run), "--data", s(&data)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("rows      30"), "{}", stdout(&out));
    // a file that is gone is named as gone, not as changed
    std::fs::remove_file(&data).expect("rm");
    let out = plaindnn(&["eval", "--run", s(&run)]);
    let said = "points.csv: the run's data is no longer there, so its validation rows are not known: give the rows to score with --data FILE.csv";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

#[test]
fn a_changed_validation_file_is_named_with_the_training_file() {
    let dir = temp_dir("changed-val-data");
    let rows = |n: usize, k: usize| -> String {
        let body: String = (0..n)
            .map(|i| format!("{},{},{}\n", (i * k) % 9, i % 5, i % 2))
            .collect();
        format!("a,b,label\n{body}")
    };
    let (data, val) = (dir.join("train.csv"), dir.join("val.csv"));
    std::fs::write(&data, rows(60, 1)).expect("csv");
    std::fs::write(&val, rows(20, 2)).expect("csv");
    let run = dir.join("run");
    let train = [
        "train",
        "--data",
        s(&data),
        "--val-data",
        s(&val),
        "--epochs",
        "2",
        "-q",
        "--out",
        s(&run),
    ];
    assert!(plaindnn(&train).status.success());
    std::fs::write(&val, rows(20, 3)).expect("csv"); // the training file as it was
    let out = plaindnn(&["train", "--resume", s(&run), "--epochs", "4", "-q"]);
    let said = format!("{} or its --val-data {} has changed", s(&data), s(&val));
    let err = stderr(&out);
    assert!(err.contains(&said), "{err}");
}

/// An audit found a resumed run panicking as it ended (exit 101, no report.html) when its best
/// epoch came before the resume and none after: the kept weights were read from
/// `checkpoint/kept-N.bpk` only when used, after the run's later checkpoints had pruned that
/// file. metrics.csv is edited so that epoch 1 is the best for certain.
#[test]
fn a_resumed_run_whose_best_epoch_came_before_the_resume_ends_cleanly() {
    let dir = common::temp_dir("resume-kept-pruned");
    let run = dir.join("run");
    let run_s = run.to_str().unwrap_or("");
    let first = [
        "train",
        "--dataset",
        "xor",
        "--hidden",
        "16",
        "--epochs",
        "3",
    ];
    let out = plaindnn(
        &[
            &first[..],
            &["--checkpoint-every", "1", "-q", "--out", run_s],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics");
    let mut lines: Vec<String> = metrics.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[2] = "0.00000001".into(); // epoch 1's val_loss: no later epoch beats it
    lines[1] = cells.join(",");
    std::fs::write(run.join("metrics.csv"), lines.join("\n") + "\n").expect("edit");
    // the first run wrote one: gone, so that the one found after is the resumed run's
    std::fs::remove_file(run.join("report.html")).expect("the first run wrote report.html");
    let out = plaindnn(&["train", "--resume", run_s, "--epochs", "6", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        run.join("report.html").exists(),
        "the run's end was written"
    );
    let kept = std::fs::read_dir(run.join("checkpoint")).expect("checkpoint/");
    let names: Vec<String> = kept
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    assert!(
        !names.contains(&"kept-3.bpk".to_string()),
        "pruned, as before: {names:?}"
    );
}

/// A replacing run (`--overwrite`) on `data` into `out`, slow enough to kill mid-run, saving
/// as `saving` says.
fn spawn_replacing(data: &Path, out: &Path, saving: [&str; 2]) -> Child {
    let args = ["train", "--data", s(data), "--out", s(out), "--overwrite"];
    Command::new(common::bin())
        .args(args)
        .args([
            "--hidden",
            "128,128",
            "--epochs",
            "1000",
            "--no-early-stopping",
        ])
        .args(saving)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// A replacing run killed before its first save leaves the run it replaced aside (the
/// messages name where), the next `--overwrite` keeps that one aside for itself (not the
/// killed run's few epochs), and it comes back when that replacement fails too; one killed
/// after its first save has deleted it.
#[test]
fn a_replacing_run_killed_before_its_first_save_leaves_the_old_run_aside() {
    let dir = temp_dir("replace-kill");
    let (data, out) = (slow_csv(&dir), dir.join("run"));
    let old = plaindnn(&["train", "--out", s(&out), "--epochs", "3", "--quiet"]);
    assert!(old.status.success(), "{}", stderr(&old));
    let old_files = ["config.json", "model.bpk", "metrics.csv"].map(|f| out.join(f));
    let old_bytes = old_files.clone().map(|f| std::fs::read(f).expect("read"));
    let aside = out.join(".replaced");

    // the replacement's own config.json and first row: the old run is all aside by then
    let replacing =
        || std::fs::read_to_string(out.join("config.json")).is_ok_and(|c| c.contains("slow.csv"));
    let mut killed = spawn_replacing(&data, &out, ["--checkpoint-interval", "1000"]);
    wait_for("an epoch", Duration::from_secs(120), || {
        replacing() && metrics_rows(&out) >= 1
    });
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reaped");
    assert!(
        std::fs::read(aside.join("model.bpk")).is_ok_and(|b| b == old_bytes[1]),
        "the old run's weights wait aside"
    );
    let eval = plaindnn(&["eval", "--run", s(&out)]);
    let waits = format!("the run it replaced waits in {}", aside.display());
    assert!(stderr(&eval).contains(&waits), "{}", stderr(&eval));
    refused(&["train", "--out", s(&out)], &waits);
    // a refused pretraining leaves both as they are (a review found it put the old one back)
    let config = std::fs::read(out.join("config.json")).expect("the replacement's");
    let pretrain = plaindnn(&["pretrain", "--out", s(&out), "--epochs", "1", "-q"]);
    assert_eq!(pretrain.status.code(), Some(1), "{}", stderr(&pretrain));
    assert_eq!(std::fs::read(out.join("config.json")).ok(), Some(config));
    assert!(aside.join("model.bpk").is_file(), "still aside");

    let diverged = plaindnn(&[
        "train",
        "--out",
        s(&out),
        "--overwrite",
        "--lr",
        "1e30",
        "-q",
    ]);
    assert!(
        stderr(&diverged).contains("the run it replaced is back"),
        "{}",
        stderr(&diverged)
    );
    for (file, bytes) in old_files.iter().zip(&old_bytes) {
        assert_eq!(
            &std::fs::read(file).expect("read"),
            bytes,
            "{}",
            file.display()
        );
    }
    assert!(!aside.exists());

    let mut saved = spawn_replacing(&data, &out, ["--checkpoint-every", "1"]);
    wait_for("two epochs", Duration::from_secs(120), || {
        replacing() && metrics_rows(&out) >= 2
    });
    saved.kill().expect("SIGKILL");
    saved.wait().expect("reaped");
    assert!(
        !aside.exists() && !out.join("checkpoint/.replaced").exists(),
        "deleted at the replacement's first save"
    );
}
