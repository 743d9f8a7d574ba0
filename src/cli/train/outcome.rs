//! What `train` says after a run: a warning where it had not converged, the epoch its weights
//! are from, and a next step that runs as printed.

use super::super::convergence::still_improving;
use super::super::data_args::decimal_flag;
use plaindnn::data::DataSource;
use plaindnn::decimals::Decimals;
use plaindnn::shell::quote_path;
use plaindnn::train::{ScheduleConfig, TrainedRun};

pub(super) fn warn_if_still_improving(trained: &TrainedRun) {
    if still_improving(trained) {
        let epochs = trained.config.train.epochs;
        let dir = quote_path(trained.run.root());
        let way_on = match trained.config.train.schedule {
            // a resume keeps the cosine curve's length: a new run starts from these weights
            ScheduleConfig::Cosine { .. } => format!(
                "`plaindnn train --init-from {dir} --epochs {}` with the run's other flags \
                 trains a new run from these weights",
                epochs * 2
            ),
            _ => format!(
                "`plaindnn train --resume {dir} --epochs {}` trains it further",
                epochs * 2
            ),
        };
        eprintln!(
            "warning: val_loss was still falling at the last epoch ({epochs}): the network has \
             not converged; {way_on}"
        );
    }
}

pub(super) fn print_next_steps(trained: &TrainedRun) {
    let dir = trained.run.root().display();
    let (outcome, restored) = (&trained.outcome, trained.config.train.restores_best());
    match (outcome.best(), outcome.saved(restored)) {
        // the weights the run ended with are the ones saved: say which epoch they are
        (Some(best), Some(last)) if !restored => println!(
            "last epoch {}: val_loss {} (best epoch {}: {}); weights in {dir}/model.bpk",
            last.epoch,
            Decimals(last.val_loss),
            best.epoch,
            Decimals(best.val_loss)
        ),
        (Some(best), _) => println!(
            "best epoch {}: val_loss {}; weights in {dir}/model.bpk",
            best.epoch,
            Decimals(best.val_loss)
        ),
        _ => {}
    }
    println!("next: plaindnn {}", next_step(trained));
}

/// A command that runs as printed: `predict` of one row (the training rows' means where the
/// run standardised them, else 1s) when the inputs are few, of the training CSV's rows into a
/// file when they are many, else `eval` of the validation rows.
fn next_step(trained: &TrainedRun) -> String {
    let quoted = quote_path(trained.run.root());
    let data = &trained.config.data;
    let names = &data.feature_names;
    // --input takes a --one-hot column's category, not its inputs
    let few = names.len() <= 4
        && !names.iter().any(|n| n.contains([',', '"']))
        && data.one_hot.is_empty();
    match (&data.source, &data.scaler) {
        (DataSource::Csv { .. }, Some(s)) if few => {
            let means: Vec<String> = s.mean.iter().map(|&m| significant(m as f32)).collect();
            let row = means.join(",");
            format!(
                "predict --run {quoted} --input {row}   (the training rows' means of {})",
                names.join(", ")
            )
        }
        (DataSource::Csv { .. } | DataSource::Builtin { .. }, _) if few => {
            let row = vec!["1"; names.len()].join(",");
            format!(
                "predict --run {quoted} --input {row}   ({})",
                names.join(", ")
            )
        }
        (DataSource::Csv { path, decimal, .. }, _) => {
            let out = quote_path(&trained.run.root().join("predictions.csv"));
            let mark = decimal.map_or(String::new(), |d| format!(" {}", decimal_flag(d as u8)));
            format!(
                "predict --run {quoted} --data {}{mark} --output {out}",
                quote_path(path)
            )
        }
        _ => {
            let pixels = match data.source {
                DataSource::Idx { .. } => ": pixels 0–255, as the IDX files hold them",
                _ => "",
            };
            format!(
                "eval --run {quoted}   (predict takes rows as --data FILE.csv with the columns {}{pixels})",
                plaindnn::inference::abbreviate(names)
            )
        }
    }
}

/// `v` to four significant digits or so: `0.4934`, `12`, `1.007e-9`.
fn significant(v: f32) -> String {
    match v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        true => trimmed(v),
        false => format!("{v:.3e}"),
    }
}

/// `v` to four decimals, without trailing zeros: `0.4934`, `12`.
fn trimmed(v: f32) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_string(),
        t => t.to_string(),
    }
}
