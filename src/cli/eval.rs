//! `plaindnn eval`: a run's scores on labelled rows (its own validation rows by default).

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::data::csv_file::{self, Categories, Labels};
use plaindnn::data::{DataSource, Dataset};
use plaindnn::decimals::Decimals;
use plaindnn::error::{Error, Result};
use plaindnn::inference::{Evaluation, Predictor, RegressionScores};
use plaindnn::regression::LinearModel;
use plaindnn::shell::quote_path;
use plaindnn::train::{DataInfo, Scores};
use serde::Serialize;

use super::data_args::{under_recorded_mark, CsvFlags};
use super::predict::refuse_backend_for_fit;
use super::{print_json, RunArgs};

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Labelled CSV (features and the target column; a `pretrain` run's input columns alone)
    /// [default: the run's validation data, made again from its data].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    #[command(flatten)]
    csv: CsvFlags,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

/// `eval --json`'s document: the classes in the order of the confusion matrix's rows and
/// columns, then the scores.
#[derive(Serialize)]
struct Scored<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    classes: &'a [String],
    /// What the loss is of where not the data's own units (the rest is in them).
    #[serde(skip_serializing_if = "Option::is_none")]
    loss_of: Option<&'static str>,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
}

/// What the loss is computed on where the network learnt standardised values: the loss it
/// learnt, while rmse and mae are in the data's own units.
fn loss_of(info: &DataInfo) -> Option<&'static str> {
    // MNIST-format pixels' fixed / 255, which an autoencoder of them keeps too
    let pixels = info.scaler.as_ref().and_then(|s| s.divisor()) == Some(255.0);
    match (
        info.target_scaler.is_some(),
        info.reconstructs && info.scaler.is_some(),
    ) {
        (true, _) => Some("the standardised target"),
        (false, true) if pixels => Some("the pixels / 255"),
        (false, true) => Some("the standardised inputs"),
        _ => None,
    }
}

pub fn eval(mut args: EvalArgs) -> Result<()> {
    if args.run.run.join("linear.json").is_file() {
        return eval_linear(&args);
    }
    let predictor = Predictor::open(&args.run.run, args.run.backend.unwrap_or_default())?;
    super::warn_if_training(&args.run.run);
    let inherited;
    (args.csv, inherited) = args
        .csv
        .or_recorded(&predictor.config.data.source, args.data.as_deref());
    let evaluation = evaluate(&predictor, &args).map_err(|e| {
        let info = &predictor.config.data;
        let lines = || {
            let (Some(path), inputs) = (&args.data, (&info.feature_names[..], &info.one_hot[..]))
            else {
                return Vec::new();
            };
            let reading = (args.csv.format(), predictor.missing());
            csv_file::read_features(path, inputs, None, reading).map_or(Vec::new(), |c| c.lines)
        };
        let e = super::predict::at_line(e, args.data.as_deref(), lines);
        match inherited {
            true => under_recorded_mark(e, "eval"),
            false => e,
        }
    })?;
    if args.json {
        return print_json(&Scored {
            classes: &predictor.config.data.class_names,
            loss_of: loss_of(&predictor.config.data),
            evaluation: &evaluation,
        });
    }
    print_scores(&evaluation, &predictor.config.data);
    Ok(())
}

/// `e` with the way on where the rows have no target column: `predict` is for rows without one.
fn unlabelled(e: Error, target: &str, args: &EvalArgs) -> Error {
    match e {
        Error::NoColumn { ref name, .. } if name == target => Error::Data(format!(
            "{e}; eval scores rows against their `{target}` (rename the column if it is there \
             under another name): `plaindnn predict --run {} --data {}` predicts rows without it",
            quote_path(&args.run.run),
            args.data.as_deref().map_or(String::new(), quote_path)
        )),
        e => e,
    }
}

