//! What training prints: a live bar in a terminal, one line per epoch in a log, only warnings
//! (the CLI's `--quiet`), or nothing.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::MetricDefinition;
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

use super::observer::{EpochReport, TrainObserver};
use crate::data::Task;
use crate::decimals::Decimals;
use crate::error::Result;

/// How much training prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// Nothing (tests, experiments, the playground's runs).
    Quiet,
    /// Only warnings, on standard error (the CLI's `--quiet`: scikit-learn's warnings come
    /// whatever its `verbose`).
    Warnings,
    /// One line per epoch (logs, CI).
    Lines,
    /// One line per epoch plus a live progress bar (terminals).
    Bar,
}

impl Verbosity {
    /// Whether epochs, events and banners are printed.
    pub fn shows_progress(self) -> bool {
        matches!(self, Verbosity::Lines | Verbosity::Bar)
    }

    /// Whether warnings are printed.
    pub fn shows_warnings(self) -> bool {
        self != Verbosity::Quiet
    }

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

/// Prints training progress: the terminal's observer.
pub struct Progress {
    verbosity: Verbosity,
    task: Task,
    last_draw: Instant,
}

const BAR_WIDTH: usize = 30;
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    /// Progress of a run on `task`.
    pub fn new(verbosity: Verbosity, task: Task) -> Self {
        Self {
            verbosity,
            task,
            last_draw: Instant::now(),
        }
    }
}

impl TrainObserver for Progress {
    /// Prints a line unless quiet.
    fn on_message(&mut self, text: &str) {
        if self.verbosity.shows_progress() {
            println!("{text}");
        }
    }

    /// To standard error, unless [`Verbosity::Quiet`].
    fn on_warning(&mut self, text: &str) {
        if !self.verbosity.shows_warnings() {
            return;
        }
        if self.verbosity == Verbosity::Bar {
            print!("\r\x1b[2K"); // the bar's line, redrawn at the next step
            let _ = std::io::stdout().flush();
        }
        eprintln!("{text}");
    }

    /// Redraws the bar (at most ten times a second).
    fn on_step(&mut self, epoch: usize, done: usize, total: usize) {
        if self.verbosity != Verbosity::Bar || self.last_draw.elapsed() < REDRAW {
            return;
        }
        self.last_draw = Instant::now();
        let filled = (done * BAR_WIDTH)
            .checked_div(total)
            .unwrap_or(0)
            .min(BAR_WIDTH);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled));
        print!("\repoch {epoch} {bar} {done}/{total}");
        let _ = std::io::stdout().flush();
    }

    /// `epoch  3/100  train_loss 0.41  val_loss 0.40  val_accuracy  95.31%  0.01s  *`.
    fn on_epoch(&mut self, report: &EpochReport) -> Result<()> {
        if !self.verbosity.shows_progress() {
            return Ok(());
        }
        let row = &report.row;
        let metric = match self.task {
            Task::Classification => format!("val_accuracy {:6.2}%", row.val_metric * 100.0),
            Task::Regression => format!("val_rmse {}", Decimals(row.val_metric)),
        };
        let clear = if self.verbosity == Verbosity::Bar {
            "\r\x1b[2K"
        } else {
            ""
        };
        println!(
            "{clear}epoch {:>w$}/{}  train_loss {}  val_loss {}  {metric}  {:.2}s{}",
            row.epoch,
            report.epochs,
            Decimals(row.train_loss),
            Decimals(row.val_loss),
            report.seconds,
            if report.improved { "  *" } else { "" },
            w = digits(report.epochs),
        );
        Ok(())
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
