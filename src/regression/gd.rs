//! The same linear model fitted by gradient descent on Burn: the tutorial's rolling ball.
//!
//! Columns are standardised first (the valley is then round, so plain gradient descent rolls
//! straight down), and the coefficients are mapped back to the original units. A ridge penalty
//! is applied by an exact shrink after each step (proximal gradient), so it cannot diverge.

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};

use super::lstsq::LinearFit;
use crate::check::non_negative_f64 as non_negative;
use crate::error::{Divergence, Error, Result};

/// The way on when gradient descent diverges.
const SMALLER_LR: &str = "Try a smaller --lr.";

/// Where a descent is, for a long one's progress line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Steps taken.
    pub iteration: usize,
    /// Steps asked for.
    pub iterations: usize,
    /// The loss before the last step.
    pub loss: f64,
    /// Seconds since the descent began.
    pub seconds: f64,
}

/// A function told of a descent's [`Progress`] every `every` seconds (10 million steps take
/// minutes, and said nothing meanwhile).
#[derive(Clone, Copy, Debug)]
pub struct Told {
    /// Seconds between two calls (0: after every step).
    pub every: f64,
    /// What is told.
    pub tell: fn(&Progress),
}

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

impl Descent {
    /// 1 to [`MAX_ITERATIONS`](super::MAX_ITERATIONS) steps of a positive, finite rate.
    pub fn check(&self) -> Result<()> {
        if !(1..=super::MAX_ITERATIONS).contains(&self.iterations) {
            let why = format!(
                "must be 1 to {} steps, got {}",
                super::MAX_ITERATIONS,
                self.iterations
            );
            return Err(Error::invalid("--iterations", why));
        }
        crate::check::positive_f64("--lr", self.lr)
    }
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
    fit_told(x, n, p, y, (descent, None), device)
}

/// [`fit`], telling `told` of its progress.
pub fn fit_told(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    (descent, told): (Descent, Option<Told>),
    device: &Device,
) -> Result<(LinearFit, Vec<f64>)> {
    if n == 0 || p == 0 || n.checked_mul(p) != Some(x.len()) || y.len() != n {
        return Err(Error::Data(
            "gradient descent needs n × p values and n targets".into(),
        ));
    }
    non_negative("ridge", descent.ridge)?;
    descent.check()?;
    let (mean, std) = column_stats(x, n, p);
    let scaled: Vec<f32> = (0..n * p)
        .map(|k| ((x[k] - mean[k % p]) / std[k % p]) as f32)
        .collect();
    // y centred in f64 first: f32 keeps seven digits, so 1e7 + 0.1 would lose the 0.1
    let mean_y = y.iter().sum::<f64>() / n as f64;
    let centred: Vec<f64> = y.iter().map(|v| v - mean_y).collect();
    let device = device.clone().autodiff();
    let (model, losses) = descend(&scaled, &centred, &std, (descent, told), &device);
    let w = crate::model::read_f32(model.weight.val(), "the fitted weights")?;
    let b = model
        .bias
        .as_ref()
        .map(|b| b.val().into_scalar::<f32>() as f64)
        .unwrap_or(0.0)
        + mean_y;
    // back from standardised columns: β_j = w_j / s_j, intercept b − Σ β_j·m_j
    let coefficients: Vec<f64> = w.iter().zip(&std).map(|(w, s)| *w as f64 / s).collect();
    let intercept = b - coefficients
        .iter()
        .zip(&mean)
        .map(|(c, m)| c * m)
        .sum::<f64>();
    if !(intercept.is_finite() && coefficients.iter().all(|c| c.is_finite())) {
        super::refuse_non_finite(x, &super::numbered(p), y)?;
        return Err(left_the_finite(&losses, descent.lr));
    }
    // the rank, condition and warnings of the closed form of the same problem (with a ridge,
    // of the ridge problem, whose rank is full)
    let closed = super::lstsq::fit(x, n, p, y, descent.ridge).ok();
    let mut fit = LinearFit {
        coefficients,
        intercept,
        ..described(closed.as_ref(), p)
    };
    rose(x, p, y, &fit, (&losses, descent))?;
    if let Some(short) = closed.and_then(|c| short_of_minimum(x, p, y, (&fit, &c), descent.ridge)) {
        if fit.rank < p {
            // short of the minimum, so not yet its minimum-norm point, which the warning says
            fit.warnings = vec![super::lstsq::dependent(p, fit.rank)];
        }
        fit.warnings.push(short);
    }
    Ok((fit, losses))
}

