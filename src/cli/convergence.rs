//! Whether a run ended with its loss still falling: scikit-learn's `ConvergenceWarning`.

use plaindnn::train::{EarlyStoppingConfig, TrainedRun};

/// Whether training ran out of epochs with val_loss still falling: the last epoch is the best,
/// by more than early stopping's `min_delta` (its default without early stopping, under which
/// any fall, 1e-9 too, makes a best epoch): scikit-learn's `ConvergenceWarning` when `max_iter`
/// ends a fit still falling by more than its `tol` (1e-4), said with the way on.
pub fn still_improving(trained: &TrainedRun) -> bool {
    let train = &trained.config.train;
    let Some((last, before)) = trained.outcome.rows.split_last() else {
        return false;
    };
    let min_delta = (train.early_stopping.as_ref())
        .map_or(EarlyStoppingConfig::default().min_delta, |es| es.min_delta);
    let best_before = before
        .iter()
        .map(|r| r.val_loss)
        .fold(f64::INFINITY, f64::min);
    train.epochs > 1
        && last.epoch == train.epochs
        && trained.outcome.best_epoch == Some(last.epoch)
        && last.val_loss < best_before - min_delta
}
