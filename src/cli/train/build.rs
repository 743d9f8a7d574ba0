//! The config a new run trains with: the library's defaults for the data, `--init-from`'s
//! architecture, the `--config` file, the preset and every flag given, in that order, with
//! what none of them may ask refused by name.

use super::super::config_file::ConfigFile;
use super::transfer_checks::Copied;
use super::TrainArgs;
use plaindnn::data::Prepared;
use plaindnn::error::{Error, Result};
use plaindnn::train::{OptimizerKind, TrainConfig};

/// The starting config (the library's defaults for the data with `--init-from`'s
/// architecture, and the `--config` file over them), the preset, then every flag given on top;
/// and what the preset replaced of the file's settings, for a warning once the run starts.
pub(super) fn build_config(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    data: &Prepared,
) -> Result<(TrainConfig, Option<String>)> {
    let (inputs, outputs) = (data.train.data.width(), data.train.data.outputs());
    let mut c = TrainConfig::default_for(inputs, outputs);
    let copied = Copied::read(args, file, &mut c, (inputs, outputs))?;
    let mut c = match file {
        Some(file) => file.over(&c)?,
        None => c,
    };
    // the file's by name or `balanced`, unless the flag replaces them
    let from_file = file.filter(|_| args.class_weight.is_none());
    if let Some((file, weights)) = from_file.and_then(|f| Some((f, f.class_weight()?))) {
        let resolved = weights.resolve(&data.train);
        let in_file = |e| match e {
            Error::InvalidParameter { message, .. } => Error::Data(message),
            e => e,
        };
        c.class_weights = Some(resolved.map_err(|e| file.named(in_file(e), "class_weights"))?);
    }
    if let (Some(copied), Some(file)) = (&copied, file) {
        copied.check_file(args, file, &c)?;
    }
    let over = args.preset.is_some() || args.recipe.sets_activation(); // replaced both
    if let Some(why) = file
        .and_then(ConfigFile::unused_activation)
        .filter(|_| !over)
    {
        eprintln!("warning: {why}");
    }
    // what the file over this data's defaults says before any flag: an error it causes alone
    let alone = file.and_then(|_| c.validate_for(data).err().map(|e| e.to_string()));
    let before_preset = c.clone();
    apply_flags(args, &mut c);
    refuse_decay_of_another_kind(args, file, before_preset.optimizer.kind, &c)?;
    let init_before_preset = before_preset.model.init;
    if let Some(weights) = &args.class_weight {
        c.class_weights = Some(weights.resolve(&data.train)?);
    }
    if let Some(copied) = &copied {
        copied.check_flags(args, file, &mut c, init_before_preset, outputs)?;
        copied.refuse_other_scale(&c, data)?;
        copied.warn_other_input_scale(args);
    }
    refuse_hidden_only_flags(args, file, &c)?;
    if let (Some(file), None) = (file, &c.early_stopping) {
        refuse_restoring_nothing(args, file)?;
    }
    // with a file, the data's checks (sizes, class weights) too, while the file can be named
    match file {
        Some(file) => c
            .validate_for(data)
            .map_err(|e| file.blame(e, alone.as_deref()))?,
        None => c.validate()?,
    }
    Ok((c, preset_over_file(args, file, &before_preset)))
}

/// `--preset`, then every flag given, over `c`.
fn apply_flags(args: &TrainArgs, c: &mut TrainConfig) {
    if let Some(preset) = args.preset {
        preset.apply(c);
    }
    // a weight decay neither given nor in the file is the optimizer's own default
    args.recipe.apply(c);
    // the flag's or the file's, absolute, so a later --resume from elsewhere still finds it
    c.init_from = (c.init_from.take()).map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir));
}

/// Refuses `--preset`'s BatchNorm and Dropout, and `--activation` (or a `--config` file's),
/// where there is no hidden layer for them to follow.
fn refuse_hidden_only_flags(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    c: &TrainConfig,
) -> Result<()> {
    if !c.model.hidden.is_empty() {
        return Ok(());
    }
    let why = "follows each hidden layer, and this network has none (only its output layer)";
    let given = |key: &&str| file.is_some_and(|f| f.gives("model", key));
    let key = ["activation", "activations"].into_iter().find(given);
    if let (Some(file), Some(key)) = (file, key) {
        let unused = Error::Data(format!("the activation {why}"));
        return Err(file.named(unused, &format!("model.{key}")));
    }
    let flags = &args.recipe.model;
    let added = c.model.dropout > 0.0 || c.model.batch_norm;
    // `--dropout 0` adds nothing: the preset's BatchNorm is the preset's to name
    let by_flag = flags.dropout.is_some_and(|p| p > 0.0) || flags.batch_norm;
    if args.preset.is_some() && added && !by_flag {
        let why = "adds BatchNorm and Dropout after each hidden layer, and this network has none \
                   (only its output layer): give --hidden, or leave the preset out";
        return Err(Error::invalid("--preset", why));
    }
    if args.recipe.sets_activation() {
        return Err(Error::invalid(
            "--activation",
            format!("the activation {why}"),
        ));
    }
    Ok(())
}

