//! `--output`: the given rows with the predictions' columns added, and a summary of them.

use std::path::Path;

use plaindnn::data::csv_file::{self, Cells, CsvFormat};
use plaindnn::data::one_hot;
use plaindnn::error::{Error, Result};
use plaindnn::inference::Prediction;
use plaindnn::train::DataInfo;

use super::super::{is_stdout, print_json, write_output};
use super::input::input_cells;
use super::PredictArgs;

/// `--output`: the given rows with the predictions' columns added, and (unless it is standard
/// output) a summary of where they went.
pub(super) fn write_predictions(
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
pub(super) fn summarise(
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

/// A number as short as reads back the same (`0.25`, `1e-7`): Display never switches to an
/// exponent, so a probability of 1e-30 would take 32 characters.
pub(super) fn short<T: std::fmt::Display + std::fmt::LowerExp + Into<f64> + Copy>(v: T) -> String {
    let size = v.into().abs();
    match size == 0.0 || (1e-4..1e16).contains(&size) {
        true => v.to_string(),
        false => format!("{v:e}"),
    }
}

/// The rows as given, every column kept (an ID, the true target) and every cell as written.
pub(super) fn given_cells(args: &PredictArgs, names: &[String]) -> Result<Cells> {
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
pub(super) fn write_csv(
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
