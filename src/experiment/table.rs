//! What an experiment shows: the comparison table (mean ± spread per variant) and the chart of
//! validation loss per epoch.

use super::catalog::Extra;
use super::runner::{Stat, VariantResult};
use super::VariantSummary;
use crate::plot::{line_chart, Series};

/// The columns every table has, before the experiment's own.
const HEAD: &str = "| variant | test accuracy | val accuracy | best val loss \
                    | final val − train loss | epochs |";

/// The comparison table, one row per variant (the numbers `--json` gives as they are).
pub fn table(variants: &[VariantSummary], extra: Extra, target_loss: Option<f64>) -> String {
    let (extra_head, extra_rule) = match extra {
        Extra::None => (String::new(), ""),
        Extra::GradRatio => (" first/last gradient (epoch 1) |".into(), "---|"),
        Extra::EpochsToTarget => {
            let target = target_loss.unwrap_or(f64::NAN);
            (format!(" epochs to val loss {target} |"), "---|")
        }
    };
    let mut t = format!("{HEAD}{extra_head}\n|---|---|---|---|---|---|{extra_rule}\n");
    for v in variants {
        t += &row(v, extra);
    }
    t
}

/// One variant's row.
fn row(v: &VariantSummary, extra: Extra) -> String {
    let label = match v.diverged {
        0 => v.label.clone(),
        k => format!("{} (diverged in {k} of {} runs)", v.label, v.runs + k),
    };
    format!(
        "| {label} | {} | {} | {} | {} | {} |{}\n",
        cell(v.test_accuracy, 1, true),
        cell(v.val_accuracy, 1, true),
        cell(v.best_val_loss, 3, false),
        cell(v.val_minus_train_loss, 3, false),
        cell(v.epochs, 0, false),
        extra_cell(v, extra)
    )
}

fn extra_cell(v: &VariantSummary, extra: Extra) -> String {
    let none = Stat::of(std::iter::empty());
    match extra {
        Extra::None => String::new(),
        Extra::GradRatio => match v.grad_ratio.unwrap_or(none).mean {
            m if m.is_nan() => " — |".into(),
            m => format!(" {m:.1e} |"),
        },
        Extra::EpochsToTarget => {
            let to_target = v.epochs_to_target.unwrap_or(none);
            let reached = v.reached_target.unwrap_or(0);
            let runs = v.runs;
            format!(" {} ({reached}/{runs} runs) |", cell(to_target, 0, false))
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
    // a tiny negative mean rounds to 0, not −0 ("-0.000 ± 0.000")
    let shown = |v: f64| {
        let text = format!("{:.d$}", v * k, d = digits);
        match text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            true => text.trim_start_matches('-').to_string(),
            false => text,
        }
    };
    if s.spread.is_nan() {
        return format!("{}{unit}", shown(s.mean));
    }
    format!("{} ± {}{unit}", shown(s.mean), shown(s.spread))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An outside audit saw `-0.000 ± 0.000` (a mean of −0.0002 rounded).
    #[test]
    fn a_mean_that_rounds_to_zero_is_shown_without_a_sign() {
        let s = |mean, spread| Stat { mean, spread };
        assert_eq!(cell(s(-0.0002, 0.0001), 3, false), "0.000 ± 0.000");
        assert_eq!(cell(s(-0.0012, 0.0), 3, false), "-0.001 ± 0.000");
        assert_eq!(cell(s(-0.00004, f64::NAN), 1, true), "0.0 %");
    }
}
