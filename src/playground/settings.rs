//! What the page sends: one JSON document, checked as `train` checks its flags, that becomes a
//! `DataSource` and a `TrainConfig` (the `plaindnn train …` line for it: [`command`](super::command)).

use serde::{Deserialize, Serialize};

use super::uploads::Upload;
use crate::data::csv_file::Cells;
use crate::data::imputer::Strategy;
use crate::data::DataSource;
use crate::model::{ActivationConfig, AddedFeature, FeatureMap, InitConfig};
use crate::train::{EarlyStoppingConfig, OptimizerKind, ScheduleConfig, TrainConfig};

/// The 2-D built-in sets the page draws (option values of its data set menu).
pub const DATASETS: [&str; 5] = ["quadrants", "xor", "circles", "spiral", "blobs"];
/// Rows of a built-in set, training and validation together, when the page sets the share
/// (`train`'s defaults: 256 + 256).
pub const BUILTIN_ROWS: usize = 512;
/// Most hidden layers a page may ask for.
pub const MAX_LAYERS: usize = 8;
/// Most units in one hidden layer.
pub const MAX_UNITS: usize = 256;
/// Most epochs of one run.
pub const MAX_EPOCHS: usize = 1000;
/// Most cells per side of the decision grid.
pub const MAX_GRID: usize = 100;
/// Longest pause between two epochs (the speed control), in milliseconds.
pub const MAX_DELAY_MS: u64 = 2000;
/// Most classes of an uploaded file: the page draws a confusion matrix of classes² cells.
pub const MAX_CLASSES: usize = 100;

/// Most categories of a one-hot column of an uploaded file: each is an input, and the rows'
/// memory grows with rows × inputs (a column of IDs, one per row, took 2.7 GB for 25 000 rows).
pub const MAX_CATEGORIES: usize = 100;

/// Refuses a one-hot column of `cells` (the file the page uploaded as `name`) with more
/// categories than [`MAX_CATEGORIES`], before its rows are read into one input per category.
pub fn check_categories(name: &str, cells: &Cells, one_hot: &[String]) -> Result<(), String> {
    let Some((column, n)) = (one_hot.iter())
        .map(|c| (c, cells.categories(c)))
        .find(|&(_, n)| n > MAX_CATEGORIES)
    else {
        return Ok(());
    };
    Err(format!(
        "one_hot: column `{column}` of {name} holds {n} categories; the playground makes an \
         input of at most {MAX_CATEGORIES} (an ID? untick it): `plaindnn train --data {name}` \
         takes more"
    ))
}

/// Refuses a file with more classes than the page can draw (its confusion matrix and the
/// network's outputs grow with their number, and memory with rows × classes).
pub fn check_classes(name: &str, data: &crate::data::Dataset) -> Result<(), String> {
    let classes = data.class_names.len();
    if classes <= MAX_CLASSES {
        return Ok(());
    }
    Err(format!(
        "{name}: column `{}` holds {classes} classes; the playground draws at most \
         {MAX_CLASSES}: train on it with `plaindnn train --data {name}`",
        data.target_name
    ))
}

/// A name in any letter case, as the command line takes it (`XOR` is `xor`, as `SGD` is `sgd`).
fn lowercase<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|s| s.to_ascii_lowercase())
}

/// A whole number from 0 to `u64::MAX`, or the text of one: `9007199254740993` would reach the
/// server from JavaScript as `9007199254740992`.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a whole number from 0 to {}", u64::MAX)
        }
        fn visit_u64<E>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u64, E> {
            let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
            let parsed = v.parse().ok().filter(|_| digits); // no `+7`, as in JSON
            parsed.ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(Whole)
}

