//! CSV files with a header row, read as data sets, inputs, exact numbers or text; every error
//! names the file, the line and the column.

use std::path::Path;
use std::sync::Arc;

use super::classes::{class_index, classes, known_classes};
use super::csv_exact::coarse_columns_exactly;
use super::csv_table::{check_unique, open, open_as_written, Table, ONE_HOT_NAMES};
use super::dataset::{Dataset, Targets, Task};
use super::memory::check_fits_in_memory;
use super::one_hot::{self, OneHot};
use super::target::{self, TargetKind};
use crate::error::{Error, Result};

use super::advice::DECIMAL_TARGET;
pub use super::classes::Labels;
pub use super::csv_cells::{abbreviate, first_few, quoted_cell, split_cells};
pub use super::csv_exact::{exactly_as, read_exact, read_exact_columns};
pub use super::csv_format::{parse_decimal, CsvFormat};
pub use super::csv_table::{Categories, CsvColumns, Missing};
pub use super::number::{is_missing, parse_f64, parse_number, read_f32, read_f64};
pub use crate::error::Refused;

/// Reads the columns named `features` (and `target`, if given) from the CSV at `path`, written
/// as `format` says.
pub fn read_columns(
    path: &Path,
    features: &[String],
    target: Option<&str>,
    (format, missing): (CsvFormat, Missing),
) -> Result<CsvColumns> {
    read_columns_as(
        path,
        (features, target),
        (format, missing),
        missing.parser(),
    )
}

/// Every cell of a CSV as text, trimmed as the numbers are read.
#[derive(Clone, Debug, PartialEq)]
pub struct Cells {
    /// The header row's names.
    pub headers: Vec<String>,
    /// Every data row, blank lines skipped as when the numbers are read.
    pub rows: Vec<csv::StringRecord>,
    /// The field separator they were read with (given or detected).
    pub delimiter: u8,
}

/// The header and every row of the CSV at `path` as text, spaces around cells dropped as the
/// other readers drop them.
pub fn read_cells(path: &Path, delimiter: Option<u8>) -> Result<Cells> {
    cells_of(
        open(path, (CsvFormat::delimited(delimiter), Missing::Refused))?,
        path,
    )
}

/// [`read_cells`], every cell as written, spaces and all: what `predict --output` writes back
/// beside its predictions, so an ID or a timestamp keeps every digit and a note every space.
/// `format`'s decimal mark only guides the separator's detection (the cells stay as written).
pub fn read_cells_as_written(path: &Path, format: CsvFormat) -> Result<Cells> {
    cells_of(open_as_written(path, (format, Missing::Refused))?, path)
}

fn cells_of(mut table: Table, path: &Path) -> Result<Cells> {
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while table.next_record(path, &mut record)? {
        rows.push(record.clone());
    }
    Ok(Cells {
        headers: table.headers,
        rows,
        delimiter: table.delimiter,
    })
}

impl Cells {
    /// The cells of `column` that read as missing (empty, `NA`, `NaN`, … as pandas reads them).
    pub fn missing(&self, column: &str) -> usize {
        (self.headers.iter().position(|h| h == column)).map_or(0, |j| self.missing_at(j))
    }

    /// [`Self::missing`] of the `j`th column.
    pub fn missing_at(&self, j: usize) -> usize {
        (self.rows.iter())
            .filter(|r| r.get(j).is_some_and(is_missing))
            .count()
    }

    /// The distinct cells of `column`, missing ones aside: its categories, one-hot encoded.
    pub fn categories(&self, column: &str) -> usize {
        (self.headers.iter().position(|h| h == column)).map_or(0, |j| self.categories_at(j))
    }

    /// [`Self::categories`] of the `j`th column.
    pub fn categories_at(&self, j: usize) -> usize {
        let cells = (self.rows.iter())
            .filter_map(|r| r.get(j))
            .filter(|c| !is_missing(c));
        cells.collect::<std::collections::HashSet<_>>().len()
    }

