//! `plaindnn experiment`: measure each claim of the tutorial on this machine and say whether it
//! held — a table of mean ± spread over seeds, a one-sentence verdict, and `report.md`.

pub mod catalog;
pub mod claims;
pub mod runner;
pub mod table;
pub mod verdict;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::train::lock::RunLock;
use crate::train::run_dir::EXPERIMENT_HEADING;
use crate::train::RunDir;
pub use catalog::{Experiment, Extra, EXPERIMENTS};
use runner::{Stat, VariantResult};
pub use verdict::{Finding, Judgement, Verdict, RULE};

/// What an experiment printed and wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The experiment.
    pub name: String,
    /// The tutorial's claim.
    pub claim: String,
    /// Markdown table: one row per variant.
    pub table: String,
    /// Did the claim hold on this run: a sentence with the numbers, then one line per part.
    pub verdict: String,
    /// The verdict alone: held, did not hold or inconclusive.
    pub outcome: Verdict,
    /// The parts of the claim, each with its verdict and the numbers behind it.
    pub parts: Vec<Finding>,
    /// The rule every verdict follows.
    pub rule: &'static str,
    /// Every variant's numbers.
    pub variants: Vec<VariantSummary>,
}

/// A variant's numbers in `--json`: mean and spread over the seeds that trained to the end.
#[derive(Clone, Debug, Serialize)]
pub struct VariantSummary {
    /// Row label.
    pub label: String,
    /// Seeds that trained to the end.
    pub runs: usize,
    /// Seeds whose loss became NaN.
    pub diverged: usize,
    /// Accuracy on the test split.
    pub test_accuracy: Stat,
    /// Validation accuracy of the returned model.
    pub val_accuracy: Stat,
    /// Lowest validation loss.
    pub best_val_loss: Stat,
    /// Validation minus training loss in the last epoch (the overfitting gap).
    pub val_minus_train_loss: Stat,
    /// Epochs trained.
    pub epochs: Stat,
    /// First layer's gradient norm over the last layer's in epoch 1, where the experiment
    /// measures it (vanishing gradients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grad_ratio: Option<Stat>,
    /// Epochs until the validation loss fell below the experiment's target, of the runs that
    /// reached it, where the experiment has one (optimizers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs_to_target: Option<Stat>,
    /// How many runs reached that target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached_target: Option<usize>,
}

impl VariantSummary {
    /// The table's columns of `r` (and `extra`'s), as numbers.
    fn of(r: &VariantResult, extra: catalog::Extra) -> Self {
        let to_target = |s: &runner::RunSummary| s.epochs_to_target.map(|e| e as f64);
        let aims = extra == catalog::Extra::EpochsToTarget;
        Self {
            label: r.label.clone(),
            runs: r.runs.len(),
            diverged: r.diverged,
            test_accuracy: r.stat(|s| Some(s.test_accuracy)),
            val_accuracy: r.stat(|s| Some(s.returned_accuracy)),
            best_val_loss: r.stat(|s| Some(s.best_val_loss)),
            val_minus_train_loss: r.stat(|s| Some(s.final_gap)),
            epochs: r.stat(|s| Some(s.epochs as f64)),
            grad_ratio: (extra == catalog::Extra::GradRatio).then(|| r.stat(|s| s.grad_ratio)),
            epochs_to_target: aims.then(|| r.stat(to_target)),
            reached_target: aims.then(|| r.values(to_target).len()),
        }
    }
}

/// The experiment named `name`, or an error listing them.
pub fn find(name: &str) -> Result<&'static Experiment> {
    EXPERIMENTS
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| Error::Unknown {
            what: "experiment",
            got: name.to_string(),
            valid: EXPERIMENTS
                .iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// How an experiment runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Short runs of one seed, for tests (every verdict inconclusive).
    pub quick: bool,
    /// Seeds per variant.
    pub seeds: u64,
    /// Replace this experiment's finished results in the folder (else they are refused).
    pub overwrite: bool,
}

