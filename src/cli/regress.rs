//! `plaindnn regress`: the regression ladder — least squares or gradient descent, printed as an
//! equation, with its scores, a picture and the coefficients in a run directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use plaindnn::data::csv_file::{CsvFormat, Missing};
use plaindnn::data::{csv_file, DataSource, Subset, Task};
use plaindnn::decimals::Decimals;
use plaindnn::error::{Error, Fault, Result};
use plaindnn::files::{made_folder, remove_made};
use plaindnn::inference::RegressionScores;
use plaindnn::regression::{self, gd, FitOptions, Fitted, LinearModel, Method};
use plaindnn::shell::{quote, quote_path};
use plaindnn::train::lock::RunLock;
use plaindnn::train::RunDir;
use serde_json::json;

use super::choices::{self, choices};
use super::data_args::{column_list, Columns, CsvFlags};
use super::default_out::default_named;
use super::print_json;

#[derive(Args, Debug)]
pub struct RegressArgs {
    /// A CSV file with a header row; every row is fitted unless --val-fraction or --val-data.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// A built-in regression set instead: line or cubic (fitted on 256 generated rows, scored
    /// on 256 fresh ones) [default: line, when there is no --data].
    #[arg(long, conflicts_with_all = ["target", "features", "delimiter", "decimal", "val_fraction", "val_data"])]
    #[arg(value_parser = choices::<String>(choices::regression_sets), hide_possible_values = true)]
    dataset: Option<String>,
    /// CSV: the column to predict [default: the last].
    #[arg(long, value_name = "COLUMN", requires = "data")]
    target: Option<String>,
    /// CSV: input columns [default: all but the target]; a name with a comma in quotes, as in a
    /// CSV line: 'a,"width, cm"'.
    #[arg(long, value_parser = column_list, value_name = "A,B,..", requires = "data")]
    features: Option<Columns>,
    #[command(flatten)]
    csv: CsvFlags,
    /// CSV: hold this share of the rows out of the fit and score them too [default: none].
    #[arg(
        long,
        allow_negative_numbers = true,
        requires = "data",
        conflicts_with = "val_data"
    )]
    val_fraction: Option<f64>,
    /// CSV: a file with the same columns to score the fit on too.
    #[arg(long, value_name = "FILE.csv", requires = "data")]
    val_data: Option<PathBuf>,
    /// Polynomial degree (1: a line or plane).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    degree: u32,
    /// With several inputs and --degree 2 or more, add the mixed terms (a·b, …) too.
    #[arg(long)]
    interactions: bool,
    /// Ridge (L2) penalty λ on the coefficients (not the intercept), with either method.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    ridge: f64,
    /// lstsq (closed form, QR + SVD) or gd (gradient descent on Burn).
    #[arg(long, default_value = "lstsq", hide_possible_values = true)]
    #[arg(value_parser = choices::<Method>(|| vec!["lstsq", "gd"]))]
    method: Method,
    /// Gradient descent: steps [default: 5000].
    #[arg(long)]
    iterations: Option<usize>,
    /// Gradient descent: step size, on standardised columns; one too large, whose loss ends above
    /// where it started, is refused as diverged [default: 0.1].
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Seed of the built-in set or of the --val-fraction split [default: 42].
    #[arg(long)]
    seed: Option<u64>,
    /// Run directory [default: artifacts/runs/regress-<name>, or the next free regress-<name>-N].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the run or fit that --out already holds (plaindnn's files only).
    #[arg(long)]
    overwrite: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

/// The rows fitted, the rows held out (if any) and a short name for the run directory.
struct Rows {
    fit: Subset,
    held_out: Option<Subset>,
    name: String,
}

/// Refuses flags that this combination would ignore.
fn check(args: &RegressArgs) -> Result<()> {
    if args.method == Method::Lstsq {
        for (flag, given) in [
            ("--iterations", args.iterations.is_some()),
            ("--lr", args.lr.is_some()),
        ] {
            if given {
                return Err(Error::invalid(
                    flag,
                    "applies to --method gd only; the closed form (lstsq) takes no steps",
                ));
            }
        }
    }
    if args.data.is_some() && args.val_fraction.is_none() && args.seed.is_some() {
        let given = match args.val_data {
            Some(_) => "--data and --val-data are read as they are and draw nothing",
            None => "--data alone fits every row and draws nothing",
        };
        let why = format!("seeds a built-in set or the --val-fraction split; {given}");
        return Err(Error::invalid("--seed", why));
    }
    Ok(())
}

