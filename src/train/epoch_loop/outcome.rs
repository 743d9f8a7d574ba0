//! How the epoch loop ended, and what a resumed run brings into it.

use crate::train::diagnostics::LayerRow;
use crate::train::history::EpochRow;

/// What a resumed run had recorded before its checkpoint.
#[derive(Clone, Debug, Default)]
pub struct Resumed {
    /// Its epochs' metrics, replayed into early stopping.
    pub rows: Vec<EpochRow>,
    /// Its epochs' diagnostics.
    pub layers: Vec<LayerRow>,
}

/// How the loop ended.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOutcome {
    /// Every epoch's metrics, resumed ones included.
    pub rows: Vec<EpochRow>,
    /// The epoch with the lowest validation loss (whose weights `model.bpk` holds when the run
    /// restores them; otherwise it holds the last epoch's).
    pub best_epoch: Option<usize>,
    /// Whether early stopping ended training before the last epoch.
    pub stopped_early: bool,
    /// Whether an observer stopped training before the last epoch asked for
    /// ([`TrainObserver::should_stop`](crate::train::observer::TrainObserver::should_stop)).
    pub stopped: bool,
    /// Per-layer diagnostics of every epoch (with `--diagnostics`).
    pub diagnostics: Vec<LayerRow>,
}

impl FitOutcome {
    /// The row of the epoch with the lowest validation loss.
    pub fn best(&self) -> Option<&EpochRow> {
        let best = self.best_epoch?;
        self.rows.iter().find(|r| r.epoch == best)
    }

    /// The row of the epoch whose weights `model.bpk` holds: the best where they were
    /// `restored`, else the last.
    pub fn saved(&self, restored: bool) -> Option<&EpochRow> {
        match restored {
            true => self.best(),
            false => self.rows.last(),
        }
    }
}