/// One run as the page describes it; every field has the page's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A name from [`DATASETS`], or `csv` for the page's uploaded file, in any letter case.
    #[serde(deserialize_with = "lowercase")]
    pub dataset: String,
    /// Noise of the built-in set (`None`: the set's own).
    pub noise: Option<f64>,
    /// Seed of the data, the weights, shuffling and dropout (as `train --seed`); a number or
    /// the text of one (the page sends what was typed: its numbers keep 53 bits, a seed 64).
    #[serde(deserialize_with = "whole_number")]
    pub seed: u64,
    /// Share of the rows trained on, the rest validated on (`None`: the defaults of `train`,
    /// 256 + 256 rows of a built-in set, 80 % of a CSV file).
    pub train_share: Option<f64>,
    /// As `train --add-features`: `square`, `product`, `sin`.
    pub add_features: Vec<String>,
    /// Hidden layer widths; none trains the output layer alone (`train --hidden none`).
    pub hidden: Vec<usize>,
    /// As `train --activation`: one name for every hidden layer, or one per layer (`relu,tanh`);
    /// without hidden layers only the default, which nothing applies.
    pub activation: String,
    /// As `train --init`.
    pub init: String,
    /// BatchNorm after each hidden Linear layer.
    pub batch_norm: bool,
    /// Dropout probability after each hidden activation.
    pub dropout: f64,
    /// As `train --optimizer`.
    pub optimizer: String,
    /// Learning rate.
    pub lr: f64,
    /// SGD / RMSProp momentum.
    pub momentum: f64,
    /// Rows per gradient step.
    pub batch_size: usize,
    /// As `train --lr-schedule`.
    pub lr_schedule: String,
    /// L1 penalty.
    pub l1: f64,
    /// L2 penalty.
    pub l2: f64,
    /// Max-norm constraint.
    pub max_norm: Option<f64>,
    /// Per-tensor gradient clipping by norm.
    pub clip_norm: Option<f64>,
    /// Early stopping's patience (`None`: every epoch is trained).
    pub patience: Option<usize>,
    /// Most epochs.
    pub epochs: usize,
    /// CSV only: the column to predict (default: the last).
    pub target: Option<String>,
    /// CSV only: as `train --features`, the columns the network takes (default: all but the
    /// target).
    pub features: Option<Vec<String>>,
    /// CSV regression only: as `train --standardize-target`.
    pub standardize_target: bool,
    /// CSV only: as `train --impute` (`mean` or `median`); `None` refuses missing cells.
    pub impute: Option<String>,
    /// CSV only: as `train --one-hot`, text columns as one 0/1 input per category.
    pub one_hot: Vec<String>,
    /// Milliseconds to wait after each epoch (the speed control; not part of the run).
    pub delay_ms: u64,
    /// Cells per side of the decision grid (not part of the run).
    pub grid: usize,
}

impl Default for Settings {
    /// The tutorial's task, two ReLU layers of 32 and Adam: learns the spiral in about 40 epochs.
    fn default() -> Self {
        Self {
            dataset: "quadrants".into(),
            noise: None,
            seed: 42,
            train_share: None,
            add_features: Vec::new(),
            hidden: vec![32, 32],
            activation: "relu".into(),
            init: "default".into(),
            batch_norm: false,
            dropout: 0.0,
            optimizer: "adam".into(),
            lr: 0.01,
            momentum: 0.0,
            batch_size: 16,
            lr_schedule: "constant".into(),
            l1: 0.0,
            l2: 0.0,
            max_norm: None,
            clip_norm: None,
            patience: None,
            epochs: 200,
            target: None,
            features: None,
            standardize_target: false,
            impute: None,
            one_hot: Vec::new(),
            delay_ms: 0,
            grid: 60,
        }
    }
}

/// A refused setting: which one, and why (the page shows it as is).
pub type Refusal = String;

