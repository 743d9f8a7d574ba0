//! The same linear model fitted by gradient descent on Burn: the tutorial's rolling ball.
//!
//! Columns are standardised first (the valley is then round, so plain gradient descent rolls
//! straight down), and the coefficients are mapped back to the original units.

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};

use super::lstsq::LinearFit;
use crate::check::non_negative;
use crate::error::{Error, Result};

/// How gradient descent runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Descent {
    /// Full-batch steps.
    pub iterations: usize,
    /// Step size (on standardised columns).
    pub lr: f64,
    /// Ridge penalty λ on β (not b), as in the closed form.
    pub ridge: f64,
}

/// Gradient descent on `(‖Xβ + b − y‖² + λ‖β‖²) / n` — the closed form's objective over n, so
/// both have one minimum. Returns the fit and the objective before every step.
pub fn fit(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    descent: Descent,
    device: &Device,
) -> Result<(LinearFit, Vec<f64>)> {
    if n == 0 || p == 0 || x.len() != n * p || y.len() != n {
        return Err(Error::Data(
            "gradient descent needs n × p values and n targets".into(),
        ));
    }
    non_negative("ridge", descent.ridge)?;
    let (mean, std) = column_stats(x, n, p);
    let scaled: Vec<f32> = (0..n * p)
        .map(|k| ((x[k] - mean[k % p]) / std[k % p]) as f32)
        .collect();
    let (model, losses) = descend(&scaled, y, &std, descent, &device.clone().autodiff());
    let w = crate::model::read_f32(model.weight.val(), "the fitted weights")?;
    let b = model
        .bias
        .as_ref()
        .map(|b| b.val().into_scalar::<f32>() as f64)
        .unwrap_or(0.0);
    // back from standardised columns: β_j = w_j / s_j, intercept b − Σ β_j·m_j
    let coefficients: Vec<f64> = w.iter().zip(&std).map(|(w, s)| *w as f64 / s).collect();
    let intercept = b - coefficients
        .iter()
        .zip(&mean)
        .map(|(c, m)| c * m)
        .sum::<f64>();
    if !(intercept.is_finite() && coefficients.iter().all(|c| c.is_finite())) {
        let at = losses
            .iter()
            .position(|l| !l.is_finite())
            .unwrap_or(losses.len());
        return Err(Error::Diverged(format!(
            "gradient descent with --lr {} left the finite numbers after {at} iterations: try a smaller --lr",
            descent.lr
        )));
    }
    let fit = LinearFit {
        coefficients,
        intercept,
        rank: p,
        condition: f64::NAN,
        warnings: vec![],
    };
    Ok((fit, losses))
}

/// Each column's mean and standard deviation (1 for a constant column, so nothing divides by 0).
fn column_stats(x: &[f64], n: usize, p: usize) -> (Vec<f64>, Vec<f64>) {
    let mean: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| x[i * p + j]).sum::<f64>() / n as f64)
        .collect();
    let std = (0..p)
        .map(|j| {
            let var = (0..n)
                .map(|i| (x[i * p + j] - mean[j]).powi(2))
                .sum::<f64>()
                / n as f64;
            if var > 1e-24 {
                var.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    (mean, std)
}

/// Full-batch gradient descent of `Linear(p, 1)` on the standardised rows `scaled` (`[n, p]`):
/// the model and the loss of every iteration.
fn descend(
    scaled: &[f32],
    y: &[f64],
    std: &[f64],
    descent: Descent,
    device: &Device,
) -> (Linear, Vec<f64>) {
    let (n, p) = (y.len(), std.len());
    let xs = Tensor::<2>::from_data(TensorData::new(scaled.to_vec(), [n, p]), device); // [n, p]
    let ys: Vec<f32> = y.iter().map(|v| *v as f32).collect();
    let ys = Tensor::<2>::from_data(TensorData::new(ys, [n, 1]), device); // [n, 1]
    let mut model = LinearConfig::new(p, 1)
        .with_initializer(Initializer::Zeros)
        .init(device);
    // β_j = w_j / s_j, so λβ_j² = λ·w_j² / s_j² on the standardised weights: [p, 1]
    let inv_var: Vec<f32> = std.iter().map(|s| (1.0 / (s * s)) as f32).collect();
    let inv_var = Tensor::<2>::from_data(TensorData::new(inv_var, [p, 1]), device);
    let mut optim = SgdConfig::new().init();
    let mut losses = Vec::with_capacity(descent.iterations);
    for _ in 0..descent.iterations {
        let err = model.forward(xs.clone()) - ys.clone(); // [n, 1]
        let mut loss = err.powi_scalar(2).mean();
        if descent.ridge > 0.0 {
            let penalty = (model.weight.val().powi_scalar(2) * inv_var.clone()).sum();
            loss = loss + penalty * (descent.ridge / n as f64);
        }
        losses.push(loss.clone().into_scalar::<f32>() as f64);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(descent.lr, model, grads);
    }
    (model, losses)
}
