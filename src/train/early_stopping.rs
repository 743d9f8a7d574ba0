//! Early stopping on validation loss: `patience` epochs without a fall of more than `min_delta`
//! (Keras', scikit-learn's `tol`), and the weights of the lowest loss restored (scikit-learn's
//! best coefficients, Lightning's best checkpoint).

use serde::{Deserialize, Serialize};

use super::history::EpochRow;

/// Keras' `EarlyStopping(monitor="val_loss", patience, min_delta, restore_best_weights)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// Epochs without improvement before training stops.
    pub patience: usize,
    /// An epoch resets the patience only if validation loss falls by more than this (absolute).
    pub min_delta: f64,
    /// End with (and keep as `model.bpk`) the weights of the epoch of lowest validation loss
    /// rather than the last.
    pub restore_best_weights: bool,
}

impl Default for EarlyStoppingConfig {
    /// Patience 10, min_delta 1e-4, best weights restored: plaindnn's one set of defaults.
    fn default() -> Self {
        Self {
            patience: 10,
            min_delta: 1e-4,
            restore_best_weights: true,
        }
    }
}

/// What one epoch's validation loss means for the patience.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Below the last improvement's loss by more than `min_delta`: the wait starts again.
    Improved,
    /// No real improvement, patience not yet used up.
    Wait,
    /// `patience` epochs without improvement: stop now.
    Stop,
}

/// Tracks the lowest validation loss, whose weights are kept, and stops after `patience` epochs
/// without a drop of more than `min_delta` below the last improvement. A drop smaller than that
/// is a new lowest without resetting the wait, as scikit-learn's `MLPClassifier` keeps its best
/// coefficients apart from its `tol`.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    patience: Option<usize>,
    min_delta: f64,
    /// The epoch of lowest loss and its loss.
    best: Option<(usize, f64)>,
    /// The last epoch that fell by more than `min_delta`, and its loss: the wait counts from it.
    improved: Option<(usize, f64)>,
    waited: usize,
}

impl EarlyStopping {
    /// A tracker for `config`; `None` never stops but still remembers the best epoch.
    pub fn new(config: Option<&EarlyStoppingConfig>) -> Self {
        Self {
            patience: config.map(|c| c.patience),
            min_delta: config.map_or(0.0, |c| c.min_delta),
            best: None,
            improved: None,
            waited: 0,
        }
    }

    /// Feeds one epoch's validation loss: the lowest if `loss < best`, improved if
    /// `loss < last improvement − min_delta`.
    pub fn update(&mut self, epoch: usize, loss: f64) -> Verdict {
        let below = |mark: Option<(usize, f64)>, by: f64| match mark {
            None => loss.is_finite(),
            Some((_, mark)) => loss < mark - by,
        };
        if below(self.best, 0.0) {
            self.best = Some((epoch, loss));
        }
        if below(self.improved, self.min_delta) {
            self.improved = Some((epoch, loss));
            self.waited = 0;
            return Verdict::Improved;
        }
        self.waited += 1;
        match self.patience {
            Some(p) if self.waited >= p => Verdict::Stop,
            _ => Verdict::Wait,
        }
    }

    /// A tracker for `config` fed `rows` (a resumed run's epochs), and the last verdict.
    pub fn replay<'a>(
        config: Option<&EarlyStoppingConfig>,
        rows: impl IntoIterator<Item = &'a EpochRow>,
    ) -> (Self, Option<Verdict>) {
        let mut tracker = Self::new(config);
        let last = rows
            .into_iter()
            .map(|r| tracker.update(r.epoch, r.val_loss))
            .last();
        (tracker, last)
    }

    /// The epoch of lowest loss so far and its loss: the weights restored.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best
    }

    /// Whether `epoch` is the one of lowest loss so far (its weights are the ones to keep).
    pub fn is_best(&self, epoch: usize) -> bool {
        self.best.is_some_and(|(best, _)| best == epoch)
    }

    /// The last epoch that fell by more than `min_delta`: the wait counts from it.
    pub fn last_improvement(&self) -> Option<(usize, f64)> {
        self.improved
    }

    /// Epochs since the last improvement.
    pub fn waited(&self) -> usize {
        self.waited
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(patience: usize, min_delta: f64) -> EarlyStoppingConfig {
        EarlyStoppingConfig {
            patience,
            min_delta,
            restore_best_weights: true,
        }
    }

    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        let mut es = EarlyStopping::new(Some(&config(2, 0.0)));
        assert_eq!(es.update(1, 1.0), Verdict::Improved);
        assert_eq!(es.update(2, 0.5), Verdict::Improved);
        assert_eq!(es.update(3, 0.6), Verdict::Wait);
        assert_eq!(es.update(4, 0.7), Verdict::Stop);
        assert_eq!(es.best(), Some((2, 0.5)));
    }

    #[test]
    fn a_drop_smaller_than_min_delta_does_not_reset_the_wait_but_is_the_best_kept() {
        let mut es = EarlyStopping::new(Some(&config(2, 0.1)));
        assert_eq!(es.update(1, 1.0), Verdict::Improved);
        assert_eq!(es.update(2, 0.95), Verdict::Wait);
        assert_eq!(es.best(), Some((2, 0.95)));
        assert!(es.is_best(2));
        // 0.91 is within 0.1 of epoch 1's 1.0, the wait's mark: patience runs out on it
        assert_eq!(es.update(3, 0.91), Verdict::Stop);
        assert_eq!(es.best(), Some((3, 0.91)));
        assert_eq!(es.last_improvement(), Some((1, 1.0)));
        assert_eq!(es.waited(), 2);
        // a rise is neither
        let mut es = EarlyStopping::new(Some(&config(5, 0.1)));
        es.update(1, 1.0);
        es.update(2, 0.95);
        assert_eq!(es.update(3, 0.97), Verdict::Wait);
        assert_eq!(es.best(), Some((2, 0.95)));
        // a drop of more than min_delta below the last improvement is one, and the wait restarts
        assert_eq!(es.update(4, 0.85), Verdict::Improved);
        assert_eq!((es.last_improvement(), es.waited()), (Some((4, 0.85)), 0));
    }

    #[test]
    fn an_improvement_resets_the_wait() {
        let mut es = EarlyStopping::new(Some(&config(2, 0.0)));
        es.update(1, 1.0);
        assert_eq!(es.update(2, 1.1), Verdict::Wait);
        assert_eq!(es.update(3, 0.9), Verdict::Improved);
        assert_eq!(es.update(4, 1.0), Verdict::Wait);
        assert_eq!(es.update(5, 1.0), Verdict::Stop);
    }

    #[test]
    fn without_a_config_it_never_stops_but_tracks_the_best() {
        let mut es = EarlyStopping::new(None);
        for (epoch, loss) in [(1, 3.0), (2, 1.0), (3, 2.0), (4, 5.0), (5, 6.0)] {
            assert_ne!(es.update(epoch, loss), Verdict::Stop);
        }
        assert_eq!(es.best(), Some((2, 1.0)));
    }
}
