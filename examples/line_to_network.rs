//! Why networks exist: on data that no line or low-degree polynomial describes (a spiral-like
//! wave, `y = sin(3x)·x`), compare a line, a cubic and a small MLP on the same points.
//!
//! Run: `cargo run --release --example line_to_network`

use plaindnn::backend::Backend;
use plaindnn::data::{DataSource, Dataset, Prepared};
use plaindnn::inference::Predictor;
use plaindnn::regression::{FitOptions, LinearModel};
use plaindnn::train::{self, RunOptions, TrainConfig, Verbosity};

/// `n` points of y = sin(3x)·x on [−2, 2], evenly spread with a small deterministic wobble.
fn wave(n: usize, offset: f64) -> plaindnn::Result<Dataset> {
    let xs: Vec<f32> = (0..n)
        .map(|i| (-2.0 + 4.0 * (i as f64 + offset) / n as f64) as f32)
        .collect();
    let ys: Vec<f32> = xs.iter().map(|&x| (3.0 * x).sin() * x).collect();
    Dataset::curve(xs, ys)
}

fn main() -> plaindnn::Result<()> {
    let data = Prepared::unscaled(wave(400, 0.0)?, wave(200, 0.37)?);
    let fit = FitOptions::lstsq;
    let line = LinearModel::fit(&data.train, &fit(1))?
        .model
        .scores(&data.val)?;
    let cubic = LinearModel::fit(&data.train, &fit(3))?
        .model
        .scores(&data.val)?;

    let mut config = TrainConfig::default_for(1, 1);
    config.model.hidden = vec![32, 32];
    config.epochs = 400;
    let out = std::env::temp_dir().join("plaindnn-example-line-to-network");
    let source = DataSource::Memory {
        description: "y = sin(3x)·x".into(),
    };
    let val = data.val.clone();
    let options = RunOptions::from(Verbosity::Quiet).overwrite(); // this example's last run goes
    train::train_on(source, data, config, &out, options)?;
    let mlp = Predictor::open(&out, Backend::Flex)?.evaluate_prepared(val)?;
    let mlp_r2 = mlp.regression.map_or(f64::NAN, |r| r.r2);

    println!("model                 validation R²");
    println!("a line                {:>13.4}", line.r2);
    println!("a cubic polynomial    {:>13.4}", cubic.r2);
    println!("MLP 1-32-32-1 (ReLU)  {mlp_r2:>13.4}");
    Ok(())
}