/// Runs `experiment` over `options.seeds` seeds and writes `out/report.md` next to every run
/// directory; `started` is called once the folder is claimed, before the first run trains, told
/// whether it takes up an unfinished experiment there (killed), whose runs start over.
pub fn run(
    experiment: &Experiment,
    options: Options,
    out: &Path,
    started: impl FnOnce(bool),
) -> Result<Report> {
    let (quick, seeds) = (options.quick, options.seeds);
    let variants = (experiment.variants)(quick);
    let (_lock, taken_up) = claim(experiment, &variants, out, options.overwrite)?;
    started(taken_up);
    let results = runner::run(variants, seeds.max(1), experiment.target_loss, out)?;
    let judgement = (experiment.verdict)(&verdict::Results(&results));
    let summaries: Vec<VariantSummary> = (results.iter())
        .map(|r| VariantSummary::of(r, experiment.extra))
        .collect();
    let report = Report {
        name: experiment.name.into(),
        claim: experiment.claim.into(),
        table: table::table(&summaries, experiment.extra, experiment.target_loss),
        verdict: judgement.to_string(),
        outcome: judgement.verdict,
        parts: judgement.parts,
        rule: RULE,
        variants: summaries,
    };
    let text = markdown(&report, seeds.max(1), quick);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    write_atomic(
        &out.join("val_loss.svg"),
        table::comparison(&results).as_bytes(),
    )?;
    write_atomic(&out.join("report.md"), text.as_bytes())?;
    Ok(report)
}

/// Refuses a directory holding a training run or another experiment's results, or (without
/// `overwrite`) this experiment's finished results; in one holding this experiment's last
/// results (its `report.md`, or its note that it did not finish), the runs it made there (`v<i>-s<seed>/` and
/// its source runs `<name>-s<seed>/`) lose plaindnn's files, so that none of them mixes with the
/// new ones. Without a `report.md`, a folder named like one of those runs is someone else's and is
/// refused. Then `report.md` says the experiment is running, so that a re-run after a kill knows
/// the runs as its own. Nothing else is touched. The folder is locked for the experiment (the
/// lock returned): a second one into it, while the first runs, is refused. Returned beside the
/// lock: whether the folder held this experiment unfinished (killed), which this one takes up.
fn claim(
    experiment: &Experiment,
    variants: &[runner::Variant],
    out: &Path,
    overwrite: bool,
) -> Result<(RunLock, bool)> {
    crate::files::refuse_file(out)?;
    let run = RunDir::new(out);
    run.refuse_checkpoint_folder()?;
    if run.holds_run() {
        let what = if run.holds_fit() {
            "a `regress` fit"
        } else {
            "a training run"
        };
        let why = format!("holds {what}: give the experiment its own --out");
        return Err(Error::run(out, why));
    }
    let heading = format!("{EXPERIMENT_HEADING}{}`", experiment.name);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    let ours = match report.lines().next() {
        Some(first) if first != heading => {
            // a report.md of another experiment, or the user's own
            let whose = match first.strip_prefix(EXPERIMENT_HEADING) {
                Some(_) => format!("the results of another experiment ({first})"),
                None => "a report.md that no experiment wrote".to_string(),
            };
            let why = format!("holds {whose}: give this one its own --out");
            return Err(Error::run(out, why));
        }
        first => first.is_some(),
    };
    if ours && !overwrite && !report.contains(UNFINISHED) {
        let why = "holds this experiment's finished results: pass --overwrite to replace them, \
                   or give this run another --out";
        return Err(Error::run(out, why));
    }
    // checked, the folder is taken before anything in it changes
    crate::files::create_folder(out)?;
    let lock = RunLock::acquire(out)?;
    let sources: Vec<&str> = variants.iter().filter_map(|v| v.start.name()).collect();
    let entries = std::fs::read_dir(out).into_iter().flatten().flatten();
    let picture = |name: &str| name == "val_loss.svg"; // rewritten at the end
    let written = |name: &str| is_own_run(name, &sources) || picture(name);
    for entry in entries.filter(|e| written(&e.file_name().to_string_lossy())) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !ours {
            let why = format!(
                "holds {name}, which this experiment would write, and no report.md of it: give \
                 the experiment its own --out, or move {name} away"
            );
            return Err(Error::run(out, why));
        }
        if !picture(&name) {
            clear(&entry.path())?;
        }
    }
    let running = format!("{heading}\n\n{UNFINISHED}\n");
    write_atomic(&out.join("report.md"), running.as_bytes())?;
    Ok((lock, ours && report.contains(UNFINISHED)))
}

/// `base`, or the first `base-N` that holds no finished experiment (a killed one's folder is
/// taken up again), nor a training run, nor is a file, as `train`'s default run names.
pub fn next_free(base: &Path) -> PathBuf {
    let finished = |dir: &Path| {
        std::fs::read_to_string(dir.join("report.md")).is_ok_and(|r| !r.contains(UNFINISHED))
    };
    let name = base
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("experiment");
    let mut candidates = std::iter::once(base.to_path_buf())
        .chain((2..).map(|n| base.with_file_name(format!("{name}-{n}"))));
    // a file of that name, or a training run, is no place for one either
    let other = |d: &Path| {
        let not_folder = std::fs::symlink_metadata(d).is_ok() && !d.is_dir();
        not_folder || crate::train::run_dir::RunDir::new(d).holds_run()
    };
    // nor one an experiment is running in
    let busy = |d: &Path| crate::train::lock::in_use(d);
    candidates
        .find(|d| !finished(d) && !other(d) && !busy(d))
        .unwrap_or_else(|| base.to_path_buf())
}

