//! How a CSV file writes its fields: the separator between them and the decimal mark of its
//! numbers (pandas' `sep` and `decimal`; Excel in much of Europe writes `;` and `1,5`).

use std::borrow::Cow;
use std::path::Path;

use super::advice::{DECIMAL_COMMA, DECIMAL_MARK, POINTS_LEFT_OUT};
use super::number::{comma_number, shown};
use crate::error::{Error, Fault, Refused, Result};

/// A CSV file's field separator and decimal mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvFormat {
    /// The field separator; `None`: detected from the file's first lines.
    pub delimiter: Option<u8>,
    /// The decimal mark of its numbers: `.`, or `,` (pandas' `decimal=','`).
    pub decimal: u8,
    /// The file beside this one (the training file, for a validation file) writes numbers with
    /// points: a decimal comma's way on is a point, as there, not `--decimal ','`, which would
    /// refuse that file's.
    pub points_beside: bool,
}

impl Default for CsvFormat {
    fn default() -> Self {
        Self::delimited(None)
    }
}

impl CsvFormat {
    /// Fields split by `delimiter` (`None`: detected), numbers with a decimal point.
    pub fn delimited(delimiter: Option<u8>) -> Self {
        Self {
            delimiter,
            decimal: b'.',
            points_beside: false,
        }
    }

    /// The same, numbers read with `decimal` as their mark (`None`: a point).
    pub fn with_decimal(self, decimal: Option<u8>) -> Self {
        Self {
            decimal: decimal.unwrap_or(b'.'),
            ..self
        }
    }

    /// Refuses a decimal comma in a file whose fields a comma separates (`delimiter`, given or
    /// detected): `1,5` would be two fields.
    pub(super) fn check(self, path: &Path, delimiter: u8) -> Result<()> {
        if (self.decimal, delimiter) != (b',', b',') {
            return Ok(());
        }
        Err(Error::invalid(
            "--decimal",
            format!(
                "{}: `,` separates the fields and cannot be the decimal mark as well: if the \
                 file writes its numbers with points, leave out --decimal ','; a file with \
                 decimal commas separates its fields with `;` or a tab (--delimiter ';')",
                path.display()
            ),
        ))
    }

    /// `number` (as Rust writes it) with this decimal mark: `0,25` for `--decimal ','`, as the
    /// file writes its own.
    pub fn marked(self, number: String) -> String {
        match self.decimal {
            b',' => number.replace('.', ","),
            _ => number,
        }
    }
}

/// A cell as Rust parses a number: with the `decimal` mark `,`, `1,5` as `1.5`. A number
/// written with a point in such a file (`1.5`, `1.500`, `1.000,5`) is refused: a point where the
/// file writes commas, or a thousands separator. Any other cell (text, `1.2.3`, `NA`) is left as
/// written, as pandas' `read_csv(decimal=',')` leaves it text.
pub(super) fn as_point<'a>(
    decimal: u8,
    path: &Path,
    (line, column): (usize, &str),
    cell: &'a str,
) -> Result<Cow<'a, str>> {
    if decimal == b'.' || !cell.contains([',', '.']) {
        return Ok(Cow::Borrowed(cell));
    }
    if !cell.contains('.') {
        return Ok(match comma_number(cell) {
            true => Cow::Owned(cell.replacen(',', ".", 1)),
            false => Cow::Borrowed(cell), // text, told as such by the parser
        });
    }
    let thousands = super::number::thousands(cell, '.', ',');
    // `12,345,678.5`: commas between thousands, a decimal point
    let pointed_thousands = super::number::thousands(cell, ',', '.');
    if !thousands && !pointed_thousands && cell.parse::<f64>().is_err() {
        return Ok(Cow::Borrowed(cell)); // `v1.2`, `1.2.3`, `09.02.2024`: text
    }
    Err(Error::Data(format!(
        "{}: line {line}, column `{column}`: `{}` holds a point; {}",
        path.display(),
        shown(cell),
        pointed(cell, thousands)
    )))
}

/// The ways on for a number written with a point in a file read with decimal commas.
fn pointed(cell: &str, thousands: bool) -> String {
    let without_points = shown(&cell.replace('.', ""));
    let (mark, left_out) = (DECIMAL_MARK, POINTS_LEFT_OUT);
    match (cell.contains(','), thousands) {
        (true, false) => format!(
            "thousands separators are not read, and {mark}: write {}; {left_out}",
            shown(&cell.replace(',', "").replace('.', ","))
        ),
        (true, true) => format!("thousands separators are not read: write {without_points}"),
        (false, true) if cell.matches('.').count() == 1 => format!(
            "{mark}: write {} (or, if the point separates thousands, {without_points}); {left_out}",
            shown(&cell.replace('.', ","))
        ),
        (false, true) => format!("thousands separators are not read: write {without_points}"),
        (false, false) => format!(
            "{mark}: write {}; {left_out}",
            shown(&cell.replace('.', ","))
        ),
    }
}

