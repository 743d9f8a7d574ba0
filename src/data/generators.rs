//! Built-in data sets, generated from a seed: every example runs with no download.
//!
//! 2-D classification sets like TensorFlow Playground's, two 1-D regression curves, and small
//! grey images of shapes.

use std::f32::consts::PI;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

use super::dataset::{Dataset, Targets};
use super::quadrants;
use crate::error::{Error, Result};

/// A built-in data set: its name, what it is, and its default noise.
pub struct Builtin {
    /// Name for `--dataset`.
    pub name: &'static str,
    /// One line for `plaindnn datasets`.
    pub about: &'static str,
    /// Default noise (standard deviation added to the inputs, or to the target for regression),
    /// which `--noise` changes; `None` for a set drawn without any (`quadrants`: the tutorial's
    /// exact points and their exact quadrants).
    pub noise: Option<f64>,
}

/// Every built-in data set.
pub const BUILTINS: [Builtin; 8] = [
    Builtin {
        name: "quadrants",
        about: "the tutorial's task: which quadrant (I–IV) is (x, y) in",
        noise: None,
    },
    Builtin {
        name: "xor",
        about: "2 classes: same sign of x and y or not (no line separates them)",
        noise: Some(0.05),
    },
    Builtin {
        name: "circles",
        about: "2 classes: a disc inside a ring",
        noise: Some(0.05),
    },
    Builtin {
        name: "spiral",
        about: "2 classes: two interleaved spirals",
        noise: Some(0.05),
    },
    Builtin {
        name: "blobs",
        about: "3 classes: Gaussian clouds around three centres",
        noise: Some(0.5),
    },
    Builtin {
        name: "line",
        about: "regression: y = 2.5·x − 1 plus noise",
        noise: Some(0.1),
    },
    Builtin {
        name: "cubic",
        about: "regression: y = x³ − 2·x + 0.5 plus noise",
        noise: Some(0.1),
    },
    Builtin {
        name: "shapes",
        about: "16×16 grey images of squares, discs and crosses (3 classes)",
        noise: Some(0.1),
    },
];

