//! The regression ladder: a line, many variables, a polynomial — fitted exactly by least squares
//! or by gradient descent — before the network.

pub mod gd;
pub mod lstsq;
pub mod pictures;
pub mod poly;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use lstsq::LinearFit;

use crate::data::csv_file::first_few;
use crate::data::{Dataset, Subset, Targets};
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::inference::RegressionScores;

/// How the coefficients are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Closed form: QR then SVD.
    Lstsq,
    /// Gradient descent on Burn.
    Gd,
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "lstsq" => Ok(Method::Lstsq),
            "gd" => Ok(Method::Gd),
            _ => Err(Error::Unknown {
                what: "method",
                got: s.into(),
                valid: "lstsq, gd".into(),
            }),
        }
    }
}

/// A fitted linear (or polynomial) model, saved as `linear.json` in its run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearModel {
    /// Input columns.
    pub inputs: Vec<String>,
    /// Target column.
    pub target: String,
    /// Polynomial degree (1: linear).
    pub degree: u32,
    /// Mixed terms such as a·b.
    pub interactions: bool,
    /// Term names, one per coefficient.
    pub terms: Vec<String>,
    /// β, one per term.
    pub coefficients: Vec<f64>,
    /// b.
    pub intercept: f64,
    /// How it was fitted.
    pub method: Method,
    /// Ridge penalty used.
    pub ridge: f64,
}

/// The options of a fit.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// Polynomial degree.
    pub degree: u32,
    /// Mixed terms.
    pub interactions: bool,
    /// Ridge penalty λ.
    pub ridge: f64,
    /// lstsq or gd.
    pub method: Method,
    /// Gradient-descent steps.
    pub iterations: usize,
    /// Gradient-descent step size.
    pub lr: f64,
    /// Told of a gradient descent's progress (none: nothing told).
    pub told: Option<gd::Told>,
}

impl FitOptions {
    /// Closed-form least squares of a polynomial of `degree` in each input, no ridge.
    pub fn lstsq(degree: u32) -> Self {
        Self {
            degree,
            interactions: false,
            ridge: 0.0,
            method: Method::Lstsq,
            iterations: 5000,
            lr: 0.1,
            told: None,
        }
    }
}

/// Most terms a fit may have (columns of its expanded matrix).
pub const MAX_TERMS: usize = 10_000;
/// Most values of the expanded matrix, rows × terms (800 MB of f64).
pub const MAX_VALUES: usize = 100_000_000;
/// Most gradient-descent steps.
pub const MAX_ITERATIONS: usize = 10_000_000;

impl FitOptions {
    /// Refuses a degree of 0, more than [`MAX_TERMS`] terms, `interactions` where there is no
    /// mixed term to add, and gradient descent's steps or step size outside their ranges.
    pub fn check(&self, inputs: usize) -> Result<()> {
        if self.degree == 0 {
            return Err(Error::invalid(
                "--degree",
                "must be at least 1 (1: a line or plane), got 0",
            ));
        }
        let terms = poly::count(inputs, self.degree, self.interactions);
        if terms > MAX_TERMS {
            let mixed = if self.interactions {
                " and --interactions"
            } else {
                ""
            };
            let count = match terms {
                usize::MAX => "more than 2^64".to_string(),
                n => n.to_string(),
            };
            return Err(Error::invalid(
                "--degree",
                format!(
                    "degree {} of {}{mixed} makes {count} terms (limit {MAX_TERMS}): \
                     choose a lower degree",
                    self.degree,
                    crate::plural::count(inputs, "input")
                ),
            ));
        }
        if self.method == Method::Gd {
            let (iterations, lr, ridge) = (self.iterations, self.lr, self.ridge);
            (gd::Descent {
                iterations,
                lr,
                ridge,
            })
            .check()?;
        }
        if self.interactions && self.degree < 2 {
            return Err(Error::invalid(
                "--interactions",
                "mixed terms such as a·b need --degree 2 or more; degree 1 has none",
            ));
        }
        if self.interactions && inputs < 2 {
            return Err(Error::invalid(
                "--interactions",
                format!("mixed terms such as a·b need two or more inputs; the data has {inputs}"),
            ));
        }
        Ok(())
    }
}

