//! The pictures every run leaves in its directory: loss curves, the headline metric, for 2-D
//! classification the decision regions with the validation points on top, for a regression its
//! fit (one input), its output over the plane (two) and predicted against actual (two or more).
//! Inputs and targets are drawn in the data's own units, not the standardised ones the network
//! sees.

use std::path::PathBuf;

use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Tensor, TensorData};

use super::diagnostics::LayerRow;
use super::epoch_loop::FitOutcome;
use super::history::EpochRow;
use super::observer::{DecisionGrid, UnitGrids};
use super::run_config::DataInfo;
use super::run_dir::RunDir;
use crate::data::{Scaler, Subset, Targets, Task};
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::model::{read_f32, Mlp};
use crate::plot::{
    class_map, curve_chart, drawn, drawn_note, line_chart, predicted_chart, value_map, ClassMap,
    Series, ValueMap,
};

/// Grid cells per side of the decision-region picture.
const GRID: usize = 80;

/// Writes `loss.svg`, `accuracy.svg` or `rmse.svg`, `grad_norms.svg` with diagnostics, and the
/// pictures of what the network computes (`model_pictures`); returns the files.
/// `units` holds the scalers that map inputs and outputs back to the data's units.
pub fn write(
    run: &RunDir,
    units: &DataInfo,
    outcome: &FitOutcome,
    model: &Mlp,
    val: &Subset,
) -> Result<Vec<PathBuf>> {
    let task = units.task;
    let rows = &outcome.rows;
    let mut written = Vec::new();
    let epochs = |f: fn(&EpochRow) -> f64| {
        rows.iter()
            .map(|r| (r.epoch as f64, f(r)))
            .collect::<Vec<_>>()
    };
    let loss = line_chart(
        "Loss per epoch",
        "epoch",
        "loss",
        &[
            Series {
                label: "training",
                color: "#2171b5",
                points: epochs(|r| r.train_loss),
                dots: false,
            },
            Series {
                label: "validation",
                color: "#d94801",
                points: epochs(|r| r.val_loss),
                dots: false,
            },
        ],
    );
    written.push(save(run, "loss.svg", &loss)?);
    let (name, label) = match task {
        Task::Classification => ("accuracy.svg", "validation accuracy"),
        Task::Regression => ("rmse.svg", "validation RMSE"),
    };
    let metric = line_chart(
        label,
        "epoch",
        label,
        &[Series {
            label,
            color: "#238b45",
            points: epochs(|r| r.val_metric),
            dots: false,
        }],
    );
    written.push(save(run, name, &metric)?);
    if !outcome.diagnostics.is_empty() {
        written.push(save(
            run,
            "grad_norms.svg",
            &gradient_chart(&outcome.diagnostics),
        )?);
    }
    for (name, svg) in model_pictures(model, val, units)? {
        written.push(save(run, name, &svg)?);
    }
    Ok(written)
}

/// What the network computes over the validation rows: `decision_regions.svg` for two inputs
/// and classes; for a regression `fit.svg` (one input), and with one target `output_plane.svg`
/// (two inputs) and `predicted_vs_actual.svg` (two or more); none for an autoencoder or no rows.
fn model_pictures(
    model: &Mlp,
    val: &Subset,
    units: &DataInfo,
) -> Result<Vec<(&'static str, String)>> {
    let (width, one_target) = (val.data.width(), val.data.outputs() == 1);
    if val.is_empty() || units.reconstructs {
        return Ok(Vec::new());
    }
    let mut pictures = Vec::new();
    match units.task {
        Task::Classification if width == 2 => pictures.push((
            "decision_regions.svg",
            regions(model, val, units.scaler.as_ref())?,
        )),
        Task::Regression if width == 1 => {
            pictures.push(("fit.svg", fitted_curve(model, val, units)?))
        }
        Task::Regression if one_target => {
            if width == 2 {
                pictures.push(("output_plane.svg", output_plane(model, val, units)?));
            }
            pictures.push((
                "predicted_vs_actual.svg",
                predicted_vs_actual(model, val, units)?,
            ));
        }
        _ => {}
    }
    Ok(pictures)
}

