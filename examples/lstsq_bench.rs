//! Times the closed-form least-squares fit on the benchmark shape W4: X of 100 000 × 50 drawn
//! from N(0, 1), y = X·w + 0.01·noise. Median of 5 runs, in milliseconds, as one JSON line.
//! Compare with `../shared/bench/w4_sklearn.py` (numpy lstsq, scikit-learn) in the same session.
//!
//! Run: `cargo run --release --example lstsq_bench`

use std::time::Instant;

use plaindnn::regression::lstsq;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

fn main() -> plaindnn::Result<()> {
    let (n, p) = (100_000, 50);
    let mut rng = StdRng::seed_from_u64(4);
    let x: Vec<f64> = (0..n * p)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let w: Vec<f64> = (0..p).map(|_| StandardNormal.sample(&mut rng)).collect();
    let y: Vec<f64> = x
        .chunks(p)
        .map(|row| {
            row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
                + 0.01 * Distribution::<f64>::sample(&StandardNormal, &mut rng)
        })
        .collect();
    let mut times = Vec::new();
    let mut max_error = 0.0f64;
    for _ in 0..5 {
        let start = Instant::now();
        let fit = lstsq::fit(&x, n, p, &y, 0.0)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        max_error = fit
            .coefficients
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"workload\": \"W4 lstsq 100000x50\", \"plaindnn_ms_median\": {:.1}, \"runs_ms\": {:?}, \"max_coefficient_error\": {:.2e}}}",
        times[2], times, max_error
    );
    Ok(())
}
