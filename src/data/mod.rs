//! Data: built-in data sets, CSV files, and batches for training. Knows nothing of training.

pub mod csv_file;
pub mod dataset;
pub mod loader;
pub mod quadrants;

pub use dataset::{Dataset, Targets, Task};
pub use loader::{Batch, BatchLoader, BatchTargets};
pub mod source;

pub use source::DataSource;
