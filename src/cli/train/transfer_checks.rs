//! `train --init-from`: the source's architecture read once, and what the flags and a `--config`
//! file ask of the copied network refused where it would not take effect.

use super::super::config_file::ConfigFile;
use super::super::train_flags::ModelFlags;
use super::TrainArgs;
use plaindnn::data::Prepared;
use plaindnn::error::{Error, Result};
use plaindnn::model::{AddedFeature, InitConfig, MlpConfig};
use plaindnn::shell::quote_path;
use plaindnn::train::transfer::Source;
use plaindnn::train::{Preset, TrainConfig};

/// `--init-from`'s source as given: the flag's, else the `--config` file's (config.json records
/// it absolute).
pub(super) fn given(args: &TrainArgs, file: Option<&ConfigFile>) -> Option<std::path::PathBuf> {
    (args.recipe.transfer.init_from.clone()).or_else(|| file.and_then(ConfigFile::init_from))
}

/// The `--init-from` source and the layers and features it brought, before any flag.
pub(super) struct Copied {
    source: Source,
    hidden: Vec<usize>,
    features: Vec<AddedFeature>,
    /// The source's network as read (its activation and dropout the defaults' where a
    /// PyTorch file does not say them).
    model: MlpConfig,
    /// The source records its activation and dropout: a run, or a file `plaindnn export` wrote.
    records: bool,
}

impl Copied {
    /// The flag's source, else the `--config` file's: its architecture replaces `c.model`, with
    /// the data's `inputs` and `outputs`. None without a source.
    pub(super) fn read(
        args: &TrainArgs,
        file: Option<&ConfigFile>,
        c: &mut TrainConfig,
        (inputs, outputs): (usize, usize),
    ) -> Result<Option<Self>> {
        let typed = args.recipe.transfer.init_from.clone();
        let Some(dir) = given(args, file) else {
            return Ok(None);
        };
        // (clap refuses an empty --init-from: a --config file's, named by its key)
        let empty = Error::Data("is empty: give a run directory or a .safetensors file".into());
        let given = (!dir.as_os_str().is_empty()).then_some(()).ok_or(empty);
        let read = given
            .and_then(|()| Source::read(&dir, &c.model))
            .and_then(|source| {
                c.model = source.config_for(inputs, outputs)?;
                Ok(source)
            });
        let source = match (typed, file) {
            (None, Some(file)) => read.map_err(|e| file.named(e, "init_from"))?,
            _ => read?,
        };
        let records = source.standardised().is_some(); // a run's or an export's
        Ok(Some(Self {
            source,
            hidden: c.model.hidden.clone(),
            features: c.model.add_features.clone(),
            model: c.model.clone(),
            records,
        }))
    }

    /// Refuses a copied output layer that learnt the target on another scale than this run's:
    /// a standardised target's head would start out predicting values near 0 in the target's
    /// own units, and a raw one's values thousands of deviations wide.
    pub(super) fn refuse_other_scale(&self, c: &TrainConfig, data: &Prepared) -> Result<()> {
        let outputs = data.train.data.outputs();
        let ours = data.target_scaler.is_some();
        let theirs =
            (self.source.standardised()).filter(|_| self.source.copies_head(outputs, c.new_head));
        if theirs.is_none_or(|theirs| theirs == ours) {
            return Ok(());
        }
        let (learnt, here, way) = match ours {
            true => (
                "in its own units",
                "standardises it",
                "leave out --standardize-target",
            ),
            false => (
                "standardised (--standardize-target)",
                "learns it in its units",
                "pass --standardize-target",
            ),
        };
        let why = format!(
            "the output layer of {}, copied here, learnt the target {learnt}, and this run {here}: \
             {way} as it did, or pass --new-head to start the output layer fresh",
            quote_path(self.shown())
        );
        Err(Error::invalid("--init-from", why))
    }

    /// Warns where the source learnt its CSV features standardised and this run, on a CSV file
    /// too, reads them as they are, or the other way round: the copied first layer meets inputs
    /// on another scale (the target's mismatch is refused: [`Copied::refuse_other_scale`]).
    pub(super) fn warn_other_input_scale(&self, args: &TrainArgs) {
        let theirs = self.source.inputs_standardised();
        let (Some(theirs), Some(ours)) = (theirs, args.data.standardizes_csv()) else {
            return;
        };
        if theirs == ours {
            return;
        }
        let (learnt, here, way) = match theirs {
            true => (
                "standardised",
                "reads them as they are (--no-standardize)",
                "leave out --no-standardize",
            ),
            false => (
                "as they are (--no-standardize)",
                "standardises them",
                "pass --no-standardize",
            ),
        };
        eprintln!(
            "warning: the first layer of {}, copied here, learnt its features {learnt}, and \
             this run {here}: it meets inputs on another scale; {way} as it did",
            quote_path(self.shown())
        );
    }

