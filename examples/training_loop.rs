//! The tutorial's "backpropagation + gradient descent, many iterations" as one plain Burn loop:
//! forward, loss, backward, Adam step, one line per epoch — no Learner, no callbacks.
//! (`plaindnn train` runs the same steps inside burn-train, with checkpoints and early stopping.)
//!
//! Run: `cargo run --release --example training_loop`

use plaindnn::burn::module::Module;
use plaindnn::burn::optim::{AdamConfig, GradientsParams};
use plaindnn::burn::tensor::Device;
use plaindnn::data::{Batch, BatchTargets, DataSource};
use plaindnn::model::MlpConfig;
use plaindnn::train::step;

fn main() -> plaindnn::Result<()> {
    // the tutorial's task and network: points (x, y) → quadrant, 2 → 50 (ReLU) → 4
    let data = DataSource::quadrants(42).load()?;
    let device = Device::flex().autodiff(); // gradients are tracked on the autodiff device
    let mut model = MlpConfig::new(2, vec![50], 4).init(&device, 42)?; // seed 42
    let mut optim = AdamConfig::new().init();
    let (train, val) = (&data.train, &data.val);
    let val_batch = Batch::gather(&val.data, &val.rows, None, &device.clone().inner());

    for epoch in 1..=20 {
        let mut losses = Vec::new();
        for rows in train.rows.chunks(32) {
            let batch = Batch::gather(&train.data, rows, None, &device);
            let output = model.forward(batch.inputs); // [32, 4] logits
            let loss = step::loss(output, &batch.targets); // softmax + cross-entropy
            let grads = GradientsParams::from_grads(loss.backward(), &model); // backpropagation
            losses.push(loss.into_scalar::<f32>());
            model = optim.step(0.01, model, grads); // one step downhill
        }
        // validation: the same network without gradient tracking
        let BatchTargets::Classes(truth) = val_batch.targets.clone() else {
            unreachable!("quadrants are classes")
        };
        let logits = model.valid().forward(val_batch.inputs.clone()); // [256, 4]
        let predicted = logits.argmax(1).squeeze_dim::<1>(1); // [256]
        let right = predicted.equal(truth).int().sum().into_scalar::<i64>();
        let mean = losses.iter().sum::<f32>() / losses.len() as f32;
        println!(
            "epoch {epoch:>2}  train_loss {mean:.4}  val_accuracy {:6.2}%",
            100.0 * right as f32 / val.rows.len() as f32
        );
    }
    Ok(())
}
