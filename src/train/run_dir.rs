//! The run directory: `config.json`, `model.bpk` (best weights), `checkpoint/`, `metrics.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checkpoint::write_atomic;
use super::config::TrainConfig;
use crate::data::{DataSource, Scaler, Task};
use crate::error::{Error, Result};

/// Version of the run-directory format this plaindnn writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the data looked like: enough to read new rows and name predictions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataInfo {
    /// Where training data came from.
    pub source: DataSource,
    /// Classification or regression.
    pub task: Task,
    /// Feature columns, in the order the network reads them.
    pub feature_names: Vec<String>,
    /// Name of the target column.
    pub target: String,
    /// Class names in output order (classification).
    pub class_names: Vec<String>,
    /// Standardisation learned on the training rows, applied to every new row.
    #[serde(default)]
    pub scaler: Option<Scaler>,
    /// `[height, width]` when rows are grey images.
    #[serde(default)]
    pub image: Option<[usize; 2]>,
}

/// `config.json`: with the data it names, everything needed to rebuild or resume a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Run-directory format ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The plaindnn that wrote it.
    pub plaindnn_version: String,
    /// The data.
    pub data: DataInfo,
    /// The training recipe, model config inside.
    pub train: TrainConfig,
}

/// Paths inside one run directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// The run directory at `root` (not created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.json`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.json")
    }

    /// `model.bpk`: the best weights.
    pub fn model_path(&self) -> PathBuf {
        self.root.join("model.bpk")
    }

    /// `checkpoint/`: the last epoch's model, optimizer and scheduler.
    pub fn checkpoint_dir(&self) -> PathBuf {
        self.root.join("checkpoint")
    }

    /// `metrics.csv`.
    pub fn metrics_path(&self) -> PathBuf {
        self.root.join("metrics.csv")
    }

    /// Creates the directory and its `checkpoint/`.
    pub fn create(&self) -> Result<()> {
        let dir = self.checkpoint_dir();
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))
    }

    /// Writes `config.json` atomically.
    pub fn write_config(&self, config: &RunConfig) -> Result<()> {
        let json = serde_json::to_string_pretty(config)
            .map_err(|e| Error::run(&self.root, format!("cannot serialise config.json: {e}")))?;
        write_atomic(&self.config_path(), json.as_bytes())
    }

    /// Reads and checks `config.json`.
    pub fn read_config(&self) -> Result<RunConfig> {
        if !self.root.is_dir() {
            return Err(Error::run(
                &self.root,
                "does not exist (train one with `plaindnn train --out DIR`)",
            ));
        }
        let path = self.config_path();
        let text = fs::read_to_string(&path)
            .map_err(|e| Error::run(&self.root, format!("cannot read config.json: {e}")))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::run(&self.root, format!("config.json is not valid JSON: {e}")))?;
        let version = value
            .get("format_version")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if version != u64::from(FORMAT_VERSION) {
            return Err(Error::run(
                &self.root,
                format!("config.json has format version {version}; this plaindnn reads version {FORMAT_VERSION}"),
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            Error::run(
                &self.root,
                format!("config.json does not describe a run: {e}"),
            )
        })
    }
}
