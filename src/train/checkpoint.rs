//! Checkpoints written atomically (temp file, fsync, rename): a crash never leaves half a model.

use std::fs;
use std::path::{Path, PathBuf};

use burn::tensor::Bytes;
use burn::train::checkpoint::{
    Checkpoint, Checkpointer, CheckpointerError, CheckpointingAction, CheckpointingStrategy,
};
use burn::train::metric::store::EventStoreClient;

use super::checksum::{seal, unseal};
use super::run_dir::RunDir;
use crate::files::write_atomic;

/// Burn's `Checkpointer` writing `<name>-<epoch>.bpk` files atomically.
pub struct AtomicFileCheckpointer {
    directory: PathBuf,
    name: String,
}

impl AtomicFileCheckpointer {
    /// Checkpoints named `<name>-<epoch>.bpk` in `directory`.
    pub fn new(directory: &Path, name: &str) -> Self {
        Self {
            directory: directory.to_path_buf(),
            name: name.to_string(),
        }
    }

    /// The file of `epoch`'s checkpoint.
    pub fn path(&self, epoch: usize) -> PathBuf {
        checkpoint_path(&self.directory, &self.name, epoch)
    }
}

/// `<dir>/<name>-<epoch>.bpk`, Burn's naming.
pub fn checkpoint_path(dir: &Path, name: &str, epoch: usize) -> PathBuf {
    dir.join(format!("{name}-{epoch}.bpk"))
}

/// The weights saved at `path`, read into memory now: Burn's `ModuleRecord::load` reads a
/// file's tensors when they are used, so a checkpoint pruned in between (a resumed run's kept
/// weights, say) panicked at the end of the run instead of loading.
pub fn load_record(path: &Path) -> crate::Result<burn::store::ModuleRecord> {
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
    record_of(path, bytes)
}

/// The weights in `bytes`, read from the checkpoint file at `path` (named in an error), its
/// checksum checked.
pub fn record_of(path: &Path, bytes: Vec<u8>) -> crate::Result<burn::store::ModuleRecord> {
    let bytes = unseal(bytes).map_err(|why| crate::Error::checkpoint(path, why))?;
    burn::store::ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| crate::Error::checkpoint(path, e))
}

/// A checkpoint file's record bytes, its checksum checked.
pub fn read_sealed(path: &Path) -> crate::Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
    unseal(bytes).map_err(|why| crate::Error::checkpoint(path, why))
}

/// A record of Burn's (optimizer, scheduler) read from `path`, its checksum checked.
pub fn read_record<R: Checkpoint>(path: &Path) -> crate::Result<R> {
    let bytes = read_sealed(path)?;
    R::checkpoint_from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| crate::Error::checkpoint(path, e))
}

fn unknown(e: impl std::fmt::Display) -> CheckpointerError {
    CheckpointerError::Unknown(e.to_string())
}

impl<R: Checkpoint> Checkpointer<R> for AtomicFileCheckpointer {
    fn save(&self, epoch: usize, record: R) -> std::result::Result<(), CheckpointerError> {
        let bytes = record
            .checkpoint_into_bytes()
            .map_err(CheckpointerError::Record)?;
        write_atomic(&self.path(epoch), &seal(&bytes)).map_err(unknown)
    }

    fn restore(&self, epoch: usize) -> std::result::Result<R, CheckpointerError> {
        // the file named in the message, as `--resume` names it
        read_record(&self.path(epoch)).map_err(unknown)
    }

    fn delete(&self, epoch: usize) -> std::result::Result<(), CheckpointerError> {
        // never the newest complete checkpoint: where the saves after it failed (a full disk),
        // it was deleted and nothing was left to resume from
        if latest_complete(&self.directory).is_none_or(|newest| newest <= epoch) {
            return Ok(());
        }
        match fs::remove_file(self.path(epoch)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(CheckpointerError::IOError(e))
            }
            _ => Ok(()),
        }
    }
}

/// Saves each checkpoint it is asked for and deletes the one two saves back.
///
/// Burn writes the model, optimizer and scheduler files on three threads, each in the order it
/// was asked. Deleting save N−2 (not N−1) is only asked for after every thread has taken save
/// N, so whenever a process is killed at least one epoch has all three files complete.
pub struct KeepLastTwo {
    saved: Vec<usize>,
}

impl KeepLastTwo {
    /// Starting from the checkpoints already in `dir` (a resumed run), oldest first.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            saved: saved_epochs(dir),
        }
    }
}

impl CheckpointingStrategy for KeepLastTwo {
    fn checkpointing(
        &mut self,
        epoch: usize,
        _store: &EventStoreClient,
    ) -> Vec<CheckpointingAction> {
        self.saved.retain(|&e| e < epoch); // a resumed run overwrites what came after it
        self.saved.push(epoch);
        let mut actions = vec![CheckpointingAction::Save];
        while self.saved.len() > 2 {
            actions.push(CheckpointingAction::Delete(self.saved.remove(0)));
        }
        actions
    }
}

