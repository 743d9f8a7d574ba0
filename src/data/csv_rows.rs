//! A CSV's training and validation rows: split off or given in a second file, standardised
//! with the training rows' means and deviations, and warned about.

use std::path::Path;
use std::sync::Arc;

use super::advice::{MIN_DELTA_ZERO, VAL_DATA_OF_THEIR_OWN};
use super::dataset::{Dataset, ExactColumns, Subset, Targets};
use super::imputer::{Imputer, Strategy};
use super::prepared::Prepared;
use super::scaler::{constant_columns, Scaler, STEPS_PER_SPREAD};
use super::split::split;
use crate::error::{Error, Result};

/// Targets whose scale is this far from 1 make a network (outputs near 0 at the start, moved by
/// about the learning rate per step) crawl towards them for many epochs.
const FAR_SCALE: f64 = 100.0;

/// Targets this small make squared errors under early stopping's default `min_delta` (1e-4), so
/// a real improvement does not count and the run stops with its first epochs' weights.
const SMALL_SCALE: f64 = 1e-2;

/// A warning when classes have a single row: the split keeps it for training, so validation never
/// scores them (scikit-learn's stratified split refuses such a class; here it trains).
fn single_rows(data: &Dataset, path: &Path) -> Option<String> {
    let counts = data.class_counts(0..data.len())?;
    let single: Vec<&str> = (counts.iter().zip(&data.class_names))
        .filter(|(&n, _)| n == 1)
        .map(|(_, name)| name.as_str())
        .collect();
    let shown = single
        .iter()
        .take(5)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>();
    let more = if single.len() > 5 { ", …" } else { "" };
    (!single.is_empty()).then(|| {
        format!(
            "{}: {} with a single row ({}{more}) {} in training: validation never scores {}",
            path.display(),
            match single.len() {
                1 => "1 class".to_string(),
                n => format!("{n} classes"),
            },
            shown.join(", "),
            if single.len() == 1 { "stays" } else { "stay" },
            if single.len() == 1 { "it" } else { "them" }
        )
    })
}

/// A warning when a regression target's mean or spread over the training `rows` is far from 1:
/// scikit-learn's `MLPRegressor` and Keras crawl there too, silently or with a
/// `ConvergenceWarning` at the end; this says why before the first epoch.
fn far_from_one(data: &Dataset, rows: &[usize], path: &Path) -> Option<String> {
    let Targets::Values { values, width } = &data.targets else {
        return None;
    };
    let n = rows.len().max(1) as f64;
    let column = |j: usize| rows.iter().map(move |&r| values[r * width + j] as f64);
    let scale = |(mean, std): (f64, f64)| f64::abs(mean).max(std);
    let (j, (mean, std)) = (0..*width)
        .map(|j| {
            let mean = column(j).sum::<f64>() / n;
            let var = column(j).map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            (j, (mean, var.sqrt()))
        })
        .filter(|(_, s)| scale(*s) >= FAR_SCALE || (scale(*s) > 0.0 && scale(*s) <= SMALL_SCALE))
        .max_by(|a, b| scale(a.1).total_cmp(&scale(b.1)))?;
    let name = target_column(data, *width, j);
    let stats = format!(
        "{}: the target `{name}` has mean {mean:.4e} and standard deviation {std:.4e}",
        path.display()
    );
    Some(match scale((mean, std)) {
        s if s <= SMALL_SCALE => format!(
            "{stats}; squared errors this small fall under the least improvement early stopping \
             counts by default (1e-4), so it may stop at its first epochs: pass \
             --standardize-target, rescale the column to values near 1 (multiply it by {:.0e}), \
             {MIN_DELTA_ZERO}",
            1.0 / s
        ),
        _ if mean.abs() > 10.0 * std && std > 0.0 => format!(
            "{stats}; a network's outputs start near 0 and move by about the learning rate per \
             step, so it may need many more epochs than usual: standardise the column \
             (--standardize-target subtracts {mean:.4e}, then divides by {std:.4e}), or train \
             longer"
        ),
        s => format!(
            "{stats}; a network's outputs start near 0 and move by about the learning rate per \
             step, so it may need many more epochs than usual: pass --standardize-target, \
             rescale the column to values near 1 (divide it by {s:.0e}), or train longer"
        ),
    })
}