    /// Whether the cells write numbers with decimal commas, as `--decimal ','` reads them: a
    /// comma does not separate the fields, and more cells are such numbers (`0,5`, `-1,25e3`;
    /// not `2,241`, a thousands separator as likely) than numbers written with a point
    /// (`0.5`), so that the reader refuses the stray one, naming it.
    pub fn decimal_commas(&self) -> bool {
        use super::number::{comma_number, thousands};
        let (mut commas, mut points) = (0usize, 0usize);
        for cell in self.rows.iter().flat_map(|r| r.iter()) {
            let grouped = thousands(cell, ',', '.');
            commas += usize::from(comma_number(cell) && !grouped);
            points += usize::from(cell.contains('.') && (cell.parse::<f64>().is_ok() || grouped));
        }
        self.delimiter != b',' && commas > points
    }

    /// The columns whose cells are text, none a number (missing cells aside): categories, the
    /// columns `--one-hot` takes. A column of numbers with a typo in it is not one of them, nor
    /// one of `True`/`False` alone (read as 1/0), nor one of numbers with decimal commas (`0,5`:
    /// read with `--decimal ','`, or refused naming it) or of numbers with thousands separators
    /// alone (`1,000`, `1.000,5`: refused naming how to write them); `True`/`False`/`maybe` is,
    /// and so is one where such cells stand among text (`192.168.100.200` beside `10.0.0.1`).
    pub fn text_columns(&self) -> Vec<String> {
        use super::number::{boolean, comma_number, thousands};
        let grouped = |c: &str| thousands(c, ',', '.') || thousands(c, '.', ',');
        let is_text = |j: usize| {
            let cells = (self.rows.iter())
                .filter_map(|r| r.get(j))
                .filter(|c| !is_missing(c));
            let (mut words, mut numbers, mut booleans) = (false, false, true);
            for cell in cells {
                words |= !grouped(cell);
                numbers |= cell.parse::<f64>().is_ok() || comma_number(cell);
                booleans &= boolean(cell).is_some();
            }
            words && !numbers && !booleans
        };
        (self.headers.iter().enumerate())
            .filter(|&(j, _)| is_text(j))
            .map(|(_, name)| name.clone())
            .collect()
    }
}

/// Reads rows without labels (autoencoders): `features` (default: every column) as inputs, and
/// a zero per row as the target nobody reads, named `""`.
pub fn read_inputs(
    path: &Path,
    (features, categories): (Option<&[String]>, Categories),
    (format, missing): (CsvFormat, Missing),
) -> Result<Dataset> {
    check_fits_in_memory(path)?;
    let table = open(path, (format, missing))?;
    // a run's inputs are read from its columns; new ones were named by --features
    let flag = matches!(categories, Categories::Learn(_)).then_some("--features");
    let features: Option<Vec<String>> = match categories {
        Categories::Known(known) => features.map(|f| one_hot::columns(f, known)),
        Categories::Learn(_) => features.map(<[String]>::to_vec),
    };
    let idx: Vec<usize> = match features.as_deref() {
        Some(names) => {
            let idx: Vec<usize> =
                (names.iter().map(|f| table.column_for(path, f, flag))).collect::<Result<_>>()?;
            let named: Vec<String> = idx.iter().map(|&i| table.headers[i].clone()).collect();
            check_unique(path, &named, "--features names")?;
            idx
        }
        None => (0..table.headers.len()).collect(),
    };
    let names: Vec<String> = idx.iter().map(|&i| table.headers[i].clone()).collect();
    table.named(path, &idx)?;
    let table = Table {
        text_hint: Some(|c| {
            let c = crate::shell::quote(c);
            format!(
                " (a label? --target {c} leaves it out of the inputs; a category? --one-hot {c} \
                 makes an input of each)"
            )
        }),
        ..table
    };
    let (columns, encoders) = table.read_encoded(path, (&idx, None), categories)?;
    let names = one_hot::expand(&names, &encoders);
    check_unique(path, &names, ONE_HOT_NAMES)?;
    let rows = columns.lines.len();
    let zeros = Targets::Values {
        values: vec![0.0; rows],
        width: 1,
    };
    let mut data = Dataset::new(columns.features, names, zeros, Vec::new())?
        .with_target_name("")
        .with_one_hot(encoders);
    data.exact_columns = coarse_columns_exactly(path, &data, format)?.map(Arc::new);
    Ok(data)
}

