//! Text columns as one 0/1 input per category (`--one-hot`), as scikit-learn's `OneHotEncoder`
//! and pandas' `get_dummies` make them: categories sorted, inputs named `column_category`.

use std::cmp::Ordering;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::target::class_name;
use crate::error::{Error, Result};

/// One text column's categories, learnt from the training file and saved with the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneHot {
    /// The column's name in the file.
    pub column: String,
    /// Its categories, sorted (scikit-learn's `categories_`): input k is 1 where the cell is
    /// category k.
    pub categories: Vec<String>,
}

impl OneHot {
    /// The categories of `cells`, each once, sorted: numbers by value before texts by their
    /// characters (scikit-learn sorts a column of numbers numerically too). A column of numbers
    /// alone is read as pandas reads it, as numbers: `2` and `2.0` are one category, `2`.
    pub fn learn<'a>(column: &str, cells: impl Iterator<Item = &'a str>) -> Self {
        let mut categories: Vec<String> = cells.map(str::to_string).collect();
        if categories.iter().all(|c| number(c).is_some()) {
            categories.iter_mut().for_each(|c| *c = class_name(c));
        }
        categories.sort_unstable_by(|a, b| by_value(a, b));
        categories.dedup();
        OneHot {
            column: column.to_string(),
            categories,
        }
    }

    /// The inputs' names: `colour_blue`, `colour_red` (pandas' and scikit-learn's).
    pub fn names(&self) -> Vec<String> {
        let c = &self.column;
        (self.categories.iter())
            .map(|k| format!("{c}_{k}"))
            .collect()
    }

    /// Appends `cell`'s 0/1 inputs to `row`; an unknown category is refused, naming the known.
    pub fn encode(&self, cell: &str, row: &mut Vec<f32>) -> std::result::Result<(), String> {
        let k = self.category(cell)?;
        row.extend((0..self.categories.len()).map(|i| if i == k { 1.0 } else { 0.0 }));
        Ok(())
    }

    /// Whether `cell` is one of the categories (as [`Self::encode`] reads it).
    pub fn knows(&self, cell: &str) -> bool {
        self.category(cell).is_ok()
    }

    /// `cell` written with a decimal comma (`2,5`, read under `--decimal ','`) with a point,
    /// where the categories are numbers and know it so, not as written; else none (a column with
    /// text, or an older run's `1,5` learnt as text, reads it as written, and a refusal quotes
    /// the cell).
    pub fn with_point(&self, cell: &str) -> Option<String> {
        let numbers = self.categories.iter().all(|c| number(c).is_some());
        let pointed = comma_as_point(cell).filter(|_| numbers && !self.knows(cell))?;
        self.knows(&pointed).then_some(pointed)
    }

    /// The index of `cell`'s category (in a column of numbers, `2.0` is `2`'s); an unknown one
    /// is refused, naming the known.
    fn category(&self, cell: &str) -> std::result::Result<usize, String> {
        let at = |cell: &str| self.categories.binary_search_by(|c| by_value(c, cell));
        // as written first (every known cell, and a run that learnt `2` and `2.0` apart still
        // reads each as it did); the column's categories are asked only for a cell not found
        let numbers = || self.categories.iter().all(|c| number(c).is_some());
        let found = at(cell).or_else(|e| match number(cell).is_some() && numbers() {
            true => at(&class_name(cell)),
            false => Err(e),
        });
        found.map_err(|_| {
            format!(
                "category `{}` was never seen in training (known: {}); the network has no \
                 input for it",
                super::number::shown(cell),
                super::csv_file::abbreviate(&self.categories),
            )
        })
    }
}

/// `cell` as a number written with a decimal comma and no point (`2,5`), with a point instead.
fn comma_as_point(cell: &str) -> Option<String> {
    let number = !cell.contains('.') && super::number::comma_number(cell);
    number.then(|| cell.replacen(',', ".", 1))
}

/// Under `--decimal ','`, each one-hot column (of `width`, row-major in `texts`) of numbers
/// alone, some written with decimal commas, with points instead, as pandas' `decimal=','`
/// reads such a column: `2,0` and `2` are then one category, `2` (they were two). A column with
/// text, or with a point (`1.000`: a thousand?), keeps its cells as written.
pub(super) fn decimal_points(texts: &mut [String], width: usize) {
    for j in 0..width {
        let cells = || texts.iter().skip(j).step_by(width);
        let whole = |c: &str| !c.contains('.') && c.parse::<f64>().is_ok();
        let numbers = cells().all(|c| comma_as_point(c).is_some() || whole(c));
        if numbers && cells().any(|c| comma_as_point(c).is_some()) {
            for cell in texts.iter_mut().skip(j).step_by(width) {
                *cell = comma_as_point(cell).unwrap_or_else(|| cell.clone());
            }
        }
    }
}

