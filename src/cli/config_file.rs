//! `train --config FILE`: a `TrainConfig` in JSON, whole (a run's `config.json` "train" part) or
//! any part of one, as Lightning's CLI merges a config file over its defaults.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use super::class_weight::ClassWeight;
use super::config_keys;
use super::unique_keys;

use plaindnn::error::{Error, Result};
use plaindnn::model::{ActivationConfig, InitConfig};
use plaindnn::train::{ScheduleConfig, TrainConfig};

/// A `--config` file, read and checked.
pub struct ConfigFile {
    path: PathBuf,
    /// The keys as written: a part's, or a whole config's (whose fields with a serde default
    /// may be left out).
    written: Value,
    contents: Contents,
    /// `"class_weights"` as the flag takes it, `"balanced"` or `{"fraud": 10}`, which need the
    /// data to become the config's list (taken out of `written`).
    class_weight: Option<ClassWeight>,
}

enum Contents {
    /// Every field: the config as it stands.
    Whole(Box<TrainConfig>),
    /// Some fields (`written`), laid over the config `train` builds without the file; `strict`
    /// is what reading it as a whole config said, with its line and column.
    Part { strict: String },
}

impl ConfigFile {
    /// Reads `path` and checks it over the defaults, so that a misspelt key or a value of the
    /// wrong type is refused by name (line and column, or the key's path) before any data is read.
    pub fn read(path: &Path) -> Result<Self> {
        let text = read_text(path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text); // a BOM, as Windows' editors write
        let value = unique_keys::parse(text).map_err(|e| match e.is_data() {
            true => Error::Data(format!("{}: {e}", path.display())), // a key given twice
            false => {
                let hint = " (--config takes JSON: a run's config.json \"train\" part, or any of its fields)";
                refused(path, hint, e)
            }
        })?;
        let (value, class_weight) = class_weight_of(path, value)?;
        let contents = match plaindnn::json::parse::<TrainConfig>(text) {
            Ok(config) => Contents::Whole(Box::new(config)),
            Err(strict) => {
                if let Some(hint) = not_a_part(&value) {
                    return Err(refused(path, hint, strict));
                }
                two_activations(path, &value)?;
                Contents::Part { strict }
            }
        };
        let file = Self {
            path: path.to_path_buf(),
            written: value,
            contents,
            class_weight,
        };
        file.over(&TrainConfig::default_for(1, 1))?; // a bad file is refused before any data
        Ok(file)
    }

    /// `error` from validating the config `train` built, named with the file: as its cause
    /// where the file over the data's defaults, before any flag, gave the same error (`alone`),
    /// else as the base the flags were laid over (they may have made the error with it).
    pub fn blame(&self, error: Error, alone: Option<&str>) -> Error {
        let file = self.path.display();
        match alone == Some(&error.to_string()) {
            true => config_keys::in_file_words(&file.to_string(), error),
            // a value's refusal stays one, for the flag given to be named (`flag_names`)
            false => match error {
                Error::InvalidParameter { name, message } => {
                    // the value may be the file's, refused beside a flag: say where it is
                    let key = config_keys::key_named(&name).filter(|key| self.writes(key));
                    let sets = key.map_or(String::new(), |key| format!(", which sets `{key}`"));
                    let message = format!("{message} (the flags given over --config {file}{sets})");
                    Error::InvalidParameter { name, message }
                }
                e => Error::Data(format!("{e} (the flags given over --config {file})")),
            },
        }
    }