impl Settings {
    /// Refuses what the playground caps (layers, units, epochs, grid, delay) and unknown names.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.dataset != "csv" && !DATASETS.contains(&self.dataset.as_str()) {
            return Err(format!(
                "dataset: the playground draws the 2-D sets {} or an uploaded csv, got `{}`",
                DATASETS.join(", "),
                self.dataset
            ));
        }
        if self.hidden.is_empty() && self.activation != Settings::default().activation {
            return Err(
                "activation: follows each hidden layer, and this network has none (only \
                 its output layer)"
                    .into(),
            );
        }
        if self.hidden.len() > MAX_LAYERS {
            return Err(format!(
                "hidden: at most {MAX_LAYERS} layers in the playground, got {}; `plaindnn train --hidden` has no such cap",
                self.hidden.len()
            ));
        }
        if let Some(&w) = self.hidden.iter().find(|&&w| w == 0 || w > MAX_UNITS) {
            return Err(format!(
                "hidden: each layer needs 1 to {MAX_UNITS} units in the playground, got {w}"
            ));
        }
        cap("epochs", self.epochs, 1, MAX_EPOCHS)?;
        cap("grid", self.grid, 2, MAX_GRID)?;
        cap("delay_ms", self.delay_ms as usize, 0, MAX_DELAY_MS as usize)?;
        // the names as `train` parses them, so the page and the command line agree
        self.activations()?;
        self.added_features()?;
        if let Some(share) = self.train_share.filter(|s| !(0.05..=0.95).contains(s)) {
            return Err(format!(
                "train_share: must be 0.05 to 0.95 in the playground, got {share}"
            ));
        }
        self.init()?;
        self.optimizer()?;
        self.schedule()?;
        self.data_settings()
    }

    /// The `impute` strategy, parsed as `train --impute` parses it.
    fn strategy(&self) -> Result<Option<Strategy>, Refusal> {
        let parse = |s: &String| s.parse::<Strategy>().map_err(|e| format!("impute: {e}"));
        self.impute.as_ref().map(parse).transpose()
    }

    /// Refuses a data setting the chosen data cannot take, as `train` refuses the flag.
    fn data_settings(&self) -> Result<(), Refusal> {
        if self.dataset == "csv" {
            self.strategy()?;
            if self.features.as_ref().is_some_and(Vec::is_empty) {
                return Err(
                    "features: none is ticked; tick at least one column to learn from".into(),
                );
            }
            return match self.noise {
                Some(_) => {
                    Err("noise: adds noise to a built-in set; an uploaded csv has none".into())
                }
                None => Ok(()),
            };
        }
        let csv_only = [
            (
                self.impute.is_some(),
                "impute",
                "fills an uploaded csv's missing cells",
                "has none",
            ),
            (
                !self.one_hot.is_empty(),
                "one_hot",
                "encodes an uploaded csv's text columns",
                "has none",
            ),
            (
                self.target.is_some(),
                "target",
                "names a column of an uploaded csv",
                "has its own",
            ),
            (
                self.features.is_some(),
                "features",
                "names columns of an uploaded csv",
                "has its own",
            ),
            (
                self.standardize_target,
                "standardize_target",
                "scales an uploaded csv's regression target",
                "has classes",
            ),
        ];
        if let Some((_, name, what, has)) = csv_only.iter().find(|given| given.0) {
            let set = &self.dataset;
            return Err(format!("{name}: {what}; the built-in set `{set}` {has}"));
        }
        self.source(None).map(|_| ()) // the noise, checked as `train --noise` checks it
    }

    /// The data these settings name; `upload` is the page's CSV file, if any.
    pub fn source(&self, upload: Option<&Upload>) -> Result<DataSource, Refusal> {
        if self.dataset == "csv" {
            let upload = upload.ok_or("dataset csv: upload a CSV file first")?;
            let mut source = DataSource::csv(&upload.path, self.seed);
            if let DataSource::Csv {
                target,
                features,
                val_fraction,
                decimal,
                ..
            } = &mut source
            {
                *decimal = upload.decimal;
                target.clone_from(&self.target);
                features.clone_from(&self.features);
                if let Some(share) = self.train_share {
                    *val_fraction = held_out(share);
                }
            }
            if self.standardize_target {
                source = source.with_standardized_target().map_err(refusal)?;
            }
            if let DataSource::Csv {
                impute, one_hot, ..
            } = &mut source
            {
                *impute = self.strategy()?;
                one_hot.clone_from(&self.one_hot);
            }
            return Ok(source);
        }
        let mut source = DataSource::builtin(&self.dataset, self.seed).map_err(refusal)?;
        if let Some(noise) = self.noise {
            source = source.with_noise(noise).map_err(refusal)?;
        }
        let sizes = self.train_share.map(builtin_sizes).unzip();
        source.with_sizes(sizes.0, sizes.1).map_err(refusal)
    }

    /// The recipe for a network with `inputs` inputs and `outputs` outputs, checked as `train`
    /// checks it.
    pub fn config(&self, inputs: usize, outputs: usize) -> Result<TrainConfig, Refusal> {
        let mut c = TrainConfig::default_for(inputs, outputs);
        c.model.hidden.clone_from(&self.hidden);
        match self.activations()?.as_slice() {
            [one] => c.model.activation = one.clone(),
            per_layer => c.model.activations = per_layer.to_vec(),
        }
        c.model.add_features = self.added_features()?;
        c.model.init = self.init()?;
        c.model.batch_norm = self.batch_norm;
        c.model.dropout = self.dropout;
        c.optimizer.kind = self.optimizer()?;
        c.optimizer.learning_rate = self.lr;
        c.optimizer.momentum = self.momentum;
        c.schedule = self.schedule()?;
        c.regularization.l1 = self.l1;
        c.regularization.l2 = self.l2;
        c.regularization.max_norm = self.max_norm;
        c.clipping.norm = self.clip_norm;
        c.early_stopping = self.patience.map(|patience| EarlyStoppingConfig {
            patience,
            ..EarlyStoppingConfig::default()
        });
        c.epochs = self.epochs;
        c.batch_size = self.batch_size;
        c.seed = self.seed;
        c.validate().map_err(refusal)?;
        Ok(c)
    }

    fn activations(&self) -> Result<Vec<ActivationConfig>, Refusal> {
        let names = self.activation.split(',');
        names
            .map(|a| a.parse().map_err(|e| of_field("activation", a, e)))
            .collect()
    }

    /// The kinds asked for, in the order the model adds them.
    fn added_features(&self) -> Result<Vec<AddedFeature>, Refusal> {
        let kinds = self.add_features.iter();
        let kinds: Vec<AddedFeature> = kinds
            .map(|a| a.parse().map_err(|e| of_field("add_features", a, e)))
            .collect::<Result<_, _>>()?;
        if let Some(twice) = (kinds.iter().enumerate()).find(|(i, k)| kinds[..*i].contains(k)) {
            // as `train --add-features` refuses it: the map would add it once, silently
            return Err(format!("add_features: `{}` given twice", twice.1));
        }
        Ok(FeatureMap::new(&kinds).added)
    }

    fn init(&self) -> Result<InitConfig, Refusal> {
        (self.init.parse()).map_err(|e| of_field("init", &self.init, e))
    }

    fn optimizer(&self) -> Result<OptimizerKind, Refusal> {
        (self.optimizer.parse()).map_err(|e| of_field("optimizer", &self.optimizer, e))
    }

    fn schedule(&self) -> Result<ScheduleConfig, Refusal> {
        (self.lr_schedule.parse()).map_err(|e| of_field("lr_schedule", &self.lr_schedule, e))
    }
}