const PALETTE: [&str; 6] = [
    "#2171b5", "#d94801", "#238b45", "#6a51a3", "#cb181d", "#525252",
];

/// log₁₀ of each layer's gradient norm per epoch: vanishing gradients show as a gap between lines.
fn gradient_chart(rows: &[LayerRow]) -> String {
    let mut layers: Vec<&str> = Vec::new();
    rows.iter().for_each(|r| {
        if !layers.contains(&r.layer.as_str()) {
            layers.push(&r.layer);
        }
    });
    let series: Vec<Series> = layers
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            label: name,
            color: PALETTE[i % PALETTE.len()],
            points: rows
                .iter()
                .filter(|r| r.layer == *name && r.grad_norm > 0.0)
                .map(|r| (r.epoch as f64, r.grad_norm.log10()))
                .collect(),
            dots: false,
        })
        .collect();
    // log10 0 is −∞: say which epochs have a norm the chart cannot draw
    let mut zero: Vec<usize> = (rows.iter().filter(|r| r.grad_norm == 0.0))
        .map(|r| r.epoch)
        .collect();
    zero.sort_unstable();
    zero.dedup();
    let title = match zero.is_empty() {
        true => "Gradient norm per layer (log10)".to_string(),
        false => format!(
            "Gradient norm per layer (log10; a norm of 0, not drawn, in epochs {})",
            spans(&zero)
        ),
    };
    line_chart(&title, "epoch", "log10 ‖∂loss/∂W‖", &series)
}

/// Ascending numbers as runs: `1–3, 7`.
fn spans(numbers: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let run = |&(a, b): &(usize, usize)| match a == b {
        true => a.to_string(),
        false => format!("{a}–{b}"),
    };
    runs.iter().map(run).collect::<Vec<_>>().join(", ")
}

/// Column `column`'s value `z` in the data's own units (as it is without a scaler).
fn original(scaler: Option<&Scaler>, column: usize, z: f64) -> f64 {
    scaler.map_or(z, |s| s.original(column, z))
}

/// One input, one output: the validation points and the network's curve through them.
fn fitted_curve(model: &Mlp, val: &Subset, units: &DataInfo) -> Result<String> {
    let data = &val.data;
    let Targets::Values { values, width } = &data.targets else {
        return Err(Error::Training(
            "a fitted curve needs regression targets".into(),
        ));
    };
    let points: Vec<(f64, f64)> = drawn(val.len())
        .into_iter()
        .map(|i| val.rows[i])
        .map(|r| (data.row(r)[0] as f64, values[r * width] as f64))
        .collect();
    let (inputs, outputs) = (units.scaler.as_ref(), units.output_scaler());
    let shown = |(x, y): (f64, f64)| (original(inputs, 0, x), original(outputs, 0, y));
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let xs: Vec<f32> = (0..=200)
        .map(|i| (lo + (hi - lo) * i as f64 / 200.0) as f32)
        .collect();
    let device = device_of(model)?;
    let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [xs.len(), 1]), &device);
    let ys = read_f32(model.forward(x), "the fitted curve")?;
    let curve: Vec<(f64, f64)> = xs
        .iter()
        .zip(ys.iter().step_by((*width).max(1)))
        .map(|(&x, &y)| shown((x as f64, y as f64)))
        .collect();
    let name = &data.feature_names[0];
    Ok(curve_chart(
        &format!(
            "The data and the network's fitted curve{}",
            drawn_note(val.len())
        ),
        (name, &data.target_name),
        ("validation data", points.into_iter().map(shown).collect()),
        curve,
    ))
}

/// The validation rows' targets: a regression's values, one per row.
fn target_values(val: &Subset) -> Result<&[f32]> {
    match &val.data.targets {
        Targets::Values { values, width: 1 } => Ok(values),
        _ => Err(Error::Training(
            "this picture needs one regression target".into(),
        )),
    }
}