    /// Before the flags: the `--config` file's hidden layers, unless `--hidden` replaces them.
    pub(super) fn check_file(
        &self,
        args: &TrainArgs,
        file: &ConfigFile,
        c: &TrainConfig,
    ) -> Result<()> {
        if args.recipe.sets_hidden() {
            return Ok(());
        }
        (self.refuse_other_layers(&c.model.hidden, "its `model.hidden`"))
            .map_err(|e| Error::Data(format!("{}: {e}", file.path().display())))
    }

    /// After the flags (`init_before_preset`: the initialisation before `--preset`): a new head
    /// that changes nothing, other layers or features than the source's, an unused `--init`.
    pub(super) fn check_flags(
        &self,
        args: &TrainArgs,
        file: Option<&ConfigFile>,
        c: &mut TrainConfig,
        init_before_preset: InitConfig,
        outputs: usize,
    ) -> Result<()> {
        self.refuse_nothing_copied(args, c, outputs)?;
        self.warn_activation_assumed(args, file, c);
        self.refuse_idle_new_head(args, c, outputs)?;
        if args.recipe.sets_hidden() {
            self.refuse_other_layers(&c.model.hidden, "--hidden")?;
        }
        let typed = args.recipe.sets_add_features();
        (self.refuse_other_features(&c.model.add_features, typed)).map_err(|e| {
            match (typed, file) {
                (false, Some(file)) => Error::Data(format!("{}: {e}", file.path().display())),
                _ => e,
            }
        })?;
        if let Some(preset) = args.preset {
            self.refuse_preset_norm_frozen(args, preset, c)?;
            self.warn_preset_changes(args, preset, c);
        }
        if let Some(file) = file {
            self.refuse_file_norm_frozen(args, file, c)?;
            if file.is_whole() && args.preset.is_none() {
                self.warn_whole_file_changes(args, file, c); // a preset's own warning says it
            }
        }
        let init_in_file = file.is_some_and(|f| f.sets_init(self.model.init));
        match (args.recipe.model.init.is_some(), init_in_file, args.preset) {
            (true, _, _) => self.refuse_unused_init("--init", c, outputs),
            (false, true, _) => self.refuse_unused_init("--config's model.init", c, outputs),
            (false, false, Some(preset)) => {
                self.keep_copied_init(preset, init_before_preset, c, outputs);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The source as the messages name it: as `--init-from` or the `--config` file gave it
    /// (config.json records it absolute).
    fn shown(&self) -> &std::path::Path {
        self.source.dir()
    }

    /// Refuses an initialisation that was asked for (`given`: `--init`, or the config file's
    /// `model.init`) when every layer is copied, output layer included: no weight would start
    /// from it, yet config.json would record it.
    fn refuse_unused_init(&self, given: &str, c: &TrainConfig, outputs: usize) -> Result<()> {
        if !self.source.copies_head(outputs, c.new_head) {
            return Ok(());
        }
        let why = format!(
            "with --init-from {} every layer is copied, the output layer too (it has {outputs} \
             outputs, as this data needs), so no weight would start from {given}: pass \
             --new-head to start the output layer from it, or leave {given} out",
            quote_path(self.shown())
        );
        Err(Error::invalid(given, why))
    }

    /// Leaves `--preset`'s initialisation out, with a warning, where every layer is copied (no
    /// weight starts from it): `config.json` records `before`, the init the weights came with,
    /// as it does without the preset. The preset's other settings stay.
    fn keep_copied_init(
        &self,
        preset: plaindnn::train::Preset,
        before: InitConfig,
        c: &mut TrainConfig,
        outputs: usize,
    ) {
        if c.model.init == before || !self.source.copies_head(outputs, c.new_head) {
            return;
        }
        eprintln!(
            "warning: --preset {preset}'s initialisation ({}) is not used: with --init-from {} \
             every layer is copied, the output layer too (its other settings are; --new-head \
             starts the output layer from it)",
            c.model.init,
            quote_path(self.shown())
        );
        c.model.init = before;
    }

    /// Refuses frozen layers with the BatchNorm `--preset` adds where the source has none: they
    /// would keep its starting values (the library refuses it too, naming `--batch-norm`, which
    /// was not given).
    fn refuse_preset_norm_frozen(
        &self,
        args: &TrainArgs,
        preset: Preset,
        c: &TrainConfig,
    ) -> Result<()> {
        let added = c.model.batch_norm && !self.model.batch_norm && !args.recipe.model.batch_norm;
        if c.freeze == 0 || !added {
            return Ok(());
        }
        let why = format!(
            "--preset {preset} adds a BatchNorm to each hidden layer, which {} has not: frozen, \
             it would keep its starting values; leave out --freeze or the preset",
            quote_path(self.shown())
        );
        Err(Error::invalid("--freeze", why))
    }

    /// Refuses frozen layers with a BatchNorm the `--config` file's `model.batch_norm` adds where
    /// the source has none (the library's refusal named `--batch-norm`, which was not given).
    fn refuse_file_norm_frozen(
        &self,
        args: &TrainArgs,
        file: &ConfigFile,
        c: &TrainConfig,
    ) -> Result<()> {
        let by_file = file.sets("model.batch_norm") && !args.recipe.model.batch_norm;
        let added = c.model.batch_norm && !self.model.batch_norm && args.preset.is_none();
        if c.freeze == 0 || !added || !by_file {
            return Ok(());
        }
        Err(Error::Data(format!(
            "{}: `model.batch_norm` adds a BatchNorm to each hidden layer, which {} has not: \
             frozen, it would keep its starting values; leave out --freeze (`freeze`) or set \
             `model.batch_norm` to false",
            file.path().display(),
            quote_path(self.shown())
        )))
    }

    /// Warns where a whole `--config` file (a run's `train` part, which writes every key) changes
    /// the copied layers' BatchNorm, activation or Dropout where no flag asked: its `model` is
    /// another network's, read over the source's without a word before.
    fn warn_whole_file_changes(&self, args: &TrainArgs, file: &ConfigFile, c: &TrainConfig) {
        let (changes, back) = self.changes(&args.recipe.model, &c.model);
        if changes.is_empty() {
            return;
        }
        let keep = match back.len() {
            0 => String::new(),
            1 => format!("{} sets that back, or ", back[0]),
            _ => format!("{} set those back, or ", back.join(" ")),
        };
        eprintln!(
            "warning: {}, a whole run config, writes a network of its own, which changes the \
             layers copied from {}: {}; {keep}leave `model` out of the file to keep the \
             source's",
            file.path().display(),
            quote_path(self.shown()),
            plaindnn::plural::and_list(&changes.iter().map(String::as_str).collect::<Vec<_>>())
        );
    }

    /// Warns where `--preset` changed the copied layers' BatchNorm, activation or Dropout (a
    /// flag given for one is the user's own choice): a preset without BatchNorm leaves the
    /// source's learnt one behind. Activation and Dropout only where the source records them.
    fn warn_preset_changes(&self, args: &TrainArgs, preset: Preset, c: &TrainConfig) {
        let (changes, back) = self.changes(&args.recipe.model, &c.model);
        if changes.is_empty() {
            return;
        }
        // a BatchNorm the preset adds has no flag to take it out: only leaving the preset does
        let added = c.model.batch_norm && !self.model.batch_norm;
        let not_norm = match added {
            true => " (no flag takes its BatchNorm out)",
            false => "",
        };
        let keep = match back.len() {
            0 => String::new(),
            1 => format!("{} after it sets that back{not_norm}, or ", back[0]),
            _ => format!("{} after it set those back{not_norm}, or ", back.join(" ")),
        };
        eprintln!(
            "warning: --preset {preset} changes the layers copied from {}: {}; {keep}leave the \
             preset out",
            quote_path(self.shown()),
            plaindnn::plural::and_list(&changes.iter().map(String::as_str).collect::<Vec<_>>())
        );
    }

    /// How `to` differs from the source where `flags` did not ask for it, in words, and the
    /// flags that set each back (none for a BatchNorm added: no flag removes one).
    fn changes(&self, flags: &ModelFlags, to: &MlpConfig) -> (Vec<String>, Vec<String>) {
        let (from, src) = (&self.model, quote_path(self.shown()).to_string());
        let (mut changes, mut back) = (Vec::new(), Vec::new());
        match (from.batch_norm, to.batch_norm, flags.batch_norm) {
            (true, false, _) => {
                changes.push(format!(
                    "no BatchNorm where {src} has one (its learnt scales and statistics are \
                     not copied)"
                ));
                back.push("--batch-norm".to_string());
            }
            (false, true, false) => changes.push(format!("a BatchNorm {src} has not")),
            _ => {}
        }
        let (was, now) = (from.activation_flag(), to.activation_flag());
        if self.records && was != now && !flags.sets_activation() {
            changes.push(format!("{now} where {src} has {was}"));
            back.push(format!("--activation {was}"));
        }
        if self.records && from.dropout != to.dropout && flags.dropout.is_none() {
            let rate = |p: f64| match p > 0.0 {
                true => format!("Dropout {p}"),
                false => "no Dropout".to_string(),
            };
            changes.push(format!(
                "{} where {src} has {}",
                rate(to.dropout),
                rate(from.dropout)
            ));
            back.push(format!("--dropout {}", from.dropout));
        }
        (changes, back)
    }

    /// Warns where the source does not say which activation its hidden layers learnt with (a
    /// file saved without plaindnn's metadata, PyTorch's) and nothing here says it either: the
    /// default is taken, which the weights may not have learnt with.
    fn warn_activation_assumed(
        &self,
        args: &TrainArgs,
        file: Option<&ConfigFile>,
        c: &TrainConfig,
    ) {
        let in_file =
            file.is_some_and(|f| f.gives("model", "activation") || f.gives("model", "activations"));
        let said = args.recipe.sets_activation() || args.preset.is_some() || in_file;
        if self.records || self.hidden.is_empty() || said {
            return;
        }
        eprintln!(
            "warning: {} does not record the activation its hidden layers learnt with (no \
             plaindnn metadata): they are read as {}'s, the default; if they learnt with \
             another, give --activation",
            quote_path(self.shown()),
            c.model.activation_flag()
        );
    }

    /// Refuses a source without hidden layers whose output layer is not copied either (other
    /// outputs, or `--new-head`): nothing of it would be, and the run would start from fresh
    /// weights while its banner and config.json said "from" the source.
    fn refuse_nothing_copied(
        &self,
        args: &TrainArgs,
        c: &TrainConfig,
        outputs: usize,
    ) -> Result<()> {
        if !self.hidden.is_empty() {
            return Ok(());
        }
        let why = match (self.source.head_left_out(outputs), c.new_head) {
            (Some(why), _) => why,
            (None, true) => "--new-head starts it fresh".to_string(),
            (None, false) => return Ok(()),
        };
        let given = match args.recipe.transfer.init_from.is_some() {
            true => "--init-from",
            false => "--config's init_from",
        };
        let why = format!(
            "{} has no hidden layers, and its output layer is not copied here ({why}): nothing \
             of it would be, and the network would start from fresh weights; leave {given} out \
             to train from scratch",
            quote_path(self.shown())
        );
        Err(Error::invalid(given, why))
    }

    /// Refuses `--new-head` (or the config file's `new_head`) where the source's output layer is
    /// not copied anyway ([`Source::head_left_out`]): the flag would change nothing.
    fn refuse_idle_new_head(
        &self,
        args: &TrainArgs,
        c: &TrainConfig,
        outputs: usize,
    ) -> Result<()> {
        if !c.new_head {
            return Ok(());
        }
        let Some(why) = self.source.head_left_out(outputs) else {
            return Ok(());
        };
        let given = match args.recipe.transfer.new_head {
            true => "--new-head",
            false => "--config's new_head",
        };
        let why = format!(
            "the output layer of {} is not copied here anyway ({why}), so it starts fresh \
             without {given}: leave {given} out",
            quote_path(self.shown())
        );
        Err(Error::invalid(given, why))
    }

    /// Refuses hidden layers (`asked`, by `by`) other than the source's, whose weights are
    /// copied.
    fn refuse_other_layers(&self, asked: &[usize], by: &str) -> Result<()> {
        if asked == self.hidden {
            return Ok(());
        }
        let widths = |w: &[usize]| match w.is_empty() {
            true => "none".to_string(),
            false => w.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
        };
        let why = format!(
            "{} has the hidden layers {} and every one is copied, but {by} asks for {}: leave \
             {by} out, or train a new network without --init-from",
            quote_path(self.source.dir()),
            widths(&self.hidden),
            widths(asked)
        );
        Err(Error::invalid("init-from", why))
    }

    /// Refuses added features (`--add-features` where `typed`, else a `--config` file's) other
    /// than those the source computes: its copied first layer reads exactly its own inputs.
    fn refuse_other_features(&self, asked: &[AddedFeature], typed: bool) -> Result<()> {
        if asked == self.features {
            return Ok(());
        }
        let names = |f: &[AddedFeature]| match f.is_empty() {
            true => "no features".to_string(),
            false => (f.iter().map(ToString::to_string))
                .collect::<Vec<_>>()
                .join(","),
        };
        let flag = match typed {
            true => "--add-features",
            false => "`model.add_features`",
        };
        let why = format!(
            "{} adds {} to its inputs, and its copied first layer reads exactly those, but this \
             run asks for {}: leave {flag} out (the source's are kept), or train a new network \
             without --init-from",
            quote_path(self.source.dir()),
            names(&self.features),
            names(asked),
        );
        Err(Error::invalid("add-features", why))
    }
}
