//! Every experiment runs in `--quick` mode: its table has the expected columns and finite numbers,
//! and it ends with a verdict.

mod common;

use common::{json, plaindnn, temp_dir};

#[test]
fn every_experiment_runs_quickly_and_reports_a_table_and_a_verdict() {
    let out = plaindnn(&["experiment", "--list"]);
    let list = String::from_utf8_lossy(&out.stdout).into_owned();
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "linear-collapse",
            "activations",
            "vanishing-gradients",
            "exploding-gradients",
            "optimizers",
            "overfitting",
            "default-config",
            "depth",
            "transfer",
            "pretraining"
        ]
    );
    let dir = temp_dir("experiments");
    for name in names {
        let out_dir = dir.join(name);
        let report = json(&plaindnn(&[
            "experiment",
            name,
            "--quick",
            "--json",
            "--out",
            out_dir.to_str().unwrap_or(""),
        ]));
        let table = report["table"].as_str().expect("a table");
        let mut lines = table.lines();
        let header = lines.next().expect("a header");
        assert!(
            header.starts_with(
                "| variant | val accuracy | best val loss | final val − train loss | epochs |"
            ),
            "{name}: {header}"
        );
        let rows: Vec<&str> = lines.skip(1).collect();
        assert!(rows.len() >= 2, "{name} compares at least two variants");
        for row in &rows {
            // "| label | 50.0 ± 0.0 % | …": every numeric cell parses as a finite number
            for cell in row.split('|').skip(2).filter(|c| !c.trim().is_empty()) {
                let first = cell.split_whitespace().next().unwrap_or("");
                let value: f64 = first.parse().unwrap_or(f64::NAN);
                assert!(
                    value.is_finite() || first == "—",
                    "{name}: cell `{cell}` in {row}"
                );
            }
        }
        let verdict = report["verdict"].as_str().unwrap_or("");
        assert!(
            [
                "Held on this run",
                "Partly held on this run",
                "Did not hold on this run"
            ]
            .iter()
            .any(|v| verdict.starts_with(v)),
            "{name}: {verdict}"
        );
        assert!(out_dir.join("report.md").is_file());
        let chart = std::fs::read_to_string(out_dir.join("val_loss.svg")).expect("val_loss.svg");
        assert_eq!(
            chart.matches("<polyline").count(),
            rows.len(),
            "{name}: one curve per variant"
        );
    }
}

#[test]
fn an_unknown_experiment_lists_the_valid_ones() {
    let out = plaindnn(&["experiment", "dropout-magic", "--quick"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "unknown experiment `dropout-magic`; valid choices: linear-collapse, activations"
        ),
        "{err}"
    );
}