/// The folder of an experiment's results that writing `path` would replace part of (its
/// `report.md` or `val_loss.svg`; its runs are runs, which refuse writers on their own), if any.
pub fn results_at(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if !["report.md", "val_loss.svg"].contains(&name) {
        return None;
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let report = std::fs::read_to_string(folder.join("report.md")).ok()?;
    report
        .starts_with(EXPERIMENT_HEADING)
        .then(|| folder.to_path_buf())
}

/// What `report.md` says while its experiment runs (and after a kill).
const UNFINISHED: &str = "Not finished: this report is written when the experiment ends.";

/// `v<variant>-s<seed>` (a variant's run) or `<source>-s<seed>` for one of `sources`.
fn is_own_run(name: &str, sources: &[&str]) -> bool {
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((stem, _)) = name.rsplit_once("-s").filter(|(_, seed)| number(seed)) else {
        return false;
    };
    stem.strip_prefix('v').is_some_and(number) || sources.contains(&stem)
}

/// An experiment's earlier run at `dir` gone: plaindnn's files, a killed run's `.lock` and
/// half-written files, then the folder if nothing else is left; a link is removed itself,
/// never followed.
fn clear(dir: &Path) -> Result<()> {
    let link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
    if link {
        return std::fs::remove_file(dir).map_err(|e| Error::io(dir, e));
    }
    if !dir.is_dir() {
        return Ok(()); // a file of that name: the run into it refuses it, naming it
    }
    // a live run there is refused before anything goes; a killed run's `.lock` is taken over,
    // and removed with the lock
    let lock = RunLock::acquire(dir)?;
    let run = RunDir::new(dir);
    run.sweep_temporaries(); // a file a killed run was writing
    run.remove_run()?;
    drop(lock);
    let _ = std::fs::remove_dir(dir); // only when nothing of the user's is left
    Ok(())
}

/// `report.md`: the claim, the table, the verdict and the rule.
fn markdown(report: &Report, seeds: u64, quick: bool) -> String {
    format!(
        "# Experiment `{}`\n\nClaim: {}.\n\n{}{}; test accuracy is measured on \
         fresh rows that neither training nor early stopping saw.\n\n{}\n{}\n\nRule: {}.\n\n\
         ![validation loss per epoch](val_loss.svg)\n\nEach variant's runs (with their own \
         pictures and report.html) are in `v<variant>-s<seed>/`.\n",
        report.name,
        report.claim,
        crate::plural::count(seeds, "seed"),
        if quick { ", quick mode" } else { "" },
        report.table,
        report.verdict,
        report.rule
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_folder_moves_on_past_finished_results_but_not_past_a_killed_run() {
        let top = std::env::temp_dir().join(format!("plaindnn-exp-next-{}", std::process::id()));
        let base = top.join("depth");
        let report = |dir: &Path, text: &str| {
            std::fs::create_dir_all(dir).expect("dir");
            std::fs::write(dir.join("report.md"), text).expect("write");
        };
        assert_eq!(next_free(&base), base, "nothing there yet");
        report(&base, "# Experiment `depth`\n\n| variant |\n");
        let second = base.with_file_name("depth-2");
        assert_eq!(next_free(&base), second);
        report(&second, &format!("# Experiment `depth`\n\n{UNFINISHED}\n"));
        assert_eq!(
            next_free(&base),
            second,
            "a killed run's folder is taken up again"
        );
        // a file of the name is passed, not chosen and then refused (an audit's find)
        report(&second, "# Experiment `depth`\n\n| variant |\n");
        std::fs::write(base.with_file_name("depth-3"), "mine").expect("write");
        assert_eq!(next_free(&base), base.with_file_name("depth-4"));
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn an_experiments_own_runs_are_its_variants_and_its_sources_by_seed_and_nothing_else() {
        let sources = ["related-task", "layerwise"];
        for own in ["v0-s0", "v12-s3", "related-task-s1", "layerwise-s0"] {
            assert!(is_own_run(own, &sources), "{own}");
        }
        for other in [
            "mysweep-s1",
            "v-s0",
            "v0-s",
            "vx-s0",
            "related-task",
            "layerwise-sx",
        ] {
            assert!(!is_own_run(other, &sources), "{other}");
        }
    }
}
