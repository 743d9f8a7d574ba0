//! Who hears about training, and what: one plain report per epoch for every consumer — the
//! terminal, `metrics.csv`, `diagnostics.csv`, the pictures and report, a live page, your code.

use serde::Serialize;

use super::diagnostics::LayerRow;
use super::epoch_loop::FitOutcome;
use super::history::EpochRow;
use crate::error::Result;
use crate::model::Mlp;

/// The plane coloured by the class the network gives each point, or by a regression's value:
/// `n × n` cells over `x_range × y_range`; `classes[i * n + j]` is cell (column i, row j),
/// sampled at its centre, and so are `confidence` and `values`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionGrid {
    /// Left and right edge.
    pub x_range: (f64, f64),
    /// Bottom and top edge.
    pub y_range: (f64, f64),
    /// Cells per side.
    pub n: usize,
    /// The class of each cell, column by column (none for a regression).
    pub classes: Vec<usize>,
    /// How sure the network is of each cell's class: its largest softmax probability.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confidence: Vec<f32>,
    /// A one-target regression's output at each cell, as the network computes it (a
    /// standardised target stays standardised); none for classes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f32>,
    /// Each input's and hidden unit's value over the same plane, when asked for
    /// ([`Wants::units`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<UnitGrids>,
}

/// Each input's and hidden unit's value over the decision grid's plane, as TensorFlow Playground
/// draws it inside the node: `layers[l][u][i * n + j]` is unit `u` of hidden layer `l` at the
/// centre of cell (column i, row j) of an `n × n` grid, in inference mode; `inputs` likewise.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitGrids {
    /// Cells per side.
    pub n: usize,
    /// The first layer's inputs: the two given, then the added ones (x², x·y, sin x, …).
    pub inputs: Vec<Vec<f32>>,
    /// Hidden layers, input side first; in each, its units' values, cell by cell.
    pub layers: Vec<Vec<Vec<f32>>>,
}

/// One epoch as every observer sees it: plain numbers, no tensors, no backend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochReport {
    /// Losses, the headline metric and the learning rate (the `metrics.csv` row).
    pub row: EpochRow,
    /// The most epochs this run trains.
    pub epochs: usize,
    /// Whether validation loss is the lowest so far (the weights restore-best keeps).
    pub improved: bool,
    /// Wall-clock seconds of the epoch.
    pub seconds: f64,
    /// Per-layer gradient and weight norms, dead units, loss gap — when asked for.
    pub layers: Vec<LayerRow>,
    /// The decision regions of a 2-input classifier — when asked for.
    pub grid: Option<DecisionGrid>,
    /// Every Linear layer's weights, input side first — when asked for; else empty.
    pub weights: Vec<LayerWeights>,
}

/// The weights of one Linear layer: `values[i * outputs + j]` connects input `i` to unit `j`
/// (Burn's `[inputs, outputs]` layout, row by row).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerWeights {
    /// Inputs of the layer (rows).
    pub inputs: usize,
    /// Units of the layer (columns).
    pub outputs: usize,
    /// `inputs × outputs` values.
    pub values: Vec<f32>,
}

/// What an observer asks the loop to compute beyond losses and metrics (each costs time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    /// Per-layer gradient norms every step, weight norms and dead units every epoch.
    pub layers: bool,
    /// The decision grid every epoch, with this many cells per side (2 inputs: classes, or one
    /// regression target).
    pub grid: Option<usize>,
    /// With the grid, each input's and hidden unit's value over the plane, this many cells per
    /// side.
    pub units: Option<usize>,
    /// Every Linear layer's weights (a picture of the network).
    pub weights: bool,
    /// The observer may stop training part-way through an epoch
    /// ([`TrainObserver::should_stop`]): the loop keeps the learner as the epoch before left it
    /// (a clone, and a record of its weights and BatchNorm statistics), to checkpoint that
    /// epoch's end where no checkpoint holds it yet.
    pub stops: bool,
}

impl Wants {
    /// Both observers' wishes.
    fn union(self, other: Wants) -> Wants {
        Wants {
            layers: self.layers || other.layers,
            grid: self.grid.max(other.grid),
            units: self.units.max(other.units),
            weights: self.weights || other.weights,
            stops: self.stops || other.stops,
        }
    }
}

/// The end of training: how it went, and the model it returns.
pub struct TrainEnd<'a> {
    /// Every epoch's metrics and the best epoch.
    pub outcome: &'a FitOutcome,
    /// The returned model (best weights when they are restored), in inference mode.
    pub model: &'a Mlp,
}

