//! Every experiment runs in `--quick` mode: its table has a row per variant with the test-split
//! column, and — one seed proves nothing — its verdict is inconclusive and says why. The verdict
//! logic itself is unit-tested with synthetic results in `src/experiment/claims/`.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{json, plaindnn, stderr, stdout, temp_dir, wait_for};

/// Every experiment and its number of variants, in the tutorial's order.
const EXPERIMENTS: [(&str, usize); 10] = [
    ("linear-collapse", 3),
    ("activations", 5),
    ("vanishing-gradients", 5),
    ("exploding-gradients", 3),
    ("optimizers", 3),
    ("overfitting", 7),
    ("default-config", 2),
    ("depth", 4),
    ("transfer", 4),
    ("pretraining", 4),
];

const HEAD: &str = "| variant | test accuracy | val accuracy | best val loss \
                    | final val − train loss | epochs |";

/// The label and cells of a table row `| label | 50.0 ± 0.0 % | … |`.
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// Checks one quick report: a row per variant, in order, each run once, numbers or `—`.
fn check_table(name: &str, variants: usize, report: &serde_json::Value) {
    let table = report["table"].as_str().expect("a table");
    let mut lines = table.lines();
    assert!(
        lines.next().unwrap_or("").starts_with(HEAD),
        "{name}: {table}"
    );
    let rows: Vec<Vec<&str>> = lines.skip(1).map(cells).collect();
    let listed = report["variants"].as_array().expect("variants");
    assert_eq!(rows.len(), variants, "{name}: {table}");
    assert_eq!(listed.len(), variants, "{name}");
    for (row, v) in rows.iter().zip(listed) {
        let label = v["label"].as_str().unwrap_or("");
        let (runs, diverged) = (v["runs"].as_u64(), v["diverged"].as_u64());
        assert_eq!(
            runs.zip(diverged).map(|(r, d)| r + d),
            Some(1),
            "{name} {label}"
        );
        assert!(row[0].starts_with(label), "{name}: row {row:?} for {label}");
        // the test accuracy of a run that trained is a percentage; a diverged one shows —
        let test: f64 = row[1]
            .split(' ')
            .next()
            .unwrap_or("")
            .parse()
            .unwrap_or(f64::NAN);
        match diverged {
            Some(0) => assert!((0.0..=100.0).contains(&test), "{name} {label}: {}", row[1]),
            _ => assert_eq!(row[1], "—", "{name} {label}"),
        }
        let from_json = v["test_accuracy"]["mean"].as_f64().map(|m| m * 100.0);
        if let Some(m) = from_json {
            assert!(
                (m - test).abs() < 0.05 + 1e-9,
                "{name} {label}: {m} vs {test}"
            );
        }
        // --json carries the table's other columns as numbers (it had the accuracies alone)
        let columns = [
            (3, "best_val_loss", 0.0005),
            (4, "val_minus_train_loss", 0.0005),
            (5, "epochs", 0.5),
        ];
        for (i, key, half_digit) in columns {
            match v[key]["mean"].as_f64() {
                Some(m) => {
                    let shown: f64 = row[i].parse().unwrap_or(f64::NAN);
                    assert!(
                        (m - shown).abs() <= half_digit + 1e-9,
                        "{name} {label} {key}: {m} vs {}",
                        row[i]
                    );
                }
                None => assert_eq!(row[i], "—", "{name} {label} {key}"),
            }
        }
        if row.len() > 6 && row[6].contains('e') {
            let ratio = v["grad_ratio"]["mean"]
                .as_f64()
                .expect("the ratio in --json");
            assert_eq!(format!("{ratio:.1e}"), row[6], "{name} {label}");
        }
        if row.len() > 6 && row[6].contains("runs)") {
            let reached = v["reached_target"]
                .as_u64()
                .expect("reached_target in --json");
            assert!(
                row[6].ends_with(&format!("({reached}/{} runs)", runs.unwrap_or(0))),
                "{name} {label}: {}",
                row[6]
            );
        }
    }
}

