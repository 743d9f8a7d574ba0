//! A [`DataSource`] read into training and validation rows: a built-in set drawn, a CSV file
//! read, filled and standardised as its fields say, MNIST-format files, a pretraining's inputs.

use std::path::Path;

use super::{decimal_mark, DataSource};
use crate::data::advice::LEAVE_STANDARDIZE_OUT;
use crate::data::csv_file;
use crate::data::csv_file::{Categories, CsvFormat, Missing};
use crate::data::csv_rows::Rows;
use crate::data::dataset::{Dataset, Targets};
use crate::data::generators;
use crate::data::idx;
use crate::data::prepared::Prepared;
use crate::error::{Error, Fault, Result};

impl DataSource {
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
                    .and_then(|v| csv_file::exactly_as(v, t, file, reading.0))
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
            None => crate::data::delimiter::detect(path, mark.unwrap_or(b'.'))?,
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
                crate::data::delimiter::check_same(vp, delimiter)?;
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
                    )
                    .and_then(|v| csv_file::exactly_as(v, t, file, reading.0)),
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
    /// The rows training validates on (seed XOR [`VALIDATION_STREAM`](crate::data::VALIDATION_STREAM)).
    Validation,
    /// Rows no choice during training sees (seed XOR [`TEST_STREAM`](crate::data::TEST_STREAM)), as
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
            Split::Test => {
                generators::generate(name, *val_size, *noise, seed ^ crate::data::TEST_STREAM)
            }
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
    comma && format.decimal == b'.' && crate::data::csv_format::writes_points(path, delimiter)
}

/// The warning where `--val-data` holds the same bytes as `--data`.
fn same_rows(path: &Path, val_path: Option<&Path>) -> Option<String> {
    let vp = val_path.filter(|vp| crate::data::fingerprint::same_bytes(path, vp))?;
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
        let train = crate::data::quadrants::training_set(train_size.saturating_sub(4), seed)?;
        (
            train,
            crate::data::quadrants::validation_set(val_size, seed)?,
        )
    } else {
        let val_seed = seed ^ crate::data::VALIDATION_STREAM;
        let train = generators::generate(name, train_size, noise, seed)?;
        (
            train,
            generators::generate(name, val_size, noise, val_seed)?,
        )
    };
    Ok((train, val))
}