/// A warning for each input column that may be a row's place in the file, not a property of it:
/// pandas' `Unnamed: 0` (an index `to_csv` wrote), or whole numbers rising row after row (a row
/// number, an ID of sorted rows), which follow the file's order and so often its labels'. A
/// time the file is sorted by rises too, and is a property: the warning says both.
fn row_numbers(data: &Dataset, path: &Path) -> Vec<String> {
    const ROWS: usize = 10; // fewer rise by chance too often
    let width = data.feature_names.len();
    let rising = |c: usize| {
        let mut column = (0..data.len()).map(|r| data.features[r * width + c]);
        let first = column.next().filter(|v| v.fract() == 0.0);
        let step = |last: f32, v: f32| (v > last && v.fract() == 0.0).then_some(v);
        data.len() >= ROWS && first.is_some_and(|f| column.try_fold(f, step).is_some())
    };
    let said = |name: &String, why: &str| {
        format!(
            "{}: column `{name}` {why}: if so, it tells where a row sits in the file, not what \
             it is; --features without it leaves it out",
            path.display()
        )
    };
    let index = "is pandas' name for a nameless column (an index to_csv wrote?)";
    let counter = "rises by whole numbers row after row (a row number or an ID, not a time the \
                   file is sorted by?)";
    (data.feature_names.iter().enumerate())
        .filter_map(|(c, name)| match name.starts_with("Unnamed: ") {
            true => Some(said(name, index)),
            false => rising(c).then(|| said(name, counter)),
        })
        .collect()
}

/// Of `data`'s candidate columns read as written, those f32 reads too coarsely for their spread
/// over the training rows (`fit`: the columns standardised from their values as written, and
/// recorded so for new rows); none constant there.
fn exact_in_training(data: &Dataset, (scaler, constant): &Fit) -> Option<ExactColumns> {
    let candidates = data.exact_columns.as_ref()?;
    let coarse = scaler.coarse_columns();
    candidates.keep(|j| coarse.contains(&j) && !constant.contains(&j))
}

/// A warning for each input column whose values are large beside their spread (a timestamp
/// that varies by minutes): the network reads them in f32, which keeps seven digits, so they
/// are read in steps of more than a hundredth of their standard deviation over the training
/// rows (`fit`), and rows that differ by less are read alike; but for the `exact` ones,
/// standardised from their values as written.
fn coarse_columns(
    data: &Dataset,
    (scaler, constant): &Fit,
    path: &Path,
    exact: &[usize],
) -> Vec<String> {
    (data.feature_names.iter().enumerate())
        .filter(|(j, _)| !constant.contains(j)) // warned of as constant, their spread set to 1
        .filter(|(j, _)| !exact.contains(j))
        .filter_map(|(j, name)| {
            let (mean, spread) = (scaler.mean[j], scaler.std[j]);
            let step = scaler.spacing(j);
            (step > 0.0 && spread > 0.0 && scaler.coarseness(j) > 1.0 / STEPS_PER_SPREAD).then(
                || {
                    // a round offset near the mean: to the power of ten above the spread
                    let unit = 10f64.powf(spread.log10().floor() + 1.0);
                    let offset = (mean / unit).round() * unit;
                    format!(
                    "{}: column `{name}` holds values around {mean:.4e} that vary by {spread:.3e} \
                     (its standard deviation): the network reads them in f32, which keeps seven \
                     digits, in steps of {step}, and values closer than that are read alike; \
                     subtract an offset in the file (`{name}` − {offset}, say) or give it in \
                     coarser units",
                    path.display()
                )
                },
            )
        })
        .collect()
}

/// The training rows' f32 fit of each input column ([`Scaler::fit_columns`]), and the constant
/// columns' indices.
type Fit = (Scaler, Vec<usize>);

/// Standardises `data`'s features with `scaler` (the training `rows`' fit), its exact columns
/// refitted and applied from their values as written.
fn scale_features(data: &mut Dataset, mut scaler: Scaler, rows: &[usize]) -> Scaler {
    if let Some(exact) = &data.exact_columns {
        scaler.refit_exact(exact, rows);
    }
    scaler.apply(&mut data.features);
    if let Some(exact) = &data.exact_columns {
        scaler.apply_exact_columns(&mut data.features, exact);
    }
    scaler
}

/// A `--val-data` file standardised with the training rows' scalers: their exact columns (`exact`)
/// read as written, no others.
fn scaled_val(
    mut v: Dataset,
    exact: &[usize],
    scalers: (Option<&Scaler>, Option<&Scaler>),
) -> Subset {
    let kept = |j: usize| exact.contains(&j);
    v.exact_columns = (v.exact_columns.as_ref())
        .and_then(|e| e.keep(kept))
        .map(Arc::new);
    if let Some(s) = scalers.0 {
        s.apply(&mut v.features);
        if let Some(e) = v.exact_columns.clone() {
            s.apply_exact_columns(&mut v.features, &e);
        }
    }
    let exact = v.exact_targets.clone();
    if let (Some(s), Targets::Values { values, .. }) = (scalers.1, &mut v.targets) {
        s.apply_targets(values, exact.as_deref().map(Vec::as_slice));
    }
    Subset::all(v)
}

