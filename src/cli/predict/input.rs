//! `--input`'s row: its cells split as a CSV line, each read as the run reads a file's.

use plaindnn::data::csv_file::{self, Missing};
use plaindnn::data::{number, one_hot, DataSource, ExactColumns};
use plaindnn::error::{Error, Result};
use plaindnn::inference::Predictor;
use plaindnn::train::DataInfo;

use super::PredictArgs;

/// The inputs the run standardises from their values as written (a timestamp f32 reads in
/// steps of 128: [`Predictor::exact_columns`]), of `--data`'s rows or `--input`'s.
pub(super) fn exact_inputs(
    args: &PredictArgs,
    predictor: &Predictor,
) -> Result<Option<ExactColumns>> {
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
pub(super) fn input_row(text: &str, info: &DataInfo, missing: Missing) -> Result<Vec<f32>> {
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
pub(super) fn input_cells(text: &str) -> Result<Vec<String>> {
    csv_file::split_cells(text).map_err(|why| Error::invalid("--input", why))
}

/// `--input`'s values, one per name in `names`.
pub(super) fn parse_row<T: std::str::FromStr + Into<f64> + From<f32> + Copy>(
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