/// A fit and how good it is.
pub struct Fitted {
    /// The model.
    pub model: LinearModel,
    /// Rank, condition, warnings.
    pub fit: LinearFit,
    /// Loss per iteration (gradient descent).
    pub losses: Vec<f64>,
}

/// Inputs as f64 rows and the single target column of `rows`: the file's own values where the
/// data set holds them ([`Dataset::exact`]), else its f32 values widened.
pub fn columns(rows: &Subset) -> Result<(Vec<f64>, Vec<f64>)> {
    rows.check("rows")?; // a hand-made Subset: every row held, every length agreeing
    let data: &Dataset = &rows.data;
    let Targets::Values { values, width: 1 } = &data.targets else {
        return Err(Error::Data(
            "least squares needs one numeric target column".into(),
        ));
    };
    let w = data.width();
    let (x, y) = match &data.exact {
        Some(exact) => (
            (rows.rows.iter())
                .flat_map(|&r| exact.features[r * w..(r + 1) * w].to_vec())
                .collect(),
            rows.rows.iter().map(|&r| exact.targets[r]).collect(),
        ),
        None => (
            (rows.rows.iter())
                .flat_map(|&r| data.row(r).iter().map(|v| *v as f64))
                .collect(),
            rows.rows.iter().map(|&r| values[r] as f64).collect(),
        ),
    };
    Ok((x, y))
}

/// The rank warning of `fit` with the columns behind it named: the constant ones and those in
/// a combination that cancels (it said "some are linear combinations of others").
fn name_dependent(fit: &mut LinearFit, names: &[String]) {
    // the first few of a long list (1890 terms of degree 60 filled 24 KB)
    let listed = |columns: &[usize]| first_few(columns, |&j| format!("`{}`", names[j]));
    let d = &fit.dependent;
    let mut parts = Vec::new();
    if !d.constant.is_empty() {
        let list = listed(&d.constant);
        parts.push(format!(
            "{list} constant in the fitted rows, which the intercept covers"
        ));
    }
    if !d.combined.is_empty() {
        parts.push(format!(
            "{} in a combination that is 0 in every row",
            listed(&d.combined)
        ));
    }
    let said = "some are linear combinations of others";
    let named = format!("{said} ({})", parts.join("; "));
    for warning in fit.warnings.iter_mut().filter(|_| !parts.is_empty()) {
        *warning = warning.replacen(said, &named, 1);
    }
}

impl LinearModel {
    /// Fits the model to `rows`.
    pub fn fit(rows: &Subset, options: &FitOptions) -> Result<Fitted> {
        let data = &rows.data;
        options.check(data.width())?;
        let (x, y) = columns(rows)?;
        let terms = poly::terms(&data.feature_names, options.degree, options.interactions);
        let (n, p) = (rows.len(), terms.names.len());
        // before the matrix is made: 10⁴ terms of 10⁵ rows would be 8 GB
        if n.saturating_mul(p) > MAX_VALUES {
            let values = n.saturating_mul(p);
            return Err(Error::invalid(
                "--degree",
                format!(
                    "{n} rows × {p} terms would make {values} values (limit {MAX_VALUES}): \
                     choose a lower degree or fewer rows"
                ),
            ));
        }
        let features = poly::expand(&x, data.width(), &terms);
        if let Err(overflow) = finite_terms(&features, &terms.names, options.degree) {
            refuse_non_finite(&x, &data.feature_names, &y)?; // a NaN input, not the degree
            return Err(overflow);
        }
        let (mut fit, losses) = match options.method {
            Method::Lstsq => (lstsq::fit(&features, n, p, &y, options.ridge)?, Vec::new()),
            Method::Gd => gd::fit_told(
                &features,
                n,
                p,
                &y,
                (
                    gd::Descent {
                        iterations: options.iterations,
                        lr: options.lr,
                        ridge: options.ridge,
                    },
                    options.told,
                ),
                &burn::tensor::Device::flex(),
            )?,
        };
        if fit.rank < p {
            name_dependent(&mut fit, &terms.names);
        }
        let model = LinearModel {
            inputs: data.feature_names.clone(),
            target: data.target_name.clone(),
            degree: options.degree,
            interactions: options.interactions,
            terms: terms.names,
            coefficients: fit.coefficients.clone(),
            intercept: fit.intercept,
            method: options.method,
            ridge: options.ridge,
        };
        Ok(Fitted { model, fit, losses })
    }