/// `rows` of `path` with the inputs the run standardises from their values as written
/// ([`Predictor::exact_columns`]: a timestamp f32 reads in steps of 128).
fn exactly(
    mut rows: Dataset,
    predictor: &Predictor,
    path: &Path,
    args: &EvalArgs,
) -> Result<Dataset> {
    let (columns, names) = (predictor.exact_columns(), predictor.feature_names());
    let exact = csv_file::read_exact_columns(path, names, &columns, args.csv.format())?;
    rows.exact_columns = exact.map(std::sync::Arc::new);
    Ok(rows)
}

/// Scores the rows of `--data`, or else the run's own validation rows while its data is unchanged.
fn evaluate(predictor: &Predictor, args: &EvalArgs) -> Result<Evaluation> {
    let info = &predictor.config.data;
    // a built-in set's classes may be given by index, as `datasets --export` writes them
    let labels = match info.source {
        DataSource::Builtin { .. } => Labels::NamesOrIndices,
        _ => Labels::Names,
    };
    let evaluation = match &args.data {
        Some(path) if info.reconstructs => {
            let rows = csv_file::read_inputs(
                path,
                (Some(&info.feature_names), Categories::Known(&info.one_hot)),
                (args.csv.format(), predictor.missing()),
            )?;
            let at = |r: usize| format!("{}: row {}", path.display(), r + 1);
            super::pixels::check(info, &rows.features, &info.feature_names, &at)?;
            predictor.evaluate(exactly(rows, predictor, path, args)?)?
        }
        Some(path) => {
            let rows = csv_file::read_labelled(
                path,
                (&info.feature_names, &info.one_hot),
                &info.target,
                info.task,
                (&info.class_names, labels),
                (args.csv.format(), predictor.missing()),
            )
            .map_err(|e| unlabelled(e, &info.target, args))?;
            let at = |r: usize| format!("{}: row {}", path.display(), r + 1);
            super::pixels::check(info, &rows.features, &info.feature_names, &at)?;
            predictor.evaluate(exactly(rows, predictor, path, args)?)?
        }
        None if info.source.missing().is_some() => {
            let why = format!(
                "{}: the run's data is no longer there, so its validation rows are not known: \
                 give the rows to score with --data FILE.csv",
                info.source
                    .missing()
                    .map_or(String::new(), |p| p.display().to_string())
            );
            return Err(Error::Data(why));
        }
        None if !info.unchanged() => {
            let why = format!(
                "{} has changed since the run trained, so its validation rows are no longer \
                 known: give the rows to score with --data FILE.csv",
                info.source.describe_files()
            );
            return Err(Error::Data(why));
        }
        None => {
            let prepared = info.source.load()?;
            refuse_read_otherwise(info, &prepared.train.data.feature_names)?;
            let filled = prepared.val_imputed; // the loader filled them, as training's did
            Evaluation {
                filled,
                ..predictor.evaluate_prepared(prepared.val)?
            }
        }
    };
    Ok(evaluation)
}

/// Refuses the run's unchanged data where it reads as other inputs today (`now`: an older run
/// learnt the `--one-hot` categories `2` and `2.0` apart), with the way on: `--data` reads a
/// file with the run's own categories.
fn refuse_read_otherwise(info: &DataInfo, now: &[String]) -> Result<()> {
    if now == info.feature_names {
        return Ok(());
    }
    Err(Error::Data(format!(
        "{} is unchanged, but this version of plaindnn reads its inputs as {} where the run read \
         {}: score its rows with --data {0}, which reads them with the run's own categories",
        info.source.describe(),
        plaindnn::inference::abbreviate(now),
        plaindnn::inference::abbreviate(&info.feature_names)
    )))
}

/// The most classes whose confusion matrix `eval` prints as a table: 30 columns of 8
/// characters fill a wide terminal (10 000 classes printed 800 MB).
const MAX_TABLE_CLASSES: usize = 30;

