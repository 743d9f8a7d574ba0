//! Input columns read again as written, in f64, where f32 reads them too coarsely (a timestamp
//! varying by minutes), and a file's columns in f64 for the fits that compute in it.

use std::path::Path;
use std::sync::Arc;

use super::csv_file::{read_columns_as, read_columns_f64, Missing};
use super::csv_format::CsvFormat;
use super::dataset::{Dataset, Exact, ExactColumns};
use super::number::{is_missing, read_f64};
use super::scaler::Scaler;
use crate::error::{Refused, Result};

/// `data`, read from `path` as `like` was from its file (a `--val-data` beside the training
/// file), with the same input columns as written ([`Dataset::exact_columns`]).
pub fn exactly_as(
    mut data: Dataset,
    like: &Dataset,
    path: &Path,
    format: CsvFormat,
) -> Result<Dataset> {
    let columns = like
        .exact_columns
        .as_ref()
        .map_or(vec![], |e| e.columns.clone());
    // the file's own candidates hold them all where it is coarse there too: no second reading
    let read_already = (data.exact_columns.as_ref())
        .and_then(|e| e.keep(|j| columns.contains(&j)))
        .filter(|e| e.columns == columns);
    data.exact_columns = match read_already {
        Some(kept) => Some(kept),
        None => read_exact_columns(path, &data.feature_names, &columns, format)?,
    }
    .map(Arc::new);
    Ok(data)
}

/// The input `columns` (indices of `names`) of the CSV at `path` as written, in f64 (NaN where
/// a cell is missing); none for no columns.
pub fn read_exact_columns(
    path: &Path,
    names: &[String],
    columns: &[usize],
    format: CsvFormat,
) -> Result<Option<ExactColumns>> {
    if columns.is_empty() {
        return Ok(None);
    }
    let wanted: Vec<String> = columns.iter().map(|&j| names[j].clone()).collect();
    let read = read_columns_as(path, (&wanted, None), (format, Missing::Kept), f64_or_nan)?;
    Ok(Some(ExactColumns {
        columns: columns.to_vec(),
        values: read.features,
    }))
}

/// A cell in f64, NaN where it is missing (its f32 reading said whether that may be).
fn f64_or_nan(field: &str) -> std::result::Result<f64, Refused> {
    match is_missing(field) {
        true => Ok(f64::NAN),
        false => read_f64(field),
    }
}

/// The input columns of `data`, read from `path`, that f32 may read too coarsely for their
/// spread (a timestamp varying by minutes: [`Scaler::coarseness`] over all its rows, missing
/// cells left out), read again as written: the candidates, of which standardising keeps those
/// coarse in the training rows ([`Dataset::exact_columns`]). None where there are none.
pub(super) fn coarse_columns_exactly(
    path: &Path,
    data: &Dataset,
    format: CsvFormat,
) -> Result<Option<ExactColumns>> {
    let width = data.width();
    let coarse: Vec<usize> = (0..width)
        .filter(|&j| {
            let column: Vec<f64> = (data.features.iter().skip(j).step_by(width))
                .filter(|v| !v.is_nan())
                .map(|&v| v as f64)
                .collect();
            let rows: Vec<usize> = (0..column.len()).collect();
            let (scaler, constant) = Scaler::fit_exact(&column, 1, &rows);
            constant.is_empty() && !column.is_empty() && !scaler.coarse_columns().is_empty()
        })
        .collect();
    read_exact_columns(path, &data.feature_names, &coarse, format)
}

/// `data`'s columns of the CSV at `path` in f64, as written (see [`Exact`]).
pub fn read_exact(path: &Path, data: &Dataset, format: CsvFormat) -> Result<Exact> {
    let target = data.target_name.as_str();
    let columns = read_columns_f64(path, &data.feature_names, Some(target), format)?;
    let targets = columns.target_numbers(path, target, read_f64)?;
    Ok(Exact {
        features: columns.features,
        targets,
    })
}
