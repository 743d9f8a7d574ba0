//! Early stopping on validation loss, the Keras way: `patience`, `min_delta`, restore best weights.

use serde::{Deserialize, Serialize};

use super::history::EpochRow;

/// Keras' `EarlyStopping(monitor="val_loss", patience, min_delta, restore_best_weights)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// Epochs without improvement before training stops.
    pub patience: usize,
    /// An epoch improves only if validation loss falls by more than this.
    pub min_delta: f64,
    /// End with (and keep as `model.bpk`) the best epoch's weights rather than the last.
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

/// What one epoch's validation loss means for training.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Best so far by more than `min_delta`: keep these weights.
    Improved,
    /// No real improvement, patience not yet used up.
    Wait,
    /// `patience` epochs without improvement: stop now.
    Stop,
}

/// Tracks the best validation loss; stops after `patience` epochs without a drop > `min_delta`.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    patience: Option<usize>,
    min_delta: f64,
    best: Option<(usize, f64)>,
    waited: usize,
}

impl EarlyStopping {
    /// A tracker for `config`; `None` never stops but still remembers the best epoch.
    pub fn new(config: Option<&EarlyStoppingConfig>) -> Self {
        Self {
            patience: config.map(|c| c.patience),
            min_delta: config.map_or(0.0, |c| c.min_delta),
            best: None,
            waited: 0,
        }
    }

    /// Feeds one epoch's validation loss: improved if `loss < best − min_delta`.
    pub fn update(&mut self, epoch: usize, loss: f64) -> Verdict {
        let improved = match self.best {
            None => loss.is_finite(),
            Some((_, best)) => loss < best - self.min_delta,
        };
        if improved {
            self.best = Some((epoch, loss));
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

    /// The best epoch and its loss so far.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best
    }

    /// Epochs since the best one.
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
    fn a_drop_smaller_than_min_delta_is_not_an_improvement() {
        let mut es = EarlyStopping::new(Some(&config(1, 0.1)));
        assert_eq!(es.update(1, 1.0), Verdict::Improved);
        assert_eq!(es.update(2, 0.95), Verdict::Stop);
        assert_eq!(es.best(), Some((1, 1.0)));
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
