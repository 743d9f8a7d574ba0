//! CSV files with a header row; every error names the file, the line and the column.

use std::cell::RefCell;
use std::fs::File;
use std::path::Path;
use std::rc::Rc;

use super::classes::{class_index, classes, known_classes};
use super::csv_lines::{LineEnds, Noting};
use super::dataset::{Dataset, Exact, Targets, Task};
use super::delimiter;
use super::one_hot::{self, OneHot};
use super::target::{self, TargetKind};
use crate::error::{Error, Result};

pub use super::classes::Labels;
pub use super::number::{is_missing, parse_f64, parse_number};

/// `name` as a CSV cell: in quotes, its quotes doubled, where it holds a comma or a quote
/// (`"x""y,z"`), else as it is; so a list of column names reads as the columns it names.
pub fn quoted_cell(name: &str) -> String {
    match name.contains([',', '"']) {
        true => format!("\"{}\"", name.replace('"', "\"\"")),
        false => name.to_string(),
    }
}

/// The first few names, then how many more (`px0, px1, px2, px3, … (256 in all)`), each quoted
/// as a CSV cell where it holds a comma or a quote.
pub fn abbreviate(names: &[String]) -> String {
    let shown = |names: &[String]| names.iter().map(|n| quoted_cell(n)).collect::<Vec<_>>();
    match names.len() {
        0..=6 => shown(names).join(", "),
        n => format!("{}, … ({n} in all)", shown(&names[..4]).join(", ")),
    }
}

/// The cells of one CSV line, the inverse of [`quoted_cell`]: a cell in quotes may hold commas,
/// `""` in it is one quote, and spaces around a cell are dropped (before its quote too), as the
/// header's are.
pub fn split_cells(text: &str) -> std::result::Result<Vec<String>, String> {
    if text.contains(['\n', '\r']) {
        return Err("a list of columns is one line".into());
    }
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            // a quote opens a cell only at its start; "" inside is one quote
            ('"', false) if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => cells.push(std::mem::take(&mut cell).trim().to_string()),
            (c, _) => cell.push(c),
        }
    }
    if quoted {
        return Err(format!("a quote is not closed in {text}"));
    }
    cells.push(cell.trim().to_string());
    Ok(cells)
}

/// What a missing feature cell (empty, or `NA`, `NaN`, `null`, … as pandas reads them) means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Missing {
    /// Refused, naming the cell and `--impute` (data to train on).
    #[default]
    Refused,
    /// Refused, where nothing can fill it: new rows for a model that trained without
    /// `--impute`, or a `regress` fit's data.
    Unfillable,
    /// Read as NaN, for an [`Imputer`](super::imputer::Imputer) to fill.
    Kept,
}

impl Missing {
    /// The parser of a feature cell.
    fn parser(self) -> fn(&Path, usize, &str, &str) -> Result<f32> {
        match self {
            Missing::Kept => super::number::parse_or_missing,
            _ => parse_number,
        }
    }

    /// The way on after a refused missing cell, in parentheses.
    pub fn hint(self) -> &'static str {
        match self {
            Missing::Refused => {
                " (--impute mean or --impute median fills missing feature cells from the training \
                 rows)"
            }
            _ => " (only a network trained with --impute fills missing cells: fill it, or drop the row)",
        }
    }
}

/// Rows read from a CSV: the chosen feature columns (f32, or f64 for `regress`) and, if asked
/// for, the raw target column.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvColumns<T = f32> {
    /// Row-major features in the order asked for.
    pub features: Vec<T>,
    /// The target column's text, one entry per row.
    pub target: Option<Vec<String>>,
    /// The cells of the columns read as text (`--one-hot`), row-major, in the order asked for.
    pub texts: Vec<String>,
    /// The line each row starts on (the header is line 1; blank lines and quoted line breaks
    /// count), for messages about a row found later.
    pub lines: Vec<usize>,
}

struct Table {
    reader: csv::Reader<Noting<File>>,
    headers: Vec<String>,
    delimiter: u8,
    ends: Rc<RefCell<LineEnds>>,
    /// What a text cell in a feature column may mean and the flag for it, given the column.
    text_hint: Option<fn(&str) -> String>,
    /// Whether a missing feature cell is refused or read as NaN.
    missing: Missing,
    /// The columns read as text, not numbers (`--one-hot`'s), by position.
    texts: Vec<usize>,
}