/// As [`read_columns`], the features in f64 as written (`regress` fits in f64: f32 keeps seven
/// digits, and a timestamp's last ones are its information).
pub fn read_columns_f64(
    path: &Path,
    features: &[String],
    target: Option<&str>,
    format: CsvFormat,
) -> Result<CsvColumns<f64>> {
    read_columns_as(
        path,
        (features, target),
        (format, Missing::Unfillable),
        read_f64,
    )
}

pub(super) fn read_columns_as<T>(
    path: &Path,
    (features, target): (&[String], Option<&str>),
    (format, missing): (CsvFormat, Missing),
    parse: fn(&str) -> std::result::Result<T, Refused>,
) -> Result<CsvColumns<T>> {
    let table = open(path, (format, missing))?;
    let feature_idx: Vec<usize> = features
        .iter()
        .map(|f| table.column(path, f))
        .collect::<Result<_>>()?;
    let target_idx = target.map(|t| table.column(path, t)).transpose()?;
    table.read_as(path, &feature_idx, target_idx, parse)
}

/// The target column and the feature columns a training table uses.
struct Selection {
    target: usize,
    features: Vec<usize>,
}

/// `target` (default: the last column) and `features` (default: all others), by position.
fn select(
    path: &Path,
    table: &Table,
    target: Option<&str>,
    features: Option<&[String]>,
) -> Result<Selection> {
    let target = match target {
        Some(name) => table.column_for(path, name, Some("--target"))?,
        None => table.headers.len() - 1,
    };
    let target_name = &table.headers[target];
    let features: Vec<usize> = match features {
        Some(names) => {
            let names: &[String] = &names
                .iter()
                .map(|n| n.trim().to_string())
                .collect::<Vec<_>>();
            check_unique(path, names, "--features names")?;
            if names.contains(target_name) {
                return Err(Error::Data(format!(
                    "{}: --features includes the target column `{target_name}`; a model cannot take what it predicts as an input",
                    path.display()
                )));
            }
            names
                .iter()
                .map(|f| table.column_for(path, f, Some("--features")))
                .collect::<Result<_>>()?
        }
        None => (0..table.headers.len()).filter(|&i| i != target).collect(),
    };
    if features.is_empty() {
        // pandas' `comment="#"` is not read: the comment became the header
        let comment = match table.headers.first().is_some_and(|h| h.starts_with('#')) {
            true => {
                " (the first line is the header, and a `#` comment line is not skipped: remove it)"
            }
            false => "",
        };
        return Err(Error::Data(format!(
            "{}: there is no feature column besides the target `{target_name}`{}{comment}",
            path.display(),
            table.hint()
        )));
    }
    table.named(path, &[&[target][..], &features].concat())?;
    Ok(Selection { target, features })
}

/// Reads a training table written as `format` says: `target` (default: the last
/// column) and `features` (default: all others), the `one_hot` ones as their categories' 0/1
/// inputs (in the dataset's `one_hot`; `None` where the command has no `--one-hot`). Without `task`, the target's values decide
/// ([`TargetKind::task`]): text and a few distinct whole numbers are classes (sorted, numbers
/// numerically), other numbers are values; the dataset's `task_reason` says which and why.
pub fn read_table(
    path: &Path,
    target: Option<&str>,
    (features, one_hot): (Option<&[String]>, Option<&[String]>),
    task: Option<Task>,
    (format, missing): (CsvFormat, Missing),
) -> Result<Dataset> {
    check_fits_in_memory(path)?;
    let table = open(path, (format, missing))?;
    let chosen = select(path, &table, target, features)?;
    let target_name = table.headers[chosen.target].clone();
    let columns: Vec<String> = (chosen.features.iter())
        .map(|&i| table.headers[i].clone())
        .collect();
    let table = Table {
        text_hint: Some(match one_hot {
            Some(_) => text_hint_one_hot,
            None => text_hint,
        }),
        ..table
    };
    let read = (&chosen.features[..], Some(chosen.target));
    let learn = Categories::Learn(one_hot.unwrap_or_default());
    let (columns_read, encoders) = table.read_encoded(path, read, learn)?;
    let feature_names = one_hot::expand(&columns, &encoders);
    check_unique(path, &feature_names, ONE_HOT_NAMES)?;
    let columns = columns_read;
    let raw = columns.target.as_deref().unwrap_or_default();
    if task.is_none() && columns.delimiter != b',' {
        comma_target(path, &target_name, raw, &columns.lines)?;
    }
    let kind = TargetKind::of(raw);
    let chosen_task = task.unwrap_or_else(|| kind.task(raw.len()));
    let (targets, class_names, exact) = match chosen_task {
        Task::Regression => {
            let (targets, exact) = regression_targets(path, &target_name, &columns)?;
            (targets, Vec::new(), Some(exact))
        }
        Task::Classification => {
            let (targets, names) = classes(path, &target_name, raw)?;
            (targets, names, None)
        }
    };
    let why = target::reason(
        chosen_task,
        kind,
        &target_name,
        class_names.len(),
        task.is_some(),
    );
    let mut data = Dataset::new(columns.features, feature_names, targets, class_names)?
        .with_target_name(&target_name)
        .with_task_reason(why)
        .with_one_hot(encoders);
    data.exact_columns = coarse_columns_exactly(path, &data, format)?.map(Arc::new);
    Ok(match exact {
        Some(exact) => data.with_exact_targets(exact),
        None => data,
    })
}