/// The network's output over the plane of its two inputs, the validation points on top, on one
/// orange-to-blue scale in the target's units.
fn output_plane(model: &Mlp, val: &Subset, units: &DataInfo) -> Result<String> {
    let targets = target_values(val)?;
    let Some(grid) = decision_grid(model, val, (GRID, None))? else {
        return Err(Error::Training(
            "an output plane needs two inputs and one target".into(),
        ));
    };
    let (inputs, outputs) = (units.scaler.as_ref(), units.output_scaler());
    let data = &val.data;
    let points: Vec<(f64, f64, f64)> = drawn(val.len())
        .into_iter()
        .map(|i| val.rows[i])
        .map(|r| {
            let at = |j: usize| original(inputs, j, data.row(r)[j] as f64);
            (at(0), at(1), original(outputs, 0, targets[r] as f64))
        })
        .collect();
    let values: Vec<f64> = (grid.values.iter())
        .map(|&v| original(outputs, 0, v as f64))
        .collect();
    let range = |j: usize, (lo, hi): (f64, f64)| (original(inputs, j, lo), original(inputs, j, hi));
    Ok(value_map(&ValueMap {
        title: &format!(
            "The network's output over the plane (validation points on top){}",
            drawn_note(val.len())
        ),
        axes: (&data.feature_names[0], &data.feature_names[1]),
        name: &data.target_name,
        x_range: range(0, grid.x_range),
        y_range: range(1, grid.y_range),
        n: grid.n,
        values: &values,
        points: &points,
    }))
}

/// Each validation row's prediction against its value, in the target's units, with the
/// diagonal a perfect fit would lie on (as `regress` draws it).
fn predicted_vs_actual(model: &Mlp, val: &Subset, units: &DataInfo) -> Result<String> {
    let targets = target_values(val)?;
    let rows: Vec<usize> = drawn(val.len()).into_iter().map(|i| val.rows[i]).collect();
    let device = device_of(model)?;
    let width = val.data.width();
    let x: Vec<f32> = rows
        .iter()
        .flat_map(|&r| val.data.row(r).to_vec())
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(x, [rows.len(), width]), &device);
    let predicted = read_f32(model.forward(x), "the predictions")?;
    let outputs = units.output_scaler();
    let shown = |v: f32| original(outputs, 0, v as f64);
    let points: Vec<(f64, f64)> = (rows.iter().zip(&predicted))
        .map(|(&r, &p)| (shown(targets[r]), shown(p)))
        .collect();
    let title = format!(
        "Predicted against actual, validation rows{}",
        drawn_note(val.len())
    );
    let actual = format!("actual {}", val.data.target_name);
    Ok(predicted_chart(&title, &actual, points))
}

/// The device the model's weights are on, for the points it is asked about.
fn device_of(model: &Mlp) -> Result<burn::tensor::Device> {
    (model.devices().into_iter().next())
        .ok_or_else(|| Error::ModelMismatch("the model has no device".into()))
}

fn save(run: &RunDir, name: &str, svg: &str) -> Result<PathBuf> {
    let path = run.root().join(name);
    write_atomic(&path, svg.as_bytes())?;
    Ok(path)
}

/// The class the network gives each cell of an `n × n` grid over the validation points' range
/// (5 % margin) and its probability, or a regression's value there, and with `units` each input's
/// and hidden unit's value over `units × units` cells of the same plane; `None` unless the data
/// are two inputs with classes or one regression target.
pub fn decision_grid(
    model: &Mlp,
    val: &Subset,
    (n, units): (usize, Option<usize>),
) -> Result<Option<DecisionGrid>> {
    let Some(plane) = Plane::over(val) else {
        return Ok(None);
    };
    let device = device_of(model)?;
    let outputs = model.forward(plane.cells(n, &device));
    let (classes, confidence, values) = match val.data.task() {
        Task::Classification => {
            let sure = softmax(outputs.clone(), 1).max_dim(1);
            let sure = read_f32(sure, "the decision grid's probabilities")?;
            (argmax(outputs)?, sure, Vec::new())
        }
        Task::Regression => (
            Vec::new(),
            Vec::new(),
            read_f32(outputs, "the grid's values")?,
        ),
    };
    let units = units.map(|m| unit_grids(model, plane.cells(m, &device), m));
    Ok(Some(DecisionGrid {
        x_range: plane.x_range,
        y_range: plane.y_range,
        n,
        classes,
        confidence,
        values,
        units: units.transpose()?,
    }))
}

