//! The flags that name a data set, shared by `train` and `pretrain`; `--delimiter`'s and
//! `--decimal`'s parsers.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::data::advice::POINTS_LEFT_OUT;
use plaindnn::data::csv_file::{self, quoted_cell, CsvFormat};
use plaindnn::data::imputer::Strategy;
use plaindnn::data::{delimiter, DataSource, Task};
use plaindnn::error::{Error, Result};

use super::choices::{self, choices, only};
use plaindnn::shell::{quote, quote_path};

/// Flags that only a CSV file uses. clap skips `requires = "data"` when `--data` would conflict
/// with a flag given (`--dataset`, `--data-dir`), so those conflict with these explicitly.
const CSV_ONLY: [&str; 10] = [
    "target",
    "features",
    "one_hot",
    "delimiter",
    "decimal",
    "task",
    "val_fraction",
    "val_data",
    "no_standardize",
    "impute",
];

#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Data")]
pub struct DataArgs {
    /// Built-in data set (see `plaindnn datasets`): quadrants, xor, circles, spiral, blobs, line,
    /// cubic, shapes.
    #[arg(long, default_value = "quadrants", conflicts_with_all = ["data", "data_dir"])]
    #[arg(conflicts_with_all = CSV_ONLY)]
    #[arg(value_parser = only::<String>(choices::datasets), hide_possible_values = true)]
    dataset: String,
    /// Noise of the built-in data set [default: the set's own].
    #[arg(long, allow_negative_numbers = true, conflicts_with_all = ["data", "data_dir"])]
    noise: Option<f64>,
    /// Rows of the built-in set to train on [default: 256; 600 for shapes].
    #[arg(long, value_name = "N", conflicts_with_all = ["data", "data_dir"])]
    train_size: Option<usize>,
    /// Rows of the built-in set to validate on, drawn fresh [default: 256; 300 for shapes].
    #[arg(long, value_name = "N", conflicts_with_all = ["data", "data_dir"])]
    val_size: Option<usize>,
    /// A CSV file with a header row: train on your own data.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "data_dir")]
    data: Option<PathBuf>,
    /// CSV: the column to predict [default: the last].
    #[arg(long, value_name = "COLUMN", requires = "data")]
    target: Option<String>,
    /// CSV: the feature columns [default: all but the target]; a name with a comma in quotes, as
    /// in a CSV line: 'a,"width, cm"'.
    #[arg(long, value_parser = column_list, value_name = "A,B,..", requires = "data")]
    features: Option<Columns>,
    /// CSV: text columns to read as one 0/1 input per category (scikit-learn's OneHotEncoder,
    /// pandas' get_dummies): categories sorted, inputs named `column_category`, learnt from the
    /// training file and saved for predict and eval, which refuse a category never seen.
    #[arg(long, value_parser = column_list, value_name = "A,B,..", requires = "data")]
    one_hot: Option<Columns>,
    /// CSV: the field separator: `,`, `;`, `tab` or another character [default: comma, semicolon
    /// or tab, whichever splits the header into the most fields].
    #[arg(long, value_name = "CHAR", value_parser = delimiter_arg, requires = "data")]
    delimiter: Option<u8>,
    /// CSV: the decimal mark of the numbers, `.` or `,` (pandas' `decimal`; `,` reads 1,5 as
    /// 1.5, in a file separated by `;` or tabs) [default: .].
    #[arg(long, value_name = "MARK", value_parser = decimal_arg, requires = "data")]
    decimal: Option<u8>,
    /// CSV: classification or regression [default: classification for text or for whole numbers
    /// with at most 20 distinct values (and at most one per two rows), regression otherwise].
    #[arg(long, requires = "data")]
    task: Option<TaskArg>,
    /// CSV: share of rows held out for validation, stratified by class.
    #[arg(
        long,
        default_value_t = 0.2,
        allow_negative_numbers = true,
        requires = "data",
        conflicts_with = "val_data"
    )]
    val_fraction: f64,
    /// CSV: a separate validation file with the same columns (instead of --val-fraction).
    #[arg(long, value_name = "FILE.csv", requires = "data")]
    val_data: Option<PathBuf>,
    /// CSV: keep the features as they are (by default each is standardised with the training
    /// rows' mean and standard deviation, saved for predict and eval).
    #[arg(long, requires = "data")]
    no_standardize: bool,
    /// CSV: fill missing feature cells (empty, NA, NaN, null, … as pandas reads them) with the
    /// training rows' mean or median of the column, saved for predict and eval (scikit-learn's
    /// SimpleImputer) [default: refuse them].
    #[arg(long, value_name = "STRATEGY", requires = "data")]
    #[arg(value_parser = choices::<Strategy>(|| vec!["mean", "median"]))]
    impute: Option<Strategy>,
    /// A directory with MNIST-format files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
    /// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; gzipped or not). The network sees
    /// pixels / 255; predict and eval take them as the files hold them, 0–255.
    #[arg(long, value_name = "DIR", conflicts_with_all = CSV_ONLY)]
    data_dir: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum TaskArg {
    Classification,
    Regression,
}

