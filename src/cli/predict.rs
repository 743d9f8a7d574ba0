//! `plaindnn predict`: a run directory rebuilt for inference, on one row or a file of them.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::backend::Backend;
use plaindnn::data::csv_file::{self, Cells, CsvFormat, Missing};
use plaindnn::data::{number, one_hot, DataSource, ExactColumns};
use plaindnn::error::{Error, Result, NOT_FINITE};
use plaindnn::inference::{Prediction, Predictor};
use plaindnn::regression::LinearModel;
use plaindnn::train::DataInfo;
use serde::Serialize;

use super::data_args::{under_recorded_mark, CsvFlags};
use super::{is_stdout, print_json, refuse_existing, refuse_run_file, write_output, RunArgs};

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

/// Refuses `--output` at a file the run trained on (its `--data` or `--val-data`, or a file in
/// its `--data-dir`), `--overwrite` or not: `eval` and `--resume` read it again, and would
/// find it changed.
fn refuse_training_data(path: &Path, run: &Path) -> Result<()> {
    let Ok(config) = plaindnn::train::run_dir::RunDir::new(run).read_config() else {
        return Ok(()); // a regress fit, or no run: refused later, or nothing to break
    };
    let Some(file) = plaindnn::files::landing(path) else {
        return Ok(());
    };
    for (flag, source) in config.data.source.paths() {
        let Ok(source) = std::fs::canonicalize(source) else {
            continue;
        };
        // a folder (--data-dir): its MNIST-format files, not whatever else is in it
        let read = match source.is_dir() {
            true => plaindnn::data::idx::files(&source).contains(&file),
            false => source == file,
        };
        if read {
            let why = format!(
                "{} is the run's {flag} data: `eval` and `train --resume` read it again, so \
                 writing it would break the run; name another file",
                path.display()
            );
            return Err(Error::invalid("--output", why));
        }
    }
    Ok(())
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
        .map_err(|e| at_line(e, args.data.as_deref(), || lines.clone()))?;
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
    refuse_training_data(path, &args.run.run)?;
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

/// `--output`: the given rows with the predictions' columns added, and (unless it is standard
/// output) a summary of where they went.
fn write_predictions(
    path: &Path,
    args: &PredictArgs,
    (names, rows): (&[String], &[f32]),
    predictions: &[Prediction],
    data: &DataInfo,
) -> Result<()> {
    let format = args.csv.format();
    let added = (
        added_header(data, predictions, format),
        predictions.iter().map(|p| added_cells(p, format)),
    );
    let columns = one_hot::columns(names, &data.one_hot); // --input's cells
    write_csv(path, given_cells(args, &columns)?, added)?;
    if is_stdout(path) {
        return Ok(()); // the rows are the output
    }
    let counts = class_counts(predictions, &data.class_names);
    let filled = (data.imputer.as_ref()).map(|i| {
        (
            rows.iter().filter(|v| v.is_nan()).count(),
            i.strategy.name(),
        )
    });
    summarise(
        path,
        predictions.len(),
        (&counts, filled),
        &data.target,
        args.json,
    )
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

/// How many rows each class got, in class order.
fn class_counts<'a>(predictions: &[Prediction], classes: &'a [String]) -> Vec<(&'a str, usize)> {
    classes
        .iter()
        .map(|c| {
            let n = predictions
                .iter()
                .filter(|p| p.class.as_ref() == Some(c))
                .count();
            (c.as_str(), n)
        })
        .collect()
}

/// How many missing cells a model's fill filled, and its strategy (`None`: no fill).
type Filled<'a> = Option<(usize, &'a str)>;

/// What `--output` prints instead of every row: how many rows went where, how many missing
/// cells were filled and, for a classifier, how many rows each class got.
fn summarise(
    path: &Path,
    rows: usize,
    (counts, filled): (&[(&str, usize)], Filled),
    target: &str,
    json: bool,
) -> Result<()> {
    if json {
        let counts: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(c, n)| (c.to_string(), (*n).into()))
            .collect();
        return print_json(&serde_json::json!({
            "rows": rows,
            "output": path,
            "class_counts": counts,
            "filled": filled.map_or(0, |(n, _)| n),
        }));
    }
    let written = plaindnn::plural::count(rows, "prediction");
    println!("wrote {written} to {}", path.display());
    if let Some((n, strategy)) = filled.filter(|&(n, _)| n > 0) {
        let cells = plaindnn::plural::count(n, "missing cell");
        println!("filled {cells} with the training rows' {strategy}s");
    }
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(c, n)| format!("{c} {n}")).collect();
        println!("predicted {target}: {}", parts.join(", "));
    }
    Ok(())
}

