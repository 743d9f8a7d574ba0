//! One CSV field as a number, or why it is none ([`Refused`]: thousands separators, decimal
//! commas, the range of f32, a date) and how it should be written; [`parse_number`] names the
//! file, line and column too.

use std::path::Path;

pub use crate::error::{shown, SHOWN};
use crate::error::{Fault, Refused, Result};

/// pandas' default `true_values` and `false_values`: a column of them is read as bool, which
/// NumPy and scikit-learn take as 1 and 0.
pub fn boolean(field: &str) -> Option<f32> {
    match field {
        "True" | "TRUE" | "true" => Some(1.0),
        "False" | "FALSE" | "false" => Some(0.0),
        _ => None,
    }
}

/// Whether `field` is a number written with a decimal comma (`0,5`, `-1,25e3`), as
/// `--decimal ','` reads it.
pub fn comma_number(field: &str) -> bool {
    field.contains(',') && field.replacen(',', ".", 1).parse::<f64>().is_ok()
}

/// Whether `field` is read as a number: digits, or a boolean ([`boolean`]).
pub fn reads_as_number(field: &str) -> bool {
    field.parse::<f64>().is_ok() || boolean(field).is_some()
}

/// A finite f64 from one CSV field; the error is [`parse_number`]'s.
pub fn parse_f64(path: &Path, line: usize, column: &str, field: &str) -> Result<f64> {
    read_f64(field).map_err(|r| r.at(path, line, column))
}

/// [`read_f32`] in f64, for least squares' exact reading (a boolean, which does not parse, read
/// by it).
pub fn read_f64(field: &str) -> std::result::Result<f64, Refused> {
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) if overflows(field) => Err(Refused::new(Fault::BeyondRange("f64 (±1.8e308)"), field)),
        _ => read_f32(field).map(f64::from),
    }
}

/// For a `field` that parsed to a value that is not finite: whether it was a number written with
/// digits too large for its type (`1e400`), not `inf` or `NaN` by name. (It only looks for a
/// digit: ask it of nothing else.)
pub fn overflows(field: &str) -> bool {
    field.bytes().any(|b| b.is_ascii_digit())
}

/// What pandas' `read_csv` reads as a missing value by default (its `na_values`).
const MISSING: [&str; 19] = [
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Whether `field` marks a missing value, as pandas reads it.
pub fn is_missing(field: &str) -> bool {
    MISSING.contains(&field)
}

/// [`read_f32`], with a missing value ([`is_missing`]) read as NaN for an imputer to fill.
pub fn read_or_missing(field: &str) -> std::result::Result<f32, Refused> {
    match is_missing(field) {
        true => Ok(f32::NAN),
        false => read_f32(field),
    }
}

/// A finite number from one CSV field (`True`/`False` read as 1 and 0, as [`boolean`] says), or
/// an error naming file, line and column.
pub fn parse_number(path: &Path, line: usize, column: &str, field: &str) -> Result<f32> {
    read_f32(field).map_err(|r| r.at(path, line, column))
}

/// A finite number from one CSV field, or why it is none ([`Refused`]).
pub fn read_f32(field: &str) -> std::result::Result<f32, Refused> {
    let refused = |fault| Err(Refused::new(fault, field));
    match field.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        // asked only of a cell that does not parse: no boolean does
        Err(_) if boolean(field).is_some() => Ok(boolean(field).unwrap_or_default()),
        // `NaN` parses, `NA` does not: both are pandas' missing values
        _ if field.is_empty() => refused(Fault::Empty),
        _ if is_missing(field) => refused(Fault::Missing),
        Ok(_) if overflows(field) => refused(Fault::BeyondRange("f32 (±3.4e38)")),
        Ok(_) => refused(Fault::NotFinite),
        Err(_) => Err(not_a_number(field)),
    }
}

