//! BatchNorm folded into the Linear layer before it, for inference: at inference BatchNorm is
//! the fixed affine map `(z − μ) · s + β` with `s = γ / √(σ² + ε)`, so
//! `norm(x·W + b) = x·(W·diag(s)) + ((b − μ)·s + β)` — one matrix product instead of a product
//! and four passes over the activations (what PyTorch's `fuse_linear_bn_eval` does).

use burn::module::Param;
use burn::tensor::Tensor;

use super::{Block, Mlp};

impl Mlp {
    /// The same function with every BatchNorm folded into its Linear layer and no dropout, for
    /// inference only (training would need the batch statistics back). Predictions agree with
    /// the unfolded network to float rounding. `PLAINDNN_FUSED=0` in the environment leaves the
    /// network as it is, to measure the difference.
    pub fn folded_for_inference(mut self) -> Mlp {
        if !crate::fused::enabled() {
            return self;
        }
        for block in &mut self.blocks {
            fold(block);
            block.dropout = None; // the identity at inference anyway
        }
        self
    }
}

fn fold(block: &mut Block) {
    let Some(norm) = block.norm.take() else {
        return;
    };
    let row = |t: Tensor<1>| t.unsqueeze::<2>(); // [1, units], broadcast over the inputs
    let scale = norm.gamma.val() / norm.running_var.value().add_scalar(norm.epsilon).sqrt();
    let shift = norm.beta.val() - norm.running_mean.value() * scale.clone();
    let bias = match &block.linear.bias {
        Some(b) => b.val() * scale.clone() + shift,
        None => shift,
    };
    let weight = block.linear.weight.val() * row(scale); // [inputs, units]
    block.linear.weight = Param::from_tensor(weight);
    block.linear.bias = Some(Param::from_tensor(bias));
}

#[cfg(test)]
mod tests {
    use burn::module::Module;
    use burn::tensor::{Device, TensorData};

    use crate::model::{ActivationConfig, MlpConfig};

    /// A BatchNorm network after some training steps' worth of running statistics: the folded
    /// network gives the same outputs (to 1e-5) and has no BatchNorm left.
    #[test]
    fn a_folded_network_predicts_what_the_unfolded_one_does() {
        let device = Device::flex();
        let mut config = MlpConfig::new(3, vec![8, 5], 4);
        config.batch_norm = true;
        config.activation = ActivationConfig::Elu { alpha: 1.0 };
        config.dropout = 0.3;
        let mut mlp = config.init(&device, 3).expect("valid");
        for (i, block) in mlp.blocks.iter_mut().enumerate() {
            let norm = block.norm.as_mut().expect("batch norm");
            let units = norm.gamma.dims()[0];
            let ramp =
                |a: f32, b: f32| -> Vec<f32> { (0..units).map(|k| a + b * k as f32).collect() };
            let t = |v: Vec<f32>| {
                burn::tensor::Tensor::<1>::from_data(TensorData::new(v, [units]), &device)
            };
            norm.running_mean = burn::module::RunningState::new(t(ramp(0.3 - i as f32, 0.1)));
            norm.running_var = burn::module::RunningState::new(t(ramp(0.5, 0.25)));
            norm.gamma = burn::module::Param::from_tensor(t(ramp(1.5, -0.1)));
            norm.beta = burn::module::Param::from_tensor(t(ramp(-0.2, 0.05)));
        }
        let mlp = mlp.valid();
        let x: Vec<f32> = (0..30).map(|k| (k as f32 * 0.37).sin() * 2.0).collect();
        let x = burn::tensor::Tensor::<2>::from_data(TensorData::new(x, [10, 3]), &device);
        let want = mlp
            .forward(x.clone())
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        let folded = mlp.folded_for_inference();
        assert!(folded
            .blocks
            .iter()
            .all(|b| b.norm.is_none() && b.dropout.is_none()));
        let got = folded
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
        }
    }
}