/// The divergence of a descent at `lr` whose `losses` left the finite numbers, with the iteration.
fn left_the_finite(losses: &[f64], lr: f64) -> Error {
    let at = (losses.iter())
        .position(|l| !l.is_finite())
        .unwrap_or(losses.len());
    let what = format!(
        "gradient descent with --lr {} left the finite numbers after {}",
        crate::spec::number(lr),
        crate::plural::count(at, "iteration")
    );
    Error::Diverged(Divergence::new(what, None, SMALLER_LR))
}

/// The closed form's rank, condition, warnings and dependent columns (of `p` columns, full rank
/// and no warnings where it failed), to describe the descent's fit with; its coefficients empty.
fn described(closed: Option<&LinearFit>, p: usize) -> LinearFit {
    LinearFit {
        coefficients: Vec::new(),
        intercept: 0.0,
        rank: closed.map_or(p, |c| c.rank),
        condition: closed.map_or(f64::NAN, |c| c.condition),
        warnings: closed.map_or(vec![], |c| c.warnings.clone()),
        dependent: closed.map_or(Default::default(), |c| c.dependent.clone()),
    }
}

/// `(‖Xβ + b − y‖² + λ‖β‖²) / n` of `fit`, in f64.
fn objective(x: &[f64], p: usize, y: &[f64], fit: &LinearFit, ridge: f64) -> f64 {
    let sse: f64 = (x.chunks(p).zip(y))
        .map(|(row, t)| {
            let dot: f64 = row.iter().zip(&fit.coefficients).map(|(v, c)| v * c).sum();
            (dot + fit.intercept - t).powi(2)
        })
        .sum();
    let penalty: f64 = fit.coefficients.iter().map(|c| c * c).sum::<f64>() * ridge;
    (sse + penalty) / y.len() as f64
}

/// Refuses a fit whose loss ended above where it started: the steps overshot the valley and
/// climbed its walls (on standardised columns a rate above 1 can), while staying finite.
fn rose(
    x: &[f64],
    p: usize,
    y: &[f64],
    fit: &LinearFit,
    (losses, descent): (&[f64], Descent),
) -> Result<()> {
    let Some(&first) = losses.first() else {
        return Ok(());
    };
    let last = objective(x, p, y, fit, descent.ridge);
    // rounding aside (the first loss is summed in f32): a start at the minimum may end just above
    if last <= first * (1.0 + 1e-4) + rounding(y) {
        return Ok(());
    }
    let what = format!(
        "gradient descent with --lr {} diverged: the loss rose from {first:.4e} to {last:.4e} in {}",
        crate::spec::number(descent.lr),
        crate::plural::count(losses.len(), "iteration")
    );
    Err(Error::Diverged(Divergence::new(what, None, SMALLER_LR)))
}

/// The loss rounding alone leaves an exact fit with: y's variance at f32's precision (the
/// descent's), and the square of f64's on y's size (the intercept, mean(y) added back).
fn rounding(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let variance = y.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n;
    1e-12 * variance + 1e-20 * mean * mean
}

