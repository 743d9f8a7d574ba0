//! What is told of a folder that holds no usable run: no weights yet, no `config.json`.

use std::fs;
use std::path::PathBuf;

use super::{RunDir, FAILED};
use crate::data::DataSource;
use crate::error::Error;
use crate::shell::quote_path;
use crate::train::checkpoint;

impl RunDir {
    /// The refusal to read the network of a run that has no `model.bpk`: one training now, one
    /// whose file was moved, one whose training failed and was kept ([`FAILED`] says why), or
    /// one stopped before its first save (saving by time) or its first epoch, which `--resume`
    /// trains.
    pub fn no_model(&self) -> Error {
        let at = &self.root;
        if self.model_path().exists() {
            // there, but a folder (or something else): not a file moved away
            return Error::run(
                at,
                "has a model.bpk that is not a file (a folder?): put the saved file back from a \
                 copy, or train the run again",
            );
        }
        if crate::train::lock::in_use(at) {
            return Error::run(
                at,
                "is training now and has saved no weights yet: wait a little",
            );
        }
        if let Some(epoch) = checkpoint::latest_complete(&self.checkpoint_dir()) {
            let why = format!(
                "has no model.bpk, though its checkpoint of epoch {epoch} is there: it was \
                 moved or deleted; restore it from a copy, or train the run again"
            );
            return Error::run(at, why);
        }
        if let Ok(why) = fs::read_to_string(self.root.join(FAILED)) {
            let why = format!(
                "has no model.bpk: its training failed before it saved weights, so there are \
                 none to use ({FAILED}: {})",
                why.trim()
            );
            return Error::run(at, why);
        }
        let when = match self.epochs_recorded() {
            0 => "it was stopped before it finished an epoch".to_string(),
            n => format!(
                "it was stopped before its first save ({} in metrics.csv)",
                crate::plural::count(n, "epoch")
            ),
        };
        let way = format!(
            "`plaindnn train --resume {}` trains it",
            quote_path(&self.root)
        );
        let waits = self.replaced_waits();
        Error::run(
            &self.root,
            format!("has no model.bpk yet: {when}; {way}{waits}"),
        )
    }

    /// The epochs `metrics.csv` records (0 without one), saved or not.
    pub(super) fn epochs_recorded(&self) -> usize {
        crate::train::history::read(&self.metrics_path()).map_or(0, |rows| rows.len())
    }

    /// Where a run that `--overwrite` set aside waits, when its replacement stopped before its
    /// first save (killed): `` (the run it replaced waits in `D/.replaced/`: …)``, or nothing.
    pub(super) fn replaced_waits(&self) -> String {
        if !crate::train::replaced::waits(self) {
            return String::new();
        }
        let aside = self.root.join(crate::train::replaced::ASIDE);
        format!(
            " (the run it replaced waits in {}, its checkpoints in {}, until a run here saves: \
             the next `--overwrite` keeps them aside for itself, and put back in place of this \
             run's files they are that run again)",
            aside.display(),
            self.checkpoint_dir()
                .join(crate::train::replaced::ASIDE)
                .display()
        )
    }

    /// Why a folder without `config.json` is not a run, and the run inside it if it holds some
    /// (an experiment's folder holds one per variant and seed).
    pub(super) fn not_a_run(&self) -> String {
        let mut runs: Vec<PathBuf> = fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| RunDir::new(dir).config_path().is_file())
            .collect();
        runs.sort();
        if crate::train::replaced::waits(self) {
            let aside = self.root.join(crate::train::replaced::ASIDE);
            // a trained network's run is put back by its resume, a pretraining's or a fit's by
            // the next of its command that does not replace it
            let waiting = RunDir::new(&aside);
            let config = waiting.read_config().ok();
            let pretraining =
                matches!(&config, Some(c) if matches!(c.data.source, DataSource::Inputs { .. }));
            let dir = quote_path(&self.root);
            let way = match (config.is_some(), pretraining, waiting.holds_fit()) {
                (true, false, _) => {
                    format!("`plaindnn train --resume {dir}` puts it back and continues it")
                }
                (_, true, _) => format!(
                    "`plaindnn pretrain --out {dir}` without --overwrite puts it back first"
                ),
                (false, _, true) => {
                    format!("`plaindnn regress --out {dir}` without --overwrite puts it back first")
                }
                _ => format!("move its files back into {dir} to use it again"),
            };
            return format!(
                "holds no config.json: the run `--overwrite` replaced waits in {}, and the run \
                 replacing it stopped before it wrote its own (killed?): {way}",
                aside.display()
            );
        }
        match runs.first() {
            Some(run) => format!(
                "holds no config.json, so it is not a run, but it holds {} run{} (one is {})",
                runs.len(),
                if runs.len() == 1 { "" } else { "s" },
                run.display()
            ),
            None => "holds no config.json: not a run directory (`plaindnn train --out DIR` makes \
                     one)"
                .into(),
        }
    }
}