/// Under `--decimal ','`, each one-hot cell a run's categories (`encoders`, a column each, in
/// `texts`' order) know only with a point ([`OneHot::with_point`]): with the point.
pub(super) fn known_points(texts: &mut [String], encoders: &[OneHot]) {
    let width = encoders.len().max(1);
    for (k, cell) in texts.iter_mut().enumerate() {
        if let Some(pointed) = (encoders.get(k % width)).and_then(|e| e.with_point(cell)) {
            *cell = pointed;
        }
    }
}

/// `cell` as a finite number, if it is one.
fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The categories' order: numbers by value (then as written: `1` before `1.0`) before texts,
/// texts by their characters.
fn by_value(a: &str, b: &str) -> Ordering {
    let number = |s: &str| s.parse::<f64>().ok().filter(|v| !v.is_nan());
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Refuses a category that pandas reads as a missing value (`NA`, `null`, …) among those a new
/// run would learn from `file`: not a category of its own, as an empty cell is none. (A run that
/// learnt one before still reads it: this is checked where a run starts, not where rows are read.)
pub fn refuse_missing(one_hot: &[OneHot], file: &str) -> Result<()> {
    let missing = (one_hot.iter()).find_map(|o| {
        let category = o.categories.iter().find(|c| super::number::is_missing(c))?;
        Some((&o.column, category))
    });
    let Some((column, category)) = missing else {
        return Ok(());
    };
    Err(Error::Data(format!(
        "{file}: column `{column}` holds `{category}`, which pandas reads as a missing value: \
         --one-hot would make it a category of its own; write a category in those cells \
         (`unknown`, say), or drop their rows (or, if it is a category, give it another name)"
    )))
}

/// `--one-hot: colour → 3 inputs (colour_blue, colour_green, colour_red)`, for the user;
/// `None` without one-hot columns.
pub fn note(one_hot: &[OneHot]) -> Option<String> {
    let each: Vec<String> = (one_hot.iter())
        .map(|o| {
            let inputs = crate::plural::count(o.categories.len(), "input");
            let names = super::csv_file::abbreviate(&o.names());
            format!(
                "{} → {inputs} ({names})",
                super::csv_file::quoted_cell(&o.column)
            )
        })
        .collect();
    (!each.is_empty()).then(|| format!("--one-hot: {}", each.join("; ")))
}

/// A warning for each one-hot column with a category per two rows or more: an identifier, most
/// likely, whose categories each teach from a row or two and are unknown in new rows.
pub fn warnings(one_hot: &[OneHot], rows: usize, path: &Path) -> Vec<String> {
    (one_hot.iter())
        .filter(|o| o.categories.len() > 10 && 2 * o.categories.len() > rows)
        .map(|o| {
            format!(
                "{}: --one-hot column `{}` has {} categories in {rows} rows: an identifier? each \
                 category is an input learnt from a row or two, and new rows will bring unknown ones",
                path.display(),
                o.column,
                o.categories.len()
            )
        })
        .collect()
}

/// The network's input names for the file's `columns`: each one-hot column replaced by its
/// categories' names, in place.
pub fn expand(columns: &[String], one_hot: &[OneHot]) -> Vec<String> {
    let mut names = Vec::new();
    for column in columns {
        match one_hot.iter().find(|o| &o.column == column) {
            Some(o) => names.extend(o.names()),
            None => names.push(column.clone()),
        }
    }
    names
}

/// The file's columns behind the input names `names`: the inverse of [`expand`] (its names are
/// unique, so a run of a column's category names is that column).
pub fn columns(names: &[String], one_hot: &[OneHot]) -> Vec<String> {
    let mut columns = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let block = (one_hot.iter()).find(|o| names[i..].starts_with(&o.names()));
        match block {
            Some(o) => {
                columns.push(o.column.clone());
                i += o.categories.len();
            }
            None => {
                columns.push(names[i].clone());
                i += 1;
            }
        }
    }
    columns
}

