//! Data: built-in data sets, CSV and IDX files, splits, scaling, augmentation and batches.
//! Knows nothing of training.

pub mod advice;
pub mod augment;
mod classes;
mod csv_cells;
mod csv_exact;
mod csv_faults;
pub mod csv_file;
mod csv_format;
mod csv_lines;
mod csv_quotes;
mod csv_rows;
mod csv_table;
pub mod dataset;
pub mod delimiter;
pub mod export;
pub mod fingerprint;
pub mod generators;
pub mod idx;
pub mod imputer;
pub mod loader;
mod memory;
pub mod number;
pub mod one_hot;
mod prepared;
pub mod quadrants;
pub mod reconstruction;
pub mod scaler;
pub mod source;
pub mod split;
pub mod target;

pub use augment::AugmentConfig;
pub use dataset::{Dataset, ExactColumns, Subset, Targets, Task};
pub use imputer::Imputer;
pub use loader::{Batch, BatchLoader, BatchTargets};
pub use prepared::Prepared;
pub use scaler::Scaler;
pub use source::{DataSource, Split};

/// XORed into a built-in set's seed for its validation rows: a stream independent of training's.
pub const VALIDATION_STREAM: u64 = 0x05ee_d0f7_a11d;

/// XORed into a built-in set's seed for its test rows: a stream apart from training's and
/// validation's.
pub const TEST_STREAM: u64 = 0x7e57_5ee0_0d5e;
