//! The data a new run reads, as `train` words what it refuses or warns of: a target of text
//! under `--task regression`, a lopsided `--val-fraction`, and a file read in `--init-from`'s
//! column order.

use std::path::Path;

use plaindnn::data::split::{self, Lopsided};
use plaindnn::data::{DataSource, Prepared};
use plaindnn::error::{Error, Result};
use plaindnn::plural::count;
use plaindnn::train;

/// `--val-fraction` holding out more rows than it trains on, or too few to choose an epoch by.
pub(super) fn lopsided(source: &DataSource, prepared: &Prepared) -> Option<String> {
    Some(match split::lopsided(source, prepared)? {
        Lopsided::Few { fraction, val } => {
            // a file of 20 rows or fewer at the flag's default, which the user may not have typed
            let default = if fraction == 0.2 {
                " (the default)"
            } else {
                ""
            };
            format!(
                "--val-fraction {fraction}{default} holds out {}: the best epoch, early stopping \
                 and the scores go by so few rows; hold out more, or give --val-data FILE.csv",
                count(val, "row")
            )
        }
        Lopsided::More {
            fraction,
            val,
            train,
        } => format!(
            "--val-fraction {fraction} holds out more rows ({val}) than it trains on \
             ({train}); 0.1 to 0.3 is usual (Keras' examples and plaindnn's default hold out 0.2)"
        ),
    })
}

/// This data read in the column order `--init-from`'s source learned from, where it has the
/// same columns in another order: its first layer meets the columns it learned, as `predict`
/// reads a file's columns by name (and scikit-learn refuses them out of order); with the line
/// that says so.
pub(super) fn in_source_order(
    (source, prepared): (DataSource, Prepared),
    init: Option<&Path>,
) -> Result<(DataSource, Prepared, Option<String>)> {
    let ours = &prepared.train.data.feature_names;
    let Some(init) = init else {
        return Ok((source, prepared, None));
    };
    let theirs = train::transfer::source_feature_names(init);
    let Some(theirs) = theirs.filter(|t| t != ours && same_names(t, ours)) else {
        return Ok((source, prepared, None));
    };
    let Some(ordered) = source.with_feature_order(&theirs) else {
        return Ok((source, prepared, None));
    };
    let said = format!(
        "columns read in the order --init-from {}'s first layer learned them: {} (the file \
         has {})",
        init.display(),
        theirs.join(", "),
        ours.join(", ")
    );
    drop(prepared); // the file in the other order, not held while it is read again
    let prepared = ordered.load()?;
    Ok((ordered, prepared, Some(said)))
}

/// Text in a target `--task regression` asked to read as numbers, with the way to its classes.
pub(crate) fn text_target(e: Error, source: &DataSource) -> Error {
    use plaindnn::data::Task;
    use plaindnn::error::Fault;
    let DataSource::Csv {
        task: Some(Task::Regression),
        path,
        ..
    } = source
    else {
        return e;
    };
    // the training file's target alone: --val-data's follows the training file's task
    let training = |at: &str| at.starts_with(&format!("{}: ", path.display()));
    match e {
        Error::Cell {
            at,
            refused,
            target,
        } if target && refused.fault == Fault::Text && training(&at) => {
            let way = ", regression fits numbers: leave out --task regression to learn the \
                       column's values as classes";
            let refused = Box::new(refused.or(way));
            Error::Cell {
                at,
                refused,
                target,
            }
        }
        e => e,
    }
}

/// Whether `a` and `b` hold the same names, in any order.
fn same_names(a: &[String], b: &[String]) -> bool {
    let sorted = |names: &[String]| {
        let mut names = names.to_vec();
        names.sort();
        names
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}
