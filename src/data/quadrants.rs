//! The tutorial's quadrant task: which quadrant (I, II, III, IV) does a point (x, y) lie in?

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::dataset::{Dataset, Targets};
use crate::error::Result;

/// The tutorial's four points, one per quadrant, in class order I, II, III, IV.
pub const TUTORIAL_POINTS: [[f32; 2]; 4] = [[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]];

/// Class names, in class-index order.
pub const CLASS_NAMES: [&str; 4] = ["I", "II", "III", "IV"];

/// The quadrant class of a point: I (x>0, y>0), II (x<0, y>0), III (x<0, y<0), IV (x>0, y<0).
pub fn quadrant(x: f32, y: f32) -> i64 {
    match (x >= 0.0, y >= 0.0) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

/// The tutorial's four points followed by `extra` seeded points drawn from [−5, 5]².
///
/// Four points alone fix the answer at (±1, ±1) only; the extra points say where the borders are.
pub fn training_set(extra: usize, seed: u64) -> Result<Dataset> {
    let mut points: Vec<[f32; 2]> = TUTORIAL_POINTS.to_vec();
    points.extend(random_points(extra, seed));
    to_dataset(&points)
}

/// `n` fresh points from the four quadrants for validation (another stream than training's).
pub fn validation_set(n: usize, seed: u64) -> Result<Dataset> {
    to_dataset(&random_points(n, seed ^ super::VALIDATION_STREAM))
}

fn random_points(n: usize, seed: u64) -> Vec<[f32; 2]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            [
                rng.random_range(-5.0f32..5.0),
                rng.random_range(-5.0f32..5.0),
            ]
        })
        .collect()
}

fn to_dataset(points: &[[f32; 2]]) -> Result<Dataset> {
    let features = points.iter().flatten().copied().collect();
    let classes = points.iter().map(|p| quadrant(p[0], p[1])).collect();
    Dataset::new(
        features,
        vec!["x".into(), "y".into()],
        Targets::Classes(classes),
        CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
    )
    .map(|d| d.with_target_name("quadrant"))
}
