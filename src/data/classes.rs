//! Class labels: the sorted class names of a training column, and which known class a label in
//! another file names.

use std::collections::HashMap;
use std::path::Path;

use super::dataset::Targets;
use super::target;
use crate::error::{Error, Result};

/// Class indices and the sorted class names (`2.0` named `2`; [`class_order`]).
pub(super) fn classes(path: &Path, column: &str, raw: &[String]) -> Result<(Targets, Vec<String>)> {
    let labels: Vec<String> = raw.iter().map(|v| target::class_name(v)).collect();
    let mut names = labels.clone();
    names.sort_by(|a, b| class_order(a, b));
    names.dedup();
    if names.len() < 2 {
        return Err(Error::Data(format!(
            "{}: column `{column}` holds a single class `{}`; a classifier needs at least two",
            path.display(),
            names.first().map_or("", String::as_str)
        )));
    }
    let index: HashMap<&str, i64> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as i64))
        .collect();
    let indices = labels
        .iter()
        .map(|v| index.get(v.as_str()).copied().unwrap_or(0))
        .collect();
    Ok((Targets::Classes(indices), names))
}

/// Numbers first, in numeric order, then text in byte order: a total order even when a column
/// mixes the two (`9 < 10`, but `"10" < "5x" < "9"` as text), so sorting neither panics nor
/// leaves one name twice.
fn class_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// How a labelled file may name a model's classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// By name only.
    Names,
    /// By name, or by index in `0..classes` where no name matches: a built-in set's classes, as
    /// `datasets --export` writes them.
    NamesOrIndices,
}

/// The class `label` names: by name (`2.0` reads as `2`), else by index where `labels` allow.
pub(super) fn class_index(label: &str, (class_names, labels): (&[String], Labels)) -> Option<i64> {
    let name = target::class_name(label);
    // an older run may have recorded a name as written (0.50)
    let by_name = (class_names.iter())
        .position(|c| c == label || *c == name || target::class_name(c) == name);
    let by_index = || {
        label
            .parse::<usize>()
            .ok()
            .filter(|&i| i < class_names.len())
    };
    let by_index = || (labels == Labels::NamesOrIndices).then(by_index).flatten();
    by_name.or_else(by_index).map(|c| c as i64)
}

/// The classes a label may name, for a message.
pub(super) fn known_classes(class_names: &[String], labels: Labels) -> String {
    let names = class_names.join(", ");
    match labels {
        Labels::NamesOrIndices => {
            format!(
                "{names}, or their indices 0 to {}",
                class_names.len().saturating_sub(1)
            )
        }
        Labels::Names => names,
    }
}
