//! `train --config FILE`: a `TrainConfig` in JSON, whole (a run's `config.json` "train" part) or
//! any part of one, as Lightning's CLI merges a config file over its defaults.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use plaindnn::error::{Error, Result};
use plaindnn::model::ActivationConfig;
use plaindnn::train::{ScheduleConfig, TrainConfig};

/// A `--config` file, read and checked.
pub struct ConfigFile {
    path: PathBuf,
    contents: Contents,
}

enum Contents {
    /// Every field: the config as it stands.
    Whole(Box<TrainConfig>),
    /// Some fields, laid over the config `train` builds without the file; `strict` is what
    /// reading it as a whole config said, with its line and column.
    Part { value: Value, strict: String },
}

impl ConfigFile {
    /// Reads `path` and checks it over the defaults, so that a misspelt key or a value of the
    /// wrong type is refused by name (line and column, or the key's path) before any data is read.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let strict = match serde_json::from_str::<TrainConfig>(&text) {
            Ok(config) => {
                let contents = Contents::Whole(Box::new(config));
                return Ok(Self::new(path, contents));
            }
            Err(e) => e,
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            let hint =
                " (--config takes JSON: a run's config.json \"train\" part, or any of its fields)";
            refused(path, hint, e)
        })?;
        if let Some(hint) = not_a_part(&value) {
            return Err(refused(path, hint, strict));
        }
        let contents = Contents::Part {
            value,
            strict: strict.to_string(),
        };
        let file = Self::new(path, contents);
        file.merged(&TrainConfig::default_for(1, 1))?;
        Ok(file)
    }

    fn new(path: &Path, contents: Contents) -> Self {
        let path = path.to_path_buf();
        Self { path, contents }
    }

    /// The seed the file gives, which draws the data too.
    pub fn seed(&self) -> Option<u64> {
        match &self.contents {
            Contents::Whole(config) => Some(config.seed),
            Contents::Part { value, .. } => value.get("seed")?.as_u64(),
        }
    }

    /// The network a part starts from (`"init_from"`), whose layers give the architecture as
    /// `--init-from` does; a whole config gives its own.
    pub fn init_from(&self) -> Option<PathBuf> {
        match &self.contents {
            Contents::Whole(_) => None,
            Contents::Part { value, .. } => Some(value.get("init_from")?.as_str()?.into()),
        }
    }

    /// Whether a part names the initialisation (`"model": {"init": …}`), as `--init` does.
    pub fn sets_init(&self) -> bool {
        match &self.contents {
            Contents::Whole(_) => false,
            Contents::Part { value, .. } => {
                value.get("model").and_then(|m| m.get("init")).is_some()
            }
        }
    }

    /// The config: the file's, or its fields over `base`.
    pub fn over(self, base: &TrainConfig) -> Result<TrainConfig> {
        match self.contents {
            Contents::Whole(config) => Ok(*config),
            Contents::Part { .. } => self.merged(base),
        }
    }

    fn merged(&self, base: &TrainConfig) -> Result<TrainConfig> {
        let Contents::Part { value, strict } = &self.contents else {
            unreachable!("a whole config is not merged");
        };
        let mut merged = to_value(base);
        overlay(&mut merged, value, "");
        serde_path_to_error::deserialize(merged).map_err(|e| {
            // a whole-config error other than a missing field has the file's line and column
            let at = match strict.starts_with("missing field") {
                true => format!("`{}`: {}", e.path(), e.inner()),
                false => strict.clone(),
            };
            Error::Data(format!("{}: not a TrainConfig: {at}", self.path.display()))
        })
    }
}

/// Why `value` is no part of a TrainConfig, if it is not.
fn not_a_part(value: &Value) -> Option<&'static str> {
    let Some(object) = value.as_object() else {
        return Some(" (a JSON object of its fields: {\"epochs\": 50, \"batch_size\": 16})");
    };
    match (object.contains_key("train"), object.contains_key("data")) {
        (true, true) => Some(
            " (this is a whole run's config.json: pass its \"train\" part, and the data by flags)",
        ),
        (true, false) => Some(" (pass what is inside \"train\", not the object around it)"),
        _ => None,
    }
}

/// `top` laid over `base`, at `path` (`model.activation`): objects key by key; a tagged one
/// (schedule, activation) that names another kind starts from that kind's defaults, as its flag
/// does, and may be given as the flag's text (`"activation": "leaky_relu:0.2"`).
fn overlay(base: &mut Value, top: &Value, path: &str) {
    if let Some(fresh) = retagged(path, base, top) {
        *base = fresh;
        if !top.is_object() {
            return; // the flag's text, parsed whole
        }
    }
    match (base, top) {
        (Value::Object(base), Value::Object(top)) => {
            for (key, value) in top {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match base.get_mut(key) {
                    Some(slot) => overlay(slot, value, &inner),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, top) => *base = top.clone(),
    }
}

/// The key that names the kind of the object at `path`, for the tagged ones.
fn tag_of(path: &str) -> Option<&'static str> {
    match path {
        "schedule" => Some("kind"),
        "model.activation" | "model.output_activation" => Some("name"),
        _ => None,
    }
}

/// The defaults of the kind `top` names at a tagged `path`, where it is not `base`'s kind; a
/// kind no flag knows is left as given, for the error to name.
fn retagged(path: &str, base: &Value, top: &Value) -> Option<Value> {
    let tag = tag_of(path)?;
    let text = match top {
        Value::String(text) => text.as_str(),
        Value::Object(top) => {
            let kind = top.get(tag)?;
            if base.get(tag) == Some(kind) {
                return None;
            }
            kind.as_str().unwrap_or_default()
        }
        _ => return None,
    };
    let parsed = match tag {
        "kind" => ScheduleConfig::from_str(text).ok().map(|s| to_value(&s)),
        _ => ActivationConfig::from_str(text).ok().map(|a| to_value(&a)),
    };
    Some(parsed.unwrap_or_else(|| Value::Object(Map::from_iter([(tag.into(), text.into())]))))
}

fn to_value(config: &impl Serialize) -> Value {
    serde_json::to_value(config).unwrap_or(Value::Null) // plain data: serialises
}

fn refused(path: &Path, hint: &str, e: impl std::fmt::Display) -> Error {
    Error::Data(format!("{}: not a TrainConfig{hint}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_key_by_key_and_another_kind_starts_from_its_defaults() {
        let mut base = json!({"epochs": 100, "schedule": {"kind": "constant"},
                              "model": {"hidden": [50], "activation": {"name": "relu"}},
                              "optimizer": {"kind": "adam", "learning_rate": 0.01}});
        let top = json!({"schedule": {"kind": "step", "gamma": 0.5},
                         "model": {"activation": "leaky_relu:0.2"},
                         "optimizer": {"kind": "sgd"}});
        overlay(&mut base, &top, "");
        // step's every stays its flag's default (step = step:10:0.1); SGD keeps the rate
        let want = json!({"epochs": 100, "schedule": {"kind": "step", "every": 10, "gamma": 0.5},
                          "model": {"hidden": [50], "activation": {"name": "leaky_relu", "slope": 0.2}},
                          "optimizer": {"kind": "sgd", "learning_rate": 0.01}});
        assert_eq!(base, want);
    }
}
