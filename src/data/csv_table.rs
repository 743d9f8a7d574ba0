//! The reader under [`csv_file`](super::csv_file): a CSV file's header and records, columns
//! found by name and read row by row as numbers, text or `--one-hot` categories; every error
//! names the file, its own line and the column.

use std::cell::RefCell;
use std::fs::File;
use std::path::Path;
use std::rc::Rc;

use super::advice::UNNAMED_COLUMN;
use super::csv_cells::{quoted_cell, split_cells};
use super::csv_faults::{
    category, column_at, decimal_comma, missing_target, mixed, never_closed, unplaced, FirstSeen,
};
use super::csv_format::{as_point, comma_pointed, CsvFormat};
use super::csv_lines::{LineEnds, Noting};
use super::csv_quotes::QuoteFault;
use super::delimiter;
use super::number::is_missing;
use super::one_hot::{self, decimal_points, known_points, OneHot};
use crate::error::{Error, Fault, Refused, Result};

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
    pub(super) fn parser(self) -> fn(&str) -> std::result::Result<f32, Refused> {
        match self {
            Missing::Kept => super::number::read_or_missing,
            _ => super::number::read_f32,
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
    /// The field separator they were read with (given or detected).
    pub delimiter: u8,
    /// The decimal mark they were read with; with `,`, [`CsvColumns::target`] holds its
    /// numbers with a point.
    pub decimal: u8,
    /// The training file beside writes points ([`CsvFormat::points_beside`]).
    pub points_beside: bool,
}

impl<T> CsvColumns<T> {
    /// The target column's cells as numbers read by `read` (in f32 or f64), a refusal naming
    /// the file, line and column, and `--decimal ','` for a decimal comma where a comma does not
    /// separate the fields. Empty without a target column.
    pub fn target_numbers<U>(
        &self,
        path: &Path,
        column: &str,
        read: fn(&str) -> std::result::Result<U, Refused>,
    ) -> Result<Vec<U>> {
        let cells = self.target.as_deref().unwrap_or_default();
        (cells.iter().zip(&self.lines))
            .map(|(cell, &line)| {
                read(cell).map_err(|r| {
                    let refused = self.as_written(r, cell);
                    let beside = (self.delimiter, self.points_beside);
                    comma_pointed(refused, beside).at_target(path, line, column)
                })
            })
            .collect()
    }

    /// The refusal of a target `cell` naming it as the file writes it: `1,5e400`, which the
    /// reader turned into `1.5e400` under `--decimal ','` (a cell with a point that parses was
    /// turned so: any other number with a point is refused as the file is read).
    fn as_written(&self, refused: Refused, cell: &str) -> Refused {
        match self.decimal == b',' && cell.contains('.') && cell.parse::<f64>().is_ok() {
            true => refused.showing(&cell.replacen('.', ",", 1)),
            false => refused,
        }
    }
}

pub(super) struct Table {
    pub(super) reader: csv::Reader<Noting<File>>,
    pub(super) headers: Vec<String>,
    pub(super) delimiter: u8,
    /// The decimal mark of the file's numbers.
    pub(super) decimal: u8,
    /// [`CsvFormat::points_beside`].
    pub(super) points_beside: bool,
    pub(super) ends: Rc<RefCell<LineEnds>>,
    /// What a text cell in a feature column may mean and the flag for it, given the column.
    pub(super) text_hint: Option<fn(&str) -> String>,
    /// Whether a missing feature cell is refused or read as NaN.
    pub(super) missing: Missing,
    /// The columns read as text, not numbers (`--one-hot`'s), by position.
    pub(super) texts: Vec<usize>,
    /// Each header name's position, made at the first lookup: a file of 150 000 columns took
    /// half a minute of searches through the header, one per column.
    pub(super) positions: std::cell::OnceCell<std::collections::HashMap<String, usize>>,
}

impl Table {
    /// The file's own line at a position the CSV reader reports (0 without one).
    fn line_of(&self, position: Option<&csv::Position>) -> usize {
        position.map_or(0, |p| self.ends.borrow_mut().line_at(p.byte()))
    }
}

/// Opens `path` and reads its header; a `format` without a delimiter detects comma, semicolon
/// or tab; a missing feature cell will be read as `missing` says. Spaces around each cell are
/// dropped.
pub(super) fn open(path: &Path, reading: (CsvFormat, Missing)) -> Result<Table> {
    open_trimmed(path, reading, csv::Trim::All)
}

/// [`open`], every cell kept as written (spaces inside quotes are data: `predict --output`
/// writes the cells back).
pub(super) fn open_as_written(path: &Path, reading: (CsvFormat, Missing)) -> Result<Table> {
    open_trimmed(path, reading, csv::Trim::None)
}

fn open_trimmed(
    path: &Path,
    (format, missing): (CsvFormat, Missing),
    trim: csv::Trim,
) -> Result<Table> {
    let delimiter = match format.delimiter {
        Some(d) => d,
        None => delimiter::detect(path, format.decimal)?,
    };
    format.check(path, delimiter)?;
    let ends = Rc::new(RefCell::new(LineEnds::default()));
    let file = Noting::new(crate::files::open_data(path)?, delimiter, ends.clone());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .trim(trim)
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
    if headers.iter().any(|h| h.contains('\0')) {
        // ASCII in UTF-16 without its byte order mark: every other byte is zero
        return Err(Error::Data(format!(
            "{}: the header holds NUL bytes, as text saved as UTF-16 does; save the file as UTF-8",
            path.display()
        )));
    }
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(Error::Data(format!(
            "{}: the file is empty (expected a header row)",
            path.display()
        )));
    }
    refuse_separator_line(path, &headers, delimiter)?;
    if let Some(QuoteFault::NeverClosed { line, field }) = ends.borrow().quote {
        return Err(never_closed(path, line, &[], field)); // the header took the file
    }
    check_unique(path, &headers, "the header names")?;
    Ok(Table {
        reader,
        headers,
        delimiter,
        decimal: format.decimal,
        points_beside: format.points_beside,
        ends,
        text_hint: None,
        missing,
        texts: Vec::new(),
        positions: Default::default(),
    })
}