/// The inputs the run standardises from their values as written (a timestamp f32 reads in
/// steps of 128: [`Predictor::exact_columns`]), of `--data`'s rows or `--input`'s.
fn exact_inputs(args: &PredictArgs, predictor: &Predictor) -> Result<Option<ExactColumns>> {
    let (columns, names) = (predictor.exact_columns(), predictor.feature_names());
    match (&args.input, &args.data) {
        _ if columns.is_empty() => Ok(None),
        (Some(text), _) => {
            let info = &predictor.config.data;
            let cells = input_cells(text)?;
            let in_file = one_hot::columns(names, &info.one_hot); // --input's columns
            let value = |j: usize| {
                let at = in_file.iter().position(|c| *c == names[j]);
                let cell = at.and_then(|i| cells.get(i)).map_or("", |c| c.trim());
                csv_file::read_f64(cell).unwrap_or(f64::NAN) // its f32 reading said why not
            };
            let values = columns.iter().map(|&j| value(j)).collect();
            Ok(Some(ExactColumns { columns, values }))
        }
        (None, Some(path)) => {
            csv_file::read_exact_columns(path, names, &columns, args.csv.format())
        }
        (None, None) => Ok(None),
    }
}

/// `--input`'s row: a value per input, or, with `--one-hot` columns, a cell per column of the
/// file, each category encoded as in training.
fn input_row(text: &str, info: &DataInfo, missing: Missing) -> Result<Vec<f32>> {
    if info.one_hot.is_empty() {
        return parse_row(text, &info.feature_names, missing);
    }
    let columns = one_hot::columns(&info.feature_names, &info.one_hot);
    let cells = input_cells(text)?;
    if cells.len() != columns.len() {
        let why = format!(
            "the model takes {} cells, a category in each --one-hot column ({}), got {}",
            columns.len(),
            plaindnn::inference::abbreviate(&columns),
            cells.len()
        );
        return Err(Error::invalid("--input", why));
    }
    let comma = matches!(
        info.source,
        DataSource::Csv {
            decimal: Some(','),
            ..
        }
    );
    let mut row = Vec::new();
    for (column, cell) in columns.iter().zip(cells.iter().map(String::as_str)) {
        let in_column =
            |why: String| Error::invalid("--input", format!("column `{column}`: {why}"));
        match info.one_hot.iter().find(|o| &o.column == column) {
            // as a file's empty cell in such a column is told
            Some(_) if cell.is_empty() => Err(in_column(
                "the cell is empty; --one-hot reads a category in every row: write one the \
                 run learnt"
                    .into(),
            ))?,
            Some(o) => {
                // a run that read its file with decimal commas: `2,5` is its category 2.5
                let pointed = comma.then(|| o.with_point(cell)).flatten();
                o.encode(pointed.as_deref().unwrap_or(cell), &mut row)
                    .map_err(in_column)?
            }
            None => row.extend(parse_cells::<f32>(
                &[cell],
                std::slice::from_ref(column),
                missing,
            )?),
        }
    }
    Ok(row)
}

/// `--input`'s cells, split as a CSV line is: a category may hold commas in quotes
/// (`3,"green, light",2`), and a number may be quoted (`"1",2`).
fn input_cells(text: &str) -> Result<Vec<String>> {
    csv_file::split_cells(text).map_err(|why| Error::invalid("--input", why))
}

/// `--input`'s values, one per name in `names`.
fn parse_row<T: std::str::FromStr + Into<f64> + From<f32> + Copy>(
    text: &str,
    names: &[String],
    missing: Missing,
) -> Result<Vec<T>> {
    let cells = input_cells(text)?;
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    parse_cells(&cells, names, missing)
}

/// Cells of `--input` as values, one per name in `names`.
fn parse_cells<T: std::str::FromStr + Into<f64> + From<f32> + Copy>(
    cells: &[&str],
    names: &[String],
    missing: Missing,
) -> Result<Vec<T>> {
    if cells.len() != names.len() {
        let why = format!(
            "the model takes {} ({}), got {}",
            plaindnn::plural::count(names.len(), "value"),
            plaindnn::inference::abbreviate(names),
            cells.len()
        );
        return Err(Error::invalid("--input", why));
    }
    (cells.iter().copied().zip(names))
        .map(|(v, name)| match (missing, csv_file::is_missing(v)) {
            // NaN, for the model's fill
            (Missing::Kept, true) => "NaN".parse::<T>().or(Err(Error::invalid("--input", "NaN"))),
            (_, true) if !v.is_empty() => {
                let why = format!(
                    "column `{name}`: `{v}` marks a missing value{}",
                    missing.hint()
                );
                Err(Error::invalid("--input", why))
            }
            _ => parse_value(v)
                .map_err(|why| Error::invalid("--input", format!("column `{name}`: {why}"))),
        })
        .collect()
}