/// Why `field`, which does not parse, is no number, and how a number is written instead.
fn not_a_number(field: &str) -> Refused {
    let comma_to_point = || shown(&field.replacen(',', ".", 1));
    let (fault, note) = if thousands(field, ',', '.') {
        let whole = shown(&field.replace(',', ""));
        match field.matches(',').count() {
            1 if !field.contains('.') => (
                Fault::DecimalComma,
                format!(
                    "a thousands separator or a decimal comma? write {whole} or {}",
                    comma_to_point()
                ),
            ),
            _ => (
                Fault::Thousands,
                format!("thousands separators are not read; write {whole}"),
            ),
        }
    } else if thousands(field, '.', ',') {
        // `1.000,5`: points between thousands, a decimal comma (`--decimal ','` refuses the
        // points as well)
        let written = shown(&field.replace('.', "").replacen(',', ".", 1));
        (
            Fault::Thousands,
            format!("thousands separators and decimal commas are not read; write {written}"),
        )
    } else if comma_number(field) {
        let note = format!("a decimal comma? write {}", comma_to_point());
        (Fault::DecimalComma, note)
    } else {
        return meant(field);
    };
    Refused::new(fault, field).noted(note)
}

/// The refusal of text that is no number: noted where it reads as one a person means, a
/// missing-value marker pandas does not know (`?`, the UCI sets'), a date.
fn meant(field: &str) -> Refused {
    const MARKERS: [&str; 9] = [
        "?", "-", "--", ".", "na", "n.a.", "missing", "unknown", "none",
    ];
    if MARKERS.contains(&field.trim().to_ascii_lowercase().as_str()) {
        let note = "a missing value? write it as an empty cell or NA, as pandas reads one";
        return Refused::new(Fault::Marker, field).noted(note);
    }
    let unseen = |c: char| c.is_control() && !c.is_whitespace();
    let seen: String = field.chars().filter(|&c| !unseen(c)).collect();
    let number = |s: &str| s.parse::<f64>().is_ok() || comma_number(s) || boolean(s).is_some();
    if seen.len() < field.len() && number(seen.trim()) {
        let note = "it holds a character no one sees, shown escaped: remove it from the file";
        return Refused::new(Fault::Control, field).noted(note);
    }
    match is_date(field) {
        true => Refused::new(Fault::Date, field).noted(
            "a date? plaindnn reads numbers: write it as one, such as the days since a start \
             or the month, or leave the column out",
        ),
        false => Refused::new(Fault::Text, field),
    }
}

/// Whether `field` is written as a date: `2024-02-09`, `2024/2/9`, `09.02.2024`, `9/2/24` (a
/// two-digit year only with `/`), a time after a space or a `T` allowed.
fn is_date(field: &str) -> bool {
    let day = field.trim().split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let [a, b, c] = parts[..] else { return false };
    let two_digit_year = day.contains('/') && digits(c, 2..=2);
    let year_first = digits(a, 4..=4) && digits(b, 1..=2) && digits(c, 1..=2);
    let year_last = digits(a, 1..=2) && digits(b, 1..=2) && (digits(c, 4..=4) || two_digit_year);
    year_first || year_last
}