/// Refuses a name given twice in `names`, saying which, where: columns are looked up by name.
pub(super) fn check_unique(path: &Path, names: &[String], what: &str) -> Result<()> {
    // each name's first position, in one pass (a search per name took seconds over 30 000)
    let mut first = std::collections::HashMap::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        if let Some(i) = first.insert(name.as_str(), j) {
            return Err(Error::Data(format!(
                "{}: {what} `{name}` twice (positions {} and {}); column names must be unique",
                path.display(),
                i + 1,
                j + 1
            )));
        }
    }
    Ok(())
}

/// Refuses Excel's first line `sep=;`, which names the separator where the header should be.
fn refuse_separator_line(path: &Path, headers: &[String], delimiter: u8) -> Result<()> {
    let first = headers.join(&char::from(delimiter).to_string());
    let named = first.trim().to_ascii_lowercase();
    let Some(separator) = named
        .strip_prefix("sep=")
        .filter(|s| s.chars().count() <= 1)
    else {
        return Ok(());
    };
    Err(Error::Data(format!(
        "{}: line 1, `{first}`, is Excel's line naming the separator, not a header: delete it \
         (plaindnn reads the header on line 1 and finds the separator itself, or take \
         --delimiter '{}')",
        path.display(),
        // a tab after `sep=` is trimmed away with the header's spaces
        if separator.is_empty() {
            "\\t"
        } else {
            separator
        }
    )))
}

impl Table {
    /// Refuses a chosen column whose header cell is empty (a separator ending the header line).
    pub(super) fn named(&self, path: &Path, chosen: &[usize]) -> Result<()> {
        let Some(&i) = chosen.iter().find(|&&i| self.headers[i].is_empty()) else {
            return Ok(());
        };
        let guess = match i {
            0 => "an index column, as pandas' to_csv writes?",
            _ if i + 1 == self.headers.len() => "a separator at the end of the line?",
            _ => "two separators in a row?",
        };
        Err(Error::Data(format!(
            "{}: column {} has no name in the header ({guess}): {UNNAMED_COLUMN}",
            path.display(),
            i + 1
        )))
    }

