//! What an experiment shows: the comparison table (mean ± spread per variant) and the chart of
//! validation loss per epoch.

use super::catalog::Extra;
use super::runner::{Stat, VariantResult};
use crate::plot::{line_chart, Series};

/// The columns every table has, before the experiment's own.
const HEAD: &str = "| variant | test accuracy | val accuracy | best val loss \
                    | final val − train loss | epochs |";

/// The comparison table, one row per variant.
pub fn table(results: &[VariantResult], extra: Extra, target_loss: Option<f64>) -> String {
    let (extra_head, extra_rule) = match extra {
        Extra::None => (String::new(), ""),
        Extra::GradRatio => (" first/last gradient (epoch 1) |".into(), "---|"),
        Extra::EpochsToTarget => {
            let target = target_loss.unwrap_or(f64::NAN);
            (format!(" epochs to val loss {target} |"), "---|")
        }
    };
    let mut t = format!("{HEAD}{extra_head}\n|---|---|---|---|---|---|{extra_rule}\n");
    for r in results {
        t += &row(r, extra);
    }
    t
}

/// One variant's row.
fn row(r: &VariantResult, extra: Extra) -> String {
    let label = match r.diverged {
        0 => r.label.clone(),
        k => format!("{} (diverged in {k} of {} runs)", r.label, r.seeds()),
    };
    format!(
        "| {label} | {} | {} | {} | {} | {} |{}\n",
        cell(r.stat(|s| Some(s.test_accuracy)), 1, true),
        cell(r.stat(|s| Some(s.returned_accuracy)), 1, true),
        cell(r.stat(|s| Some(s.best_val_loss)), 3, false),
        cell(r.stat(|s| Some(s.final_gap)), 3, false),
        cell(r.stat(|s| Some(s.epochs as f64)), 0, false),
        extra_cell(r, extra)
    )
}

fn extra_cell(r: &VariantResult, extra: Extra) -> String {
    match extra {
        Extra::None => String::new(),
        Extra::GradRatio => match r.stat(|s| s.grad_ratio).mean {
            m if m.is_nan() => " — |".into(),
            m => format!(" {m:.1e} |"),
        },
        Extra::EpochsToTarget => {
            let reached = r.values(|s| s.epochs_to_target.map(|e| e as f64));
            let s = r.stat(|s| s.epochs_to_target.map(|e| e as f64));
            let runs = r.runs.len();
            format!(" {} ({}/{runs} runs) |", cell(s, 0, false), reached.len())
        }
    }
}

/// `mean ± spread`, as a percentage when `percent`; the mean alone from one seed; `—` when there
/// is nothing to show.
fn cell(s: Stat, digits: usize, percent: bool) -> String {
    let (k, unit) = if percent { (100.0, " %") } else { (1.0, "") };
    if s.mean.is_nan() {
        return "—".into();
    }
    if s.spread.is_nan() {
        return format!("{:.d$}{unit}", s.mean * k, d = digits);
    }
    format!(
        "{:.d$} ± {:.d$}{unit}",
        s.mean * k,
        s.spread * k,
        d = digits
    )
}

const COLORS: [&str; 8] = [
    "#2171b5", "#d94801", "#238b45", "#6a51a3", "#cb181d", "#525252", "#c51b7d", "#41ab5d",
];

/// Mean validation loss per epoch of every variant in one chart.
pub fn comparison(results: &[VariantResult]) -> String {
    let series: Vec<Series> = results
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            label: &r.label,
            color: COLORS[i % COLORS.len()],
            points: r.mean_val_losses(),
            dots: false,
        })
        .collect();
    line_chart(
        "Validation loss per epoch (mean over seeds)",
        "epoch",
        "val loss",
        &series,
    )
}
