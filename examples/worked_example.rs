//! The tutorial's worked forward pass with its exact weights and biases: y1 = 46, y2 = 0.
//!
//! Run: `cargo run --release --example worked_example`

use plaindnn::burn::tensor::Device;
use plaindnn::model::{worked_example, Summary};

fn main() -> plaindnn::Result<()> {
    let device = Device::flex();
    let network = worked_example::network(&device)?;
    println!("{}\n", Summary::of(&network));

    let result = worked_example::run(&device)?;
    println!("inputs  x = {:?}", result.inputs);
    println!(
        "hidden  n = {:?}   (max(3·1 + 4·(−1) + 9, 0), max(3·2 + 4·0 − 3, 0))",
        result.hidden
    );
    println!(
        "outputs y = {:?}  (max(8·4 + 3·3 + 5, 0), max(8·(−2) + 3·1 + 0, 0))",
        result.outputs
    );
    Ok(())
}