impl Table {
    /// The file's own line at a position the CSV reader reports (0 without one).
    fn line_of(&self, position: Option<&csv::Position>) -> usize {
        position.map_or(0, |p| self.ends.borrow_mut().line_at(p.byte()))
    }
}

/// Opens `path` and reads its header; `delimiter` `None` detects comma, semicolon or tab; a
/// missing feature cell will be read as `missing` says.
fn open(path: &Path, (delimiter, missing): (Option<u8>, Missing)) -> Result<Table> {
    let delimiter = match delimiter {
        Some(d) => d,
        None => delimiter::detect(path)?,
    };
    let ends = Rc::new(RefCell::new(LineEnds::default()));
    let file = Noting::new(crate::files::open_data(path)?, ends.clone());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            let line = e
                .position()
                .map_or(1, |p| ends.borrow_mut().line_at(p.byte()));
            let at = path.display();
            Error::Data(format!(
                "{at}: line {line}: cannot read the header row: {}",
                unplaced(&e)
            ))
        })?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(Error::Data(format!(
            "{}: the file is empty (expected a header row)",
            path.display()
        )));
    }
    check_unique(path, &headers, "the header names")?;
    Ok(Table {
        reader,
        headers,
        delimiter,
        ends,
        text_hint: None,
        missing,
        texts: Vec::new(),
    })
}

/// Refuses a name given twice in `names`, saying which, where: columns are looked up by name.
fn check_unique(path: &Path, names: &[String], what: &str) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[i + 1..].iter().position(|n| n == name) {
            return Err(Error::Data(format!(
                "{}: {what} `{name}` twice (positions {} and {}); column names must be unique",
                path.display(),
                i + 1,
                i + j + 2
            )));
        }
    }
    Ok(())
}

impl Table {
    /// Refuses a chosen column whose header cell is empty (a separator ending the header line).
    fn named(&self, path: &Path, chosen: &[usize]) -> Result<()> {
        let Some(&i) = chosen.iter().find(|&&i| self.headers[i].is_empty()) else {
            return Ok(());
        };
        let guess = match i {
            0 => "an index column, as pandas' to_csv writes?",
            _ => "a separator at the end of the line?",
        };
        Err(Error::Data(format!(
            "{}: column {} has no name in the header ({guess}): name it, or leave it out with \
             --target and --features",
            path.display(),
            i + 1
        )))
    }

    /// The position of column `name` (spaces around it ignored, as in the header), or of the
    /// name it quotes as a CSV cell (`"width, cm"`, as the messages list such names).
    fn column(&self, path: &Path, name: &str) -> Result<usize> {
        let name = name.trim();
        let find = |n: &str| self.headers.iter().position(|h| h == n);
        let unquoted = split_cells(name).ok().filter(|cells| cells.len() == 1);
        find(name).or_else(|| find(&unquoted?[0])).ok_or_else(|| {
            Error::Data(format!(
                "{}: no column `{name}`; the columns are: {}{}",
                path.display(),
                (self.headers.iter().map(|h| quoted_cell(h)))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.hint()
            ))
        })
    }

    /// `; the header is one field …: try --delimiter ';'` when another separator would split it.
    fn hint(&self) -> String {
        delimiter::hint(&self.headers, self.delimiter)
    }

    /// `e` with the way on when a cell of `column` is text, not a number: another separator
    /// where one would split the header, else [`Table::text_hint`].
    fn hinted(&self, e: Error, column: &str) -> Error {
        let Error::Data(m) = e else { return e };
        if m.ends_with("the cell is empty") || m.ends_with("marks a missing value") {
            return Error::Data(format!("{m}{}", self.missing.hint()));
        }
        let separator = self.hint();
        match (m.ends_with("is not a number"), self.text_hint) {
            (true, _) if !separator.is_empty() => Error::Data(format!("{m}{separator}")),
            (true, Some(hint)) => Error::Data(format!("{m}{}", hint(column))),
            _ => Error::Data(m),
        }
    }

