//! `plaindnn predict`: a run directory rebuilt for inference, on one row or a file of them.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::data::csv_file;
use plaindnn::data::ExactColumns;
use plaindnn::error::{Error, Result, NOT_FINITE};
use plaindnn::inference::{Prediction, Predictor};
use plaindnn::train::DataInfo;
use serde::Serialize;

use super::data_args::{under_recorded_mark, CsvFlags};
use super::{
    is_stdout, print_json, refuse_existing, refuse_run_file, refuse_training_data, RunArgs,
};

mod fit;
mod input;
mod output;

use fit::predict_linear;
pub(super) use fit::refuse_backend_for_fit;
use input::{exact_inputs, input_row};
use output::{short, write_predictions};

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("rows").required(true).args(["input", "data"]))]
pub struct PredictArgs {
    #[command(flatten)]
    run: RunArgs,
    /// One row of features, comma-separated (e.g. 2,2); with --one-hot columns, their
    /// categories, in quotes where they hold a comma (e.g. 3,"green, light",2).
    // conflicts with --delimiter by name: clap skips `requires = "data"` once --input, which
    // conflicts with --data, is given
    #[arg(
        long,
        allow_hyphen_values = true,
        conflicts_with_all = ["data", "delimiter", "decimal"]
    )]
    input: Option<String>,
    /// A CSV file with a header row holding the model's feature columns.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    #[command(flatten)]
    csv: CsvFlags,
    /// Write the predictions as CSV to FILE and print a summary instead of every row (`-`: the
    /// CSV to standard output, nothing else); separated as --data is (a TSV stays a TSV).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// --output: replace FILE if it exists.
    #[arg(long, requires = "output")]
    overwrite: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    input: Vec<Input>,
    #[serde(flatten)]
    prediction: &'a Prediction,
}

/// An input as the network's rows hold it (f32), or as the file wrote it where the run reads it
/// so ([`Predictor::exact_columns`]: 1600000001 is 1600000000 in f32).
#[derive(Clone, Copy, Serialize)]
#[serde(untagged)]
enum Input {
    Read(f32),
    Exact(f64),
}

impl Input {
    fn is_nan(self) -> bool {
        match self {
            Input::Read(v) => v.is_nan(),
            Input::Exact(v) => v.is_nan(),
        }
    }

    fn short(self) -> String {
        match self {
            Input::Read(v) => short(v),
            Input::Exact(v) => short(v),
        }
    }
}

/// Each row's inputs to show: `rows`, `exact`'s columns as written.
fn shown(rows: &[f32], width: usize, exact: Option<&ExactColumns>) -> Vec<Vec<Input>> {
    let mut shown: Vec<Vec<Input>> = (rows.chunks(width.max(1)))
        .map(|row| row.iter().map(|&v| Input::Read(v)).collect())
        .collect();
    if let Some(e) = exact {
        let k = e.columns.len().max(1);
        for (row, values) in shown.iter_mut().zip(e.values.chunks(k)) {
            for (&j, &v) in e.columns.iter().zip(values).filter(|(_, v)| !v.is_nan()) {
                row[j] = Input::Exact(v);
            }
        }
    }
    shown
}

/// `--json`'s document, serialised directly: through `json!` an f32 widens to f64 and prints as
/// 0.46299999952316284.
#[derive(Serialize)]
struct Rows<'a> {
    /// The classes in the order of each row's `probabilities` (scikit-learn's `classes_`).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    classes: &'a [String],
    predictions: Vec<Row<'a>>,
}

/// The rows to predict, row-major: `--input`'s one, or every row of `--data` with the line
/// each starts on.
fn read_rows(
    args: &PredictArgs,
    predictor: &Predictor,
    names: &[String],
) -> Result<(Vec<f32>, Vec<usize>)> {
    match (&args.input, &args.data) {
        (Some(text), _) => Ok((
            input_row(text, &predictor.config.data, predictor.missing())?,
            Vec::new(),
        )),
        (None, Some(path)) => {
            let reading = (args.csv.format(), predictor.missing());
            let inputs = (names, &predictor.config.data.one_hot[..]);
            let columns = csv_file::read_features(path, inputs, None, reading)?;
            Ok((columns.features, columns.lines))
        }
        (None, None) => Err(Error::invalid(
            "input",
            "give --input x,y or --data FILE.csv",
        )),
    }
}

pub fn predict(mut args: PredictArgs) -> Result<()> {
    refuse_output(&args)?;
    if args.run.run.join("linear.json").is_file() {
        return predict_linear(&args);
    }
    let predictor = Predictor::open(&args.run.run, args.run.backend.unwrap_or_default())?;
    super::warn_if_training(&args.run.run);
    let names = predictor.feature_names().to_vec();
    let (rows, lines) = read_inherited(&mut args, &predictor, &names)?;
    let at = |r: usize| match &args.data {
        Some(path) => format!("{}: line {}", path.display(), lines[r]),
        None => "--input".to_string(),
    };
    super::pixels::check(&predictor.config.data, &rows, &names, &at)?;
    let exact = exact_inputs(&args, &predictor)?;
    let predictions = (predictor.predict_exactly(&rows, exact.as_ref()))
        .map_err(|e| at_row(e, &args, || lines.clone()))?;
    let data = &predictor.config.data;
    match &args.output {
        Some(path) => write_predictions(path, &args, (&names, &rows), &predictions, data),
        None => {
            let inputs = shown(&rows, names.len(), exact.as_ref());
            show(&args, (&names, inputs), &predictions, data)
        }
    }
}