/// A warning when every input's name is a number (`0.5,0.25,pos`): a file without a header line
/// gave its first row as the names, and that row is not trained on (pandas reads it so too).
/// Names 0, 1, 2, … (or 1, 2, 3, …) are what pandas writes for an array's columns: no warning.
fn numbers_as_names(data: &Dataset, path: &Path) -> Option<String> {
    let names = &data.feature_names;
    // a decimal comma's too: the first row of a file read with --decimal ','
    let comma = |n: &String| super::number::comma_number(n.trim());
    let number = |n: &String| super::number::reads_as_number(n.trim()) || comma(n);
    let digits = |n: &String| n.trim().parse::<f64>().is_ok() || comma(n);
    let counted =
        |from: usize| (names.iter().enumerate()).all(|(i, n)| *n == (from + i).to_string());
    let numbers = names.iter().all(number) && names.iter().any(digits);
    if names.is_empty() || !numbers || counted(0) || counted(1) {
        return None;
    }
    let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 3 { ", …" } else { "" };
    Some(format!(
        "{}: line 1, read as the column names, names the inputs {}{more}: numbers. If the file \
         has no header line, its first row was taken as one and is not trained on: add a line \
         of column names at the top",
        path.display(),
        shown.join(", ")
    ))
}

/// A warning when a regression target holds one value in every training row: the network can
/// learn nothing but that value (scikit-learn's `MLPRegressor` fits it without a word).
fn constant_target(data: &Dataset, rows: &[usize], path: &Path) -> Option<String> {
    let Targets::Values { values, width } = &data.targets else {
        return None;
    };
    if data.target_name.is_empty() {
        return None; // inputs alone (`pretrain`): its zeros are no target
    }
    let first = *rows.first()?;
    // as the file wrote them: 1.6e9 + 0…27 are one value in f32, and many in f64
    let exact = data.exact_targets.as_deref();
    let value = |r: usize, j: usize| match exact {
        Some(exact) => exact[r * width + j],
        None => values[r * width + j] as f64,
    };
    let j = (0..*width).find(|&j| rows.iter().all(|&r| value(r, j) == value(first, j)))?;
    Some(format!(
        "{}: the target `{}` is {} in every training row: the network can learn nothing but \
         that value (is --target the column you meant?)",
        path.display(),
        target_column(data, *width, j),
        value(first, j)
    ))
}

/// The name of target column `j` of `width`.
fn target_column(data: &Dataset, width: usize, j: usize) -> String {
    match width {
        1 => data.target_name.clone(),
        _ => format!("{}_{j}", data.target_name), // as `datasets --export` names the columns
    }
}

/// A regression target standardised with the mean and deviation of its training `rows`, from
/// its values as written (`exact`) where the file gave them; `None` (and nothing changed) for
/// classes.
fn standardise_target(data: &mut Dataset, rows: &[usize]) -> Option<Scaler> {
    let exact = data.exact_targets.clone();
    let Targets::Values { values, width } = &mut data.targets else {
        return None;
    };
    let scaler = match &exact {
        Some(exact) => Scaler::fit_exact(exact, *width, rows).0,
        None => Scaler::fit_columns(values, *width, rows).0,
    };
    scaler.apply_targets(values, exact.as_deref().map(Vec::as_slice));
    Some(scaler)
}

/// Training and validation rows of a CSV: indices into it, or a separate validation file.
pub struct Rows {
    train: Vec<usize>,
    val: Vec<usize>,
    val_file: Option<Dataset>,
    warnings: Vec<String>,
    /// The fill of missing cells, learned on the training rows, the cells it filled per column
    /// (both files), and how many of them are in the validation rows.
    imputed: Option<(Imputer, Vec<usize>, usize)>,
}

impl Rows {
    /// Every row of `data` trains; `val` validates.
    pub fn given(data: &Dataset, val: Dataset) -> Self {
        Rows {
            train: (0..data.len()).collect(),
            val: Vec::new(),
            val_file: Some(val),
            warnings: Vec::new(),
            imputed: None,
        }
    }