/// A number as short as reads back the same (`0.25`, `1e-7`): Display never switches to an
/// exponent, so a probability of 1e-30 would take 32 characters.
fn short<T: std::fmt::Display + std::fmt::LowerExp + Into<f64> + Copy>(v: T) -> String {
    let size = v.into().abs();
    match size == 0.0 || (1e-4..1e16).contains(&size) {
        true => v.to_string(),
        false => format!("{v:e}"),
    }
}

/// The rows as given, every column kept (an ID, the true target) and every cell as written.
fn given_cells(args: &PredictArgs, names: &[String]) -> Result<Cells> {
    if let Some(text) = &args.input {
        let row = input_cells(text)?;
        return Ok(Cells {
            headers: names.to_vec(),
            rows: vec![row.into()],
            delimiter: b',',
        });
    }
    match &args.data {
        Some(path) => csv_file::read_cells_as_written(path, args.csv.format()),
        None => Err(Error::invalid(
            "input",
            "give --input x,y or --data FILE.csv",
        )),
    }
}

/// The columns a network's predictions add: the class or the values, then each class's
/// probability.
fn added_header(data: &DataInfo, predictions: &[Prediction], format: CsvFormat) -> Vec<String> {
    let mut header = Vec::new();
    match predictions.first().map_or(0, |p| p.values.len()) {
        _ if data.reconstructs => {
            let names = data.feature_names.iter();
            header.extend(names.map(|f| format!("reconstructed_{f}")));
        }
        0 | 1 => header.push(format!("predicted_{}", data.target)),
        // several outputs (a multi-output target): one column each
        n => header.extend((0..n).map(|k| format!("predicted_{}_{k}", data.target))),
    }
    let classes = data.class_names.iter();
    header.extend(classes.map(|c| format!("p_{}", marked_class(c, format))));
    header
}

/// A prediction's cells, its numbers (a class named by one too) written with the rows' mark.
fn added_cells(p: &Prediction, format: CsvFormat) -> Vec<String> {
    let number = |v: f32| format.marked(short(v));
    let mut cells: Vec<String> = match &p.class {
        Some(class) => vec![marked_class(class, format)],
        None => p.values.iter().map(|&v| format.marked(short(v))).collect(),
    };
    cells.extend(p.probabilities.iter().map(|q| number(*q)));
    cells
}

/// A class name with the rows' decimal mark where it is a number (`0.5` read from `0,5`).
fn marked_class(class: &str, format: CsvFormat) -> String {
    match class.parse::<f64>() {
        Ok(_) => format.marked(class.to_string()),
        Err(_) => class.to_string(),
    }
}

/// One `--input` value: a finite number of the model's type (f32 for a network, f64 for a fit),
/// `True`/`False` as 1/0 as in a CSV file; else why not.
fn parse_value<T: std::str::FromStr + Into<f64> + From<f32> + Copy>(
    v: &str,
) -> std::result::Result<T, String> {
    if let Some(b) = number::boolean(v) {
        return Ok(T::from(b));
    }
    let parsed = v.parse::<T>();
    if let Some(x) = parsed.as_ref().ok().filter(|x| (**x).into().is_finite()) {
        return Ok(*x);
    }
    let shown = number::shown(v); // made only for the message
    let why = match parsed {
        Ok(_) if number::overflows(v) && std::mem::size_of::<T>() == 4 => format!(
            "`{shown}` is beyond the range of f32 (±3.4e38), the type the network computes in"
        ),
        Ok(_) if number::overflows(v) => format!("`{shown}` is beyond the range of f64 (±1.8e308)"),
        Ok(_) => format!("`{shown}` is not a finite number"),
        Err(_) if v.is_empty() => {
            "the value is empty (two commas in a row, or one at an end?)".into()
        }
        // a quoted `"0,5"`: --input's numbers are written with points
        Err(_) if number::comma_number(v) => format!(
            "`{shown}` is not a number (a decimal comma? write {})",
            v.replace(',', ".")
        ),
        Err(_) => format!("`{shown}` is not a number"),
    };
    Err(why)
}

