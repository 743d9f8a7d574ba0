//! Presets: named starting configs that flags then override.

use std::str::FromStr;

use super::config::{OptimizerKind, TrainConfig};
use crate::error::{Error, Result};
use crate::model::{ActivationConfig, InitConfig};

/// A named starting point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The tutorial's "default best configuration": He init, ELU, Batch Normalization,
    /// Dropout (0.2), Adam.
    SeedDefault,
    /// The configuration the tutorial warns against: default init, sigmoid, no normalisation,
    /// plain SGD (lr 0.1).
    Plain,
}

impl Preset {
    /// Applies the preset to `config` as its flags would (`--init he-normal --activation elu
    /// --batch-norm --dropout 0.2 --optimizer adam`; `--init default --activation sigmoid
    /// --dropout 0 --optimizer sgd --lr 0.1`, no BatchNorm), keeping everything else: sizes,
    /// epochs, seed, and the optimizer's weight decay and betas (a `--config` file's; the CLI
    /// refuses a decay that is the file's optimizer's default where the preset's reads it
    /// otherwise), and for plain's SGD its momentum (Adam has none); its activation replaces a
    /// per-layer list too.
    pub fn apply(self, config: &mut TrainConfig) {
        config.model.activations.clear();
        match self {
            Preset::SeedDefault => {
                config.model.init = InitConfig::HeNormal;
                config.model.activation = ActivationConfig::Elu { alpha: 1.0 };
                config.model.batch_norm = true;
                config.model.dropout = 0.2;
                // Adam has no momentum (its beta1 plays that role): a file's SGD momentum goes
                (config.optimizer.kind, config.optimizer.momentum) = (OptimizerKind::Adam, 0.0);
                config.optimizer.nesterov = false;
            }
            Preset::Plain => {
                config.model.init = InitConfig::Default;
                config.model.activation = ActivationConfig::Sigmoid;
                config.model.batch_norm = false;
                config.model.dropout = 0.0;
                config.optimizer.kind = OptimizerKind::Sgd;
                config.optimizer.learning_rate = 0.1;
            }
        }
    }
}

/// The name `--preset` takes.
impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Preset::SeedDefault => "seed-default",
            Preset::Plain => "plain",
        })
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "seed-default" | "default-best" => Ok(Preset::SeedDefault),
            "plain" => Ok(Preset::Plain),
            _ => Err(Error::Unknown {
                what: "preset",
                got: s.to_string(),
                valid: "seed-default, plain".into(),
            }),
        }
    }
}
