//! Where a run's data comes from, recorded in `config.json` so `eval` can rebuild it.

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::quadrants;
use crate::error::{Error, Result};

/// Built-in data sets, generated from a seed (no files needed).
pub const BUILTIN_NAMES: &str = "quadrants";

/// A data source and how it is split into training and validation rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataSource {
    /// A generated data set: `train_size` training rows, `val_size` fresh validation rows.
    Builtin {
        name: String,
        train_size: usize,
        val_size: usize,
        seed: u64,
    },
    /// Data handed to the library in memory; it cannot be reloaded from the run directory.
    Memory { description: String },
}

impl DataSource {
    /// The tutorial's quadrant task: its four points plus 256 random ones, 256 fresh for validation.
    pub fn quadrants(seed: u64) -> Self {
        DataSource::Builtin {
            name: "quadrants".into(),
            train_size: 256,
            val_size: 256,
            seed,
        }
    }

    /// A built-in data set by name, with default sizes.
    pub fn builtin(name: &str, seed: u64) -> Result<Self> {
        match name {
            "quadrants" => Ok(Self::quadrants(seed)),
            _ => Err(Error::Unknown {
                what: "dataset",
                got: name.to_string(),
                valid: BUILTIN_NAMES.into(),
            }),
        }
    }

    /// The name of the target column, used when reading labelled CSV files for this model.
    pub fn target_name(&self) -> &'static str {
        match self {
            DataSource::Builtin { name, .. } if name == "quadrants" => "quadrant",
            DataSource::Builtin { .. } | DataSource::Memory { .. } => "target",
        }
    }

    /// The training and validation sets.
    pub fn load(&self) -> Result<(Dataset, Dataset)> {
        match self {
            DataSource::Builtin {
                name,
                train_size,
                val_size,
                seed,
            } => match name.as_str() {
                "quadrants" => Ok((
                    quadrants::training_set(*train_size, *seed)?,
                    quadrants::validation_set(*val_size, *seed)?,
                )),
                _ => Err(Error::Unknown {
                    what: "dataset",
                    got: name.clone(),
                    valid: BUILTIN_NAMES.into(),
                }),
            },
            DataSource::Memory { description } => Err(Error::Data(format!(
                "this run was trained on data passed in memory ({description}); \
                 give labelled data with --data FILE.csv"
            ))),
        }
    }
}