/// Every row of a CSV, or its training and held-out rows, or a built-in set and fresh rows.
fn rows(args: &RegressArgs) -> Result<Rows> {
    let seed = args.seed.unwrap_or(42);
    match &args.data {
        Some(path) => csv_rows(args, path, seed),
        None => builtin_rows(args.dataset.as_deref().unwrap_or("line"), seed),
    }
}

/// The built-in regression set `name`: its training rows to fit, its fresh rows held out.
fn builtin_rows(name: &str, seed: u64) -> Result<Rows> {
    let sets = choices::regression_sets();
    let known = plaindnn::data::generators::builtin(name).ok();
    let Some(name) = known.map(|b| b.name) else {
        let valid = sets.join(", "); // not the classification sets it would then refuse
        return Err(Error::Unknown {
            what: "regression set",
            got: name.to_string(),
            valid,
        });
    };
    let data = DataSource::builtin(name, seed)?.load()?;
    if data.train.data.task() == Task::Classification {
        let why = format!("`{name}` is a classification set; regress fits numbers: line or cubic");
        return Err(Error::invalid("--dataset", why));
    }
    Ok(Rows {
        fit: data.train,
        held_out: Some(data.val),
        name: name.to_string(),
    })
}

/// The rows of `--data` in f64: all of them to fit, or some held out (`--val-fraction`,
/// `--val-data`).
fn csv_rows(args: &RegressArgs, path: &Path, seed: u64) -> Result<Rows> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("csv")
        .to_string();
    if args.val_fraction.is_none() && args.val_data.is_none() {
        let data = csv_file::read_table(
            path,
            args.target.as_deref(),
            (args.features.as_ref().map(|c| &c.0[..]), None), // no --one-hot here
            Some(Task::Regression),
            (args.csv.format(), Missing::Unfillable),
        )?;
        return Ok(Rows {
            fit: exactly(&Subset::all(data), path, args.csv.format())?,
            held_out: None,
            name,
        });
    }
    let source = DataSource::Csv {
        path: path.to_path_buf(),
        target: args.target.clone(),
        features: args.features.clone().map(|c| c.0),
        one_hot: Vec::new(),
        task: Some(Task::Regression),
        val_fraction: args.val_fraction.unwrap_or(0.0),
        val_path: args.val_data.clone(),
        seed,
        standardize: false,
        standardize_target: false,
        impute: None,
        delimiter: args.csv.delimiter.map(char::from),
        decimal: args.csv.decimal.map(char::from),
    };
    let data = source.load_numbers_only()?;
    let fit = exactly(&data.train, path, args.csv.format())?;
    let held_out = match &args.val_data {
        Some(val_path) => exactly(&data.val, val_path, args.csv.format())?,
        None => Subset::of(&fit.data, data.val.rows.to_vec()), // the same file's other rows
    };
    Ok(Rows {
        fit,
        held_out: Some(held_out),
        name,
    })
}

/// A cell of text in the target (a feature's says how to leave it out): what `train` learns
/// of such a column, its classes.
fn text_target(e: Error, args: &RegressArgs) -> Error {
    let (at, refused, path) = match (e, &args.data) {
        (
            Error::Cell {
                at,
                refused,
                target: true,
            },
            Some(path),
        ) if refused.fault == Fault::Text => (at, *refused, path),
        (e, _) => return e,
    };
    let target =
        (args.target.as_deref()).map_or(String::new(), |t| format!(" --target {}", quote(t)));
    let flags = target + &args.csv.flags();
    let way = format!(
        "regress fits a number: `plaindnn train --data {}{flags}` learns a column of text as \
         classes",
        quote_path(path)
    );
    Error::Cell {
        at,
        refused: Box::new(refused.or(&way)),
        target: true,
    }
}

/// The warning where `--val-data` holds the same bytes as `--data` (as `train` warns).
fn same_file(args: &RegressArgs) -> Option<String> {
    let (path, val) = (args.data.as_deref()?, args.val_data.as_deref()?);
    plaindnn::data::fingerprint::same_bytes(path, val).then(|| {
        format!(
            "--val-data {} holds the same rows as --data {}: the held-out scores are of the \
             fitted rows, and say nothing of new ones; give other rows, or hold out \
             --val-fraction of these",
            val.display(),
            path.display()
        )
    })
}