    /// The position of column `name` (spaces around it ignored, as in the header), or of the
    /// name it quotes as a CSV cell (`"width, cm"`, as the messages list such names).
    pub(super) fn column(&self, path: &Path, name: &str) -> Result<usize> {
        self.column_for(path, name, None)
    }

    /// [`Self::column`], a missing one told with the `flag` that named it (`--target`): of
    /// three flags naming columns, which one is wrong.
    pub(super) fn column_for(&self, path: &Path, name: &str, flag: Option<&str>) -> Result<usize> {
        let name = name.trim();
        let positions = self.positions.get_or_init(|| {
            // the header's names are unique (`check_unique`)
            (self.headers.iter().enumerate())
                .map(|(i, h)| (h.clone(), i))
                .collect()
        });
        let find = |n: &str| positions.get(n).copied();
        let unquoted = split_cells(name).ok().filter(|cells| cells.len() == 1);
        let given = flag.map_or(String::new(), |f| format!(" ({f})"));
        find(name)
            .or_else(|| find(&unquoted?[0]))
            .ok_or_else(|| Error::NoColumn {
                path: path.to_path_buf(),
                name: name.to_string(),
                detail: format!(
                    "{given}; the columns are: {}{}",
                    (self.headers.iter().map(|h| quoted_cell(h)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.hint()
                ),
            })
    }

    /// `; the header is one field …: try --delimiter ';'` when another separator would split it.
    pub(super) fn hint(&self) -> String {
        delimiter::hint(&self.headers, self.delimiter)
    }

    /// A cell of `column` refused with its way on: filling a missing cell, `--decimal ','` for
    /// a decimal comma in a file a comma does not separate, and for text another separator
    /// where one would split the header, else [`Table::text_hint`].
    pub(super) fn hinted(&self, refused: Refused, column: &str) -> Refused {
        match refused.fault {
            Fault::Empty | Fault::Missing => refused.then(self.missing.hint()),
            Fault::DecimalComma => comma_pointed(refused, (self.delimiter, self.points_beside)),
            Fault::Text => match (self.hint(), self.text_hint) {
                (separator, _) if !separator.is_empty() => refused.then(&separator),
                (_, Some(hint)) => refused.then(&hint(column)),
                _ => refused,
            },
            _ => refused,
        }
    }

    /// The next record into `record`; false at the end. An error names the file's own line.
    /// Lines of spaces are skipped as the reader skips empty ones (pandas skips both): in a
    /// one-column file they would read as a missing cell.
    pub(super) fn next_record(
        &mut self,
        path: &Path,
        record: &mut csv::StringRecord,
    ) -> Result<bool> {
        loop {
            let more = self.reader.read_record(record).map_err(|e| {
                let line = self.line_of(e.position());
                Error::Data(format!("{}: line {line}: {}", path.display(), unplaced(&e)))
            })?;
            let blank = record.len() == 1 && record[0].trim().is_empty();
            if !more {
                return self.quoted_well(path).map(|()| false);
            }
            if !blank {
                return Ok(true);
            }
        }
    }

    /// At the file's end: refuses a misplaced quote the reader took silently (it swallows rows).
    fn quoted_well(&self, path: &Path) -> Result<()> {
        match self.ends.borrow().quote {
            None => Ok(()),
            Some(QuoteFault::NeverClosed { line, field }) => {
                Err(never_closed(path, line, &self.headers, field))
            }
            Some(QuoteFault::TextAfter {
                line,
                field,
                opened,
            }) => Err(Error::Data(format!(
                "{}: line {line}, {}: text follows a field's closing quote; the field opened with \
                 a quote on line {opened}, and every line up to here became part of it: is a \
                 `\"` left open on line {opened}? (a quote inside a quoted field is written \
                 twice, `\"\"`)",
                path.display(),
                column_at(&self.headers, field)
            ))),
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
    pub(super) fn read_encoded(
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
        let comma = self.decimal == b',';
        let mut columns = self.read(path, features, target)?;
        let mut texts = std::mem::take(&mut columns.texts);
        if comma {
            if let Categories::Learn(_) = categories {
                decimal_points(&mut texts, names.len());
            }
        }
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
        if comma && matches!(categories, Categories::Known(_)) {
            known_points(&mut texts, &encoders);
        }
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
            let i = self.column_for(path, name, Some("--one-hot"))?;
            let column = &self.headers[i];
            if Some(i) == target {
                return Err(Error::invalid(
                    "--one-hot",
                    format!(
                        "`{column}` is the target, and --one-hot encodes inputs (a target of \
                         text is read as classes already, one of numbers with --task \
                         classification): leave it out of --one-hot"
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

    /// The refusal of `record`, on `line`, whose count of fields is not the header's.
    fn misshapen(&self, path: &Path, line: usize, record: &csv::StringRecord) -> Error {
        // a quote never closed took the rest of the file: said as such, in any column
        if let Some(QuoteFault::NeverClosed { line, field }) = self.ends.borrow().quote {
            return never_closed(path, line, &self.headers, field);
        }
        // a quote left open takes the lines after it into one field
        let hint = match record.iter().any(|f| f.contains('\n')) {
            true => format!(
                " (a field of it runs over several lines: is a `\"` left open on line {line}?)"
            ),
            false => (record.len() > self.headers.len())
                .then(|| decimal_comma(record, self.delimiter))
                .flatten()
                .unwrap_or_else(|| self.hint()),
        };
        Error::Data(format!(
            "{}: line {line} has {}, the header has {}{hint}",
            path.display(),
            crate::plural::count(record.len(), "field"),
            self.headers.len(),
        ))
    }

    /// Reads `features` with `parse` and `target` as text, row by row.
    pub(super) fn read_as<T>(
        mut self,
        path: &Path,
        features: &[usize],
        target: Option<usize>,
        parse: fn(&str) -> std::result::Result<T, Refused>,
    ) -> Result<CsvColumns<T>> {
        let mut out = CsvColumns {
            features: Vec::new(),
            target: target.map(|_| Vec::new()),
            texts: Vec::new(),
            lines: Vec::new(),
            delimiter: self.delimiter,
            decimal: self.decimal,
            points_beside: self.points_beside,
        };
        let mut record = csv::StringRecord::new();
        // per feature: the first line of a True/False cell and of a number
        let mut seen: Vec<(FirstSeen, FirstSeen)> = vec![(None, None); features.len()];
        while self.next_record(path, &mut record)? {
            let line = self.line_of(record.position());
            out.lines.push(line);
            if record.len() != self.headers.len() {
                return Err(self.misshapen(path, line, &record));
            }
            for (k, &col) in features.iter().enumerate() {
                let name = &self.headers[col];
                if self.texts.contains(&col) {
                    out.texts.push(category(path, line, name, &record[col])?);
                    continue;
                }
                let written = &record[col];
                let cell = as_point(self.decimal, path, (line, name), written)?;
                let value = parse(&cell).map_err(|r| self.hinted(r.showing(written), name));
                out.features
                    .push(value.map_err(|r| r.at(path, line, name))?);
                mixed(&mut seen[k], (line, name), written)
                    .map_err(|why| Error::Data(format!("{}: {why}", path.display())))?;
            }
            if let (Some(col), Some(t)) = (target, out.target.as_mut()) {
                if is_missing(&record[col]) {
                    return Err(missing_target(path, line, &self.headers[col], &record[col]));
                }
                let cell = as_point(self.decimal, path, (line, &self.headers[col]), &record[col])?;
                t.push(cell.into_owned());
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
pub(super) const ONE_HOT_NAMES: &str = "the inputs (with --one-hot's `column_category` names) name";
