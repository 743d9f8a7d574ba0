//! Where a run's data comes from, recorded in `config.json` so `eval` can rebuild it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::advice::LEAVE_STANDARDIZE_OUT;
use super::csv_file;
use super::csv_file::{Categories, CsvFormat, Missing};
use super::csv_rows::Rows;
use super::dataset::{Dataset, Targets, Task};
use super::generators;
use super::idx;
use super::imputer::Strategy;
use super::prepared::Prepared;
use crate::check::{in_unit, non_negative};
use crate::error::{Error, Fault, Result};

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

    /// The inputs alone, for autoencoders: a CSV without a `target` has every column (or its
    /// `features`) as inputs, none as a label, and is split at random; anything else as
    /// [`load`](Self::load), its labels unused.
    pub fn load_inputs(&self) -> Result<Prepared> {
        if let DataSource::Idx { dir } = self {
            return idx::load_prepared(dir, false); // labels unused
        }
        let DataSource::Csv {
            target: None,
            features,
            one_hot,
            task,
            ..
        } = self
        else {
            return self.load();
        };
        if task.is_some() {
            return Err(Error::invalid(
                "--task",
                "without --target every column is an input and none is a label: name the \
                 label column with --target to leave it out",
            ));
        }
        let read = |file: &Path, training: Option<&Dataset>, reading| match training {
            None => {
                let learn = Categories::Learn(one_hot);
                csv_file::read_inputs(file, (features.as_deref(), learn), reading)
            }
            Some(t) => {
                let known = Categories::Known(&t.one_hot);
                csv_file::read_inputs(file, (Some(&t.feature_names), known), reading)
            }
        };
        self.load_csv(read, Missing::Refused)
    }

    /// A CSV source's rows, split (or a validation file beside), their missing cells filled and
    /// standardised: `read(file, None, reading)` reads the training file, `read(file,
    /// Some(training), reading)` a validation file with the training file's columns.
    fn load_csv(
        &self,
        read: impl Fn(&Path, Option<&Dataset>, (CsvFormat, Missing)) -> Result<Dataset>,
        refused: Missing,
    ) -> Result<Prepared> {
        let DataSource::Csv {
            path,
            val_fraction,
            val_path,
            seed,
            standardize,
            standardize_target,
            impute,
            delimiter,
            decimal,
            ..
        } = self
        else {
            return Err(Error::Data(format!(
                "{} is not a CSV file",
                self.describe()
            )));
        };
        self.check_limits()?;
        let mark = decimal_mark(*decimal)?;
        let delimiter = match delimiter.and_then(|c| u8::try_from(c).ok()) {
            Some(d) => d,
            None => super::delimiter::detect(path, mark.unwrap_or(b'.'))?,
        };
        let missing = match impute {
            Some(_) => Missing::Kept,
            None => refused,
        };
        let format = CsvFormat::delimited(Some(delimiter)).with_decimal(mark);
        let reading = (format, missing);
        let mut data = read(path, None, reading)?;
        if *standardize_target {
            refuse_scaled_classes(path, &data)?;
        }
        let rows = match val_path {
            Some(vp) => {
                super::delimiter::check_same(vp, delimiter)?;
                let val = read(vp, Some(&data), reading).or_else(|e| {
                    // --decimal ',' would refuse a training file of points: read again to say so
                    match comma_beside_points(&e, path, format) {
                        true => {
                            let beside = CsvFormat {
                                points_beside: true,
                                ..format
                            };
                            read(vp, Some(&data), (beside, missing))
                        }
                        false => Err(e),
                    }
                })?;
                Rows::given(&data, val)
            }
            None => Rows::split(&data, path, *val_fraction, *seed)?,
        };
        let rows = rows.imputed(&mut data, path, *impute)?;
        let mut prepared = rows.standardised(data, path, [*standardize, *standardize_target]);
        prepared
            .warnings
            .extend(same_rows(path, val_path.as_deref()));
        Ok(prepared)
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

    /// Loads, splits and (for CSV) fills and standardises the data.
    pub fn load(&self) -> Result<Prepared> {
        self.load_as(Missing::Refused, true)
    }

    /// [`load`](Self::load) for a fit that has neither `--impute` nor `--one-hot` (`regress`):
    /// a missing cell or a text column is refused without pointing to either.
    pub fn load_numbers_only(&self) -> Result<Prepared> {
        self.load_as(Missing::Unfillable, false)
    }

    /// [`load`](Self::load), a missing cell without `impute` read as `refused` says; a text
    /// column's refusal names `--one-hot` when the command `encodes` text.
    fn load_as(&self, refused: Missing, encodes: bool) -> Result<Prepared> {
        match self {
            DataSource::Builtin {
                name,
                train_size,
                val_size,
                seed,
                noise,
            } => {
                self.check_limits()?; // the fields are public, and config.json's
                builtin(name, [*train_size, *val_size], *noise, *seed)
            }
            DataSource::Csv {
                target,
                features,
                one_hot,
                task,
                ..
            } => self.load_csv(
                |file, training, reading| match training {
                    None => csv_file::read_table(
                        file,
                        target.as_deref(),
                        (features.as_deref(), encodes.then_some(&one_hot[..])),
                        *task,
                        reading,
                    ),
                    // the same columns, categories, classes and task as the training file
                    Some(t) => csv_file::read_labelled(
                        file,
                        (&t.feature_names, &t.one_hot),
                        &t.target_name,
                        t.task(),
                        (&t.class_names, csv_file::Labels::Names),
                        reading,
                    ),
                },
                refused,
            ),
            DataSource::Idx { dir } => idx::load_prepared(dir, true),
            DataSource::Inputs { of } => of.load_inputs()?.inputs_as_targets(),
            DataSource::Memory { description } => Err(Error::Data(format!(
                "this run trained on rows made in memory ({description}), which are not kept \
                 and not made again here: give the rows to score with --data FILE.csv, with the \
                 run's columns"
            ))),
        }
    }
}