/// Whether `field` could be a number written with thousands separators `sep` (`1,000`,
/// `-12,345,678`; `1.000` with points), and then perhaps a fraction after `decimal`
/// (`1,000.5`, `1.000,5`): one to three digits, not starting with 0, then groups of three.
pub(super) fn thousands(field: &str, sep: char, decimal: char) -> bool {
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let unsigned = field.trim_start_matches(['-', '+']);
    let (whole, fraction) = unsigned.split_once(decimal).unwrap_or((unsigned, "0"));
    let mut groups = whole.split(sep);
    let lead = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    let grouped = digits(lead) && lead.len() <= 3 && !lead.starts_with('0');
    let fraction_ok = digits(fraction);
    grouped && fraction_ok && !rest.is_empty() && rest.iter().all(|g| g.len() == 3 && digits(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_with_a_control_character_is_shown_with_it_escaped() {
        // an outside audit saw `2` + NUL told as "`2` is not a number"
        let said = parse_number(Path::new("f.csv"), 42, "y", "2\0").unwrap_err();
        assert_eq!(
            said.to_string(),
            "f.csv: line 42, column `y`: `2\\u{0}` is not a number (it holds a character no one \
             sees, shown escaped: remove it from the file)"
        );
        assert_eq!(shown("a\tb"), "a\\tb");
        assert_eq!(shown("plain"), "plain");
    }

    /// Callers add their ways on by the fault; before, they matched the message's words.
    #[test]
    fn each_refusal_says_what_is_wrong_and_takes_ways_on_by_it() {
        let fault = |field: &str| read_f32(field).unwrap_err().fault;
        let faults = [
            ("", Fault::Empty),
            ("NA", Fault::Missing),
            ("1e39", Fault::BeyondRange("f32 (±3.4e38)")),
            ("inf", Fault::NotFinite),
            ("0,5", Fault::DecimalComma),
            ("1,050", Fault::DecimalComma),
            ("1.000,5", Fault::Thousands),
            ("1,000,000", Fault::Thousands),
            ("?", Fault::Marker),
            ("2024-02-09", Fault::Date),
            ("Lima", Fault::Text),
            ("2\0", Fault::Control),
            ("2,5\0", Fault::Control), // a decimal comma's, read with --decimal ','
            ("True\0", Fault::Control),
            ("Lima\x1b", Fault::Text), // text without it too: a text column's ways on
            ("a\nb", Fault::Text),     // a quoted line break is text a person wrote
        ];
        for (field, expected) in faults {
            assert_eq!(fault(field), expected, "{field}");
        }
        assert_eq!(read_f64("1e39"), Ok(1e39), "f64 holds what f32 cannot");
        let noted = read_f32("0,5").unwrap_err().or(", or pass --decimal ','");
        assert_eq!(
            noted.to_string(),
            "`0,5` is not a number (a decimal comma? write 0.5, or pass --decimal ',')"
        );
        let after = read_f32("Lima").unwrap_err().then("; try --delimiter ';'");
        assert_eq!(
            after.to_string(),
            "`Lima` is not a number; try --delimiter ';'"
        );
        let written = read_f32("1.5e40").unwrap_err().showing("1,5e40");
        assert_eq!(
            written.at(Path::new("f.csv"), 2, "x").to_string(),
            "f.csv: line 2, column `x`: `1,5e40` is beyond the range of f32 (±3.4e38): scale \
             the column"
        );
    }

    /// An outside review was told to `--one-hot` a number column holding `?` and a date column.
    #[test]
    fn a_missing_value_marker_or_a_date_is_told_as_such_and_other_text_is_not() {
        let said = |field: &str| {
            let e = parse_number(Path::new("f.csv"), 3, "a", field).unwrap_err();
            e.to_string()
                .trim_start_matches("f.csv: line 3, column `a`: ")
                .to_string()
        };
        for marker in ["?", "-", "missing", "Unknown", " n.a. "] {
            assert!(said(marker).ends_with("is not a number (a missing value? write it as an empty cell or NA, as pandas reads one)"), "{marker}");
        }
        for date in [
            "2024-02-09",
            "2024/2/9",
            "09.02.2024",
            "9/2/24",
            "2024-02-09T10:30:00",
            "2024-02-09 10:30",
        ] {
            assert!(
                said(date).contains("is not a number (a date? plaindnn reads numbers"),
                "{date}"
            );
        }
        for text in [
            "Lima",
            "1.2.3",
            "1.2.10",
            "555-123-4567",
            "2024-02",
            "a-b-c",
            "12345-1-1",
        ] {
            assert_eq!(said(text), format!("`{text}` is not a number"));
        }
    }
}
