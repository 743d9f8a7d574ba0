//! What training prints: a live bar in a terminal, one line per epoch in a log, nothing when quiet.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::MetricDefinition;
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

use super::history::EpochRow;
use crate::data::Task;

/// How much training prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// Nothing (tests, experiments).
    Quiet,
    /// One line per epoch (logs, CI).
    Lines,
    /// One line per epoch plus a live progress bar (terminals).
    Bar,
}

impl Verbosity {
    /// A bar when stdout is a terminal that can redraw a line, plain lines otherwise
    /// (pipes, logs, `TERM=dumb`).
    pub fn auto() -> Self {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if std::io::stdout().is_terminal() && !dumb {
            Verbosity::Bar
        } else {
            Verbosity::Lines
        }
    }
}

/// Prints training progress.
pub struct Progress {
    verbosity: Verbosity,
    task: Task,
    epochs: usize,
    epoch: usize,
    epoch_start: Instant,
    last_draw: Instant,
}

const BAR_WIDTH: usize = 30;
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    /// Progress of a run of `epochs` epochs.
    pub fn new(verbosity: Verbosity, task: Task, epochs: usize) -> Self {
        let now = Instant::now();
        Self {
            verbosity,
            task,
            epochs,
            epoch: 0,
            epoch_start: now,
            last_draw: now,
        }
    }

    /// Prints a line unless quiet.
    pub fn message(&self, text: &str) {
        if self.verbosity != Verbosity::Quiet {
            println!("{text}");
        }
    }

    /// Marks the start of `epoch`.
    pub fn start_epoch(&mut self, epoch: usize) {
        self.epoch = epoch;
        self.epoch_start = Instant::now();
    }

    /// Redraws the bar (at most ten times a second).
    pub fn items(&mut self, done: usize, total: usize) {
        if self.verbosity != Verbosity::Bar || self.last_draw.elapsed() < REDRAW {
            return;
        }
        self.last_draw = Instant::now();
        let filled = (done * BAR_WIDTH)
            .checked_div(total)
            .unwrap_or(0)
            .min(BAR_WIDTH);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled));
        print!(
            "\repoch {:>w$}/{} {bar} {done}/{total}",
            self.epoch,
            self.epochs,
            w = digits(self.epochs)
        );
        let _ = std::io::stdout().flush();
    }

    /// Prints the epoch's line; returns the seconds it took.
    pub fn end_epoch(&mut self, row: &EpochRow, best: bool) -> f64 {
        let seconds = self.epoch_start.elapsed().as_secs_f64();
        if self.verbosity == Verbosity::Quiet {
            return seconds;
        }
        let metric = match self.task {
            Task::Classification => format!("val_accuracy {:6.2}%", row.val_metric * 100.0),
            Task::Regression => format!("val_rmse {:.4}", row.val_metric),
        };
        let clear = if self.verbosity == Verbosity::Bar {
            "\r\x1b[2K"
        } else {
            ""
        };
        println!(
            "{clear}epoch {:>w$}/{}  train_loss {:.4}  val_loss {:.4}  {metric}  {seconds:.2}s{}",
            row.epoch,
            self.epochs,
            row.train_loss,
            row.val_loss,
            if best { "  *" } else { "" },
            w = digits(self.epochs),
        );
        seconds
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// A renderer that prints nothing: plaindnn prints its own lines, never burn-train's per-batch debug.
pub struct SilentRenderer;

impl MetricsRendererTraining for SilentRenderer {
    fn update_train(&mut self, _state: MetricState) {}
    fn update_valid(&mut self, _state: MetricState) {}
}

impl MetricsRendererEvaluation for SilentRenderer {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl TrainingProgressLogger for SilentRenderer {
    fn start(
        &mut self,
        _epochs: usize,
        _starting: usize,
        _items: Option<usize>,
        _label: Option<&str>,
    ) {
    }
    fn update_epoch(&mut self, _epoch: usize) {}
    fn start_split(&mut self, _split: &str, _items: usize) {}
    fn update_split(&mut self, _items: usize) {}
    fn end_split(&mut self) {}
    fn end(&mut self) {}
    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for SilentRenderer {
    fn start_global_progress(&mut self, _tests: usize) {}
    fn start_test(&mut self, _name: &str, _items: usize) {}
    fn update_test_progress(&mut self, _items: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for SilentRenderer {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, _definition: MetricDefinition) {}
}