    /// The class weights the file gives by name or as `balanced` (a list is in the config).
    pub fn class_weight(&self) -> Option<&ClassWeight> {
        self.class_weight.as_ref()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `error` that the file's `key` caused, named with the file and the key.
    pub fn named(&self, error: Error, key: &str) -> Error {
        Error::Data(format!("{}: `{key}`: {error}", self.path.display()))
    }

    /// The seed the file gives, which draws the data too.
    pub fn seed(&self) -> Option<u64> {
        match &self.contents {
            Contents::Whole(config) => Some(config.seed),
            Contents::Part { .. } => self.written.get("seed")?.as_u64(),
        }
    }

    /// The network the file starts from (`"init_from"`), whose layers give the architecture as
    /// `--init-from` does (a whole config's must be those it gives).
    pub fn init_from(&self) -> Option<PathBuf> {
        match &self.contents {
            Contents::Whole(config) => config.init_from.clone(),
            Contents::Part { .. } => Some(self.written.get("init_from")?.as_str()?.into()),
        }
    }

    /// Whether the file asks for an initialisation as `--init` does: a part that names one
    /// (`"model": {"init": …}`), or a whole config whose init is not `copied`, the one the
    /// weights it starts from came with (which a run's config.json records).
    pub fn sets_init(&self, copied: InitConfig) -> bool {
        match &self.contents {
            Contents::Whole(config) => config.model.init != copied,
            Contents::Part { .. } => self.gives("model", "init"),
        }
    }

    /// Why a whole config's `model.activation` is not used, where `model.activations` gives one
    /// per layer and it is not the first of them (a run records that one there): edited, it is
    /// said rather than ignored (a whole config has both keys, so neither is refused).
    pub fn unused_activation(&self) -> Option<String> {
        let Contents::Whole(config) = &self.contents else {
            return None;
        };
        let model = &config.model;
        let first = model.activations.first()?;
        // relu beside the list is what runs recorded before they wrote its first one there
        let older_run = model.activation == ActivationConfig::Relu;
        (*first != model.activation && !older_run).then(|| {
            format!(
                "{}: `model.activation` ({}) is not used: `model.activations` gives each hidden \
                 layer its own ({})",
                self.path.display(),
                model.activation,
                model.activation_flag()
            )
        })
    }

    /// Whether the file is a whole config (a run's `train` part), which writes every key.
    pub fn is_whole(&self) -> bool {
        matches!(self.contents, Contents::Whole(_))
    }

    /// Whether the file sets the key at the dotted path `key`: a whole config sets every one.
    pub fn sets(&self, key: &str) -> bool {
        self.is_whole() || self.writes(key)
    }

    /// Whether a part writes `outer.key` (a whole config writes every key).
    pub fn gives(&self, outer: &str, key: &str) -> bool {
        let inner = self.written.get(outer).and_then(|o| o.get(key));
        matches!(self.contents, Contents::Part { .. }) && inner.is_some()
    }

    /// Whether the file writes the key at the dotted path `key` (`optimizer.momentum`).
    fn writes(&self, key: &str) -> bool {
        let mut value = Some(&self.written);
        for part in key.split('.') {
            value = value.and_then(|v| v.get(part));
        }
        value.is_some()
    }

    /// The config: the file's, or its fields over `base`.
    pub fn over(&self, base: &TrainConfig) -> Result<TrainConfig> {
        match &self.contents {
            Contents::Whole(config) => Ok(config.as_ref().clone()),
            Contents::Part { .. } => self.merged(base),
        }
    }

    fn merged(&self, base: &TrainConfig) -> Result<TrainConfig> {
        let (Contents::Part { strict }, value) = (&self.contents, &self.written) else {
            unreachable!("a whole config is not merged");
        };
        let mut merged = to_value(base);
        overlay(&mut merged, value, "").map_err(|(at, e)| {
            let file = self.path.display();
            Error::Data(format!(
                "{file}: `{at}`: {e} (the flag's text, or {})",
                example(&at)
            ))
        })?;
        // saving by epochs replaces saving by time, as `--checkpoint-every` does
        if value.get("checkpoint_every").is_some() && value.get("checkpoint_interval").is_none() {
            merged["checkpoint_interval"] = Value::Null;
        }
        serde_path_to_error::deserialize(merged).map_err(|e| {
            // the whole-config reading's line and column where it met this same error (not a
            // missing field, nor flag text the merge has parsed), else the key's path
            let at = format!(
                "`{}`: {}",
                e.path(),
                plaindnn::json::plain(e.inner().to_string())
            );
            let same = strict
                .rsplit_once(" at line ")
                .is_some_and(|(m, _)| m == at);
            let at = match same {
                true => strict.clone(),
                false => at,
            };
            Error::Data(format!("{}: not a TrainConfig: {at}", self.path.display()))
        })
    }
}

/// `value` without a `"class_weights"` the flag's way (`"balanced"`, `"fraud:10"` or
/// `{"fraud": 10}`), and that, read; a list stays in `value`, as the config has it.
fn class_weight_of(path: &Path, mut value: Value) -> Result<(Value, Option<ClassWeight>)> {
    let wrong = |why: String| Error::Data(format!("{}: `class_weights`: {why}", path.display()));
    let given = match value.get("class_weights") {
        Some(Value::String(text)) => ClassWeight::from_str(text).map_err(wrong)?,
        Some(Value::Object(named)) => {
            let weight = |(name, w): (&String, &Value)| Some((name.clone(), w.as_f64()?));
            let named: Option<Vec<(String, f64)>> = named.iter().map(weight).collect();
            let why = || wrong("give each class a number: {\"fraud\": 10}".into());
            ClassWeight::Named(named.ok_or_else(why)?)
        }
        _ => return Ok((value, None)),
    };
    if let Some(keys) = value.as_object_mut() {
        keys.remove("class_weights");
    }
    Ok((value, Some(given)))
}

/// The most a `--config` file may hold: a whole TrainConfig is under 2 KiB.
const MAX_BYTES: u64 = 1 << 20;

/// The file's text, or why `--config` cannot take it (a folder, a file of megabytes).
fn read_text(path: &Path) -> Result<String> {
    let refused = |why: String| Error::invalid("--config", format!("{}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| refused(e.to_string()))?;
    if meta.is_dir() {
        return Err(refused(
            "is a folder; give a JSON file (a run's config.json \"train\" \
                            part, or any of its fields)"
                .into(),
        ));
    }
    let too_large = |holds: String| {
        let why = format!(
            "holds {holds} MiB, and a whole TrainConfig is a few KiB of JSON: is it the right file?"
        );
        Err(refused(why))
    };
    if meta.len() > MAX_BYTES {
        return too_large(format!("{:.1}", meta.len() as f64 / (1 << 20) as f64));
    }
    // a device such as /dev/zero says 0 bytes and never ends: read no more than the limit
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| refused(e.to_string()))?;
    let mut text = String::new();
    (file.take(MAX_BYTES + 1).read_to_string(&mut text)).map_err(|e| refused(e.to_string()))?;
    match text.len() as u64 > MAX_BYTES {
        true => too_large(format!("more than {}", MAX_BYTES >> 20)),
        false => Ok(text),
    }
}

/// Why a part that gives `model.activation` and `model.activations` is refused: the one per
/// layer would win and the other be ignored.
fn two_activations(path: &Path, value: &Value) -> Result<()> {
    let Some(model) = value.get("model") else {
        return Ok(());
    };
    if model.get("activation").is_none() || model.get("activations").is_none() {
        return Ok(());
    }
    Err(Error::Data(format!(
        "{}: `model` gives \"activation\" and \"activations\": give \"activation\" for every \
         hidden layer, or \"activations\" with one per layer, not both",
        path.display()
    )))
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
/// does, and may be given as the flag's text (`"activation": "leaky_relu:0.2"`), whose error is
/// the flag's, at its path.
fn overlay(base: &mut Value, top: &Value, path: &str) -> std::result::Result<(), (String, Error)> {
    let at = |e| (path.to_string(), e);
    if let Some(parsed) = from_text(path, top).map_err(at)? {
        *base = parsed;
        return Ok(());
    }
    if let Some(fresh) = retagged(path, base, top) {
        *base = fresh;
    }
    match (base, top) {
        (Value::Object(base), Value::Object(top)) => {
            for (key, value) in top {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                // a key the base leaves out (an empty list, say) is laid over nothing
                let slot = base.entry(key.clone()).or_insert(Value::Null);
                overlay(slot, value, &inner)?;
            }
        }
        (base, top) => *base = top.clone(),
    }
    Ok(())
}

/// An option given as its flag's text, parsed as the flag parses it: `"init": "normal:0.1"`,
/// `"schedule": "step:10:0.5"`, `"activation": "leaky_relu:0.2"`, and each of `"activations":
/// ["relu", "tanh"]` (one per hidden layer); `--activation relu,tanh`'s text is told its key.
fn from_text(path: &str, top: &Value) -> Result<Option<Value>> {
    let activation = |text: &str| ActivationConfig::from_str(text).map(|a| to_value(&a));
    match (path, top) {
        ("model.init", Value::String(text)) => Ok(Some(to_value(&InitConfig::from_str(text)?))),
        ("schedule", Value::String(text)) => Ok(Some(to_value(&ScheduleConfig::from_str(text)?))),
        ("model.activations", Value::Array(items)) => (items.iter())
            .map(|item| item.as_str().map_or(Ok(item.clone()), activation))
            .collect::<Result<_>>()
            .map(|items| Some(Value::Array(items))),
        ("model.activation", Value::String(text)) if text.contains(',') => {
            let names: Vec<String> = text
                .split(',')
                .map(|n| format!("\"{}\"", n.trim()))
                .collect();
            let why = format!(
                "`{text}` names one per hidden layer, which a file gives as \"activations\": [{}]",
                names.join(", ")
            );
            Err(Error::invalid("activation", why))
        }
        ("model.activation" | "model.output_activation", Value::String(text)) => {
            activation(text).map(Some)
        }
        _ => Ok(None),
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

/// An object of the kind at `path` (a tagged one, or `init`), for messages.
fn example(path: &str) -> &'static str {
    match path {
        "schedule" => r#"{"kind": "step", "every": 10, "gamma": 0.5}"#,
        "model.init" => r#"{"normal": {"std": 0.1}}"#,
        _ => r#"{"name": "leaky_relu", "slope": 0.2}"#,
    }
}

/// The defaults of the kind an object `top` names at a tagged `path`, where it is not `base`'s
/// kind, as its flag gives them (a kind no flag knows is left as given, for serde's error to
/// name with the choices).
fn retagged(path: &str, base: &Value, top: &Value) -> Option<Value> {
    let tag = tag_of(path)?;
    let kind = top
        .as_object()?
        .get(tag)
        .filter(|&k| base.get(tag) != Some(k))?;
    let text = kind.as_str().unwrap_or_default();
    let parsed = match tag {
        "kind" => ScheduleConfig::from_str(text).map(|s| to_value(&s)),
        _ => ActivationConfig::from_str(text).map(|a| to_value(&a)),
    };
    Some(parsed.unwrap_or_else(|_| Value::Object(Map::from_iter([(tag.into(), text.into())]))))
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
        overlay(&mut base, &top, "").unwrap();
        // step's every stays its flag's default (step = step:10:0.1); SGD keeps the rate
        let want = json!({"epochs": 100, "schedule": {"kind": "step", "every": 10, "gamma": 0.5},
                          "model": {"hidden": [50], "activation": {"name": "leaky_relu", "slope": 0.2}},
                          "optimizer": {"kind": "sgd", "learning_rate": 0.01}});
        assert_eq!(base, want);
    }
}