#[test]
fn every_quick_experiment_tables_each_variant_and_calls_one_seed_inconclusive() {
    let list = stdout(&plaindnn(&["experiment", "--list"]));
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, EXPERIMENTS.map(|e| e.0));
    let dir = temp_dir("experiments");
    for (name, variants) in EXPERIMENTS {
        let out_dir = dir.join(name);
        let out = out_dir.to_str().unwrap_or("");
        let report = json(&plaindnn(&[
            "experiment",
            name,
            "--quick",
            "--json",
            "--out",
            out,
        ]));
        check_table(name, variants, &report);
        let verdict = report["verdict"].as_str().unwrap_or("");
        assert_eq!(report["outcome"], "inconclusive", "{name}: {verdict}");
        assert!(
            verdict.starts_with("Inconclusive on this run: "),
            "{name}: {verdict}"
        );
        let parts = report["parts"].as_array().expect("parts");
        assert!(!parts.is_empty(), "{name}: the claim is judged in parts");
        for p in parts {
            assert_eq!(p["verdict"], "inconclusive", "{name}: {p}");
            let evidence = p["evidence"].as_str().unwrap_or("");
            assert!(evidence.ends_with("a verdict needs 3 seeds"), "{name}: {p}");
        }
        let rule = report["rule"].as_str().unwrap_or("");
        assert!(rule.contains("exceeds twice its standard error"), "{rule}");
        let md = std::fs::read_to_string(out_dir.join("report.md")).expect("report.md");
        assert!(
            md.contains(&format!("Rule: {rule}.")),
            "{name}: report.md states the rule"
        );
        // every variant's run is where report.md says, a diverged one's too (a review found
        // exploding-gradients' v0 removed with the cleanup of runs that saved nothing)
        for i in 0..variants {
            let run = out_dir.join(format!("v{i}-s0"));
            assert!(
                run.join("config.json").is_file(),
                "{name}: {}",
                run.display()
            );
        }
        let chart = std::fs::read_to_string(out_dir.join("val_loss.svg")).expect("val_loss.svg");
        let curves = chart.matches("<polyline").count();
        assert_eq!(curves, variants, "{name}: one curve per variant");
    }
}

