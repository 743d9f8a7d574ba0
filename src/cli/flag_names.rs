//! Refusals named by the flag the user typed: the library names a value in its own words
//! (`invalid learning rate`), which `train`, `pretrain` and `regress` turn into the flag
//! (`invalid --lr`) where that flag was given on the command line.

use clap::parser::ValueSource;
use clap::ArgMatches;
use plaindnn::Error;

/// Each word the library's checks name a value by, and the flag that sets it.
const FLAG_OF: &[(&str, &str)] = &[
    ("learning rate", "--lr"),
    ("epochs", "--epochs"),
    ("batch size", "--batch-size"),
    ("hidden", "--hidden"),
    ("add-features", "--add-features"),
    ("activations", "--activation"),
    ("dropout", "--dropout"),
    ("normal:STD", "--init"),
    ("batch-norm", "--batch-norm"),
    ("l1", "--l1"),
    ("l2", "--l2"),
    ("max-norm", "--max-norm"),
    ("min_delta", "--min-delta"),
    ("patience", "--patience"),
    ("momentum", "--momentum"),
    ("nesterov", "--nesterov"),
    ("weight decay", "--weight-decay"),
    ("decay-biases", "--decay-biases"),
    ("lr schedule", "--lr-schedule"),
    ("clip value", "--clip-value"),
    ("clip norm", "--clip-norm"),
    ("clip global norm", "--clip-global-norm"),
    ("augment jitter", "--augment-jitter"),
    ("augment shift", "--augment-shift"),
    ("augment pixel noise", "--augment-noise"),
    ("class-weight", "--class-weight"),
    ("init-from", "--init-from"),
    ("new-head", "--new-head"),
    ("freeze", "--freeze"),
    ("unfreeze-after", "--unfreeze-after"),
    ("checkpoint-every", "--checkpoint-every"),
    ("checkpoint-interval", "--checkpoint-interval"),
    ("backend", "--backend"),
    ("delimiter", "--delimiter"),
    ("ridge", "--ridge"),
    ("resume", "--resume"),
];

/// The flag that sets the value the library's checks call `word`.
pub fn flag_of(word: &str) -> Option<&'static str> {
    FLAG_OF
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, flag)| *flag)
}

/// `error` naming its value by its flag ([`FLAG_OF`]) where `given` (the command's matches)
/// has that flag from the command line; a value a preset, a `--config` file or a default set
/// keeps the library's word, since naming a flag never typed would mislead.
pub fn named(error: Error, given: &ArgMatches) -> Error {
    let Error::InvalidParameter { name, message } = error else {
        return error;
    };
    let typed = |flag: &str| {
        let id = flag.trim_start_matches('-').replace('-', "_");
        given.value_source(&id) == Some(ValueSource::CommandLine)
    };
    match FLAG_OF
        .iter()
        .find(|(word, flag)| *word == name && typed(flag))
    {
        Some((_, flag)) => Error::invalid(flag, message),
        None => Error::InvalidParameter { name, message },
    }
}