/// A warning when descent stopped more than 1 % above the closed form's minimum of the same
/// objective (scikit-learn warns of non-convergence; here the minimum itself is known).
fn short_of_minimum(
    x: &[f64],
    p: usize,
    y: &[f64],
    (fit, best): (&LinearFit, &LinearFit),
    ridge: f64,
) -> Option<String> {
    let (reached, minimum) = (
        objective(x, p, y, fit, ridge),
        objective(x, p, y, best, ridge),
    );
    if reached <= minimum * 1.01 + rounding(y) {
        return None;
    }
    Some(format!(
        "gradient descent stopped at a loss of {reached:.4e} where least squares reaches \
         {minimum:.4e}: give more --iterations or a larger --lr"
    ))
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
            // relative: a column of 1e-12s is data, a column one value with rounding is not
            let std = var.sqrt();
            if std > 1e-12 * mean[j].abs() && std > 0.0 {
                std
            } else {
                1.0
            }
        })
        .collect();
    (mean, std)
}

/// Tells `told` of `progress` where its `every` seconds have passed since `last` told.
fn tell_if_due(told: Option<Told>, progress: &Progress, last: &mut f64) {
    if let Some(told) = told.filter(|t| progress.seconds - *last >= t.every) {
        *last = progress.seconds;
        (told.tell)(progress);
    }
}

/// Full-batch gradient descent of `Linear(p, 1)` on the standardised rows `scaled` (`[n, p]`):
/// the model and the loss of every iteration.
fn descend(
    scaled: &[f32],
    y: &[f64],
    std: &[f64],
    (descent, told): (Descent, Option<Told>),
    device: &Device,
) -> (Linear, Vec<f64>) {
    let (n, p) = (y.len(), std.len());
    let xs = Tensor::<2>::from_data(TensorData::new(scaled.to_vec(), [n, p]), device); // [n, p]
    let ys: Vec<f32> = y.iter().map(|v| *v as f32).collect();
    let ys = Tensor::<2>::from_data(TensorData::new(ys, [n, 1]), device); // [n, 1]
    let mut model = LinearConfig::new(p, 1)
        .with_initializer(Initializer::Zeros)
        .init(device);
    // β_j = w_j / s_j, so λβ_j²/n = c_j·w_j² on the standardised weights, c_j = λ/(n·s_j²)
    let c: Vec<f64> = std
        .iter()
        .map(|s| descent.ridge / (n as f64 * s * s))
        .collect();
    let column = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [p, 1]), device);
    // a λ beyond f32 for a column (1e100) counts as f32's largest: w is 0 there, and 0·∞ is NaN
    let penalty_of = column(c.iter().map(|c| c.min(f32::MAX as f64) as f32).collect());
    // the penalty's step taken exactly (a proximal step): w ← w / (1 + 2·lr·c), the minimum of
    // c·w² + (w − w')²/(2·lr). An explicit step overshoots once 2·lr·c > 2 (λ = 0.1 on a column of
    // spread 1e-3 and 100 rows: c = 1000), this one never; both stop at the same minimum.
    let shrink = column(
        c.iter()
            .map(|c| (1.0 / (1.0 + 2.0 * descent.lr * c)) as f32)
            .collect(),
    );
    let mut optim = SgdConfig::new().init();
    let mut losses = Vec::with_capacity(descent.iterations);
    let (started, mut last_told) = (std::time::Instant::now(), 0.0);
    for iteration in 0..descent.iterations {
        let err = model.forward(xs.clone()) - ys.clone(); // [n, 1]
        let loss = err.powi_scalar(2).mean();
        let w = model.weight.val().detach();
        let penalty = (w.powi_scalar(2) * penalty_of.clone()).sum();
        losses.push((loss.clone().detach() + penalty).into_scalar::<f32>() as f64);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(descent.lr, model, grads);
        if descent.ridge > 0.0 {
            let shrink = shrink.clone();
            // a new leaf for the next step's gradient, not a node of this step's graph
            model.weight = model.weight.map(|w| (w * shrink).detach().require_grad());
        }
        let progress = Progress {
            iteration: iteration + 1,
            iterations: descent.iterations,
            loss: losses[iteration],
            seconds: started.elapsed().as_secs_f64(),
        };
        tell_if_due(told, &progress, &mut last_told);
    }
    (model, losses)
}
