//! A `--config` file's words for the flags: a refusal caused by the file alone names the key
//! the user wrote (`freeze`), and the flags its advice names are said as keys too
//! (`--init-from` is `init_from`), since the flags are not what the file holds.

use plaindnn::Error;

use super::flag_names;

/// Each `train` flag a check's message may name, and the key of a `TrainConfig` that sets it.
const KEY_OF: &[(&str, &str)] = &[
    ("--epochs", "epochs"),
    ("--batch-size", "batch_size"),
    ("--seed", "seed"),
    ("--backend", "backend"),
    ("--on-nan", "on_nan"),
    ("--diagnostics", "diagnostics"),
    ("--checkpoint-every", "checkpoint_every"),
    ("--checkpoint-interval", "checkpoint_interval"),
    ("--hidden", "model.hidden"),
    ("--activation", "model.activation"),
    ("--add-features", "model.add_features"),
    ("--init", "model.init"),
    ("--batch-norm", "model.batch_norm"),
    ("--dropout", "model.dropout"),
    ("--optimizer", "optimizer.kind"),
    ("--lr", "optimizer.learning_rate"),
    ("--momentum", "optimizer.momentum"),
    ("--nesterov", "optimizer.nesterov"),
    ("--weight-decay", "optimizer.weight_decay"),
    ("--lr-schedule", "schedule"),
    ("--l1", "regularization.l1"),
    ("--l2", "regularization.l2"),
    ("--decay-biases", "regularization.decay_biases"),
    ("--max-norm", "regularization.max_norm"),
    ("--clip-value", "clipping.value"),
    ("--clip-norm", "clipping.norm"),
    ("--clip-global-norm", "clipping.global_norm"),
    ("--augment-jitter", "augment.jitter"),
    ("--augment-shift", "augment.shift"),
    ("--augment-flip", "augment.flip"),
    ("--augment-noise", "augment.pixel_noise"),
    ("--patience", "early_stopping.patience"),
    ("--min-delta", "early_stopping.min_delta"),
    ("--no-early-stopping", "early_stopping (null)"),
    ("--no-restore-best", "early_stopping.restore_best_weights"),
    ("--class-weight", "class_weights"),
    ("--init-from", "init_from"),
    ("--new-head", "new_head"),
    ("--freeze", "freeze"),
    ("--unfreeze-after", "unfreeze_after"),
];

/// `error`, which the file `file` caused alone, in the file's words: its value named by key,
/// and the flags its advice names followed by their keys.
pub fn in_file_words(file: &str, error: Error) -> Error {
    let error = match error {
        Error::InvalidParameter { name, message } => match key_named(&name) {
            Some(key) => Error::invalid(&format!("`{key}`"), message),
            None => Error::InvalidParameter { name, message },
        },
        e => e,
    };
    let said = error.to_string();
    Error::Data(format!("{file}: {said}{}", keys_note(&said)))
}

/// The config key of the value a check names `name` (the library's word, or a flag).
pub fn key_named(name: &str) -> Option<&'static str> {
    // a per-layer list is the file's own key, where the flag is one for all
    match name {
        "activations" => Some("model.activations"),
        "beta1" => Some("optimizer.beta1"),
        "beta2" => Some("optimizer.beta2"),
        "epsilon" => Some("optimizer.epsilon"),
        name => flag_names::flag_of(name)
            .or(Some(name).filter(|n| n.starts_with("--")))
            .and_then(key_of),
    }
}

/// The config key of `flag`.
fn key_of(flag: &str) -> Option<&'static str> {
    KEY_OF.iter().find(|(f, _)| *f == flag).map(|(_, key)| *key)
}

/// " (in a config file: --init-from is `init_from`)" for each flag `said` names that a key
/// sets, in the order named; empty when it names none (the data's flags have no key).
fn keys_note(said: &str) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for flag in flags_in(said) {
        if let Some(key) = key_of(flag) {
            let pair = format!("{flag} is `{key}`");
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    match pairs.is_empty() {
        true => String::new(),
        false => format!(" (in a config file: {})", pairs.join(", ")),
    }
}

/// Each `--flag` in `text`, as written.
fn flags_in(text: &str) -> impl Iterator<Item = &str> {
    let flag_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    text.match_indices("--").filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c == '-' || c.is_alphanumeric()) {
            return None; // inside a word, or a third dash
        }
        let rest = &text[at + 2..];
        if !rest.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        let len = rest.find(|c: char| !flag_char(c)).unwrap_or(rest.len());
        let flag = &text[at..at + 2 + len];
        Some(flag.trim_end_matches('-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_key_and_says_each_flag_of_its_advice_as_a_key() {
        let error = Error::invalid(
            "freeze",
            "freezes layers loaded from another network: give --init-from RUN_DIR|FILE too",
        );
        assert_eq!(
            in_file_words("c.json", error).to_string(),
            "c.json: invalid `freeze`: freezes layers loaded from another network: give \
             --init-from RUN_DIR|FILE too (in a config file: --init-from is `init_from`)"
        );
    }

    #[test]
    fn the_library_s_word_for_a_value_is_named_by_its_key() {
        let error = Error::invalid("learning rate", "must be positive, got -1");
        let said = in_file_words("c.json", error).to_string();
        assert_eq!(
            said,
            "c.json: invalid `optimizer.learning_rate`: must be positive, got -1"
        );
    }

    #[test]
    fn flags_of_the_data_which_a_config_file_does_not_hold_stay_flags_alone() {
        let said = "--augment-shift needs image data (--dataset shapes or --data-dir), and \
                    --augment-jitter adds noise";
        assert_eq!(
            keys_note(said),
            " (in a config file: --augment-shift is `augment.shift`, --augment-jitter is \
             `augment.jitter`)"
        );
        assert_eq!(keys_note("give --dataset shapes"), "");
    }

    #[test]
    fn a_flag_is_read_whole_not_as_the_start_of_a_longer_one() {
        let flags: Vec<&str> = flags_in("--init-from X, --init he_normal, a--b, ---x").collect();
        assert_eq!(flags, ["--init-from", "--init"]);
    }
}
