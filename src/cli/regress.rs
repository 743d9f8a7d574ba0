//! `plaindnn regress`: the regression ladder — least squares or gradient descent, printed as an
//! equation, with its scores, a picture and the coefficients in a run directory.

use std::path::{Path, PathBuf};

use clap::Args;
use plaindnn::data::{DataSource, Subset, Task};
use plaindnn::error::Result;
use plaindnn::plot::{curve_chart, line_chart, Series};
use plaindnn::regression::{self, FitOptions, LinearModel, Method};
use plaindnn::train::checkpoint::write_atomic;
use serde_json::json;

use super::print_json;

#[derive(Args, Debug)]
pub struct RegressArgs {
    /// A CSV file with a header row.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// A built-in regression set instead: line or cubic.
    #[arg(long)]
    dataset: Option<String>,
    /// The column to predict [default: the last].
    #[arg(long, value_name = "COLUMN")]
    target: Option<String>,
    /// Input columns [default: all but the target].
    #[arg(long, value_delimiter = ',', value_name = "A,B,..")]
    features: Option<Vec<String>>,
    /// Polynomial degree (1: a line or plane).
    #[arg(long, default_value_t = 1)]
    degree: u32,
    /// With several inputs, add the mixed terms (a·b, …) too.
    #[arg(long)]
    interactions: bool,
    /// Ridge (L2) penalty λ on the coefficients.
    #[arg(long, default_value_t = 0.0)]
    ridge: f64,
    /// lstsq (closed form, QR + SVD) or gd (gradient descent on Burn).
    #[arg(long, default_value = "lstsq")]
    method: Method,
    /// Gradient descent: steps.
    #[arg(long, default_value_t = 5000)]
    iterations: usize,
    /// Gradient descent: step size (on standardised columns).
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    /// Seed of the 80/20 split.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Run directory [default: artifacts/runs/regress-<name>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: RegressArgs) -> Result<()> {
    let (source, name) = match (&args.data, &args.dataset) {
        (Some(path), _) => {
            let source = DataSource::Csv {
                path: path.clone(),
                target: args.target.clone(),
                features: args.features.clone(),
                task: Some(Task::Regression),
                val_fraction: 0.2,
                val_path: None,
                seed: args.seed,
                standardize: false,
            };
            (
                source,
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("csv")
                    .to_string(),
            )
        }
        (None, name) => {
            let name = name.clone().unwrap_or_else(|| "line".into());
            (DataSource::builtin(&name, args.seed)?, name)
        }
    };
    let data = source.load()?;
    let options = FitOptions {
        degree: args.degree,
        interactions: args.interactions,
        ridge: args.ridge,
        method: args.method,
        iterations: args.iterations,
        lr: args.lr,
    };
    let fitted = LinearModel::fit(&data.train, &options)?;
    let model = &fitted.model;
    let (train, val) = (model.scores(&data.train)?, model.scores(&data.val)?);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("artifacts/runs").join(format!("regress-{name}")));
    model.save(&out)?;
    let picture = draw(model, &data.val, &out)?;
    if !fitted.losses.is_empty() {
        let points = fitted
            .losses
            .iter()
            .enumerate()
            .map(|(i, l)| (i as f64 + 1.0, l.max(1e-300).log10()))
            .collect();
        let chart = line_chart(
            "Gradient descent: loss per iteration",
            "iteration",
            "log10 MSE",
            &[Series {
                label: "training MSE",
                color: "#2171b5",
                points,
                dots: false,
            }],
        );
        write_atomic(&out.join("gd_loss.svg"), chart.as_bytes())?;
    }
    if args.json {
        return print_json(&json!({
            "equation": model.equation(),
            "coefficients": model.coefficient_map(),
            "rank": fitted.fit.rank,
            "condition": if fitted.fit.condition.is_finite() { json!(fitted.fit.condition) } else { json!(null) },
            "warnings": fitted.fit.warnings,
            "train": train,
            "validation": val,
            "run": out,
        }));
    }
    fitted
        .fit
        .warnings
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    println!("{}", model.equation());
    println!("           R²       RMSE     MAE");
    println!(
        "training   {:<8.4} {:<8.4} {:.4}",
        train.r2, train.rmse, train.mae
    );
    println!(
        "validation {:<8.4} {:<8.4} {:.4}",
        val.r2, val.rmse, val.mae
    );
    println!(
        "saved {} (coefficients.json, linear.json, {picture})",
        out.display()
    );
    Ok(())
}

/// One input: the data and the fitted curve; several: predicted against actual.
fn draw(model: &LinearModel, rows: &Subset, out: &Path) -> Result<&'static str> {
    let (x, y) = regression::columns(rows)?;
    let k = model.inputs.len();
    let (name, svg) = if k == 1 {
        let (lo, hi) = x
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let grid: Vec<f64> = (0..=200)
            .map(|i| lo + (hi - lo) * i as f64 / 200.0)
            .collect();
        let curve = grid.iter().copied().zip(model.predict(&grid)).collect();
        let points = x.iter().copied().zip(y.iter().copied()).collect();
        let chart = curve_chart(
            &model.equation(),
            (&model.inputs[0], &model.target),
            points,
            curve,
        );
        ("fit.svg", chart)
    } else {
        let predicted = model.predict(&x);
        let (lo, hi) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let chart = line_chart(
            "Predicted against actual (validation)",
            "actual",
            "predicted",
            &[
                Series {
                    label: "rows",
                    color: "#2171b5",
                    points: y.iter().copied().zip(predicted).collect(),
                    dots: true,
                },
                Series {
                    label: "perfect",
                    color: "#999999",
                    points: vec![(lo, lo), (hi, hi)],
                    dots: false,
                },
            ],
        );
        ("predicted_vs_actual.svg", chart)
    };
    write_atomic(&out.join(name), svg.as_bytes())?;
    Ok(name)
}
