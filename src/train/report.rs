//! `report.html`: one self-contained page per run — results, pictures, model, metrics, config.
//! No network: the pictures are inline SVG.

use std::fmt::Write;
use std::path::PathBuf;

use super::epoch_loop::FitOutcome;
use super::history::EpochRow;
use super::observer::{EpochReport, TrainEnd, TrainObserver};
use super::pictures;
use super::run_config::RunConfig;
use super::run_dir::RunDir;
use crate::data::Subset;
use crate::decimals::Decimals;
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::model::{Mlp, Summary};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Draws the pictures and writes `report.html` when training ends: the run directory's observer.
pub struct RunFiles {
    run: RunDir,
    config: RunConfig,
    val: Subset,
}

impl RunFiles {
    /// For the run in `run`, described by `config`, validated on `val`.
    pub fn new(run: RunDir, config: RunConfig, val: Subset) -> Self {
        Self { run, config, val }
    }
}

impl TrainObserver for RunFiles {
    fn on_epoch(&mut self, _report: &EpochReport) -> Result<()> {
        Ok(())
    }

    fn on_end(&mut self, end: &TrainEnd) -> Result<()> {
        let units = &self.config.data;
        let pictures = pictures::write(&self.run, units, end.outcome, end.model, &self.val)?;
        write(&self.run, &self.config, end.outcome, end.model, &pictures)?;
        Ok(())
    }
}

const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>plaindnn run</title>\n\
    <style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}\
    table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}\
    pre{background:#f6f6f6;padding:1em;overflow:auto}figure{display:inline-block;margin:0.5em;max-width:100%}\
    svg{max-width:100%;height:auto}code{overflow-wrap:anywhere}</style>\
    </head><body>\n";

/// The validation metric as the CLI and the playground show it: accuracy in %, RMSE as it is.
fn shown(metric: &str, value: f64) -> String {
    if metric == ACCURACY {
        format!("{:.2}%", value * 100.0)
    } else {
        Decimals(value).to_string()
    }
}

const ACCURACY: &str = "val accuracy";

/// The epoch whose weights `model.bpk` holds, as the terminal says it: "Best epoch 7 of 17: val
/// loss 0.0312, val accuracy 98.83% (early stopping); its weights are saved." where they were
/// restored, else the last epoch's, the best beside it; a run an observer stopped says so
/// beside the `asked` epochs.
fn headline(outcome: &FitOutcome, metric: &str, (restored, asked): (bool, usize)) -> String {
    let (Some(best), Some(saved)) = (outcome.best(), outcome.saved(restored)) else {
        return String::new();
    };
    let of = outcome.rows.len();
    let early = match (outcome.stopped_early, outcome.stopped) {
        (true, _) => " (early stopping)".to_string(),
        (false, true) => {
            format!(" (stopped from outside after {of} of the {asked} epochs asked for)")
        }
        (false, false) => String::new(),
    };
    let scores = |r: &EpochRow| {
        format!(
            "val loss {}, {metric} {}",
            Decimals(r.val_loss),
            shown(metric, r.val_metric)
        )
    };
    match restored {
        true => format!(
            "<p>Best epoch {} of {of}: {}{early}; its weights are saved.</p>\n",
            best.epoch,
            scores(best)
        ),
        false => format!(
            "<p>Last epoch {} of {of}: {}{early}; its weights are saved (best epoch {}: val loss \
             {}).</p>\n",
            saved.epoch,
            scores(saved),
            best.epoch,
            Decimals(best.val_loss)
        ),
    }
}

/// Every picture inline, with its file name as the caption.
fn figures(pictures: &[PathBuf]) -> Result<String> {
    let mut html = String::from("<h2>Pictures</h2>\n");
    for path in pictures {
        let svg = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let _ = writeln!(
            html,
            "<figure>{svg}<figcaption>{}</figcaption></figure>",
            escape(name)
        );
    }
    Ok(html)
}

/// One row per epoch, as `metrics.csv` holds them.
fn metrics_table(outcome: &FitOutcome, metric: &str) -> String {
    let mut html = String::from(
        "<h2>Metrics per epoch</h2>\n<table><tr><th>epoch</th><th>train loss</th><th>val loss</th>",
    );
    let _ = writeln!(html, "<th>{metric}</th><th>lr</th></tr>");
    for r in &outcome.rows {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:e}</td></tr>",
            r.epoch,
            Decimals(r.train_loss),
            Decimals(r.val_loss),
            shown(metric, r.val_metric),
            r.lr
        );
    }
    html + "</table>\n"
}

/// Writes `report.html` from the run's config, outcome, model and the pictures already written.
pub fn write(
    run: &RunDir,
    config: &RunConfig,
    outcome: &FitOutcome,
    model: &Mlp,
    pictures: &[PathBuf],
) -> Result<PathBuf> {
    let metric = match config.data.task {
        crate::data::Task::Classification => ACCURACY,
        crate::data::Task::Regression => "val RMSE",
    };
    let mut html = String::from(HEAD);
    let _ = writeln!(
        html,
        "<h1>plaindnn run <code>{}</code></h1>",
        escape(&run.root().display().to_string())
    );
    let train = &config.train;
    html += &headline(outcome, metric, (train.restores_best(), train.epochs));
    if let Some(command) = &config.command {
        let _ = writeln!(html, "<h2>Command</h2>\n<pre>{}</pre>", escape(command));
    }
    html += &figures(pictures)?;
    let _ = writeln!(
        html,
        "<h2>Model</h2>\n<pre>{}</pre>",
        escape(&Summary::of(model).to_string())
    );
    html += &metrics_table(outcome, metric);
    let json =
        serde_json::to_string_pretty(config).map_err(|e| Error::json("writing the config", e))?;
    let _ = writeln!(html, "<h2>config.json</h2>\n<pre>{}</pre>", escape(&json));
    // For tests in a real browser: how many pictures were laid out with a non-zero size.
    html += "<script>document.body.dataset.rendered = Array.from(document.querySelectorAll('svg'))\
             .filter(s => { const b = s.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length;</script>\n";
    html += "</body></html>\n";
    let path = run.root().join("report.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}
