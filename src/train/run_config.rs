//! `config.json`: what the data looked like and the training recipe, with everything needed to
//! rebuild or resume a run, read back only when it agrees with itself.

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use crate::data::one_hot::OneHot;
use crate::data::{DataSource, Imputer, Scaler, Task};
use crate::error::{Error, Result};

/// Version of the run-directory format this plaindnn writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the data looked like: enough to read new rows and name predictions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // a key edited in by hand, or misspelt, is refused, not ignored
pub struct DataInfo {
    /// Where training data came from.
    pub source: DataSource,
    /// Classification or regression.
    pub task: Task,
    /// Feature columns, in the order the network reads them.
    pub feature_names: Vec<String>,
    /// The text columns among them read as one 0/1 input per category (`--one-hot`), with the
    /// categories learnt in training: new rows are encoded with these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_hot: Vec<OneHot>,
    /// Name of the target column.
    pub target: String,
    /// Class names in output order (classification).
    pub class_names: Vec<String>,
    /// The fill of missing feature cells learned on the training rows (`--impute`), applied to
    /// every new row before `scaler`; without it a missing cell is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imputer: Option<Imputer>,
    /// Standardisation learned on the training rows (MNIST-format pixels: a fixed / 255),
    /// applied to every new row.
    #[serde(default)]
    pub scaler: Option<Scaler>,
    /// A regression target's standardisation (`--standardize-target`): the network's outputs
    /// are mapped back to the target's units with `y = output·std + mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_scaler: Option<Scaler>,
    /// `[height, width]` when rows are grey images.
    #[serde(default)]
    pub image: Option<[usize; 2]>,
    /// The outputs reconstruct the standardised inputs (an autoencoder): predictions are mapped
    /// back to the inputs' own units with `scaler`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reconstructs: bool,
    /// The data files' fingerprint when the run trained (CSV): `--resume` and `eval` refuse
    /// files that changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Inputs standardised from their values as written, in f64 (too large for their spread in
    /// f32: a timestamp varying by seconds); new rows' are read so too. None in older runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exact_inputs: Vec<String>,
}

/// `config.json`: with the data it names, everything needed to rebuild or resume a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Run-directory format ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The plaindnn that wrote it.
    pub plaindnn_version: String,
    /// The data.
    pub data: DataInfo,
    /// The training recipe, model config inside.
    pub train: TrainConfig,
    /// The fingerprint of `--init-from`'s weights as the run started from them, so that a run
    /// killed before its first save, which `--resume` starts over, starts from the same ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_fingerprint: Option<String>,
    /// The command that started the run, as its caller gave it ([`super::RunOptions::command`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl RunConfig {
    /// The pretty-printed JSON `config.json` holds.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::json("writing config.json", e))
    }

    /// Reads `config.json`'s text: a version this plaindnn writes, fields that agree with each
    /// other, a network it can build; otherwise why not, naming the file.
    pub fn from_json(text: &str) -> std::result::Result<RunConfig, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("config.json is not valid JSON: {e}"))?;
        let Some(version) = value.get("format_version").and_then(|v| v.as_u64()) else {
            // `{}` or a list: not a version problem, no run at all
            return Err(format!(
                "config.json does not describe a run: it has no format_version (plaindnn writes \
                 version {FORMAT_VERSION})"
            ));
        };
        if version != u64::from(FORMAT_VERSION) {
            return Err(format!(
                "config.json has format version {version}; this plaindnn reads version {FORMAT_VERSION}"
            ));
        }
        let mut config: RunConfig = crate::json::parse(text)
            .map_err(|e| format!("config.json does not describe a run: {e}"))?;
        config.data.scale_old_pixels();
        let model = &config.train.model;
        config
            .data
            .fits(model.inputs, model.outputs)
            .map_err(|why| format!("config.json disagrees with itself: {why} (edited by hand?)"))?;
        // the network it describes is built from it: a value it refuses is the file's
        model
            .validate()
            .map_err(|e| format!("config.json: {e} (edited by hand?)"))?;
        // so is the data it names: the field, not a flag nobody gave (`--val-size` → `val_size`)
        let source = match &config.data.source {
            DataSource::Inputs { .. } => "data.source.of", // a pretraining's
            _ => "data.source",
        };
        config.data.source.check_limits().map_err(|e| match e {
            Error::InvalidParameter { name, message } => {
                let field = name.trim_start_matches("--").replace('-', "_");
                format!("config.json: invalid {source}.{field}: {message} (edited by hand?)")
            }
            e => format!("config.json: {e} (edited by hand?)"),
        })?;
        Ok(config)
    }
}

impl DataInfo {
    /// A run of MNIST-format files saved before their pixels' / 255 was its scaler
    /// (`"scaler": null`) learnt pixels / 255 all the same: that scaler, so new rows are read
    /// as its network needs them and its resume finds the data it trained on.
    fn scale_old_pixels(&mut self) {
        if let (DataSource::Idx { .. }, None) = (&self.source, &self.scaler) {
            let width = self.feature_names.len();
            self.scaler = Some(Scaler::dividing_by(255.0, width));
        }
    }

    /// What maps the network's outputs back to the data's units: the target's scaler, or an
    /// autoencoder's input scaler; `None` when the outputs are in those units already.
    pub fn output_scaler(&self) -> Option<&Scaler> {
        match self.reconstructs {
            true => self.scaler.as_ref(),
            false => self.target_scaler.as_ref(),
        }
    }

    /// Whether the data files hold the bytes they held when the run trained (true for a run
    /// that recorded no fingerprint).
    pub fn unchanged(&self) -> bool {
        // a file that cannot be read is not known to have changed: reading it will say why
        match (&self.fingerprint, self.source.fingerprint()) {
            (Some(then), Some(now)) => *then == now,
            _ => true,
        }
    }

    /// The names, classes, fill and scaler fit a network of `inputs` and `outputs`.
    fn fits(&self, inputs: usize, outputs: usize) -> std::result::Result<(), String> {
        use crate::plural::count;
        let (names, classes) = (self.feature_names.len(), self.class_names.len());
        if names != inputs {
            return Err(format!(
                "{} for a network of {}",
                count(names, "feature name"),
                count(inputs, "input")
            ));
        }
        if let Some(i) = self.imputer.as_ref().filter(|i| i.fill.len() != names) {
            let fills = count(i.fill.len(), "fill value");
            return Err(format!("{fills} for {}", count(names, "feature")));
        }
        if self.task == Task::Classification && classes != outputs {
            return Err(format!(
                "{} for a network of {}",
                count(classes, "class name"),
                count(outputs, "output")
            ));
        }
        if self.task == Task::Regression && classes > 0 {
            // a classifier's run edited to regression: its outputs would be read as values
            return Err(format!(
                "a regression with {} (a classifier's)",
                count(classes, "class name")
            ));
        }
        if let Some(twice) = crate::data::dataset::repeated(&self.class_names) {
            return Err(format!(
                "the class name `{twice}` is given twice, and each output needs its own"
            ));
        }
        let (scaler, target) = (self.scaler.as_ref(), self.target_scaler.as_ref());
        match crate::data::scaler::unfit_pair(scaler, target, (names, outputs)) {
            Some((what, why)) => Err(format!("a {what} with {why}")),
            None => Ok(()),
        }
    }
}