    /// Predictions for row-major `x` (one value per input per row); refused where `x` does not
    /// fill whole rows, or a value is beyond f64 (x³ of x = 1e200: an inf or NaN is no
    /// prediction), naming its row.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        let values = self.values(x)?;
        match values.iter().position(|v| !v.is_finite()) {
            Some(row) => Err(Error::NotFinite { row }),
            None => Ok(values),
        }
    }

    /// [`LinearModel::predict`]'s values, an inf or NaN among them kept: a fit's own held-out
    /// rows are scored and drawn with them (an RMSE of inf says it), not refused after the fit.
    fn values(&self, x: &[f64]) -> Result<Vec<f64>> {
        // its fields are public: a degree, terms or coefficients that disagree pair wrongly
        let terms =
            (self.consistent()).map_err(|why| Error::Data(format!("the linear model: {why}")))?;
        let width = self.inputs.len();
        if width == 0 || !x.len().is_multiple_of(width) {
            return Err(Error::Data(format!(
                "{} values do not fill rows of the model's {} ({})",
                x.len(),
                crate::plural::count(width, "input"),
                self.inputs.join(", ")
            )));
        }
        let features = poly::expand(x, width, &terms);
        Ok((features.chunks(self.coefficients.len().max(1)))
            .map(|row| {
                let dot = row.iter().zip(&self.coefficients).map(|(v, c)| v * c);
                self.intercept + dot.sum::<f64>()
            })
            .collect())
    }

    /// R², RMSE and MAE on `rows`.
    pub fn scores(&self, rows: &Subset) -> Result<RegressionScores> {
        if rows.is_empty() {
            return Err(Error::Data("there are no rows to score".into()));
        }
        let (x, y) = columns(rows)?;
        Ok(RegressionScores::of_f64(&y, &self.values(&x)?))
    }

    /// `y = 2.5009·x − 1.0347`; a name of other characters than letters, digits and `_` in
    /// backticks (`` y = 1.4435·`a, b` + 0.0968 ``).
    pub fn equation(&self) -> String {
        let written = self.written_terms();
        let mut s = format!("{} = ", poly::symbol(&self.target));
        let mut first = true;
        for (c, t) in self.coefficients.iter().zip(&written) {
            s += &signed(*c, first);
            s += &format!("·{t}");
            first = false;
        }
        s += &signed(self.intercept, first);
        s
    }

    /// The terms as [`Self::equation`] writes them (`` `a^2` `` for a column of that name, `a^2`
    /// for a², as R writes them).
    fn written_terms(&self) -> Vec<String> {
        match self.consistent() {
            Ok(terms) => (terms.powers.iter())
                .map(|p| poly::written(&self.inputs, p))
                .collect(),
            Err(_) => self.terms.clone(), // as listed: a hand-edited model's own names
        }
    }

    /// The coefficients keyed by term name, plus `intercept`. Where those names are not all
    /// distinct (a column `intercept`, a column `a^2` beside the term a²), each term is keyed as
    /// the equation writes it and the intercept as R's `coef()` names it, `(Intercept)`: a
    /// coefficient is never lost to another's key.
    pub fn coefficient_map(&self) -> BTreeMap<String, f64> {
        let plain = self.colliding_keys().is_empty();
        let keys: Vec<String> = match plain {
            true => (self.terms.iter().cloned())
                .chain(["intercept".into()])
                .collect(),
            false => (self.written_terms().into_iter())
                .chain(["(Intercept)".into()])
                .collect(),
        };
        let values = self.coefficients.iter().copied().chain([self.intercept]);
        keys.into_iter().zip(values).collect()
    }

    /// The names among the terms' and `intercept` that key two coefficients
    /// ([`Self::coefficient_map`]), each once.
    pub fn colliding_keys(&self) -> Vec<String> {
        let (mut seen, mut twice) = (std::collections::HashSet::new(), Vec::new());
        for key in self.terms.iter().map(String::as_str).chain(["intercept"]) {
            if !seen.insert(key) && !twice.iter().any(|k| k == key) {
                twice.push(key.to_string());
            }
        }
        twice
    }

    /// Writes `linear.json` (the model) and `coefficients.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        crate::files::create_folder(dir)?;
        write_atomic(&dir.join("linear.json"), pretty(self)?.as_bytes())?;
        write_atomic(
            &dir.join("coefficients.json"),
            pretty(&self.coefficient_map())?.as_bytes(),
        )
    }

    /// Reads `linear.json` from a run directory.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("linear.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let model: Self = crate::json::parse(&text)
            .map_err(|e| Error::run(dir, format!("linear.json is not a linear model: {e}")))?;
        let why = |w: String| {
            Error::run(dir, format!("linear.json disagrees with itself: {w} (edited by hand?): fit it again with `plaindnn regress`"))
        };
        model.consistent().map_err(why)?;
        Ok(model)
    }

    /// The terms its degree and interactions make of its inputs, or why the fields disagree: they
    /// must be its `terms`, one coefficient each (else predictions pair with the wrong rows).
    fn consistent(&self) -> std::result::Result<poly::Terms, String> {
        let count = poly::count(self.inputs.len(), self.degree, self.interactions);
        if self.degree == 0 || count > MAX_TERMS {
            return Err(format!(
                "degree {} makes no fit of at most {MAX_TERMS} terms",
                self.degree
            ));
        }
        let terms = poly::terms(&self.inputs, self.degree, self.interactions);
        let made = &terms.names;
        if *made != self.terms {
            return Err(format!(
                "degree {} of the inputs {} makes the terms {}, and it lists {}",
                self.degree,
                self.inputs.join(", "),
                made.join(", "),
                self.terms.join(", ")
            ));
        }
        if self.coefficients.len() != made.len() {
            return Err(format!(
                "{} for {}",
                crate::plural::count(self.coefficients.len(), "coefficient"),
                crate::plural::count(made.len(), "term")
            ));
        }
        Ok(terms)
    }
}