impl DataArgs {
    /// Whether the data is a CSV file (`--data`), and it standardises its features.
    pub fn standardizes_csv(&self) -> Option<bool> {
        self.data.as_ref().map(|_| !self.no_standardize)
    }

    /// The data the flags name, and a short name for the run directory.
    pub fn source(&self, seed: u64) -> Result<(DataSource, String)> {
        if let Some(path) = &self.data {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("csv")
                .to_string();
            let source = DataSource::Csv {
                path: path.clone(),
                target: self.target.clone(),
                features: self.features.clone().map(|c| c.0),
                one_hot: self.one_hot.clone().map_or(Vec::new(), |c| c.0),
                task: self.task.map(|t| match t {
                    TaskArg::Classification => Task::Classification,
                    TaskArg::Regression => Task::Regression,
                }),
                val_fraction: self.val_fraction,
                val_path: self.val_data.clone(),
                seed,
                standardize: !self.no_standardize,
                standardize_target: false,
                impute: self.impute,
                delimiter: self.delimiter.map(char::from),
                decimal: self.decimal.map(char::from),
            };
            return Ok((source, name));
        }
        if let Some(dir) = &self.data_dir {
            let name = dir
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("idx")
                .to_string();
            return Ok((DataSource::Idx { dir: dir.clone() }, name));
        }
        let mut source = DataSource::builtin(&self.dataset, seed)?;
        if let Some(noise) = self.noise {
            source = source.with_noise(noise)?;
        }
        let source = source.with_sizes(self.train_size, self.val_size)?;
        Ok((source, self.dataset.clone()))
    }
}

impl DataArgs {
    /// The CSV file, where it is read without `--target` or `--features`: every column is an
    /// input, so a `train` on it, which takes its target from among them, would not fit.
    pub fn every_column(&self) -> Option<&Path> {
        let every = self.target.is_none() && self.features.is_none();
        self.data.as_deref().filter(|_| every)
    }

    /// These flags with `file` in place of the CSV file.
    pub fn with_file(&self, file: &str) -> DataArgs {
        DataArgs {
            data: Some(file.into()),
            ..self.clone()
        }
    }

    /// The flags that name this data again, quoted for a shell: for a pretraining's next step,
    /// whose network takes these inputs (a CSV's label column still to be named).
    pub fn flags(&self) -> String {
        let path = |p: &PathBuf| quote_path(p);
        if let Some(file) = &self.data {
            let target = self.target.as_deref().map_or("COLUMN".into(), quote);
            let mut flags = format!("--data {} --target {target}", path(file));
            // the flags that shape the inputs: the network's width and scaling depend on them
            if let Some(Columns(features)) = &self.features {
                let cells: Vec<String> = features.iter().map(|f| quoted_cell(f)).collect();
                flags += &format!(" --features {}", quote(&cells.join(",")));
            }
            if let Some(Columns(one_hot)) = &self.one_hot {
                let cells: Vec<String> = one_hot.iter().map(|f| quoted_cell(f)).collect();
                flags += &format!(" --one-hot {}", quote(&cells.join(",")));
            }
            flags += &CsvFlags {
                delimiter: self.delimiter,
                decimal: self.decimal,
            }
            .flags();
            if self.no_standardize {
                flags += " --no-standardize";
            }
            if let Some(strategy) = self.impute {
                flags += &format!(" --impute {}", strategy.name());
            }
            return flags;
        }
        if let Some(dir) = &self.data_dir {
            return format!("--data-dir {}", path(dir));
        }
        // a built-in set's noise and sizes make it the set it is
        let mut flags = format!("--dataset {}", quote(&self.dataset));
        if let Some(noise) = self.noise {
            flags += &format!(" --noise {noise}");
        }
        for (flag, rows) in [
            ("--train-size", self.train_size),
            ("--val-size", self.val_size),
        ] {
            if let Some(rows) = rows {
                flags += &format!(" {flag} {rows}");
            }
        }
        flags
    }
}

/// `--delimiter` and `--decimal`: how the CSV files of `eval`, `predict` and `regress` are
/// written (`train` and `pretrain` take them in [`DataArgs`], to record them with the run).
#[derive(Args, Clone, Copy, Debug)]
pub struct CsvFlags {
    /// CSV: the field separator (`,`, `;`, `tab`, …) [default: detected from the header].
    #[arg(long, value_name = "CHAR", value_parser = delimiter_arg, requires = "data")]
    pub delimiter: Option<u8>,
    /// CSV: the decimal mark of the numbers, `.` or `,` (pandas' `decimal`; `,` reads 1,5 as
    /// 1.5, in a file separated by `;` or tabs; predict's --output writes its numbers so)
    /// [default: eval and predict of a network's run, with --data: the mark it trained with,
    /// unless commas separate the file's fields; else .].
    #[arg(long, value_name = "MARK", value_parser = decimal_arg, requires = "data")]
    pub decimal: Option<u8>,
}

