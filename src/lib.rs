#![warn(missing_docs)]
//! # plaindnn
//!
//! The classic "deep neural networks in plain language" tutorial as real, tested software on
//! [Burn](https://burn.dev). Read the folders in dependency order:
//!
//! - [`fused`]: flex kernels for the hidden block and Adam (activation + dropout in one pass,
//!   BatchNorm, the Adam step) with their own backward, through Burn's backend extension API;
//! - [`model`]: activations, initialisation, the [`model::Mlp`] module, its summary and the
//!   tutorial's worked example (46 and 0);
//! - [`data`]: data sets held as one matrix, built-in tasks (the quadrants), CSV files, batches;
//! - [`train`]: `TrainConfig`, burn-train's Learner driven by plaindnn's epoch loop (early stopping,
//!   atomic checkpoints, resume), progress and `metrics.csv`;
//! - [`inference`]: a run directory reloaded for prediction and evaluation;
//! - [`regression`]: least squares (line, many variables, polynomial) and the same fit by gradient
//!   descent — the ladder before the network;
//! - [`experiment`]: each claim of the tutorial measured over seeds, with an honest verdict;
//! - `playground` (cargo feature `playground`, on by default): `plaindnn playground`'s local web
//!   server — the tutorial live in the browser, driving the same training code;
//! - [`plot`]: SVG line charts and decision regions (every run writes `loss.svg` and friends);
//! - [`mod@bench`]: the performance workloads W1–W4 on the bare loop and the `train` path;
//! - [`backend`]: the one place that knows which Burn backends were compiled in;
//! - [`check`]: the range checks every config uses (`positive`, `in_unit`, …);
//! - [`plural`]: counts in messages ("1 epoch", "2 epochs");
//! - [`decimals`]: losses and scores as the terminal and report.html print them;
//! - [`spec`]: the one `name:p1:p2` parser behind `--activation`, `--lr-schedule`, `--init`;
//! - [`files`]: files written atomically (a crash leaves the old one or the new one);
//! - [`json`]: JSON read into a type, a wrong value named by its key, line and column;
//! - [`random`]: plaindnn's own seeded generator (weights, dropout seeds, RReLU slopes), the
//!   same numbers on every backend.
//!
//! ```no_run
//! use plaindnn::{backend::Backend, data::DataSource, inference::Predictor, train};
//! # fn main() -> plaindnn::Result<()> {
//! // the tutorial's 2 → 50 → 4 network, Adam, early stopping; any field can be changed
//! let mut config = train::TrainConfig::default_for(2, 4);
//! config.model.batch_norm = true;
//! let out = std::path::Path::new("artifacts/runs/quadrants-bn");
//! // a directory that already holds a run is refused unless you say overwrite
//! let options = train::RunOptions::from(train::Verbosity::auto()).overwrite();
//! let run = train::train(DataSource::quadrants(42), config, out, options)?;
//! let predictor = Predictor::open(run.run.root(), Backend::Flex)?;
//! let prediction = &predictor.predict(&[2.0, 2.0])?[0];
//! println!("{:?} {:?}", prediction.class, prediction.probabilities);
//! # Ok(()) }
//! ```

pub mod backend;
pub mod bench;
pub mod check;
pub mod data;
pub mod decimals;
pub mod environment;
pub mod error;
pub mod experiment;
pub mod files;
pub mod fused;
pub mod inference;
pub mod json;
pub mod model;
#[cfg(feature = "playground")]
pub mod playground;
pub mod plot;
pub mod plural;
pub mod random;
pub mod regression;
pub mod shell;
pub mod spec;
mod strict;
pub mod train;

/// The Burn this crate is built on (its `Tensor`, `Device` and modules), so that a program on
/// plaindnn uses the same version without naming it in its own `Cargo.toml`.
pub use burn;
pub use error::{Error, Result};
