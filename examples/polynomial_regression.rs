//! More terms, more parameters: fit y = x³ − 2x + 0.5 (plus noise) with polynomials of degree
//! 1 to 5 and watch the validation error fall, then stop falling.
//!
//! Run: `cargo run --release --example polynomial_regression`

use plaindnn::data::DataSource;
use plaindnn::regression::{FitOptions, LinearModel};

fn main() -> plaindnn::Result<()> {
    let data = DataSource::builtin("cubic", 3)?.load()?;
    println!("degree  parameters  validation R²  RMSE    equation");
    for degree in 1..=5 {
        let fitted = LinearModel::fit(&data.train, &FitOptions::lstsq(degree))?;
        let s = fitted.model.scores(&data.val)?;
        let params = fitted.model.coefficients.len() + 1;
        println!(
            "{degree:>6}  {params:>10}  {:>13.4}  {:.4}  {}",
            s.r2,
            s.rmse,
            fitted.model.equation()
        );
    }
    Ok(())
}