/// `name`, or where the rows already have it (a feature called `predicted_price`, an earlier
/// prediction) the first free `name_2`, `name_3`, …, said on standard error, as pandas' `merge`
/// suffixes a repeated column.
fn free_name(taken: &[String], name: String) -> String {
    if !taken.contains(&name) {
        return name;
    }
    let free = (2..)
        .map(|k| format!("{name}_{k}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_default();
    eprintln!("warning: the rows already have a column `{name}`: the predictions' is `{free}`");
    free
}

/// The given rows as they were, each followed by its prediction's cells (`added`: their header
/// and the cells, row by row), as pandas' `df.assign(...).to_csv()` writes them.
fn write_csv(
    path: &Path,
    given: Cells,
    (header, cells): (Vec<String>, impl Iterator<Item = Vec<String>>),
) -> Result<()> {
    let mut names = given.headers.clone();
    for name in header {
        names.push(free_name(&names, name));
    }
    let rows = (given.rows.iter()).zip(cells).map(|(row, added)| {
        let row = row.iter().map(str::to_string);
        row.chain(added).collect()
    });
    write_output(path, &csv_bytes(path, (names, rows), given.delimiter)?)
}

/// A header and rows as CSV separated by `delimiter` (the given rows' own: a TSV stays a TSV),
/// quoted where a cell holds the delimiter, a quote or a line break.
fn csv_bytes(
    path: &Path,
    (header, rows): (Vec<String>, impl Iterator<Item = Vec<String>>),
    delimiter: u8,
) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Data(format!("{}: {e}", path.display()));
    writer.write_record(&header).map_err(fail)?;
    for row in rows {
        writer.write_record(&row).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| fail(e.into_error().into()))
}

/// `predict` on a run written by `plaindnn regress`.
/// A fit's prediction to four decimals (a timestamp's every digit), else where that would print
/// 17 digits or more, or none, to seven significant digits and an exponent (`1.5e30`; it was
/// printed with 31 digits and four decimals).
fn fitted(y: f64) -> String {
    if y == 0.0 || (1e-4..1e16).contains(&y.abs()) {
        return format!("{y:.4}");
    }
    let text = format!("{y:.6e}");
    let (digits, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits = digits.trim_end_matches('0').trim_end_matches('.');
    format!("{digits}e{exponent}")
}

fn predict_linear(args: &PredictArgs) -> Result<()> {
    refuse_backend_for_fit(args.run.backend)?;
    let model = LinearModel::load(&args.run.run)?;
    // in f64, as the fit: f32 would round a timestamp's last digits away
    let (x, lines): (Vec<f64>, Vec<usize>) = match (&args.input, &args.data) {
        (Some(text), _) => (parse_row(text, &model.inputs, Missing::Unfillable)?, vec![]),
        (None, Some(path)) => {
            let columns = csv_file::read_columns_f64(path, &model.inputs, None, args.csv.format())?;
            (columns.features, columns.lines)
        }
        (None, None) => return Err(Error::invalid("input", "give --input x or --data FILE.csv")),
    };
    let predicted = (model.predict(&x)).map_err(|e| at_line(e, args.data.as_deref(), || lines))?;
    if let Some(path) = &args.output {
        let header = vec![format!("predicted_{}", model.target)];
        let format = args.csv.format();
        let cells = (predicted.iter()).map(|y| vec![format.marked(short(*y))]);
        write_csv(path, given_cells(args, &model.inputs)?, (header, cells))?;
        if is_stdout(path) {
            return Ok(());
        }
        return summarise(path, predicted.len(), (&[], None), &model.target, args.json);
    }
    if args.json {
        let out: Vec<_> = x
            .chunks(model.inputs.len())
            .zip(&predicted)
            .map(|(input, y)| serde_json::json!({ "input": input, "values": [y] }))
            .collect();
        return print_json(&serde_json::json!({ "predictions": out }));
    }
    for (input, y) in x.chunks(model.inputs.len()).zip(&predicted) {
        let features: Vec<String> = model
            .inputs
            .iter()
            .zip(input)
            .map(|(n, v)| format!("{n}={}", short(*v)))
            .collect();
        println!(
            "{} → {} = {}",
            features.join(", "),
            model.target,
            fitted(*y)
        );
    }
    Ok(())
}

/// A `regress` fit is f64 on the CPU: `--backend`, which would change nothing, is refused.
pub(super) fn refuse_backend_for_fit(backend: Option<Backend>) -> Result<()> {
    if backend.is_none() {
        return Ok(());
    }
    Err(Error::invalid(
        "--backend",
        "a `regress` fit is computed in f64 on the CPU; --backend is for networks",
    ))
}
