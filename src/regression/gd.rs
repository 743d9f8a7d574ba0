//! The same linear model fitted by gradient descent on Burn: the tutorial's rolling ball.
//!
//! Columns are standardised first (the valley is then round, so plain gradient descent rolls
//! straight down), and the coefficients are mapped back to the original units.

use burn::nn::{Initializer, LinearConfig};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};

use super::lstsq::LinearFit;
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
    if !(descent.ridge.is_finite() && descent.ridge >= 0.0) {
        return Err(Error::invalid(
            "ridge",
            format!("must be >= 0, got {}", descent.ridge),
        ));
    }
    let mean: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| x[i * p + j]).sum::<f64>() / n as f64)
        .collect();
    let std: Vec<f64> = (0..p)
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
    let scaled: Vec<f32> = (0..n * p)
        .map(|k| ((x[k] - mean[k % p]) / std[k % p]) as f32)
        .collect();
    let device = device.clone().autodiff();
    let xs = Tensor::<2>::from_data(TensorData::new(scaled, [n, p]), &device); // [n, p]
    let ys = Tensor::<2>::from_data(
        TensorData::new(y.iter().map(|v| *v as f32).collect::<Vec<_>>(), [n, 1]),
        &device,
    );
    let mut model = LinearConfig::new(p, 1)
        .with_initializer(Initializer::Zeros)
        .init(&device);
    // β_j = w_j / s_j, so λβ_j² = λ·w_j² / s_j² on the standardised weights: [p, 1]
    let inv_var = Tensor::<2>::from_data(
        TensorData::new(
            std.iter()
                .map(|s| (1.0 / (s * s)) as f32)
                .collect::<Vec<_>>(),
            [p, 1],
        ),
        &device,
    );
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
    let w = model
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| Error::Training(format!("{e:?}")))?;
    let b = model
        .bias
        .as_ref()
        .map(|b| b.val().into_scalar::<f32>() as f64)
        .unwrap_or(0.0);
    let coefficients: Vec<f64> = w.iter().zip(&std).map(|(w, s)| *w as f64 / s).collect();
    let intercept = b - coefficients
        .iter()
        .zip(&mean)
        .map(|(c, m)| c * m)
        .sum::<f64>();
    Ok((
        LinearFit {
            coefficients,
            intercept,
            rank: p,
            condition: f64::NAN,
            warnings: vec![],
        },
        losses,
    ))
}