/// Whether `name` is a file the checkpointer writes into `checkpoint/`: `model-N.bpk`,
/// `optim-N.bpk`, `scheduler-N.bpk`, `kept-N.bpk`, or one's temporary file (`.model-N.bpk.tmp-PID`).
pub fn is_checkpoint_file(name: &str) -> bool {
    let temporary = name.strip_prefix('.').and_then(|n| n.split_once(".tmp-"));
    let name = temporary.map_or(name, |(n, _)| n);
    let Some((kind, epoch)) = name.strip_suffix(".bpk").and_then(|s| s.rsplit_once('-')) else {
        return false;
    };
    let number = !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit());
    number && ["model", "optim", "scheduler", "kept"].contains(&kind)
}

/// The epochs with a model checkpoint in `dir`, oldest first (none if `dir` is missing).
fn saved_epochs(dir: &Path) -> Vec<usize> {
    let mut epochs: Vec<usize> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_prefix("model-")?.strip_suffix(".bpk")?.parse().ok())
        .collect();
    epochs.sort_unstable();
    epochs
}

/// Burn's checkpoint writer failed (a full disk: a checkpoint not written, or an old one not
/// deleted), with what is left to resume from: the last complete checkpoint of
/// `run`, and the way on.
pub fn failed_save(run: &RunDir, why: impl std::fmt::Display) -> crate::Error {
    let (root, dir) = (run.root(), run.checkpoint_dir());
    let way = match latest_complete(&dir) {
        Some(epoch) => format!(
            "the last complete checkpoint is epoch {epoch}: free space on its disk (or mend \
             {}), then `plaindnn train --resume {}` continues from it",
            dir.display(),
            crate::shell::quote_path(root)
        ),
        None => format!(
            "no checkpoint was completed: free space on its disk (or mend {}) and train again \
             with --overwrite",
            dir.display()
        ),
    };
    crate::Error::Training(format!("checkpointing failed ({why}); {way}"))
}

/// The newest epoch whose model, optimizer and scheduler checkpoints are all present.
pub fn latest_complete(dir: &Path) -> Option<usize> {
    saved_epochs(dir).into_iter().rev().find(|&e| {
        ["model", "optim", "scheduler"]
            .iter()
            .all(|n| checkpoint_path(dir, n, e).is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outside audit filled the disk: epoch 2's model file failed, and epoch 3's save
    /// deleted epoch 1's, the last complete one (`kept-2 kept-3 scheduler-2 scheduler-3` left).
    #[test]
    fn the_newest_complete_checkpoint_is_never_deleted() {
        let dir =
            std::env::temp_dir().join(format!("plaindnn-keep-complete-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("made");
        let touch = |name: &str| fs::write(dir.join(name), b"x").expect("written");
        [
            "model-1.bpk",
            "optim-1.bpk",
            "scheduler-1.bpk",
            "scheduler-2.bpk",
            "model-3.bpk",
        ]
        .iter()
        .for_each(|n| touch(n));
        let model = AtomicFileCheckpointer::new(&dir, "model");
        let delete = |epoch| Checkpointer::<burn::store::ModuleRecord>::delete(&model, epoch);
        delete(1).expect("deletes");
        assert!(
            dir.join("model-1.bpk").is_file(),
            "epoch 1 is the only complete one"
        );
        // once a newer epoch is complete, the older one goes
        touch("optim-3.bpk");
        touch("scheduler-3.bpk");
        delete(1).expect("deletes");
        assert!(!dir.join("model-1.bpk").exists());
        let _ = fs::remove_dir_all(&dir);
    }
    use crate::model::{read_f32, Mlp, MlpConfig};
    use burn::module::Module;
    use burn::store::ModuleRecord;
    use burn::tensor::{Device, Tensor, TensorData};

    /// Burn's `restore` reads back what `save` wrote, and a flipped byte is refused naming the
    /// file, as `--resume` refuses it (the checksum of `checksum.rs`).
    #[test]
    fn a_checkpoint_restores_what_was_saved_and_a_damaged_one_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("plaindnn-ckpt-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        let (config, device) = (MlpConfig::new(2, vec![3], 2), Device::flex());
        let mlp = config.init(&device, 0).expect("valid");
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.5], [1, 2]), &device);
        let outputs = |m: &Mlp| read_f32(m.forward(x.clone()), "outputs").expect("read");
        let checkpointer = AtomicFileCheckpointer::new(&dir, "model");
        Checkpointer::<ModuleRecord>::save(&checkpointer, 4, mlp.clone().into_record())
            .expect("saved");
        let back: ModuleRecord = checkpointer.restore(4).expect("restored");
        let other = config.init(&device, 1).expect("valid");
        assert_ne!(
            outputs(&other),
            outputs(&mlp),
            "seed 1 differs before loading"
        );
        let loaded = other.try_load_record(back).expect("loads");
        assert_eq!(outputs(&loaded), outputs(&mlp), "the same network");
        let path = checkpointer.path(4);
        let mut file = fs::read(&path).expect("read");
        file[40] ^= 1;
        fs::write(&path, file).expect("write");
        let why = Checkpointer::<ModuleRecord>::restore(&checkpointer, 4)
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(why.contains(&path.display().to_string()), "{why}");
        let _ = fs::remove_dir_all(&dir);
    }
}