/// The way on for text in feature column `c`, where `--one-hot` could encode it.
fn text_hint_one_hot(c: &str) -> String {
    let c = crate::shell::quote(c);
    format!(
        " (a text column? --one-hot {c} makes an input of each of its categories, --features \
         without {c} leaves it out, --target {c} predicts it)"
    )
}

/// The way on for text in feature column `c`, where the command has no `--one-hot`.
fn text_hint(c: &str) -> String {
    let c = crate::shell::quote(c);
    format!(" (a text column? --features without {c} leaves it out, --target {c} predicts it)")
}

/// Refuses a target of numbers written with decimal commas (`0,5`) that no `--task` names: read
/// as text they would train as classes without a word (pandas' `read_csv` reads them as text
/// too), where `--decimal ','` reads them as the numbers they are.
fn comma_target(path: &Path, column: &str, raw: &[String], lines: &[usize]) -> Result<()> {
    let number = |v: &String| v.parse::<f64>().is_ok() || super::number::comma_number(v);
    let first = raw.iter().position(|v| super::number::comma_number(v));
    let Some(at) = first.filter(|_| raw.iter().all(number)) else {
        return Ok(());
    };
    let thousands = match super::number::thousands(&raw[at], ',', '.') {
        true => format!(
            " (if the comma separates thousands, write {})",
            raw[at].replace(',', "")
        ),
        false => String::new(),
    };
    Err(Error::Data(format!(
        "{}: line {}, column `{column}`: the target `{}` is a number written with a decimal \
         comma: {DECIMAL_TARGET}{thousands}",
        path.display(),
        lines.get(at).copied().unwrap_or(0),
        super::number::shown(&raw[at])
    )))
}

/// The values of a regression target, each a finite number, in f32 and as written in f64.
fn regression_targets(
    path: &Path,
    column: &str,
    columns: &CsvColumns,
) -> Result<(Targets, Vec<f64>)> {
    let values = columns.target_numbers(path, column, read_f32)?;
    let exact = columns.target_numbers(path, column, read_f64)?;
    Ok((Targets::Values { values, width: 1 }, exact))
}

/// Reads a labelled CSV for a model that knows its features, task and classes already.
pub fn read_labelled(
    path: &Path,
    (feature_names, one_hot): (&[String], &[OneHot]),
    target: &str,
    task: Task,
    (class_names, labels): (&[String], Labels),
    reading: (CsvFormat, Missing),
) -> Result<Dataset> {
    let columns = read_features(path, (feature_names, one_hot), Some(target), reading)?;
    let raw = columns.target.as_deref().unwrap_or_default();
    let mut exact = None;
    let targets = match task {
        Task::Classification => Targets::Classes(
            raw.iter()
                .zip(&columns.lines)
                .map(|(label, line)| {
                    class_index(label, (class_names, labels)).ok_or_else(|| {
                        let known = known_classes(class_names, labels);
                        Error::Data(format!(
                            "{}: line {line}, column `{target}`: class `{}` was never seen \
                             in training (known: {known})",
                            path.display(),
                            super::number::shown(label),
                        ))
                    })
                })
                .collect::<Result<_>>()?,
        ),
        Task::Regression => {
            let (targets, values) = regression_targets(path, target, &columns)?;
            exact = Some(values);
            targets
        }
    };
    let data = Dataset::new(
        columns.features,
        feature_names.to_vec(),
        targets,
        class_names.to_vec(),
    )?
    .with_target_name(target)
    .with_one_hot(one_hot.to_vec());
    Ok(match exact {
        Some(exact) => data.with_exact_targets(exact),
        None => data,
    })
}

