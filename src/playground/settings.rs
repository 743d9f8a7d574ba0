//! What the page sends: one JSON document that becomes a `DataSource` and a `TrainConfig`, and the
//! `plaindnn train …` line that rebuilds the same run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::csv_file::quoted_cell;
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

/// One run as the page describes it; every field has the page's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A name from [`DATASETS`], or `csv` for the page's uploaded file.
    pub dataset: String,
    /// Noise of the built-in set (`None`: the set's own).
    pub noise: Option<f64>,
    /// Seed of the data, the weights, shuffling and dropout (as `train --seed`).
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
    pub fn source(&self, upload: Option<&Path>) -> Result<DataSource, Refusal> {
        if self.dataset == "csv" {
            let path = upload.ok_or("dataset csv: upload a CSV file first")?;
            let mut source = DataSource::csv(path, self.seed);
            if let DataSource::Csv {
                target,
                features,
                val_fraction,
                ..
            } = &mut source
            {
                target.clone_from(&self.target);
                features.clone_from(&self.features);
                if let Some(share) = self.train_share {
                    *val_fraction = held_out(share);
                }
            }
            if self.standardize_target {
                source = source
                    .with_standardized_target()
                    .map_err(|e| e.to_string())?;
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
        let mut source =
            DataSource::builtin(&self.dataset, self.seed).map_err(|e| e.to_string())?;
        if let Some(noise) = self.noise {
            source = source.with_noise(noise).map_err(|e| e.to_string())?;
        }
        let sizes = self.train_share.map(builtin_sizes).unzip();
        source
            .with_sizes(sizes.0, sizes.1)
            .map_err(|e| e.to_string())
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
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }

    fn activations(&self) -> Result<Vec<ActivationConfig>, Refusal> {
        let names = self.activation.split(',');
        names
            .map(|a| a.parse().map_err(|e: crate::Error| e.to_string()))
            .collect()
    }

    /// The kinds asked for, in the order the model adds them.
    fn added_features(&self) -> Result<Vec<AddedFeature>, Refusal> {
        let kinds = self.add_features.iter();
        let kinds: Vec<AddedFeature> = kinds
            .map(|a| a.parse().map_err(|e: crate::Error| e.to_string()))
            .collect::<Result<_, _>>()?;
        Ok(FeatureMap::new(&kinds).added)
    }

    fn init(&self) -> Result<InitConfig, Refusal> {
        self.init.parse().map_err(|e: crate::Error| e.to_string())
    }

    fn optimizer(&self) -> Result<OptimizerKind, Refusal> {
        self.optimizer
            .parse()
            .map_err(|e: crate::Error| e.to_string())
    }

    fn schedule(&self) -> Result<ScheduleConfig, Refusal> {
        self.lr_schedule
            .parse()
            .map_err(|e: crate::Error| e.to_string())
    }
}

/// Rows a built-in set draws in the playground: [`BUILTIN_ROWS`] split by `share`.
fn builtin_sizes(share: f64) -> (usize, usize) {
    let train = (share * BUILTIN_ROWS as f64).round() as usize;
    (train, BUILTIN_ROWS - train)
}

/// A CSV file's validation share for training share `share`, rounded to six places so the
/// command shows 0.3, not 0.30000000000000004.
fn held_out(share: f64) -> f64 {
    ((1.0 - share) * 1e6).round() / 1e6
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

/// `schedule` as `train --lr-schedule` reads it back.
fn schedule_flag(schedule: &ScheduleConfig) -> Option<String> {
    match schedule {
        ScheduleConfig::Constant => None,
        ScheduleConfig::Step { every, gamma } => Some(format!("step:{every}:{gamma}")),
        ScheduleConfig::Cosine { min_lr } => Some(format!("cosine:{min_lr}")),
        ScheduleConfig::Plateau {
            factor,
            patience,
            min_lr,
        } => Some(format!("plateau:{factor}:{patience}:{min_lr}")),
    }
}

/// The `plaindnn train` line that trains the run `config` describes on `settings`' data
/// (`csv_name`: the uploaded file's name). Numbers print in Rust's shortest round-trip form,
/// so the flags parse back to the same bits.
pub fn command(settings: &Settings, config: &TrainConfig, csv_name: Option<&str>) -> String {
    let mut line = Line(vec!["plaindnn".into(), "train".into()]);
    line.data(settings, csv_name);
    line.model(config);
    line.training(config);
    line.0.join(" ")
}

/// A command line being written, word by word.
struct Line(Vec<String>);

impl Line {
    /// `--name value`, or `--name=value` when the value starts with `-` (quoted or not), which
    /// the parser would otherwise take for a flag.
    fn flag(&mut self, name: &str, value: Option<String>) {
        match value {
            Some(v) if v.starts_with('-') || v.starts_with("'-") => {
                self.0.push(format!("--{name}={v}"))
            }
            value => {
                self.0.push(format!("--{name}"));
                self.0.extend(value);
            }
        }
    }

    /// `--dataset` or `--data`/`--target`, the noise and the split.
    fn data(&mut self, settings: &Settings, csv_name: Option<&str>) {
        let csv = settings.dataset == "csv";
        if csv {
            self.flag("data", Some(shell_word(csv_name.unwrap_or("FILE.csv"))));
            if let Some(t) = &settings.target {
                self.flag("target", Some(shell_word(t)));
            }
            if let Some(features) = &settings.features {
                self.flag("features", Some(csv_line(features)));
            }
            if !settings.one_hot.is_empty() {
                self.flag("one-hot", Some(csv_line(&settings.one_hot)));
            }
            if settings.standardize_target {
                self.flag("standardize-target", None);
            }
            if let Some(strategy) = &settings.impute {
                self.flag("impute", Some(strategy.clone()));
            }
        } else {
            self.flag("dataset", Some(settings.dataset.clone()));
        }
        if let (Some(noise), false) = (settings.noise, csv) {
            self.flag("noise", Some(noise.to_string()));
        }
        match (settings.train_share, csv) {
            (Some(share), true) => self.flag("val-fraction", Some(held_out(share).to_string())),
            (Some(share), false) => {
                let (train, val) = builtin_sizes(share);
                self.flag("train-size", Some(train.to_string()));
                self.flag("val-size", Some(val.to_string()));
            }
            (None, _) => {}
        }
    }

    /// The network: layers, activations, added features, init, BatchNorm, dropout.
    fn model(&mut self, config: &TrainConfig) {
        let m = &config.model;
        if m.hidden.is_empty() {
            self.flag("hidden", Some("none".into())); // and no activation, which `train` refuses
        } else {
            let hidden: Vec<String> = m.hidden.iter().map(|w| w.to_string()).collect();
            self.flag("hidden", Some(hidden.join(",")));
            self.flag("activation", Some(m.activation_flag()));
        }
        if !m.add_features.is_empty() {
            self.flag("add-features", Some(m.feature_map().to_string()));
        }
        self.flag("init", Some(m.init.to_string()));
        if m.batch_norm {
            self.flag("batch-norm", None);
        }
        if m.dropout > 0.0 {
            self.flag("dropout", Some(m.dropout.to_string()));
        }
    }

    /// Optimizer, schedule, penalties, clipping, early stopping, batch, epochs and seed.
    fn training(&mut self, config: &TrainConfig) {
        let o = &config.optimizer;
        self.flag("optimizer", Some(o.kind.to_string()));
        self.flag("lr", Some(o.learning_rate.to_string()));
        if o.momentum > 0.0 {
            self.flag("momentum", Some(o.momentum.to_string()));
        }
        if let Some(s) = schedule_flag(&config.schedule) {
            self.flag("lr-schedule", Some(s));
        }
        let r = &config.regularization;
        for (name, v) in [
            ("l1", Some(r.l1)),
            ("l2", Some(r.l2)),
            ("max-norm", r.max_norm),
        ] {
            if let Some(v) = v.filter(|&v| v > 0.0) {
                self.flag(name, Some(v.to_string()));
            }
        }
        if let Some(n) = config.clipping.norm {
            self.flag("clip-norm", Some(n.to_string()));
        }
        match &config.early_stopping {
            Some(es) => self.flag("patience", Some(es.patience.to_string())),
            None => self.flag("no-early-stopping", None),
        }
        self.flag("batch-size", Some(config.batch_size.to_string()));
        self.flag("epochs", Some(config.epochs.to_string()));
        self.flag("seed", Some(config.seed.to_string()));
    }
}

/// Column names as one shell word holding a CSV line (`'a,"size, cm"'`), as `train` reads a list.
fn csv_line(columns: &[String]) -> String {
    let cells: Vec<String> = columns.iter().map(|c| quoted_cell(c)).collect();
    shell_word(&cells.join(","))
}

/// `word` quoted for a POSIX shell when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./,:=+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_settings_give_the_flags_of_their_config() {
        let s = Settings::default();
        let c = s.config(2, 4).unwrap();
        assert_eq!(
            command(&s, &c, None),
            "plaindnn train --dataset quadrants --hidden 32,32 --activation relu --init default \
             --optimizer adam --lr 0.01 --no-early-stopping --batch-size 16 --epochs 200 --seed 42"
        );
    }

    #[test]
    fn per_layer_activations_added_features_and_the_training_share_become_their_flags() {
        let s = Settings {
            dataset: "circles".into(),
            activation: "relu,tanh".into(),
            add_features: vec!["sin".into(), "square".into()],
            train_share: Some(0.7),
            ..Settings::default()
        };
        let c = s.config(2, 2).unwrap();
        assert_eq!(c.model.activation_flag(), "relu,tanh");
        let line = command(&s, &c, None);
        assert!(line.contains(" --train-size 358 --val-size 154 "), "{line}");
        assert!(
            line.contains(" --activation relu,tanh --add-features square,sin "),
            "{line}"
        );
        let csv = Settings {
            dataset: "csv".into(),
            ..s
        };
        assert!(command(&csv, &c, Some("a.csv")).contains(" --val-fraction 0.3 "));
    }

    #[test]
    fn a_file_name_with_a_space_is_quoted_for_the_shell() {
        assert_eq!(shell_word("my data.csv"), "'my data.csv'");
        assert_eq!(shell_word("it's.csv"), r"'it'\''s.csv'");
        assert_eq!(shell_word("plain.csv"), "plain.csv");
    }

    #[test]
    fn a_file_or_column_named_with_a_leading_dash_is_joined_to_its_flag() {
        let s = Settings {
            dataset: "csv".into(),
            target: Some("-lab".into()),
            ..Settings::default()
        };
        let c = s.config(2, 4).unwrap();
        let line = command(&s, &c, Some("-my data.csv"));
        assert!(
            line.starts_with("plaindnn train --data='-my data.csv' --target=-lab --hidden "),
            "{line}"
        );
    }

    #[test]
    fn no_hidden_layer_is_hidden_none_without_an_activation_and_refuses_one_given() {
        let s = Settings {
            hidden: vec![],
            ..Settings::default()
        };
        s.check().unwrap();
        let line = command(&s, &s.config(2, 4).unwrap(), None);
        assert!(line.contains(" --hidden none --init "), "{line}");
        let tanh = Settings {
            activation: "tanh".into(),
            ..s
        };
        assert!(tanh
            .check()
            .unwrap_err()
            .starts_with("activation: follows each hidden layer"));
    }

    #[test]
    fn one_hot_columns_become_one_flag_quoted_as_a_csv_line_and_a_built_in_set_refuses_them() {
        let s = Settings {
            dataset: "csv".into(),
            one_hot: vec!["colour".into(), "size, cm".into()],
            ..Settings::default()
        };
        let line = command(&s, &s.config(5, 2).unwrap(), Some("a.csv"));
        let flag = r#" --data a.csv --one-hot 'colour,"size, cm"' --hidden "#;
        assert!(line.contains(flag), "{line}");
        let built_in = Settings {
            dataset: "xor".into(),
            ..s
        };
        assert!(built_in
            .check()
            .unwrap_err()
            .starts_with("one_hot: encodes an uploaded csv's"));
    }

    #[test]
    fn chosen_features_become_one_flag_before_the_one_hot_ones_and_a_built_in_set_refuses_them() {
        let s = Settings {
            dataset: "csv".into(),
            features: Some(vec!["x".into(), "size, cm".into()]),
            one_hot: vec!["size, cm".into()],
            ..Settings::default()
        };
        let line = command(&s, &s.config(5, 2).unwrap(), Some("a.csv"));
        let flags = r#" --data a.csv --features 'x,"size, cm"' --one-hot '"size, cm"' --hidden "#;
        assert!(line.contains(flags), "{line}");
        let built_in = Settings {
            dataset: "xor".into(),
            one_hot: Vec::new(),
            ..s
        };
        assert_eq!(
            built_in.check().unwrap_err(),
            "features: names columns of an uploaded csv; the built-in set `xor` has its own"
        );
    }

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
}
