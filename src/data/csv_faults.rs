//! What a CSV file's records and cells can get wrong, each told as a message that names the
//! file's own line and the column: a field of a `--one-hot` column, a target, True/False beside
//! numbers, a decimal comma, a quote never closed, a record the reader could not read.

use std::path::Path;

use super::number::{is_missing, shown};
use crate::error::{Error, Result};

/// The first line of a column holding a kind of cell, and the cell as a message shows it.
pub(super) type FirstSeen = Option<(usize, String)>;

/// A column's True/False beside its numbers (`seen`: the first of each): pandas reads such a
/// column as text, so a stray `True` among numbers is not quietly 1.
pub(super) fn mixed(
    seen: &mut (FirstSeen, FirstSeen),
    (line, column): (usize, &str),
    cell: &str,
) -> std::result::Result<(), String> {
    let boolean = super::number::boolean(cell).is_some();
    if !boolean && seen.0.is_none() && seen.1.is_some() {
        return Ok(()); // a column of numbers so far: every cell of most files
    }
    if !boolean && (cell.is_empty() || is_missing(cell)) {
        return Ok(()); // a missing cell, filled by --impute
    }
    let first = if boolean { &mut seen.0 } else { &mut seen.1 };
    if first.is_none() {
        *first = Some((line, shown(cell)));
    }
    let (Some((b, word)), Some((n, number))) = (&seen.0, &seen.1) else {
        return Ok(());
    };
    Err(format!(
        "column `{column}` holds `{word}` (line {b}) and the number `{number}` (line {n}): \
         pandas reads a column of both as text; write True/False as 1 and 0"
    ))
}

/// A cell of a `--one-hot` column: any text but an empty one. (One that pandas reads as
/// missing, `NA`, is refused when a new run would learn it as a category: `one_hot::missing`.)
pub(super) fn category(path: &Path, line: usize, column: &str, cell: &str) -> Result<String> {
    if cell.is_empty() {
        return Err(Error::Data(format!(
            "{}: line {line}, column `{column}`: the cell is empty; --one-hot reads a category in \
             every row: write one (`unknown`, say), or drop the row",
            path.display()
        )));
    }
    Ok(cell.to_string())
}

/// A target cell that is empty, or that pandas reads as missing (`NA`, `null`, …): refused, as
/// scikit-learn refuses a NaN target; `--impute` fills features only.
pub(super) fn missing_target(path: &Path, line: usize, column: &str, cell: &str) -> Error {
    let what = match cell {
        "" => "the target is empty".to_string(),
        _ => format!("the target `{cell}` marks a missing value, as pandas reads it"),
    };
    Error::Data(format!(
        "{}: line {line}, column `{column}`: {what}; a row without a target can be neither \
         learnt nor scored, and targets are never filled in: drop the row{}",
        path.display(),
        match cell {
            "" => "",
            _ => " (or, if it is a class, give it another name)",
        }
    ))
}

/// ` (a decimal comma? …)` where a record of comma-separated fields (too many) holds two whole
/// numbers side by side (`0,5`), which one number written with a decimal comma would split.
pub(super) fn decimal_comma(record: &csv::StringRecord, delimiter: u8) -> Option<String> {
    let digits = |f: &str| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
    let whole = |f: &str| digits(f.trim_start_matches(['-', '+']));
    if delimiter != b',' {
        return None;
    }
    let fields: Vec<&str> = record.iter().collect();
    if fields.last().is_some_and(|f| f.is_empty()) {
        return None; // a separator at the end of the line, not a comma in a number
    }
    let pair = fields.windows(2).find(|w| whole(w[0]) && digits(w[1]))?;
    let (a, b) = (shown(pair[0]), shown(pair[1]));
    Some(format!(
        " (a decimal comma? `{a},{b}` reads as two fields: write {a}.{b}, or quote the cell)"
    ))
}

/// `column `name``, or `field 3` where the header has no name for field 3 (from 0: 2).
pub(super) fn column_at(headers: &[String], field: usize) -> String {
    match headers.get(field) {
        Some(name) => format!("column `{name}`"),
        None => format!("field {}", field + 1),
    }
}

/// A quoted field that opened on `line` and ran to the end of the file.
pub(super) fn never_closed(path: &Path, line: u64, headers: &[String], field: usize) -> Error {
    let column = column_at(headers, field);
    Error::Data(format!(
        "{}: line {line}, {column}: a field opens with a quote that is never closed, so every \
         line after it would be part of it: close the quote, or leave it out (a quote inside a \
         quoted field is written twice, `\"\"`)",
        path.display()
    ))
}

/// What went wrong reading a record, without the reader's own count of lines (it counts only
/// `\n`, and not the blank lines it skips: the message names the file's own line instead).
pub(super) fn unplaced(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not UTF-8 text (from byte {} on); save the file as UTF-8",
            err.field() + 1,
            err.valid_up_to() + 1
        ),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}