/// `rows` with their file's values in f64, as written: the fit is computed in f64, and f32 would
/// round a timestamp's last digits away.
fn exactly(rows: &Subset, path: &Path, format: CsvFormat) -> Result<Subset> {
    let mut data = (*rows.data).clone();
    data.exact = Some(Arc::new(csv_file::read_exact(path, &data, format)?));
    Ok(Subset::of(&Arc::new(data), rows.rows.to_vec()))
}

/// Seconds between two progress lines of a long gradient descent (a short one says nothing).
const TOLD_EVERY: f64 = 5.0;

/// A long gradient descent's progress, on standard error (standard output may be `--json`'s).
fn told(p: &gd::Progress) {
    let left = p.seconds / p.iteration as f64 * (p.iterations - p.iteration) as f64;
    eprintln!(
        "gradient descent: step {} of {}, loss {}, {:.0} s in, about {:.0} s left",
        p.iteration,
        p.iterations,
        Decimals(p.loss),
        p.seconds,
        left
    );
}

pub fn run(args: RegressArgs) -> Result<()> {
    check(&args)?;
    let rows = rows(&args).map_err(|e| text_target(e, &args))?;
    let options = FitOptions {
        degree: args.degree,
        interactions: args.interactions,
        ridge: args.ridge,
        method: args.method,
        iterations: args.iterations.unwrap_or(5000),
        lr: args.lr.unwrap_or(0.1),
        told: Some(gd::Told {
            every: TOLD_EVERY,
            tell: told,
        }),
    };
    let base = Path::new("artifacts/runs").join(format!("regress-{}", rows.name));
    // a default name another fit took at the same moment: the next free one, as `train`
    let start = |lost: Option<&Path>| {
        let out = match &args.out {
            Some(out) => RunDir::new(out),
            None if args.overwrite => RunDir::new(&base), // as `train --overwrite`
            None => RunDir::next_free(&base),
        };
        if let Some(lost) = lost {
            let (lost, out) = (lost.display(), out.root().display());
            // on standard error: standard output may be --json's one document
            eprintln!("{lost} was taken by a fit started at the same moment: fitting into {out}");
        }
        fit_locked(&args, (&rows, &options), &out)
    };
    default_named(start, args.out.is_none() && !args.overwrite)
}

/// Fits into `out` under its lock: one process per folder, as `train` (another regress or a
/// train into it meanwhile is refused, where the later save replaced the other's fit).
fn fit_locked(
    args: &RegressArgs,
    (rows, options): (&Rows, &FitOptions),
    out: &RunDir,
) -> Result<()> {
    let data = [("--data", &args.data), ("--val-data", &args.val_data)];
    let data: Vec<(&str, &Path)> = (data.iter())
        .filter_map(|(flag, path)| Some((*flag, path.as_deref()?)))
        .collect();
    out.refuse_data_inside(&data)?;
    if !args.overwrite {
        out.check_claim(false)?; // refused before fitting; with --overwrite, replaced after it
    }
    let made = made_folder(out.root());
    out.create()?;
    let result = RunLock::acquire(out.root()).and_then(|_lock| fit_into(args, rows, options, out));
    if result.is_err() {
        remove_made(out.root(), made); // left empty: a failed fit writes nothing
    }
    result
}