/// Rows a built-in set draws in the playground: [`BUILTIN_ROWS`] split by `share`.
pub(super) fn builtin_sizes(share: f64) -> (usize, usize) {
    let train = (share * BUILTIN_ROWS as f64).round() as usize;
    (train, BUILTIN_ROWS - train)
}

/// A CSV file's validation share for training share `share`, rounded to six places so the
/// command shows 0.3, not 0.30000000000000004.
pub(super) fn held_out(share: f64) -> f64 {
    ((1.0 - share) * 1e6).round() / 1e6
}

/// `train`'s refusal in the page's words: a value the library names by a word (`learning
/// rate`) or a flag (`--add-features`) by its field (`lr: …`, `add_features: …`), as the
/// playground's own refusals name them.
fn refusal(e: crate::Error) -> Refusal {
    let in_page_words =
        |text: String| super::page_words::as_uploaded(&text, std::path::Path::new(""), "");
    let crate::Error::InvalidParameter { name, message } = e else {
        return in_page_words(e.to_string());
    };
    let message = in_page_words(message);
    let field = match name.as_str() {
        "learning rate" => "lr".to_string(),
        "activations" => "activation".to_string(),
        name => name.trim_start_matches("--").replace(['-', ' '], "_"),
    };
    format!("{field}: {message}")
}

/// A text field's value that its flag's parser refuses, by the field and the value
/// (`lr_schedule: `step:10:2`: invalid step gamma: …`; it was the parser's word alone,
/// `step_gamma: …`, or no field at all, `unknown activation ```).
fn of_field(field: &str, value: &str, e: crate::Error) -> Refusal {
    format!("{field}: `{value}`: {e}")
}

/// `value` in `lo..=hi`, or a message naming the field and the cap.
fn cap(name: &str, value: usize, lo: usize, hi: usize) -> Result<(), Refusal> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{name}: must be {lo} to {hi} in the playground, got {value}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn nine_layers_are_refused_with_the_cap_named() {
        let s = Settings {
            hidden: vec![4; 9],
            ..Settings::default()
        };
        assert_eq!(
            s.check().unwrap_err(),
            "hidden: at most 8 layers in the playground, got 9; `plaindnn train --hidden` has no such cap"
        );
    }

    /// An outside audit: `optimizer: "SGD"` was taken and `dataset: "XOR"` refused.
    #[test]
    fn a_data_set_is_named_in_any_letter_case_as_the_optimizer_is() {
        let page = r#"{"dataset": "XOR", "optimizer": "SGD"}"#;
        let s: Settings = serde_json::from_str(page).expect("settings");
        assert_eq!(s.dataset, "xor");
        assert_eq!(s.check(), Ok(()));
        let csv: Settings = serde_json::from_str(r#"{"dataset": "CSV"}"#).expect("settings");
        assert_eq!(csv.dataset, "csv");
        let none: Settings = serde_json::from_str(r#"{"dataset": "XORR"}"#).expect("settings");
        assert!(none.check().unwrap_err().contains("got `xorr`"));
    }

    /// An outside audit: the page's seed box lost the digits of seeds past 2^53 (JavaScript
    /// numbers); the page sends the seed as typed.
    #[test]
    fn a_seed_comes_as_a_number_or_as_its_digits_up_to_64_bits() {
        let seed = |v: &str| {
            let page = format!(r#"{{"seed": {v}}}"#);
            serde_json::from_str::<Settings>(&page).map(|s| s.seed)
        };
        assert_eq!(seed("7").unwrap(), 7);
        assert_eq!(
            seed(r#""9007199254740993""#).unwrap(),
            9_007_199_254_740_993
        );
        assert_eq!(seed(r#""18446744073709551615""#).unwrap(), u64::MAX);
        let bad = [
            r#""18446744073709551616""#,
            r#""-1""#,
            r#""+7""#,
            r#""""#,
            "1.5",
            "-1",
        ];
        for bad in bad {
            let err = seed(bad).unwrap_err().to_string();
            assert!(
                err.contains("expected a whole number from 0 to 18446744073709551615"),
                "{bad}: {err}"
            );
        }
    }
}