/// `refused` with `--decimal ','` as a way on for a decimal comma in a file whose fields a comma
/// does not separate (`delimiter`), or with the file beside it for one whose numbers are written
/// with points there ([`CsvFormat::points_beside`]).
pub(super) fn comma_pointed(refused: Refused, (delimiter, points_beside): (u8, bool)) -> Refused {
    match (refused.fault, delimiter) {
        (Fault::DecimalComma, _) if points_beside => refused.or(AS_BESIDE),
        (Fault::DecimalComma, d) if d != b',' => refused.or(DECIMAL_COMMA),
        _ => refused,
    }
}

/// Whether `path`, its fields split by `delimiter`, writes a number with a point (`1.5`, `1.0`),
/// which `--decimal ','` refuses. Read only to word a refusal.
pub(super) fn writes_points(path: &Path, delimiter: u8) -> bool {
    let Ok(file) = crate::files::open_data(path) else {
        return false;
    };
    let mut reader = (csv::ReaderBuilder::new())
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(file);
    let pointed = |cell: &str| cell.contains('.') && cell.trim().parse::<f64>().is_ok();
    let mut records = reader.records().map_while(std::result::Result::ok);
    records.any(|record| record.iter().any(pointed))
}

/// A decimal comma's way on in a validation file beside a training file of points.
const AS_BESIDE: &str = ", as the training file does";

/// `--decimal`'s value: `.` or `,` (also `point`, `comma`).
pub fn parse_decimal(name: &str) -> Result<u8> {
    match name {
        "." | "point" => Ok(b'.'),
        "," | "comma" => Ok(b','),
        _ => Err(Error::invalid(
            "decimal",
            format!("`{name}` is not a decimal mark; give `.` or `,`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str) -> std::result::Result<String, String> {
        let read = as_point(b',', Path::new("f.csv"), (3, "x"), cell);
        read.map(|c| c.into_owned()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_decimal_comma_reads_as_a_point_and_text_is_left_as_written() {
        assert_eq!(read("-0,731"), Ok("-0.731".into()));
        assert_eq!(read("1,5e3"), Ok("1.5e3".into()));
        assert_eq!(read("12"), Ok("12".into()));
        assert_eq!(read("a,b"), Ok("a,b".into()));
        assert_eq!(read("v1.2"), Ok("v1.2".into()));
        assert_eq!(read("NA"), Ok("NA".into()));
        // pandas' read_csv(decimal=',') leaves these text: a version, a date
        assert_eq!(read("1.2.3"), Ok("1.2.3".into()));
        assert_eq!(read("09.02.2024"), Ok("09.02.2024".into()));
    }

    #[test]
    fn a_point_in_a_number_of_a_decimal_comma_file_is_refused_naming_both_readings() {
        let said = read("1.500").unwrap_err();
        assert!(
            said.starts_with("f.csv: line 3, column `x`: `1.500` holds a point;"),
            "{said}"
        );
        assert!(
            said.contains("write 1,500 (or, if the point separates thousands, 1500)"),
            "{said}"
        );
        let said = read("-0.5").unwrap_err();
        let left_out = "; if the file writes its numbers with points, leave out --decimal ','";
        assert!(
            said.ends_with(&format!("`,` as the decimal mark: write -0,5{left_out}")),
            "{said}"
        );
        let said = read("12,345,678.5").unwrap_err();
        assert!(
            said.contains("reads `,` as the decimal mark: write 12345678,5;"),
            "{said}"
        );
        let said = read("12.345.678").unwrap_err();
        assert!(
            said.ends_with("thousands separators are not read: write 12345678"),
            "{said}"
        );
        let said = read("1.000,5").unwrap_err();
        assert!(
            said.ends_with("thousands separators are not read: write 1000,5"),
            "{said}"
        );
    }

    #[test]
    fn a_decimal_comma_is_pointed_to_the_flag_where_a_comma_does_not_separate_the_fields() {
        let refused = || super::super::number::read_f32("0,5").unwrap_err();
        assert_eq!(
            comma_pointed(refused(), (b';', false)).to_string(),
            "`0,5` is not a number (a decimal comma? write 0.5, or pass --decimal ',')"
        );
        assert_eq!(
            comma_pointed(refused(), (b',', false)).to_string(),
            refused().to_string()
        );
        let text = super::super::number::read_f32("Lima").unwrap_err();
        assert_eq!(comma_pointed(text.clone(), (b';', false)), text);
        // beside a training file of points the flag would refuse that file's: a point, as there
        assert_eq!(
            comma_pointed(refused(), (b';', true)).to_string(),
            "`0,5` is not a number (a decimal comma? write 0.5, as the training file does)"
        );
    }

    #[test]
    fn a_point_file_reads_every_cell_as_written() {
        let cell = as_point(
            CsvFormat::default().decimal,
            Path::new("f.csv"),
            (2, "x"),
            "1,5",
        );
        assert_eq!(cell.map(Cow::into_owned).ok(), Some("1,5".to_string()));
    }
}