    /// `fraction` of the rows held out, stratified by class and seeded.
    pub fn split(data: &Dataset, path: &Path, fraction: f64, seed: u64) -> Result<Self> {
        if fraction <= 0.0 {
            return Err(Error::invalid(
                "--val-fraction",
                "0 leaves no validation rows; give --val-data FILE or a fraction in (0, 1)",
            ));
        }
        let (train, val) = split(data, fraction, seed);
        let classes = data.class_names.len();
        let asked = (data.len() as f64 * fraction).round() as usize;
        let short = train.is_empty() || val.is_empty() || val.len() * 2 < asked;
        if short && classes >= 10 && classes * 2 > data.len() {
            // the split is stratified: classes of one row each leave nothing to hold out
            let numbers = (data.class_names.iter()).all(|c| c.trim().parse::<f64>().is_ok());
            let hint = match numbers {
                true => "a number to predict? (--task regression)",
                false => "an identifier, not a class? (--target names the column to predict)",
            };
            return Err(Error::Data(format!(
                "{}: {} classes in {} rows, most with a single row, leave nothing to split off \
                 for validation: is `{}` {hint}",
                path.display(),
                classes,
                data.len(),
                data.target_name
            )));
        }
        if train.is_empty() || val.is_empty() {
            return Err(Error::Data(format!(
                "{}: {} too few to split {fraction} of them off for validation: give more \
                 rows{VAL_DATA_OF_THEIR_OWN}",
                path.display(),
                match data.len() {
                    1 => "1 row is".to_string(),
                    n => format!("{n} rows are"),
                }
            )));
        }
        Ok(Rows {
            train,
            val,
            val_file: None,
            warnings: single_rows(data, path).into_iter().collect(),
            imputed: None,
        })
    }

    /// The missing cells of `data` and of a validation file filled as `strategy` says, learned
    /// on the training rows (nothing to do without one).
    pub fn imputed(
        mut self,
        data: &mut Dataset,
        path: &Path,
        strategy: Option<Strategy>,
    ) -> Result<Self> {
        let Some(strategy) = strategy else {
            return Ok(self);
        };
        let names = &data.feature_names;
        let imputer = Imputer::fit(strategy, &data.features, names, &self.train)
            .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
        let missing = |r: &usize| data.row(*r).iter().filter(|v| v.is_nan()).count();
        let mut in_val: usize = self.val.iter().map(missing).sum();
        let mut filled = imputer.apply(&mut data.features);
        if let Some(val) = &mut self.val_file {
            let more = imputer.apply(&mut val.features);
            in_val += more.iter().sum::<usize>();
            filled.iter_mut().zip(more).for_each(|(n, m)| *n += m);
        }
        self.imputed = Some((imputer, filled, in_val));
        Ok(self)
    }

    /// The subsets, their features and target standardised (if asked) with the training rows'
    /// means and deviations.
    pub fn standardised(self, mut data: Dataset, path: &Path, scaled: [bool; 2]) -> Prepared {
        let [standardize, standardize_target] = scaled;
        let mut target_warnings = self.warnings;
        let constant = constant_target(&data, &self.train, path);
        let mut warnings = super::one_hot::warnings(&data.one_hot, data.len(), path);
        warnings.extend(numbers_as_names(&data, path));
        warnings.extend(row_numbers(&data, path));
        // the training rows' means and deviations in f32, fitted once for the checks and the scaler
        let fit = Scaler::fit_columns(&data.features, data.width(), &self.train);
        data.exact_columns = standardize
            .then(|| exact_in_training(&data, &fit))
            .flatten()
            .map(Arc::new);
        let exact = (data.exact_columns.as_ref()).map_or(vec![], |e| e.columns.clone());
        warnings.extend(coarse_columns(&data, &fit, path, &exact));
        let target_scaler = standardize_target
            .then(|| standardise_target(&mut data, &self.train))
            .flatten();
        let scaler = standardize.then(|| {
            let names: Vec<String> = (fit.1.iter())
                .map(|&j| data.feature_names[j].clone())
                .collect();
            warnings.extend(constant_columns(&names, Some(path)));
            scale_features(&mut data, fit.0, &self.train)
        });
        // after the target's standardisation, which brings it to 1; a constant target's spread
        // is 0, which "far from 1" would misread
        match constant {
            Some(warning) => target_warnings.push(warning),
            None => target_warnings.extend(far_from_one(&data, &self.train, path)),
        }
        let data = Arc::new(data);
        let val = match self.val_file {
            Some(v) => scaled_val(v, &exact, (scaler.as_ref(), target_scaler.as_ref())),
            None => Subset::of(&data, self.val),
        };
        let (imputer, imputed, val_imputed) = match self.imputed {
            Some((imputer, counts, in_val)) => (Some(imputer), counts, in_val),
            None => (None, vec![], 0),
        };
        Prepared {
            train: Subset::of(&data, self.train),
            val,
            imputer,
            imputed,
            val_imputed,
            scaler,
            target_scaler,
            warnings,
            target_warnings,
        }
    }
}
