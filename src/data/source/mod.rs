//! Where a run's data comes from, recorded in `config.json` so `eval` can rebuild it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::csv_file;
use super::dataset::Task;
use super::generators;
use super::idx;
use super::imputer::Strategy;
use crate::check::{in_unit, non_negative};
use crate::error::{Error, Result};

mod load;
pub use load::Split;

/// A data source and how it is split into training and validation rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSource {
    /// A generated data set: `train_size` training rows, `val_size` fresh validation rows.
    Builtin {
        /// One of the generators' names (`plaindnn datasets` lists them).
        name: String,
        /// Training rows.
        train_size: usize,
        /// Validation rows, drawn fresh from the same distribution.
        val_size: usize,
        /// Seed of the generator.
        seed: u64,
        /// Label noise or jitter, as each generator defines it.
        #[serde(default)]
        noise: f64,
    },
    /// A CSV file with a header row.
    Csv {
        /// The file (absolute once training has started).
        path: PathBuf,
        /// Target column (default: the last).
        target: Option<String>,
        /// Feature columns (default: all but the target).
        features: Option<Vec<String>>,
        /// Text feature columns read as one 0/1 input per category (`--one-hot`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        one_hot: Vec<String>,
        /// Classification or regression (default: from the target's values, see
        /// [`TargetKind::task`](super::target::TargetKind::task)).
        task: Option<Task>,
        /// Share of rows held out for validation (stratified by class), unless `val_path` is set.
        val_fraction: f64,
        /// A separate validation file with the same columns.
        val_path: Option<PathBuf>,
        /// Seed of the split.
        seed: u64,
        /// Standardise features with the training rows' mean and std.
        standardize: bool,
        /// Standardise a regression target likewise; predictions are mapped back to its units.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        standardize_target: bool,
        /// Fill missing feature cells with the training rows' mean or median (`--impute`, as
        /// scikit-learn's `SimpleImputer`); `None` refuses them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        impute: Option<Strategy>,
        /// Field separator of both files (`None`: detected from the training file's header;
        /// a run directory records the one used).
        #[serde(default)]
        delimiter: Option<char>,
        /// The decimal mark of both files' numbers (`--decimal`, pandas' `decimal`): `None` is
        /// a point; `Some(',')` reads `1,5` as 1.5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimal: Option<char>,
    },
    /// MNIST-format IDX files in a directory: train-* for training, t10k-* for validation; pixels
    /// divided by 255 by the run's scaler.
    Idx {
        /// Directory holding the four IDX files (optionally gzipped).
        dir: PathBuf,
    },
    /// The inputs of another source as their own targets, its labels unused (a pretraining's
    /// autoencoder): made again from that source.
    Inputs {
        /// The data whose inputs are reconstructed.
        of: Box<DataSource>,
    },
    /// Data handed to the library in memory; it cannot be reloaded from the run directory.
    Memory {
        /// What the caller says the data is, shown in summaries.
        description: String,
    },
}

/// Most rows `--train-size` and `--val-size` draw (10 M rows of a 2-D set: 80 MB).
pub const MAX_BUILTIN_ROWS: usize = 10_000_000;

/// Most rows of the built-in set `name`: [`MAX_BUILTIN_ROWS`], or 100 000 of `shapes`' 16×16
/// images (100 MB; 10 M of them would take 10 GB).
pub fn max_builtin_rows(name: &str) -> usize {
    match name.eq_ignore_ascii_case("shapes") {
        true => 100_000,
        false => MAX_BUILTIN_ROWS,
    }
}

/// The largest `--noise`: the rows are f32 and a larger spread only makes them noise.
pub const MAX_NOISE: f64 = 1e6;

