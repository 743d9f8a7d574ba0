//! CSV files with a header row; every error names the file, the line and the column.

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

struct Table {
    reader: csv::Reader<File>,
    headers: Vec<String>,
}

fn open(path: &Path) -> Result<Table> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Error::Data(format!(
                "{}: cannot read the header row: {e}",
                path.display()
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
    Ok(Table { reader, headers })
}

impl Table {
    fn column(&self, path: &Path, name: &str) -> Result<usize> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::Data(format!(
                "{}: no column `{name}`; the columns are: {}",
                path.display(),
                self.headers.join(", ")
            ))
        })
    }

    /// Reads `features` as numbers and `target` as text, row by row.
    fn read(
        mut self,
        path: &Path,
        features: &[usize],
        target: Option<usize>,
    ) -> Result<CsvColumns> {
        let mut out = CsvColumns {
            features: Vec::new(),
            target: target.map(|_| Vec::new()),
        };
        let mut record = csv::StringRecord::new();
        let mut line = 1; // the header
        loop {
            let more = self
                .reader
                .read_record(&mut record)
                .map_err(|e| Error::Data(format!("{}: line {}: {e}", path.display(), line + 1)))?;
            if !more {
                break;
            }
            line += 1;
            if record.len() != self.headers.len() {
                return Err(Error::Data(format!(
                    "{}: line {line} has {} fields, the header has {}",
                    path.display(),
                    record.len(),
                    self.headers.len()
                )));
            }
            for &col in features {
                out.features
                    .push(parse_number(path, line, &self.headers[col], &record[col])?);
            }
            if let (Some(col), Some(t)) = (target, out.target.as_mut()) {
                t.push(record[col].to_string());
            }
        }
        if line == 1 {
            return Err(Error::Data(format!(
                "{}: the header is there but no data rows follow",
                path.display()
            )));
        }
        Ok(out)
    }
}

/// Reads the columns named `features` (and `target`, if given) from the CSV at `path`.
pub fn read_columns(path: &Path, features: &[String], target: Option<&str>) -> Result<CsvColumns> {
    let table = open(path)?;
    let feature_idx: Vec<usize> = features
        .iter()
        .map(|f| table.column(path, f))
        .collect::<Result<_>>()?;
    let target_idx = target.map(|t| table.column(path, t)).transpose()?;
    table.read(path, &feature_idx, target_idx)
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

/// Reads a training table: `target` (default: the last column) and `features` (default: all
/// others). Without `task`, a target that is all numbers means regression, any text means
/// classification, with the class names sorted.
pub fn read_table(
    path: &Path,
    target: Option<&str>,
    features: Option<&[String]>,
    task: Option<Task>,
) -> Result<Dataset> {
    check_fits_in_memory(path)?;
    let table = open(path)?;
    let target_idx = match target {
        Some(name) => table.column(path, name)?,
        None => table.headers.len() - 1,
    };
    let target_name = table.headers[target_idx].clone();
    let feature_idx: Vec<usize> = match features {
        Some(names) => names
            .iter()
            .map(|f| table.column(path, f))
            .collect::<Result<_>>()?,
        None => (0..table.headers.len())
            .filter(|&i| i != target_idx)
            .collect(),
    };
    if feature_idx.is_empty() {
        return Err(Error::Data(format!(
            "{}: there is no feature column besides the target `{target_name}`",
            path.display()
        )));
    }
    let feature_names: Vec<String> = feature_idx
        .iter()
        .map(|&i| table.headers[i].clone())
        .collect();
    let columns = table.read(path, &feature_idx, Some(target_idx))?;
    let raw = columns.target.unwrap_or_default();
    let numeric = raw
        .iter()
        .all(|v| v.parse::<f32>().is_ok_and(f32::is_finite));
    let task = task.unwrap_or(if numeric {
        Task::Regression
    } else {
        Task::Classification
    });
    let (targets, class_names) = match task {
        Task::Regression => {
            let values = raw
                .iter()
                .enumerate()
                .map(|(i, v)| parse_number(path, i + 2, &target_name, v))
                .collect::<Result<Vec<f32>>>()?;
            (Targets::Values { values, width: 1 }, Vec::new())
        }
        Task::Classification => {
            let mut names: Vec<String> = raw.clone();
            names.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.total_cmp(&y),
                _ => a.cmp(b),
            });
            names.dedup();
            if names.len() < 2 {
                return Err(Error::Data(format!(
                    "{}: column `{target_name}` holds a single class `{}`; a classifier needs at least two",
                    path.display(),
                    names.first().map_or("", String::as_str)
                )));
            }
            let classes = raw
                .iter()
                .map(|v| names.iter().position(|n| n == v).unwrap_or(0) as i64)
                .collect();
            (Targets::Classes(classes), names)
        }
    };
    Ok(
        Dataset::new(columns.features, feature_names, targets, class_names)?
            .with_target_name(&target_name),
    )
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
    Ok(Dataset::new(
        columns.features,
        feature_names.to_vec(),
        targets,
        class_names.to_vec(),
    )?
    .with_target_name(target))
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
