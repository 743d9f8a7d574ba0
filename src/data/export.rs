//! A data set written as CSV: features, then the target (a class index, or the values), so
//! another tool — or `plaindnn train --data` — reads exactly the rows plaindnn trains on.

use std::fmt::Write;
use std::path::Path;

use super::dataset::{Dataset, Targets};
use crate::error::Result;
use crate::files::write_atomic;

/// The CSV text of `data`: a header, then one line per row. Numbers are printed in the shortest
/// form that reads back to the same `f32`, so nothing is rounded on the way.
pub fn to_csv(data: &Dataset) -> String {
    let mut header: Vec<String> = data.feature_names.iter().map(|n| quoted(n)).collect();
    header.extend(target_names(data));
    let mut text = header.join(",") + "\n";
    for i in 0..data.len() {
        for x in data.row(i) {
            let _ = write!(text, "{x},");
        }
        match &data.targets {
            Targets::Classes(classes) => {
                let _ = writeln!(text, "{}", classes[i]);
            }
            Targets::Values { values, width } => {
                let row: Vec<String> = values[i * width..(i + 1) * width]
                    .iter()
                    .map(f32::to_string)
                    .collect();
                let _ = writeln!(text, "{}", row.join(","));
            }
        }
    }
    text
}

/// Writes [`to_csv`] to `path` atomically: a reader never sees half a file.
pub fn write_csv(data: &Dataset, path: &Path) -> Result<()> {
    write_atomic(path, to_csv(data).as_bytes())
}

fn target_names(data: &Dataset) -> Vec<String> {
    match &data.targets {
        Targets::Values { width, .. } if *width > 1 => (0..*width)
            .map(|k| quoted(&format!("{}_{k}", data.target_name)))
            .collect(),
        _ => vec![quoted(&data.target_name)],
    }
}

/// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
fn quoted(name: &str) -> String {
    if name.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    }
}