    /// The next record into `record`; false at the end. An error names the file's own line.
    /// Lines of spaces are skipped as the reader skips empty ones (pandas skips both): in a
    /// one-column file they would read as a missing cell.
    fn next_record(&mut self, path: &Path, record: &mut csv::StringRecord) -> Result<bool> {
        loop {
            let more = self.reader.read_record(record).map_err(|e| {
                let line = self.line_of(e.position());
                Error::Data(format!("{}: line {line}: {}", path.display(), unplaced(&e)))
            })?;
            let blank = record.len() == 1 && record[0].is_empty();
            if !more || !blank {
                return Ok(more);
            }
        }
    }

    /// Reads `features` as f32 (a missing cell as [`Table::missing`] says) and `target` as
    /// text, row by row.
    fn read(self, path: &Path, features: &[usize], target: Option<usize>) -> Result<CsvColumns> {
        let parse = self.missing.parser();
        self.read_as(path, features, target, parse)
    }

    /// As [`read`](Self::read), the `--one-hot` columns among `features` encoded with their
    /// categories, learnt here or known; returns the columns and each one-hot column's
    /// categories in the order of `features`.
    fn read_encoded(
        mut self,
        path: &Path,
        (features, target): (&[usize], Option<usize>),
        categories: Categories,
    ) -> Result<(CsvColumns, Vec<OneHot>)> {
        let named: Vec<&str> = match categories {
            Categories::Learn(names) => names.iter().map(String::as_str).collect(),
            Categories::Known(known) => known.iter().map(|o| o.column.as_str()).collect(),
        };
        self.texts = self.one_hot_columns(path, &named, (features, target))?;
        let order = one_hot_order(features, &self.texts);
        let names: Vec<String> = self
            .texts
            .iter()
            .map(|&i| self.headers[i].clone())
            .collect();
        let mut columns = self.read(path, features, target)?;
        let texts = std::mem::take(&mut columns.texts);
        let encoders: Vec<OneHot> = match categories {
            Categories::Learn(_) => (names.iter().enumerate())
                .map(|(j, name)| {
                    let cells = texts.iter().skip(j).step_by(names.len());
                    OneHot::learn(name, cells.map(String::as_str))
                })
                .collect(),
            Categories::Known(known) => (names.iter())
                .filter_map(|n| known.iter().find(|o| &o.column == n).cloned())
                .collect(),
        };
        if !encoders.is_empty() {
            let (read, ordered) = (
                (&columns.features[..], &texts[..]),
                (&order[..], &encoders[..]),
            );
            columns.features = one_hot::assemble(read, ordered, (path, &columns.lines))?;
        }
        Ok((columns, encoders))
    }

    /// The positions of the columns `named` for `--one-hot`, each one of `features`.
    fn one_hot_columns(
        &self,
        path: &Path,
        named: &[&str],
        (features, target): (&[usize], Option<usize>),
    ) -> Result<Vec<usize>> {
        let names: Vec<String> = named.iter().map(|n| n.trim().to_string()).collect();
        check_unique(path, &names, "--one-hot names")?;
        let mut positions = Vec::new();
        for name in &names {
            let i = self.column(path, name)?;
            let column = &self.headers[i];
            if Some(i) == target {
                return Err(Error::invalid(
                    "--one-hot",
                    format!(
                        "`{column}` is the target; a target of text is read as classes already: \
                         leave it out of --one-hot"
                    ),
                ));
            }
            if !features.contains(&i) {
                return Err(Error::invalid(
                    "--one-hot",
                    format!(
                        "`{column}` is not one of the inputs (--features): add it there, or \
                         leave it out of --one-hot"
                    ),
                ));
            }
            positions.push(i);
        }
        // in the order each row holds them
        positions.sort_by_key(|i| features.iter().position(|f| f == i));
        Ok(positions)
    }