fn pretty(value: &impl Serialize) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::json("writing JSON", e))
}

/// The first value of `x` (row-major, `names` its columns) or of `y` that is not finite, as
/// ``row 3, column `age`: NaN`` (rows counted from 1), refused by name: a NaN or infinite input
/// makes every fit NaN, and the overflow or divergence it then shows would blame the wrong thing.
pub(crate) fn refuse_non_finite(x: &[f64], names: &[String], y: &[f64]) -> Result<()> {
    let p = names.len().max(1);
    let cell = match x.iter().position(|v| !v.is_finite()) {
        Some(k) => format!("row {}, column `{}`: {}", k / p + 1, names[k % p], x[k]),
        None => match y.iter().position(|v| !v.is_finite()) {
            Some(r) => format!("row {}'s target: {}", r + 1, y[r]),
            None => return Ok(()),
        },
    };
    Err(Error::Data(format!(
        "{cell} is not a finite number: a fit needs finite values (fill or drop that row)"
    )))
}

/// Column names `x1`, `x2`, … for `p` unnamed columns.
pub(crate) fn numbered(p: usize) -> Vec<String> {
    (1..=p).map(|j| format!("x{j}")).collect()
}

/// Refuses a term that overflows f64 (x⁸⁰ of x in the tens of thousands): the fit would be NaN.
fn finite_terms(features: &[f64], names: &[String], degree: u32) -> Result<()> {
    let Some(k) = features.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let (row, term) = (k / names.len() + 1, &names[k % names.len()]);
    let why = format!(
        "the term {term} of row {row} is beyond f64's range (±1.8e308) at degree {degree}: \
         choose a lower degree, or scale the column (to a few units) first"
    );
    Err(Error::invalid("--degree", why))
}

/// ` + 2.5009`, ` − 1.0347`, ` + 3.0200e-6`, or the first term without a leading plus.
fn signed(v: f64, first: bool) -> String {
    match (first, v < 0.0) {
        (true, false) => magnitude(v),
        (true, true) => format!("−{}", magnitude(-v)),
        (false, false) => format!(" + {}", magnitude(v)),
        (false, true) => format!(" − {}", magnitude(-v)),
    }
}

/// Four decimals; below 0.001, where they would hide the size (x² of a column in the thousands
/// has a coefficient of 1e-12, not 0.0000), or beyond 1e15, four after an exponent's point.
fn magnitude(a: f64) -> String {
    match a == 0.0 || (1e-3..1e15).contains(&a) {
        true => format!("{a:.4}"),
        false => format!("{a:.4e}"),
    }
}
