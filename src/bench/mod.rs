//! The performance workloads W1–W4, run through the code users run, for side-by-side comparison
//! with the PyTorch / NumPy references (`../shared/bench/`, compared by
//! `examples/compare_with_pytorch.py`).
//!
//! W1 and W2 are timed on two paths: `bare` — forward, loss, backward and optimizer step in a
//! plain loop, what a hand-written Burn program does — and `train` — [`crate::train::train_on`]
//! with burn-train's Learner, the data loader, validation, metrics and checkpoints, what `plaindnn
//! train` does; W3 on the bare loop. The gap between them is the cost of the Learner path; the
//! two paths' runs alternate, so that both meet the machine's load alike. Times are medians over
//! `repeats` runs after one warm-up run; threads follow `RAYON_NUM_THREADS` (default: all cores).

mod lstsq;
mod mlp;
mod workloads;

use std::time::Instant;

use serde::Serialize;

use crate::backend::Backend;
use crate::error::{Error, Result};

/// A workload of the performance issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// The tutorial's quadrant net: 4 points, 2 → 50 → 4, Adam lr 0.01, full batch, 1000 steps.
    W1,
    /// MNIST-shaped MLP 784 → 512 → 256 → 10 on [60000, 784], batch 128, one epoch; plain and
    /// the tutorial's default configuration (He, BatchNorm, ELU, Dropout 0.2).
    W2,
    /// 20 hidden layers of 100 (sigmoid; He + ELU; He + ELU + BatchNorm), batch 256: ms per step.
    W3,
    /// Least squares on [100000, 50].
    W4,
}

impl Workload {
    /// All four, in order.
    pub const ALL: [Workload; 4] = [Workload::W1, Workload::W2, Workload::W3, Workload::W4];
}

/// W2's networks by name (`bench --variants`, as the PyTorch reference's): `plain`, `seed_default`.
pub fn w2_variants() -> Vec<&'static str> {
    workloads::w2_networks().map(|(name, _)| name).to_vec()
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = Workload::ALL.iter().position(|w| w == self).unwrap_or(0) + 1;
        write!(f, "w{n}")
    }
}

impl std::str::FromStr for Workload {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "w1" => Ok(Workload::W1),
            "w2" => Ok(Workload::W2),
            "w3" => Ok(Workload::W3),
            "w4" => Ok(Workload::W4),
            _ => Err(Error::Unknown {
                what: "workload",
                got: s.to_string(),
                valid: "w1, w2, w3, w4".into(),
            }),
        }
    }
}

/// One measured quantity.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// `w1` … `w4`.
    pub workload: String,
    /// The network variant (`plain`, `seed_default`, `sigmoid_default`, …).
    pub variant: String,
    /// `bare` (hand-written loop), `train` (the Learner path), `infer` or `lstsq`.
    pub path: String,
    /// What was measured, with its unit in the name (`us_per_step`, `train_samples_per_s`, …).
    pub metric: String,
    /// Median over the runs.
    pub median: f64,
    /// Fastest and slowest run, in the metric's unit.
    pub min: f64,
    /// See `min`.
    pub max: f64,
    /// Achieved GFLOP/s of the matrix products at the median (W2 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gflops: Option<f64>,
}

/// Everything one `plaindnn bench` run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The backend the networks ran on (`none` when only W4 ran).
    pub backend: String,
    /// rayon's threads: `RAYON_NUM_THREADS`, or the number of cores.
    pub threads: usize,
    /// Whether flex's fused passes ran (`PLAINDNN_FUSED`).
    pub fused: bool,
    /// Whether idle workers spun (`PLAINDNN_SPIN`).
    pub spin: bool,
    /// Whether inference's large products ran on Intel's AMX tile unit (`PLAINDNN_AMX`, and
    /// the processor).
    pub amx: bool,
    /// Timed runs per measurement.
    pub repeats: usize,
    /// The measurements, in the order taken.
    pub results: Vec<Measurement>,
}

/// Most timed runs per measurement: a median of 100 is as steady as a machine's noise lets it be.
pub const MAX_REPEATS: usize = 100;