/// Fits `rows` and saves the fit into `out`, whose lock the caller holds.
fn fit_into(args: &RegressArgs, rows: &Rows, options: &FitOptions, out: &RunDir) -> Result<()> {
    if !args.overwrite {
        out.claim(false)?; // again, under the lock: a run saved there since is not replaced
    }
    let fitted = LinearModel::fit(&rows.fit, options)?;
    let model = &fitted.model;
    let train = model.scores(&rows.fit)?;
    let val = rows
        .held_out
        .as_ref()
        .map(|v| model.scores(v))
        .transpose()?;
    let held_out_rows = rows.held_out.as_ref().map(Subset::len);
    let warnings: Vec<String> = (fitted.fit.warnings.iter().cloned())
        .chain(same_file(args))
        .chain(undefined_r2("fitted", rows.fit.len(), "fit more rows"))
        .chain(held_out_rows.and_then(|n| undefined_r2("held-out", n, "hold out more rows")))
        .chain(colliding_keys(model))
        .collect();
    if args.overwrite {
        out.claim(true)?; // refused above without it
    }
    let out = out.root();
    model.save(out)?;
    let shown = match &rows.held_out {
        Some(held_out) => ("validation data", held_out),
        None => ("training data", &rows.fit),
    };
    let pictures = pictures(model, (shown, &fitted.losses), out).map_err(|e| {
        // a folder in a picture's way: the user should not think the fit was lost
        let saved = "the fit is saved (linear.json: predict and eval read it, and \
                     coefficients.json); what failed comes after it, at its pictures";
        Error::run(out, format!("{e}; {saved}"))
    })?;
    if args.json {
        return print_json(&json!({
            "equation": model.equation(),
            "coefficients": model.coefficient_map(),
            "rank": fitted.fit.rank,
            "condition": if fitted.fit.condition.is_finite() { json!(fitted.fit.condition) } else { json!(null) },
            "warnings": warnings,
            "rows": { "train": rows.fit.len(), "validation": held_out_rows },
            "train": train,
            "validation": val,
            "run": out,
        }));
    }
    print_text(&fitted, &warnings, &train, val.as_ref());
    println!(
        "saved {} (coefficients.json, linear.json, {pictures})",
        out.display()
    );
    Ok(())
}

/// Why `coefficients.json` keys a fit's terms as its equation writes them, if it does.
fn colliding_keys(model: &LinearModel) -> Option<String> {
    let names = model.colliding_keys();
    let listed = csv_file::first_few(&names, |n| format!("`{n}`"));
    (!names.is_empty()).then(|| {
        format!(
            "{listed} would key two coefficients each in coefficients.json (a column's name is \
             also a term's, or `intercept`): there each term is keyed as the equation writes it, \
             and the intercept as (Intercept), as R's coef() names it"
        )
    })
}

/// The pictures of a fit (`shown`: which rows, and gradient descent's losses, if any) into
/// `out`; their names.
fn pictures(
    model: &LinearModel,
    (shown, losses): ((&str, &Subset), &[f64]),
    out: &Path,
) -> Result<String> {
    let mut pictures = regression::pictures::write_fit(model, shown, out)?.to_string();
    if !losses.is_empty() {
        regression::pictures::write_losses(losses, out)?;
        pictures.push_str(", gd_loss.svg");
    }
    Ok(pictures)
}

/// A warning when `rows` rows leave R² undefined (NaN): it needs two, as scikit-learn's
/// `r2_score` ("not well-defined with less than two samples").
fn undefined_r2(which: &str, rows: usize, way_on: &str) -> Option<String> {
    let plural = if rows == 1 { "" } else { "s" };
    (rows < 2).then(|| {
        format!("R² of the {which} rows is undefined (NaN) with {rows} row{plural}: it needs two; {way_on}")
    })
}

/// The warnings, the equation, then R², RMSE and MAE of the fitted rows (and of the held-out
/// rows).
fn print_text(
    fitted: &Fitted,
    warnings: &[String],
    train: &RegressionScores,
    val: Option<&RegressionScores>,
) {
    warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    println!("{}", fitted.model.equation());
    let rows = match val {
        Some(val) => vec![("training", train), ("validation", val)],
        None => vec![("all rows", train)],
    };
    // a score beyond 1e9 or under 1e-4 with an exponent, as every command prints one; an R² of
    // -1e-15 is 0.0000, not -1.000e-15 (a fit that explains nothing, rounding aside)
    let shown = |v: f64| Decimals(v).to_string();
    let r2 = |v: f64| shown(if v.abs() < 1e-12 { 0.0 } else { v });
    let cells = |s: &RegressionScores| [r2(s.r2), shown(s.rmse), shown(s.mae)];
    let cells: Vec<(&str, [String; 3])> = rows.iter().map(|(l, s)| (*l, cells(s))).collect();
    // columns at least 8 wide, wider for a large RMSE, so they stay aligned
    let width = |j: usize| {
        cells
            .iter()
            .map(|(_, c)| c[j].len())
            .max()
            .unwrap_or(0)
            .max(8)
    };
    let (r2, rmse) = (width(0), width(1));
    println!("{:<10} {:<r2$} {:<rmse$} MAE", "", "R²", "RMSE");
    for (label, [a, b, c]) in &cells {
        println!("{label:<10} {a:<r2$} {b:<rmse$} {c}");
    }
}