/// A run's inputs `feature_names` (`one_hot`'s categories among them, read from their
/// columns) and, if given, the raw `target` column, from the CSV at `path`.
pub fn read_features(
    path: &Path,
    (feature_names, one_hot): (&[String], &[OneHot]),
    target: Option<&str>,
    reading: (CsvFormat, Missing),
) -> Result<CsvColumns> {
    let table = open(path, reading)?;
    let columns = one_hot::columns(feature_names, one_hot);
    let idx: Vec<usize> = (columns.iter())
        .map(|c| table.column(path, c))
        .collect::<Result<_>>()?;
    let target = target.map(|t| table.column(path, t)).transpose()?;
    let known = Categories::Known(one_hot);
    Ok(table.read_encoded(path, (&idx, target), known)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_are_those_without_a_number_missing_cells_aside() {
        let row = |cells: [&str; 4]| csv::StringRecord::from(cells.to_vec());
        let cells = Cells {
            headers: ["x", "colour", "typo", "gaps"].map(String::from).to_vec(),
            rows: vec![row(["1", "red", "2", "NA"]), row(["2", "blue", "3O", ""])],
            delimiter: b',',
        };
        assert_eq!(cells.text_columns(), ["colour"]);
        let texts = Cells {
            rows: vec![row(["a", "red", "x", "NA"]), row(["b", "NA", "y", "z"])],
            ..cells
        };
        assert_eq!(texts.text_columns(), ["x", "colour", "typo", "gaps"]);
        // pandas' booleans are numbers to a model (1 and 0), not categories; among other text
        // they are categories, as pandas reads such a column as text
        let flags = Cells {
            rows: vec![
                row(["True", "FALSE", "true", "yes"]),
                row(["False", "true", "maybe", "no"]),
            ],
            ..texts
        };
        assert_eq!(flags.text_columns(), ["typo", "gaps"]);
        // numbers with decimal commas are numbers to be read so, not categories to one-hot
        let commas = Cells {
            rows: vec![
                row(["0,5", "-1,25", "a,b", "1"]),
                row(["2", "3,0", "c", "x"]),
            ],
            ..flags
        };
        assert_eq!(commas.text_columns(), ["typo"]);
        assert!(!commas.decimal_commas(), "a comma separates the fields");
        assert!(Cells {
            delimiter: b';',
            ..commas.clone()
        }
        .decimal_commas());
        // nor with thousands separators, which the reader refuses saying how to write them
        let grouped = Cells {
            rows: vec![
                row(["1,000", "1.000,5", "12,345,678", "1.2.3"]),
                row(["2", "3", "4", "v1.2"]),
            ],
            ..commas
        };
        assert_eq!(grouped.text_columns(), ["gaps"]);
        assert!(!grouped.decimal_commas());
        // such cells among text are text: an outside review's addresses
        let column = |cells: &[&str]| Cells {
            headers: vec!["c".into()],
            rows: cells.iter().map(|c| row([c, "", "", ""])).collect(),
            delimiter: b';',
        };
        assert_eq!(
            column(&["10.0.0.1", "192.168.100.200"]).text_columns(),
            ["c"]
        );
        assert!(column(&["1.000,5", "2.000,5"]).text_columns().is_empty());
        // decimal commas where more cells write them than points, and not `2,241` alone
        assert!(column(&["0,5", "1,25", "0.5"]).decimal_commas());
        assert!(
            !column(&["0.5", "1.25", "0,5"]).decimal_commas(),
            "a stray comma"
        );
        assert!(
            !column(&["2,241", "950"]).decimal_commas(),
            "thousands, as likely"
        );
    }
}
