//! The tutorial's quadrant classifier: train 2 → 50 → 4 with softmax + cross-entropy, then ask
//! which quadrant new points are in, with the probability of each class.
//!
//! Run: `cargo run --release --example quadrants`

use plaindnn::backend::Backend;
use plaindnn::data::DataSource;
use plaindnn::inference::Predictor;
use plaindnn::model::Summary;
use plaindnn::train::{self, RunOptions, TrainConfig, Verbosity};

fn main() -> plaindnn::Result<()> {
    // 1. the recipe: one hidden layer of 50 ReLU units, Adam, early stopping
    let config = TrainConfig::default_for(2, 4);
    let out = std::env::temp_dir().join("plaindnn-example-quadrants");

    // 2. train (replacing the last run of this example); every epoch prints one line
    let options = RunOptions::from(Verbosity::auto()).overwrite();
    let trained = train::train(DataSource::quadrants(config.seed), config, &out, options)?;
    println!("\n{}\n", Summary::of(&trained.model));

    // 3. reload from the run directory alone and predict
    let predictor = Predictor::open(&out, Backend::Flex)?;
    let points = [[2.0, 2.0], [-3.0, 0.5], [-1.0, -4.0], [5.0, -0.3]];
    let rows: Vec<f32> = points.iter().flatten().copied().collect();
    for (point, p) in points.iter().zip(predictor.predict(&rows)?) {
        let probs: Vec<String> = p.probabilities.iter().map(|q| format!("{q:.3}")).collect();
        println!(
            "{point:?} → quadrant {}  p(I, II, III, IV) = ({})",
            p.class.unwrap_or_default(),
            probs.join(", ")
        );
    }
    Ok(())
}