impl CsvFlags {
    /// The files' format as the flags give it.
    pub fn format(self) -> CsvFormat {
        CsvFormat::delimited(self.delimiter).with_decimal(self.decimal)
    }

    /// These flags, with the decimal mark a network's run was trained with where `--decimal` is
    /// not given (a run of `1,5` reads its new `file` so, unless commas separate its fields;
    /// one of points is refused with the way on, [`under_recorded_mark`]); whether the mark is
    /// the run's.
    pub fn or_recorded(self, source: &DataSource, file: Option<&Path>) -> (Self, bool) {
        let recorded = recorded_decimal(source);
        let commas = |path: &Path| match self.delimiter {
            Some(d) => d == b',',
            None => delimiter::detect(path, b',').is_ok_and(|d| d == b','),
        };
        // `--input` reads its row with points, and predict's --output writes it as read
        let Some(file) = file else {
            return (self, false);
        };
        if recorded == Some(b',') && commas(file) {
            return (self, false); // `1,5` would be two fields: the file writes points
        }
        match (self.decimal, recorded) {
            (None, Some(mark)) => (
                Self {
                    decimal: Some(mark),
                    ..self
                },
                true,
            ),
            _ => (self, false),
        }
    }

    /// The flags given, each after a space, quoted for a shell: ` --delimiter ';' --decimal ','`.
    pub fn flags(self) -> String {
        let delimiter = self.delimiter.map(|d| format!(" {}", delimiter::flag(d)));
        let decimal = self.decimal.map(|d| format!(" {}", decimal_flag(d)));
        delimiter.unwrap_or_default() + &decimal.unwrap_or_default()
    }
}

/// The decimal mark a network's run read its CSV with (a pretraining's, of the file it encoded).
fn recorded_decimal(source: &DataSource) -> Option<u8> {
    match source {
        DataSource::Csv { decimal, .. } => decimal.map(|c| c as u8),
        DataSource::Inputs { of } => recorded_decimal(of),
        _ => None,
    }
}

/// `error`, of a file read with the decimal mark its run trained with (not given as a flag):
/// where the file writes points, the way on is `--decimal '.'`, not to leave out a flag never
/// typed.
pub fn under_recorded_mark(error: Error, command: &str) -> Error {
    let text = error.to_string();
    match text.contains(POINTS_LEFT_OUT) {
        true => Error::Data(text.replace(
            POINTS_LEFT_OUT,
            &format!(
                "if the file writes its numbers with points, pass --decimal '.' ({command} reads \
                 with the --decimal ',' the run trained with unless told)"
            ),
        )),
        false => error,
    }
}

/// `--decimal`'s value: `.` or `,`.
pub fn decimal_arg(name: &str) -> std::result::Result<u8, String> {
    csv_file::parse_decimal(name).map_err(|e| e.to_string())
}

/// `--decimal ','` as typed in a shell.
pub fn decimal_flag(mark: u8) -> String {
    format!("--decimal {}", quote(&char::from(mark).to_string()))
}

/// `--delimiter`'s value: `,`, `;`, `tab`, `\t` or another punctuation character.
pub fn delimiter_arg(name: &str) -> std::result::Result<u8, String> {
    delimiter::parse(name).map_err(|e| e.to_string())
}

/// Column names given as one flag (`--features`).
#[derive(Clone, Debug, PartialEq)]
pub struct Columns(pub Vec<String>);

/// `--features a,"width, cm"`: column names as one CSV line ([`csv_file::split_cells`]), so
/// a name with a comma or a quote is given in quotes, as the messages list such names.
pub fn column_list(text: &str) -> std::result::Result<Columns, String> {
    let names = csv_file::split_cells(text)?;
    // `a,` or `a,,b`: a name left out, which no column has
    if let Some(i) = names.iter().position(String::is_empty) {
        return Err(format!("name {} of {} is empty", i + 1, names.len()));
    }
    Ok(Columns(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_list_reads_as_a_csv_line_with_quoted_names() {
        let names = |t: &str| column_list(t).map(|c| c.0);
        assert_eq!(names("a, b"), Ok(vec!["a".into(), "b".into()]));
        let quoted = Ok(vec!["width, cm".into(), "say \"hi\"".into()]);
        assert_eq!(names(r#""width, cm","say ""hi""""#), quoted);
        let spaced = Ok(vec!["a".into(), "width, cm".into()]);
        assert_eq!(
            names(r#"a, "width, cm""#),
            spaced,
            "as the messages list them"
        );
        assert!(names(r#"a,"b"#).is_err(), "a quote left open");
        assert_eq!(names("height,"), Err("name 2 of 2 is empty".into()));
        let line_break = "the value holds a line break: give it on one line";
        assert_eq!(names("a\nb"), Err(line_break.into()));
        let windows =
            "the value holds a carriage return (\\r, of a Windows line end?): take it out";
        assert_eq!(names("a,b\r"), Err(windows.into()));
    }
}