/// Runs `workloads`, the networks on `backend` (flex when absent), each measurement `repeats`
/// times after a warm-up; W2 only its networks named in `variants` (all when empty).
pub fn run(
    workloads: &[Workload],
    variants: &[String],
    backend: Option<Backend>,
    repeats: usize,
) -> Result<Report> {
    if repeats == 0 {
        return Err(Error::invalid("--repeats", "must be at least 1, got 0"));
    }
    if repeats > MAX_REPEATS {
        let why = format!("at most {MAX_REPEATS} (a W2 run takes seconds), got {repeats}");
        return Err(Error::invalid("--repeats", why));
    }
    if let Some(twice) = (1..workloads.len()).find(|&i| workloads[..i].contains(&workloads[i])) {
        let why = format!(
            "{} is named twice; name each workload once",
            workloads[twice]
        );
        return Err(Error::invalid("workload", why));
    }
    let networks = mlp::w2_selection(variants)?;
    if !variants.is_empty() && !workloads.contains(&Workload::W2) {
        return Err(Error::invalid(
            "--variants",
            "it picks W2's networks, and w2 is not among the workloads; add w2 or leave it out",
        ));
    }
    let networks_run = workloads.iter().any(|w| *w != Workload::W4);
    if backend.is_some() && !networks_run {
        return Err(Error::invalid(
            "--backend",
            "it picks the networks' backend (w1, w2, w3), and w4's least squares runs on the CPU \
             without one; add a network workload or leave it out",
        ));
    }
    let backend = backend.unwrap_or(Backend::Flex).resolve();
    mlp::sweep_scratch();
    let mut results = Vec::new();
    for workload in workloads {
        match workload {
            Workload::W1 => mlp::w1(backend, repeats, &mut results)?,
            Workload::W2 => mlp::w2(&networks, backend, repeats, &mut results)?,
            Workload::W3 => mlp::w3(backend, repeats, &mut results)?,
            Workload::W4 => lstsq::w4(repeats, &mut results)?,
        }
    }
    Ok(Report {
        backend: if networks_run { backend.name() } else { "none" }.to_string(),
        threads: rayon::current_num_threads(),
        fused: crate::fused::enabled(),
        spin: crate::fused::spins(),
        amx: crate::fused::tile_unit(),
        repeats,
        results,
    })
}

/// Seconds taken by `f`, once to warm up and then `repeats` times.
fn time<T>(repeats: usize, mut f: impl FnMut() -> Result<T>) -> Result<Vec<f64>> {
    f()?;
    (0..repeats).map(|_| seconds(&mut f)).collect()
}

/// Seconds taken by `f` and by `g`, each once to warm up and then `repeats` times, alternating
/// and in turn going first (f g, g f, f g, …): a load that comes and goes falls on both alike.
fn time_alternating<A, B>(
    repeats: usize,
    mut f: impl FnMut() -> Result<A>,
    mut g: impl FnMut() -> Result<B>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    f()?;
    g()?;
    let (mut fs, mut gs) = (Vec::new(), Vec::new());
    for round in 0..repeats {
        if round % 2 == 0 {
            fs.push(seconds(&mut f)?);
            gs.push(seconds(&mut g)?);
        } else {
            gs.push(seconds(&mut g)?);
            fs.push(seconds(&mut f)?);
        }
    }
    Ok((fs, gs))
}

/// Seconds one call of `f` takes.
fn seconds<T>(f: &mut impl FnMut() -> Result<T>) -> Result<f64> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed().as_secs_f64())
}

/// A measurement of `per_run(seconds)` over the runs' times.
fn measure(
    ids: [&str; 4],
    seconds: &[f64],
    per_run: impl Fn(f64) -> f64,
    flop_per_unit: Option<f64>,
) -> Measurement {
    let mut values: Vec<f64> = seconds.iter().map(|&s| per_run(s)).collect();
    values.sort_by(f64::total_cmp);
    // of an even count, the mean of the two middle ones (as Python's statistics.median; the
    // upper one was reported, the slower time or the faster rate)
    let n = values.len();
    let median = match n % 2 {
        1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    };
    let [workload, variant, path, metric] = ids;
    Measurement {
        workload: workload.into(),
        variant: variant.into(),
        path: path.into(),
        metric: metric.into(),
        median,
        min: values[0],
        max: values[values.len() - 1],
        gflops: flop_per_unit.map(|f| median * f / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// An outside audit: with `--repeats 2` the "median" was the larger value.
    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two_as_pythons() {
        let ids = ["w1", "v", "bare", "ms"];
        assert_eq!(measure(ids, &[3.0, 1.0], |s| s, None).median, 2.0);
        assert_eq!(measure(ids, &[4.0, 1.0, 3.0, 2.0], |s| s, None).median, 2.5);
        assert_eq!(measure(ids, &[5.0, 1.0, 3.0], |s| s, None).median, 3.0);
    }

    #[test]
    fn alternating_runs_warm_both_up_then_take_turns_going_first() {
        let calls = RefCell::new(String::new());
        let (f, g) = time_alternating(
            3,
            || {
                calls.borrow_mut().push('f');
                Ok(())
            },
            || {
                calls.borrow_mut().push('g');
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(calls.into_inner(), "fgfggffg");
        assert_eq!((f.len(), g.len()), (3, 3));
    }

    #[test]
    fn an_error_in_either_run_is_returned_in_the_warm_up_or_a_timed_run() {
        for fails_at in [1, 2, 3] {
            // the `fails_at`-th call fails: the warm-up, the first or the second timed run
            let mut calls = 0;
            let mut failing = || {
                calls += 1;
                if calls == fails_at {
                    Err(Error::Training("boom".into()))
                } else {
                    Ok(())
                }
            };
            assert!(time_alternating(2, || Ok(()), &mut failing).is_err());
        }
        let failing = || -> Result<()> { Err(Error::Training("boom".into())) };
        assert!(time_alternating(2, failing, || Ok(())).is_err());
    }
}
