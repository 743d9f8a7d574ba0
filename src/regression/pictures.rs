//! The regression ladder's pictures: the data with the fitted curve (one input) or predicted
//! against actual (several), and gradient descent's loss per iteration.

use std::path::Path;

use super::{columns, LinearModel};
use crate::data::Subset;
use crate::error::Result;
use crate::files::write_atomic;
use crate::plot::{curve_chart, drawn, drawn_note, line_chart, predicted_chart, Series};

/// `gd_loss.svg` in `out`: log₁₀ of the training MSE per iteration.
pub fn write_losses(losses: &[f64], out: &Path) -> Result<()> {
    let points = losses
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
    write_atomic(&out.join("gd_loss.svg"), chart.as_bytes())
}

/// `fit.svg` (one input: the rows and the curve) or `predicted_vs_actual.svg` (several) in
/// `out`, at most [`crate::plot::MAX_DOTS`] rows drawn (the title says how many of how many);
/// `rows` are named `label` ("training data", or "validation data" when held out). Returns the
/// file name.
pub fn write_fit(
    model: &LinearModel,
    (label, rows): (&str, &Subset),
    out: &Path,
) -> Result<&'static str> {
    let shown = drawn(rows.len())
        .into_iter()
        .map(|i| rows.rows[i])
        .collect();
    let (x, y) = columns(&Subset::of(&rows.data, shown))?;
    let note = drawn_note(rows.len());
    let (name, svg) = match model.inputs.len() {
        1 => ("fit.svg", fitted_curve(model, (label, &x, &y), &note)?),
        _ => (
            "predicted_vs_actual.svg",
            predicted_vs_actual(model, &x, &y, &note)?,
        ),
    };
    write_atomic(&out.join(name), svg.as_bytes())?;
    Ok(name)
}

/// The rows (x, y) and the model's curve over their range.
fn fitted_curve(
    model: &LinearModel,
    (label, x, y): (&str, &[f64], &[f64]),
    note: &str,
) -> Result<String> {
    let (lo, hi) = range(x);
    let grid: Vec<f64> = (0..=200)
        .map(|i| lo + (hi - lo) * i as f64 / 200.0)
        .collect();
    let curve = grid.iter().copied().zip(model.values(&grid)?).collect();
    let points = x.iter().copied().zip(y.iter().copied()).collect();
    Ok(curve_chart(
        &format!("{}{note}", model.equation()),
        (&model.inputs[0], &model.target),
        (label, points),
        curve,
    ))
}

/// Each row's prediction against its value, with the diagonal a perfect fit would lie on.
fn predicted_vs_actual(model: &LinearModel, x: &[f64], y: &[f64], note: &str) -> Result<String> {
    let points = y.iter().copied().zip(model.values(x)?).collect();
    Ok(predicted_chart(
        &format!("Predicted against actual{note}"),
        "actual",
        points,
    ))
}

fn range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        })
}
