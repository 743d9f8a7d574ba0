//! Batch Normalization over the rows of a `[rows, units]` matrix, forward and backward, in three
//! passes each: Burn's generic version takes about 23 (transposes, reshapes, means, broadcasts).
//!
//! Forward: `μ = mean(x)`, `σ² = mean((x − μ)²)` per unit (biased, as Burn and PyTorch normalise
//! with), `y = γ·(x − μ)/√(σ² + ε) + β`. Backward (x̂ the normalised input, n the rows):
//! `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = γ/√(σ² + ε) · (dy − dβ/n − x̂·dγ/n)`.

use super::parallel::{blocks_mut, wide};

/// Per-unit mean and biased variance of the rows, summed in f64.
pub fn statistics(x: &[f32], units: usize) -> (Vec<f32>, Vec<f32>) {
    let rows = x.len() / units;
    let mut sum = vec![0.0f64; units];
    for row in x.chunks_exact(units) {
        add(&mut sum, row);
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / rows as f64).collect();
    let mut squares = vec![0.0f64; units];
    for row in x.chunks_exact(units) {
        add_squares(&mut squares, row, &mean);
    }
    let var = squares.iter().map(|s| (s / rows as f64) as f32).collect();
    (mean.iter().map(|&m| m as f32).collect(), var)
}

/// `y = x·a + c` per unit, with `a = γ/√(σ² + ε)` and `c = β − μ·a`.
#[allow(clippy::too_many_arguments)]
pub fn normalize(
    x: &[f32],
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    beta: &[f32],
    epsilon: f64,
    y: &mut [f32],
) {
    let units = mean.len();
    let a: Vec<f32> = (0..units)
        .map(|j| gamma[j] / (var[j] as f64 + epsilon).sqrt() as f32)
        .collect();
    let c: Vec<f32> = (0..units).map(|j| beta[j] - mean[j] * a[j]).collect();
    blocks_mut(y, units, |start, out| {
        let rows = x[start..start + out.len()].chunks_exact(units);
        for (row, o) in rows.zip(out.chunks_exact_mut(units)) {
            scale_shift(row, &a, &c, o);
        }
    });
}

/// The gradients `(dx, dγ, dβ)` from the forward pass's input, statistics and `dy`.
pub fn backward(
    x: &[f32],
    dy: &[f32],
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    epsilon: f64,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let units = mean.len();
    let rows = x.len() / units;
    let inv: Vec<f32> = var
        .iter()
        .map(|&v| (1.0 / (v as f64 + epsilon).sqrt()) as f32)
        .collect();
    let (mut dbeta, mut dgamma) = (vec![0.0f64; units], vec![0.0f64; units]);
    for (row, g) in x.chunks_exact(units).zip(dy.chunks_exact(units)) {
        parameter_sums(row, g, mean, &inv, &mut dgamma, &mut dbeta);
    }
    let n = rows as f64;
    let mean_dy: Vec<f32> = dbeta.iter().map(|s| (s / n) as f32).collect();
    let mean_dyx: Vec<f32> = dgamma.iter().map(|s| (s / n) as f32).collect();
    let scale: Vec<f32> = (0..units).map(|j| gamma[j] * inv[j]).collect();
    let mut dx = vec![0.0f32; x.len()];
    blocks_mut(&mut dx, units, |start, out| {
        let end = start + out.len();
        let rows = x[start..end]
            .chunks_exact(units)
            .zip(dy[start..end].chunks_exact(units));
        let centred = Centred {
            mean,
            inv: &inv,
            scale: &scale,
            mean_dy: &mean_dy,
            mean_dyx: &mean_dyx,
        };
        for ((row, g), o) in rows.zip(out.chunks_exact_mut(units)) {
            input_gradient(row, g, &centred, o);
        }
    });
    let to_f32 = |v: Vec<f64>| v.into_iter().map(|s| s as f32).collect();
    (dx, to_f32(dgamma), to_f32(dbeta))
}

wide! {
fn add(sum: &mut [f64], row: &[f32]) {
    for (s, &v) in sum.iter_mut().zip(row) {
        *s += v as f64;
    }
}
}

wide! {
fn add_squares(sum: &mut [f64], row: &[f32], mean: &[f64]) {
    for ((s, &v), &m) in sum.iter_mut().zip(row).zip(mean) {
        let d = v as f64 - m;
        *s += d * d;
    }
}
}

wide! {
fn scale_shift(row: &[f32], a: &[f32], c: &[f32], out: &mut [f32]) {
    for (((o, &v), &a), &c) in out.iter_mut().zip(row).zip(a).zip(c) {
        *o = v * a + c;
    }
}
}

