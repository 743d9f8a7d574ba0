//! Stop a run after 3 epochs, resume it to 6: the optimizer state, the shuffling and the dropout
//! masks all continue exactly, so the metrics equal an uninterrupted run's.
//!
//! Run: `cargo run --release --example resume`

use plaindnn::data::DataSource;
use plaindnn::train::{self, RunOptions, TrainConfig, Verbosity};

fn main() -> plaindnn::Result<()> {
    let mut config = TrainConfig::default_for(2, 4);
    config.early_stopping = None;
    config.model.dropout = 0.1;
    let out = std::env::temp_dir().join("plaindnn-example-resume");

    config.epochs = 3;
    println!("first 3 epochs:");
    let options = RunOptions::from(Verbosity::Lines).overwrite(); // this example's last run goes
    train::train(DataSource::quadrants(config.seed), config, &out, options)?;

    println!("resumed to 6 epochs (continues at epoch 4):");
    let run = train::resume(&out, Some(6), Verbosity::Lines)?; // or RunOptions, with observers
    println!("epochs in metrics.csv: {}", run.outcome.rows.len());
    Ok(())
}
