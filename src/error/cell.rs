//! A CSV cell refused as a number: what is wrong with it, for callers to add their ways on by
//! what it is rather than by a message's words.

use std::fmt;
use std::path::Path;

use super::Error;

/// Why a cell is not read as a number, told without its place ([`Refused::at`] adds the file,
/// line and column): its [`Fault`], so that a caller adds its own ways on by what is wrong, not
/// by the message's words.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    /// What is wrong with the cell.
    pub fault: Fault,
    /// The cell as a message shows it ([`shown`]).
    cell: String,
    /// What it may be and how to write it, in parentheses.
    note: Option<String>,
    /// Ways on after the note.
    after: String,
}

/// What is wrong with a cell that is not read as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// An empty cell.
    Empty,
    /// A marker pandas reads as a missing value (`NA`, `NaN`, `null`).
    Missing,
    /// Digits beyond the range of the type named (`1e400`).
    BeyondRange(&'static str),
    /// Infinity by name (`inf`).
    NotFinite,
    /// A number written with a decimal comma (`0,5`), or perhaps one (`1,050`).
    DecimalComma,
    /// Thousands separators (`1,000,000`, `1.000,5`).
    Thousands,
    /// A marker of a missing value that pandas does not know (`?`, `missing`).
    Marker,
    /// A date (`2024-02-09`).
    Date,
    /// A character no one sees (a NUL, an escape) in what is a number without it (`2` and a NUL).
    Control,
    /// Any other text.
    Text,
}

impl Refused {
    pub(crate) fn new(fault: Fault, field: &str) -> Self {
        Self {
            fault,
            cell: shown(field),
            note: None,
            after: String::new(),
        }
    }

    pub(crate) fn noted(self, note: impl Into<String>) -> Self {
        Self {
            note: Some(note.into()),
            ..self
        }
    }

    /// The refusal of a cell read converted (a decimal comma as a point) showing it as the file
    /// writes it.
    pub fn showing(self, written: &str) -> Self {
        Self {
            cell: shown(written),
            ..self
        }
    }

    /// `way` (`, or pass --decimal ','`) at the end of the note's parentheses, or in its own.
    pub fn or(self, way: &str) -> Self {
        let note = match &self.note {
            Some(note) => format!("{note}{way}"),
            None => way.trim_start_matches([',', ' ']).to_string(),
        };
        self.noted(note)
    }

    /// `way` (`; try --delimiter ';'`) after the message.
    pub fn then(mut self, way: &str) -> Self {
        self.after.push_str(way);
        self
    }

    /// The refusal of a feature's cell as an error naming the file, line and column.
    pub fn at(self, path: &Path, line: usize, column: &str) -> Error {
        self.placed(path, line, column, false)
    }

    /// [`Refused::at`], of a cell of the target column.
    pub fn at_target(self, path: &Path, line: usize, column: &str) -> Error {
        self.placed(path, line, column, true)
    }

    fn placed(self, path: &Path, line: usize, column: &str, target: bool) -> Error {
        let at = format!("{}: line {line}, column `{column}`", path.display());
        Error::Cell {
            at,
            refused: Box::new(self),
            target,
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cell = &self.cell;
        match self.fault {
            Fault::Empty => write!(f, "the cell is empty")?,
            Fault::Missing => write!(f, "`{cell}` marks a missing value")?,
            Fault::BeyondRange(range) => write!(
                f,
                "`{cell}` is beyond the range of {range}: scale the column"
            )?,
            Fault::NotFinite => write!(f, "`{cell}` is not a finite number")?,
            _ => write!(f, "`{cell}` is not a number")?,
        }
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        write!(f, "{}", self.after)
    }
}

/// Most characters of a cell a message shows.
pub const SHOWN: usize = 40;

/// `field` as a message shows it: cut after [`SHOWN`] characters, with how long it is (an
/// audit's cell of 5 million digits gave a 5 MB message).
pub fn shown(field: &str) -> String {
    // a control character (a NUL, a tab) shown escaped: unprinted, `2\0` would read as `2`
    let visible = |s: &str| -> String {
        s.chars()
            .map(|c| match c.is_control() {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            })
            .collect()
    };
    match field.char_indices().nth(SHOWN) {
        Some((end, _)) => format!(
            "{}… ({} characters)",
            visible(&field[..end]),
            field.chars().count()
        ),
        None => visible(field),
    }
}