/// Hears about training as it happens. Every method but `on_epoch` has a default that does
/// nothing; an error from an observer stops training with that error.
///
/// ```
/// use plaindnn::data::DataSource;
/// use plaindnn::train::{self, EpochReport, RunOptions, TrainConfig, TrainObserver, Verbosity};
/// use std::sync::{Arc, Mutex};
///
/// /// Keeps every epoch's validation loss.
/// struct Losses(Arc<Mutex<Vec<f64>>>);
///
/// impl TrainObserver for Losses {
///     fn on_epoch(&mut self, report: &EpochReport) -> plaindnn::Result<()> {
///         self.0.lock().unwrap().push(report.row.val_loss);
///         Ok(())
///     }
/// }
///
/// # fn main() -> plaindnn::Result<()> {
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let mut config = TrainConfig::default_for(2, 4);
/// config.epochs = 5;
/// let out = std::env::temp_dir().join("plaindnn-doctest-observer");
/// let options = RunOptions::from(Verbosity::Quiet)
///     .overwrite()
///     .observe(Losses(seen.clone()));
/// let run = train::train(DataSource::quadrants(1), config, &out, options)?;
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen.len(), run.outcome.rows.len());
/// assert_eq!(seen[0], run.outcome.rows[0].val_loss); // what metrics.csv holds
/// # std::fs::remove_dir_all(&out).ok();
/// # Ok(()) }
/// ```
pub trait TrainObserver: Send {
    /// What to compute for this observer beyond losses and metrics.
    fn wants(&self) -> Wants {
        Wants::default()
    }

    /// Progress inside `epoch`: `done` of `total` training rows.
    fn on_step(&mut self, _epoch: usize, _done: usize, _total: usize) {}

    /// An event worth a line (early stopping, a reduced learning rate).
    fn on_message(&mut self, _text: &str) {}

    /// Something the user should act on (vanishing gradients, a skipped batch, a row BatchNorm
    /// leaves out), `warning: …`; by default told as a message.
    fn on_warning(&mut self, text: &str) {
        self.on_message(text);
    }

    /// One finished epoch.
    fn on_epoch(&mut self, report: &EpochReport) -> Result<()>;

    /// The checkpoint of `epoch` is about to be written, after its `on_epoch`: make what was
    /// written so far durable, so no crash leaves a checkpoint ahead of its rows.
    fn on_checkpoint(&mut self, _epoch: usize) -> Result<()> {
        Ok(())
    }

    /// Training is over; `end.model` is what the run returns.
    fn on_end(&mut self, _end: &TrainEnd) -> Result<()> {
        Ok(())
    }

    /// Ends training after the current step (a playground page reset or closed: an epoch of a
    /// large file in batches of one took minutes). An epoch it cuts short is dropped, as if the
    /// stop had come at the end of the one before: its steps are not kept, so the run's rows,
    /// `model.bpk` and checkpoints stand at a whole epoch and `--resume` continues the run as
    /// an uninterrupted one: from that epoch's checkpoint where [`Wants::stops`] asked for it,
    /// else from the newest checkpoint written. A stop before the run's first whole epoch is
    /// [`Error::Stopped`](crate::Error::Stopped).
    fn should_stop(&self) -> bool {
        false
    }
}

/// The observers of one run, called in order.
#[derive(Default)]
pub struct Observers(Vec<Box<dyn TrainObserver>>);

impl Observers {
    /// Adds one at the end.
    pub fn push(&mut self, observer: Box<dyn TrainObserver>) {
        self.0.push(observer);
    }

    /// Adds all of `others` at the end.
    pub fn extend(&mut self, others: Observers) {
        self.0.extend(others.0);
    }

    /// What any of them wants.
    pub fn wants(&self) -> Wants {
        self.0
            .iter()
            .fold(Wants::default(), |w, o| w.union(o.wants()))
    }

    /// Tells every observer of progress inside an epoch.
    pub fn step(&mut self, epoch: usize, done: usize, total: usize) {
        self.0
            .iter_mut()
            .for_each(|o| o.on_step(epoch, done, total));
    }

    /// Tells every observer of an event.
    pub fn message(&mut self, text: &str) {
        self.0.iter_mut().for_each(|o| o.on_message(text));
    }

    /// Warns every observer.
    pub fn warning(&mut self, text: &str) {
        self.0.iter_mut().for_each(|o| o.on_warning(text));
    }

    /// Hands every observer the epoch's report.
    pub fn epoch(&mut self, report: &EpochReport) -> Result<()> {
        self.0.iter_mut().try_for_each(|o| o.on_epoch(report))
    }

    /// Tells every observer that the checkpoint of `epoch` comes next.
    pub fn checkpoint(&mut self, epoch: usize) -> Result<()> {
        self.0.iter_mut().try_for_each(|o| o.on_checkpoint(epoch))
    }

    /// Tells every observer that training is over.
    pub fn end(&mut self, end: &TrainEnd) -> Result<()> {
        self.0.iter_mut().try_for_each(|o| o.on_end(end))
    }

    /// Whether any observer asks to stop.
    pub fn should_stop(&self) -> bool {
        self.0.iter().any(|o| o.should_stop())
    }
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Observers({})", self.0.len())
    }
}
