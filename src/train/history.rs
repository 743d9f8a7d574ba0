//! `metrics.csv`: one row per epoch, the same bytes for the same seed and backend.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::observer::{EpochReport, TrainObserver};
use crate::data::Task;
use crate::error::{Error, Result};
use crate::files::rewrite_for_append;

/// What one epoch measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochRow {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (weighted by batch size).
    pub train_loss: f64,
    /// Mean validation loss.
    pub val_loss: f64,
    /// Validation accuracy (classification) or RMSE (regression).
    pub val_metric: f64,
    /// Learning rate at the end of the epoch.
    pub lr: f64,
}

/// The CSV header for a task.
pub fn header(task: Task) -> &'static str {
    match task {
        Task::Classification => "epoch,train_loss,val_loss,val_accuracy,lr",
        Task::Regression => "epoch,train_loss,val_loss,val_rmse,lr",
    }
}

impl EpochRow {
    fn to_csv(&self) -> String {
        format!(
            "{},{:.8},{:.8},{:.8},{:e}",
            self.epoch, self.train_loss, self.val_loss, self.val_metric, self.lr
        )
    }

    fn from_csv(line: &str) -> Option<Self> {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 5 {
            return None;
        }
        Some(EpochRow {
            epoch: f[0].parse().ok()?,
            train_loss: f[1].parse().ok()?,
            val_loss: f[2].parse().ok()?,
            val_metric: f[3].parse().ok()?,
            lr: f[4].parse().ok()?,
        })
    }
}

/// Appends rows to `metrics.csv`, flushing each so a crash loses at most the current epoch.
pub struct History {
    path: PathBuf,
    file: File,
}

impl History {
    /// `create` for a new run, `resume` after `done` epochs.
    pub fn open(path: &Path, task: Task, done: usize) -> Result<(Self, Vec<EpochRow>)> {
        match done {
            0 => Ok((Self::create(path, task)?, Vec::new())),
            _ => Self::resume(path, task, done),
        }
    }

    /// Starts a fresh file with the header.
    pub fn create(path: &Path, task: Task) -> Result<Self> {
        let mut file = File::create(path).map_err(|e| Error::io(path, e))?;
        writeln!(file, "{}", header(task)).map_err(|e| Error::io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Reopens an existing file for a resumed run, keeping only rows up to `last_epoch`.
    pub fn resume(path: &Path, task: Task, last_epoch: usize) -> Result<(Self, Vec<EpochRow>)> {
        let rows: Vec<EpochRow> = read(path)?
            .into_iter()
            .filter(|r| r.epoch <= last_epoch)
            .collect();
        // rewrite atomically, so a kill here cannot lose the rows being kept
        let mut text = format!("{}\n", header(task));
        rows.iter()
            .for_each(|r| text += &format!("{}\n", r.to_csv()));
        let file = rewrite_for_append(path, &text)?;
        Ok((
            Self {
                path: path.to_path_buf(),
                file,
            },
            rows,
        ))
    }

    /// Writes one row.
    pub fn append(&mut self, row: &EpochRow) -> Result<()> {
        writeln!(self.file, "{}", row.to_csv())
            .and_then(|_| self.file.flush())
            .map_err(|e| Error::io(&self.path, e))
    }
}

impl TrainObserver for History {
    fn on_epoch(&mut self, report: &EpochReport) -> Result<()> {
        self.append(&report.row)
    }

    /// On disk before the checkpoint: `--resume` after a power cut refuses a gap in the rows.
    fn on_checkpoint(&mut self, _epoch: usize) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

/// Reads every well-formed row of a `metrics.csv` (a torn last line is skipped).
pub fn read(path: &Path) -> Result<Vec<EpochRow>> {
    let file = OpenOptions::new()
        .read(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let mut rows = Vec::new();
    for line in BufReader::new(file).lines().skip(1) {
        let line = line.map_err(|e| Error::io(path, e))?;
        if let Some(row) = EpochRow::from_csv(&line) {
            rows.push(row);
        }
    }
    Ok(rows)
}
