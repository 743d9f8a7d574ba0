//! `predict` on a run written by `plaindnn regress`: a least-squares fit, in f64.

use plaindnn::backend::Backend;
use plaindnn::data::csv_file::{self, Missing};
use plaindnn::error::{Error, Result};
use plaindnn::regression::LinearModel;

use super::super::{is_stdout, print_json};
use super::input::parse_row;
use super::output::{given_cells, short, summarise, write_csv};
use super::{at_row, PredictArgs};

/// A fit's prediction to four decimals (a timestamp's every digit), else where that would print
/// 17 digits or more, or none, to seven significant digits and an exponent (`1.5e30`; it was
/// printed with 31 digits and four decimals).
fn fitted(y: f64) -> String {
    if y == 0.0 || (1e-4..1e16).contains(&y.abs()) {
        return format!("{y:.4}");
    }
    let text = format!("{y:.6e}");
    let (digits, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits = digits.trim_end_matches('0').trim_end_matches('.');
    format!("{digits}e{exponent}")
}

/// `predict` on a run written by `plaindnn regress`.
pub(super) fn predict_linear(args: &PredictArgs) -> Result<()> {
    refuse_backend_for_fit(args.run.backend)?;
    let model = LinearModel::load(&args.run.run)?;
    // in f64, as the fit: f32 would round a timestamp's last digits away
    let (x, lines): (Vec<f64>, Vec<usize>) = match (&args.input, &args.data) {
        (Some(text), _) => (parse_row(text, &model.inputs, Missing::Unfillable)?, vec![]),
        (None, Some(path)) => {
            let columns = csv_file::read_columns_f64(path, &model.inputs, None, args.csv.format())?;
            (columns.features, columns.lines)
        }
        (None, None) => return Err(Error::invalid("input", "give --input x or --data FILE.csv")),
    };
    let predicted = (model.predict(&x)).map_err(|e| at_row(e, args, || lines))?;
    if let Some(path) = &args.output {
        let header = vec![format!("predicted_{}", model.target)];
        let format = args.csv.format();
        let cells = (predicted.iter()).map(|y| vec![format.marked(short(*y))]);
        write_csv(path, given_cells(args, &model.inputs)?, (header, cells))?;
        if is_stdout(path) {
            return Ok(());
        }
        return summarise(path, predicted.len(), (&[], None), &model.target, args.json);
    }
    if args.json {
        let out: Vec<_> = x
            .chunks(model.inputs.len())
            .zip(&predicted)
            .map(|(input, y)| serde_json::json!({ "input": input, "values": [y] }))
            .collect();
        return print_json(&serde_json::json!({ "predictions": out }));
    }
    for (input, y) in x.chunks(model.inputs.len()).zip(&predicted) {
        let features: Vec<String> = model
            .inputs
            .iter()
            .zip(input)
            .map(|(n, v)| format!("{n}={}", short(*v)))
            .collect();
        println!(
            "{} → {} = {}",
            features.join(", "),
            model.target,
            fitted(*y)
        );
    }
    Ok(())
}

/// A `regress` fit is f64 on the CPU: `--backend`, which would change nothing, is refused.
pub(crate) fn refuse_backend_for_fit(backend: Option<Backend>) -> Result<()> {
    if backend.is_none() {
        return Ok(());
    }
    Err(Error::invalid(
        "--backend",
        "a `regress` fit is computed in f64 on the CPU; --backend is for networks",
    ))
}