/// Loss, accuracy or the regression's errors, and the confusion matrix, as a table.
fn print_scores(evaluation: &Evaluation, info: &DataInfo) {
    let s = &evaluation.scores;
    println!("rows      {}", s.rows);
    if let Some(imputer) = info.imputer.as_ref().filter(|_| evaluation.filled > 0) {
        let cells = plaindnn::plural::count(evaluation.filled, "missing cell");
        let strategy = imputer.strategy.name();
        println!("filled    {cells}, with the training rows' {strategy}s");
    }
    match loss_of(info) {
        Some(of) => println!("loss      {}  (of {of})", shown(s.loss)),
        None => println!("loss      {}", shown(s.loss)),
    }
    if let Some(accuracy) = s.accuracy {
        println!("accuracy  {:.2}%", accuracy * 100.0);
    }
    if let Some(r) = &evaluation.regression {
        println!("rmse      {}", shown(r.rmse));
        println!("mae       {}", shown(r.mae));
        print_r2(r.r2, s.rows);
    }
    let classes = evaluation.confusion.len();
    if classes > MAX_TABLE_CLASSES {
        println!(
            "confusion matrix: {classes} classes, too many for a table here (at most \
             {MAX_TABLE_CLASSES}); `--json` holds it"
        );
    } else if classes > 0 {
        println!(
            "confusion matrix (rows: true {}, columns: predicted)",
            info.target
        );
        // columns as wide as the longest class name, and a space between them
        let names = &info.class_names;
        let w = 1 + names
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
            .max(7);
        print!("{:>w$}", "");
        names.iter().for_each(|c| print!("{c:>w$}"));
        println!();
        for (class, row) in names.iter().zip(&evaluation.confusion) {
            print!("{class:>w$}");
            row.iter().for_each(|n| print!("{n:>w$}"));
            println!();
        }
    }
}

/// `eval` on a run written by `plaindnn regress`: R², RMSE and MAE of the rows of `--data`, in
/// f64 as the fit (scikit-learn's `score(X, y)` is the R²).
fn eval_linear(args: &EvalArgs) -> Result<()> {
    refuse_backend_for_fit(args.run.backend)?;
    let model = LinearModel::load(&args.run.run)?;
    let Some(path) = &args.data else {
        let why = "a `regress` fit does not keep the rows it saw: give the rows to score with \
                   --data FILE.csv (the features and the target column)";
        return Err(Error::invalid("--data", why));
    };
    let target = model.target.as_str();
    let columns = csv_file::read_columns_f64(path, &model.inputs, Some(target), args.csv.format())?;
    let y = columns.target_numbers(path, target, csv_file::read_f64)?;
    let predicted = (model.predict(&columns.features))
        .map_err(|e| super::predict::at_line(e, Some(path), || columns.lines.clone()))?;
    let scores = RegressionScores::of_f64(&y, &predicted);
    if args.json {
        // the shape a network's regression has: the loss (least squares': the MSE) and rows in
        // `scores`, RMSE, MAE and R² beside
        return print_json(&Evaluation {
            scores: Scores {
                loss: scores.rmse * scores.rmse,
                accuracy: None,
                rmse: Some(scores.rmse),
                rows: y.len(),
            },
            confusion: vec![],
            regression: Some(scores),
            filled: 0,
        });
    }
    println!("rows      {}", y.len());
    println!("rmse      {}", shown(scores.rmse));
    println!("mae       {}", shown(scores.mae));
    print_r2(scores.r2, y.len());
    Ok(())
}

/// R² of `rows` rows; of one row it is not defined (1 − 0/0), and the line says why.
fn print_r2(r2: f64, rows: usize) {
    match rows {
        0 | 1 => println!(
            "r2        NaN  (one row: R² compares the errors with the rows' spread, which one \
             row has not; scikit-learn's r2_score is NaN too)"
        ),
        _ => println!("r2        {}", shown(r2)),
    }
}

/// A score as every command prints one ([`Decimals`]).
fn shown(v: f64) -> String {
    Decimals(v).to_string()
}
