//! One error type for the whole crate: every message names the file, row, field or value at fault.

use std::path::{Path, PathBuf};

mod cell;
mod divergence;
pub use cell::{shown, Fault, Refused, SHOWN};
pub use divergence::{Divergence, Kept};

/// What [`Error::NotFinite`] says after naming its row.
pub const NOT_FINITE: &str = "the prediction is not a finite number: an input far outside the \
                              training data's range overflowed inside the model; check that \
                              row's values";

/// Everything that can go wrong in plaindnn, as a value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A hyper-parameter or option has a value outside its valid range.
    #[error("invalid {name}: {message}")]
    InvalidParameter {
        /// The parameter, as the CLI and config name it.
        name: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// A name that is not one of the known choices.
    #[error("unknown {what} `{got}`; valid choices: {valid}")]
    Unknown {
        /// What kind of name (activation, backend, data set, ...).
        what: &'static str,
        /// The name given.
        got: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// Input data is malformed; the message names file, row and column.
    #[error("{0}")]
    Data(String),
    /// A CSV cell that is not read as a number.
    #[error("{at}: {refused}")]
    Cell {
        /// The file, line and column: `f.csv: line 3, column `x``.
        at: String,
        /// What is wrong with the cell, and the ways on.
        refused: Box<Refused>,
        /// Whether the cell is the target's (a feature's otherwise).
        target: bool,
    },
    /// A CSV file has no column of the name asked for.
    #[error("{}: no column `{name}`{detail}", path.display())]
    NoColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        name: String,
        /// The flag that named it and the columns there are: ` (--target); the columns are: …`.
        detail: String,
    },
    /// A backend was asked for that this binary was not built with.
    #[error("backend `{name}` is not compiled in; rebuild with `--features {name}` (compiled in: {compiled})")]
    BackendMissing {
        /// The backend asked for.
        name: String,
        /// The backends this binary has.
        compiled: String,
    },
    /// Another process trains into the run directory at `path` now.
    #[error("run directory {}: {who} is training into it; wait for it or choose another --out", path.display())]
    InUse {
        /// The run directory.
        path: PathBuf,
        /// Who holds it: `another plaindnn (pid 4242)`.
        who: String,
    },
    /// The run directory at `path` holds a run (or a fit, or a run's files) that a new run would
    /// replace without `--overwrite`.
    #[error("run directory {}: {message}", path.display())]
    Taken {
        /// The run directory.
        path: PathBuf,
        /// What it holds and the way on.
        message: String,
    },
    /// A run directory is missing, incomplete or inconsistent.
    #[error("run directory {}: {message}", path.display())]
    Run {
        /// The run directory.
        path: PathBuf,
        /// What is missing or wrong.
        message: String,
    },
    /// A checkpoint or weights file could not be loaded.
    #[error("checkpoint {}: {message}", path.display())]
    Checkpoint {
        /// The checkpoint or weights file.
        path: PathBuf,
        /// Why it could not be loaded.
        message: String,
    },
    /// The prediction (a network's output, a fit's value) for row `row` (from 0) of the rows
    /// given is not a finite number: an input far outside the training data's range overflowed
    /// inside the model.
    #[error("row {}: {NOT_FINITE}", row + 1)]
    NotFinite {
        /// The row, counted from 0 among the rows given.
        row: usize,
    },
    /// Training stopped because the loss stopped being a finite number.
    #[error("{0}")]
    Diverged(Divergence),
    /// An observer stopped training before any epoch of the run was whole.
    #[error("{0}")]
    Stopped(String),
    /// Training stopped on an error inside burn-train.
    #[error("training failed: {0}")]
    Training(String),
    /// A JSON document could not be written or read (config, metadata, `--json` output).
    #[error("{what}: {source}")]
    Json {
        /// What was being written or read.
        what: String,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// A safetensors file could not be laid out or parsed.
    #[error("safetensors: {0}")]
    Safetensors(#[from] safetensors::SafeTensorError),
    /// A tensor's values could not be read back from its device.
    #[error("reading {what} back from the device: {message}")]
    Readback {
        /// The tensor (`the loss`, `weights`, …).
        what: String,
        /// What Burn said.
        message: String,
    },
    /// A network does not have the layers its config promises (a bug, or a hand-edited record).
    #[error("the model does not match its config: {0}")]
    ModelMismatch(String),
}

/// `Result` with plaindnn's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An invalid value for the hyper-parameter `name`.
    pub fn invalid(name: &str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// A JSON error while handling `what`.
    pub fn json(what: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Json {
            what: what.into(),
            source,
        }
    }

    /// A checkpoint or weights file that could not be loaded, with Burn's reason (its shapes
    /// written `[2, 50]` rather than `Shape { dims: [2, 50] }`) and the way on.
    pub fn checkpoint(path: &Path, why: impl std::fmt::Display) -> Self {
        let message = why.to_string();
        let message = message.replace("Shape { dims: ", "").replace("] }", "]");
        let in_checkpoints = path.parent().and_then(Path::file_name) == Some("checkpoint".as_ref());
        // whole files of other shapes: config.json changed, not the file (deleting it would not help)
        let other_network = message.contains("shape mismatch");
        let message = match in_checkpoints {
            _ if other_network => format!(
                "{message} (it holds another network's weights than config.json describes, so \
                 one of the two changed: put back config.json as the run wrote it (edited by \
                 hand?), or restore it from a copy, or train the run again)"
            ),
            // the checkpointer keeps the two latest epochs: without this one, the one before
            true => format!(
                "{message} (the file is damaged: delete it, and `--resume` continues from the \
                 checkpoint before it, where one is left; or train the run again)"
            ),
            false => format!(
                "{message} (the file is damaged, or holds another network's weights than \
                 config.json describes: restore it from a copy, or train the run again)"
            ),
        };
        Error::Checkpoint {
            path: path.to_path_buf(),
            message,
        }
    }

    /// A problem with the run directory at `path`.
    pub fn run(path: &Path, message: impl Into<String>) -> Self {
        Error::Run {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