    /// Reads `features` with `parse` and `target` as text, row by row.
    fn read_as<T>(
        mut self,
        path: &Path,
        features: &[usize],
        target: Option<usize>,
        parse: fn(&Path, usize, &str, &str) -> Result<T>,
    ) -> Result<CsvColumns<T>> {
        let mut out = CsvColumns {
            features: Vec::new(),
            target: target.map(|_| Vec::new()),
            texts: Vec::new(),
            lines: Vec::new(),
        };
        let mut record = csv::StringRecord::new();
        while self.next_record(path, &mut record)? {
            let line = self.line_of(record.position());
            out.lines.push(line);
            if record.len() != self.headers.len() {
                return Err(Error::Data(format!(
                    "{}: line {line} has {} fields, the header has {}{}",
                    path.display(),
                    record.len(),
                    self.headers.len(),
                    self.hint()
                )));
            }
            for &col in features {
                let name = &self.headers[col];
                if self.texts.contains(&col) {
                    out.texts.push(category(path, line, name, &record[col])?);
                    continue;
                }
                let value = parse(path, line, name, &record[col]);
                out.features.push(value.map_err(|e| self.hinted(e, name))?);
            }
            if let (Some(col), Some(t)) = (target, out.target.as_mut()) {
                if is_missing(&record[col]) {
                    return Err(missing_target(path, line, &self.headers[col], &record[col]));
                }
                t.push(record[col].to_string());
            }
        }
        if out.lines.is_empty() {
            return Err(Error::Data(format!(
                "{}: the header is there but no data rows follow",
                path.display()
            )));
        }
        Ok(out)
    }
}