impl DataSource {
    /// The data in words, for messages: `the built-in set \`xor\``, a file's or folder's path.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Builtin { name, .. } => format!("the built-in set `{name}`"),
            DataSource::Csv { path, .. } => path.display().to_string(),
            DataSource::Idx { dir } => dir.display().to_string(),
            // a CSV without a target: every column (or --features) went in, a label among them
            DataSource::Inputs { of } => match of.as_ref() {
                DataSource::Csv {
                    target: None,
                    features: None,
                    ..
                } => format!("every column of {}", of.describe()),
                DataSource::Csv { target: None, .. } => {
                    format!("the chosen columns of {}", of.describe())
                }
                _ => format!("the inputs of {}, labels unused", of.describe()),
            },
            DataSource::Memory { description } => description.clone(),
        }
    }

    /// The files a change of the data's fingerprint is in, for "… has changed" messages: a CSV's
    /// with its `--val-data` file (the fingerprint covers both), else as [`describe`](Self::describe).
    pub fn describe_files(&self) -> String {
        match self {
            DataSource::Csv {
                path,
                val_path: Some(val),
                ..
            } => format!("{} or its --val-data {}", path.display(), val.display()),
            DataSource::Inputs { of } => of.describe_files(),
            _ => self.describe(),
        }
    }

    /// The tutorial's quadrant task: its four points plus 252 random ones, 256 fresh for validation.
    pub fn quadrants(seed: u64) -> Self {
        DataSource::Builtin {
            name: "quadrants".into(),
            train_size: 256,
            val_size: 256,
            seed,
            noise: 0.0,
        }
    }

    /// A built-in data set by name (in any letter case), with 256 training and 256 validation rows
    /// (`shapes`: 600 and 300) and its default noise.
    pub fn builtin(name: &str, seed: u64) -> Result<Self> {
        let b = generators::builtin(name)?;
        let name = b.name;
        let (train_size, val_size) = if name == "shapes" {
            (600, 300)
        } else {
            (256, 256)
        };
        Ok(DataSource::Builtin {
            name: name.to_string(),
            train_size,
            val_size,
            seed,
            noise: b.noise.unwrap_or(0.0),
        })
    }

    /// A CSV source with plaindnn's defaults: last column as target, 20 % validation, standardised.
    pub fn csv(path: &Path, seed: u64) -> Self {
        DataSource::Csv {
            path: path.to_path_buf(),
            target: None,
            features: None,
            one_hot: Vec::new(),
            task: None,
            val_fraction: 0.2,
            val_path: None,
            seed,
            standardize: true,
            standardize_target: false,
            impute: None,
            delimiter: None,
            decimal: None,
        }
    }

    /// This CSV's feature columns read as `names`, in that order (`--features`); none for other
    /// data, or with `--one-hot` (whose inputs are its categories, not its columns).
    pub fn with_feature_order(&self, names: &[String]) -> Option<Self> {
        let mut ordered = self.clone();
        match &mut ordered {
            DataSource::Csv {
                features, one_hot, ..
            } if one_hot.is_empty() => *features = Some(names.to_vec()),
            _ => return None,
        }
        Some(ordered)
    }

    /// A CSV source whose regression target is standardised too (`--standardize-target`, as
    /// scikit-learn's `TransformedTargetRegressor` with a `StandardScaler`); refused for others.
    pub fn with_standardized_target(mut self) -> Result<Self> {
        let DataSource::Csv {
            standardize_target, ..
        } = &mut self
        else {
            return Err(Error::invalid(
                "--standardize-target",
                "applies to a CSV file's target only (--data FILE.csv)",
            ));
        };
        *standardize_target = true;
        Ok(self)
    }

    /// A built-in set with noise `noise` instead of its own; refused for a set that draws none.
    pub fn with_noise(mut self, noise: f64) -> Result<Self> {
        let DataSource::Builtin { name, noise: n, .. } = &mut self else {
            return Err(Error::invalid(
                "--noise",
                "applies to built-in data sets only",
            ));
        };
        if generators::builtin(name).is_ok_and(|b| b.noise.is_none()) {
            let noisy = generators::BUILTINS.iter().filter(|b| b.noise.is_some());
            let names: Vec<_> = noisy.map(|b| b.name).collect();
            let why = format!(
                "the built-in set `{name}` has no noise parameter; the sets with one: {}",
                crate::plural::and_list(&names)
            );
            return Err(Error::invalid("--noise", why));
        }
        non_negative("--noise", noise)?;
        if noise > MAX_NOISE {
            let why = format!("must be at most {MAX_NOISE:e} (the rows are f32), got {noise:e}");
            return Err(Error::invalid("--noise", why));
        }
        *n = noise;
        Ok(self)
    }

    /// A built-in set with `train` training and `val` validation rows where given.
    pub fn with_sizes(mut self, train: Option<usize>, val: Option<usize>) -> Result<Self> {
        let DataSource::Builtin {
            name,
            train_size,
            val_size,
            ..
        } = &mut self
        else {
            return Ok(self);
        };
        let most = max_builtin_rows(name);
        let checked = |flag: &str, given: Option<usize>, default: usize| match given {
            Some(n) if n == 0 || n > most => Err(Error::invalid(
                flag,
                format!("must be 1 to {most} rows of `{name}`, got {n}"),
            )),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        *train_size = checked("--train-size", train, *train_size)?;
        *val_size = checked("--val-size", val, *val_size)?;
        if name == "quadrants" && *train_size < 4 {
            return Err(Error::invalid(
                "--train-size",
                format!(
                    "`quadrants` starts from the tutorial's 4 points: at least 4, got {train_size}"
                ),
            ));
        }
        Ok(self)
    }

    /// Paths made absolute and a detected delimiter written down, so `eval` and `--resume` find
    /// and read the files the same way from any directory later.
    pub fn absolute(mut self) -> Self {
        if let DataSource::Inputs { of } = self {
            return DataSource::Inputs {
                of: Box::new(of.absolute()),
            };
        }
        let abs = |p: &mut PathBuf| {
            if let Ok(full) = std::fs::canonicalize(&*p) {
                *p = full;
            }
        };
        match &mut self {
            DataSource::Csv {
                path,
                val_path,
                delimiter,
                decimal,
                ..
            } => {
                if delimiter.is_none() {
                    let mark = decimal.map_or(b'.', |c| c as u8);
                    *delimiter = super::delimiter::detect(path, mark).ok().map(char::from);
                }
                abs(path);
                if let Some(v) = val_path {
                    abs(v);
                }
            }
            DataSource::Idx { dir } => abs(dir),
            _ => {}
        }
        self
    }

    /// The fingerprint of a CSV source's files (training, then validation) or of an MNIST-format
    /// folder's four, to tell later that they changed; `None` for other sources or an
    /// unreadable file.
    pub fn fingerprint(&self) -> Option<String> {
        match self {
            DataSource::Csv { path, val_path, .. } => {
                let mut files = vec![path.as_path()];
                files.extend(val_path.as_deref());
                super::fingerprint::of_files(&files)
            }
            DataSource::Idx { dir } => {
                let files = idx::files(dir);
                let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
                super::fingerprint::of_files(&paths)
            }
            DataSource::Inputs { of } => of.fingerprint(),
            _ => None,
        }
    }

    /// The first file or folder the source reads that is no longer there (moved or deleted since
    /// a run recorded it).
    pub fn missing(&self) -> Option<&Path> {
        self.paths()
            .into_iter()
            .map(|(_, p)| p)
            .find(|p| !p.exists())
    }

    /// The files and folders the data is read from, each with the flag that names it.
    pub fn paths(&self) -> Vec<(&'static str, &Path)> {
        match self {
            DataSource::Csv { path, val_path, .. } => std::iter::once(("--data", path.as_path()))
                .chain(val_path.as_deref().map(|p| ("--val-data", p)))
                .collect(),
            DataSource::Idx { dir } => vec![("--data-dir", dir.as_path())],
            DataSource::Inputs { of } => of.paths(),
            DataSource::Builtin { .. } | DataSource::Memory { .. } => vec![],
        }
    }

    /// The limits the flags keep, for a source whose public fields were set otherwise (a
    /// `config.json` edited by hand): a built-in set's sizes and noise, a CSV's held-out share
    /// and decimal mark. Refused naming the flag.
    pub fn check_limits(&self) -> Result<()> {
        match self {
            DataSource::Builtin {
                name,
                train_size,
                val_size,
                seed,
                noise,
            } => {
                let builtin = DataSource::builtin(name, *seed)?;
                builtin.with_sizes(Some(*train_size), Some(*val_size))?;
                if !(0.0..=MAX_NOISE).contains(noise) {
                    let why = format!("must be 0 to {MAX_NOISE:e}, got {noise:?}");
                    return Err(Error::invalid("--noise", why));
                }
            }
            DataSource::Csv {
                val_fraction,
                val_path,
                decimal,
                ..
            } => {
                // 0 holds nothing out: fine beside --val-data; without it, `Rows::split` says why
                let zero_ok = val_path.is_some() || *val_fraction == 0.0;
                in_unit("--val-fraction", *val_fraction, zero_ok)?;
                decimal_mark(*decimal)?;
            }
            DataSource::Inputs { of } => of.check_limits()?, // a pretraining's
            DataSource::Idx { .. } | DataSource::Memory { .. } => {}
        }
        Ok(())
    }
}

/// A recorded decimal mark as the reader takes it: `.` or `,` (a `config.json` edited to
/// another is refused naming it).
fn decimal_mark(decimal: Option<char>) -> Result<Option<u8>> {
    let read = |c: char| csv_file::parse_decimal(&c.to_string());
    decimal.map(read).transpose()
}