wide! {
/// Adds one row's `dy·x̂` and `dy` to the sums for dγ and dβ.
fn parameter_sums(
    row: &[f32],
    dy: &[f32],
    mean: &[f32],
    inv: &[f32],
    dgamma: &mut [f64],
    dbeta: &mut [f64],
) {
    for j in 0..row.len() {
        let normalized = (row[j] - mean[j]) * inv[j];
        dbeta[j] += dy[j] as f64;
        dgamma[j] += (dy[j] * normalized) as f64;
    }
}
}

/// Per-unit constants of the input gradient.
struct Centred<'a> {
    mean: &'a [f32],
    inv: &'a [f32],
    scale: &'a [f32],
    mean_dy: &'a [f32],
    mean_dyx: &'a [f32],
}

wide! {
/// `dx = γ/√(σ² + ε) · (dy − mean(dy) − x̂·mean(dy·x̂))` for one row.
fn input_gradient(row: &[f32], dy: &[f32], c: &Centred, out: &mut [f32]) {
    for j in 0..row.len() {
        let normalized = (row[j] - c.mean[j]) * c.inv[j];
        out[j] = c.scale[j] * (dy[j] - c.mean_dy[j] - normalized * c.mean_dyx[j]);
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5×3 batch with unit means and spreads far apart.
    fn batch() -> (Vec<f32>, usize) {
        let x = (0..15)
            .map(|i| ((i * 7919) % 13) as f32 * (1 + i % 3) as f32 + 100.0 * (i % 3) as f32)
            .collect();
        (x, 3)
    }

    /// `y = γ·(x − μ)/√(σ² + ε) + β` in f64, straight from the definition.
    fn reference(x: &[f32], units: usize, gamma: &[f32], beta: &[f32], eps: f64) -> Vec<f64> {
        let rows = x.len() / units;
        let col = |j: usize| (0..rows).map(move |i| x[i * units + j] as f64);
        let mut y = vec![0.0; x.len()];
        for j in 0..units {
            let mean = col(j).sum::<f64>() / rows as f64;
            let var = col(j).map(|v| (v - mean).powi(2)).sum::<f64>() / rows as f64;
            for i in 0..rows {
                let xhat = (x[i * units + j] as f64 - mean) / (var + eps).sqrt();
                y[i * units + j] = gamma[j] as f64 * xhat + beta[j] as f64;
            }
        }
        y
    }

    #[test]
    fn the_forward_pass_matches_the_definition_in_f64() {
        let (x, units) = batch();
        let (gamma, beta) = ([0.5f32, 2.0, -1.0], [0.1f32, -0.2, 3.0]);
        let (mean, var) = statistics(&x, units);
        let mut y = vec![0.0; x.len()];
        normalize(&x, &mean, &var, &gamma, &beta, 1e-5, &mut y);
        for (got, want) in y.iter().zip(reference(&x, units, &gamma, &beta, 1e-5)) {
            assert!((*got as f64 - want).abs() < 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn the_gradients_match_central_differences_of_the_forward_pass() {
        // loss = Σ w·y with fixed weights w, so dy = w
        let (x, units) = batch();
        let (gamma, beta) = ([0.5f32, 2.0, -1.0], [0.1f32, -0.2, 3.0]);
        let w: Vec<f32> = (0..x.len()).map(|i| ((i * 31) % 7) as f32 - 3.0).collect();
        let loss = |x: &[f32], gamma: &[f32], beta: &[f32]| -> f64 {
            let y = reference(x, units, gamma, beta, 1e-5);
            y.iter().zip(&w).map(|(y, w)| y * *w as f64).sum()
        };
        let (mean, var) = statistics(&x, units);
        let (dx, dgamma, dbeta) = backward(&x, &w, &mean, &var, &gamma, 1e-5);
        let h = 1.0 / 64.0f32; // x + h is exact in f32 for x up to 2¹⁷
        let central = |f: &dyn Fn(f32) -> f64| (f(h) - f(-h)) / (2.0 * h as f64);
        for i in 0..x.len() {
            let d = central(&|e| {
                let mut x = x.clone();
                x[i] += e;
                loss(&x, &gamma, &beta)
            });
            assert!(
                (dx[i] as f64 - d).abs() < 1e-3 * d.abs().max(1.0),
                "dx[{i}] {} vs {d}",
                dx[i]
            );
        }
        for j in 0..units {
            let dg = central(&|e| {
                let mut g = gamma;
                g[j] += e;
                loss(&x, &g, &beta)
            });
            let db = central(&|e| {
                let mut b = beta;
                b[j] += e;
                loss(&x, &gamma, &b)
            });
            assert!(
                (dgamma[j] as f64 - dg).abs() < 1e-3 * dg.abs().max(1.0),
                "dγ[{j}]"
            );
            assert!(
                (dbeta[j] as f64 - db).abs() < 1e-3 * db.abs().max(1.0),
                "dβ[{j}]"
            );
        }
    }
}