#[test]
fn the_overfitting_verdict_judges_each_remedy_on_its_own() {
    let dir = temp_dir("experiments-overfitting");
    let out = dir.to_str().unwrap_or("");
    let report = json(&plaindnn(&[
        "experiment",
        "overfitting",
        "--quick",
        "--json",
        "--out",
        out,
    ]));
    let claims: Vec<&str> = report["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter_map(|p| p["claim"].as_str())
        .collect();
    assert_eq!(
        claims[1..],
        [
            "early stopping beats none",
            "L2 1e-3 beats none",
            "L1 1e-4 beats none",
            "dropout 0.5 beats none",
            "max-norm 1 beats none",
            "augmentation σ 0.1 beats none"
        ]
    );
}

#[test]
fn seeds_list_and_out_are_refused_where_they_cannot_apply_and_list_speaks_json() {
    for (args, message) in [
        (
            vec!["experiment", "depth", "--seeds", "0"],
            "0 is not in 1..",
        ),
        (
            // an audit started 10^12 seeds: run folders until the disk filled
            vec!["experiment", "depth", "--seeds", "101"],
            "101 is not in 1..=100",
        ),
        (
            vec!["experiment", "depth", "--quick", "--seeds", "5"],
            "cannot be used with",
        ),
        (vec!["experiment", "depth", "--list"], "cannot be used with"),
    ] {
        let out = plaindnn(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{args:?}"
        );
    }
    let listed = common::json(&plaindnn(&["experiment", "--list", "--json"]));
    assert_eq!(
        listed["experiments"].as_array().map(Vec::len),
        Some(10),
        "{listed}"
    );
}

#[test]
fn an_experiment_refuses_a_directory_holding_a_run_or_another_experiment() {
    let dir = common::temp_dir("experiment-out");
    let s = |p: &std::path::Path| p.to_str().unwrap_or("").to_string();
    let run = dir.join("run");
    assert!(
        plaindnn(&["train", "--epochs", "1", "-q", "--out", &s(&run)])
            .status
            .success()
    );
    let out = plaindnn(&[
        "experiment",
        "linear-collapse",
        "--quick",
        "--out",
        &s(&run),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("holds a training run"), "{err}");
    // a run of the user's named like the experiment's first, in a folder without its report
    let fresh = dir.join("fresh");
    let mine = fresh.join("v0-s0");
    assert!(
        plaindnn(&["train", "--epochs", "1", "-q", "--out", &s(&mine)])
            .status
            .success()
    );
    let before = std::fs::read(mine.join("model.bpk")).expect("model");
    let out = plaindnn(&[
        "experiment",
        "linear-collapse",
        "--quick",
        "--out",
        &s(&fresh),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("holds v0-s0, which this experiment would write, and no report.md of it"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(mine.join("model.bpk")).expect("model"),
        before
    );
    assert!(!fresh.join("report.md").exists());
    // a picture of the user's by the name it writes, and a file given as the folder
    let pictures = dir.join("pictures");
    std::fs::create_dir_all(&pictures).expect("dir");
    std::fs::write(pictures.join("val_loss.svg"), "<svg>mine</svg>").expect("write");
    let file = dir.join("notes.txt");
    std::fs::write(&file, "mine").expect("write");
    for (place, message) in [
        (
            &pictures,
            "holds val_loss.svg, which this experiment would write",
        ),
        (&file, "is a file, not a folder"),
        (
            &std::path::PathBuf::from("/dev/null"),
            "is a device or a pipe, not a folder",
        ),
    ] {
        let out = plaindnn(&[
            "experiment",
            "linear-collapse",
            "--quick",
            "--out",
            &s(place),
        ]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(message), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(pictures.join("val_loss.svg"))
            .ok()
            .as_deref(),
        Some("<svg>mine</svg>")
    );
    let results = dir.join("results");
    let quick = |name: &str| plaindnn(&["experiment", name, "--quick", "--out", &s(&results)]);
    let first = quick("linear-collapse");
    assert!(first.status.success());
    // quick runs are shorter than the labels say, and the output says so
    let said = "--quick: 3 epochs per run and smaller data, whatever the labels say";
    assert!(stdout(&first).contains(said), "{}", stdout(&first));
    let err = String::from_utf8_lossy(&quick("overfitting").stderr).into_owned();
    assert!(
        err.contains("holds the results of another experiment (# Experiment `linear-collapse`)"),
        "{err}"
    );
    // a report.md of the user's own is not called an experiment's (an audit's find)
    let notes = dir.join("notes");
    std::fs::create_dir_all(&notes).expect("mkdir");
    std::fs::write(notes.join("report.md"), "# My notes\n").expect("write");
    let out = plaindnn(&["experiment", "depth", "--quick", "--out", &s(&notes)]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("holds a report.md that no experiment wrote: give this one its own --out"),
        "{err}"
    );
    // the same experiment again is refused without --overwrite: its finished results stay
    let report = std::fs::read(results.join("report.md")).expect("report");
    let err = String::from_utf8_lossy(&quick("linear-collapse").stderr).into_owned();
    let said = "holds this experiment's finished results: pass --overwrite to replace them";
    assert!(
        err.contains(said) && !err.contains("training 1 seed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(results.join("report.md")).expect("report"),
        report
    );
    let quick = |name: &str| {
        let args = [
            "experiment",
            name,
            "--quick",
            "--overwrite",
            "--out",
            &s(&results),
        ];
        plaindnn(&args)
    };
    // with it, it replaces its own runs, and nothing of the user's beside them
    std::fs::create_dir_all(results.join("v9-s0")).expect("dir");
    std::fs::write(results.join("v9-s0/metrics.csv"), "stale").expect("write");
    std::fs::write(results.join("v0-s0/notes.txt"), "mine").expect("write");
    let sweep = results.join("mysweep-s1");
    assert!(
        plaindnn(&["train", "--epochs", "1", "-q", "--out", &s(&sweep)])
            .status
            .success()
    );
    assert!(quick("linear-collapse").status.success());
    assert!(
        !results.join("v9-s0").exists(),
        "an earlier run of it does not stay beside the new"
    );
    assert!(results.join("v0-s0/notes.txt").is_file() && results.join("v0-s0/model.bpk").is_file());
    assert!(
        sweep.join("model.bpk").is_file(),
        "a run of the user's is not the experiment's"
    );
    // a link in its place is removed, not followed into the run it points at
    #[cfg(unix)]
    {
        std::fs::remove_dir_all(results.join("v1-s0")).expect("remove");
        std::os::unix::fs::symlink(&sweep, results.join("v1-s0")).expect("link");
        let sweep_config = std::fs::read(sweep.join("config.json")).expect("config");
        assert!(quick("linear-collapse").status.success());
        assert_eq!(
            std::fs::read(sweep.join("config.json")).expect("config"),
            sweep_config
        );
    }
}

#[test]
fn an_unknown_experiment_lists_the_valid_ones() {
    let out = plaindnn(&["experiment", "dropout-magic", "--quick"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "unknown experiment `dropout-magic`; valid choices: linear-collapse, activations"
        ),
        "{err}"
    );
}

/// `plaindnn ARGS` started in `cwd`, its standard output dropped.
fn start_experiment(args: &[&str], cwd: &Path) -> Child {
    Command::new(common::bin())
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the experiment")
}

/// Whether `folder`'s lock is taken: its file holds the process id once it is.
fn locked(folder: &Path) -> bool {
    std::fs::read_to_string(folder.join(".lock")).is_ok_and(|pid| !pid.is_empty())
}

/// A second experiment into a folder an experiment is running in is refused, naming the
/// process, `--overwrite` or not (the two deleted each other's runs, and the first failed on a
/// checkpoint the second removed); the first ends as if alone and releases the folder.
#[test]
fn a_second_experiment_into_a_folder_in_use_is_refused_naming_the_process() {
    let dir = temp_dir("experiment-lock");
    let out = dir.join("depth");
    let path = out.to_str().unwrap();
    let args = ["experiment", "depth", "--seeds", "10", "--out", path];
    let first = start_experiment(&args, &dir);
    wait_for("the lock", Duration::from_secs(60), || locked(&out));
    let held = format!("another plaindnn (pid {}) is training into it", first.id());
    for overwrite in [false, true] {
        let second = plaindnn(&[&args[..], &["--overwrite"][..usize::from(overwrite)]].concat());
        assert_eq!(second.status.code(), Some(1), "--overwrite {overwrite}");
        assert!(stderr(&second).contains(&held), "{}", stderr(&second));
    }
    let first = first.wait_with_output().expect("the first experiment ends");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(!out.join(".lock").exists(), "the lock is released");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(HEAD), "{report}");
    assert!(!report.contains("Not finished"), "{report}");
}

/// A run an experiment keeps after it diverged says so to `eval`, `summary` and `predict`, with
/// the divergence's words (`failed.txt`): they said it was stopped before an epoch, and that
/// `--resume` would train it, which diverges again.
#[test]
fn a_diverged_run_an_experiment_keeps_is_told_as_diverged_not_stopped() {
    let dir = temp_dir("experiment-diverged");
    let out = dir.join("exploding");
    let made = plaindnn(&[
        "experiment",
        "exploding-gradients",
        "--quick",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let run = out.join("v0-s0"); // std 0.5, no clipping
    assert!(
        !run.join("model.bpk").exists(),
        "the unclipped run diverged"
    );
    let run = run.to_str().unwrap();
    let exported = dir.join("m.safetensors");
    for args in [
        &["eval", "--run", run][..],
        &["summary", "--run", run],
        &["predict", "--run", run, "--input", "0,0"],
        &["export", "--run", run, "--out", exported.to_str().unwrap()],
    ] {
        let refused = plaindnn(args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        let said = stderr(&refused);
        assert!(
            said.contains("its training failed before it saved weights"),
            "{said}"
        );
        assert!(
            said.contains("failed.txt: training diverged in epoch"),
            "{said}"
        );
        assert!(!said.contains("--resume"), "{said}");
    }
}

/// An experiment's `report.md` and `val_loss.svg` are refused as outputs of other commands,
/// `--overwrite` or not, as a run's files are (a CSV written over the report orphaned the
/// results: the next run of the experiment found "a report.md that no experiment wrote").
#[test]
fn an_experiments_report_and_picture_are_refused_as_other_commands_outputs() {
    let dir = temp_dir("experiment-files");
    let out = dir.join("depth");
    let made = plaindnn(&[
        "experiment",
        "depth",
        "--quick",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for name in ["report.md", "val_loss.svg"] {
        let path = out.join(name);
        let path = path.to_str().unwrap();
        let args = ["datasets", "--export", "xor", "--out", path, "--overwrite"];
        let refused = plaindnn(&args);
        assert_eq!(refused.status.code(), Some(1), "{name}");
        let said = stderr(&refused);
        assert!(
            said.contains("is a file of the experiment's results in"),
            "{said}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        report
    );
}

/// An experiment killed mid-run is taken up by the next one into its folder, which says so (it
/// went on silently) and ends with a finished report.
#[test]
fn an_experiment_taken_up_after_a_kill_says_its_runs_start_over() {
    let dir = temp_dir("experiment-taken-up");
    let out = dir.join("depth");
    let path = out.to_str().unwrap();
    let mut first = start_experiment(
        &["experiment", "depth", "--seeds", "10", "--out", path],
        &dir,
    );
    wait_for("a run", Duration::from_secs(60), || {
        out.join("v0-s0").exists()
    });
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let again = plaindnn(&["experiment", "depth", "--quick", "--out", path]);
    assert!(again.status.success(), "{}", stderr(&again));
    let said = format!("{path} holds this experiment unfinished (stopped): its runs start over");
    assert!(stdout(&again).contains(&said), "{}", stdout(&again));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(HEAD) && !report.contains("Not finished"),
        "{report}"
    );
}

/// What a killed experiment left of a run it does not train again goes: its `.lock` and the
/// file it was writing (an audit found the folder left holding them); a run folder another
/// process trains in now is refused before anything in it is removed (a review: its files went
/// first, and the lock's refusal came after).
#[test]
fn an_experiment_taken_up_clears_a_killed_runs_lock_and_refuses_a_live_one() {
    let dir = temp_dir("experiment-clear");
    let out = dir.join("depth");
    let path = out.to_str().unwrap_or("");
    let quick = ["experiment", "depth", "--quick", "--out", path];
    assert!(plaindnn(&quick).status.success());
    let unfinished = |out: &Path| {
        let heading = "# Experiment `depth`";
        let text = "Not finished: this report is written when the experiment ends.";
        std::fs::write(out.join("report.md"), format!("{heading}\n\n{text}\n")).expect("written");
    };
    // a killed run's: a lock no process holds, and a file of a process that has ended
    unfinished(&out);
    let killed = out.join("v0-s1");
    std::fs::create_dir(&killed).expect("made");
    let mut ended = Command::new("true").spawn().expect("spawned");
    let pid = ended.id();
    ended.wait().expect("ended");
    std::fs::write(killed.join(".lock"), pid.to_string()).expect("written");
    std::fs::write(killed.join(format!(".config.json.tmp-{pid}")), "{").expect("written");
    assert!(plaindnn(&quick).status.success());
    assert!(!killed.exists(), "the killed run's folder is gone");
    // a live one's: refused, its files kept
    unfinished(&out);
    let live = out.join("v0-s0");
    let lock = std::fs::File::create(live.join(".lock")).expect("made");
    lock.lock().expect("locked");
    let refused = plaindnn(&quick);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("another plaindnn"),
        "{}",
        stderr(&refused)
    );
    assert!(
        live.join("config.json").is_file(),
        "the live run's files stay"
    );
}

/// Without `--out`, an experiment started while another runs in the default folder takes the
/// next free name (`depth-2`), as `train`'s default names do, where it took up the running
/// one's folder as if killed.
#[test]
fn an_experiment_without_out_skips_the_default_folder_another_runs_in() {
    let dir = temp_dir("experiment-default-busy");
    let busy = dir.join("artifacts/experiments/depth");
    let mut first = start_experiment(&["experiment", "depth", "--seeds", "10"], &dir);
    wait_for("the lock", Duration::from_secs(60), || locked(&busy));
    let second = common::plaindnn_in(&dir, &["experiment", "depth", "--quick"]);
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    assert!(second.status.success(), "{}", stderr(&second));
    let into = "training 1 seed of each variant into artifacts/experiments/depth-2 …";
    assert!(stdout(&second).contains(into), "{}", stdout(&second));
}