/// The categories of `--one-hot` columns: learnt from a training file, or a run's own.
#[derive(Clone, Copy, Debug)]
pub enum Categories<'a> {
    /// Learn the categories of these columns from the file.
    Learn(&'a [String]),
    /// Encode with these, refusing a category they do not hold.
    Known(&'a [OneHot]),
}

/// For each of `features` in order, `None` for a number or `Some(j)` for the j-th of them read
/// as text (one of `texts`).
fn one_hot_order(features: &[usize], texts: &[usize]) -> Vec<Option<usize>> {
    let mut j = 0;
    (features.iter())
        .map(|i| match texts.contains(i) {
            true => {
                j += 1;
                Some(j - 1)
            }
            false => None,
        })
        .collect()
}

/// What names the inputs where two are the same: a one-hot category's and another column's.
const ONE_HOT_NAMES: &str = "the inputs (with --one-hot's `column_category` names) name";

/// A cell of a `--one-hot` column: any text but an empty one.
fn category(path: &Path, line: usize, column: &str, cell: &str) -> Result<String> {
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
fn missing_target(path: &Path, line: usize, column: &str, cell: &str) -> Error {
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

/// What went wrong reading a record, without the reader's own count of lines (it counts only
/// `\n`, and not the blank lines it skips: the message names the file's own line instead).
fn unplaced(e: &csv::Error) -> String {
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

/// Reads the columns named `features` (and `target`, if given) from the CSV at `path`, split by
/// `delimiter` (`None`: detected).
pub fn read_columns(
    path: &Path,
    features: &[String],
    target: Option<&str>,
    (delimiter, missing): (Option<u8>, Missing),
) -> Result<CsvColumns> {
    read_columns_as(
        path,
        (features, target),
        (delimiter, missing),
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
}

/// The header and every row of the CSV at `path` as text: what `predict --output` writes back
/// beside its predictions, so an ID or a timestamp keeps every digit.
pub fn read_cells(path: &Path, delimiter: Option<u8>) -> Result<Cells> {
    let mut table = open(path, (delimiter, Missing::Refused))?; // every cell as text
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while table.next_record(path, &mut record)? {
        rows.push(record.clone());
    }
    Ok(Cells {
        headers: table.headers,
        rows,
    })
}

impl Cells {
    /// The columns whose cells are text, none a number (missing cells aside): categories, the
    /// columns `--one-hot` takes. A column of numbers with a typo in it is not one of them.
    pub fn text_columns(&self) -> Vec<String> {
        let is_text = |j: usize| {
            let cells = (self.rows.iter())
                .filter_map(|r| r.get(j))
                .filter(|c| !is_missing(c));
            let (mut any, mut numbers) = (false, false);
            for cell in cells {
                any = true;
                numbers |= cell.parse::<f64>().is_ok();
            }
            any && !numbers
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
    (delimiter, missing): (Option<u8>, Missing),
) -> Result<Dataset> {
    check_fits_in_memory(path)?;
    let table = open(path, (delimiter, missing))?;
    // a run's inputs are read from its columns
    let features: Option<Vec<String>> = match categories {
        Categories::Known(known) => features.map(|f| one_hot::columns(f, known)),
        Categories::Learn(_) => features.map(<[String]>::to_vec),
    };
    let idx: Vec<usize> = match features.as_deref() {
        Some(names) => {
            let idx: Vec<usize> =
                (names.iter().map(|f| table.column(path, f))).collect::<Result<_>>()?;
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
    Ok(Dataset::new(columns.features, names, zeros, Vec::new())?
        .with_target_name("")
        .with_one_hot(encoders))
}

/// As [`read_columns`], the features in f64 as written (`regress` fits in f64: f32 keeps seven
/// digits, and a timestamp's last ones are its information).
pub fn read_columns_f64(
    path: &Path,
    features: &[String],
    target: Option<&str>,
    delimiter: Option<u8>,
) -> Result<CsvColumns<f64>> {
    read_columns_as(
        path,
        (features, target),
        (delimiter, Missing::Unfillable),
        parse_f64,
    )
}

fn read_columns_as<T>(
    path: &Path,
    (features, target): (&[String], Option<&str>),
    (delimiter, missing): (Option<u8>, Missing),
    parse: fn(&Path, usize, &str, &str) -> Result<T>,
) -> Result<CsvColumns<T>> {
    let table = open(path, (delimiter, missing))?;
    let feature_idx: Vec<usize> = features
        .iter()
        .map(|f| table.column(path, f))
        .collect::<Result<_>>()?;
    let target_idx = target.map(|t| table.column(path, t)).transpose()?;
    table.read_as(path, &feature_idx, target_idx, parse)
}

/// `data`'s columns of the CSV at `path` in f64, as written (see [`Exact`]).
pub fn read_exact(path: &Path, data: &Dataset, delimiter: Option<u8>) -> Result<Exact> {
    let target = data.target_name.as_str();
    let columns = read_columns_f64(path, &data.feature_names, Some(target), delimiter)?;
    let targets = (columns.target.unwrap_or_default().iter())
        .zip(&columns.lines)
        .map(|(v, &line)| parse_f64(path, line, target, v))
        .collect::<Result<_>>()?;
    Ok(Exact {
        features: columns.features,
        targets,
    })
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
        Some(name) => table.column(path, name)?,
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
                .map(|f| table.column(path, f))
                .collect::<Result<_>>()?
        }
        None => (0..table.headers.len()).filter(|&i| i != target).collect(),
    };
    if features.is_empty() {
        return Err(Error::Data(format!(
            "{}: there is no feature column besides the target `{target_name}`{}",
            path.display(),
            table.hint()
        )));
    }
    table.named(path, &[&[target][..], &features].concat())?;
    Ok(Selection { target, features })
}

/// Reads a training table split by `delimiter` (`None`: detected): `target` (default: the last
/// column) and `features` (default: all others), the `one_hot` ones as their categories' 0/1
/// inputs (in the dataset's `one_hot`; `None` where the command has no `--one-hot`). Without `task`, the target's values decide
/// ([`TargetKind::task`]): text and a few distinct whole numbers are classes (sorted, numbers
/// numerically), other numbers are values; the dataset's `task_reason` says which and why.
pub fn read_table(
    path: &Path,
    target: Option<&str>,
    (features, one_hot): (Option<&[String]>, Option<&[String]>),
    task: Option<Task>,
    (delimiter, missing): (Option<u8>, Missing),
) -> Result<Dataset> {
    check_fits_in_memory(path)?;
    let table = open(path, (delimiter, missing))?;
    let chosen = select(path, &table, target, features)?;
    let target_name = table.headers[chosen.target].clone();
    let columns: Vec<String> = (chosen.features.iter())
        .map(|&i| table.headers[i].clone())
        .collect();
    let table = Table {
        text_hint: Some(match one_hot {
            Some(_) => |c| {
                let c = crate::shell::quote(c);
                format!(
                    " (a text column? --one-hot {c} makes an input of each of its categories, \
                     --features without {c} leaves it out, --target {c} predicts it)"
                )
            },
            None => |c| {
                let c = crate::shell::quote(c);
                format!(
                    " (a text column? --features without {c} leaves it out, --target {c} \
                     predicts it)"
                )
            },
        }),
        ..table
    };
    let read = (&chosen.features[..], Some(chosen.target));
    let learn = Categories::Learn(one_hot.unwrap_or_default());
    let (columns_read, encoders) = table.read_encoded(path, read, learn)?;
    let feature_names = one_hot::expand(&columns, &encoders);
    check_unique(path, &feature_names, ONE_HOT_NAMES)?;
    let columns = columns_read;
    let raw = columns.target.unwrap_or_default();
    let kind = TargetKind::of(&raw);
    let chosen_task = task.unwrap_or_else(|| kind.task(raw.len()));
    let (targets, class_names) = match chosen_task {
        Task::Regression => (
            regression_targets(path, &target_name, &raw, &columns.lines)?,
            Vec::new(),
        ),
        Task::Classification => classes(path, &target_name, &raw)?,
    };
    let why = target::reason(
        chosen_task,
        kind,
        &target_name,
        class_names.len(),
        task.is_some(),
    );
    Ok(
        Dataset::new(columns.features, feature_names, targets, class_names)?
            .with_target_name(&target_name)
            .with_task_reason(why)
            .with_one_hot(encoders),
    )
}

/// The values of a regression target, each a finite number (`lines`: where each row starts).
fn regression_targets(
    path: &Path,
    column: &str,
    raw: &[String],
    lines: &[usize],
) -> Result<Targets> {
    let values = raw
        .iter()
        .zip(lines)
        .map(|(v, &line)| parse_number(path, line, column, v))
        .collect::<Result<Vec<f32>>>()?;
    Ok(Targets::Values { values, width: 1 })
}

/// Reads a labelled CSV for a model that knows its features, task and classes already.
pub fn read_labelled(
    path: &Path,
    (feature_names, one_hot): (&[String], &[OneHot]),
    target: &str,
    task: Task,
    (class_names, labels): (&[String], Labels),
    reading: (Option<u8>, Missing),
) -> Result<Dataset> {
    let columns = read_features(path, (feature_names, one_hot), Some(target), reading)?;
    let raw = columns.target.unwrap_or_default();
    let targets = match task {
        Task::Classification => Targets::Classes(
            raw.iter()
                .zip(&columns.lines)
                .map(|(label, line)| {
                    class_index(label, (class_names, labels)).ok_or_else(|| {
                        let known = known_classes(class_names, labels);
                        Error::Data(format!(
                            "{}: line {line}, column `{target}`: class `{label}` was never seen \
                             in training (known: {known})",
                            path.display(),
                        ))
                    })
                })
                .collect::<Result<_>>()?,
        ),
        Task::Regression => regression_targets(path, target, &raw, &columns.lines)?,
    };
    Ok(Dataset::new(
        columns.features,
        feature_names.to_vec(),
        targets,
        class_names.to_vec(),
    )?
    .with_target_name(target)
    .with_one_hot(one_hot.to_vec()))
}

/// A run's inputs `feature_names` (`one_hot`'s categories among them, read from their
/// columns) and, if given, the raw `target` column, from the CSV at `path`.
pub fn read_features(
    path: &Path,
    (feature_names, one_hot): (&[String], &[OneHot]),
    target: Option<&str>,
    reading: (Option<u8>, Missing),
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

/// Memory free for data: `PLAINDNN_MEMORY_LIMIT` (bytes) if set, else Linux's MemAvailable.
fn available_memory() -> Option<u64> {
    if let Some(limit) = std::env::var("PLAINDNN_MEMORY_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return Some(limit);
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuses a file that cannot fit in memory: its values become f32s, about one byte of matrix
/// per byte of text at best, so a file larger than the free memory is refused before reading.
fn check_fits_in_memory(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    }; // open() reports it
    match available_memory() {
        Some(free) if meta.len() > free => Err(Error::Data(format!(
            "{}: the file is {} MiB but only {} MiB of memory is free; plaindnn holds training data in memory",
            path.display(),
            meta.len() >> 20,
            free >> 20
        ))),
        _ => Ok(()),
    }
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
        };
        assert_eq!(cells.text_columns(), ["colour"]);
        let texts = Cells {
            rows: vec![row(["a", "red", "x", "NA"]), row(["b", "NA", "y", "z"])],
            ..cells
        };
        assert_eq!(texts.text_columns(), ["x", "colour", "typo", "gaps"]);
    }
}
