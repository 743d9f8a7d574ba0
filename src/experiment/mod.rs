//! `plaindnn experiment`: measure each claim of the tutorial on this machine and say whether it
//! held — a table of mean ± spread over seeds, a one-sentence verdict, and `report.md`.

pub mod catalog;
pub mod runner;

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::plot::{line_chart, Series};
pub use catalog::{Experiment, Extra, EXPERIMENTS};
use runner::{Stat, VariantResult};

/// What an experiment printed and wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The experiment.
    pub name: String,
    /// The tutorial's claim.
    pub claim: String,
    /// Markdown table: one row per variant.
    pub table: String,
    /// Did the claim hold on this run, in one sentence.
    pub verdict: String,
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

/// Runs `experiment` over `seeds` seeds (`quick`: short runs for tests) and writes
/// `out/report.md` next to every run directory.
pub fn run(experiment: &Experiment, quick: bool, seeds: u64, out: &Path) -> Result<Report> {
    let variants = (experiment.variants)(quick);
    let results = runner::run(variants, seeds.max(1), experiment.target_loss, out)?;
    let table = table(&results, experiment.extra, experiment.target_loss);
    let verdict = (experiment.verdict)(&results);
    let report = Report {
        name: experiment.name.into(),
        claim: experiment.claim.into(),
        table,
        verdict,
    };
    let text = format!(
        "# Experiment `{}`\n\nClaim: {}.\n\n{} seed(s){}.\n\n{}\n{}\n\n![validation loss per epoch](val_loss.svg)\n\n\
         Each variant's runs (with their own pictures and report.html) are in `v<variant>-s<seed>/`.\n",
        report.name,
        report.claim,
        seeds.max(1),
        if quick { ", quick mode" } else { "" },
        report.table,
        report.verdict
    );
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    write_atomic(&out.join("val_loss.svg"), comparison(&results).as_bytes())?;
    write_atomic(&out.join("report.md"), text.as_bytes())?;
    Ok(report)
}

fn cell(s: Stat, digits: usize, percent: bool) -> String {
    let k = if percent { 100.0 } else { 1.0 };
    if s.mean.is_nan() {
        "—".into()
    } else {
        format!(
            "{:.d$} ± {:.d$}{}",
            s.mean * k,
            s.spread * k,
            if percent { " %" } else { "" },
            d = digits
        )
    }
}

/// The comparison table, one row per variant.
pub fn table(results: &[VariantResult], extra: Extra, target_loss: Option<f64>) -> String {
    let extra_head = match extra {
        Extra::None => String::new(),
        Extra::GradRatio => " first/last gradient (epoch 1) |".into(),
        Extra::EpochsToTarget => {
            format!(" epochs to val loss {} |", target_loss.unwrap_or(f64::NAN))
        }
    };
    let mut t = format!("| variant | val accuracy | best val loss | final val − train loss | epochs |{extra_head}\n");
    t += &format!(
        "|---|---|---|---|---|{}\n",
        if extra == Extra::None { "" } else { "---|" }
    );
    for r in results {
        let extra_cell = match extra {
            Extra::None => String::new(),
            Extra::GradRatio => {
                let s = r.stat(|s| s.grad_ratio);
                if s.mean.is_nan() {
                    " — |".to_string()
                } else {
                    format!(" {:.1e} |", s.mean)
                }
            }
            Extra::EpochsToTarget => {
                let reached = r
                    .runs
                    .iter()
                    .filter(|s| s.epochs_to_target.is_some())
                    .count();
                let s = r.stat(|s| s.epochs_to_target.map(|e| e as f64));
                format!(" {} ({reached}/{} runs) |", cell(s, 0, false), r.runs.len())
            }
        };
        let label = match r.diverged {
            0 => r.label.clone(),
            k => format!("{} (diverged in {k} of {} runs)", r.label, k + r.runs.len()),
        };
        t += &format!(
            "| {} | {} | {} | {} | {} |{extra_cell}\n",
            label,
            cell(r.stat(|s| Some(s.returned_accuracy)), 1, true),
            cell(r.stat(|s| Some(s.best_val_loss)), 3, false),
            cell(r.stat(|s| Some(s.final_gap)), 3, false),
            cell(r.stat(|s| Some(s.epochs as f64)), 0, false),
        );
    }
    t
}

const COLORS: [&str; 8] = [
    "#2171b5", "#d94801", "#238b45", "#6a51a3", "#cb181d", "#525252", "#c51b7d", "#41ab5d",
];

/// Mean validation loss per epoch of every variant in one chart.
fn comparison(results: &[VariantResult]) -> String {
    let series: Vec<Series> = results
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            label: &r.label,
            color: COLORS[i % COLORS.len()],
            points: r.mean_val_losses(),
            dots: false,
        })
        .collect();
    line_chart(
        "Validation loss per epoch (mean over seeds)",
        "epoch",
        "val loss",
        &series,
    )
}