/// Rows of inputs from rows of `numbers` and `texts` read in file order: the chosen columns in
/// `order`, `None` for a number, `Some(j)` for one-hot column `j` (a text cell each row).
pub fn assemble(
    (numbers, texts): (&[f32], &[String]),
    (order, one_hot): (&[Option<usize>], &[OneHot]),
    (path, lines): (&Path, &[usize]),
) -> Result<Vec<f32>> {
    let rows = lines.len();
    let width: usize = (order.iter())
        .map(|o| o.map_or(1, |j| one_hot[j].categories.len()))
        .sum();
    let (n_numbers, n_texts) = (numbers.len() / rows.max(1), texts.len() / rows.max(1));
    let mut out = Vec::with_capacity(rows * width);
    for (r, &line) in lines.iter().enumerate() {
        let (mut n, mut t) = (numbers[r * n_numbers..].iter(), texts[r * n_texts..].iter());
        for o in order {
            match o {
                None => out.extend(n.next().copied()),
                Some(j) => {
                    let o = &one_hot[*j];
                    let cell = t.next().map_or("", String::as_str);
                    o.encode(cell, &mut out).map_err(|why| {
                        let (at, c) = (path.display(), &o.column);
                        Error::Data(format!("{at}: line {line}, column `{c}`: {why}"))
                    })?;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour() -> OneHot {
        OneHot::learn("colour", ["red", "blue", "red", "green"].into_iter())
    }

    #[test]
    fn categories_are_sorted_and_each_named_after_its_column() {
        assert_eq!(colour().categories, ["blue", "green", "red"]);
        assert_eq!(
            colour().names(),
            ["colour_blue", "colour_green", "colour_red"]
        );
    }

    #[test]
    fn categories_that_are_numbers_are_sorted_by_value_before_texts() {
        let grade = OneHot::learn("grade", ["10", "2", "x", "1.5", "2"].into_iter());
        assert_eq!(grade.categories, ["1.5", "2", "10", "x"]);
        let mut row = Vec::new();
        grade.encode("10", &mut row).unwrap();
        assert_eq!(row, [0.0, 0.0, 1.0, 0.0]);
    }

    /// An outside audit: `1, 2, 2.0, 3` learnt four categories, and a run of `1, 2, 3` refused
    /// `2.0`; pandas reads such a column as floats, and `get_dummies` makes three.
    #[test]
    fn a_column_of_numbers_alone_takes_2_and_2_point_0_as_one_category_as_pandas_does() {
        let grade = OneHot::learn("grade", ["1", "2", "2.0", "3", "0.50"].into_iter());
        assert_eq!(grade.categories, ["0.5", "1", "2", "3"]);
        let (mut two, mut point_zero) = (Vec::new(), Vec::new());
        grade.encode("2", &mut two).unwrap();
        grade.encode("2.0", &mut point_zero).unwrap();
        assert_eq!((two.clone(), point_zero), (vec![0.0, 0.0, 1.0, 0.0], two));
        // among text they stay as written, as pandas keeps an object column's strings
        let mixed = OneHot::learn("grade", ["2", "2.0", "x"].into_iter());
        assert_eq!(mixed.categories, ["2", "2.0", "x"]);
        // a run that learnt both apart (before this) still reads each as it did
        let old = OneHot {
            column: "grade".into(),
            categories: vec!["2".into(), "2.0".into()],
        };
        let mut row = Vec::new();
        old.encode("2.0", &mut row).unwrap();
        assert_eq!(row, [0.0, 1.0]);
    }

    #[test]
    fn columns_undo_expand() {
        let columns: Vec<String> = ["age", "colour", "size"].map(String::from).to_vec();
        let names = expand(&columns, &[colour()]);
        assert_eq!(
            names,
            ["age", "colour_blue", "colour_green", "colour_red", "size"]
        );
        assert_eq!(super::columns(&names, &[colour()]), columns);
    }

    #[test]
    fn assemble_puts_each_category_in_its_columns_place() {
        let numbers = [30.0, 1.0, 40.0, 2.0];
        let texts = ["red".to_string(), "blue".to_string()];
        let order = [None, Some(0), None];
        let rows = assemble(
            (&numbers, &texts),
            (&order, &[colour()]),
            (Path::new("f.csv"), &[2, 3]),
        )
        .unwrap();
        assert_eq!(rows, [30.0, 0.0, 0.0, 1.0, 1.0, 40.0, 1.0, 0.0, 0.0, 2.0]);
    }

    #[test]
    fn an_unknown_category_is_refused_with_its_line_and_the_known_ones() {
        let texts = ["pink".to_string()];
        let order = [Some(0)];
        let e = assemble(
            (&[], &texts),
            (&order, &[colour()]),
            (Path::new("f.csv"), &[7]),
        );
        let message = e.unwrap_err().to_string();
        assert!(
            message.contains("f.csv: line 7, column `colour`: category `pink`"),
            "{message}"
        );
        assert!(message.contains("blue, green, red"), "{message}");
    }
}
