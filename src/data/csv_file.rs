//! Reading numeric columns from a CSV file with a header row; errors name file, line and column.

use std::fs::File;
use std::path::Path;

use super::dataset::{Dataset, Targets, Task};
use crate::error::{Error, Result};

/// Rows read from a CSV: the chosen feature columns and, if asked for, the raw target column.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvColumns {
    /// Row-major features in the order asked for.
    pub features: Vec<f32>,
    /// The target column's text, one entry per row.
    pub target: Option<Vec<String>>,
}

/// Reads the columns named `features` (and `target`, if given) from the CSV at `path`.
pub fn read_columns(path: &Path, features: &[String], target: Option<&str>) -> Result<CsvColumns> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| {
            Error::Data(format!(
                "{}: cannot read the header row: {e}",
                path.display()
            ))
        })?
        .clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(Error::Data(format!(
            "{}: the file is empty (expected a header row)",
            path.display()
        )));
    }
    let find = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let have: Vec<&str> = headers.iter().collect();
            Error::Data(format!(
                "{}: no column `{name}`; the columns are: {}",
                path.display(),
                have.join(", ")
            ))
        })
    };
    let feature_idx: Vec<usize> = features.iter().map(|f| find(f)).collect::<Result<_>>()?;
    let target_idx = target.map(find).transpose()?;

    let mut out = CsvColumns {
        features: Vec::new(),
        target: target_idx.map(|_| Vec::new()),
    };
    for (i, record) in reader.records().enumerate() {
        let line = i + 2; // line 1 is the header
        let record =
            record.map_err(|e| Error::Data(format!("{}: line {line}: {e}", path.display())))?;
        if record.len() != headers.len() {
            return Err(Error::Data(format!(
                "{}: line {line} has {} fields, the header has {}",
                path.display(),
                record.len(),
                headers.len()
            )));
        }
        for (&col, name) in feature_idx.iter().zip(features) {
            out.features
                .push(parse_number(path, line, name, &record[col])?);
        }
        if let (Some(col), Some(target)) = (target_idx, out.target.as_mut()) {
            target.push(record[col].to_string());
        }
    }
    if out.features.is_empty() {
        return Err(Error::Data(format!(
            "{}: the header is there but no data rows follow",
            path.display()
        )));
    }
    Ok(out)
}

/// A finite number from one CSV field, or an error naming file, line and column.
pub fn parse_number(path: &Path, line: usize, column: &str, field: &str) -> Result<f32> {
    match field.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) => Err(Error::Data(format!(
            "{}: line {line}, column `{column}`: {v} is not a finite number",
            path.display()
        ))),
        Err(_) => Err(Error::Data(format!(
            "{}: line {line}, column `{column}`: `{field}` is not a number",
            path.display()
        ))),
    }
}

/// Reads a labelled CSV for a model that knows its features, task and classes already.
pub fn read_labelled(
    path: &Path,
    feature_names: &[String],
    target: &str,
    task: Task,
    class_names: &[String],
) -> Result<Dataset> {
    let columns = read_columns(path, feature_names, Some(target))?;
    let raw = columns.target.unwrap_or_default();
    let targets = match task {
        Task::Classification => Targets::Classes(
            raw.iter()
                .enumerate()
                .map(|(i, label)| {
                    class_names.iter().position(|c| c == label).map(|c| c as i64).ok_or_else(|| {
                        Error::Data(format!(
                            "{}: line {}, column `{target}`: class `{label}` was never seen in training (known: {})",
                            path.display(),
                            i + 2,
                            class_names.join(", ")
                        ))
                    })
                })
                .collect::<Result<_>>()?,
        ),
        Task::Regression => Targets::Values {
            values: raw
                .iter()
                .enumerate()
                .map(|(i, v)| parse_number(path, i + 2, target, v))
                .collect::<Result<_>>()?,
            width: 1,
        },
    };
    Dataset::new(
        columns.features,
        feature_names.to_vec(),
        targets,
        class_names.to_vec(),
    )
}
