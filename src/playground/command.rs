//! The `plaindnn train …` line that rebuilds a page's run: every setting as the flag `train`
//! reads back to the same value.

use super::settings::{builtin_sizes, held_out, Settings};
use super::uploads::Upload;
use crate::data::csv_file::quoted_cell;
use crate::shell;
use crate::spec::number;
use crate::train::{ScheduleConfig, TrainConfig};

/// `schedule` as `train --lr-schedule` reads it back.
fn schedule_flag(schedule: &ScheduleConfig) -> Option<String> {
    match schedule {
        ScheduleConfig::Constant => None,
        ScheduleConfig::Step { every, gamma } => Some(format!("step:{every}:{}", number(gamma))),
        ScheduleConfig::Cosine { min_lr } => Some(format!("cosine:{}", number(min_lr))),
        ScheduleConfig::Plateau {
            factor,
            patience,
            min_lr,
        } => Some(format!(
            "plateau:{}:{patience}:{}",
            number(factor),
            number(min_lr)
        )),
    }
}

/// The `plaindnn train` line that trains the run `config` describes on `settings`' data
/// (`upload`: the uploaded file, by the name the page gave it, with its decimal mark). Numbers
/// print in Rust's shortest round-trip form (`number`), so the flags parse back to the same bits.
pub fn command(settings: &Settings, config: &TrainConfig, upload: Option<&Upload>) -> String {
    let mut line = Line(vec!["plaindnn".into(), "train".into()]);
    line.data(settings, upload);
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
    fn data(&mut self, settings: &Settings, upload: Option<&Upload>) {
        let csv = settings.dataset == "csv";
        if csv {
            let name = upload.map_or("FILE.csv", |u| u.name.as_str());
            self.flag("data", Some(shell::quote(name)));
            if let Some(mark) = upload.and_then(|u| u.decimal) {
                self.flag("decimal", Some(mark.to_string()));
            }
            if let Some(t) = &settings.target {
                self.flag("target", Some(shell::quote(t)));
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
            self.flag("noise", Some(number(noise)));
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
            self.flag("dropout", Some(number(m.dropout)));
        }
    }

    /// Optimizer, schedule, penalties, clipping, early stopping, batch, epochs and seed.
    fn training(&mut self, config: &TrainConfig) {
        let o = &config.optimizer;
        self.flag("optimizer", Some(o.kind.to_string()));
        self.flag("lr", Some(number(o.learning_rate)));
        if o.momentum > 0.0 {
            self.flag("momentum", Some(number(o.momentum)));
        }
        if o.weight_decay() != o.kind.default_weight_decay() {
            self.flag("weight-decay", Some(number(o.weight_decay())));
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
                self.flag(name, Some(number(v)));
            }
        }
        if let Some(n) = config.clipping.norm {
            self.flag("clip-norm", Some(number(n)));
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
    shell::quote(&cells.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upload of points named `name`, as the page's command names it.
    fn file(name: &str) -> Upload {
        Upload {
            name: name.into(),
            path: Default::default(),
            decimal: None,
        }
    }

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

    /// `train --optimizer adamw` decays by PyTorch's 0.01 (tests/flags.rs): the page's AdamW run
    /// does too, so its command, which names no decay, trains the same network (a review found
    /// the page's at 0 under a command that gave 0.01).
    #[test]
    fn an_adamw_run_decays_as_its_command_does() {
        let s = Settings {
            optimizer: "adamw".into(),
            ..Settings::default()
        };
        let mut c = s.config(2, 4).unwrap();
        assert_eq!(c.optimizer.weight_decay(), 0.01);
        assert!(!command(&s, &c, None).contains("--weight-decay"));
        c.optimizer.weight_decay = Some(0.0);
        assert!(command(&s, &c, None).contains(" --weight-decay 0 "));
    }

    #[test]
    fn a_huge_or_tiny_number_prints_with_an_exponent_and_parses_back_to_the_same_bits() {
        // an audit saw `--lr 1e308` written out as 309 digits (now refused: beyond f32)
        let s = Settings {
            lr: 1e38,
            ..Settings::default()
        };
        let c = s.config(2, 4).unwrap();
        assert!(command(&s, &c, None).contains(" --lr 1e38 "));
        // and a spec's parameters (an audit saw `--init normal:1e308` as 309 digits)
        let s = Settings {
            init: "normal:1e38".into(),
            activation: "elu:1e37".into(),
            ..Settings::default()
        };
        let line = command(&s, &s.config(2, 4).unwrap(), None);
        assert!(line.contains(" --init normal:1e38 "), "{line}");
        assert!(line.contains(" --activation elu:1e37 "), "{line}");
        for v in [
            1e308,
            3.5e-300,
            1e-7,
            0.0001,
            0.01,
            0.3,
            1.5,
            123456.75,
            2.0f64.powi(60),
        ] {
            let back: f64 = number(v).parse().unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v} as {}", number(v));
        }
        assert_eq!(number(0.01), "0.01", "everyday values stay plain");
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
        assert!(command(&csv, &c, Some(&file("a.csv"))).contains(" --val-fraction 0.3 "));
    }

    #[test]
    fn a_file_or_column_named_with_a_leading_dash_is_joined_to_its_flag() {
        let s = Settings {
            dataset: "csv".into(),
            target: Some("-lab".into()),
            ..Settings::default()
        };
        let c = s.config(2, 4).unwrap();
        let line = command(&s, &c, Some(&file("-my data.csv")));
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
        let line = command(&s, &s.config(5, 2).unwrap(), Some(&file("a.csv")));
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
        let line = command(&s, &s.config(5, 2).unwrap(), Some(&file("a.csv")));
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
    fn a_file_name_with_a_space_is_quoted_for_the_shell() {
        assert_eq!(shell::quote("my data.csv"), "'my data.csv'");
        assert_eq!(shell::quote("it's.csv"), r"'it'\''s.csv'");
        assert_eq!(shell::quote("plain.csv"), "plain.csv");
    }
}
