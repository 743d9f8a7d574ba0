//! A stop from outside (an observer's) that comes within an epoch: the epoch is dropped.

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::train::{Learner, TrainingComponents};

use super::{Ending, EpochLoop, LoopState};
use crate::error::{Error, Result};
use crate::model::Mlp;
use crate::train::observer::{Observers, Wants};

impl EpochLoop {
    /// An epoch an observer's stop cut short is dropped, as if the stop had come at the end of
    /// the one before: its steps are not kept, `model.bpk` holds that epoch's weights, and its
    /// end is checkpointed from `unsaved` (the learner then, where [`Wants::stops`] kept it and
    /// no checkpoint held it yet), so `--resume` continues as an uninterrupted run would. A
    /// stop before any epoch of this run was whole leaves no weights to keep: an error.
    pub(super) fn drop_cut_short(
        &self,
        (epoch, live, unsaved): (usize, &Learner<Mlp>, Option<Unsaved>),
        components: &mut TrainingComponents<Mlp>,
        state: &mut LoopState,
        observers: &mut Observers,
    ) -> Result<()> {
        // the cut steps' running statistics, still pending, settle now, to be replaced
        drop(live.model().valid());
        state.ending = Ending::CutShort;
        if state.rows.len() == self.settings.resumed.rows.len() {
            let kept = match epoch {
                1 => "no epoch was whole, so the run has no weights to keep".to_string(),
                _ => format!(
                    "the run is as its checkpoint of epoch {} left it",
                    epoch - 1
                ),
            };
            return Err(Error::Stopped(format!(
                "training stopped in epoch {epoch} before the epoch ended, as asked: {kept}"
            )));
        }
        let Some((mut learner, record)) = unsaved else {
            return self.write_kept(state); // resumed from the newest checkpoint, as after a kill
        };
        learner.load_model(record);
        observers.checkpoint(epoch - 1)?;
        self.save(epoch - 1, &learner, components, state)
    }
}

/// The learner as the last epoch left it, and a record of its weights: BatchNorm's running
/// statistics are shared by a clone, and the cut steps move them.
pub(super) type Unsaved = (Learner<Mlp>, ModuleRecord);

/// The last epoch's end where no checkpoint holds it (saving by time or every N epochs), for
/// a stop that cuts epoch `epoch` short (see `Wants::stops`).
pub(super) fn unsaved_end(
    wants: Wants,
    (epoch, first): (usize, usize),
    state: &LoopState,
    learner: &Learner<Mlp>,
) -> Option<Unsaved> {
    let unsaved = wants.stops && epoch > first && state.saved != Some(epoch - 1);
    unsaved.then(|| (learner.clone(), learner.model().into_record()))
}