/// The built-in named `name` in any letter case (`XOR` is `xor`), or an error listing them all.
pub fn builtin(name: &str) -> Result<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| Error::Unknown {
            what: "dataset",
            got: name.to_string(),
            valid: BUILTINS
                .iter()
                .map(|b| b.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// `n` rows of the built-in `name`, drawn (quadrants' training rows add the tutorial's 4 points
/// in front: `quadrants::training_set`).
pub fn generate(name: &str, n: usize, noise: f64, seed: u64) -> Result<Dataset> {
    let name = builtin(name)?.name;
    let mut rng = StdRng::seed_from_u64(seed);
    let gauss = Normal::new(0.0f32, noise.max(0.0) as f32)
        .map_err(|e| Error::invalid("noise", e.to_string()))?;
    let mut jitter = |rng: &mut StdRng| if noise > 0.0 { gauss.sample(rng) } else { 0.0 };
    let data = match name {
        "quadrants" => return quadrants::validation_set(n, seed),
        "xor" => points(n, &mut rng, &mut jitter, &["0", "1"], |x, y, _| {
            i64::from((x > 0.0) != (y > 0.0))
        })?,
        "circles" => classes2d(n, &mut rng, &mut jitter, &["inner", "outer"], |rng, c| {
            let r = if c == 0 {
                rng.random_range(0.0..0.5f32)
            } else {
                rng.random_range(0.7..1.0f32)
            };
            let a = rng.random_range(0.0..2.0 * PI);
            (r * a.cos(), r * a.sin())
        })?,
        "spiral" => classes2d(n, &mut rng, &mut jitter, &["a", "b"], |rng, c| {
            let t = rng.random_range(0.0..1.0f32);
            let (r, a) = (t, 1.75 * t * 2.0 * PI + c as f32 * PI);
            (r * a.cos(), r * a.sin())
        })?,
        "blobs" => classes2d(n, &mut rng, &mut jitter, &["0", "1", "2"], |_, c| {
            [(-2.0, -1.0), (2.0, -1.0), (0.0, 2.0)][c]
        })?,
        "line" => curve(n, &mut rng, &mut jitter, |x| 2.5 * x - 1.0)?,
        "cubic" => curve(n, &mut rng, &mut jitter, |x| x * x * x - 2.0 * x + 0.5)?,
        "shapes" => shapes(n, noise as f32, &mut rng)?,
        _ => return Err(Error::Data(format!("no generator for `{name}`"))),
    };
    Ok(data)
}

type Jitter<'a> = dyn FnMut(&mut StdRng) -> f32 + 'a;

/// Uniform points in [−1, 1]², labelled by `label(x, y)`, then jittered.
fn points(
    n: usize,
    rng: &mut StdRng,
    jitter: &mut Jitter,
    names: &[&str],
    label: impl Fn(f32, f32, &mut StdRng) -> i64,
) -> Result<Dataset> {
    let mut features = Vec::with_capacity(2 * n);
    let mut classes = Vec::with_capacity(n);
    for _ in 0..n {
        let (x, y) = (
            rng.random_range(-1.0..1.0f32),
            rng.random_range(-1.0..1.0f32),
        );
        classes.push(label(x, y, rng));
        features.extend([x + jitter(rng), y + jitter(rng)]);
    }
    two_d(features, classes, names)
}

/// Balanced classes: row i has class i mod k, its point drawn by `draw(rng, class)`, then jittered.
fn classes2d(
    n: usize,
    rng: &mut StdRng,
    jitter: &mut Jitter,
    names: &[&str],
    draw: impl Fn(&mut StdRng, usize) -> (f32, f32),
) -> Result<Dataset> {
    let mut features = Vec::with_capacity(2 * n);
    let mut classes = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % names.len();
        let (x, y) = draw(rng, c);
        features.extend([x + jitter(rng), y + jitter(rng)]);
        classes.push(c as i64);
    }
    two_d(features, classes, names)
}

fn two_d(features: Vec<f32>, classes: Vec<i64>, names: &[&str]) -> Result<Dataset> {
    let names = names.iter().map(|s| s.to_string()).collect();
    let data = Dataset::new(
        features,
        vec!["x".into(), "y".into()],
        Targets::Classes(classes),
        names,
    )?;
    Ok(data.with_target_name("class"))
}

/// `x ~ U(−2, 2)`, `y = f(x) + noise`.
fn curve(
    n: usize,
    rng: &mut StdRng,
    jitter: &mut Jitter,
    f: impl Fn(f32) -> f32,
) -> Result<Dataset> {
    let xs: Vec<f32> = (0..n).map(|_| rng.random_range(-2.0..2.0f32)).collect();
    let ys: Vec<f32> = xs.iter().map(|&x| f(x) + jitter(rng)).collect();
    Dataset::curve(xs, ys)
}

/// Side of the `shapes` images.
pub const SHAPE_SIDE: usize = 16;

/// 16×16 images: an outlined square, a filled disc or a cross, random size and place, plus noise.
fn shapes(n: usize, noise: f32, rng: &mut StdRng) -> Result<Dataset> {
    let s = SHAPE_SIDE as i32;
    let mut pixels = Vec::with_capacity(n * SHAPE_SIDE * SHAPE_SIDE);
    let mut classes = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % 3;
        let r = rng.random_range(3..6i32); // half size
        let (cx, cy) = (rng.random_range(r..s - r), rng.random_range(r..s - r));
        for y in 0..s {
            for x in 0..s {
                let (dx, dy) = (x - cx, y - cy);
                let on = match class {
                    0 => dx.abs().max(dy.abs()) == r, // square outline
                    1 => dx * dx + dy * dy <= r * r,  // disc
                    _ => (dx == 0 && dy.abs() <= r) || (dy == 0 && dx.abs() <= r), // cross
                };
                let noise = if noise > 0.0 {
                    rng.random_range(-noise..noise)
                } else {
                    0.0
                };
                pixels.push((f32::from(u8::from(on)) + noise).clamp(0.0, 1.0));
            }
        }
        classes.push(class as i64);
    }
    let names = (0..SHAPE_SIDE * SHAPE_SIDE)
        .map(|i| format!("px{i}"))
        .collect();
    Ok(Dataset::new(
        pixels,
        names,
        Targets::Classes(classes),
        vec!["square".into(), "disc".into(), "cross".into()],
    )?
    .with_target_name("shape")
    .with_image(SHAPE_SIDE, SHAPE_SIDE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_generates_the_rows_asked_for() {
        for b in &BUILTINS {
            let d = generate(b.name, 30, b.noise.unwrap_or(0.0), 1).expect("generates");
            assert_eq!(d.len(), 30, "{}", b.name);
            assert!(d.features.iter().all(|v| v.is_finite()), "{}", b.name);
        }
    }

    #[test]
    fn xor_labels_points_by_the_signs_of_x_and_y() {
        let d = generate("xor", 200, 0.0, 2).expect("generates");
        let Targets::Classes(c) = &d.targets else {
            panic!("classification")
        };
        for (i, &class) in c.iter().enumerate() {
            let [x, y] = [d.row(i)[0], d.row(i)[1]];
            assert_eq!(class, i64::from((x > 0.0) != (y > 0.0)));
        }
    }

    #[test]
    fn the_line_without_noise_is_exactly_two_and_a_half_x_minus_one() {
        let d = generate("line", 10, 0.0, 3).expect("generates");
        let Targets::Values { values, .. } = &d.targets else {
            panic!("regression")
        };
        for (i, y) in values.iter().enumerate() {
            assert!((y - (2.5 * d.row(i)[0] - 1.0)).abs() < 1e-6);
        }
    }

    #[test]
    fn the_same_seed_generates_the_same_rows() {
        assert_eq!(
            generate("spiral", 50, 0.1, 7).expect("a"),
            generate("spiral", 50, 0.1, 7).expect("b")
        );
    }

    #[test]
    fn an_unknown_name_lists_the_builtins() {
        let err = builtin("mnist").err().expect("unknown").to_string();
        assert!(
            err.contains("quadrants, xor, circles, spiral, blobs, line, cubic, shapes"),
            "{err}"
        );
    }
}