/// Refuses an `--output` that would break something, before any work: `-` with `--json`, a run's
/// own file, the run's training data, an existing file without `--overwrite`.
fn refuse_output(args: &PredictArgs) -> Result<()> {
    let Some(path) = &args.output else {
        return Ok(());
    };
    if is_stdout(path) && args.json {
        let why = "--output - writes the rows to standard output as CSV: leave out --json \
                   (which prints the summary of an --output FILE)";
        return Err(Error::invalid("--json", why));
    }
    refuse_run_file(path, "--output", &[])?;
    refuse_training_data(path, &args.run.run, "--output")?;
    refuse_existing(path, "--output", args.overwrite)
}

/// [`read_rows`] under the run's recorded CSV format where the flags leave it open (its decimal
/// mark), which a refusal then names.
fn read_inherited(
    args: &mut PredictArgs,
    predictor: &Predictor,
    names: &[String],
) -> Result<(Vec<f32>, Vec<usize>)> {
    let inherited;
    (args.csv, inherited) = args
        .csv
        .or_recorded(&predictor.config.data.source, args.data.as_deref());
    read_rows(args, predictor, names).map_err(|e| match inherited {
        true => under_recorded_mark(e, "predict"),
        false => e,
    })
}

/// The predictions on standard output: a line per row, or one JSON document (`--json`).
fn show(
    args: &PredictArgs,
    (names, inputs): (&[String], Vec<Vec<Input>>),
    predictions: &[Prediction],
    data: &DataInfo,
) -> Result<()> {
    if !args.json {
        print_rows(names, &inputs, predictions, data);
        return Ok(());
    }
    let predictions = (inputs.into_iter().zip(predictions))
        .map(|(input, prediction)| Row { input, prediction })
        .collect();
    print_json(&Rows {
        classes: &data.class_names,
        predictions,
    })
}

/// [`at_line`] for `predict`'s rows, where `--input`'s one is named by its flag.
fn at_row(e: Error, args: &PredictArgs, lines: impl FnOnce() -> Vec<usize>) -> Error {
    match (e, &args.input) {
        (Error::NotFinite { .. }, Some(_)) => {
            Error::invalid("--input", NOT_FINITE.replace("that row's", "its"))
        }
        (e, _) => at_line(e, args.data.as_deref(), lines),
    }
}

/// An output that is not a finite number, named by the file's own line of its row (`lines`, read
/// when needed) rather than the row's number.
pub(super) fn at_line(e: Error, path: Option<&Path>, lines: impl FnOnce() -> Vec<usize>) -> Error {
    match (e, path) {
        (Error::NotFinite { row }, Some(path)) => Error::Data(format!(
            "{}: line {}: {NOT_FINITE}",
            path.display(),
            lines().get(row).copied().unwrap_or(row + 2)
        )),
        (e, _) => e,
    }
}

/// One line per row: its inputs, then the class and each class's probability, or the values.
fn print_rows(
    names: &[String],
    inputs: &[Vec<Input>],
    predictions: &[Prediction],
    data: &DataInfo,
) {
    let fill = |j: usize| data.imputer.as_ref().map_or(f32::NAN, |i| i.fill[j]);
    for (input, p) in inputs.iter().zip(predictions) {
        let mut features: Vec<String> = (names.iter().zip(input).enumerate())
            .map(|(j, (n, v))| (j, csv_file::quoted_cell(n), v))
            .map(|(j, n, v)| match v.is_nan() {
                true => format!("{n}={} (missing: filled)", short(fill(j))),
                false => format!("{n}={}", v.short()),
            })
            .collect();
        if features.len() > 8 {
            // an image's 784 pixels would bury the answer
            features.truncate(3);
            features.push(format!("… ({} inputs)", input.len()));
        }
        let target = &data.target;
        match &p.class {
            Some(class) => {
                let probs: Vec<String> = data
                    .class_names
                    .iter()
                    .zip(&p.probabilities)
                    .map(|(c, q)| format!("{c} {q:.4}"))
                    .collect();
                println!(
                    "{} → {target} {class}   (p: {})",
                    features.join(", "),
                    probs.join(", ")
                );
            }
            None => println!("{} → {target} = {}", features.join(", "), values(&p.values)),
        }
    }
}

/// One predicted value as a number, several as a list: `3.5`, `[3.5, -1]`.
fn values(values: &[f64]) -> String {
    match values {
        [one] => short(*one),
        many => format!("{many:?}"),
    }
}
