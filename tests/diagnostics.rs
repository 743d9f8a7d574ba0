//! `--diagnostics` makes the tutorial's problems visible: vanishing gradients in a deep sigmoid
//! net, dead ReLU units, and the train/validation gap.

mod common;

use common::{plaindnn, stderr, stdout, temp_dir};

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap_or("")
}

/// (epoch, layer, grad_norm, dead_fraction, loss_gap) rows of a diagnostics.csv.
fn rows(dir: &std::path::Path) -> Vec<(usize, String, f64, Option<f64>, f64)> {
    let text = std::fs::read_to_string(dir.join("diagnostics.csv")).expect("diagnostics.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().expect("epoch"),
                f[1].to_string(),
                f[2].parse().expect("norm"),
                f[4].parse().ok(),
                f[5].parse().expect("gap"),
            )
        })
        .collect()
}

#[test]
fn a_ten_layer_sigmoid_net_shows_and_reports_vanishing_gradients() {
    let dir = temp_dir("diag-sigmoid");
    let hidden = ["20"; 10].join(",");
    let out = plaindnn(&[
        "train",
        "--dataset",
        "circles",
        "--hidden",
        &hidden,
        "--activation",
        "sigmoid",
        "--epochs",
        "3",
        "--no-early-stopping",
        "--diagnostics",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("warning: vanishing gradients in epoch 1"),
        "{}",
        stdout(&out)
    );
    let rows = rows(&dir);
    assert_eq!(rows.len(), 3 * 11, "11 Linear layers × 3 epochs");
    let first = rows
        .iter()
        .find(|r| r.0 == 1 && r.1 == "dense_1")
        .expect("dense_1")
        .2;
    let last = rows
        .iter()
        .find(|r| r.0 == 1 && r.1 == "dense_out")
        .expect("dense_out")
        .2;
    // σ' ≤ 1/4 per layer: ten layers shrink the gradient by far more than 1000
    assert!(first * 1000.0 < last, "first {first}, last {last}");
    assert!(
        rows.iter().all(|r| r.3.is_none()),
        "dead units are counted for ReLU only"
    );
    assert!(dir.join("grad_norms.svg").is_file());
}

#[test]
fn relu_layers_report_their_dead_units_and_every_epoch_its_loss_gap() {
    let dir = temp_dir("diag-relu");
    let out = plaindnn(&[
        "train",
        "--hidden",
        "32,32",
        "--epochs",
        "4",
        "--diagnostics",
        "--quiet",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = rows(&dir);
    let hidden: Vec<_> = rows.iter().filter(|r| r.1 != "dense_out").collect();
    assert!(
        hidden
            .iter()
            .all(|r| r.3.is_some_and(|d| (0.0..=1.0).contains(&d))),
        "{hidden:?}"
    );
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    for (line, epoch) in metrics.lines().skip(1).zip(1..) {
        let f: Vec<f64> = line
            .split(',')
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        let gap = rows
            .iter()
            .find(|r| r.0 == epoch)
            .expect("a row per epoch")
            .4;
        assert!(
            (gap - (f[2] - f[1])).abs() < 1e-6,
            "gap = val_loss − train_loss in epoch {epoch}"
        );
    }
}
