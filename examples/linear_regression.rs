//! The tutorial's first rung: a line y = a·x + b through noisy points, by least squares, then the
//! same line found by gradient descent (the ball rolling to the bottom of the valley).
//!
//! Run: `cargo run --release --example linear_regression`

use plaindnn::data::DataSource;
use plaindnn::regression::{FitOptions, LinearModel, Method};

fn main() -> plaindnn::Result<()> {
    // y = 2.5·x − 1 plus noise (σ = 0.1), 256 training and 256 validation points
    let data = DataSource::builtin("line", 7)?.load()?;
    let mut options = FitOptions {
        iterations: 2000,
        ..FitOptions::lstsq(1)
    };

    let closed = LinearModel::fit(&data.train, &options)?;
    println!("least squares:    {}", closed.model.equation());

    options.method = Method::Gd;
    let rolled = LinearModel::fit(&data.train, &options)?;
    println!("gradient descent: {}", rolled.model.equation());
    for step in [0, 10, 100, 1000, 1999] {
        println!(
            "  step {step:>4}: mean squared error {:.6}",
            rolled.losses[step]
        );
    }

    let s = closed.model.scores(&data.val)?;
    println!(
        "validation: R² {:.4}, RMSE {:.4}, MAE {:.4}",
        s.r2, s.rmse, s.mae
    );
    Ok(())
}
