//! A run that stopped because its loss stopped being a finite number: what happened, what of
//! the run is left, and the way on, as parts, so that each caller (the CLI, a pretraining's
//! stage, the playground's page) can word them for its reader.

use std::fmt;
use std::path::PathBuf;

/// Why a run diverged, what it kept, and what to try next.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// What became non-finite, and when, without a final period:
    /// `training diverged in epoch 4: the training loss became NaN`.
    pub what: String,
    /// What of the run is left; `None` for a fit that writes nothing as it goes.
    pub kept: Option<Kept>,
    /// The way on, a sentence (`Try a smaller --lr.`), or empty.
    pub advice: String,
}

/// What a diverged run left on disk.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Kept {
    /// The last good checkpoint, of this epoch, in this folder: `--resume` starts from it.
    Checkpoint {
        /// The epoch it ended.
        epoch: usize,
        /// Its folder.
        dir: PathBuf,
    },
    /// No checkpoint was saved yet, but the weights of this epoch (the best so far, or the
    /// newest) are in this file, which `predict` and `eval` read.
    Weights {
        /// The epoch they ended.
        epoch: usize,
        /// `model.bpk`.
        path: PathBuf,
    },
    /// No checkpoint was saved yet; the run's files stay.
    Nothing,
    /// No checkpoint was saved yet, and the run's files were removed from this folder (a new
    /// run that nothing could resume; it would block the same `--out`).
    Removed(PathBuf),
    /// As `Removed`, and the run it replaced (`--overwrite`) is back in this folder.
    Restored(PathBuf),
}

impl Divergence {
    /// `what`, what is kept, and `advice` (a sentence, or empty).
    pub fn new(what: impl Into<String>, kept: Option<Kept>, advice: impl Into<String>) -> Self {
        Divergence {
            what: what.into(),
            kept,
            advice: advice.into(),
        }
    }
}

impl fmt::Display for Divergence {
    /// `what; what is kept. Advice.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.what)?;
        match &self.kept {
            Some(Kept::Checkpoint { epoch, dir }) => write!(
                f,
                "; the last good checkpoint (epoch {epoch}) is kept in {}",
                dir.display()
            )?,
            Some(Kept::Weights { epoch, path }) => write!(
                f,
                "; no checkpoint was saved yet, but the weights of epoch {epoch} are kept in {}",
                path.display()
            )?,
            Some(Kept::Nothing) => write!(f, "; no checkpoint was saved yet")?,
            Some(Kept::Removed(dir)) => write!(
                f,
                "; no checkpoint was saved yet, so the run's files are removed from {}",
                dir.display()
            )?,
            Some(Kept::Restored(dir)) => write!(
                f,
                "; no checkpoint was saved yet, so the run's files are removed from {0} and the \
                 run it replaced is back in {0}",
                dir.display()
            )?,
            None => {}
        }
        write!(f, ".")?;
        if !self.advice.is_empty() {
            write!(f, " {}", self.advice)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diverged(kept: Option<Kept>) -> String {
        let what = "training diverged in epoch 4: the training loss became NaN";
        Divergence::new(what, kept, "Try a smaller --lr.").to_string()
    }

    #[test]
    fn each_kind_of_kept_run_is_said_between_what_happened_and_the_way_on() {
        let dir = PathBuf::from("r/checkpoint");
        assert_eq!(
            diverged(Some(Kept::Checkpoint { epoch: 3, dir })),
            "training diverged in epoch 4: the training loss became NaN; the last good \
             checkpoint (epoch 3) is kept in r/checkpoint. Try a smaller --lr."
        );
        let path = PathBuf::from("r/model.bpk");
        assert_eq!(
            diverged(Some(Kept::Weights { epoch: 1, path })),
            "training diverged in epoch 4: the training loss became NaN; no checkpoint was \
             saved yet, but the weights of epoch 1 are kept in r/model.bpk. Try a smaller --lr."
        );
        assert_eq!(
            diverged(Some(Kept::Nothing)),
            "training diverged in epoch 4: the training loss became NaN; no checkpoint was \
             saved yet. Try a smaller --lr."
        );
        assert_eq!(
            diverged(Some(Kept::Removed("r".into()))),
            "training diverged in epoch 4: the training loss became NaN; no checkpoint was \
             saved yet, so the run's files are removed from r. Try a smaller --lr."
        );
        assert_eq!(
            diverged(Some(Kept::Restored("r".into()))),
            "training diverged in epoch 4: the training loss became NaN; no checkpoint was \
             saved yet, so the run's files are removed from r and the run it replaced is back \
             in r. Try a smaller --lr."
        );
        assert_eq!(
            diverged(None),
            "training diverged in epoch 4: the training loss became NaN. Try a smaller --lr."
        );
    }

    #[test]
    fn a_divergence_without_advice_ends_at_its_period() {
        let said = Divergence::new("benchmark loss is NaN", None, "");
        assert_eq!(said.to_string(), "benchmark loss is NaN.");
    }
}