/// The three row streams of a built-in set: each drawn from its own seed, so they never share rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// The rows training learns from (seed as given).
    Train,
    /// The rows training validates on (seed XOR [`VALIDATION_STREAM`](super::VALIDATION_STREAM)).
    Validation,
    /// Rows no choice during training sees (seed XOR [`TEST_STREAM`](super::TEST_STREAM)), as
    /// many as the validation rows; `plaindnn experiment` scores on them.
    Test,
}

impl DataSource {
    /// The rows of one split of a built-in set, exactly as training and experiments draw them.
    pub fn split_rows(&self, split: Split) -> Result<Dataset> {
        let DataSource::Builtin {
            name,
            train_size,
            val_size,
            seed,
            noise,
        } = self
        else {
            return Err(Error::Data(
                "only built-in data sets are drawn as train, validation and test rows".into(),
            ));
        };
        match split {
            Split::Test => generators::generate(name, *val_size, *noise, seed ^ super::TEST_STREAM),
            Split::Train | Split::Validation => {
                let sizes = [*train_size, *val_size];
                let (train, val) = builtin_rows(name, sizes, *noise, *seed)?;
                Ok(if split == Split::Train { train } else { val })
            }
        }
    }
}

/// Refuses `--standardize-target` where `data`'s target holds classes.
fn refuse_scaled_classes(path: &Path, data: &Dataset) -> Result<()> {
    if matches!(data.targets, Targets::Values { .. }) {
        return Ok(());
    }
    Err(Error::invalid(
        "--standardize-target",
        format!(
            "{}: the target `{}` holds classes (classification), which are not scaled; \
             {LEAVE_STANDARDIZE_OUT}",
            path.display(),
            data.target_name
        ),
    ))
}

/// Whether `e` refuses a decimal comma in a validation file beside a training file (`path`, read
/// with `format`) that writes numbers with points, which `--decimal ','` would refuse.
fn comma_beside_points(e: &Error, path: &Path, format: CsvFormat) -> bool {
    let comma = matches!(e, Error::Cell { refused, .. } if refused.fault == Fault::DecimalComma);
    let delimiter = format.delimiter.unwrap_or(b',');
    comma && format.decimal == b'.' && super::csv_format::writes_points(path, delimiter)
}

/// The warning where `--val-data` holds the same bytes as `--data`.
fn same_rows(path: &Path, val_path: Option<&Path>) -> Option<String> {
    let vp = val_path.filter(|vp| super::fingerprint::same_bytes(path, vp))?;
    Some(format!(
        "--val-data {} holds the same rows as --data {}: validation scores rows the network \
         trains on, so its loss, early stopping and the best epoch say nothing of new rows; give \
         other rows, or leave --val-data out to hold out --val-fraction of these",
        vp.display(),
        path.display()
    ))
}

/// A generated set: `sizes` = [training rows, validation rows], the validation rows drawn fresh.
fn builtin(name: &str, sizes: [usize; 2], noise: f64, seed: u64) -> Result<Prepared> {
    let name = generators::builtin(name)?.name; // config.json's, hand-written in any case
    let (train, val) = builtin_rows(name, sizes, noise, seed)?;
    Ok(Prepared::unscaled(train, val))
}

fn builtin_rows(
    name: &str,
    [train_size, val_size]: [usize; 2],
    noise: f64,
    seed: u64,
) -> Result<(Dataset, Dataset)> {
    let (train, val) = if name == "quadrants" {
        let train = super::quadrants::training_set(train_size.saturating_sub(4), seed)?;
        (train, super::quadrants::validation_set(val_size, seed)?)
    } else {
        let val_seed = seed ^ super::VALIDATION_STREAM;
        let train = generators::generate(name, train_size, noise, seed)?;
        (
            train,
            generators::generate(name, val_size, noise, val_seed)?,
        )
    };
    Ok((train, val))
}

/// A recorded decimal mark as the reader takes it: `.` or `,` (a `config.json` edited to
/// another is refused naming it).
fn decimal_mark(decimal: Option<char>) -> Result<Option<u8>> {
    let read = |c: char| csv_file::parse_decimal(&c.to_string());
    decimal.map(read).transpose()
}