/// The index of each row's largest output.
fn argmax(outputs: Tensor<2>) -> Result<Vec<usize>> {
    let classes = (outputs.argmax(1).into_data().convert::<i64>())
        .try_to_vec::<i64>()
        .map_err(|e| Error::Readback {
            what: "the decision grid".into(),
            message: format!("{e:?}"),
        })?;
    Ok(classes.into_iter().map(|c| c as usize).collect())
}

/// Each input's and hidden unit's value at the `n × n` cell centres `cells`.
fn unit_grids(model: &Mlp, cells: Tensor<2>, n: usize) -> Result<UnitGrids> {
    let inputs = by_unit(model.features.expand(cells.clone()), "the inputs")?;
    let layers = (model.hidden_outputs(cells).into_iter())
        .map(|h| by_unit(h, "a hidden layer's outputs"))
        .collect::<Result<_>>()?;
    Ok(UnitGrids { n, inputs, layers })
}

/// `[cells, units]` as one vector of cells per unit.
fn by_unit(h: Tensor<2>, what: &str) -> Result<Vec<Vec<f32>>> {
    let units = h.dims()[1];
    let values = read_f32(h, what)?;
    let unit = |u: usize| values.iter().skip(u).step_by(units).copied().collect();
    Ok((0..units).map(unit).collect())
}

/// The plane the decision grid covers: the validation points' range, 5 % margin.
struct Plane {
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Plane {
    /// `None` unless the data are two inputs with classes or one regression target.
    fn over(val: &Subset) -> Option<Plane> {
        let data = &val.data;
        let one_output = data.task() == Task::Classification || data.outputs() == 1;
        if data.width() != 2 || !one_output || val.is_empty() {
            return None;
        }
        let span = |column: usize| {
            let (lo, hi) = val
                .rows
                .iter()
                .map(|&r| data.row(r)[column] as f64)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            let pad = ((hi - lo) * 0.05).max(1e-3);
            (lo - pad, hi + pad)
        };
        Some(Plane {
            x_range: span(0),
            y_range: span(1),
        })
    }

    /// The centres of `n × n` cells, column by column: `[n², 2]`.
    fn cells(&self, n: usize, device: &burn::tensor::Device) -> Tensor<2> {
        let centre = |k: usize, (lo, hi): (f64, f64)| lo + (k as f64 + 0.5) / n as f64 * (hi - lo);
        let cells: Vec<f32> = (0..n * n)
            .flat_map(|c| [centre(c / n, self.x_range), centre(c % n, self.y_range)])
            .map(|v| v as f32)
            .collect();
        Tensor::<2>::from_data(TensorData::new(cells, [n * n, 2]), device)
    }
}

/// The decision grid drawn with the validation points on top.
fn regions(model: &Mlp, val: &Subset, inputs: Option<&Scaler>) -> Result<String> {
    let Some(grid) = decision_grid(model, val, (GRID, None))? else {
        return Err(Error::Training(
            "decision regions need two inputs and classes".into(),
        ));
    };
    let data = &val.data;
    let class = |r: usize| match &data.targets {
        Targets::Classes(c) => c[r] as usize,
        Targets::Values { .. } => 0,
    };
    let points: Vec<(f64, f64, usize)> = drawn(val.len())
        .into_iter()
        .map(|i| val.rows[i])
        .map(|r| {
            let at = |j: usize| original(inputs, j, data.row(r)[j] as f64);
            (at(0), at(1), class(r))
        })
        .collect();
    let title = format!(
        "Decision regions (validation points on top){}",
        drawn_note(val.len())
    );
    let range = |j: usize, (lo, hi): (f64, f64)| (original(inputs, j, lo), original(inputs, j, hi));
    let (xn, yn) = (&data.feature_names[0], &data.feature_names[1]);
    Ok(class_map(&ClassMap {
        title: &title,
        axes: (xn, yn),
        class_names: &data.class_names,
        x_range: range(0, grid.x_range),
        y_range: range(1, grid.y_range),
        n: grid.n,
        classes: &grid.classes,
        points: &points,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_read_as_runs() {
        assert_eq!(spans(&[4, 5]), "4–5");
        assert_eq!(spans(&[1, 2, 3, 7, 9, 10]), "1–3, 7, 9–10");
        assert_eq!(spans(&[2]), "2");
    }
}
