//! `train --config FILE`: a `TrainConfig` in JSON, whole (a run's `config.json` "train" part) or
//! any part of one, as Lightning's CLI merges a config file over its defaults.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use plaindnn::error::{Error, Result};
use plaindnn::train::TrainConfig;

/// A `--config` file, read and checked as JSON.
pub struct ConfigFile {
    path: PathBuf,
    contents: Contents,
}

enum Contents {
    /// Every field: the config as it stands.
    Whole(Box<TrainConfig>),
    /// Some fields: laid over the config `train` builds without the file.
    Part(Value),
}

impl ConfigFile {
    /// Reads `path`. A key it does not know, or a value of the wrong type, is refused by name
    /// with its line and column; a whole run's config.json and a file that is not JSON are told
    /// the way on.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let contents = match serde_json::from_str::<TrainConfig>(&text) {
            Ok(config) => Contents::Whole(Box::new(config)),
            Err(e) if e.to_string().starts_with("missing field") => {
                let value = serde_json::from_str(&text).map_err(|e| refused(path, "", e))?;
                Contents::Part(value)
            }
            Err(e) => return Err(refused(path, hint(&text), e)),
        };
        Ok(Self {
            path: path.to_path_buf(),
            contents,
        })
    }

    /// The seed the file gives, which draws the data too.
    pub fn seed(&self) -> Option<u64> {
        match &self.contents {
            Contents::Whole(config) => Some(config.seed),
            Contents::Part(value) => value.get("seed")?.as_u64(),
        }
    }

    /// The config: the file's, or its fields over `base` (objects key by key; an object that
    /// names another `name` or `kind` than base's, as an activation or a schedule does, whole).
    pub fn over(self, base: &TrainConfig) -> Result<TrainConfig> {
        let part = match self.contents {
            Contents::Whole(config) => return Ok(*config),
            Contents::Part(part) => part,
        };
        let mut merged = serde_json::to_value(base).map_err(|e| refused(&self.path, "", e))?;
        overlay(&mut merged, &part);
        serde_json::from_value(merged).map_err(|e| refused(&self.path, "", e))
    }
}

/// `top` laid over `base`.
fn overlay(base: &mut Value, top: &Value) {
    match (base, top) {
        (Value::Object(base), Value::Object(top)) if same_kind(base, top) => {
            for (key, value) in top {
                match base.get_mut(key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, top) => *base = top.clone(),
    }
}

/// Whether `top` leaves the tag of `base` (`name`, `kind`) as it is: then its fields add to
/// base's; otherwise base's fields belong to another kind and are dropped.
fn same_kind(base: &Map<String, Value>, top: &Map<String, Value>) -> bool {
    ["name", "kind"]
        .iter()
        .all(|tag| top.get(*tag).is_none_or(|t| base.get(*tag) == Some(t)))
}

/// The way on for a file that is not a TrainConfig's JSON at all.
fn hint(text: &str) -> &'static str {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v.get("train").is_some() && v.get("data").is_some() => {
            " (this is a whole run's config.json: pass its \"train\" part, and the data by flags)"
        }
        Ok(_) => "",
        Err(_) => {
            " (--config takes JSON: a run's config.json \"train\" part, or any of its fields)"
        }
    }
}

fn refused(path: &Path, hint: &str, e: serde_json::Error) -> Error {
    Error::json(format!("{}: not a TrainConfig{hint}", path.display()), e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_key_by_key_and_another_kind_replaces_the_whole_object() {
        let mut base = json!({"epochs": 100, "schedule": {"kind": "step", "every": 10},
                              "model": {"hidden": [50], "dropout": 0.0}});
        overlay(
            &mut base,
            &json!({"schedule": {"kind": "constant"}, "model": {"dropout": 0.2}}),
        );
        let want = json!({"epochs": 100, "schedule": {"kind": "constant"},
                          "model": {"hidden": [50], "dropout": 0.2}});
        assert_eq!(base, want);
    }
}