/// What `--preset` replaced of the `--config` file's settings (`before`: the config before
/// the preset and the flags), in words: documented, and said as the flags' changes are (a flag
/// over the file's momentum is refused). A key a flag sets is the flag's, not the preset's.
fn preset_over_file(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    before: &TrainConfig,
) -> Option<String> {
    let (preset, file) = (args.preset?, file?);
    let (mut preset_alone, mut flags_alone) = (before.clone(), before.clone());
    preset.apply(&mut preset_alone);
    args.recipe.apply(&mut flags_alone);
    let mut both = preset_alone.clone();
    args.recipe.apply(&mut both);
    let [before, preset_alone, flags_alone, both] =
        [before, &preset_alone, &flags_alone, &both].map(settings);
    // a key a flag sets moves over the file's value or over the preset's (or both)
    let flag_sets =
        |k: &String| flags_alone.get(k) != before.get(k) || both.get(k) != preset_alone.get(k);
    // every key of either: a per-layer list the preset clears is left out of its JSON
    let keys: std::collections::BTreeSet<&String> =
        before.keys().chain(preset_alone.keys()).collect();
    let replaced: Vec<&str> = (keys.into_iter())
        .filter(|k| before.get(*k) != preset_alone.get(*k) && !flag_sets(k))
        .map(String::as_str)
        .filter(|k| file.sets(k))
        .collect();
    (!replaced.is_empty()).then(|| {
        format!(
            "--preset {preset} replaces what {} sets for {}: leave the preset out to keep the \
             file's, or give their flags",
            file.path().display(),
            plaindnn::plural::and_list(&replaced)
        )
    })
}

/// A config's settings by key, two levels deep (`epochs`, `model.init`), as JSON values.
fn settings(c: &TrainConfig) -> std::collections::BTreeMap<String, serde_json::Value> {
    let mut keys = std::collections::BTreeMap::new();
    let Ok(serde_json::Value::Object(top)) = serde_json::to_value(c) else {
        return keys;
    };
    for (key, value) in top {
        match value {
            serde_json::Value::Object(inner) => {
                keys.extend(inner.into_iter().map(|(k, v)| (format!("{key}.{k}"), v)))
            }
            value => _ = keys.insert(key, value),
        }
    }
    keys
}

/// Refuses a `--config` file's weight decay that is its optimizer's default (a run's
/// config.json records it, 0 or 0.01) under the optimizer `--optimizer` (or the preset) put in
/// that one's place, where the two read it otherwise: AdamW's decay is decoupled from the
/// gradient, the others' an L2 term in it. The new one kept it, silently.
fn refuse_decay_of_another_kind(
    args: &TrainArgs,
    file: Option<&ConfigFile>,
    before: OptimizerKind,
    c: &TrainConfig,
) -> Result<()> {
    // its optimizer's default, as a run's config.json records it (null: the new one's own
    // default; a value the file chose stays, as documented)
    let default = c.optimizer.weight_decay == Some(before.default_weight_decay());
    let names = |f: &&ConfigFile| f.sets("optimizer.kind") && f.sets("optimizer.weight_decay");
    let Some(file) = file.filter(names).filter(|_| default) else {
        return Ok(());
    };
    let (after, decoupled) = (c.optimizer.kind, |k| k == OptimizerKind::AdamW);
    if decoupled(before) == decoupled(after) || args.recipe.sets_weight_decay() {
        return Ok(());
    }
    let read = |k| match decoupled(k) {
        true => "decoupled from the gradient",
        false => "an L2 term in the gradient",
    };
    let why = format!(
        "{} gives {before}'s weight decay {} ({}), and {after}'s is {}: give --weight-decay \
         too ({after}'s default is {})",
        file.path().display(),
        c.optimizer.weight_decay.unwrap_or_default(),
        read(before),
        read(after),
        after.default_weight_decay()
    );
    let flag = match args.recipe.sets_optimizer() {
        true => "--optimizer",
        false => "--preset",
    };
    Err(Error::invalid(flag, why))
}

/// `--no-restore-best` over a `--config` that turns early stopping off (its flag is refused
/// beside `--no-early-stopping` alike): the last epoch's weights are kept already.
fn refuse_restoring_nothing(args: &TrainArgs, file: &ConfigFile) -> Result<()> {
    if !args.recipe.early_stopping.no_restore_best {
        return Ok(());
    }
    let why = format!(
        "{} turns early stopping off (`\"early_stopping\": null`), so every epoch trains and \
         the last epoch's weights are kept already: leave --no-restore-best out, or give \
         --patience N to stop early and keep the last weights",
        file.path().display()
    );
    Err(Error::invalid("--no-restore-best", why))
}
